package bidjson

import (
	"strings"
	"testing"
)

// TestCheck lists every problem Check reports, by pointer, in order.
func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		pointers []string
	}{
		{"clean", `{"method":"a","lines":[{"id":"1","quantity":1,"factor":{"kg_co2e":"2"}}]}`, nil},
		{"null anywhere", `{"method":null,"lines":[{"factor":null,"quantity":null,"allow_region_fallback":null}]}`, nil},
		{"dup keys at every depth", `{"lines":[{"id":"1","id":"2","factor":{"per":"t","per":"t"}}],"lines":[]}`,
			[]string{"/lines/0/id", "/lines/0/factor/per", "/lines"}},
		{"dup inside an unknown field", `{"x":{"a":1,"a":2}}`, []string{"/x", "/x/a"}},
		{"three times", `{"supplier":"a","supplier":"b","supplier":"c","lines":[]}`, []string{"/supplier", "/supplier"}},
		{"every unknown field", `{"colour":1,"lines":[{},{"size":2},{"factor":{"epd":3}}]}`,
			[]string{"/colour", "/lines/1/size", "/lines/2/factor/epd"}},
		{"every wrong type", `{"method":1,"lines":[{"id":true,"quantity":{},"allow_region_fallback":"yes"}]}`,
			[]string{"/method", "/lines/0/id", "/lines/0/quantity", "/lines/0/allow_region_fallback"}},
		{"too deep", `{"x":` + strings.Repeat(`{"y":`, MaxDepth+5) + `1` + strings.Repeat("}", MaxDepth+5) + `}`,
			[]string{"/x", "/x" + strings.Repeat("/y", MaxDepth)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, err := Check([]byte(tt.in), &wireBid{})
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, p.Pointer)
				if p.Detail == "" || p.Err == nil {
					t.Errorf("incomplete problem %+v", p)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.pointers, " ") {
				t.Errorf("pointers %q, want %q (%v)", got, tt.pointers, probs)
			}
		})
	}
}

func TestCheckMalformed(t *testing.T) {
	for _, in := range []string{`{"lines":[`, `{"a":1,}`, ``, `{"a" 1}`} {
		if probs, err := Check([]byte(in), &wireBid{}); err == nil || probs != nil {
			t.Errorf("%q: probs %v, err %v; want the syntax error only", in, probs, err)
		}
	}
}

// TestCheckBounded checks that a document of many bad keys gets at most
// MaxProblems+1 problems and that no message repeats a long key in full.
func TestCheckBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"lines":[]`)
	long := strings.Repeat("é", 500)
	for i := 0; i < 1000; i++ {
		b.WriteString(`,"` + long + `":1`)
	}
	b.WriteString(`}`)
	probs, err := Check([]byte(b.String()), &wireBid{})
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != MaxProblems+1 || !strings.Contains(probs[MaxProblems].Detail, "more than") {
		t.Fatalf("%d problems, last %v", len(probs), probs[len(probs)-1])
	}
	for _, p := range probs {
		if len(p.Pointer) > ShortLen+10 || len(p.Detail) > 400 {
			t.Fatalf("problem echoes too much: %d-byte pointer, %d-byte detail", len(p.Pointer), len(p.Detail))
		}
	}
}

func TestShort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{strings.Repeat("a", ShortLen), strings.Repeat("a", ShortLen)},
		{strings.Repeat("a", ShortLen+1), strings.Repeat("a", ShortLen) + "…"},
		{"a" + strings.Repeat("é", 30), "a" + strings.Repeat("é", 19) + "…"}, // cut on a rune boundary
	}
	for _, tt := range tests {
		if got := Short(tt.in); got != tt.want {
			t.Errorf("Short(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
