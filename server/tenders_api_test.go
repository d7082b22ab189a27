package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/footprint-gpp/footprint/export/ocds/ocdsschema"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// testClock is the injected clock of the tender tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// t0 is the tests' "now" when a tender is created; deadline is an hour on.
var (
	tenderT0       = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tenderDeadline = tenderT0.Add(time.Hour)
)

const testOfficerToken = "officer-secret-token-for-tests"

// tenderEnv is a server over a fresh store with an injected clock.
type tenderEnv struct {
	t     testing.TB
	s     *Server
	st    store.Store
	clock *testClock
	// seen, when not nil, records every exchange (for the OpenAPI test).
	seen *[]tenderExchange
	// ocds validates every OCDS package the server answers (do).
	ocds *ocdsschema.Validator
}

// testPublicURL is the tender test servers' public URL.
const testPublicURL = "https://tenders.example.org"

// tenderExchange is one request sent by a tender test and its answer.
type tenderExchange struct {
	method, target string
	rec            *httptest.ResponseRecorder
}

func newTenderEnv(tb testing.TB, f storeFactory, opts ...func(*Config)) *tenderEnv {
	tb.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		tb.Fatal(err)
	}
	st := f()
	tb.Cleanup(func() { st.Close() })
	clock := &testClock{t: tenderT0}
	cfg := Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: st,
		OfficerTokenHash: tender.HashToken(testOfficerToken), Now: clock.Now, PublicURL: testPublicURL}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := newServer(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dir, err := ocdsschema.Dir()
	if err != nil {
		tb.Fatal(err)
	}
	val, err := ocdsschema.New(dir)
	if err != nil {
		tb.Fatalf("OCDS schemas: %v", err)
	}
	return &tenderEnv{t: tb, s: s, st: st, clock: clock, ocds: val}
}

// do sends a request; token "" sends no Authorization; hdr are extra
// header name/value pairs.
func (e *tenderEnv) do(method, target, token, body string, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.s.ServeHTTP(rec, req)
	if e.seen != nil {
		*e.seen = append(*e.seen, tenderExchange{method, target, rec})
	}
	// Every OCDS package a tender test gets is valid against the official
	// OCDS 1.1.5 schemas with its extensions, and the same bytes as the
	// same export again (the export is built from the audit events).
	if method == http.MethodGet && strings.HasSuffix(target, "/ocds") && rec.Code == http.StatusOK && e.ocds != nil {
		if err := e.ocds.Validate(rec.Body.Bytes()); err != nil {
			e.t.Errorf("%s: OCDS package: %d schema error(s): %v", target, ocdsschema.Errors(err), err)
		}
		// Again, unrecorded, so that the audit trail the tests check
		// does not change.
		id := strings.TrimSuffix(strings.TrimPrefix(target, "/v1/tenders/"), "/ocds")
		td, err := e.s.svc.Tender(req.Context(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		again, _, err := e.s.svc.ExportOCDS(req.Context(), td, officers.Bootstrap(), false)
		if err != nil || string(again) != rec.Body.String() {
			e.t.Errorf("%s: the same export twice differs (%v):\n%s\n%s", target, err, rec.Body, again)
		}
	}
	return rec
}

// want checks a status and decodes a JSON answer into v (when not nil).
func (e *tenderEnv) want(rec *httptest.ResponseRecorder, status int, v any, what string) {
	e.t.Helper()
	if rec.Code != status {
		e.t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, status, rec.Body.String())
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			e.t.Fatalf("%s: %v: %s", what, err, rec.Body.String())
		}
	}
}

func tenderBody(award string) string {
	return `{"reference":"RWS-2026-17","title":"Resurfacing A12","buyer":"Rijkswaterstaat","method":"us-federal@2025.1",
		"currency":"EUR","deadline":"` + tenderDeadline.Format(time.RFC3339) + `","award":` + award + `}`
}

const carbonAward = `{"rule":"carbon_price","carbon_price_per_t":"100","limits":"report"}`

func gasBid(supplier, price, mmBtu, level string) string {
	lv := ""
	if level != "" {
		lv = `,"ladder_level":"` + level + `"`
	}
	return `{"supplier":"` + supplier + `","price":{"amount":"` + price + `","currency":"EUR"}` + lv + `,
		"lines":[{"id":"1","activity":"fuel.natural_gas","region":"US","quantity":"` + mmBtu + `","unit":"mmBtu"}]}`
}

// createTender creates a tender and returns its id.
func (e *tenderEnv) createTender(award string) string {
	e.t.Helper()
	var tv map[string]any
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, tenderBody(award)), 201, &tv, "create")
	return tv["id"].(string)
}

// submit submits a bid and returns its receipt.
func (e *tenderEnv) submit(id, body string, hdr ...string) BidReceipt {
	e.t.Helper()
	var r BidReceipt
	e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", body, hdr...), 201, &r, "submit")
	return r
}

