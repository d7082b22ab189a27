package calc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/jsonw"
	"github.com/footprint-gpp/footprint/methods"
)

// Line statuses.
const (
	StatusOK       = "ok"
	StatusExcluded = "excluded"
	StatusError    = "error"
)

// Footprint is the result of a bid under one method. Amounts are exact
// (unrounded) decimals; JSON reports them rounded by the method's rule.
type Footprint struct {
	Method    MethodRef     `json:"method"`
	Reference string        `json:"reference"`
	Supplier  string        `json:"supplier"`
	Total     Amount        `json:"total"`
	ByGas     []GasAmount   `json:"by_gas"`
	ByStage   []StageAmount `json:"by_stage"`
	Lines     []LineResult  `json:"lines"`
	Limits    []LimitCheck  `json:"limits"`
	// Quality is the worst quality of the factors used.
	Quality  string       `json:"quality"`
	Datasets []DatasetRef `json:"datasets"`
	Notes    []string     `json:"notes"`
	Receipt  Receipt      `json:"receipt"`

	rounding methods.Rounding
	// fixed: the engine computed the footprint and kept its amounts in
	// fixed point too (fixedpoint.go) — totalFx, byGasFx (kg and kg CO2e
	// of each of ByGas), byStageFx, and each line's kgFx and amountsFx —
	// which AppendJSON writes from. AppendFootprintJSON's footprint has
	// its amounts there only (calculate's lazy); it is written and
	// dropped, never returned.
	fixed     bool
	totalFx   fx
	byGasFx   []fx
	byStageFx []fx
}

// MethodRef identifies the method version a footprint was computed with.
type MethodRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	GWPSet  string `json:"gwp_set"`
	Digest  string `json:"digest"`
}

// Amount is a quantity of kg CO2e.
type Amount struct {
	KgCO2e decimal.Decimal `json:"kg_co2e"`
}

