package calc

import (
	"sort"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/jsonw"
)

// AppendJSON appends the report's JSON to b: byte for byte what
// json.Marshal(r) writes (TestAppendJSONMatchesMarshal holds it to that),
// without reflection. Sealing a footprint and answering it over HTTP encode
// every report, so this is on the hot path of the server.
func (r *Report) AppendJSON(b []byte) []byte {
	b = r.appendHead(b)
	if r.Lines == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Lines {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLine(b, &r.Lines[i], nil)
		}
		b = append(b, ']')
	}
	return r.appendTail(b)
}

// appendHead writes the report up to the value of "lines".
func (r *Report) appendHead(b []byte) []byte {
	b = append(b, `{"method":`...)
	b = appendMethodRef(b, &r.Method)
	b = appendKey(b, "reference")
	b = jsonw.AppendString(b, r.Reference)
	b = appendKey(b, "supplier")
	b = jsonw.AppendString(b, r.Supplier)
	b = append(b, `,"total":{"kg_co2e":`...)
	b = appendFixed(b, r.Total.KgCO2e)
	b = append(b, `},"by_gas":`...)
	b = appendGases(b, r.ByGas)
	b = appendKey(b, "by_stage")
	b = appendStages(b, r.ByStage)
	return appendKey(b, "lines")
}

// appendTail writes the report after the value of "lines".
func (r *Report) appendTail(b []byte) []byte {
	b = appendKey(b, "limits")
	if r.Limits == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Limits {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLimit(b, &r.Limits[i])
		}
		b = append(b, ']')
	}
	b = appendKey(b, "quality")
	b = jsonw.AppendString(b, r.Quality)
	b = appendKey(b, "datasets")
	if r.Datasets == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, d := range r.Datasets {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ref":`...)
			b = jsonw.AppendString(b, d.Ref)
			b = appendKey(b, "title")
			b = jsonw.AppendString(b, d.Title)
			b = appendKey(b, "digest")
			b = jsonw.AppendString(b, d.Digest)
			b = appendKey(b, "quality")
			b = jsonw.AppendString(b, d.Quality)
			b = appendKey(b, "licence")
			b = jsonw.AppendString(b, d.Licence)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendKey(b, "notes")
	b = jsonw.AppendStrings(b, r.Notes)
	b = append(b, `,"receipt":{"input_digest":`...)
	b = jsonw.AppendString(b, r.Receipt.InputDigest)
	b = appendKey(b, "method_digest")
	b = jsonw.AppendString(b, r.Receipt.MethodDigest)
	b = appendKey(b, "dataset_digests")
	if r.Receipt.DatasetDigests == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(r.Receipt.DatasetDigests))
		for k := range r.Receipt.DatasetDigests {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.AppendString(b, k)
			b = append(b, ':')
			b = jsonw.AppendString(b, r.Receipt.DatasetDigests[k])
		}
		b = append(b, '}')
	}
	if len(r.Receipt.EPDDigests) > 0 {
		b = appendKey(b, "epd_digests")
		b = jsonw.AppendStrings(b, r.Receipt.EPDDigests)
	}
	b = appendKey(b, "result_digest")
	b = jsonw.AppendString(b, r.Receipt.ResultDigest)
	return append(b, "}}"...)
}

