package server

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// memStore is an in-memory store.Store for the handler tests: maps under
// one mutex, applying the rules the interface documents (the domain's
// Can* checks at the time passed in, idempotency, the audit chain). The
// handler tests take a store factory (storeFactory), so that they run
// against the SQLite and PostgreSQL stores too.
type memStore struct {
	mu       sync.Mutex
	seq      int
	tenders  map[string]*memTender
	order    []string
	settings map[string]string
	// Officer accounts and sessions (store.Accounts; memaccounts_test.go),
	// made at first use.
	officers map[string]store.Officer
	sessions map[string]store.Session
}

type memTender struct {
	t      tender.Tender
	bids   []*memBid
	keys   map[string]*memBid
	ev     *tender.Evaluation
	events []tender.Event
}

type memBid struct {
	b       tender.Bid
	hash    string
	content string
}

func newMemStore() *memStore {
	return &memStore{tenders: map[string]*memTender{}, settings: map[string]string{}}
}

// storeFactory builds a fresh, empty store for one test.
type storeFactory func() store.Store

// memFactory is the default factory of the handler tests.
func memFactory() store.Store { return newMemStore() }

func (m *memStore) get(id string) (*memTender, error) {
	mt, ok := m.tenders[id]
	if !ok {
		return nil, fmt.Errorf("tender %q: %w", id, store.ErrNotFound)
	}
	return mt, nil
}

func (m *memStore) appendEvent(mt *memTender, kind tender.EventKind, actor string, digests tender.Digests, at time.Time) (tender.Event, error) {
	var prev *tender.Event
	if n := len(mt.events); n > 0 {
		prev = &mt.events[n-1]
	}
	e, err := tender.NewEvent(prev, kind, actor, at, digests)
	if err != nil {
		return e, err
	}
	mt.events = append(mt.events, e)
	return e, nil
}

func (m *memStore) CreateTender(_ context.Context, t tender.Tender, actor string) (tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	t.ID = fmt.Sprintf("T%d", m.seq)
	t.Deadline, t.Created = tender.Stamp(t.Deadline), tender.Stamp(t.Created)
	d, err := tender.TenderDigest(t)
	if err != nil {
		return t, err
	}
	mt := &memTender{t: t, keys: map[string]*memBid{}}
	if _, err := m.appendEvent(mt, tender.EventCreated, actor, tender.Digests{tender.DigestTender: d}, t.Created); err != nil {
		return t, err
	}
	m.tenders[t.ID] = mt
	m.order = append(m.order, t.ID)
	return t, nil
}

func (m *memStore) Tender(_ context.Context, id string) (tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(id)
	if err != nil {
		return tender.Tender{}, err
	}
	return mt.t, nil
}

func (m *memStore) Tenders(context.Context) ([]tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tender.Tender, 0, len(m.order))
	for i := len(m.order) - 1; i >= 0; i-- {
		out = append(out, m.tenders[m.order[i]].t)
	}
	return out, nil
}

// bidContent is what makes two submissions the same bid: everything but
// the receipt time, the id and the footprint computed from it.
func bidContent(b tender.Bid) string {
	b.ID, b.ReceivedAt, b.WithdrawnAt, b.Footprint = "", time.Time{}, nil, tender.Summary{}
	raw, _ := json.Marshal(b)
	return string(raw)
}

func (m *memStore) SubmitBid(_ context.Context, tenderID string, b tender.Bid, tokenHash, key string, now time.Time, _ ...store.BidSecrets) (tender.Bid, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return tender.Bid{}, false, err
	}
	content := bidContent(b)
	if key != "" {
		if prev, ok := mt.keys[key]; ok {
			if prev.content != content {
				return tender.Bid{}, false, store.ErrIdempotencyConflict
			}
			return prev.b, true, nil
		}
	}
	if err := tender.CanSubmit(mt.t, now); err != nil {
		return tender.Bid{}, false, err
	}
	if err := tender.CanAddBid(mt.t, len(mt.bids)); err != nil {
		return tender.Bid{}, false, err
	}
	m.seq++
	b.ID = fmt.Sprintf("B%d", m.seq)
	b.ReceivedAt = tender.Stamp(b.ReceivedAt)
	d, err := tender.BidDigest(b)
	if err != nil {
		return tender.Bid{}, false, err
	}
	// As the SQL store does: a salted commitment, never the digests.
	nonce, err := seal.NewNonce()
	if err != nil {
		return tender.Bid{}, false, err
	}
	b.Nonce = hex.EncodeToString(nonce[:])
	b.Commitment = seal.Commit(nonce, tender.CommitmentContent(d, b.Footprint.Receipt.ResultDigest))
	ds := tender.Digests{tender.DigestCommitment: b.Commitment, tender.DigestToken: tokenHash}
	if key != "" {
		ds[tender.DigestIdempotency] = key
	}
	if _, err := m.appendEvent(mt, tender.EventBidReceived, "supplier", ds, now); err != nil {
		return tender.Bid{}, false, err
	}
	mb := &memBid{b: b, hash: tokenHash, content: content}
	mt.bids = append(mt.bids, mb)
	if key != "" {
		mt.keys[key] = mb
	}
	return b, false, nil
}

