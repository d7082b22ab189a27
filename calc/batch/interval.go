package batch

import (
	"container/list"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// This file is the interval columns (Options.Uncertainty): per row and
// method, what `footprint calc --uncertainty DRAWS --seed S` reports for a
// one-line bid of that row — the mean, median, 90 % and 95 % intervals of
// its kg CO2e and whether it has uncertain inputs — and with two methods
// the probability that the second gives more than the first, as `compare`
// reports it. The numbers are calc's to the digit; what differs is how
// little is done per row.
//
// A row's draws are quantity × (the line kind's draws per unit of
// quantity): the kind's terms are linear in the quantity and its inputs'
// multipliers depend only on the seed and their keys. So, per (method,
// line kind) — the kinds cache's key — calc's builder gives the kind's
// structure (calc.UncertaintyBuilder.LineInputs) and the kind is sampled
// once, at one unit of quantity; a row scales its summary by its quantity
// (quantiles of q·X are q times those of X for q ≥ 0; quantities are never
// negative). Four kinds of rows take another path:
//
//   - a row whose kind has no uncertain input (every method without a
//     model; grid electricity, EPA Hub freight, three-field product factors
//     ...) or whose quantity is 0: every draw is the exact value as float64,
//     which calc prints as it is, with the mean of that constant
//     (meanOfConstant, exactly calc's sum of DRAWS copies);
//   - a row whose kind has the line's own activity data (a fuel line under a
//     model with IPCC activity defaults: its key is activity/<line id>, so
//     its draws are the row's own): computed per row as calc computes it
//     (its coefficients from the exact terms, the row's own activity draws,
//     the kind's other multipliers kept per run), bit for bit;
//   - a row whose scaled value is so close to a rounding boundary of its
//     printed places that float64 rounding could decide a digit (within a
//     bound of both computations' rounding errors): recomputed as calc
//     computes it, so that the printed digits are calc's;
//   - a row so small that a term with a division rounds to zero (calc then
//     leaves it out of the line's inputs): rebuilt from the engine's line.
//
// Memory: the kinds' samplings live in the kinds cache (maxCacheEntries per
// worker); the inputs' multipliers (DRAWS float64 each) are kept per run in
// a cache of at most maxMultBytes (at least minMultVectors vectors), least
// recently used first out; each worker has a few DRAWS-long buffers.

// Interval columns of one method group, in order, after every existing
// column (and the delta).
const (
	ivMean = iota
	ivMedian
	ivP5
	ivP95
	ivP2_5
	ivP97_5
	ivNote
	nInterval
)

func intervalName(i int) string {
	return [...]string{"kg_co2e_mean", "kg_co2e_median", "kg_co2e_p5", "kg_co2e_p95", "kg_co2e_p2_5", "kg_co2e_p97_5", "uncertainty"}[i]
}

// PDeltaColumn is the last column with two methods and intervals: the
// fraction of draws in which the second method's kg CO2e exceeds the
// first's.
const PDeltaColumn = "p_delta_positive"

// NoteSampled is the uncertainty column of a row with uncertain inputs; a
// row without any has calc.NoPublishedUncertainty.
const NoteSampled = "sampled"

// ErrUncertainty marks Options.Uncertainty a run cannot use.
var ErrUncertainty = errors.New("batch: uncertainty")

// Bounds of the run's cache of multipliers (the inputs' draws, DRAWS
// float64 each): its bytes, and the vectors it keeps whatever their size.
const (
	maxMultBytes   = 64 << 20
	minMultVectors = 4
)

// probeQuantity is the quantity a kind's structure is built at: the
// largest a line may have, so that no term of the kind rounds to zero
// (a row whose terms might is rebuilt at its own quantity).
var probeQuantity = decimal.New(1, 15)

// Paths of an interval's computation, counted per run for the tests.
const (
	ipConstant      = iota // no uncertain input, or quantity 0
	ipPerKind              // the kind's summary scaled by the quantity
	ipLine                 // the line's own activity data: per row
	ipBoundary             // per kind, but a quantile too close to a rounding boundary: per row
	ipBoundaryMean         // per kind, but the mean too close to one: the mean per row
	ipRebuilt              // a tiny quantity: rebuilt from the engine's line
	ipPairConstant         // P from two constant rows
	ipPairIdentical        // P of two identical samplings: 0
	ipPairPerKind          // P once per kind
	ipPairRow              // P per row
	nIPaths
)

// uncRun is a run's sampling configuration and its shared multipliers.
type uncRun struct {
	cfg   uncertainty.Config
	mults *multCache
	// rel bounds the relative rounding error of a summary computed per
	// kind and scaled, against calc's, per unit of the draws' magnitude
	// (besides a few roundings per term and variable): the summation of
	// DRAWS values, twice, with room to spare.
	rel float64
	// force sends every sampled row the per-row way (tests).
	force bool
}

func newUncRun(cfg uncertainty.Config, force bool) (*uncRun, error) {
	if cfg.Draws < 1 || cfg.Draws > uncertainty.MaxDraws {
		return nil, fmt.Errorf("%w: %d draws: use 1 to %d", ErrUncertainty, cfg.Draws, uncertainty.MaxDraws)
	}
	keep := max(minMultVectors, maxMultBytes/(8*cfg.Draws))
	return &uncRun{cfg: cfg, mults: newMultCache(cfg.Seed, cfg.Draws, keep), rel: float64(2*cfg.Draws+64) * 0x1p-52, force: force}, nil
}

// multCache keeps inputs' multipliers, shared by the workers: each vector
// is drawn once while it is kept; at most keep vectors are kept, the least
// recently used dropped first (a worker still holding one keeps it valid).
type multCache struct {
	seed uint64
	n    int
	keep int
	mu   sync.Mutex
	m    map[multKey]*list.Element
	lru  *list.List
}

// multKey is a variable: its key and distribution (the same key with
// another distribution is another variable).
type multKey struct {
	key  string
	dist uncertainty.Distribution
}

type multEntry struct {
	k    multKey
	once sync.Once
	v    []float64
}

func newMultCache(seed uint64, n, keep int) *multCache {
	return &multCache{seed: seed, n: n, keep: keep, m: map[multKey]*list.Element{}, lru: list.New()}
}

// get returns the multipliers of the variable k in draws 0 … n−1.
func (c *multCache) get(k multKey) []float64 {
	c.mu.Lock()
	el, ok := c.m[k]
	if ok {
		c.lru.MoveToFront(el)
	} else {
		el = c.lru.PushFront(&multEntry{k: k})
		c.m[k] = el
		for c.lru.Len() > c.keep {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.m, old.Value.(*multEntry).k)
		}
	}
	e := el.Value.(*multEntry)
	c.mu.Unlock()
	e.once.Do(func() {
		e.v = make([]float64, c.n)
		uncertainty.Multipliers(c.seed, k.key, k.dist, e.v)
	})
	return e.v
}

