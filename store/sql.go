package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// errCorrupt marks a stored value that no longer parses (edited in the
// database): Verify reports it against its event instead of failing.
var errCorrupt = errors.New("stored value cannot be read")

// keyHashLen is the length of a HashIdempotencyKey value.
const keyHashLen = 64

// supplierActor is the actor of the events a bid's holder causes: the
// store knows no supplier's identity beyond the bid's token.
const supplierActor = "supplier"

// sqlStore is Store over database/sql, for SQLite and PostgreSQL alike;
// d holds the differences. w takes every write (for SQLite, one
// connection), r every read (for PostgreSQL, the same pool).
type sqlStore struct {
	d    dialect
	w, r *sql.DB
	// stmts are the statements of the submission path, prepared once on
	// SQLite's one write connection when the store opens (see prepare);
	// nil on PostgreSQL, whose driver caches prepared statements per
	// connection itself. Never changed after open.
	stmts map[string]*sql.Stmt
	// o seals the audit chains (OpenWith); pending holds the heads signed
	// in open transactions until they commit.
	o       Options
	pending pendingHeads
	// recips are the tenders' recipients checked against their chains.
	recips recipients
	// batches are the batch keys bids are being sealed with.
	batches batchSealer
}

var _ Store = (*sqlStore)(nil)

// newID returns a random identifier (64 bits, hex), which tells nothing
// about how many tenders or bids came before it.
func newID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Statements of a submission, by text: preparing them
// once instead of at every execution takes about a fifth of the CPU a
// submission spends holding SQLite's write lock.
const (
	qTenderForUpdate = "SELECT " + tenderCols + " FROM tenders WHERE id = ?"
	qBidByKey        = "SELECT " + bidCols + " FROM bids WHERE tender_id = ? AND idempotency_key = ?"
	qInsertBid       = "INSERT INTO bids (tender_id, " + bidCols + ", idempotency_key, bid_digest, result_digest, sealed_token, sealed_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)"
	qCountBids       = "SELECT COUNT(*) FROM bids WHERE tender_id = ?"
	qInsertEvent     = "INSERT INTO events (tender_id, seq, at, kind, actor, digests, prev_hash, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	qMoveHead        = "UPDATE tenders SET head_seq = ?, head_hash = ?, head_sig = ? WHERE id = ?"
)

// submitQueries are the statements prepare prepares.
var submitQueries = []string{qTenderForUpdate, qBidByKey, qCountBids, qInsertBid, qInsertEvent, qMoveHead}

// prepare prepares the submission's statements on SQLite's write pool
// (its one connection), keyed by their text (on SQLite, dialect.q and
// forUpdate change nothing). It runs before any transaction: inside one,
// the pool's only connection would be busy.
func (s *sqlStore) prepare(ctx context.Context) error {
	s.stmts = make(map[string]*sql.Stmt, len(submitQueries))
	for _, q := range submitQueries {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %.40q: %w", q, err)
		}
		s.stmts[q] = st
	}
	return nil
}

// txq is a write transaction as a querier that runs the statements
// prepare prepared (database/sql reuses them on the transaction's
// connection) and any other query, already rewritten by dialect.q, as
// text.
type txq struct {
	s  *sqlStore
	tx *sql.Tx
}

func (q txq) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := q.s.stmts[query]; ok {
		return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q txq) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := q.s.stmts[query]; ok {
		return q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

func (q txq) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := q.s.stmts[query]; ok {
		return q.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// write runs fn in one write transaction, committed when fn returns nil.
// A full disk, at any step, is ErrDiskFull (classify).
func (s *sqlStore) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.pending.take(tx)
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		s.pending.take(tx)
		return classify(err)
	}
	if s.o.Checkpoint != nil {
		return classify(s.checkpoint(tx))
	}
	return nil
}

// read runs fn in one read transaction (one snapshot).
func (s *sqlStore) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, s.d.readTx())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// head is a tender's chain head as kept in its row, with the recipient
// its bids are sealed to.
type head struct {
	seq  int64
	hash string
	sig  string // the signed head, "" when written without a key file
	// recipient is the tender's public age recipient; "" for a tender
	// without a key (its bids are in clear).
	recipient string
}

// prev is the head as the previous event for tender.NewEvent.
func (h head) prev() *tender.Event {
	if h.seq == 0 {
		return nil
	}
	return &tender.Event{Seq: h.seq, Hash: h.hash}
}

const tenderCols = "id, reference, title, buyer, currency, deadline, method_id, method_version, method_digest, award, status, created, head_seq, head_hash, max_bids, head_sig, recipient, notice, committee, custody, uncertainty"

func scanTender(row interface{ Scan(...any) error }) (tender.Tender, head, error) {
	var t tender.Tender
	var h head
	var deadline, created timeCol
	var award, status, notice, committee, custody, unc string
	err := row.Scan(&t.ID, &t.Reference, &t.Title, &t.Buyer, &t.Currency, &deadline, &t.Method.ID, &t.Method.Version, &t.Method.Digest, &award, &status, &created, &h.seq, &h.hash, &t.MaxBids, &h.sig, &h.recipient, &notice, &committee, &custody, &unc)
	if err != nil {
		return t, h, err
	}
	if unc != "" {
		t.Uncertainty = &tender.UncertaintySetting{}
		if err := json.Unmarshal([]byte(unc), t.Uncertainty); err != nil {
			return t, h, fmt.Errorf("%w: tender %s: stored uncertainty setting: %w", errCorrupt, t.ID, err)
		}
	}
	if custody != "" {
		t.Custody = &tender.Custody{}
		if err := json.Unmarshal([]byte(custody), t.Custody); err != nil {
			return t, h, fmt.Errorf("%w: tender %s: stored custody: %w", errCorrupt, t.ID, err)
		}
	}
	if committee != "" {
		t.Committee = &tender.Committee{}
		if err := json.Unmarshal([]byte(committee), t.Committee); err != nil {
			return t, h, fmt.Errorf("%w: tender %s: stored committee: %w", errCorrupt, t.ID, err)
		}
	}
	if notice != "" {
		t.Notice = &tender.Notice{}
		if err := json.Unmarshal([]byte(notice), t.Notice); err != nil {
			return t, h, fmt.Errorf("%w: tender %s: stored notice: %w", errCorrupt, t.ID, err)
		}
	}
	t.Deadline, t.Created, t.Status = deadline.t, created.t, tender.Status(status)
	if err := json.Unmarshal([]byte(award), &t.Award); err != nil {
		return t, h, fmt.Errorf("%w: tender %s: stored award: %w", errCorrupt, t.ID, err)
	}
	return t, h, nil
}

