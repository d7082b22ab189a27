package factors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Quality says how far a published number can be trusted, carried from the
// reference tables' own notes (data/FORMAT.md).
type Quality string

// Quality levels, best first.
const (
	Primary   Quality = "primary"
	Secondary Quality = "secondary"
	Uncertain Quality = "uncertain"
)

func parseQuality(s string) (Quality, error) {
	switch q := Quality(strings.TrimSpace(s)); q {
	case Primary, Secondary, Uncertain:
		return q, nil
	}
	return "", fmt.Errorf("%w: quality %q: use primary, secondary or uncertain", ErrInvalid, clip.Text(s))
}

// Worse returns the lower of two qualities (q when they rank alike; a
// quality that is none of the three ranks as primary).
func (q Quality) Worse(o Quality) Quality {
	if o.rank() > q.rank() {
		return o
	}
	return q
}

// rank orders the qualities from primary (0) to uncertain (2).
func (q Quality) rank() int {
	switch q {
	case Secondary:
		return 1
	case Uncertain:
		return 2
	}
	return 0
}

// Provenance says where a published number comes from.
type Provenance struct {
	Quality Quality `json:"quality"`
	Table   string  `json:"table"`
	// Source cites the reference row as "<file>#<record>".
	Source string `json:"source"`
}

// Gas is a greenhouse gas, or CO2e for values published only as CO2-equivalent.
type Gas string

// Gases the engine treats specially.
const (
	CO2         Gas = "CO2"
	CO2Biogenic Gas = "CO2_biogenic"
	CH4         Gas = "CH4"
	CH4Fossil   Gas = "CH4_fossil"
	CH4Biogenic Gas = "CH4_biogenic"
	N2O         Gas = "N2O"
	CO2e        Gas = "CO2e"
)

// GWP is one gas's global-warming potential in a set.
type GWP struct {
	Gas   Gas             `json:"gas"`
	Value decimal.Decimal `json:"value"`
	// Published is the value's text exactly as published.
	Published string `json:"published"`
	Provenance
}

// GWPSet is a named set of 100-year GWPs (AR4, AR5, AR6, EF3.1).
type GWPSet struct {
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Publisher string  `json:"publisher"`
	Edition   string  `json:"edition"`
	Quality   Quality `json:"quality"`
	Note      string  `json:"note,omitempty"`
	values    map[Gas]GWP
}

// Lookup returns the GWP of a gas. CO2e is 1 by definition. Where the set
// has no fossil/biogenic split for methane, CH4_fossil and CH4_biogenic take
// the set's single CH4 value.
func (s *GWPSet) Lookup(g Gas) (GWP, bool) {
	if g == CO2e {
		return GWP{Gas: CO2e, Value: decimal.NewFromInt(1), Published: "1", Provenance: Provenance{Quality: Primary, Table: "definition", Source: "CO2e is 1 kg CO2e per kg by definition"}}, true
	}
	if v, ok := s.values[g]; ok {
		return v, true
	}
	if g == CH4Fossil || g == CH4Biogenic {
		if v, ok := s.values[CH4]; ok {
			return v, true
		}
	}
	return GWP{}, false
}

// Values lists the set's GWPs sorted by gas.
func (s *GWPSet) Values() []GWP {
	out := make([]GWP, 0, len(s.values))
	for _, v := range s.values {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Gas < out[j].Gas })
	return out
}

// Region is a geographic scope of factors.
type Region struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

// Activity is a key of the activity taxonomy.
type Activity struct {
	Key          string      `json:"key"`
	Dimensions   []Dimension `json:"dimensions"`
	DefaultStage string      `json:"default_stage"`
	Title        string      `json:"title"`
}

// Accepts reports whether a quantity of dimension d fits the activity.
func (a Activity) Accepts(d Dimension) bool {
	for _, x := range a.Dimensions {
		if x == d {
			return true
		}
	}
	return false
}

// GasValue is one gas row of a factor, exactly as published.
type GasValue struct {
	Gas Gas `json:"gas"`
	// Value and Unit are as published, e.g. "0.10" and "g/mmBtu".
	Value decimal.Decimal `json:"value"`
	// Published is the value's text exactly as published ("0.10").
	Published string `json:"published"`
	Unit      string `json:"unit"`
	// Mass is the numerator unit (the gas mass unit).
	Mass Unit `json:"-"`
	Provenance
}

