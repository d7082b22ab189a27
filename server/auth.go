package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// Authentication of the tender routes (DESIGN "Tenders", docs/tenders.md
// "Security").
//
// Officers present the bootstrap administrator's token (one per server,
// compared by hash with Config.OfficerTokenHash), a named officer's
// personal token or a session token (package officers, officers_api.go);
// suppliers a bid token (one per bid, returned once at submission). A bid token is written
// "<bid_id>.<secret>": the store keeps tender.HashToken(secret) only, and
// the bid id in front lets the server find the one bid the token claims,
// so that a valid bid token presented on the wrong bid or on an officer
// route is recognised (403) rather than taken for a wrong one (401). A
// token without a "." is checked against the bid named in the URL.
//
// Statuses: no or a wrong credential is 401 with WWW-Authenticate: Bearer;
// a valid credential on the wrong thing is 403; a valid credential at the
// wrong time is 409 (the tender rules decide, see errors.go).

// OfficerTokenEnv is the environment variable holding the officers' token.
const OfficerTokenEnv = "FOOTPRINT_OFFICER_TOKEN"

// OfficerTokenSetting is the store setting that keeps the hash of a
// generated officer token.
const OfficerTokenSetting = "officer_token_hash"

// MaxTokenLen bounds a presented bearer token; longer ones are refused
// before they are hashed.
const MaxTokenLen = 512

// Errors of authentication, mapped in errors.go.
var (
	// errUnauthorized: no credential, or not a valid one (401).
	errUnauthorized = errors.New("unauthorized")
	// errForbidden: a valid credential for something else (403).
	errForbidden = errors.New("forbidden")
)

// OfficerToken returns the hash of the officers' bearer token, and the
// token itself when it had to be generated (so that `serve` prints it
// once; it is never stored). In order: the token in FOOTPRINT_OFFICER_TOKEN
// (hashed here; the setting is left alone), else the hash kept in the
// store's "officer_token_hash" setting, else a new token (tender.NewToken)
// whose hash is stored. getenv is os.Getenv in production. With the key
// file's vault v, a stored hash must carry its tag (made when it was
// stored, or at the first start with the key file): a hash a database
// writer put in its place is ErrOfficerTokenReplaced, not a credential.
func OfficerToken(ctx context.Context, st store.Store, getenv func(string) string, v Vault) (hash, generated string, err error) {
	if tok := getenv(OfficerTokenEnv); tok != "" {
		if err := CheckOfficerToken(tok); err != nil {
			return "", "", err
		}
		return tender.HashToken(tok), "", nil
	}
	if st == nil {
		return "", "", fmt.Errorf("no %s and no database to keep a generated token in", OfficerTokenEnv)
	}
	if h, ok, err := st.Setting(ctx, OfficerTokenSetting); err != nil {
		return "", "", fmt.Errorf("reading the officer token hash: %w", err)
	} else if ok && h != "" {
		if v == nil {
			return h, "", nil
		}
		tag, tagged, err := st.Setting(ctx, officerTokenTagSetting)
		switch {
		case err != nil:
			return "", "", fmt.Errorf("reading the officer token hash's tag: %w", err)
		case !tagged:
			// Stored before the key file vouched for it: trusted now, on
			// first use with the key file, and tagged from now on.
			if err := st.SetSetting(ctx, officerTokenTagSetting, v.Tag(officerTokenTagLabel, h)); err != nil {
				return "", "", fmt.Errorf("storing the officer token hash's tag: %w", err)
			}
		case !v.CheckTag(officerTokenTagLabel, h, tag):
			return "", "", fmt.Errorf("%w: the stored officer token hash is not the one the key file vouched for (someone wrote the database); set %s to choose the token, or restore the database", ErrOfficerTokenReplaced, OfficerTokenEnv)
		}
		return h, "", nil
	}
	tok, err := tender.NewToken()
	if err != nil {
		return "", "", err
	}
	h := tender.HashToken(tok)
	if err := st.SetSetting(ctx, OfficerTokenSetting, h); err != nil {
		return "", "", fmt.Errorf("storing the officer token hash: %w", err)
	}
	if v != nil {
		if err := st.SetSetting(ctx, officerTokenTagSetting, v.Tag(officerTokenTagLabel, h)); err != nil {
			return "", "", fmt.Errorf("storing the officer token hash's tag: %w", err)
		}
	}
	return h, tok, nil
}

