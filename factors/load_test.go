package factors

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func embeddedLib(t testing.TB) *Library {
	t.Helper()
	lib, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	return lib
}

// TestEmbeddedLoads loads every dataset and checks that every published
// number carries a source row, a quality and a table.
func TestEmbeddedLoads(t *testing.T) {
	lib := embeddedLib(t)
	wantDatasets := []string{"buy-clean-ca@2022", "clf-baselines@2023", "desnz-ghg@2023", "desnz-ghg@2025", "eea-electricity@v12", "egrid@2023", "epa-ghg-hub@2025", "gsa-lec@2023", "ipcc-2006@2006", "oekobaudat@2020-II"}
	if got := strings.Join(lib.DatasetRefs(), " "); got != strings.Join(wantDatasets, " ") {
		t.Errorf("datasets = %s, want %s", got, strings.Join(wantDatasets, " "))
	}
	for _, d := range lib.Datasets() {
		if len(d.Digest) != 64 || d.Licence == "" || d.Title == "" {
			t.Errorf("%s: digest %q, licence %q, title %q", d.Ref(), d.Digest, d.Licence, d.Title)
		}
		for _, f := range d.Factors {
			if len(f.Gases) == 0 {
				t.Errorf("%s: no gas values", f.ID)
			}
			for _, g := range f.Gases {
				if g.Source == "" || g.Table == "" || g.Quality == "" || g.Published == "" {
					t.Errorf("%s %s: missing provenance %+v", f.ID, g.Gas, g.Provenance)
				}
			}
		}
		for _, h := range d.HeatContents {
			if h.Source == "" {
				t.Errorf("%s heat content %s: no source", d.Ref(), h.Activity)
			}
		}
		for _, l := range d.Limits {
			if l.Source == "" {
				t.Errorf("%s limit %s: no source", d.Ref(), l.ID)
			}
		}
	}
	for _, id := range []string{"AR4", "AR5", "AR6", "EF3.1"} {
		s, err := lib.GWPSet(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []Gas{CO2, CH4Fossil, N2O} {
			if _, ok := s.Lookup(g); !ok {
				t.Errorf("set %s has no %s", id, g)
			}
		}
	}
	for _, key := range []string{"fuel.natural_gas", "fuel.diesel", "fuel.residual_oil", "fuel.lpg", "fuel.gasoline", "fuel.kerosene",
		"fuel.coal.bituminous", "fuel.coal.sub_bituminous", "fuel.lignite", "fuel.wood", "electricity.grid", "heat.steam",
		"freight.road", "freight.rail", "freight.inland_waterway", "freight.sea", "freight.air",
		"material.concrete.ready_mix", "material.steel.rebar", "material.steel.section", "material.steel.plate", "material.steel.hss", "material.glass.flat"} {
		if _, err := lib.Activity(key); err != nil {
			t.Errorf("activity %s: %v", key, err)
		}
	}
	if got := lib.Chain("US-CAMX"); strings.Join(got, ">") != "US-CAMX>US>GLO" {
		t.Errorf("Chain(US-CAMX) = %v", got)
	}
	if got := lib.Chain("DE"); strings.Join(got, ">") != "DE>EU27>GLO" {
		t.Errorf("Chain(DE) = %v", got)
	}
}

// TestProvenanceAgainstReference re-reads every cited reference row (when
// ../shared/reference-data is beside the repository, as in CI) and checks
// that the published value is one of its cells, exactly as written.
func TestProvenanceAgainstReference(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "reference-data")
	if _, err := os.Stat(root); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference data not found at %s (CI=true: ../shared must be beside the repository): %v", root, err)
		}
		t.Skipf("reference data not found at %s: %v", root, err)
	}
	lib := embeddedLib(t)
	cache := map[string][][]string{}
	check := func(what, src, value string) {
		t.Helper()
		file, recStr, _ := strings.Cut(src, "#")
		recs, ok := cache[file]
		if !ok {
			f, err := os.Open(filepath.Join(root, file))
			if err != nil {
				t.Errorf("%s: %v", what, err)
				return
			}
			r := csv.NewReader(f)
			r.FieldsPerRecord = -1
			recs, err = r.ReadAll()
			f.Close()
			if err != nil {
				t.Errorf("%s: reading %s: %v", what, file, err)
				return
			}
			cache[file] = recs
		}
		n, _ := strconv.Atoi(recStr)
		if n < 2 || n > len(recs) {
			t.Errorf("%s: %s cites record %d of %d", what, file, n, len(recs))
			return
		}
		for _, cell := range recs[n-1] {
			if strings.TrimSpace(cell) == value {
				return
			}
		}
		t.Errorf("%s: value %q is not a cell of %s", what, value, src)
	}
	count := 0
	for _, d := range lib.Datasets() {
		for _, f := range d.Factors {
			for _, g := range f.Gases {
				check(f.ID+" "+string(g.Gas), g.Source, g.Published)
				count++
			}
		}
		for _, h := range d.HeatContents {
			check(d.Ref()+" heat content "+h.Activity, h.Source, h.Published)
			count++
		}
		for _, l := range d.Limits {
			check(d.Ref()+" limit "+l.ID, l.Source, l.Published)
			count++
		}
		for _, p := range d.CVPairs {
			check(d.Ref()+" heating-value row "+p.ID+" gross", p.Source, p.GrossPublished)
			check(d.Ref()+" heating-value row "+p.ID+" net", p.Source, p.NetPublished)
			count += 2
		}
	}
	for _, id := range lib.GWPSetIDs() {
		s, _ := lib.GWPSet(id)
		for _, g := range s.Values() {
			check("GWP "+id+" "+string(g.Gas), g.Source, g.Published)
			count++
		}
	}
	if count < 300 {
		t.Errorf("checked only %d values", count)
	}
}

