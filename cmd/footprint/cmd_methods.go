package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/footprint-gpp/footprint/methods"
)

func cmdMethods(ctx context.Context, e *env, args []string) int {
	const synopsis = "methods list | show REF | validate FILE... | diff REF REF  [--methods DIR] [--data DIR]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: footprint %s\n", synopsis)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "list":
		return methodsList(e, args[1:])
	case "show":
		return methodsShow(e, args[1:])
	case "validate":
		return methodsValidate(ctx, e, args[1:])
	case "diff":
		return methodsDiff(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "footprint methods: unknown subcommand %q\nusage: footprint %s\n", args[0], synopsis)
	return exitUsage
}

func methodsList(e *env, args []string) int {
	fs := newFlags(e, "methods list", "methods list [--methods DIR] [--data DIR]")
	var df dataFlags
	df.register(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods list:", err)
		return exitFailed
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATUS\tGWP\tJURISDICTION\tDIGEST\tTITLE")
	for _, m := range w.reg.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Ref(), m.Status, m.GWPSet, m.Jurisdiction, m.Digest[:12], m.Title)
	}
	tw.Flush()
	return exitOK
}

func methodsShow(e *env, args []string) int {
	fs := newFlags(e, "methods show", "methods show REF [--methods DIR] [--data DIR]   (JSON to stdout)")
	var df dataFlags
	df.register(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "footprint methods show: give one method reference, e.g. us-federal@2025.1")
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods show:", err)
		return exitFailed
	}
	m, err := w.reg.Resolve(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods show:", err)
		return exitFailed
	}
	ratios, err := methods.ResolveRatios(m, w.lib)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint methods show:", err)
		return exitFailed
	}
	// The method as its file says, plus each heating-value ratio as the
	// method applies it (a published pair's quotient at division_places).
	return writeJSON(e, "methods show", struct {
		*methods.Method
		HeatingValueRatios []methods.ResolvedRatio `json:"heating_value_ratios,omitempty"`
	}{m, ratios})
}
