package uncertainty

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/shopspring/decimal"
)

// The published intervals: byte-for-byte copies of the IPCC 2006
// Guidelines Vol. 2 tables in ../shared/reference-data/uncertainty/ (see
// its README for provenance; TestPublishedCopiesMatchReference checks the
// copies when the reference folder is present).
//
//go:embed published/*.csv
var publishedFS embed.FS

// Tables maps a table id (as a method file names it) to its file.
func Tables() map[string]string {
	return map[string]string{
		"ipcc2006-v2-table1.2":   "ipcc2006_v2_table1.2_ncv.csv",
		"ipcc2006-v2-table1.4":   "ipcc2006_v2_table1.4_co2.csv",
		"ipcc2006-v2-table2.2":   "ipcc2006_v2_table2.2_energy_industries.csv",
		"ipcc2006-v2-table2.3":   "ipcc2006_v2_table2.3_manufacturing_construction.csv",
		"ipcc2006-v2-table2.4":   "ipcc2006_v2_table2.4_commercial_institutional.csv",
		"ipcc2006-v2-table2.5":   "ipcc2006_v2_table2.5_residential_agriculture.csv",
		"ipcc2006-v2-table3.2.1": "ipcc2006_v2_table3.2.1_road_co2.csv",
		"ipcc2006-v2-table3.2.2": "ipcc2006_v2_table3.2.2_road_ch4_n2o.csv",
	}
}

// Interval is one published default with its 95 % limits, as printed.
type Interval struct {
	Table string `json:"table"`
	// File and Line cite the row: reference-data/uncertainty/File, line
	// Line (the header is line 1).
	File   string `json:"file"`
	Line   int    `json:"line"`
	Row    string `json:"row"`
	Column string `json:"column"`
	// Default, Lower and Upper are the published texts.
	Default string `json:"default"`
	Lower   string `json:"lower"`
	Upper   string `json:"upper"`
	// Unit is the table's unit.
	Unit string `json:"unit"`
}

// Cite is "ipcc2006_v2_table2.2_energy_industries.csv#39 (Natural Gas, CO2)".
func (iv Interval) Cite() string {
	return fmt.Sprintf("%s#%d (%s, %s)", iv.File, iv.Line, iv.Row, iv.Column)
}

// Values parses the three published numbers.
func (iv Interval) Values() (def, lower, upper decimal.Decimal, err error) {
	for i, s := range []string{iv.Default, iv.Lower, iv.Upper} {
		d, perr := decimal.NewFromString(s)
		if perr != nil {
			return def, lower, upper, &Error{Field: iv.Cite(), Reason: fmt.Sprintf("%q is not a number (printed as such; no interval)", s), Kind: ErrNotPublished}
		}
		switch i {
		case 0:
			def = d
		case 1:
			lower = d
		default:
			upper = d
		}
	}
	return def, lower, upper, nil
}

// columns of each table: the column a method names → header names of default, lower, upper.
func tableColumns(file string) (map[string][3]string, string) {
	switch {
	case strings.Contains(file, "table1.2"):
		return map[string][3]string{"NCV": {"NCV (TJ/Gg)", "Lower (TJ/Gg)", "Upper (TJ/Gg)"}}, "TJ/Gg"
	case strings.Contains(file, "table1.4"):
		return map[string][3]string{"CO2": {"Effective CO2 EF default C (kg/TJ)", "Lower (kg/TJ)", "Upper (kg/TJ)"}}, "kg/TJ"
	case strings.Contains(file, "table3.2.1"):
		return map[string][3]string{"CO2": {"Default (kg/TJ)", "Lower", "Upper"}}, "kg/TJ"
	}
	m := map[string][3]string{}
	for _, g := range []string{"CO2", "CH4", "N2O"} {
		m[g] = [3]string{g + " default", g + " lower", g + " upper"}
	}
	return m, "kg/TJ"
}

// LookupInterval returns the published interval of a table's row (the
// first column as printed, e.g. "Natural Gas") and column ("CO2", "CH4",
// "N2O", or "NCV" in Table 1.2).
func LookupInterval(table, row, column string) (Interval, error) {
	file, ok := Tables()[table]
	if !ok {
		return Interval{}, &Error{Field: "table", Reason: fmt.Sprintf("%q is not a published table (%s)", table, strings.Join(tableIDs(), ", ")), Kind: ErrNotPublished}
	}
	cols, unit := tableColumns(file)
	names, ok := cols[column]
	if !ok {
		return Interval{}, &Error{Field: "column", Reason: fmt.Sprintf("table %s has no column %q", table, column), Kind: ErrNotPublished}
	}
	recs, err := readTable(file)
	if err != nil {
		return Interval{}, err
	}
	idx := [3]int{-1, -1, -1}
	for i, h := range recs[0] {
		for k, n := range names {
			if h == n {
				idx[k] = i
			}
		}
	}
	for line, r := range recs[1:] {
		if r[0] == row {
			return Interval{Table: table, File: file, Line: line + 2, Row: row, Column: column, Default: r[idx[0]], Lower: r[idx[1]], Upper: r[idx[2]], Unit: unit}, nil
		}
	}
	return Interval{}, &Error{Field: "row", Reason: fmt.Sprintf("table %s has no row %q (rows are the fuel names as printed)", table, row), Kind: ErrNotPublished}
}

