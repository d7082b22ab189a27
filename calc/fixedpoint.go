package calc

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

// Exact fixed-point arithmetic for the hot paths of a footprint (a line's
// terms and sums, the bid's totals), with no allocation per operation.
//
// A value is an int64 coefficient and a decimal exponent — exactly the
// decimal coefficient × 10^exp — as long as every result fits an int64;
// the first operation that would not fit falls back to decimal.Decimal and
// stays there. Each result is the very decimal (value and exponent) that
// shopspring/decimal's Mul and the engine's addDec give for the same
// operands: Mul adds the exponents, Add aligns on the smaller exponent,
// and addDec keeps the other operand as it is when one is zero. The
// differential tests (fixedpoint_test.go) hold every operation to the
// decimal path; the big.Rat oracle (TestOracle) holds the engine to exact
// arithmetic.

// fx is an exact decimal: coefficient c × 10^exp when small, else d.
type fx struct {
	c     int64
	exp   int32
	small bool
	d     decimal.Decimal
}

// maxSmallDigits is the number of decimal digits an fx coefficient taken
// from a decimal may have: any 18-digit number fits an int64.
const maxSmallDigits = 18

// fxOf is d as an fx: small when its coefficient has at most 18 digits.
func fxOf(d decimal.Decimal) fx {
	if d.NumDigits() <= maxSmallDigits { // allocation-free for int64 coefficients
		return fx{c: d.CoefficientInt64(), exp: d.Exponent(), small: true}
	}
	return fx{d: d}
}

// dec is the value as a decimal.
func (a fx) dec() decimal.Decimal {
	if !a.small {
		return a.d
	}
	return decimal.New(a.c, a.exp)
}

// isZero reports whether the value is zero.
func (a fx) isZero() bool {
	if a.small {
		return a.c == 0
	}
	return a.d.IsZero()
}

// pow10s are the powers of ten that fit an int64 (a table, read only).
var pow10s = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// mul64 is a × b when it fits an int64.
func mul64(a, b int64) (int64, bool) {
	if a == math.MinInt64 || b == math.MinInt64 {
		return 0, false
	}
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = uint64(-a)
	}
	if b < 0 {
		ub = uint64(-b)
	}
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

// add64 is a + b when it fits an int64.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// scale64 is c × 10^k (k ≥ 0) when it fits an int64.
func scale64(c int64, k int64) (int64, bool) {
	if k == 0 {
		return c, true
	}
	if k >= int64(len(pow10s)) {
		return 0, c == 0
	}
	return mul64(c, pow10s[k])
}

// mulFx is a × b, as a.dec().Mul(b.dec()) gives it.
func mulFx(a, b fx) fx {
	if a.small && b.small {
		e := int64(a.exp) + int64(b.exp)
		if c, ok := mul64(a.c, b.c); ok && e >= math.MinInt32 && e <= math.MaxInt32 {
			return fx{c: c, exp: int32(e), small: true}
		}
	}
	return fx{d: a.dec().Mul(b.dec())}
}

// sum accumulates values as a chain of addDec from the zero decimal does:
// a zero addend leaves the sum as it is, a sum that is zero becomes the
// addend as it is (its exponent too), and otherwise the two are added on
// the smaller exponent. Its zero value is the empty sum.
type sum struct {
	acc fx
	// one is the decimal of the only addend so far (n == 1, hasOne), when
	// the caller had it: returned as it is, so that a sum of one term
	// allocates nothing more.
	one    decimal.Decimal
	hasOne bool
	n      int
}

// add adds a, whose decimal is ad when the caller has it (else zero and
// hasDec false: a sum kept only in fixed point makes no decimal).
func (s *sum) add(a fx, ad decimal.Decimal, hasDec bool) {
	if a.isZero() {
		return
	}
	if s.n == 0 || s.acc.isZero() {
		s.acc, s.n = a, 1
		s.one, s.hasOne = ad, hasDec
		return
	}
	s.n++
	if s.acc.small && a.small {
		e := min(s.acc.exp, a.exp)
		x, ok1 := scale64(s.acc.c, int64(s.acc.exp)-int64(e))
		y, ok2 := scale64(a.c, int64(a.exp)-int64(e))
		if ok1 && ok2 {
			if c, ok := add64(x, y); ok {
				s.acc = fx{c: c, exp: e, small: true}
				return
			}
		}
	}
	s.acc = fx{d: s.acc.dec().Add(a.dec())}
}

// addDec adds a decimal.
func (s *sum) addDec(d decimal.Decimal) { s.add(fxOf(d), d, true) }

// value is the sum as a decimal: the zero decimal for an empty sum, the
// one addend as given for a sum of one (its fixed point's decimal, the
// same value and exponent, when it was not given).
func (s *sum) value() decimal.Decimal {
	switch {
	case s.n == 0:
		return decimal.Decimal{}
	case s.n == 1 && s.hasOne:
		return s.one
	}
	return s.acc.dec()
}

// fxValue is the sum as an fx.
func (s *sum) fxValue() fx {
	if s.n == 0 {
		return fx{small: true}
	}
	return s.acc
}

// gasAcc is a bid's sums for one gas.
type gasAcc struct {
	ga       GasAmount
	kg, co2e sum
}

// gasAccs are a bid's gas sums: a few, found by a linear scan.
type gasAccs []gasAcc

func (a gasAccs) find(g factors.Gas) *gasAcc {
	for i := range a {
		if a[i].ga.Gas == string(g) {
			return &a[i]
		}
	}
	return nil
}

// stageAcc is a bid's sum for one stage.
type stageAcc struct {
	stage string
	s     sum
}

// stageAccs are a bid's stage sums: a few, found by a linear scan.
type stageAccs []stageAcc

// get returns the stage's sum, nil when it has none.
func (a stageAccs) get(stage string) *sum {
	for i := range a {
		if a[i].stage == stage {
			return &a[i].s
		}
	}
	return nil
}

// find returns the stage's sum, adding an empty one for a new stage.
func (a *stageAccs) find(stage string) *sum {
	for i := range *a {
		if (*a)[i].stage == stage {
			return &(*a)[i].s
		}
	}
	*a = append(*a, stageAcc{stage: stage})
	return &(*a)[len(*a)-1].s
}
