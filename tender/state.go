package tender

import (
	"fmt"
	"time"
)

// State is the tender's state at now: its stored status, except that an
// open tender whose deadline is not after now is closed. At the deadline
// itself the tender is closed: bids are accepted strictly before it.
func State(t Tender, now time.Time) Status {
	if t.Status == StatusOpen && !now.Before(t.Deadline) {
		return StatusClosed
	}
	return t.Status
}

// notOpen explains why a tender in state s accepts nothing.
func notOpen(t Tender, s Status) error {
	switch s {
	case StatusClosed:
		return fmt.Errorf("%w: the deadline was %s", ErrDeadlinePassed, t.Deadline.UTC().Format(time.RFC3339))
	case StatusOpened:
		return fmt.Errorf("%w: %w", ErrNotOpen, ErrAlreadyOpened)
	case StatusCancelled:
		return fmt.Errorf("%w: %w", ErrNotOpen, ErrCancelled)
	}
	return fmt.Errorf("%w: its status is %q", ErrNotOpen, s)
}

// CanSubmit reports whether a bid may be submitted at now: the tender is
// open and now is before the deadline. Else ErrDeadlinePassed (closed) or
// ErrNotOpen (opened, cancelled, or an unknown status).
func CanSubmit(t Tender, now time.Time) error {
	if s := State(t, now); s != StatusOpen {
		return notOpen(t, s)
	}
	return nil
}

// CanAddBid reports whether tender t, holding held bids (withdrawn ones
// included), takes one more: ErrTooManyBids once it holds t.BidCap().
func CanAddBid(t Tender, held int) error {
	if held >= t.BidCap() {
		return fmt.Errorf("%w: this tender takes at most %d bids (max_bids, declared when it was created) and holds %d", ErrTooManyBids, t.BidCap(), held)
	}
	return nil
}

// CanWithdraw reports whether bid b may be withdrawn at now: under the same
// conditions as a submission, and only once (ErrWithdrawn). The caller has
// checked the bid's token.
func CanWithdraw(t Tender, b Bid, now time.Time) error {
	if b.WithdrawnAt != nil {
		return fmt.Errorf("%w at %s", ErrWithdrawn, b.WithdrawnAt.UTC().Format(time.RFC3339Nano))
	}
	return CanSubmit(t, now)
}

// CanOpen reports whether the tender may be opened at now: only once its
// deadline has passed (ErrTooEarly before), only once (ErrAlreadyOpened),
// never when cancelled (ErrCancelled).
func CanOpen(t Tender, now time.Time) error {
	switch State(t, now) {
	case StatusClosed:
		return nil
	case StatusOpen:
		return fmt.Errorf("%w: it can be opened from %s", ErrTooEarly, t.Deadline.UTC().Format(time.RFC3339))
	case StatusOpened:
		return ErrAlreadyOpened
	case StatusCancelled:
		return ErrCancelled
	}
	return fmt.Errorf("%w: its status is %q", ErrNotOpen, t.Status)
}

// CanUpdate reports whether the tender's fields may still change:
// bidsEver is how many bids it has received, withdrawn ones included (a
// withdrawn bid was still made against the published terms). Any bid
// freezes it (ErrTenderFrozen); so does any state but open.
func CanUpdate(t Tender, bidsEver int, now time.Time) error {
	if bidsEver > 0 {
		return fmt.Errorf("%w: it has received %d bid(s)", ErrTenderFrozen, bidsEver)
	}
	if s := State(t, now); s != StatusOpen {
		return notOpen(t, s)
	}
	return nil
}

// CanCancel reports whether the tender may be cancelled: in any state but
// cancelled.
func CanCancel(t Tender) error {
	if t.Status == StatusCancelled {
		return ErrCancelled
	}
	return nil
}
