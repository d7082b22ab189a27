package main

import (
	"fmt"
	"strings"
)

// hvRow is one row of a dataset's hv_ratios.csv: a fuel's pair of published
// factors per kWh on a gross-CV and on a net-CV basis, from which a method
// derives its HHV↔NCV ratio (their quotient; nothing is divided here).
type hvRow struct {
	ratioID, fuel, grossValue, grossFactorID, netValue, netFactorID, unit, quality, table, source string
}

var hvHeader = []string{"ratio_id", "fuel", "gross_cv_value", "gross_cv_factor_id", "net_cv_value",
	"net_cv_factor_id", "unit", "quality", "table", "source"}

func (r hvRow) fields() []string {
	return []string{r.ratioID, r.fuel, r.grossValue, r.grossFactorID, r.netValue,
		r.netFactorID, r.unit, r.quality, r.table, r.source}
}

// dsDESNZ2023 maps the UK government's 2023 conversion factors, kg CO2 per
// kWh of a fuel on a gross-CV and on a net-CV basis, as heating-value
// ratio rows. Every row of the reference file is shipped; which row serves
// which activity is a method's choice, written in the method file.
func dsDESNZ2023(rf *refs) (meta, []hvRow, error) {
	hv, err := rf.file("eu/heating_value_ratios_desnz2023.csv")
	if err != nil {
		return meta{}, nil, err
	}
	var rows []hvRow
	for _, r := range hv.rows() {
		fuel := r.get("fuel_as_printed")
		rows = append(rows, hvRow{hvRowID(fuel), fuel, r.get("kg_co2_per_kwh_gross_cv"), r.get("gross_cv_factor_id"),
			r.get("kg_co2_per_kwh_net_cv"), r.get("net_cv_factor_id"), "kg/kWh", "secondary",
			fmt.Sprintf("Scope 1 Fuels, %s, %s: kg CO2 per kWh (Gross CV) and per kWh (Net CV)", r.get("desnz_level_2"), fuel),
			r.cite()})
	}
	m := meta{
		id: "desnz-ghg", version: "2023",
		title:     "UK Government greenhouse gas conversion factors for company reporting: paired gross-CV and net-CV fuel factors",
		publisher: "UK Department for Energy Security and Net Zero (DESNZ)",
		edition:   "2023 v1.1 (published 20/06/2023), flat file, Scope 1 Fuels, kg CO2 per kWh (Gross CV) and per kWh (Net CV)",
		url:       "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2023",
		licence:   "Open Government Licence v3.0 (OGL v3.0), as the reference file states; read in the third-party copy github.com/filcuk/ghg_conversion_factors @407ca72.",
		quality:   "secondary",
		notes: "Heating-value ratios only: per fuel, the same kg CO2 per unit of fuel divided by its gross and by its net " +
			"calorific value, so gross_cv_value / net_cv_value = NCV/GCV. A method computes that quotient itself (one " +
			"division at its division_places); no ratio is stored. Both factors are printed to 5 significant figures, so a " +
			"ratio is good to about 1e-4. No ratio for lignite, sub-bituminous coal, wood or peat is published here. " +
			"Third-party copy of the official flat file (the workbook itself was not read).",
	}
	return m, rows, nil
}

// hvRowID is a stable id for a DESNZ fuel name: lower case, words joined by
// dashes, the "(100% mineral ...)" qualifier dropped.
func hvRowID(fuel string) string {
	s := strings.ToLower(fuel)
	if i := strings.Index(s, " (100%"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// dsDESNZ2025 maps the UK government's 2025 freight factors per tonne-km,
// tank-to-wheel ("Freighting goods") rows only: road (all HGVs, average
// laden), rail freight and the average container ship, for region GB.
//
// Why TTW only: the well-to-tank rows are a separate category that must be
// added to a TTW row, and the factor model holds one value per gas per
// factor; the US methods' own freight (EPA Hub Table 8) is TTW too, so the
// two are like for like. Why average laden: it is the fleet average that
// the other datasets' freight rows also are.
func dsDESNZ2025(rf *refs) (meta, []factorRow, error) {
	fr, err := rf.file("eu/freight_desnz2025.csv")
	if err != nil {
		return meta{}, nil, err
	}
	var factors []factorRow
	for _, fm := range []struct{ act, segment, load string }{
		{"freight.road", "HGV (all diesel), All HGVs", "Average laden"},
		{"freight.rail", "Rail, Freight train", ""},
		{"freight.sea", "Cargo ship, Container ship, Average", "Average"},
	} {
		r, err := fr.find(is("vehicle_or_segment", fm.segment), is("load_or_variant_as_printed", fm.load), is("desnz_level_1", "Freighting goods"))
		if err != nil {
			return meta{}, nil, err
		}
		if err := expect(r, "unit", "kg CO2e per tonne.km"); err != nil {
			return meta{}, nil, err
		}
		label := fm.segment
		if fm.load != "" && !strings.HasSuffix(label, fm.load) {
			label += ", " + fm.load
		}
		factors = append(factors, factorRow{"desnz25-" + slug(fm.act) + "-gb", fm.act, "GB", "transport", "CO2e",
			r.get("value"), "kg/t.km", "", "secondary",
			fmt.Sprintf("Freighting goods, %s, tank-to-wheel (factor %s)", label, r.get("desnz_factor_id")), r.cite()})
	}
	m := meta{
		id: "desnz-ghg", version: "2025",
		title:     "UK Government greenhouse gas conversion factors for company reporting: freight per tonne-km",
		publisher: "UK Department for Energy Security and Net Zero (DESNZ)",
		edition:   "2025, flat file, category Freighting goods (tank-to-wheel)",
		url:       "https://www.gov.uk/government/collections/government-conversion-factors-for-company-reporting",
		licence:   "UK government data (Open Government Licence v3.0 applies to the DESNZ conversion factors); read in the third-party copy github.com/scope3emissiontest-oss/JulesProject @0c3571d.",
		quality:   "secondary",
		notes: "Tank-to-wheel rows only (category Freighting goods); the well-to-tank rows (WTT- delivery vehs & freight) are " +
			"in the reference file but not shipped, so a well-to-wheel total is NOT what these factors give. Road = HGV " +
			"(all diesel), all HGVs, average laden; rail = freight train; sea = container ship, average. UK fleet data, " +
			"region GB: not an EU source. The GWP set behind kg CO2e was not checked (factors are CO2e only). Air freight " +
			"rows (with and without radiative forcing) and van rows are in the reference file but not shipped.",
	}
	return m, factors, nil
}
