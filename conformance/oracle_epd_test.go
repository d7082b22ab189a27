package conformance

// The oracle's EPD documents (the 2025.3 rules): it reads an ILCD+EPD
// archive (base64 zip of XML data sets) or an openEPD object itself, with
// archive/zip, encoding/xml and encoding/json only, and applies the
// method's [epd] rules as docs/epd.md ("Rules") and docs/methods.md ("EPD
// rules") state them. It imports nothing of epd or calc: only what a line's
// value needs is read (identity, standard, validity, GWP results per
// module, declared unit, density).

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"
)

// oepdRef is a line's factor.epd as the oracle reads it.
type oepdRef struct {
	Format   string          `json:"format"`
	File     string          `json:"file"`
	Document json.RawMessage `json:"document"`
}

// oresultEPD is one declared GWP result.
type oresultEPD struct {
	indicator, set, module string
	value                  *big.Rat
}

// odecl is what the oracle reads from an EPD document.
type odecl struct {
	id, reg, standard string
	// conforms is every standard the document names (the amendment of a
	// plain EN 15804 as decided), for the refusals of 2026.1.
	conforms []string
	// until is the last day of validity (YYYY-MM-DD); "" when not stated.
	// yearOnly: the document gives only the year (until is its 31 December).
	until    string
	yearOnly bool
	results  []oresultEPD
	// amount and unit are the declared unit ("1000" "kg").
	amount *big.Rat
	unit   string
	// density is kg/m3 when the document states it.
	density *big.Rat
}

// oStandard recognises EN 15804 (+A1, +A2, also written
// EN 15804:2012+A2:2019) and ISO 21930 in a standard's text.
func oStandard(s string) string {
	l := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	if m := regexp.MustCompile(`15804(:\d{4})?\+a([12])`).FindStringSubmatch(l); m != nil {
		return "EN 15804+A" + m[2]
	}
	switch {
	case strings.Contains(l, "15804"):
		return "EN 15804"
	case strings.Contains(l, "21930"):
		return "ISO 21930"
	case strings.Contains(l, "14025"):
		return "ISO 14025"
	}
	return ""
}

// oCompliance are InData's common reference UUIDs of the standards
// (InDataWG/ILCD-EPD-Data-Format doc/identifiers/Common_references.csv):
// an ILCD compliance reference names its standard by them.
var oCompliance = map[string]string{
	"b00f9ec0-7874-11e3-981f-0800200c9a66": "EN 15804+A1",
	"c0016b33-8cf7-415c-ac6e-deba0d21440d": "EN 15804+A2",
	"d4aa3ec7-b1d7-4a4a-a6cb-37af88dcc902": "EN 15804+A2",
	"4f2eb655-6e44-4874-a95a-e28f5442cd4d": "ISO 14025",
	"9c1e8451-2321-4498-b459-b6568b6b6547": "ISO 21930",
}

// oConforms records a standard: the first EN 15804 is the standard the
// indicator rules read, else the first of any kind.
func (d *odecl) oConforms(s string) {
	if s == "" {
		return
	}
	for _, c := range d.conforms {
		if c == s {
			return
		}
	}
	d.conforms = append(d.conforms, s)
	if d.standard == "" || (strings.HasPrefix(s, "EN 15804") && !strings.HasPrefix(d.standard, "EN 15804")) {
		d.standard = s
	}
}

// oStdMatch: one of got starts with one of want, ignoring case and spaces.
func oStdMatch(want, got []string) bool {
	norm := func(x string) string { return strings.ToUpper(strings.Join(strings.Fields(x), "")) }
	for _, g := range got {
		for _, w := range want {
			if norm(g) != "" && strings.HasPrefix(norm(g), norm(w)) {
				return true
			}
		}
	}
	return false
}

// oUnitNames are the declared-unit texts registries write for a piece.
var oUnitNames = map[string]string{"item": "piece", "items": "piece", "item(s)": "piece", "pcs": "piece", "pcs.": "piece", "piece": "piece", "pieces": "piece", "m^3": "m3", "m^2": "m2"}