// ErrOfficerTokenReplaced marks a stored officer token hash that its tag
// (made with the key file) does not vouch for.
var ErrOfficerTokenReplaced = errors.New("officer token hash replaced")

// The setting that keeps the officer token hash's tag (seal.Keys.Tag
// under officerTokenTagLabel), so that a database writer who puts the
// hash of a token of theirs in its place is found at the next start.
const (
	officerTokenTagSetting = "officer_token_hash_tag"
	officerTokenTagLabel   = "officer-token-hash"
)

// MinOfficerTokenBits is the least entropy, as TokenBits estimates it, of
// an officer token chosen in FOOTPRINT_OFFICER_TOKEN: 128 bits, what no
// guessing at any rate the server allows can reach.
const MinOfficerTokenBits = 128

// makeTokenHint says how to make a good token, for messages.
const makeTokenHint = "make one with `openssl rand -base64 32` (or `openssl rand -hex 16`), or unset " + OfficerTokenEnv + " and serve generates one at its first start and prints it once"

// TokenBits estimates the entropy of a token in bits, assuming its
// characters were drawn at random: its length times log2 of the size of
// its alphabet, which is 10 for digits only, 16 for hexadecimal (digits
// and a–f, or digits and A–F), and otherwise the sum of the classes it
// uses: lower-case letters (26), upper-case letters (26), digits (10),
// other visible ASCII characters (32). So 32 hex digits give 128 bits, 22
// characters of base64 (letters of both cases and digits) 131, and the
// 43 of a generated token 256. It cannot see that a long token is a
// phrase: it catches tokens that are short or drawn from few characters.
func TokenBits(tok string) float64 {
	var lower, upper, digit, other bool
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	pool := 0
	switch {
	case digit && !lower && !upper && !other:
		pool = 10
	case !other && !(lower && upper) && isHex(tok):
		pool = 16
	default:
		for _, c := range []struct {
			used bool
			n    int
		}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 32}} {
			if c.used {
				pool += c.n
			}
		}
	}
	if pool == 0 {
		return 0
	}
	return float64(len(tok)) * math.Log2(float64(pool))
}

// isHex reports whether s is hexadecimal digits only (either case).
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// CheckOfficerToken refuses an officer token that cannot serve: longer
// than MaxTokenLen, with characters other than visible ASCII (a bearer
// token travels in a header), or weaker than MinOfficerTokenBits by
// TokenBits. The message says how to make a good one and never repeats
// the token.
func CheckOfficerToken(tok string) error {
	if len(tok) > MaxTokenLen {
		return fmt.Errorf("%s: %d bytes; give at most %d (a generated token has 43); %s", OfficerTokenEnv, len(tok), MaxTokenLen, makeTokenHint)
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 0x21 || tok[i] > 0x7e {
			return fmt.Errorf("%s: byte %d is not a visible ASCII character (no spaces, control characters or non-ASCII letters in a bearer token); %s", OfficerTokenEnv, i+1, makeTokenHint)
		}
	}
	if bits := TokenBits(tok); bits < MinOfficerTokenBits {
		return fmt.Errorf("%s is too weak: %d characters give about %.0f bits of entropy by their length and alphabet, and at least %d are needed (e.g. 32 hex digits, or 22 letters and digits); %s",
			OfficerTokenEnv, len(tok), bits, MinOfficerTokenBits, makeTokenHint)
	}
	return nil
}

// bidToken is the bid token handed to the supplier.
func bidToken(bidID, secret string) string { return bidID + "." + secret }

// bearer returns the bearer token of a request, or "" when there is none
// (or it is not a usable one: too long, or of another scheme).
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	tok = strings.TrimSpace(tok)
	if len(tok) > MaxTokenLen {
		return ""
	}
	return tok
}

