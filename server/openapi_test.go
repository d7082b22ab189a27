package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

type openAPI struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

func testServer(t *testing.T) *Server {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), ParseEPD: fakeEPDParse})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenAPIDescribesEveryRoute walks routes.go and checks that every
// route and method is in the document, and that the document describes
// no route the server lacks.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc openAPI
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	s := testServer(t)
	served := map[string]bool{}
	err := s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		ms, err := route.GetMethods()
		if err != nil {
			return fmt.Errorf("%s: every route names its methods: %w", tpl, err)
		}
		for _, m := range ms {
			if m == "HEAD" {
				// HEAD is GET without the body (RFC 9110 §9.3.2); the
				// document describes the GET and leaves HEAD implicit.
				continue
			}
			key := strings.ToLower(m) + " " + tpl
			served[key] = true
			if _, ok := doc.Paths[tpl][strings.ToLower(m)]; !ok {
				t.Errorf("openapi.json does not describe %s %s", m, tpl)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" {
				continue
			}
			if !served[m+" "+p] {
				t.Errorf("openapi.json describes %s %s, which routes.go lacks", strings.ToUpper(m), p)
			}
		}
	}
}

// TestOpenAPIResponsesValidate sends every request of TestAPI, of
// TestStrictJSON and of coverageCases, and validates each JSON response
// against the schema the document gives for its route, method, status and
// media type. The schemas are made strict for the test (strictSchemas): a
// field that a response carries and the document does not describe fails.
func TestOpenAPIResponsesValidate(t *testing.T) {
	s := testServer(t)
	c := jsonschema.NewCompiler()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	if err != nil {
		t.Fatal(err)
	}
	if n := strictSchemas(raw); n < 20 {
		t.Fatalf("only %d object schemas made strict", n)
	}
	const base = "mem:///openapi.json"
	if err := c.AddResource(base, raw); err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	json.Unmarshal(openAPIDoc, &doc)
	cases := append(append(apiCases(), epdCases()...), coverageCases(t, s)...)
	for _, sc := range strictCases() {
		cases = append(cases, sc.apiCase)
	}
	checked := 0
	for _, ac := range cases {
		rec := do(t, s, ac)
		req := httptest.NewRequest(ac.method, ac.target, nil)
		var match mux.RouteMatch
		tpl := ""
		if s.router.Match(req, &match) && match.Route != nil {
			tpl, _ = match.Route.GetPathTemplate()
		}
		if tpl == "" {
			// unmatched routes answer the common 404/405 problems; check them under /.
			tpl = "/"
		}
		ct, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";")
		if ct != "application/json" && ct != "application/problem+json" {
			continue
		}
		method := strings.ToLower(ac.method)
		if _, ok := doc.Paths[tpl][method]; !ok {
			method = "get"
		}
		ptr := fmt.Sprintf("#/paths/%s/%s/responses/%d/content/%s/schema", escape(tpl), method, rec.Code, escape(ct))
		sch, err := c.Compile(base + ptr)
		if err != nil {
			t.Errorf("%s: %s %d %s is not described: %v", ac.name, tpl, rec.Code, ct, err)
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Errorf("%s: response is not JSON: %v", ac.name, err)
			continue
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: response does not validate against %s:\n%v", ac.name, ptr, err)
		}
		checked++
	}
	if checked < 60 {
		t.Errorf("only %d responses checked", checked)
	}
}

// strictSchemas makes every object schema of the document that lists its
// properties refuse any other (unevaluatedProperties: false, which also
// sees through allOf), unless the schema says what else it allows. The
// served document stays open, so that clients tolerate new fields; the
// test holds the server to what the document describes. It returns the
// number of schemas made strict.
func strictSchemas(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			_, ap := v["additionalProperties"]
			_, up := v["unevaluatedProperties"]
			if !ap && !up {
				v["unevaluatedProperties"] = false
				n++
			}
			for _, p := range props {
				n += strictSchemas(p)
			}
		}
		for k, e := range v {
			if k != "properties" && k != "example" && k != "examples" {
				n += strictSchemas(e)
			}
		}
	case []any:
		for _, e := range v {
			n += strictSchemas(e)
		}
	}
	return n
}