// GasAmount is one gas in kg of the gas and in kg CO2e.
type GasAmount struct {
	Gas    string          `json:"gas"`
	Kg     decimal.Decimal `json:"kg"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
	// GWP is the value used (empty for a gas not counted).
	GWP     string `json:"gwp,omitempty"`
	Counted bool   `json:"counted"`
}

// StageAmount is a life-cycle stage's kg CO2e.
type StageAmount struct {
	Stage  string          `json:"stage"`
	KgCO2e decimal.Decimal `json:"kg_co2e"`
}

// FactorUsed records which factor a line used.
type FactorUsed struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Source  string `json:"source"`
	Table   string `json:"table,omitempty"`
	// Region is the region whose factor was used (may be a parent or GLO).
	Region          string `json:"region"`
	Fallback        bool   `json:"fallback"`
	Quality         string `json:"quality"`
	ProductSpecific bool   `json:"product_specific"`
	Per             string `json:"per"`
	Basis           string `json:"basis,omitempty"`
	Stage           string `json:"stage"`
}

// LineResult is one line's result.
type LineResult struct {
	ID       string          `json:"id"`
	Activity string          `json:"activity"`
	Region   string          `json:"region"`
	Quantity decimal.Decimal `json:"quantity"`
	Unit     string          `json:"unit"`
	Status   string          `json:"status"`
	KgCO2e   decimal.Decimal `json:"kg_co2e"`
	Gases    []GasAmount     `json:"gases"`
	Stages   []StageAmount   `json:"stages"`
	Factor   *FactorUsed     `json:"factor,omitempty"`
	// EPD is the EPD document the factor came from: its identity and what
	// the method's rules took from it; omitted for other factors.
	EPD *EPDUsed `json:"epd,omitempty"`
	// Conversions says how the quantity was brought to the factor's unit.
	Conversions []string `json:"conversions"`
	// BasisConversions are the heating-value conversions made, each with
	// its ratio and source row; omitted when none was made.
	BasisConversions []BasisConversion `json:"basis_conversions,omitempty"`
	// DataOrigin says whose data the factor is: "own" (the method's
	// datasets), "host" (host_data for the line's region) or "product".
	// Only methods that declare host_data report it, so the output of
	// methods without host data keeps its bytes.
	DataOrigin string   `json:"data_origin,omitempty"`
	Warnings   []string `json:"warnings"`
	Error      string   `json:"error,omitempty"`
	// Field is the input field the error is about.
	Field string `json:"field,omitempty"`
	// Err is the typed error behind Error, for callers; not serialised.
	Err error `json:"-"`

	terms  []termResult
	recipe *recipe
	// kgFx is KgCO2e in fixed point, for the bid's total and the report;
	// amountsFx are, in fixed point, the kg and kg CO2e of each of Gases
	// and then the kg CO2e of each of Stages, for the report (a bid's
	// lines only: nil from Line and LineOn).
	kgFx      fx
	amountsFx []fx
}

// termResult is a computed term, kept for comparison and attribution; the
// term itself is the plan's cached one, shared read-only.
type termResult struct {
	*term
	kg, co2e decimal.Decimal
	// kgFx and co2eFx are kg and co2e in fixed point, for the bid's sums.
	kgFx, co2eFx fx
}

// BasisConversion is one heating-value conversion of a line: energy on
// basis To = energy on basis From × Ratio.
type BasisConversion struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Ratio string `json:"ratio"`
	// Quotient is the published pair the ratio divides ("0.18256/0.20226"),
	// empty for a ratio written in the method file.
	Quotient string `json:"quotient,omitempty"`
	// Source cites the reference row (file.csv#N) or, for a ratio written
	// in the method file, the source it gives.
	Source  string `json:"source"`
	Dataset string `json:"dataset,omitempty"`
	Row     string `json:"row,omitempty"`
}

// LimitCheck is a procurement limit checked on a line.
type LimitCheck struct {
	Name    string          `json:"name"`
	ID      string          `json:"id"`
	Dataset string          `json:"dataset"`
	LineID  string          `json:"line_id"`
	Limit   decimal.Decimal `json:"limit"`
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
	Pass    bool            `json:"pass"`
	Quality string          `json:"quality"`
	Source  string          `json:"source"`
}

// DatasetRef identifies a dataset a footprint may draw on.
type DatasetRef struct {
	Ref     string `json:"ref"`
	Title   string `json:"title"`
	Digest  string `json:"digest"`
	Quality string `json:"quality"`
	Licence string `json:"licence"`
}

// Receipt holds the digests that make a footprint reproducible and
// verifiable: the same input and method always give the same bytes.
type Receipt struct {
	InputDigest    string            `json:"input_digest"`
	MethodDigest   string            `json:"method_digest"`
	DatasetDigests map[string]string `json:"dataset_digests"`
	// EPDDigests are the SHA-256 of the EPD documents the lines used,
	// sorted, each once; omitted when none (so receipts of bids without
	// EPD documents keep their bytes).
	EPDDigests   []string `json:"epd_digests,omitempty"`
	ResultDigest string   `json:"result_digest"`
}

// Calculate computes a bid under the plan's method.
func (p *Plan) Calculate(bid Bid) (*Footprint, error) { return p.calculate(bid, false, nil) }

// AppendFootprintJSON computes bid's footprint under m and appends its
// JSON to dst: the bytes of AppendJSON of the footprint Calculate returns.
// When Calculate would return an error, it returns dst and that error
// (a *BidError when some lines could not be computed).
func (e *Engine) AppendFootprintJSON(dst []byte, m *methods.Method, bid Bid) ([]byte, error) {
	p, err := e.Plan(m)
	if err != nil {
		return dst, err
	}
	return p.AppendFootprintJSON(dst, bid)
}

// AppendFootprintJSON is Engine.AppendFootprintJSON under the plan's
// method. The footprint is only written, so its amounts are kept in fixed
// point alone: no decimal is made for an amount that fits an int64
// (TestAppendFootprintJSONMatchesCalculate, FuzzAppendFootprintJSON).
//
// Its lines and amounts are written into memory reused from one bid to
// the next (footprintScratch), cleared after each.
func (p *Plan) AppendFootprintJSON(dst []byte, bid Bid) ([]byte, error) {
	sc, _ := p.scratch.Get().(*footprintScratch)
	if sc == nil {
		sc = &footprintScratch{}
	}
	fp, err := p.calculate(bid, true, sc)
	if err == nil {
		dst, err = fp.AppendJSON(dst)
	}
	if sc.keep() {
		p.scratch.Put(sc)
	}
	return dst, err
}

// footprintScratch is the memory of a footprint that is only written:
// its lines and the slab of their fixed-point amounts.
type footprintScratch struct {
	lines   []LineResult
	amounts []fx
}

// maxScratchLines bounds the scratch kept for the next bid: a bid of
// thousands of lines does not keep its memory.
const maxScratchLines = 1024

// keep clears the scratch (so that it holds no bid's data) and reports
// whether it is small enough to keep.
func (sc *footprintScratch) keep() bool {
	if cap(sc.lines) > maxScratchLines || cap(sc.amounts) > 8*maxScratchLines {
		return false
	}
	clear(sc.lines[:cap(sc.lines)])
	clear(sc.amounts[:cap(sc.amounts)])
	sc.lines, sc.amounts = sc.lines[:0], sc.amounts[:0]
	return true
}

// calculate is Calculate; lazy leaves the amounts' decimals unmade (the
// footprint is only written: AppendFootprintJSON). It takes the lines and
// amounts of the footprint from sc when it is given (and leaves there the
// slices it made).
func (p *Plan) calculate(bid Bid, lazy bool, sc *footprintScratch) (*Footprint, error) {
	probs := checkBid(bid)
	when, dprobs := bidDates(bid)
	if probs = append(probs, dprobs...); len(probs) > 0 {
		return nil, &BidError{Problems: probs}
	}
	m := p.method
	fp := &Footprint{
		Method:    MethodRef{ID: m.ID, Version: m.Version, Title: m.Title, Status: string(m.Status), GWPSet: m.GWPSet, Digest: m.Digest},
		Reference: bid.Reference, Supplier: bid.Supplier,
		rounding: m.Rounding, fixed: true,
		Notes: []string{
			"amounts are summed unrounded and rounded once when reported; rounded lines may not add up exactly to the rounded total",
		},
	}
	if m.Status == methods.Retired {
		fp.Notes = append(fp.Notes, fmt.Sprintf("method %s is retired; computed for reproduction of earlier results", m.Ref()))
	}
	if m.Status == methods.Draft {
		fp.Notes = append(fp.Notes, fmt.Sprintf("method %s is a draft", m.Ref()))
	}
	// The bid's sums, in fixed point (fixedpoint.go): the total, and per
	// gas and per stage, which the lines add their terms to.
	var total sum
	sums := &bidSums{lazy: lazy}
	epdDigests := map[string]bool{}
	quality := factors.Primary
	anyFactor := false
	n := len(bid.Lines)
	slabs := &lineSlabs{sums: sums}
	if sc != nil && cap(sc.lines) >= n {
		fp.Lines = sc.lines[:0]
	} else {
		fp.Lines = make([]LineResult, 0, n)
	}
	if sc != nil && cap(sc.amounts) >= 7*n {
		slabs.amounts = sc.amounts[:0]
	} else {
		slabs.amounts = make([]fx, 0, 7*n)
	}
	if sc != nil {
		sc.lines, sc.amounts = fp.Lines, slabs.amounts
	}
	if !lazy {
		slabs.gases, slabs.stages, slabs.terms = make([]GasAmount, 0, 3*n), make([]StageAmount, 0, n), make([]termResult, 0, 3*n)
	}
	for i := range bid.Lines {
		lr := p.line(&bid.Lines[i], when, slabs, lazy)
		if lr.EPD != nil && lr.EPD.SHA256 != "" && lr.Status != StatusError {
			epdDigests[lr.EPD.SHA256] = true
		}
		if lr.Status == StatusError {
			ptr := fmt.Sprintf("/lines/%d", i)
			if lr.Field != "" {
				ptr += "/" + strings.ReplaceAll(lr.Field, ".", "/")
			}
			probs = append(probs, Problem{Pointer: ptr, LineID: lr.ID, Detail: lr.Error, Err: lr.Err})
		}
		if lr.Status == StatusOK {
			total.add(lr.kgFx, lr.KgCO2e, !lazy)
			fp.Limits = append(fp.Limits, p.checkLimits(&bid.Lines[i], &lr, lazy)...)
		}
		if lr.Factor != nil && lr.Status == StatusOK {
			anyFactor = true
			if !lr.Factor.ProductSpecific {
				quality = quality.Worse(factors.Quality(lr.Factor.Quality))
			}
		}
		fp.Lines = append(fp.Lines, lr)
	}
	fp.totalFx = total.fxValue()
	gasAccs, stageAccs := sums.gases, sums.stages
	sortGases(gasAccs)
	fp.ByGas, fp.byGasFx = make([]GasAmount, len(gasAccs)), make([]fx, 2*len(gasAccs))
	for i := range gasAccs {
		a := &gasAccs[i]
		fp.ByGas[i] = a.ga
		fp.byGasFx[2*i], fp.byGasFx[2*i+1] = a.kg.fxValue(), a.co2e.fxValue()
	}
	// The stages the method lists, in its order.
	fp.ByStage = []StageAmount{}
	for _, st := range p.method.Stages {
		if s := stageAccs.get(st); s != nil {
			fp.ByStage = append(fp.ByStage, StageAmount{Stage: st})
			fp.byStageFx = append(fp.byStageFx, s.fxValue())
		}
	}
	if !lazy {
		fp.Total.KgCO2e = total.value()
		for i := range gasAccs {
			fp.ByGas[i].Kg, fp.ByGas[i].KgCO2e = gasAccs[i].kg.value(), gasAccs[i].co2e.value()
		}
		for i := range fp.ByStage {
			fp.ByStage[i].KgCO2e = stageAccs.get(fp.ByStage[i].Stage).value()
		}
	}
	if anyFactor {
		fp.Quality = string(quality)
	}
	if fp.Limits == nil {
		fp.Limits = []LimitCheck{}
	}
	fp.Receipt.MethodDigest = m.Digest
	fp.Receipt.DatasetDigests = map[string]string{}
	for _, d := range p.datasets {
		fp.Datasets = append(fp.Datasets, DatasetRef{Ref: d.Ref(), Title: d.Title, Digest: d.Digest, Quality: string(d.Quality), Licence: d.Licence})
		fp.Receipt.DatasetDigests[d.Ref()] = d.Digest
	}
	for _, ls := range m.Limits {
		if d, err := p.lib.Dataset(ls.Dataset); err == nil {
			fp.Datasets = append(fp.Datasets, DatasetRef{Ref: d.Ref(), Title: d.Title, Digest: d.Digest, Quality: string(d.Quality), Licence: d.Licence})
			fp.Receipt.DatasetDigests[d.Ref()] = d.Digest
		}
	}
	// Host data and heating-value rows: only methods that declare them.
	for _, d := range p.extra {
		if _, dup := fp.Receipt.DatasetDigests[d.Ref()]; dup {
			continue
		}
		fp.Datasets = append(fp.Datasets, DatasetRef{Ref: d.Ref(), Title: d.Title, Digest: d.Digest, Quality: string(d.Quality), Licence: d.Licence})
		fp.Receipt.DatasetDigests[d.Ref()] = d.Digest
	}
	fp.Receipt.InputDigest = InputDigest(bid)
	if len(epdDigests) > 0 {
		fp.Receipt.EPDDigests = sortedKeys(epdDigests)
	}
	if len(probs) > 0 {
		return fp, &BidError{Problems: probs}
	}
	return fp, nil
}

// Line computes one line. It never fails: a line that cannot be computed
// comes back with status "error", its message and typed error. The
// Conversions and Warnings slices are shared with the plan's cache: read
// them, do not modify them.
//
// A line with an EPD document has no bid date here and is refused; bids
// with EPDs go through Calculate.
func (p *Plan) Line(l *Line) LineResult { return p.line(l, asOf{}, nil, false) }

// LineOn is Line for a bid dated date (its calendar day): a line's EPD
// document is judged valid on that day, as Calculate judges it on the
// bid's date. It is the reference the batch runner's EPD rows agree with.
func (p *Plan) LineOn(l *Line, date time.Time) LineResult {
	return p.line(l, dayOf(date), nil, false)
}

// lineSlabs are the slabs a bid's line results take their gas, stage and
// term slices from: a few allocations per bid instead of three per line.
// Each slice is cut with its capacity at its length, so that an append to
// one never writes into the next.
//
// A line of a bid also adds its terms to the bid's sums, as it computes
// them.
type lineSlabs struct {
	gases   []GasAmount
	stages  []StageAmount
	terms   []termResult
	amounts []fx
	sums    *bidSums
}

// bidSums are a bid's sums by gas (in order of first appearance) and by
// stage, which its computed lines add their terms to, in order; lazy:
// kept in fixed point only.
type bidSums struct {
	gases  gasAccs
	stages stageAccs
	lazy   bool
}

// addTerm adds term i of recipe r, computed as kg and co2e (whose
// decimals are given unless lazy; kgDec, hasKg for kg).
func (b *bidSums) addTerm(r *recipe, i int, kg, co2e fx, kgDec, co2eDec decimal.Decimal, hasKg bool) {
	t := &r.terms[i]
	ga := b.gases.find(t.gas)
	if ga == nil {
		tmpl := r.gasTemplate[r.termGas[i]] // the gas as reported, its GWP text included
		b.gases = append(b.gases, gasAcc{ga: GasAmount{Gas: tmpl.Gas, GWP: tmpl.GWP, Counted: tmpl.Counted}})
		ga = &b.gases[len(b.gases)-1]
	}
	ga.kg.add(kg, kgDec, hasKg)
	ga.co2e.add(co2e, co2eDec, !b.lazy)
	b.stages.find(t.stage).add(co2e, co2eDec, !b.lazy)
}

// slabChunk is the number of rows a slab is refilled with.
const slabChunk = 64

// cut returns n zeroed elements cut from *slab, refilling it when short.
func cut[T any](slab *[]T, n int) []T {
	if cap(*slab)-len(*slab) < n {
		*slab = make([]T, 0, max(n, slabChunk))
	}
	s := *slab
	out := s[len(s) : len(s)+n : len(s)+n]
	*slab = s[:len(s)+n]
	return out
}

// line computes one line; with slabs (a bid's line), it adds its terms to
// slabs.sums and keeps its amounts in fixed point for the report
// (amountsFx). lazy leaves its amounts' decimals unmade and its terms
// unkept; its gases and stages are then the recipe's, shared read-only.
func (p *Plan) line(l *Line, when asOf, slabs *lineSlabs, lazy bool) LineResult {
	lr := LineResult{ID: l.ID, Activity: l.Activity, Region: l.Region, Quantity: l.Quantity, Unit: l.Unit,
		Conversions: noStrings, Warnings: noStrings, Gases: []GasAmount{}, Stages: []StageAmount{}}
	if err := checkLine(l); err != nil {
		return lineError(lr, err)
	}
	r := p.recipe(l, when)
	if r.err != nil {
		return lineError(lr, r.err)
	}
	lr.Factor, lr.recipe, lr.EPD = r.used, r, r.epd
	lr.Conversions, lr.Warnings = r.lineNotes, r.lineWarns
	lr.BasisConversions, lr.DataOrigin = r.basisConv, r.origin
	if r.excluded {
		lr.Status = StatusExcluded
		return lr
	}
	lr.Status = StatusOK
	q := l.Quantity
	qf := fxOf(q)
	places := p.method.Rounding.DivisionPlaces
	nAmounts := 2*len(r.gasTemplate) + len(r.stages)
	switch {
	case lazy:
		lr.Gases, lr.Stages = r.gasTemplate, r.stageTemplate
		lr.amountsFx = cut(&slabs.amounts, nAmounts)
	case slabs != nil:
		lr.Gases, lr.Stages, lr.terms = cut(&slabs.gases, len(r.gasTemplate)), cut(&slabs.stages, len(r.stages)), cut(&slabs.terms, len(r.terms))
		lr.amountsFx = cut(&slabs.amounts, nAmounts)
	default: // Line, LineOn: a line alone, never reported from fixed point
		lr.Gases, lr.Stages, lr.terms = make([]GasAmount, len(r.gasTemplate)), make([]StageAmount, len(r.stages)), make([]termResult, len(r.terms))
	}
	if !lazy {
		copy(lr.Gases, r.gasTemplate)
		copy(lr.Stages, r.stageTemplate)
	}
	// The sums of the line, per gas and per stage, in fixed point (a line
	// has a few gases and stages: on the stack unless it has many).
	var gasBuf [2 * 8]sum
	var stageBuf [4]sum
	gasSums, stageSums := gasBuf[:], stageBuf[:]
	if 2*len(lr.Gases) > len(gasSums) {
		gasSums = make([]sum, 2*len(lr.Gases))
	}
	if len(lr.Stages) > len(stageSums) {
		stageSums = make([]sum, len(lr.Stages))
	}
	var total sum
	for i := range r.terms {
		t := &r.terms[i]
		var kg fx
		var kgDec decimal.Decimal
		hasKg := !lazy
		if t.exact {
			kg = mulFx(qf, r.termMult[i])
			if !lazy {
				kgDec = kg.dec()
			}
		} else {
			kgDec, hasKg = divHalfEven(q.Mul(t.num), t.den, places), true
			kg = fxOf(kgDec)
		}
		var co2e fx
		var co2eDec decimal.Decimal
		if t.counted {
			co2e = mulFx(kg, r.termGWP[i])
			if !lazy {
				co2eDec = co2e.dec()
			}
		} else {
			co2e.small = true // zero
		}
		if !lazy {
			lr.terms[i] = termResult{term: t, kg: kgDec, co2e: co2eDec, kgFx: kg, co2eFx: co2e}
		}
		if slabs != nil {
			slabs.sums.addTerm(r, i, kg, co2e, kgDec, co2eDec, hasKg)
		}
		total.add(co2e, co2eDec, !lazy)
		g := r.termGas[i]
		gasSums[2*g].add(kg, kgDec, hasKg)
		gasSums[2*g+1].add(co2e, co2eDec, !lazy)
		stageSums[r.termStage[i]].add(co2e, co2eDec, !lazy)
	}
	lr.kgFx = total.fxValue()
	if lr.amountsFx != nil {
		nGas := len(lr.Gases)
		for g := range nGas {
			lr.amountsFx[2*g], lr.amountsFx[2*g+1] = gasSums[2*g].fxValue(), gasSums[2*g+1].fxValue()
		}
		for st := range lr.Stages {
			lr.amountsFx[2*nGas+st] = stageSums[st].fxValue()
		}
	}
	if lazy {
		return lr
	}
	lr.KgCO2e = total.value()
	for g := range lr.Gases {
		lr.Gases[g].Kg, lr.Gases[g].KgCO2e = gasSums[2*g].value(), gasSums[2*g+1].value()
	}
	for st := range lr.Stages {
		lr.Stages[st].KgCO2e = stageSums[st].value()
	}
	return lr
}

var noStrings = []string{}

// addDec adds, skipping the allocation when one side is zero.
func addDec(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case b.IsZero():
		return a
	case a.IsZero():
		return b
	}
	return a.Add(b)
}

func lineError(lr LineResult, err error) LineResult {
	lr.Status = StatusError
	lr.Error = err.Error()
	lr.Field = Field(err)
	lr.Err = err
	if lr.Field != "" && !strings.HasPrefix(lr.Error, lr.Field) {
		lr.Error = lr.Field + ": " + lr.Error
	}
	return lr
}

// checkLimits checks a computed line against the method's limits; lazy:
// the line's decimals were not made.
func (p *Plan) checkLimits(l *Line, lr *LineResult, lazy bool) []LimitCheck {
	r := lr.recipe
	if r == nil || len(r.limits) == 0 {
		return nil
	}
	var out []LimitCheck
	kg := lr.KgCO2e
	if lazy {
		kg = lr.kgFx.dec() // the same decimal, value and exponent
	}
	for _, lrc := range r.limits {
		if lrc.skip != "" || l.Quantity.IsZero() {
			continue
		}
		lim := lrc.limit
		value := divHalfEven(kg.Mul(lrc.scaleNum), l.Quantity.Mul(lrc.scaleDen), p.method.Rounding.DivisionPlaces)
		pass := kg.Mul(lrc.passL).Cmp(l.Quantity.Mul(lrc.passR)) <= 0
		name := strings.TrimSpace(fmt.Sprintf("%s: %s, %s", lim.Program, lim.Activity, lim.Tier))
		out = append(out, LimitCheck{Name: name, ID: lim.ID, Dataset: lim.Dataset, LineID: l.ID, Limit: lim.Value, Value: value,
			Unit: lim.Mass.Symbol + " CO2e/" + lim.Per.Symbol, Pass: pass, Quality: string(lim.Quality), Source: lim.Source})
	}
	return out
}

var gasOrder = map[string]int{"CO2": 0, "CO2_biogenic": 1, "CH4": 2, "CH4_fossil": 3, "CH4_biogenic": 4, "N2O": 5, "CO2e": 99}

// sortGases orders a bid's gases as reported: by gasOrder, others (50)
// by name.
func sortGases(a gasAccs) {
	rank := func(g string) int {
		if o, ok := gasOrder[g]; ok {
			return o
		}
		return 50
	}
	sort.Slice(a, func(i, j int) bool {
		oi, oj := rank(a[i].ga.Gas), rank(a[j].ga.Gas)
		if oi != oj {
			return oi < oj
		}
		return a[i].ga.Gas < a[j].ga.Gas
	})
}

// InputDigest is the hex SHA-256 of the bid's canonical JSON: the bid as
// json.Marshal writes it, with every quantity and product-factor value
// written without trailing zeros (so that "1000" and "1000.0" digest
// alike). The JSON is written straight into the hash, a few hundred bytes
// at a time, without marshalling the bid (TestInputDigestStreamsOracle
// holds it to the marshalled form).
func InputDigest(b Bid) string {
	var sum [sha256.Size]byte
	inputDigest(&b, &sum)
	return hex.EncodeToString(sum[:])
}

// inputDigest computes InputDigest's sum into sum.
func inputDigest(b *Bid, sum *[sha256.Size]byte) {
	h := sha256.New()
	for i := range b.Lines {
		if f := b.Lines[i].Factor; f != nil && f.EPD != nil {
			// A bid carrying EPD documents (rare, and dominated by the
			// documents themselves) is marshalled as a whole.
			raw, _ := json.Marshal(canonicalBid(*b))
			h.Write(raw)
			h.Sum(sum[:0])
			return
		}
	}
	var scratch [digestChunk + 512]byte
	w := digestWriter{h: h, buf: scratch[:0]}
	w.buf = append(w.buf, '{')
	if b.Method != "" {
		w.buf = append(w.buf, `"method":`...)
		w.buf = jsonw.AppendString(w.buf, b.Method)
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, `"reference":`...)
	w.buf = jsonw.AppendString(w.buf, b.Reference)
	w.buf = append(w.buf, `,"supplier":`...)
	w.buf = jsonw.AppendString(w.buf, b.Supplier)
	if b.Date != "" {
		w.buf = append(w.buf, `,"date":`...)
		w.buf = jsonw.AppendString(w.buf, b.Date)
	}
	if b.ValidThrough != "" {
		w.buf = append(w.buf, `,"valid_through":`...)
		w.buf = jsonw.AppendString(w.buf, b.ValidThrough)
	}
	// canonicalBid makes the lines a non-nil slice: no lines are [].
	w.buf = append(w.buf, `,"lines":[`...)
	for i := range b.Lines {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.line(&b.Lines[i])
	}
	w.buf = append(w.buf, ']')
	w.buf = append(w.buf, '}')
	w.h.Write(w.buf)
	h.Sum(sum[:0])
}

// digestChunk is how many bytes of canonical JSON digestWriter gathers
// before it writes them into the hash.
const digestChunk = 1024

// digestWriter gathers canonical JSON in buf and writes it into h in
// chunks.
type digestWriter struct {
	h   hash.Hash
	buf []byte
}

// line appends one line's canonical JSON (its fields as json.Marshal
// writes calc.Line), flushing buf into the hash when it is full enough.
func (w *digestWriter) line(l *Line) {
	b := w.buf
	b = append(b, `{"id":`...)
	b = jsonw.AppendString(b, l.ID)
	b = append(b, `,"activity":`...)
	b = jsonw.AppendString(b, l.Activity)
	b = append(b, `,"region":`...)
	b = jsonw.AppendString(b, l.Region)
	b = append(b, `,"quantity":`...)
	b = appendNormDecimal(b, l.Quantity)
	b = append(b, `,"unit":`...)
	b = jsonw.AppendString(b, l.Unit)
	if l.Basis != "" {
		b = append(b, `,"basis":`...)
		b = jsonw.AppendString(b, l.Basis)
	}
	if l.Stage != "" {
		b = append(b, `,"stage":`...)
		b = jsonw.AppendString(b, l.Stage)
	}
	if l.AllowRegionFallback {
		b = append(b, `,"allow_region_fallback":true`...)
	}
	if f := l.Factor; f != nil {
		b = append(b, `,"factor":{"kg_co2e":`...)
		b = appendNormDecimal(b, f.KgCO2e)
		b = append(b, `,"per":`...)
		b = jsonw.AppendString(b, f.Per)
		b = append(b, `,"reference":`...)
		b = jsonw.AppendString(b, f.Reference)
		b = append(b, '}')
	}
	b = append(b, '}')
	if len(b) >= digestChunk {
		w.h.Write(b)
		b = b[:0]
	}
	w.buf = b
}

// appendNormDecimal appends what json.Marshal writes for normDec(d): the
// decimal without trailing zeros, quoted unless
// decimal.MarshalJSONWithoutQuotes.
func appendNormDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes {
		return appendDecimalText(b, d)
	}
	b = append(b, '"')
	b = appendDecimalText(b, d)
	return append(b, '"')
}

// appendDecimalText appends d.String() (the digits, a point and the
// fraction without trailing zeros), without big.Int formatting when the
// coefficient fits an int64 and the exponent is small.
func appendDecimalText(b []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if d.NumDigits() > 18 || exp > 0 || exp < -18 {
		return append(b, d.String()...)
	}
	c := d.CoefficientInt64()
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var digits [20]byte
	ds := strconv.AppendInt(digits[:0], c, 10)
	places := int(-exp)
	if places == 0 {
		return append(b, ds...)
	}
	var fracBuf [40]byte
	frac := fracBuf[:0]
	if len(ds) > places {
		b = append(b, ds[:len(ds)-places]...)
		frac = append(frac, ds[len(ds)-places:]...)
	} else {
		b = append(b, '0')
		for range places - len(ds) {
			frac = append(frac, '0')
		}
		frac = append(frac, ds...)
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 0 {
		b = append(b, '.')
		b = append(b, frac...)
	}
	return b
}

// canonicalBid is the bid that InputDigest hashes the JSON of: each
// quantity and factor value without trailing zeros.
func canonicalBid(b Bid) Bid {
	c := b
	c.Lines = make([]Line, len(b.Lines))
	for i, l := range b.Lines {
		l.Quantity = normDec(l.Quantity)
		if l.Factor != nil {
			f := *l.Factor
			f.KgCO2e = normDec(f.KgCO2e)
			l.Factor = &f
		}
		c.Lines[i] = l
	}
	return c
}

// normDec drops trailing zeros so that "1000" and "1000.0" digest alike.
func normDec(d decimal.Decimal) decimal.Decimal {
	s := d.String()
	n, _ := decimal.NewFromString(s)
	return n
}

// ResultDigest is the hex SHA-256 of the reported JSON (compact, as
// json.Marshal writes it) with an empty result_digest. MarshalJSON fills it
// into the receipt; it is the same for the same input and method.
func (fp *Footprint) ResultDigest() (string, error) {
	rep, err := fp.SealedReport()
	if err != nil {
		return "", err
	}
	return rep.Receipt.ResultDigest, nil
}

// Rounding returns the method's rounding rule that the footprint reports with.
func (fp *Footprint) Rounding() methods.Rounding { return fp.rounding }
