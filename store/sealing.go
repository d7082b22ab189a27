package store

import (
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// ErrChainRolledBack marks a write refused because the database's audit
// chain of the tender is behind, or other than, the heads kept outside it
// in the checkpoint file: the database was restored, truncated or
// rewritten since those heads were signed. Nothing is written; run
// footprint tenders verify.
var ErrChainRolledBack = errors.New("the database's audit chain is behind or other than the checkpoint kept outside it")

// Checkpoint keeps signed heads outside the database (*seal.Checkpoint):
// Append writes one durably; Latest is the newest of a tender; All every
// one of a tender, each verified.
type Checkpoint interface {
	Append(seal.SignedHead) error
	Latest(tenderID string) (seal.SignedHead, bool, error)
	All(tenderID string) ([]seal.SignedHead, error)
}

// Options are what OpenWith adds to a store: the key file and the
// checkpoint file, both kept outside the database.
//
// With Keys every event is stored with the signed head of the chain after
// it, and the tender with its current signed head; Verify checks
// signatures with the key file's public keys (older ones included). With a
// Checkpoint too, each signed head is appended to it once its transaction
// commits, and a write whose chain is behind the checkpoint is refused
// (ErrChainRolledBack).
//
// With Keys every tender created also gets a key of its own,
// wrapped to the key file, and every bid is stored sealed to it; OpenWith
// then seals what an older version stored in clear (sealAll). A store
// opened without Keys stores the bids of tenders without a key in clear,
// seals those of tenders with one (sealing needs no secret), cannot read
// sealed content (ErrNeedKeys), and refuses to open a database that holds
// tender keys.
type Options struct {
	Keys       *seal.Keys
	Checkpoint Checkpoint
}

// verifyKeys are the public keys signed heads are checked with: the key
// file's, none without it.
func (o Options) verifyKeys() []ed25519.PublicKey {
	if o.Keys == nil {
		return nil
	}
	return o.Keys.VerifyKeys()
}

// pendingHeads holds, per open write transaction, the heads signed in it,
// to checkpoint once it commits.
type pendingHeads struct {
	mu sync.Mutex
	m  map[*sql.Tx][]seal.SignedHead
}

func (p *pendingHeads) add(tx *sql.Tx, sh seal.SignedHead) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[*sql.Tx][]seal.SignedHead{}
	}
	p.m[tx] = append(p.m[tx], sh)
}

func (p *pendingHeads) take(tx *sql.Tx) []seal.SignedHead {
	p.mu.Lock()
	defer p.mu.Unlock()
	hs := p.m[tx]
	delete(p.m, tx)
	return hs
}

// txOf is the transaction behind a write querier.
func txOf(q querier) *sql.Tx {
	switch v := q.(type) {
	case *sql.Tx:
		return v
	case txq:
		return v.tx
	}
	return nil
}

// signHead checks the new head against the checkpoint (a chain behind it,
// or forking from it, is refused) and signs it. It returns "" when the
// store has no signer.
func (s *sqlStore) signHead(tx querier, tenderID string, head seal.Head, prevHash string) (string, error) {
	if s.o.Keys == nil {
		return "", nil
	}
	if cp := s.o.Checkpoint; cp != nil {
		latest, ok, err := cp.Latest(tenderID)
		if err != nil {
			return "", fmt.Errorf("%w: tender %s: %w", ErrChainRolledBack, tenderID, err)
		}
		switch {
		case ok && latest.Seq >= head.Seq:
			return "", fmt.Errorf("%w: tender %s: the database's chain ends at seq %d, the checkpoint has seq %d", ErrChainRolledBack, tenderID, head.Seq-1, latest.Seq)
		case ok && latest.Seq == head.Seq-1 && latest.Hash != prevHash:
			return "", fmt.Errorf("%w: tender %s: seq %d has hash %.16s… in the database, %.16s… in the checkpoint", ErrChainRolledBack, tenderID, latest.Seq, prevHash, latest.Hash)
		}
	}
	sh, err := s.o.Keys.SignHead(head)
	if err != nil {
		return "", fmt.Errorf("sign the chain head: %w", err)
	}
	if t := txOf(tx); t != nil && s.o.Checkpoint != nil {
		s.pending.add(t, sh)
	}
	return sh.String(), nil
}

