package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// sameOpening fails t unless the fast opener and age.Decrypt (decrypt)
// agree on in with at most maxOut bytes of plaintext: the same plaintext,
// or errors of the same class.
func sameOpening(t testing.TB, tk *TenderKey, in []byte, maxOut int, what string) {
	t.Helper()
	if tk.fast == nil {
		t.Fatal("the tender key has no fast opener")
	}
	fast, ferr := tk.fast.open(in, MaxCiphertext, maxOut, "ciphertext", tk.id)
	slow, serr := decrypt(in, MaxCiphertext, maxOut, "ciphertext", tk.id)
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("%s: fast opener says %v, age says %v", what, ferr, serr)
	}
	if serr != nil {
		for _, class := range []error{ErrNoKey, ErrCorrupt, ErrTooLarge} {
			if errors.Is(ferr, class) != errors.Is(serr, class) {
				t.Fatalf("%s: fast opener says %v, age says %v", what, ferr, serr)
			}
		}
		return
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("%s: fast opener's plaintext (%d bytes) differs from age's (%d bytes)", what, len(fast), len(slow))
	}
}

// sealTo is an age file of pt to the recipients.
func sealTo(t testing.TB, pt []byte, rs ...age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pt); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenerMatchesAge(t *testing.T) {
	tk, err := NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	scrypt, err := age.NewScryptRecipient("a passphrase")
	if err != nil {
		t.Fatal(err)
	}
	scrypt.SetWorkFactor(10)
	rng := rand.New(rand.NewPCG(1, 2))
	mine := tk.id.Recipient()
	for _, size := range []int{0, 1, 200, chunkSize - 1, chunkSize, chunkSize + 1, 2 * chunkSize, 2*chunkSize + 7} {
		pt := make([]byte, size)
		for i := range pt {
			pt[i] = byte(rng.Uint32())
		}
		cases := map[string][]byte{
			"mine":             sealTo(t, pt, mine),
			"other's":          sealTo(t, pt, other.Recipient()),
			"other's and mine": sealTo(t, pt, other.Recipient(), mine),
			"scrypt":           sealTo(t, pt, scrypt),
		}
		ct := cases["mine"]
		hdr, err := age.ExtractHeader(bytes.NewReader(ct))
		if err != nil || !bytes.HasPrefix(ct, hdr) {
			t.Fatalf("size %d: the header does not re-encode to the file's bytes (%v): the fast path is never taken", size, err)
		}
		// Damage: cuts, flipped bits, extra bytes, a chunk dropped or repeated.
		for i := range 40 {
			cut := rng.IntN(len(ct) + 1)
			cases[fmt.Sprint("cut at ", cut)] = ct[:cut]
			flip := bytes.Clone(ct)
			flip[rng.IntN(len(flip))] ^= 1 << rng.IntN(8)
			cases[fmt.Sprint("flip ", i)] = flip
		}
		for _, cut := range []int{len(hdr), len(hdr) + streamNonceSize, len(hdr) + streamNonceSize + 16, len(ct) - 1} {
			cases[fmt.Sprint("cut at ", cut)] = ct[:min(cut, len(ct))]
		}
		cases["one more byte"] = append(bytes.Clone(ct), 0)
		cases["a chunk more of zeros"] = append(bytes.Clone(ct), make([]byte, encChunkSize)...)
		if body := len(hdr) + streamNonceSize; len(ct)-body > encChunkSize {
			first := ct[body : body+encChunkSize]
			cases["first chunk dropped"] = append(bytes.Clone(ct[:body]), ct[body+encChunkSize:]...)
			cases["first chunk repeated"] = append(append(bytes.Clone(ct[:body+encChunkSize]), first...), ct[body+encChunkSize:]...)
		}
		for name, in := range cases {
			sameOpening(t, tk, in, MaxPlaintext, fmt.Sprintf("size %d, %s", size, name))
			// A limit below the plaintext: ErrTooLarge, or the damage found first.
			sameOpening(t, tk, in, max(size-1, 0), fmt.Sprintf("size %d, %s, limit %d", size, name, max(size-1, 0)))
		}
	}
}

// keyTap is a recipient that keeps the file key it wraps, so that a test
// can write payloads age's writer never makes.
type keyTap struct {
	age.Recipient
	fileKey []byte
}

func (k *keyTap) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	k.fileKey = bytes.Clone(fileKey)
	return k.Recipient.Wrap(fileKey)
}

