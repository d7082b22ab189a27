// Package bidcsv reads a bid from a CSV file in the batch layout, for
// commands that take one inventory as a whole (compare, methods diff
// --inventory). Large files belong to calc/batch, which streams.
//
// The first record is a header. Required columns: line_id, activity,
// region, quantity, unit. Optional: stage, factor_kg_co2e, factor_per,
// factor_reference (a product-specific factor: all three or none), basis
// (HHV or NCV) and allow_region_fallback (true/false, yes/no, 1/0). Other
// columns are ignored. Column names are matched case-insensitively.
//
//	line_id,activity,region,quantity,unit,basis
//	1,fuel.natural_gas,US,1000,mmBtu,
//	2,fuel.natural_gas,US,2.5,TJ,NCV
//
// Decimals are parsed from their text, never through float64. Every bad
// cell is reported, as a *calc.BidError whose problems point at
// /lines/<i>/<field> and name the CSV line.
package bidcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
)

// MaxBytes bounds a CSV inventory read whole.
const MaxBytes = 4 << 20

// Decode reads a bid from CSV. reference names the bid (e.g. the file name).
func Decode(r io.Reader, reference string) (calc.Bid, error) {
	bid := calc.Bid{Reference: reference}
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return bid, err
	}
	if len(raw) > MaxBytes {
		return bid, bad("", "", fmt.Sprintf("the CSV file is over %d bytes: use footprint batch for large files", MaxBytes))
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return bid, bad("", "", "the CSV file is empty; expected a header row with line_id, activity, region, quantity, unit")
	}
	if err != nil {
		return bid, bad("", "", "reading CSV: "+err.Error())
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[name]; dup && name != "" {
			return bid, bad("", "", fmt.Sprintf("column %q appears twice in the header", name))
		}
		col[name] = i
	}
	var missing []string
	for _, c := range []string{"line_id", "activity", "region", "quantity", "unit"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return bid, bad("", "", fmt.Sprintf("missing column(s) %s; the header needs line_id, activity, region, quantity, unit (optional: stage, basis, allow_region_fallback, factor_kg_co2e, factor_per, factor_reference)", strings.Join(missing, ", ")))
	}
	var probs []calc.Problem
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bid, bad("", "", "reading CSV: "+err.Error())
		}
		if i >= calc.MaxLines {
			return bid, bad("/lines", "", fmt.Sprintf("more than %d lines: use footprint batch for large files", calc.MaxLines))
		}
		csvLine, _ := cr.FieldPos(0)
		cell := func(name string) string {
			if j, ok := col[name]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		fail := func(field, id string, err error) {
			probs = append(probs, calc.Problem{Pointer: fmt.Sprintf("/lines/%d/%s", i, field), LineID: id,
				Detail: fmt.Sprintf("CSV line %d, column %s: %v", csvLine, csvColumn(field), err), Err: err})
		}
		l := calc.Line{ID: cell("line_id"), Activity: cell("activity"), Region: cell("region"), Unit: cell("unit"),
			Stage: cell("stage"), Basis: cell("basis")}
		if l.ID == "" {
			l.ID = strconv.Itoa(i + 1)
		}
		q, err := calc.ParseQuantity(cell("quantity"))
		if err != nil {
			fail("quantity", l.ID, err)
		}
		l.Quantity = q
		if v := cell("allow_region_fallback"); v != "" {
			switch strings.ToLower(v) {
			case "true", "yes", "1", "y":
				l.AllowRegionFallback = true
			case "false", "no", "0", "n":
			default:
				fail("allow_region_fallback", l.ID, fmt.Errorf("%w: %q: use true or false", factors.ErrInvalid, v))
			}
		}
		kg, per, ref := cell("factor_kg_co2e"), cell("factor_per"), cell("factor_reference")
		if kg != "" || per != "" || ref != "" {
			v, err := calc.ParseQuantity(kg)
			if err != nil {
				fail("factor/kg_co2e", l.ID, err)
			}
			l.Factor = &calc.ProductFactor{KgCO2e: v, Per: per, Reference: ref}
		}
		bid.Lines = append(bid.Lines, l)
	}
	if len(probs) > 0 {
		return bid, &calc.BidError{Problems: probs}
	}
	return bid, nil
}

func csvColumn(field string) string {
	switch field {
	case "factor/kg_co2e":
		return "factor_kg_co2e"
	}
	return field
}

func bad(ptr, id, msg string) error {
	return &calc.BidError{Problems: []calc.Problem{{Pointer: ptr, LineID: id, Detail: msg, Err: factors.ErrInvalid}}}
}

// LooksLikeCSV reports whether a document is CSV rather than a JSON bid:
// its first non-blank byte is not '{'.
func LooksLikeCSV(head []byte) bool {
	for _, b := range head {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF, 0xBB, 0xBF: // UTF-8 byte-order mark
			continue
		}
		return b != '{'
	}
	return false
}
