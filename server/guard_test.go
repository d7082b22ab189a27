package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// guardEnv is a server with small guess limits (3 per address, 5 per
// target, a minute) on a clock of its own, and its log.
type guardEnv struct {
	t     *testing.T
	s     *Server
	clock *testClock
	log   *syncBuffer
}

const (
	guardOfficer = "Guard-0fficer-token-with-enough-entropy-2026"
	wrongToken   = "WRONG-guess-SECRET-1234567890"
)

func newGuardEnv(t *testing.T, lim GuessLimits) *guardEnv {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: tenderT0}
	lim.Now = clock.Now
	logs := &syncBuffer{}
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: newMemStore(),
		OfficerTokenHash: tender.HashToken(guardOfficer), Now: func() time.Time { return tenderT0 }, Guesses: lim,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &guardEnv{t: t, s: s, clock: clock, log: logs}
}

// do sends a request from addr ("192.0.2.1:1234") with a bearer token
// ("" none) or, for a form post, the url.Values.
func (g *guardEnv) do(method, target, addr, token string, form url.Values) *httptest.ResponseRecorder {
	g.t.Helper()
	var req *http.Request
	switch {
	case form != nil:
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case method == "POST":
		req = httptest.NewRequest(method, target, strings.NewReader(tenderBody(`{"rule":"price_only","limits":"report"}`)))
		req.Header.Set("Content-Type", "application/json")
	default:
		req = httptest.NewRequest(method, target, nil)
	}
	req.RemoteAddr = addr
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	g.s.ServeHTTP(rec, req)
	return rec
}

// guardStep is one request of a scenario and what it must get.
type guardStep struct {
	advance    time.Duration // moved on the limiter's clock before the request
	method     string
	target     string // "{bid}" stands for the bid's URL
	addr       string
	token      string // "{officer}", "{bid}" (the bid's token) or literal
	form       bool   // post token to the sign-in form
	status     int
	retryAfter string // wanted Retry-After on a 429
}

