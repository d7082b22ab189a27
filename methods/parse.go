package methods

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// ErrInvalidMethod marks a method file that breaks a rule.
var ErrInvalidMethod = errors.New("invalid method")

// Problem is one broken rule in a method file.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Field is the key path, e.g. "rounding.places" or "limits[1].ids".
	Field string `json:"field"`
	// Rule names the rule broken, e.g. "known-gwp-set".
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// String writes the problem as file:line: field: message [rule].
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s [%s]", p.File, p.Line, p.Field, p.Message, p.Rule)
}

// Problems is every rule a method file breaks; it is an error.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalidMethod) true.
func (ps Problems) Unwrap() error { return ErrInvalidMethod }

// MaxFileSize bounds a method file.
const MaxFileSize = 256 << 10

// Parse decodes a method file. It checks syntax and types only; Validate
// checks the rules against a library. Errors are Problems with file:line.
func Parse(file string, src []byte) (*Method, error) {
	if len(src) > MaxFileSize {
		return nil, Problems{{File: file, Line: 1, Field: "", Rule: "size", Message: fmt.Sprintf("file is %d bytes; the limit is %d", len(src), MaxFileSize)}}
	}
	var s Spec
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(&s)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			field := pe.LastKey
			rule := "syntax"
			switch {
			case strings.HasPrefix(pe.Message, "decimals must be quoted"):
				rule = "quoted-decimal"
			case strings.HasPrefix(pe.Message, "not a decimal number"):
				rule = "decimal"
			}
			return nil, Problems{{File: file, Line: pe.Position.Line, Field: field, Rule: rule, Message: pe.Message}}
		}
		return nil, Problems{{File: file, Line: 1, Rule: "syntax", Message: err.Error()}}
	}
	var ps Problems
	for _, k := range md.Undecoded() {
		ps = append(ps, Problem{File: file, Line: locate(src, k.String()), Field: k.String(), Rule: "known-key",
			Message: "unknown key; see docs/methods.md for the fields of a method file"})
	}
	if len(ps) > 0 {
		return nil, ps
	}
	digest, err := Digest(&s)
	if err != nil {
		return nil, err
	}
	return &Method{Spec: s, Digest: digest, File: file}, nil
}

