package calc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// NoPublishedUncertainty is what a line or input without a published
// interval reports: it is sampled as exact.
const NoPublishedUncertainty = "no published uncertainty"

// ErrUncertainty marks a run the uncertainty model cannot make.
var ErrUncertainty = errors.New("uncertainty")

// TopContributors is how many inputs a result lists as driving the spread.
const TopContributors = 5

// UncertainAmount is a sampled quantity beside its exact value, kg CO2e,
// as decimal strings (rounded to the method's places; the sampled values
// are float64, formatted exactly by strconv).
type UncertainAmount struct {
	Exact      string    `json:"exact"`
	Mean       string    `json:"mean"`
	Median     string    `json:"median"`
	Interval90 [2]string `json:"interval_90"`
	Interval95 [2]string `json:"interval_95"`
}

// LineUncertainty is one line's sampled kg CO2e and what it draws on.
type LineUncertainty struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	UncertainAmount
	// Inputs are the uncertain inputs of the line (variable keys); empty,
	// with Note NoPublishedUncertainty, when the line is exact.
	Inputs []string `json:"inputs"`
	Note   string   `json:"note,omitempty"`
}

// Contributor is an input that drives the spread.
type Contributor struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Source string `json:"source"`
	// VarianceShare is the squared correlation of the input with the
	// total over the draws (uncertainty.Contribution).
	VarianceShare string `json:"variance_share"`
}

// RunInfo records how a sampled result was made, enough to reproduce it.
type RunInfo struct {
	Draws       int    `json:"draws"`
	Seed        string `json:"seed"`
	Generator   string `json:"generator"`
	ModelDigest string `json:"model_digest"`
}

// ModelDeclared and ModelNone are the values of a sampled result's
// "model": whether the method version declares an uncertainty model
// ([uncertainty]) or not, in which case every factor is treated as exact
// and every interval has zero width.
const (
	ModelDeclared = "declared"
	ModelNone     = "none"
)

// FootprintUncertainty is a footprint's sampled distribution.
type FootprintUncertainty struct {
	Method string `json:"method"`
	// Model is ModelDeclared or ModelNone; Message says, for ModelNone,
	// that every factor is treated as exact and which version of the
	// method declares a model (NameModels).
	Model        string            `json:"model"`
	Message      string            `json:"message,omitempty"`
	Run          RunInfo           `json:"run"`
	Total        UncertainAmount   `json:"total"`
	Lines        []LineUncertainty `json:"lines"`
	Contributors []Contributor     `json:"contributors"`
	Notes        []string          `json:"notes"`
}

// UncertaintyBuilder turns exact footprints into coefficient sets over one
// shared uncertainty.Model: one draw per uncertain quantity per iteration
// for every line, bid and method that uses it.
type UncertaintyBuilder struct {
	Model   *uncertainty.Model
	sources map[string]string
	// intervals caches published rows by table, row and column.
	intervals map[[3]string]intervalFit
}

type intervalFit struct {
	iv  uncertainty.Interval
	d   uncertainty.Distribution
	err error
}

// interval looks a published row up and fits it, once per builder.
func (b *UncertaintyBuilder) interval(table, row, column string) (uncertainty.Interval, uncertainty.Distribution, error) {
	k := [3]string{table, row, column}
	if f, ok := b.intervals[k]; ok {
		return f.iv, f.d, f.err
	}
	iv, err := uncertainty.LookupInterval(table, row, column)
	var d uncertainty.Distribution
	if err == nil {
		d, err = uncertainty.FitInterval(iv)
	}
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrUncertainty, err)
	}
	b.intervals[k] = intervalFit{iv, d, err}
	return iv, d, err
}

// NewUncertaintyBuilder returns a builder with an empty model.
func NewUncertaintyBuilder() *UncertaintyBuilder {
	return &UncertaintyBuilder{Model: uncertainty.NewModel(), sources: map[string]string{}, intervals: map[[3]string]intervalFit{}}
}

