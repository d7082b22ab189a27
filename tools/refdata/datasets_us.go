package main

import (
	"fmt"
	"sort"
	"strings"
)

// heatUnits translates the EPA Hub's heat-content unit wording.
var heatUnits = map[string]string{
	"mmBtu per short ton": "mmBtu/short_ton",
	"mmBtu per scf":       "mmBtu/scf",
	"mmBtu per gallon":    "mmBtu/gal_us",
}

// unitOf translates a reference unit string through m.
func unitOf(r refRow, column string, m map[string]string) (string, error) {
	return mapped(r, column, "unit", m)
}

// mapped translates the cell of column through m, or fails naming the row,
// the column, what the cell should be and the strings the mapping knows.
func mapped(r refRow, column, what string, m map[string]string) (string, error) {
	v := r.get(column)
	u, ok := m[v]
	if !ok {
		known := make([]string, 0, len(m))
		for k := range m {
			known = append(known, fmt.Sprintf("%q", k))
		}
		sort.Strings(known)
		return "", fmt.Errorf("%s: %s %q is not a %s this mapping knows (want one of %s)", r.where(), column, short(v), what, strings.Join(known, ", "))
	}
	return u, nil
}

// expect fails unless column of r reads want.
func expect(r refRow, column, want string) error {
	if got := r.get(column); got != want {
		return fmt.Errorf("%s: %s is %q, expected %q", r.where(), column, short(got), want)
	}
	return nil
}

