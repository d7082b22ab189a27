package factors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Dimension is the physical dimension of a unit.
type Dimension string

// The dimensions a quantity or a factor's denominator can have.
const (
	Energy  Dimension = "energy"
	Mass    Dimension = "mass"
	Volume  Dimension = "volume"
	Area    Dimension = "area"
	Length  Dimension = "length"
	Freight Dimension = "freight" // mass × distance
	// Count is a number of pieces: doors, windows, blocks as an EPD
	// declares them ("1 piece"). It converts only to itself.
	Count Dimension = "count"
)

// Basis is the heating-value basis of an energy quantity or factor.
type Basis string

// Heating-value bases. US sources quote fuels on HHV, IPCC and EU on NCV.
const (
	NoBasis Basis = ""
	HHV     Basis = "HHV"
	NCV     Basis = "NCV"
)

// ParseBasis accepts "HHV", "NCV" (any case; "GCV" and "LHV" as synonyms) or "".
func ParseBasis(s string) (Basis, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return NoBasis, nil
	case "HHV", "GCV":
		return HHV, nil
	case "NCV", "LHV":
		return NCV, nil
	}
	return "", fmt.Errorf("%w: heating-value basis %q: use HHV or NCV", ErrInvalid, clip.Text(s))
}

// Unit is a unit of measure with its exact size in the base unit of its
// dimension (kg, J, m3, m2, m, kg·km).
type Unit struct {
	Symbol    string
	Dimension Dimension
	// Base is how many base units one of this unit is, exactly.
	Base decimal.Decimal
	// DefaultBasis is the heating-value basis assumed for an energy quantity
	// in this unit when the input does not state one: Btu-family units are
	// US-style HHV, SI and Wh units NCV.
	DefaultBasis Basis
}

// Units is the table of known units. It is built once (NewUnits) and read only.
type Units struct {
	bySymbol map[string]Unit
	aliases  map[string]string // lower-case alias -> symbol
}

// unitDef is the exact definition of one unit; ratios are by definition
// (DESIGN "Numbers"): 1 lb = 0.45359237 kg, 1 mi = 1.609344 km,
// 1 Btu(IT) = 1055.05585262 J, 1 kWh = 3.6 MJ, 1 US gal = 3.785411784 L,
// 1 short ton = 907.18474 kg, 1 ft = 0.3048 m.
var unitDefs = []struct {
	sym, dim, base string
	basis          Basis
	aliases        []string
}{
	{"g", "mass", "0.001", NoBasis, []string{"gram", "grams"}},
	{"kg", "mass", "1", NoBasis, []string{"kilogram", "kilograms"}},
	{"t", "mass", "1000", NoBasis, []string{"tonne", "tonnes", "metric_ton", "mt"}},
	{"Gg", "mass", "1000000", NoBasis, []string{"kt"}},
	{"lb", "mass", "0.45359237", NoBasis, []string{"lbs", "pound", "pounds"}},
	{"short_ton", "mass", "907.18474", NoBasis, []string{"short ton", "us_ton", "ton_us"}},
	{"long_ton", "mass", "1016.0469088", NoBasis, []string{"long ton", "ton_uk"}},

	{"J", "energy", "1", NCV, []string{"joule"}},
	{"kJ", "energy", "1000", NCV, nil},
	{"MJ", "energy", "1000000", NCV, nil},
	{"GJ", "energy", "1000000000", NCV, nil},
	{"TJ", "energy", "1000000000000", NCV, nil},
	{"Wh", "energy", "3600", NCV, nil},
	{"kWh", "energy", "3600000", NCV, nil},
	{"MWh", "energy", "3600000000", NCV, nil},
	{"GWh", "energy", "3600000000000", NCV, nil},
	{"Btu", "energy", "1055.05585262", HHV, nil},
	{"mmBtu", "energy", "1055055852.62", HHV, []string{"mmbtu", "MMBtu", "million_btu"}},
	{"therm", "energy", "105505585.262", HHV, []string{"therms"}},

	{"L", "volume", "0.001", NoBasis, []string{"l", "litre", "liter", "litres", "liters"}},
	{"m3", "volume", "1", NoBasis, []string{"m^3", "cubic_meter", "cubic_metre"}},
	{"gal_us", "volume", "0.003785411784", NoBasis, []string{"gal", "gallon", "gallons", "us_gal"}},
	{"scf", "volume", "0.028316846592", NoBasis, []string{"ft3", "cf"}},
	{"bbl", "volume", "0.158987294928", NoBasis, []string{"barrel", "barrels"}},

	{"m", "length", "1", NoBasis, nil},
	{"km", "length", "1000", NoBasis, nil},
	{"mi", "length", "1609.344", NoBasis, []string{"mile", "miles"}},

	{"m2", "area", "1", NoBasis, []string{"m^2", "sqm", "qm"}},
	{"ft2", "area", "0.09290304", NoBasis, []string{"sqft", "sf"}},

	// A piece is a count, not a size: it converts to no other dimension.
	{"piece", "count", "1", NoBasis, []string{"pieces", "piece(s)", "pcs", "pcs.", "pc", "pce", "item", "items", "item(s)", "ea", "each", "stück", "stk"}},

	// Freight base unit is kg·km.
	{"t.km", "freight", "1000", NoBasis, []string{"tkm", "t*km", "tonne.km", "tonne-km", "t-km"}},
	{"short_ton.mi", "freight", "1459.97231821056", NoBasis, []string{"short_ton_mile", "short ton-mile", "ton-mile", "ton.mi", "tmi"}},
}

