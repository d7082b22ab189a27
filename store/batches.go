package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// Bids are sealed with batch keys (seal.BatchKey): one key for a run of
// a tender's bids, stored wrapped to the tender's recipient in a
// tender_keys row of holder "batch:" + its id, so that an opening unwraps
// one X25519 stanza per batch instead of one per bid. The key lives in
// memory for at most batchMaxBids bids or batchMaxAge, whichever comes
// first, and is destroyed then (once the seals under way are done): a
// copy of the server's memory tells at most that run's bids, which pass
// through the same memory in clear as they are received. Bids sealed
// before, one age file each, still open with the tender key.

// holderBatchPrefix names a batch key's tender_keys row: "batch:" and the
// batch's id (32 hex digits).
const holderBatchPrefix = "batch:"

// Limits of one batch key's run.
const (
	batchMaxBids = 256
	batchMaxAge  = time.Minute
)

// batchSealer hands out the batch key each tender's next bid is sealed
// with, and retires keys at the end of their run.
type batchSealer struct {
	mu  sync.Mutex
	cur map[string]*batch // tender id → its current batch
}

// batch is one batch key's run: its key, its wrapped record, and how it
// is used; since, uses, inUse, retired and stored are guarded by
// batchSealer.mu.
type batch struct {
	bk      *seal.BatchKey
	wrapped []byte
	holder  string // its tender_keys holder
	since   time.Time
	uses    int  // bids handed out
	inUse   int  // seals under way
	retired bool // no new bid takes it
	stored  bool // its row is committed
	timer   *time.Timer
}

// take is the batch the next bid of tender tenderID (whose bids are sealed
// to recipient) is sealed with; call done when the seal is made.
func (s *batchSealer) take(tenderID, recipient string, now time.Time) (*batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, b := range s.cur {
		if now.Sub(b.since) >= batchMaxAge {
			s.retire(id, b)
		}
	}
	b := s.cur[tenderID]
	if b != nil && (b.uses >= batchMaxBids || b.bk.Recipient() != recipient) {
		s.retire(tenderID, b)
		b = nil
	}
	if b == nil {
		bk, wrapped, err := seal.NewBatchKey(recipient)
		if err != nil {
			return nil, fmt.Errorf("tender %s: a batch key: %w", clip.Prefix(tenderID), err)
		}
		b = &batch{bk: bk, wrapped: wrapped, holder: holderBatchPrefix + bk.ID(), since: now}
		if s.cur == nil {
			s.cur = map[string]*batch{}
		}
		s.cur[tenderID] = b
		// Retired after batchMaxAge of the wall clock even when no other
		// bid comes to retire it (take's sweep goes by the caller's now).
		b.timer = time.AfterFunc(batchMaxAge, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.cur[tenderID] == b {
				s.retire(tenderID, b)
			}
		})
	}
	b.uses++
	b.inUse++
	return b, nil
}

// retire ends b's run: no bid takes it any more, and its key is destroyed
// once no seal is under way.
func (s *batchSealer) retire(tenderID string, b *batch) {
	b.retired = true
	b.timer.Stop()
	delete(s.cur, tenderID)
	if b.inUse == 0 {
		b.bk.Destroy()
	}
}

// close retires every run (the store is closing).
func (s *batchSealer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, b := range s.cur {
		s.retire(id, b)
	}
}

// done marks one seal with b made.
func (s *batchSealer) done(b *batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.inUse--
	if b.retired && b.inUse == 0 {
		b.bk.Destroy()
	}
}

// isStored reports whether b's row is committed (then a bid's write needs
// not store it again).
func (s *batchSealer) isStored(b *batch) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return b.stored
}

// markStored records that a write that stored b's row committed.
func (s *batchSealer) markStored(b *batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.stored = true
}

// storeBatch writes b's row in transaction tx unless a committed one is
// known; a row already there (another bid's write, another server's) is
// kept.
func (s *sqlStore) storeBatch(ctx context.Context, tx querier, tenderID string, b *batch) error {
	if b == nil || s.batches.isStored(b) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?) ON CONFLICT (tender_id, holder) DO NOTHING"), tenderID, b.holder, b.wrapped); err != nil {
		return fmt.Errorf("store the batch key: %w", err)
	}
	return nil
}

// bidKeys open one tender's sealed bids: an age file with the tender key,
// a batch record with its batch key, unwrapped with the tender key the
// first time a bid of its batch is read (by whichever worker reads it).
// The wrapped batch keys are read before the bids (PostgreSQL runs one
// query at a time on a transaction's connection); the map is only read
// after.
type bidKeys struct {
	tenderID string
	tk       *seal.TenderKey
	err      error // why tk is nil
	batches  map[string]*batchSlot
}

