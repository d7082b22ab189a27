package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ and the worked example in docs/methods.md")

// runCmd runs the program with args and returns stdout, stderr and the code.
// runCmd3 is runCmd with its results in (stdout, stderr, code) order.
func runCmd3(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	code, out, errOut := runCmd(t, stdin, args...)
	return out, errOut, code
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run go test -update and review the diff)\n--- got:\n%s", path, got)
	}
}

const (
	exampleJSON = "../../examples/compare-us-eu.json"
	exampleCSV  = "../../examples/compare-us-eu.csv"
	testMethods = "../../calc/testdata/methods"
)

func TestCompareText(t *testing.T) {
	for _, tc := range []struct{ version, golden string }{
		{"2025.1", "compare_us_eu.txt"},
		{"2025.2", "compare_us_eu_2025.2.txt"},
	} {
		out, errOut, code := runCmd3(t, "", "compare", "--method", "us-federal@"+tc.version, "--method", "eu-gpp@"+tc.version, "--format", "text", exampleJSON)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		golden(t, tc.golden, out)
	}
}

func TestCompareJSONAndCSVAgree(t *testing.T) {
	js, errOut, code := runCmd3(t, "", "compare", "--method", "us-federal@2025.1", "--method", "eu-gpp@2025.1", exampleJSON)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "compare_us_eu.json", js)
	csv, errOut, code := runCmd3(t, "", "compare", exampleCSV, "--method", "us-federal@2025.1", "--method", "eu-gpp@2025.1")
	if code != exitOK {
		t.Fatalf("csv: exit %d: %s", code, errOut)
	}
	var a, b struct {
		Difference  map[string]string   `json:"difference"`
		Attribution []map[string]string `json:"attribution"`
	}
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(csv), &b); err != nil {
		t.Fatal(err)
	}
	if a.Difference["kg_co2e"] != b.Difference["kg_co2e"] || len(a.Attribution) != 5 {
		t.Errorf("JSON and CSV inputs differ: %v vs %v", a.Difference, b.Difference)
	}
	for i := range a.Attribution {
		if a.Attribution[i]["kg_co2e"] != b.Attribution[i]["kg_co2e"] {
			t.Errorf("cause %s: %s vs %s", a.Attribution[i]["cause"], a.Attribution[i]["kg_co2e"], b.Attribution[i]["kg_co2e"])
		}
	}
	// stdin, detected by content.
	raw, _ := os.ReadFile(exampleCSV)
	stdin, _, code := runCmd3(t, string(raw), "compare", "--method", "us-federal@2025.1", "--method", "eu-gpp@2025.1")
	if code != exitOK || !strings.Contains(stdin, a.Difference["kg_co2e"]) {
		t.Errorf("CSV on stdin: exit %d", code)
	}
}

// TestCompareDraftFromDir: a draft version added with --methods compares
// with the released one, the whole difference under gwp_set.
func TestCompareDraftFromDir(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "compare", "--methods", testMethods, "--method", "us-federal@2025.1", "--method", "us-federal@2025.1-ar6", "../../examples/bid.json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Difference  map[string]string   `json:"difference"`
		Attribution []map[string]string `json:"attribution"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Attribution {
		want := "0.000"
		if a["cause"] == "gwp_set" {
			want = r.Difference["kg_co2e"]
		}
		if a["kg_co2e"] != want {
			t.Errorf("%s = %s, want %s", a["cause"], a["kg_co2e"], want)
		}
	}
}

func TestCompareUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"one method", []string{"compare", "--method", "us-federal", exampleJSON}, exitUsage, "at least two methods"},
		{"bad format", []string{"compare", "--method", "us-federal", "--method", "eu-gpp", "--format", "xml", exampleJSON}, exitUsage, "--format"},
		{"unknown method", []string{"compare", "--method", "us-federal", "--method", "eu-gpp@1999", exampleJSON}, exitFailed, "unknown method"},
		{"missing file", []string{"compare", "--method", "us-federal", "--method", "eu-gpp", "nope.json"}, exitFailed, "nope.json"},
		{"bad methods dir", []string{"compare", "--methods", "../../methods/testdata/bad", "--method", "us-federal", "--method", "eu-gpp", exampleJSON}, exitFailed, "[known-gwp-set]"},
		{"help", []string{"compare", "--help"}, exitOK, "usage: footprint compare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCmd3(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	_, errOut, code := runCmd3(t, "line_id,activity,region,quantity,unit\n1,fuel.diesel,US,1;5,gal\n", "compare", "--method", "us-federal", "--method", "eu-gpp")
	if code != exitFailed || !strings.Contains(errOut, "CSV line 2") {
		t.Errorf("bad CSV cell: exit %d, %q", code, errOut)
	}
}

func TestMethodsValidate(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "methods", "validate", "../../methods/testdata/good.toml", filepath.Join(testMethods, "us-federal", "2025.1-ar6.toml"))
	if code != exitOK || strings.Count(out, ": ok: ") != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	bad, _ := filepath.Glob("../../methods/testdata/bad/*.toml")
	_, errOut, code = runCmd3(t, "", append([]string{"methods", "validate"}, bad...)...)
	if code != exitFailed {
		t.Fatalf("bad files: exit %d", code)
	}
	for _, f := range bad {
		if !strings.Contains(errOut, f+":") {
			t.Errorf("no problem reported for %s", f)
		}
	}
	// A file that reuses an existing id@version.
	_, errOut, code = runCmd3(t, "", "methods", "validate", "../../methods/defs/us-federal/2025.1.toml")
	if code != exitFailed || !strings.Contains(errOut, "2025.1.toml:5: version:") || !strings.Contains(errOut, "[new-version]") {
		t.Errorf("existing version: exit %d, %q", code, errOut)
	}
	// The draft, once loaded with --methods, does not clash with itself.
	_, errOut, code = runCmd3(t, "", "methods", "validate", "--methods", testMethods, filepath.Join(testMethods, "us-federal", "2025.1-ar6.toml"))
	if code != exitOK {
		t.Errorf("draft with its own dir: exit %d, %q", code, errOut)
	}
	_, _, code = runCmd3(t, "", "methods", "validate")
	if code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
}

func TestMethodsDiff(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "methods", "diff", "--methods", testMethods, "us-federal@2025.1", "us-federal@2025.1-ar6", "--inventory", "../../examples/bid.json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "diff_us_ar6.txt", out)
	js, errOut, code := runCmd3(t, "", "methods", "diff", "--format", "json", "us-federal@2025.1", "eu-gpp@2025.1", "--inventory", exampleCSV)
	if code != exitOK {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var r struct {
		Diff struct {
			GWPSetA string `json:"gwp_set_a"`
			Factors []any  `json:"factors"`
		} `json:"diff"`
		Inventory struct {
			Difference map[string]string `json:"difference"`
			Lines      []any             `json:"lines"`
		} `json:"inventory"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.Diff.GWPSetA != "AR5" || len(r.Diff.Factors) == 0 || len(r.Inventory.Lines) != 8 || r.Inventory.Difference["kg_co2e"] == "" {
		t.Errorf("diff JSON: %s", js[:min(len(js), 400)])
	}
	_, _, code = runCmd3(t, "", "methods", "diff", "us-federal")
	if code != exitUsage {
		t.Errorf("one ref: exit %d", code)
	}
}
