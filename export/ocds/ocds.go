// Package ocds publishes a tender as an Open Contracting Data Standard
// (OCDS 1.1) release package (docs/tenders.md "OCDS" documents the
// mapping): one release, the tender; after the opening also the bids
// extension's bids.details and the award of the first-ranked bid (status
// pending: the ranking is the evaluation, not the decision). Amounts are
// OCDS numbers written from the exact decimals.
//
// Build makes the package from a tender, its evaluation and its bids;
// Package.Encode gives its bytes and their SHA-256. The package knows no
// storage and no HTTP: package tenders reads what it needs and records
// the export in the audit trail.
package ocds

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

// OCIDPrefix is the prefix of the ocid of every release: a placeholder
// that a publisher replaces with its prefix registered with the Open
// Contracting Partnership.
const OCIDPrefix = "ocds-fprint-"

// Version is the OCDS version of the package.
const Version = "1.1"

// BidsExtension is the OCDS bids extension the package declares.
const BidsExtension = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"

// number is an exact decimal written as a JSON number (OCDS amounts
// are numbers), from its text, never through float64.
type number struct{ d decimal.Decimal }

// MarshalJSON writes the decimal's text as a JSON number.
func (n number) MarshalJSON() ([]byte, error) { return []byte(n.d.String()), nil }

