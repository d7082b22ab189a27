package tenders

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// MaxReceiptBytes bounds a receipt file read by CheckReceipt.
const MaxReceiptBytes = 64 << 10

// ErrReceipt marks a supplier's receipt that the tender's chain no longer
// bears out (or that cannot be read).
var ErrReceipt = errors.New("receipt not borne out by the audit chain")

// Receipt is what CheckReceipt reads of a supplier's receipt: the answer
// of POST /v1/tenders/{id}/bids as it was saved.
type Receipt struct {
	TenderID   string     `json:"tender_id"`
	BidID      string     `json:"bid_id"`
	Digests    BidDigests `json:"digests"`
	Commitment string     `json:"commitment"`
	SignedHead string     `json:"signed_head"`
}

// CheckReceipt checks a receipt against a tender's verified chain: its
// signed head verifies with keys (the key file's public keys, which the
// database does not hold), names this tender, and the chain still has, at
// that seq, the very event it signed, the bid's receipt with the bid's
// digest. So a bid removed or replaced after its receipt shows, even where
// the database and the checkpoint were both rewritten, as long as the
// supplier kept the receipt. It returns the event's seq.
func CheckReceipt(tenderID string, res store.VerifyResult, raw []byte, keys []ed25519.PublicKey) (int64, error) {
	if len(raw) > MaxReceiptBytes {
		return 0, fmt.Errorf("%w: the receipt is over %d bytes", ErrReceipt, MaxReceiptBytes)
	}
	var r Receipt
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, fmt.Errorf("%w: not a receipt (the JSON answer of the bid's submission): %v", ErrReceipt, err)
	}
	if r.TenderID != tenderID {
		return 0, fmt.Errorf("%w: the receipt is for tender %q, not %q", ErrReceipt, clip.Prefix(r.TenderID), clip.Prefix(tenderID))
	}
	if r.SignedHead == "" {
		return 0, fmt.Errorf("%w: bid %s's receipt has no signed_head (a receipt of a server without a key file, or of a replay)", ErrReceipt, clip.Prefix(r.BidID))
	}
	sh, err := seal.ParseSignedHead(r.SignedHead)
	if err == nil {
		err = seal.VerifyHead(sh, keys)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: bid %s's signed head: %v", ErrReceipt, clip.Prefix(r.BidID), err)
	}
	if sh.TenderID != tenderID {
		return 0, fmt.Errorf("%w: bid %s's signed head is of tender %q", ErrReceipt, clip.Prefix(r.BidID), clip.Prefix(sh.TenderID))
	}
	var e *tender.Event
	if sh.Seq >= 1 && sh.Seq <= int64(len(res.Events)) && res.Events[sh.Seq-1].Seq == sh.Seq {
		e = &res.Events[sh.Seq-1]
	}
	switch {
	case e == nil:
		return sh.Seq, fmt.Errorf("%w: bid %s was received at event %d, but the chain ends at event %d (events were removed)", ErrReceipt, clip.Prefix(r.BidID), sh.Seq, len(res.Events))
	case e.Hash != sh.Hash:
		return sh.Seq, fmt.Errorf("%w: event %d has hash %s… in the chain, %s… in bid %s's signed receipt (the chain was rewritten)", ErrReceipt, sh.Seq, clip.Prefix(e.Hash), clip.Prefix(sh.Hash), clip.Prefix(r.BidID))
	case e.Kind != tender.EventBidReceived || !receiptNames(e, r):
		return sh.Seq, fmt.Errorf("%w: event %d is not bid %s's receipt with the commitment (or digest) of its receipt", ErrReceipt, sh.Seq, clip.Prefix(r.BidID))
	}
	return sh.Seq, nil
}

// receiptNames reports whether receipt event e is the one receipt r names:
// by the bid's commitment, or, for a bid received before commitments, by
// its digest.
func receiptNames(e *tender.Event, r Receipt) bool {
	if c, ok := e.Digests[tender.DigestCommitment]; ok {
		return r.Commitment != "" && c == r.Commitment
	}
	return r.Digests.Bid != "" && e.Digests[tender.DigestBid] == r.Digests.Bid
}
