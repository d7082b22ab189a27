package batch_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// The batch computes rows on its own integer fast path and templates (see
// fixed.go and eval.go); the engine's Plan.Line is the reference. The
// helpers here hold the fast path to the engine: every value of every
// output row (amounts, factor id, status, error, delta) and the summary's
// totals must be what Plan.Line gives for the same line. TestAgreement,
// TestAgreementEveryKind and FuzzBatch all use them.

// engineOracle recomputes batch rows with calc's Plan.Line.
type engineOracle struct {
	ms    []*methods.Method
	plans []*calc.Plan
	// epd and date are the run's Options.EPD and Options.Date: an EPD row is
	// Plan.LineOn(line with the document, date).
	epd  func(string) (*calc.EPDDocument, error)
	date time.Time
}

func newOracle(t testing.TB, w *world, ms []*methods.Method) *engineOracle {
	t.Helper()
	o := &engineOracle{ms: ms}
	for _, m := range ms {
		p, err := w.eng.Plan(m)
		if err != nil {
			t.Fatal(err)
		}
		o.plans = append(o.plans, p)
	}
	return o
}

// readRecords reads CSV as the batch does (BOM removed, any width), and
// reports false when it has a syntax error (those rows are checked by
// count only).
func readRecords(s string) ([][]string, bool) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff")))
	r.FieldsPerRecord = -1
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, true
		}
		if err != nil {
			return nil, false
		}
		recs = append(recs, rec)
	}
}

// expectation is what Plan.Line says of one row under one method.
type expectation struct {
	status   string
	kgCO2e   string
	gas      map[string]string // kg_co2, kg_ch4, kg_n2o
	factorID string
	err      string // "" when any message will do (a cell calc never sees)
	kg       decimal.Decimal
}

var gasColumns = map[string]func(string) bool{
	"kg_co2": func(g string) bool { return g == string(factors.CO2) },
	"kg_ch4": func(g string) bool { return g == "CH4" || strings.HasPrefix(g, "CH4_") },
	"kg_n2o": func(g string) bool { return g == "N2O" },
}

// expect computes the expectation of a record under method mi; get reads a
// known column's trimmed cell ("" when absent).
func (o *engineOracle) expect(mi int, id string, get func(string) string) expectation {
	l := calc.Line{ID: id, Activity: get("activity"), Region: get("region"), Unit: get("unit"), Stage: get("stage"), Basis: get("basis")}
	fb, fbOK := bidcsv.ParseFlag(get("allow_region_fallback"))
	l.AllowRegionFallback = fb
	cellBad := !fbOK
	if name := get("factor_epd"); name != "" {
		// A cell calc never sees: both forms, no resolver, an unreadable file.
		if get("factor_kg_co2e") != "" || get("factor_per") != "" || get("factor_reference") != "" || o.epd == nil || !fbOK {
			return expectation{status: calc.StatusError}
		}
		doc, err := o.epd(name)
		if err != nil {
			// The batch reports it after the line's own cells (any message;
			// TestAgreementEPD checks the text).
			return expectation{status: calc.StatusError}
		}
		l.Factor = &calc.ProductFactor{EPD: doc}
	} else if kg, per, ref := get("factor_kg_co2e"), get("factor_per"), get("factor_reference"); kg != "" || per != "" || ref != "" {
		d, err := calc.ParseQuantity(kg)
		cellBad = cellBad || kg == "" || err != nil
		l.Factor = &calc.ProductFactor{KgCO2e: d, Per: per, Reference: ref}
	}
	q, qErr := calc.ParseQuantity(get("quantity"))
	if cellBad || qErr != nil {
		return expectation{status: calc.StatusError}
	}
	l.Quantity = q
	var lr calc.LineResult
	if l.Factor != nil && l.Factor.EPD != nil {
		lr = o.plans[mi].LineOn(&l, o.date)
	} else {
		lr = o.plans[mi].Line(&l)
	}
	e := expectation{status: lr.Status, kg: lr.KgCO2e}
	if lr.Status == calc.StatusError {
		e.err = batch.Neutralise(lr.Error)
		for from, to := range map[string]string{"id": "line_id", "factor.kg_co2e": "factor_kg_co2e", "factor.per": "factor_per", "factor.reference": "factor_reference", "factor.epd": "factor_epd"} {
			if lr.Field == from && strings.HasPrefix(lr.Error, from) {
				e.err = batch.Neutralise(to + strings.TrimPrefix(lr.Error, from))
			}
		}
		return e
	}
	fx := func(d decimal.Decimal) string { return calc.NewFixed(d, o.ms[mi].Rounding).String() }
	e.kgCO2e = fx(lr.KgCO2e)
	e.gas = map[string]string{}
	for name, match := range gasColumns {
		var s decimal.Decimal
		found := false
		for _, g := range lr.Gases {
			if match(g.Gas) {
				s, found = s.Add(g.Kg), true
			}
		}
		if found {
			e.gas[name] = fx(s)
		}
	}
	if lr.Factor != nil {
		e.factorID = batch.Neutralise(lr.Factor.ID)
	}
	return e
}

