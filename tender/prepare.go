package tender

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// ErrMethodChanged marks a pinned method whose file no longer has the
// pinned digest: the tender cannot take bids under a different method.
var ErrMethodChanged = errors.New("the pinned method changed")

// PrepareBid is what the REST service and the web pages do with a bid
// before storing it: check it against the tender, compute its footprint
// under the tender's pinned method m (which must still have the pinned
// digest), and keep the summary. The receipt time is now, at Stamp
// resolution. A bid with a line the method cannot compute is invalid: the
// returned error is the engine's *calc.BidError, every problem by pointer.
// Deadline and state are checked by the store, in the transaction that
// writes the bid.
func PrepareBid(t Tender, m *methods.Method, eng *calc.Engine, b Bid, now time.Time) (Bid, *calc.Footprint, error) {
	if m == nil || m.ID != t.Method.ID || m.Version != t.Method.Version || m.Digest != t.Method.Digest {
		return Bid{}, nil, fmt.Errorf("%w: tender %s is pinned to %s with digest %.12s…", ErrMethodChanged, t.ID, t.Method.Ref(), t.Method.Digest)
	}
	if err := ValidateBid(t, b); err != nil {
		return Bid{}, nil, err
	}
	fp, err := eng.Calculate(m, footprintInput(t, m, &b, now))
	if err != nil {
		return Bid{}, fp, err
	}
	s, err := Summarize(fp)
	if err != nil {
		return Bid{}, fp, err
	}
	b.Footprint = s
	b.ReceivedAt = Stamp(now)
	b.WithdrawnAt = nil
	return b, fp, nil
}

// footprintInput is the engine's input for bid b of tender t under m,
// received at receivedAt: an EPD is judged on the day of receipt and must
// hold through the tender's deadline (a warning when it expires before).
// The opening recomputes a bid's footprint from it (EvalOptions).
func footprintInput(t Tender, m *methods.Method, b *Bid, receivedAt time.Time) calc.Bid {
	cb := calc.Bid{Method: m.Ref(), Reference: t.Reference, Supplier: b.Supplier, Lines: b.Lines}
	if cb.HasEPD() {
		cb.Date = Stamp(receivedAt).Format(calc.DateLayout)
		cb.ValidThrough = t.Deadline.UTC().Format(calc.DateLayout)
	}
	return cb
}

// BidDigest is the SHA-256 (hex) of a bid's canonical JSON: supplier,
// price, ladder level, lines, receipt time and footprint (the ID and the
// withdrawal are left out: they are the store's). The audit trail's
// bid_received event carries it, so a bid edited in storage no longer
// matches its event.
func BidDigest(b Bid) (string, error) {
	c := b
	c.ID, c.WithdrawnAt = "", nil
	c.ReceivedAt = Stamp(c.ReceivedAt)
	raw, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// BidDigestWithLines is BidDigest(b) with the lines' JSON given as
// lines (json.Marshal(b.Lines)'s bytes; b.Lines is not read): whoever
// holds those bytes (an opening, from a bid's sealed content) neither
// encodes the lines again nor has encoding/json re-read them. The JSON is
// written field by field into the hash, in the order of bidDigestFields;
// TestBidDigestWithLines holds it to BidDigest.
func BidDigestWithLines(b Bid, lines json.RawMessage) (string, error) {
	h := sha256.New()
	field := func(name string, v any) error {
		io.WriteString(h, name)
		raw, err := json.Marshal(v)
		h.Write(raw)
		return err
	}
	if err := field(`{"supplier":`, b.Supplier); err != nil {
		return "", err
	}
	if err := field(`,"price":`, b.Price); err != nil {
		return "", err
	}
	if b.LadderLevel != "" {
		if err := field(`,"ladder_level":`, b.LadderLevel); err != nil {
			return "", err
		}
	}
	io.WriteString(h, `,"lines":`)
	if lines == nil {
		lines = json.RawMessage("null")
	}
	h.Write(lines)
	if err := field(`,"received_at":`, Stamp(b.ReceivedAt)); err != nil {
		return "", err
	}
	if err := field(`,"footprint":`, b.Footprint); err != nil {
		return "", err
	}
	io.WriteString(h, "}")
	return hex.EncodeToString(h.Sum(nil)), nil
}

// bidDigestFields are the JSON fields of a Bid that BidDigest hashes, in
// Bid's order (the id and the withdrawal are the store's):
// BidDigestWithLines writes these.
const bidDigestFields = "supplier price ladder_level lines received_at footprint"

// TenderDigest is the SHA-256 (hex) of a tender's canonical JSON, without
// its stored status (which changes when it is opened or cancelled). The
// created event carries it.
func TenderDigest(t Tender) (string, error) {
	c := t
	c.Status = ""
	c.Deadline, c.Created = Stamp(c.Deadline), Stamp(c.Created)
	raw, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}
