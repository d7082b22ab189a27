package tender

import (
	"errors"
	"testing"
	"time"
)

func TestStateRules(t *testing.T) {
	open := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
	opened, cancelled := open, open
	opened.Status, cancelled.Status = StatusOpened, StatusCancelled
	withdrawn := newBid("b", "1", "1", t0)
	at := t0.Add(time.Hour)
	withdrawn.WithdrawnAt = &at
	before, at0, after := deadline.Add(-time.Nanosecond), deadline, deadline.Add(time.Second)
	tests := []struct {
		name  string
		state Status
		err   error
		got   func() (Status, error)
	}{
		{"submit before deadline", StatusOpen, nil, func() (Status, error) { return State(open, before), CanSubmit(open, before) }},
		{"submit at deadline", StatusClosed, ErrDeadlinePassed, func() (Status, error) { return State(open, at0), CanSubmit(open, at0) }},
		{"submit after deadline", StatusClosed, ErrDeadlinePassed, func() (Status, error) { return State(open, after), CanSubmit(open, after) }},
		{"submit to opened", StatusOpened, ErrNotOpen, func() (Status, error) { return State(opened, before), CanSubmit(opened, before) }},
		{"submit to cancelled", StatusCancelled, ErrCancelled, func() (Status, error) { return State(cancelled, before), CanSubmit(cancelled, before) }},
		{"withdraw before deadline", StatusOpen, nil, func() (Status, error) {
			return State(open, before), CanWithdraw(open, newBid("b", "1", "1", t0), before)
		}},
		{"withdraw after deadline", StatusClosed, ErrDeadlinePassed, func() (Status, error) { return State(open, after), CanWithdraw(open, newBid("b", "1", "1", t0), after) }},
		{"withdraw twice", StatusOpen, ErrWithdrawn, func() (Status, error) { return State(open, before), CanWithdraw(open, withdrawn, before) }},
		{"open too early", StatusOpen, ErrTooEarly, func() (Status, error) { return State(open, before), CanOpen(open, before) }},
		{"open at deadline", StatusClosed, nil, func() (Status, error) { return State(open, at0), CanOpen(open, at0) }},
		{"open twice", StatusOpened, ErrAlreadyOpened, func() (Status, error) { return State(opened, after), CanOpen(opened, after) }},
		{"open cancelled", StatusCancelled, ErrCancelled, func() (Status, error) { return State(cancelled, after), CanOpen(cancelled, after) }},
		{"update without bids", StatusOpen, nil, func() (Status, error) { return State(open, before), CanUpdate(open, 0, before) }},
		{"update with a bid", StatusOpen, ErrTenderFrozen, func() (Status, error) { return State(open, before), CanUpdate(open, 1, before) }},
		{"update after deadline", StatusClosed, ErrDeadlinePassed, func() (Status, error) { return State(open, after), CanUpdate(open, 0, after) }},
		{"cancel open", StatusOpen, nil, func() (Status, error) { return State(open, before), CanCancel(open) }},
		{"cancel twice", StatusCancelled, ErrCancelled, func() (Status, error) { return State(cancelled, before), CanCancel(cancelled) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.got()
			if s != tt.state {
				t.Errorf("state %s, want %s", s, tt.state)
			}
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
		})
	}
}