// oPrecise picks among the ends of validity a document states (docs/epd.md,
// "End of validity"): a day beats a year; of two of the same kind, the
// earlier. Each is given as read; empty ones are skipped.
func oPrecise(texts ...string) (until string, yearOnly bool, err error) {
	for _, s := range texts {
		if strings.TrimSpace(s) == "" {
			continue
		}
		u, e := oValidUntil(s)
		if e != nil {
			return "", false, e
		}
		yo := regexp.MustCompile(`^\d{4}$`).MatchString(strings.TrimSpace(s))
		switch {
		case until == "", yearOnly && !yo, yearOnly == yo && u < until:
			until, yearOnly = u, yo
		}
	}
	return until, yearOnly, nil
}

// oValidUntil is the last valid day: a year is through its 31 December, a
// date-time counts by its date as written.
func oValidUntil(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", nil
	case regexp.MustCompile(`^\d{4}$`).MatchString(s):
		return s + "-12-31", nil
	case len(s) >= 10:
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return s[:10], nil
		}
	}
	return "", fmt.Errorf("valid until %q", s)
}

// oNotDeclared are the texts EPDs print for a value not declared.
var oNotDeclared = map[string]bool{"ND": true, "MND": true, "MNR": true, "INA": true, "NR": true, "NA": true, "N/A": true, "-": true, "": true}

// oAmendment gives a plain "EN 15804" its amendment from the GWP
// indicators (docs/epd.md, "Standard"): EF 3.x's GWP-total, -fossil,
// -biogenic, -luluc mean +A2; GWP alone (no set, or a CML set) means +A1;
// anything else leaves it.
func oAmendment(d *odecl) {
	if d.standard != "EN 15804" {
		return
	}
	var ef, cml, other bool
	for _, r := range d.results {
		switch {
		case r.indicator == "GWP-total" || r.indicator == "GWP-fossil" || r.indicator == "GWP-biogenic" || r.indicator == "GWP-luluc":
			ef = true
		case r.indicator == "GWP" && (r.set == "" || strings.HasPrefix(strings.ToUpper(r.set), "CML")):
			cml = true
		default:
			other = true
		}
	}
	switch {
	case ef && !cml:
		d.standard = "EN 15804+A2"
	case cml && !ef && !other:
		d.standard = "EN 15804+A1"
	}
	for i, c := range d.conforms {
		if c == "EN 15804" {
			d.conforms[i] = d.standard
		}
	}
}

// parseEPD reads a line's document.
func (o *oracle) parseEPD(t testing.TB, ref *oepdRef) (d *odecl, err error) {
	t.Helper()
	defer func() {
		if d != nil {
			oAmendment(d)
		}
	}()
	switch ref.Format {
	case "openepd":
		raw := []byte(ref.Document)
		var s string
		if json.Unmarshal(ref.Document, &s) == nil {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				t.Fatalf("oracle: EPD %s: document is not base64: %v", ref.File, err)
			}
			raw = b
		}
		return parseOpenEPD(t, raw)
	case "ilcd+epd":
		var s string
		if err := json.Unmarshal(ref.Document, &s); err != nil {
			t.Fatalf("oracle: EPD %s: an ILCD archive is given as a base64 string: %v", ref.File, err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("oracle: EPD %s: document is not base64: %v", ref.File, err)
		}
		return parseILCDArchive(t, ref.File, b)
	}
	t.Fatalf("oracle: EPD %s: format %q is not ilcd+epd or openepd", ref.File, ref.Format)
	return nil, nil
}

