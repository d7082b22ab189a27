package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// crashChildEnv makes the test binary the child of TestAckedBidSurvivesKill.
const crashChildEnv = "FOOTPRINT_STORE_CRASH_CHILD"

// TestAckedBidSurvivesKill checks that a bid the store acknowledged is in
// the SQLite database after the process is killed with SIGKILL (no
// deferred Close, no checkpoint): the test binary runs itself as a child
// that submits a bid, prints "ack ID" and blocks; the parent kills it at
// once and reopens the database.
func TestAckedBidSurvivesKill(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), "footprint.db")
	s := openTest(t, "sqlite:"+path)
	td := mustCreate(t, s, "T-1")
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestAckedBidSurvivesKill$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path+"|"+td.ID)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var bidID string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			bidID = id
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if bidID == "" {
		t.Fatal("the child never acknowledged a bid")
	}
	s2 := openTest(t, "sqlite:"+path)
	b, _, err := s2.Bid(context.Background(), td.ID, bidID)
	if err != nil {
		t.Fatalf("acknowledged bid %s after kill -9: %v", bidID, err)
	}
	if b.Supplier != "Supplier 1" {
		t.Errorf("bid after kill -9: supplier %q", b.Supplier)
	}
	if r, err := s2.Verify(context.Background(), td.ID); err != nil || !r.Verified {
		t.Errorf("Verify after kill -9: %+v, %v", r, err)
	}
}

// crashChild submits one bid, acknowledges it on stdout, and waits to be
// killed.
func crashChild() {
	path, tenderID, _ := strings.Cut(os.Getenv(crashChildEnv), "|")
	st, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	at := t0.Add(time.Hour)
	b, _, err := st.SubmitBid(context.Background(), tenderID, newBid("Supplier 1", "1000.00", "1", at), tender.HashToken("t"), "", at)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	fmt.Printf("ack %s\n", b.ID)
	os.Stdout.Sync()
	time.Sleep(time.Minute) // killed long before
	os.Exit(1)
}

// TestSQLitePragmas checks that every pooled connection, reads and writes,
// has the pragmas durability rests on: WAL, synchronous=FULL (2), foreign
// keys, a busy timeout. A kill -9 alone cannot show synchronous=FULL (the
// kernel keeps the written pages); a power loss could, so it is checked
// here directly.
func TestSQLitePragmas(t *testing.T) {
	s, _ := openSQLiteTest(t)
	ctx := context.Background()
	for name, db := range map[string]interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}{"write": s.w, "read": s.r} {
		var mode string
		if err := db.QueryRowContext(ctx, "PRAGMA query_only").Scan(&mode); err != nil || (name == "read") != (mode == "1") {
			t.Errorf("%s handle: query_only %q (%v)", name, mode, err)
		}
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s handle: PRAGMA %s = %q, want %q", name, pragma, got, want)
			}
		}
	}
}

// TestSQLitePreparedSubmission checks what lets a submission on SQLite
// run the statements prepared at open: each is prepared, and the text
// SubmitBid sends (through dialect.q, and forUpdate for the tender's row)
// is the key it was prepared under, so that none silently falls back to
// being prepared at every execution. Two submissions then reuse them.
func TestSQLitePreparedSubmission(t *testing.T) {
	s, _ := openSQLiteTest(t)
	if len(s.stmts) != len(submitQueries) {
		t.Fatalf("%d prepared statements, want %d", len(s.stmts), len(submitQueries))
	}
	for _, q := range submitQueries {
		if _, ok := s.stmts[s.d.q(q)]; !ok {
			t.Errorf("not prepared under the text sent: %.60q", q)
		}
	}
	if _, ok := s.stmts[s.d.q(qTenderForUpdate+s.d.forUpdate())]; !ok {
		t.Errorf("the tender's locking read is not prepared under the text sent")
	}
	td := mustCreate(t, s, "T-1")
	for i := range 2 {
		mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Second))
	}
	if bids, err := s.Bids(context.Background(), td.ID); err != nil || len(bids) != 2 {
		t.Fatalf("%d bids, %v; want 2", len(bids), err)
	}
}
