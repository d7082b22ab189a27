package batch

import "io"

// Test hooks.

// ColumnIndex maps a header to the known columns (panics on a bad header).
func ColumnIndex(h []string) any {
	c, err := newColumns(h)
	if err != nil {
		panic(err)
	}
	return c
}

// DecodeInto fills r from a record as the hot path does.
func DecodeInto(rec []string, c any, r *Row) { c.(*columns).decode(rec, r) }

// NewRecordLimiter exposes the record limiter.
func NewRecordLimiter(r io.Reader, header, record int) io.Reader {
	return newRecordLimiter(r, header, record)
}
