package server

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// Idempotency-Keys of the tests, of the form CheckIdempotencyKey accepts
// (as `openssl rand -base64 32` and `openssl rand -hex 16` print them).
const (
	keyAlpha = "q3J0d9Zr8W1mXkT4bN6vYc2LhPs5AeGuFo7iRjQwKzE="
	keyBeta  = "Vb8Hk2Lq9Xz4Tn6Rm1Wc3Yp5Js7Gd0Fa-_eUoIiKkMm"
	keyLate  = "3f9c2a7d1e8b4c6f0a5d9e2b7c1f4a8d"
)

// TestIdempotencyKeyRule: keys that are not of the form of 128 random
// bits are refused (422 idempotency-key, saying how to make one) before
// the tender is even read; a header that is no key at all is 400; strong
// keys of every accepted form are taken.
func TestIdempotencyKeyRule(t *testing.T) {
	e := newTenderEnv(t, memFactory)
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	for i, c := range []struct {
		name, key string
		status    int
		slug      string
	}{
		{"short", "alpha-1", 422, "idempotency-key"},
		{"21 base64", "abcdefghijklmnopqrstu", 422, "idempotency-key"},
		{"31 hex", "0123456789abcdef0123456789abcde", 422, "idempotency-key"},
		{"repetitive", strings.Repeat("ab", 20), 422, "idempotency-key"},
		{"outside the alphabet", "abcdefghijklmnopqrstuvwxyz.", 422, "idempotency-key"},
		{"too much padding", "abcdefghijklmnopqrstuvwxyz===", 422, "idempotency-key"},
		{"space", "a b", 400, "invalid-parameter"},
		{"too long", strings.Repeat("abcdefgh", 40), 400, "invalid-parameter"},
		{"openssl base64", keyAlpha, 201, ""},
		{"base64url 22", "Xk3_mQ9-vR2tY7wPz4LsAb", 201, ""},
		{"openssl hex", keyLate, 201, ""},
		{"uuid", "9b2f6c1e-4d3a-4f8b-a1c7-5e2d8f0b3a96", 201, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid(fmt.Sprint("S", i), "10.00", "1", ""), "Idempotency-Key", c.key)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.slug != "" && !strings.Contains(rec.Body.String(), "#"+c.slug+`"`) {
				t.Errorf("problem %s: %s", c.slug, rec.Body)
			}
			if c.status == 422 && (!strings.Contains(rec.Body.String(), "openssl rand -base64 32") || strings.Contains(rec.Body.String(), c.key)) {
				t.Errorf("the 422 does not say how to make a key, or repeats the key: %s", rec.Body)
			}
		})
	}
}

// TestIdempotencyNoOracle: a key replays only the same bid content; any
// other content answers the same 409, byte for byte, whatever bid the key
// was first used for, naming none.
func TestIdempotencyNoOracle(t *testing.T) {
	eachStore(t, func(t *testing.T, e *tenderEnv) {
		id := e.createTender(`{"rule":"price_only","limits":"report"}`)
		a := e.submit(id, gasBid("Alpha BV", "1000.00", "10", ""), "Idempotency-Key", keyAlpha)
		b := e.submit(id, gasBid("Beta NV", "2000.00", "20", ""), "Idempotency-Key", keyBeta)
		var bodies []string
		for _, c := range []struct{ key, body string }{
			{keyAlpha, gasBid("Alpha BV", "1000.01", "10", "")}, // a guessed body, near
			{keyAlpha, gasBid("Mallory", "1.00", "1", "")},
			{keyBeta, gasBid("Mallory", "1.00", "1", "")},
			{keyBeta, gasBid("Alpha BV", "1000.00", "10", "")}, // another key's body
		} {
			rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", c.body, "Idempotency-Key", c.key)
			if rec.Code != http.StatusConflict {
				t.Fatalf("mismatch: status %d, want 409: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if strings.Contains(body, a.BidID) || strings.Contains(body, b.BidID) || strings.Contains(body, "first used") {
				t.Errorf("the 409 tells of the stored bid: %s", body)
			}
			bodies = append(bodies, body)
		}
		for _, body := range bodies[1:] {
			if body != bodies[0] {
				t.Errorf("409 bodies differ:\n%s\n%s", bodies[0], body)
			}
		}
		want := `{"type":"` + ProblemBase + `idempotency-conflict","title":"Idempotency-Key cannot be used","status":409,"detail":"this Idempotency-Key cannot be used for this request","errors":[]}` + "\n"
		if bodies[0] != want {
			t.Errorf("409 body:\n%s\nwant\n%s", bodies[0], want)
		}
		// The same content replays, with no token.
		var r BidReceipt
		e.want(e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Beta NV", "2000.00", "20", ""), "Idempotency-Key", keyBeta), 200, &r, "replay")
		if r.BidID != b.BidID || !r.Replayed || r.BidToken != "" {
			t.Errorf("replay: %+v", r)
		}
	})
}

// bigBid is a bid body of n lines.
func bigBid(supplier string, n int) string {
	var sb strings.Builder
	sb.WriteString(`{"supplier":"` + supplier + `","price":{"amount":"1000.00","currency":"EUR"},"lines":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%d","activity":"fuel.natural_gas","region":"US","quantity":"%d.5","unit":"mmBtu"}`, i+1, i%97+1)
	}
	sb.WriteString(`]}`)
	return sb.String()
}

// countingStore records which store methods are called, and how many
// bytes of bid content (lines) they return.
type countingStore struct {
	store.Store
	mu        sync.Mutex
	calls     []string
	lineBytes int
}

func (c *countingStore) record(name string, b ...tender.Bid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, name)
	for _, x := range b {
		for _, l := range x.Lines {
			c.lineBytes += len(l.ID) + len(l.Activity) + len(l.Quantity.String()) + len(l.Unit) + len(l.Region)
		}
	}
}

