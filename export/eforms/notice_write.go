// Package eforms writes and reads EU eForms notices (UBL 2.3, eForms SDK
// 1.15) for a tender run as an open procedure with one lot.
//
// ContractNoticeXML writes the contract notice (notice subtype 16,
// cn-standard, Directive 2014/24/EU) from the tender and its notice
// details; AwardNotice writes the contract award notice (subtype 29,
// can-standard) from the tender, the evaluation made at the opening and
// the bids' heads. docs/tenders.md "eForms and OCDS" says which business
// term is filled from what. Where a mandatory business term has no value
// the notice is not written: the error is a *MissingError naming the
// missing fields. Notice ids and dates derive from the tender (its id,
// creation, opening), so the same notice written twice is the same bytes.
//
// The package knows no storage and no HTTP: package tenders reads what
// it needs and records the export in the audit trail.
package eforms

import (
	"crypto/sha1"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

// SDKVersion is the eForms SDK the notices follow (CustomizationID).
const SDKVersion = "eforms-sdk-1.15"

// Subtypes of the notices written.
const (
	SubtypeContractNotice = "16"
	SubtypeAwardNotice    = "29"
)

// RegulatoryDomain is the legal basis written (BT-01): Directive
// 2014/24/EU on public procurement.
const RegulatoryDomain = "32014L0024"

// TenderValidityDays is the tender validity period written (BT-98), a
// default the officer adjusts in their eSender.
const TenderValidityDays = 90

// Organisation ids in the notices.
const (
	orgBuyer  = "ORG-0001"
	orgReview = "ORG-0002"
	orgWinner = "ORG-0003"
	lotID     = "LOT-0000"
)

// namespace is the UUID namespace of the notices' identifiers (a
// UUID v5 of the DNS name footprint-gpp.eforms).
var namespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "footprint-gpp.eforms")

// nutsCountries are the countries whose addresses eForms codes with NUTS
// (the SDK's nuts-country list, as its BT-507 rule names them).
var nutsCountries = map[string]bool{
	"ALB": true, "AUT": true, "BEL": true, "BGR": true, "CHE": true, "CYP": true, "CZE": true, "DEU": true, "DNK": true,
	"ESP": true, "EST": true, "FIN": true, "FRA": true, "GRC": true, "HRV": true, "HUN": true, "IRL": true, "ISL": true,
	"ITA": true, "LIE": true, "LTU": true, "LUX": true, "LVA": true, "MKD": true, "MLT": true, "MNE": true, "NLD": true,
	"NOR": true, "POL": true, "PRT": true, "ROU": true, "SRB": true, "SVK": true, "SVN": true, "SWE": true, "TUR": true,
	"UKR": true, "XKX": true,
}

// MissingError says that a notice cannot be written for want of the
// named fields: tender notice fields (their JSON names, e.g. buyer_nuts)
// or, for an award notice, winner details (winner_id…).
type MissingError struct {
	Notice string
	Fields []string
	// Detail, when set, says what is wrong with fields given (statistics
	// that do not add up) instead of naming them missing.
	Detail string
}

func (e *MissingError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("the %s cannot be written: %s", e.Notice, e.Detail)
	}
	return fmt.Sprintf("the %s cannot be written without %s: an eForms notice requires them", e.Notice, strings.Join(e.Fields, ", "))
}

// noticeFields are the notice fields every notice needs; the NUTS codes
// only for a buyer in a NUTS country.
var noticeFields = []string{"buyer_legal_name", "buyer_id", "buyer_country", "buyer_town", "buyer_postcode", "buyer_email",
	"buyer_phone", "buyer_url", "buyer_legal_type", "buyer_activity", "cpv", "contract_nature", "description",
	"review_body_name", "review_body_id", "review_body_town", "review_body_postcode"}

// missingNotice lists what t's notice lacks for an eForms notice.
func missingNotice(t tender.Tender) []string {
	want := noticeFields
	if t.Notice != nil && nutsCountries[t.Notice.BuyerCountry] {
		want = append(append([]string{}, want...), "buyer_nuts", "review_body_nuts")
	}
	return t.Notice.Missing(want...)
}

