package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/shopspring/decimal"
	"golang.org/x/term"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

const batchSynopsis = `batch --method REF [--method REF ...] [-o out.csv] [--dry-run] [--quiet] [--workers N] [--epd-dir DIR] [--date YYYY-MM-DD] [--uncertainty DRAWS [--seed S]] [--methods DIR] [--data DIR] [in.csv]

Runs a CSV of procurement lines through one or more methods (docs/batch.md).
Input columns: line_id, activity, region, quantity, unit (required, any order,
case-insensitive); stage, basis, allow_region_fallback, factor_kg_co2e,
factor_per, factor_reference, factor_epd (optional); others pass through.
factor_epd names an EPD file in --epd-dir (a relative path; format guessed,
or prefixed ilcd+epd: / openepd:), judged valid on --date (default today, UTC);
each file is read once per run (docs/epd.md, "Batch"). Output: every
input row in order, then per method: method, kg_co2e, kg_co2, kg_ch4, kg_n2o,
factor_id, status, error (prefixed by the method id with several methods; with
two, a delta_kg_co2e column: the second amount minus the first, as the cells
show them). With --uncertainty, interval columns follow, per method:
kg_co2e_mean, kg_co2e_median, kg_co2e_p5, kg_co2e_p95, kg_co2e_p2_5,
kg_co2e_p97_5, uncertainty (sampled, or no published uncertainty) — what calc
--uncertainty DRAWS --seed S reports for a one-line bid of the row — and with
two methods p_delta_positive, P(second > first) as compare reports it
(docs/batch.md, "Intervals"). Reads stdin and writes stdout when no file is
named. With -o FILE the file appears only when the run completes (written
beside it as FILE.footprint-partial-PID.tmp, then renamed; its mode is kept);
a device or FIFO is written directly; a symbolic link is followed.

Exit status: 0 all rows ok, 3 some rows had errors, 1 the run could not proceed
(unreadable input, missing column, unknown method), 2 usage, 130 interrupted.`

// maxWorkers bounds --workers (see batch.MaxWorkers).
const maxWorkers = batch.MaxWorkers

func cmdBatch(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "batch", batchSynopsis)
	var df dataFlags
	df.register(fs)
	var refs multiFlag
	fs.Var(&refs, "method", "method reference (repeatable), e.g. us-federal@2025.1 or eu-gpp")
	outPath := fs.String("o", "", "output file (default stdout); written to FILE.footprint-partial-PID.tmp beside it and renamed on success; a device or FIFO is written directly")
	dry := fs.Bool("dry-run", false, "validate every row and report errors; compute and write nothing")
	quiet := fs.Bool("quiet", false, "no summary and no progress bar on stderr")
	workers := fs.Int("workers", 0, "rows computed in parallel by N workers (default: number of CPUs)")
	epdDirFlag := fs.String("epd-dir", "", "directory of the EPD files the factor_epd column names (default: none; rows with factor_epd are errors)")
	dateFlag := fs.String("date", "", "bid date YYYY-MM-DD on which EPDs are judged valid (default: today, UTC)")
	var uf uncertaintyFlags
	uf.register(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	ucfg, sampled, uerr := uf.config()
	if uerr != nil {
		fmt.Fprintln(e.stderr, "footprint batch:", uerr)
		return exitUsage
	}
	if len(refs) == 0 {
		fmt.Fprintln(e.stderr, "footprint batch: give at least one --method REF (methods: footprint methods list)")
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "footprint batch: give at most one input file (or none for stdin)")
		return exitUsage
	}
	if *workers < 0 || *workers > maxWorkers {
		fmt.Fprintf(e.stderr, "footprint batch: --workers %d: use 0 (one per CPU) up to at most %d\n", *workers, maxWorkers)
		return exitUsage
	}
	date := e.now().UTC()
	if *dateFlag != "" {
		d, err := time.Parse(calc.DateLayout, *dateFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "footprint batch: --date %q: write YYYY-MM-DD, e.g. 2026-03-31\n", clip.Prefix(*dateFlag))
			return exitUsage
		}
		date = d
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint batch:", err)
		return exitFailed
	}
	opt := batch.Options{Workers: *workers, DryRun: *dry, Date: date}
	if sampled {
		opt.Uncertainty = &ucfg
	}
	if *epdDirFlag != "" {
		d, err := openEPDDir(*epdDirFlag)
		if err != nil {
			fmt.Fprintln(e.stderr, "footprint batch:", err)
			return exitFailed
		}
		defer d.Close()
		opt.EPD = d.resolve
	}
	for _, ref := range refs {
		m, err := w.reg.Resolve(ref)
		if err != nil {
			fmt.Fprintln(e.stderr, "footprint batch:", err)
			return exitFailed
		}
		opt.Methods = append(opt.Methods, m)
	}
	in, err := openInput(ctx, e, fs.Arg(0))
	if err != nil {
		return fail(ctx, e, "batch", err, exitFailed)
	}
	defer in.Close()

	counted := &countingReader{r: in}
	if !*quiet {
		if bar := newProgress(e, in, counted); bar != nil {
			opt.Progress = bar.update
			defer bar.finish()
		}
	}

	sum, err := runBatch(ctx, e, w.engine, counted, *outPath, opt, *quiet)
	if err != nil {
		return fail(ctx, e, "batch", err, exitFailed)
	}
	if !*quiet {
		printSummary(e.stderr, sum, opt, w.reg)
	}
	if sum.Errors > 0 {
		return exitRowErrs
	}
	return exitOK
}

