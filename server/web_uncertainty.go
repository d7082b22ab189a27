package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// WebDraws is the number of draws the web form's "Show uncertainty" asks
// for.
const WebDraws = 10_000

// formUncertainty reads the form's uncertainty checkbox and seed: whether
// to sample, with what, and the seed field's error message ("" when none).
// An empty seed is 1.
func formUncertainty(fd formData) (uncertainty.Config, bool, string) {
	if fd.Uncertainty != "on" {
		return uncertainty.Config{}, false, ""
	}
	seed := uint64(1)
	if fd.Seed != "" {
		var err error
		if seed, err = strconv.ParseUint(fd.Seed, 10, 64); err != nil {
			return uncertainty.Config{}, false, "Enter the seed as a whole number from 0 to 18446744073709551615, like 1 or 42"
		}
	}
	return uncertainty.Config{Draws: WebDraws, Seed: seed, Workers: 1}, true, ""
}

// uncertaintyView is the sampled uncertainty on the result page: one
// table per method (lines and total), and for a comparison the
// difference of the second method from the first.
type uncertaintyView struct {
	Draws       string
	Seed        string
	Generator   string
	ModelDigest string
	Methods     []uncMethodView
	Differences []uncDiffView
	Notes       []string
}

// uncMethodView is one method's sampled lines and total.
type uncMethodView struct {
	Index   int
	Method  string
	Model   string
	Message string
	Lines   []uncRow
	Total   uncRow
	// Contributors are the inputs driving most of the total's spread.
	Contributors uncContributors
}

// uncContributors are the inputs driving a spread, with the table's
// accessible name (unique on the page).
type uncContributors struct {
	Label string
	List  []calc.Contributor
}

// uncRow is one sampled amount with its interval bar.
type uncRow struct {
	Label  string
	Status string
	calc.UncertainAmount
	Note string
	Bar  *intervalBar
}

// uncDiffView is the sampled difference other − base.
type uncDiffView struct {
	Base, Other   string
	Row           uncRow
	POtherGreater string
	Contributors  uncContributors
}

// intervalBar is an inline SVG of one sampled amount: the 95 % interval
// as a thin line, the 90 % interval as a thicker bar, the median as a
// tick and the exact value as a diamond, on a horizontal scale. It has no
// text inside (the numbers are in the cells beside it); its <title> is
// its text alternative.
type intervalBar struct {
	ID                 string
	Title              string
	Width, Height      int
	Lo95, Hi95         string
	Lo90, W90          string
	Median             string
	Exact              string
	ExactL, ExactR     string
	Zero               string
	HasZero            bool
	Y, Y90, H90, Top   int
	Bottom, DiamondTop int
	DiamondBottom      int
}

// Interval bar geometry, in CSS px at natural size.
const (
	barWidth  = 160
	barHeight = 24
	barPad    = 6
)

// barScale maps values to x in [barPad, barWidth-barPad] over [lo, hi].
type barScale struct{ lo, hi float64 }

func (s barScale) x(v float64) float64 {
	if s.hi <= s.lo {
		return barWidth / 2
	}
	return barPad + (v-s.lo)/(s.hi-s.lo)*(barWidth-2*barPad)
}

