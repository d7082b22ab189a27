package calc

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
)

// checkAppendFootprintJSON holds AppendFootprintJSON, whose footprint
// keeps its amounts in fixed point only, to Calculate: the same error, or
// the same bytes as the oracle's sealing of the calculated footprint's
// decimal report (Report rounds each amount's decimal with NewFixed), and
// as that footprint's own JSON. It returns the footprint Calculate gave.
func checkAppendFootprintJSON(t testing.TB, p *Plan, bid Bid) *Footprint {
	t.Helper()
	fp, err := p.Calculate(bid)
	got, gerr := p.AppendFootprintJSON([]byte("xyz"), bid)
	if (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
		t.Fatalf("%s: AppendFootprintJSON error %v, Calculate %v", p.method.Ref(), gerr, err)
	}
	if err != nil {
		if string(got) != "xyz" {
			t.Fatalf("%s: AppendFootprintJSON wrote %q on error", p.method.Ref(), got)
		}
		return fp
	}
	_, raw := fp.unsealed()
	want, err := oracleSealDigest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("xyz")) || !bytes.Equal(got[3:], want) {
		t.Fatalf("%s: AppendFootprintJSON differs from the decimal report%s", p.method.Ref(), firstDiff(got[3:], want))
	}
	if j, err := fp.JSON(); err != nil || !bytes.Equal(j, want) {
		t.Fatalf("%s: JSON differs from the decimal report (%v)%s", p.method.Ref(), err, firstDiff(j, want))
	}
	return fp
}

// firstDiff shows where two documents first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-80, 0)
	return fmt.Sprintf(" at byte %d:\n got …%s\nwant …%s", i, got[from:min(i+80, len(got))], want[from:min(i+80, len(want))])
}

// respell writes d as one of the spellings ParseQuantity accepts for its
// value (trailing and leading zeros, a plus sign, an exponent, white
// space) and parses it back: the same value, often another exponent (d
// itself when the spelling passes ParseQuantity's bounds).
func respell(t testing.TB, rng *rand.Rand, d decimal.Decimal) decimal.Decimal {
	t.Helper()
	s := d.String()
	switch rng.IntN(6) {
	case 0:
		if !strings.Contains(s, ".") {
			s += "."
		}
		s += strings.Repeat("0", 1+rng.IntN(12))
		if strings.HasSuffix(s, ".") {
			s += "0"
		}
	case 1:
		s = strings.Repeat("0", 1+rng.IntN(5)) + s
	case 2:
		s = fmt.Sprintf("%se%d", d.Coefficient(), d.Exponent())
	case 3:
		s = fmt.Sprintf("%s0E%d", d.Coefficient(), d.Exponent()-1)
	case 4:
		s = "+" + s
	default:
		s = " " + s + "\t"
	}
	q, err := ParseQuantity(s)
	if err != nil {
		return d // a spelling past ParseQuantity's bounds (places, length)
	}
	if !q.Equal(d) {
		t.Fatalf("respell %s as %q gave %s", d, s, q)
	}
	return q
}

// diffDeclaration is an EN 15804+A2 rebar EPD whose GWP-total A1-A3 is
// value, valid until the end of 2027; its digest is the hex digit h
// repeated.
func diffDeclaration(value decimal.Decimal, h string) *epd.Declaration {
	return &epd.Declaration{Format: epd.FormatILCD, ID: "5c1e9d3a-0000-4000-8000-00000000000" + h, Name: "Reinforcing steel",
		RegistrationNumber: "S-P-" + h, ProgramOperator: "EPD International", Standard: "EN 15804+A2",
		ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC), DeclaredUnit: epd.Quantity{Amount: decimal.NewFromInt(1), Unit: "t"},
		Results: []epd.Result{{Indicator: "GWP-total", Module: "A1-A3", Value: value}},
		SHA256:  strings.Repeat(h, 64)}
}