func TestGuessLimits(t *testing.T) {
	const a, b, c = "192.0.2.1:1000", "198.51.100.7:2000", "203.0.113.9:3000"
	addrs := func(n int) string { return fmt.Sprintf("10.0.0.%d:4000", n) }
	wrongs := func(addr string, n int, status int) []guardStep {
		var out []guardStep
		for range n {
			out = append(out, guardStep{method: "GET", target: "/v1/tenders", addr: addr, token: wrongToken, status: status})
		}
		return out
	}
	cat := func(parts ...[]guardStep) []guardStep {
		var out []guardStep
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name  string
		steps []guardStep
	}{
		{"officer token: per address, until the window passes", cat(
			wrongs(a, 3, 401),
			[]guardStep{
				{method: "GET", target: "/v1/tenders", addr: a, token: wrongToken, status: 429, retryAfter: "60"},
				{advance: 20 * time.Second, method: "GET", target: "/v1/tenders", addr: a, token: "{officer}", status: 429, retryAfter: "40"},
				{method: "GET", target: "/v1/tenders", addr: b, token: "{officer}", status: 200},
				{method: "POST", target: "/v1/tenders", addr: a, token: wrongToken, status: 429, retryAfter: "40"},
				{method: "GET", target: "/v1/tenders", addr: a, status: 401}, // no credential: no guess, plain 401
				{advance: 40 * time.Second, method: "GET", target: "/v1/tenders", addr: a, token: "{officer}", status: 200},
				{method: "GET", target: "/v1/tenders", addr: a, token: wrongToken, status: 401},
			})},
		{"officer token: per target, clean addresses still checked", cat(
			wrongs(addrs(1), 2, 401), wrongs(addrs(2), 2, 401), wrongs(addrs(3), 1, 401),
			[]guardStep{
				{method: "GET", target: "/v1/tenders", addr: addrs(1), token: "{officer}", status: 429, retryAfter: "60"},
				{method: "GET", target: "/v1/tenders", addr: c, token: "{officer}", status: 200},
				{method: "GET", target: "/v1/tenders", addr: addrs(4), token: wrongToken, status: 401},
				{method: "GET", target: "/v1/tenders", addr: addrs(4), token: "{officer}", status: 429},
				{advance: time.Minute, method: "GET", target: "/v1/tenders", addr: addrs(1), token: "{officer}", status: 200},
			})},
		{"bid tokens: per address and per bid", []guardStep{
			{method: "GET", target: "{bid}", addr: a, token: "{bid}x", status: 401},
			{method: "GET", target: "{bid}", addr: a, token: wrongToken, status: 401},
			{method: "DELETE", target: "{bid}", addr: a, token: "{bid}y", status: 401},
			{method: "GET", target: "{bid}", addr: a, token: "{bid}", status: 429, retryAfter: "60"},
			{method: "GET", target: "{bid}", addr: b, token: "{bid}", status: 200},
			{method: "GET", target: "{bid}", addr: b, token: "{bid}z", status: 401},
			{method: "GET", target: "{bid}", addr: c, token: "{bid}z", status: 401},
			// five failures on the bid: b and c have failed, so they wait
			{method: "GET", target: "{bid}", addr: b, token: "{bid}", status: 429},
			{method: "GET", target: "{bid}", addr: addrs(9), token: "{bid}", status: 200},
		}},
		{"sign-in form: per address, a page", []guardStep{
			{method: "POST", target: "/officer/sign-in", addr: a, token: wrongToken, form: true, status: 401},
			{method: "POST", target: "/officer/sign-in", addr: a, token: "", form: true, status: 401}, // empty: no guess
			{method: "POST", target: "/officer/sign-in", addr: a, token: wrongToken, form: true, status: 401},
			{method: "POST", target: "/officer/sign-in", addr: a, token: wrongToken, form: true, status: 401},
			{method: "POST", target: "/officer/sign-in", addr: a, token: "{officer}", form: true, status: 429, retryAfter: "60"},
			{method: "GET", target: "/v1/tenders", addr: a, token: "{officer}", status: 429, retryAfter: "60"},
			{method: "POST", target: "/officer/sign-in", addr: b, token: "{officer}", form: true, status: 303},
			{advance: time.Minute, method: "POST", target: "/officer/sign-in", addr: a, token: "{officer}", form: true, status: 303},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGuardEnv(t, GuessLimits{PerAddress: 3, PerTarget: 5, Window: time.Minute})
			// A tender and one bid, submitted without any credential.
			rec := g.do("POST", "/v1/tenders", "127.0.0.1:1", guardOfficer, nil)
			var tv tenders.TenderView
			if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &tv) != nil {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			req := httptest.NewRequest("POST", "/v1/tenders/"+tv.ID+"/bids", strings.NewReader(gasBid("ACME", "10", "1", "")))
			req.Header.Set("Content-Type", "application/json")
			brec := httptest.NewRecorder()
			g.s.ServeHTTP(brec, req)
			var receipt BidReceipt
			if brec.Code != 201 || json.Unmarshal(brec.Body.Bytes(), &receipt) != nil {
				t.Fatalf("submit: %d %s", brec.Code, brec.Body)
			}
			bidURL := "/v1/tenders/" + tv.ID + "/bids/" + receipt.BidID
			for i, st := range tt.steps {
				g.clock.Set(g.clock.Now().Add(st.advance))
				target := strings.ReplaceAll(st.target, "{bid}", bidURL)
				tok := strings.ReplaceAll(strings.ReplaceAll(st.token, "{officer}", guardOfficer), "{bid}", receipt.BidToken)
				var form url.Values
				if st.form {
					form = url.Values{"token": {tok}}
					tok = ""
				}
				rec := g.do(st.method, target, st.addr, tok, form)
				if rec.Code != st.status {
					t.Fatalf("step %d (%s %s from %s): %d, want %d: %s", i, st.method, st.target, st.addr, rec.Code, st.status, rec.Body)
				}
				if st.status == 429 {
					if st.retryAfter != "" && rec.Header().Get("Retry-After") != st.retryAfter {
						t.Errorf("step %d: Retry-After %q, want %q", i, rec.Header().Get("Retry-After"), st.retryAfter)
					}
					ct := rec.Header().Get("Content-Type")
					switch {
					case st.form && !strings.HasPrefix(ct, "text/html"):
						t.Errorf("step %d: a page route answers %s, want a page", i, ct)
					case st.form && !strings.Contains(rec.Body.String(), "Too many failed attempts"):
						t.Errorf("step %d: page without its title: %s", i, rec.Body)
					case !st.form && (ct != "application/problem+json" || !strings.Contains(rec.Body.String(), `"type":"`+ProblemBase+`too-many-requests"`)):
						t.Errorf("step %d: %s %s, want the too-many-requests problem", i, ct, rec.Body)
					}
				}
			}
			logs := g.log.String()
			if strings.Contains(logs, wrongToken) || strings.Contains(logs, guardOfficer) || strings.Contains(logs, receipt.BidToken[strings.IndexByte(receipt.BidToken, '.')+1:]) {
				t.Errorf("the log holds a credential:\n%s", logs)
			}
			if !strings.Contains(logs, "credential refused") || !strings.Contains(logs, "kind=") || !strings.Contains(logs, "route=") || !strings.Contains(logs, "address=") {
				t.Errorf("failures not logged with address, route and kind:\n%s", logs)
			}
		})
	}
}

