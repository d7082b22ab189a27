package calc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

var update = flag.Bool("update", false, "rewrite golden files")

type world struct {
	lib *factors.Library
	reg *methods.Registry
	eng *calc.Engine
}

func newWorld(t testing.TB) world {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return world{lib, reg, calc.NewEngine(lib)}
}

func (w world) calc(t testing.TB, ref string, bid calc.Bid) (*calc.Footprint, error) {
	t.Helper()
	m, err := w.reg.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	return w.eng.Calculate(m, bid)
}

func readBid(t testing.TB, path string) calc.Bid {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := bidjson.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWorkedExamples computes the README's worked examples and compares
// them with golden files; the README's tables must show the same numbers.
// Each example is computed under the version its file pins (2026.2, which
// has an uncertainty model, so that the literal "calc --uncertainty"
// command of docs/uncertainty.md samples something) and under 2025.1: the
// README says both give the same rows, and this holds it to that.
func TestWorkedExamples(t *testing.T) {
	w := newWorld(t)
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct {
		file, method string
		pinned       bool // method is the file's own "method"
	}{
		{"bid.json", "us-federal@2026.2", true},
		{"bid.json", "us-federal@2025.1", false},
		{"bid-eu.json", "eu-gpp@2026.2", true},
		{"bid-eu.json", "eu-gpp@2025.1", false},
	} {
		t.Run(ex.file+"/"+ex.method, func(t *testing.T) {
			bid := readBid(t, filepath.Join("..", "examples", ex.file))
			if (bid.Method == ex.method) != ex.pinned {
				t.Fatalf("examples/%s pins %q: the README's worked examples name the pinned version (pinned %v for %s)", ex.file, bid.Method, ex.pinned, ex.method)
			}
			fp, err := w.calc(t, ex.method, bid)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(fp, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(ex.file, ".json")+"."+ex.method+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./calc -update)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("%s differs from %s (run go test ./calc -update and review the diff)", ex.file, golden)
			}
			if *update {
				os.WriteFile(strings.TrimSuffix(golden, ".json")+".readme.md", []byte(strings.Join(ReadmeRows(fp), "\n")+"\n"), 0o644)
			}
			for _, row := range ReadmeRows(fp) {
				if !bytes.Contains(readme, []byte(row)) {
					t.Errorf("README lacks the worked-example row:\n%s", row)
				}
			}
		})
	}
}

