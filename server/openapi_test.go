package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
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
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib)})
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

// TestOpenAPIResponsesValidate sends every request of TestAPI and
// validates each JSON response against the schema the document gives for
// its route, method, status and media type.
func TestOpenAPIResponsesValidate(t *testing.T) {
	s := testServer(t)
	c := jsonschema.NewCompiler()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	if err != nil {
		t.Fatal(err)
	}
	const base = "mem:///openapi.json"
	if err := c.AddResource(base, raw); err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	json.Unmarshal(openAPIDoc, &doc)
	checked := 0
	for _, ac := range apiCases() {
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
	if checked < 30 {
		t.Errorf("only %d responses checked", checked)
	}
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
