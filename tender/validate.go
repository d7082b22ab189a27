package tender

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// Limits on a tender's and a bid's input. They bound memory and time; the
// REST service and the CLI document them.
const (
	// MaxText is the most bytes of a reference, title, buyer, supplier,
	// actor or ladder level.
	MaxText = calc.MaxStringLen
	// MaxLadderLevels is the most levels a discount table may have.
	MaxLadderLevels = 32
	// MaxDigits is the most significant digits, and the most decimal
	// places, of any amount, price or fraction.
	MaxDigits = 40
	// MaxAmount is the largest price or carbon price accepted.
	MaxAmount = "1e15"
	// PricePlaces is the most decimal places of a price: what is reported
	// (2 places) is then exactly what was offered.
	PricePlaces = 2
)

var maxAmount = decimal.RequireFromString(MaxAmount)

// AmountPattern is the one spelling of an amount of a tender or a bid (a
// price, a carbon price, a ladder discount) on input: digits, without
// leading zeros, then optionally a point and at least one digit. No
// spaces, sign, exponent, thousands separator or leading point, so that
// the text a supplier signs off and the number ranked cannot differ in
// how they are read. The OpenAPI document states the same pattern.
const AmountPattern = `^(0|[1-9][0-9]*)(\.[0-9]+)?$`

// MaxAmountText is the most bytes of an amount's text (16 integer digits,
// a point and MaxDigits places fit with room to spare).
const MaxAmountText = 100

// ParseAmount reads an amount written as AmountPattern says, exactly. An
// amount spelled otherwise is ErrInvalid with a message that names the
// rule and repeats at most a short prefix of s. The range (sign, size,
// places) is checked by ValidateTender and ValidateBid.
func ParseAmount(s string) (decimal.Decimal, error) {
	if msg := amountSpelling(s); msg != "" {
		return decimal.Decimal{}, fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // cannot happen for the pattern; kept for safety
		return decimal.Decimal{}, fmt.Errorf("%w: %q is not a decimal number", ErrInvalid, clip.Text(s))
	}
	return d, nil
}

// AmountProblem is the message of a ParseAmount error without the
// ErrInvalid prefix, to follow a field's name ("price amount: …").
func AmountProblem(err error) string {
	msg := err.Error()
	if p := ErrInvalid.Error() + ": "; strings.HasPrefix(msg, p) {
		return msg[len(p):]
	}
	return msg
}

// amountRule is the rule of AmountPattern in words, for messages.
const amountRule = "write it as plain digits with an optional point and decimals, e.g. 1250000.00 or 0.04: no spaces, sign, exponent, thousands separator or leading zeros"

