package conformance

// The oracle: an independent implementation of the method rules (2025.1,
// and the 2025.2 heating-value ratios from published pairs and host data) in
// math/big.Rat, reading the published rows (factors/data, as CSV text) and
// the method files (methods/defs, as TOML) itself. It imports nothing of
// calc, methods or factors: its unit table, region chains, factor
// selection, heat contents, GWP lookup, rounding and limit checks are
// written here from the rules in docs/conformance.md, so that a vector's
// expected values are the published numbers worked through by hand, not
// the engine's output.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

const (
	dataDir    = "../factors/data"
	methodsDir = "../methods/defs"
)

func ratOf(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

func mustRat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := ratOf(s)
	if !ok {
		t.Fatalf("oracle: not a number %q", s)
	}
	return r
}

// ounit is a unit by its exact size in the base unit of its dimension
// (kg, J, m3, m2, m, kg·km), by definition:
// 1 lb = 0.45359237 kg, 1 mi = 1.609344 km, 1 Btu(IT) = 1055.05585262 J,
// 1 kWh = 3.6 MJ, 1 US gal = 3.785411784 L, 1 ft = 0.3048 m.
type ounit struct {
	dim   string
	base  *big.Rat
	basis string // default heating-value basis of an energy unit
}

func oracleUnits(t testing.TB) map[string]ounit {
	r := func(s string) *big.Rat { return mustRat(t, s) }
	mul := func(xs ...*big.Rat) *big.Rat {
		p := big.NewRat(1, 1)
		for _, x := range xs {
			p.Mul(p, x)
		}
		return p
	}
	lb := r("0.45359237")
	btu := r("1055.05585262")
	ft := r("0.3048")
	mi := mul(r("1609.344"))
	gal := mul(r("3.785411784"), r("0.001"))
	shortTon := mul(big.NewRat(2000, 1), lb)
	u := map[string]ounit{
		"g": {"mass", r("0.001"), ""}, "kg": {"mass", r("1"), ""}, "t": {"mass", r("1000"), ""}, "Gg": {"mass", r("1000000"), ""},
		"lb": {"mass", lb, ""}, "short_ton": {"mass", shortTon, ""}, "long_ton": {"mass", mul(big.NewRat(2240, 1), lb), ""},
		"J": {"energy", r("1"), "NCV"}, "kJ": {"energy", r("1e3"), "NCV"}, "MJ": {"energy", r("1e6"), "NCV"}, "GJ": {"energy", r("1e9"), "NCV"},
		"TJ": {"energy", r("1e12"), "NCV"}, "Wh": {"energy", r("3600"), "NCV"}, "kWh": {"energy", r("3.6e6"), "NCV"},
		"MWh": {"energy", r("3.6e9"), "NCV"}, "GWh": {"energy", r("3.6e12"), "NCV"},
		"Btu": {"energy", btu, "HHV"}, "mmBtu": {"energy", mul(btu, r("1e6")), "HHV"}, "therm": {"energy", mul(btu, r("1e5")), "HHV"},
		"L": {"volume", r("0.001"), ""}, "m3": {"volume", r("1"), ""}, "gal_us": {"volume", gal, ""},
		"scf": {"volume", mul(ft, ft, ft), ""}, "bbl": {"volume", mul(big.NewRat(42, 1), gal), ""},
		"m2": {"area", r("1"), ""}, "ft2": {"area", mul(ft, ft), ""},
		"piece":        {"count", r("1"), ""},
		"t.km":         {"freight", r("1000"), ""}, // kg·km
		"short_ton.mi": {"freight", mul(shortTon, mi, r("0.001")), ""},
	}
	return u
}

type ogas struct {
	gas   string
	value *big.Rat // as published, in mass units per activity unit
	mass  ounit
	// text, unit and source are the row's value, unit and cited
	// published record, for checkPublished.
	text, unit, source string
}

type ofactor struct {
	id, activity, region, stage, basis string
	// dataset is the dataset's id@version; results name a factor as
	// dataset:id.
	dataset string
	per     ounit
	gases   []ogas
}

type oheat struct {
	activity, basis    string
	value              *big.Rat // energy per physical unit
	energy, per        ounit
	text, unit, source string
}

type olimit struct {
	id, activity, published string
	value                   *big.Rat
	mass, per               ounit
	unit, source            string
}

// ocvpair is a row of hv_ratios.csv: the publisher's factor for the same
// fuel per unit of energy on a gross-CV and on a net-CV basis.
type ocvpair struct {
	gross, net                       *big.Rat
	grossText, netText, unit, source string
}

type odataset struct {
	factors []*ofactor
	heat    []oheat
	limits  map[string]olimit
	cv      map[string]ocvpair // hv_ratios.csv by ratio_id
}

type oactivity struct {
	dims  []string
	stage string
}