// unauthorized sets WWW-Authenticate (RFC 6750) and returns the 401 error.
// The same answer is given for a missing and for a wrong token, whatever
// the token claimed, so that it tells nothing about which bids exist.
func unauthorized(w http.ResponseWriter, presented bool, detail string) error {
	v := `Bearer realm="footprint"`
	if presented {
		v += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", v)
	return &httpError{err: errUnauthorized, detail: detail}
}

// isOfficer reports whether tok is the officers' token, in constant time.
// With no officer token configured, nothing is.
func (d *tenderDeps) isOfficer(tok string) bool {
	if tok == "" || d.officerHash == "" {
		return false
	}
	return tender.EqualTokenHash(tender.HashToken(tok), d.officerHash)
}

// dummyHash is compared against when a token names no stored bid, so that
// an unknown bid costs the same as a wrong token on a known one: the same
// length as a stored hash, so that the comparison does the same work.
const dummyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // tender.HashToken("")

// bidHolder reports which bid of tender tenderID the token tok is valid
// for: the bid it names (its id before the last "."), or urlBid for a
// token without one. It returns "" when the token is valid for no bid.
// The same work is done whether or not the bid exists, whatever its
// size: one narrow store read (the token hash alone, never the bid's
// lines), one hash and one constant-time comparison of equal lengths.
func (d *tenderDeps) bidHolder(ctx context.Context, tenderID, urlBid, tok string) (string, error) {
	claimed, secret := urlBid, tok
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		claimed, secret = tok[:i], tok[i+1:]
	}
	if claimed == "" || secret == "" || len(claimed) > MaxIDLen {
		tender.EqualTokenHash(tender.HashToken(secret), dummyHash)
		return "", nil
	}
	h, err := d.store.BidTokenHash(ctx, tenderID, claimed)
	found := err == nil
	switch {
	case errors.Is(err, store.ErrNotFound):
		h = dummyHash
	case err != nil:
		return "", err
	}
	if !tender.EqualTokenHash(tender.HashToken(secret), h) || !found {
		return "", nil
	}
	return claimed, nil
}

// requireOfficer lets an officer through and returns who it is: the
// bootstrap administrator (FOOTPRINT_OFFICER_TOKEN), a named officer by
// personal token, or a session token (POST /v1/session). The role is
// checked by the use cases (package tenders, officers), which answer 403.
// A valid bid token of this tender (tenderID, "" on routes of no tender)
// is 403: the credential is right, the route is not for it; anything
// else is 401.
//
// A presented token is first allowed by the guess limiter (429 when its
// address, the officer token, or the account a personal token names has
// had too many failures; guard.go), and a refused one is counted there.
func (s *Server) requireOfficer(w http.ResponseWriter, r *http.Request, tenderID string) (officers.Actor, error) {
	tok := bearer(r)
	if tok == "" {
		return officers.Actor{}, unauthorized(w, false, "this route is for officers: send Authorization: Bearer <officer token>")
	}
	targets := officerTargets(tok)
	if err := s.guesses.allow(w, r, targets...); err != nil {
		return officers.Actor{}, err
	}
	a, err := s.tenders.officers.Authenticate(r.Context(), tok)
	if err == nil {
		return a, nil
	}
	if !errors.Is(err, officers.ErrUnauthenticated) {
		return officers.Actor{}, err
	}
	if tenderID != "" && strings.Contains(tok, ".") && !officers.IsPersonalToken(tok) && !officers.IsSessionToken(tok) {
		holder, err := s.tenders.bidHolder(r.Context(), tenderID, "", tok)
		if err != nil {
			return officers.Actor{}, err
		}
		if holder != "" {
			return officers.Actor{}, &httpError{err: errForbidden, detail: "a bid token gives access to its own bid only; this route is for officers (send the officer token)"}
		}
	}
	s.guesses.fail(r, guessOfficer, targets...)
	return officers.Actor{}, unauthorized(w, true, "this route is for officers: send Authorization: Bearer <officer token>")
}

// officerTargets are the guess-limiter targets of an officer credential:
// the officer token's, and for a personal token the account it names
// ("officer:<id>"), so that failures are limited per account too.
func officerTargets(tok string) []string {
	if id := officers.TokenOfficer(tok); id != "" && len(id) <= 64 {
		return []string{targetOfficer, "officer:" + id}
	}
	return []string{targetOfficer}
}

