package tender

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// EventKind is what an audit event records.
type EventKind string

// Audit event kinds.
const (
	EventCreated     EventKind = "created"
	EventBidReceived EventKind = "bid_received"
	EventWithdrawn   EventKind = "withdrawn"
	EventOpened      EventKind = "opened"
	EventEvaluated   EventKind = "evaluated"
	EventExported    EventKind = "exported"
	// EventSealed records the recipient a tender's bids are sealed to,
	// for a tender created before its created event recorded it (the
	// store gives such a tender a key when it first opens the database
	// with the key file).
	EventSealed EventKind = "sealed"
	// EventApproved records one opener's approval of the opening (actor:
	// the opener's id), after the deadline; the tender opens at the
	// committee's K-th distinct approval.
	EventApproved EventKind = "approved"
)

// MaxDigests is the most digests one event may carry.
const MaxDigests = 64

// Digests are an event's digests by name, each naming what it is the
// digest of. JSON is an object: {"bid": "…", "result": "…"}.
type Digests map[string]string

// Names of the digests events carry.
const (
	// DigestTender is tender.TenderDigest of the tender (created,
	// approved, opened).
	DigestTender = "tender"
	// DigestBid is BidDigest of the bid (bid_received, withdrawn).
	DigestBid = "bid"
	// DigestResult is the bid's footprint report's result digest
	// (bid_received).
	DigestResult = "result"
	// DigestCommitment is the bid's salted commitment (bid_received,
	// withdrawn): seal.Commit of CommitmentContent under a secret nonce
	// revealed at opening. Bids received before commitments carry their
	// plain bid and result digests instead.
	DigestCommitment = "commitment"
	// DigestIdempotency is the stored hash of the bid's Idempotency-Key
	// (bid_received, when it had one), so that a key moved to another bid
	// in the database shows.
	DigestIdempotency = "idempotency"
	// DigestToken is the stored hash of the bid's token (bid_received), so
	// that swapping a bid's token hash in the database shows.
	DigestToken = "token"
	// DigestEvaluation is the evaluation's digest (evaluated, exported).
	DigestEvaluation = "evaluation"
	// DigestOCDS is the SHA-256 of an exported OCDS package (exported).
	DigestOCDS = "ocds"
	// DigestEFormsCN and DigestEFormsCAN are the SHA-256 of an exported
	// eForms contract notice and contract award notice (exported).
	DigestEFormsCN  = "eforms_cn"
	DigestEFormsCAN = "eforms_can"
	// DigestRecipient is RecipientDigest of the public recipient the
	// tender's bids are sealed to (created, sealed), so that a database
	// writer cannot put a recipient of its own in the tender's row.
	DigestRecipient = "recipient"
)

// kindDigests are the names each kind of event records, in the order in
// which NameLegacy gives them to the values it cannot match.
var kindDigests = map[EventKind][]string{
	EventCreated:     {DigestTender},
	EventBidReceived: {DigestBid, DigestResult},
	EventWithdrawn:   {DigestBid},
	EventOpened:      {DigestTender},
	EventEvaluated:   {DigestEvaluation},
	EventExported:    {DigestOCDS, DigestEvaluation},
	EventSealed:      {DigestRecipient},
	EventApproved:    {DigestTender},
}

// CommitmentContent is what a bid's commitment commits to: its digest
// (BidDigest) and its footprint's result digest, in one unambiguous text.
func CommitmentContent(bidDigest, resultDigest string) []byte {
	return []byte("footprint-bid-v1\nbid " + bidDigest + "\nresult " + resultDigest + "\n")
}

// Hash versions: the first field of an event's canonical encoding.
const (
	// hashV1 covers the digests' values only, sorted: events stored before
	// digests were named.
	hashV1 = "footprint-audit-v1"
	// hashV2 covers each digest's name and value, sorted by name.
	hashV2 = "footprint-audit-v2"
)

// RecipientDigest is the hex SHA-256 of a tender's public recipient (the
// age1… text its bids are sealed to), under a fixed label: the value of
// the DigestRecipient digest.
func RecipientDigest(recipient string) string {
	sum := sha256.Sum256([]byte("footprint tender recipient\x00" + recipient))
	return hex.EncodeToString(sum[:])
}

