package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const (
	docPath    = "../../docs/methods.md"
	docBegin   = "<!-- worked-example:begin"
	docEnd     = "<!-- worked-example:end -->"
	fenceStart = "```text\n"
	fenceEnd   = "```\n"
)

// TestDocWorkedExample checks that the worked EU-vs-US comparison in
// docs/methods.md is what the program prints; -update rewrites it.
func TestDocWorkedExample(t *testing.T) {
	out, errOut, code := runCmd3(t, "", "compare", "--method", "us-federal@2025.2", "--method", "eu-gpp@2025.2", "--format", "text", exampleJSON)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, docBegin)
	j := strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %q ... %q not found", docPath, docBegin, docEnd)
	}
	i += strings.Index(doc[i:], "\n") + 1
	want := fenceStart + out + fenceEnd
	if *update {
		doc = doc[:i] + want + doc[j:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := doc[i:j]; got != want {
		t.Errorf("the worked example in %s is not what the program prints (go test ./cmd/footprint -update)\n--- doc:\n%s\n--- program:\n%s", docPath, got, want)
	}
}

// TestReadmeComparisonTable checks the README's table of the example
// comparison against what the program computes under 2025.2 and 2025.1.
func TestReadmeComparisonTable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	cells := func(row string) []string {
		var out []string
		for _, c := range strings.Split(strings.Trim(row, "|"), "|") {
			out = append(out, strings.Trim(strings.TrimSpace(c), "*"))
		}
		return out
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(readme, "\n") {
		if c := cells(l); strings.HasPrefix(l, "| ") && len(c) == 4 {
			rows[c[0]] = c
		}
	}
	for col, version := range map[int]string{1: "2025.2", 3: "2025.1"} {
		out, errOut, code := runCmd3(t, "", "compare", "--method", "us-federal@"+version, "--method", "eu-gpp@"+version, exampleJSON)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var c struct {
			Difference struct {
				KgCO2e string `json:"kg_co2e"`
			} `json:"difference"`
			Attribution []struct {
				Cause  string `json:"cause"`
				KgCO2e string `json:"kg_co2e"`
			} `json:"attribution"`
		}
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"difference": c.Difference.KgCO2e}
		for _, a := range c.Attribution {
			want[a.Cause] = a.KgCO2e
		}
		for cause, v := range want {
			row, ok := rows[cause]
			if !ok {
				t.Errorf("README: no row for %s", cause)
				continue
			}
			if got, _, _ := strings.Cut(row[col], ":"); strings.TrimSpace(got) != v {
				t.Errorf("README: %s under %s is %q, the program says %s", cause, version, row[col], v)
			}
		}
	}
}
