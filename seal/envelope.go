package seal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// Size limits of sealed content.
const (
	// MaxPlaintext is the largest plaintext SealFor seals and Open returns:
	// 64 MiB.
	MaxPlaintext = 64 << 20
	// MaxCiphertext is the largest ciphertext Open reads: MaxPlaintext plus
	// age's overhead (a 16-byte tag per 64 KiB chunk, a 16-byte nonce and
	// a header, allowed 4 KiB).
	MaxCiphertext = MaxPlaintext + MaxPlaintext/(64<<10)*16 + 16 + 4096
	// MaxWrapped is the largest wrapped tender key Unwrap reads.
	MaxWrapped = 16 << 10
)

// wrappedTag is the first line of a wrapped tender key's plaintext. A
// later share of a tender key (threshold opening) will carry its own tag.
const wrappedTag = "footprint-tender-key-v1"

// TenderKey is a tender's data key pair: an age X25519 identity, made for
// one tender. Bids are sealed to its public Recipient, which anyone may
// hold; opening needs the identity, which is stored only wrapped (Wrap).
// String and GoString print the recipient only.
type TenderKey struct {
	id   *age.X25519Identity
	fast *opener // id prepared for many files; nil: age.Decrypt
}

// newTenderKey wraps id, prepared for opening many files.
func newTenderKey(id *age.X25519Identity) *TenderKey {
	return &TenderKey{id: id, fast: newOpener(id)}
}

// NewTenderKey generates a tender's key pair (crypto/rand).
func NewTenderKey() (*TenderKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("seal: generating a tender key: %w", err)
	}
	return newTenderKey(id), nil
}

// Recipient is the tender key's public age recipient (age1…, 62
// characters), to which SealFor seals bids. Store it with the tender.
func (tk *TenderKey) Recipient() string {
	if tk == nil || tk.id == nil {
		return ""
	}
	return tk.id.Recipient().String()
}

// String names the tender key by its recipient, never its secret.
func (tk *TenderKey) String() string { return "seal.TenderKey(" + tk.Recipient() + ")" }

// GoString is String, so that %#v prints no secret either.
func (tk *TenderKey) GoString() string { return tk.String() }

// SealFor encrypts plaintext (at most MaxPlaintext bytes) to an age X25519
// recipient, typically a tender's Recipient: a binary age v1 file
// (age-encryption.org/v1). No secret is needed to seal. The ciphertext is
// confidential and tamper-evident to whoever holds the identity, but it
// does not say who sealed it: anyone with the recipient can seal another
// plaintext, so what binds a bid to its bidder is the commitment recorded
// in the signed audit chain (Commit), not the encryption.
func SealFor(recipient string, plaintext []byte) ([]byte, error) {
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		if len(recipient) >= 4 && strings.EqualFold(recipient[:4], "AGE-") {
			// Never echo what may be a secret key given by mistake.
			return nil, fmt.Errorf("seal: %w: an age secret key was given where its public recipient (age1…) belongs", ErrRecipient)
		}
		return nil, fmt.Errorf("seal: %w: %s is not an age X25519 recipient (age1 and 58 more characters)", ErrRecipient, clip(recipient))
	}
	if len(plaintext) > MaxPlaintext {
		return nil, fmt.Errorf("seal: %w: plaintext of %d bytes; at most %d (MaxPlaintext)", ErrTooLarge, len(plaintext), MaxPlaintext)
	}
	return encrypt(r, plaintext)
}

// encrypt is age.Encrypt of plaintext to r, into memory.
func encrypt(r age.Recipient, plaintext []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(plaintext) + len(plaintext)/(64<<10)*16 + 256)
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("seal: encrypting: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("seal: encrypting: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal: encrypting: %w", err)
	}
	return buf.Bytes(), nil
}