func (b *UncertaintyBuilder) add(key, label, source string, d uncertainty.Distribution) (int, error) {
	i, err := b.Model.Var(uncertainty.Variable{Key: key, Label: label, Source: source, Dist: d})
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUncertainty, err)
	}
	b.sources[key] = source
	return i, nil
}

// Lines adds a footprint's lines under method m (which must be the one
// that computed fp) and returns one Item per line, in line order, and each
// line's input keys. scope names the bid, so that a line's activity data
// is one variable for every method computing that bid and another one in
// another bid ("" for a single bid). bid is the bid fp was computed from
// (for EPD documents' declared uncertainty); it may be nil.
//
// A term's coefficient is its exact kg CO2e (terms of a line with the same
// inputs summed exactly first), converted once to float64.
func (b *UncertaintyBuilder) Lines(m *methods.Method, fp *Footprint, bid *Bid, scope string) ([]uncertainty.Item, [][]string, error) {
	u := modelOrExact(m)
	items := make([]uncertainty.Item, len(fp.Lines))
	inputs := make([][]string, len(fp.Lines))
	var bidLines map[string]*Line
	if bid != nil {
		bidLines = map[string]*Line{}
		for i := range bid.Lines {
			bidLines[bid.Lines[i].ID] = &bid.Lines[i]
		}
	}
	for li := range fp.Lines {
		lr := &fp.Lines[li]
		if lr.Status != StatusOK {
			continue
		}
		in, err := b.lineInputs(u, fp.Method.GWPSet, lr, bidLines[lr.ID], scope)
		if err != nil {
			return nil, nil, err
		}
		seen := map[int]bool{}
		for _, g := range in.Groups {
			var sum decimal.Decimal
			for _, ti := range g.Terms {
				sum = sum.Add(lr.terms[ti].co2e)
			}
			f, _ := sum.Float64()
			items[li].Terms = append(items[li].Terms, uncertainty.Term{Coef: f, Vars: g.Vars})
			for _, v := range g.Vars {
				if !seen[v] {
					seen[v] = true
					inputs[li] = append(inputs[li], b.Model.Key(v))
				}
			}
		}
		sort.Strings(inputs[li])
	}
	return items, inputs, nil
}

// modelOrExact is m's uncertainty model, or one under which every input
// is exact.
func modelOrExact(m *methods.Method) *methods.Uncertainty {
	if m.Uncertainty == nil {
		return &methods.Uncertainty{EPD: methods.EPDNone}
	}
	return m.Uncertainty
}

// LineGroup is one term of a line's Item before its coefficient: the
// model's variables it multiplies by (indices, increasing) and the line's
// gas terms whose exact kg CO2e the coefficient sums (indices into
// Prepared.Terms, increasing).
type LineGroup struct {
	Vars  []int
	Terms []int
}

// LineInputs is how one line is sampled: the groups of its Item, in the
// order of its terms, and which of the variables is the line's own
// activity data.
type LineInputs struct {
	Groups []LineGroup
	// Activity is the index of the line's activity-data variable (key
	// ActivityKey(scope, line id)), or -1 when the model has none for it.
	Activity int
}

// ActivityKey is the key of a line's activity-data variable: per line of
// a bid (scope "": a single bid), so that it is the same quantity for
// every method computing that bid.
func ActivityKey(scope, id string) string {
	if scope != "" {
		return "activity/" + scope + "/" + id
	}
	return "activity/" + id
}

// LineInputs adds one computed line's inputs under method m to the
// builder's model, exactly as Lines adds them, and returns its groups:
// Lines's Item for the line has one term per group, in this order, whose
// coefficient is the float64 of the exact sum of the group's terms' kg
// CO2e. A term whose kg CO2e is zero in lr is in no group (Lines leaves it
// out). lr comes from Plan.Line or LineOn (status ok); line is the line it
// was computed from (for an EPD document's declared uncertainty; nil: none).
//
// The batch runner uses it to sample many lines of one kind, which differ
// only in their ID and quantity, from one structure.
func (b *UncertaintyBuilder) LineInputs(m *methods.Method, lr *LineResult, line *Line, scope string) (LineInputs, error) {
	if lr.Status != StatusOK {
		return LineInputs{Activity: -1}, fmt.Errorf("%w: line %s has status %s", ErrUncertainty, clip.Text(lr.ID), lr.Status)
	}
	return b.lineInputs(modelOrExact(m), m.GWPSet, lr, line, scope)
}

