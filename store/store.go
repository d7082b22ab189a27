// Package store persists tenders, bids, evaluations and their audit trail
// (DESIGN "Tenders"): SQLite embedded by default (sqlite:PATH, pure Go via
// modernc.org/sqlite), PostgreSQL for several servers sharing one database
// (postgres://…, via jackc/pgx/v5). Schema migrations are embedded and
// versioned (pressly/goose) and applied by Open.
//
// Every method that writes runs in one transaction, and checks what must
// hold at the moment of writing inside it (the deadline, the tender's
// state, a bid already withdrawn, an opening already done), with the
// tender's row locked, so that several servers on one PostgreSQL database
// can never accept a bid after the deadline or open a tender twice. Every
// write appends its audit event (tender.NewEvent) in the same transaction.
//
// The domain rules live in package tender; the store applies them with
// the clock value the caller passes (now), so that tests can move time.
// Secrets (the officer token, bid tokens) are stored only as hashes
// (tender.HashToken).
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// Sentinel errors of the store. The domain's own (tender.ErrDeadlinePassed,
// tender.ErrTooEarly, …) pass through unchanged, wrapped with context.
var (
	// ErrNotFound marks a tender, bid or evaluation that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyOpened marks a second opening of a tender.
	ErrAlreadyOpened = errors.New("tender already opened")
	// ErrIdempotencyConflict marks an Idempotency-Key reused with a
	// different bid. Its message tells nothing of the stored bid.
	ErrIdempotencyConflict = errors.New("this Idempotency-Key cannot be used for this request")
	// ErrUnsupportedURL marks a database URL of an unknown scheme.
	ErrUnsupportedURL = errors.New("unsupported database URL")
)

