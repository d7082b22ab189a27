package tender

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func ranks(ev *Evaluation) string {
	var s []string
	for _, r := range ev.Ranking {
		rank := "-"
		if r.Rank != nil {
			rank = fmt.Sprint(*r.Rank)
		}
		s = append(s, fmt.Sprintf("%s:%s:%s", rank, r.BidID, r.NotionalPrice))
	}
	return strings.Join(s, " ")
}

func TestEvaluateRules(t *testing.T) {
	ladder := map[string]decimal.Decimal{"1": dec("0.01"), "3": dec("0.04"), "5": dec("0.10")}
	bids := func() []Bid {
		a := newBid("a", "100000", "50000", t0)                  // 50 t
		b := newBid("b", "103000", "10000", t0.Add(time.Minute)) // 10 t
		c := newBid("c", "101000", "30000.5", t0.Add(time.Hour)) // 30.0005 t
		a.LadderLevel, c.LadderLevel = "1", "5"
		return []Bid{a, b, c}
	}
	tests := []struct {
		name  string
		award Award
		want  string
	}{
		{"price_only", Award{Rule: PriceOnly, Limits: LimitsReport}, "1:a:100000.00 2:c:101000.00 3:b:103000.00"},
		// a: 100000 + 100×50 = 105000; b: 103000 + 1000 = 104000; c: 101000 + 3000.05
		{"carbon_price", Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}, "1:b:104000.00 2:c:104000.05 3:a:105000.00"},
		{"carbon_price zero", Award{Rule: CarbonPrice, CarbonPricePerT: decp("0"), Limits: LimitsReport}, "1:a:100000.00 2:c:101000.00 3:b:103000.00"},
		// a: 100000×0.99 = 99000; b: no level 103000; c: 101000×0.90 = 90900
		{"ladder", Award{Rule: Ladder, LadderDiscounts: ladder, Limits: LimitsReport}, "1:c:90900.00 2:a:99000.00 3:b:103000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := newTender(tt.award)
			bs := bids()
			if tt.award.Rule != Ladder {
				for i := range bs {
					bs[i].LadderLevel = ""
				}
			}
			ev, err := Evaluate(td, testMethod(), bs)
			if err != nil {
				t.Fatal(err)
			}
			if got := ranks(ev); got != tt.want {
				t.Errorf("ranking\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEvaluateTies(t *testing.T) {
	td := newTender(Award{Rule: CarbonPrice, CarbonPricePerT: decp("50"), Limits: LimitsReport})
	// All three have notional 1050.00 exactly; c and b are received at the
	// same instant, so the bid id decides between them.
	bs := []Bid{
		newBid("c", "1000", "1000", t0.Add(2*time.Second)),
		newBid("z", "1049.50", "10", t0.Add(time.Second)),
		newBid("b", "1025", "500", t0.Add(2*time.Second)),
	}
	ev, err := Evaluate(td, testMethod(), bs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ranks(ev), "1:z:1050.00 2:b:1050.00 3:c:1050.00"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// A notional price that rounds to the same cents still ranks by its exact value.
	bs = []Bid{newBid("early", "1000", "0.2", t0), newBid("late", "1000", "0.1", t0.Add(time.Hour))}
	td.Award.CarbonPricePerT = decp("0.01")
	ev, _ = Evaluate(td, testMethod(), bs)
	if got, want := ranks(ev), "1:late:1000.00 2:early:1000.00"; got != want {
		t.Errorf("got %s, want %s (exact notional decides before receipt time)", got, want)
	}
}

func TestEvaluateLimits(t *testing.T) {
	bs := []Bid{
		failing(newBid("cheap", "100", "1", t0), "gsa-rebar-fab-top20"),
		newBid("mid", "200", "1", t0),
		failing(newBid("cheapest", "50", "1", t0), "gsa-rebar-fab-top40", "gsa-rebar-fab-avg"),
	}
	tests := []struct {
		limits LimitsRule
		want   string
		reason string
	}{
		{LimitsReport, "1:cheapest:50.00 2:cheap:100.00 3:mid:200.00", ""},
		{LimitsExclude, "1:mid:200.00 -:cheapest:50.00 -:cheap:100.00", "fails procurement limit(s): gsa-rebar-fab-avg (line 2), gsa-rebar-fab-top40 (line 1)"},
	}
	for _, tt := range tests {
		t.Run(string(tt.limits), func(t *testing.T) {
			ev, err := Evaluate(newTender(Award{Rule: PriceOnly, Limits: tt.limits}), testMethod(), bs)
			if err != nil {
				t.Fatal(err)
			}
			if got := ranks(ev); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var c Ranked
			for _, r := range ev.Ranking {
				if r.BidID == "cheapest" {
					c = r
				}
			}
			if c.Reason != tt.reason || c.Excluded != (tt.reason != "") || len(c.FailedLimits) != 2 {
				t.Errorf("cheapest: excluded %v, reason %q, failed %v; want reason %q", c.Excluded, c.Reason, c.FailedLimits, tt.reason)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	td := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	other := testMethod()
	other.Digest = strings.Repeat("cd", 32)
	late := newBid("late", "1", "1", deadline)
	foreign := newBid("f", "1", "1", t0)
	foreign.Footprint.Receipt.MethodDigest = other.Digest
	usd := newBid("usd", "1", "1", t0)
	usd.Price.Currency = "USD"
	tests := []struct {
		name string
		m    func() *Evaluation
		bids []Bid
		want error
		msg  string
	}{
		{"method digest differs", nil, []Bid{newBid("a", "1", "1", t0)}, ErrMethodMismatch, "pins us-federal@2025.1"},
		{"duplicate id", nil, []Bid{newBid("a", "1", "1", t0), newBid("a", "2", "1", t0)}, ErrInvalid, `bid id "a" appears twice`},
		{"late bid", nil, []Bid{late}, ErrInvalid, "not before the deadline"},
		{"footprint under another method", nil, []Bid{foreign}, ErrMethodMismatch, `bid "f"`},
		{"currency", nil, []Bid{usd}, ErrCurrencyMismatch, `bid "usd"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMethod()
			if i == 0 {
				m = other
			}
			_, err := Evaluate(td, m, tt.bids)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %v with %q", err, tt.want, tt.msg)
			}
		})
	}
}

func TestEvaluateWithdrawnAndDigest(t *testing.T) {
	td := newTender(Award{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{"3": dec("0.040")}, Limits: LimitsExclude})
	w := newBid("w", "1", "1", t0)
	at := t0.Add(time.Minute)
	w.WithdrawnAt = &at
	bs := []Bid{newBid("a", "10.5", "1.23456", t0), w, failing(newBid("b", "9", "2", t0.Add(time.Second)), "x")}
	bs[0].LadderLevel = "3"
	ev, err := Evaluate(td, testMethod(), bs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Ranking) != 2 {
		t.Fatalf("withdrawn bid ranked: %s", ranks(ev))
	}
	// Same bids in another order, discount written differently: same bytes.
	td2 := td
	td2.Award.LadderDiscounts = map[string]decimal.Decimal{"3": dec("0.04")}
	ev2, _ := Evaluate(td2, testMethod(), []Bid{bs[2], bs[1], bs[0]})
	if ev.Digest != ev2.Digest || len(ev.Digest) != 64 {
		t.Errorf("digest depends on bid order or decimal form: %s vs %s", ev.Digest, ev2.Digest)
	}
	raw, _ := json.Marshal(ev)
	var back Evaluation
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if ok, err := back.VerifyDigest(); !ok {
		t.Errorf("stored evaluation does not verify: %v\n%s", err, raw)
	}
	for _, want := range []string{`"kg_co2e":"1.235"`, `"notional_price":"10.08"`, `"amount":"10.50"`, `"amount":"9.00"`, `"rank":null`, `"rank":1`, `"digest":"` + ev.Digest} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("JSON lacks %s:\n%s", want, raw)
		}
	}
	back.Ranking[0].Supplier = "someone else"
	if ok, _ := back.VerifyDigest(); ok {
		t.Error("edited evaluation still verifies")
	}
}

// ratOf is d as an exact rational.
func ratOf(d decimal.Decimal) *big.Rat { return d.Rat() }

// roundRatHalfEven rounds r to places decimals, half to even, exactly.
func roundRatHalfEven(r *big.Rat, places int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	// x = q + m/den with |m| < den, m has x's sign.
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	switch c := twice.Cmp(x.Denom()); {
	case c > 0 || c == 0 && q.Bit(0) == 1:
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(q, scale).FloatString(places)
}

// TestNotionalOracle checks Evaluate against math/big.Rat over random bids
// under each rule: exact notional prices, their reported rounding, and
// the ranking.
func TestNotionalOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	randDec := func(maxInt int64, places int) decimal.Decimal {
		return decimal.New(rng.Int64N(maxInt*pow10(places)), -int32(places))
	}
	for _, rule := range []Rule{PriceOnly, CarbonPrice, Ladder} {
		for round := range 20 {
			a := Award{Rule: rule, Limits: LimitsReport}
			switch rule {
			case CarbonPrice:
				w := randDec(500, rng.IntN(4))
				a.CarbonPricePerT = &w
			case Ladder:
				a.LadderDiscounts = map[string]decimal.Decimal{}
				for l := range 5 {
					a.LadderDiscounts[fmt.Sprint(l+1)] = randDec(1, 1+rng.IntN(4))
				}
			}
			td := newTender(a)
			bids := make([]Bid, 50)
			want := map[string]*big.Rat{}
			for i := range bids {
				price := randDec(1000, 2).Add(dec("0.01"))
				if i%7 == 0 && i > 0 { // force ties in price
					price = bids[i-1].Price.Amount
				}
				kg := randDec(1_000_000, rng.IntN(10))
				b := newBid(fmt.Sprintf("r%d-%02d", round, i), price.String(), kg.String(), t0.Add(time.Duration(rng.IntN(100))*time.Second))
				n := ratOf(price)
				switch rule {
				case CarbonPrice:
					tonnes := new(big.Rat).Quo(ratOf(kg), big.NewRat(1000, 1))
					n = new(big.Rat).Add(n, new(big.Rat).Mul(ratOf(*a.CarbonPricePerT), tonnes))
				case Ladder:
					if lvl := rng.IntN(6); lvl > 0 {
						b.LadderLevel = fmt.Sprint(lvl)
						n = new(big.Rat).Mul(n, new(big.Rat).Sub(big.NewRat(1, 1), ratOf(a.LadderDiscounts[b.LadderLevel])))
					}
				}
				bids[i] = b
				want[b.ID] = n
				got, err := Notional(a, b.Price.Amount, kg, b.LadderLevel)
				if err != nil || ratOf(got).Cmp(n) != 0 {
					t.Fatalf("%s %s: Notional = %s, %v; oracle %s", rule, b.ID, got, err, n.FloatString(20))
				}
			}
			ev, err := Evaluate(td, testMethod(), bids)
			if err != nil {
				t.Fatal(err)
			}
			order := append([]Bid(nil), bids...)
			sort.Slice(order, func(i, j int) bool {
				if c := want[order[i].ID].Cmp(want[order[j].ID]); c != 0 {
					return c < 0
				}
				if !order[i].ReceivedAt.Equal(order[j].ReceivedAt) {
					return order[i].ReceivedAt.Before(order[j].ReceivedAt)
				}
				return order[i].ID < order[j].ID
			})
			for i, r := range ev.Ranking {
				if r.BidID != order[i].ID || r.Rank == nil || *r.Rank != i+1 {
					t.Fatalf("%s: place %d is %s, oracle %s", rule, i+1, r.BidID, order[i].ID)
				}
				if w := roundRatHalfEven(want[r.BidID], 2); r.NotionalPrice.String() != w {
					t.Fatalf("%s %s: reported notional %s, oracle %s (exact %s)", rule, r.BidID, r.NotionalPrice, w, want[r.BidID].FloatString(12))
				}
			}
		}
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func TestRoundRatHalfEven(t *testing.T) {
	// The oracle's rounding must itself be right, or the test above could not fail.
	tests := []struct{ in, want string }{{"0.125", "0.12"}, {"0.135", "0.14"}, {"0.1251", "0.13"}, {"2.5", "2.50"}, {"-0.125", "-0.12"}, {"-0.135", "-0.14"}}
	for _, tt := range tests {
		r, _ := new(big.Rat).SetString(tt.in)
		if got := roundRatHalfEven(r, 2); got != tt.want {
			t.Errorf("round(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func BenchmarkEvaluate1000(b *testing.B) {
	td := newTender(Award{Rule: CarbonPrice, CarbonPricePerT: decp("125.50"), Limits: LimitsExclude})
	bids := make([]Bid, 1000)
	for i := range bids {
		bids[i] = newBid(fmt.Sprintf("bid-%04d", i), fmt.Sprintf("%d.%02d", 100000+i*37%5000, i%100), fmt.Sprintf("%d.%03d", 50000+i*91%20000, i%1000), t0.Add(time.Duration(i)*time.Millisecond))
		if i%10 == 0 {
			bids[i] = failing(bids[i], "gsa-rebar-fab-top20")
		}
	}
	m := testMethod()
	for b.Loop() {
		if _, err := Evaluate(td, m, bids); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStoredEvaluationPricesKeepTheirText: evaluations stored before
// prices were reported with MoneyRounding's places wrote an amount's own
// places ("10.5", "9"); such a document decodes and re-encodes to the
// same bytes, so the digest taken over them then still verifies.
func TestStoredEvaluationPricesKeepTheirText(t *testing.T) {
	ev, err := Evaluate(newTender(Award{Rule: PriceOnly, Limits: LimitsReport}), testMethod(), []Bid{newBid("a", "10.5", "1", t0), newBid("b", "9", "2", t0)})
	if err != nil {
		t.Fatal(err)
	}
	canon, err := ev.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	old := strings.NewReplacer(`"amount":"10.50"`, `"amount":"10.5"`, `"amount":"9.00"`, `"amount":"9"`).Replace(string(canon))
	if old == string(canon) {
		t.Fatalf("no reported price to rewrite in %s", canon)
	}
	var back Evaluation
	if err := json.Unmarshal([]byte(old), &back); err != nil {
		t.Fatal(err)
	}
	again, err := back.CanonicalJSON()
	if err != nil || string(again) != old {
		t.Errorf("a stored evaluation's bytes changed on decoding (%v):\n got %s\nwant %s", err, again, old)
	}
}