// fitStatement looks up a published statement by id and fits its
// distribution (ErrUncertainty when either fails).
func fitStatement(id string) (uncertainty.Statement, uncertainty.Distribution, error) {
	s, err := uncertainty.LookupStatement(id)
	if err != nil {
		return s, uncertainty.Distribution{}, fmt.Errorf("%w: %w", ErrUncertainty, err)
	}
	d, err := uncertainty.FitStatement(s)
	if err != nil {
		return s, uncertainty.Distribution{}, fmt.Errorf("%w: %w", ErrUncertainty, err)
	}
	return s, d, nil
}

func (b *UncertaintyBuilder) lineInputs(u *methods.Uncertainty, gwpSet string, lr *LineResult, line *Line, scope string) (LineInputs, error) {
	out := LineInputs{Activity: -1}
	var lineVars []int
	if st, ok := u.ActivityStatement(lr.Activity); ok {
		s, d, err := fitStatement(st)
		if err != nil {
			return out, err
		}
		i, err := b.add(ActivityKey(scope, lr.ID), fmt.Sprintf("activity data of line %s (%s), ±%s at %s", lr.ID, lr.Activity, s.HalfWidth, s.Coverage), s.Source+": "+s.Quote, d)
		if err != nil {
			return out, err
		}
		lineVars = append(lineVars, i)
		out.Activity = i
	}
	for _, h := range u.HeatContents {
		if h.Activity != lr.Activity || !usedHeatContent(lr, h.Dataset) {
			continue
		}
		iv, d, err := b.interval(h.Table, h.Row, "NCV")
		if err != nil {
			return out, err
		}
		i, err := b.add("ncv/"+h.Dataset+"/"+h.Activity, fmt.Sprintf("net calorific value of %s (%s)", h.Activity, h.Dataset),
			fmt.Sprintf("IPCC 2006 Vol. 2 Table 1.2, %s: %s %s, 95 %% limits %s–%s", iv.Cite(), iv.Default, iv.Unit, iv.Lower, iv.Upper), d)
		if err != nil {
			return out, err
		}
		lineVars = append(lineVars, i)
	}
	if lr.EPD != nil && u.EPD == methods.EPDDeclared {
		if d, src, ok := declaredEPD(lr, line); ok {
			i, err := b.add("epd/"+lr.EPD.SHA256, "EPD "+lr.EPD.ID+" declared "+lr.EPD.Indicator+" "+lr.EPD.Modules, src, d)
			if err != nil {
				return out, err
			}
			lineVars = append(lineVars, i)
		}
	}
	// Terms grouped by their set of inputs, in order of first appearance.
	bySig := map[string]int{}
	for ti, t := range lr.terms {
		if !t.counted || t.co2e.IsZero() {
			continue
		}
		vars := append([]int(nil), lineVars...)
		if f, ok := factorRow(u, t.factorID, string(t.gas)); ok {
			iv, d, err := b.interval(f.Table, f.Row, methods.GasColumn(string(t.gas)))
			if err != nil {
				return out, err
			}
			i, err := b.add("factor/"+t.factorID+"/"+string(t.gas), fmt.Sprintf("%s factor %s", t.gas, t.factorID),
				fmt.Sprintf("IPCC 2006 Vol. 2 Table %s, %s: %s %s, 95 %% limits %s–%s", strings.TrimPrefix(iv.Table, "ipcc2006-v2-table"), iv.Cite(), iv.Default, iv.Unit, iv.Lower, iv.Upper), d)
			if err != nil {
				return out, err
			}
			vars = append(vars, i)
		}
		if st, ok := gwpStatement(u, gwpSet, string(t.gas)); ok {
			s, d, err := fitStatement(st)
			if err != nil {
				return out, err
			}
			col := methods.GasColumn(string(t.gas))
			i, err := b.add("gwp/"+gwpSet+"/"+col, fmt.Sprintf("GWP100 of %s (%s), ±%s at %s", col, gwpSet, s.HalfWidth, s.Coverage), s.Source+": "+s.Quote, d)
			if err != nil {
				return out, err
			}
			vars = append(vars, i)
		}
		sort.Ints(vars)
		sig := fmt.Sprint(vars)
		g, ok := bySig[sig]
		if !ok {
			g = len(out.Groups)
			bySig[sig] = g
			out.Groups = append(out.Groups, LineGroup{Vars: vars})
		}
		out.Groups[g].Terms = append(out.Groups[g].Terms, ti)
	}
	return out, nil
}

