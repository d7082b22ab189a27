package calc

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// EPDActivity is the activity a line gives to mean "the product this EPD
// declares": the category is taken from the document's own classification
// (ILCD classificationInformation, openEPD category and product_classes)
// through the table categoryRules.
const EPDActivity = "material.epd"

// ErrClassification marks a material.epd line whose EPD has no
// classification that maps to one product category, or several that
// disagree.
var ErrClassification = fmt.Errorf("EPD classification: %w", ErrProductFactor)

// categoryRules map classification text to a taxonomy key. A rule matches
// when one of its words occurs in the text as a whole word, case folded
// (English, German and the EC3/openEPD names, e.g. "Insulation >>
// MineralWool", "Dämmstoffe / Mineralwolle"). The rules are tried in order,
// so the specific ones (precast before concrete, insulating glass before
// glass) come first; the first match decides a classification.
var categoryRules = []struct {
	key   string
	words []string
}{
	{"material.insulation.mineral_wool", []string{"mineral wool", "mineralwool", "mineralwolle", "stone wool", "steinwolle", "glass wool", "glaswolle", "rock wool"}},
	{"material.insulation.eps", []string{"eps", "expanded polystyrene", "expandiertes polystyrol"}},
	{"material.insulation.xps", []string{"xps", "extruded polystyrene", "extrudiertes polystyrol"}},
	{"material.insulation.wood_fibre", []string{"wood fibre insulation", "wood fiber insulation", "woodfiber", "holzfaser", "holzfaserdämmplatte", "holzfaserdämmstoff"}},
	{"material.plasterboard", []string{"plasterboard", "gypsum board", "gypsumboard", "gypsum", "gipskarton", "gipskartonplatte", "gipsplatten", "gipsfaserplatte", "drywall"}},
	{"material.flooring", []string{"flooring", "floor covering", "floor coverings", "bodenbelag", "bodenbeläge", "resilient flooring", "carpet", "vinyl flooring", "linoleum"}},
	{"material.timber.clt", []string{"cross laminated timber", "cross-laminated timber", "clt", "brettsperrholz"}},
	{"material.timber.glulam", []string{"glulam", "glued laminated timber", "brettschichtholz"}},
	{"material.timber.panel", []string{"osb", "plywood", "particleboard", "mdf", "wood-based panels", "holzwerkstoffe", "sperrholz", "spanplatte"}},
	{"material.timber.sawn", []string{"sawn timber", "lumber", "schnittholz", "vollholz", "dimension lumber"}},
	{"material.glass.insulating", []string{"insulating glass", "insulating glass unit", "igu", "isolierglas", "mehrscheiben-isolierglas"}},
	{"material.glass.flat", []string{"flat glass", "float glass", "flachglas", "floatglas"}},
	{"material.curtain_wall", []string{"curtain wall", "curtain walls", "curtainwall", "vorhangfassade", "pfosten-riegel-fassade"}},
	{"material.window", []string{"window", "windows", "fenster"}},
	{"material.door", []string{"door", "doors", "tür", "türen"}},
	{"material.roofing.membrane", []string{"roofing membrane", "roof membrane", "waterproofing membrane", "dachbahn", "dachbahnen", "abdichtungsbahn", "bitumenbahn", "membrane roofing"}},
	{"material.paint", []string{"paint", "paints", "coating", "coatings", "farbe", "farben", "lack", "lacke", "beschichtung"}},
	{"material.asphalt", []string{"asphalt", "asphaltmischgut"}},
	{"material.masonry.brick", []string{"brick", "bricks", "mauerziegel", "ziegel", "clay brick"}},
	{"material.masonry.block", []string{"concrete block", "cmu", "masonry block", "aerated concrete", "porenbeton", "kalksandstein", "calcium silicate"}},
	{"material.concrete.precast", []string{"precast", "precast concrete", "betonfertigteil", "betonfertigteile", "fertigteil", "fertigteile", "betongelement", "betongelementer", "betongvarer"}},
	{"material.concrete.ready_mix", []string{"ready mix", "ready-mix", "readymix", "ready mixed concrete", "transportbeton", "ortbeton", "lieferbeton"}},
	{"material.cement", []string{"cement", "zement"}},
	{"material.steel.rebar", []string{"rebar", "reinforcing steel", "reinforcement steel", "betonstahl", "bewehrungsstahl"}},
	{"material.steel.wire_rod", []string{"wire rod", "walzdraht", "steel wire"}},
	{"material.steel.hss", []string{"hollow structural section", "hollow section", "hollow sections", "hss", "hohlprofil", "hohlprofile"}},
	{"material.steel.plate", []string{"steel plate", "heavy plate", "grobblech"}},
	{"material.steel.section", []string{"steel section", "steel sections", "hot-rolled section", "hot-rolled sections", "structural steel", "baustahl", "stahlprofil", "stahlprofile", "wide flange"}},
	{"material.aluminium.extrusion", []string{"aluminium extrusion", "aluminum extrusion", "aluminium profile", "aluminum profile", "aluminiumprofil", "aluminiumprofile", "strangpressprofil"}},
	{"material.aluminium.sheet", []string{"aluminium sheet", "aluminum sheet", "aluminium panel", "aluminum panel", "aluminiumblech", "aluminium composite"}},
}

// categoryPatterns are categoryRules compiled: each word a whole-word,
// case-insensitive pattern.
var categoryPatterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(categoryRules))
	for i, r := range categoryRules {
		out[i] = wholeWords(r.words)
	}
	return out
}()

