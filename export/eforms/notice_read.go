package eforms

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/tender"
)

// Reading a contract notice (docs/tenders.md "Creating a tender from an
// eForms notice"): ReadContractNotice maps an eForms contract notice of
// one lot to what a tender needs, and refuses, naming each business term
// and its XPath (as the SDK's fields/fields.json gives them), what it
// cannot map. Package tenders turns the result into a tender request:
// the method and the limits rule are not in a notice.

// Sentinel errors of the reader, for errors.Is.
var (
	// ErrMalformed: the document is not well-formed XML, or has what the
	// reader refuses (a document type declaration, a non-UTF-8 encoding,
	// too deep a nesting).
	ErrMalformed = errors.New("malformed eForms notice")
	// ErrTooLarge: the document is over MaxNoticeBytes or MaxNoticeElements.
	ErrTooLarge = errors.New("eForms notice too large")
	// ErrUnmappable: the notice is read, but is not a contract notice or
	// holds what a tender cannot take, or lacks what it needs.
	ErrUnmappable = errors.New("eForms notice cannot be made a tender")
)

// Problem is one thing of a notice that cannot be mapped: the business
// term (e.g. "BT-131(d)-Lot"), its XPath and what is wrong.
type Problem struct {
	Term   string `json:"business_term"`
	XPath  string `json:"xpath"`
	Detail string `json:"detail"`
}

func (p Problem) String() string { return p.Term + " (" + p.XPath + "): " + p.Detail }

// Error is an error of the reader: Err is one of its sentinels, Detail
// the message, Problems each business term at fault.
type Error struct {
	Err      error
	Detail   string
	Problems []Problem
}

func (e *Error) Error() string { return e.Detail }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// Business terms the reader uses, with their XPaths (SDK 1.15 fields.json).
const (
	lotXP    = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
	critXP   = lotXP + "/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion"
	orgXP    = "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:Organizations/efac:Organization/efac:Company"
	weightXP = critXP + "/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:AwardCriterionParameter[efbc:ParameterCode/@listName='number-weight']/efbc:ParameterNumeric"
)

// Term is a business term and its XPath.
type Term struct{ ID, XPath string }

