package tender

import (
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// Rule is a tender's award rule.
type Rule string

// Award rules; see the package doc for their formulas.
const (
	PriceOnly   Rule = "price_only"
	CarbonPrice Rule = "carbon_price"
	Ladder      Rule = "ladder"
)

// LimitsRule says what a failed procurement limit does to a bid.
type LimitsRule string

// Limits rules.
const (
	// LimitsExclude ranks a bid failing any limit out, with the failing
	// limits as its reason.
	LimitsExclude LimitsRule = "exclude"
	// LimitsReport shows failed limits but ranks the bid.
	LimitsReport LimitsRule = "report"
)

// Status is a tender's state. The stored status records what officers did
// (open, opened, cancelled); closed is never stored but derived from the
// deadline by State, so that no job has to flip it at the right moment.
type Status string

// Tender states.
const (
	StatusOpen      Status = "open"
	StatusClosed    Status = "closed"
	StatusOpened    Status = "opened"
	StatusCancelled Status = "cancelled"
)

// MethodPin is the method version a tender is bound to, resolved when the
// tender is created: every bid is computed under it, and the digest proves
// the method file did not change in between.
type MethodPin struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// Pin returns the pin of a resolved method.
func Pin(m *methods.Method) MethodPin {
	return MethodPin{ID: m.ID, Version: m.Version, Digest: m.Digest}
}

// Ref is "id@version".
func (p MethodPin) Ref() string { return p.ID + "@" + p.Version }

// Award is how a tender ranks its bids, declared up front.
type Award struct {
	Rule Rule `json:"rule"`
	// CarbonPricePerT is W, in the tender's currency per tonne CO2e; set
	// exactly when Rule is carbon_price. A pointer, because 0 is a valid
	// declared price and differs from none.
	CarbonPricePerT *decimal.Decimal `json:"carbon_price_per_t,omitempty"`
	// LadderDiscounts maps a certification level to its fictitious discount,
	// a fraction in [0, 1); set exactly when Rule is ladder.
	LadderDiscounts map[string]decimal.Decimal `json:"ladder_discounts,omitempty"`
	Limits          LimitsRule                 `json:"limits"`
}

// Tender is an officer's call for bids.
type Tender struct {
	// ID is the store's identifier; empty until stored.
	ID        string `json:"id,omitempty"`
	Reference string `json:"reference"`
	Title     string `json:"title"`
	Buyer     string `json:"buyer"`
	// Currency is an ISO 4217 code (e.g. EUR); every price is in it.
	Currency string `json:"currency"`
	// Deadline: bids are accepted while now is before it.
	Deadline time.Time `json:"deadline"`
	Method   MethodPin `json:"method"`
	Award    Award     `json:"award"`
	// Status is the stored status (open, opened or cancelled); use State
	// for the state at a given time.
	Status  Status    `json:"status"`
	Created time.Time `json:"created"`
	// MaxBids is the most bids the tender takes (withdrawn ones count:
	// they are kept), declared at creation; 0, in tenders made before it
	// could be declared, means DefaultMaxBids. Left out of the JSON (and
	// so of TenderDigest) when 0, so that those tenders still verify.
	MaxBids int `json:"max_bids,omitempty"`
	// Notice is what procurement notices (eForms, OCDS) need beyond the
	// tender's rules; nil when none was given (and then left out of the
	// JSON and of TenderDigest, so that older tenders still verify).
	Notice *Notice `json:"notice,omitempty"`
	// Committee is who approves the opening (Committee); nil for a tender
	// stored before committees (left out of the JSON and of TenderDigest,
	// so that those tenders still verify).
	Committee *Committee `json:"committee,omitempty"`
	// Custody is who can open the sealed bids (Custody), set by the store
	// when the tender is created; nil for a tender stored before
	// committee custody (left out of the JSON and of TenderDigest, so that
	// those tenders still verify).
	Custody *Custody `json:"custody,omitempty"`
	// Uncertainty is the tender's declared uncertainty report (how many
	// draws, the too-close-to-call threshold), fixed at creation; nil when
	// none was declared (and then left out of the JSON and of
	// TenderDigest, so that older tenders still verify).
	Uncertainty *UncertaintySetting `json:"uncertainty,omitempty"`
}

// Bounds of Tender.MaxBids.
const (
	// DefaultMaxBids is the cap of a tender that declares none.
	DefaultMaxBids = 10000
	// MaxMaxBids is the largest cap a tender may declare.
	MaxMaxBids = 100000
)

// BidCap is the most bids t takes: its MaxBids, or DefaultMaxBids.
func (t Tender) BidCap() int {
	if t.MaxBids > 0 {
		return t.MaxBids
	}
	return DefaultMaxBids
}

// Price is a bid's price. Amount is exact, positive and has at most two
// decimal places, so that what is reported is what was offered.
type Price struct {
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

// Bid is a supplier's offer on a tender.
type Bid struct {
	// ID is the store's identifier, unique within the tender.
	ID       string `json:"id,omitempty"`
	Supplier string `json:"supplier"`
	Price    Price  `json:"price"`
	// LadderLevel is the supplier's declared certification level, one of
	// the tender's ladder levels; only under the ladder rule, and optional.
	LadderLevel string      `json:"ladder_level,omitempty"`
	Lines       []calc.Line `json:"lines"`
	// ReceivedAt is the receipt time; it breaks ties between equal
	// notional prices. Keep it at Stamp resolution.
	ReceivedAt time.Time `json:"received_at"`
	// WithdrawnAt is set when the supplier withdrew the bid; a withdrawn
	// bid is kept (and audited) but never ranked.
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	// Footprint is the bid's footprint, computed at submission under the
	// tender's pinned method.
	Footprint Summary `json:"footprint"`
	// SignedHead is the audit chain's head just after the bid's receipt,
	// signed with the key file's key (seal.SignedHead text): the supplier's
	// receipt carries it, so that footprint tenders verify --receipt can
	// show the bid is still in the chain at its place. Set by the store on
	// a new submission when the chain is signed; not part of the bid's
	// content (nor of its digest).
	SignedHead string `json:"-"`
	// Commitment is the bid's salted commitment (DigestCommitment) and
	// Nonce its secret nonce (hex), kept sealed until opening, then
	// revealed in the evaluation. Empty for bids received before
	// commitments. Not part of the bid's content (nor of its digest).
	Commitment string `json:"-"`
	Nonce      string `json:"-"`
}

// Summary is what a tender keeps of a bid's footprint: the exact total, the
// procurement limit results and the receipt's digests.
type Summary struct {
	// KgCO2e is the exact (unrounded) total.
	KgCO2e  decimal.Decimal `json:"kg_co2e"`
	Limits  []LimitResult   `json:"limits"`
	Receipt calc.Receipt    `json:"receipt"`
}

// LimitResult is one procurement limit checked on one line.
type LimitResult struct {
	ID     string          `json:"id"`
	LineID string          `json:"line_id"`
	Limit  decimal.Decimal `json:"limit"`
	Value  decimal.Decimal `json:"value"`
	Unit   string          `json:"unit"`
	Pass   bool            `json:"pass"`
}

// Summarize keeps of a computed footprint what a tender needs, with the
// receipt's result digest filled in (the digest of the report the supplier
// receives).
func Summarize(fp *calc.Footprint) (Summary, error) {
	s := Summary{KgCO2e: fp.Total.KgCO2e, Receipt: fp.Receipt, Limits: make([]LimitResult, 0, len(fp.Limits))}
	if s.Receipt.ResultDigest == "" {
		d, err := fp.ResultDigest()
		if err != nil {
			return Summary{}, err
		}
		s.Receipt.ResultDigest = d
	}
	for _, l := range fp.Limits {
		s.Limits = append(s.Limits, LimitResult{ID: l.ID, LineID: l.LineID, Limit: l.Limit, Value: l.Value, Unit: l.Unit, Pass: l.Pass})
	}
	return s, nil
}

// Stamp is the resolution at which times are kept: UTC, whole
// microseconds, which is what PostgreSQL's timestamptz holds. A time
// stamped before it is hashed or compared survives a round trip through
// either store unchanged, so hashes and tie-breaks do not move.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Statement states the award rule in words with its declared values (W in
// currency per tonne, the ladder's discounts) and the limits rule and the
// tie-break, as docs/tenders.md defines them: the one text the exports
// (eForms BT-543, OCDS awardCriteriaDetails) publish.
func (a Award) Statement(currency string) string {
	s := ""
	switch a.Rule {
	case PriceOnly:
		s = "Lowest price wins (price_only): score = price."
	case CarbonPrice:
		w := ""
		if a.CarbonPricePerT != nil {
			w = a.CarbonPricePerT.String()
		}
		s = "Lowest notional price wins (carbon_price): notional price = price + W × t CO2e, where W = " + w + " " + currency +
			" per tonne CO2e and t CO2e is the bid's footprint in tonnes CO2e."
	case Ladder:
		levels := make([]string, 0, len(a.LadderDiscounts))
		for l := range a.LadderDiscounts {
			levels = append(levels, l)
		}
		sort.Strings(levels)
		for i, l := range levels {
			levels[i] = "level " + l + ": " + a.LadderDiscounts[l].String()
		}
		s = "Lowest notional price wins (ladder): notional price = price × (1 − d), where d is the discount of the certification level the bid declares (" +
			strings.Join(levels, "; ") + "); no declared level, no discount."
	}
	if a.Limits == LimitsExclude {
		s += " A bid failing a procurement limit of the method is excluded."
	}
	return s + " Ties go to the earlier receipt."
}