// getTender reads a tender; lock takes its row lock (inside a write).
func (s *sqlStore) getTender(ctx context.Context, q querier, id string, lock bool) (tender.Tender, head, error) {
	query := qTenderForUpdate
	if lock {
		query += s.d.forUpdate()
	}
	t, h, err := scanTender(q.QueryRowContext(ctx, s.d.q(query), id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, h, fmt.Errorf("tender %q: %w", clip.Prefix(id), ErrNotFound)
	}
	return t, h, err
}

// appendEvent inserts ev and moves the tender's head to it. Its digests
// are stored as a JSON object, name to value ({"bid": "…"}); events
// stored before digests were named hold a JSON array of values, which
// listEvents reads as legacy events.
func (s *sqlStore) appendEvent(ctx context.Context, tx querier, tenderID string, ev *tender.Event) error {
	if ev.Legacy {
		return fmt.Errorf("append %s event: a legacy event is never written", ev.Kind)
	}
	ds, err := json.Marshal(ev.Digests)
	if err != nil {
		return err
	}
	sig, err := s.signHead(tx, tenderID, seal.Head{TenderID: tenderID, Seq: ev.Seq, Hash: ev.Hash, At: ev.At}, ev.PrevHash)
	if err != nil {
		return err
	}
	ev.SignedHead = sig
	if _, err := tx.ExecContext(ctx, s.d.q(qInsertEvent),
		tenderID, ev.Seq, s.d.ts(ev.At), string(ev.Kind), ev.Actor, string(ds), ev.PrevHash, ev.Hash, sig); err != nil {
		return fmt.Errorf("append %s event: %w", ev.Kind, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(qMoveHead), ev.Seq, ev.Hash, sig, tenderID); err != nil {
		return fmt.Errorf("move chain head: %w", err)
	}
	return nil
}

// CreateTender implements Store.
func (s *sqlStore) CreateTender(ctx context.Context, t tender.Tender, actor string) (tender.Tender, error) {
	id, err := newID()
	if err != nil {
		return tender.Tender{}, err
	}
	t.ID = id
	t.Deadline, t.Created = tender.Stamp(t.Deadline), tender.Stamp(t.Created)
	if t.Status == "" {
		t.Status = tender.StatusOpen
	}
	// With the key file, the tender gets its own key: its recipient is
	// kept with it and recorded in the created event, its identity kept
	// only wrapped to the key file (server custody) or split among its
	// committee's openers (committee custody, custodyFor).
	var recipient string
	var keyRows []keyRow
	if s.o.Keys != nil {
		tk, err := seal.NewTenderKey()
		if err != nil {
			return tender.Tender{}, err
		}
		recipient = tk.Recipient()
		if t.Custody, keyRows, err = s.custodyFor(ctx, tk, t.Committee); err != nil {
			return tender.Tender{}, err
		}
	}
	digest, err := tender.TenderDigest(t)
	if err != nil {
		return tender.Tender{}, err
	}
	digests := tender.Digests{tender.DigestTender: digest}
	if recipient != "" {
		digests[tender.DigestRecipient] = tender.RecipientDigest(recipient)
	}
	ev, err := tender.NewEvent(nil, tender.EventCreated, actor, t.Created, digests)
	if err != nil {
		return tender.Tender{}, err
	}
	award, err := json.Marshal(t.Award)
	if err != nil {
		return tender.Tender{}, err
	}
	notice := ""
	if t.Notice != nil {
		raw, err := json.Marshal(t.Notice)
		if err != nil {
			return tender.Tender{}, err
		}
		notice = string(raw)
	}
	committee, custody := "", ""
	if t.Committee != nil {
		raw, err := json.Marshal(t.Committee)
		if err != nil {
			return tender.Tender{}, err
		}
		committee = string(raw)
	}
	if t.Custody != nil {
		raw, err := json.Marshal(t.Custody)
		if err != nil {
			return tender.Tender{}, err
		}
		custody = string(raw)
	}
	unc := ""
	if t.Uncertainty != nil {
		raw, err := json.Marshal(t.Uncertainty)
		if err != nil {
			return tender.Tender{}, err
		}
		unc = string(raw)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tenders ("+tenderCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, '', ?, ?, ?, ?, ?)"),
			t.ID, t.Reference, t.Title, t.Buyer, t.Currency, s.d.ts(t.Deadline), t.Method.ID, t.Method.Version, t.Method.Digest,
			string(award), string(t.Status), s.d.ts(t.Created), tender.GenesisHash, t.MaxBids, recipient, notice, committee, custody, unc); err != nil {
			return fmt.Errorf("store tender: %w", err)
		}
		for _, k := range keyRows {
			if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)"), t.ID, k.holder, k.wrapped); err != nil {
				return fmt.Errorf("store the tender's key: %w", err)
			}
		}
		return s.appendEvent(ctx, tx, t.ID, &ev)
	})
	if err != nil {
		return tender.Tender{}, err
	}
	return t, nil
}

// Tender implements Store.
func (s *sqlStore) Tender(ctx context.Context, id string) (tender.Tender, error) {
	t, _, err := s.getTender(ctx, s.r, id, false)
	return t, err
}

