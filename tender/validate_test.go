package tender

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
)

func TestValidateTender(t *testing.T) {
	ladder := Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"1": dec("0.01"), "5": dec("0.10")}}
	tests := []struct {
		name    string
		edit    func(*Tender)
		pointer string // "" for valid
		kind    error
		detail  string
	}{
		{"price_only", func(*Tender) {}, "", nil, ""},
		{"carbon_price zero", func(t *Tender) { t.Award = Award{Rule: CarbonPrice, CarbonPricePerT: decp("0"), Limits: LimitsExclude} }, "", nil, ""},
		{"ladder", func(t *Tender) { t.Award = ladder }, "", nil, ""},
		{"no reference", func(t *Tender) { t.Reference = "" }, "/reference", ErrInvalid, "missing"},
		{"long title", func(t *Tender) { t.Title = strings.Repeat("x", MaxText+1) }, "/title", ErrInvalid, "at most 200"},
		{"control in buyer", func(t *Tender) { t.Buyer = "a\nb" }, "/buyer", ErrInvalid, "U+000A (a control character) at byte 1"},
		{"bad utf8", func(t *Tender) { t.Buyer = "\xff" }, "/buyer", ErrInvalid, "UTF-8"},
		{"rlo in reference", func(t *Tender) { t.Reference = "T-1\u202e2" }, "/reference", ErrInvalid, "U+202E (right-to-left override, a bidirectional control character) at byte 3"},
		{"isolate in title", func(t *Tender) { t.Title = "\u2066x" }, "/title", ErrInvalid, "U+2066"},
		{"line separator in buyer", func(t *Tender) { t.Buyer = "a\u2028b" }, "/buyer", ErrInvalid, "U+2028 (a line or paragraph separator)"},
		{"C1 control in title", func(t *Tender) { t.Title = "a\u0085b" }, "/title", ErrInvalid, "U+0085 (a control character)"},
		{"zero-width non-joiner allowed", func(t *Tender) { t.Buyer = "می\u200cخواهم" }, "", nil, ""},
		{"bidi in ladder level", func(t *Tender) {
			t.Award = Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"3\u200f": dec("0.04")}}
		}, "/award/ladder_discounts/3\u200f", ErrInvalid, "level name: contains U+200F"},
		{"currency lower", func(t *Tender) { t.Currency = "eur" }, "/currency", ErrInvalid, "ISO 4217"},
		{"currency missing", func(t *Tender) { t.Currency = "" }, "/currency", ErrInvalid, "missing"},
		{"deadline past", func(t *Tender) { t.Deadline = t0.Add(-time.Second) }, "/deadline", ErrDeadlineNotFuture, "not after now"},
		{"deadline now", func(t *Tender) { t.Deadline = t0 }, "/deadline", ErrDeadlineNotFuture, "in the future"},
		{"deadline zero", func(t *Tender) { t.Deadline = time.Time{} }, "/deadline", ErrInvalid, "missing"},
		{"method digest", func(t *Tender) { t.Method.Digest = "abc" }, "/method/digest", ErrInvalid, "SHA-256"},
		{"method id", func(t *Tender) { t.Method.ID = "" }, "/method/id", ErrInvalid, "missing"},
		{"rule unknown", func(t *Tender) { t.Award.Rule = "cheapest" }, "/award/rule", ErrInvalid, "price_only, carbon_price or ladder"},
		{"rule missing", func(t *Tender) { t.Award.Rule = "" }, "/award/rule", ErrInvalid, "missing"},
		{"carbon price missing", func(t *Tender) { t.Award = Award{Rule: CarbonPrice, Limits: LimitsReport} }, "/award/carbon_price_per_t", ErrInvalid, "declares"},
		{"carbon price negative", func(t *Tender) { t.Award = Award{Rule: CarbonPrice, CarbonPricePerT: decp("-1"), Limits: LimitsReport} }, "/award/carbon_price_per_t", ErrInvalid, "negative"},
		{"carbon price huge", func(t *Tender) {
			t.Award = Award{Rule: CarbonPrice, CarbonPricePerT: decp("1e9999"), Limits: LimitsReport}
		}, "/award/carbon_price_per_t", ErrInvalid, "larger than 1e15"},
		{"carbon price on price_only", func(t *Tender) { t.Award.CarbonPricePerT = decp("100") }, "/award/carbon_price_per_t", ErrInvalid, "only to the carbon_price rule"},
		{"discounts missing", func(t *Tender) { t.Award = Award{Rule: Ladder, Limits: LimitsReport} }, "/award/ladder_discounts", ErrInvalid, "missing"},
		{"discounts on price_only", func(t *Tender) { t.Award.LadderDiscounts = ladder.LadderDiscounts }, "/award/ladder_discounts", ErrInvalid, "only to the ladder rule"},
		{"discount one", func(t *Tender) {
			t.Award = Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"a/b": dec("1")}}
		}, "/award/ladder_discounts/a~1b", ErrInvalid, "not in [0, 1)"},
		{"discount negative", func(t *Tender) {
			t.Award = Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"3": dec("-0.01")}}
		}, "/award/ladder_discounts/3", ErrInvalid, "not in [0, 1)"},
		{"discount tiny exponent", func(t *Tender) {
			t.Award = Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"3": dec("1e-9999")}}
		}, "/award/ladder_discounts/3", ErrInvalid, "decimal places"},
		{"too many levels", func(t *Tender) {
			ds := map[string]decimal.Decimal{}
			for i := range MaxLadderLevels + 1 {
				ds[strings.Repeat("l", i+1)] = dec("0.01")
			}
			t.Award = Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: ds}
		}, "/award/ladder_discounts", ErrInvalid, "at most 32"},
		{"limits unknown", func(t *Tender) { t.Award.Limits = "ignore" }, "/award/limits", ErrInvalid, "exclude or report"},
		{"limits missing", func(t *Tender) { t.Award.Limits = "" }, "/award/limits", ErrInvalid, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
			tt.edit(&td)
			err := ValidateTender(td, t0)
			checkProblem(t, err, tt.pointer, tt.kind, tt.detail)
		})
	}
}