// GenesisHash is the prev_hash of a chain's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of a tender's audit trail. Hash is the SHA-256 of the
// canonical encoding of every other field, PrevHash that of the event
// before it, so editing, removing or reordering an event breaks the chain
// from that event on. (Removing the last events cannot be seen from the
// chain alone: keep the head's hash or seq with the tender.)
type Event struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	Actor   string    `json:"actor"`
	Digests Digests   `json:"digests"`
	// Legacy marks an event stored before digests were named: its hash
	// covers the digests' values only (footprint-audit-v1), so renaming
	// them changes nothing it proves; the names were given when it was
	// read (NameLegacy). Omitted for the others (footprint-audit-v2).
	Legacy   bool   `json:"legacy,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
	// SignedHead is the chain's head after this event, signed with a key
	// the database does not hold (seal.SignedHead text); empty for events
	// written without a key file. Not covered by Hash: it vouches for it.
	SignedHead string `json:"signed_head,omitempty"`
}

// Chain errors, each wrapped in a *ChainError naming the event.
var (
	ErrHashMismatch = errors.New("hash does not recompute")
	ErrBrokenLink   = errors.New("prev_hash is not the previous event's hash")
	ErrSeqGap       = errors.New("seq out of order")
)

// ChainError names the first event of a chain that does not verify.
type ChainError struct {
	Seq    int64
	Err    error
	Detail string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit event %d: %v: %s", e.Seq, e.Err, e.Detail)
}

// Unwrap returns the chain sentinel.
func (e *ChainError) Unwrap() error { return e.Err }

// NewEvent appends an event after prev (nil for the first), stamping at
// (Stamp: UTC microseconds, so that the hash survives a store) and
// computing its hash, which covers every digest's name and value. It
// refuses an unknown kind, an empty or overlong actor, too many digests,
// a name that is not lower-case letters, digits and "_" (at most 32,
// starting with a letter), and an empty or overlong value.
func NewEvent(prev *Event, kind EventKind, actor string, at time.Time, digests Digests) (Event, error) {
	if _, ok := kindDigests[kind]; !ok {
		return Event{}, fmt.Errorf("%w: event kind %q: use created, bid_received, withdrawn, approved, opened, evaluated, exported or sealed", ErrInvalid, clip.Text(string(kind)))
	}
	if msg := checkText(actor); msg != "" {
		return Event{}, fmt.Errorf("%w: event actor: %s", ErrInvalid, msg)
	}
	if len(digests) > MaxDigests {
		return Event{}, fmt.Errorf("%w: %d digests; at most %d per event", ErrInvalid, len(digests), MaxDigests)
	}
	e := Event{Seq: 1, At: Stamp(at), Kind: kind, Actor: actor, Digests: make(Digests, len(digests)), PrevHash: GenesisHash}
	for _, name := range digests.Names() {
		if !validDigestName(name) {
			return Event{}, fmt.Errorf("%w: digest name %q: lower-case letters, digits and _, at most 32, starting with a letter", ErrInvalid, clip.Text(name))
		}
		if msg := checkText(digests[name]); msg != "" {
			return Event{}, fmt.Errorf("%w: digest %s: %s", ErrInvalid, name, msg)
		}
		e.Digests[name] = digests[name]
	}
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = e.ComputeHash()
	return e, nil
}

// validDigestName reports whether name is a digest name NewEvent takes.
func validDigestName(name string) bool {
	if name == "" || len(name) > 32 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Names are the digests' names, sorted.
func (d Digests) Names() []string {
	names := make([]string, 0, len(d))
	for n := range d {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Values are the digests' values, sorted: what the hash of a legacy event
// covers.
func (d Digests) Values() []string {
	vs := make([]string, 0, len(d))
	for _, v := range d {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return vs
}

// NameLegacy names the digests of an event stored before digests were
// named, a list of values: a value found in known (value → name, e.g.
// from the stored tender, bids and evaluation) takes that name, and the
// others take, in order, the names kind records that are still free, then
// "digest_1", "digest_2"… The names are for reading: the event's hash
// covers the values only (Event.Legacy).
func NameLegacy(kind EventKind, values []string, known map[string]string) Digests {
	out := make(Digests, len(values))
	var rest []string
	for _, v := range values {
		if n, ok := known[v]; ok && validDigestName(n) {
			if _, taken := out[n]; !taken {
				out[n] = v
				continue
			}
		}
		rest = append(rest, v)
	}
	free := []string{}
	for _, n := range kindDigests[kind] {
		if _, taken := out[n]; !taken {
			free = append(free, n)
		}
	}
	for i, v := range rest {
		n := ""
		if i < len(free) {
			n = free[i]
		}
		for k := i + 1; n == ""; k++ {
			if c := "digest_" + strconv.Itoa(k); out[c] == "" {
				n = c
			}
		}
		out[n] = v
	}
	return out
}

// ComputeHash is the hex SHA-256 of the event's canonical encoding: a
// version tag, then seq, at (RFC 3339 with nanoseconds, UTC), kind,
// actor, the number of digests, the digests, and prev_hash, each as its
// byte length, ":" and its bytes, so that no two different events encode
// alike. The digests are written as name and value, sorted by name
// (footprint-audit-v2), or for a Legacy event as values only, sorted
// (footprint-audit-v1, the encoding of events stored before digests were
// named, which therefore still verify).
func (e *Event) ComputeHash() string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	if e.Legacy {
		field(hashV1)
	} else {
		field(hashV2)
	}
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(string(e.Kind))
	field(e.Actor)
	field(strconv.Itoa(len(e.Digests)))
	if e.Legacy {
		for _, v := range e.Digests.Values() {
			field(v)
		}
	} else {
		for _, n := range e.Digests.Names() {
			field(n)
			field(e.Digests[n])
		}
	}
	field(e.PrevHash)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Verify checks a tender's chain in order: seq runs 1, 2, 3…, each hash
// recomputes, and each prev_hash is the hash before it (GenesisHash for
// the first). It returns ok, and when not ok the seq of the first event
// that fails (the seq found at that place) and a *ChainError saying what
// failed. An empty chain verifies.
func Verify(events []Event) (ok bool, firstBadSeq int64, err error) {
	prev := GenesisHash
	for i := range events {
		e := &events[i]
		want := int64(i) + 1
		if e.Seq != want {
			return false, e.Seq, &ChainError{Seq: e.Seq, Err: ErrSeqGap, Detail: fmt.Sprintf("found at position %d, where seq %d belongs (an event was removed or reordered)", i+1, want)}
		}
		if h := e.ComputeHash(); h != e.Hash {
			return false, e.Seq, &ChainError{Seq: e.Seq, Err: ErrHashMismatch, Detail: fmt.Sprintf("stored %s, recomputed %s (the %s event was edited)", clip.Prefix(e.Hash), h, clip.Prefix(string(e.Kind)))}
		}
		if e.PrevHash != prev {
			return false, e.Seq, &ChainError{Seq: e.Seq, Err: ErrBrokenLink, Detail: fmt.Sprintf("prev_hash %s, previous event's hash %s", clip.Prefix(e.PrevHash), prev)}
		}
		prev = e.Hash
	}
	return true, 0, nil
}
