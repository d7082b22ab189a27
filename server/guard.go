package server

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/officers"
)

// Limits on failed credential guesses (docs/api.md "Limits",
// docs/tenders.md "Security").
//
// A failure is a credential presented and refused: a bearer token on a
// tender route that is neither the officer token nor the bid token it
// claims to be, or a wrong token posted to the web sign-in form. A
// missing credential is not a guess, and a valid one on the wrong thing
// (403) is not a failure. Failures are counted in fixed windows, per
// client address and per target (what the guess was about):
//
//   - an address with PerAddress failures in a window gets 429 with
//     Retry-After on every credential it presents until the window that
//     began with its first failure has passed; the credential is not
//     checked meanwhile, so the 429 tells nothing about it. Other
//     addresses are unaffected.
//   - a target with PerTarget failures in a window (from any addresses)
//     is closed to every address that has failed in the current window:
//     each other address may still present a credential, and is checked
//     (so the officer signing in from a clean address still can), but its
//     first failure closes it too. A botnet of many addresses therefore
//     gets about one guess per address per window once a target is under
//     attack, and the officer is never locked out by others' guesses.
//
// Targets: "officer" (the officer token: on officer routes, on bid routes,
// which take it too, and on the sign-in form) and one per bid
// ("bid:<tender>/<bid>", the bid a token claims or the URL names).
//
// An IPv6 address is counted by its /64 prefix, which one host usually
// holds whole. Behind a reverse proxy every client has the proxy's
// address: run serve where it sees its clients' addresses.
//
// Memory is bounded: each of the two tables (addresses, targets) holds at
// most MaxEntries entries; a new entry beyond it evicts the one whose last
// failure is oldest, and entries whose window has passed are dropped.

// Defaults of GuessLimits: 10 failures a minute per address (a person who
// mistypes a token a few times is never stopped), 50 a minute per target,
// and 10,000 entries per table (about 2 MB at most).
const (
	DefaultGuessesPerAddress = 10
	DefaultGuessesPerTarget  = 50
	DefaultGuessWindow       = time.Minute
	DefaultGuessEntries      = 10000
)

// GuessLimits configures the limits on failed credential guesses; a zero
// field takes its default.
type GuessLimits struct {
	// PerAddress is the most failures one client address may have in a
	// window (DefaultGuessesPerAddress).
	PerAddress int
	// PerTarget is the most failures on one target, from any addresses,
	// in a window (DefaultGuessesPerTarget).
	PerTarget int
	// Window is the length of a counting window (DefaultGuessWindow).
	Window time.Duration
	// MaxEntries bounds each table, addresses and targets
	// (DefaultGuessEntries).
	MaxEntries int
	// Now is the limiter's clock; nil means time.Now. Tests inject one.
	Now func() time.Time
}

// errTooManyGuesses is a credential refused unchecked because its address
// or its target has had too many failures (429, with Retry-After).
var errTooManyGuesses = fmt.Errorf("too many failed credentials")

// Kinds of credential failures, as logged.
const (
	guessOfficer = "officer-token"
	guessBid     = "bid-token"
	guessSignIn  = "sign-in"
)

// targetOfficer is the target of every guess at the officer token.
const targetOfficer = "officer"

// bidTarget is the target of a guess at the token of bid bidID of tender
// tenderID.
func bidTarget(tenderID, bidID string) string { return "bid:" + tenderID + "/" + bidID }

// guessLimiter counts failed credentials; one per Server.
type guessLimiter struct {
	mu      sync.Mutex
	lim     GuessLimits
	addrs   guessTable
	targets guessTable
	log     *slog.Logger
}

// guessTable is a bounded table of failure counts, ordered by last
// failure (front: most recent).
type guessTable struct {
	max     int
	entries map[string]*list.Element
	order   list.List
}

// guessEntry counts the failures of one key in the window that began at
// start.
type guessEntry struct {
	key   string
	start time.Time
	last  time.Time
	n     int
}

func newGuessLimiter(lim GuessLimits, log *slog.Logger) (*guessLimiter, error) {
	if lim.PerAddress < 0 || lim.PerTarget < 0 || lim.Window < 0 || lim.MaxEntries < 0 {
		return nil, fmt.Errorf("server: GuessLimits must not be negative")
	}
	if lim.PerAddress == 0 {
		lim.PerAddress = DefaultGuessesPerAddress
	}
	if lim.PerTarget == 0 {
		lim.PerTarget = DefaultGuessesPerTarget
	}
	if lim.Window == 0 {
		lim.Window = DefaultGuessWindow
	}
	if lim.MaxEntries == 0 {
		lim.MaxEntries = DefaultGuessEntries
	}
	if lim.Now == nil {
		lim.Now = time.Now
	}
	return &guessLimiter{lim: lim, log: log,
		addrs:   guessTable{max: lim.MaxEntries, entries: map[string]*list.Element{}},
		targets: guessTable{max: lim.MaxEntries, entries: map[string]*list.Element{}}}, nil
}

// live returns the entry of key when its window has not passed.
func (t *guessTable) live(key string, now time.Time, window time.Duration) *guessEntry {
	el, ok := t.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*guessEntry)
	if !now.Before(e.start.Add(window)) {
		t.order.Remove(el)
		delete(t.entries, key)
		return nil
	}
	return e
}

