package tender

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func chain(t testing.TB, n int) []Event {
	t.Helper()
	kinds := []EventKind{EventCreated, EventBidReceived, EventBidReceived, EventWithdrawn, EventOpened, EventEvaluated, EventExported}
	out := make([]Event, 0, n)
	var prev *Event
	for i := range n {
		e, err := NewEvent(prev, kinds[i%len(kinds)], "officer", t0.Add(time.Duration(i)*time.Second+123456789), []string{fmt.Sprintf("%064x", i+7), fmt.Sprintf("%064x", i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		prev = &out[len(out)-1]
	}
	return out
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		edit    func([]Event) []Event
		badSeq  int64
		kind    error
		message string
	}{
		{"intact", func(es []Event) []Event { return es }, 0, nil, ""},
		{"empty", func([]Event) []Event { return nil }, 0, nil, ""},
		{"edited digest", func(es []Event) []Event { es[2].Digests[0] = strings.Repeat("f", 64); return es }, 3, ErrHashMismatch, "audit event 3: hash does not recompute"},
		{"edited actor", func(es []Event) []Event { es[4].Actor = "mallory"; return es }, 5, ErrHashMismatch, "the opened event was edited"},
		{"edited time", func(es []Event) []Event { es[0].At = es[0].At.Add(time.Microsecond); return es }, 1, ErrHashMismatch, "audit event 1"},
		{"edited and rehashed", func(es []Event) []Event { es[3].Kind = EventBidReceived; es[3].Hash = es[3].ComputeHash(); return es }, 5, ErrBrokenLink, "audit event 5: prev_hash"},
		{"removed", func(es []Event) []Event { return append(es[:2], es[3:]...) }, 4, ErrSeqGap, "position 3, where seq 3 belongs"},
		{"removed first", func(es []Event) []Event { return es[1:] }, 2, ErrSeqGap, "audit event 2"},
		{"reordered pair", func(es []Event) []Event { es[5], es[6] = es[6], es[5]; return es }, 7, ErrSeqGap, "position 6"},
		{"renumbered after removal", func(es []Event) []Event {
			es = append(es[:2], es[3:]...)
			for i := range es {
				es[i].Seq = int64(i + 1)
			}
			return es
		}, 3, ErrHashMismatch, "audit event 3"},
		{"foreign genesis", func(es []Event) []Event {
			es[0].PrevHash = strings.Repeat("1", 64)
			es[0].Hash = es[0].ComputeHash()
			return es
		}, 1, ErrBrokenLink, "audit event 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.edit(chain(t, 8))
			ok, bad, err := Verify(es)
			if ok != (tt.kind == nil) || bad != tt.badSeq {
				t.Fatalf("Verify = %v, %d, %v; want ok %v, first bad %d", ok, bad, err, tt.kind == nil, tt.badSeq)
			}
			if tt.kind == nil {
				return
			}
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Seq != tt.badSeq || !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %v; want %v on seq %d containing %q", err, tt.kind, tt.badSeq, tt.message)
			}
		})
	}
}

func TestNewEvent(t *testing.T) {
	a, err := NewEvent(nil, EventCreated, "officer", t0.Add(1500), []string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || a.PrevHash != GenesisHash || a.Digests[0] != "a" || !a.At.Equal(t0.Add(1000)) {
		t.Errorf("first event %+v: want seq 1, genesis prev, sorted digests, at truncated to µs", a)
	}
	b, _ := NewEvent(nil, EventCreated, "officer", t0.Add(1500).In(time.FixedZone("CET", 3600)), []string{"a", "b"})
	if b.Hash != a.Hash {
		t.Error("hash depends on digest order or time zone")
	}
	c, _ := NewEvent(&a, EventBidReceived, "supplier", t0, nil)
	if c.Seq != 2 || c.PrevHash != a.Hash || c.Hash == a.Hash {
		t.Errorf("second event %+v does not chain to %s", c, a.Hash)
	}
	// Field boundaries are unambiguous: moving a byte from actor to a digest changes the hash.
	x, _ := NewEvent(nil, EventCreated, "ab", t0, []string{"c"})
	y, _ := NewEvent(nil, EventCreated, "a", t0, []string{"bc"})
	if x.Hash == y.Hash {
		t.Error("encoding is ambiguous")
	}
	bad := []struct {
		kind    EventKind
		actor   string
		digests []string
	}{
		{"deleted", "o", nil},
		{EventCreated, "", nil},
		{EventCreated, strings.Repeat("a", 201), nil},
		{EventCreated, "o", []string{""}},
		{EventCreated, "o", make([]string, MaxDigests+1)},
	}
	for _, tt := range bad {
		if _, err := NewEvent(nil, tt.kind, tt.actor, t0, tt.digests); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewEvent(%q, %.10q, %d digests) = %v, want ErrInvalid", tt.kind, tt.actor, len(tt.digests), err)
		}
	}
}

func BenchmarkVerify10000(b *testing.B) {
	es := chain(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		if ok, _, err := Verify(es); !ok {
			b.Fatal(err)
		}
	}
}
