package store

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// randomBid is a bid with every field bidContent carries, each present or
// absent, empty or not, at random.
func randomBid(r *rand.Rand) tender.Bid {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	dec := func() decimal.Decimal {
		return decimal.RequireFromString(pick("0", "1", "-2.5", "1000.00", "12345678901234567890.123456789", "0.000001", "7e3", "-0.0",
			"999999999999999999", "-99999999999999999.9", "1000000000000000000", "123456789.123456789", "-5e-7"))
	}
	text := func() string {
		return pick("", "a", "Acme GmbH", "ü-ß Ω", "line 7", "x<y&z", `quote"d`, "tab\there")
	}
	b := tender.Bid{ID: fmt.Sprint("b", r.IntN(1000)), Supplier: text(), Price: tender.Price{Amount: dec(), Currency: pick("EUR", "USD", "")},
		LadderLevel: pick("", "", "level-2"), Nonce: pick("", fmt.Sprintf("%032x", r.Uint64()))}
	for range r.IntN(6) {
		l := calc.Line{ID: text(), Activity: pick("fuel.natural_gas", "electricity.grid"), Region: pick("US", "DE", "US-CAMX"),
			Quantity: dec(), Unit: pick("mmBtu", "MWh", "t"), Basis: pick("", "HHV", "NCV"), Stage: pick("", "A1-A3"), AllowRegionFallback: r.IntN(2) == 0}
		if r.IntN(3) == 0 {
			l.Factor = &calc.ProductFactor{KgCO2e: dec(), Per: pick("t", "kg", ""), Reference: text()}
		}
		b.Lines = append(b.Lines, l)
	}
	if r.IntN(4) == 0 {
		b.Lines = nil
	}
	b.Footprint.KgCO2e = dec()
	switch r.IntN(3) {
	case 0:
		b.Footprint.Limits = []tender.LimitResult{}
	case 1:
		for range 1 + r.IntN(3) {
			b.Footprint.Limits = append(b.Footprint.Limits, tender.LimitResult{ID: text(), LineID: text(), Limit: dec(), Value: dec(), Unit: pick("t", "kg"), Pass: r.IntN(2) == 0})
		}
	}
	rc := &b.Footprint.Receipt
	rc.InputDigest, rc.MethodDigest, rc.ResultDigest = pick("", "ab12"), pick("", "cd34"), pick("", "ef56")
	switch r.IntN(3) {
	case 0:
		rc.DatasetDigests = map[string]string{}
	case 1:
		rc.DatasetDigests = map[string]string{"egrid@2023": "01", "epa-ghg-hub@2025": "02", text(): "03"}
	}
	switch r.IntN(3) {
	case 0:
		rc.EPDDigests = []string{"aa"}
	case 1:
		rc.EPDDigests = []string{}
	}
	return b
}

// sameContent fails t unless the fast decoder, when it accepts pt,
// decodes it to what encoding/json does; it reports whether it accepted.
func sameContent(t testing.TB, pt []byte) bool {
	t.Helper()
	fast, _, ok := decodeContentFast(pt)
	if !ok {
		return false
	}
	slow, err := decodeContent(pt)
	if err != nil {
		t.Fatalf("the fast decoder accepts what encoding/json refuses (%v): %.200s", err, pt)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("the fast decoder decodes\n%.300s\nto %+v, encoding/json to %+v", pt, fast, slow)
	}
	return true
}

func TestContentFastMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	taken := 0
	for i := range 3000 {
		b := randomBid(r)
		pt, err := bidPlaintext("t1", b)
		if err != nil {
			t.Fatal(err)
		}
		plain := !strings.ContainsAny(string(pt), `\`)
		// Padded as sealed: the same content, on the fast path too.
		if padded := padPlaintext([]byte(string(pt))); sameContent(t, padded) != sameContent(t, pt) {
			t.Fatalf("bid %d: the fast decoder takes the content and its padded form differently", i)
		}
		if sameContent(t, pt) {
			taken++
			// The lines' bytes of genuine content digest as its lines do,
			// so an opening need not encode them again.
			c, lines, _ := decodeContentFast(pt)
			d1, err1 := tender.BidDigest(tender.Bid{Supplier: c.Supplier, Price: c.Price, LadderLevel: c.LadderLevel, Lines: c.Lines, Footprint: c.Footprint, ReceivedAt: b.ReceivedAt})
			d2, err2 := tender.BidDigestWithLines(b, lines)
			if err1 != nil || err2 != nil || d1 != d2 {
				t.Fatalf("bid %d: the digest from the content's lines bytes is %s (%v), the bid's %s (%v)", i, d2, err2, d1, err1)
			}
		} else if plain {
			t.Fatalf("bid %d: the fast decoder declines content bidPlaintext wrote without escapes: %.300s", i, pt)
		}
		// Every cut and one changed byte: accepted only as encoding/json reads it.
		sameContent(t, pt[:r.IntN(len(pt))])
		mut := []byte(string(pt))
		mut[r.IntN(len(mut))] = "{}[],:\"0a\\n -"[r.IntN(13)]
		sameContent(t, mut)
	}
	if taken < 500 {
		t.Fatalf("the fast path took %d of 3000 bids: the test does not test it", taken)
	}
	// Decimal spellings bidPlaintext never writes: the shortcut builds
	// what decimal.NewFromString does, or leaves them to it.
	for _, d := range []string{"12.50", "-0", "-0.000", "007", "1.", ".5", "+1", "1e3", "-", "1.2.3", "--1", "١",
		"123456789012345678", "1234567890123456789", "-12345678901234567", "-123456789012345678", "12345678901234567.8", "0.00000000000000001"} {
		for _, at := range []string{`"price":{"amount":"%s","currency":"EUR"}`, `"lines":[{"quantity":"%s"}]`, `"footprint":{"kg_co2e":"%s"}`} {
			pt := []byte(`{"v":1,` + fmt.Sprintf(at, d) + `}`)
			sameContent(t, pt)
		}
	}
	if !sameContent(t, []byte(`{"v":1,"price":{"amount":"12.50","currency":"EUR"}}`)) {
		t.Error("the fast decoder declines a plain decimal")
	}
	for _, declined := range []string{
		`{"v":1,"lines":[{"factor":{"epd":{"format":"openepd"}}}]}`, // an EPD document
		`{"v":1,"v":1}`,                // a key twice
		`{"V":1}`,                      // encoding/json matches keys without case
		"{\"v\":1}\n",                  // whitespace other than the padding's spaces
		`{"v":1,"colour":"red"}`,       // unknown: encoding/json's error
		`{"v":1,"price":{"amount":1}}`, // a decimal as a number
		`{"v":01}`,
		`{"v":1,"supplier":"a\u0041"}`,
	} {
		if _, _, ok := decodeContentFast([]byte(declined)); ok {
			t.Errorf("the fast decoder accepts %s", declined)
		}
	}
}

// BenchmarkDecodeContent decodes a 20-line bid's sealed content, as an
// opening does per bid: the fast decoder, and encoding/json for contrast.
func BenchmarkDecodeContent(b *testing.B) {
	bid := tender.Bid{ID: "b1", Supplier: "S", Price: tender.Price{Amount: decimal.RequireFromString("1000.00"), Currency: "EUR"}, ReceivedAt: time.Now(), Nonce: "ab"}
	for j := range 20 {
		bid.Lines = append(bid.Lines, calc.Line{ID: fmt.Sprint(j + 1), Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString(fmt.Sprintf("%d.5", j%97+1)), Unit: "mmBtu"})
	}
	pt, err := bidPlaintext("t1", bid)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, _, ok := decodeContentFast(pt); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeContent(pt); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func FuzzContentFast(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 8 {
		pt, err := bidPlaintext("t1", randomBid(r))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pt)
	}
	f.Add([]byte(`{"v":1,"lines":[{"factor":{"epd":{}}}]}`))
	f.Fuzz(func(t *testing.T, pt []byte) { sameContent(t, pt) })
}

func TestCheckCommitment(t *testing.T) {
	b := randomBid(rand.New(rand.NewPCG(9, 9)))
	b.ReceivedAt = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d, err := tender.BidDigest(b)
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := seal.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	b.Nonce = hex.EncodeToString(nonce[:])
	b.Commitment = seal.Commit(nonce, tender.CommitmentContent(d, b.Footprint.Receipt.ResultDigest))
	other := b
	other.Price.Amount = other.Price.Amount.Add(decimal.NewFromInt(1))
	for _, c := range []struct {
		name     string
		sb       storedBid
		replaced bool
	}{
		{"the content's digest", storedBid{bid: b, digest: d}, false},
		{"no content digest", storedBid{bid: b}, false},
		{"a wrong content digest: the bid's own decides", storedBid{bid: b, digest: strings.Repeat("0", 64)}, false},
		{"another bid in its place", storedBid{bid: other}, true},
	} {
		err := checkCommitment(&c.sb)
		if got := errors.Is(err, ErrBidReplaced); got != c.replaced {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestPadPlaintext(t *testing.T) {
	// Padmé: at most 12 % more; small bids all the same size.
	for _, n := range []int{1, 100, 1000, 4095, 4096, 4097, 5000, 65536, 100000, 1 << 20, 3<<20 + 17, 40 << 20} {
		p := padme(n)
		if p < n || float64(p) > 1.12*float64(n) {
			t.Errorf("padme(%d) = %d: want n ≤ p ≤ 1.12 n", n, p)
		}
		if got := len(padPlaintext(make([]byte, n))); got != max(p, minSealedPlaintext) {
			t.Errorf("padPlaintext of %d bytes: %d, want %d", n, got, max(p, minSealedPlaintext))
		}
	}
	// The sealed length of a bid of 1 and of 30 lines is the same, and of
	// 1,000 and 1,010 lines too: a database reader learns a size class.
	r := rand.New(rand.NewPCG(4, 4))
	tk, err := seal.NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	sealedLen := func(lines int) int {
		b := randomBid(r)
		b.Lines = nil
		for j := range lines {
			b.Lines = append(b.Lines, calc.Line{ID: fmt.Sprint(j + 1), Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.NewFromInt(int64(j + 1)), Unit: "mmBtu"})
		}
		bk, _, err := seal.NewBatchKey(tk.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		sb, err := sealBid(bk, "t1", b, BidSecrets{})
		if err != nil {
			t.Fatal(err)
		}
		pt, err := bk.Open(bidContext("t1", b.ID), sb.content)
		if err != nil {
			t.Fatal(err)
		}
		var got storedBid
		got.bid.ID = b.ID
		if err := unsealWith(func([]byte) ([]byte, error) { return pt, nil }, "t1", &got, nil); err != nil || len(got.bid.Lines) != lines {
			t.Fatalf("a padded bid of %d lines reads back as %d lines: %v", lines, len(got.bid.Lines), err)
		}
		return len(sb.content)
	}
	if a, b := sealedLen(1), sealedLen(30); a != b {
		t.Errorf("sealed bids of 1 and 30 lines are %d and %d bytes: the length tells the size", a, b)
	}
	if a, b := sealedLen(1000), sealedLen(1010); a != b {
		t.Errorf("sealed bids of 1,000 and 1,010 lines are %d and %d bytes", a, b)
	}
}
