package methods

import (
	"os"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/factors"
)

// TestUncertaintyValidation: the [uncertainty] section is checked against
// the published rows: a row whose default is not the factor's value, an
// unknown row, statement or EPD rule, a GWP statement of another set.
func TestUncertaintyValidation(t *testing.T) {
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("defs/us-federal/2026.2.toml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, rule string
	}{
		{"valid", "", "", ""},
		{"wrong row", `row = "Natural Gas"`, `row = "Natural Gas Liquids"`, "same-value"},
		{"unknown row", `row = "Lignite"`, `row = "Brown Coal"`, "published-row"},
		{"unknown table", `table = "ipcc2006-v2-table2.2"`, `table = "ipcc2006-v2-table9.9"`, "published-row"},
		{"ncv row", `row = "Wood/Wood Waste (note 9)"`, `row = "Lignite"`, "same-value"},
		{"statement kind", `statement = "ipcc2006-activity-fossil"`, `statement = "ar5-gwp100-ch4"`, "statement-kind"},
		{"unknown statement", `statement = "ar5-gwp100-century"`, `statement = "ar6-gwp100"`, "published-statement"},
		{"gwp set", `gwp_set = "AR5"`, `gwp_set = "AR6"`, "method-gwp-set"},
		{"epd rule", `epd = "declared"`, `epd = "ec3"`, "known-value"},
		{"unknown factor", `factor = "ipcc-2006@2006:ipcc06-fuel-lpg-glo"`, `factor = "ipcc-2006@2006:nope"`, "known-factor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := strings.Replace(string(src), tt.old, tt.new, 1)
			m, err := Parse("x.toml", []byte(s))
			if err != nil {
				t.Fatal(err)
			}
			ps := Validate(m, lib, []byte(s))
			if tt.rule == "" {
				if len(ps) != 0 {
					t.Fatalf("problems: %v", ps)
				}
				return
			}
			found := false
			for _, p := range ps {
				found = found || p.Rule == tt.rule
			}
			if !found {
				t.Errorf("no %s problem: %v", tt.rule, ps)
			}
		})
	}
}

// TestUncertaintyDigestsUnchanged: the section is omitted when absent, so
// a method without it keeps its canonical form (no "uncertainty" key).
func TestUncertaintyDigestsUnchanged(t *testing.T) {
	src, err := os.ReadFile("defs/eu-gpp/2026.1.toml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse("x.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Canonical(&m.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(c), "uncertainty") {
		t.Error("the canonical form of a method without [uncertainty] names it")
	}
}
