package epd

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// zipDir is an ILCD archive of a fixture directory (entries sorted, so
// the bytes, and the SHA-256, are the same on every run).
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		rel, _ := filepath.Rel(dir, n)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "ILCD/" + filepath.ToSlash(rel), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// one reads the only file of a fixture subdirectory.
func one(t testing.TB, dir string) []byte {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(m) != 1 {
		t.Fatalf("%s: want one XML, have %v", dir, m)
	}
	raw, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// res is a wanted result: indicator, set, module, value text, unit, summed.
type res struct {
	ind, set, module, value, unit string
	summed                        bool
}

// want is what a fixture declares.
type want struct {
	id, name, reg, operator, manufacturer, plant, standard, pcr string
	valid                                                       string
	yearOnly                                                    bool
	evidence                                                    string // StandardEvidence contains this ("" for none)
	unit                                                        string // "1000 kg"
	density                                                     string // "" for none
	results                                                     []res  // each must be present
	nResults                                                    int
	notes                                                       []string
}

func check(t *testing.T, d *Declaration, w want) {
	t.Helper()
	eq := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	eq("ID", d.ID, w.id)
	eq("Name", d.Name, w.name)
	eq("RegistrationNumber", d.RegistrationNumber, w.reg)
	eq("ProgramOperator", d.ProgramOperator, w.operator)
	eq("Manufacturer", d.Manufacturer, w.manufacturer)
	eq("Plant", d.Plant, w.plant)
	eq("Standard", d.Standard, w.standard)
	eq("PCR", d.PCR, w.pcr)
	if w.evidence == "" && d.StandardEvidence != "" || !strings.Contains(d.StandardEvidence, w.evidence) {
		t.Errorf("StandardEvidence = %q, want %q", d.StandardEvidence, w.evidence)
	}
	eq("ValidUntil", d.ValidUntil.Format(time.DateOnly), w.valid)
	if d.ValidUntilYearOnly != w.yearOnly {
		t.Errorf("ValidUntilYearOnly = %v, want %v", d.ValidUntilYearOnly, w.yearOnly)
	}
	eq("DeclaredUnit", d.DeclaredUnit.Amount.String()+" "+d.DeclaredUnit.Unit, w.unit)
	dens := ""
	if d.Density != nil {
		dens = d.Density.String()
	}
	eq("Density", dens, w.density)
	if len(d.SHA256) != 64 {
		t.Errorf("SHA256 = %q, want 64 hex digits", d.SHA256)
	}
	for _, r := range w.results {
		found := false
		for _, g := range d.Results {
			if g.Indicator == r.ind && g.Set == r.set && g.Module == r.module {
				found = true
				if g.Summed && strings.Join(g.SummedFrom, ",") != "A1,A2,A3" {
					t.Errorf("result %s %s %s summed from %q, want A1,A2,A3", r.set, r.ind, r.module, g.SummedFrom)
				}
				if g.Value.String() != r.value || g.Unit != r.unit || g.Summed != r.summed {
					t.Errorf("result %s %s %s = %s %q summed=%v, want %s %q summed=%v", r.set, r.ind, r.module, g.Value, g.Unit, g.Summed, r.value, r.unit, r.summed)
				}
			}
		}
		if !found {
			t.Errorf("no result %s %s %s in %+v", r.set, r.ind, r.module, d.Results)
		}
	}
	if len(d.Results) != w.nResults {
		t.Errorf("%d results, want %d: %+v", len(d.Results), w.nResults, d.Results)
	}
	all := strings.Join(d.Notes, "\n")
	for _, n := range w.notes {
		if !strings.Contains(all, n) {
			t.Errorf("notes %q lack %q", all, n)
		}
	}
}

const kgCO2 = "kg CO2 eq."

var ilcdWants = map[string]want{
	"rebar-a2": {
		id: "c0ffee01-0000-4000-8000-000000000001", name: "Reinforcing steel (rebar), hot rolled, illustrative",
		reg: "EPD-EXA-20230001-IBD1-EN", operator: "Example Programme Operator e.V.", manufacturer: "Example Steelworks GmbH",
		standard: "EN 15804+A2", pcr: "PCR Part B: Structural steel (illustrative)",
		valid: "2028-12-31", yearOnly: true, unit: "1000 kg",
		results: []res{
			{"GWP-total", "", "A1-A3", "612", kgCO2, false},
			{"GWP-total", "", "C3", "0.85", kgCO2, false},
			{"GWP-total", "", "D", "-103", kgCO2, false},
			{"GWP-fossil", "", "A1-A3", "610.4", kgCO2, false},
			{"GWP-biogenic", "", "A1-A3", "1.1", kgCO2, false},
			{"GWP-luluc", "", "A1-A3", "0.5", kgCO2, false},
		},
		nResults: 7,
		notes:    []string{`epd:amount[@module=C3] (GWP-biogenic): "ND", not declared; skipped`, "1 LCIA result(s) other than GWP not read"},
	},
	"concrete-a1-m3": {
		id: "c0ffee02-0000-4000-8000-000000000002", name: "Ready-mix concrete C30/37, illustrative",
		reg: "EPD-EXA-20240002", operator: "Example Programme Operator e.V.", manufacturer: "Example Readymix AG",
		standard: "EN 15804+A1", pcr: "PCR Concrete (illustrative)",
		valid: "2029-06-30", unit: "1 m3", density: "2400",
		results:  []res{{"GWP", "", "A1-A3", "231", kgCO2, false}, {"GWP", "", "A4", "4.6", kgCO2, false}},
		nResults: 2,
	},
	"glass-a2-separate": {
		id: "c0ffee03-0000-4000-8000-000000000003", name: "Float glass, 4 mm, illustrative",
		reg: "S-P-99999", operator: "Example EPD Programme", manufacturer: "Example Glassworks",
		standard: "EN 15804+A2", pcr: "c-PCR-009 Flat glass (illustrative)",
		valid: "2030-01-15", unit: "1 m2",
		results: []res{
			{"GWP-total", "", "A1", "8.25", kgCO2, false},
			{"GWP-total", "", "A1-A3", "12", kgCO2, true},
		},
		nResults: 6,
		notes:    []string{"GWP-total: A1-A3 = A1 + A2 + A3 = 12 (summed, not declared)", "GWP-fossil: no A1-A3 and no A3, so A1-A3 cannot be summed"},
	},
	"intl-a1-year": {
		id: "c0ffee05-0000-4000-8000-000000000005", name: "Ready-mix concrete, illustrative (EPD International style)",
		reg: "S-P-00000", operator: "The International EPD System",
		manufacturer: "Example Betong AB", standard: "EN 15804+A1", evidence: "its only GWP indicator is GWP (CML's", pcr: "PCR 2012:01 Construction products (illustrative)",
		valid: "2025-05-07", unit: "1 m3", density: "2400",
		results:  []res{{"GWP", "", "A1", "180", kgCO2, false}, {"GWP", "", "A1-A3", "199.75", kgCO2, true}},
		nResults: 4,
	},
	"rebar-a1-expired": {
		id: "c0ffee04-0000-4000-8000-000000000004", name: "Reinforcing steel bars, illustrative (expired)",
		reg: "EPD-EXA-20160004", operator: "Example Programme Operator e.V.", manufacturer: "Example Steelworks GmbH",
		standard: "EN 15804+A1", pcr: "PCR Steel (illustrative)",
		valid: "2021-06-30", unit: "1000 kg", density: "7850",
		results:  []res{{"GWP", "", "A1-A3", "734", kgCO2, false}},
		nResults: 2,
	},
}

func TestParseILCDArchive(t *testing.T) {
	for dir, w := range ilcdWants {
		t.Run(dir, func(t *testing.T) {
			raw := zipDir(t, filepath.Join("testdata", "ilcd", dir))
			d, err := Parse(FormatILCD, dir+".zip", raw)
			if err != nil {
				t.Fatal(err)
			}
			check(t, d, w)
			if d.Format != FormatILCD || d.SHA256 != digest(raw) {
				t.Errorf("Format %q SHA256 %s, want %q and the archive's", d.Format, d.SHA256, FormatILCD)
			}
			if len(d.Problems()) != 0 {
				t.Errorf("Problems() = %q, want none", d.Problems())
			}
		})
	}
}

// TestParseILCDFiles reads the process XML with its flow XML (no flow
// property or unit group: the ILCD reference ones are known).
func TestParseILCDFiles(t *testing.T) {
	for _, dir := range []string{"concrete-a1-m3", "glass-a2-separate", "intl-a1-year", "rebar-a1-expired", "rebar-a2"} {
		t.Run(dir, func(t *testing.T) {
			base := filepath.Join("testdata", "ilcd", dir)
			proc := one(t, filepath.Join(base, "processes"))
			flow := one(t, filepath.Join(base, "flows"))
			d, err := ParseILCD("p.xml", proc, File{Name: "f.xml", Data: flow})
			if err != nil {
				t.Fatal(err)
			}
			check(t, d, ilcdWants[dir])
			if d.SHA256 != digest(proc) {
				t.Errorf("SHA256 is not the process file's")
			}
		})
	}
	t.Run("process alone", func(t *testing.T) {
		proc := one(t, filepath.Join("testdata", "ilcd", "rebar-a2", "processes"))
		_, err := Parse(FormatILCD, "p.xml", proc)
		wantErr(t, err, ErrMalformed, `EPD p.xml: exchanges/exchange[@dataSetInternalID=1]/referenceToFlowDataSet: the reference flow's data set c0ffee01-0000-4000-8000-0000000000f1 is not given, and the declared unit is there: give the ILCD archive with dependencies, or the process XML with flows/c0ffee01-0000-4000-8000-0000000000f1.xml`)
	})
}

func TestParseOpenEPD(t *testing.T) {
	tests := map[string]want{
		"rebar-traci.json": {
			id: "ec3exa01", name: "Reinforcing bar, ASTM A615, illustrative", reg: "EXA-EPD-1001",
			operator: "Example Program Operator", manufacturer: "Example Rebar Mills Inc.", plant: "Example Mill, Ohio",
			standard: "ISO 21930", pcr: "PCR for Designated Steel Construction Products (illustrative)",
			valid: "2028-03-31", unit: "1 t",
			results: []res{
				{"gwp", "TRACI 2.1", "A1-A3", "780.5", "kgCO2e", false},
				{"gwp", "TRACI 2.1", "A4", "12", "kgCO2e", false},
				{"gwp", "AR5", "A1-A3", "790", "kgCO2e", false},
			},
			nResults: 3,
			notes:    []string{"1 impact indicator(s) other than GWP not read"},
		},
		"concrete-m3.json": {
			id: "ec3exa02", name: "Ready-mix concrete 4000 psi, illustrative", reg: "EXA-EPD-2002",
			operator: "Example Program Operator", manufacturer: "Example Concrete Co.", plant: "Example Batch Plant 7",
			standard: "ISO 21930", pcr: "PCR for Concrete (illustrative)",
			valid: "2029-09-30", unit: "1 m3", density: "2350.5",
			results:  []res{{"gwp", "TRACI 2.1", "A1-A3", "298.71", "kgCO2e", false}},
			nResults: 1,
		},
		"glass-separate.json": {
			id: "ec3exa03", name: "Flat glass, 6 mm, illustrative", reg: "S-P-98765",
			operator: "Example EPD Programme", manufacturer: "Example Float Glass Ltd",
			standard: "EN 15804+A2", pcr: "c-PCR flat glass (illustrative)",
			valid: "2030-12-31", unit: "1 t",
			results: []res{
				{"GWP-total", "EF 3.0", "A2", "35.05", "kgCO2e", false},
				{"GWP-total", "EF 3.0", "A1-A3", "1190", "kgCO2e", true},
			},
			nResults: 6,
			notes:    []string{"EF 3.0 GWP-total: A1-A3 = A1 + A2 + A3 = 1190 (summed, not declared)", "EF 3.0 GWP-fossil: no A1-A3 and no A2"},
		},
		"ec3-quantity-strings.json": {
			id: "ec3exa05", name: "Ready-mix concrete 5000 psi, illustrative (EC3 record style)", reg: "EXA-EPD-5005",
			operator: "Example Program Operator", manufacturer: "Example Concrete Co.", plant: "Example Batch Plant 9",
			standard: "ISO 21930", valid: "2029-10-31", unit: "1 m3", density: "2400",
			results:  []res{{"gwp", "", "A1-A3", "312.25", "kgCO2e", false}},
			nResults: 1,
			notes:    []string{"gwp: A1-A3 = 312.25 kgCO2e, read from the top-level gwp (impacts declares no A1-A3 GWP)", "1 impact indicator(s) other than GWP not read"},
		},
		"concrete-expired.json": {
			id: "ec3exa04", name: "Ready-mix concrete 3000 psi, illustrative (expired)", reg: "EXA-EPD-0404",
			operator: "Example Program Operator", manufacturer: "Example Concrete Co.", plant: "Example Batch Plant 2",
			valid: "2022-05-31", unit: "1 m3",
			results:  []res{{"gwp", "TRACI 2.1", "A1-A3", "251", "kgCO2e", false}},
			nResults: 1,
		},
	}
	for file, w := range tests {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "openepd", file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(FormatOpenEPD, file, raw)
			if err != nil {
				t.Fatal(err)
			}
			check(t, d, w)
			if d.Format != FormatOpenEPD || d.SHA256 != digest(raw) {
				t.Errorf("Format %q SHA256 %s, want %q and the file's", d.Format, d.SHA256, FormatOpenEPD)
			}
		})
	}
}

