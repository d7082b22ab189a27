package main

import (
	"fmt"
	"strings"
)

// dsIPCC2006 maps the 2006 IPCC Guidelines' default stationary combustion
// factors (energy industries) and NCVs, from the EFDB export.
func dsIPCC2006(rf *refs) (meta, []factorRow, []heatRow, error) {
	ip, err := rf.file("eu/ipcc2006_stationary.csv")
	if err != nil {
		return meta{}, nil, nil, err
	}
	fuelRows := []struct{ act, fuel string }{
		{"fuel.natural_gas", "Natural Gas"},
		{"fuel.diesel", `Gas/Diesel Oil (EFDB fuel "Diesel Oil")`},
		{"fuel.residual_oil", "Residual Fuel Oil"},
		{"fuel.lpg", "Liquefied Petroleum Gases"},
		{"fuel.gasoline", "Motor Gasoline"},
		{"fuel.kerosene", "Other Kerosene"},
		{"fuel.coal.bituminous", "Other Bituminous Coal"},
		{"fuel.coal.sub_bituminous", "Sub-Bituminous Coal"},
		{"fuel.lignite", "Lignite"},
		{"fuel.wood", "Wood/Wood Waste"},
	}
	var factors []factorRow
	var heat []heatRow
	for _, fu := range fuelRows {
		r, err := ip.find(is("fuel_ipcc2006", fu.fuel))
		if err != nil {
			return meta{}, nil, nil, err
		}
		co2, ch4 := "CO2", "CH4_fossil"
		if fu.act == "fuel.wood" {
			co2, ch4 = "CO2_biogenic", "CH4_biogenic"
		}
		fid := "ipcc06-" + slug(fu.act) + "-glo"
		table := fmt.Sprintf("Vol. 2 Table 2.2 (CO2 Tables 1.4/2.2), energy industries (%s)", fu.fuel)
		for _, g := range []struct{ gas, col, unitCol, want string }{
			{co2, "co2_ef", "co2_ef_unit", "kg CO2/TJ"},
			{ch4, "ch4_ef", "ch4_ef_unit", "kg CH4/TJ"},
			{"N2O", "n2o_ef", "n2o_ef_unit", "kg N2O/TJ"},
		} {
			if err := expect(r, g.unitCol, g.want); err != nil {
				return meta{}, nil, nil, err
			}
			factors = append(factors, factorRow{fid, fu.act, "GLO", "combustion", g.gas, r.get(g.col),
				"kg/TJ", "NCV", "primary", table, r.cite()})
		}
		if err := expect(r, "ncv_unit", "TJ/Gg"); err != nil {
			return meta{}, nil, nil, err
		}
		heat = append(heat, heatRow{fu.act, r.get("ncv"), "TJ/Gg", "NCV", "primary",
			fmt.Sprintf("Vol. 2 Table 1.2 default NCV (%s)", fu.fuel), r.cite()})
	}
	m := meta{
		id: "ipcc-2006", version: "2006",
		title:     "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy: default stationary combustion emission factors and NCVs",
		publisher: "IPCC (Task Force on National Greenhouse Gas Inventories)",
		edition:   "2006 Guidelines, Tables 1.2, 1.4 and 2.2 (Tier 1 defaults, energy industries), via the IPCC EFDB export accessed 2023-09-05",
		url:       "https://www.ipcc-nggip.iges.or.jp/EFDB/",
		licence: "RESTRICTED: the IPCC EFDB copyright note in the export restricts redistribution and derivative compilations " +
			"to personal, non-commercial use (eu/README.md: check this before shipping the table in a product).",
		quality: "primary",
		notes: "Licence caveat: the IPCC EFDB copyright note restricts redistribution and derivative compilations to personal, " +
			"non-commercial use - confirm permission before shipping this dataset in a commercial product. Factors in kg/TJ " +
			"on an NCV basis; CO2 assumes oxidation factor 1. Diesel uses the EFDB 'Diesel Oil' row (Table 2.2 has one " +
			"'Gas/Diesel Oil' row; EFDB 'Gas Oil' is identical). Kerosene = Other Kerosene; bituminous coal = Other " +
			"Bituminous Coal. Wood/Wood Waste: CO2 booked as CO2_biogenic and CH4 as CH4_biogenic. Heat contents are the " +
			"default NCVs in TJ/Gg (Table 1.2). EU ETS MRR Annex VI Table 1 defaults were not found.",
	}
	return m, factors, heat, nil
}

