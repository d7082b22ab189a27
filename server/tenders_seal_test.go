package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// TestSealedListBruteForce runs the attack of issue 15, point 1: with the
// public notice in hand, a brute force over plausible bids computes their
// digests and looks for them in what an officer sees before opening (the
// sealed list and the audit trail). The receipts give the true digests a
// perfect guess would produce; neither they nor anything else derived
// from a bid's content alone may appear. Two bids of identical content get
// different commitments (salted: a guess cannot even tell them equal).
// After opening, every commitment opens with the nonce the evaluation
// reveals, and no other content does.
func TestSealedListBruteForce(t *testing.T) {
	eachStore(t, func(t *testing.T, e *tenderEnv) {
		id := e.createTender(`{"rule":"price_only","limits":"report"}`)
		a := e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""))
		b := e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""))
		c := e.submit(id, gasBid("Bravo BV", "1004000.00", "1200", ""))
		seen := e.do("GET", "/v1/tenders/"+id+"/bids", testOfficerToken, "").Body.String() +
			e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, "").Body.String()
		for _, r := range []BidReceipt{a, b, c} {
			for _, d := range []string{r.Digests.Bid, r.Digests.Result} {
				if d == "" || strings.Contains(seen, d) {
					t.Errorf("bid %s: its digest %.16s… is shown before opening: a brute force of the notice's plausible bids matches it", r.BidID, d)
				}
			}
			if r.Commitment == "" || !strings.Contains(seen, r.Commitment) {
				t.Errorf("bid %s: its commitment is not what the sealed list shows", r.BidID)
			}
		}
		if a.Digests.Bid != b.Digests.Bid && a.Digests.Result != b.Digests.Result {
			t.Fatalf("the two identical bids differ in content: the test proves nothing")
		}
		if a.Commitment == b.Commitment {
			t.Error("two bids of identical content have one commitment: not salted")
		}

		e.clock.Set(tenderDeadline)
		e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, nil, "open")
		var ev tender.Evaluation
		e.want(e.do("GET", "/v1/tenders/"+id+"/evaluation", testOfficerToken, ""), 200, &ev, "evaluation")
		byID := map[string]tender.Ranked{}
		for _, r := range ev.Ranking {
			byID[r.BidID] = r
		}
		for _, r := range []BidReceipt{a, b, c} {
			rk := byID[r.BidID]
			nonce, err := seal.ParseNonce(rk.Nonce)
			if err != nil || rk.Commitment != r.Commitment {
				t.Fatalf("bid %s: the evaluation reveals nonce %q and commitment %.16s…, want the receipt's commitment: %v", r.BidID, rk.Nonce, rk.Commitment, err)
			}
			if !seal.CheckCommitment(rk.Commitment, nonce, tender.CommitmentContent(r.Digests.Bid, r.Digests.Result)) {
				t.Errorf("bid %s: the commitment does not open with the revealed nonce", r.BidID)
			}
			if seal.CheckCommitment(rk.Commitment, nonce, tender.CommitmentContent(c.Digests.Bid, r.Digests.Result)) && r.BidID != c.BidID {
				t.Errorf("bid %s: the commitment opens to another bid's content", r.BidID)
			}
		}
		raw, _ := json.Marshal(ev)
		if !strings.Contains(string(raw), `"nonce"`) {
			t.Error("the evaluation JSON has no nonces")
		}
	})
}

