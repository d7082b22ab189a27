package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// testBidCap: a tender takes MaxBids bids, withdrawn ones counted; the
// next is ErrTooManyBids, checked in the transaction that writes, and a
// tender stored without a cap (0) takes tender.DefaultMaxBids.
func testBidCap(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	nt := newTender("T-cap")
	nt.MaxBids = 2
	td, err := s.CreateTender(ctx, nt, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if back, _ := s.Tender(ctx, td.ID); back.MaxBids != 2 {
		t.Fatalf("stored MaxBids %d, want 2", back.MaxBids)
	}
	at := t0.Add(time.Hour)
	a := mustSubmit(t, s, td.ID, 1, at)
	mustSubmit(t, s, td.ID, 2, at)
	if err := s.WithdrawBid(ctx, td.ID, a.ID, at); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SubmitBid(ctx, td.ID, newBid("S3", "1.00", "1", at), "h", "", at)
	if !errors.Is(err, tender.ErrTooManyBids) {
		t.Fatalf("third bid on a cap of 2: %v, want ErrTooManyBids", err)
	}
	if bids, _ := s.Bids(ctx, td.ID); len(bids) != 2 {
		t.Errorf("%d bids stored, want 2", len(bids))
	}
	plain := mustCreate(t, s, "T-default")
	if plain.MaxBids != 0 || plain.BidCap() != tender.DefaultMaxBids {
		t.Errorf("a tender without a cap: MaxBids %d, cap %d", plain.MaxBids, plain.BidCap())
	}
}

// testSummaries: BidSummaries gives, without reading content, what the
// bids' content gives (digests, times, line count); BidTokenHash gives the
// token hash alone.
func testSummaries(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	a := mustSubmit(t, s, td.ID, 1, t0.Add(time.Hour))
	mustSubmit(t, s, td.ID, 2, t0.Add(2*time.Hour))
	if err := s.WithdrawBid(ctx, td.ID, a.ID, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, s, td.ID)
	h, err := s.BidTokenHash(ctx, td.ID, a.ID)
	if err != nil || h != tender.HashToken("token1") {
		t.Errorf("BidTokenHash: %q, %v", h, err)
	}
	if _, err := s.BidTokenHash(ctx, td.ID, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("BidTokenHash of no bid: %v, want ErrNotFound", err)
	}
	if _, err := s.BidSummaries(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("BidSummaries of no tender: %v, want ErrNotFound", err)
	}
}

// checkSummaries compares BidSummaries with summaries of the full bids.
func checkSummaries(t *testing.T, s *sqlStore, tenderID string) {
	t.Helper()
	ctx := context.Background()
	bids, err := s.Bids(ctx, tenderID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.BidSummaries(ctx, tenderID)
	if err != nil || len(got) != len(bids) {
		t.Fatalf("BidSummaries: %d, %v; want %d", len(got), err, len(bids))
	}
	for i, b := range bids {
		want, err := summarize(b)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got[i]) != fmt.Sprint(want) {
			t.Errorf("summary %d:\n got %+v\nwant %+v", i, got[i], want)
		}
	}
}

// testBackfill: migration 00003 on bids stored before it (the legacy
// fixture, one of its bids given a plain Idempotency-Key as that version
// stored it) hashes the key and fills the summaries; before it runs,
// BidSummaries summarises such rows from their content.
func testBackfill(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	id := loadLegacy(t, s)
	bids, err := s.Bids(ctx, id)
	if err != nil || len(bids) != 3 {
		t.Fatalf("bids: %d, %v", len(bids), err)
	}
	tamperSQL(t, s, "UPDATE bids SET idempotency_key = 'a-legacy-key' WHERE tender_id = ? AND id = ?", id, bids[1].ID)
	checkSummaries(t, s, id) // lazily, from the content
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := runBackfill(ctx, tx, s.d); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var key sql.NullString
	var nulls int
	if err := s.r.QueryRowContext(ctx, s.d.q("SELECT idempotency_key FROM bids WHERE tender_id = ? AND id = ?"), id, bids[1].ID).Scan(&key); err != nil || key.String != HashIdempotencyKey("a-legacy-key") {
		t.Errorf("the legacy key reads %q (%v), want its hash", key.String, err)
	}
	if err := s.r.QueryRowContext(ctx, s.d.q("SELECT COUNT(*) FROM bids WHERE tender_id = ? AND (bid_digest IS NULL OR result_digest IS NULL OR line_count IS NULL)"), id).Scan(&nulls); err != nil || nulls != 0 {
		t.Errorf("%d bids without a summary after the backfill (%v)", nulls, err)
	}
	checkSummaries(t, s, id) // from the columns
	// A retry with the key sent before the upgrade still replays.
	again := bids[1]
	again.ID, again.WithdrawnAt = "", nil
	got, replayed, err := s.SubmitBid(ctx, id, again, "h", HashIdempotencyKey("a-legacy-key"), t0)
	if err != nil || !replayed || got.ID != bids[1].ID {
		t.Errorf("retry with the legacy key: %v, replayed %v, id %q", err, replayed, got.ID)
	}
}

// testOpenStreams: Open hands the bids to evaluate as a sequence in
// receipt order, read as it is ranged over; an evaluate that stops early
// leaves the transaction usable, and a failing one stores nothing.
func testOpenStreams(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	var want []string
	for i := range 5 {
		want = append(want, mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(5-i)*time.Hour)).ID)
	}
	// Receipt order: the last submitted was received first.
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i]
	}
	stop := errors.New("stop")
	_, err := s.Open(ctx, td.ID, "officer", "", deadline, func(_ tender.Tender, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
		var got []string
		for b, err := range bids {
			if err != nil {
				return nil, err
			}
			got = append(got, b.ID)
			if len(b.Lines) != 1 || b.Footprint.Receipt.ResultDigest == "" {
				t.Errorf("bid %s streamed without its content", b.ID)
			}
			if len(got) == 3 {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want[:3]) {
			t.Errorf("streamed %v, want %v", got, want[:3])
		}
		return nil, stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Open with a failing evaluate: %v", err)
	}
	ev, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
	if err != nil || len(ev.Ranking) != 5 {
		t.Fatalf("Open: %v", err)
	}
}
