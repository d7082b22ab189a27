package calc_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// TestAppendJSONMatchesMarshal holds Report.AppendJSON to the bytes of
// json.Marshal on bids that exercise every field: errors, EPD factors,
// limits, fallbacks, both method families, and strings needing escapes.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	eng := calc.NewEngine(lib)
	d := decimal.RequireFromString
	lines := []calc.Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: d("1000"), Unit: "mmBtu"},
		{ID: "2", Activity: "electricity.grid", Region: "US-CAMX", Quantity: d("250.5"), Unit: "MWh"},
		{ID: "3", Activity: "freight.road", Region: "US", Quantity: d("5000"), Unit: "short_ton.mi"},
		{ID: "4", Activity: "material.steel.rebar", Region: "US", Quantity: d("12.5"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: d("780"), Per: "t", Reference: "EPD <S-P-01234> & \"x\""}},
		{ID: "5", Activity: "material.concrete.fc_4000psi", Region: "US", Quantity: d("100"), Unit: "m3"},
		{ID: "6", Activity: "nope", Region: "DE", Quantity: d("1"), Unit: "kg"},
		{ID: "7", Activity: "electricity.grid", Region: "DE", Quantity: d("10"), Unit: "MWh", AllowRegionFallback: true},
		{ID: "8", Activity: "fuel.diesel", Region: "DE", Quantity: d("1"), Unit: "TJ", Basis: "NCV"},
		{ID: "9", Activity: "fuel.wood", Region: "GLO", Quantity: d("3"), Unit: "t"},
	}
	for _, ref := range []string{"us-federal", "eu-gpp"} {
		m, err := reg.Resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		fp, _ := eng.Calculate(m, calc.Bid{Reference: "T-1\u2028<é>", Supplier: "ACME \x01 Ltd", Lines: lines})
		if fp == nil {
			t.Fatalf("%s: no footprint", ref)
		}
		rep := fp.Report()
		want, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("%s: AppendJSON differs from json.Marshal\n got %s\nwant %s", ref, got, want)
		}
	}
	// An empty report: nil slices and maps are null, as json.Marshal has them.
	var empty calc.Report
	want, _ := json.Marshal(&empty)
	if got := empty.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("empty report:\n got %s\nwant %s", got, want)
	}
}

// TestReportFieldsKnown fails when a reported type gains a field, so that
// AppendJSON is updated with it.
func TestReportFieldsKnown(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{
		{calc.Report{}, 12}, {calc.MethodRef{}, 6}, {calc.ReportedAmount{}, 1}, {calc.ReportedGas{}, 5}, {calc.ReportedStage{}, 2},
		{calc.ReportedLine{}, 17}, {calc.BasisConversion{}, 7}, {calc.FactorUsed{}, 11}, {calc.ReportedLimit{}, 10}, {calc.DatasetRef{}, 5}, {calc.Receipt{}, 5}, {calc.EPDUsed{}, 19},
	} {
		if got := reflect.TypeOf(c.v).NumField(); got != c.want {
			t.Errorf("%T has %d fields, AppendJSON writes %d: update calc/reportjson.go", c.v, got, c.want)
		}
	}
}

// TestSealedJSON checks that Footprint.JSON is json.Marshal of the footprint.
func TestSealedJSON(t *testing.T) {
	lib, _ := factors.Embedded()
	reg, _ := methods.Embedded(lib)
	m, err := reg.Resolve("us-federal")
	if err != nil {
		t.Fatal(err)
	}
	fp, err := calc.NewEngine(lib).Calculate(m, calc.Bid{Reference: "R", Lines: []calc.Line{
		{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("10"), Unit: "mmBtu"}}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(fp)
	got, err := fp.JSON()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("JSON() differs from json.Marshal (%v):\n got %s\nwant %s", err, got, want)
	}
}
