package batch_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/calc/batch/batchgen"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// The interval columns are held to calc's own API: for every row, a
// one-line bid of that line through calc.FootprintUncertaintyOf (what
// `footprint calc --uncertainty N --seed S` prints) under each method, and
// with two methods engine.Compare and calc.ComparisonUncertaintyOf (what
// `footprint compare --uncertainty` prints), compared to the digit as
// printed.

// intervalNames are a method group's interval columns, in order.
var intervalNames = []string{"kg_co2e_mean", "kg_co2e_median", "kg_co2e_p5", "kg_co2e_p95", "kg_co2e_p2_5", "kg_co2e_p97_5", "uncertainty"}

// intervalOracle computes rows' interval columns with calc.
type intervalOracle struct {
	w   *world
	ms  []*methods.Method
	cfg uncertainty.Config
	// epd and date are the run's Options.EPD and Options.Date.
	epd  func(string) (*calc.EPDDocument, error)
	date time.Time
}

// line is the row's line as a one-line bid has it, or false when the
// batch reports a cell calc never sees (an error row under every method).
func (o *intervalOracle) line(id string, get func(string) string) (calc.Line, bool) {
	l := calc.Line{ID: strings.TrimSpace(id), Activity: get("activity"), Region: get("region"), Unit: get("unit"), Stage: get("stage"), Basis: get("basis")}
	fb, ok := bidcsv.ParseFlag(get("allow_region_fallback"))
	if !ok {
		return l, false
	}
	l.AllowRegionFallback = fb
	if name := get("factor_epd"); name != "" {
		if get("factor_kg_co2e") != "" || get("factor_per") != "" || get("factor_reference") != "" || o.epd == nil {
			return l, false
		}
		doc, err := o.epd(name)
		if err != nil {
			return l, false
		}
		l.Factor = &calc.ProductFactor{EPD: doc}
	} else if kg, per, ref := get("factor_kg_co2e"), get("factor_per"), get("factor_reference"); kg != "" || per != "" || ref != "" {
		d, err := calc.ParseQuantity(kg)
		if kg == "" || err != nil {
			return l, false
		}
		l.Factor = &calc.ProductFactor{KgCO2e: d, Per: per, Reference: ref}
	}
	q, err := calc.ParseQuantity(get("quantity"))
	if err != nil {
		return l, false
	}
	l.Quantity = q
	return l, true
}

