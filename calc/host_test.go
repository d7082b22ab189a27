package calc_test

import (
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// Tests of the 2025.2 methods: heating-value ratios from published pairs,
// host data for lines outside a method's jurisdiction, data_origin.

// pairRatio is num/den rounded half to even at places, with math/big: the
// oracle for a ratio taken from a published gross-CV/net-CV pair.
func pairRatio(t *testing.T, num, den string, places int32) decimal.Decimal {
	t.Helper()
	n, _ := new(big.Rat).SetString(num)
	d, _ := new(big.Rat).SetString(den)
	return decimal.RequireFromString(expectDecimalString(new(big.Rat).Quo(n, d), places))
}

// expectDecimalString rounds r half to even at places.
func expectDecimalString(r *big.Rat, places int32) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	s := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	i, rem := new(big.Int).QuoRem(s.Num(), s.Denom(), new(big.Int))
	if c := new(big.Int).Mul(rem, big.NewInt(2)).Cmp(s.Denom()); c > 0 || (c == 0 && i.Bit(0) == 1) {
		i.Add(i, big.NewInt(1))
	}
	return decimal.NewFromBigInt(i, -places).String()
}

func oneLine(l calc.Line) calc.Bid {
	l.ID = "1"
	return calc.Bid{Reference: "T", Lines: []calc.Line{l}}
}

