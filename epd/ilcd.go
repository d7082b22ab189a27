package epd

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// ILCD namespaces of the data sets read (the EPD extensions,
// http://www.iai.kit.edu/EPD/2013 and http://www.indata.network/EPD/2019,
// are matched by local name: registries' vintages disagree on prefixes).
const (
	nsProcess      = "http://lca.jrc.it/ILCD/Process"
	nsFlow         = "http://lca.jrc.it/ILCD/Flow"
	nsFlowProperty = "http://lca.jrc.it/ILCD/FlowProperty"
	nsUnitGroup    = "http://lca.jrc.it/ILCD/UnitGroup"
)

// referenceUnits are the reference units of the ILCD reference flow
// properties (as the ILCD/ELCD reference data define them), by flow
// property UUID: a process XML given with its flow XML but without the
// flow property and unit group data sets still has a declared unit when
// its flow is measured in one of these. The five UUIDs were checked
// against public ILCD tooling that maps units to these reference flow
// properties (kg, m, m^2, m^3 and items), not typed from memory.
var referenceUnits = map[string]string{
	"93a60a56-a3c8-11da-a746-0800200b9a66": "kg",      // Mass
	"93a60a56-a3c8-22da-a746-0800200c9a66": "m3",      // Volume
	"93a60a56-a3c8-19da-a746-0800200c9a66": "m2",      // Area
	"838aaa23-0117-11db-92e3-0800200c9a66": "m",       // Length
	"01846770-4cfe-4a25-8ad9-919d8d378345": "Item(s)", // Number of items
}

// File is one data set given beside a process XML (its flow, flow
// property or unit group XML), with its name for messages.
type File struct {
	Name string
	Data []byte
}

// ilcdSet is one read ILCD data set.
type ilcdSet struct {
	file string
	root *node
}

// ilcdFiles are the data sets of one EPD, by kind and UUID.
type ilcdFiles struct {
	processes           []ilcdSet
	flows, props, units map[string]ilcdSet
}

func newILCDFiles() *ilcdFiles {
	return &ilcdFiles{flows: map[string]ilcdSet{}, props: map[string]ilcdSet{}, units: map[string]ilcdSet{}}
}

// add reads one data set and files it by its root element and UUID.
func (fs *ilcdFiles) add(file string, raw []byte) error {
	root, err := readXML(file, raw)
	if err != nil {
		return err
	}
	var ns, info string
	var into map[string]ilcdSet
	switch root.name {
	case "processDataSet":
		ns, info = nsProcess, "processInformation"
	case "flowDataSet":
		ns, info, into = nsFlow, "flowInformation", fs.flows
	case "flowPropertyDataSet":
		ns, info, into = nsFlowProperty, "flowPropertiesInformation", fs.props
	case "unitGroupDataSet":
		ns, info, into = nsUnitGroup, "unitGroupInformation", fs.units
	default:
		return &DocError{File: file, Field: "root element", Msg: fmt.Sprintf("%s is not an ILCD process, flow, flow property or unit group data set (want processDataSet in %s)", quote(root.name), nsProcess), Err: ErrMalformed}
	}
	if root.space != ns {
		return &DocError{File: file, Field: root.name, Msg: fmt.Sprintf("namespace %s, want %s", quote(root.space), ns), Err: ErrMalformed}
	}
	set := ilcdSet{file: file, root: root}
	if into == nil {
		fs.processes = append(fs.processes, set)
		return nil
	}
	uuid := strings.ToLower(root.child(info, "dataSetInformation", "UUID").str())
	if uuid == "" {
		return &DocError{File: file, Field: info + "/dataSetInformation/common:UUID", Msg: "missing; every ILCD data set has a UUID", Err: ErrMalformed}
	}
	into[uuid] = set
	return nil
}

// ParseILCD reads an ILCD+EPD process data set XML with the data sets it
// refers to, given beside it in any order: its reference flow's XML
// (required: the declared unit is there), and the flow property and unit
// group XMLs (optional for the ILCD reference flow properties mass,
// volume, area, length and items). name is the process file's name; the
// Declaration's SHA256 is the process file's.
func ParseILCD(name string, process []byte, deps ...File) (*Declaration, error) {
	if name == "" {
		name = "document"
	}
	fs := newILCDFiles()
	if err := fs.add(name, process); err != nil {
		return nil, err
	}
	if len(fs.processes) != 1 {
		return nil, &DocError{File: name, Field: "root element", Msg: "not a process data set; give the EPD's process XML first (processes/UUID.xml) or the ILCD archive", Err: ErrMalformed}
	}
	total := len(process)
	for _, f := range deps {
		total += len(f.Data)
		if total > MaxBytes {
			return nil, &DocError{File: f.Name, Msg: fmt.Sprintf("the files together are over the limit of %d bytes", MaxBytes), Err: ErrTooLarge}
		}
		if err := fs.add(f.Name, f.Data); err != nil {
			return nil, err
		}
	}
	if len(fs.processes) != 1 {
		return nil, &DocError{File: name, Msg: fmt.Sprintf("%d process data sets given; give one EPD at a time", len(fs.processes)), Err: ErrMalformed}
	}
	return fs.declaration(digest(process))
}

