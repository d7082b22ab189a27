package seal

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustWrap(t testing.TB, k *Keys) []byte {
	t.Helper()
	tk, err := NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	w, err := k.Wrap(tk)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSealOpen(t *testing.T) {
	tk, err := NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	if r := tk.Recipient(); !strings.HasPrefix(r, "age1") || len(r) != 62 {
		t.Fatalf("Recipient = %q", r)
	}
	for _, n := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 100_000, 3 << 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pt := bytes.Repeat([]byte{byte(n)}, n)
			ct, err := SealFor(tk.Recipient(), pt)
			if err != nil {
				t.Fatal(err)
			}
			if n > 16 && bytes.Contains(ct, pt[:16]) {
				t.Error("plaintext visible in the ciphertext")
			}
			got, err := tk.Open(ct)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pt) {
				t.Errorf("Open gave %d bytes, want %d", len(got), n)
			}
			ct2, _ := SealFor(tk.Recipient(), pt)
			if bytes.Equal(ct, ct2) {
				t.Error("two seals of the same plaintext are equal")
			}
		})
	}
}

func TestSealForErrors(t *testing.T) {
	for _, r := range []string{"", "age1", testID1, testRcpt1 + "x", "age1pq1" + strings.Repeat("q", 60), strings.Repeat("€", 40)} {
		_, err := SealFor(r, []byte("x"))
		if !errors.Is(err, ErrRecipient) {
			t.Errorf("SealFor(%.20q): %v, want ErrRecipient", r, err)
		}
		if err != nil && len(err.Error()) > 160 {
			t.Errorf("message of %d bytes: %v", len(err.Error()), err)
		}
		noSecret(t, fmt.Sprint(err))
	}
	if _, err := SealFor(testRcpt1, make([]byte, MaxPlaintext+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxPlaintext+1: %v, want ErrTooLarge", err)
	}
}

func TestOpenTampered(t *testing.T) {
	tk, _ := NewTenderKey()
	pt := bytes.Repeat([]byte("price 1000.00;"), 10_000) // 140 KB: three chunks
	ct, err := SealFor(tk.Recipient(), pt)
	if err != nil {
		t.Fatal(err)
	}
	hdr := bytes.Index(ct, []byte("\n---")) + 4
	end := bytes.IndexByte(ct[hdr:], '\n') + hdr + 1
	cases := map[string][]byte{
		"empty":          {},
		"not age":        []byte("hello"),
		"truncated":      ct[:len(ct)-1],
		"last chunk cut": ct[:len(ct)-(len(pt)%(64<<10))-16],
		"header only":    ct[:end],
		"header + nonce": ct[:end+16],
		"extended":       append(bytes.Clone(ct), 0),
		"extra chunk":    append(bytes.Clone(ct), ct[end+16:end+16+(64<<10)+16]...),
	}
	for _, pos := range []int{0, 30, 50, 80, hdr + 2, end + 3, end + 20, end + 16 + 70_000, len(ct) - 20, len(ct) - 1} {
		c := bytes.Clone(ct)
		c[pos] ^= 0x01
		cases[fmt.Sprintf("bit flipped at %d", pos)] = c
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tk.Open(c)
			if err == nil {
				t.Fatalf("opened (%d bytes)", len(got))
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoKey) {
				t.Errorf("%v, want ErrCorrupt or ErrNoKey", err)
			}
		})
	}
	other, _ := NewTenderKey()
	if _, err := other.Open(ct); !errors.Is(err, ErrNoKey) {
		t.Errorf("another tender's key: %v, want ErrNoKey", err)
	}
	if _, err := (*TenderKey)(nil).Open(ct); !errors.Is(err, ErrNoKey) {
		t.Errorf("nil key: %v, want ErrNoKey", err)
	}
	if _, err := tk.Open(make([]byte, MaxCiphertext+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxCiphertext+1: %v, want ErrTooLarge", err)
	}
}

func TestMaxPlaintext(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB")
	}
	tk, _ := NewTenderKey()
	pt := make([]byte, MaxPlaintext)
	ct, err := SealFor(tk.Recipient(), pt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ct) > MaxCiphertext {
		t.Fatalf("a MaxPlaintext seal is %d bytes, over MaxCiphertext %d", len(ct), MaxCiphertext)
	}
	got, err := tk.Open(ct)
	if err != nil || len(got) != MaxPlaintext {
		t.Fatalf("Open: %d bytes, %v", len(got), err)
	}
}

