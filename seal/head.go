package seal

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// headTag starts a head's canonical encoding and a signed head's text form.
const headTag = "footprint-head-v1"

// Head limits and sizes.
const (
	// MaxTenderID is the longest tender id a head carries.
	MaxTenderID = 128
	// KeyIDSize is the length of a key id: 16 lower-case hex digits.
	KeyIDSize = 16
	// maxHeadText is the longest text form ParseSignedHead reads.
	maxHeadText = 512
)

// Head is the head of a tender's audit chain: the last event's seq and
// hash (tender.Event), and the time the head was taken.
type Head struct {
	TenderID string    // 1 to MaxTenderID of A-Z a-z 0-9 _ -
	Seq      int64     // 1 or more
	Hash     string    // the event's hash: 64 lower-case hex digits
	At       time.Time // non-zero, a year from 1 to 9999 in UTC
}

// SignedHead is a Head signed with Ed25519 by the key file's signing key.
// Its text form (String, MarshalText, ParseSignedHead; JSON is that text as
// a string) is one line:
//
//	footprint-head-v1 <tender id> <seq> <hash> <at> <key id> <signature>
//
// with at in RFC 3339 UTC ("Z", nanoseconds without trailing zeros) and
// the signature in unpadded base64url (docs/sealing.md).
type SignedHead struct {
	Head
	KeyID string // KeyID of the signing key's public key
	Sig   []byte // 64-byte Ed25519 signature of Head.Canonical
}

// KeyID is a public key's id: the lower-case hex of the first 8 bytes of
// its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:KeyIDSize/2])
}

// Validate checks the head's fields against their ranges (Head's field
// comments), with ErrHead.
func (h Head) Validate() error {
	if !validTenderID(h.TenderID) {
		return fmt.Errorf("seal: %w: tender id %s: want 1 to %d of A-Z a-z 0-9 _ -", ErrHead, clip(h.TenderID), MaxTenderID)
	}
	if h.Seq < 1 {
		return fmt.Errorf("seal: %w: tender %s: seq %d; a head's seq is 1 or more", ErrHead, h.TenderID, h.Seq)
	}
	if len(h.Hash) != 64 || !isLowerHex(h.Hash) {
		return fmt.Errorf("seal: %w: tender %s: hash %s is not 64 lower-case hex digits", ErrHead, h.TenderID, clip(h.Hash))
	}
	if y := h.At.UTC().Year(); h.At.IsZero() || y < 1 || y > 9999 {
		return fmt.Errorf("seal: %w: tender %s: time %s: want a non-zero time in the years 1 to 9999", ErrHead, h.TenderID, clip(h.At.String()))
	}
	return nil
}

