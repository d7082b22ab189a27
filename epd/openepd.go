package epd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// checkJSON walks the document's tokens once, refusing nesting deeper
// than MaxDepth and anything but one JSON value, before it is decoded
// (encoding/json's own bound is far deeper).
func checkJSON(file string, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && depth == 0 {
			break
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &DocError{File: file, Field: fmt.Sprintf("byte %d", len(raw)), Msg: "not valid JSON: the document ends before its last value does (truncated?)", Err: ErrMalformed}
		}
		if err != nil {
			return &DocError{File: file, Field: fmt.Sprintf("byte %d", dec.InputOffset()), Msg: "not valid JSON: " + clip(err.Error()), Err: ErrMalformed}
		}
		if dl, ok := tok.(json.Delim); ok {
			switch dl {
			case '{', '[':
				depth++
				if depth > MaxDepth {
					return &DocError{File: file, Field: fmt.Sprintf("byte %d", dec.InputOffset()), Msg: fmt.Sprintf("nested deeper than %d", MaxDepth), Err: ErrTooLarge}
				}
			default:
				depth--
			}
		}
		if depth == 0 && dec.More() {
			return &DocError{File: file, Field: fmt.Sprintf("byte %d", dec.InputOffset()), Msg: "more than one JSON value; an openEPD document is one object", Err: ErrMalformed}
		}
	}
	return nil
}

// parseOpenEPD reads an openEPD document (JSON).
func parseOpenEPD(file string, raw []byte) (*Declaration, error) {
	if len(raw) > MaxBytes {
		return nil, &DocError{File: file, Msg: fmt.Sprintf("%d bytes, over the limit of %d", len(raw), MaxBytes), Err: ErrTooLarge}
	}
	if err := checkJSON(file, raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &DocError{File: file, Msg: "not valid JSON: " + clip(err.Error()), Err: ErrMalformed}
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, &DocError{File: file, Msg: "not a JSON object; an openEPD document is one object", Err: ErrMalformed}
	}
	bad := func(field, msg string) error {
		return &DocError{File: file, Field: field, Msg: msg, Err: ErrMalformed}
	}
	d := &Declaration{Format: FormatOpenEPD, SHA256: digest(raw)}
	id, ok := doc["id"].(string)
	if !ok || strings.TrimSpace(id) == "" {
		return nil, bad("id", "missing or not a string; the openEPD id identifies the EPD")
	}
	d.ID = clip(id)
	d.Name = firstText(doc, "name", "product_name")
	if d.Name == "" {
		d.Name = d.ID
		d.Notes = append(d.Notes, "name: missing; the EPD is shown by its id")
	}
	d.ProgramOperator = orgName(doc["program_operator"])
	d.RegistrationNumber = firstText(doc, "program_operator_doc_id")
	if d.RegistrationNumber == "" {
		// EC3's records name the program operator's document id
		// program_operator_fkey (epd/testdata/real/nrmca-ready-mix.json).
		if d.RegistrationNumber = firstText(doc, "program_operator_fkey"); d.RegistrationNumber != "" {
			d.Notes = append(d.Notes, fmt.Sprintf("registration number %s read from program_operator_fkey (EC3's name for program_operator_doc_id)", quote(d.RegistrationNumber)))
		}
	}
	d.Manufacturer = orgName(doc["manufacturer"])
	d.PCR = orgName(doc["pcr"])
	d.Plant = plantNames(doc)
	for _, s := range standardsOf(doc) {
		d.conforms(s)
	}
	d.Classification = openEPDClassification(doc)

	var vs []validity
	for _, k := range []string{"valid_until", "date_validity_ends"} {
		if v, ok := doc[k]; ok && v != nil {
			if _, isText := v.(string); !isText {
				return nil, bad(k, "not a string; want a date such as \"2027-03-01\"")
			}
		}
		if s, ok := doc[k].(string); ok && s != "" {
			t, yearOnly, err := parseValidUntil(s)
			if err != nil {
				return nil, bad(k, err.Error())
			}
			vs = append(vs, validity{k, t, yearOnly})
		}
	}
	if len(vs) == 0 {
		d.Notes = append(d.Notes, "valid_until: missing (nor date_validity_ends); validity cannot be checked")
	}
	d.setValidity(vs)

	du, ok := doc["declared_unit"]
	if !ok || du == nil {
		return nil, bad("declared_unit", `missing; want "1 t" or {"qty": 1, "unit": "t"}`)
	}
	q, err := amount(du)
	if err != nil {
		return nil, bad("declared_unit", err.Error())
	}
	d.DeclaredUnit = q

	if err := readDensity(doc, d); err != nil {
		return nil, &DocError{File: file, Field: err.field, Msg: err.msg, Err: ErrMalformed}
	}
	if err := readImpacts(doc, d); err != nil {
		return nil, &DocError{File: file, Field: err.field, Msg: err.msg, Err: ErrMalformed}
	}
	d.sumModules()
	topLevelGWP(doc, d)
	d.standardFromEvidence()
	return d, nil
}

