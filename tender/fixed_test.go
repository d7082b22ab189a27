package tender

import (
	"math/big"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// checkFixed fails t unless the Fixed of d under places (as NewFixed makes
// it, and as UnmarshalText reads its text back) is what a Fixed holding
// the rounded decimal itself was: the same value (Decimal), the same text
// (String, MarshalText, appendFixed) as StringFixed writes.
func checkFixed(t *testing.T, d decimal.Decimal, places int32, mode string) {
	t.Helper()
	r := methods.Rounding{Places: places, Mode: mode}
	rounded := r.Round(d)
	want := rounded.StringFixed(places)
	f := NewFixed(d, r)
	text, _ := f.MarshalText()
	if f.String() != want || string(text) != want || string(appendFixed(nil, f)) != `"`+want+`"` {
		t.Fatalf("NewFixed(%s e%d, %+v): String %q, MarshalText %q, want %q", d, d.Exponent(), r, f.String(), text, want)
	}
	if !f.Decimal().Equal(rounded) {
		t.Fatalf("NewFixed(%s, %+v).Decimal() = %s, want %s", d, r, f.Decimal(), rounded)
	}
	if len(want) > 64 || bounded(rounded) != "" {
		return // not a reported amount UnmarshalText reads
	}
	var back Fixed
	if err := back.UnmarshalText([]byte(want)); err != nil {
		t.Fatalf("UnmarshalText(%q): %v", want, err)
	}
	if back.String() != want || !back.Decimal().Equal(rounded) {
		t.Fatalf("UnmarshalText(%q) = %q (%s)", want, back.String(), back.Decimal())
	}
}

func TestFixedSmallMatchesDecimal(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "0.005", "-0.005", "0.015", "12.5", "125000", "1e3", "-1.5e2", "1234.5678",
		"9223372036854775807", "-9223372036854775808", "922337203685477580.75", "99999999999999999.995", "123456789012345678901234.5"} {
		for places := int32(0); places <= 20; places++ {
			for _, mode := range []string{methods.HalfEven, methods.HalfUp} {
				checkFixed(t, decimal.RequireFromString(s), places, mode)
			}
		}
	}
}

// FuzzFixed: for any decimal and rule, Fixed's value and text are the
// rounded decimal's.
func FuzzFixed(f *testing.F) {
	f.Add(int64(12345), int32(-3), int32(2), true)
	f.Add(int64(-922337203685477580), int32(0), int32(2), false)
	f.Add(int64(1), int32(20), int32(0), true)
	f.Fuzz(func(t *testing.T, coef int64, exp, places int32, halfUp bool) {
		if exp < -40 || exp > 40 || places < 0 || places > 24 {
			return
		}
		mode := methods.HalfEven
		if halfUp {
			mode = methods.HalfUp
		}
		checkFixed(t, decimal.NewFromBigInt(big.NewInt(coef), exp), places, mode)
	})
}