// parseOpenEPD reads the openEPD fields a value needs, numbers as text.
func parseOpenEPD(t testing.TB, raw []byte) (*odecl, error) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("oracle: openEPD: %v", err)
	}
	str := func(v any) string {
		switch v := v.(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		case map[string]any:
			if s, ok := v["name"].(string); ok {
				return s
			}
		}
		return ""
	}
	num := func(v any) *big.Rat {
		r, ok := ratOf(str(v))
		if !ok {
			t.Fatalf("oracle: openEPD: %v is not a number", v)
		}
		return r
	}
	// amountOf reads "1 t" or {"qty": 1, "unit": "t"}.
	amountOf := func(v any) (*big.Rat, string) {
		if m, ok := v.(map[string]any); ok {
			return num(m["qty"]), str(m["unit"])
		}
		q, u, ok := strings.Cut(strings.TrimSpace(str(v)), " ")
		if !ok {
			t.Fatalf("oracle: openEPD: %q is not an amount with a unit", str(v))
		}
		// openEPD's unit notation: "kg / m^3" is kg/m3.
		u = strings.NewReplacer(" ", "", "^", "").Replace(u)
		return num(q), u
	}
	d := &odecl{id: str(doc["id"]), reg: str(doc["program_operator_doc_id"])}
	if d.reg == "" { // EC3's name for the operator's document id
		d.reg = str(doc["program_operator_fkey"])
	}
	if d.id == "" {
		t.Fatal("oracle: openEPD: no id")
	}
	d.amount, d.unit = amountOf(doc["declared_unit"])
	var err error
	if d.until, d.yearOnly, err = oPrecise(str(doc["valid_until"]), str(doc["date_validity_ends"])); err != nil {
		t.Fatalf("oracle: openEPD %s: %v", d.id, err)
	}
	var texts []string
	if s := str(doc["standard"]); s != "" {
		texts = append(texts, s)
	}
	cs, _ := doc["compliance"].([]any)
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok {
			s := str(m["short_name"])
			if strings.TrimSpace(s) == "" {
				s = str(m["name"])
			}
			texts = append(texts, s)
		} else {
			texts = append(texts, str(c))
		}
	}
	for _, s := range texts {
		d.oConforms(oStandard(s))
	}
	if v, ok := doc["density"]; ok {
		q, u := amountOf(v)
		if u != "kg/m3" {
			t.Fatalf("oracle: openEPD %s: density unit %q", d.id, u)
		}
		d.density = q
	} else if v, ok := doc["kg_per_declared_unit"]; ok && d.unit == "m3" {
		q, u := amountOf(v)
		if u == "t" {
			q.Mul(q, big.NewRat(1000, 1))
		} else if u != "kg" {
			t.Fatalf("oracle: openEPD %s: kg_per_declared_unit in %q", d.id, u)
		}
		d.density = q.Quo(q, d.amount)
	}
	impacts, _ := doc["impacts"].(map[string]any)
	for _, set := range sortedKeys(impacts) {
		inds, _ := impacts[set].(map[string]any)
		ef3 := strings.HasPrefix(strings.ToUpper(strings.ReplaceAll(set, " ", "")), "EF3")
		for _, key := range sortedKeys(inds) {
			if !strings.HasPrefix(strings.ToLower(key), "gwp") {
				continue
			}
			name := key
			if ef3 {
				name = map[string]string{"gwp": "GWP-total", "gwp-fossil": "GWP-fossil", "gwp-biogenic": "GWP-biogenic", "gwp-luluc": "GWP-luluc"}[strings.ToLower(key)]
				if name == "" {
					name = key
				}
			}
			mods, _ := inds[key].(map[string]any)
			for _, mod := range sortedKeys(mods) {
				m, _ := mods[mod].(map[string]any)
				module := strings.ToUpper(mod)
				if module == "A1A2A3" {
					module = "A1-A3"
				}
				d.results = append(d.results, oresultEPD{indicator: name, set: set, module: module, value: num(m["mean"])})
			}
		}
	}
	// EC3's top-level A1-A3 gwp ("336 kgCO2e"), read when impacts gives
	// no A1-A3 GWP (docs/epd.md, openEPD).
	if v, ok := doc["gwp"]; ok && v != nil {
		has := false
		for _, r := range d.results {
			has = has || (r.module == "A1-A3" && strings.HasPrefix(strings.ToLower(r.indicator), "gwp"))
		}
		if !has {
			q, _ := amountOf(v)
			d.results = append(d.results, oresultEPD{indicator: "gwp", module: "A1-A3", value: q})
		}
	}
	return d, nil
}

// xnode is an XML element: local name, attributes by local name, text,
// children. Namespaces are ignored (the EPD extensions are matched by
// local name, as docs/epd.md says).
type xnode struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*xnode
}