// dsEPAHub maps the EPA GHG Emission Factors Hub 2025: stationary combustion
// (Table 1), steam and heat (Table 7), freight per short ton-mile (Table 8).
func dsEPAHub(rf *refs) (meta, []factorRow, []heatRow, error) {
	sc, err := rf.file("us/stationary_combustion.csv")
	if err != nil {
		return meta{}, nil, nil, err
	}
	fr, err := rf.file("us/freight.csv")
	if err != nil {
		return meta{}, nil, nil, err
	}
	fuelRows := []struct{ act, fuel string }{
		{"fuel.natural_gas", "Natural Gas"},
		{"fuel.diesel", "Distillate Fuel Oil No. 2"},
		{"fuel.residual_oil", "Residual Fuel Oil No. 6"},
		{"fuel.lpg", "Liquefied Petroleum Gases (LPG)"},
		{"fuel.gasoline", "Motor Gasoline"},
		{"fuel.kerosene", "Kerosene"},
		{"fuel.coal.bituminous", "Bituminous"},
		{"fuel.coal.sub_bituminous", "Sub-bituminous"},
		{"fuel.lignite", "Lignite"},
		{"fuel.wood", "Wood and Wood Residuals"},
	}
	combustionUnits := map[string]string{"kg CO2 per mmBtu": "kg/mmBtu", "g CH4 per mmBtu": "g/mmBtu",
		"g N2O per mmBtu": "g/mmBtu"}
	var factors []factorRow
	var heat []heatRow
	for _, fu := range fuelRows {
		r, err := sc.find(is("table", "Table 1 Stationary Combustion"), is("fuel_type", fu.fuel))
		if err != nil {
			return meta{}, nil, nil, err
		}
		co2, ch4 := "CO2", "CH4_fossil"
		if strings.HasPrefix(r.get("fuel_category"), "Biomass") {
			co2, ch4 = "CO2_biogenic", "CH4_biogenic"
		}
		fid := "hub25-" + slug(fu.act) + "-us"
		table := fmt.Sprintf("Table 1 Stationary Combustion (%s)", fu.fuel)
		for _, g := range []struct{ gas, col, unitCol string }{
			{co2, "co2_factor", "co2_factor_unit"},
			{ch4, "ch4_factor", "ch4_factor_unit"},
			{"N2O", "n2o_factor", "n2o_factor_unit"},
		} {
			unit, err := unitOf(r, g.unitCol, combustionUnits)
			if err != nil {
				return meta{}, nil, nil, err
			}
			factors = append(factors, factorRow{fid, fu.act, "US", "combustion", g.gas, r.get(g.col),
				unit, "HHV", "primary", table, r.cite()})
		}
		hu, err := unitOf(r, "heat_content_unit", heatUnits)
		if err != nil {
			return meta{}, nil, nil, err
		}
		heat = append(heat, heatRow{fu.act, r.get("heat_content_hhv"), hu, "HHV", "primary", table, r.cite()})
	}
	// Steam and heat (Table 7).
	r, err := sc.find(is("table", "Table 7 Steam and Heat"))
	if err != nil {
		return meta{}, nil, nil, err
	}
	for _, g := range []struct{ gas, col, unit string }{
		{"CO2", "co2_factor", "kg/mmBtu"},
		{"CH4_fossil", "ch4_factor", "g/mmBtu"},
		{"N2O", "n2o_factor", "g/mmBtu"},
	} {
		factors = append(factors, factorRow{"hub25-heat-steam-us", "heat.steam", "US", "heat", g.gas, r.get(g.col),
			g.unit, "", "primary", "Table 7 Steam and Heat", r.cite()})
	}
	// Freight (Table 8), short ton-mile rows only.
	freightMass := map[string]string{"kg CO2": "kg", "g CH4": "g", "g N2O": "g"}
	for _, v := range []struct{ act, vehicle string }{
		{"freight.road", "Medium- and Heavy-Duty Truck"},
		{"freight.rail", "Rail"},
		{"freight.inland_waterway", "Waterborne Craft"},
		{"freight.air", "Aircraft"},
	} {
		r, err := fr.find(is("vehicle_type", v.vehicle), is("activity_unit", "short ton-mile"))
		if err != nil {
			return meta{}, nil, nil, err
		}
		for _, g := range []struct{ gas, col, numCol string }{
			{"CO2", "co2_factor", "co2_factor_unit_numerator"},
			{"CH4_fossil", "ch4_factor", "ch4_factor_unit_numerator"},
			{"N2O", "n2o_factor", "n2o_factor_unit_numerator"},
		} {
			mass, err := unitOf(r, g.numCol, freightMass)
			if err != nil {
				return meta{}, nil, nil, err
			}
			factors = append(factors, factorRow{"hub25-" + slug(v.act) + "-us", v.act, "US", "transport", g.gas,
				r.get(g.col), mass + "/short_ton.mi", "", "primary",
				fmt.Sprintf("Table 8 Scope 3 Categories 4 and 9 (%s, per short ton-mile)", v.vehicle), r.cite()})
		}
	}
	m := meta{
		id: "epa-ghg-hub", version: "2025",
		title:     "Emission Factors for Greenhouse Gas Inventories (GHG Emission Factors Hub)",
		publisher: "US EPA Center for Corporate Climate Leadership",
		edition:   "2025 (Last Modified: January 15, 2025)",
		url:       "https://www.epa.gov/system/files/documents/2025-01/ghg-emission-factors-hub-2025.pdf",
		licence: "US federal government publication (US EPA). The reference README (us/README.md) states no licence " +
			"terms; values were read from the EPA Excel workbook as copied in two public GitHub repositories.",
		quality: "primary",
		notes: "Stationary combustion: Table 1, per mmBtu on an HHV basis, heat contents (HHV) per short ton, scf or US gallon " +
			"as printed. Diesel = 'Distillate Fuel Oil No. 2' (Table 1 has no row named diesel); residual_oil = 'Residual " +
			"Fuel Oil No. 6'; kerosene = 'Kerosene' (not jet fuel). Wood ('Wood and Wood Residuals'): CO2 is biogenic, " +
			"CH4 booked as CH4_biogenic. Steam and heat: Table 7 (assumes natural gas at 80 percent thermal efficiency), " +
			"per mmBtu of steam or heat purchased. Freight: Table 8 per short ton-mile (combustion / tank-to-wheel only); " +
			"the Hub has no sea / ocean freight row, so freight.sea has no factor here. Tables 1, 2, 7, 11 and 12 are not " +
			"marked as updated since the 2024 Hub; Table 8 is. Hub GWPs are IPCC AR5.",
	}
	return m, factors, heat, nil
}

