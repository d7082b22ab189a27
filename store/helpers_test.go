package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// The suite's clock: tenders are created at t0 with the deadline two days
// later; tests pass the time they need.
var (
	t0       = time.Date(2026, 11, 1, 9, 0, 0, 123456000, time.UTC)
	deadline = t0.Add(48 * time.Hour)
	digest   = strings.Repeat("ab", 32)
)

// backend is one database the suite runs against.
type backend struct {
	name string
	// open opens a fresh, empty database and returns its URL too, so that
	// a test can open a second store on it (a second server).
	open func(tb testing.TB) (*sqlStore, string)
}

// backends are SQLite (a temporary file) and, when FOOTPRINT_TEST_POSTGRES
// names a database, PostgreSQL: each test in a fresh schema of its own;
// each with bids in clear (a store without the key file) and sealed (with
// the published test keys, as serve opens it).
func backends() []backend {
	return []backend{
		{"sqlite", openSQLiteTest},
		{"postgres", openPostgresTest},
		{"sqlite-sealed", func(tb testing.TB) (*sqlStore, string) { return sealedBackend(tb, openSQLiteTest) }},
		{"postgres-sealed", func(tb testing.TB) (*sqlStore, string) { return sealedBackend(tb, openPostgresTest) }},
	}
}

// testKeys are the published test keys (seal/testdata/test-keys.txt).
func testKeys(tb testing.TB) *seal.Keys {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "seal", "testdata", "test-keys.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	k, err := seal.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// sealedOptions are the options of a store opened with the test keys.
func sealedOptions(tb testing.TB) Options {
	k := testKeys(tb)
	return Options{Keys: k}
}

// sealedBackend opens a fresh database with open, then again with the
// test keys.
func sealedBackend(tb testing.TB, open func(testing.TB) (*sqlStore, string)) (*sqlStore, string) {
	tb.Helper()
	s, u := open(tb)
	s.Close()
	return openTestWith(tb, u, sealedOptions(tb)), u
}

// reopen opens a second store on url with s's options (a second server,
// or a restart).
func reopen(tb testing.TB, s *sqlStore, url string) *sqlStore {
	tb.Helper()
	return openTestWith(tb, url, s.o)
}

func openSQLiteTest(tb testing.TB) (*sqlStore, string) {
	tb.Helper()
	u := "sqlite:" + filepath.Join(tb.TempDir(), "footprint.db")
	return openTest(tb, u), u
}

// postgresURL returns the test database's URL, or skips (fails under
// CI=true, where the suite must run against PostgreSQL).
func postgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("FOOTPRINT_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("FOOTPRINT_TEST_POSTGRES is unset under CI=true: .ci/run starts a PostgreSQL cluster and sets it")
		}
		tb.Skip("PostgreSQL store tests skipped: set FOOTPRINT_TEST_POSTGRES=postgres://user@/db?host=/socket/dir (see .ci/run)")
	}
	return u
}

func openPostgresTest(tb testing.TB) (*sqlStore, string) {
	tb.Helper()
	u := postgresURL(tb)
	var rb [6]byte
	rand.Read(rb[:])
	schema := "t_" + hex.EncodeToString(rb[:])
	admin, err := sql.Open("pgx", u)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", u)
		if err == nil {
			a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	u += sep + "search_path=" + schema
	return openTest(tb, u), u
}

func openTest(tb testing.TB, url string) *sqlStore {
	tb.Helper()
	return openTestWith(tb, url, Options{})
}

func openTestWith(tb testing.TB, url string, o Options) *sqlStore {
	tb.Helper()
	st, err := OpenWith(context.Background(), url, o)
	if err != nil {
		tb.Fatalf("Open(%q): %v", url, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st.(*sqlStore)
}

// tamperSQL runs raw SQL against a store's database: how the tests tamper.
func tamperSQL(tb testing.TB, s *sqlStore, query string, args ...any) {
	tb.Helper()
	res, err := s.w.Exec(s.d.q(query), args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("%s: %d rows affected, want 1", query, n)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func testMethod() *methods.Method {
	m := &methods.Method{Digest: digest}
	m.ID, m.Version = "us-federal", "2025.1"
	m.Rounding = methods.Rounding{Places: 3, Mode: methods.HalfEven, DivisionPlaces: 18}
	return m
}

func newTender(ref string) tender.Tender {
	w := dec("150.50")
	return tender.Tender{
		Reference: ref, Title: "Bridge deck", Buyer: "City of X",
		Currency: "EUR", Deadline: deadline, Method: tender.Pin(testMethod()),
		Award:  tender.Award{Rule: tender.CarbonPrice, CarbonPricePerT: &w, Limits: tender.LimitsReport},
		Status: tender.StatusOpen, Created: t0,
	}
}

// newBid is a prepared bid as tender.PrepareBid would return it.
func newBid(supplier, price, kg string, at time.Time) tender.Bid {
	return tender.Bid{
		Supplier: supplier, Price: tender.Price{Amount: dec(price), Currency: "EUR"},
		Lines:      []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1.50"), Unit: "mmBtu"}},
		ReceivedAt: tender.Stamp(at),
		Footprint: tender.Summary{KgCO2e: dec(kg), Limits: []tender.LimitResult{{ID: "steel", LineID: "1", Limit: dec("728"), Value: dec("780.0"), Unit: "kg CO2e/t"}},
			Receipt: calc.Receipt{InputDigest: strings.Repeat("cd", 32), MethodDigest: digest, ResultDigest: strings.Repeat("ef", 32)}},
	}
}

// evaluate ranks the bids as tenders.Service.Open does: one at a time.
func evaluate(t tender.Tender, bids iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error) {
	return tender.EvaluateSeq(t, testMethod(), bids)
}

func mustCreate(tb testing.TB, s Store, ref string) tender.Tender {
	tb.Helper()
	td, err := s.CreateTender(context.Background(), newTender(ref), "officer")
	if err != nil {
		tb.Fatalf("CreateTender: %v", err)
	}
	return td
}

func mustSubmit(tb testing.TB, s Store, tenderID string, n int, at time.Time) tender.Bid {
	tb.Helper()
	b, _, err := s.SubmitBid(context.Background(), tenderID, newBid(fmt.Sprintf("Supplier %d", n), fmt.Sprintf("%d.25", 1000+n), "12.5", at), tender.HashToken(fmt.Sprint("token", n)), "", at)
	if err != nil {
		tb.Fatalf("SubmitBid: %v", err)
	}
	return b
}
