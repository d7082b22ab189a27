package bidjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/internal/clip"
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
		{"escaped duplicate", `{"lines":[{"id":"1","\u0069d":"2"}]}`, []string{"/lines/0/id"}},
		{"escaped key in pointer", `{"a\u002fb":1}`, []string{"/a~1b"}},
		{"many keys", `{"lines":[{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"r":1,"a":2,"r":2}]}`,
			[]string{"/lines/0/a", "/lines/0/b", "/lines/0/c", "/lines/0/d", "/lines/0/e", "/lines/0/f", "/lines/0/g", "/lines/0/h", "/lines/0/i", "/lines/0/j", "/lines/0/k", "/lines/0/l", "/lines/0/m", "/lines/0/n", "/lines/0/o", "/lines/0/p", "/lines/0/q", "/lines/0/r", "/lines/0/a", "/lines/0/a", "/lines/0/r", "/lines/0/r"}},
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
		if len(p.Pointer) > clip.Max+10 || len(p.Detail) > 400 {
			t.Fatalf("problem echoes too much: %d-byte pointer, %d-byte detail", len(p.Pointer), len(p.Detail))
		}
	}
}

// BenchmarkCheck20 scans a 20-line bid, as the server does before decoding.
func BenchmarkCheck20(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"method":"us-federal","reference":"T-1","supplier":"S","lines":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"id":"` + strings.Repeat("1", i%3+1) + `x` + string(rune('a'+i)) + `","activity":"fuel.natural_gas","region":"US","quantity":"1000.5","unit":"mmBtu","factor":{"kg_co2e":"780","per":"t","reference":"EPD"}}`)
	}
	sb.WriteString(`]}`)
	raw := []byte(sb.String())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if probs, err := Check(raw, &wireBid{}); err != nil || len(probs) > 0 {
			b.Fatal(err, probs)
		}
	}
}

// FuzzCheck holds Check to encoding/json: on any input it does not panic;
// on well-formed JSON it answers without error; and when it finds nothing,
// strict decoding finds no unknown field and no wrong type either.
func FuzzCheck(f *testing.F) {
	f.Add(`{"lines":[{"id":"1","quantity":1,"factor":{"kg_co2e":"2"}}]}`)
	f.Add(`{"lines":[{"id":"1","\u0069d":"2"}],"x":[1,{"a":null}]}`)
	f.Add(`{"method":true,"lines":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		probs, err := Check([]byte(s), &wireBid{})
		if err != nil {
			if json.Valid([]byte(s)) {
				t.Fatalf("valid JSON, error %v", err)
			}
			return
		}
		if len(probs) > 0 {
			return
		}
		var w wireBid
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		err = dec.Decode(&w)
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) || (err != nil && strings.Contains(err.Error(), "unknown field")) {
			t.Fatalf("Check found nothing, decoding: %v", err)
		}
	})
}
