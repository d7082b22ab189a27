package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// methodsValidate checks method files: every rule broken, as file:line.
func methodsValidate(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "methods validate", `methods validate [--methods DIR] [--data DIR] FILE...

Checks method files against the data and the methods already known (embedded,
plus --methods DIR): syntax, known keys, quoted decimals, known GWP set,
datasets and versions, stages and activities that exist, heating-value ratios,
limits that exist and fit their material, and a version that is new for its id.
Prints every problem as file:line: field: message [rule] and exits 1 if any.`)
	var df dataFlags
	df.register(fs)
	if done, code := parseFlagsAnywhere(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "footprint methods validate: name at least one method file")
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods validate:", err)
		return exitFailed
	}
	bad := 0
	seen := map[string]string{}
	for _, name := range fs.Args() {
		src, err := readBounded(name, methods.MaxFileSize)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s:0: %v [read]\n", name, err)
			bad++
			continue
		}
		m, ps := w.reg.Check(name, src)
		if m != nil {
			if other, dup := seen[m.Ref()]; dup {
				ps = append(ps, methods.Problem{File: name, Line: versionLine(src), Field: "version", Rule: "new-version",
					Message: fmt.Sprintf("%s is also defined by %s, given in the same run", m.Ref(), other)})
			}
			seen[m.Ref()] = name
		}
		if len(ps) > 0 {
			for _, p := range ps {
				fmt.Fprintln(e.stderr, p.String())
			}
			bad++
			continue
		}
		fmt.Fprintf(e.stdout, "%s: ok: %s (%s), digest %s\n", name, m.Ref(), m.Status, m.Digest)
	}
	if bad > 0 {
		fmt.Fprintf(e.stderr, "%d of %d file(s) invalid\n", bad, fs.NArg())
		return exitFailed
	}
	return exitOK
}

// versionLine is the line of the version key, 1 when not found.
func versionLine(src []byte) int {
	for i, l := range strings.Split(string(src), "\n") {
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "version" {
			return i + 1
		}
	}
	return 1
}

func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("file is over %d bytes", limit)
	}
	return src, nil
}

// diffOutput is the JSON of methods diff.
type diffOutput struct {
	Diff      *methods.VersionDiff `json:"diff"`
	Inventory *calc.ReportedPair   `json:"inventory,omitempty"`
}

// methodsDiff shows what changed between two methods, and its effect on an
// inventory.
func methodsDiff(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "methods diff", `methods diff [--inventory FILE] [--format text|json] [--methods DIR] [--data DIR] REF REF

Shows what changed from the first method to the second: settings, GWP set and
the GWP values that differ, datasets, the factors and heat contents that
differ (old and new value), and limits. With --inventory (a bid in JSON or a
CSV in the batch layout) also the effect on that inventory, line by line,
attributed to its causes as in footprint compare.`)
	var df dataFlags
	df.register(fs)
	inventory := fs.String("inventory", "", "bid JSON or CSV whose footprint the change affects")
	format := fs.String("format", "text", "output format: text or json")
	if done, code := parseFlagsAnywhere(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(e.stderr, "footprint methods diff: give two method references, e.g. us-federal@2025.1 us-federal@2025.2")
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "footprint methods diff: --format %q: use text or json\n", *format)
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods diff:", err)
		return exitFailed
	}
	ms, err := resolveAll(w.reg, fs.Args())
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods diff:", err)
		return exitFailed
	}
	d, err := methods.Diff(ms[0], ms[1], w.lib)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods diff:", err)
		return exitFailed
	}
	out := diffOutput{Diff: d}
	if *inventory != "" {
		bid, err := readInventory(ctx, e, *inventory)
		if err != nil {
			if interrupted(ctx, err) {
				return fail(ctx, e, "methods diff", err, exitFailed)
			}
			return reportBidError(e, "methods diff", err)
		}
		c, err := w.engine.Compare(ms, bid)
		if err != nil {
			return reportBidError(e, "methods diff", err)
		}
		p := c.Report().Pairs[0]
		out.Inventory = &p
	}
	if *format == "json" {
		return writeJSON(e, "methods diff", out)
	}
	var b bytes.Buffer
	writeDiffText(&b, out)
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		fmt.Fprintln(e.stderr, "footprint methods diff: writing output:", err)
		return exitFailed
	}
	return exitOK
}

