package conformance

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// Runner computes vectors with the engine against a registry of methods.
type Runner struct {
	Registry *methods.Registry
	Engine   *calc.Engine
}

// Result is the outcome of one vector.
type Result struct {
	Name        string
	Method      string
	Description string
	// Failures says what differed, one entry per field, each naming the
	// field (e.g. "lines[id=2].gases[CO2].kg: expected "1.000", got "1.001"").
	// Empty when the vector passed.
	Failures []string
}

// Pass reports whether the vector passed.
func (r Result) Pass() bool { return len(r.Failures) == 0 }

// Failed turns a file that did not parse into a failed result.
func Failed(f File) Result {
	return Result{Name: f.Name, Failures: []string{f.Err.Error()}}
}

// Run computes one vector and compares the engine's reported result with
// the vector's expectation.
func (r *Runner) Run(v *Vector) Result {
	res := Result{Name: v.Name, Method: v.Method.Ref, Description: v.Description}
	fail := func(format string, args ...any) Result {
		res.Failures = append(res.Failures, fmt.Sprintf(format, args...))
		return res
	}
	if v.Expected == nil {
		return fail("expected: missing (a new vector: compute it with go test ./conformance -update and review it)")
	}
	m, err := r.Registry.Resolve(v.Method.Ref)
	if err != nil {
		return fail("method: %v", err)
	}
	if m.Ref() != v.Method.Ref {
		return fail("method.ref: %q is not a pinned id@version (it resolves to %s); name the version", clip.Text(v.Method.Ref), m.Ref())
	}
	if v.Method.Digest == "" {
		return fail("method.digest: missing (a new vector: compute it with go test ./conformance -update and review it)")
	}
	if m.Digest != v.Method.Digest {
		return fail("method.digest: the vector was computed for %s with digest %s, the registry's %s has digest %s: the method file changed; review the change, then recompute the vector",
			m.Ref(), clip.Text(v.Method.Digest), m.File, m.Digest)
	}
	bid, err := bidjson.DecodeBytes(v.Bid)
	if err != nil {
		return fail("bid: %v", err)
	}
	if bid.Method != "" && bid.Method != v.Method.Ref {
		return fail("bid.method: %q differs from method.ref %q; leave it out", clip.Text(bid.Method), clip.Text(v.Method.Ref))
	}
	fp, err := r.Engine.Calculate(m, bid)
	var be *calc.BidError
	if fp == nil || (err != nil && !errors.As(err, &be)) {
		return fail("calculation: %v", err)
	}
	got := FromFootprint(fp)
	res.Failures = Diff(v.Expected, got)
	return res
}

