package tenders

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/export/eforms"
	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// MaxIDLen bounds a tender or bid id given by a caller; a longer one
// names nothing stored.
const MaxIDLen = 100

// Config holds what a Service is built from.
type Config struct {
	// Store keeps tenders, bids, evaluations and the audit chain; nil
	// makes every use case fail with ErrNoStore.
	Store store.Store
	// Registry resolves the pinned methods (Submit, ReadBid and Open
	// need it).
	Registry *methods.Registry
	// Engine computes the bids' footprints: Submit needs it, and the
	// opening of a tender whose declared uncertainty report samples.
	Engine *calc.Engine
	// Now is the clock of the tender rules (deadlines, receipt times);
	// nil means time.Now.
	Now func() time.Time
	// PublicURL is the publisher's base URL (ocds.CheckPublicURL: an
	// absolute http(s) URL), the base of the OCDS package's uri and of
	// its extension's URL; "" makes ExportOCDS fail with ErrNoPublicURL.
	PublicURL string
}

// Service runs the tender use cases over its store. Build it with New;
// its methods may be called concurrently.
type Service struct {
	store  store.Store
	reg    *methods.Registry
	engine *calc.Engine
	now    func() time.Time
	slots  slots
	public string
}

// New builds a service from cfg.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, reg: cfg.Registry, engine: cfg.Engine, now: cfg.Now, slots: slots{busy: map[string]int{}}, public: cfg.PublicURL}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Ready returns ErrNoStore when the service has no database.
func (s *Service) Ready() error {
	if s.store == nil {
		return ErrNoStore
	}
	return nil
}

// Now is the service's clock at tender.Stamp resolution: the time every
// use case acts at.
func (s *Service) Now() time.Time { return tender.Stamp(s.now()) }

// Tenders lists the tenders, newest first.
func (s *Service) Tenders(ctx context.Context) ([]tender.Tender, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	return s.store.Tenders(ctx)
}

// Tender reads tender id; one that does not exist is store.ErrNotFound
// (each edge says where to look).
func (s *Service) Tender(ctx context.Context, id string) (tender.Tender, error) {
	if err := s.Ready(); err != nil {
		return tender.Tender{}, err
	}
	return s.store.Tender(ctx, id)
}

// Create stores tender t (made by NewTender, or from a form) as actor
// (whose role must allow officers.ActCreate), with its created event
// naming actor.ID; it returns the tender as stored, with its id. A tender
// that names no opening committee gets its creator alone, k = 1
// (tender.SoleCommittee).
func (s *Service) Create(ctx context.Context, t tender.Tender, actor officers.Actor) (tender.Tender, error) {
	if err := actor.Can(officers.ActCreate); err != nil {
		return tender.Tender{}, err
	}
	if err := s.Ready(); err != nil {
		return tender.Tender{}, err
	}
	if t.Committee == nil {
		t.Committee = tender.SoleCommittee(actor.ID)
	}
	if err := tender.ValidateCommittee(t.Committee); err != nil {
		var ve *tender.ValidationError
		if errors.As(err, &ve) {
			return tender.Tender{}, &Error{Err: ErrInvalidTender, Detail: ve.Error(), Problems: ve.Problems}
		}
		return tender.Tender{}, err
	}
	if err := s.checkOpeners(ctx, t.Committee); err != nil {
		return tender.Tender{}, err
	}
	return s.store.CreateTender(ctx, t, actor.ID)
}

// CanSubmit fails early, before a bid is read and computed, when tender t
// takes no bids now. A submission with an idempotency key is let through:
// a retry of a bid received before the deadline must still be answered
// (Submit checks again in the transaction that writes).
func (s *Service) CanSubmit(t tender.Tender, key string) error {
	if key != "" {
		return nil
	}
	return tender.CanSubmit(t, s.Now())
}

