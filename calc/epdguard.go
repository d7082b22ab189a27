package calc

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// ErrEPDValue marks an EPD whose counted value the method's sign rule
// (epd.biogenic) or plausibility bounds (epd.max_kg_co2e_per_*) refuse.
// It is a kind of ErrEPD (and so of ErrProductFactor).
var ErrEPDValue = fmt.Errorf("EPD value refused: %w", ErrEPD)

func epdValueErr(format string, args ...any) error {
	return fieldErrf("factor.epd", ErrEPDValue, format, args...)
}

// moduleValue is the value of module in res, or else the exact sum of
// the modules of sumOf when all are declared; summed tells which.
func moduleValue(res []epd.Result, module string, sumOf []string) (v decimal.Decimal, summed, found bool) {
	v, _, summed, found = moduleResult(res, module, sumOf)
	return v, summed, found
}

// moduleResult is moduleValue with the result that matched module when
// the document (or the reader, epd.Result.Summed) gave it (nil when the
// method's sum_of summed it).
func moduleResult(res []epd.Result, module string, sumOf []string) (v decimal.Decimal, match *epd.Result, summed, found bool) {
	want := normModule(module)
	for i := range res {
		if normModule(res[i].Module) == want {
			return res[i].Value, &res[i], false, true
		}
	}
	if len(sumOf) == 0 {
		return decimal.Decimal{}, nil, false, false
	}
	byMod := map[string]decimal.Decimal{}
	for _, r := range res {
		if _, dup := byMod[normModule(r.Module)]; !dup {
			byMod[normModule(r.Module)] = r.Value
		}
	}
	sum := decimal.Zero
	for _, mod := range sumOf {
		x, ok := byMod[normModule(mod)]
		if !ok {
			return decimal.Decimal{}, nil, false, false
		}
		sum = sum.Add(x)
	}
	return sum, nil, true, true
}

// resultsOf are the declaration's results for indicator in set.
func resultsOf(d *epd.Declaration, indicator, set string) []epd.Result {
	var out []epd.Result
	for _, r := range d.Results {
		if strings.EqualFold(strings.TrimSpace(r.Indicator), indicator) && r.Set == set {
			out = append(out, r)
		}
	}
	return out
}

// guardSign applies the method's biogenic rule (epd.biogenic) to the
// counted value of indicator ind. It applies to a negative value and,
// under epd.biogenic_applies = "uptake", also to one whose modules declare
// biogenic uptake (GWP-biogenic below zero). Where it applies, refuse
// refuses the EPD, fossil_plus_luluc counts GWP-fossil + GWP-luluc of the
// same modules instead, and total_with_c3c4 counts the value with the
// indicator's C3 and C4 (where EN 15804+A2 declares the release). Where it
// does not, the value is kept. What comes out must not be negative. res
// are the indicator's results; per names the declared unit ("1 m3"). The
// string returned, when not empty, is the warning that says what was
// counted instead.
func guardSign(m *methods.Method, d *epd.Declaration, res []epd.Result, ind string, value decimal.Decimal, label, per string) (decimal.Decimal, string, error) {
	rules := m.EPD
	rule := rules.BiogenicRule()
	set := ""
	if len(res) > 0 {
		set = res[0].Set
	}
	// why names what made the rule apply, for the sentences below.
	why := fmt.Sprintf("%s %s %s is negative (biogenic uptake)", ind, rules.Modules, shown(value))
	if !value.IsNegative() {
		if rules.BiogenicApplies != methods.BiogenicWhenUptake || strings.EqualFold(ind, "GWP-fossil") {
			return value, "", nil
		}
		bio, _, ok := moduleValue(resultsOf(d, "GWP-biogenic", set), rules.Modules, rules.SumOf)
		if !ok || !bio.IsNegative() {
			return value, "", nil
		}
		why = fmt.Sprintf("%s %s %s includes biogenic uptake (GWP-biogenic %s %s)", ind, rules.Modules, shown(value), rules.Modules, shown(bio))
	}
	applied := fmt.Sprintf("method rule epd.biogenic = %q", rule)
	if rules.BiogenicApplies != "" {
		applied += fmt.Sprintf(", epd.biogenic_applies = %q", rules.BiogenicApplies)
	}
	declares := fmt.Sprintf("EPD %s declares %s %s %s kg CO2e per %s", label, rules.Modules, ind, shown(value), per)
	switch rule {
	case methods.BiogenicFossilLuluc:
		fossil, _, okF := moduleValue(resultsOf(d, "GWP-fossil", set), rules.Modules, rules.SumOf)
		luluc, _, okL := moduleValue(resultsOf(d, "GWP-luluc", set), rules.Modules, rules.SumOf)
		if !okF || !okL {
			return value, "", epdValueErr("%s: %s; method %s counts GWP-fossil + GWP-luluc %s instead (%s), and the EPD does not declare both for %s",
				declares, why, m.Ref(), rules.Modules, applied, rules.Modules)
		}
		sum := fossil.Add(luluc)
		if sum.IsNegative() {
			return value, "", epdValueErr("%s; its GWP-fossil + GWP-luluc %s, %s, is negative: a fossil value below zero is not plausible; method %s (%s) does not count it",
				declares, rules.Modules, shown(sum), m.Ref(), applied)
		}
		return sum, fmt.Sprintf("EPD %s: %s; counted GWP-fossil + GWP-luluc %s = %s instead (%s)",
			label, why, rules.Modules, shown(sum), applied), nil
	case methods.BiogenicWithC3C4:
		return withEndOfLife(res, ind, "the end-of-life release", value, declares, why, m.Ref(), applied, label)
	case methods.BiogenicWithRelease:
		return withEndOfLife(resultsOf(d, "GWP-biogenic", set), "GWP-biogenic", "the biogenic release", value, declares, why, m.Ref(), applied, label)
	}
	return value, "", epdValueErr("%s: a negative %s value counts biogenic uptake without its end-of-life release (EN 15804+A2 balances it in C3/C4); method %s does not count it (epd.biogenic = %q)",
		declares, rules.Modules, m.Ref(), rule)
}

