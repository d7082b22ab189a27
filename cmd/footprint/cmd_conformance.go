package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/footprint-gpp/footprint/conformance"
)

// cmdConformance runs the conformance vectors (the embedded ones, or those
// below DIR) through the engine and prints a pass/fail table: the binary
// checks itself against results computed independently of it.
func cmdConformance(ctx context.Context, e *env, args []string) int {
	flags := newFlags(e, "conformance", "conformance [--methods DIR] [--data DIR] [VECTORS_DIR]\n\n"+
		"Runs the conformance vectors through the engine and prints, per vector, its name,\n"+
		"method, result and what it exercises, then every difference by field. Without\n"+
		"VECTORS_DIR, the vectors embedded in this binary (conformance/v1 of its source);\n"+
		"with it, every *.json below VECTORS_DIR. Exit 0 when all pass, 1 when any fails\n"+
		"(or none is found), 2 on usage errors. Format: docs/conformance.md.")
	var df dataFlags
	df.register(flags)
	if done, code := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() > 1 {
		fmt.Fprintln(e.stderr, "footprint conformance: give at most one directory of vectors (or none for the embedded ones)")
		return exitUsage
	}
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint conformance:", err)
		return exitFailed
	}
	var fsys fs.FS = conformance.Embedded()
	where := "embedded vectors"
	if dir := flags.Arg(0); dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return fail(ctx, e, "conformance", err, exitFailed)
		}
		if !st.IsDir() {
			fmt.Fprintf(e.stderr, "footprint conformance: %s is not a directory (give the directory that holds the vectors)\n", dir)
			return exitUsage
		}
		fsys, where = os.DirFS(dir), dir
	}
	vs, bad, err := conformance.Load(fsys, ".")
	if err != nil {
		return fail(ctx, e, "conformance", fmt.Errorf("reading %s: %w", where, err), exitFailed)
	}
	if len(vs)+len(bad) == 0 {
		fmt.Fprintf(e.stderr, "footprint conformance: no vectors (*.json) in %s\n", where)
		return exitFailed
	}
	r := &conformance.Runner{Registry: w.reg, Engine: w.engine}
	var results []conformance.Result
	for _, v := range vs {
		if ctx.Err() != nil {
			return fail(ctx, e, "conformance", ctx.Err(), exitFailed)
		}
		results = append(results, r.Run(v))
	}
	results = append(results, r.RunAll(nil, bad)...)

	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VECTOR\tMETHOD\tRESULT\tEXERCISES")
	failed := 0
	for _, res := range results {
		verdict := "pass"
		if !res.Pass() {
			verdict, failed = "FAIL", failed+1
		}
		method := res.Method
		if method == "" {
			method = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Name, method, verdict, res.Description)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(e.stderr, "footprint conformance: writing output:", err)
		return exitFailed
	}
	if failed > 0 {
		fmt.Fprintln(e.stdout, "\nfailures:")
		for _, res := range results {
			for _, f := range res.Failures {
				fmt.Fprintf(e.stdout, "  %s: %s\n", res.Name, f)
			}
		}
	}
	fmt.Fprintf(e.stdout, "\n%d vectors (%s): %d passed, %d failed\n", len(results), where, len(results)-failed, failed)
	if failed > 0 {
		fmt.Fprintf(e.stderr, "footprint conformance: %d of %d vectors failed\n", failed, len(results))
		return exitFailed
	}
	return exitOK
}
