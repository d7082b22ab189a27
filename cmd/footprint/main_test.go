package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestCalc(t *testing.T) {
	bid := filepath.Join("..", "..", "examples", "bid.json")
	raw, _ := os.ReadFile(bid)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		outHas string
		errHas []string
	}{
		{"file", "", []string{"calc", bid}, 0, `"kg_co2e": "113492.356"`, nil},
		// --method overrides the version the bid pins (us-federal@2026.2).
		{"stdin and method flag", string(raw), []string{"calc", "--method", "us-federal@2025.1"}, 0, `"version": "2025.1"`, nil},
		{"dash is stdin", string(raw), []string{"calc", "-"}, 0, `"version": "2026.2"`, nil},
		{"unknown method", string(raw), []string{"calc", "--method", "us-federal@1999"}, 1, "", []string{"us-federal has versions 2025.1 (active)"}},
		{"no method", `{"lines":[]}`, []string{"calc"}, 2, "", []string{"no method"}},
		{"every problem", `{"method":"eu-gpp","lines":[
			{"id":"a","activity":"electricity.grid","region":"DE","quantity":"1","unit":"kg"},
			{"id":"b","activity":"fuel.natural_gas","region":"DE","quantity":"12,5","unit":"TJ"},
			{"id":"c","activity":"fuel.lignite","region":"DE","quantity":"1","unit":"mmBtu"}]}`, []string{"calc"}, 1, "",
			[]string{"3 problem(s)", "/lines/0/unit (line a)", "/lines/1/quantity (line b): not a decimal number: 12,5", "/lines/2/basis (line c)"}},
		{"line problems", `{"method":"eu-gpp","lines":[
			{"id":"a","activity":"electricity.grid","region":"DE","quantity":"1","unit":"kg"},
			{"id":"c","activity":"fuel.lignite","region":"DE","quantity":"1","unit":"mmBtu"}]}`, []string{"calc"}, 1, "",
			[]string{"2 problem(s)", "/lines/0/unit (line a): unit: kg is a mass, electricity.grid needs an energy unit", "/lines/1/basis (line c)"}},
		{"malformed", `{"lines":`, []string{"calc", "--method", "eu-gpp"}, 1, "", []string{"ends early"}},
		{"missing file", "", []string{"calc", "--method", "eu-gpp", "nope.json"}, 1, "", []string{"nope.json"}},
		{"two files", "", []string{"calc", "a", "b"}, 2, "", []string{"at most one"}},
		{"help", "", []string{"calc", "--help"}, 0, "", []string{"usage: footprint calc"}},
		{"bad flag", "", []string{"calc", "--nope"}, 2, "", []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errs)
			}
			if !strings.Contains(out, tt.outHas) {
				t.Errorf("stdout lacks %q:\n%.500s", tt.outHas, out)
			}
			for _, e := range tt.errHas {
				if !strings.Contains(errs, e) {
					t.Errorf("stderr lacks %q:\n%s", e, errs)
				}
			}
			if tt.code != 0 && out != "" {
				t.Errorf("failed run wrote to stdout: %.200s", out)
			}
		})
	}
}

func TestMethodsAndFactors(t *testing.T) {
	code, out, _ := runCmd(t, "", "methods", "list")
	if code != 0 || !strings.Contains(out, "us-federal@2025.1") || !strings.Contains(out, "eu-gpp@2025.1") {
		t.Fatalf("methods list: %d %s", code, out)
	}
	code, out, _ = runCmd(t, "", "methods", "show", "eu-gpp")
	var m map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil || m["gwp_set"] != "EF3.1" {
		t.Fatalf("methods show: %d %s", code, out)
	}
	// The latest eu-gpp shows its host data and each ratio as applied: the
	// published pair's quotient at division_places, with the row cited.
	for _, want := range []string{`"host_data"`, `"egrid@2023"`, `"ratio": "0.9026006130722832"`, `"quotient": "0.18256/0.20226"`, `"source": "eu/heating_value_ratios_desnz2023.csv#2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("methods show eu-gpp lacks %s", want)
		}
	}
	code, out, _ = runCmd(t, "", "factors", "search", "--activity", "electricity.grid", "--region", "US-CAMX")
	if code != 0 || !strings.Contains(out, "egrid@2023:egrid23-us-camx") || !strings.Contains(out, "436.7 lb/MWh") {
		t.Fatalf("factors search: %d %s", code, out)
	}
	// A product category has no generic factor: the search says what each
	// method holds for it instead.
	code, out, errs := runCmd(t, "", "factors", "search", "--activity", "material.flooring")
	if code != 0 || !strings.Contains(errs, "eu-gpp@2025.3: no generic factor, no procurement limit, product factors accepted") ||
		!strings.Contains(errs, "us-federal@2025.3: no generic factor, no procurement limit, product factors required") || strings.Contains(out, "material.flooring") {
		t.Fatalf("factors search material.flooring: %d\nstdout %s\nstderr %s", code, out, errs)
	}
	_, _, errs = runCmd(t, "", "factors", "search", "--activity", "material.glass.flat", "--dataset", "egrid")
	if !strings.Contains(errs, "try a broader query") {
		t.Fatalf("factors search glass in egrid: stderr %s", errs)
	}
	code, _, errs = runCmd(t, "", "frobnicate")
	if code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, ""); code != 2 {
		t.Fatalf("no args: %d", code)
	}
}

// TestCompareInputErrors checks that compare refuses input that is wrong
// for every method (exit 1, each problem by pointer), as POST
// /v1/comparisons does, and keeps lines only one method cannot compute.
func TestCompareInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name, bid string
		code      int
		errHas    string
	}{
		{"unknown activity", `{"lines":[{"id":"a","activity":"fuel.unobtainium","region":"US","quantity":"1","unit":"kg"}]}`, 1, "/lines/0/activity (line a)"},
		{"unknown unit", `{"lines":[{"id":"a","activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"furlong"}]}`, 1, "/lines/0/unit (line a)"},
		{"one method cannot", `{"lines":[{"id":"a","activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCmd(t, tc.bid, "compare", "--method", "us-federal@2025.1", "--method", "eu-gpp@2025.1")
			if code != tc.code || !strings.Contains(errs, tc.errHas) {
				t.Fatalf("exit %d, want %d; stderr lacks %q: %s", code, tc.code, tc.errHas, errs)
			}
		})
	}
}

// TestCompareTextBoundary checks that the text comparison says, one
// sentence per line, why a line is outside one method's boundary.
func TestCompareTextBoundary(t *testing.T) {
	bid := `{"lines":[{"id":"1","activity":"fuel.lignite","region":"US","quantity":"10","unit":"mmBtu"},
		{"id":"2","activity":"fuel.natural_gas","region":"US","quantity":"10","unit":"mmBtu"}]}`
	code, out, errs := runCmd(t, bid, "compare", "--format", "text", "--method", "us-federal@2025.2", "--method", "eu-gpp@2025.2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Boundary, line by line",
		"line 1 is outside eu-gpp@2025.2's boundary by rule: no published HHV/NCV ratio converts fuel.lignite to its factor's basis.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "line 2 is") {
		t.Errorf("line 2 is counted by both methods and needs no boundary sentence:\n%s", out)
	}
}
