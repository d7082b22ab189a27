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

// columns is the bid-line CSV layout shared by compare, the batch runner
// and the web form's upload: required columns first, in this order.
var columns = [...]string{"line_id", "activity", "region", "quantity", "unit",
	"stage", "basis", "allow_region_fallback", "factor_kg_co2e", "factor_per", "factor_reference"}

// nRequired is how many of columns are required.
const nRequired = 5

// Columns lists every known column, required ones first.
func Columns() []string { return append([]string(nil), columns[:]...) }

// RequiredColumns lists the columns a bid CSV must have.
func RequiredColumns() []string { return append([]string(nil), columns[:nRequired]...) }

// OptionalColumns lists the known optional columns.
func OptionalColumns() []string { return append([]string(nil), columns[nRequired:]...) }

// NormalizeHeader is how a header cell is matched: case-insensitive, with
// surrounding spaces and a UTF-8 byte-order mark ignored.
func NormalizeHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// ParseFlag reads an allow_region_fallback cell: true/yes/y/1 or
// false/no/n/0 in any case, empty meaning false; ok is false otherwise.
func ParseFlag(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "no", "n", "0":
		return false, true
	case "true", "yes", "y", "1":
		return true, true
	}
	return false, false
}

// Record is one CSV row's known cells as text, trimmed; Line is its line
// in the file.
type Record struct {
	Line  int
	Cells map[string]string
}

// Get returns the cell of a known column ("" when the column is absent).
func (r Record) Get(col string) string { return r.Cells[col] }

// ReadRecords reads a bid CSV of at most maxBytes and maxLines rows,
// checking the header (required columns present, none given twice).
func ReadRecords(r io.Reader, maxBytes int64, maxLines int) ([]Record, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > maxBytes {
		return nil, fmt.Errorf("the CSV file is over %d bytes: use footprint batch for large files", maxBytes)
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the CSV file is empty; expected a header row with %s", strings.Join(RequiredColumns(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("reading CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := NormalizeHeader(h)
		if _, dup := col[name]; dup && name != "" {
			return nil, fmt.Errorf("column %q appears twice in the header", name)
		}
		col[name] = i
	}
	var missing []string
	for _, c := range RequiredColumns() {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing column(s) %s; the header needs %s (optional: %s)",
			strings.Join(missing, ", "), strings.Join(RequiredColumns(), ", "), strings.Join(OptionalColumns(), ", "))
	}
	var out []Record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %v", err)
		}
		if len(out) >= maxLines {
			return nil, fmt.Errorf("more than %d lines: use footprint batch for large files", maxLines)
		}
		line, _ := cr.FieldPos(0)
		r := Record{Line: line, Cells: make(map[string]string, len(columns))}
		for _, c := range columns {
			if j, ok := col[c]; ok && j < len(rec) {
				r.Cells[c] = strings.TrimSpace(rec[j])
			}
		}
		out = append(out, r)
	}
}

// Decode reads a bid from CSV. reference names the bid (e.g. the file name).
func Decode(r io.Reader, reference string) (calc.Bid, error) {
	bid := calc.Bid{Reference: reference}
	recs, err := ReadRecords(r, MaxBytes, calc.MaxLines)
	if err != nil {
		return bid, bad("", "", err.Error())
	}
	var probs []calc.Problem
	for i, rec := range recs {
		cell := rec.Get
		fail := func(field, id string, err error) {
			probs = append(probs, calc.Problem{Pointer: fmt.Sprintf("/lines/%d/%s", i, field), LineID: id,
				Detail: fmt.Sprintf("CSV line %d, column %s: %v", rec.Line, csvColumn(field), err), Err: err})
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
		fb, ok := ParseFlag(cell("allow_region_fallback"))
		if !ok {
			fail("allow_region_fallback", l.ID, fmt.Errorf("%w: %q: use true or false", factors.ErrInvalid, cell("allow_region_fallback")))
		}
		l.AllowRegionFallback = fb
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
