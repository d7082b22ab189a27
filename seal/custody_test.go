package seal

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// committee makes n holder keys with their tokens.
func committee(t *testing.T, n int) ([]*HolderKey, []string) {
	t.Helper()
	hs := make([]*HolderKey, n)
	toks := make([]string, n)
	for i := range hs {
		h, err := NewHolderKey()
		if err != nil {
			t.Fatal(err)
		}
		hs[i], toks[i] = h, fmt.Sprintf("fpo.officer%d.%032d", i, i+1)
	}
	return hs, toks
}

func recipientsOf(hs []*HolderKey) []string {
	rs := make([]string, len(hs))
	for i, h := range hs {
		rs[i] = h.Recipient()
	}
	return rs
}

// subsets calls f with every subset of {0…n-1} of size k.
func subsets(n, k int, f func([]int)) {
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			f(append([]int(nil), cur...))
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
}

// TestSplitTenderKeyThresholds splits a tender key for committees of 1 to
// 5 openers and every k, and checks that every k-subset of opened shares
// rebuilds the tender key (it opens a bid sealed to the tender), and that
// every (k−1)-subset is refused (ErrNoKey), never a wrong key.
func TestSplitTenderKeyThresholds(t *testing.T) {
	bid := []byte(`{"price":"1000000.00"}`)
	for n := 1; n <= 5; n++ {
		for k := 1; k <= n; k++ {
			tk, err := NewTenderKey()
			if err != nil {
				t.Fatal(err)
			}
			ct, err := SealFor(tk.Recipient(), bid)
			if err != nil {
				t.Fatal(err)
			}
			hs, _ := committee(t, n)
			records, err := SplitTenderKey(tk, recipientsOf(hs), k)
			if err != nil {
				t.Fatalf("n=%d k=%d: %v", n, k, err)
			}
			shares := make([]Share, n)
			for i, h := range hs {
				if shares[i], err = h.OpenShare(records[i], tk.Recipient()); err != nil {
					t.Fatalf("n=%d k=%d: holder %d: %v", n, k, i, err)
				}
				if shares[i].X() != i+1 || shares[i].K != k {
					t.Fatalf("share %d: x=%d k=%d", i, shares[i].X(), shares[i].K)
				}
				// Another holder's key does not open it.
				if _, err := hs[(i+1)%n].OpenShare(records[i], tk.Recipient()); n > 1 && !errors.Is(err, ErrNoKey) {
					t.Fatalf("holder %d opened holder %d's share: %v", (i+1)%n, i, err)
				}
			}
			subsets(n, k, func(ix []int) {
				sel := make([]Share, len(ix))
				for j, i := range ix {
					sel[j] = shares[i]
				}
				got, err := CombineShares(sel)
				if err != nil {
					t.Fatalf("n=%d k=%d subset %v: %v", n, k, ix, err)
				}
				pt, err := got.Open(ct)
				if err != nil || !bytes.Equal(pt, bid) {
					t.Fatalf("n=%d k=%d subset %v: the rebuilt key does not open the bid: %v", n, k, ix, err)
				}
			})
			if k > 1 {
				subsets(n, k-1, func(ix []int) {
					sel := make([]Share, len(ix))
					for j, i := range ix {
						sel[j] = shares[i]
					}
					// A repeated share does not count twice.
					sel = append(sel, sel[0])
					if _, err := CombineShares(sel); !errors.Is(err, ErrNoKey) {
						t.Fatalf("n=%d k=%d: %d shares %v: %v, want ErrNoKey", n, k, k-1, ix, err)
					}
				})
			}
		}
	}
}