// TestBasisConversionReported: an mmBtu natural-gas line under eu-gpp@2025.2
// converts HHV → NCV with the quotient of DESNZ's pair, and reports it.
func TestBasisConversionReported(t *testing.T) {
	w := newWorld(t)
	fp, err := w.calc(t, "eu-gpp@2025.2", oneLine(calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"}))
	if err != nil {
		t.Fatal(err)
	}
	l := fp.Lines[0]
	ratio := pairRatio(t, "0.18256", "0.20226", 18)
	want := calc.BasisConversion{From: "HHV", To: "NCV", Ratio: ratio.String(), Quotient: "0.18256/0.20226",
		Source: "eu/heating_value_ratios_desnz2023.csv#2", Dataset: "desnz-ghg@2023", Row: "natural-gas"}
	if len(l.BasisConversions) != 1 || l.BasisConversions[0] != want {
		t.Fatalf("basis conversions %+v, want %+v", l.BasisConversions, want)
	}
	if !strings.Contains(strings.Join(l.Conversions, "\n"), "HHV → NCV with the method's ratio "+ratio.String()+" = 0.18256/0.20226 (desnz-ghg@2023 row natural-gas, eu/heating_value_ratios_desnz2023.csv#2)") {
		t.Errorf("conversions %q lack the ratio and its row", l.Conversions)
	}
	// kg CO2 = 1000 mmBtu × J/mmBtu × ratio × 56100 kg/TJ ÷ J/TJ, exactly.
	mmBtu, _ := w.lib.Units.Parse("mmBtu")
	co2 := dec("1000").Mul(mmBtu.Base).Mul(ratio).Mul(dec("56100")).Shift(-12)
	if l.Gases[0].Gas != "CO2" || !l.Gases[0].Kg.Equal(co2) {
		t.Errorf("CO2 %s %s, want %s", l.Gases[0].Gas, l.Gases[0].Kg, co2)
	}
	if l.DataOrigin != calc.OriginOwn {
		t.Errorf("data_origin %q, want own", l.DataOrigin)
	}
	if _, ok := fp.Receipt.DatasetDigests["desnz-ghg@2023"]; !ok {
		t.Error("the receipt lacks the dataset the ratio comes from")
	}
	// us-federal@2025.2 converts the other way with the inverse quotient.
	fp, err = w.calc(t, "us-federal@2025.2", oneLine(calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: dec("2.5"), Unit: "TJ", Basis: "NCV"}))
	if err != nil {
		t.Fatal(err)
	}
	if bc := fp.Lines[0].BasisConversions; len(bc) != 1 || bc[0].From != "NCV" || bc[0].To != "HHV" || bc[0].Ratio != pairRatio(t, "0.20226", "0.18256", 18).String() {
		t.Errorf("us-federal conversion %+v", bc)
	}
}

// TestHeatingValueBasisCause: comparing the two 2025.2 methods on an mmBtu
// natural-gas line puts the basis conversion under heating_value_basis:
// exactly the base result × (ratio − 1), since both factors are exact.
func TestHeatingValueBasisCause(t *testing.T) {
	eng, reg := compareWorld(t)
	c, err := eng.Compare(resolve(t, reg, "us-federal@2025.2", "eu-gpp@2025.2"),
		oneLine(calc.Line{Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1000"), Unit: "mmBtu"}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Pairs[0]
	checkExact(t, c, p, 1)
	cs := causeMap(p.Attribution)
	ratio := pairRatio(t, "0.18256", "0.20226", 18)
	want := c.Methods[0].Total.KgCO2e.Mul(ratio.Sub(dec("1")))
	if !cs[calc.CauseHeatingValue].Equal(want) || want.IsZero() {
		t.Errorf("heating_value_basis %s, want %s", cs[calc.CauseHeatingValue], want)
	}
	if !cs[calc.CauseBoundary].IsZero() {
		t.Errorf("boundary %s, want 0: both methods compute the line", cs[calc.CauseBoundary])
	}
}

// TestHostData: lines outside a method's jurisdiction use the host's
// datasets; per-gas host data are characterised with the method's own GWP
// set, CO2e-only host data stay CO2e with a warning; data_origin says whose
// data it was.
func TestHostData(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name, method string
		line         calc.Line
		dataset      string
		origin       string
		gwps         map[string]string // gas → GWP used
		kgCO2e       string            // "" to skip
		warn         string            // a warning the line must have ("" for none about CO2e)
	}{
		{"eGRID under EF 3.1", "eu-gpp@2025.2", calc.Line{Activity: "electricity.grid", Region: "US-CAMX", Quantity: dec("250"), Unit: "MWh"},
			"egrid@2023", calc.OriginHost, map[string]string{"CO2": "1", "CH4_fossil": "29.8", "N2O": "273"}, "", ""},
		{"EEA under AR5: CO2e only", "us-federal@2025.2", calc.Line{Activity: "electricity.grid", Region: "DE", Quantity: dec("250"), Unit: "MWh"},
			"eea-electricity@v12", calc.OriginHost, map[string]string{"CO2e": "1"}, "100500", "host data eea-electricity@v12 is published as CO2e only: the method's GWP set AR5 could not apply"},
		{"EU fuel under us-federal: IPCC defaults", "us-federal@2025.2", calc.Line{Activity: "fuel.natural_gas", Region: "DE", Quantity: dec("1"), Unit: "TJ"},
			"ipcc-2006@2006", calc.OriginHost, map[string]string{"CO2": "1", "CH4_fossil": "28", "N2O": "265"}, "56100 + 28 + 26.5", ""},
		{"US freight under eu-gpp: Hub per gas", "eu-gpp@2025.2", calc.Line{Activity: "freight.road", Region: "US", Quantity: dec("1250"), Unit: "short_ton.mi"},
			"epa-ghg-hub@2025", calc.OriginHost, map[string]string{"CO2": "1", "CH4_fossil": "29.8", "N2O": "273"}, "", ""},
		{"US steam under eu-gpp", "eu-gpp@2025.2", calc.Line{Activity: "heat.steam", Region: "US", Quantity: dec("10"), Unit: "mmBtu"},
			"epa-ghg-hub@2025", calc.OriginHost, map[string]string{"CO2": "1", "CH4_fossil": "29.8", "N2O": "273"}, "", ""},
		{"UK freight under eu-gpp: DESNZ", "eu-gpp@2025.2", calc.Line{Activity: "freight.road", Region: "GB", Quantity: dec("1000"), Unit: "t.km"},
			"desnz-ghg@2025", calc.OriginHost, map[string]string{"CO2e": "1"}, "101.63", "host data desnz-ghg@2025 is published as CO2e only: the method's GWP set EF3.1 could not apply"},
		{"German freight under us-federal: ÖKOBAUDAT", "us-federal@2025.2", calc.Line{Activity: "freight.road", Region: "DE", Quantity: dec("1000"), Unit: "t.km"},
			"oekobaudat@2020-II", calc.OriginHost, map[string]string{"CO2e": "1"}, "64.4433149438531", "could not apply"},
		{"UK freight under us-federal: DESNZ", "us-federal@2025.2", calc.Line{Activity: "freight.rail", Region: "GB", Quantity: dec("1000"), Unit: "t.km"},
			"desnz-ghg@2025", calc.OriginHost, map[string]string{"CO2e": "1"}, "27.79", "could not apply"},
		{"own data in its own jurisdiction", "us-federal@2025.2", calc.Line{Activity: "electricity.grid", Region: "US-CAMX", Quantity: dec("250"), Unit: "MWh"},
			"egrid@2023", calc.OriginOwn, map[string]string{"CO2": "1", "CH4_fossil": "28", "N2O": "265"}, "", ""},
		{"own CO2e data: no warning", "eu-gpp@2025.2", calc.Line{Activity: "electricity.grid", Region: "DE", Quantity: dec("250"), Unit: "MWh"},
			"eea-electricity@v12", calc.OriginOwn, map[string]string{"CO2e": "1"}, "100500", ""},
		{"product-specific factor", "eu-gpp@2025.2", calc.Line{Activity: "material.steel.rebar", Region: "US", Quantity: dec("12.5"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: dec("780"), Per: "t", Reference: "EPD S-P-01234"}}, "product-specific", calc.OriginProduct, map[string]string{"CO2e": "1"}, "9750", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp, err := w.calc(t, tt.method, oneLine(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			l := fp.Lines[0]
			if l.Status != calc.StatusOK || l.Factor.Dataset != tt.dataset || l.DataOrigin != tt.origin {
				t.Fatalf("status %s, dataset %s, origin %q; want ok, %s, %q", l.Status, l.Factor.Dataset, l.DataOrigin, tt.dataset, tt.origin)
			}
			if len(l.Gases) != len(tt.gwps) {
				t.Errorf("gases %+v, want %v", l.Gases, tt.gwps)
			}
			for _, g := range l.Gases {
				if gwp, ok := tt.gwps[g.Gas]; !ok || g.GWP != gwp {
					t.Errorf("gas %s with GWP %q, want %q", g.Gas, g.GWP, gwp)
				}
			}
			if tt.kgCO2e != "" {
				want := decimal.Zero
				for _, p := range strings.Split(tt.kgCO2e, " + ") {
					want = want.Add(dec(p))
				}
				if !l.KgCO2e.Equal(want) {
					t.Errorf("kg CO2e %s, want %s", l.KgCO2e, want)
				}
			}
			warns := strings.Join(l.Warnings, "\n")
			if tt.warn != "" && !strings.Contains(warns, tt.warn) {
				t.Errorf("warnings %q lack %q", l.Warnings, tt.warn)
			}
			if tt.warn == "" && strings.Contains(warns, "could not apply") {
				t.Errorf("warnings %q: no CO2e warning expected", l.Warnings)
			}
			if tt.origin == calc.OriginHost {
				if _, ok := fp.Receipt.DatasetDigests[tt.dataset]; !ok {
					t.Errorf("receipt lacks the host dataset %s", tt.dataset)
				}
			}
		})
	}
}

// TestDataOriginOnlyWithHostData: a method without host_data (every 2025.1
// version) reports no data_origin, so its output keeps its bytes.
func TestDataOriginOnlyWithHostData(t *testing.T) {
	w := newWorld(t)
	fp, err := w.calc(t, "us-federal@2025.1", oneLine(calc.Line{Activity: "electricity.grid", Region: "US-CAMX", Quantity: dec("250"), Unit: "MWh"}))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(fp)
	if fp.Lines[0].DataOrigin != "" || strings.Contains(string(raw), "data_origin") || strings.Contains(string(raw), "basis_conversions") {
		t.Errorf("2025.1 output has the new fields: %s", raw)
	}
}

// TestBidsAcrossTheAtlantic: the US example bid under eu-gpp@2025.2 and the
// EU example bid under us-federal@2025.2 compute every line either method
// covers in kind; only a rule (us-federal requires an EPD for materials)
// leaves a line out.
func TestBidsAcrossTheAtlantic(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		file, method string
		statuses     []string
	}{
		{"bid.json", "eu-gpp@2025.2", []string{"ok", "ok", "ok", "ok"}},
		{"bid-eu.json", "us-federal@2025.2", []string{"ok", "ok", "ok", "error", "ok"}},
		{"compare-us-eu.json", "eu-gpp@2025.2", []string{"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
		{"compare-us-eu.json", "us-federal@2025.2", []string{"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
	} {
		t.Run(tc.file+" "+tc.method, func(t *testing.T) {
			fp, _ := w.calc(t, tc.method, readBid(t, filepath.Join("..", "examples", tc.file)))
			if fp == nil {
				t.Fatal("no footprint")
			}
			var got []string
			for _, l := range fp.Lines {
				got = append(got, l.Status)
				if l.Status == calc.StatusError && !strings.Contains(l.Error, "requires a product-specific factor") {
					t.Errorf("line %s: %s", l.ID, l.Error)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.statuses, " ") {
				t.Errorf("statuses %v, want %v", got, tc.statuses)
			}
		})
	}
}

// TestCompareLatestHasNoDataGaps: the example under the latest
// methods has no boundary at all (every line is computed by both), and the
// natural-gas lines show their heating-value basis.
func TestCompareLatestHasNoDataGaps(t *testing.T) {
	eng, reg := compareWorld(t)
	c, err := eng.Compare(resolve(t, reg, "us-federal", "eu-gpp"), usEUBid())
	if err != nil {
		t.Fatal(err)
	}
	p := c.Pairs[0]
	checkExact(t, c, p, 1)
	if p.Base != "us-federal@2026.2" || p.Other != "eu-gpp@2026.2" {
		t.Fatalf("compared %s and %s, want the 2026.2 versions (the latest)", p.Base, p.Other)
	}
	cs := causeMap(p.Attribution)
	if !cs[calc.CauseBoundary].IsZero() || cs[calc.CauseHeatingValue].IsZero() {
		t.Errorf("boundary %s (want 0), heating_value_basis %s (want non-zero)", cs[calc.CauseBoundary], cs[calc.CauseHeatingValue])
	}
	for _, l := range p.Lines {
		hv := causeMap(l.Attribution)[calc.CauseHeatingValue]
		if (l.ID == "2" || l.ID == "3") == hv.IsZero() {
			t.Errorf("line %s: heating_value_basis %s", l.ID, hv)
		}
	}
}
