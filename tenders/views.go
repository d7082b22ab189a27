package tenders

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// The views the use cases return: domain values as every edge shows them
// (their JSON is the REST API's answer, and what the command line prints).
// Sealing: no view of a tender before its opening carries a bid's price,
// lines, supplier or footprint, except BidView to the holder of its token.

// TenderView is a tender as answered: its stored fields, with status the
// state at the time of the answer (closed once the deadline has passed).
type TenderView struct {
	tender.Tender
}

// ViewTender is tender t as answered at now.
func ViewTender(t tender.Tender, now time.Time) TenderView {
	t.Status = tender.State(t, now)
	return TenderView{t}
}

// ApprovalView is the answer to an approval of a tender's opening: who
// approved (Approver), everyone who has so far (Approvers, in order), how
// many the committee needs (K) and how many more (Remaining); Repeated
// when Approver had approved before (nothing was recorded); Opened when
// the tender is opened, with its Evaluation when this approval opened it.
type ApprovalView struct {
	TenderID   string             `json:"tender_id"`
	Approver   string             `json:"approver"`
	Approvers  []string           `json:"approvers"`
	K          int                `json:"k"`
	Remaining  int                `json:"remaining"`
	Repeated   bool               `json:"repeated"`
	Opened     bool               `json:"opened"`
	Evaluation *tender.Evaluation `json:"evaluation,omitempty"`
}

// ViewApproval is approval a of tender tenderID by approver as answered.
func ViewApproval(tenderID, approver string, a Approval) ApprovalView {
	v := ApprovalView{TenderID: tenderID, Approver: approver, Approvers: a.Approvers, K: a.K, Repeated: a.Repeated, Evaluation: a.Evaluation}
	if v.Approvers == nil {
		v.Approvers = []string{}
	}
	v.Remaining = max(0, a.K-len(a.Approvers))
	v.Opened = v.Remaining == 0
	return v
}

// BidDigests are the digests of a bid: its canonical JSON (tender.BidDigest,
// the one the audit trail carries) and its footprint report's result digest.
type BidDigests struct {
	Bid    string `json:"bid"`
	Result string `json:"result"`
}

func digestsOf(b tender.Bid) (BidDigests, error) {
	d, err := tender.BidDigest(b)
	return BidDigests{Bid: d, Result: b.Footprint.Receipt.ResultDigest}, err
}

// BidView is a bid as its token's holder (or an officer after opening)
// reads it: the stored bid with its amounts reported as the evaluation
// reports them, the price with MoneyRounding's places and the footprint's
// kg CO2e (total and limit values) rounded by the pinned method's rule,
// with its places ("26557.250"); Rounding states both rules.
type BidView struct {
	TenderID    string                `json:"tender_id"`
	ID          string                `json:"id"`
	Supplier    string                `json:"supplier"`
	Price       tender.ReportedPrice  `json:"price"`
	LadderLevel string                `json:"ladder_level,omitempty"`
	Lines       []calc.Line           `json:"lines"`
	ReceivedAt  time.Time             `json:"received_at"`
	WithdrawnAt *time.Time            `json:"withdrawn_at,omitempty"`
	Footprint   BidFootprint          `json:"footprint"`
	Rounding    tender.ReportRounding `json:"rounding"`
	Digests     BidDigests            `json:"digests"`
}

// BidFootprint is a bid's footprint as reported: the total and each
// limit's value rounded by the method's rule, the declared limit as
// declared, and the receipt with its digests.
type BidFootprint struct {
	KgCO2e  tender.Fixed `json:"kg_co2e"`
	Limits  []BidLimit   `json:"limits"`
	Receipt calc.Receipt `json:"receipt"`
}

// BidLimit is one procurement limit checked on one line of a bid.
type BidLimit struct {
	ID     string          `json:"id"`
	LineID string          `json:"line_id"`
	Limit  decimal.Decimal `json:"limit"`
	Value  tender.Fixed    `json:"value"`
	Unit   string          `json:"unit"`
	Pass   bool            `json:"pass"`
}

// ViewBid is bid b of tender tenderID as its reader sees it, kg CO2e
// rounded by kg (the pinned method's rule).
func ViewBid(tenderID string, b tender.Bid, kg methods.Rounding) (BidView, error) {
	dg, err := digestsOf(b)
	if err != nil {
		return BidView{}, err
	}
	v := BidView{TenderID: tenderID, ID: b.ID, Supplier: b.Supplier, Price: tender.ReportPrice(b.Price), LadderLevel: b.LadderLevel,
		Lines: b.Lines, ReceivedAt: b.ReceivedAt.UTC(), WithdrawnAt: b.WithdrawnAt,
		Footprint: BidFootprint{KgCO2e: tender.NewFixed(b.Footprint.KgCO2e, kg), Limits: make([]BidLimit, len(b.Footprint.Limits)), Receipt: b.Footprint.Receipt},
		Rounding:  tender.ReportRounding{Money: tender.MoneyRounding, KgCO2e: kg}, Digests: dg}
	for i, l := range b.Footprint.Limits {
		v.Footprint.Limits[i] = BidLimit{ID: l.ID, LineID: l.LineID, Limit: l.Limit, Value: tender.NewFixed(l.Value, kg), Unit: l.Unit, Pass: l.Pass}
	}
	return v, nil
}

// SealedBid is what an officer sees of a bid before opening (and in the
// list after it): no price, lines, supplier or footprint.
type SealedBid struct {
	BidID      string    `json:"bid_id"`
	ReceivedAt time.Time `json:"received_at"`
	Withdrawn  bool      `json:"withdrawn"`
	// Commitment is the bid's salted commitment: all that is shown of its
	// content, which no brute force over plausible bids can match (its
	// nonce is revealed at opening, in the evaluation).
	Commitment string `json:"commitment,omitempty"`
	// Digests are shown only for a bid received before commitments (its
	// audit trail has carried them since).
	Digests *BidDigests `json:"digests,omitempty"`
	// WithdrawnAt is when a withdrawn bid was withdrawn (the pages show
	// it); not in the JSON.
	WithdrawnAt *time.Time `json:"-"`
}

// SealedBids is what an officer may see of a tender's bids at any time.
type SealedBids struct {
	TenderID string      `json:"tender_id"`
	Status   string      `json:"status"`
	Count    int         `json:"count"`
	Active   int         `json:"active"`
	Bids     []SealedBid `json:"bids"`
}

// Seal is what an officer may see of tender t's bids at now, before and
// after opening: ids, receipt times, withdrawals and commitments, never a
// price, line, supplier or footprint. It is built from the bids'
// summaries (store.BidSummaries), which hold nothing else.
func Seal(t tender.Tender, bids []store.BidSummary, now time.Time) SealedBids {
	out := SealedBids{TenderID: t.ID, Status: string(tender.State(t, now)), Count: len(bids), Bids: make([]SealedBid, len(bids))}
	for i, b := range bids {
		out.Bids[i] = SealedBid{BidID: b.ID, ReceivedAt: b.ReceivedAt.UTC(), Withdrawn: b.WithdrawnAt != nil,
			Commitment: b.Commitment, WithdrawnAt: b.WithdrawnAt}
		if b.Commitment == "" {
			out.Bids[i].Digests = &BidDigests{Bid: b.BidDigest, Result: b.ResultDigest}
		}
		if b.WithdrawnAt == nil {
			out.Active++
		}
	}
	return out
}
