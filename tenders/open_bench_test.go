package tenders

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// envInt reads a positive whole number from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSS is the process's peak resident set (VmHWM), in MB (Linux; 0
// elsewhere); resetPeak restarts it from the current RSS.
func peakRSS() int {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb >> 10
		}
	}
	return 0
}

func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// gcCPUSeconds is the runtime's estimate of the CPU time the garbage
// collector has spent so far (runtime/metrics).
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// profileOpening starts a CPU profile of the opening alone into the file
// FOOTPRINT_BENCH_CPUPROFILE names (go test's -cpuprofile would mix in the
// submissions before it); it returns what stops it.
func profileOpening(b *testing.B) func() {
	path := os.Getenv("FOOTPRINT_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenLarge opens, on SQLite, a tender of FOOTPRINT_BENCH_BIDS
// bids (default 200) of FOOTPRINT_BENCH_LINES lines (default 10,000), and
// reports the process's peak RSS during the opening (peak-MB, after a
// reset of the peak), its time (open-s) and, for contrast, the peak while
// all the bids are loaded at once, as the opening did before
// (all-bids-MB). With FOOTPRINT_BENCH_SEALED set, the store has a key
// file and the bids are sealed, as serve keeps them:
//
//	FOOTPRINT_BENCH_BIDS=1000 go test ./tenders -run '^$' -bench OpenLarge -benchtime 1x
func BenchmarkOpenLarge(b *testing.B) {
	n, lines := envInt("FOOTPRINT_BENCH_BIDS", 200), envInt("FOOTPRINT_BENCH_LINES", 10000)
	ctx := context.Background()
	lib, reg, err := methods.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	var o store.Options
	if os.Getenv("FOOTPRINT_BENCH_SEALED") != "" {
		// Sealed bids, as serve keeps them: each is decrypted at opening.
		if o.Keys, err = seal.Generate(); err != nil {
			b.Fatal(err)
		}
	}
	st, err := store.OpenWith(ctx, "sqlite:"+filepath.Join(b.TempDir(), "open.db"), o)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var clock time.Time
	svc := New(Config{Store: st, Registry: reg, Engine: calc.NewEngine(lib), Now: func() time.Time { return clock }})
	award := AwardRequest{Rule: "price_only", Limits: "report"}
	if os.Getenv("FOOTPRINT_BENCH_AWARD") == "carbon_price" {
		w := bidjson.Number("100")
		award = AwardRequest{Rule: "carbon_price", CarbonPricePerT: &w, Limits: "report"}
	}
	m, err := reg.Resolve("us-federal@2025.1")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		clock = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		tn, err := NewTender(reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "us-federal@2025.1", Currency: "EUR",
			Deadline: clock.Add(time.Hour).Format(time.RFC3339), Award: award}, clock)
		if err != nil {
			b.Fatal(err)
		}
		tn.MaxBids = tender.MaxMaxBids
		if tn, err = svc.Create(ctx, tn, officers.Bootstrap()); err != nil {
			b.Fatal(err)
		}
		// One bid computed once, stored n times (each a distinct bid).
		bid := tender.Bid{Supplier: "S", Price: tender.Price{Amount: decimal.RequireFromString("1000.00"), Currency: "EUR"}}
		for j := range lines {
			bid.Lines = append(bid.Lines, calc.Line{ID: fmt.Sprint(j + 1), Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString(fmt.Sprintf("%d.5", j%97+1)), Unit: "mmBtu"})
		}
		prepared, _, err := tender.PrepareBid(tn, m, calc.NewEngine(lib), bid, clock)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			p := prepared
			p.Supplier, p.Price.Amount = fmt.Sprint("S", i), decimal.RequireFromString(fmt.Sprintf("%d.00", 1000+i))
			if _, _, err := st.SubmitBid(ctx, tn.ID, p, tender.HashToken(fmt.Sprint(i)), "", clock); err != nil {
				b.Fatal(err)
			}
		}
		prepared, bid = tender.Bid{}, tender.Bid{}
		_, _ = prepared, bid
		clock = clock.Add(time.Hour)
		debug.FreeOSMemory()
		resetPeak()
		b.StartTimer()
		stopProfile := profileOpening(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		gc0, gcCPU0 := ms.NumGC, gcCPUSeconds()
		start, cpu0 := time.Now(), cpuSeconds()
		ev, err := svc.Open(ctx, tn, officers.Bootstrap())
		stopProfile()
		if err != nil || len(ev.Ranking) != n {
			b.Fatalf("open: %v", err)
		}
		b.StopTimer()
		b.ReportMetric(float64(peakRSS()), "peak-MB")
		b.ReportMetric(time.Since(start).Seconds(), "open-s")
		b.ReportMetric(cpuSeconds()-cpu0, "open-cpu-s")
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.NumGC-gc0), "open-gcs")
		b.ReportMetric(gcCPUSeconds()-gcCPU0, "open-gc-cpu-s")
		debug.FreeOSMemory()
		resetPeak()
		all, err := st.Bids(ctx, tn.ID)
		if err != nil || len(all) != n {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peakRSS()), "all-bids-MB")
		b.StartTimer()
	}
}
