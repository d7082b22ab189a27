package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// The officer's tender commands (docs/tenders.md "CLI"): create, list,
// show, open, evaluation and export, working directly on the database (on
// the server's machine, or any machine that reaches its PostgreSQL), with
// the same rules, encodings and audit events as the REST API; their
// events carry the actor "cli", or the officer --as names (cliActor, whose
// role the use cases enforce). The decoding of a tender, the use cases,
// the sealed view of bids, the evaluation CSV and the OCDS package are
// package tenders' (the one place the REST API and the web pages call
// too), so that the CLI and the API cannot drift apart.

// tendersNow is the clock of the tender rules, at tender.Stamp resolution:
// the system's. There is deliberately no flag or variable to move it: a
// CLI that could pretend the deadline has passed would open sealed bids
// early. Tests inject a clock through runClock.
func tendersNow(e *env) time.Time {
	return tender.Stamp(e.now())
}

// tendersFail prints err for subcommand sub in the officer's terms: the
// API's problem detail (a 409 reads "deadline has not passed yet: it can
// be opened from …"), with every invalid field on a line of its own. It returns
// exitFailed (exitInterrupted when the run was cancelled).
func tendersFail(ctx context.Context, e *env, sub string, err error) int {
	cmd := "tenders " + sub
	if interrupted(ctx, err) {
		return fail(ctx, e, cmd, err, exitFailed)
	}
	detail := err.Error()
	fmt.Fprintf(e.stderr, "footprint %s: %s\n", cmd, strings.TrimSuffix(detail, "; see errors"))
	var te *tenders.Error
	if errors.As(err, &te) {
		for _, p := range te.Terms {
			fmt.Fprintf(e.stderr, "  %s\n", p)
		}
	}
	fields := fieldsOf(err)
	for _, f := range fields {
		if len(fields) == 1 && f.Detail == detail {
			break // said already
		}
		where := f.Pointer
		if where == "" {
			where = "(document)"
		}
		fmt.Fprintf(e.stderr, "  %s: %s\n", where, f.Detail)
	}
	return exitFailed
}

// fieldsOf returns the invalid fields an error names (a document that
// could not be decoded, a tender that is not valid), each by its JSON
// Pointer.
func fieldsOf(err error) []tender.Problem {
	var te *tenders.Error
	var de *bidjson.DocError
	switch {
	case errors.As(err, &te):
		return te.Problems
	case errors.As(err, &de):
		out := make([]tender.Problem, len(de.Problems))
		for i, p := range de.Problems {
			out[i] = tender.Problem{Pointer: p.Pointer, Detail: p.Detail}
		}
		return out
	}
	return nil
}

// tendersService is the tender use cases over st, resolving methods in
// reg (nil for the commands that compute nothing), on the CLI's clock.
func tendersService(e *env, st store.Store, reg *methods.Registry) *tenders.Service {
	return tenders.New(tenders.Config{Store: st, Registry: reg, Now: e.now})
}

// openingService is tendersService with the engine an opening needs to
// sample a tender's declared uncertainty report.
func openingService(e *env, st store.Store, w *world) *tenders.Service {
	return tenders.New(tenders.Config{Store: st, Registry: w.reg, Engine: w.engine, Now: e.now})
}

// tenderUncFlags are --uncertainty and --seed of tenders open and
// evaluation. A tender's draws and seed are fixed when it is created
// (declared, and derived from its digest): the flags can only ask to
// see that report, never change it. Given, they must be the tender's.
type tenderUncFlags struct {
	draws *int
	seed  *string
}

func (u *tenderUncFlags) register(fs *flag.FlagSet) {
	u.draws = fs.Int("uncertainty", 0, "the tender's declared draws (only to check: a tender's uncertainty report is fixed at creation)")
	u.seed = fs.String("seed", "", "the tender's seed (only to check: it is derived from the tender's digest)")
}

// errUncertaintyFlags marks --uncertainty or --seed that are not the
// tender's own (exit 2).
var errUncertaintyFlags = errors.New("--uncertainty/--seed")

