// Package calc is the footprint engine: a bid's inventory of activity lines
// in, a footprint out, under one versioned method.
//
// For each line the engine finds the method's factor (most specific region
// first, datasets in the method's order of precedence), converts the
// quantity exactly to the factor's unit (heat content for physical fuel
// quantities, the method's own HHV/NCV ratio where bases differ), and
// computes each gas in kg and in kg CO2e with the method's GWP set. Sums are
// taken over unrounded values; rounding happens once, when a result is
// reported, by the method's rounding rule — so lines shown rounded may not
// add up exactly to the rounded total.
//
// Arithmetic is decimal (shopspring/decimal). A line needs at most one
// division per gas, and only when the combined conversion ratio is not a
// terminating decimal; it is done at the method's division_places, half to
// even. Everything that does not depend on the quantity is computed once per
// (method, activity, region, unit, basis, stage) and cached in the Engine.
package calc

import (
	"github.com/shopspring/decimal"
)

// Bid is a supplier's offer: a reference, a supplier and its activity lines.
type Bid struct {
	Method    string `json:"method,omitempty"`
	Reference string `json:"reference"`
	Supplier  string `json:"supplier"`
	// Date (YYYY-MM-DD) is the day the bid's EPDs are judged valid on: an
	// EPD expired on it is refused. Optional; callers set it from their
	// clock (DefaultDate) when a line carries an EPD and the bid gives
	// none, so the engine never reads a clock and a bid recomputes alike.
	Date string `json:"date,omitempty"`
	// ValidThrough (YYYY-MM-DD) is the end of the period the bid must hold
	// for (a tender's deadline or contract end): an EPD that expires before
	// it gives a warning. Empty: the method's expiring_within_days after
	// Date. Both are omitted when empty, so bids without them digest as
	// before.
	ValidThrough string `json:"valid_through,omitempty"`
	Lines        []Line `json:"lines"`
}

// Line is one activity of a bid.
type Line struct {
	ID       string          `json:"id"`
	Activity string          `json:"activity"`
	Region   string          `json:"region"`
	Quantity decimal.Decimal `json:"quantity"`
	Unit     string          `json:"unit"`
	// Basis is the heating-value basis of an energy quantity (HHV or NCV);
	// empty means the unit's default (Btu family HHV, SI and Wh NCV).
	Basis string `json:"basis,omitempty"`
	// Stage restricts the line to one life-cycle stage; empty counts every
	// stage of the factor that the method includes.
	Stage string `json:"stage,omitempty"`
	// AllowRegionFallback lets a method whose rule is "on_request" use a
	// parent region's factor (e.g. EU27 for a member state).
	AllowRegionFallback bool `json:"allow_region_fallback,omitempty"`
	// Factor is a product-specific factor (an EPD value), if any.
	Factor *ProductFactor `json:"factor,omitempty"`
}

// ProductFactor is a line's own factor: either the three fields typed from
// an EPD (KgCO2e, Per, Reference) or the EPD document itself (EPD), whose
// value the method's [epd] rules take, check and convert.
type ProductFactor struct {
	KgCO2e    decimal.Decimal `json:"kg_co2e"`
	Per       string          `json:"per"`
	Reference string          `json:"reference"`
	// EPD is the document, when the factor is given as one; the three
	// fields above are then empty. Omitted when absent, so that the input
	// digest of bids without EPDs does not change.
	EPD *EPDDocument `json:"epd,omitempty"`
}

// Limits on input, checked by Validate. They bound memory and time; the
// server and the batch command document them.
const (
	MaxLines       = 10000
	MaxStringLen   = 200
	MaxQuantityAbs = "1e15"
	MaxDigits      = 40
)