// addRowKinds adds to a generated bid the rows genBid does not make: a
// line the engine refuses, a product-factor line of a stage the method
// does not count (excluded), a line with an EPD document (the bid then
// dated), a zero quantity, and respelled quantities.
func addRowKinds(t testing.TB, rng *rand.Rand, bid *Bid) {
	t.Helper()
	n := len(bid.Lines)
	for i := range bid.Lines {
		if rng.IntN(3) == 0 {
			bid.Lines[i].Quantity = respell(t, rng, bid.Lines[i].Quantity)
		}
		if f := bid.Lines[i].Factor; f != nil && rng.IntN(3) == 0 {
			f.KgCO2e = respell(t, rng, f.KgCO2e)
		}
	}
	id := func(k int) string { return fmt.Sprint(n + k + 1) }
	switch rng.IntN(5) {
	case 0:
		bid.Lines = append(bid.Lines, Line{ID: id(0), Activity: "nope", Region: "US", Quantity: decimal.NewFromInt(1), Unit: "kg"})
	case 1:
		bid.Lines = append(bid.Lines, Line{ID: id(0), Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString(randQuantity(rng)),
			Unit: "t", Stage: "use", Factor: &ProductFactor{KgCO2e: decimal.RequireFromString(randQuantity(rng)), Per: "t", Reference: "EPD-use"}})
	case 2:
		v := decimal.RequireFromString(randQuantity(rng))
		bid.Date = "2026-01-10"
		bid.Lines = append(bid.Lines, Line{ID: id(0), Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString(randQuantity(rng)), Unit: "t",
			Factor: &ProductFactor{EPD: &EPDDocument{Format: epd.FormatILCD, File: "rebar.xml", Raw: []byte("<x/>"), Declaration: diffDeclaration(v, "a")}}})
	case 3:
		if n > 0 {
			l := bid.Lines[rng.IntN(n)]
			l.ID, l.Quantity = id(0), decimal.New(0, -int32(rng.IntN(4)))
			bid.Lines = append(bid.Lines, l)
		}
	}
}

// TestAppendFootprintJSONMatchesCalculate holds the fixed-point footprint
// JSON to Calculate's decimal report, on generated bids under every
// built-in method: ordinary and very large quantities (past an int64, so
// through the decimal fallback), every accepted spelling of a quantity,
// and every kind of row — computed (own, host and product factors,
// heating-value conversions, limits), excluded, refused, zero and with an
// EPD document.
func TestAppendFootprintJSONMatchesCalculate(t *testing.T) {
	w := newOracleWorld(t)
	rng := rand.New(rand.NewPCG(2026, 19))
	kinds := map[string]int{}
	for _, m := range withoutTransport(w.reg.All()) {
		plan, err := w.eng.Plan(m)
		if err != nil {
			t.Fatal(err)
		}
		for iter := range 40 {
			bid := genBid(rng, w, m, 1+rng.IntN(25))
			if iter%4 == 1 {
				for i := range bid.Lines {
					bid.Lines[i].Quantity = decimal.RequireFromString(bigQuantity(rng))
				}
			}
			addRowKinds(t, rng, &bid)
			fp := checkAppendFootprintJSON(t, plan, bid)
			if fp == nil {
				kinds["refused bid"]++
				continue
			}
			if len(fp.Limits) > 0 {
				kinds["limits"]++
			}
			for _, lr := range fp.Lines {
				kinds[lr.Status]++
				switch {
				case lr.Status != StatusOK:
				case lr.EPD != nil:
					kinds["epd"]++
				case len(lr.BasisConversions) > 0:
					kinds["heating value"]++
				case lr.DataOrigin == OriginHost:
					kinds["host"]++
				case lr.Factor != nil && lr.Factor.ProductSpecific:
					kinds["product"]++
				}
				if lr.Status == StatusOK && !lr.kgFx.small {
					kinds["past int64"]++
				}
			}
		}
	}
	for _, k := range []string{StatusOK, StatusExcluded, StatusError, "limits", "epd", "heating value", "host", "product", "past int64"} {
		if kinds[k] == 0 {
			t.Errorf("no %s row checked: %v", k, kinds)
		}
	}
}

