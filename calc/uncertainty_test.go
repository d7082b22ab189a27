package calc_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

func uncEngine(t *testing.T) (*calc.Engine, *methods.Registry) {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return calc.NewEngine(lib), reg
}

func uncBid(t *testing.T, raw string) calc.Bid {
	t.Helper()
	b, err := bidjson.DecodeBytes([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const fuelBid = `{"reference": "U-1", "supplier": "S", "lines": [
 {"id": "1", "activity": "fuel.natural_gas", "region": "DE", "quantity": "2.5", "unit": "TJ"},
 {"id": "2", "activity": "fuel.diesel", "region": "DE", "quantity": "40", "unit": "t"},
 {"id": "3", "activity": "fuel.wood", "region": "DE", "quantity": "30", "unit": "t"},
 {"id": "4", "activity": "electricity.grid", "region": "DE", "quantity": "250", "unit": "MWh"},
 {"id": "5", "activity": "material.steel.rebar", "region": "DE", "quantity": "12.5", "unit": "t",
  "factor": {"kg_co2e": "780", "per": "t", "reference": "EPD S-P-01234"}}]}`

func num(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestFootprintUncertaintyInputs: each line samples exactly the inputs the
// method's model maps and that count in its kg CO2e (wood's biogenic CO2
// has no weight under EF 3.1, so its factor is no input), the others
// report "no published uncertainty".
func TestFootprintUncertaintyInputs(t *testing.T) {
	e, reg := uncEngine(t)
	tests := []struct {
		method string
		want   map[string][]string // line → inputs
	}{
		{"eu-gpp@2026.2", map[string][]string{
			"1": {"activity/1", "factor/ipcc-2006@2006:ipcc06-fuel-natural-gas-glo/CH4_fossil", "factor/ipcc-2006@2006:ipcc06-fuel-natural-gas-glo/CO2", "factor/ipcc-2006@2006:ipcc06-fuel-natural-gas-glo/N2O"},
			"2": {"activity/2", "factor/ipcc-2006@2006:ipcc06-fuel-diesel-glo/CH4_fossil", "factor/ipcc-2006@2006:ipcc06-fuel-diesel-glo/CO2", "factor/ipcc-2006@2006:ipcc06-fuel-diesel-glo/N2O", "ncv/ipcc-2006@2006/fuel.diesel"},
			"3": {"activity/3", "factor/ipcc-2006@2006:ipcc06-fuel-wood-glo/CH4_biogenic", "factor/ipcc-2006@2006:ipcc06-fuel-wood-glo/N2O", "ncv/ipcc-2006@2006/fuel.wood"},
			"4": {}, "5": {},
		}},
		{"eu-gpp@2026.1", map[string][]string{"1": {}, "2": {}, "3": {}, "4": {}, "5": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			m, err := reg.Resolve(tt.method)
			if err != nil {
				t.Fatal(err)
			}
			bid := uncBid(t, fuelBid)
			fp, err := e.Calculate(m, bid)
			if err != nil {
				t.Fatal(err)
			}
			u, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 2000, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range u.Lines {
				if l.Status != calc.StatusOK {
					t.Fatalf("line %s: %s", l.ID, l.Status)
				}
				if !slices.Equal(l.Inputs, tt.want[l.ID]) {
					t.Errorf("line %s inputs %v, want %v", l.ID, l.Inputs, tt.want[l.ID])
				}
				exact := fp.Lines[i].KgCO2e.Round(3).StringFixed(3)
				if l.Exact != exact {
					t.Errorf("line %s exact %s, want %s", l.ID, l.Exact, exact)
				}
				if len(l.Inputs) == 0 {
					if l.Note != calc.NoPublishedUncertainty || l.Mean != exact || l.Interval95 != [2]string{exact, exact} {
						t.Errorf("exact line %s: %+v", l.ID, l)
					}
					continue
				}
				lo, hi, ex := num(t, l.Interval95[0]), num(t, l.Interval95[1]), num(t, exact)
				if !(lo < ex && ex < hi) {
					t.Errorf("line %s: exact %v outside the 95 %% interval [%v, %v]", l.ID, ex, lo, hi)
				}
			}
		})
	}
}

// TestComparisonSameMethodCancels: common random numbers make a method's
// difference from itself exactly zero in every draw.
func TestComparisonSameMethodCancels(t *testing.T) {
	e, reg := uncEngine(t)
	m, _ := reg.Resolve("eu-gpp@2026.2")
	bid := uncBid(t, fuelBid)
	c, err := e.Compare([]*methods.Method{m, m}, bid)
	if err != nil {
		t.Fatal(err)
	}
	u, err := calc.ComparisonUncertaintyOf([]*methods.Method{m, m}, c, &bid, uncertainty.Config{Draws: 3000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	d := u.Differences[0]
	if d.POtherGreater != "0" || d.Difference.Interval95 != [2]string{"0.000", "0.000"} || d.Difference.Mean != "0.000" {
		t.Errorf("a method against itself: %+v", d)
	}
	if u.Totals[0] != u.Totals[1] {
		t.Errorf("totals differ: %+v", u.Totals)
	}
}

// TestComparisonEUvsUS: the US method's natural gas is exact (EPA Hub),
// the EU one's is not; the probability is a probability and the run is
// reproducible byte for byte.
func TestComparisonEUvsUS(t *testing.T) {
	e, reg := uncEngine(t)
	us, _ := reg.Resolve("us-federal@2026.2")
	eu, _ := reg.Resolve("eu-gpp@2026.2")
	raw, err := os.ReadFile(filepath.Join("..", "examples", "compare-us-eu.json"))
	if err != nil {
		t.Fatal(err)
	}
	run := func() []byte {
		bid := uncBid(t, string(raw))
		ms := []*methods.Method{us, eu}
		c, err := e.Compare(ms, bid)
		if err != nil {
			t.Fatal(err)
		}
		u, err := calc.ComparisonUncertaintyOf(ms, c, &bid, uncertainty.Config{Draws: 4000, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		p := num(t, u.Differences[0].POtherGreater)
		if p < 0 || p > 1 {
			t.Errorf("P = %v", p)
		}
		b, _ := json.Marshal(u)
		return b
	}
	if a, b := run(), run(); string(a) != string(b) {
		t.Error("two runs with the same seed differ")
	}
}

// TestEPDDeclaredUncertainty: an openEPD measurement with rsd and dist is
// the line's own variable, with the declared relative spread.
func TestEPDDeclaredUncertainty(t *testing.T) {
	e, reg := uncEngine(t)
	raw, err := os.ReadFile(filepath.Join("..", "conformance", "v1", "us-federal-2026.1", "epd-openepd-rebar-traci-limits.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Bid map[string]any `json:"bid"`
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	doc := vec.Bid["lines"].([]any)[0].(map[string]any)["factor"].(map[string]any)["epd"].(map[string]any)["document"].(map[string]any)
	gwp := doc["impacts"].(map[string]any)["TRACI 2.1"].(map[string]any)["gwp"].(map[string]any)["A1A2A3"].(map[string]any)
	for _, dist := range []string{"", "log-normal", "normal"} {
		t.Run("dist="+dist, func(t *testing.T) {
			delete(gwp, "dist")
			if dist != "" {
				gwp["dist"] = dist
			}
			b, _ := json.Marshal(vec.Bid)
			bid := uncBid(t, string(b))
			m, _ := reg.Resolve("us-federal@2026.2")
			fp, err := e.Calculate(m, bid)
			if err != nil {
				t.Fatal(err)
			}
			u, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 20000, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			l := u.Lines[0]
			if dist == "" {
				if len(l.Inputs) != 0 {
					t.Errorf("rsd without dist is exact; inputs %v", l.Inputs)
				}
				return
			}
			if len(l.Inputs) != 1 || !strings.HasPrefix(l.Inputs[0], "epd/") {
				t.Fatalf("inputs %v", l.Inputs)
			}
			// 95 % interval ≈ exact × (1 ± 1.96 × 0.1) for a normal; the mean is the declared value.
			ex, mean := num(t, l.Exact), num(t, l.Mean)
			if math.Abs(mean-ex) > 0.004*ex {
				t.Errorf("mean %v, declared %v", mean, ex)
			}
			width := (num(t, l.Interval95[1]) - num(t, l.Interval95[0])) / ex
			if math.Abs(width-2*1.96*0.1) > 0.03 {
				t.Errorf("95 %% width %v of the value, want about %v", width, 2*1.96*0.1)
			}
		})
	}
}

func decodeBid(raw string) (calc.Bid, error) { return bidjson.DecodeBytes([]byte(raw)) }

// TestWithModel: the version named to a user of a method without a model
// is the latest active one with [uncertainty], else the latest of any
// status with one; the result says "none" and names it.
func TestWithModel(t *testing.T) {
	eng, reg := uncEngine(t)
	for _, id := range []string{"eu-gpp", "us-federal"} {
		if m := calc.WithModel(reg, id); m == nil || m.Ref() != id+"@2026.2" {
			t.Errorf("WithModel(%s) = %v, want %s@2026.2", id, m, id)
		}
	}
	src, err := os.ReadFile("../methods/defs/eu-gpp/2026.2.toml")
	if err != nil {
		t.Fatal(err)
	}
	draft := strings.Replace(strings.Replace(string(src), `version = "2026.2"`, `version = "2027.1"`, 1), `status = "active"`, `status = "draft"`, 1)
	if err := reg.AddSource("x/2027.1.toml", []byte(draft)); err != nil {
		t.Fatal(err)
	}
	if m := calc.WithModel(reg, "eu-gpp"); m.Ref() != "eu-gpp@2026.2" {
		t.Errorf("a later draft with a model is preferred to the active one: %s", m.Ref())
	}
	tests := []struct {
		ref, model, message string
	}{
		{"us-federal@2025.2", calc.ModelNone, "us-federal@2025.2 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; us-federal@2026.2 declares one: compute the bid under us-federal@2026.2 for intervals"},
		{"eu-gpp@2026.1", calc.ModelNone, "eu-gpp@2026.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; eu-gpp@2026.2 declares one: compute the bid under eu-gpp@2026.2 for intervals"},
		{"eu-gpp@2026.2", calc.ModelDeclared, ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			m, err := reg.Resolve(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			bid := uncBid(t, fuelBid)
			fp, err := eng.Calculate(m, bid)
			if err != nil {
				t.Fatal(err)
			}
			u, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 50, Seed: 1, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if tt.model == calc.ModelNone && !strings.Contains(u.Message, "treated as exact") {
				t.Errorf("before NameModels: message %q", u.Message)
			}
			u.NameModels(reg)
			if u.Model != tt.model || u.Message != tt.message {
				t.Errorf("model %q, message %q; want %q, %q", u.Model, u.Message, tt.model, tt.message)
			}
			if tt.model == calc.ModelNone && (u.Total.Interval95[0] != u.Total.Exact || u.Total.Interval95[1] != u.Total.Exact) {
				t.Errorf("no model, but the 95 %% interval is %v around %s", u.Total.Interval95, u.Total.Exact)
			}
		})
	}
}
