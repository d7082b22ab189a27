package tender

import (
	"fmt"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// benchTenderLines are realistic eu-gpp@2026.2 lines: fuels (factor, NCV
// and activity-data inputs), electricity and materials (exact).
var benchTenderLines = []calc.Line{
	{Activity: "fuel.natural_gas", Region: "DE", Unit: "TJ"},
	{Activity: "fuel.diesel", Region: "DE", Unit: "t"},
	{Activity: "fuel.coal.bituminous", Region: "DE", Unit: "t"},
	{Activity: "electricity.grid", Region: "DE", Unit: "MWh"},
	{Activity: "material.steel.rebar", Region: "DE", Unit: "t"},
	{Activity: "fuel.wood", Region: "DE", Unit: "t"},
	{Activity: "freight.road", Region: "DE", Unit: "t.km"},
}

// BenchmarkOpenUncertainty1000x20x10000 is the evaluation an opening
// computes for a carbon_price tender of 1,000 bids of 20 lines that
// declares 10,000 draws: every bid fed one at a time (as the store
// streams them), its footprint recomputed and checked, its coefficients
// kept, then uncertainty.Rank on GOMAXPROCS workers (target < 2 s).
// The store's reading and decryption of the bids are not included
// (bench/tender.sh measures them).
func BenchmarkOpenUncertainty1000x20x10000(b *testing.B) {
	const nb, nl = 1000, 20
	lib, reg, err := methods.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	m, err := reg.Resolve("eu-gpp@2026.2")
	if err != nil {
		b.Fatal(err)
	}
	eng := calc.NewEngine(lib)
	td := newTender(Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport})
	td.Method, td.MaxBids = Pin(m), nb
	td.Uncertainty = &UncertaintySetting{Draws: 10_000, Threshold: dec("0.95")}
	bids := make([]Bid, nb)
	for i := range bids {
		bd := Bid{ID: fmt.Sprintf("bid-%04d", i), Supplier: fmt.Sprint("S", i), Price: Price{Amount: dec(fmt.Sprintf("%d.00", 1_000_000+i*10)), Currency: "EUR"}}
		for j := range nl {
			l := benchTenderLines[(i+j)%len(benchTenderLines)]
			l.ID = strconv.Itoa(j + 1)
			l.Quantity = dec(fmt.Sprintf("%d.5", 1+(j*7+i)%50))
			bd.Lines = append(bd.Lines, l)
		}
		p, _, err := PrepareBid(td, m, eng, bd, t0.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		p.ID = bd.ID
		bids[i] = p
	}
	cpu := benchCPU()
	var vars int
	for b.Loop() {
		ev, err := EvaluateSeqWith(td, m, func(yield func(Bid, error) bool) {
			for _, bd := range bids {
				if !yield(bd, nil) {
					return
				}
			}
		}, EvalOptions{Engine: eng, Workers: runtime.GOMAXPROCS(0)})
		if err != nil {
			b.Fatal(err)
		}
		vars = ev.Uncertainty.Variables
	}
	b.ReportMetric((benchCPU()-cpu).Seconds()*1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(vars), "variables")
}

// benchCPU is the process's user + system CPU time.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
