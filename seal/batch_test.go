package seal

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// batchFixture is a tender key, a batch key of its recipient and the
// batch key's wrapped record.
func batchFixture(t testing.TB) (*TenderKey, *BatchKey, []byte) {
	t.Helper()
	tk, err := NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	bk, wrapped, err := NewBatchKey(tk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	return tk, bk, wrapped
}

func TestBatchRoundTrip(t *testing.T) {
	tk, bk, wrapped := batchFixture(t)
	for _, n := range []int{0, 1, 4096, 64<<10 + 1} {
		pt := bytes.Repeat([]byte{'x'}, n)
		rec, err := bk.Seal("tender\x00bid", pt)
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := BatchIDOf(rec); !ok || id != bk.ID() {
			t.Fatalf("BatchIDOf = %q, %v; want %s", id, ok, bk.ID())
		}
		if bytes.Contains(rec, pt[:min(n, 64)]) && n >= 16 {
			t.Fatal("the record holds the plaintext")
		}
		// The key that opens: the one unwrapped from the stored record,
		// as an opening gets it.
		got, err := tk.OpenBatchKey(bk.ID(), wrapped)
		if err != nil {
			t.Fatal(err)
		}
		out, err := got.Open("tender\x00bid", rec)
		if err != nil || !bytes.Equal(out, pt) {
			t.Fatalf("%d bytes: open = %d bytes, %v", n, len(out), err)
		}
		if len(rec) != len(pt)+batchHead+16 {
			t.Fatalf("record of %d bytes for %d: want %d", len(rec), n, len(pt)+batchHead+16)
		}
	}
	// Two seals of one plaintext differ (random nonces).
	a, _ := bk.Seal("c", []byte("same"))
	b, _ := bk.Seal("c", []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one plaintext are equal")
	}
}

// TestBatchRecordTampering: every altered, truncated, extended or moved
// record is refused with ErrNoKey or ErrCorrupt, never opened.
func TestBatchRecordTampering(t *testing.T) {
	_, bk, _ := batchFixture(t)
	_, other, _ := batchFixture(t)
	rec, err := bk.Seal("T\x00B1", []byte(`{"supplier":"Acme","price":"100"}`))
	if err != nil {
		t.Fatal(err)
	}
	refused := func(name string, r []byte, key *BatchKey, context string) {
		t.Helper()
		pt, err := key.Open(context, r)
		if err == nil {
			t.Fatalf("%s: opened to %q", name, pt)
		}
		if !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: %v, want ErrNoKey or ErrCorrupt", name, err)
		}
	}
	for i := range rec {
		for _, bit := range []byte{1, 0x80} {
			r := bytes.Clone(rec)
			r[i] ^= bit
			refused(fmt.Sprintf("byte %d ^ %#x", i, bit), r, bk, "T\x00B1")
		}
	}
	for n := range len(rec) {
		refused(fmt.Sprintf("cut to %d", n), rec[:n], bk, "T\x00B1")
	}
	refused("extended", append(bytes.Clone(rec), 0), bk, "T\x00B1")
	refused("another bid", rec, bk, "T\x00B2")
	refused("another tender", rec, bk, "U\x00B1")
	refused("another batch key", rec, other, "T\x00B1")
	// The record of another batch with this batch's id written in: the
	// additional data bind the id, so it does not open either.
	moved := bytes.Clone(rec)
	copy(moved[len(batchTag):], other.id[:])
	refused("id rewritten", moved, other, "T\x00B1")
	refused("an age file", mustSealFor(t, testRcpt1, []byte("x")), bk, "T\x00B1")
}

