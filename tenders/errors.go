package tenders

import (
	"errors"
	"fmt"

	"github.com/footprint-gpp/footprint/export/eforms"
	"github.com/footprint-gpp/footprint/tender"
)

// Sentinel errors of the use cases; the edges map them (the server to
// statuses in its table, the command line to messages).
var (
	// ErrNoStore: the service runs without a database.
	ErrNoStore = errors.New("tenders need a database")
	// ErrSealed: bid content was asked for before the tender is opened.
	ErrSealed = errors.New("sealed until the tender is opened")
	// ErrNotOpened: an evaluation was asked for before the opening; it
	// wraps ErrSealed, and each edge says in its own terms how to open.
	ErrNotOpened = fmt.Errorf("%w: the tender is not opened yet", ErrSealed)
	// ErrForbidden: the caller's credential is valid, but not for this
	// bid or this action.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidTender: the fields of a new tender are invalid.
	ErrInvalidTender = errors.New("invalid tender")
	// ErrWeakIdempotencyKey: an Idempotency-Key is not of the form of an
	// unguessable key (CheckIdempotencyKey).
	ErrWeakIdempotencyKey = errors.New("Idempotency-Key too weak")
	// ErrNoPublicURL: the OCDS export needs the publisher's public URL
	// (serve --public-url; tenders export --public-url), which is not
	// configured.
	ErrNoPublicURL = errors.New("no public URL configured")
	// ErrPublicURL: the configured public URL is not an absolute http(s)
	// URL without query or fragment.
	ErrPublicURL = errors.New("invalid public URL")
	// ErrNoticeIncomplete: a notice export (eForms) lacks a value a
	// notice requires; the *Error's problems name each missing field.
	ErrNoticeIncomplete = errors.New("notice details incomplete")
	// ErrBusy: the tender is taking its most submissions at once (Admit).
	ErrBusy = errors.New("busy")
)

// Error is an error of a use case with what to tell the user: Err is a
// sentinel (of this package, or of tender, store, methods or factors) for
// errors.Is, Detail the message, and Problems every bad field of an
// invalid input by its JSON Pointer. Terms are the problems of an eForms
// notice, by business term and XPath (NewTenderFromEForms).
type Error struct {
	Err      error
	Detail   string
	Problems []tender.Problem
	Terms    []eforms.Problem
}

func (e *Error) Error() string { return e.Detail }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }
