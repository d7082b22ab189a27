package factors

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/shopspring/decimal"
)

//go:embed data
var embedded embed.FS

// Embedded returns the library built from the data embedded in the binary.
func Embedded() (*Library, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Load builds a library from a file system laid out as data/ (FORMAT.md):
// gwp.csv, gwp_sets.csv, regions.csv, activities.csv and datasets/*/.
func Load(fsys fs.FS) (*Library, error) {
	l := &Library{
		Units:      NewUnits(),
		gwpSets:    map[string]*GWPSet{},
		regions:    map[string]Region{},
		activities: map[string]Activity{},
		datasets:   map[string]*Dataset{},
		factorByID: map[string]*Factor{},
	}
	steps := []struct {
		file string
		fn   func(row) error
	}{
		{"gwp_sets.csv", l.addGWPSet},
		{"gwp.csv", l.addGWP},
		{"regions.csv", l.addRegion},
		{"activities.csv", l.addActivity},
	}
	for _, s := range steps {
		if err := readCSV(fsys, s.file, s.fn); err != nil {
			return nil, err
		}
	}
	for code, r := range l.regions {
		if r.Parent != "" {
			if _, ok := l.regions[r.Parent]; !ok {
				return nil, fmt.Errorf("regions.csv: region %s: parent %q is not a region", code, r.Parent)
			}
		}
	}
	if err := l.addDatasets(fsys, "datasets"); err != nil {
		return nil, err
	}
	return l, nil
}

// WithDatasetsDir returns a copy of the library with the datasets found in
// dir (one folder per dataset, each with meta.toml) added. A dataset whose
// id@version already exists is an error: datasets are immutable.
func (l *Library) WithDatasetsDir(dir string) (*Library, error) {
	c := *l
	c.datasets = map[string]*Dataset{}
	c.factorByID = map[string]*Factor{}
	for k, v := range l.datasets {
		c.datasets[k] = v
	}
	for k, v := range l.factorByID {
		c.factorByID[k] = v
	}
	if err := c.addDatasets(os.DirFS(dir), "."); err != nil {
		return nil, err
	}
	return &c, nil
}

func (l *Library) addDatasets(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("reading datasets: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := path.Join(dir, e.Name())
		if _, err := fs.Stat(fsys, path.Join(p, "meta.toml")); err != nil {
			continue
		}
		d, err := l.loadDataset(fsys, p)
		if err != nil {
			return err
		}
		if _, dup := l.datasets[d.Ref()]; dup {
			return fmt.Errorf("%s: dataset %s already exists; datasets are immutable, give a new version", p, d.Ref())
		}
		l.datasets[d.Ref()] = d
		for _, f := range d.Factors {
			l.factorByID[f.ID] = f
		}
	}
	return nil
}

var (
	datasetIDRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	versionRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	factorIDRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	sourceCiteRe = regexp.MustCompile(`^[a-z]+/[A-Za-z0-9_.-]+\.csv#[0-9]+$`)
)

type datasetMeta struct {
	ID        string `toml:"id"`
	Version   string `toml:"version"`
	Title     string `toml:"title"`
	Publisher string `toml:"publisher"`
	Edition   string `toml:"edition"`
	URL       string `toml:"url"`
	Licence   string `toml:"licence"`
	Quality   string `toml:"quality"`
	Notes     string `toml:"notes"`
}

func (l *Library) loadDataset(fsys fs.FS, dir string) (*Dataset, error) {
	metaPath := path.Join(dir, "meta.toml")
	raw, err := fs.ReadFile(fsys, metaPath)
	if err != nil {
		return nil, err
	}
	var m datasetMeta
	md, err := toml.Decode(string(raw), &m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q", metaPath, und[0].String())
	}
	if !datasetIDRe.MatchString(m.ID) || !versionRe.MatchString(m.Version) {
		return nil, fmt.Errorf("%s: id %q / version %q: ids are lower-case [a-z0-9-], versions [A-Za-z0-9._-]", metaPath, m.ID, m.Version)
	}
	q, err := parseQuality(m.Quality)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	d := &Dataset{ID: m.ID, Version: m.Version, Title: m.Title, Publisher: m.Publisher, Edition: m.Edition,
		URL: m.URL, Licence: m.Licence, Quality: q, Notes: strings.TrimSpace(m.Notes)}
	if d.Title == "" || d.Publisher == "" || d.Licence == "" {
		return nil, fmt.Errorf("%s: title, publisher and licence are required", metaPath)
	}

	h := sha256.New()
	files := []string{"meta.toml", "factors.csv", "heat_content.csv", "limits.csv", "hv_ratios.csv"}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// Canonical content: file name, then the bytes with line ends as LF.
		fmt.Fprintf(h, "%s\n%d\n", name, len(canonical(b)))
		h.Write(canonical(b))
	}
	d.Digest = hex.EncodeToString(h.Sum(nil))

	byID := map[string]*Factor{}
	err = readOptionalCSV(fsys, path.Join(dir, "factors.csv"), func(r row) error { return l.addFactorRow(d, byID, r) })
	if err != nil {
		return nil, err
	}
	err = readOptionalCSV(fsys, path.Join(dir, "heat_content.csv"), func(r row) error { return l.addHeatContent(d, r) })
	if err != nil {
		return nil, err
	}
	err = readOptionalCSV(fsys, path.Join(dir, "limits.csv"), func(r row) error { return l.addLimit(d, r) })
	if err != nil {
		return nil, err
	}
	err = readOptionalCSV(fsys, path.Join(dir, "hv_ratios.csv"), func(r row) error { return l.addCVPair(d, r) })
	if err != nil {
		return nil, err
	}
	return d, nil
}