func wantErr(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	var de *DocError
	if !errors.As(err, &de) {
		t.Fatalf("error %T %v, want a *DocError", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v is not %v", err, sentinel)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error\n %s\nwant it to contain\n %s", err, msg)
	}
	if len(err.Error()) > 600 {
		t.Errorf("error %d bytes long: a message echoes a short prefix of the input at most", len(err.Error()))
	}
}

// process is a minimal ILCD process data set with the given parts.
func process(refFlow, exchanges, lcia, extra string) string {
	return `<?xml version="1.0"?>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process" xmlns:common="http://lca.jrc.it/ILCD/Common" xmlns:epd="http://www.iai.kit.edu/EPD/2013">
<processInformation><dataSetInformation><common:UUID>AAAA0000-0000-4000-8000-000000000001</common:UUID><name><baseName>X</baseName></name></dataSetInformation>
<quantitativeReference>` + refFlow + `</quantitativeReference>` + extra + `</processInformation>
<exchanges>` + exchanges + `</exchanges>
<LCIAResults>` + lcia + `</LCIAResults></processDataSet>`
}

const (
	okRef   = `<referenceToReferenceFlow>0</referenceToReferenceFlow>`
	okExch  = `<exchange dataSetInternalID="0"><referenceToFlowDataSet refObjectId="F0000000-0000-4000-8000-000000000001"/><meanAmount>1</meanAmount></exchange>`
	okLCIA  = `<LCIAResult><referenceToLCIAMethodDataSet><common:shortDescription>Global warming potential (GWP)</common:shortDescription></referenceToLCIAMethodDataSet><common:other><epd:amount epd:module="A1-A3">5</epd:amount></common:other></LCIAResult>`
	okFlow  = `<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow" xmlns:common="http://lca.jrc.it/ILCD/Common"><flowInformation><dataSetInformation><common:UUID>f0000000-0000-4000-8000-000000000001</common:UUID></dataSetInformation><quantitativeReference><referenceToReferenceFlowProperty>0</referenceToReferenceFlowProperty></quantitativeReference></flowInformation><flowProperties><flowProperty dataSetInternalID="0"><referenceToFlowPropertyDataSet refObjectId="93a60a56-a3c8-11da-a746-0800200b9a66"/><meanValue>1</meanValue></flowProperty></flowProperties></flowDataSet>`
	flowFor = "flow.xml"
)

