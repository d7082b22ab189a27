package calc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/footprint-gpp/footprint/factors"
)

// BoundaryReason says in one sentence why a line of a comparison has a
// boundary part: one method leaves it (or one of its stages) out. Rule
// tells a method's deliberate choice (a stage it does not count, a product
// factor it refuses or requires, a fuel without a published HHV/NCV ratio)
// from missing data (no factor in its datasets for that place), which a
// method version can still fill.
type BoundaryReason struct {
	LineID   string `json:"line_id"`
	Rule     bool   `json:"rule"`
	Sentence string `json:"sentence"`
}

// BoundaryReasons explains, line by line, the boundary cause of pair p
// (Pairs[p], the method p+1 against the first). Lines both methods count
// in full have no reason.
func (c *Comparison) BoundaryReasons(p int) []BoundaryReason {
	if p < 0 || p >= len(c.Pairs) || p+1 >= len(c.Methods) {
		return nil
	}
	pd := &c.Pairs[p]
	base, other := c.Methods[0], c.Methods[p+1]
	var out []BoundaryReason
	for i := range pd.Lines {
		if i >= len(base.Lines) || i >= len(other.Lines) {
			break
		}
		lb, lo := &base.Lines[i], &other.Lines[i]
		bOK, oOK := lb.Status == StatusOK, lo.Status == StatusOK
		switch {
		case bOK && oOK:
			if d := pd.Lines[i].Attribution; len(d) > 0 && d[0].Cause == CauseBoundary && !d[0].KgCO2e.IsZero() {
				out = append(out, BoundaryReason{LineID: lb.ID, Rule: true,
					Sentence: fmt.Sprintf("line %s: %s (each method counts only the stages it declares).", lb.ID, d[0].Detail)})
			}
		case bOK != oOK:
			left, m := lo, pd.Other
			if oOK {
				left, m = lb, pd.Base
			}
			out = append(out, reasonOf(left, m))
		}
	}
	return out
}

// reasonOf explains why method m leaves line l out.
func reasonOf(l *LineResult, m string) BoundaryReason {
	r := BoundaryReason{LineID: l.ID, Rule: true}
	switch {
	case l.Status == StatusExcluded:
		why := "it does not count the line's stage"
		if len(l.Warnings) > 0 {
			why = l.Warnings[0]
		}
		r.Sentence = fmt.Sprintf("line %s is outside %s's boundary by rule: %s.", l.ID, m, why)
	case errors.Is(l.Err, ErrProductFactor):
		r.Sentence = fmt.Sprintf("line %s is outside %s's boundary by rule (product-specific factors): %s.", l.ID, m, trimField(l.Error))
	case errors.Is(l.Err, ErrBasis):
		r.Sentence = fmt.Sprintf("line %s is outside %s's boundary by rule: no published HHV/NCV ratio converts %s to its factor's basis.", l.ID, m, l.Activity)
	case errors.Is(l.Err, factors.ErrNoFactor):
		r.Rule = false
		r.Sentence = fmt.Sprintf("line %s is not counted by %s for want of data, not by rule: %s.", l.ID, m, trimField(l.Error))
	default:
		r.Rule = false
		r.Sentence = fmt.Sprintf("line %s cannot be computed by %s: %s.", l.ID, m, trimField(l.Error))
	}
	return r
}

// trimField drops the field prefix of a line error ("factor: ...") and a
// final period, for a message inside a sentence.
func trimField(msg string) string {
	if f, rest, ok := strings.Cut(msg, ": "); ok && !strings.Contains(f, " ") {
		msg = rest
	}
	return strings.TrimSuffix(msg, ".")
}
