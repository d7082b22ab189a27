// Package batch runs CSV files of procurement lines through one or more
// methods, streaming, in parallel, with ordered output and one output row
// per input row (DESIGN "Batch CSV"). It is used by `footprint batch` and by
// the server's POST /v1/batch; it knows nothing of flags or HTTP.
package batch

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// ErrNotImplemented is returned until the batch engine is built.
var ErrNotImplemented = errors.New("batch: not implemented")

// Options configure a run.
type Options struct {
	// Methods to apply, in output order (at least one).
	Methods []*methods.Method
	// Workers computing rows; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// DryRun validates every row without computing or writing results.
	DryRun bool
	// Progress, if set, is called now and then with the rows done so far.
	Progress func(rows int64)
}

// Summary describes a finished run.
type Summary struct {
	Rows   int64
	OK     int64
	Errors int64
	// ErrorsByKind counts error rows by kind ("quantity", "unit", "no factor", ...).
	ErrorsByKind map[string]int64
	// Totals is the exact kg CO2e total of ok rows, per method ref.
	Totals  map[string]decimal.Decimal
	Elapsed time.Duration
}

// Run reads CSV from in and writes the result CSV to out. Row-level errors
// never stop the run; Run returns an error only when the run cannot proceed
// (unreadable input, missing required column, write failure, cancellation).
func Run(ctx context.Context, eng *calc.Engine, in io.Reader, out io.Writer, opt Options) (Summary, error) {
	return Summary{}, ErrNotImplemented
}