// Package is an OCDS release package.
type Package struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	Extensions    []string  `json:"extensions"`
	PublishedDate time.Time `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Releases      []Release `json:"releases"`
}

// Publisher names the publisher of the package.
type Publisher struct {
	Name string `json:"name"`
}

// Release is one release of a contracting process.
type Release struct {
	OCID           string    `json:"ocid"`
	ID             string    `json:"id"`
	Date           time.Time `json:"date"`
	Tag            []string  `json:"tag"`
	InitiationType string    `json:"initiationType"`
	Language       string    `json:"language"`
	Parties        []Party   `json:"parties"`
	Buyer          OrgRef    `json:"buyer"`
	Tender         Tender    `json:"tender"`
	Bids           *Bids     `json:"bids,omitempty"`
	Awards         []Award   `json:"awards,omitempty"`
}

// Party is an organisation of the process.
type Party struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// OrgRef refers to a party.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Period is a period.
type Period struct {
	StartDate time.Time `json:"startDate"`
	EndDate   time.Time `json:"endDate"`
}

// Value is an amount of money.
type Value struct {
	Amount   number `json:"amount"`
	Currency string `json:"currency"`
}

// Tender is the release's tender section.
type Tender struct {
	ID                   string   `json:"id"`
	Title                string   `json:"title"`
	Status               string   `json:"status"`
	ProcurementMethod    string   `json:"procurementMethod"`
	AwardCriteria        string   `json:"awardCriteria"`
	AwardCriteriaDetails string   `json:"awardCriteriaDetails"`
	SubmissionMethod     []string `json:"submissionMethod"`
	TenderPeriod         Period   `json:"tenderPeriod"`
	NumberOfTenderers    *int     `json:"numberOfTenderers,omitempty"`
	Tenderers            []OrgRef `json:"tenderers,omitempty"`
}

// Bids is the bids extension's section.
type Bids struct {
	Statistics []Statistic `json:"statistics"`
	Details    []Bid       `json:"details"`
}

// Statistic is one bids statistic.
type Statistic struct {
	ID      string `json:"id"`
	Measure string `json:"measure"`
	Value   int    `json:"value"`
}

// Bid is one bid of bids.details. Footprint is this project's own
// field (an OCDS extension field, not in the bids extension).
type Bid struct {
	ID        string    `json:"id"`
	Date      time.Time `json:"date"`
	Status    string    `json:"status"`
	Tenderers []OrgRef  `json:"tenderers"`
	Value     Value     `json:"value"`
	Footprint *BidScore `json:"footprint,omitempty"`
}

// BidScore is a bid's result in the evaluation.
type BidScore struct {
	KgCO2e        string   `json:"kg_co2e"`
	NotionalPrice string   `json:"notional_price"`
	Rank          *int     `json:"rank"`
	Excluded      bool     `json:"excluded"`
	Reason        string   `json:"reason,omitempty"`
	Method        string   `json:"method"`
	Evaluation    string   `json:"evaluation_digest"`
	FailedLimits  []string `json:"failed_limits"`
}

// Award is the award of the first-ranked bid.
type Award struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Status      string    `json:"status"`
	Date        time.Time `json:"date"`
	Value       Value     `json:"value"`
	Suppliers   []OrgRef  `json:"suppliers"`
	RelatedBids []string  `json:"relatedBids"`
}

// Build builds the package of tender t published at now under uri; ev
// and bids are nil before the opening (the bids are sealed: only the
// tender is published).
func Build(t tender.Tender, ev *tender.Evaluation, bids []tender.Bid, now time.Time, uri string) Package {
	buyer := OrgRef{ID: "buyer", Name: t.Buyer}
	rel := Release{
		OCID: OCIDPrefix + t.ID, ID: t.ID + "-tender", Date: now, Tag: []string{"tender"},
		InitiationType: "tender", Language: "en",
		Parties: []Party{{ID: buyer.ID, Name: buyer.Name, Roles: []string{"buyer", "procuringEntity"}}},
		Buyer:   buyer,
		Tender: Tender{ID: t.ID, Title: t.Title, Status: tenderStatus(t, now), ProcurementMethod: "open",
			AwardCriteria: "priceOnly", AwardCriteriaDetails: awardDetails(t.Award), SubmissionMethod: []string{"electronicSubmission"},
			TenderPeriod: Period{StartDate: t.Created.UTC(), EndDate: t.Deadline.UTC()}},
	}
	if t.Award.Rule != tender.PriceOnly {
		rel.Tender.AwardCriteria = "costOnly"
	}
	if ev != nil {
		rel.ID, rel.Date, rel.Tag = t.ID+"-award", now, []string{"tender", "award"}
		scores := make(map[string]tender.Ranked, len(ev.Ranking))
		for _, rk := range ev.Ranking {
			scores[rk.BidID] = rk
		}
		rel.Bids = &Bids{Details: make([]Bid, 0, len(bids))}
		valid := 0
		for _, b := range bids {
			org := OrgRef{ID: "tenderer-" + b.ID, Name: b.Supplier}
			ob := Bid{ID: b.ID, Date: b.ReceivedAt.UTC(), Status: "valid", Tenderers: []OrgRef{org},
				Value: Value{Amount: number{b.Price.Amount}, Currency: b.Price.Currency}}
			switch rk, ok := scores[b.ID]; {
			case b.WithdrawnAt != nil:
				ob.Status = "withdrawn"
			case ok:
				if rk.Excluded {
					ob.Status = "disqualified"
				} else {
					valid++
				}
				ob.Footprint = &BidScore{KgCO2e: rk.KgCO2e.String(), NotionalPrice: rk.NotionalPrice.String(), Rank: rk.Rank,
					Excluded: rk.Excluded, Reason: rk.Reason, Method: ev.Method.Ref(), Evaluation: ev.Digest, FailedLimits: rk.FailedLimits}
			}
			if ob.Status != "withdrawn" {
				rel.Parties = append(rel.Parties, Party{ID: org.ID, Name: org.Name, Roles: []string{"tenderer"}})
				rel.Tender.Tenderers = append(rel.Tender.Tenderers, org)
			}
			rel.Bids.Details = append(rel.Bids.Details, ob)
		}
		n := len(rel.Tender.Tenderers)
		rel.Tender.NumberOfTenderers = &n
		rel.Bids.Statistics = []Statistic{{ID: "1", Measure: "bids", Value: n}, {ID: "2", Measure: "validBids", Value: valid}}
		for _, rk := range ev.Ranking {
			if rk.Rank == nil || *rk.Rank != 1 {
				continue
			}
			org := OrgRef{ID: "tenderer-" + rk.BidID, Name: rk.Supplier}
			for i := range rel.Parties {
				if rel.Parties[i].ID == org.ID {
					rel.Parties[i].Roles = append(rel.Parties[i].Roles, "supplier")
				}
			}
			rel.Awards = []Award{{ID: t.ID + "-award-1", Title: "First-ranked bid of " + t.Reference, Status: "pending", Date: now,
				Value: Value{Amount: number{rk.Price.Amount.Decimal()}, Currency: rk.Price.Currency}, Suppliers: []OrgRef{org}, RelatedBids: []string{rk.BidID}}}
		}
	}
	return Package{URI: uri, Version: Version, Extensions: []string{BidsExtension}, PublishedDate: now,
		Publisher: Publisher{Name: t.Buyer}, Releases: []Release{rel}}
}

// tenderStatus maps a tender's state to the OCDS tenderStatus codelist.
func tenderStatus(t tender.Tender, now time.Time) string {
	switch tender.State(t, now) {
	case tender.StatusOpen:
		return "active"
	case tender.StatusCancelled:
		return "cancelled"
	}
	return "complete"
}

// awardDetails states the award rule in words, with its declared values.
func awardDetails(a tender.Award) string {
	s := ""
	switch a.Rule {
	case tender.PriceOnly:
		s = "Lowest price wins (price_only)."
	case tender.CarbonPrice:
		w := ""
		if a.CarbonPricePerT != nil {
			w = a.CarbonPricePerT.String()
		}
		s = "Lowest notional price wins: price + " + w + " per tonne CO2e of the bid's footprint (carbon_price)."
	case tender.Ladder:
		s = "Lowest notional price wins: price × (1 − the declared level's discount) (ladder)."
	}
	if a.Limits == tender.LimitsExclude {
		s += " A bid failing a procurement limit of the method is excluded."
	}
	return s + " Ties go to the earlier receipt."
}

// Encode returns the package as it is published: compact JSON and a
// newline, and the SHA-256 (hex) of the JSON without the newline, the
// digest the exported event records.
func (p Package) Encode() (body []byte, digest string, err error) {
	if body, err = json.Marshal(p); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	return append(body, '\n'), hex.EncodeToString(sum[:]), nil
}
