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

// IntervalPaths counts the intervals a run computed on each path.
type IntervalPaths struct {
	Constant, PerKind, Line, Boundary, BoundaryMean, Rebuilt int64
	PairConstant, PairIdentical, PairPerKind, PairRow        int64
}

// RunCountingIntervals is Run, also returning how many intervals took
// each path; perRow sends every sampled row the per-row way.
func RunCountingIntervals(ctx context.Context, eng *calc.Engine, in io.Reader, out io.Writer, opt Options, perRow bool) (Summary, IntervalPaths, error) {
	var p [nIPaths]int64
	opt.ipaths, opt.perRow = &p, perRow
	sum, err := Run(ctx, eng, in, out, opt)
	return sum, IntervalPaths{Constant: p[ipConstant], PerKind: p[ipPerKind], Line: p[ipLine], Boundary: p[ipBoundary], BoundaryMean: p[ipBoundaryMean], Rebuilt: p[ipRebuilt],
		PairConstant: p[ipPairConstant], PairIdentical: p[ipPairIdentical], PairPerKind: p[ipPairPerKind], PairRow: p[ipPairRow]}, err
}

// IntervalAudit is how a run's per-kind shortcuts compared with computing
// the same rows per row: the largest distance of a scaled quantile, and of
// a scaled mean, from the per-row one as a fraction of its margin (the
// bounds the shortcut relies on: must stay at most 1), and how many
// per-kind probabilities differed.
type IntervalAudit struct {
	QuantileRatio, MeanRatio float64
	PMismatch                int64
}

// RunAuditingIntervals is Run, computing every per-kind interval and
// probability per row too.
func RunAuditingIntervals(ctx context.Context, eng *calc.Engine, in io.Reader, out io.Writer, opt Options) (Summary, IntervalAudit, error) {
	var a intervalAudit
	opt.audit = &a
	sum, err := Run(ctx, eng, in, out, opt)
	return sum, IntervalAudit{QuantileRatio: a.quantileRatio, MeanRatio: a.meanRatio, PMismatch: a.pMismatch}, err
}
