package eforms

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sdkNotices is the folder of the eForms SDK's example notices, beside
// the repository (../shared); tests that need it skip without it.
var sdkNotices = filepath.Join("..", "..", "..", "shared", "eforms-sdk", "examples", "notices")

func sdkFiles(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(sdkNotices, "*.xml"))
	if len(files) == 0 {
		t.Skipf("no eForms SDK example notices in %s", sdkNotices)
	}
	return files
}

// minimalCN is a contract notice of one lot with a price criterion and a
// cost criterion whose description states the carbon price; {{CRIT}},
// {{DEADLINE}} and {{ROOT}} are replaced by the tests.
const minimalCN = `<?xml version="1.0" encoding="UTF-8"?>
<{{ROOT}} xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2" xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1" xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1" xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1">
<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
<efac:NoticeSubType><cbc:SubTypeCode listName="notice-subtype">16</cbc:SubTypeCode></efac:NoticeSubType>
<efac:Organizations><efac:Organization><efac:Company>
<cac:PartyIdentification><cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification>
<cac:PartyName><cbc:Name languageID="ENG">Rijkswaterstaat</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:CityName>Utrecht</cbc:CityName><cbc:PostalZone>3526 LA</cbc:PostalZone><cac:Country><cbc:IdentificationCode listName="country">NLD</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyLegalEntity><cbc:CompanyID>NL123456789</cbc:CompanyID></cac:PartyLegalEntity>
<cac:Contact><cbc:ElectronicMail>inkoop@example.nl</cbc:ElectronicMail></cac:Contact>
</efac:Company></efac:Organization></efac:Organizations>
</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
<cbc:ID schemeName="notice-id">11111111-2222-3333-4444-555555555555</cbc:ID>
<cbc:NoticeLanguageCode>ENG</cbc:NoticeLanguageCode>
<cac:ContractingParty>
<cac:ContractingPartyType><cbc:PartyTypeCode listName="buyer-legal-type">cga</cbc:PartyTypeCode></cac:ContractingPartyType>
<cac:ContractingActivity><cbc:ActivityTypeCode listName="authority-activity">gen-pub</cbc:ActivityTypeCode></cac:ContractingActivity>
<cac:Party><cac:PartyIdentification><cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification></cac:Party>
</cac:ContractingParty>
<cac:ProcurementProject>
<cbc:ID schemeName="InternalID">RWS-2026-017</cbc:ID>
<cbc:Name languageID="NLD">Onderhoud A12</cbc:Name>
<cbc:Name languageID="ENG">A12 maintenance</cbc:Name>
<cbc:Description languageID="ENG">Resurfacing
    of the A12.</cbc:Description>
<cbc:ProcurementTypeCode listName="contract-nature">works</cbc:ProcurementTypeCode>
<cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">45233142</cbc:ItemClassificationCode></cac:MainCommodityClassification>
<cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="EUR">2500000</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>
</cac:ProcurementProject>
<cac:ProcurementProjectLot>
<cbc:ID schemeName="Lot">LOT-0001</cbc:ID>
<cac:TenderingTerms><cac:AwardingTerms><cac:AwardingCriterion>
{{CRIT}}
</cac:AwardingCriterion></cac:AwardingTerms></cac:TenderingTerms>
<cac:TenderingProcess>{{DEADLINE}}</cac:TenderingProcess>
<cac:ProcurementProject><cbc:ID schemeName="InternalID">LOT-A</cbc:ID><cbc:Name languageID="ENG">A12 lot</cbc:Name></cac:ProcurementProject>
</cac:ProcurementProjectLot>
</{{ROOT}}>
`