// Submission is the outcome of Submit.
type Submission struct {
	// Bid is the bid as stored, with its id and time of receipt.
	Bid tender.Bid
	// Replayed: the idempotency key was used before for this same bid,
	// which is returned as stored then.
	Replayed bool
	// Digests are the stored bid's digests.
	Digests BidDigests
	// Method is the tender's pinned method; its rounding rule reports
	// the bid's kg CO2e.
	Method *methods.Method
	// Footprint is the bid's computed footprint; it is also set when the
	// bid was refused for its content (the server counts its lines).
	Footprint *calc.Footprint
}

// Submit computes bid b's footprint under tender t's pinned method, checks
// it against the tender's rules and stores it, before the deadline, with
// the hash of token (the bid token's secret, which the caller hands out;
// tender.NewToken) and the
// idempotency key (may be ""; ErrWeakIdempotencyKey unless
// CheckIdempotencyKey accepts it; only its hash is stored). A key used
// before for the same bid content returns the stored bid (Replayed); for
// other content, store.ErrIdempotencyConflict, which tells nothing of the
// stored bid.
func (s *Service) Submit(ctx context.Context, t tender.Tender, b tender.Bid, token, key string) (Submission, error) {
	var sub Submission
	if err := s.Ready(); err != nil {
		return sub, err
	}
	var keyHash string
	if key != "" {
		if err := CheckIdempotencyKey(key); err != nil {
			return sub, err
		}
		keyHash = store.HashIdempotencyKey(key)
	}
	now := s.Now()
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return sub, fmt.Errorf("%w: %s is no longer served: %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	sub.Method = m
	prepared, fp, err := tender.PrepareBid(t, m, s.engine, b, now)
	sub.Footprint = fp
	if err != nil {
		return sub, err
	}
	// The store keeps the token's hash, and copies of the bid sealed under
	// the token and the key (a tender in committee custody's bids open
	// with nothing else before the opening).
	stored, replayed, err := s.store.SubmitBid(ctx, t.ID, prepared, tender.HashToken(token), keyHash, now, store.BidSecrets{Token: token, Key: key})
	if err != nil {
		return sub, err
	}
	sub.Bid, sub.Replayed = stored, replayed
	sub.Digests, err = digestsOf(stored)
	return sub, err
}

// Caller is who asks for a bid: an officer, or the holder of a bid token
// valid for bid Bid (the edge has checked the credential), whose secret
// is Token: before the opening of a tender in committee custody, the bid
// opens with it alone.
type Caller struct {
	Officer bool
	Bid     string
	Token   string
}

// ReadBid returns bid bidID of tender t as caller reads it: the holder of
// its token at any time, an officer only after the opening (ErrSealed
// before); a token of another bid is ErrForbidden.
func (s *Service) ReadBid(ctx context.Context, t tender.Tender, bidID string, caller Caller) (BidView, error) {
	if err := s.Ready(); err != nil {
		return BidView{}, err
	}
	switch {
	case caller.Officer && t.Status != tender.StatusOpened:
		return BidView{}, &Error{Err: ErrSealed, Detail: "bids are sealed until the tender is opened (POST /v1/tenders/{id}/open after the deadline); before, GET /v1/tenders/{id}/bids lists their ids, times and salted commitments"}
	case !caller.Officer && caller.Bid != bidID:
		return BidView{}, &Error{Err: ErrForbidden, Detail: "this bid token is for another bid; it reads and withdraws its own bid only"}
	}
	b, _, err := s.store.Bid(ctx, t.ID, bidID, caller.Token)
	if errors.Is(err, store.ErrNotFound) {
		return BidView{}, fmt.Errorf("%w: no bid %q in this tender", store.ErrNotFound, clip.Prefix(bidID))
	}
	if err != nil {
		return BidView{}, err
	}
	m, err := s.pinnedMethod(t)
	if err != nil {
		return BidView{}, err
	}
	return ViewBid(t.ID, b, m.Rounding)
}

// pinnedMethod resolves tender t's pinned method, which must still have
// the pinned digest (its rounding rule reports the bids' kg CO2e).
func (s *Service) pinnedMethod(t tender.Tender) (*methods.Method, error) {
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return nil, fmt.Errorf("%w: %s is no longer served: %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	if m.Digest != t.Method.Digest {
		return nil, fmt.Errorf("%w: %s has digest %s, the tender pins %s", tender.ErrMethodChanged, t.Method.Ref(), clip.Prefix(m.Digest), clip.Prefix(t.Method.Digest))
	}
	return m, nil
}

// Withdraw withdraws bid bidID of tender tenderID for its supplier (the
// holder of its token) before the deadline; the bid is kept and the
// withdrawal audited. An officer, or a token of another bid, is
// ErrForbidden.
func (s *Service) Withdraw(ctx context.Context, tenderID, bidID string, caller Caller) error {
	if err := s.Ready(); err != nil {
		return err
	}
	switch {
	case caller.Officer:
		return &Error{Err: ErrForbidden, Detail: "only the supplier withdraws a bid, with its bid token"}
	case caller.Bid != bidID:
		return &Error{Err: ErrForbidden, Detail: "this bid token is for another bid; it withdraws its own bid only"}
	}
	return s.store.WithdrawBid(ctx, tenderID, bidID, s.Now())
}

// Sealed is what an officer may see of tender t's bids now (Seal). It
// reads the bids' summaries only, never their lines.
func (s *Service) Sealed(ctx context.Context, t tender.Tender) (SealedBids, error) {
	if err := s.Ready(); err != nil {
		return SealedBids{}, err
	}
	bids, err := s.store.BidSummaries(ctx, t.ID)
	if err != nil {
		return SealedBids{}, err
	}
	return Seal(t, bids, s.Now()), nil
}

// Open opens tender t as actor, after its deadline only, when it has no
// committee (a tender made before committees) or a committee of one of
// which actor is the opener (whose opening is then its one approval);
// a committee of k > 1 is tender.ErrApprovalsNeeded (Approve). It resolves the
// pinned method (which must still have the pinned digest: tender.Evaluate
// checks it) and has the store evaluate the bids in the transaction that
// opens, streamed one at a time (evaluate). It returns the stored
// evaluation. The actor's role must allow officers.ActOpen; the opened
// event names actor.ID.
func (s *Service) Open(ctx context.Context, t tender.Tender, actor officers.Actor) (*tender.Evaluation, error) {
	if err := actor.Can(officers.ActOpen); err != nil {
		return nil, err
	}
	if err := s.Ready(); err != nil {
		return nil, err
	}
	now := s.Now()
	if err := tender.CanOpen(t, now); err != nil {
		return nil, err
	}
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not among the methods served (load its file with --methods DIR if it came from one): %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	return s.store.Open(ctx, t.ID, actor.ID, actor.Credential(), now, func(t tender.Tender, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
		return evaluate(t, m, s.engine, bids)
	})
}

// checkOpeners refuses a committee naming an opener who could never
// approve: no such account, a disabled one, or a role that may not open
// (a typo would make the tender impossible to open). The bootstrap
// administrator and the command line (officers.BootstrapID, CLIID) have
// no account and may open. A store without accounts checks nothing.
func (s *Service) checkOpeners(ctx context.Context, c *tender.Committee) error {
	acc, ok := store.AccountsOf(s.store)
	if !ok || c == nil {
		return nil
	}
	var problems []tender.Problem
	for i, id := range c.Openers {
		if id == officers.BootstrapID || id == officers.CLIID {
			continue
		}
		ptr := fmt.Sprintf("/committee/openers/%d", i)
		o, err := acc.Officer(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			problems = append(problems, tender.Problem{Pointer: ptr, Detail: fmt.Sprintf("no officer %q: name an existing account (GET /v1/officers, footprint officers list)", clip.Prefix(id))})
		case err != nil:
			return err
		case o.Disabled:
			problems = append(problems, tender.Problem{Pointer: ptr, Detail: fmt.Sprintf("officer %q is disabled and could never approve the opening", clip.Prefix(id))})
		case !officers.Role(o.Role).Allows(officers.ActOpen):
			problems = append(problems, tender.Problem{Pointer: ptr, Detail: fmt.Sprintf("officer %q has the role %s, which may not open tenders: name an opener, buyer or admin", clip.Prefix(id), o.Role)})
		}
	}
	if len(problems) > 0 {
		return &Error{Err: ErrInvalidTender, Detail: fmt.Sprintf("the opening committee has %d problem(s); see errors", len(problems)), Problems: problems}
	}
	return nil
}

// Approval is the outcome of Approve (store.Approval): the approvers so
// far, the committee's k, whether the approval was a repeat, and the
// evaluation when this approval opened the tender.
type Approval = store.Approval

// Approve records officer actor's approval of tender t's opening, after
// its deadline only (tender.ErrTooEarly before), for a member of its
// committee only (tender.ErrNotOpener); a repeat records nothing. The
// committee's k-th distinct approval opens the tender in the same
// transaction, evaluated as Open evaluates.
func (s *Service) Approve(ctx context.Context, t tender.Tender, actor officers.Actor) (Approval, error) {
	if err := actor.Can(officers.ActOpen); err != nil {
		return Approval{}, err
	}
	if err := s.Ready(); err != nil {
		return Approval{}, err
	}
	now := s.Now()
	opener := actor.ID
	if err := tender.CanApprove(t, opener, now); err != nil {
		return Approval{}, err
	}
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return Approval{}, fmt.Errorf("%w: %s is not among the methods served (load its file with --methods DIR if it came from one): %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	return s.store.Approve(ctx, t.ID, opener, actor.Credential(), now, func(t tender.Tender, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
		return evaluate(t, m, s.engine, bids)
	})
}