// TestShareBoundToTender: a share of one tender's key is refused for
// another tender; shares of two splits do not combine.
func TestShareBoundToTender(t *testing.T) {
	tk1, _ := NewTenderKey()
	tk2, _ := NewTenderKey()
	hs, _ := committee(t, 2)
	r1, err := SplitTenderKey(tk1, recipientsOf(hs), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs[0].OpenShare(r1[0], tk2.Recipient()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("share opened for another tender: %v", err)
	}
	r2, _ := SplitTenderKey(tk2, recipientsOf(hs), 2)
	a, _ := hs[0].OpenShare(r1[0], tk1.Recipient())
	b, _ := hs[1].OpenShare(r2[1], tk2.Recipient())
	if _, err := CombineShares([]Share{a, b}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("mixed shares: %v", err)
	}
	// Same threshold and tender, but a share of a second split of the same
	// key: Combine cannot tell, so the rebuilt key must be checked.
	r3, _ := SplitTenderKey(tk1, recipientsOf(hs), 2)
	c, _ := hs[1].OpenShare(r3[1], tk1.Recipient())
	if _, err := CombineShares([]Share{a, c}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("shares of two splits rebuilt a key: %v", err)
	}
}

// TestHolderKeyLock: the locked holder key opens with its credential and
// context only, and its record and errors hold no secret.
func TestHolderKeyLock(t *testing.T) {
	h, err := NewHolderKey()
	if err != nil {
		t.Fatal(err)
	}
	tok := "fpo.alice.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"
	locked, err := h.Lock(tok, "alice")
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnlockHolderKey(locked, tok, "alice")
	if err != nil || got.Recipient() != h.Recipient() {
		t.Fatalf("unlock: %v, %v", got, err)
	}
	for name, c := range map[string]struct{ tok, ctx string }{
		"other token":   {tok + "x", "alice"},
		"other officer": {tok, "bob"},
		"empty token":   {"", "alice"},
	} {
		if _, err := UnlockHolderKey(locked, c.tok, c.ctx); !errors.Is(err, ErrNoKey) {
			t.Errorf("%s: %v, want ErrNoKey", name, err)
		}
	}
	bad := bytes.Clone(locked)
	bad[len(bad)-1] ^= 1
	if _, err := UnlockHolderKey(bad, tok, "alice"); !errors.Is(err, ErrNoKey) {
		t.Errorf("altered: %v", err)
	}
	if _, err := UnlockHolderKey([]byte("garbage"), tok, "alice"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage: %v", err)
	}
	secret := h.id.String()
	if strings.Contains(string(locked), secret) || strings.Contains(h.String(), secret) || strings.Contains(fmt.Sprintf("%#v", h), secret) {
		t.Fatal("the holder key's secret shows")
	}
}

// TestReleasedShare: a share released to the key file opens with it, and
// a share's String prints nothing secret.
func TestReleasedShare(t *testing.T) {
	k := testKeys(t)
	tk, _ := NewTenderKey()
	hs, _ := committee(t, 3)
	rs := recipientsOf(hs)
	rs[2] = k.Recipients()[0] // a share the server holds
	records, err := SplitTenderKey(tk, rs, 2)
	if err != nil {
		t.Fatal(err)
	}
	s0, err := hs[0].OpenShare(records[0], tk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	released, err := k.SealShare(s0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.OpenShare(released, tk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	// The server's own share and the released one: k = 2, it opens.
	s2, err := k.OpenShare(records[2], tk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := CombineShares([]Share{again, s2}); err != nil || got.Recipient() != tk.Recipient() {
		t.Fatalf("combine: %v", err)
	}
	// The server alone: one share of a 2-threshold key.
	if _, err := CombineShares([]Share{s2}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("server alone: %v", err)
	}
	if strings.Contains(s0.String(), string(s0.s.Y)) || strings.Contains(s0.GoString(), "Y") {
		t.Fatal("a share's String shows its value")
	}
}

// TestSealWithSecret: round trip, wrong secret or context, alteration,
// truncation, size limit.
func TestSealWithSecret(t *testing.T) {
	pt := []byte(strings.Repeat("bid content ", 1000))
	rec, err := SealWithSecret("s3cret-token-of-256-bits", "tender/bid", pt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenWithSecret(rec, "s3cret-token-of-256-bits", "tender/bid")
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("round trip: %v", err)
	}
	for name, c := range map[string]struct {
		rec      []byte
		sec, ctx string
		want     error
	}{
		"wrong secret":  {rec, "other", "tender/bid", ErrNoKey},
		"wrong context": {rec, "s3cret-token-of-256-bits", "tender/bid2", ErrNoKey},
		"truncated":     {rec[:len(rec)-1], "s3cret-token-of-256-bits", "tender/bid", ErrNoKey},
		"short":         {rec[:10], "s3cret-token-of-256-bits", "tender/bid", ErrCorrupt},
		"no secret":     {rec, "", "tender/bid", ErrNoKey},
	} {
		if _, err := OpenWithSecret(c.rec, c.sec, c.ctx); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := SealWithSecret("x", "c", make([]byte, MaxPlaintext+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

// FuzzOpenShare: any bytes given as a share record, a locked holder key
// or a secret-sealed record are refused with an error, never a panic.
func FuzzOpenShare(f *testing.F) {
	h, _ := NewHolderKey()
	tk, _ := NewTenderKey()
	recs, _ := SplitTenderKey(tk, []string{h.Recipient()}, 1)
	f.Add(recs[0])
	locked, _ := h.Lock("tok", "id")
	f.Add(locked)
	f.Add([]byte(secretTag))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := h.OpenShare(b, tk.Recipient()); err == nil && s.Tender != tk.Recipient() {
			t.Fatal("a share of another tender was accepted")
		}
		_, _ = UnlockHolderKey(b, "tok", "id")
		_, _ = OpenWithSecret(b, "tok", "id")
	})
}