// lineModel is a line kind's structure under one model (one method's, or
// the two methods' of a comparison): calc's LineInputs.
type lineModel struct {
	// vars are the model's variables, by index (key and distribution: the
	// labels and sources are not kept).
	vars   []multKey
	groups []calc.LineGroup
	// unitK is each group's coefficient per unit of quantity (exact, then
	// float64): Σ (mult, or num/den) × GWP of its terms.
	unitK []float64
	// line is the index of the line's own activity-data variable, or -1.
	line int
	// hasVars: some group has a variable (else every draw is exact).
	hasVars bool
	// nTerms counts the groups and their variables: the roundings of one
	// draw's value.
	nTerms int
}

func newLineModel(b *calc.UncertaintyBuilder, in calc.LineInputs, pr *calc.Prepared) lineModel {
	lm := lineModel{groups: in.Groups, line: in.Activity}
	for _, v := range b.Model.Vars() {
		lm.vars = append(lm.vars, multKey{v.Key, v.Dist})
	}
	for _, g := range in.Groups {
		k := new(big.Rat)
		for _, ti := range g.Terms {
			t := &pr.Terms[ti]
			var r *big.Rat
			if t.Exact {
				r = t.Mult.Rat()
			} else {
				r = new(big.Rat).Quo(t.Num.Rat(), t.Den.Rat())
			}
			k.Add(k, r.Mul(r, t.GWP.Rat()))
		}
		f, _ := k.Float64()
		lm.unitK = append(lm.unitK, f)
		lm.hasVars = lm.hasVars || len(g.Vars) > 0
		lm.nTerms += 1 + len(g.Vars)
	}
	return lm
}

// sameOrder reports whether two structures of one kind multiply the same
// inputs in the same order in every group: then their draws are the same.
func sameOrder(a, b *lineModel) bool {
	return sameGroups(a, b,
		func(x, y int) bool { return a.vars[x] == b.vars[y] },
		func(x, y int) bool { return x == y })
}

// sameGroups reports whether two structures have groups of the same sizes
// whose inputs (their indices, by sameVar) and terms (by sameTerm) match
// one for one.
func sameGroups(a, b *lineModel, sameVar, sameTerm func(x, y int) bool) bool {
	if len(a.groups) != len(b.groups) {
		return false
	}
	for g := range a.groups {
		ga, gb := a.groups[g], b.groups[g]
		if len(ga.Vars) != len(gb.Vars) || len(ga.Terms) != len(gb.Terms) {
			return false
		}
		for i := range ga.Vars {
			if !sameVar(ga.Vars[i], gb.Vars[i]) {
				return false
			}
		}
		for i := range ga.Terms {
			if !sameTerm(ga.Terms[i], gb.Terms[i]) {
				return false
			}
		}
	}
	return true
}