// ContractNoticeXML writes tender t's contract notice (subtype 16), issued
// at the tender's creation (so that it does not change).
func ContractNoticeXML(t tender.Tender) ([]byte, error) {
	if miss := missingNotice(t); len(miss) > 0 {
		return nil, &MissingError{Notice: "contract notice", Fields: miss}
	}
	n := t.Notice
	root := el("ContractNotice",
		ext(el("efac:NoticeSubType", tx("cbc:SubTypeCode", SubtypeContractNotice, "listName", "notice-subtype")),
			organizations(n, nil)),
	)
	root.attrs = rootAttrs("ContractNotice")
	root.kids = append(root.kids, header(t, "cn", t.Created, "competition", "cn-standard")...)
	root.kids = append(root.kids,
		contractingParty(n),
		el("cac:TenderingTerms", el("cac:TendererQualificationRequest", el("cac:SpecificTendererRequirement",
			tx("cbc:TendererRequirementTypeCode", "epo-procurement-document", "listName", "exclusion-grounds-source")))),
		el("cac:TenderingProcess",
			tx("cbc:ProcedureCode", "open", "listName", "procurement-procedure-type"),
			el("cac:ProcessJustification", tx("cbc:ProcessReasonCode", "false", "listName", "accelerated-procedure"))),
		procedureProject(t),
		el("cac:ProcurementProjectLot",
			tx("cbc:ID", lotID, "schemeName", "Lot"),
			el("cac:TenderingTerms",
				tx("cbc:VariantConstraintCode", "not-allowed", "listName", "permission"),
				tx("cbc:FundingProgramCode", "no-eu-funds", "listName", "eu-funded"),
				el("cac:CallForTendersDocumentReference",
					tx("cbc:ID", t.Reference),
					tx("cbc:DocumentType", "non-restricted-document"),
					el("cac:Attachment", el("cac:ExternalReference", tx("cbc:URI", n.BuyerURL)))),
				requirement("reserved-procurement", "none"),
				requirement("selection-criteria-source", "epo-procurement-document"),
				execution("reserved-execution", "no"),
				execution("einvoicing", "allowed"),
				execution("ecatalog-submission", "not-allowed"),
				awardingTerms(t),
				el("cac:TenderRecipientParty",
					tx("cbc:EndpointID", n.BuyerURL),
					partyID(orgBuyer)),
				el("cac:TenderValidityPeriod", tx("cbc:DurationMeasure", fmt.Sprint(TenderValidityDays), "unitCode", "DAY")),
				appealTerms(),
				el("cac:Language", tx("cbc:ID", "ENG")),
				el("cac:PostAwardProcess",
					tx("cbc:ElectronicOrderUsageIndicator", "false"),
					tx("cbc:ElectronicPaymentUsageIndicator", "true"))),
			el("cac:TenderingProcess", append([]*xel{
				tx("cbc:SubmissionMethodCode", "required", "listName", "esubmission"),
				tx("cbc:GovernmentAgreementConstraintIndicator", "true"),
				el("cac:TenderSubmissionDeadlinePeriod",
					tx("cbc:EndDate", date(t.Deadline)),
					tx("cbc:EndTime", clock(t.Deadline)))},
				lotProcess()...)...),
			lotProject(t, unknownPeriod())),
	)
	return document(root), nil
}

// Winner is what an award notice needs of the winning tenderer that a
// bid does not hold (a bid names its supplier only): the officer gives
// it when exporting. Fields are named in a *MissingError by their query
// parameter names (winner_id…).
type Winner struct {
	// ID is the winner's organisation identifier (BT-501).
	ID string
	// Country is ISO 3166-1 alpha-3 (BT-514); Town, Postcode and NUTS
	// its address (BT-513, BT-512, BT-507: NUTS for NUTS countries).
	Country, Town, Postcode, NUTS string
	// Size is the eForms economic-operator-size code: micro, small,
	// medium or large (BT-165).
	Size string
	// Contract is the contract's conclusion date (BT-145), also the start
	// of the lot's planned period (BT-536); ContractEnd its end (BT-537).
	Contract, ContractEnd time.Time
	// Received counts the tenders received (not withdrawn) by their
	// tenderers' size (micro, small, medium, large) and origin (non_eea,
	// other_eea: outside the EEA, and in another EEA country than the
	// buyer's), as the award notice's statistics must (BT-759, BT-760);
	// a bid does not say its tenderer's size or country, so the officer
	// gives them. Keys are the parameter names without "received_".
	Received map[string]int
}