func TestILCDMinimal(t *testing.T) {
	d, err := ParseILCD("p.xml", []byte(process(okRef, okExch, okLCIA, "")), File{flowFor, []byte(okFlow)})
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "aaaa0000-0000-4000-8000-000000000001" || d.DeclaredUnit.Unit != "kg" || len(d.Results) != 1 {
		t.Errorf("read %+v", d)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "dataSetValidUntil: missing; validity cannot be checked") {
		t.Errorf("notes %q lack the missing validity", d.Notes)
	}
}

func TestILCDErrors(t *testing.T) {
	flow := File{flowFor, []byte(okFlow)}
	tests := []struct {
		name     string
		process  string
		deps     []File
		sentinel error
		msg      string
	}{
		{"not a process", okFlow, nil, ErrMalformed, "EPD p.xml: root element: not a process data set"},
		{"other root", `<foo/>`, nil, ErrMalformed, `EPD p.xml: root element: "foo" is not an ILCD process, flow, flow property or unit group data set`},
		{"wrong namespace", `<processDataSet xmlns="urn:x"/>`, nil, ErrMalformed, `EPD p.xml: processDataSet: namespace "urn:x", want http://lca.jrc.it/ILCD/Process`},
		{"no uuid", `<processDataSet xmlns="http://lca.jrc.it/ILCD/Process"/>`, nil, ErrMalformed, "EPD p.xml: processInformation/dataSetInformation/common:UUID: missing"},
		{"no reference flow", process("", okExch, okLCIA, ""), []File{flow}, ErrMalformed, "EPD p.xml: processInformation/quantitativeReference/referenceToReferenceFlow: missing; the reference flow gives the declared unit"},
		{"no such exchange", process(`<referenceToReferenceFlow>7</referenceToReferenceFlow>`, okExch, okLCIA, ""), []File{flow}, ErrMalformed, "EPD p.xml: exchanges/exchange[@dataSetInternalID=7]: no such exchange"},
		{"bad amount", process(okRef, strings.Replace(okExch, "<meanAmount>1<", "<meanAmount>1,5<", 1), okLCIA, ""), []File{flow}, ErrMalformed, `EPD p.xml: exchanges/exchange[@dataSetInternalID=0]/meanAmount: "1,5" is not a number`},
		{"huge exponent", process(okRef, strings.Replace(okExch, "<meanAmount>1<", "<meanAmount>1e99<", 1), okLCIA, ""), []File{flow}, ErrMalformed, `"1e99" is out of range (exponent beyond ±60)`},
		{"no flow ref", process(okRef, `<exchange dataSetInternalID="0"><meanAmount>1</meanAmount></exchange>`, okLCIA, ""), []File{flow}, ErrMalformed, "exchanges/exchange[@dataSetInternalID=0]/referenceToFlowDataSet: no refObjectId"},
		{"unknown flow property", process(okRef, okExch, okLCIA, ""), []File{{flowFor, []byte(strings.Replace(okFlow, "93a60a56-a3c8-11da-a746-0800200b9a66", "11111111-0000-4000-8000-000000000000", 1))}}, ErrMalformed,
			"EPD flow.xml: flowProperties/flowProperty[@dataSetInternalID=0]/referenceToFlowPropertyDataSet: flow property 11111111-0000-4000-8000-000000000000 is neither given (flowproperties/11111111-0000-4000-8000-000000000000.xml) nor an ILCD reference flow property"},
		{"no reference flow property", process(okRef, okExch, okLCIA, ""), []File{{flowFor, []byte(strings.Replace(okFlow, "<referenceToReferenceFlowProperty>0<", "<referenceToReferenceFlowProperty>3<", 1))}}, ErrMalformed,
			"EPD flow.xml: flowInformation/quantitativeReference/referenceToReferenceFlowProperty: missing or naming no flowProperty"},
		{"bad flow mean", process(okRef, okExch, okLCIA, ""), []File{{flowFor, []byte(strings.Replace(okFlow, "<meanValue>1<", "<meanValue>x<", 1))}}, ErrMalformed,
			`EPD flow.xml: flowProperties/flowProperty[@dataSetInternalID=0]/meanValue: "x" is not a number`},
		{"bad validity", process(okRef, okExch, okLCIA, `<time><common:dataSetValidUntil>next year</common:dataSetValidUntil></time>`), []File{flow}, ErrMalformed,
			`EPD p.xml: processInformation/time/common:dataSetValidUntil: "next year" is not a year or a date (want 2027 or 2027-03-01)`},
		{"no module", process(okRef, okExch, strings.Replace(okLCIA, ` epd:module="A1-A3"`, "", 1), ""), []File{flow}, ErrMalformed,
			`EPD p.xml: LCIAResults/LCIAResult[1]/common:other/epd:amount: no module attribute (want epd:module="A1-A3")`},
		{"bad result", process(okRef, okExch, strings.Replace(okLCIA, ">5<", ">5 kg<", 1), ""), []File{flow}, ErrMalformed,
			`EPD p.xml: LCIAResults/LCIAResult[1]/common:other/epd:amount[@module=A1-A3]: "5 kg" is not a number`},
		{"two processes", process(okRef, okExch, okLCIA, ""), []File{flow, {"q.xml", []byte(process(okRef, okExch, okLCIA, ""))}}, ErrMalformed,
			"EPD p.xml: 2 process data sets given; give one EPD at a time"},
		{"dependency malformed", process(okRef, okExch, okLCIA, ""), []File{{flowFor, []byte("<flowDataSet>")}}, ErrMalformed, "EPD flow.xml: line 1: not well-formed XML"},
		{"flow without uuid", process(okRef, okExch, okLCIA, ""), []File{{flowFor, []byte(`<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow"/>`)}}, ErrMalformed,
			"EPD flow.xml: flowInformation/dataSetInformation/common:UUID: missing"},
		{"empty", "", nil, ErrMalformed, "EPD p.xml: no XML element (empty or not XML)"},
		{"not xml", "hello", nil, ErrMalformed, "EPD p.xml: no XML element"},
		{"two roots", "<a/><b/>", nil, ErrMalformed, "more than one root element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseILCD("p.xml", []byte(tt.process), tt.deps...)
			wantErr(t, err, tt.sentinel, tt.msg)
		})
	}
}