// check refuses flags that differ from tender t's declared report.
func (u *tenderUncFlags) check(t tender.Tender) error {
	if *u.draws == 0 && *u.seed == "" {
		return nil
	}
	if t.Uncertainty == nil {
		return fmt.Errorf("%w: tender %s declares no uncertainty report; a tender's report is declared when it is created (\"uncertainty\" in its JSON) and cannot be added at the opening", errUncertaintyFlags, cell(t.ID))
	}
	seed, _, err := tender.UncertaintySeed(t)
	if err != nil {
		return err
	}
	if *u.draws != 0 && *u.draws != t.Uncertainty.Draws || *u.seed != "" && *u.seed != strconv.FormatUint(seed, 10) {
		return fmt.Errorf("%w: tender %s declared %d draws with seed %d (derived from its digest at creation); the recorded report cannot be made with other values — leave --uncertainty and --seed out, or give these",
			errUncertaintyFlags, cell(t.ID), t.Uncertainty.Draws, seed)
	}
	return nil
}

// tendersArgs parses the flags of subcommand sub and checks that exactly
// one positional argument, the tender id, remains (usage for anything
// else). It returns the id, or done with the exit status.
func tendersArgs(e *env, fs *flag.FlagSet, sub string, args []string) (id string, done bool, code int) {
	if done, code := parseFlags(fs, args); done {
		return "", true, code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(e.stderr, "footprint tenders %s: give exactly one tender id\n", sub)
		fs.Usage()
		return "", true, exitUsage
	}
	return fs.Arg(0), false, 0
}

// loadTender returns the tender id names, with a not-found error that
// says where to look.
func loadTender(ctx context.Context, st store.Store, id string) (tender.Tender, error) {
	if len(id) > tenders.MaxIDLen {
		return tender.Tender{}, fmt.Errorf("%w: tender id %q is longer than %d characters", store.ErrNotFound, clip.Prefix(id), tenders.MaxIDLen)
	}
	t, err := st.Tender(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("%w: no tender %q in this database (footprint tenders list)", store.ErrNotFound, clip.Prefix(id))
	}
	return t, err
}

// openTender opens an existing database and reads tender id from it; the
// caller closes the store.
func openTender(ctx context.Context, e *env, db *dbOptions, cmd, id string) (store.Store, tender.Tender, error) {
	st, err := db.open(ctx, e, cmd)
	if err != nil {
		return nil, tender.Tender{}, err
	}
	t, err := loadTender(ctx, st, id)
	if err != nil {
		st.Close()
		return nil, tender.Tender{}, err
	}
	return st, t, nil
}

// writeBody writes an answer's bytes to stdout.
func writeBody(ctx context.Context, e *env, sub string, body []byte) int {
	if _, err := e.stdout.Write(body); err != nil {
		return fail(ctx, e, "tenders "+sub, fmt.Errorf("writing output: %w", err), exitFailed)
	}
	return exitOK
}

// apiJSON is v as the API answers it: compact JSON and a newline.
func apiJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}

