package fixedw

import (
	"math"
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
)

// check fails t unless Scaled(d, places) is d × 10^places exactly when it
// says ok, and ok whenever that is a whole number of at most 18 digits
// (and places is in range), and AppendCoef writes d.StringFixed(places).
func check(t *testing.T, d decimal.Decimal, places int32) {
	t.Helper()
	c, ok := Scaled(d, places)
	exact := d.Shift(places)
	inRange := places >= 0 && places <= MaxPlaces && d.Exponent() >= -places
	mustOK := inRange && exact.Abs().Cmp(decimal.New(1, 18)) < 0
	if mustOK && !ok || ok && !inRange {
		t.Fatalf("Scaled(%s e%d, %d) ok = %v", d, d.Exponent(), places, ok)
	}
	if !ok {
		return
	}
	if c == math.MinInt64 || !decimal.NewFromInt(c).Equal(exact) {
		t.Fatalf("Scaled(%s, %d) = %d, want %s", d, places, c, exact)
	}
	if got, want := string(AppendCoef([]byte("x"), c, places)), "x"+d.StringFixed(places); got != want {
		t.Fatalf("AppendCoef(%d, %d) = %q, want %q", c, places, got, want)
	}
}

func TestScaledAndAppendCoef(t *testing.T) {
	for _, s := range []string{"0", "-0.00", "1", "-1", "0.05", "-0.05", "12.5", "125000", "1e3", "-1.5e2", "0.000000000000000001",
		"9223372036854775807", "-9223372036854775807", "-9223372036854775808", "922337203685477580.7", "92233720368547758.07",
		"99999999999999999.9", "999999999999999999", "1000000000000000000", "123456789012345678901234.5"} {
		d := decimal.RequireFromString(s)
		for places := int32(-1); places <= 20; places++ {
			check(t, d, places)
		}
	}
}

// FuzzScaled: for any coefficient, exponent and places, Scaled is exact
// and AppendCoef is StringFixed.
func FuzzScaled(f *testing.F) {
	f.Add(int64(125), int32(-1), int32(2))
	f.Add(int64(math.MaxInt64), int32(0), int32(0))
	f.Add(int64(math.MinInt64), int32(-18), int32(18))
	f.Add(int64(-922337203685477580), int32(1), int32(0))
	f.Fuzz(func(t *testing.T, coef int64, exp, places int32) {
		if exp < -40 || exp > 40 || places < -2 || places > 30 {
			return
		}
		check(t, decimal.NewFromBigInt(big.NewInt(coef), exp), places)
	})
}
