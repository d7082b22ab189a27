package uncertainty

import (
	"errors"
	"fmt"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrInvalid marks a bad distribution, model or configuration.
	ErrInvalid = errors.New("uncertainty: invalid input")
	// ErrConflict marks a variable key declared twice with different
	// distributions.
	ErrConflict = errors.New("uncertainty: conflicting variable")
	// ErrTooLarge marks a run whose stored draws would exceed the limit.
	ErrTooLarge = errors.New("uncertainty: run too large")
	// ErrNotPublished marks a published-table row or column that does not exist.
	ErrNotPublished = errors.New("uncertainty: not in the published tables")
)

// Error is an error about one field or variable.
type Error struct {
	// Field names what is wrong (a variable key, "draws", "lower" …).
	Field string
	// Reason says why.
	Reason string
	// Kind is the sentinel it wraps.
	Kind error
}

// Error formats the field and the reason.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

func invalid(field, format string, args ...any) error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...), Kind: ErrInvalid}
}
