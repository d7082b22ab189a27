package calc_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// TestBoundaryReasons checks the one sentence per line that says why a line
// is outside one method's boundary, and whether that is a rule or missing
// data; lines both methods count have none.
func TestBoundaryReasons(t *testing.T) {
	w := newWorld(t)
	epd := line("epd", "material.steel.rebar", "US", "12.5", "t")
	epd.Factor = &calc.ProductFactor{KgCO2e: decimal.RequireFromString("780"), Per: "t", Reference: "EPD S-P-01234"}
	bid := calc.Bid{Lines: []calc.Line{
		line("gas", "fuel.natural_gas", "US", "10", "mmBtu"),  // both count it under 2025.2
		line("lignite", "fuel.lignite", "US", "10", "mmBtu"),  // eu-gpp: no published ratio (rule)
		line("rebar", "material.steel.rebar", "DE", "1", "t"), // us-federal: EPD required (rule)
		line("pl", "freight.road", "PL", "100", "t.km"),       // neither has data: no reason (not one-sided)
		line("de", "electricity.grid", "DE", "1", "MWh"),      // both count it
		epd,
	}}
	for _, tc := range []struct {
		name string
		refs []string
		want map[string]string // line id -> "rule: fragment" or "data: fragment"
	}{
		{"2025.2", []string{"us-federal@2025.2", "eu-gpp@2025.2"}, map[string]string{
			"lignite": "rule: outside eu-gpp@2025.2's boundary by rule: no published HHV/NCV ratio converts fuel.lignite",
			"rebar":   "rule: outside us-federal@2025.2's boundary by rule (product-specific factors): us-federal@2025.2 requires a product-specific factor",
		}},
		{"2025.1", []string{"us-federal@2025.1", "eu-gpp@2025.1"}, map[string]string{
			"gas":     "rule: outside eu-gpp@2025.1's boundary by rule: no published HHV/NCV ratio converts fuel.natural_gas",
			"lignite": "rule: outside eu-gpp@2025.1's boundary by rule",
			"rebar":   "rule: outside us-federal@2025.1's boundary by rule (product-specific factors)",
			"de":      "data: not counted by us-federal@2025.1 for want of data, not by rule: no factor for electricity.grid in region DE",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := w.eng.Compare(resolve(t, w.reg, tc.refs...), bid)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range c.BoundaryReasons(0) {
				kind := "data: "
				if r.Rule {
					kind = "rule: "
				}
				got[r.LineID] = kind + r.Sentence
				if sentenceBreak.MatchString(r.Sentence) || !strings.HasSuffix(r.Sentence, ".") {
					t.Errorf("not one sentence: %q", r.Sentence)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("reasons for %d lines, want %d: %v", len(got), len(tc.want), got)
			}
			for id, frag := range tc.want {
				kind, text, _ := strings.Cut(frag, ": ")
				if g := got[id]; !strings.HasPrefix(g, kind+": ") || !strings.Contains(g, text) {
					t.Errorf("line %s: got %q, want %s containing %q", id, g, kind, text)
				}
			}
		})
	}
	if r := (&calc.Comparison{}).BoundaryReasons(3); r != nil {
		t.Errorf("out of range pair: %v", r)
	}
}

// sentenceBreak finds a second sentence (". " before a capital letter).
var sentenceBreak = regexp.MustCompile(`[.!?] [A-Z]`)
