package epd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	d.Manufacturer = orgName(doc["manufacturer"])
	d.PCR = orgName(doc["pcr"])
	d.Plant = plantNames(doc)
	d.Standard = standardOf(doc)

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
	return d, nil
}

// fieldErr is a problem at a JSON path, made a *DocError by the caller.
type fieldErr struct{ field, msg string }

// readDensity takes a stated density ("density": "2400 kg/m3" or
// {"qty", "unit"}), else derives it from kg_per_declared_unit (or
// mass_per_declared_unit) when the declared unit is in m3.
func readDensity(doc map[string]any, d *Declaration) *fieldErr {
	if v, ok := doc["density"]; ok && v != nil {
		q, err := amount(v)
		if err != nil {
			return &fieldErr{"density", err.Error()}
		}
		u := strings.ReplaceAll(strings.ToLower(q.Unit), " ", "")
		if u != "kg/m3" && u != "kg/m^3" && u != "kg/m³" {
			return &fieldErr{"density", fmt.Sprintf("unit %s, want kg/m3", quote(q.Unit))}
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
			return &fieldErr{k, err.Error()}
		}
		var kg decimal.Decimal
		switch q.Unit {
		case "kg":
			kg = q.Amount
		case "t":
			kg = q.Amount.Mul(decimal.NewFromInt(1000))
		default:
			return &fieldErr{k, fmt.Sprintf("unit %s, want kg or t", quote(q.Unit))}
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
				d.Results = append(d.Results, Result{Indicator: clip(openEPDIndicator(set, ind)), Set: clip(set), Module: moduleName(mod), Value: v, Unit: clip(unit)})
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

// amount reads an openEPD Amount: "1 t" or {"qty": 1, "unit": "t"}.
func amount(v any) (Quantity, error) {
	switch a := v.(type) {
	case string:
		f := strings.Fields(a)
		if len(f) != 2 {
			return Quantity{}, fmt.Errorf("%s is not an amount with a unit (want e.g. \"1 t\")", quote(a))
		}
		n, err := parseNum(f[0])
		if err != nil {
			return Quantity{}, err
		}
		return Quantity{Amount: n, Unit: clip(f[1])}, nil
	case map[string]any:
		n, err := number(a["qty"])
		if err != nil {
			return Quantity{}, fmt.Errorf("qty: %v", err)
		}
		u, _ := a["unit"].(string)
		if strings.TrimSpace(u) == "" {
			return Quantity{}, fmt.Errorf(`unit: missing (want e.g. {"qty": 1, "unit": "t"})`)
		}
		return Quantity{Amount: n, Unit: clip(u)}, nil
	}
	return Quantity{}, fmt.Errorf(`not an amount (want "1 t" or {"qty": 1, "unit": "t"})`)
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

// plantNames is "plant" (string or object) or the names of "plants",
// joined with "; ".
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
	return clip(strings.Join(names, "; "))
}

// standardOf recognises the standard among "compliance" entries
// (short_name or name) or a "standard" string.
func standardOf(doc map[string]any) string {
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
	for _, c := range cands {
		if s := standardName(c); s != "" {
			return s
		}
	}
	return ""
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