// expect returns the interval cells of a row per method, and P ("" when
// not two methods or either failed).
func (o *intervalOracle) expect(t testing.TB, id string, get func(string) string) ([][]string, string) {
	t.Helper()
	cells := make([][]string, len(o.ms))
	empty := make([]string, len(intervalNames))
	for i := range cells {
		cells[i] = empty
	}
	l, ok := o.line(id, get)
	if !ok {
		return cells, ""
	}
	bid := calc.Bid{Reference: "R", Supplier: "S", Lines: []calc.Line{l}}
	if !o.date.IsZero() {
		bid.Date = o.date.Format(calc.DateLayout)
	}
	failed := false
	for i, m := range o.ms {
		fp, err := o.w.eng.Calculate(m, bid)
		if fp == nil || fp.Lines[0].Status == calc.StatusError {
			failed = true
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", m.Ref(), err)
		}
		u, err := calc.FootprintUncertaintyOf(m, fp, &bid, o.cfg)
		if err != nil {
			t.Fatalf("%s: %v", m.Ref(), err)
		}
		lu := u.Lines[0]
		note := lu.Note
		if len(lu.Inputs) > 0 {
			note = batch.NoteSampled
		}
		cells[i] = []string{lu.Mean, lu.Median, lu.Interval90[0], lu.Interval90[1], lu.Interval95[0], lu.Interval95[1], note}
	}
	if len(o.ms) != 2 || failed {
		return cells, ""
	}
	c, err := o.w.eng.Compare(o.ms, bid)
	if err != nil {
		t.Fatal(err)
	}
	u, err := calc.ComparisonUncertaintyOf(o.ms, c, &bid, o.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cells, u.Differences[0].POtherGreater
}

// prefixes are the method groups' column prefixes, as the batch writes them.
func prefixes(ms []*methods.Method) []string {
	out := make([]string, len(ms))
	if len(ms) == 1 {
		return out
	}
	ids := map[string]int{}
	for _, m := range ms {
		ids[m.ID]++
	}
	for i, m := range ms {
		out[i] = m.ID + "."
		if ids[m.ID] > 1 {
			out[i] = m.Ref() + "."
		}
	}
	return out
}

// check compares every row's interval cells with calc's and returns the
// first disagreements (at most 10).
func (o *intervalOracle) check(t testing.TB, in, out string) []string {
	t.Helper()
	var bad []string
	inRecs, ok := readRecords(in)
	if !ok || len(inRecs) == 0 {
		return nil
	}
	outRecs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		return []string{fmt.Sprintf("output is not rectangular CSV: %v", err)}
	}
	if len(outRecs) != len(inRecs) {
		return []string{fmt.Sprintf("%d output rows for %d input rows", len(outRecs)-1, len(inRecs)-1)}
	}
	h, oh := inRecs[0], outRecs[0]
	idx := map[string]int{}
	for j, name := range h {
		idx[strings.ToLower(strings.TrimSpace(name))] = j
	}
	// The interval columns follow the input's, the method groups' and the
	// delta: found by position (two groups of one method share names).
	base := len(h) + 8*len(o.ms)
	if len(o.ms) == 2 {
		base++
	}
	pre := prefixes(o.ms)
	for i := 1; i < len(inRecs) && len(bad) < 10; i++ {
		rec, got := inRecs[i], outRecs[i]
		var want [][]string
		var wantP string
		if len(rec) == len(h) {
			get := func(name string) string {
				if j, ok := idx[name]; ok {
					return strings.TrimSpace(rec[j])
				}
				return ""
			}
			want, wantP = o.expect(t, rec[idx["line_id"]], get)
		} else {
			want = make([][]string, len(o.ms))
			for mi := range want {
				want[mi] = make([]string, len(intervalNames))
			}
		}
		for mi, m := range o.ms {
			for k, name := range intervalNames {
				j := base + mi*len(intervalNames) + k
				if j >= len(oh) || oh[j] != pre[mi]+name {
					return []string{fmt.Sprintf("no column %s%s at %d in %v", pre[mi], name, j, oh)}
				}
				if got[j] != want[mi][k] {
					bad = append(bad, fmt.Sprintf("row %d %s (%q): %s %q, calc says %q", i, m.Ref(), rec, name, got[j], want[mi][k]))
				}
			}
		}
		if len(o.ms) == 2 {
			if oh[len(oh)-1] != batch.PDeltaColumn {
				return []string{fmt.Sprintf("the last column is %q, not %s", oh[len(oh)-1], batch.PDeltaColumn)}
			}
			if got := got[len(got)-1]; got != wantP {
				bad = append(bad, fmt.Sprintf("row %d (%q): %s %q, compare says %q", i, rec, batch.PDeltaColumn, got, wantP))
			}
		}
	}
	return bad
}

// runIntervals runs in with intervals and returns the output and the
// paths taken; it fails the test on a run error.
func runIntervals(t testing.TB, w *world, in string, opt batch.Options, perRow bool) (string, batch.IntervalPaths) {
	t.Helper()
	var out bytes.Buffer
	_, paths, err := batch.RunCountingIntervals(context.Background(), w.eng, strings.NewReader(in), &out, opt, perRow)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), paths
}

// tinyRows are rows so small that a term with a division rounds to zero
// (us-federal's freight per short ton-mile in t·km), next to their
// larger kin, and zero quantities.
const tinyRows = "T1,freight.road,US,0.000000000000000001,t.km,,,,,,,t\n" +
	"T2,freight.road,US,0.00000000000000001234,t.km,,,,,,,t\n" +
	"T3,freight.road,US,0.0000000000000012,t.km,,,,,,,t\n" +
	"T4,freight.road,US,12.5,t.km,,,,,,,t\n" +
	"T5,fuel.natural_gas,US,0,mmBtu,,,,,,,t\n" +
	"T6,fuel.diesel,DE,0.000000000000000000000000000001,GJ,,,,,,,t\n" +
	"T7,freight.road,US,0,t.km,,,,,,,t\n"

