package uncertainty

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func TestZConstants(t *testing.T) {
	for _, c := range []struct {
		name string
		z    float64
		cov  float64
	}{{"Z95", Z95, 0.95}, {"Z90", Z90, 0.90}} {
		want := math.Sqrt2 * math.Erfinv(c.cov)
		if math.Abs(c.z-want) > 1e-14 {
			t.Errorf("%s = %v, √2·erfinv(%v) = %v", c.name, c.z, c.cov, want)
		}
	}
}

func TestNormalQuantileAccuracy(t *testing.T) {
	for _, p := range []float64{1e-9, 1e-6, 1e-3, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9} {
		z := NormalQuantile(p)
		want := -math.Sqrt2 * math.Erfcinv(2*p)
		if err := math.Abs(z - want); err > 1.2e-9*math.Max(math.Abs(want), 1e-3) {
			t.Errorf("Φ⁻¹(%v) = %v, want %v (error %.3g)", p, z, want, err)
		}
	}
	for _, p := range []float64{0, 1, -0.1, 1.1, math.NaN()} {
		z := NormalQuantile(p)
		if p > 0 && p < 1 || (p == 0 && !math.IsInf(z, -1)) || (p == 1 && !math.IsInf(z, 1)) || ((p < 0 || p > 1 || math.IsNaN(p)) && !math.IsNaN(z)) {
			t.Errorf("NormalQuantile(%v) = %v", p, z)
		}
	}
}

func TestDetExpLogMatchMath(t *testing.T) {
	for _, x := range []float64{-700, -20, -1, -0.5, -1e-9, 0, 1e-9, 0.01, 0.5, 1, 2.5, 10, 700} {
		if g, w := detExp(x), math.Exp(x); math.Abs(g-w) > 4.5e-16*math.Abs(w) { // within an ulp: amd64's math.Exp uses FMA
			t.Errorf("detExp(%v) = %v, math.Exp %v", x, g, w)
		}
	}
	for _, x := range []float64{1e-300, 1e-9, 0.025, 0.5, 0.999, 1, 1.001, 2, 56100, 1e300} {
		if g, w := detLog(x), math.Log(x); math.Abs(g-w) > 4.5e-16*math.Max(1, math.Abs(w)) {
			t.Errorf("detLog(%v) = %v, math.Log %v", x, g, w)
		}
	}
}

// TestFitReproducesIPCCLimits fits every row of the tables the methods use
// and checks that the fitted lognormal's 2.5 % and 97.5 % points are the
// published limits.
func TestFitReproducesIPCCLimits(t *testing.T) {
	cases := []struct{ table, column string }{
		{"ipcc2006-v2-table1.2", "NCV"}, {"ipcc2006-v2-table1.4", "CO2"},
		{"ipcc2006-v2-table2.2", "CO2"}, {"ipcc2006-v2-table2.2", "CH4"}, {"ipcc2006-v2-table2.2", "N2O"},
		{"ipcc2006-v2-table3.2.1", "CO2"},
	}
	n := 0
	for _, c := range cases {
		recs, err := readTable(Tables()[c.table])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[1:] {
			iv, err := LookupInterval(c.table, r[0], c.column)
			if err != nil {
				t.Fatalf("%s %s: %v", c.table, r[0], err)
			}
			def, lo, up, err := iv.Values()
			if err != nil || !lo.LessThan(up) {
				continue // "na", or an interval printed without spread (kept as printed)
			}
			d, err := FitInterval(iv)
			if err != nil {
				t.Errorf("%s: %v", iv.Cite(), err)
				continue
			}
			v := def.InexactFloat64()
			gotLo, gotUp := v*d.Multiplier(-Z95), v*d.Multiplier(Z95)
			if math.Abs(gotLo-lo.InexactFloat64()) > 1e-12*lo.InexactFloat64() || math.Abs(gotUp-up.InexactFloat64()) > 1e-12*up.InexactFloat64() {
				t.Errorf("%s: fitted limits %v, %v; published %s, %s", iv.Cite(), gotLo, gotUp, iv.Lower, iv.Upper)
			}
			n++
		}
	}
	if n < 150 {
		t.Errorf("only %d intervals checked", n)
	}
	// The natural gas row the issue quotes.
	iv, err := LookupInterval("ipcc2006-v2-table2.2", "Natural Gas", "CO2")
	if err != nil || iv.Default != "56100" || iv.Lower != "54300" || iv.Upper != "58300" || iv.Line != 39 {
		t.Errorf("Natural Gas CO2: %+v, %v", iv, err)
	}
}