// validTenderID reports whether id is 1 to MaxTenderID of A-Z a-z 0-9 _ -.
func validTenderID(id string) bool {
	if id == "" || len(id) > MaxTenderID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// formatAt is a head time's canonical text: RFC 3339 in UTC with
// nanoseconds, trailing zeros dropped.
func formatAt(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Canonical is the byte string a head's signature covers: the fields
// "footprint-head-v1", tender id, seq (decimal), hash and at (formatAt),
// each written as its length in bytes (decimal), ":" and its bytes. No two
// different heads encode alike, and no other footprint structure starts
// with this tag.
func (h Head) Canonical() ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 160)
	for _, f := range [...]string{headTag, h.TenderID, strconv.FormatInt(h.Seq, 10), h.Hash, formatAt(h.At)} {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return b, nil
}

// SignHead signs h with the current signing key. The returned head's At
// is h.At in UTC without a monotonic clock reading, as ParseSignedHead
// gives it back.
func (k *Keys) SignHead(h Head) (SignedHead, error) {
	if err := k.check(); err != nil {
		return SignedHead{}, err
	}
	h.At = h.At.UTC().Round(0)
	msg, err := h.Canonical()
	if err != nil {
		return SignedHead{}, err
	}
	return SignedHead{Head: h, KeyID: k.SigningKeyID(), Sig: ed25519.Sign(k.sign, msg)}, nil
}

// VerifyHead checks sh's signature with the key among keys that its key
// id names: ErrHead when sh is malformed, ErrUnknownKey when no key has
// its id, ErrSignature when the signature does not verify.
func VerifyHead(sh SignedHead, keys []ed25519.PublicKey) error {
	msg, err := sh.Head.Canonical()
	if err != nil {
		return err
	}
	if len(sh.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("seal: %w: tender %s seq %d: a signature of %d bytes; Ed25519's has %d", ErrHead, sh.TenderID, sh.Seq, len(sh.Sig), ed25519.SignatureSize)
	}
	found := false
	for _, pub := range keys {
		if len(pub) != ed25519.PublicKeySize || KeyID(pub) != sh.KeyID {
			continue
		}
		found = true
		if ed25519.Verify(pub, msg, sh.Sig) {
			return nil
		}
	}
	if !found {
		return fmt.Errorf("seal: %w: tender %s seq %d is signed by key %s, which is not among the %d verify keys", ErrUnknownKey, sh.TenderID, sh.Seq, clip(sh.KeyID), len(keys))
	}
	return fmt.Errorf("seal: %w: tender %s seq %d: the signature of key %s does not verify (the head or its signature was altered)", ErrSignature, sh.TenderID, sh.Seq, sh.KeyID)
}

// String is the signed head's text form (see SignedHead). It is only
// parseable when the head is valid and the signature has 64 bytes.
func (sh SignedHead) String() string {
	return strings.Join([]string{headTag, sh.TenderID, strconv.FormatInt(sh.Seq, 10), sh.Hash, formatAt(sh.At), sh.KeyID, base64.RawURLEncoding.EncodeToString(sh.Sig)}, " ")
}

// MarshalText is the text form, refusing (ErrHead) a signed head that
// would not parse back. It makes JSON carry a signed head as one string.
func (sh SignedHead) MarshalText() ([]byte, error) {
	if err := sh.Head.Validate(); err != nil {
		return nil, err
	}
	if len(sh.KeyID) != KeyIDSize || !isLowerHex(sh.KeyID) || len(sh.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("seal: %w: tender %s seq %d: unsigned (key id or signature missing)", ErrHead, sh.TenderID, sh.Seq)
	}
	return []byte(sh.String()), nil
}

// UnmarshalText is ParseSignedHead.
func (sh *SignedHead) UnmarshalText(text []byte) error {
	v, err := ParseSignedHead(string(text))
	if err != nil {
		return err
	}
	*sh = v
	return nil
}

// ParseSignedHead reads a signed head's text form strictly: exactly seven
// fields separated by single spaces, each in its canonical form (the
// tag, a valid tender id, seq in decimal without sign or leading zeros,
// 64 lower-case hex digits, at as formatAt writes it, 16 lower-case hex
// digits, 86 characters of unpadded base64url). It does not verify the
// signature (VerifyHead does).
func ParseSignedHead(s string) (SignedHead, error) {
	bad := func(format string, args ...any) (SignedHead, error) {
		return SignedHead{}, fmt.Errorf("seal: %w: %s", ErrHead, fmt.Sprintf(format, args...))
	}
	if len(s) > maxHeadText {
		return bad("%d bytes; a signed head's text has at most %d", len(s), maxHeadText)
	}
	f := strings.Split(s, " ")
	if len(f) != 7 {
		return bad("%d space-separated fields; want 7: %s <tender id> <seq> <hash> <at> <key id> <signature>", len(f), headTag)
	}
	if f[0] != headTag {
		return bad("starts with %s; want %s", clip(f[0]), headTag)
	}
	var sh SignedHead
	sh.TenderID = f[1]
	if !validTenderID(f[1]) {
		return bad("tender id %s: want 1 to %d of A-Z a-z 0-9 _ -", clip(f[1]), MaxTenderID)
	}
	seq, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || seq < 1 || strconv.FormatInt(seq, 10) != f[2] {
		return bad("seq %s: want a decimal number from 1, without sign or leading zeros", clip(f[2]))
	}
	sh.Seq = seq
	if len(f[3]) != 64 || !isLowerHex(f[3]) {
		return bad("hash %s: want 64 lower-case hex digits", clip(f[3]))
	}
	sh.Hash = f[3]
	at, err := time.Parse(time.RFC3339Nano, f[4])
	if err != nil || formatAt(at) != f[4] {
		return bad("time %s: want RFC 3339 in UTC with Z, like 2026-11-01T09:00:00.123456Z", clip(f[4]))
	}
	sh.At = at.UTC()
	if err := sh.Head.Validate(); err != nil {
		return SignedHead{}, err
	}
	if len(f[5]) != KeyIDSize || !isLowerHex(f[5]) {
		return bad("key id %s: want %d lower-case hex digits", clip(f[5]), KeyIDSize)
	}
	sh.KeyID = f[5]
	sig, err := base64.RawURLEncoding.Strict().DecodeString(f[6])
	if err != nil || len(sig) != ed25519.SignatureSize || !isBase64URL(f[6]) {
		return bad("signature %s: want %d bytes in unpadded base64url (86 characters)", clip(f[6]), ed25519.SignatureSize)
	}
	sh.Sig = sig
	return sh, nil
}

// isBase64URL reports whether s is made of the base64url alphabet only
// (the decoder itself skips newlines).
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
