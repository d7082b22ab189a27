package factors

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseUnit(t *testing.T) {
	u := NewUnits()
	tests := []struct {
		in      string
		sym     string
		dim     Dimension
		wantErr string
	}{
		{"kg", "kg", Mass, ""},
		{"tonne", "t", Mass, ""},
		{"t", "t", Mass, ""},
		{"MMBtu", "mmBtu", Energy, ""},
		{"mmbtu", "mmBtu", Energy, ""},
		{"kwh", "kWh", Energy, ""},
		{"tkm", "t.km", Freight, ""},
		{"short_ton.mi", "short_ton.mi", Freight, ""},
		{"gal", "gal_us", Volume, ""},
		{" m3 ", "m3", Volume, ""},
		{"ft2", "ft2", Area, ""},
		{"mi", "mi", Length, ""},
		{"piece", "piece", Count, ""},
		{"pcs", "piece", Count, ""},
		{"Stück", "piece", Count, ""},
		{"EA", "piece", Count, ""},
		{"Item(s)", "piece", Count, ""},
		{"ton", "", "", `"ton" is ambiguous: use "t"`},
		{"TON", "", "", "short_ton"},
		{"furlong", "", "", "unknown unit"},
		{"", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := u.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) err = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrUnknownUnit) {
					t.Errorf("Parse(%q) err is not ErrUnknownUnit", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.Symbol != tt.sym || got.Dimension != tt.dim {
				t.Errorf("Parse(%q) = %s (%s), want %s (%s)", tt.in, got.Symbol, got.Dimension, tt.sym, tt.dim)
			}
		})
	}
}

// TestConversionsExact checks the defined ratios of DESIGN "Numbers".
func TestConversionsExact(t *testing.T) {
	u := NewUnits()
	tests := []struct{ qty, from, to, want string }{
		{"1", "lb", "kg", "0.45359237"},
		{"1", "mi", "km", "1.609344"},
		{"1", "Btu", "J", "1055.05585262"},
		{"1", "kWh", "MJ", "3.6"},
		{"1", "gal_us", "L", "3.785411784"},
		{"1", "short_ton", "kg", "907.18474"},
		{"1", "short_ton.mi", "t.km", "1.45997231821056"},
		{"1", "mmBtu", "GJ", "1.05505585262"},
		{"1", "TJ", "MWh", "277.777777777777777778"}, // non-terminating: rounded at 18 places
		{"2000", "lb", "short_ton", "1"},
		{"1", "scf", "m3", "0.028316846592"},
		{"1", "bbl", "gal_us", "42"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			from, _ := u.Parse(tt.from)
			to, _ := u.Parse(tt.to)
			r, err := Conversion(from, to)
			if err != nil {
				t.Fatal(err)
			}
			q := decimal.RequireFromString(tt.qty)
			got := q.Mul(r.Num).DivRound(r.Den, 18)
			if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
				t.Errorf("%s %s in %s = %s, want %s", tt.qty, tt.from, tt.to, got, want)
			}
		})
	}
}

func TestConversionDimensionMismatch(t *testing.T) {
	u := NewUnits()
	kg, _ := u.Parse("kg")
	kwh, _ := u.Parse("kWh")
	_, err := Conversion(kg, kwh)
	if !errors.Is(err, ErrDimension) {
		t.Fatalf("err = %v, want ErrDimension", err)
	}
	pc, _ := u.Parse("piece")
	if _, err := Conversion(pc, kg); !errors.Is(err, ErrDimension) {
		t.Errorf("piece to kg: err = %v, want ErrDimension (a piece has no mass of its own)", err)
	}
	if want := "kg is a mass, expected an energy unit"; err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
}

func FuzzParseUnit(f *testing.F) {
	u := NewUnits()
	for _, s := range []string{"kg", "ton", "MMBtu", "t.km", "kg/mmBtu", "", "lb/MWh", "/", "g/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		unit, err := u.Parse(s)
		if err == nil && (unit.Symbol == "" || !unit.Base.IsPositive()) {
			t.Fatalf("Parse(%q) = %+v without error", s, unit)
		}
		num, den, err := u.ParseRateUnit(s)
		if err == nil && (num.Symbol == "" || den.Symbol == "") {
			t.Fatalf("ParseRateUnit(%q) gave empty units", s)
		}
	})
}