// dsEGRID maps eGRID2023 subregion total output emission rates (and the US
// average) as printed in the EPA Hub.
func dsEGRID(rf *refs) (meta, []factorRow, error) {
	eg, err := rf.file("us/egrid_subregions.csv")
	if err != nil {
		return meta{}, nil, err
	}
	rateUnits := map[string]string{"lb CO2/MWh": "lb/MWh", "lb CH4/MWh": "lb/MWh", "lb N2O/MWh": "lb/MWh"}
	var factors []factorRow
	for _, r := range eg.rows() {
		acr := r.get("subregion_acronym")
		region := "US-" + acr
		if acr == "US Average" {
			region = "US"
		}
		for _, g := range []struct{ gas, col, unitCol string }{
			{"CO2", "co2_total_output_rate_as_printed", "co2_rate_unit"},
			{"CH4_fossil", "ch4_total_output_rate_as_printed", "ch4_rate_unit"},
			{"N2O", "n2o_total_output_rate_as_printed", "n2o_rate_unit"},
		} {
			unit, err := unitOf(r, g.unitCol, rateUnits)
			if err != nil {
				return meta{}, nil, err
			}
			factors = append(factors, factorRow{"egrid23-" + slug(region), "electricity.grid", region,
				"electricity", g.gas, r.get(g.col), unit, "", "primary",
				fmt.Sprintf("eGRID2023 Summary Table 1 total output emission rate (%s)", acr), r.cite()})
		}
	}
	m := meta{
		id: "egrid", version: "2023",
		title:     "Emissions & Generation Resource Integrated Database (eGRID), subregion total output emission rates",
		publisher: "US EPA",
		edition:   "eGRID2023 (released January 2025), Summary Tables Table 1, as reproduced in EPA GHG Emission Factors Hub 2025 Table 6",
		url:       "https://www.epa.gov/system/files/documents/2025-01/egrid2023_summary_tables.xlsx",
		licence: "US federal government publication (US EPA). The reference README (us/README.md) states no licence " +
			"terms; values were read from the EPA Hub 2025 Excel workbook as copied in public GitHub repositories.",
		quality: "primary",
		notes: "Total output emission rates (location-based, lb per MWh) for the 27 eGRID subregions (US-<acronym>) and the " +
			"US average (region US). Values are the printed Hub values (*_as_printed columns); the workbook cells hold more " +
			"digits (e.g. printed 899.0 is stored 899.003; see *_cell_value columns of us/egrid_subregions.csv). CH4 is " +
			"booked as CH4_fossil. Non-baseload rates and grid gross loss (T&D loss; blank for PRMS) are in the reference " +
			"file but not shipped; the Hub says grid gross loss is for Scope 3 Category 3, not Scope 2. eGRID2024 and the " +
			"eGRID2023 rev2 (June 2025) file were not found / not checked.",
	}
	return m, factors, nil
}