func TestTenderFlow(t *testing.T) { tenderFlow(t, newTenderEnv(t, memFactory)) }

// tenderFlow drives the whole workflow over the API: create, two bids
// and an idempotent retry, sealed reads, wrong credentials, the deadline,
// the 409s, opening, the evaluation in JSON and CSV, OCDS and the audit.
func tenderFlow(t *testing.T, e *tenderEnv) {
	var tv map[string]any
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, tenderBody(carbonAward)), 201, &tv, "create")
	id := tv["id"].(string)
	if tv["status"] != "open" || tv["method"].(map[string]any)["digest"] == "" || tv["method"].(map[string]any)["version"] != "2025.1" {
		t.Errorf("created tender: %v", tv)
	}

	// Public notice: anyone.
	e.want(e.do("GET", "/v1/tenders/"+id, "", ""), 200, &tv, "notice")
	if tv["reference"] != "RWS-2026-17" || tv["award"].(map[string]any)["carbon_price_per_t"] != "100" {
		t.Errorf("notice: %v", tv)
	}

	// Two bids, the first with an Idempotency-Key, retried.
	a := e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""), "Idempotency-Key", keyAlpha)
	if a.BidToken == "" || !strings.HasPrefix(a.BidToken, a.BidID+".") || a.Replayed || a.Digests.Bid == "" || a.Digests.Result == "" {
		t.Fatalf("receipt: %+v", a)
	}
	e.clock.Set(tenderT0.Add(10 * time.Minute))
	var retry BidReceipt
	e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Alpha BV", "1000000.00", "1000", ""), "Idempotency-Key", keyAlpha), 200, &retry, "retry")
	if retry.BidID != a.BidID || !retry.ReceivedAt.Equal(a.ReceivedAt) || retry.Digests != a.Digests || retry.BidToken != "" || !retry.Replayed {
		t.Errorf("retry %+v, first %+v", retry, a)
	}
	rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Alpha BV", "999.00", "1000", ""), "Idempotency-Key", keyAlpha)
	e.want(rec, 409, nil, "same key, other bid")
	b := e.submit(id, gasBid("Beta NV", "1004000.00", "100", ""))

	// Sealed: the bid's own token reads it; nobody else does.
	var own tenders.BidView
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids/"+a.BidID, a.BidToken, ""), 200, &own, "own bid")
	if own.Supplier != "Alpha BV" || own.Footprint.KgCO2e.String() != "53114.500" || own.Digests != a.Digests {
		t.Errorf("own bid: %+v", own)
	}
	for _, c := range []struct {
		name, target, token string
		status              int
	}{
		{"no token", "/v1/tenders/" + id + "/bids/" + a.BidID, "", 401},
		{"wrong token", "/v1/tenders/" + id + "/bids/" + a.BidID, a.BidID + ".nope", 401},
		{"bare wrong token", "/v1/tenders/" + id + "/bids/" + a.BidID, "nope", 401},
		{"unknown bid", "/v1/tenders/" + id + "/bids/B999", "B999.nope", 401},
		{"other bid's token", "/v1/tenders/" + id + "/bids/" + a.BidID, b.BidToken, 403},
		{"other bid's token, unknown bid", "/v1/tenders/" + id + "/bids/B999", b.BidToken, 403},
		{"officer before opening", "/v1/tenders/" + id + "/bids/" + a.BidID, testOfficerToken, 409},
		{"bid token on officer list", "/v1/tenders/" + id + "/bids", a.BidToken, 403},
		{"bid token on audit", "/v1/tenders/" + id + "/audit", a.BidToken, 403},
		{"no token on list", "/v1/tenders/" + id + "/bids", "", 401},
		{"wrong officer token", "/v1/tenders", "guess", 401},
		{"evaluation before opening", "/v1/tenders/" + id + "/evaluation", testOfficerToken, 409},
		{"unknown tender", "/v1/tenders/T999", "", 404},
	} {
		rec := e.do("GET", c.target, c.token, "")
		if rec.Code != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, rec.Code, c.status, rec.Body.String())
		}
		if rec.Code == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: 401 without WWW-Authenticate: Bearer", c.name)
		}
		if body := rec.Body.String(); rec.Code >= 400 && (strings.Contains(body, "Beta") || strings.Contains(body, "Alpha") || strings.Contains(body, "1004000")) {
			t.Errorf("%s: the error leaks a bid: %s", c.name, body)
		}
	}
	// A wrong token on an existing bid and any token on an unknown bid
	// answer the same bytes.
	r1 := e.do("GET", "/v1/tenders/"+id+"/bids/"+a.BidID, a.BidID+".nope", "")
	r2 := e.do("GET", "/v1/tenders/"+id+"/bids/B999", "B999.nope", "")
	if r1.Body.String() != r2.Body.String() || r1.Header().Get("WWW-Authenticate") != r2.Header().Get("WWW-Authenticate") {
		t.Errorf("unknown bid and wrong token differ:\n%s\n%s", r1.Body, r2.Body)
	}

	// The officer's sealed list: ids, times, digests; nothing else.
	rec = e.do("GET", "/v1/tenders/"+id+"/bids", testOfficerToken, "")
	var sealed tenders.SealedBids
	e.want(rec, 200, &sealed, "sealed list")
	if sealed.Count != 2 || sealed.Active != 2 || sealed.Bids[0].BidID != a.BidID || sealed.Bids[1].Commitment != b.Commitment || b.Commitment == "" || sealed.Bids[1].Digests != nil {
		t.Errorf("sealed: %+v", sealed)
	}
	for _, leak := range []string{"Alpha", "Beta", "1000000", "kg_co2e", "price", "lines"} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("sealed list leaks %q: %s", leak, rec.Body)
		}
	}

	// A third bid, withdrawn by its token; another token cannot.
	c := e.submit(id, gasBid("Gamma", "1.00", "1", ""))
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+c.BidID, a.BidToken, ""), 403, nil, "withdraw with another token")
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+c.BidID, testOfficerToken, ""), 403, nil, "withdraw as officer")
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+c.BidID, "", ""), 401, nil, "withdraw without token")
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+c.BidID, c.BidToken, ""), 204, nil, "withdraw")
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+c.BidID, c.BidToken, ""), 409, nil, "withdraw twice")

	// Too early to open.
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 409, nil, "open before the deadline")
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", a.BidToken, ""), 403, nil, "open with a bid token")

	// The deadline passes.
	e.clock.Set(tenderDeadline)
	rec = e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Late", "1.00", "1", ""))
	e.want(rec, 409, nil, "bid at the deadline")
	if !strings.Contains(rec.Body.String(), "#deadline-passed") {
		t.Errorf("late bid: %s", rec.Body)
	}
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+b.BidID, b.BidToken, ""), 409, nil, "withdraw after the deadline")
	// A retry of a bid received before the deadline is still answered.
	e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Alpha BV", "1000000.00", "1000", ""), "Idempotency-Key", keyAlpha), 200, &retry, "retry after the deadline")
	if retry.BidID != a.BidID || retry.BidToken != "" {
		t.Errorf("retry after the deadline: %+v", retry)
	}
	e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Late", "1.00", "1", ""), "Idempotency-Key", keyLate), 409, nil, "late bid with a new key")
	e.want(e.do("GET", "/v1/tenders/"+id, "", ""), 200, &tv, "notice closed")
	if tv["status"] != "closed" {
		t.Errorf("status after the deadline %v, want closed", tv["status"])
	}

	// Opening.
	var ev tender.Evaluation
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 409, nil, "open twice")
	// carbon_price, W = 100/t: Alpha 1000000.00 + 100 × 53.1145 t =
	// 1005311.45; Beta 1004000.00 + 100 × 5.31145 t = 1004531.145, reported
	// half-even as 1004531.14; Beta wins; Gamma was withdrawn.
	if len(ev.Ranking) != 2 || ev.Ranking[0].BidID != b.BidID || *ev.Ranking[0].Rank != 1 ||
		ev.Ranking[0].NotionalPrice.String() != "1004531.14" || ev.Ranking[1].NotionalPrice.String() != "1005311.45" {
		t.Errorf("ranking: %+v", ev.Ranking)
	}
	var evGet tender.Evaluation
	e.want(e.do("GET", "/v1/tenders/"+id+"/evaluation", testOfficerToken, ""), 200, &evGet, "evaluation")
	if evGet.Digest != ev.Digest || evGet.Digest == "" {
		t.Errorf("evaluation digest %q, at opening %q", evGet.Digest, ev.Digest)
	}
	rec = e.do("GET", "/v1/tenders/"+id+"/evaluation?format=csv", testOfficerToken, "")
	e.want(rec, 200, nil, "evaluation csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(tenders.EvaluationCSVHeader(), ",") ||
		rows[1][0] != "1" || rows[1][2] != "Beta NV" || rows[1][8] != "1004531.14" || rows[2][8] != "1005311.45" {
		t.Errorf("csv %v %v", rows, err)
	}
	if rec.Header().Get("X-Evaluation-Digest") != ev.Digest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Errorf("csv headers %v", rec.Header())
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/evaluation?format=xml", testOfficerToken, ""), 400, nil, "evaluation xml")

	// After opening the officer reads every bid.
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids/"+b.BidID, testOfficerToken, ""), 200, &own, "officer reads a bid")
	if own.Supplier != "Beta NV" {
		t.Errorf("officer read %+v", own)
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids/B999", testOfficerToken, ""), 404, nil, "officer, unknown bid")

	// OCDS.
	var pkg struct {
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
		Releases   []struct {
			OCID   string   `json:"ocid"`
			Tag    []string `json:"tag"`
			Tender struct {
				Status            string `json:"status"`
				NumberOfTenderers int    `json:"numberOfTenderers"`
			} `json:"tender"`
			Bids struct {
				Details []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
					Value  struct {
						Amount json.Number `json:"amount"`
					} `json:"value"`
				} `json:"details"`
			} `json:"bids"`
			Awards []struct {
				Status     string `json:"status"`
				RelatedBid string `json:"relatedBid"`
				Value      struct {
					Amount   json.Number `json:"amount"`
					Currency string      `json:"currency"`
				} `json:"value"`
			} `json:"awards"`
		} `json:"releases"`
	}
	rec = e.do("GET", "/v1/tenders/"+id+"/ocds", testOfficerToken, "")
	e.want(rec, 200, &pkg, "ocds")
	r0 := pkg.Releases[len(pkg.Releases)-1]
	if pkg.Version != "1.1" || len(pkg.Extensions) != 2 || pkg.Extensions[1] != testPublicURL+"/v1/ocds/extension/extension.json" ||
		len(pkg.Releases) != 2 || r0.OCID != ocds.OCIDPrefix+id || strings.Join(r0.Tag, ",") != "tenderUpdate,award" ||
		r0.Tender.Status != "complete" || r0.Tender.NumberOfTenderers != 3 || len(r0.Bids.Details) != 3 || r0.Bids.Details[2].Status != "withdrawn" ||
		len(r0.Awards) != 1 || r0.Awards[0].RelatedBid != b.BidID || r0.Awards[0].Value.Amount != "1004000" || r0.Awards[0].Value.Currency != "EUR" {
		t.Errorf("ocds: %s", rec.Body)
	}

	// Audit: created, 3 received, withdrawn, the creator's one approval
	// (a committee of one), opened, evaluated, 3 exports.
	var audit struct {
		Verified    bool           `json:"verified"`
		FirstBadSeq int64          `json:"first_bad_seq"`
		Events      []tender.Event `json:"events"`
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	var kinds []string
	for _, ev := range audit.Events {
		kinds = append(kinds, string(ev.Kind))
	}
	if !audit.Verified || strings.Join(kinds, ",") != "created,bid_received,bid_received,bid_received,withdrawn,approved,opened,evaluated,exported,exported,exported" {
		t.Errorf("audit: verified %v, kinds %v", audit.Verified, kinds)
	}
	// Each digest is named by what it is the digest of.
	for _, c := range []struct {
		seq  int
		want tender.Digests
	}{
		{2, tender.Digests{"commitment": a.Commitment, "token": tender.HashToken(strings.TrimPrefix(a.BidToken, a.BidID+".")), "idempotency": store.HashIdempotencyKey(keyAlpha)}},
		{8, tender.Digests{"evaluation": ev.Digest}},
		{9, tender.Digests{"evaluation": ev.Digest}},
		{11, tender.Digests{"ocds": sha256Hex(strings.TrimSuffix(rec.Body.String(), "\n")), "evaluation": ev.Digest}},
	} {
		if len(audit.Events) < c.seq {
			break
		}
		if got := audit.Events[c.seq-1].Digests; fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("audit event %d (%s): digests %v, want %v", c.seq, audit.Events[c.seq-1].Kind, got, c.want)
		}
	}
	if ms, ok := e.st.(*memStore); ok {
		ms.tamperBid(id, a.BidID)
		e.want(e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, ""), 200, &audit, "audit after tampering")
		if audit.Verified || audit.FirstBadSeq != 2 {
			t.Errorf("tampered bid: verified %v, first bad %d", audit.Verified, audit.FirstBadSeq)
		}
	}

	// The list, newest first.
	var list TenderList
	e.want(e.do("GET", "/v1/tenders", testOfficerToken, ""), 200, &list, "list")
	if len(list.Tenders) != 1 || list.Tenders[0].ID != id || list.Tenders[0].Status != tender.StatusOpened {
		t.Errorf("list: %+v", list)
	}
}

