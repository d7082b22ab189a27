package conformance

// The oracle's check against the published reference rows. The project's
// datasets (factors/data) are generated from ../shared/reference-data by
// tools/refdata; a vector whose expected value agreed with a generator bug
// would agree with the engine too. So, for every factor, heat content,
// heating-value pair, limit and GWP a vector's expected value depends on,
// the oracle opens the published record the dataset row cites
// (`source` = file#record, the header being record 1), takes the value from
// the column that holds it for that gas or kind, and requires the same text
// and the same quantity once both units are read with the oracle's own unit
// words; where the record says what it is (eGRID subregion, EEA year, Hub
// table, DESNZ category, GSA tier, GWP framework and gas) that must match
// what the dataset row claims too.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// refDir is the published reference data, ../shared/reference-data from
// the repository's root.
const refDir = "../../shared/reference-data"

// pubFile is a published CSV file read as records (header = record 1).
type pubFile struct {
	header []string
	recs   [][]string
}

// openRef finds the published reference data. Under CI=true its absence
// fails the test; elsewhere the oracle goes without it and says so.
func openRef(t testing.TB, dir string) (string, string) {
	t.Helper()
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, ""
	}
	abs, _ := filepath.Abs(dir)
	msg := fmt.Sprintf("the published reference data are not at %s (../shared/reference-data from the repository's root): the oracle cannot check the dataset rows against the rows they cite; check out the shared folder beside the repository", abs)
	if os.Getenv("CI") == "true" {
		t.Fatalf("oracle: %s (CI=true: required)", msg)
	}
	return "", msg
}

// record returns the cited record of a published file as a map by column.
func (o *oracle) record(t testing.TB, source string) map[string]string {
	t.Helper()
	file, n, ok := strings.Cut(source, "#")
	num, err := strconv.Atoi(n)
	if !ok || err != nil || num < 2 || strings.Contains(file, "..") {
		t.Fatalf("oracle: source %q is not <file>#<record>", source)
	}
	f, ok := o.pubFiles[file]
	if !ok {
		raw, err := os.ReadFile(filepath.Join(o.ref, filepath.FromSlash(file)))
		if err != nil {
			t.Fatalf("oracle: source %s: %v", source, err)
		}
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatalf("oracle: %s: %v", file, err)
		}
		f = &pubFile{header: recs[0], recs: recs[1:]}
		o.pubFiles[file] = f
	}
	if num-2 >= len(f.recs) {
		t.Fatalf("oracle: source %s: %s has %d records", source, file, len(f.recs)+1)
	}
	m := map[string]string{}
	for i, h := range f.header {
		m[h] = f.recs[num-2][i]
	}
	return m
}

// pubUnits are the oracle's readings of the unit words the published
// files use, in its own unit table's symbols.
var pubUnits = map[string]string{
	"kg": "kg", "g": "g", "lb": "lb", "t": "t", "MT": "t", "metric ton": "t", "metric tons": "t", "Gg": "Gg",
	"mmBtu": "mmBtu", "TJ": "TJ", "kWh": "kWh", "MWh": "MWh",
	"gallon": "gal_us", "scf": "scf", "short ton": "short_ton", "m3": "m3", "m2": "m2",
	"short ton-mile": "short_ton.mi", "tonne.km": "t.km", "kg*km": "kg.km",
}

// pubAmount reads "[amount] unit-words [anything in parentheses]" (the
// denominator of a published unit).
func (o *oracle) pubAmount(t testing.TB, s string) (*big.Rat, ounit) {
	t.Helper()
	s = strings.TrimSpace(regexp.MustCompile(`\s*\(.*$`).ReplaceAllString(s, ""))
	amount := big.NewRat(1, 1)
	if a, rest, ok := strings.Cut(s, " "); ok {
		if r, ok := ratOf(a); ok {
			amount, s = r, strings.TrimSpace(rest)
		}
	}
	sym, ok := pubUnits[s]
	if !ok {
		t.Fatalf("oracle: published unit %q is not in the oracle's unit words", s)
	}
	u, ok := o.units[sym]
	if !ok && sym == "kg.km" {
		u, ok = ounit{dim: "freight", base: big.NewRat(1, 1)}, true
	}
	if !ok {
		t.Fatalf("oracle: unit %q", sym)
	}
	return amount, u
}

