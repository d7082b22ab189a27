package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestActivitiesSayWhatExists checks that GET /v1/activities says, per
// method version, whether a generic factor, a procurement limit or neither
// exists for an activity.
func TestActivitiesSayWhatExists(t *testing.T) {
	h := newTestServer(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/activities", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var list struct {
		Items []activityEntry `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key, method, product string
		generic, limits      []string
		unit                 string
	}{
		{"material.flooring", "eu-gpp@2025.3", "accepted", []string{}, []string{}, "m2"},
		{"material.insulation.eps", "us-federal@2025.3", "required", []string{}, []string{}, "m3"},
		{"material.steel.rebar", "eu-gpp@2025.3", "accepted", []string{"oekobaudat@2020-II"}, []string{}, "kg"},
		{"material.glass.flat", "us-federal@2025.3", "required", []string{}, []string{"gsa-glass-top20", "gsa-glass-top40", "gsa-glass-avg"}, "m2"},
		{"electricity.grid", "eu-gpp@2025.3", "not_accepted", []string{"eea-electricity@v12"}, []string{}, "kWh"},
	}
	for _, c := range cases {
		i := slices.IndexFunc(list.Items, func(a activityEntry) bool {
			return a.Key == c.key
		})
		if i < 0 {
			t.Errorf("%s not listed", c.key)
			continue
		}
		a := list.Items[i]
		if !slices.Contains(a.Units, c.unit) {
			t.Errorf("%s: units %v lack %s", c.key, a.Units, c.unit)
		}
		found := false
		for _, m := range a.Methods {
			if m.Method != c.method {
				continue
			}
			found = true
			if m.ProductFactors != c.product || !slices.Equal(m.GenericFactors, c.generic) || !slices.Equal(m.Limits, c.limits) {
				t.Errorf("%s under %s: %+v, want product %s generic %v limits %v", c.key, c.method, m, c.product, c.generic, c.limits)
			}
		}
		if !found {
			t.Errorf("%s: no entry for %s in %+v", c.key, c.method, a.Methods)
		}
	}
}

// activityEntry is an item of GET /v1/activities as a client reads it.
type activityEntry struct {
	Key     string   `json:"key"`
	Units   []string `json:"units"`
	Methods []struct {
		Method         string   `json:"method"`
		GenericFactors []string `json:"generic_factors"`
		Limits         []string `json:"limits"`
		ProductFactors string   `json:"product_factors"`
	} `json:"methods"`
}
