package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// lowerPrice sets a stored bid's price to 500.00 and, as a database
// writer can (the nonce is in the database, the commitment unkeyed beyond
// it), makes its commitment and its receipt event's digest agree again.
func lowerPrice(t *testing.T, s *sqlStore, tenderID, bidID string) {
	t.Helper()
	ctx := context.Background()
	old, _, err := s.Bid(ctx, tenderID, bidID)
	if err != nil {
		t.Fatal(err)
	}
	b := old
	b.Price.Amount = dec("500.00")
	var sealed bool
	if err := s.r.QueryRow(s.d.q("SELECT sealed IS NOT NULL FROM bids WHERE tender_id = ? AND id = ?"), tenderID, bidID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if sealed { // anyone can seal to the tender's public recipient
		reseal(t, s, tenderID, b)
	} else {
		tamperSQL(t, s, "UPDATE bids SET price_amount = '500.00' WHERE tender_id = ? AND id = ?", tenderID, bidID)
	}
	d, err := tender.BidDigest(b)
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := seal.ParseNonce(b.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	c := seal.Commit(nonce, tender.CommitmentContent(d, b.Footprint.Receipt.ResultDigest))
	tamperSQL(t, s, "UPDATE bids SET commitment = ? WHERE tender_id = ? AND id = ?", c, tenderID, bidID)
	if _, err := s.w.Exec(s.d.q("UPDATE events SET digests = replace(digests, ?, ?) WHERE tender_id = ?"), old.Commitment, c, tenderID); err != nil {
		t.Fatal(err)
	}
}

// sealStore gives s a fresh key and checkpoint file (outside the
// database), as serve does with its key file.
func sealStore(t *testing.T, s *sqlStore) (*seal.Keys, *seal.Checkpoint) {
	t.Helper()
	k, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := seal.OpenCheckpoint(filepath.Join(t.TempDir(), "footprint.checkpoint"), k.VerifyKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Close() })
	s.o = Options{Keys: k, Checkpoint: cp}
	return k, cp
}

// rehash recomputes the chain of a tender from seq on, as a database
// writer without the key can (the hash is unkeyed), and moves the head
// to the end, keeping whatever signatures the rows hold.
func rehash(t *testing.T, s *sqlStore, tenderID string, from int64) {
	t.Helper()
	ctx := context.Background()
	evs, err := s.listEvents(ctx, s.r, tenderID, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		e := &evs[i]
		if e.Seq > 1 {
			e.PrevHash = evs[i-1].Hash
		}
		if e.Seq < from {
			continue
		}
		e.Hash = e.ComputeHash()
		ds, _ := json.Marshal(e.Digests)
		tamperSQL(t, s, "UPDATE events SET digests = ?, prev_hash = ?, hash = ? WHERE tender_id = ? AND seq = ?", string(ds), e.PrevHash, e.Hash, tenderID, e.Seq)
	}
	last := evs[len(evs)-1]
	tamperSQL(t, s, "UPDATE tenders SET head_seq = ?, head_hash = ? WHERE id = ?", last.Seq, last.Hash, tenderID)
}

// moveHeadBack truncates a tender's chain after seq, as a database writer
// would: the head, its hash and its signature (each event keeps the
// signed head of its time) are set back to event seq's.
func moveHeadBack(t *testing.T, s *sqlStore, tenderID string, seq int64) {
	t.Helper()
	var hash, sig string
	if err := s.r.QueryRow(s.d.q("SELECT hash, sig FROM events WHERE tender_id = ? AND seq = ?"), tenderID, seq).Scan(&hash, &sig); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(s.d.q("DELETE FROM events WHERE tender_id = ? AND seq > ?"), tenderID, seq); err != nil {
		t.Fatal(err)
	}
	tamperSQL(t, s, "UPDATE tenders SET head_seq = ?, head_hash = ?, head_sig = ? WHERE id = ?", seq, hash, sig, tenderID)
}

// testSealedChain runs the insider attacks of issue 15 against a store
// with a key file and a checkpoint: each rewrite that verified before
// (an unkeyed chain recomputed, a truncated chain with its head moved
// back, a reversed opening, a deleted export event, a swapped token hash)
// is reported "not verified", naming the event and what changed.
func testSealedChain(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	sealStore(t, s)
	// Chain: 1 created, 2-4 bids A B C, 5 C withdrawn, 6 opened,
	// 7 evaluated, 8 exported.
	setup := func(t *testing.T, open bool) (tender.Tender, []tender.Bid) {
		td := mustCreate(t, s, "T-1")
		var bids []tender.Bid
		for i := 1; i <= 3; i++ {
			bids = append(bids, mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour)))
		}
		if err := s.WithdrawBid(ctx, td.ID, bids[2].ID, t0.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if open {
			if _, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AppendEvent(ctx, td.ID, tender.EventExported, "officer", tender.Digests{tender.DigestOCDS: digest}, deadline.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		r, err := s.Verify(ctx, td.ID)
		if err != nil || !r.Verified || r.Signatures != "verified" || (open && r.CheckpointSeq != 8) {
			t.Fatalf("Verify before tampering: %+v, %v", r, err)
		}
		return td, bids
	}
	cases := []struct {
		name    string
		open    bool
		tamper  func(t *testing.T, td tender.Tender, bids []tender.Bid)
		wantSeq int64
		want    string
		// then, if set, is a write that must now be refused.
		then func(td tender.Tender) error
	}{
		{"sealed price lowered, chain recomputed", false, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			lowerPrice(t, s, td.ID, bids[1].ID)
			rehash(t, s, td.ID, 3)
		}, 3, "its signed head names seq 3", func(td tender.Tender) error {
			_, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
			return err
		}},
		{"sealed price lowered, chain recomputed, signatures stripped", false, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			lowerPrice(t, s, td.ID, bids[1].ID)
			rehash(t, s, td.ID, 3)
			if _, err := s.w.Exec(s.d.q("UPDATE events SET sig = '' WHERE tender_id = ?"), td.ID); err != nil {
				t.Fatal(err)
			}
			tamperSQL(t, s, "UPDATE tenders SET head_sig = '' WHERE id = ?", td.ID)
		}, 3, "the checkpoint kept outside the database has hash", nil},
		{"newest bid removed, head moved back", false, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			// Undo the withdrawal (event 5) and remove bid C (event 4).
			if _, err := s.w.Exec(s.d.q("DELETE FROM bids WHERE tender_id = ? AND id = ?"), td.ID, bids[2].ID); err != nil {
				t.Fatal(err)
			}
			moveHeadBack(t, s, td.ID, 3)
		}, 4, "events were removed", func(td tender.Tender) error {
			_, _, err := s.SubmitBid(ctx, td.ID, newBid("Late", "900.00", "1", t0.Add(6*time.Hour)), tender.HashToken("x"), "", t0.Add(6*time.Hour))
			return err
		}},
		{"opening reversed", true, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			if _, err := s.w.Exec(s.d.q("DELETE FROM evaluations WHERE tender_id = ?"), td.ID); err != nil {
				t.Fatal(err)
			}
			tamperSQL(t, s, "UPDATE tenders SET status = 'open' WHERE id = ?", td.ID)
			moveHeadBack(t, s, td.ID, 5)
		}, 6, "events were removed", func(td tender.Tender) error {
			_, err := s.Open(ctx, td.ID, "officer", "", deadline.Add(time.Hour), evaluate)
			return err
		}},
		{"export event deleted", true, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			moveHeadBack(t, s, td.ID, 7)
		}, 8, "events were removed", func(td tender.Tender) error {
			_, err := s.AppendEvent(ctx, td.ID, tender.EventExported, "officer", tender.Digests{tender.DigestOCDS: digest}, deadline.Add(2*time.Minute))
			return err
		}},
		{"idempotency key moved to another bid", false, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE bids SET idempotency_key = ? WHERE tender_id = ? AND id = ?", HashIdempotencyKey("a-key-of-at-least-128-bits-xyz"), td.ID, bids[0].ID)
		}, 2, "idempotency key hash is not the one recorded", nil},
		{"token hash swapped", false, func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE bids SET token_hash = ? WHERE tender_id = ? AND id = ?", tender.HashToken("mallory"), td.ID, bids[0].ID)
		}, 2, "token hash is not the one recorded", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			td, bids := setup(t, c.open)
			c.tamper(t, td, bids)
			r, err := s.Verify(ctx, td.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verified || r.FirstBadSeq != c.wantSeq || !strings.Contains(r.Problem, c.want) {
				t.Errorf("Verify: verified %v, first bad %d, problem %q; want not verified at event %d, %q", r.Verified, r.FirstBadSeq, r.Problem, c.wantSeq, c.want)
			}
			if c.then != nil {
				if err := c.then(td); !errors.Is(err, ErrChainRolledBack) {
					t.Errorf("a write on the tampered chain: %v, want ErrChainRolledBack", err)
				}
			}
		})
	}
}

