package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func FuzzParseKeys(f *testing.F) {
	data, err := os.ReadFile("testdata/test-keys.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("footprint-keys v1\nage-identity " + testID1 + "\nsigning-key " + testSeed))
	f.Add([]byte("footprint-keys v1\r\nage-identity " + testID1 + "\n"))
	f.Add([]byte("footprint-keys v1\n" + testID1 + "\nsigning-key " + testSeed + "\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrKeyFile) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%v wraps neither ErrKeyFile nor ErrTooLarge", err)
			}
			msg := err.Error()
			if len(msg) > 300 {
				t.Fatalf("message of %d bytes", len(msg))
			}
			// No long token of the input reappears in the message.
			for _, tok := range strings.Fields(string(data)) {
				if len(tok) >= 20 && strings.Contains(msg, tok) {
					t.Fatalf("message repeats input %.20q…: %s", tok, msg)
				}
			}
			return
		}
		if len(k.Recipients()) == 0 || len(k.VerifyKeys()) == 0 {
			t.Fatal("parsed keys without an identity or a signing key")
		}
		enc := k.Encode()
		k2, err := Parse(enc)
		if err != nil {
			t.Fatalf("Parse(Encode()): %v", err)
		}
		if !bytes.Equal(k2.Encode(), enc) {
			t.Fatal("Encode does not round-trip")
		}
	})
}

func FuzzParseSignedHead(f *testing.F) {
	f.Add(vecText)
	f.Add(strings.Replace(vecText, " 3 ", " 03 ", 1))
	f.Add(vecText + "\n")
	f.Add("footprint-head-v1 a 1 " + strings.Repeat("0", 64) + " 0001-01-01T00:00:00Z 0000000000000000 " + strings.Repeat("A", 86))
	f.Add("")
	k := testKeys(f)
	keys := k.VerifyKeys()
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseSignedHead(s)
		if err != nil {
			if !errors.Is(err, ErrHead) {
				t.Fatalf("%v does not wrap ErrHead", err)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("message of %d bytes", len(err.Error()))
			}
			return
		}
		if got := sh.String(); got != s {
			t.Fatalf("not canonical: parsed %q, prints %q", s, got)
		}
		text, err := sh.MarshalText()
		if err != nil || string(text) != s {
			t.Fatalf("MarshalText: %q, %v", text, err)
		}
		if _, err := sh.Canonical(); err != nil {
			t.Fatalf("a parsed head does not encode: %v", err)
		}
		err = VerifyHead(sh, keys)
		if err != nil && !errors.Is(err, ErrSignature) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("VerifyHead of a parsed head: %v", err)
		}
		if err == nil && s != vecText {
			// Only the vector itself (or a real forgery) verifies.
			if sh.Seq != 3 || sh.TenderID != "9f2c41d0a7b3e655" {
				t.Fatalf("a fuzzed head verifies: %q", s)
			}
		}
	})
}

func FuzzCheckpointRead(f *testing.F) {
	k := testKeys(f)
	keys := k.VerifyKeys()
	var good []string
	for seq := int64(1); seq <= 3; seq++ {
		sh, err := k.SignHead(Head{TenderID: "t1", Seq: seq, Hash: strings.Repeat("ab", 32), At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC)})
		if err != nil {
			f.Fatal(err)
		}
		good = append(good, sh.String())
	}
	all := strings.Join(good, "\n") + "\n"
	f.Add([]byte(all))
	f.Add([]byte(all + good[0][:40]))
	f.Add([]byte(good[0] + "\n\n" + good[1] + "\n"))
	f.Add([]byte(strings.Repeat("x", 600) + "\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := readCheckpoint(bytes.NewReader(data), "fuzz", keys, "t1")
		if err != nil {
			if !errors.Is(err, ErrCheckpoint) && !errors.Is(err, ErrConflict) {
				t.Fatalf("%v wraps neither ErrCheckpoint nor ErrConflict", err)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("message of %d bytes", len(err.Error()))
			}
			return
		}
		seen := map[int64]string{}
		for _, h := range hs {
			if h.TenderID != "t1" {
				t.Fatalf("another tender's head: %s", h.TenderID)
			}
			if err := VerifyHead(h, keys); err != nil {
				t.Fatalf("a head read does not verify: %v", err)
			}
			if s, ok := seen[h.Seq]; ok && s != h.Hash {
				t.Fatal("a conflict was let through")
			}
			seen[h.Seq] = h.Hash
		}
		// A torn line after a whole file changes nothing.
		if len(data) == 0 || data[len(data)-1] == '\n' {
			hs2, err := readCheckpoint(bytes.NewReader(append(bytes.Clone(data), "footprint-head-v1 t1 9"...)), "fuzz", keys, "t1")
			if err != nil || len(hs2) != len(hs) {
				t.Fatalf("a torn last line changed the result: %d heads, %v", len(hs2), err)
			}
		}
	})
}

func FuzzOpen(f *testing.F) {
	tk := tk3(f)
	ct, err := SealFor(tk.Recipient(), []byte("a bid"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ct)
	f.Add(ct[:len(ct)-1])
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n--- \n"))
	f.Fuzz(func(t *testing.T, ct []byte) {
		pt, err := tk.Open(ct)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if len(pt) > MaxPlaintext {
			t.Fatal("too large a plaintext")
		}
	})
}

// tk3 is the tender key of testID3, built through Unwrap's own parser.
func tk3(t testing.TB) *TenderKey {
	t.Helper()
	ct, err := SealFor(testRcpt1, []byte(wrappedTag+"\n"+testID3+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := testKeys(t).Unwrap(ct)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func FuzzUnwrap(f *testing.F) {
	k := testKeys(f)
	f.Add(mustWrap(f, k))
	f.Add([]byte("age-encryption.org/v1\n"))
	f.Fuzz(func(t *testing.T, w []byte) {
		tk, err := k.Unwrap(w)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("untyped error: %v", err)
			}
			noSecret(t, err.Error())
			return
		}
		if !strings.HasPrefix(tk.Recipient(), "age1") {
			t.Fatal("unwrapped a key without a recipient")
		}
	})
}

func FuzzParseNonce(f *testing.F) {
	f.Add(strings.Repeat("0f", 32))
	f.Add(strings.Repeat("0F", 32))
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNonce(s)
		if err != nil {
			if !errors.Is(err, ErrNonce) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if hex.EncodeToString(n[:]) != s {
			t.Fatalf("accepted %q, a nonce whose canonical text is not itself", s)
		}
	})
}
