package epd

import (
	"fmt"
	"reflect"
	"strings"
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

// TestClassificationBounded: a document cannot make a declaration hold
// (or a message list) more than MaxClassifications classifications of
// MaxClassLevels classes.
func TestClassificationBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<processDataSet xmlns="http://lca.jrc.it/ILCD/Process" xmlns:common="http://lca.jrc.it/ILCD/Common"><processInformation><dataSetInformation><classificationInformation>`)
	for i := range 40 {
		fmt.Fprintf(&b, `<common:classification name="s%d">`, i)
		for l := range 20 {
			fmt.Fprintf(&b, `<common:class level="%d">c%d</common:class>`, l, l)
		}
		b.WriteString(`</common:classification>`)
	}
	b.WriteString(`</classificationInformation></dataSetInformation></processInformation></processDataSet>`)
	root, err := readXML("p.xml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := ilcdClassification(root.child("processInformation", "dataSetInformation", "classificationInformation"))
	if len(got) != MaxClassifications || strings.Count(got[0].Path, " / ") != MaxClassLevels-1 {
		t.Errorf("ILCD: %d classifications, first %q; want %d of %d levels", len(got), got[0].Path, MaxClassifications, MaxClassLevels)
	}
	list := make([]any, 100)
	for i := range list {
		list[i] = fmt.Sprint("class ", i)
	}
	if got := openEPDClassification(map[string]any{"product_classes": map[string]any{"x": list}}); len(got) != MaxClassifications {
		t.Errorf("openEPD: %d classifications, want %d", len(got), MaxClassifications)
	}
}