func readTable(file string) ([][]string, error) {
	b, err := fs.ReadFile(publishedFS, path.Join("published", file))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(string(b)))
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 1 {
		return nil, fmt.Errorf("published table %s: %v", file, err)
	}
	return recs, nil
}

func tableIDs() []string {
	var ids []string
	for k := range Tables() {
		ids = append(ids, k)
	}
	sortStrings(ids)
	return ids
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Statement is a published uncertainty stated in text rather than in a
// table: a symmetric relative half-width at a stated coverage.
type Statement struct {
	ID string `json:"id"`
	// HalfWidth is the relative half-width ("0.05" for ±5 %).
	HalfWidth string `json:"half_width"`
	// Coverage is the central interval's probability ("0.95" for 2.5–97.5 %, "0.90" for 5–95 %).
	Coverage string `json:"coverage"`
	Quote    string `json:"quote"`
	Source   string `json:"source"`
}

// Statements are the textual statements the reference data quotes
// verbatim (../shared/reference-data/uncertainty/README.md). GWP ranges
// of AR6 (Table 7.15) are not among them: the README gives them as
// secondary, with an unverified interval definition.
func Statements() []Statement {
	const ch1 = "IPCC 2006 Guidelines Vol. 2 Ch. 1 §1.5.2 (reference-data/uncertainty/README.md, \"What the limits mean\"); limits are 2.5/97.5 percentiles (§1.5.1)"
	const ar5 = "IPCC AR5 WG1 Ch. 8 §8.7.1.4 (reference-data/uncertainty/README.md §3.1, secondary transcription, confidence medium-high); 5 to 95 % range"
	return []Statement{
		{ID: "ipcc2006-activity-fossil", HalfWidth: "0.05", Coverage: "0.95",
			Quote:  "If no further data are available, the recommended default uncertainty range for fossil fuel combustion data should be assumed to be plus or minus 5 percent.",
			Source: ch1},
		{ID: "ipcc2006-activity-biomass", HalfWidth: "0.50", Coverage: "0.95",
			Quote:  "A value of plus or minus 50 percent is recommended.",
			Source: ch1},
		{ID: "ar5-gwp100-ch4", HalfWidth: "0.40", Coverage: "0.90",
			Quote:  "For CH4 GWP we estimate an uncertainty of ±30% and ±40% for 20and 100-year time horizons, respectively (for 5 to 95% uncertainty range).",
			Source: ar5},
		{ID: "ar5-gwp100-century", HalfWidth: "0.30", Coverage: "0.90",
			Quote:  "For gases with lifetimes of a century or more the uncertainties are of the order of ±20% and ±30% for 20and 100-year horizons.",
			Source: ar5},
	}
}

// LookupStatement returns a statement by id.
func LookupStatement(id string) (Statement, error) {
	for _, s := range Statements() {
		if s.ID == id {
			return s, nil
		}
	}
	var ids []string
	for _, s := range Statements() {
		ids = append(ids, s.ID)
	}
	return Statement{}, &Error{Field: "statement", Reason: fmt.Sprintf("%q is not a published statement (%s)", id, strings.Join(ids, ", ")), Kind: ErrNotPublished}
}

// ZFor returns the standard normal half-width of a central coverage
// ("0.95" → Z95, "0.90"/"0.9" → Z90).
func ZFor(coverage string) (float64, error) {
	switch coverage {
	case "0.95":
		return Z95, nil
	case "0.90", "0.9":
		return Z90, nil
	}
	return 0, invalid("coverage", "%q: use 0.95 or 0.90", coverage)
}

// FitInterval fits the lognormal of an interval (FitLognormal at Z95) for
// the multiplier of the exact value used (which may differ from the
// published default only by a unit conversion: pass ratio = used/default,
// 1 when the same).
func FitInterval(iv Interval) (Distribution, error) {
	def, lo, up, err := iv.Values()
	if err != nil {
		return Distribution{}, err
	}
	return FitLognormal(def.InexactFloat64(), lo.InexactFloat64(), up.InexactFloat64(), Z95)
}

// FitStatement is the normal multiplier of a statement (NormalHalfWidth).
func FitStatement(s Statement) (Distribution, error) {
	hw, err := decimal.NewFromString(s.HalfWidth)
	if err != nil {
		return Distribution{}, invalid("half_width", "%q", s.HalfWidth)
	}
	z, err := ZFor(s.Coverage)
	if err != nil {
		return Distribution{}, err
	}
	return NormalHalfWidth(hw.InexactFloat64(), z)
}