// omethod is a method file as the oracle reads it.
type omethod struct {
	ID           string   `toml:"id"`
	Version      string   `toml:"version"`
	Title        string   `toml:"title"`
	Jurisdiction string   `toml:"jurisdiction"`
	Status       string   `toml:"status"`
	Description  string   `toml:"description"`
	GWPSet       string   `toml:"gwp_set"`
	Datasets     []string `toml:"datasets"`
	Stages       []string `toml:"stages"`
	BiogenicCO2  string   `toml:"biogenic_co2"`
	Regions      struct {
		Fallback string `toml:"fallback"`
	} `toml:"regions"`
	Rounding struct {
		Places         int32  `toml:"places"`
		Mode           string `toml:"mode"`
		DivisionPlaces int32  `toml:"division_places"`
	} `toml:"rounding"`
	ProductFactors struct {
		Accept  []string `toml:"accept"`
		Require []string `toml:"require"`
	} `toml:"product_factors"`
	HeatingValue []struct {
		Activity string `toml:"activity"`
		From     string `toml:"from"`
		To       string `toml:"to"`
		Ratio    string `toml:"ratio"`
		Source   string `toml:"source"`
		// Dataset and Row name a published gross-CV/net-CV pair instead
		// of a written ratio (2025.2).
		Dataset string `toml:"dataset"`
		Row     string `toml:"row"`
	} `toml:"heating_value"`
	// HostData (2025.2): datasets searched first for lines whose region
	// lies in one of Regions (or below it) and whose activity matches one
	// of Activities.
	HostData []ohost `toml:"host_data"`
	// EPD (2025.3) holds the rules by which a line's EPD document becomes
	// its factor (oracle_epd_test.go).
	EPD struct {
		Modules            string   `toml:"modules"`
		SumOf              []string `toml:"sum_of"`
		ExpiringWithinDays int      `toml:"expiring_within_days"`
		Conversions        []string `toml:"conversions"`
		// Biogenic and BiogenicApplies (2026.1): what a negative value,
		// or one declaring biogenic uptake, becomes.
		Biogenic        string `toml:"biogenic"`
		BiogenicApplies string `toml:"biogenic_applies"`
		RequireStandard bool   `toml:"require_standard"`
		Indicators      []struct {
			Indicator  string   `toml:"indicator"`
			Standards  []string `toml:"standards"`
			Sets       []string `toml:"sets"`
			Warning    string   `toml:"warning"`
			Activities []string `toml:"activities"`
		} `toml:"indicators"`
		// Refusals (2026.1): standards refused for activities by a cited rule.
		Refusals []struct {
			Activities []string `toml:"activities"`
			Standards  []string `toml:"standards"`
			Unless     []string `toml:"unless"`
			Rule       string   `toml:"rule"`
		} `toml:"refusals"`
	} `toml:"epd"`
	Limits []struct {
		Dataset string   `toml:"dataset"`
		IDs     []string `toml:"ids"`
	} `toml:"limits"`
	// Uncertainty (2026.2) is the model the sampling of --uncertainty
	// draws from. It changes no exact result, so the oracle reads its keys
	// (a key it does not list still fails) and computes nothing from them:
	// a 2026.2 vector must equal the 2026.1 one, which TestSameExactResults
	// checks.
	Uncertainty struct {
		Description  string `toml:"description"`
		EPD          string `toml:"epd"`
		ActivityData []struct {
			Activities []string `toml:"activities"`
			Statement  string   `toml:"statement"`
		} `toml:"activity_data"`
		Factors []struct {
			Factor string   `toml:"factor"`
			Gases  []string `toml:"gases"`
			Table  string   `toml:"table"`
			Row    string   `toml:"row"`
		} `toml:"factors"`
		HeatContents []struct {
			Activity string `toml:"activity"`
			Dataset  string `toml:"dataset"`
			Table    string `toml:"table"`
			Row      string `toml:"row"`
		} `toml:"heat_contents"`
		GWP []struct {
			GWPSet    string   `toml:"gwp_set"`
			Gases     []string `toml:"gases"`
			Statement string   `toml:"statement"`
		} `toml:"gwp"`
	} `toml:"uncertainty"`
}

// ohost is a [[host_data]] rule of a method file.
type ohost struct {
	Regions    []string `toml:"regions"`
	Activities []string `toml:"activities"`
	Datasets   []string `toml:"datasets"`
}

type oracle struct {
	units      map[string]ounit
	activities map[string]oactivity
	parent     map[string]string
	gwp        map[string]map[string]*big.Rat
	dirs       map[string]string // dataset id@version -> folder
	datasets   map[string]*odataset
	methods    map[string]*omethod
	// used records which method rules computed an ok line, for
	// TestCoverage: "ref hv activity from>to" and "ref host i pattern".
	used map[string]bool
	// pending holds the heating-value ratios and EPD formats applied to
	// the line being computed; they count as used only when the line
	// computes.
	pending []string
	// date is the bid's date (YYYY-MM-DD), the day EPDs are judged on.
	date string
	// messages holds, per vector name and line id ("name\x00id"), what
	// the engine's message for a refused EPD must say.
	messages map[string][]string
	// ref is the published reference data (refDir), "" when absent
	// (refMissing says why); pubFiles caches its files; published records
	// each dataset value checked against its cited record (checkPublished).
	ref, refMissing string
	pubFiles        map[string]*pubFile
	published       map[string]string
	// gwpRows holds gwp.csv's value text and source by set and gas.
	gwpRows map[string]map[string][2]string
}

func readCSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("oracle: %s: %v", path, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// rate parses "<mass unit>/<activity unit>".
func (o *oracle) rate(t testing.TB, s string) (ounit, ounit) {
	t.Helper()
	a, b, ok := strings.Cut(s, "/")
	num, ok1 := o.units[a]
	den, ok2 := o.units[b]
	if !ok || !ok1 || !ok2 {
		t.Fatalf("oracle: unit %q not in the oracle's table", s)
	}
	return num, den
}

func newOracle(t testing.TB) *oracle {
	t.Helper()
	o := &oracle{units: oracleUnits(t), activities: map[string]oactivity{}, parent: map[string]string{},
		gwp: map[string]map[string]*big.Rat{}, dirs: map[string]string{}, datasets: map[string]*odataset{}, methods: map[string]*omethod{}, used: map[string]bool{}, messages: map[string][]string{},
		pubFiles: map[string]*pubFile{}, published: map[string]string{}, gwpRows: map[string]map[string][2]string{}}
	o.ref, o.refMissing = openRef(t, refDir)
	for _, r := range readCSV(t, filepath.Join(dataDir, "activities.csv")) {
		o.activities[r["key"]] = oactivity{dims: strings.Split(r["dimensions"], "|"), stage: r["default_stage"]}
	}
	for _, r := range readCSV(t, filepath.Join(dataDir, "regions.csv")) {
		o.parent[r["code"]] = r["parent"]
	}
	for _, r := range readCSV(t, filepath.Join(dataDir, "gwp.csv")) {
		if o.gwp[r["set"]] == nil {
			o.gwp[r["set"]] = map[string]*big.Rat{}
			o.gwpRows[r["set"]] = map[string][2]string{}
		}
		o.gwp[r["set"]][r["gas"]] = mustRat(t, r["value"])
		o.gwpRows[r["set"]][r["gas"]] = [2]string{r["value"], r["source"]}
	}
	dirs, err := os.ReadDir(filepath.Join(dataDir, "datasets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range dirs {
		dir := filepath.Join(dataDir, "datasets", de.Name())
		var meta struct{ ID, Version string }
		if _, err := toml.DecodeFile(filepath.Join(dir, "meta.toml"), &meta); err != nil {
			t.Fatalf("oracle: %s: %v", dir, err)
		}
		o.dirs[meta.ID+"@"+meta.Version] = dir
	}
	return o
}

// dataset reads a dataset's rows on first use: only the datasets a method
// names, so that a new dataset elsewhere cannot disturb the oracle.
func (o *oracle) dataset(t testing.TB, ref string) *odataset {
	t.Helper()
	if d, ok := o.datasets[ref]; ok {
		return d
	}
	dir, ok := o.dirs[ref]
	if !ok {
		t.Fatalf("oracle: no dataset %s in %s", ref, dataDir)
	}
	d := &odataset{limits: map[string]olimit{}, cv: map[string]ocvpair{}}
	o.datasets[ref] = d
	if _, err := os.Stat(filepath.Join(dir, "factors.csv")); err == nil {
		byID := map[string]*ofactor{}
		for _, r := range readCSV(t, filepath.Join(dir, "factors.csv")) {
			mass, per := o.rate(t, r["unit"])
			f := byID[r["factor_id"]]
			if f == nil {
				f = &ofactor{id: r["factor_id"], dataset: ref, activity: r["activity"], region: r["region"], stage: r["stage"], basis: r["basis"], per: per}
				byID[f.id] = f
				d.factors = append(d.factors, f)
			}
			f.gases = append(f.gases, ogas{gas: r["gas"], value: mustRat(t, r["value"]), mass: mass, text: r["value"], unit: r["unit"], source: r["source"]})
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "heat_content.csv")); err == nil {
		for _, r := range readCSV(t, filepath.Join(dir, "heat_content.csv")) {
			energy, per := o.rate(t, r["unit"])
			d.heat = append(d.heat, oheat{activity: r["activity"], basis: r["basis"], value: mustRat(t, r["value"]), energy: energy, per: per,
				text: r["value"], unit: r["unit"], source: r["source"]})
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "hv_ratios.csv")); err == nil {
		for _, r := range readCSV(t, filepath.Join(dir, "hv_ratios.csv")) {
			d.cv[r["ratio_id"]] = ocvpair{gross: mustRat(t, r["gross_cv_value"]), net: mustRat(t, r["net_cv_value"]),
				grossText: r["gross_cv_value"], netText: r["net_cv_value"], unit: r["unit"], source: r["source"]}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "limits.csv")); err == nil {
		for _, r := range readCSV(t, filepath.Join(dir, "limits.csv")) {
			mass, per := o.rate(t, r["unit"])
			d.limits[r["limit_id"]] = olimit{id: r["limit_id"], activity: r["activity"], published: r["value"], value: mustRat(t, r["value"]), mass: mass, per: per,
				unit: r["unit"], source: r["source"]}
		}
	}
	return d
}

// method reads methods/defs/<id>/<version>.toml. A key the oracle does not
// know fails the test: a new method rule must be taught to the oracle
// before vectors can be computed for it.
func (o *oracle) method(t testing.TB, ref string) *omethod {
	t.Helper()
	if m, ok := o.methods[ref]; ok {
		return m
	}
	id, version, ok := strings.Cut(ref, "@")
	if !ok {
		t.Fatalf("oracle: method %q is not id@version", ref)
	}
	var m omethod
	md, err := toml.DecodeFile(filepath.Join(methodsDir, id, version+".toml"), &m)
	if err != nil {
		t.Fatalf("oracle: method %s: %v", ref, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Fatalf("oracle: method %s has keys the oracle does not implement: %v; teach the oracle these rules first", ref, und)
	}
	switch m.Regions.Fallback {
	case "never", "on_request", "always":
	default:
		t.Fatalf("oracle: method %s: fallback %q", ref, m.Regions.Fallback)
	}
	o.methods[ref] = &m
	return &m
}

// oline is a bid line as the oracle reads it.
type oline struct {
	ID                  string          `json:"id"`
	Activity            string          `json:"activity"`
	Region              string          `json:"region"`
	Quantity            json.RawMessage `json:"quantity"`
	Unit                string          `json:"unit"`
	Basis               string          `json:"basis"`
	Stage               string          `json:"stage"`
	AllowRegionFallback bool            `json:"allow_region_fallback"`
	Factor              *struct {
		KgCO2e    json.RawMessage `json:"kg_co2e"`
		Per       string          `json:"per"`
		Reference string          `json:"reference"`
		EPD       *oepdRef        `json:"epd"`
	} `json:"factor"`
}

// numText is a JSON string or number's text.
func numText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// oterm is one gas of one factor: kg of the gas per input unit.
type oterm struct {
	gas, stage string
	perUnit    *big.Rat
}

// oresult is a computed line, unrounded.
type oresult struct {
	status         string
	factor, region string
	kg, co2e       map[string]*big.Rat // per gas
	gasOrder       []string
	stages         map[string]*big.Rat
	total          *big.Rat
	unit           ounit
	quantity       *big.Rat
}

func matchPattern(p, key string) bool {
	if pre, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(key, pre)
	}
	return p == key
}

func anyPattern(ps []string, key string) bool {
	for _, p := range ps {
		if matchPattern(p, key) {
			return true
		}
	}
	return false
}

func normBasis(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "HHV", "GCV":
		return "HHV", true
	case "NCV", "LHV":
		return "NCV", true
	}
	return "", false
}

// terminates reports whether r has a finite decimal expansion.
func terminates(r *big.Rat) bool {
	d := new(big.Int).Set(r.Denom())
	for _, p := range []int64{2, 5} {
		pp, m := big.NewInt(p), new(big.Int)
		for m.Mod(d, pp).Sign() == 0 {
			d.Div(d, pp)
		}
	}
	return d.Cmp(big.NewInt(1)) == 0
}

// roundRat rounds r at places, half to even or half up (away from zero).
func roundRat(r *big.Rat, places int32, mode string) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	s := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	n, rem := new(big.Int).QuoRem(s.Num(), s.Denom(), new(big.Int))
	c := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)).Cmp(s.Denom())
	if c > 0 || (c == 0 && (mode == "half_up" || n.Bit(0) == 1)) {
		if s.Sign() < 0 {
			n.Sub(n, big.NewInt(1))
		} else {
			n.Add(n, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(n, scale)
}

// fixed writes r (already at most places decimals) with exactly places.
func fixed(r *big.Rat, places int32) string { return r.FloatString(int(places)) }

func (o *oracle) chain(region string) []string {
	var out []string
	for c := region; c != "" && len(out) < 16; c = o.parent[c] {
		out = append(out, c)
	}
	return out
}

// gwpOf is the GWP the method applies to a gas, and whether it is
// counted; the set's row it comes from is checked against its published
// record.
func (o *oracle) gwpOf(t testing.TB, m *omethod, gas string) (*big.Rat, bool) {
	if gas == "CO2_biogenic" && m.BiogenicCO2 == "memo" {
		return nil, false
	}
	if gas == "CO2e" {
		return big.NewRat(1, 1), true
	}
	set := o.gwp[m.GWPSet]
	key := gas
	if _, ok := set[key]; !ok && (gas == "CH4_fossil" || gas == "CH4_biogenic") {
		key = "CH4"
	}
	v, ok := set[key]
	if !ok {
		return nil, false
	}
	row := o.gwpRows[m.GWPSet][key]
	o.checkPublished(t, "gwp", key, row[0], "", row[1], map[string]string{"id": m.GWPSet, "set": m.GWPSet})
	return v, true
}

// hvRatio is the method's ratio from basis from to basis to for an
// activity: energy on `to` = energy on `from` × ratio. A ratio written in
// the file is taken as written. A ratio named by a dataset row is the
// quotient of the row's two published factors (kg CO2 per kWh gross-CV and
// per kWh net-CV of the same fuel): gross/net (= NCV/GCV) for HHV→NCV,
// net/gross for NCV→HHV, divided once at division_places, half to even
// (docs/methods.md, "Heating-value ratios from published data").
func (o *oracle) hvRatio(t testing.TB, m *omethod, activity, from, to string) (*big.Rat, error) {
	for _, h := range m.HeatingValue {
		if h.Activity != activity || h.From != from || h.To != to {
			continue
		}
		if h.Dataset != "" || h.Row != "" {
			p, ok := o.dataset(t, h.Dataset).cv[h.Row]
			if !ok {
				t.Fatalf("oracle: %s has no heating-value row %q", h.Dataset, h.Row)
			}
			o.checkPublished(t, "gross", "CO2", p.grossText, p.unit, p.source, map[string]string{"id": h.Dataset + ":" + h.Row})
			o.checkPublished(t, "net", "CO2", p.netText, p.unit, p.source, map[string]string{"id": h.Dataset + ":" + h.Row})
			num, den := p.gross, p.net
			switch {
			case from == "HHV" && to == "NCV":
			case from == "NCV" && to == "HHV":
				num, den = p.net, p.gross
			default:
				t.Fatalf("oracle: heating_value %s→%s for %s", from, to, activity)
			}
			o.pending = append(o.pending, fmt.Sprintf("%s@%s hv %s %s>%s", m.ID, m.Version, activity, from, to))
			return roundRat(new(big.Rat).Quo(num, den), m.Rounding.DivisionPlaces, "half_even"), nil
		}
		r, ok := ratOf(h.Ratio)
		if !ok {
			return nil, fmt.Errorf("bad ratio %q", h.Ratio)
		}
		return r, nil
	}
	o.used[fmt.Sprintf("%s@%s hv-missing %s %s>%s", m.ID, m.Version, activity, from, to)] = true
	return nil, fmt.Errorf("no %s→%s ratio for %s", from, to, activity)
}

// errLine is a line the method cannot compute. The reason is for the
// test's log (vectors check the status); want, when set, is the part of
// the message docs/epd.md gives for the refusal, which TestEPDMessages
// requires in the engine's message for that line.
type errLine struct {
	reason string
	want   []string
}

func (e errLine) Error() string { return e.reason }

func lineErr(format string, args ...any) error { return errLine{reason: fmt.Sprintf(format, args...)} }

// refusal is an EPD refusal whose engine message must contain each of want.
func refusal(want []string, format string, args ...any) error {
	return errLine{reason: fmt.Sprintf(format, args...), want: want}
}

// terms works out a line's terms: which factor, which region, and kg of
// each gas per input unit.
func (o *oracle) terms(t testing.TB, m *omethod, l oline, u ounit, q *big.Rat) (ts []oterm, factor, region string, err error) {
	o.pending = o.pending[:0]
	act, ok := o.activities[l.Activity]
	if !ok {
		return nil, "", "", lineErr("unknown activity")
	}
	if _, ok := o.parent[l.Region]; !ok {
		return nil, "", "", lineErr("unknown region")
	}
	if !contains(act.dims, u.dim) {
		return nil, "", "", lineErr("unit dimension %s not accepted", u.dim)
	}
	inBasis, ok := normBasis(l.Basis)
	if !ok {
		return nil, "", "", lineErr("bad basis")
	}
	if inBasis != "" && u.dim != "energy" {
		return nil, "", "", lineErr("basis on a non-energy quantity")
	}
	if inBasis == "" && u.dim == "energy" {
		inBasis = u.basis
	}
	if l.Stage != "" && !contains(m.Stages, l.Stage) {
		return nil, "", "", lineErr("stage not counted")
	}
	if l.Factor != nil {
		if !anyPattern(m.ProductFactors.Accept, l.Activity) {
			if l.Factor.EPD != nil {
				return nil, "", "", refusal([]string{"product-specific factors for " + l.Activity}, "product factor refused")
			}
			return nil, "", "", lineErr("product factor refused")
		}
		if l.Factor.EPD != nil {
			if l.Factor.Reference != "" || len(l.Factor.KgCO2e) > 0 || l.Factor.Per != "" {
				t.Fatalf("oracle: line %s gives both an EPD document and typed factor fields", l.ID)
			}
			stage := act.stage
			if l.Stage != "" {
				stage = l.Stage
			}
			ts, id, err := o.epdTerms(t, m, l, u, stage, o.date)
			if err != nil {
				return nil, "", "", err
			}
			if !contains(m.Stages, stage) {
				return nil, "", "", lineErr("excluded")
			}
			for _, u := range o.pending {
				o.used[u] = true
			}
			return ts, id, l.Region, nil
		}
		if strings.TrimSpace(l.Factor.Reference) == "" {
			return nil, "", "", lineErr("product factor without reference")
		}
		v, ok := ratOf(numText(l.Factor.KgCO2e))
		if !ok || v.Sign() < 0 {
			return nil, "", "", lineErr("bad product factor value")
		}
		per, ok := o.units[l.Factor.Per]
		if !ok || per.dim != u.dim {
			return nil, "", "", lineErr("product factor per-unit")
		}
		stage := act.stage
		if l.Stage != "" {
			stage = l.Stage
		}
		if !contains(m.Stages, stage) {
			return nil, "", "", lineErr("excluded")
		}
		pu := new(big.Rat).Mul(u.base, v)
		pu.Quo(pu, per.base)
		return []oterm{{gas: "CO2e", stage: stage, perUnit: pu}}, "product:" + l.Factor.Reference, l.Region, nil
	}
	if anyPattern(m.ProductFactors.Require, l.Activity) {
		return nil, "", "", lineErr("product factor required")
	}
	chain := o.chain(l.Region)
	// Host data: the first rule whose region family holds the line's region
	// and whose activity family holds its activity serves; its datasets
	// are searched first (same region chain and fallback rule), then the
	// method's own. Heat contents come from the host's datasets first too.
	own, heat := m.Datasets, m.Datasets
	var found []*ofactor
	var uses []string
	for i, h := range m.HostData {
		if !anyPattern(h.Activities, l.Activity) || !anyOf(h.Regions, chain) {
			continue
		}
		found, region = o.search(t, m, l, chain, h.Datasets)
		if found != nil {
			heat = append(append([]string{}, h.Datasets...), own...)
			for _, p := range h.Activities {
				if matchPattern(p, l.Activity) {
					uses = append(uses, fmt.Sprintf("%s@%s host %d %s", m.ID, m.Version, i, p))
				}
			}
		}
		break
	}
	if found == nil {
		found, region = o.search(t, m, l, chain, own)
	}
	if found == nil {
		return nil, "", "", lineErr("no factor")
	}
	var ids []string
	for _, f := range found {
		if l.Stage != "" && f.stage != l.Stage {
			continue
		}
		if !contains(m.Stages, f.stage) {
			continue
		}
		ratio, err := o.conversion(t, m, l.Activity, u, inBasis, f, heat)
		if err != nil {
			return nil, "", "", err
		}
		for _, g := range f.gases {
			o.checkPublished(t, "factor", g.gas, g.text, g.unit, g.source, map[string]string{"id": f.dataset + ":" + f.id, "activity": f.activity, "region": f.region})
			pu := new(big.Rat).Mul(ratio, g.value)
			pu.Mul(pu, g.mass.base)
			ts = append(ts, oterm{gas: g.gas, stage: f.stage, perUnit: pu})
		}
		ids = append(ids, f.dataset+":"+f.id)
	}
	if len(ids) == 0 && l.Stage != "" {
		return nil, "", "", lineErr("no factor in stage %s", l.Stage)
	}
	if len(ids) == 0 {
		return nil, "", "", lineErr("excluded")
	}
	for _, u := range append(uses, o.pending...) {
		o.used[u] = true
	}
	return ts, strings.Join(ids, "+"), region, nil
}

// conversion is the exact number of the factor's activity units in one
// input unit, through heat content and the method's HHV/NCV ratio.
func (o *oracle) conversion(t testing.TB, m *omethod, activity string, u ounit, inBasis string, f *ofactor, heat []string) (*big.Rat, error) {
	if u.dim == f.per.dim {
		r := new(big.Rat).Quo(u.base, f.per.base)
		if u.dim == "energy" && f.basis != "" && inBasis != f.basis {
			hv, err := o.hvRatio(t, m, activity, inBasis, f.basis)
			if err != nil {
				return nil, lineErr("%v", err)
			}
			r.Mul(r, hv)
		}
		return r, nil
	}
	if f.per.dim == "energy" && (u.dim == "mass" || u.dim == "volume") {
		for _, ref := range heat {
			for _, h := range o.dataset(t, ref).heat {
				if h.activity != activity || h.per.dim != u.dim {
					continue
				}
				o.checkPublished(t, "heat", "", h.text, h.unit, h.source, map[string]string{"id": ref + " heat " + activity, "activity": activity})
				r := new(big.Rat).Quo(u.base, h.per.base)
				r.Mul(r, h.value)
				r.Mul(r, h.energy.base)
				r.Quo(r, f.per.base)
				if f.basis != "" && h.basis != f.basis {
					hv, err := o.hvRatio(t, m, activity, h.basis, f.basis)
					if err != nil {
						return nil, lineErr("%v", err)
					}
					r.Mul(r, hv)
				}
				return r, nil
			}
		}
		return nil, lineErr("no heat content per %s", u.dim)
	}
	return nil, lineErr("unit dimension %s vs factor per %s", u.dim, f.per.dim)
}

// search walks the region chain and, per region, the datasets in order:
// the first dataset with factors for the activity in that region decides.
// A parent region (not GLO) is used only as the method's fallback rule
// allows; a refused parent ends the dataset walk for that region, and the
// search goes on up the chain (GLO defaults always apply).
func (o *oracle) search(t testing.TB, m *omethod, l oline, chain, datasets []string) ([]*ofactor, string) {
	for i, reg := range chain {
		parent := i > 0 && reg != "GLO"
		allowed := !parent || m.Regions.Fallback == "always" || (m.Regions.Fallback == "on_request" && l.AllowRegionFallback)
		for _, ref := range datasets {
			var fs []*ofactor
			for _, f := range o.dataset(t, ref).factors {
				if f.activity == l.Activity && f.region == reg {
					fs = append(fs, f)
				}
			}
			if len(fs) == 0 {
				continue
			}
			if allowed {
				return fs, reg
			}
			break
		}
	}
	return nil, ""
}

func anyOf(xs, ys []string) bool {
	for _, x := range xs {
		if contains(ys, x) {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// line computes one line, unrounded: kg of each gas is the quantity times
// the exact kg per input unit, rounded half-even at division_places when
// that ratio has no finite decimal expansion (the method's one division).
func (o *oracle) line(t testing.TB, m *omethod, l oline) (*oresult, error) {
	q, ok := ratOf(numText(l.Quantity))
	if !ok || q.Sign() < 0 {
		return nil, lineErr("bad quantity")
	}
	u, ok := o.units[l.Unit]
	if !ok {
		return nil, lineErr("unit not in the oracle's table")
	}
	ts, factor, region, err := o.terms(t, m, l, u, q)
	if err != nil {
		return nil, err
	}
	r := &oresult{status: "ok", factor: factor, region: region, kg: map[string]*big.Rat{}, co2e: map[string]*big.Rat{},
		stages: map[string]*big.Rat{}, total: new(big.Rat), unit: u, quantity: q}
	for _, tm := range ts {
		kg := new(big.Rat).Mul(q, tm.perUnit)
		if !terminates(tm.perUnit) {
			kg = roundRat(kg, m.Rounding.DivisionPlaces, "half_even")
		}
		co2e := new(big.Rat)
		if g, ok := o.gwpOf(t, m, tm.gas); ok {
			co2e.Mul(kg, g)
		}
		if _, ok := r.kg[tm.gas]; !ok {
			r.kg[tm.gas], r.co2e[tm.gas] = new(big.Rat), new(big.Rat)
			r.gasOrder = append(r.gasOrder, tm.gas)
		}
		r.kg[tm.gas].Add(r.kg[tm.gas], kg)
		r.co2e[tm.gas].Add(r.co2e[tm.gas], co2e)
		if r.stages[tm.stage] == nil {
			r.stages[tm.stage] = new(big.Rat)
		}
		r.stages[tm.stage].Add(r.stages[tm.stage], co2e)
		r.total.Add(r.total, co2e)
	}
	return r, nil
}

// expect computes a vector's expected result from its bid.
func (o *oracle) expect(t testing.TB, v *Vector) *Expected {
	t.Helper()
	m := o.method(t, v.Method.Ref)
	var bid struct {
		Method       string  `json:"method"`
		Reference    string  `json:"reference"`
		Supplier     string  `json:"supplier"`
		Date         string  `json:"date"`
		ValidThrough string  `json:"valid_through"`
		Lines        []oline `json:"lines"`
	}
	dec := json.NewDecoder(bytes.NewReader(v.Bid))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&bid); err != nil {
		t.Fatalf("oracle: %s: bid: %v", v.Name, err)
	}
	o.date = bid.Date
	p, mode := m.Rounding.Places, m.Rounding.Mode
	rnd := func(r *big.Rat) string { return fixed(roundRat(r, p, mode), p) }
	e := &Expected{Places: p, Rounding: mode, ByGas: []Gas{}, ByStage: []Stage{}, Lines: []Line{}, Limits: []Limit{}}
	total := new(big.Rat)
	gasKg, gasCO2e, stages := map[string]*big.Rat{}, map[string]*big.Rat{}, map[string]*big.Rat{}
	add := func(into map[string]*big.Rat, k string, x *big.Rat) {
		if into[k] == nil {
			into[k] = new(big.Rat)
		}
		into[k].Add(into[k], x)
	}
	for i, l := range bid.Lines {
		if l.ID == "" {
			l.ID = fmt.Sprint(i + 1)
		}
		r, err := o.line(t, m, l)
		if err != nil {
			status := "error"
			if err.Error() == "excluded" {
				status = "excluded"
			}
			t.Logf("oracle: %s line %s: %s (%v)", v.Name, l.ID, status, err)
			if el, ok := err.(errLine); ok && len(el.want) > 0 {
				o.messages[v.Name+"\x00"+l.ID] = el.want
			}
			e.Lines = append(e.Lines, Line{ID: l.ID, Status: status})
			continue
		}
		el := Line{ID: l.ID, Status: "ok", KgCO2e: rnd(r.total), Factor: r.factor, Region: r.region}
		for _, g := range sortedKeys(r.kg) {
			el.Gases = append(el.Gases, Gas{Gas: g, Kg: rnd(r.kg[g]), KgCO2e: rnd(r.co2e[g])})
			add(gasKg, g, r.kg[g])
			add(gasCO2e, g, r.co2e[g])
		}
		for _, s := range m.Stages {
			if x, ok := r.stages[s]; ok {
				el.Stages = append(el.Stages, Stage{Stage: s, KgCO2e: rnd(x)})
				add(stages, s, x)
			}
		}
		total.Add(total, r.total)
		e.Lines = append(e.Lines, el)
		e.Limits = append(e.Limits, o.limits(t, m, l, r)...)
	}
	e.TotalKgCO2e = rnd(total)
	for _, g := range sortedKeys(gasKg) {
		e.ByGas = append(e.ByGas, Gas{Gas: g, Kg: rnd(gasKg[g]), KgCO2e: rnd(gasCO2e[g])})
	}
	for _, s := range m.Stages {
		if x, ok := stages[s]; ok {
			e.ByStage = append(e.ByStage, Stage{Stage: s, KgCO2e: rnd(x)})
		}
	}
	return e
}

// limits checks the method's limits on a computed line: intensity =
// kg CO2e of the line / quantity, in the limit's units, passing when it is
// at most the limit (exactly); reported rounded at division_places, then
// by the method's rule.
func (o *oracle) limits(t testing.TB, m *omethod, l oline, r *oresult) []Limit {
	var out []Limit
	if r.quantity.Sign() == 0 {
		return nil
	}
	p := m.Rounding.Places
	for _, ls := range m.Limits {
		d := o.dataset(t, ls.Dataset)
		for _, id := range ls.IDs {
			lim, ok := d.limits[id]
			if !ok || lim.activity != l.Activity || lim.per.dim != r.unit.dim {
				continue
			}
			o.checkPublished(t, "limit", "", lim.published, lim.unit, lim.source, map[string]string{"id": ls.Dataset + ":" + id, "activity": lim.activity, "limit_id": id})
			// intensity [lim.mass/lim.per] = kg × per.base / (mass.base × q × u.base)
			x := new(big.Rat).Mul(r.total, lim.per.base)
			den := new(big.Rat).Mul(lim.mass.base, r.quantity)
			den.Mul(den, r.unit.base)
			x.Quo(x, den)
			value := roundRat(roundRat(x, m.Rounding.DivisionPlaces, "half_even"), p, m.Rounding.Mode)
			out = append(out, Limit{LineID: l.ID, ID: id, Limit: lim.published, Value: fixed(value, p), Pass: x.Cmp(lim.value) <= 0})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOracleByHand checks the oracle on values worked by hand from the
// published rows (README "How the numbers arise"), so that an oracle bug
// cannot hide behind vectors it wrote itself.
func TestOracleByHand(t *testing.T) {
	o := newOracle(t)
	tests := []struct {
		method, line, want string
	}{
		// 1000 mmBtu × (53.06 kg CO2 + 1.0 g CH4 × 28 + 0.10 g N2O × 265)
		{"us-federal@2025.1", `{"activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"}`, "53114.500"},
		// 1 short ton-mile = 2000 lb × 1 mi; 5000 × (0.186 kg + 0.0016 g × 28 + 0.0054 g × 265)
		{"us-federal@2025.1", `{"activity":"freight.road","region":"US","quantity":"5000","unit":"short_ton.mi"}`, "937.379"},
		// 1.05505585262 TJ × (56100 + 1 × 29.8 + 0.1 × 273) kg
		{"eu-gpp@2025.1", `{"activity":"fuel.natural_gas","region":"DE","quantity":"1.05505585262","unit":"TJ"}`, "59248.877"},
		// 1.25 kWh × 402 g = 0.5025 kg: a tie, half to even
		{"eu-gpp@2025.1", `{"activity":"electricity.grid","region":"DE","quantity":"1.25","unit":"kWh"}`, "0.502"},
		{"eu-gpp@2025.1", `{"activity":"electricity.grid","region":"DE","quantity":"3.75","unit":"kWh"}`, "1.508"},
		// 250 MWh × 402 g/kWh
		{"eu-gpp@2025.1", `{"activity":"electricity.grid","region":"DE","quantity":"250","unit":"MWh"}`, "100500.000"},
		// fallback refused: error, total 0
		{"eu-gpp@2025.1", `{"activity":"material.steel.plate","region":"DE","quantity":"1","unit":"t"}`, "0.000"},
		{"eu-gpp@2025.1", `{"activity":"material.steel.plate","region":"DE","quantity":"1","unit":"t","allow_region_fallback":true}`, "1125.000"},
		// 2025.2, NCV→HHV: 2.5 TJ = 2.5e12/1055.05585262e6 mmBtu NCV, × (0.20226/0.18256 at 18 places
		// = 1.107909728308501315) mmBtu HHV, × (53.06 kg + 1.0 g × 28 + 0.10 g × 265)
		{"us-federal@2025.2", `{"activity":"fuel.natural_gas","region":"US","quantity":"2.5","unit":"TJ"}`, "139438.285"},
		// 2025.2, HHV→NCV: 1000 mmBtu = 1.05505585262 TJ HHV, × (0.18256/0.20226 at 18 places
		// = 0.902600613072283200) TJ NCV, × (56100 + 1 × 29.8 + 0.1 × 273) kg
		{"eu-gpp@2025.2", `{"activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"}`, "53478.073"},
		// host data per gas under the method's GWPs: eGRID CAMX 250 MWh × 0.45359237 kg/lb ×
		// (436.7 + 0.025 × 29.8 + 0.003 × 273) lb/MWh under EF 3.1; the same under AR5 (28, 265)
		{"eu-gpp@2025.2", `{"activity":"electricity.grid","region":"US-CAMX","quantity":"250","unit":"MWh"}`, "49698.302"},
		{"us-federal@2025.2", `{"activity":"electricity.grid","region":"US-CAMX","quantity":"250","unit":"MWh"}`, "49690.477"},
		// host data for an EU fuel under us-federal: IPCC GLO, NCV, AR5: 2.5 × (56100 + 28 + 26.5)
		{"us-federal@2025.2", `{"activity":"fuel.natural_gas","region":"DE","quantity":"2.5","unit":"TJ"}`, "140386.250"},
		// 2025.3 is 2025.2 plus [epd]: lines without EPD documents compute alike
		{"us-federal@2025.3", `{"activity":"fuel.natural_gas","region":"US","quantity":"2.5","unit":"TJ"}`, "139438.285"},
		{"eu-gpp@2025.3", `{"activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"}`, "53478.073"},
		{"us-federal@2025.3", `{"activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":{"kg_co2e":"780","per":"t","reference":"EPD S-P-01234"}}`, "9750.000"},
		// CO2e-only host data: EEA DE 402 g/kWh under us-federal; DESNZ GB road 0.10163 kg/t.km
		{"us-federal@2025.2", `{"activity":"electricity.grid","region":"DE","quantity":"250","unit":"MWh"}`, "100500.000"},
		{"eu-gpp@2025.2", `{"activity":"freight.road","region":"GB","quantity":"5000","unit":"t.km"}`, "508.150"},
		// no published pair: lignite on NCV under us-federal is an error
		{"us-federal@2025.2", `{"activity":"fuel.lignite","region":"US","quantity":"1","unit":"TJ"}`, "0.000"},
		// the first host rule that matches serves, then the method's own: FR freight has no factor anywhere
		{"us-federal@2025.2", `{"activity":"freight.road","region":"FR","quantity":"1000","unit":"t.km"}`, "0.000"},
	}
	for _, tt := range tests {
		v := &Vector{Name: "by-hand", Method: MethodPin{Ref: tt.method}, Bid: []byte(`{"lines":[` + tt.line + `]}`)}
		if got := o.expect(t, v).TotalKgCO2e; got != tt.want {
			t.Errorf("%s %s: oracle %s, by hand %s", tt.method, tt.line, got, tt.want)
		}
	}
	// EPD documents (2025.3), worked by hand from the document's numbers.
	traci := `{"id":"x","program_operator_doc_id":"D-1","declared_unit":"1 t","valid_until":"2028-03-31",` +
		`"compliance":[{"short_name":"ISO 21930:2017"}],"impacts":{"AR5":{"gwp":{"A1A2A3":{"mean":"7.9E2"}}},"TRACI 2.1":{"gwp":{"A1A2A3":{"mean":780.5}}}}}`
	perM3 := `{"id":"y","declared_unit":{"qty":1,"unit":"m3"},"density":"7850 kg/m3","valid_until":"2029",` +
		`"compliance":[{"short_name":"ISO 21930"}],"impacts":{"TRACI 2.1":{"gwp":{"A1":{"mean":7100},"A2":{"mean":"120.5"},"A3":{"mean":450}}}}}`
	ef := `{"id":"z","declared_unit":"1 t","valid_until":"2030-12-31","compliance":[{"short_name":"EN 15804+A2"}],` +
		`"impacts":{"EF 3.0":{"gwp":{"A1":{"mean":1010.2},"A2":{"mean":35.05},"A3":{"mean":144.75}}}}}`
	line := func(act, q, unit, doc string) string {
		return `{"activity":"` + act + `","region":"US","quantity":"` + q + `","unit":"` + unit + `","factor":{"epd":{"format":"openepd","file":"f.json","document":` + doc + `}}}`
	}
	epdTests := []struct {
		method, date, line, want string
	}{
		// TRACI 2.1 is preferred to AR5: 12.5 t × 780.5 kg/t
		{"us-federal@2025.3", "2025-06-01", line("material.steel.rebar", "12.5", "t", traci), "9756.250"},
		// valid through 2028-03-31, not after
		{"us-federal@2025.3", "2028-03-31", line("material.steel.rebar", "1", "t", traci), "780.500"},
		{"us-federal@2025.3", "2028-04-01", line("material.steel.rebar", "1", "t", traci), "0.000"},
		// no date, no EPD
		{"us-federal@2025.3", "", line("material.steel.rebar", "1", "t", traci), "0.000"},
		// A1 + A2 + A3 = 7670.5 kg per m3 at 7850 kg/m3: 3 t = 3000/7850 m3 → 2931.4012738853503…
		{"us-federal@2025.3", "2025-06-01", line("material.steel.section", "3", "t", perM3), "2931.401"},
		// a year-only validity runs through 31 December
		{"us-federal@2025.3", "2029-12-31", line("material.steel.section", "3", "t", perM3), "2931.401"},
		// EF 3.0 gwp is GWP-total under eu-gpp: 2.5 t × (1010.2 + 35.05 + 144.75)
		{"eu-gpp@2025.3", "2025-06-01", line("material.glass.flat", "2500", "kg", ef), "2975.000"},
		// ISO 21930 TRACI: none of eu-gpp's indicators; EN 15804+A2: none of us-federal's; no [epd] in 2025.2
		{"eu-gpp@2025.3", "2025-06-01", line("material.steel.rebar", "1", "t", traci), "0.000"},
		{"us-federal@2025.3", "2025-06-01", line("material.glass.flat", "1", "t", ef), "0.000"},
		{"us-federal@2025.2", "2025-06-01", line("material.steel.rebar", "1", "t", traci), "0.000"},
	}
	for _, tt := range epdTests {
		bid := `{"date":"` + tt.date + `","lines":[` + tt.line + `]}`
		v := &Vector{Name: "by-hand", Method: MethodPin{Ref: tt.method}, Bid: []byte(bid)}
		if got := o.expect(t, v).TotalKgCO2e; got != tt.want {
			t.Errorf("%s on %s: %s: oracle %s, by hand %s", tt.method, tt.date, tt.line, got, tt.want)
		}
	}
	// The limit check at the boundary: 0.728 kg/kg is 728 kg/t exactly.
	v := &Vector{Name: "by-hand", Method: MethodPin{Ref: "us-federal@2025.1"}, Bid: []byte(`{"lines":[{"activity":"material.steel.rebar","region":"US","quantity":"3","unit":"lb","factor":{"kg_co2e":"0.728","per":"kg","reference":"x"}}]}`)}
	e := o.expect(t, v)
	if len(e.Limits) != 3 || e.Limits[0].ID != "gsa-rebar-fab-top20" || !e.Limits[0].Pass || e.Limits[0].Value != "728.000" {
		t.Errorf("boundary limit: %+v", e.Limits)
	}
}