// TestTenderLadder checks the ladder rule's exact ranking over the API.
func TestTenderLadder(t *testing.T) { tenderLadder(t, newTenderEnv(t, memFactory)) }

func tenderLadder(t *testing.T, e *tenderEnv) {
	id := e.createTender(`{"rule":"ladder","ladder_discounts":{"3":"0.04","5":0.1},"limits":"exclude"}`)
	a := e.submit(id, gasBid("A", "1000.00", "1", "5")) // 900.00
	b := e.submit(id, gasBid("B", "950.00", "1", "3"))  // 912.00
	c := e.submit(id, gasBid("C", "905.00", "1", ""))   // 905.00
	e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("D", "905.00", "1", "4")), 422, nil, "unknown level")
	e.clock.Set(tenderDeadline.Add(time.Second))
	var ev tender.Evaluation
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
	var got []string
	for _, r := range ev.Ranking {
		got = append(got, r.BidID+":"+r.NotionalPrice.String())
	}
	want := []string{a.BidID + ":900.00", c.BidID + ":905.00", b.BidID + ":912.00"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ranking %v, want %v", got, want)
	}
}

// TestTenderErrors checks the statuses of bad input and bad credentials.
func TestTenderErrors(t *testing.T) { tenderErrors(t, newTenderEnv(t, memFactory)) }