func writeDiffText(b *bytes.Buffer, out diffOutput) {
	d := out.Diff
	fmt.Fprintf(b, "%s → %s\n", d.A, d.B)
	if d.Empty() {
		fmt.Fprintln(b, "\nNo difference in settings, GWP values, datasets, factors or limits.")
	}
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(b, "\n%s (%d):\n", title, n)
		return true
	}
	if section("Settings", len(d.Settings)) {
		for _, c := range d.Settings {
			fmt.Fprintf(b, "  %s: %s → %s\n", c.Field, oneLine(c.Old), oneLine(c.New))
		}
	}
	if section(fmt.Sprintf("GWP values, %s → %s", d.GWPSetA, d.GWPSetB), len(d.GWPValues)) {
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
		for _, g := range d.GWPValues {
			fmt.Fprintf(tw, "  %s\t%s\t→ %s\n", g.Gas, orDash(g.Old), orDash(g.New))
		}
		tw.Flush()
	}
	if len(d.DatasetsAdded)+len(d.DatasetsRemoved) > 0 {
		fmt.Fprintf(b, "\nDatasets: added [%s], removed [%s]\n", strings.Join(d.DatasetsAdded, ", "), strings.Join(d.DatasetsRemoved, ", "))
	}
	if section("Factors that differ (activity, region, stage: old → new)", len(d.Factors)) {
		for _, f := range d.Factors {
			same := ""
			if f.SameValues {
				same = "  (same values, other source)"
			}
			fmt.Fprintf(b, "  %s %s %s:\n    - %s\n    + %s%s\n", f.Activity, f.Region, f.Stage, f.Old, f.New, same)
		}
	}
	if section("Heat contents that differ", len(d.HeatContents)) {
		for _, h := range d.HeatContents {
			fmt.Fprintf(b, "  %s per %s: %s → %s\n", h.Activity, h.Per, orDash(h.Old), orDash(h.New))
		}
	}
	if section("Limits", len(d.Limits)) {
		for _, l := range d.Limits {
			fmt.Fprintf(b, "  %s (%s): %s → %s\n", l.ID, l.Activity, orDash(l.Old), orDash(l.New))
		}
	}
	if p := out.Inventory; p != nil {
		fmt.Fprintf(b, "\nEffect on the inventory (kg CO2e, %s → %s):\n\n", p.Base, p.Other)
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "LINE\tACTIVITY\tREGION\tOLD\tNEW\tDIFFERENCE\tMAIN CAUSE\t\n")
		for _, l := range p.Lines {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.ID, l.Activity, l.Region, amountOrStatus(l.Base, l.BaseStatus),
				amountOrStatus(l.Other, l.OtherStatus), l.Difference.KgCO2e, mainCause(l.Attribution))
		}
		fmt.Fprintf(tw, "total\t\t\t%s\t%s\t%s\t%s\t\n", p.BaseTotal.KgCO2e, p.OtherTotal.KgCO2e, p.Difference.KgCO2e, mainCause(p.Attribution))
		tw.Flush()
		fmt.Fprintln(b, "\nAttribution:")
		for _, a := range p.Attribution {
			fmt.Fprintf(b, "  %-20s %14s  %s\n", a.Cause, a.KgCO2e, a.Detail)
		}
	}
}

// mainCause names the cause with the largest magnitude, or "-" when all
// are zero.
func mainCause(cs []calc.ReportedCause) string {
	var best decimal.Decimal
	name := "-"
	for _, c := range cs {
		if v := c.KgCO2e.Decimal().Abs(); v.GreaterThan(best) {
			best, name = v, c.Cause
		}
	}
	return name
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:97]) + "..."
	}
	return orDash(s)
}