// uncKind is a line kind's sampling under one method.
type uncKind struct {
	// err: the kind's inputs could not be modelled (the uncertainty cell
	// says why; the intervals are empty).
	err     error
	errCell []byte
	lm      lineModel
	// Per kind (lm.hasVars and no line variable): the summary of one unit
	// of quantity; mag and meanMag, the largest and the mean magnitude of
	// a draw (Σ |term|) per unit; divAbs, the largest error that division
	// terms' rounding can make in a draw whatever the quantity.
	unit    uncertainty.Summary
	mag     float64
	meanMag float64
	divAbs  float64
	// qTiny: a row of quantity (× product factor) below it may have a
	// division term that rounds to zero, which calc leaves out: rebuilt.
	qTiny float64
}

// uncPair is a line kind's sampling under the two methods together, as
// compare samples them (one model, the first method's inputs first).
type uncPair struct {
	err  error
	a, b lineModel
	// reuseA, reuseB: the pair's draws of a method are its own (same
	// inputs in the same order), so a row computed per row gives both.
	reuseA, reuseB bool
	// identical: the two methods sample the same terms from the same
	// inputs: every draw of the difference is exactly 0.
	identical bool
	// perKind: P is the kind's (pUnit) for a row of scale s when
	// s·gapMin > divAbs and s ≥ qTiny; gapMin ≤ 0 means some draw of the
	// difference is within rounding error of 0 (then per row).
	perKind bool
	pUnit   float64
	gapMin  float64
	divAbs  float64
	qTiny   float64
}

// Row states of one method's interval.
const (
	umError = iota
	umExcluded
	umOK // computed, its interval not yet
	umConstant
	umPerKind
	umRow
)

// uncRow is one method's interval for the row being written.
type uncRow struct {
	mode int
	// c is the constant draw (umConstant, umExcluded: 0).
	c    float64
	vals []float64 // umRow: the draws (before summarizing)
	// rebuilt: the draws come from a structure built at the row's own
	// quantity (not the kind's).
	rebuilt bool
	sum     uncertainty.Summary // umPerKind (scaled), umRow
	sampled bool
	errCell []byte
	// exact value of the row (kg CO2e, unrounded): fixed or d.
	fast bool
	v    fixedVal
	d    decimal.Decimal
	me   *methodEntry
}

// uncScratch is a worker's buffers for sampling, each DRAWS long. Each has
// one use, so that building a kind while a row is being written (its
// first row) never overwrites the row's draws.
type uncScratch struct {
	mult  [][]float64
	terms []uncertainty.Term
	coefs []float64
	// scratch is EvalItem's own; act the row's activity multipliers.
	scratch []float64
	act     []float64
	actKey  string
	actDist uncertainty.Distribution
	// vals are the row's draws per method, pvals in the pair's model.
	vals  [][]float64
	pvals [2][]float64
	// build, aux[0] and aux[1] are for building kinds and pairs (and
	// the tests' audit).
	build []float64
	aux   [2][]float64
	rows  []uncRow
	// keyBuf holds the activity key being compared.
	keyBuf []byte
}

func newUncScratch(n, methods int) *uncScratch {
	buf := func() []float64 { return make([]float64, n) }
	s := &uncScratch{scratch: buf(), act: buf(), build: buf(), aux: [2][]float64{buf(), buf()}, pvals: [2][]float64{buf(), buf()},
		rows: make([]uncRow, methods), vals: make([][]float64, methods)}
	for i := range s.vals {
		s.vals[i] = buf()
	}
	return s
}

// probe returns a kind's line with quantity q (and an ID of its own) and
// its result under method i, as the engine computes it.
func (ev *evaluator) probe(k rowKey, i int, q decimal.Decimal) (calc.Line, calc.LineResult, error) {
	var doc *calc.EPDDocument
	var docErr error
	if k.epd != "" {
		doc, docErr = ev.epds.get(k.epd)
	}
	l, err := k.line(doc, docErr)
	if err != nil {
		return l, calc.LineResult{}, err
	}
	l.ID, l.Quantity = "probe", q
	var lr calc.LineResult
	if l.Factor != nil && l.Factor.EPD != nil {
		lr = ev.mrs[i].plan.LineOn(&l, ev.date)
	} else {
		lr = ev.mrs[i].plan.Line(&l)
	}
	return l, lr, nil
}

// kindOf returns the sampling of entry e under method i, building it on
// first use.
func (ev *evaluator) kindOf(e *entry, i int) *uncKind {
	if e.unc == nil {
		e.unc = make([]*uncKind, len(ev.mrs))
	}
	if uk := e.unc[i]; uk != nil {
		return uk
	}
	uk := ev.buildKind(e, i)
	e.unc[i] = uk
	return uk
}

