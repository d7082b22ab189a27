package tender

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateCommittee(t *testing.T) {
	many := make([]string, MaxOpeners+1)
	for i := range many {
		many[i] = "o" + strings.Repeat("x", i)
	}
	for _, c := range []struct {
		name string
		c    *Committee
		want string // pointers, in order; "" when valid
	}{
		{"none", nil, ""},
		{"one", &Committee{Openers: []string{"alice"}, K: 1}, ""},
		{"two of three", &Committee{Openers: []string{"alice", "bob", "carol.d"}, K: 2}, ""},
		{"no openers", &Committee{K: 1}, "/committee/openers"},
		{"k zero", &Committee{Openers: []string{"alice"}}, "/committee/k"},
		{"k over n", &Committee{Openers: []string{"alice", "bob"}, K: 3}, "/committee/k"},
		{"repeated", &Committee{Openers: []string{"alice", "bob", "alice"}, K: 2}, "/committee/openers/2"},
		{"not a slug", &Committee{Openers: []string{"alice", "Bob Smith"}, K: 1}, "/committee/openers/1"},
		{"too many", &Committee{Openers: many, K: 2}, "/committee/openers"},
	} {
		err := ValidateCommittee(c.c)
		var got []string
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				got = append(got, p.Pointer)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %v, want problems at %q", c.name, err, c.want)
		}
	}
}

func TestCanApproveAndCheckOpening(t *testing.T) {
	dl := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tn := Tender{Status: StatusOpen, Deadline: dl, Committee: &Committee{Openers: []string{"alice", "bob"}, K: 2}}
	for _, c := range []struct {
		name, who string
		t         Tender
		at        time.Time
		want      error
	}{
		{"member after the deadline", "alice", tn, dl, nil},
		{"before the deadline", "alice", tn, dl.Add(-time.Second), ErrTooEarly},
		{"non-member", "mallory", tn, dl, ErrNotOpener},
		{"no committee", "alice", Tender{Status: StatusOpen, Deadline: dl}, dl, ErrNoCommittee},
		{"opened", "alice", Tender{Status: StatusOpened, Deadline: dl, Committee: tn.Committee}, dl, ErrAlreadyOpened},
	} {
		if err := CanApprove(c.t, c.who, c.at); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	ev := func(kind EventKind, actor string) Event { return Event{Kind: kind, Actor: actor} }
	for _, c := range []struct {
		name    string
		events  []Event
		wantBad bool
	}{
		{"two approvals then opened", []Event{ev(EventCreated, "alice"), ev(EventApproved, "alice"), ev(EventApproved, "bob"), ev(EventOpened, "bob")}, false},
		{"one approval twice", []Event{ev(EventApproved, "alice"), ev(EventApproved, "alice"), ev(EventOpened, "alice")}, true},
		{"opened without approvals", []Event{ev(EventCreated, "alice"), ev(EventOpened, "alice")}, true},
		{"approved by a stranger", []Event{ev(EventApproved, "mallory")}, true},
		{"not opened yet", []Event{ev(EventApproved, "alice")}, false},
	} {
		for i := range c.events {
			c.events[i].Seq = int64(i + 1)
		}
		seq, msg := CheckOpening(tn, c.events)
		if (seq != 0) != c.wantBad || (seq != 0) != (msg != "") {
			t.Errorf("%s: %d %q", c.name, seq, msg)
		}
	}
	if seq, _ := CheckOpening(Tender{}, []Event{ev(EventOpened, "x")}); seq != 0 {
		t.Errorf("a tender without a committee: %d", seq)
	}
}