// Open decrypts a ciphertext sealed to the tender key's recipient. It
// refuses, with ErrTooLarge, a ciphertext over MaxCiphertext or a
// plaintext over MaxPlaintext; with ErrNoKey, one sealed to another key
// (or whose recipient block was altered); with ErrCorrupt, anything else
// that is not an intact age file (a damaged header, an altered, truncated
// or extended payload).
func (tk *TenderKey) Open(ciphertext []byte) ([]byte, error) {
	if tk == nil || tk.id == nil {
		return nil, fmt.Errorf("seal: open: %w: no tender key", ErrNoKey)
	}
	if tk.fast != nil {
		return tk.fast.open(ciphertext, MaxCiphertext, MaxPlaintext, "ciphertext", tk.id)
	}
	return decrypt(ciphertext, MaxCiphertext, MaxPlaintext, "ciphertext", tk.id)
}

// decrypt is age.Decrypt of at most maxIn bytes into at most maxOut bytes.
func decrypt(in []byte, maxIn, maxOut int, what string, ids ...age.Identity) ([]byte, error) {
	if len(in) > maxIn {
		return nil, fmt.Errorf("seal: %w: %s of %d bytes; at most %d", ErrTooLarge, what, len(in), maxIn)
	}
	r, err := age.Decrypt(bytes.NewReader(in), ids...)
	if err != nil {
		if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
			return nil, fmt.Errorf("seal: %w: the %s was sealed to another key, or its recipient block was altered", ErrNoKey, what)
		}
		return nil, fmt.Errorf("seal: %w: the %s is not an intact age file (its header is damaged or altered)", ErrCorrupt, what)
	}
	var out bytes.Buffer
	out.Grow(min(len(in), maxOut))
	if _, err := out.ReadFrom(io.LimitReader(r, int64(maxOut)+1)); err != nil {
		return nil, fmt.Errorf("seal: %w: the %s's payload was altered, truncated or extended", ErrCorrupt, what)
	}
	if out.Len() > maxOut {
		return nil, fmt.Errorf("seal: %w: the %s's plaintext exceeds %d bytes", ErrTooLarge, what, maxOut)
	}
	return out.Bytes(), nil
}

// Wrap encrypts the tender key's identity to the key file's current
// recipient: the record kept, one per (tender, holder), beside the tender
// in the database. Its plaintext is "footprint-tender-key-v1\n", the age
// identity and "\n" (docs/sealing.md).
func (k *Keys) Wrap(tk *TenderKey) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if tk == nil || tk.id == nil {
		return nil, fmt.Errorf("seal: wrap: %w: no tender key", ErrNoKey)
	}
	pt := []byte(wrappedTag + "\n" + tk.id.String() + "\n")
	defer clear(pt)
	return encrypt(k.ids[0].Recipient(), pt)
}

// Unwrap decrypts a wrapped tender key with any of the key file's
// identities (the current one or an older one). ErrNoKey: none opens it
// (wrapped under an identity no longer in the file, or altered);
// ErrCorrupt: not an intact age file, or it decrypts to something other
// than a tender key; ErrTooLarge: over MaxWrapped. A caller should check
// that the key's Recipient is the one stored with the tender.
func (k *Keys) Unwrap(wrapped []byte) (*TenderKey, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	ids := make([]age.Identity, len(k.ids))
	for i, id := range k.ids {
		ids[i] = id
	}
	pt, err := decrypt(wrapped, MaxWrapped, 256, "wrapped tender key", ids...)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	rest, ok := strings.CutPrefix(string(pt), wrappedTag+"\n")
	secret, ok2 := strings.CutSuffix(rest, "\n")
	if !ok || !ok2 || strings.Contains(secret, "\n") {
		return nil, fmt.Errorf("seal: %w: the wrapped record decrypts but is not a %s record", ErrCorrupt, wrappedTag)
	}
	id, err := age.ParseX25519Identity(secret)
	if err != nil || id.String() != secret {
		return nil, fmt.Errorf("seal: %w: the wrapped record decrypts but holds no canonical age X25519 identity", ErrCorrupt)
	}
	return newTenderKey(id), nil
}

// Rewrap unwraps a wrapped tender key with any of the key file's
// identities and wraps it again to the current one: after a rotation,
// rewrap every stored record before an old identity is dropped from the
// key file.
func (k *Keys) Rewrap(wrapped []byte) ([]byte, error) {
	tk, err := k.Unwrap(wrapped)
	if err != nil {
		return nil, err
	}
	return k.Wrap(tk)
}