func TestIndicatorName(t *testing.T) {
	for desc, want := range map[string]string{
		"Global Warming Potential total (GWP-total)":                          "GWP-total",
		"Global Warming Potential - fossil fuels (GWP-fossil)":                "GWP-fossil",
		"Global Warming Potential - biogenic (GWP-biogenic)":                  "GWP-biogenic",
		"Global Warming Potential - land use and land use change (GWP-luluc)": "GWP-luluc",
		"Global warming potential (GWP)":                                      "GWP",
		"Globales Erwärmungspotenzial (GWP)":                                  "GWP",
		// EN 15804+A2's additional indicator, as EPD International and EPD
		// Norway name it (epd/testdata/real): not GWP, not GWP-biogenic.
		"Global Warming Potential (GWP-GHG)":                                                     "GWP-GHG",
		"Global warming potential except emissions and uptake of biogenic carbon (GWP-IOBC/GHG)": "GWP-GHG",
		"Climate change":                                             "GWP-total",
		"Climate change - Fossil":                                    "GWP-fossil",
		"Climate change-Land use and land use change":                "GWP-luluc",
		"Depletion potential of the stratospheric ozone layer (ODP)": "",
		"Acidification potential (AP)":                               "",
	} {
		if got := indicatorName(desc); got != want {
			t.Errorf("indicatorName(%q) = %q, want %q", desc, got, want)
		}
	}
}

