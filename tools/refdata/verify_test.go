package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// verifyData is the independent check of a written factors/data folder
// against the reference tables (it was tools/refdata/verify.py). It reads
// only the files as written, never the generator's rows, and keeps its own
// copy of FORMAT.md's vocabulary, so that it catches a generator that writes
// what it did not check. It checks: every CSV has its FORMAT.md header and
// full rows; every value is a decimal; every source names an existing record
// of an existing reference file and the value is one of that record's
// fields; units, bases, gases, stages, regions, activities and qualities are
// FORMAT.md's; no TBD limit is shipped; meta.toml parses and has every key.
// It returns every problem found, each naming file and row.
func verifyData(refRoot, data string) []string {
	v := &verifier{root: refRoot, refs: map[string][][]string{}}
	v.run(data)
	return v.errs
}

var (
	vHeaders = map[string][]string{
		"gwp.csv":          {"set", "gas", "value", "quality", "table", "source"},
		"gwp_sets.csv":     {"set", "title", "publisher", "edition", "quality", "note"},
		"regions.csv":      {"code", "name", "parent"},
		"activities.csv":   {"key", "dimensions", "default_stage", "title"},
		"factors.csv":      {"factor_id", "activity", "region", "stage", "gas", "value", "unit", "basis", "quality", "table", "source"},
		"heat_content.csv": {"activity", "value", "unit", "basis", "quality", "table", "source"},
		"limits.csv":       {"limit_id", "program", "activity", "tier", "value", "unit", "quality", "table", "source"},
		"hv_ratios.csv": {"ratio_id", "fuel", "gross_cv_value", "gross_cv_factor_id", "net_cv_value", "net_cv_factor_id",
			"unit", "quality", "table", "source"},
	}
	vMass     = vset("g kg t lb short_ton Gg")
	vActUnits = vset("mmBtu TJ GJ MJ kWh MWh scf gal_us m3 L kg t short_ton m2 t.km short_ton.mi")
	vEnergy   = vset("mmBtu TJ GJ MJ kWh MWh")
	vGases    = vset("CO2 CO2_biogenic CH4 CH4_fossil CH4_biogenic N2O SF6 NF3")
	vStages   = vset("combustion electricity heat transport A1-A3")
	vQual     = vset("primary secondary uncertain")
	vDims     = vset("energy mass volume area length freight count")
	vDecimal  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	vMetaKeys = strings.Fields("id version title publisher edition url licence quality notes")
)