const (
	priceCrit  = `<cac:SubordinateAwardingCriterion><cbc:AwardingCriterionTypeCode listName="award-criterion-type">price</cbc:AwardingCriterionTypeCode><cbc:Description languageID="ENG">Price</cbc:Description></cac:SubordinateAwardingCriterion>`
	costCrit   = `<cac:SubordinateAwardingCriterion><cbc:AwardingCriterionTypeCode listName="award-criterion-type">cost</cbc:AwardingCriterionTypeCode><cbc:Description languageID="ENG">Carbon cost of the works: 100 EUR per t CO2e of the footprint</cbc:Description></cac:SubordinateAwardingCriterion>`
	costPlain  = `<cac:SubordinateAwardingCriterion><cbc:AwardingCriterionTypeCode listName="award-criterion-type">cost</cbc:AwardingCriterionTypeCode><cbc:Description languageID="ENG">Life-cycle cost</cbc:Description></cac:SubordinateAwardingCriterion>`
	qualCrit   = `<cac:SubordinateAwardingCriterion><ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension><efac:AwardCriterionParameter><efbc:ParameterCode listName="number-weight">per-exa</efbc:ParameterCode><efbc:ParameterNumeric>40</efbc:ParameterNumeric></efac:AwardCriterionParameter></efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions><cbc:AwardingCriterionTypeCode listName="award-criterion-type">quality</cbc:AwardingCriterionTypeCode><cbc:Name languageID="ENG">Plan of approach</cbc:Name></cac:SubordinateAwardingCriterion>`
	deadlineOK = `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-11-02+01:00</cbc:EndDate><cbc:EndTime>12:00:00+01:00</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>`
)

func notice(crit, deadline string) string {
	return strings.NewReplacer("{{CRIT}}", crit, "{{DEADLINE}}", deadline, "{{ROOT}}", "ContractNotice").Replace(minimalCN)
}

