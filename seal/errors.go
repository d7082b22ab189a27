package seal

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors. Every error this package returns wraps one of them (test
// with errors.Is); the message around it says what was refused, where, and
// what would be right. No message contains secret material, and none
// repeats more than a short prefix of its input.
var (
	// ErrKeyFile: a key file (or its content in an environment variable)
	// is malformed. Wrapped in a *LineError naming the line.
	ErrKeyFile = errors.New("malformed key file")
	// ErrPermissions: a key file is readable or writable by group or
	// others.
	ErrPermissions = errors.New("key file permissions too open")
	// ErrNoKey: no key at hand opens a ciphertext or a wrapped tender key
	// (it was sealed to another key, a key was removed from the key file,
	// or the ciphertext's recipient block was altered), or a key is
	// missing where one is needed.
	ErrNoKey = errors.New("no key opens it")
	// ErrCorrupt: a ciphertext or a wrapped tender key is not what this
	// package writes: not an age file, a damaged header, an altered or
	// truncated payload, or a wrapped record whose content is not a tender
	// key.
	ErrCorrupt = errors.New("corrupt ciphertext")
	// ErrTooLarge: an input exceeds its documented maximum (MaxPlaintext,
	// MaxCiphertext, MaxWrapped, MaxKeyFileSize).
	ErrTooLarge = errors.New("too large")
	// ErrRecipient: a string is not an age X25519 recipient (age1…).
	ErrRecipient = errors.New("invalid recipient")
	// ErrNonce: a nonce's text is not 64 lower-case hex digits.
	ErrNonce = errors.New("invalid nonce")
	// ErrHead: a head or a signed head is malformed or out of range.
	ErrHead = errors.New("invalid signed head")
	// ErrUnknownKey: a signed head names a key id that none of the given
	// public keys has.
	ErrUnknownKey = errors.New("signed by an unknown key")
	// ErrSignature: a signed head's signature does not verify with the
	// key its key id names (the head or the signature was altered).
	ErrSignature = errors.New("signature does not verify")
	// ErrCheckpoint: a line of a checkpoint file, other than a torn last
	// line, does not parse or verify. Wrapped in a *LineError; the cause
	// (ErrHead, ErrSignature, ErrUnknownKey…) is wrapped too.
	ErrCheckpoint = errors.New("corrupt checkpoint line")
	// ErrConflict: two lines of a checkpoint sign the same tender and seq
	// with different hashes: the tender's chain was rewritten (or its
	// database restored from an older copy and written again).
	ErrConflict = errors.New("conflicting signed heads")
	// ErrClosed: the checkpoint was closed, or an earlier append failed
	// and it must be reopened.
	ErrClosed = errors.New("checkpoint not usable")
)

// LineError locates an error in a line-oriented input: a key file or a
// checkpoint file. Err is the sentinel (ErrKeyFile, ErrCheckpoint,
// ErrConflict, ErrTooLarge), Cause the error that made the line fail when
// there is one (ErrHead, ErrSignature…); errors.Is finds both. Msg says
// what is wrong with the line and what would be right, without repeating
// secret material.
type LineError struct {
	Source string // "key file /etc/footprint/keys", "checkpoint /var/lib/footprint/heads"…
	Line   int    // 1-based; 0 when the error concerns the whole input
	Err    error
	Cause  error
	Msg    string
}

// Error reads "<source>, line <n>: <sentinel>: <message>".
func (e *LineError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v: %s", e.Source, e.Err, e.Msg)
	}
	return fmt.Sprintf("%s, line %d: %v: %s", e.Source, e.Line, e.Err, e.Msg)
}

// Unwrap returns the sentinel and the cause.
func (e *LineError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// clipMax is the most bytes of a (public) input value a message repeats.
const clipMax = 24

// clip quotes at most clipMax bytes of s for a message, cut at a UTF-8
// boundary and followed by "…" when longer. Only ever called on public
// values (recipients, tender ids, hashes, key ids), never on key material.
func clip(s string) string {
	if len(s) <= clipMax {
		return strconv.Quote(s)
	}
	n := clipMax
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…"
}