func tenderErrors(t *testing.T, e *tenderEnv) {
	id := e.createTender(carbonAward)
	tests := []struct {
		name, method, target, token, body string
		hdr                               []string
		status                            int
		pointers                          []string
	}{
		{name: "create without token", method: "POST", target: "/v1/tenders", body: tenderBody(carbonAward), status: 401},
		{name: "create with a bid token", method: "POST", target: "/v1/tenders", token: "B1.x", body: tenderBody(carbonAward), status: 401},
		{name: "create unknown field", method: "POST", target: "/v1/tenders", token: testOfficerToken, body: `{"colour":"red"}`, status: 422},
		{name: "create duplicate key", method: "POST", target: "/v1/tenders", token: testOfficerToken,
			body:   `{"reference":"a","reference":"b","title":"t","buyer":"b","method":"us-federal","currency":"EUR","deadline":"2027-01-01T00:00:00Z","award":{"rule":"price_only","limits":"report"}}`,
			status: 422, pointers: []string{"/reference"}},
		{name: "create invalid", method: "POST", target: "/v1/tenders", token: testOfficerToken,
			body:   `{"reference":"r","title":"t","buyer":"b","method":"us-federal","currency":"euro","deadline":"2020-01-01T00:00:00Z","award":{"rule":"carbon_price","limits":"maybe","ladder_discounts":{"1":"x"}}}`,
			status: 422, pointers: []string{"/currency", "/deadline", "/award/carbon_price_per_t", "/award/limits", "/award/ladder_discounts/1"}},
		{name: "create bad deadline", method: "POST", target: "/v1/tenders", token: testOfficerToken,
			body:   `{"reference":"r","title":"t","buyer":"b","method":"us-federal","currency":"EUR","deadline":"tomorrow","award":{"rule":"price_only","limits":"report"}}`,
			status: 422, pointers: []string{"/deadline"}},
		{name: "create unknown method", method: "POST", target: "/v1/tenders", token: testOfficerToken,
			body:   `{"reference":"r","title":"t","buyer":"b","method":"nope","currency":"EUR","deadline":"2027-01-01T00:00:00Z","award":{"rule":"price_only","limits":"report"}}`,
			status: 422, pointers: []string{"/method"}},
		{name: "create malformed", method: "POST", target: "/v1/tenders", token: testOfficerToken, body: `{`, status: 400},
		{name: "bid invalid", method: "POST", target: "/v1/tenders/" + id + "/bids",
			body:   `{"supplier":"S","price":{"amount":"10.001","currency":"USD"},"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`,
			status: 422, pointers: []string{"/price/amount", "/price/currency"}},
		{name: "bid price not a number", method: "POST", target: "/v1/tenders/" + id + "/bids",
			body:   `{"supplier":"S","price":{"amount":"1,5","currency":"EUR"},"lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`,
			status: 422, pointers: []string{"/price/amount"}},
		{name: "bid line the method cannot compute", method: "POST", target: "/v1/tenders/" + id + "/bids",
			body:   gasBid("S", "10", "1", "")[:0] + `{"supplier":"S","price":{"amount":"10","currency":"EUR"},"lines":[{"activity":"fuel.unobtainium","region":"US","quantity":"1","unit":"kg"}]}`,
			status: 422, pointers: []string{"/lines/0/activity"}},
		{name: "bid no lines", method: "POST", target: "/v1/tenders/" + id + "/bids", body: `{"supplier":"S","price":{"amount":"10","currency":"EUR"},"lines":[]}`, status: 422, pointers: []string{"/lines"}},
		{name: "bid unknown tender", method: "POST", target: "/v1/tenders/T999/bids", body: gasBid("S", "10", "1", ""), status: 404},
		{name: "bid bad idempotency key", method: "POST", target: "/v1/tenders/" + id + "/bids", body: gasBid("S", "10", "1", ""), hdr: []string{"Idempotency-Key", "a b"}, status: 400},
		{name: "bid wrong media type", method: "POST", target: "/v1/tenders/" + id + "/bids", body: gasBid("S", "10", "1", ""), hdr: []string{"Content-Type", "text/plain"}, status: 415},
		{name: "open unknown tender", method: "POST", target: "/v1/tenders/T999/open", token: testOfficerToken, status: 404},
		{name: "open without token", method: "POST", target: "/v1/tenders/" + id + "/open", status: 401},
		{name: "audit unknown tender", method: "GET", target: "/v1/tenders/T999/audit", token: testOfficerToken, status: 404},
		{name: "ocds without token", method: "GET", target: "/v1/tenders/" + id + "/ocds", status: 401},
		{name: "overlong id", method: "GET", target: "/v1/tenders/" + strings.Repeat("x", 200), status: 404},
		{name: "withdraw unknown bid", method: "DELETE", target: "/v1/tenders/" + id + "/bids/B999", token: "B999.x", status: 401},
		{name: "put", method: "PUT", target: "/v1/tenders/" + id, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(tt.method, tt.target, tt.token, tt.body, tt.hdr...)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var p Problem
			json.Unmarshal(rec.Body.Bytes(), &p)
			for _, ptr := range tt.pointers {
				found := false
				for _, fe := range p.Errors {
					found = found || fe.Pointer == ptr
				}
				if !found {
					t.Errorf("no error at %s: %s", ptr, rec.Body)
				}
			}
		})
	}
}

