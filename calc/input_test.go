package calc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/shopspring/decimal"
)

func line(id, activity, region, qty, unit string) calc.Line {
	return calc.Line{ID: id, Activity: activity, Region: region, Quantity: decimal.RequireFromString(qty), Unit: unit}
}

// TestDuplicateLineIDs checks that a repeated line id is refused naming
// both pointers, for a footprint and for a comparison alike.
func TestDuplicateLineIDs(t *testing.T) {
	w := newWorld(t)
	bid := calc.Bid{Lines: []calc.Line{
		line("a", "fuel.natural_gas", "US", "1", "mmBtu"),
		line("b", "fuel.natural_gas", "US", "1", "mmBtu"),
		line("c", "fuel.natural_gas", "US", "1", "mmBtu"),
		line("b", "fuel.natural_gas", "US", "1", "mmBtu"),
		line("a", "fuel.natural_gas", "US", "1", "mmBtu"),
	}}
	want := []string{"/lines/3/id: /lines/3/id duplicates /lines/1/id", "/lines/4/id: /lines/4/id duplicates /lines/0/id"}
	check := func(t *testing.T, err error) {
		t.Helper()
		var be *calc.BidError
		if !errors.As(err, &be) || len(be.Problems) != len(want) {
			t.Fatalf("err = %v, want %d problems", err, len(want))
		}
		for i, p := range be.Problems {
			if got := p.Pointer + ": " + p.Detail; !strings.HasPrefix(got, want[i]) {
				t.Errorf("problem %d = %q, want prefix %q", i, got, want[i])
			}
		}
	}
	t.Run("footprint", func(t *testing.T) {
		_, err := w.calc(t, "us-federal", bid)
		check(t, err)
	})
	t.Run("comparison", func(t *testing.T) {
		ms := resolve(t, w.reg, "us-federal", "eu-gpp")
		_, err := w.eng.Compare(ms, bid)
		check(t, err)
	})
}

// TestComparisonInputError draws the line between input errors (wrong for
// every method: the comparison is invalid input) and lines that only some
// methods cannot compute (kept in the comparison).
func TestComparisonInputError(t *testing.T) {
	w := newWorld(t)
	ms := resolve(t, w.reg, "us-federal", "eu-gpp")
	ok := line("ok", "fuel.natural_gas", "US", "1", "mmBtu")
	lig := line("lig", "fuel.lignite", "US", "1", "mmBtu") // eu-gpp: no published HHV→NCV ratio for lignite
	epd := line("epd", "material.steel.rebar", "US", "12.5", "t")
	epd.Factor = &calc.ProductFactor{KgCO2e: decimal.RequireFromString("780"), Per: "t", Reference: "EPD S-P-01234"}
	tests := []struct {
		name     string
		lines    []calc.Line
		pointers []string // nil: no input error
		kept     bool     // some line stays in the comparison with status error
	}{
		{"all computable", []calc.Line{epd}, nil, false},
		{"lignite in mmBtu: eu-gpp has no published HHV ratio", []calc.Line{epd, lig}, nil, true},
		{"unknown activity", []calc.Line{ok, line("x", "fuel.unobtainium", "US", "1", "kg")}, []string{"/lines/1/activity"}, false},
		{"unknown unit", []calc.Line{line("x", "fuel.natural_gas", "US", "1", "furlong"), ok}, []string{"/lines/0/unit"}, false},
		{"unknown region", []calc.Line{ok, line("x", "fuel.natural_gas", "XX", "1", "mmBtu")}, []string{"/lines/1/region"}, false},
		{"wrong dimension", []calc.Line{ok, line("x", "electricity.grid", "US", "1", "kg")}, []string{"/lines/1/unit"}, false},
		{"sea freight in the US: no method has a factor", []calc.Line{epd, line("s", "freight.sea", "US", "1", "t.km")}, nil, true},
		{"rebar without EPD: us-federal cannot, eu-gpp can", []calc.Line{ok, line("r", "material.steel.rebar", "DE", "1", "t")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := w.eng.Compare(ms, calc.Bid{Lines: tt.lines})
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			err = c.InputError()
			var got []string
			var be *calc.BidError
			if errors.As(err, &be) {
				for _, p := range be.Problems {
					got = append(got, p.Pointer)
					if !calc.IsInputError(p.Err) || p.Detail == "" {
						t.Errorf("problem %+v is not an input error", p)
					}
				}
			} else if err != nil {
				t.Fatalf("err = %v, want a *calc.BidError", err)
			}
			if strings.Join(got, " ") != strings.Join(tt.pointers, " ") {
				t.Errorf("input errors at %q, want %q (err %v)", got, tt.pointers, err)
			}
			errs := 0
			for _, fp := range c.Methods {
				for _, l := range fp.Lines {
					if l.Status == calc.StatusError {
						errs++
					}
				}
			}
			if tt.kept != (tt.pointers == nil && errs > 0) {
				t.Errorf("%d line errors; want a line kept with status error: %v", errs, tt.kept)
			}
		})
	}
}
