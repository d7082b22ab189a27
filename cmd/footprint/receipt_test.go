package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/tender"
)

// TestTendersVerifyReceipt: a supplier's saved receipt shows its bid is
// still in the chain at its place. After a database writer removes the
// bid and moves the head back to the event before it, restoring that
// event's own signed head, and the checkpoint file is lost too, verify
// without receipts has nothing to hold the chain to; with the receipt it
// reports NOT VERIFIED, naming the removed events.
func TestTendersVerifyReceipt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "footprint.db")
	db := "sqlite:" + path
	st := openSealed(t, db)
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
	var receipts []string
	for i, supplier := range []string{"Alpha", "Bravo"} {
		b := tender.Bid{
			Supplier: supplier, Price: tender.Price{Amount: decimal.RequireFromString("1000.00"), Currency: "EUR"},
			Lines:     []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1"), Unit: "mmBtu"}},
			Footprint: tender.Summary{KgCO2e: decimal.RequireFromString("53.06"), Limits: []tender.LimitResult{}, Receipt: calc.Receipt{MethodDigest: digest}},
		}
		stored, _, err := st.SubmitBid(ctx, td.ID, b, tender.HashToken(supplier), "", t0.Add(time.Duration(i+1)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		d, _ := tender.BidDigest(stored)
		raw, _ := json.Marshal(map[string]any{"tender_id": td.ID, "bid_id": stored.ID, "digests": map[string]string{"bid": d, "result": ""},
			"commitment": stored.Commitment, "signed_head": stored.SignedHead})
		name := filepath.Join(dir, supplier+".receipt.json")
		if err := os.WriteFile(name, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, name)
	}
	st.Close()

	verify := func(extra ...string) (int, string) {
		var out, errb strings.Builder
		code := run(ctx, append([]string{"tenders", "verify", "--db", db}, append(extra, td.ID)...), strings.NewReader(""), &out, &errb, func(string) string { return "" })
		return code, out.String() + errb.String()
	}
	if code, out := verify("--receipt", receipts[0], "--receipt", receipts[1]); code != 0 || !strings.Contains(out, "its bid is in the chain at event 3, as signed") {
		t.Fatalf("fresh: exit %d\n%s", code, out)
	}
	// An export carries the signed head of the event that records it.
	var exported, errb strings.Builder
	if code := run(ctx, []string{"tenders", "export", "--db", db, "--public-url", "https://tenders.example.org", td.ID}, strings.NewReader(""), &exported, &errb, func(string) string { return "" }); code != 0 ||
		!strings.Contains(errb.String(), "signed chain head after this export (keep it with the file): footprint-head-v1 "+td.ID+" 4 ") {
		t.Fatalf("export: exit %d, stderr %s", code, errb.String())
	}

	// The writer removes Bravo's bid (event 3) and the export (event 4),
	// and moves the head back to event 2 with event 2's own signed head;
	// the checkpoint is lost.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DELETE FROM bids WHERE tender_id = '" + td.ID + "' AND event_seq = 3",
		"DELETE FROM events WHERE tender_id = '" + td.ID + "' AND seq >= 3",
		"UPDATE tenders SET head_seq = 2, head_hash = (SELECT hash FROM events WHERE tender_id = '" + td.ID + "' AND seq = 2), head_sig = (SELECT sig FROM events WHERE tender_id = '" + td.ID + "' AND seq = 2) WHERE id = '" + td.ID + "'",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	if err := os.Remove(filepath.Join(dir, "footprint.checkpoint")); err != nil {
		t.Fatal(err)
	}
	if code, out := verify(); code != 0 {
		t.Fatalf("without receipts the rewritten chain should still verify (nothing outside the database remains): exit %d\n%s", code, out)
	}
	code, out := verify("--receipt", receipts[0], "--receipt", receipts[1])
	if code != 1 || !strings.Contains(out, "NOT VERIFIED: receipt "+receipts[1]) || !strings.Contains(out, "events were removed") || !strings.Contains(out, "its bid is in the chain at event 2") {
		t.Errorf("with the receipts: exit %d, want 1 naming Bravo's receipt\n%s", code, out)
	}
}
