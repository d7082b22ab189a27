package calc_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// benchLines are realistic lines of eu-gpp@2026.2: fuels (factor, NCV and
// activity-data inputs), electricity and materials (exact), a product factor.
var benchLines = []string{
	`{"id":"%d","activity":"fuel.natural_gas","region":"DE","quantity":"%d.5","unit":"TJ"}`,
	`{"id":"%d","activity":"fuel.diesel","region":"DE","quantity":"%d","unit":"t"}`,
	`{"id":"%d","activity":"fuel.coal.bituminous","region":"DE","quantity":"%d","unit":"t"}`,
	`{"id":"%d","activity":"electricity.grid","region":"DE","quantity":"%d","unit":"MWh"}`,
	`{"id":"%d","activity":"material.steel.rebar","region":"DE","quantity":"%d","unit":"t"}`,
	`{"id":"%d","activity":"fuel.wood","region":"DE","quantity":"%d","unit":"t"}`,
	`{"id":"%d","activity":"freight.road","region":"DE","quantity":"%d000","unit":"t.km"}`,
	`{"id":"%d","activity":"material.steel.rebar","region":"DE","quantity":"%d","unit":"t","factor":{"kg_co2e":"780","per":"t","reference":"EPD X"}}`,
}

func benchFootprint(b *testing.B, e *calc.Engine, m *methods.Method, n, salt int) (*calc.Footprint, calc.Bid) {
	b.Helper()
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(benchLines[(i+salt)%len(benchLines)], i+1, 1+(i*7+salt)%50)
	}
	bid := uncBidB(b, `{"reference":"B","supplier":"S","lines":[`+strings.Join(lines, ",")+`]}`)
	fp, err := e.Calculate(m, bid)
	if err != nil {
		b.Fatal(err)
	}
	return fp, bid
}

func uncBidB(b *testing.B, raw string) calc.Bid {
	b.Helper()
	bid, err := decodeBid(raw)
	if err != nil {
		b.Fatal(err)
	}
	return bid
}

// BenchmarkUncertaintyFootprint100x10000: 10,000 draws of a 100-line
// footprint, summaries per line and total, contributors (target < 100 ms).
func BenchmarkUncertaintyFootprint100x10000(b *testing.B) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	e := calc.NewEngine(lib)
	m, _ := reg.Resolve("eu-gpp@2026.2")
	fp, bid := benchFootprint(b, e, m, 100, 0)
	cpu := cpuTime()
	for b.Loop() {
		if _, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 10_000, Seed: 42}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()*1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user + system CPU time: on a shared machine the
// wall time per op depends on the load, the CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUncertaintyTender1000x20x10000: 10,000 draws of 1,000 bids of
// 20 lines through uncertainty.Rank, 2 workers (target < 2 s). Each bid's
// lines are its own activity-data variables; factors and NCVs are shared.
func BenchmarkUncertaintyTender1000x20x10000(b *testing.B) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	e := calc.NewEngine(lib)
	m, _ := reg.Resolve("eu-gpp@2026.2")
	ub := calc.NewUncertaintyBuilder()
	bids := make([]uncertainty.Item, 1000)
	order := make([]int, len(bids))
	for i := range bids {
		fp, bid := benchFootprint(b, e, m, 20, i)
		items, _, err := ub.Lines(m, fp, &bid, fmt.Sprintf("bid-%d", i))
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			bids[i].Terms = append(bids[i].Terms, it.Terms...)
		}
		order[i] = i
	}
	price := func(bid int, kg float64) float64 { return float64(1e6+float64(bid)*10) + float64(kg*0.1) }
	cpu := cpuTime()
	for b.Loop() {
		if _, err := uncertainty.Rank(ub.Model, bids, order, price, uncertainty.Config{Draws: 10_000, Seed: 42, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()*1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(ub.Model.Len()), "variables")
}
