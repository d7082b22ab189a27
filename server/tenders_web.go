package server

// Web pages for tenders (DESIGN "Tenders", issue 10 "Web pages").
//
// Officers sign in with their id and personal token (the bootstrap
// administrator with the officer token) and get a session cookie; every
// officer page needs it, and every form that changes state carries a
// per-session CSRF token. Suppliers need no account: the public notice
// carries the bid form, and the receipt shows the bid token once.
//
// The handlers are thin: they read forms and render pages, and call the
// use cases of package tenders (Server.svc), like the REST handlers, so
// that both edges apply the same rules. Exports for officers are served under the page paths with
// the session cookie (GET /tenders/{id}/evaluation?format=json|csv),
// because the REST routes take the bearer token only.
//
// Sessions are server-side (package officers): the cookie holds a session
// token whose SHA-256 alone the store keeps; signing out, a role change or
// a disabled account revokes it at once, and the next request is sent to
// sign-in. Officers sign in with their id and personal token, the
// bootstrap administrator with FOOTPRINT_OFFICER_TOKEN alone. The CSRF
// token is an HMAC of the session token's hash under a key derived from a
// random session key (kept in the
// store's settings, generated once, or derived from the key file), so
// that it is per session and needs no storage. A session lasts
// SessionTTL at most.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gorilla/mux"
	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// Session and CSRF settings of the officer pages.
const (
	// SessionCookie is the name of the officer session cookie.
	SessionCookie = "footprint_officer"
	// SessionTTL is how long an officer session lasts after sign-in.
	SessionTTL = 8 * time.Hour
	// sessionKeySetting names the store setting that keeps the random key
	// sessions are signed with (hex).
	sessionKeySetting = "web_session_key"
	// maxLadderText bounds the "level=fraction" text of a new tender.
	maxLadderText = 4096
)

// tenderWeb holds what the tender pages need beyond the Server: the store,
// the officer token's hash, the clock and the session key (loaded or made
// once, then kept).
type tenderWeb struct {
	store       store.Store
	officerHash string
	now         func() time.Time
	vault       Vault // nil: the session key is kept in the store
	// officers keeps the server-side sessions (set by New).
	officers *officers.Service

	mu  sync.Mutex
	key []byte // nil until loaded
}

func newTenderWeb(cfg Config) *tenderWeb {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &tenderWeb{store: cfg.Store, officerHash: cfg.OfficerTokenHash, now: now, vault: cfg.Vault}
}

// sessionKey returns the key that signs sessions: the stored random key
// (made and stored at first use), bound to the officer token's hash.
func (tw *tenderWeb) sessionKey(ctx context.Context) ([]byte, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.key != nil {
		return tw.key, nil
	}
	if tw.vault != nil {
		m := hmac.New(sha256.New, tw.vault.Derive("web-session"))
		m.Write([]byte("footprint-officer-session-v1\x00" + tw.officerHash))
		tw.key = m.Sum(nil)
		return tw.key, nil
	}
	v, ok, err := tw.store.Setting(ctx, sessionKeySetting)
	if err != nil {
		return nil, err
	}
	if !ok {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		if err := tw.store.SetSetting(ctx, sessionKeySetting, hex.EncodeToString(b[:])); err != nil {
			return nil, err
		}
		// Read it back: when two servers race, both use the one kept.
		if v, ok, err = tw.store.Setting(ctx, sessionKeySetting); err != nil || !ok {
			return nil, fmt.Errorf("session key not kept: %v", err)
		}
	}
	raw, err := hex.DecodeString(v)
	if err != nil || len(raw) < 16 {
		return nil, errors.New("the stored session key is malformed")
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("footprint-officer-session-v1\x00" + tw.officerHash))
	tw.key = m.Sum(nil)
	return tw.key, nil
}