// dsGSA maps the GSA IRA low-embodied-carbon limits. It also returns the
// reference rows left out (TBD limits, products without an activity key).
func dsGSA(rf *refs) (meta, []limitRow, []string, error) {
	gs, err := rf.file("us/gsa_lec_limits.csv")
	if err != nil {
		return meta{}, nil, nil, err
	}
	type keyed struct{ act, slug string }
	conc := map[string]keyed{
		"specified compressive strength f'c 3000 psi": {"material.concrete.fc_3000psi", "fc3000"},
		"specified compressive strength f'c 4000 psi": {"material.concrete.fc_4000psi", "fc4000"},
		"specified compressive strength f'c 5000 psi": {"material.concrete.fc_5000psi", "fc5000"},
		"specified compressive strength f'c 6000 psi": {"material.concrete.fc_6000psi", "fc6000"},
	}
	steel := map[string]struct{ act, slug, fab string }{
		"Rebar (fabricated)":                      {"material.steel.rebar", "rebar-fab", "fabricated"},
		"Rebar (unfabricated)":                    {"material.steel.rebar", "rebar-unfab", "unfabricated"},
		"Hollow structural sections (fabricated)": {"material.steel.hss", "hss-fab", "fabricated"},
		"Hot-rolled sections (fabricated)":        {"material.steel.section", "section-fab", "fabricated"},
		"Hot-rolled sections (unfabricated)":      {"material.steel.section", "section-unfab", "unfabricated"},
	}
	tierSlugs := map[string]string{"Top 20% limit": "top20", "Top 40% limit": "top40",
		"Better than average limit": "avg"}
	units := map[string]string{"m3": "kg/m3", "metric ton": "kg/t"}
	var limits []limitRow
	var skipped []string
	for _, r := range gs.rows() {
		cls, tier := r.get("product_category_or_strength_class"), r.get("tier")
		if r.get("gwp_limit") == "TBD" {
			skipped = append(skipped, cls)
			continue
		}
		unit, err := unitOf(r, "unit_denominator", units)
		if err != nil {
			return meta{}, nil, nil, err
		}
		if err := expect(r, "unit_numerator", "kg CO2e"); err != nil {
			return meta{}, nil, nil, err
		}
		quality := "uncertain"
		if strings.HasPrefix(r.get("source_status"), "primary") {
			quality = "primary"
		}
		var act, idPrefix, tierText string
		switch s, isSteel := steel[cls]; {
		case r.get("material") == "Concrete":
			var k keyed
			switch {
			case strings.HasPrefix(cls, "specified compressive strength f'c >=7200 psi"):
				k = keyed{"material.concrete.fc_7200psi", "fc7200"}
			case strings.HasPrefix(cls, "specified compressive strength f'c <=2499 psi"):
				k = keyed{"material.concrete.fc_2500psi", "fc2500"}
			default:
				var ok bool
				if k, ok = conc[cls]; !ok {
					return meta{}, nil, nil, fmt.Errorf("%s: concrete class %q has no activity key in the mapping", r.where(), short(cls))
				}
			}
			act, idPrefix, tierText = k.act, "gsa-conc-"+k.slug+"-", tier
		case isSteel:
			act, idPrefix, tierText = s.act, "gsa-"+s.slug+"-", fmt.Sprintf("%s (%s)", tier, s.fab)
		case strings.HasPrefix(cls, "Hollow structural sections from electric arc furnaces"):
			act, idPrefix, tierText = "material.steel.hss", "gsa-hss-eaf-unfab-", tier+" (unfabricated, electric arc furnace)"
		case strings.HasPrefix(cls, "Structural steel plate from electric arc furnaces"):
			act, idPrefix, tierText = "material.steel.plate", "gsa-plate-eaf-unfab-", tier+" (unfabricated, electric arc furnace)"
		case r.get("material") == "Flat glass":
			act, idPrefix, tierText = "material.glass.flat", "gsa-glass-", tier+" (interim pilot, May 2023, trade press)"
		default:
			skipped = append(skipped, cls)
			continue
		}
		ts, ok := tierSlugs[tier]
		if !ok {
			return meta{}, nil, nil, fmt.Errorf("%s: tier %q is not one of \"Top 20%% limit\", \"Top 40%% limit\", \"Better than average limit\"", r.where(), short(tier))
		}
		lid := idPrefix + ts
		limits = append(limits, limitRow{lid, r.get("program"), act, tierText, r.get("gwp_limit"), unit, quality,
			fmt.Sprintf("%s: %s", r.get("material"), cls), r.cite()})
	}
	m := meta{
		id: "gsa-lec", version: "2023",
		title:     "GSA Inflation Reduction Act low embodied carbon (LEC) material requirements",
		publisher: "US General Services Administration (GSA)",
		edition:   "IRA LEC material requirements pages (revision date not visible; related FAQ 'Last updated: Dec. 12, 2023'); flat glass: interim pilot values, May 2023",
		url:       "https://gsa.gov/real-estate/gsa-properties/inflation-reduction-act/lec-program-details/material-requirements",
		licence:   "US federal government publication (GSA). The reference README (us/README.md) states no licence terms.",
		quality:   "primary",
		notes: "EPD-reported A1-A3 (cradle-to-gate) GWP limits: Top 20% / Top 40% / Better than average. Concrete per m3 by " +
			"specified compressive strength (<=2499 psi keyed fc_2500psi, >=7200 psi keyed fc_7200psi); GSA footnote: add " +
			"30% where high early strength concrete is required for technical reasons. Steel per metric ton, fabricated " +
			"and unfabricated limits both shipped (tier text says which). HSS unfabricated and plate limits are the " +
			"electric-arc-furnace ones; integrated-mill HSS and plate limits are TBD and not shipped. Cold-formed and " +
			"galvanised steel limits are in the reference file but have no activity key here. Flat glass limits come only " +
			"from trade press (Glass Magazine, May 2023) and are marked uncertain. Asphalt limits were not found.",
	}
	return m, limits, skipped, nil
}