// Approvers are the officers who have approved tender t's opening so
// far, in order (from its audit trail).
func (s *Service) Approvers(ctx context.Context, t tender.Tender) ([]string, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	events, err := store.StreamsOf(s.store).EventsOf(ctx, t.ID, tender.EventApproved)
	if err != nil {
		return nil, err
	}
	return tender.Approvers(events), nil
}

// evaluate ranks the bids of tender t under method m as the store reads
// them, one at a time: the memory of an opening is a few bids' content
// (decoded by the store, a window of four per CPU) plus a packed ranking
// row per bid (about 300 bytes, without pointers: tender.Evaluator),
// whatever the bids' sizes.
//
// When the tender declares an uncertainty report, each ranked bid's
// footprint is recomputed (checked against its received result digest)
// and kept only as its coefficients over the shared model; the sampling
// runs on GOMAXPROCS workers (the result does not depend on their number).
func evaluate(t tender.Tender, m *methods.Method, eng *calc.Engine, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
	return tender.EvaluateSeqWith(t, m, bids, tender.EvalOptions{Engine: eng, Workers: runtime.GOMAXPROCS(0)})
}

// Evaluation returns opened tender t's stored evaluation (ErrNotOpened
// before the opening).
func (s *Service) Evaluation(ctx context.Context, t tender.Tender) (*tender.Evaluation, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	if t.Status != tender.StatusOpened {
		return nil, ErrNotOpened
	}
	return s.store.Evaluation(ctx, t.ID)
}

