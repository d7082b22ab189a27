package server

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

// OCDS 1.1 export of a tender (docs/tenders.md "OCDS" documents the
// mapping). One release package with one release: the tender; after the
// opening also the bids extension's bids.details and the award of the
// first-ranked bid (status pending: the ranking is the evaluation, not
// the decision). Amounts are OCDS numbers written from the exact decimals.

// OCIDPrefix is the prefix of the ocid of every release: a placeholder
// that a publisher replaces with its prefix registered with the Open
// Contracting Partnership.
const OCIDPrefix = "ocds-fprint-"

// OCDSVersion is the OCDS version of the package.
const OCDSVersion = "1.1"

// BidsExtension is the OCDS bids extension the package declares.
const BidsExtension = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"

// ocdsNumber is an exact decimal written as a JSON number (OCDS amounts
// are numbers), from its text, never through float64.
type ocdsNumber struct{ d decimal.Decimal }

func (n ocdsNumber) MarshalJSON() ([]byte, error) { return []byte(n.d.String()), nil }

// OCDSPackage is an OCDS release package.
type OCDSPackage struct {
	URI           string        `json:"uri"`
	Version       string        `json:"version"`
	Extensions    []string      `json:"extensions"`
	PublishedDate time.Time     `json:"publishedDate"`
	Publisher     OCDSPublisher `json:"publisher"`
	Releases      []OCDSRelease `json:"releases"`
}

// OCDSPublisher names the publisher of the package.
type OCDSPublisher struct {
	Name string `json:"name"`
}

// OCDSRelease is one release of a contracting process.
type OCDSRelease struct {
	OCID           string      `json:"ocid"`
	ID             string      `json:"id"`
	Date           time.Time   `json:"date"`
	Tag            []string    `json:"tag"`
	InitiationType string      `json:"initiationType"`
	Language       string      `json:"language"`
	Parties        []OCDSParty `json:"parties"`
	Buyer          OCDSOrgRef  `json:"buyer"`
	Tender         OCDSTender  `json:"tender"`
	Bids           *OCDSBids   `json:"bids,omitempty"`
	Awards         []OCDSAward `json:"awards,omitempty"`
}

// OCDSParty is an organisation of the process.
type OCDSParty struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// OCDSOrgRef refers to a party.
type OCDSOrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OCDSPeriod is a period.
type OCDSPeriod struct {
	StartDate time.Time `json:"startDate"`
	EndDate   time.Time `json:"endDate"`
}

// OCDSValue is an amount of money.
type OCDSValue struct {
	Amount   ocdsNumber `json:"amount"`
	Currency string     `json:"currency"`
}

// OCDSTender is the release's tender section.
type OCDSTender struct {
	ID                   string       `json:"id"`
	Title                string       `json:"title"`
	Status               string       `json:"status"`
	ProcurementMethod    string       `json:"procurementMethod"`
	AwardCriteria        string       `json:"awardCriteria"`
	AwardCriteriaDetails string       `json:"awardCriteriaDetails"`
	SubmissionMethod     []string     `json:"submissionMethod"`
	TenderPeriod         OCDSPeriod   `json:"tenderPeriod"`
	NumberOfTenderers    *int         `json:"numberOfTenderers,omitempty"`
	Tenderers            []OCDSOrgRef `json:"tenderers,omitempty"`
}

// OCDSBids is the bids extension's section.
type OCDSBids struct {
	Statistics []OCDSStatistic `json:"statistics"`
	Details    []OCDSBid       `json:"details"`
}

// OCDSStatistic is one bids statistic.
type OCDSStatistic struct {
	ID      string `json:"id"`
	Measure string `json:"measure"`
	Value   int    `json:"value"`
}

// OCDSBid is one bid of bids.details. Footprint is this project's own
// field (an OCDS extension field, not in the bids extension).
type OCDSBid struct {
	ID        string        `json:"id"`
	Date      time.Time     `json:"date"`
	Status    string        `json:"status"`
	Tenderers []OCDSOrgRef  `json:"tenderers"`
	Value     OCDSValue     `json:"value"`
	Footprint *OCDSBidScore `json:"footprint,omitempty"`
}

// OCDSBidScore is a bid's result in the evaluation.
type OCDSBidScore struct {
	KgCO2e        string   `json:"kg_co2e"`
	NotionalPrice string   `json:"notional_price"`
	Rank          *int     `json:"rank"`
	Excluded      bool     `json:"excluded"`
	Reason        string   `json:"reason,omitempty"`
	Method        string   `json:"method"`
	Evaluation    string   `json:"evaluation_digest"`
	FailedLimits  []string `json:"failed_limits"`
}