func px(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// parse reads a formatted amount back (the values shown are the values
// drawn).
func parse(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// newBar draws amount a on scale sc; nil when a value does not parse.
func newBar(id, title string, a calc.UncertainAmount, sc barScale, zero bool) *intervalBar {
	var v [6]float64
	for i, s := range []string{a.Exact, a.Median, a.Interval95[0], a.Interval95[1], a.Interval90[0], a.Interval90[1]} {
		x, ok := parse(s)
		if !ok {
			return nil
		}
		v[i] = x
	}
	mid := barHeight / 2
	ex := sc.x(v[0])
	b := &intervalBar{ID: id, Title: title, Width: barWidth, Height: barHeight,
		Lo95: px(sc.x(v[2])), Hi95: px(sc.x(v[3])), Lo90: px(sc.x(v[4])), W90: px(math.Max(1, sc.x(v[5])-sc.x(v[4]))),
		Median: px(sc.x(v[1])), Exact: px(ex), ExactL: px(ex - 5), ExactR: px(ex + 5),
		Y: mid, Y90: mid - 4, H90: 8, Top: mid - 8, Bottom: mid + 8, DiamondTop: mid - 6, DiamondBottom: mid + 6}
	if zero && sc.lo <= 0 && sc.hi >= 0 {
		b.HasZero, b.Zero = true, px(sc.x(0))
	}
	return b
}

// spanOf returns the smallest and largest of an amount's drawn values and
// its exact value.
func spanOf(a calc.UncertainAmount) (float64, float64, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range []string{a.Exact, a.Median, a.Interval95[0], a.Interval95[1]} {
		x, ok := parse(s)
		if !ok {
			return 0, 0, false
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi, true
}

// padded widens [lo, hi] by 5 % on each side (a point by 1 or 5 % of it).
func padded(lo, hi float64) barScale {
	d := hi - lo
	if d <= 0 {
		d = math.Max(math.Abs(lo)*0.1, 1)
	}
	return barScale{lo - 0.05*d, hi + 0.05*d}
}

func barTitle(what string, a calc.UncertainAmount) string {
	return fmt.Sprintf("%s: exact %s kg CO2e; mean %s, median %s; 90 %% interval %s to %s; 95 %% interval %s to %s", what,
		a.Exact, a.Mean, a.Median, a.Interval90[0], a.Interval90[1], a.Interval95[0], a.Interval95[1])
}

// uncertaintyView samples the result's footprints (and, for two methods,
// their difference) with cfg.
func (s *Server) uncertaintyView(ms []*methods.Method, res *resultView, bid *calc.Bid, cfg uncertainty.Config) (*uncertaintyView, error) {
	if len(ms) != len(res.footprints) {
		return nil, fmt.Errorf("uncertainty: %d methods for %d footprints", len(ms), len(res.footprints))
	}
	v := &uncertaintyView{Draws: thousands(cfg.Draws), Seed: strconv.FormatUint(cfg.Seed, 10)}
	for i, m := range ms {
		u, err := calc.FootprintUncertaintyOf(m, res.footprints[i], bid, cfg)
		if err != nil {
			return nil, uncertaintyErr(err)
		}
		u.NameModels(s.reg)
		v.Generator, v.Notes = u.Run.Generator, u.Notes
		if i == 0 {
			v.ModelDigest = u.Run.ModelDigest
		}
		mv := uncMethodView{Index: i, Method: u.Method, Model: u.Model, Message: u.Message,
			Contributors: uncContributors{Label: "Inputs driving the spread under " + u.Method, List: u.Contributors}}
		// Each bar is drawn on its own exact value ± rel, rel being the
		// largest relative deviation from the exact value in the table:
		// bar widths then compare as relative uncertainty, whatever the
		// size of the line.
		rel := 0.0
		amounts := []calc.UncertainAmount{u.Total}
		for _, l := range u.Lines {
			if l.Status == calc.StatusOK {
				amounts = append(amounts, l.UncertainAmount)
			}
		}
		for _, a := range amounts {
			lo, hi, ok := spanOf(a)
			ex, _ := parse(a.Exact)
			if ok && ex != 0 {
				rel = math.Max(rel, math.Max(math.Abs(lo/ex-1), math.Abs(hi/ex-1)))
			}
		}
		rel = math.Max(rel*1.05, 0.01)
		rowBar := func(id, what string, a calc.UncertainAmount) *intervalBar {
			ex, ok := parse(a.Exact)
			if !ok || ex == 0 {
				return nil
			}
			lo, hi := ex*(1-rel), ex*(1+rel)
			if lo > hi {
				lo, hi = hi, lo
			}
			return newBar(id, what, a, barScale{lo, hi}, false)
		}
		for j, l := range u.Lines {
			row := uncRow{Label: "Line " + l.ID, Status: l.Status, UncertainAmount: l.UncertainAmount, Note: l.Note}
			if l.Status == calc.StatusOK {
				row.Bar = rowBar(fmt.Sprintf("unc-bar-%d-%d", i, j), barTitle(u.Method+", line "+l.ID, l.UncertainAmount), l.UncertainAmount)
			}
			mv.Lines = append(mv.Lines, row)
		}
		mv.Total = uncRow{Label: "Total", Status: calc.StatusOK, UncertainAmount: u.Total,
			Bar: rowBar(fmt.Sprintf("unc-bar-%d-total", i), barTitle(u.Method+", total", u.Total), u.Total)}
		v.Methods = append(v.Methods, mv)
	}
	if res.cmp != nil {
		cu, err := calc.ComparisonUncertaintyOf(ms, res.cmp, bid, cfg)
		if err != nil {
			return nil, uncertaintyErr(err)
		}
		v.ModelDigest = cu.Run.ModelDigest
		for k, d := range cu.Differences {
			lo, hi, ok := spanOf(d.Difference)
			var bar *intervalBar
			if ok {
				sc := padded(math.Min(lo, 0), math.Max(hi, 0))
				bar = newBar(fmt.Sprintf("unc-bar-diff-%d", k), barTitle(d.Other+" minus "+d.Base, d.Difference), d.Difference, sc, true)
			}
			v.Differences = append(v.Differences, uncDiffView{Base: d.Base, Other: d.Other, POtherGreater: d.POtherGreater,
				Contributors: uncContributors{Label: "Inputs driving the spread of " + d.Other + " minus " + d.Base, List: d.Contributors},
				Row:          uncRow{Label: d.Other + " minus " + d.Base, Status: calc.StatusOK, UncertainAmount: d.Difference, Bar: bar}})
		}
	}
	return v, nil
}

// percent writes a probability as a percentage with at most one decimal.
func percent(p string) string {
	f, err := strconv.ParseFloat(p, 64)
	if err != nil {
		return p
	}
	return strings.TrimSuffix(strconv.FormatFloat(math.Round(f*1000)/10, 'f', 1, 64), ".0") + " %"
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