// Tenders implements Store.
func (s *sqlStore) Tenders(ctx context.Context) ([]tender.Tender, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+tenderCols+" FROM tenders ORDER BY created DESC, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tender.Tender{}
	for rows.Next() {
		t, _, err := scanTender(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const bidCols = "id, supplier, price_amount, price_currency, ladder_level, lines, received_at, withdrawn_at, footprint, token_hash, event_seq, withdrawn_seq, commitment, commit_nonce, sealed"

// bidColsV1 are the columns of bidCols before migrations 00005 and 00006
// added bids.commitment, commit_nonce and sealed, which migration 00003
// reads.
const bidColsV1 = "id, supplier, price_amount, price_currency, ladder_level, lines, received_at, withdrawn_at, footprint, token_hash, event_seq, withdrawn_seq, NULL, NULL, NULL"

// storedBid is a bid row: the bid, its token hash and its events.
type storedBid struct {
	bid          tender.Bid
	tokenHash    string
	eventSeq     int64
	withdrawnSeq sql.NullInt64
	// sealed is the bid's content as stored, sealed to the tender's
	// recipient (bid then holds only what is kept in clear until it is
	// opened); nil for a bid stored in clear.
	sealed []byte
	// digest is tender.BidDigest of the bid as its sealed content was
	// read (from the lines' bytes there), when it was; "" otherwise.
	digest string
}

// scanBid reads a bid row (bidCols). A sealed row's content stays sealed
// in sb.sealed: openBid decrypts it.
func scanBid(row interface{ Scan(...any) error }) (storedBid, error) {
	var sb storedBid
	var amount, lines, footprint string
	var received, withdrawn timeCol
	var commitment, nonce sql.NullString
	b := &sb.bid
	if err := row.Scan(&b.ID, &b.Supplier, &amount, &b.Price.Currency, &b.LadderLevel, &lines, &received, &withdrawn, &footprint, &sb.tokenHash, &sb.eventSeq, &sb.withdrawnSeq, &commitment, &nonce, &sb.sealed); err != nil {
		return sb, err
	}
	b.Commitment, b.Nonce = commitment.String, nonce.String
	b.ReceivedAt, b.WithdrawnAt = received.t, withdrawn.ptr()
	if sb.sealed != nil {
		return sb, nil
	}
	var err error
	if b.Price.Amount, err = decimal.NewFromString(amount); err != nil {
		return sb, fmt.Errorf("%w: bid %s: stored price %q: %w", errCorrupt, b.ID, clip.Prefix(amount), err)
	}
	if err := json.Unmarshal([]byte(lines), &b.Lines); err != nil {
		return sb, fmt.Errorf("%w: bid %s: stored lines: %w", errCorrupt, b.ID, err)
	}
	if err := json.Unmarshal([]byte(footprint), &b.Footprint); err != nil {
		return sb, fmt.Errorf("%w: bid %s: stored footprint: %w", errCorrupt, b.ID, err)
	}
	return sb, nil
}

// getBid reads one bid with its content, decrypted when sealed.
func (s *sqlStore) getBid(ctx context.Context, q querier, tenderID, bidID string) (storedBid, error) {
	return s.getBidCols(ctx, q, bidCols, tenderID, bidID)
}

// getBidCols is getBid reading the columns cols (bidCols, or bidColsV1
// inside migration 00003).
func (s *sqlStore) getBidCols(ctx context.Context, q querier, cols, tenderID, bidID string) (storedBid, error) {
	sb, err := scanBid(q.QueryRowContext(ctx, s.d.q("SELECT "+cols+" FROM bids WHERE tender_id = ? AND id = ?"), tenderID, bidID))
	if errors.Is(err, sql.ErrNoRows) {
		return sb, fmt.Errorf("bid %q of tender %q: %w", clip.Prefix(bidID), clip.Prefix(tenderID), ErrNotFound)
	}
	if err != nil || sb.sealed == nil {
		return sb, err
	}
	k, err := s.bidKeysOf(ctx, q, tenderID, sb.sealed)
	if err != nil {
		return sb, err
	}
	return sb, unsealInto(k, &sb, sb.sealed)
}

// bidOpener decrypts the sealed bids of one tender: its key is unwrapped
// once, before the tender's bids are read (PostgreSQL runs one query at
// a time on a transaction's connection). The reason there is no key,
// if any, is kept for the first sealed bid.
type bidOpener struct {
	keys  *bidKeys
	check func(*storedBid) error // run on each bid read, when set
}

// opener reads tenderID's keys for the reading of its bids: the tender
// key unwrapped, and the wrapped batch keys.
func (s *sqlStore) opener(ctx context.Context, q querier, tenderID string) (bidOpener, error) {
	k, err := s.bidKeysFor(ctx, q, tenderID)
	if err != nil {
		return bidOpener{}, err
	}
	if errors.Is(k.err, ErrNotFound) || (k.err != nil && !errors.Is(k.err, errCorrupt) && !errors.Is(k.err, ErrNeedKeys) && !errors.Is(k.err, ErrCommitteeSealed)) {
		return bidOpener{}, k.err
	}
	return bidOpener{keys: k}, nil
}

// open decrypts sb's content when it is sealed, and checks it.
func (o bidOpener) open(sb *storedBid) error {
	if sb.sealed != nil {
		if err := unsealInto(o.keys, sb, sb.sealed); err != nil {
			return err
		}
	}
	if o.check != nil {
		return o.check(sb)
	}
	return nil
}

// listBids reads every bid of a tender in receipt order.
func (s *sqlStore) listBids(ctx context.Context, q querier, tenderID string) ([]storedBid, error) {
	op, err := s.opener(ctx, q, tenderID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, s.d.q("SELECT "+bidCols+" FROM bids WHERE tender_id = ? ORDER BY received_at, event_seq"), tenderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedBid
	for rows.Next() {
		sb, err := scanBid(rows)
		if err == nil {
			err = op.open(&sb)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sb)
	}
	return out, rows.Err()
}

// streamBids reads a tender's bids in receipt order, one row at a time:
// each is decoded when the consumer asks for it and dropped when it asks
// for the next. The rows are closed when the range ends, so the
// transaction's connection is free again (PostgreSQL runs one query at a
// time on it).
//
// Sealed bids are decrypted and decoded (an X25519 unwrap each, the
// most of an opening's time) by one worker per CPU, a few bids ahead of
// the consumer (decryptAhead), and yielded in receipt order: the memory
// is a window of bids, whatever their number.
func (s *sqlStore) streamBids(ctx context.Context, q querier, tenderID string) iter.Seq2[tender.Bid, error] {
	return s.streamBidsChecked(ctx, q, tenderID, nil)
}

// streamBidsChecked is streamBids with check, when not nil, run on each
// bid read (by the workers that decrypt it): its error is the bid's.
func (s *sqlStore) streamBidsChecked(ctx context.Context, q querier, tenderID string, check func(*storedBid) error) iter.Seq2[tender.Bid, error] {
	return func(yield func(tender.Bid, error) bool) {
		op, err := s.opener(ctx, q, tenderID)
		if err != nil {
			yield(tender.Bid{}, err)
			return
		}
		op.check = check
		rows, err := q.QueryContext(ctx, s.d.q("SELECT "+bidCols+" FROM bids WHERE tender_id = ? ORDER BY received_at, event_seq"), tenderID)
		if err != nil {
			yield(tender.Bid{}, err)
			return
		}
		defer rows.Close()
		workers := runtime.GOMAXPROCS(0)
		if op.keys.tk == nil || workers < 2 {
			for rows.Next() {
				sb, err := scanBid(rows)
				if err == nil {
					err = op.open(&sb)
				}
				if !yield(sb.bid, err) || err != nil {
					return
				}
			}
			if err := rows.Err(); err != nil {
				yield(tender.Bid{}, err)
			}
			return
		}
		decryptAhead(rows, op, workers, yield)
	}
}

// opened is a bid read by decryptAhead, or why it could not be.
type opened struct {
	bid tender.Bid
	err error
}

// decryptAhead yields the bids of rows in order, each decrypted by one of
// workers goroutines. The rows are read and scanned by a goroutine of
// their own, at most 4×workers bids ahead of the consumer, so that reading
// the database (SQLite's page reads are system calls) runs beside the
// consumer's work instead of before it. Every goroutine has ended when it
// returns, and the rows are then no longer read.
func decryptAhead(rows *sql.Rows, op bidOpener, workers int, yield func(tender.Bid, error) bool) {
	window := 4 * workers
	type job struct {
		sb  storedBid
		out chan opened
	}
	jobs := make(chan job, window)
	// order holds each bid's result channel, in receipt order.
	order := make(chan chan opened, window)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				err := op.open(&j.sb)
				j.sb.sealed = nil
				j.out <- opened{j.sb.bid, err}
			}
		})
	}
	// failed queues an error in its place (after the bids before it).
	failed := func(err error) {
		out := make(chan opened, 1)
		out <- opened{err: err}
		select {
		case order <- out:
		case <-stop:
		}
	}
	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		for rows.Next() {
			sb, err := scanBid(rows)
			if err != nil {
				failed(err)
				return
			}
			out := make(chan opened, 1)
			select {
			case order <- out:
			case <-stop:
				return
			}
			// A worker takes every queued job, so this send never
			// waits for the consumer.
			jobs <- job{sb, out}
		}
		if err := rows.Err(); err != nil {
			failed(err)
		}
	})
	defer wg.Wait()
	defer close(stop)
	for out := range order {
		r := <-out
		if !yield(r.bid, r.err) || r.err != nil {
			return
		}
	}
}

