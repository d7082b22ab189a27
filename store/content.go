package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// Errors of sealed bid content.
var (
	// ErrNeedKeys marks a read of sealed bid content by a store opened
	// without the key file (Options.Keys), and the opening without it of
	// a database that holds tender keys: its bids can be read with the
	// key file only.
	ErrNeedKeys = errors.New("the bids are sealed: open the database with its key file")
	// ErrTenderKey marks a tender whose stored recipient or wrapped key is
	// not the one its audit chain recorded (a database writer put a key
	// of its own in the tender's row): nothing is sealed to it.
	ErrTenderKey = errors.New("the tender's key is not the one its audit chain recorded")
	// ErrBidReplaced marks an opening refused because a bid's content does
	// not open its recorded commitment: it was replaced in the database.
	ErrBidReplaced = errors.New("a bid's content was replaced in the database")
)

// holderServer names the wrapped key the key file opens: the tender_keys
// row of every tender. A threshold opening will add rows of other holders.
const holderServer = "server"

// systemActor is the actor of the events the store writes on its own (a
// tender's sealed event).
const systemActor = "footprint"

// contentVersion is the version of a sealed bid's plaintext.
const contentVersion = 1

// bidContent is the plaintext of a sealed bid (bids.sealed): everything
// the bid supplies or that is derived from it, as canonical JSON (the
// fields in this order; decimals as exact strings). Tender and Bid name
// the row it was sealed for, so that a ciphertext moved to another row
// does not open as that row's bid. Nonce is the commitment's nonce (64
// hex digits): it is sealed with the rest (bids.commit_nonce is NULL for
// a sealed bid) and published at the opening, in the evaluation.
type bidContent struct {
	V           int            `json:"v"`
	Tender      string         `json:"tender"`
	Bid         string         `json:"bid"`
	Supplier    string         `json:"supplier"`
	Price       tender.Price   `json:"price"`
	LadderLevel string         `json:"ladder_level,omitempty"`
	Lines       []calc.Line    `json:"lines"`
	Footprint   tender.Summary `json:"footprint"`
	Nonce       string         `json:"nonce,omitempty"`
}

// bidPlaintext is the plaintext of bid b of tender tenderID's sealed
// content (bidContent). Clear it after use.
func bidPlaintext(tenderID string, b tender.Bid) ([]byte, error) {
	return json.Marshal(bidContent{V: contentVersion, Tender: tenderID, Bid: b.ID, Supplier: b.Supplier, Price: b.Price,
		LadderLevel: b.LadderLevel, Lines: b.Lines, Footprint: b.Footprint, Nonce: b.Nonce})
}

// minSealedPlaintext is the size every sealed bid's plaintext is padded
// to at least: a bid of one line and one of thirty look the same.
const minSealedPlaintext = 4096

// padPlaintext pads a bid's plaintext with spaces (after its JSON value,
// which the readers skip) to padme's length, at least minSealedPlaintext,
// so that the ciphertext's length, which a database reader sees while the
// bid is sealed, does not tell the bid's size: only its Padmé class.
func padPlaintext(pt []byte) []byte {
	n := min(max(padme(len(pt)), minSealedPlaintext), seal.MaxPlaintext)
	if n <= len(pt) {
		return pt
	}
	out := make([]byte, n)
	copy(out, pt)
	for i := len(pt); i < n; i++ {
		out[i] = ' '
	}
	clear(pt)
	return out
}

// padme is the Padmé length of n bytes (Nikitin et al., "Reducing
// Metadata Leakage from Encrypted Files and Communication with PURBs",
// PETS 2019): n rounded up so that its last floor(log2 n) − floor(log2
// floor(log2 n)) − 1 bits are zero. It adds at most 12 % and leaves the
// length O(log log n) bits of information.
func padme(n int) int {
	if n < 2 {
		return n
	}
	e := bits.Len(uint(n)) - 1 // floor(log2 n)
	s := bits.Len(uint(e))     // floor(log2 e) + 1
	mask := 1<<(e-s) - 1
	return (n + mask) &^ mask
}

