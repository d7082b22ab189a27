package calc

import (
	"testing"

	"github.com/shopspring/decimal"
)

// BenchmarkLine measures the per-row path used by the batch runner.
func BenchmarkLine(b *testing.B) {
	w := newOracleWorld(b)
	m, _ := w.reg.Resolve("us-federal")
	p, _ := w.eng.Plan(m)
	lines := []Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1000"), Unit: "mmBtu"},
		{ID: "2", Activity: "electricity.grid", Region: "US-CAMX", Quantity: decimal.RequireFromString("250.5"), Unit: "MWh"},
		{ID: "3", Activity: "freight.road", Region: "US", Quantity: decimal.RequireFromString("5000"), Unit: "t.km"},
		{ID: "4", Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString("12.5"), Unit: "t",
			Factor: &ProductFactor{KgCO2e: decimal.RequireFromString("780"), Per: "t", Reference: "EPD"}},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lr := p.Line(&lines[i%len(lines)])
		if lr.Status != StatusOK {
			b.Fatal(lr.Error)
		}
		i++
	}
}
