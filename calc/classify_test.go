package calc

import (
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/epd"
)

// TestCategoryOf maps classification texts as ILCD (ÖKOBAUDAT-style German
// paths), EC3/openEPD (CamelCase, ">>") and plain English give them.
func TestCategoryOf(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Resilient Flooring", "material.flooring"},
		{"Finishes >> Flooring >> ResilientFlooring", "material.flooring"},
		{"Dämmstoffe / Mineralwolle / Steinwolle", "material.insulation.mineral_wool"},
		{"Insulation >> MineralWool", "material.insulation.mineral_wool"},
		{"Insulation >> EPS", "material.insulation.eps"},
		{"Dämmstoffe / Holzfaser", "material.insulation.wood_fibre"},
		{"Mineralische Baustoffe / Gips / Gipskartonplatte", "material.plasterboard"},
		{"Holz / Brettsperrholz", "material.timber.clt"},
		{"Wood >> CrossLaminatedTimber", "material.timber.clt"},
		{"Concrete >> Precast", "material.concrete.precast"},
		{"Concrete >> ReadyMix", "material.concrete.ready_mix"},
		{"Mineralische Baustoffe / Bindemittel / Zement", "material.cement"},
		{"Steel >> RebarSteel", "material.steel.rebar"},
		{"Glass >> InsulatingGlass", "material.glass.insulating"},
		{"Openings >> Windows", "material.window"},
		{"Asphalt", "material.asphalt"},
		{"Steps and stairs", ""},       // "eps" is no whole word here
		{"Concrete >> Admixtures", ""}, // concrete alone is no category
		{"", ""},
		// Real registries' paths (epd/testdata/real): the most specific
		// level decides; a level naming two categories, or a category
		// outside the family another level names, decides nothing.
		{"Bauprodukte / Normal- Leicht- und Porenbeton / Betonbauteile aus Ort- oder Lieferbeton", "material.concrete.ready_mix"},
		{"02 Building products / Thermal insulation products / cement-based foams", "material.insulation.other"},
		{"Dämmstoffe / Ortschaum / Mineralisch", "material.insulation.other"},
		{"02 Bauprodukte / Türen, Fenster, Beschläge und Zubehör / Antriebssysteme für Automatiktüren und -tore", ""},
		{"Metalle / Aluminium / Aluminiumprofil", "material.aluminium.extrusion"},
		{"Bygg / Betongvarer", "material.concrete.precast"}, // EPD Norway's precast wall
		{"Komponenten von Fenstern und Vorhangfassaden / Fassaden / Vorhangfassade - Element-Fassaden", "material.curtain_wall"},
		{"Dämmstoffe / Mineralwolle / Steinwolle", "material.insulation.mineral_wool"},
	}
	for _, c := range cases {
		if got, _ := categoryOf(c.text); got != c.want {
			t.Errorf("categoryOf(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestEPDCategory: one mapping classification decides; none, none that
// maps, or two that disagree are refused naming what the EPD declares.
func TestEPDCategory(t *testing.T) {
	d := &epd.Declaration{Name: "Stone wool slab", Classification: []epd.Classification{
		{System: "OEKOBAU.DAT", Path: "Dämmstoffe / Mineralwolle"}, {System: "product_classes/masterformat", Path: "07 21 00 Thermal Insulation"}}}
	k, note, err := EPDCategory(d, "X-1")
	if err != nil || k != "material.insulation.mineral_wool" || !strings.Contains(note, `classified as "OEKOBAU.DAT: Dämmstoffe / Mineralwolle"`) {
		t.Errorf("got %q %q %v", k, note, err)
	}
	refusals := []struct {
		cls  []epd.Classification
		want string
	}{
		{nil, `EPD X-1 ("Stone wool slab") gives no product classification`},
		{[]epd.Classification{{System: "category", Path: "Miscellaneous"}}, `is classified as "category: Miscellaneous", which maps to no product category`},
		{[]epd.Classification{{Path: "Flooring"}, {Path: "Paint"}}, `different categories, material.flooring (from "Flooring") and material.paint (from "Paint")`},
		{[]epd.Classification{{Path: "02 Bauprodukte / Türen, Fenster, Beschläge und Zubehör / Antriebssysteme"}}, `its level "Türen, Fenster, Beschläge und Zubehör" names several categories (material.window, material.door)`},
		{[]epd.Classification{{Path: "Flooring"}, {Path: "Thermal insulation products / cement-based foams"}}, `material.flooring (from "Flooring") and material.insulation.other (from "Thermal insulation products / cement-based foams")`},
	}
	for _, r := range refusals {
		d.Classification = r.cls
		_, _, err := EPDCategory(d, "X-1")
		if !errors.Is(err, ErrClassification) || !errors.Is(err, ErrProductFactor) || err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%v: error %v, want ErrClassification containing %q", r.cls, err, r.want)
		}
	}
}

// FuzzCategoryOf: any classification text maps to nothing or to one of
// the rules' keys, without panicking.
func FuzzCategoryOf(f *testing.F) {
	for _, s := range []string{"Dämmstoffe / Mineralwolle / Steinwolle", "Finishes >> Flooring >> ResilientFlooring",
		"02 Bauprodukte / Türen, Fenster, Beschläge und Zubehör / Antriebssysteme", "Thermal insulation products / cement-based foams", " / / >> ", ""} {
		f.Add(s)
	}
	keys := map[string]bool{"": true}
	for _, r := range categoryRules {
		keys[r.key] = true
	}
	for _, r := range familyRules {
		keys[r.other] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, _ := categoryOf(s); !keys[k] {
			t.Fatalf("categoryOf(%q) = %q, not a rule's key", s, k)
		}
	})
}
