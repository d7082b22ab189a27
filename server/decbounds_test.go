package server

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// decTexts are quantity texts around the bounds: plain, signed, with
// leading zeros, exponents, white space and separators, long.
func decTexts(rng *rand.Rand) []string {
	out := []string{"0", "-0", "-0.000", "1e15", "1000000000000000", "1000000000000000.0", "1000000000000000.01", "999999999999999.999",
		"01000000000000000", "-1000000000000000", "10000000000000000", " 5", "5 ", "+5", "1,5", "1.", ".5", "", "-", "1e3", "0x10",
		strings.Repeat("9", 40), strings.Repeat("1", 41), "0." + strings.Repeat("0", 40), "1." + strings.Repeat("5", 41), strings.Repeat("0", 30) + "1." + strings.Repeat("2", 33)}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		if rng.Intn(4) == 0 {
			sb.WriteByte('-')
		}
		for n := rng.Intn(20); n >= 0; n-- {
			sb.WriteByte("0123456789"[rng.Intn(10)])
		}
		if rng.Intn(2) == 0 {
			sb.WriteByte('.')
			for n := rng.Intn(20); n >= 0; n-- {
				sb.WriteByte("0000123456789"[rng.Intn(13)])
			}
		}
		s := sb.String()
		if rng.Intn(10) == 0 {
			j := rng.Intn(len(s) + 1)
			s = s[:j] + string("e+ ,.-x"[rng.Intn(7)]) + s[j:]
		}
		out = append(out, s)
	}
	return out
}

// TestDecBoundsMatchParse holds the text comparisons of the decimal tags
// to the parsing ones they shortcut: for every text, plainDecimal implies
// the parser accepts it, and atLeast/atMostAbs, when they decide, decide
// as a comparison of the parsed decimal would.
func TestDecBoundsMatchParse(t *testing.T) {
	bounds := newDecBounds("0", "1e15", "1", "0.5")
	for _, s := range decTexts(rand.New(rand.NewSource(5))) {
		d, err := parseDecimal(s)
		if _, plain := plainDecimal(s); plain && err != nil {
			t.Fatalf("%q is plain but does not parse: %v", s, err)
		}
		for param := range bounds {
			bound := decimal.RequireFromString(param)
			if ok, known := bounds.atLeast(s, param); known && (err != nil || ok != (d.Cmp(bound) >= 0)) {
				t.Fatalf("atLeast(%q, %s) = %v; parsed: %v, %v", s, param, ok, d, err)
			}
			if ok, known := bounds.atMostAbs(s, param); known && (err != nil || ok != (d.Abs().Cmp(bound) <= 0)) {
				t.Fatalf("atMostAbs(%q, %s) = %v; parsed: %v, %v", s, param, ok, d, err)
			}
		}
	}
	if _, known := bounds.atMostAbs("5", "0.5"); known {
		t.Fatal("a bound that is not a power of ten decided on text")
	}
}

// FuzzDecBounds: the text comparisons never disagree with the parse.
func FuzzDecBounds(f *testing.F) {
	for _, s := range decTexts(rand.New(rand.NewSource(1)))[:40] {
		f.Add(s)
	}
	bounds := newDecBounds("0", "1e15")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDecimal(s)
		if _, plain := plainDecimal(s); plain && err != nil {
			t.Fatalf("%q is plain but does not parse: %v", s, err)
		}
		if ok, known := bounds.atLeast(s, "0"); known && (err != nil || ok != !d.IsNegative()) {
			t.Fatalf("atLeast(%q) = %v", s, ok)
		}
		if ok, known := bounds.atMostAbs(s, "1e15"); known && (err != nil || ok != (d.Abs().Cmp(decimal.New(1, 15)) <= 0)) {
			t.Fatalf("atMostAbs(%q) = %v", s, ok)
		}
	})
}
