package main

import (
	"strings"
	"testing"
)

func TestIsDecimal(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "53.06": true, "0.10": true, "1430": true, "-1": true, "+1": true, ".5": true, "5.": true, "1e3": true, "2.5E-4": true,
		"": false, " 1": false, "1 ": false, "1,5": false, "NaN": false, "Infinity": false, "1_000": false, "TBD": false, "e3": false, ".": false,
	} {
		if got := isDecimal(s); got != want {
			t.Errorf("isDecimal(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestCheckFactors feeds the pre-write checks one bad row at a time.
func TestCheckFactors(t *testing.T) {
	rf := newRefs(t.TempDir())
	rf.files["us/x.csv"] = mustParse(t, "us/x.csv", "fuel,co2,ch4\nGas,53.06,1.0\n")
	good := factorRow{"f-gas", "fuel.natural_gas", "US", "combustion", "CO2", "53.06", "kg/mmBtu", "HHV", "primary", "T1", "us/x.csv#2"}
	regions, acts := set("US", "GLO"), activityKeys()
	tests := []struct {
		name string
		rows func() []factorRow
		want string // "" for no problem
	}{
		{"good", func() []factorRow {
			ch4 := good
			ch4.gas, ch4.value, ch4.unit = "CH4_fossil", "1.0", "g/mmBtu"
			return []factorRow{good, ch4}
		}, ""},
		{"value not in record", func() []factorRow { r := good; r.value = "53.6"; return []factorRow{r} },
			`f.csv row 2 (f-gas): value "53.6" is not a field of us/x.csv#2`},
		{"value not a decimal", func() []factorRow { r := good; r.value = "Gas"; return []factorRow{r} },
			`value "Gas" is not a decimal`},
		{"source record missing", func() []factorRow { r := good; r.source = "us/x.csv#3"; return []factorRow{r} },
			"source us/x.csv#3: us/x.csv has data records #2..#2"},
		{"energy without basis", func() []factorRow { r := good; r.basis = ""; return []factorRow{r} },
			"factor per mmBtu without a heating-value basis"},
		{"steam without basis is fine", func() []factorRow {
			r := good
			r.activity, r.stage, r.basis = "heat.steam", "heat", ""
			return []factorRow{r}
		}, ""},
		{"bad unit", func() []factorRow { r := good; r.unit = "kg/barrel"; return []factorRow{r} }, `unit "kg/barrel"`},
		{"unknown region", func() []factorRow { r := good; r.region = "US-XX"; return []factorRow{r} }, `unknown region "US-XX"`},
		{"unknown activity", func() []factorRow { r := good; r.activity = "fuel.gas"; return []factorRow{r} }, `unknown activity "fuel.gas"`},
		{"unknown gas", func() []factorRow { r := good; r.gas = "H2O"; return []factorRow{r} }, `unknown gas "H2O"`},
		{"empty table", func() []factorRow { r := good; r.table = ""; return []factorRow{r} }, "empty table"},
		{"duplicate gas", func() []factorRow { return []factorRow{good, good} }, "second row for gas CO2"},
		{"two factors for one key", func() []factorRow { r := good; r.factorID = "f-gas-2"; r.gas = "N2O"; return []factorRow{good, r} },
			"2 factors for (fuel.natural_gas, US, combustion)"},
		{"factor id spans keys", func() []factorRow { r := good; r.region = "GLO"; r.gas = "N2O"; return []factorRow{good, r} },
			"factor_id f-gas spans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &checker{rf: rf}
			c.checkFactors("f.csv", tt.rows(), regions, acts)
			err := c.err()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckMeta(t *testing.T) {
	good := meta{"x", "1", "T", "P", "E", "https://example.org/", "L", "primary", "N"}
	c := &checker{}
	c.checkMeta("m", good)
	if err := c.err(); err != nil {
		t.Fatalf("good meta: %v", err)
	}
	bad := good
	bad.notes, bad.quality, bad.url = "tab\there", "great", ""
	c = &checker{}
	c.checkMeta("m", bad)
	err := c.err()
	for _, want := range []string{"m: notes holds a control character", `m: unknown quality "great"`, "m: empty url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
}
