package server

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// epdFixture is a file of epd/testdata.
func epdFixture(t testing.TB, rel string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "epd", "testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// zipEPDDir is the ILCD archive of a fixture directory of epd/testdata
// (entries sorted: the same bytes, and SHA-256, on every run).
func zipEPDDir(t testing.TB, rel string) []byte {
	t.Helper()
	dir := filepath.Join("..", "epd", "testdata", filepath.FromSlash(rel))
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		r, _ := filepath.Rel(dir, n)
		w, err := zw.Create("ILCD/" + filepath.ToSlash(r))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(epdFixture(t, rel+"/"+filepath.ToSlash(r))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newRealEPDServer is a server with the real EPD parsers (epd.Parse).
func newRealEPDServer(t testing.TB) http.Handler {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestEPDRoundTripRealParsers posts real fixtures through POST
// /v1/footprints under the 2025.3 methods: the openEPD document as a JSON
// object, the ILCD archive base64-encoded; expired, truncated and hostile
// documents are 422 with the parser's or the rule's message.
func TestEPDRoundTripRealParsers(t *testing.T) {
	h := newRealEPDServer(t)
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	openepd := func(file string, doc []byte) string {
		return `{"epd":{"format":"openepd","file":"` + file + `","document":` + string(doc) + `}}`
	}
	ilcd := func(file string, doc []byte) string {
		return `{"epd":{"format":"ilcd+epd","file":"` + file + `","document":"` + b64(doc) + `"}}`
	}
	openepd64 := func(file string, doc []byte) string {
		return `{"epd":{"format":"openepd","file":"` + file + `","document":"` + b64(doc) + `"}}`
	}
	laughs := []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><processDataSet>&lol2;</processDataSet>`)
	cases := []struct {
		name, method, date, factor string
		status                     int
		want                       []string
	}{
		{"openepd object", "us-federal@2025.3", "2026-01-10", openepd("rebar-traci.json", epdFixture(t, "openepd/rebar-traci.json")), 200,
			[]string{`"kg_co2e":"9756.250"`, `"epd":{"file":"rebar-traci.json","format":"openepd","id":"ec3exa01"`, `"registration_number":"EXA-EPD-1001"`,
				`"set":"TRACI 2.1"`, `"valid_until":"2028-03-31"`, `"epd_digests":["`, `"factor":{"id":"epd:EXA-EPD-1001"`}},
		// openEPD under an EF 3.x set: its "gwp" is EN 15804+A2's GWP-total, summed from A1, A2, A3.
		{"openepd EF 3.0 under eu-gpp", "eu-gpp@2025.3", "2026-01-10", openepd("glass-separate.json", epdFixture(t, "openepd/glass-separate.json")), 200,
			[]string{`"indicator":"GWP-total"`, `"set":"EF 3.0"`, `"modules":"A1-A3"`}},
		{"ilcd archive", "eu-gpp@2025.3", "2026-01-10", ilcd("rebar-a2.zip", zipEPDDir(t, "ilcd/rebar-a2")), 200,
			[]string{`"epd":{"file":"rebar-a2.zip","format":"ilcd+epd"`, `"indicator":"GWP-total"`, `"declared_unit":"1000 kg"`, `"epd_digests":["`}},
		{"ilcd expired", "eu-gpp@2025.3", "2026-01-10", ilcd("old.zip", zipEPDDir(t, "ilcd/rebar-a1-expired")), 422,
			[]string{`(old.zip) expired on 2021-06-30; the bid is dated 2026-01-10`, `/lines/0/factor/epd`}},
		{"openepd expired", "us-federal@2025.3", "2026-01-10", openepd("c.json", epdFixture(t, "openepd/concrete-expired.json")), 422,
			[]string{`EPD EXA-EPD-0404 (c.json) expired on 2022-05-31`}},
		{"openepd truncated", "us-federal@2025.3", "2026-01-10", openepd64("t.json", epdFixture(t, "malformed/truncated.json")), 422,
			[]string{`EPD t.json: byte `, `truncated?`}},
		{"ilcd truncated archive", "eu-gpp@2025.3", "2026-01-10", ilcd("cut.zip", zipEPDDir(t, "ilcd/rebar-a2")[:200]), 422,
			[]string{`EPD cut.zip: not a readable zip archive`}},
		{"ilcd process alone, truncated", "eu-gpp@2025.3", "2026-01-10", ilcd("p.xml", epdFixture(t, "malformed/truncated-process.xml")), 422,
			[]string{`EPD p.xml`}},
		{"billion laughs", "eu-gpp@2025.3", "2026-01-10", ilcd("lol.xml", laughs), 422,
			[]string{`EPD lol.xml: the document declares a DTD or entities`}},
		// The forged test fixture of issue 16 (calc/testdata/epd): rebar-a2
		// with GWP-total A1-A3 edited to -9E14.
		{"ilcd forged negative GWP", "eu-gpp@2025.3", "2026-01-10", ilcd("forged.zip", zipEPDDir(t, "../../calc/testdata/epd/forged-rebar-a2")), 422,
			[]string{`"pointer":"/lines/0/factor/epd"`, `EPD EPD-EXA-20230001-IBD1-EN (forged.zip) declares A1-A3 GWP-total -900000000000000 kg CO2e per 1000 kg: a negative A1-A3 value counts biogenic uptake without its end-of-life release (EN 15804+A2 balances it in C3/C4); method eu-gpp@2025.3 does not count it (epd.biogenic = \"refuse\")`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := epdBid(tc.method, tc.date, tc.factor)
			req := httptest.NewRequest("POST", "/v1/footprints", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tc.status, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("no %s in\n%s", w, got)
				}
			}
		})
	}
}
