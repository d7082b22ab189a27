package tender

import (
	"fmt"
	"sort"
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
		if t.Award.Rule != Ladder {
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
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("%q contains a control character; use plain text on one line", clip.Text(s))
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
