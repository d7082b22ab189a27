// Package batch runs CSV files of procurement lines through one or more
// methods, streaming, in parallel, with ordered output and one output row
// per input row (DESIGN "Batch CSV"). It is used by `footprint batch` and by
// the server's POST /v1/batch; it knows nothing of flags or HTTP.
//
// # Input
//
// A header row names the columns: line_id, activity, region, quantity and
// unit are required; stage, basis, allow_region_fallback, factor_kg_co2e,
// factor_per, factor_reference and factor_epd are optional; any other
// column passes through. factor_epd names an EPD file that Options.EPD
// reads (once per run per name; the package reads no files itself). Names match case-insensitively with surrounding spaces ignored,
// in any order. A UTF-8 byte-order mark, CRLF line ends and quoted fields
// (with commas, doubled quotes and line breaks) are read as RFC 4180 says.
// Empty lines are skipped and produce no output row; a line of spaces is a
// row (with the wrong number of fields, so an error row). Cells of the known
// columns are trimmed of surrounding spaces before use.
//
// Limits keep memory bounded whatever the input: the header is at most
// MaxHeaderBytes and MaxColumns, a record at most MaxRecordBytes (a file
// without line ends stops there with a *RecordTooLargeError naming the
// line), and Options.Workers at most MaxWorkers.
//
// # Output
//
// Every input row, in input order, with its cells in place, then per method
// the columns method, kg_co2e, kg_co2, kg_ch4, kg_n2o, factor_id, status,
// error — prefixed by the method id ("us-federal.kg_co2e") when there are
// several methods (by id@version when two share an id), and with exactly
// two methods a final delta_kg_co2e (second minus first, as the two cells
// show them, so that the columns subtract exactly). Amounts are computed
// exactly and rounded once, by the method's rounding rule; kg_co2
// is fossil CO2 (biogenic CO2 is in kg_co2e only when the method counts
// it), kg_ch4 is all methane (fossil and biogenic), and a gas column is
// empty when the factor does not give that gas (CO2e-only factors). An
// excluded row (its stage not counted by the method) has kg_co2e 0 and
// status excluded. An error row has status error, an error message naming
// the column, and empty amounts; the run goes on.
//
// With Options.Uncertainty, interval columns follow every other column:
// per method kg_co2e_mean, kg_co2e_median, kg_co2e_p5, kg_co2e_p95,
// kg_co2e_p2_5, kg_co2e_p97_5 and uncertainty ("sampled" or calc's "no
// published uncertainty"), and with two methods p_delta_positive — to the
// digit what calc.FootprintUncertaintyOf and calc.ComparisonUncertaintyOf
// give for a one-line bid of the row (interval.go).
//
// Pass-through and error cells that a spreadsheet would read as a formula
// (leading = + - @ tab CR) get a leading single quote, as OWASP recommends;
// amount columns are plain numbers.
//
// # Performance
//
// A reader goroutine parses CSV into chunks of rows; workers compute chunks
// in parallel; a writer writes them back in order. Memory is bounded by the
// number of chunks in flight. Per (method, activity, region, unit, stage,
// basis, product factor) each amount reduces to quantity × K with K an exact
// decimal computed once; per row that is one 64×64→128-bit multiplication
// and an exact rounding, falling back to decimal arithmetic when numbers do
// not fit. See docs/batch.md for measured figures.
package batch

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// ErrNoMethod is returned when Options name no method.
var ErrNoMethod = errors.New("batch: no method given")

// ErrWorkers is returned when Options ask for more than MaxWorkers workers.
var ErrWorkers = errors.New("batch: too many workers")

// MaxWorkers bounds Options.Workers: each worker holds its own evaluator
// and chunks in flight (a few MiB), so a mistyped --workers 1e6 must be
// refused, not run out of memory. 256 is far more than any machine's cores.
const MaxWorkers = 256

