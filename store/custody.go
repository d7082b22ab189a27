package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// Committee custody (issue 18, migration 00010; docs/sealing.md
// "Committee custody"). A tender created with the key file and a
// committee of whose shares the server would hold fewer than k gets its
// key split among the openers (seal.SplitTenderKey): one tender_keys row
// per opener ("opener:<id>"), sealed to the opener's share key or, for an
// opener without one, to the key file. No row opens with the key file
// alone, so until the k-th approval nobody — not the server, not whoever
// holds the database and the key file — reads a bid; its supplier reads
// its own with its bid token (bids.sealed_token).

// Errors of committee custody.
var (
	// ErrCommitteeSealed marks a read of a bid's content before the
	// opening of a tender in committee custody: only k approvals open it.
	ErrCommitteeSealed = errors.New("the bids are sealed to the opening committee until its k-th approval")
	// ErrShareLocked marks an approval whose credential does not unlock
	// the opener's share: none given (a session, not the personal token),
	// another officer's, or an old one.
	ErrShareLocked = errors.New("the credential does not unlock the opener's key share")
)

// tender_keys holders of committee custody.
const (
	holderOpenerPrefix   = "opener:"
	holderReleasedPrefix = "released:"
)

// keyRow is a tender_keys row to store with a new tender.
type keyRow struct {
	holder  string
	wrapped []byte
}

// custodyFor decides a new tender's custody from its committee and seals
// its key accordingly: split among the openers when the server would
// hold fewer than k shares (each opener's share sealed to their share
// key, the others' to the key file), wrapped to the key file otherwise.
// An opener's account whose row does not check (ErrAccountTag) refuses
// the tender: its share key may be a database writer's.
func (s *sqlStore) custodyFor(ctx context.Context, tk *seal.TenderKey, c *tender.Committee) (*tender.Custody, []keyRow, error) {
	server := func() (*tender.Custody, []keyRow, error) {
		wrapped, err := s.o.Keys.Wrap(tk)
		if err != nil {
			return nil, nil, err
		}
		return &tender.Custody{Kind: tender.CustodyServer}, []keyRow{{holderServer, wrapped}}, nil
	}
	if c == nil || len(c.Openers) == 0 || c.K < 1 {
		return server()
	}
	serverRecipient := s.o.Keys.Recipients()[0]
	holders := make([]tender.Holder, len(c.Openers))
	recipients := make([]string, len(c.Openers))
	held := 0
	for i, id := range c.Openers {
		holders[i] = tender.Holder{Officer: id, Key: tender.ServerHolder}
		recipients[i] = serverRecipient
		o, err := s.Officer(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, nil, fmt.Errorf("opener %s: %w", clip.Prefix(id), err)
		case o.ShareRecipient != "":
			holders[i].Key = tender.KeyFingerprint(o.ShareRecipient)
			recipients[i] = o.ShareRecipient
			continue
		}
		held++
	}
	if held >= c.K {
		return server()
	}
	records, err := seal.SplitTenderKey(tk, recipients, c.K)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]keyRow, len(records))
	for i, r := range records {
		rows[i] = keyRow{holderOpenerPrefix + c.Openers[i], r}
	}
	return &tender.Custody{Kind: tender.CustodyCommittee, K: c.K, Holders: holders}, rows, nil
}

// committeeSealed reports whether tender t's key is still split (no
// server row yet): its bids open only at the k-th approval.
func committeeSealed(t tender.Tender) bool {
	return t.Custody != nil && t.Custody.Kind == tender.CustodyCommittee && t.Status != tender.StatusOpened
}

// releaseShare opens opener's share of tender t (whose bids are sealed to
// recipient) in transaction tx: with the key file for a share the server
// holds, else with the opener's share key unlocked by credential (their
// personal token). It returns the share sealed to the key file, to keep
// until the k-th approval.
func (s *sqlStore) releaseShare(ctx context.Context, tx querier, t tender.Tender, recipient, opener, credential string) ([]byte, error) {
	if s.o.Keys == nil {
		return nil, fmt.Errorf("tender %s: %w", clip.Prefix(t.ID), ErrNeedKeys)
	}
	var holder *tender.Holder
	for i := range t.Custody.Holders {
		if t.Custody.Holders[i].Officer == opener {
			holder = &t.Custody.Holders[i]
		}
	}
	if holder == nil {
		return nil, fmt.Errorf("%w: %s holds no share of tender %s", tender.ErrNotOpener, clip.Prefix(opener), clip.Prefix(t.ID))
	}
	var record []byte
	err := tx.QueryRowContext(ctx, s.d.q("SELECT wrapped FROM tender_keys WHERE tender_id = ? AND holder = ?"), t.ID, holderOpenerPrefix+opener).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: tender %s: %s's key share is missing from the database", errCorrupt, clip.Prefix(t.ID), clip.Prefix(opener))
	} else if err != nil {
		return nil, err
	}
	var share seal.Share
	if holder.Key == tender.ServerHolder {
		share, err = s.o.Keys.OpenShare(record, recipient)
	} else {
		share, err = s.openOwnShare(ctx, holder, record, recipient, credential)
	}
	if err != nil {
		return nil, err
	}
	return s.o.Keys.SealShare(share)
}

