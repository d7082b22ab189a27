package epd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// maxQuote bounds how much of the input a message echoes.
const maxQuote = 40

// quote is s for a message: quoted, and cut to a short prefix so that a
// message never carries more than a little of a hostile input.
func quote(s string) string {
	if len(s) > maxQuote {
		cut := maxQuote
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// clip bounds a text value kept in a Declaration (a name, an operator):
// the document is trusted for its numbers only after checks, and a
// megabyte-long "name" must not travel into every receipt.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const maxText = 500
	if len(s) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// maxNumberLen and maxExponent bound a published number: a longer one is
// no measurement, and an exponent like 1e999999999 would make exact
// arithmetic allocate without bound.
const (
	maxNumberLen = 64
	maxExponent  = 60
)

// parseNum reads a published number exactly ("780", "1.5E2", "-0.0031").
func parseNum(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Decimal{}, fmt.Errorf("empty, want a number")
	}
	if len(s) > maxNumberLen {
		return decimal.Decimal{}, fmt.Errorf("number longer than %d characters", maxNumberLen)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s is not a number (want e.g. 780 or 1.5E2)", quote(s))
	}
	if e := d.Exponent(); e > maxExponent || e < -maxExponent {
		return decimal.Decimal{}, fmt.Errorf("%s is out of range (exponent beyond ±%d)", quote(s), maxExponent)
	}
	return d, nil
}

// parseValidUntil reads a validity end: a year ("2027": through
// 2027-12-31), a date ("2027-03-01") or a date-time whose date part is
// taken as written ("2027-03-01T00:00:00Z").
func parseValidUntil(s string) (t time.Time, yearOnly bool, err error) {
	s = strings.TrimSpace(s)
	if len(s) == 4 {
		if y, err := time.Parse("2006", s); err == nil {
			return time.Date(y.Year(), 12, 31, 0, 0, 0, 0, time.UTC), true, nil
		}
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	t, err = time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s is not a year or a date (want 2027 or 2027-03-01)", quote(s))
	}
	return t, false, nil
}

// validity is one end of validity a document states: the field it is
// read from and the day (the 31 December of a year given alone).
type validity struct {
	field    string
	day      time.Time
	yearOnly bool
}

// setValidity takes the most precise of the ends of validity a document
// states: a date over a year (a registry that writes the year alone in one
// field and the day in another means the day), and of two dates or two
// years the earlier. It notes when they disagree, so that nothing is
// dropped silently.
func (d *Declaration) setValidity(vs []validity) {
	if len(vs) == 0 {
		return
	}
	best := vs[0]
	for _, v := range vs[1:] {
		switch {
		case best.yearOnly && !v.yearOnly:
			best = v
		case best.yearOnly == v.yearOnly && v.day.Before(best.day):
			best = v
		}
	}
	d.ValidUntil, d.ValidUntilYearOnly, d.ValidUntilField = best.day, best.yearOnly, best.field
	for _, v := range vs {
		if v.field == best.field {
			continue
		}
		if v.yearOnly && !best.yearOnly && v.day.Year() == best.day.Year() {
			continue // the year and its day agree
		}
		if v.yearOnly == best.yearOnly && v.day.Equal(best.day) {
			continue
		}
		d.Notes = append(d.Notes, fmt.Sprintf("%s (%s) and %s (%s) disagree; %s is taken", best.field, showValidity(best), v.field, showValidity(v), best.field))
	}
}

// showValidity writes an end of validity with the precision it was given.
func showValidity(v validity) string {
	if v.yearOnly {
		return fmt.Sprintf("%d, year only", v.day.Year())
	}
	return v.day.Format(time.DateOnly)
}

// ef3Indicators are EN 15804+A2's climate change indicators (EF 3.x
// characterisation), as the reader names them.
var ef3Indicators = map[string]bool{"GWP-total": true, "GWP-fossil": true, "GWP-biogenic": true, "GWP-luluc": true}

// standardFromEvidence decides the amendment of an EN 15804 declaration
// that names none (registries' EN 15804+A1-era documents write plain "EN
// 15804") from its GWP indicators: EF 3.x's GWP-total, -fossil, -biogenic
// or -luluc are EN 15804+A2's; CML's "Global warming potential (GWP)"
// alone (GWP, with no set or a CML set) is EN 15804+A1's. Standard then
// names the amendment and StandardEvidence says why; with both kinds, or
// neither, Standard stays "EN 15804" and a note says so.
func (d *Declaration) standardFromEvidence() {
	if d.Standard != "EN 15804" {
		return
	}
	var a2 []string
	a1, other := false, false
	seen := map[string]bool{}
	for _, r := range d.Results {
		switch {
		case ef3Indicators[r.Indicator]:
			if !seen[r.Indicator] {
				seen[r.Indicator] = true
				a2 = append(a2, r.Indicator)
			}
		case r.Indicator == "GWP" && (r.Set == "" || strings.HasPrefix(strings.ToUpper(r.Set), "CML")):
			a1 = true
		default:
			other = true
		}
	}
	defer func() { // ConformsTo names the amendment decided
		for i, s := range d.ConformsTo {
			if s == "EN 15804" {
				d.ConformsTo[i] = d.Standard
			}
		}
	}()
	switch {
	case len(a2) > 0 && !a1:
		d.Standard = "EN 15804+A2"
		d.StandardEvidence = fmt.Sprintf("the document names EN 15804 without its amendment; its GWP indicators %s are EF 3.x's, which EN 15804+A2 prescribes", strings.Join(a2, ", "))
	case a1 && len(a2) == 0 && !other:
		d.Standard = "EN 15804+A1"
		d.StandardEvidence = "the document names EN 15804 without its amendment; its only GWP indicator is GWP (CML's \"Global warming potential\"), EN 15804+A1's, and none of EF 3.x's GWP-total, GWP-fossil, GWP-biogenic, GWP-luluc"
	default:
		d.Notes = append(d.Notes, "standard: EN 15804 without its amendment, and its GWP indicators do not tell +A1 from +A2")
	}
}

// conforms records a standard the document declares conformity with:
// once in ConformsTo, and as Standard when it is the first EN 15804 (the
// standard a method's indicator rules read), or the first of any kind
// while no EN 15804 is named.
func (d *Declaration) conforms(s string) {
	if s == "" || slices.Contains(d.ConformsTo, s) || len(d.ConformsTo) >= MaxClassifications {
		return
	}
	d.ConformsTo = append(d.ConformsTo, s)
	isEN := strings.HasPrefix(s, "EN 15804")
	if d.Standard == "" || (isEN && !strings.HasPrefix(d.Standard, "EN 15804")) {
		d.Standard = s
	}
}

// warn records an optional field skipped: in Warnings and Notes.
func (d *Declaration) warn(msg string) {
	d.Warnings = append(d.Warnings, msg)
	d.Notes = append(d.Notes, msg)
}

// digest is the hex SHA-256 of a file as given.
func digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// sumModules adds, for every indicator (and set) that declares A1, A2 and
// A3 but no A1-A3, an "A1-A3" result that is their exact sum, marked
// Summed; it notes an indicator that has some of A1, A2, A3 but neither
// all three nor A1-A3.
func (d *Declaration) sumModules() {
	type key struct{ set, ind string }
	type parts struct {
		have  map[string]Result
		total bool
	}
	var order []key
	byKey := map[key]*parts{}
	for _, r := range d.Results {
		k := key{r.Set, r.Indicator}
		p := byKey[k]
		if p == nil {
			p = &parts{have: map[string]Result{}}
			byKey[k] = p
			order = append(order, k)
		}
		switch r.Module {
		case "A1-A3":
			p.total = true
		case "A1", "A2", "A3":
			p.have[r.Module] = r
		}
	}
	for _, k := range order {
		p := byKey[k]
		if p.total || len(p.have) == 0 {
			continue
		}
		name := k.ind
		if k.set != "" {
			name = k.set + " " + k.ind
		}
		var missing []string
		for _, m := range []string{"A1", "A2", "A3"} {
			if _, ok := p.have[m]; !ok {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			d.Notes = append(d.Notes, fmt.Sprintf("%s: no A1-A3 and no %s, so A1-A3 cannot be summed", name, strings.Join(missing, ", ")))
			continue
		}
		a1, a2, a3 := p.have["A1"], p.have["A2"], p.have["A3"]
		unit := a1.Unit
		if a2.Unit != unit || a3.Unit != unit {
			d.Notes = append(d.Notes, fmt.Sprintf("%s: A1, A2, A3 are in different units (%s, %s, %s), so A1-A3 cannot be summed", name, quote(a1.Unit), quote(a2.Unit), quote(a3.Unit)))
			continue
		}
		sum := a1.Value.Add(a2.Value).Add(a3.Value)
		d.Results = append(d.Results, Result{Indicator: k.ind, Set: k.set, Module: "A1-A3", Value: sum, Unit: unit, Summed: true, SummedFrom: []string{"A1", "A2", "A3"}})
		d.Notes = append(d.Notes, fmt.Sprintf("%s: A1-A3 = A1 + A2 + A3 = %s (summed, not declared)", name, sum.String()))
	}
}

// densityFrom derives a density in kg/m3 from a mass per declared unit,
// when the declared unit is a volume in m3, exactly or not at all.
func densityFrom(massKg decimal.Decimal, declared Quantity) (*decimal.Decimal, string) {
	if declared.Unit != "m3" || !declared.Amount.IsPositive() || !massKg.IsPositive() {
		return nil, ""
	}
	if declared.Amount.Equal(decimal.NewFromInt(1)) {
		return &massKg, ""
	}
	q := massKg.DivRound(declared.Amount, 16)
	if !q.Mul(declared.Amount).Equal(massKg) {
		return nil, fmt.Sprintf("density: %s kg per %s m3 is not an exact number of kg/m3; no density taken", massKg, declared.Amount)
	}
	return &q, ""
}

// Problems are the reasons a declaration cannot be used under any method:
// no declared unit, or no GWP result for A1-A3 (declared, or summed from
// A1, A2 and A3). Which indicator counts, validity on a date and unit
// conversion are the method's rules, judged in calc.
func (d *Declaration) Problems() []string {
	var out []string
	if d.DeclaredUnit.Unit == "" || !d.DeclaredUnit.Amount.IsPositive() {
		out = append(out, "declared unit: missing or not a positive amount; the result per declared unit cannot be scaled to a line")
	}
	gwp := false
	for _, r := range d.Results {
		if r.Module == "A1-A3" && strings.HasPrefix(strings.ToLower(r.Indicator), "gwp") {
			gwp = true
			break
		}
	}
	if !gwp {
		out = append(out, "results: no GWP result for A1-A3 (nor A1, A2 and A3 to sum); the EPD does not cover product manufacture")
	}
	return out
}
