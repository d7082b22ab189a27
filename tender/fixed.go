package tender

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// Fixed is a reported amount: rounded by a rule and written with exactly
// the rule's places ("12.50"). Unlike calc.Fixed it also reads its text
// back (keeping the places written), so a stored evaluation decodes to the
// same value and re-encodes to the same bytes and digest.
type Fixed struct {
	d      decimal.Decimal
	places int32
}

// NewFixed rounds d by r and keeps r's places for printing.
func NewFixed(d decimal.Decimal, r methods.Rounding) Fixed {
	return Fixed{d: r.Round(d), places: r.Places}
}

// Decimal is the rounded value.
func (f Fixed) Decimal() decimal.Decimal { return f.d }

// String writes the value with its places.
func (f Fixed) String() string { return f.d.StringFixed(f.places) }

// MarshalText writes String.
func (f Fixed) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

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
	*f = Fixed{d: d, places: p}
	return nil
}
