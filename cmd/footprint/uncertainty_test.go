package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// exampleCalc is issue 20's literal command, with extra flags before the
// file: the example bid under the version it pins, 10,000 draws from
// seed 42.
func exampleCalc(extra ...string) []string {
	args := append([]string{"calc", "--uncertainty", "10000", "--seed", "42"}, extra...)
	return append(args, "../../examples/bid.json")
}

// TestUncertaintyGolden: calc and compare with --uncertainty print the same
// bytes on every run, and the bytes of testdata/uncertainty_*.
func TestUncertaintyGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		// The literal command of issue 20 and docs/uncertainty.md: the
		// example bid pins us-federal@2026.2, which has a model.
		{"uncertainty_calc_us.json", exampleCalc()},
		{"uncertainty_calc_us.txt", exampleCalc("--format", "text")},
		// The probability that one method exceeds the other on the example bid.
		{"uncertainty_compare_bid.txt", []string{"compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "10000", "--seed", "42", "--format", "text", "../../examples/bid.json"}},
		{"uncertainty_calc_eu.txt", []string{"calc", "--uncertainty", "10000", "--seed", "42", "--format", "text", "../../examples/bid-eu.json"}},
		{"uncertainty_compare.txt", []string{"compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "10000", "--seed", "42", "--format", "text", "../../examples/compare-us-eu.json"}},
		{"uncertainty_compare.json", []string{"compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "2000", "--seed", "7", "../../examples/compare-us-eu.json"}},
		// us-federal@2025.1 has no model: zero-width intervals, said so
		// with the version that has one.
		{"uncertainty_calc_no_model.txt", []string{"calc", "--method", "us-federal@2025.1", "--uncertainty", "1000", "--seed", "42", "--format", "text", "../../examples/bid.json"}},
		{"uncertainty_compare_no_model.txt", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "1000", "--seed", "42", "--format", "text", "../../examples/compare-us-eu.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, stderr := runCmd(t, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			_, again, _ := runCmd(t, "", tt.args...)
			if out != again {
				t.Fatal("two runs with the same seed print different bytes")
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (go test ./cmd/footprint -run TestUncertaintyGolden -update, and explain why)", path)
			}
		})
	}
}

func TestUncertaintyFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"draws", []string{"calc", "--method", "eu-gpp@2026.2", "--uncertainty", "-3", "../../examples/bid-eu.json"}, "use 1 to"},
		{"seed", []string{"calc", "--method", "eu-gpp@2026.2", "--uncertainty", "10", "--seed", "x", "../../examples/bid-eu.json"}, "unsigned 64-bit"},
		{"text without sampling", []string{"calc", "--method", "eu-gpp@2026.2", "--format", "text", "../../examples/bid-eu.json"}, "text with --uncertainty"},
		{"compare seed", []string{"compare", "--method", "eu-gpp", "--method", "us-federal", "--uncertainty", "10", "--seed", "-1", "../../examples/compare-us-eu.json"}, "unsigned 64-bit"},
		{"seed alone", []string{"calc", "--seed", "42", "../../examples/bid.json"}, "--seed 42 without --uncertainty DRAWS samples nothing"},
		{"compare seed alone", []string{"compare", "--method", "eu-gpp", "--method", "us-federal", "--seed", "7", "../../examples/compare-us-eu.json"}, "without --uncertainty DRAWS"},
		{"batch seed alone", []string{"batch", "--method", "us-federal", "--seed", "7", "../../examples/batch-intervals.csv"}, "without --uncertainty DRAWS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.want)
			}
		})
	}
}

// TestUncertaintyNoModel: a bid whose method declares no uncertainty
// model gets "model": "none" and a message naming the version that has
// one, in JSON and text, for calc and compare.
func TestUncertaintyNoModel(t *testing.T) {
	const msg = "us-federal@2025.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; us-federal@2026.2 declares one: compute the bid under us-federal@2026.2 for intervals"
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"calc json", []string{"calc", "--method", "us-federal@2025.1", "--uncertainty", "100", "../../examples/bid.json"},
			[]string{`"method": "us-federal@2025.1",` + "\n    \"model\": \"none\",\n    \"message\": \"" + msg + `"`}, nil},
		{"calc text", []string{"calc", "--method", "us-federal@2025.1", "--uncertainty", "100", "--format", "text", "../../examples/bid.json"},
			[]string{"Model: none. " + msg + ".\n"}, nil},
		{"calc with model", []string{"calc", "--method", "us-federal", "--uncertainty", "100", "../../examples/bid.json"},
			[]string{`"method": "us-federal@2026.2",` + "\n    \"model\": \"declared\",\n    \"run\""}, []string{`"message"`}},
		{"compare json", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "100", "../../examples/compare-us-eu.json"},
			[]string{`"model": "none",` + "\n        \"message\": \"" + msg + `"`, `"method": "eu-gpp@2026.2",` + "\n        \"model\": \"declared\""}, nil},
		{"compare text", []string{"compare", "--method", "us-federal@2025.1", "--method", "eu-gpp", "--uncertainty", "100", "--format", "text", "../../examples/compare-us-eu.json"},
			[]string{"Model of us-federal@2025.1: none. " + msg + ".\n"}, []string{"Model of eu-gpp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q", w)
				}
			}
		})
	}
}