// usedHeatContent reports whether a line converted its quantity with a
// heat content of the dataset (its conversion notes name it).
func usedHeatContent(lr *LineResult, dataset string) bool {
	for _, c := range lr.Conversions {
		if strings.HasPrefix(c, "heat content ") && strings.Contains(c, "("+dataset+", ") {
			return true
		}
	}
	return false
}

func factorRow(u *methods.Uncertainty, factorID, gas string) (methods.UncertainFactor, bool) {
	for _, f := range u.Factors {
		if f.Factor != factorID {
			continue
		}
		for _, g := range f.Gases {
			if g == gas {
				return f, true
			}
		}
	}
	return methods.UncertainFactor{}, false
}

func gwpStatement(u *methods.Uncertainty, set, gas string) (string, bool) {
	for _, g := range u.GWP {
		if g.GWPSet != set {
			continue
		}
		for _, x := range g.Gases {
			if x == gas {
				return g.Statement, true
			}
		}
	}
	return "", false
}

// Source returns the citation of a variable key added by the builder.
func (b *UncertaintyBuilder) Source(key string) string { return b.sources[key] }

// formatter rounds sampled values to the method's places for reporting.
type formatter struct{ places int }

func (f formatter) num(x float64) string { return strconv.FormatFloat(x, 'f', f.places, 64) }

func (f formatter) amount(exact decimal.Decimal, rounding methods.Rounding, s uncertainty.Summary) UncertainAmount {
	return UncertainAmount{Exact: rounding.Round(exact).StringFixed(rounding.Places), Mean: f.num(s.Mean), Median: f.num(s.Median),
		Interval90: [2]string{f.num(s.P5), f.num(s.P95)}, Interval95: [2]string{f.num(s.P2_5), f.num(s.P97_5)}}
}

// FormatProbability writes a probability exactly as float64's shortest form.
func FormatProbability(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// FootprintUncertainty samples a footprint computed under method m from
// bid (nil allowed: no EPD uncertainty) with cfg's draws and seed.
func FootprintUncertaintyOf(m *methods.Method, fp *Footprint, bid *Bid, cfg uncertainty.Config) (*FootprintUncertainty, error) {
	b := NewUncertaintyBuilder()
	items, inputs, err := b.Lines(m, fp, bid, "")
	if err != nil {
		return nil, err
	}
	s, err := uncertainty.Simulate(b.Model, items, nil, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUncertainty, err)
	}
	f := formatter{places: int(m.Rounding.Places)}
	out := &FootprintUncertainty{Method: m.Ref(), Run: runInfo(b, cfg),
		Total: f.amount(fp.Total.KgCO2e, m.Rounding, uncertainty.Summarize(s.Total())), Lines: make([]LineUncertainty, len(fp.Lines))}
	for i, lr := range fp.Lines {
		lu := LineUncertainty{ID: lr.ID, Status: lr.Status, Inputs: inputs[i]}
		if lu.Inputs == nil {
			lu.Inputs = []string{}
			lu.Note = NoPublishedUncertainty
		}
		if lr.Status == StatusOK {
			lu.UncertainAmount = f.amount(lr.KgCO2e, m.Rounding, uncertainty.Summarize(s.Values(i)))
		}
		out.Lines[i] = lu
	}
	out.Contributors = contributors(b, s.Contributors(TopContributors))
	out.Notes = uncertaintyNotes()
	out.Model, out.Message = modelOf(m, nil)
	return out, nil
}