// pubUnit reads a published unit "<unit> [gas words] per <amount unit>" or
// "<unit> [gas]/<unit>" (kg CO2 per mmBtu, TJ/Gg); "declared unit
// (1000 kg)" is the amount in parentheses, "per kg of gas" is per kg.
func (o *oracle) pubUnit(t testing.TB, s string) (ounit, *big.Rat, ounit) {
	t.Helper()
	s = strings.TrimSpace(s)
	if m := regexp.MustCompile(`declared unit \(([^)]*)\)`).FindStringSubmatch(s); m != nil {
		s = strings.Replace(s, m[0], m[1], 1)
	}
	num, per, ok := strings.Cut(s, " per ")
	if !ok {
		num, per, ok = strings.Cut(s, "/")
	}
	if !ok {
		t.Fatalf("oracle: published unit %q is not <mass> per <unit>", s)
	}
	word := strings.Fields(num)[0]
	if strings.HasPrefix(num, "metric tons") {
		word = "metric tons"
	}
	m, ok := o.units[pubUnits[word]]
	if !ok {
		t.Fatalf("oracle: published unit %q: %q is not in the oracle's unit words", s, word)
	}
	// "per kg of gas", "per t gas": the gas is not part of the unit.
	per = regexp.MustCompile(`\s+(of )?gas\b`).ReplaceAllString(per, "")
	amount, u := o.pubAmount(t, per)
	return m, amount, u
}

// pubGas is the column prefix of a gas in the files published per gas.
func pubGas(gas string) string {
	return strings.ToLower(strings.Split(gas, "_")[0])
}