func canonical(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

func (l *Library) provenance(r row) (Provenance, error) {
	q, err := parseQuality(r.get("quality"))
	if err != nil {
		return Provenance{}, r.errf("quality", "%v", err)
	}
	src := r.get("source")
	if !sourceCiteRe.MatchString(src) {
		return Provenance{}, r.errf("source", "%q does not cite a reference row as <dir>/<file>.csv#<record>", src)
	}
	return Provenance{Quality: q, Table: r.get("table"), Source: src}, nil
}

func (l *Library) addFactorRow(d *Dataset, byID map[string]*Factor, r row) error {
	fid := r.get("factor_id")
	if !factorIDRe.MatchString(fid) {
		return r.errf("factor_id", "%q is not a valid id", fid)
	}
	act, err := l.Activity(r.get("activity"))
	if err != nil {
		return r.errf("activity", "%v", err)
	}
	if _, err := l.Region(r.get("region")); err != nil {
		return r.errf("region", "%v", err)
	}
	val, err := decimal.NewFromString(r.get("value"))
	if err != nil {
		return r.errf("value", "not a decimal number: %q", r.get("value"))
	}
	mass, per, err := l.Units.ParseRateUnit(r.get("unit"))
	if err != nil {
		return r.errf("unit", "%v", err)
	}
	if mass.Dimension != Mass {
		return r.errf("unit", "numerator %s must be a mass unit", mass.Symbol)
	}
	if !act.Accepts(per.Dimension) && per.Dimension != Energy {
		return r.errf("unit", "per %s (%s) does not fit activity %s (%v)", per.Symbol, per.Dimension, act.Key, act.Dimensions)
	}
	basis, err := ParseBasis(r.get("basis"))
	if err != nil {
		return r.errf("basis", "%v", err)
	}
	gas := Gas(r.get("gas"))
	if gas == "" {
		return r.errf("gas", "gas is empty")
	}
	prov, err := l.provenance(r)
	if err != nil {
		return err
	}
	stage := r.get("stage")
	if stage == "" {
		stage = act.DefaultStage
	}
	f, ok := byID[fid]
	if !ok {
		f = &Factor{ID: d.Ref() + ":" + fid, Dataset: d.Ref(), Activity: act.Key, Region: r.get("region"),
			Stage: stage, Basis: basis, Per: per, PerUnit: per.Symbol, Quality: prov.Quality}
		byID[fid] = f
		d.Factors = append(d.Factors, f)
	} else {
		if f.Activity != act.Key || f.Region != r.get("region") || f.Stage != stage {
			return r.errf("factor_id", "%s: rows of one factor must share activity, region and stage", fid)
		}
		if f.Per.Symbol != per.Symbol || f.Basis != basis {
			return r.errf("unit", "%s: rows of one factor must share the activity unit and basis (%s %s)", fid, f.Per.Symbol, f.Basis)
		}
		for _, g := range f.Gases {
			if g.Gas == gas {
				return r.errf("gas", "%s: gas %s listed twice", fid, gas)
			}
		}
		f.Quality = f.Quality.Worse(prov.Quality)
	}
	f.Gases = append(f.Gases, GasValue{Gas: gas, Value: val, Published: r.get("value"), Unit: r.get("unit"), Mass: mass, Provenance: prov})
	return nil
}

// rateRow is what heat-content and limit rows share: an activity, a
// positive published value, a rate unit and provenance.
type rateRow struct {
	act      Activity
	val      decimal.Decimal
	num, per Unit
	prov     Provenance
}

func (l *Library) parseRateRow(r row) (rateRow, error) {
	var rr rateRow
	var err error
	if rr.act, err = l.Activity(r.get("activity")); err != nil {
		return rr, r.errf("activity", "%v", err)
	}
	if rr.val, err = decimal.NewFromString(r.get("value")); err != nil || !rr.val.IsPositive() {
		return rr, r.errf("value", "not a positive decimal number: %q", r.get("value"))
	}
	if rr.num, rr.per, err = l.Units.ParseRateUnit(r.get("unit")); err != nil {
		return rr, r.errf("unit", "%v", err)
	}
	rr.prov, err = l.provenance(r)
	return rr, err
}

func (l *Library) addHeatContent(d *Dataset, r row) error {
	rr, err := l.parseRateRow(r)
	if err != nil {
		return err
	}
	if rr.num.Dimension != Energy || (rr.per.Dimension != Mass && rr.per.Dimension != Volume) {
		return r.errf("unit", "a heat content is energy per mass or volume, e.g. mmBtu/scf or TJ/Gg")
	}
	basis, err := ParseBasis(r.get("basis"))
	if err != nil || basis == NoBasis {
		return r.errf("basis", "a heat content needs basis HHV or NCV")
	}
	d.HeatContents = append(d.HeatContents, HeatContent{Dataset: d.Ref(), Activity: rr.act.Key, Value: rr.val, Published: r.get("value"), Unit: r.get("unit"),
		Energy: rr.num, Per: rr.per, Basis: basis, Provenance: rr.prov})
	return nil
}

func (l *Library) addLimit(d *Dataset, r row) error {
	rr, err := l.parseRateRow(r)
	if err != nil {
		return err
	}
	act, mass, per, val, prov := rr.act, rr.num, rr.per, rr.val, rr.prov
	if mass.Dimension != Mass || !act.Accepts(per.Dimension) {
		return r.errf("unit", "%s: a limit is a mass of CO2e per a unit that fits %s (%v)", r.get("unit"), act.Key, act.Dimensions)
	}
	id := r.get("limit_id")
	if !factorIDRe.MatchString(id) {
		return r.errf("limit_id", "%q is not a valid id", id)
	}
	for _, x := range d.Limits {
		if x.ID == id {
			return r.errf("limit_id", "%q is listed twice", id)
		}
	}
	d.Limits = append(d.Limits, Limit{ID: id, Dataset: d.Ref(), Program: r.get("program"), Activity: act.Key, Tier: r.get("tier"),
		Value: val, Published: r.get("value"), Unit: r.get("unit"), Mass: mass, Per: per, Provenance: prov})
	return nil
}

func (l *Library) addCVPair(d *Dataset, r row) error {
	id := r.get("ratio_id")
	if !factorIDRe.MatchString(id) {
		return r.errf("ratio_id", "%q is not a valid id", id)
	}
	if _, dup := d.CVPair(id); dup {
		return r.errf("ratio_id", "%q is listed twice", id)
	}
	gross, err := decimal.NewFromString(r.get("gross_cv_value"))
	if err != nil || !gross.IsPositive() {
		return r.errf("gross_cv_value", "not a positive decimal number: %q", r.get("gross_cv_value"))
	}
	net, err := decimal.NewFromString(r.get("net_cv_value"))
	if err != nil || !net.IsPositive() {
		return r.errf("net_cv_value", "not a positive decimal number: %q", r.get("net_cv_value"))
	}
	prov, err := l.provenance(r)
	if err != nil {
		return err
	}
	d.CVPairs = append(d.CVPairs, CVPair{ID: id, Dataset: d.Ref(), Fuel: r.get("fuel"),
		Gross: gross, GrossPublished: r.get("gross_cv_value"), GrossFactorID: r.get("gross_cv_factor_id"),
		Net: net, NetPublished: r.get("net_cv_value"), NetFactorID: r.get("net_cv_factor_id"),
		Unit: r.get("unit"), Provenance: prov})
	return nil
}

func (l *Library) addGWPSet(r row) error {
	id := r.get("set")
	q, err := parseQuality(r.get("quality"))
	if err != nil {
		return r.errf("quality", "%v", err)
	}
	if _, dup := l.gwpSets[id]; dup {
		return r.errf("set", "set %q listed twice", id)
	}
	l.gwpSets[id] = &GWPSet{ID: id, Title: r.get("title"), Publisher: r.get("publisher"), Edition: r.get("edition"),
		Quality: q, Note: r.get("note"), values: map[Gas]GWP{}}
	return nil
}

func (l *Library) addGWP(r row) error {
	s, ok := l.gwpSets[r.get("set")]
	if !ok {
		return r.errf("set", "set %q is not in gwp_sets.csv", r.get("set"))
	}
	val, err := decimal.NewFromString(r.get("value"))
	if err != nil {
		return r.errf("value", "not a decimal number: %q", r.get("value"))
	}
	prov, err := l.provenance(r)
	if err != nil {
		return err
	}
	g := Gas(r.get("gas"))
	if _, dup := s.values[g]; dup {
		return r.errf("gas", "gas %s listed twice in set %s", g, s.ID)
	}
	s.values[g] = GWP{Gas: g, Value: val, Published: r.get("value"), Provenance: prov}
	return nil
}

func (l *Library) addRegion(r row) error {
	code := r.get("code")
	if code == "" {
		return r.errf("code", "empty region code")
	}
	if _, dup := l.regions[code]; dup {
		return r.errf("code", "region %q listed twice", code)
	}
	l.regions[code] = Region{Code: code, Name: r.get("name"), Parent: r.get("parent")}
	return nil
}

func (l *Library) addActivity(r row) error {
	a := Activity{Key: r.get("key"), DefaultStage: r.get("default_stage"), Title: r.get("title")}
	for _, d := range strings.Split(r.get("dimensions"), "|") {
		switch dim := Dimension(strings.TrimSpace(d)); dim {
		case Energy, Mass, Volume, Area, Length, Freight, Count:
			a.Dimensions = append(a.Dimensions, dim)
		default:
			return r.errf("dimensions", "unknown dimension %q", d)
		}
	}
	if a.Key == "" || a.DefaultStage == "" {
		return r.errf("key", "key and default_stage are required")
	}
	if _, dup := l.activities[a.Key]; dup {
		return r.errf("key", "activity %q listed twice", a.Key)
	}
	l.activities[a.Key] = a
	return nil
}

// row is one CSV record with its header, for error messages with positions.
type row struct {
	file   string
	line   int
	header map[string]int
	rec    []string
}

func (r row) get(col string) string {
	i, ok := r.header[col]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

func (r row) errf(col, format string, args ...any) error {
	return fmt.Errorf("%s:%d: column %s: %s", r.file, r.line, col, fmt.Sprintf(format, args...))
}

func readOptionalCSV(fsys fs.FS, name string, fn func(row) error) error {
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return readCSV(fsys, name, fn)
}

func readCSV(fsys fs.FS, name string, fn func(row) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading header: %w", name, err)
	}
	header := map[string]int{}
	for i, h := range head {
		header[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	var names []string
	for k := range header {
		names = append(names, k)
	}
	sort.Strings(names)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := fn(row{file: name, line: line, header: header, rec: rec}); err != nil {
			return err
		}
	}
}
