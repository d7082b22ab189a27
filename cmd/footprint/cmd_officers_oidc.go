package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/footprint-gpp/footprint/officers"
)

// Single sign-on links on the command line (docs/tenders.md "Single
// sign-on"): officers add --oidc-subject and officers link. The issuer
// is the provider serve is started with (--oidc-issuer, or
// $FOOTPRINT_OIDC_ISSUER for both).

// oidcIssuerEnv is the environment variable that gives --oidc-issuer its
// default (serve and the officers commands).
const oidcIssuerEnv = "FOOTPRINT_OIDC_ISSUER"

// linkFlags are --oidc-issuer and --oidc-subject.
type linkFlags struct {
	issuer, subject *string
}

func oidcFlags(e *env, fs *flag.FlagSet) linkFlags {
	return linkFlags{
		issuer:  fs.String("oidc-issuer", e.getenv(oidcIssuerEnv), "the OpenID provider's issuer URL, as serve --oidc-issuer gives it (default $"+oidcIssuerEnv+")"),
		subject: fs.String("oidc-subject", "", "the provider's subject (sub) of the officer: their single sign-on identity"),
	}
}

// get returns the link the flags give (the zero link without
// --oidc-subject).
func (f linkFlags) get() (officers.Link, error) {
	if *f.subject == "" {
		return officers.Link{}, nil
	}
	if *f.issuer == "" {
		return officers.Link{}, errors.New("--oidc-subject needs --oidc-issuer (or $" + oidcIssuerEnv + "): the provider's issuer URL, as serve is started with")
	}
	l := officers.Link{Issuer: *f.issuer, Subject: *f.subject}
	return l, officers.CheckLink(l)
}

func cmdOfficersLink(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "officers link", "officers link [--db URL] [--as ID] [--keys FILE] [--checkpoint FILE] [--oidc-issuer URL] --oidc-subject SUB | --unlink ID\n\n"+
		"Links an officer's account to a single sign-on identity: the subject (sub)\n"+
		"the OpenID provider gives the officer, at the provider serve --oidc-issuer\n"+
		"names. The officer can then sign in with \"Sign in with single sign-on\" as\n"+
		"well as with their personal token. --unlink removes the link. A changed\n"+
		"link ends the officer's sessions at once; an identity links one account.")
	db := dbFlag(fs, false)
	as := asFlag(fs)
	link := oidcFlags(e, fs)
	unlink := fs.Bool("unlink", false, "remove the account's single sign-on link")
	id, done, code := officerArg(e, fs, "link", args)
	if done {
		return code
	}
	l, err := link.get()
	if err != nil {
		return officersFail(e, "link", err)
	}
	if l.IsZero() == !*unlink {
		fmt.Fprintln(e.stderr, "footprint officers link: give --oidc-subject SUB, or --unlink")
		fs.Usage()
		return exitUsage
	}
	st, svc, err := officersService(ctx, e, db, "officers link")
	if err != nil {
		return officersFail(e, "link", err)
	}
	defer st.Close()
	by, err := cliActor(ctx, st, *as)
	if err != nil {
		return officersFail(e, "link", err)
	}
	acc, n, err := svc.Link(ctx, by, id, l)
	if err != nil {
		return officersFail(e, "link", err)
	}
	if acc.OIDCSubject == "" {
		fmt.Fprintf(e.stdout, "officer %s: no single sign-on link; %d session(s) ended\n", acc.ID, n)
	} else {
		fmt.Fprintf(e.stdout, "officer %s: single sign-on subject %s at %s; %d session(s) ended\n", acc.ID, acc.OIDCSubject, acc.OIDCIssuer, n)
	}
	return exitOK
}
