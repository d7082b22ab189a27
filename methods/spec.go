// Package methods defines footprint methodologies: declarative, versioned
// method files (TOML, decimals quoted), their parser and validator, their
// canonical form and SHA-256 digest, and a Registry of id@version with
// "latest active" resolution.
//
// A method names the GWP set, the datasets in order of precedence, the
// life-cycle stages it counts, the region fallback rule, the heating-value
// conversions it allows, its rounding rule and the procurement limits it
// checks. The built-in methods live in defs/ and are embedded; authors add
// their own files from a directory. Go code can implement Method for logic
// no file can express; the built-ins go through the same interface.
package methods

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

// Status is a method version's life-cycle state.
type Status string

// Statuses. A retired version still computes, so that old results can be
// reproduced; only active versions are picked by an id without a version.
const (
	Draft   Status = "draft"
	Active  Status = "active"
	Retired Status = "retired"
)

// Fallback rules for regions without a factor of their own.
const (
	FallbackNever     = "never"      // only the line's region (and GLO defaults)
	FallbackOnRequest = "on_request" // parents only when the line allows it
	FallbackAlways    = "always"     // parents whenever the region has no factor
)

// Rounding modes.
const (
	HalfEven = "half_even"
	HalfUp   = "half_up"
)

// Biogenic CO2 treatments.
const (
	BiogenicMemo  = "memo"  // reported in kg, counted as 0 kg CO2e
	BiogenicCount = "count" // counted with the GWP set's CO2_biogenic value
)

// Dec is a decimal that must be written as a quoted string in a method file,
// so that no value ever passes through float64.
type Dec struct{ decimal.Decimal }

// UnmarshalTOML accepts only strings.
func (d *Dec) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("decimals must be quoted strings (write \"%v\"), so that no value passes through floating point", v)
	}
	x, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a decimal number: %q", s)
	}
	d.Decimal = x
	return nil
}

// MarshalText writes the decimal as its exact string.
func (d Dec) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Spec is the content of one method file.
type Spec struct {
	ID           string   `toml:"id" json:"id"`
	Version      string   `toml:"version" json:"version"`
	Title        string   `toml:"title" json:"title"`
	Jurisdiction string   `toml:"jurisdiction" json:"jurisdiction"`
	Status       Status   `toml:"status" json:"status"`
	Description  string   `toml:"description,omitempty" json:"description,omitempty"`
	GWPSet       string   `toml:"gwp_set" json:"gwp_set"`
	Datasets     []string `toml:"datasets" json:"datasets"`
	Stages       []string `toml:"stages" json:"stages"`
	BiogenicCO2  string   `toml:"biogenic_co2" json:"biogenic_co2"`

	Regions        RegionRule     `toml:"regions" json:"regions"`
	Rounding       Rounding       `toml:"rounding" json:"rounding"`
	ProductFactors ProductFactors `toml:"product_factors" json:"product_factors"`
	HeatingValue   []HVRatio      `toml:"heating_value,omitempty" json:"heating_value,omitempty"`
	Limits         []LimitSet     `toml:"limits,omitempty" json:"limits,omitempty"`
	// HostData are the datasets that serve lines located outside the
	// method's own jurisdiction (location-based: the data of the place of
	// consumption). Last in the struct, and omitted when empty, so that
	// the canonical form and digest of a method without it do not change.
	HostData []HostRule `toml:"host_data,omitempty" json:"host_data,omitempty"`
	// EPD holds the rules by which an EPD document becomes a line's
	// factor. Last, and omitted when absent, so that the canonical form
	// and digest of the methods written before it do not change; a method
	// without it refuses EPD documents (the three-field factor still works).
	EPD *EPDRules `toml:"epd,omitempty" json:"epd,omitempty"`
	// Uncertainty is the method's uncertainty model (docs/uncertainty.md).
	// Last, and omitted when absent, so that the canonical form and digest
	// of the methods written before it do not change; a method without it
	// treats every factor as exact.
	Uncertainty *Uncertainty `toml:"uncertainty,omitempty" json:"uncertainty,omitempty"`
}