func TestOpenEPDErrors(t *testing.T) {
	const ok = `"id": "x", "declared_unit": "1 t"`
	tests := []struct{ name, doc, msg string }{
		{"not json", `hello`, "EPD d.json: byte 0: not valid JSON"},
		{"truncated", `{"id": "x", "declared_unit": "1 t", "impacts": {`, "EPD d.json: byte 48: not valid JSON: the document ends before its last value does (truncated?)"},
		{"array", `[1, 2]`, "EPD d.json: not a JSON object; an openEPD document is one object"},
		{"two values", `{} {}`, "EPD d.json: byte 3: more than one JSON value"},
		{"no id", `{"declared_unit": "1 t"}`, "EPD d.json: id: missing or not a string"},
		{"id number", `{"id": 5, "declared_unit": "1 t"}`, "EPD d.json: id: missing or not a string"},
		{"no declared unit", `{"id": "x"}`, `EPD d.json: declared_unit: missing; want "1 t" or {"qty": 1, "unit": "t"}`},
		{"declared unit words", `{"id": "x", "declared_unit": "one tonne of steel"}`, `EPD d.json: declared_unit: "one tonne of steel" is not an amount with a unit`},
		{"declared unit qty", `{"id": "x", "declared_unit": {"qty": "a", "unit": "t"}}`, `EPD d.json: declared_unit: qty: "a" is not a number`},
		{"declared unit no unit", `{"id": "x", "declared_unit": {"qty": 1}}`, `EPD d.json: declared_unit: unit: missing`},
		{"declared unit number", `{"id": "x", "declared_unit": 1}`, `EPD d.json: declared_unit: not an amount`},
		{"declared unit two operators", `{"id": "x", "declared_unit": "1 kg // m3"}`, `EPD d.json: declared_unit: "1 kg // m3" is not an amount with a unit`},
		{"declared unit trailing operator", `{"id": "x", "declared_unit": "1 kg /"}`, `EPD d.json: declared_unit: "1 kg /" is not an amount with a unit`},
		{"declared unit object bad unit", `{"id": "x", "declared_unit": {"qty": 1, "unit": "m ^ 3"}}`, `EPD d.json: declared_unit: unit: "m ^ 3" is not a unit`},
		{"bad validity", `{` + ok + `, "valid_until": "soon"}`, `EPD d.json: valid_until: "soon" is not a year or a date`},
		{"bad date_validity_ends", `{` + ok + `, "date_validity_ends": "31/12/2027"}`, `EPD d.json: date_validity_ends: "31/12/2027" is not a year or a date`},
		{"validity not text", `{` + ok + `, "valid_until": 2027}`, `EPD d.json: valid_until: not a string; want a date such as "2027-03-01"`},
		{"impacts list", `{` + ok + `, "impacts": [1]}`, "EPD d.json: impacts: not an object"},
		{"set not object", `{` + ok + `, "impacts": {"TRACI 2.1": 5}}`, "EPD d.json: impacts/TRACI 2.1: not an object of indicators"},
		{"indicator not object", `{` + ok + `, "impacts": {"TRACI 2.1": {"gwp": 5}}}`, "EPD d.json: impacts/TRACI 2.1/gwp: not an object of modules"},
		{"module not object", `{` + ok + `, "impacts": {"TRACI 2.1": {"gwp": {"A1A2A3": 780}}}}`, `EPD d.json: impacts/TRACI 2.1/gwp/A1A2A3: not a measurement`},
		{"module without name", `{` + ok + `, "impacts": {"TRACI 2.1": {"gwp": {" ": {"mean": 1}}}}}`, `EPD d.json: impacts/TRACI 2.1/gwp: a module without a name; want e.g. "A1A2A3"`},
		{"mean not number", `{` + ok + `, "impacts": {"TRACI 2.1": {"gwp": {"A1A2A3": {"mean": true}}}}}`, "EPD d.json: impacts/TRACI 2.1/gwp/A1A2A3/mean: not a number"},
		{"mean huge exponent", `{` + ok + `, "impacts": {"TRACI 2.1": {"gwp": {"A1A2A3": {"mean": 1e400}}}}}`, `EPD d.json: impacts/TRACI 2.1/gwp/A1A2A3/mean: "1e400" is out of range`},
		{"long echo is cut", `{"id": "x", "declared_unit": "` + strings.Repeat("9", 100) + ` t"}`, `declared_unit: number longer than 64 characters`},
		{"long value quoted short", `{"id": "x", "declared_unit": "` + strings.Repeat("a", 1000) + `"}`, `"` + strings.Repeat("a", 40) + `"…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(FormatOpenEPD, "d.json", []byte(tt.doc))
			wantErr(t, err, ErrMalformed, tt.msg)
		})
	}
}

func TestOpenEPDDensityStated(t *testing.T) {
	d, err := Parse(FormatOpenEPD, "d.json", []byte(`{"id": "x", "declared_unit": "2 m3", "density": {"qty": "2400.0", "unit": "kg/m3"}, "kg_per_declared_unit": "4700 kg"}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Density == nil || d.Density.String() != "2400" {
		t.Errorf("density %v, want the stated 2400", d.Density)
	}
	d, err = Parse(FormatOpenEPD, "d.json", []byte(`{"id": "x", "declared_unit": "3 m3", "kg_per_declared_unit": "7000 kg"}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Density != nil || !strings.Contains(strings.Join(d.Notes, "\n"), "not an exact number of kg/m3") {
		t.Errorf("density %v notes %q, want none and a note (7000/3 is not exact)", d.Density, d.Notes)
	}
	d, err = Parse(FormatOpenEPD, "d.json", []byte(`{"id": "x", "declared_unit": "2 m3", "kg_per_declared_unit": {"qty": 4.7, "unit": "t"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Density == nil || d.Density.String() != "2350" {
		t.Errorf("density %v, want 4.7 t / 2 m3 = 2350", d.Density)
	}
}

func TestProblems(t *testing.T) {
	d, err := Parse(FormatOpenEPD, "d.json", []byte(`{"id": "x", "declared_unit": "0 t", "impacts": {"TRACI 2.1": {"gwp": {"A4": {"mean": 1}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Join(d.Problems(), "\n")
	for _, w := range []string{"declared unit: missing or not a positive amount", "results: no GWP result for A1-A3"} {
		if !strings.Contains(p, w) {
			t.Errorf("Problems() %q lack %q", p, w)
		}
	}
}

func TestParseFormat(t *testing.T) {
	_, err := Parse("pdf", "x.pdf", []byte("%PDF"))
	wantErr(t, err, ErrFormat, `EPD x.pdf: format: unknown format "pdf"; use ilcd+epd or openepd`)
	_, err = Parse(FormatOpenEPD, "", []byte("{"))
	wantErr(t, err, ErrMalformed, "EPD document: ")
}

func TestMalformedFixtures(t *testing.T) {
	for _, tt := range []struct{ format, file, msg string }{
		{FormatILCD, "truncated-process.xml", "EPD truncated-process.xml: line "},
		{FormatOpenEPD, "truncated.json", "EPD truncated.json: byte "},
	} {
		raw, err := os.ReadFile(filepath.Join("testdata", "malformed", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(tt.format, tt.file, raw)
		wantErr(t, err, ErrMalformed, tt.msg)
	}
}

func BenchmarkParseILCDArchive(b *testing.B) {
	raw := zipDir(b, filepath.Join("testdata", "ilcd", "rebar-a2"))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(FormatILCD, "a.zip", raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOpenEPD(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "openepd", "rebar-traci.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(FormatOpenEPD, "d.json", raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseDeep is the cost of refusing a document nested past
// MaxDepth: reading stops at the 65th level, not at the end.
func BenchmarkRefuseDeep(b *testing.B) {
	raw := []byte(strings.Repeat("<a>", 1_000_000))
	for b.Loop() {
		if _, err := Parse(FormatILCD, "d.xml", raw); !errors.Is(err, ErrTooLarge) {
			b.Fatal(err)
		}
	}
}

// TestValidity: the most precise end of validity a document states is
// taken (a day over a year), a year alone is marked year-only, and a
// disagreement is noted.
func TestValidity(t *testing.T) {
	flow := File{flowFor, []byte(okFlow)}
	ilcdTime := func(inner string) string {
		return `<time xmlns:epd24="http://www.indata.network/EPD/2024">` + inner + `</time>`
	}
	tests := []struct {
		name     string
		ilcd     string // the process's <time> content, or
		openepd  string // the openEPD validity fields
		valid    string
		yearOnly bool
		field    string
		note     string
	}{
		{name: "ILCD year only", ilcd: `<common:dataSetValidUntil>2025</common:dataSetValidUntil>`,
			valid: "2025-12-31", yearOnly: true, field: fieldValidUntil},
		{name: "ILCD year and expiration date", ilcd: `<common:dataSetValidUntil>2025</common:dataSetValidUntil><common:other><epd24:expirationDateOfEPD>2025-05-07</epd24:expirationDateOfEPD></common:other>`,
			valid: "2025-05-07", field: fieldExpiration},
		{name: "ILCD expiration date alone", ilcd: `<common:other><epd24:expirationDateOfEPD>2026-02-28</epd24:expirationDateOfEPD></common:other>`,
			valid: "2026-02-28", field: fieldExpiration},
		{name: "ILCD year and a date in another year", ilcd: `<common:dataSetValidUntil>2026</common:dataSetValidUntil><common:other><epd24:expirationDateOfEPD>2025-05-07</epd24:expirationDateOfEPD></common:other>`,
			valid: "2025-05-07", field: fieldExpiration, note: "epd24:expirationDateOfEPD (2025-05-07) and processInformation/time/common:dataSetValidUntil (2026, year only) disagree"},
		{name: "ILCD malformed expiration date", ilcd: `<common:dataSetValidUntil>2025</common:dataSetValidUntil><common:other><epd24:expirationDateOfEPD>7 May</epd24:expirationDateOfEPD></common:other>`,
			valid: "2025-12-31", yearOnly: true, field: fieldValidUntil, note: `epd24:expirationDateOfEPD: "7 May" is not a year or a date`},
		{name: "ILCD full date", ilcd: `<common:dataSetValidUntil>2027-03-01</common:dataSetValidUntil>`,
			valid: "2027-03-01", field: fieldValidUntil},
		{name: "openEPD year and date", openepd: `"valid_until": "2025", "date_validity_ends": "2025-05-07"`,
			valid: "2025-05-07", field: "date_validity_ends"},
		{name: "openEPD date-time", openepd: `"date_validity_ends": "2025-05-07T00:00:00Z"`,
			valid: "2025-05-07", field: "date_validity_ends"},
		{name: "openEPD year only", openepd: `"date_validity_ends": "2025"`,
			valid: "2025-12-31", yearOnly: true, field: "date_validity_ends"},
		{name: "openEPD two dates: the earlier", openepd: `"valid_until": "2026-01-31", "date_validity_ends": "2025-12-31"`,
			valid: "2025-12-31", field: "date_validity_ends", note: "date_validity_ends (2025-12-31) and valid_until (2026-01-31) disagree; date_validity_ends is taken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d *Declaration
			var err error
			if tc.ilcd != "" {
				d, err = ParseILCD("p.xml", []byte(process(okRef, okExch, okLCIA, ilcdTime(tc.ilcd))), flow)
			} else {
				d, err = Parse(FormatOpenEPD, "v.json", []byte(`{"id": "v", "declared_unit": "1 t", `+tc.openepd+`}`))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.ValidUntil.Format(time.DateOnly); got != tc.valid || d.ValidUntilYearOnly != tc.yearOnly || d.ValidUntilField != tc.field {
				t.Errorf("valid until %s year-only %v from %q, want %s %v from %q", got, d.ValidUntilYearOnly, d.ValidUntilField, tc.valid, tc.yearOnly, tc.field)
			}
			notes := strings.Join(d.Notes, "\n")
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", notes, tc.note)
			}
			if tc.note == "" && strings.Contains(notes, "disagree") {
				t.Errorf("unexpected note %q", notes)
			}
		})
	}
}

// TestOpenEPDQuantities: openEPD quantity strings as EC3 writes them
// (number, unit expression with "/", "*" and "^" exponents, spaces
// optional); a malformed optional field (density, mass per declared unit,
// top-level gwp) is skipped with a warning; the top-level gwp is the A1-A3
// GWP when impacts declares none.
func TestOpenEPDQuantities(t *testing.T) {
	tests := []struct {
		name    string
		fields  string // added to {"id": "q", …}
		unit    string // want declared unit
		density string // want density, "" for none
		gwp     string // want the A1-A3 gwp read from the top-level field, "" for none
		warn    string // want a warning containing this, "" for none
	}{
		{name: "EC3 density", fields: `"declared_unit": "1 m3", "density": "2400 kg / m^3"`, unit: "1 m3", density: "2400"},
		{name: "no spaces", fields: `"declared_unit": "1m^3", "density": "2400kg/m3"`, unit: "1 m3", density: "2400"},
		{name: "tonne", fields: `"declared_unit": "1000 kg"`, unit: "1000 kg"},
		{name: "exponent kept", fields: `"declared_unit": "1 hour^-1"`, unit: "1 hour^-1"},
		{name: "product unit", fields: `"declared_unit": "1 t * km"`, unit: "1 t*km"},
		{name: "object m^3", fields: `"declared_unit": {"qty": 1, "unit": "m^3"}`, unit: "1 m3"},
		{name: "density in lb/ft3 warns", fields: `"declared_unit": "1 m3", "density": "150 lb / ft^3"`, unit: "1 m3", warn: `density: unit "lb/ft3", want kg/m3; no density taken`},
		{name: "malformed density warns", fields: `"declared_unit": "1 m3", "density": "heavy"`, unit: "1 m3", warn: `density: "heavy" is not an amount with a unit`},
		{name: "mass in lb warns", fields: `"declared_unit": "1 m3", "kg_per_declared_unit": {"qty": 5, "unit": "lb"}`, unit: "1 m3", warn: `kg_per_declared_unit: unit "lb", want kg or t; no density taken`},
		{name: "top-level gwp", fields: `"declared_unit": "1 m3", "gwp": "301.5 kgCO2e"`, unit: "1 m3", gwp: "301.5"},
		{name: "top-level gwp beside impacts A1-A3", fields: `"declared_unit": "1 t", "gwp": "1 kgCO2e", "impacts": {"TRACI 2.1": {"gwp": {"A1A2A3": {"mean": 780}}}}`, unit: "1 t"},
		{name: "top-level gwp without unit warns", fields: `"declared_unit": "1 t", "gwp": 301`, unit: "1 t", warn: "gwp: a number without a unit"},
		{name: "top-level gwp not CO2 warns", fields: `"declared_unit": "1 t", "gwp": "301 kg"`, unit: "1 t", warn: `gwp: unit "kg" is not a CO2 equivalent`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(FormatOpenEPD, "q.json", []byte(`{"id": "q", `+tc.fields+`}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.DeclaredUnit.Amount.String() + " " + d.DeclaredUnit.Unit; got != tc.unit {
				t.Errorf("declared unit %q, want %q", got, tc.unit)
			}
			dens := ""
			if d.Density != nil {
				dens = d.Density.String()
			}
			if dens != tc.density {
				t.Errorf("density %q, want %q", dens, tc.density)
			}
			gwp := ""
			for _, r := range d.Results {
				if r.From == "gwp" {
					gwp = r.Value.String()
					if r.Module != "A1-A3" || r.Indicator != "gwp" || r.Set != "" {
						t.Errorf("top-level gwp read as %+v", r)
					}
				}
			}
			if gwp != tc.gwp {
				t.Errorf("top-level gwp %q, want %q", gwp, tc.gwp)
			}
			ws := strings.Join(d.Warnings, "\n")
			if tc.warn == "" && ws != "" || !strings.Contains(ws, tc.warn) {
				t.Errorf("warnings %q, want %q", ws, tc.warn)
			}
			if len(ws) > 0 && !strings.Contains(strings.Join(d.Notes, "\n"), d.Warnings[0]) {
				t.Errorf("warning %q is not among the notes", d.Warnings[0])
			}
		})
	}
}

// TestStandardFromEvidence: a document naming EN 15804 without its
// amendment gets the one its GWP indicators show, with the evidence.
func TestStandardFromEvidence(t *testing.T) {
	flow := File{flowFor, []byte(okFlow)}
	lcia := func(descs ...string) string {
		var b strings.Builder
		for _, desc := range descs {
			b.WriteString(`<LCIAResult><referenceToLCIAMethodDataSet><common:shortDescription>` + desc + `</common:shortDescription></referenceToLCIAMethodDataSet><common:other><epd:amount epd:module="A1-A3">5</epd:amount></common:other></LCIAResult>`)
		}
		return b.String()
	}
	compliance := func(std string) string {
		return `</processInformation><modellingAndValidation><complianceDeclarations><compliance><common:referenceToComplianceSystem><common:shortDescription>` + std +
			`</common:shortDescription></common:referenceToComplianceSystem></compliance></complianceDeclarations></modellingAndValidation><processInformation>`
	}
	tests := []struct {
		name     string
		ilcd     [2]string // standard, LCIA results
		openepd  string
		standard string
		evidence string // in StandardEvidence, "" for none
		note     string
	}{
		{name: "CML GWP alone is +A1", ilcd: [2]string{"EN 15804", lcia("Global warming potential (GWP)")}, standard: "EN 15804+A1", evidence: "its only GWP indicator is GWP"},
		{name: "EF climate change is +A2", ilcd: [2]string{"EN 15804", lcia("Climate change - total", "Climate change - fossil")}, standard: "EN 15804+A2", evidence: "its GWP indicators GWP-total, GWP-fossil are EF 3.x's"},
		{name: "GWP-fossil code is +A2", ilcd: [2]string{"EN 15804:2012", lcia("Global Warming Potential fossil fuels (GWP-fossil)")}, standard: "EN 15804+A2", evidence: "GWP-fossil are EF 3.x's"},
		{name: "both kinds stay", ilcd: [2]string{"EN 15804", lcia("Global warming potential (GWP)", "Climate change - total")}, standard: "EN 15804", note: "do not tell +A1 from +A2"},
		{name: "named amendment kept", ilcd: [2]string{"EN 15804+A1", lcia("Climate change - total")}, standard: "EN 15804+A1"},
		{name: "ISO 21930 untouched", ilcd: [2]string{"ISO 21930:2017", lcia("Global warming potential (GWP)")}, standard: "ISO 21930"},
		{name: "openEPD EF 3.0 is +A2", openepd: `"standard": "EN 15804", "impacts": {"EF 3.0": {"gwp": {"A1A2A3": {"mean": 5}}}}`, standard: "EN 15804+A2", evidence: "GWP-total are EF 3.x's"},
		{name: "openEPD TRACI stays", openepd: `"standard": "EN 15804", "impacts": {"TRACI 2.1": {"gwp": {"A1A2A3": {"mean": 5}}}}`, standard: "EN 15804", note: "do not tell"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d *Declaration
			var err error
			if tc.openepd == "" {
				d, err = ParseILCD("p.xml", []byte(process(okRef, okExch, tc.ilcd[1], compliance(tc.ilcd[0]))), flow)
			} else {
				d, err = Parse(FormatOpenEPD, "s.json", []byte(`{"id": "s", "declared_unit": "1 t", `+tc.openepd+`}`))
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Standard != tc.standard {
				t.Errorf("standard %q, want %q", d.Standard, tc.standard)
			}
			if tc.evidence == "" && d.StandardEvidence != "" || !strings.Contains(d.StandardEvidence, tc.evidence) {
				t.Errorf("evidence %q, want %q", d.StandardEvidence, tc.evidence)
			}
			if notes := strings.Join(d.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", notes, tc.note)
			}
		})
	}
}

// TestILCDRegistrationFromSynonyms: the registration number among the
// synonyms and the program operator as a data source, as EPD
// International's exports carry them, when the publication fields are
// empty; the publication fields win when given.
func TestILCDRegistrationFromSynonyms(t *testing.T) {
	flow := File{flowFor, []byte(okFlow)}
	withDSI := func(synonyms, sources, entry, pub string) string {
		p := process(okRef, okExch, okLCIA, "")
		p = strings.Replace(p, "<name><baseName>X</baseName></name>", "<name><baseName>X</baseName></name>"+synonyms, 1)
		return strings.Replace(p, "</processInformation>", "</processInformation><modellingAndValidation><dataSourcesTreatmentAndRepresentativeness>"+sources+
			"</dataSourcesTreatmentAndRepresentativeness></modellingAndValidation><administrativeInformation><dataEntryBy>"+entry+"</dataEntryBy><publicationAndOwnership>"+pub+"</publicationAndOwnership></administrativeInformation>", 1)
	}
	src := func(desc string) string {
		return `<referenceToDataSource><common:shortDescription xml:lang="en">` + desc + `</common:shortDescription></referenceToDataSource>`
	}
	tests := []struct {
		name, synonyms, sources, entry, pub string
		reg, operator                       string
	}{
		{name: "S-P number and the International EPD System",
			synonyms: `<common:synonyms xml:lang="en">S-P-01234; concrete</common:synonyms>`, sources: src("ecoinvent 3.8") + src("The International EPD System"),
			reg: "S-P-01234", operator: "The International EPD System"},
		{name: "EPD-IES number with version, other language first",
			synonyms: `<common:synonyms xml:lang="sv">betong</common:synonyms><common:synonyms xml:lang="en">ready-mix, EPD-IES-0012345:002</common:synonyms>`, sources: src("EPD International AB"),
			reg: "EPD-IES-0012345:002", operator: "EPD International AB"},
		{name: "background database is no operator", synonyms: `<common:synonyms>concrete; C30/37</common:synonyms>`, sources: src("GaBi database")},
		// As EPD International's exports write them (b56530ee-77bf-49bd-7997-08d972c43176,
		// epd/testdata/real/environdec-wood-flooring): both numbers in one synonym, and
		// the programme only as the entity entering the data.
		{name: "EPD-IES and S-P number together, operator entering the data",
			synonyms: `<common:synonyms xml:lang="en">EPD-IES-0003435:001 (S-P-03435)</common:synonyms>`, sources: src("ecoinvent 3.8 database"),
			entry: `<common:referenceToPersonOrEntityEnteringTheData><common:shortDescription xml:lang="en">The International EPD System</common:shortDescription></common:referenceToPersonOrEntityEnteringTheData>`,
			reg:   "EPD-IES-0003435:001 (S-P-03435)", operator: "The International EPD System"},
		{name: "an LCA consultant entering the data is no operator",
			synonyms: `<common:synonyms>EPD-IES-0003435 (EPD-IES-1)</common:synonyms>`,
			entry:    `<common:referenceToPersonOrEntityEnteringTheData><common:shortDescription>brands and values GmbH</common:shortDescription></common:referenceToPersonOrEntityEnteringTheData>`},
		{name: "publication fields win",
			synonyms: `<common:synonyms>S-P-01234</common:synonyms>`, sources: src("The International EPD System"),
			pub: `<common:registrationNumber>EPD-EXA-1</common:registrationNumber><common:referenceToRegistrationAuthority><common:shortDescription>Example Operator</common:shortDescription></common:referenceToRegistrationAuthority>`,
			reg: "EPD-EXA-1", operator: "Example Operator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseILCD("p.xml", []byte(withDSI(tc.synonyms, tc.sources, tc.entry, tc.pub)), flow)
			if err != nil {
				t.Fatal(err)
			}
			if d.RegistrationNumber != tc.reg || d.ProgramOperator != tc.operator {
				t.Errorf("registration %q operator %q, want %q %q", d.RegistrationNumber, d.ProgramOperator, tc.reg, tc.operator)
			}
			notes := strings.Join(d.Notes, "\n")
			if tc.reg != "" && tc.pub == "" && !strings.Contains(notes, "read from processInformation/dataSetInformation/common:synonyms") {
				t.Errorf("notes %q do not say where the registration number was read", notes)
			}
			if tc.entry != "" && tc.operator != "" && !strings.Contains(notes, "read from administrativeInformation/dataEntryBy/common:referenceToPersonOrEntityEnteringTheData") {
				t.Errorf("notes %q do not say where the program operator was read", notes)
			}
		})
	}
}