// TestTendersWithoutStore: with no database, every tender route answers
// 503 with a problem saying how to give one.
func TestTendersWithoutStore(t *testing.T) {
	s := testServer(t)
	for _, target := range []string{"/v1/tenders", "/v1/tenders/T1", "/v1/tenders/T1/bids", "/v1/tenders/T1/audit"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != 503 || !strings.Contains(rec.Body.String(), "serve --db") {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

// TestOfficerToken checks the bootstrap order: the environment, then the
// stored hash, then a generated token whose hash only is stored.
func TestOfficerToken(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	h, gen, err := OfficerToken(ctx, st, getenv, nil)
	if err != nil || gen == "" || h != tender.HashToken(gen) {
		t.Fatalf("generate: %q %q %v", h, gen, err)
	}
	if stored, _, _ := st.Setting(ctx, OfficerTokenSetting); stored != h {
		t.Errorf("stored %q, want the hash %q", stored, h)
	}
	for _, v := range st.settings {
		if v == gen {
			t.Error("the token itself is stored")
		}
	}
	h2, gen2, err := OfficerToken(ctx, st, getenv, nil)
	if err != nil || gen2 != "" || h2 != h {
		t.Errorf("second start: %q %q %v; want the stored hash and no new token", h2, gen2, err)
	}
	env[OfficerTokenEnv] = "from-the-environment-Strong-2026"
	h3, gen3, err := OfficerToken(ctx, st, getenv, nil)
	if err != nil || gen3 != "" || h3 != tender.HashToken("from-the-environment-Strong-2026") {
		t.Errorf("env: %q %q %v", h3, gen3, err)
	}
	for _, weak := range []string{"has space but is long enough 1A", "from-the-environment"} {
		env[OfficerTokenEnv] = weak
		if h, _, err := OfficerToken(ctx, st, getenv, nil); err == nil || h != "" {
			t.Errorf("%q is accepted", weak)
		}
	}
	delete(env, OfficerTokenEnv)
	if _, _, err := OfficerToken(ctx, nil, getenv, nil); err == nil {
		t.Error("no env and no store: no error")
	}
}

// TestOpenAPITenderResponses validates every JSON answer of the tender
// tests (flow, ladder, errors; a public notice and an OCDS package before
// opening) against the document, strictly (strictSchemas): a field the
// document does not describe fails.
func TestOpenAPITenderResponses(t *testing.T) {
	var seen []tenderExchange
	for _, run := range []func(*testing.T, *tenderEnv){tenderFlow, tenderLadder, tenderErrors, tenderLimitsExclude, tenderFromEForms, tenderCommittee} {
		e := newTenderEnv(t, memFactory)
		e.seen = &seen
		run(t, e)
	}
	e := newTenderEnv(t, memFactory)
	e.seen = &seen
	id := e.createTender(`{"rule":"price_only","limits":"exclude"}`)
	e.do("GET", "/v1/tenders/"+id+"/ocds", testOfficerToken, "")
	e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("A", "1.00", "1", ""), "Idempotency-Key", keyAlpha)
	e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("A", "1.00", "1", ""), "Idempotency-Key", keyAlpha)
	e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("A", "2.00", "1", ""), "Idempotency-Key", keyAlpha)
	e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("A", "1.00", "1", ""), "Idempotency-Key", "k")
	e.clock.Set(tenderDeadline)
	e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, "")
	e.do("GET", "/v1/tenders/"+id+"/ocds", testOfficerToken, "")

	c := jsonschema.NewCompiler()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	if err != nil {
		t.Fatal(err)
	}
	strictSchemas(raw)
	const base = "mem:///openapi.json"
	if err := c.AddResource(base, raw); err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, x := range seen {
		req := httptest.NewRequest(x.method, x.target, nil)
		var match mux.RouteMatch
		if !e.s.router.Match(req, &match) || match.Route == nil {
			continue
		}
		tpl, _ := match.Route.GetPathTemplate()
		ct, _, _ := strings.Cut(x.rec.Header().Get("Content-Type"), ";")
		if ct != "application/json" && ct != "application/problem+json" {
			continue
		}
		ptr := fmt.Sprintf("#/paths/%s/%s/responses/%d/content/%s/schema", escape(tpl), strings.ToLower(x.method), x.rec.Code, escape(ct))
		sch, err := c.Compile(base + ptr)
		if err != nil {
			t.Errorf("%s %s: %d %s is not described: %v", x.method, x.target, x.rec.Code, ct, err)
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(x.rec.Body.Bytes()))
		if err != nil {
			t.Errorf("%s %s: not JSON: %v", x.method, x.target, err)
			continue
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s %s: does not validate against %s:\n%v", x.method, x.target, ptr, err)
		}
		checked[fmt.Sprintf("%s %s %d", x.method, tpl, x.rec.Code)] = true
	}
	// Every success answer of every tender route was checked.
	for _, want := range []string{"POST /v1/tenders 201", "GET /v1/tenders 200", "GET /v1/tenders/{id} 200", "POST /v1/tenders/{id}/bids 201",
		"POST /v1/tenders/{id}/bids 200", "GET /v1/tenders/{id}/bids 200", "GET /v1/tenders/{id}/bids/{bid_id} 200", "POST /v1/tenders/{id}/open 200",
		"GET /v1/tenders/{id}/evaluation 200", "GET /v1/tenders/{id}/ocds 200", "GET /v1/tenders/{id}/audit 200",
		"GET /v1/tenders/{id}/bids/{bid_id} 401", "GET /v1/tenders/{id}/bids/{bid_id} 403", "POST /v1/tenders/{id}/open 409"} {
		if !checked[want] {
			t.Errorf("no answer %s was validated", want)
		}
	}
}

