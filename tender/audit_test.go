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
		e, err := NewEvent(prev, kinds[i%len(kinds)], "officer", t0.Add(time.Duration(i)*time.Second+123456789), Digests{"bid": fmt.Sprintf("%064x", i+7), "result": fmt.Sprintf("%064x", i)})
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
		{"edited digest", func(es []Event) []Event { es[2].Digests["bid"] = strings.Repeat("f", 64); return es }, 3, ErrHashMismatch, "audit event 3: hash does not recompute"},
		{"digests' names swapped", func(es []Event) []Event {
			d := es[2].Digests
			es[2].Digests = Digests{"bid": d["result"], "result": d["bid"]}
			return es
		}, 3, ErrHashMismatch, "audit event 3: hash does not recompute"},
		{"digest renamed", func(es []Event) []Event {
			es[1].Digests["evaluation"] = es[1].Digests["result"]
			delete(es[1].Digests, "result")
			return es
		}, 2, ErrHashMismatch, "audit event 2"},
		{"taken for a legacy event", func(es []Event) []Event { es[3].Legacy = true; return es }, 4, ErrHashMismatch, "audit event 4"},
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
	in := Digests{"bid": "b", "result": "a"}
	a, err := NewEvent(nil, EventCreated, "officer", t0.Add(1500), in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || a.PrevHash != GenesisHash || a.Digests["bid"] != "b" || a.Legacy || !a.At.Equal(t0.Add(1000)) {
		t.Errorf("first event %+v: want seq 1, genesis prev, named digests, at truncated to µs", a)
	}
	in["bid"] = "changed"
	if a.Digests["bid"] != "b" || a.Hash != a.ComputeHash() {
		t.Error("the event shares its digests with the caller's map")
	}
	b, _ := NewEvent(nil, EventCreated, "officer", t0.Add(1500).In(time.FixedZone("CET", 3600)), Digests{"result": "a", "bid": "b"})
	if b.Hash != a.Hash {
		t.Error("hash depends on the time zone")
	}
	c, _ := NewEvent(&a, EventBidReceived, "supplier", t0, nil)
	if c.Seq != 2 || c.PrevHash != a.Hash || c.Hash == a.Hash {
		t.Errorf("second event %+v does not chain to %s", c, a.Hash)
	}
	// Field boundaries are unambiguous: moving a byte from actor to a
	// digest, or from a name to its value, changes the hash.
	x, _ := NewEvent(nil, EventCreated, "ab", t0, Digests{"d": "c"})
	y, _ := NewEvent(nil, EventCreated, "a", t0, Digests{"d": "bc"})
	z, _ := NewEvent(nil, EventCreated, "a", t0, Digests{"db": "c"})
	if x.Hash == y.Hash || y.Hash == z.Hash {
		t.Error("encoding is ambiguous")
	}
	many := Digests{}
	for i := range MaxDigests + 1 {
		many[fmt.Sprintf("d%d", i)] = "x"
	}
	bad := []struct {
		name    string
		kind    EventKind
		actor   string
		digests Digests
	}{
		{"unknown kind", "deleted", "o", nil},
		{"no actor", EventCreated, "", nil},
		{"long actor", EventCreated, strings.Repeat("a", 201), nil},
		{"empty value", EventCreated, "o", Digests{"tender": ""}},
		{"empty name", EventCreated, "o", Digests{"": "x"}},
		{"upper-case name", EventCreated, "o", Digests{"Bid": "x"}},
		{"name with a space", EventCreated, "o", Digests{"bid digest": "x"}},
		{"name starting with a digit", EventCreated, "o", Digests{"1st": "x"}},
		{"long name", EventCreated, "o", Digests{strings.Repeat("n", 33): "x"}},
		{"too many", EventCreated, "o", many},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewEvent(nil, tt.kind, tt.actor, t0, tt.digests); !errors.Is(err, ErrInvalid) {
				t.Errorf("NewEvent(%q, %.10q, %d digests) = %v, want ErrInvalid", tt.kind, tt.actor, len(tt.digests), err)
			}
		})
	}
}

