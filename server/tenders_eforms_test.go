package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sdkNotice returns an example notice of the eForms SDK beside the
// repository, or "" when it is absent.
func sdkNotice(name string) string {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "eforms-sdk", "examples", "notices", name))
	if err != nil {
		return ""
	}
	return string(raw)
}

func TestTenderFromEForms(t *testing.T) {
	if sdkNotice("cn_81.xml") == "" {
		t.Skip("no eForms SDK examples beside the repository")
	}
	tenderFromEForms(t, newTenderEnv(t, memFactory))
}

// tenderFromEForms: POST /v1/tenders with an eForms notice (XML) and the
// method as a query parameter creates the tender; what cannot be mapped
// is a problem naming the business term and its XPath, or the parameter.
func tenderFromEForms(t *testing.T, e *tenderEnv) {
	cn81, maximal := sdkNotice("cn_81.xml"), sdkNotice("cn_24_maximal.xml")
	if cn81 == "" {
		return
	}
	xml := func(target, body string, ct ...string) *httptest.ResponseRecorder {
		c := "application/xml"
		if len(ct) > 0 {
			c = ct[0]
		}
		return e.do("POST", target, testOfficerToken, body, "Content-Type", c)
	}
	const q = "/v1/tenders?method=eu-gpp&deadline=2026-12-01T12:00:00%2B01:00&carbon_price_per_t=110"
	var created struct {
		ID, Reference, Buyer, Deadline, Currency string
		Award                                    struct {
			Rule   string `json:"rule"`
			W      string `json:"carbon_price_per_t"`
			Limits string `json:"limits"`
		}
	}
	rec := xml(q, cn81)
	e.want(rec, http.StatusCreated, &created, "create from eForms")
	if created.Reference != "700029324" || created.Buyer != "Ministry of Defence" || created.Deadline != "2026-12-01T11:00:00Z" ||
		created.Currency != "EUR" || created.Award.Rule != "carbon_price" || created.Award.W != "110" || created.Award.Limits != "report" {
		t.Errorf("created %+v", created)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/tenders/"+created.ID {
		t.Errorf("Location %q", loc)
	}
	// ?from=eforms with text/xml, limits exclude.
	e.want(xml("/v1/tenders?from=eforms&method=eu-gpp&deadline=2026-12-01T12:00:00Z&limits=exclude", cn81, "text/xml; charset=utf-8"), http.StatusCreated, nil, "text/xml")

	type problem struct {
		Type   string
		Detail string
		Errors []FieldError
	}
	for _, c := range []struct {
		name, target, body, ct string
		status                 int
		slug                   string
		want                   FieldError
	}{
		{"several lots", "/v1/tenders?method=eu-gpp", maximal, "application/xml", 422, "invalid-tender",
			FieldError{BusinessTerm: "BT-137-Lot", XPath: "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cbc:ID", Detail: "the notice has 2 lots (LOT-0001, LOT-0002); a tender is one lot: choose it with --lot (the query parameter lot), one tender per lot"}},
		{"no deadline", "/v1/tenders?method=eu-gpp", cn81, "application/xml", 422, "invalid-tender",
			FieldError{BusinessTerm: "BT-131(d)-Lot", XPath: "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate"}},
		{"no method", "/v1/tenders?deadline=2026-12-01T12:00:00Z", cn81, "application/xml", 422, "invalid-tender",
			FieldError{Parameter: "method"}},
		{"bad deadline", "/v1/tenders?method=eu-gpp&deadline=soon", cn81, "application/xml", 422, "invalid-tender",
			FieldError{Parameter: "deadline", Detail: `deadline "soon" is not an RFC 3339 time; give e.g. 2026-12-01T12:00:00Z`}},
		{"unknown method", "/v1/tenders?method=nope&deadline=2026-12-01T12:00:00Z", cn81, "application/xml", 422, "unknown-method",
			FieldError{Parameter: "method"}},
		{"long parameter", "/v1/tenders?method=" + strings.Repeat("x", 300), cn81, "application/xml", 400, "invalid-parameter",
			FieldError{Parameter: "method", Detail: "too long: at most 200 bytes"}},
		{"billion laughs", "/v1/tenders?method=eu-gpp", `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><ContractNotice>&b;</ContractNotice>`, "application/xml", 400, "malformed", FieldError{}},
		{"award notice", "/v1/tenders?method=eu-gpp", sdkNotice("can_24_minimal.xml"), "application/xml", 422, "invalid-tender",
			FieldError{BusinessTerm: "root element", XPath: "/*"}},
		{"from=eforms with JSON", "/v1/tenders?from=eforms&method=eu-gpp", `{}`, "application/json", 415, "unsupported-media-type", FieldError{}},
		{"huge", "/v1/tenders?method=eu-gpp", "<ContractNotice>" + strings.Repeat("x", 4<<20) + "</ContractNotice>", "application/xml", 413, "too-large", FieldError{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := xml(c.target, c.body, c.ct)
			var p problem
			e.want(rec, c.status, &p, c.name)
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.HasSuffix(p.Type, "#"+c.slug) {
				t.Errorf("%s %s: %s", ct, p.Type, rec.Body.String())
			}
			if c.want == (FieldError{}) {
				return
			}
			for _, f := range p.Errors {
				if f.BusinessTerm == c.want.BusinessTerm && f.XPath == c.want.XPath && f.Parameter == c.want.Parameter && (c.want.Detail == "" || f.Detail == c.want.Detail) {
					return
				}
			}
			b, _ := json.Marshal(p.Errors)
			t.Errorf("no error %+v among %s", c.want, b)
		})
	}
}
