package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/footprint-gpp/footprint/factors"
)

func cmdFactors(_ context.Context, e *env, args []string) int {
	const synopsis = "factors search [--activity K] [--region R] [--dataset D] [--json] [--methods DIR] [--data DIR]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: footprint %s\n\nK may end in .* to match a family (material.steel.*).\n", synopsis)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] != "search" {
		fmt.Fprintf(e.stderr, "footprint factors: unknown subcommand %q\nusage: footprint %s\n", args[0], synopsis)
		return exitUsage
	}
	fs := newFlags(e, "factors search", synopsis)
	var df dataFlags
	df.register(fs)
	var q factors.Query
	fs.StringVar(&q.Activity, "activity", "", "activity key, or a prefix ending in .*")
	fs.StringVar(&q.Region, "region", "", "region code (DE, US-CAMX, GLO, ...)")
	fs.StringVar(&q.Dataset, "dataset", "", "dataset id or id@version")
	asJSON := fs.Bool("json", false, "write JSON instead of a table")
	if done, code := parseFlags(fs, args[1:]); done {
		return code
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint factors search:", err)
		return exitFailed
	}
	found := w.lib.Search(q)
	if *asJSON {
		return writeJSON(e, "factors search", found)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACTIVITY\tREGION\tSTAGE\tVALUES\tQUALITY\tSOURCE")
	for _, f := range found {
		vals := make([]string, len(f.Gases))
		for i, g := range f.Gases {
			vals[i] = fmt.Sprintf("%s %s %s", g.Gas, g.Published, g.Unit)
		}
		basis := ""
		if f.Basis != "" {
			basis = " (" + string(f.Basis) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\t%s\t%s\n", f.ID, f.Activity, f.Region, f.Stage, strings.Join(vals, "; "), basis, f.Quality, f.Source())
	}
	tw.Flush()
	if len(found) == 0 {
		if _, err := w.lib.Activity(q.Activity); err == nil && q.Region == "" && q.Dataset == "" {
			return whatExists(e, w, q.Activity)
		}
		fmt.Fprintln(e.stderr, "no factor matches; try a broader query (e.g. --activity 'fuel.*')")
	}
	return exitOK
}

// whatExists tells, on stderr, for an activity key without a matching
// factor, what each method holds for it: generic factors, limits and
// whether it takes a product's EPD (the product categories have only that).
func whatExists(e *env, w *world, key string) int {
	fmt.Fprintf(e.stderr, "no factor matches; for %s the methods hold:\n", key)
	for _, m := range w.reg.All() {
		ev, err := m.Evidence(w.lib, key)
		if err != nil {
			fmt.Fprintln(e.stderr, "footprint factors search:", err)
			return exitFailed
		}
		generic, limits := "no generic factor", "no procurement limit"
		if len(ev.GenericFactors) > 0 {
			generic = "generic factors in " + strings.Join(ev.GenericFactors, ", ")
		}
		if len(ev.Limits) > 0 {
			limits = "limits " + strings.Join(ev.Limits, ", ")
		}
		fmt.Fprintf(e.stderr, "  %s: %s, %s, product factors %s\n", ev.Method, generic, limits, strings.ReplaceAll(ev.ProductFactors, "_", " "))
	}
	return exitOK
}