func mac(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// session is a live, server-side officer session.
type session struct {
	// token is the session token the cookie holds.
	token string
	csrf  string
	// actor is the signed-in officer.
	actor officers.Actor
}

// newSessionCookie makes the cookie of a new session, whose token is si's.
func (tw *tenderWeb) newSessionCookie(r *http.Request, si officers.SignedIn) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: si.Token, Path: "/",
		Expires: si.Expires, MaxAge: int(SessionTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}

// session looks the request's session cookie up in the store: a live
// session (not signed out, not expired, its officer enabled and of the
// role it signed in with). It returns nil without one.
func (tw *tenderWeb) session(r *http.Request) *session {
	c, err := r.Cookie(SessionCookie)
	if err != nil || len(c.Value) > 200 || tw.store == nil || tw.officers == nil || !officers.IsSessionToken(c.Value) {
		return nil
	}
	a, err := tw.officers.Session(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	key, err := tw.sessionKey(r.Context())
	if err != nil {
		return nil
	}
	return &session{token: c.Value, csrf: mac(key, "csrf", tender.HashToken(c.Value)), actor: a}
}

// clearCookie ends the session in the browser.
func clearCookie(r *http.Request) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}

// tenderPage is what every tender template renders.
type tenderPage struct {
	*pageData
	Title    string
	SignedIn bool
	// Officer is the signed-in officer's name and id, as the pages show
	// them; SSO offers single sign-on on the sign-in page.
	Officer  string
	SSO      bool
	CSRF     string
	Status   int
	Message  string
	Tender   *tenderView
	Tenders  []tenderView
	Bids     []bidRow
	Eval     *evalView
	Create   createForm
	Bid      bidForm
	Receipt  *receiptView
	Replayed bool
	// Approvers are the openers who have approved the opening so far (a
	// tender whose committee needs k > 1).
	Approvers []string
}

// tenderView is a tender as the pages show it.
type tenderView struct {
	tender.Tender
	// CustodyText says who can open the bids (tender.Custody.Describe);
	// NeedsToken that an opener's approval asks for their personal token.
	CustodyText string
	NeedsToken  bool
	State       tender.Status
	Deadline    string
	Remaining   string
	// CanBid, CanOpen: the bid form and the Open button are offered.
	CanBid, CanOpen bool
	Award           string
	Levels          []string
}

// bidRow is what an officer sees of a bid before opening.
type bidRow struct {
	N          int
	ID         string
	ReceivedAt string
	Digest     string
	Withdrawn  string
}

// evalView is an opened tender's ranking.
type evalView struct {
	*tender.Evaluation
	Rows  []rankRow
	Chart scatterChart
	// PChart is the chart of the uncertainty report's probabilities of
	// ranking first; nil without a report.
	PChart *probChart
}

type rankRow struct {
	tender.Ranked
	Rank string
}

// createForm is the create-a-tender form as typed.
type createForm struct {
	Reference, Title, Buyer, Currency, Deadline, Method string
	Rule, CarbonPrice, Ladder, Limits                   string
	// Openers is the opening committee's officer ids as typed (separated
	// by commas or spaces; empty: the creator alone, k = 1), K its k.
	Openers, K string
	// UncDraws and UncThreshold are the declared uncertainty report's
	// draws (empty: none) and too-close-to-call threshold.
	UncDraws, UncThreshold string
}

// UncertaintyDrawsRange is the create form's hint of the draws' bounds.
func (p *tenderPage) UncertaintyDrawsRange() string {
	return fmt.Sprintf("%d to %d", tender.MinUncertaintyDraws, tender.MaxUncertaintyDraws)
}

// MaxOpeners is the most openers the create form takes.
func (p *tenderPage) MaxOpeners() int { return tender.MaxOpeners }

// defaultK is the k the create form proposes: two people open the bids.
const defaultK = "2"

// maxOpenersText bounds the openers field of the create form: 20 ids of
// at most 64 bytes with their separators.
const maxOpenersText = 1400

// parseCommittee reads the committee fields of the create form. Empty
// openers mean the creator alone (nil: the use case gives the creator,
// k = 1), whatever k says, unless k asks for more than the form's 2. The
// problems are by field id (openers, k).
func parseCommittee(openers, k string) (*tender.Committee, map[string]string) {
	errs := map[string]string{}
	if len(openers) > maxOpenersText {
		errs["openers"] = fmt.Sprintf("%d characters; name at most %d openers by officer id", len(openers), tender.MaxOpeners)
		return nil, errs
	}
	ids := strings.FieldsFunc(openers, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	k = strings.TrimSpace(k)
	n, kerr := strconv.Atoi(k)
	if k != "" && (kerr != nil || len(k) > 2) {
		errs["k"] = fmt.Sprintf("%q is not a whole number; enter how many openers must approve, e.g. 2", clip.Text(k))
	}
	if len(ids) == 0 {
		if len(errs) == 0 && k != "" && n > 2 {
			errs["k"] = fmt.Sprintf("k = %d needs at least %d openers: name them, or leave the openers empty to open the tender alone (k = 1)", n, n)
		}
		return nil, errs
	}
	if k == "" {
		errs["k"] = fmt.Sprintf("Enter how many of the %d openers must approve the opening, e.g. 2", len(ids))
	}
	return &tender.Committee{Openers: ids, K: n}, errs
}

// bidForm is the supplier's fields of the bid form, as typed.
type bidForm struct {
	Supplier, Price, Level, Key string
}

// receiptView is the answer to a submitted bid. Token is the whole bid
// token, <bid_id>.<secret>, as the API returns and accepts it; KgCO2e is
// the footprint rounded by the pinned method's rule, with its places, as
// the API's view of the bid and the evaluation report it.
type receiptView struct {
	BidID, Token, ReceivedAt string
	BidDigest, ResultDigest  string
	MethodDigest, KgCO2e     string
	Commitment, SignedHead   string
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// remaining says how long until the deadline, in words.
func remaining(d time.Duration) string {
	if d <= 0 {
		return "the deadline has passed"
	}
	d = d.Round(time.Second)
	days := int(d / (24 * time.Hour))
	h := int(d%(24*time.Hour)) / int(time.Hour)
	m := int(d%time.Hour) / int(time.Minute)
	s := int(d%time.Minute) / int(time.Second)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h %d min", days, h, m)
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0:
		return fmt.Sprintf("%d min %d s", m, s)
	}
	return fmt.Sprintf("%d s", s)
}

func awardText(t tender.Tender) string {
	a := t.Award
	out := ""
	switch a.Rule {
	case tender.PriceOnly:
		out = "Price only: the lowest price wins"
	case tender.CarbonPrice:
		w := "?"
		if a.CarbonPricePerT != nil {
			w = a.CarbonPricePerT.String()
		}
		out = fmt.Sprintf("Carbon price: notional price = price + %s %s per tonne CO2e of the bid's footprint", w, t.Currency)
	case tender.Ladder:
		var ls []string
		for _, l := range sortedLevels(a.LadderDiscounts) {
			ls = append(ls, fmt.Sprintf("level %s: %s %%", l, a.LadderDiscounts[l].Shift(2).String()))
		}
		out = "Ladder: notional price = price × (1 − discount of the declared level); " + strings.Join(ls, ", ")
	default:
		out = string(a.Rule)
	}
	if a.Limits == tender.LimitsExclude {
		return out + ". A bid failing a procurement limit of the method is excluded."
	}
	return out + ". Failed procurement limits are reported; the bid is still ranked."
}

func sortedLevels(m map[string]decimal.Decimal) []string {
	ls := make([]string, 0, len(m))
	for l := range m {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	return ls
}

func (tw *tenderWeb) view(t tender.Tender, signedIn bool) *tenderView {
	now := tw.now()
	st := tender.State(t, now)
	custody := "Created before committee custody: the server's key file can open the bids alone (or, without a key file, they are kept in clear)."
	if t.Custody != nil {
		custody = t.Custody.Describe()
	}
	return &tenderView{Tender: t, State: st, Deadline: fmtTime(t.Deadline), Remaining: remaining(t.Deadline.Sub(now)),
		CanBid: tender.CanSubmit(t, now) == nil, CanOpen: signedIn && tender.CanOpen(t, now) == nil,
		Award: awardText(t), Levels: sortedLevels(t.Award.LadderDiscounts), CustodyText: custody,
		NeedsToken: t.Custody != nil && t.Custody.Kind == tender.CustodyCommittee}
}

// page starts a tender page.
func (s *Server) tenderPage(title string, sess *session) *tenderPage {
	p := &tenderPage{pageData: s.newPage(formData{}), Title: title, SignedIn: sess != nil}
	p.EPDUpload = false // tender bids take typed factors
	if sess != nil {
		p.CSRF = sess.csrf
		p.Officer = sess.actor.Name + " (" + sess.actor.ID + ")"
	}
	p.SSO = s.oidc != nil
	return p
}

// message renders the message page with status (403, 404, 409, 503…).
func (s *Server) message(w http.ResponseWriter, sess *session, status int, title, msg string) error {
	p := s.tenderPage(title, sess)
	p.Status, p.Message = status, msg
	return s.render(w, status, "tender-message.html", p)
}

// needStore answers 503 when the server runs without a store.
func (s *Server) needStore(w http.ResponseWriter) (bool, error) {
	if s.tw.store != nil {
		return true, nil
	}
	return false, s.message(w, nil, http.StatusServiceUnavailable, "Tenders are not available",
		"This server runs without a database, so tenders are not available. Start it with serve --db URL.")
}

// officer checks the session of an officer page: without one it redirects
// to the sign-in page (303) and returns nil.
func (s *Server) officer(w http.ResponseWriter, r *http.Request) *session {
	sess := s.tw.session(r)
	if sess == nil {
		http.Redirect(w, r, "/officer/sign-in", http.StatusSeeOther)
	}
	return sess
}

// officerPage is the start of every officer page: a store (else 503), a
// session (else a redirect to sign-in) and, for a form post, its CSRF
// token (else 403). A nil session means the answer is written (err is
// what the handler returns).
func (s *Server) officerPage(w http.ResponseWriter, r *http.Request, post bool) (*session, error) {
	if ok, err := s.needStore(w); !ok {
		return nil, err
	}
	sess := s.officer(w, r)
	if sess == nil {
		return nil, nil
	}
	if post {
		if ok, err := s.checkCSRF(w, r, sess); !ok {
			return nil, err
		}
	}
	return sess, nil
}

// checkCSRF reads the posted form and checks its CSRF token in constant
// time; on failure it answers 403 with a page saying what to do.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request, sess *session) (bool, error) {
	if err := parseFormBody(w, r); err != nil {
		return false, err
	}
	got := r.PostFormValue("csrf")
	if subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) != 1 {
		return false, s.message(w, sess, http.StatusForbidden, "The form has expired",
			"This form did not carry this session's security token (CSRF), so nothing was changed. Go back, reload the page and try again.")
	}
	return true, nil
}

// getSignIn answers GET /officer/sign-in.
func (s *Server) getSignIn(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.needStore(w); !ok {
		return err
	}
	return s.render(w, http.StatusOK, "tender-signin.html", s.tenderPage("Officer sign-in", s.tw.session(r)))
}

// postSignIn answers POST /officer/sign-in: the token's hash is compared
// with the configured one in constant time; a match sets the session
// cookie and goes to the list of tenders, a mismatch answers 401.
func (s *Server) postSignIn(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.needStore(w); !ok {
		return err
	}
	if err := parseFormBody(w, r); err != nil {
		return err
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	id := strings.TrimSpace(r.PostFormValue("officer"))
	if len(id) > 64 {
		id = id[:64]
	}
	if err := s.guessSignIn(w, r, id, token); err != nil {
		return err // 429 page (handlePage)
	}
	si, err := s.signIn(r, id, token)
	if errors.Is(err, officers.ErrUnauthenticated) {
		p := s.tenderPage("Officer sign-in", nil)
		p.addError("token", "That is not the token of this officer. Enter your officer id and your personal token (or, as the bootstrap administrator, FOOTPRINT_OFFICER_TOKEN alone).")
		return s.render(w, http.StatusUnauthorized, "tender-signin.html", p)
	} else if err != nil {
		return err
	}
	http.SetCookie(w, s.tw.newSessionCookie(r, si))
	http.Redirect(w, r, "/tenders", http.StatusSeeOther)
	return nil
}

// postSignOut answers POST /officer/sign-out (CSRF-checked).
func (s *Server) postSignOut(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, true)
	if sess == nil {
		return err
	}
	if err := s.tenders.officers.SignOut(r.Context(), sess.token); err != nil && !errors.Is(err, officers.ErrUnauthenticated) {
		return err
	}
	http.SetCookie(w, clearCookie(r))
	http.Redirect(w, r, "/officer/sign-in", http.StatusSeeOther)
	return nil
}

// pageTenders answers GET /tenders: the officer's list.
func (s *Server) pageTenders(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, false)
	if sess == nil {
		return err
	}
	ts, err := s.svc.Tenders(r.Context())
	if err != nil {
		return err
	}
	p := s.tenderPage("Tenders", sess)
	for _, t := range ts {
		p.Tenders = append(p.Tenders, *s.tw.view(t, true))
	}
	return s.render(w, http.StatusOK, "tender-list.html", p)
}

