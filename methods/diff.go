package methods

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
)

// VersionDiff is what changed between two method versions, or two methods: A is
// the old (or first) one, B the new (or second).
type VersionDiff struct {
	A string `json:"a"` // id@version
	B string `json:"b"`
	// DigestA and DigestB are the two methods' digests.
	DigestA string `json:"digest_a"`
	DigestB string `json:"digest_b"`
	// Settings lists the fields whose values differ, in file order.
	Settings []Change `json:"settings"`
	// GWPSetA and GWPSetB name the two GWP sets; GWPValues lists the gases
	// whose GWP differs (empty when the sets agree).
	GWPSetA   string      `json:"gwp_set_a"`
	GWPSetB   string      `json:"gwp_set_b"`
	GWPValues []GWPChange `json:"gwp_values"`
	// DatasetsAdded and DatasetsRemoved compare the datasets by reference.
	DatasetsAdded   []string `json:"datasets_added"`
	DatasetsRemoved []string `json:"datasets_removed"`
	// Factors lists the factors that differ, keyed by activity, region and
	// stage in the datasets each method resolves (first dataset in its order
	// of precedence that has the activity and region).
	Factors []FactorChange `json:"factors"`
	// HeatContents lists the heat contents that differ by activity and the
	// dimension they convert from.
	HeatContents []HeatContentChange `json:"heat_contents"`
	// Limits lists the procurement limits checked by one method only or
	// with another value.
	Limits []LimitChange `json:"limits"`
}

// Change is one setting's old and new value, as written in a method file.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// GWPChange is one gas's GWP under each method; "" where the set has none
// or the gas is not counted.
type GWPChange struct {
	Gas string `json:"gas"`
	Old string `json:"old"`
	New string `json:"new"`
}

// FactorChange is the factor each method uses for an activity, region and
// stage; Old or New is nil where that method has none.
type FactorChange struct {
	Activity string       `json:"activity"`
	Region   string       `json:"region"`
	Stage    string       `json:"stage"`
	Old      *FactorValue `json:"old"`
	New      *FactorValue `json:"new"`
	// SameValues is true when only the source changed (another dataset or
	// version with the same values per unit).
	SameValues bool `json:"same_values"`
}

// FactorValue is a factor as published.
type FactorValue struct {
	ID     string   `json:"id"`
	Basis  string   `json:"basis,omitempty"`
	Values []string `json:"values"` // "CO2 53.06 kg/mmBtu"
}

// String writes the values on one line.
func (v *FactorValue) String() string {
	if v == nil {
		return "—"
	}
	s := strings.Join(v.Values, ", ")
	if v.Basis != "" {
		s += " (" + v.Basis + ")"
	}
	return s + " [" + v.ID + "]"
}

// HeatContentChange is one activity's heat content under each method.
type HeatContentChange struct {
	Activity string `json:"activity"`
	Per      string `json:"per"` // the dimension converted from
	Old      string `json:"old"`
	New      string `json:"new"`
}

// LimitChange is a limit checked by one method only, or with another value.
type LimitChange struct {
	ID       string `json:"id"`
	Activity string `json:"activity"`
	Old      string `json:"old"`
	New      string `json:"new"`
}

// Empty reports whether the two methods are the same in every respect the
// diff compares.
func (d *VersionDiff) Empty() bool {
	return len(d.Settings) == 0 && len(d.GWPValues) == 0 && d.GWPSetA == d.GWPSetB && len(d.DatasetsAdded) == 0 &&
		len(d.DatasetsRemoved) == 0 && len(d.Factors) == 0 && len(d.HeatContents) == 0 && len(d.Limits) == 0
}

// Diff compares two methods against a library: their settings, GWP sets and
// values, datasets, the factors and heat contents they resolve, and their
// limits. Its output is sorted, so the same two methods always give the
// same diff.
func Diff(a, b *Method, lib *factors.Library) (*VersionDiff, error) {
	d := &VersionDiff{A: a.Ref(), B: b.Ref(), DigestA: a.Digest, DigestB: b.Digest, GWPSetA: a.GWPSet, GWPSetB: b.GWPSet}
	d.Settings = settingChanges(&a.Spec, &b.Spec, lib)
	ga, err := lib.GWPSet(a.GWPSet)
	if err != nil {
		return nil, err
	}
	gb, err := lib.GWPSet(b.GWPSet)
	if err != nil {
		return nil, err
	}
	d.GWPValues = gwpChanges(ga, gb, a.BiogenicCO2, b.BiogenicCO2)
	d.DatasetsAdded, d.DatasetsRemoved = setDiff(b.Datasets, a.Datasets), setDiff(a.Datasets, b.Datasets)
	dsA, err := datasets(lib, a.Datasets)
	if err != nil {
		return nil, err
	}
	dsB, err := datasets(lib, b.Datasets)
	if err != nil {
		return nil, err
	}
	d.Factors = factorChanges(resolvedFactors(dsA), resolvedFactors(dsB))
	d.HeatContents = heatChanges(dsA, dsB)
	la, err := limits(lib, a.Limits)
	if err != nil {
		return nil, err
	}
	lb, err := limits(lib, b.Limits)
	if err != nil {
		return nil, err
	}
	d.Limits = limitChanges(la, lb)
	return d, nil
}

