package calc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
)

var maxQuantity = decimal.RequireFromString(MaxQuantityAbs)

// checkBid checks what concerns the bid as a whole.
func checkBid(b Bid) []Problem {
	var probs []Problem
	if len(b.Lines) == 0 {
		probs = append(probs, Problem{Pointer: "/lines", Detail: "a bid needs at least one line", Err: factors.ErrInvalid})
	}
	if len(b.Lines) > MaxLines {
		probs = append(probs, Problem{Pointer: "/lines", Detail: fmt.Sprintf("%d lines: at most %d lines per bid (use batch for more)", len(b.Lines), MaxLines), Err: factors.ErrInvalid})
	}
	for _, f := range []struct{ ptr, v string }{{"/reference", b.Reference}, {"/supplier", b.Supplier}} {
		if msg := checkString(f.v); msg != "" {
			probs = append(probs, Problem{Pointer: f.ptr, Detail: msg, Err: factors.ErrInvalid})
		}
	}
	return probs
}

func checkString(s string) string {
	if len(s) > MaxStringLen {
		return fmt.Sprintf("%d bytes: at most %d", len(s), MaxStringLen)
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	return ""
}

// checkLine checks a line's fields before any lookup.
func checkLine(l *Line) error {
	for _, f := range []struct{ name, v string }{{"id", l.ID}, {"activity", l.Activity}, {"region", l.Region}, {"unit", l.Unit}, {"basis", l.Basis}, {"stage", l.Stage}} {
		if msg := checkString(f.v); msg != "" {
			return fieldErrf(f.name, factors.ErrInvalid, "%s", msg)
		}
	}
	for _, f := range []struct{ name, v string }{{"activity", l.Activity}, {"region", l.Region}, {"unit", l.Unit}} {
		if strings.TrimSpace(f.v) == "" {
			return fieldErrf(f.name, factors.ErrInvalid, "%s is required", f.name)
		}
	}
	if err := CheckQuantity(l.Quantity); err != nil {
		return fieldErr("quantity", err)
	}
	if l.Factor != nil {
		if err := CheckQuantity(l.Factor.KgCO2e); err != nil {
			return fieldErr("factor.kg_co2e", err)
		}
		if msg := checkString(l.Factor.Reference); msg != "" {
			return fieldErrf("factor.reference", factors.ErrInvalid, "%s", msg)
		}
	}
	return nil
}

// CheckQuantity bounds a decimal input: not negative, at most 1e15 in
// magnitude, at most 40 significant digits and 40 decimal places. The
// cheap checks on digits and exponent come first, so that a value such as
// 1e999999999 is refused without being expanded (comparing it with 1e15
// would build a billion-digit integer), and messages never print a value
// longer than clip.Max.
func CheckQuantity(q decimal.Decimal) error {
	if q.IsNegative() {
		return invalidf("%s is negative; quantities are zero or more", shown(q))
	}
	if q.Exponent() < -MaxDigits {
		return invalidf("more than %d decimal places", MaxDigits)
	}
	if q.IsZero() {
		return nil // 0e999999999: nothing to compare, and rescaling it would be costly
	}
	n := q.NumDigits()
	if n > MaxDigits {
		return invalidf("%d significant digits; at most %d", n, MaxDigits)
	}
	// q < 10^(n+exp): beyond 10^16 it is over 1e15 whatever its digits.
	if int64(n)+int64(q.Exponent()) > 16 {
		return invalidf("%s is larger than %s", shown(q), MaxQuantityAbs)
	}
	if q.Abs().Cmp(maxQuantity) > 0 {
		return invalidf("%s is larger than %s", shown(q), MaxQuantityAbs)
	}
	return nil
}

// shown is q for a message: its plain text when short, else its
// coefficient and exponent ("1e10000"), never a 10,001-digit expansion.
func shown(q decimal.Decimal) string {
	if e := q.Exponent(); (e >= -clip.Max && e <= 0) || int64(q.NumDigits())+int64(e) <= clip.Max {
		return clip.Text(q.String())
	}
	return clip.Text(q.Coefficient().String()) + "e" + strconv.Itoa(int(q.Exponent()))
}

// ParseQuantity parses a decimal quantity from text, as typed in a form or
// a CSV cell, with a message a user can act on. It accepts an optional
// sign, digits with one point, and an exponent (1.5E+03); the result is
// bounded as CheckQuantity says.
func ParseQuantity(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Decimal{}, invalidf("quantity is empty")
	}
	if len(t) > 64 {
		return decimal.Decimal{}, invalidf("not a decimal number: %s (too long; at most 64 characters)", clip.Text(t))
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			hint := ""
			if c == ',' {
				hint = " (use a point as the decimal separator and no thousands separator)"
			}
			return decimal.Decimal{}, invalidf("not a decimal number: %s%s", clip.Text(t), hint)
		}
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		if strings.ContainsAny(t, "eE") {
			return decimal.Decimal{}, invalidf("not a decimal number: %s (malformed or out-of-range exponent)", clip.Text(t))
		}
		return decimal.Decimal{}, invalidf("not a decimal number: %s", clip.Text(t))
	}
	if err := CheckQuantity(d); err != nil {
		return decimal.Decimal{}, err
	}
	return d, nil
}

// invalidf is an ErrInvalid with a message that does not repeat the kind.
func invalidf(format string, args ...any) error {
	return &kindError{kind: factors.ErrInvalid, msg: fmt.Sprintf(format, args...)}
}
