package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

const exampleBid = `{"method": "us-federal@2025.1",
 "reference": "TENDER-2026-014/BID-3", "supplier": "ACME Construction",
 "lines": [
   {"id": "1", "activity": "fuel.natural_gas", "region": "US", "quantity": "1000", "unit": "mmBtu"},
   {"id": "2", "activity": "material.steel.rebar", "region": "US", "quantity": 12.5, "unit": "t",
    "factor": {"kg_co2e": "780", "per": "t", "reference": "EPD S-P-01234"}}]}`

type apiCase struct {
	name, method, target, contentType, body string
	status                                  int
	// want are substrings of the response body.
	want []string
	// pointers are JSON Pointers the problem's errors must name.
	pointers []string
}

func apiCases() []apiCase {
	big := `{"method":"us-federal","lines":[{"activity":"` + strings.Repeat("x", MaxBodyBytes) + `"}]}`
	return []apiCase{
		{name: "footprint", method: "POST", target: "/v1/footprints", contentType: "application/json", body: exampleBid, status: 200,
			want: []string{`"total":{"kg_co2e":"62864.500"}`, `"result_digest":"`}},
		{name: "footprint method in query", method: "POST", target: "/v1/footprints?method=eu-gpp", contentType: "application/json",
			body: `{"lines":[{"activity":"fuel.natural_gas","region":"DE","quantity":"1","unit":"TJ"}]}`, status: 200, want: []string{`"id":"eu-gpp"`}},
		{name: "footprint malformed", method: "POST", target: "/v1/footprints", contentType: "application/json", body: `{"lines": [`, status: 400, want: []string{"#malformed"}},
		{name: "footprint trailing data", method: "POST", target: "/v1/footprints", contentType: "application/json", body: exampleBid + `{}`, status: 400},
		{name: "footprint empty body", method: "POST", target: "/v1/footprints", contentType: "application/json", body: ``, status: 400},
		{name: "footprint too large", method: "POST", target: "/v1/footprints", contentType: "application/json", body: big, status: 413},
		{name: "footprint wrong media type", method: "POST", target: "/v1/footprints", contentType: "text/plain", body: exampleBid, status: 415},
		{name: "footprint no media type", method: "POST", target: "/v1/footprints", body: exampleBid, status: 415},
		{name: "footprint invalid fields", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body:   `{"method":"us-federal","reference":"` + strings.Repeat("r", 201) + `","lines":[{"activity":"","region":"US","quantity":"1,5","unit":"kg"},{"activity":"fuel.natural_gas","region":"US","quantity":"-1","unit":"mmBtu","factor":{"kg_co2e":"x","per":"","reference":"E"}}]}`,
			status: 422, pointers: []string{"/reference", "/lines/0/activity", "/lines/0/quantity", "/lines/1/quantity", "/lines/1/factor/kg_co2e", "/lines/1/factor/per"}},
		{name: "footprint engine problems", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body:   `{"method":"us-federal","lines":[{"activity":"fuel.unobtainium","region":"US","quantity":"1","unit":"kg"},{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"kWh/kg"},{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`,
			status: 422, pointers: []string{"/lines/0/activity", "/lines/1/unit"}},
		{name: "footprint wrong type", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: `{"method":"us-federal","lines":[{"activity":"fuel.natural_gas","region":"US","quantity":true,"unit":"mmBtu"}]}`, status: 422},
		{name: "footprint unknown field", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: `{"method":"us-federal","colour":"red","lines":[]}`, status: 422, want: []string{"colour"}},
		{name: "footprint no lines", method: "POST", target: "/v1/footprints", contentType: "application/json", body: `{"method":"us-federal","lines":[]}`, status: 422, pointers: []string{"/lines"}},
		{name: "footprint no method", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: `{"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, status: 422, pointers: []string{"/method"}},
		{name: "footprint unknown method", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: `{"method":"us-federal@1999.1","lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, status: 422, pointers: []string{"/method"}, want: []string{"#unknown-method"}},
		{name: "footprint GET", method: "GET", target: "/v1/footprints", status: 405, want: []string{"POST"}},
		{name: "comparison", method: "POST", target: "/v1/comparisons", contentType: "application/json",
			body: `{"methods":["us-federal","eu-gpp"],"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, status: 200},
		{name: "comparison one method", method: "POST", target: "/v1/comparisons", contentType: "application/json",
			body: `{"methods":["us-federal"],"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, status: 422, pointers: []string{"/methods"}},
		{name: "comparison unknown method", method: "POST", target: "/v1/comparisons", contentType: "application/json",
			body: `{"methods":["us-federal","nope"],"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, status: 422, pointers: []string{"/methods/1"}},
		{name: "batch", method: "POST", target: "/v1/batch?method=us-federal", contentType: "text/csv",
			body: "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US,1000,mmBtu\n", status: 200},
		{name: "batch no method", method: "POST", target: "/v1/batch", contentType: "text/csv", body: "line_id\n", status: 400},
		{name: "batch unknown method", method: "POST", target: "/v1/batch?method=nope", contentType: "text/csv", body: "line_id\n", status: 422},
		{name: "batch wrong media type", method: "POST", target: "/v1/batch?method=us-federal", contentType: "application/json", body: "{}", status: 415},
		{name: "methods", method: "GET", target: "/v1/methods", status: 200, want: []string{`"ref":"us-federal@2025.1"`, `"ref":"eu-gpp@2025.1"`}},
		{name: "method", method: "GET", target: "/v1/methods/us-federal", status: 200, want: []string{`"latest":"2026.2"`}},
		{name: "method unknown", method: "GET", target: "/v1/methods/nope", status: 404, want: []string{"#unknown-method"}},
		{name: "method version", method: "GET", target: "/v1/methods/eu-gpp/2025.1", status: 200, want: []string{`"gwp_set"`, `"digest"`}},
		{name: "method version unknown", method: "GET", target: "/v1/methods/eu-gpp/1999.9", status: 404},
		{name: "factors", method: "GET", target: "/v1/factors?activity=electricity.grid&region=US-CAMX", status: 200, want: []string{`"egrid@2023:egrid23-us-camx"`}},
		{name: "factors by dataset", method: "GET", target: "/v1/factors?dataset=ipcc-2006", status: 200, want: []string{`"count":`}},
		{name: "factors unknown dataset", method: "GET", target: "/v1/factors?dataset=nope", status: 400, want: []string{`"parameter":"dataset"`}},
		{name: "factors unknown region", method: "GET", target: "/v1/factors?region=XX", status: 400},
		{name: "factor", method: "GET", target: "/v1/factors/egrid@2023:egrid23-us-camx", status: 200, want: []string{`"activity":"electricity.grid"`}},
		{name: "factor unknown", method: "GET", target: "/v1/factors/nope", status: 404},
		{name: "activities", method: "GET", target: "/v1/activities", status: 200, want: []string{`"key":"fuel.natural_gas"`, `"units":[`}},
		{name: "regions", method: "GET", target: "/v1/regions", status: 200, want: []string{`"code":"US-CAMX"`}},
		{name: "openapi", method: "GET", target: "/v1/openapi.json", status: 200, want: []string{`"openapi": "3.1.0"`}},
		{name: "healthz", method: "GET", target: "/healthz", status: 200, want: []string{`"status":"ok"`}},
		{name: "metrics", method: "GET", target: "/metrics", status: 200, want: []string{"footprint_http_requests_total", "go_goroutines"}},
		{name: "form", method: "GET", target: "/", status: 200, want: []string{`<html lang="en">`, `name="add_line"`}},
		{name: "static", method: "GET", target: "/static/style.css", status: 200},
		{name: "static unknown", method: "GET", target: "/static/nope.css", status: 404},
		{name: "unknown route", method: "GET", target: "/v2/nothing", status: 404, want: []string{"#not-found"}},
		{name: "wrong method", method: "DELETE", target: "/v1/methods", status: 405},
	}
}

func do(t testing.TB, h http.Handler, c apiCase) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.target, body)
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAPI(t *testing.T) {
	h := newTestServer(t)
	for _, c := range append(apiCases(), epdCases()...) {
		t.Run(c.name, func(t *testing.T) {
			rec := do(t, h, c)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			for _, w := range c.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q: %.600s", w, rec.Body)
				}
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("security headers missing: %v", rec.Header())
			}
			if c.status >= 400 {
				checkProblem(t, rec, c)
			}
		})
	}
}

func checkProblem(t *testing.T, rec *httptest.ResponseRecorder, c apiCase) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem does not decode: %v", err)
	}
	if p.Status != c.status || p.Title == "" || !strings.HasPrefix(p.Type, ProblemBase) || p.Detail == "" || p.Errors == nil {
		t.Errorf("incomplete problem: %+v", p)
	}
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Pointer] = true
		if e.Detail == "" {
			t.Errorf("error without detail: %+v", e)
		}
	}
	for _, ptr := range c.pointers {
		if !got[ptr] {
			t.Errorf("no error at %s; errors: %+v", ptr, p.Errors)
		}
	}
	if c.status == 405 && rec.Header().Get("Allow") == "" {
		t.Error("405 without Allow header")
	}
	if strings.Contains(rec.Body.String(), "goroutine") {
		t.Error("stack trace in a response")
	}
}

func TestAllowHeader(t *testing.T) {
	h := newTestServer(t)
	rec := do(t, h, apiCase{method: "PUT", target: "/"})
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("status %d, Allow %q; want 405 and GET, HEAD, POST, OPTIONS", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestPanicRecovered checks that a panic is answered with a generic 500,
// logged once, and never shows its value.
func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := s.recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("secret internal state") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
	if n := strings.Count(logs.String(), "panic serving request"); n != 1 {
		t.Errorf("logged %d times: %s", n, logs.String())
	}
}

// TestUnknownError500 checks that an error outside the table is a 500
// with a generic message.
func TestUnknownError500(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := s.handle(func(w http.ResponseWriter, r *http.Request) error { return errors.New("db password is hunter2") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "hunter2") {
		t.Error("the error was not logged")
	}
}

// TestErrorTable checks the mapping of every domain sentinel.
func TestErrorTable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{factors.ErrInvalid, 422}, {factors.ErrUnknownUnit, 422}, {factors.ErrDimension, 422}, {factors.ErrUnknownActivity, 422},
		{factors.ErrUnknownRegion, 422}, {factors.ErrNoFactor, 422}, {factors.ErrUnknownDataset, 422}, {factors.ErrNotFound, 404},
		{methods.ErrUnknownMethod, 422}, {&pathNotFound{err: methods.ErrUnknownMethod}, 404}, {calc.ErrProductFactor, 422},
		{calc.ErrBasis, 422}, {errTooLargeForm, 413}, {errTooLargeBatch, 413}, {errors.New("x"), 500},
		{&calc.BidError{Problems: []calc.Problem{{Pointer: "/lines/0", Err: factors.ErrNoFactor}}}, 422},
	} {
		if got := StatusOf(c.err); got != c.want {
			t.Errorf("StatusOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestValidatorTags validates one value of every request type, so that a
// misspelled tag panics here and not in production.
func TestValidatorTags(t *testing.T) {
	v := newValidator()
	line := LineRequest{Activity: "a", Region: "US", Quantity: "1", Unit: "kg", Basis: "HHV", Factor: &FactorRequest{KgCO2e: "2", Per: "kg", Reference: "EPD"}}
	for _, x := range []any{
		&BidRequest{Method: "m", Lines: []LineRequest{line}},
		&ComparisonRequest{Methods: []string{"a", "b"}, Lines: []LineRequest{line}},
		&line, line.Factor,
	} {
		if err := v.Struct(x); err != nil {
			t.Errorf("%T: %v", x, err)
		}
	}
	bad := LineRequest{Quantity: "2e16", Basis: "XYZ", Factor: &FactorRequest{KgCO2e: "-1"}}
	err := v.Struct(&BidRequest{Lines: []LineRequest{bad}})
	got := map[string]string{}
	for _, fe := range fieldErrors(err) {
		got[fe.Pointer] = fe.Detail
	}
	for _, ptr := range []string{"/lines/0/activity", "/lines/0/quantity", "/lines/0/basis", "/lines/0/factor/kg_co2e", "/lines/0/factor/per", "/lines/0/factor/reference"} {
		if got[ptr] == "" {
			t.Errorf("no error at %s: %v", ptr, got)
		}
	}
}

// TestMetricsCount checks that requests are counted by route, and that no
// metric counts lines or times requests (see TestMetricsTellNoBidSize).
func TestMetricsCount(t *testing.T) {
	h := newTestServer(t)
	do(t, h, apiCase{method: "POST", target: "/v1/footprints", contentType: "application/json", body: exampleBid})
	do(t, h, apiCase{method: "GET", target: "/v1/methods/nope"})
	rec := do(t, h, apiCase{method: "GET", target: "/metrics"})
	for _, w := range []string{
		`footprint_http_requests_total{method="POST",route="/v1/footprints",status="200"} 1`,
		`footprint_http_requests_total{method="GET",route="/v1/methods/{id}",status="404"} 1`,
		`go_goroutines `, `process_start_time_seconds `,
	} {
		if !strings.Contains(rec.Body.String(), w) {
			t.Errorf("metrics lack %s:\n%s", w, rec.Body)
		}
	}
	for _, w := range []string{"footprint_lines_computed", "footprint_http_request_duration", "bytes"} {
		for _, l := range strings.Split(rec.Body.String(), "\n") {
			if strings.HasPrefix(l, "footprint_") && strings.Contains(l, w) {
				t.Errorf("metrics still have %s: %s", w, l)
			}
		}
	}
}

// TestGracefulShutdown starts a slow request, cancels the server's
// context, and checks that the request still completes.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, nil) }()
	resc := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resc <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resc <- string(b)
	}()
	<-started
	cancel()
	if got := <-resc; got != "finished" {
		t.Errorf("in-flight request got %q", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestBatchStreamsThroughCalcBatch(t *testing.T) {
	h := newTestServer(t)
	rec := do(t, h, apiCase{method: "POST", target: "/v1/batch?method=us-federal&method=eu-gpp", contentType: "text/csv",
		body: "line_id,activity,region,quantity,unit,note\n1,fuel.natural_gas,US,2.5,TJ,=cmd()\n2,electricity.grid,US-CAMX,1,kg,x\n"})
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "us-federal.kg_co2e") || !strings.Contains(lines[0], "delta_kg_co2e") {
		t.Fatalf("output:\n%s", rec.Body)
	}
	if !strings.Contains(lines[1], "'=cmd()") || !strings.Contains(lines[2], "kg is a mass, electricity.grid needs an energy unit") {
		t.Errorf("rows:\n%s", rec.Body)
	}
	rec = do(t, h, apiCase{method: "POST", target: "/v1/batch?method=us-federal", contentType: "text/csv", body: "line_id,activity,region,unit\n1,a,b,c\n"})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "quantity") {
		t.Errorf("missing column: %d %s", rec.Code, rec.Body)
	}
}
