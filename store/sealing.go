package store

import (
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/footprint-gpp/footprint/seal"
)

// ErrChainRolledBack marks a write refused because the database's audit
// chain of the tender is behind, or other than, the heads kept outside it
// in the checkpoint file: the database was restored, truncated or
// rewritten since those heads were signed. Nothing is written; run
// footprint tenders verify.
var ErrChainRolledBack = errors.New("the database's audit chain is behind or other than the checkpoint kept outside it")

// HeadSigner signs a tender's chain head with a key the database does not
// hold (*seal.Keys).
type HeadSigner interface {
	SignHead(seal.Head) (seal.SignedHead, error)
}

// Checkpoint keeps signed heads outside the database (*seal.Checkpoint):
// Append writes one durably; Latest is the newest of a tender; All every
// one of a tender, each verified.
type Checkpoint interface {
	Append(seal.SignedHead) error
	Latest(tenderID string) (seal.SignedHead, bool, error)
	All(tenderID string) ([]seal.SignedHead, error)
}

// Options are what OpenWith adds to a store: the sealing of its audit
// chains. With a Signer every event is stored with the signed head of the
// chain after it, and the tender with its current signed head; with a
// Checkpoint too, each signed head is appended to it once its transaction
// commits, and a write whose chain is behind the checkpoint is refused
// (ErrChainRolledBack). VerifyKeys are the public keys Verify checks
// signatures with (the key file's, older ones included).
type Options struct {
	Signer     HeadSigner
	Checkpoint Checkpoint
	VerifyKeys []ed25519.PublicKey
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
	if s.o.Signer == nil {
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
	sh, err := s.o.Signer.SignHead(head)
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