// EPDRules are a method's rules for reading an Environmental Product
// Declaration: which indicator counts, which modules, how validity is
// judged and which declared units convert to a line's unit.
type EPDRules struct {
	// Indicators are the accepted indicators in order of preference: the
	// first one the declaration has is used.
	Indicators []EPDIndicator `toml:"indicators" json:"indicators"`
	// Modules is the module the value must cover, e.g. "A1-A3".
	Modules string `toml:"modules" json:"modules"`
	// SumOf lists the modules whose sum stands for Modules when the
	// declaration gives them separately and not Modules itself, e.g.
	// ["A1", "A2", "A3"]; empty: Modules must be declared as such.
	SumOf []string `toml:"sum_of,omitempty" json:"sum_of,omitempty"`
	// ExpiringWithinDays is the period after the bid's date in which a
	// declaration's end of validity gives a warning, used when the bid does
	// not name the end of its period (valid_through).
	ExpiringWithinDays int `toml:"expiring_within_days" json:"expiring_within_days"`
	// Conversions lists the declared-unit conversions allowed: "mass"
	// (between mass units), "volume" (between volume units), "area", "count" (pieces to
	// pieces), and
	// "density" (volume to mass and back, only with the density the
	// declaration states).
	Conversions []string `toml:"conversions" json:"conversions"`
	// Biogenic says what a negative counted value (biogenic uptake
	// declared in A1-A3 without its end-of-life release) becomes:
	// BiogenicRefuse (also when empty) refuses the EPD;
	// BiogenicFossilLuluc counts GWP-fossil + GWP-luluc of the same
	// modules instead; BiogenicWithC3C4 counts the value plus the same
	// indicator's C3 and C4 (where EN 15804+A2 declares the release);
	// BiogenicWithRelease counts the value plus GWP-biogenic of C3 and C4
	// (the release alone). A value still negative after any is refused. Omitted when empty,
	// so that the digests of methods written before it do not change.
	Biogenic string `toml:"biogenic,omitempty" json:"biogenic,omitempty"`
	// BiogenicApplies says when Biogenic applies: BiogenicWhenNegative
	// (also when empty) only to a negative counted value;
	// BiogenicWhenUptake also to a positive one whose modules declare
	// biogenic uptake (GWP-biogenic below zero), since EN 15804+A2's
	// -1/+1 rule puts the uptake in A1-A3 and its release in C3/C4
	// whatever the sign of the total. Omitted when empty.
	BiogenicApplies string `toml:"biogenic_applies,omitempty" json:"biogenic_applies,omitempty"`
	// Refusals refuse, by a rule the method cites, declarations under
	// some standards for some activities (GSA's concrete EPDs must
	// conform to ISO 21930). Checked before Indicators. Omitted when
	// empty.
	Refusals []EPDRefusal `toml:"refusals,omitempty" json:"refusals,omitempty"`
	// RequireStandard refuses a declaration that names no standard it
	// conforms to (an EC3 record stating only a PCR), rather than letting
	// the indicator's name decide. Omitted when false.
	RequireStandard bool `toml:"require_standard,omitempty" json:"require_standard,omitempty"`
	// MaxKgCO2ePerKg, MaxKgCO2ePerM3 and MaxKgCO2ePerM2 are optional
	// plausibility bounds the method declares on the counted value per
	// kg, m3 or m2 of declared unit: a larger value is refused. footprint
	// ships none (no published per-category range is in its reference
	// data); absent, only the sign rule and the engine's magnitude bound
	// apply.
	MaxKgCO2ePerKg *decimal.Decimal `toml:"max_kg_co2e_per_kg,omitempty" json:"max_kg_co2e_per_kg,omitempty"`
	MaxKgCO2ePerM3 *decimal.Decimal `toml:"max_kg_co2e_per_m3,omitempty" json:"max_kg_co2e_per_m3,omitempty"`
	MaxKgCO2ePerM2 *decimal.Decimal `toml:"max_kg_co2e_per_m2,omitempty" json:"max_kg_co2e_per_m2,omitempty"`
}

