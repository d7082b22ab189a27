package batch

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// TestFixedAgainstDecimal checks the integer fast path — q × K, rounded
// half-even or half-up, printed — against shopspring/decimal.
func TestFixedAgainstDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		qs := strconv.FormatUint(r.Uint64N(1e15), 10)
		if n := r.IntN(4); n > 0 {
			qs += "." + fmt.Sprintf("%03d", r.IntN(1000))[:1+r.IntN(3)]
		}
		q, ok := parseFastQuantity(qs)
		if !ok {
			t.Fatalf("parse %q", qs)
		}
		kd := decimal.New(int64(r.Uint64N(1<<62)>>uint(r.IntN(62))), -int32(r.IntN(40)))
		k := newCoef(kd)
		if !k.ok {
			t.Fatalf("coef %s", kd)
		}
		v := q.times(k)
		exact := decimal.RequireFromString(qs).Mul(kd)
		if !v.decimal().Equal(exact) {
			t.Fatalf("%s × %s = %s, want %s", qs, kd, v.decimal(), exact)
		}
		places := int32(r.IntN(7))
		for _, halfUp := range []bool{false, true} {
			n, o := v.round(places, halfUp)
			if o {
				continue
			}
			want := exact.RoundBank(places)
			if halfUp {
				want = exact.Round(places)
			}
			if got := string(appendFixed(nil, n, int(places), false)); got != want.StringFixed(places) {
				t.Fatalf("round(%s, %d, halfUp=%v) = %s, want %s", exact, places, halfUp, got, want.StringFixed(places))
			}
		}
	}
}

// TestExactSum checks the lane sums, including overflow into the decimal spill.
func TestExactSum(t *testing.T) {
	var s exactSum
	var want decimal.Decimal
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 10000; i++ {
		v := fixedVal{p: u192{r.Uint64() >> 1, r.Uint64(), r.Uint64()}, exp: -int32(r.IntN(70))}
		switch i % 3 {
		case 0:
			v.p.hi, v.p.mid = 0, 0
		case 1:
			v.p.hi = 0
		}
		s.add(v)
		want = want.Add(v.decimal())
	}
	if got := s.total(); !got.Equal(want) {
		t.Fatalf("sum %s, want %s", got, want)
	}
}

func TestParseFastQuantity(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"1", true}, {" 12.50 ", true}, {"0.000", true}, {".5", true}, {"5.", true}, {"999999999999999.999", true},
		{"1000000000000000", false}, {"-1", false}, {"+1", false}, {"1e3", false}, {"1,5", false}, {"", false}, {".", false}, {"1.2.3", false},
		{"1234567890123456789", false}} {
		q, ok := parseFastQuantity(c.in)
		if ok != c.ok {
			t.Errorf("%q: ok=%v", c.in, ok)
			continue
		}
		if ok && !q.decimal().Equal(decimal.RequireFromString(strings.TrimSpace(c.in))) {
			t.Errorf("%q: %s", c.in, q.decimal())
		}
	}
}

// checkWide compares the 192-bit paths with the engine's decimal
// arithmetic for one quantity: q × K with a 128-bit K (pathExact128), and
// the division term round½even(q × num / den, at divPlaces) × g
// (pathDivision, as calc's Prepared.Kg and methods.DivHalfEven compute
// it), each rounded to places both ways and printed.
func checkWide(t *testing.T, qc uint64, qscale int32, k u128, kexp int32, num, den, g uint64, nexp int32, divPlaces, places int32) {
	t.Helper()
	q := quantity{c: qc % 1e18, scale: qscale % 19}
	qd := q.decimal()
	kd := decimal.NewFromBigInt(wide(k).bigInt(), -(kexp % 61))
	roundBoth := func(what string, v fixedVal, exact decimal.Decimal) {
		t.Helper()
		if !v.decimal().Equal(exact) {
			t.Fatalf("%s: %s, want %s", what, v.decimal(), exact)
		}
		for _, halfUp := range []bool{false, true} {
			want := exact.RoundBank(places)
			if halfUp {
				want = exact.Round(places)
			}
			n, o := v.round(places, halfUp)
			if o {
				if want.Coefficient().BitLen() <= 128 {
					t.Fatalf("%s: round(%s, %d) overflowed, want %s", what, exact, places, want)
				}
				continue
			}
			if got := string(appendFixed(nil, n, int(places), false)); got != want.StringFixed(places) {
				t.Fatalf("%s: round(%s, %d, halfUp=%v) = %s, want %s", what, exact, places, halfUp, got, want.StringFixed(places))
			}
		}
	}
	if wk := newWCoef(kd); wk.ok {
		roundBoth("q × K", q.timesWide(wk), qd.Mul(kd))
	} else if kd.Coefficient().BitLen() <= 128 {
		t.Fatalf("newWCoef(%s) refused a 128-bit coefficient", kd)
	}
	if den == 0 {
		den = 1
	}
	numD, denD, gD := decimal.New(int64(num>>1), nexp%20), decimal.New(int64(den>>1)+1, 0), decimal.New(int64(g%1000), -int32(g%4))
	it, ok := newITerm(false, decimal.Zero, numD, denD, gD)
	if !ok {
		return
	}
	v, ok := it.eval(q, divPlaces)
	if !ok {
		return
	}
	roundBoth("q × num / den × g", v, methods.DivHalfEven(qd.Mul(numD), denD, divPlaces).Mul(gD))
}

