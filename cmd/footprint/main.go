// Command footprint calculates the carbon footprint of public-procurement
// bids under versioned methodologies, EU and US side by side.
//
//	footprint serve   [--addr :8080] [--methods DIR] [--data DIR] [--db URL] [--keys FILE] [--checkpoint FILE] [--public-url URL]
//	footprint calc    --method REF  bid.json
//	footprint batch   --method REF [--method REF ...] [-o out.csv] [in.csv]
//	footprint compare --method A --method B  bid.json|in.csv
//	footprint methods list | show REF | validate FILE | diff REF REF
//	footprint factors search [--activity K] [--region R] [--dataset D]
//	footprint conformance [VECTORS_DIR]
//	footprint tenders create [--db URL] [--keys FILE] [--checkpoint FILE] [--method REF] tender.json
//	footprint tenders list [--db URL] [--keys FILE] [--checkpoint FILE] [--json]
//	footprint tenders show | open | verify [--db URL] [--keys FILE] [--checkpoint FILE] TENDER_ID
//	footprint tenders evaluation [--db URL] [--keys FILE] [--checkpoint FILE] [--format json|csv] TENDER_ID
//	footprint tenders export [--db URL] [--keys FILE] [--checkpoint FILE] [--format ocds|eforms-cn|eforms-can] [--public-url URL] [--winner-id ID] [--winner-country CODE] [--winner-town TOWN] [--winner-postcode CODE] [--winner-nuts CODE] [--winner-size SIZE] [--contract-date DATE] [--contract-end DATE] [--received-micro N] [--received-small N] [--received-medium N] [--received-large N] [--received-non-eea N] [--received-other-eea N] TENDER_ID
//	footprint epd inspect [--format ilcd+epd|openepd] [--json] FILE [FLOW.xml ...]
//	footprint version   (or footprint --version)
//
// Files default to stdin/stdout; errors go to stderr with a non-zero exit:
// 1 when the input is invalid or the run cannot proceed, 2 on usage errors,
// 3 when a batch finished with some rows in error, 130 when interrupted
// (SIGINT or SIGTERM; a second one stops serve's graceful shutdown at once).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
)

func main() {
	os.Exit(mainCode(os.Args[1:], nil))
}

// mainCode is main up to the exit: it wires the signals to run. ready, when
// not nil, is called once the signals are caught (a test's hook for sending
// them).
func mainCode(args []string, ready func()) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go watchSignals(sigs, cancel, os.Stderr, os.Exit)
	if ready != nil {
		ready()
	}
	return run(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitRowErrs = 3
	// exitInterrupted is the shell's status for a process killed by
	// SIGINT (128+2), used for SIGTERM too: the run stopped because it was
	// asked to, whichever way.
	exitInterrupted = 130
)

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// now is the clock of the tender commands (time.Now; tests inject one).
	now func() time.Time
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the REST service and the web form", cmdServe},
		"calc":        {"compute a bid's footprint (JSON) under one method", cmdCalc},
		"batch":       {"run a CSV of lines through one or more methods", cmdBatch},
		"compare":     {"compare methods on the same bid, with the difference attributed", cmdCompare},
		"methods":     {"list, show, validate and diff methods", cmdMethods},
		"factors":     {"search the emission factors", cmdFactors},
		"conformance": {"run the conformance vectors and print a pass/fail table", cmdConformance},
		"tenders":     {"run tenders: create, list, show, open, evaluation, export, verify", cmdTenders},
		"officers":    {"manage officer accounts: add, list, set-role, disable, link", cmdOfficers},
		"epd":         {"inspect an EPD file (ILCD+EPD or openEPD): what is read and every problem", cmdEPD},
		"version":     {"print the version, the Go version and the embedded methods' and datasets' digests", cmdVersion},
	}
}

// run is the whole program, testable without a process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return runClock(ctx, args, stdin, stdout, stderr, getenv, time.Now)
}

// runClock is run with the clock of the tender commands given: the seam
// through which tests move past a deadline.
func runClock(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, now func() time.Time) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: now}
	if len(args) > 0 && args[0] == "--version" {
		args = append([]string{"version"}, args[1:]...)
	}
	return dispatch(ctx, e, "footprint", "footprint: carbon footprint of procurement bids under versioned methods\n\n"+
		"usage: footprint <command> [flags] [args]   (footprint <command> --help; footprint --version)\n\ncommands:", commands(), args)
}

// dispatch runs the command args[0] of cmds, for the program and for
// commands with subcommands (name is "footprint" or "footprint tenders").
// Without an argument it lists the commands on stderr (usage error, exit
// 2); with -h, --help or help on stdout (exit 0); an unknown command is a
// usage error naming it.
func dispatch(ctx context.Context, e *env, name, head string, cmds map[string]command, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			listCommands(e.stderr, head, cmds)
			return exitUsage
		}
		listCommands(e.stdout, head, cmds)
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		what := "command"
		if strings.Contains(name, " ") {
			what = "subcommand"
		}
		fmt.Fprintf(e.stderr, "%s: unknown %s %q\n", name, what, clip.Prefix(args[0]))
		listCommands(e.stderr, head, cmds)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

// listCommands writes head and the commands with their summaries, by name.
func listCommands(w io.Writer, head string, cmds map[string]command) {
	fmt.Fprintln(w, head)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
}

// newFlags returns a flag set that reports to stderr and does not exit.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: footprint %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns (done, code) when the command must stop.
func parseFlags(fs *flag.FlagSet, args []string) (bool, int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, exitOK
		}
		return true, exitUsage
	}
	return false, 0
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