// SubmitBid implements Store.
func (s *sqlStore) SubmitBid(ctx context.Context, tenderID string, b tender.Bid, tokenHash, keyHash string, now time.Time, secrets ...BidSecrets) (tender.Bid, bool, error) {
	var sec BidSecrets
	if len(secrets) > 0 {
		sec = secrets[0]
	}
	if keyHash != "" && len(keyHash) != keyHashLen {
		return tender.Bid{}, false, fmt.Errorf("%w: an idempotency key is stored as its hash (HashIdempotencyKey), %d hex digits; got %d characters", tender.ErrInvalid, keyHashLen, len(keyHash))
	}
	if b.ReceivedAt.IsZero() {
		b.ReceivedAt = now
	}
	b.ReceivedAt, b.WithdrawnAt = tender.Stamp(b.ReceivedAt), nil
	var err error
	var key any
	if keyHash != "" {
		key = keyHash
	}
	// The id and the digest need no lock: computed here, they keep the
	// CPU work inside the one write transaction (SQLite's write lock, or
	// the tender's row lock) to the database's.
	if b.ID, err = newID(); err != nil {
		return tender.Bid{}, false, err
	}
	digest, err := tender.BidDigest(b)
	if err != nil {
		return tender.Bid{}, false, err
	}
	// What the trail shows while the bid is sealed is its salted
	// commitment, never its digests: a brute force over plausible bids
	// could match those.
	nonce, err := seal.NewNonce()
	if err != nil {
		return tender.Bid{}, false, err
	}
	b.Nonce = hex.EncodeToString(nonce[:])
	b.Commitment = seal.Commit(nonce, tender.CommitmentContent(digest, b.Footprint.Receipt.ResultDigest))
	digests := tender.Digests{tender.DigestCommitment: b.Commitment}
	if tokenHash != "" {
		digests[tender.DigestToken] = tokenHash
	}
	if keyHash != "" {
		digests[tender.DigestIdempotency] = keyHash
	}
	// The content is sealed to the tender's recipient (checked against
	// the event that recorded it) before the write, so that the write
	// lock is held for the database's work alone; only a tender without
	// a recipient (one created without the key file, which the store
	// opened with it gives a key) keeps its bids in clear.
	recipient, err := s.recipientFor(ctx, tenderID)
	if err != nil {
		return tender.Bid{}, false, err
	}
	var sealed sealedBid
	var clearNonce any // the nonce travels inside the ciphertext of a sealed bid
	supplier, amount, currency, level, lines, footprint := "", "", "", "", "", ""
	var bt *batch // the batch key the bid is sealed with
	if recipient != "" {
		if bt, err = s.batches.take(tenderID, recipient, now); err != nil {
			return tender.Bid{}, false, err
		}
		sealed, err = sealBid(bt.bk, tenderID, b, sec)
		s.batches.done(bt)
		if err != nil {
			return tender.Bid{}, false, err
		}
	} else {
		l, err1 := json.Marshal(b.Lines)
		f, err2 := json.Marshal(b.Footprint)
		if err := errors.Join(err1, err2); err != nil {
			return tender.Bid{}, false, err
		}
		supplier, amount, currency, level, lines, footprint = b.Supplier, b.Price.Amount.String(), b.Price.Currency, b.LadderLevel, string(l), string(f)
		clearNonce = b.Nonce
	}
	var out tender.Bid
	var replayed bool
	err = s.write(ctx, func(wtx *sql.Tx) error {
		tx := txq{s, wtx}
		t, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		if h.recipient != recipient {
			return fmt.Errorf("%w: tender %s: its recipient changed during the submission", ErrTenderKey, clip.Prefix(tenderID))
		}
		if keyHash != "" {
			prev, err := scanBid(tx.QueryRowContext(ctx, s.d.q(qBidByKey), tenderID, keyHash))
			if err == nil && prev.sealed != nil {
				k, kerr := s.bidKeysOf(ctx, tx, tenderID, prev.sealed)
				switch {
				case kerr != nil:
					err = kerr
				case errors.Is(k.err, ErrCommitteeSealed):
					// Nobody can open the bid: its copy under the key can.
					err = s.readCopy(ctx, tx, "sealed_key", tenderID, &prev, sec.Key, keyCopyContext(tenderID, prev.bid.ID))
					if errors.Is(err, seal.ErrNoKey) || errors.Is(err, ErrCommitteeSealed) {
						return ErrIdempotencyConflict
					}
				default:
					err = unsealInto(k, &prev, prev.sealed)
				}
			}
			switch {
			case err == nil:
				// A retry: the same content (at the stored receipt time)
				// is the same bid, whatever the clock says now.
				again := b
				again.ReceivedAt = prev.bid.ReceivedAt
				d1, err1 := tender.BidDigest(again)
				d2, err2 := tender.BidDigest(prev.bid)
				if err := errors.Join(err1, err2); err != nil {
					return err
				}
				if d1 != d2 {
					// Nothing of the stored bid is told: the same
					// error whatever it is.
					return ErrIdempotencyConflict
				}
				out, replayed = prev.bid, true
				return nil
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if err := tender.CanSubmit(t, now); err != nil {
			return err
		}
		// Every stored bid has its bid_received event in the chain, after
		// the created one: the tender holds at most head seq − 1 bids. Only
		// when that bound reaches the cap are they counted, a scan that
		// grows with them (it made submissions to a tender of 50,000 bids
		// half as fast as to a new one).
		if held := int(h.seq - 1); held >= t.BidCap() {
			if err := tx.QueryRowContext(ctx, s.d.q(qCountBids), tenderID).Scan(&held); err != nil {
				return fmt.Errorf("count bids: %w", err)
			}
			if err := tender.CanAddBid(t, held); err != nil {
				return err
			}
		}
		ev, err := tender.NewEvent(h.prev(), tender.EventBidReceived, supplierActor, b.ReceivedAt, digests)
		if err != nil {
			return err
		}
		if err := s.storeBatch(ctx, tx, tenderID, bt); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.q(qInsertBid),
			tenderID, b.ID, supplier, amount, currency, level, lines, s.d.ts(b.ReceivedAt),
			footprint, tokenHash, ev.Seq, b.Commitment, clearNonce, sealed.content, key, nil, nil, sealed.forToken, sealed.forKey); err != nil {
			return fmt.Errorf("store bid: %w", err)
		}
		if err := s.appendEvent(ctx, tx, tenderID, &ev); err != nil {
			return err
		}
		out = b
		out.SignedHead = ev.SignedHead
		return nil
	})
	if err != nil {
		return tender.Bid{}, false, err
	}
	if bt != nil && !replayed {
		s.batches.markStored(bt)
	}
	return out, replayed, nil
}

// Bid implements Store.
func (s *sqlStore) Bid(ctx context.Context, tenderID, bidID string, token ...string) (tender.Bid, string, error) {
	sb, err := s.getBid(ctx, s.r, tenderID, bidID)
	if errors.Is(err, ErrCommitteeSealed) && len(token) > 0 && token[0] != "" {
		// Before a committee's opening only the bid's copy under its token
		// opens; a wrong token opens nothing.
		if tender.EqualTokenHash(tender.HashToken(token[0]), sb.tokenHash) {
			err = s.readCopy(ctx, s.r, "sealed_token", tenderID, &sb, token[0], tokenCopyContext(tenderID, bidID))
		}
	}
	if err != nil {
		return tender.Bid{}, "", err
	}
	return sb.bid, sb.tokenHash, nil
}

// BidTokenHash implements Store: one short column, read from the index
// bids_token alone (migration 00002), never from the bid's row.
func (s *sqlStore) BidTokenHash(ctx context.Context, tenderID, bidID string) (string, error) {
	var h string
	err := s.r.QueryRowContext(ctx, s.d.q("SELECT token_hash FROM bids"+s.d.indexedBy("bids_token")+" WHERE tender_id = ? AND id = ?"), tenderID, bidID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("bid %q of tender %q: %w", clip.Prefix(bidID), clip.Prefix(tenderID), ErrNotFound)
	}
	return h, err
}

// summaryCols are the columns of a BidSummary.
const summaryCols = "id, received_at, withdrawn_at, bid_digest, result_digest, commitment"

// BidSummaries implements Store. A row without its summary columns
// (written by an older version after migration 00003 filled them) is
// summarised from its content, read (and decrypted) on its own.
func (s *sqlStore) BidSummaries(ctx context.Context, tenderID string) ([]BidSummary, error) {
	out := []BidSummary{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.d.q("SELECT "+summaryCols+" FROM bids WHERE tender_id = ? ORDER BY received_at, event_seq"), tenderID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var missing []int
		for rows.Next() {
			var bs BidSummary
			var received, withdrawn timeCol
			var digest, result, commitment sql.NullString
			if err := rows.Scan(&bs.ID, &received, &withdrawn, &digest, &result, &commitment); err != nil {
				return err
			}
			bs.ReceivedAt, bs.WithdrawnAt = received.t, withdrawn.ptr()
			bs.BidDigest, bs.ResultDigest, bs.Commitment = digest.String, result.String, commitment.String
			if !digest.Valid && !commitment.Valid {
				missing = append(missing, len(out))
			}
			out = append(out, bs)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, i := range missing {
			sb, err := s.getBid(ctx, tx, tenderID, out[i].ID)
			if err != nil {
				return err
			}
			if out[i], err = summarize(sb.bid); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// summarize is the summary of a bid read with its content.
func summarize(b tender.Bid) (BidSummary, error) {
	d, err := tender.BidDigest(b)
	if b.Commitment != "" {
		return BidSummary{ID: b.ID, ReceivedAt: b.ReceivedAt, WithdrawnAt: b.WithdrawnAt, Commitment: b.Commitment}, err
	}
	return BidSummary{ID: b.ID, ReceivedAt: b.ReceivedAt, WithdrawnAt: b.WithdrawnAt, BidDigest: d,
		ResultDigest: b.Footprint.Receipt.ResultDigest}, err
}

// BidHeads implements Store (EachBidHead, collected).
func (s *sqlStore) BidHeads(ctx context.Context, tenderID string) ([]tender.Bid, error) {
	var out []tender.Bid
	err := s.EachBidHead(ctx, tenderID, func(b tender.Bid) error {
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Bids implements Store.
func (s *sqlStore) Bids(ctx context.Context, tenderID string) ([]tender.Bid, error) {
	var out []tender.Bid
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		sbs, err := s.listBids(ctx, tx, tenderID)
		if err != nil {
			return err
		}
		out = make([]tender.Bid, len(sbs))
		for i := range sbs {
			out[i] = sbs[i].bid
		}
		return nil
	})
	return out, err
}

// WithdrawBid implements Store.
func (s *sqlStore) WithdrawBid(ctx context.Context, tenderID, bidID string, now time.Time) error {
	now = tender.Stamp(now)
	return s.write(ctx, func(tx *sql.Tx) error {
		t, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		sb, err := s.getBid(ctx, tx, tenderID, bidID)
		if errors.Is(err, ErrCommitteeSealed) && sb.bid.Commitment != "" {
			err = nil // what a withdrawal records is in clear
		}
		if err != nil {
			return err
		}
		if err := tender.CanWithdraw(t, sb.bid, now); err != nil {
			return err
		}
		ds := tender.Digests{tender.DigestCommitment: sb.bid.Commitment}
		if sb.bid.Commitment == "" { // received before commitments
			digest, err := tender.BidDigest(sb.bid)
			if err != nil {
				return err
			}
			ds = tender.Digests{tender.DigestBid: digest}
		}
		ev, err := tender.NewEvent(h.prev(), tender.EventWithdrawn, supplierActor, now, ds)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.q("UPDATE bids SET withdrawn_at = ?, withdrawn_seq = ? WHERE tender_id = ? AND id = ?"), s.d.ts(now), ev.Seq, tenderID, bidID); err != nil {
			return fmt.Errorf("withdraw bid: %w", err)
		}
		return s.appendEvent(ctx, tx, tenderID, &ev)
	})
}

// Open implements Store.
func (s *sqlStore) Open(ctx context.Context, tenderID, actor, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	now = tender.Stamp(now)
	var out *tender.Evaluation
	err := s.write(ctx, func(tx *sql.Tx) error {
		t, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		if err := canOpen(t, now); err != nil {
			return err
		}
		if t.Committee == nil {
			out, err = s.openTx(ctx, tx, t, h.prev(), actor, now, nil, evaluate)
			return err
		}
		// A committee of one: its opener's opening is its one approval.
		if t.Committee.K > 1 {
			events, err := s.listEventsOf(ctx, tx, tenderID, false, []tender.EventKind{tender.EventApproved}) // who approved: not every bid's event
			if err != nil {
				return err
			}
			return tender.NeedsApprovals(t.Committee, len(tender.Approvers(events)))
		}
		if err := tender.CanApprove(t, actor, now); err != nil {
			return err
		}
		a, err := s.approveTx(ctx, tx, t, h, actor, credential, now, evaluate)
		out = a.Evaluation
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// canOpen is tender.CanOpen with a second opening as ErrAlreadyOpened.
func canOpen(t tender.Tender, now time.Time) error {
	if err := tender.CanOpen(t, now); err != nil {
		if errors.Is(err, tender.ErrAlreadyOpened) {
			return fmt.Errorf("%w: %w", ErrAlreadyOpened, err)
		}
		return err
	}
	return nil
}

// Approve implements Store.
func (s *sqlStore) Approve(ctx context.Context, tenderID, opener, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (Approval, error) {
	now = tender.Stamp(now)
	var out Approval
	err := s.write(ctx, func(tx *sql.Tx) error {
		t, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		if err := canOpen(t, now); err != nil {
			return err
		}
		if err := tender.CanApprove(t, opener, now); err != nil {
			return err
		}
		out, err = s.approveTx(ctx, tx, t, h, opener, credential, now, evaluate)
		return err
	})
	if err != nil {
		return Approval{}, err
	}
	return out, nil
}

// approveTx records opener's approval of tender t (locked, checked by
// tender.CanApprove) in transaction tx, unless given before, and opens
// the tender in the same transaction when it is the committee's K-th.
func (s *sqlStore) approveTx(ctx context.Context, tx *sql.Tx, t tender.Tender, h head, opener, credential string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (Approval, error) {
	events, err := s.listEventsOf(ctx, tx, t.ID, false, []tender.EventKind{tender.EventApproved}) // who approved: not every bid's event
	if err != nil {
		return Approval{}, err
	}
	a := Approval{Approvers: tender.Approvers(events), K: t.Committee.K}
	if slices.Contains(a.Approvers, opener) {
		a.Repeated = true
		return a, nil
	}
	// The opener's key share first: a credential that does not unlock it
	// records nothing.
	var released []byte
	if committeeSealed(t) {
		if released, err = s.releaseShare(ctx, tx, t, h.recipient, opener, credential); err != nil {
			return Approval{}, err
		}
	}
	td, err := tender.TenderDigest(t)
	if err != nil {
		return Approval{}, err
	}
	approved, err := tender.NewEvent(h.prev(), tender.EventApproved, opener, now, tender.Digests{tender.DigestTender: td})
	if err != nil {
		return Approval{}, err
	}
	if err := s.appendEvent(ctx, tx, t.ID, &approved); err != nil {
		return Approval{}, err
	}
	a.Event = approved
	a.Approvers = append(a.Approvers, opener)
	if released != nil {
		if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)"), t.ID, holderReleasedPrefix+opener, released); err != nil {
			return Approval{}, fmt.Errorf("keep the released share: %w", err)
		}
	}
	if len(a.Approvers) < t.Committee.K {
		return a, nil
	}
	if released != nil {
		if err := s.rebuildKey(ctx, tx, t, h.recipient); err != nil {
			return Approval{}, err
		}
	}
	a.Evaluation, err = s.openTx(ctx, tx, t, &approved, opener, now, a.Approvers, evaluate)
	return a, err
}

// openTx opens tender t (locked, checked by tender.CanOpen) in
// transaction tx after event prev: evaluates its bids, stores the
// evaluation (with the committee and openedBy, its approvers, when the
// tender has a committee), marks it opened, and appends the opened and
// evaluated events.
func (s *sqlStore) openTx(ctx context.Context, tx *sql.Tx, t tender.Tender, prev *tender.Event, actor string, now time.Time, openedBy []string, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	ev, err := evaluate(t, s.streamBidsChecked(ctx, tx, t.ID, checkCommitment))
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, errors.New("open: the evaluation is missing")
	}
	// The stored JSON is written one ranking row at a time into the one
	// string the database is given (json.Marshal and a string conversion
	// would make two copies of every row); with a committee, in the same
	// pass as the digest over the openers recorded.
	var body strings.Builder
	body.Grow(1024 + 512*len(ev.Ranking)) // a row is about 420 bytes
	if t.Committee != nil {
		err = ev.SetOpeningAndWriteJSON(&body, t.Committee, openedBy)
	} else {
		err = ev.WriteJSON(&body)
	}
	if err != nil {
		return nil, err
	}
	td, err := tender.TenderDigest(t)
	if err != nil {
		return nil, err
	}
	opened, err := tender.NewEvent(prev, tender.EventOpened, actor, now, tender.Digests{tender.DigestTender: td})
	if err != nil {
		return nil, err
	}
	evaluated, err := tender.NewEvent(&opened, tender.EventEvaluated, actor, now, tender.Digests{tender.DigestEvaluation: ev.Digest})
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO evaluations (tender_id, body, digest) VALUES (?, ?, ?)"), t.ID, body.String(), ev.Digest); err != nil {
		return nil, fmt.Errorf("store evaluation: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q("UPDATE tenders SET status = ? WHERE id = ?"), string(tender.StatusOpened), t.ID); err != nil {
		return nil, fmt.Errorf("mark tender opened: %w", err)
	}
	if err := s.appendEvent(ctx, tx, t.ID, &opened); err != nil {
		return nil, err
	}
	if err := s.appendEvent(ctx, tx, t.ID, &evaluated); err != nil {
		return nil, err
	}
	return ev, nil
}

// getEvaluation reads a stored evaluation; found is false when none.
func (s *sqlStore) getEvaluation(ctx context.Context, q querier, tenderID string) (*tender.Evaluation, bool, error) {
	var body string
	err := q.QueryRowContext(ctx, s.d.q("SELECT body FROM evaluations WHERE tender_id = ?"), tenderID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var ev tender.Evaluation
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, true, fmt.Errorf("%w: tender %s: stored evaluation: %w", errCorrupt, tenderID, err)
	}
	return &ev, true, nil
}

// Evaluation implements Store.
func (s *sqlStore) Evaluation(ctx context.Context, tenderID string) (*tender.Evaluation, error) {
	var out *tender.Evaluation
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		ev, found, err := s.getEvaluation(ctx, tx, tenderID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("evaluation of tender %q (not opened yet): %w", clip.Prefix(tenderID), ErrNotFound)
		}
		out = ev
		return nil
	})
	return out, err
}

// AppendEvent implements Store. Only events that record no change of
// state may be appended this way (exported): the others are appended by
// the write they record, and Verify checks they match it.
func (s *sqlStore) AppendEvent(ctx context.Context, tenderID string, kind tender.EventKind, actor string, digests tender.Digests, now time.Time) (tender.Event, error) {
	if kind != tender.EventExported {
		return tender.Event{}, fmt.Errorf("%w: event kind %q cannot be appended on its own; only exported", tender.ErrInvalid, clip.Prefix(string(kind)))
	}
	var out tender.Event
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		ev, err := tender.NewEvent(h.prev(), kind, actor, now, digests)
		if err != nil {
			return err
		}
		if err := s.appendEvent(ctx, tx, tenderID, &ev); err != nil {
			return err
		}
		out = ev
		return nil
	})
	return out, err
}

// listEvents reads a tender's chain. Digests stored as a JSON object are
// named; a JSON array of values is an event stored before digests were
// named (Legacy: hashed as footprint-audit-v1), whose values are named by
// matching them with the stored tender, bids and evaluation
// (tender.NameLegacy). tolerant keeps an event whose digests no longer
// parse, with the raw text as its one digest, so that Verify reports it
// (its hash no longer recomputes) instead of failing.
func (s *sqlStore) listEvents(ctx context.Context, q querier, tenderID string, tolerant bool) ([]tender.Event, error) {
	return s.listEventsOf(ctx, q, tenderID, tolerant, nil)
}

// listEventsOf is listEvents of the events of kinds only (every kind for
// none).
func (s *sqlStore) listEventsOf(ctx context.Context, q querier, tenderID string, tolerant bool, kinds []tender.EventKind) ([]tender.Event, error) {
	query, args := "SELECT seq, at, kind, actor, digests, prev_hash, hash, sig FROM events WHERE tender_id = ?", []any{tenderID}
	if len(kinds) > 0 {
		query += " AND kind IN (?" + strings.Repeat(", ?", len(kinds)-1) + ")"
		for _, k := range kinds {
			args = append(args, string(k))
		}
	}
	rows, err := q.QueryContext(ctx, s.d.q(query+" ORDER BY seq"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tender.Event{}
	legacy := map[int][]string{} // index in out → the stored values
	for rows.Next() {
		var e tender.Event
		var at timeCol
		var kind, digests string
		if err := rows.Scan(&e.Seq, &at, &kind, &e.Actor, &digests, &e.PrevHash, &e.Hash, &e.SignedHead); err != nil {
			return nil, err
		}
		e.At, e.Kind = at.t, tender.EventKind(kind)
		var err error
		if strings.HasPrefix(strings.TrimSpace(digests), "[") {
			var vs []string
			if err = json.Unmarshal([]byte(digests), &vs); err == nil {
				e.Legacy = true
				legacy[len(out)] = vs
			}
		} else {
			err = json.Unmarshal([]byte(digests), &e.Digests)
		}
		if err != nil {
			if !tolerant {
				return nil, fmt.Errorf("%w: audit event %d: stored digests: %w", errCorrupt, e.Seq, err)
			}
			e.Digests = tender.Digests{"unreadable": clip.Prefix(digests)}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(legacy) > 0 {
		known, err := s.knownDigests(ctx, q, tenderID)
		if err != nil {
			return nil, err
		}
		for i, vs := range legacy {
			out[i].Digests = tender.NameLegacy(out[i].Kind, vs, known)
		}
	}
	return out, nil
}

// knownDigests maps the digests of what is stored of a tender to their
// names: the tender's, each bid's and its footprint result's, and the
// evaluation's. It names the digests of legacy events; what cannot be
// read (a corrupt row, which Verify reports) is left out.
func (s *sqlStore) knownDigests(ctx context.Context, q querier, tenderID string) (map[string]string, error) {
	known := map[string]string{}
	if t, _, err := s.getTender(ctx, q, tenderID, false); err == nil {
		if d, err := tender.TenderDigest(t); err == nil {
			known[d] = tender.DigestTender
		}
	} else if !errors.Is(err, errCorrupt) {
		return nil, err
	}
	op, err := s.opener(ctx, q, tenderID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, s.d.q("SELECT "+bidCols+" FROM bids WHERE tender_id = ? ORDER BY event_seq"), tenderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sb, err := scanBid(rows)
		if err != nil && sb.eventSeq == 0 {
			return nil, err // not read at all
		}
		if err != nil || op.open(&sb) != nil {
			continue // stored but corrupt, or sealed to no key at hand
		}
		if d, err := tender.BidDigest(sb.bid); err == nil {
			known[d] = tender.DigestBid
		}
		if rd := sb.bid.Footprint.Receipt.ResultDigest; rd != "" {
			known[rd] = tender.DigestResult
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var d string
	switch err := q.QueryRowContext(ctx, s.d.q("SELECT digest FROM evaluations WHERE tender_id = ?"), tenderID).Scan(&d); {
	case err == nil:
		known[d] = tender.DigestEvaluation
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	return known, nil
}

// Events implements Store.
func (s *sqlStore) Events(ctx context.Context, tenderID string) ([]tender.Event, error) {
	var out []tender.Event
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		var err error
		out, err = s.listEvents(ctx, tx, tenderID, false)
		return err
	})
	return out, err
}

// Setting implements Store.
func (s *sqlStore) Setting(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := s.r.QueryRowContext(ctx, s.d.q("SELECT value FROM settings WHERE name = ?"), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// Limits of a setting, which holds small server values (a hash, a key).
const (
	MaxSettingName  = 64
	MaxSettingValue = 4096
)

// SetSetting implements Store.
func (s *sqlStore) SetSetting(ctx context.Context, name, value string) error {
	if name == "" || len(name) > MaxSettingName || len(value) > MaxSettingValue {
		return fmt.Errorf("%w: setting %q: the name needs 1 to %d bytes and the value at most %d (got %d and %d)", tender.ErrInvalid, clip.Prefix(name), MaxSettingName, MaxSettingValue, len(name), len(value))
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.q("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"), name, value)
		return err
	})
}

// Close implements Store.
func (s *sqlStore) Close() error {
	s.batches.close()
	var err error
	for _, st := range s.stmts {
		err = errors.Join(err, st.Close())
	}
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// checkCommitment checks a bid of an opening against the salted
// commitment its receipt recorded: content sealed in its place by a
// database writer (anyone may seal to a tender's public recipient) cannot
// open that commitment, and the opening stops there instead of ranking it
// (ErrBidReplaced; tenders verify says which event). It runs in
// decryptAhead's workers, beside the decryption, since it digests the
// whole bid.
func checkCommitment(sb *storedBid) error {
	b := sb.bid
	if b.Commitment == "" {
		return nil
	}
	if sb.digest != "" && commitmentHolds(b.Commitment, b, sb.digest) {
		return nil
	}
	// Without the digest of the content's own bytes, or when it does not
	// hold: the digest of the bid as decoded decides.
	d, err := tender.BidDigest(b)
	if err != nil {
		return err
	}
	if !commitmentHolds(b.Commitment, b, d) {
		return fmt.Errorf("%w: bid %s does not open the commitment recorded at its receipt; nothing was opened (footprint tenders verify)", ErrBidReplaced, clip.Prefix(b.ID))
	}
	return nil
}
