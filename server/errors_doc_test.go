package server

import (
	"os"
	"strings"
	"testing"
)

// TestProblemTypesDocumented checks that every problem type of the error
// table is explained in docs/api.md, where its type URI points.
func TestProblemTypesDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, k := range errorTable {
		if !strings.Contains(doc, "`#"+k.slug+"`") {
			t.Errorf("problem type #%s (%d %s) is not in docs/api.md", k.slug, k.status, k.title)
		}
	}
}