// ReadmeRows renders a footprint as the README's worked-example table rows.
func ReadmeRows(fp *calc.Footprint) []string {
	r := fp.Report()
	var rows []string
	for _, l := range r.Lines {
		src := "product-specific (" + l.Factor.Source + ")"
		if !l.Factor.ProductSpecific {
			src = l.Factor.ID + " (" + l.Factor.Source + ")"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s %s | %s | %s |", r.Method.ID, l.ID, l.Activity+" "+l.Region, l.Quantity, l.Unit, l.KgCO2e, src))
	}
	rows = append(rows, fmt.Sprintf("| %s | total | | | **%s** | |", r.Method.ID, r.Total.KgCO2e))
	for _, lim := range r.Limits {
		pass := "fail"
		if lim.Pass {
			pass = "pass"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", lim.LineID, lim.ID, lim.Limit, lim.Value, pass))
	}
	return rows
}

func TestDeterministic(t *testing.T) {
	w := newWorld(t)
	bid := readBid(t, filepath.Join("..", "examples", "bid.json"))
	a, _ := w.calc(t, "us-federal@2025.1", bid)
	m, _ := w.reg.Resolve("us-federal@2025.1")
	b, _ := calc.NewEngine(w.lib).Calculate(m, bid)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatal("same input and method gave different bytes")
	}
	if d, err := a.ResultDigest(); err != nil || len(d) != 64 || a.Receipt.InputDigest == "" || len(a.Receipt.DatasetDigests) != 3 {
		t.Errorf("receipt incomplete: %+v, result digest %q %v", a.Receipt, d, err)
	}
	// The digest covers the document with an empty result_digest.
	var doc map[string]any
	json.Unmarshal(ja, &doc)
	rec := doc["receipt"].(map[string]any)
	digest := rec["result_digest"].(string)
	blank := bytes.Replace(ja, []byte(`"result_digest":"`+digest+`"`), []byte(`"result_digest":""`), 1)
	if sum := sha256.Sum256(blank); hex.EncodeToString(sum[:]) != digest {
		t.Error("result digest does not verify")
	}
	if d, _ := a.ResultDigest(); d != digest {
		t.Errorf("ResultDigest() = %s, the JSON carries %s", d, digest)
	}
	bid.Lines[0].Quantity = decimal.RequireFromString("1000.000")
	c, _ := w.calc(t, "us-federal", bid)
	if c.Receipt.InputDigest != a.Receipt.InputDigest {
		t.Error("1000 and 1000.000 gave different input digests")
	}
}

func TestLineErrors(t *testing.T) {
	w := newWorld(t)
	q := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	tests := []struct {
		name   string
		method string
		line   calc.Line
		field  string
		kind   error
		msg    string
	}{
		{"mass for electricity", "us-federal", calc.Line{Activity: "electricity.grid", Region: "US-CAMX", Quantity: q("1"), Unit: "kg"}, "unit", factors.ErrDimension, "kg is a mass, electricity.grid needs an energy unit"},
		{"ambiguous ton", "us-federal", calc.Line{Activity: "fuel.lignite", Region: "US", Quantity: q("1"), Unit: "ton"}, "unit", factors.ErrUnknownUnit, `"ton" is ambiguous`},
		{"unknown activity", "us-federal", calc.Line{Activity: "fuel.unobtainium", Region: "US", Quantity: q("1"), Unit: "kg"}, "activity", factors.ErrUnknownActivity, "unknown activity"},
		{"unknown region", "us-federal", calc.Line{Activity: "fuel.natural_gas", Region: "Atlantis", Quantity: q("1"), Unit: "mmBtu"}, "region", factors.ErrUnknownRegion, "unknown region"},
		{"negative", "us-federal", calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: q("-1"), Unit: "mmBtu"}, "quantity", factors.ErrInvalid, "negative"},
		{"huge", "us-federal", calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: q("1e16"), Unit: "mmBtu"}, "quantity", factors.ErrInvalid, "larger than"},
		{"no sea freight in US data", "us-federal", calc.Line{Activity: "freight.sea", Region: "US", Quantity: q("1"), Unit: "t.km"}, "activity", factors.ErrNoFactor, "no factor for freight.sea in region US in datasets epa-ghg-hub@2025, egrid@2023"},
		{"US material needs EPD", "us-federal", calc.Line{Activity: "material.steel.rebar", Region: "US", Quantity: q("1"), Unit: "t"}, "factor", calc.ErrProductFactor, "requires a product-specific factor"},
		{"EPD refused for energy", "us-federal", calc.Line{Activity: "electricity.grid", Region: "US", Quantity: q("1"), Unit: "MWh", Factor: &calc.ProductFactor{KgCO2e: q("1"), Per: "MWh", Reference: "x"}}, "factor", calc.ErrProductFactor, "does not accept product-specific factors for electricity.grid"},
		{"EPD per other dimension", "us-federal", calc.Line{Activity: "material.steel.rebar", Region: "US", Quantity: q("1"), Unit: "t", Factor: &calc.ProductFactor{KgCO2e: q("1"), Per: "m3", Reference: "x"}}, "factor.per", factors.ErrDimension, "per m3 (volume)"},
		{"EPD without reference", "us-federal", calc.Line{Activity: "material.steel.rebar", Region: "US", Quantity: q("1"), Unit: "t", Factor: &calc.ProductFactor{KgCO2e: q("1"), Per: "t"}}, "factor.reference", factors.ErrInvalid, "needs the reference"},
		{"HHV input for NCV factors", "eu-gpp@2025.1", calc.Line{Activity: "fuel.natural_gas", Region: "DE", Quantity: q("1"), Unit: "mmBtu"}, "basis", calc.ErrBasis, "no HHV→NCV conversion for fuel.natural_gas in method eu-gpp@2025.1"},
		{"no published ratio for lignite", "eu-gpp@2025.2", calc.Line{Activity: "fuel.lignite", Region: "DE", Quantity: q("1"), Unit: "mmBtu"}, "basis", calc.ErrBasis, "no HHV→NCV conversion for fuel.lignite in method eu-gpp@2025.2"},
		{"no published ratio for wood", "us-federal@2025.2", calc.Line{Activity: "fuel.wood", Region: "US", Quantity: q("1"), Unit: "GJ", Basis: "NCV"}, "basis", calc.ErrBasis, "no NCV→HHV conversion for fuel.wood in method us-federal@2025.2"},
		{"freight in France: no dataset has it", "eu-gpp@2025.2", calc.Line{Activity: "freight.road", Region: "FR", Quantity: q("1"), Unit: "t.km", AllowRegionFallback: true}, "activity", factors.ErrNoFactor, "no factor for freight.road in region FR in datasets eea-electricity@v12, ipcc-2006@2006, oekobaudat@2020-II (eu-gpp@2025.2)"},
		{"freight in France under us-federal: host and own datasets named", "us-federal@2025.2", calc.Line{Activity: "freight.road", Region: "FR", Quantity: q("1"), Unit: "t.km"}, "activity", factors.ErrNoFactor, "no factor for freight.road in region FR in datasets oekobaudat@2020-II, epa-ghg-hub@2025, egrid@2023 (us-federal@2025.2)"},
		{"no volume heat content", "eu-gpp", calc.Line{Activity: "fuel.natural_gas", Region: "DE", Quantity: q("1"), Unit: "m3"}, "unit", factors.ErrNoFactor, "no heat content per volume for fuel.natural_gas"},
		{"fallback not requested", "eu-gpp", calc.Line{Activity: "electricity.grid", Region: "GB", Quantity: q("1"), Unit: "MWh"}, "activity", factors.ErrNoFactor, "no factor for electricity.grid in region GB"},
		{"basis on mass", "us-federal", calc.Line{Activity: "fuel.lignite", Region: "US", Quantity: q("1"), Unit: "short_ton", Basis: "HHV"}, "basis", factors.ErrInvalid, "applies to energy quantities"},
		{"stage not counted", "us-federal", calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: q("1"), Unit: "mmBtu", Stage: "A4"}, "stage", factors.ErrInvalid, "not counted"},
		{"missing unit", "us-federal", calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: q("1")}, "unit", factors.ErrInvalid, "unit is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.line.ID = "L1"
			fp, err := w.calc(t, tt.method, calc.Bid{Lines: []calc.Line{tt.line}})
			var be *calc.BidError
			if !errors.As(err, &be) || fp == nil {
				t.Fatalf("err = %v, want a *BidError with a footprint", err)
			}
			lr := fp.Lines[0]
			if lr.Status != calc.StatusError || lr.Field != tt.field || !strings.Contains(lr.Error, tt.msg) || !errors.Is(lr.Err, tt.kind) {
				t.Errorf("got status %s field %q error %q (kind ok: %v); want field %q containing %q", lr.Status, lr.Field, lr.Error, errors.Is(lr.Err, tt.kind), tt.field, tt.msg)
			}
			if want := "/lines/0/" + strings.ReplaceAll(tt.field, ".", "/"); be.Problems[0].Pointer != want {
				t.Errorf("pointer = %s, want %s", be.Problems[0].Pointer, want)
			}
			if !fp.Total.KgCO2e.IsZero() {
				t.Errorf("an error line counted in the total: %s", fp.Total.KgCO2e)
			}
		})
	}
}

