package calc_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// Computing one line under the US federal method: 1000 mmBtu of natural gas.
func ExampleEngine_Calculate() {
	lib, _ := factors.Embedded()
	reg, _ := methods.Embedded(lib)
	m, _ := reg.Resolve("us-federal@2025.1")
	eng := calc.NewEngine(lib)

	fp, err := eng.Calculate(m, calc.Bid{Lines: []calc.Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("1000"), Unit: "mmBtu"},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := fp.Report()
	fmt.Println("total kg CO2e:", r.Total.KgCO2e)
	for _, g := range r.Lines[0].Gases {
		fmt.Printf("%s: %s kg, %s kg CO2e\n", g.Gas, g.Kg, g.KgCO2e)
	}
	fmt.Println("factor:", r.Lines[0].Factor.ID, "from", r.Lines[0].Factor.Source)
	// Output:
	// total kg CO2e: 53114.500
	// CO2: 53060.000 kg, 53060.000 kg CO2e
	// CH4_fossil: 1.000 kg, 28.000 kg CO2e
	// N2O: 0.100 kg, 26.500 kg CO2e
	// factor: epa-ghg-hub@2025:hub25-fuel-natural-gas-us from us/stationary_combustion.csv#19
}
