package tender

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// oracleEvaluate is Evaluate as it was before the Evaluator packed its
// rows: one Ranked per bid with its exact notional price as a decimal,
// a map of the ids seen, the rows sorted by decimal.Decimal.Cmp and
// time.Time's order. TestPackedEvaluatorMatchesOracle and
// FuzzPackedEvaluator hold the Evaluator to it.
func oracleEvaluate(t Tender, m *methods.Method, bids []Bid) (*Evaluation, error) {
	if m == nil || m.Digest != t.Method.Digest || m.ID != t.Method.ID || m.Version != t.Method.Version {
		return nil, fmt.Errorf("%w: the tender pins %s (%s)", ErrMethodMismatch, t.Method.Ref(), t.Method.Digest)
	}
	type row struct {
		r        Ranked
		notional decimal.Decimal
	}
	seen := map[string]bool{}
	var rows []row
	for i := range bids {
		b := &bids[i]
		if b.WithdrawnAt != nil {
			continue
		}
		if seen[b.ID] {
			return nil, fmt.Errorf("%w: bid id %q appears twice", ErrInvalid, clipPrefix(b.ID))
		}
		seen[b.ID] = true
		if err := ValidateBid(t, *b); err != nil {
			return nil, fmt.Errorf("bid %q: %w", clipPrefix(b.ID), err)
		}
		if !b.ReceivedAt.Before(t.Deadline) {
			return nil, fmt.Errorf("%w: bid %q was received at %s, not before the deadline", ErrInvalid, clipPrefix(b.ID), b.ReceivedAt.UTC().Format(time.RFC3339Nano))
		}
		if b.Footprint.Receipt.MethodDigest != t.Method.Digest {
			return nil, fmt.Errorf("bid %q: %w: its footprint was computed under method digest %q", clipPrefix(b.ID), ErrMethodMismatch, clipPrefix(b.Footprint.Receipt.MethodDigest))
		}
		n, err := Notional(t.Award, b.Price.Amount, b.Footprint.KgCO2e, b.LadderLevel)
		if err != nil {
			return nil, fmt.Errorf("bid %q: %w", clipPrefix(b.ID), err)
		}
		r := Ranked{BidID: b.ID, Supplier: b.Supplier, Price: ReportPrice(b.Price), ReceivedAt: b.ReceivedAt.UTC(),
			KgCO2e: NewFixed(b.Footprint.KgCO2e, m.Rounding), NotionalPrice: NewFixed(n, MoneyRounding), LadderLevel: b.LadderLevel,
			FailedLimits: failedLimits(b.Footprint.Limits), Commitment: b.Commitment, Nonce: b.Nonce}
		if reason := negativeReason(b.Footprint.KgCO2e, n); reason != "" {
			r.Excluded, r.Reason = true, reason
		} else if t.Award.Limits == LimitsExclude && len(r.FailedLimits) > 0 {
			r.Excluded, r.Reason = true, "fails procurement limit(s): "+strings.Join(r.FailedLimits, ", ")
		}
		rows = append(rows, row{r: r, notional: n})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.r.Excluded != b.r.Excluded {
			return !a.r.Excluded
		}
		if c := a.notional.Cmp(b.notional); c != 0 {
			return c < 0
		}
		if !a.r.ReceivedAt.Equal(b.r.ReceivedAt) {
			return a.r.ReceivedAt.Before(b.r.ReceivedAt)
		}
		return a.r.BidID < b.r.BidID
	})
	ev := &Evaluation{
		Tender:   TenderRef{ID: t.ID, Reference: t.Reference, Currency: t.Currency, Deadline: t.Deadline.UTC()},
		Method:   t.Method,
		Award:    t.Award,
		Ranking:  make([]Ranked, len(rows)),
		Rounding: ReportRounding{Money: MoneyRounding, KgCO2e: m.Rounding},
	}
	rank := 0
	for i := range rows {
		ev.Ranking[i] = rows[i].r
		if !rows[i].r.Excluded {
			rank++
			r := rank
			ev.Ranking[i].Rank = &r
		}
	}
	if reports, sample := sampling(t, m); reports && !sample {
		if err := report(ev, t, nil, false); err != nil {
			return nil, err
		}
	}
	d, err := ev.digest()
	if err != nil {
		return nil, err
	}
	ev.Digest = d
	return ev, nil
}

