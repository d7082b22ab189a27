package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/store"
)

// tendersSubs are the subcommands of "footprint tenders".
func tendersSubs() map[string]command {
	return map[string]command{
		"create":     {"create a tender from a JSON file, its method pinned", cmdTendersCreate},
		"list":       {"list the tenders: state now and bid counts", cmdTendersList},
		"show":       {"show a tender's notice, state and sealed bids (times and digests only)", cmdTendersShow},
		"open":       {"open a tender after its deadline and print its evaluation", cmdTendersOpen},
		"evaluation": {"print an opened tender's evaluation (JSON or CSV)", cmdTendersEvaluation},
		"export":     {"print a tender's OCDS 1.1 release package", cmdTendersExport},
		"verify":     {"check a tender's audit trail against the stored tender, bids and evaluation", cmdTendersVerify},
	}
}

func cmdTenders(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "footprint tenders", "usage: footprint tenders <subcommand> [flags] [args]   (footprint tenders <subcommand> --help)\n\nsubcommands:",
		tendersSubs(), args)
}

// dbFlag registers --db, the database URL of serve and the tenders
// commands. creates says whether the command creates a missing SQLite
// file (serve, tenders create) or refuses it (openExisting).
func dbFlag(fs *flag.FlagSet, creates bool) *string {
	sqlite := "an existing file; a missing one is an error"
	if creates {
		sqlite = "a file, created when missing"
	}
	return fs.String("db", store.DefaultURL, "database: sqlite:PATH ("+sqlite+") or postgres://user@host/dbname")
}

// openExisting opens the database at url for a command that only reads
// it: a SQLite file that does not exist is an error, not a new empty
// database.
func openExisting(ctx context.Context, url string) (store.Store, error) {
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok {
		p = strings.TrimPrefix(p, "//")
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("--db %s: no database there (%w)", clip.Prefix(url), errors.Unwrap(err))
		}
	}
	return store.Open(ctx, url)
}

func cmdTendersVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "tenders verify", "tenders verify [--db URL] TENDER_ID\n\n"+
		"Checks a tender's audit trail offline: every event's hash, the chain's links\n"+
		"and head, and that the stored tender, bids and evaluation still have the\n"+
		"digests their events recorded. Prints the events and the verdict; exits 0\n"+
		"when it verifies, 1 when it does not (naming the first bad event) or on error.")
	db := dbFlag(fs, false)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "footprint tenders verify: give exactly one tender id")
		fs.Usage()
		return exitUsage
	}
	st, err := openExisting(ctx, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint tenders verify:", err)
		return exitFailed
	}
	defer st.Close()
	res, err := tendersService(e, st, nil).Audit(ctx, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint tenders verify:", err)
		return exitFailed
	}
	printEvents(e.stdout, res)
	if !res.Verified {
		fmt.Fprintf(e.stdout, "NOT VERIFIED: %s\n", res.Problem)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "verified: %d events\n", len(res.Events))
	return exitOK
}

// printEvents writes the chain as a table, hashes shortened to 16 digits
// and each digest after its name (bid=…,result=…). An event stored before
// digests were named is marked legacy: its names were matched when read.
func printEvents(w io.Writer, res store.VerifyResult) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tKIND\tACTOR\tDIGESTS\tHASH\t")
	short := func(s string) string {
		if len(s) > 16 {
			return s[:16]
		}
		return s
	}
	for _, ev := range res.Events {
		ds := make([]string, 0, len(ev.Digests))
		for _, n := range ev.Digests.Names() {
			ds = append(ds, n+"="+short(ev.Digests[n]))
		}
		mark := ""
		if ev.Legacy {
			mark = "  (legacy: digests named when read)"
		}
		if ev.Seq == res.FirstBadSeq {
			mark += "  <- first bad event"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", ev.Seq, ev.At.UTC().Format(time.RFC3339Nano), ev.Kind, clip.Prefix(ev.Actor), strings.Join(ds, ","), short(ev.Hash), mark)
	}
	tw.Flush()
}