func (ev *evaluator) buildKind(e *entry, i int) *uncKind {
	uk := &uncKind{}
	fail := func(err error) *uncKind {
		uk.err = err
		uk.errCell = appendField(nil, errorText(err), true)
		return uk
	}
	me := &e.m[i]
	l, lr, err := ev.probe(e.key, i, probeQuantity)
	if err != nil {
		return fail(err)
	}
	b := calc.NewUncertaintyBuilder()
	in, err := b.LineInputs(ev.mrs[i].m, &lr, &l, "")
	if err != nil {
		return fail(err)
	}
	uk.lm = newLineModel(b, in, me.pr)
	uk.qTiny = tinyQuantity(&uk.lm, me.pr, ev.mrs[i].m.Rounding.DivisionPlaces)
	if !uk.lm.hasVars || uk.lm.line >= 0 {
		return uk
	}
	s := ev.us
	ev.draws(&uk.lm, uk.lm.unitK, "", s.build)
	uk.unit = uncertainty.SummarizeInPlace(s.build)
	ev.absDraws(&uk.lm, s.aux[0])
	uk.mag, uk.meanMag = maxOf(s.aux[0]), uncertainty.Mean(s.aux[0])
	uk.divAbs = ev.divisionError(&uk.lm, me.pr, ev.mrs[i].m.Rounding.DivisionPlaces)
	return uk
}

// tinyQuantity is the scale below which some term of the structure may
// round to zero (a term with a division: kg = round(q·num/den) at the
// method's division places), with a factor 4 of room; 0 when none can.
func tinyQuantity(lm *lineModel, pr *calc.Prepared, places int32) float64 {
	tiny := 0.0
	half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Mul(big.NewInt(2), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)))
	for _, g := range lm.groups {
		for _, ti := range g.Terms {
			t := &pr.Terms[ti]
			if t.Exact || t.Num.IsZero() {
				continue
			}
			r := new(big.Rat).Quo(t.Den.Rat(), t.Num.Rat())
			f, _ := r.Mul(r, half).Float64()
			tiny = math.Max(tiny, 4*math.Abs(f))
		}
	}
	return tiny
}

// maxOf is the largest of xs (0 for none).
func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

// divisionError bounds what rounding a division term at the method's
// division places (half a unit of its last place, × GWP) can change in a
// draw, whatever the quantity: its largest product of multipliers times
// that.
func (ev *evaluator) divisionError(lm *lineModel, pr *calc.Prepared, places int32) float64 {
	e := 0.0
	for _, g := range lm.groups {
		w := 0.0
		for _, ti := range g.Terms {
			if t := &pr.Terms[ti]; !t.Exact {
				f, _ := t.GWP.Abs().Float64()
				w += f
			}
		}
		if w == 0 {
			continue
		}
		one := lineModel{vars: lm.vars, groups: []calc.LineGroup{{Vars: g.Vars}}, line: -1}
		ev.draws(&one, []float64{1}, "", ev.us.aux[1])
		e += w * maxOf(ev.us.aux[1])
	}
	return e * math.Pow(10, -float64(places))
}

// draws writes the structure's draws with coefficients coefs (one per
// group) to out, as calc's Simulate computes them: the line's activity
// data, if any, is keyed by lineID.
func (ev *evaluator) draws(lm *lineModel, coefs []float64, lineID string, out []float64) {
	s := ev.us
	if cap(s.mult) < len(lm.vars) {
		s.mult = make([][]float64, len(lm.vars))
	}
	s.mult = s.mult[:len(lm.vars)]
	clear(s.mult)
	s.terms = s.terms[:0]
	for g, grp := range lm.groups {
		for _, v := range grp.Vars {
			if s.mult[v] != nil {
				continue
			}
			if v == lm.line {
				s.mult[v] = ev.activity(lineID, lm.vars[v].dist)
			} else {
				s.mult[v] = ev.unc.mults.get(lm.vars[v])
			}
		}
		s.terms = append(s.terms, uncertainty.Term{Coef: coefs[g], Vars: grp.Vars})
	}
	uncertainty.EvalItem(uncertainty.Item{Terms: s.terms}, s.mult, s.scratch, out)
}

// activity returns the multipliers of a line's own activity data (key
// calc.ActivityKey("", id)), drawn once per row.
func (ev *evaluator) activity(id string, d uncertainty.Distribution) []float64 {
	s := ev.us
	s.keyBuf = append(append(s.keyBuf[:0], "activity/"...), id...)
	if s.actKey != unsafeString(s.keyBuf) || s.actDist != d {
		key := calc.ActivityKey("", id)
		uncertainty.Multipliers(ev.unc.cfg.Seed, key, d, s.act)
		s.actKey, s.actDist = key, d
	}
	return s.act
}

