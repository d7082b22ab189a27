package tenders

import (
	"fmt"
	"strings"
	"sync"
)

// Idempotency keys (docs/api.md "Idempotency"). A key lets whoever holds
// it replay a submission, so a key must be as hard to guess as a
// credential: at least 128 random bits, written in base64 (standard or
// URL alphabet, padding allowed) or hex. The server can only check the
// form, so the rule is on the form:
//
//   - 22 to 255 characters from A–Z a–z 0–9 - _ + / (with = padding only
//     at the end, not counted): 22 base64 symbols carry 132 bits;
//   - a key made of hex digits only (and - separators) needs 32 hex
//     digits (128 bits), e.g. `openssl rand -hex 16`;
//   - at least MinKeyDistinct different characters, so that "aaaa…" or
//     "abab…" is refused (a random key has fewer with probability below
//     10⁻¹²).
//
// The store keeps only store.HashIdempotencyKey of a key, scoped to its
// tender; a replay is answered only for the same bid content.
const (
	// MinIdempotencyKey is the fewest base64 symbols of a key.
	MinIdempotencyKey = 22
	// MinHexIdempotencyKey is the fewest hex digits of a hex key.
	MinHexIdempotencyKey = 32
	// MaxIdempotencyKey is the longest key, in characters.
	MaxIdempotencyKey = 255
	// MinKeyDistinct is the fewest different characters of a key.
	MinKeyDistinct = 6
)

// KeyAdvice says how to make a key that CheckIdempotencyKey accepts.
const KeyAdvice = "use at least 128 random bits, e.g. the output of `openssl rand -base64 32` (44 characters) or `openssl rand -hex 16`, a new one for every bid"

// CheckIdempotencyKey returns ErrWeakIdempotencyKey, saying why, when key
// is not of the form of an unguessable key (see the rule above). The key
// itself is never repeated: it is a secret.
func CheckIdempotencyKey(key string) error {
	fail := func(why string) error {
		return &Error{Err: ErrWeakIdempotencyKey, Detail: "Idempotency-Key: " + why + "; " + KeyAdvice}
	}
	if len(key) > MaxIdempotencyKey {
		return fail(fmt.Sprintf("%d characters, at most %d", len(key), MaxIdempotencyKey))
	}
	body := strings.TrimRight(key, "=")
	if len(key)-len(body) > 2 {
		return fail("more than two = of padding at its end")
	}
	hexOnly := true
	seen := map[rune]bool{}
	digits := 0
	for _, c := range body {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits++
		case c == '-':
		case c >= 'g' && c <= 'z', c >= 'G' && c <= 'Z', c == '_', c == '+', c == '/':
			hexOnly = false
		default:
			return fail("a character outside the base64 and hex alphabets (A-Z a-z 0-9 - _ + / and = padding at the end)")
		}
		seen[c] = true
	}
	switch {
	case hexOnly && digits < MinHexIdempotencyKey:
		return fail(fmt.Sprintf("%d hex digits, at least %d (128 bits)", digits, MinHexIdempotencyKey))
	case !hexOnly && len(body) < MinIdempotencyKey:
		return fail(fmt.Sprintf("%d characters, at least %d (base64: 132 bits)", len(body), MinIdempotencyKey))
	case len(seen) < MinKeyDistinct:
		return fail(fmt.Sprintf("%d different characters, at least %d: it does not look random", len(seen), MinKeyDistinct))
	}
	return nil
}

// MaxConcurrentSubmissions bounds the submissions to one tender read,
// computed and stored at once (Admit), in units of SubmissionUnit bytes of
// body: a bid of up to SubmissionUnit takes one unit, a larger one a unit
// per SubmissionUnit (rounded up), one of unknown length (no
// Content-Length) MaxConcurrentSubmissions/4. So 16 small bids proceed at
// once, but only four 10,000-line bids (about 0.9 MB of body each, and
// about 50 MB while decoded and computed): one tender's submissions take
// about 200 MB at most (TestConcurrentBigBidsBounded). More are ErrBusy,
// to be retried after SubmitRetryAfterSeconds.
const MaxConcurrentSubmissions = 16

// SubmissionUnit is the body size one unit of MaxConcurrentSubmissions
// covers.
const SubmissionUnit = 256 << 10

// SubmitRetryAfterSeconds is when a caller refused with ErrBusy should
// try again.
const SubmitRetryAfterSeconds = 1

// slots counts the units of the submissions in progress per tender.
type slots struct {
	mu   sync.Mutex
	busy map[string]int
}

// Admit takes the units (MaxConcurrentSubmissions) a submission of size
// bytes of body needs (size < 0: unknown) from tender tenderID's, before
// its body is read: ErrBusy when they are not free. Call release once the
// submission is answered. Tenders without a submission in progress take
// no memory.
func (s *Service) Admit(tenderID string, size int64) (release func(), err error) {
	units := MaxConcurrentSubmissions / 4
	if size >= 0 {
		units = int(min((size+SubmissionUnit-1)/SubmissionUnit, MaxConcurrentSubmissions))
	}
	units = max(units, 1)
	s.slots.mu.Lock()
	defer s.slots.mu.Unlock()
	if s.slots.busy[tenderID]+units > MaxConcurrentSubmissions {
		return nil, &Error{Err: ErrBusy, Detail: fmt.Sprintf("this tender is receiving as many bids as it takes at once; retry after %d second(s)", SubmitRetryAfterSeconds)}
	}
	if s.slots.busy == nil {
		s.slots.busy = map[string]int{}
	}
	s.slots.busy[tenderID] += units
	var once sync.Once
	return func() {
		once.Do(func() {
			s.slots.mu.Lock()
			defer s.slots.mu.Unlock()
			if s.slots.busy[tenderID] -= units; s.slots.busy[tenderID] <= 0 {
				delete(s.slots.busy, tenderID)
			}
		})
	}, nil
}
