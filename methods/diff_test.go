package methods

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffGWPOnly(t *testing.T) {
	reg := testRegistry(t)
	if err := reg.AddDir(filepath.Join("..", "calc", "testdata", "methods")); err != nil {
		t.Fatal(err)
	}
	a, _ := reg.Resolve("us-federal@2025.1")
	b, err := reg.Resolve("us-federal@2025.1-ar6")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Diff(a, b, reg.Library())
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]Change{}
	for _, c := range d.Settings {
		fields[c.Field] = c
	}
	if len(fields) != 3 || fields["gwp_set"].New != "AR6" || fields["version"].New != "2025.1-ar6" || fields["status"].New != "draft" {
		t.Errorf("settings %+v, want version, status and gwp_set", d.Settings)
	}
	gwp := map[string]GWPChange{}
	for _, g := range d.GWPValues {
		gwp[g.Gas] = g
	}
	if g := gwp["N2O"]; g.Old != "265" || g.New != "273" {
		t.Errorf("N2O %+v", g)
	}
	if g := gwp["CH4_fossil"]; g.Old != "28" || g.New != "29.8" {
		t.Errorf("CH4_fossil %+v", g)
	}
	if _, ok := gwp["CO2"]; ok {
		t.Errorf("CO2 1 vs 1.0 is no change: %+v", gwp["CO2"])
	}
	if len(d.Factors) != 0 || len(d.HeatContents) != 0 || len(d.Limits) != 0 || len(d.DatasetsAdded) != 0 {
		t.Errorf("only the GWP set changed: %+v", d)
	}
}

func TestDiffUSvsEU(t *testing.T) {
	reg := testRegistry(t)
	a, _ := reg.Resolve("us-federal@2025.1")
	b, _ := reg.Resolve("eu-gpp@2025.1")
	d, err := Diff(a, b, reg.Library())
	if err != nil {
		t.Fatal(err)
	}
	var gasUS, gasGLO bool
	for _, f := range d.Factors {
		if f.Activity == "fuel.natural_gas" && f.Region == "US" && f.Old != nil && f.New == nil {
			gasUS = true
		}
		if f.Activity == "fuel.natural_gas" && f.Region == "GLO" && f.Old == nil && f.New != nil {
			gasGLO = true
		}
	}
	if !gasUS || !gasGLO {
		t.Error("natural gas: want the EPA US factor removed and the IPCC GLO factor added")
	}
	if len(d.Limits) == 0 || d.Limits[0].New != "" {
		t.Errorf("the GSA limits are us-federal only: %+v", d.Limits)
	}
	if len(d.DatasetsAdded) != 3 || len(d.DatasetsRemoved) != 2 {
		t.Errorf("datasets +%v -%v", d.DatasetsAdded, d.DatasetsRemoved)
	}
	same, err := Diff(a, a, reg.Library())
	if err != nil || !same.Empty() {
		t.Errorf("a method against itself: %+v %v", same, err)
	}
}

// TestDiffHostDataAndRatios: diff lists host data and data-backed ratios
// (with the value applied and the row) as setting changes.
func TestDiffHostDataAndRatios(t *testing.T) {
	reg := testRegistry(t)
	a, _ := reg.Resolve("us-federal@2025.1")
	b, err := reg.Resolve("us-federal@2025.2")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Diff(a, b, reg.Library())
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]Change{}
	for _, c := range d.Settings {
		fields[c.Field] = c
	}
	if c := fields["host_data EU27 electricity.*"]; c.Old != "" || c.New != "[eea-electricity@v12]" {
		t.Errorf("host_data change %+v", c)
	}
	if c := fields["heating_value fuel.natural_gas NCV→HHV"]; c.Old != "" || !strings.HasPrefix(c.New, "1.107909728308501315 = 0.20226/0.18256 (desnz-ghg@2023 row natural-gas, eu/heating_value_ratios_desnz2023.csv#2)") {
		t.Errorf("heating_value change %+v", c)
	}
}