func parseXML(t testing.TB, where string, raw []byte) *xnode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("oracle: %s: %v", where, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatalf("oracle: %s: no XML element", where)
	}
	return root
}

// all returns the elements at a slash-separated path of local names.
func (n *xnode) all(p string) []*xnode {
	cur := []*xnode{n}
	for _, step := range strings.Split(p, "/") {
		var next []*xnode
		for _, c := range cur {
			for _, k := range c.kids {
				if k.name == step {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// get is the text of the first element at p, trimmed; "" when none.
func (n *xnode) get(p string) string {
	if xs := n.all(p); len(xs) > 0 {
		return strings.TrimSpace(xs[0].text)
	}
	return ""
}

// byID is the element at p whose dataSetInternalID is id.
func (n *xnode) byID(p, id string) *xnode {
	for _, x := range n.all(p) {
		if x.attrs["dataSetInternalID"] == strings.TrimSpace(id) {
			return x
		}
	}
	return nil
}

// oIndicator names an ILCD LCIA result's indicator from its short
// description: an explicit code wins, then the words; "" for an indicator
// that is not a GWP.
func oIndicator(desc string) string {
	l := strings.ToLower(desc)
	for _, code := range []string{"gwp-total", "gwp-fossil", "gwp-biogenic", "gwp-luluc"} {
		if strings.Contains(l, code) {
			return "GWP-" + strings.TrimPrefix(code, "gwp-")
		}
	}
	for _, code := range []string{"gwp-ghg", "gwp-iobc"} {
		if strings.Contains(l, code) {
			return "GWP-GHG"
		}
	}
	if !strings.Contains(l, "global warming") && !strings.Contains(l, "climate change") && !strings.Contains(l, "gwp") {
		return ""
	}
	switch {
	case strings.Contains(l, "land use"):
		return "GWP-luluc"
	case strings.Contains(l, "fossil"):
		return "GWP-fossil"
	case strings.Contains(l, "biogenic"):
		return "GWP-biogenic"
	case strings.Contains(l, "total"), strings.TrimSpace(l) == "climate change":
		return "GWP-total"
	}
	return "GWP"
}

// parseILCDArchive reads an ILCD archive: its one process, and the
// declared unit through the reference flow, the flow's reference flow
// property, that property's unit group and the group's reference unit,
// all of which the archive must hold.
func parseILCDArchive(t testing.TB, file string, raw []byte) (*odecl, error) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("oracle: EPD %s: not a zip archive: %v", file, err)
	}
	sets := map[string]map[string]*xnode{} // folder -> UUID -> root
	var procs []*xnode
	for _, f := range zr.File {
		dir := path.Base(path.Dir(f.Name))
		if f.FileInfo().IsDir() || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("oracle: EPD %s!%s: %v", file, f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("oracle: EPD %s!%s: %v", file, f.Name, err)
		}
		root := parseXML(t, file+"!"+f.Name, b)
		var uuid string
		switch dir {
		case "processes":
			procs = append(procs, root)
			continue
		case "flows":
			uuid = root.get("flowInformation/dataSetInformation/UUID")
		case "flowproperties":
			uuid = root.get("flowPropertiesInformation/dataSetInformation/UUID")
		case "unitgroups":
			uuid = root.get("unitGroupInformation/dataSetInformation/UUID")
		default:
			continue
		}
		if sets[dir] == nil {
			sets[dir] = map[string]*xnode{}
		}
		sets[dir][strings.ToLower(uuid)] = root
	}
	if len(procs) != 1 {
		t.Fatalf("oracle: EPD %s: %d process data sets; want one", file, len(procs))
	}
	p := procs[0]
	d := &odecl{id: strings.ToLower(p.get("processInformation/dataSetInformation/UUID")),
		reg: p.get("administrativeInformation/publicationAndOwnership/registrationNumber")}
	if d.reg == "" { // an International EPD System number among the synonyms
		for _, syn := range p.all("processInformation/dataSetInformation/synonyms") {
			for _, tok := range regexp.MustCompile(`[;,\n]`).Split(syn.text, -1) {
				if tok = strings.TrimSpace(tok); d.reg == "" && regexp.MustCompile(`^(S-P-\d{3,}|EPD-IES-\d{4,}(:\d{1,3})?(\s*\(S-P-\d{3,}\))?)$`).MatchString(tok) {
					d.reg = tok
				}
			}
		}
	}
	exp := p.get("processInformation/time/other/expirationDateOfEPD")
	if _, e := oValidUntil(exp); e != nil {
		exp = "" // a malformed expiration date is noted and skipped
	}
	if d.until, d.yearOnly, err = oPrecise(exp, p.get("processInformation/time/dataSetValidUntil")); err != nil {
		t.Fatalf("oracle: EPD %s: %v", file, err)
	}
	for _, c := range p.all("modellingAndValidation/complianceDeclarations/compliance/referenceToComplianceSystem") {
		s := oCompliance[strings.ToLower(strings.TrimSpace(c.attrs["refObjectId"]))]
		if s == "" {
			s = oStandard(c.get("shortDescription"))
		}
		d.oConforms(s)
	}
	for _, r := range p.all("LCIAResults/LCIAResult") {
		ind := oIndicator(r.get("referenceToLCIAMethodDataSet/shortDescription"))
		if ind == "" {
			continue
		}
		amounts := append(r.all("other/amount"), r.all("amount")...)
		for _, a := range amounts {
			text := strings.TrimSpace(a.text)
			if oNotDeclared[strings.ToUpper(text)] {
				continue
			}
			v, ok := ratOf(text)
			if !ok {
				t.Fatalf("oracle: EPD %s: %s %s: %q is not a number", file, ind, a.attrs["module"], text)
			}
			mod := a.attrs["module"]
			if sc := a.attrs["scenario"]; sc != "" {
				mod += " (" + sc + ")"
			}
			d.results = append(d.results, oresultEPD{indicator: ind, module: mod, value: v})
		}
	}
	// The declared unit: reference exchange amount × flow property mean
	// value, in the reference unit of the property's unit group.
	ex := p.byID("exchanges/exchange", p.get("processInformation/quantitativeReference/referenceToReferenceFlow"))
	if ex == nil {
		t.Fatalf("oracle: EPD %s: no reference exchange", file)
	}
	amount, ok := ratOf(ex.get("meanAmount"))
	if !ok {
		t.Fatalf("oracle: EPD %s: reference exchange amount %q", file, ex.get("meanAmount"))
	}
	refFlow := ex.all("referenceToFlowDataSet")
	if len(refFlow) == 0 {
		t.Fatalf("oracle: EPD %s: the reference exchange names no flow", file)
	}
	flow := sets["flows"][strings.ToLower(refFlow[0].attrs["refObjectId"])]
	if flow == nil {
		t.Fatalf("oracle: EPD %s: flow %s not in the archive", file, refFlow[0].attrs["refObjectId"])
	}
	// unitOf follows a flow property to its unit group's reference unit.
	unitOf := func(fp *xnode) (string, *big.Rat) {
		mean, ok := ratOf(fp.get("meanValue"))
		ref := fp.all("referenceToFlowPropertyDataSet")
		if !ok || len(ref) == 0 {
			t.Fatalf("oracle: EPD %s: flow property without mean value or reference", file)
		}
		prop := sets["flowproperties"][strings.ToLower(ref[0].attrs["refObjectId"])]
		if prop == nil {
			t.Fatalf("oracle: EPD %s: flow property %s not in the archive", file, ref[0].attrs["refObjectId"])
		}
		ugRef := prop.all("flowPropertiesInformation/quantitativeReference/referenceToReferenceUnitGroup")
		if len(ugRef) == 0 {
			t.Fatalf("oracle: EPD %s: flow property names no unit group", file)
		}
		ug := sets["unitgroups"][strings.ToLower(ugRef[0].attrs["refObjectId"])]
		if ug == nil {
			t.Fatalf("oracle: EPD %s: unit group %s not in the archive", file, ugRef[0].attrs["refObjectId"])
		}
		u := ug.byID("units/unit", ug.get("unitGroupInformation/quantitativeReference/referenceToReferenceUnit"))
		if u == nil {
			t.Fatalf("oracle: EPD %s: unit group without its reference unit", file)
		}
		return u.get("name"), mean
	}
	fp := flow.byID("flowProperties/flowProperty", flow.get("flowInformation/quantitativeReference/referenceToReferenceFlowProperty"))
	if fp == nil {
		t.Fatalf("oracle: EPD %s: flow without its reference flow property", file)
	}
	unit, mean := unitOf(fp)
	d.amount, d.unit = new(big.Rat).Mul(amount, mean), unit
	// Density: the flow states a mass (kg) and a volume (m3) property.
	var kg, m3 *big.Rat
	for _, x := range flow.all("flowProperties/flowProperty") {
		switch u, v := unitOf(x); u {
		case "kg":
			kg = v
		case "m3":
			m3 = v
		}
	}
	if kg != nil && m3 != nil && m3.Sign() > 0 {
		if r := new(big.Rat).Quo(kg, m3); terminates(r) {
			d.density = r
		}
	}
	return d, nil
}

// normMod writes a module as "A1-A3" (en dashes and spaces as published).
func normMod(m string) string {
	m = strings.ToUpper(strings.TrimSpace(m))
	return strings.NewReplacer("–", "-", "—", "-", " ", "").Replace(m)
}

// epdTerms applies the method's [epd] rules to a line's document, in the
// order docs/epd.md gives: rules present, validity on the bid's date,
// indicator, modules, declared unit. The line's one term is CO2e,
// value × (line unit / declared unit).
func (o *oracle) epdTerms(t testing.TB, m *omethod, l oline, u ounit, stage string, date string) ([]oterm, string, error) {
	t.Helper()
	if m.EPD.Modules == "" {
		return nil, "", refusal([]string{fmt.Sprintf("method %s@%s declares no EPD rules", m.ID, m.Version)}, "method %s@%s declares no EPD rules", m.ID, m.Version)
	}
	d, err := o.parseEPD(t, l.Factor.EPD)
	if err != nil {
		return nil, "", err
	}
	label := d.reg
	if label == "" {
		label = d.id
	}
	// A refusal names the EPD (registration number, else id) and its file,
	// then says what is wrong (docs/epd.md, "Rules").
	refusal := func(want, format string, args ...any) error {
		return refusal([]string{"EPD " + label + " (" + l.Factor.EPD.File + ")", want}, format, args...)
	}
	if date == "" {
		return nil, "", refusal("the bid needs a date", "EPD %s: the bid has no date", label)
	}
	if d.until == "" {
		return nil, "", refusal("states no end of validity", "EPD %s states no end of validity", label)
	}
	if date > d.until { // both YYYY-MM-DD
		msg := fmt.Sprintf("expired on %s; the bid is dated %s", d.until, date)
		if d.yearOnly {
			msg = fmt.Sprintf("is valid until %s (year only), so at the latest through 31 December %s; the bid is dated %s", d.until[:4], d.until[:4], date)
		}
		return nil, "", refusal(msg, "EPD %s %s", label, msg)
	}
	conforms := d.conforms
	if len(conforms) == 0 && d.standard != "" {
		conforms = []string{d.standard}
	}
	anyAct := func(ps []string) bool {
		for _, p := range ps {
			if matchPattern(p, l.Activity) {
				return true
			}
		}
		return false
	}
	for _, r := range m.EPD.Refusals {
		if anyAct(r.Activities) && oStdMatch(r.Standards, conforms) && !oStdMatch(r.Unless, conforms) {
			return nil, "", refusal("by rule, method "+m.ID+"@"+m.Version+" does not accept it for "+l.Activity, "EPD %s: refused by rule: %s", label, r.Rule)
		}
	}
	if m.EPD.RequireStandard && len(conforms) == 0 {
		return nil, "", refusal("names no standard it conforms to", "EPD %s names no standard", label)
	}
	var res []oresultEPD
	var chosenInd string
	chosen := false
	for _, in := range m.EPD.Indicators {
		if len(in.Activities) > 0 && !anyAct(in.Activities) {
			continue
		}
		if len(in.Standards) > 0 && len(conforms) > 0 && !oStdMatch(in.Standards, conforms) {
			continue
		}
		chosenInd = in.Indicator
		bySet := map[string][]oresultEPD{}
		for _, r := range d.results {
			if strings.EqualFold(r.indicator, in.Indicator) {
				bySet[r.set] = append(bySet[r.set], r)
			}
		}
		if len(bySet) == 0 {
			continue
		}
		if len(in.Sets) > 0 {
			for _, want := range in.Sets {
				for s, rs := range bySet {
					if !chosen && strings.EqualFold(s, want) {
						res, chosen = rs, true
					}
				}
			}
			if !chosen {
				continue
			}
			break
		}
		switch rs, blank := bySet[""]; {
		case len(bySet) == 1:
			for _, rs := range bySet {
				res = rs
			}
		case blank:
			res = rs
		default:
			return nil, "", refusal("under several sets", "EPD %s declares %s under several sets and the method names none", label, in.Indicator)
		}
		chosen = true
		break
	}
	if !chosen {
		return nil, "", refusal(fmt.Sprintf("declares none of the indicators method %s@%s accepts", m.ID, m.Version), "EPD %s (%s) declares none of the accepted indicators", label, d.standard)
	}
	var value *big.Rat
	byMod := map[string]*big.Rat{}
	for _, r := range res {
		if _, dup := byMod[normMod(r.module)]; !dup {
			byMod[normMod(r.module)] = r.value
		}
	}
	if v, ok := byMod[normMod(m.EPD.Modules)]; ok {
		value = v
	} else if len(m.EPD.SumOf) > 0 {
		sum := new(big.Rat)
		for _, mod := range m.EPD.SumOf {
			v, ok := byMod[normMod(mod)]
			if !ok {
				sum = nil
				break
			}
			sum.Add(sum, v)
		}
		value = sum
	}
	if value == nil {
		return nil, "", refusal("not for "+m.EPD.Modules, "EPD %s declares no %s", label, m.EPD.Modules)
	}
	if value, err = o.biogenic(m, d, res, chosenInd, value, label, l.Factor.EPD.File); err != nil {
		return nil, "", err
	}
	unitName := d.unit
	if n, ok := oUnitNames[strings.ToLower(strings.TrimSpace(unitName))]; ok {
		unitName = n
	}
	du, ok := o.units[unitName]
	if !ok || d.amount.Sign() <= 0 {
		return nil, "", lineErr("EPD %s: declared unit %s %q", label, d.amount.RatString(), d.unit)
	}
	perDeclared := new(big.Rat).Mul(d.amount, du.base)
	num, den := new(big.Rat).Mul(u.base, value), perDeclared
	switch {
	case du.dim == u.dim:
		if !contains(m.EPD.Conversions, du.dim) {
			return nil, "", refusal(fmt.Sprintf("declared unit %s cannot be converted to %s", unitName, l.Unit), "EPD %s: method converts no %s", label, du.dim)
		}
	case (du.dim == "volume" && u.dim == "mass") || (du.dim == "mass" && u.dim == "volume"):
		if !contains(m.EPD.Conversions, "density") || d.density == nil || d.density.Sign() <= 0 {
			return nil, "", refusal(fmt.Sprintf("declared unit %s cannot be converted to %s", unitName, l.Unit), "EPD %s: declared unit %s cannot be converted to %s without a density", label, d.unit, l.Unit)
		}
		if u.dim == "mass" {
			den = new(big.Rat).Mul(d.density, perDeclared)
		} else {
			num.Mul(num, d.density)
		}
	default:
		return nil, "", refusal(fmt.Sprintf("declared unit %s cannot be converted to %s", unitName, l.Unit), "EPD %s: declared unit %s cannot be converted to %s", label, d.unit, l.Unit)
	}
	o.pending = append(o.pending, fmt.Sprintf("%s@%s epd %s", m.ID, m.Version, l.Factor.EPD.Format))
	id := "epd:" + label
	return []oterm{{gas: "CO2e", stage: stage, perUnit: new(big.Rat).Quo(num, den)}}, id, nil
}

// oModValue is the value of module in rs, else the sum of sumOf when all
// are declared; nil when neither.
func oModValue(rs []oresultEPD, module string, sumOf []string) *big.Rat {
	byMod := map[string]*big.Rat{}
	for _, r := range rs {
		if _, dup := byMod[normMod(r.module)]; !dup {
			byMod[normMod(r.module)] = r.value
		}
	}
	if v, ok := byMod[normMod(module)]; ok {
		return v
	}
	if len(sumOf) == 0 {
		return nil
	}
	sum := new(big.Rat)
	for _, mod := range sumOf {
		v, ok := byMod[normMod(mod)]
		if !ok {
			return nil
		}
		sum.Add(sum, v)
	}
	return sum
}

// biogenic applies the method's biogenic rule (docs/methods.md, "EPD
// rules"): to a negative value, and under biogenic_applies = "uptake" to
// one whose modules declare GWP-biogenic below zero. refuse (the default)
// refuses; fossil_plus_luluc counts GWP-fossil + GWP-luluc of the modules;
// total_with_c3c4 adds the indicator's C3 and C4. A negative result is
// refused.
func (o *oracle) biogenic(m *omethod, d *odecl, res []oresultEPD, ind string, value *big.Rat, label, file string) (*big.Rat, error) {
	e := m.EPD
	set := ""
	if len(res) > 0 {
		set = res[0].set
	}
	of := func(indicator string) []oresultEPD {
		var out []oresultEPD
		for _, r := range d.results {
			if strings.EqualFold(r.indicator, indicator) && r.set == set {
				out = append(out, r)
			}
		}
		return out
	}
	if value.Sign() >= 0 {
		if e.BiogenicApplies != "uptake" || strings.EqualFold(ind, "GWP-fossil") {
			return value, nil
		}
		bio := oModValue(of("GWP-biogenic"), e.Modules, e.SumOf)
		if bio == nil || bio.Sign() >= 0 {
			return value, nil
		}
	}
	who := "EPD " + label + " (" + file + ")"
	switch e.Biogenic {
	case "fossil_plus_luluc":
		f, lu := oModValue(of("GWP-fossil"), e.Modules, e.SumOf), oModValue(of("GWP-luluc"), e.Modules, e.SumOf)
		if f == nil || lu == nil {
			return nil, refusal([]string{who, "counts GWP-fossil + GWP-luluc"}, "%s: no GWP-fossil and GWP-luluc", label)
		}
		sum := new(big.Rat).Add(f, lu)
		if sum.Sign() < 0 {
			return nil, refusal([]string{who, "is negative"}, "%s: GWP-fossil + GWP-luluc negative", label)
		}
		return sum, nil
	case "total_with_c3c4":
		c3, c4 := oModValue(res, "C3", nil), oModValue(res, "C4", nil)
		if c3 == nil || c4 == nil {
			return nil, refusal([]string{who, "C3 and C4"}, "%s: no C3 and C4", label)
		}
		sum := new(big.Rat).Add(value, c3)
		sum.Add(sum, c4)
		if sum.Sign() < 0 {
			return nil, refusal([]string{who, "still negative"}, "%s: with C3 and C4 still negative", label)
		}
		return sum, nil
	case "total_with_biogenic_c3c4":
		bio := of("GWP-biogenic")
		c3, c4 := oModValue(bio, "C3", nil), oModValue(bio, "C4", nil)
		if c3 == nil || c4 == nil {
			return nil, refusal([]string{who, "GWP-biogenic for both C3 and C4"}, "%s: no GWP-biogenic C3 and C4", label)
		}
		sum := new(big.Rat).Add(value, c3)
		sum.Add(sum, c4)
		if sum.Sign() < 0 {
			return nil, refusal([]string{who, "still negative"}, "%s: with the biogenic release still negative", label)
		}
		return sum, nil
	}
	return nil, refusal([]string{who, "does not count it"}, "%s: a negative value is refused", label)
}