// TestWideAgainstDecimal checks the 192-bit paths against decimals on
// random quantities, 65- to 128-bit K and division terms.
func TestWideAgainstDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		k := u128{r.Uint64() >> uint(r.IntN(64)), r.Uint64()}
		checkWide(t, r.Uint64()>>uint(r.IntN(64)), int32(r.IntN(19)), k, int32(r.IntN(61)),
			r.Uint64(), r.Uint64()>>uint(r.IntN(64)), r.Uint64(), int32(r.IntN(20)), int32(6+r.IntN(20)), int32(r.IntN(7)))
	}
	// ties at every place, both ways: 5 × 10^-n
	for n := 1; n < 40; n++ {
		checkWide(t, 5, int32(min(n, 18)), u128{0, 1}, int32(max(n-18, 0)), 5, 10, 1, 0, 18, 0)
	}
}

// TestU192RoundDiv checks the rounding division with big integers, at
// every power of ten, on values of every width and on ties.
func TestU192RoundDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 50000; i++ {
		x := u192{r.Uint64() >> uint(r.IntN(65)), r.Uint64() >> uint(r.IntN(65)), r.Uint64()}
		n := 1 + r.IntN(62)
		if i%7 == 0 { // a tie: m × 10^n + 5 × 10^(n-1)
			n = 1 + r.IntN(19)
			x = u192{0, 0, (r.Uint64N(1e17)*10 + 5) * p10(n-1)}
		}
		for _, halfUp := range []bool{false, true} {
			got := x.roundDiv(n, halfUp).bigInt()
			want := decimal.NewFromBigInt(x.bigInt(), -int32(n))
			if halfUp {
				want = want.Round(0)
			} else {
				want = want.RoundBank(0)
			}
			if got.Cmp(want.BigInt()) != 0 {
				t.Fatalf("%v / 10^%d (halfUp %v) = %s, want %s", x.bigInt(), n, halfUp, got, want.BigInt())
			}
		}
	}
}

// FuzzFixed holds the integer paths of the batch's arithmetic (64-bit K,
// 128-bit K in 192 bits, division terms) to decimal arithmetic on any
// quantity, K, division term and rounding.
func FuzzFixed(f *testing.F) {
	f.Add(uint64(1234567), int32(2), uint64(7), uint64(3487933029296537081), int32(29), uint64(186), uint64(145997231821056), uint64(1), int32(11), int32(18), int32(3))
	f.Add(uint64(5), int32(1), uint64(0), uint64(1), int32(0), uint64(5), uint64(10), uint64(298), int32(0), int32(18), int32(0))
	f.Add(uint64(999999999999999999), int32(0), uint64(1<<63), uint64(1<<63), int32(0), uint64(1<<63), uint64(3), uint64(999), int32(19), int32(40), int32(6))
	f.Fuzz(func(t *testing.T, qc uint64, qscale int32, khi, klo uint64, kexp int32, num, den, g uint64, nexp, divPlaces, places int32) {
		abs := func(x int32) int32 {
			if x < 0 {
				return -(x + 1)
			}
			return x
		}
		checkWide(t, qc, abs(qscale), u128{khi, klo}, abs(kexp), num, den, g, abs(nexp), 6+abs(divPlaces)%35, abs(places)%10)
	})
}