// declaration reads the one process data set and what it refers to.
func (fs *ilcdFiles) declaration(sha string) (*Declaration, error) {
	p := fs.processes[0]
	file := p.file
	bad := func(field, msg string) error {
		return &DocError{File: file, Field: field, Msg: msg, Err: ErrMalformed}
	}
	d := &Declaration{Format: FormatILCD, SHA256: sha}
	pi := p.root.child("processInformation")
	dsi := pi.child("dataSetInformation")
	d.ID = strings.ToLower(dsi.child("UUID").str())
	if d.ID == "" {
		return nil, bad("processInformation/dataSetInformation/common:UUID", "missing; the EPD's UUID identifies it")
	}
	d.Name = lang(dsi.child("name").all("baseName"))
	if d.Name == "" {
		d.Notes = append(d.Notes, "processInformation/dataSetInformation/name/baseName: missing; the EPD is shown by its UUID")
		d.Name = d.ID
	}
	d.Classification = ilcdClassification(dsi.child("classificationInformation"))
	if err := ilcdValidity(pi.child("time"), d); err != nil {
		return nil, bad(err.field, err.msg)
	}
	mv := p.root.child("modellingAndValidation")
	for _, c := range mv.child("complianceDeclarations").all("compliance") {
		ref := c.child("referenceToComplianceSystem")
		id := strings.ToLower(strings.TrimSpace(ref.attr("refObjectId")))
		label := ref.shortDescription()
		s := complianceSystems[id]
		if s == "" {
			s = standardName(label)
		} else if strings.HasPrefix(s, "EN 15804+") && standardName(label) != s && d.StandardEvidence == "" {
			d.StandardEvidence = fmt.Sprintf("its compliance reference %s is the %s source data set of the ILCD+EPD common references (its label reads %s)", id, s, quote(clip(label)))
		}
		d.conforms(s)
	}
	for _, r := range mv.child("LCIMethodAndAllocation").all("referenceToLCAMethodDetails") {
		if s := r.shortDescription(); s != "" {
			d.PCR = s
			break
		}
	}
	po := p.root.child("administrativeInformation", "publicationAndOwnership")
	d.RegistrationNumber = clip(po.child("registrationNumber").str())
	d.ProgramOperator = po.child("referenceToRegistrationAuthority").shortDescription()
	if d.ProgramOperator == "" {
		d.ProgramOperator = po.child("other", "referenceToPublisher").shortDescription()
	}
	d.Manufacturer = po.child("referenceToOwnershipOfDataSet").shortDescription()
	if d.RegistrationNumber == "" {
		if reg := registrationInSynonyms(dsi.all("synonyms")); reg != "" {
			d.RegistrationNumber = reg
			d.Notes = append(d.Notes, "registration number "+quote(reg)+" read from processInformation/dataSetInformation/common:synonyms (common:registrationNumber is empty)")
		}
	}
	if d.ProgramOperator == "" {
		for _, r := range mv.child("dataSourcesTreatmentAndRepresentativeness").all("referenceToDataSource") {
			if op := r.shortDescription(); programOperatorName.MatchString(op) {
				d.ProgramOperator = op
				d.Notes = append(d.Notes, "program operator "+quote(op)+" read from modellingAndValidation/dataSourcesTreatmentAndRepresentativeness/referenceToDataSource (no registration authority or publisher given)")
				break
			}
		}
	}
	if d.ProgramOperator == "" {
		// EPD International's exports name it as the entity entering the data
		// when they leave the registration authority out.
		if op := p.root.child("administrativeInformation", "dataEntryBy", "referenceToPersonOrEntityEnteringTheData").shortDescription(); programOperatorName.MatchString(op) {
			d.ProgramOperator = op
			d.Notes = append(d.Notes, "program operator "+quote(op)+" read from administrativeInformation/dataEntryBy/common:referenceToPersonOrEntityEnteringTheData (no registration authority or publisher given)")
		}
	}

	if err := fs.declaredUnit(p, d); err != nil {
		return nil, err
	}
	if err := readLCIA(p, d); err != nil {
		return nil, err
	}
	d.sumModules()
	d.standardFromEvidence()
	return d, nil
}