// sealedBid is a bid's content sealed to its tender's recipient, and the
// copies under its secrets (nil when not given).
type sealedBid struct {
	content, forToken, forKey []byte
}

// sealBid is bid b of tender tenderID sealed with batch key bk (to its
// tender's recipient), with copies under the submission's secrets.
func sealBid(bk *seal.BatchKey, tenderID string, b tender.Bid, sec BidSecrets) (sealedBid, error) {
	var out sealedBid
	pt, err := bidPlaintext(tenderID, b)
	if err != nil {
		return out, err
	}
	pt = padPlaintext(pt)
	defer clear(pt)
	if out.content, err = bk.Seal(bidContext(tenderID, b.ID), pt); err != nil {
		return out, fmt.Errorf("seal bid %s: %w", clip.Prefix(b.ID), err)
	}
	if sec.Token != "" {
		if out.forToken, err = seal.SealWithSecret(sec.Token, tokenCopyContext(tenderID, b.ID), pt); err != nil {
			return out, fmt.Errorf("seal bid %s for its token: %w", clip.Prefix(b.ID), err)
		}
	}
	if sec.Key != "" {
		if out.forKey, err = seal.SealWithSecret(sec.Key, keyCopyContext(tenderID, b.ID), pt); err != nil {
			return out, fmt.Errorf("seal bid %s for its idempotency key: %w", clip.Prefix(b.ID), err)
		}
	}
	return out, nil
}

// unreadableError is a bid whose sealed content does not open: "bid X
// cannot be read: " and why (the seal error, which holds no secret). It
// wraps errCorrupt and the cause.
type unreadableError struct {
	bid string
	err error
}

func (e *unreadableError) Error() string {
	return "bid " + clip.Prefix(e.bid) + " cannot be read: " + e.err.Error()
}

func (e *unreadableError) Unwrap() []error { return []error{errCorrupt, e.err} }

// unsealInto opens a sealed bid with its tender's keys k into sb's bid.
// An error is an *unreadableError; without a tender key it wraps the
// reason there is none (ErrNeedKeys without the key file).
func unsealInto(k *bidKeys, sb *storedBid, ct []byte) error {
	if k.tk == nil {
		keyErr := k.err
		if keyErr == nil {
			keyErr = fmt.Errorf("tender %s has no key", clip.Prefix(k.tenderID))
		}
		return &unreadableError{sb.bid.ID, keyErr}
	}
	return unsealWith(func(ct []byte) ([]byte, error) { return k.open(ct, sb.bid.ID) }, k.tenderID, sb, ct)
}

// unsealWith opens a sealed bid's content ct with open (the tender key's,
// or a copy's secret) into sb's bid.
func unsealWith(open func([]byte) ([]byte, error), tenderID string, sb *storedBid, ct []byte) error {
	b := &sb.bid
	pt, err := open(ct)
	if err != nil {
		return &unreadableError{b.ID, err}
	}
	defer clear(pt)
	c, lines, ok := decodeContentFast(pt)
	if !ok {
		if c, err = decodeContent(pt); err != nil {
			return &unreadableError{b.ID, err}
		}
	}
	if c.V != contentVersion || c.Tender != tenderID || c.Bid != b.ID {
		return &unreadableError{b.ID, fmt.Errorf("its sealed content is of version %d, sealed for bid %s of tender %s", c.V, clip.Prefix(c.Bid), clip.Prefix(c.Tender))}
	}
	b.Supplier, b.Price, b.LadderLevel, b.Lines, b.Footprint = c.Supplier, c.Price, c.LadderLevel, c.Lines, c.Footprint
	if c.Nonce != "" {
		b.Nonce = c.Nonce
	}
	sb.digest = ""
	if ok && b.Commitment != "" {
		// The lines' bytes are json.Marshal's of the lines (bidPlaintext
		// wrote them; the fast decoder reads no escapes): the digest
		// needs no second encoding of them. checkCommitment falls back
		// to tender.BidDigest if it does not hold.
		if d, err := tender.BidDigestWithLines(*b, lines); err == nil {
			sb.digest = d
		}
	}
	return nil
}

