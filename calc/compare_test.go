package calc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// compareWorld loads the embedded data and methods plus the test method files in
// testdata/methods (the us-federal AR6 draft and the test-hv fixture).
func compareWorld(t testing.TB) (*calc.Engine, *methods.Registry) {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.AddDir(filepath.Join("testdata", "methods")); err != nil {
		t.Fatal(err)
	}
	return calc.NewEngine(lib), reg
}

func resolve(t testing.TB, reg *methods.Registry, refs ...string) []*methods.Method {
	t.Helper()
	out := make([]*methods.Method, len(refs))
	for i, r := range refs {
		m, err := reg.Resolve(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = m
	}
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// usEUBid is the worked example of docs/methods.md: lines both methods
// compute, lines only one can, a parent-region fallback, biogenic fuel and
// a product-specific factor.
func usEUBid() calc.Bid {
	return calc.Bid{Reference: "TENDER-2026-014/BID-3", Supplier: "ACME Construction", Lines: []calc.Line{
		{ID: "1", Activity: "fuel.coal.bituminous", Region: "US", Quantity: dec("120"), Unit: "t"},
		{ID: "2", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"},
		{ID: "3", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("2.5"), Unit: "TJ", Basis: "NCV"},
		{ID: "4", Activity: "fuel.lignite", Region: "US-CAMX", Quantity: dec("50"), Unit: "short_ton", AllowRegionFallback: true},
		{ID: "5", Activity: "fuel.wood", Region: "US", Quantity: dec("30"), Unit: "t"},
		{ID: "6", Activity: "electricity.grid", Region: "US-CAMX", Quantity: dec("250"), Unit: "MWh"},
		{ID: "7", Activity: "electricity.grid", Region: "DE", Quantity: dec("250"), Unit: "MWh"},
		{ID: "8", Activity: "material.steel.rebar", Region: "US", Quantity: dec("12.5"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: dec("780"), Per: "t", Reference: "EPD S-P-01234"}},
	}}
}

func causeMap(cs []calc.Cause) map[string]decimal.Decimal {
	m := map[string]decimal.Decimal{}
	for _, c := range cs {
		m[c.Cause] = c.KgCO2e
	}
	return m
}

// checkExact asserts the attribution invariants of one pair.
func checkExact(t *testing.T, c *calc.Comparison, p calc.PairDiff, other int) {
	t.Helper()
	base, oth := c.Methods[0], c.Methods[other]
	if want := oth.Total.KgCO2e.Sub(base.Total.KgCO2e); !p.Difference.Equal(want) {
		t.Errorf("%s vs %s: difference %s, want other−base %s", p.Other, p.Base, p.Difference, want)
	}
	if got := calc.Sum(p.Attribution); !got.Equal(p.Difference) {
		t.Errorf("%s vs %s: causes sum to %s, difference is %s", p.Other, p.Base, got, p.Difference)
	}
	if len(p.Lines) != len(base.Lines) {
		t.Fatalf("%d line diffs for %d lines", len(p.Lines), len(base.Lines))
	}
	for i, l := range p.Lines {
		if got := calc.Sum(l.Attribution); !got.Equal(l.Difference) {
			t.Errorf("%s vs %s line %s: causes sum to %s, difference is %s", p.Other, p.Base, l.ID, got, l.Difference)
		}
		want := lineValue(oth.Lines[i]).Sub(lineValue(base.Lines[i]))
		if !l.Difference.Equal(want) {
			t.Errorf("line %s: difference %s, want %s", l.ID, l.Difference, want)
		}
		if len(l.Attribution) != len(calc.CauseOrder()) {
			t.Errorf("line %s: %d causes, want every cause listed", l.ID, len(l.Attribution))
		}
	}
}

func lineValue(l calc.LineResult) decimal.Decimal {
	if l.Status == calc.StatusOK {
		return l.KgCO2e
	}
	return decimal.Decimal{}
}

// TestCompareAR6DraftIsAllGWP: a us-federal draft version that only
// switches the GWP set to AR6, added as a file, differs from 2025.1 by
// gwp_set alone.
func TestCompareAR6DraftIsAllGWP(t *testing.T) {
	eng, reg := compareWorld(t)
	ms := resolve(t, reg, "us-federal@2025.1", "us-federal@2025.1-ar6")
	if ms[1].Status != methods.Draft || ms[1].GWPSet != "AR6" {
		t.Fatalf("draft fixture: status %s, gwp %s", ms[1].Status, ms[1].GWPSet)
	}
	bid := calc.Bid{Reference: "R", Supplier: "S", Lines: []calc.Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"},
		{ID: "2", Activity: "electricity.grid", Region: "US-CAMX", Quantity: dec("250"), Unit: "MWh"},
		{ID: "3", Activity: "freight.road", Region: "US", Quantity: dec("5000"), Unit: "short_ton.mi"},
		{ID: "4", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("12345.678"), Unit: "scf"},
		{ID: "5", Activity: "fuel.wood", Region: "US", Quantity: dec("3.5"), Unit: "short_ton"},
		{ID: "6", Activity: "fuel.lignite", Region: "US-CAMX", Quantity: dec("7"), Unit: "t", AllowRegionFallback: true},
		{ID: "7", Activity: "electricity.grid", Region: "DE", Quantity: dec("1"), Unit: "MWh"},
		{ID: "8", Activity: "material.steel.rebar", Region: "US", Quantity: dec("12.5"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: dec("780"), Per: "t", Reference: "EPD S-P-01234"}},
	}}
	c, err := eng.Compare(ms, bid)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Pairs[0]
	checkExact(t, c, p, 1)
	if p.Difference.IsZero() {
		t.Fatal("AR5 and AR6 should differ on this bid")
	}
	got := causeMap(p.Attribution)
	for _, cause := range calc.CauseOrder() {
		want := decimal.Zero
		if cause == calc.CauseGWPSet {
			want = p.Difference
		}
		if !got[cause].Equal(want) {
			t.Errorf("cause %s = %s, want %s", cause, got[cause], want)
		}
	}
	for _, l := range p.Lines {
		lc := causeMap(l.Attribution)
		if !lc[calc.CauseGWPSet].Equal(l.Difference) {
			t.Errorf("line %s: gwp_set %s, difference %s", l.ID, lc[calc.CauseGWPSet], l.Difference)
		}
	}
}

func TestCompareNeedsTwoMethods(t *testing.T) {
	eng, reg := compareWorld(t)
	if _, err := eng.Compare(resolve(t, reg, "us-federal"), usEUBid()); err == nil {
		t.Fatal("one method: want an error")
	}
	if _, err := eng.Compare(resolve(t, reg, "us-federal", "eu-gpp"), calc.Bid{}); err == nil {
		t.Fatal("empty bid: want an error")
	}
}

// TestCompareUSvsEU checks the worked example cause by cause.
func TestCompareUSvsEU(t *testing.T) {
	eng, reg := compareWorld(t)
	c, err := eng.Compare(resolve(t, reg, "us-federal@2025.1", "eu-gpp@2025.1"), usEUBid())
	if err != nil {
		t.Fatal(err)
	}
	p := c.Pairs[0]
	checkExact(t, c, p, 1)
	byID := map[string]calc.LineDiff{}
	for _, l := range p.Lines {
		byID[l.ID] = l
	}
	only := func(id, cause string) {
		t.Helper()
		l := byID[id]
		for _, cs := range l.Attribution {
			if cs.Cause != cause && !cs.KgCO2e.IsZero() {
				t.Errorf("line %s: cause %s = %s, want only %s", id, cs.Cause, cs.KgCO2e, cause)
			}
		}
	}
	for _, id := range []string{"2", "3", "6", "7"} {
		only(id, calc.CauseBoundary)
		if byID[id].Note == "" {
			t.Errorf("line %s: a line one method cannot compute needs a note", id)
		}
	}
	if l := byID["2"]; l.BaseStatus != calc.StatusOK || l.OtherStatus != calc.StatusError {
		t.Errorf("line 2 statuses %s/%s, want ok/error (no HHV→NCV ratio in eu-gpp)", l.BaseStatus, l.OtherStatus)
	}
	if l := byID["8"]; !l.Difference.IsZero() {
		t.Errorf("line 8 (same EPD under both): difference %s", l.Difference)
	}
	l4 := causeMap(byID["4"].Attribution)
	if l4[calc.CauseRegionFallback].IsZero() || !l4[calc.CauseFactorValues].IsZero() {
		t.Errorf("line 4 (us-federal falls back to US): %v", l4)
	}
	l1 := causeMap(byID["1"].Attribution)
	if l1[calc.CauseFactorValues].IsZero() || l1[calc.CauseGWPSet].IsZero() || !l1[calc.CauseBoundary].IsZero() {
		t.Errorf("line 1 (coal in both): %v", l1)
	}
}

// TestCompareHeatingValue: a method with an HHV→NCV ratio against one
// without shows a heating_value_basis part.
func TestCompareHeatingValue(t *testing.T) {
	eng, reg := compareWorld(t)
	bid := calc.Bid{Lines: []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"}}}
	c, err := eng.Compare(resolve(t, reg, "us-federal@2025.1", "test-hv@2025.1"), bid)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Pairs[0]
	checkExact(t, c, p, 1)
	got := causeMap(p.Attribution)
	// Base state: 1000 mmBtu × EPA factors (AR5). Swapping the ratio 1 →
	// 0.9 on the base's factors gives −10 % of the base total.
	base := c.Methods[0].Total.KgCO2e
	if want := base.Mul(dec("-0.1")); !got[calc.CauseHeatingValue].Equal(want) {
		t.Errorf("heating_value_basis %s, want %s", got[calc.CauseHeatingValue], want)
	}
}

// TestCompareDeterministic: the same input gives the same bytes.
func TestCompareDeterministic(t *testing.T) {
	eng, reg := compareWorld(t)
	ms := resolve(t, reg, "us-federal@2025.1", "eu-gpp@2025.1", "us-federal@2025.1-ar6")
	var prev []byte
	for i := 0; i < 3; i++ {
		c, err := eng.Compare(ms, usEUBid())
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, raw) {
			t.Fatal("two runs gave different output")
		}
		prev = raw
	}
}

// TestCompareGolden pins the JSON of the worked US-vs-EU example.
func TestCompareGolden(t *testing.T) {
	eng, reg := compareWorld(t)
	c, err := eng.Compare(resolve(t, reg, "us-federal@2025.1", "eu-gpp@2025.1"), usEUBid())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "compare_us_eu.golden"), append(got, '\n'))
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update and review the diff):\n%s", path, firstDiff(want, got))
	}
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n  golden: %s\n  got:    %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(la), len(lb))
}

