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
)

// MaxDigests is the most digests one event may carry.
const MaxDigests = 64

// GenesisHash is the prev_hash of a chain's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of a tender's audit trail. Hash is the SHA-256 of the
// canonical encoding of every other field, PrevHash that of the event
// before it, so editing, removing or reordering an event breaks the chain
// from that event on. (Removing the last events cannot be seen from the
// chain alone: keep the head's hash or seq with the tender.)
type Event struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Kind     EventKind `json:"kind"`
	Actor    string    `json:"actor"`
	Digests  []string  `json:"digests"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
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
// computing its hash. Digests are kept sorted, so their order does not
// matter to the hash. It refuses an unknown kind, an empty or overlong
// actor, and empty, overlong or too many digests.
func NewEvent(prev *Event, kind EventKind, actor string, at time.Time, digests []string) (Event, error) {
	switch kind {
	case EventCreated, EventBidReceived, EventWithdrawn, EventOpened, EventEvaluated, EventExported:
	default:
		return Event{}, fmt.Errorf("%w: event kind %q: use created, bid_received, withdrawn, opened, evaluated or exported", ErrInvalid, clip.Text(string(kind)))
	}
	if msg := checkText(actor); msg != "" {
		return Event{}, fmt.Errorf("%w: event actor: %s", ErrInvalid, msg)
	}
	if len(digests) > MaxDigests {
		return Event{}, fmt.Errorf("%w: %d digests; at most %d per event", ErrInvalid, len(digests), MaxDigests)
	}
	for i, d := range digests {
		if msg := checkText(d); msg != "" {
			return Event{}, fmt.Errorf("%w: digest %d: %s", ErrInvalid, i, msg)
		}
	}
	e := Event{Seq: 1, At: Stamp(at), Kind: kind, Actor: actor, Digests: append([]string{}, digests...), PrevHash: GenesisHash}
	sort.Strings(e.Digests)
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = e.ComputeHash()
	return e, nil
}

// ComputeHash is the hex SHA-256 of the event's canonical encoding: a
// version tag, then seq, at (RFC 3339 with nanoseconds, UTC), kind, actor,
// the digests sorted, and prev_hash, each as its byte length, ":" and its
// bytes, so that no two different events encode alike.
func (e *Event) ComputeHash() string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field("footprint-audit-v1")
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(string(e.Kind))
	field(e.Actor)
	ds := append([]string{}, e.Digests...)
	sort.Strings(ds)
	field(strconv.Itoa(len(ds)))
	for _, d := range ds {
		field(d)
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
