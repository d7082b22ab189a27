package calc

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// Attribution causes, evaluated in this fixed order (see Compare).
const (
	CauseBoundary       = "boundary"
	CauseRegionFallback = "region_fallback"
	CauseHeatingValue   = "heating_value_basis"
	CauseFactorValues   = "factor_values"
	CauseGWPSet         = "gwp_set"
)

// causeCount is the number of causes in CauseOrder.
const causeCount = 5

// CauseOrder returns the fixed order in which Compare substitutes one
// method's ingredients for the other's. The split of an interaction
// between two causes depends on it; it never changes between runs.
func CauseOrder() []string {
	return []string{CauseBoundary, CauseRegionFallback, CauseHeatingValue, CauseFactorValues, CauseGWPSet}
}

// Comparison is the same bid under several methods, each later method
// compared with the first.
type Comparison struct {
	Reference string       `json:"reference"`
	Supplier  string       `json:"supplier"`
	Methods   []*Footprint `json:"methods"`
	// Pairs holds, for each method after the first, its difference from the
	// first (other minus base) and the attribution of that difference.
	Pairs []PairDiff `json:"pairs"`
	// Notes explain how to read the comparison, and list the lines some
	// method could not compute.
	Notes []string `json:"notes"`
}

// PairDiff is the difference between two methods' footprints.
type PairDiff struct {
	Base  string `json:"base"`  // id@version of the first method
	Other string `json:"other"` // id@version of the compared method
	// BaseKgCO2e and OtherKgCO2e are the two totals, exact.
	BaseKgCO2e  decimal.Decimal `json:"base_kg_co2e"`
	OtherKgCO2e decimal.Decimal `json:"other_kg_co2e"`
	// Difference is other minus base, kg CO2e, exact.
	Difference decimal.Decimal `json:"difference"`
	// Attribution splits Difference into every cause of CauseOrder, in
	// that order (zero causes included); the parts add up exactly.
	Attribution []Cause    `json:"attribution"`
	Lines       []LineDiff `json:"lines"`
}

