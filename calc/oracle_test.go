package calc

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// The oracle recomputes every line with math/big.Rat straight from the
// published values and the unit definitions, and checks the engine's
// unrounded results: equal exactly where the quotient terminates, and equal
// to the exact value rounded half-even at division_places otherwise.

func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("oracle: bad number %q", s)
	}
	return r
}

func ratDec(t testing.TB, d decimal.Decimal) *big.Rat { return rat(t, d.String()) }

// expectDecimal is what the engine must give for quantity × perUnit: exact
// when the per-unit ratio's decimal expansion terminates, else the exact
// product rounded half-even at places (the one division of the line).
func expectDecimal(q, perUnit *big.Rat, places int32) *big.Rat {
	r := new(big.Rat).Mul(q, perUnit)
	d := new(big.Int).Set(perUnit.Denom())
	for _, p := range []int64{2, 5} {
		pp := big.NewInt(p)
		m := new(big.Int)
		for m.Mod(d, pp).Sign() == 0 {
			d.Div(d, pp)
		}
	}
	if d.Cmp(big.NewInt(1)) == 0 {
		return r
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	n, rem := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	// Compare 2|rem| with denom.
	twice := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
	c := twice.Cmp(scaled.Denom())
	if c > 0 || (c == 0 && n.Bit(0) == 1) {
		if scaled.Sign() < 0 {
			n.Sub(n, big.NewInt(1))
		} else {
			n.Add(n, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(n, scale)
}

type oracleWorld struct {
	lib *factors.Library
	reg *methods.Registry
	eng *Engine
}

func newOracleWorld(t testing.TB) oracleWorld {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return oracleWorld{lib, reg, NewEngine(lib)}
}

var unitsByDim = map[factors.Dimension][]string{
	factors.Energy:  {"J", "kJ", "MJ", "GJ", "TJ", "Wh", "kWh", "MWh", "GWh", "Btu", "mmBtu", "therm"},
	factors.Mass:    {"g", "kg", "t", "lb", "short_ton", "long_ton", "Gg"},
	factors.Volume:  {"L", "m3", "gal_us", "scf", "bbl"},
	factors.Freight: {"t.km", "short_ton.mi"},
	factors.Area:    {"m2", "ft2"},
	factors.Count:   {"piece"},
}

func randQuantity(rng *rand.Rand) string {
	whole := rng.IntN(1_000_000)
	switch rng.IntN(3) {
	case 0:
		return fmt.Sprint(whole)
	case 1:
		return fmt.Sprintf("%d.%d", whole, rng.IntN(10))
	}
	return fmt.Sprintf("%d.%04d", whole, rng.IntN(10000))
}

// reachable is a factor a method can reach and a region a line may name
// to reach it: the factor's own, or for a host rule's global default the
// rule's region.
type reachable struct {
	f      *factors.Factor
	region string
}

// reachableFactors lists the factors of the method's own datasets and of
// its host_data rules (those a rule serves).
func reachableFactors(w oracleWorld, m *methods.Method) []reachable {
	var out []reachable
	for _, ref := range m.Datasets {
		d, _ := w.lib.Dataset(ref)
		for _, f := range d.Factors {
			out = append(out, reachable{f, f.Region})
		}
	}
	for _, h := range m.HostData {
		for _, ref := range h.Datasets {
			d, _ := w.lib.Dataset(ref)
			for _, f := range d.Factors {
				switch {
				case h.Matches(f.Activity, w.lib.Chain(f.Region)):
					out = append(out, reachable{f, f.Region})
				case f.Region == "GLO" && h.Matches(f.Activity, w.lib.Chain(h.Regions[0])):
					out = append(out, reachable{f, h.Regions[0]})
				}
			}
		}
	}
	return out
}

// hasRatio reports whether the method converts activity from one basis to
// the other.
func hasRatio(m *methods.Method, activity string, from, to factors.Basis) bool {
	for _, h := range m.HeatingValue {
		if h.Activity == activity && h.From == from && h.To == to {
			return true
		}
	}
	return false
}

// genBid makes a random bid over the factors the method can reach, own and
// host, with energy quantities on the other basis where the method has a
// ratio for it.
func genBid(rng *rand.Rand, w oracleWorld, m *methods.Method, n int) Bid {
	fs := reachableFactors(w, m)
	var convertible []reachable
	for _, rf := range fs {
		if rf.f.Basis != "" {
			convertible = append(convertible, rf)
		}
	}
	var mats []factors.Activity
	for _, a := range w.lib.Activities() {
		if strings.HasPrefix(a.Key, "material.") {
			mats = append(mats, a)
		}
	}
	b := Bid{Reference: "ORACLE", Supplier: "gen"}
	for i := range n {
		l := Line{ID: fmt.Sprint(i + 1), Quantity: decimal.RequireFromString(randQuantity(rng))}
		if rng.IntN(5) == 0 {
			a := mats[rng.IntN(len(mats))]
			dim := a.Dimensions[rng.IntN(len(a.Dimensions))]
			us := unitsByDim[dim]
			l.Activity, l.Region, l.Unit = a.Key, "US", us[rng.IntN(len(us))]
			l.Factor = &ProductFactor{KgCO2e: decimal.RequireFromString(randQuantity(rng)), Per: us[rng.IntN(len(us))], Reference: "EPD-" + l.ID}
		} else {
			rf := fs[rng.IntN(len(fs))]
			if len(m.HeatingValue) > 0 && rng.IntN(3) == 0 {
				rf = convertible[rng.IntN(len(convertible))] // an energy quantity a ratio may convert
			}
			f := rf.f
			a, _ := w.lib.Activity(f.Activity)
			dim := a.Dimensions[rng.IntN(len(a.Dimensions))]
			if rf.f.Basis != "" && rng.IntN(2) == 0 {
				dim = factors.Energy
			}
			us := unitsByDim[dim]
			l.Activity, l.Region, l.Unit = f.Activity, rf.region, us[rng.IntN(len(us))]
			if l.Region == "GLO" && rng.IntN(2) == 0 {
				l.Region = "FR"
			}
			if dim == factors.Energy && f.Basis != "" {
				l.Basis = string(f.Basis)
				other := factors.HHV
				if f.Basis == factors.HHV {
					other = factors.NCV
				}
				if hasRatio(m, f.Activity, other, f.Basis) && rng.IntN(4) != 0 {
					l.Basis = string(other) // converted with the method's ratio
				}
			}
			if strings.HasPrefix(l.Activity, "material.") && !m.ProductFactors.Requires(l.Activity) && rng.IntN(3) == 0 {
				l.Factor = nil
			}
		}
		b.Lines = append(b.Lines, l)
	}
	return b
}

// oracleTerm computes kg of one gas exactly.
func oracleKg(t testing.TB, w oracleWorld, m *methods.Method, l Line, f *factors.Factor, g factors.GasValue) *big.Rat {
	u, err := w.lib.Units.Parse(l.Unit)
	if err != nil {
		t.Fatal(err)
	}
	q := big.NewRat(1, 1)  // per unit of input; the caller multiplies by the quantity
	amount := new(big.Rat) // quantity in the factor's unit
	if u.Dimension == f.Per.Dimension {
		amount.Mul(q, ratDec(t, u.Base))
		amount.Quo(amount, ratDec(t, f.Per.Base))
		inBasis := factors.Basis(l.Basis)
		if inBasis == "" {
			inBasis = u.DefaultBasis
		}
		if u.Dimension == factors.Energy && f.Basis != "" && inBasis != f.Basis {
			amount.Mul(amount, oracleRatio(t, w, m, l.Activity, inBasis, f.Basis))
		}
	} else {
		var hc *factors.HeatContent
		for _, ref := range heatContentSets(w, m, l, f) {
			d, _ := w.lib.Dataset(ref)
			for i := range d.HeatContents {
				if h := &d.HeatContents[i]; hc == nil && h.Activity == l.Activity && h.Per.Dimension == u.Dimension {
					hc = h
				}
			}
		}
		if hc == nil {
			t.Fatalf("oracle: no heat content for line %+v", l)
		}
		amount.Mul(q, ratDec(t, u.Base))
		amount.Quo(amount, ratDec(t, hc.Per.Base))
		amount.Mul(amount, rat(t, hc.Published))
		amount.Mul(amount, ratDec(t, hc.Energy.Base))
		amount.Quo(amount, ratDec(t, f.Per.Base))
		if f.Basis != "" && hc.Basis != f.Basis {
			amount.Mul(amount, oracleRatio(t, w, m, l.Activity, hc.Basis, f.Basis))
		}
	}
	kg := new(big.Rat).Mul(amount, rat(t, g.Published))
	return kg.Mul(kg, ratDec(t, g.Mass.Base))
}

// heatContentSets is where the engine must look for a heat content: the
// datasets of the host rule that served the line's factor, then the
// method's own.
func heatContentSets(w oracleWorld, m *methods.Method, l Line, f *factors.Factor) []string {
	for _, h := range m.HostData {
		if !h.Matches(l.Activity, w.lib.Chain(l.Region)) {
			continue
		}
		for _, ref := range h.Datasets {
			if ref == f.Dataset {
				return append(append([]string{}, h.Datasets...), m.Datasets...)
			}
		}
		break
	}
	return m.Datasets
}

// oracleRatio is the method's HHV/NCV ratio from one basis to the other,
// recomputed here: an inline ratio as written, or the published pair's
// quotient (gross/net for HHV→NCV) rounded half to even at division_places.
func oracleRatio(t testing.TB, w oracleWorld, m *methods.Method, activity string, from, to factors.Basis) *big.Rat {
	for _, h := range m.HeatingValue {
		if h.Activity != activity || h.From != from || h.To != to {
			continue
		}
		if h.Dataset == "" {
			return ratDec(t, h.Ratio.Decimal)
		}
		d, err := w.lib.Dataset(h.Dataset)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.CVPairs {
			if p.ID != h.Row {
				continue
			}
			num, den := rat(t, p.GrossPublished), rat(t, p.NetPublished)
			if from == factors.NCV {
				num, den = den, num
			}
			return roundHalfEven(new(big.Rat).Quo(num, den), m.Rounding.DivisionPlaces)
		}
	}
	t.Fatalf("oracle: %s has no %s→%s ratio for %s", m.Ref(), from, to, activity)
	return nil
}

// roundHalfEven rounds r half to even at places.
func roundHalfEven(r *big.Rat, places int32) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	s := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	n, rem := new(big.Int).QuoRem(s.Num(), s.Denom(), new(big.Int))
	if c := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)).Cmp(s.Denom()); c > 0 || (c == 0 && n.Bit(0) == 1) {
		if s.Sign() < 0 {
			n.Sub(n, big.NewInt(1))
		} else {
			n.Add(n, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(n, scale)
}

func TestOracle(t *testing.T) {
	w := newOracleWorld(t)
	rng := rand.New(rand.NewPCG(2026, 11))
	checked, converted, hosted := 0, 0, 0
	for _, ref := range []string{"us-federal@2025.1", "eu-gpp@2025.1", "us-federal@2025.2", "eu-gpp@2025.2"} {
		m, err := w.reg.Resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := w.eng.Plan(m)
		if err != nil {
			t.Fatal(err)
		}
		gwp := plan.GWPSet()
		for iter := range 60 {
			bid := genBid(rng, w, m, 1+rng.IntN(25))
			fp, _ := plan.Calculate(bid)
			if fp == nil {
				t.Fatalf("%s: no footprint for generated bid %d", ref, iter)
			}
			total := new(big.Rat)
			for i, lr := range fp.Lines {
				l := bid.Lines[i]
				if lr.Status != StatusOK {
					continue
				}
				lineTotal := new(big.Rat)
				converted += len(lr.BasisConversions)
				if lr.DataOrigin == OriginHost {
					hosted++
				}
				for _, tr := range lr.terms {
					var want *big.Rat
					if l.Factor != nil {
						per, _ := w.lib.Units.Parse(l.Factor.Per)
						u, _ := w.lib.Units.Parse(l.Unit)
						want = new(big.Rat).Set(ratDec(t, u.Base))
						want.Mul(want, ratDec(t, l.Factor.KgCO2e))
						want.Quo(want, ratDec(t, per.Base))
					} else {
						f, err := w.lib.Factor(tr.factorID)
						if err != nil {
							t.Fatal(err)
						}
						var gv *factors.GasValue
						for j := range f.Gases {
							if f.Gases[j].Gas == tr.gas {
								gv = &f.Gases[j]
							}
						}
						want = oracleKg(t, w, m, l, f, *gv)
					}
					want = expectDecimal(ratDec(t, l.Quantity), want, m.Rounding.DivisionPlaces)
					if got := ratDec(t, tr.kg); got.Cmp(want) != 0 {
						t.Fatalf("%s line %+v gas %s: engine %s, oracle %s", ref, l, tr.gas, tr.kg, want.FloatString(24))
					}
					co2e := new(big.Rat)
					if tr.counted {
						gv, _ := gwp.Lookup(tr.gas)
						co2e.Mul(want, rat(t, gv.Published))
					}
					if got := ratDec(t, tr.co2e); got.Cmp(co2e) != 0 {
						t.Fatalf("%s line %s gas %s: co2e engine %s, oracle %s", ref, l.ID, tr.gas, tr.co2e, co2e.FloatString(24))
					}
					lineTotal.Add(lineTotal, co2e)
					checked++
				}
				if got := ratDec(t, lr.KgCO2e); got.Cmp(lineTotal) != 0 {
					t.Fatalf("%s line %s: total %s, oracle %s", ref, l.ID, lr.KgCO2e, lineTotal.FloatString(24))
				}
				total.Add(total, lineTotal)
			}
			if got := ratDec(t, fp.Total.KgCO2e); got.Cmp(total) != 0 {
				t.Fatalf("%s bid %d: total %s, oracle %s", ref, iter, fp.Total.KgCO2e, total.FloatString(24))
			}
		}
	}
	if checked < 1000 || converted < 50 || hosted < 50 {
		t.Errorf("oracle checked only %d terms, %d HHV/NCV conversions, %d host-data lines", checked, converted, hosted)
	}
}

func TestDivHalfEven(t *testing.T) {
	tests := []struct {
		num, den string
		places   int32
		want     string
	}{
		{"1", "3", 4, "0.3333"},
		{"2", "3", 4, "0.6667"},
		{"1", "8", 2, "0.12"},   // 0.125 -> even
		{"3", "8", 2, "0.38"},   // 0.375 -> even
		{"-1", "8", 2, "-0.12"}, // half to even, negative
		{"-2", "3", 2, "-0.67"},
		{"10", "4", 0, "2"}, // 2.5 -> 2
		{"14", "4", 0, "4"}, // 3.5 -> 4
	}
	for _, tt := range tests {
		got := divHalfEven(decimal.RequireFromString(tt.num), decimal.RequireFromString(tt.den), tt.places)
		if !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("divHalfEven(%s, %s, %d) = %s, want %s", tt.num, tt.den, tt.places, got, tt.want)
		}
	}
}

// TestFixedText checks the fast fixed-point printer against StringFixed.
func TestFixedText(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, r := range []methods.Rounding{{Places: 3, Mode: methods.HalfEven}, {Places: 0, Mode: methods.HalfUp}, {Places: 6, Mode: methods.HalfUp}} {
		for range 20000 {
			s := fmt.Sprintf("%d.%d", rng.Int64N(1_000_000_000_000)-500_000_000_000, rng.Int64N(1_000_000_000_000))
			if rng.IntN(5) == 0 {
				s = fmt.Sprintf("%d", rng.Int64()-rng.Int64())
			}
			d := decimal.RequireFromString(s)
			f := NewFixed(d, r)
			want := r.Round(d).StringFixed(r.Places)
			if want != d.RoundBank(r.Places).StringFixed(r.Places) && r.Mode == methods.HalfEven {
				t.Fatalf("Round(%s) = %s, RoundBank gives %s", s, want, d.RoundBank(r.Places).StringFixed(r.Places))
			}
			if r.Mode == methods.HalfUp && want != d.Round(r.Places).StringFixed(r.Places) {
				t.Fatalf("half-up Round(%s) = %s, decimal.Round gives %s", s, want, d.Round(r.Places).StringFixed(r.Places))
			}
			if got := f.String(); got != want {
				t.Fatalf("Fixed(%s, %d places) = %s, want %s", s, r.Places, got, want)
			}
		}
	}
	for _, s := range []string{"0", "0.0004", "-0.0004", "-0.0005", "0.0005", "0.0015", "1e3", "-7"} {
		r := methods.Rounding{Places: 3, Mode: methods.HalfEven}
		if got, want := NewFixed(decimal.RequireFromString(s), r).String(), decimal.RequireFromString(s).RoundBank(3).StringFixed(3); got != want {
			t.Errorf("Fixed(%s) = %s, want %s", s, got, want)
		}
	}
}