// receivedKinds are Winner.Received's keys with their eForms
// received-submission-type codes, in the order the notice lists them.
var receivedKinds = []struct{ key, code string }{
	{"micro", "t-micro"}, {"small", "t-small"}, {"medium", "t-med"}, {"large", "t-large"},
	{"non_eea", "t-no-eea"}, {"other_eea", "t-oth-eea"},
}

// missingReceived lists the statistics parameters w lacks for a lot that
// received tenders, and says when the given sizes do not add up to them.
func (w *Winner) missingReceived(received int) (missing []string, problem string) {
	var got map[string]int
	if w != nil {
		got = w.Received
	}
	sizes, origins := 0, 0
	for i, k := range receivedKinds {
		n, ok := got[k.key]
		if !ok {
			missing = append(missing, "received_"+k.key)
			continue
		}
		if i < 4 {
			sizes += n
		} else {
			origins += n
		}
	}
	if len(missing) > 0 {
		return missing, ""
	}
	if sizes != received {
		return nil, fmt.Sprintf("received_micro + received_small + received_medium + received_large = %d, but the tender received %d bids (not withdrawn)", sizes, received)
	}
	if origins > received {
		return nil, fmt.Sprintf("received_non_eea + received_other_eea = %d, more than the %d bids received", origins, received)
	}
	return nil, ""
}

// missing lists the winner details w lacks.
func (w *Winner) missing() []string {
	var v Winner
	if w != nil {
		v = *w
	}
	var out []string
	for _, f := range []struct{ name, v string }{{"winner_id", v.ID}, {"winner_country", v.Country}, {"winner_town", v.Town},
		{"winner_postcode", v.Postcode}, {"winner_size", v.Size}} {
		if f.v == "" {
			out = append(out, f.name)
		}
	}
	if v.NUTS == "" && nutsCountries[v.Country] {
		out = append(out, "winner_nuts")
	}
	if v.Contract.IsZero() {
		out = append(out, "contract_date")
	}
	if v.ContractEnd.IsZero() {
		out = append(out, "contract_end")
	}
	return out
}

