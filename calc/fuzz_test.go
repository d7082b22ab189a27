package calc

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"1000", "12,5", "1e15", "1e16", "-1", "0.000", " 7 ", "1_000", "NaN", "0x10", ".5", "5.", "1e-50", "1e10000", "1e999999999", "0e999999999", "-1e10000", "1.5E+03", "+1000", "0001000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseQuantity(s)
		if err != nil {
			if n := len(err.Error()); n > 200 {
				t.Fatalf("ParseQuantity(%.40q): a %d-byte message; messages echo at most a short prefix", s, n)
			}
			return
		}
		if d.IsNegative() || d.Abs().Cmp(decimal.RequireFromString(MaxQuantityAbs)) > 0 {
			t.Fatalf("ParseQuantity(%q) accepted %s", s, d)
		}
	})
}

// FuzzLine feeds arbitrary lines to the engine: it must never panic and
// must always give one of the three statuses.
func FuzzLine(f *testing.F) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		f.Fatal(err)
	}
	eng := NewEngine(lib)
	plans := []*Plan{}
	for _, m := range reg.All() {
		p, err := eng.Plan(m)
		if err != nil {
			f.Fatal(err)
		}
		plans = append(plans, p)
	}
	f.Add("fuel.natural_gas", "US", "1000", "mmBtu", "", "", "")
	f.Add("material.steel.rebar", "DE", "12.5", "t", "", "780", "kg")
	f.Add("electricity.grid", "DE", "1", "kg", "NCV", "", "")
	f.Fuzz(func(t *testing.T, act, region, qty, unit, basis, pfValue, pfPer string) {
		q, err := ParseQuantity(qty)
		if err != nil {
			return
		}
		l := Line{ID: "f", Activity: act, Region: region, Quantity: q, Unit: unit, Basis: basis}
		if pfValue != "" {
			if v, err := ParseQuantity(pfValue); err == nil {
				l.Factor = &ProductFactor{KgCO2e: v, Per: pfPer, Reference: "fuzz"}
			}
		}
		for _, p := range plans {
			lr := p.Line(&l)
			switch lr.Status {
			case StatusOK, StatusExcluded:
			case StatusError:
				if lr.Error == "" || lr.Err == nil {
					t.Fatalf("error line without message: %+v", lr)
				}
			default:
				t.Fatalf("status %q", lr.Status)
			}
		}
	})
}
