package methods

import (
	"strings"
	"testing"
)

// TestEPDRulesOnlyInNewVersions: the [epd] rules live in 2025.3; the
// earlier versions have none, so their canonical form and digest are what
// they were (goldens and receipts pin them).
func TestEPDRulesOnlyInNewVersions(t *testing.T) {
	reg := testRegistry(t)
	for _, tc := range []struct {
		ref     string
		hasEPD  bool
		modules string
	}{
		{"eu-gpp@2025.1", false, ""},
		{"eu-gpp@2025.2", false, ""},
		{"us-federal@2025.1", false, ""},
		{"us-federal@2025.2", false, ""},
		{"eu-gpp@2025.3", true, "A1-A3"},
		{"us-federal@2025.3", true, "A1-A3"},
		{"eu-gpp@2026.1", true, "A1-A3"},
		{"us-federal@2026.1", true, "A1-A3"},
	} {
		m, err := reg.Resolve(tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		if (m.EPD != nil) != tc.hasEPD {
			t.Errorf("%s: has [epd] = %v, want %v", tc.ref, m.EPD != nil, tc.hasEPD)
			continue
		}
		c, err := Canonical(&m.Spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(c), "[epd]"); got != tc.hasEPD {
			t.Errorf("%s: canonical form mentions [epd] = %v", tc.ref, got)
		}
		if tc.hasEPD && m.EPD.Modules != tc.modules {
			t.Errorf("%s: modules %q", tc.ref, m.EPD.Modules)
		}
	}
	for _, id := range []string{"eu-gpp", "us-federal"} {
		m, _ := reg.Resolve(id)
		if m.Version != "2026.2" {
			t.Errorf("latest %s is %s, want 2026.2", id, m.Version)
		}
	}
	eu, _ := reg.Resolve("eu-gpp@2025.3")
	if eu.EPD.Indicators[0].Indicator != "GWP-total" || eu.EPD.Indicators[1].Indicator != "GWP" || eu.EPD.Indicators[1].Warning == "" {
		t.Errorf("eu-gpp indicators %+v", eu.EPD.Indicators)
	}
}

// TestEPDRulesValidation: each broken [epd] rule is reported with its field
// and the line it is written on.
func TestEPDRulesValidation(t *testing.T) {
	reg := testRegistry(t)
	src, err := embeddedDefs.ReadFile("defs/eu-gpp/2025.3.toml")
	if err != nil {
		t.Fatal(err)
	}
	good := strings.Replace(string(src), `version = "2025.3"`, `version = "9.1"`, 1)
	tests := []struct {
		name, from, to, field, rule string
	}{
		{"module", `modules = "A1-A3"`, `modules = "cradle"`, "epd.modules", "known-value"},
		{"sum", `sum_of = ["A1", "A2", "A3"]`, `sum_of = ["A1", "A1-A2"]`, "epd.sum_of", "known-value"},
		{"sum-dup", `sum_of = ["A1", "A2", "A3"]`, `sum_of = ["A1", "A1"]`, "epd.sum_of", "unique"},
		{"days", `expiring_within_days = 90`, `expiring_within_days = -1`, "epd.expiring_within_days", "range"},
		{"conv", `conversions = ["mass", "volume", "area", "density"]`, `conversions = ["mass", "guess"]`, "epd.conversions", "known-value"},
		{"indicator", `indicator = "GWP-total"`, `indicator = ""`, "epd.indicators[0].indicator", "required"},
		{"biogenic", `expiring_within_days = 90`, "biogenic = \"count\"\nexpiring_within_days = 90", "epd.biogenic", "known-value"},
		{"biogenic c3c4 on C modules", `modules = "A1-A3"`, "biogenic = \"total_with_c3c4\"\nmodules = \"C3\"", "epd.biogenic", "known-value"},
		{"biogenic applies", `expiring_within_days = 90`, "biogenic_applies = \"always\"\nexpiring_within_days = 90", "epd.biogenic_applies", "known-value"},
		{"uptake refused", `expiring_within_days = 90`, "biogenic_applies = \"uptake\"\nexpiring_within_days = 90", "epd.biogenic_applies", "known-value"},
		{"refusal rule", `warning = "the EPD declares GWP under EN 15804+A1, not GWP-total under EN 15804+A2; the values are not strictly comparable"`, "[[epd.refusals]]\nactivities = [\"material.*\"]\nstandards = [\"EN 15804\"]", "epd.refusals[0].rule", "required"},
		{"max per kg zero", `expiring_within_days = 90`, "max_kg_co2e_per_kg = \"0\"\nexpiring_within_days = 90", "epd.max_kg_co2e_per_kg", "positive"},
		{"max per m3 negative", `expiring_within_days = 90`, "max_kg_co2e_per_m3 = \"-5\"\nexpiring_within_days = 90", "epd.max_kg_co2e_per_m3", "positive"},
		{"max per m2 negative", `expiring_within_days = 90`, "max_kg_co2e_per_m2 = \"-1\"\nexpiring_within_days = 90", "epd.max_kg_co2e_per_m2", "positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("source lacks %q", tc.from)
			}
			bad := strings.Replace(good, tc.from, tc.to, 1)
			_, ps := reg.Check("bad.toml", []byte(bad))
			var found *Problem
			for i := range ps {
				if ps[i].Field == tc.field && ps[i].Rule == tc.rule {
					found = &ps[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s [%s] in %v", tc.field, tc.rule, ps)
			}
			lines := strings.Split(bad, "\n")
			if found.Line < 1 || found.Line > len(lines) || !strings.Contains(lines[found.Line-1], strings.Fields(tc.to)[0]) {
				t.Errorf("line %d does not hold %q", found.Line, tc.to)
			}
		})
	}
	if _, ps := reg.Check("good.toml", []byte(good)); len(ps) > 0 {
		t.Errorf("good [epd] refused: %v", ps)
	}
	// Every biogenic rule and the bounds are accepted, and change the
	// digest; leaving them out keeps it.
	base, ps := reg.Check("good.toml", []byte(good))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for _, add := range []string{`biogenic = "refuse"`, `biogenic = "fossil_plus_luluc"`, `biogenic = "total_with_c3c4"`,
		`max_kg_co2e_per_kg = "5"`, `max_kg_co2e_per_m3 = "5000"`, `max_kg_co2e_per_m2 = "300"`} {
		src := strings.Replace(good, `expiring_within_days = 90`, add+"\nexpiring_within_days = 90", 1)
		m, ps := reg.Check("good.toml", []byte(src))
		if len(ps) > 0 {
			t.Errorf("%s refused: %v", add, ps)
			continue
		}
		if m.Digest == base.Digest {
			t.Errorf("%s: digest unchanged", add)
		}
	}
}

// TestDiffEPDRules: adding the [epd] section shows as setting changes.
func TestDiffEPDRules(t *testing.T) {
	reg := testRegistry(t)
	a, _ := reg.Resolve("us-federal@2025.2")
	b, _ := reg.Resolve("us-federal@2025.3")
	d, err := Diff(a, b, reg.Library())
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]Change{}
	for _, c := range d.Settings {
		fields[c.Field] = c
	}
	if c := fields["epd.modules"]; c.Old != "" || c.New != "A1-A3" {
		t.Errorf("epd.modules change %+v", c)
	}
	if c := fields["epd.indicators[0]"]; c.Old != "" || !strings.HasPrefix(c.New, "GWP standards [ISO 21930] sets [TRACI 2.1]") {
		t.Errorf("epd.indicators[0] change %+v", c)
	}
}