// TestStrictSchemasCatchUndocumentedFields checks that the strict test
// can fail: a response with a field the document lacks does not validate.
func TestStrictSchemasCatchUndocumentedFields(t *testing.T) {
	c := jsonschema.NewCompiler()
	raw, _ := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	strictSchemas(raw)
	c.AddResource("mem:///openapi.json", raw)
	sch, err := c.Compile("mem:///openapi.json#/components/schemas/Health")
	if err != nil {
		t.Fatal(err)
	}
	for body, valid := range map[string]bool{
		`{"status":"ok","methods":2,"datasets":8}`:               true,
		`{"status":"ok","methods":2,"datasets":8,"uptime":"1s"}`: false,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err := sch.Validate(inst); (err == nil) != valid {
			t.Errorf("%s: valid %v, want %v (%v)", body, err == nil, valid, err)
		}
	}
}

// coverageCases are requests whose responses carry every field the
// service can answer with: every factor, every method version in full,
// the examples' footprints and comparisons under every method.
func coverageCases(t *testing.T, s *Server) []apiCase {
	t.Helper()
	post := func(name, target, body string) apiCase {
		return apiCase{name: name, method: "POST", target: target, contentType: "application/json", body: body, status: 200}
	}
	cases := []apiCase{
		{name: "all factors", method: "GET", target: "/v1/factors", status: 200},
		{name: "factors by prefix", method: "GET", target: "/v1/factors?activity=material.*", status: 200},
		{name: "comparison one-sided", method: "POST", target: "/v1/comparisons", contentType: "application/json", status: 200,
			body: `{"methods":["us-federal","eu-gpp"],"lines":[` + gasUS + `,` + epdUS + `,` + rebar + `]}`},
	}
	for _, m := range s.catalog.methods {
		cases = append(cases, apiCase{name: "method " + m.Ref, method: "GET", target: "/v1/methods/" + m.ID + "/" + m.Version, status: 200},
			apiCase{name: "method id " + m.ID, method: "GET", target: "/v1/methods/" + m.ID, status: 200})
	}
	for _, f := range []string{"bid.json", "bid-eu.json", "compare-us-eu.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		var bid map[string]any
		if err := json.Unmarshal(raw, &bid); err != nil {
			t.Fatal(err)
		}
		delete(bid, "method")
		for _, m := range []string{"us-federal", "eu-gpp"} {
			b, _ := json.Marshal(bid)
			c := post("footprint "+f+" "+m, "/v1/footprints?method="+m, string(b))
			c.status = 0 // 200, or 422 when a line cannot be computed under m
			cases = append(cases, c)
		}
		bid["methods"] = []string{"us-federal", "eu-gpp"}
		b, _ := json.Marshal(bid)
		cases = append(cases, post("comparison "+f, "/v1/comparisons", string(b)))
		// Sampled uncertainty (docs/uncertainty.md): the "uncertainty" member validates too.
		for _, m := range []string{"us-federal@2026.2", "eu-gpp@2026.2", "eu-gpp@2026.1"} {
			delete(bid, "methods")
			b, _ := json.Marshal(bid)
			c := post("footprint uncertainty "+f+" "+m, "/v1/footprints?uncertainty=300&seed=9&method="+m, string(b))
			c.status = 0
			cases = append(cases, c)
		}
		bid["methods"] = []string{"us-federal@2026.2", "eu-gpp@2026.2"}
		b, _ = json.Marshal(bid)
		cases = append(cases, post("comparison uncertainty "+f, "/v1/comparisons?uncertainty=300&seed=9", string(b)))
	}
	return cases
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// TestOpenAPIRequestExample validates the README bid against the Bid schema.
func TestOpenAPIRequestExample(t *testing.T) {
	c := jsonschema.NewCompiler()
	raw, _ := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	c.AddResource("mem:///openapi.json", raw)
	sch, err := c.Compile("mem:///openapi.json#/components/schemas/Bid")
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(exampleBid))
	if err := sch.Validate(inst); err != nil {
		t.Error(err)
	}
}

