package calc

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// sameDec reports whether a and b are the same decimal: value and
// exponent (what Mul and addDec would have given).
func sameDec(a, b decimal.Decimal) bool { return a.Equal(b) && a.Exponent() == b.Exponent() }

// randFxDecimal is a decimal of 1 to 40 digits (mostly fewer than 19), of
// either sign, zero now and then, with an exponent in -25..+5.
func randFxDecimal(rng *rand.Rand) decimal.Decimal {
	if rng.IntN(10) == 0 {
		return decimal.New(0, int32(rng.IntN(10)-8))
	}
	n := 1 + rng.IntN(18)
	if rng.IntN(5) == 0 {
		n = 1 + rng.IntN(40)
	}
	var sb strings.Builder
	if rng.IntN(4) == 0 {
		sb.WriteByte('-')
	}
	sb.WriteByte(byte('1' + rng.IntN(9)))
	for i := 1; i < n; i++ {
		sb.WriteByte(byte('0' + rng.IntN(10)))
	}
	c := decimal.RequireFromString(sb.String())
	return decimal.NewFromBigInt(c.Coefficient(), int32(rng.IntN(31)-25))
}

// TestFxMatchesDecimal holds the fixed-point operations to the decimal
// ones they replace: mulFx to Mul, a sum to a chain of addDec from the
// zero decimal (values and exponents, through overflow into the decimal
// fallback and back to zero by cancellation).
func TestFxMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 5))
	for i := 0; i < 50000; i++ {
		a, b := randFxDecimal(rng), randFxDecimal(rng)
		if got, want := mulFx(fxOf(a), fxOf(b)).dec(), a.Mul(b); !sameDec(got, want) {
			t.Fatalf("mulFx(%s e%d, %s e%d) = %s e%d, Mul %s e%d", a, a.Exponent(), b, b.Exponent(), got, got.Exponent(), want, want.Exponent())
		}
	}
	for i := 0; i < 20000; i++ {
		var s sum
		var want decimal.Decimal
		var added []decimal.Decimal
		for n := rng.IntN(12); n >= 0; n-- {
			d := randFxDecimal(rng)
			if len(added) > 0 && rng.IntN(6) == 0 {
				d = want.Neg() // cancel to zero
			}
			added = append(added, d)
			want = addDec(want, d)
			if rng.IntN(2) == 0 {
				s.addDec(d)
			} else {
				s.add(fxOf(d), decimal.Decimal{}, false)
			}
			if got := s.value(); !sameDec(got, want) {
				t.Fatalf("sum of %v = %s e%d, addDec chain %s e%d", added, got, got.Exponent(), want, want.Exponent())
			}
			if got := s.fxValue().dec(); !got.Equal(want) {
				t.Fatalf("sum of %v as fx = %s, addDec chain %s", added, got, want)
			}
		}
	}
	var empty sum
	if got := empty.value(); !sameDec(got, decimal.Decimal{}) || !empty.fxValue().isZero() {
		t.Fatal("the empty sum is not the zero decimal")
	}
}

// FuzzFx: for any two decimals, mulFx is Mul and their sum is addDec's.
func FuzzFx(f *testing.F) {
	f.Add("1000", int32(0), "0.0534", int32(-2), "1", int32(0))
	f.Add("922337203685477580", int32(-3), "-922337203685477580", int32(5), "0", int32(-7))
	f.Fuzz(func(t *testing.T, as string, ae int32, bs string, be int32, cs string, ce int32) {
		var ds []decimal.Decimal
		for _, p := range []struct {
			s string
			e int32
		}{{as, ae}, {bs, be}, {cs, ce}} {
			c, err := decimal.NewFromString(p.s)
			if err != nil || p.e < -60 || p.e > 60 || len(p.s) > 60 {
				return
			}
			ds = append(ds, decimal.NewFromBigInt(c.Coefficient(), p.e))
		}
		if got, want := mulFx(fxOf(ds[0]), fxOf(ds[1])).dec(), ds[0].Mul(ds[1]); !sameDec(got, want) {
			t.Fatalf("mulFx = %s e%d, Mul %s e%d", got, got.Exponent(), want, want.Exponent())
		}
		var s sum
		var want decimal.Decimal
		for _, d := range ds {
			s.addDec(d)
			want = addDec(want, d)
		}
		if got := s.value(); !sameDec(got, want) {
			t.Fatalf("sum = %s e%d, addDec chain %s e%d", got, got.Exponent(), want, want.Exponent())
		}
	})
}

