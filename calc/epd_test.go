package calc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// a2Rebar is an EN 15804+A2 rebar declaration with GWP-total A1-A3.
func a2Rebar() *epd.Declaration {
	return &epd.Declaration{Format: epd.FormatILCD, ID: "5c1e9d3a-0000-4000-8000-000000000001", Name: "Reinforcing steel",
		RegistrationNumber: "S-P-01234", ProgramOperator: "EPD International", Standard: "EN 15804+A2",
		ValidUntil: day("2027-12-31"), DeclaredUnit: epd.Quantity{Amount: dec("1"), Unit: "t"},
		Results: []epd.Result{
			{Indicator: "GWP-fossil", Module: "A1-A3", Value: dec("770.1")},
			{Indicator: "GWP-total", Module: "A1-A3", Value: dec("780.5")},
			{Indicator: "GWP-total", Module: "C3", Value: dec("3")},
		},
		SHA256: strings.Repeat("a", 64)}
}

func epdLine(id, activity, qty, unit string, d *epd.Declaration) calc.Line {
	return calc.Line{ID: id, Activity: activity, Region: "US", Quantity: dec(qty), Unit: unit,
		Factor: &calc.ProductFactor{EPD: &calc.EPDDocument{Format: d.Format, File: "rebar.xml", Raw: []byte("<x/>"), Declaration: d}}}
}

func epdWorld(t *testing.T) (*calc.Engine, *methods.Registry) {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return calc.NewEngine(lib), reg
}

