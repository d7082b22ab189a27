package store

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

// TestTenderUncertaintyRoundTrip: a tender's declared uncertainty report
// (migration 00012) is stored and read back as given on both backends, so
// its digest (and the seed derived from it) does not move; a database
// writer who changes the draws or the threshold is caught by Verify.
func TestTenderUncertaintyRoundTrip(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			ctx := context.Background()
			td := newTender("UNC-1")
			td.Uncertainty = &tender.UncertaintySetting{Draws: 10000, Threshold: decimal.RequireFromString("0.95")}
			created, err := s.CreateTender(ctx, td, "officer")
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Tender(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Uncertainty == nil || got.Uncertainty.Draws != 10000 || !got.Uncertainty.Threshold.Equal(td.Uncertainty.Threshold) {
				t.Fatalf("setting %+v", got.Uncertainty)
			}
			s1, _, _ := tender.UncertaintySeed(created)
			s2, _, _ := tender.UncertaintySeed(got)
			if s1 != s2 {
				t.Errorf("the seed moved through the store: %d, %d", s1, s2)
			}
			if r, err := s.Verify(ctx, created.ID); err != nil || !r.Verified {
				t.Errorf("verify: %+v %v", r, err)
			}
			plain, err := s.CreateTender(ctx, newTender("UNC-2"), "officer")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.Tender(ctx, plain.ID); err != nil || got.Uncertainty != nil {
				t.Errorf("a tender without a setting reads back with %+v (%v)", got.Uncertainty, err)
			}
			tamperSQL(t, s, "UPDATE tenders SET uncertainty = REPLACE(uncertainty, '10000', '100') WHERE id = ?", created.ID)
			if r, err := s.Verify(ctx, created.ID); err == nil && r.Verified {
				t.Error("a changed draws count verifies")
			}
		})
	}
}