// Biogenic rules of [epd] (EPDRules.Biogenic).
const (
	BiogenicRefuse      = "refuse"
	BiogenicFossilLuluc = "fossil_plus_luluc"
	BiogenicWithC3C4    = "total_with_c3c4"
	// BiogenicWithRelease counts the value plus the GWP-biogenic the EPD
	// declares in C3 and C4: the release EN 15804+A2's -1/+1 rule puts
	// there, and nothing else of end of life.
	BiogenicWithRelease = "total_with_biogenic_c3c4"
)

// When the biogenic rule applies (EPDRules.BiogenicApplies).
const (
	BiogenicWhenNegative = "negative"
	BiogenicWhenUptake   = "uptake"
)

// EPDRefusal refuses a declaration for a line whose activity matches one
// of Activities when the declaration conforms to one of Standards and to
// none of Unless; Rule is the sentence the refusal quotes (the program's
// text and its address).
type EPDRefusal struct {
	Activities []string `toml:"activities" json:"activities"`
	Standards  []string `toml:"standards" json:"standards"`
	Unless     []string `toml:"unless,omitempty" json:"unless,omitempty"`
	Rule       string   `toml:"rule" json:"rule"`
}

// Applies reports whether the refusal applies to a line of activity whose
// declaration conforms to the standards conforms (matched as prefixes,
// ignoring case and spaces: "EN 15804" matches "EN 15804+A2").
func (r EPDRefusal) Applies(activity string, conforms []string) bool {
	return anyMatch(r.Activities, activity) && StandardsMatch(r.Standards, conforms) && !StandardsMatch(r.Unless, conforms)
}

// StandardsMatch reports whether one of got starts with one of want,
// ignoring case and spaces.
func StandardsMatch(want, got []string) bool {
	for _, g := range got {
		gn := strings.ToUpper(strings.Join(strings.Fields(g), ""))
		if gn == "" {
			continue
		}
		for _, w := range want {
			if strings.HasPrefix(gn, strings.ToUpper(strings.Join(strings.Fields(w), ""))) {
				return true
			}
		}
	}
	return false
}

// BiogenicRule is the rule in force: BiogenicRefuse when none is given.
func (r *EPDRules) BiogenicRule() string {
	if r.Biogenic == "" {
		return BiogenicRefuse
	}
	return r.Biogenic
}

// EPDIndicator is one indicator a method accepts.
type EPDIndicator struct {
	// Indicator is the name as the epd package normalises it ("GWP-total",
	// "GWP"), matched without regard to case.
	Indicator string `toml:"indicator" json:"indicator"`
	// Standards lists the standards the declaration must name (its
	// Standard starts with one of them, e.g. "EN 15804+A2"); empty: any.
	Standards []string `toml:"standards,omitempty" json:"standards,omitempty"`
	// Sets lists the indicator sets (openEPD) accepted, in order of
	// preference; empty: the results without a set, or the only set given.
	Sets []string `toml:"sets,omitempty" json:"sets,omitempty"`
	// Warning is recorded on the line when this indicator is used.
	Warning string `toml:"warning,omitempty" json:"warning,omitempty"`
	// Activities limits the rule to lines of these activities or
	// families; empty: every activity. Omitted when empty.
	Activities []string `toml:"activities,omitempty" json:"activities,omitempty"`
}

// EPD conversion kinds.
const (
	EPDConvMass    = "mass"
	EPDConvVolume  = "volume"
	EPDConvArea    = "area"
	EPDConvCount   = "count"
	EPDConvDensity = "density"
)

// Allows reports whether the rules allow a conversion kind.
func (r *EPDRules) Allows(kind string) bool {
	for _, c := range r.Conversions {
		if c == kind {
			return true
		}
	}
	return false
}

// HostRule says which datasets serve lines in a family of regions for a
// family of activities: a line whose region is one of Regions or lies
// below one (US covers US-CAMX) and whose activity matches one of
// Activities is looked up in Datasets first, then in the method's own.
type HostRule struct {
	Regions    []string `toml:"regions" json:"regions"`
	Activities []string `toml:"activities" json:"activities"`
	Datasets   []string `toml:"datasets" json:"datasets"`
}

