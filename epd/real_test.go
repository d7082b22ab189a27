package epd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// realWant is what a published EPD declares (epd/testdata/real/README.md):
// every value is the published text, compared as an exact decimal.
type realWant struct {
	id, reg, operator, standard string
	conforms                    []string // ConformsTo: every standard the document declares, in its order
	evidence                    string   // StandardEvidence contains this ("" for none)
	// valid is the last day of validity: the year's 31 December when the
	// document gives a year only (ILCD's dataSetValidUntil), else the date
	// read from validField (openEPD/EC3: date_validity_ends).
	valid, validField     string
	manufacturer, plant   string // checked when given
	amount, unit, density string
	results               [][4]string // indicator, module, published value, unit
	nResults              int
	notes                 []string
}

const (
	a1Evidence = `its compliance reference b00f9ec0-7874-11e3-981f-0800200c9a66 is the EN 15804+A1 source data set of the ILCD+EPD common references (its label reads "DIN EN 15804")`
	ibu        = "Institut Bauen und Umwelt e. V."
	environdec = "The International EPD System"
)

var realWants = map[string]realWant{
	"ibu-aluminium-profile": {
		id: "0cb92770-9007-48c6-bc03-466af8894419", reg: "EPD-HFE-20220036-IBA1-DE", operator: ibu, standard: "EN 15804+A2",
		conforms: []string{"EN 15804+A2", "ISO 14025"},
		valid:    "2027-12-31", amount: "1", unit: "kg", density: "2700.0",
		results: [][4]string{
			{"GWP-total", "A1-A3", "1.93153238620983", "kg CO_(2)-Äq."},
			{"GWP-fossil", "A1-A3", "1.92391998776014", "kg CO_(2)-Äq."},
			{"GWP-biogenic", "A1-A3", "0.0061915140858077", "kg CO_(2)-Äq."},
			{"GWP-luluc", "A1-A3", "0.00142088436388714", "kg CO_(2)-Äq."},
			{"GWP-biogenic", "C2", "-3.56121612494432E-06", "kg CO_(2)-Äq."},
			{"GWP-total", "D", "-0.300629273288693", "kg CO_(2)-Äq."},
		},
		nResults: 24,
	},
	"ibu-cement-foam": {
		id: "0b4c397d-c7a1-4ceb-9718-184334f6364e", reg: "EPD-MDS-20210038-CBA1-EN", operator: ibu, standard: "EN 15804+A1", evidence: a1Evidence,
		conforms: []string{"EN 15804+A1", "ISO 14025"},
		valid:    "2026-12-31", amount: "1", unit: "m3", density: "76.02",
		results: [][4]string{
			{"GWP", "A1-A3", "45.59", "kg CO_(2)-Äq."},
			{"GWP", "B1", "-1.46", "kg CO_(2)-Äq."},
			{"GWP", "C3 (S1)", "0.164", "kg CO_(2)-Äq."},
			{"GWP", "D (S1)", "-32.39", "kg CO_(2)-Äq."},
			{"GWP", "D (S2)", "-2.718", "kg CO_(2)-Äq."},
		},
		nResults: 9,
	},
	"ibu-concrete-c20-25": {
		id: "335241f9-db84-486c-9a19-cd5ebb791903", reg: "IBU-CEI-HOL-2205120-DE2023000499-1SUG001-DE", operator: "Institut Bauen und Umwelt e.V.", standard: "EN 15804+A2",
		conforms: []string{"ISO 14025", "EN 15804+A2"},
		valid:    "2028-12-31", amount: "1.0", unit: "m3", density: "2297.0",
		results: [][4]string{
			{"GWP-total", "A1-A3", "146.75360187405067", "kg CO_(2) eqv."},
			{"GWP-fossil", "A1-A3", "146.6440631142674", "kg CO_(2) eqv."},
			{"GWP-biogenic", "A1-A3", "0.15050451930391834", "kg CO_(2) eqv."},
			{"GWP-luluc", "A1-A3", "0.08095450976931733", "kg CO_(2) eqv."},
			{"GWP-biogenic", "C4", "-0", "kg CO_(2) eqv."},
			{"GWP-total", "D", "-9.48661", "kg CO_(2) eqv."},
		},
		nResults: 36,
	},
	"epd-norway-precast-wall": {
		id: "503dfca1-7c65-4179-9ffa-ebc6d8b48b7d", reg: "NEPD-6213-5470-DK", operator: "EPD Norway", standard: "EN 15804+A2",
		conforms: []string{"EN 15804+A2", "ISO 14025", "ISO 21930"},
		valid:    "2029-12-31", amount: "1000", unit: "kg",
		results: [][4]string{
			{"GWP-total", "A1", "158.777466419796", "kg CO2 eqv."},
			{"GWP-total", "A2", "10.820329223073", "kg CO2 eqv."},
			{"GWP-total", "A3", "9.539741034189", "kg CO2 eqv."},
			// A1-A3 is not published: the reader sums A1 + A2 + A3.
			{"GWP-total", "A1-A3", "179.137536677058", "kg CO2 eqv."},
			{"GWP-fossil", "A1", "157.764390304805", "kg CO2 eqv."},
			{"GWP-biogenic", "A3", "-0.304008178143", "kg CO2 eqv."},
			{"GWP-luluc", "A3", "0.234995311208", "kg CO2 eqv."},
			{"GWP-total", "C1", "3.999999960000", "kg CO2 eqv."},
			// "GWP-IOBC/GHG": its own indicator, not a second GWP-biogenic.
			{"GWP-GHG", "A1", "230.030882257914", "kg CO2 eqv."},
			{"GWP-GHG", "D", "-25.826410957019", "kg CO2 eqv."},
		},
		nResults: 50,
		notes:    []string{"GWP-total: A1-A3 = A1 + A2 + A3 = 179.137536677058 (summed, not declared)"},
	},
	"environdec-structural-steel": {
		id: "0e43fd10-1ca4-4baa-ae9f-08db7e36184f", reg: "EPD-IES-0009803:001 (S-P-09803)", operator: environdec, standard: "EN 15804+A2",
		conforms: []string{"EN 15804+A2", "ISO 14025"},
		valid:    "2028-12-31", amount: "1000", unit: "kg",
		results: [][4]string{
			{"GWP-total", "A1-A3", "3666.7899727398", "kg CO2 eq."},
			{"GWP-fossil", "A1-A3", "3671.68956578352", "kg CO2 eq."},
			{"GWP-biogenic", "A1-A3", "-5.40729159072994", "kg CO2 eq."},
			{"GWP-luluc", "A1-A3", "0.507698547020185", "kg CO2 eq."},
			{"GWP-GHG", "A1-A3", "3666.73679283556", "kg CO2 eq."},
			{"GWP-total", "D", "-1528.88886061286", "kg CO2 eq."},
		},
		nResults: 35,
		notes:    []string{`epd:amount[@module=A4] (GWP-total): "ND", not declared; skipped`},
	},
	"environdec-wood-flooring": {
		id: "b56530ee-77bf-49bd-7997-08d972c43176", reg: "EPD-IES-0003435:001 (S-P-03435)", operator: environdec, standard: "EN 15804+A2",
		conforms: []string{"EN 15804+A2", "ISO 14025"},
		valid:    "2028-12-31", amount: "1", unit: "m2",
		results: [][4]string{
			{"GWP-total", "A1-A3", "-10.547151193", "kg CO2 eq."},
			{"GWP-fossil", "A1-A3", "30.438391", "kg CO2 eq."},
			{"GWP-biogenic", "A1-A3", "-41.056986", "kg CO2 eq."},
			{"GWP-luluc", "A1-A3", "0.071443807", "kg CO2 eq."},
			{"GWP-GHG", "A1-A3", "-5.190951251", "kg CO2 eq."},
			{"GWP-biogenic", "C3", "42.0210586747", "kg CO2 eq."},
		},
		nResults: 75,
		notes: []string{
			`registration number "EPD-IES-0003435:001 (S-P-03435)" read from processInformation/dataSetInformation/common:synonyms`,
			`program operator "The International EPD System" read from administrativeInformation/dataEntryBy/common:referenceToPersonOrEntityEnteringTheData`,
		},
	},
	"ift-ceramic-facade": {
		id: "0e9fd868-9656-489e-be6c-8251b3d43283", reg: "EPD-MFA-48.0", operator: "ift Rosenheim", standard: "EN 15804+A2",
		conforms: []string{"EN 15804+A2"},
		valid:    "2027-12-31", amount: "1", unit: "m2",
		results: [][4]string{
			{"GWP-total", "A1-A3", "43.46", "kg CO2-Äqv."},
			{"GWP-fossil", "A1-A3", "45.15", "kg CO2-Äqv."},
			{"GWP-biogenic", "A1-A3", "-1.8", "kg CO2-Äqv."},
			{"GWP-luluc", "A1-A3", "0.0216", "kg CO2-Äqv."},
			{"GWP-biogenic", "A4", "1.6E-4", "kg CO2-Äqv."},
			{"GWP-total", "D", "-5.45", "kg CO2-Äqv."},
		},
		nResults: 56,
		notes:    []string{`epd:amount[@module=B1] (GWP-total): "", not declared; skipped`},
	},
	"oekobaudat-door-drive": {
		id: "023f3b97-976a-41c4-b0f1-5357b9dc5b3e", standard: "EN 15804+A1", evidence: a1Evidence,
		conforms: []string{"EN 15804+A1", "ISO 14025"},
		valid:    "2021-12-31", amount: "1", unit: "Item(s)",
		results: [][4]string{
			{"GWP", "A1-A3", "63.3", "kg CO_(2)-Äq."},
			{"GWP", "B6", "394", "kg CO_(2)-Äq."},
			{"GWP", "D", "-52.5", "kg CO_(2)-Äq."},
		},
		nResults: 7,
	},
	// EC3 records (openEPD JSON, epd/testdata/real/*.json): ISO 21930
	// programs that state no standard in the record, so none is read.
	"nrmca-ready-mix": {
		id: "76f74368a2704d469ca2f9f4ea6d7b68", reg: "3578085c-d563-41e7-b9d1-3c58421c3b33", operator: "NRMCA",
		valid: "2028-11-28", validField: "date_validity_ends", amount: "1", unit: "m3", density: "2400",
		manufacturer: "Ready Mix USA", plant: "Harvest",
		results:  [][4]string{{"gwp", "A1-A3", "336", "kgCO2e"}},
		nResults: 1,
		notes: []string{
			`registration number "3578085c-d563-41e7-b9d1-3c58421c3b33" read from program_operator_fkey`,
			"gwp: A1-A3 = 336 kgCO2e, read from the top-level gwp",
		},
	},
	"sustainable-minds-toilet": {
		id: "29350ae9e9864097be68c6114ba9af5f", reg: "TOTO – 20240624 – 001", operator: "Sustainable Minds",
		valid: "2029-06-24", validField: "date_validity_ends", amount: "1", unit: "item",
		manufacturer: "TOTO", plant: "TOTO Vietnam and TOTO Indonesia",
		results:  [][4]string{{"gwp", "A1-A3", "80.6", "kgCO2e"}},
		nResults: 1,
		notes:    []string{"gwp: A1-A3 = 80.6 kgCO2e, read from the top-level gwp"},
	},
}