func settingChanges(a, b *Spec, lib *factors.Library) []Change {
	var out []Change
	cmp := func(field, x, y string) {
		if x != y {
			out = append(out, Change{Field: field, Old: x, New: y})
		}
	}
	list := func(s []string) string { return "[" + strings.Join(s, ", ") + "]" }
	cmp("id", a.ID, b.ID)
	cmp("version", a.Version, b.Version)
	cmp("title", a.Title, b.Title)
	cmp("jurisdiction", a.Jurisdiction, b.Jurisdiction)
	cmp("status", string(a.Status), string(b.Status))
	cmp("description", strings.TrimSpace(a.Description), strings.TrimSpace(b.Description))
	cmp("gwp_set", a.GWPSet, b.GWPSet)
	cmp("datasets", list(a.Datasets), list(b.Datasets))
	cmp("stages", list(a.Stages), list(b.Stages))
	cmp("biogenic_co2", a.BiogenicCO2, b.BiogenicCO2)
	cmp("regions.fallback", a.Regions.Fallback, b.Regions.Fallback)
	cmp("rounding.places", fmt.Sprint(a.Rounding.Places), fmt.Sprint(b.Rounding.Places))
	cmp("rounding.mode", a.Rounding.Mode, b.Rounding.Mode)
	cmp("rounding.division_places", fmt.Sprint(a.Rounding.DivisionPlaces), fmt.Sprint(b.Rounding.DivisionPlaces))
	cmp("product_factors.accept", list(a.ProductFactors.Accept), list(b.ProductFactors.Accept))
	cmp("product_factors.require", list(a.ProductFactors.Require), list(b.ProductFactors.Require))
	hv := func(s *Spec) map[string]string {
		m := map[string]string{}
		for _, h := range s.HeatingValue {
			m[fmt.Sprintf("heating_value %s %s→%s", h.Activity, h.From, h.To)] = HVText(h, lib, s.Rounding.DivisionPlaces)
		}
		return m
	}
	ha, hb := hv(a), hv(b)
	for _, k := range unionKeys(ha, hb) {
		cmp(k, ha[k], hb[k])
	}
	host := func(s *Spec) map[string]string {
		m := map[string]string{}
		for _, h := range s.HostData {
			for _, r := range h.Regions {
				for _, act := range h.Activities {
					k := fmt.Sprintf("host_data %s %s", r, act)
					if _, ok := m[k]; !ok { // the first rule serves
						m[k] = list(h.Datasets)
					}
				}
			}
		}
		return m
	}
	hoa, hob := host(a), host(b)
	for _, k := range unionKeys(hoa, hob) {
		cmp(k, hoa[k], hob[k])
	}
	ea, eb := epdSettings(a.EPD), epdSettings(b.EPD)
	for _, k := range unionKeys(ea, eb) {
		cmp(k, ea[k], eb[k])
	}
	ua, ub := uncertaintySettings(a.Uncertainty), uncertaintySettings(b.Uncertainty)
	for _, k := range unionKeys(ua, ub) {
		cmp(k, ua[k], ub[k])
	}
	return out
}

