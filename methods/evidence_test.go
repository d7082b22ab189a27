package methods

import (
	"slices"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/factors"
)

// TestEvidence checks what the 2025.3 methods say they hold per activity:
// every material.* activity takes a product factor under both (eu-gpp
// accepts, us-federal requires one); the product
// categories have neither a generic factor nor a limit, and the note says
// so; the activities with reference data name it.
func TestEvidence(t *testing.T) {
	lib := testLib(t)
	reg, err := Embedded(lib)
	if err != nil {
		t.Fatal(err)
	}
	// us-federal requires a product factor for materials (product_factors.require).
	stance := map[string]string{"eu-gpp@2025.3": ProductAccepted, "us-federal@2025.3": ProductRequired}
	for _, ref := range []string{"eu-gpp@2025.3", "us-federal@2025.3"} {
		m, err := reg.Resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range lib.Activities() {
			if !strings.HasPrefix(a.Key, "material.") {
				continue
			}
			n++
			ev, err := m.Evidence(lib, a.Key)
			if err != nil {
				t.Fatalf("%s %s: %v", ref, a.Key, err)
			}
			if ev.ProductFactors != stance[ref] {
				t.Errorf("%s %s: product factors %q, want %q", ref, a.Key, ev.ProductFactors, stance[ref])
			}
			if len(lib.Search(factorsQuery(a.Key))) == 0 && len(ev.GenericFactors) != 0 {
				t.Errorf("%s %s: no factor in any dataset, yet generic factors %v", ref, a.Key, ev.GenericFactors)
			}
		}
		if n < 40 {
			t.Errorf("%s: %d material activities, want the product categories too (at least 40)", ref, n)
		}
	}

	cases := []struct {
		ref, key       string
		generic, limit []string
	}{
		{"eu-gpp@2025.3", "material.flooring", []string{}, []string{}},
		{"us-federal@2025.3", "material.insulation.mineral_wool", []string{}, []string{}},
		{"eu-gpp@2025.3", "material.steel.rebar", []string{"oekobaudat@2020-II"}, []string{}},
		{"us-federal@2025.3", "material.glass.flat", []string{}, []string{"gsa-glass-top20", "gsa-glass-top40", "gsa-glass-avg"}},
		{"us-federal@2025.3", "fuel.natural_gas", []string{"epa-ghg-hub@2025"}, []string{}},
	}
	for _, c := range cases {
		m, err := reg.Resolve(c.ref)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := m.Evidence(lib, c.key)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ev.GenericFactors, c.generic) || !slices.Equal(ev.Limits, c.limit) {
			t.Errorf("%s %s: generic %v limits %v, want %v %v", c.ref, c.key, ev.GenericFactors, ev.Limits, c.generic, c.limit)
		}
		note := ev.OnlyEPDNote(c.key)
		want := ""
		if len(c.generic) == 0 && len(c.limit) == 0 {
			want = "no generic factor and no procurement limit for " + c.key + " under " + c.ref + ": the EPD's value is the only evidence"
		}
		if note != want {
			t.Errorf("%s %s: note %q, want %q", c.ref, c.key, note, want)
		}
	}
	m, _ := reg.Resolve("us-federal@2025.3")
	if ev, _ := m.Evidence(lib, "fuel.natural_gas"); ev.ProductFactors != ProductNotAccepted {
		t.Errorf("us-federal@2025.3 fuel.natural_gas: product factors %q, want %q", ev.ProductFactors, ProductNotAccepted)
	}
}

func factorsQuery(key string) factors.Query { return factors.Query{Activity: key} }
