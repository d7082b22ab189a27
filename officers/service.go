package officers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// Credentials. A personal token is "fpo.<officer id>.<secret>" and a
// session token "fps.<secret>", each secret 32 random bytes (256 bits,
// base64url): the prefix says which it is, and the id in a personal token
// lets the server find the one hash to check. Any other bearer token is
// the bootstrap administrator's (FOOTPRINT_OFFICER_TOKEN) or a bid token.
const (
	personalPrefix = "fpo."
	sessionPrefix  = "fps."
)

// IsPersonalToken and IsSessionToken tell the kinds of officer
// credentials apart by their prefix.
func IsPersonalToken(tok string) bool { return strings.HasPrefix(tok, personalPrefix) }

// IsSessionToken reports whether tok has the form of a session token.
func IsSessionToken(tok string) bool { return strings.HasPrefix(tok, sessionPrefix) }

// TokenOfficer is the officer id a personal token names ("" for none).
func TokenOfficer(tok string) string {
	if !IsPersonalToken(tok) {
		return ""
	}
	id, _, ok := strings.Cut(tok[len(personalPrefix):], ".")
	if !ok {
		return ""
	}
	return id
}

// SessionTTL is how long a session lasts after sign-in.
const SessionTTL = 8 * time.Hour

// Config holds what a Service is built from.
type Config struct {
	// Accounts keeps the accounts and sessions; nil makes every account
	// use case ErrNoAccounts (the bootstrap token still authenticates).
	Accounts store.Accounts
	// BootstrapHash is tender.HashToken of the bootstrap administrator's
	// token (FOOTPRINT_OFFICER_TOKEN, or the generated one); "" for none.
	BootstrapHash string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Params are the argon2id parameters of new tokens (zero: DefaultParams).
	Params Params
	// ConcurrentHashes bounds the argon2id hashes computed at once (0:
	// DefaultConcurrentHashes).
	ConcurrentHashes int
}

// Service runs the account use cases. Its methods may be called
// concurrently.
type Service struct {
	acc       store.Accounts
	bootstrap string
	now       func() time.Time
	h         *hasher
}

