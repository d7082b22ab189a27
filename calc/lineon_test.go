package calc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// TestLineOnAndPrepareOn: a line with an EPD document is refused by Line
// and Prepare (no date), judged on the given day by LineOn and PrepareOn
// (the time of day ignored), and the two agree with Calculate on a bid of
// that date.
func TestLineOnAndPrepareOn(t *testing.T) {
	eng, reg := epdWorld(t)
	m, err := reg.Resolve("eu-gpp@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	l := epdLine("1", "material.steel.rebar", "12.5", "t", a2Rebar())
	if lr := p.Line(&l); lr.Status != calc.StatusError {
		t.Errorf("Line without a date: %s, want an error", lr.Status)
	}
	if pr := p.Prepare(&l); pr.Status != calc.StatusError {
		t.Errorf("Prepare without a date: %s, want an error", pr.Status)
	}
	late := time.Date(2026, 1, 10, 23, 59, 0, 0, time.UTC)
	lr := p.LineOn(&l, late)
	if lr.Status != calc.StatusOK || lr.EPD == nil {
		t.Fatalf("LineOn: %s %s", lr.Status, lr.Error)
	}
	fp, err := p.Calculate(calc.Bid{Method: m.Ref(), Date: "2026-01-10", Lines: []calc.Line{l}})
	if err != nil {
		t.Fatal(err)
	}
	if !lr.KgCO2e.Equal(fp.Lines[0].KgCO2e) {
		t.Errorf("LineOn %s, Calculate %s", lr.KgCO2e, fp.Lines[0].KgCO2e)
	}
	pr := p.PrepareOn(&l, late)
	if pr.Status != calc.StatusOK || pr.Check("1", nil) != nil {
		t.Fatalf("PrepareOn: %s %v", pr.Status, pr.Check("1", nil))
	}
	var sum decimal.Decimal
	for i, term := range pr.Terms {
		if term.Counted {
			sum = sum.Add(pr.Kg(i, l.Quantity).Mul(term.GWP))
		}
	}
	if !sum.Equal(lr.KgCO2e) {
		t.Errorf("PrepareOn %s, LineOn %s", sum, lr.KgCO2e)
	}
	expired := p.LineOn(&l, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if expired.Status != calc.StatusError || !strings.Contains(expired.Error, "expired on 2027-12-31; the bid is dated 2028-01-01") {
		t.Errorf("LineOn after validity: %s %q", expired.Status, expired.Error)
	}
}