// AwardNoticeXML writes opened tender t's contract award notice (subtype 29)
// from its evaluation ev and its bids (heads: supplier and price), issued
// at opened (the time of the opening). The first-ranked bid is the
// winner, described by w; when every bid was excluded, withdrawn or none
// came, the lot is closed without a winner (BT-142 clos-nw) and w is not
// needed.
func AwardNoticeXML(t tender.Tender, ev *tender.Evaluation, bids []tender.Bid, opened time.Time, w *Winner) ([]byte, error) {
	if ev == nil {
		return nil, fmt.Errorf("an award notice needs the evaluation: open the tender first")
	}
	miss := missingNotice(t)
	var winner *tender.Ranked
	for i := range ev.Ranking {
		if rk := ev.Ranking[i]; rk.Rank != nil && *rk.Rank == 1 {
			winner = &ev.Ranking[i]
		}
	}
	if winner != nil {
		miss = append(miss, w.missing()...)
	}
	received := 0
	for _, b := range bids {
		if b.WithdrawnAt == nil {
			received++
		}
	}
	if received > 0 {
		m, problem := w.missingReceived(received)
		miss = append(miss, m...)
		if problem != "" {
			return nil, &MissingError{Notice: "contract award notice", Fields: []string{"received_micro"}, Detail: problem}
		}
	}
	if len(miss) > 0 {
		return nil, &MissingError{Notice: "contract award notice", Fields: miss}
	}
	// The notice is dispatched once the contract is concluded: dated at
	// the later of the opening and the contract date (BR-BT-00145-0100).
	issued := opened
	if winner != nil && w.Contract.After(issued) {
		issued = w.Contract
	}
	n := t.Notice
	cur := t.Currency
	period := unknownPeriod()
	if winner != nil {
		period = el("cac:PlannedPeriod", tx("cbc:StartDate", date(w.Contract)), tx("cbc:EndDate", date(w.ContractEnd)))
	}
	result := el("efac:NoticeResult")
	lot := el("efac:LotResult", tx("cbc:ID", "RES-0001", "schemeName", "result"))
	if winner != nil {
		price := winner.Price.Amount.String()
		result.kids = append(result.kids, tx("cbc:TotalAmount", price, "currencyID", cur))
		lo, hi := priceRange(ev)
		lot.kids = append(lot.kids,
			tx("cbc:HigherTenderAmount", hi, "currencyID", cur),
			tx("cbc:LowerTenderAmount", lo, "currencyID", cur),
			tx("cbc:TenderResultCode", "selec-w", "listName", "winner-selection-status"),
			el("efac:LotTender", tx("cbc:ID", "TEN-0001", "schemeName", "tender")))
		lot.kids = append(lot.kids, stats(received, w)...)
		lot.kids = append(lot.kids,
			el("efac:SettledContract", tx("cbc:ID", "CON-0001", "schemeName", "contract")),
			el("efac:TenderLot", tx("cbc:ID", lotID, "schemeName", "Lot")))
		result.kids = append(result.kids, lot,
			el("efac:LotTender",
				tx("cbc:ID", "TEN-0001", "schemeName", "tender"),
				tx("cbc:RankCode", "1"),
				tx("efbc:TenderRankedIndicator", "true"),
				el("cac:LegalMonetaryTotal", tx("cbc:PayableAmount", price, "currencyID", cur)),
				el("efac:SubcontractingTerm", tx("efbc:TermCode", "not-known", "listName", "applicability")),
				el("efac:TenderingParty", tx("cbc:ID", "TPA-0001", "schemeName", "tendering-party")),
				el("efac:TenderLot", tx("cbc:ID", lotID, "schemeName", "Lot")),
				el("efac:TenderReference", tx("cbc:ID", winner.BidID))),
			el("efac:SettledContract",
				tx("cbc:ID", "CON-0001", "schemeName", "contract"),
				tx("cbc:IssueDate", date(w.Contract)),
				el("efac:ContractReference", tx("cbc:ID", t.Reference)),
				el("efac:LotTender", tx("cbc:ID", "TEN-0001", "schemeName", "tender"))),
			el("efac:TenderingParty",
				tx("cbc:ID", "TPA-0001", "schemeName", "tendering-party"),
				el("efac:Tenderer", tx("cbc:ID", orgWinner, "schemeName", "organization"))))
	} else {
		reason := "all-rej"
		if received == 0 {
			reason = "no-rece"
		}
		lot.kids = append(lot.kids,
			tx("cbc:TenderResultCode", "clos-nw", "listName", "winner-selection-status"),
			el("efac:DecisionReason", tx("efbc:DecisionReasonCode", reason, "listName", "non-award-justification")))
		if received > 0 {
			lot.kids = append(lot.kids, stats(received, w)...)
		}
		lot.kids = append(lot.kids, el("efac:TenderLot", tx("cbc:ID", lotID, "schemeName", "Lot")))
		result.kids = append(result.kids, lot)
	}
	var wo *winnerOrg
	if winner != nil {
		wo = &winnerOrg{name: winner.Supplier, w: *w}
	}
	root := el("ContractAwardNotice",
		ext(result,
			el("efac:NoticeSubType", tx("cbc:SubTypeCode", SubtypeAwardNotice, "listName", "notice-subtype")),
			organizations(n, wo)),
	)
	root.attrs = rootAttrs("ContractAwardNotice")
	root.kids = append(root.kids, header(t, "can", issued, "result", "can-standard")...)
	root.kids = append(root.kids,
		contractingParty(n),
		el("cac:TenderingProcess", tx("cbc:ProcedureCode", "open", "listName", "procurement-procedure-type")),
		procedureProject(t),
		el("cac:ProcurementProjectLot",
			tx("cbc:ID", lotID, "schemeName", "Lot"),
			el("cac:TenderingTerms",
				tx("cbc:FundingProgramCode", "no-eu-funds", "listName", "eu-funded"),
				awardingTerms(t),
				appealTerms()),
			el("cac:TenderingProcess", append([]*xel{tx("cbc:GovernmentAgreementConstraintIndicator", "true")}, lotProcess()...)...),
			lotProject(t, period)),
		el("cac:TenderResult", tx("cbc:AwardDate", date(opened))),
	)
	return document(root), nil
}

