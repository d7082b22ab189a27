package epd

import (
	"reflect"
	"testing"
)

// TestClassificationRead reads ILCD classificationInformation (levels in
// order whatever the document order) and openEPD category and
// product_classes (string, object and list shapes; others skipped).
func TestClassificationRead(t *testing.T) {
	raw := []byte(`<processDataSet xmlns="http://lca.jrc.it/ILCD/Process" xmlns:common="http://lca.jrc.it/ILCD/Common">
<processInformation><dataSetInformation><classificationInformation>
<common:classification name="OEKOBAU.DAT"><common:class level="1" classId="2.1">Mineralwolle</common:class><common:class level="0" classId="2">Dämmstoffe</common:class></common:classification>
<common:classification name="empty"></common:classification>
</classificationInformation></dataSetInformation></processInformation></processDataSet>`)
	root, err := readXML("p.xml", raw)
	if err != nil {
		t.Fatal(err)
	}
	got := ilcdClassification(root.child("processInformation", "dataSetInformation", "classificationInformation"))
	want := []Classification{{System: "OEKOBAU.DAT", Path: "Dämmstoffe / Mineralwolle"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ILCD: %+v, want %+v", got, want)
	}

	doc := map[string]any{
		"category":        map[string]any{"openepd": "Finishes >> Flooring", "display_name": "Flooring"},
		"product_classes": map[string]any{"masterformat": "09 65 00 Resilient Flooring", "io.cqd.ec3": []any{"Flooring", 7}, "other": 3.5},
	}
	got = openEPDClassification(doc)
	want = []Classification{{System: "category", Path: "Finishes >> Flooring"}, {System: "product_classes/io.cqd.ec3", Path: "Flooring"},
		{System: "product_classes/masterformat", Path: "09 65 00 Resilient Flooring"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("openEPD: %+v, want %+v", got, want)
	}
	if got := openEPDClassification(map[string]any{"category": "  "}); got != nil {
		t.Errorf("blank category: %+v, want none", got)
	}
}
