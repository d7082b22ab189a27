package batch

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/uncertainty"
)

// sumOfCopies is what calc's Summarize computes for n draws equal to c.
func sumOfCopies(c float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		s += c
	}
	return s / float64(n)
}

// constants are values meanOfConstant must get right: decimal amounts on
// rounding boundaries, powers of two, spacings that tie, extremes.
var constants = []float64{1, 0.5, 0.1, 0.0005, 0.4995, 12.3455, 53114.5, 1.0000000000000002, 0.30000000000000004,
	3, 7, 1e15, 123456789.0125, 0x1p-1074, 0x1p-1022, math.MaxFloat64 / 4, math.MaxFloat64, 2.5e-300, 1 << 52, 1<<53 + 2, 9007199254740993,
	-0.0005, -53114.5}

// TestMeanOfConstant: meanOfConstant is the plain loop's sum of n copies of
// c, divided by n, bit for bit, for constants of every kind and counts up
// to 100,000 (and an infinite sum past the largest float64).
func TestMeanOfConstant(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cs := append([]float64(nil), constants...)
	for i := 0; i < 300; i++ {
		cs = append(cs, math.Float64frombits(r.Uint64()>>2), float64(r.IntN(1_000_000))/1000, r.Float64()*math.Pow(10, float64(r.IntN(30)-15)))
	}
	for _, c := range cs {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			continue
		}
		for _, n := range []int{1, 2, 3, 4, 5, 7, 10, 100, 255, 256, 257, 1000, 4097, 10_000, 99_999} {
			got, want := meanOfConstant(c, n), sumOfCopies(c, n)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("c=%v (%x) n=%d: %v, the loop gives %v", c, math.Float64bits(c), n, got, want)
			}
		}
	}
	if got := meanOfConstant(0, 10); got != 0 || math.Signbit(got) {
		t.Errorf("mean of zeros: %v", got)
	}
	if got := meanOfConstant(5, 0); got != 0 {
		t.Errorf("mean of no draws: %v", got)
	}
}

// FuzzMeanOfConstant holds meanOfConstant to the plain loop on any
// float64 and count.
func FuzzMeanOfConstant(f *testing.F) {
	for _, c := range constants {
		f.Add(math.Float64bits(c), uint16(1000))
	}
	f.Fuzz(func(t *testing.T, bits uint64, n16 uint16) {
		c, n := math.Float64frombits(bits), int(n16)
		if math.IsNaN(c) {
			return
		}
		got, want := meanOfConstant(c, n), 0.0
		if n > 0 {
			want = sumOfCopies(c, n)
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("c=%v n=%d: %v, the loop gives %v", c, n, got, want)
		}
	})
}

// TestSafe: a value safe() accepts prints the same digits as every value
// within its margin; values on or near a rounding boundary, near zero, or
// beyond float64's digits are not accepted.
func TestSafe(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200_000; i++ {
		places := r.IntN(7)
		x := (r.Float64()*2 - 1) * math.Pow(10, float64(r.IntN(14)-3))
		if i%3 == 0 { // on a boundary, give or take a little
			p := math.Pow(10, float64(places))
			x = (math.Floor(x*p) + 0.5 + (r.Float64()-0.5)*1e-9) / p
		}
		margin := math.Abs(x) * math.Pow(10, -float64(4+r.IntN(12)))
		if !safe(x, margin, places) {
			continue
		}
		want := strconv.FormatFloat(x, 'f', places, 64)
		for _, y := range []float64{x - margin, x + margin, x - margin*r.Float64(), x + margin*r.Float64()} {
			if got := strconv.FormatFloat(y, 'f', places, 64); got != want {
				t.Fatalf("safe(%v, %v, %d), but %v prints %s, not %s", x, margin, places, y, got, want)
			}
		}
	}
	for _, c := range []struct {
		x, margin float64
		places    int
	}{{0.0005, 1e-12, 3}, {12.3455, 1e-9, 3}, {1e-13, 1e-12, 3}, {0, 0, 3}, {-1e-13, 1e-12, 3}, {1e17, 1, 3}, {53114.5, 1e-6, 0}} {
		if safe(c.x, c.margin, c.places) {
			t.Errorf("safe(%v, %v, %d): it is at a boundary", c.x, c.margin, c.places)
		}
	}
	if !safe(53114.123, 1e-6, 3) {
		t.Error("53114.123 is far from any boundary at 3 places")
	}
}

// TestExactFloat: a row's exact value as float64 is the nearest one, as
// decimal.Float64 gives it (calc converts its coefficients so), on both
// representations of the value.
func TestExactFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100_000; i++ {
		var p u192
		switch i % 3 {
		case 0:
			p = u192{0, 0, r.Uint64N(1 << 53)}
		case 1:
			p = u192{0, r.Uint64(), r.Uint64()}
		default:
			p = u192{r.Uint64N(1 << 10), r.Uint64(), r.Uint64()}
		}
		v := fixedVal{p: p, exp: -int32(r.IntN(45))}
		d := v.decimal()
		want, _ := d.Float64()
		if got := exactFloat(&uncRow{fast: true, v: v}); got != want {
			t.Fatalf("%s: %v, decimal.Float64 %v", d, got, want)
		}
		if got := exactFloat(&uncRow{d: d}); got != want {
			t.Fatalf("%s (decimal): %v, decimal.Float64 %v", d, got, want)
		}
	}
	if got := exactFloat(&uncRow{d: decimal.RequireFromString("-12.5")}); got != -12.5 {
		t.Errorf("-12.5: %v", got)
	}
}

// TestMultCacheBounded: the run's multipliers keep at most their bound of
// vectors, drop the least recently used first, and give the draws of the
// variable whatever was dropped before.
func TestMultCacheBounded(t *testing.T) {
	const n = 50
	c := newMultCache(42, n, 3)
	d := uncertainty.Distribution{Kind: uncertainty.Lognormal, Sigma: 0.1}
	want := func(key string) []float64 {
		v := make([]float64, n)
		uncertainty.Multipliers(42, key, d, v)
		return v
	}
	keys := []string{"a", "b", "c", "a", "d", "e", "a", "b"}
	for _, k := range keys {
		got, w := c.get(multKey{k, d}), want(k)
		for j := range w {
			if got[j] != w[j] {
				t.Fatalf("%s draw %d: %v, want %v", k, j, got[j], w[j])
			}
		}
		if c.lru.Len() > 3 || len(c.m) != c.lru.Len() {
			t.Fatalf("%d vectors kept (%d in the map), at most 3", c.lru.Len(), len(c.m))
		}
	}
	// a was used last but one: kept; c and d are gone.
	for k, kept := range map[string]bool{"a": true, "b": true, "e": true, "c": false, "d": false} {
		if _, ok := c.m[multKey{k, d}]; ok != kept {
			t.Errorf("%s kept: %v, want %v", k, ok, kept)
		}
	}
	for _, draws := range []int{1, 1000, uncertainty.MaxDraws} {
		u, err := newUncRun(uncertainty.Config{Draws: draws}, false)
		if err != nil {
			t.Fatal(err)
		}
		if k := u.mults.keep; k < minMultVectors || (k > minMultVectors && 8*draws*k > maxMultBytes) {
			t.Errorf("%d draws: %d vectors kept (%d bytes), at most %d bytes unless the floor of %d", draws, k, 8*draws*k, maxMultBytes, minMultVectors)
		}
	}
}
