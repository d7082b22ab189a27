package calc

import (
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// ComparisonReport is a comparison as reported: every amount rounded by
// the first method's rounding rule, with the residuals of the last place
// placed by largest remainder so that what is shown adds up (reportPair),
// and written as a JSON string; the exact differences and causes are given
// beside them (difference_exact, kg_co2e_exact).
//
// The top-level Difference, Attribution and Lines are those of the last
// method against the first (for two methods, the only pair); Pairs holds
// every pair, in the order the methods were given.
type ComparisonReport struct {
	Reference string       `json:"reference"`
	Supplier  string       `json:"supplier"`
	Methods   []*Footprint `json:"methods"`
	// Base and Other name the top-level pair (first and last method).
	Base             string             `json:"base"`
	Other            string             `json:"other"`
	Difference       ReportedAmount     `json:"difference"`
	DifferenceExact  decimal.Decimal    `json:"difference_exact"`
	Attribution      []ReportedCause    `json:"attribution"`
	Lines            []ReportedLineDiff `json:"lines"`
	Pairs            []ReportedPair     `json:"pairs"`
	AttributionOrder []string           `json:"attribution_order"`
	Notes            []string           `json:"notes"`
}

// ReportedPair is a rounded PairDiff.
type ReportedPair struct {
	Base       string         `json:"base"`
	Other      string         `json:"other"`
	BaseTotal  ReportedAmount `json:"base_total"`
	OtherTotal ReportedAmount `json:"other_total"`
	// Difference is OtherTotal minus BaseTotal, as shown; DifferenceExact
	// the exact difference it is the rounding of (to within a unit).
	Difference      ReportedAmount     `json:"difference"`
	DifferenceExact decimal.Decimal    `json:"difference_exact"`
	Attribution     []ReportedCause    `json:"attribution"`
	Lines           []ReportedLineDiff `json:"lines"`
}

// ReportedCause is a rounded Cause: KgCO2e as shown (the causes shown add
// up to the difference shown), KgCO2eExact the exact, unrounded value.
type ReportedCause struct {
	Cause       string          `json:"cause"`
	KgCO2e      Fixed           `json:"kg_co2e"`
	KgCO2eExact decimal.Decimal `json:"kg_co2e_exact"`
	Detail      string          `json:"detail"`
}

// ReportedLineDiff is a rounded LineDiff.
type ReportedLineDiff struct {
	ID          string         `json:"id"`
	Activity    string         `json:"activity"`
	Region      string         `json:"region"`
	BaseStatus  string         `json:"base_status"`
	OtherStatus string         `json:"other_status"`
	Base        ReportedAmount `json:"base"`
	Other       ReportedAmount `json:"other"`
	// Difference is Other minus Base, as shown; DifferenceExact the exact
	// line difference.
	Difference      ReportedAmount  `json:"difference"`
	DifferenceExact decimal.Decimal `json:"difference_exact"`
	Attribution     []ReportedCause `json:"attribution"`
	Note            string          `json:"note,omitempty"`
}

// Report returns the comparison as reported: every amount rounded by the
// first method's rule, with the residuals of the last place placed so that
// what is shown adds up (see reportPair).
func (c *Comparison) Report() *ComparisonReport {
	r := c.Rounding()
	out := &ComparisonReport{Reference: c.Reference, Supplier: c.Supplier, Methods: c.Methods,
		AttributionOrder: CauseOrder(), Notes: c.Notes, Pairs: make([]ReportedPair, len(c.Pairs))}
	for i, p := range c.Pairs {
		out.Pairs[i] = reportPair(p, r)
	}
	if n := len(out.Pairs); n > 0 {
		last := out.Pairs[n-1]
		out.Base, out.Other, out.Difference, out.DifferenceExact, out.Attribution, out.Lines =
			last.Base, last.Other, last.Difference, last.DifferenceExact, last.Attribution, last.Lines
	}
	return out
}

// MarshalJSON writes the comparison as reported (see ComparisonReport). It
// has a value receiver so that values and pointers encode alike.
func (c Comparison) MarshalJSON() ([]byte, error) { return json.Marshal(c.Report()) }

// reportPair rounds a pair so that every identity a reader checks holds
// as shown:
//
//   - the two totals are each method's total rounded by r (as in its
//     footprint), and the difference is other total minus base total;
//   - the causes add up to the difference (Apportion);
//   - the lines' base amounts add up to the base total (Apportion), the
//     line differences to the difference (Apportion), and each line's other
//     amount is its base amount plus its difference, so the other amounts
//     add up to the other total and every line's difference is its other
//     amount minus its base amount;
//   - each line's causes add up to the line's difference (Apportion).
//
// A line amount may therefore differ by a unit of the last place from the
// same line in a method's footprint, whose lines are rounded one by one.
func reportPair(p PairDiff, r methods.Rounding) ReportedPair {
	fx := func(d decimal.Decimal) Fixed { return NewFixed(d, r) }
	baseTotal, otherTotal := r.Round(p.BaseKgCO2e), r.Round(p.OtherKgCO2e)
	diff := otherTotal.Sub(baseTotal)
	rp := ReportedPair{Base: p.Base, Other: p.Other, BaseTotal: ReportedAmount{fx(baseTotal)}, OtherTotal: ReportedAmount{fx(otherTotal)},
		Difference: ReportedAmount{fx(diff)}, DifferenceExact: p.Difference, Attribution: reportCauses(p.Attribution, diff, r),
		Lines: make([]ReportedLineDiff, len(p.Lines))}
	bases := make([]decimal.Decimal, len(p.Lines))
	diffs := make([]decimal.Decimal, len(p.Lines))
	for i, l := range p.Lines {
		bases[i], diffs[i] = l.BaseKgCO2e, l.Difference
	}
	bases, diffs = Apportion(bases, baseTotal, r), Apportion(diffs, diff, r)
	for i, l := range p.Lines {
		rp.Lines[i] = ReportedLineDiff{ID: l.ID, Activity: l.Activity, Region: l.Region, BaseStatus: l.BaseStatus, OtherStatus: l.OtherStatus,
			Base: ReportedAmount{fx(bases[i])}, Other: ReportedAmount{fx(bases[i].Add(diffs[i]))}, Difference: ReportedAmount{fx(diffs[i])},
			DifferenceExact: l.Difference, Attribution: reportCauses(l.Attribution, diffs[i], r), Note: l.Note}
	}
	return rp
}

// reportCauses rounds the causes so that they add up to diff, the
// difference shown.
func reportCauses(cs []Cause, diff decimal.Decimal, r methods.Rounding) []ReportedCause {
	exact := make([]decimal.Decimal, len(cs))
	for i, c := range cs {
		exact[i] = c.KgCO2e
	}
	shown := Apportion(exact, diff, r)
	out := make([]ReportedCause, len(cs))
	for i, c := range cs {
		out[i] = ReportedCause{Cause: c.Cause, KgCO2e: NewFixed(shown[i], r), KgCO2eExact: c.KgCO2e, Detail: c.Detail}
	}
	return out
}
