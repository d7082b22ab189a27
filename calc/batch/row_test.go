package batch

import "testing"

// TestColumnOrder guards the column indices against bidcsv's layout.
func TestColumnOrder(t *testing.T) {
	want := map[int]string{colLineID: "line_id", colActivity: "activity", colRegion: "region", colQuantity: "quantity", colUnit: "unit",
		colStage: "stage", colBasis: "basis", colFallback: "allow_region_fallback", colFactorKg: "factor_kg_co2e", colFactorPer: "factor_per", colFactorRef: "factor_reference", colFactorEPD: "factor_epd"}
	if len(knownColumns) != nKnown || len(RequiredColumns()) != nRequired {
		t.Fatalf("bidcsv has %d columns (%d required), batch expects %d (%d)", len(knownColumns), len(RequiredColumns()), nKnown, nRequired)
	}
	for i, name := range want {
		if knownName(i) != name {
			t.Errorf("column %d is %q, want %q", i, knownName(i), name)
		}
	}
}