func cmdTendersCreate(ctx context.Context, e *env, args []string) int {
	const sub = "create"
	fs := newFlags(e, "tenders create", "tenders create [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] [--method REF] [--methods DIR] [--data DIR] [--from-eforms notice.xml [--limits report|exclude] [--deadline T] [--currency C] [--carbon-price-per-t W] [--lot ID]] [tender.json]\n\n"+
		"Creates a tender from a JSON file (or stdin) with the fields of POST /v1/tenders:\n"+
		"reference, title, buyer, method, currency, deadline (RFC 3339) and award\n"+
		"{rule, carbon_price_per_t, ladder_discounts, limits}. It is read as strictly\n"+
		"as the API reads it (unknown fields and duplicate keys are errors). The method\n"+
		"(--method overrides the file's) is resolved and pinned with its digest now.\n"+
		"With --from-eforms, the tender is read from an eForms contract notice of one\n"+
		"lot (docs/tenders.md \"Creating a tender from an eForms notice\"): reference,\n"+
		"title, buyer, notice details, deadline (BT-131), currency and the cost or price\n"+
		"award criterion; --method is required, and --deadline, --currency and\n"+
		"--carbon-price-per-t fill or replace the notice's. What cannot be mapped is\n"+
		"refused, naming its business term and XPath; notes on the mapping go to stderr.\n"+
		"Prints the created tender as JSON: its id, pinned method and status.")
	db := dbFlag(fs, true)
	as := asFlag(fs)
	method := fs.String("method", "", "method reference, e.g. eu-gpp@2025.3 or eu-gpp (overrides the file's \"method\")")
	fromEForms := fs.String("from-eforms", "", "read the tender from this eForms contract notice (XML; - for stdin)")
	limits := fs.String("limits", "", "with --from-eforms: the award's limits rule, report (default) or exclude")
	deadline := fs.String("deadline", "", "with --from-eforms: the deadline (RFC 3339), for a notice without BT-131 or to replace it")
	currency := fs.String("currency", "", "with --from-eforms: the currency (ISO 4217), for a notice without an amount or to replace it")
	carbon := fs.String("carbon-price-per-t", "", "with --from-eforms: W, the carbon price per t CO2e of the cost criterion (makes the rule carbon_price)")
	lot := fs.String("lot", "", "with --from-eforms: the lot (BT-137, e.g. LOT-0001) to take from a notice of several lots")
	var df dataFlags
	df.register(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if *fromEForms != "" {
		if fs.NArg() > 0 {
			fmt.Fprintln(e.stderr, "footprint tenders create: give the notice with --from-eforms and no other file")
			fs.Usage()
			return exitUsage
		}
		opt := tenders.EFormsOptions{Method: *method, Limits: *limits, Deadline: *deadline, Currency: *currency, CarbonPricePerT: *carbon, Lot: *lot}
		return createFromEForms(ctx, e, db, &df, *fromEForms, opt, *as)
	}
	if *limits != "" || *deadline != "" || *currency != "" || *carbon != "" || *lot != "" {
		fmt.Fprintln(e.stderr, "footprint tenders create: --limits, --deadline, --currency, --carbon-price-per-t and --lot go with --from-eforms; a JSON tender has these fields")
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "footprint tenders create: give at most one tender file (or none for stdin)")
		fs.Usage()
		return exitUsage
	}
	now := tendersNow(e)
	w, err := df.load()
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	in, err := openInput(ctx, e, fs.Arg(0))
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	req, err := tenders.DecodeTenderRequest(in)
	in.Close()
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	if *method != "" {
		req.Method = *method
	}
	t, err := tenders.NewTender(w.reg, req, now)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	st, err := db.open(ctx, e, "tenders create")
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	who, err := cliActor(ctx, st, *as)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	stored, err := tendersService(e, st, w.reg).Create(ctx, t, who)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	body, err := apiJSON(tenders.ViewTender(stored, now))
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	return writeBody(ctx, e, sub, body)
}

// createFromEForms creates a tender from the eForms notice in file, the
// same way as from JSON after the reading.
func createFromEForms(ctx context.Context, e *env, db *dbOptions, df *dataFlags, file string, opt tenders.EFormsOptions, as string) int {
	const sub = "create"
	now := tendersNow(e)
	w, err := df.load()
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	in, err := openInput(ctx, e, file)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	t, et, err := tenders.NewTenderFromEForms(w.reg, in, opt, now)
	in.Close()
	var te *tenders.Error
	if errors.As(err, &te) {
		// The fields a notice does not give are options here: name them
		// as flags.
		for i, p := range te.Problems {
			if o := tenders.OptionOf(p.Pointer); o != "" {
				te.Problems[i].Pointer = "--" + strings.ReplaceAll(o, "_", "-")
			}
		}
	}
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	st, err := db.open(ctx, e, "tenders create")
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	who, err := cliActor(ctx, st, as)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	stored, err := tendersService(e, st, w.reg).Create(ctx, t, who)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	for _, n := range et.Notes {
		fmt.Fprintf(e.stderr, "footprint tenders create: note: %s\n", n)
	}
	body, err := apiJSON(tenders.ViewTender(stored, now))
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	return writeBody(ctx, e, sub, body)
}

// tenderListItem is a tender as list --json prints it: the API's view and
// its bid counts (withdrawn bids included in bids, not in active_bids).
type tenderListItem struct {
	tenders.TenderView
	Bids       int `json:"bids"`
	ActiveBids int `json:"active_bids"`
}