// Store is the persistence the REST service, the web pages and the CLI use.
// Implementations: SQLite and PostgreSQL (Open picks by URL). All times are
// at tender.Stamp resolution; all decimals are stored as exact text.
type Store interface {
	// CreateTender stores a new, validated tender (the caller has set
	// Method, Status open and Created), assigns its ID, and appends the
	// created event (actor, digest tender.TenderDigest).
	CreateTender(ctx context.Context, t tender.Tender, actor string) (tender.Tender, error)
	// Tender returns one tender.
	Tender(ctx context.Context, id string) (tender.Tender, error)
	// Tenders lists every tender, newest first.
	Tenders(ctx context.Context) ([]tender.Tender, error)

	// SubmitBid stores a prepared bid (tender.PrepareBid) with the hash of
	// its bid token, after checking tender.CanSubmit at now and
	// tender.CanAddBid (the tender's bid cap) inside the transaction,
	// assigns its ID and appends the bid_received event (digest
	// tender.BidDigest, and the receipt's result digest). With a
	// non-empty keyHash (HashIdempotencyKey of the Idempotency-Key: the
	// key itself is never stored), a retry with the same key and the same
	// bid content returns the stored bid and replayed=true (the caller
	// must not show a new token: it returns the token hash only); the same
	// key with a different bid is ErrIdempotencyConflict, whose message
	// names nothing of the stored bid.
	//
	// secrets (at most one) are the submission's bid token and key, of
	// which the store keeps copies of the content sealed under them
	// (BidSecrets): a tender in committee custody's bids open with
	// nothing else before the opening.
	SubmitBid(ctx context.Context, tenderID string, b tender.Bid, tokenHash, keyHash string, now time.Time, secrets ...BidSecrets) (stored tender.Bid, replayed bool, err error)
	// Bid returns one bid and the hash of its token. Callers decide who may
	// read it (the token's holder; an officer only after opening). Before
	// the opening of a tender in committee custody its content opens only
	// with token (the bid token's secret, given as the one optional
	// argument): ErrCommitteeSealed without it.
	Bid(ctx context.Context, tenderID, bidID string, token ...string) (tender.Bid, string, error)
	// BidTokenHash returns the hash of bid bidID's token and nothing else:
	// one narrow read, the same whatever the bid's size, so that checking
	// a credential costs the same for any bid (ErrNotFound when none).
	BidTokenHash(ctx context.Context, tenderID, bidID string) (string, error)
	// Bids returns every bid of a tender, withdrawn ones included, in
	// receipt order, with their content. Before opening, callers show only
	// BidSummaries.
	Bids(ctx context.Context, tenderID string) ([]tender.Bid, error)
	// BidHeads returns every bid of a tender as Bids does but without its
	// lines and limit results (Lines and Footprint.Limits nil), reading
	// one bid's content at a time: what a listing of bidders and prices
	// needs (the OCDS export), in memory that does not grow with the bids'
	// sizes.
	BidHeads(ctx context.Context, tenderID string) ([]tender.Bid, error)
	// BidSummaries returns what is kept of every bid of a tender apart
	// from its content (ids, times, digests), in receipt order, without
	// reading (or decrypting) any bid's content.
	BidSummaries(ctx context.Context, tenderID string) ([]BidSummary, error)
	// WithdrawBid marks a bid withdrawn at now after checking
	// tender.CanWithdraw inside the transaction, and appends the withdrawn
	// event. The bid is kept.
	WithdrawBid(ctx context.Context, tenderID, bidID string, now time.Time) error

	// Open checks tender.CanOpen at now inside the transaction (and that
	// it was not opened: ErrAlreadyOpened), calls evaluate with the tender
	// and its bids, stores the evaluation, sets the status opened, and
	// appends the opened and evaluated events, all in one transaction.
	// The bids are a sequence read from the database one at a time, in
	// receipt order (withdrawn ones included), each with its content:
	// evaluate ranges over it once and keeps what it needs of each bid,
	// so that opening holds a few bids in memory at a time (sealed bids
	// are decrypted by one worker per CPU, at most four per CPU ahead of
	// evaluate; an error of the reading comes as the sequence's error
	// value; evaluate returns it).
	//
	// A tender with an opening committee opens this way only when its
	// committee is of one (K = 1) and actor is its opener: the opening is
	// then that opener's approval (an approved event before the opened
	// one). For K > 1 it is tender.ErrApprovalsNeeded (use Approve); for
	// an actor not on the committee, tender.ErrNotOpener.
	//
	// credential is the actor's personal token, which unlocks their
	// share of a tender in committee custody (Approve); "" for none.
	Open(ctx context.Context, tenderID, actor, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error)
	// Approve records opener's approval of the opening of a tender with a
	// committee, after checking tender.CanApprove at now inside the
	// transaction (the deadline passed, not opened, opener a member), as
	// an approved event; a repeated approval by the same opener records
	// nothing (Approval.Repeated). The committee's K-th distinct approval
	// opens the tender in the same transaction, as Open does (evaluate).
	//
	// For a tender in committee custody (tender.Custody) the approval
	// also releases the opener's key share: with the key file for a share
	// the server holds, else unlocked with credential, the opener's
	// personal token (ErrShareLocked when it does not unlock it; nothing
	// is recorded then). The released share is kept sealed to the key
	// file; the K-th rebuilds the tender key in memory and keeps it
	// wrapped to the key file, as an opened tender's.
	Approve(ctx context.Context, tenderID, opener, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (Approval, error)
	// Evaluation returns a tender's stored evaluation (ErrNotFound before
	// opening).
	Evaluation(ctx context.Context, tenderID string) (*tender.Evaluation, error)

	// AppendEvent appends an event that records no change of state (e.g.
	// exported) to a tender's chain.
	AppendEvent(ctx context.Context, tenderID string, kind tender.EventKind, actor string, digests tender.Digests, now time.Time) (tender.Event, error)
	// Events returns a tender's audit chain in order.
	Events(ctx context.Context, tenderID string) ([]tender.Event, error)
	// Verify checks a tender's chain (tender.Verify) and, beyond it, that
	// the stored tender and every stored bid still have the digests their
	// events carry, and that the chain's head matches the head kept with
	// the tender (so a truncated chain is seen). It names the first bad
	// event.
	Verify(ctx context.Context, tenderID string) (VerifyResult, error)

	// Setting and SetSetting keep small server values, such as the hash of
	// a generated officer token or the key that signs session cookies.
	Setting(ctx context.Context, name string) (string, bool, error)
	SetSetting(ctx context.Context, name, value string) error

	// Close releases the database.
	Close() error
}

// Approval is the outcome of Store.Approve.
type Approval struct {
	// Approvers are the distinct openers who have approved, in order,
	// this one included; K is how many the committee needs.
	Approvers []string
	K         int
	// Repeated: the opener had approved before; nothing was recorded.
	Repeated bool
	// Event is the approved event recorded (zero when Repeated).
	Event tender.Event
	// Evaluation is set when this approval opened the tender.
	Evaluation *tender.Evaluation
}

// BidSummary is what a store keeps of a bid beside its content, for the
// sealed list: written with the bid (and, for bids stored before these
// were kept, by migration 00003), so that listing a tender's bids reads
// no bid's lines.
type BidSummary struct {
	ID          string
	ReceivedAt  time.Time
	WithdrawnAt *time.Time
	// BidDigest is tender.BidDigest of the bid as received; ResultDigest
	// its footprint report's result digest.
	// Both are empty for a bid received with a commitment: the sealed
	// list shows Commitment instead, which reveals nothing.
	BidDigest    string
	ResultDigest string
	// Commitment is the bid's salted commitment (tender.DigestCommitment).
	Commitment string
}

// HashIdempotencyKey is what a store keeps of an Idempotency-Key: the hex
// SHA-256 of the key under a fixed label, so that reading the database
// gives no key to replay (keys are at least 128 random bits: a plain hash
// cannot be brute-forced).
func HashIdempotencyKey(key string) string {
	sum := sha256.Sum256([]byte("footprint idempotency key\x00" + key))
	return hex.EncodeToString(sum[:])
}

// VerifyResult is the answer of Store.Verify.
type VerifyResult struct {
	Verified bool `json:"verified"`
	// FirstBadSeq is the first event that does not verify (0 when verified).
	FirstBadSeq int64 `json:"first_bad_seq,omitempty"`
	// Problem says what failed, naming the event.
	Problem string `json:"problem,omitempty"`
	// Signatures says what vouches for the chain beyond the database:
	// "verified" (every event carries a signed head that verifies with the
	// key file's keys and matches it), "absent" (no event is signed: the
	// chain was written without a key file, and only the database vouches
	// for it), "unchecked" (signed, but no keys were given to check them).
	// Empty from a store opened without Options.
	Signatures string `json:"signatures,omitempty"`
	// CheckpointSeq is the newest seq of the tender's heads in the
	// checkpoint file kept outside the database, each of which the chain
	// still holds (0: none, or no checkpoint given).
	CheckpointSeq int64          `json:"checkpoint_seq,omitempty"`
	Events        []tender.Event `json:"events"`
}