// TestTenderLimitsExclude: under limits exclude, a bid whose EPD fails a
// GSA limit of us-federal is ranked out with the failing limits as its
// reason, even when it is the cheapest.
func TestTenderLimitsExclude(t *testing.T) { tenderLimitsExclude(t, newTenderEnv(t, memFactory)) }

func tenderLimitsExclude(t *testing.T, e *tenderEnv) {
	id := e.createTender(`{"rule":"price_only","limits":"exclude"}`)
	rebar := func(supplier, price, kgPerT string) string {
		return `{"supplier":"` + supplier + `","price":{"amount":"` + price + `","currency":"EUR"},"lines":[{"id":"1","activity":"material.steel.rebar","region":"US","quantity":"10","unit":"t","factor":{"kg_co2e":"` + kgPerT + `","per":"t","reference":"EPD-1"}}]}`
	}
	x := e.submit(id, rebar("Cheap but dirty", "100.00", "900"))
	y := e.submit(id, rebar("Clean", "200.00", "700"))
	e.clock.Set(tenderDeadline)
	var ev tender.Evaluation
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
	if len(ev.Ranking) != 2 || ev.Ranking[0].BidID != y.BidID || ev.Ranking[0].Rank == nil || *ev.Ranking[0].Rank != 1 ||
		ev.Ranking[1].BidID != x.BidID || ev.Ranking[1].Rank != nil || !ev.Ranking[1].Excluded ||
		!strings.Contains(ev.Ranking[1].Reason, "gsa-rebar-fab-avg (line 1)") {
		t.Errorf("ranking: %+v", ev.Ranking)
	}
	rec := e.do("GET", "/v1/tenders/"+id+"/evaluation?format=csv", testOfficerToken, "")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 3 || rows[2][0] != "" || rows[2][9] != "true" || !strings.HasPrefix(rows[2][10], "fails procurement limit(s)") {
		t.Errorf("csv: %v %v", rows, err)
	}
}