// coefficients are a row's group coefficients, as calc's builder computes
// them: the float64 of the exact sum of the group's terms' kg CO2e for the
// quantity q (× the product factor of a template).
func coefficients(lm *lineModel, pr *calc.Prepared, q decimal.Decimal, dst []float64) []float64 {
	dst = dst[:0]
	for _, g := range lm.groups {
		var sum decimal.Decimal
		for _, ti := range g.Terms {
			t := &pr.Terms[ti]
			sum = sum.Add(pr.Kg(ti, q).Mul(t.GWP))
		}
		f, _ := sum.Float64()
		dst = append(dst, f)
	}
	return dst
}

// pairOf returns the sampling of entry e under the two methods together,
// building it on first use (a method that excludes the kind has no
// inputs and counts zero, as in compare).
func (ev *evaluator) pairOf(e *entry) *uncPair {
	if e.pair != nil {
		return e.pair
	}
	p := ev.buildPair(e, probeQuantity)
	if p.err == nil {
		p.qTiny = math.Max(ev.kindOf(e, 0).qTiny, ev.kindOf(e, 1).qTiny)
		ev.pairPerKind(e, p)
	}
	e.pair = p
	return p
}

// buildPair builds the structures of entry e under both methods, in one
// model, at quantity q.
func (ev *evaluator) buildPair(e *entry, q decimal.Decimal) *uncPair {
	p := &uncPair{}
	b := calc.NewUncertaintyBuilder()
	lms := [2]*lineModel{&p.a, &p.b}
	var ins [2]calc.LineInputs
	for i := 0; i < 2; i++ {
		me := &e.m[i]
		ins[i] = calc.LineInputs{Activity: -1}
		if me.pr.Status != calc.StatusOK {
			continue // excluded: no inputs, as compare's builder skips it
		}
		l, lr, err := ev.probe(e.key, i, q)
		if err == nil {
			ins[i], err = b.LineInputs(ev.mrs[i].m, &lr, &l, "")
		}
		if err != nil {
			p.err = err
			return p
		}
	}
	for i := 0; i < 2; i++ {
		*lms[i] = newLineModel(b, ins[i], e.m[i].pr)
	}
	return p
}

// pairPerKind computes what the pair's P is per kind, when it can be.
func (ev *evaluator) pairPerKind(e *entry, p *uncPair) {
	ka, kb := ev.kindOf(e, 0), ev.kindOf(e, 1)
	p.reuseA = ka.err == nil && sameOrder(&ka.lm, &p.a)
	p.reuseB = kb.err == nil && sameOrder(&kb.lm, &p.b)
	p.identical = identical(&p.a, &p.b, e.m[0].pr, e.m[1].pr)
	if p.identical || p.a.line >= 0 || p.b.line >= 0 {
		return
	}
	s := ev.us
	va, vb, ma, mb := s.pvals[0], s.pvals[1], s.aux[0], s.build
	ev.draws(&p.a, p.a.unitK, "", va)
	ev.draws(&p.b, p.b.unitK, "", vb)
	ev.absDraws(&p.a, ma)
	ev.absDraws(&p.b, mb)
	// A draw's sign is certain when the difference exceeds what rounding
	// can change in either method's value (relative to their magnitudes).
	tau := float64(2*(p.a.nTerms+p.b.nTerms)+64) * 0x1p-52
	gap := math.Inf(1)
	for j := range va {
		gap = math.Min(gap, math.Abs(vb[j]-va[j])-tau*(ma[j]+mb[j]))
	}
	p.perKind, p.pUnit, p.gapMin = true, above(va, vb), gap
	p.divAbs = ev.divisionError(&p.a, e.m[0].pr, ev.mrs[0].m.Rounding.DivisionPlaces) + ev.divisionError(&p.b, e.m[1].pr, ev.mrs[1].m.Rounding.DivisionPlaces)
}

// absDraws writes Σ |coefficient × multipliers| per draw, per unit.
func (ev *evaluator) absDraws(lm *lineModel, out []float64) {
	abs := make([]float64, len(lm.unitK))
	for g, k := range lm.unitK {
		abs[g] = math.Abs(k)
	}
	ev.draws(lm, abs, "", out)
}

// identical reports whether two structures sample the same terms (the
// same exact coefficients for any quantity) from the same inputs in the
// same order: their draws are then equal, and so is every draw of their
// difference 0.
func identical(a, b *lineModel, pa, pb *calc.Prepared) bool {
	return sameGroups(a, b,
		func(x, y int) bool { return x == y },
		func(x, y int) bool {
			ta, tb := &pa.Terms[x], &pb.Terms[y]
			return ta.Exact == tb.Exact && ta.GWP.Equal(tb.GWP) && (!ta.Exact || ta.Mult.Equal(tb.Mult)) &&
				(ta.Exact || (ta.Num.Equal(tb.Num) && ta.Den.Equal(tb.Den)))
		})
}