// epdSettings lists a method's EPD rules as setting texts ("" when the
// method has none, so that adding the section shows as a change).
func epdSettings(e *EPDRules) map[string]string {
	m := map[string]string{}
	if e == nil {
		return m
	}
	list := func(s []string) string { return "[" + strings.Join(s, ", ") + "]" }
	m["epd.modules"] = e.Modules
	m["epd.sum_of"] = list(e.SumOf)
	m["epd.expiring_within_days"] = fmt.Sprint(e.ExpiringWithinDays)
	m["epd.conversions"] = list(e.Conversions)
	// The sign and range keys show only when given, so that diffs of the
	// methods written before them do not change.
	if e.Biogenic != "" {
		m["epd.biogenic"] = e.Biogenic
	}
	if e.RequireStandard {
		m["epd.require_standard"] = "true"
	}
	if e.BiogenicApplies != "" {
		m["epd.biogenic_applies"] = e.BiogenicApplies
	}
	for i, r := range e.Refusals {
		t := "activities " + list(r.Activities) + " standards " + list(r.Standards)
		if len(r.Unless) > 0 {
			t += " unless " + list(r.Unless)
		}
		m[fmt.Sprintf("epd.refusals[%d]", i)] = t + " (rule: " + r.Rule + ")"
	}
	for k, v := range map[string]*decimal.Decimal{"epd.max_kg_co2e_per_kg": e.MaxKgCO2ePerKg, "epd.max_kg_co2e_per_m3": e.MaxKgCO2ePerM3, "epd.max_kg_co2e_per_m2": e.MaxKgCO2ePerM2} {
		if v != nil {
			m[k] = v.String()
		}
	}
	for i, in := range e.Indicators {
		t := in.Indicator
		if len(in.Standards) > 0 {
			t += " standards " + list(in.Standards)
		}
		if len(in.Sets) > 0 {
			t += " sets " + list(in.Sets)
		}
		if len(in.Activities) > 0 {
			t += " activities " + list(in.Activities)
		}
		if in.Warning != "" {
			t += " (warning: " + in.Warning + ")"
		}
		m[fmt.Sprintf("epd.indicators[%d]", i)] = t
	}
	return m
}

// HVText describes a heating-value ratio: the inline ratio and its source,
// or the quotient of a published pair, its two numbers and the row cited.
func HVText(h HVRatio, lib *factors.Library, places int32) string {
	if !h.FromData() {
		if h.Ratio == nil {
			return "(no ratio) (" + h.Source + ")"
		}
		return h.Ratio.String() + " (" + h.Source + ")"
	}
	r, p, err := h.Resolve(lib, places)
	if err != nil {
		return fmt.Sprintf("%s row %s (%v)", h.Dataset, h.Row, err)
	}
	num, den := p.GrossPublished, p.NetPublished
	if h.From == factors.NCV {
		num, den = den, num
	}
	return fmt.Sprintf("%s = %s/%s (%s row %s, %s)", r.String(), num, den, h.Dataset, h.Row, p.Source)
}

func gwpChanges(a, b *factors.GWPSet, bioA, bioB string) []GWPChange {
	gases := map[factors.Gas]bool{factors.CH4Fossil: true, factors.CH4Biogenic: true, factors.CO2Biogenic: true}
	for _, v := range a.Values() {
		gases[v.Gas] = true
	}
	for _, v := range b.Values() {
		gases[v.Gas] = true
	}
	names := make([]string, 0, len(gases))
	for g := range gases {
		names = append(names, string(g))
	}
	sort.Strings(names)
	val := func(s *factors.GWPSet, g factors.Gas, bio string) string {
		if g == factors.CO2Biogenic && bio == BiogenicMemo {
			return "not counted (biogenic_co2 = memo)"
		}
		if v, ok := s.Lookup(g); ok {
			return v.Value.String()
		}
		return ""
	}
	var out []GWPChange
	for _, n := range names {
		g := factors.Gas(n)
		x, y := val(a, g, bioA), val(b, g, bioB)
		if x == y {
			continue
		}
		if xa, err1 := decimal.NewFromString(x); err1 == nil {
			if ya, err2 := decimal.NewFromString(y); err2 == nil && xa.Equal(ya) {
				continue
			}
		}
		out = append(out, GWPChange{Gas: n, Old: x, New: y})
	}
	return out
}

