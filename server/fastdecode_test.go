package server

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc/bidjson"
)

// strictDecode is the strict decoder alone (bidjson.Unmarshal, as
// decodeBody runs it when the one-pass decoder declines): the oracle the
// one-pass decoder is held to.
func strictDecode(raw []byte, dst any) error { return bidjson.Unmarshal(raw, dst) }

// checkFast holds the one-pass decoder to the strict one on one body:
// whatever it accepts, the strict decoder accepts without a problem and
// decodes to the same value; it reports whether the fast path took it.
func checkFast(t testing.TB, body []byte) bool {
	t.Helper()
	for _, mk := range []func() any{func() any { return &BidRequest{} }, func() any { return &ComparisonRequest{} }} {
		fast, strict := mk(), mk()
		ok := fastDecode(body, fast)
		if !ok {
			if !reflect.DeepEqual(fast, mk()) {
				t.Fatalf("declined but filled %T: %q", fast, body)
			}
			continue
		}
		if err := strictDecode(body, strict); err != nil {
			t.Fatalf("one-pass decoder accepted %q into %T; the strict decoder refuses it: %v", body, fast, err)
		}
		if !reflect.DeepEqual(fast, strict) {
			t.Fatalf("%q: one-pass %#v, strict %#v", body, fast, strict)
		}
		if _, isBid := fast.(*BidRequest); isBid {
			return true
		}
	}
	return false
}

// fastStrings are JSON string literals that take every branch of the
// string scanner, and the number texts of a quantity.
var (
	fastStrings = []string{`""`, `"1"`, `"ACME <Construction> & Sons"`, `"a\"b"`, `"tab\tx"`, `"\u00fc\u2028"`,
		`"\ud83d\ude00"`, `"\ud83d"`, `"Müller"`, "\"\xff\xfe\"", `"x\/y"`, `"back\\slash"`, `null`}
	fastNumbers = []string{`"1000"`, `1000`, `12.5`, `-0`, `0.000`, `1e15`, `1E+3`, `2.5e-7`, `"12,5"`, `"1e999999"`, `null`, `"-1"`, `""`}
)

// genFastBid writes a bid that exercises every field of the one-pass
// decoder, with random white space, key order, string escapes and number
// forms.
func genFastBid(rng *rand.Rand, comparison bool) string {
	sp := func() string { return [...]string{"", " ", "\n\t", "\r\n  "}[rng.Intn(4)] }
	str := func() string { return fastStrings[rng.Intn(len(fastStrings))] }
	obj := func(fields []string) string {
		rng.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		return "{" + sp() + strings.Join(fields, sp()+","+sp()) + sp() + "}"
	}
	kv := func(k, v string) string { return fmt.Sprintf("%q%s:%s%s", k, sp(), sp(), v) }
	var lines []string
	for i := rng.Intn(6); i > 0; i-- {
		var f []string
		for _, k := range []string{"id", "activity", "region", "unit", "basis", "stage"} {
			if rng.Intn(5) > 0 {
				f = append(f, kv(k, str()))
			}
		}
		if rng.Intn(4) > 0 {
			f = append(f, kv("quantity", fastNumbers[rng.Intn(len(fastNumbers))]))
		}
		if rng.Intn(3) == 0 {
			f = append(f, kv("allow_region_fallback", [...]string{"true", "false", "null"}[rng.Intn(3)]))
		}
		switch rng.Intn(4) {
		case 0:
			f = append(f, kv("factor", "null"))
		case 1:
			f = append(f, kv("factor", obj([]string{kv("kg_co2e", fastNumbers[rng.Intn(len(fastNumbers))]), kv("per", str()), kv("reference", str())})))
		case 2:
			f = append(f, kv("factor", "{}"))
		}
		lines = append(lines, obj(f))
	}
	var f []string
	for _, k := range []string{"reference", "supplier", "date", "valid_through"} {
		if rng.Intn(4) > 0 {
			f = append(f, kv(k, str()))
		}
	}
	if comparison {
		var ms []string
		for i := rng.Intn(4); i > 0; i-- {
			ms = append(ms, [...]string{`"us-federal"`, `"eu-gpp@2025.1"`, `""`, `"\u00e9"`}[rng.Intn(4)])
		}
		f = append(f, kv("methods", "["+sp()+strings.Join(ms, sp()+","+sp())+sp()+"]"))
	} else if rng.Intn(4) > 0 {
		f = append(f, kv("method", str()))
	}
	switch rng.Intn(8) {
	case 0:
		f = append(f, kv("lines", "null"))
	case 1:
	default:
		f = append(f, kv("lines", "["+sp()+strings.Join(lines, sp()+","+sp())+sp()+"]"))
	}
	return sp() + obj(f) + sp()
}