// dsBCCA maps the Buy Clean California Act 2022 limit set.
func dsBCCA(rf *refs) (meta, []limitRow, error) {
	bc, err := rf.file("us/buy_clean_ca_limits.csv")
	if err != nil {
		return meta{}, nil, err
	}
	mapping := map[string]struct{ act, id string }{
		"Hot-rolled structural steel sections": {"material.steel.section", "bcca22-section"},
		"Hollow structural sections":           {"material.steel.hss", "bcca22-hss"},
		"Steel plate":                          {"material.steel.plate", "bcca22-plate"},
		"Concrete reinforcing steel":           {"material.steel.rebar", "bcca22-rebar"},
		"Flat glass":                           {"material.glass.flat", "bcca22-glass"},
	}
	var limits []limitRow
	for _, r := range bc.rows() {
		if !strings.HasPrefix(r.get("limit_set"), "2022") {
			continue
		}
		mp, ok := mapping[r.get("subcategory")]
		if !ok {
			continue // mineral wool board insulation: no activity key
		}
		if err := expect(r, "unit_numerator", "MT CO2 eq."); err != nil {
			return meta{}, nil, err
		}
		if err := expect(r, "unit_denominator", "MT"); err != nil {
			return meta{}, nil, err
		}
		tier, quality := "Maximum acceptable GWP (unfabricated), 2022 set", "primary"
		if strings.Contains(r.get("status"), "superseded") {
			tier += " - superseded from 2025-01-01 (new values not retrieved)"
			quality = "uncertain"
		}
		limits = append(limits, limitRow{mp.id, r.get("program"), mp.act, tier, r.get("maximum_acceptable_gwp"), "t/t",
			quality, fmt.Sprintf("Table 1: GWP limits for eligible materials (%s)", r.get("subcategory")), r.cite()})
	}
	m := meta{
		id: "buy-clean-ca", version: "2022",
		title:     "Buy Clean California Act maximum acceptable GWP limits",
		publisher: "California Department of General Services (DGS)",
		edition:   "2022 limit set (established 2022-01-01, EPD compliance from 2022-07-01)",
		url:       "https://www.dgs.ca.gov/PD/Resources/Page-Content/Procurement-Division-Resources-List-Folder/Buy-Clean-California-Act",
		licence:   "California state government web page. The reference README (us/README.md) states no licence terms.",
		quality:   "primary",
		notes: "Limits in metric tons CO2e per metric ton, unfabricated basis as stated by DGS for the 2022 table. DGS later " +
			"announced updated limits for concrete reinforcing steel (and mineral wool board insulation) effective " +
			"2025-01-01, plus new fabricated limits; the stored page was cut off before the new table, so the rebar row " +
			"(0.89) is superseded from 2025-01-01 and marked uncertain, and the 2025 values are NOT shipped (unverified " +
			"figures seen elsewhere were not used). Sections, HSS, plate and flat glass are presumed still current " +
			"(not confirmed against a 2025 table). Mineral wool board insulation rows are not shipped (no activity key). " +
			"The withdrawn 2021 set is not shipped.",
	}
	return m, limits, nil
}