// caller is who presented a credential on a bid route.
type caller struct {
	officer bool
	// bid is the bid the bid token is valid for (may differ from the URL's).
	bid string
	// secret is the bid token's secret: before a committee's opening the
	// bid's content opens with it alone.
	secret string
}

// identify authenticates the caller of a bid route (tender tenderID, bid
// bidID of the URL): an officer, or the holder of a valid bid token. A
// missing or invalid token is 401, identical whether or not the bid
// exists. A presented token is first allowed by the guess limiter, on the
// targets of the bid it claims and of the officer token (both routes take
// both), and a refused one is counted against both.
func (s *Server) identify(w http.ResponseWriter, r *http.Request, tenderID, bidID string) (caller, error) {
	tok := bearer(r)
	if tok == "" {
		return caller{}, unauthorized(w, false, "send Authorization: Bearer <bid token> (the token returned when the bid was submitted) or the officer token")
	}
	targets := []string{bidTarget(tenderID, claimedBid(tok, bidID)), targetOfficer}
	if err := s.guesses.allow(w, r, targets...); err != nil {
		return caller{}, err
	}
	if officers.IsPersonalToken(tok) || officers.IsSessionToken(tok) || s.tenders.isOfficer(tok) {
		if _, err := s.tenders.officers.Authenticate(r.Context(), tok); err == nil {
			return caller{officer: true}, nil
		} else if !errors.Is(err, officers.ErrUnauthenticated) {
			return caller{}, err
		}
		s.guesses.fail(r, guessOfficer, targets...)
		return caller{}, unauthorized(w, true, "the token is not valid for this bid; send the bid token returned at submission")
	}
	holder, err := s.tenders.bidHolder(r.Context(), tenderID, bidID, tok)
	if err != nil {
		return caller{}, err
	}
	if holder == "" {
		s.guesses.fail(r, guessBid, targets...)
		return caller{}, unauthorized(w, true, "the token is not valid for this bid; send the bid token returned at submission")
	}
	secret := tok
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		secret = tok[i+1:]
	}
	return caller{bid: holder, secret: secret}, nil
}

// claimedBid is the bid a token names (its part before the last "."), or
// urlBid for a token without one or with an overlong claim: the target
// its failures are counted against.
func claimedBid(tok, urlBid string) string {
	if i := strings.LastIndexByte(tok, '.'); i > 0 && i <= MaxIDLen {
		return tok[:i]
	}
	return urlBid
}

// PersonalTokenHeader carries an officer's personal token on POST
// …/open and …/approvals when the request is authenticated otherwise (a
// session): approving the opening of a tender in committee custody
// releases the officer's key share, which only that token unlocks.
const PersonalTokenHeader = "Footprint-Personal-Token"

// withPersonalToken gives who the personal token tok ("": none given, who
// is returned as it is) after checking it as a credential — guess-limited
// and logged like any other — and that it is who's own (403 otherwise).
func (s *Server) withPersonalToken(w http.ResponseWriter, r *http.Request, who officers.Actor, tok string) (officers.Actor, error) {
	if tok == "" {
		return who, nil
	}
	if len(tok) > MaxTokenLen || !officers.IsPersonalToken(tok) {
		return who, &httpError{err: errBadParameter, detail: "the personal token is not of the form fpo.<officer id>.<secret>",
			fields: []FieldError{{Parameter: PersonalTokenHeader, Detail: "give your personal token, fpo.<officer id>.<secret>"}}}
	}
	targets := officerTargets(tok)
	if err := s.guesses.allow(w, r, targets...); err != nil {
		return who, err
	}
	a, err := s.tenders.officers.Authenticate(r.Context(), tok)
	if errors.Is(err, officers.ErrUnauthenticated) {
		s.guesses.fail(r, guessOfficer, targets...)
		return who, unauthorized(w, true, "the personal token given to unlock your key share is not valid")
	} else if err != nil {
		return who, err
	}
	if a.ID != who.ID {
		return who, &httpError{err: errForbidden, detail: "the personal token given is another officer's: each opener unlocks their own key share"}
	}
	return a, nil
}