// randomDecimal is a decimal of every size and sign the oracle should
// see: small, with many places, beyond an int64's coefficient.
func randomDecimal(r *rand.Rand, nonNegative bool) decimal.Decimal {
	var d decimal.Decimal
	switch r.IntN(6) {
	case 0:
		d = decimal.New(r.Int64N(100), -int32(r.IntN(3)))
	case 1:
		d = decimal.New(r.Int64N(1_000_000_000), -int32(r.IntN(12)))
	case 2:
		c := new(big.Int).Lsh(big.NewInt(r.Int64N(1<<40)+1), uint(r.IntN(40)+20))
		d = decimal.NewFromBigInt(c, -int32(r.IntN(30)))
	case 3:
		d = decimal.New(int64(r.IntN(5))*1000, int32(r.IntN(3))) // trailing zeros, positive exponents
	case 4:
		d = decimal.Zero
	default:
		d = decimal.New(r.Int64N(10_000_000)+1, -2)
	}
	if !nonNegative && r.IntN(5) == 0 {
		d = d.Neg()
	}
	return d
}

// randomBids is a tender under a random rule and n bids with prices,
// footprints and times that tie often, some withdrawn, some failing
// limits, some (when negative) negative; now and then two share an id.
func randomBids(r *rand.Rand, n int, negative bool) (Tender, []Bid) {
	a := Award{Rule: []Rule{PriceOnly, CarbonPrice, Ladder}[r.IntN(3)], Limits: []LimitsRule{LimitsReport, LimitsExclude}[r.IntN(2)]}
	switch a.Rule {
	case CarbonPrice:
		w := randomDecimal(r, !negative)
		a.CarbonPricePerT = &w
	case Ladder:
		a.LadderDiscounts = map[string]decimal.Decimal{"1": dec("0.01"), "2": dec("0.125"), "3": dec("0.5")}
	}
	td := newTender(a)
	bids := make([]Bid, n)
	perm := r.Perm(n) // distinct ids, in no order; one tender in 20 repeats one
	if n > 1 && r.IntN(20) == 0 {
		perm[r.IntN(n)] = perm[r.IntN(n)]
	}
	for i := range bids {
		id := fmt.Sprintf("b%d", perm[i])
		if r.IntN(10) == 0 {
			id = []string{"<&>", "ü", "a\x00b", "bad \xff", "z"}[r.IntN(5)] + id
		}
		price := randomDecimal(r, true)
		if msg := checkPrice(price); msg != "" {
			price = dec("1000.5")
		}
		b := newBid(id, "1", "1", t0.Add(time.Duration(r.IntN(5))*time.Second+time.Duration(r.IntN(3))*time.Nanosecond))
		b.Price.Amount = price
		b.Footprint.KgCO2e = randomDecimal(r, !negative)
		b.Supplier = []string{"Acme", "Ω <GmbH>", "S"}[r.IntN(3)]
		if r.IntN(2) == 0 {
			b.Commitment, b.Nonce = fmt.Sprintf("%064x", r.Uint64()), fmt.Sprintf("%032x", r.Uint64())
		}
		if a.Rule == Ladder && r.IntN(3) > 0 {
			b.LadderLevel = fmt.Sprint(1 + r.IntN(3))
		}
		if r.IntN(4) == 0 {
			b = failing(b, []string{"lim-b", "lim-a", "<x>"}[:1+r.IntN(3)]...)
		}
		if r.IntN(8) == 0 {
			at := t0
			b.WithdrawnAt = &at
		}
		bids[i] = b
	}
	return td, bids
}

