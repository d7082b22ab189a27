package calc

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

// Prepared is a line compiled for any quantity: every field but its ID and
// quantity checked, its factor found and its unit conversion reduced to
// exact per-gas terms. Callers that compute many lines sharing (activity,
// region, unit, basis, stage, product factor) — the batch runner — prepare
// once and do a few decimal operations per line. Check and Kg agree exactly
// with Line: for a line l with quantity q,
//
//	Line(l).Error  is  Check(l.ID, CheckQuantity(q)) (prefixed by its field)
//	Line(l).Gases  are the sums of Kg(i, q) by gas, ×GWP where Counted.
type Prepared struct {
	// Status is StatusOK or StatusExcluded for a line that passes Check,
	// StatusError for a line that fails whatever its ID and quantity.
	Status string
	// Factor is the factor used (nil unless Status is ok or excluded).
	Factor *FactorUsed
	// Terms are the line's gas terms, empty unless Status is StatusOK.
	Terms []PreparedTerm

	pre, post error
	places    int32
}

// PreparedTerm is one gas of one factor of a prepared line.
type PreparedTerm struct {
	Gas factors.Gas
	// Counted terms add Kg × GWP to the line's kg CO2e.
	Counted bool
	GWP     decimal.Decimal
	// Exact terms are kg = quantity × Mult exactly; the others are
	// kg = quantity × Num / Den at the method's division places, half to even.
	Exact    bool
	Mult     decimal.Decimal
	Num, Den decimal.Decimal
}

// Prepare compiles a line for any quantity; l.ID and l.Quantity are ignored.
// A line with an EPD document is refused here (it has no date to judge the
// EPD's validity on): use PrepareOn.
func (p *Plan) Prepare(l *Line) *Prepared { return p.prepare(l, asOf{}) }

// PrepareOn is Prepare for a bid dated date (its calendar day is used, as
// a bid's "date" is): a line's EPD document is judged valid on that day,
// and expiring within the method's expiring_within_days after it warns.
// The batch runner prepares EPD rows with it; LineOn is its per-line twin.
func (p *Plan) PrepareOn(l *Line, date time.Time) *Prepared { return p.prepare(l, dayOf(date)) }

// dayOf is the asOf of a bid dated date's calendar day (zero: no date).
func dayOf(date time.Time) asOf {
	if date.IsZero() {
		return asOf{}
	}
	y, m, d := date.Date()
	return asOf{date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), set: true}
}

func (p *Plan) prepare(l *Line, when asOf) *Prepared {
	c := *l
	c.ID, c.Quantity = "", decimal.Zero
	pr := &Prepared{places: p.method.Rounding.DivisionPlaces, Status: StatusError}
	if err := checkLine(&c); err != nil {
		// checkLine reports the line's strings, then the quantity, then the
		// product factor: keep that order around the quantity check.
		if f := Field(err); f == "factor.kg_co2e" || f == "factor.reference" {
			pr.post = err
		} else {
			pr.pre = err
		}
		return pr
	}
	r := p.recipe(&c, when)
	if r.err != nil {
		pr.post = r.err
		return pr
	}
	pr.Factor = r.used
	if r.excluded {
		pr.Status = StatusExcluded
		return pr
	}
	pr.Status = StatusOK
	pr.Terms = make([]PreparedTerm, len(r.terms))
	for i, t := range r.terms {
		pr.Terms[i] = PreparedTerm{Gas: t.gas, Counted: t.counted, GWP: t.gwp, Exact: t.exact, Mult: t.mult, Num: t.num, Den: t.den}
	}
	return pr
}

// Check returns the error Line reports for a line of this prepared kind
// with this ID, whose quantity check (CheckQuantity, or a parse of the
// quantity's text) gave qErr; nil when the line computes. A non-nil qErr is
// reported as a "quantity" field error.
func (pr *Prepared) Check(id string, qErr error) error {
	if msg := checkString(id); msg != "" {
		return fieldErrf("id", factors.ErrInvalid, "%s", msg)
	}
	if pr.pre != nil {
		return pr.pre
	}
	if qErr != nil {
		return fieldErr("quantity", qErr)
	}
	return pr.post
}

// Kg returns term i's kg of gas for quantity q, exactly as Line computes it.
func (pr *Prepared) Kg(i int, q decimal.Decimal) decimal.Decimal {
	t := &pr.Terms[i]
	if t.Exact {
		return q.Mul(t.Mult)
	}
	return divHalfEven(q.Mul(t.Num), t.Den, pr.places)
}

// ErrorText is the message Line gives for err: prefixed by its field.
func ErrorText(err error) string {
	return lineError(LineResult{}, err).Error
}
