package methods

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// Uncertainty is a method's uncertainty model ([uncertainty] in the
// method file): which published intervals the sampling uses, for which
// factors, heat contents, activity data, GWPs and EPDs. Everything it
// does not name is exact and reported as "no published uncertainty". The
// numbers themselves are never written here: rows are looked up in the
// published tables (package uncertainty, copies of
// ../shared/reference-data/uncertainty) and statements by id.
type Uncertainty struct {
	// Description says, in words, what the model covers and what it leaves out.
	Description string `toml:"description,omitempty" json:"description,omitempty"`
	// Factors map a factor's gases to a published table row.
	Factors []UncertainFactor `toml:"factors,omitempty" json:"factors,omitempty"`
	// HeatContents map a dataset's heat content (NCV) to a table row.
	HeatContents []UncertainHeatContent `toml:"heat_contents,omitempty" json:"heat_contents,omitempty"`
	// ActivityData give lines of some activities a published default
	// uncertainty of their quantity (first matching rule wins).
	ActivityData []UncertainActivity `toml:"activity_data,omitempty" json:"activity_data,omitempty"`
	// GWP gives some gases' GWPs a published uncertainty.
	GWP []UncertainGWP `toml:"gwp,omitempty" json:"gwp,omitempty"`
	// EPD is "declared" (an EPD document's own declared uncertainty of
	// the value counted, where it declares one: an openEPD measurement's
	// rsd and dist, or an ILCD+EPD LCIA result's
	// uncertaintyDistributionType and relativeStandardDeviation95In, as
	// package epd reads them; otherwise exact) or "none" (EPD values
	// exact). docs/uncertainty.md gives the rule.
	EPD string `toml:"epd" json:"epd"`
}

// EPD uncertainty rules.
const (
	EPDDeclared = "declared"
	EPDNone     = "none"
)

// UncertainFactor maps the gases of one factor to a row of a published
// table. Each gas takes the column of its gas (CH4_fossil and
// CH4_biogenic the CH4 column, CO2_biogenic the CO2 column), and its value
// must equal the row's printed default in the table's unit, or the
// mapping is refused.
type UncertainFactor struct {
	// Factor is the library id, "dataset@version:factor_id".
	Factor string   `toml:"factor" json:"factor"`
	Gases  []string `toml:"gases" json:"gases"`
	Table  string   `toml:"table" json:"table"`
	Row    string   `toml:"row" json:"row"`
	// Note says why the row is the right one.
	Note string `toml:"note,omitempty" json:"note,omitempty"`
}

// UncertainHeatContent maps a dataset's heat content of an activity to a
// row (column NCV) of Table 1.2; its value must equal the printed default.
type UncertainHeatContent struct {
	Dataset  string `toml:"dataset" json:"dataset"`
	Activity string `toml:"activity" json:"activity"`
	Table    string `toml:"table" json:"table"`
	Row      string `toml:"row" json:"row"`
}

// UncertainActivity gives the quantity of lines whose activity matches a
// published statement's relative uncertainty.
type UncertainActivity struct {
	Activities []string `toml:"activities" json:"activities"`
	Statement  string   `toml:"statement" json:"statement"`
}

// UncertainGWP gives the GWP of some gases a published statement's
// relative uncertainty, when the method's GWP set is GWPSet.
type UncertainGWP struct {
	GWPSet    string   `toml:"gwp_set" json:"gwp_set"`
	Gases     []string `toml:"gases" json:"gases"`
	Statement string   `toml:"statement" json:"statement"`
}

// GasColumn is the published table column of a gas ("CH4_fossil" → "CH4").
func GasColumn(gas string) string {
	g := strings.TrimSuffix(strings.TrimSuffix(gas, "_fossil"), "_biogenic")
	return g
}

// ActivityStatement returns the statement that applies to a line's activity, if any.
func (u *Uncertainty) ActivityStatement(activity string) (string, bool) {
	for _, a := range u.ActivityData {
		if anyMatch(a.Activities, activity) {
			return a.Statement, true
		}
	}
	return "", false
}