// decimalLine is Plan.line's arithmetic as it was before fixed point: the
// oracle the fixed-point line is held to. It returns the line's kg CO2e,
// its gases and stages, and its terms' kg and kg CO2e.
func decimalLine(p *Plan, l *Line, r *recipe) (total decimal.Decimal, gases []GasAmount, stages []StageAmount, kgs, co2es []decimal.Decimal) {
	q := l.Quantity
	places := p.method.Rounding.DivisionPlaces
	gases = make([]GasAmount, len(r.gasTemplate))
	copy(gases, r.gasTemplate)
	stages = make([]StageAmount, len(r.stages))
	for i, s := range r.stages {
		stages[i].Stage = s
	}
	for i := range r.terms {
		t := &r.terms[i]
		var kg decimal.Decimal
		if t.exact {
			kg = q.Mul(t.mult)
		} else {
			kg = divHalfEven(q.Mul(t.num), t.den, places)
		}
		var co2e decimal.Decimal
		if t.counted {
			co2e = kg.Mul(t.gwp)
		}
		kgs, co2es = append(kgs, kg), append(co2es, co2e)
		total = addDec(total, co2e)
		g := &gases[r.termGas[i]]
		g.Kg, g.KgCO2e = addDec(g.Kg, kg), addDec(g.KgCO2e, co2e)
		st := &stages[r.termStage[i]]
		st.KgCO2e = addDec(st.KgCO2e, co2e)
	}
	return total, gases, stages, kgs, co2es
}

// bigQuantity is a quantity that pushes products past an int64: many
// digits, up to the 1e15 bound.
func bigQuantity(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%d.%018d", rng.Int64N(1_000_000_000_000_000), rng.Int64N(1_000_000_000_000_000_000))
	case 1:
		return fmt.Sprintf("0.%018d%018d", rng.Int64N(1_000_000_000_000_000_000), rng.Int64N(1_000_000_000_000_000_000))
	case 2:
		return "0"
	}
	return fmt.Sprint(rng.Int64N(1_000_000_000_000_000))
}