// TestIntervalsAgreeWithCalc is the differential test of the interval
// columns: rows of every kind (every activity, region, unit, basis, stage,
// product factor and spelling, realistic mixes whose kinds repeat, tiny and
// zero quantities), under each method with a model alone, both together
// either way round, a method without one, two versions of one method, one
// method twice and three methods;
// every interval cell and P equal calc's, computed the usual way and with
// every sampled row forced the per-row way. The paths the rows took are
// counted: each must have been taken.
func TestIntervalsAgreeWithCalc(t *testing.T) {
	w := newWorld(t)
	rows := 1500
	if testing.Short() {
		rows = 400
	}
	var mixed bytes.Buffer
	if err := batchgen.Write(&mixed, batchgen.Config{Rows: rows, Seed: 5, Profile: batchgen.Mixed, BadPerMille: 10}); err != nil {
		t.Fatal(err)
	}
	var total batch.IntervalPaths
	for ci, tc := range []struct {
		name  string
		refs  []string
		draws int
	}{
		{"us-federal", []string{"us-federal@2026.2"}, 257},
		{"eu-gpp", []string{"eu-gpp@2026.2"}, 300},
		{"both", []string{"us-federal@2026.2", "eu-gpp@2026.2"}, 257},
		{"both reversed", []string{"eu-gpp@2026.2", "us-federal@2026.2"}, 64},
		{"no model", []string{"us-federal@2025.1"}, 100},
		{"two versions", []string{"eu-gpp@2026.1", "eu-gpp@2026.2"}, 200},
		{"one draw", []string{"us-federal@2026.2", "eu-gpp@2026.2"}, 1},
		{"one method twice", []string{"eu-gpp@2026.2", "eu-gpp@2026.2"}, 50},
		{"us-federal twice", []string{"us-federal@2026.2", "us-federal@2026.2"}, 50},
		{"three methods", []string{"eu-gpp@2026.2", "us-federal@2025.1", "us-federal@2026.2"}, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ms []*methods.Method
			for _, r := range tc.refs {
				ms = append(ms, w.method(t, r))
			}
			cfg := uncertainty.Config{Draws: tc.draws, Seed: uint64(40 + ci)}
			for _, in := range []string{everyKindCSV(w.lib, rows, uint64(10+ci)) + tinyRows, mixed.String()} {
				o := &intervalOracle{w: w, ms: ms, cfg: cfg}
				for _, perRow := range []bool{false, true} {
					out, paths := runIntervals(t, w, in, batch.Options{Methods: ms, Workers: 2, Uncertainty: &cfg}, perRow)
					if bad := o.check(t, in, out); len(bad) > 0 {
						t.Fatalf("per row %v: batch and calc disagree:\n%s", perRow, strings.Join(bad, "\n"))
					}
					if !perRow {
						addPaths(&total, paths)
					}
				}
			}
		})
	}
	for name, n := range map[string]int64{"constant": total.Constant, "per kind": total.PerKind, "line": total.Line, "rebuilt": total.Rebuilt,
		"boundary": total.Boundary, "boundary of the mean": total.BoundaryMean,
		"pair constant": total.PairConstant, "pair identical": total.PairIdentical, "pair per kind": total.PairPerKind, "pair per row": total.PairRow} {
		if n == 0 {
			t.Errorf("no interval took the %s path: %+v", name, total)
		}
	}
	t.Logf("paths: %+v", total)
}

func addPaths(t *batch.IntervalPaths, p batch.IntervalPaths) {
	t.Constant += p.Constant
	t.PerKind += p.PerKind
	t.Line += p.Line
	t.Boundary += p.Boundary
	t.BoundaryMean += p.BoundaryMean
	t.Rebuilt += p.Rebuilt
	t.PairConstant += p.PairConstant
	t.PairIdentical += p.PairIdentical
	t.PairPerKind += p.PairPerKind
	t.PairRow += p.PairRow
}

// declaredEPDs resolves EPD names as epdFixtures does, with the openEPD
// rebar's A1-A3 GWP declared log-normal (rsd 0.1 in the file): an EPD
// with its own uncertainty, the line's own input epd/<sha256>.
func declaredEPDs(t testing.TB) func(string) (*calc.EPDDocument, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "epd", "testdata", "openepd", "rebar-traci.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["impacts"].(map[string]any)["TRACI 2.1"].(map[string]any)["gwp"].(map[string]any)["A1A2A3"].(map[string]any)["dist"] = "log-normal"
	declared, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	fx := &epdFixtures{}
	return func(name string) (*calc.EPDDocument, error) {
		if name != "openepd/rebar-declared.json" {
			return fx.resolve(name)
		}
		d, err := epd.Parse(epd.FormatOpenEPD, name, declared)
		if err != nil {
			return nil, err
		}
		return &calc.EPDDocument{Format: epd.FormatOpenEPD, File: name, Raw: declared, Declaration: d}, nil
	}
}

