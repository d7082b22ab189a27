package tender

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// randomRanked is a ranking row with every field set or not, and strings
// that need every kind of JSON escape.
func randomRanked(r *rand.Rand) Ranked {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	text := func() string {
		return pick("", "Acme GmbH", "ü-ß Ω", `quote"d`, `back\slash`, "a<b>&c", "tab\tnew\nline", "\x00\x1f", "bad \xff utf-8", "\u2028\u2029", "emoji 😀", "~del\x7f")
	}
	fixed := func() Fixed {
		d := decimal.RequireFromString(pick("0", "-1.5", "125000", "0.0049", "123456789012345678901234.5"))
		return NewFixed(d, methods.Rounding{Places: int32(r.IntN(4)), Mode: "half_even"})
	}
	row := Ranked{BidID: text(), Supplier: text(), Price: ReportedPrice{Amount: fixed(), Currency: pick("EUR", "", "€")},
		KgCO2e: fixed(), NotionalPrice: fixed(), LadderLevel: pick("", "gold", "<b>"), Excluded: r.IntN(3) == 0,
		Reason: pick("", "fails limit x (line 1)", text()), Commitment: pick("", "c0ffee"), Nonce: pick("", "00ff"),
		PFirst: pick("", "0.5", "1"), PKeepPlace: pick("", "0.25")}
	if r.IntN(3) > 0 {
		n := r.IntN(1000) - 10
		row.Rank = &n
	}
	switch r.IntN(3) {
	case 0:
		row.FailedLimits = []string{}
	case 1:
		row.FailedLimits = []string{text(), text()}
	}
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("odd", 3600+17), time.Local}
	row.ReceivedAt = time.Date(2026+r.IntN(3)-1, 11, 2, 9, 0, r.IntN(60), r.IntN(3)*123456789, zones[r.IntN(len(zones))])
	switch r.IntN(12) {
	case 0:
		row.ReceivedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	case 1:
		row.ReceivedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		row.ReceivedAt = time.Time{}
	}
	return row
}

// sameRankedJSON fails t unless appendRanked writes json.Marshal's bytes
// for row, or both fail.
func sameRankedJSON(t testing.TB, row *Ranked) {
	t.Helper()
	want, werr := json.Marshal(row)
	got, gerr := appendRanked([]byte("prefix"), row)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("json.Marshal: %v; appendRanked: %v (%+v)", werr, gerr, row)
	}
	if werr == nil && !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("appendRanked wrote\n%s\njson.Marshal\n%s", got[len("prefix"):], want)
	}
}

func TestAppendRankedMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		row := randomRanked(r)
		sameRankedJSON(t, &row)
	}
	// Rows as an evaluation decodes them from stored bytes.
	for range 200 {
		row := randomRanked(r)
		raw, err := json.Marshal(row)
		if err != nil {
			continue
		}
		var back Ranked
		if json.Unmarshal(raw, &back) != nil {
			continue // an amount beyond a reported one's bounds
		}
		sameRankedJSON(t, &back)
	}
}

func BenchmarkAppendRanked(b *testing.B) {
	rank := 7
	row := Ranked{Rank: &rank, BidID: "d40cf5b9655d20f2", Supplier: "S 17", Price: ReportPrice(Price{Amount: decimal.RequireFromString("1017.00"), Currency: "EUR"}),
		ReceivedAt: time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC), KgCO2e: NewFixed(decimal.RequireFromString("12345.6789"), methods.Rounding{Places: 3, Mode: "half_even"}),
		NotionalPrice: ReportPrice(Price{Amount: decimal.RequireFromString("1017.00")}).Amount, FailedLimits: []string{}, Commitment: fmt.Sprintf("%064x", 1), Nonce: fmt.Sprintf("%032x", 2)}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = appendRanked(buf[:0], &row)
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(&row); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func FuzzAppendRanked(f *testing.F) {
	f.Add("bid", "Acme", "EUR", "gold", "reason", int64(1), int64(0), true)
	f.Add("<&>", "\xff", "€", "", "", int64(-5), int64(1e18), false)
	f.Fuzz(func(t *testing.T, id, supplier, currency, level, reason string, rank, nanos int64, excluded bool) {
		n := int(rank)
		row := Ranked{Rank: &n, BidID: id, Supplier: supplier, Price: ReportedPrice{Currency: currency}, LadderLevel: level,
			Reason: reason, Excluded: excluded, FailedLimits: []string{reason, supplier}, ReceivedAt: time.Unix(0, nanos).UTC()}
		sameRankedJSON(t, &row)
	})
}