// getNewTender answers GET /tenders/new: the empty create form.
func (s *Server) getNewTender(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, false)
	if sess == nil {
		return err
	}
	p := s.tenderPage("Create a tender", sess)
	p.Create = createForm{Currency: "EUR", Rule: string(tender.PriceOnly), Limits: string(tender.LimitsReport), K: defaultK, UncThreshold: tender.DefaultTooCloseThreshold}
	if ms := s.catalog.methods; len(ms) > 0 {
		p.Create.Method = ms[len(ms)-1].Ref
	}
	return s.render(w, http.StatusOK, "tender-new.html", p)
}

// parseDeadline reads an RFC 3339 time, or a datetime-local value taken as
// UTC (the form says so).
func parseDeadline(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// createFieldID maps a tender validation pointer to its form field.
func createFieldID(ptr string) string {
	switch {
	case strings.HasPrefix(ptr, "/method"):
		return "method"
	case ptr == "/award/rule":
		return "rule"
	case ptr == "/award/carbon_price_per_t":
		return "carbon_price"
	case strings.HasPrefix(ptr, "/award/ladder_discounts"):
		return "ladder"
	case ptr == "/award/limits":
		return "limits"
	case strings.HasPrefix(ptr, "/committee/openers"):
		return "openers"
	case ptr == "/committee/k":
		return "k"
	case ptr == "/uncertainty/draws", ptr == "/uncertainty":
		return "unc_draws"
	case ptr == "/uncertainty/threshold":
		return "unc_threshold"
	case ptr == "/reference", ptr == "/title", ptr == "/buyer", ptr == "/currency", ptr == "/deadline":
		return ptr[1:]
	}
	return ""
}

// postNewTender answers POST /tenders/new: validates the form, pins the
// chosen method, stores the tender and goes to its page; errors go next to
// their fields (422).
func (s *Server) postNewTender(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, true)
	if sess == nil {
		return err
	}
	f := r.PostFormValue
	cf := createForm{Reference: f("reference"), Title: f("title"), Buyer: f("buyer"), Currency: strings.TrimSpace(f("currency")),
		Deadline: f("deadline"), Method: f("method"), Rule: f("rule"), CarbonPrice: strings.TrimSpace(f("carbon_price")),
		Ladder: f("ladder"), Limits: f("limits"), Openers: strings.TrimSpace(f("openers")), K: strings.TrimSpace(f("k")),
		UncDraws: strings.TrimSpace(f("unc_draws")), UncThreshold: strings.TrimSpace(f("unc_threshold"))}
	p := s.tenderPage("Create a tender", sess)
	p.Create = cf
	now := s.tw.now()
	var pinned *methods.Method
	t := tender.Tender{Reference: cf.Reference, Title: cf.Title, Buyer: cf.Buyer, Currency: cf.Currency,
		Award: tender.Award{Rule: tender.Rule(cf.Rule), Limits: tender.LimitsRule(cf.Limits)}, Status: tender.StatusOpen, Created: tender.Stamp(now)}
	if cf.Deadline != "" {
		d, ok := parseDeadline(cf.Deadline)
		if !ok {
			p.addError("deadline", fmt.Sprintf("%q is not a date and time; use the picker, or RFC 3339 such as 2026-12-01T12:00:00Z", clip.Text(cf.Deadline)))
		}
		t.Deadline = tender.Stamp(d)
	}
	if cf.Method == "" {
		p.addError("method", "Choose a method")
	} else if m, err := s.reg.Resolve(cf.Method); err != nil {
		p.addError("method", err.Error())
	} else {
		t.Method = tender.Pin(m)
		pinned = m
	}
	if cf.UncDraws != "" {
		t.Uncertainty = &tender.UncertaintySetting{Threshold: decimal.RequireFromString(tender.DefaultTooCloseThreshold)}
		if n, err := strconv.Atoi(cf.UncDraws); err != nil {
			p.addError("unc_draws", fmt.Sprintf("%q is not a whole number of draws; give e.g. %d, or leave it empty for no report", clip.Text(cf.UncDraws), tender.DefaultUncertaintyDraws))
		} else {
			t.Uncertainty.Draws = n
		}
		if cf.UncThreshold != "" {
			if d, err := tender.ParseAmount(cf.UncThreshold); err != nil {
				p.addError("unc_threshold", tender.AmountProblem(err))
			} else {
				t.Uncertainty.Threshold = d
			}
		}
	}
	if t.Award.Rule == tender.CarbonPrice {
		if cf.CarbonPrice != "" {
			d, err := tender.ParseAmount(cf.CarbonPrice)
			if err != nil {
				p.addError("carbon_price", tender.AmountProblem(err))
			} else {
				t.Award.CarbonPricePerT = &d
			}
		}
	}
	if t.Award.Rule == tender.Ladder {
		ds, msg := parseLadder(cf.Ladder)
		if msg != "" {
			p.addError("ladder", msg)
		} else if len(ds) > 0 {
			t.Award.LadderDiscounts = ds
		}
	}
	committee, cerrs := parseCommittee(cf.Openers, cf.K)
	for _, id := range []string{"openers", "k"} {
		if msg, ok := cerrs[id]; ok {
			p.addError(id, msg)
		}
	}
	if len(cerrs) == 0 {
		t.Committee = committee
	}
	if err := errors.Join(tender.ValidateTender(t, now), tender.CheckUncertaintyMethod(t, pinned)); err != nil {
		var ves []*tender.ValidationError
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var ve *tender.ValidationError
			if !errors.As(e, &ve) {
				return e
			}
			ves = append(ves, ve)
		}
		for _, pr := range joinProblems(ves) {
			id := createFieldID(pr.Pointer)
			if id == "deadline" && p.Err("deadline") != "" || id == "method" && p.Err("method") != "" || id == "unc_draws" && p.Err("unc_draws") != "" {
				continue // already said better
			}
			p.addError(id, pr.Detail)
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, http.StatusUnprocessableEntity, "tender-new.html", p)
	}
	stored, err := s.svc.Create(r.Context(), t, sess.actor)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/tenders/"+stored.ID, http.StatusSeeOther)
	return nil
}