func TestRegionFallback(t *testing.T) {
	w := newWorld(t)
	lib, err := w.lib.WithDatasetsDir(filepath.Join("testdata", "data"))
	if err != nil {
		t.Fatal(err)
	}
	reg := methods.NewRegistry(lib)
	eng := calc.NewEngine(lib)
	src, err := os.ReadFile(filepath.Join("..", "methods", "defs", "eu-gpp", "2025.1.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"never", "on_request", "always"} {
		s := strings.Replace(string(src), `["eea-electricity@v12", "ipcc-2006@2006", "oekobaudat@2020-II"]`, `["test-eu-only@1"]`, 1)
		s = strings.Replace(s, `fallback = "on_request"`, `fallback = "`+rule+`"`, 1)
		s = strings.Replace(s, `id = "eu-gpp"`, `id = "fb-`+strings.ReplaceAll(rule, "_", "-")+`"`, 1)
		if err := reg.AddSource(rule+".toml", []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		rule    string
		request bool
		ok      bool
		msg     string
	}{
		{"never", true, false, "never falls back"},
		{"on-request", false, false, "set allow_region_fallback to use it"},
		{"on-request", true, true, ""},
		{"always", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.rule, tt.request), func(t *testing.T) {
			m, err := reg.Resolve("fb-" + tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			bid := calc.Bid{Lines: []calc.Line{{ID: "1", Activity: "electricity.grid", Region: "DE", Quantity: decimal.NewFromInt(1), Unit: "MWh", AllowRegionFallback: tt.request}}}
			fp, err := eng.Calculate(m, bid)
			lr := fp.Lines[0]
			if !tt.ok {
				if err == nil || !strings.Contains(lr.Error, tt.msg) || !errors.Is(lr.Err, factors.ErrNoFactor) {
					t.Fatalf("got %v / %q, want error containing %q", err, lr.Error, tt.msg)
				}
				return
			}
			if err != nil || lr.Factor.Region != "EU27" || !lr.Factor.Fallback || len(lr.Warnings) == 0 {
				t.Fatalf("err %v, factor %+v, warnings %v", err, lr.Factor, lr.Warnings)
			}
		})
	}
}

func TestBidLevelErrors(t *testing.T) {
	w := newWorld(t)
	fp, err := w.calc(t, "us-federal", calc.Bid{})
	var be *calc.BidError
	if fp != nil || !errors.As(err, &be) || be.Problems[0].Pointer != "/lines" {
		t.Fatalf("empty bid: fp=%v err=%v", fp, err)
	}
	long := strings.Repeat("x", calc.MaxStringLen+1)
	_, err = w.calc(t, "us-federal", calc.Bid{Reference: long, Lines: []calc.Line{{ID: "1"}}})
	if !errors.As(err, &be) || be.Problems[0].Pointer != "/reference" {
		t.Fatalf("long reference: %v", err)
	}
}

func TestLimitsPassFail(t *testing.T) {
	w := newWorld(t)
	line := func(v string) calc.Line {
		return calc.Line{ID: "r", Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString("12.5"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: decimal.RequireFromString(v), Per: "kg", Reference: "EPD"}}
	}
	// 0.794 kg/kg = 794 kg/t: exactly at the GSA fabricated top-40% limit.
	fp, err := w.calc(t, "us-federal", calc.Bid{Lines: []calc.Line{line("0.794")}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, l := range fp.Limits {
		got[l.ID] = l.Pass
		if l.ID == "gsa-rebar-fab-top40" && !l.Value.Equal(decimal.NewFromInt(794)) {
			t.Errorf("intensity = %s, want 794", l.Value)
		}
	}
	want := map[string]bool{"gsa-rebar-fab-top20": false, "gsa-rebar-fab-top40": true, "gsa-rebar-fab-avg": true}
	for id, p := range want {
		if got[id] != p {
			t.Errorf("%s pass = %v, want %v (all: %v)", id, got[id], p, got)
		}
	}
	fp, _ = w.calc(t, "us-federal", calc.Bid{Lines: []calc.Line{line("0.794001")}})
	for _, l := range fp.Limits {
		if l.ID == "gsa-rebar-fab-top40" && l.Pass {
			t.Error("794.001 kg/t passed a 794 limit")
		}
	}
}

func BenchmarkCalculate1Line(b *testing.B) {
	w := newWorld(b)
	m, _ := w.reg.Resolve("us-federal")
	bid := calc.Bid{Lines: []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1000"), Unit: "mmBtu"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.eng.Calculate(m, bid); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCalculate1000Lines(b *testing.B) {
	w := newWorld(b)
	m, _ := w.reg.Resolve("us-federal")
	base := readBid(b, filepath.Join("..", "examples", "bid.json"))
	bid := calc.Bid{Reference: "bench"}
	for i := range 1000 {
		l := base.Lines[i%len(base.Lines)]
		l.ID = fmt.Sprint(i + 1)
		l.Quantity = decimal.NewFromInt(int64(1 + i))
		bid.Lines = append(bid.Lines, l)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.eng.Calculate(m, bid); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "lines/s")
}

// TestHeatingValueRatio shows the mechanism a method uses to convert bases:
// its own declared per-fuel ratio (a test fixture here; the shipped methods
// declare none because no ratio is published in the reference data).
func TestHeatingValueRatio(t *testing.T) {
	w := newWorld(t)
	src, err := os.ReadFile(filepath.Join("..", "methods", "defs", "eu-gpp", "2025.1.toml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), `version = "2025.1"`, `version = "0.0-test"`, 1)
	s = strings.Replace(s, `status = "active"`, `status = "draft"`, 1)
	s += "\n[[heating_value]]\nactivity = \"fuel.natural_gas\"\nfrom = \"HHV\"\nto = \"NCV\"\nratio = \"0.9\"\nsource = \"test fixture, not a published value\"\n"
	if err := w.reg.AddSource("hv.toml", []byte(s)); err != nil {
		t.Fatal(err)
	}
	bid := calc.Bid{Lines: []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "DE", Quantity: decimal.NewFromInt(1000), Unit: "mmBtu"}}}
	fp, err := w.calc(t, "eu-gpp@0.0-test", bid)
	if err != nil {
		t.Fatal(err)
	}
	lr := fp.Lines[0]
	if len(lr.Conversions) == 0 || !strings.Contains(lr.Conversions[0], "HHV → NCV with the method's ratio 0.9") {
		t.Errorf("conversion not recorded: %v", lr.Conversions)
	}
	// 1000 mmBtu × 0.9 = 900 mmBtu NCV = 0.949550267358 TJ; CO2 = 56100 kg/TJ.
	want := decimal.RequireFromString("0.949550267358").Mul(decimal.NewFromInt(56100))
	if !lr.Gases[0].Kg.Equal(want) {
		t.Errorf("CO2 = %s kg, want %s", lr.Gases[0].Kg, want)
	}
}