func cmdTendersList(ctx context.Context, e *env, args []string) int {
	const sub = "list"
	fs := newFlags(e, "tenders list", "tenders list [--db URL] [--keys FILE] [--checkpoint FILE] [--json]\n\n"+
		"Lists the tenders, newest first: id, reference, title, deadline, state now\n"+
		"and how many bids arrived (those still standing in brackets when some were\n"+
		"withdrawn). Bids stay sealed: only their count is shown.")
	db := dbFlag(fs, false)
	asJSON := fs.Bool("json", false, "print {\"tenders\": [...]} as JSON instead of a table")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "footprint tenders list: unexpected argument %q\n", clip.Prefix(fs.Arg(0)))
		return exitUsage
	}
	now := tendersNow(e)
	st, err := db.open(ctx, e, "tenders list")
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	svc := tendersService(e, st, nil)
	ts, err := svc.Tenders(ctx)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	items := make([]tenderListItem, len(ts))
	for i, t := range ts {
		sealed, err := svc.Sealed(ctx, t)
		if err != nil {
			return tendersFail(ctx, e, sub, err)
		}
		items[i] = tenderListItem{TenderView: tenders.ViewTender(t, now), Bids: sealed.Count, ActiveBids: sealed.Active}
	}
	if *asJSON {
		body, err := apiJSON(struct {
			Tenders []tenderListItem `json:"tenders"`
		}{items})
		if err != nil {
			return tendersFail(ctx, e, sub, err)
		}
		return writeBody(ctx, e, sub, body)
	}
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREFERENCE\tTITLE\tDEADLINE\tSTATE\tBIDS\t")
	for _, it := range items {
		n := strconv.Itoa(it.Bids)
		if it.ActiveBids != it.Bids {
			n += " (" + strconv.Itoa(it.ActiveBids) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", cell(it.ID), cell(it.Reference), cell(it.Title),
			it.Deadline.UTC().Format(time.RFC3339), it.Status, n)
	}
	tw.Flush()
	if len(items) == 0 {
		fmt.Fprintln(&out, "(no tenders yet: footprint tenders create)")
	}
	return writeBody(ctx, e, sub, out.Bytes())
}

// cell is a text for one table cell: shortened, and with tabs, line
// breaks and other control characters (which would break the table, or
// drive the terminal) shown as spaces.
func cell(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, clip.Prefix(s))
}

func cmdTendersShow(ctx context.Context, e *env, args []string) int {
	const sub = "show"
	fs := newFlags(e, "tenders show", "tenders show [--db URL] [--keys FILE] [--checkpoint FILE] [--json] TENDER_ID\n\n"+
		"Shows a tender's public notice (reference, title, buyer, method, deadline,\n"+
		"award rule), its state now, and its bids as an officer may see them at any\n"+
		"time: ids, receipt times, withdrawals and digests. Never a price, a line, a\n"+
		"supplier or a footprint (after the opening: footprint tenders evaluation).")
	db := dbFlag(fs, false)
	asJSON := fs.Bool("json", false, "print {\"tender\": …, \"bids\": …} as JSON (the answers of GET /v1/tenders/{id} and …/bids)")
	id, done, code := tendersArgs(e, fs, sub, args)
	if done {
		return code
	}
	now := tendersNow(e)
	st, t, err := openTender(ctx, e, db, "tenders "+sub, id)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	sealed, err := tendersService(e, st, nil).Sealed(ctx, t)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	t.Status = tender.State(t, now)
	if *asJSON {
		body, err := apiJSON(struct {
			Tender tenders.TenderView `json:"tender"`
			Bids   tenders.SealedBids `json:"bids"`
		}{tenders.TenderView{Tender: t}, sealed})
		if err != nil {
			return tendersFail(ctx, e, sub, err)
		}
		return writeBody(ctx, e, sub, body)
	}
	var out bytes.Buffer
	printNotice(&out, t)
	fmt.Fprintf(&out, "bids:       %d received, %d standing (sealed: ids, receipt times and salted commitments only)\n", sealed.Count, sealed.Active)
	if sealed.Count > 0 {
		tw := tabwriter.NewWriter(&out, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "\nBID\tRECEIVED\tWITHDRAWN\tCOMMITMENT\t")
		for _, b := range sealed.Bids {
			c := b.Commitment
			if b.Digests != nil { // a bid received before commitments
				c = "digests " + b.Digests.Bid + " " + b.Digests.Result
			}
			fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t\n", cell(b.BidID), b.ReceivedAt.Format(time.RFC3339Nano), b.Withdrawn, c)
		}
		tw.Flush()
	}
	return writeBody(ctx, e, sub, out.Bytes())
}

