package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestStreamBidsInOrder: on every backend, the bids streamed to the
// opening (decrypted ahead by workers when sealed) come in receipt
// order, as listBids reads them, with their content; a consumer that
// stops early leaves no goroutine behind and the transaction usable; a
// bid whose sealed content no longer opens comes as an error in its
// place, after the bids before it.
func TestStreamBidsInOrder(t *testing.T) {
	ctx := context.Background()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			s, _ := be.open(t)
			td := mustCreate(t, s, "T-STREAM")
			at := td.Deadline.Add(-time.Hour)
			const n = 40
			for i := range n {
				mustSubmit(t, s, td.ID, i, at.Add(time.Duration(i)*time.Second))
			}
			var want []storedBid
			err := s.read(ctx, func(tx *sql.Tx) error {
				var err error
				want, err = s.listBids(ctx, tx, td.ID)
				return err
			})
			if err != nil || len(want) != n {
				t.Fatalf("listBids: %d, %v", len(want), err)
			}
			goroutines := runtime.NumGoroutine()
			err = s.read(ctx, func(tx *sql.Tx) error {
				i := 0
				for b, err := range s.streamBids(ctx, tx, td.ID) {
					if err != nil {
						return err
					}
					if b.ID != want[i].bid.ID || b.Supplier != want[i].bid.Supplier || !b.Price.Amount.Equal(want[i].bid.Price.Amount) || len(b.Lines) != len(want[i].bid.Lines) {
						t.Errorf("bid %d: %s %q, want %s %q", i, b.ID, b.Supplier, want[i].bid.ID, want[i].bid.Supplier)
					}
					i++
				}
				if i != n {
					t.Errorf("%d bids streamed, want %d", i, n)
				}
				for range s.streamBids(ctx, tx, td.ID) {
					break
				}
				// The transaction still answers.
				_, _, err := s.getTender(ctx, tx, td.ID, false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			if g := runtime.NumGoroutine(); g > goroutines {
				t.Errorf("%d goroutines after the streams, %d before", g, goroutines)
			}
			if s.o.Keys == nil {
				return
			}
			// Bid 25's sealed content no longer opens.
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", []byte("garbage"), td.ID, want[25].bid.ID)
			err = s.read(ctx, func(tx *sql.Tx) error {
				i := 0
				for b, err := range s.streamBids(ctx, tx, td.ID) {
					if err != nil {
						if i != 25 || !errors.Is(err, errCorrupt) {
							t.Errorf("error at bid %d: %v; want errCorrupt at 25", i, err)
						}
						return nil
					}
					if b.ID != want[i].bid.ID {
						t.Errorf("bid %d: %s, want %s", i, b.ID, want[i].bid.ID)
					}
					i++
				}
				t.Error("the damaged bid was read")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
