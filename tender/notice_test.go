package tender

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestNoticeValidation: each notice field is checked at its pointer with a
// message saying what would be right; an absent notice is no problem.
func TestNoticeValidation(t *testing.T) {
	now := t0
	base := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	if err := ValidateTender(base, now); err != nil {
		t.Fatalf("no notice: %v", err)
	}
	good := Notice{BuyerLegalName: "Rijkswaterstaat", BuyerCountry: "NLD", CPV: "45233142", ContractNature: "works",
		BuyerEmail: "inkoop@example.nl", BuyerURL: "https://www.rijkswaterstaat.nl", BuyerLegalType: "cga", BuyerActivity: "gen-pub"}
	base.Notice = &good
	if err := ValidateTender(base, now); err != nil {
		t.Fatalf("good notice: %v", err)
	}
	for _, tc := range []struct {
		edit func(n *Notice)
		ptr  string
		want string
	}{
		{func(n *Notice) { n.BuyerCountry = "NL" }, "/notice/buyer_country", "ISO 3166-1 alpha-3"},
		{func(n *Notice) { n.CPV = "45233142-6" }, "/notice/cpv", "eight digits"},
		{func(n *Notice) { n.BuyerEmail = "nobody" }, "/notice/buyer_email", "not an e-mail address"},
		{func(n *Notice) { n.BuyerURL = "javascript:alert(1)" }, "/notice/buyer_url", "http(s)"},
		{func(n *Notice) { n.ContractNature = "goods" }, "/notice/contract_nature", "works, supplies or services"},
		{func(n *Notice) { n.BuyerLegalType = "Body PL" }, "/notice/buyer_legal_type", "eForms code"},
		{func(n *Notice) { n.Description = strings.Repeat("x", MaxNoticeDescription+1) }, "/notice/description", "too long"},
		{func(n *Notice) { n.BuyerLegalName = " padded" }, "/notice/buyer_legal_name", "leading or trailing"},
	} {
		n := good
		tc.edit(&n)
		base.Notice = &n
		err := ValidateTender(base, now)
		if err == nil || !strings.Contains(err.Error(), tc.ptr) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.ptr, err, tc.want)
		}
	}
	if got := (&good).Missing("buyer_legal_name", "buyer_town", "cpv"); len(got) != 1 || got[0] != "buyer_town" {
		t.Errorf("Missing = %v", got)
	}
	if got := (*Notice)(nil).Missing("cpv"); len(got) != 1 {
		t.Errorf("nil Missing = %v", got)
	}
}

// TestAwardStatement: the one text of the award rule that the exports
// publish names the rule, its declared values, the limits rule and the
// tie-break.
func TestAwardStatement(t *testing.T) {
	w := dec("85.5")
	for _, tc := range []struct {
		a    Award
		want []string
	}{
		{Award{Rule: PriceOnly, Limits: LimitsReport}, []string{"Lowest price wins (price_only)", "Ties go to the earlier receipt."}},
		{Award{Rule: CarbonPrice, CarbonPricePerT: &w, Limits: LimitsExclude}, []string{"W = 85.5 EUR per tonne CO2e", "is excluded"}},
		{Award{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{"5": dec("0.1"), "3": dec("0.04")}, Limits: LimitsReport},
			[]string{"(level 3: 0.04; level 5: 0.1)"}},
	} {
		got := tc.a.Statement("EUR")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.a.Rule, got, w)
			}
		}
	}
}
