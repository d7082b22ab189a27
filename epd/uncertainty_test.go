package epd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// declaredDir is the copy of a real ILCD+EPD excerpt with uncertainty
// fields added (testdata/uncertainty/README.md).
var declaredDir = filepath.Join("testdata", "uncertainty", "ibu-aluminium-profile-declared")

// TestDeclaredUncertaintyFixture: the fixture's GWP-total A1-A3 carries
// its declared log-normal; GWP-fossil's (meanAmount 0.0, six modules),
// GWP-biogenic's (undefined) and the reference exchange's are noted and
// not kept; and every value read is the published excerpt's: adding the
// fields changes nothing else.
func TestDeclaredUncertaintyFixture(t *testing.T) {
	d, err := Parse(FormatILCD, "declared.zip", zipDir(t, declaredDir))
	if err != nil {
		t.Fatal(err)
	}
	real, err := Parse(FormatILCD, "real.zip", zipDir(t, filepath.Join("testdata", "real", "ibu-aluminium-profile")))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Results) != len(real.Results) {
		t.Fatalf("%d results, the published excerpt %d", len(d.Results), len(real.Results))
	}
	kept := 0
	for i, r := range d.Results {
		if w := real.Results[i]; r.Indicator != w.Indicator || r.Module != w.Module || !r.Value.Equal(w.Value) || w.Uncertainty != nil {
			t.Errorf("result %d: %+v, published %+v", i, r, w)
		}
		if r.Uncertainty == nil {
			continue
		}
		kept++
		want := Uncertainty{Field: "LCIAResults/LCIAResult[1]/relativeStandardDeviation95In", Distribution: DistLogNormal, RelativeSD95In: "1.44", Applies: AppliesMean}
		if r.Indicator != "GWP-total" || r.Module != "A1-A3" || *r.Uncertainty != want {
			t.Errorf("%s %s: uncertainty %+v, want only GWP-total A1-A3 with %+v", r.Indicator, r.Module, *r.Uncertainty, want)
		}
	}
	if kept != 1 {
		t.Errorf("%d results with a declared uncertainty, want 1 (GWP-total A1-A3)", kept)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings %q", d.Warnings)
	}
	notes := strings.Join(d.Notes, "\n")
	for _, want := range []string{
		"LCIAResults/LCIAResult[2]: GWP-fossil declares 6 module amounts and meanAmount \"0.0\" (ILCD+EPD's placeholder), so its declared uncertainty (normal, relativeStandardDeviation95In 20) does not say which module it describes; not used",
		"LCIAResults/LCIAResult[3]/uncertaintyDistributionType: undefined (ILCD: \"probability distribution information not available\"); no distribution is assumed, so relativeStandardDeviation95In \"12.123\" is not used",
		"exchanges/exchange[@dataSetInternalID=0]: the reference flow's amount declares an uncertainty (uncertaintyDistributionType \"normal\", relativeStandardDeviation95In \"5\"); not used",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	lo, hi, err := d.Results[0].Uncertainty.Interval95(d.Results[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	// 1.93153238620983 ÷ 1.44 and × 1.44.
	if lo.String() != "1.3413419348679375" || hi.String() != "2.7814066361421552" {
		t.Errorf("interval %s to %s", lo, hi)
	}
}

// lciaWith is an LCIA result of indicator desc with the given ILCD
// elements (meanAmount and the uncertainty fields, schema order) and
// module amounts.
func lciaWith(desc, fields string, modules ...string) string {
	var b strings.Builder
	b.WriteString(`<LCIAResult><referenceToLCIAMethodDataSet><common:shortDescription>` + desc + `</common:shortDescription></referenceToLCIAMethodDataSet>` + fields + `<common:other>`)
	for i := 0; i+1 < len(modules); i += 2 {
		b.WriteString(`<epd:amount epd:module="` + modules[i] + `">` + modules[i+1] + `</epd:amount>`)
	}
	b.WriteString(`</common:other></LCIAResult>`)
	return b.String()
}

// unc writes the uncertainty elements (each omitted when empty).
func unc(mean, typ, val string) string {
	var s string
	if mean != "" {
		s += "<meanAmount>" + mean + "</meanAmount>"
	}
	if typ != "" {
		s += "<uncertaintyDistributionType>" + typ + "</uncertaintyDistributionType>"
	}
	if val != "" {
		s += "<relativeStandardDeviation95In>" + val + "</relativeStandardDeviation95In>"
	}
	return s
}

// TestILCDUncertaintyFields: every distribution type, a missing, undefined
// or implausible value, and which module amount a declaration describes.
// A declaration is kept (on one module's result), noted (not a
// distribution to sample, or not saying which module it describes) or
// refused with a warning naming the field (the value itself is read
// either way); none stops the document.
func TestILCDUncertaintyFields(t *testing.T) {
	const gwp = "Global warming potential (GWP)"
	one := []string{"A1-A3", "5"}
	several := []string{"A1-A3", "5", "C4", "0.2", "D", "-1"}
	hostile := strings.Repeat("9", 5000)
	tests := []struct {
		name   string
		lcia   string
		module string // the module whose result keeps it ("" none)
		want   Uncertainty
		warn   string // a warning containing this ("" none)
		note   string // a note containing this ("" none)
	}{
		{"none", lciaWith(gwp, unc("", "", ""), one...), "", Uncertainty{}, "", ""},
		{"log-normal", lciaWith(gwp, unc("", "log-normal", "1.44"), one...), "A1-A3", Uncertainty{Distribution: DistLogNormal, RelativeSD95In: "1.44", Applies: AppliesOnly}, "", ""},
		{"log-normal trailing zeros", lciaWith(gwp, unc("", "log-normal", "1.440"), one...), "A1-A3", Uncertainty{Distribution: DistLogNormal, RelativeSD95In: "1.44", Applies: AppliesOnly}, "", ""},
		{"log-normal no spread", lciaWith(gwp, unc("", "log-normal", "1"), one...), "A1-A3", Uncertainty{Distribution: DistLogNormal, RelativeSD95In: "1", Applies: AppliesOnly}, "", ""},
		{"log-normal largest Perc", lciaWith(gwp, unc("", "log-normal", "99999"), one...), "A1-A3", Uncertainty{Distribution: DistLogNormal, RelativeSD95In: "99999", Applies: AppliesOnly}, "", ""},
		{"normal", lciaWith(gwp, unc("", "normal", "20"), one...), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesOnly}, "", ""},
		{"normal zero", lciaWith(gwp, unc("", "normal", "0"), one...), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "0", Applies: AppliesOnly}, "", ""},
		{"normal just below 100", lciaWith(gwp, unc("", "normal", "99.999"), one...), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "99.999", Applies: AppliesOnly}, "", ""},
		{"spaces around", lciaWith(gwp, unc("", " normal ", " 20 "), one...), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesOnly}, "", ""},

		{"undefined with a value", lciaWith(gwp, unc("", "undefined", "12.123"), one...), "", Uncertainty{}, "",
			`LCIAResults/LCIAResult[1]/uncertaintyDistributionType: undefined (ILCD: "probability distribution information not available"); no distribution is assumed, so relativeStandardDeviation95In "12.123" is not used`},
		{"undefined alone", lciaWith(gwp, unc("", "undefined", ""), one...), "", Uncertainty{}, "", "no distribution is assumed, so no relativeStandardDeviation95In is not used"},
		{"triangular", lciaWith(gwp, unc("", "triangular", ""), one...), "", Uncertainty{}, "",
			"LCIAResults/LCIAResult[1]/uncertaintyDistributionType: triangular; sampled only when log-normal or normal (ILCD states a triangular distribution by minimum and maximum amounts, which an LCIA result does not have)"},
		{"uniform with a value", lciaWith(gwp, unc("", "uniform", "10"), one...), "", Uncertainty{}, "", `relativeStandardDeviation95In "10", which ILCD leaves empty for uniform, is not used`},

		{"unknown type", lciaWith(gwp, unc("", "lognormal", "1.44"), one...), "", Uncertainty{},
			`LCIAResults/LCIAResult[1]/uncertaintyDistributionType: "lognormal" is not an ILCD uncertainty distribution type (want undefined, log-normal, normal, triangular or uniform); GWP's declared uncertainty is not used`, ""},
		{"value without type", lciaWith(gwp, unc("", "", "20"), one...), "", Uncertainty{},
			`LCIAResults/LCIAResult[1]/relativeStandardDeviation95In: "20" without uncertaintyDistributionType (want log-normal or normal beside it)`, ""},
		{"type without value", lciaWith(gwp, unc("", "log-normal", ""), one...), "", Uncertainty{},
			"LCIAResults/LCIAResult[1]/relativeStandardDeviation95In: missing beside uncertaintyDistributionType log-normal", ""},
		{"negative", lciaWith(gwp, unc("", "normal", "-5"), one...), "", Uncertainty{}, `relativeStandardDeviation95In: "-5" is negative; a standard deviation never is`, ""},
		{"log-normal zero", lciaWith(gwp, unc("", "log-normal", "0"), one...), "", Uncertainty{}, `relativeStandardDeviation95In: "0" is below 1, but for log-normal it is SDg²`, ""},
		{"log-normal as a fraction", lciaWith(gwp, unc("", "log-normal", "0.2"), one...), "", Uncertainty{}, `"0.2" is below 1`, ""},
		{"normal 100", lciaWith(gwp, unc("", "normal", "100"), one...), "", Uncertainty{}, `relativeStandardDeviation95In: "100" % is 2·SD of a normal whose 2.5 % point (value − 2·SD) is at or beyond zero`, ""},
		{"not a number", lciaWith(gwp, unc("", "normal", "twenty"), one...), "", Uncertainty{}, `"twenty" is not a decimal number (ILCD's Perc type`, ""},
		{"percent sign", lciaWith(gwp, unc("", "normal", "20%"), one...), "", Uncertainty{}, `"20%" is not a decimal number`, ""},
		{"exponent", lciaWith(gwp, unc("", "normal", "2e1"), one...), "", Uncertainty{}, `"2e1" is not a decimal number`, ""},
		{"NaN", lciaWith(gwp, unc("", "log-normal", "NaN"), one...), "", Uncertainty{}, `"NaN" is not a decimal number`, ""},
		{"Inf", lciaWith(gwp, unc("", "log-normal", "INF"), one...), "", Uncertainty{}, `"INF" is not a decimal number`, ""},
		{"huge", lciaWith(gwp, unc("", "log-normal", "123456"), one...), "", Uncertainty{}, `"123456" has more digits than ILCD's Perc type holds (at most 5, 3 after the point: 99999 or 99.999 at most)`, ""},
		{"too fine", lciaWith(gwp, unc("", "normal", "1.4444"), one...), "", Uncertainty{}, `"1.4444" has more digits than ILCD's Perc type holds`, ""},
		{"hostile length", lciaWith(gwp, unc("", "log-normal", hostile), one...), "", Uncertainty{}, `relativeStandardDeviation95In: "9999999999999999999999999999999999999999"… is not a decimal number`, ""},
		{"hostile type", lciaWith(gwp, unc("", hostile, "2"), one...), "", Uncertainty{}, `uncertaintyDistributionType: "9999999999999999999999999999999999999999"… is not an ILCD uncertainty distribution type`, ""},

		{"several modules, placeholder meanAmount", lciaWith(gwp, unc("0.0", "log-normal", "1.44"), several...), "", Uncertainty{}, "",
			`LCIAResults/LCIAResult[1]: GWP declares 3 module amounts and meanAmount "0.0" (ILCD+EPD's placeholder), so its declared uncertainty (log-normal, relativeStandardDeviation95In 1.44) does not say which module it describes; not used`},
		{"several modules, no meanAmount", lciaWith(gwp, unc("", "normal", "20"), several...), "", Uncertainty{}, "", "GWP declares 3 module amounts and no meanAmount"},
		{"several modules, meanAmount names A1-A3", lciaWith(gwp, unc("5.000", "normal", "20"), several...), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesMean}, "", ""},
		{"several modules, meanAmount names D", lciaWith(gwp, unc("-1", "normal", "20"), several...), "D", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesMean}, "", ""},
		{"meanAmount names no module", lciaWith(gwp, unc("7", "normal", "20"), several...), "", Uncertainty{}, "",
			`LCIAResults/LCIAResult[1]/meanAmount: "7" equals none of GWP's module amounts, so its declared uncertainty (normal) describes another value; not used`},
		{"meanAmount differs from the only module", lciaWith(gwp, unc("7", "normal", "20"), one...), "", Uncertainty{}, "", `meanAmount: "7" equals none of GWP's module amounts`},
		{"meanAmount names two modules", lciaWith(gwp, unc("5", "normal", "20"), "A1-A3", "5", "D", "5"), "", Uncertainty{}, "",
			`LCIAResults/LCIAResult[1]/meanAmount: "5" equals 2 of GWP's module amounts, so its declared uncertainty (normal) does not say which it describes; not used`},
		{"only module, placeholder meanAmount", lciaWith(gwp, unc("0.0", "log-normal", "2"), one...), "A1-A3", Uncertainty{Distribution: DistLogNormal, RelativeSD95In: "2", Applies: AppliesOnly}, "", ""},
		{"malformed meanAmount", lciaWith(gwp, unc("five", "normal", "20"), one...), "", Uncertainty{},
			`LCIAResults/LCIAResult[1]/meanAmount: "five" is not a number (want e.g. 780 or 1.5E2); GWP's declared uncertainty (normal) describes the meanAmount, so it is not used`, ""},
		{"only modules not declared", lciaWith(gwp, unc("", "normal", "20"), "A1-A3", "5", "C1", "ND"), "A1-A3", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesOnly}, "", ""},
		{"no module amount", lciaWith(gwp, unc("", "normal", "20"), "A1-A3", "ND") + lciaWith("GWP-fossil", "", one...), "", Uncertainty{}, "", "LCIAResults/LCIAResult[1]: GWP declares no module amount, so its declared uncertainty describes none"},
		{"separate modules, A1 named", lciaWith(gwp, unc("3", "normal", "20"), "A1", "3", "A2", "1", "A3", "1"), "A1", Uncertainty{Distribution: DistNormal, RelativeSD95In: "20", Applies: AppliesMean}, "", ""},
		{"not a GWP", lciaWith("Acidification potential (AP)", unc("", "normal", "bad"), one...) + lciaWith(gwp, "", one...), "", Uncertainty{}, "", ""},
	}
	flow := File{flowFor, []byte(okFlow)}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseILCD("p.xml", []byte(process(okRef, okExch, tc.lcia, "")), flow)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Results) == 0 {
				t.Fatal("no results read")
			}
			for _, r := range d.Results {
				switch {
				case r.Module == tc.module:
					if r.Uncertainty == nil {
						t.Fatalf("%s: no uncertainty kept, want %+v (notes %q)", r.Module, tc.want, d.Notes)
					}
					got := *r.Uncertainty
					got.Field = ""
					if got != tc.want || !strings.HasSuffix(r.Uncertainty.Field, "/relativeStandardDeviation95In") {
						t.Errorf("%s: %+v, want %+v", r.Module, *r.Uncertainty, tc.want)
					}
				case r.Uncertainty != nil:
					t.Errorf("%s keeps %+v; want it on %q only", r.Module, *r.Uncertainty, tc.module)
				}
			}
			warnings, notes := strings.Join(d.Warnings, "\n"), strings.Join(d.Notes, "\n")
			if tc.warn == "" && len(d.Warnings) > 0 {
				t.Errorf("warnings %q", d.Warnings)
			}
			if tc.warn != "" && !strings.Contains(warnings, tc.warn) {
				t.Errorf("warnings %q lack %q", d.Warnings, tc.warn)
			}
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", d.Notes, tc.note)
			}
			if tc.note == "" && tc.warn == "" && strings.Contains(notes, "uncertainty") {
				t.Errorf("notes %q mention an uncertainty", d.Notes)
			}
			for _, n := range d.Notes {
				if len(n) > 600 {
					t.Errorf("note of %d bytes: %.80q…", len(n), n)
				}
			}
		})
	}
}

