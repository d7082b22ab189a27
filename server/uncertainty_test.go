package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestUncertaintyQuery: ?uncertainty=DRAWS&seed=S adds the sampled
// "uncertainty" member, the same bytes for the same seed; bad parameters
// are 400s that name the parameter.
func TestUncertaintyQuery(t *testing.T) {
	h := newTestServer(t)
	bid := `{"reference":"R","supplier":"S","lines":[{"id":"1","activity":"fuel.natural_gas","region":"DE","quantity":"2.5","unit":"TJ"}]}`
	cmp := `{"methods":["us-federal@2026.2","eu-gpp@2026.2"],"lines":[{"id":"1","activity":"fuel.natural_gas","region":"DE","quantity":"2.5","unit":"TJ"}]}`
	tests := []struct {
		name, target, body string
		status             int
		want               []string
	}{
		{"footprint", "/v1/footprints?method=eu-gpp@2026.2&uncertainty=1000&seed=42", bid, 200,
			[]string{`"uncertainty":{"method":"eu-gpp@2026.2","model":"declared","run":{"draws":1000,"seed":"42"`, `"interval_95":[`, `"key":"activity/1"`}},
		{"footprint without model", "/v1/footprints?method=eu-gpp@2026.1&uncertainty=10", bid, 200, []string{`"note":"no published uncertainty"`,
			`"model":"none","message":"eu-gpp@2026.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; eu-gpp@2026.2 declares one: compute the bid under eu-gpp@2026.2 for intervals"`}},
		{"comparison without model", "/v1/comparisons?uncertainty=10", strings.Replace(cmp, `"us-federal@2026.2"`, `"us-federal@2025.1"`, 1), 200, []string{
			`{"method":"us-federal@2025.1","model":"none","message":"us-federal@2025.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; us-federal@2026.2 declares one`,
			`{"method":"eu-gpp@2026.2","model":"declared","exact":`}},
		{"comparison", "/v1/comparisons?uncertainty=1000&seed=42", cmp, 200, []string{`"p_other_greater":"`, `"differences":[`}},
		{"no sampling", "/v1/footprints?method=eu-gpp@2026.2", bid, 200, nil},
		{"draws zero", "/v1/footprints?method=eu-gpp@2026.2&uncertainty=0", bid, 400, []string{`"parameter":"uncertainty"`}},
		{"draws too many", "/v1/footprints?method=eu-gpp@2026.2&uncertainty=100001", bid, 400, []string{`"parameter":"uncertainty"`}},
		{"seed bad", "/v1/comparisons?uncertainty=10&seed=-1", cmp, 400, []string{`"parameter":"seed"`}},
		{"seed alone", "/v1/footprints?method=eu-gpp@2026.2&seed=4", bid, 400, []string{`"parameter":"seed"`}},
		{"draws twice", "/v1/footprints?method=eu-gpp@2026.2&uncertainty=10&uncertainty=20", bid, 400, []string{`"parameter":"uncertainty"`}},
		{"draws empty", "/v1/footprints?method=eu-gpp@2026.2&uncertainty=", bid, 400, []string{`"parameter":"uncertainty"`}},
		{"seed twice", "/v1/comparisons?uncertainty=10&seed=1&seed=2", cmp, 400, []string{`"parameter":"seed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := apiCase{name: tt.name, method: "POST", target: tt.target, contentType: "application/json", body: tt.body}
			rec := do(t, h, c)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tt.status, rec.Body)
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q: %.800s", w, rec.Body)
				}
			}
			if tt.status == 200 {
				if again := do(t, h, c); again.Body.String() != rec.Body.String() {
					t.Error("the same request gave other bytes")
				}
			}
			if tt.name == "no sampling" && strings.Contains(rec.Body.String(), `"uncertainty"`) {
				t.Error("an uncertainty member without ?uncertainty=")
			}
		})
	}
}

// cliExampleGolden is the CLI's answer to issue 20's literal command,
// footprint calc --uncertainty 10000 --seed 42 examples/bid.json, as
// cmd/footprint's golden file pins it (TestUncertaintyGolden there): the
// API and the web page must give the same numbers.
const cliExampleGolden = "../cmd/footprint/testdata/uncertainty_calc_us.json"

// readCLIExample reads cliExampleGolden.
func readCLIExample(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(cliExampleGolden)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestUncertaintyExampleBidAPI: POST /v1/footprints?uncertainty=10000&seed=42
// with examples/bid.json (no ?method=: the bid's own us-federal@2026.2)
// answers what the CLI prints for the same bid and seed, footprint and
// uncertainty alike, and the same bytes twice.
func TestUncertaintyExampleBidAPI(t *testing.T) {
	h := newTestServer(t)
	bid, err := os.ReadFile(filepath.Join("..", "examples", "bid.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := apiCase{name: "example", method: "POST", target: "/v1/footprints?uncertainty=10000&seed=42", contentType: "application/json", body: string(bid)}
	rec := do(t, h, c)
	if rec.Code != 200 {
		t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
	}
	if again := do(t, h, c); again.Body.String() != rec.Body.String() {
		t.Error("the same request gave other bytes")
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := readCLIExample(t)
	u, _ := want["uncertainty"].(map[string]any)
	if u["method"] != "us-federal@2026.2" || u["model"] != "declared" {
		t.Fatalf("%s sampled %v (model %v): not the example bid's own us-federal@2026.2", cliExampleGolden, u["method"], u["model"])
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			g, _ := json.MarshalIndent(got[k], "", "  ")
			ww, _ := json.MarshalIndent(w, "", "  ")
			t.Errorf("%q differs from the CLI's (%s):\n--- API:\n%.3000s\n--- CLI:\n%.3000s", k, cliExampleGolden, g, ww)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("the API answers %q, which the CLI does not print", k)
		}
	}
}
