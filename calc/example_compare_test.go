package calc_test

import (
	"fmt"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// Compare one line of coal under the US and EU methods: the difference
// splits into other factor values and other GWPs, exactly.
func ExampleEngine_Compare() {
	lib, _ := factors.Embedded()
	reg, _ := methods.Embedded(lib)
	us, _ := reg.Resolve("us-federal@2025.1")
	eu, _ := reg.Resolve("eu-gpp@2025.1")
	bid := calc.Bid{Lines: []calc.Line{{ID: "1", Activity: "fuel.coal.bituminous", Region: "US", Quantity: dec("120"), Unit: "t"}}}
	c, err := calc.NewEngine(lib).Compare([]*methods.Method{us, eu}, bid)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := c.Pairs[0]
	r := c.Rounding()
	fmt.Println("difference", r.Round(p.Difference).StringFixed(3))
	for _, a := range p.Attribution {
		fmt.Printf("%-20s %s\n", a.Cause, r.Round(a.KgCO2e).StringFixed(3))
	}
	fmt.Println("exact:", calc.Sum(p.Attribution).Equal(p.Difference))
	// Output:
	// difference -15779.304
	// boundary             0.000
	// region_fallback      0.000
	// heating_value_basis  0.000
	// factor_values        -15822.029
	// gwp_set              42.725
	// exact: true
}
