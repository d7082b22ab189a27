package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"
)

// newServerWith builds a Server over the embedded data with cfg's limits,
// on a real loopback listener; edit, when set, adjusts the http.Server
// before it starts (e.g. its ReadTimeout).
func newServerWith(t *testing.T, cfg Config, edit func(*http.Server)) *httptest.Server {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Library, cfg.Registry, cfg.Engine = lib, reg, calc.NewEngine(lib)
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	if edit != nil {
		edit(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// guard bounds how long a test waits for an answer. It is a safety net
// against a hung test, not a timing assertion: the answers come at once.
const guard = 10 * time.Second

// rawConn opens a connection to srv and writes head (the request line and
// headers, without the blank line) and then body as given, so that a test
// can announce a Content-Length it does not send.
func rawConn(t *testing.T, srv *httptest.Server, head, body string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(guard))
	if _, err := io.WriteString(c, strings.ReplaceAll(head, "\n", "\r\n")+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	return c.(*net.TCPConn)
}

// readResponse reads one response from c.
func readResponse(t *testing.T, c net.Conn) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// checkCleanProblem checks a problem response: its status, its type, a
// detail with want in it, and none of the net layer's words.
func checkCleanProblem(t *testing.T, resp *http.Response, body string, status int, slug, want string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var p Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem does not decode: %v: %s", err, body)
	}
	if p.Type != ProblemBase+slug || p.Status != status || !strings.Contains(p.Detail, want) {
		t.Errorf("problem %+v; want type #%s and a detail with %q", p, slug, want)
	}
	for _, leak := range []string{"127.0.0.1", "tcp", "i/o timeout", "unexpected EOF", "connection reset"} {
		if strings.Contains(body, leak) {
			t.Errorf("the problem leaks %q: %s", leak, body)
		}
	}
}

// bodyRoutes are the routes with a body, a request head for each, and
// their limits.
// partial is a valid start of a body, and long a start that stays valid
// however many x follow it (to reach a limit).
var bodyRoutes = []struct {
	name, head, partial, long string
	limit                     int64
}{
	{"footprints", "POST /v1/footprints HTTP/1.1\nHost: t\nContent-Type: application/json", exampleBid, `{"reference":"`, MaxEPDBodyBytes},
	{"comparisons", "POST /v1/comparisons HTTP/1.1\nHost: t\nContent-Type: application/json", `{"methods":["us-federal","eu-gpp"],"lines":[`, `{"reference":"`, MaxEPDBodyBytes},
	{"batch", "POST /v1/batch?method=us-federal HTTP/1.1\nHost: t\nContent-Type: text/csv", batchCSV, "line_id,activity,region,quantity,unit\n1,", MaxBatchBytes},
	{"form", "POST / HTTP/1.1\nHost: t\nContent-Type: application/x-www-form-urlencoded", "method=us-federal&line_0_activity=fuel.", "reference=", MaxFormBytes},
	{"form multipart", "POST / HTTP/1.1\nHost: t\nContent-Type: multipart/form-data; boundary=B",
		"--B\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\nus-fed", "--B\r\nContent-Disposition: form-data; name=\"reference\"\r\n\r\n", MaxFormBytes},
	{"download", "POST /download HTTP/1.1\nHost: t\nContent-Type: application/x-www-form-urlencoded", "format=json&method=us-", "reference=", MaxFormBytes},
}

// TestContentLengthOverLimit announces a body far over each route's limit
// and sends none of it: the answer is 413 at once, without waiting for the
// body (before the fix, JSON routes waited for the read timeout and then
// answered 400 with the socket addresses in the detail).
func TestContentLengthOverLimit(t *testing.T) {
	srv := newServerWith(t, Config{}, nil)
	for _, rt := range bodyRoutes {
		t.Run(rt.name, func(t *testing.T) {
			c := rawConn(t, srv, rt.head+"\nContent-Length: 100000000000", "")
			resp, body := readResponse(t, c)
			checkCleanProblem(t, resp, body, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("over the limit of %d bytes", rt.limit))
		})
	}
}

// TestChunkedOverLimit sends bodies without Content-Length: they are cut
// at the limit and answered 413.
func TestChunkedOverLimit(t *testing.T) {
	h := newTestServer(t)
	for _, rt := range bodyRoutes {
		if rt.limit > MaxFormBytes {
			continue // 256 MiB of batch: the cut is the same MaxBytesReader
		}
		t.Run(rt.name, func(t *testing.T) {
			line, hdrs, _ := strings.Cut(rt.head, "\n")
			f := strings.Fields(line)
			req := httptest.NewRequest(f[0], f[1], io.MultiReader(strings.NewReader(rt.long), strings.NewReader(strings.Repeat("x", int(rt.limit)))))
			req.ContentLength = -1
			for _, h := range strings.Split(hdrs, "\n") {
				k, v, _ := strings.Cut(h, ": ")
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "#too-large") {
				t.Errorf("status %d: %.300s", rec.Code, rec.Body)
			}
		})
	}
}

// TestTruncatedBody sends fewer bytes than the Content-Length announces,
// then closes its side: a 400 that says so, never a 500 or the net
// layer's text.
func TestTruncatedBody(t *testing.T) {
	srv := newServerWith(t, Config{}, nil)
	for _, rt := range bodyRoutes {
		t.Run(rt.name, func(t *testing.T) {
			c := rawConn(t, srv, fmt.Sprintf("%s\nContent-Length: %d", rt.head, len(rt.partial)+1000), rt.partial)
			c.CloseWrite()
			resp, body := readResponse(t, c)
			checkCleanProblem(t, resp, body, http.StatusBadRequest, "malformed",
				fmt.Sprintf("ended after %d of the %d bytes", len(rt.partial), len(rt.partial)+1000))
			if !resp.Close {
				t.Error("no Connection: close after a broken body")
			}
		})
	}
}

// TestBodyReadTimeout stalls a JSON body past the server's read timeout:
// 408, with no socket address in the answer.
func TestBodyReadTimeout(t *testing.T) {
	srv := newServerWith(t, Config{}, func(s *http.Server) { s.ReadTimeout = 300 * time.Millisecond })
	c := rawConn(t, srv, bodyRoutes[0].head+"\nContent-Length: 5000", `{"method":"us-federal","lines":[`)
	resp, body := readResponse(t, c)
	checkCleanProblem(t, resp, body, http.StatusRequestTimeout, "timeout", "did not arrive in time")
	if !resp.Close {
		t.Error("no Connection: close after a broken body")
	}
}

// scrape returns the /metrics body of srv.
func scrape(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitMetric scrapes until /metrics has line, within guard.
func waitMetric(t *testing.T, srv *httptest.Server, line string) {
	t.Helper()
	for end := time.Now().Add(guard); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(scrape(t, srv), "\n"+line+"\n") {
			return
		}
	}
	t.Fatalf("/metrics never had %q", line)
}

const batchCSV = "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US,1000,mmBtu\n"

func postBatchCSV(t *testing.T, srv *httptest.Server, body string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/v1/batch?method=us-federal", "text/csv", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestBatchConcurrencyLimit holds two batch uploads open on a server that
// runs two at once: a third is answered 503 with Retry-After at once, and
// a slot given back serves the next one.
func TestBatchConcurrencyLimit(t *testing.T) {
	srv := newServerWith(t, Config{MaxConcurrentBatches: 2}, nil)
	head := bodyRoutes[2].head + "\nContent-Length: 100000"
	held1 := rawConn(t, srv, head, "line_id,activity,region,quantity,unit\n")
	rawConn(t, srv, head, "line_id,activity,region,quantity,unit\n")
	waitMetric(t, srv, "footprint_batch_runs_in_flight 2")

	resp, body := postBatchCSV(t, srv, batchCSV)
	checkCleanProblem(t, resp, body, http.StatusServiceUnavailable, "busy", "2 batch runs are in progress")
	if got := resp.Header.Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After %q, want 10", got)
	}
	if m := scrape(t, srv); !strings.Contains(m, "\nfootprint_batch_runs_rejected_total 1\n") {
		t.Errorf("rejection not counted:\n%s", m)
	}

	held1.Close()
	waitMetric(t, srv, "footprint_batch_runs_in_flight 1")
	resp, body = postBatchCSV(t, srv, batchCSV)
	if resp.StatusCode != 200 || !strings.Contains(body, "53114.500") {
		t.Errorf("after a slot was freed: status %d: %s", resp.StatusCode, body)
	}
}

// TestBatchUploadIdle stalls a batch upload: the run stops once no body
// byte has arrived for BatchIdleTimeout, with a 408 that says why, and its
// slot is free again.
func TestBatchUploadIdle(t *testing.T) {
	srv := newServerWith(t, Config{BatchIdleTimeout: 200 * time.Millisecond, MaxConcurrentBatches: 1}, nil)
	c := rawConn(t, srv, bodyRoutes[2].head+"\nContent-Length: 100000", batchCSV)
	resp, body := readResponse(t, c)
	checkCleanProblem(t, resp, body, http.StatusRequestTimeout, "timeout", "no bytes arrived for 200ms")
	if resp, body := postBatchCSV(t, srv, batchCSV); resp.StatusCode != 200 {
		t.Errorf("the slot was not given back: %d %s", resp.StatusCode, body)
	}
}

// TestBatchUploadSlowButSteady sends a batch body in pieces, each within
// the idle timeout but together longer than it: the idle deadline is
// renewed by every read, so the run completes.
func TestBatchUploadSlowButSteady(t *testing.T) {
	srv := newServerWith(t, Config{BatchIdleTimeout: time.Second}, nil)
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "line_id,activity,region,quantity,unit\n")
		for i := range 12 {
			time.Sleep(125 * time.Millisecond)
			fmt.Fprintf(pw, "%d,fuel.natural_gas,US,1000,mmBtu\n", i)
		}
		pw.Close()
	}()
	resp, err := srv.Client().Post(srv.URL+"/v1/batch?method=us-federal", "text/csv", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Count(string(b), "53114.500") != 12 || resp.Trailer.Get("X-Batch-Status") != "ok" {
		t.Errorf("status %d, trailer %v:\n%s", resp.StatusCode, resp.Trailer, b)
	}
}

// TestMetricsInventedMethods sends 100 requests with invented method
// names, ten of them 60 KB long: they are counted as method "other", and
// /metrics does not grow with them (before the fix it kept a series per
// name and grew by the names' size).
func TestMetricsInventedMethods(t *testing.T) {
	h := newTestServer(t)
	before := do(t, h, apiCase{method: "GET", target: "/metrics"}).Body.Len()
	for i := range 100 {
		name := fmt.Sprintf("INVENTED%d", i)
		if i%10 == 0 {
			name += strings.Repeat("X", 60<<10)
		}
		target := "/v1/methods"
		if i%2 == 1 {
			target = "/nowhere"
		}
		rec := do(t, h, apiCase{method: name, target: target})
		if rec.Code != 405 && rec.Code != 404 {
			t.Fatalf("%s %s: status %d", name[:12], target, rec.Code)
		}
		if rec.Body.Len() > 2048 {
			t.Fatalf("the answer echoes the method name: %d bytes", rec.Body.Len())
		}
	}
	got := do(t, h, apiCase{method: "GET", target: "/metrics"}).Body.String()
	if strings.Contains(got, "INVENTED") {
		t.Error("an invented method name is a label value")
	}
	for _, w := range []string{
		`footprint_http_requests_total{method="other",route="/v1/methods",status="405"} 50`,
		`footprint_http_requests_total{method="other",route="unmatched",status="404"} 50`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	// Two new counter series and two histograms: a few KB, whatever the names.
	if growth := len(got) - before; growth > 16<<10 {
		t.Errorf("/metrics grew by %d bytes with 100 invented methods", growth)
	}
}

// exampleTargets gives a path that answers 200 for each route template
// with variables. A new such route needs an entry here, or
// TestHeadAndOptionsEveryRoute fails: no route is left untested.
var exampleTargets = map[string]string{
	"/v1/methods/{id}":           "/v1/methods/us-federal",
	"/v1/methods/{id}/{version}": "/v1/methods/us-federal/2025.1",
	"/v1/factors/{id}":           "/v1/factors/egrid@2023:egrid23-us-camx",
	"/static/{file}":             "/static/style.css",
	// Tender pages (tenders_web.go).
	"/tenders/{id}":            "/tenders/t0001",
	"/tenders/{id}/open":       "/tenders/t0001/open",
	"/tenders/{id}/approvals":  "/tenders/t0001/approvals",
	"/tenders/{id}/evaluation": "/tenders/t0001/evaluation",
	"/tenders/{id}/notice":     "/tenders/t0001/notice",
	"/tenders/{id}/bid":        "/tenders/t0001/bid",
	// Tenders: this test's server has no database, so they answer 503
	// (GET and HEAD alike); tenders_api_test.go tests them with one.
	"/v1/tenders/{id}":                        "/v1/tenders/T1",
	"/v1/officers/{id}":                       "/v1/officers/alice",
	"/v1/tenders/{id}/bids":                   "/v1/tenders/T1/bids",
	"/v1/tenders/{id}/bids/{bid_id}":          "/v1/tenders/T1/bids/B1",
	"/v1/tenders/{id}/open":                   "/v1/tenders/T1/open",
	"/v1/tenders/{id}/approvals":              "/v1/tenders/T1/approvals",
	"/v1/tenders/{id}/evaluation":             "/v1/tenders/T1/evaluation",
	"/v1/tenders/{id}/ocds":                   "/v1/tenders/T1/ocds",
	"/v1/tenders/{id}/eforms/contract-notice": "/v1/tenders/T1/eforms/contract-notice",
	"/v1/tenders/{id}/eforms/award-notice":    "/v1/tenders/T1/eforms/award-notice",
	"/v1/tenders/{id}/audit":                  "/v1/tenders/T1/audit",
}

// storeRoutes need a store (and the officer pages a session): on the
// test server without one they answer 503 or 303, so GET and HEAD are
// only compared with each other here; TestTenderPagesHead checks them
// with a store and a session.
var storeRoutes = map[string]bool{"/officer/sign-in": true, "/tenders": true, "/tenders/new": true, "/tenders/{id}": true,
	"/tenders/{id}/evaluation": true, "/tenders/{id}/notice": true, "/officer/oidc/start": true, OIDCCallbackPath: true}

// TestHeadAndOptionsEveryRoute walks the router: every GET route answers
// HEAD like GET (same status and Content-Type; net/http sends no body),
// and every path answers OPTIONS with 204 and an Allow header listing the
// methods routes.go registers for it, plus OPTIONS.
func TestHeadAndOptionsEveryRoute(t *testing.T) {
	s := testServer(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	allow := map[string][]string{}
	var order []string
	err := s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		ms, err := route.GetMethods()
		if err != nil {
			return err
		}
		if _, seen := allow[tpl]; !seen {
			order = append(order, tpl)
		}
		allow[tpl] = append(allow[tpl], ms...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) < 15 {
		t.Fatalf("only %d paths found in the router", len(order))
	}
	for _, tpl := range order {
		t.Run(tpl, func(t *testing.T) {
			target := tpl
			if strings.Contains(tpl, "{") {
				target = exampleTargets[tpl]
				if target == "" {
					t.Fatalf("add an example path for %s to exampleTargets", tpl)
				}
			}
			ms := allow[tpl]
			if slices.Contains(ms, http.MethodGet) {
				if !slices.Contains(ms, http.MethodHead) {
					t.Errorf("GET without HEAD: %v", ms)
				}
				get := send(t, srv, http.MethodGet, target)
				head := send(t, srv, http.MethodHead, target)
				wantStatus := 200
				if strings.HasPrefix(tpl, "/v1/tenders") || strings.HasPrefix(tpl, "/v1/officers") {
					wantStatus = http.StatusServiceUnavailable // no database here
				}
				if (!storeRoutes[tpl] && get.StatusCode != wantStatus) || head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
					t.Errorf("GET %d %q, HEAD %d %q", get.StatusCode, get.Header.Get("Content-Type"), head.StatusCode, head.Header.Get("Content-Type"))
				}
			}
			opt := send(t, srv, http.MethodOptions, target)
			got := regexp.MustCompile(`,\s*`).Split(opt.Header.Get("Allow"), -1)
			want := append(slices.Clone(ms), http.MethodOptions)
			slices.Sort(got)
			slices.Sort(want)
			if opt.StatusCode != http.StatusNoContent || !slices.Equal(got, want) {
				t.Errorf("OPTIONS: status %d, Allow %v; want 204 and %v", opt.StatusCode, got, want)
			}
			if !slices.Contains(ms, http.MethodDelete) {
				if del := send(t, srv, http.MethodDelete, target); del.StatusCode != 405 || del.Header.Get("Allow") != opt.Header.Get("Allow") {
					t.Errorf("DELETE: status %d, Allow %q; want 405 and the Allow of OPTIONS", del.StatusCode, del.Header.Get("Allow"))
				}
			}
		})
	}
}

// send sends a request without a body and returns its response, body read.
func send(t *testing.T, srv *httptest.Server, method, target string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestContentLengthLimitPerRoute announces one byte over each JSON
// route's limit and sends nothing: 413 at once, naming the limit. The bid
// routes (whose lines may carry EPD documents) take up to
// MaxEPDBodyBytes (32 MiB); the other JSON routes MaxBodyBytes (4 MiB).
// The limit is checked before the handler, so no database is needed.
func TestContentLengthLimitPerRoute(t *testing.T) {
	srv := newServerWith(t, Config{}, nil)
	tests := []struct {
		name, target string
		limit        int64
	}{
		{"footprints", "/v1/footprints", MaxEPDBodyBytes},
		{"comparisons", "/v1/comparisons", MaxEPDBodyBytes},
		{"tender bids", "/v1/tenders/T1/bids", MaxEPDBodyBytes},
		{"create tender", "/v1/tenders", MaxBodyBytes},
		{"open tender", "/v1/tenders/T1/open", MaxBodyBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := fmt.Sprintf("POST %s HTTP/1.1\nHost: t\nContent-Type: application/json\nContent-Length: %d", tt.target, tt.limit+1)
			resp, body := readResponse(t, rawConn(t, srv, head, ""))
			checkCleanProblem(t, resp, body, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("Content-Length %d is over the limit of %d bytes", tt.limit+1, tt.limit))
		})
	}
}

// TestBodyOver4MiB sends bid bodies just over MaxBodyBytes (4 MiB, padded
// with JSON whitespace): without an EPD document they are 413 once read;
// a line carrying an EPD document lifts the limit to MaxEPDBodyBytes, so
// the bid is computed (or refused for its content, never its size).
// Mentioning "epd" without a document does not lift it.
func TestBodyOver4MiB(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	ms, clock := newMemStore(), &testClock{t: tenderT0}
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: ms, ParseEPD: fakeEPDParse,
		OfficerTokenHash: tender.HashToken(testOfficerToken), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := &tenderEnv{t: t, s: s, st: ms, clock: clock}
	// A tender pinning a method with EPD rules.
	var tv map[string]any
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, strings.Replace(tenderBody(`{"rule":"price_only","limits":"report"}`), "us-federal@2025.1", "us-federal@2025.3", 1)), 201, &tv, "create")
	tenderID := tv["id"].(string)

	usEPD := `{"epd":{"format":"openepd","file":"rebar.json","document":` + usDeclJSON + `}}`
	typed := `{"kg_co2e":"850","per":"t","reference":"EPD-1"}`
	epdNull := `{"kg_co2e":"850","per":"t","reference":"EPD-1","epd":null}`
	rebarLines := func(factor string) string {
		return `"lines":[{"id":"r","activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":` + factor + `}]`
	}
	tenderBid := func(factor string) string {
		return `{"supplier":"Acme","price":{"amount":"100.00","currency":"EUR"},` + rebarLines(factor) + `}`
	}
	comparison := func(factor string) string {
		return `{"methods":["us-federal@2025.3","us-federal@2025.1"],"date":"2026-01-10",` + rebarLines(factor) + `}`
	}
	tests := []struct {
		name, target, body string
		size               int // padded to this many bytes
		status             int
	}{
		{"footprint at 4 MiB", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", typed), MaxBodyBytes, 200},
		{"footprint over 4 MiB", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", typed), MaxBodyBytes + 1, 413},
		{"footprint over 4 MiB, epd null", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", epdNull), MaxBodyBytes + 1, 413},
		{"footprint over 4 MiB with an EPD document", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", usEPD), MaxBodyBytes + 1, 200},
		{"footprint at 32 MiB with an EPD document", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", usEPD), MaxEPDBodyBytes, 200},
		{"footprint over 32 MiB with an EPD document", "/v1/footprints", epdBid("us-federal@2025.3", "2026-01-10", usEPD), MaxEPDBodyBytes + 1, 413},
		{"comparison over 4 MiB", "/v1/comparisons", comparison(typed), MaxBodyBytes + 1, 413},
		{"comparison over 4 MiB with an EPD document", "/v1/comparisons", comparison(usEPD), MaxBodyBytes + 1, 200},
		{"tender bid over 4 MiB", "/v1/tenders/" + tenderID + "/bids", tenderBid(typed), MaxBodyBytes + 1, 413},
		{"tender bid over 4 MiB, epd null", "/v1/tenders/" + tenderID + "/bids", tenderBid(epdNull), MaxBodyBytes + 1, 413},
		{"tender bid over 4 MiB with an EPD document", "/v1/tenders/" + tenderID + "/bids", tenderBid(usEPD), MaxBodyBytes + 1, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Repeat(" ", tt.size-len(tt.body)) + tt.body
			rec := e.do("POST", tt.target, "", body)
			if rec.Code != tt.status || (tt.status == 413) != strings.Contains(rec.Body.String(), "#too-large") {
				t.Errorf("%d bytes: status %d, want %d: %.300s", len(body), rec.Code, tt.status, rec.Body)
			}
		})
	}
}

// TestBatchClientNeverReads: two clients send whole batches and never read
// the answers. Each run stops once the client has taken nothing of its
// response for BatchWriteIdleTimeout, and its slot is freed, so that the
// next batch is served (before the fix, a write deadline of 30 minutes
// kept both slots and every other batch got 503). The bound waited for is
// a generous safety net (guard), not a timing assertion.
func TestBatchClientNeverReads(t *testing.T) {
	srv := newServerWith(t, Config{MaxConcurrentBatches: 2, BatchWriteIdleTimeout: 300 * time.Millisecond}, nil)
	// A pass-through column makes each output row about 2 KB, so that the
	// answer (about 40 MB) outgrows every socket buffer between the two.
	var in strings.Builder
	in.WriteString("line_id,activity,region,quantity,unit,note\n")
	note := strings.Repeat("n", 2000)
	for i := range 20000 {
		fmt.Fprintf(&in, "%d,fuel.natural_gas,US,1000,mmBtu,%s\n", i, note)
	}
	body := in.String()
	for range 2 {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.(*net.TCPConn).SetReadBuffer(4096)
		go func() { // sends the request whole, reads nothing
			fmt.Fprintf(c, "POST /v1/batch?method=us-federal HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", len(body))
			io.WriteString(c, body)
		}()
	}
	waitMetric(t, srv, "footprint_batch_runs_in_flight 2")
	waitMetric(t, srv, "footprint_batch_runs_in_flight 0")
	if resp, out := postBatchCSV(t, srv, batchCSV); resp.StatusCode != 200 || !strings.Contains(out, "53114.500") {
		t.Errorf("after the stalled runs: status %d: %.300s", resp.StatusCode, out)
	}
}

// TestBatchSlowReaderCompletes reads a batch answer steadily, in small
// pieces with pauses, for longer in total than BatchWriteIdleTimeout:
// every chunk renews the write deadline, so the run completes. (The unit
// of progress is the kernel's: a blocked write wakes once a share of the
// socket's send buffer has drained, so the reader must not be slower than
// that share per timeout; docs/api.md "Limits".)
func TestBatchSlowReaderCompletes(t *testing.T) {
	const idle = 500 * time.Millisecond
	srv := newServerWith(t, Config{BatchWriteIdleTimeout: idle}, nil)
	var in strings.Builder
	in.WriteString("line_id,activity,region,quantity,unit,note\n")
	for i := range 5000 {
		fmt.Fprintf(&in, "%d,fuel.natural_gas,US,1000,mmBtu,%s\n", i, strings.Repeat("n", 2000))
	}
	resp, err := srv.Client().Post(srv.URL+"/v1/batch?method=us-federal", "text/csv", strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start, buf, n := time.Now(), make([]byte, 4<<10), 0
	for i := 0; ; i++ {
		m, err := resp.Body.Read(buf)
		n += m
		if err != nil {
			break
		}
		if i%4 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	took := time.Since(start)
	if resp.Trailer.Get("X-Batch-Status") != "ok" || resp.Trailer.Get("X-Batch-Rows") != "5000" {
		t.Errorf("after %s and %d bytes: trailers %v", took, n, resp.Trailer)
	}
	if took < idle {
		t.Logf("the answer was read in %s, within one idle timeout: this run showed nothing", took)
	}
}
