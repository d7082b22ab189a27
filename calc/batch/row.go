package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// Row is the typed model of the columns a batch CSV may have besides its
// pass-through columns, with gocsv tags. Values are the cells' text: the
// quantity and the product factor's value are parsed by calc.ParseQuantity,
// so that every problem gets a message naming the column.
type Row struct {
	LineID   string `csv:"line_id"`
	Activity string `csv:"activity"`
	Region   string `csv:"region"`
	Quantity string `csv:"quantity"`
	Unit     string `csv:"unit"`
	// Stage restricts the line to one life-cycle stage (optional).
	Stage string `csv:"stage"`
	// Basis is HHV or NCV for an energy quantity (optional).
	Basis string `csv:"basis"`
	// AllowRegionFallback is true/false, yes/no or 1/0 (optional; empty is false).
	AllowRegionFallback string `csv:"allow_region_fallback"`
	// The product-specific factor (optional; all three or none).
	FactorKgCO2e    string `csv:"factor_kg_co2e"`
	FactorPer       string `csv:"factor_per"`
	FactorReference string `csv:"factor_reference"`
	// FactorEPD names an EPD file the product-specific factor is read from
	// (optional; instead of the three factor_ columns). Options.EPD reads it.
	FactorEPD string `csv:"factor_epd"`
}

// Column indices of Row's fields.
const (
	colLineID = iota
	colActivity
	colRegion
	colQuantity
	colUnit
	colStage
	colBasis
	colFallback
	colFactorKg
	colFactorPer
	colFactorRef
	colFactorEPD
	nKnown
	nRequired = colUnit + 1
)

// Column indices of Row's fields follow bidcsv's column order, which owns
// the layout, then the batch's own factor_epd (a file name means something
// only to a run with an EPD directory); knownColumns is checked against it
// in the tests.
var knownColumns = append(bidcsv.Columns(), "factor_epd")

// knownName returns the header name of a known column.
func knownName(i int) string { return knownColumns[i] }

// RequiredColumns lists the columns a batch CSV must have.
func RequiredColumns() []string { return bidcsv.RequiredColumns() }

// OptionalColumns lists the known optional columns.
func OptionalColumns() []string { return append(bidcsv.OptionalColumns(), "factor_epd") }

// HeaderError reports a header the run cannot proceed with: no header at
// all, required columns missing, or a known column given twice.
type HeaderError struct {
	// Missing are the required columns not found.
	Missing []string
	// Duplicate are known columns found more than once.
	Duplicate []string
	// Empty is true when the input has no header row.
	Empty bool
	// Header is the header as read (BOM removed; at most MaxColumns cells).
	Header []string
	// Columns is the number of columns when there are more than MaxColumns.
	Columns int
}

// ErrHeader marks a CSV header the run cannot proceed with.
var ErrHeader = errors.New("batch: unusable CSV header")

// Unwrap makes errors.Is(err, ErrHeader) true.
func (e *HeaderError) Unwrap() error { return ErrHeader }

// Error names what is wrong with the header and what is required.
func (e *HeaderError) Error() string {
	if e.Empty {
		return "the input is empty: a header row is required (" + strings.Join(RequiredColumns(), ",") + ")"
	}
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("missing required column(s) %s", strings.Join(e.Missing, ", ")))
	}
	if len(e.Duplicate) > 0 {
		parts = append(parts, fmt.Sprintf("column(s) given more than once: %s", strings.Join(e.Duplicate, ", ")))
	}
	if e.Columns > MaxColumns {
		parts = append(parts, fmt.Sprintf("%d columns; at most %d", e.Columns, MaxColumns))
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(" (header: %s; required: %s; names are matched case-insensitively, surrounding spaces ignored)",
		clip.Text(strings.Join(e.Header, ",")), strings.Join(RequiredColumns(), ","))
}

// normalizeHeader is how header cells are matched: case-insensitive,
// surrounding spaces (and a stray BOM) ignored.
func normalizeHeaders(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = bidcsv.NormalizeHeader(h)
	}
	return out
}

// columns maps a header to the known columns.
type columns struct {
	header []string // as read, BOM removed
	idx    [nKnown]int
}

func newColumns(header []string) (*columns, error) {
	if len(header) > MaxColumns {
		return nil, &HeaderError{Columns: len(header), Header: append([]string(nil), header[:MaxColumns]...)}
	}
	c := &columns{header: append([]string(nil), header...)}
	if len(c.header) > 0 {
		c.header[0] = strings.TrimPrefix(c.header[0], "\ufeff")
	}
	for i := range c.idx {
		c.idx[i] = -1
	}
	var dup []string
	for j, h := range normalizeHeaders(c.header) {
		for i := 0; i < nKnown; i++ {
			if h == knownName(i) {
				if c.idx[i] >= 0 {
					dup = append(dup, knownName(i))
				}
				c.idx[i] = j
			}
		}
	}
	var missing []string
	for i := 0; i < nRequired; i++ {
		if c.idx[i] < 0 {
			missing = append(missing, knownName(i))
		}
	}
	if len(missing) > 0 || len(dup) > 0 {
		return nil, &HeaderError{Missing: missing, Duplicate: dup, Header: c.header}
	}
	return c, nil
}

// decode fills r from a record's cells (len(cells) == len(header)).
func (c *columns) decode(cells []string, r *Row) {
	get := func(i int) string {
		if j := c.idx[i]; j >= 0 {
			return cells[j]
		}
		return ""
	}
	r.LineID = get(colLineID)
	r.Activity = get(colActivity)
	r.Region = get(colRegion)
	r.Quantity = get(colQuantity)
	r.Unit = get(colUnit)
	r.Stage = get(colStage)
	r.Basis = get(colBasis)
	r.AllowRegionFallback = get(colFallback)
	r.FactorKgCO2e = get(colFactorKg)
	r.FactorPer = get(colFactorPer)
	r.FactorReference = get(colFactorRef)
	r.FactorEPD = get(colFactorEPD)
}

// newCSVReader returns a csv.Reader over in with a leading UTF-8 BOM
// removed. FieldsPerRecord is 0: a row whose field count differs from the
// header's comes back with csv.ErrFieldCount, and becomes an error row.
func newCSVReader(in io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(in, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(newRecordLimiter(br, MaxHeaderBytes, MaxRecordBytes))
	r.FieldsPerRecord = 0
	r.ReuseRecord = true
	return r
}