func datasets(lib *factors.Library, refs []string) ([]*factors.Dataset, error) {
	out := make([]*factors.Dataset, 0, len(refs))
	for _, r := range refs {
		d, err := lib.Dataset(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

type factorKey struct{ activity, region, stage string }

// resolvedFactors picks, for each activity and region, the factors of the
// first dataset (in order of precedence) that has any, as the engine does.
func resolvedFactors(ds []*factors.Dataset) map[factorKey]*factors.Factor {
	taken := map[[2]string]string{} // activity, region -> dataset ref
	out := map[factorKey]*factors.Factor{}
	for _, d := range ds {
		for _, f := range d.Factors {
			ar := [2]string{f.Activity, f.Region}
			if ref, ok := taken[ar]; ok && ref != d.Ref() {
				continue
			}
			taken[ar] = d.Ref()
			k := factorKey{f.Activity, f.Region, f.Stage}
			if _, ok := out[k]; !ok {
				out[k] = f
			}
		}
	}
	return out
}

func factorValue(f *factors.Factor) *FactorValue {
	if f == nil {
		return nil
	}
	v := &FactorValue{ID: f.ID, Basis: string(f.Basis)}
	for _, g := range f.Gases {
		v.Values = append(v.Values, fmt.Sprintf("%s %s %s", g.Gas, g.Value.String(), g.Unit))
	}
	return v
}

// sameValues compares two factors per unit exactly: the same gases, each
// with value × mass / per equal (cross-multiplied, no division), and the
// same basis.
func sameValues(a, b *factors.Factor) bool {
	if a.Basis != b.Basis || a.Per.Dimension != b.Per.Dimension || len(a.Gases) != len(b.Gases) {
		return false
	}
	for i := range a.Gases {
		x, y := a.Gases[i], b.Gases[i]
		if x.Gas != y.Gas {
			return false
		}
		l := x.Value.Mul(x.Mass.Base).Mul(b.Per.Base)
		r := y.Value.Mul(y.Mass.Base).Mul(a.Per.Base)
		if !l.Equal(r) {
			return false
		}
	}
	return true
}

func factorChanges(a, b map[factorKey]*factors.Factor) []FactorChange {
	keys := map[factorKey]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]factorKey, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool {
		x, y := sorted[i], sorted[j]
		if x.activity != y.activity {
			return x.activity < y.activity
		}
		if x.region != y.region {
			return x.region < y.region
		}
		return x.stage < y.stage
	})
	var out []FactorChange
	for _, k := range sorted {
		fa, fb := a[k], b[k]
		if fa != nil && fb != nil && fa.ID == fb.ID {
			continue
		}
		fc := FactorChange{Activity: k.activity, Region: k.region, Stage: k.stage, Old: factorValue(fa), New: factorValue(fb)}
		fc.SameValues = fa != nil && fb != nil && sameValues(fa, fb)
		out = append(out, fc)
	}
	return out
}

func heatChanges(a, b []*factors.Dataset) []HeatContentChange {
	pick := func(ds []*factors.Dataset) map[[2]string]string {
		m := map[[2]string]string{}
		for _, d := range ds {
			for _, h := range d.HeatContents {
				k := [2]string{h.Activity, string(h.Per.Dimension)}
				if _, ok := m[k]; !ok {
					m[k] = fmt.Sprintf("%s %s %s (%s)", h.Value.String(), h.Unit, h.Basis, h.Dataset)
				}
			}
		}
		return m
	}
	ma, mb := pick(a), pick(b)
	keys := map[[2]string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	sorted := make([][2]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i][0] != sorted[j][0] {
			return sorted[i][0] < sorted[j][0]
		}
		return sorted[i][1] < sorted[j][1]
	})
	var out []HeatContentChange
	for _, k := range sorted {
		if ma[k] != mb[k] {
			out = append(out, HeatContentChange{Activity: k[0], Per: k[1], Old: ma[k], New: mb[k]})
		}
	}
	return out
}

func limits(lib *factors.Library, sets []LimitSet) (map[string]factors.Limit, error) {
	out := map[string]factors.Limit{}
	ls, err := ResolveLimits(lib, sets)
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		out[l.Dataset+":"+l.ID] = l
	}
	return out, nil
}

func limitChanges(a, b map[string]factors.Limit) []LimitChange {
	str := func(l factors.Limit, ok bool) string {
		if !ok {
			return ""
		}
		return fmt.Sprintf("%s %s (%s)", l.Value.String(), l.Unit, l.Tier)
	}
	var out []LimitChange
	for _, k := range unionKeys(a, b) {
		la, okA := a[k]
		lb, okB := b[k]
		x, y := str(la, okA), str(lb, okB)
		if x == y {
			continue
		}
		act := la.Activity
		if !okA {
			act = lb.Activity
		}
		out = append(out, LimitChange{ID: k, Activity: act, Old: x, New: y})
	}
	return out
}

func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	out := []string{}
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ResolvedRatio is a heating-value ratio as a method applies it.
type ResolvedRatio struct {
	Activity string `json:"activity"`
	From     string `json:"from"`
	To       string `json:"to"`
	Ratio    string `json:"ratio"`
	// Quotient is the published pair divided (empty for an inline ratio).
	Quotient string `json:"quotient,omitempty"`
	// Source cites the reference row, or the inline ratio's source.
	Source string `json:"source"`
}

// ResolveRatios lists the method's heating-value ratios with their values
// at its division_places, for display (`footprint methods show`).
func ResolveRatios(m *Method, lib *factors.Library) ([]ResolvedRatio, error) {
	var out []ResolvedRatio
	for _, h := range m.HeatingValue {
		r, p, err := h.Resolve(lib, m.Rounding.DivisionPlaces)
		if err != nil {
			return nil, err
		}
		rr := ResolvedRatio{Activity: h.Activity, From: string(h.From), To: string(h.To), Ratio: r.String(), Source: h.Source}
		if p != nil {
			num, den := p.GrossPublished, p.NetPublished
			if h.From == factors.NCV {
				num, den = den, num
			}
			rr.Quotient, rr.Source = num+"/"+den, p.Source
		}
		out = append(out, rr)
	}
	return out, nil
}
