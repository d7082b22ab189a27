// Package ocds publishes a tender as an Open Contracting Data Standard
// (OCDS 1.1.5) release package (docs/tenders.md "OCDS" documents the
// mapping). The package holds one release per audit event that changed
// what is published: the tender release, dated at the tender's created
// event, and after the opening the award release, dated at the opened
// event, with the bids extension's bids (statistics and details), who
// opened the tender (tender.openingCommittee) and the award of the
// first-ranked bid (status pending: the ranking is the
// evaluation, not the decision). Release ids and dates come from those
// events, never from the time of the export, so a release once published
// never changes and the same export twice gives the same bytes.
//
// The package declares the bids extension v1.1.5 (awards[].relatedBid)
// and footprint's own extension (extension/extension.json and
// extension/release-schema.json, embedded; ExtensionFile gives them),
// which the publisher serves under its public URL. Amounts are OCDS
// numbers written from the exact decimals.
//
// Build makes the package; Package.Encode gives its bytes and their
// SHA-256. The package knows no storage and no HTTP: package tenders
// reads what it needs and records the export in the audit trail.
package ocds

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/tender"
)

// OCIDPrefix is the prefix of the ocid of every release: a placeholder
// that a publisher replaces with its prefix registered with the Open
// Contracting Partnership.
const OCIDPrefix = "ocds-fprint-"

// Version is the OCDS version of the package (the schema's version
// field takes major.minor; the schemas validated against are 1.1.5).
const Version = "1.1"

// BidsExtension is the OCDS bids extension the package declares: the
// tagged v1.1.5, whose Award has relatedBid (one bid id); relatedBids
// exists only in the extension's unreleased master.
const BidsExtension = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"

// Paths, under the publisher's public URL, of the package of a tender
// (TenderPath + id + "/ocds") and of footprint's extension files
// (ExtensionPath + "extension.json" or "release-schema.json"), which the
// server answers.
const (
	TenderPath    = "/v1/tenders/"
	ExtensionPath = "/v1/ocds/extension/"
)

// LotID is the id of the tender's one lot (eForms numbers lots so).
const LotID = "LOT-0001"

// MaxPublicURLLen bounds a public URL, in bytes.
const MaxPublicURLLen = 200

var (
	// ErrNoPublicURL: the package needs the publisher's public URL (its
	// uri and extension URLs must be absolute) and none is configured.
	ErrNoPublicURL = errors.New("the OCDS export needs the publisher's public URL: configure --public-url (e.g. --public-url https://tenders.example.org)")
	// ErrPublicURL: a public URL that is not an absolute http(s) URL
	// without query or fragment, or is too long.
	ErrPublicURL = errors.New("invalid public URL")
	// ErrNoEvent: the audit chain lacks an event that a release is
	// dated by (a created event; an opened event once opened).
	ErrNoEvent = errors.New("the audit chain lacks the event an OCDS release is built from")
)

//go:embed extension/extension.json extension/release-schema.json
var extensionFS embed.FS

// ExtensionFile returns a file of footprint's OCDS extension by name
// ("extension.json" or "release-schema.json"), and false for any other
// name. The bytes are a fresh copy.
func ExtensionFile(name string) ([]byte, bool) {
	if name != "extension.json" && name != "release-schema.json" {
		return nil, false
	}
	b, err := extensionFS.ReadFile("extension/" + name)
	return b, err == nil
}

