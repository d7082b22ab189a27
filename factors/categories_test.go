package factors

import (
	"slices"
	"testing"
)

// TestProductCategories checks every construction-product category of the
// taxonomy: it exists with exactly the dimensions a product of its kind is
// declared in, counts at A1-A3, has a title, and has no generic factor and
// no procurement limit in any embedded dataset (the reference tables give
// none; a line of it needs its product's EPD).
func TestProductCategories(t *testing.T) {
	lib, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key  string
		dims []Dimension
	}{
		{"material.concrete.precast", []Dimension{Volume, Mass}},
		{"material.cement", []Dimension{Mass}},
		{"material.steel.wire_rod", []Dimension{Mass}},
		{"material.aluminium.extrusion", []Dimension{Mass}},
		{"material.aluminium.sheet", []Dimension{Mass, Area}},
		{"material.glass.insulating", []Dimension{Area, Mass}},
		{"material.timber.sawn", []Dimension{Volume, Mass}},
		{"material.timber.glulam", []Dimension{Volume, Mass}},
		{"material.timber.clt", []Dimension{Volume, Mass}},
		{"material.timber.panel", []Dimension{Volume, Mass, Area}},
		{"material.flooring", []Dimension{Area, Mass}},
		{"material.plasterboard", []Dimension{Area, Mass}},
		{"material.insulation.mineral_wool", []Dimension{Area, Volume, Mass}},
		{"material.insulation.eps", []Dimension{Area, Volume, Mass}},
		{"material.insulation.xps", []Dimension{Area, Volume, Mass}},
		{"material.insulation.other", []Dimension{Area, Volume, Mass}},
		{"material.insulation.wood_fibre", []Dimension{Area, Volume, Mass}},
		{"material.masonry.brick", []Dimension{Mass, Volume, Area, Count}},
		{"material.masonry.block", []Dimension{Mass, Volume, Area, Count}},
		{"material.asphalt", []Dimension{Mass}},
		{"material.door", []Dimension{Area, Count}},
		{"material.window", []Dimension{Area, Count}},
		{"material.curtain_wall", []Dimension{Area}},
		{"material.roofing.membrane", []Dimension{Area, Mass}},
		{"material.paint", []Dimension{Mass, Volume, Area}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			a, err := lib.Activity(c.key)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Dimensions, c.dims) {
				t.Errorf("dimensions %v, want %v", a.Dimensions, c.dims)
			}
			if a.DefaultStage != "A1-A3" || a.Title == "" {
				t.Errorf("stage %q title %q, want A1-A3 and a title", a.DefaultStage, a.Title)
			}
			if f := lib.Search(Query{Activity: c.key}); len(f) != 0 {
				t.Errorf("%d generic factors (first %s), want none: the reference tables give none", len(f), f[0].ID)
			}
			for _, d := range lib.Datasets() {
				for _, l := range d.Limits {
					if l.Activity == c.key {
						t.Errorf("limit %s in %s, want none", l.ID, d.Ref())
					}
				}
			}
		})
	}
	// The keys that existed before the categories keep working.
	for _, key := range []string{"material.steel.rebar", "material.steel.section", "material.steel.plate", "material.steel.hss", "material.concrete.ready_mix", "material.glass.flat"} {
		if _, err := lib.Activity(key); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}