func mustSealFor(t testing.TB, recipient string, pt []byte) []byte {
	t.Helper()
	ct, err := SealFor(recipient, pt)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// TestOpenBatchKeyRefuses: a wrapped batch key opens only with its
// tender's key, as the batch it says it is, of the tender it says.
func TestOpenBatchKeyRefuses(t *testing.T) {
	tk, bk, wrapped := batchFixture(t)
	otherTK, _, otherWrapped := batchFixture(t)
	if _, err := otherTK.OpenBatchKey(bk.ID(), wrapped); !errors.Is(err, ErrNoKey) {
		t.Fatalf("another tender's key: %v, want ErrNoKey", err)
	}
	_, bk2, wrapped2 := func() (*TenderKey, *BatchKey, []byte) {
		b, w, err := NewBatchKey(tk.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		return tk, b, w
	}()
	if _, err := tk.OpenBatchKey(bk.ID(), wrapped2); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("batch %s's record given as %s's: %v, want ErrCorrupt", bk2.ID(), bk.ID(), err)
	}
	if _, err := tk.OpenBatchKey(bk.ID(), otherWrapped); !errors.Is(err, ErrNoKey) {
		t.Fatalf("another tender's record: %v, want ErrNoKey", err)
	}
	// Records sealed to this tender's recipient but not canonical batch
	// keys: anyone with the recipient can write one.
	id := bk.ID()
	for name, pt := range map[string]string{
		"other tag":        "footprint-tender-key-v1\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("ab", 32) + "\n",
		"other recipient":  batchKeyTag + "\n" + testRcpt1 + "\n" + id + "\n" + strings.Repeat("ab", 32) + "\n",
		"upper-case key":   batchKeyTag + "\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("AB", 32) + "\n",
		"short key":        batchKeyTag + "\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("ab", 31) + "\n",
		"long key":         batchKeyTag + "\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("ab", 33) + "\n",
		"no final newline": batchKeyTag + "\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("ab", 32),
		"extra line":       batchKeyTag + "\n" + tk.Recipient() + "\n" + id + "\n" + strings.Repeat("ab", 32) + "\n\n",
	} {
		_, err := tk.OpenBatchKey(id, mustSealFor(t, tk.Recipient(), []byte(pt)))
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := tk.OpenBatchKey(id, make([]byte, MaxWrappedBatchKey+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
}

func TestBatchKeyDestroy(t *testing.T) {
	_, bk, _ := batchFixture(t)
	rec, err := bk.Seal("c", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	bk.Destroy()
	if !bytes.Equal(bk.key[:], make([]byte, batchKeySize)) {
		t.Fatal("Destroy left the key in memory")
	}
	if _, err := bk.Seal("c", []byte("x")); !errors.Is(err, ErrNoKey) {
		t.Fatalf("seal after Destroy: %v", err)
	}
	if _, err := bk.Open("c", rec); !errors.Is(err, ErrNoKey) {
		t.Fatalf("open after Destroy: %v", err)
	}
}

func TestBatchKeyPrintsNoSecret(t *testing.T) {
	_, bk, _ := batchFixture(t)
	secret := fmt.Sprintf("%x", bk.key[:])
	for _, s := range []string{bk.String(), fmt.Sprintf("%v", bk), fmt.Sprintf("%#v", bk), fmt.Sprintf("%+v", bk)} {
		if strings.Contains(s, secret[:16]) {
			t.Fatalf("prints the key: %s", s)
		}
	}
}

// FuzzBatchOpen: whatever the bytes, Open and BatchIDOf neither panic nor
// open anything but what Seal wrote for that context.
func FuzzBatchOpen(f *testing.F) {
	tk, bk, wrapped := batchFixture(f)
	rec, err := bk.Seal("T\x00B", []byte("plaintext"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec, "T\x00B")
	f.Add(rec[:batchHead], "T\x00B")
	f.Add([]byte(batchTag), "")
	f.Add(wrapped, "x")
	f.Fuzz(func(t *testing.T, r []byte, context string) {
		if id, ok := BatchIDOf(r); ok && len(id) != 2*batchIDSize {
			t.Fatalf("id %q", id)
		}
		pt, err := bk.Open(context, r)
		if err == nil && (!bytes.Equal(r, rec) || context != "T\x00B" || string(pt) != "plaintext") {
			t.Fatalf("opened a record Seal did not write for this context: %q", pt)
		}
		if _, err := tk.OpenBatchKey(bk.ID(), r); err == nil && !bytes.Equal(r, wrapped) {
			t.Fatal("unwrapped a record NewBatchKey did not write")
		}
	})
}