// pubValue picks the published value and unit text for a dataset row of a
// kind ("factor", "heat", "limit", "gross", "net") and gas, and says what
// the record must be (identity): "" when it is.
func pubValue(file, kind, gas string, r map[string]string, ds map[string]string) (value, unit, identity string) {
	g := pubGas(gas)
	want := func(cond bool, format string, args ...any) {
		if !cond && identity == "" {
			identity = fmt.Sprintf(format, args...)
		}
	}
	switch file {
	case "us/stationary_combustion.csv":
		if kind == "heat" {
			return r["heat_content_hhv"], "mmBtu per " + strings.TrimPrefix(r["heat_content_unit"], "mmBtu per "), ""
		}
		table := "Table 1 Stationary Combustion"
		if strings.HasPrefix(ds["activity"], "heat.") {
			table = "Table 7 Steam and Heat"
		}
		want(r["table"] == table, "table %q, want %q for %s", r["table"], table, ds["activity"])
		return r[g+"_factor"], r[g+"_factor_unit"], identity
	case "us/freight.csv":
		return r[g+"_factor"], r[g+"_factor_unit_numerator"] + " per " + r["activity_unit"], ""
	case "us/egrid_subregions.csv":
		region := "US-" + r["subregion_acronym"]
		if r["subregion_acronym"] == "US Average" {
			region = "US"
		}
		want(region == ds["region"], "subregion %s (%s), want the row of %s", r["subregion_acronym"], r["subregion_name"], ds["region"])
		return r[g+"_total_output_rate_as_printed"], r[g+"_rate_unit"], identity
	case "eu/ipcc2006_stationary.csv":
		if kind == "heat" {
			return r["ncv"], r["ncv_unit"], ""
		}
		return r[g+"_ef"], r[g+"_ef_unit"], ""
	case "eu/electricity_eea_v12.csv":
		want(r["year"] == "2021", "year %s, want 2021 (the method's EEA year)", r["year"])
		return r["value"], r["unit"], identity
	case "eu/freight_desnz2025.csv":
		want(r["desnz_level_1"] == "Freighting goods", "DESNZ category %q, want \"Freighting goods\" (tank-to-wheel)", r["desnz_level_1"])
		return r["value"], r["unit"], identity
	case "eu/freight_oekobaudat.csv":
		return r["value"], r["unit"], ""
	case "eu/materials_oekobaudat.csv":
		return r["value"], r["value_unit"], ""
	case "us/industry_average_epds.csv":
		return r["value"], strings.Replace(r["unit"], "declared unit", "declared unit ("+r["declared_unit"]+")", 1), ""
	case "us/gsa_lec_limits.csv":
		id := ds["limit_id"]
		tier := map[bool]string{true: "Top 20% limit"}[strings.HasSuffix(id, "-top20")] +
			map[bool]string{true: "Top 40% limit"}[strings.HasSuffix(id, "-top40")] +
			map[bool]string{true: "Better than average limit"}[strings.HasSuffix(id, "-avg")]
		want(r["tier"] == tier, "tier %q, want %q for %s", r["tier"], tier, id)
		cat := strings.ToLower(r["product_category_or_strength_class"])
		want(!strings.Contains(id, "-fab-") || strings.Contains(cat, "(fabricated)"), "%q is not the fabricated product of %s", cat, id)
		want(!strings.Contains(id, "-unfab-") || strings.Contains(cat, "unfabricated"), "%q is not the unfabricated product of %s", cat, id)
		return r["gwp_limit"], r["unit_numerator"] + " per " + r["unit_denominator"], identity
	case "us/buy_clean_ca_limits.csv":
		return r["maximum_acceptable_gwp"], r["unit_numerator"] + " per " + r["unit_denominator"], ""
	case "eu/heating_value_ratios_desnz2023.csv":
		if kind == "gross" {
			return r["kg_co2_per_kwh_gross_cv"], "kg CO2 per kWh", ""
		}
		return r["kg_co2_per_kwh_net_cv"], "kg CO2 per kWh", ""
	case "us/gwp.csv":
		want(r["chemical_formula"] == strings.Split(gas, "_")[0], "gas %s, want %s", r["chemical_formula"], gas)
		want(r["ipcc_assessment_report"] == ds["set"], "%s values, want %s", r["ipcc_assessment_report"], ds["set"])
		return r["gwp_100yr"], r["unit"], identity
	case "eu/gwp.csv":
		pg, _, _ := strings.Cut(r["gas"], " ")
		want(pg == strings.Split(gas, "_")[0], "gas %s, want %s", r["gas"], gas)
		detail := strings.ToLower(r["gas_detail"])
		if ds["set"] == "EF3.1" {
			want(strings.Contains(r["framework"], "EF 3.1"), "framework %q, want EF 3.1", r["framework"])
			switch gas {
			case "CO2", "CH4_fossil":
				want(strings.Contains(detail, "(fossil)"), "%q is not the fossil value", detail)
			case "CO2_biogenic":
				want(strings.Contains(detail, "(biogenic) emission"), "%q is not the biogenic emission", detail)
			case "CH4_biogenic":
				want(strings.Contains(detail, "(biogenic)"), "%q is not the biogenic value", detail)
			}
		} else {
			want(strings.HasPrefix(r["framework"], "IPCC "+ds["set"]), "framework %q, want IPCC %s", r["framework"], ds["set"])
		}
		return r["gwp100_value"], r["unit"], identity
	}
	return "", "", "the oracle does not know the columns of " + file
}