// TestEPDRules runs the method rules on declarations built in Go: which
// indicator, which modules, validity, unit conversion.
func TestEPDRules(t *testing.T) {
	eng, reg := epdWorld(t)
	tests := []struct {
		name     string
		method   string
		edit     func(d *epd.Declaration)
		activity string
		qty      string
		unit     string
		date     string
		through  string
		kg       string // want kg CO2e (exact), "" when an error is wanted
		err      string // want error text
		warn     string // want a warning containing this
		noWarn   bool
		summed   string // want summed_from, joined with ","
		valid    string // want the line's valid_until
		from     string // want value_from
		evidence string // want standard_evidence containing this
	}{
		{name: "A2 GWP-total A1-A3", method: "eu-gpp@2025.3", kg: "9756.25", qty: "12.5", noWarn: true},
		{name: "A1+A2+A3 summed exactly", method: "eu-gpp@2025.3", qty: "2", kg: "1560.246", noWarn: true, summed: "A1,A2,A3", edit: func(d *epd.Declaration) {
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A1", Value: dec("700.1")}, {Indicator: "GWP-total", Module: "A2", Value: dec("20.02")},
				{Indicator: "GWP-total", Module: "A3", Value: dec("60.003")}, {Indicator: "GWP-total", Module: "A4", Value: dec("9")}}
		}},
		{name: "A1+A2+A3 summed by the reader", method: "eu-gpp@2025.3", qty: "2", kg: "1560.246", noWarn: true, summed: "A1,A2,A3", edit: func(d *epd.Declaration) {
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A1", Value: dec("700.1")}, {Indicator: "GWP-total", Module: "A2", Value: dec("20.02")},
				{Indicator: "GWP-total", Module: "A3", Value: dec("60.003")},
				{Indicator: "GWP-total", Module: "A1-A3", Value: dec("780.123"), Summed: true, SummedFrom: []string{"A1", "A2", "A3"}}}
		}},
		{name: "A1-A3 given wins over parts", method: "eu-gpp@2025.3", qty: "1", kg: "780.5", edit: func(d *epd.Declaration) {
			d.Results = append(d.Results, epd.Result{Indicator: "GWP-total", Module: "A1", Value: dec("1")})
		}},
		{name: "en dash module", method: "eu-gpp@2025.3", qty: "1", kg: "5", edit: func(d *epd.Declaration) {
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A1–A3", Value: dec("5")}}
		}},
		{name: "A1 standard: GWP with warning", method: "eu-gpp@2025.3", qty: "2", kg: "1500", warn: "EN 15804+A1", edit: func(d *epd.Declaration) {
			d.Standard = "EN 15804+A1"
			d.Results = []epd.Result{{Indicator: "GWP", Module: "A1-A3", Value: dec("750")}}
		}},
		{name: "no A1-A3 refused", method: "eu-gpp@2025.3", qty: "1", err: "declares GWP-total for A2, A4, C3 only, not for A1-A3 nor A1, A2, A3 separately", edit: func(d *epd.Declaration) {
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A2", Value: dec("1")}, {Indicator: "GWP-total", Module: "A4", Value: dec("1")}, {Indicator: "GWP-total", Module: "C3", Value: dec("1")}}
		}},
		{name: "no accepted indicator", method: "eu-gpp@2025.3", qty: "1", err: "EPD S-P-01234 (rebar.xml) declares none of the indicators method eu-gpp@2025.3 accepts (GWP-total under EN 15804+A2, or GWP under EN 15804+A1): it declares GWP-fossil under EN 15804+A2", edit: func(d *epd.Declaration) {
			d.Results = []epd.Result{{Indicator: "GWP-fossil", Module: "A1-A3", Value: dec("1")}}
		}},
		{name: "GWP under EN 15804 without amendment", method: "eu-gpp@2025.3", qty: "1", err: "declares none of the indicators method eu-gpp@2025.3 accepts (GWP-total under EN 15804+A2, or GWP under EN 15804+A1): it declares GWP, gwp (TRACI 2.1) under EN 15804 without its amendment (its indicators do not tell +A1 from +A2)", edit: func(d *epd.Declaration) {
			d.Standard = "EN 15804"
			d.Results = []epd.Result{{Indicator: "GWP", Module: "A1-A3", Value: dec("1")}, {Indicator: "gwp", Set: "TRACI 2.1", Module: "A1-A3", Value: dec("1")}}
		}},
		{name: "A1 read from the indicators: GWP with warning", method: "eu-gpp@2025.3", qty: "2", kg: "1500", warn: "EN 15804+A1", evidence: "its only GWP indicator is GWP", edit: func(d *epd.Declaration) {
			d.Standard, d.StandardEvidence = "EN 15804+A1", "the document names EN 15804 without its amendment; its only GWP indicator is GWP"
			d.Results = []epd.Result{{Indicator: "GWP", Module: "A1-A3", Value: dec("750")}}
		}},
		{name: "expired", method: "eu-gpp@2025.3", qty: "1", date: "2025-06-01", err: "EPD S-P-01234 (rebar.xml) expired on 2025-03-01", edit: func(d *epd.Declaration) {
			d.ValidUntil = day("2025-03-01")
		}},
		{name: "valid on its last day", method: "eu-gpp@2025.3", qty: "1", date: "2025-03-01", kg: "780.5", warn: "expires on 2025-03-01", edit: func(d *epd.Declaration) {
			d.ValidUntil = day("2025-03-01")
		}},
		{name: "expiring within the method's days", method: "eu-gpp@2025.3", qty: "1", date: "2026-01-10", kg: "780.5", warn: "EPD S-P-01234 (rebar.xml) expires on 2026-02-01, within 90 days", edit: func(d *epd.Declaration) {
			d.ValidUntil = day("2026-02-01")
		}},
		{name: "expiring within the tender period", method: "eu-gpp@2025.3", qty: "1", date: "2026-01-10", through: "2026-12-31", kg: "780.5", warn: "within the tender period (until 2026-12-31)", edit: func(d *epd.Declaration) {
			d.ValidUntil = day("2026-06-30")
		}},
		{name: "valid through the tender period", method: "eu-gpp@2025.3", qty: "1", date: "2026-01-10", through: "2026-02-01", kg: "780.5", noWarn: true, edit: func(d *epd.Declaration) {
			d.ValidUntil = day("2026-03-01")
		}},
		{name: "year only, bid in that year", method: "eu-gpp@2025.3", qty: "1", date: "2027-06-01", kg: "780.5", valid: "2027",
			warn: "EPD S-P-01234 (rebar.xml) is valid until 2027 (year only: the document gives no day) and the bid is dated 2027-06-01, in that year", edit: func(d *epd.Declaration) {
				d.ValidUntilYearOnly = true
			}},
		{name: "year only, period into the next year", method: "eu-gpp@2025.3", qty: "1", date: "2025-11-15", through: "2027-03-31", kg: "780.5", valid: "2026",
			warn: "EPD S-P-01234 (rebar.xml) is valid until 2026 (year only), within the tender period (until 2027-03-31)", edit: func(d *epd.Declaration) {
				d.ValidUntil, d.ValidUntilYearOnly = day("2026-12-31"), true
			}},
		{name: "year only, bid the year before", method: "eu-gpp@2025.3", qty: "1", kg: "780.5", valid: "2027", noWarn: true, edit: func(d *epd.Declaration) {
			d.ValidUntilYearOnly = true
		}},
		{name: "year only, expired", method: "eu-gpp@2025.3", qty: "1", date: "2028-01-01", err: "EPD S-P-01234 (rebar.xml) is valid until 2027 (year only), so at the latest through 31 December 2027; the bid is dated 2028-01-01", edit: func(d *epd.Declaration) {
			d.ValidUntilYearOnly = true
		}},
		{name: "day given", method: "eu-gpp@2025.3", qty: "1", kg: "780.5", valid: "2027-12-31", noWarn: true},
		{name: "mass to mass exact", method: "eu-gpp@2025.3", qty: "2", kg: "1561", edit: func(d *epd.Declaration) {
			d.DeclaredUnit = epd.Quantity{Amount: dec("1000"), Unit: "kg"}
		}},
		{name: "per 1 kg to t", method: "eu-gpp@2025.3", qty: "0.5", kg: "390.25", edit: func(d *epd.Declaration) {
			d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: "kg"}
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A1-A3", Value: dec("0.7805")}}
		}},
		{name: "volume declared, mass line, with density", method: "eu-gpp@2025.3", qty: "15.7", kg: "4000", edit: func(d *epd.Declaration) {
			d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: "m3"}
			rho := dec("7850")
			d.Density = &rho
			d.Results = []epd.Result{{Indicator: "GWP-total", Module: "A1-A3", Value: dec("2000")}}
		}},
		{name: "volume declared, mass line, no density", method: "eu-gpp@2025.3", qty: "1", err: "declared unit m3 cannot be converted to t for material.steel.rebar (a volume converts to a mass only with a density the EPD states", edit: func(d *epd.Declaration) {
			d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: "m3"}
		}},
		{name: "mass declared, volume line, with density", method: "us-federal@2025.3", activity: "material.concrete.fc_4000psi", unit: "m3", qty: "10", kg: "3600", edit: func(d *epd.Declaration) {
			d.Standard, d.Format = "ISO 21930", epd.FormatOpenEPD
			d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: "t"}
			rho := dec("2400")
			d.Density = &rho
			d.Results = []epd.Result{{Indicator: "gwp", Set: "TRACI 2.1", Module: "A1-A3", Value: dec("150")}}
		}},
		{name: "m2 to t refused", method: "eu-gpp@2025.3", qty: "1", err: "declared unit m2 cannot be converted to t for material.steel.rebar", edit: func(d *epd.Declaration) {
			d.DeclaredUnit = epd.Quantity{Amount: dec("1"), Unit: "m2"}
		}},
		{name: "method without rules", method: "eu-gpp@2025.2", qty: "1", err: "method eu-gpp@2025.2 declares no EPD rules; give factor.kg_co2e, factor.per and factor.reference"},
		{name: "us: TRACI preferred", method: "us-federal@2025.3", qty: "1", kg: "850", noWarn: true, edit: func(d *epd.Declaration) {
			d.Standard, d.Format = "ISO 21930:2017", epd.FormatOpenEPD
			d.Results = []epd.Result{{Indicator: "gwp", Set: "EF 3.0", Module: "A1-A3", Value: dec("900")}, {Indicator: "gwp", Set: "TRACI 2.1", Module: "A1-A3", Value: dec("850")}}
		}},
		{name: "us: other single set warns", method: "us-federal@2025.3", qty: "1", kg: "900", warn: "not declared under TRACI 2.1", edit: func(d *epd.Declaration) {
			d.Standard, d.Format = "ISO 21930", epd.FormatOpenEPD
			d.Results = []epd.Result{{Indicator: "gwp", Set: "EF 3.0", Module: "A1-A3", Value: dec("900")}}
		}},
		{name: "us: top-level gwp", method: "us-federal@2025.3", qty: "1", kg: "900", from: "gwp",
			warn: "EPD S-P-01234 (rebar.xml): GWP A1-A3 is the document's top-level gwp (its impacts declare no A1-A3 GWP)", edit: func(d *epd.Declaration) {
				d.Standard, d.Format = "ISO 21930", epd.FormatOpenEPD
				d.Results = []epd.Result{{Indicator: "gwp", Module: "A1-A3", Value: dec("900"), Unit: "kgCO2e", From: "gwp"}}
			}},
		{name: "reader's warning on the line", method: "eu-gpp@2025.3", qty: "1", kg: "780.5", warn: `EPD S-P-01234 (rebar.xml): density: unit "lb/ft3", want kg/m3; no density taken`, edit: func(d *epd.Declaration) {
			d.Warnings = []string{`density: unit "lb/ft3", want kg/m3; no density taken`}
		}},
		{name: "us: EN 15804 GWP-total is not the limits' GWP", method: "us-federal@2025.3", qty: "1", err: "declares none of the indicators method us-federal@2025.3 accepts (GWP (TRACI 2.1) under ISO 21930, or GWP under ISO 21930): it declares GWP-fossil, GWP-total under EN 15804+A2"},
		{name: "no date", method: "eu-gpp@2025.3", qty: "1", date: "-", err: "the bid needs a date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := reg.Resolve(tc.method)
			if err != nil {
				t.Fatal(err)
			}
			d := a2Rebar()
			if tc.edit != nil {
				tc.edit(d)
			}
			// The engine caches a line's recipe by the document's SHA-256:
			// each case is another document.
			sum := sha256.Sum256([]byte(tc.name))
			d.SHA256 = hex.EncodeToString(sum[:])
			act, unit := "material.steel.rebar", "t"
			if tc.activity != "" {
				act, unit = tc.activity, tc.unit
			}
			bid := calc.Bid{Reference: "T", Date: "2026-01-10", ValidThrough: tc.through, Lines: []calc.Line{epdLine("1", act, tc.qty, unit, d)}}
			if tc.date != "" {
				bid.Date = strings.TrimPrefix(tc.date, "-")
			}
			fp, err := eng.Calculate(m, bid)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if !errors.Is(err, calc.ErrProductFactor) {
					t.Errorf("err is not a product-factor error: %v", err)
				}
				if fp != nil && fp.Lines[0].Field != "factor.epd" && fp.Lines[0].Field != "factor" {
					t.Errorf("field %q", fp.Lines[0].Field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := fp.Lines[0]
			if !l.KgCO2e.Equal(dec(tc.kg)) {
				t.Errorf("kg CO2e %s, want %s", l.KgCO2e, tc.kg)
			}
			if l.EPD == nil || l.EPD.SHA256 != d.SHA256 || l.EPD.Modules != "A1-A3" {
				t.Fatalf("epd %+v", l.EPD)
			}
			if tc.evidence == "" && l.EPD.StandardEvidence != "" || !strings.Contains(l.EPD.StandardEvidence, tc.evidence) {
				t.Errorf("standard_evidence %q, want %q", l.EPD.StandardEvidence, tc.evidence)
			}
			if l.EPD.ValueFrom != tc.from {
				t.Errorf("value_from %q, want %q", l.EPD.ValueFrom, tc.from)
			}
			if got := strings.Join(l.EPD.SummedFrom, ","); got != tc.summed {
				t.Errorf("summed_from %q, want %q", got, tc.summed)
			}
			if tc.valid != "" && l.EPD.ValidUntil != tc.valid {
				t.Errorf("valid_until %q, want %q", l.EPD.ValidUntil, tc.valid)
			}
			if tc.valid != "" && l.EPD.ValidUntilYearOnly != (len(tc.valid) == 4) {
				t.Errorf("valid_until_year_only %v for %q", l.EPD.ValidUntilYearOnly, tc.valid)
			}
			ws := strings.Join(l.Warnings, "\n")
			if tc.warn != "" && !strings.Contains(ws, tc.warn) {
				t.Errorf("warnings %q lack %q", ws, tc.warn)
			}
			if tc.noWarn && len(l.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", ws)
			}
		})
	}
}