// decodeContent decodes a sealed bid's plaintext with encoding/json,
// strictly: unknown fields are errors.
func decodeContent(pt []byte) (bidContent, error) {
	var c bidContent
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return bidContent{}, errors.New("its sealed content does not parse")
	}
	return c, nil
}

// tenderKey unwraps a tender's key with the key file and checks that it is
// the key of the tender's stored recipient. A tender without a recipient
// (its bids are in clear) has no key: nil, nil. Without the key file it is
// ErrNeedKeys.
func (s *sqlStore) tenderKey(ctx context.Context, q querier, tenderID string) (*seal.TenderKey, error) {
	var recipient, custody, status string
	var wrapped []byte
	err := q.QueryRowContext(ctx, s.d.q("SELECT t.recipient, t.custody, t.status, k.wrapped FROM tenders t LEFT JOIN tender_keys k ON k.tender_id = t.id AND k.holder = ? WHERE t.id = ?"),
		holderServer, tenderID).Scan(&recipient, &custody, &status, &wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("tender %q: %w", clip.Prefix(tenderID), ErrNotFound)
	case err != nil:
		return nil, err
	case recipient == "":
		return nil, nil
	case wrapped == nil && custody != "" && status != string(tender.StatusOpened):
		var c tender.Custody
		if json.Unmarshal([]byte(custody), &c) == nil && c.Kind == tender.CustodyCommittee {
			return nil, fmt.Errorf("tender %s: %w", clip.Prefix(tenderID), ErrCommitteeSealed)
		}
		return nil, fmt.Errorf("%w: tender %s: %w: no wrapped key is stored for the key file", errCorrupt, clip.Prefix(tenderID), ErrTenderKey)
	case s.o.Keys == nil:
		return nil, fmt.Errorf("tender %s: %w", clip.Prefix(tenderID), ErrNeedKeys)
	case wrapped == nil:
		return nil, fmt.Errorf("%w: tender %s: %w: no wrapped key is stored for the key file", errCorrupt, clip.Prefix(tenderID), ErrTenderKey)
	}
	tk, err := s.o.Keys.Unwrap(wrapped)
	if err != nil {
		return nil, fmt.Errorf("%w: tender %s: its key does not unwrap with the key file: %w", errCorrupt, clip.Prefix(tenderID), err)
	}
	if tk.Recipient() != recipient {
		return nil, fmt.Errorf("%w: tender %s: %w: the wrapped key is not the stored recipient's", errCorrupt, clip.Prefix(tenderID), ErrTenderKey)
	}
	return tk, nil
}

// recipients caches, per tender, the recipient checked against its audit
// chain: it never changes once set.
type recipients struct {
	mu sync.Mutex
	m  map[string]string
}

func (r *recipients) get(id string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[id]
	return v, ok
}

func (r *recipients) put(id, recipient string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]string{}
	}
	r.m[id] = recipient
}

// recipientFor is the recipient tender tenderID's bids are sealed to,
// checked against the event that recorded it (sealRecipient); "" for a
// tender without one (its bids are stored in clear).
func (s *sqlStore) recipientFor(ctx context.Context, tenderID string) (string, error) {
	if r, ok := s.recips.get(tenderID); ok {
		return r, nil
	}
	var recipient string
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.d.q("SELECT recipient FROM tenders WHERE id = ?"), tenderID).Scan(&recipient); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("tender %q: %w", clip.Prefix(tenderID), ErrNotFound)
			}
			return err
		}
		if recipient == "" {
			return nil
		}
		return s.checkRecipient(ctx, tx, tenderID, recipient)
	})
	if err != nil || recipient == "" {
		return "", err
	}
	s.recips.put(tenderID, recipient)
	return recipient, nil
}