// printNotice writes a tender's public notice, one field a line.
func printNotice(w io.Writer, t tender.Tender) {
	line := func(k, v string) { fmt.Fprintf(w, "%-11s %s\n", k+":", v) }
	line("id", cell(t.ID))
	line("reference", cell(t.Reference))
	line("title", cell(t.Title))
	line("buyer", cell(t.Buyer))
	line("currency", t.Currency)
	line("method", cell(t.Method.Ref())+" (digest "+t.Method.Digest+")")
	line("created", t.Created.UTC().Format(time.RFC3339))
	line("deadline", t.Deadline.UTC().Format(time.RFC3339))
	award := string(t.Award.Rule)
	switch {
	case t.Award.CarbonPricePerT != nil:
		award += fmt.Sprintf(", %s %s per t CO2e", t.Award.CarbonPricePerT.String(), t.Currency)
	case len(t.Award.LadderDiscounts) > 0:
		ds, _ := json.Marshal(t.Award.LadderDiscounts) // sorted keys
		award += ", discounts " + cell(string(ds))
	}
	line("award", award+"; limits: "+string(t.Award.Limits))
	line("state", string(t.Status))
}

func cmdTendersOpen(ctx context.Context, e *env, args []string) int {
	const sub = "open"
	fs := newFlags(e, "tenders open", "tenders open [--db URL] [--as ID] [--token-file FILE] [--keys FILE] [--checkpoint FILE] [--methods DIR] [--data DIR] [--uncertainty DRAWS --seed S] TENDER_ID\n\n"+
		"Opens a tender after its deadline (before it: exit 1, nothing changes): computes\n"+
		"the evaluation under the pinned method, stores it with the opening in one\n"+
		"transaction, and prints it as JSON (as POST /v1/tenders/{id}/open answers).\n"+
		"A tender is opened once. A tender whose opening committee needs k > 1\n"+
		"approvals is not opened this way (exit 1: tenders approve); for a committee of\n"+
		"one, the opening is its opener's approval, --as that opener's officer id; for a\n"+
		"tender in committee custody give their personal token too (--token-file, or\n"+
		"$FOOTPRINT_PERSONAL_TOKEN): it unlocks their key share.\n\n"+
		"A tender that declared an uncertainty report at creation gets it in the\n"+
		"evaluation (\"uncertainty\", p_first and p_keep_place per bid): its draws were\n"+
		"declared and its seed derived from its digest, so --uncertainty and --seed can\n"+
		"only repeat them (other values: exit 2; docs/tenders.md).")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	tokenFile := tokenFileFlag(fs)
	var df dataFlags
	df.register(fs)
	var uf tenderUncFlags
	uf.register(fs)
	id, done, code := tendersArgs(e, fs, sub, args)
	if done {
		return code
	}
	st, t, err := openTender(ctx, e, db, "tenders "+sub, id)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	if err := uf.check(t); err != nil {
		fmt.Fprintf(e.stderr, "footprint tenders %s: %v\n", sub, err)
		return exitUsage
	}
	who, svc, err := openingActor(ctx, e, st, *as, *tokenFile, &df)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	ev, err := svc.Open(ctx, t, who)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	body, err := apiJSON(ev)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	return writeBody(ctx, e, sub, body)
}

// openingActor is what tenders open and approve need: the officer acting
// (--as), with their personal token when one is given (it unlocks their
// key share), and the service that opens, on the loaded methods.
func openingActor(ctx context.Context, e *env, st store.Store, as, tokenFile string, df *dataFlags) (officers.Actor, *tenders.Service, error) {
	who, err := cliActor(ctx, st, as)
	if err == nil {
		who, err = withToken(e, who, tokenFile)
	}
	if err != nil {
		return who, nil, err
	}
	w, err := df.load()
	if err != nil {
		return who, nil, err
	}
	return who, openingService(e, st, w), nil
}