func vset(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func vGasOK(g string) bool {
	return vGases[g] || strings.HasPrefix(g, "HFC-") || strings.HasPrefix(g, "C") || strings.HasPrefix(g, "c-C")
}

type verifier struct {
	root string
	refs map[string][][]string // reference file -> records, nil when unreadable
	errs []string
}

func (v *verifier) errf(format string, a ...any) { v.errs = append(v.errs, fmt.Sprintf(format, a...)) }

// read returns the rows of a written CSV of the given kind, keyed by column,
// with their record numbers.
func (v *verifier) read(path, kind string) []map[string]string {
	f, err := os.Open(path)
	if err != nil {
		v.errf("%s: %v", path, err)
		return nil
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		v.errf("%s: %v", path, err)
		return nil
	}
	if len(recs) == 0 {
		v.errf("%s: empty", path)
		return nil
	}
	if strings.Join(recs[0], ",") != strings.Join(vHeaders[kind], ",") {
		v.errf("%s: header %q, want %q", path, recs[0], vHeaders[kind])
		return nil
	}
	var out []map[string]string
	for i, rec := range recs[1:] {
		if len(rec) != len(recs[0]) {
			v.errf("%s#%d: %d fields, want %d", path, i+2, len(rec), len(recs[0]))
			continue
		}
		m := map[string]string{"#": strconv.Itoa(i + 2)}
		for j, h := range recs[0] {
			m[h] = rec[j]
		}
		out = append(out, m)
	}
	return out
}

// refRecord returns the record source (<file>#<n>) cites, or nil.
func (v *verifier) refRecord(source string) []string {
	file, num, ok := strings.Cut(source, "#")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || strings.Contains(file, "..") {
		return nil
	}
	recs, seen := v.refs[file]
	if !seen {
		f, err := os.Open(filepath.Join(v.root, filepath.FromSlash(file)))
		if err == nil {
			r := csv.NewReader(f)
			r.FieldsPerRecord = -1
			recs, _ = r.ReadAll()
			f.Close()
		}
		v.refs[file] = recs
	}
	if n < 2 || n > len(recs) {
		return nil
	}
	return recs[n-1]
}

func (v *verifier) value(where, value, source string) {
	if !vDecimal.MatchString(value) {
		v.errf("%s: %q is not a decimal", where, value)
	}
	rec := v.refRecord(source)
	if rec == nil {
		v.errf("%s: source %q does not exist", where, source)
		return
	}
	for _, f := range rec {
		if f == value {
			return
		}
	}
	v.errf("%s: value %q not a field of %s", where, value, source)
}

func (v *verifier) run(data string) {
	regions := map[string]string{}
	for _, r := range v.read(filepath.Join(data, "regions.csv"), "regions.csv") {
		regions[r["code"]] = r["parent"]
	}
	for c, p := range regions {
		if p != "" {
			if _, ok := regions[p]; !ok {
				v.errf("regions.csv: region %s: unknown parent %s", c, p)
			}
		}
	}
	acts := map[string]bool{}
	for _, a := range v.read(filepath.Join(data, "activities.csv"), "activities.csv") {
		acts[a["key"]] = true
		if !vStages[a["default_stage"]] {
			v.errf("activities.csv#%s: stage %q", a["#"], a["default_stage"])
		}
		for _, d := range strings.Split(a["dimensions"], "|") {
			if !vDims[d] {
				v.errf("activities.csv#%s: dimension %q", a["#"], d)
			}
		}
	}
	sets := map[string]bool{}
	for _, s := range v.read(filepath.Join(data, "gwp_sets.csv"), "gwp_sets.csv") {
		sets[s["set"]] = true
	}
	for _, g := range v.read(filepath.Join(data, "gwp.csv"), "gwp.csv") {
		w := "gwp.csv#" + g["#"]
		if !sets[g["set"]] || !vGasOK(g["gas"]) || !vQual[g["quality"]] {
			v.errf("%s: bad row (set %q, gas %q, quality %q)", w, g["set"], g["gas"], g["quality"])
		}
		v.value(w, g["value"], g["source"])
	}

	dirs, _ := filepath.Glob(filepath.Join(data, "datasets", "*"))
	sort.Strings(dirs)
	if len(dirs) == 0 {
		v.errf("%s: no datasets", data)
	}
	for _, d := range dirs {
		name := filepath.Base(d)
		var m map[string]any
		if _, err := toml.DecodeFile(filepath.Join(d, "meta.toml"), &m); err != nil {
			v.errf("%s/meta.toml: %v", name, err)
		}
		for _, k := range vMetaKeys {
			if s, ok := m[k].(string); !ok || s == "" {
				v.errf("%s/meta.toml: %s missing", name, k)
			}
		}
		if q, _ := m["quality"].(string); !vQual[q] {
			v.errf("%s/meta.toml: quality %q", name, q)
		}
		if p := filepath.Join(d, "factors.csv"); exists(p) {
			for _, r := range v.read(p, "factors.csv") {
				w := name + "/factors.csv#" + r["#"]
				for _, h := range vHeaders["factors.csv"] {
					if h != "basis" && r[h] == "" {
						v.errf("%s: empty %s", w, h)
					}
				}
				if !acts[r["activity"]] {
					v.errf("%s: activity %q", w, r["activity"])
				}
				if _, ok := regions[r["region"]]; !ok {
					v.errf("%s: region %q", w, r["region"])
				}
				if !vStages[r["stage"]] || !vQual[r["quality"]] {
					v.errf("%s: stage %q / quality %q", w, r["stage"], r["quality"])
				}
				if r["gas"] != "CO2e" && !vGasOK(r["gas"]) {
					v.errf("%s: gas %q", w, r["gas"])
				}
				num, den, _ := strings.Cut(r["unit"], "/")
				if !vMass[num] || !vActUnits[den] {
					v.errf("%s: unit %q", w, r["unit"])
				}
				if b := r["basis"]; b != "" && b != "HHV" && b != "NCV" {
					v.errf("%s: basis %q", w, b)
				}
				if vEnergy[den] && den != "kWh" && den != "MWh" && r["basis"] == "" && r["activity"] != "heat.steam" {
					v.errf("%s: energy factor without basis", w)
				}
				v.value(w, r["value"], r["source"])
			}
		}
		if p := filepath.Join(d, "heat_content.csv"); exists(p) {
			for _, r := range v.read(p, "heat_content.csv") {
				w := name + "/heat_content.csv#" + r["#"]
				num, den, _ := strings.Cut(r["unit"], "/")
				if !vEnergy[num] || !(vActUnits[den] || vMass[den]) || (r["basis"] != "HHV" && r["basis"] != "NCV") {
					v.errf("%s: unit %q / basis %q", w, r["unit"], r["basis"])
				}
				if !acts[r["activity"]] {
					v.errf("%s: activity %q", w, r["activity"])
				}
				v.value(w, r["value"], r["source"])
			}
		}
		if p := filepath.Join(d, "limits.csv"); exists(p) {
			ids := map[string]bool{}
			for _, r := range v.read(p, "limits.csv") {
				w := name + "/limits.csv#" + r["#"]
				if ids[r["limit_id"]] {
					v.errf("%s: duplicate id %s", w, r["limit_id"])
				}
				ids[r["limit_id"]] = true
				switch r["unit"] {
				case "kg/m3", "kg/t", "t/t", "kg/m2":
				default:
					v.errf("%s: unit %q", w, r["unit"])
				}
				if !acts[r["activity"]] || !vQual[r["quality"]] {
					v.errf("%s: activity %q / quality %q", w, r["activity"], r["quality"])
				}
				if strings.EqualFold(r["value"], "TBD") {
					v.errf("%s: TBD shipped", w)
				}
				v.value(w, r["value"], r["source"])
			}
		}
		if p := filepath.Join(d, "hv_ratios.csv"); exists(p) {
			ids := map[string]bool{}
			for _, r := range v.read(p, "hv_ratios.csv") {
				w := name + "/hv_ratios.csv#" + r["#"]
				if ids[r["ratio_id"]] {
					v.errf("%s: duplicate id %s", w, r["ratio_id"])
				}
				ids[r["ratio_id"]] = true
				if !vQual[r["quality"]] {
					v.errf("%s: quality %q", w, r["quality"])
				}
				// Both numbers of the pair are fields of the one cited record.
				v.value(w, r["gross_cv_value"], r["source"])
				v.value(w, r["net_cv_value"], r["source"])
			}
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