// runTenderSuite runs the handler tests of tenders against the stores a
// factory builds, so that they run against SQLite and PostgreSQL as well
// as the in-memory store: e.g.
//
//	func TestTendersSQLite(t *testing.T) { runTenderSuite(t, sqliteFactory(t)) }
func runTenderSuite(t *testing.T, f storeFactory) {
	for name, run := range map[string]func(*testing.T, *tenderEnv){
		"flow": tenderFlow, "ladder": tenderLadder, "errors": tenderErrors, "limits": tenderLimitsExclude,
		"amounts": tenderAmountsAsReported, "officers": officersFlow, "committee": tenderCommittee,
	} {
		t.Run(name, func(t *testing.T) { run(t, newTenderEnv(t, f)) })
	}
}

// TestTenderSuiteMemory runs the suite through runTenderSuite, so that
// the entry point the database stores use is itself exercised.
func TestTenderSuiteMemory(t *testing.T) { runTenderSuite(t, memFactory) }

func TestTenderAmountsAsReported(t *testing.T) {
	tenderAmountsAsReported(t, newTenderEnv(t, memFactory))
}

// tenderAmountsAsReported reads bids whose kg CO2e and price end in zeros
// that the method's and the money's places keep: the bid view, the
// evaluation (JSON and CSV) and the officer's view after opening all
// report the same text, the method's rounding with its places.
func tenderAmountsAsReported(t *testing.T, e *tenderEnv) {
	id := e.createTender(carbonAward)
	rebar := `{"supplier":"Rebar Ltd","price":{"amount":"99.5","currency":"EUR"},"lines":[{"id":"1","activity":"material.steel.rebar","region":"US","quantity":"2","unit":"t","factor":{"kg_co2e":"700.5","per":"t","reference":"EPD-1"}}]}`
	type reported struct {
		kg, price, limitValue string
	}
	cases := []struct {
		name, body string
		want       reported
	}{
		// 500 mmBtu × 53.1145 = 26557.25: "26557.250" under 3 places.
		{"gas", gasBid("Alpha", "125000", "500", ""), reported{kg: "26557.250", price: "125000.00"}},
		{"rebar with a limit", rebar, reported{kg: "1401.000", price: "99.50", limitValue: "700.500"}},
	}
	type view struct {
		ID    string `json:"id"`
		Price struct {
			Amount string `json:"amount"`
		} `json:"price"`
		Footprint struct {
			KgCO2e string `json:"kg_co2e"`
			Limits []struct {
				Value string `json:"value"`
			} `json:"limits"`
		} `json:"footprint"`
		Rounding struct {
			KgCO2e struct {
				Places int `json:"places"`
			} `json:"kg_co2e"`
			Money struct {
				Places int `json:"places"`
			} `json:"money"`
		} `json:"rounding"`
	}
	check := func(what string, v view, want reported) {
		t.Helper()
		if v.Footprint.KgCO2e != want.kg || v.Price.Amount != want.price || v.Rounding.KgCO2e.Places != 3 || v.Rounding.Money.Places != 2 {
			t.Errorf("%s: kg_co2e %q, price %q, rounding %+v; want %q, %q, 3 and 2 places", what, v.Footprint.KgCO2e, v.Price.Amount, v.Rounding, want.kg, want.price)
		}
		if want.limitValue != "" && (len(v.Footprint.Limits) == 0 || v.Footprint.Limits[0].Value != want.limitValue) {
			t.Errorf("%s: limits %+v; want the value %q", what, v.Footprint.Limits, want.limitValue)
		}
	}
	receipts := make([]BidReceipt, len(cases))
	for i, c := range cases {
		receipts[i] = e.submit(id, c.body)
		var v view
		e.want(e.do("GET", "/v1/tenders/"+id+"/bids/"+receipts[i].BidID, receipts[i].BidToken, ""), 200, &v, c.name)
		check(c.name+", to its token", v, c.want)
	}
	e.clock.Set(tenderDeadline)
	var ev tender.Evaluation
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
	rec := e.do("GET", "/v1/tenders/"+id+"/evaluation?format=csv", testOfficerToken, "")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != len(cases)+1 {
		t.Fatalf("csv: %v %v", rows, err)
	}
	for i, c := range cases {
		var v view
		e.want(e.do("GET", "/v1/tenders/"+id+"/bids/"+receipts[i].BidID, testOfficerToken, ""), 200, &v, c.name)
		check(c.name+", to an officer after opening", v, c.want)
		for j, rk := range ev.Ranking {
			if rk.BidID != receipts[i].BidID {
				continue
			}
			if rk.KgCO2e.String() != c.want.kg || rk.Price.Amount.String() != c.want.price {
				t.Errorf("%s: the evaluation reports kg_co2e %s, price %s; want %s, %s", c.name, rk.KgCO2e, rk.Price.Amount, c.want.kg, c.want.price)
			}
			if row := rows[j+1]; row[1] != rk.BidID || row[7] != c.want.kg || row[4] != c.want.price {
				t.Errorf("%s: CSV row %v; want kg_co2e %s and price %s", c.name, row, c.want.kg, c.want.price)
			}
		}
	}
}