// Options configure a run.
type Options struct {
	// Methods to apply, in output order (at least one).
	Methods []*methods.Method
	// Workers computing rows; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// DryRun validates every row without computing or writing results.
	DryRun bool
	// Progress, if set, is called now and then with the rows done so far.
	// It is called from one goroutine at a time.
	Progress func(rows int64)
	// MaxExamples is how many row errors Summary.Examples keeps (the first,
	// in input order); 0 means 20.
	MaxExamples int
	// EPD reads the EPD file a row's factor_epd cell names (the command
	// line's --epd-dir); it is called once per distinct name per run, from
	// any worker. Nil: rows with factor_epd are error rows (POST /v1/batch
	// has no EPD directory).
	EPD func(name string) (*calc.EPDDocument, error)
	// Date is the bid date EPD rows are judged valid on (its calendar day,
	// as a bid's "date"); zero refuses EPD rows, as the engine refuses an
	// EPD without a date.
	Date time.Time
	// Uncertainty, when set, appends interval columns to every row (Draws
	// 1 … uncertainty.MaxDraws and Seed; Workers is not used): per method
	// what calc.FootprintUncertaintyOf reports for a one-line bid of the
	// row, and with two methods the probability that the second gives more
	// than the first (docs/batch.md, "Intervals"). The dry run ignores it.
	Uncertainty *uncertainty.Config
	// paths, when set (by the tests), receives the number of amounts
	// computed on each path (pathExact64, ...); ipaths the number of
	// intervals on each of theirs (ipConstant, ...).
	paths  *[nPaths]int64
	ipaths *[nIPaths]int64
	// perRow sends every sampled row the per-row way; audit, when set,
	// receives how the per-kind shortcuts compare with it (tests).
	perRow bool
	audit  *intervalAudit
}

// Summary describes a finished run.
type Summary struct {
	// Methods are the method refs (id@version), in output order.
	Methods []string
	Rows    int64
	// OK counts rows without an error under any method (excluded rows included).
	OK int64
	// Errors counts rows with an error under at least one method.
	Errors int64
	// Excluded counts (row, method) results with status excluded.
	Excluded int64
	// ErrorsByKind counts error results (row, method) by kind: the column
	// for invalid cells ("quantity", "line_id", ...), else the kind of
	// problem ("no factor", "unknown unit", "unit dimension", "row shape", ...).
	ErrorsByKind map[string]int64
	// Totals is the exact kg CO2e total of ok rows, per method ref
	// (unrounded; round with the method's rule to report it).
	Totals map[string]decimal.Decimal
	// CellTotals is the sum of the kg_co2e cells as written (each row
	// rounded by the method's rule), per method ref: what a reader adding
	// up the column gets. It may differ from Totals rounded by a few units
	// of the last place.
	CellTotals map[string]decimal.Decimal
	// DeltaCells is the sum of the delta_kg_co2e cells as written (two
	// methods only).
	DeltaCells decimal.Decimal
	// Examples are the first row errors, in input order.
	Examples []RowError
	Elapsed  time.Duration
	DryRun   bool
}

// RowError is one row's error.
type RowError struct {
	// Row is the data row's number (1 is the row after the header).
	Row int64
	// Line is the input line where the row starts (1 is the header's).
	Line int
	// Method is the method ref, or "" for a row no method could read.
	Method  string
	Message string
}

// String formats the error with its line and method.
func (e RowError) String() string {
	if e.Method == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d (%s): %s", e.Line, e.Method, e.Message)
}

// Tuning of the pipeline: rows per chunk, bytes of cells per chunk at most,
// chunks in flight per worker.
const (
	chunkRows      = 1024
	chunkBytes     = 1 << 20
	chunksInFlight = 4
)

// Run reads CSV from in and writes the result CSV to out. Row-level errors
// never stop the run; Run returns an error only when the run cannot proceed
// (unreadable input, a *HeaderError, write failure, cancellation), and
// then the output is incomplete: write to a temporary file and keep it only
// on success.
func Run(ctx context.Context, eng *calc.Engine, in io.Reader, out io.Writer, opt Options) (Summary, error) {
	start := time.Now()
	sum := Summary{ErrorsByKind: map[string]int64{}, Totals: map[string]decimal.Decimal{}, CellTotals: map[string]decimal.Decimal{}, DryRun: opt.DryRun}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if opt.Workers > MaxWorkers {
		return sum, fmt.Errorf("%w: %d; at most %d", ErrWorkers, opt.Workers, MaxWorkers)
	}
	mrs, err := methodRuns(eng, opt.Methods)
	if err != nil {
		return sum, err
	}
	for _, mr := range mrs {
		sum.Methods = append(sum.Methods, mr.m.Ref())
	}
	if opt.MaxExamples <= 0 {
		opt.MaxExamples = 20
	}
	if opt.DryRun {
		err = dryRun(ctx, mrs, in, opt, &sum)
	} else {
		var unc *uncRun
		if opt.Uncertainty != nil {
			if unc, err = newUncRun(*opt.Uncertainty, opt.perRow); err != nil {
				return sum, err
			}
		}
		err = run(ctx, mrs, in, out, opt, unc, &sum)
	}
	sum.Elapsed = time.Since(start)
	return sum, err
}

