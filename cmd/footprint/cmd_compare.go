package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
)

const compareSynopsis = `compare --method A --method B [--method C ...] [--format json|text] [--uncertainty DRAWS [--seed S]] [--methods DIR] [--data DIR] [bid.json|in.csv]

Computes the bid under each method and, for each method after the first, the
difference from the first (other minus first), in total and per line,
attributed to causes that add up exactly: boundary, region_fallback,
heating_value_basis, factor_values, gwp_set (in that order; docs/methods.md).
The input is a bid in JSON or a CSV in the batch layout (line_id, activity,
region, quantity, unit, optional stage, basis, allow_region_fallback,
factor_kg_co2e, factor_per, factor_reference), told apart by the .csv
extension or by content. A line a method cannot compute is reported with its
status and counts under boundary. JSON goes to stdout unless --format text.
With --uncertainty, each method's uncertainty model is sampled DRAWS times
from seed S over common random numbers, and the output adds each total's
intervals, the distribution of each difference and the probability that the
other method gives more than the first (docs/uncertainty.md).`

func cmdCompare(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "compare", compareSynopsis)
	var df dataFlags
	df.register(fs)
	var refs multiFlag
	fs.Var(&refs, "method", "method reference (repeat: the first is the base), e.g. us-federal@2025.1")
	format := fs.String("format", "json", "output format: json or text")
	var uf uncertaintyFlags
	uf.register(fs)
	if done, code := parseFlagsAnywhere(fs, args); done {
		return code
	}
	ucfg, sample, uerr := uf.config()
	if uerr != nil {
		fmt.Fprintln(e.stderr, "footprint compare:", uerr)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "footprint compare: give at most one input file (or none for stdin)")
		return exitUsage
	}
	if len(refs) < 2 {
		fmt.Fprintln(e.stderr, "footprint compare: give at least two methods: --method A --method B (methods: footprint methods list)")
		return exitUsage
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(e.stderr, "footprint compare: --format %q: use json or text\n", *format)
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint compare:", err)
		return exitFailed
	}
	ms, err := resolveAll(w.reg, refs)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint compare:", err)
		return exitFailed
	}
	bid, err := readInventory(ctx, e, fs.Arg(0))
	if err != nil {
		if interrupted(ctx, err) {
			return fail(ctx, e, "compare", err, exitFailed)
		}
		return reportBidError(e, "compare", err)
	}
	bid.DefaultDate(e.now()) // EPD documents are judged on today when the bid gives no date
	c, err := w.engine.Compare(ms, bid)
	if err == nil {
		err = c.InputError() // wrong for every method: invalid input, as in POST /v1/comparisons
	}
	if err != nil {
		return reportBidError(e, "compare", err)
	}
	var u *calc.ComparisonUncertainty
	if sample {
		if u, err = calc.ComparisonUncertaintyOf(ms, c, &bid, ucfg); err != nil {
			fmt.Fprintln(e.stderr, "footprint compare:", err)
			return exitFailed
		}
		u.NameModels(w.reg)
	}
	if *format == "text" {
		err := writeComparisonText(e.stdout, c)
		if err == nil && u != nil {
			err = writeComparisonUncertaintyText(e.stdout, u)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "footprint compare: writing output:", err)
			return exitFailed
		}
		return exitOK
	}
	if u != nil {
		return writeJSONWithUncertainty(e, "compare", c, u)
	}
	return writeJSON(e, "compare", c)
}