// checkPublished holds one dataset value to the published record it cites:
// the same text, the same quantity in the published unit, and a record
// that is what the dataset row says. dsUnit is "<mass>/<unit>" (empty for
// a GWP). It runs once per value; without the reference data it does
// nothing (openRef said why).
func (o *oracle) checkPublished(t testing.TB, kind, gas, dsValue, dsUnit, source string, ds map[string]string) {
	t.Helper()
	if o.ref == "" {
		return
	}
	key := strings.Join([]string{kind, gas, dsValue, dsUnit, source, ds["region"], ds["activity"], ds["limit_id"], ds["set"]}, "|")
	if _, done := o.published[key]; done {
		return
	}
	o.published[key] = source
	file, _, _ := strings.Cut(source, "#")
	r := o.record(t, source)
	value, unit, identity := pubValue(file, kind, gas, r, ds)
	what := fmt.Sprintf("oracle: %s %s %s (%s %s) cites %s", kind, ds["id"], gas, dsValue, dsUnit, source)
	if identity != "" {
		t.Errorf("%s, which is not its row: %s", what, identity)
		return
	}
	if value != dsValue {
		t.Errorf("%s, which publishes %q: the dataset must copy the published text", what, value)
		return
	}
	pv, ok := ratOf(value)
	if !ok {
		t.Errorf("%s: published value %q is not a number", what, value)
		return
	}
	pm, amount, pper := o.pubUnit(t, unit)
	if dsUnit == "" { // a GWP: kg CO2e per kg of the gas
		if pper.dim != "mass" || pm.base.Cmp(new(big.Rat).Mul(amount, pper.base)) != 0 {
			t.Errorf("%s, published in %q: not kg CO2e per kg of gas", what, unit)
		}
		return
	}
	dm, dper := o.rate(t, dsUnit)
	// value × mass / per, both sides, exactly.
	want := new(big.Rat).Mul(pv, pm.base)
	want.Quo(want, new(big.Rat).Mul(amount, pper.base))
	got := new(big.Rat).Mul(mustRat(t, dsValue), dm.base)
	got.Quo(got, dper.base)
	if dm.dim != pm.dim || dper.dim != pper.dim || got.Cmp(want) != 0 {
		t.Errorf("%s, which publishes %s %s: the units differ (%s is %s kg per base unit of %s, the published %s)", what, value, unit, dsUnit, got.FloatString(12), dper.dim, want.FloatString(12))
	}
}

// needRef skips a test that is about the published rows when they are
// absent, except under CI=true, where openRef has failed it already.
func needRef(t *testing.T, o *oracle) {
	t.Helper()
	if o.ref == "" {
		t.Skip(o.refMissing)
	}
}

// TestOraclePublished recomputes every vector with the oracle and requires
// that it checked the values they depend on against the published rows:
// factors, heat contents, both halves of a heating-value pair, limits and
// GWPs.
func TestOraclePublished(t *testing.T) {
	o := newOracle(t)
	needRef(t, o)
	for _, v := range loadDisk(t) {
		o.expect(t, v)
	}
	kinds := map[string]int{}
	files := map[string]bool{}
	for k, src := range o.published {
		kind, _, _ := strings.Cut(k, "|")
		kinds[kind]++
		file, _, _ := strings.Cut(src, "#")
		files[file] = true
	}
	for _, k := range []string{"factor", "heat", "gross", "net", "limit", "gwp"} {
		if kinds[k] == 0 {
			t.Errorf("no %s value was checked against the published rows", k)
		}
	}
	t.Logf("%d dataset values checked against %d published files: %v", len(o.published), len(files), kinds)
}

// recordTB records Errorf calls instead of failing.
type recordTB struct {
	testing.TB
	errs []string
}

func (r *recordTB) Helper() {}