// Factor is an emission factor: one or more gas values for an activity in a
// region and life-cycle stage, all per the same activity unit.
type Factor struct {
	// ID is unique in the library: "<dataset>@<version>:<factor_id>".
	ID       string     `json:"id"`
	Dataset  string     `json:"dataset"`
	Activity string     `json:"activity"`
	Region   string     `json:"region"`
	Stage    string     `json:"stage"`
	Basis    Basis      `json:"basis,omitempty"`
	Per      Unit       `json:"-"`
	PerUnit  string     `json:"per"`
	Quality  Quality    `json:"quality"`
	Gases    []GasValue `json:"gases"`
}

// Source lists the cited reference rows of the factor's gas values.
func (f *Factor) Source() string {
	seen := map[string]bool{}
	var out []string
	for _, g := range f.Gases {
		if !seen[g.Source] {
			seen[g.Source] = true
			out = append(out, g.Source)
		}
	}
	return strings.Join(out, "; ")
}

// Table names the published table(s) the factor comes from.
func (f *Factor) Table() string {
	if len(f.Gases) == 0 {
		return ""
	}
	return f.Gases[0].Table
}

// HeatContent converts a physical quantity of fuel to energy, as published.
type HeatContent struct {
	Dataset  string          `json:"dataset"`
	Activity string          `json:"activity"`
	Value    decimal.Decimal `json:"value"`
	// Published is the value's text exactly as published ("48.0").
	Published string `json:"published"`
	Unit      string `json:"unit"`
	Energy    Unit   `json:"-"`
	Per       Unit   `json:"-"`
	Basis     Basis  `json:"basis"`
	Provenance
}

// Limit is a procurement limit on kg CO2e per declared unit.
type Limit struct {
	ID       string          `json:"id"`
	Dataset  string          `json:"dataset"`
	Program  string          `json:"program"`
	Activity string          `json:"activity"`
	Tier     string          `json:"tier"`
	Value    decimal.Decimal `json:"value"`
	// Published is the value's text exactly as published.
	Published string `json:"published"`
	Unit      string `json:"unit"`
	Mass      Unit   `json:"-"`
	Per       Unit   `json:"-"`
	Provenance
}

// Dataset is a named, versioned, immutable table of factors, heat contents
// and limits with its metadata.
type Dataset struct {
	ID        string  `json:"id"`
	Version   string  `json:"version"`
	Title     string  `json:"title"`
	Publisher string  `json:"publisher"`
	Edition   string  `json:"edition"`
	URL       string  `json:"url"`
	Licence   string  `json:"licence"`
	Quality   Quality `json:"quality"`
	Notes     string  `json:"notes,omitempty"`
	// Digest is the SHA-256 of the dataset's canonical content, hex.
	Digest       string        `json:"digest"`
	Factors      []*Factor     `json:"-"`
	HeatContents []HeatContent `json:"-"`
	Limits       []Limit       `json:"-"`
	// CVPairs are published pairs of gross-CV and net-CV factors of one
	// fuel (hv_ratios.csv), from which methods derive HHV↔NCV ratios.
	CVPairs []CVPair `json:"-"`
}

// CVPair is one fuel's factor per unit of energy on a gross-CV (HHV) and on
// a net-CV (NCV) basis, for the same mass of the same gas. Their quotient
// Gross/Net is the fuel's NCV/GCV: energy on NCV = energy on HHV × Gross/Net.
// The values are kept as published; the division is the method's.
type CVPair struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Fuel    string `json:"fuel"`
	// Gross and Net are the published values per unit of energy (Unit).
	Gross          decimal.Decimal `json:"-"`
	GrossPublished string          `json:"gross_cv_value"`
	GrossFactorID  string          `json:"gross_cv_factor_id"`
	Net            decimal.Decimal `json:"-"`
	NetPublished   string          `json:"net_cv_value"`
	NetFactorID    string          `json:"net_cv_factor_id"`
	Unit           string          `json:"unit"`
	Provenance
}

// CVPair returns the dataset's heating-value pair with the given id.
func (d *Dataset) CVPair(id string) (CVPair, bool) {
	for _, p := range d.CVPairs {
		if p.ID == id {
			return p, true
		}
	}
	return CVPair{}, false
}

// Ref is "id@version".
func (d *Dataset) Ref() string { return d.ID + "@" + d.Version }

// Library is the whole body of reference data: units, GWP sets, regions,
// activities and datasets. It is immutable after construction.
type Library struct {
	Units      *Units
	gwpSets    map[string]*GWPSet
	regions    map[string]Region
	activities map[string]Activity
	datasets   map[string]*Dataset
	factorByID map[string]*Factor
}

