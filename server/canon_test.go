package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/tenders"
)

// TestTenderInputCanon: amounts of tenders and bids have one spelling
// (tender.AmountPattern) and free text has no control or bidirectional
// characters; anything else is a 422 naming the field (by pointer), the
// rule or the code point, and nothing is stored (issue 15, points 6–7).
func TestTenderInputCanon(t *testing.T) {
	e := newTenderEnv(t, memFactory)
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	tests := []struct {
		name    string
		target  string
		token   string
		body    string
		pointer string
		detail  string
	}{
		{"price with a space", "/v1/tenders/" + id + "/bids", "", gasBid("ACME", " 10", "1", ""), "/price/amount", `" 10" is not a plain decimal number; write it as plain digits`},
		{"price with an exponent", "/v1/tenders/" + id + "/bids", "", gasBid("ACME", "1E+2", "1", ""), "/price/amount", "no spaces, sign, exponent"},
		{"price as a JSON number with an exponent", "/v1/tenders/" + id + "/bids", "",
			strings.Replace(gasBid("ACME", "X", "1", ""), `"X"`, `1e2`, 1), "/price/amount", `"1e2" is not a plain decimal number`},
		{"price with a sign", "/v1/tenders/" + id + "/bids", "", gasBid("ACME", "+10", "1", ""), "/price/amount", "sign"},
		{"price with a leading zero", "/v1/tenders/" + id + "/bids", "", gasBid("ACME", "010", "1", ""), "/price/amount", "leading zeros"},
		{"supplier with U+202E", "/v1/tenders/" + id + "/bids", "", gasBid(`ACME \u202egnp.exe`, "10", "1", ""), "/supplier", "U+202E (right-to-left override"},
		{"carbon price with an exponent", "/v1/tenders", testOfficerToken,
			tenderBody(`{"rule":"carbon_price","carbon_price_per_t":"1e2","limits":"report"}`), "/award/carbon_price_per_t", "carbon price per tonne: \"1e2\" is not a plain decimal number"},
		{"ladder discount without its zero", "/v1/tenders", testOfficerToken,
			tenderBody(`{"rule":"ladder","ladder_discounts":{"3":".04"},"limits":"report"}`), "/award/ladder_discounts/3", "discount (a fraction, e.g. 0.04): \".04\" is not a plain decimal number"},
		{"buyer with U+2067", "/v1/tenders", testOfficerToken,
			strings.Replace(tenderBody(`{"rule":"price_only","limits":"report"}`), "Rijkswaterstaat", `Rijks\u2067waterstaat`, 1), "/buyer", "U+2067"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do("POST", tt.target, tt.token, tt.body)
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 422 {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body.String())
			}
			found := false
			for _, f := range p.Errors {
				if f.Pointer == tt.pointer && strings.Contains(f.Detail, tt.detail) {
					found = true
				}
				if strings.Contains(f.Detail, "gnp") || strings.ContainsRune(f.Detail, '\u202e') {
					t.Errorf("%s echoes the input: %q", f.Pointer, f.Detail)
				}
			}
			if !found {
				t.Errorf("no error at %s saying %q: %+v", tt.pointer, tt.detail, p.Errors)
			}
		})
	}
	// The canonical spellings pass, and nothing of the refused ones was stored.
	e.submit(id, gasBid("ACME", "10.50", "1", ""))
	var sealed tenders.SealedBids
	e.want(e.do("GET", "/v1/tenders/"+id+"/bids", testOfficerToken, ""), 200, &sealed, "bids")
	if sealed.Count != 1 {
		t.Errorf("%d bids stored, want only the valid one", sealed.Count)
	}
	e.createTender(`{"rule":"carbon_price","carbon_price_per_t":"120.5","limits":"report"}`)
	e.createTender(`{"rule":"ladder","ladder_discounts":{"3":"0.04","5":"0"},"limits":"report"}`)
}
