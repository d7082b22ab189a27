package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/footprint-gpp/footprint/epd"
)

// fakeEPDParse stands for epd.Parse in the server's tests (the parsers are
// written elsewhere): the document is a Declaration as JSON. The real
// parsers' documents are tested end to end once both land.
func fakeEPDParse(format, name string, raw []byte) (*epd.Declaration, error) {
	var d epd.Declaration
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, &epd.DocError{File: name, Msg: "not a test declaration: " + err.Error(), Err: epd.ErrMalformed}
	}
	d.Format = format
	return &d, nil
}

// epdDeclJSON is a US rebar declaration (openEPD-like, TRACI 2.1 GWP) and
// euDeclJSON an EN 15804+A2 one, both as fakeEPDParse reads them.
const (
	usDeclJSON = `{"id":"ec3-rebar-1","name":"Rebar","registration_number":"EC3-1","program_operator":"ASTM","standard":"ISO 21930",` +
		`"valid_until":"2027-06-30T00:00:00Z","declared_unit":{"amount":"1","unit":"t"},` +
		`"results":[{"indicator":"gwp","set":"TRACI 2.1","module":"A1-A3","value":"850"}]}`
	euDeclJSON = `{"id":"5c1e9d3a-0000-4000-8000-000000000001","name":"Betonstahl","registration_number":"S-P-01234","standard":"EN 15804+A2",` +
		`"valid_until":"2025-03-01T00:00:00Z","declared_unit":{"amount":"1000","unit":"kg"},` +
		`"results":[{"indicator":"GWP-total","module":"A1","value":"700"},{"indicator":"GWP-total","module":"A2","value":"20"},{"indicator":"GWP-total","module":"A3","value":"60.5"}]}`
)

func epdBid(method, date, factor string) string {
	return `{"method":"` + method + `","reference":"T-1","date":"` + date + `","lines":[{"id":"r","activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":` + factor + `}]}`
}

// epdCases are requests with EPD documents, answered by a server whose
// EPD parser is fakeEPDParse; they run in TestAPI and their responses are
// validated against the OpenAPI document.
func epdCases() []apiCase {
	usObj := `{"epd":{"format":"openepd","file":"rebar.json","document":` + usDeclJSON + `}}`
	eu64 := `{"epd":{"format":"ilcd+epd","file":"rebar.xml","document":"` + base64.StdEncoding.EncodeToString([]byte(euDeclJSON)) + `"}}`
	return []apiCase{
		{name: "epd openepd object", method: "POST", target: "/v1/footprints", contentType: "application/json", body: epdBid("us-federal@2025.3", "2026-01-10", usObj), status: 200,
			want: []string{`"kg_co2e":"10625.000"`, `"epd":{"file":"rebar.json","format":"openepd","id":"ec3-rebar-1"`, `"indicator":"GWP"`, `"set":"TRACI 2.1"`, `"epd_digests":["`, `"id":"gsa-rebar-fab-top20"`}},
		{name: "epd base64 summed", method: "POST", target: "/v1/footprints", contentType: "application/json", body: epdBid("eu-gpp@2025.3", "2025-01-10", eu64), status: 200,
			want: []string{`"kg_co2e":"9756.250"`, `"summed_from":["A1","A2","A3"]`, `"declared_unit":"1000 kg"`, `expires on 2025-03-01`}},
		{name: "epd expired", method: "POST", target: "/v1/footprints", contentType: "application/json", body: epdBid("eu-gpp@2025.3", "2025-06-01", eu64), status: 422,
			want: []string{`EPD S-P-01234 (rebar.xml) expired on 2025-03-01`}, pointers: []string{"/lines/0/factor/epd"}},
		{name: "epd method without rules", method: "POST", target: "/v1/footprints", contentType: "application/json", body: epdBid("us-federal@2025.2", "2026-01-10", usObj), status: 422,
			want: []string{`method us-federal@2025.2 declares no EPD rules; give factor.kg_co2e, factor.per and factor.reference`}, pointers: []string{"/lines/0/factor/epd"}},
		{name: "epd both forms", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: epdBid("us-federal@2025.3", "2026-01-10", `{"kg_co2e":"1","per":"t","reference":"x","epd":{"format":"openepd","document":{}}}`), status: 422,
			want: []string{"not both"}, pointers: []string{"/lines/0/factor"}},
		{name: "epd bad format", method: "POST", target: "/v1/footprints", contentType: "application/json",
			body: epdBid("us-federal@2025.3", "2026-01-10", `{"epd":{"format":"pdf","document":"eA=="}}`), status: 422,
			pointers: []string{"/lines/0/factor/epd/format"}},
		{name: "epd bad date", method: "POST", target: "/v1/footprints", contentType: "application/json", body: epdBid("us-federal@2025.3", "10/01/2026", usObj), status: 422,
			pointers: []string{"/date"}},
		{name: "epd comparison", method: "POST", target: "/v1/comparisons", contentType: "application/json",
			body:   `{"methods":["us-federal@2025.3","us-federal@2025.2"],"date":"2026-01-10","lines":[{"id":"r","activity":"material.steel.rebar","region":"US","quantity":"1","unit":"t","factor":` + usObj + `}]}`,
			status: 200, want: []string{`"epd":{"file":"rebar.json"`, `declares no EPD rules`}},
	}
}
