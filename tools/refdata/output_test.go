package main

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestCSVBytes pins the quoting factors/data has always had (Python's csv
// module, QUOTE_MINIMAL, LF line ends), which encoding/csv's Writer does not
// reproduce for fields starting with a space.
func TestCSVBytes(t *testing.T) {
	tests := []struct {
		name  string
		field string
		want  string
	}{
		{"plain", "kg/mmBtu", "kg/mmBtu"},
		{"empty", "", ""},
		{"comma", "Ready-mix concrete, C30/37", `"Ready-mix concrete, C30/37"`},
		{"quote", `Gas/Diesel Oil (EFDB fuel "Diesel Oil")`, `"Gas/Diesel Oil (EFDB fuel ""Diesel Oil"")"`},
		{"apostrophe", "f'c 3000 psi", "f'c 3000 psi"},
		{"leading space", " lead", " lead"},
		{"line feed", "a\nb", "\"a\nb\""},
		{"carriage return", "a\rb", "\"a\rb\""},
		{"non-ASCII", "ÖKOBAUDAT Baustähle", "ÖKOBAUDAT Baustähle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(csvBytes([]string{"h", "x"}, [][]string{{"a", tt.field}}))
			if want := "h,x\na," + tt.want + "\n"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	if got := string(csvBytes([]string{"h"}, [][]string{{""}, {"x"}})); got != "h\n\"\"\nx\n" {
		t.Errorf("a lone empty field: got %q", got)
	}
}

func TestMetaBytes(t *testing.T) {
	m := meta{id: "x", version: "1", title: `A "quoted" \ title`, publisher: "P", edition: "E",
		url: "https://example.org/", licence: "two\nlines", quality: "primary", notes: "Ö"}
	b := metaBytes(m)
	if !strings.HasPrefix(string(b), metaHeader) {
		t.Errorf("no header line: %q", b)
	}
	var got map[string]string
	if _, err := toml.Decode(string(b), &got); err != nil {
		t.Fatalf("not TOML: %v\n%s", err, b)
	}
	for i, k := range metaKeys {
		want := strings.ReplaceAll(m.fields()[i], "\n", " ")
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	if len(got) != len(metaKeys) {
		t.Errorf("%d keys, want %d", len(got), len(metaKeys))
	}
}