// TestInterval95: the 2.5 % and 97.5 % points a declaration states.
func TestInterval95(t *testing.T) {
	tests := []struct {
		dist, x, value string
		lo, hi         string
	}{
		{DistLogNormal, "1.44", "144", "100", "207.36"},
		{DistLogNormal, "2", "-10", "-20", "-5"},
		{DistNormal, "20", "100", "80", "120"},
		{DistNormal, "20", "-100", "-120", "-80"},
		{DistNormal, "0", "3.5", "3.5", "3.5"},
	}
	for _, tc := range tests {
		u := Uncertainty{Distribution: tc.dist, RelativeSD95In: tc.x}
		lo, hi, err := u.Interval95(decimal.RequireFromString(tc.value))
		if err != nil || lo.String() != tc.lo || hi.String() != tc.hi {
			t.Errorf("%s %s of %s: %s to %s (%v), want %s to %s", tc.dist, tc.x, tc.value, lo, hi, err, tc.lo, tc.hi)
		}
	}
	for _, u := range []Uncertainty{{Distribution: DistTriangular, RelativeSD95In: "5"}, {Distribution: DistLogNormal, RelativeSD95In: "0"}, {Distribution: DistNormal, RelativeSD95In: "x"}} {
		if _, _, err := u.Interval95(decimal.NewFromInt(1)); err == nil {
			t.Errorf("%+v: no error", u)
		}
	}
}