func checkReal(t *testing.T, d *Declaration, w realWant) {
	t.Helper()
	eq := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	dec := func(s string) decimal.Decimal {
		t.Helper()
		v, err := decimal.NewFromString(s)
		if err != nil {
			t.Fatalf("published value %q: %v", s, err)
		}
		return v
	}
	eq("ID", d.ID, w.id)
	eq("RegistrationNumber", d.RegistrationNumber, w.reg)
	eq("ProgramOperator", d.ProgramOperator, w.operator)
	eq("Standard", d.Standard, w.standard)
	if !slices.Equal(d.ConformsTo, w.conforms) {
		t.Errorf("ConformsTo = %q, want %q", d.ConformsTo, w.conforms)
	}
	if w.manufacturer != "" {
		eq("Manufacturer", d.Manufacturer, w.manufacturer)
	}
	if w.plant != "" {
		eq("Plant", d.Plant, w.plant)
	}
	if w.evidence == "" && d.StandardEvidence != "" || !strings.Contains(d.StandardEvidence, w.evidence) {
		t.Errorf("StandardEvidence = %q, want %q", d.StandardEvidence, w.evidence)
	}
	eq("ValidUntil", d.ValidUntil.Format(time.DateOnly), w.valid)
	switch {
	case w.validField == "" && (!d.ValidUntilYearOnly || d.ValidUntilField != fieldValidUntil):
		t.Errorf("ValidUntilYearOnly %v from %q, want the year of %s", d.ValidUntilYearOnly, d.ValidUntilField, fieldValidUntil)
	case w.validField != "" && (d.ValidUntilYearOnly || d.ValidUntilField != w.validField):
		t.Errorf("ValidUntilYearOnly %v from %q, want the date of %s", d.ValidUntilYearOnly, d.ValidUntilField, w.validField)
	}
	if !d.DeclaredUnit.Amount.Equal(dec(w.amount)) || d.DeclaredUnit.Unit != w.unit {
		t.Errorf("DeclaredUnit = %s %s, want %s %s", d.DeclaredUnit.Amount, d.DeclaredUnit.Unit, w.amount, w.unit)
	}
	switch {
	case w.density == "" && d.Density != nil:
		t.Errorf("Density = %s, want none", d.Density)
	case w.density != "" && (d.Density == nil || !d.Density.Equal(dec(w.density))):
		t.Errorf("Density = %v, want %s", d.Density, w.density)
	}
	for _, r := range w.results {
		n := 0
		for _, g := range d.Results {
			if g.Indicator == r[0] && g.Module == r[1] {
				n++
				if !g.Value.Equal(dec(r[2])) || g.Unit != r[3] {
					t.Errorf("%s %s = %s %q, want %s %q as published", r[0], r[1], g.Value, g.Unit, r[2], r[3])
				}
			}
		}
		if n != 1 {
			t.Errorf("%s %s: %d results, want 1", r[0], r[1], n)
		}
	}
	if len(d.Results) != w.nResults {
		t.Errorf("%d results, want %d", len(d.Results), w.nResults)
	}
	all := strings.Join(d.Notes, "\n")
	for _, n := range w.notes {
		if !strings.Contains(all, n) {
			t.Errorf("notes %q lack %q", all, n)
		}
	}
	if p := d.Problems(); len(p) != 0 {
		t.Errorf("Problems() = %q, want none", p)
	}
}

