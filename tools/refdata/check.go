package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The checks run on the rows in memory, before anything is written; the
// test's verify step repeats them, independently, on the written files.

// decimalRe is a plain decimal as published: optional sign, digits with an
// optional point, optional exponent. No spaces, no NaN or Infinity.
var decimalRe = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func isDecimal(s string) bool { return decimalRe.MatchString(s) }

// energyUnits are the energy units a factor's denominator may have; a factor
// per unit of energy needs a heating-value basis (heat.steam aside: steam is
// bought as delivered energy).
var energyUnits = set("mmBtu", "TJ", "GJ", "MJ")

// checker collects problems, each naming the output file and row.
type checker struct {
	rf   *refs
	errs []error
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

func (c *checker) err() error { return errors.Join(c.errs...) }

// cited checks that value is a decimal and an exact field of the record
// source cites.
func (c *checker) cited(where, value, source string) {
	if !isDecimal(value) {
		c.errorf("%s: value %q is not a decimal", where, short(value))
	}
	rec, err := c.rf.record(source)
	if err != nil {
		c.errorf("%s: %v", where, err)
		return
	}
	for _, f := range rec {
		if f == value {
			return
		}
	}
	c.errorf("%s: value %q is not a field of %s", where, short(value), source)
}

// unit checks a factor unit: <mass>/<activity unit>.
func (c *checker) unit(where, unit string) {
	num, den, _ := strings.Cut(unit, "/")
	if !massUnits[num] || !activityUnits[den] {
		c.errorf("%s: unit %q is not <mass>/<activity unit> (FORMAT.md), e.g. kg/mmBtu", where, short(unit))
	}
}

func (c *checker) checkFactors(file string, rows []factorRow, regions, acts map[string]bool) {
	type key struct{ activity, region, stage string }
	keyOf := map[string]key{}
	idsOf := map[key]map[string]bool{}
	var keys []key
	seenGas := map[[2]string]bool{}
	for i, r := range rows {
		w := fmt.Sprintf("%s row %d (%s)", file, i+2, r.factorID)
		for j, v := range r.fields() {
			if v == "" && factorHeader[j] != "basis" {
				c.errorf("%s: empty %s", w, factorHeader[j])
			}
		}
		if !acts[r.activity] {
			c.errorf("%s: unknown activity %q", w, r.activity)
		}
		if !regions[r.region] {
			c.errorf("%s: unknown region %q", w, r.region)
		}
		if !stages[r.stage] {
			c.errorf("%s: unknown stage %q", w, r.stage)
		}
		if !qualities[r.quality] {
			c.errorf("%s: unknown quality %q", w, r.quality)
		}
		if r.gas != "CO2e" && !isGas(r.gas) {
			c.errorf("%s: unknown gas %q", w, r.gas)
		}
		if r.basis != "" && r.basis != "HHV" && r.basis != "NCV" {
			c.errorf("%s: basis %q, want HHV, NCV or empty", w, r.basis)
		}
		_, den, _ := strings.Cut(r.unit, "/")
		if energyUnits[den] && r.basis == "" && r.activity != "heat.steam" {
			c.errorf("%s: factor per %s without a heating-value basis (HHV or NCV)", w, den)
		}
		c.unit(w, r.unit)
		c.cited(w, r.value, r.source)
		k := key{r.activity, r.region, r.stage}
		if prev, ok := keyOf[r.factorID]; ok && prev != k {
			c.errorf("%s: factor_id %s spans %v and %v", w, r.factorID, prev, k)
		}
		keyOf[r.factorID] = k
		if idsOf[k] == nil {
			idsOf[k] = map[string]bool{}
			keys = append(keys, k)
		}
		idsOf[k][r.factorID] = true
		g := [2]string{r.factorID, r.gas}
		if seenGas[g] {
			c.errorf("%s: second row for gas %s", w, r.gas)
		}
		seenGas[g] = true
	}
	for _, k := range keys {
		if len(idsOf[k]) != 1 {
			c.errorf("%s: %d factors for (%s, %s, %s); a dataset has one factor per activity, region and stage", file, len(idsOf[k]), k.activity, k.region, k.stage)
		}
	}
}

func (c *checker) checkHeat(file string, rows []heatRow, acts map[string]bool) {
	for i, r := range rows {
		w := fmt.Sprintf("%s row %d (%s)", file, i+2, r.activity)
		num, den, _ := strings.Cut(r.unit, "/")
		if !energyUnits[num] || !(activityUnits[den] || massUnits[den]) {
			c.errorf("%s: heat-content unit %q is not <energy>/<quantity unit>, e.g. mmBtu/short_ton", w, short(r.unit))
		}
		if r.basis != "HHV" && r.basis != "NCV" {
			c.errorf("%s: basis %q, want HHV or NCV", w, r.basis)
		}
		if !acts[r.activity] {
			c.errorf("%s: unknown activity %q", w, r.activity)
		}
		if !qualities[r.quality] {
			c.errorf("%s: unknown quality %q", w, r.quality)
		}
		c.cited(w, r.value, r.source)
	}
}

var limitUnits = set("kg/m3", "kg/t", "t/t", "kg/m2")

func (c *checker) checkLimits(file string, rows []limitRow, acts map[string]bool) {
	ids := map[string]bool{}
	for i, r := range rows {
		w := fmt.Sprintf("%s row %d (%s)", file, i+2, r.limitID)
		if ids[r.limitID] {
			c.errorf("%s: duplicate limit_id", w)
		}
		ids[r.limitID] = true
		if !limitUnits[r.unit] {
			c.errorf("%s: unit %q, want kg/m3, kg/t, t/t or kg/m2", w, short(r.unit))
		}
		if !acts[r.activity] {
			c.errorf("%s: unknown activity %q", w, r.activity)
		}
		if !qualities[r.quality] {
			c.errorf("%s: unknown quality %q", w, r.quality)
		}
		c.cited(w, r.value, r.source)
	}
}

var gwpSetIDs = set("AR4", "AR5", "AR6", "EF3.1")

func (c *checker) checkGWP(rows []gwpRow) {
	seen := map[[2]string]bool{}
	for i, r := range rows {
		w := fmt.Sprintf("gwp.csv row %d (%s %s)", i+2, r.set, r.gas)
		if !gwpSetIDs[r.set] {
			c.errorf("%s: unknown GWP set %q", w, r.set)
		}
		if !isGas(r.gas) {
			c.errorf("%s: unknown gas %q", w, r.gas)
		}
		k := [2]string{r.set, r.gas}
		if seen[k] {
			c.errorf("%s: second value for %s in %s", w, r.gas, r.set)
		}
		seen[k] = true
		if !qualities[r.quality] {
			c.errorf("%s: unknown quality %q", w, r.quality)
		}
		c.cited(w, r.value, r.source)
	}
}

func (c *checker) checkRegions(rows []region) map[string]bool {
	codes := map[string]bool{}
	for _, r := range rows {
		if codes[r.code] {
			c.errorf("regions.csv: region %s listed twice", r.code)
		}
		codes[r.code] = true
	}
	for _, r := range rows {
		if r.parent != "" && !codes[r.parent] {
			c.errorf("regions.csv: region %s has unknown parent %s", r.code, r.parent)
		}
	}
	return codes
}

func (c *checker) checkActivities(rows []activity) {
	for _, a := range rows {
		if !stages[a.stage] {
			c.errorf("activities.csv: activity %s: unknown default stage %q", a.key, a.stage)
		}
		for _, d := range strings.Split(a.dimensions, "|") {
			if !dimensions[d] {
				c.errorf("activities.csv: activity %s: unknown dimension %q", a.key, d)
			}
		}
	}
}

// checkMeta checks that a meta.toml has every key and that its values can
// be written as TOML basic strings.
func (c *checker) checkMeta(file string, m meta) {
	for i, v := range m.fields() {
		if v == "" {
			c.errorf("%s: empty %s", file, metaKeys[i])
		}
		if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) {
			c.errorf("%s: %s holds a control character", file, metaKeys[i])
		}
	}
	if !qualities[m.quality] {
		c.errorf("%s: unknown quality %q", file, m.quality)
	}
}

// checkHV checks heating-value ratio rows: unique ids, both values cited
// and positive, a quality.
func (c *checker) checkHV(file string, rows []hvRow) {
	ids := map[string]bool{}
	for i, r := range rows {
		w := fmt.Sprintf("%s row %d (%s)", file, i+2, r.ratioID)
		for j, v := range r.fields() {
			if v == "" {
				c.errorf("%s: empty %s", w, hvHeader[j])
			}
		}
		if ids[r.ratioID] {
			c.errorf("%s: duplicate ratio_id", w)
		}
		ids[r.ratioID] = true
		if !qualities[r.quality] {
			c.errorf("%s: unknown quality %q", w, r.quality)
		}
		for _, v := range []string{r.grossValue, r.netValue} {
			if strings.HasPrefix(v, "-") || strings.Trim(v, "0.") == "" {
				c.errorf("%s: value %q is not positive", w, short(v))
			}
			c.cited(w, v, r.source)
		}
	}
}
