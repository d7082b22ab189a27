package server

import (
	"crypto/tls"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// officerToken is the officer token of the page tests.
const officerToken = "test-officer-token-0123456789abcdefghijklmnopq"

// tenderStart is the test clock's start.
var tenderStart = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

// newTenderServer builds a Server over an in-memory store and a test clock.
func newTenderServer(tb testing.TB) (*Server, *memStore, *testClock) {
	tb.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		tb.Fatal(err)
	}
	ms, clock := newMemStore(), &testClock{t: tenderStart}
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: ms,
		OfficerTokenHash: tender.HashToken(officerToken), Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return s, ms, clock
}

// browser is a minimal cookie-keeping client of a handler.
type browser struct {
	t      *testing.T
	h      http.Handler
	cookie *http.Cookie
}

func (b *browser) do(method, target string, v url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	var req *http.Request
	if v != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == SessionCookie {
			if c.MaxAge < 0 {
				b.cookie = nil
			} else {
				b.cookie = c
			}
		}
	}
	return rec
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs the browser in and returns the session's CSRF token.
func (b *browser) signIn() string {
	b.t.Helper()
	rec := b.do("POST", "/officer/sign-in", url.Values{"token": {officerToken}})
	if rec.Code != http.StatusSeeOther || b.cookie == nil {
		b.t.Fatalf("sign-in: %d, cookie %v", rec.Code, b.cookie)
	}
	page := b.do("GET", "/tenders/new", nil)
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		b.t.Fatalf("no CSRF token on the create form (%d)", page.Code)
	}
	return m[1]
}

func tenderForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "reference": {"TENDER-2026-014"}, "title": {"Depot heating"}, "buyer": {"City of Delft"},
		"currency": {"EUR"}, "deadline": {"2026-06-01T12:00"}, "method": {"us-federal@2025.1"}, "rule": {"carbon_price"},
		"carbon_price": {"100"}, "limits": {"report"}}
}

