package calc

import (
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Engine computes footprints. It caches, per method, everything that does
// not depend on a line's quantity; it is safe for concurrent use.
type Engine struct {
	lib   *factors.Library
	mu    sync.Mutex
	plans map[string]*Plan // by method digest+ref
}

// NewEngine returns an engine over a library.
func NewEngine(lib *factors.Library) *Engine {
	return &Engine{lib: lib, plans: map[string]*Plan{}}
}

// Library returns the engine's library.
func (e *Engine) Library() *factors.Library { return e.lib }

// Plan returns the compiled form of a method, building it on first use.
func (e *Engine) Plan(m *methods.Method) (*Plan, error) {
	key := m.Ref() + "#" + m.Digest
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.plans[key]; ok {
		return p, nil
	}
	p, err := newPlan(e.lib, m)
	if err != nil {
		return nil, err
	}
	e.plans[key] = p
	return p, nil
}

// Calculate computes the footprint of a bid under a method. It returns the
// footprint and, when some lines could not be computed, a *BidError listing
// every problem (the footprint then has those lines with status "error").
// A bid that is not computable at all (no lines, too many) gives a nil
// footprint and a *BidError.
func (e *Engine) Calculate(m *methods.Method, bid Bid) (*Footprint, error) {
	p, err := e.Plan(m)
	if err != nil {
		return nil, err
	}
	return p.Calculate(bid)
}

// Plan is a method bound to a library: its GWP set, datasets, stages and
// limits resolved, and a cache of line recipes.
type Plan struct {
	lib      *factors.Library
	method   *methods.Method
	gwp      *factors.GWPSet
	datasets []*factors.Dataset
	stages   map[string]int
	limits   []factors.Limit
	hv       map[hvKey]hvPlan
	// host holds the host_data rules with their datasets, in file order;
	// extra lists the datasets beyond the method's own that results may
	// draw on (host data and heating-value rows), for the receipt.
	host  []hostPlan
	extra []*factors.Dataset

	mu      sync.RWMutex
	recipes map[recipeKey]*recipe
	// scratch holds *footprintScratch for AppendFootprintJSON.
	scratch sync.Pool
}

type hvKey struct {
	activity string
	from, to factors.Basis
}

// hvPlan is a heating-value ratio resolved against the library: for a
// published pair, the quotient divided once at division_places.
type hvPlan struct {
	ratio decimal.Decimal
	note  string
	conv  BasisConversion
}

// hostPlan is a host_data rule with its datasets resolved.
type hostPlan struct {
	rule     methods.HostRule
	datasets []*factors.Dataset
}

// Data origins of a line's factor, reported only by methods that declare
// host data (so that earlier methods' output keeps its bytes).
const (
	OriginOwn     = "own"     // the method's own datasets
	OriginHost    = "host"    // a host_data dataset of the line's region
	OriginProduct = "product" // the line's product-specific factor
)

func newPlan(lib *factors.Library, m *methods.Method) (*Plan, error) {
	if ps := methods.Validate(m, lib, nil); len(ps) > 0 {
		return nil, ps
	}
	gwp, err := lib.GWPSet(m.GWPSet)
	if err != nil {
		return nil, err
	}
	p := &Plan{lib: lib, method: m, gwp: gwp, stages: map[string]int{}, hv: map[hvKey]hvPlan{}, recipes: map[recipeKey]*recipe{}}
	for _, ref := range m.Datasets {
		d, err := lib.Dataset(ref)
		if err != nil {
			return nil, err
		}
		p.datasets = append(p.datasets, d)
	}
	for i, s := range m.Stages {
		p.stages[s] = i
	}
	extra := map[string]bool{}
	addExtra := func(d *factors.Dataset) {
		for _, own := range p.datasets {
			if own == d {
				return
			}
		}
		if !extra[d.Ref()] {
			extra[d.Ref()] = true
			p.extra = append(p.extra, d)
		}
	}
	for _, h := range m.HeatingValue {
		ratio, pair, err := h.Resolve(lib, m.Rounding.DivisionPlaces)
		if err != nil {
			return nil, err
		}
		hp := hvPlan{ratio: ratio, conv: BasisConversion{From: string(h.From), To: string(h.To), Ratio: ratio.String(), Source: h.Source}}
		if pair == nil {
			hp.note = fmt.Sprintf("%s → %s with the method's ratio %s (%s)", h.From, h.To, ratio.String(), h.Source)
		} else {
			hp.note = fmt.Sprintf("%s → %s with the method's ratio %s", h.From, h.To, methods.HVText(h, lib, m.Rounding.DivisionPlaces))
			hp.conv.Source, hp.conv.Dataset, hp.conv.Row = pair.Source, pair.Dataset, pair.ID
			num, den := pair.GrossPublished, pair.NetPublished
			if h.From == factors.NCV {
				num, den = den, num
			}
			hp.conv.Quotient = num + "/" + den
			d, _ := lib.Dataset(pair.Dataset)
			addExtra(d)
		}
		p.hv[hvKey{h.Activity, h.From, h.To}] = hp
	}
	for _, h := range m.HostData {
		hp := hostPlan{rule: h}
		for _, ref := range h.Datasets {
			d, err := lib.Dataset(ref)
			if err != nil {
				return nil, err
			}
			hp.datasets = append(hp.datasets, d)
			addExtra(d)
		}
		p.host = append(p.host, hp)
	}
	if p.limits, err = methods.ResolveLimits(lib, m.Limits); err != nil {
		return nil, err
	}
	return p, nil
}

// Method returns the plan's method.
func (p *Plan) Method() *methods.Method { return p.method }

// GWPSet returns the plan's GWP set.
func (p *Plan) GWPSet() *factors.GWPSet { return p.gwp }

// recipeKey is what a line's computation depends on besides its quantity.
type recipeKey struct {
	activity, region, unit, basis, stage string
	fallback                             bool
	// product-specific factor: its value and unit matter, not the quantity.
	pfValue, pfPer, pfRef string
	hasPF                 bool
	// EPD document: the file's SHA-256 and name (messages name it), and
	// the dates its validity is judged on.
	epdSHA, epdFile, date, through string
}

// term is one gas of one factor of a recipe: kg of gas per input unit is
// num/den exactly; mult holds that value when it is a terminating decimal.
type term struct {
	stage    string
	gas      factors.Gas
	num, den decimal.Decimal
	exact    bool
	mult     decimal.Decimal
	gwp      decimal.Decimal
	counted  bool
	factorID string
	// raw is num without the heating-value ratio, and hv that ratio (1 when
	// none applies): num = raw × hv. Comparison swaps them separately.
	raw, hv decimal.Decimal
}

// recipe is a cached, quantity-independent line computation.
type recipe struct {
	err      error
	activity factors.Activity
	unit     factors.Unit
	terms    []term
	used     *FactorUsed
	notes    []string
	warnings []string
	excluded bool
	limits   []limitRecipe
	stages   []string
	// origin is the data origin (empty unless the method has host data);
	// basisConv the heating-value conversions made.
	origin    string
	basisConv []BasisConversion
	// epd is the EPD the factor came from, if any.
	epd *EPDUsed

	// Precomputed for the per-line path: each term's gas and stage slot,
	// the gas rows as reported (GWP text included), and whether the line
	// warns about an uncounted gas.
	gasTemplate []GasAmount
	// stageTemplate are the stage rows as reported, without amounts.
	stageTemplate []StageAmount
	// factorJSON is the "factor" member of a line of this recipe, as
	// appendFactor writes used (nil without a factor): encoded once, as
	// used is not changed once the recipe is finished.
	factorJSON []byte
	termGas    []int
	termStage  []int
	// termMult and termGWP are each term's mult and gwp in fixed point
	// (fixedpoint.go), for the per-line arithmetic.
	termMult, termGWP []fx
	lineNotes         []string // conversions, shared read-only by results
	lineWarns         []string // warnings, shared read-only by results
}

// finish computes the slots once the recipe's terms are known.
func (r *recipe) finish(gwpSet string, memo bool) {
	gasIdx := map[factors.Gas]int{}
	stageIdx := map[string]int{}
	for i, s := range r.stages {
		stageIdx[s] = i
	}
	r.termGas = make([]int, len(r.terms))
	r.termStage = make([]int, len(r.terms))
	r.termMult = make([]fx, len(r.terms))
	r.termGWP = make([]fx, len(r.terms))
	warnedBio, warned := false, map[factors.Gas]bool{}
	for i, t := range r.terms {
		r.termMult[i], r.termGWP[i] = fxOf(t.mult), fxOf(t.gwp)
		gi, ok := gasIdx[t.gas]
		if !ok {
			gi = len(r.gasTemplate)
			gasIdx[t.gas] = gi
			ga := GasAmount{Gas: string(t.gas), Counted: t.counted}
			if t.counted {
				ga.GWP = t.gwp.String()
			}
			r.gasTemplate = append(r.gasTemplate, ga)
		}
		r.termGas[i] = gi
		r.termStage[i] = stageIdx[t.stage]
		switch {
		case t.gas == factors.CO2Biogenic && !t.counted && memo && !warnedBio:
			r.warnings = append(r.warnings, "biogenic CO2 is reported in kg and not counted in kg CO2e (method rule biogenic_co2 = memo)")
			warnedBio = true
		case !t.counted && t.gas != factors.CO2Biogenic && !warned[t.gas]:
			r.warnings = append(r.warnings, fmt.Sprintf("no GWP for %s in set %s: not counted", t.gas, gwpSet))
			warned[t.gas] = true
		}
	}
	// Capacity at length: a line that shares the templates (a lazy
	// footprint's) cannot append into them.
	r.gasTemplate = r.gasTemplate[:len(r.gasTemplate):len(r.gasTemplate)]
	r.stageTemplate = make([]StageAmount, len(r.stages))
	for i, st := range r.stages {
		r.stageTemplate[i].Stage = st
	}
	if r.used != nil {
		r.factorJSON = appendFactor(nil, r.used)
	}
	if r.notes == nil {
		r.notes = []string{}
	}
	if r.warnings == nil {
		r.warnings = []string{}
	}
	r.lineNotes, r.lineWarns = r.notes, r.warnings
}

type limitRecipe struct {
	limit factors.Limit
	// intensity in the limit's unit = kgCO2e × scale.num / (q × scale.den)
	scaleNum, scaleDen decimal.Decimal
	// pass when kgCO2e × passL ≤ q × passR
	passL, passR decimal.Decimal
	skip         string
}

func (p *Plan) recipe(l *Line, when asOf) *recipe {
	k := recipeKey{activity: l.Activity, region: l.Region, unit: l.Unit, basis: l.Basis, stage: l.Stage, fallback: l.AllowRegionFallback}
	if l.Factor != nil {
		k.hasPF, k.pfValue, k.pfPer, k.pfRef = true, l.Factor.KgCO2e.String(), l.Factor.Per, l.Factor.Reference
		if e := l.Factor.EPD; e != nil {
			if e.Declaration == nil {
				return &recipe{err: fieldErrf("factor.epd", ErrEPD, "EPD %s was not read: give the document with its format", clip.Text(e.File))}
			}
			k.epdSHA, k.epdFile = e.Declaration.SHA256, e.File
			if when.set {
				k.date = when.date.Format(DateLayout)
			}
			if !when.through.IsZero() {
				k.through = when.through.Format(DateLayout)
			}
		}
	}
	p.mu.RLock()
	r, ok := p.recipes[k]
	p.mu.RUnlock()
	if ok {
		return r
	}
	r = p.buildRecipe(l, when)
	p.mu.Lock()
	// An EPD document without a digest cannot be told apart from another:
	// not cached.
	if len(p.recipes) < maxCachedRecipes && (l.Factor == nil || l.Factor.EPD == nil || k.epdSHA != "") {
		p.recipes[k] = r
	}
	p.mu.Unlock()
	return r
}

// maxCachedRecipes bounds the cache: keys come from input, so an adversarial
// file of unique product factors must not grow memory without bound.
const maxCachedRecipes = 100000

func (p *Plan) buildRecipe(l *Line, when asOf) *recipe {
	r := &recipe{}
	key := l.Activity
	if key == EPDActivity {
		// "The product this EPD declares": the category from the
		// document's own classification.
		if l.Factor == nil || l.Factor.EPD == nil || l.Factor.EPD.Declaration == nil {
			r.err = fieldErrf("activity", ErrClassification, "activity %s means the product the line's EPD declares: give factor.epd, or name the category (see GET /v1/activities)", EPDActivity)
			return r
		}
		doc := l.Factor.EPD
		k, note, err := EPDCategory(doc.Declaration, epdLabel(doc.Declaration, doc.File))
		if err != nil {
			r.err = fieldErr("activity", err)
			return r
		}
		key = k
		r.notes = append(r.notes, note)
	}
	act, err := p.lib.Activity(key)
	if err != nil {
		r.err = fieldErr("activity", err)
		return r
	}
	r.activity = act
	if _, err := p.lib.Region(l.Region); err != nil {
		r.err = fieldErr("region", err)
		return r
	}
	u, err := p.lib.Units.Parse(l.Unit)
	if err != nil {
		r.err = fieldErr("unit", err)
		return r
	}
	r.unit = u
	if !act.Accepts(u.Dimension) {
		r.err = fieldErr("unit", &factors.DimensionError{Unit: u.Symbol, Got: u.Dimension, Want: act.Dimensions, Activity: act.Key})
		return r
	}
	inBasis, err := factors.ParseBasis(l.Basis)
	if err != nil {
		r.err = fieldErr("basis", err)
		return r
	}
	if inBasis != factors.NoBasis && u.Dimension != factors.Energy {
		r.err = fieldErrf("basis", factors.ErrInvalid, "a heating-value basis applies to energy quantities; %s is %s", u.Symbol, u.Dimension)
		return r
	}
	if inBasis == factors.NoBasis && u.Dimension == factors.Energy {
		inBasis = u.DefaultBasis
	}
	if l.Stage != "" {
		if _, ok := p.stages[l.Stage]; !ok {
			r.err = fieldErrf("stage", factors.ErrInvalid, "stage %q is not counted by %s; it counts %s", clip.Text(l.Stage), p.method.Ref(), strings.Join(p.method.Stages, ", "))
			return r
		}
	}

	switch {
	case l.Factor != nil && l.Factor.EPD != nil:
		p.epdRecipe(r, l, u, when)
	case l.Factor != nil:
		p.productRecipe(r, l, u)
	default:
		p.defaultRecipe(r, l, u, inBasis)
	}
	if r.err == nil {
		p.limitRecipes(r, u)
		r.finish(p.gwp.ID, p.method.BiogenicCO2 == methods.BiogenicMemo)
	}
	return r
}

func (p *Plan) productRecipe(r *recipe, l *Line, u factors.Unit) {
	act := r.activity
	if !p.method.ProductFactors.Accepts(act.Key) {
		r.err = fieldErrf("factor", ErrProductFactor, "%s does not accept product-specific factors for %s (it accepts them for %s)",
			p.method.Ref(), act.Key, orNone(p.method.ProductFactors.Accept))
		return
	}
	pf := l.Factor
	if strings.TrimSpace(pf.Reference) == "" {
		r.err = fieldErrf("factor.reference", factors.ErrInvalid, "a product-specific factor needs the reference of its EPD or source")
		return
	}
	if pf.KgCO2e.IsNegative() {
		r.err = fieldErrf("factor.kg_co2e", factors.ErrInvalid, "must not be negative")
		return
	}
	per, err := p.lib.Units.Parse(pf.Per)
	if err != nil {
		r.err = fieldErr("factor.per", err)
		return
	}
	if per.Dimension != u.Dimension {
		r.err = fieldErrf("factor.per", factors.ErrDimension, "the factor is per %s (%s) but the quantity is in %s (%s); give both in the same dimension", per.Symbol, per.Dimension, u.Symbol, u.Dimension)
		return
	}
	stage := act.DefaultStage
	if l.Stage != "" {
		stage = l.Stage
	}
	if _, ok := p.stages[stage]; !ok {
		r.excluded = true
		r.warnings = append(r.warnings, fmt.Sprintf("stage %s is not counted by %s", stage, p.method.Ref()))
	}
	r.used = &FactorUsed{ID: "product:" + pf.Reference, Dataset: "product-specific", Source: pf.Reference, Region: l.Region,
		Quality: "product-specific", ProductSpecific: true, Per: per.Symbol, Stage: stage}
	t := p.newTerm(stage, factors.CO2e, u.Base.Mul(pf.KgCO2e), per.Base, r.used.ID)
	r.terms = []term{t}
	r.stages = []string{stage}
	r.notes = append(r.notes, fmt.Sprintf("product-specific factor %s kg CO2e/%s (%s)", pf.KgCO2e.String(), per.Symbol, pf.Reference))
	if len(p.host) > 0 {
		r.origin = OriginProduct
	}
}

// epdRecipe takes a line's factor from its EPD document by the method's
// [epd] rules: one CO2e term of value × (line unit / declared unit).
func (p *Plan) epdRecipe(r *recipe, l *Line, u factors.Unit, when asOf) {
	act := r.activity
	if !p.method.ProductFactors.Accepts(act.Key) {
		r.err = fieldErrf("factor", ErrProductFactor, "%s does not accept product-specific factors for %s (it accepts them for %s)",
			p.method.Ref(), act.Key, orNone(p.method.ProductFactors.Accept))
		return
	}
	doc := l.Factor.EPD
	v, err := applyEPD(p.method, doc.Declaration, doc.File, p.lib.Units, act, u, when)
	if err != nil {
		r.err = err
		return
	}
	stage := act.DefaultStage
	if l.Stage != "" {
		stage = l.Stage
	}
	if _, ok := p.stages[stage]; !ok {
		r.excluded = true
		r.warnings = append(r.warnings, fmt.Sprintf("stage %s is not counted by %s", stage, p.method.Ref()))
	}
	id := v.used.RegistrationNumber
	if id == "" {
		id = v.used.ID
	}
	r.epd = &v.used
	r.used = &FactorUsed{ID: "epd:" + id, Dataset: "product-specific", Source: "EPD " + epdLabel(doc.Declaration, doc.File), Region: l.Region,
		Quality: "product-specific", ProductSpecific: true, Per: v.per, Stage: stage}
	r.terms = []term{p.newTerm(stage, factors.CO2e, v.num, v.den, r.used.ID)}
	r.stages = []string{stage}
	r.notes = append(r.notes, v.notes...)
	r.warnings = append(r.warnings, v.warnings...)
	// Say when the EPD is all there is: no generic factor to compare it
	// with, no limit to hold it to.
	ev, err := p.method.Evidence(p.lib, act.Key)
	if err != nil {
		r.err = err
		return
	}
	if n := ev.OnlyEPDNote(act.Key); n != "" {
		r.notes = append(r.notes, n)
	}
	if len(p.host) > 0 {
		r.origin = OriginProduct
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no activity"
	}
	return strings.Join(s, ", ")
}

// candidates finds the factors for a line: the most specific allowed region
// first, datasets in the method's order. GLO (global defaults) always
// applies; parent regions only as the method's fallback rule allows.
//
// A line in a region that a host_data rule serves, for an activity it
// covers, is looked up in the rule's datasets first (origin "host"), then
// in the method's own; searched lists the datasets looked in.
func (p *Plan) candidates(l *Line) (fs []*factors.Factor, region string, fallback bool, hint, origin string, searched []*factors.Dataset) {
	chain := p.lib.Chain(l.Region)
	for _, h := range p.host {
		if !h.rule.Matches(l.Activity, chain) {
			continue
		}
		fs, region, fallback, hint = p.search(l, chain, h.datasets)
		if len(fs) > 0 {
			return fs, region, fallback, "", OriginHost, h.datasets
		}
		searched = h.datasets
		break
	}
	fs, region, fallback, hint2 := p.search(l, chain, p.datasets)
	if hint == "" {
		hint = hint2
	}
	if len(fs) > 0 {
		hint = ""
	}
	return fs, region, fallback, hint, OriginOwn, append(searched[:len(searched):len(searched)], p.datasets...)
}

// search walks the region chain and, for each region, the datasets in
// order; the first dataset with factors for the activity and region wins.
func (p *Plan) search(l *Line, chain []string, datasets []*factors.Dataset) (fs []*factors.Factor, region string, fallback bool, hint string) {
	rule := p.method.Regions.Fallback
	for i, reg := range chain {
		parent := i > 0 && reg != "GLO"
		allowed := !parent || rule == methods.FallbackAlways || (rule == methods.FallbackOnRequest && l.AllowRegionFallback)
		for _, d := range datasets {
			var found []*factors.Factor
			for _, f := range d.Factors {
				if f.Activity == l.Activity && f.Region == reg {
					found = append(found, f)
				}
			}
			if len(found) == 0 {
				continue
			}
			if !allowed {
				if hint == "" {
					if rule == methods.FallbackOnRequest {
						hint = fmt.Sprintf("; %s has a factor for parent region %s: set allow_region_fallback to use it", d.Ref(), reg)
					} else {
						hint = fmt.Sprintf("; %s has a factor for parent region %s but %s never falls back", d.Ref(), reg, p.method.Ref())
					}
				}
				break
			}
			if p.method.Hooks != nil {
				found = p.method.Hooks.SelectFactors(l.Activity, l.Region, found)
			}
			if len(found) > 0 {
				return found, reg, parent, ""
			}
		}
	}
	return nil, "", false, hint
}

func (p *Plan) datasetList() string { return refList(p.datasets) }

func refList(ds []*factors.Dataset) string {
	refs := make([]string, len(ds))
	for i, d := range ds {
		refs[i] = d.Ref()
	}
	return strings.Join(refs, ", ")
}

func (p *Plan) defaultRecipe(r *recipe, l *Line, u factors.Unit, inBasis factors.Basis) {
	act := r.activity
	if p.method.ProductFactors.Requires(act.Key) {
		r.err = fieldErrf("factor", ErrProductFactor, "%s requires a product-specific factor for %s: give factor.kg_co2e, factor.per and factor.reference (e.g. from the product's EPD)", p.method.Ref(), act.Key)
		return
	}
	found, region, fallback, hint, origin, searched := p.candidates(l)
	if len(found) == 0 {
		msg := fmt.Sprintf("no factor for %s in region %s in datasets %s (%s)%s", act.Key, l.Region, refList(searched), p.method.Ref(), hint)
		if p.method.ProductFactors.Accepts(act.Key) {
			msg += "; give a product-specific factor (factor.kg_co2e, factor.per, factor.reference)"
		}
		r.err = fieldErrf("activity", factors.ErrNoFactor, "%s", msg)
		return
	}
	var usedIDs, sources []string
	quality := factors.Primary
	// Heat contents come from the datasets the factor came from: a host
	// dataset's own (on the basis of its factors) before the method's.
	hcSets := p.datasets
	if origin == OriginHost {
		hcSets = append(searched[:len(searched):len(searched)], p.datasets...)
	}
	for _, f := range found {
		if l.Stage != "" && f.Stage != l.Stage {
			continue
		}
		if _, ok := p.stages[f.Stage]; !ok {
			r.warnings = append(r.warnings, fmt.Sprintf("stage %s of factor %s is not counted by %s", f.Stage, f.ID, p.method.Ref()))
			continue
		}
		conv, hv, notes, bc, err := p.conversion(act, u, inBasis, f, hcSets)
		if err != nil {
			r.err = err
			return
		}
		r.notes = append(r.notes, notes...)
		if bc != nil {
			r.basisConv = append(r.basisConv, *bc)
		}
		for _, g := range f.Gases {
			raw := conv.Num.Mul(g.Value).Mul(g.Mass.Base)
			t := p.newTerm(f.Stage, g.Gas, raw.Mul(hv), conv.Den, f.ID)
			t.raw, t.hv = raw, hv
			r.terms = append(r.terms, t)
		}
		r.stages = append(r.stages, f.Stage)
		usedIDs = append(usedIDs, f.ID)
		sources = append(sources, f.Source())
		quality = quality.Worse(f.Quality)
	}
	if l.Stage != "" && len(usedIDs) == 0 && len(r.warnings) == 0 {
		r.err = fieldErrf("stage", factors.ErrNoFactor, "no factor for %s in stage %s in region %s in datasets %s", act.Key, clip.Text(l.Stage), region, p.datasetList())
		return
	}
	if len(usedIDs) == 0 {
		r.excluded = true
	}
	f0 := found[0]
	r.used = &FactorUsed{ID: strings.Join(usedIDs, "+"), Dataset: f0.Dataset, Source: strings.Join(sources, "; "), Table: f0.Table(),
		Region: region, Fallback: fallback, Quality: string(quality), Per: f0.PerUnit, Basis: string(f0.Basis), Stage: strings.Join(r.stages, "+")}
	if len(usedIDs) == 0 {
		r.used.ID, r.used.Quality = found[0].ID, string(found[0].Quality)
	}
	if fallback {
		r.warnings = append(r.warnings, fmt.Sprintf("region %s has no factor; used parent region %s", l.Region, region))
	}
	if region == "GLO" && l.Region != "GLO" {
		r.notes = append(r.notes, "global default factor (region GLO)")
	}
	if quality != factors.Primary {
		r.warnings = append(r.warnings, fmt.Sprintf("factor quality is %s: see the dataset notes of %s", quality, f0.Dataset))
	}
	if len(p.host) > 0 {
		r.origin = origin
	}
	if origin == OriginHost {
		r.notes = append(r.notes, fmt.Sprintf("host data: %s serves %s in %s (location-based; the method's host_data)", f0.Dataset, act.Key, region))
		for _, t := range r.terms {
			if t.gas == factors.CO2e {
				r.warnings = append(r.warnings, fmt.Sprintf("host data %s is published as CO2e only: the method's GWP set %s could not apply", f0.Dataset, p.gwp.ID))
				break
			}
		}
	}
}

// conversion returns the exact ratio from one input unit to the factor's
// activity unit, split into the unit and heat-content ratio and the
// method's heating-value ratio hv (1 when the bases agree), with notes on
// the conversions made. The full ratio is ratio.Num × hv / ratio.Den.
func (p *Plan) conversion(act factors.Activity, u factors.Unit, inBasis factors.Basis, f *factors.Factor, hcSets []*factors.Dataset) (factors.Ratio, decimal.Decimal, []string, *BasisConversion, error) {
	var notes []string
	var bc *BasisConversion
	hvr := decimal.NewFromInt(1)
	if u.Dimension == f.Per.Dimension {
		ratio := factors.Ratio{Num: u.Base, Den: f.Per.Base}
		if u.Dimension == factors.Energy && f.Basis != factors.NoBasis && inBasis != f.Basis {
			hv, err := p.basisRatio(act, inBasis, f.Basis)
			if err != nil {
				return factors.Ratio{}, hvr, nil, nil, err
			}
			hvr, bc = hv.ratio, &hv.conv
			notes = append(notes, hv.note)
		}
		return ratio, hvr, notes, bc, nil
	}
	if f.Per.Dimension == factors.Energy && (u.Dimension == factors.Mass || u.Dimension == factors.Volume) {
		var hc *factors.HeatContent
		var have []string
		for _, d := range hcSets {
			for i := range d.HeatContents {
				h := &d.HeatContents[i]
				if h.Activity != act.Key {
					continue
				}
				have = append(have, string(h.Per.Dimension))
				if hc == nil && h.Per.Dimension == u.Dimension {
					hc = h
				}
			}
		}
		if hc == nil {
			alt := "an energy unit"
			if len(have) > 0 {
				alt += " or a " + strings.Join(have, " or ") + " unit"
			}
			return factors.Ratio{}, hvr, nil, nil, fieldErrf("unit", factors.ErrNoFactor, "no heat content per %s for %s in datasets %s: give the quantity in %s", u.Dimension, act.Key, refList(hcSets), alt)
		}
		// energy[J] = q × u.Base / per.Base × value × energy.Base
		ratio := factors.Ratio{Num: u.Base.Mul(hc.Value).Mul(hc.Energy.Base), Den: hc.Per.Base.Mul(f.Per.Base)}
		notes = append(notes, fmt.Sprintf("heat content %s %s %s (%s, %s)", hc.Published, hc.Unit, hc.Basis, hc.Dataset, hc.Source))
		if f.Basis != factors.NoBasis && hc.Basis != f.Basis {
			hv, err := p.basisRatio(act, hc.Basis, f.Basis)
			if err != nil {
				return factors.Ratio{}, hvr, nil, nil, err
			}
			hvr, bc = hv.ratio, &hv.conv
			notes = append(notes, hv.note)
		}
		return ratio, hvr, notes, bc, nil
	}
	return factors.Ratio{}, hvr, nil, nil, fieldErr("unit", &factors.DimensionError{Unit: u.Symbol, Got: u.Dimension, Want: []factors.Dimension{f.Per.Dimension},
		Activity: fmt.Sprintf("factor %s (per %s)", f.ID, f.PerUnit)})
}

func (p *Plan) basisRatio(act factors.Activity, from, to factors.Basis) (hvPlan, error) {
	if hv, ok := p.hv[hvKey{act.Key, from, to}]; ok {
		return hv, nil
	}
	return hvPlan{}, fieldErrf("basis", ErrBasis, "no %s→%s conversion for %s in method %s (no published ratio in its data): give the quantity on a %s basis (basis %q, or a unit whose default is %s)",
		from, to, act.Key, p.method.Ref(), to, to, to)
}

func (p *Plan) newTerm(stage string, gas factors.Gas, num, den decimal.Decimal, factorID string) term {
	t := term{stage: stage, gas: gas, num: num, den: den, factorID: factorID, raw: num, hv: decimal.NewFromInt(1)}
	t.mult, t.exact = exactQuotient(num, den)
	t.gwp, t.counted = p.characterise(gas)
	return t
}

// characterise returns the GWP the plan applies to a gas and whether the
// gas is counted in kg CO2e at all (biogenic CO2 under "memo" is not; nor
// is a gas the GWP set has no value for).
func (p *Plan) characterise(gas factors.Gas) (decimal.Decimal, bool) {
	if gas == factors.CO2Biogenic && p.method.BiogenicCO2 == methods.BiogenicMemo {
		return decimal.Decimal{}, false
	}
	if g, ok := p.gwp.Lookup(gas); ok {
		return g.Value, true
	}
	return decimal.Decimal{}, false
}

// exactQuotient returns num/den as a decimal when it terminates.
func exactQuotient(num, den decimal.Decimal) (decimal.Decimal, bool) {
	if den.IsZero() {
		return decimal.Decimal{}, false
	}
	r := new(big.Rat).Quo(num.Rat(), den.Rat())
	d := new(big.Int).Set(r.Denom())
	two, five, zero := big.NewInt(2), big.NewInt(5), big.NewInt(0)
	m := new(big.Int)
	twos, fives := 0, 0
	for m.Mod(d, two).Cmp(zero) == 0 {
		d.Div(d, two)
		twos++
	}
	for m.Mod(d, five).Cmp(zero) == 0 {
		d.Div(d, five)
		fives++
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return decimal.Decimal{}, false
	}
	return num.DivRound(den, int32(max(twos, fives))), true
}

// divHalfEven divides at a fixed number of places, rounding half to even.
func divHalfEven(num, den decimal.Decimal, places int32) decimal.Decimal {
	return methods.DivHalfEven(num, den, places)
}

func (p *Plan) limitRecipes(r *recipe, u factors.Unit) {
	for _, lim := range p.limits {
		if lim.Activity != r.activity.Key {
			continue
		}
		lr := limitRecipe{limit: lim}
		if lim.Per.Dimension != u.Dimension {
			lr.skip = fmt.Sprintf("limit %s is per %s (%s) and the line is in %s (%s): not checked", lim.ID, lim.Per.Symbol, lim.Per.Dimension, u.Symbol, u.Dimension)
			r.warnings = append(r.warnings, lr.skip)
			r.limits = append(r.limits, lr)
			continue
		}
		// intensity [lim.Mass / lim.Per] = kg × per.Base / (mass.Base × q × u.Base)
		lr.scaleNum = lim.Per.Base
		lr.scaleDen = lim.Mass.Base.Mul(u.Base)
		// pass: kg × per.Base ≤ value × mass.Base × q × u.Base
		lr.passL = lim.Per.Base
		lr.passR = lim.Value.Mul(lim.Mass.Base).Mul(u.Base)
		r.limits = append(r.limits, lr)
	}
}