// GWPSet returns the named set.
func (l *Library) GWPSet(id string) (*GWPSet, error) {
	if s, ok := l.gwpSets[id]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("%w %q: known sets are %s", ErrUnknownGWPSet, clip.Text(id), strings.Join(l.GWPSetIDs(), ", "))
}

// GWPSetIDs lists the GWP set ids, sorted.
func (l *Library) GWPSetIDs() []string { return sortedKeys(l.gwpSets) }

// Region returns a region by code.
func (l *Library) Region(code string) (Region, error) {
	if r, ok := l.regions[code]; ok {
		return r, nil
	}
	return Region{}, fmt.Errorf("%w %q: use an ISO 3166-1 alpha-2 code (DE), EU27, US, US-<eGRID subregion> (US-CAMX) or GLO", ErrUnknownRegion, clip.Text(code))
}

// Regions lists all regions sorted by code.
func (l *Library) Regions() []Region {
	out := make([]Region, 0, len(l.regions))
	for _, k := range sortedKeys(l.regions) {
		out = append(out, l.regions[k])
	}
	return out
}

// Chain returns the region and its ancestors, most specific first.
func (l *Library) Chain(code string) []string {
	var out []string
	for c := code; c != "" && len(out) < 16; c = l.regions[c].Parent {
		out = append(out, c)
	}
	return out
}

// Activity returns an activity by key.
func (l *Library) Activity(key string) (Activity, error) {
	if a, ok := l.activities[key]; ok {
		return a, nil
	}
	return Activity{}, fmt.Errorf("%w %q: see GET /v1/activities or `footprint factors search` for the taxonomy (e.g. fuel.natural_gas, electricity.grid, freight.road, material.steel.rebar)", ErrUnknownActivity, clip.Text(key))
}

// Activities lists the taxonomy sorted by key.
func (l *Library) Activities() []Activity {
	out := make([]Activity, 0, len(l.activities))
	for _, k := range sortedKeys(l.activities) {
		out = append(out, l.activities[k])
	}
	return out
}

// Dataset resolves "id@version" (or "id" alone when exactly one version exists).
func (l *Library) Dataset(ref string) (*Dataset, error) {
	if d, ok := l.datasets[ref]; ok {
		return d, nil
	}
	if !strings.Contains(ref, "@") {
		var found *Dataset
		for _, d := range l.datasets {
			if d.ID == ref {
				if found != nil {
					return nil, fmt.Errorf("%w %q: several versions exist, name one of %s", ErrUnknownDataset, clip.Text(ref), strings.Join(l.DatasetRefs(), ", "))
				}
				found = d
			}
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, fmt.Errorf("%w %q: known datasets are %s", ErrUnknownDataset, clip.Text(ref), strings.Join(l.DatasetRefs(), ", "))
}

// DatasetRefs lists "id@version" of every dataset, sorted.
func (l *Library) DatasetRefs() []string { return sortedKeys(l.datasets) }

// Datasets lists the datasets sorted by reference.
func (l *Library) Datasets() []*Dataset {
	out := make([]*Dataset, 0, len(l.datasets))
	for _, k := range sortedKeys(l.datasets) {
		out = append(out, l.datasets[k])
	}
	return out
}

// Factor returns a factor by its library-wide id.
func (l *Library) Factor(id string) (*Factor, error) {
	if f, ok := l.factorByID[id]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("%w: factor %q (ids look like egrid@2023:US-CAMX)", ErrNotFound, clip.Text(id))
}

// Query selects factors; empty fields match everything.
type Query struct {
	Activity string
	Region   string
	Dataset  string
}

// Search returns the factors matching q, ordered by dataset, activity,
// region and id. An Activity ending in ".*" or "." matches by prefix.
func (l *Library) Search(q Query) []*Factor {
	var out []*Factor
	for _, ref := range l.DatasetRefs() {
		d := l.datasets[ref]
		if q.Dataset != "" && q.Dataset != ref && q.Dataset != d.ID {
			continue
		}
		for _, f := range d.Factors {
			if q.Activity != "" && !matchActivity(q.Activity, f.Activity) {
				continue
			}
			if q.Region != "" && q.Region != f.Region {
				continue
			}
			out = append(out, f)
		}
	}
	return out
}

// MatchActivity reports whether an activity key matches a pattern: the key
// itself, or a prefix followed by ".*".
func MatchActivity(pattern, key string) bool { return matchActivity(pattern, key) }

func matchActivity(pattern, key string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(key, p)
	}
	return pattern == key
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
