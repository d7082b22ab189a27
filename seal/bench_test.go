package seal

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
)

// bid100KB is a 100 KB bid-like plaintext.
var bid100KB = bytes.Repeat([]byte(`{"id":"17","activity":"fuel.natural_gas","region":"US","quantity":"1000","unit":"mmBtu"},`), 100_000/88+1)[:100_000]

func BenchmarkSealFor100KB(b *testing.B) {
	tk, _ := NewTenderKey()
	r := tk.Recipient()
	b.SetBytes(int64(len(bid100KB)))
	for b.Loop() {
		if _, err := SealFor(r, bid100KB); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen100KB(b *testing.B) {
	tk, _ := NewTenderKey()
	ct, _ := SealFor(tk.Recipient(), bid100KB)
	b.SetBytes(int64(len(bid100KB)))
	for b.Loop() {
		if _, err := tk.Open(ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrap(b *testing.B) {
	k := testKeys(b)
	tk, _ := NewTenderKey()
	for b.Loop() {
		if _, err := k.Wrap(tk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnwrap(b *testing.B) {
	k := testKeys(b)
	w := mustWrap(b, k)
	for b.Loop() {
		if _, err := k.Unwrap(w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignHead(b *testing.B) {
	k := testKeys(b)
	h := testHead()
	for b.Loop() {
		if _, err := k.SignHead(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHead(b *testing.B) {
	k := testKeys(b)
	keys := k.VerifyKeys()
	sh, _ := k.SignHead(testHead())
	for b.Loop() {
		if err := VerifyHead(sh, keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSignedHead(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSignedHead(vecText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommit(b *testing.B) {
	n, _ := NewNonce()
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				Commit(n, bid100KB[:size])
			}
		})
	}
}

// BenchmarkAppend is one fsynced line: it measures the disk.
func BenchmarkAppend(b *testing.B) {
	k := testKeys(b)
	c, err := OpenCheckpoint(filepath.Join(b.TempDir(), "heads"), k.VerifyKeys())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	sh, _ := k.SignHead(testHead())
	for b.Loop() {
		if err := c.Append(sh); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckpointLatest reads and verifies a checkpoint of 1,000
// lines (100 tenders of 10 heads).
func BenchmarkCheckpointLatest(b *testing.B) {
	k := testKeys(b)
	var buf bytes.Buffer
	for seq := int64(1); seq <= 10; seq++ {
		for t := range 100 {
			sh, _ := k.SignHead(headAt(fmt.Sprint("t", t), seq, ""))
			buf.WriteString(sh.String() + "\n")
		}
	}
	path := filepath.Join(b.TempDir(), "heads")
	c, err := OpenCheckpoint(path, k.VerifyKeys())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.f.Write(buf.Bytes()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok, err := c.Latest("t7"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkOpenBid opens a 4 KB sealed bid, the size of a 20-line bid, as
// an opening does for each bid: with the tender key's prepared opener and,
// for contrast, with age.Decrypt.
func BenchmarkOpenBid(b *testing.B) {
	tk, _ := NewTenderKey()
	ct, _ := SealFor(tk.Recipient(), bid100KB[:4<<10])
	b.Run("opener", func(b *testing.B) {
		for b.Loop() {
			if _, err := tk.Open(ct); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("age", func(b *testing.B) {
		for b.Loop() {
			if _, err := decrypt(ct, MaxCiphertext, MaxPlaintext, "ciphertext", tk.id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