func TestLookupErrors(t *testing.T) {
	for _, c := range []struct{ table, row, col string }{
		{"ipcc-nope", "Natural Gas", "CO2"}, {"ipcc2006-v2-table2.2", "Unobtainium", "CO2"}, {"ipcc2006-v2-table1.2", "Natural Gas", "CO2"},
	} {
		if _, err := LookupInterval(c.table, c.row, c.col); !errors.Is(err, ErrNotPublished) {
			t.Errorf("%v: %v, want ErrNotPublished", c, err)
		}
	}
	iv, err := LookupInterval("ipcc2006-v2-table3.2.2", "Liquified petroleum gas (g)", "CH4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FitInterval(iv); !errors.Is(err, ErrNotPublished) {
		t.Errorf("na limits: %v", err)
	}
}

func TestPublishedCopiesMatchReference(t *testing.T) {
	ref := filepath.Join("..", "..", "shared", "reference-data", "uncertainty")
	if _, err := os.Stat(ref); err != nil {
		t.Skip("reference data not beside the repository")
	}
	for _, f := range Tables() {
		a, err1 := os.ReadFile(filepath.Join(ref, f))
		b, err2 := os.ReadFile(filepath.Join("published", f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: the embedded copy differs from the reference (%v, %v)", f, err1, err2)
		}
	}
}

func TestStatementsFit(t *testing.T) {
	for _, c := range []struct {
		id   string
		sd   float64
		kind Kind
	}{
		{"ipcc2006-activity-fossil", 0.05 / Z95, Normal}, {"ipcc2006-activity-biomass", 0.5 / Z95, Normal},
		{"ar5-gwp100-ch4", 0.4 / Z90, Normal}, {"ar5-gwp100-century", 0.3 / Z90, Normal},
	} {
		s, err := LookupStatement(c.id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := FitStatement(s)
		if err != nil || d.Kind != c.kind || math.Abs(d.SD-c.sd) > 1e-15 || d.Mean != 1 {
			t.Errorf("%s: %v %v", c.id, d, err)
		}
	}
	if _, err := LookupStatement("ar6-gwp"); !errors.Is(err, ErrNotPublished) {
		t.Errorf("unknown statement: %v", err)
	}
}

func TestFromRSD(t *testing.T) {
	d, err := FromRSD("log-normal", 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if m, v := d.MeanValue(), d.Variance(); math.Abs(m-1) > 1e-15 || math.Abs(math.Sqrt(v)-0.2) > 1e-15 {
		t.Errorf("log-normal rsd 0.2: mean %v sd %v", m, math.Sqrt(v))
	}
	for _, c := range []struct {
		dist string
		rsd  float64
	}{{"uniform", 0.1}, {"normal", -1}, {"normal", math.Inf(1)}} {
		if _, err := FromRSD(c.dist, c.rsd); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", c, err)
		}
	}
}

// TestFromILCD: the distribution of an ILCD declaration puts its 2.5 %
// and 97.5 % points where the ILCD schema's definition of
// relativeStandardDeviation95In puts them (value ÷ and × SDg² for
// log-normal, value × (1 ∓ x/100) for normal), within the accuracy of
// NormalQuantile (1.15e-9 relative in z); values outside the definition
// are refused.
func TestFromILCD(t *testing.T) {
	for _, c := range []struct {
		dist   string
		x      float64
		lo, hi float64
	}{
		{"log-normal", 1.44, 1 / 1.44, 1.44},
		{"log-normal", 1, 1, 1},
		{"log-normal", 3, 1.0 / 3, 3},
		{"normal", 20, 0.8, 1.2},
		{"normal", 0, 1, 1},
		{"normal", 99.999, 0.00001, 1.99999},
	} {
		d, err := FromILCD(c.dist, c.x)
		if err != nil {
			t.Errorf("%s %v: %v", c.dist, c.x, err)
			continue
		}
		lo, hi := d.Quantile(0.025), d.Quantile(0.975)
		if math.Abs(lo-c.lo) > 1e-8 || math.Abs(hi-c.hi) > 1e-8 {
			t.Errorf("%s %v: 2.5 %% and 97.5 %% points %v, %v; want %v, %v", c.dist, c.x, lo, hi, c.lo, c.hi)
		}
		if c.dist == "log-normal" && d.Quantile(0.5) != 1 {
			t.Errorf("%s %v: median %v, want the value (1)", c.dist, c.x, d.Quantile(0.5))
		}
	}
	for _, c := range []struct {
		dist string
		x    float64
	}{
		{"log-normal", 0.99}, {"log-normal", 0}, {"log-normal", -2}, {"log-normal", math.NaN()}, {"log-normal", math.Inf(1)},
		{"normal", -0.001}, {"normal", 100}, {"normal", 1e9}, {"normal", math.NaN()},
		{"triangular", 5}, {"uniform", 5}, {"undefined", 5}, {"lognormal", 1.44}, {"", 1.44},
	} {
		if d, err := FromILCD(c.dist, c.x); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q %v: %v, %v; want ErrInvalid", c.dist, c.x, d, err)
		}
	}
}

// linearModel: T = 1000·A + 200·B + 50·C + 10, A lognormal (IPCC natural
// gas CO2 fit), B normal ±5 %, C lognormal with σ 0.6.
func linearModel(t testing.TB) (*Model, []Item, []float64, []float64) {
	m := NewModel()
	a, _ := FitLognormal(56100, 54300, 58300, Z95)
	b, _ := NormalHalfWidth(0.05, Z95)
	c := Distribution{Kind: Lognormal, Mu: -0.1, Sigma: 0.6}
	ds := []Distribution{a, b, c}
	idx := make([]int, 3)
	for i, d := range ds {
		var err error
		if idx[i], err = m.Var(Variable{Key: fmt.Sprintf("v%d", i), Label: fmt.Sprintf("variable %d", i), Dist: d}); err != nil {
			t.Fatal(err)
		}
	}
	coefs := []float64{1000, 200, 50}
	items := []Item{
		{Terms: []Term{{Coef: coefs[0], Vars: []int{idx[0]}}, {Coef: 10}}},
		{Terms: []Term{{Coef: coefs[1], Vars: []int{idx[1]}}, {Coef: coefs[2], Vars: []int{idx[2]}}}},
	}
	means := make([]float64, 3)
	vars := make([]float64, 3)
	for i, d := range ds {
		means[i], vars[i] = coefs[i]*d.MeanValue(), coefs[i]*coefs[i]*d.Variance()
	}
	return m, items, means, vars
}

// TestLinearModelConverges: for a linear model of independent inputs the
// sample mean is within 4 standard errors of the analytic mean, the sample
// variance within 3 % of the analytic variance (its standard error is
// about 0.6 % here), and each variable's share of the variance within 0.01
// of c²·Var/Var(T), at 200,000 draws.
func TestLinearModelConverges(t *testing.T) {
	m, items, means, vars := linearModel(t)
	wantMean, wantVar := 10.0, 0.0
	for i := range means {
		wantMean += means[i]
		wantVar += vars[i]
	}
	const n = 200_000
	s, err := Simulate(m, items, nil, Config{Draws: n, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	sum := Summarize(s.Total())
	if se := math.Sqrt(wantVar / n); math.Abs(sum.Mean-wantMean) > 4*se {
		t.Errorf("mean %v, analytic %v (4 SE = %v)", sum.Mean, wantMean, 4*se)
	}
	if got := sum.SD * sum.SD; math.Abs(got-wantVar) > 0.03*wantVar {
		t.Errorf("variance %v, analytic %v", got, wantVar)
	}
	for _, c := range s.Contributors(0) {
		want := vars[c.Index] / wantVar
		if math.Abs(c.Share-want) > 0.01 {
			t.Errorf("%s: share %v, analytic %v", c.Key, c.Share, want)
		}
	}
	// Items add up to the total draw by draw.
	for j := 0; j < 100; j++ {
		if s.Values(0)[j]+s.Values(1)[j] != s.Total()[j] {
			t.Fatalf("draw %d: items do not add up to the total", j)
		}
	}
}

// TestRankMatchesPhi: two bids whose difference is normal with a known mean
// and standard deviation; P(first) must match Φ within 0.01 at 100,000 draws.
func TestRankMatchesPhi(t *testing.T) {
	cases := []struct {
		name             string
		c0, sd0, c1, sd1 float64
	}{
		{"one uncertain", 100, 0.1, 105, 0},
		{"both uncertain", 100, 0.1, 103, 0.05},
		{"second favoured", 110, 0.08, 100, 0.08},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewModel()
			v0, _ := m.Var(Variable{Key: "epd/a", Dist: Distribution{Kind: Normal, Mean: 1, SD: c.sd0}})
			shared, _ := m.Var(Variable{Key: "factor/shared", Dist: Distribution{Kind: Lognormal, Sigma: 0.3}})
			bids := []Item{
				{Terms: []Term{{Coef: c.c0, Vars: []int{v0}}, {Coef: 40, Vars: []int{shared}}}},
				{Terms: []Term{{Coef: c.c1}, {Coef: 40, Vars: []int{shared}}}},
			}
			if c.sd1 > 0 {
				v1, _ := m.Var(Variable{Key: "epd/b", Dist: Distribution{Kind: Normal, Mean: 1, SD: c.sd1}})
				bids[1].Terms[0].Vars = []int{v1}
			}
			key := func(_ int, kg float64) float64 { return kg }
			odds, err := Rank(m, bids, []int{0, 1}, key, Config{Draws: 100_000, Seed: 42, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			sd := math.Hypot(c.c0*c.sd0, c.c1*c.sd1)
			want := phi((c.c1 - c.c0) / sd)
			if math.Abs(odds[0].PFirst-want) > 0.01 {
				t.Errorf("P(bid 0 first) = %v, Φ = %v", odds[0].PFirst, want)
			}
			if odds[0].PFirst+odds[1].PFirst != 1 || *odds[0].PKeepPlace != odds[0].PFirst || odds[1].PKeepPlace != nil {
				t.Errorf("odds inconsistent: %+v", odds)
			}
		})
	}
}

func TestRankErrors(t *testing.T) {
	m := NewModel()
	bids := []Item{{}, {}}
	key := func(_ int, kg float64) float64 { return kg }
	for _, c := range []struct {
		name  string
		order []int
		key   KeyFunc
		cfg   Config
	}{
		{"draws", []int{0, 1}, key, Config{Draws: 0}},
		{"order length", []int{0}, key, Config{Draws: 10}},
		{"not a permutation", []int{1, 1}, key, Config{Draws: 10}},
		{"no key", []int{0, 1}, nil, Config{Draws: 10}},
	} {
		if _, err := Rank(m, bids, c.order, c.key, c.cfg); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := m.Var(Variable{Key: "x", Dist: Distribution{Kind: Normal, Mean: 1, SD: 0.1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Var(Variable{Key: "x", Dist: Distribution{Kind: Normal, Mean: 1, SD: 0.2}}); !errors.Is(err, ErrConflict) {
		t.Errorf("conflict: %v", err)
	}
}

// TestCommonRandomNumbers: a variable's draws depend on the seed and its
// key only, not on the other variables of the model.
func TestCommonRandomNumbers(t *testing.T) {
	d := Distribution{Kind: Lognormal, Sigma: 0.1}
	run := func(keys ...string) []float64 {
		m := NewModel()
		var items []Item
		for _, k := range keys {
			i, _ := m.Var(Variable{Key: k, Dist: d})
			items = append(items, Item{Terms: []Term{{Coef: 1, Vars: []int{i}}}})
		}
		s, err := Simulate(m, items, nil, Config{Draws: 600, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return s.Values(len(keys) - 1)
	}
	a, b := run("factor/x"), run("factor/a", "factor/b", "factor/x")
	for j := range a {
		if a[j] != b[j] {
			t.Fatalf("draw %d of factor/x differs: %v vs %v", j, a[j], b[j])
		}
	}
}

// TestReproducibleAcrossWorkers: the same seed gives the same odds with 1
// and 2 workers.
func TestReproducibleAcrossWorkers(t *testing.T) {
	m, bids, order := randomTender(t, 37, 5, 11)
	key := func(_ int, kg float64) float64 { return kg }
	a, err := Rank(m, bids, order, key, Config{Draws: 1000, Seed: 9, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Rank(m, bids, order, key, Config{Draws: 1000, Seed: 9, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("workers change the result:\n%s\n%s", ja, jb)
	}
}

// randomTender builds nb bids of nl lines: shared factor variables, a
// private EPD per bid and private activity data per line.
func randomTender(t testing.TB, nb, nl int, seed uint64) (*Model, []Item, []int) {
	m := NewModel()
	var shared []int
	for f := 0; f < 12; f++ {
		d, _ := FitLognormal(100, 90+float64(f), 115+float64(f), Z95)
		i, err := m.Var(Variable{Key: fmt.Sprintf("factor/f%d/CO2", f), Dist: d})
		if err != nil {
			t.Fatal(err)
		}
		shared = append(shared, i)
	}
	act, _ := NormalHalfWidth(0.05, Z95)
	g := newStream(seed, "test")
	bids := make([]Item, nb)
	order := make([]int, nb)
	for b := range bids {
		order[b] = b
		epd, _ := m.Var(Variable{Key: fmt.Sprintf("epd/%d", b), Dist: Distribution{Kind: Lognormal, Mu: -0.02, Sigma: 0.2}})
		for l := 0; l < nl; l++ {
			x := g.r.Uint64()
			coef := float64(x%10000) + 1
			switch x % 3 {
			case 0:
				a, _ := m.Var(Variable{Key: fmt.Sprintf("activity/%d/%d", b, l), Dist: act})
				bids[b].Terms = append(bids[b].Terms, Term{Coef: coef, Vars: []int{shared[int(x>>8)%len(shared)], a}})
			case 1:
				bids[b].Terms = append(bids[b].Terms, Term{Coef: coef, Vars: []int{epd}})
			default:
				bids[b].Terms = append(bids[b].Terms, Term{Coef: coef})
			}
		}
	}
	return m, bids, order
}

// TestGolden pins the bytes of fixed-seed results (testdata/golden.json;
// go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	m, items, _, _ := linearModel(t)
	s, err := Simulate(m, items, nil, Config{Draws: 10_000, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	tm, bids, order := randomTender(t, 5, 20, 1)
	odds, err := Rank(tm, bids, order, func(_ int, kg float64) float64 { return kg }, Config{Draws: 10_000, Seed: 42, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"draws_seed42_factor_ng_co2": Draws(42, "factor/ipcc06-fuel-natural-gas-glo/CO2", 5),
		"linear_total":               Summarize(s.Total()),
		"linear_items":               []Summary{Summarize(s.Values(0)), Summarize(s.Values(1))},
		"linear_contributors":        s.Contributors(0),
		"model_digest":               m.Digest(),
		"tender_odds":                odds,
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", "golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("fixed-seed results changed (go test ./uncertainty -run TestGolden -update, and explain why):\n%s", firstLines(string(b), 20))
	}
}

func firstLines(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[:min(n, len(l))], "\n")
}

// FuzzRank: random bids never give NaN, infinities or probabilities
// outside [0, 1], and the probabilities of ranking first add up to 1.
func FuzzRank(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint64(1))
	f.Add([]byte{255, 0, 255, 0, 128, 64, 32}, uint64(42))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		if len(data) > 300 {
			return
		}
		m := NewModel()
		var bids []Item
		for i := 0; i+2 < len(data); i += 3 {
			if data[i]%4 == 0 || len(bids) == 0 {
				bids = append(bids, Item{})
			}
			var d Distribution
			switch data[i+1] % 3 {
			case 0:
				d = Distribution{Kind: Lognormal, Mu: float64(int8(data[i+2])) / 64, Sigma: float64(data[i+2]) / 32}
			case 1:
				d = Distribution{Kind: Normal, Mean: 1, SD: float64(data[i+2]) / 16}
			default:
				d, _ = FitLognormal(1, float64(data[i+2]%50+1)/100, 1+float64(data[i+2]), Z95)
			}
			v, err := m.Var(Variable{Key: fmt.Sprintf("v%d", data[i]%16), Dist: d})
			if err != nil {
				v, _ = m.Lookup(fmt.Sprintf("v%d", data[i]%16))
			}
			coef := math.Ldexp(float64(data[i+2])+1, int(data[i]%64)-20)
			bids[len(bids)-1].Terms = append(bids[len(bids)-1].Terms, Term{Coef: coef, Vars: []int{v}})
		}
		order := make([]int, len(bids))
		for i := range order {
			order[i] = i
		}
		odds, err := Rank(m, bids, order, func(b int, kg float64) float64 { return float64(kg*0.5) + float64(b) }, Config{Draws: 200, Seed: seed, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, o := range odds {
			if !(o.PFirst >= 0 && o.PFirst <= 1) || (o.PKeepPlace != nil && !(*o.PKeepPlace >= 0 && *o.PKeepPlace <= 1)) {
				t.Fatalf("probability out of range: %+v", o)
			}
			sum += o.PFirst
		}
		if len(odds) > 0 && math.Abs(sum-1) > 1e-9 {
			t.Fatalf("P(first) adds up to %v", sum)
		}
		s, err := Simulate(m, bids, nil, Config{Draws: 50, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for i := range bids {
			for _, x := range s.Values(i) {
				if math.IsNaN(x) {
					t.Fatalf("NaN draw in bid %d", i)
				}
			}
		}
		for _, c := range s.Contributors(0) {
			if !(c.Share >= 0 && c.Share <= 1) {
				t.Fatalf("share %v", c.Share)
			}
		}
	})
}

// TestQuantilesMatchSort: selection gives the type-7 quantiles of a sort.
func TestQuantilesMatchSort(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 41, 1000, 10_001} {
		xs := Draws(uint64(n), "q", n)
		for i := range xs {
			if i%7 == 0 {
				xs[i] = xs[i/2] // ties
			}
		}
		sorted := append([]float64(nil), xs...)
		slices.Sort(sorted)
		ps := []float64{0.025, 0.05, 0.5, 0.95, 0.975}
		got := quantiles(append([]float64(nil), xs...), ps)
		for i, p := range ps {
			h := float64(n-1) * p
			k := int(h)
			want := sorted[k]
			if k+1 < n {
				want += (h - float64(k)) * (sorted[k+1] - sorted[k])
			}
			if math.Abs(got[i]-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("n=%d p=%v: %v, sorted %v", n, p, got[i], want)
			}
		}
	}
}

// TestMultipliersAndEvalItemAreSimulate: a caller that keeps variables'
// multipliers (Multipliers) and evaluates items over them (EvalItem), then
// summarizes in place (SummarizeInPlace), gets Simulate's and Summarize's
// values bit for bit, with terms of zero to four variables, in blocks and
// across them.
func TestMultipliersAndEvalItemAreSimulate(t *testing.T) {
	m := NewModel()
	var vars []int
	for v := 0; v < 6; v++ {
		d := Distribution{Kind: Lognormal, Mu: 0.01 * float64(v), Sigma: 0.05 + 0.1*float64(v)}
		if v%2 == 1 {
			d = Distribution{Kind: Normal, Mean: 1, SD: 0.3 * float64(v)} // floored at 0 now and then
		}
		i, err := m.Var(Variable{Key: fmt.Sprintf("v/%d", v), Dist: d})
		if err != nil {
			t.Fatal(err)
		}
		vars = append(vars, i)
	}
	g := newStream(5, "items")
	items := make([]Item, 9)
	for i := range items {
		for k := 0; k < 1+i%4; k++ {
			x := g.r.Uint64()
			var vs []int
			for _, v := range vars {
				if x>>(8+v)&1 == 1 && len(vs) < i%5 {
					vs = append(vs, v)
				}
			}
			items[i].Terms = append(items[i].Terms, Term{Coef: float64(x%100000)/7 - 3000, Vars: vs})
		}
	}
	for _, n := range []int{1, 2, 255, 256, 257, 1000} {
		cfg := Config{Draws: n, Seed: uint64(n) * 31}
		s, err := Simulate(m, items, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		mult := make([][]float64, m.Len())
		for v, vr := range m.Vars() {
			mult[v] = make([]float64, n)
			Multipliers(cfg.Seed, vr.Key, vr.Dist, mult[v])
		}
		scratch, out := make([]float64, n), make([]float64, n)
		for i, it := range items {
			EvalItem(it, mult, scratch, out)
			want := s.Values(i)
			for j := range out {
				if math.Float64bits(out[j]) != math.Float64bits(want[j]) {
					t.Fatalf("n=%d item %d draw %d: %v, Simulate %v", n, i, j, out[j], want[j])
				}
			}
			if got, want := SummarizeInPlace(out), Summarize(want); got != want {
				t.Fatalf("n=%d item %d: SummarizeInPlace %+v, Summarize %+v", n, i, got, want)
			}
		}
	}
	if (SummarizeInPlace(nil) != Summary{}) {
		t.Error("the summary of no draws is not zero")
	}
}