// lineGen draws lines over activities that the methods compared compute,
// in several units, with some lines that one method or the other cannot
// compute.
var lineKinds = []struct {
	activity, region string
	units            []string
	basis            string
	fallback         bool
	pf               bool
}{
	{"fuel.coal.bituminous", "US", []string{"t", "kg", "short_ton", "lb"}, "", false, false},
	{"fuel.coal.sub_bituminous", "US", []string{"t", "short_ton"}, "", false, false},
	{"fuel.lignite", "US-CAMX", []string{"t", "short_ton", "lb"}, "", true, false},
	{"fuel.wood", "US", []string{"t", "short_ton"}, "", false, false},
	{"fuel.natural_gas", "US", []string{"mmBtu", "therm", "scf", "MWh"}, "", false, false},
	{"fuel.natural_gas", "US", []string{"TJ", "GJ"}, "NCV", false, false},
	{"fuel.natural_gas", "US", []string{"kg", "t"}, "", false, false},
	{"fuel.diesel", "US", []string{"mmBtu", "gal_us", "kg"}, "", false, false},
	{"electricity.grid", "US-CAMX", []string{"MWh", "kWh"}, "", false, false},
	{"electricity.grid", "DE", []string{"MWh", "kWh"}, "", false, false},
	{"electricity.grid", "FR", []string{"MWh"}, "", false, false},
	{"freight.road", "US", []string{"short_ton.mi", "t.km"}, "", false, false},
	{"freight.road", "DE", []string{"t.km"}, "", false, false},
	{"material.steel.rebar", "US", []string{"t", "kg", "lb"}, "", false, true},
	{"material.steel.plate", "DE", []string{"t"}, "", true, false},
	{"heat.steam", "US", []string{"mmBtu", "GJ"}, "", false, false},
}

