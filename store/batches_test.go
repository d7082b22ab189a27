package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// batchRows are tender tenderID's batch key rows.
func batchRows(t *testing.T, s *sqlStore, tenderID string) map[string]bool {
	t.Helper()
	rows, err := s.r.Query(s.d.q("SELECT holder FROM tender_keys WHERE tender_id = ? AND holder LIKE 'batch:%'"), tenderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		out[h[len(holderBatchPrefix):]] = true
	}
	return out
}

// testBatchKeys: a sealed tender's bids are sealed in runs of at most
// batchMaxBids bids or batchMaxAge, each run's key stored wrapped with
// its first bid and destroyed in memory when the run ends; the opening
// reads bids of every run, and of another server's runs.
func testBatchKeys(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-batch")
	at := t0.Add(time.Hour)
	if s.o.Keys == nil {
		// Bids in clear: no batch key is made.
		mustSubmit(t, s, td.ID, 0, at)
		if n := len(batchRows(t, s, td.ID)); n != 0 {
			t.Fatalf("%d batch keys stored for a tender whose bids are in clear", n)
		}
		return
	}
	// A submission refused after the deadline stores nothing, not even
	// the batch key it took: the next bid's write stores it.
	if _, _, err := s.SubmitBid(ctx, td.ID, newBid("Late", "1.00", "1", deadline), "", "", deadline); !errors.Is(err, tender.ErrDeadlinePassed) {
		t.Fatalf("late bid: %v", err)
	}
	if n := len(batchRows(t, s, td.ID)); n != 0 {
		t.Fatalf("a refused submission stored %d batch keys", n)
	}
	first := mustSubmit(t, s, td.ID, 0, at)
	s.batches.mu.Lock()
	run := s.batches.cur[td.ID]
	s.batches.mu.Unlock()
	want := 2*batchMaxBids + 10 // bids at one instant: three runs
	for i := 1; i < want; i++ {
		mustSubmit(t, s, td.ID, i, at)
	}
	if _, err := run.bk.Seal("x", []byte("x")); !errors.Is(err, seal.ErrNoKey) {
		t.Fatalf("the first run's key still seals after %d bids: %v", want, err)
	}
	// A minute later, a new run; and a second server makes runs of its own.
	mustSubmit(t, s, td.ID, want, at.Add(batchMaxAge))
	second := reopen(t, s, url)
	mustSubmit(t, second, td.ID, want+1, at.Add(batchMaxAge))
	want += 2
	rows := batchRows(t, s, td.ID)
	if len(rows) != 5 {
		t.Fatalf("%d batch keys for %d bids (runs of %d, one a minute later, one of a second server): want 5", len(rows), want, batchMaxBids)
	}
	used := map[string]int{}
	var ids []string
	rs, err := s.r.Query(s.d.q("SELECT id, sealed FROM bids WHERE tender_id = ?"), td.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id string
		var ct []byte
		if err := rs.Scan(&id, &ct); err != nil {
			t.Fatal(err)
		}
		b, ok := seal.BatchIDOf(ct)
		if !ok || !rows[b] {
			t.Fatalf("bid %s is sealed with batch %q, which has no row", id, b)
		}
		used[b]++
		ids = append(ids, id)
	}
	rs.Close()
	for b, n := range used {
		if n > batchMaxBids {
			t.Fatalf("batch %s sealed %d bids, more than %d", b, n, batchMaxBids)
		}
	}
	if len(ids) != want {
		t.Fatalf("%d bids stored, want %d", len(ids), want)
	}
	// One bid read alone (its batch key only), then all at the opening.
	got, _, err := s.Bid(ctx, td.ID, first.ID)
	if err != nil || got.Supplier != "Supplier 0" {
		t.Fatalf("Bid: %q, %v", got.Supplier, err)
	}
	ev, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Ranking) != want {
		t.Fatalf("the opening ranked %d bids, want %d", len(ev.Ranking), want)
	}
}

// TestBatchSealerConcurrent: bids sealed at once by many submitters each
// get a live key, runs stay within batchMaxBids, and every key is
// destroyed once its run is retired and its seals are done.
func TestBatchSealerConcurrent(t *testing.T) {
	tk, err := seal.NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	var s batchSealer
	var mu sync.Mutex
	runs := map[*batch]int{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := []string{"t1", "t2"}[(g+i)%2]
				b, err := s.take(id, tk.Recipient(), t0)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := b.bk.Seal("c", []byte("bid")); err != nil {
					t.Errorf("a key handed out does not seal: %v", err)
				}
				s.done(b)
				mu.Lock()
				runs[b]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	live := 0
	for b, n := range runs {
		if n > batchMaxBids {
			t.Fatalf("a run sealed %d bids", n)
		}
		_, err := b.bk.Seal("c", []byte("x"))
		if b.retired != errors.Is(err, seal.ErrNoKey) {
			t.Fatalf("retired %v, but Seal after the run: %v", b.retired, err)
		}
		if !b.retired {
			live++
		}
	}
	if live != 2 {
		t.Fatalf("%d runs still live, want one per tender", live)
	}
	// A minute on, taking a key retires every run older than that.
	if _, err := s.take("t3", tk.Recipient(), t0.Add(batchMaxAge)); err != nil {
		t.Fatal(err)
	}
	for b := range runs {
		if !b.retired {
			t.Fatal("a run outlived batchMaxAge")
		}
	}
	// Closing the store destroys the runs left.
	last, err := s.take("t4", tk.Recipient(), t0.Add(batchMaxAge))
	if err != nil {
		t.Fatal(err)
	}
	s.done(last)
	s.close()
	if _, err := last.bk.Seal("c", []byte("x")); !errors.Is(err, seal.ErrNoKey) || len(s.cur) != 0 {
		t.Fatalf("after close: %d runs left, Seal: %v", len(s.cur), err)
	}
}
