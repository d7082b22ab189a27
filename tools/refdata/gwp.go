package main

import (
	"fmt"
	"strings"
)

// gasFromEU strips eu/gwp.csv's alias: "CF4 (PFC-14)" -> "CF4".
func gasFromEU(name string) string {
	g, _, _ := strings.Cut(name, " (")
	return g
}

// usGasNames maps us/gwp.csv's gas names to FORMAT.md gas codes; other names
// (HFC-134a, ...) are codes already.
var usGasNames = map[string]string{
	"Carbon dioxide": "CO2", "Methane": "CH4", "Nitrous oxide": "N2O",
	"Sulfur hexafluoride": "SF6", "Nitrogen trifluoride": "NF3",
}

// gasFromUS is the gas code of a us/gwp.csv row: the chemical formula for
// PFCs (PFC-14 -> CF4), else the mapped or verbatim name.
func gasFromUS(r refRow) string {
	g := r.get("gas")
	if strings.HasPrefix(g, "PFC-") {
		return r.get("chemical_formula")
	}
	if c, ok := usGasNames[g]; ok {
		return c
	}
	return g
}

// buildGWP lists the GWP-100 values of the four sets (see gwpSets' notes
// for where each comes from). notef receives what was left out and why.
func buildGWP(rf *refs, notef func(string, ...any)) ([]gwpRow, error) {
	us, err := rf.file("us/gwp.csv")
	if err != nil {
		return nil, err
	}
	eu, err := rf.file("eu/gwp.csv")
	if err != nil {
		return nil, err
	}
	var out []gwpRow

	// AR5: EPA GHG Emission Factors Hub 2025, Table 11 (primary).
	ar5 := map[string]string{}
	for _, r := range us.rows() {
		if r.get("document") != "EPA GHG Emission Factors Hub 2025 Table 11" {
			continue
		}
		g := gasFromUS(r)
		ar5[g] = r.get("gwp_100yr")
		out = append(out, gwpRow{"AR5", g, r.get("gwp_100yr"), "primary",
			"EPA GHG Emission Factors Hub 2025 Table 11 (IPCC AR5 Table 8.A.1)", r.cite()})
	}
	// eu AR5 rows for gases the Hub lacks (none expected).
	for _, r := range eu.rows() {
		g := gasFromEU(r.get("gas"))
		if _, have := ar5[g]; r.get("framework") != "IPCC AR5" || have {
			continue
		}
		out = append(out, gwpRow{"AR5", g, r.get("gwp100_value"), "secondary", r.get("source_table"), r.cite()})
		ar5[g] = r.get("gwp100_value")
	}

	// AR4: eu openclimatedata AR4 column first; then 40 CFR 98 Table A-1
	// (pre-2024 amendment, "AR4 mostly") for gases eu lacks, skipping any
	// value that equals the Hub's AR5 value for that gas (those would be AR5
	// fill-ins).
	ar4 := map[string]string{}
	for _, r := range eu.rows() {
		if r.get("framework") != "IPCC AR4" {
			continue
		}
		g := gasFromEU(r.get("gas"))
		ar4[g] = r.get("gwp100_value")
		out = append(out, gwpRow{"AR4", g, r.get("gwp100_value"), "secondary",
			"IPCC AR4 WG1 (2007) GWP-100 via GHG Protocol table (openclimatedata AR4GWP100)", r.cite()})
	}
	for _, r := range us.rows() {
		if !strings.HasPrefix(r.get("document"), "40 CFR Part 98 Table A-1 (pre-2025") {
			continue
		}
		g, v := gasFromUS(r), r.get("gwp_100yr")
		if prev, ok := ar4[g]; ok {
			if prev != v {
				return nil, fmt.Errorf("%s: AR4 GWP of %s is %q, but eu/gwp.csv gives %q; resolve the disagreement in the reference data", r.where(), g, short(v), short(prev))
			}
			continue
		}
		if a, ok := ar5[g]; ok && a == v && g != "CO2" {
			notef("AR4: skipping %s (equals AR5 value)", g)
			continue
		}
		ar4[g] = v
		out = append(out, gwpRow{"AR4", g, v, "secondary",
			"40 CFR Part 98 Table A-1 (version before 89 FR 31894; mostly IPCC AR4)", r.cite()})
	}

	// AR6: Table 7.SM.7 rows; CH4 split from ecoinvent's IPCC 2021 method.
	conflicts := set("SF6", "HFC-134a")
	for _, r := range eu.rows() {
		if r.get("framework") != "IPCC AR6" || r.get("source_table") != "Table 7.SM.7" {
			continue
		}
		g := gasFromEU(r.get("gas"))
		q := "primary"
		if conflicts[g] {
			q = "uncertain"
		}
		out = append(out, gwpRow{"AR6", g, r.get("gwp100_value"), q, "IPCC AR6 WG1 Table 7.SM.7", r.cite()})
	}
	for _, ch4 := range []struct{ gas, detail string }{
		{"CH4_fossil", "fossil (CH4-fossil)"},
		{"CH4_biogenic", "non-fossil (CH4-non fossil)"},
	} {
		r, err := eu.find(prefix("framework", "IPCC AR6 (as implemented"), is("gas", "CH4"), is("gas_detail", ch4.detail))
		if err != nil {
			return nil, err
		}
		out = append(out, gwpRow{"AR6", ch4.gas, r.get("gwp100_value"), "secondary",
			"IPCC AR6 WG1 Table 7.15 as implemented in ecoinvent IPCC 2021", r.cite()})
	}

	// EF 3.1 (ecoinvent mapping of the JRC file).
	ef := prefix("framework", "EU Environmental Footprint EF 3.1")
	for _, e := range []struct {
		gas  string
		crit []criterion
	}{
		{"CO2", []criterion{is("gas", "CO2"), is("gas_detail", "carbon dioxide (fossil)")}},
		{"CO2_biogenic", []criterion{is("gas", "CO2"), prefix("gas_detail", "carbon dioxide (biogenic) emission")}},
		{"CH4_fossil", []criterion{is("gas", "CH4"), is("gas_detail", "methane (fossil)")}},
		{"CH4_biogenic", []criterion{is("gas", "CH4"), prefix("gas_detail", "methane (biogenic)")}},
		{"N2O", []criterion{is("gas", "N2O")}},
		{"SF6", []criterion{is("gas", "SF6")}},
		{"HFC-134a", []criterion{is("gas", "HFC-134a")}},
		{"HFC-32", []criterion{is("gas", "HFC-32")}},
	} {
		r, err := eu.find(append([]criterion{ef}, e.crit...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, gwpRow{"EF3.1", e.gas, r.get("gwp100_value"), "secondary",
			"EF 3.1 Climate change (ecoinvent mapping of JRC EF-LCIAMethod_CF(EF-v3.1))", r.cite()})
	}
	return out, nil
}

// gwpSets describes the four GWP sets (gwp_sets.csv).
var gwpSets = []gwpSet{
	{set: "AR4", title: "IPCC Fourth Assessment Report, GWP-100",
		publisher: "IPCC", edition: "AR4 WG1 (2007)", quality: "secondary",
		note: "CH4, N2O, SF6, CF4, C2F6 from the openclimatedata copy of the GHG Protocol AR4 table (eu/gwp.csv, trust B); " +
			"CO2, NF3 and HFCs from 40 CFR 98 Table A-1 as it stood before the 89 FR 31894 (Apr. 2024) amendment " +
			"(third-party copies ecfr.io/govregs.com), which EPA describes as mostly AR4 with AR5 values for some " +
			"F-gases lacking an AR4 value; every Table A-1 value used differs from the AR5 value, and the five gases " +
			"present in both sources agree. No CH4 fossil/biogenic split and no CO2_biogenic entry in the sources."},
	{set: "AR5", title: "IPCC Fifth Assessment Report, GWP-100 (without climate-carbon feedback)",
		publisher: "IPCC (as reproduced by US EPA GHG Emission Factors Hub 2025, Table 11)",
		edition:   "AR5 WG1 (2013) Ch. 8 Table 8.A.1", quality: "primary",
		note: "All values from EPA Hub 2025 Table 11 (primary); the eu/gwp.csv AR5 rows (openclimatedata) agree and add no gas. " +
			"Used by the EPA Hub 2025 and the amended 40 CFR 98 Table A-1. Refrigerant blends (Hub Table 12) are not shipped. " +
			"No CH4 fossil/biogenic split and no CO2_biogenic entry in the sources."},
	{set: "AR6", title: "IPCC Sixth Assessment Report, GWP-100",
		publisher: "IPCC", edition: "AR6 WG1 (2021) Ch. 7 Table 7.SM.7", quality: "primary",
		note: "Single-gas values from Table 7.SM.7 (IPCC WG1 data repository). CH4_fossil 29.8 and CH4_biogenic 27.0 from " +
			"ecoinvent's 'IPCC 2021' method file (secondary; said to match Table 7.15, which was not read); CH4 = 27.9 is the " +
			"7.SM.7 single value. Unresolved conflicts kept as 7.SM.7 and marked uncertain: SF6 25200 (ecoinvent IPCC 2021 and " +
			"EF 3.1 give 24300) and HFC-134a 1530 (ecoinvent/EF 3.1 give 1526, probably the more precise Table 7.15 value). " +
			"No CO2_biogenic entry in the source."},
	{set: "EF3.1", title: "EU Environmental Footprint 3.1, Climate change (total)",
		publisher: "European Commission JRC (as mapped by ecoinvent/lcia 3.12)",
		edition:   "EF 3.1", quality: "secondary",
		note: "Read from ecoinvent's mapping of the JRC file EF-LCIAMethod_CF(EF-v3.1).xlsx (the JRC file itself was not opened). " +
			"Biogenic CO2 emissions and uptake have CF 0 (CO2_biogenic = 0). CH4_biogenic counts in the sub-indicator " +
			"'Climate change - biogenic'. Land-use-change CO2 (+1/-1) and CH4 rows are not shipped. SF6 24300 and HFC-134a 1526 " +
			"differ from AR6 Table 7.SM.7 (25200, 1530); no NF3 value in the source."},
}
