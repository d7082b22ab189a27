package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"text/tabwriter"
)

// cmdVersion is `footprint version` (and `footprint --version`): which
// build this is and exactly which embedded methods and datasets it
// computes with, each id@version with its SHA-256 digest (the digests a
// footprint's receipt carries).
func cmdVersion(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "version", "version\n\n"+
		"Prints the module version (\"(devel)\" when built from a checkout), the VCS\n"+
		"revision when the build recorded one, the Go version, and every embedded\n"+
		"method and dataset as id@version with its SHA-256 digest. footprint --version\n"+
		"is the same.")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "footprint version: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var df dataFlags // the embedded data only
	w, err := df.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint version:", err)
		return exitFailed
	}
	bi, ok := debug.ReadBuildInfo()
	writeBuild(e.stdout, bi, ok)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nembedded methods:\tsha256")
	for _, m := range w.reg.All() {
		fmt.Fprintf(tw, "  %s\t%s\n", m.Ref(), m.Digest)
	}
	fmt.Fprintln(tw, "embedded datasets:\tsha256")
	for _, d := range w.lib.Datasets() {
		fmt.Fprintf(tw, "  %s@%s\t%s\n", d.ID, d.Version, d.Digest)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(e.stderr, "footprint version:", err)
		return exitFailed
	}
	return exitOK
}

// writeBuild writes the module version, the VCS revision (with its time,
// and "modified" when the checkout had changes) when recorded, and the Go
// version, one a line. ok is ReadBuildInfo's: false for a binary built
// without module support.
func writeBuild(w io.Writer, bi *debug.BuildInfo, ok bool) {
	version, goVersion := "", runtime.Version()
	var rev, at string
	modified := false
	if ok && bi != nil {
		version = bi.Main.Version
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(w, "footprint %s\n", version)
	if rev != "" {
		if at != "" {
			rev += " " + at
		}
		if modified {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "revision  %s\n", rev)
	}
	fmt.Fprintf(w, "go        %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
}