// TestGuessLogLine: each failure is logged once, with the address, the
// route template and the kind, and without the credential.
func TestGuessLogLine(t *testing.T) {
	g := newGuardEnv(t, GuessLimits{})
	g.do("GET", "/v1/tenders", "192.0.2.44:5555", wrongToken, nil)
	g.do("POST", "/officer/sign-in", "192.0.2.45:5555", "", url.Values{"token": {wrongToken}})
	lines := strings.Split(strings.TrimSpace(g.log.String()), "\n")
	want := []string{
		`msg="credential refused" remote=192.0.2.44:5555 address=192.0.2.44 route=/v1/tenders method=GET kind=officer-token failures=1`,
		`msg="credential refused" remote=192.0.2.45:5555 address=192.0.2.45 route=/officer/sign-in method=POST kind=sign-in failures=1`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(want), g.log)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) || strings.Contains(lines[i], "WRONG") {
			t.Errorf("log line %d:\n%s\nwant …%s…", i, lines[i], w)
		}
	}
}

// TestGuessTableBounded: whatever the number of addresses, each table
// holds at most MaxEntries, evicting the oldest; IPv6 addresses count by
// their /64.
func TestGuessTableBounded(t *testing.T) {
	g := newGuardEnv(t, GuessLimits{PerAddress: 2, MaxEntries: 4})
	for i := range 100 {
		g.do("GET", "/v1/tenders", fmt.Sprintf("10.1.%d.%d:1", i/250, i%250), wrongToken, nil)
	}
	if n := g.s.guesses.addrs.len(); n != 4 {
		t.Errorf("%d address entries after 100 addresses, want 4", n)
	}
	if n := g.s.guesses.targets.len(); n != 1 {
		t.Errorf("%d target entries, want 1 (the officer token)", n)
	}
	// The newest addresses are kept: 10.1.0.99 is one failure from its limit.
	g.do("GET", "/v1/tenders", "10.1.0.99:1", wrongToken, nil)
	if rec := g.do("GET", "/v1/tenders", "10.1.0.99:1", guardOfficer, nil); rec.Code != 429 {
		t.Errorf("newest address after its limit: %d, want 429", rec.Code)
	}
	// Two hosts of one /64 share a count; another /64 does not.
	g.do("GET", "/v1/tenders", "[2001:db8:1:2::1]:1", wrongToken, nil)
	g.do("GET", "/v1/tenders", "[2001:db8:1:2::ffff]:1", wrongToken, nil)
	if rec := g.do("GET", "/v1/tenders", "[2001:db8:1:2:aaaa::3]:1", guardOfficer, nil); rec.Code != 429 {
		t.Errorf("third host of the same /64: %d, want 429", rec.Code)
	}
	if rec := g.do("GET", "/v1/tenders", "[2001:db8:1:3::1]:1", guardOfficer, nil); rec.Code != 200 {
		t.Errorf("another /64: %d, want 200", rec.Code)
	}
}
