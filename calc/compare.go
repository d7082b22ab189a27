package calc

import (
	"errors"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// ErrNotImplemented marks a capability that is not built yet.
var ErrNotImplemented = errors.New("not implemented")

// Attribution causes, evaluated in this fixed order (see Compare).
const (
	CauseBoundary       = "boundary"
	CauseRegionFallback = "region_fallback"
	CauseHeatingValue   = "heating_value_basis"
	CauseFactorValues   = "factor_values"
	CauseGWPSet         = "gwp_set"
)

// Comparison is the same bid under several methods, each later method
// compared with the first.
type Comparison struct {
	Reference string       `json:"reference"`
	Supplier  string       `json:"supplier"`
	Methods   []*Footprint `json:"methods"`
	// Pairs holds, for each method after the first, its difference from the
	// first (other minus base) and the attribution of that difference.
	Pairs []PairDiff `json:"pairs"`
}

// PairDiff is the difference between two methods' footprints.
type PairDiff struct {
	Base  string `json:"base"`  // id@version of the first method
	Other string `json:"other"` // id@version of the compared method
	// Difference is other minus base, kg CO2e, exact.
	Difference  decimal.Decimal `json:"difference"`
	Attribution []Cause         `json:"attribution"`
	Lines       []LineDiff      `json:"lines"`
}

// Cause is one named part of a difference; the parts add up exactly.
type Cause struct {
	Cause  string          `json:"cause"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
	Detail string          `json:"detail"`
}

// LineDiff is one line's difference between two methods.
type LineDiff struct {
	ID          string          `json:"id"`
	BaseStatus  string          `json:"base_status"`
	OtherStatus string          `json:"other_status"`
	Difference  decimal.Decimal `json:"difference"`
	Attribution []Cause         `json:"attribution"`
	// Note explains a line one method could not compute.
	Note string `json:"note,omitempty"`
}

// Compare computes the bid under each method (at least two) and attributes
// each difference from the first method to its causes.
func (e *Engine) Compare(ms []*methods.Method, bid Bid) (*Comparison, error) {
	return nil, ErrNotImplemented
}