// winnerOrg is the winning organisation of an award notice.
type winnerOrg struct {
	name string
	w    Winner
}

// priceRange is the lowest and highest price among the ranked bids.
func priceRange(ev *tender.Evaluation) (lo, hi string) {
	var l, h decimal.Decimal
	first := true
	for _, rk := range ev.Ranking {
		if rk.Rank == nil {
			continue
		}
		p := rk.Price.Amount.Decimal()
		if first || p.LessThan(l) {
			l = p
		}
		if first || p.GreaterThan(h) {
			h = p
		}
		first = false
	}
	return l.StringFixed(2), h.StringFixed(2)
}

// stats are the lot's received-submission statistics (BT-759, BT-760):
// the tenders received, all electronically (footprint receives nothing
// else), the SMEs among them and the counts by size and origin w gives.
func stats(received int, w *Winner) []*xel {
	one := func(code string, n int) *xel {
		return el("efac:ReceivedSubmissionsStatistics",
			tx("efbc:StatisticsCode", code, "listName", "received-submission-type"),
			tx("efbc:StatisticsNumeric", fmt.Sprint(n)))
	}
	// By size, micro, small and medium are given each, not as t-sme
	// (BR-BT-13713-0117 takes one or the other).
	out := []*xel{one("tenders", received), one("t-esubm", received)}
	for _, k := range receivedKinds {
		out = append(out, one(k.code, w.Received[k.key]))
	}
	return out
}

// rootAttrs are the namespace declarations of a notice whose root is
// name.
func rootAttrs(name string) []string {
	return []string{
		"xmlns", "urn:oasis:names:specification:ubl:schema:xsd:" + name + "-2",
		"xmlns:cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
		"xmlns:cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
		"xmlns:ext", "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
		"xmlns:efac", "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
		"xmlns:efbc", "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
		"xmlns:efext", "http://data.europa.eu/p27/eforms-ubl-extensions/1",
	}
}

// header is a notice's identification: ids derived from the tender id
// and kind, issue date and time issued, notice type.
func header(t tender.Tender, kind string, issued time.Time, typeList, typeCode string) []*xel {
	return []*xel{
		tx("cbc:UBLVersionID", "2.3"),
		tx("cbc:CustomizationID", SDKVersion),
		tx("cbc:ID", NoticeID(t.ID, kind), "schemeName", "notice-id"),
		tx("cbc:ContractFolderID", FolderID(t.ID)),
		tx("cbc:IssueDate", date(issued)),
		tx("cbc:IssueTime", clock(issued)),
		tx("cbc:VersionID", "01"),
		tx("cbc:RegulatoryDomain", RegulatoryDomain),
		tx("cbc:NoticeTypeCode", typeCode, "listName", typeList),
		tx("cbc:NoticeLanguageCode", "ENG"),
	}
}

// NoticeID is the notice identifier (BT-701) of tender tenderID's notice
// of kind ("cn", "can"): a UUID v5 of both, the same at every export.
func NoticeID(tenderID, kind string) string {
	return format(uuid5(namespace, "notice/"+kind+"/"+tenderID))
}

// FolderID is the procedure identifier (BT-04) of tender tenderID,
// shared by its notices: a UUID v5 of the id.
func FolderID(tenderID string) string { return format(uuid5(namespace, "procedure/"+tenderID)) }

// uuid5 is the RFC 4122 name-based (SHA-1) UUID of name in ns, marked
// version 4 (random) as the eForms SDK requires of notice and procedure
// identifiers (BR-BT-00701-0052): deterministic, and 122 bits that no
// other procedure's identifier shares.
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x40 // the SDK's rules take the v4 layout only
	u[8] = u[8]&0x3f | 0x80
	return u
}