// TestFixedPointMatchesDecimalEngine holds the engine's fixed-point
// arithmetic to the decimal arithmetic it replaced, on generated bids
// under every built-in method, with ordinary and very large quantities:
// every line amount, gas, stage and term, and the bid's total, gases and
// stages are the same decimals (value and exponent).
func TestFixedPointMatchesDecimalEngine(t *testing.T) {
	w := newOracleWorld(t)
	rng := rand.New(rand.NewPCG(2026, 12))
	checked := 0
	for _, m := range w.reg.All() {
		plan, err := w.eng.Plan(m)
		if err != nil {
			t.Fatal(err)
		}
		for iter := range 40 {
			bid := genBid(rng, w, m, 1+rng.IntN(25))
			if iter%2 == 1 {
				for i := range bid.Lines {
					bid.Lines[i].Quantity = decimal.RequireFromString(bigQuantity(rng))
				}
			}
			fp, _ := plan.Calculate(bid)
			if fp == nil {
				continue
			}
			var total decimal.Decimal
			gasKg, gasCO2e, stageTot := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
			for i, lr := range fp.Lines {
				if lr.Status != StatusOK {
					continue
				}
				wantTotal, wantGases, wantStages, kgs, co2es := decimalLine(plan, &bid.Lines[i], lr.recipe)
				if !sameDec(lr.KgCO2e, wantTotal) {
					t.Fatalf("%s line %d: kg CO2e %s e%d, decimal path %s e%d", m.Ref(), i, lr.KgCO2e, lr.KgCO2e.Exponent(), wantTotal, wantTotal.Exponent())
				}
				for g := range wantGases {
					if !sameDec(lr.Gases[g].Kg, wantGases[g].Kg) || !sameDec(lr.Gases[g].KgCO2e, wantGases[g].KgCO2e) {
						t.Fatalf("%s line %d gas %s: %+v, decimal path %+v", m.Ref(), i, wantGases[g].Gas, lr.Gases[g], wantGases[g])
					}
				}
				for s := range wantStages {
					if !sameDec(lr.Stages[s].KgCO2e, wantStages[s].KgCO2e) {
						t.Fatalf("%s line %d stage %s: %s, decimal path %s", m.Ref(), i, wantStages[s].Stage, lr.Stages[s].KgCO2e, wantStages[s].KgCO2e)
					}
				}
				for k, tr := range lr.terms {
					if !sameDec(tr.kg, kgs[k]) || !sameDec(tr.co2e, co2es[k]) || !tr.kgFx.dec().Equal(tr.kg) || !tr.co2eFx.dec().Equal(tr.co2e) {
						t.Fatalf("%s line %d term %d: kg %s co2e %s, decimal path %s %s", m.Ref(), i, k, tr.kg, tr.co2e, kgs[k], co2es[k])
					}
					gasKg[string(tr.gas)] = addDec(gasKg[string(tr.gas)], tr.kg)
					gasCO2e[string(tr.gas)] = addDec(gasCO2e[string(tr.gas)], tr.co2e)
					stageTot[tr.stage] = addDec(stageTot[tr.stage], tr.co2e)
				}
				total = addDec(total, lr.KgCO2e)
				checked++
			}
			if !sameDec(fp.Total.KgCO2e, total) {
				t.Fatalf("%s bid %d: total %s e%d, decimal path %s e%d", m.Ref(), iter, fp.Total.KgCO2e, fp.Total.KgCO2e.Exponent(), total, total.Exponent())
			}
			for _, g := range fp.ByGas {
				if !sameDec(g.Kg, gasKg[g.Gas]) || !sameDec(g.KgCO2e, gasCO2e[g.Gas]) {
					t.Fatalf("%s bid %d gas %s: %s / %s, decimal path %s / %s", m.Ref(), iter, g.Gas, g.Kg, g.KgCO2e, gasKg[g.Gas], gasCO2e[g.Gas])
				}
			}
			if len(fp.ByGas) != len(gasKg) || len(fp.ByStage) != len(stageTot) {
				t.Fatalf("%s bid %d: %d gases, %d stages; decimal path %d, %d", m.Ref(), iter, len(fp.ByGas), len(fp.ByStage), len(gasKg), len(stageTot))
			}
			for _, s := range fp.ByStage {
				if !sameDec(s.KgCO2e, stageTot[s.Stage]) {
					t.Fatalf("%s bid %d stage %s: %s, decimal path %s", m.Ref(), iter, s.Stage, s.KgCO2e, stageTot[s.Stage])
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d lines computed", checked)
	}
}

// TestNewFixedSmallMatchesRound holds NewFixed's int64 rounding to the
// rule's Round (the decimal path it replaces): the same decimal (value
// and exponent) from Decimal, the same text as StringFixed, for both
// modes, places 0 to 18 and decimals of every size and exponent.
func TestNewFixedSmallMatchesRound(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 19))
	for i := 0; i < 100000; i++ {
		d := randFxDecimal(rng)
		r := methods.Rounding{Places: int32(rng.IntN(8)), Mode: methods.HalfEven}
		if rng.IntN(2) == 0 {
			r.Mode = methods.HalfUp
		}
		if rng.IntN(20) == 0 {
			r.Places = int32(rng.IntN(20))
		}
		checkFixed(t, d, r)
	}
	for _, s := range []string{"0.0005", "-0.0005", "0.0015", "-0.0015", "0.00049999", "922337203685477580.7", "-922337203685477580.75", "99999999999999999.9995"} {
		for _, mode := range []string{methods.HalfEven, methods.HalfUp} {
			checkFixed(t, decimal.RequireFromString(s), methods.Rounding{Places: 3, Mode: mode})
		}
	}
}

func checkFixed(t testing.TB, d decimal.Decimal, r methods.Rounding) {
	t.Helper()
	f, want := NewFixed(d, r), r.Round(d)
	if got := f.Decimal(); !sameDec(got, want) {
		t.Fatalf("NewFixed(%s e%d, %+v).Decimal() = %s e%d, Round %s e%d", d, d.Exponent(), r, got, got.Exponent(), want, want.Exponent())
	}
	if got, wantText := f.String(), want.StringFixed(r.Places); got != wantText {
		t.Fatalf("NewFixed(%s e%d, %+v) = %q, want %q", d, d.Exponent(), r, got, wantText)
	}
}

// FuzzNewFixed: for any decimal and rule, NewFixed is Round and
// StringFixed.
func FuzzNewFixed(f *testing.F) {
	f.Add("53114.5004", int32(0), int32(3), true)
	f.Add("-0.0005", int32(0), int32(3), false)
	f.Add("922337203685477580", int32(-2), int32(18), true)
	f.Fuzz(func(t *testing.T, s string, exp, places int32, halfUp bool) {
		c, err := decimal.NewFromString(s)
		if err != nil || len(s) > 60 || exp < -60 || exp > 60 || places < 0 || places > 30 {
			return
		}
		r := methods.Rounding{Places: places, Mode: methods.HalfEven}
		if halfUp {
			r.Mode = methods.HalfUp
		}
		checkFixed(t, decimal.NewFromBigInt(c.Coefficient(), exp), r)
	})
}

// oracleCheckQuantity is CheckQuantity as it was before its shortcut for
// quantities below 10^15: the oracle TestCheckQuantityShortcut holds it to.
func oracleCheckQuantity(q decimal.Decimal) error {
	if q.IsNegative() {
		return invalidf("%s is negative; quantities are zero or more", shown(q))
	}
	if q.Exponent() < -MaxDigits {
		return invalidf("more than %d decimal places", MaxDigits)
	}
	if q.IsZero() {
		return nil
	}
	n := q.NumDigits()
	if n > MaxDigits {
		return invalidf("%d significant digits; at most %d", n, MaxDigits)
	}
	if int64(n)+int64(q.Exponent()) > 16 {
		return invalidf("%s is larger than %s", shown(q), MaxQuantityAbs)
	}
	if q.Abs().Cmp(maxQuantity) > 0 {
		return invalidf("%s is larger than %s", shown(q), MaxQuantityAbs)
	}
	return nil
}

// TestCheckQuantityShortcut: CheckQuantity gives the oracle's answer on
// decimals around the 1e15 bound and of every size.
func TestCheckQuantityShortcut(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	qs := []decimal.Decimal{decimal.New(1, 15), decimal.New(10, 14), decimal.RequireFromString("999999999999999.9999"),
		decimal.RequireFromString("1000000000000000.0001"), decimal.RequireFromString("1000000000000000.000"), decimal.New(9999999999999999, -1)}
	for range 50000 {
		qs = append(qs, randFxDecimal(rng))
	}
	for _, q := range qs {
		got, want := CheckQuantity(q), oracleCheckQuantity(q)
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Fatalf("CheckQuantity(%s e%d) = %v, oracle %v", q, q.Exponent(), got, want)
		}
	}
}
