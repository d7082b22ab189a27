package server

// Single sign-on through OpenID Connect (docs/tenders.md "Single
// sign-on"; serve --oidc-issuer … --oidc-client-id …).
//
// GET /officer/oidc/start sends the browser to the provider with the
// authorization-code flow: a random state and nonce and a PKCE S256
// verifier, kept for OIDCFlowTTL in a cookie the server seals (AES-GCM
// under a key derived from the session key), so that nothing is kept
// per browser on the server and several servers sharing one database
// accept each other's flows. GET /officer/oidc/callback checks the state
// against the cookie (the cookie is then cleared: a flow is used once),
// exchanges the code with the verifier, verifies the ID token with
// go-oidc (signature by the provider's published keys, issuer, audience,
// expiry), checks its nonce, and asks package officers for the account
// linked to the token's (issuer, subject). A linked, enabled account gets
// the same server-side session and cookie as a personal-token sign-in; an
// unknown identity is refused (401), logged without any token and counted
// as a failure of the address by the sign-in limiter. Accounts are never
// made from what a provider says.
//
// The session cookie is SameSite=Strict, which a browser does not send on
// the redirects that follow a navigation started at another site (the
// provider). The callback therefore answers with a page of its own that
// moves on to /tenders (a meta refresh, and a link without it): that
// navigation starts at this site, so the cookie goes with it.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/officers"
)

// OIDCConfig configures single sign-on through an OpenID Connect
// provider (Config.OIDC).
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, exactly as its discovery
	// document and its ID tokens give it.
	Issuer string
	// ClientID and ClientSecret are this server's registration at the
	// provider (a public client with PKCE alone has no secret).
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back: this
	// server's /officer/oidc/callback, as registered at the provider.
	RedirectURL string
	// HTTPClient talks to the provider (discovery, keys, the token
	// exchange); nil means a client with OIDCTimeout and responses
	// bounded to MaxOIDCResponse.
	HTTPClient *http.Client
}

// Limits of single sign-on.
const (
	// OIDCTimeout bounds each call to the provider (discovery, its keys,
	// the token exchange).
	OIDCTimeout = 10 * time.Second
	// OIDCFlowTTL is how long a started sign-in may take at the provider.
	OIDCFlowTTL = 10 * time.Minute
	// MaxOIDCResponse bounds a response of the provider (bytes).
	MaxOIDCResponse = 1 << 20
	// OIDCCallbackPath is the callback route; a RedirectURL must end with
	// it.
	OIDCCallbackPath = "/officer/oidc/callback"
	// oidcFlowCookie keeps a started flow's state, nonce and verifier.
	oidcFlowCookie = "footprint_oidc"
	// guessOIDC is the kind of a refused single sign-on, as logged.
	guessOIDC = "oidc"
)

// Bounds of the callback's query parameters (bytes).
var oidcParamLimits = map[string]int{
	"state": 128, "code": 4096, "iss": officers.MaxIssuerLen, "error": 128,
	"error_description": 1024, "error_uri": 1024, "session_state": 512, "scope": 1024, "authuser": 16, "prompt": 64,
}

// errOIDCConfig marks a bad OIDCConfig.
var errOIDCConfig = errors.New("single sign-on configuration")

// oidcRP is the relying party: the configuration, checked once, and the
// provider, discovered at the first sign-in (a provider down at start
// does not stop the server; personal tokens keep working) and kept.
type oidcRP struct {
	cfg    OIDCConfig
	client *http.Client

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// CheckOIDCConfig checks an OIDCConfig: an issuer URL, a client id, and
// a redirect URL that is an absolute http(s) URL ending in
// OIDCCallbackPath.
func CheckOIDCConfig(c OIDCConfig) error {
	if err := officers.CheckIssuer(c.Issuer); err != nil {
		return fmt.Errorf("%w: issuer: %w", errOIDCConfig, err)
	}
	if c.ClientID == "" || len(c.ClientID) > 512 {
		return fmt.Errorf("%w: give the client id this server is registered with at the provider", errOIDCConfig)
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		!strings.HasSuffix(u.Path, OIDCCallbackPath) {
		return fmt.Errorf("%w: redirect URL %q: the absolute URL of this server's %s, as registered at the provider", errOIDCConfig, clip.Text(c.RedirectURL), OIDCCallbackPath)
	}
	return nil
}

func newOIDC(c *OIDCConfig) (*oidcRP, error) {
	if c == nil {
		return nil, nil
	}
	if err := CheckOIDCConfig(*c); err != nil {
		return nil, err
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: OIDCTimeout, Transport: boundedTransport{http.DefaultTransport}}
	}
	return &oidcRP{cfg: *c, client: client}, nil
}

// boundedTransport cuts every response body at MaxOIDCResponse bytes.
type boundedTransport struct{ rt http.RoundTripper }

func (b boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, MaxOIDCResponse), resp.Body}
	return resp, nil
}