// Matches reports whether the rule serves an activity in a region whose
// chain (the region, its parents, GLO) is chain.
func (h HostRule) Matches(activity string, chain []string) bool {
	if !anyMatch(h.Activities, activity) {
		return false
	}
	for _, r := range h.Regions {
		for _, c := range chain {
			if c == r {
				return true
			}
		}
	}
	return false
}

// RegionRule says whether a line may use a parent region's factor.
type RegionRule struct {
	Fallback string `toml:"fallback" json:"fallback"`
}

// Rounding is the method's rounding rule, applied once when a result is
// reported, and the precision of the one division a line may need.
type Rounding struct {
	Places         int32  `toml:"places" json:"places"`
	Mode           string `toml:"mode" json:"mode"`
	DivisionPlaces int32  `toml:"division_places" json:"division_places"`
}

// Round applies the rule to a reported value.
func (r Rounding) Round(d decimal.Decimal) decimal.Decimal {
	if d.Exponent() >= -r.Places {
		return d // already has at most Places decimals: nothing to round
	}
	if q, ok := roundInt64(d, r.Places, r.Mode == HalfUp); ok {
		return q
	}
	if r.Mode == HalfUp {
		return d.Round(r.Places)
	}
	return d.RoundBank(r.Places)
}

// ProductFactors says for which activities a line may bring its own
// product-specific factor (an EPD value), and where one is required.
type ProductFactors struct {
	Accept  []string `toml:"accept" json:"accept"`
	Require []string `toml:"require,omitempty" json:"require,omitempty"`
}

// Accepts reports whether a product-specific factor is accepted for activity.
func (p ProductFactors) Accepts(activity string) bool { return anyMatch(p.Accept, activity) }

// Requires reports whether a product-specific factor is required for activity.
func (p ProductFactors) Requires(activity string) bool { return anyMatch(p.Require, activity) }

func anyMatch(patterns []string, key string) bool {
	for _, p := range patterns {
		if factors.MatchActivity(p, key) {
			return true
		}
	}
	return false
}

// HVRatio is a method's conversion between heating-value bases for one
// fuel: energy on basis To = energy on basis From × ratio. The ratio is
// either written in the file (Ratio, with its Source) or taken from a
// published pair of gross-CV and net-CV factors (Dataset and Row), as
// their quotient: Gross/Net for HHV→NCV, Net/Gross for NCV→HHV, divided
// once at the method's division_places, half to even.
//
// The optional fields are omitted when empty, in this order, so that the
// canonical form (and digest) of a file with an inline ratio is what it
// was before the data form existed.
type HVRatio struct {
	Activity string        `toml:"activity" json:"activity"`
	From     factors.Basis `toml:"from" json:"from"`
	To       factors.Basis `toml:"to" json:"to"`
	Ratio    *Dec          `toml:"ratio,omitempty" json:"ratio,omitempty"`
	Source   string        `toml:"source,omitempty" json:"source,omitempty"`
	Dataset  string        `toml:"dataset,omitempty" json:"dataset,omitempty"`
	Row      string        `toml:"row,omitempty" json:"row,omitempty"`
}

// FromData reports whether the ratio comes from a dataset row.
func (h HVRatio) FromData() bool { return h.Dataset != "" || h.Row != "" }

// Resolve returns the ratio and where it comes from: the inline ratio and
// its source, or the quotient of the dataset row's published pair at
// places (half to even) with the pair. The quotient is the one division.
func (h HVRatio) Resolve(lib *factors.Library, places int32) (decimal.Decimal, *factors.CVPair, error) {
	if !h.FromData() {
		if h.Ratio == nil {
			return decimal.Decimal{}, nil, fmt.Errorf("heating_value for %s: no ratio and no dataset row", h.Activity)
		}
		return h.Ratio.Decimal, nil, nil
	}
	d, err := lib.Dataset(h.Dataset)
	if err != nil {
		return decimal.Decimal{}, nil, err
	}
	p, ok := d.CVPair(h.Row)
	if !ok {
		return decimal.Decimal{}, nil, fmt.Errorf("%s has no heating-value row %q", d.Ref(), h.Row)
	}
	num, den := p.Gross, p.Net // HHV→NCV: NCV/GCV = gross-CV factor / net-CV factor
	if h.From == factors.NCV {
		num, den = p.Net, p.Gross
	}
	return DivHalfEven(num, den, places), &p, nil
}