// bindingEvent is the event that recorded a tender's recipient: its
// created event when that carries the recipient's digest, else its first
// sealed event; nil when none did.
func bindingEvent(events []tender.Event) *tender.Event {
	for i := range events {
		e := &events[i]
		switch _, ok := e.Digests[tender.DigestRecipient]; {
		case e.Seq == 1 && e.Kind == tender.EventCreated && ok, e.Kind == tender.EventSealed:
			return e
		}
	}
	return nil
}

// checkRecipient checks recipient against the event that recorded it: the
// event must carry its digest, its hash must recompute, and, when the
// store has the key file's public keys, its signed head must verify and
// name it; when the store has a checkpoint, the head checkpointed at its
// seq must have its hash. Otherwise ErrTenderKey: a database writer put
// a recipient of its own in the tender's row.
func (s *sqlStore) checkRecipient(ctx context.Context, q querier, tenderID, recipient string) error {
	rows, err := q.QueryContext(ctx, s.d.q("SELECT seq, at, kind, actor, digests, prev_hash, hash, sig FROM events WHERE tender_id = ? AND (seq = 1 OR kind = ?) ORDER BY seq"), tenderID, string(tender.EventSealed))
	if err != nil {
		return err
	}
	var events []tender.Event
	for rows.Next() {
		var e tender.Event
		var at timeCol
		var kind, digests string
		if err := rows.Scan(&e.Seq, &at, &kind, &e.Actor, &digests, &e.PrevHash, &e.Hash, &e.SignedHead); err != nil {
			rows.Close()
			return err
		}
		e.At, e.Kind = at.t, tender.EventKind(kind)
		if json.Unmarshal([]byte(digests), &e.Digests) != nil {
			e.Digests = nil // legacy (an array) or edited: records no recipient
		}
		events = append(events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if msg := s.recipientProblem(tenderID, recipient, bindingEvent(events), true); msg != "" {
		return fmt.Errorf("%w: tender %s: %s", ErrTenderKey, clip.Prefix(tenderID), msg)
	}
	return nil
}

// recipientProblem says what is wrong with recipient as the one event e
// recorded ("" when nothing is). signed checks e's signed head and the
// checkpoint too (Verify checks those of every event on its own).
func (s *sqlStore) recipientProblem(tenderID, recipient string, e *tender.Event, signed bool) string {
	switch {
	case e == nil:
		return "no event records the recipient its bids are sealed to"
	case e.Digests[tender.DigestRecipient] != tender.RecipientDigest(recipient):
		return fmt.Sprintf("the stored recipient is not the one event %d recorded", e.Seq)
	case e.ComputeHash() != e.Hash:
		return fmt.Sprintf("event %d, which records the recipient, does not recompute", e.Seq)
	case !signed:
		return ""
	}
	if keys := s.o.verifyKeys(); len(keys) > 0 {
		sh, err := seal.ParseSignedHead(e.SignedHead)
		switch {
		case e.SignedHead == "":
			return fmt.Sprintf("event %d, which records the recipient, is not signed", e.Seq)
		case err != nil:
			return fmt.Sprintf("event %d's signed head cannot be read", e.Seq)
		case sh.TenderID != tenderID || sh.Seq != e.Seq || sh.Hash != e.Hash || !sh.At.Equal(e.At):
			return fmt.Sprintf("event %d's signed head names another event", e.Seq)
		case seal.VerifyHead(sh, keys) != nil:
			return fmt.Sprintf("event %d's signed head does not verify with the key file's keys", e.Seq)
		}
	}
	if s.o.Checkpoint != nil {
		heads, err := s.o.Checkpoint.All(tenderID)
		if err != nil {
			return "the checkpoint file cannot be read for this tender"
		}
		for _, sh := range heads {
			if sh.Seq == e.Seq && sh.Hash != e.Hash {
				return fmt.Sprintf("the checkpoint has another hash for event %d", e.Seq)
			}
		}
	}
	return ""
}

// hasTenderKeys reports whether the database holds any tender's wrapped
// key: then its bids are sealed and reading them needs the key file.
func (s *sqlStore) hasTenderKeys(ctx context.Context) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM tender_keys LIMIT 1) k").Scan(&n)
	return n > 0, err
}