// withoutTransport is the methods and, for each that counts the
// transport stage, a copy that does not: its transport lines are
// excluded (every built-in method counts the stages of every factor it
// reaches).
func withoutTransport(ms []*methods.Method) []*methods.Method {
	out := ms
	for _, m := range ms {
		if i := slices.Index(m.Stages, "transport"); i >= 0 {
			c := *m
			c.Stages = slices.Delete(slices.Clone(m.Stages), i, i+1)
			c.Digest += "-without-transport" // another plan
			out = append(out, &c)
		}
	}
	return out
}

// FuzzAppendFootprintJSON: for any accepted quantity and product-factor
// spellings, a bid of every kind of row gives the same error or bytes
// through AppendFootprintJSON as through Calculate's decimal report.
func FuzzAppendFootprintJSON(f *testing.F) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		f.Fatal(err)
	}
	eng := NewEngine(lib)
	var plans []*Plan
	for _, m := range withoutTransport(reg.All()) {
		p, err := eng.Plan(m)
		if err != nil {
			f.Fatal(err)
		}
		plans = append(plans, p)
	}
	f.Add("1000", "780.5", "", uint8(0))
	f.Add("1e3", "0.000", "use", uint8(1))
	f.Add("999999999999999.999999999999999999", "1e15", "", uint8(2))
	f.Add("0.000000000000000000000000000001", "12.50", "NCV", uint8(3))
	f.Add("+0001000.000", " 7 ", "", uint8(4))
	f.Fuzz(func(t *testing.T, qty, pfValue, extra string, kind uint8) {
		q, err := ParseQuantity(qty)
		if err != nil {
			return
		}
		v, err := ParseQuantity(pfValue)
		if err != nil {
			v = decimal.NewFromInt(1)
		}
		lines := []Line{
			{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: q, Unit: "mmBtu"},
			{ID: "2", Activity: "electricity.grid", Region: "DE", Quantity: q, Unit: "kWh"},
			{ID: "3", Activity: "fuel.diesel", Region: "FR", Quantity: q, Unit: "L"},
			{ID: "4", Activity: "material.steel.rebar", Region: "US", Quantity: q, Unit: "t", Factor: &ProductFactor{KgCO2e: v, Per: "kg", Reference: "EPD-4"}},
			{ID: "5", Activity: "material.steel.rebar", Region: "US", Quantity: q, Unit: "kg", Stage: "use", Factor: &ProductFactor{KgCO2e: v, Per: "t", Reference: "EPD-5"}},
			{ID: "6", Activity: "material.steel.rebar", Region: "US", Quantity: q, Unit: "t",
				Factor: &ProductFactor{EPD: &EPDDocument{Format: epd.FormatILCD, File: "rebar.xml", Raw: []byte("<x/>"), Declaration: diffDeclaration(v, "b")}}},
			{ID: "7", Activity: "fuel.natural_gas", Region: "US", Quantity: q, Unit: "GJ", Basis: extra},
			{ID: "8", Activity: "freight.road", Region: "US", Quantity: q, Unit: "t.km", Stage: extra},
		}
		// kind picks which rows the bid has (all of them for 0).
		bid := Bid{Reference: "FUZZ", Supplier: "fuzz", Date: "2026-01-10"}
		for i, l := range lines {
			if kind == 0 || kind&(1<<(i%8)) != 0 {
				bid.Lines = append(bid.Lines, l)
			}
		}
		for _, p := range plans {
			checkAppendFootprintJSON(t, p, bid)
		}
	})
}