// samePacked fails t unless Evaluate gives the oracle's evaluation (the
// same JSON and digest) or the same error, and its rows are the oracle's
// values (==) field by field; it returns the evaluation (nil on error).
func samePacked(t testing.TB, td Tender, bids []Bid) *Evaluation {
	t.Helper()
	want, werr := oracleEvaluate(td, testMethod(), bids)
	got, gerr := Evaluate(td, testMethod(), bids)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("Evaluate: %v; oracle: %v", gerr, werr)
	}
	if werr != nil {
		return nil
	}
	var wb, gb bytes.Buffer
	if err := want.WriteJSON(&wb); err != nil {
		t.Fatal(err)
	}
	if err := got.WriteJSON(&gb); err != nil {
		t.Fatal(err)
	}
	if got.Digest != want.Digest || !bytes.Equal(gb.Bytes(), wb.Bytes()) {
		t.Fatalf("Evaluate wrote\n%s\nthe oracle\n%s", gb.Bytes(), wb.Bytes())
	}
	for i := range want.Ranking {
		w, g := want.Ranking[i], got.Ranking[i]
		if (w.Rank == nil) != (g.Rank == nil) || w.Rank != nil && *w.Rank != *g.Rank || g.ReceivedAt != w.ReceivedAt ||
			!sameStrings(g.FailedLimits, w.FailedLimits) || g.BidID != w.BidID || g.Supplier != w.Supplier ||
			!g.Price.Amount.Decimal().Equal(w.Price.Amount.Decimal()) || !g.KgCO2e.Decimal().Equal(w.KgCO2e.Decimal()) ||
			!g.NotionalPrice.Decimal().Equal(w.NotionalPrice.Decimal()) {
			t.Fatalf("row %d: %+v, oracle %+v", i, g, w)
		}
	}
	return got
}

// sameStrings: equal, and both nil or both not (null and [] differ in
// JSON).
func sameStrings(a, b []string) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

func TestPackedEvaluatorMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 2026))
	for i := range 400 {
		td, bids := randomBids(r, 1+r.IntN(60), i%2 == 0)
		samePacked(t, td, bids)
	}
	// More rows than a chunk of rows and a chunk of the arena, and a row
	// larger than a chunk (3,000 failed limits, in its limits and reason).
	td, bids := randomBids(r, 3000, false)
	td.Award.Limits = LimitsExclude
	for i := range bids {
		bids[i].ID, bids[i].WithdrawnAt = fmt.Sprintf("bid-%05d", i), nil
		bids[i].Supplier = strings.Repeat("s", 1+r.IntN(MaxText))
	}
	var many []string
	for i := range 3000 {
		many = append(many, fmt.Sprintf("limit-%04d", i))
	}
	bids[1234] = failing(bids[1234], many...)
	if ev := samePacked(t, td, bids); ev == nil || len(ev.Ranking) != 3000 {
		t.Fatal("the large evaluation failed")
	}
}

// TestPackedEvaluatorErrors: a duplicate id is refused whether the first
// bid was kept or refused, and a bid after a refused one is checked as
// before.
func TestPackedEvaluatorErrors(t *testing.T) {
	td := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	late := newBid("a", "1", "1", deadline)
	for _, bids := range [][]Bid{
		{newBid("a", "1", "1", t0), newBid("b", "1", "1", t0), newBid("a", "2", "1", t0)},
		{late, newBid("a", "1", "1", t0)},
	} {
		e, err := NewEvaluator(td, testMethod())
		if err != nil {
			t.Fatal(err)
		}
		var errs []string
		for i := range bids {
			if err := e.Add(&bids[i]); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) == 0 || !strings.Contains(errs[len(errs)-1], `bid id "a" appears twice`) {
			t.Errorf("errors %q, want the last to say the id appears twice", errs)
		}
	}
	// Ids whose hashes collide still tell apart: the ids are compared.
	e, _ := NewEvaluator(td, testMethod())
	a, b := newBid("a", "1", "1", t0), newBid("b", "2", "1", t0)
	if err := e.Add(&a); err != nil {
		t.Fatal(err)
	}
	h := mapHashOf(e, "a")
	e.seen[mapHashOf(e, "b")] = e.seen[h] // as if "b" hashed as "a"
	delete(e.seen, h)
	if err := e.Add(&b); err != nil {
		t.Fatalf("a colliding hash refused a distinct id: %v", err)
	}
	a2 := newBid("a", "3", "1", t0)
	e.seen[h] = e.seen[mapHashOf(e, "b")] // "a" reaches both rows through the chain
	if err := e.Add(&a2); err == nil || !errors.Is(err, ErrInvalid) {
		t.Errorf("a duplicate behind a colliding hash was accepted: %v", err)
	}
	ev, err := e.Evaluation()
	if err != nil || ranks(ev) != "1:a:1.00 2:b:2.00" {
		t.Errorf("got %v, %v", ranks(ev), err)
	}
}

