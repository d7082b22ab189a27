package tender

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzValidate feeds arbitrary decimal strings to the tender's carbon price
// and discount and to a bid's price: validation must not panic, must stay
// short in its messages, and whatever it accepts must evaluate.
func FuzzValidate(f *testing.F) {
	for _, s := range [][3]string{
		{"100", "0.04", "1000.50"}, {"0", "0", "0.01"}, {"-1", "1", "-5"}, {"1e9999", "1e-9999", "1e15"},
		{"1.000000000000000000000000000000000000001", "0.9999999999", "10.005"}, {"abc", "", " 1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, w, discount, price string) {
		wd, errW := decimal.NewFromString(w)
		dd, errD := decimal.NewFromString(discount)
		pd, errP := decimal.NewFromString(price)
		if errW != nil || errD != nil || errP != nil {
			return
		}
		for _, a := range []Award{
			{Rule: CarbonPrice, CarbonPricePerT: &wd, Limits: LimitsExclude},
			{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{"3": dd}, Limits: LimitsReport},
		} {
			td := newTender(a)
			b := newBid("f", "1", "1234.5", t0)
			b.Price.Amount = pd
			b.LadderLevel = map[Rule]string{Ladder: "3"}[a.Rule]
			errs := []error{ValidateTender(td, t0), ValidateBid(td, b)}
			for _, err := range errs {
				if err != nil && len(err.Error()) > 600 {
					t.Fatalf("message of %d bytes: %.100s", len(err.Error()), err)
				}
			}
			if errs[0] != nil || errs[1] != nil {
				continue
			}
			if pd.Sign() <= 0 || (a.Rule == Ladder && (dd.Sign() < 0 || dd.Cmp(one) >= 0)) || (a.Rule == CarbonPrice && wd.Sign() < 0) {
				t.Fatalf("accepted w=%s discount=%s price=%s", w, discount, price)
			}
			ev, err := Evaluate(td, testMethod(), []Bid{b})
			if err != nil || len(ev.Ranking) != 1 || strings.HasPrefix(ev.Ranking[0].NotionalPrice.String(), "-") {
				t.Fatalf("valid input does not evaluate: %v", err)
			}
		}
	})
}
