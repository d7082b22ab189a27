package bidjson

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
)

// fakeParse stands for epd.Parse (a stub until the parsers land): it
// records what it was given and refuses documents that start with "bad".
type fakeParse struct {
	format, name string
	raw          []byte
	calls        int
}

func (f *fakeParse) parse(format, name string, raw []byte) (*epd.Declaration, error) {
	f.format, f.name, f.raw = format, name, raw
	f.calls++
	if strings.HasPrefix(string(raw), "bad") {
		return nil, &epd.DocError{File: name, Field: "processInformation", Msg: "missing", Err: epd.ErrMalformed}
	}
	return &epd.Declaration{Format: format, ID: "x"}, nil
}

// TestDecodeEPD decodes both forms of an EPD factor with a fake parser,
// and every refusal with its pointer.
func TestDecodeEPD(t *testing.T) {
	xml := "<processDataSet/>"
	b64 := base64.StdEncoding.EncodeToString([]byte(xml))
	line := func(factor string) string {
		return `{"date":"2026-01-10","valid_through":"2026-06-30","lines":[{"id":"r","activity":"material.steel.rebar","region":"US","quantity":"1","unit":"t","factor":` + factor + `}]}`
	}
	tests := []struct {
		name, in, pointer, detail string
		wantRaw, wantFormat       string
		wantName                  string
	}{
		{name: "ilcd base64", in: line(`{"epd":{"format":"ilcd+epd","file":"rebar.xml","document":"` + b64 + `"}}`), wantRaw: xml, wantFormat: "ilcd+epd", wantName: "rebar.xml"},
		{name: "openepd object", in: line(`{"epd":{"format":"openepd","document":{"id":"ec3x","impacts":{"TRACI 2.1":{"gwp":{"A1A2A3":{"mean":1}}}}}}}`),
			wantRaw: `{"id":"ec3x","impacts":{"TRACI 2.1":{"gwp":{"A1A2A3":{"mean":1}}}}}`, wantFormat: "openepd", wantName: "line r EPD"},
		{name: "openepd base64", in: line(`{"epd":{"format":"openepd","document":"` + base64.StdEncoding.EncodeToString([]byte(`{"id":"a"}`)) + `"}}`), wantRaw: `{"id":"a"}`, wantFormat: "openepd"},
		{name: "both forms", in: line(`{"kg_co2e":"1","per":"t","reference":"r","epd":{"format":"openepd","document":{}}}`), pointer: "/lines/0/factor", detail: "not both"},
		{name: "unknown format", in: line(`{"epd":{"format":"pdf","document":"` + b64 + `"}}`), pointer: "/lines/0/factor/epd/format", detail: `"pdf": use "ilcd+epd" or "openepd"`},
		{name: "not base64", in: line(`{"epd":{"format":"ilcd+epd","document":"<xml>"}}`), pointer: "/lines/0/factor/epd/document", detail: "not base64"},
		{name: "ilcd as object", in: line(`{"epd":{"format":"ilcd+epd","document":{"a":1}}}`), pointer: "/lines/0/factor/epd/document", detail: "base64"},
		{name: "missing document", in: line(`{"epd":{"format":"openepd"}}`), pointer: "/lines/0/factor/epd/document", detail: "missing"},
		{name: "parser refuses", in: line(`{"epd":{"format":"ilcd+epd","file":"x.xml","document":"` + base64.StdEncoding.EncodeToString([]byte("bad")) + `"}}`),
			pointer: "/lines/0/factor/epd/document", detail: "EPD x.xml: processInformation: missing"},
		{name: "unknown epd field", in: line(`{"epd":{"format":"openepd","document":{},"colour":1}}`), pointer: "/lines/0/factor/epd/colour", detail: "known fields: format, file, document"},
		{name: "dup key inside document", in: line(`{"epd":{"format":"openepd","document":{"id":"a","id":"b"}}}`), pointer: "/lines/0/factor/epd/document/id", detail: "duplicate key"},
		{name: "deep document", in: line(`{"epd":{"format":"openepd","document":{"a":` + strings.Repeat("[", 50) + strings.Repeat("]", 50) + `}}}`), wantFormat: "openepd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fp := &fakeParse{}
			b, err := DecodeBytesWith([]byte(tc.in), fp.parse)
			if tc.pointer != "" {
				var be *calc.BidError
				if !errors.As(err, &be) {
					t.Fatalf("err = %v, want a BidError", err)
				}
				p := be.Problems[0]
				if p.Pointer != tc.pointer || !strings.Contains(p.Detail, tc.detail) {
					t.Fatalf("problem %s: %s, want %s: …%s…", p.Pointer, p.Detail, tc.pointer, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Date != "2026-01-10" || b.ValidThrough != "2026-06-30" {
				t.Errorf("dates %q %q", b.Date, b.ValidThrough)
			}
			doc := b.Lines[0].Factor.EPD
			if doc == nil || doc.Declaration == nil || fp.calls != 1 {
				t.Fatalf("no document read (calls %d)", fp.calls)
			}
			if tc.wantRaw != "" && string(fp.raw) != tc.wantRaw {
				t.Errorf("parser got %q, want %q", fp.raw, tc.wantRaw)
			}
			if fp.format != tc.wantFormat {
				t.Errorf("format %q", fp.format)
			}
			if tc.wantName != "" && fp.name != tc.wantName {
				t.Errorf("name %q, want %q", fp.name, tc.wantName)
			}
			sum := sha256.Sum256(fp.raw)
			if doc.Declaration.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("sha256 %q not of the bytes read", doc.Declaration.SHA256)
			}
		})
	}
}

// TestDecodeEPDSizes: a body over MaxBytes is refused unless it carries an
// EPD document; a document over epd.MaxBytes is refused.
func TestDecodeEPDSizes(t *testing.T) {
	fp := &fakeParse{}
	pad := strings.Repeat(" ", MaxBytes)
	plain := `{"lines":[{"activity":"a","region":"US","quantity":"1","unit":"kg"}]` + pad + `}`
	if _, err := DecodeBytesWith([]byte(plain), fp.parse); !errors.Is(err, ErrTooLarge) {
		t.Errorf("plain body over MaxBytes: err %v", err)
	}
	withEPD := `{"lines":[{"activity":"a","region":"US","quantity":"1","unit":"kg","factor":{"epd":{"format":"openepd","document":{"id":"a"}}}}]` + pad + `}`
	if _, err := DecodeBytesWith([]byte(withEPD), fp.parse); err != nil {
		t.Errorf("body with EPD over MaxBytes: err %v", err)
	}
	big := base64.StdEncoding.EncodeToString(make([]byte, epd.MaxBytes+1))
	huge := `{"lines":[{"activity":"a","region":"US","quantity":"1","unit":"kg","factor":{"epd":{"format":"ilcd+epd","document":"` + big + `"}}}]}`
	_, err := DecodeBytesWith([]byte(huge), fp.parse)
	var be *calc.BidError
	if !errors.As(err, &be) || !errors.Is(be.Problems[0].Err, epd.ErrTooLarge) {
		t.Errorf("document over epd.MaxBytes: err %v", err)
	}
	if _, err := Decode(strings.NewReader(strings.Repeat(" ", MaxEPDBytes+1))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("body over MaxEPDBytes: err %v", err)
	}
}