// modelOf returns a sampled result's "model" and "message" for method m:
// ModelDeclared and no message when m declares an uncertainty model;
// otherwise ModelNone and a message that every factor is treated as
// exact, naming the latest version of m's family in reg that declares a
// model (reg nil: none is named).
func modelOf(m *methods.Method, reg *methods.Registry) (string, string) {
	if m.Uncertainty != nil {
		return ModelDeclared, ""
	}
	msg := fmt.Sprintf("%s declares no uncertainty model: every factor is treated as exact (%s), so every interval has zero width", m.Ref(), NoPublishedUncertainty)
	if reg == nil {
		return ModelNone, msg + "; compute the bid under a method version that declares one ([uncertainty]) for intervals"
	}
	if w := WithModel(reg, m.ID); w != nil {
		return ModelNone, fmt.Sprintf("%s; %s declares one: compute the bid under %s for intervals", msg, w.Ref(), w.Ref())
	}
	return ModelNone, fmt.Sprintf("%s; no version of %s declares one", msg, m.ID)
}

// ModelOf returns what a sampled result under method m says of its model
// (as FootprintUncertainty's Model and Message): ModelDeclared and no
// message when m declares an uncertainty model; else ModelNone and a
// message that every factor is treated as exact, naming the version of
// m's family in reg that declares one (reg nil: none is named).
func ModelOf(m *methods.Method, reg *methods.Registry) (model, message string) {
	return modelOf(m, reg)
}

// WithModel returns the version of method id in reg that a user wanting
// intervals should name: the latest active version that declares an
// uncertainty model, else the latest version of any status that does;
// nil when none does.
func WithModel(reg *methods.Registry, id string) *methods.Method {
	vs := reg.Versions(id)
	var other *methods.Method
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Uncertainty == nil {
			continue
		}
		if vs[i].Status == methods.Active {
			return vs[i]
		}
		if other == nil {
			other = vs[i]
		}
	}
	return other
}

// NameModels rewrites the message of a result without a model to name the
// version of its method's family in reg that declares one.
func (u *FootprintUncertainty) NameModels(reg *methods.Registry) {
	if u.Model != ModelNone {
		return
	}
	if m, err := reg.Resolve(u.Method); err == nil {
		u.Model, u.Message = modelOf(m, reg)
	}
}

// NameModels rewrites the message of each method total without a model to
// name the version of its family in reg that declares one.
func (u *ComparisonUncertainty) NameModels(reg *methods.Registry) {
	for i := range u.Totals {
		t := &u.Totals[i]
		if t.Model != ModelNone {
			continue
		}
		if m, err := reg.Resolve(t.Method); err == nil {
			t.Model, t.Message = modelOf(m, reg)
		}
	}
}

func runInfo(b *UncertaintyBuilder, cfg uncertainty.Config) RunInfo {
	return RunInfo{Draws: cfg.Draws, Seed: strconv.FormatUint(cfg.Seed, 10), Generator: uncertainty.Generator, ModelDigest: b.Model.Digest()}
}

func contributors(b *UncertaintyBuilder, cs []uncertainty.Contribution) []Contributor {
	out := []Contributor{}
	for _, c := range cs {
		if c.Share <= 0 {
			continue
		}
		out = append(out, Contributor{Key: c.Key, Label: c.Label, Source: b.Source(c.Key), VarianceShare: strconv.FormatFloat(c.Share, 'f', 4, 64)})
	}
	return out
}

func uncertaintyNotes() []string {
	return []string{
		"the exact values are the legal result; the sampled mean differs from them where a published interval is not centred on the default (the IPCC's lognormals are fitted to the 2.5 % and 97.5 % limits)",
		"intervals are central: interval_90 = [5 %, 95 %] and interval_95 = [2.5 %, 97.5 %] quantiles of the draws",
	}
}