// runBatch runs to stdout, to nowhere (dry run), or to the -o output
// (outputFile: a temporary file renamed over it only when the run
// succeeds, or a device written through).
// Unless quiet, it says which stale partial files of the output it removed.
func runBatch(ctx context.Context, e *env, eng *calc.Engine, in io.Reader, outPath string, opt batch.Options, quiet bool) (batch.Summary, error) {
	if opt.DryRun {
		return batch.Run(ctx, eng, in, io.Discard, opt)
	}
	if outPath == "" || outPath == "-" {
		return batch.Run(ctx, eng, in, e.stdout, opt)
	}
	out, removed, err := createOutput(ctx, outPath)
	for _, r := range removed {
		if quiet {
			break
		}
		fmt.Fprintf(e.stderr, "footprint batch: removed %s, left by an earlier run that did not finish\n", r)
	}
	if err != nil {
		return batch.Summary{}, err
	}
	defer out.abort()
	sum, err := batch.Run(ctx, eng, in, out, opt)
	if err != nil {
		return sum, err
	}
	return sum, out.commit()
}

func printSummary(w io.Writer, s batch.Summary, opt batch.Options, reg *methods.Registry) {
	verb := "computed"
	if s.DryRun {
		verb = "checked (dry run, nothing computed or written)"
	}
	fmt.Fprintf(w, "footprint batch: %d rows %s: %d ok, %d with errors", s.Rows, verb, s.OK, s.Errors)
	if s.Excluded > 0 {
		fmt.Fprintf(w, ", %d results excluded (stage not counted)", s.Excluded)
	}
	fmt.Fprintln(w)
	if len(s.ErrorsByKind) > 0 {
		fmt.Fprint(w, "  errors by kind:")
		for i, k := range s.Kinds() {
			if i > 0 {
				fmt.Fprint(w, ",")
			}
			fmt.Fprintf(w, " %s %d", k, s.ErrorsByKind[k])
		}
		fmt.Fprintln(w)
	}
	if !s.DryRun {
		// Each total is rounded once from the exact sum (said beside it);
		// the difference is of the totals as printed; the sums of the
		// cells are what a reader adding up the columns gets.
		shown := make([]decimal.Decimal, len(opt.Methods))
		for i, m := range opt.Methods {
			t := s.Totals[m.Ref()]
			shown[i] = calc.NewFixed(t, m.Rounding).Decimal()
			fmt.Fprintf(w, "  total %s: %s kg CO2e (ok rows; rounded once from the exact sum %s; the kg_co2e cells add up to %s)\n",
				m.Ref(), calc.NewFixed(t, m.Rounding).String(), t.String(), s.CellTotals[m.Ref()].String())
		}
		if len(opt.Methods) == 2 {
			places := max(opt.Methods[0].Rounding.Places, opt.Methods[1].Rounding.Places)
			fmt.Fprintf(w, "  difference %s − %s: %s kg CO2e (the totals above, as printed; the delta_kg_co2e cells add up to %s over the rows both methods computed)\n",
				opt.Methods[1].Ref(), opt.Methods[0].Ref(), shown[1].Sub(shown[0]).StringFixed(places), s.DeltaCells.StringFixed(places))
		}
	}
	if len(s.Examples) > 0 {
		fmt.Fprintln(w, "  first errors:")
		for _, ex := range s.Examples {
			fmt.Fprintf(w, "    %s\n", ex.String())
		}
	}
	if opt.Uncertainty != nil && !s.DryRun {
		printIntervals(w, reg, opt)
	}
	secs := s.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Rows) / secs
	}
	fmt.Fprintf(w, "  elapsed %s, %.0f rows/s\n", s.Elapsed.Round(time.Millisecond), rate)
}

// printIntervals says how the interval columns were drawn and which
// methods have no uncertainty model (their intervals have zero width;
// reg names the version that has one).
func printIntervals(w io.Writer, reg *methods.Registry, opt batch.Options) {
	fmt.Fprintf(w, "  intervals: %d draws, seed %d (generator %s)\n", opt.Uncertainty.Draws, opt.Uncertainty.Seed, uncertainty.Generator)
	for _, m := range opt.Methods {
		if model, msg := calc.ModelOf(m, reg); model == calc.ModelNone {
			fmt.Fprintf(w, "  model of %s: none. %s\n", m.Ref(), sentence(msg))
		}
	}
}

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress is a progress bar on stderr: by bytes of a file's size, or a
// running count of rows for a stream.
type progress struct {
	bar  *progressbar.ProgressBar
	in   *countingReader
	size int64
}

// newProgress returns a progress bar when stderr is a terminal.
func newProgress(e *env, in io.Reader, counted *countingReader) *progress {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	size := inputSize(in)
	bar := progressbar.NewOptions64(size, progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(size > 0),
		progressbar.OptionSetDescription("batch"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	return &progress{bar: bar, in: counted, size: size}
}

// inputSize is the size of a regular file (*os.File or openInput's
// fileInput), or -1 for a stream.
func inputSize(in io.Reader) int64 {
	if file, ok := in.(interface{ Stat() (os.FileInfo, error) }); ok {
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}

func (p *progress) update(rows int64) {
	p.bar.Describe(fmt.Sprintf("%d rows", rows))
	if p.size > 0 {
		p.bar.Set64(p.in.n.Load())
	} else {
		p.bar.Set64(rows)
	}
}

func (p *progress) finish() { _ = p.bar.Finish() }