// TestIntervalsEPD: rows with factor_epd, one document declaring its own
// uncertainty, through both methods (each with EPD rules and a model).
func TestIntervalsEPD(t *testing.T) {
	w := newWorld(t)
	date := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	in := epdCSV +
		"15,material.steel.rebar,US,12.5,t,,,,openepd/rebar-declared.json\n" +
		"16,material.steel.rebar,US,3000,kg,,,,openepd/rebar-declared.json\n" +
		"17,material.steel.rebar,US,1e3,lb,,,,openepd/rebar-declared.json\n"
	resolve := declaredEPDs(t)
	for _, refs := range [][]string{{"us-federal@2026.2"}, {"eu-gpp@2026.2"}, {"us-federal@2026.2", "eu-gpp@2026.2"}} {
		var ms []*methods.Method
		for _, r := range refs {
			ms = append(ms, w.method(t, r))
		}
		cfg := uncertainty.Config{Draws: 500, Seed: 7}
		o := &intervalOracle{w: w, ms: ms, cfg: cfg, epd: resolve, date: date}
		sampled := false
		for _, perRow := range []bool{false, true} {
			out, _ := runIntervals(t, w, in, batch.Options{Methods: ms, Workers: 2, Uncertainty: &cfg, EPD: resolve, Date: date}, perRow)
			if bad := o.check(t, in, out); len(bad) > 0 {
				t.Fatalf("%v per row %v: batch and calc disagree:\n%s", refs, perRow, strings.Join(bad, "\n"))
			}
			sampled = sampled || strings.Contains(out, batch.NoteSampled)
		}
		if refs[0] == "us-federal@2026.2" && !sampled {
			t.Errorf("%v: the declared EPD's rows are not sampled", refs)
		}
	}
}

// TestIntervalsAppendOnly: with intervals, every row is the row without
// them (byte for byte) and then the interval columns; no cell is NaN or
// infinite, every probability is in [0, 1], and an interval holds its
// median (p2.5 ≤ p5 ≤ median ≤ p95 ≤ p97.5).
func TestIntervalsAppendOnly(t *testing.T) {
	w := newWorld(t)
	in := everyKindCSV(w.lib, 800, 99) + tinyRows
	for _, refs := range [][]string{{"us-federal@2026.2"}, {"us-federal@2026.2", "eu-gpp@2026.2"}, {"us-federal@2026.2", "eu-gpp@2026.2", "us-federal@2025.1"}} {
		plain, _, err := runBatch(t, w, in, batch.Options{Workers: 2}, refs...)
		if err != nil {
			t.Fatal(err)
		}
		cfg := uncertainty.Config{Draws: 100, Seed: 1}
		with, _, err := runBatch(t, w, in, batch.Options{Workers: 2, Uncertainty: &cfg}, refs...)
		if err != nil {
			t.Fatal(err)
		}
		checkAppended(t, plain, with, len(refs))
	}
}

// checkAppended checks that each line of with is the line of plain and
// then the interval columns, and that those are sound.
func checkAppended(t testing.TB, plain, with string, methods int) {
	t.Helper()
	a, b := readAll(t, plain), readAll(t, with)
	if len(a) != len(b) {
		t.Fatalf("%d rows with intervals, %d without", len(b), len(a))
	}
	extra := methods * len(intervalNames)
	if methods == 2 {
		extra++
	}
	pr, wr := recordBytes(t, plain), recordBytes(t, with)
	for i := range a {
		if p := strings.TrimSuffix(pr[i], "\n"); !strings.HasPrefix(wr[i], p+",") {
			t.Fatalf("record %d: %q is not %q and more", i, wr[i], p)
		}
		if len(b[i]) != len(a[i])+extra {
			t.Fatalf("row %d: %d cells with intervals, %d without (want %d more)", i, len(b[i]), len(a[i]), extra)
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("row %d cell %d: %q with intervals, %q without", i, j, b[i][j], a[i][j])
			}
		}
		if i == 0 {
			continue
		}
		for mi := 0; mi < methods; mi++ {
			g := b[i][len(a[i])+mi*len(intervalNames):]
			var xs []float64
			for k := 0; k < 6; k++ {
				if g[k] == "" {
					continue
				}
				x, err := strconv.ParseFloat(g[k], 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("row %d: %s %q", i, intervalNames[k], g[k])
				}
				xs = append(xs, x)
			}
			if len(xs) == 6 && !(xs[4] <= xs[2] && xs[2] <= xs[1] && xs[1] <= xs[3] && xs[3] <= xs[5]) {
				t.Fatalf("row %d: quantiles out of order %v", i, xs)
			}
		}
		if methods == 2 {
			if p := b[i][len(b[i])-1]; p != "" {
				x, err := strconv.ParseFloat(p, 64)
				if err != nil || !(x >= 0 && x <= 1) {
					t.Fatalf("row %d: P %q", i, p)
				}
			}
		}
	}
}