// exactFloat is the float64 nearest to a row's exact value (as
// decimal.Float64 and strconv.ParseFloat give it: correctly rounded).
func exactFloat(u *uncRow) float64 {
	if !u.fast {
		f, _ := u.d.Float64()
		return f
	}
	v := u.v
	if v.p.hi == 0 && v.p.mid == 0 && v.p.lo < 1<<53 && v.exp <= 0 && v.exp >= -22 {
		return float64(v.p.lo) / pow10f[-v.exp] // both exact: one correctly rounded division
	}
	var buf [80]byte
	b := appendU192(buf[:0], v.p)
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(v.exp), 10)
	f, err := strconv.ParseFloat(unsafeString(b), 64)
	if err != nil { // ±Inf beyond float64: cannot happen below 1e15 × K
		f, _ = v.decimal().Float64()
	}
	return f
}

var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// appendU192 appends the decimal digits of x.
func appendU192(dst []byte, x u192) []byte {
	if x.hi == 0 {
		return appendU128(dst, u128{x.mid, x.lo})
	}
	return append(dst, x.bigInt().String()...)
}

// meanOfConstant is the mean calc's Summarize gives n draws all equal to
// c: their float64 sum in order, divided by n. It takes O(log n) steps,
// not n: while the partial sum s stays in one binade [2^(e−1), 2^e), it is
// a multiple a·u of that binade's spacing u = 2^(e−53), and s + c rounds
// to (a + δ)·u with the same δ every time — round(c/u), or on a tie c/u =
// m + ½ the even one of m and m+1 once a is even (rounding to nearest is
// to the even neighbour). So a run of steps that ends clear of the
// binade's top is one exact multiplication; the few steps that cross into
// the next binade are taken one by one, as floating point takes them.
// FuzzMeanOfConstant holds it to the plain loop.
func meanOfConstant(c float64, n int) float64 {
	switch {
	case n <= 0:
		return 0
	case c == 0 || math.IsNaN(c) || math.IsInf(c, 0):
		return c
	case c < 0:
		return -meanOfConstant(-c, n) // rounding to nearest is symmetric
	}
	s := c // the first draw: 0 + c
	for k := 1; k < n; {
		if math.IsInf(s, 0) {
			break // and stays so
		}
		_, e := math.Frexp(s)
		u := math.Ldexp(1, e-53)
		cu := c / u                      // exact: u is a power of two and c ≤ s
		if u == 0 || math.IsInf(cu, 0) { // subnormal spacing: one by one
			s += c
			k++
			continue
		}
		m := math.Floor(cu)
		a := s / u // an integer in [2^52, 2^53)
		var delta float64
		switch f := cu - m; {
		case f < 0.5:
			delta = m
		case f > 0.5:
			delta = m + 1
		case math.Mod(a, 2) != 0:
			s += c // a tie with a odd: one step makes a even
			k++
			continue
		case math.Mod(m, 2) == 0:
			delta = m
		default:
			delta = m + 1
		}
		if delta == 0 { // c is under half a spacing: s no longer changes
			break
		}
		// Steps whose sums stay below the binade's top (2^53 units of u),
		// with room to spare.
		j := math.Floor((0x1p53 - a - cu - 2) / delta)
		if j < 1 {
			s += c
			k++
			continue
		}
		j = math.Min(j, float64(n-k))
		s += j * delta * u // exact: (a + jδ)·u < 2^e is a float64
		k += int(j)
	}
	return s / float64(n)
}

