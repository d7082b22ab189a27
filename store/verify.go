package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// finding is one thing that does not verify, against the event it
// concerns.
type finding struct {
	seq    int64
	kind   string
	detail string
}

// Verify implements Store. Beyond tender.Verify on the chain, it checks
// that what is stored is what the events recorded: the tender (the created
// event's digest), every bid (its bid_received event's digest and result
// digest), every withdrawal, the opening and the evaluation (the evaluated
// event's digest, recomputed), that a tender with an opening committee
// was opened after K distinct approvals by its openers
// (tender.CheckOpening), and that the chain ends at the head kept in
// the tender's row. Of every finding it reports the one with the lowest
// seq, naming the event, its kind and what failed; a broken chain comes
// before everything else.
func (s *sqlStore) Verify(ctx context.Context, tenderID string) (VerifyResult, error) {
	var res VerifyResult
	err := s.read(ctx, func(tx *sql.Tx) error {
		t, h, terr := s.getTender(ctx, tx, tenderID, false)
		if terr != nil && !errors.Is(terr, errCorrupt) {
			return terr
		}
		events, err := s.listEvents(ctx, tx, tenderID, true)
		if err != nil {
			return err
		}
		res.Events = events
		var fs []finding
		add := func(seq int64, format string, args ...any) {
			kind := "missing"
			if seq >= 1 && seq <= int64(len(events)) && events[seq-1].Seq == seq {
				kind = string(events[seq-1].Kind)
			}
			fs = append(fs, finding{seq: seq, kind: kind, detail: fmt.Sprintf(format, args...)})
		}
		// The chain itself.
		ok, bad, err := tender.Verify(events)
		chainBroken := !ok
		if !ok {
			var ce *tender.ChainError
			detail := err.Error()
			if errors.As(err, &ce) {
				detail = fmt.Sprintf("%v: %s", ce.Err, ce.Detail)
			}
			kind := "?"
			for _, e := range events {
				if e.Seq == bad {
					kind = string(e.Kind)
					break
				}
			}
			fs = append(fs, finding{seq: bad, kind: kind, detail: detail})
		}
		// The head kept in the tender's row: removing the last events
		// leaves a chain that verifies on its own.
		last := tender.Event{Hash: tender.GenesisHash}
		if len(events) > 0 {
			last = events[len(events)-1]
		}
		if last.Seq != h.seq || last.Hash != h.hash {
			if last.Seq < h.seq {
				add(last.Seq+1, "the chain ends at event %d but the tender's head is event %d (%s…): events were removed", last.Seq, h.seq, clip.Prefix(h.hash))
			} else {
				add(min(last.Seq, h.seq+1), "the tender's head is event %d (%s…) but the chain ends at event %d (%s…)", h.seq, clip.Prefix(h.hash), last.Seq, clip.Prefix(last.Hash))
			}
		}
		at := func(seq int64) *tender.Event {
			if seq >= 1 && seq <= int64(len(events)) && events[seq-1].Seq == seq {
				return &events[seq-1]
			}
			return nil
		}
		// The tender against the created event.
		switch first := at(1); {
		case first == nil || first.Kind != tender.EventCreated:
			add(1, "the first event is not the tender's created event")
		case terr != nil:
			add(1, "the stored tender cannot be read: %v", terr)
		default:
			d, err := tender.TenderDigest(t)
			if err != nil {
				return err
			}
			if first.Digests[tender.DigestTender] != d {
				add(1, "the stored tender's digest %s is not the one recorded (the tender was edited)", d)
			}
		}
		// The idempotency key hashes the receipts recorded.
		keys := map[string]string{}
		krows, err := tx.QueryContext(ctx, s.d.q("SELECT id, idempotency_key FROM bids WHERE tender_id = ? AND idempotency_key IS NOT NULL"), tenderID)
		if err != nil {
			return err
		}
		for krows.Next() {
			var id, k string
			if err := krows.Scan(&id, &k); err != nil {
				krows.Close()
				return err
			}
			keys[id] = k
		}
		krows.Close()
		if err := krows.Err(); err != nil {
			return err
		}
		// The recipient the bids are sealed to, against the event that
		// recorded it, and the wrapped key against the recipient.
		op, err := s.opener(ctx, tx, tenderID)
		if err != nil {
			return err
		}
		if terr == nil {
			be := bindingEvent(events)
			switch {
			case h.recipient != "":
				seq := int64(1)
				if be != nil {
					seq = be.Seq
				}
				if msg := s.recipientProblem(tenderID, h.recipient, be, false); msg != "" {
					add(seq, "the tender's recipient is not the one its chain recorded (its key was replaced): %s", msg)
				} else if op.keys.err != nil && !errors.Is(op.keys.err, ErrCommitteeSealed) {
					add(seq, "the tender's key cannot be used: %v", op.keys.err)
				}
			case be != nil:
				add(be.Seq, "the tender's recipient, which this event recorded, was removed from its row")
			}
		}
		// Every bid against its bid_received and withdrawn events.
		claimed := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, s.d.q("SELECT "+bidCols+" FROM bids WHERE tender_id = ? ORDER BY event_seq"), tenderID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sb, err := scanBid(rows)
			if err != nil && sb.eventSeq == 0 {
				return err
			}
			if err == nil {
				err = op.open(&sb)
			}
			e := at(sb.eventSeq)
			switch {
			case e == nil || e.Kind != tender.EventBidReceived || claimed[sb.eventSeq]:
				add(sb.eventSeq, "bid %s points at event %d, which is not its bid_received event", clip.Prefix(sb.bid.ID), sb.eventSeq)
				continue
			case errors.Is(err, ErrCommitteeSealed):
				// Sealed to the committee until its opening: what is in
				// clear must be what the receipt recorded.
				claimed[sb.eventSeq] = true
				if c := e.Digests[tender.DigestCommitment]; c == "" || c != sb.bid.Commitment {
					add(e.Seq, "bid %s's commitment is not the one recorded at its receipt (the bid was edited or replaced)", clip.Prefix(sb.bid.ID))
				}
				if th, ok := e.Digests[tender.DigestToken]; ok && th != sb.tokenHash {
					add(e.Seq, "bid %s's token hash is not the one recorded at its receipt (the bid's token was replaced)", clip.Prefix(sb.bid.ID))
				}
				if kh, ok := e.Digests[tender.DigestIdempotency]; (ok || keys[sb.bid.ID] != "") && kh != keys[sb.bid.ID] {
					add(e.Seq, "bid %s's idempotency key hash is not the one recorded at its receipt (a key was moved in the database)", clip.Prefix(sb.bid.ID))
				}
				if sb.bid.WithdrawnAt != nil {
					if w := at(sb.withdrawnSeq.Int64); sb.withdrawnSeq.Valid && w != nil && w.Kind == tender.EventWithdrawn && !claimed[w.Seq] && w.Digests[tender.DigestCommitment] == sb.bid.Commitment {
						claimed[w.Seq] = true
					} else {
						add(max(sb.withdrawnSeq.Int64, e.Seq), "bid %s is stored as withdrawn without its withdrawn event", clip.Prefix(sb.bid.ID))
					}
				} else if sb.withdrawnSeq.Valid {
					add(sb.withdrawnSeq.Int64, "bid %s is recorded as withdrawn but stored as not withdrawn", clip.Prefix(sb.bid.ID))
				}
				continue
			case err != nil && sb.sealed != nil:
				add(sb.eventSeq, "%v", err)
				claimed[sb.eventSeq] = true
				continue
			case err != nil:
				add(sb.eventSeq, "bid %s cannot be read (it was edited): %v", clip.Prefix(sb.bid.ID), err)
				claimed[sb.eventSeq] = true
				continue
			}
			claimed[sb.eventSeq] = true
			d, err := tender.BidDigest(sb.bid)
			if err != nil {
				return err
			}
			if c, committed := e.Digests[tender.DigestCommitment]; committed {
				if !commitmentHolds(c, sb.bid, d) {
					add(e.Seq, "bid %s does not open the commitment recorded at its receipt (the bid, its nonce or its commitment was edited)", clip.Prefix(sb.bid.ID))
				}
			} else if e.Digests[tender.DigestBid] != d {
				add(e.Seq, "bid %s has digest %s, not the one recorded at its receipt (the bid was edited)", clip.Prefix(sb.bid.ID), d)
			} else if rd := sb.bid.Footprint.Receipt.ResultDigest; rd != "" && e.Digests[tender.DigestResult] != rd {
				add(e.Seq, "bid %s's footprint result digest %s is not the one recorded", clip.Prefix(sb.bid.ID), clip.Prefix(rd))
			}
			if kh, ok := e.Digests[tender.DigestIdempotency]; (ok || keys[sb.bid.ID] != "") && kh != keys[sb.bid.ID] && e.Digests[tender.DigestCommitment] != "" {
				add(e.Seq, "bid %s's idempotency key hash is not the one recorded at its receipt (a key was moved in the database)", clip.Prefix(sb.bid.ID))
			}
			if th, ok := e.Digests[tender.DigestToken]; ok && th != sb.tokenHash {
				add(e.Seq, "bid %s's token hash is not the one recorded at its receipt (the bid's token was replaced)", clip.Prefix(sb.bid.ID))
			}
			switch {
			case sb.bid.WithdrawnAt == nil && sb.withdrawnSeq.Valid:
				add(sb.withdrawnSeq.Int64, "bid %s is recorded as withdrawn but stored as not withdrawn", clip.Prefix(sb.bid.ID))
			case sb.bid.WithdrawnAt != nil:
				w := at(sb.withdrawnSeq.Int64)
				if !sb.withdrawnSeq.Valid || w == nil || w.Kind != tender.EventWithdrawn || claimed[w.Seq] || !withdrawalNames(w, sb.bid, d) {
					add(max(sb.withdrawnSeq.Int64, e.Seq), "bid %s is stored as withdrawn without its withdrawn event", clip.Prefix(sb.bid.ID))
				} else {
					claimed[w.Seq] = true
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// Every event that records a bid or a withdrawal has one.
		var opened, evaluated *tender.Event
		for i := range events {
			e := &events[i]
			switch e.Kind {
			case tender.EventBidReceived, tender.EventWithdrawn:
				if !claimed[e.Seq] {
					add(e.Seq, "no stored bid matches this %s event (a bid was removed or edited)", e.Kind)
				}
			case tender.EventOpened:
				if opened == nil {
					opened = e
				}
			case tender.EventEvaluated:
				if evaluated == nil {
					evaluated = e
				}
			}
		}
		// The committee's approvals before the opening.
		if terr == nil && !chainBroken {
			if seq, msg := tender.CheckOpening(t, events); seq != 0 {
				add(seq, "%s", msg)
			}
			if td, err := tender.TenderDigest(t); err == nil {
				for _, e := range events {
					if e.Kind == tender.EventApproved && e.Digests[tender.DigestTender] != td {
						add(e.Seq, "approved by %s a tender whose digest is not the stored tender's", clip.Prefix(e.Actor))
					}
				}
			}
		}
		// The opening and the evaluation.
		if terr == nil && (t.Status == tender.StatusOpened) != (opened != nil) {
			if opened != nil {
				add(opened.Seq, "the tender is recorded as opened but its stored status is %q", clip.Prefix(string(t.Status)))
			} else {
				add(last.Seq+1, "the tender's stored status is opened but no opened event exists")
			}
		}
		ev, found, err := s.getEvaluation(ctx, tx, tenderID)
		if err != nil && !errors.Is(err, errCorrupt) {
			return err
		}
		switch {
		case evaluated == nil && found:
			add(last.Seq+1, "an evaluation is stored but no evaluated event exists")
		case evaluated != nil && !found:
			add(evaluated.Seq, "the evaluation recorded by this event is missing")
		case evaluated != nil && err != nil:
			add(evaluated.Seq, "the stored evaluation cannot be read: %v", err)
		case evaluated != nil:
			ok, derr := ev.VerifyDigest()
			switch {
			case derr != nil || !ok:
				add(evaluated.Seq, "the stored evaluation's digest does not recompute (the evaluation was edited)")
			case evaluated.Digests[tender.DigestEvaluation] != ev.Digest:
				add(evaluated.Seq, "the stored evaluation's digest %s is not the one recorded", clip.Prefix(ev.Digest))
			}
		}
		s.verifySignatures(tenderID, events, h, &res, add)
		if len(fs) == 0 {
			res.Verified = true
			return nil
		}
		// A broken chain is reported first (it is fs[0]): past it, the
		// events' places cannot be trusted to name anything else.
		first := fs[0]
		if !chainBroken {
			first = slices.MinFunc(fs, func(a, b finding) int { return cmp.Compare(a.seq, b.seq) })
		}
		res.FirstBadSeq = first.seq
		res.Problem = fmt.Sprintf("event %d (%s): %s", first.seq, first.kind, first.detail)
		return nil
	})
	if err != nil {
		return VerifyResult{}, err
	}
	return res, nil
}

// commitmentHolds reports whether a bid (of digest d) opens commitment c:
// its stored commitment is c and c is seal.Commit of its content under its
// stored nonce.
func commitmentHolds(c string, b tender.Bid, d string) bool {
	nonce, err := seal.ParseNonce(b.Nonce)
	return err == nil && b.Commitment == c && seal.CheckCommitment(c, nonce, tender.CommitmentContent(d, b.Footprint.Receipt.ResultDigest))
}

// withdrawalNames reports whether withdrawn event w names bid b (of
// digest d): by its commitment, or by its digest for a bid received
// before commitments.
func withdrawalNames(w *tender.Event, b tender.Bid, d string) bool {
	if c, ok := w.Digests[tender.DigestCommitment]; ok {
		return b.Commitment != "" && c == b.Commitment
	}
	return w.Digests[tender.DigestBid] == d
}