// OCDSAward is the award of the first-ranked bid.
type OCDSAward struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Status      string       `json:"status"`
	Date        time.Time    `json:"date"`
	Value       OCDSValue    `json:"value"`
	Suppliers   []OCDSOrgRef `json:"suppliers"`
	RelatedBids []string     `json:"relatedBids"`
}

// buildOCDS builds the package of tender t; ev and bids are nil before
// the opening (the bids are sealed: only the tender is published).
func buildOCDS(t tender.Tender, ev *tender.Evaluation, bids []tender.Bid, now time.Time, uri string) OCDSPackage {
	buyer := OCDSOrgRef{ID: "buyer", Name: t.Buyer}
	rel := OCDSRelease{
		OCID: OCIDPrefix + t.ID, ID: t.ID + "-tender", Date: now, Tag: []string{"tender"},
		InitiationType: "tender", Language: "en",
		Parties: []OCDSParty{{ID: buyer.ID, Name: buyer.Name, Roles: []string{"buyer", "procuringEntity"}}},
		Buyer:   buyer,
		Tender: OCDSTender{ID: t.ID, Title: t.Title, Status: ocdsTenderStatus(t, now), ProcurementMethod: "open",
			AwardCriteria: "priceOnly", AwardCriteriaDetails: awardDetails(t.Award), SubmissionMethod: []string{"electronicSubmission"},
			TenderPeriod: OCDSPeriod{StartDate: t.Created.UTC(), EndDate: t.Deadline.UTC()}},
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
		rel.Bids = &OCDSBids{Details: make([]OCDSBid, 0, len(bids))}
		valid := 0
		for _, b := range bids {
			org := OCDSOrgRef{ID: "tenderer-" + b.ID, Name: b.Supplier}
			ob := OCDSBid{ID: b.ID, Date: b.ReceivedAt.UTC(), Status: "valid", Tenderers: []OCDSOrgRef{org},
				Value: OCDSValue{Amount: ocdsNumber{b.Price.Amount}, Currency: b.Price.Currency}}
			switch rk, ok := scores[b.ID]; {
			case b.WithdrawnAt != nil:
				ob.Status = "withdrawn"
			case ok:
				if rk.Excluded {
					ob.Status = "disqualified"
				} else {
					valid++
				}
				ob.Footprint = &OCDSBidScore{KgCO2e: rk.KgCO2e.String(), NotionalPrice: rk.NotionalPrice.String(), Rank: rk.Rank,
					Excluded: rk.Excluded, Reason: rk.Reason, Method: ev.Method.Ref(), Evaluation: ev.Digest, FailedLimits: rk.FailedLimits}
			}
			if ob.Status != "withdrawn" {
				rel.Parties = append(rel.Parties, OCDSParty{ID: org.ID, Name: org.Name, Roles: []string{"tenderer"}})
				rel.Tender.Tenderers = append(rel.Tender.Tenderers, org)
			}
			rel.Bids.Details = append(rel.Bids.Details, ob)
		}
		n := len(rel.Tender.Tenderers)
		rel.Tender.NumberOfTenderers = &n
		rel.Bids.Statistics = []OCDSStatistic{{ID: "1", Measure: "bids", Value: n}, {ID: "2", Measure: "validBids", Value: valid}}
		for _, rk := range ev.Ranking {
			if rk.Rank == nil || *rk.Rank != 1 {
				continue
			}
			org := OCDSOrgRef{ID: "tenderer-" + rk.BidID, Name: rk.Supplier}
			for i := range rel.Parties {
				if rel.Parties[i].ID == org.ID {
					rel.Parties[i].Roles = append(rel.Parties[i].Roles, "supplier")
				}
			}
			rel.Awards = []OCDSAward{{ID: t.ID + "-award-1", Title: "First-ranked bid of " + t.Reference, Status: "pending", Date: now,
				Value: OCDSValue{Amount: ocdsNumber{rk.Price.Amount.Decimal()}, Currency: rk.Price.Currency}, Suppliers: []OCDSOrgRef{org}, RelatedBids: []string{rk.BidID}}}
		}
	}
	return OCDSPackage{URI: uri, Version: OCDSVersion, Extensions: []string{BidsExtension}, PublishedDate: now,
		Publisher: OCDSPublisher{Name: t.Buyer}, Releases: []OCDSRelease{rel}}
}

// ocdsTenderStatus maps a tender's state to the OCDS tenderStatus codelist.
func ocdsTenderStatus(t tender.Tender, now time.Time) string {
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
