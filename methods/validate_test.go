package methods

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

func testRegistry(t testing.TB) *Registry {
	t.Helper()
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Embedded(lib)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCheckGood(t *testing.T) {
	reg := testRegistry(t)
	src, err := os.ReadFile(filepath.Join("testdata", "good.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m, ps := reg.Check("testdata/good.toml", src)
	if len(ps) > 0 {
		t.Fatalf("good.toml: %v", ps)
	}
	if m.Ref() != "test-method@1.0" || len(m.Digest) != 64 {
		t.Errorf("got %s %s", m.Ref(), m.Digest)
	}
}

// TestCheckBad runs every file of testdata/bad, each breaking one rule, and
// checks the rule and the line reported.
func TestCheckBad(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		file, rule string
		line       int
	}{
		{"syntax", "syntax", 4},
		{"known-key", "known-key", 7},
		{"quoted-decimal", "quoted-decimal", 27},
		{"decimal", "decimal", 27},
		{"id-format", "id-format", 2},
		{"version-format", "version-format", 3},
		{"title-required", "required", 4},
		{"jurisdiction-required", "required", 5},
		{"known-status", "known-status", 6},
		{"known-gwp-set", "known-gwp-set", 7},
		{"dataset-version", "dataset-version", 8},
		{"known-dataset", "known-dataset", 8},
		{"dataset-unique", "unique", 8},
		{"known-stage", "known-stage", 9},
		{"stage-unique", "unique", 9},
		{"biogenic", "known-value", 10},
		{"fallback", "known-value", 13},
		{"places", "range", 16},
		{"mode", "known-value", 17},
		{"division-places", "range", 18},
		{"product-activity", "known-activity", 21},
		{"product-require", "consistent", 22},
		{"hv-known-activity", "known-activity", 24},
		{"hv-activity", "hv-activity", 24},
		{"hv-bases", "known-value", 25},
		{"hv-positive", "positive", 27},
		{"hv-source", "provenance", 28},
		{"hv-unique", "unique", 31},
		{"limit-dataset", "known-dataset", 31},
		{"known-limit", "known-limit", 32},
		{"limit-unique", "unique", 32},
		{"limit-ids-required", "required", 32},
		{"new-version", "new-version", 3},
		{"hv-both", "hv-source", 38},
		{"hv-dataset-version", "dataset-version", 38},
		{"hv-dataset", "hv-dataset", 38},
		{"hv-known-row", "known-row", 39},
		{"host-known-region", "known-region", 35},
		{"host-glo", "host-region", 35},
		{"host-activity", "known-activity", 36},
		{"host-coverage", "host-coverage", 37},
		{"host-dataset-version", "dataset-version", 37},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.toml"))
	if len(files) != len(tests) {
		t.Errorf("%d files in testdata/bad, %d cases: every bad file needs a case", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := filepath.Join("testdata", "bad", tt.file+".toml")
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			_, ps := reg.Check(name, src)
			if len(ps) == 0 {
				t.Fatal("no problem found")
			}
			var found bool
			for _, p := range ps {
				if p.Rule == tt.rule {
					found = true
					if p.Line != tt.line {
						t.Errorf("rule %s at line %d, want %d: %s", p.Rule, p.Line, tt.line, p)
					}
					if p.File != name || !strings.HasPrefix(p.String(), name+":") {
						t.Errorf("problem %q does not name the file", p)
					}
				}
			}
			if !found {
				t.Errorf("rule %s not reported; got %v", tt.rule, ps)
			}
			if !errors.Is(ps, ErrInvalidMethod) {
				t.Error("Problems must wrap ErrInvalidMethod")
			}
		})
	}
}

// TestCheckEveryRule: a file breaking several rules gets all of them.
func TestCheckEveryRule(t *testing.T) {
	reg := testRegistry(t)
	src := []byte("id = \"X\"\nversion = \"v\"\ntitle = \"\"\njurisdiction = \"EU\"\nstatus = \"final\"\ngwp_set = \"AR9\"\ndatasets = [\"nope@1\"]\nstages = [\"nowhere\"]\nbiogenic_co2 = \"memo\"\n[regions]\nfallback = \"never\"\n[rounding]\nplaces = 3\nmode = \"half_even\"\ndivision_places = 18\n")
	_, ps := reg.Check("many.toml", src)
	rules := map[string]bool{}
	for _, p := range ps {
		rules[p.Rule] = true
	}
	for _, r := range []string{"id-format", "version-format", "required", "known-status", "known-gwp-set", "known-dataset", "known-stage"} {
		if !rules[r] {
			t.Errorf("rule %s not reported in %v", r, ps)
		}
	}
}

// TestCheckSameFileNotItself: a file loaded with --methods and then
// validated is not a duplicate of itself; the embedded file is.
func TestCheckSameFileNotItself(t *testing.T) {
	reg := testRegistry(t)
	src, err := embeddedDefs.ReadFile("defs/us-federal/2025.1.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ps := reg.Check("embedded:defs/us-federal/2025.1.toml", src); len(ps) != 0 {
		t.Errorf("the registered file itself: %v", ps)
	}
	_, ps := reg.Check("copy.toml", src)
	if len(ps) != 1 || ps[0].Rule != "new-version" || !strings.Contains(ps[0].Message, "same content") {
		t.Errorf("a copy: %v", ps)
	}
}

// TestLimitUnitsFit: a limit whose unit does not fit its material's
// dimension is refused when its dataset loads, so no method can name it.
func TestLimitUnitsFit(t *testing.T) {
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	_, err = lib.WithDatasetsDir(filepath.Join("testdata", "data"))
	if err == nil || !strings.Contains(err.Error(), "rebar") {
		t.Fatalf("err %v, want the misfit limit refused", err)
	}
}

// TestHVRatioFromData checks the ratio a dataset row gives against
// math/big.Rat: the exact quotient of the two published numbers, rounded
// half to even at division_places, in both directions.
func TestHVRatioFromData(t *testing.T) {
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		row      string
		from, to factors.Basis
		num, den string // the published pair, as the reference row prints it
		places   int32
	}{
		{"natural-gas", factors.HHV, factors.NCV, "0.18256", "0.20226", 18},
		{"natural-gas", factors.NCV, factors.HHV, "0.20226", "0.18256", 18},
		{"lpg", factors.HHV, factors.NCV, "0.21419", "0.22999", 18},
		{"gas-oil", factors.HHV, factors.NCV, "0.25359", "0.26978", 9},
		{"coal-industrial", factors.NCV, factors.HHV, "0.33611", "0.31931", 40},
	} {
		h := HVRatio{Activity: "fuel.natural_gas", From: tc.from, To: tc.to, Dataset: "desnz-ghg@2023", Row: tc.row}
		got, pair, err := h.Resolve(lib, tc.places)
		if err != nil {
			t.Fatal(err)
		}
		if pair == nil || pair.Source == "" {
			t.Fatalf("%s: no source row", tc.row)
		}
		want := ratHalfEven(t, tc.num, tc.den, tc.places)
		if got.String() != want {
			t.Errorf("%s %s→%s at %d places = %s, want %s", tc.row, tc.from, tc.to, tc.places, got, want)
		}
	}
	// The inline form still gives its own ratio.
	d := Dec{}
	if err := d.UnmarshalTOML("0.9"); err != nil {
		t.Fatal(err)
	}
	if r, p, err := (HVRatio{Ratio: &d, Source: "x"}).Resolve(lib, 18); err != nil || p != nil || r.String() != "0.9" {
		t.Errorf("inline ratio = %s %v %v", r, p, err)
	}
}

// ratHalfEven is num/den rounded half to even at places, with math/big.
func ratHalfEven(t *testing.T, num, den string, places int32) string {
	t.Helper()
	n, ok1 := new(big.Rat).SetString(num)
	d, ok2 := new(big.Rat).SetString(den)
	if !ok1 || !ok2 {
		t.Fatalf("bad numbers %s %s", num, den)
	}
	q := new(big.Rat).Quo(n, d)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	q.Mul(q, new(big.Rat).SetInt(scale))
	i, rem := new(big.Int).QuoRem(q.Num(), q.Denom(), new(big.Int))
	switch c := new(big.Int).Mul(rem, big.NewInt(2)).Cmp(q.Denom()); {
	case c > 0, c == 0 && i.Bit(0) == 1:
		i.Add(i, big.NewInt(1))
	}
	return decimal.NewFromBigInt(i, -places).String()
}

// TestHostRuleMatches: a rule serves its regions and every region below
// them, for the activities it names.
func TestHostRuleMatches(t *testing.T) {
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	h := HostRule{Regions: []string{"US"}, Activities: []string{"electricity.*", "heat.steam"}, Datasets: []string{"egrid@2023"}}
	for _, tc := range []struct {
		activity, region string
		want             bool
	}{
		{"electricity.grid", "US", true},
		{"electricity.grid", "US-CAMX", true},
		{"heat.steam", "US-CAMX", true},
		{"fuel.natural_gas", "US", false},
		{"electricity.grid", "DE", false},
		{"electricity.grid", "GLO", false},
	} {
		if got := h.Matches(tc.activity, lib.Chain(tc.region)); got != tc.want {
			t.Errorf("%s in %s: %v, want %v", tc.activity, tc.region, got, tc.want)
		}
	}
}

// TestDigestUnchangedByNewFields: the optional heating-value and host-data
// fields leave the canonical form of a file without them as it was, so
// receipts made before they existed still match.
func TestDigestUnchangedByNewFields(t *testing.T) {
	d := Dec{}
	d.UnmarshalTOML("0.9")
	s := Spec{ID: "x", HeatingValue: []HVRatio{{Activity: "fuel.natural_gas", From: "HHV", To: "NCV", Ratio: &d, Source: "s"}}}
	c, err := Canonical(&s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(c), "[[heating_value]]\nactivity = \"fuel.natural_gas\"\nfrom = \"HHV\"\nto = \"NCV\"\nratio = \"0.9\"\nsource = \"s\"\n") ||
		strings.Contains(string(c), "dataset") || strings.Contains(string(c), "host_data") {
		t.Errorf("canonical form changed:\n%s", c)
	}
}
