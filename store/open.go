package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	// Database drivers: "sqlite" (modernc.org/sqlite, pure Go) and "pgx"
	// (jackc/pgx/v5 through database/sql).
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite"

	"github.com/footprint-gpp/footprint/internal/clip"
)

//go:embed migrations
var migrations embed.FS

// DefaultURL is the database serve uses without --db: a SQLite file in the
// working directory.
const DefaultURL = "sqlite:footprint.db"

// Open opens the database a URL names and applies the embedded migrations
// it lacks:
//
//	sqlite:PATH                    a SQLite file (created when missing)
//	postgres://… or postgresql://… a PostgreSQL database (pgx URL or DSN forms)
//
// Any other scheme is ErrUnsupportedURL.
func Open(ctx context.Context, url string) (Store, error) { return OpenWith(ctx, url, Options{}) }

// OpenWith is Open with the sealing of the audit chains and of the bids
// (Options): what serve and the tenders commands use, with the key file.
// With Options.Keys it first gives every tender stored without a key one
// and seals every bid stored in clear (an older version's database), one
// transaction per tender; without, it refuses (ErrNeedKeys) a database
// that holds sealed bids.
func OpenWith(ctx context.Context, url string, o Options) (Store, error) {
	var s *sqlStore
	var err error
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		s, err = openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err = openPostgres(ctx, url)
	default:
		return nil, unsupported(url)
	}
	if err != nil {
		return nil, err
	}
	s.o = o
	if o.Keys == nil {
		sealed, err := s.hasTenderKeys(ctx)
		if err == nil && sealed {
			err = fmt.Errorf("%w (--keys, or FOOTPRINT_KEYS)", ErrNeedKeys)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.sealAll(ctx, time.Now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// unsupported is the error for a URL of another scheme.
func unsupported(url string) error {
	// Only the scheme is repeated: the rest may hold a password.
	scheme, _, ok := strings.Cut(url, ":")
	if !ok || scheme == "" {
		return fmt.Errorf("%w: %q has no scheme: use sqlite:PATH (e.g. sqlite:footprint.db) or postgres://user@host/dbname", ErrUnsupportedURL, clip.Prefix(url))
	}
	return fmt.Errorf("%w: scheme %q: use sqlite:PATH (e.g. sqlite:footprint.db) or postgres://user@host/dbname", ErrUnsupportedURL, clip.Prefix(scheme))
}

// openSQLite opens a SQLite file with two pools: one connection for every
// write (SQLite has one writer; queueing writes here instead of in the
// file lock avoids SQLITE_BUSY), and a few for reads, which WAL lets run
// beside the writer. Pragmas go in the DSN so that every connection the
// pool opens has them: WAL, synchronous=FULL (a committed transaction is
// on disk before the commit returns, so an acknowledged bid survives a
// crash), a busy timeout, and foreign keys.
func openSQLite(ctx context.Context, path string) (*sqlStore, error) {
	path = strings.TrimPrefix(path, "//")
	switch {
	case path == "":
		return nil, fmt.Errorf("%w: sqlite: needs a file path, e.g. sqlite:footprint.db", ErrUnsupportedURL)
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("%w: sqlite:%s: give a plain file path; an in-memory database would lose every bid", ErrUnsupportedURL, clip.Prefix(path))
	case strings.ContainsAny(path, "?#"):
		return nil, fmt.Errorf("%w: sqlite:%s: a file path may not contain ? or #", ErrUnsupportedURL, clip.Prefix(path))
	}
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	// Writes take the write lock at BEGIN (a deferred transaction that
	// reads first and writes later could fail with SQLITE_BUSY midway);
	// reads must not, or they would queue behind every write.
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite:%s: %w", clip.Prefix(path), err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite:%s: %w", clip.Prefix(path), err)
	}
	if err := migrate(ctx, w, goose.DialectSQLite3, "migrations/sqlite", nil, dialect{}); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite:%s: %w", clip.Prefix(path), err)
	}
	r.SetMaxOpenConns(4)
	s := &sqlStore{d: dialect{}, w: w, r: r}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openPostgres opens a pool of PostgreSQL connections. Several servers may
// share the database: migrations run under goose's advisory session lock,
// and every write locks its tender's row.
func openPostgres(ctx context.Context, url string) (*sqlStore, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, db, goose.DialectPostgres, "migrations/postgres", locker, dialect{pg: true}); err != nil {
		db.Close()
		return nil, err
	}
	return &sqlStore{d: dialect{pg: true}, w: db, r: db}, nil
}

// migrate applies the migrations of one dialect that the database lacks:
// the embedded SQL files of dir and the Go migration backfill (00003).
// goose's Provider keeps no global state.
func migrate(ctx context.Context, db *sql.DB, d goose.Dialect, dir string, locker lock.SessionLocker, sd dialect) error {
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(backfill(sd))}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil && !errors.Is(err, goose.ErrNoNextVersion) {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// dialect is every difference between the SQLite and the PostgreSQL SQL
// this package writes: placeholders, the row lock, and how times are
// passed. Everything else (upserts with ON CONFLICT, the schema's shape)
// is the same.
type dialect struct{ pg bool }

// q rewrites the ? placeholders of a query as $1, $2… for PostgreSQL. The
// package's queries have no ? inside literals.
func (d dialect) q(query string) string {
	if !d.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forUpdate locks the selected rows until the transaction ends. SQLite
// needs none: its writes take the one write lock at BEGIN (_txlock=
// immediate) and go through one connection.
func (d dialect) forUpdate() string {
	if d.pg {
		return " FOR UPDATE"
	}
	return ""
}

// indexedBy makes SQLite read a table through the named index (its
// planner, without statistics, takes the primary key's index instead of
// a covering one); PostgreSQL chooses for itself.
func (d dialect) indexedBy(index string) string {
	if d.pg {
		return ""
	}
	return " INDEXED BY " + index
}

// timeLayout is how SQLite keeps times: UTC, six fractional digits always,
// so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// ts is a time as a query argument.
func (d dialect) ts(t time.Time) any {
	if d.pg {
		return t.UTC()
	}
	return t.UTC().Format(timeLayout)
}

// readTx are the options of a read transaction: one snapshot for every
// statement in it.
func (d dialect) readTx() *sql.TxOptions {
	if d.pg {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// timeCol scans a time column of either database.
type timeCol struct {
	t     time.Time
	valid bool
}

// Scan implements sql.Scanner.
func (c *timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		c.valid = false
		return nil
	case time.Time:
		c.t, c.valid = v.UTC(), true
		return nil
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	}
	return fmt.Errorf("time column: unexpected %T", v)
}

func (c *timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time column %q: %w", clip.Prefix(s), err)
	}
	c.t, c.valid = t.UTC(), true
	return nil
}

// ptr is the time, or nil for NULL.
func (c timeCol) ptr() *time.Time {
	if !c.valid {
		return nil
	}
	t := c.t
	return &t
}
