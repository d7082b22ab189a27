package calc_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
)

// TestCompareRealEPDBid compares the bid of real EPDs of six program
// operators (conformance/v1/*-2026.1/epd-real-mixed: m2, m3, t, kg and
// piece) under us-federal@2026.1 and eu-gpp@2026.1: every line one method
// refuses is explained "by rule", quoting the rule (GSA's ISO 21930 clause
// for the EN 15804 concrete; eu-gpp's require_standard for the EC3 records
// that name no standard), never as a data gap.
func TestCompareRealEPDBid(t *testing.T) {
	raw, err := os.ReadFile("../conformance/v1/eu-gpp-2026.1/epd-real-mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Bid json.RawMessage `json:"bid"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	bid, err := bidjson.DecodeBytes(v.Bid)
	if err != nil {
		t.Fatal(err)
	}
	eng, reg := epdWorld(t)
	us, _ := reg.Resolve("us-federal@2026.1")
	eu, _ := reg.Resolve("eu-gpp@2026.1")
	c, err := eng.Compare([]*methods.Method{us, eu}, bid)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]calc.BoundaryReason{}
	for _, r := range c.BoundaryReasons(0) {
		reasons[r.LineID] = r
	}
	want := map[string]string{
		"2": "conforms with ISO 14025 and ISO 21930",
		"7": "epd.require_standard",
		"8": "epd.require_standard",
	}
	if len(reasons) != len(want) {
		t.Errorf("%d boundary reasons, want %d: %+v", len(reasons), len(want), reasons)
	}
	for id, w := range want {
		r, ok := reasons[id]
		if !ok || !r.Rule || !strings.Contains(r.Sentence, "by rule") || !strings.Contains(r.Sentence, w) {
			t.Errorf("line %s: %+v, want a rule quoting %q", id, r, w)
		}
	}
	if c.Methods[0].Lines[1].Status == calc.StatusOK || c.Methods[1].Lines[1].Status != calc.StatusOK {
		t.Errorf("line 2 (EN 15804 concrete): us-federal %s, eu-gpp %s; want refused, counted", c.Methods[0].Lines[1].Status, c.Methods[1].Lines[1].Status)
	}
}