// openOwnShare opens a share sealed to an opener's share key, unlocked
// with their credential.
func (s *sqlStore) openOwnShare(ctx context.Context, holder *tender.Holder, record []byte, recipient, credential string) (seal.Share, error) {
	if credential == "" {
		return seal.Share{}, fmt.Errorf("%w: approving opens your key share, which only your personal token unlocks: give it (a session alone cannot)", ErrShareLocked)
	}
	o, err := s.Officer(ctx, holder.Officer)
	if err != nil {
		return seal.Share{}, err
	}
	if o.ShareRecipient == "" || tender.KeyFingerprint(o.ShareRecipient) != holder.Key {
		return seal.Share{}, fmt.Errorf("%w: the share was sealed to key %s, and %s's account now has key %s: only the token of that time unlocks it", ErrShareLocked, holder.Key, clip.Prefix(o.ID), tender.KeyFingerprint(o.ShareRecipient))
	}
	hk, err := seal.UnlockHolderKey(o.ShareKey, credential, o.ID)
	if errors.Is(err, seal.ErrNoKey) {
		return seal.Share{}, fmt.Errorf("%w: it is not %s's personal token", ErrShareLocked, clip.Prefix(o.ID))
	} else if err != nil {
		return seal.Share{}, fmt.Errorf("%w: officer %s: %w", errCorrupt, clip.Prefix(o.ID), err)
	}
	if hk.Recipient() != o.ShareRecipient {
		return seal.Share{}, fmt.Errorf("%w: officer %s: the locked share key is not the account's", errCorrupt, clip.Prefix(o.ID))
	}
	share, err := hk.OpenShare(record, recipient)
	if err != nil {
		return seal.Share{}, fmt.Errorf("%w: %s's key share does not open with their key: %w", errCorrupt, clip.Prefix(o.ID), err)
	}
	return share, nil
}

// rebuildKey combines the released shares of tender t (the k-th
// approval's included) into its key, in memory, and keeps it wrapped to
// the key file (holder "server"), as an opened tender's: from now on the
// server reads its bids as it reads those of a tender in server custody.
func (s *sqlStore) rebuildKey(ctx context.Context, tx querier, t tender.Tender, recipient string) error {
	rows, err := tx.QueryContext(ctx, s.d.q("SELECT holder, wrapped FROM tender_keys WHERE tender_id = ? ORDER BY holder"), t.ID)
	if err != nil {
		return err
	}
	var shares []seal.Share
	for rows.Next() {
		var holder string
		var record []byte
		if err := rows.Scan(&holder, &record); err != nil {
			rows.Close()
			return err
		}
		if !strings.HasPrefix(holder, holderReleasedPrefix) {
			continue
		}
		sh, err := s.o.Keys.OpenShare(record, recipient)
		if err != nil {
			rows.Close()
			return fmt.Errorf("%w: tender %s: the share released by %s: %w", errCorrupt, clip.Prefix(t.ID), clip.Prefix(strings.TrimPrefix(holder, holderReleasedPrefix)), err)
		}
		shares = append(shares, sh)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tk, err := seal.CombineShares(shares)
	if err != nil {
		return fmt.Errorf("%w: tender %s: the released shares do not rebuild its key: %w", errCorrupt, clip.Prefix(t.ID), err)
	}
	wrapped, err := s.o.Keys.Wrap(tk)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.d.q("INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)"), t.ID, holderServer, wrapped)
	return err
}

// Contexts of the bid copies sealed under a secret (seal.SealWithSecret).
func tokenCopyContext(tenderID, bidID string) string {
	return "footprint bid copy for its token\x00" + tenderID + "\x00" + bidID
}

func keyCopyContext(tenderID, bidID string) string {
	return "footprint bid copy for its idempotency key\x00" + tenderID + "\x00" + bidID
}

// BidSecrets are the secrets of a submission that the store never keeps
// but seals a copy of the bid's content under, so that their holder
// reads the bid when no one else can (a tender in committee custody,
// before its opening): Token is the bid token's secret, handed to the
// supplier; Key the Idempotency-Key ("" for none), with which a retry is
// recognised.
type BidSecrets struct {
	Token string
	Key   string
}

// readCopy reads a bid's copy (column sealed_token or sealed_key) and
// opens it into sb with secret for context.
func (s *sqlStore) readCopy(ctx context.Context, q querier, column, tenderID string, sb *storedBid, secret, context string) error {
	var rec []byte
	if err := q.QueryRowContext(ctx, s.d.q("SELECT "+column+" FROM bids WHERE tender_id = ? AND id = ?"), tenderID, sb.bid.ID).Scan(&rec); err != nil {
		return err
	}
	if rec == nil || secret == "" {
		return &unreadableError{sb.bid.ID, ErrCommitteeSealed}
	}
	return unsealWith(func(ct []byte) ([]byte, error) { return seal.OpenWithSecret(ct, secret, context) }, tenderID, sb, rec)
}