// DivHalfEven divides at a fixed number of places, rounding half to even.
func DivHalfEven(num, den decimal.Decimal, places int32) decimal.Decimal {
	q, rem := num.QuoRem(den, places)
	if rem.IsZero() {
		return q
	}
	// Compare 2|rem| with |den|·10^-places.
	unit := decimal.New(1, -places)
	twice := rem.Abs().Mul(decimal.NewFromInt(2))
	half := den.Abs().Mul(unit)
	c := twice.Cmp(half)
	step := unit
	if num.Sign()*den.Sign() < 0 {
		step = unit.Neg()
	}
	if c > 0 || (c == 0 && q.Shift(places).BigInt().Bit(0) == 1) {
		return q.Add(step)
	}
	return q
}

// LimitSet selects limits of a dataset that the method checks.
type LimitSet struct {
	Dataset string   `toml:"dataset" json:"dataset"`
	IDs     []string `toml:"ids" json:"ids"`
}

// Ref is "id@version".
func (s *Spec) Ref() string { return s.ID + "@" + s.Version }

// Method is a methodology version. *Method values from files and Go code
// that wraps a Spec are used the same way by the calculator.
type Method struct {
	Spec
	// Digest is the SHA-256 of the canonical file, hex.
	Digest string `json:"digest"`
	// File names where the method came from (embedded:defs/... or a path).
	File string `json:"file"`
	// Hooks hold logic that no file can express; nil for file methods.
	Hooks Hooks `json:"-"`
}

// Hooks lets Go code refine what a method file says. Every hook is optional.
type Hooks interface {
	// SelectFactors may reorder or drop the candidate factors for a line.
	SelectFactors(activity, region string, candidates []*factors.Factor) []*factors.Factor
}

// compareVersions orders dotted versions numerically where both segments are
// numbers ("2025.10" > "2025.9"), else as strings.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		if errX == nil && errY == nil {
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
			continue
		}
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(as) < len(bs):
		return -1
	case len(as) > len(bs):
		return 1
	}
	return 0
}

// pow10 holds 10^0 … 10^18, the powers an int64 coefficient can need.
func pow10(n int32) (int64, bool) {
	if n < 0 || n > 18 {
		return 0, false
	}
	p := int64(1)
	for range n {
		p *= 10
	}
	return p, true
}

// roundInt64 rounds without big.Int when the coefficient fits an int64:
// the common case, and the one that dominates reporting cost.
func roundInt64(d decimal.Decimal, places int32, halfUp bool) (decimal.Decimal, bool) {
	if d.NumDigits() > 18 { // NumDigits is allocation-free for int64 coefficients
		return decimal.Decimal{}, false
	}
	c := d.CoefficientInt64()
	p, ok := pow10(-d.Exponent() - places)
	if !ok {
		return decimal.Decimal{}, false
	}
	q, rem := c/p, c%p
	if rem < 0 {
		rem = -rem
	}
	half := p / 2 // p is a power of ten ≥ 10, so p/2 is exact
	up := rem > half || (rem == half && (halfUp || q%2 != 0))
	if up {
		if c < 0 {
			q--
		} else {
			q++
		}
	}
	return decimal.New(q, -places), true
}

// ResolveLimits returns the limits a method's limit sets select, in the
// order they are listed.
func ResolveLimits(lib *factors.Library, sets []LimitSet) ([]factors.Limit, error) {
	var out []factors.Limit
	for _, ls := range sets {
		d, err := lib.Dataset(ls.Dataset)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]factors.Limit, len(d.Limits))
		for _, l := range d.Limits {
			byID[l.ID] = l
		}
		for _, id := range ls.IDs {
			if l, ok := byID[id]; ok {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// AppliesTo reports whether the indicator rule serves a line of activity.
func (in EPDIndicator) AppliesTo(activity string) bool {
	return len(in.Activities) == 0 || anyMatch(in.Activities, activity)
}