// parseFlagsAnywhere parses flags given before, between or after the
// positional arguments ("a --flag x b"); "--" ends the flags. The
// positional arguments are left in fs.Args().
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) (bool, int) {
	var pos []string
	for {
		if done, code := parseFlags(fs, args); done {
			return done, code
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	fs.Parse(append([]string{"--"}, pos...))
	return false, 0
}

func resolveAll(reg *methods.Registry, refs []string) ([]*methods.Method, error) {
	ms := make([]*methods.Method, len(refs))
	for i, r := range refs {
		m, err := reg.Resolve(r)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return ms, nil
}

// readInventory reads a bid from a JSON or CSV file ("" or "-" for stdin):
// CSV when the name ends in .csv or the content does not start with '{'.
func readInventory(ctx context.Context, e *env, name string) (calc.Bid, error) {
	in, err := openInput(ctx, e, name)
	if err != nil {
		return calc.Bid{}, err
	}
	defer in.Close()
	// A JSON bid may reach MaxEPDBytes when it carries EPD documents
	// (bidjson.DecodeBytes holds one without to MaxBytes).
	raw, err := io.ReadAll(io.LimitReader(in, bidjson.MaxEPDBytes+1))
	if err != nil {
		return calc.Bid{}, err
	}
	if len(raw) > bidjson.MaxEPDBytes {
		return calc.Bid{}, fmt.Errorf("%w: over %d bytes", bidjson.ErrTooLarge, bidjson.MaxEPDBytes)
	}
	if strings.EqualFold(filepath.Ext(name), ".csv") || (!strings.EqualFold(filepath.Ext(name), ".json") && bidcsv.LooksLikeCSV(raw)) {
		ref := filepath.Base(name)
		if name == "" || name == "-" {
			ref = "stdin"
		}
		return bidcsv.Decode(bytes.NewReader(raw), ref)
	}
	return bidjson.DecodeBytes(raw)
}

// writeComparisonText writes a comparison as tables: totals, lines, and the
// attribution of each pair, rounded by the first method's rule.
func writeComparisonText(out io.Writer, c *calc.Comparison) error {
	r := c.Report()
	var b bytes.Buffer
	fmt.Fprintf(&b, "Comparison: %s (%s)\n\n", orDash(r.Reference), orDash(r.Supplier))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "METHOD\tGWP\tTOTAL kg CO2e\tDIFFERENCE\t\n")
	for i, fp := range c.Methods {
		// Totals as the pairs show them (the first method's rounding), so
		// that each difference is the total minus the base total as printed.
		total, diff := r.Pairs[0].BaseTotal.KgCO2e.String(), "(base)"
		if i > 0 {
			total, diff = r.Pairs[i-1].OtherTotal.KgCO2e.String(), r.Pairs[i-1].Difference.KgCO2e.String()
		}
		fmt.Fprintf(tw, "%s@%s\t%s\t%s\t%s\t\n", fp.Method.ID, fp.Method.Version, fp.Method.GWPSet, total, diff)
	}
	tw.Flush()
	for pi, p := range r.Pairs {
		fmt.Fprintf(&b, "\n%s minus %s, by line (kg CO2e):\n\n", p.Other, p.Base)
		tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
		head := []string{"LINE", "ACTIVITY", "REGION", "BASE", "OTHER", "DIFFERENCE"}
		for _, cause := range calc.CauseOrder() {
			head = append(head, strings.ToUpper(cause))
		}
		fmt.Fprint(tw, strings.Join(head, "\t")+"\t\n")
		for _, l := range p.Lines {
			cells := []string{l.ID, l.Activity, l.Region, amountOrStatus(l.Base, l.BaseStatus), amountOrStatus(l.Other, l.OtherStatus), l.Difference.KgCO2e.String()}
			for _, a := range l.Attribution {
				cells = append(cells, a.KgCO2e.String())
			}
			fmt.Fprint(tw, strings.Join(cells, "\t")+"\t\n")
		}
		cells := []string{"total", "", "", p.BaseTotal.KgCO2e.String(), p.OtherTotal.KgCO2e.String(), p.Difference.KgCO2e.String()}
		for _, a := range p.Attribution {
			cells = append(cells, a.KgCO2e.String())
		}
		fmt.Fprint(tw, strings.Join(cells, "\t")+"\t\n")
		tw.Flush()
		fmt.Fprintf(&b, "\nAttribution of %s kg CO2e (%s):\n\n", p.Difference.KgCO2e, strings.Join(calc.CauseOrder(), " → "))
		for _, a := range p.Attribution {
			fmt.Fprintf(&b, "  %-20s %14s  %s\n", a.Cause, a.KgCO2e, a.Detail)
		}
		if reasons := c.BoundaryReasons(pi); len(reasons) > 0 {
			fmt.Fprintf(&b, "\nBoundary, line by line (a rule of one method, or missing data):\n\n")
			for _, br := range reasons {
				fmt.Fprintf(&b, "  %s\n", br.Sentence)
			}
		}
		var neither []string
		for _, l := range p.Lines {
			if l.BaseStatus != calc.StatusOK && l.OtherStatus != calc.StatusOK && l.Note != "" {
				neither = append(neither, fmt.Sprintf("  line %s: %s", l.ID, l.Note))
			}
		}
		if len(neither) > 0 {
			fmt.Fprintf(&b, "\nLines counted by neither method:\n\n%s\n", strings.Join(neither, "\n"))
		}
	}
	fmt.Fprintln(&b, "\nNotes:")
	for _, n := range c.Notes[:min(3, len(c.Notes))] {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	_, err := out.Write(b.Bytes())
	return err
}

func amountOrStatus(a calc.ReportedAmount, status string) string {
	if status == calc.StatusOK {
		return a.KgCO2e.String()
	}
	return status
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