// intervals appends the row's interval columns (after the delta).
func (ev *evaluator) intervals(dst []byte, e *entry, lineID string, q quantity, qFast bool, qd decimal.Decimal, pf *quantity) []byte {
	s := ev.us
	// The row's scale: its quantity (× the product factor of a template),
	// as float64 and as an exact decimal for the per-row way.
	var scale float64
	if qFast {
		scale = float64(q.c) / math.Pow(10, float64(q.scale))
	} else {
		scale, _ = qd.Float64()
	}
	var qExact decimal.Decimal
	qExactOK := false
	exactQ := func() decimal.Decimal {
		if !qExactOK {
			qExact = qd
			if qFast {
				qExact = q.decimal()
			}
			if pf != nil {
				qExact = qExact.Mul(pf.decimal())
			}
			qExactOK = true
		}
		return qExact
	}
	if pf != nil {
		scale *= float64(pf.c) / math.Pow(10, float64(pf.scale))
	}
	zero := scale == 0
	for i := range ev.mrs {
		u := &s.rows[i]
		u.vals, u.rebuilt, u.sampled = nil, false, false
		switch u.mode {
		case umError, umExcluded:
			continue
		}
		uk := ev.kindOf(e, i)
		if uk.err != nil {
			u.mode, u.errCell = umError, uk.errCell
			continue
		}
		if !uk.lm.hasVars || zero {
			u.mode, u.c = umConstant, exactFloat(u)
			ev.ipaths[ipConstant]++
			continue
		}
		u.sampled = true
		if scale < uk.qTiny {
			ev.rebuildRow(e, i, u, exactQ(), lineID)
			continue
		}
		if uk.lm.line < 0 && !ev.unc.force {
			x := uk.unit
			x.Mean, x.Median, x.P5, x.P95, x.P2_5, x.P97_5 = scale*x.Mean, scale*x.Median, scale*x.P5, scale*x.P95, scale*x.P2_5, scale*x.P97_5
			// A quantile is one draw's value (or between two): it is off by
			// the few roundings of a draw. The mean sums DRAWS of them.
			qMargin := float64(2*uk.lm.nTerms+16)*0x1p-52*scale*uk.mag + uk.divAbs
			mMargin := ev.unc.rel*scale*uk.meanMag + qMargin
			places := int(ev.mrs[i].places)
			if safe(x.Median, qMargin, places) && safe(x.P5, qMargin, places) && safe(x.P95, qMargin, places) &&
				safe(x.P2_5, qMargin, places) && safe(x.P97_5, qMargin, places) {
				if ev.audit != nil {
					ev.auditRow(uk, u, x, qMargin, mMargin, exactQ(), lineID)
				}
				u.mode, u.sum = umPerKind, x
				if safe(x.Mean, mMargin, places) {
					ev.ipaths[ipPerKind]++
					continue
				}
				// The mean alone is too close to call: the row's draws, summed
				// as calc sums them (no quantile to select).
				ev.ipaths[ipBoundaryMean]++
				vals := s.vals[i]
				ev.draws(&uk.lm, ev.rowCoefs(&uk.lm, u.me.pr, exactQ()), lineID, vals)
				u.sum.Mean = uncertainty.Mean(vals)
				continue
			}
			ev.ipaths[ipBoundary]++
		} else {
			ev.ipaths[ipLine]++
		}
		u.mode, u.vals = umRow, s.vals[i]
		ev.draws(&uk.lm, ev.rowCoefs(&uk.lm, u.me.pr, exactQ()), lineID, u.vals)
	}
	var p []byte
	if len(ev.mrs) == 2 && s.rows[0].mode != umError && s.rows[1].mode != umError {
		p = ev.pDelta(e, scale, exactQ, lineID)
	}
	n := ev.unc.cfg.Draws
	for i, mr := range ev.mrs {
		u := &s.rows[i]
		switch u.mode {
		case umError:
			dst = append(dst, ",,,,,,,"...)
			dst = append(dst, u.errCell...)
			continue
		case umExcluded:
			dst = append(dst, ",,,,,,,"...)
			dst = append(dst, calc.NoPublishedUncertainty...)
			continue
		case umConstant:
			u.sum = uncertainty.Summary{Mean: meanOfConstant(u.c, n), Median: u.c, P5: u.c, P95: u.c, P2_5: u.c, P97_5: u.c}
		case umRow:
			u.sum = uncertainty.SummarizeInPlace(u.vals[:n])
		}
		places := int(mr.places)
		for _, x := range [...]float64{u.sum.Mean, u.sum.Median, u.sum.P5, u.sum.P95, u.sum.P2_5, u.sum.P97_5} {
			dst = append(dst, ',')
			dst = strconv.AppendFloat(dst, x, 'f', places, 64)
		}
		dst = append(dst, ',')
		if u.sampled {
			dst = append(dst, NoteSampled...)
		} else {
			dst = append(dst, calc.NoPublishedUncertainty...)
		}
	}
	if len(ev.mrs) == 2 {
		dst = append(dst, ',')
		dst = append(dst, p...)
	}
	return dst
}

// rowCoefs is coefficients in the worker's buffer.
func (ev *evaluator) rowCoefs(lm *lineModel, pr *calc.Prepared, q decimal.Decimal) []float64 {
	ev.us.coefs = coefficients(lm, pr, q, ev.us.coefs[:0])
	return ev.us.coefs
}

// rebuildRow samples a row whose quantity is so small that a term may
// round to zero: from calc's structure of the line at its own quantity.
func (ev *evaluator) rebuildRow(e *entry, i int, u *uncRow, q decimal.Decimal, lineID string) {
	ev.ipaths[ipRebuilt]++
	u.mode, u.vals, u.rebuilt = umRow, ev.us.vals[i], true
	l, lr, err := ev.probe(e.key, i, q)
	var in calc.LineInputs
	b := calc.NewUncertaintyBuilder()
	if err == nil {
		in, err = b.LineInputs(ev.mrs[i].m, &lr, &l, "")
	}
	if err != nil {
		u.mode, u.errCell = umError, appendField(nil, errorText(err), true)
		return
	}
	lm := newLineModel(b, in, u.me.pr)
	u.sampled = lm.hasVars
	ev.draws(&lm, ev.rowCoefs(&lm, u.me.pr, q), lineID, u.vals)
}

