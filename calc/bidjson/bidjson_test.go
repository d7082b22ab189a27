package bidjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pointer string
		detail  string
	}{
		{"ok strings", `{"lines":[{"id":"1","activity":"a","region":"US","quantity":"12.50","unit":"kg"}]}`, "", ""},
		{"ok number", `{"lines":[{"activity":"a","region":"US","quantity":12.5000000000000000001,"unit":"kg"}]}`, "", ""},
		{"comma decimal", `{"lines":[{"activity":"a","region":"US","quantity":"12,5","unit":"kg"}]}`, "/lines/0/quantity", "not a decimal number: 12,5 (use a point"},
		{"bad factor", `{"lines":[{"activity":"a","region":"US","quantity":"1","unit":"kg","factor":{"kg_co2e":"x","per":"t","reference":"r"}}]}`, "/lines/0/factor/kg_co2e", "not a decimal number: x"},
		{"syntax", "{\"lines\": [\n  {\"id\": 1,,}]}", "", "malformed JSON at line 2"},
		{"type", `{"lines":[{"id":1}]}`, "/lines/0/id", "expected a string, got a number"},
		{"unknown field", `{"lines":[],"colour":"red"}`, "/colour", `unknown field "colour"; known fields: method, reference, supplier, date, valid_through, lines`},
		{"unknown line field", `{"lines":[{},{},{"colour":"red"}]}`, "/lines/2/colour", `unknown field "colour"; known fields: id, activity, region, quantity, unit, basis, stage, allow_region_fallback, factor`},
		{"unknown factor field", `{"lines":[{"factor":{"kg_co2e":"1","gwp":"x"}}]}`, "/lines/0/factor/gwp", `known fields: kg_co2e, per, reference, epd`},
		{"case differs", `{"Lines":[]}`, "/Lines", `case-sensitive: "lines"`},
		{"dup key top", `{"lines":[],"method":"a","method":"b"}`, "/method", "duplicate key"},
		{"dup key in line", `{"lines":[{"quantity":"1","quantity":"1000"}]}`, "/lines/0/quantity", "duplicate key"},
		{"dup key in factor", `{"lines":[{"factor":{"per":"t","per":"kg"}}]}`, "/lines/0/factor/per", "duplicate key"},
		{"dup key in unknown", `{"x":{"a":1,"a":2}}`, "/x", "unknown field"},
		{"long key cut", `{"` + strings.Repeat("k", 100) + `":1}`, "/" + strings.Repeat("k", 40) + "…", `unknown field "` + strings.Repeat("k", 40) + `…"`},
		{"pointer escaped", `{"a/b~c":1}`, "/a~1b~0c", `unknown field "a/b~c"`},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), "", "expected an object, got an array"},
		{"deep unknown", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "/x", "unknown field"},
		{"trailing", `{"lines":[]} {}`, "", "unexpected data after"},
		{"empty", ``, "", "empty"},
		{"bool quantity", `{"lines":[{"quantity":true}]}`, "/lines/0/quantity", "expected a decimal (a string such as \"12.5\" or a JSON number), got true"},
		{"object for string", `{"method":{"id":"x"},"lines":[]}`, "/method", "expected a string, got an object"},
		{"array for object", `{"lines":[[]]}`, "/lines/0", "expected an object, got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := DecodeBytes([]byte(tt.in))
			if tt.detail == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if len(b.Lines) == 1 && b.Lines[0].ID == "" {
					t.Error("line without id did not get its position as id")
				}
				return
			}
			var be *calc.BidError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want *calc.BidError", err)
			}
			p := be.Problems[0]
			if p.Pointer != tt.pointer || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("got %q %q, want %q containing %q", p.Pointer, p.Detail, tt.pointer, tt.detail)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	big := strings.Repeat(" ", MaxBytes+1)
	if _, err := Decode(strings.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"lines":[{"id":"1","activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"}]}`)
	f.Add(`{"lines":[{"quantity":1e400}]}`)
	f.Add(`{"lines":[{"factor":{"kg_co2e":"-0"}}]}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBytes([]byte(s))
		if err != nil {
			var be *calc.BidError
			if !errors.As(err, &be) || len(be.Problems) == 0 {
				t.Fatalf("error %v is not a *calc.BidError with problems", err)
			}
			return
		}
		for _, l := range b.Lines {
			if err := calc.CheckQuantity(l.Quantity); err != nil {
				t.Fatalf("accepted quantity %s: %v", l.Quantity, err)
			}
		}
	})
}