// checkUncertainty validates [uncertainty] against the library and the
// published tables.
func checkUncertainty(lib *factors.Library, s *Spec, add func(field, rule, format string, args ...any)) {
	u := s.Uncertainty
	if u == nil {
		return
	}
	switch u.EPD {
	case EPDDeclared, EPDNone:
	default:
		add("uncertainty.epd", "known-value", "epd %q: use \"declared\" (the document's own declared uncertainty: openEPD rsd/dist, ILCD relativeStandardDeviation95In) or \"none\"", u.EPD)
	}
	used := map[string]bool{}
	for _, d := range s.Datasets {
		used[d] = true
	}
	for _, h := range s.HostData {
		for _, d := range h.Datasets {
			used[d] = true
		}
	}
	seen := map[string]bool{}
	for i, f := range u.Factors {
		field := fmt.Sprintf("uncertainty.factors[%d]", i)
		fac, err := lib.Factor(f.Factor)
		if err != nil {
			add(field+".factor", "known-factor", "%v (name the library id, dataset@version:factor_id)", err)
			continue
		}
		if !used[fac.Dataset] {
			add(field+".factor", "used-dataset", "factor %s is from %s, which the method does not use (datasets or host_data)", f.Factor, fac.Dataset)
		}
		if len(f.Gases) == 0 {
			add(field+".gases", "required", "list the gases of %s the row covers", f.Factor)
		}
		for _, g := range f.Gases {
			k := f.Factor + "|" + g
			if seen[k] {
				add(field+".gases", "unique", "%s %s is mapped twice", f.Factor, g)
			}
			seen[k] = true
			var gv *factors.GasValue
			for j := range fac.Gases {
				if string(fac.Gases[j].Gas) == g {
					gv = &fac.Gases[j]
				}
			}
			if gv == nil {
				add(field+".gases", "known-gas", "factor %s has no gas %s", f.Factor, g)
				continue
			}
			iv, err := uncertainty.LookupInterval(f.Table, f.Row, GasColumn(g))
			if err != nil {
				add(field+".row", "published-row", "%v", err)
				continue
			}
			checkInterval(iv, gv.Value.String(), gv.Unit, field, f.Factor+" "+g, add)
		}
	}
	for i, h := range u.HeatContents {
		field := fmt.Sprintf("uncertainty.heat_contents[%d]", i)
		d, err := lib.Dataset(h.Dataset)
		if err != nil {
			add(field+".dataset", "known-dataset", "%v", err)
			continue
		}
		if !used[d.Ref()] {
			add(field+".dataset", "used-dataset", "the method does not use %s", d.Ref())
		}
		var hc *factors.HeatContent
		for j := range d.HeatContents {
			if d.HeatContents[j].Activity == h.Activity {
				hc = &d.HeatContents[j]
			}
		}
		if hc == nil {
			add(field+".activity", "known-heat-content", "%s has no heat content for %q", d.Ref(), h.Activity)
			continue
		}
		iv, err := uncertainty.LookupInterval(h.Table, h.Row, "NCV")
		if err != nil {
			add(field+".row", "published-row", "%v", err)
			continue
		}
		checkInterval(iv, hc.Value.String(), hc.Unit, field, d.Ref()+" heat content of "+h.Activity, add)
	}
	for i, a := range u.ActivityData {
		field := fmt.Sprintf("uncertainty.activity_data[%d]", i)
		if len(a.Activities) == 0 {
			add(field+".activities", "required", "list the activities (e.g. fuel.*) the statement applies to")
		}
		for _, p := range a.Activities {
			if !activityPatternExists(lib, p) {
				add(field+".activities", "known-activity", "activity pattern %q matches no activity", p)
			}
		}
		if st, err := uncertainty.LookupStatement(a.Statement); err != nil {
			add(field+".statement", "published-statement", "%v", err)
		} else if !strings.HasPrefix(st.ID, "ipcc2006-activity-") {
			add(field+".statement", "statement-kind", "%s is not an activity-data statement", st.ID)
		}
	}
	for i, g := range u.GWP {
		field := fmt.Sprintf("uncertainty.gwp[%d]", i)
		if g.GWPSet != s.GWPSet {
			add(field+".gwp_set", "method-gwp-set", "the statement is about %q; the method's GWP set is %s", g.GWPSet, s.GWPSet)
		}
		set, err := lib.GWPSet(s.GWPSet)
		for _, gas := range g.Gases {
			if err == nil {
				if _, ok := set.Lookup(factors.Gas(gas)); !ok {
					add(field+".gases", "known-gas", "GWP set %s has no value for %s", s.GWPSet, gas)
				}
			}
		}
		if st, err := uncertainty.LookupStatement(g.Statement); err != nil {
			add(field+".statement", "published-statement", "%v", err)
		} else if !strings.HasPrefix(st.ID, strings.ToLower(g.GWPSet)+"-gwp") {
			add(field+".statement", "statement-kind", "%s is not a GWP statement of %s", st.ID, g.GWPSet)
		}
	}
}

// checkInterval: the mapped value must be the printed default, in the
// table's unit, and the interval must have a spread to fit.
func checkInterval(iv uncertainty.Interval, value, unit, field, what string, add func(field, rule, format string, args ...any)) {
	def, _, _, err := iv.Values()
	if err != nil {
		add(field+".row", "published-interval", "%v", err)
		return
	}
	if unit != iv.Unit {
		add(field+".row", "same-unit", "%s is in %s; %s is in %s: map only a factor published in the table's unit", what, unit, iv.Cite(), iv.Unit)
		return
	}
	if v, err := decimal.NewFromString(value); err != nil || !v.Equal(def) {
		add(field+".row", "same-value", "%s is %s %s; %s prints %s: the row does not describe this factor", what, value, unit, iv.Cite(), iv.Default)
		return
	}
	if _, err := uncertainty.FitInterval(iv); err != nil {
		add(field+".row", "published-interval", "%s: %v", iv.Cite(), err)
	}
}

// uncertaintySettings lists the model as setting texts for Diff.
func uncertaintySettings(u *Uncertainty) map[string]string {
	m := map[string]string{}
	if u == nil {
		return m
	}
	m["uncertainty.epd"] = u.EPD
	m["uncertainty.description"] = strings.TrimSpace(u.Description)
	for _, f := range u.Factors {
		for _, g := range f.Gases {
			m[fmt.Sprintf("uncertainty factor %s %s", f.Factor, g)] = fmt.Sprintf("%s %q %s", f.Table, f.Row, GasColumn(g))
		}
	}
	for _, h := range u.HeatContents {
		m[fmt.Sprintf("uncertainty heat_content %s %s", h.Dataset, h.Activity)] = fmt.Sprintf("%s %q NCV", h.Table, h.Row)
	}
	for i, a := range u.ActivityData {
		m[fmt.Sprintf("uncertainty activity_data[%d]", i)] = fmt.Sprintf("[%s] %s", strings.Join(a.Activities, ", "), a.Statement)
	}
	for _, g := range u.GWP {
		gases := append([]string(nil), g.Gases...)
		sort.Strings(gases)
		for _, gas := range gases {
			m[fmt.Sprintf("uncertainty gwp %s %s", g.GWPSet, gas)] = g.Statement
		}
	}
	return m
}