// pDelta returns the probability cell: the fraction of draws in which the
// second method's kg CO2e exceeds the first's, as compare computes it.
func (ev *evaluator) pDelta(e *entry, scale float64, exactQ func() decimal.Decimal, lineID string) []byte {
	s := ev.us
	ra, rb := &s.rows[0], &s.rows[1]
	constant := func(u *uncRow) bool { return u.mode == umConstant || u.mode == umExcluded }
	if constant(ra) && constant(rb) {
		ev.ipaths[ipPairConstant]++
		if rb.c > ra.c {
			return []byte("1")
		}
		return []byte("0")
	}
	p := ev.pairOf(e)
	if p.err != nil {
		return nil
	}
	if p.identical {
		ev.ipaths[ipPairIdentical]++
		return []byte("0")
	}
	if p.perKind && !ev.unc.force && scale >= p.qTiny && scale*p.gapMin > p.divAbs {
		ev.ipaths[ipPairPerKind]++
		if ev.audit != nil {
			va := ev.pairDraws(&p.a, ra, false, 0, exactQ, lineID)
			vb := ev.pairDraws(&p.b, rb, false, 1, exactQ, lineID)
			if above(va, vb) != p.pUnit {
				ev.audit.pMismatch++
			}
		}
		return []byte(calc.FormatProbability(p.pUnit))
	}
	ev.ipaths[ipPairRow]++
	pa, pb := &p.a, &p.b
	if ra.rebuilt || rb.rebuilt {
		if p = ev.buildPair(e, exactQ()); p.err != nil {
			return nil
		}
		pa, pb = &p.a, &p.b
	}
	va := ev.pairDraws(pa, ra, p.reuseA && !ra.rebuilt, 0, exactQ, lineID)
	vb := ev.pairDraws(pb, rb, p.reuseB && !rb.rebuilt, 1, exactQ, lineID)
	return []byte(calc.FormatProbability(above(va, vb)))
}

// above is the fraction of draws j with vb[j] > va[j]: compare's P(B > A),
// whose draws of the difference are vb[j] − va[j] (> 0 exactly then).
func above(va, vb []float64) float64 {
	c := 0
	for j := range va {
		if vb[j] > va[j] {
			c++
		}
	}
	return float64(c) / float64(len(va))
}

// intervalAudit is what the tests learn of the per-kind shortcuts: the
// largest distance between a row's quantiles, and its mean, scaled from
// its kind's and computed per row, as a fraction of the margin each
// allows itself, and the number of per-kind probabilities that differ
// from the per-row ones.
type intervalAudit struct {
	quantileRatio, meanRatio float64
	pMismatch                int64
}

// auditRow computes a per-kind row per row too, and records how far apart
// the two are against their margins.
func (ev *evaluator) auditRow(uk *uncKind, u *uncRow, x uncertainty.Summary, qMargin, mMargin float64, q decimal.Decimal, lineID string) {
	vals := ev.us.aux[0]
	ev.draws(&uk.lm, ev.rowCoefs(&uk.lm, u.me.pr, q), lineID, vals)
	y := uncertainty.SummarizeInPlace(vals)
	a := ev.audit
	a.meanRatio = math.Max(a.meanRatio, math.Abs(x.Mean-y.Mean)/mMargin)
	for _, d := range [...]float64{x.Median - y.Median, x.P5 - y.P5, x.P95 - y.P95, x.P2_5 - y.P2_5, x.P97_5 - y.P97_5} {
		a.quantileRatio = math.Max(a.quantileRatio, math.Abs(d)/qMargin)
	}
}

// pairDraws returns method i's draws of the row in the pair's model: its
// own when they are the same, else computed.
func (ev *evaluator) pairDraws(lm *lineModel, u *uncRow, reuse bool, i int, exactQ func() decimal.Decimal, lineID string) []float64 {
	s := ev.us
	out := s.pvals[i][:ev.unc.cfg.Draws]
	switch {
	case u.mode == umRow && reuse:
		return u.vals
	case u.mode == umConstant || u.mode == umExcluded:
		c := u.c
		if u.mode == umExcluded {
			c = 0
		}
		for j := range out {
			out[j] = c
		}
		return out
	}
	ev.draws(lm, ev.rowCoefs(lm, u.me.pr, exactQ()), lineID, out)
	return out
}

// safe reports whether every value within margin of x prints as x does
// with places decimals: no rounding boundary (half a unit of the last
// place, or zero, where the sign would change) within margin.
func safe(x, margin float64, places int) bool {
	ax := math.Abs(x)
	if !(ax > margin) || places > 22 {
		return false
	}
	p := pow10f[places]
	y := ax * p
	if !(y < 1<<52) {
		return false
	}
	f := y - math.Floor(y)
	return math.Abs(f-0.5)/p > margin+ax*0x1p-50
}