// ExportEvaluation is Evaluation for an export: when record is set, it
// appends the exported event that says actor took the evaluation (a
// request that sends nothing, such as HTTP HEAD, records nothing). The
// edges encode it: JSON, or CSV with WriteEvaluationCSV.
//
// With record, signedHead is the audit chain's head just after the
// exported event, signed with the key file ("" without one): it vouches
// for the export, and the answer carries it (Footprint-Signed-Head).
//
// The actor's role must allow officers.ActEvaluate, and with record
// officers.ActExport; the exported event names actor.ID.
func (s *Service) ExportEvaluation(ctx context.Context, t tender.Tender, actor officers.Actor, record bool) (ev *tender.Evaluation, signedHead string, err error) {
	if err := actor.Can(officers.ActEvaluate); err != nil {
		return nil, "", err
	}
	if err := canExport(actor, record); err != nil {
		return nil, "", err
	}
	ev, err = s.Evaluation(ctx, t)
	if err != nil {
		return nil, "", err
	}
	if record {
		if signedHead, err = s.exported(ctx, t.ID, actor, tender.Digests{tender.DigestEvaluation: ev.Digest}); err != nil {
			return nil, "", err
		}
	}
	return ev, signedHead, nil
}

// ExportOCDS returns tender t's OCDS release package (package ocds; JSON
// and a newline): the tender release, and after the opening the award
// release with its bids and award, each built from the audit events it
// describes, so that the same tender gives the same bytes at any time.
// Without a public URL it is ErrNoPublicURL (an invalid one,
// ErrPublicURL), rather than a package whose uri is not absolute. When
// record is set, it appends the exported event that says actor took it,
// with the package's SHA-256 (named ocds) and, once opened, the
// evaluation's digest; signedHead is as ExportEvaluation's.
func (s *Service) ExportOCDS(ctx context.Context, t tender.Tender, actor officers.Actor, record bool) (body []byte, signedHead string, err error) {
	x, signedHead, err := s.StreamOCDS(ctx, t, actor, record)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil, "", err
	}
	return b.Bytes(), signedHead, nil
}