// CheckPublicURL checks a publisher's public URL (the base of the
// package's uri and of its extension's URL) and returns it without a
// trailing slash: an absolute http or https URL with a host, without
// user information, query or fragment, of at most MaxPublicURLLen bytes.
// "" is ErrNoPublicURL; anything else wrong is ErrPublicURL.
func CheckPublicURL(s string) (string, error) {
	if s == "" {
		return "", ErrNoPublicURL
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: %q %s", ErrPublicURL, clip.Text(s), why)
	}
	if len(s) > MaxPublicURLLen {
		return bad(fmt.Sprintf("is longer than %d bytes", MaxPublicURLLen))
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || strings.ContainsAny(s, " \t\r\n\\"):
		return bad("does not parse as a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return bad("is not an absolute http(s) URL; give e.g. https://tenders.example.org")
	case u.Host == "" || u.Opaque != "":
		return bad("has no host")
	case u.User != nil:
		return bad("carries user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return bad("has a query or a fragment")
	}
	return strings.TrimRight(s, "/"), nil
}

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
	OCID           string   `json:"ocid"`
	ID             string   `json:"id"`
	Date           string   `json:"date"`
	Tag            []string `json:"tag"`
	InitiationType string   `json:"initiationType"`
	Language       string   `json:"language"`
	Parties        []Party  `json:"parties"`
	Buyer          OrgRef   `json:"buyer"`
	Tender         Tender   `json:"tender"`
	Bids           *Bids    `json:"bids,omitempty"`
	Awards         []Award  `json:"awards,omitempty"`

	// dateTime is Date as a time, for the package's publishedDate.
	dateTime time.Time
}

// Party is an organisation of the process.
type Party struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Identifier   *Identifier   `json:"identifier,omitempty"`
	Address      *Address      `json:"address,omitempty"`
	ContactPoint *ContactPoint `json:"contactPoint,omitempty"`
	Roles        []string      `json:"roles"`
}

// Identifier is an organisation's identifier (the notice's buyer id,
// whose register is not known: no scheme).
type Identifier struct {
	ID        string `json:"id,omitempty"`
	LegalName string `json:"legalName,omitempty"`
}