// topLevelGWP reads the document's top-level "gwp" (EC3 records carry the
// A1-A3 GWP there, e.g. "352 kgCO2e") as the A1-A3 GWP when impacts
// declares none (nor A1, A2 and A3 to sum), marked From "gwp". When
// impacts has one, the top-level value is left (noted). One that cannot
// be read is skipped with a warning.
func topLevelGWP(doc map[string]any, d *Declaration) {
	v, ok := doc["gwp"]
	if !ok || v == nil {
		return
	}
	for _, r := range d.Results {
		if r.Module == "A1-A3" && strings.HasPrefix(strings.ToLower(r.Indicator), "gwp") {
			d.Notes = append(d.Notes, "gwp: impacts declares the A1-A3 GWP; the top-level gwp is not read")
			return
		}
	}
	var q Quantity
	var err error
	if _, isNum := v.(json.Number); isNum {
		err = fmt.Errorf("a number without a unit (want e.g. \"352 kgCO2e\")")
	} else {
		q, err = amount(v)
	}
	if err == nil && !strings.Contains(strings.ToLower(q.Unit), "co2") {
		err = fmt.Errorf("unit %s is not a CO2 equivalent (want e.g. kgCO2e)", quote(q.Unit))
	}
	if err != nil {
		d.warn("gwp: " + err.Error() + "; not read")
		return
	}
	d.Results = append(d.Results, Result{Indicator: "gwp", Module: "A1-A3", Value: q.Amount, Unit: q.Unit, From: "gwp"})
	d.Notes = append(d.Notes, fmt.Sprintf("gwp: A1-A3 = %s %s, read from the top-level gwp (impacts declares no A1-A3 GWP)", q.Amount, q.Unit))
}

// fieldErr is a problem at a JSON path, made a *DocError by the caller.
type fieldErr struct{ field, msg string }

// readDensity takes a stated density ("density": "2400 kg/m3" or
// {"qty", "unit"}), else derives it from kg_per_declared_unit (or
// mass_per_declared_unit) when the declared unit is in m3.
func readDensity(doc map[string]any, d *Declaration) *fieldErr {
	if v, ok := doc["density"]; ok && v != nil {
		q, err := amount(v)
		if err == nil && q.Unit != "kg/m3" && q.Unit != "kg/m³" {
			err = fmt.Errorf("unit %s, want kg/m3", quote(q.Unit))
		}
		if err == nil && !q.Amount.IsPositive() {
			err = fmt.Errorf("%s kg/m3 is not a positive density", q.Amount)
		}
		if err != nil {
			// Optional: a density that cannot be read is skipped, and
			// said (a line that needs it is refused for want of one).
			d.warn("density: " + err.Error() + "; no density taken")
			return nil
		}
		d.Density = &q.Amount
		return nil
	}
	for _, k := range []string{"kg_per_declared_unit", "mass_per_declared_unit"} {
		v, ok := doc[k]
		if !ok || v == nil {
			continue
		}
		q, err := amount(v)
		if err != nil {
			d.warn(k + ": " + err.Error() + "; no density taken")
			return nil
		}
		var kg decimal.Decimal
		switch q.Unit {
		case "kg":
			kg = q.Amount
		case "t":
			kg = q.Amount.Mul(decimal.NewFromInt(1000))
		default:
			d.warn(fmt.Sprintf("%s: unit %s, want kg or t; no density taken", k, quote(q.Unit)))
			return nil
		}
		dens, note := densityFrom(kg, d.DeclaredUnit)
		d.Density = dens
		if note != "" {
			d.Notes = append(d.Notes, note)
		}
		return nil
	}
	return nil
}

