package server

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// strictCase is a request whose problem must name exactly these pointers,
// each error's detail containing the matching substring.
type strictCase struct {
	apiCase
	pointers []string // exactly these, in order
	details  []string // one per pointer
}

const (
	gasUS  = `{"id":"1","activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"}`
	epdUS  = `{"id":"2","activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":{"kg_co2e":"780","per":"t","reference":"EPD S-P-01234"}}`
	rebar  = `{"id":"3","activity":"material.steel.rebar","region":"DE","quantity":"1","unit":"t"}`
	twoMth = `"methods":["us-federal","eu-gpp"]`
)

func footprintCase(name, body string, status int) apiCase {
	return apiCase{name: name, method: "POST", target: "/v1/footprints", contentType: "application/json", body: body, status: status}
}

func comparisonCase(name, body string, status int) apiCase {
	return apiCase{name: name, method: "POST", target: "/v1/comparisons", contentType: "application/json", body: body, status: status}
}

// strictCases are the 422s of strict JSON and of comparisons (issue 8):
// the same rules for /v1/footprints and /v1/comparisons.
func strictCases() []strictCase {
	long := strings.Repeat("k", 1000)
	return []strictCase{
		{footprintCase("footprint duplicate key at top level", `{"method":"us-federal","method":"eu-gpp","lines":[`+gasUS+`]}`, 422),
			[]string{"/method"}, []string{`duplicate key: "method"`}},
		{footprintCase("footprint duplicate key in a line", `{"method":"us-federal","lines":[`+gasUS+`,{"id":"2","activity":"fuel.natural_gas","region":"US","quantity":"1","quantity":"1000","unit":"mmBtu"}]}`, 422),
			[]string{"/lines/1/quantity"}, []string{`duplicate key: "quantity"`}},
		{comparisonCase("comparison duplicate key in a factor", `{`+twoMth+`,"lines":[{"id":"2","activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":{"kg_co2e":"780","kg_co2e":"1","per":"t","reference":"EPD"}}]}`, 422),
			[]string{"/lines/0/factor/kg_co2e"}, []string{"duplicate key"}},
		{comparisonCase("comparison duplicate methods key", `{`+twoMth+`,`+twoMth+`,"lines":[`+gasUS+`]}`, 422),
			[]string{"/methods"}, []string{"duplicate key"}},
		{footprintCase("footprint unknown field in line 2", `{"method":"us-federal","lines":[`+gasUS+`,`+epdUS+`,{"id":"3","colour":"red","activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"}]}`, 422),
			[]string{"/lines/2/colour"}, []string{`unknown field "colour"; known fields: id, activity, region, quantity, unit, basis, stage, allow_region_fallback, factor`}},
		{comparisonCase("comparison unknown field method", `{"method":"us-federal",`+twoMth+`,"lines":[`+gasUS+`]}`, 422),
			[]string{"/method"}, []string{`unknown field "method"; known fields: methods, reference, supplier, date, valid_through, lines`}},
		{comparisonCase("comparison unknown field in factor", `{`+twoMth+`,"lines":[{"id":"2","activity":"material.steel.rebar","region":"US","quantity":"12.5","unit":"t","factor":{"kg_co2e":"780","per":"t","reference":"EPD","gwp":"x"}}]}`, 422),
			[]string{"/lines/0/factor/gwp"}, []string{"known fields: kg_co2e, per, reference, epd"}},
		{footprintCase("footprint field name case", `{"method":"us-federal","Lines":[`+gasUS+`]}`, 422),
			[]string{"/Lines"}, []string{`case-sensitive: "lines"`}},
		{footprintCase("footprint wrong type has its line", `{"method":"us-federal","lines":[`+gasUS+`,{"activity":"fuel.natural_gas","region":"US","quantity":true,"unit":"mmBtu"}]}`, 422),
			[]string{"/lines/1/quantity"}, []string{"expected a decimal"}},
		{footprintCase("footprint duplicate line ids", `{"method":"us-federal","lines":[`+gasUS+`,`+epdUS+`,`+strings.Replace(gasUS, `"1"`, `"3"`, 1)+`,`+epdUS+`]}`, 422),
			[]string{"/lines/3/id"}, []string{"/lines/3/id duplicates /lines/1/id"}},
		{footprintCase("footprint default id duplicates a given one", `{"method":"us-federal","lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu"},`+gasUS+`]}`, 422),
			[]string{"/lines/1/id"}, []string{"/lines/1/id duplicates /lines/0/id"}},
		{comparisonCase("comparison duplicate line ids", `{`+twoMth+`,"lines":[`+epdUS+`,`+gasUS+`,`+epdUS+`]}`, 422),
			[]string{"/lines/2/id"}, []string{"/lines/2/id duplicates /lines/0/id"}},
		{comparisonCase("comparison unknown activity", `{`+twoMth+`,"lines":[`+epdUS+`,{"id":"9","activity":"fuel.unobtainium","region":"US","quantity":"1","unit":"kg"}]}`, 422),
			[]string{"/lines/1/activity"}, []string{"unknown activity"}},
		{comparisonCase("comparison unknown unit", `{`+twoMth+`,"lines":[{"id":"9","activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"furlong"},`+epdUS+`]}`, 422),
			[]string{"/lines/0/unit"}, []string{"furlong"}},
		{comparisonCase("comparison unknown region", `{`+twoMth+`,"lines":[`+epdUS+`,{"id":"9","activity":"fuel.natural_gas","region":"XX","quantity":"1","unit":"mmBtu"}]}`, 422),
			[]string{"/lines/1/region"}, []string{"XX"}},
		{footprintCase("footprint long key cut", `{"method":"us-federal","`+long+`":1,"lines":[`+gasUS+`]}`, 422),
			[]string{"/" + long[:40] + "…"}, []string{`unknown field "` + long[:40] + `…"`}},
		{footprintCase("footprint long basis cut", `{"method":"us-federal","lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"1","unit":"mmBtu","basis":"`+long+`"}]}`, 422),
			[]string{"/lines/0/basis"}, []string{long[:40] + `…" is not one of`}},
		{footprintCase("footprint long quantity cut", `{"method":"us-federal","lines":[{"activity":"fuel.natural_gas","region":"US","quantity":"`+long+`","unit":"mmBtu"}]}`, 422),
			[]string{"/lines/0/quantity"}, []string{long[:40] + `…" is not a decimal number`}},
		{apiCase{name: "footprint long method query cut", method: "POST", target: "/v1/footprints?method=" + long, contentType: "application/json", body: `{"lines":[` + gasUS + `]}`, status: 422},
			[]string{""}, []string{long[:40] + "…"}},
	}
}