// dsEEA maps the EEA's 2021 GHG intensity of electricity generation per
// member state and the EU27.
func dsEEA(rf *refs) (meta, []factorRow, error) {
	ee, err := rf.file("eu/electricity_eea_v12.csv")
	if err != nil {
		return meta{}, nil, err
	}
	var factors []factorRow
	for _, r := range ee.rows() {
		if r.get("year") != "2021" {
			continue
		}
		region, err := eeaRegion(r)
		if err != nil {
			return meta{}, nil, err
		}
		if u := r.get("unit"); !strings.HasPrefix(u, "g CO2e per kWh") {
			return meta{}, nil, fmt.Errorf("%s: unit %q, expected one starting with \"g CO2e per kWh\"", r.where(), short(u))
		}
		factors = append(factors, factorRow{"eea12-" + slug(region), "electricity.grid", region, "electricity", "CO2e",
			r.get("value"), "g/kWh", "", "secondary",
			fmt.Sprintf("GHG emission intensity of electricity generation, 2021 (%s)", r.get("geo_name_as_printed")), r.cite()})
	}
	m := meta{
		id: "eea-electricity", version: "v12",
		title:     "Greenhouse gas emission intensity of electricity generation",
		publisher: "European Environment Agency (EEA)",
		edition:   "dataset version 12 (co2-emission-intensity-12), year 2021",
		url:       "https://www.eea.europa.eu/data-and-maps/daviz/co2-emission-intensity-12",
		licence:   "Not stated in the reference README (eu/README.md); EEA data, read from a third-party copy of the EEA SPARQL JSON export.",
		quality:   "secondary",
		notes: "Year 2021 (latest in this version; whether final or a proxy estimate is not stated). Unit g CO2e/kWh is the " +
			"indicator's unit; the JSON export carries no unit. Generation-based national averages; direct vs life-cycle " +
			"scope not stated. Third-party copy (github.com/Maximilian-R/co2-web-awareness @7fc362b). EEA revised the series " +
			"between versions: do not mix versions. 2020 values are in the reference file but not shipped.",
	}
	return m, factors, nil
}