func appendKey(b []byte, k string) []byte {
	b = append(b, ',', '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func appendMethodRef(b []byte, m *MethodRef) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.AppendString(b, m.ID)
	b = appendKey(b, "version")
	b = jsonw.AppendString(b, m.Version)
	b = appendKey(b, "title")
	b = jsonw.AppendString(b, m.Title)
	b = appendKey(b, "status")
	b = jsonw.AppendString(b, m.Status)
	b = appendKey(b, "gwp_set")
	b = jsonw.AppendString(b, m.GWPSet)
	b = appendKey(b, "digest")
	b = jsonw.AppendString(b, m.Digest)
	return append(b, '}')
}

func appendGases(b []byte, gs []ReportedGas) []byte {
	if gs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range gs {
		g := &gs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"gas":`...)
		b = jsonw.AppendString(b, g.Gas)
		b = append(b, `,"kg":`...)
		b = appendFixed(b, g.Kg)
		b = append(b, `,"kg_co2e":`...)
		b = appendFixed(b, g.KgCO2e)
		if g.GWP != "" {
			b = append(b, `,"gwp":`...)
			b = jsonw.AppendString(b, g.GWP)
		}
		b = append(b, `,"counted":`...)
		b = strconv.AppendBool(b, g.Counted)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendStages(b []byte, ss []ReportedStage) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"stage":`...)
		b = jsonw.AppendString(b, ss[i].Stage)
		b = append(b, `,"kg_co2e":`...)
		b = appendFixed(b, ss[i].KgCO2e)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendLine writes a line; factorJSON, when not nil, is its "factor"
// member as appendFactor writes it (a recipe's, encoded once).
func appendLine(b []byte, l *ReportedLine, factorJSON []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.AppendString(b, l.ID)
	b = appendKey(b, "activity")
	b = jsonw.AppendString(b, l.Activity)
	b = appendKey(b, "region")
	b = jsonw.AppendString(b, l.Region)
	b = appendKey(b, "quantity")
	b = appendDecimal(b, l.Quantity)
	b = appendKey(b, "unit")
	b = jsonw.AppendString(b, l.Unit)
	b = appendKey(b, "status")
	b = jsonw.AppendString(b, l.Status)
	b = appendKey(b, "kg_co2e")
	b = appendFixed(b, l.KgCO2e)
	b = appendKey(b, "gases")
	b = appendGases(b, l.Gases)
	b = appendKey(b, "stages")
	b = appendStages(b, l.Stages)
	if factorJSON != nil {
		b = append(b, factorJSON...)
	} else if l.Factor != nil {
		b = appendFactor(b, l.Factor)
	}
	if e := l.EPD; e != nil {
		b = appendEPD(b, e)
	}
	b = appendKey(b, "conversions")
	b = jsonw.AppendStrings(b, l.Conversions)
	if len(l.BasisConversions) > 0 {
		b = appendKey(b, "basis_conversions")
		b = append(b, '[')
		for i, c := range l.BasisConversions {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"from":`...)
			b = jsonw.AppendString(b, c.From)
			b = appendKey(b, "to")
			b = jsonw.AppendString(b, c.To)
			b = appendKey(b, "ratio")
			b = jsonw.AppendString(b, c.Ratio)
			if c.Quotient != "" {
				b = appendKey(b, "quotient")
				b = jsonw.AppendString(b, c.Quotient)
			}
			b = appendKey(b, "source")
			b = jsonw.AppendString(b, c.Source)
			if c.Dataset != "" {
				b = appendKey(b, "dataset")
				b = jsonw.AppendString(b, c.Dataset)
			}
			if c.Row != "" {
				b = appendKey(b, "row")
				b = jsonw.AppendString(b, c.Row)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if l.DataOrigin != "" {
		b = appendKey(b, "data_origin")
		b = jsonw.AppendString(b, l.DataOrigin)
	}
	b = appendKey(b, "warnings")
	b = jsonw.AppendStrings(b, l.Warnings)
	if l.Error != "" {
		b = appendKey(b, "error")
		b = jsonw.AppendString(b, l.Error)
	}
	if l.Field != "" {
		b = appendKey(b, "field")
		b = jsonw.AppendString(b, l.Field)
	}
	return append(b, '}')
}

// appendFactor writes a line's "factor" member (with its leading comma),
// as json.Marshal would.
func appendFactor(b []byte, f *FactorUsed) []byte {
	b = append(b, `,"factor":{"id":`...)
	b = jsonw.AppendString(b, f.ID)
	b = appendKey(b, "dataset")
	b = jsonw.AppendString(b, f.Dataset)
	b = appendKey(b, "source")
	b = jsonw.AppendString(b, f.Source)
	if f.Table != "" {
		b = appendKey(b, "table")
		b = jsonw.AppendString(b, f.Table)
	}
	b = appendKey(b, "region")
	b = jsonw.AppendString(b, f.Region)
	b = appendKey(b, "fallback")
	b = strconv.AppendBool(b, f.Fallback)
	b = appendKey(b, "quality")
	b = jsonw.AppendString(b, f.Quality)
	b = appendKey(b, "product_specific")
	b = strconv.AppendBool(b, f.ProductSpecific)
	b = appendKey(b, "per")
	b = jsonw.AppendString(b, f.Per)
	if f.Basis != "" {
		b = appendKey(b, "basis")
		b = jsonw.AppendString(b, f.Basis)
	}
	b = appendKey(b, "stage")
	b = jsonw.AppendString(b, f.Stage)
	b = append(b, '}')
	return b
}

// appendEPD writes a line's "epd" object, as json.Marshal would.
func appendEPD(b []byte, e *EPDUsed) []byte {
	opt := func(k, v string) {
		if v != "" {
			b = appendKey(b, k)
			b = jsonw.AppendString(b, v)
		}
	}
	b = append(b, `,"epd":{"file":`...)
	b = jsonw.AppendString(b, e.File)
	b = appendKey(b, "format")
	b = jsonw.AppendString(b, e.Format)
	b = appendKey(b, "id")
	b = jsonw.AppendString(b, e.ID)
	opt("name", e.Name)
	opt("registration_number", e.RegistrationNumber)
	opt("program_operator", e.ProgramOperator)
	opt("standard", e.Standard)
	opt("standard_evidence", e.StandardEvidence)
	b = appendKey(b, "valid_until")
	b = jsonw.AppendString(b, e.ValidUntil)
	if e.ValidUntilYearOnly {
		b = append(b, `,"valid_until_year_only":true`...)
	}
	b = appendKey(b, "indicator")
	b = jsonw.AppendString(b, e.Indicator)
	opt("set", e.Set)
	b = appendKey(b, "modules")
	b = jsonw.AppendString(b, e.Modules)
	if len(e.SummedFrom) > 0 {
		b = appendKey(b, "summed_from")
		b = jsonw.AppendStrings(b, e.SummedFrom)
	}
	opt("value_from", e.ValueFrom)
	b = appendKey(b, "value")
	b = jsonw.AppendString(b, e.Value)
	b = appendKey(b, "declared_unit")
	b = jsonw.AppendString(b, e.DeclaredUnit)
	opt("density_kg_per_m3", e.Density)
	b = appendKey(b, "sha256")
	b = jsonw.AppendString(b, e.SHA256)
	return append(b, '}')
}

func appendLimit(b []byte, l *ReportedLimit) []byte {
	b = append(b, `{"name":`...)
	b = jsonw.AppendString(b, l.Name)
	b = appendKey(b, "id")
	b = jsonw.AppendString(b, l.ID)
	b = appendKey(b, "dataset")
	b = jsonw.AppendString(b, l.Dataset)
	b = appendKey(b, "line_id")
	b = jsonw.AppendString(b, l.LineID)
	b = appendKey(b, "limit")
	b = appendDecimal(b, l.Limit)
	b = appendKey(b, "value")
	b = appendFixed(b, l.Value)
	b = appendKey(b, "unit")
	b = jsonw.AppendString(b, l.Unit)
	b = appendKey(b, "pass")
	b = strconv.AppendBool(b, l.Pass)
	b = appendKey(b, "quality")
	b = jsonw.AppendString(b, l.Quality)
	b = appendKey(b, "source")
	b = jsonw.AppendString(b, l.Source)
	return append(b, '}')
}

func appendFixed(b []byte, f Fixed) []byte {
	b = append(b, '"')
	b = f.appendText(b)
	return append(b, '"')
}

// appendDecimal writes what decimal.Decimal.MarshalJSON writes (d.String(),
// without big.Int formatting when it can: appendDecimalText).
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes {
		return appendDecimalText(b, d)
	}
	b = append(b, '"')
	b = appendDecimalText(b, d)
	return append(b, '"')
}