func TestLoadRejectsBadDataset(t *testing.T) {
	lib := embeddedLib(t)
	tests := []struct {
		name, meta, factors, want string
	}{
		{"duplicate", `id = "egrid"
version = "2023"
title = "t"
publisher = "p"
licence = "l"
quality = "primary"`, "", "already exists"},
		{"bad value", metaOK, "factor_id,activity,region,stage,gas,value,unit,basis,quality,table,source\nf1,fuel.natural_gas,US,combustion,CO2,12;5,kg/mmBtu,HHV,primary,T,us/x.csv#2\n", "not a decimal number"},
		{"no source", metaOK, "factor_id,activity,region,stage,gas,value,unit,basis,quality,table,source\nf1,fuel.natural_gas,US,combustion,CO2,1,kg/mmBtu,HHV,primary,T,\n", "does not cite a reference row"},
		{"bad unit", metaOK, "factor_id,activity,region,stage,gas,value,unit,basis,quality,table,source\nf1,fuel.natural_gas,US,combustion,CO2,1,kg/ton,HHV,primary,T,us/x.csv#2\n", "ambiguous"},
		{"bad region", metaOK, "factor_id,activity,region,stage,gas,value,unit,basis,quality,table,source\nf1,fuel.natural_gas,XX,combustion,CO2,1,kg/mmBtu,HHV,primary,T,us/x.csv#2\n", "unknown region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ds := filepath.Join(dir, "d")
			os.MkdirAll(ds, 0o755)
			os.WriteFile(filepath.Join(ds, "meta.toml"), []byte(tt.meta), 0o644)
			if tt.factors != "" {
				os.WriteFile(filepath.Join(ds, "factors.csv"), []byte(tt.factors), 0o644)
			}
			_, err := lib.WithDatasetsDir(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

const metaOK = `id = "my-data"
version = "1"
title = "t"
publisher = "p"
licence = "l"
quality = "primary"`

// TestCVPairs checks the heating-value pairs: kept as published, cited, and
// a pair per fuel the built-in methods map.
func TestCVPairs(t *testing.T) {
	lib := embeddedLib(t)
	d, err := lib.Dataset("desnz-ghg@2023")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, gross, net, source string }{
		{"natural-gas", "0.18256", "0.20226", "eu/heating_value_ratios_desnz2023.csv#2"},
		{"lpg", "0.21419", "0.22999", "eu/heating_value_ratios_desnz2023.csv#5"},
		{"coal-industrial", "0.31931", "0.33611", "eu/heating_value_ratios_desnz2023.csv#15"},
	} {
		p, ok := d.CVPair(tc.id)
		if !ok {
			t.Errorf("no pair %s", tc.id)
			continue
		}
		if p.GrossPublished != tc.gross || p.NetPublished != tc.net || p.Source != tc.source || p.Quality != "secondary" {
			t.Errorf("%s = %s/%s %s %s, want %s/%s %s secondary", tc.id, p.GrossPublished, p.NetPublished, p.Source, p.Quality, tc.gross, tc.net, tc.source)
		}
	}
	if _, ok := d.CVPair("lignite"); ok {
		t.Error("a lignite pair appeared: the reference data publishes none")
	}
}