// TestLegacyEventsVerify pins the hashes that footprint computed before
// digests were named (footprint-audit-v1, values only), taken from that
// version's code: events read back as Legacy recompute them whatever
// names they are given, and chain on to named events.
func TestLegacyEventsVerify(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 123456000, time.UTC)
	created := Event{Seq: 1, At: at, Kind: EventCreated, Actor: "officer", Legacy: true, PrevHash: GenesisHash,
		Digests: Digests{"tender": strings.Repeat("1", 64)},
		Hash:    "ccd72e854bde235a54e9d0de374e2901cb7f54135e32a21dec1e0191969f166a"}
	bid := Event{Seq: 2, At: at.Add(time.Second), Kind: EventBidReceived, Actor: "supplier", Legacy: true, PrevHash: created.Hash,
		Digests: NameLegacy(EventBidReceived, []string{"aaaa" + strings.Repeat("0", 60), "bbbb" + strings.Repeat("0", 60)}, nil),
		Hash:    "4a5a475226e4fa4f7b51ca8c100e920913dd7dfb038a743ffa67bdf8b31630d7"}
	for _, e := range []Event{created, bid} {
		if h := e.ComputeHash(); h != e.Hash {
			t.Errorf("legacy %s event: hash %s, want the stored %s", e.Kind, h, e.Hash)
		}
	}
	renamed := bid
	renamed.Digests = Digests{"result": bid.Digests["bid"], "bid": bid.Digests["result"]}
	if renamed.ComputeHash() != bid.Hash {
		t.Error("a legacy event's hash depends on the names given when it was read")
	}
	exported, err := NewEvent(&bid, EventExported, "officer", at.Add(time.Hour), Digests{DigestEvaluation: strings.Repeat("e", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if ok, bad, err := Verify([]Event{created, bid, exported}); !ok {
		t.Errorf("legacy events followed by a named one: first bad %d: %v", bad, err)
	}
	edited := bid
	edited.Digests = Digests{"bid": strings.Repeat("f", 64), "result": bid.Digests["result"]}
	if ok, bad, _ := Verify([]Event{created, edited, exported}); ok || bad != 2 {
		t.Errorf("an edited legacy digest verifies (first bad %d)", bad)
	}
}

func TestNameLegacy(t *testing.T) {
	const b, r, e, o = "bbbb", "rrrr", "eeee", "oooo"
	tests := []struct {
		name   string
		kind   EventKind
		values []string
		known  map[string]string
		want   Digests
	}{
		{"bid matched both ways", EventBidReceived, []string{r, b}, map[string]string{b: "bid", r: "result"}, Digests{"bid": b, "result": r}},
		{"result matched, the edited bid named by its kind", EventBidReceived, []string{b, r}, map[string]string{r: "result"}, Digests{"bid": b, "result": r}},
		{"bid without result", EventBidReceived, []string{b}, nil, Digests{"bid": b}},
		{"created", EventCreated, []string{o}, nil, Digests{"tender": o}},
		{"OCDS export after opening", EventExported, []string{e, o}, map[string]string{e: "evaluation"}, Digests{"ocds": o, "evaluation": e}},
		{"evaluation export", EventExported, []string{e}, map[string]string{e: "evaluation"}, Digests{"evaluation": e}},
		{"OCDS export before opening", EventExported, []string{o}, nil, Digests{"ocds": o}},
		{"more values than names", EventWithdrawn, []string{b, r, e}, map[string]string{r: "result"}, Digests{"bid": b, "result": r, "digest_2": e}},
		{"a known name taken twice", EventCreated, []string{b, o}, map[string]string{b: "tender", o: "tender"}, Digests{"tender": b, "digest_1": o}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NameLegacy(tt.kind, tt.values, tt.known)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("NameLegacy(%s, %v) = %v, want %v", tt.kind, tt.values, got, tt.want)
			}
		})
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