// joinProblems lists the problems of several validation errors in order.
func joinProblems(ves []*tender.ValidationError) []tender.Problem {
	var out []tender.Problem
	for _, ve := range ves {
		out = append(out, ve.Problems...)
	}
	return out
}

// parseLadder reads "level=fraction" lines (blank lines skipped).
func parseLadder(text string) (map[string]decimal.Decimal, string) {
	if len(text) > maxLadderText {
		return nil, fmt.Sprintf("%d bytes; at most %d", len(text), maxLadderText)
	}
	out := map[string]decimal.Decimal{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		level, frac, ok := strings.Cut(line, "=")
		level, frac = strings.TrimSpace(level), strings.TrimSpace(frac)
		if !ok || level == "" {
			return nil, fmt.Sprintf("line %d, %q: write one level per line as level=fraction, e.g. 3=0.04", i+1, clip.Text(line))
		}
		d, err := tender.ParseAmount(frac)
		if err != nil {
			return nil, fmt.Sprintf("line %d: %s", i+1, tender.AmountProblem(err))
		}
		if _, dup := out[level]; dup {
			return nil, fmt.Sprintf("line %d: level %q is given twice", i+1, clip.Text(level))
		}
		out[level] = d
		if len(out) > tender.MaxLadderLevels {
			return nil, fmt.Sprintf("more than %d levels", tender.MaxLadderLevels)
		}
	}
	return out, ""
}