// The terms the reader reads.
var (
	TermSubtype       = Term{"OPP-070-notice", "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:NoticeSubType/cbc:SubTypeCode"}
	TermNoticeID      = Term{"BT-701-notice", "/*/cbc:ID[@schemeName='notice-id']"}
	TermLot           = Term{"BT-137-Lot", lotXP + "/cbc:ID"}
	TermRefProcedure  = Term{"BT-22-Procedure", "/*/cac:ProcurementProject/cbc:ID"}
	TermRefLot        = Term{"BT-22-Lot", lotXP + "/cac:ProcurementProject/cbc:ID"}
	TermTitleProc     = Term{"BT-21-Procedure", "/*/cac:ProcurementProject/cbc:Name"}
	TermTitleLot      = Term{"BT-21-Lot", lotXP + "/cac:ProcurementProject/cbc:Name"}
	TermBuyerRef      = Term{"OPT-300-Procedure-Buyer", "/*/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID"}
	TermBuyerName     = Term{"BT-500-Organization-Company", orgXP + "/cac:PartyName/cbc:Name"}
	TermBuyerID       = Term{"BT-501-Organization-Company", orgXP + "/cac:PartyLegalEntity/cbc:CompanyID"}
	TermBuyerCountry  = Term{"BT-514-Organization-Company", orgXP + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode"}
	TermBuyerTown     = Term{"BT-513-Organization-Company", orgXP + "/cac:PostalAddress/cbc:CityName"}
	TermBuyerPostcode = Term{"BT-512-Organization-Company", orgXP + "/cac:PostalAddress/cbc:PostalZone"}
	TermBuyerEmail    = Term{"BT-506-Organization-Company", orgXP + "/cac:Contact/cbc:ElectronicMail"}
	TermBuyerURL      = Term{"BT-505-Organization-Company", orgXP + "/cbc:WebsiteURI"}
	TermLegalType     = Term{"BT-11-Procedure-Buyer", "/*/cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode[@listName='buyer-legal-type']"}
	TermActivity      = Term{"BT-10-Procedure-Buyer", "/*/cac:ContractingParty/cac:ContractingActivity/cbc:ActivityTypeCode[@listName='authority-activity']"}
	TermCPVProc       = Term{"BT-262-Procedure", "/*/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode"}
	TermCPVLot        = Term{"BT-262-Lot", lotXP + "/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode"}
	TermNatureProc    = Term{"BT-23-Procedure", "/*/cac:ProcurementProject/cbc:ProcurementTypeCode"}
	TermNatureLot     = Term{"BT-23-Lot", lotXP + "/cac:ProcurementProject/cbc:ProcurementTypeCode[@listName='contract-nature']"}
	TermDescProc      = Term{"BT-24-Procedure", "/*/cac:ProcurementProject/cbc:Description"}
	TermDescLot       = Term{"BT-24-Lot", lotXP + "/cac:ProcurementProject/cbc:Description"}
	TermDeadlineDate  = Term{"BT-131(d)-Lot", lotXP + "/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate"}
	TermDeadlineTime  = Term{"BT-131(t)-Lot", lotXP + "/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime"}
	TermValueProc     = Term{"BT-27-Procedure-Currency", "/*/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount/@currencyID"}
	TermValueLot      = Term{"BT-27-Lot-Currency", lotXP + "/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount/@currencyID"}
	TermAnyCurrency   = Term{"currencyID", "//@currencyID"}
	TermCritType      = Term{"BT-539-Lot", critXP + "/cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']"}
	TermCritDesc      = Term{"BT-540-Lot", critXP + "/cbc:Description"}
	TermCritWeight    = Term{"BT-541-Lot-WeightNumber", weightXP}
	TermFormula       = Term{"BT-543-Lot", lotXP + "/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cbc:CalculationExpression"}
)

// Subtypes is what the reader takes of each notice subtype (OPP-070): the
// calls for competition of the directives and the voluntary E3. Others
// are refused with the reason given here.
var refusedSubtypes = map[string]string{
	"15": "a notice on the existence of a qualification system, not a call for tenders with one deadline",
	"23": "a design contest notice: a jury decides, not a ranking of priced bids",
	"24": "a design contest notice: a jury decides, not a ranking of priced bids",
}

var acceptedSubtypes = map[string]bool{"16": true, "17": true, "18": true, "19": true, "20": true, "21": true, "22": true, "E3": true}

// Options are what the caller gives beside the notice: each, when set,
// replaces what the notice says (and fills what it lacks).
type Options struct {
	// Deadline is the time of the tender's deadline, for a notice without
	// BT-131 (restricted and negotiated procedures set it in the
	// invitation to tender).
	Deadline time.Time
	// Currency is an ISO 4217 code, for a notice without any amount.
	Currency string
	// CarbonPricePerT is W, the carbon price per tonne CO2e of the cost
	// criterion, for a notice that does not state it.
	CarbonPricePerT string
	// Lot is the identifier (BT-137) of the lot to take from a notice of
	// several lots; empty for a notice of one.
	Lot string
}

// ContractNotice is what a tender takes of an eForms contract notice.
type ContractNotice struct {
	// Subtype is the notice subtype (OPP-070), NoticeID its BT-701.
	Subtype, NoticeID string
	// Reference is BT-22 of the procedure, else of the lot, else the
	// notice id (BT-701); Title is BT-21 of the procedure, else the lot's;
	// Buyer the buyer's name (BT-500). Sources says which terms they came
	// from, by JSON Pointer of the tender request ("/reference").
	Reference, Title, Buyer string
	// Notice holds the buyer's details and the purchase's classification.
	Notice tender.Notice
	// Deadline is BT-131 (date and time, in the notice's zone), or
	// Options.Deadline.
	Deadline time.Time
	// Currency is the currencyID of BT-27 (procedure, then lot), else of
	// the first amount of the notice, or Options.Currency.
	Currency string
	// Rule is "carbon_price" or "price_only"; CarbonPricePerT is W for
	// carbon_price (an exact decimal as text).
	Rule, CarbonPricePerT string
	// Notes say what the mapping chose where the notice left a choice.
	Notes []string
	// Sources names, by JSON Pointer of the tender request, the term each
	// field came from (so that a later check can name it).
	Sources map[string]Term
}

// maxLotsNamed is the most lot identifiers a refusal lists.
const maxLotsNamed = 10

// ReadContractNotice reads an eForms contract notice (UBL 2.3 XML, at
// most MaxNoticeBytes) of one lot and maps it to a tender's fields, with
// opt filling or replacing the deadline, currency and carbon price. It
// refuses every notice it cannot map with an *Error (ErrMalformed,
// ErrTooLarge or ErrUnmappable) whose problems name the business terms.
// It never panics on any input.
func ReadContractNotice(r io.Reader, opt Options) (*ContractNotice, error) {
	root, err := parseNotice(r)
	if err != nil {
		return nil, err
	}
	m := &mapper{root: root, out: &ContractNotice{Sources: map[string]Term{}}}
	return m.read(opt)
}

type mapper struct {
	root     *node
	lang     string
	out      *ContractNotice
	problems []Problem
}

func (m *mapper) fail(t Term, format string, args ...any) {
	m.problems = append(m.problems, Problem{Term: t.ID, XPath: t.XPath, Detail: fmt.Sprintf(format, args...)})
}

func (m *mapper) refuse(detail string) error {
	return &Error{Err: ErrUnmappable, Detail: detail, Problems: m.problems}
}

func (m *mapper) read(opt Options) (*ContractNotice, error) {
	root, out := m.root, m.out
	if root.name.Local != "ContractNotice" || root.name.Space != nsCN {
		what := clip.Text(root.name.Local)
		if root.name.Local == "ContractNotice" {
			what += fmt.Sprintf(" in namespace %q", clip.ID(root.name.Space))
		}
		m.problems = append(m.problems, Problem{Term: "root element", XPath: "/*", Detail: fmt.Sprintf("the root element is %s: only an eForms ContractNotice (namespace %s) can be made a tender, not an award notice, a prior information notice or another document", what, nsCN)})
		return nil, m.refuse("not an eForms contract notice")
	}
	ext := root.one("ext:UBLExtensions", "ext:UBLExtension", "ext:ExtensionContent", "efext:EformsExtension")
	out.Subtype = ext.one("efac:NoticeSubType", "cbc:SubTypeCode").value()
	switch {
	case out.Subtype == "":
		m.fail(TermSubtype, "no notice subtype")
	case refusedSubtypes[out.Subtype] != "":
		m.fail(TermSubtype, "subtype %s is %s", out.Subtype, refusedSubtypes[out.Subtype])
	case !acceptedSubtypes[out.Subtype]:
		m.fail(TermSubtype, "subtype %q is not a contract notice subtype this reader takes (16 to 22, E3)", clip.Text(out.Subtype))
	}
	if len(m.problems) > 0 {
		return nil, m.refuse("the notice subtype cannot be made a tender")
	}
	m.lang = root.one("cbc:NoticeLanguageCode").value()
	out.NoticeID = root.one("cbc:ID").value()
	var lots []*node
	for _, l := range root.all("cac:ProcurementProjectLot") {
		if l.one("cbc:ID").attr("schemeName") == "Lot" {
			lots = append(lots, l)
		}
	}
	ids := make([]string, 0, len(lots))
	for i, l := range lots {
		if i == maxLotsNamed {
			ids = append(ids, "…")
			break
		}
		ids = append(ids, clip.ID(l.one("cbc:ID").value()))
	}
	var lot *node
	switch {
	case len(lots) == 0:
		m.fail(TermLot, "the notice has no lot")
		return nil, m.refuse("the notice has no lot")
	case opt.Lot != "":
		for _, l := range lots {
			if l.one("cbc:ID").value() == opt.Lot {
				lot = l
			}
		}
		if lot == nil {
			m.fail(TermLot, "the notice has no lot %q; its lots are %s", clip.ID(opt.Lot), strings.Join(ids, ", "))
			return nil, m.refuse("no such lot")
		}
	case len(lots) == 1:
		lot = lots[0]
	default:
		m.fail(TermLot, "the notice has %d lots (%s); a tender is one lot: choose it with --lot (the query parameter lot), one tender per lot", len(lots), strings.Join(ids, ", "))
		return nil, m.refuse(fmt.Sprintf("the notice has %d lots", len(lots)))
	}
	proc := root.one("cac:ProcurementProject")
	lotProj := lot.one("cac:ProcurementProject")

	out.Reference = m.first("/reference", []Term{TermRefProcedure, TermRefLot, TermNoticeID}, proc.one("cbc:ID"), lotProj.one("cbc:ID"), root.one("cbc:ID"))
	if len(lots) > 1 && out.Reference != "" {
		// One tender per lot: the lot's identifier keeps their references apart.
		out.Reference += " " + lot.one("cbc:ID").value()
		out.Notes = append(out.Notes, fmt.Sprintf("lot %s of %d: the reference names it", clip.ID(opt.Lot), len(lots)))
	}
	if out.Reference == "" {
		m.fail(TermRefProcedure, "no internal identifier (BT-22 of the procedure or lot) and no notice identifier (BT-701): the tender needs a reference")
	}
	out.Title = m.firstText("/title", []Term{TermTitleProc, TermTitleLot}, proc.all("cbc:Name"), lotProj.all("cbc:Name"))
	if out.Title == "" {
		m.fail(TermTitleProc, "no title of the procedure or of the lot (BT-21): the tender needs one")
	}
	m.buyer()
	n := &out.Notice
	n.CPV = m.first("/notice/cpv", []Term{TermCPVProc, TermCPVLot}, proc.one("cac:MainCommodityClassification", "cbc:ItemClassificationCode"), lotProj.one("cac:MainCommodityClassification", "cbc:ItemClassificationCode"))
	n.ContractNature = m.first("/notice/contract_nature", []Term{TermNatureProc, TermNatureLot}, proc.one("cbc:ProcurementTypeCode"), lotProj.one("cbc:ProcurementTypeCode"))
	n.Description = m.firstText("/notice/description", []Term{TermDescProc, TermDescLot}, proc.all("cbc:Description"), lotProj.all("cbc:Description"))

	m.deadline(lot, opt)
	m.currency(proc, lotProj, opt)
	m.award(lot, opt)
	if len(m.problems) > 0 {
		return nil, m.refuse(fmt.Sprintf("the notice cannot be made a tender: %d problem(s); see errors", len(m.problems)))
	}
	return out, nil
}

// first returns the value of the first non-empty node, recording its term
// as the source of pointer.
func (m *mapper) first(pointer string, terms []Term, nodes ...*node) string {
	for i, n := range nodes {
		if v := n.value(); v != "" {
			m.out.Sources[pointer] = terms[i]
			return v
		}
	}
	return ""
}

// firstText is first for multilingual texts: of each term, the text in
// the notice's language (BT-702), else its first.
func (m *mapper) firstText(pointer string, terms []Term, sets ...[]*node) string {
	for i, set := range sets {
		var pick string
		for _, n := range set {
			v := n.value()
			if v == "" {
				continue
			}
			if pick == "" || (m.lang != "" && n.attr("languageID") == m.lang) {
				pick = v
				if n.attr("languageID") == m.lang {
					break
				}
			}
		}
		if pick != "" {
			m.out.Sources[pointer] = terms[i]
			return pick
		}
	}
	return ""
}

// buyer reads the buyer (the first contracting party) from its
// organisation.
func (m *mapper) buyer() {
	parties := m.root.all("cac:ContractingParty")
	if len(parties) == 0 {
		m.fail(TermBuyerRef, "no buyer: the tender needs one")
		return
	}
	if len(parties) > 1 {
		m.out.Notes = append(m.out.Notes, fmt.Sprintf("%d buyers (joint procurement): the first is the tender's buyer", len(parties)))
	}
	p := parties[0]
	n := &m.out.Notice
	n.BuyerLegalType = m.first("/notice/buyer_legal_type", []Term{TermLegalType}, codeIn(p.all("cac:ContractingPartyType", "cbc:PartyTypeCode"), "buyer-legal-type"))
	n.BuyerActivity = m.first("/notice/buyer_activity", []Term{TermActivity}, codeIn(p.all("cac:ContractingActivity", "cbc:ActivityTypeCode"), "authority-activity"))
	ref := p.one("cac:Party", "cac:PartyIdentification", "cbc:ID").value()
	if ref == "" {
		m.fail(TermBuyerRef, "the buyer names no organisation")
		return
	}
	var org *node
	for _, o := range m.root.all("ext:UBLExtensions", "ext:UBLExtension", "ext:ExtensionContent", "efext:EformsExtension", "efac:Organizations", "efac:Organization", "efac:Company") {
		if o.one("cac:PartyIdentification", "cbc:ID").value() == ref {
			org = o
			break
		}
	}
	if org == nil {
		m.fail(TermBuyerRef, "the buyer's organisation %q is not among the notice's organisations", clip.Text(ref))
		return
	}
	m.out.Buyer = m.firstText("/buyer", []Term{TermBuyerName}, org.all("cac:PartyName", "cbc:Name"))
	if m.out.Buyer == "" {
		m.fail(TermBuyerName, "the buyer's organisation %q has no name", clip.Text(ref))
	}
	n.BuyerLegalName = m.out.Buyer
	m.out.Sources["/notice/buyer_legal_name"] = TermBuyerName
	n.BuyerID = m.first("/notice/buyer_id", []Term{TermBuyerID}, org.one("cac:PartyLegalEntity", "cbc:CompanyID"))
	n.BuyerCountry = m.first("/notice/buyer_country", []Term{TermBuyerCountry}, org.one("cac:PostalAddress", "cac:Country", "cbc:IdentificationCode"))
	n.BuyerTown = m.first("/notice/buyer_town", []Term{TermBuyerTown}, org.one("cac:PostalAddress", "cbc:CityName"))
	n.BuyerPostcode = m.first("/notice/buyer_postcode", []Term{TermBuyerPostcode}, org.one("cac:PostalAddress", "cbc:PostalZone"))
	n.BuyerEmail = m.first("/notice/buyer_email", []Term{TermBuyerEmail}, org.one("cac:Contact", "cbc:ElectronicMail"))
	n.BuyerURL = m.first("/notice/buyer_url", []Term{TermBuyerURL}, org.one("cbc:WebsiteURI"))
}

// codeIn returns the first of ns whose listName is list.
func codeIn(ns []*node, list string) *node {
	for _, n := range ns {
		if n.attr("listName") == list {
			return n
		}
	}
	return nil
}

var (
	dateRe = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$`)
	timeRe = regexp.MustCompile(`^([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

// deadline reads BT-131: date and time, in the time's zone (else the
// date's); a notice without it takes opt.Deadline.
func (m *mapper) deadline(lot *node, opt Options) {
	if !opt.Deadline.IsZero() {
		m.out.Deadline = opt.Deadline
		return
	}
	p := lot.one("cac:TenderingProcess", "cac:TenderSubmissionDeadlinePeriod")
	ds, ts := p.one("cbc:EndDate").value(), p.one("cbc:EndTime").value()
	if ds == "" {
		m.fail(TermDeadlineDate, "no deadline for the receipt of tenders: a tender needs one; give it beside the notice (--deadline, ?deadline=), e.g. for a restricted or negotiated procedure whose invitation sets it")
		return
	}
	if ts == "" {
		m.fail(TermDeadlineTime, "the deadline %s has no time", clip.Text(ds))
		return
	}
	dm, tm := dateRe.FindStringSubmatch(ds), timeRe.FindStringSubmatch(ts)
	if dm == nil {
		m.fail(TermDeadlineDate, "%q is not a date (YYYY-MM-DD with an optional zone)", clip.Text(ds))
	}
	if tm == nil {
		m.fail(TermDeadlineTime, "%q is not a time (hh:mm:ss with a zone)", clip.Text(ts))
	}
	if dm == nil || tm == nil {
		return
	}
	zone := tm[5]
	if zone == "" {
		zone = dm[4]
	}
	if zone == "" {
		m.fail(TermDeadlineTime, "the deadline %s %s has no time zone", clip.Text(ds), clip.Text(ts))
		return
	}
	s := dm[1] + "-" + dm[2] + "-" + dm[3] + "T" + tm[1] + ":" + tm[2] + ":" + tm[3] + tm[4] + zone
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		m.fail(TermDeadlineDate, "%s %s is not a valid date and time", clip.Text(ds), clip.Text(ts))
		return
	}
	m.out.Deadline = t
	m.out.Sources["/deadline"] = TermDeadlineDate
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// currency reads the currency of the estimated value (BT-27), else of
// the first amount of the notice.
func (m *mapper) currency(proc, lotProj *node, opt Options) {
	if opt.Currency != "" {
		m.out.Currency = opt.Currency
		return
	}
	pick := func(t Term, c string) bool {
		if c == "" {
			return false
		}
		if !currencyRe.MatchString(c) {
			m.fail(t, "%q is not an ISO 4217 currency code", clip.Text(c))
			return true
		}
		m.out.Currency = c
		m.out.Sources["/currency"] = t
		return true
	}
	if pick(TermValueProc, proc.one("cac:RequestedTenderTotal", "cbc:EstimatedOverallContractAmount").attr("currencyID")) ||
		pick(TermValueLot, lotProj.one("cac:RequestedTenderTotal", "cbc:EstimatedOverallContractAmount").attr("currencyID")) ||
		pick(TermAnyCurrency, firstAttr(m.root, "currencyID", 0)) {
		return
	}
	m.fail(TermValueProc, "no amount gives the currency (BT-27 estimated value, or any other amount): give it beside the notice (--currency, ?currency=)")
}

// firstAttr returns the first attribute of local name a in document order.
func firstAttr(n *node, a string, depth int) string {
	if v := n.attr(a); v != "" || depth > MaxNoticeDepth {
		return v
	}
	for _, c := range n.children {
		if v := firstAttr(c, a, depth+1); v != "" {
			return v
		}
	}
	return ""
}

// The carbon price the reader finds in BT-543 or in the cost criterion's
// description (BT-540) or name (BT-734): an amount, optionally with an
// ISO 4217 code before or after it, then "per", "/", "×", "x" or "*",
// then a tonne of CO2e ("t", "tonne(s)", "ton(s)", optionally "of",
// then "CO2e", "CO2-e", "CO2eq", "CO2-eq", "CO2 equivalent"; CO₂ too).
// Examples: "100 EUR per t CO2e", "EUR 85.50/tCO2e", "price + 100 × t CO2e".
// The amount is digits with an optional decimal point: no thousands
// separators, no decimal comma.
var carbonRe = regexp.MustCompile(`(?:\b([A-Z]{3})\s*)?([0-9]+(?:\.[0-9]+)?)\s*(?:([A-Z]{3})\s*)?(?:/|(?i:per)\b|×|\bx\b|\*)\s*(?i:t|tonnes?|tons?)\s*(?i:of\s*)?(?i:CO2|CO₂)[-\s]?(?i:e\b|eq\b|equivalents?\b)`)

type criterion struct {
	kind, name, desc string
	weights          []string
}

// award maps the lot's award criteria (BT-539) to a rule: one cost
// criterion (with any price criterion) → carbon_price with W found in
// the notice or given; a sole cost criterion without W → price_only; a
// sole price criterion → price_only. Quality criteria, several criteria
// of a kind, weights on several criteria and no criterion are refused.
func (m *mapper) award(lot *node, opt Options) {
	terms := lot.one("cac:TenderingTerms", "cac:AwardingTerms")
	var crits []criterion
	var texts []string // where W may be written
	for _, ac := range terms.all("cac:AwardingCriterion") {
		for _, f := range ac.all("cbc:CalculationExpression") {
			texts = append(texts, f.value())
		}
		for _, s := range ac.all("cac:SubordinateAwardingCriterion") {
			c := criterion{kind: s.one("cbc:AwardingCriterionTypeCode").value(), name: s.one("cbc:Name").value(), desc: s.one("cbc:Description").value()}
			for _, p := range s.all("ext:UBLExtensions", "ext:UBLExtension", "ext:ExtensionContent", "efext:EformsExtension", "efac:AwardCriterionParameter") {
				if p.one("efbc:ParameterCode").attr("listName") == "number-weight" {
					c.weights = append(c.weights, p.one("efbc:ParameterNumeric").value())
				}
			}
			crits = append(crits, c)
			if c.kind == "cost" {
				for _, t := range s.all("cbc:Description") {
					texts = append(texts, t.value())
				}
				for _, t := range s.all("cbc:Name") {
					texts = append(texts, t.value())
				}
			}
		}
	}
	if len(crits) == 0 {
		m.fail(TermCritType, "no award criterion: footprint needs a cost criterion (price plus a carbon cost per tonne CO2e) or a sole price criterion")
		return
	}
	var cost, price, quality, weighted int
	for _, c := range crits {
		if len(c.weights) > 0 {
			weighted++
		}
		switch c.kind {
		case "cost":
			cost++
		case "price":
			price++
		case "quality":
			quality++
			w := ""
			if len(c.weights) > 0 {
				w = fmt.Sprintf(" weighted %s (%s)", clip.Text(c.weights[0]), TermCritWeight.ID)
			}
			m.fail(TermCritType, "a quality criterion %q%s: footprint ranks bids by a notional price (the price, or the price plus the carbon cost) and cannot score quality", clip.Text(firstNonEmpty(c.name, c.desc)), w)
		default:
			m.fail(TermCritType, "award criterion type %q: use cost or price", clip.Text(c.kind))
		}
	}
	if cost > 1 || price > 1 {
		m.fail(TermCritType, "%d cost and %d price criteria: footprint takes at most one of each", cost, price)
	}
	if quality > 0 || cost > 1 || price > 1 || cost+price != len(crits) {
		return
	}
	w, from := opt.CarbonPricePerT, "given beside the notice"
	if w == "" {
		var found []string
		for _, t := range texts {
			for _, sm := range carbonRe.FindAllStringSubmatch(t, -1) {
				cur := firstNonEmpty(sm[1], sm[3])
				if cur != "" && m.out.Currency != "" && cur != m.out.Currency {
					m.fail(TermFormula, "the carbon price %s %s per t CO2e is not in the tender's currency %s", sm[2], cur, m.out.Currency)
					return
				}
				found = appendNew(found, sm[2])
			}
		}
		switch len(found) {
		case 0:
		case 1:
			w, from = found[0], "read from "+TermFormula.ID+"/"+TermCritDesc.ID
		default:
			m.fail(TermFormula, "several carbon prices per tonne CO2e (%s): give one", strings.Join(found, ", "))
			return
		}
	}
	if w != "" {
		if d, err := decimal.NewFromString(w); err != nil || !d.IsPositive() {
			m.fail(TermFormula, "carbon price %q per t CO2e: give a positive decimal number", clip.Text(w))
			return
		}
	}
	switch {
	case cost == 1 && w != "":
		if price == 1 && weighted > 0 {
			m.fail(TermCritWeight, "the price and cost criteria are weighted: footprint adds the carbon cost to the price (price + W × t CO2e) and does not weight scores")
			return
		}
		m.out.Rule, m.out.CarbonPricePerT = "carbon_price", w
		m.out.Sources["/award/carbon_price_per_t"] = TermFormula
		m.out.Notes = append(m.out.Notes, fmt.Sprintf("the cost criterion (BT-539 cost) is the carbon_price rule, W = %s per t CO2e (%s)", w, from))
	case cost == 1 && price == 1:
		m.fail(TermFormula, "a price and a cost criterion, but no carbon price per tonne CO2e in the award formula (BT-543) or the cost criterion's description (BT-540), e.g. \"100 EUR per t CO2e\": state it there, or give it beside the notice (--carbon-price-per-t, ?carbon_price_per_t=)")
	case cost == 1:
		m.out.Rule = "price_only"
		m.out.Notes = append(m.out.Notes, "the sole cost criterion (BT-539 cost) states no carbon price per tonne CO2e (BT-543, BT-540): the rule is price_only, the bid's price being its cost; give --carbon-price-per-t (?carbon_price_per_t=) to count carbon")
	default:
		m.out.Rule = "price_only"
		m.out.Notes = append(m.out.Notes, "the sole price criterion (BT-539 price) is the price_only rule")
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
