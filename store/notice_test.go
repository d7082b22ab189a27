package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/footprint-gpp/footprint/tender"
)

// TestTenderNoticeRoundTrip: a tender's notice details are stored and read
// back as given, on every backend, and the audit chain verifies (the
// created event's tender digest covers them); a tender without them reads
// back with none.
func TestTenderNoticeRoundTrip(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			ctx := context.Background()
			n := &tender.Notice{BuyerLegalName: "Rijkswaterstaat", BuyerCountry: "NLD", BuyerTown: "Utrecht", CPV: "45233142",
				ContractNature: "works", Description: "Resurfacing of the A12, lots 1 and 2", BuyerEmail: "inkoop@example.nl"}
			td := newTender("NOTICE-1")
			td.Notice = n
			created, err := s.CreateTender(ctx, td, "officer")
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Tender(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Notice, n) {
				t.Errorf("notice %+v, want %+v", got.Notice, n)
			}
			if r, err := s.Verify(ctx, created.ID); err != nil || !r.Verified {
				t.Errorf("verify: %+v %v", r, err)
			}
			// A database writer who changes the buyer's name is caught.
			tamperSQL(t, s, "UPDATE tenders SET notice = REPLACE(notice, 'Rijkswaterstaat', 'Someone else') WHERE id = ?", created.ID)
			if r, err := s.Verify(ctx, created.ID); err == nil && r.Verified {
				t.Errorf("a changed notice verifies: %+v", r)
			}
			plain := mustCreate(t, s, "NOTICE-2")
			if got, _ := s.Tender(ctx, plain.ID); got.Notice != nil {
				t.Errorf("a tender without notice reads back %+v", got.Notice)
			}
		})
	}
}
