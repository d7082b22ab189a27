package seal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
)

// NonceSize is the size of a commitment nonce: 256 bits.
const NonceSize = 32

// commitTag domain-separates commitments from every other use of
// HMAC-SHA256 keyed by the same bytes.
const commitTag = "footprint-commit-v1\x00"

// NewNonce returns a fresh commitment nonce from crypto/rand. Seal it
// inside the bid; reveal it (ParseNonce's text form, lower-case hex) only
// at the opening.
func NewNonce() ([NonceSize]byte, error) {
	var n [NonceSize]byte
	if _, err := rand.Read(n[:]); err != nil {
		return n, fmt.Errorf("seal: reading a nonce from crypto/rand: %w", err)
	}
	return n, nil
}

// ParseNonce reads a nonce's text form: 64 lower-case hex digits.
func ParseNonce(s string) ([NonceSize]byte, error) {
	var n [NonceSize]byte
	if len(s) != 2*NonceSize || !isLowerHex(s) {
		return n, fmt.Errorf("seal: %w: %s is not 64 lower-case hex digits", ErrNonce, clip(s))
	}
	hex.Decode(n[:], []byte(s))
	return n, nil
}

// Commit is the commitment to content under nonce: the lower-case hex of
// HMAC-SHA256, keyed by the 32-byte nonce, of "footprint-commit-v1", a
// zero byte, and content.
//
// Hiding: the nonce is 256 secret, uniformly random bits, and HMAC-SHA256
// under a secret key is a pseudo-random function, so before the nonce is
// revealed the commitment tells nothing about content; a brute force over
// the few plausible bids of a public notice must also guess the nonce
// (2^256 tries), where a plain or salted-but-public hash falls in seconds.
//
// Binding: opening one commitment to two different (nonce, content) pairs
// needs two HMAC-SHA256 inputs with the same output. The nonce is always
// exactly 32 bytes, so keys are never hashed or ambiguously padded, and
// such a pair gives a SHA-256 collision (of the outer hash, or else of
// the inner one). So a bidder cannot change its bid after committing, and
// the buyer cannot substitute another.
//
// The nonce is a [32]byte rather than a []byte so that no other length
// (which would weaken both properties) can be used by mistake.
func Commit(nonce [NonceSize]byte, content []byte) string {
	var sum [sha256.Size]byte
	commit(&sum, nonce, content)
	return hex.EncodeToString(sum[:])
}

// commit writes the commitment's bytes to sum.
func commit(sum *[sha256.Size]byte, nonce [NonceSize]byte, content []byte) {
	m := hmac.New(sha256.New, nonce[:])
	m.Write([]byte(commitTag))
	m.Write(content)
	m.Sum(sum[:0])
}

// CheckCommitment reports whether commitment is Commit(nonce, content),
// comparing in constant time. A commitment that is not 64 lower-case hex
// digits is false.
func CheckCommitment(commitment string, nonce [NonceSize]byte, content []byte) bool {
	var want [sha256.Size]byte
	commit(&want, nonce, content)
	var enc [2 * sha256.Size]byte
	hex.Encode(enc[:], want[:])
	return subtle.ConstantTimeCompare([]byte(commitment), enc[:]) == 1
}

// isLowerHex reports whether s is non-empty lower-case hex.
func isLowerHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