func cmdTendersApprove(ctx context.Context, e *env, args []string) int {
	const sub = "approve"
	fs := newFlags(e, "tenders approve", "tenders approve --as ID [--token-file FILE] [--db URL] [--keys FILE] [--checkpoint FILE] [--methods DIR] [--data DIR] TENDER_ID\n\n"+
		"Records the approval of a tender's opening by officer ID, one of the openers of\n"+
		"its committee, after the deadline only (before it, or for an officer not on the\n"+
		"committee: exit 1, nothing changes), as an approved event naming ID in the audit\n"+
		"trail; a repeated approval records nothing. The committee's k-th distinct\n"+
		"approval opens the tender in the same transaction, as tenders open does. Prints\n"+
		"the approval as JSON (as POST /v1/tenders/{id}/approvals answers): approvers so\n"+
		"far, k, remaining, and the evaluation when this approval opened the tender.\n"+
		"For a tender in committee custody the approval releases the opener's key share,\n"+
		"which only their personal token unlocks: give it with --token-file FILE (\"-\":\n"+
		"standard input) or $FOOTPRINT_PERSONAL_TOKEN.")
	db := dbFlag(fs, false)
	as := fs.String("as", "", "the officer id of the approving opener (required)")
	tokenFile := tokenFileFlag(fs)
	var df dataFlags
	df.register(fs)
	id, done, code := tendersArgs(e, fs, sub, args)
	if done {
		return code
	}
	if *as == "" {
		fmt.Fprintln(e.stderr, "footprint tenders approve: give --as ID, the approving opener's officer id")
		fs.Usage()
		return exitUsage
	}
	st, t, err := openTender(ctx, e, db, "tenders "+sub, id)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	who, svc, err := openingActor(ctx, e, st, *as, *tokenFile, &df)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	a, err := svc.Approve(ctx, t, who)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	body, err := apiJSON(tenders.ViewApproval(t.ID, who.ID, a))
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	return writeBody(ctx, e, sub, body)
}