// readImpacts reads impacts.{set}.{indicator}.{module} = {"mean", "unit"}
// for the GWP indicators (keys starting "gwp"); others are counted in a
// note. Modules are named as EN 15804 does ("A1A2A3" → "A1-A3").
func readImpacts(doc map[string]any, d *Declaration) *fieldErr {
	raw, ok := doc["impacts"]
	if !ok || raw == nil {
		d.Notes = append(d.Notes, "impacts: missing; no results")
		return nil
	}
	sets, ok := raw.(map[string]any)
	if !ok {
		return &fieldErr{"impacts", `not an object; want {"TRACI 2.1": {"gwp": {"A1A2A3": {"mean": 780, "unit": "kgCO2e"}}}}`}
	}
	other := 0
	for _, set := range sortedKeys(sets) {
		inds, ok := sets[set].(map[string]any)
		if !ok {
			return &fieldErr{"impacts/" + clipID(set), "not an object of indicators"}
		}
		for _, ind := range sortedKeys(inds) {
			if !strings.HasPrefix(strings.ToLower(ind), "gwp") {
				other++
				continue
			}
			ipath := "impacts/" + clipID(set) + "/" + clipID(ind)
			mods, ok := inds[ind].(map[string]any)
			if !ok {
				return &fieldErr{ipath, "not an object of modules"}
			}
			for _, mod := range sortedKeys(mods) {
				mpath := ipath + "/" + clipID(mod)
				if strings.TrimSpace(mod) == "" {
					return &fieldErr{ipath, `a module without a name; want e.g. "A1A2A3"`}
				}
				m, ok := mods[mod].(map[string]any)
				if !ok {
					return &fieldErr{mpath, `not a measurement; want {"mean": 780, "unit": "kgCO2e"}`}
				}
				mean, ok := m["mean"]
				if !ok || mean == nil {
					d.Notes = append(d.Notes, mpath+": no mean; skipped")
					continue
				}
				v, err := number(mean)
				if err != nil {
					return &fieldErr{mpath + "/mean", err.Error()}
				}
				unit, _ := m["unit"].(string)
				res := Result{Indicator: clip(openEPDIndicator(set, ind)), Set: clip(set), Module: moduleName(mod), Value: v, Unit: clip(unit)}
				if r, ok := m["rsd"]; ok && r != nil {
					if x, err := number(r); err == nil && !x.IsNegative() {
						res.RSD = x.String()
					}
				}
				if ds, ok := m["dist"].(string); ok {
					res.Dist = clip(ds)
				}
				d.Results = append(d.Results, res)
			}
		}
	}
	if other > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%d impact indicator(s) other than GWP not read", other))
	}
	return nil
}

// moduleName writes an openEPD module key as EN 15804 does: "A1A2A3" →
// "A1-A3"; others upper-cased as given ("a4" → "A4").
func moduleName(k string) string {
	u := strings.ToUpper(strings.TrimSpace(k))
	switch u {
	case "A1A2A3", "A1-A3", "A1TOA3":
		return "A1-A3"
	}
	return clip(u)
}

// number reads a JSON number (kept as its text) or a numeric string.
func number(v any) (decimal.Decimal, error) {
	switch n := v.(type) {
	case json.Number:
		return parseNum(n.String())
	case string:
		return parseNum(n)
	}
	return decimal.Decimal{}, fmt.Errorf("not a number (want e.g. 780)")
}

// amount reads an openEPD Amount: a quantity string ("1 t", "2400 kg /
// m^3") or {"qty": 1, "unit": "t"}. The unit is written canonically
// (unitExpr).
func amount(v any) (Quantity, error) {
	switch a := v.(type) {
	case string:
		return quantityStr(a)
	case map[string]any:
		n, err := number(a["qty"])
		if err != nil {
			return Quantity{}, fmt.Errorf("qty: %v", err)
		}
		u, _ := a["unit"].(string)
		if strings.TrimSpace(u) == "" {
			return Quantity{}, fmt.Errorf(`unit: missing (want e.g. {"qty": 1, "unit": "t"})`)
		}
		unit, ok := unitExpr(u)
		if !ok {
			return Quantity{}, fmt.Errorf("unit: %s is not a unit (want e.g. \"t\" or \"kg / m^3\")", quote(u))
		}
		return Quantity{Amount: n, Unit: unit}, nil
	}
	return Quantity{}, fmt.Errorf(`not an amount (want "1 t" or {"qty": 1, "unit": "t"})`)
}