// reseal replaces bid b's sealed content by b's, sealed to its tender's
// recipient with a batch key of the writer's own, whose wrapped record it
// stores too: what a database writer without the key file can do.
func reseal(t *testing.T, s *sqlStore, tenderID string, b tender.Bid) {
	t.Helper()
	var recipient string
	if err := s.r.QueryRow(s.d.q("SELECT recipient FROM tenders WHERE id = ?"), tenderID).Scan(&recipient); err != nil {
		t.Fatal(err)
	}
	bk, wrapped, err := seal.NewBatchKey(recipient)
	if err != nil {
		t.Fatal(err)
	}
	tamperSQL(t, s, "INSERT INTO tender_keys (tender_id, holder, wrapped) VALUES (?, ?, ?)", tenderID, holderBatchPrefix+bk.ID(), wrapped)
	ct, err := sealBid(bk, tenderID, b, BidSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", ct.content, tenderID, b.ID)
}

func bidDigest(t *testing.T, b tender.Bid) string {
	t.Helper()
	d, err := tender.BidDigest(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testBidHeads: BidHeads lists every bid with its bidder, price and times
// as Bids does, without its lines or limit results.
func testBidHeads(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	for i := 1; i <= 3; i++ {
		mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour))
	}
	full, err := s.Bids(ctx, td.ID)
	if err != nil {
		t.Fatal(err)
	}
	heads, err := s.BidHeads(ctx, td.ID)
	if err != nil || len(heads) != len(full) {
		t.Fatalf("BidHeads: %d, %v; want %d", len(heads), err, len(full))
	}
	for i, h := range heads {
		f := full[i]
		if h.ID != f.ID || h.Supplier != f.Supplier || !h.Price.Amount.Equal(f.Price.Amount) || !h.ReceivedAt.Equal(f.ReceivedAt) || !h.Footprint.KgCO2e.Equal(f.Footprint.KgCO2e) {
			t.Errorf("head %d: %+v, want the bid's %+v", i, h, f)
		}
		if h.Lines != nil || h.Footprint.Limits != nil || len(f.Lines) == 0 {
			t.Errorf("head %d carries %d lines and %d limits", i, len(h.Lines), len(h.Footprint.Limits))
		}
	}
	if _, err := s.BidHeads(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown tender: %v", err)
	}
}

// testReplacedBeforeOpening: a database writer seals other content in a
// bid's place before the deadline (no secret needed, but not the bid's
// nonce, which is inside its ciphertext): the opening refuses to rank it
// (ErrBidReplaced), nothing is opened, and verify names the bid's event.
func testReplacedBeforeOpening(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	sealStore(t, s)
	td := mustCreate(t, s, "T-R")
	var bids []tender.Bid
	for i := 1; i <= 2; i++ {
		bids = append(bids, mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour)))
	}
	forged := bids[1]
	forged.Price.Amount = dec("1.00")
	nonce, err := seal.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	forged.Nonce = hex.EncodeToString(nonce[:])
	reseal(t, s, td.ID, forged)
	if _, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate); !errors.Is(err, ErrBidReplaced) {
		t.Fatalf("opening with a replaced bid: %v, want ErrBidReplaced", err)
	}
	cur, err := s.Tender(ctx, td.ID)
	if err != nil || cur.Status == tender.StatusOpened {
		t.Fatalf("the tender was opened: %v %v", cur.Status, err)
	}
	r, err := s.Verify(ctx, td.ID)
	if err != nil || r.Verified || r.FirstBadSeq != 3 || !strings.Contains(r.Problem, "does not open the commitment") {
		t.Fatalf("verify: %+v, %v", r, err)
	}
}