// TestUncertaintyExampleBid: issue 20's literal command samples the
// example bid's own method (not the zero-width "no model" answer): every
// line with an uncertain input and the total have intervals of positive
// width, the EPD line without a declared uncertainty has none and says
// so, and the top contributors are listed; compare on the same bid gives
// P(eu-gpp > us-federal) strictly between 0 and 1.
func TestUncertaintyExampleBid(t *testing.T) {
	type summary struct {
		ID         string    `json:"id"`
		Exact      string    `json:"exact"`
		Interval90 [2]string `json:"interval_90"`
		Interval95 [2]string `json:"interval_95"`
		Inputs     []string  `json:"inputs"`
		Note       string    `json:"note"`
	}
	var doc struct {
		Uncertainty struct {
			Method       string    `json:"method"`
			Model        string    `json:"model"`
			Total        summary   `json:"total"`
			Lines        []summary `json:"lines"`
			Contributors []struct {
				Key string `json:"key"`
			} `json:"contributors"`
		} `json:"uncertainty"`
	}
	code, out, stderr := runCmd(t, "", exampleCalc()...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	u := doc.Uncertainty
	if u.Method != "us-federal@2026.2" || u.Model != "declared" {
		t.Fatalf("sampled %s with model %q, want us-federal@2026.2 (the bid's own) with a declared model", u.Method, u.Model)
	}
	width := func(s summary, iv [2]string) float64 {
		lo, err1 := strconv.ParseFloat(iv[0], 64)
		hi, err2 := strconv.ParseFloat(iv[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: interval %q", s.ID, iv)
		}
		return hi - lo
	}
	if len(u.Lines) != 4 {
		t.Fatalf("%d lines, want the example's 4", len(u.Lines))
	}
	for _, s := range append([]summary{u.Total}, u.Lines...) {
		w90, w95 := width(s, s.Interval90), width(s, s.Interval95)
		switch uncertain := s.ID == "" || len(s.Inputs) > 0; {
		case uncertain && !(0 < w90 && w90 < w95):
			t.Errorf("line %q (total if empty): widths %v (90 %%) and %v (95 %%), want 0 < 90 %% < 95 %%", s.ID, w90, w95)
		case !uncertain && (w95 != 0 || s.Note != "no published uncertainty"):
			t.Errorf("line %q: no inputs, but width %v and note %q", s.ID, w95, s.Note)
		}
	}
	if n := len(u.Lines[0].Inputs) + len(u.Lines[1].Inputs) + len(u.Lines[2].Inputs); n == 0 || len(u.Lines[3].Inputs) != 0 {
		t.Errorf("inputs per line %v %v %v %v: want lines 1-3 (fuel, grid, freight) uncertain and line 4 (three-field EPD) exact",
			u.Lines[0].Inputs, u.Lines[1].Inputs, u.Lines[2].Inputs, u.Lines[3].Inputs)
	}
	if len(u.Contributors) == 0 || u.Contributors[0].Key != "activity/1" {
		t.Errorf("contributors %+v, want activity/1 (the natural gas quantity, ±5 %%) first", u.Contributors)
	}

	code, out, stderr = runCmd(t, "", "compare", "--method", "us-federal@2026.2", "--method", "eu-gpp@2026.2", "--uncertainty", "10000", "--seed", "42", "../../examples/bid.json")
	if code != exitOK {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	var cmp struct {
		Uncertainty struct {
			Differences []struct {
				Base, Other   string
				POtherGreater string `json:"p_other_greater"`
			} `json:"differences"`
		} `json:"uncertainty"`
	}
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Uncertainty.Differences; len(d) != 1 || d[0].Base != "us-federal@2026.2" || d[0].Other != "eu-gpp@2026.2" {
		t.Fatalf("differences %+v, want eu-gpp@2026.2 against us-federal@2026.2", d)
	} else if p, err := strconv.ParseFloat(d[0].POtherGreater, 64); err != nil || !(0 < p && p < 1) {
		t.Errorf("P(eu-gpp > us-federal) = %q, want a probability strictly between 0 and 1 (both totals are uncertain and 371.628 kg apart)", d[0].POtherGreater)
	}
}

// TestUncertaintyDocExample: the table and the probability that
// docs/uncertainty.md shows for the example bid are what the program
// prints (its golden files; trailing blanks aside).
func TestUncertaintyDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "uncertainty.md"))
	if err != nil {
		t.Fatal(err)
	}
	docLines := map[string]bool{}
	for _, l := range strings.Split(string(doc), "\n") {
		docLines[l] = true
	}
	// check requires each line of golden that want picks in the doc: as a
	// line of its own, or within a line when inText.
	check := func(golden string, inText bool, want func(line string) bool) {
		raw, err := os.ReadFile(filepath.Join("testdata", golden))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range strings.Split(string(raw), "\n") {
			if l = strings.TrimRight(l, " "); want(l) {
				n++
				if !docLines[l] && !(inText && strings.Contains(string(doc), l)) {
					t.Errorf("docs/uncertainty.md lacks the line of %s:\n%s", golden, l)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: nothing to check", golden)
		}
	}
	table := false
	check("uncertainty_calc_us.txt", false, func(l string) bool {
		table = table || strings.HasPrefix(l, "LINE ")
		in := table
		table = table && !strings.HasPrefix(l, "TOTAL ")
		return in
	})
	check("uncertainty_compare_bid.txt", true, func(l string) bool { return strings.HasPrefix(l, "P(") })
}