func cmdTendersEvaluation(ctx context.Context, e *env, args []string) int {
	const sub = "evaluation"
	fs := newFlags(e, "tenders evaluation", "tenders evaluation [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] [--format json|csv] [--uncertainty DRAWS --seed S] TENDER_ID\n\n"+
		"Prints an opened tender's evaluation (ranking, notional prices, exclusions with\n"+
		"their reasons), the same bytes as GET /v1/tenders/{id}/evaluation[?format=csv],\n"+
		"and records the export in the audit trail. Before the opening: exit 1.\n"+
		"A declared uncertainty report is part of it (CSV: p_first, p_keep_place\n"+
		"appended); --uncertainty and --seed can only repeat the tender's own.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	format := fs.String("format", "json", "json or csv")
	var uf tenderUncFlags
	uf.register(fs)
	id, done, code := tendersArgs(e, fs, sub, args)
	if done {
		return code
	}
	if *format != "json" && *format != "csv" {
		fmt.Fprintf(e.stderr, "footprint tenders evaluation: --format %q: use json or csv\n", clip.Prefix(*format))
		return exitUsage
	}
	now := tendersNow(e)
	st, t, err := openTender(ctx, e, db, "tenders "+sub, id)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	if err := uf.check(t); err != nil {
		fmt.Fprintf(e.stderr, "footprint tenders %s: %v\n", sub, err)
		return exitUsage
	}
	who, err := cliActor(ctx, st, *as)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	ev, head, err := tendersService(e, st, nil).ExportEvaluation(ctx, t, who, true)
	if errors.Is(err, tenders.ErrNotOpened) {
		err = fmt.Errorf("%w: tender %s is %s; footprint tenders open computes the evaluation after the deadline (%s)",
			tenders.ErrSealed, cell(t.ID), tender.State(t, now), t.Deadline.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	var body []byte
	if *format == "csv" {
		var buf bytes.Buffer
		err = tenders.WriteEvaluationCSV(&buf, ev)
		body = buf.Bytes()
	} else {
		body, err = apiJSON(ev)
	}
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	noteSignedHead(e, sub, head)
	return writeBody(ctx, e, sub, body)
}

func cmdTendersExport(ctx context.Context, e *env, args []string) int {
	const sub = "export"
	fs := newFlags(e, "tenders export", "tenders export [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] [--format ocds|eforms-cn|eforms-can] [--public-url URL] [--winner-id ID] [--winner-country CODE] [--winner-town TOWN] [--winner-postcode CODE] [--winner-nuts CODE] [--winner-size SIZE] [--contract-date DATE] [--contract-end DATE] [--received-micro N] [--received-small N] [--received-medium N] [--received-large N] [--received-non-eea N] [--received-other-eea N] TENDER_ID\n\n"+
		"Prints a tender's OCDS 1.1.5 release package (the tender release; after the\n"+
		"opening also the award release with the bids extension's details and the\n"+
		"award), the same bytes as GET /v1/tenders/{id}/ocds of a server started with\n"+
		"the same --public-url, and records the export in the audit trail. Before the\n"+
		"opening only the tender is published (bids are sealed). --public-url is the\n"+
		"address the service is published at: the package's uri and extension URLs\n"+
		"are absolute under it (required with --format ocds).\n\n"+
		"--format eforms-cn prints the eForms contract notice (subtype 16, XML; as\n"+
		"GET /v1/tenders/{id}/eforms/contract-notice), eforms-can the contract award\n"+
		"notice (subtype 29; after the opening), whose winner is described by the\n"+
		"--winner-* flags and --contract-date (a bid names its supplier only). A tender\n"+
		"whose notice details lack what eForms requires is refused, naming the fields.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	format := fs.String("format", "ocds", "ocds, eforms-cn or eforms-can")
	public := fs.String("public-url", "", "with --format ocds: the publisher's public base URL, e.g. https://tenders.example.org (required)")
	winner := map[string]*string{}
	for _, p := range tenders.WinnerParams {
		winner[p] = fs.String(strings.ReplaceAll(p, "_", "-"), "", winnerFlagHelp(p))
	}
	id, done, code := tendersArgs(e, fs, sub, args)
	if done {
		return code
	}
	switch *format {
	case "ocds", "eforms-cn", "eforms-can":
	default:
		fmt.Fprintf(e.stderr, "footprint tenders export: --format %q: use ocds, eforms-cn or eforms-can (the evaluation as JSON or CSV: footprint tenders evaluation)\n", clip.Prefix(*format))
		return exitUsage
	}
	win, problems := tenders.ParseWinner(func(p string) string { return *winner[p] })
	if len(problems) > 0 {
		for _, p := range tenders.WinnerParams {
			if d, ok := problems[p]; ok {
				fmt.Fprintf(e.stderr, "footprint tenders export: --%s: %s\n", strings.ReplaceAll(p, "_", "-"), d)
			}
		}
		return exitUsage
	}
	if win != nil && *format != "eforms-can" {
		fmt.Fprintln(e.stderr, "footprint tenders export: the --winner-* flags and --contract-date go with --format eforms-can")
		return exitUsage
	}
	if *format == "ocds" {
		if _, err := tenders.CheckPublicURL(*public); err != nil {
			fmt.Fprintln(e.stderr, "footprint tenders export: --public-url:", err)
			return exitUsage
		}
	} else if *public != "" {
		fmt.Fprintln(e.stderr, "footprint tenders export: --public-url goes with --format ocds")
		return exitUsage
	}
	st, t, err := openTender(ctx, e, db, "tenders "+sub, id)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	defer st.Close()
	who, err := cliActor(ctx, st, *as)
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	svc := tenders.New(tenders.Config{Store: st, Now: e.now, PublicURL: *public})
	var body []byte
	var head string
	switch *format {
	case "eforms-cn":
		body, head, err = svc.ExportContractNotice(ctx, t, who, true)
	case "eforms-can":
		body, head, err = svc.ExportAwardNotice(ctx, t, win, who, true)
	default:
		body, head, err = svc.ExportOCDS(ctx, t, who, true)
	}
	if errors.Is(err, tenders.ErrNoticeIncomplete) {
		tendersFail(ctx, e, sub, err)
		return exitUsage
	}
	if err != nil {
		return tendersFail(ctx, e, sub, err)
	}
	noteSignedHead(e, sub, head)
	return writeBody(ctx, e, sub, body)
}

// noteSignedHead says on stderr the signed chain head that vouches for an
// export (its exported event's), to keep beside the exported file.
func noteSignedHead(e *env, sub, head string) {
	if head != "" {
		fmt.Fprintf(e.stderr, "footprint tenders %s: signed chain head after this export (keep it with the file): %s\n", sub, head)
	}
}

// winnerFlagHelp is the help of an award-notice flag (tenders.WinnerParams).
func winnerFlagHelp(p string) string {
	switch {
	case strings.HasPrefix(p, "received_"):
		return "eforms-can: bids received (not withdrawn) from " + strings.ReplaceAll(strings.TrimPrefix(p, "received_"), "_", "-") + " tenderers (see docs/tenders.md)"
	case strings.HasPrefix(p, "contract_"):
		return "eforms-can: the contract's " + strings.TrimPrefix(p, "contract_") + " date, YYYY-MM-DD (see docs/tenders.md)"
	}
	return "eforms-can: the winner's " + strings.TrimPrefix(p, "winner_") + " (see docs/tenders.md)"
}
