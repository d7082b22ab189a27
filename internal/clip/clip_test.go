package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"1000", "1000"},
		{strings.Repeat("a", Max), strings.Repeat("a", Max)},
		{strings.Repeat("a", Max+1), strings.Repeat("a", Max) + "… (41 bytes)"},
		{strings.Repeat("9", 10001), strings.Repeat("9", Max) + "… (10001 bytes)"},
		// a three-byte rune across the cut is not split
		{strings.Repeat("a", Max-1) + "€xyz", strings.Repeat("a", Max-1) + "… (45 bytes)"},
	} {
		got := Text(tc.in)
		if got != tc.want {
			t.Errorf("Text(%.50q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Text(%.50q) is not valid UTF-8", tc.in)
		}
	}
}

func TestPrefix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{strings.Repeat("a", Max), strings.Repeat("a", Max)},
		{strings.Repeat("a", Max+1), strings.Repeat("a", Max) + "…"},
		{"a" + strings.Repeat("é", 30), "a" + strings.Repeat("é", 19) + "…"}, // cut on a rune boundary
	} {
		if got := Prefix(tc.in); got != tc.want {
			t.Errorf("Prefix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestID(t *testing.T) {
	reg := "IBU-CEI-HOL-2205120-DE2023000499-1SUG001-DE"
	if got := ID(reg); got != reg {
		t.Errorf("ID(%q) = %q, want it whole", reg, got)
	}
	long := strings.Repeat("x", MaxID+1)
	if got, want := ID(long), Text(long); got != want {
		t.Errorf("ID(%d bytes) = %q, want %q", len(long), got, want)
	}
}
