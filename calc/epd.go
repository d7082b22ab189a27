package calc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

// ErrEPD marks an EPD document that the method's rules refuse (no rules,
// indicator, modules, validity, declared unit). It is a kind of
// ErrProductFactor: errors.Is(err, ErrProductFactor) holds too.
var ErrEPD = fmt.Errorf("EPD refused: %w", ErrProductFactor)

// DateLayout is the layout of a bid's date and valid_through (ISO 8601
// calendar date).
const DateLayout = "2006-01-02"

// EPDDocument is a line's EPD document: its format, its file name (for
// messages), its bytes as given and what epd.Parse read from them.
//
// In JSON (the canonical input that InputDigest hashes, and tender bids as
// stored) it is {"format", "file", "sha256", "document": base64}; decoding
// reads the document again with epd.Parse, so a stored bid recomputes from
// the file itself.
type EPDDocument struct {
	Format      string
	File        string
	Raw         []byte
	Declaration *epd.Declaration
}

type epdDocumentJSON struct {
	Format   string `json:"format"`
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
	Document string `json:"document"`
}

// MarshalJSON writes the format, the file name, the SHA-256 and the bytes.
func (d *EPDDocument) MarshalJSON() ([]byte, error) {
	j := epdDocumentJSON{Format: d.Format, File: d.File, Document: base64.StdEncoding.EncodeToString(d.Raw)}
	if d.Declaration != nil {
		j.SHA256 = d.Declaration.SHA256
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes and parses the document.
func (d *EPDDocument) UnmarshalJSON(b []byte) error {
	var j epdDocumentJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if base64.StdEncoding.DecodedLen(len(j.Document)) > epd.MaxBytes+3 {
		return &epd.DocError{File: j.File, Field: "document", Msg: fmt.Sprintf("over %d bytes", epd.MaxBytes), Err: epd.ErrTooLarge}
	}
	raw, err := base64.StdEncoding.DecodeString(j.Document)
	if err != nil {
		return &epd.DocError{File: j.File, Field: "document", Msg: "not base64", Err: epd.ErrMalformed}
	}
	decl, err := epd.Parse(j.Format, j.File, raw)
	if err != nil {
		return err
	}
	*d = EPDDocument{Format: j.Format, File: j.File, Raw: raw, Declaration: decl}
	return nil
}

// EPDUsed is the identity of the EPD a line's factor comes from and what
// the method's rules took from it.
type EPDUsed struct {
	File               string `json:"file"`
	Format             string `json:"format"`
	ID                 string `json:"id"`
	Name               string `json:"name,omitempty"`
	RegistrationNumber string `json:"registration_number,omitempty"`
	ProgramOperator    string `json:"program_operator,omitempty"`
	Standard           string `json:"standard,omitempty"`
	// StandardEvidence says how the standard's amendment was decided when
	// the document names EN 15804 without it (from its GWP indicators).
	StandardEvidence string `json:"standard_evidence,omitempty"`
	// ValidUntil is the end of validity with the precision the document
	// gives it: the last day (YYYY-MM-DD), or the year (YYYY) when the
	// document states only a year (ValidUntilYearOnly; judged valid through
	// its 31 December, with a warning when the bid is dated in that year).
	ValidUntil         string `json:"valid_until"`
	ValidUntilYearOnly bool   `json:"valid_until_year_only,omitempty"`
	Indicator          string `json:"indicator"`
	// Set is the indicator set (openEPD), when the document names one.
	Set     string `json:"set,omitempty"`
	Modules string `json:"modules"`
	// SummedFrom lists the modules summed to make Modules, when the
	// document declares them separately.
	SummedFrom []string `json:"summed_from,omitempty"`
	// ValueFrom names the document field the value was read from when it
	// is not the format's results: "gwp", an openEPD document's top-level
	// A1-A3 GWP (EC3 records), read when its impacts declare none.
	ValueFrom string `json:"value_from,omitempty"`
	// Value is the kg CO2e per declared unit used, exact.
	Value string `json:"value"`
	// DeclaredUnit is the declared unit, e.g. "1 t" or "1 m3".
	DeclaredUnit string `json:"declared_unit"`
	// Density is the document's density (kg/m3), when a conversion used it.
	Density string `json:"density_kg_per_m3,omitempty"`
	SHA256  string `json:"sha256"`
}

// asOf is the date a bid's EPDs are judged on and the end of the period
// in which an end of validity gives a warning (zero: the method's
// expiring_within_days after the date).
type asOf struct {
	date, through time.Time
	set           bool
}

// bidDates parses a bid's date and valid_through.
func bidDates(b Bid) (asOf, []Problem) {
	var a asOf
	var probs []Problem
	parse := func(ptr, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(DateLayout, s)
		if err != nil {
			probs = append(probs, Problem{Pointer: ptr, Detail: fmt.Sprintf("%q is not a date: write YYYY-MM-DD, e.g. 2026-03-31", clip.Text(s)), Err: factors.ErrInvalid})
		}
		return t
	}
	a.date = parse("/date", b.Date)
	a.through = parse("/valid_through", b.ValidThrough)
	a.set = !a.date.IsZero()
	if a.set && !a.through.IsZero() && a.through.Before(a.date) {
		probs = append(probs, Problem{Pointer: "/valid_through", Detail: fmt.Sprintf("valid_through %s is before the bid's date %s", b.ValidThrough, b.Date), Err: factors.ErrInvalid})
	}
	if b.ValidThrough != "" && b.Date == "" {
		probs = append(probs, Problem{Pointer: "/date", Detail: "valid_through needs the bid's date too", Err: factors.ErrInvalid})
	}
	return a, probs
}

// HasEPD reports whether a line of the bid carries an EPD document.
func (b *Bid) HasEPD() bool {
	for i := range b.Lines {
		if f := b.Lines[i].Factor; f != nil && f.EPD != nil {
			return true
		}
	}
	return false
}

// DefaultDate sets the bid's date to now's calendar day (UTC) when it has
// none and a line carries an EPD: callers pass their clock, so that the
// engine never reads one. Bids without EPDs are left alone (their input
// digest does not change).
func (b *Bid) DefaultDate(now time.Time) {
	if b.Date == "" && b.HasEPD() {
		b.Date = now.UTC().Format(DateLayout)
	}
}

// epdLabel names a declaration in messages: its registration number, else
// its id, with the file.
func epdLabel(d *epd.Declaration, file string) string {
	name := d.RegistrationNumber
	if name == "" {
		name = d.ID
	}
	if name == "" {
		name = "(no id)"
	}
	name = clip.ID(name)
	if file != "" {
		name += " (" + clip.Text(file) + ")"
	}
	return name
}

// epdValue is what the rules take from a declaration for one line: kg
// CO2e per line unit = num/den, the identity, and warnings.
type epdValue struct {
	num, den decimal.Decimal
	used     EPDUsed
	per      string
	warnings []string
	notes    []string
}

func epdErr(field, format string, args ...any) error {
	return fieldErrf(field, ErrEPD, format, args...)
}

// normModule writes a module as "A1-A3": en dashes and spaces as published
// vary.
func normModule(m string) string {
	m = strings.ToUpper(strings.TrimSpace(m))
	m = strings.NewReplacer("–", "-", "—", "-", " ", "", "‑", "-").Replace(m)
	return m
}

// applyEPD applies a method's EPD rules to a declaration for a line of
// activity act in unit u, judged on the bid's dates.
func applyEPD(m *methods.Method, d *epd.Declaration, file string, units *factors.Units, act factors.Activity, u factors.Unit, when asOf) (*epdValue, error) {
	rules := m.EPD
	if rules == nil {
		return nil, epdErr("factor.epd", "method %s declares no EPD rules; give factor.kg_co2e, factor.per and factor.reference", m.Ref())
	}
	label := epdLabel(d, file)
	v := &epdValue{}

	// Validity, judged on the bid's date.
	if !when.set {
		return nil, epdErr("factor.epd", "EPD %s: the bid needs a date (date, YYYY-MM-DD) to judge the EPD's validity", label)
	}
	if d.ValidUntil.IsZero() {
		return nil, epdErr("factor.epd", "EPD %s states no end of validity (valid until): it cannot be judged valid", label)
	}
	until := d.ValidUntil.UTC().Format(DateLayout)
	untilDay, _ := time.Parse(DateLayout, until)
	shown := until // the end as the document gives it
	if d.ValidUntilYearOnly {
		shown = untilDay.Format("2006")
	}
	bidDay := when.date.Format(DateLayout)
	if when.date.After(untilDay) {
		if d.ValidUntilYearOnly {
			return nil, epdErr("factor.epd", "EPD %s is valid until %s (year only), so at the latest through 31 December %s; the bid is dated %s", label, shown, shown, bidDay)
		}
		return nil, epdErr("factor.epd", "EPD %s expired on %s; the bid is dated %s", label, until, bidDay)
	}
	end, why := when.through, "the tender period"
	if end.IsZero() {
		end, why = when.date.AddDate(0, 0, rules.ExpiringWithinDays), fmt.Sprintf("%d days of the bid's date (method rule epd.expiring_within_days)", rules.ExpiringWithinDays)
	}
	switch {
	case d.ValidUntilYearOnly && when.date.Year() == untilDay.Year():
		v.warnings = append(v.warnings, fmt.Sprintf("EPD %s is valid until %s (year only: the document gives no day) and the bid is dated %s, in that year: the EPD may expire before 31 December; check the end of validity its text states", label, shown, bidDay))
	case d.ValidUntilYearOnly && untilDay.Before(end):
		v.warnings = append(v.warnings, fmt.Sprintf("EPD %s is valid until %s (year only), within %s (until %s)", label, shown, why, end.Format(DateLayout)))
	case untilDay.Before(end):
		v.warnings = append(v.warnings, fmt.Sprintf("EPD %s expires on %s, within %s (until %s)", label, until, why, end.Format(DateLayout)))
	}

	// Refusals by a cited rule, then indicator and modules.
	conforms := d.ConformsTo
	if len(conforms) == 0 && d.Standard != "" {
		conforms = []string{d.Standard}
	}
	for _, r := range rules.Refusals {
		if r.Applies(act.Key, conforms) {
			return nil, epdErr("factor.epd", "EPD %s conforms to %s; by rule, method %s does not accept it for %s: %s", label,
				clip.Text(strings.Join(conforms, ", ")), m.Ref(), act.Key, r.Rule)
		}
	}
	if rules.RequireStandard && len(conforms) == 0 {
		return nil, epdErr("factor.epd", "EPD %s names no standard it conforms to; by rule, method %s counts only declarations that name one it accepts (epd.require_standard)", label, m.Ref())
	}
	res, ind, err := chooseIndicator(rules, d, act.Key, conforms, label, m.Ref())
	if err != nil {
		return nil, err
	}
	value, match, summed, found := moduleResult(res, rules.Modules, rules.SumOf)
	switch {
	case summed:
		v.used.SummedFrom = append([]string(nil), rules.SumOf...)
	case match != nil:
		v.used.ValueFrom = match.From
		if match.Summed {
			// The reader summed it (epd.Result.Summed): the document
			// declares the parts, not the total.
			v.used.SummedFrom = append([]string(nil), match.SummedFrom...)
		}
	}
	if !found {
		declared := map[string]bool{}
		for _, r := range res {
			declared[r.Module] = true
		}
		also := ""
		if len(rules.SumOf) > 0 {
			also = " nor " + strings.Join(rules.SumOf, ", ") + " separately"
		}
		return nil, epdErr("factor.epd", "EPD %s declares %s for %s only, not for %s%s: method %s counts %s", label, ind.Indicator,
			clip.Text(strings.Join(sortedKeys(declared), ", ")), rules.Modules, also, m.Ref(), rules.Modules)
	}
	if err := CheckQuantity(value.Abs()); err != nil {
		return nil, epdErr("factor.epd", "EPD %s: %s %s: %v", label, ind.Indicator, rules.Modules, err)
	}
	if ind.Warning != "" {
		v.warnings = append(v.warnings, "EPD "+label+": "+ind.Warning)
	}
	if v.used.ValueFrom == "gwp" {
		v.warnings = append(v.warnings, fmt.Sprintf("EPD %s: %s %s is the document's top-level gwp (its impacts declare no A1-A3 GWP); the document does not say under which indicator set", label, ind.Indicator, rules.Modules))
	}
	for _, w := range d.Warnings {
		v.warnings = append(v.warnings, "EPD "+label+": "+w) // the reader's own text, quoting at most a short prefix of the input
	}

	// Declared unit to the line's unit.
	du := d.DeclaredUnit
	dUnit, err := units.Parse(du.Unit)
	if err != nil {
		return nil, epdErr("factor.epd", "EPD %s: declared unit %q is not a unit footprint knows (%v)", label, clip.Text(du.Unit), err)
	}
	if !du.Amount.IsPositive() {
		return nil, epdErr("factor.epd", "EPD %s: declared unit amount %s must be positive", label, du.Amount.String())
	}

	// Sign (epd.biogenic) and plausibility (epd.max_kg_co2e_per_*):
	// calc/epdguard.go.
	value, instead, err := guardSign(m, d, res, ind.Indicator, value, label, du.Amount.String()+" "+dUnit.Symbol)
	if err != nil {
		return nil, err
	}
	if instead != "" {
		v.warnings = append(v.warnings, instead)
	}
	if err := guardRange(m, value, du.Amount, dUnit, ind.Indicator, label); err != nil {
		return nil, err
	}
	// kg CO2e per line unit = value × num / den
	perDeclared := du.Amount.Mul(dUnit.Base) // declared unit in base units
	var num, den decimal.Decimal
	cannot := func(hint string) error {
		return epdErr("factor.epd", "EPD %s: declared unit %s cannot be converted to %s for %s%s", label, dUnit.Symbol, u.Symbol, act.Key, hint)
	}
	switch {
	case dUnit.Dimension == u.Dimension:
		kind := string(u.Dimension)
		if !rules.Allows(kind) {
			return nil, cannot(fmt.Sprintf(" (method %s converts %s only)", m.Ref(), strings.Join(rules.Conversions, ", ")))
		}
		num, den = u.Base.Mul(value), perDeclared
	case (dUnit.Dimension == factors.Volume && u.Dimension == factors.Mass) || (dUnit.Dimension == factors.Mass && u.Dimension == factors.Volume):
		if !rules.Allows(methods.EPDConvDensity) {
			return nil, cannot(fmt.Sprintf(" (method %s does not convert between volume and mass)", m.Ref()))
		}
		if d.Density == nil || !d.Density.IsPositive() {
			return nil, cannot(" (a volume converts to a mass only with a density the EPD states, and it states none)")
		}
		rho := *d.Density
		v.used.Density = rho.String()
		if u.Dimension == factors.Mass { // line mass → m3 by ÷ρ
			num, den = u.Base.Mul(value), rho.Mul(perDeclared)
		} else { // line volume → kg by ×ρ
			num, den = u.Base.Mul(rho).Mul(value), perDeclared
		}
		v.notes = append(v.notes, fmt.Sprintf("declared unit %s %s converted to %s with the EPD's density %s kg/m3", du.Amount.String(), dUnit.Symbol, u.Symbol, rho.String()))
	default:
		return nil, cannot("")
	}
	v.num, v.den, v.per = num, den, dUnit.Symbol
	v.used = EPDUsed{File: file, Format: d.Format, ID: d.ID, Name: d.Name, RegistrationNumber: d.RegistrationNumber,
		ProgramOperator: d.ProgramOperator, Standard: d.Standard, StandardEvidence: d.StandardEvidence, ValidUntil: shown, ValidUntilYearOnly: d.ValidUntilYearOnly, Indicator: ind.Indicator, Set: res[0].Set,
		Modules: rules.Modules, SummedFrom: v.used.SummedFrom, ValueFrom: v.used.ValueFrom, Value: value.String(),
		DeclaredUnit: du.Amount.String() + " " + dUnit.Symbol, Density: v.used.Density, SHA256: d.SHA256}
	v.notes = append([]string{fmt.Sprintf("EPD %s: %s %s = %s kg CO2e per %s %s", label, ind.Indicator, rules.Modules, value.String(), du.Amount.String(), dUnit.Symbol)}, v.notes...)
	return v, nil
}

// chooseIndicator returns the results of the first indicator of the rules
// that the declaration has (in the first accepted set), and that rule.
func chooseIndicator(rules *methods.EPDRules, d *epd.Declaration, activity string, conforms []string, label, ref string) ([]epd.Result, methods.EPDIndicator, error) {
	for _, in := range rules.Indicators {
		if !in.AppliesTo(activity) || !standardMatches(in.Standards, conforms) {
			continue
		}
		bySet := map[string][]epd.Result{}
		var sets []string
		for _, r := range d.Results {
			if strings.EqualFold(strings.TrimSpace(r.Indicator), in.Indicator) {
				if _, ok := bySet[r.Set]; !ok {
					sets = append(sets, r.Set)
				}
				bySet[r.Set] = append(bySet[r.Set], r)
			}
		}
		if len(sets) == 0 {
			continue
		}
		if len(in.Sets) > 0 {
			for _, want := range in.Sets {
				for _, s := range sets {
					if strings.EqualFold(strings.TrimSpace(s), want) {
						return bySet[s], in, nil
					}
				}
			}
			continue
		}
		if len(sets) == 1 {
			return bySet[sets[0]], in, nil
		}
		if rs, ok := bySet[""]; ok {
			return rs, in, nil
		}
		sort.Strings(sets)
		return nil, in, epdErr("factor.epd", "EPD %s declares %s under several sets (%s) and method %s names none of them", label, in.Indicator, clip.Text(strings.Join(sets, ", ")), ref)
	}
	// One sentence naming what the method accepts and what the document
	// declares, each indicator with its standard, so that the two compare.
	var accepted []string
	for _, in := range rules.Indicators {
		if !in.AppliesTo(activity) {
			continue
		}
		s := in.Indicator
		if len(in.Sets) > 0 {
			s += " (" + strings.Join(in.Sets, ", ") + ")"
		}
		if len(in.Standards) > 0 {
			s += " under " + strings.Join(in.Standards, " or ")
		}
		accepted = append(accepted, s)
	}
	declared := map[string]bool{}
	for _, r := range d.Results {
		k := r.Indicator
		if r.Set != "" {
			k += " (" + r.Set + ")"
		}
		declared[k] = true
	}
	under := "under no standard it names"
	switch {
	case d.Standard == "EN 15804":
		under = "under EN 15804 without its amendment (its indicators do not tell +A1 from +A2)"
	case d.Standard != "":
		under = "under " + clip.Text(d.Standard)
	}
	if d.StandardEvidence != "" {
		under += " (amendment read from its indicators)"
	}
	return nil, methods.EPDIndicator{}, epdErr("factor.epd", "EPD %s declares none of the indicators method %s accepts (%s): it declares %s %s", label, ref,
		strings.Join(accepted, ", or "), clip.Text(declaredList(sortedKeys(declared))), under)
}

// declaredList names a document's indicators in a refusal.
func declaredList(inds []string) string {
	if len(inds) == 0 {
		return "no GWP indicator"
	}
	return strings.Join(inds, ", ")
}

// standardMatches: no standard required, or the declaration names none
// (the indicator's name then decides), or one it conforms to starts with
// one of them.
func standardMatches(want, conforms []string) bool {
	if len(want) == 0 || len(conforms) == 0 {
		return true
	}
	return methods.StandardsMatch(want, conforms)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