func (c *countingStore) reset() (calls []string, lineBytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls, lineBytes = c.calls, c.lineBytes
	c.calls, c.lineBytes = nil, 0
	return calls, lineBytes
}

func (c *countingStore) Tender(ctx context.Context, id string) (tender.Tender, error) {
	c.record("Tender")
	return c.Store.Tender(ctx, id)
}

func (c *countingStore) Bid(ctx context.Context, tenderID, bidID string, token ...string) (tender.Bid, string, error) {
	b, h, err := c.Store.Bid(ctx, tenderID, bidID, token...)
	c.record("Bid", b)
	return b, h, err
}

func (c *countingStore) BidTokenHash(ctx context.Context, tenderID, bidID string) (string, error) {
	c.record("BidTokenHash")
	return c.Store.BidTokenHash(ctx, tenderID, bidID)
}

func (c *countingStore) Bids(ctx context.Context, tenderID string) ([]tender.Bid, error) {
	bs, err := c.Store.Bids(ctx, tenderID)
	c.record("Bids", bs...)
	return bs, err
}

func (c *countingStore) BidSummaries(ctx context.Context, tenderID string) ([]store.BidSummary, error) {
	c.record("BidSummaries")
	return c.Store.BidSummaries(ctx, tenderID)
}

// TestBidAuthWork: the 401 of a wrong secret on an existing 10,000-line
// bid and of an unknown bid id does the same work: the same store calls
// (the tender, then the token hash alone), and no bid content read. (A
// wall-clock test would be flaky; BenchmarkBidAuth401 measures the
// times.) A GET and a DELETE by the bid's own token still work.
func TestBidAuthWork(t *testing.T) {
	cs := &countingStore{}
	e := newTenderEnv(t, func() store.Store {
		cs.Store = sqliteFactory(t)()
		return cs
	})
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	big := e.submit(id, bigBid("Big BV", 10000))
	wrong := big.BidID + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	unknown := "0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	type work struct {
		calls     string
		lineBytes int
		body      string
	}
	measure := func(method, bidID, token string) work {
		cs.reset()
		rec := e.do(method, "/v1/tenders/"+id+"/bids/"+bidID, token, "")
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%s %s: status %d, want 401: %s", method, bidID, rec.Code, rec.Body)
		}
		calls, n := cs.reset()
		return work{strings.Join(calls, ","), n, rec.Body.String()}
	}
	for _, method := range []string{"GET", "DELETE"} {
		existing := measure(method, big.BidID, wrong)
		none := measure(method, "0123456789abcdef", unknown)
		if existing != none {
			t.Errorf("%s: the 401 of a wrong token on a 10,000-line bid does %+v; of an unknown bid %+v", method, existing, none)
		}
		if existing.lineBytes != 0 || existing.calls != "Tender,BidTokenHash" {
			t.Errorf("%s: before the 401: calls %s, %d bytes of lines read; want Tender,BidTokenHash and none", method, existing.calls, existing.lineBytes)
		}
	}
	var own tenders.BidView
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids/"+big.BidID, big.BidToken, ""), 200, &own, "own bid")
	if len(own.Lines) != 10000 {
		t.Errorf("own bid: %d lines", len(own.Lines))
	}
	e.want(e.do("DELETE", "/v1/tenders/"+id+"/bids/"+big.BidID, big.BidToken, ""), 204, nil, "withdraw")
}

// TestSealedListReadsNoContent: GET …/bids reads the bids' summaries,
// never their content, and answers what the content gives.
func TestSealedListReadsNoContent(t *testing.T) {
	cs := &countingStore{}
	e := newTenderEnv(t, func() store.Store {
		cs.Store = sqliteFactory(t)()
		return cs
	})
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	a := e.submit(id, bigBid("Big BV", 2000))
	b := e.submit(id, gasBid("Small", "10.00", "1", ""))
	cs.reset()
	var sealed tenders.SealedBids
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids", testOfficerToken, ""), 200, &sealed, "sealed list")
	calls, n := cs.reset()
	if strings.Join(calls, ",") != "Tender,BidSummaries" || n != 0 {
		t.Errorf("the sealed list called %v and read %d bytes of lines; want Tender,BidSummaries and none", calls, n)
	}
	if sealed.Count != 2 || sealed.Bids[0].BidID != a.BidID || sealed.Bids[0].Commitment != a.Commitment || sealed.Bids[1].Commitment != b.Commitment || a.Commitment == "" || sealed.Bids[0].Digests != nil {
		t.Errorf("sealed list %+v; receipts %+v %+v", sealed, a, b)
	}
}

