package batch

import (
	"context"
	"io"

	"github.com/footprint-gpp/footprint/calc"
)

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

// Paths counts the amounts a run computed on each path of amount.value.
type Paths struct {
	Exact64, Exact128, Division, Template, Decimal, Overflow int64
}

// RunCountingPaths is Run, also returning how many amounts took each path.
func RunCountingPaths(ctx context.Context, eng *calc.Engine, in io.Reader, out io.Writer, opt Options) (Summary, Paths, error) {
	var p [nPaths]int64
	opt.paths = &p
	sum, err := Run(ctx, eng, in, out, opt)
	return sum, Paths{Exact64: p[pathExact64], Exact128: p[pathExact128], Division: p[pathDivision],
		Template: p[pathTemplate], Decimal: p[pathDecimal], Overflow: p[pathOverflow]}, err
}
