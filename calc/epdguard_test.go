package calc_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
)

// guardWorld is the embedded registry plus variants of eu-gpp@2025.3
// with the [epd] sign and range keys: 9.1 biogenic = fossil_plus_luluc,
// 9.2 total_with_c3c4, 9.3 plausibility bounds (test values, not
// published ranges).
func guardWorld(t *testing.T) (*calc.Engine, *methods.Registry) {
	t.Helper()
	eng, reg := epdWorld(t)
	src, err := os.ReadFile(filepath.Join("..", "methods", "defs", "eu-gpp", "2025.3.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for version, keys := range map[string]string{
		"9.1": `biogenic = "fossil_plus_luluc"`,
		"9.2": `biogenic = "total_with_c3c4"`,
		"9.3": "max_kg_co2e_per_kg = \"5\"\nmax_kg_co2e_per_m3 = \"1000\"",
	} {
		s := strings.Replace(string(src), `version = "2025.3"`, `version = "`+version+`"`, 1)
		s = strings.Replace(s, "expiring_within_days = 90", keys+"\nexpiring_within_days = 90", 1)
		if err := reg.AddSource("eu-gpp-"+version+".toml", []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	return eng, reg
}

func gwp(ind, module, v string) epd.Result {
	return epd.Result{Indicator: ind, Module: module, Value: dec(v)}
}

// TestEPDSignAndRange: a negative counted A1-A3 value is refused unless
// the method's biogenic rule says what counts instead; a value above a
// method's plausibility bound is refused; each message names the EPD, the
// value and the rule.
func TestEPDSignAndRange(t *testing.T) {
	eng, reg := guardWorld(t)
	bio := []epd.Result{gwp("GWP-total", "A1-A3", "-39.59"), gwp("GWP-fossil", "A1-A3", "18.61"), gwp("GWP-luluc", "A1-A3", "0.02"),
		gwp("GWP-total", "C3", "40"), gwp("GWP-total", "C4", "1.2")}
	tests := []struct {
		name, method string
		results      []epd.Result
		unit         string // declared unit, default 1 t
		qty          string
		kg           string // want kg CO2e; "" when refused
		err          string
		warn         string
	}{
		{name: "negative refused by default", method: "eu-gpp@2025.3", results: bio, qty: "1",
			err: "EPD S-P-01234 (rebar.xml) declares A1-A3 GWP-total -39.59 kg CO2e per 1 t: a negative A1-A3 value counts biogenic uptake without its end-of-life release (EN 15804+A2 balances it in C3/C4); method eu-gpp@2025.3 does not count it (epd.biogenic = \"refuse\")"},
		{name: "forged -9E14 refused", method: "eu-gpp@2025.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "-9E14")}, qty: "1",
			err: "declares A1-A3 GWP-total -900000000000000 kg CO2e per 1 t: a negative A1-A3 value"},
		{name: "negative sum of A1, A2, A3 refused", method: "eu-gpp@2025.3", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1", "-50"), gwp("GWP-total", "A2", "1"), gwp("GWP-total", "A3", "2")},
			err:     "declares A1-A3 GWP-total -47 kg CO2e per 1 t"},
		{name: "zero counts", method: "eu-gpp@2025.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "0")}, qty: "3", kg: "0"},
		{name: "positive total unchanged under fossil rule", method: "eu-gpp@9.1", qty: "2", kg: "1561",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "780.5"), gwp("GWP-fossil", "A1-A3", "770"), gwp("GWP-luluc", "A1-A3", "1")}},
		{name: "fossil_plus_luluc counts fossil + luluc", method: "eu-gpp@9.1", results: bio, qty: "2", kg: "37.26",
			warn: "GWP-total A1-A3 -39.59 is negative (biogenic uptake); counted GWP-fossil + GWP-luluc A1-A3 = 18.63 instead"},
		{name: "fossil_plus_luluc without luluc", method: "eu-gpp@9.1", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "-39.59"), gwp("GWP-fossil", "A1-A3", "18.61")},
			err:     "method eu-gpp@9.1 counts GWP-fossil + GWP-luluc A1-A3 instead (method rule epd.biogenic = \"fossil_plus_luluc\"), and the EPD does not declare both"},
		{name: "fossil_plus_luluc negative fossil", method: "eu-gpp@9.1", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "-39.59"), gwp("GWP-fossil", "A1-A3", "-1"), gwp("GWP-luluc", "A1-A3", "0")},
			err:     "its GWP-fossil + GWP-luluc A1-A3, -1, is negative: a fossil value below zero is not plausible"},
		{name: "total_with_c3c4 adds the release", method: "eu-gpp@9.2", results: bio, qty: "10", kg: "16.1",
			warn: "counted with the end-of-life release in C3 and C4 (GWP-total 40, 1.2) = 1.61"},
		{name: "total_with_c3c4 without C4", method: "eu-gpp@9.2", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "-39.59"), gwp("GWP-total", "C3", "40")},
			err:     "the EPD does not declare GWP-total for both C3 and C4"},
		{name: "total_with_c3c4 still negative", method: "eu-gpp@9.2", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "-39.59"), gwp("GWP-total", "C3", "1"), gwp("GWP-total", "C4", "1")},
			err:     "the sum -37.59 is still negative"},
		{name: "total_with_c3c4 still refuses the forged value", method: "eu-gpp@9.2", qty: "1",
			results: []epd.Result{gwp("GWP-total", "A1-A3", "-9E14"), gwp("GWP-total", "C3", "1"), gwp("GWP-total", "C4", "1")},
			err:     "is still negative"},
		{name: "within the per-kg bound", method: "eu-gpp@9.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "780.5")}, qty: "1", kg: "780.5"},
		{name: "at the per-kg bound", method: "eu-gpp@9.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "5000")}, qty: "1", kg: "5000"},
		{name: "above the per-kg bound", method: "eu-gpp@9.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "5000.001")}, qty: "1",
			err: "EPD S-P-01234 (rebar.xml) declares A1-A3 GWP-total 5000.001 kg CO2e per 1 t, above the plausibility bound of method eu-gpp@9.3: 5 kg CO2e per kg (epd.max_kg_co2e_per_kg), i.e. 5000 per 1 t"},
		{name: "forged +9E14 above the bound", method: "eu-gpp@9.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "9E14")}, qty: "1",
			err: "above the plausibility bound"},
		{name: "no bound without the key", method: "eu-gpp@2025.3", results: []epd.Result{gwp("GWP-total", "A1-A3", "9E14")}, qty: "1", kg: "900000000000000"},
		{name: "per-m3 bound", method: "eu-gpp@9.3", unit: "m3", results: []epd.Result{gwp("GWP-total", "A1-A3", "1000.5")}, qty: "1",
			err: "1000 kg CO2e per m3 (epd.max_kg_co2e_per_m3)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := reg.Resolve(tc.method)
			if err != nil {
				t.Fatal(err)
			}
			d := a2Rebar()
			d.Results = tc.results
			if tc.unit != "" {
				d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: tc.unit}
				rho := dec("7850")
				d.Density = &rho
			}
			sum := sha256.Sum256([]byte("guard " + tc.name))
			d.SHA256 = hex.EncodeToString(sum[:])
			bid := calc.Bid{Reference: "T", Date: "2026-01-10", Lines: []calc.Line{epdLine("1", "material.steel.rebar", tc.qty, "t", d)}}
			fp, err := eng.Calculate(m, bid)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v\nwant %q", err, tc.err)
				}
				if !errors.Is(err, calc.ErrEPDValue) || !errors.Is(err, calc.ErrProductFactor) {
					t.Errorf("err is not an EPD-value error: %v", err)
				}
				if fp != nil && fp.Lines[0].Field != "factor.epd" {
					t.Errorf("field %q", fp.Lines[0].Field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := fp.Lines[0]
			if !l.KgCO2e.Equal(dec(tc.kg)) {
				t.Errorf("kg CO2e %s, want %s", l.KgCO2e, tc.kg)
			}
			ws := strings.Join(l.Warnings, "\n")
			if tc.warn != "" && !strings.Contains(ws, tc.warn) {
				t.Errorf("warnings %q lack %q", ws, tc.warn)
			}
		})
	}
}