func (r *recordTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestCheckPublishedCatches shows the check failing on a dataset row that
// does not copy its published record (a generator bug) and on a published
// record that says otherwise, from the real DE row of the EEA dataset.
func TestCheckPublishedCatches(t *testing.T) {
	o := newOracle(t)
	needRef(t, o)
	var de *ofactor
	for _, f := range o.dataset(t, "eea-electricity@v12").factors {
		if f.region == "DE" {
			de = f
		}
	}
	if de == nil || len(de.gases) != 1 {
		t.Fatal("no DE row in eea-electricity@v12")
	}
	g := de.gases[0]
	file, _, _ := strings.Cut(g.source, "#")
	raw, err := os.ReadFile(filepath.Join(refDir, file))
	if err != nil {
		t.Fatal(err)
	}
	rec := o.record(t, g.source)
	// published writes a copy of the reference data with the cited
	// record's column col set to val.
	published := func(col, val string) string {
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		_, n, _ := strings.Cut(g.source, "#")
		i, _ := strconv.Atoi(n)
		for j, h := range recs[0] {
			if h == col {
				recs[i-1][j] = val
			}
		}
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll(recs)
		if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	ds := map[string]string{"id": de.id, "activity": de.activity, "region": de.region}
	tests := []struct {
		name            string
		ref             string
		value, unit, at string
		region          string
		want            string // "" passes
	}{
		{"as published", refDir, g.text, g.unit, g.source, "DE", ""},
		{"dataset value not the published text", refDir, g.text + "0", g.unit, g.source, "DE", "which publishes"},
		{"dataset value equal but written otherwise", refDir, g.text + ".0", g.unit, g.source, "DE", "must copy the published text"},
		{"dataset unit off by 1000", refDir, g.text, "kg/kWh", g.source, "DE", "the units differ"},
		{"cited record of another year", published("year", "2020"), g.text, g.unit, g.source, "DE", "want 2021"},
		{"published value changed", published("value", rec["value"]+"1"), g.text, g.unit, g.source, "DE", "which publishes"},
		{"published unit changed", published("unit", strings.Replace(rec["unit"], "g CO2e", "kg CO2e", 1)), g.text, g.unit, g.source, "DE", "the units differ"},
		{"record out of range", refDir, g.text, g.unit, file + "#9999", "DE", "records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.ref, o.pubFiles, o.published = tt.ref, map[string]*pubFile{}, map[string]string{}
			r := &recordTB{TB: t}
			if tt.want == "records" {
				// a bad citation is fatal: run it where Fatalf cannot stop this test
				done := make(chan []string)
				go func() {
					rt := &fatalTB{recordTB: recordTB{TB: t}}
					defer func() { recover(); done <- rt.errs }()
					o.checkPublished(rt, "factor", g.gas, tt.value, tt.unit, tt.at, map[string]string{"id": ds["id"], "activity": ds["activity"], "region": tt.region})
				}()
				r.errs = <-done
			} else {
				o.checkPublished(r, "factor", g.gas, tt.value, tt.unit, tt.at, map[string]string{"id": ds["id"], "activity": ds["activity"], "region": tt.region})
			}
			msg := strings.Join(r.errs, "\n")
			switch {
			case tt.want == "" && msg != "":
				t.Errorf("failed: %s", msg)
			case tt.want != "" && !strings.Contains(msg, tt.want):
				t.Errorf("want a failure saying %q, got %q", tt.want, msg)
			}
		})
	}
}

// fatalTB records Fatalf as an error and stops by panicking.
type fatalTB struct{ recordTB }

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	panic("fatal")
}

// TestOpenRef: without the published rows the oracle goes on outside CI
// (and the tests about them skip, saying why); under CI=true it fails.
func TestOpenRef(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "reference-data")
	tests := []struct {
		name, dir, ci string
		wantDir       bool
		want          string // in the message or the failure
	}{
		{"present", t.TempDir(), "true", true, ""},
		{"missing outside CI", missing, "", false, "check out the shared folder"},
		{"missing under CI", missing, "true", false, "CI=true: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			done := make(chan []string)
			var dir, msg string
			go func() {
				rt := &fatalTB{recordTB: recordTB{TB: t}}
				defer func() { recover(); done <- rt.errs }()
				dir, msg = openRef(rt, tt.dir)
			}()
			errs := <-done
			got := msg + strings.Join(errs, "\n")
			if (dir != "") != tt.wantDir || !strings.Contains(got, tt.want) {
				t.Errorf("dir %q, message %q; want dir %t and %q", dir, got, tt.wantDir, tt.want)
			}
			if tt.ci == "true" && !tt.wantDir && len(errs) == 0 {
				t.Error("under CI=true a missing reference folder must fail")
			}
		})
	}
}
