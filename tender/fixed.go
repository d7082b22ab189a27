package tender

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/internal/fixedw"
	"github.com/footprint-gpp/footprint/methods"
)

// Fixed is a reported amount: rounded by a rule and written with exactly
// the rule's places ("12.50"). Unlike calc.Fixed it also reads its text
// back (keeping the places written), so a stored evaluation decodes to the
// same value and re-encodes to the same bytes and digest.
//
// An amount whose value × 10^places fits an int64 (every price and
// footprint a tender sees in practice) is kept as that integer, without a
// decimal: a ranking of 50,000 rows then holds no big.Int for the garbage
// collector to trace, and is written without allocating.
type Fixed struct {
	d      decimal.Decimal // the value, unless small
	places int32
	c      int64 // the value × 10^places, when small
	small  bool
}

// NewFixed rounds d by r and keeps r's places for printing.
func NewFixed(d decimal.Decimal, r methods.Rounding) Fixed {
	return fixedOf(r.Round(d), r.Places)
}

// fixedOf is the Fixed of a value d that has at most places decimals.
func fixedOf(d decimal.Decimal, places int32) Fixed {
	if c, ok := fixedw.Scaled(d, places); ok {
		return Fixed{places: places, c: c, small: true}
	}
	return Fixed{d: d, places: places}
}

// Decimal is the rounded value.
func (f Fixed) Decimal() decimal.Decimal {
	if f.small {
		return decimal.New(f.c, -f.places)
	}
	return f.d
}

// String writes the value with its places.
func (f Fixed) String() string { return string(f.appendText(nil)) }

// appendText appends String's text.
func (f Fixed) appendText(b []byte) []byte {
	if f.small {
		return fixedw.AppendCoef(b, f.c, f.places)
	}
	return append(b, f.d.StringFixed(f.places)...)
}

// MarshalText writes String.
func (f Fixed) MarshalText() ([]byte, error) { return f.appendText(nil), nil }

// UnmarshalText reads a plain decimal ("12.50"); its places are the digits
// after the point.
func (f *Fixed) UnmarshalText(b []byte) error {
	if len(b) > 64 {
		return fmt.Errorf("%w: amount %s is too long", ErrInvalid, clip.Text(string(b)))
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil || bounded(d) != "" {
		return fmt.Errorf("%w: %q is not a reported amount", ErrInvalid, clip.Text(string(b)))
	}
	p := int32(0)
	if d.Exponent() < 0 {
		p = -d.Exponent()
	}
	*f = fixedOf(d, p)
	return nil
}