// add counts one failure of key and returns its entry.
func (t *guessTable) add(key string, now time.Time, window time.Duration) *guessEntry {
	// Drop entries whose window has passed, oldest first; then make room.
	for back := t.order.Back(); back != nil; back = t.order.Back() {
		e := back.Value.(*guessEntry)
		if now.Before(e.last.Add(window)) && now.Before(e.start.Add(window)) {
			break
		}
		t.order.Remove(back)
		delete(t.entries, e.key)
	}
	e := t.live(key, now, window)
	if e == nil {
		for len(t.entries) >= t.max {
			back := t.order.Back()
			t.order.Remove(back)
			delete(t.entries, back.Value.(*guessEntry).key)
		}
		e = &guessEntry{key: key, start: now}
		t.entries[key] = t.order.PushFront(e)
	} else {
		t.order.MoveToFront(t.entries[key])
	}
	e.n++
	e.last = now
	return e
}

// len is the number of entries (for tests).
func (t *guessTable) len() int { return len(t.entries) }

// clientAddr is the address failures are counted under: the IP of the
// connection's peer, an IPv6 one cut to its /64.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return clip.Prefix(host)
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// allow is called before a presented credential is checked. It answers
// errTooManyGuesses (and sets Retry-After) when the request's address is
// over its limit, or when one of targets is over its limit and the
// address has failed in the current window.
func (g *guessLimiter) allow(w http.ResponseWriter, r *http.Request, targets ...string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now, win := g.lim.Now(), g.lim.Window
	a := g.addrs.live(clientAddr(r), now, win)
	if a != nil && a.n >= g.lim.PerAddress {
		return g.refuse(w, a.start.Add(win).Sub(now), fmt.Sprintf("%d wrong credentials came from your address within %s", a.n, win))
	}
	if a == nil {
		return nil // a clean address is always checked
	}
	for _, tg := range targets {
		if e := g.targets.live(tg, now, win); e != nil && e.n >= g.lim.PerTarget {
			return g.refuse(w, e.start.Add(win).Sub(now), fmt.Sprintf("this credential has had %d wrong guesses within %s, and your address is one of those that guessed wrong", e.n, win))
		}
	}
	return nil
}

// refuse sets Retry-After (whole seconds, at least 1) and returns the 429.
func (g *guessLimiter) refuse(w http.ResponseWriter, left time.Duration, why string) error {
	secs := int((left + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &httpError{err: errTooManyGuesses, detail: fmt.Sprintf("too many failed credentials: %s; the credential was not checked. Retry after %d seconds", why, secs)}
}

// fail counts a refused credential of kind (guessOfficer, guessBid,
// guessSignIn) against the request's address and targets, and logs it
// once: address, route, method and kind, never the credential.
func (g *guessLimiter) fail(r *http.Request, kind string, targets ...string) {
	g.failAs(r, kind, "", targets...)
}

// failAs is fail with the officer id a sign-in claimed (logged after the
// other attributes; "" for none).
func (g *guessLimiter) failAs(r *http.Request, kind, officer string, targets ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now, win := g.lim.Now(), g.lim.Window
	addr := clientAddr(r)
	a := g.addrs.add(addr, now, win)
	route := labelUnmatched
	if l, ok := r.Context().Value(routeKey{}).(*routeLabel); ok {
		route = l.route
	}
	attrs := []slog.Attr{slog.String("remote", clip.Prefix(r.RemoteAddr)), slog.String("address", addr), slog.String("route", route),
		slog.String("method", methodLabel(r.Method)), slog.String("kind", kind), slog.Int("failures", a.n)}
	if officer != "" {
		attrs = append(attrs, slog.String("officer", clip.Prefix(officer)))
	}
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "credential refused", attrs...)
	if a.n == g.lim.PerAddress {
		g.log.LogAttrs(r.Context(), slog.LevelWarn, "credential guesses limited: address", slog.String("address", addr),
			slog.Time("until", a.start.Add(win)))
	}
	for _, tg := range targets {
		if e := g.targets.add(tg, now, win); e.n == g.lim.PerTarget {
			g.log.LogAttrs(r.Context(), slog.LevelWarn, "credential guesses limited: target", slog.String("kind", kind),
				slog.Time("until", e.start.Add(win)))
		}
	}
}

// guessSignIn is the limiter's check of a sign-in (the web form or POST
// /v1/session): the address, the officer token, and the account named
// (by id, or by the personal token). An empty token is no guess.
func (s *Server) guessSignIn(w http.ResponseWriter, r *http.Request, id, token string) error {
	if token == "" {
		return nil
	}
	return s.guesses.allow(w, r, signInTargets(id, token)...)
}

// signInTargets are the targets of a sign-in's failures.
func signInTargets(id, token string) []string {
	t := officerTargets(token)
	if id != "" && len(t) == 1 {
		t = append(t, "officer:"+id)
	}
	return t
}

// signIn checks a sign-in's credential and starts a session; a refused
// one is counted by the limiter and logged (the officer id it claimed,
// never the token).
func (s *Server) signIn(r *http.Request, id, token string) (officers.SignedIn, error) {
	if token == "" || len(token) > MaxTokenLen {
		return officers.SignedIn{}, officers.ErrUnauthenticated
	}
	si, err := s.tenders.officers.SignIn(r.Context(), id, token)
	if errors.Is(err, officers.ErrUnauthenticated) {
		claimed := id
		if claimed == "" {
			claimed = officers.TokenOfficer(token)
		}
		s.guesses.failAs(r, guessSignIn, claimed, signInTargets(id, token)...)
	}
	return si, err
}