// ILCD fields stating the end of validity: ILCD's dataSetValidUntil (a
// year in most registries' exports) and the ILCD+EPD 1.3 extension's
// expiration date of the EPD (a date, in time/common:other).
const (
	fieldValidUntil = "processInformation/time/common:dataSetValidUntil"
	fieldExpiration = "processInformation/time/common:other/epd24:expirationDateOfEPD"
)

// ilcdValidity reads the end of validity: the EPD's expiration date when
// given (a malformed one is noted and the data set's validity taken), and
// dataSetValidUntil; setValidity keeps the more precise.
func ilcdValidity(tm *node, d *Declaration) *fieldErr {
	var vs []validity
	if s := tm.child("other", "expirationDateOfEPD").str(); s != "" {
		t, yearOnly, err := parseValidUntil(s)
		if err != nil {
			d.Notes = append(d.Notes, fieldExpiration+": "+err.Error()+"; not read")
		} else {
			vs = append(vs, validity{fieldExpiration, t, yearOnly})
		}
	}
	if s := tm.child("dataSetValidUntil").str(); s != "" {
		t, yearOnly, err := parseValidUntil(s)
		if err != nil && len(vs) == 0 {
			return &fieldErr{fieldValidUntil, err.Error()}
		}
		if err != nil {
			d.Notes = append(d.Notes, fieldValidUntil+": "+err.Error()+"; not read")
		} else {
			vs = append(vs, validity{fieldValidUntil, t, yearOnly})
		}
	}
	if len(vs) == 0 {
		d.Notes = append(d.Notes, fieldValidUntil+": missing; validity cannot be checked")
	}
	d.setValidity(vs)
	return nil
}

// registrationNumber matches the registration numbers of the International
// EPD System (EPD International), which its ILCD exports carry among the
// synonyms: "S-P-01234" (older) and "EPD-IES-0012345", with an optional
// version ":002", and the two together as its exports write them,
// "EPD-IES-0003435:001 (S-P-03435)" (kept as written, as the exports'
// common:registrationNumber has it).
var registrationNumber = regexp.MustCompile(`^(?:S-P-\d{3,}|EPD-IES-\d{4,}(?::\d{1,3})?(?:\s*\(S-P-\d{3,}\))?)$`)

// registrationInSynonyms finds a registration number among the synonyms
// (each a list separated by ";" or ","), English first.
func registrationInSynonyms(syns []*node) string {
	var en, rest []*node
	for _, n := range syns {
		if n.attr("lang") == "en" {
			en = append(en, n)
		} else {
			rest = append(rest, n)
		}
	}
	for _, n := range append(en, rest...) {
		for _, tok := range strings.FieldsFunc(n.str(), func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
			if tok = strings.TrimSpace(tok); registrationNumber.MatchString(tok) {
				return tok
			}
		}
	}
	return ""
}

// programOperatorName recognises a data source naming the International
// EPD System as its programme operator (EPD International's exports give
// it as a data source); other data sources (background databases) are
// not program operators.
var programOperatorName = regexp.MustCompile(`(?i)\b(?:international\s+epd\s+system|epd\s+international|environdec)\b`)

