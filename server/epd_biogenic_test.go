package server

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// TestRealBioBasedEPDSameEverywhere: the real engineered wood flooring of
// EPD International (S-P-03435, GWP-total A1-A3 -10.547151193 per m2,
// biogenic uptake -41.056986) computes by each 2026.1 method's cited
// biogenic rule, and a tender ranks the bid on the same number as POST
// /v1/footprints gives (the batch: cmd/footprint TestBatchRealBioBasedEPD).
// The exact values are the hand sums of the published figures:
// eu-gpp: -10.547151193 + GWP-biogenic C3 42.0210586747 + C4 0.084421393
// = 31.5583288747 per m2; us-federal: GWP-fossil 30.438391 + GWP-luluc
// 0.071443807 = 30.509834807 per m2; × 1200 m2, rounded to 3 places.
func TestRealBioBasedEPDSameEverywhere(t *testing.T) {
	doc := base64.StdEncoding.EncodeToString(zipEPDDir(t, "real/environdec-wood-flooring"))
	factor := `{"epd":{"format":"ilcd+epd","file":"flooring.zip","document":"` + doc + `"}}`
	line := `{"id":"1","activity":"material.flooring","region":"DE","quantity":"1200","unit":"m2","factor":` + factor + `}`
	for _, tc := range []struct{ method, kg, counted string }{
		{"eu-gpp@2026.1", "37869.995", "counted with the biogenic release in C3 and C4 (GWP-biogenic 42.0210586747, 0.084421393) = 31.5583288747"},
		{"us-federal@2026.1", "36611.802", "counted GWP-fossil + GWP-luluc A1-A3 = 30.509834807 instead"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			e := newTenderEnv(t, memFactory)
			// API
			rec := e.do("POST", "/v1/footprints", "", `{"method":"`+tc.method+`","reference":"B","supplier":"S","date":"2026-11-02","lines":[`+line+`]}`)
			var fp struct {
				Total struct {
					KgCO2e string `json:"kg_co2e"`
				} `json:"total"`
				Lines []struct {
					Warnings []string `json:"warnings"`
				} `json:"lines"`
			}
			e.want(rec, 200, &fp, "footprint")
			if fp.Total.KgCO2e != tc.kg || len(fp.Lines) != 1 || !strings.Contains(strings.Join(fp.Lines[0].Warnings, "\n"), tc.counted) {
				t.Fatalf("API: kg %s warnings %q, want %s and %q", fp.Total.KgCO2e, fp.Lines, tc.kg, tc.counted)
			}
			// Tender: the same value ranks the bid.
			create := `{"reference":"T-1","title":"Floors","buyer":"Buyer","method":"` + tc.method + `","currency":"EUR","deadline":"` +
				tenderDeadline.Format(time.RFC3339) + `","award":{"rule":"carbon_price","carbon_price_per_t":"100","limits":"report"}}`
			var tv map[string]any
			e.want(e.do("POST", "/v1/tenders", testOfficerToken, create), 201, &tv, "create")
			id := tv["id"].(string)
			e.submit(id, `{"supplier":"Floors Ltd","price":{"amount":"50000.00","currency":"EUR"},"lines":[`+line+`]}`)
			e.clock.Set(tenderDeadline)
			var ev tender.Evaluation
			e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, &ev, "open")
			if len(ev.Ranking) != 1 {
				t.Fatalf("ranking %+v", ev.Ranking)
			}
			raw, _ := json.Marshal(ev.Ranking[0].KgCO2e)
			if string(raw) != `"`+tc.kg+`"` {
				t.Errorf("tender kg_co2e %s, want %s (the API's)", raw, tc.kg)
			}
		})
	}
}