// Cause is one named part of a difference; the parts add up exactly.
type Cause struct {
	Cause  string          `json:"cause"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
	Detail string          `json:"detail"`
}

// LineDiff is one line's difference between two methods.
type LineDiff struct {
	ID          string `json:"id"`
	Activity    string `json:"activity"`
	Region      string `json:"region"`
	BaseStatus  string `json:"base_status"`
	OtherStatus string `json:"other_status"`
	// BaseKgCO2e and OtherKgCO2e are the line's kg CO2e under each method
	// (zero when the method did not count it), exact.
	BaseKgCO2e  decimal.Decimal `json:"base_kg_co2e"`
	OtherKgCO2e decimal.Decimal `json:"other_kg_co2e"`
	Difference  decimal.Decimal `json:"difference"`
	Attribution []Cause         `json:"attribution"`
	// Note explains a line one method could not compute.
	Note string `json:"note,omitempty"`
}

// Compare computes the bid under each method (at least two) and attributes
// each difference from the first method to its causes.
//
// A line that a method cannot compute (status error) or does not count
// (status excluded) is kept, with its status and message, and counts as
// zero for that method; its whole value under the other method is
// attributed to the boundary cause. Compare returns an error only when
// the bid as a whole cannot be computed (no lines, too many lines) or a
// method is not usable.
//
// The attribution is a sequential substitution. For each line counted by
// both methods, the line's computation is taken apart into ingredients per
// gas term: the stages counted, the factor intensity (kg of gas per input
// unit through the unit conversion, heat content and emission-factor
// value), the heating-value ratio the method applied (1 when none), and the
// GWP. Starting from the base method, the ingredients are swapped for the
// other method's one cause at a time, in CauseOrder:
//
//  1. boundary: lines and stages counted by only one method enter or leave
//     with their own method's value;
//  2. region_fallback: on lines where either method used a parent
//     region's factor, the factor intensities are swapped;
//  3. heating_value_basis: the HHV/NCV ratios are swapped;
//  4. factor_values: the remaining factor intensities are swapped (other
//     datasets, other values, gases present in only one factor);
//  5. gwp_set: the GWP values (and the biogenic CO2 rule) are swapped; this
//     last step is the other method's actual result minus the state before
//     it, so the parts add up to the difference exactly by construction.
//
// Each intermediate state is computed exactly, dividing (where a division
// is needed) at the base method's division_places, half to even, so the
// same input always gives the same split.
func (e *Engine) Compare(ms []*methods.Method, bid Bid) (*Comparison, error) {
	if len(ms) < 2 {
		return nil, fmt.Errorf("%w: a comparison needs at least two methods, got %d", factors.ErrInvalid, len(ms))
	}
	plans := make([]*Plan, len(ms))
	fps := make([]*Footprint, len(ms))
	c := &Comparison{Reference: bid.Reference, Supplier: bid.Supplier}
	for i, m := range ms {
		p, err := e.Plan(m)
		if err != nil {
			return nil, fmt.Errorf("method %s: %w", m.Ref(), err)
		}
		fp, err := p.Calculate(bid)
		var be *BidError
		if err != nil && (fp == nil || !errors.As(err, &be)) {
			return nil, err
		}
		plans[i], fps[i] = p, fp
	}
	c.Methods = fps
	c.Notes = []string{
		"differences are other method minus first method (" + ms[0].Ref() + "), attributed in the fixed order " + strings.Join(CauseOrder(), " → ") + "; the causes add up exactly to the difference before rounding",
		"amounts are shown rounded by the first method's rounding rule so that they add up as shown: each difference is the other total minus the base total, the causes add up to the difference and the lines to the totals; where rounding each amount alone would not add up, the residual units of the last place go to the amounts that lost most to rounding (largest remainder, ties in cause or line order), so a line may differ by one unit from the same line in a method's footprint; exact values: difference_exact, kg_co2e_exact",
		"a line that a method cannot compute counts as zero for that method and its value under the other method is attributed to boundary",
	}
	for i, fp := range fps {
		for _, l := range fp.Lines {
			if l.Status == StatusError {
				c.Notes = append(c.Notes, fmt.Sprintf("line %s cannot be computed under %s: %s", l.ID, ms[i].Ref(), l.Error))
			}
		}
	}
	for i := 1; i < len(ms); i++ {
		c.Pairs = append(c.Pairs, attribute(plans[0], plans[i], fps[0], fps[i]))
	}
	return c, nil
}

// Last returns the pair of the last method against the first: for two
// methods, the comparison itself.
func (c *Comparison) Last() *PairDiff {
	if len(c.Pairs) == 0 {
		return nil
	}
	return &c.Pairs[len(c.Pairs)-1]
}

// Rounding is the rule the comparison reports with: the first method's.
func (c *Comparison) Rounding() methods.Rounding {
	if len(c.Methods) == 0 {
		return methods.Rounding{Places: 3, Mode: methods.HalfEven}
	}
	return c.Methods[0].rounding
}

// Sum returns the exact sum of the causes.
func Sum(cs []Cause) decimal.Decimal {
	var s decimal.Decimal
	for _, c := range cs {
		s = s.Add(c.KgCO2e)
	}
	return s
}

// causes accumulates the five causes in CauseOrder.
type causes [causeCount]decimal.Decimal

const (
	iBoundary = iota
	iFallback
	iHV
	iFactor
	iGWP
)

// lineFacts is what a line contributes to the pair-level details.
type lineFacts struct {
	onlyBase, onlyOther bool
	stagesOnly          []string
	fallback            string
	hvDiffers           bool
	factorChange        string
	gases               map[factors.Gas]bool
}

func attribute(pb, po *Plan, fb, fo *Footprint) PairDiff {
	pd := PairDiff{Base: pb.method.Ref(), Other: po.method.Ref(), BaseKgCO2e: fb.Total.KgCO2e, OtherKgCO2e: fo.Total.KgCO2e,
		Difference: fo.Total.KgCO2e.Sub(fb.Total.KgCO2e)}
	var total causes
	var onlyBase, onlyOther, stageLines, fallback, hvLines, factorLines []string
	gases := map[factors.Gas]bool{}
	for i := range fb.Lines {
		lb, lo := &fb.Lines[i], &fo.Lines[i]
		ld, cs, facts := attributeLine(pb, po, lb, lo)
		for k := range cs {
			total[k] = total[k].Add(cs[k])
		}
		pd.Lines = append(pd.Lines, ld)
		switch {
		case facts.onlyBase:
			onlyBase = append(onlyBase, lb.ID)
		case facts.onlyOther:
			onlyOther = append(onlyOther, lb.ID)
		}
		if len(facts.stagesOnly) > 0 {
			stageLines = append(stageLines, fmt.Sprintf("%s (%s)", lb.ID, strings.Join(facts.stagesOnly, ", ")))
		}
		if facts.fallback != "" {
			fallback = append(fallback, fmt.Sprintf("%s (%s)", lb.ID, facts.fallback))
		}
		if facts.hvDiffers {
			hvLines = append(hvLines, lb.ID)
		}
		if facts.factorChange != "" && !cs[iFactor].IsZero() {
			factorLines = append(factorLines, lb.ID)
		}
		for g := range facts.gases {
			gases[g] = true
		}
	}
	details := [causeCount]string{}
	var b []string
	if len(onlyBase) > 0 {
		b = append(b, fmt.Sprintf("line(s) %s counted only by %s", strings.Join(onlyBase, ", "), pd.Base))
	}
	if len(onlyOther) > 0 {
		b = append(b, fmt.Sprintf("line(s) %s counted only by %s", strings.Join(onlyOther, ", "), pd.Other))
	}
	if len(stageLines) > 0 {
		b = append(b, "stages counted by one method only on line(s) "+strings.Join(stageLines, "; "))
	}
	details[iBoundary] = orElse(strings.Join(b, "; "), "both methods count the same lines and stages")
	details[iFallback] = orElse(prefixed("parent-region factors on line(s) ", fallback), "no line used a parent region's factor")
	details[iHV] = orElse(prefixed("other HHV/NCV conversions on line(s) ", hvLines), "no line's HHV/NCV conversion differs")
	details[iFactor] = orElse(prefixed("other emission factors or heat contents on line(s) ", factorLines), "the lines counted by both methods use the same factor values")
	details[iGWP] = gwpDetail(pb, po, gases)
	pd.Attribution = toCauses(total, details)
	return pd
}

func prefixed(prefix string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return prefix + strings.Join(items, ", ")
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func toCauses(cs causes, details [causeCount]string) []Cause {
	out := make([]Cause, causeCount)
	for i, name := range CauseOrder() {
		out[i] = Cause{Cause: name, KgCO2e: cs[i], Detail: details[i]}
	}
	return out
}

// gwpDetail names the two GWP sets and the values that differ for the gases
// in the compared lines.
func gwpDetail(pb, po *Plan, gases map[factors.Gas]bool) string {
	var diffs []string
	names := make([]string, 0, len(gases))
	for g := range gases {
		names = append(names, string(g))
	}
	sort.Strings(names)
	for _, g := range names {
		vb, cb := pb.characterise(factors.Gas(g))
		vo, co := po.characterise(factors.Gas(g))
		if cb == co && vb.Equal(vo) {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s %s → %s", g, gwpString(vb, cb), gwpString(vo, co)))
	}
	head := pb.gwp.ID + " → " + po.gwp.ID
	if pb.gwp.ID == po.gwp.ID {
		head = "same GWP set (" + pb.gwp.ID + ")"
	}
	if pb.method.BiogenicCO2 != po.method.BiogenicCO2 {
		head += fmt.Sprintf("; biogenic CO2 %s → %s", pb.method.BiogenicCO2, po.method.BiogenicCO2)
	}
	if len(diffs) == 0 {
		return head + "; no GWP differs for the gases compared"
	}
	return head + ": " + strings.Join(diffs, ", ")
}

func gwpString(v decimal.Decimal, counted bool) string {
	if !counted {
		return "not counted"
	}
	return v.String()
}

// okValue is what a line contributes to its footprint's total.
func okValue(l *LineResult) decimal.Decimal {
	if l.Status == StatusOK {
		return l.KgCO2e
	}
	return decimal.Decimal{}
}

// termPair is one gas term of a stage counted by both methods, matched by
// (stage, gas, occurrence); one side is nil when only one factor has it.
type termPair struct {
	b, o *termResult
}

func attributeLine(pb, po *Plan, lb, lo *LineResult) (LineDiff, causes, lineFacts) {
	ld := LineDiff{ID: lb.ID, Activity: lb.Activity, Region: lb.Region, BaseStatus: lb.Status, OtherStatus: lo.Status,
		BaseKgCO2e: okValue(lb), OtherKgCO2e: okValue(lo)}
	ld.Difference = ld.OtherKgCO2e.Sub(ld.BaseKgCO2e)
	var cs causes
	var facts lineFacts
	var details [causeCount]string
	bOK, oOK := lb.Status == StatusOK, lo.Status == StatusOK
	switch {
	case !bOK && !oOK:
		ld.Note = fmt.Sprintf("counted by neither method (%s: %s; %s: %s)", pb.method.Ref(), statusText(lb), po.method.Ref(), statusText(lo))
		ld.Attribution = toCauses(cs, details)
		return ld, cs, facts
	case bOK != oOK:
		// Counted by one method only: the whole difference is boundary.
		counted, other, otherLine := pb, po, lo
		if oOK {
			counted, other, otherLine = po, pb, lb
		}
		facts.onlyBase, facts.onlyOther = bOK, oOK
		cs[iBoundary] = ld.Difference
		details[iBoundary] = fmt.Sprintf("counted only by %s; %s: %s", counted.method.Ref(), other.method.Ref(), statusText(otherLine))
		ld.Note = details[iBoundary]
		ld.Attribution = toCauses(cs, details)
		return ld, cs, facts
	}

	// Both count the line. Stages counted by one side only: boundary.
	bStages, oStages := map[string]bool{}, map[string]bool{}
	for _, t := range lb.terms {
		bStages[t.stage] = true
	}
	for _, t := range lo.terms {
		oStages[t.stage] = true
	}
	var only []string
	var baseCommon, otherCommon decimal.Decimal
	for _, t := range lb.terms {
		if !oStages[t.stage] {
			cs[iBoundary] = cs[iBoundary].Sub(t.co2e)
			only = appendOnce(only, t.stage+" only in "+pb.method.Ref())
		} else {
			baseCommon = baseCommon.Add(t.co2e)
		}
	}
	for _, t := range lo.terms {
		if !bStages[t.stage] {
			cs[iBoundary] = cs[iBoundary].Add(t.co2e)
			only = appendOnce(only, t.stage+" only in "+po.method.Ref())
		} else {
			otherCommon = otherCommon.Add(t.co2e)
		}
	}
	facts.stagesOnly = only
	if len(only) > 0 {
		details[iBoundary] = "stage " + strings.Join(only, "; ")
	}

	pairs := matchTerms(lb.terms, lo.terms, bStages, oStages)
	fallback := (lb.Factor != nil && lb.Factor.Fallback) || (lo.Factor != nil && lo.Factor.Fallback)
	q := lb.Quantity
	places := pb.method.Rounding.DivisionPlaces
	one := decimal.NewFromInt(1)
	var s2, s3, s4 decimal.Decimal
	facts.gases = map[factors.Gas]bool{}
	for _, tp := range pairs {
		// Ingredients: intensity raw/den, ratio hv, GWP g (base side).
		var rawB, denB, hvB, rawO, denO, hvO, gB decimal.Decimal
		var gas factors.Gas
		rawB, denB, rawO, denO = decimal.Decimal{}, one, decimal.Decimal{}, one
		switch {
		case tp.b != nil && tp.o != nil:
			rawB, denB, hvB, rawO, denO, hvO = tp.b.raw, tp.b.den, tp.b.hv, tp.o.raw, tp.o.den, tp.o.hv
			gas = tp.b.gas
		case tp.b != nil:
			rawB, denB, hvB, hvO = tp.b.raw, tp.b.den, tp.b.hv, tp.b.hv
			gas = tp.b.gas
		default:
			rawO, denO, hvO, hvB = tp.o.raw, tp.o.den, tp.o.hv, tp.o.hv
			gas = tp.o.gas
		}
		facts.gases[gas] = true
		if g, counted := pb.characterise(gas); counted {
			gB = g
		}
		if !hvB.Equal(hvO) {
			facts.hvDiffers = true
		}
		co2e := func(raw, hv, den decimal.Decimal) decimal.Decimal {
			if raw.IsZero() || gB.IsZero() {
				return decimal.Decimal{}
			}
			return kgOf(q, raw.Mul(hv), den, places).Mul(gB)
		}
		if fallback {
			s2 = s2.Add(co2e(rawO, hvB, denO))
			s3 = s3.Add(co2e(rawO, hvO, denO))
		} else {
			v := co2e(rawB, hvB, denB)
			s2 = s2.Add(v)
			s3 = s3.Add(co2e(rawB, hvO, denB))
		}
		s4 = s4.Add(co2e(rawO, hvO, denO))
	}
	s1, s5 := baseCommon, otherCommon
	cs[iFallback] = s2.Sub(s1)
	cs[iHV] = s3.Sub(s2)
	cs[iFactor] = s4.Sub(s3)
	cs[iGWP] = s5.Sub(s4)

	if fallback {
		var f []string
		for _, side := range []struct {
			ref string
			l   *LineResult
		}{{pb.method.Ref(), lb}, {po.method.Ref(), lo}} {
			if side.l.Factor != nil && side.l.Factor.Fallback {
				f = append(f, fmt.Sprintf("%s used %s's factor for %s", side.ref, side.l.Factor.Region, side.l.Region))
			}
		}
		facts.fallback = strings.Join(f, "; ")
		details[iFallback] = facts.fallback
	}
	if facts.hvDiffers {
		details[iHV] = fmt.Sprintf("HHV/NCV ratio %s → %s", hvText(lb), hvText(lo))
	}
	idB, idO := factorText(lb), factorText(lo)
	if idB != idO {
		facts.factorChange = idB + " → " + idO
		details[iFactor] = "factor " + facts.factorChange
	} else if !cs[iFactor].IsZero() {
		details[iFactor] = "same factor " + idB + "; other conversion"
	}
	if !cs[iGWP].IsZero() {
		details[iGWP] = gwpDetail(pb, po, facts.gases)
	}
	ld.Attribution = toCauses(cs, details)
	return ld, cs, facts
}

// matchTerms pairs the terms of the stages both methods count by stage and
// gas, in order of appearance, keeping the base method's order.
func matchTerms(b, o []termResult, bStages, oStages map[string]bool) []termPair {
	type key struct {
		stage string
		gas   factors.Gas
	}
	pending := map[key][]*termResult{}
	for i := range o {
		t := &o[i]
		if bStages[t.stage] {
			k := key{t.stage, t.gas}
			pending[k] = append(pending[k], t)
		}
	}
	var out []termPair
	for i := range b {
		t := &b[i]
		if !oStages[t.stage] {
			continue
		}
		k := key{t.stage, t.gas}
		tp := termPair{b: t}
		if q := pending[k]; len(q) > 0 {
			tp.o, pending[k] = q[0], q[1:]
		}
		out = append(out, tp)
	}
	for i := range o {
		t := &o[i]
		if !bStages[t.stage] {
			continue
		}
		k := key{t.stage, t.gas}
		if q := pending[k]; len(q) > 0 && q[0] == t {
			out = append(out, termPair{o: t})
			pending[k] = q[1:]
		}
	}
	return out
}

// kgOf computes q × num / den as the engine does: exactly when num/den is
// a terminating decimal, else one division at places, half to even.
func kgOf(q, num, den decimal.Decimal, places int32) decimal.Decimal {
	if m, ok := exactQuotient(num, den); ok {
		return q.Mul(m)
	}
	return divHalfEven(q.Mul(num), den, places)
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func statusText(l *LineResult) string {
	switch l.Status {
	case StatusError:
		return "error: " + l.Error
	case StatusExcluded:
		if len(l.Warnings) > 0 {
			return "excluded: " + strings.Join(l.Warnings, "; ")
		}
		return "excluded"
	}
	return l.Status
}

func hvText(l *LineResult) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range l.terms {
		s := t.hv.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 1 && out[0] == "1" {
		return "none"
	}
	return strings.Join(out, "/")
}

func factorText(l *LineResult) string {
	if l.Factor == nil {
		return "none"
	}
	return l.Factor.ID
}
