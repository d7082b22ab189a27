package calc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
)

// oracleInputDigest is InputDigest as it was before it streamed into the
// hash: json.Marshal of the canonical bid, then SHA-256. It is the oracle
// the streaming digest is held to.
func oracleInputDigest(b Bid) string {
	raw, _ := json.Marshal(canonicalBid(b))
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// oracleSealDigest is sealDigest as it was before it sealed in place: a
// copy of the document with the digest spliced in.
func oracleSealDigest(raw []byte) ([]byte, error) {
	const empty = `"result_digest":""`
	i := bytes.LastIndex(raw, []byte(empty))
	if i < 0 {
		return nil, errors.New("calc: report has no result_digest to seal")
	}
	sum := sha256.Sum256(raw)
	out := make([]byte, 0, len(raw)+64)
	out = append(out, raw[:i]...)
	out = append(out, `"result_digest":"`...)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, '"')
	return append(out, raw[i+len(empty):]...), nil
}

// digestStrings are strings that take every branch of the JSON string
// encoder: plain, HTML characters, quotes, control characters, U+2028,
// non-ASCII and invalid UTF-8.
var digestStrings = []string{"", "1", "fuel.natural_gas", "US-CAMX", "ACME <Construction> & \"Sons\"",
	"tab\there", "new\nline", "\u2028\u2029", "Müller GmbH", "\xff\xfe", "back\\slash", "x/y", strings.Repeat("z", 200)}

// randDecimal is a decimal with a random coefficient (up to 40 digits,
// either sign, trailing zeros likely) and exponent (-30..+5).
func randDecimal(rng *rand.Rand) decimal.Decimal {
	digits := 1 + rng.Intn(40)
	if rng.Intn(3) > 0 {
		digits = 1 + rng.Intn(18)
	}
	var sb strings.Builder
	if rng.Intn(8) == 0 {
		sb.WriteByte('-')
	}
	for i := 0; i < digits; i++ {
		if rng.Intn(4) == 0 {
			sb.WriteByte('0')
		} else {
			sb.WriteByte(byte('0' + rng.Intn(10)))
		}
	}
	d := decimal.RequireFromString(sb.String())
	return decimal.NewFromBigInt(d.Coefficient(), int32(rng.Intn(36)-30))
}

func randBid(rng *rand.Rand) Bid {
	pick := func() string { return digestStrings[rng.Intn(len(digestStrings))] }
	maybe := func() string {
		if rng.Intn(2) == 0 {
			return ""
		}
		return pick()
	}
	b := Bid{Method: maybe(), Reference: pick(), Supplier: pick(), Date: maybe(), ValidThrough: maybe()}
	n := rng.Intn(30)
	if n > 0 || rng.Intn(2) == 0 {
		b.Lines = make([]Line, n)
	}
	for i := range b.Lines {
		l := Line{ID: pick(), Activity: pick(), Region: pick(), Quantity: randDecimal(rng), Unit: pick(),
			Basis: maybe(), Stage: maybe(), AllowRegionFallback: rng.Intn(2) == 0}
		if rng.Intn(3) == 0 {
			l.Factor = &ProductFactor{KgCO2e: randDecimal(rng), Per: pick(), Reference: pick()}
		}
		b.Lines[i] = l
	}
	return b
}

// TestInputDigestStreamsOracle holds the streaming InputDigest to the
// marshalled one on generated bids: every optional field present and
// absent, strings needing escapes, decimals of every size and exponent,
// bids larger than one chunk, no lines and nil lines.
func TestInputDigestStreamsOracle(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	for i := 0; i < 5000; i++ {
		b := randBid(rng)
		if got, want := InputDigest(b), oracleInputDigest(b); got != want {
			raw, _ := json.Marshal(canonicalBid(b))
			t.Fatalf("bid %d: InputDigest %s, oracle %s; canonical JSON %s", i, got, want, raw)
		}
	}
}

// TestInputDigestEPD: a bid carrying an EPD document digests as the
// oracle does (it takes the marshalling path).
func TestInputDigestEPD(t *testing.T) {
	d := decimal.RequireFromString
	b := Bid{Reference: "R", Supplier: "S", Lines: []Line{
		{ID: "1", Activity: "fuel.diesel", Region: "US", Quantity: d("10.50"), Unit: "gal"},
		{ID: "2", Activity: "material.steel.rebar", Region: "US", Quantity: d("2"), Unit: "t",
			Factor: &ProductFactor{EPD: &EPDDocument{Format: "openepd", File: "a<b>.json", Raw: []byte(`{"x":1}`), Declaration: &epd.Declaration{SHA256: "ab"}}}},
	}}
	if got, want := InputDigest(b), oracleInputDigest(b); got != want {
		t.Fatalf("InputDigest %s, oracle %s", got, want)
	}
}