// RunAll runs vectors in order; files that did not parse are failures.
func (r *Runner) RunAll(vs []*Vector, bad []File) []Result {
	out := make([]Result, 0, len(vs)+len(bad))
	for _, v := range vs {
		out = append(out, r.Run(v))
	}
	for _, f := range bad {
		out = append(out, Failed(f))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FromFootprint is the engine's result in the vector's terms, every amount
// rounded by the method's rule, as the program reports it.
func FromFootprint(fp *calc.Footprint) *Expected {
	rep := fp.Report()
	rule := fp.Rounding()
	e := &Expected{Places: rule.Places, Rounding: rule.Mode, TotalKgCO2e: rep.Total.KgCO2e.String(),
		ByGas: []Gas{}, ByStage: []Stage{}, Lines: []Line{}, Limits: []Limit{}}
	for _, g := range rep.ByGas {
		e.ByGas = append(e.ByGas, Gas{Gas: g.Gas, Kg: g.Kg.String(), KgCO2e: g.KgCO2e.String()})
	}
	for _, s := range rep.ByStage {
		e.ByStage = append(e.ByStage, Stage{Stage: s.Stage, KgCO2e: s.KgCO2e.String()})
	}
	for _, l := range rep.Lines {
		el := Line{ID: l.ID, Status: l.Status}
		if l.Status == calc.StatusOK {
			el.KgCO2e = l.KgCO2e.String()
			if l.Factor != nil {
				el.Factor, el.Region = l.Factor.ID, l.Factor.Region
			}
			for _, g := range l.Gases {
				el.Gases = append(el.Gases, Gas{Gas: g.Gas, Kg: g.Kg.String(), KgCO2e: g.KgCO2e.String()})
			}
			for _, s := range l.Stages {
				el.Stages = append(el.Stages, Stage{Stage: s.Stage, KgCO2e: s.KgCO2e.String()})
			}
		}
		e.Lines = append(e.Lines, el)
	}
	for _, l := range rep.Limits {
		e.Limits = append(e.Limits, Limit{LineID: l.LineID, ID: l.ID, Limit: l.Limit.String(), Value: l.Value.String(), Pass: l.Pass})
	}
	return e
}

// Diff compares an expectation with a result and names every field that
// differs. Lists of gases, stages and limits are matched by key, not by
// order; lines by position and id.
func Diff(want, got *Expected) []string {
	var out []string
	str := func(field, w, g string) {
		if w != g {
			out = append(out, fmt.Sprintf("%s: expected %s, got %s", field, q(w), q(g)))
		}
	}
	if want.Places != got.Places {
		out = append(out, fmt.Sprintf("places: expected %d, got %d (the method's reporting rule changed)", want.Places, got.Places))
	}
	str("rounding", want.Rounding, got.Rounding)
	str("total_kg_co2e", want.TotalKgCO2e, got.TotalKgCO2e)
	out = append(out, diffGases("by_gas", want.ByGas, got.ByGas)...)
	out = append(out, diffStages("by_stage", want.ByStage, got.ByStage)...)
	if len(want.Lines) != len(got.Lines) {
		out = append(out, fmt.Sprintf("lines: expected %d lines, got %d", len(want.Lines), len(got.Lines)))
	}
	for i := range min(len(want.Lines), len(got.Lines)) {
		w, g := want.Lines[i], got.Lines[i]
		at := fmt.Sprintf("lines[id=%s]", clip.Text(w.ID))
		if w.ID != g.ID {
			out = append(out, fmt.Sprintf("lines[%d].id: expected %s, got %s", i, q(w.ID), q(g.ID)))
			continue
		}
		str(at+".status", w.Status, g.Status)
		if w.Status != calc.StatusOK || g.Status != calc.StatusOK {
			continue
		}
		str(at+".kg_co2e", w.KgCO2e, g.KgCO2e)
		str(at+".factor", w.Factor, g.Factor)
		str(at+".region", w.Region, g.Region)
		out = append(out, diffGases(at+".gases", w.Gases, g.Gases)...)
		out = append(out, diffStages(at+".stages", w.Stages, g.Stages)...)
	}
	out = append(out, diffLimits(want.Limits, got.Limits)...)
	return out
}

func diffGases(at string, want, got []Gas) []string {
	var out []string
	gm := map[string]Gas{}
	for _, g := range got {
		gm[g.Gas] = g
	}
	seen := map[string]bool{}
	for _, w := range want {
		seen[w.Gas] = true
		g, ok := gm[w.Gas]
		if !ok {
			out = append(out, fmt.Sprintf("%s[%s]: expected, missing from the result", at, clip.Text(w.Gas)))
			continue
		}
		if w.Kg != g.Kg {
			out = append(out, fmt.Sprintf("%s[%s].kg: expected %s, got %s", at, w.Gas, q(w.Kg), q(g.Kg)))
		}
		if w.KgCO2e != g.KgCO2e {
			out = append(out, fmt.Sprintf("%s[%s].kg_co2e: expected %s, got %s", at, w.Gas, q(w.KgCO2e), q(g.KgCO2e)))
		}
	}
	for _, g := range got {
		if !seen[g.Gas] {
			out = append(out, fmt.Sprintf("%s[%s]: not expected, in the result", at, g.Gas))
		}
	}
	return out
}

func diffStages(at string, want, got []Stage) []string {
	var out []string
	gm := map[string]string{}
	for _, s := range got {
		gm[s.Stage] = s.KgCO2e
	}
	seen := map[string]bool{}
	for _, w := range want {
		seen[w.Stage] = true
		g, ok := gm[w.Stage]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s[%s]: expected, missing from the result", at, clip.Text(w.Stage)))
		case w.KgCO2e != g:
			out = append(out, fmt.Sprintf("%s[%s].kg_co2e: expected %s, got %s", at, w.Stage, q(w.KgCO2e), q(g)))
		}
	}
	for _, s := range got {
		if !seen[s.Stage] {
			out = append(out, fmt.Sprintf("%s[%s]: not expected, in the result", at, s.Stage))
		}
	}
	return out
}

func diffLimits(want, got []Limit) []string {
	var out []string
	key := func(l Limit) string { return "limits[line_id=" + clip.Text(l.LineID) + ",id=" + clip.Text(l.ID) + "]" }
	gm := map[string]Limit{}
	for _, l := range got {
		gm[key(l)] = l
	}
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w)
		seen[k] = true
		g, ok := gm[k]
		if !ok {
			out = append(out, k+": expected, missing from the result")
			continue
		}
		if !decEqual(w.Limit, g.Limit) {
			out = append(out, fmt.Sprintf("%s.limit: expected %s, got %s", k, q(w.Limit), q(g.Limit)))
		}
		if w.Value != g.Value {
			out = append(out, fmt.Sprintf("%s.value: expected %s, got %s", k, q(w.Value), q(g.Value)))
		}
		if w.Pass != g.Pass {
			out = append(out, fmt.Sprintf("%s.pass: expected %t, got %t", k, w.Pass, g.Pass))
		}
	}
	for _, g := range got {
		if k := key(g); !seen[k] {
			out = append(out, k+": not expected, in the result")
		}
	}
	return out
}

// q quotes a value for a message, clipped: a vector's values are input.
func q(s string) string { return strconv.Quote(clip.Text(s)) }

// decEqual compares two decimal strings by value ("728" equals "728.0").
func decEqual(a, b string) bool {
	x, err1 := decimal.NewFromString(a)
	y, err2 := decimal.NewFromString(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return x.Equal(y)
}
