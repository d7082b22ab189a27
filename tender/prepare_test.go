package tender

import (
	"errors"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// TestPrepareBid computes a bid under the pinned method, refuses a method
// whose digest changed and a line the method cannot compute, and keeps
// digests that change when a bid is edited.
func TestPrepareBid(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve("us-federal@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	eng := calc.NewEngine(lib)
	tn := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	tn.Method = Pin(m)
	b := newBid("", "1000.00", "0", t0)
	b.Lines = []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"}}
	got, fp, err := PrepareBid(tn, m, eng, b, t0.Add(1500))
	if err != nil {
		t.Fatal(err)
	}
	if fp == nil || got.Footprint.KgCO2e.String() != "53114.5" || !got.ReceivedAt.Equal(Stamp(t0.Add(1500))) {
		t.Fatalf("got %s kg at %s", got.Footprint.KgCO2e, got.ReceivedAt)
	}
	d1, err := BidDigest(got)
	if err != nil {
		t.Fatal(err)
	}
	edited := got
	edited.Price.Amount = dec("999.00")
	if d2, _ := BidDigest(edited); d2 == d1 {
		t.Error("an edited price keeps the bid digest")
	}
	withID := got
	withID.ID = "B7"
	if d3, _ := BidDigest(withID); d3 != d1 {
		t.Error("the store's id changes the bid digest")
	}

	changed := *m
	changed.Digest = "ff" + m.Digest[2:]
	if _, _, err := PrepareBid(tn, &changed, eng, b, t0); !errors.Is(err, ErrMethodChanged) {
		t.Errorf("changed method: %v", err)
	}
	bad := b
	bad.Lines = []calc.Line{{ID: "1", Activity: "fuel.unobtainium", Region: "US", Quantity: dec("1"), Unit: "kg"}}
	var be *calc.BidError
	if _, _, err := PrepareBid(tn, m, eng, bad, t0); !errors.As(err, &be) {
		t.Errorf("uncomputable line: %v", err)
	}
	td, err := TenderDigest(tn)
	if err != nil || len(td) != 64 {
		t.Fatalf("tender digest %q, %v", td, err)
	}
	opened := tn
	opened.Status = StatusOpened
	if d, _ := TenderDigest(opened); d != td {
		t.Error("the stored status changes the tender digest")
	}
}
