package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footprint-gpp/footprint/calc"
)

// codedErr stands for the SQLite driver's *sqlite.Error, whose fields are
// unexported: a message and a result code.
type codedErr struct {
	msg  string
	code int
}

func (e *codedErr) Error() string { return e.msg }
func (e *codedErr) Code() int     { return e.code }

// TestClassifyDiskFull: each database's way of saying the disk is full
// becomes ErrDiskFull, keeping the driver's error; nothing else does.
func TestClassifyDiskFull(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		full bool
	}{
		{"SQLITE_FULL", &codedErr{"database or disk is full (13)", 13}, true},
		{"SQLITE_FULL wrapped", fmt.Errorf("store tender: %w", &codedErr{"database or disk is full (13)", 13}), true},
		{"SQLITE_BUSY", &codedErr{"database is locked (5)", 5}, false},
		{"SQLITE_IOERR_WRITE", &codedErr{"disk I/O error (778)", 778}, false},
		{"PostgreSQL disk_full", &pgconn.PgError{Code: "53100", Message: "could not extend file"}, true},
		{"PostgreSQL unique_violation", &pgconn.PgError{Code: "23505"}, false},
		{"ENOSPC", &os.PathError{Op: "write", Path: "footprint.db-wal", Err: syscall.ENOSPC}, true},
		{"EDQUOT", fmt.Errorf("commit: %w", syscall.EDQUOT), true},
		{"EIO", &os.PathError{Op: "write", Path: "footprint.db", Err: syscall.EIO}, false},
		{"other", errors.New("boom"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.err)
			if errors.Is(got, ErrDiskFull) != tc.full {
				t.Fatalf("classify(%v): errors.Is(ErrDiskFull) = %v, want %v", tc.err, !tc.full, tc.full)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("classify(%v) lost the driver's error: %v", tc.err, got)
			}
			if tc.full && !strings.Contains(got.Error(), "nothing was stored") {
				t.Errorf("message %q does not say nothing was stored", got)
			}
		})
	}
	if classify(nil) != nil {
		t.Error("classify(nil) is not nil")
	}
}

// TestSQLiteDiskFull fills a real SQLite database: PRAGMA max_page_count
// on the one write connection makes SQLite answer SQLITE_FULL as on a
// full disk. The submission is ErrDiskFull, nothing of it is stored, the
// chain still verifies, and with room again the same bid is accepted.
func TestSQLiteDiskFull(t *testing.T) {
	s, _ := openSQLiteTest(t)
	ctx := context.Background()
	td := mustCreate(t, s, "FULL-1")
	var pages int
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	b := newBid("Big Supplier", "1000.25", "12.5", t0)
	for i := range 2000 { // a bid that needs new pages
		b.Lines = append(b.Lines, calc.Line{ID: fmt.Sprint(i + 2), Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1.5"), Unit: "mmBtu", Stage: strings.Repeat("x", 100)})
	}
	_, _, err := s.SubmitBid(ctx, td.ID, b, "hash", "", t0)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("SubmitBid on a full database: %v, want ErrDiskFull", err)
	}
	if bids, err := s.Bids(ctx, td.ID); err != nil || len(bids) != 0 {
		t.Errorf("after the failed write: %d bids, %v; want none", len(bids), err)
	}
	if v, err := s.Verify(ctx, td.ID); err != nil || !v.Verified {
		t.Errorf("chain after the failed write: %+v, %v", v, err)
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SubmitBid(ctx, td.ID, b, "hash", "", t0); err != nil {
		t.Errorf("SubmitBid with room again: %v", err)
	}
}
