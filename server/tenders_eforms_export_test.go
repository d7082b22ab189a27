package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// fullNoticeJSON is a tender's complete notice details (a Berlin buyer).
const fullNoticeJSON = `{"buyer_legal_name":"Land Berlin, Senatsverwaltung für Stadtentwicklung","buyer_id":"DE136630206","buyer_country":"DEU",
	"buyer_town":"Berlin","buyer_postcode":"10179","buyer_email":"vergabe@example.berlin","buyer_url":"https://vergabe.example.berlin/t/42",
	"buyer_legal_type":"body-pl-la","buyer_activity":"gen-pub","cpv":"45233142","contract_nature":"works",
	"description":"Resurfacing of 12 km of municipal roads.","buyer_phone":"+49 30 90139 0","buyer_nuts":"DE300",
	"review_body_name":"Vergabekammer des Landes Berlin","review_body_id":"DE-VK-BE","review_body_town":"Berlin",
	"review_body_postcode":"10178","review_body_nuts":"DE300"}`

// TestEFormsNoticeRoutes drives the eForms exports over the API against a
// store: the contract notice from creation on (422 naming the notice
// fields a tender lacks), the award notice only after the opening (409
// before), with the winner's details and the submission statistics as
// query parameters (422 naming what is missing or does not add up); the
// same export twice gives the same bytes, and each is audited.
func TestEFormsNoticeRoutes(t *testing.T) {
	e := newTenderEnv(t, memFactory)
	create := func(notice string) string {
		body := `{"reference":"BER-2026-17","title":"Road resurfacing","buyer":"Land Berlin","method":"us-federal@2025.1","currency":"EUR",
			"deadline":"` + tenderDeadline.Format(time.RFC3339) + `","award":` + carbonAward + notice + `}`
		var tv map[string]any
		e.want(e.do("POST", "/v1/tenders", testOfficerToken, body), 201, &tv, "create")
		return tv["id"].(string)
	}
	bare := create("")
	rec := e.do("GET", "/v1/tenders/"+bare+"/eforms/contract-notice", testOfficerToken, "")
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "notice-incomplete") || !strings.Contains(rec.Body.String(), "/notice/buyer_legal_name") {
		t.Fatalf("contract notice without details: %d %s", rec.Code, rec.Body)
	}
	id := create(`,"notice":` + fullNoticeJSON)
	cn := e.do("GET", "/v1/tenders/"+id+"/eforms/contract-notice", testOfficerToken, "")
	if cn.Code != 200 || !strings.HasPrefix(cn.Header().Get("Content-Type"), "application/xml") ||
		!strings.Contains(cn.Body.String(), `<cbc:SubTypeCode listName="notice-subtype">16</cbc:SubTypeCode>`) || !strings.Contains(cn.Body.String(), "45233142") {
		t.Fatalf("contract notice: %d %s %.600s", cn.Code, cn.Header(), cn.Body)
	}
	if again := e.do("GET", "/v1/tenders/"+id+"/eforms/contract-notice", testOfficerToken, ""); again.Body.String() != cn.Body.String() {
		t.Error("the contract notice differs on a second export")
	}
	if rec := e.do("GET", "/v1/tenders/"+id+"/eforms/contract-notice", "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("contract notice without a credential: %d", rec.Code)
	}
	if rec := e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice", testOfficerToken, ""); rec.Code != 409 {
		t.Errorf("award notice before opening: %d %s", rec.Code, rec.Body)
	}
	e.submit(id, gasBid("Asphalt Nord AG", "1180000.00", "1000", ""))
	e.submit(id, gasBid("Straßenbau Süd GmbH", "1250000.00", "900", ""))
	e.clock.Set(tenderDeadline)
	var ev tender.Evaluation
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
	winner := "winner_id=ATU12345678&winner_country=AUT&winner_town=Wien&winner_postcode=1010&winner_nuts=AT130&winner_size=large&contract_date=2026-12-01&contract_end=2028-11-30"
	rec = e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice?"+winner, testOfficerToken, "")
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "received_micro") {
		t.Errorf("award notice without statistics: %d %s", rec.Code, rec.Body)
	}
	rec = e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice?"+winner+"&received_micro=0&received_small=0&received_medium=0&received_large=1&received_non_eea=0&received_other_eea=1", testOfficerToken, "")
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "the tender received 2 bids") {
		t.Errorf("award notice whose sizes do not add up: %d %s", rec.Code, rec.Body)
	}
	stats := "&received_micro=0&received_small=1&received_medium=0&received_large=1&received_non_eea=0&received_other_eea=1"
	can := e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice?"+winner+stats, testOfficerToken, "")
	body := can.Body.String()
	if can.Code != 200 || !strings.Contains(body, `<cbc:SubTypeCode listName="notice-subtype">29</cbc:SubTypeCode>`) ||
		!strings.Contains(body, "1180000") || !strings.Contains(body, `>t-large<`) || !strings.Contains(body, "2028-11-30") {
		t.Fatalf("award notice: %d %.2000s", can.Code, body)
	}
	if again := e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice?"+winner+stats, testOfficerToken, ""); again.Body.String() != body {
		t.Error("the award notice differs on a second export")
	}
	rec = e.do("GET", "/v1/tenders/"+id+"/eforms/award-notice?"+winner+"&received_small=many", testOfficerToken, "")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "received_small") {
		t.Errorf("a bad count: %d %s", rec.Code, rec.Body)
	}
	var audit struct {
		Events []struct {
			Type    string            `json:"type"`
			Digests map[string]string `json:"digests"`
		} `json:"events"`
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	cnEvents, canEvents := 0, 0
	for _, ev := range audit.Events {
		if ev.Digests["eforms_cn"] != "" {
			cnEvents++
		}
		if ev.Digests["eforms_can"] != "" {
			canEvents++
		}
	}
	if cnEvents != 2 || canEvents != 2 {
		t.Errorf("audited exports: %d contract notices, %d award notices; want 2 and 2", cnEvents, canEvents)
	}
}
