package batch

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
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
		v := fixedVal{p: u128{r.Uint64() >> 1, r.Uint64()}, exp: -int32(r.IntN(70))}
		if i%3 == 0 {
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