// New builds a service from cfg.
func New(cfg Config) *Service {
	p := cfg.Params
	if p == (Params{}) {
		p = defaultParams
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{acc: cfg.Accounts, bootstrap: cfg.BootstrapHash, now: now, h: newHasher(p, cfg.ConcurrentHashes)}
}

// Account is what the use cases show of an officer: never its hash.
type Account struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     Role      `json:"role"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
	// ShareKey is the fingerprint of the officer's share key
	// (tender.KeyFingerprint), to which their shares of tender keys are
	// sealed; "" for an account made before share keys, whose shares the
	// server holds.
	ShareKey string `json:"share_key,omitempty"`
	// Tampered says the account's row was changed outside footprint (its
	// tag does not check): it authenticates no one.
	Tampered bool `json:"tampered,omitempty"`
	// OIDCIssuer and OIDCSubject name the single sign-on identity the
	// account is linked to (both empty: none; see Link).
	OIDCIssuer  string `json:"oidc_issuer,omitempty"`
	OIDCSubject string `json:"oidc_subject,omitempty"`
}

func accountOf(o store.Officer) Account {
	a := Account{ID: o.ID, Name: o.Name, Role: Role(o.Role), Disabled: o.Disabled, Created: o.Created, Tampered: o.Tampered}
	if o.ShareRecipient != "" {
		a.ShareKey = tender.KeyFingerprint(o.ShareRecipient)
	}
	return a
}

func (s *Service) ready() error {
	if s.acc == nil {
		return ErrNoAccounts
	}
	return nil
}

func newSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Add creates officer id with name and role, by actor by (ActManage). It
// returns the account and its personal token, which is shown once and
// stored only as its argon2id hash.
func (s *Service) Add(ctx context.Context, by Actor, id, name string, role Role) (Account, string, error) {
	if err := by.Can(ActManage); err != nil {
		return Account{}, "", err
	}
	if err := s.ready(); err != nil {
		return Account{}, "", err
	}
	if err := CheckID(id); err != nil {
		return Account{}, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxNameLen || !utf8.ValidString(name) {
		return Account{}, "", fmt.Errorf("%w: name: give the officer's name, 1 to %d bytes of UTF-8", ErrInvalid, MaxNameLen)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Account{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Account{}, "", err
	}
	token := personalPrefix + id + "." + secret
	hash, params, err := s.h.hash(ctx, token)
	if err != nil {
		return Account{}, "", err
	}
	// The officer's share key: shares of tender keys are sealed to its
	// recipient; its identity is kept only locked under the token.
	hk, err := seal.NewHolderKey()
	if err != nil {
		return Account{}, "", err
	}
	locked, err := hk.Lock(token, id)
	if err != nil {
		return Account{}, "", err
	}
	o := store.Officer{ID: id, Name: name, Role: string(role), TokenHash: hash, Params: params, Created: tender.Stamp(s.now()),
		ShareRecipient: hk.Recipient(), ShareKey: locked}
	if err := s.acc.CreateOfficer(ctx, o); err != nil {
		if errors.Is(err, store.ErrOfficerExists) {
			return Account{}, "", fmt.Errorf("%w: %s", ErrExists, id)
		}
		return Account{}, "", err
	}
	return accountOf(o), token, nil
}

// List lists the officers by id (ActManage).
func (s *Service) List(ctx context.Context, by Actor) ([]Account, error) {
	if err := by.Can(ActManage); err != nil {
		return nil, err
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	os, err := s.acc.Officers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(os))
	for _, o := range os {
		out = append(out, accountOf(o))
	}
	if err := s.withLinks(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Change is a change of an account; nil fields stay.
type Change struct {
	Role     *Role
	Disabled *bool
}

// Update changes officer id (ActManage). A role change or disabling the
// account ends its sessions at once; it returns how many.
func (s *Service) Update(ctx context.Context, by Actor, id string, ch Change) (Account, int, error) {
	if err := by.Can(ActManage); err != nil {
		return Account{}, 0, err
	}
	if err := s.ready(); err != nil {
		return Account{}, 0, err
	}
	var sc store.OfficerChange
	if ch.Role != nil {
		if _, err := ParseRole(string(*ch.Role)); err != nil {
			return Account{}, 0, err
		}
		r := string(*ch.Role)
		sc.Role = &r
	}
	sc.Disabled = ch.Disabled
	if by.ID == id && (ch.Disabled != nil && *ch.Disabled || ch.Role != nil && *ch.Role != RoleAdmin) {
		return Account{}, 0, fmt.Errorf("%w: an administrator cannot disable or demote their own account (ask another administrator)", ErrInvalid)
	}
	o, n, err := s.acc.UpdateOfficer(ctx, id, sc, s.now())
	if err != nil {
		return Account{}, 0, err
	}
	acc := []Account{accountOf(o)}
	if err := s.withLinks(ctx, acc); err != nil {
		return Account{}, 0, err
	}
	return acc[0], n, nil
}

// Authenticate returns the actor a bearer credential stands for: the
// bootstrap administrator's token, a personal token (argon2id, at most
// ConcurrentHashes at once) or a session token. Anything else, a
// disabled officer or an ended session, is ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, tok string) (Actor, error) {
	switch {
	case tok == "":
		return Actor{}, ErrUnauthenticated
	case IsSessionToken(tok):
		a, _, err := s.session(ctx, tok)
		return a, err
	case IsPersonalToken(tok):
		return s.personal(ctx, tok)
	case s.bootstrap != "" && tender.EqualTokenHash(tender.HashToken(tok), s.bootstrap):
		return bootstrap, nil
	}
	return Actor{}, ErrUnauthenticated
}

// IsBootstrap reports whether tok is the bootstrap administrator's token.
func (s *Service) IsBootstrap(tok string) bool {
	return tok != "" && s.bootstrap != "" && tender.EqualTokenHash(tender.HashToken(tok), s.bootstrap)
}

// dummyParams is hashed against when a personal token names no officer,
// so that an unknown id costs what a wrong token does.
var dummySalt = make([]byte, saltLen)

// personal checks a personal token.
func (s *Service) personal(ctx context.Context, tok string) (Actor, error) {
	id := TokenOfficer(tok)
	if s.acc == nil || id == "" {
		return Actor{}, ErrUnauthenticated
	}
	o, err := s.acc.Officer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.h.key(ctx, s.h.params, dummySalt, tok); err != nil {
			return Actor{}, err
		}
		return Actor{}, ErrUnauthenticated
	} else if errors.Is(err, store.ErrAccountTag) {
		return Actor{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	} else if err != nil {
		return Actor{}, err
	}
	ok, err := s.h.verify(ctx, tok, o.TokenHash, o.Params)
	if err != nil {
		return Actor{}, err
	}
	if !ok || o.Disabled {
		return Actor{}, ErrUnauthenticated
	}
	return Actor{ID: o.ID, Name: o.Name, Role: Role(o.Role), cred: tok}, nil
}

// session checks a session token: a stored, unrevoked, unexpired session
// of an enabled officer (or of the bootstrap administrator). It returns
// the actor and the session.
func (s *Service) session(ctx context.Context, tok string) (Actor, store.Session, error) {
	if s.acc == nil || len(tok) > 200 {
		return Actor{}, store.Session{}, ErrUnauthenticated
	}
	se, err := s.acc.Session(ctx, tender.HashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, se, ErrUnauthenticated
	} else if errors.Is(err, store.ErrAccountTag) {
		return Actor{}, se, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	} else if err != nil {
		return Actor{}, se, err
	}
	if se.Revoked != nil || !s.now().Before(se.Expires) {
		return Actor{}, se, ErrUnauthenticated
	}
	if strings.HasPrefix(se.OfficerID, BootstrapID+"@") {
		// Only while the bootstrap token is the one signed in with.
		if s.bootstrap == "" || se.OfficerID != s.bootstrapSessionID() {
			return Actor{}, se, ErrUnauthenticated
		}
		return bootstrap, se, nil
	}
	o, err := s.acc.Officer(ctx, se.OfficerID)
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, se, ErrUnauthenticated
	} else if errors.Is(err, store.ErrAccountTag) {
		return Actor{}, se, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	} else if err != nil {
		return Actor{}, se, err
	}
	if o.Disabled {
		return Actor{}, se, ErrUnauthenticated
	}
	return Actor{ID: o.ID, Name: o.Name, Role: Role(o.Role)}, se, nil
}

// bootstrapSessionID is the officer_id of the bootstrap administrator's
// sessions: "officer@" and 16 hex digits of the SHA-256 of the bootstrap
// token's hash, so that changing FOOTPRINT_OFFICER_TOKEN ends them (no
// account id contains "@").
func (s *Service) bootstrapSessionID() string {
	return BootstrapID + "@" + tender.HashToken(s.bootstrap)[:16]
}

// SignedIn is the outcome of SignIn.
type SignedIn struct {
	Actor Actor
	// Token is the session token ("fps.…"), handed out once: the web
	// pages' cookie, or a bearer token for the API.
	Token   string
	Expires time.Time
}

// SignIn checks a credential — a personal token, or the bootstrap
// administrator's token (with id "" or BootstrapID) — and starts a
// server-side session of SessionTTL. id, when given, must be the officer
// the token belongs to.
func (s *Service) SignIn(ctx context.Context, id, tok string) (SignedIn, error) {
	if err := s.ready(); err != nil {
		return SignedIn{}, err
	}
	var a Actor
	switch {
	case IsPersonalToken(tok):
		var err error
		if a, err = s.personal(ctx, tok); err != nil {
			return SignedIn{}, err
		}
	case s.IsBootstrap(tok):
		a = bootstrap
	default:
		return SignedIn{}, ErrUnauthenticated
	}
	if id != "" && id != a.ID {
		return SignedIn{}, ErrUnauthenticated
	}
	return s.startSession(ctx, a)
}

// startSession starts a server-side session of SessionTTL for a, which
// has authenticated (SignIn, SignInOIDC).
func (s *Service) startSession(ctx context.Context, a Actor) (SignedIn, error) {
	secret, err := newSecret()
	if err != nil {
		return SignedIn{}, err
	}
	token := sessionPrefix + secret
	now := tender.Stamp(s.now())
	exp := now.Add(SessionTTL)
	owner := a.ID
	if a.ID == BootstrapID {
		owner = s.bootstrapSessionID()
	}
	if err := s.acc.CreateSession(ctx, store.Session{IDHash: tender.HashToken(token), OfficerID: owner, Created: now, Expires: exp}); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Actor: a, Token: token, Expires: exp}, nil
}

// Session returns the actor of a live session token (ErrUnauthenticated
// for an unknown, ended or expired one).
func (s *Service) Session(ctx context.Context, tok string) (Actor, error) {
	if !IsSessionToken(tok) {
		return Actor{}, ErrUnauthenticated
	}
	a, _, err := s.session(ctx, tok)
	return a, err
}

// SignOut ends the session of token tok at once (ErrUnauthenticated when
// it is no live session).
func (s *Service) SignOut(ctx context.Context, tok string) error {
	if _, err := s.Session(ctx, tok); err != nil {
		return err
	}
	return s.acc.RevokeSession(ctx, tender.HashToken(tok), s.now())
}

// ShareKey is the fingerprint (tender.KeyFingerprint) of officer id's
// share key, to compare with the key a tender lists for the officer's
// share; "" for the bootstrap administrator, the command line, an
// account without one, or when it cannot be read.
func (s *Service) ShareKey(ctx context.Context, id string) string {
	if s.acc == nil || id == BootstrapID || id == CLIID {
		return ""
	}
	o, err := s.acc.Officer(ctx, id)
	if err != nil || o.ShareRecipient == "" {
		return ""
	}
	return tender.KeyFingerprint(o.ShareRecipient)
}
