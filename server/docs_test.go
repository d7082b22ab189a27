package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// updateDocs rewrites the exact examples of docs/api.md from the server's
// answers: go test ./server -run TestDocExamples -update-docs.
var updateDocs = flag.Bool("update-docs", false, "rewrite the exact examples in docs/api.md")

// The REST examples of docs/api.md sit between markers naming the request
// (a method, a path, and optionally a file from the repository as the
// JSON body):
//
//	<!-- output: GET /healthz -->            the answer's body, byte for byte
//	<!-- illustrative: POST /v1/footprints examples/bid.json -->
//	                                         JSON with elisions ({...}, [...],
//	                                         "...", a trailing ,...): its shape
//	<!-- output:end --> / <!-- illustrative:end -->
//
// each around one fenced block.
var docExample = regexp.MustCompile(`(?m)^<!-- (output|illustrative): (GET|POST) (\S+)(?: (\S+))? -->\n`)

// TestDocExamples checks each REST example of docs/api.md against the
// server's answer: exact examples byte for byte, illustrative ones for
// their shape and every value they show.
func TestDocExamples(t *testing.T) {
	const path = "../docs/api.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	h := newTestServer(t)
	var out strings.Builder
	rest := doc
	n := 0
	for {
		loc := docExample.FindStringSubmatchIndex(rest)
		if loc == nil {
			out.WriteString(rest)
			break
		}
		n++
		kind, method, target := rest[loc[2]:loc[3]], rest[loc[4]:loc[5]], rest[loc[6]:loc[7]]
		var body []byte
		if loc[8] >= 0 {
			if body, err = os.ReadFile(filepath.Join("..", rest[loc[8]:loc[9]])); err != nil {
				t.Fatal(err)
			}
		}
		end := "<!-- " + kind + ":end -->"
		block := rest[loc[1]:]
		j := strings.Index(block, end)
		if j < 0 {
			t.Fatalf("%s: %q has no %s", path, rest[loc[0]:loc[1]], end)
		}
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
		fence, text, ok := strings.Cut(block[:j], "\n")
		text, ok2 := strings.CutSuffix(text, "```\n")
		if !ok || !ok2 || !strings.HasPrefix(fence, "```") {
			t.Fatalf("%s: the %s example of %s %s is not one fenced block", path, kind, method, target)
		}
		if kind == "output" {
			want := fence + "\n" + rec.Body.String() + "```\n"
			if block[:j] != want {
				t.Errorf("%s: the example of %s %s is not the server's answer (go test ./server -run TestDocExamples -update-docs)\n--- doc:\n%s--- server:\n%s",
					path, method, target, block[:j], want)
			}
			out.WriteString(rest[:loc[1]] + want)
		} else {
			var got any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("%s %s: %v", method, target, err)
			}
			shape, err := parseElided(text)
			if err != nil {
				t.Fatalf("%s: the illustrative example of %s %s: %v", path, method, target, err)
			}
			for _, p := range matchShape("", shape, got) {
				t.Errorf("%s: the illustrative example of %s %s: %s", path, method, target, p)
			}
			out.WriteString(rest[:loc[1]] + block[:j])
		}
		rest = block[j:]
	}
	if n < 2 {
		t.Errorf("%s: %d marked examples, want the healthz answer and a footprint at least", path, n)
	}
	if *updateDocs && out.String() != doc {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// elided is the key or element that stands for what an example leaves out.
const elided = "…elided…"

// parseElided reads JSON written with elisions: {...} and [...] (any
// content), "..." (any string) and a trailing ,... in an object (more
// keys).
func parseElided(s string) (any, error) {
	s = strings.ReplaceAll(s, "{...}", `{"`+elided+`":true}`)
	s = strings.ReplaceAll(s, "[...]", `["`+elided+`"]`)
	s = regexp.MustCompile(`,\s*\.\.\.\s*}`).ReplaceAllString(s, `,"`+elided+`":true}`)
	s = strings.ReplaceAll(s, `"..."`, `"`+elided+`"`)
	var v any
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// matchShape lists where got does not have the shape of want: every key
// want shows (all of got's keys unless want elides some), every value it
// shows, and the JSON type of what it elides.
func matchShape(at string, want, got any) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{at + ": not an object"}
		}
		for k, wv := range w {
			if k == elided {
				continue
			}
			gv, ok := g[k]
			if !ok {
				out = append(out, at+"/"+k+": not in the answer")
				continue
			}
			out = append(out, matchShape(at+"/"+k, wv, gv)...)
		}
		if _, open := w[elided]; !open {
			for k := range g {
				if _, ok := w[k]; !ok {
					out = append(out, at+"/"+k+": in the answer, not in the example (add it, or end the object with ,...)")
				}
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{at + ": not an array"}
		}
		if len(w) == 1 && w[0] == elided {
			return nil
		}
		if len(w) != len(g) {
			return []string{fmt.Sprintf("%s: %d elements in the example, %d in the answer", at, len(w), len(g))}
		}
		for i := range w {
			out = append(out, matchShape(fmt.Sprintf("%s/%d", at, i), w[i], g[i])...)
		}
	case string:
		if w == elided {
			if _, ok := got.(string); !ok {
				out = append(out, at+": not a string")
			}
			return out
		}
		if got != w {
			gb, _ := json.Marshal(got)
			out = append(out, at+": "+string(gb)+" in the answer, "+`"`+w+`"`+" in the example")
		}
	default:
		if got != want {
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			out = append(out, at+": "+string(gb)+" in the answer, "+string(wb)+" in the example")
		}
	}
	return out
}