// withEndOfLife counts value with the C3 and C4 of src (results of
// indicator ind): what is released at end of life. release names it in
// the sentences.
func withEndOfLife(src []epd.Result, ind, release string, value decimal.Decimal, declares, why, ref, applied, label string) (decimal.Decimal, string, error) {
	c3, _, ok3 := moduleValue(src, "C3", nil)
	c4, _, ok4 := moduleValue(src, "C4", nil)
	if !ok3 || !ok4 {
		return value, "", epdValueErr("%s: %s; method %s counts it only with %s the EPD declares in C3 and C4 (%s), and the EPD does not declare %s for both C3 and C4 (one value each, without scenarios)",
			declares, why, ref, release, applied, ind)
	}
	sum := value.Add(c3).Add(c4)
	if sum.IsNegative() {
		return value, "", epdValueErr("%s; with %s in C3 and C4 (%s %s, %s) the sum %s is still negative: the release does not balance the uptake; method %s (%s) does not count it",
			declares, release, ind, shown(c3), shown(c4), shown(sum), ref, applied)
	}
	return sum, fmt.Sprintf("EPD %s: %s; counted with %s in C3 and C4 (%s %s, %s) = %s (%s)",
		label, why, release, ind, shown(c3), shown(c4), shown(sum), applied), nil
}

// guardRange refuses a counted value above the method's plausibility
// bound for the declared unit's dimension (epd.max_kg_co2e_per_kg, _m3,
// _m2), compared exactly: value ≤ bound × declared unit in kg, m3 or m2.
// No bound declared: no check (the value is still at most
// MaxQuantityAbs, as any quantity).
func guardRange(m *methods.Method, value, amount decimal.Decimal, dUnit factors.Unit, ind, label string) error {
	rules := m.EPD
	var bound *decimal.Decimal
	var key, base string
	switch dUnit.Dimension {
	case factors.Mass:
		bound, key, base = rules.MaxKgCO2ePerKg, "max_kg_co2e_per_kg", "kg"
	case factors.Volume:
		bound, key, base = rules.MaxKgCO2ePerM3, "max_kg_co2e_per_m3", "m3"
	case factors.Area:
		bound, key, base = rules.MaxKgCO2ePerM2, "max_kg_co2e_per_m2", "m2"
	}
	if bound == nil {
		return nil
	}
	limit := bound.Mul(amount).Mul(dUnit.Base)
	if value.Cmp(limit) <= 0 {
		return nil
	}
	return epdValueErr("EPD %s declares %s %s %s kg CO2e per %s %s, above the plausibility bound of method %s: %s kg CO2e per %s (epd.%s), i.e. %s per %s %s; check the EPD's value and its declared unit",
		label, rules.Modules, ind, shown(value), amount.String(), clip.Text(dUnit.Symbol), m.Ref(), bound.String(), base, key, shown(limit), amount.String(), clip.Text(dUnit.Symbol))
}