func TestValidateBid(t *testing.T) {
	ladder := newTender(Award{Rule: Ladder, Limits: LimitsReport, LadderDiscounts: map[string]decimal.Decimal{"3": dec("0.04")}})
	plain := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	tests := []struct {
		name    string
		tender  Tender
		edit    func(*Bid)
		pointer string
		kind    error
		detail  string
	}{
		{"valid", plain, func(*Bid) {}, "", nil, ""},
		{"valid ladder level", ladder, func(b *Bid) { b.LadderLevel = "3" }, "", nil, ""},
		{"valid ladder no level", ladder, func(*Bid) {}, "", nil, ""},
		{"trailing zeros", plain, func(b *Bid) { b.Price.Amount = dec("100.000") }, "", nil, ""},
		{"no supplier", plain, func(b *Bid) { b.Supplier = "" }, "/supplier", ErrInvalid, "missing"},
		{"rlo in supplier", plain, func(b *Bid) { b.Supplier = "ACME \u202egnp.exe" }, "/supplier", ErrInvalid, "U+202E (right-to-left override, a bidirectional control character) at byte 5"},
		{"arabic letter mark in supplier", plain, func(b *Bid) { b.Supplier = "\u061cACME" }, "/supplier", ErrInvalid, "U+061C"},
		{"lrm in supplier", plain, func(b *Bid) { b.Supplier = "ACME\u200e" }, "/supplier", ErrInvalid, "U+200E"},
		{"tab in supplier", plain, func(b *Bid) { b.Supplier = "A\tB" }, "/supplier", ErrInvalid, "U+0009 (a control character)"},
		{"bidi in ladder level", ladder, func(b *Bid) { b.LadderLevel = "3\u202c" }, "/ladder_level", ErrInvalid, "U+202C"},
		{"bidi in line id", plain, func(b *Bid) { b.Lines[0].ID = "1\u2069" }, "/lines/0/id", ErrInvalid, "U+2069"},
		{"bidi in factor reference", plain, func(b *Bid) {
			b.Lines[0].Factor = &calc.ProductFactor{KgCO2e: dec("1"), Per: "t", Reference: "EPD \u202d1"}
		}, "/lines/0/factor/reference", ErrInvalid, "U+202D"},
		{"zero price", plain, func(b *Bid) { b.Price.Amount = dec("0") }, "/price/amount", ErrInvalid, "more than 0"},
		{"negative price", plain, func(b *Bid) { b.Price.Amount = dec("-5") }, "/price/amount", ErrInvalid, "negative; a price is more than 0"},
		{"three places", plain, func(b *Bid) { b.Price.Amount = dec("10.005") }, "/price/amount", ErrInvalid, "more than 2 decimal places"},
		{"huge price", plain, func(b *Bid) { b.Price.Amount = dec("1e9999") }, "/price/amount", ErrInvalid, "larger than 1e15"},
		{"many digits", plain, func(b *Bid) { b.Price.Amount = dec("1." + strings.Repeat("1", 45)) }, "/price/amount", ErrInvalid, "decimal places"},
		{"currency mismatch", plain, func(b *Bid) { b.Price.Currency = "USD" }, "/price/currency", ErrCurrencyMismatch, "differs from this tender's currency EUR"},
		{"currency missing", plain, func(b *Bid) { b.Price.Currency = "" }, "/price/currency", ErrCurrencyMismatch, "missing"},
		{"unknown level", ladder, func(b *Bid) { b.LadderLevel = "9" }, "/ladder_level", ErrUnknownLevel, "use one of 3 or none"},
		{"level on price_only", plain, func(b *Bid) { b.LadderLevel = "3" }, "/ladder_level", ErrInvalid, "leave it out"},
		{"no lines", plain, func(b *Bid) { b.Lines = nil }, "/lines", ErrInvalid, "at least one line"},
		{"too many lines", plain, func(b *Bid) { b.Lines = make([]calc.Line, calc.MaxLines+1) }, "/lines", ErrInvalid, "at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBid("b1", "100", "1000", t0)
			tt.edit(&b)
			checkProblem(t, ValidateBid(tt.tender, b), tt.pointer, tt.kind, tt.detail)
		})
	}
}