// Address is a party's address. CountryCode is footprint's extension
// field (ISO 3166-1 alpha-3, as eForms codes countries).
type Address struct {
	Locality    string `json:"locality,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
}

// ContactPoint is a party's contact.
type ContactPoint struct {
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// OrgRef refers to a party.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Period is a period.
type Period struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
}

// Value is an amount of money.
type Value struct {
	Amount   number `json:"amount"`
	Currency string `json:"currency"`
}

// Tender is the release's tender section. Lots is footprint's
// extension field (it mirrors the OCDS for eForms profile's lots, award
// criteria and sustainability fields).
type Tender struct {
	ID                      string   `json:"id"`
	Title                   string   `json:"title"`
	Description             string   `json:"description,omitempty"`
	Status                  string   `json:"status"`
	ProcuringEntity         OrgRef   `json:"procuringEntity"`
	Items                   []Item   `json:"items,omitempty"`
	ProcurementMethod       string   `json:"procurementMethod"`
	MainProcurementCategory string   `json:"mainProcurementCategory,omitempty"`
	AwardCriteria           string   `json:"awardCriteria"`
	AwardCriteriaDetails    string   `json:"awardCriteriaDetails"`
	SubmissionMethod        []string `json:"submissionMethod"`
	TenderPeriod            Period   `json:"tenderPeriod"`
	NumberOfTenderers       *int     `json:"numberOfTenderers,omitempty"`
	Tenderers               []OrgRef `json:"tenderers,omitempty"`
	Lots                    []Lot    `json:"lots"`
	// OpeningCommittee says who could open the tender and who did: in
	// the award release only, from the evaluation (footprint extension).
	OpeningCommittee *OpeningCommittee `json:"openingCommittee,omitempty"`
}

// OpeningCommittee is the tender's opening committee as the evaluation
// records it (footprint extension): the openers' officer ids, how many
// had to approve (K), and the openers whose approvals opened the tender,
// in order (one id when K = 1: one person opened it).
type OpeningCommittee struct {
	Openers  []string `json:"openers"`
	K        int      `json:"k"`
	OpenedBy []string `json:"openedBy"`
}

// Item is what is bought, classified by its CPV code.
type Item struct {
	ID             string          `json:"id"`
	Description    string          `json:"description"`
	Classification *Classification `json:"classification,omitempty"`
}

// Classification is an item's classification.
type Classification struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// Lot is the tender's one lot (footprint extension).
type Lot struct {
	ID                string           `json:"id"`
	Title             string           `json:"title"`
	AwardCriteria     LotAwardCriteria `json:"awardCriteria"`
	HasSustainability bool             `json:"hasSustainability"`
	Sustainability    []Sustainability `json:"sustainability,omitempty"`
}

// LotAwardCriteria are a lot's award criteria: the formula (eForms
// BT-543) and the criteria.
type LotAwardCriteria struct {
	WeightingDescription string           `json:"weightingDescription"`
	Criteria             []AwardCriterion `json:"criteria"`
}

// AwardCriterion is one award criterion: its type (BT-539: price, cost
// or quality), description (BT-540) and numbers (BT-541 with BT-5421).
type AwardCriterion struct {
	Type        string            `json:"type"`
	Description string            `json:"description"`
	Numbers     []CriterionNumber `json:"numbers"`
}

// CriterionNumber is a number of an award criterion, e.g. its weight.
type CriterionNumber struct {
	Number int    `json:"number"`
	Weight string `json:"weight"`
}

// Sustainability is a lot's sustainability goal and the strategies that
// pursue it (BT-774, BT-805).
type Sustainability struct {
	Goal       string   `json:"goal"`
	Strategies []string `json:"strategies"`
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
	Date    string `json:"date"`
	Value   int    `json:"value"`
}

// Bid is one bid of bids.details. Footprint is this project's own
// extension field.
type Bid struct {
	ID        string    `json:"id"`
	Date      string    `json:"date"`
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
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	Date       string   `json:"date"`
	Value      Value    `json:"value"`
	Suppliers  []OrgRef `json:"suppliers"`
	RelatedBid string   `json:"relatedBid"`
}

// Input is what a package is built from.
type Input struct {
	// Tender is the tender as stored.
	Tender tender.Tender
	// Evaluation and Bids (with or without their lines) are nil before
	// the opening: the bids are sealed, only the tender is published.
	Evaluation *tender.Evaluation
	Bids       []tender.Bid
	// Heads, when not nil, are the bids instead of Bids: of each only
	// what the package publishes (BidHeadOf), a third of a tender.Bid's
	// size for an export of many bids.
	Heads []BidHead
	// Events is the tender's audit chain, in order: the created event
	// dates the tender release, the opened event the award release.
	Events []tender.Event
	// PublicURL is the publisher's base URL (CheckPublicURL).
	PublicURL string
	// Rows, when set, gives the evaluation's ranking rows one at a time
	// (tender.StoredEvaluation), and Evaluation.Ranking is not read: the
	// package then keeps of each row only what it publishes.
	Rows func(yield func(*tender.Ranked) error) error
}

// BidHead is what a package publishes of a bid: its id, bidder, price,
// receipt time and whether it was withdrawn.
type BidHead struct {
	ID, Supplier string
	Price        tender.Price
	ReceivedAt   time.Time
	Withdrawn    bool
}

// BidHeadOf is b's head.
func BidHeadOf(b *tender.Bid) BidHead {
	return BidHead{ID: b.ID, Supplier: b.Supplier, Price: b.Price, ReceivedAt: b.ReceivedAt, Withdrawn: b.WithdrawnAt != nil}
}

// stamp writes a time as OCDS dates are written: RFC 3339, UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Build builds the package of in.Tender: ErrNoPublicURL or ErrPublicURL
// when in.PublicURL is not a usable base, ErrNoEvent when the audit chain
// lacks an event a release is dated by.
func Build(in Input) (Package, error) {
	base, err := CheckPublicURL(in.PublicURL)
	if err != nil {
		return Package{}, err
	}
	t := in.Tender
	created, opened := firstEvent(in.Events, tender.EventCreated), firstEvent(in.Events, tender.EventOpened)
	if created == nil {
		return Package{}, fmt.Errorf("%w: tender %s has no created event", ErrNoEvent, clip.Prefix(t.ID))
	}
	ocid := OCIDPrefix + t.ID
	tr := tenderRelease(t, ocid, *created)
	rels := []Release{tr}
	if in.Evaluation != nil {
		if opened == nil {
			return Package{}, fmt.Errorf("%w: tender %s is opened but has no opened event", ErrNoEvent, clip.Prefix(t.ID))
		}
		rows := in.Rows
		if rows == nil {
			rows = func(yield func(*tender.Ranked) error) error {
				for i := range in.Evaluation.Ranking {
					if err := yield(&in.Evaluation.Ranking[i]); err != nil {
						return err
					}
				}
				return nil
			}
		}
		heads := in.Heads
		if heads == nil {
			heads = make([]BidHead, len(in.Bids))
			for i := range in.Bids {
				heads[i] = BidHeadOf(&in.Bids[i])
			}
		}
		rel, err := awardRelease(t, tr, in.Evaluation, rows, heads, *opened)
		if err != nil {
			return Package{}, err
		}
		rels = append(rels, rel)
	}
	return Package{URI: base + TenderPath + t.ID + "/ocds", Version: Version,
		Extensions:    []string{BidsExtension, base + ExtensionPath + "extension.json"},
		PublishedDate: rels[len(rels)-1].dateTime, Publisher: Publisher{Name: buyerName(t)}, Releases: rels}, nil
}

func firstEvent(evs []tender.Event, kind tender.EventKind) *tender.Event {
	for i := range evs {
		if evs[i].Kind == kind {
			return &evs[i]
		}
	}
	return nil
}

func buyerName(t tender.Tender) string {
	if t.Notice != nil && t.Notice.BuyerLegalName != "" {
		return t.Notice.BuyerLegalName
	}
	return t.Buyer
}

// tenderRelease is the release of the tender as created: what the
// created event vouches for, with tender.status active (the tender took
// bids from then on).
func tenderRelease(t tender.Tender, ocid string, created tender.Event) Release {
	n := t.Notice
	if n == nil {
		n = &tender.Notice{}
	}
	buyer := OrgRef{ID: "buyer", Name: buyerName(t)}
	party := Party{ID: buyer.ID, Name: buyer.Name, Roles: []string{"buyer", "procuringEntity"}}
	if n.BuyerID != "" || n.BuyerLegalName != "" {
		party.Identifier = &Identifier{ID: n.BuyerID, LegalName: n.BuyerLegalName}
	}
	if n.BuyerTown != "" || n.BuyerPostcode != "" || n.BuyerCountry != "" {
		party.Address = &Address{Locality: n.BuyerTown, PostalCode: n.BuyerPostcode, CountryCode: n.BuyerCountry}
	}
	if n.BuyerEmail != "" || n.BuyerURL != "" {
		party.ContactPoint = &ContactPoint{Email: n.BuyerEmail, URL: n.BuyerURL}
	}
	rel := Release{
		OCID: ocid, ID: fmt.Sprintf("%s-tender-%d", ocid, created.Seq), Date: stamp(created.At), Tag: []string{"tender"},
		InitiationType: "tender", Language: "en", Parties: []Party{party}, Buyer: buyer,
		Tender: Tender{ID: t.ID, Title: t.Title, Description: n.Description, Status: "active", ProcuringEntity: buyer,
			ProcurementMethod: "open", MainProcurementCategory: category(n.ContractNature),
			AwardCriteria: "priceOnly", AwardCriteriaDetails: awardDetails(t.Award, t.Currency), SubmissionMethod: []string{"electronicSubmission"},
			TenderPeriod: Period{StartDate: stamp(t.Created), EndDate: stamp(t.Deadline)}, Lots: []Lot{lot(t)}},
		dateTime: created.At.UTC(),
	}
	if t.Award.Rule != tender.PriceOnly {
		// The notional price is a cost: the price plus a monetised
		// carbon term (carbon_price) or minus a ladder discount.
		rel.Tender.AwardCriteria = "costOnly"
	}
	if n.CPV != "" {
		rel.Tender.Items = []Item{{ID: "1", Description: t.Title, Classification: &Classification{Scheme: "CPV", ID: n.CPV}}}
	}
	return rel
}

// category maps the notice's contract nature (eForms BT-23) to the
// procurementCategory codelist.
func category(nature string) string {
	switch nature {
	case "works":
		return "works"
	case "supplies":
		return "goods"
	case "services":
		return "services"
	}
	return ""
}

// lot is the tender's one lot with its award criteria and
// sustainability, as the OCDS for eForms profile maps BT-539 (type),
// BT-540 (description), BT-541/BT-5421 (numbers: the one criterion
// weighs 100 %), BT-543 (weightingDescription), BT-774 (goal) and the
// strategies it is pursued by.
func lot(t tender.Tender) Lot {
	l := Lot{ID: LotID, Title: t.Title, AwardCriteria: LotAwardCriteria{WeightingDescription: awardDetails(t.Award, t.Currency)}}
	c := AwardCriterion{Type: "cost", Numbers: []CriterionNumber{{Number: 100, Weight: "percentageExact"}}}
	var strategies []string
	switch t.Award.Rule {
	case tender.PriceOnly:
		c.Type, c.Description = "price", "The bid's price."
	case tender.CarbonPrice:
		c.Description = "Notional price: the bid's price plus a carbon price per tonne CO2e of its life-cycle footprint."
		strategies = append(strategies, "awardCriteria")
	case tender.Ladder:
		c.Description = "Notional price: the bid's price less the discount of its declared carbon-certification level."
		strategies = append(strategies, "awardCriteria")
	}
	if t.Award.Limits == tender.LimitsExclude {
		strategies = append(strategies, "technicalSpecifications")
	}
	l.AwardCriteria.Criteria = []AwardCriterion{c}
	if len(strategies) > 0 {
		l.HasSustainability = true
		l.Sustainability = []Sustainability{{Goal: "environmental.climateChangeMitigation", Strategies: strategies}}
	}
	return l
}

// awardRelease is the release of the opening: the tender release's
// tender, now complete (or unsuccessful), with the bids and the award of
// the first-ranked bid, dated at the opened event (the evaluation is
// made in the transaction that opens).
func awardRelease(t tender.Tender, tr Release, ev *tender.Evaluation, rows func(yield func(*tender.Ranked) error) error, bids []BidHead, opened tender.Event) (Release, error) {
	date := stamp(opened.At)
	rel := tr
	rel.ID, rel.Date, rel.dateTime = fmt.Sprintf("%s-award-%d", tr.OCID, opened.Seq), date, opened.At.UTC()
	rel.Parties = append([]Party(nil), tr.Parties...)
	rel.Tender.Status = "complete"
	if c := ev.Committee; c != nil {
		// A tender opened before committees has none in its evaluation,
		// and its award release stays as it was published.
		rel.Tender.OpeningCommittee = &OpeningCommittee{Openers: append([]string{}, c.Openers...), K: c.K,
			OpenedBy: append([]string{}, ev.OpenedBy...)}
	}
	// Of each row, what bids.details publishes; the first-ranked rows
	// whole.
	scores := map[string]*BidScore{}
	var first []tender.Ranked
	err := rows(func(rk *tender.Ranked) error {
		fl := rk.FailedLimits
		if fl == nil {
			fl = []string{}
		}
		scores[rk.BidID] = &BidScore{KgCO2e: rk.KgCO2e.String(), NotionalPrice: rk.NotionalPrice.String(), Rank: rk.Rank,
			Excluded: rk.Excluded, Reason: rk.Reason, Method: ev.Method.Ref(), Evaluation: ev.Digest, FailedLimits: fl}
		if rk.Rank != nil && *rk.Rank == 1 {
			first = append(first, *rk)
		}
		return nil
	})
	if err != nil {
		return Release{}, err
	}
	rel.Bids = &Bids{Details: make([]Bid, 0, len(bids))}
	rel.Tender.Tenderers = make([]OrgRef, 0, len(bids))
	var valid, excluded, withdrawn int
	for _, b := range bids {
		org := OrgRef{ID: "tenderer-" + b.ID, Name: b.Supplier}
		ob := Bid{ID: b.ID, Date: stamp(b.ReceivedAt), Status: "valid", Tenderers: []OrgRef{org},
			Value: Value{Amount: number{b.Price.Amount}, Currency: b.Price.Currency}}
		switch sc, ok := scores[b.ID]; {
		case b.Withdrawn:
			ob.Status = "withdrawn"
			withdrawn++
		case ok:
			if sc.Excluded {
				ob.Status = "disqualified"
				excluded++
			} else {
				valid++
			}
			ob.Footprint = sc
		}
		// Every bidder is a party and a tenderer, a withdrawn one too: it
		// submitted a bid, which bids.details lists with its status.
		rel.Parties = append(rel.Parties, Party{ID: org.ID, Name: org.Name, Roles: []string{"tenderer"}})
		rel.Tender.Tenderers = append(rel.Tender.Tenderers, org)
		rel.Bids.Details = append(rel.Bids.Details, ob)
	}
	n := len(rel.Tender.Tenderers)
	rel.Tender.NumberOfTenderers = &n
	// Each measure counts one thing: bids is every bid received (the
	// withdrawn ones included, as the codelist's "prior to any being
	// discounted" says), validBids those ranked, disqualifiedBids those
	// excluded by a procurement limit, withdrawnBids (footprint's code;
	// the codelist is open) those withdrawn before the deadline.
	rel.Bids.Statistics = []Statistic{
		{ID: "bids", Measure: "bids", Date: date, Value: len(bids)},
		{ID: "validBids", Measure: "validBids", Date: date, Value: valid},
		{ID: "disqualifiedBids", Measure: "disqualifiedBids", Date: date, Value: excluded},
		{ID: "withdrawnBids", Measure: "withdrawnBids", Date: date, Value: withdrawn},
	}
	for _, rk := range first {
		org := OrgRef{ID: "tenderer-" + rk.BidID, Name: rk.Supplier}
		for i := range rel.Parties {
			if rel.Parties[i].ID == org.ID {
				rel.Parties[i].Roles = append(rel.Parties[i].Roles, "supplier")
			}
		}
		rel.Awards = []Award{{ID: t.ID + "-award-1", Title: "First-ranked bid of " + t.Reference, Status: "pending", Date: date,
			Value: Value{Amount: number{rk.Price.Amount.Decimal()}, Currency: rk.Price.Currency}, Suppliers: []OrgRef{org}, RelatedBid: rk.BidID}}
	}
	rel.Tag = []string{"tenderUpdate", "award"}
	if len(rel.Awards) == 0 {
		// No bid is ranked (all excluded or withdrawn, or none came): the
		// tender process ended without anything to award. OCDS says so
		// with tender.status "unsuccessful" (tenderStatus codelist: "the
		// tender process was unsuccessful") and no award at all; the tag
		// "award" announces award information, so only "tenderUpdate"
		// (the tender's status, tenderers and bids changed). An award
		// with status "unsuccessful" would name an award that was never
		// considered.
		rel.Tender.Status = "unsuccessful"
		rel.Tag = []string{"tenderUpdate"}
	}
	return rel, nil
}

// awardDetails states the award rule in words, with its declared values:
// tender.Award.Statement, the text the eForms notices publish too.
func awardDetails(a tender.Award, currency string) string { return a.Statement(currency) }

// Encode returns the package as it is published: compact JSON and a
// newline, and the SHA-256 (hex) of the JSON without the newline, the
// digest the exported event records.
func (p Package) Encode() (body []byte, digest string, err error) {
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return nil, "", err
	}
	body = b.Bytes()
	sum := sha256.Sum256(body[:len(body)-1])
	return body, hex.EncodeToString(sum[:]), nil
}