// dsCLF maps the CLF 2023 North American material baselines.
func dsCLF(rf *refs) (meta, []factorRow, error) {
	cl, err := rf.file("us/industry_average_epds.csv")
	if err != nil {
		return meta{}, nil, err
	}
	mapping := []struct {
		act     string
		product criterion
		unit    string
	}{
		{"material.steel.rebar", is("product", "Rebar - fabricated"), "kg/t"},
		{"material.steel.section", is("product", "Hot-rolled sections - fabricated"), "kg/t"},
		{"material.steel.plate", is("product", "Plate steel - fabricated"), "kg/t"},
		{"material.steel.hss", is("product", "Hollow structural sections (HSS) - fabricated"), "kg/t"},
		{"material.glass.flat", is("product", "Flat glass panes"), "kg/t"},
		{"material.concrete.fc_2500psi", prefix("product", "Ready-mixed concrete, US national, 2500 psi"), "kg/m3"},
		{"material.concrete.fc_3000psi", prefix("product", "Ready-mixed concrete, US national, 3000 psi"), "kg/m3"},
		{"material.concrete.fc_4000psi", prefix("product", "Ready-mixed concrete, US national, 4000 psi"), "kg/m3"},
		{"material.concrete.fc_5000psi", prefix("product", "Ready-mixed concrete, US national, 5000 psi"), "kg/m3"},
		{"material.concrete.fc_6000psi", prefix("product", "Ready-mixed concrete, US national, 6000 psi"), "kg/m3"},
		{"material.concrete.fc_8000psi", prefix("product", "Ready-mixed concrete, US national, 8000 psi"), "kg/m3"},
		{"material.concrete.lw_fc_3000psi", prefix("product", "Ready-mixed concrete, US national, LW 3000 psi"), "kg/m3"},
		{"material.concrete.lw_fc_4000psi", prefix("product", "Ready-mixed concrete, US national, LW 4000 psi"), "kg/m3"},
		{"material.concrete.lw_fc_5000psi", prefix("product", "Ready-mixed concrete, US national, LW 5000 psi"), "kg/m3"},
	}
	var factors []factorRow
	for _, mp := range mapping {
		r, err := cl.find(mp.product)
		if err != nil {
			return meta{}, nil, err
		}
		du := r.get("declared_unit")
		if !(mp.unit == "kg/t" && du == "1 t") && !(mp.unit == "kg/m3" && strings.HasPrefix(du, "1 m3")) {
			return meta{}, nil, fmt.Errorf("%s: declared_unit %q does not fit %s (want \"1 t\" for kg/t, \"1 m3...\" for kg/m3)", r.where(), short(du), mp.unit)
		}
		factors = append(factors, factorRow{"clf23-" + slug(mp.act) + "-us", mp.act, "US", "A1-A3", "CO2e", r.get("value"),
			mp.unit, "", "uncertain", "CLF 2023 North American Material Baselines: " + r.get("product"), r.cite()})
	}
	m := meta{
		id: "clf-baselines", version: "2023",
		title:     "CLF North American Material Baselines",
		publisher: "Carbon Leadership Forum (CLF)",
		edition:   "2023 (April 2023 baseline table; v2 Aug 2023 made no change to the table)",
		url:       "https://carbonleadershipforum.org/clf-material-baselines-2023/",
		licence: "Not stated in the reference README (us/README.md); values read from CLF baseline table files embedded in a " +
			"third-party Rhino plug-in (github.com/CXu0630/WoodchuckCarbonTool @ee5ccd0).",
		quality: "uncertain",
		notes: "CLF baseline values (A1-A3, kg CO2e per declared unit), not the underlying EPDs, read from a third-party " +
			"copy with no header row (column meaning taken from the plug-in code): secondary at best, shipped as uncertain. " +
			"Steel: the FABRICATED baselines are shipped for rebar (CRSI 2022, 854), hot-rolled sections (AISC 2021, 1220), " +
			"plate (AISC 2021, 1730) and HSS (AISC 2021, 1990); the unfabricated rows (753 / 1000 / 1480 / STI 1710) are in " +
			"the reference file but not shipped, one factor per activity. CLF derived the unfabricated values from the " +
			"fabricated EPDs. Flat glass: NGA 2019 industry EPD, 1430 per t. Ready-mix: US 'National' row of the regional " +
			"table by specified strength (2500-8000 psi, lightweight 3000-5000 psi); that table prints no unit, per m3 was " +
			"inferred from the plug-in code. The 2500 psi baseline is keyed fc_2500psi and 8000 psi has its own key " +
			"(fc_8000psi); there is no 7200 psi baseline. The NRMCA EPD10294 per-mix values and the CLF 2025 baselines were " +
			"not read. Cement, aluminium, glulam and mineral wool baselines are in the reference file but have no activity " +
			"key here.",
	}
	return m, factors, nil
}