// WithUncertainty appends "uncertainty": u as the last member of a JSON
// object (a footprint's or a comparison's JSON), so that the exact
// document's bytes are unchanged before it.
func WithUncertainty(doc []byte, u any) ([]byte, error) {
	doc = bytes.TrimRight(doc, " \n")
	if len(doc) < 2 || doc[len(doc)-1] != '}' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrUncertainty)
	}
	ub, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(doc)+len(ub)+20)
	out = append(out, doc[:len(doc)-1]...)
	if bytes.TrimSpace(doc[:len(doc)-1])[len(bytes.TrimSpace(doc[:len(doc)-1]))-1] != '{' {
		out = append(out, ',')
	}
	out = append(out, `"uncertainty":`...)
	out = append(out, ub...)
	out = append(out, '}')
	return out, nil
}

// MethodDifference is the sampled difference between two methods on one bid.
type MethodDifference struct {
	Base  string `json:"base"`
	Other string `json:"other"`
	// Difference is other minus base, kg CO2e.
	Difference UncertainAmount `json:"difference"`
	// POtherGreater is the fraction of draws in which other > base.
	POtherGreater string        `json:"p_other_greater"`
	Contributors  []Contributor `json:"contributors"`
}

// ComparisonUncertainty is a comparison's sampled distributions: each
// method's total and the difference of each method from the first.
type ComparisonUncertainty struct {
	Run         RunInfo            `json:"run"`
	Totals      []MethodTotal      `json:"totals"`
	Differences []MethodDifference `json:"differences"`
	Notes       []string           `json:"notes"`
}

// MethodTotal is one method's sampled total.
type MethodTotal struct {
	Method string `json:"method"`
	// Model and Message are as in FootprintUncertainty.
	Model   string `json:"model"`
	Message string `json:"message,omitempty"`
	UncertainAmount
}

// ComparisonUncertaintyOf samples a comparison: every method's lines over
// one model (common random numbers: the same line's activity data, the
// same factor, is one draw for every method), so that what the methods
// share cancels in their difference.
func ComparisonUncertaintyOf(ms []*methods.Method, c *Comparison, bid *Bid, cfg uncertainty.Config) (*ComparisonUncertainty, error) {
	if len(ms) != len(c.Methods) || len(ms) < 2 {
		return nil, fmt.Errorf("%w: %d methods for %d footprints", ErrUncertainty, len(ms), len(c.Methods))
	}
	b := NewUncertaintyBuilder()
	var items []uncertainty.Item
	span := make([][2]int, len(ms))
	for i, m := range ms {
		its, _, err := b.Lines(m, c.Methods[i], bid, "")
		if err != nil {
			return nil, err
		}
		span[i] = [2]int{len(items), len(items) + len(its)}
		items = append(items, its...)
	}
	out := &ComparisonUncertainty{Run: runInfo(b, cfg), Notes: uncertaintyNotes()}
	for i, m := range ms {
		w := make([]float64, len(items))
		for j := span[i][0]; j < span[i][1]; j++ {
			w[j] = 1
		}
		if i > 0 {
			for j := span[0][0]; j < span[0][1]; j++ {
				w[j] = -1
			}
		}
		s, err := uncertainty.Simulate(b.Model, items, w, cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUncertainty, err)
		}
		f := formatter{places: int(m.Rounding.Places)}
		model, msg := modelOf(m, nil)
		if i == 0 {
			out.Totals = append(out.Totals, MethodTotal{Method: m.Ref(), Model: model, Message: msg, UncertainAmount: f.amount(c.Methods[0].Total.KgCO2e, m.Rounding, uncertainty.Summarize(s.Total()))})
			continue
		}
		tot := make([]float64, cfg.Draws)
		for j := span[i][0]; j < span[i][1]; j++ {
			for k, x := range s.Values(j) {
				tot[k] += x
			}
		}
		out.Totals = append(out.Totals, MethodTotal{Method: m.Ref(), Model: model, Message: msg, UncertainAmount: f.amount(c.Methods[i].Total.KgCO2e, m.Rounding, uncertainty.Summarize(tot))})
		diff := c.Methods[i].Total.KgCO2e.Sub(c.Methods[0].Total.KgCO2e)
		out.Differences = append(out.Differences, MethodDifference{Base: ms[0].Ref(), Other: m.Ref(),
			Difference:    f.amount(diff, m.Rounding, uncertainty.Summarize(s.Total())),
			POtherGreater: FormatProbability(uncertainty.Probability(s.Total())),
			Contributors:  contributors(b, s.Contributors(TopContributors))})
	}
	return out, nil
}

