package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// committeeTender creates a tender whose committee is openers, k of
// whom must approve, with two bids.
func committeeTender(t *testing.T, s *sqlStore, k int, openers ...string) tender.Tender {
	t.Helper()
	tn := newTender("T-committee")
	tn.Committee = &tender.Committee{Openers: openers, K: k}
	td, err := s.CreateTender(context.Background(), tn, openers[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour))
	}
	return td
}

// testCommittee: a committee of 3 of whom 2 must approve. Approving
// before the deadline, by a non-member, or opening with POST …/open is
// refused; the first approval opens nothing, its repeat records nothing;
// the second opens, in the same transaction; the chain names both and
// verifies.
func testCommittee(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := committeeTender(t, s, 2, "alice", "bob", "carol")
	after := deadline.Add(time.Minute)
	for _, c := range []struct {
		name, who string
		at        time.Time
		want      error
	}{
		{"before the deadline", "alice", deadline.Add(-time.Second), tender.ErrTooEarly},
		{"not on the committee", "mallory", after, tender.ErrNotOpener},
	} {
		if _, err := s.Approve(ctx, td.ID, c.who, "", c.at, evaluate); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := s.Open(ctx, td.ID, "alice", "", after, evaluate); !errors.Is(err, tender.ErrApprovalsNeeded) || !strings.Contains(err.Error(), "2 more") {
		t.Errorf("open with k = 2: %v, want ErrApprovalsNeeded, 2 more", err)
	}
	a, err := s.Approve(ctx, td.ID, "alice", "", after, evaluate)
	if err != nil || a.Evaluation != nil || a.Repeated || strings.Join(a.Approvers, ",") != "alice" || a.K != 2 {
		t.Fatalf("first approval: %+v, %v", a, err)
	}
	events, _ := s.Events(ctx, td.ID)
	again, err := s.Approve(ctx, td.ID, "alice", "", after.Add(time.Second), evaluate)
	if err != nil || !again.Repeated || again.Evaluation != nil {
		t.Errorf("repeat: %+v, %v", again, err)
	}
	if es, _ := s.Events(ctx, td.ID); len(es) != len(events) {
		t.Errorf("repeat recorded an event: %d events, were %d", len(es), len(events))
	}
	if got, _ := s.Tender(ctx, td.ID); got.Status != tender.StatusOpen || got.Committee == nil || got.Committee.K != 2 {
		t.Errorf("after k-1 approvals: %+v", got)
	}
	a, err = s.Approve(ctx, td.ID, "bob", "", after.Add(2*time.Second), evaluate)
	if err != nil || a.Evaluation == nil || strings.Join(a.Evaluation.OpenedBy, ",") != "alice,bob" || a.Evaluation.Committee == nil {
		t.Fatalf("k-th approval: %+v, %v", a, err)
	}
	if _, err := s.Approve(ctx, td.ID, "carol", "", after.Add(3*time.Second), evaluate); !errors.Is(err, ErrAlreadyOpened) {
		t.Errorf("approval after opening: %v", err)
	}
	res, err := s.Verify(ctx, td.ID)
	var kinds []string
	for _, e := range res.Events {
		kinds = append(kinds, string(e.Kind)+":"+e.Actor)
	}
	if err != nil || !res.Verified || strings.Join(kinds, " ") != "created:alice bid_received:supplier bid_received:supplier approved:alice approved:bob opened:bob evaluated:bob" {
		t.Errorf("verify: %+v, %v\n%s", res, err, kinds)
	}
	if ev, err := s.Evaluation(ctx, td.ID); err != nil || strings.Join(ev.OpenedBy, ",") != "alice,bob" {
		t.Errorf("stored evaluation: %+v, %v", ev, err)
	}
}

// testCommitteeOfOne: a committee of one opens with Open, whose opening
// is its opener's approval; anyone else is refused.
func testCommitteeOfOne(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := committeeTender(t, s, 1, "alice")
	after := deadline.Add(time.Minute)
	if _, err := s.Open(ctx, td.ID, "bob", "", after, evaluate); !errors.Is(err, tender.ErrNotOpener) {
		t.Errorf("open by a non-member: %v", err)
	}
	ev, err := s.Open(ctx, td.ID, "alice", "", after, evaluate)
	if err != nil || strings.Join(ev.OpenedBy, ",") != "alice" || ev.Committee.K != 1 {
		t.Fatalf("open: %+v, %v", ev, err)
	}
	if res, err := s.Verify(ctx, td.ID); err != nil || !res.Verified || res.Events[3].Kind != tender.EventApproved || res.Events[3].Actor != "alice" {
		t.Errorf("verify: %+v, %v", res, err)
	}
	// A tender without a committee (made before them) takes no approval.
	old := mustCreate(t, s, "T-old")
	if _, err := s.Approve(ctx, old.ID, "alice", "", after, evaluate); !errors.Is(err, tender.ErrNoCommittee) {
		t.Errorf("approval of a tender without a committee: %v", err)
	}
	if _, err := s.Open(ctx, old.ID, "officer", "", after, evaluate); err != nil {
		t.Errorf("open of a tender without a committee: %v", err)
	}
}

// testCommitteeTamper: removing an approval event from the database
// fails verify: at once (the chain breaks there), and also when the
// chain after it is rewritten to hide the gap (the opened event then
// comes after fewer approvals than the committee needs).
func testCommitteeTamper(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	setup := func() (tender.Tender, int64) {
		td := committeeTender(t, s, 2, "alice", "bob")
		after := deadline.Add(time.Minute)
		for _, who := range []string{"alice", "bob"} {
			if _, err := s.Approve(ctx, td.ID, who, "", after, evaluate); err != nil {
				t.Fatal(err)
			}
		}
		es, _ := s.Events(ctx, td.ID)
		for _, e := range es {
			if e.Kind == tender.EventApproved && e.Actor == "alice" {
				return td, e.Seq
			}
		}
		t.Fatal("no approval by alice")
		return td, 0
	}
	td, seq := setup()
	tamperSQL(t, s, "DELETE FROM events WHERE tender_id = ? AND seq = ?", td.ID, seq)
	if res, err := s.Verify(ctx, td.ID); err != nil || res.Verified || res.FirstBadSeq != seq+1 {
		t.Errorf("approval deleted: %+v, %v", res, err)
	}

	if s.o.Keys != nil {
		return // a rewritten chain's signatures would not verify either
	}
	td, seq = setup()
	es, _ := s.Events(ctx, td.ID)
	if _, err := s.w.Exec(s.d.q("DELETE FROM events WHERE tender_id = ?"), td.ID); err != nil {
		t.Fatal(err)
	}
	tamperSQL(t, s, "UPDATE tenders SET head_seq = 0, head_hash = ? WHERE id = ?", tender.GenesisHash, td.ID)
	var opened int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var prev *tender.Event
		for _, e := range es {
			if e.Seq == seq {
				continue
			}
			ne, err := tender.NewEvent(prev, e.Kind, e.Actor, e.At, e.Digests)
			if err != nil {
				return err
			}
			if err := s.appendEvent(ctx, tx, td.ID, &ne); err != nil {
				return err
			}
			if ne.Kind == tender.EventOpened {
				opened = ne.Seq
			}
			prev = &ne
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Verify(ctx, td.ID)
	if err != nil || res.Verified || res.FirstBadSeq != opened || !strings.Contains(res.Problem, "opened after 1 distinct approval(s) (bob); its committee needs 2") {
		t.Errorf("chain rewritten without an approval: %+v, %v", res, err)
	}
}