func TestStrictJSON(t *testing.T) {
	h := newTestServer(t)
	for _, c := range strictCases() {
		t.Run(c.name, func(t *testing.T) {
			rec := do(t, h, c.apiCase)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			checkProblem(t, rec, c.apiCase)
			var p Problem
			json.Unmarshal(rec.Body.Bytes(), &p)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Pointer)
			}
			if strings.Join(got, " ") != strings.Join(c.pointers, " ") {
				t.Fatalf("pointers %q, want exactly %q: %s", got, c.pointers, rec.Body)
			}
			for i, e := range p.Errors {
				if !strings.Contains(e.Detail, c.details[i]) {
					t.Errorf("%s: detail %q lacks %q", e.Pointer, e.Detail, c.details[i])
				}
			}
			if strings.Contains(rec.Body.String(), strings.Repeat("k", 41)) {
				t.Errorf("the problem repeats more than 40 bytes of an input: %.300s", rec.Body)
			}
		})
	}
}

// TestComparisonKeepsOneSidedLines checks that a line only one method
// cannot compute is reported per line in a 200 comparison, not as a 422.
func TestComparisonKeepsOneSidedLines(t *testing.T) {
	h := newTestServer(t)
	tests := []struct {
		name  string
		lines string
		want  map[string][2]string // line id → status under us-federal, eu-gpp
	}{
		{"rebar without EPD: us-federal requires one", epdUS + `,` + rebar, map[string][2]string{"2": {"ok", "ok"}, "3": {"error", "ok"}}},
		{"lignite in mmBtu: eu-gpp has no published HHV ratio", `{"id":"1","activity":"fuel.lignite","region":"US","quantity":"1000","unit":"mmBtu"}` + `,` + epdUS, map[string][2]string{"1": {"ok", "error"}, "2": {"ok", "ok"}}},
		{"sea freight in the US: no method has data", epdUS + `,{"id":"4","activity":"freight.sea","region":"US","quantity":"1","unit":"t.km"}`, map[string][2]string{"2": {"ok", "ok"}, "4": {"error", "error"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, comparisonCase(tt.name, `{`+twoMth+`,"lines":[`+tt.lines+`]}`, 200))
			if rec.Code != 200 {
				t.Fatalf("status %d, want 200: %s", rec.Code, rec.Body)
			}
			var c struct {
				Methods []struct {
					Lines []struct{ ID, Status, Error string }
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || len(c.Methods) != 2 {
				t.Fatalf("comparison does not decode (%v): %.300s", err, rec.Body)
			}
			got := map[string][2]string{}
			for i, fp := range c.Methods {
				for _, l := range fp.Lines {
					st := got[l.ID]
					st[i] = l.Status
					got[l.ID] = st
					if l.Status == "error" && l.Error == "" {
						t.Errorf("line %s: status error without its message", l.ID)
					}
				}
			}
			if !equalStatus(got, tt.want) {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
		})
	}
}

func equalStatus(a, b map[string][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
