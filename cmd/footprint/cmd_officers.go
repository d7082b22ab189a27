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

	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
)

// The officer accounts' commands (docs/tenders.md "Officers and roles"):
// add, list, set-role and disable, working directly on the database like
// the tenders commands. Whoever runs them holds the database, so --as
// names the person acting rather than authenticating them: the events
// name them, and their role is enforced (an --as officer who is not an
// administrator cannot manage accounts). Without --as the actor is "cli",
// an administrator, as before.

func officersSubs() map[string]command {
	return map[string]command{
		"add":      {"create an officer account and print its personal token once", cmdOfficersAdd},
		"list":     {"list the officer accounts", cmdOfficersList},
		"set-role": {"change an officer's role (ends their sessions)", cmdOfficersSetRole},
		"disable":  {"disable an officer's account (ends their sessions)", cmdOfficersDisable},
		"retag":    {"re-tag the accounts after a rotation of the key file's signing key", cmdOfficersRetag},
		"link":     {"link an officer's account to a single sign-on identity, or unlink it (ends their sessions)", cmdOfficersLink},
	}
}

func cmdOfficers(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "footprint officers", "usage: footprint officers <subcommand> [flags] [args]   (footprint officers <subcommand> --help)\n\nsubcommands:",
		officersSubs(), args)
}

// asFlag registers --as, the officer a command acts as.
func asFlag(fs *flag.FlagSet) *string {
	return fs.String("as", "", "the officer id acting (their role is enforced and the audit events name them); default \"cli\", an administrator")
}

// PersonalTokenEnv holds the acting officer's personal token for the
// commands that need it beyond naming them (tenders open and approve of a
// tender in committee custody: it unlocks the officer's key share).
const PersonalTokenEnv = "FOOTPRINT_PERSONAL_TOKEN"

// tokenFileFlag registers --token-file, where the acting officer's
// personal token is read from ("-": standard input) instead of
// $FOOTPRINT_PERSONAL_TOKEN.
func tokenFileFlag(fs *flag.FlagSet) *string {
	return fs.String("token-file", "", "a file holding the --as officer's personal token (- for standard input), which unlocks their key share of a tender in committee custody; default $"+PersonalTokenEnv)
}

// withToken gives who the personal token from file (or the environment),
// when there is one: it must be who's (its officer id part).
func withToken(e *env, who officers.Actor, file string) (officers.Actor, error) {
	tok := e.getenv(PersonalTokenEnv)
	if file != "" {
		var raw []byte
		var err error
		if file == "-" {
			raw, err = io.ReadAll(io.LimitReader(e.stdin, 1024))
		} else {
			var f *os.File
			if f, err = os.Open(file); err == nil {
				raw, err = io.ReadAll(io.LimitReader(f, 1024))
				f.Close()
			}
		}
		if err != nil {
			return who, fmt.Errorf("--token-file: %w", err)
		}
		tok = strings.TrimSpace(string(raw))
	}
	if tok == "" {
		return who, nil
	}
	if id := officers.TokenOfficer(tok); id != who.ID {
		return who, fmt.Errorf("the personal token given is not officer %s's (a personal token is fpo.<officer id>.<secret>)", who.ID)
	}
	return who.WithCredential(tok), nil
}

// cliActor is the actor a command acts as: officers.CLI() without --as,
// else the named officer as the database keeps them (an unknown or
// disabled one is an error).
func cliActor(ctx context.Context, st store.Store, as string) (officers.Actor, error) {
	if as == "" || as == officers.CLIID {
		return officers.CLI(), nil
	}
	acc, ok := store.AccountsOf(st)
	if !ok {
		return officers.Actor{}, officers.ErrNoAccounts
	}
	o, err := acc.Officer(ctx, as)
	if errors.Is(err, store.ErrNotFound) {
		return officers.Actor{}, fmt.Errorf("--as %s: no such officer (footprint officers list)", as)
	} else if err != nil {
		return officers.Actor{}, err
	}
	if o.Disabled {
		return officers.Actor{}, fmt.Errorf("--as %s: the account is disabled", as)
	}
	return officers.Actor{ID: o.ID, Name: o.Name, Role: officers.Role(o.Role)}, nil
}

// officersService opens the database and builds the accounts service.
func officersService(ctx context.Context, e *env, db *dbOptions, cmd string) (store.Store, *officers.Service, error) {
	st, err := db.open(ctx, e, cmd)
	if err != nil {
		return nil, nil, err
	}
	acc, ok := store.AccountsOf(st)
	if !ok {
		st.Close()
		return nil, nil, officers.ErrNoAccounts
	}
	return st, officers.New(officers.Config{Accounts: acc, Now: e.now}), nil
}

func officersFail(e *env, sub string, err error) int {
	fmt.Fprintf(e.stderr, "footprint officers %s: %v\n", sub, err)
	return exitFailed
}