// createTender creates a tender and returns its id.
func (b *browser) createTender(v url.Values) string {
	b.t.Helper()
	rec := b.do("POST", "/tenders/new", v)
	if rec.Code != http.StatusSeeOther {
		b.t.Fatalf("create: %d\n%s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	id, ok := strings.CutPrefix(loc, "/tenders/")
	if !ok || id == "" {
		b.t.Fatalf("create: Location %q", loc)
	}
	return id
}

func supplierBid(supplier, price, gas string) url.Values {
	return url.Values{"supplier": {supplier}, "price": {price}, "line_count": {"1"}, "key": {""},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {gas}, "line-0-unit": {"mmBtu"}}
}

var tokenRE = regexp.MustCompile(`id="bid-token" readonly value="([^"]+)"`)

func TestTenderSignInAndSession(t *testing.T) {
	s, _, clock := newTenderServer(t)
	b := &browser{t: t, h: s}

	rec := b.do("GET", "/tenders", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/officer/sign-in" {
		t.Fatalf("officer page without a session: %d to %q, want 303 to /officer/sign-in", rec.Code, rec.Header().Get("Location"))
	}
	if rec := b.do("GET", "/officer/sign-in", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `type="password" id="token"`) {
		t.Fatalf("sign-in page: %d", rec.Code)
	}
	for _, bad := range []string{"", "wrong", officerToken + "x", strings.Repeat("a", 600)} {
		rec := b.do("POST", "/officer/sign-in", url.Values{"token": {bad}})
		if rec.Code != http.StatusUnauthorized || b.cookie != nil || !strings.Contains(rec.Body.String(), `id="token-error"`) {
			t.Errorf("token %.10q: %d, cookie %v; want 401, no cookie, the error by the field", bad, rec.Code, b.cookie)
		}
	}

	rec = b.do("POST", "/officer/sign-in", url.Values{"token": {officerToken}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tenders" {
		t.Fatalf("sign-in: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	c := b.cookie
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" || c.MaxAge != int(SessionTTL/time.Second) {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, Max-Age 8 h, not Secure over plain HTTP", c)
	}
	if strings.Contains(c.Value, officerToken) {
		t.Error("the cookie carries the officer token")
	}
	if rec := b.do("GET", "/tenders", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "No tenders yet") {
		t.Fatalf("tender list with a session: %d", rec.Code)
	}

	// Over TLS the cookie is Secure.
	req := httptest.NewRequest("POST", "https://example.org/officer/sign-in", strings.NewReader("token="+officerToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	tlsRec := httptest.NewRecorder()
	s.ServeHTTP(tlsRec, req)
	if cs := tlsRec.Result().Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("over TLS: cookies %+v, want one Secure cookie", cs)
	}

	// A tampered cookie, or one of another key, is no session.
	for _, v := range []string{c.Value + "x", strings.Replace(c.Value, ".", "9.", 1), "", "a.b.c"} {
		tb := &browser{t: t, h: s, cookie: &http.Cookie{Name: SessionCookie, Value: v}}
		if rec := tb.do("GET", "/tenders", nil); rec.Code != http.StatusSeeOther {
			t.Errorf("cookie %.20q: %d, want 303 to sign-in", v, rec.Code)
		}
	}
	// The session expires.
	clock.Set(tenderStart.Add(SessionTTL + time.Second))
	if rec := b.do("GET", "/tenders", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("after %s: %d, want 303 to sign-in", SessionTTL, rec.Code)
	}
	clock.Set(tenderStart)

	// Sign-out needs the CSRF token, then ends the session.
	csrf := b.signIn()
	if rec := b.do("POST", "/officer/sign-out", url.Values{}); rec.Code != http.StatusForbidden || b.cookie == nil {
		t.Errorf("sign-out without CSRF: %d, want 403 and the session kept", rec.Code)
	}
	if rec := b.do("POST", "/officer/sign-out", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther || b.cookie != nil {
		t.Errorf("sign-out: %d, cookie %v; want 303 and the cookie cleared", rec.Code, b.cookie)
	}
}

func TestTenderCSRF(t *testing.T) {
	s, ms, clock := newTenderServer(t)
	b := &browser{t: t, h: s}
	csrf := b.signIn()
	other := &browser{t: t, h: s}
	otherCSRF := other.signIn()
	if otherCSRF == csrf {
		t.Fatal("two sessions share a CSRF token")
	}
	for name, tok := range map[string][]string{"none": nil, "empty": {""}, "wrong": {"x" + csrf[1:]}, "other session's": {otherCSRF}} {
		v := tenderForm(csrf)
		v["csrf"] = tok
		rec := b.do("POST", "/tenders/new", v)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF") {
			t.Errorf("%s CSRF token: %d, want 403 with a page naming the CSRF token", name, rec.Code)
		}
	}
	if ts, _ := ms.Tenders(t.Context()); len(ts) != 0 {
		t.Fatalf("%d tenders created without a valid CSRF token", len(ts))
	}
	id := b.createTender(tenderForm(csrf))
	clock.Set(tenderStart.Add(3 * time.Hour))
	if rec := b.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {otherCSRF}}); rec.Code != http.StatusForbidden {
		t.Errorf("open with another session's CSRF token: %d, want 403", rec.Code)
	}
	if rec := b.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Errorf("open: %d, want 303", rec.Code)
	}
}

func TestTenderCreateErrors(t *testing.T) {
	s, _, _ := newTenderServer(t)
	b := &browser{t: t, h: s}
	csrf := b.signIn()
	cases := []struct {
		name  string
		set   map[string]string
		field string
		says  string
	}{
		{"currency", map[string]string{"currency": "eur"}, "currency", "ISO 4217"},
		{"past deadline", map[string]string{"deadline": "2026-06-01T09:00"}, "deadline", "not after now"},
		{"bad deadline", map[string]string{"deadline": "tomorrow"}, "deadline", "not a date and time"},
		{"rfc3339 deadline in the past", map[string]string{"deadline": "2026-06-01T11:00:00+02:00"}, "deadline", "not after now"},
		{"no method", map[string]string{"method": ""}, "method", "Choose a method"},
		{"unknown method", map[string]string{"method": "nope@1"}, "method", "nope"},
		{"no carbon price", map[string]string{"carbon_price": ""}, "carbon_price", "missing"},
		{"bad carbon price", map[string]string{"carbon_price": "1,5"}, "carbon_price", "not a plain decimal number; write it as plain digits"},
		{"ladder without levels", map[string]string{"rule": "ladder", "carbon_price": ""}, "ladder", "missing"},
		{"ladder line", map[string]string{"rule": "ladder", "carbon_price": "", "ladder": "3=0.04\nfour"}, "ladder", "level=fraction"},
		{"ladder fraction", map[string]string{"rule": "ladder", "carbon_price": "", "ladder": "3=1.5"}, "ladder", "not in [0, 1)"},
		{"limits", map[string]string{"limits": "maybe"}, "limits", "not a limits rule"},
		{"title", map[string]string{"title": ""}, "title", "missing"},
	}
	for _, c := range cases {
		v := tenderForm(csrf)
		for k, x := range c.set {
			v.Set(k, x)
		}
		rec := b.do("POST", "/tenders/new", v)
		body := rec.Body.String()
		m := regexp.MustCompile(`id="` + c.field + `-error"><span class="visually-hidden">Error:</span> ([^<]*)<`).FindStringSubmatch(body)
		if rec.Code != http.StatusUnprocessableEntity || m == nil || !strings.Contains(m[1], c.says) {
			t.Errorf("%s: %d, error by %s: %v; want 422 with %q", c.name, rec.Code, c.field, m, c.says)
		}
		if !strings.Contains(body, `href="#`+c.field+`"`) {
			t.Errorf("%s: the summary does not link to #%s", c.name, c.field)
		}
	}
	// A good ladder tender is created.
	v := tenderForm(csrf)
	v.Set("rule", "ladder")
	v.Del("carbon_price")
	v.Set("ladder", "3=0.04\n\n5 = 0.1\n")
	b.createTender(v)
}

func TestTenderWorkflowPages(t *testing.T) {
	s, ms, clock := newTenderServer(t)
	officer := &browser{t: t, h: s}
	csrf := officer.signIn()
	id := officer.createTender(tenderForm(csrf))

	// The public notice carries the bid form and a key for retries.
	supplier := &browser{t: t, h: s}
	notice := supplier.do("GET", "/tenders/"+id+"/notice", nil)
	if notice.Code != 200 || !strings.Contains(notice.Body.String(), `id="submit-bid"`) || !strings.Contains(notice.Body.String(), "closes in <span class=\"countdown\"") {
		t.Fatalf("notice: %d\n%s", notice.Code, notice.Body.String())
	}
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(notice.Body.String())
	if key == nil || len(key[1]) < 40 {
		t.Fatalf("notice: no idempotency key in the form")
	}
	if strings.Contains(notice.Body.String(), `name="csrf"`) {
		t.Error("the public notice carries a CSRF token without a session")
	}

	// A bid with errors comes back with them by their fields.
	bad := supplierBid("Acme", "12,50", "1000")
	bad.Set("line-0-unit", "parsec")
	rec := supplier.do("POST", "/tenders/"+id+"/bid", bad)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="price-error"`) {
		t.Fatalf("bad bid: %d, want 422 with the price error\n%s", rec.Code, rec.Body.String())
	}

	// Two bids; the first retried with its key.
	first := supplierBid("Acme Heating", "125000.00", "1000")
	first.Set("key", key[1])
	rec = supplier.do("POST", "/tenders/"+id+"/bid", first)
	tok := tokenRE.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || tok == nil || !strings.Contains(rec.Body.String(), "shown only once") {
		t.Fatalf("first bid: %d, token %v\n%s", rec.Code, tok, rec.Body.String())
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("receipt Cache-Control %q, want no-store", rec.Header().Get("Cache-Control"))
	}
	bids, _ := ms.Bids(t.Context(), id)
	_, hash, _ := ms.Bid(t.Context(), id, bids[0].ID)
	secret, ok := strings.CutPrefix(tok[1], bids[0].ID+".")
	if len(bids) != 1 || !ok || hash != tender.HashToken(secret) {
		t.Fatalf("stored %d bids; token %q is <bid_id>.<secret>: %v; its secret's hash matches: %v", len(bids), tok[1], ok, hash == tender.HashToken(secret))
	}
	retry := supplier.do("POST", "/tenders/"+id+"/bid", first)
	if retry.Code != http.StatusOK || tokenRE.MatchString(retry.Body.String()) || !strings.Contains(retry.Body.String(), `id="replayed"`) ||
		!strings.Contains(retry.Body.String(), bids[0].ID) {
		t.Errorf("retried bid: %d; want 200, the same bid id and no token", retry.Code)
	}
	changed := supplierBid("Acme Heating", "99.00", "1000")
	changed.Set("key", key[1])
	if rec := supplier.do("POST", "/tenders/"+id+"/bid", changed); rec.Code != http.StatusConflict {
		t.Errorf("same key, other bid: %d, want 409", rec.Code)
	}
	clock.Set(tenderStart.Add(time.Minute))
	if rec := supplier.do("POST", "/tenders/"+id+"/bid", supplierBid("Bolt Energy", "118000.50", "1500")); rec.Code != http.StatusCreated {
		t.Fatalf("second bid: %d\n%s", rec.Code, rec.Body.String())
	}

	// Sealed: the officer's page shows ids, times and commitments only.
	page := officer.do("GET", "/tenders/"+id, nil).Body.String()
	for _, secret := range []string{"Acme Heating", "Bolt Energy", "125000", "118000", "ranking"} {
		if strings.Contains(page, secret) {
			t.Errorf("the officer's page before opening shows %q", secret)
		}
	}
	d, _ := tender.BidDigest(bids[0])
	if strings.Contains(page, d) {
		t.Error("the officer's page before opening shows a bid's digest, which a brute force could match")
	}
	if !regexp.MustCompile(`<td><code>[0-9a-f]{64}</code></td>`).MatchString(page) || !strings.Contains(page, "Commitment (HMAC-SHA256, salted)") || !strings.Contains(page, "2 bid(s)") {
		t.Error("the officer's page does not list the bids' commitments")
	}
	if strings.Contains(page, `id="open"`) {
		t.Error("the Open button is offered before the deadline")
	}
	if rec := officer.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusConflict {
		t.Errorf("open before the deadline: %d, want 409", rec.Code)
	}
	if rec := officer.do("GET", "/tenders/"+id+"/evaluation?format=csv", nil); rec.Code != http.StatusConflict {
		t.Errorf("export before opening: %d, want 409", rec.Code)
	}

	// After the deadline: no form, 409 for a bid, the Open button.
	clock.Set(tenderStart.Add(2 * time.Hour))
	if n := supplier.do("GET", "/tenders/"+id+"/notice", nil).Body.String(); strings.Contains(n, `id="submit-bid"`) || !strings.Contains(n, `id="closed"`) {
		t.Error("the notice offers the bid form after the deadline")
	}
	if rec := supplier.do("POST", "/tenders/"+id+"/bid", supplierBid("Late Ltd", "1.00", "1")); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "was not received") {
		t.Errorf("late bid: %d, want 409 with a page", rec.Code)
	}
	if !strings.Contains(officer.do("GET", "/tenders/"+id, nil).Body.String(), `id="open"`) {
		t.Fatal("no Open button after the deadline")
	}
	if rec := officer.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", rec.Code, rec.Body.String())
	}
	if rec := officer.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusConflict {
		t.Errorf("second opening: %d, want 409", rec.Code)
	}
	page = officer.do("GET", "/tenders/"+id, nil).Body.String()
	// Bolt: 118000.50 + 100 × 1.5 × 53.1145 t = 126,...; Acme: 125000 + 100 × 53.1145 = 130311.45.
	ib, ia := strings.Index(page, "Bolt Energy"), strings.Index(page, "Acme Heating")
	if ib < 0 || ia < 0 || ib > ia || !strings.Contains(page, `id="ranking-chart"`) || !strings.Contains(page, "130311.45") {
		t.Errorf("ranking after opening: Bolt at %d, Acme at %d; want Bolt first, the chart and Acme's notional 130311.45", ib, ia)
	}

	// Exports.
	rec = officer.do("GET", "/tenders/"+id+"/evaluation?format=csv", nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != 200 || err != nil || len(rows) != 3 || rows[1][0] != "1" || rows[1][2] != "Bolt Energy" {
		t.Errorf("CSV export: %d %v %v", rec.Code, err, rows)
	}
	rec = officer.do("GET", "/tenders/"+id+"/evaluation?format=json", nil)
	var ev tender.Evaluation
	if err := json.Unmarshal(rec.Body.Bytes(), &ev); err != nil || len(ev.Ranking) != 2 || ev.Digest == "" {
		t.Errorf("JSON export: %d %v", rec.Code, err)
	}
	if ok, _ := ev.VerifyDigest(); !ok {
		t.Error("the exported evaluation's digest does not verify")
	}
	if rec := officer.do("GET", "/tenders/"+id+"/evaluation?format=xml", nil); rec.Code != http.StatusBadRequest {
		t.Errorf("format=xml: %d, want 400", rec.Code)
	}
	if rec := supplier.do("GET", "/tenders/"+id+"/evaluation?format=csv", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("export without a session: %d, want 303 to sign-in", rec.Code)
	}
	es, _ := ms.Events(t.Context(), id)
	kinds := []string{}
	for _, e := range es {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, ","); got != "created,bid_received,bid_received,approved,opened,evaluated,exported,exported" {
		t.Errorf("audit events %s", got)
	}
	if ok, _, err := tender.Verify(es); !ok {
		t.Errorf("audit chain: %v", err)
	}
}

func TestTenderPagesNotFoundAndNoStore(t *testing.T) {
	s, _, _ := newTenderServer(t)
	b := &browser{t: t, h: s}
	b.signIn()
	for _, p := range []string{"/tenders/nope", "/tenders/nope/notice"} {
		if rec := b.do("GET", p, nil); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "No such tender") {
			t.Errorf("%s: %d, want a 404 page", p, rec.Code)
		}
	}
	h := newTestServer(t) // no store
	for _, p := range []string{"/officer/sign-in", "/tenders", "/tenders/x/notice"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s without a store: %d, want 503", p, rec.Code)
		}
	}
}

func TestRankingChartLabelsDoNotOverlap(t *testing.T) {
	mk := func(rank int, kg, price string) tender.Ranked {
		r := rank
		var k, p tender.Fixed
		k.UnmarshalText([]byte(kg))
		p.UnmarshalText([]byte(price))
		return tender.Ranked{Rank: &r, BidID: "b", Supplier: "S", KgCO2e: k, NotionalPrice: p}
	}
	ev := &tender.Evaluation{Tender: tender.TenderRef{Currency: "EUR"}}
	// Five bids on one spot and two apart: labels that would overlap are left out.
	for i := 1; i <= 5; i++ {
		ev.Ranking = append(ev.Ranking, mk(i, "10", "100.00"))
	}
	ev.Ranking = append(ev.Ranking, mk(6, "0", "50.00"), mk(7, "20", "300.00"))
	c := rankingChart(ev)
	type box struct{ l, t, r, b float64 }
	var boxes []box
	labelled := 0
	for _, p := range c.Points {
		if !p.HasLabel {
			continue
		}
		labelled++
		var x, y float64
		json.Unmarshal([]byte(p.LabelX), &x)
		json.Unmarshal([]byte(p.LabelY), &y)
		w := textWidth(p.Label, rcFont, true)
		bx := box{x, y - rcFont, x + w, y + 3}
		if bx.l < float64(c.PlotL) || bx.r > float64(c.PlotR) {
			t.Errorf("label %s at %v leaves the plot", p.Label, bx)
		}
		for _, o := range boxes {
			if bx.l < o.r && o.l < bx.r && bx.t < o.b && o.t < bx.b {
				t.Errorf("label %s overlaps another", p.Label)
			}
		}
		boxes = append(boxes, bx)
	}
	if labelled < 4 || labelled == len(c.Points) {
		t.Errorf("%d of %d points labelled; want the isolated ones and some of the stack, not all", labelled, len(c.Points))
	}
	if c.Width > 358 {
		t.Errorf("chart %d px wide: over the 358 px column of a 390 px screen", c.Width)
	}
}

// TestTenderPagesHead checks that every GET page of the tenders answers
// 200 with a store and a session, and HEAD alike.
func TestTenderPagesHead(t *testing.T) {
	s, _, clock := newTenderServer(t)
	b := &browser{t: t, h: s}
	csrf := b.signIn()
	id := b.createTender(tenderForm(csrf))
	clock.Set(tenderStart.Add(3 * time.Hour))
	if rec := b.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open: %d", rec.Code)
	}
	for _, p := range []string{"/officer/sign-in", "/tenders", "/tenders/new", "/tenders/" + id, "/tenders/" + id + "/evaluation", "/tenders/" + id + "/notice"} {
		get, head := b.do("GET", p, nil), b.do("HEAD", p, nil)
		if get.Code != 200 || head.Code != 200 || get.Header().Get("Content-Type") != head.Header().Get("Content-Type") {
			t.Errorf("%s: GET %d %q, HEAD %d %q", p, get.Code, get.Header().Get("Content-Type"), head.Code, head.Header().Get("Content-Type"))
		}
	}
}

// TestWebReceiptTokenReadsBid submits a bid through the pages and uses the
// token shown on the receipt, as shown, on the API: it is the one form,
// <bid_id>.<secret>, that GET /v1/tenders/{id}/bids/{bid_id} accepts.
func TestWebReceiptTokenReadsBid(t *testing.T) {
	s, _, _ := newTenderServer(t)
	officer := &browser{t: t, h: s}
	id := officer.createTender(tenderForm(officer.signIn()))
	supplier := &browser{t: t, h: s}
	rec := supplier.do("POST", "/tenders/"+id+"/bid", supplierBid("Acme Heating", "125000.00", "500"))
	tok := tokenRE.FindStringSubmatch(rec.Body.String())
	bidID := regexp.MustCompile(`id="bid-id">([^<]+)<`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || tok == nil || bidID == nil {
		t.Fatalf("receipt: %d, token %v, bid id %v\n%s", rec.Code, tok, bidID, rec.Body.String())
	}
	if !strings.HasPrefix(tok[1], bidID[1]+".") {
		t.Errorf("the receipt's token %q is not <bid_id>.<secret> for bid %s", tok[1], bidID[1])
	}
	get := func(target, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	got := get("/v1/tenders/"+id+"/bids/"+bidID[1], tok[1])
	var view tenders.BidView
	if got.Code != http.StatusOK || json.Unmarshal(got.Body.Bytes(), &view) != nil || view.ID != bidID[1] {
		t.Fatalf("GET the bid with the receipt's token: %d\n%s", got.Code, got.Body.String())
	}
	// The receipt's footprint is the API's: 500 mmBtu × 53.1145 kg under
	// 3 places, "26557.250", not "26557.25".
	if kg := view.Footprint.KgCO2e.String(); kg != "26557.250" || !strings.Contains(rec.Body.String(), "<dd>"+kg+" kg CO2e under") {
		t.Errorf("the API reports %s kg CO2e; want 26557.250, and the receipt to show it", kg)
	}
	// The token names its bid: on another bid's URL it is recognised (403),
	// not taken for a wrong one (401).
	if rec := get("/v1/tenders/"+id+"/bids/0000000000000000", tok[1]); rec.Code != http.StatusForbidden {
		t.Errorf("the receipt's token on another bid: %d, want 403", rec.Code)
	}
}