// declaredUnit derives the declared unit: the reference exchange's mean
// amount × its flow's reference flow property mean value, in that flow
// property's unit group's reference unit; and the density when the flow
// states both a mass and a volume (or a MatML gross density).
func (fs *ilcdFiles) declaredUnit(p ilcdSet, d *Declaration) error {
	refPath := "processInformation/quantitativeReference/referenceToReferenceFlow"
	ref := p.root.child("processInformation", "quantitativeReference", "referenceToReferenceFlow").str()
	if ref == "" {
		return &DocError{File: p.file, Field: refPath, Msg: "missing; the reference flow gives the declared unit", Err: ErrMalformed}
	}
	var ex *node
	for _, e := range p.root.child("exchanges").all("exchange") {
		if e.attr("dataSetInternalID") == ref {
			ex = e
			break
		}
	}
	exPath := fmt.Sprintf("exchanges/exchange[@dataSetInternalID=%s]", clipID(ref))
	if ex == nil {
		return &DocError{File: p.file, Field: exPath, Msg: "no such exchange; " + refPath + " must name one", Err: ErrMalformed}
	}
	exchangeUncertainty(ex, exPath, d)
	amountText := ex.child("meanAmount").str()
	amountPath := exPath + "/meanAmount"
	if amountText == "" {
		amountText, amountPath = ex.child("resultingAmount").str(), exPath+"/resultingAmount"
	}
	amount, err := parseNum(amountText)
	if err != nil {
		return &DocError{File: p.file, Field: amountPath, Msg: err.Error(), Err: ErrMalformed}
	}
	flowID := strings.ToLower(ex.child("referenceToFlowDataSet").attr("refObjectId"))
	flowPath := exPath + "/referenceToFlowDataSet"
	if flowID == "" {
		return &DocError{File: p.file, Field: flowPath, Msg: "no refObjectId; the reference flow's data set gives the declared unit", Err: ErrMalformed}
	}
	flow, ok := fs.flows[flowID]
	if !ok {
		return &DocError{File: p.file, Field: flowPath, Msg: fmt.Sprintf("the reference flow's data set %s is not given, and the declared unit is there: give the ILCD archive with dependencies, or the process XML with flows/%s.xml", clipID(flowID), clipID(flowID)), Err: ErrMalformed}
	}
	fref := flow.root.child("flowInformation", "quantitativeReference", "referenceToReferenceFlowProperty").str()
	fpPath := fmt.Sprintf("flowProperties/flowProperty[@dataSetInternalID=%s]", clipID(fref))
	var refProp *node
	type prop struct {
		unit string
		mean decimal.Decimal
	}
	var mass, volume *prop
	for _, fp := range flow.root.child("flowProperties").all("flowProperty") {
		id := fp.attr("dataSetInternalID")
		mean, err := parseNum(fp.child("meanValue").str())
		if err != nil {
			if id == fref {
				return &DocError{File: flow.file, Field: fpPath + "/meanValue", Msg: err.Error(), Err: ErrMalformed}
			}
			continue
		}
		unit, _ := fs.unitOf(strings.ToLower(fp.child("referenceToFlowPropertyDataSet").attr("refObjectId")))
		switch unit {
		case "kg":
			mass = &prop{unit, mean}
		case "m3":
			volume = &prop{unit, mean}
		}
		if id == fref {
			refProp = fp
		}
	}
	if fref == "" || refProp == nil {
		return &DocError{File: flow.file, Field: "flowInformation/quantitativeReference/referenceToReferenceFlowProperty", Msg: "missing or naming no flowProperty; it gives the declared unit's unit", Err: ErrMalformed}
	}
	mean, _ := parseNum(refProp.child("meanValue").str())
	fpID := strings.ToLower(refProp.child("referenceToFlowPropertyDataSet").attr("refObjectId"))
	unit, why := fs.unitOf(fpID)
	if unit == "" {
		return &DocError{File: flow.file, Field: fpPath + "/referenceToFlowPropertyDataSet", Msg: why, Err: ErrMalformed}
	}
	d.DeclaredUnit = Quantity{Amount: amount.Mul(mean), Unit: unit}
	if mass != nil && volume != nil && volume.mean.IsPositive() {
		// Both relative to the reference property: kg per m3 is their ratio.
		dens, note := densityFrom(mass.mean, Quantity{Amount: volume.mean, Unit: "m3"})
		d.Density = dens
		if note != "" {
			d.Notes = append(d.Notes, flow.file+": "+note)
		}
	}
	if d.Density == nil {
		if dens, ok := matmlDensity(flow.root); ok {
			d.Density = &dens
		}
	}
	return nil
}

// unitOf is the reference unit of a flow property: from its data set and
// its unit group's when given, else from the ILCD reference flow
// properties; "" and why when neither knows it.
func (fs *ilcdFiles) unitOf(fpID string) (string, string) {
	if fp, ok := fs.props[fpID]; ok {
		ugID := strings.ToLower(fp.root.child("flowPropertiesInformation", "quantitativeReference", "referenceToReferenceUnitGroup").attr("refObjectId"))
		if ug, ok := fs.units[ugID]; ok {
			ref := ug.root.child("unitGroupInformation", "quantitativeReference", "referenceToReferenceUnit").str()
			for _, u := range ug.root.child("units").all("unit") {
				if u.attr("dataSetInternalID") == ref {
					if name := clip(u.child("name").str()); name != "" {
						return name, ""
					}
				}
			}
			if u, ok := referenceUnits[fpID]; ok {
				return u, ""
			}
			return "", fmt.Sprintf("%s: unitGroupInformation/quantitativeReference/referenceToReferenceUnit names no unit", ug.file)
		}
		if u, ok := referenceUnits[fpID]; ok {
			return u, ""
		}
		return "", fmt.Sprintf("the unit group %s of flow property %s is not given", clipID(ugID), clipID(fpID))
	}
	if u, ok := referenceUnits[fpID]; ok {
		return u, ""
	}
	return "", fmt.Sprintf("flow property %s is neither given (flowproperties/%s.xml) nor an ILCD reference flow property (mass, volume, area, length, items)", clipID(fpID), clipID(fpID))
}