// CheckPublicURL checks a publisher's public URL for the OCDS export
// (ocds.CheckPublicURL) and returns it without a trailing slash: ""
// is ErrNoPublicURL, a URL that is not an absolute http(s) URL without
// query or fragment, or is too long, ErrPublicURL.
func CheckPublicURL(s string) (string, error) {
	u, err := ocds.CheckPublicURL(s)
	switch {
	case errors.Is(err, ocds.ErrNoPublicURL):
		return "", &Error{Err: ErrNoPublicURL, Detail: err.Error()}
	case err != nil:
		return "", &Error{Err: ErrPublicURL, Detail: err.Error()}
	}
	return u, nil
}

// OCDSExtensionFile returns a file of footprint's OCDS extension
// ("extension.json" or "release-schema.json"; false for any other name),
// which the package's extensions name under the public URL.
func OCDSExtensionFile(name string) ([]byte, bool) { return ocds.ExtensionFile(name) }

// ExportContractNotice returns tender t's eForms contract notice (package
// eforms: subtype 16, XML), at any state of the tender; the notice is
// dated at the tender's creation, so every export gives the same bytes.
// A tender whose notice details lack a mandatory business term is
// ErrNoticeIncomplete, naming each missing field at /notice/<field>.
// With record, the export is appended to the audit trail as an exported
// event with the notice's SHA-256 (named eforms_cn); signedHead is as
// ExportEvaluation's.
func (s *Service) ExportContractNotice(ctx context.Context, t tender.Tender, actor officers.Actor, record bool) (body []byte, signedHead string, err error) {
	if err := canExport(actor, record); err != nil {
		return nil, "", err
	}
	if err := s.Ready(); err != nil {
		return nil, "", err
	}
	body, err = eforms.ContractNoticeXML(t)
	if err != nil {
		return nil, "", noticeError(err)
	}
	if record {
		if signedHead, err = s.exported(ctx, t.ID, actor, tender.Digests{tender.DigestEFormsCN: sha256Hex(body)}); err != nil {
			return nil, "", err
		}
	}
	return body, signedHead, nil
}

