package shamir

import "errors"

// Sentinel errors. Every error this package returns wraps exactly one of
// them (test with errors.Is); the message around it says what was given
// and what is allowed. No message contains share or secret bytes.
var (
	// ErrParameters: the share count n or the threshold k is out of range
	// (1 ≤ k ≤ n ≤ MaxShares).
	ErrParameters = errors.New("invalid share count or threshold")
	// ErrSecretLength: a secret, or a share's Y, is empty or longer than
	// MaxSecret bytes.
	ErrSecretLength = errors.New("invalid secret length")
	// ErrRandom: the random source failed or ran short.
	ErrRandom = errors.New("random source failed")
	// ErrNoShares: Combine was given no share.
	ErrNoShares = errors.New("no shares")
	// ErrZeroX: a share has X = 0 (the point where the secret lives; no
	// share is ever issued there).
	ErrZeroX = errors.New("share with x = 0")
	// ErrDuplicateX: two shares given to Combine have the same X.
	ErrDuplicateX = errors.New("duplicate share x")
	// ErrLengthMismatch: shares given to Combine have Ys of different
	// lengths, so they cannot come from one Split.
	ErrLengthMismatch = errors.New("share lengths differ")
	// ErrEncoding: a share's text or binary form is malformed.
	ErrEncoding = errors.New("malformed share encoding")
)