func (m *memStore) Bid(_ context.Context, tenderID, bidID string, _ ...string) (tender.Bid, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return tender.Bid{}, "", err
	}
	for _, mb := range mt.bids {
		if mb.b.ID == bidID {
			return mb.b, mb.hash, nil
		}
	}
	return tender.Bid{}, "", fmt.Errorf("bid %q: %w", bidID, store.ErrNotFound)
}

func (m *memStore) BidTokenHash(ctx context.Context, tenderID, bidID string) (string, error) {
	_, h, err := m.Bid(ctx, tenderID, bidID)
	return h, err
}

func (m *memStore) BidSummaries(ctx context.Context, tenderID string) ([]store.BidSummary, error) {
	bids, err := m.Bids(ctx, tenderID)
	if err != nil {
		return nil, err
	}
	out := make([]store.BidSummary, len(bids))
	for i, b := range bids {
		out[i] = store.BidSummary{ID: b.ID, ReceivedAt: b.ReceivedAt, WithdrawnAt: b.WithdrawnAt, Commitment: b.Commitment}
	}
	return out, nil
}

func (m *memStore) BidHeads(ctx context.Context, tenderID string) ([]tender.Bid, error) {
	bids, err := m.Bids(ctx, tenderID)
	for i := range bids {
		bids[i].Lines, bids[i].Footprint.Limits = nil, nil
	}
	return bids, err
}

func (m *memStore) Bids(_ context.Context, tenderID string) ([]tender.Bid, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return nil, err
	}
	out := make([]tender.Bid, len(mt.bids))
	for i, mb := range mt.bids {
		out[i] = mb.b
	}
	return out, nil
}

func (m *memStore) WithdrawBid(_ context.Context, tenderID, bidID string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return err
	}
	for _, mb := range mt.bids {
		if mb.b.ID != bidID {
			continue
		}
		if err := tender.CanWithdraw(mt.t, mb.b, now); err != nil {
			return err
		}
		if _, err := m.appendEvent(mt, tender.EventWithdrawn, "supplier", tender.Digests{tender.DigestCommitment: mb.b.Commitment}, now); err != nil {
			return err
		}
		at := tender.Stamp(now)
		mb.b.WithdrawnAt = &at
		return nil
	}
	return fmt.Errorf("bid %q: %w", bidID, store.ErrNotFound)
}

func (m *memStore) Open(_ context.Context, tenderID, actor, _ string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return nil, err
	}
	if mt.ev != nil {
		return nil, store.ErrAlreadyOpened
	}
	if err := tender.CanOpen(mt.t, now); err != nil {
		return nil, err
	}
	if c := mt.t.Committee; c != nil {
		if c.K > 1 {
			return nil, tender.NeedsApprovals(c, len(tender.Approvers(mt.events)))
		}
		a, err := m.approveLocked(mt, actor, now, evaluate)
		return a.Evaluation, err
	}
	return m.openLocked(mt, actor, now, nil, evaluate)
}

func (m *memStore) Approve(_ context.Context, tenderID, opener, _ string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (store.Approval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return store.Approval{}, err
	}
	if mt.ev != nil {
		return store.Approval{}, store.ErrAlreadyOpened
	}
	return m.approveLocked(mt, opener, now, evaluate)
}