func randomBid(r *rand.Rand) calc.Bid {
	n := 1 + r.IntN(12)
	b := calc.Bid{Reference: "PROP", Supplier: "GEN"}
	for i := 0; i < n; i++ {
		k := lineKinds[r.IntN(len(lineKinds))]
		q := decimal.New(r.Int64N(10_000_000_000), -int32(r.IntN(7)))
		l := calc.Line{ID: fmt.Sprint(i + 1), Activity: k.activity, Region: k.region, Quantity: q,
			Unit: k.units[r.IntN(len(k.units))], Basis: k.basis, AllowRegionFallback: k.fallback && r.IntN(3) > 0}
		if k.pf {
			l.Factor = &calc.ProductFactor{KgCO2e: decimal.New(r.Int64N(2_000_000), -3), Per: "t", Reference: "EPD GEN"}
		}
		b.Lines = append(b.Lines, l)
	}
	return b
}

// TestCompareProperty: for generated inventories and method pairs, the
// causes always add up exactly to the difference, per line and in total,
// and a GWP-only change is attributed to gwp_set alone.
func TestCompareProperty(t *testing.T) {
	eng, reg := compareWorld(t)
	pairs := [][2]string{
		{"us-federal@2025.1", "eu-gpp@2025.1"},
		{"eu-gpp@2025.1", "us-federal@2025.1"},
		{"us-federal@2025.1", "us-federal@2025.1-ar6"},
		{"us-federal@2025.1-ar6", "us-federal@2025.1"},
		{"eu-gpp@2025.1", "us-federal@2025.1-ar6"},
		{"us-federal@2025.1", "test-hv@2025.1"},
		{"test-hv@2025.1", "eu-gpp@2025.1"},
		{"us-federal@2025.2", "eu-gpp@2025.2"},
		{"eu-gpp@2025.2", "us-federal@2025.2"},
		{"eu-gpp@2025.1", "eu-gpp@2025.2"},
		{"us-federal@2025.1-ar6", "eu-gpp@2025.2"},
	}
	r := rand.New(rand.NewPCG(5, 2025))
	n := 300
	if testing.Short() {
		n = 50
	}
	for i := 0; i < n; i++ {
		bid := randomBid(r)
		pr := pairs[i%len(pairs)]
		ms := resolve(t, reg, pr[0], pr[1])
		c, err := eng.Compare(ms, bid)
		if err != nil {
			t.Fatalf("case %d %v: %v", i, pr, err)
		}
		checkExact(t, c, c.Pairs[0], 1)
		if ms[0].ID == "us-federal" && ms[1].ID == "us-federal" && len(ms[0].HostData)+len(ms[1].HostData) == 0 {
			for _, cs := range c.Pairs[0].Attribution {
				if cs.Cause != calc.CauseGWPSet && !cs.KgCO2e.IsZero() {
					t.Errorf("case %d %v: %s = %s, want 0", i, pr, cs.Cause, cs.KgCO2e)
				}
			}
		}
		if t.Failed() {
			raw, _ := json.Marshal(bid)
			t.Fatalf("case %d %v failed for bid %s", i, pr, raw)
		}
	}
}
