package bidcsv

import (
	"errors"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
)

func TestDecode(t *testing.T) {
	src := "\ufeffLine_ID,activity,region,quantity,unit,basis,allow_region_fallback,factor_kg_co2e,factor_per,factor_reference,note\n" +
		"1,fuel.natural_gas,US,1000,mmBtu,,,,,,x\n" +
		"2,fuel.natural_gas,US,2.5,TJ,NCV,yes,,,,\n" +
		",material.steel.rebar,US,12.5,t,,,780,t,EPD S-P-01234,\n"
	b, err := Decode(strings.NewReader(src), "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Lines) != 3 || b.Reference != "in.csv" {
		t.Fatalf("got %+v", b)
	}
	if l := b.Lines[1]; l.Basis != "NCV" || !l.AllowRegionFallback || l.Quantity.String() != "2.5" {
		t.Errorf("line 2: %+v", l)
	}
	if l := b.Lines[2]; l.ID != "3" || l.Factor == nil || l.Factor.KgCO2e.String() != "780" || l.Factor.Reference != "EPD S-P-01234" {
		t.Errorf("line 3: %+v", l)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty"},
		{"missing column", "line_id,activity,region,unit\n", "missing column(s) quantity"},
		{"bad quantity", "line_id,activity,region,quantity,unit\n1,fuel.diesel,US,\"1,5\",gal\n", "CSV line 2, column quantity"},
		{"bad fallback", "line_id,activity,region,quantity,unit,allow_region_fallback\n1,a,US,1,kg,maybe\n", "allow_region_fallback"},
		{"bad factor", "line_id,activity,region,quantity,unit,factor_kg_co2e\n1,a,US,1,kg,abc\n", "column factor_kg_co2e"},
		{"duplicate column", "line_id,activity,region,quantity,unit,unit\n", "twice"},
		{"quote", "line_id,activity,region,quantity,unit\n1,\"a,US,1,kg\n", "reading CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.src), "f.csv")
			var be *calc.BidError
			if !errors.As(err, &be) {
				t.Fatalf("err %v, want a *calc.BidError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLooksLikeCSV(t *testing.T) {
	for in, want := range map[string]bool{"{}": false, " \n {": false, "\ufeff{": false, "line_id,a": true, "": false} {
		if got := LooksLikeCSV([]byte(in)); got != want {
			t.Errorf("LooksLikeCSV(%q) = %v", in, got)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("line_id,activity,region,quantity,unit\n1,fuel.diesel,US,10,gal\n")
	f.Add("line_id,activity,region,quantity,unit,factor_kg_co2e,factor_per,factor_reference\n1,m,US,1e3,t,7,t,r\n")
	f.Fuzz(func(t *testing.T, src string) {
		b, err := Decode(strings.NewReader(src), "fuzz.csv")
		if err == nil && len(b.Lines) > calc.MaxLines {
			t.Fatalf("%d lines accepted", len(b.Lines))
		}
	})
}