// TestInputDigestGolden pins one digest, computed by the marshalling
// implementation before the streaming one replaced it.
func TestInputDigestGolden(t *testing.T) {
	d := decimal.RequireFromString
	b := Bid{Method: "us-federal@2025.1", Reference: "TENDER-2026-014/BID-3", Supplier: "ACME Construction", Lines: []Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: d("1000.0"), Unit: "mmBtu"},
		{ID: "2", Activity: "material.steel.rebar", Region: "US", Quantity: d("12.5"), Unit: "t",
			Factor: &ProductFactor{KgCO2e: d("780"), Per: "t", Reference: "EPD S-P-01234"}}}}
	if got, want := InputDigest(b), oracleInputDigest(b); got != want {
		t.Fatalf("InputDigest %s, oracle %s", got, want)
	}
}

// TestAppendDecimalText holds appendDecimalText to decimal's String.
func TestAppendDecimalText(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 20000; i++ {
		d := randDecimal(rng)
		if got, want := string(appendDecimalText(nil, d)), d.String(); got != want {
			t.Fatalf("appendDecimalText(%s e%d) = %q, want %q", d.Coefficient(), d.Exponent(), got, want)
		}
	}
}

// FuzzInputDigest: for any strings and decimals, the streaming digest is
// the marshalled one.
func FuzzInputDigest(f *testing.F) {
	f.Add("ref", "<sup>", "1", "fuel.diesel", "US", "gal", "HHV", "", "1000", int32(-1), true, "780", "t")
	f.Add("", "\xff", "", "", "\u2028", "", "", "A1", "-12345678901234567890123", int32(5), false, "", "")
	f.Fuzz(func(t *testing.T, ref, sup, id, act, region, unit, basis, stage, coef string, exp int32, fallback bool, fcoef, per string) {
		c, err := decimal.NewFromString(coef)
		if err != nil || exp < -40 || exp > 40 {
			return
		}
		q := decimal.NewFromBigInt(c.Coefficient(), exp)
		l := Line{ID: id, Activity: act, Region: region, Quantity: q, Unit: unit, Basis: basis, Stage: stage, AllowRegionFallback: fallback}
		if fc, err := decimal.NewFromString(fcoef); err == nil {
			l.Factor = &ProductFactor{KgCO2e: fc, Per: per, Reference: ref}
		}
		b := Bid{Reference: ref, Supplier: sup, Lines: []Line{l, l}}
		if got, want := InputDigest(b), oracleInputDigest(b); got != want {
			t.Fatalf("InputDigest %s, oracle %s", got, want)
		}
		if got, want := string(appendDecimalText(nil, q)), q.String(); got != want {
			t.Fatalf("appendDecimalText = %q, want %q", got, want)
		}
	})
}

// TestSealInPlaceOracle holds the in-place seal to the copying one, at
// the start of a buffer and after a prefix, and the footprint's JSON to
// the oracle's sealing of its unsealed report.
func TestSealInPlaceOracle(t *testing.T) {
	docs := []string{`{"receipt":{"result_digest":""}}`, `{"a":"\"result_digest\":\"\"","receipt":{"x":1,"result_digest":""}}`,
		`{"receipt":{"result_digest":""},"tail":"a long tail after the digest, longer than the kept bytes"}`}
	for _, doc := range docs {
		want, err := oracleSealDigest([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"", "prefix bytes "} {
			buf := append([]byte(prefix), doc...)
			got, err := sealDigest(buf, len(prefix))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != prefix+string(want) {
				t.Fatalf("sealDigest(%s) = %s, want %s", doc, got, want)
			}
		}
	}
	if _, err := sealDigest([]byte(`{"receipt":{}}`), 0); err == nil {
		t.Fatal("a document without result_digest sealed")
	}
}

// TestFootprintJSONSealOracle: a computed footprint's JSON, sealed in
// place into a fresh or reused buffer, is the oracle's sealing of its
// unsealed report.
func TestFootprintJSONSealOracle(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(lib)
	d := decimal.RequireFromString
	bid := Bid{Reference: "R<1>", Supplier: "S & T", Lines: []Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: d("1000"), Unit: "mmBtu"},
		{ID: "2", Activity: "electricity.grid", Region: "US-CAMX", Quantity: d("250.5"), Unit: "MWh"},
		{ID: "3", Activity: "nope", Region: "US", Quantity: d("1"), Unit: "kg"}}}
	reused := make([]byte, 0, 64)
	for _, m := range reg.All() {
		fp, err := eng.Calculate(m, bid)
		if fp == nil {
			t.Fatalf("%s: %v", m.Ref(), err)
		}
		_, raw := fp.unsealed()
		want, err := oracleSealDigest(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fp.JSON()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: JSON differs from the oracle's seal (%v)", m.Ref(), err)
		}
		reused, err = fp.AppendJSON(append(reused[:0], "xyz"...))
		if err != nil || string(reused[3:]) != string(want) || string(reused[:3]) != "xyz" {
			t.Fatalf("%s: AppendJSON after a prefix differs from the oracle's seal (%v)", m.Ref(), err)
		}
	}
}