// dsOekobaudat maps ÖKOBAUDAT OBD_2020_II materials (A1-A3) and freight (A4).
func dsOekobaudat(rf *refs) (meta, []factorRow, error) {
	mo, err := rf.file("eu/materials_oekobaudat.csv")
	if err != nil {
		return meta{}, nil, err
	}
	fo, err := rf.file("eu/freight_oekobaudat.csv")
	if err != nil {
		return meta{}, nil, err
	}
	regionOf := map[string]string{"DE": "DE", "EU-27": "EU27", "RER": "EU27"}
	regionFor := func(r refRow) (string, error) {
		return mapped(r, "country_code", "country code", regionOf)
	}
	mat := []struct {
		act  string
		name criterion
	}{
		{"material.steel.rebar", is("dataset_name_de", "Bewehrungsstahl")},
		{"material.steel.section", is("dataset_name_de", "Stahlprofil")},
		{"material.steel.plate", prefix("dataset_name_de", "Baustähle: Offene Walzprofile und Grobbleche")},
		{"material.concrete.c20_25", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 20/25")},
		{"material.concrete.c25_30", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 25/30")},
		{"material.concrete.c30_37", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 30/37")},
		{"material.concrete.c35_45", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 35/45")},
		{"material.concrete.c45_55", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 45/55")},
		{"material.concrete.c50_60", is("dataset_name_de", "Beton der Druckfestigkeitsklasse C 50/60")},
		{"material.concrete.ready_mix", is("dataset_name_de", "Transportbeton C30/37")},
		{"material.glass.flat", prefix("dataset_name_de", "Glas - Bundesverband Flachglas")},
	}
	declaredUnits := map[string]string{"1 kg": "kg/kg", "1000 kg": "kg/t", "1 m3": "kg/m3", "1 m2": "kg/m2"}
	var factors []factorRow
	for _, mp := range mat {
		r, err := mo.find(mp.name, is("database_release", "OBD_2020_II"))
		if err != nil {
			return meta{}, nil, err
		}
		// value_unit reads like "kg CO2e (1 m3)": the declared unit is in
		// the parentheses.
		vu := r.get("value_unit")
		parts := strings.Split(vu, "(")
		if len(parts) < 2 {
			return meta{}, nil, fmt.Errorf("%s: value_unit %q has no declared unit in parentheses, e.g. \"kg CO2e (1 m3)\"", r.where(), short(vu))
		}
		du := strings.TrimRight(parts[1], ")")
		unit, ok := declaredUnits[du]
		if !ok {
			return meta{}, nil, fmt.Errorf("%s: declared unit %q (in value_unit) is not one of \"1 kg\", \"1000 kg\", \"1 m3\", \"1 m2\"", r.where(), short(du))
		}
		region, err := regionFor(r)
		if err != nil {
			return meta{}, nil, err
		}
		factors = append(factors, factorRow{"obd20-" + slug(mp.act) + "-" + slug(region), mp.act, region, "A1-A3", "CO2e",
			r.get("value"), unit, "", "secondary",
			fmt.Sprintf("ÖKOBAUDAT OBD_2020_II %s (%s, %s)", r.get("dataset_name_de"), r.get("dataset_type"), r.get("oekobaudat_process_uuid")),
			r.cite()})
	}
	for _, fm := range []struct{ act, name string }{
		{"freight.road", "LKW-Zug"},
		{"freight.rail", "Bahntransport"},
		{"freight.inland_waterway", "Binnenschiff (Berg-Tal Durchschnitt)"},
		{"freight.sea", "Containerschiff"},
	} {
		r, err := fo.find(is("dataset_name_de", fm.name))
		if err != nil {
			return meta{}, nil, err
		}
		if err := expect(r, "unit", "kg CO2e per 1000 kg*km (= per tonne-km)"); err != nil {
			return meta{}, nil, err
		}
		region, err := regionFor(r)
		if err != nil {
			return meta{}, nil, err
		}
		factors = append(factors, factorRow{"obd20-" + slug(fm.act) + "-" + slug(region), fm.act, region, "transport", "CO2e",
			r.get("value"), "kg/t.km", "", "secondary",
			fmt.Sprintf("ÖKOBAUDAT OBD_2020_II %s (module A4, %s)", fm.name, r.get("oekobaudat_process_uuid")), r.cite()})
	}
	m := meta{
		id: "oekobaudat", version: "2020-II",
		title:     "ÖKOBAUDAT (German building-product LCA database), release OBD_2020_II",
		publisher: "German Federal Institute for Research on Building, Urban Affairs and Spatial Development (BBSR)",
		edition:   "OBD_2020_II, EN 15804+A1 indicator GWP, module A1-A3 (materials) and A4 (transport)",
		url:       "https://www.oekobaudat.de/",
		licence: "Not stated in the reference README (eu/README.md); values read from the full ÖKOBAUDAT CSV export " +
			"redistributed by BBSR/N3XTCODER (github.com/n3xtcoder/ai4impact-bbsr @beabaaa).",
		quality: "secondary",
		notes: "EN 15804+A1 GWP (not A2 GWP-total); most datasets expired 2022/2023 (valid_until). Rebar = generic " +
			"'Bewehrungsstahl' (English name 'Reinforcement steel wire', per kg). Section = generic 'Stahlprofil' (per kg). " +
			"Plate = bauforumstahl industry-average EPD 'Baustähle: Offene Walzprofile und Grobbleche' (1125 kg CO2e per " +
			"1000 kg, EU-27, ref. year 2018, valid to 2023), which covers sections AND heavy plate together; no clean " +
			"uncoated plate dataset exists in ÖKOBAUDAT (the 'Stahl warmgewalzte Bleche' row is galvanised sheet and is not " +
			"used). No HSS dataset. Concrete classes C20/25-C50/60 = InformationsZentrum Beton (IZB) industry-average EPDs " +
			"per m3 (C40/50 not available). ready_mix = generic thinkstep 'Transportbeton C30/37'; the " +
			"generic C20/25 row is not shipped; generic and IZB values differ by about 13-30 percent. Flat glass = " +
			"Bundesverband Flachglas representative dataset, per m2 of 4 mm float glass (10 kg/m2), country RER mapped to " +
			"EU27; the single-manufacturer Guardian dataset is not used. Freight (A4, per tonne-km): truck-trailer " +
			"(LKW-Zug), rail, inland barge (upstream/downstream average), container ship; energy basis (TTW/WTW), payload " +
			"and load factor not stated in the export. Regions: DE for German generic data, EU27 for the EU-27/RER datasets.",
	}
	return m, factors, nil
}
