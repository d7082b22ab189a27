package store

import (
	"errors"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrDiskFull marks a write refused because the database's disk (or its
// quota) is full: SQLite's SQLITE_FULL, an ENOSPC from the file system,
// or PostgreSQL's SQLSTATE 53100 (disk_full). The transaction was rolled
// back, so nothing of the write was stored; the same request may succeed
// once space is freed. The REST service answers it 507 Insufficient
// Storage.
var ErrDiskFull = errors.New("the database's disk is full")

// Codes of a full disk in the two databases.
const (
	// sqliteFull is SQLITE_FULL, the primary result code of a write that
	// found no room ("database or disk is full"); extended codes keep it
	// in their low byte.
	sqliteFull = 13
	// pgDiskFull is PostgreSQL's SQLSTATE disk_full.
	pgDiskFull = "53100"
)

// diskFullError is a write error recognised as a full disk: errors.Is
// finds both ErrDiskFull and the driver's own error.
type diskFullError struct{ err error }

func (e *diskFullError) Error() string {
	return ErrDiskFull.Error() + "; nothing was stored: " + e.err.Error()
}

func (e *diskFullError) Unwrap() []error { return []error{ErrDiskFull, e.err} }

// coder is what the SQLite driver's errors (modernc.org/sqlite's *Error)
// offer: the SQLite result code.
type coder interface{ Code() int }

// classify returns err marked with ErrDiskFull when it says the disk is
// full, else err unchanged. Every write goes through it (sqlStore.write).
func classify(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	var c coder
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &c) && c.Code()&0xff == sqliteFull,
		errors.As(err, &pg) && pg.Code == pgDiskFull,
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return &diskFullError{err: err}
	}
	return err
}