// matmlDensity reads a gross density (kg/m3) from a flow's MatML
// material properties (flowInformation/dataSetInformation/common:other/
// MatML_Doc), as ÖKOBAUDAT states it.
func matmlDensity(flow *node) (decimal.Decimal, bool) {
	doc := flow.child("flowInformation", "dataSetInformation", "other", "MatML_Doc")
	if doc == nil {
		return decimal.Decimal{}, false
	}
	ids := map[string]bool{}
	for _, pd := range doc.child("Metadata").all("PropertyDetails") {
		name := strings.ToLower(pd.child("Name").str())
		units := strings.ToLower(strings.ReplaceAll(pd.child("Units").attr("name"), "^", ""))
		if strings.Contains(name, "density") && (units == "kg/m3" || units == "") {
			ids[pd.attr("id")] = true
		}
	}
	for _, pd := range doc.child("Material", "BulkDetails").all("PropertyData") {
		if ids[pd.attr("property")] {
			if v, err := parseNum(pd.child("Data").str()); err == nil && v.IsPositive() {
				return v, true
			}
		}
	}
	return decimal.Decimal{}, false
}

// notDeclared are the published markers of a value not declared (module
// not declared, indicator not assessed …): skipped, not an error.
var notDeclared = map[string]bool{"": true, "ND": true, "MND": true, "MNR": true, "INA": true, "NR": true, "-": true, "N/A": true, "NA": true}

// readLCIA reads the GWP results per module, each with the uncertainty
// its LCIA result declares where that describes the module's amount
// (ilcduncertainty.go); other indicators are counted in a note, not kept.
func readLCIA(p ilcdSet, d *Declaration) error {
	other := 0
	seen := map[string]bool{}
	for i, r := range p.root.child("LCIAResults").all("LCIAResult") {
		path := fmt.Sprintf("LCIAResults/LCIAResult[%d]", i+1)
		ref := r.child("referenceToLCIAMethodDataSet")
		desc := ref.shortDescription()
		if desc == "" {
			d.Notes = append(d.Notes, fmt.Sprintf("%s: no common:shortDescription naming the indicator (LCIA method %s); skipped", path, clipID(ref.attr("refObjectId"))))
			continue
		}
		ind := indicatorName(desc)
		if ind == "" {
			other++
			continue
		}
		ext := r.child("other")
		unit := ext.child("referenceToUnitGroupDataSet").shortDescription()
		declared := declaredUncertainty(r, path, ind, d)
		first := len(d.Results)
		amounts := append(ext.all("amount"), r.all("amount")...)
		for _, a := range amounts {
			module := clipID(a.attr("module"))
			apath := fmt.Sprintf("%s/common:other/epd:amount[@module=%s]", path, module)
			if module == "" {
				return &DocError{File: p.file, Field: path + "/common:other/epd:amount", Msg: "no module attribute (want epd:module=\"A1-A3\")", Err: ErrMalformed}
			}
			if sc := a.attr("scenario"); sc != "" {
				module += " (" + clip(sc) + ")"
			}
			text := a.str()
			if notDeclared[strings.ToUpper(text)] {
				d.Notes = append(d.Notes, fmt.Sprintf("%s (%s): %s, not declared; skipped", apath, ind, quote(text)))
				continue
			}
			v, err := parseNum(text)
			if err != nil {
				return &DocError{File: p.file, Field: apath, Msg: err.Error(), Err: ErrMalformed}
			}
			key := ind + "\x00" + module
			if seen[key] {
				d.Notes = append(d.Notes, fmt.Sprintf("%s (%s): declared twice; the first is kept", apath, ind))
				continue
			}
			seen[key] = true
			d.Results = append(d.Results, Result{Indicator: ind, Module: module, Value: v, Unit: unit})
		}
		attachUncertainty(declared, d.Results[first:], r.child("meanAmount").str(), path, ind, d)
	}
	if other > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%d LCIA result(s) other than GWP not read", other))
	}
	return nil
}

