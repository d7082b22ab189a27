package calc

import (
	"encoding/json"

	"github.com/shopspring/decimal"
)

// ComparisonReport is a comparison as reported: every amount rounded once
// by the first method's rounding rule and written as a JSON string.
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
	Attribution      []ReportedCause    `json:"attribution"`
	Lines            []ReportedLineDiff `json:"lines"`
	Pairs            []ReportedPair     `json:"pairs"`
	AttributionOrder []string           `json:"attribution_order"`
	Notes            []string           `json:"notes"`
}

// ReportedPair is a rounded PairDiff.
type ReportedPair struct {
	Base        string             `json:"base"`
	Other       string             `json:"other"`
	BaseTotal   ReportedAmount     `json:"base_total"`
	OtherTotal  ReportedAmount     `json:"other_total"`
	Difference  ReportedAmount     `json:"difference"`
	Attribution []ReportedCause    `json:"attribution"`
	Lines       []ReportedLineDiff `json:"lines"`
}

// ReportedCause is a rounded Cause.
type ReportedCause struct {
	Cause  string `json:"cause"`
	KgCO2e Fixed  `json:"kg_co2e"`
	Detail string `json:"detail"`
}

// ReportedLineDiff is a rounded LineDiff.
type ReportedLineDiff struct {
	ID          string          `json:"id"`
	Activity    string          `json:"activity"`
	Region      string          `json:"region"`
	BaseStatus  string          `json:"base_status"`
	OtherStatus string          `json:"other_status"`
	Base        ReportedAmount  `json:"base"`
	Other       ReportedAmount  `json:"other"`
	Difference  ReportedAmount  `json:"difference"`
	Attribution []ReportedCause `json:"attribution"`
	Note        string          `json:"note,omitempty"`
}

// Report returns the comparison as reported.
func (c *Comparison) Report() *ComparisonReport {
	r := c.Rounding()
	fx := func(d decimal.Decimal) Fixed { return NewFixed(d, r) }
	out := &ComparisonReport{Reference: c.Reference, Supplier: c.Supplier, Methods: c.Methods,
		AttributionOrder: CauseOrder(), Notes: c.Notes, Pairs: make([]ReportedPair, len(c.Pairs))}
	for i, p := range c.Pairs {
		out.Pairs[i] = reportPair(p, fx)
	}
	if n := len(out.Pairs); n > 0 {
		last := out.Pairs[n-1]
		out.Base, out.Other, out.Difference, out.Attribution, out.Lines = last.Base, last.Other, last.Difference, last.Attribution, last.Lines
	}
	return out
}

// MarshalJSON writes the comparison as reported (see ComparisonReport). It
// has a value receiver so that values and pointers encode alike.
func (c Comparison) MarshalJSON() ([]byte, error) { return json.Marshal(c.Report()) }

func reportPair(p PairDiff, fx func(decimal.Decimal) Fixed) ReportedPair {
	rp := ReportedPair{Base: p.Base, Other: p.Other, BaseTotal: ReportedAmount{fx(p.BaseKgCO2e)}, OtherTotal: ReportedAmount{fx(p.OtherKgCO2e)},
		Difference: ReportedAmount{fx(p.Difference)}, Attribution: reportCauses(p.Attribution, fx), Lines: make([]ReportedLineDiff, len(p.Lines))}
	for i, l := range p.Lines {
		rp.Lines[i] = ReportedLineDiff{ID: l.ID, Activity: l.Activity, Region: l.Region, BaseStatus: l.BaseStatus, OtherStatus: l.OtherStatus,
			Base: ReportedAmount{fx(l.BaseKgCO2e)}, Other: ReportedAmount{fx(l.OtherKgCO2e)}, Difference: ReportedAmount{fx(l.Difference)},
			Attribution: reportCauses(l.Attribution, fx), Note: l.Note}
	}
	return rp
}

func reportCauses(cs []Cause, fx func(decimal.Decimal) Fixed) []ReportedCause {
	out := make([]ReportedCause, len(cs))
	for i, c := range cs {
		out[i] = ReportedCause{Cause: c.Cause, KgCO2e: fx(c.KgCO2e), Detail: c.Detail}
	}
	return out
}