// sealAll gives every tender without a key one (wrapped to the key file,
// its recipient recorded by a sealed event) and seals every bid still in
// clear: what a database written before bids were sealed needs, run when
// the store opens with the key file. One transaction per tender, one bid
// in memory at a time; idempotent (a crash midway leaves the rest for the
// next opening). A tender whose chain is behind the checkpoint, or whose
// rows no longer read, is left as it is for Verify to report.
func (s *sqlStore) sealAll(ctx context.Context, now time.Time) error {
	var ids []string
	rows, err := s.r.QueryContext(ctx, "SELECT id FROM tenders WHERE recipient = '' UNION SELECT DISTINCT tender_id FROM bids WHERE sealed IS NULL")
	if err != nil {
		return fmt.Errorf("seal stored bids: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		err := s.sealTender(ctx, id, now)
		if errors.Is(err, ErrChainRolledBack) || errors.Is(err, errCorrupt) || errors.Is(err, ErrTenderKey) {
			continue
		}
		if err != nil {
			return fmt.Errorf("seal the stored bids of tender %s: %w", clip.Prefix(id), err)
		}
	}
	return nil
}

// sealTender is sealAll for one tender, in one transaction.
func (s *sqlStore) sealTender(ctx context.Context, tenderID string, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, h, err := s.getTender(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		recipient := h.recipient
		if recipient == "" {
			tk, err := seal.NewTenderKey()
			if err != nil {
				return err
			}
			wrapped, err := s.o.Keys.Wrap(tk)
			if err != nil {
				return err
			}
			recipient = tk.Recipient()
			ev, err := tender.NewEvent(h.prev(), tender.EventSealed, systemActor, now, tender.Digests{tender.DigestRecipient: tender.RecipientDigest(recipient)})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)"), tenderID, holderServer, wrapped); err != nil {
				return fmt.Errorf("store the tender's key: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.d.q("UPDATE tenders SET recipient = ? WHERE id = ?"), recipient, tenderID); err != nil {
				return fmt.Errorf("store the tender's recipient: %w", err)
			}
			if err := s.appendEvent(ctx, tx, tenderID, &ev); err != nil {
				return err
			}
		} else if err := s.checkRecipient(ctx, tx, tenderID, recipient); err != nil {
			return err
		}
		var bids []string
		rows, err := tx.QueryContext(ctx, s.d.q("SELECT id FROM bids WHERE tender_id = ? AND sealed IS NULL"), tenderID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			bids = append(bids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(bids) == 0 {
			return nil
		}
		// One batch key for the bids sealed here, stored with them.
		bk, wrapped, err := seal.NewBatchKey(recipient)
		if err != nil {
			return err
		}
		defer bk.Destroy()
		if _, err := tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)"), tenderID, holderBatchPrefix+bk.ID(), wrapped); err != nil {
			return fmt.Errorf("store the batch key: %w", err)
		}
		for _, id := range bids {
			sb, err := s.getBid(ctx, tx, tenderID, id)
			if errors.Is(err, errCorrupt) {
				continue // edited in the database: Verify reports it
			}
			if err != nil {
				return err
			}
			ct, err := sealBid(bk, tenderID, sb.bid, BidSecrets{})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.d.q("UPDATE bids SET "+clearContent+", line_count = NULL, commit_nonce = NULL, sealed = ? WHERE tender_id = ? AND id = ? AND sealed IS NULL"), ct.content, tenderID, id); err != nil {
				return fmt.Errorf("seal bid %s: %w", clip.Prefix(id), err)
			}
		}
		return nil
	})
}

// clearContent empties the clear content columns of a sealed row.
const clearContent = "supplier = '', price_amount = '', price_currency = '', ladder_level = '', lines = '', footprint = ''"