// indicatorCode finds an explicit "(GWP-total)" style code.
var indicatorCode = regexp.MustCompile(`(?i)\bgwp[- ]?(total|fossil|biogenic|luluc)\b`)

// ghgCode finds EN 15804+A2's additional indicator GWP-GHG, "Global
// Warming Potential (GWP-GHG)" in EPD International's exports and
// "Global warming potential except emissions and uptake of biogenic
// carbon (GWP-IOBC/GHG)" in EPD Norway's: the IPCC GWP100 without
// biogenic carbon, neither EN 15804+A1's GWP nor GWP-biogenic.
var ghgCode = regexp.MustCompile(`(?i)\bgwp[- ]?(?:ghg|iobc)\b`)

// gwpWord finds "GWP" as a word.
var gwpWord = regexp.MustCompile(`\bgwp\b`)

// indicatorName normalises an ILCD LCIA method's short description to
// GWP-total, GWP-fossil, GWP-biogenic, GWP-luluc (EN 15804+A2, EF 3.x
// "Climate change" names included), GWP-GHG (EN 15804+A2's additional
// indicator) or GWP (EN 15804+A1); "" for an indicator that is not a
// global warming potential.
func indicatorName(desc string) string {
	if m := indicatorCode.FindStringSubmatch(desc); m != nil {
		return "GWP-" + strings.ToLower(m[1])
	}
	if ghgCode.MatchString(desc) {
		return "GWP-GHG"
	}
	l := strings.ToLower(desc)
	if !strings.Contains(l, "global warming") && !strings.Contains(l, "climate change") && !gwpWord.MatchString(l) {
		return ""
	}
	switch {
	case strings.Contains(l, "land use"):
		return "GWP-luluc"
	case strings.Contains(l, "fossil"):
		return "GWP-fossil"
	case strings.Contains(l, "biogenic"):
		return "GWP-biogenic"
	case strings.Contains(l, "total"), strings.Contains(l, "climate change"):
		return "GWP-total"
	}
	return "GWP"
}

// amendment finds EN 15804's amendment, "15804+a2" or "15804:2012+a2:2019"
// (lower case, spaces removed).
var amendment = regexp.MustCompile(`15804(?::\d{4})?\+a([12])`)

// standardName recognises EN 15804 (+A1/+A2) and ISO 21930 in a
// compliance system's short description; "" for others.
// complianceSystems are the source data sets InData's common references
// name for the standards an EPD conforms to (InDataWG/ILCD-EPD-Data-Format,
// doc/identifiers/Common_references.csv): the UUID is the evidence, the
// short description only its label.
var complianceSystems = map[string]string{
	"b00f9ec0-7874-11e3-981f-0800200c9a66": "EN 15804+A1",
	"c0016b33-8cf7-415c-ac6e-deba0d21440d": "EN 15804+A2", // EF 3.0
	"d4aa3ec7-b1d7-4a4a-a6cb-37af88dcc902": "EN 15804+A2", // EF 3.1
	"4f2eb655-6e44-4874-a95a-e28f5442cd4d": "ISO 14025",
	"9c1e8451-2321-4498-b459-b6568b6b6547": "ISO 21930",
}

func standardName(desc string) string {
	l := strings.ToLower(strings.ReplaceAll(desc, " ", ""))
	if m := amendment.FindStringSubmatch(l); m != nil {
		return "EN 15804+A" + m[1]
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

// clipID bounds an identifier or attribute echoed in a message.
func clipID(s string) string {
	if len(s) > maxQuote {
		return strconv.Quote(s[:maxQuote]) + "…"
	}
	return s
}

// ilcdClassification reads classificationInformation: each
// common:classification with its name and its common:class texts in
// level order (the document order when levels are missing).
func ilcdClassification(ci *node) []Classification {
	var out []Classification
	for _, c := range ci.all("classification") {
		classes := c.all("class")
		sort.SliceStable(classes, func(i, j int) bool { return classes[i].attr("level") < classes[j].attr("level") })
		var parts []string
		for _, k := range classes {
			if t := strings.TrimSpace(k.str()); t != "" && len(parts) < MaxClassLevels {
				parts = append(parts, clip(t))
			}
		}
		if len(parts) > 0 && len(out) < MaxClassifications {
			out = append(out, Classification{System: clip(c.attr("name")), Path: strings.Join(parts, " / ")})
		}
	}
	return out
}