func TestWrapUnwrap(t *testing.T) {
	k := testKeys(t)
	tk, _ := NewTenderKey()
	w, err := k.Wrap(tk)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w, []byte("AGE-SECRET-KEY")) || bytes.Contains(w, []byte(wrappedTag)) {
		t.Error("wrapped key in clear")
	}
	got, err := k.Unwrap(w)
	if err != nil {
		t.Fatal(err)
	}
	if got.Recipient() != tk.Recipient() {
		t.Errorf("unwrapped %s, want %s", got.Recipient(), tk.Recipient())
	}
	ct, _ := SealFor(tk.Recipient(), []byte("bid"))
	if pt, err := got.Open(ct); err != nil || string(pt) != "bid" {
		t.Errorf("the unwrapped key opens %q, %v", pt, err)
	}
	// Wrapped to the current identity only: the older one cannot open it.
	older, err := Parse([]byte("footprint-keys v1\nage-identity " + testID2 + "\nsigning-key " + testSeed + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := older.Unwrap(w); !errors.Is(err, ErrNoKey) {
		t.Errorf("Unwrap with another identity: %v, want ErrNoKey", err)
	}
	// Tampering fails.
	for _, pos := range []int{40, 80, len(w) - 60, len(w) - 1} {
		c := bytes.Clone(w)
		c[pos] ^= 0x20
		if _, err := k.Unwrap(c); !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrCorrupt) {
			t.Errorf("bit flipped at %d: %v", pos, err)
		}
	}
	if _, err := k.Unwrap(w[:len(w)-1]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := k.Unwrap(make([]byte, MaxWrapped+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
	if _, err := k.Wrap(nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("Wrap(nil): %v", err)
	}
}

func TestUnwrapNotATenderKey(t *testing.T) {
	k := testKeys(t)
	for _, pt := range []string{
		"",
		"bid",
		wrappedTag + "\n",
		wrappedTag + "\n" + testID3,
		wrappedTag + "\n" + testID3 + "\n\n",
		wrappedTag + "\n" + strings.ToLower(testID3) + "\n",
		"footprint-tender-key-v2\n" + testID3 + "\n",
		wrappedTag + "\n" + testID3 + "\n" + testID3 + "\n",
		wrappedTag + "\r\n" + testID3 + "\n",
		strings.Repeat("x", 300),
	} {
		ct, err := SealFor(testRcpt1, []byte(pt))
		if err != nil {
			t.Fatal(err)
		}
		_, err = k.Unwrap(ct)
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%.30q: %v, want ErrCorrupt", pt, err)
		}
		noSecret(t, fmt.Sprint(err))
	}
	ct, _ := SealFor(testRcpt1, []byte(wrappedTag+"\n"+testID3+"\n"))
	if _, err := k.Unwrap(ct); err != nil {
		t.Errorf("a well-formed record sealed by hand: %v", err)
	}
}

func TestRewrapAndRetire(t *testing.T) {
	k := testKeys(t)
	w := mustWrap(t, k)
	r, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	w2, err := r.Rewrap(w)
	if err != nil {
		t.Fatal(err)
	}
	// Drop every old identity, as step 3 of a rotation does.
	var kept []string
	for _, l := range strings.Split(string(r.Encode()), "\n") {
		if strings.HasPrefix(l, "age-identity ") && (strings.HasSuffix(l, testID1) || strings.HasSuffix(l, testID2)) {
			continue
		}
		kept = append(kept, l)
	}
	retired, err := Parse([]byte(strings.Join(kept, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(retired.Recipients()) != 1 {
		t.Fatalf("retired keys hold %d identities", len(retired.Recipients()))
	}
	a, err := retired.Unwrap(w2)
	if err != nil {
		t.Fatalf("rewrapped key: %v", err)
	}
	b, _ := k.Unwrap(w)
	if a.Recipient() != b.Recipient() {
		t.Error("Rewrap changed the tender key")
	}
	if _, err := retired.Unwrap(w); !errors.Is(err, ErrNoKey) {
		t.Errorf("old record after retiring: %v, want ErrNoKey", err)
	}
	if _, err := retired.Rewrap([]byte("junk")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Rewrap(junk): %v", err)
	}
}
