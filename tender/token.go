package tender

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// TokenBytes is the entropy of a token: 256 bits.
const TokenBytes = 32

// NewToken returns a fresh secret for a bid or an officer: 32 bytes from
// crypto/rand, base64url without padding (43 characters). It is shown once;
// only HashToken of it is ever stored.
func NewToken() (string, error) {
	var b [TokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken is the hex SHA-256 of a token: what a store keeps instead of
// the token, so that reading the database gives no usable credential. A
// plain hash suffices (no salt or slow KDF) because tokens carry 256 bits
// of randomness and cannot be guessed.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// EqualTokenHash compares two token hashes in constant time, so that the
// time taken tells nothing about how much of a guessed hash matched.
func EqualTokenHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