// providerCtx bounds a call to the provider and gives it the client.
func (o *oidcRP) providerCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, OIDCTimeout)
	return oidc.ClientContext(ctx, o.client), cancel
}

// ready discovers the provider once (OIDCTimeout) and returns the OAuth
// 2.0 configuration and the ID token verifier.
func (o *oidcRP) ready(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	ctx, cancel := o.providerCtx(ctx)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discovering the provider %s: %w", clip.Text(o.cfg.Issuer), err)
	}
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	return o.oauth, o.verifier, nil
}

// oidcFlow is what the flow cookie seals.
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
}

// flowAEAD is the cipher of the flow cookie: AES-256-GCM under a key
// derived from the session key.
func (s *Server) flowAEAD(ctx context.Context) (cipher.AEAD, error) {
	key, err := s.tw.sessionKey(ctx)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("footprint-oidc-flow-v1"))
	b, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

const flowAD = "footprint_oidc flow"

func (s *Server) sealFlow(ctx context.Context, f oidcFlow) (string, error) {
	aead, err := s.flowAEAD(ctx)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(flowAD))), nil
}

// errFlow is a flow cookie that is missing, altered or expired.
var errFlow = errors.New("no sign-in in progress in this browser")

func (s *Server) openFlow(ctx context.Context, r *http.Request) (oidcFlow, error) {
	var f oidcFlow
	c, err := r.Cookie(oidcFlowCookie)
	if err != nil || len(c.Value) > 1024 {
		return f, errFlow
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return f, errFlow
	}
	aead, err := s.flowAEAD(ctx)
	if err != nil {
		return f, err
	}
	if len(raw) < aead.NonceSize() {
		return f, errFlow
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(flowAD))
	if err != nil || json.Unmarshal(plain, &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return oidcFlow{}, errFlow
	}
	if time.Now().Unix() > f.Expires {
		return oidcFlow{}, errFlow
	}
	return f, nil
}

// flowCookie is the flow cookie with value v (MaxAge < 0 clears it). It is
// SameSite=Lax: the provider's redirect back is a navigation from another
// site, on which a Strict cookie is not sent.
func flowCookie(r *http.Request, v string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: oidcFlowCookie, Value: v, Path: "/officer/oidc/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil}
}

func randomText() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// noSSO answers the single sign-on routes of a server without it.
func (s *Server) noSSO(w http.ResponseWriter, r *http.Request) error {
	return s.message(w, s.tw.session(r), http.StatusNotFound, "Single sign-on is not set up",
		"This server has no single sign-on. Sign in with your officer id and personal token.")
}

// ssoUnavailable answers when the provider cannot be reached or answers
// what it should not (502); err is logged, never shown.
func (s *Server) ssoUnavailable(w http.ResponseWriter, r *http.Request, what string, err error) error {
	s.log.LogAttrs(r.Context(), slog.LevelError, "single sign-on failed", slog.String("step", what), slog.String("err", clip.Text(err.Error())))
	return s.message(w, nil, http.StatusBadGateway, "Single sign-on is unavailable",
		"The single sign-on service could not be reached or gave an answer this server cannot use ("+what+"). Try again later, or sign in with your officer id and personal token.")
}