// pageLoadTender reads the tender of the path, answering 404 with a page when
// there is none.
func (s *Server) pageLoadTender(w http.ResponseWriter, r *http.Request, sess *session) (*tender.Tender, error) {
	t, err := s.svc.Tender(r.Context(), mux.Vars(r)["id"])
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.message(w, sess, http.StatusNotFound, "No such tender", "There is no tender at this address. Check the link you were given.")
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// pageTender answers GET /tenders/{id}: the officer's page of a tender.
// Before opening it shows only how many bids arrived, when, and their
// digests; after opening the ranking, the chart and the exports.
func (s *Server) pageTender(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, false)
	if sess == nil {
		return err
	}
	t, err := s.pageLoadTender(w, r, sess)
	if t == nil {
		return err
	}
	return s.renderTender(w, r, sess, *t, http.StatusOK, "")
}

func (s *Server) renderTender(w http.ResponseWriter, r *http.Request, sess *session, t tender.Tender, status int, notice string) error {
	p := s.tenderPage(t.Reference+": "+t.Title, sess)
	p.Tender = s.tw.view(t, true)
	p.Notice = notice
	sealed, err := s.svc.Sealed(r.Context(), t)
	if err != nil {
		return err
	}
	for i, b := range sealed.Bids {
		row := bidRow{N: i + 1, ID: b.BidID, ReceivedAt: b.ReceivedAt.Format(time.RFC3339Nano), Digest: b.Commitment}
		if b.Digests != nil { // a bid received before commitments
			row.Digest = "digest " + b.Digests.Bid
		}
		if b.WithdrawnAt != nil {
			row.Withdrawn = fmtTime(*b.WithdrawnAt)
		}
		p.Bids = append(p.Bids, row)
	}
	if t.Committee != nil && t.Committee.K > 1 {
		if p.Approvers, err = s.svc.Approvers(r.Context(), t); err != nil {
			return err
		}
	}
	if t.Status == tender.StatusOpened {
		ev, err := s.svc.Evaluation(r.Context(), t)
		if err != nil {
			return err
		}
		p.Eval = newEvalView(ev)
	}
	return s.render(w, status, "tender-page.html", p)
}

