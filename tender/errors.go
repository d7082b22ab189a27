package tender

import (
	"errors"
	"fmt"
	"strings"

	"github.com/footprint-gpp/footprint/factors"
)

// Sentinel errors of the state rules. The edge maps them to 409 Conflict
// (or 403 where the credential is right but the thing is wrong).
var (
	// ErrNotOpen: the tender does not accept bids or changes in its state.
	ErrNotOpen = errors.New("tender is not open")
	// ErrDeadlinePassed: the action needed to happen before the deadline.
	ErrDeadlinePassed = errors.New("deadline has passed")
	// ErrTooEarly: the action needs the deadline to have passed.
	ErrTooEarly = errors.New("deadline has not passed yet")
	// ErrTenderFrozen: the tender already has a bid, so it cannot change.
	ErrTenderFrozen = errors.New("tender has bids and cannot change")
	// ErrAlreadyOpened: the tender was opened already.
	ErrAlreadyOpened = errors.New("tender is already opened")
	// ErrCancelled: the tender was cancelled.
	ErrCancelled = errors.New("tender is cancelled")
	// ErrWithdrawn: the bid was withdrawn already.
	ErrWithdrawn = errors.New("bid is withdrawn")
	// ErrTooManyBids: the tender holds its declared maximum of bids
	// (Tender.MaxBids) already.
	ErrTooManyBids = errors.New("tender holds its maximum number of bids")
	// ErrNotOpener: the officer is not on the tender's opening committee
	// (403: the credential is right, the person is not).
	ErrNotOpener = errors.New("not a member of the tender's opening committee")
	// ErrApprovalsNeeded: the tender's committee needs more than one
	// approval; each opener approves (POST /v1/tenders/{id}/approvals).
	ErrApprovalsNeeded = errors.New("opening needs the committee's approvals")
	// ErrNoCommittee: the tender has no opening committee (it was created
	// before committees), so it takes no approvals: it opens as before.
	ErrNoCommittee = errors.New("tender has no opening committee")
)

// Sentinel errors of validation and evaluation. Each wraps
// factors.ErrInvalid, so the edge answers them as invalid input (422)
// with the one table it already has.
var (
	// ErrInvalid: a field is malformed, missing or out of range.
	ErrInvalid = fmt.Errorf("%w", factors.ErrInvalid)
	// ErrCurrencyMismatch: a price is not in the tender's currency.
	ErrCurrencyMismatch = fmt.Errorf("%w: currency differs from the tender's", factors.ErrInvalid)
	// ErrUnknownLevel: a ladder level is not in the tender's table.
	ErrUnknownLevel = fmt.Errorf("%w: ladder level not in the tender's table", factors.ErrInvalid)
	// ErrDeadlineNotFuture: a new tender's deadline is not after now.
	ErrDeadlineNotFuture = fmt.Errorf("%w: deadline is not in the future", factors.ErrInvalid)
	// ErrMethodMismatch: a method or footprint is not the tender's pinned
	// method version (its digest differs).
	ErrMethodMismatch = fmt.Errorf("%w: not the tender's pinned method", factors.ErrInvalid)
)

// Problem is one thing wrong with a tender or bid, located by a JSON
// Pointer (RFC 6901) into its JSON form, e.g. "/award/carbon_price_per_t".
type Problem struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	// Err is the sentinel behind the problem, for errors.Is; not serialised.
	Err error `json:"-"`
}

func (p Problem) String() string { return p.Pointer + ": " + p.Detail }

// ValidationError lists every problem found, in field order.
type ValidationError struct {
	// What is "tender" or "bid".
	What     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in %s: %s", len(e.Problems), e.What, strings.Join(s, "; "))
}

// Unwrap exposes every problem's sentinel (and factors.ErrInvalid) to
// errors.Is.
func (e *ValidationError) Unwrap() []error {
	out := []error{factors.ErrInvalid}
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}

// problems collects Problems; its err is nil when there are none.
type problems struct {
	what string
	list []Problem
}

func (ps *problems) add(ptr string, kind error, format string, args ...any) {
	ps.list = append(ps.list, Problem{Pointer: ptr, Detail: fmt.Sprintf(format, args...), Err: kind})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{What: ps.what, Problems: ps.list}
}

// pointerToken escapes a map key for a JSON Pointer (RFC 6901: "~" as
// "~0", "/" as "~1"), shortened so a pointer never grows with the input.
func pointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(clipPrefix(s))
}
