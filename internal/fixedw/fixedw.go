// Package fixedw writes fixed-point amounts (an int64 coefficient and a
// number of decimal places) as decimal.Decimal.StringFixed writes them,
// without a decimal or an allocation: the footprint report (calc) and the
// tender ranking (tender) both keep their rounded amounts so when they
// fit, and each is held to StringFixed by its own tests.
package fixedw

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"
)

// MaxPlaces is the most places a coefficient is scaled to (10^18 is the
// largest power of ten an int64 holds).
const MaxPlaces = 18

// AppendCoef appends c × 10^-places with exactly places decimals, as
// StringFixed writes it (c is not math.MinInt64; places ≥ 0).
func AppendCoef(b []byte, c int64, places int32) []byte {
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var digits [24]byte
	ds := strconv.AppendInt(digits[:0], c, 10)
	if places == 0 {
		return append(b, ds...)
	}
	if zeros := int(places) - len(ds); zeros >= 0 { // no integer digit: "0." and zeros
		b = append(b, '0', '.')
		for range zeros {
			b = append(b, '0')
		}
		return append(b, ds...)
	}
	cut := len(ds) - int(places)
	b = append(b, ds[:cut]...)
	b = append(b, '.')
	return append(b, ds[cut:]...)
}

// Scaled is d × 10^places as an int64, with no allocation, when d has at
// most places decimals (0 ≤ places ≤ MaxPlaces) and the result fits: ok
// whenever it has at most 18 digits, and never for math.MinInt64 (which
// AppendCoef cannot write); ok is false otherwise.
func Scaled(d decimal.Decimal, places int32) (c int64, ok bool) {
	exp := d.Exponent()
	if places < 0 || places > MaxPlaces || exp < -places || d.NumDigits() > MaxPlaces {
		return 0, false
	}
	c = d.CoefficientInt64()
	for k := int64(exp) + int64(places); k > 0; k-- {
		if c > math.MaxInt64/10 || c < -math.MaxInt64/10 {
			return 0, false
		}
		c *= 10
	}
	return c, true
}