// TestEPDEngineResult: the line records the EPD identity, the receipt the
// file's SHA-256, the GSA rebar limit is checked with the EPD's value, and
// AppendJSON still writes what json.Marshal writes.
func TestEPDEngineResult(t *testing.T) {
	eng, reg := epdWorld(t)
	m, err := reg.Resolve("us-federal@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	d := a2Rebar()
	d.Format, d.Standard = epd.FormatOpenEPD, "ISO 21930"
	d.Results = []epd.Result{{Indicator: "gwp", Set: "TRACI 2.1", Module: "A1", Value: dec("800")}, {Indicator: "gwp", Set: "TRACI 2.1", Module: "A2", Value: dec("10")},
		{Indicator: "gwp", Set: "TRACI 2.1", Module: "A3", Value: dec("40")}}
	other := a2Rebar()
	other.Format, other.Standard, other.SHA256, other.RegistrationNumber = epd.FormatOpenEPD, "ISO 21930", strings.Repeat("b", 64), "EC3-2"
	other.Results = []epd.Result{{Indicator: "gwp", Set: "TRACI 2.1", Module: "A1-A3", Value: dec("600"), From: "gwp"}}
	other.ValidUntilYearOnly = true // AppendJSON writes valid_until_year_only as json.Marshal does
	bid := calc.Bid{Reference: "T", Date: "2026-01-10", Lines: []calc.Line{
		epdLine("1", "material.steel.rebar", "12.5", "t", d),
		epdLine("2", "material.steel.rebar", "12.5", "t", other), // same line but another document: not the cached recipe
		epdLine("3", "material.steel.rebar", "1", "t", d),
	}}
	fp, err := eng.Calculate(m, bid)
	if err != nil {
		t.Fatal(err)
	}
	if !fp.Lines[0].KgCO2e.Equal(dec("10625")) || !fp.Lines[1].KgCO2e.Equal(dec("7500")) {
		t.Errorf("kg %s %s", fp.Lines[0].KgCO2e, fp.Lines[1].KgCO2e)
	}
	e := fp.Lines[0].EPD
	want := calc.EPDUsed{File: "rebar.xml", Format: "openepd", ID: d.ID, Name: d.Name, RegistrationNumber: "S-P-01234", ProgramOperator: "EPD International",
		Standard: "ISO 21930", ValidUntil: "2027-12-31", Indicator: "GWP", Set: "TRACI 2.1", Modules: "A1-A3", SummedFrom: []string{"A1", "A2", "A3"},
		Value: "850", DeclaredUnit: "1 t", SHA256: d.SHA256}
	if g, w := mustJSON(t, e), mustJSON(t, want); g != w {
		t.Errorf("epd\n got %s\nwant %s", g, w)
	}
	if e2 := fp.Lines[1].EPD; e2.ValidUntil != "2027" || !e2.ValidUntilYearOnly {
		t.Errorf("year-only validity on the line: %q year_only=%v, want \"2027\" true", e2.ValidUntil, e2.ValidUntilYearOnly)
	}
	if got := strings.Join(fp.Receipt.EPDDigests, ","); got != d.SHA256+","+other.SHA256 {
		t.Errorf("receipt epd_digests %q", got)
	}
	// Limits: checked against the EPD value, as for the three fields.
	var checked int
	for _, lc := range fp.Limits {
		if lc.LineID != "1" || !strings.HasPrefix(lc.ID, "gsa-rebar-fab") {
			continue
		}
		checked++
		if lc.Unit != "kg CO2e/t" || !lc.Value.Equal(dec("850")) {
			t.Errorf("%s: value %s %s, want 850 kg CO2e/t", lc.ID, lc.Value, lc.Unit)
		}
		if lc.Pass != (dec("850").Cmp(lc.Limit) <= 0) {
			t.Errorf("%s: pass %v against limit %s", lc.ID, lc.Pass, lc.Limit)
		}
	}
	if checked == 0 {
		t.Error("no GSA rebar limit checked")
	}
	rep := fp.Report()
	marshal, _ := json.Marshal(rep)
	if got := rep.AppendJSON(nil); !bytes.Equal(got, marshal) {
		t.Errorf("AppendJSON differs from json.Marshal\n got %s\nwant %s", got, marshal)
	}
	if !bytes.Contains(marshal, []byte(`"epd_digests":["`+d.SHA256)) || !bytes.Contains(marshal, []byte(`"epd":{"file":"rebar.xml"`)) {
		t.Errorf("report lacks epd or epd_digests: %s", marshal)
	}
	// The input digest depends on the document's digest.
	bid2 := bid
	bid2.Lines = append([]calc.Line(nil), bid.Lines...)
	bid2.Lines[1] = epdLine("2", "material.steel.rebar", "12.5", "t", d)
	if calc.InputDigest(bid) == calc.InputDigest(bid2) {
		t.Error("input digest ignores the EPD document")
	}
}

// TestNoEPDNoNewFields: a bid without EPD documents reports neither "epd"
// nor "epd_digests", so earlier outputs keep their bytes.
func TestNoEPDNoNewFields(t *testing.T) {
	eng, reg := epdWorld(t)
	m, _ := reg.Resolve("us-federal@2025.3")
	fp, err := eng.Calculate(m, calc.Bid{Reference: "T", Lines: []calc.Line{{ID: "1", Activity: "material.steel.rebar", Region: "US", Quantity: dec("1"), Unit: "t",
		Factor: &calc.ProductFactor{KgCO2e: dec("780"), Per: "t", Reference: "EPD S-P-01234"}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := fp.JSON()
	if bytes.Contains(raw, []byte(`"epd`)) {
		t.Errorf("report mentions epd: %s", raw)
	}
}

// TestBidDates: dates are checked, and DefaultDate fills the date only for
// bids that carry an EPD.
func TestBidDates(t *testing.T) {
	eng, reg := epdWorld(t)
	m, _ := reg.Resolve("eu-gpp@2025.3")
	line := epdLine("1", "material.steel.rebar", "1", "t", a2Rebar())
	for _, tc := range []struct{ date, through, ptr string }{
		{"2026-13-01", "", "/date"},
		{"2026-01-10", "2025-01-01", "/valid_through"},
		{"", "2026-01-01", "/date"},
	} {
		_, err := eng.Calculate(m, calc.Bid{Reference: "T", Date: tc.date, ValidThrough: tc.through, Lines: []calc.Line{line}})
		var be *calc.BidError
		if !errors.As(err, &be) || be.Problems[0].Pointer != tc.ptr {
			t.Errorf("%s/%s: err %v, want a problem at %s", tc.date, tc.through, err, tc.ptr)
		}
	}
	now := time.Date(2026, 2, 3, 23, 0, 0, 0, time.FixedZone("X", -3*3600))
	b := calc.Bid{Lines: []calc.Line{line}}
	b.DefaultDate(now)
	if b.Date != "2026-02-04" {
		t.Errorf("date %q, want the UTC day 2026-02-04", b.Date)
	}
	plain := calc.Bid{Lines: []calc.Line{{ID: "1"}}}
	plain.DefaultDate(now)
	if plain.Date != "" {
		t.Errorf("a bid without EPD got date %q", plain.Date)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEPDIntlFixture runs an EPD International-style ILCD+EPD document
// (epd/testdata/ilcd/intl-a1-year) through eu-gpp@2025.3: the amendment
// read from its indicators, A1-A3 summed by the reader and recorded, the
// day of validity from its expiration date.
func TestEPDIntlFixture(t *testing.T) {
	eng, reg := epdWorld(t)
	m, err := reg.Resolve("eu-gpp@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	base := "../epd/testdata/ilcd/intl-a1-year/"
	proc, err := os.ReadFile(base + "processes/c0ffee05-0000-4000-8000-000000000005.xml")
	if err != nil {
		t.Fatal(err)
	}
	flow, err := os.ReadFile(base + "flows/c0ffee05-0000-4000-8000-0000000000f5.xml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := epd.ParseILCD("intl.xml", proc, epd.File{Name: "flow.xml", Data: flow})
	if err != nil {
		t.Fatal(err)
	}
	line := epdLine("1", "material.steel.rebar", "2.4", "t", d)
	line.Factor.EPD.File = "intl.xml"
	fp, err := eng.Calculate(m, calc.Bid{Reference: "T", Date: "2025-03-01", Lines: []calc.Line{line}})
	if err != nil {
		t.Fatal(err)
	}
	l := fp.Lines[0]
	e := l.EPD
	if !l.KgCO2e.Equal(dec("199.75")) || e.Standard != "EN 15804+A1" || !strings.Contains(e.StandardEvidence, "its only GWP indicator is GWP") ||
		strings.Join(e.SummedFrom, ",") != "A1,A2,A3" || e.ValidUntil != "2025-05-07" || e.ValidUntilYearOnly {
		t.Errorf("kg %s, epd %+v", l.KgCO2e, e)
	}
	// Registration number (from the synonyms) and program operator (the data
	// source) on the line, and the factor named by the registration number.
	if e.RegistrationNumber != "S-P-00000" || e.ProgramOperator != "The International EPD System" || l.Factor == nil || l.Factor.ID != "epd:S-P-00000" {
		t.Errorf("registration %q operator %q factor %+v", e.RegistrationNumber, e.ProgramOperator, l.Factor)
	}
	if ws := strings.Join(l.Warnings, "\n"); !strings.Contains(ws, "the EPD declares GWP under EN 15804+A1") || !strings.Contains(ws, "EPD S-P-00000 (intl.xml) expires on 2025-05-07") {
		t.Errorf("warnings %q", ws)
	}
}

// TestFlooringPerM2 computes an m2 line of a product category (flooring)
// from an openEPD declared per m2 under eu-gpp@2025.3, and checks the line
// says the EPD is the only evidence; a line of the same category without an
// EPD gets the dataset's "no factor" error, and a rebar EPD line, which has
// a generic factor, carries no such note.
func TestFlooringPerM2(t *testing.T) {
	eng, m, d := flooringWorld(t)
	line := epdLine("1", "material.flooring", "250", "m2", d)
	line.Region, line.Factor.EPD.File = "DE", "flooring-m2.json"
	rebar := epdLine("3", "material.steel.rebar", "1", "t", a2Rebar())
	rebar.Region = "DE"
	bare := calc.Line{ID: "2", Activity: "material.flooring", Region: "DE", Quantity: dec("250"), Unit: "m2"}
	_, err := eng.Calculate(m, calc.Bid{Reference: "T", Date: "2026-03-01", Lines: []calc.Line{bare}})
	if err == nil || !strings.Contains(err.Error(), "no factor for material.flooring in region DE in datasets") {
		t.Errorf("flooring line without EPD: %v, want the no-factor error naming material.flooring", err)
	}
	fp, err := eng.Calculate(m, calc.Bid{Reference: "T", Date: "2026-03-01", Lines: []calc.Line{line, rebar}})
	if err != nil {
		t.Fatal(err)
	}
	l := fp.Lines[0]
	if l.Error != "" || !l.KgCO2e.Equal(dec("2875")) || l.EPD == nil || l.EPD.Value != "11.5" || l.EPD.DeclaredUnit != "1 m2" {
		t.Errorf("flooring line: kg %s error %q epd %+v, want 2875 kg (250 m2 × 11.50 kg CO2e/m2)", l.KgCO2e, l.Error, l.EPD)
	}
	const note = "no generic factor and no procurement limit for material.flooring under eu-gpp@2025.3: the EPD's value is the only evidence"
	if !slices.Contains(l.Conversions, note) {
		t.Errorf("flooring conversions (the line's notes) %q lack %q", l.Conversions, note)
	}
	r := fp.Lines[1]
	if r.Error != "" {
		t.Fatalf("rebar line: %s", r.Error)
	}
	for _, n := range r.Conversions {
		if strings.Contains(n, "only evidence") {
			t.Errorf("rebar line (ÖKOBAUDAT has a generic factor) notes %q", n)
		}
	}
}

// TestEPDActivityFromClassification: a material.epd line takes its category
// from the EPD's own classification (the flooring fixture's openEPD
// category "Resilient Flooring"), and is refused when the document gives
// none, naming what it declares.
func TestEPDActivityFromClassification(t *testing.T) {
	eng, m, d := flooringWorld(t)
	line := epdLine("1", calc.EPDActivity, "250", "m2", d)
	line.Region, line.Factor.EPD.File = "DE", "flooring-m2.json"
	fp, err := eng.Calculate(m, calc.Bid{Reference: "T", Date: "2026-03-01", Lines: []calc.Line{line}})
	if err != nil {
		t.Fatal(err)
	}
	l := fp.Lines[0]
	wantNotes := []string{
		`activity material.epd: EPD S-P-55501 (flooring-m2.json) is classified as "category: Resilient Flooring", taken as material.flooring`,
		"no generic factor and no procurement limit for material.flooring under eu-gpp@2025.3: the EPD's value is the only evidence",
	}
	for _, n := range wantNotes {
		if !slices.Contains(l.Conversions, n) {
			t.Errorf("conversions %q lack %q", l.Conversions, n)
		}
	}
	if l.Error != "" || !l.KgCO2e.Equal(dec("2875")) {
		t.Errorf("kg %s error %q, want 2875", l.KgCO2e, l.Error)
	}

	rebar := epdLine("2", calc.EPDActivity, "1", "t", a2Rebar())
	rebar.Region = "DE"
	fp, err = eng.Calculate(m, calc.Bid{Reference: "T", Date: "2026-03-01", Lines: []calc.Line{rebar}})
	msg := ""
	if err != nil {
		msg = err.Error()
	} else {
		msg = fp.Lines[0].Error
	}
	if !strings.Contains(msg, `("Reinforcing steel") gives no product classification, so activity material.epd cannot be resolved`) {
		t.Errorf("unclassified EPD on a material.epd line: %q", msg)
	}
	bare := calc.Line{ID: "3", Activity: calc.EPDActivity, Region: "DE", Quantity: dec("1"), Unit: "m2"}
	_, err = eng.Calculate(m, calc.Bid{Reference: "T", Date: "2026-03-01", Lines: []calc.Line{bare}})
	if err == nil || !strings.Contains(err.Error(), "activity material.epd means the product the line's EPD declares: give factor.epd") {
		t.Errorf("material.epd without an EPD: %v", err)
	}
}

// flooringWorld is the engine, eu-gpp@2025.3 and the flooring fixture (an
// openEPD declared per m2) of the product-category tests.
func flooringWorld(t *testing.T) (*calc.Engine, *methods.Method, *epd.Declaration) {
	t.Helper()
	eng, reg := epdWorld(t)
	m, err := reg.Resolve("eu-gpp@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/epd/flooring-m2.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := epd.Parse(epd.FormatOpenEPD, "flooring-m2.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	return eng, m, d
}
