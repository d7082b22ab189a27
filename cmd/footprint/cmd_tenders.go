package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tenders"
)

// tendersSubs are the subcommands of "footprint tenders".
func tendersSubs() map[string]command {
	return map[string]command{
		"create":     {"create a tender from a JSON file, its method pinned", cmdTendersCreate},
		"list":       {"list the tenders: state now and bid counts", cmdTendersList},
		"show":       {"show a tender's notice, state and sealed bids (times and salted commitments only)", cmdTendersShow},
		"open":       {"open a tender after its deadline and print its evaluation", cmdTendersOpen},
		"approve":    {"approve a tender's opening as one opener of its committee; the k-th approval opens it", cmdTendersApprove},
		"evaluation": {"print an opened tender's evaluation (JSON or CSV)", cmdTendersEvaluation},
		"export":     {"print a tender's OCDS 1.1.5 release package or eForms notice", cmdTendersExport},
		"verify":     {"check a tender's audit trail against the stored tender, bids and evaluation", cmdTendersVerify},
	}
}

func cmdTenders(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "footprint tenders", "usage: footprint tenders <subcommand> [flags] [args]   (footprint tenders <subcommand> --help)\n\nsubcommands:",
		tendersSubs(), args)
}

// checkpointText says how far the checkpoint file vouches for a chain.
func checkpointText(seq int64) string {
	if seq == 0 {
		return "no head of this tender"
	}
	return fmt.Sprintf("heads up to event %d, each still in the chain", seq)
}

// readLimited reads a file of at most limit bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(raw)) > limit {
		err = fmt.Errorf("over %d bytes", limit)
	}
	return raw, err
}

func cmdTendersVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "tenders verify", "tenders verify [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] [--receipt FILE ...] TENDER_ID\n\n"+
		"Checks a tender's audit trail offline: every event's hash, the chain's links\n"+
		"and head, every event's signed head (with the key file's keys, which the\n"+
		"database does not hold), the heads kept in the checkpoint file, that the\n"+
		"stored tender, bids, token hashes and evaluation still have the digests\n"+
		"their events recorded, and, for each --receipt (a supplier's saved answer\n"+
		"of its submission), that its bid is still in the chain at its place. Prints\n"+
		"the events and the verdict; exits 0 when it verifies, 1 when it does not\n"+
		"(naming the first bad event or receipt) or on error.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	var receipts multiFlag
	fs.Var(&receipts, "receipt", "a bid's receipt (the JSON answer of its submission) to check against the chain; repeat for several")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "footprint tenders verify: give exactly one tender id")
		fs.Usage()
		return exitUsage
	}
	st, err := db.open(ctx, e, "tenders verify")
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint tenders verify:", err)
		return exitFailed
	}
	defer st.Close()
	who, err := cliActor(ctx, st, *as)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint tenders verify:", err)
		return exitFailed
	}
	res, err := tendersService(e, st, nil).Audit(ctx, fs.Arg(0), who)
	if err != nil {
		fmt.Fprintln(e.stderr, "footprint tenders verify:", err)
		return exitFailed
	}
	printEvents(e.stdout, res)
	if res.Signatures != "" {
		fmt.Fprintf(e.stdout, "signatures: %s; checkpoint: %s\n", res.Signatures, checkpointText(res.CheckpointSeq))
	}
	ok := res.Verified
	if !ok {
		fmt.Fprintf(e.stdout, "NOT VERIFIED: %s\n", res.Problem)
	}
	var keys []ed25519.PublicKey
	if ss, isSealed := st.(sealedStore); isSealed {
		keys = ss.keys
	}
	for _, name := range receipts {
		raw, err := readLimited(name, tenders.MaxReceiptBytes)
		if err != nil {
			fmt.Fprintf(e.stderr, "footprint tenders verify: --receipt %s: %v\n", name, err)
			return exitFailed
		}
		seq, err := tenders.CheckReceipt(fs.Arg(0), res, raw, keys)
		if err != nil {
			ok = false
			fmt.Fprintf(e.stdout, "NOT VERIFIED: receipt %s: %v\n", name, err)
			continue
		}
		fmt.Fprintf(e.stdout, "receipt %s: its bid is in the chain at event %d, as signed\n", name, seq)
	}
	if !ok {
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