func methodRuns(eng *calc.Engine, ms []*methods.Method) ([]*methodRun, error) {
	if len(ms) == 0 {
		return nil, ErrNoMethod
	}
	ids := map[string]int{}
	for _, m := range ms {
		ids[m.ID]++
	}
	var mrs []*methodRun
	for _, m := range ms {
		p, err := eng.Plan(m)
		if err != nil {
			return nil, fmt.Errorf("method %s: %w", m.Ref(), err)
		}
		mrs = append(mrs, &methodRun{m: m, plan: p, places: m.Rounding.Places, halfUp: m.Rounding.Mode == methods.HalfUp,
			round: m.Rounding, refCell: appendField(nil, m.Ref(), true)})
	}
	return mrs, nil
}

// outputHeader returns the output header row: the input's columns, each
// method's results, the delta (two methods), then with intervals each
// method's interval columns and P (two methods).
func outputHeader(cols *columns, mrs []*methodRun, intervals bool) []string {
	out := append([]string(nil), cols.header...)
	ids := map[string]int{}
	for _, mr := range mrs {
		ids[mr.m.ID]++
	}
	prefix := func(mr *methodRun) string {
		if len(mrs) == 1 {
			return ""
		}
		if ids[mr.m.ID] > 1 {
			return mr.m.Ref() + "."
		}
		return mr.m.ID + "."
	}
	for _, mr := range mrs {
		for i := 0; i < nResult; i++ {
			out = append(out, prefix(mr)+resultName(i))
		}
	}
	if len(mrs) == 2 {
		out = append(out, "delta_kg_co2e")
	}
	if !intervals {
		return out
	}
	for _, mr := range mrs {
		for i := 0; i < nInterval; i++ {
			out = append(out, prefix(mr)+intervalName(i))
		}
	}
	if len(mrs) == 2 {
		out = append(out, PDeltaColumn)
	}
	return out
}

// readHeader reads and checks the header row.
func readHeader(r *csv.Reader) (*columns, error) {
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &HeaderError{Empty: true}
	}
	var tl *RecordTooLargeError
	if errors.As(err, &tl) {
		return nil, err // the message names the header
	}
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	return newColumns(header)
}

// chunk is a run of consecutive rows, the unit of work and of ordering.
type chunk struct {
	first int64 // number of its first row
	n     int
	width int
	cells []string // n × width
	lines []int
	bad   []badRow
	size  int
	out   []byte
	done  chan struct{}
	st    chunkStats
}

// badRow is a row the CSV reader could not read as the header says.
type badRow struct {
	i    int
	msg  string
	kind string
}

// chunkStats are a chunk's counts, merged in order by the writer.
type chunkStats struct {
	ok, errs, excluded int64
	kinds              map[string]int64
	examples           []RowError
}

func (s *chunkStats) reset() {
	s.ok, s.errs, s.excluded = 0, 0, 0
	clear(s.kinds)
	s.examples = s.examples[:0]
}

func (s *chunkStats) merge(sum *Summary, maxEx int) {
	sum.OK += s.ok
	sum.Errors += s.errs
	sum.Excluded += s.excluded
	for k, v := range s.kinds {
		sum.ErrorsByKind[k] += v
	}
	for _, e := range s.examples {
		if len(sum.Examples) < maxEx {
			sum.Examples = append(sum.Examples, e)
		}
	}
}