func format(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// date and clock write a time in UTC as eForms dates and times do.
func date(t time.Time) string  { return t.UTC().Format("2006-01-02") + "Z" }
func clock(t time.Time) string { return t.UTC().Format("15:04:05") + "Z" }

func partyID(id string) *xel {
	return el("cac:PartyIdentification", tx("cbc:ID", id, "schemeName", "organization"))
}

func requirement(list, code string) *xel {
	return el("cac:TendererQualificationRequest", el("cac:SpecificTendererRequirement",
		tx("cbc:TendererRequirementTypeCode", code, "listName", list)))
}

func execution(list, code string) *xel {
	return el("cac:ContractExecutionRequirement", tx("cbc:ExecutionRequirementCode", code, "listName", list))
}

// organizations are the notice's organisations: the buyer, the review
// body, and the winner when there is one.
func organizations(n *tender.Notice, wo *winnerOrg) *xel {
	buyer := company(orgBuyer, n.BuyerLegalName, n.BuyerID, n.BuyerURL, address(n.BuyerTown, n.BuyerPostcode, n.BuyerNUTS, n.BuyerCountry), "")
	buyer.kids = append(buyer.kids, el("cac:Contact", tx("cbc:Telephone", n.BuyerPhone), tx("cbc:ElectronicMail", n.BuyerEmail)))
	review := company(orgReview, n.ReviewBodyName, n.ReviewBodyID, "", address(n.ReviewBodyTown, n.ReviewBodyPostcode, n.ReviewBodyNUTS, n.BuyerCountry), "")
	orgs := el("efac:Organizations", el("efac:Organization", buyer.wrap()), el("efac:Organization", review.wrap()))
	if wo != nil {
		win := company(orgWinner, wo.name, wo.w.ID, "", address(wo.w.Town, wo.w.Postcode, wo.w.NUTS, wo.w.Country), wo.w.Size)
		orgs.kids = append(orgs.kids, el("efac:Organization", win.wrap()))
	}
	return orgs
}

// companyNode is an efac:Company being built.
type companyNode struct{ *xel }

func (c companyNode) wrap() *xel { return c.xel }

// company is an organisation's efac:Company: size, id, website, name,
// address, legal entity; the caller may add a contact.
func company(id, name, legalID, url string, addr *xel, size string) companyNode {
	c := el("efac:Company")
	if size != "" {
		c.kids = append(c.kids, tx("efbc:CompanySizeCode", size, "listName", "economic-operator-size"))
	}
	if url != "" {
		c.kids = append(c.kids, tx("cbc:WebsiteURI", url))
	}
	c.kids = append(c.kids, partyID(id),
		el("cac:PartyName", tx("cbc:Name", name, "languageID", "ENG")),
		addr,
		el("cac:PartyLegalEntity", tx("cbc:CompanyID", legalID)))
	return companyNode{c}
}

// address is a postal address; the NUTS code only for a NUTS country.
func address(town, postcode, nuts, country string) *xel {
	a := el("cac:PostalAddress", tx("cbc:CityName", town))
	if postcode != "" {
		a.kids = append(a.kids, tx("cbc:PostalZone", postcode))
	}
	if nuts != "" && nutsCountries[country] {
		a.kids = append(a.kids, tx("cbc:CountrySubentityCode", nuts, "listName", "nuts"))
	}
	a.kids = append(a.kids, el("cac:Country", tx("cbc:IdentificationCode", country, "listName", "country")))
	return a
}

// place is the place of performance: the buyer's address.
func place(n *tender.Notice) *xel {
	a := el("cac:Address", tx("cbc:CityName", n.BuyerTown), tx("cbc:PostalZone", n.BuyerPostcode))
	if n.BuyerNUTS != "" && nutsCountries[n.BuyerCountry] {
		a.kids = append(a.kids, tx("cbc:CountrySubentityCode", n.BuyerNUTS, "listName", "nuts"))
	}
	a.kids = append(a.kids, el("cac:Country", tx("cbc:IdentificationCode", n.BuyerCountry, "listName", "country")))
	return el("cac:RealizedLocation", a)
}

func contractingParty(n *tender.Notice) *xel {
	return el("cac:ContractingParty",
		el("cac:ContractingPartyType", tx("cbc:PartyTypeCode", n.BuyerLegalType, "listName", "buyer-legal-type")),
		el("cac:ContractingActivity", tx("cbc:ActivityTypeCode", n.BuyerActivity, "listName", "authority-activity")),
		el("cac:Party", partyID(orgBuyer)))
}

// procedureProject is the procedure's purpose (BT-21, BT-24, BT-23,
// BT-262, place of performance).
func procedureProject(t tender.Tender) *xel {
	n := t.Notice
	return el("cac:ProcurementProject",
		tx("cbc:Name", t.Title, "languageID", "ENG"),
		tx("cbc:Description", n.Description, "languageID", "ENG"),
		tx("cbc:ProcurementTypeCode", n.ContractNature, "listName", "contract-nature"),
		el("cac:MainCommodityClassification", tx("cbc:ItemClassificationCode", n.CPV, "listName", "cpv")),
		place(n))
}

// unknownPeriod is a planned period of unknown duration (BT-36 UNKNOWN).
func unknownPeriod() *xel {
	return el("cac:PlannedPeriod", tx("cbc:DescriptionCode", "UNKNOWN", "listName", "timeperiod"))
}

// lotProject is the lot's purpose, with the strategic procurement terms
// of a carbon award rule (BT-06 env-imp, BT-774 clim-mitig, BT-805).
//
// period is the lot's planned period: the contract's dates in an award
// notice with a winner (BR-BT-00538-0130 forbids an unknown duration
// there), nil for "UNKNOWN" (BT-36), which the officer completes.
func lotProject(t tender.Tender, period *xel) *xel {
	n := t.Notice
	p := el("cac:ProcurementProject",
		tx("cbc:ID", t.Reference, "schemeName", "InternalID"),
		tx("cbc:Name", t.Title, "languageID", "ENG"),
		tx("cbc:Description", n.Description, "languageID", "ENG"),
		tx("cbc:ProcurementTypeCode", n.ContractNature, "listName", "contract-nature"))
	if t.Award.Rule != tender.PriceOnly {
		p.kids = append(p.kids,
			el("cac:ProcurementAdditionalType", tx("cbc:ProcurementTypeCode", "clim-mitig", "listName", "environmental-impact")),
			el("cac:ProcurementAdditionalType", tx("cbc:ProcurementTypeCode", "other", "listName", "gpp-criteria")),
			el("cac:ProcurementAdditionalType",
				tx("cbc:ProcurementTypeCode", "env-imp", "listName", "strategic-procurement"),
				tx("cbc:ProcurementType", "Climate change mitigation: the bids' life-cycle greenhouse-gas footprints (kg CO2e, method "+
					t.Method.Ref()+") count in the award criterion.", "languageID", "ENG")))
	}
	p.kids = append(p.kids,
		el("cac:MainCommodityClassification", tx("cbc:ItemClassificationCode", n.CPV, "listName", "cpv")),
		place(n),
		period)
	return p
}

// lotProcess are the lot's fixed process terms: no auction, no framework
// agreement, no dynamic purchasing system.
func lotProcess() []*xel {
	return []*xel{
		el("cac:AuctionTerms", tx("cbc:AuctionConstraintIndicator", "false")),
		el("cac:ContractingSystem", tx("cbc:ContractingSystemTypeCode", "none", "listName", "framework-agreement")),
		el("cac:ContractingSystem", tx("cbc:ContractingSystemTypeCode", "none", "listName", "dps-usage")),
	}
}

// appealTerms name the review body, which also informs on review
// procedures (OPT-301 ReviewOrg and ReviewInfo).
func appealTerms() *xel {
	return el("cac:AppealTerms",
		el("cac:AppealInformationParty", partyID(orgReview)),
		el("cac:AppealReceiverParty", partyID(orgReview)))
}

// awardingTerms is the award criterion: its formula (BT-543) and the one
// criterion (BT-539 cost, or price for price_only; BT-734, BT-540).
func awardingTerms(t tender.Tender) *xel {
	kind, name, desc := "cost", "Notional price", ""
	a := t.Award
	switch a.Rule {
	case tender.PriceOnly:
		kind, name, desc = "price", "Price", "The bid's price in "+t.Currency+"; the lowest price wins."
	case tender.CarbonPrice:
		w := ""
		if a.CarbonPricePerT != nil {
			w = a.CarbonPricePerT.String()
		}
		desc = "Price plus the cost of the bid's greenhouse-gas footprint at " + w + " " + t.Currency +
			" per tonne CO2e (footprint computed under method " + t.Method.Ref() + "); the lowest notional price wins."
	case tender.Ladder:
		desc = "Price reduced by the fictitious discount of the certification level the bid declares (footprint computed under method " +
			t.Method.Ref() + "); the lowest notional price wins."
	}
	return el("cac:AwardingTerms", el("cac:AwardingCriterion",
		tx("cbc:CalculationExpression", formula(t), "languageID", "ENG"),
		el("cac:SubordinateAwardingCriterion",
			tx("cbc:AwardingCriterionTypeCode", kind, "listName", "award-criterion-type"),
			tx("cbc:Name", name, "languageID", "ENG"),
			tx("cbc:Description", desc, "languageID", "ENG"))))
}

// formula states the award rule's formula with its declared values
// (BT-543): tender.Award.Statement, the words every export uses.
func formula(t tender.Tender) string { return t.Award.Statement(t.Currency) }

// WinnerParams are the names of a Winner's fields as an export takes them
// (query parameters, command-line flags), in order.
var WinnerParams = []string{"winner_id", "winner_country", "winner_town", "winner_postcode", "winner_nuts", "winner_size", "contract_date", "contract_end",
	"received_micro", "received_small", "received_medium", "received_large", "received_non_eea", "received_other_eea"}

// ParseWinner reads a Winner from its parameters (get returns "" for one
// not given); it returns nil when none is given, and the problems of the
// given ones by parameter name.
func ParseWinner(get func(name string) string) (w *Winner, problems map[string]string) {
	v := map[string]string{}
	for _, p := range WinnerParams {
		if s := get(p); s != "" {
			v[p] = s
		}
	}
	if len(v) == 0 {
		return nil, nil
	}
	problems = map[string]string{}
	w = &Winner{ID: v["winner_id"], Country: v["winner_country"], Town: v["winner_town"], Postcode: v["winner_postcode"],
		NUTS: v["winner_nuts"], Size: v["winner_size"]}
	for p, s := range v {
		if len(s) > 400 || strings.TrimSpace(s) != s || strings.ContainsAny(s, "\x00\r\n") {
			problems[p] = "at most 400 characters, without leading or trailing spaces or line breaks"
		}
	}
	if c := w.Country; c != "" && !countryRe.MatchString(c) {
		problems["winner_country"] = "give the ISO 3166-1 alpha-3 code, e.g. DEU"
	}
	if n := w.NUTS; n != "" && !nutsRe.MatchString(n) {
		problems["winner_nuts"] = "give the NUTS 3 code of the winner's address, e.g. DE300"
	}
	switch w.Size {
	case "", "micro", "small", "medium", "large":
	default:
		problems["winner_size"] = "use micro, small, medium or large"
	}
	for _, k := range receivedKinds {
		s, ok := v["received_"+k.key]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > tender.MaxMaxBids {
			problems["received_"+k.key] = fmt.Sprintf("give a whole number of bids from 0 to %d", tender.MaxMaxBids)
			continue
		}
		if w.Received == nil {
			w.Received = map[string]int{}
		}
		w.Received[k.key] = n
	}
	if d := v["contract_end"]; d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			problems["contract_end"] = "give the date the contract ends as YYYY-MM-DD"
		}
		w.ContractEnd = t
	}
	if d := v["contract_date"]; d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			problems["contract_date"] = "give the date the contract was concluded as YYYY-MM-DD"
		}
		w.Contract = t
	}
	if !w.Contract.IsZero() && !w.ContractEnd.IsZero() && !w.ContractEnd.After(w.Contract) {
		problems["contract_end"] = "the contract must end after it is concluded (contract_date)"
	}
	return w, problems
}

var (
	countryRe = regexp.MustCompile(`^[A-Z]{3}$`)
	nutsRe    = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{1,3}$`)
)
