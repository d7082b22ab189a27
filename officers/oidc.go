package officers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/footprint-gpp/footprint/store"
)

// Single sign-on (docs/tenders.md "Single sign-on"). An account may be
// linked to one person at an OpenID Connect provider: the provider's
// issuer URL and the subject ("sub") it gives that person. The server
// checks the provider's ID token (package server) and calls SignInOIDC
// with the token's issuer and subject; a linked, enabled account gets the
// same server-side session as a sign-in with a personal token. Accounts
// are never made from a provider's say-so: an administrator links them.

// Errors of single sign-on; the edges map them (401, 409, 422, 503).
var (
	// ErrNotLinked: no account is linked to the identity a provider
	// vouched for. It is an ErrUnauthenticated.
	ErrNotLinked = fmt.Errorf("%w: no officer account is linked to this single sign-on identity", ErrUnauthenticated)
	// ErrLinkTaken: the identity is linked to another account.
	ErrLinkTaken = errors.New("single sign-on identity linked to another officer")
	// ErrNoLinks: the server's store keeps no single sign-on links.
	ErrNoLinks = errors.New("this store keeps no single sign-on links")
)

// Bounds of a link. OpenID Connect Core 1.0 §2 bounds a subject to 255
// ASCII characters; an issuer is an https URL (http for a provider on the
// local host, as in tests).
const (
	MaxSubjectLen = 255
	MaxIssuerLen  = 512
)

// Link names a person at an OpenID Connect provider. The zero Link is no
// link.
type Link struct {
	Issuer  string
	Subject string
}

// IsZero reports whether l is no link.
func (l Link) IsZero() bool { return l.Issuer == "" && l.Subject == "" }

// CheckLink checks a link's form: an absolute http(s) issuer URL without
// query or fragment, and a subject of 1 to MaxSubjectLen printable ASCII
// characters. Its errors wrap ErrInvalid.
func CheckLink(l Link) error {
	if err := CheckIssuer(l.Issuer); err != nil {
		return err
	}
	if l.Subject == "" || len(l.Subject) > MaxSubjectLen {
		return fmt.Errorf("%w: single sign-on subject: give the provider's subject (sub) of the officer, 1 to %d characters", ErrInvalid, MaxSubjectLen)
	}
	for i := 0; i < len(l.Subject); i++ {
		if c := l.Subject[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: single sign-on subject %q: printable ASCII characters only, no spaces", ErrInvalid, clipText(l.Subject))
		}
	}
	return nil
}

// CheckIssuer checks an issuer URL: absolute http or https, with a host,
// no query, fragment or user information, at most MaxIssuerLen bytes.
func CheckIssuer(issuer string) error {
	if issuer == "" {
		return fmt.Errorf("%w: single sign-on issuer: give the provider's issuer URL (serve --oidc-issuer)", ErrInvalid)
	}
	u, err := url.Parse(issuer)
	if err != nil || len(issuer) > MaxIssuerLen || !utf8.ValidString(issuer) || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%w: single sign-on issuer %q: an absolute https URL without query or fragment, at most %d bytes", ErrInvalid, clipText(issuer), MaxIssuerLen)
	}
	return nil
}

func (s *Service) links() (store.OIDCLinks, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	l, ok := store.OIDCLinksOf(s.acc)
	if !ok {
		return nil, ErrNoLinks
	}
	return l, nil
}

// Link links officer id to l, or with the zero Link removes its link, by
// actor by (ActManage). A changed link ends the officer's sessions at
// once; it returns the account and how many sessions ended. The
// identity may be linked to one account only (ErrLinkTaken).
func (s *Service) Link(ctx context.Context, by Actor, id string, l Link) (Account, int, error) {
	if err := by.Can(ActManage); err != nil {
		return Account{}, 0, err
	}
	links, err := s.links()
	if err != nil {
		return Account{}, 0, err
	}
	if !l.IsZero() {
		if err := CheckLink(l); err != nil {
			return Account{}, 0, err
		}
	}
	n, err := links.LinkOfficerOIDC(ctx, id, store.OIDCLink(l), s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Account{}, 0, err
	case errors.Is(err, store.ErrOIDCLinked):
		return Account{}, 0, fmt.Errorf("%w: subject %q at %s is linked to another officer; unlink it there first", ErrLinkTaken, clipText(l.Subject), clipText(l.Issuer))
	case err != nil:
		return Account{}, 0, err
	}
	o, err := s.acc.Officer(ctx, id)
	if err != nil {
		return Account{}, 0, err
	}
	acc := accountOf(o)
	acc.OIDCIssuer, acc.OIDCSubject = l.Issuer, l.Subject
	return acc, n, nil
}

// AddLinked is Add for an account linked to l from the start (the zero
// Link: Add). The identity is checked first (ErrLinkTaken when another
// account has it); should another administrator link it between the
// check and the link, the account exists unlinked and the error says so,
// with the token still returned (shown once).
func (s *Service) AddLinked(ctx context.Context, by Actor, id, name string, role Role, l Link) (Account, string, error) {
	if l.IsZero() {
		return s.Add(ctx, by, id, name, role)
	}
	if err := by.Can(ActManage); err != nil {
		return Account{}, "", err
	}
	if err := CheckLink(l); err != nil {
		return Account{}, "", err
	}
	links, err := s.links()
	if err != nil {
		return Account{}, "", err
	}
	if o, err := links.OfficerByOIDC(ctx, store.OIDCLink(l)); err == nil {
		return Account{}, "", fmt.Errorf("%w: subject %q at %s is linked to %s; unlink it there first", ErrLinkTaken, clipText(l.Subject), clipText(l.Issuer), o.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Account{}, "", err
	}
	acc, tok, err := s.Add(ctx, by, id, name, role)
	if err != nil {
		return Account{}, "", err
	}
	linked, _, err := s.Link(ctx, by, id, l)
	if err != nil {
		return acc, tok, fmt.Errorf("officer %s was created without its single sign-on link: %w", id, err)
	}
	return linked, tok, nil
}

// withLinks fills the single sign-on links of accounts (when the store
// keeps them).
func (s *Service) withLinks(ctx context.Context, accs []Account) error {
	links, ok := store.OIDCLinksOf(s.acc)
	if !ok {
		return nil
	}
	all, err := links.OfficersOIDC(ctx)
	if err != nil {
		return err
	}
	for i := range accs {
		if l, ok := all[accs[i].ID]; ok {
			accs[i].OIDCIssuer, accs[i].OIDCSubject = l.Issuer, l.Subject
		}
	}
	return nil
}

// SignInOIDC starts a session for the officer linked to the identity
// (issuer, subject) that an OpenID Connect provider vouched for (the
// caller has verified the provider's ID token). It returns ErrNotLinked
// when no account is linked to it and ErrUnauthenticated when the
// account is disabled; the session is the one SignIn makes, ended as
// every session is (sign-out, a role change, a disabled account, a
// changed link).
func (s *Service) SignInOIDC(ctx context.Context, issuer, subject string) (SignedIn, error) {
	links, err := s.links()
	if err != nil {
		return SignedIn{}, err
	}
	o, err := links.OfficerByOIDC(ctx, store.OIDCLink{Issuer: issuer, Subject: subject})
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, ErrNotLinked
	} else if errors.Is(err, store.ErrAccountTag) {
		return SignedIn{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	} else if err != nil {
		return SignedIn{}, err
	}
	if o.Disabled {
		return SignedIn{}, ErrUnauthenticated
	}
	return s.startSession(ctx, Actor{ID: o.ID, Name: o.Name, Role: Role(o.Role)})
}