// TestRealEPDs reads excerpts of published EPDs (epd/testdata/real) as
// ILCD archives and as a process XML with its flow XML, and EC3 records
// (*.json) as openEPD.
func TestRealEPDs(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "real", "*"))
	n := 0
	for _, dir := range dirs {
		if filepath.Ext(dir) == ".json" { // an EC3 record (openEPD JSON)
			n++
			name := strings.TrimSuffix(filepath.Base(dir), ".json")
			w, ok := realWants[name]
			if !ok {
				t.Errorf("%s: no expected values in realWants", dir)
				continue
			}
			t.Run(name+"/openepd", func(t *testing.T) {
				raw, err := os.ReadFile(dir)
				if err != nil {
					t.Fatal(err)
				}
				d, err := Parse(FormatOpenEPD, name+".json", raw)
				if err != nil {
					t.Fatal(err)
				}
				checkReal(t, d, w)
				if d.SHA256 != digest(raw) {
					t.Error("SHA256 is not the file's")
				}
			})
			continue
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		name := filepath.Base(dir)
		w, ok := realWants[name]
		if !ok {
			t.Errorf("%s: no expected values in realWants", dir)
			continue
		}
		t.Run(name+"/archive", func(t *testing.T) {
			raw := zipDir(t, dir)
			d, err := Parse(FormatILCD, name+".zip", raw)
			if err != nil {
				t.Fatal(err)
			}
			checkReal(t, d, w)
			if d.SHA256 != digest(raw) {
				t.Error("SHA256 is not the archive's")
			}
		})
		t.Run(name+"/files", func(t *testing.T) {
			proc := one(t, filepath.Join(dir, "processes"))
			flow := one(t, filepath.Join(dir, "flows"))
			d, err := ParseILCD(name+".xml", proc, File{Name: "flow.xml", Data: flow})
			if err != nil {
				t.Fatal(err)
			}
			checkReal(t, d, w)
		})
	}
	if n != len(realWants) {
		t.Errorf("%d fixture directories, %d expected", n, len(realWants))
	}
}