// TestOpenerChunkRules checks the payload rules on chunk layouts only
// another writer makes (an older age's empty last chunk among them).
func TestOpenerChunkRules(t *testing.T) {
	tk, err := NewTenderKey()
	if err != nil {
		t.Fatal(err)
	}
	tap := &keyTap{Recipient: tk.id.Recipient()}
	empty := sealTo(t, nil, tap) // header, nonce, one empty last chunk
	prefix := empty[:len(empty)-16]
	key, err := hkdf.Key(sha256.New, tap.fileKey, prefix[len(prefix)-streamNonceSize:], "payload", chacha20poly1305.KeySize)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		t.Fatal(err)
	}
	type chunk struct {
		size int
		last bool
	}
	full, short := chunkSize, 100
	for name, layout := range map[string][]chunk{
		"one empty last":              {{0, true}},
		"full, then empty last":       {{full, false}, {0, true}},
		"full, then short last":       {{full, false}, {short, true}},
		"full last":                   {{full, true}},
		"full, full last":             {{full, false}, {full, true}},
		"short, not marked last":      {{short, false}},
		"full, not marked last":       {{full, false}},
		"full last, then more":        {{full, true}, {short, true}},
		"short last, then more":       {{short, true}, {short, true}},
		"empty not last, then short":  {{0, false}, {short, true}},
		"full, short not last, short": {{full, false}, {short, false}, {short, true}},
	} {
		ct := bytes.Clone(prefix)
		var nonce [chacha20poly1305.NonceSize]byte
		for i, c := range layout {
			putCounter(&nonce, uint64(i), c.last)
			ct = aead.Seal(ct, nonce[:], bytes.Repeat([]byte{byte(i + 1)}, c.size), nil)
		}
		sameOpening(t, tk, ct, MaxPlaintext, name)
	}
}

// TestOpenerTaken checks that Open takes the fast path on what SealFor
// makes, so that the differential test above tests the path in use.
func TestOpenerTaken(t *testing.T) {
	for range 50 {
		tk, err := NewTenderKey()
		if err != nil {
			t.Fatal(err)
		}
		if tk.fast == nil {
			t.Fatal("a generated tender key has no fast opener")
		}
		ct, err := SealFor(tk.Recipient(), []byte("a bid"))
		if err != nil {
			t.Fatal(err)
		}
		hdr, err := age.ExtractHeader(bytes.NewReader(ct))
		if err != nil || !bytes.HasPrefix(ct, hdr) {
			t.Fatal(err)
		}
		if _, n, fast, err := tk.fast.fileKeyOf(ct); !fast || err != nil || n != len(hdr) {
			t.Fatalf("the opener does not read SealFor's header itself (fast %v, %v, %d of %d bytes)", fast, err, n, len(hdr))
		}
	}
	if tk := tk3(t); tk.fast == nil {
		t.Fatal("an unwrapped tender key has no fast opener")
	}
}

func TestBech32Decode(t *testing.T) {
	// BIP 173's valid vectors with an empty and a long payload.
	for _, s := range []string{"a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"} {
		hrp := s[:strings.LastIndexByte(s, '1')]
		if _, err := bech32Decode(hrp, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	rcpt := id.Recipient().String()
	if pub, err := bech32Decode("age", rcpt); err != nil || len(pub) != 32 {
		t.Fatalf("%s: %v", rcpt, err)
	}
	for _, bad := range []string{
		rcpt[:len(rcpt)-1] + string(bech32Charset[(strings.IndexByte(bech32Charset, rcpt[len(rcpt)-1])+1)%32]), // checksum
		"age1" + rcpt[5:],           // a character dropped
		strings.ToUpper(rcpt),       // not lower-case
		"agf" + rcpt[3:],            // another part
		"age1qqqqqq",                // too short
		rcpt[:10] + "b" + rcpt[11:], // outside the alphabet
	} {
		if _, err := bech32Decode("age", bad); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func FuzzOpener(f *testing.F) {
	tk := tk3(f)
	for _, pt := range [][]byte{nil, []byte("a bid"), bytes.Repeat([]byte("x"), chunkSize)} {
		ct, err := SealFor(tk.Recipient(), pt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct, uint16(0))
		f.Add(ct[:len(ct)-1], uint16(3))
	}
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n--- \n"), uint16(0))
	f.Fuzz(func(t *testing.T, ct []byte, limit uint16) {
		maxOut := MaxPlaintext
		if limit != 0 {
			maxOut = int(limit)
		}
		sameOpening(t, tk, ct, maxOut, "fuzz")
	})
}
