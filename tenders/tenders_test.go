package tenders

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

func TestCheckIdempotencyKey(t *testing.T) {
	for _, c := range []struct {
		key string
		ok  bool
	}{
		{"q3J0d9Zr8W1mXkT4bN6vYc2LhPs5AeGuFo7iRjQwKzE=", true}, // openssl rand -base64 32
		{"Xk3_mQ9-vR2tY7wPz4LsAb", true},                       // 22 base64url
		{"3f9c2a7d1e8b4c6f0a5d9e2b7c1f4a8d", true},             // openssl rand -hex 16
		{"9b2f6c1e-4d3a-4f8b-a1c7-5e2d8f0b3a96", true},         // a UUID: 32 hex digits
		{"Xk3_mQ9-vR2tY7wPz4LsA", false},                       // 21
		{"3f9c2a7d1e8b4c6f0a5d9e2b7c1f4a8", false},             // 31 hex
		{"3f9c2a7d-1e8b4c6f-0a5d9e2b", false},                  // 24 hex digits
		{strings.Repeat("a", 40), false},
		{strings.Repeat("abcde", 8), false}, // 5 different
		{"Xk3_mQ9-vR2tY7wPz4LsAb.", false},
		{"Xk3_mQ9-vR2tY7wPz4LsAb===", false},
		{"Xk3_mQ9-vR2t=Y7wPz4LsAb", false},
		{strings.Repeat("Xk3_mQ9-vR2tY7wPz4LsAb", 12), false}, // 264
		{"", false},
	} {
		err := CheckIdempotencyKey(c.key)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok %v", c.key, err, c.ok)
		}
		if err != nil && (!errors.Is(err, ErrWeakIdempotencyKey) || !strings.Contains(err.Error(), "openssl rand") || (len(c.key) > 3 && strings.Contains(err.Error(), c.key))) {
			t.Errorf("%q: %v: want ErrWeakIdempotencyKey saying how to make a key, without the key", c.key, err)
		}
	}
}

// heapStore is a store whose Open measures the live heap (after a GC)
// each time evaluate asks for the next bid.
type heapStore struct {
	store.Store
	live []uint64
}

// Unwrap gives the store's own Streams and accounts (store.StreamsOf).
func (h *heapStore) Unwrap() store.Store { return h.Store }

func (h *heapStore) Open(ctx context.Context, tenderID, actor, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	return h.Store.Open(ctx, tenderID, actor, credential, now, func(t tender.Tender, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
		return evaluate(t, func(yield func(tender.Bid, error) bool) {
			for b, err := range bids {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				h.live = append(h.live, ms.HeapAlloc)
				if !yield(b, err) {
					return
				}
			}
		})
	})
}

// TestOpenHoldsOneBidAtATime: opening a tender of N bids of L lines on
// SQLite keeps the live heap flat while the bids are read: it grows by
// less than two bids' content from the second bid to the last, where
// holding every bid would grow it by N-2 bids' content. (Change evaluate
// or the store's Open to collect the bids, and it fails.)
func TestOpenHoldsOneBidAtATime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 bids of 2,000 lines")
	}
	const n, lines = 24, 2000
	ctx := context.Background()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "open.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hs := &heapStore{Store: st}
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	svc := New(Config{Store: hs, Registry: reg, Engine: calc.NewEngine(lib), Now: func() time.Time { return clock }})
	max := 100
	tn, err := NewTender(reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "us-federal@2025.1", Currency: "EUR",
		Deadline: clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "price_only", Limits: "report"}, MaxBids: &max}, clock)
	if err != nil {
		t.Fatal(err)
	}
	tn, err = svc.Create(ctx, tn, officers.Bootstrap())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b := tender.Bid{Supplier: fmt.Sprint("S", i), Price: tender.Price{Amount: decimal.RequireFromString(fmt.Sprintf("%d.00", 1000+i)), Currency: "EUR"}}
		for j := range lines {
			b.Lines = append(b.Lines, calc.Line{ID: fmt.Sprint(j + 1), Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString(fmt.Sprintf("%d.5", j%97+1)), Unit: "mmBtu"})
		}
		if _, err := svc.Submit(ctx, tn, b, tender.HashToken(fmt.Sprint(i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	// The size of one bid's content, live.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	one, err := st.Bids(ctx, tn.ID)
	if err != nil || len(one) != n {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perBid := (after.HeapAlloc - before.HeapAlloc) / n
	runtime.KeepAlive(one)
	one = nil

	clock = clock.Add(time.Hour)
	ev, err := svc.Open(ctx, tn, officers.Bootstrap())
	if err != nil || len(ev.Ranking) != n {
		t.Fatalf("open: %v", err)
	}
	if len(hs.live) != n {
		t.Fatalf("%d bids read, want %d", len(hs.live), n)
	}
	growth := int64(hs.live[n-1]) - int64(hs.live[1])
	t.Logf("one bid of %d lines: %d KB live; heap growth over the opening's %d bids: %d KB", lines, perBid>>10, n, growth>>10)
	if growth > 2*int64(perBid) {
		t.Errorf("the live heap grew by %d KB while %d bids were read (one bid is %d KB): bids are held", growth>>10, n, perBid>>10)
	}
}

// TestCreateChecksOpeners: a committee naming an opener who could never
// approve — no account, a disabled one, an auditor — is refused at
// creation with the opener's pointer; the bootstrap administrator and an
// opener account are accepted.
func TestCreateChecksOpeners(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, _ := store.AccountsOf(st)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, o := range []store.Officer{{ID: "bob", Role: "opener"}, {ID: "carol", Role: "auditor"}, {ID: "dave", Role: "opener", Disabled: true}} {
		o.Name, o.TokenHash, o.Params, o.Created = o.ID, "h", "p", now
		if err := acc.CreateOfficer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Store: st, Registry: reg, Engine: calc.NewEngine(lib), Now: func() time.Time { return now }})
	for _, tc := range []struct {
		openers []string
		want    string
	}{
		{[]string{"officer", "bob"}, ""},
		{[]string{"bob", "nobody"}, `/committee/openers/1: no officer "nobody"`},
		{[]string{"carol"}, `/committee/openers/0: officer "carol" has the role auditor, which may not open tenders`},
		{[]string{"dave"}, `/committee/openers/0: officer "dave" is disabled`},
	} {
		tn, err := NewTender(reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "us-federal@2025.1", Currency: "EUR",
			Deadline: now.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "price_only", Limits: "report"},
			Committee: &tender.Committee{Openers: tc.openers, K: 1}}, now)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Create(ctx, tn, officers.Bootstrap())
		var te *Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.openers, err)
		case tc.want != "" && (!errors.As(err, &te) || !strings.Contains(fmt.Sprint(te.Problems), strings.SplitN(tc.want, ": ", 2)[1]) || te.Problems[0].Pointer != strings.SplitN(tc.want, ": ", 2)[0]):
			t.Errorf("%v: err %v (%+v), want %q", tc.openers, err, te, tc.want)
		}
	}
}