// check compares a run's output and summary with the engine, row by row,
// and returns the first disagreements (at most 10).
func (o *engineOracle) check(in, out string, sum batch.Summary) []string {
	var bad []string
	fail := func(format string, args ...any) bool {
		bad = append(bad, fmt.Sprintf(format, args...))
		return len(bad) >= 10
	}
	inRecs, ok := readRecords(in)
	if !ok || len(inRecs) == 0 {
		return nil // a CSV syntax error or no header: checked by count elsewhere
	}
	outRecs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		return []string{fmt.Sprintf("output is not rectangular CSV: %v", err)}
	}
	if len(outRecs) != len(inRecs) {
		return []string{fmt.Sprintf("%d output rows for %d input rows", len(outRecs)-1, len(inRecs)-1)}
	}
	if sum.Rows != int64(len(inRecs)-1) {
		fail("summary rows %d, want %d", sum.Rows, len(inRecs)-1)
	}
	h, oh := inRecs[0], outRecs[0]
	idx := map[string]int{}
	for j, name := range h {
		idx[strings.ToLower(strings.TrimSpace(name))] = j
	}
	ocol := map[string]int{}
	for j, name := range oh {
		ocol[name] = j
	}
	totals := make([]decimal.Decimal, len(o.ms))
	cellTotals := make([]decimal.Decimal, len(o.ms))
	var deltaCells decimal.Decimal
	var errRows int64
	for i := 1; i < len(inRecs); i++ {
		rec, got := inRecs[i], outRecs[i]
		shapeOK := len(rec) == len(h)
		get := func(name string) string {
			if j, ok := idx[name]; ok && shapeOK {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		id := ""
		if shapeOK {
			id = rec[idx["line_id"]]
			for j := range rec {
				if want := batch.Neutralise(rec[j]); got[j] != want {
					if fail("row %d cell %d: got %q, want %q (order or pass-through broken)", i, j, got[j], want) {
						return bad
					}
				}
			}
		}
		rowErr := false
		var kg []decimal.Decimal
		for mi, m := range o.ms {
			prefix := ""
			if len(o.ms) > 1 {
				prefix = m.ID + "."
			}
			cell := func(name string) string { return got[ocol[prefix+name]] }
			if cell("method") != m.Ref() {
				fail("row %d: method %q, want %s", i, cell("method"), m.Ref())
			}
			var e expectation
			if shapeOK {
				e = o.expect(mi, id, get)
			} else {
				e = expectation{status: calc.StatusError}
			}
			where := fmt.Sprintf("row %d %s (%q)", i, m.Ref(), rec)
			if cell("status") != e.status {
				if fail("%s: status %q, engine says %q (%s)", where, cell("status"), e.status, e.err) {
					return bad
				}
				continue
			}
			if e.status == calc.StatusError {
				rowErr = true
				if (e.err != "" && cell("error") != e.err) || cell("error") == "" {
					fail("%s: error %q, engine says %q", where, cell("error"), e.err)
				}
				for _, c := range []string{"kg_co2e", "kg_co2", "kg_ch4", "kg_n2o"} {
					if cell(c) != "" {
						fail("%s: error row with %s %q", where, c, cell(c))
					}
				}
				continue
			}
			if cell("kg_co2e") != e.kgCO2e {
				fail("%s: kg_co2e %s, engine says %s", where, cell("kg_co2e"), e.kgCO2e)
			}
			for name := range gasColumns {
				if cell(name) != e.gas[name] {
					fail("%s: %s %q, engine says %q", where, name, cell(name), e.gas[name])
				}
			}
			if cell("factor_id") != e.factorID {
				fail("%s: factor_id %q, engine says %q", where, cell("factor_id"), e.factorID)
			}
			if cell("error") != "" {
				fail("%s: error %q on a %s row", where, cell("error"), e.status)
			}
			shown := calc.NewFixed(e.kg, m.Rounding).Decimal()
			if e.status == calc.StatusOK {
				totals[mi] = totals[mi].Add(e.kg)
				cellTotals[mi] = cellTotals[mi].Add(shown)
			}
			kg = append(kg, shown)
		}
		if rowErr {
			errRows++
		}
		if len(o.ms) == 2 {
			// The delta is the second amount minus the first as the cells
			// show them, at the finer rule's places.
			want := ""
			if !rowErr {
				d := kg[1].Sub(kg[0])
				want = d.StringFixed(max(o.ms[0].Rounding.Places, o.ms[1].Rounding.Places))
				deltaCells = deltaCells.Add(d)
			}
			if got := got[len(got)-1]; got != want {
				fail("row %d: delta %q, engine says %q", i, got, want)
			}
		}
		if len(bad) >= 10 {
			return bad
		}
	}
	if sum.Errors != errRows || sum.OK != sum.Rows-errRows {
		fail("summary: %d ok, %d errors; engine counts %d errors", sum.OK, sum.Errors, errRows)
	}
	for mi, m := range o.ms {
		if got := sum.Totals[m.Ref()]; !got.Equal(totals[mi]) {
			fail("total %s: %s, engine says %s", m.Ref(), got, totals[mi])
		}
		if got := sum.CellTotals[m.Ref()]; !got.Equal(cellTotals[mi]) {
			fail("sum of the kg_co2e cells %s: %s, engine says %s", m.Ref(), got, cellTotals[mi])
		}
	}
	if len(o.ms) == 2 && !sum.DeltaCells.Equal(deltaCells) {
		fail("sum of the delta cells: %s, engine says %s", sum.DeltaCells, deltaCells)
	}
	return bad
}

// runAndCheckPaths runs in, fails the test on any disagreement with the
// engine, and returns how many amounts took each path of the batch's
// arithmetic.
func runAndCheckPaths(t *testing.T, w *world, in string, workers int, ms ...*methods.Method) (batch.Summary, batch.Paths) {
	t.Helper()
	var out bytes.Buffer
	sum, paths, err := batch.RunCountingPaths(context.Background(), w.eng, strings.NewReader(in), &out, batch.Options{Methods: ms, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	if bad := newOracle(t, w, ms).check(in, out.String(), sum); len(bad) > 0 {
		t.Fatalf("batch and engine disagree:\n%s", strings.Join(bad, "\n"))
	}
	return sum, paths
}

// checkEveryPath fails unless each path of the batch's arithmetic computed
// some amounts: the differential test that ran must hold every one of them
// to the engine. The overflow path (an integer result too large for 128
// bits once rounded) needs amounts beyond 10^35 kg and is held by
// TestFixedAgainstDecimal and FuzzFixed instead.
func checkEveryPath(t *testing.T, p batch.Paths) {
	t.Helper()
	for name, n := range map[string]int64{"exact64": p.Exact64, "exact128": p.Exact128, "division": p.Division, "template": p.Template, "decimal": p.Decimal} {
		if n == 0 {
			t.Errorf("no amount took the %s path: %+v", name, p)
		}
	}
}

// spell writes the decimal c × 10^-scale (c a string of digits) in one of
// the spellings a CSV cell may use; each keeps the value.
func spell(r *rand.Rand, c string, scale int) string {
	plain := func() string {
		if scale == 0 {
			return c
		}
		if len(c) <= scale {
			c = strings.Repeat("0", scale-len(c)+1) + c
		}
		return c[:len(c)-scale] + "." + c[len(c)-scale:]
	}
	switch r.IntN(12) {
	case 0:
		return "+" + plain()
	case 1:
		return "000" + plain()
	case 2: // trailing zeros: many decimals, 30+ digits
		p := plain()
		if scale == 0 {
			p += "."
		}
		return p + strings.Repeat("0", 1+r.IntN(20))
	case 3: // integer coefficient with an exponent
		return fmt.Sprintf("%se-%d", c, scale)
	case 4: // scientific, upper case, signed exponent: 1.2345E+02
		t := strings.TrimLeft(c, "0")
		if t == "" {
			return "0E+00"
		}
		return fmt.Sprintf("%s.%sE%+03d", t[:1], t[1:], len(t)-1-scale)
	case 5:
		return " " + plain() + " "
	case 6: // a point with nothing after it, or before it
		p := plain()
		if !strings.Contains(p, ".") {
			return p + "."
		}
		return strings.TrimPrefix(p, "0")
	case 7: // shifted exponent: 123.45 = 1234500e-4
		return fmt.Sprintf("%s00e-%d", c, scale+2)
	}
	return plain()
}

// randDecimal returns random digits and a scale: from tiny to near 1e15,
// with up to 30 digits.
func randDecimal(r *rand.Rand) (string, int) {
	n := 1 + r.IntN(30)
	if r.IntN(3) == 0 {
		n = 1 + r.IntN(6)
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	c := strings.TrimLeft(b.String(), "0")
	if c == "" {
		c = "0"
	}
	scale := r.IntN(n + 1)
	if len(c)-scale > 15 { // keep most values at most 1e15
		scale = len(c) - 15 + r.IntN(3)
	}
	return c, scale
}

// unitsOf are units to try per dimension, in several spellings.
var unitsOf = map[factors.Dimension][]string{
	"energy":  {"mmBtu", "MMBtu", "kWh", "MWh", "GJ", "TJ", "therm", "MJ"},
	"mass":    {"kg", "t", "tonne", "lb", "short_ton", "Gg"},
	"volume":  {"m3", "gal", "scf", "L", "bbl"},
	"freight": {"t.km", "tkm", "short_ton.mi", "ton-mile"},
	"area":    {"m2", "ft2"},
	"count":   {"piece", "pcs", "Stück"},
	"length":  {"km"},
}

// everyKindCSV writes rows of every activity, in many regions, units,
// bases, stages, with and without product factors, and quantities and
// factor values in every accepted spelling, plus some refused ones.
func everyKindCSV(lib *factors.Library, rows int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	acts := lib.Activities()
	regions := []string{"US", "US-CAMX", "US-NYCW", "DE", "FR", "EU27", "GLO", "GB", "PL"}
	var b strings.Builder
	b.WriteString("line_id,activity,region,quantity,unit,stage,basis,allow_region_fallback,factor_kg_co2e,factor_per,factor_reference,note\n")
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	for i := 0; i < rows; i++ {
		a := acts[r.IntN(len(acts))]
		units := unitsOf[a.Dimensions[r.IntN(len(a.Dimensions))]]
		unit := pick(units)
		qc, qs := randDecimal(r)
		qty := spell(r, qc, qs)
		switch r.IntN(40) {
		case 0:
			qty = pick([]string{"-1", "12,5", "1e16", "", "1e10000", "abc", "1..2", "0x10", "1e-41"})
		case 1:
			unit = pick([]string{"ton", "kg", "kWh", "furlong"}) // ambiguous, wrong dimension, unknown
		}
		stage, basis, fb := "", "", ""
		if r.IntN(6) == 0 {
			stage = pick([]string{"A1-A3", "A4", "combustion", "electricity", "transport", "heat", "C1"})
		}
		if r.IntN(5) == 0 {
			basis = pick([]string{"HHV", "NCV", "hhv", "LHV"})
		}
		if r.IntN(3) == 0 {
			fb = pick([]string{"true", "false", "yes", "0", "1", "maybe"})
		}
		var fkg, fper, fref string
		if (strings.HasPrefix(a.Key, "material.") && r.IntN(4) != 0) || r.IntN(30) == 0 {
			c, s := randDecimal(r)
			if len(c)-s > 5 {
				s = len(c) - 5
			}
			fkg = spell(r, c, s)
			fper = pick(units)
			fref = fmt.Sprintf("EPD %d", r.IntN(50))
			switch r.IntN(25) {
			case 0:
				fkg = ""
			case 1:
				fref = ""
			case 2:
				fkg = "-3"
			case 3:
				fper = "kWh"
			case 4:
				fref = "=HYPERLINK(\"x\")"
			}
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,n%d\n", i+1, a.Key, pick(regions), csvCell(qty), unit, stage, basis, fb, csvCell(fkg), fper, csvCell(fref), i)
	}
	return b.String()
}

func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// TestAgreementEveryKind is the differential property test of the batch
// path against the engine, over every activity and every accepted spelling
// of quantities and product-factor values, for each method alone and for
// both together.
func TestAgreementEveryKind(t *testing.T) {
	w := newWorld(t)
	us, eu := w.method(t, "us-federal@2025.1"), w.method(t, "eu-gpp@2025.1")
	rows := 30000
	if testing.Short() {
		rows = 5000
	}
	for _, tc := range []struct {
		name string
		seed uint64
		ms   []*methods.Method
	}{
		{"us-federal", 1, []*methods.Method{us}},
		{"eu-gpp", 2, []*methods.Method{eu}},
		{"both", 3, []*methods.Method{us, eu}},
		{"both reversed", 4, []*methods.Method{eu, us}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := everyKindCSV(w.lib, rows, tc.seed)
			sum, paths := runAndCheckPaths(t, w, in, 2, tc.ms...)
			if sum.OK == 0 || sum.Errors == 0 {
				t.Fatalf("the generated file should have ok and error rows: %+v", sum)
			}
			checkEveryPath(t, paths)
		})
	}
}

// TestProductFactorSpellings is the audit's reproduction: a product factor
// row whose quantity is not in the plain integer shape was computed as 0.
func TestProductFactorSpellings(t *testing.T) {
	w := newWorld(t)
	const h = "line_id,activity,region,quantity,unit,factor_kg_co2e,factor_per,factor_reference\n"
	var b strings.Builder
	b.WriteString(h)
	for i, q := range []string{"1000", "1e3", "1E3", "1.5E+03", "+1000", "0001000", "1000.0000000000000000000", "10000e-1",
		"1000.000000000000000000000000000000", " 1e3 ", "1000.", "123456789012.345678", "123456789012.3456789012345678"} {
		fmt.Fprintf(&b, "%d,material.steel.rebar,US,%s,t,780,t,E\n", i+1, q)
	}
	in := b.String()
	var out bytes.Buffer
	us := w.method(t, "us-federal@2025.1")
	sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &out, batch.Options{Methods: []*methods.Method{us}})
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, out.String())
	kg := col(t, recs[0], "kg_co2e")
	for _, r := range recs[1:] {
		if r[kg] == "0.000" || r[kg] == "" {
			t.Errorf("quantity %q: kg_co2e %q", r[3], r[kg])
		}
	}
	if bad := newOracle(t, w, []*methods.Method{us}).check(in, out.String(), sum); len(bad) > 0 {
		t.Fatalf("batch and engine disagree:\n%s", strings.Join(bad, "\n"))
	}
}

// epdFixtures reads EPD files from epd/testdata by name, as --epd-dir does
// (the format guessed from the name), counting the reads of each name.
type epdFixtures struct {
	mu    sync.Mutex
	reads map[string]int
}

func (f *epdFixtures) resolve(name string) (*calc.EPDDocument, error) {
	f.mu.Lock()
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[name]++
	f.mu.Unlock()
	if !fs.ValidPath(name) || strings.Contains(name, "\\") || strings.Count(name, "/") != 1 {
		return nil, fmt.Errorf("EPD %s: not a file in the EPD directory", clip.Text(name))
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "epd", "testdata", filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("EPD %s: not found in the EPD directory", clip.Text(name))
	}
	format := epd.FormatOpenEPD
	if strings.HasSuffix(name, ".xml") {
		format = epd.FormatILCD
	}
	d, err := epd.Parse(format, name, raw)
	if err != nil {
		return nil, err
	}
	return &calc.EPDDocument{Format: format, File: name, Raw: raw, Declaration: d}, nil
}

// epdCSV is rows with factor_epd: valid documents under both methods (one
// rule-refused by us-federal or eu-gpp), expired, unconvertible units,
// missing and malformed files, both forms at once, with many rows per file.
const epdCSV = "line_id,activity,region,quantity,unit,factor_kg_co2e,factor_per,factor_reference,factor_epd\n" +
	"1,material.steel.rebar,US,12.5,t,,,,openepd/rebar-traci.json\n" +
	"2,material.steel.rebar,US,2000,kg,,,,openepd/rebar-traci.json\n" +
	"3,material.steel.rebar,US,1e3,lb,,,,openepd/rebar-traci.json\n" +
	"4,material.concrete.ready_mix,US,3.5,m3,,,,openepd/concrete-m3.json\n" +
	"5,material.concrete.ready_mix,US,7,t,,,,openepd/concrete-m3.json\n" +
	"6,material.concrete.ready_mix,US,1,m3,,,,openepd/concrete-expired.json\n" +
	"7,material.glass.flat,US,4,t,,,,openepd/glass-separate.json\n" +
	"8,material.glass.flat,US,4,m2,,,,openepd/glass-separate.json\n" +
	"9,material.steel.rebar,US,1,t,,,,openepd/missing.json\n" +
	"10,material.steel.rebar,US,1,t,,,,malformed/truncated.json\n" +
	"11,material.steel.rebar,US,1,t,780,t,EPD,openepd/rebar-traci.json\n" +
	"12,material.steel.rebar,US,x,t,,,,openepd/rebar-traci.json\n" +
	"13,material.steel.rebar,US,12.5,t,,,,openepd/rebar-traci.json\n" +
	"14,material.steel.rebar,US,12.5,t,780,t,EPD,\n"

// TestAgreementEPD holds EPD rows to the engine (Plan.LineOn, every value)
// and checks each file is read once per run, whatever the workers.
func TestAgreementEPD(t *testing.T) {
	w := newWorld(t)
	date := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, refs := range [][]string{{"us-federal@2025.3"}, {"eu-gpp@2025.3"}, {"us-federal@2025.3", "eu-gpp@2025.3"}, {"us-federal@2025.2", "eu-gpp@2025.3"}} {
		var ms []*methods.Method
		for _, r := range refs {
			ms = append(ms, w.method(t, r))
		}
		for _, workers := range []int{1, 3} {
			fx := &epdFixtures{}
			var out bytes.Buffer
			opt := batch.Options{Methods: ms, Workers: workers, EPD: fx.resolve, Date: date}
			sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(epdCSV), &out, opt)
			if err != nil {
				t.Fatal(err)
			}
			o := newOracle(t, w, ms)
			o.epd, o.date = (&epdFixtures{}).resolve, date
			if bad := o.check(epdCSV, out.String(), sum); len(bad) > 0 {
				t.Fatalf("%v: batch and engine disagree:\n%s\n%s", refs, strings.Join(bad, "\n"), out.String())
			}
			for name, n := range fx.reads {
				if n != 1 {
					t.Errorf("%v: %s read %d times, want once per run", refs, name, n)
				}
			}
			if sum.OK == 0 || sum.Errors == 0 {
				t.Errorf("%v: %d ok, %d errors: the fixture should have both", refs, sum.OK, sum.Errors)
			}
			for _, want := range []string{
				"factor_epd: EPD openepd/missing.json: not found in the EPD directory",
				"factor_epd: EPD malformed/truncated.json: byte ",
				"factor_epd: EPD EXA-EPD-0404 (openepd/concrete-expired.json) expired on 2022-05-31; the bid is dated 2026-01-10",
				"factor_epd: give either factor_epd or factor_kg_co2e, factor_per and factor_reference, not both",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("%v: no %q in\n%s", refs, want, out.String())
				}
			}
			if refs[0] == "us-federal@2025.3" && !strings.Contains(out.String(), "epd:EXA-EPD-1001") {
				t.Errorf("no EPD factor id in\n%s", out.String())

			}
		}
	}
}

// TestEPDRowsWithoutResolver: POST /v1/batch has no EPD directory; its EPD
// rows are error rows naming factor_epd, the others compute.
func TestEPDRowsWithoutResolver(t *testing.T) {
	w := newWorld(t)
	ms := []*methods.Method{w.method(t, "us-federal@2025.3")}
	var out bytes.Buffer
	sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(epdCSV), &out, batch.Options{Methods: ms, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 1 || !strings.Contains(out.String(), "factor_epd: this run reads no EPD files") {
		t.Fatalf("%+v\n%s", sum, out.String())
	}
	if bad := newOracle(t, w, ms).check(epdCSV, out.String(), sum); len(bad) > 0 {
		t.Fatal(strings.Join(bad, "\n"))
	}
}
