package main

import (
	"fmt"
	"sort"
	"strings"
)

// The vocabulary of factors/data/FORMAT.md. These are the generator's own
// copies: the runtime package factors has its own, and the test's
// independent check (verify_test.go) a third, so that a drift in one shows.
var (
	gases = set("CO2", "CO2_biogenic", "CH4", "CH4_fossil", "CH4_biogenic", "N2O",
		"SF6", "NF3")
	stages        = set("combustion", "electricity", "heat", "transport", "A1-A3")
	massUnits     = set("g", "kg", "t", "lb", "short_ton", "Gg")
	activityUnits = set("mmBtu", "TJ", "GJ", "MJ", "kWh", "MWh", "scf", "gal_us",
		"m3", "L", "kg", "t", "short_ton", "m2", "t.km", "short_ton.mi", "piece")
	dimensions = set("energy", "mass", "volume", "area", "length", "freight", "count")
	qualities  = set("primary", "secondary", "uncertain")
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// isGas reports whether g names a gas: one of the named gases, or an HFC/PFC
// written as HFC-134a, CF4, C2F6, c-C4F8 ...
func isGas(g string) bool {
	return gases[g] || strings.HasPrefix(g, "HFC-") || strings.HasPrefix(g, "C") || strings.HasPrefix(g, "c-C")
}

// region is one row of regions.csv.
type region struct{ code, name, parent string }

// iso3ToISO2 maps the EEA's ISO 3166 alpha-3 codes (and EU27) to the
// alpha-2 codes of FORMAT.md.
var iso3ToISO2 = map[string]string{
	"AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY",
	"CZE": "CZ", "DNK": "DK", "EST": "EE", "FIN": "FI", "FRA": "FR",
	"DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE", "ITA": "IT",
	"LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL",
	"POL": "PL", "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI",
	"ESP": "ES", "SWE": "SE", "EU27": "EU27",
}

// eeaRegion maps an EEA row's geo_code to its region code.
func eeaRegion(r refRow) (string, error) {
	geo := r.get("geo_code")
	code, ok := iso3ToISO2[geo]
	if !ok {
		return "", fmt.Errorf("%s: geo_code %q is not an EU member state's ISO alpha-3 code nor EU27", r.where(), short(geo))
	}
	return code, nil
}

// buildRegions lists the regions: GLO, the US and its eGRID subregions, the
// EU27 and its member states (names as the EEA prints them), and GB.
func buildRegions(rf *refs) ([]region, error) {
	out := []region{{"GLO", "Global", ""}, {"US", "United States", "GLO"}}
	eg, err := rf.file("us/egrid_subregions.csv")
	if err != nil {
		return nil, err
	}
	for _, r := range eg.rows() {
		if r.get("subregion_acronym") == "US Average" {
			continue
		}
		out = append(out, region{"US-" + r.get("subregion_acronym"), r.get("subregion_name"), "US"})
	}
	out = append(out, region{"EU27", "European Union (27 member states)", "GLO"})
	eea, err := rf.file("eu/electricity_eea_v12.csv")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var members []region
	for _, r := range eea.rows() {
		code, err := eeaRegion(r)
		if err != nil {
			return nil, err
		}
		if code == "EU27" || seen[code] {
			continue
		}
		seen[code] = true
		members = append(members, region{code, r.get("geo_name_as_printed"), "EU27"})
	}
	if len(members) != 27 {
		return nil, fmt.Errorf("%s: expected 27 EU member states, got %d", eea.rel, len(members))
	}
	sort.Slice(members, func(i, j int) bool {
		a, b := members[i], members[j]
		if a.code != b.code {
			return a.code < b.code
		}
		return a.name < b.name
	})
	out = append(out, members...)
	out = append(out, region{"GB", "United Kingdom", "GLO"})
	return out, nil
}

// activity is one row of activities.csv.
type activity struct{ key, dimensions, stage, title string }

// fuels are the combustion activities, which take energy, mass or volume.
var fuels = []struct{ key, title string }{
	{"fuel.natural_gas", "Natural gas"},
	{"fuel.diesel", "Diesel / gas oil (distillate fuel oil No. 2)"},
	{"fuel.residual_oil", "Residual fuel oil (heavy fuel oil)"},
	{"fuel.lpg", "Liquefied petroleum gases (LPG)"},
	{"fuel.gasoline", "Motor gasoline (petrol)"},
	{"fuel.kerosene", "Kerosene (other than jet fuel)"},
	{"fuel.coal.bituminous", "Bituminous coal"},
	{"fuel.coal.sub_bituminous", "Sub-bituminous coal"},
	{"fuel.lignite", "Lignite"},
	{"fuel.wood", "Wood and wood residuals (biomass)"},
}

// otherActivities follow the fuels in activities.csv.
var otherActivities = []activity{
	{"electricity.grid", "energy", "electricity", "Grid electricity (location-based)"},
	{"heat.steam", "energy", "heat", "Purchased steam and heat"},
	{"freight.road", "freight", "transport", "Road freight (truck)"},
	{"freight.rail", "freight", "transport", "Rail freight"},
	{"freight.inland_waterway", "freight", "transport", "Inland waterway freight (barge)"},
	{"freight.sea", "freight", "transport", "Sea freight (ship)"},
	{"freight.air", "freight", "transport", "Air freight"},
	{"material.concrete.ready_mix", "volume", "A1-A3", "Ready-mix concrete, unspecified strength class"},
	{"material.concrete.fc_2500psi", "volume", "A1-A3", "Ready-mix concrete, f'c 2500 psi class (GSA: <=2499 psi; CLF baseline: 2500 psi)"},
	{"material.concrete.fc_3000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 3000 psi"},
	{"material.concrete.fc_4000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 4000 psi"},
	{"material.concrete.fc_5000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 5000 psi"},
	{"material.concrete.fc_6000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 6000 psi"},
	{"material.concrete.fc_7200psi", "volume", "A1-A3", "Ready-mix concrete, f'c 7200 psi and above (GSA class >=7200 psi)"},
	{"material.concrete.fc_8000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 8000 psi (CLF baseline class)"},
	{"material.concrete.lw_fc_3000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 3000 psi"},
	{"material.concrete.lw_fc_4000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 4000 psi"},
	{"material.concrete.lw_fc_5000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 5000 psi"},
	{"material.concrete.c20_25", "volume", "A1-A3", "Ready-mix concrete C20/25 (EN 206)"},
	{"material.concrete.c25_30", "volume", "A1-A3", "Ready-mix concrete C25/30 (EN 206)"},
	{"material.concrete.c30_37", "volume", "A1-A3", "Ready-mix concrete C30/37 (EN 206)"},
	{"material.concrete.c35_45", "volume", "A1-A3", "Ready-mix concrete C35/45 (EN 206)"},
	{"material.concrete.c45_55", "volume", "A1-A3", "Ready-mix concrete C45/55 (EN 206)"},
	{"material.concrete.c50_60", "volume", "A1-A3", "Ready-mix concrete C50/60 (EN 206)"},
	{"material.steel.rebar", "mass", "A1-A3", "Concrete reinforcing steel (rebar)"},
	{"material.steel.section", "mass", "A1-A3", "Hot-rolled structural steel sections"},
	{"material.steel.plate", "mass", "A1-A3", "Structural steel plate"},
	{"material.steel.hss", "mass", "A1-A3", "Hollow structural sections (HSS)"},
	{"material.glass.flat", "mass|area", "A1-A3", "Flat glass (float, unprocessed)"},
}

// productCategories are the construction-product categories a product's EPD
// is declared for. They follow the activities with reference factors in
// activities.csv. No reference table gives them a generic factor or a
// procurement limit (that is the point of listing them: a line names the
// product, and its EPD is the evidence); they are descriptive rows only,
// with the dimensions a product of the category is declared and bought in.
// Pieces (doors, windows, bricks by the unit) are not a unit dimension, so a
// line gives them by area, mass or volume.
var productCategories = []activity{
	{"material.concrete.precast", "volume|mass", "A1-A3", "Precast concrete elements"},
	{"material.cement", "mass", "A1-A3", "Cement (CEM I-VI, bulk or bagged)"},
	{"material.steel.wire_rod", "mass", "A1-A3", "Steel wire rod and drawn wire"},
	{"material.aluminium.extrusion", "mass", "A1-A3", "Aluminium extrusions and profiles"},
	{"material.aluminium.sheet", "mass|area", "A1-A3", "Aluminium sheet, plate and cladding panels"},
	{"material.glass.insulating", "area|mass", "A1-A3", "Insulating glass units (double or triple glazing)"},
	{"material.timber.sawn", "volume|mass", "A1-A3", "Sawn softwood and hardwood timber"},
	{"material.timber.glulam", "volume|mass", "A1-A3", "Glued laminated timber (glulam)"},
	{"material.timber.clt", "volume|mass", "A1-A3", "Cross-laminated timber (CLT)"},
	{"material.timber.panel", "volume|mass|area", "A1-A3", "Wood-based panels (OSB, plywood, particleboard, MDF)"},
	{"material.flooring", "area|mass", "A1-A3", "Floor coverings (resilient, textile, ceramic, wood)"},
	{"material.plasterboard", "area|mass", "A1-A3", "Gypsum plasterboard and gypsum fibreboard"},
	{"material.insulation.mineral_wool", "area|volume|mass", "A1-A3", "Mineral wool insulation (glass wool, stone wool)"},
	{"material.insulation.eps", "area|volume|mass", "A1-A3", "Expanded polystyrene insulation (EPS)"},
	{"material.insulation.xps", "area|volume|mass", "A1-A3", "Extruded polystyrene insulation (XPS)"},
	{"material.insulation.other", "area|volume|mass", "A1-A3", "Other thermal insulation (mineral and cement-based foams, cellulose, PUR/PIR, ...)"},
	{"material.insulation.wood_fibre", "area|volume|mass", "A1-A3", "Wood-fibre insulation"},
	{"material.masonry.brick", "mass|volume|area|count", "A1-A3", "Clay bricks (by mass, volume, wall area or piece)"},
	{"material.masonry.block", "mass|volume|area|count", "A1-A3", "Masonry blocks (concrete, aerated concrete, calcium silicate; by mass, volume, wall area or piece)"},
	{"material.asphalt", "mass", "A1-A3", "Asphalt mixtures (hot and warm mix)"},
	{"material.door", "area|count", "A1-A3", "Doors, by leaf area or piece"},
	{"material.window", "area|count", "A1-A3", "Windows, by window area or piece"},
	{"material.curtain_wall", "area", "A1-A3", "Curtain walls, by facade area"},
	{"material.roofing.membrane", "area|mass", "A1-A3", "Roofing and waterproofing membranes (bitumen, synthetic)"},
	{"material.paint", "mass|volume|area", "A1-A3", "Paints and coatings"},
	{"material.sanitary_ware", "count|mass", "A1-A3", "Sanitary ware (toilets, washbasins, urinals), by piece or mass"},
}

// activities returns the activity taxonomy in activities.csv order: fuels,
// the other activities, then the product categories.
func activities() []activity {
	out := make([]activity, 0, len(fuels)+len(otherActivities)+len(productCategories))
	for _, f := range fuels {
		out = append(out, activity{f.key, "energy|mass|volume", "combustion", f.title})
	}
	out = append(out, otherActivities...)
	return append(out, productCategories...)
}

// activityKeys is the set of activity keys.
func activityKeys() map[string]bool {
	m := map[string]bool{}
	for _, a := range activities() {
		m[a.key] = true
	}
	return m
}

// slug turns an activity key or region code into an id part:
// material.steel.rebar -> material-steel-rebar, US-CAMX -> us-camx.
func slug(s string) string {
	return strings.ToLower(strings.NewReplacer(".", "-", "_", "-").Replace(s))
}