// recordBytes splits CSV text into its records' bytes, line ends included.
func recordBytes(t testing.TB, s string) []string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s))
	var out []string
	start := int64(0)
	for {
		if _, err := r.Read(); err != nil {
			return out
		}
		end := r.InputOffset()
		out = append(out, s[start:end])
		start = end
	}
}

// TestIntervalsReproducible: the same seed gives the same bytes whatever
// the workers; another seed gives other intervals.
func TestIntervalsReproducible(t *testing.T) {
	w := newWorld(t)
	var in bytes.Buffer
	if err := batchgen.Write(&in, batchgen.Config{Rows: 3000, Seed: 3, Profile: batchgen.Mixed, BadPerMille: 10}); err != nil {
		t.Fatal(err)
	}
	run := func(workers int, seed uint64) string {
		cfg := uncertainty.Config{Draws: 200, Seed: seed}
		out, _, err := runBatch(t, w, in.String(), batch.Options{Workers: workers, Uncertainty: &cfg}, "us-federal@2026.2", "eu-gpp@2026.2")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := run(1, 9)
	if b := run(4, 9); a != b {
		t.Error("the workers change the output")
	}
	if c := run(2, 10); a == c {
		t.Error("another seed gives the same output")
	}
}

// TestIntervalsRefused: draws outside 1 … MaxDraws stop the run before
// any row, naming the limit.
func TestIntervalsRefused(t *testing.T) {
	w := newWorld(t)
	for _, n := range []int{0, -1, uncertainty.MaxDraws + 1} {
		cfg := uncertainty.Config{Draws: n, Seed: 1}
		out, _, err := runBatch(t, w, "line_id,activity,region,quantity,unit\n1,fuel.diesel,US,1,gal\n", batch.Options{Uncertainty: &cfg}, "us-federal@2026.2")
		if err == nil || !strings.Contains(err.Error(), "use 1 to 1000000") || out != "" {
			t.Errorf("draws %d: err %v, output %q", n, err, out)
		}
	}
}

// TestIntervalShortcutsWithinTheirBounds: every interval summarized once
// per kind and scaled by the row's quantity is within the margin the
// shortcut allows itself of the one computed per row (the margin decides
// when a printed digit could differ and the row is computed per row), and
// every per-kind probability is the per-row one; at 1 and at 2,000 draws.
func TestIntervalShortcutsWithinTheirBounds(t *testing.T) {
	w := newWorld(t)
	var mixed bytes.Buffer
	if err := batchgen.Write(&mixed, batchgen.Config{Rows: 3000, Seed: 8, Profile: batchgen.Mixed, BadPerMille: 10}); err != nil {
		t.Fatal(err)
	}
	ms := []*methods.Method{w.method(t, "us-federal@2026.2"), w.method(t, "eu-gpp@2026.2")}
	for _, in := range []string{mixed.String(), everyKindCSV(w.lib, 1500, 77)} {
		for _, draws := range []int{1, 2000} {
			cfg := uncertainty.Config{Draws: draws, Seed: 12}
			var out bytes.Buffer
			_, a, err := batch.RunAuditingIntervals(context.Background(), w.eng, strings.NewReader(in), &out, batch.Options{Methods: ms, Workers: 2, Uncertainty: &cfg})
			if err != nil {
				t.Fatal(err)
			}
			if !(a.QuantileRatio <= 1) || !(a.MeanRatio <= 1) || a.PMismatch != 0 {
				t.Errorf("%d draws: %+v", draws, a)
			}
			if a.QuantileRatio == 0 || a.MeanRatio == 0 {
				t.Errorf("%d draws: no row took the per-kind way", draws)
			}
			t.Logf("%d draws: largest error of a scaled quantile %.3g of its margin, of a scaled mean %.3g", draws, a.QuantileRatio, a.MeanRatio)
		}
	}
}