// FuzzPackedEvaluator: for any seed, the Evaluator gives the oracle's
// evaluation of random bids.
func FuzzPackedEvaluator(f *testing.F) {
	f.Add(uint64(1), uint8(10), false)
	f.Add(uint64(2026), uint8(200), true)
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, negative bool) {
		r := rand.New(rand.NewPCG(seed, uint64(n)))
		td, bids := randomBids(r, 1+int(n), negative)
		samePacked(t, td, bids)
	})
}

// TestCmpNotional: the packed key orders decimals as decimal.Decimal.Cmp.
func TestCmpNotional(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ds := []decimal.Decimal{dec("0"), dec("-0.00"), dec("1"), dec("1.0"), dec("10"), dec("0.1"), dec("9.99"), dec("-1"), dec("-10"), dec("-0.01"),
		dec("123456789012345678901234567890"), dec("123456789012345678901234567891"), dec("1e-30"), dec("-1e-30"), dec("9223372036854775807"), dec("-9223372036854775808")}
	for range 300 {
		ds = append(ds, randomDecimal(r, false))
	}
	var a arena
	rows := make([]packedRow, len(ds))
	for i, d := range ds {
		rows[i] = packNotional(&a, d)
	}
	for i, x := range ds {
		for j, y := range ds {
			if got, want := a.cmpNotional(&rows[i], &rows[j]), x.Cmp(y); got != want {
				t.Fatalf("cmpNotional(%s e%d, %s e%d) = %d, want %d", x, x.Exponent(), y, y.Exponent(), got, want)
			}
		}
	}
}

// packNotional is a row with d's notional key, its digits in a.
func packNotional(a *arena, d decimal.Decimal) packedRow {
	b, sign, msd := notionalKey([]byte("pfx"), d)
	r := packedRow{sign: sign, msd: msd, digits: span{off: 3, n: uint32(len(b) - 3)}}
	r.chunk, r.base = a.put(b)
	return r
}

// FuzzCmpNotional: for any two decimals, the packed keys compare as Cmp.
func FuzzCmpNotional(f *testing.F) {
	f.Add(int64(10), int32(0), int64(1), int32(1), uint8(0))
	f.Add(int64(-5), int32(-3), int64(-50), int32(-4), uint8(70))
	f.Fuzz(func(t *testing.T, c1 int64, e1 int32, c2 int64, e2 int32, shift uint8) {
		if e1 < -60 || e1 > 60 || e2 < -60 || e2 > 60 {
			return
		}
		x := decimal.NewFromBigInt(new(big.Int).Lsh(big.NewInt(c1), uint(shift%100)), e1) // beyond an int64 too
		y := decimal.New(c2, e2)
		var a arena
		px, py := packNotional(&a, x), packNotional(&a, y)
		if got, want := a.cmpNotional(&px, &py), x.Cmp(y); got != want {
			t.Fatalf("cmpNotional(%s e%d, %s e%d) = %d, want %d", x, x.Exponent(), y, y.Exponent(), got, want)
		}
	})
}

// mapHashOf is the hash e keeps of id.
func mapHashOf(e *Evaluator, id string) uint64 { return maphash.String(e.seed, id) }

// TestPackedRowHoldsNoPointer: what an Evaluator keeps per bid while the
// bids stream in has no pointer for the garbage collector to trace (the
// point of packing it), nor do the slices holding it.
func TestPackedRowHoldsNoPointer(t *testing.T) {
	var hasPointer func(reflect.Type) bool
	hasPointer = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return true
		case reflect.Array:
			return hasPointer(ty.Elem())
		case reflect.Struct:
			for i := range ty.NumField() {
				if hasPointer(ty.Field(i).Type) {
					return true
				}
			}
		}
		return false
	}
	for _, v := range []any{packedRow{}, span{}, packedFixed{}, uint64(0), int32(0)} {
		if ty := reflect.TypeOf(v); hasPointer(ty) {
			t.Errorf("%s holds a pointer", ty)
		}
	}
	if !hasPointer(reflect.TypeOf(Ranked{})) {
		t.Error("the check finds no pointer in Ranked: it cannot fail")
	}
	t.Logf("packedRow: %d bytes", unsafe.Sizeof(packedRow{}))
}