// familyRules name product families without naming a category: a
// classification whose levels name a family maps only to a category of
// that family ("Thermal insulation products / cement-based foams" is an
// insulation, not cement).
var familyRules = []struct {
	prefix, other string // other: the family's category for what no specific one names
	words         []string
}{
	{"material.insulation.", "material.insulation.other", []string{"insulation", "thermal insulation", "insulation products", "dämmstoffe", "dämmstoff", "wärmedämmstoffe", "wärmedämmung"}},
}

// familyPatterns are familyRules compiled as categoryPatterns are.
var familyPatterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(familyRules))
	for i, r := range familyRules {
		out[i] = wholeWords(r.words)
	}
	return out
}()

// wholeWords is a case-insensitive pattern matching one of words as a
// whole word: not preceded or followed by a letter or digit.
func wholeWords(words []string) *regexp.Regexp {
	alts := make([]string, len(words))
	for j, w := range words {
		alts[j] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(?:` + strings.Join(alts, "|") + `)(?:$|[^\pL\pN])`)
}

// levelSplit separates the levels of a classification path: ILCD's
// " / " and openEPD's ">>".
var levelSplit = regexp.MustCompile(`\s*(?:>>|\s/\s)\s*`)

// categoryOf maps one classification path to a category key, "" when it
// names none, several, or one outside the family its levels name. The
// most specific level that names a category decides ("Normal- Leicht- und
// Porenbeton / Betonbauteile aus Ort- oder Lieferbeton" is ready-mix
// concrete); a level naming two categories ("Türen, Fenster, Beschläge")
// decides nothing. why says what was wrong when "" comes back for a path
// that names a category.
func categoryOf(text string) (key, why string) {
	levels := levelSplit.Split(text, MaxPathLevels)
	var families []string
	for _, l := range levels {
		for i, p := range familyPatterns {
			if matchText(p, l) {
				families = append(families, familyRules[i].prefix)
			}
		}
	}
	// other is the family's catch-all when exactly one family is named.
	other := ""
	if len(families) > 0 {
		for _, r := range familyRules {
			if r.prefix == families[0] {
				other = r.other
			}
		}
		for _, f := range families[1:] {
			if f != families[0] {
				other = ""
			}
		}
	}
	for i := len(levels) - 1; i >= 0; i-- {
		var keys []string
		for j, p := range categoryPatterns {
			if matchText(p, levels[i]) && !contains(keys, categoryRules[j].key) {
				keys = append(keys, categoryRules[j].key)
			}
		}
		switch {
		case len(keys) > 1:
			return "", fmt.Sprintf("its level %q names several categories (%s)", clip.Text(levels[i]), strings.Join(keys, ", "))
		case len(keys) == 1:
			for _, f := range families {
				if !strings.HasPrefix(keys[0], f) {
					if other != "" {
						return other, ""
					}
					return "", fmt.Sprintf("its level %q names %s, outside the family %s* another level names", clip.Text(levels[i]), keys[0], f)
				}
			}
			return keys[0], ""
		}
	}
	return other, ""
}

// MaxPathLevels bounds the levels of one classification path read.
const MaxPathLevels = 16

// matchText matches a pattern on text as given and with CamelCase EC3
// names ("MineralWool", "ReadyMix") split into words.
func matchText(p *regexp.Regexp, text string) bool {
	return p.MatchString(text) || p.MatchString(camelSplit.ReplaceAllString(text, "$1 $2"))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var camelSplit = regexp.MustCompile(`(\p{Ll})(\p{Lu})`)

// EPDCategory returns the product category the declaration's own
// classification names, and a note saying which classification decided.
// It fails (ErrClassification) when the document has no classification,
// none maps, or they map to different categories, naming what it declares.
func EPDCategory(d *epd.Declaration, label string) (key, note string, err error) {
	if len(d.Classification) == 0 {
		return "", "", fmt.Errorf("%w: EPD %s (%q) gives no product classification, so activity %s cannot be resolved: give the line the category's key (see GET /v1/activities, e.g. material.flooring)",
			ErrClassification, label, clip.Text(d.Name), EPDActivity)
	}
	found := map[string]string{} // key -> the first classification that gave it
	var unmapped []string
	for _, c := range d.Classification {
		shown := c.Path
		if c.System != "" {
			shown = c.System + ": " + c.Path
		}
		k, why := categoryOf(c.Path)
		if k == "" {
			if len(unmapped) < 3 {
				if why != "" {
					why = " (" + why + ")"
				}
				unmapped = append(unmapped, fmt.Sprintf("%q", shown)+why)
			} else if len(unmapped) == 3 {
				unmapped = append(unmapped, "…")
			}
			continue
		}
		if _, ok := found[k]; !ok {
			found[k] = shown
		}
	}
	// A family's catch-all gives way to a specific category of the family
	// another classification names ("Thermal Insulation" beside "Dämmstoffe
	// / Mineralwolle").
	for _, r := range familyRules {
		if _, ok := found[r.other]; !ok {
			continue
		}
		for k := range found {
			if k != r.other && strings.HasPrefix(k, r.prefix) {
				delete(found, r.other)
				break
			}
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Errorf("%w: EPD %s (%q) is classified as %s, which maps to no product category, so activity %s cannot be resolved: give the line the category's key (see GET /v1/activities)",
			ErrClassification, label, clip.Text(d.Name), strings.Join(unmapped, ", "), EPDActivity)
	case 1:
		for k, from := range found {
			return k, fmt.Sprintf("activity %s: EPD %s is classified as %q, taken as %s", EPDActivity, label, from, k), nil
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, fmt.Sprintf("%s (from %q)", k, found[k]))
	}
	sort.Strings(keys)
	return "", "", fmt.Errorf("%w: EPD %s (%q) has classifications naming different categories, %s: give the line the one meant",
		ErrClassification, label, clip.Text(d.Name), strings.Join(keys, " and "))
}