func cmdOfficersAdd(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers add", "officers add [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] --name NAME --role admin|buyer|opener|auditor [--oidc-issuer URL --oidc-subject SUB] ID\n\n"+
		"Creates an officer account and prints its personal token once: give it to the\n"+
		"officer, who signs in with the id and the token (the web sign-in form, POST\n"+
		"/v1/session, or Authorization: Bearer <token>). Only its argon2id hash is\n"+
		"stored; a lost token cannot be recovered (disable the account, add another).\n"+
		"With --oidc-subject the account is also linked to that single sign-on\n"+
		"identity (see officers link).")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	name := fs.String("name", "", "the officer's name, as the audit trail and the pages show it")
	role := fs.String("role", "", "admin, buyer, opener or auditor")
	link := oidcFlags(e, fs)
	id, done, code := officerArg(e, fs, "add", args)
	if done {
		return code
	}
	st, svc, err := officersService(ctx, e, db, "officers add")
	if err != nil {
		return officersFail(e, "add", err)
	}
	defer st.Close()
	by, err := cliActor(ctx, st, *as)
	if err != nil {
		return officersFail(e, "add", err)
	}
	l, err := link.get()
	if err != nil {
		return officersFail(e, "add", err)
	}
	acc, tok, err := svc.AddLinked(ctx, by, id, *name, officers.Role(*role), l)
	if tok != "" {
		fmt.Fprintf(e.stdout, "officer %s (%s), role %s\npersonal token (shown once): %s\n", acc.ID, acc.Name, acc.Role, tok)
	}
	if err != nil {
		return officersFail(e, "add", err)
	}
	if acc.OIDCSubject != "" {
		fmt.Fprintf(e.stdout, "single sign-on: subject %s at %s\n", acc.OIDCSubject, acc.OIDCIssuer)
	}
	return exitOK
}

func cmdOfficersList(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers list", "officers list [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE]\n\nLists the officer accounts: id, role, state, created, the single sign-on subject\nlinked (- for none), name.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	st, svc, err := officersService(ctx, e, db, "officers list")
	if err != nil {
		return officersFail(e, "list", err)
	}
	defer st.Close()
	by, err := cliActor(ctx, st, *as)
	if err != nil {
		return officersFail(e, "list", err)
	}
	list, err := svc.List(ctx, by)
	if err != nil {
		return officersFail(e, "list", err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tSTATE\tCREATED\tSSO\tNAME\tSHARE KEY")
	for _, a := range list {
		state := "active"
		switch {
		case a.Tampered:
			state = "tampered" // changed outside footprint: authenticates no one
		case a.Disabled:
			state = "disabled"
		}
		key := a.ShareKey
		if key == "" {
			key = "-"
		}
		sso := "-"
		if a.OIDCSubject != "" {
			sso = a.OIDCSubject
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Role, state, a.Created.UTC().Format(time.RFC3339), sso, a.Name, key)
	}
	tw.Flush()
	return exitOK
}

func cmdOfficersSetRole(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers set-role", "officers set-role [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] ID ROLE\n\nChanges an officer's role (admin, buyer, opener, auditor); their sessions end at once.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(e.stderr, "footprint officers set-role: give an officer id and a role")
		fs.Usage()
		return exitUsage
	}
	role := officers.Role(fs.Arg(1))
	return officersUpdate(ctx, e, db, *as, "set-role", fs.Arg(0), officers.Change{Role: &role})
}

func cmdOfficersDisable(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers disable", "officers disable [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] ID\n\nDisables an officer's account: their token no longer signs in and their sessions end at once.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	id, done, code := officerArg(e, fs, "disable", args)
	if done {
		return code
	}
	yes := true
	return officersUpdate(ctx, e, db, *as, "disable", id, officers.Change{Disabled: &yes})
}

func officersUpdate(ctx context.Context, e *env, db *dbOptions, as, sub, id string, ch officers.Change) int {
	st, svc, err := officersService(ctx, e, db, "officers "+sub)
	if err != nil {
		return officersFail(e, sub, err)
	}
	defer st.Close()
	by, err := cliActor(ctx, st, as)
	if err != nil {
		return officersFail(e, sub, err)
	}
	a, n, err := svc.Update(ctx, by, id, ch)
	if err != nil {
		return officersFail(e, sub, err)
	}
	state := "active"
	if a.Disabled {
		state = "disabled"
	}
	fmt.Fprintf(e.stdout, "officer %s: role %s, %s; %d session(s) ended\n", a.ID, a.Role, state, n)
	return exitOK
}

// officerArg parses the flags and the one officer id of subcommand sub.
func officerArg(e *env, fs *flag.FlagSet, sub string, args []string) (id string, done bool, code int) {
	if done, code := parseFlags(fs, args); done {
		return "", true, code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(e.stderr, "footprint officers %s: give exactly one officer id\n", sub)
		fs.Usage()
		return "", true, exitUsage
	}
	return fs.Arg(0), false, 0
}

func cmdOfficersRetag(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers retag", "officers retag [--db URL] [--keys FILE] [--checkpoint FILE] --old-keys FILE\n\n"+
		"After a rotation of the key file's signing key, re-tags the officer accounts\n"+
		"(their rows are tagged with a key derived from it, so that a database writer\n"+
		"cannot change them): every row whose tag checks with the old key file is\n"+
		"re-tagged with the current one; a row whose tag does not is left refused\n"+
		"(changed outside footprint: re-create that account). Every session ends.")
	db := dbFlag(fs, false)
	oldFile := fs.String("old-keys", "", "the key file before the rotation")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if *oldFile == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "footprint officers retag: give --old-keys FILE, the key file before the rotation")
		fs.Usage()
		return exitUsage
	}
	old, err := seal.Load(*oldFile)
	if err != nil {
		return officersFail(e, "retag", err)
	}
	st, err := db.open(ctx, e, "officers retag")
	if err != nil {
		return officersFail(e, "retag", err)
	}
	defer st.Close()
	rt, ok := store.RetaggerOf(st)
	if !ok {
		return officersFail(e, "retag", officers.ErrNoAccounts)
	}
	n, left, err := rt.RetagAccounts(ctx, old, e.now())
	if err != nil {
		return officersFail(e, "retag", err)
	}
	fmt.Fprintf(e.stdout, "re-tagged %d account(s); %d left refused (their rows do not check with the old key file); every session ended\n", n, left)
	return exitOK
}