func run(ctx context.Context, mrs []*methodRun, in io.Reader, out io.Writer, opt Options, unc *uncRun, sum *Summary) error {
	r := newCSVReader(in)
	cols, err := readHeader(r)
	if err != nil {
		return err
	}
	width := len(cols.header)
	bw := bufio.NewWriterSize(out, 256<<10)
	var line []byte
	for i, h := range outputHeader(cols, mrs, unc != nil) {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendField(line, h, true)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nChunks := chunksInFlight*workers + 2
	free := make(chan *chunk, nChunks)
	for i := 0; i < nChunks; i++ {
		free <- &chunk{width: width, done: make(chan struct{}, 1), st: chunkStats{kinds: map[string]int64{}}}
	}
	work := make(chan *chunk, nChunks)
	ordered := make(chan *chunk, nChunks)

	var wg sync.WaitGroup
	var readErr, writeErr error
	epds := newEPDCache(opt.EPD)
	evs := make([]*evaluator, workers)
	for w := range evs {
		evs[w] = newEvaluator(mrs, cols, opt.MaxExamples, epds, opt.Date, unc)
		if opt.audit != nil {
			evs[w].audit = &intervalAudit{}
		}
		wg.Add(1)
		go func(ev *evaluator) {
			defer wg.Done()
			for c := range work {
				ev.chunk(c)
				c.done <- struct{}{}
			}
		}(evs[w])
	}
	wg.Add(1)
	go func() { // reader
		defer wg.Done()
		defer close(work)
		defer close(ordered)
		readErr = readChunks(ctx, r, width, free, work, ordered)
		if readErr != nil {
			cancel()
		}
	}()

	// Writer: this goroutine.
	for c := range ordered {
		select {
		case <-c.done:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			continue // drain; the reader stops at the next chunk
		}
		if _, err := bw.Write(c.out); err != nil && writeErr == nil {
			writeErr = fmt.Errorf("writing output: %w", err)
			cancel()
			continue
		}
		sum.Rows += int64(c.n)
		c.st.merge(sum, opt.MaxExamples)
		if opt.Progress != nil {
			opt.Progress(sum.Rows)
		}
		free <- c
	}
	wg.Wait()
	for i, mr := range mrs {
		var t, shown exactSum
		for _, ev := range evs {
			t.merge(&ev.sums[i])
			shown.merge(&ev.shown[i])
		}
		sum.Totals[mr.m.Ref()], sum.CellTotals[mr.m.Ref()] = t.total(), shown.total()
	}
	for _, ev := range evs {
		sum.DeltaCells = sum.DeltaCells.Add(ev.deltaPos.total()).Sub(ev.deltaNeg.total())
		if opt.paths != nil {
			for p, n := range ev.paths {
				opt.paths[p] += n
			}
		}
		if opt.ipaths != nil {
			for p, n := range ev.ipaths {
				opt.ipaths[p] += n
			}
		}
		if opt.audit != nil {
			opt.audit.quantileRatio = max(opt.audit.quantileRatio, ev.audit.quantileRatio)
			opt.audit.meanRatio = max(opt.audit.meanRatio, ev.audit.meanRatio)
			opt.audit.pMismatch += ev.audit.pMismatch
		}
	}
	switch {
	case readErr != nil:
		return readErr
	case writeErr != nil:
		return writeErr
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

// readChunks reads rows into chunks and hands them on, in order.
func readChunks(ctx context.Context, r *csv.Reader, width int, free <-chan *chunk, work, ordered chan<- *chunk) error {
	var row int64
	for {
		var c *chunk
		select {
		case c = <-free:
		case <-ctx.Done():
			return nil
		}
		c.first, c.n, c.size = row+1, 0, 0
		c.cells, c.lines, c.bad = c.cells[:0], c.lines[:0], c.bad[:0]
		var err error
		eof := false
		for c.n < chunkRows && c.size < chunkBytes {
			var rec []string
			rec, err = r.Read()
			if errors.Is(err, io.EOF) {
				eof, err = true, nil
				break
			}
			var pe *csv.ParseError
			if err != nil {
				if errors.Is(err, ErrRecordTooLarge) {
					break // the message names the line
				}
				if pe = parseError(err); pe == nil {
					line, _ := r.FieldPos(0)
					err = fmt.Errorf("reading input after line %d: %w", line, err)
					break
				}
			}
			err = nil
			var line int
			if pe != nil {
				line = pe.StartLine
				c.bad = append(c.bad, badRowOf(pe, width, c.n))
			} else {
				line, _ = r.FieldPos(0)
			}
			for j := 0; j < width; j++ {
				if j < len(rec) {
					c.cells = append(c.cells, rec[j])
					c.size += len(rec[j])
				} else {
					c.cells = append(c.cells, "")
				}
			}
			c.lines = append(c.lines, line)
			c.n++
			row++
		}
		if c.n > 0 {
			ordered <- c
			work <- c
		}
		if err != nil || eof || c.n == 0 {
			return err
		}
	}
}

// parseError returns err's *csv.ParseError, or nil. A function of its
// own so that the target of errors.As escapes only on the error path, not
// once per row.
func parseError(err error) *csv.ParseError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

func badRowOf(pe *csv.ParseError, width, i int) badRow {
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return badRow{i: i, kind: "row shape", msg: fmt.Sprintf("row: wrong number of fields (the header has %d)", width)}
	}
	return badRow{i: i, kind: "csv syntax", msg: fmt.Sprintf("row: %v (line %d, column %d)", pe.Err, pe.Line, pe.Column)}
}

// sortedKinds returns the kinds of a summary, most frequent first.
func sortedKinds(m map[string]int64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if m[ks[i]] != m[ks[j]] {
			return m[ks[i]] > m[ks[j]]
		}
		return ks[i] < ks[j]
	})
	return ks
}

// Kinds returns the error kinds of the summary, most frequent first.
func (s *Summary) Kinds() []string { return sortedKinds(s.ErrorsByKind) }
