package calc

import (
	"errors"
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
	probs = append(probs, duplicateIDs(b.Lines)...)
	for _, f := range []struct{ ptr, v string }{{"/reference", b.Reference}, {"/supplier", b.Supplier}} {
		if msg := checkString(f.v); msg != "" {
			probs = append(probs, Problem{Pointer: f.ptr, Detail: msg, Err: factors.ErrInvalid})
		}
	}
	return probs
}

// duplicateIDs reports every line whose id an earlier line already has,
// naming both: results, comparisons and limit checks refer to lines by id,
// so two lines with one id would be told apart by position only. (A line
// given without id takes its position, from 1, in the decoders.)
func duplicateIDs(lines []Line) []Problem {
	var probs []Problem
	first := make(map[string]int, len(lines))
	for i := range lines {
		id := lines[i].ID
		if id == "" {
			continue
		}
		if j, ok := first[id]; ok {
			probs = append(probs, Problem{Pointer: fmt.Sprintf("/lines/%d/id", i), LineID: clip.Text(id),
				Detail: fmt.Sprintf("/lines/%d/id duplicates /lines/%d/id (id %q); line ids must be unique in a bid (a line without id takes its position, from 1)", i, j, clip.Text(id)),
				Err:    factors.ErrInvalid})
			continue
		}
		first[id] = i
	}
	return probs
}

// short returns s, or its first 40 bytes (on a rune boundary) and "…":
// messages never repeat more than a short prefix of an input value.

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
	// q < 10^(n+exp) ≤ 10^15 (NumDigits is exact): within the bound
	// without the comparison, which allocates.
	if int64(n)+int64(q.Exponent()) <= 15 {
		return nil
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

// IsInputError reports whether a line's error is about the input itself,
// the same whatever the method: an invalid field, an activity key, unit or
// region outside the shared taxonomy and tables, or a unit of the wrong
// dimension. The other line errors are about what one method can compute
// (no factor in its datasets, a product factor it refuses or requires, a
// heating-value basis it cannot convert, a stage it does not count).
func IsInputError(err error) bool {
	return errors.Is(err, factors.ErrInvalid) || errors.Is(err, factors.ErrUnknownActivity) ||
		errors.Is(err, factors.ErrUnknownUnit) || errors.Is(err, factors.ErrUnknownRegion) ||
		errors.Is(err, factors.ErrDimension)
}

// InputError returns, as a *BidError, the lines of a comparison that no
// method could compute because of their input: lines whose error is an
// input error (IsInputError) under every method. Such a bid is invalid
// input, as it is for a single footprint; a line that only some methods
// cannot compute is a finding of the comparison and stays in it, with its
// status per method. Each problem points at the line's field, with the
// first method's message. nil when there is none.
func (c *Comparison) InputError() error {
	if c == nil || len(c.Methods) == 0 {
		return nil
	}
	var probs []Problem
	first := c.Methods[0]
	for i := range first.Lines {
		all := true
		for _, fp := range c.Methods {
			if i >= len(fp.Lines) || fp.Lines[i].Status != StatusError || !IsInputError(fp.Lines[i].Err) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		l := &first.Lines[i]
		ptr := fmt.Sprintf("/lines/%d", i)
		if l.Field != "" {
			ptr += "/" + strings.ReplaceAll(l.Field, ".", "/")
		}
		probs = append(probs, Problem{Pointer: ptr, LineID: clip.Text(l.ID), Detail: l.Error, Err: l.Err})
	}
	if len(probs) == 0 {
		return nil
	}
	return &BidError{Problems: probs}
}
