package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// TestFootprintAnswerIsCalculateJSON: the answer to POST /v1/footprints,
// written by the engine from fixed point (AppendFootprintJSON), is byte
// for byte the JSON of the footprint Calculate gives for the same decoded
// bid, for every accepted spelling of a quantity and a product factor
// (JSON strings and numbers, exponents, trailing and leading zeros), with
// and without ?uncertainty= (which answers through Calculate).
func TestFootprintAnswerIsCalculateJSON(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	eng := calc.NewEngine(lib)
	h, err := New(Config{Library: lib, Registry: reg, Engine: eng, ParseEPD: fakeEPDParse})
	if err != nil {
		t.Fatal(err)
	}
	spellings := []string{`"1000"`, `"1000.000"`, `"1e3"`, `"1E+3"`, `"0001000"`, `"+1000"`, `1000`, `1000.0`, `1e3`, `0.5e1`, `"0.0005"`, `"0"`,
		`"999999999999999.999999999999999999"`, `"123456789.123456789123456789"`, `"12.5"`, `12.50`}
	oks := 0
	for i, q := range spellings {
		for _, query := range []string{"", "?uncertainty=20&seed=7"} {
			pf := spellings[(i+3)%len(spellings)]
			body := fmt.Sprintf(`{"method":"us-federal@2025.1","reference":"R-%d","supplier":"S","lines":[`+
				`{"id":"a","activity":"fuel.natural_gas","region":"US","quantity":%s,"unit":"mmBtu"},`+
				`{"activity":"electricity.grid","region":"US-CAMX","quantity":%s,"unit":"MWh"},`+
				`{"id":"c","activity":"material.steel.rebar","region":"US","quantity":%s,"unit":"t","factor":{"kg_co2e":%s,"per":"kg","reference":"EPD-1"}}]}`,
				i, q, q, q, pf)
			req := httptest.NewRequest(http.MethodPost, "/v1/footprints"+query, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s%s: status %d: %s", q, query, rec.Code, rec.Body)
			}
			var br BidRequest
			if err := decodeBody([]byte(body), &br); err != nil {
				t.Fatal(err)
			}
			m, err := reg.Resolve(br.Method)
			if err != nil {
				t.Fatal(err)
			}
			bid, err := toBid(fakeEPDParse, m.Ref(), br.Reference, br.Supplier, br.Lines)
			if err != nil {
				t.Fatal(err)
			}
			fp, err := eng.Calculate(m, bid)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fp.JSON()
			if err != nil {
				t.Fatal(err)
			}
			got := rec.Body.Bytes()
			if query != "" {
				// The sampled answer is the exact one with its "uncertainty"
				// member added before the closing brace.
				i := bytes.LastIndex(got, []byte(`,"uncertainty":`))
				if i < 0 {
					t.Fatalf("%s%s: no uncertainty member", q, query)
				}
				got = append(got[:i:i], '}')
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("quantity %s, factor %s%s: the answer differs from Calculate's JSON\n got %s\nwant %s", q, pf, query, got, want)
			}
			oks++
		}
	}
	if oks != 2*len(spellings) {
		t.Fatalf("%d answers compared", oks)
	}
}