// Canonical is the method's canonical TOML: the decoded content re-encoded
// in a fixed field order, so that comments, spacing and key order do not
// change the digest but every value does.
func Canonical(s *Spec) ([]byte, error) {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Digest is the hex SHA-256 of the canonical form.
//
// The status is left out: retiring a version must not change the digest
// that earlier receipts carry, since a retired version still computes the
// same results.
func Digest(s *Spec) (string, error) {
	c0 := *s
	c0.Status = ""
	c, err := Canonical(&c0)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

var (
	idRe      = regexp.MustCompile(`^[a-z][a-z0-9-]{1,47}$`)
	versionRe = regexp.MustCompile(`^[0-9][0-9A-Za-z.-]{0,23}$`)
	stageRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)
)

// Validate checks every rule of a method against the library and returns all
// problems found (nil when the method is valid). src locates lines; it may be
// nil for methods built in Go.
func Validate(m *Method, lib *factors.Library, src []byte) Problems {
	var ps Problems
	add := func(field, rule, format string, args ...any) {
		ps = append(ps, Problem{File: m.File, Line: locate(src, field), Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	s := &m.Spec
	if !idRe.MatchString(s.ID) {
		add("id", "id-format", "id %q: use 2-48 lower-case letters, digits and dashes, starting with a letter (e.g. us-federal)", s.ID)
	}
	if !versionRe.MatchString(s.Version) {
		add("version", "version-format", "version %q: use a dotted version starting with a digit (e.g. 2025.1)", s.Version)
	}
	if strings.TrimSpace(s.Title) == "" {
		add("title", "required", "title is required")
	}
	if strings.TrimSpace(s.Jurisdiction) == "" {
		add("jurisdiction", "required", "jurisdiction is required (e.g. \"EU\", \"US\")")
	}
	switch s.Status {
	case Draft, Active, Retired:
	default:
		add("status", "known-status", "status %q: use draft, active or retired", s.Status)
	}
	if _, err := lib.GWPSet(s.GWPSet); err != nil {
		add("gwp_set", "known-gwp-set", "%v", err)
	}
	if len(s.Datasets) == 0 {
		add("datasets", "required", "name at least one dataset as id@version")
	}
	seen := map[string]bool{}
	for _, ref := range s.Datasets {
		if !strings.Contains(ref, "@") {
			add("datasets", "dataset-version", "dataset %q: name the version (id@version) so results are reproducible", ref)
			continue
		}
		if _, err := lib.Dataset(ref); err != nil {
			add("datasets", "known-dataset", "%v", err)
		}
		if seen[ref] {
			add("datasets", "unique", "dataset %s is listed twice", ref)
		}
		seen[ref] = true
	}
	if len(s.Stages) == 0 {
		add("stages", "required", "list the life-cycle stages the method counts, e.g. [\"combustion\", \"electricity\"]")
	}
	known := knownStages(lib)
	seenStage := map[string]bool{}
	for _, st := range s.Stages {
		if !stageRe.MatchString(st) || !known[st] {
			add("stages", "known-stage", "stage %q does not exist; stages are %s", st, strings.Join(sortedSet(known), ", "))
		}
		if seenStage[st] {
			add("stages", "unique", "stage %s is listed twice", st)
		}
		seenStage[st] = true
	}
	switch s.BiogenicCO2 {
	case BiogenicMemo, BiogenicCount:
	default:
		add("biogenic_co2", "known-value", "biogenic_co2 %q: use \"memo\" (reported, not counted) or \"count\"", s.BiogenicCO2)
	}
	switch s.Regions.Fallback {
	case FallbackNever, FallbackOnRequest, FallbackAlways:
	default:
		add("regions.fallback", "known-value", "fallback %q: use never, on_request or always", s.Regions.Fallback)
	}
	if s.Rounding.Places < 0 || s.Rounding.Places > 12 {
		add("rounding.places", "range", "places %d: use 0 to 12", s.Rounding.Places)
	}
	switch s.Rounding.Mode {
	case HalfEven, HalfUp:
	default:
		add("rounding.mode", "known-value", "mode %q: use half_even or half_up", s.Rounding.Mode)
	}
	if s.Rounding.DivisionPlaces < s.Rounding.Places+6 || s.Rounding.DivisionPlaces > 40 {
		add("rounding.division_places", "range", "division_places %d: use at least places+6 (%d) and at most 40", s.Rounding.DivisionPlaces, s.Rounding.Places+6)
	}
	for _, list := range []struct {
		field    string
		patterns []string
	}{{"product_factors.accept", s.ProductFactors.Accept}, {"product_factors.require", s.ProductFactors.Require}} {
		for _, p := range list.patterns {
			if !activityPatternExists(lib, p) {
				add(list.field, "known-activity", "activity pattern %q matches no activity (use a key such as material.steel.rebar or a family such as material.*)", p)
			}
		}
	}
	var notAccepted []string
	for _, a := range lib.Activities() {
		if s.ProductFactors.Requires(a.Key) && !s.ProductFactors.Accepts(a.Key) {
			notAccepted = append(notAccepted, a.Key)
		}
	}
	if len(notAccepted) > 0 {
		add("product_factors.require", "consistent", "%s required to have a product-specific factor but not accepted: add them to accept", strings.Join(notAccepted, ", "))
	}
	seenHV := map[string]bool{}
	for i, hv := range s.HeatingValue {
		f := fmt.Sprintf("heating_value[%d]", i)
		if act, err := lib.Activity(hv.Activity); err != nil {
			add(f+".activity", "known-activity", "%v", err)
		} else if !act.Accepts(factors.Energy) {
			add(f+".activity", "hv-activity", "%s is not measured in energy; a heating-value ratio applies to fuels", hv.Activity)
		}
		k := hv.Activity + "|" + string(hv.From) + "|" + string(hv.To)
		if seenHV[k] {
			add(f+".activity", "unique", "a %s→%s ratio for %s is already given", hv.From, hv.To, hv.Activity)
		}
		seenHV[k] = true
		if (hv.From != factors.HHV && hv.From != factors.NCV) || (hv.To != factors.HHV && hv.To != factors.NCV) || hv.From == hv.To {
			add(f+".from", "known-value", "from/to must be HHV and NCV, one each")
		}
		switch {
		case hv.FromData() && (hv.Ratio != nil || hv.Source != ""):
			field := f + ".ratio"
			if hv.Ratio == nil {
				field = f + ".source"
			}
			add(field, "hv-source", "give either ratio and source, or dataset and row (the ratio is then the quotient of the row's published pair), not both")
		case hv.FromData():
			checkHVRow(lib, s, hv, f, add)
		default:
			if hv.Ratio == nil || !hv.Ratio.IsPositive() {
				add(f+".ratio", "positive", "ratio must be a positive quoted decimal (or name a published pair with dataset and row)")
			}
			if strings.TrimSpace(hv.Source) == "" {
				add(f+".source", "provenance", "cite the source of the ratio")
			}
		}
	}
	checkHostData(lib, s, add)
	checkEPD(s, add)
	checkUncertainty(lib, s, add)
	for i, ls := range s.Limits {
		f := fmt.Sprintf("limits[%d]", i)
		d, err := lib.Dataset(ls.Dataset)
		if err != nil {
			add(f+".dataset", "known-dataset", "%v", err)
			continue
		}
		ids := map[string]factors.Limit{}
		for _, l := range d.Limits {
			ids[l.ID] = l
		}
		if len(ls.IDs) == 0 {
			add(f+".ids", "required", "list the limit ids of %s the method checks", d.Ref())
		}
		seenID := map[string]bool{}
		for _, id := range ls.IDs {
			if seenID[id] {
				add(f+".ids", "unique", "limit %q is listed twice", id)
			}
			seenID[id] = true
			l, ok := ids[id]
			if !ok {
				add(f+".ids", "known-limit", "limit %q is not in %s", id, d.Ref())
				continue
			}
			act, err := lib.Activity(l.Activity)
			if err == nil && !act.Accepts(l.Per.Dimension) {
				add(f+".ids", "limit-unit", "limit %q is per %s, which does not fit %s", id, l.Per.Symbol, act.Key)
			}
		}
	}
	return ps
}

var epdModuleRe = regexp.MustCompile(`^[A-D][0-9]{0,2}(-[A-D][0-9]{0,2})?$`)

// checkEPD checks the [epd] rules: at least one indicator, a module such
// as A1-A3, modules to sum that are distinct single modules, a
// non-negative warning period and known conversions.
func checkEPD(s *Spec, add func(field, rule, format string, args ...any)) {
	e := s.EPD
	if e == nil {
		return
	}
	if len(e.Indicators) == 0 {
		add("epd.indicators", "required", "list at least one accepted indicator, e.g. [[epd.indicators]] indicator = \"GWP-total\" standards = [\"EN 15804+A2\"]")
	}
	for i, in := range e.Indicators {
		if strings.TrimSpace(in.Indicator) == "" {
			add(fmt.Sprintf("epd.indicators[%d].indicator", i), "required", "name the indicator (e.g. GWP-total, GWP)")
		}
	}
	if !epdModuleRe.MatchString(e.Modules) {
		add("epd.modules", "known-value", "modules %q: name an EN 15804 module or range, e.g. A1-A3", e.Modules)
	}
	seen := map[string]bool{}
	for _, m := range e.SumOf {
		if !epdModuleRe.MatchString(m) || strings.Contains(m, "-") {
			add("epd.sum_of", "known-value", "module %q: list single modules, e.g. [\"A1\", \"A2\", \"A3\"]", m)
		}
		if seen[m] {
			add("epd.sum_of", "unique", "module %s is listed twice", m)
		}
		seen[m] = true
	}
	if e.ExpiringWithinDays < 0 || e.ExpiringWithinDays > 3660 {
		add("epd.expiring_within_days", "range", "expiring_within_days %d: use 0 to 3660", e.ExpiringWithinDays)
	}
	if len(e.Conversions) == 0 {
		add("epd.conversions", "required", "list the declared-unit conversions allowed: mass, volume, area, count, density")
	}
	for _, c := range e.Conversions {
		switch c {
		case EPDConvMass, EPDConvVolume, EPDConvArea, EPDConvCount, EPDConvDensity:
		default:
			add("epd.conversions", "known-value", "conversion %q: use mass, volume, area, count or density", c)
		}
	}
	switch e.Biogenic {
	case "", BiogenicRefuse, BiogenicFossilLuluc:
	case BiogenicWithC3C4, BiogenicWithRelease:
		if strings.HasPrefix(e.Modules, "C") {
			add("epd.biogenic", "known-value", "biogenic = %q adds C3 and C4 to the counted modules, and modules %q already are end-of-life modules; count A1-A3", e.Biogenic, e.Modules)
		}
	default:
		add("epd.biogenic", "known-value", "biogenic %q: use refuse, fossil_plus_luluc, total_with_c3c4 or total_with_biogenic_c3c4", clip.Text(e.Biogenic))
	}
	switch e.BiogenicApplies {
	case "", BiogenicWhenNegative:
	case BiogenicWhenUptake:
		if e.BiogenicRule() == BiogenicRefuse {
			add("epd.biogenic_applies", "known-value", "biogenic_applies = %q with biogenic = \"refuse\" would refuse every EPD declaring biogenic uptake; name fossil_plus_luluc or total_with_c3c4", e.BiogenicApplies)
		}
	default:
		add("epd.biogenic_applies", "known-value", "biogenic_applies %q: use negative or uptake", clip.Text(e.BiogenicApplies))
	}
	for i, r := range e.Refusals {
		f := fmt.Sprintf("epd.refusals[%d]", i)
		if len(r.Activities) == 0 || len(r.Standards) == 0 {
			add(f, "required", "a refusal names the activities and the standards it refuses")
		}
		if strings.TrimSpace(r.Rule) == "" {
			add(f+".rule", "required", "quote the program's rule (its text and address) that the refusal applies")
		}
	}
	for _, b := range []struct {
		key string
		v   *decimal.Decimal
	}{{"max_kg_co2e_per_kg", e.MaxKgCO2ePerKg}, {"max_kg_co2e_per_m3", e.MaxKgCO2ePerM3}, {"max_kg_co2e_per_m2", e.MaxKgCO2ePerM2}} {
		if b.v != nil && !b.v.IsPositive() {
			add("epd."+b.key, "positive", "%s %s: give a positive quoted decimal from a source the method cites, or leave it out", b.key, clip.Text(b.v.String()))
		}
	}
}

// checkHVRow checks a heating-value ratio taken from a dataset row.
func checkHVRow(lib *factors.Library, s *Spec, hv HVRatio, f string, add func(field, rule, format string, args ...any)) {
	if !strings.Contains(hv.Dataset, "@") {
		add(f+".dataset", "dataset-version", "dataset %q: name a dataset with heating-value rows as id@version, e.g. desnz-ghg@2023", hv.Dataset)
		return
	}
	d, err := lib.Dataset(hv.Dataset)
	if err != nil {
		add(f+".dataset", "known-dataset", "%v", err)
		return
	}
	if len(d.CVPairs) == 0 {
		add(f+".dataset", "hv-dataset", "%s has no heating-value rows (hv_ratios.csv); datasets with them: %s", d.Ref(), strings.Join(hvDatasets(lib), ", "))
		return
	}
	if _, ok := d.CVPair(hv.Row); !ok {
		ids := make([]string, len(d.CVPairs))
		for i, p := range d.CVPairs {
			ids[i] = p.ID
		}
		add(f+".row", "known-row", "%s has no heating-value row %q; its rows are %s", d.Ref(), hv.Row, strings.Join(ids, ", "))
	}
}

func hvDatasets(lib *factors.Library) []string {
	var out []string
	for _, d := range lib.Datasets() {
		if len(d.CVPairs) > 0 {
			out = append(out, d.Ref())
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// checkHostData checks the host_data rules: known regions (not GLO, which
// is every region), activity patterns, datasets named id@version, and that
// each dataset has a factor the rule can reach.
func checkHostData(lib *factors.Library, s *Spec, add func(field, rule, format string, args ...any)) {
	for i, h := range s.HostData {
		f := fmt.Sprintf("host_data[%d]", i)
		if len(h.Regions) == 0 {
			add(f+".regions", "required", "list the regions (or region families, e.g. \"US\" for every US-* subregion) this rule serves")
		}
		for _, r := range h.Regions {
			if _, err := lib.Region(r); err != nil {
				add(f+".regions", "known-region", "%v", err)
			} else if r == "GLO" {
				add(f+".regions", "host-region", "GLO is every region: host data serve regions outside the method's jurisdiction (e.g. \"US\", \"EU27\")")
			}
		}
		if len(h.Activities) == 0 {
			add(f+".activities", "required", "list the activities (or families such as electricity.*) this rule serves")
		}
		for _, p := range h.Activities {
			if !activityPatternExists(lib, p) {
				add(f+".activities", "known-activity", "activity pattern %q matches no activity (use a key such as electricity.grid or a family such as freight.*)", p)
			}
		}
		if len(h.Datasets) == 0 {
			add(f+".datasets", "required", "name at least one dataset as id@version")
		}
		seen := map[string]bool{}
		for _, ref := range h.Datasets {
			if !strings.Contains(ref, "@") {
				add(f+".datasets", "dataset-version", "dataset %q: name the version (id@version) so results are reproducible", ref)
				continue
			}
			if seen[ref] {
				add(f+".datasets", "unique", "dataset %s is listed twice", ref)
			}
			seen[ref] = true
			d, err := lib.Dataset(ref)
			if err != nil {
				add(f+".datasets", "known-dataset", "%v", err)
				continue
			}
			if !hostReaches(lib, h, d) {
				add(f+".datasets", "host-coverage", "%s has no factor for %s in %s or below: it would never serve a line", d.Ref(), strings.Join(h.Activities, ", "), strings.Join(h.Regions, ", "))
			}
		}
	}
}

func hostReaches(lib *factors.Library, h HostRule, d *factors.Dataset) bool {
	for _, f := range d.Factors {
		// A GLO factor (a global default) serves every region.
		if h.Matches(f.Activity, lib.Chain(f.Region)) || (f.Region == "GLO" && anyMatch(h.Activities, f.Activity)) {
			return true
		}
	}
	return false
}

func knownStages(lib *factors.Library) map[string]bool {
	out := map[string]bool{}
	for _, a := range lib.Activities() {
		out[a.DefaultStage] = true
	}
	for _, d := range lib.Datasets() {
		for _, f := range d.Factors {
			out[f.Stage] = true
		}
	}
	return out
}

func activityPatternExists(lib *factors.Library, p string) bool {
	for _, a := range lib.Activities() {
		if factors.MatchActivity(p, a.Key) {
			return true
		}
	}
	return false
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// locate finds the 1-based line that defines a key path such as "gwp_set",
// "rounding.places" or "limits[1].ids" in a TOML source; 1 when unknown.
func locate(src []byte, field string) int {
	if len(src) == 0 {
		return 0
	}
	section, index, key := "", 0, field
	if i := strings.LastIndex(field, "."); i >= 0 {
		section, key = field[:i], field[i+1:]
	}
	if j := strings.Index(section, "["); j >= 0 {
		fmt.Sscanf(section[j:], "[%d]", &index)
		section = section[:j]
	}
	cur, count := "", 0
	seen := map[string]int{} // [[array]] tables seen so far, by name
	sectionLine := 0
	for n, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "[["):
			cur = strings.TrimSpace(strings.Trim(t, "[]"))
			count = seen[cur]
			seen[cur]++
			if cur == section && count == index {
				sectionLine = n + 1
			}
			continue
		case strings.HasPrefix(t, "["):
			cur = strings.TrimSpace(strings.Trim(t, "[]"))
			count = 0
			if cur == section {
				sectionLine = n + 1
			}
			continue
		}
		if cur == section && (section == "" || count == index) {
			k, _, ok := strings.Cut(t, "=")
			if ok && strings.TrimSpace(k) == key {
				return n + 1
			}
		}
	}
	if sectionLine > 0 {
		return sectionLine
	}
	return 1
}
