package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/tender"
)

// seedTender stores a tender with one bid in a new SQLite file and returns
// the file and the tender's id.
func seedTender(t *testing.T) (path, id string) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "footprint.db")
	st := openSealed(t, "sqlite:"+path)
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	digest := strings.Repeat("ab", 32)
	td, err := st.CreateTender(ctx, tender.Tender{
		Reference: "T-1", Title: "Bridge deck", Buyer: "City of X", Currency: "EUR", Deadline: t0.Add(48 * time.Hour),
		Method: tender.MethodPin{ID: "us-federal", Version: "2025.1", Digest: digest},
		Award:  tender.Award{Rule: tender.PriceOnly, Limits: tender.LimitsReport}, Status: tender.StatusOpen, Created: t0,
	}, "officer")
	if err != nil {
		t.Fatal(err)
	}
	b := tender.Bid{
		Supplier: "S", Price: tender.Price{Amount: decimal.RequireFromString("1000.00"), Currency: "EUR"},
		Lines:     []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1"), Unit: "mmBtu"}},
		Footprint: tender.Summary{KgCO2e: decimal.RequireFromString("53.06"), Limits: []tender.LimitResult{}, Receipt: calc.Receipt{MethodDigest: digest}},
	}
	if _, _, err := st.SubmitBid(ctx, td.ID, b, tender.HashToken("x"), "", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return path, td.ID
}

func TestTendersVerify(t *testing.T) {
	path, id := seedTender(t)
	db := "sqlite:" + path
	tests := []struct {
		name   string
		args   []string
		code   int
		outHas []string
		errHas string
	}{
		{"verified", []string{"tenders", "verify", "--db", db, id}, 0, []string{"SEQ", "1  ", "created", "bid_received", "tender=", "commitment=", "verified: 2 events"}, ""},
		{"unknown tender", []string{"tenders", "verify", "--db", db, "nope"}, 1, nil, "not found"},
		{"no database", []string{"tenders", "verify", "--db", "sqlite:" + filepath.Join(t.TempDir(), "none.db"), id}, 1, nil, "no database there"},
		{"unsupported URL", []string{"tenders", "verify", "--db", "mysql://x/y", id}, 1, nil, "unsupported database URL"},
		{"no id", []string{"tenders", "verify", "--db", db}, 2, nil, "exactly one tender id"},
		{"unknown subcommand", []string{"tenders", "frobnicate"}, 2, nil, "unknown subcommand"},
		{"no subcommand", []string{"tenders"}, 2, nil, "usage: footprint tenders"},
		{"help", []string{"tenders", "verify", "--help"}, 0, nil, "usage: footprint tenders verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s; stderr %s", code, tt.code, out, errs)
			}
			for _, s := range tt.outHas {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			if !strings.Contains(errs, tt.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tt.errHas, errs)
			}
		})
	}

	// A bid edited in the database: not verified, the bid's event named.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE bids SET sealed = substr(sealed, 1, length(sealed) - 1)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, out, _ := runCmd(t, "", "tenders", "verify", "--db", db, id)
	if code != 1 || !strings.Contains(out, "NOT VERIFIED: event 2 (bid_received)") || !strings.Contains(out, "<- first bad event") {
		t.Errorf("after editing the bid: exit %d, stdout:\n%s", code, out)
	}
}