// amountSpelling returns what is wrong with the spelling of an amount, or "".
func amountSpelling(s string) string {
	switch {
	case s == "":
		return "empty; " + amountRule
	case len(s) > MaxAmountText:
		return fmt.Sprintf("%d characters; at most %d", len(s), MaxAmountText)
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := i
	ok := intDigits > 0 && !(intDigits > 1 && s[0] == '0')
	if ok && i < len(s) {
		if s[i] != '.' {
			ok = false
		} else {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			ok = j > i+1 && j == len(s)
		}
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("%q is not a plain decimal number; %s", clip.Text(s), amountRule)
}

var one = decimal.NewFromInt(1)

// ValidateTender checks a new tender, every field, against the rules and
// the limits above; now is the injected clock (the deadline must be after
// it). It returns a *ValidationError listing every problem, or nil.
// Status, ID and Created are the store's and not checked here.
func ValidateTender(t Tender, now time.Time) error {
	ps := &problems{what: "tender"}
	for _, f := range []struct{ ptr, v string }{{"/reference", t.Reference}, {"/title", t.Title}, {"/buyer", t.Buyer}} {
		if msg := checkText(f.v); msg != "" {
			ps.add(f.ptr, ErrInvalid, "%s", msg)
		}
	}
	if msg := checkCurrency(t.Currency); msg != "" {
		ps.add("/currency", ErrInvalid, "%s", msg)
	}
	switch {
	case t.Deadline.IsZero():
		ps.add("/deadline", ErrInvalid, "missing; give an RFC 3339 time after now, e.g. 2026-12-01T12:00:00Z")
	case !t.Deadline.After(now):
		ps.add("/deadline", ErrDeadlineNotFuture, "%s is not after now (%s); give a deadline in the future",
			t.Deadline.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	for _, f := range []struct{ ptr, v string }{{"/method/id", t.Method.ID}, {"/method/version", t.Method.Version}} {
		if msg := checkText(f.v); msg != "" {
			ps.add(f.ptr, ErrInvalid, "%s", msg)
		}
	}
	if !isHexDigest(t.Method.Digest) {
		ps.add("/method/digest", ErrInvalid, "%q is not a SHA-256 digest (64 lower-case hex digits); pin the method resolved at creation", clip.Text(t.Method.Digest))
	}
	checkAward(ps, t.Award)
	checkNotice(ps, t.Notice)
	checkCommittee(ps, t.Committee)
	checkUncertainty(ps, t)
	if t.MaxBids < 0 || t.MaxBids > MaxMaxBids {
		ps.add("/max_bids", ErrInvalid, "%d is out of range; give a whole number from 1 to %d, or leave it out for %d", t.MaxBids, MaxMaxBids, DefaultMaxBids)
	}
	return ps.err()
}

func checkAward(ps *problems, a Award) {
	switch a.Rule {
	case PriceOnly, CarbonPrice, Ladder:
	case "":
		ps.add("/award/rule", ErrInvalid, "missing; use price_only, carbon_price or ladder")
	default:
		ps.add("/award/rule", ErrInvalid, "%q is not an award rule; use price_only, carbon_price or ladder", clip.Text(string(a.Rule)))
	}
	switch {
	case a.Rule == CarbonPrice && a.CarbonPricePerT == nil:
		ps.add("/award/carbon_price_per_t", ErrInvalid, "missing; the carbon_price rule needs the price per tonne CO2e that the tender declares (0 or more)")
	case a.Rule != CarbonPrice && a.CarbonPricePerT != nil:
		ps.add("/award/carbon_price_per_t", ErrInvalid, "given for rule %q; a carbon price applies only to the carbon_price rule", clip.Text(string(a.Rule)))
	case a.CarbonPricePerT != nil:
		if msg := checkAmount(*a.CarbonPricePerT, MaxDigits); msg != "" {
			ps.add("/award/carbon_price_per_t", ErrInvalid, "%s", msg)
		}
	}
	switch {
	case a.Rule == Ladder && len(a.LadderDiscounts) == 0:
		ps.add("/award/ladder_discounts", ErrInvalid, "missing; the ladder rule needs the buyer's discount per level, e.g. {\"3\": \"0.04\"}")
	case a.Rule != Ladder && len(a.LadderDiscounts) > 0:
		ps.add("/award/ladder_discounts", ErrInvalid, "given for rule %q; discounts apply only to the ladder rule", clip.Text(string(a.Rule)))
	case len(a.LadderDiscounts) > MaxLadderLevels:
		ps.add("/award/ladder_discounts", ErrInvalid, "%d levels; at most %d", len(a.LadderDiscounts), MaxLadderLevels)
	default:
		levels := make([]string, 0, len(a.LadderDiscounts))
		for l := range a.LadderDiscounts {
			levels = append(levels, l)
		}
		sort.Strings(levels)
		for _, l := range levels {
			ptr := "/award/ladder_discounts/" + pointerToken(l)
			if msg := checkText(l); msg != "" {
				ps.add(ptr, ErrInvalid, "level name: %s", msg)
				continue
			}
			if msg := checkFraction(a.LadderDiscounts[l]); msg != "" {
				ps.add(ptr, ErrInvalid, "%s", msg)
			}
		}
	}
	switch a.Limits {
	case LimitsExclude, LimitsReport:
	case "":
		ps.add("/award/limits", ErrInvalid, "missing; use exclude or report")
	default:
		ps.add("/award/limits", ErrInvalid, "%q is not a limits rule; use exclude or report", clip.Text(string(a.Limits)))
	}
}

// ValidateBid checks a bid's own fields against its tender: supplier,
// price (exact, positive, at most PricePlaces places, in the tender's
// currency), ladder level (known to the table, only under the ladder rule)
// and the number of lines. The lines themselves are checked by the engine
// when the footprint is computed under the pinned method.
func ValidateBid(t Tender, b Bid) error {
	ps := &problems{what: "bid"}
	if msg := checkText(b.Supplier); msg != "" {
		ps.add("/supplier", ErrInvalid, "%s", msg)
	}
	if msg := checkPrice(b.Price.Amount); msg != "" {
		ps.add("/price/amount", ErrInvalid, "%s", msg)
	}
	switch {
	case b.Price.Currency == "":
		ps.add("/price/currency", ErrCurrencyMismatch, "missing; this tender's currency is %s", t.Currency)
	case b.Price.Currency != t.Currency:
		ps.add("/price/currency", ErrCurrencyMismatch, "%q differs from this tender's currency %s", clip.Text(b.Price.Currency), t.Currency)
	}
	if b.LadderLevel != "" {
		if msg := checkText(b.LadderLevel); msg != "" {
			ps.add("/ladder_level", ErrInvalid, "%s", msg)
		} else if t.Award.Rule != Ladder {
			ps.add("/ladder_level", ErrInvalid, "given, but this tender's award rule is %s; leave it out", t.Award.Rule)
		} else if _, ok := t.Award.LadderDiscounts[b.LadderLevel]; !ok {
			ps.add("/ladder_level", ErrUnknownLevel, "%q is not a level of this tender; use one of %s or none", clip.Text(b.LadderLevel), levelList(t.Award.LadderDiscounts))
		}
	}
	switch {
	case len(b.Lines) == 0:
		ps.add("/lines", ErrInvalid, "a bid needs at least one line")
	case len(b.Lines) > calc.MaxLines:
		ps.add("/lines", ErrInvalid, "%d lines; at most %d per bid", len(b.Lines), calc.MaxLines)
	default:
		// The lines' free text (their ids, a product factor's reference)
		// is shown to officers beside the supplier's name: the same
		// characters are refused (their length is the engine's check).
		for i, l := range b.Lines {
			if msg := checkFreeText(l.ID); msg != "" {
				ps.add(fmt.Sprintf("/lines/%d/id", i), ErrInvalid, "%s", msg)
			}
			if l.Factor != nil {
				if msg := checkFreeText(l.Factor.Reference); msg != "" {
					ps.add(fmt.Sprintf("/lines/%d/factor/reference", i), ErrInvalid, "%s", msg)
				}
			}
		}
	}
	return ps.err()
}

func levelList(m map[string]decimal.Decimal) string {
	ls := make([]string, 0, len(m))
	for l := range m {
		ls = append(ls, clip.Prefix(l))
	}
	sort.Strings(ls)
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += ", "
		}
		out += l
	}
	return out
}

// checkText returns what is wrong with a required short text, or "".
func checkText(s string) string {
	switch {
	case s == "":
		return "missing; give a non-empty text"
	case len(s) > MaxText:
		return fmt.Sprintf("%d bytes; at most %d", len(s), MaxText)
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	}
	return checkFreeText(s)
}

// bidiControls are the Unicode bidirectional formatting characters
// (Unicode Standard Annex #9): embeddings, overrides, isolates and the
// implicit marks. In a supplier's name or a reference they can make the
// text display in another order than it is stored ("Trojan Source",
// CVE-2021-42574), so that an officer reads a different name than the
// one ranked; they are refused in every free-text field.
var bidiControls = map[rune]string{
	0x061C: "arabic letter mark",
	0x200E: "left-to-right mark",
	0x200F: "right-to-left mark",
	0x202A: "left-to-right embedding",
	0x202B: "right-to-left embedding",
	0x202C: "pop directional formatting",
	0x202D: "left-to-right override",
	0x202E: "right-to-left override",
	0x2066: "left-to-right isolate",
	0x2067: "right-to-left isolate",
	0x2068: "first strong isolate",
	0x2069: "pop directional isolate",
}

// forbiddenRune says what r is when it may not appear in a free-text
// field of a tender or a bid, or "": a control character (C0, DEL, C1), a
// line or paragraph separator, or a bidirectional formatting character.
// Other format characters (the zero-width joiners that some scripts need)
// are allowed.
func forbiddenRune(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "a control character"
	case r == 0x2028 || r == 0x2029:
		return "a line or paragraph separator"
	}
	if name, ok := bidiControls[r]; ok {
		return name + ", a bidirectional control character"
	}
	return ""
}

// checkFreeText returns what is wrong with an optional text: a character
// forbiddenRune refuses, or "".
func checkFreeText(s string) string {
	for i, r := range s {
		if what := forbiddenRune(r); what != "" {
			return fmt.Sprintf("contains %U (%s) at byte %d; use plain text on one line, without control or bidirectional formatting characters", r, what, i)
		}
	}
	return ""
}

func checkCurrency(c string) string {
	if len(c) == 3 && isUpper(c[0]) && isUpper(c[1]) && isUpper(c[2]) {
		return ""
	}
	if c == "" {
		return "missing; give an ISO 4217 code, e.g. EUR"
	}
	return fmt.Sprintf("%q is not an ISO 4217 code; use three upper-case letters, e.g. EUR", clip.Text(c))
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

func isHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// bounded returns what is wrong with the size of d, or "". It looks at the
// exponent and the digits before any comparison, so that 1e999999999 is
// refused without being expanded, and a message never prints more than a
// short form of the value.
func bounded(d decimal.Decimal) string {
	if d.Exponent() < -MaxDigits {
		return fmt.Sprintf("more than %d decimal places", MaxDigits)
	}
	if d.IsZero() {
		return ""
	}
	n := d.NumDigits()
	if n > MaxDigits {
		return fmt.Sprintf("%d significant digits; at most %d", n, MaxDigits)
	}
	if int64(n)+int64(d.Exponent()) > 16 || d.Abs().Cmp(maxAmount) > 0 {
		return "larger than " + MaxAmount
	}
	return ""
}

// checkAmount: a bounded decimal, 0 or more, with at most places places.
func checkAmount(d decimal.Decimal, places int32) string {
	if msg := bounded(d); msg != "" {
		return msg
	}
	if d.IsNegative() {
		return fmt.Sprintf("%s is negative; give 0 or more", clip.Text(d.String()))
	}
	if !d.Round(places).Equal(d) {
		return fmt.Sprintf("%s has more than %d decimal places", clip.Text(d.String()), places)
	}
	return ""
}

func checkPrice(d decimal.Decimal) string {
	if d.Sign() < 0 {
		return "negative; a price is more than 0"
	}
	if msg := checkAmount(d, PricePlaces); msg != "" {
		return msg
	}
	if d.IsZero() {
		return "0; a price is more than 0"
	}
	return ""
}

// checkFraction: a discount in [0, 1).
func checkFraction(d decimal.Decimal) string {
	if msg := bounded(d); msg != "" {
		return msg
	}
	if d.IsNegative() || d.Cmp(one) >= 0 {
		return fmt.Sprintf("%s is not in [0, 1); give the discount as a fraction, e.g. 0.04 for 4 %%", clip.Text(d.String()))
	}
	return ""
}

// clipPrefix is clip.Prefix, named here for pointerToken.
func clipPrefix(s string) string { return clip.Prefix(s) }