// declaredEPD returns the distribution an EPD line's document declares
// for the value counted, and its citation:
//
//   - openEPD: the measurement's rsd with its dist (log-normal or normal),
//     uncertainty.FromRSD. A measurement with an rsd but no dist, or with
//     another dist (uniform, triangular, max), is taken as exact: no
//     distribution is assumed for it.
//   - ILCD+EPD: the uncertainty its LCIA result declares for the module
//     counted (epd.Result.Uncertainty: log-normal or normal, read,
//     checked and attached to the module it describes by the reader;
//     uncertainty.FromILCD).
//
// Only a value that is one declared result qualifies (not a sum of
// modules, not a value with biogenic release added, not the top-level
// gwp).
func declaredEPD(lr *LineResult, l *Line) (uncertainty.Distribution, string, bool) {
	if l == nil || l.Factor == nil || l.Factor.EPD == nil || l.Factor.EPD.Declaration == nil {
		return uncertainty.Distribution{}, "", false
	}
	used := lr.EPD
	if len(used.SummedFrom) > 0 || used.ValueFrom != "" {
		return uncertainty.Distribution{}, "", false
	}
	for _, r := range l.Factor.EPD.Declaration.Results {
		if !strings.EqualFold(r.Indicator, used.Indicator) || r.Set != used.Set || r.Module != used.Modules || r.Value.String() != used.Value {
			continue
		}
		if u := r.Uncertainty; u != nil {
			d, ok := fitDeclared(u.RelativeSD95In, func(x float64) (uncertainty.Distribution, error) { return uncertainty.FromILCD(u.Distribution, x) })
			if !ok {
				return uncertainty.Distribution{}, "", false
			}
			what := "SDg²: 2.5 % and 97.5 % points the value ÷ and × " + u.RelativeSD95In
			if u.Distribution == epd.DistNormal {
				what = "2·SD in % of the value: 2.5 % and 97.5 % points the value × (1 ∓ " + u.RelativeSD95In + "/100)"
			}
			return d, fmt.Sprintf("ILCD+EPD LCIA result of %s (%s %s, %s): %s, relativeStandardDeviation95In %s (%s; ILCD process data set schema, LCIAResult element 1-8-1-103)",
				used.File, r.Indicator, r.Module, u.Field, u.Distribution, u.RelativeSD95In, what), true
		}
		if r.RSD == "" || r.Dist == "" {
			continue
		}
		d, ok := fitDeclared(r.RSD, func(x float64) (uncertainty.Distribution, error) { return uncertainty.FromRSD(r.Dist, x) })
		if !ok {
			return uncertainty.Distribution{}, "", false
		}
		return d, fmt.Sprintf("openEPD measurement of %s (%s %s %s): rsd %s, dist %s (reference-data/uncertainty/README.md §4.3)", used.File, r.Set, r.Indicator, r.Module, r.RSD, r.Dist), true
	}
	return uncertainty.Distribution{}, "", false
}

// fitDeclared reads a document's declared figure (a decimal text) and
// fits its distribution; false when either fails.
func fitDeclared(figure string, fit func(float64) (uncertainty.Distribution, error)) (uncertainty.Distribution, bool) {
	x, err := decimal.NewFromString(figure)
	if err != nil {
		return uncertainty.Distribution{}, false
	}
	f, _ := x.Float64()
	d, err := fit(f)
	return d, err == nil
}