func newEvalView(ev *tender.Evaluation) *evalView {
	v := &evalView{Evaluation: ev}
	for _, r := range ev.Ranking {
		row := rankRow{Ranked: r, Rank: "excluded"}
		if r.Rank != nil {
			row.Rank = strconv.Itoa(*r.Rank)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Chart = rankingChart(ev)
	v.PChart = probabilityChart(ev)
	return v
}

// postOpen answers POST /tenders/{id}/open: opens the tender (after the
// deadline only: 409 before) and shows the ranking.
func (s *Server) postOpen(w http.ResponseWriter, r *http.Request) error {
	return s.pageOpening(w, r, "open", "Nothing was opened.", func(ctx context.Context, t tender.Tender, who officers.Actor) error {
		_, err := s.svc.Open(ctx, t, who)
		return err
	})
}

// postApprove answers POST /tenders/{id}/approvals: the signed-in
// officer's approval of the opening of a tender whose committee needs
// k > 1 approvals (after the deadline only: 409 before; 403 for an
// officer not on the committee); the k-th opens it. Back to the page.
func (s *Server) postApprove(w http.ResponseWriter, r *http.Request) error {
	return s.pageOpening(w, r, "approve", "Nothing was recorded.", func(ctx context.Context, t tender.Tender, who officers.Actor) error {
		_, err := s.svc.Approve(ctx, t, who)
		return err
	})
}

// pageOpening is an opening or an approval from the pages: the signed-in
// officer (CSRF-checked), with the personal token the form carries (it
// unlocks their key share), does act on the tender; openingAnswer says
// what came of it.
func (s *Server) pageOpening(w http.ResponseWriter, r *http.Request, verb, nothing string, act func(context.Context, tender.Tender, officers.Actor) error) error {
	sess, err := s.officerPage(w, r, true)
	if sess == nil {
		return err
	}
	t, err := s.pageLoadTender(w, r, sess)
	if t == nil {
		return err
	}
	who, err := s.withPersonalToken(w, r, sess.actor, r.PostFormValue("personal_token"))
	if err == nil {
		err = act(r.Context(), *t, who)
	}
	return s.openingAnswer(w, r, sess, t, err, verb, nothing)
}

// openingAnswer answers an opening or an approval of it on the pages:
// back to the tender's page when err is nil, else the page saying why
// nothing happened (verb "open" or "approve"; nothing is the sentence
// saying so).
func (s *Server) openingAnswer(w http.ResponseWriter, r *http.Request, sess *session, t *tender.Tender, err error, verb, nothing string) error {
	switch {
	case errors.Is(err, tender.ErrTooEarly):
		return s.message(w, sess, http.StatusConflict, "Too early to "+verb, "This tender's opening can be "+pastTense(verb)+" only after its deadline, "+fmtTime(t.Deadline)+". "+nothing)
	case errors.Is(err, tender.ErrApprovalsNeeded):
		return s.message(w, sess, http.StatusConflict, "Approvals needed", "This tender opens when its committee's openers have approved: use Approve opening on its page. "+nothing)
	case errors.Is(err, tender.ErrNotOpener):
		return s.message(w, sess, http.StatusForbidden, "Not on the opening committee", "Only the openers this tender names may "+verb+" its opening. "+nothing)
	case errors.Is(err, store.ErrAlreadyOpened), errors.Is(err, tender.ErrAlreadyOpened):
		return s.message(w, sess, http.StatusConflict, "Already opened", "This tender was opened already; its ranking is on its page.")
	case errors.Is(err, tender.ErrCancelled):
		return s.message(w, sess, http.StatusConflict, "Tender cancelled", "This tender was cancelled and cannot be opened.")
	case errors.Is(err, store.ErrShareLocked):
		return s.message(w, sess, http.StatusForbidden, "Your personal token is needed", "Only the committee can open this tender's bids: your share of its key is locked under your personal token (fpo.…). Enter it in the form on the tender's page; it unlocks your share for this "+verb+" only and is not stored. "+nothing)
	case errors.Is(err, errUnauthorized), errors.Is(err, errForbidden), errors.Is(err, errBadParameter):
		return s.message(w, sess, http.StatusForbidden, "Personal token not accepted", "The personal token entered is not yours or not valid, so your key share stays locked. "+nothing)
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/tenders/"+t.ID, http.StatusSeeOther)
	return nil
}

// pastTense is "opened" or "approved".
func pastTense(verb string) string {
	if verb == "open" {
		return "opened"
	}
	return verb + "d"
}

// getEvaluation answers GET /tenders/{id}/evaluation?format=json|csv: the
// officer's export of the stored evaluation (the content of the REST
// route, under the session cookie), recorded as an exported event.
func (s *Server) getEvaluation(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.officerPage(w, r, false)
	if sess == nil {
		return err
	}
	t, err := s.pageLoadTender(w, r, sess)
	if t == nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		return &httpError{err: errBadParameter, detail: fmt.Sprintf("format %q: use json or csv", clip.Text(format)),
			fields: []FieldError{{Pointer: "", Parameter: "format", Detail: "use json or csv"}}}
	}
	ev, head, err := s.svc.StreamEvaluation(r.Context(), *t, sess.actor, r.Method != http.MethodHead) // a HEAD exports nothing
	if errors.Is(err, tenders.ErrNotOpened) {
		return s.message(w, sess, http.StatusConflict, "Not opened yet", "This tender has no evaluation until it is opened after its deadline.")
	}
	if err != nil {
		return err
	}
	setSignedHead(w, head)
	name := "evaluation-" + safeName(t.Reference)
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
		w.Header().Set("Cache-Control", "no-store")
		return ev.WriteCSV(w)
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.json"`, name))
	w.Header().Set("Cache-Control", "no-store")
	return writeStream(w, http.StatusOK, ev.WriteJSON)
}

// getNotice answers GET /tenders/{id}/notice: the public notice, with the
// bid form while the tender is open.
func (s *Server) getNotice(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.needStore(w); !ok {
		return err
	}
	sess := s.tw.session(r)
	t, err := s.pageLoadTender(w, r, sess)
	if t == nil {
		return err
	}
	p := s.tenderPage("Notice "+t.Reference, sess)
	p.Tender = s.tw.view(*t, false)
	p.Form = formData{Lines: []formLine{{Index: 0}, {Index: 1}}}
	p.Bid.Key, err = tender.NewToken()
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "tender-notice.html", p)
}

// postBid answers POST /tenders/{id}/bid: add_line and remove_line_N
// re-render the form; otherwise the bid is computed under the pinned
// method and stored, and the receipt shows its token once. After the
// deadline: 409. A retried submission (same form key) returns the stored
// bid without a new token.
func (s *Server) postBid(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.needStore(w); !ok {
		return err
	}
	if err := parseFormBody(w, r); err != nil {
		return err
	}
	sess := s.tw.session(r)
	t, err := s.pageLoadTender(w, r, sess)
	if t == nil {
		return err
	}
	closed := func() error {
		p := s.tenderPage("Bids are closed", sess)
		p.Status = http.StatusConflict
		p.Tender = s.tw.view(*t, false)
		p.Message = "This tender no longer accepts bids: its deadline was " + fmtTime(t.Deadline) + " (or it was opened or cancelled). Your bid was not received."
		return s.render(w, http.StatusConflict, "tender-message.html", p)
	}
	now := s.tw.now()
	if tender.CanSubmit(*t, now) != nil {
		return closed()
	}
	fd := readForm(r)
	fd.Reference, fd.Method = t.Reference, t.Method.Ref()
	bf := bidForm{Supplier: r.PostFormValue("supplier"), Price: strings.TrimSpace(r.PostFormValue("price")),
		Level: r.PostFormValue("ladder_level"), Key: r.PostFormValue("key")}
	fd.Supplier = bf.Supplier
	p := s.tenderPage("Notice "+t.Reference, sess)
	p.Tender = s.tw.view(*t, false)
	p.Bid = bf
	if len(bf.Key) > 64 {
		bf.Key, p.Bid.Key = "", ""
	}
	form := r.PostForm
	if form.Has("add_line") {
		if len(fd.Lines) >= MaxFormLines {
			p.Form = fd
			p.addError("", fmt.Sprintf("a bid entered here has at most %d lines", MaxFormLines))
			return s.render(w, http.StatusUnprocessableEntity, "tender-notice.html", p)
		}
		fd.Lines = append(fd.Lines, formLine{})
		fd.renumber()
		p.Form = fd
		p.Notice = fmt.Sprintf("Line %d added.", len(fd.Lines))
		p.Focus = p.LineID(len(fd.Lines)-1, "activity")
		return s.render(w, http.StatusOK, "tender-notice.html", p)
	}
	for k := range form {
		if n, ok := strings.CutPrefix(k, "remove_line_"); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(fd.Lines) {
				fd.Lines = append(fd.Lines[:i], fd.Lines[i+1:]...)
				fd.renumber()
				p.Notice = fmt.Sprintf("Line %d removed.", i+1)
			}
			p.Form = fd
			return s.render(w, http.StatusOK, "tender-notice.html", p)
		}
	}
	p.Form = fd
	invalid := func() error { return s.render(w, http.StatusUnprocessableEntity, "tender-notice.html", p) }
	fb, cb, ok := s.checkForm(fd, p.pageData)
	b := tender.Bid{Supplier: bf.Supplier, Price: tender.Price{Currency: t.Currency}, LadderLevel: bf.Level, Lines: cb.Lines}
	if bf.Price == "" {
		p.addError("price", "Enter the price of the bid, e.g. 125000.00")
	} else if d, err := tender.ParseAmount(bf.Price); err != nil {
		p.addError("price", tender.AmountProblem(err))
	} else {
		b.Price.Amount = d
	}
	if !ok || len(p.Errors) > 0 {
		return invalid()
	}
	release, err := s.svc.Admit(t.ID, r.ContentLength)
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(tenders.SubmitRetryAfterSeconds))
		return err
	}
	defer release()
	secret, err := tender.NewToken()
	if err != nil {
		return err
	}
	sub, err := s.svc.Submit(r.Context(), *t, b, secret, bf.Key)
	var ve *tender.ValidationError
	var be *calc.BidError
	switch {
	case errors.As(err, &ve):
		for _, pr := range ve.Problems {
			id := ""
			switch {
			case pr.Pointer == "/supplier":
				id = "supplier"
			case strings.HasPrefix(pr.Pointer, "/price"):
				id = "price"
			case pr.Pointer == "/ladder_level":
				id = "ladder_level"
			default:
				id = fb.fieldID(pr.Pointer)
			}
			p.addError(id, pr.Detail)
		}
		return invalid()
	case errors.As(err, &be):
		for _, pr := range be.Problems {
			p.addError(fb.fieldID(pr.Pointer), lineLabel(pr)+pr.Detail)
		}
		return invalid()
	case errors.Is(err, tender.ErrDeadlinePassed), errors.Is(err, tender.ErrNotOpen):
		return closed()
	case errors.Is(err, store.ErrIdempotencyConflict):
		p.addError("", "This form was already used for a different bid. Reload the notice to submit another bid.")
		return s.render(w, http.StatusConflict, "tender-notice.html", p)
	case err != nil:
		if StatusOf(err) == http.StatusUnprocessableEntity {
			p.addError("", err.Error())
			return invalid()
		}
		return err
	}
	stored, replayed := sub.Bid, sub.Replayed
	rp := s.tenderPage("Bid received", sess)
	rp.Tender = s.tw.view(*t, false)
	rp.Replayed = replayed
	rp.Receipt = &receiptView{BidID: stored.ID, ReceivedAt: stored.ReceivedAt.UTC().Format(time.RFC3339Nano), BidDigest: sub.Digests.Bid,
		ResultDigest: stored.Footprint.Receipt.ResultDigest, MethodDigest: stored.Footprint.Receipt.MethodDigest,
		KgCO2e: tender.NewFixed(stored.Footprint.KgCO2e, sub.Method.Rounding).String(), Commitment: stored.Commitment, SignedHead: stored.SignedHead}
	if !replayed {
		// The one form of a bid token, as the API returns it and takes it.
		rp.Receipt.Token = bidToken(stored.ID, secret)
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	return s.render(w, status, "tender-receipt.html", rp)
}

