package server

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// memStore is an in-memory store.Store for the page tests, so that they do
// not wait for the SQL stores: maps under one mutex, applying the same
// domain rules at the given now (tender.CanSubmit, CanWithdraw, CanOpen),
// appending the audit events, and honouring idempotency keys as
// store/store.go documents.
type memStore struct {
	mu       sync.Mutex
	seq      int
	tenders  map[string]tender.Tender
	order    []string
	bids     map[string][]memBid
	evals    map[string]*tender.Evaluation
	events   map[string][]tender.Event
	settings map[string]string
}

type memBid struct {
	bid       tender.Bid
	tokenHash string
	key       string
}

var _ store.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{tenders: map[string]tender.Tender{}, bids: map[string][]memBid{}, evals: map[string]*tender.Evaluation{},
		events: map[string][]tender.Event{}, settings: map[string]string{}}
}

func (m *memStore) nextID(prefix string) string {
	m.seq++
	return fmt.Sprintf("%s%04d", prefix, m.seq)
}

// appendEvent appends to a tender's chain; the caller holds mu.
func (m *memStore) appendEvent(id string, kind tender.EventKind, actor string, digests []string, now time.Time) (tender.Event, error) {
	var prev *tender.Event
	if es := m.events[id]; len(es) > 0 {
		prev = &es[len(es)-1]
	}
	e, err := tender.NewEvent(prev, kind, actor, now, digests)
	if err != nil {
		return tender.Event{}, err
	}
	m.events[id] = append(m.events[id], e)
	return e, nil
}

func (m *memStore) CreateTender(_ context.Context, t tender.Tender, actor string) (tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.ID = m.nextID("t")
	d, err := tender.TenderDigest(t)
	if err != nil {
		return tender.Tender{}, err
	}
	if _, err := m.appendEvent(t.ID, tender.EventCreated, actor, []string{d}, t.Created); err != nil {
		return tender.Tender{}, err
	}
	m.tenders[t.ID] = t
	m.order = append(m.order, t.ID)
	return t, nil
}

func (m *memStore) Tender(_ context.Context, id string) (tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tenders[id]
	if !ok {
		return tender.Tender{}, fmt.Errorf("tender %q: %w", id, store.ErrNotFound)
	}
	return t, nil
}

func (m *memStore) Tenders(context.Context) ([]tender.Tender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tender.Tender, 0, len(m.order))
	for i := len(m.order) - 1; i >= 0; i-- {
		out = append(out, m.tenders[m.order[i]])
	}
	return out, nil
}

func (m *memStore) SubmitBid(_ context.Context, tenderID string, b tender.Bid, tokenHash, key string, now time.Time) (tender.Bid, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tenders[tenderID]
	if !ok {
		return tender.Bid{}, false, store.ErrNotFound
	}
	if key != "" {
		for _, mb := range m.bids[tenderID] {
			if mb.key != key {
				continue
			}
			same := mb.bid
			same.ID, same.ReceivedAt, same.WithdrawnAt = "", time.Time{}, nil
			cand := b
			cand.ID, cand.ReceivedAt, cand.WithdrawnAt = "", time.Time{}, nil
			if !reflect.DeepEqual(same.Lines, cand.Lines) || same.Supplier != cand.Supplier || !same.Price.Amount.Equal(cand.Price.Amount) || same.LadderLevel != cand.LadderLevel {
				return tender.Bid{}, false, store.ErrIdempotencyConflict
			}
			return mb.bid, true, nil
		}
	}
	if err := tender.CanSubmit(t, now); err != nil {
		return tender.Bid{}, false, err
	}
	b.ID = m.nextID("b")
	d, err := tender.BidDigest(b)
	if err != nil {
		return tender.Bid{}, false, err
	}
	if _, err := m.appendEvent(tenderID, tender.EventBidReceived, "supplier", []string{d, b.Footprint.Receipt.ResultDigest}, now); err != nil {
		return tender.Bid{}, false, err
	}
	m.bids[tenderID] = append(m.bids[tenderID], memBid{bid: b, tokenHash: tokenHash, key: key})
	return b, false, nil
}

func (m *memStore) Bid(_ context.Context, tenderID, bidID string) (tender.Bid, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mb := range m.bids[tenderID] {
		if mb.bid.ID == bidID {
			return mb.bid, mb.tokenHash, nil
		}
	}
	return tender.Bid{}, "", store.ErrNotFound
}

func (m *memStore) Bids(_ context.Context, tenderID string) ([]tender.Bid, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []tender.Bid{}
	for _, mb := range m.bids[tenderID] {
		out = append(out, mb.bid)
	}
	return out, nil
}

func (m *memStore) WithdrawBid(_ context.Context, tenderID, bidID string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tenders[tenderID]
	if !ok {
		return store.ErrNotFound
	}
	for i, mb := range m.bids[tenderID] {
		if mb.bid.ID != bidID {
			continue
		}
		if err := tender.CanWithdraw(t, mb.bid, now); err != nil {
			return err
		}
		at := tender.Stamp(now)
		m.bids[tenderID][i].bid.WithdrawnAt = &at
		d, _ := tender.BidDigest(mb.bid)
		_, err := m.appendEvent(tenderID, tender.EventWithdrawn, "supplier", []string{d}, now)
		return err
	}
	return store.ErrNotFound
}

func (m *memStore) Open(_ context.Context, tenderID, actor string, now time.Time, evaluate func(tender.Tender, []tender.Bid) (*tender.Evaluation, error)) (*tender.Evaluation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tenders[tenderID]
	if !ok {
		return nil, store.ErrNotFound
	}
	if _, done := m.evals[tenderID]; done {
		return nil, store.ErrAlreadyOpened
	}
	if err := tender.CanOpen(t, now); err != nil {
		return nil, err
	}
	var bids []tender.Bid
	for _, mb := range m.bids[tenderID] {
		bids = append(bids, mb.bid)
	}
	ev, err := evaluate(t, bids)
	if err != nil {
		return nil, err
	}
	if _, err := m.appendEvent(tenderID, tender.EventOpened, actor, nil, now); err != nil {
		return nil, err
	}
	if _, err := m.appendEvent(tenderID, tender.EventEvaluated, actor, []string{ev.Digest}, now); err != nil {
		return nil, err
	}
	t.Status = tender.StatusOpened
	m.tenders[tenderID] = t
	m.evals[tenderID] = ev
	return ev, nil
}

func (m *memStore) Evaluation(_ context.Context, tenderID string) (*tender.Evaluation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ev, ok := m.evals[tenderID]
	if !ok {
		return nil, store.ErrNotFound
	}
	return ev, nil
}

func (m *memStore) AppendEvent(_ context.Context, tenderID string, kind tender.EventKind, actor string, digests []string, now time.Time) (tender.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tenders[tenderID]; !ok {
		return tender.Event{}, store.ErrNotFound
	}
	return m.appendEvent(tenderID, kind, actor, digests, now)
}

func (m *memStore) Events(_ context.Context, tenderID string) ([]tender.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]tender.Event(nil), m.events[tenderID]...), nil
}

func (m *memStore) Verify(ctx context.Context, tenderID string) (store.VerifyResult, error) {
	es, _ := m.Events(ctx, tenderID)
	ok, bad, err := tender.Verify(es)
	r := store.VerifyResult{Verified: ok, FirstBadSeq: bad, Events: es}
	if err != nil {
		r.Problem = err.Error()
	}
	return r, nil
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

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