func read(t *testing.T, doc string, opt Options) (*ContractNotice, *Error) {
	t.Helper()
	cn, err := ReadContractNotice(strings.NewReader(doc), opt)
	if err == nil {
		return cn, nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return nil, e
}

// problemsText joins an error's detail and problems for matching.
func problemsText(e *Error) string {
	var b strings.Builder
	b.WriteString(e.Detail)
	for _, p := range e.Problems {
		b.WriteString("\n" + p.String())
	}
	return b.String()
}

func TestReadMapsTheNotice(t *testing.T) {
	cn, e := read(t, notice(priceCrit+costCrit, deadlineOK), Options{})
	if e != nil {
		t.Fatalf("refused: %s", problemsText(e))
	}
	want := ContractNotice{Subtype: "16", NoticeID: "11111111-2222-3333-4444-555555555555", Reference: "RWS-2026-017", Title: "A12 maintenance", Buyer: "Rijkswaterstaat",
		Currency: "EUR", Rule: "carbon_price", CarbonPricePerT: "100"}
	if cn.Subtype != want.Subtype || cn.NoticeID != want.NoticeID || cn.Reference != want.Reference || cn.Title != want.Title || cn.Buyer != want.Buyer ||
		cn.Currency != want.Currency || cn.Rule != want.Rule || cn.CarbonPricePerT != want.CarbonPricePerT {
		t.Errorf("got %+v\nwant %+v", *cn, want)
	}
	if got := cn.Deadline.Format(time.RFC3339); got != "2026-11-02T12:00:00+01:00" {
		t.Errorf("deadline %s", got)
	}
	n := cn.Notice
	if n.BuyerLegalName != "Rijkswaterstaat" || n.BuyerID != "NL123456789" || n.BuyerCountry != "NLD" || n.BuyerTown != "Utrecht" || n.BuyerPostcode != "3526 LA" ||
		n.BuyerEmail != "inkoop@example.nl" || n.BuyerLegalType != "cga" || n.BuyerActivity != "gen-pub" || n.CPV != "45233142" || n.ContractNature != "works" ||
		n.Description != "Resurfacing of the A12." {
		t.Errorf("notice %+v", n)
	}
	if cn.Sources["/deadline"].ID != "BT-131(d)-Lot" || cn.Sources["/title"].ID != "BT-21-Procedure" || cn.Sources["/currency"].ID != "BT-27-Procedure-Currency" {
		t.Errorf("sources %v", cn.Sources)
	}
}

func TestReadAwardRules(t *testing.T) {
	formula := func(s string) string {
		return `<cbc:CalculationExpression languageID="ENG">` + s + `</cbc:CalculationExpression>`
	}
	for _, c := range []struct {
		name, crit string
		opt        Options
		rule, w    string
		refused    string // a substring of the refusal
	}{
		{"price and cost with W in BT-540", priceCrit + costCrit, Options{}, "carbon_price", "100", ""},
		{"sole cost with W", costCrit, Options{}, "carbon_price", "100", ""},
		{"W in BT-543", formula("notional price = price + 85.50 EUR × t CO2e") + priceCrit + costPlain, Options{}, "carbon_price", "85.50", ""},
		{"W as EUR/tCO2e", formula("EUR 40/tCO2e") + costPlain, Options{}, "carbon_price", "40", ""},
		{"W given", priceCrit + costPlain, Options{CarbonPricePerT: "120"}, "carbon_price", "120", ""},
		{"given W wins", priceCrit + costCrit, Options{CarbonPricePerT: "120"}, "carbon_price", "120", ""},
		{"sole cost without W", costPlain, Options{}, "price_only", "", ""},
		{"sole price", priceCrit, Options{}, "price_only", "", ""},
		{"price and cost without W", priceCrit + costPlain, Options{}, "", "", "BT-543-Lot"},
		{"quality", priceCrit + qualCrit, Options{}, "", "", `a quality criterion "Plan of approach" weighted 40`},
		{"no criterion", "", Options{}, "", "", "BT-539-Lot"},
		{"two price criteria", priceCrit + priceCrit, Options{}, "", "", "2 price criteria"},
		{"two carbon prices", formula("100 EUR per t CO2e or 90 EUR per t CO2e") + costPlain, Options{}, "", "", "several carbon prices"},
		{"W in another currency", formula("100 USD per t CO2e") + costPlain, Options{}, "", "", "not in the tender's currency EUR"},
		{"unknown type", strings.ReplaceAll(priceCrit, ">price<", ">luck<"), Options{}, "", "", `award criterion type "luck"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cn, e := read(t, notice(c.crit, deadlineOK), c.opt)
			if c.refused != "" {
				if e == nil {
					t.Fatalf("mapped to %s %s; want refused with %q", cn.Rule, cn.CarbonPricePerT, c.refused)
				}
				if !errors.Is(e, ErrUnmappable) || !strings.Contains(problemsText(e), c.refused) {
					t.Fatalf("refused with %s; want %q", problemsText(e), c.refused)
				}
				return
			}
			if e != nil {
				t.Fatalf("refused: %s", problemsText(e))
			}
			if cn.Rule != c.rule || cn.CarbonPricePerT != c.w {
				t.Errorf("rule %s W %q; want %s %q", cn.Rule, cn.CarbonPricePerT, c.rule, c.w)
			}
		})
	}
}

func TestReadDeadline(t *testing.T) {
	for _, c := range []struct{ name, period, want, refused string }{
		{"time zone wins", `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-11-02Z</cbc:EndDate><cbc:EndTime>12:00:00+02:00</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>`, "2026-11-02T12:00:00+02:00", ""},
		{"date zone", `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-11-02+01:00</cbc:EndDate><cbc:EndTime>12:00:00</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>`, "2026-11-02T12:00:00+01:00", ""},
		{"no zone", `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-11-02</cbc:EndDate><cbc:EndTime>12:00:00</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>`, "", "no time zone"},
		{"no time", `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-11-02Z</cbc:EndDate></cac:TenderSubmissionDeadlinePeriod>`, "", "BT-131(t)-Lot"},
		{"bad date", `<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2026-13-45Z</cbc:EndDate><cbc:EndTime>12:00:00Z</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod>`, "", "not a valid date"},
		{"missing", ``, "", "BT-131(d)-Lot (/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate): no deadline"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cn, e := read(t, notice(priceCrit, c.period), Options{})
			if c.refused != "" {
				if e == nil || !strings.Contains(problemsText(e), c.refused) {
					t.Fatalf("got %v; want refused with %q", e, c.refused)
				}
				return
			}
			if e != nil {
				t.Fatalf("refused: %s", problemsText(e))
			}
			if got := cn.Deadline.Format(time.RFC3339); got != c.want {
				t.Errorf("deadline %s, want %s", got, c.want)
			}
		})
	}
	dl := time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC)
	cn, e := read(t, notice(priceCrit, ""), Options{Deadline: dl})
	if e != nil || !cn.Deadline.Equal(dl) {
		t.Fatalf("given deadline: %v %v", cn, e)
	}
}

// TestHostile: inputs an attacker would send are refused, quickly and
// without a panic, with ErrMalformed or ErrTooLarge.
func TestHostile(t *testing.T) {
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ContractNotice>&lol3;</ContractNotice>`
	xxe := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><ContractNotice>&xxe;</ContractNotice>`
	undeclared := `<ContractNotice>&xxe;</ContractNotice>`
	deep := strings.Repeat("<a>", MaxNoticeDepth+1) + strings.Repeat("</a>", MaxNoticeDepth+1)
	huge := "<ContractNotice>" + strings.Repeat("x", MaxNoticeBytes) + "</ContractNotice>"
	many := "<ContractNotice>" + strings.Repeat("<a/>", MaxNoticeElements+1) + "</ContractNotice>"
	for _, c := range []struct {
		name, doc string
		kind      error
		says      string
	}{
		{"billion laughs", laughs, ErrMalformed, "document type declaration"},
		{"external entity", xxe, ErrMalformed, "document type declaration"},
		{"undeclared entity", undeclared, ErrMalformed, "not well-formed"},
		{"deeply nested", deep, ErrMalformed, "nested deeper"},
		{"huge", huge, ErrTooLarge, "over 4194304 bytes"},
		{"many elements", many, ErrTooLarge, "more than"},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><ContractNotice/>`, ErrMalformed, "only UTF-8"},
		{"empty", ``, ErrMalformed, "no root element"},
		{"not XML", `{"reference": "x"}`, ErrMalformed, "no root element"},
		{"truncated", notice(priceCrit, deadlineOK)[:2000], ErrMalformed, "not well-formed"},
		{"two roots", `<a/><b/>`, ErrMalformed, "more than one root"},
		{"wrong root", strings.ReplaceAll(notice(priceCrit, deadlineOK), "ContractNotice", "ContractAwardNotice"), ErrUnmappable, "root element is ContractAwardNotice"},
		{"wrong namespace", strings.Replace(notice(priceCrit, deadlineOK), "ContractNotice-2", "ContractNotice-9", 1), ErrUnmappable, `ContractNotice in namespace "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-9"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, e := read(t, c.doc, Options{})
			if e == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(e, c.kind) || !strings.Contains(problemsText(e), c.says) {
				t.Errorf("got %v: %s; want %v saying %q", e.Err, problemsText(e), c.kind, c.says)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// sdkOutcome is what the reader makes of an SDK example contract notice:
// refused with a message containing refused, or mapped to rule.
type sdkOutcome struct {
	opt     Options // what the officer gives beside the notice
	refused string
	rule    string
}

var given = Options{Deadline: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), Currency: "EUR"}

// sdkContractNotices are the SDK's ContractNotice examples and what they
// map to; every other example has another root and is refused for it.
// The cost-criterion examples of one lot lack BT-131 (restricted and
// negotiated procedures, a subcontracting notice): each is refused
// without a deadline (see TestSDKExamplesNeedDeadline) and mapped with one.
var sdkContractNotices = map[string]sdkOutcome{
	"E3_minimal.xml":                        {refused: "BT-539-Lot"},
	"INVALID_change-cn_24_FRA_comments.xml": {refused: "the notice has 2 lots"},
	"INVALID_cn_24_empty.xml":               {refused: "the notice has no lot"},
	"INVALID_cn_24_multiple.xml":            {refused: "the notice has 2 lots"},
	"INVALID_cn_24_stage-1.xml":             {refused: "BT-21-Procedure"},
	"INVALID_cn_24_stage-2.xml":             {refused: "BT-21-Procedure"},
	"change-cn_24_cumbria_suppliers.xml":    {refused: "a quality criterion \"Quality\" weighted 65"},
	"change-cn_24_open_dates.xml":           {refused: "a quality criterion \"Methodology and approach\" weighted 15"},
	"change-cn_24_void.xml":                 {refused: "BT-539-Lot (/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion/cbc:AwardingCriterionTypeCode[@listName='award-criterion-type']): no award criterion"},
	"cn-desg_24.xml":                        {refused: "subtype 23 is a design contest notice"},
	"cn-desg_25.xml":                        {refused: "subtype 24 is a design contest notice"},
	"cn-social_24.xml":                      {refused: "a quality criterion"},
	"cn-social_25.xml":                      {refused: "no award criterion"},
	"cn_23.xml":                             {refused: "a quality criterion"},
	"cn_24_FRA_comments.xml":                {refused: "the notice has 2 lots"},
	"cn_24_cumbria.xml":                     {refused: "a quality criterion"},
	"cn_24_maximal.xml":                     {refused: "BT-137-Lot (/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cbc:ID): the notice has 2 lots"},
	"cn_24_maximal_100_lots.xml":            {refused: "the notice has 100 lots"},
	"cn_24_minimal.xml":                     {refused: "no award criterion"},
	"cn_24_multilingual.xml":                {refused: "a quality criterion"},
	"cn_24_open.xml":                        {refused: "a quality criterion"},
	"qu-sy_25.xml":                          {refused: "subtype 15 is a notice on the existence of a qualification system"},
	"cn_24_open_accel.xml":                  {rule: "price_only"},
	"cn_24_nego_accel.xml":                  {opt: given, rule: "price_only"},
	"cn_25.xml":                             {opt: given, rule: "price_only"},
	"cn_81.xml":                             {opt: given, rule: "price_only"},
	"cn_81_FRA.xml":                         {opt: given, rule: "price_only"},
	"subco_81.xml":                          {opt: given, rule: "price_only"},
}

// TestSDKExamples reads every example notice of the eForms SDK.
func TestSDKExamples(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range sdkFiles(t) {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, isCN := sdkContractNotices[name]
			seen[name] = isCN
			if !isCN {
				want = sdkOutcome{refused: "root element"}
			}
			cn, e := read(t, string(raw), want.opt)
			if want.refused != "" {
				if e == nil {
					t.Fatalf("mapped to %+v; want refused with %q", cn, want.refused)
				}
				if !strings.Contains(problemsText(e), want.refused) {
					t.Fatalf("refused with\n%s\nwant %q", problemsText(e), want.refused)
				}
				return
			}
			if e != nil {
				t.Fatalf("refused: %s", problemsText(e))
			}
			if cn.Rule != want.rule || cn.Reference == "" || cn.Title == "" || cn.Buyer == "" || cn.Currency == "" || cn.Deadline.IsZero() {
				t.Errorf("mapped to %+v", cn)
			}
		})
	}
	for name := range sdkContractNotices {
		if _, ok := seen[name]; !ok {
			t.Errorf("%s is no longer among the SDK examples", name)
		}
	}
}

// TestSDKExamplesNeedDeadline: the cost-criterion examples without BT-131
// are refused, naming it, when no deadline is given.
func TestSDKExamplesNeedDeadline(t *testing.T) {
	sdkFiles(t)
	for _, name := range []string{"cn_24_nego_accel.xml", "cn_25.xml", "cn_81.xml", "cn_81_FRA.xml", "subco_81.xml"} {
		raw, err := os.ReadFile(filepath.Join(sdkNotices, name))
		if err != nil {
			t.Fatal(err)
		}
		_, e := read(t, string(raw), Options{Currency: "EUR"})
		if e == nil || !strings.Contains(problemsText(e), "BT-131(d)-Lot") {
			t.Errorf("%s: %v; want refused naming BT-131(d)-Lot", name, e)
		}
	}
}

// FuzzReadContractNotice: no input makes the reader panic, and what it
// accepts is a tender's worth of fields.
func FuzzReadContractNotice(f *testing.F) {
	f.Add(notice(priceCrit+costCrit, deadlineOK))
	f.Add(notice(qualCrit, ""))
	f.Add(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`)
	files, _ := filepath.Glob(filepath.Join(sdkNotices, "*.xml"))
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil && len(raw) < 200_000 {
			f.Add(string(raw))
		}
	}
	f.Fuzz(func(t *testing.T, doc string) {
		cn, err := ReadContractNotice(strings.NewReader(doc), Options{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if cn.Rule != "price_only" && cn.Rule != "carbon_price" || cn.Deadline.IsZero() || cn.Currency == "" {
			t.Fatalf("accepted without a rule, deadline or currency: %+v", cn)
		}
	})
}

// TestReadPicksALot: a notice of several lots is refused without a lot
// named (listing them), read for the lot named with Options.Lot (its
// identifier added to the reference), and refused for a lot it lacks.
func TestReadPicksALot(t *testing.T) {
	one := notice(priceCrit+costCrit, deadlineOK)
	a, b := strings.Index(one, "<cac:ProcurementProjectLot>"), strings.Index(one, "</cac:ProcurementProjectLot>")+len("</cac:ProcurementProjectLot>")
	lot1 := one[a:b]
	lot2 := strings.Replace(lot1, ">LOT-0001<", ">LOT-0002<", 1)
	if lot2 == lot1 {
		t.Fatal("the test notice's lot is not LOT-0001")
	}
	two := one[:b] + lot2 + one[b:]
	if _, e := read(t, two, Options{}); e == nil || !strings.Contains(problemsText(e), "the notice has 2 lots (LOT-0001, LOT-0002); a tender is one lot: choose it with --lot") {
		t.Errorf("two lots without --lot: %v", e)
	}
	cn, e := read(t, two, Options{Lot: "LOT-0002"})
	if e != nil {
		t.Fatalf("LOT-0002: %s", problemsText(e))
	}
	if cn.Reference != "RWS-2026-017 LOT-0002" || cn.Rule != "carbon_price" {
		t.Errorf("LOT-0002: reference %q rule %q", cn.Reference, cn.Rule)
	}
	if _, e := read(t, two, Options{Lot: "LOT-0003"}); e == nil || !strings.Contains(problemsText(e), `the notice has no lot "LOT-0003"; its lots are LOT-0001, LOT-0002`) {
		t.Errorf("LOT-0003: %v", e)
	}
	// The SDK's maximal notice: a lot can be picked, and its quality
	// criterion is what refuses it.
	raw, err := os.ReadFile(filepath.Join(sdkNotices, "cn_24_maximal.xml"))
	if err != nil {
		t.Skip("no SDK examples:", err)
	}
	opt := given
	opt.Lot = "LOT-0001"
	if _, e := read(t, string(raw), opt); e == nil || !strings.Contains(problemsText(e), `a quality criterion "Name of AC ---" weighted 40`) {
		t.Errorf("cn_24_maximal LOT-0001: %v", e)
	}
}