// TestOfficerTokenVaulted: with the key file, the stored officer token
// hash carries a tag no database writer can make, and sessions are signed
// with a key derived from the key file, not one kept in the database. A
// hash put in place of the stored one (the writer's own token) is refused
// at start; a hash stored before the key file is tagged on first use.
func TestOfficerTokenVaulted(t *testing.T) {
	ctx := context.Background()
	k, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	st := newMemStore()
	h, gen, err := OfficerToken(ctx, st, getenv, k)
	if err != nil || gen == "" {
		t.Fatalf("generate: %v", err)
	}
	if again, _, err := OfficerToken(ctx, st, getenv, k); err != nil || again != h {
		t.Fatalf("second start: %q, %v", again, err)
	}
	// A database writer puts the hash of a token of theirs in its place.
	if err := st.SetSetting(ctx, OfficerTokenSetting, tender.HashToken("mallory-token-0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	if got, _, err := OfficerToken(ctx, st, getenv, k); !errors.Is(err, ErrOfficerTokenReplaced) || got != "" {
		t.Errorf("a replaced hash: %q, %v; want ErrOfficerTokenReplaced", got, err)
	}
	// A hash stored before the key file: trusted once, then tagged.
	legacy := newMemStore()
	if _, _, err := OfficerToken(ctx, legacy, getenv, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OfficerToken(ctx, legacy, getenv, k); err != nil {
		t.Fatalf("first start with the key file: %v", err)
	}
	if tag, ok, _ := legacy.Setting(ctx, officerTokenTagSetting); !ok || tag == "" {
		t.Error("the legacy hash was not tagged")
	}

	// Sessions: keyed by the vault, nothing kept in the store.
	tw := newTenderWeb(Config{Store: st, OfficerTokenHash: h, Vault: k})
	key, err := tw.sessionKey(ctx)
	if err != nil || len(key) != 32 {
		t.Fatalf("session key: %v", err)
	}
	if _, ok, _ := st.Setting(ctx, sessionKeySetting); ok {
		t.Error("a session key is kept in the database")
	}
	other, _ := seal.Generate()
	key2, _ := newTenderWeb(Config{Store: st, OfficerTokenHash: h, Vault: other}).sessionKey(ctx)
	if bytes.Equal(key, key2) {
		t.Error("the session key does not depend on the key file")
	}
}

// TestConcurrentBigBidsBounded: 16 clients submit 10,000-line bids to one
// tender at once. The tender's submission units (tenders.
// MaxConcurrentSubmissions, weighted by body size) let only a few be read
// and computed at a time and answer the others 503 with Retry-After at
// once, so the heap in use stays under the bound stated in docs/api.md
// (320 MB for one tender's submissions; about 190 MB measured), whatever the
// number of clients. The peak is sampled while the requests run.
func TestConcurrentBigBidsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("16 bids of 10,000 lines")
	}
	e := newTenderEnv(t, memFactory)
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	body := bigBid("Big BV", 10_000)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	var wg sync.WaitGroup
	codes := make([]int, 16)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodPost, "/v1/tenders/"+id+"/bids", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.s.ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	var created, busy int
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusServiceUnavailable:
			busy++
		default:
			t.Errorf("a submission answered %d", c)
		}
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("%d created, %d busy; heap in use grew by at most %d MB", created, busy, grew>>20)
	if created == 0 || busy == 0 {
		t.Errorf("%d created and %d refused: the units should let some in and refuse the rest", created, busy)
	}
	const bound = 320 << 20 // measured: about 190 MB
	if grew > bound {
		t.Errorf("heap in use grew by %d MB while 16 big bids were submitted; the bound is %d MB", grew>>20, bound>>20)
	}
}

// TestReversedOpeningRefused is the insider attack of issue 15, point 3,
// over HTTP on a sealed SQLite store: after the opening, a database
// writer deletes the opening's events and the evaluation and sets the
// status and head back (restoring the older head's own signature). The
// audit answers not verified, naming the removed events, and a second
// POST …/open is refused 409 #chain-rolled-back instead of opening again.
func TestReversedOpeningRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "footprint.db")
	k, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := seal.OpenCheckpoint(filepath.Join(dir, "footprint.checkpoint"), k.VerifyKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Close() })
	e := newTenderEnv(t, func() store.Store {
		st, err := store.OpenWith(ctx, "sqlite:"+path, store.Options{Keys: k, Checkpoint: cp})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""))
	e.clock.Set(tenderDeadline)
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, nil, "open")

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"DELETE FROM evaluations WHERE tender_id = ?",
		"DELETE FROM events WHERE tender_id = ? AND seq > 2",
		"UPDATE tenders SET status = 'open', head_seq = 2, head_hash = (SELECT hash FROM events WHERE tender_id = tenders.id AND seq = 2), head_sig = (SELECT sig FROM events WHERE tender_id = tenders.id AND seq = 2) WHERE id = ?",
	} {
		if _, err := raw.Exec(q, id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var audit store.VerifyResult
	e.want(e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	if audit.Verified || !strings.Contains(audit.Problem, "events were removed") {
		t.Errorf("audit after the reversal: verified %v, %q", audit.Verified, audit.Problem)
	}
	rec := e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, "")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "#chain-rolled-back") {
		t.Errorf("a second opening after the reversal: %d %s", rec.Code, rec.Body)
	}
}

// eachStore runs f on a tender environment over each store the handler
// tests use: in memory and SQLite.
func eachStore(t *testing.T, f func(t *testing.T, e *tenderEnv)) {
	for _, s := range []struct {
		name string
		f    storeFactory
	}{{"memory", memFactory}, {"sqlite", sqliteFactory(t)}} {
		t.Run(s.name, func(t *testing.T) { f(t, newTenderEnv(t, s.f)) })
	}
}