// checkpoint appends the heads signed in a committed transaction.
func (s *sqlStore) checkpoint(tx *sql.Tx) error {
	for _, sh := range s.pending.take(tx) {
		if err := s.o.Checkpoint.Append(sh); err != nil {
			return fmt.Errorf("stored, but its signed head (tender %s seq %d) could not be checkpointed: %w", sh.TenderID, sh.Seq, err)
		}
	}
	return nil
}

// verifySignatures checks what vouches for a chain beyond the database:
// every event's signed head (it must verify with Options.VerifyKeys and
// name the event's own seq, hash and time), the tender's head signature,
// and the heads the checkpoint file holds (each must still be in the
// chain at its seq, with its hash). Findings go to add; res gets
// Signatures and CheckpointSeq.
func (s *sqlStore) verifySignatures(tenderID string, events []tender.Event, h head, res *VerifyResult, add func(int64, string, ...any)) {
	signed, firstSigned := 0, int64(0)
	for i := range events {
		e := &events[i]
		if e.SignedHead == "" {
			if firstSigned > 0 {
				add(e.Seq, "the event is not signed though event %d before it is (a signature was removed, or the event written without the key)", firstSigned)
			}
			continue
		}
		signed++
		if firstSigned == 0 {
			firstSigned = e.Seq
		}
		sh, err := seal.ParseSignedHead(e.SignedHead)
		if err != nil {
			add(e.Seq, "its signed head cannot be read: %v", err)
			continue
		}
		if sh.TenderID != tenderID || sh.Seq != e.Seq || sh.Hash != e.Hash || !sh.At.Equal(e.At) {
			add(e.Seq, "its signed head names seq %d, hash %s…, not this event's seq %d, hash %s… (the chain was rewritten)", sh.Seq, clip.Prefix(sh.Hash), e.Seq, clip.Prefix(e.Hash))
			continue
		}
		if keys := s.o.verifyKeys(); len(keys) > 0 {
			if err := seal.VerifyHead(sh, keys); err != nil {
				add(e.Seq, "its signed head does not verify with the key file's keys: %v", err)
			}
		}
	}
	switch {
	case signed == 0:
		res.Signatures = "absent"
	case len(s.o.verifyKeys()) == 0:
		res.Signatures = "unchecked"
	default:
		res.Signatures = "verified"
	}
	if signed > 0 && len(events) > 0 && h.sig != events[len(events)-1].SignedHead && h.seq == events[len(events)-1].Seq {
		add(h.seq, "the tender's head signature is not the newest event's")
	}
	if s.o.Checkpoint == nil {
		return
	}
	heads, err := s.o.Checkpoint.All(tenderID)
	if err != nil {
		add(1, "the checkpoint file cannot be read for this tender: %v", err)
		return
	}
	for _, sh := range heads {
		var e *tender.Event
		if sh.Seq >= 1 && sh.Seq <= int64(len(events)) && events[sh.Seq-1].Seq == sh.Seq {
			e = &events[sh.Seq-1]
		}
		switch {
		case e == nil:
			add(sh.Seq, "the checkpoint kept outside the database has the chain's head signed at event %d (%s…), but the database's chain ends at event %d: events were removed", sh.Seq, clip.Prefix(sh.Hash), len(events))
		case e.Hash != sh.Hash:
			add(sh.Seq, "the checkpoint kept outside the database has hash %s… signed for this event, the database %s… (the chain was rewritten)", clip.Prefix(sh.Hash), clip.Prefix(e.Hash))
		default:
			res.CheckpointSeq = max(res.CheckpointSeq, sh.Seq)
		}
	}
}