// getOIDCStart answers GET /officer/oidc/start: the flow cookie, then a
// redirect to the provider.
func (s *Server) getOIDCStart(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return s.noSSO(w, r)
	}
	if ok, err := s.needStore(w); !ok {
		return err
	}
	conf, _, err := s.oidc.ready(r.Context())
	if err != nil {
		return s.ssoUnavailable(w, r, "discovery", err)
	}
	f := oidcFlow{Verifier: oauth2.GenerateVerifier(), Expires: time.Now().Add(OIDCFlowTTL).Unix()}
	if f.State, err = randomText(); err != nil {
		return err
	}
	if f.Nonce, err = randomText(); err != nil {
		return err
	}
	sealed, err := s.sealFlow(r.Context(), f)
	if err != nil {
		return err
	}
	http.SetCookie(w, flowCookie(r, sealed, int(OIDCFlowTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, conf.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusSeeOther)
	return nil
}

// ssoRefused answers 401 with the sign-in page's words for why.
func (s *Server) ssoRefused(w http.ResponseWriter, msg string) error {
	return s.message(w, nil, http.StatusUnauthorized, "Single sign-on refused", msg)
}

// ssoBadRequest answers 400 (a callback without a flow, with a wrong
// state, or with parameters out of bounds).
func (s *Server) ssoBadRequest(w http.ResponseWriter, msg string) error {
	return s.message(w, nil, http.StatusBadRequest, "Sign-in could not be completed", msg)
}

// getOIDCCallback answers GET /officer/oidc/callback (see the top of
// this file).
func (s *Server) getOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return s.noSSO(w, r)
	}
	if ok, err := s.needStore(w); !ok {
		return err
	}
	const again = " Start again from the sign-in page."
	if len(r.URL.RawQuery) > 8192 {
		return s.ssoBadRequest(w, "The address the sign-in service sent you back with is too long."+again)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return s.ssoBadRequest(w, "The address the sign-in service sent you back with does not parse."+again)
	}
	for k, vs := range q {
		limit, known := oidcParamLimits[k]
		if !known {
			limit = 256
		}
		if len(vs) > 1 || len(vs) == 1 && len(vs[0]) > limit {
			return s.ssoBadRequest(w, fmt.Sprintf("The parameter %q of the sign-in service's answer is repeated or longer than %d bytes.", clip.Text(k), limit)+again)
		}
	}
	// A flow is used once, whatever its outcome.
	http.SetCookie(w, flowCookie(r, "", -1))
	f, err := s.openFlow(r.Context(), r)
	if errors.Is(err, errFlow) {
		return s.ssoBadRequest(w, "No single sign-on was started in this browser in the last "+OIDCFlowTTL.String()+" (or it was already completed)."+again)
	} else if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return s.ssoBadRequest(w, "The sign-in service's answer does not belong to the sign-in started in this browser (its state differs)."+again)
	}
	if iss := q.Get("iss"); iss != "" && iss != s.oidc.cfg.Issuer {
		return s.ssoBadRequest(w, fmt.Sprintf("The answer came from the issuer %q, not from this server's single sign-on provider.", clip.Text(iss))+again)
	}
	if e := q.Get("error"); e != "" {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "single sign-on: the provider did not sign in", slog.String("error", clip.Prefix(e)))
		return s.ssoRefused(w, fmt.Sprintf("The single sign-on service did not sign you in (it answered %q).", clip.Prefix(e))+again)
	}
	code := q.Get("code")
	if code == "" {
		return s.ssoBadRequest(w, "The sign-in service's answer carries no authorization code."+again)
	}
	if err := s.guesses.allow(w, r); err != nil {
		return err // 429 page (handlePage)
	}
	conf, verifier, err := s.oidc.ready(r.Context())
	if err != nil {
		return s.ssoUnavailable(w, r, "discovery", err)
	}
	ctx, cancel := s.oidc.providerCtx(r.Context())
	defer cancel()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "single sign-on: the provider refused the code", slog.String("error", clip.Prefix(re.ErrorCode)))
			return s.ssoRefused(w, "The single sign-on service refused this sign-in (its code may have been used already or expired)."+again)
		}
		return s.ssoUnavailable(w, r, "token exchange", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return s.ssoUnavailable(w, r, "token exchange", errors.New("the token response carries no id_token"))
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		s.guesses.failAs(r, guessOIDC, "")
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "single sign-on: ID token refused", slog.String("err", clip.Text(err.Error())))
		return s.ssoRefused(w, "The single sign-on service's answer did not verify (its ID token)."+again)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		s.guesses.failAs(r, guessOIDC, "")
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "single sign-on: ID token refused", slog.String("err", "nonce mismatch"))
		return s.ssoRefused(w, "The single sign-on service's answer does not belong to the sign-in started in this browser (its nonce differs)."+again)
	}
	si, err := s.tenders.officers.SignInOIDC(r.Context(), idt.Issuer, idt.Subject)
	switch {
	case errors.Is(err, officers.ErrNotLinked):
		s.guesses.failAs(r, guessOIDC, "")
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "single sign-on: no officer is linked", slog.String("issuer", clip.Text(idt.Issuer)), slog.String("subject", clip.Text(idt.Subject)))
		return s.ssoRefused(w, fmt.Sprintf("Your single sign-on identity (subject %q) is not linked to an officer account. Ask an administrator to link it to yours (footprint officers link ID --oidc-subject …, or PATCH /v1/officers/{id}).", clip.Text(idt.Subject)))
	case errors.Is(err, officers.ErrUnauthenticated):
		s.guesses.failAs(r, guessOIDC, "")
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "single sign-on: the linked account is disabled", slog.String("subject", clip.Text(idt.Subject)))
		return s.ssoRefused(w, "The officer account linked to your single sign-on identity is disabled. Ask an administrator.")
	case err != nil:
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "single sign-on: signed in", slog.String("officer", si.Actor.ID))
	http.SetCookie(w, s.tw.newSessionCookie(r, si))
	p := s.tenderPage("Signed in", nil)
	p.Officer = si.Actor.Name
	return s.render(w, http.StatusOK, "tender-sso-done.html", p)
}
