package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/tender"
)

// Streams are the reads of an opened tender that its exports make in
// memory that does not grow with its bids' content: the stored
// evaluation as its bytes (decoded one ranking row at a time by
// tender.ReadStoredEvaluation), the bids' heads one at a time, and only
// the audit events of some kinds. StreamsOf gives them for any Store.
type Streams interface {
	// EvaluationJSON returns a tender's stored evaluation as it is
	// stored: the JSON its opening wrote (ErrNotFound before opening).
	EvaluationJSON(ctx context.Context, tenderID string) ([]byte, error)
	// EachBidHead calls fn with every bid of a tender as BidHeads lists
	// them (receipt order, withdrawn ones included, without Lines and
	// Footprint.Limits), reading and decrypting one bid at a time in one
	// read transaction; fn's error stops the reading and is returned.
	// fn must not use the store.
	EachBidHead(ctx context.Context, tenderID string, fn func(tender.Bid) error) error
	// EventsOf returns a tender's audit events of the given kinds, in
	// order, as Events gives them.
	EventsOf(ctx context.Context, tenderID string, kinds ...tender.EventKind) ([]tender.Event, error)
}

// StreamsOf returns st's Streams: its own when it has them (or the store
// it wraps, see AccountsOf), else the same reads made with the Store's
// methods (which hold what they read at once).
func StreamsOf(st Store) Streams {
	for s := st; s != nil; {
		if v, ok := s.(Streams); ok {
			return v
		}
		u, ok := s.(interface{ Unwrap() Store })
		if !ok {
			break
		}
		s = u.Unwrap()
	}
	return storeStreams{st}
}

// storeStreams are Streams over a Store's methods.
type storeStreams struct{ st Store }

func (s storeStreams) EvaluationJSON(ctx context.Context, tenderID string) ([]byte, error) {
	ev, err := s.st.Evaluation(ctx, tenderID)
	if err != nil {
		return nil, err
	}
	return json.Marshal(ev)
}

func (s storeStreams) EachBidHead(ctx context.Context, tenderID string, fn func(tender.Bid) error) error {
	bids, err := s.st.BidHeads(ctx, tenderID)
	if err != nil {
		return err
	}
	for _, b := range bids {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

func (s storeStreams) EventsOf(ctx context.Context, tenderID string, kinds ...tender.EventKind) ([]tender.Event, error) {
	evs, err := s.st.Events(ctx, tenderID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(evs, func(e tender.Event) bool { return !slices.Contains(kinds, e.Kind) }), nil
}

var _ Streams = (*sqlStore)(nil)

// EvaluationJSON implements Streams.
func (s *sqlStore) EvaluationJSON(ctx context.Context, tenderID string) ([]byte, error) {
	var body []byte
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.d.q("SELECT body FROM evaluations WHERE tender_id = ?"), tenderID).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("evaluation of tender %q (not opened yet): %w", clip.Prefix(tenderID), ErrNotFound)
		}
		return err
	})
	return body, err
}

// EachBidHead implements Streams.
func (s *sqlStore) EachBidHead(ctx context.Context, tenderID string, fn func(tender.Bid) error) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		for b, err := range s.streamBids(ctx, tx, tenderID) {
			if err != nil {
				return err
			}
			b.Lines, b.Footprint.Limits = nil, nil
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// EventsOf implements Streams.
func (s *sqlStore) EventsOf(ctx context.Context, tenderID string, kinds ...tender.EventKind) ([]tender.Event, error) {
	var out []tender.Event
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.getTender(ctx, tx, tenderID, false); err != nil {
			return err
		}
		var err error
		out, err = s.listEventsOf(ctx, tx, tenderID, false, kinds)
		return err
	})
	return out, err
}
