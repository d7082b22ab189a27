package main

import (
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
	out, errOut, code := runCmd3(t, "", "compare", "--method", "us-federal@2025.1", "--method", "eu-gpp@2025.1", "--format", "text", exampleJSON)
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