// leadingNumber is a quantity string's number: digits with an optional
// fraction and exponent, then the unit.
var leadingNumber = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`)

// quantityStr reads an openEPD quantity string: a number, then a unit
// expression, spaces optional between them ("1 t", "1000 kg", "1 m3",
// "2400 kg / m^3", "0.5 t * km").
func quantityStr(s string) (Quantity, error) {
	t := strings.TrimSpace(s)
	num := leadingNumber.FindString(t)
	if num == "" {
		return Quantity{}, fmt.Errorf("%s is not an amount with a unit (want e.g. \"1 t\" or \"2400 kg / m^3\")", quote(s))
	}
	n, err := parseNum(num)
	if err != nil {
		return Quantity{}, err
	}
	unit, ok := unitExpr(t[len(num):])
	if !ok {
		return Quantity{}, fmt.Errorf("%s is not an amount with a unit (want e.g. \"1 t\" or \"2400 kg / m^3\")", quote(s))
	}
	return Quantity{Amount: n, Unit: unit}, nil
}

// unitFactor is one factor of a unit expression: a unit name ("kg", "m",
// "kgCO2e", "°C", "m3") with an optional exponent written "^3" or "^-1".
var unitFactor = regexp.MustCompile(`^([\p{L}°µ%][\p{L}\p{N}°µ%_.]*)(?:\^([+-]?\d{1,2}))?$`)

// unitExpr writes an openEPD unit expression canonically: factors joined
// by "*" or "/" (spaces around them optional), a factor's exponent 2 or 3
// written as a digit ("m^3" → "m3"), others kept ("hour^-1"); so
// "kg / m^3" is "kg/m3". false when it is no unit expression.
func unitExpr(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNumberLen {
		return "", false
	}
	var b strings.Builder
	op := ""
	for _, f := range strings.FieldsFunc(strings.NewReplacer("*", " * ", "/", " / ").Replace(s), func(r rune) bool { return r == ' ' || r == '\t' }) {
		if f == "*" || f == "/" {
			if op != "" || b.Len() == 0 {
				return "", false
			}
			op = f
			continue
		}
		m := unitFactor.FindStringSubmatch(f)
		if m == nil {
			return "", false
		}
		if b.Len() > 0 {
			if op == "" {
				return "", false // two factors without an operator
			}
			b.WriteString(op)
		}
		op = ""
		b.WriteString(m[1])
		switch m[2] {
		case "", "1", "+1":
		case "2", "3", "+2", "+3":
			b.WriteString(strings.TrimPrefix(m[2], "+"))
		default:
			b.WriteString("^" + m[2])
		}
	}
	if op != "" || b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// orgName is an organisation's (or PCR's) name: a string, or an object's
// "name" (else its "short_name", "web_domain", "id").
func orgName(v any) string {
	switch o := v.(type) {
	case string:
		return clip(o)
	case map[string]any:
		return firstText(o, "name", "short_name", "web_domain", "id")
	}
	return ""
}

// plantNames is "plant" (string or object), the names of "plants",
// joined with "; ", or EC3's "plant_or_group" (a plant or a group of
// plants, by its name).
func plantNames(doc map[string]any) string {
	if s := orgName(doc["plant"]); s != "" {
		return s
	}
	ps, _ := doc["plants"].([]any)
	var names []string
	for _, p := range ps {
		if s := orgName(p); s != "" {
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return orgName(doc["plant_or_group"])
	}
	return clip(strings.Join(names, "; "))
}

// standardOf recognises the standard among "compliance" entries
// (short_name or name) or a "standard" string.
func standardsOf(doc map[string]any) []string {
	var cands []string
	if s, ok := doc["standard"].(string); ok {
		cands = append(cands, s)
	}
	cs, _ := doc["compliance"].([]any)
	for _, c := range cs {
		switch c := c.(type) {
		case string:
			cands = append(cands, c)
		case map[string]any:
			cands = append(cands, firstText(c, "short_name"), firstText(c, "name"))
		}
	}
	var out []string
	for _, c := range cands {
		if s := standardName(c); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// firstText is the first non-empty string among the keys.
func firstText(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			return clip(s)
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// openEPDIndicator normalises an openEPD GWP indicator. Under the EF 3.x sets
// (the characterisation EN 15804+A2 prescribes) openEPD's "gwp" is
// EN 15804+A2's GWP-total and "gwp-fossil", "gwp-biogenic", "gwp-luluc"
// its parts, so they take the names ILCD uses; under other sets (TRACI,
// AR5, …) the document's name is kept.
func openEPDIndicator(set, ind string) string {
	if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(set)), "EF 3") {
		return ind
	}
	switch strings.ToLower(strings.TrimSpace(ind)) {
	case "gwp":
		return "GWP-total"
	case "gwp-fossil":
		return "GWP-fossil"
	case "gwp-biogenic":
		return "GWP-biogenic"
	case "gwp-luluc":
		return "GWP-luluc"
	}
	return ind
}

// openEPDClassification reads "category" (a string, or an object whose
// "openepd", "display_name" or "name" is the text) and "product_classes"
// (an object of system to a string or a list of strings, keys sorted).
// Other shapes are skipped: the classification is optional.
func openEPDClassification(doc map[string]any) []Classification {
	var out []Classification
	add := func(system string, v any) {
		if t, ok := v.(string); ok && strings.TrimSpace(t) != "" && len(out) < MaxClassifications {
			out = append(out, Classification{System: system, Path: clip(strings.TrimSpace(t))})
		}
	}
	switch c := doc["category"].(type) {
	case string:
		add("category", c)
	case map[string]any:
		for _, k := range []string{"openepd", "display_name", "name"} {
			if t, ok := c[k].(string); ok && strings.TrimSpace(t) != "" {
				add("category", t)
				break
			}
		}
	}
	if pc, ok := doc["product_classes"].(map[string]any); ok {
		keys := make([]string, 0, len(pc))
		for k := range pc {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch v := pc[k].(type) {
			case string:
				add("product_classes/"+clip(k), v)
			case []any:
				for _, x := range v {
					add("product_classes/"+clip(k), x)
				}
			}
		}
	}
	return out
}