// TestOpenAPILintRules checks in Go what the linters of .ci/run check
// with Node (Redocly recommended, spectral:oas), so that `go test` alone
// catches the common slips: every operation has an operationId, a summary,
// a description, declared tags and an explicit security requirement; every
// array schema has items; the POST routes document 413, 422 and 503 (with
// Retry-After); the bearer scheme of the tender routes is declared.
func TestOpenAPILintRules(t *testing.T) {
	var doc struct {
		Servers  []map[string]any `json:"servers"`
		Security []map[string]any `json:"security"`
		Tags     []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"tags"`
		Paths map[string]map[string]struct {
			OperationID string            `json:"operationId"`
			Summary     string            `json:"summary"`
			Description string            `json:"description"`
			Tags        []string          `json:"tags"`
			Security    *[]map[string]any `json:"security"`
			Responses   map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 {
		t.Error("no servers")
	}
	bearer := false
	for _, s := range doc.Components.SecuritySchemes {
		bearer = bearer || (s.Type == "http" && s.Scheme == "bearer")
	}
	if !bearer || len(doc.Security) == 0 {
		t.Error("no bearer security scheme as the default requirement")
	}
	tags := map[string]bool{}
	for _, tg := range doc.Tags {
		tags[tg.Name] = tg.Description != ""
	}
	ids := map[string]string{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			where := strings.ToUpper(m) + " " + p
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: operationId %q, summary %q, description %q: all are needed", where, op.OperationID, op.Summary, op.Description)
			}
			if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %s also on %s", where, op.OperationID, other)
			}
			ids[op.OperationID] = where
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tags", where)
			}
			for _, tg := range op.Tags {
				if !tags[tg] {
					t.Errorf("%s: tag %q is not declared with a description", where, tg)
				}
			}
			switch {
			case op.Security == nil:
				t.Errorf("%s: every route states its security requirement (security: [] when open)", where)
			case credentialRoute(p) && !openTenderRoutes[where] && len(*op.Security) == 0:
				t.Errorf("%s: a tender route for officers or bid holders needs its bearer scheme", where)
			case (!credentialRoute(p) || openTenderRoutes[where]) && len(*op.Security) != 0:
				t.Errorf("%s: the open routes need an explicit empty security requirement (security: [])", where)
			}
			if m == "post" && strings.HasPrefix(p, "/v1/") {
				for _, code := range []string{"413", "422", "503"} {
					if _, ok := op.Responses[code]; !ok {
						t.Errorf("%s: no %s response", where, code)
					}
				}
				if _, ok := op.Responses["503"].Headers["Retry-After"]; !ok {
					t.Errorf("%s: 503 without its Retry-After header", where)
				}
			}
		}
	}
	var raw any
	json.Unmarshal(openAPIDoc, &raw)
	walkSchemas(raw, "#", func(ptr string, m map[string]any) {
		if isArray(m["type"]) {
			if _, ok := m["items"]; !ok {
				t.Errorf("%s: an array schema without items", ptr)
			}
		}
	})
}

// openTenderRoutes are the tender routes without a credential: the
// public notice and the submission of a bid.
var openTenderRoutes = map[string]bool{
	"GET /v1/tenders/{id}":       true,
	"POST /v1/tenders/{id}/bids": true,
	"POST /v1/session":           true,
}

// credentialRoute reports whether the routes of path take credentials:
// the tenders', the officer accounts' and the session's.
func credentialRoute(path string) bool {
	return strings.HasPrefix(path, "/v1/tenders") || strings.HasPrefix(path, "/v1/officers") || path == "/v1/session"
}

func isArray(typ any) bool {
	switch typ := typ.(type) {
	case string:
		return typ == "array"
	case []any:
		for _, e := range typ {
			if e == "array" {
				return true
			}
		}
	}
	return false
}

// walkSchemas calls f on every object of the document, with its pointer.
func walkSchemas(v any, ptr string, f func(string, map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(ptr, v)
		for k, e := range v {
			walkSchemas(e, ptr+"/"+escape(k), f)
		}
	case []any:
		for i, e := range v {
			walkSchemas(e, fmt.Sprintf("%s/%d", ptr, i), f)
		}
	}
}

// TestOpenAPINoDuplicateKeys checks the document has no object with a key
// twice: encoding/json keeps the last one silently, while the linters
// refuse the document (a merge once left two 503 responses on one route).
func TestOpenAPINoDuplicateKeys(t *testing.T) {
	if dups := duplicateKeys(openAPIDoc); len(dups) > 0 {
		t.Errorf("duplicate keys: %v", dups)
	}
	if dups := duplicateKeys([]byte(`{"a":{"b":1,"c":[{"d":2,"d":3}],"b":4}}`)); fmt.Sprint(dups) != "[/a/c/0/d /a/b]" {
		t.Errorf("the check itself is broken: %v", dups)
	}
}

// duplicateKeys returns the JSON Pointers of repeated keys in doc.
func duplicateKeys(doc []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var dups []string
	var walk func(ptr string) error
	walk = func(ptr string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if seen[key] {
					dups = append(dups, ptr+"/"+key)
				}
				seen[key] = true
				if err := walk(ptr + "/" + key); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s/%d", ptr, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if err := walk(""); err != nil {
		return []string{"unreadable: " + err.Error()}
	}
	return dups
}