// TestSubmissionsBusy: beyond tenders.MaxConcurrentSubmissions bids to
// one tender in progress, a submission is 503 with Retry-After before its
// body is read; another tender is not affected; a slot freed is taken.
func TestSubmissionsBusy(t *testing.T) {
	e := newTenderEnv(t, memFactory)
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	other := e.createTender(`{"rule":"price_only","limits":"report"}`)
	var releases []func()
	for range tenders.MaxConcurrentSubmissions {
		release, err := e.s.svc.Admit(id, 1)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("S", "10.00", "1", ""))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "#busy") {
		t.Fatalf("a submission beyond the limit: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	e.submit(other, gasBid("S", "10.00", "1", ""))
	releases[0]()
	releases[0]() // a second release frees nothing more
	e.submit(id, gasBid("S", "10.00", "1", ""))
	if rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("S", "10.00", "1", "")); rec.Code != http.StatusCreated {
		// One slot was freed and its submission has finished: free again.
		t.Fatalf("after a release: %d: %s", rec.Code, rec.Body)
	}
	if _, err := e.s.svc.Admit(id, 1); err != nil {
		t.Fatalf("one slot is free: %v", err)
	}
	if _, err := e.s.svc.Admit(id, 1); err == nil {
		t.Errorf("the limit let one more in after a double release")
	}
}

// TestMaxBids: max_bids is declared at creation (default 10,000, shown in
// the notice); the (cap+1)th bid is 409 too-many-bids; a cap out of range
// is 422 at /max_bids.
func TestMaxBids(t *testing.T) {
	eachStore(t, func(t *testing.T, e *tenderEnv) {
		body := func(cap string) string {
			return strings.Replace(tenderBody(`{"rule":"price_only","limits":"report"}`), `"award":`, `"max_bids":`+cap+`,"award":`, 1)
		}
		var tv map[string]any
		e.want(e.do("POST", "/v1/tenders", testOfficerToken, body("2")), 201, &tv, "create with a cap")
		id := tv["id"].(string)
		if tv["max_bids"] != float64(2) {
			t.Errorf("notice max_bids %v, want 2", tv["max_bids"])
		}
		e.submit(id, gasBid("A", "10.00", "1", ""))
		e.submit(id, gasBid("B", "10.00", "1", ""))
		rec := e.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("C", "10.00", "1", ""))
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "#too-many-bids") || !strings.Contains(rec.Body.String(), "at most 2 bids") {
			t.Errorf("third bid: %d: %s", rec.Code, rec.Body)
		}
		e.want(e.do("GET", "/v1/tenders/"+e.createTender(`{"rule":"price_only","limits":"report"}`), "", ""), 200, &tv, "default")
		if tv["max_bids"] != float64(tender.DefaultMaxBids) {
			t.Errorf("default max_bids %v", tv["max_bids"])
		}
		for _, bad := range []string{"0", "-1", "100001", "1.5", `"10"`} {
			rec := e.do("POST", "/v1/tenders", testOfficerToken, body(bad))
			if rec.Code != http.StatusUnprocessableEntity || !bytes.Contains(rec.Body.Bytes(), []byte(`"/max_bids"`)) {
				t.Errorf("max_bids %s: %d: %s", bad, rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkBidAuth401 measures the 401 of GET …/bids/{bid_id} on SQLite
// with a wrong token on an existing 10,000-line bid and with a token of an
// unknown bid id; each reports its median latency (ns) besides the mean:
//
//	go test ./server -run '^$' -bench BidAuth401 -benchtime 400x
//
// The guess limits are raised out of reach: the benchmark measures the
// check the limiter guards, which the default limits would answer 429,
// unchecked, after the tenth wrong token.
func BenchmarkBidAuth401(b *testing.B) {
	e := newTenderEnv(b, sqliteFactory(b), func(c *Config) {
		c.Guesses = GuessLimits{PerAddress: math.MaxInt32, PerTarget: math.MaxInt32}
	})
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	big := e.submit(id, bigBid("Big BV", 10000))
	for _, c := range []struct{ name, bidID, token string }{
		{"existing-10000-lines", big.BidID, big.BidID + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"unknown-id", "0123456789abcdef", "0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	} {
		b.Run(c.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				rec := e.do("GET", "/v1/tenders/"+id+"/bids/"+c.bidID, c.token, "")
				times = append(times, time.Since(start))
				if rec.Code != http.StatusUnauthorized {
					b.Fatalf("status %d", rec.Code)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns")
		})
	}
}