// batchSlot is a wrapped batch key and, once unwrapped, the key.
type batchSlot struct {
	wrapped []byte
	once    sync.Once
	bk      *seal.BatchKey
	err     error
}

// loadBatches reads wrapped batch keys of k's tender into k: all of them
// (an opening, an export, verify), or only batch only's (one bid read).
func (s *sqlStore) loadBatches(ctx context.Context, q querier, k *bidKeys, only string) error {
	query, args := "SELECT holder, wrapped FROM tender_keys WHERE tender_id = ? AND holder >= ? AND holder < ?", []any{k.tenderID, holderBatchPrefix, "batch;"}
	if only != "" {
		query, args = "SELECT holder, wrapped FROM tender_keys WHERE tender_id = ? AND holder = ?", []any{k.tenderID, holderBatchPrefix + only}
	}
	rows, err := q.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	k.batches = map[string]*batchSlot{}
	for rows.Next() {
		var holder string
		var wrapped []byte
		if err := rows.Scan(&holder, &wrapped); err != nil {
			return err
		}
		// A database writer could add rows: what is kept stays bounded
		// (every batch has a bid, a tender at most tender.MaxMaxBids).
		if len(k.batches) >= tender.MaxMaxBids {
			return fmt.Errorf("%w: tender %s has more than %d batch keys, more than it can have bids", errCorrupt, clip.Prefix(k.tenderID), tender.MaxMaxBids)
		}
		slot := &batchSlot{wrapped: wrapped}
		if len(wrapped) > seal.MaxWrappedBatchKey {
			// Refused now, its bytes not kept (open leaves err as it is).
			slot.wrapped, slot.err = nil, fmt.Errorf("%w: wrapped batch key of %d bytes; at most %d", seal.ErrTooLarge, len(wrapped), seal.MaxWrappedBatchKey)
		}
		k.batches[strings.TrimPrefix(holder, holderBatchPrefix)] = slot
	}
	return rows.Err()
}

// bidKeysFor is the keys that open every bid of tender tenderID: the
// tender key (or why there is none) and all its wrapped batch keys.
func (s *sqlStore) bidKeysFor(ctx context.Context, q querier, tenderID string) (*bidKeys, error) {
	return s.keysFor(ctx, q, tenderID, true, "")
}

// bidKeysOf is the keys that open one sealed bid ct of tender tenderID:
// the tender key and, for a batch record, its batch's wrapped key only.
func (s *sqlStore) bidKeysOf(ctx context.Context, q querier, tenderID string, ct []byte) (*bidKeys, error) {
	batch, ok := seal.BatchIDOf(ct)
	return s.keysFor(ctx, q, tenderID, ok, batch)
}

// keysFor reads the tender key and, when batches, the wrapped batch keys
// (only batch only's when it is not "").
func (s *sqlStore) keysFor(ctx context.Context, q querier, tenderID string, batches bool, only string) (*bidKeys, error) {
	tk, err := s.tenderKey(ctx, q, tenderID)
	k := &bidKeys{tenderID: tenderID, tk: tk, err: err}
	if tk == nil || !batches {
		return k, nil
	}
	if err := s.loadBatches(ctx, q, k, only); err != nil {
		return nil, err
	}
	return k, nil
}

// open decrypts the sealed content ct of bid bidID.
func (k *bidKeys) open(ct []byte, bidID string) ([]byte, error) {
	id, ok := seal.BatchIDOf(ct)
	if !ok {
		return k.tk.Open(ct)
	}
	slot := k.batches[id]
	if slot == nil {
		return nil, fmt.Errorf("%w: its batch key %s is missing from the database", seal.ErrNoKey, id)
	}
	slot.once.Do(func() {
		if slot.err == nil { // not refused when it was read
			slot.bk, slot.err = k.tk.OpenBatchKey(id, slot.wrapped)
		}
		slot.wrapped = nil
	})
	if slot.err != nil {
		return nil, fmt.Errorf("its batch key %s: %w", id, slot.err)
	}
	return slot.bk.Open(bidContext(k.tenderID, bidID), ct)
}

// bidContext is a sealed bid's context: the additional data of its batch
// record, which bind it to its tender and bid.
func bidContext(tenderID, bidID string) string {
	return "footprint sealed bid\x00" + tenderID + "\x00" + bidID
}