func (m *memStore) approveLocked(mt *memTender, opener string, now time.Time, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (store.Approval, error) {
	if err := tender.CanApprove(mt.t, opener, now); err != nil {
		return store.Approval{}, err
	}
	a := store.Approval{Approvers: tender.Approvers(mt.events), K: mt.t.Committee.K}
	if slices.Contains(a.Approvers, opener) {
		a.Repeated = true
		return a, nil
	}
	events := slices.Clone(mt.events)
	e, err := m.appendEvent(mt, tender.EventApproved, opener, nil, now)
	if err != nil {
		return a, err
	}
	a.Event, a.Approvers = e, append(a.Approvers, opener)
	if len(a.Approvers) < a.K {
		return a, nil
	}
	a.Evaluation, err = m.openLocked(mt, opener, now, a.Approvers, evaluate)
	if err != nil {
		mt.events = events
	}
	return a, err
}

func (m *memStore) openLocked(mt *memTender, actor string, now time.Time, openedBy []string, evaluate func(tender.Tender, iter.Seq2[tender.Bid, error]) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	bids := make([]tender.Bid, len(mt.bids))
	for i, mb := range mt.bids {
		bids[i] = mb.b
	}
	ev, err := evaluate(mt.t, func(yield func(tender.Bid, error) bool) {
		for _, b := range bids {
			if !yield(b, nil) {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if mt.t.Committee != nil {
		if err := ev.SetOpening(mt.t.Committee, openedBy); err != nil {
			return nil, err
		}
	}
	events := slices.Clone(mt.events)
	if _, err := m.appendEvent(mt, tender.EventOpened, actor, nil, now); err != nil {
		mt.events = events
		return nil, err
	}
	if _, err := m.appendEvent(mt, tender.EventEvaluated, actor, tender.Digests{tender.DigestEvaluation: ev.Digest}, now); err != nil {
		mt.events = events
		return nil, err
	}
	mt.ev = ev
	mt.t.Status = tender.StatusOpened
	return ev, nil
}

func (m *memStore) Evaluation(_ context.Context, tenderID string) (*tender.Evaluation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return nil, err
	}
	if mt.ev == nil {
		return nil, fmt.Errorf("evaluation of %q: %w", tenderID, store.ErrNotFound)
	}
	return mt.ev, nil
}

func (m *memStore) AppendEvent(_ context.Context, tenderID string, kind tender.EventKind, actor string, digests tender.Digests, now time.Time) (tender.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return tender.Event{}, err
	}
	return m.appendEvent(mt, kind, actor, digests, now)
}

func (m *memStore) Events(_ context.Context, tenderID string) ([]tender.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return nil, err
	}
	return slices.Clone(mt.events), nil
}

// Verify checks the chain and that every stored bid still has the digest
// its bid_received event carries.
func (m *memStore) Verify(_ context.Context, tenderID string) (store.VerifyResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mt, err := m.get(tenderID)
	if err != nil {
		return store.VerifyResult{}, err
	}
	res := store.VerifyResult{Events: slices.Clone(mt.events)}
	ok, bad, cerr := tender.Verify(mt.events)
	if !ok {
		res.FirstBadSeq, res.Problem = bad, cerr.Error()
		return res, nil
	}
	i := 0
	for _, e := range mt.events {
		if e.Kind != tender.EventBidReceived {
			continue
		}
		d, err := tender.BidDigest(mt.bids[i].b)
		if err != nil {
			return res, err
		}
		b := mt.bids[i].b
		nonce, nerr := seal.ParseNonce(b.Nonce)
		if nerr != nil || e.Digests[tender.DigestCommitment] != b.Commitment || !seal.CheckCommitment(b.Commitment, nonce, tender.CommitmentContent(d, b.Footprint.Receipt.ResultDigest)) {
			res.FirstBadSeq, res.Problem = e.Seq, fmt.Sprintf("audit event %d: bid %s no longer opens the commitment its event carries", e.Seq, b.ID)
			return res, nil
		}
		i++
	}
	res.Verified = true
	return res, nil
}

func (m *memStore) Setting(_ context.Context, name string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.settings[name]
	return v, ok, nil
}

func (m *memStore) SetSetting(_ context.Context, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[name] = value
	return nil
}

func (m *memStore) Close() error { return nil }

// tamperBid changes a stored bid's price behind the store's back, as an
// edit in the database would.
func (m *memStore) tamperBid(tenderID, bidID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mb := range m.tenders[tenderID].bids {
		if mb.b.ID == bidID {
			mb.b.Price.Amount = mb.b.Price.Amount.Add(mb.b.Price.Amount)
		}
	}
}

var _ store.Store = (*memStore)(nil)