func TestValidationNeverEchoesLongInput(t *testing.T) {
	long := strings.Repeat("Z", 10000)
	td := newTender(Award{Rule: Rule(long), Limits: LimitsRule(long)})
	td.Currency = long
	td.Method.Digest = long
	b := newBid("b", "1", "1", t0)
	b.Price.Currency = long
	b.LadderLevel = long
	for _, err := range []error{ValidateTender(td, t0), ValidateBid(newTender(Award{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{long: dec("0.1")}}), b)} {
		if err == nil {
			t.Fatal("no error")
		}
		for _, p := range err.(*ValidationError).Problems {
			if len(p.Detail) > 300 || len(p.Pointer) > 100 {
				t.Errorf("%s: detail of %d bytes echoes the input: %.80s", p.Pointer, len(p.Detail), p.Detail)
			}
		}
	}
}

// checkProblem asserts err has exactly one problem at pointer of kind, or
// is nil when pointer is "".
func checkProblem(t *testing.T, err error, pointer string, kind error, detail string) {
	t.Helper()
	if pointer == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	if len(ve.Problems) != 1 {
		t.Fatalf("got %d problems (%v), want 1", len(ve.Problems), err)
	}
	p := ve.Problems[0]
	if p.Pointer != pointer || !strings.Contains(p.Detail, detail) {
		t.Errorf("got %s, want %s: …%s…", p, pointer, detail)
	}
	if !errors.Is(err, kind) || !errors.Is(err, factors.ErrInvalid) {
		t.Errorf("errors.Is(%v, %v) is false", err, kind)
	}
}

// TestForbiddenCharacterNotEchoed: a refused character is named by its
// code point; the message repeats none of the input around it.
func TestForbiddenCharacterNotEchoed(t *testing.T) {
	b := newBid("b1", "100", "1000", t0)
	b.Supplier = "ACME \u202egnp.exe"
	err := ValidateBid(newTender(Award{Rule: PriceOnly, Limits: LimitsReport}), b)
	if err == nil || strings.Contains(err.Error(), "gnp") || strings.Contains(err.Error(), "\u202e") || !strings.Contains(err.Error(), "U+202E") {
		t.Errorf("got %v, want U+202E named and no part of the name", err)
	}
}

func TestParseAmount(t *testing.T) {
	re := regexp.MustCompile(AmountPattern)
	for _, tc := range []struct {
		in   string
		want string // "" refused
	}{
		{"0", "0"}, {"10", "10"}, {"10.5", "10.5"}, {"125000.00", "125000"}, {"0.04", "0.04"},
		{"1000000000000000", "1000000000000000"},
		{" 10", ""}, {"10 ", ""}, {"1E+2", ""}, {"1e2", ""}, {"+10", ""}, {"-10", ""}, {"010", ""}, {"00", ""},
		{".5", ""}, {"5.", ""}, {"1,000", ""}, {"1_000", ""}, {"", ""}, {"0x10", ""}, {"١٠", ""}, {"1.2.3", ""},
		{"NaN", ""}, {"Infinity", ""}, {strings.Repeat("1", MaxAmountText+1), ""},
	} {
		got, err := ParseAmount(tc.in)
		if (tc.want == "") != (err != nil) || err == nil && !got.Equal(dec(tc.want)) {
			t.Errorf("ParseAmount(%.20q) = %s, %v; want %q", tc.in, got, err, tc.want)
		}
		if len(tc.in) <= MaxAmountText && re.MatchString(tc.in) != (err == nil) {
			t.Errorf("ParseAmount(%q) disagrees with AmountPattern", tc.in)
		}
		if err != nil && (!errors.Is(err, ErrInvalid) || len(tc.in) > 0 && len(tc.in) <= MaxAmountText && !strings.Contains(err.Error(), "no spaces, sign, exponent")) {
			t.Errorf("ParseAmount(%.20q): %v; want ErrInvalid naming the rule", tc.in, err)
		}
	}
}