// mutate damages a body: a byte dropped, doubled, changed, or a key
// renamed, repeated or given a value of another type.
func mutate(rng *rand.Rand, s string) string {
	if s == "" {
		return s
	}
	i := rng.Intn(len(s))
	switch rng.Intn(8) {
	case 0:
		return s[:i] + s[i+1:]
	case 1:
		return s[:i] + s[i:i+1] + s[i:]
	case 2:
		return s[:i] + string("{}[]\",:0-etnu\\ x"[rng.Intn(16)]) + s[i+1:]
	case 3:
		return strings.Replace(s, `"id"`, `"ID"`, 1)
	case 4:
		return strings.Replace(s, `"unit":`, `"unit":"kg","unit":`, 1)
	case 5:
		return strings.Replace(s, `"supplier":`, `"supplier":1,"x":`, 1)
	case 6:
		return s + "{}"
	default:
		return strings.Replace(s, `"factor":{`, `"factor":{"epd":null,`, 1)
	}
}

// TestFastDecodeMatchesStrict: on generated bids and comparison requests,
// valid and damaged, whatever the one-pass decoder accepts the strict
// decoder decodes to the same value without a problem; and the one-pass
// decoder takes the valid bids it is meant for.
func TestFastDecodeMatchesStrict(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	taken := 0
	for i := 0; i < 20000; i++ {
		body := genFastBid(rng, i%3 == 0)
		for m := rng.Intn(3); m > 0 && i%2 == 1; m-- {
			body = mutate(rng, body)
		}
		if checkFast(t, []byte(body)) {
			taken++
		}
	}
	if taken < 2000 {
		t.Fatalf("the one-pass decoder took only %d of the generated bids", taken)
	}
	for _, body := range []string{string(bid20()), exampleBid} {
		var req BidRequest
		if !fastDecode([]byte(body), &req) {
			t.Fatalf("the one-pass decoder declines a plain bid: %s", body)
		}
		checkFast(t, []byte(body))
	}
}

// TestFastDecodeDeclines: bodies that the strict decoder must answer (it
// names their problem) are never taken by the one-pass decoder.
func TestFastDecodeDeclines(t *testing.T) {
	for _, body := range []string{``, `null`, `[]`, `{"lines":[]}x`, `{"lines":[null]}`, `{"methods":[null]}`,
		`{"lines":[{"id":"1","id":"2"}]}`, `{"Lines":[]}`, `{"reference":1}`, `{"lines":[{"quantity":true}]}`,
		`{"lines":[{"quantity":01}]}`, `{"lines":[{"quantity":1.}]}`, `{"lines":[{"quantity":-}]}`, `{"lines":[{"quantity":1e}]}`,
		`{"lines":[{"allow_region_fallback":"true"}]}`, `{"lines":[{"factor":{"epd":null}}]}`, `{"lines":[{"factor":[]}]}`,
		`{"reference":"a` + "\x01" + `"}`, `{"reference":"\x"}`, `{"reference":nul}`, `{"lines":[{"allow_region_fallback":truex}]}`,
		`{"\u0072eference":"a"}`, `{"lines":[],}`, `{,}`, `{"reference" "a"}`, `{"lines":[{}]`} {
		for _, dst := range []any{&BidRequest{}, &ComparisonRequest{}} {
			if fastDecode([]byte(body), dst) {
				t.Errorf("one-pass decoder took %q into %T", body, dst)
			}
		}
	}
}

// FuzzFastDecode: for any body, whatever the one-pass decoder accepts the
// strict decoder decodes to the same value without a problem.
func FuzzFastDecode(f *testing.F) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		f.Add([]byte(genFastBid(rng, i%2 == 0)))
	}
	f.Add(bid20())
	f.Add([]byte(exampleBid))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFast(t, body)
	})
}