// TestEC3RecordFields: EC3's names for the registration number
// (program_operator_fkey) and the plant (plant_or_group) are read when the
// openEPD names are absent, and give way to them.
func TestEC3RecordFields(t *testing.T) {
	for _, c := range []struct{ doc, reg, plant string }{
		{`"program_operator_fkey": "EPD 819", "plant_or_group": {"name": "Carpinteria", "type": "Plant"}`, "EPD 819", "Carpinteria"},
		{`"program_operator_doc_id": "EPD10526", "program_operator_fkey": "x", "plants": [{"name": "Melksham"}], "plant_or_group": {"name": "y"}`, "EPD10526", "Melksham"},
		{`"program_operator_fkey": null, "plant_or_group": "Harvest"`, "", "Harvest"},
	} {
		d, err := Parse(FormatOpenEPD, "r.json", []byte(`{"id": "r", "declared_unit": "1 item", "gwp": "80.6 kgCO2e", `+c.doc+`}`))
		if err != nil {
			t.Fatal(err)
		}
		if d.RegistrationNumber != c.reg || d.Plant != c.plant {
			t.Errorf("%s: registration %q, plant %q; want %q, %q", c.doc, d.RegistrationNumber, d.Plant, c.reg, c.plant)
		}
		fromFkey := strings.Contains(strings.Join(d.Notes, "\n"), "program_operator_fkey")
		if fromFkey != (c.reg == "EPD 819") {
			t.Errorf("%s: notes %q", c.doc, d.Notes)
		}
	}
}