// sha256Hex is the hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestTenderOCDSPublicURL: without a public URL the OCDS export is 409
// #no-public-url and records nothing; the extension files are served to
// anyone; a server with an invalid public URL is not built.
func TestTenderOCDSPublicURL(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	e := newTenderEnv(t, memFactory)
	id := e.createTender(carbonAward)
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: e.st,
		OfficerTokenHash: tender.HashToken(testOfficerToken), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v1/tenders/"+id+"/ocds", nil)
	req.Header.Set("Authorization", "Bearer "+testOfficerToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var p Problem
	if rec.Code != 409 || json.Unmarshal(rec.Body.Bytes(), &p) != nil || !strings.HasSuffix(p.Type, "#no-public-url") || !strings.Contains(p.Detail, "--public-url") {
		t.Errorf("no public URL: %d %s", rec.Code, rec.Body)
	}
	evs, err := e.st.Events(context.Background(), id)
	if err != nil || len(evs) != 1 {
		t.Errorf("events %d, %v: the refused export was recorded", len(evs), err)
	}
	for _, name := range []string{"extension.json", "release-schema.json"} {
		rec := e.do("GET", "/v1/ocds/extension/"+name, "", "")
		if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	for _, bad := range []string{"/v1", "ftp://x.example", "https://x.example/?q=1"} {
		if _, err := newServer(Config{Library: lib, Registry: reg, PublicURL: bad}); err == nil || !strings.Contains(err.Error(), "PublicURL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