// Ranking chart geometry, in SVG user units (CSS px at natural size): it
// fits a 390 px screen, and its text is 12 px or more.
const (
	rcWidth    = 340
	rcHeight   = 280
	rcPlotL    = 14
	rcPlotR    = 326
	rcPlotT    = 48
	rcPlotB    = 228
	rcInset    = 14 // points keep this far from the plot's edges
	rcFont     = 12
	rcDot      = 6
	rcLabelGap = 4
)

// scatterChart is notional price (y) against kg CO2e (x), one point per
// bid, labelled with its rank where the label fits without overlapping
// another; the ranking table beside it gives every value.
type scatterChart struct {
	Width, Height    int
	Title, Desc      string
	PlotL, PlotR     int
	PlotT, PlotB     int
	PlotW, PlotH     int
	YLabel, XLabel   string
	YLabelY, XLabelY int
	Font             int
	Points           []scatterPoint
	Empty            bool
}

type scatterPoint struct {
	CX, CY   string
	R        int
	Fill     string
	Hollow   bool
	Label    string
	LabelX   string
	LabelY   string
	HasLabel bool
	Title    string
}

// rankingChart lays out the chart of an evaluation. Positions are computed
// with decimals; floats serve only the label collision test.
func rankingChart(ev *tender.Evaluation) scatterChart {
	c := scatterChart{Width: rcWidth, Height: rcHeight, PlotL: rcPlotL, PlotR: rcPlotR, PlotT: rcPlotT, PlotB: rcPlotB, Font: rcFont,
		PlotW: rcPlotR - rcPlotL, PlotH: rcPlotB - rcPlotT,
		Title: "Notional price against kg CO2e, one point per bid", YLabelY: 18, XLabelY: rcPlotB + 24}
	if len(ev.Ranking) == 0 {
		c.Empty = true
		return c
	}
	xs, ys := make([]decimal.Decimal, len(ev.Ranking)), make([]decimal.Decimal, len(ev.Ranking))
	for i, r := range ev.Ranking {
		xs[i], ys[i] = r.KgCO2e.Decimal(), r.NotionalPrice.Decimal()
	}
	xmin, xmax := span(xs)
	ymin, ymax := span(ys)
	cur := ev.Tender.Currency
	c.YLabel = fmt.Sprintf("↑ notional price, %s %s to %s", cur, ymin.StringFixed(2), ymax.StringFixed(2))
	c.XLabel = fmt.Sprintf("→ kg CO2e, %s to %s", xmin.String(), xmax.String())
	if textWidth(c.YLabel, rcFont, false) > rcWidth-4 {
		c.YLabel = fmt.Sprintf("↑ notional price (%s)", cur)
	}
	if textWidth(c.XLabel, rcFont, false) > rcWidth-4 {
		c.XLabel = "→ kg CO2e"
	}
	var parts []string
	type box struct{ l, t, r, b float64 }
	var placed []box
	overlaps := func(a box) bool {
		if a.l < rcPlotL || a.r > rcPlotR || a.t < rcPlotT || a.b > rcPlotB {
			return true
		}
		for _, p := range placed {
			if a.l < p.r && p.l < a.r && a.t < p.b && p.t < a.b {
				return true
			}
		}
		return false
	}
	for i, r := range ev.Ranking {
		x := scale(xs[i], xmin, xmax, rcPlotL+rcInset, rcPlotR-rcInset, false)
		y := scale(ys[i], ymin, ymax, rcPlotT+rcInset, rcPlotB-rcInset, true)
		pt := scatterPoint{CX: x.StringFixed(2), CY: y.StringFixed(2), R: rcDot, Fill: stagePalette[0]}
		label := ""
		if r.Rank != nil {
			label = "#" + strconv.Itoa(*r.Rank)
		} else {
			pt.Hollow, label = true, "ex"
		}
		pt.Label = label
		pt.Title = fmt.Sprintf("%s (%s): %s kg CO2e, notional %s %s", label, r.Supplier, r.KgCO2e, r.NotionalPrice, cur)
		parts = append(parts, fmt.Sprintf("%s %s: %s kg CO2e, %s %s", label, r.Supplier, r.KgCO2e, r.NotionalPrice, cur))
		fx, _ := x.Float64()
		fy, _ := y.Float64()
		w := textWidth(label, rcFont, true)
		h := float64(rcFont) + 2
		for _, cand := range []box{
			{fx + rcDot + rcLabelGap, fy - h/2, fx + rcDot + rcLabelGap + w, fy + h/2},
			{fx - rcDot - rcLabelGap - w, fy - h/2, fx - rcDot - rcLabelGap, fy + h/2},
			{fx - w/2, fy - rcDot - rcLabelGap - h, fx + w/2, fy - rcDot - rcLabelGap},
			{fx - w/2, fy + rcDot + rcLabelGap, fx + w/2, fy + rcDot + rcLabelGap + h},
		} {
			if !overlaps(cand) {
				placed = append(placed, cand)
				pt.HasLabel = true
				pt.LabelX = strconv.FormatFloat(cand.l, 'f', 2, 64)
				pt.LabelY = strconv.FormatFloat(cand.b-3, 'f', 2, 64)
				break
			}
		}
		c.Points = append(c.Points, pt)
	}
	c.Desc = strings.Join(parts, "; ")
	if len(c.Desc) > 2000 {
		c.Desc = c.Desc[:2000] + "…"
	}
	return c
}

func span(ds []decimal.Decimal) (lo, hi decimal.Decimal) {
	lo, hi = ds[0], ds[0]
	for _, d := range ds[1:] {
		if d.LessThan(lo) {
			lo = d
		}
		if d.GreaterThan(hi) {
			hi = d
		}
	}
	return lo, hi
}

// scale maps v in [lo, hi] to [a, b] (b to a when flip, for SVG's
// downward y); a single value sits in the middle.
func scale(v, lo, hi decimal.Decimal, a, b int, flip bool) decimal.Decimal {
	da, db := decimal.NewFromInt(int64(a)), decimal.NewFromInt(int64(b))
	if hi.Equal(lo) {
		return da.Add(db).Div(decimal.NewFromInt(2)).Round(2)
	}
	f := v.Sub(lo).DivRound(hi.Sub(lo), 6)
	if flip {
		f = decimal.NewFromInt(1).Sub(f)
	}
	return da.Add(db.Sub(da).Mul(f)).Round(2)
}