// TestNewFixedFxMatchesNewFixed holds the rounding of a fixed-point value
// to NewFixed of its decimal: the same text and value, for both modes,
// places 0 to 20 and coefficients of every size, int64's extremes
// included.
func TestNewFixedFxMatchesNewFixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for i := 0; i < 100000; i++ {
		d := randFxDecimal(rng)
		a := fxOf(d)
		if rng.IntN(10) == 0 {
			a = fx{c: rng.Int64() >> rng.IntN(64), exp: int32(rng.IntN(41) - 30), small: true}
		}
		checkFixedFx(t, a, randRounding(rng))
	}
	for _, c := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, 5_000_000_000_000_000_000, -5_000_000_000_000_000_000, 0, 5, -5, 15, -25} {
		for exp := int32(-22); exp <= 3; exp++ {
			for places := int32(0); places <= 20; places++ {
				for _, mode := range []string{methods.HalfEven, methods.HalfUp} {
					checkFixedFx(t, fx{c: c, exp: exp, small: true}, methods.Rounding{Places: places, Mode: mode})
				}
			}
		}
	}
}

// randRounding is a rule of either mode, mostly with a few places.
func randRounding(rng *rand.Rand) methods.Rounding {
	r := methods.Rounding{Places: int32(rng.IntN(8)), Mode: methods.HalfEven}
	if rng.IntN(2) == 0 {
		r.Mode = methods.HalfUp
	}
	if rng.IntN(20) == 0 {
		r.Places = int32(rng.IntN(21))
	}
	return r
}

func checkFixedFx(t testing.TB, a fx, r methods.Rounding) {
	t.Helper()
	got, want := newFixedFx(a, r), NewFixed(a.dec(), r)
	if got.String() != want.String() || !got.Decimal().Equal(want.Decimal()) {
		t.Fatalf("newFixedFx(%d e%d, %+v) = %s (%s), NewFixed %s (%s)", a.c, a.exp, r, got, got.Decimal(), want, want.Decimal())
	}
}

// FuzzNewFixedFx: for any int64 coefficient, exponent and rule, rounding
// in fixed point is NewFixed of the decimal.
func FuzzNewFixedFx(f *testing.F) {
	f.Add(int64(531198114), int32(-3), int32(3), true)
	f.Add(int64(math.MinInt64), int32(-19), int32(0), false)
	f.Add(int64(-5), int32(-1), int32(0), false)
	f.Fuzz(func(t *testing.T, c int64, exp, places int32, halfUp bool) {
		if exp < -60 || exp > 60 || places < 0 || places > 30 {
			return
		}
		r := methods.Rounding{Places: places, Mode: methods.HalfEven}
		if halfUp {
			r.Mode = methods.HalfUp
		}
		checkFixedFx(t, fx{c: c, exp: exp, small: true}, r)
	})
}

// TestAppendFootprintJSONConcurrent: bids of different sizes written at
// once through one plan, whose scratch memory goes from bid to bid, give
// each its own bytes (run with -race).
func TestAppendFootprintJSONConcurrent(t *testing.T) {
	w := newOracleWorld(t)
	m, err := w.reg.Resolve("us-federal@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := w.eng.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 19))
	bids := make([]Bid, 8)
	wants := make([][]byte, len(bids))
	for i := range bids {
		bids[i] = genBid(rng, w, m, 1+i*7)
		fp, err := plan.Calculate(bids[i])
		if err != nil {
			bids[i].Lines = bids[i].Lines[:0:0] // keep only computable bids: drop the lines and retry
			for _, l := range genBid(rng, w, m, 1+i*7).Lines {
				if plan.Line(&l).Status == StatusOK {
					bids[i].Lines = append(bids[i].Lines, l)
				}
			}
			if fp, err = plan.Calculate(bids[i]); err != nil {
				t.Fatal(err)
			}
		}
		if wants[i], err = fp.JSON(); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			var buf []byte
			var err error
			for k := range 50 {
				i := (g + k) % len(bids)
				if buf, err = plan.AppendFootprintJSON(buf[:0], bids[i]); err == nil && !bytes.Equal(buf, wants[i]) {
					err = fmt.Errorf("bid %d (%d lines) written differently", i, len(bids[i].Lines))
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