// ExportAwardNotice returns opened tender t's eForms contract award
// notice (subtype 29, XML), built from the stored evaluation and the
// bids' heads and dated at the opening (ErrNotOpened before). The winner
// is the first-ranked bid, whose organisation details w gives (a bid
// names its supplier only); with no ranked bid the lot is closed without
// a winner and w is not needed. Missing details are ErrNoticeIncomplete,
// each named (/notice/<field>, or winner_… for w). With record, the
// export is appended to the audit trail (digests eforms_can and
// evaluation).
func (s *Service) ExportAwardNotice(ctx context.Context, t tender.Tender, w *eforms.Winner, actor officers.Actor, record bool) (body []byte, signedHead string, err error) {
	if err := canExport(actor, record); err != nil {
		return nil, "", err
	}
	ev, err := s.Evaluation(ctx, t)
	if err != nil {
		return nil, "", err
	}
	bids, err := s.store.BidHeads(ctx, t.ID)
	if err != nil {
		return nil, "", err
	}
	// The opened events only: a tender's trail has one event a bid.
	events, err := store.StreamsOf(s.store).EventsOf(ctx, t.ID, tender.EventOpened)
	if err != nil {
		return nil, "", err
	}
	var opened time.Time
	for _, e := range events {
		if e.Kind == tender.EventOpened {
			opened = e.At
		}
	}
	if opened.IsZero() {
		return nil, "", fmt.Errorf("tender %s is opened but its audit trail has no opened event: footprint tenders verify", clip.Prefix(t.ID))
	}
	body, err = eforms.AwardNoticeXML(t, ev, bids, opened, w)
	if err != nil {
		return nil, "", noticeError(err)
	}
	if record {
		digests := tender.Digests{tender.DigestEFormsCAN: sha256Hex(body), tender.DigestEvaluation: ev.Digest}
		if signedHead, err = s.exported(ctx, t.ID, actor, digests); err != nil {
			return nil, "", err
		}
	}
	return body, signedHead, nil
}

// noticeError makes an eforms.MissingError an *Error of
// ErrNoticeIncomplete with one problem per missing field.
func noticeError(err error) error {
	var me *eforms.MissingError
	if !errors.As(err, &me) {
		return err
	}
	e := &Error{Err: ErrNoticeIncomplete, Detail: me.Error()}
	for _, f := range me.Fields {
		ptr := "/notice/" + f
		detail := "required by an eForms notice; add it to the tender's notice details"
		if strings.HasPrefix(f, "winner_") || f == "contract_date" {
			ptr, detail = f, "required by the award notice: the winner's organisation details are not in the bid; give them with the export"
		}
		e.Problems = append(e.Problems, tender.Problem{Pointer: ptr, Detail: detail})
	}
	return e
}

// canExport checks that actor may take an export (officers.ActExport);
// any role that reads tenders may ask without recording (HTTP HEAD).
func canExport(actor officers.Actor, record bool) error {
	if record {
		return actor.Can(officers.ActExport)
	}
	return actor.Can(officers.ActRead)
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// exported appends an exported event.
func (s *Service) exported(ctx context.Context, tenderID string, actor officers.Actor, digests tender.Digests) (string, error) {
	ev, err := s.store.AppendEvent(ctx, tenderID, tender.EventExported, actor.ID, digests, s.Now())
	return ev.SignedHead, err
}

// Audit checks tender id's audit trail against the stored tender, bids
// and evaluation: every event's hash, the chain's links and head, and the
// digests the events recorded. Events is never nil; each names the
// actor (an officer id) that caused it. The actor's role must allow
// officers.ActAudit.
func (s *Service) Audit(ctx context.Context, id string, actor officers.Actor) (store.VerifyResult, error) {
	if err := actor.Can(officers.ActAudit); err != nil {
		return store.VerifyResult{}, err
	}
	if err := s.Ready(); err != nil {
		return store.VerifyResult{}, err
	}
	res, err := s.store.Verify(ctx, id)
	if err != nil {
		return res, err
	}
	if res.Events == nil {
		res.Events = []tender.Event{}
	}
	return res, nil
}

// Winner is the winning tenderer's organisation details an award notice
// needs and a bid does not hold (eforms.Winner).
type Winner = eforms.Winner

// WinnerParams name Winner's fields as the edges take them (query
// parameters, command-line flags).
var WinnerParams = eforms.WinnerParams

// ParseWinner reads a Winner from its parameters (eforms.ParseWinner):
// nil when none is given, and the problems of the given ones by name.
func ParseWinner(get func(name string) string) (*Winner, map[string]string) {
	return eforms.ParseWinner(get)
}