// NewUnits builds the unit table.
func NewUnits() *Units {
	u := &Units{bySymbol: map[string]Unit{}, aliases: map[string]string{}}
	for _, d := range unitDefs {
		unit := Unit{Symbol: d.sym, Dimension: Dimension(d.dim), Base: decimal.RequireFromString(d.base), DefaultBasis: d.basis}
		u.bySymbol[d.sym] = unit
		for _, a := range d.aliases {
			u.aliases[strings.ToLower(a)] = d.sym
		}
	}
	// Case-insensitive symbols too, unless that would be ambiguous (none are).
	for sym := range u.bySymbol {
		l := strings.ToLower(sym)
		if _, ok := u.aliases[l]; !ok {
			u.aliases[l] = sym
		}
	}
	return u
}

// Parse resolves a unit symbol or alias. "ton" alone is refused as ambiguous.
func (u *Units) Parse(s string) (Unit, error) {
	s = strings.TrimSpace(s)
	if unit, ok := u.bySymbol[s]; ok {
		return unit, nil
	}
	l := strings.ToLower(s)
	switch l {
	case "ton", "tons":
		return Unit{}, &UnitError{Unit: s, Reason: `"ton" is ambiguous: use "t" (metric tonne, 1000 kg) or "short_ton" (US, 2000 lb)`}
	case "":
		return Unit{}, &UnitError{Unit: s, Reason: "unit is empty"}
	}
	if sym, ok := u.aliases[l]; ok {
		return u.bySymbol[sym], nil
	}
	return Unit{}, &UnitError{Unit: s, Reason: "unknown unit; known units: " + strings.Join(u.Symbols(), " ")}
}

// Symbols lists the canonical symbols, sorted by dimension then size.
func (u *Units) Symbols() []string {
	out := make([]string, 0, len(u.bySymbol))
	for _, d := range unitDefs {
		out = append(out, d.sym)
	}
	return out
}

// SymbolsOf lists the canonical symbols of one dimension.
func (u *Units) SymbolsOf(dim Dimension) []string {
	var out []string
	for _, d := range unitDefs {
		if Dimension(d.dim) == dim {
			out = append(out, d.sym)
		}
	}
	sort.Strings(out)
	return out
}

// Ratio is an exact ratio num/den of two decimals. Conversions are kept as
// ratios so that a calculation multiplies first and divides once.
type Ratio struct {
	Num, Den decimal.Decimal
}

// Conversion is the exact ratio that converts a quantity in unit from to unit to.
func Conversion(from, to Unit) (Ratio, error) {
	if from.Dimension != to.Dimension {
		return Ratio{}, &DimensionError{Unit: from.Symbol, Got: from.Dimension, Want: []Dimension{to.Dimension}}
	}
	return Ratio{from.Base, to.Base}, nil
}

// ParseRateUnit parses a factor unit "<mass>/<activity unit>" such as
// "kg/mmBtu" or "lb/MWh".
func (u *Units) ParseRateUnit(s string) (num, den Unit, err error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Unit{}, Unit{}, &UnitError{Unit: s, Reason: `a rate unit is "<numerator>/<denominator>", e.g. "kg/mmBtu"`}
	}
	if num, err = u.Parse(a); err != nil {
		return
	}
	den, err = u.Parse(b)
	return
}
