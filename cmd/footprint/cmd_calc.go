package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
)

func cmdCalc(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "calc", "calc --method REF [--uncertainty DRAWS [--seed S] [--format json|text]] [--methods DIR] [--data DIR] [bid.json]\n\nComputes the footprint of a bid (JSON, see README) and writes it as JSON to stdout.\nREF is id@version, or id for its latest active version. The bid's own \"method\"\nfield is used when --method is not given. With --uncertainty, the method's\nuncertainty model is sampled DRAWS times from seed S and the JSON gets an\n\"uncertainty\" member (mean, median, 90 % and 95 % intervals per line and total,\ntop contributors; docs/uncertainty.md); --format text prints those as a table.")
	var df dataFlags
	df.register(fs)
	method := fs.String("method", "", "method reference, e.g. us-federal@2025.1 or eu-gpp")
	var uf uncertaintyFlags
	uf.register(fs)
	format := fs.String("format", "json", "output format: json, or text (with --uncertainty)")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	ucfg, sample, uerr := uf.config()
	if uerr == nil && *format != "json" && (*format != "text" || !sample) {
		uerr = fmt.Errorf("--format %q: use json, or text with --uncertainty", *format)
	}
	if uerr != nil {
		fmt.Fprintln(e.stderr, "footprint calc:", uerr)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "footprint calc: give at most one bid file (or none for stdin)")
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint calc:", err)
		return exitFailed
	}
	in, err := openInput(ctx, e, fs.Arg(0))
	if err != nil {
		return fail(ctx, e, "calc", err, exitFailed)
	}
	defer in.Close()
	bid, decErr := bidjson.Decode(in)
	if decErr != nil && interrupted(ctx, decErr) {
		return fail(ctx, e, "calc", decErr, exitFailed)
	}
	var decProblems *calc.BidError
	if decErr != nil && (!errors.As(decErr, &decProblems) || len(bid.Lines) == 0) {
		return reportBidError(e, "calc", decErr)
	}
	ref := *method
	if ref == "" {
		ref = bid.Method
	}
	if ref == "" {
		fmt.Fprintln(e.stderr, "footprint calc: no method: give --method REF or a \"method\" field in the bid (methods: footprint methods list)")
		return exitUsage
	}
	m, err := w.reg.Resolve(ref)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint calc:", err)
		return exitFailed
	}
	bid.DefaultDate(e.now()) // EPD documents are judged on today when the bid gives no date
	fp, err := w.engine.Calculate(m, bid)
	if decProblems != nil {
		// Report the values that did not parse together with what the
		// engine found in the other lines.
		return reportBidError(e, "calc", calc.MergeProblems(decProblems, err))
	}
	if err != nil {
		return reportBidError(e, "calc", err)
	}
	if sample {
		u, err := calc.FootprintUncertaintyOf(m, fp, &bid, ucfg)
		if err != nil {
			fmt.Fprintln(e.stderr, "footprint calc:", err)
			return exitFailed
		}
		u.NameModels(w.reg)
		if *format == "text" {
			if err := writeFootprintUncertaintyText(e.stdout, fp, u); err != nil {
				fmt.Fprintln(e.stderr, "footprint calc: writing output:", err)
				return exitFailed
			}
			return exitOK
		}
		return writeJSONWithUncertainty(e, "calc", fp, u)
	}
	return writeJSON(e, "calc", fp)
}

// reportBidError prints every problem of a bid, one per line.
func reportBidError(e *env, cmd string, err error) int {
	var be *calc.BidError
	if errors.As(err, &be) {
		fmt.Fprintf(e.stderr, "footprint %s: the bid has %d problem(s):\n", cmd, len(be.Problems))
		for _, p := range be.Problems {
			fmt.Fprintf(e.stderr, "  %s\n", p.String())
		}
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "footprint %s: %v\n", cmd, err)
	return exitFailed
}

func writeJSON(e *env, cmd string, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(e.stderr, "footprint %s: writing output: %v\n", cmd, err)
		return exitFailed
	}
	return exitOK
}
