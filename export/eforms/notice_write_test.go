package eforms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

var (
	update = flag.Bool("update", false, "rewrite the golden notices in testdata/")
	outDir = flag.String("out", "", "write every notice TestNotices produces into this directory (for eforms-validate)")
)

var (
	created  = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	deadline = time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
	opened   = time.Date(2026, 4, 15, 12, 5, 7, 0, time.UTC)
)

// fullNotice is a tender's complete notice details, a Berlin buyer.
func fullNotice() *tender.Notice {
	return &tender.Notice{
		BuyerLegalName: "Land Berlin, Senatsverwaltung für Stadtentwicklung", BuyerID: "DE136630206", BuyerCountry: "DEU",
		BuyerTown: "Berlin", BuyerPostcode: "10179", BuyerEmail: "vergabe@example.berlin", BuyerURL: "https://vergabe.example.berlin/t/42",
		BuyerLegalType: "body-pl-la", BuyerActivity: "gen-pub", CPV: "45233142", ContractNature: "works",
		Description: "Resurfacing of 12 km of municipal roads with low-carbon asphalt & recycled aggregate.",
		BuyerPhone:  "+49 30 90139 0", BuyerNUTS: "DE300",
		ReviewBodyName: "Vergabekammer des Landes Berlin", ReviewBodyID: "DE-VK-BE", ReviewBodyTown: "Berlin",
		ReviewBodyPostcode: "10178", ReviewBodyNUTS: "DE300",
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// testTender is a tender under rule.
func testTender(rule tender.Rule) tender.Tender {
	t := tender.Tender{ID: "t-" + string(rule), Reference: "BER-2026-" + strings.ToUpper(string(rule[:3])), Title: "Road resurfacing, Berlin-Mitte",
		Buyer: "Land Berlin", Currency: "EUR", Deadline: deadline, Created: created, Status: tender.StatusOpened,
		Method: tender.MethodPin{ID: "eu-gpp", Version: "2026.1", Digest: strings.Repeat("ab", 32)},
		Award:  tender.Award{Rule: rule, Limits: tender.LimitsExclude}, Notice: fullNotice()}
	switch rule {
	case tender.CarbonPrice:
		w := dec("80")
		t.Award.CarbonPricePerT = &w
	case tender.Ladder:
		t.Award.LadderDiscounts = map[string]decimal.Decimal{"1": dec("0.02"), "3": dec("0.05"), "5": dec("0.1")}
	}
	return t
}

func rank(n int) *int { return &n }

// ranked is one evaluated bid.
func ranked(id, supplier, price string, r *int) tender.Ranked {
	rk := tender.Ranked{Rank: r, BidID: id, Supplier: supplier,
		Price: tender.ReportedPrice{Amount: tender.NewFixed(dec(price), tender.MoneyRounding), Currency: "EUR"}}
	if r == nil {
		rk.Excluded, rk.Reason = true, "failed limits"
	}
	return rk
}

// bidsOf are the bids' heads behind a ranking, plus a withdrawn one.
func bidsOf(rks []tender.Ranked) []tender.Bid {
	var out []tender.Bid
	for _, rk := range rks {
		out = append(out, tender.Bid{ID: rk.BidID, Supplier: rk.Supplier, Price: tender.Price{Amount: rk.Price.Amount.Decimal(), Currency: "EUR"}})
	}
	w := opened.Add(-48 * time.Hour)
	return append(out, tender.Bid{ID: "b-w", Supplier: "Withdrawn GmbH", Price: tender.Price{Amount: dec("1"), Currency: "EUR"}, WithdrawnAt: &w})
}

var winner = &Winner{ID: "DE811203540", Country: "AUT", Town: "Wien", Postcode: "1010", NUTS: "AT130", Size: "large",
	Contract: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), ContractEnd: time.Date(2028, 5, 3, 0, 0, 0, 0, time.UTC)}

// winnerOf is winner with the statistics of n bids received: one large
// tenderer from another EEA country (the winner), the others small.
func winnerOf(n int) *Winner {
	w := *winner
	w.Received = map[string]int{"micro": 0, "small": 0, "medium": 0, "large": 0, "non_eea": 0, "other_eea": 0}
	if n > 0 {
		w.Received["large"], w.Received["small"], w.Received["other_eea"] = 1, n-1, 1
	}
	return &w
}

// genNotice is one notice the tests produce.
type genNotice struct {
	name, golden string
	build        func() ([]byte, error)
}

func notices() []genNotice {
	award := func(rule tender.Rule, rks []tender.Ranked) func() ([]byte, error) {
		return func() ([]byte, error) {
			t := testTender(rule)
			ev := &tender.Evaluation{Award: t.Award, Ranking: rks}
			return AwardNoticeXML(t, ev, bidsOf(rks), opened, winnerOf(len(rks)))
		}
	}
	cn := func(rule tender.Rule) func() ([]byte, error) {
		return func() ([]byte, error) { return ContractNoticeXML(testTender(rule)) }
	}
	three := []tender.Ranked{ranked("b-2", "Asphalt Nord AG", "1180000", rank(1)), ranked("b-1", "Straßenbau Süd GmbH", "1150000.50", rank(2)),
		ranked("b-3", "Kies & Co KG", "990000", nil)}
	return []genNotice{
		{"cn-carbon_price", "contract-notice.xml", cn(tender.CarbonPrice)},
		{"cn-ladder", "", cn(tender.Ladder)},
		{"cn-price_only", "", cn(tender.PriceOnly)},
		{"can-carbon_price", "award-notice.xml", award(tender.CarbonPrice, three)},
		{"can-ladder", "", award(tender.Ladder, three)},
		{"can-price_only", "", award(tender.PriceOnly, three[:2])},
		{"can-all-excluded", "", award(tender.CarbonPrice, []tender.Ranked{ranked("b-1", "Kies & Co KG", "990000", nil)})},
		{"can-no-bids", "", award(tender.CarbonPrice, nil)},
	}
}

// TestNotices writes every notice twice (the same bytes), compares the
// golden ones with testdata/ and, with -out DIR, writes them all there.
func TestNotices(t *testing.T) {
	for _, n := range notices() {
		t.Run(n.name, func(t *testing.T) {
			a, err := n.build()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := n.build()
			if !bytes.Equal(a, b) {
				t.Fatal("two exports differ")
			}
			if *outDir != "" {
				if err := os.WriteFile(filepath.Join(*outDir, n.name+".xml"), a, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if n.golden == "" {
				return
			}
			path := filepath.Join("testdata", n.golden)
			if *update {
				if err := os.WriteFile(path, a, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./export/eforms -run TestNotices -update writes it)", err)
			}
			if !bytes.Equal(a, want) {
				t.Errorf("%s differs from the golden file (rerun with -update if the change is meant)", path)
			}
		})
	}
}

func TestNoticeContent(t *testing.T) {
	cn, err := ContractNoticeXML(testTender(tender.CarbonPrice))
	if err != nil {
		t.Fatal(err)
	}
	can, err := notices()[3].build()
	if err != nil {
		t.Fatal(err)
	}
	none, err := notices()[6].build()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  []byte
		want []string
	}{
		{"cn", cn, []string{`<cbc:SubTypeCode listName="notice-subtype">16</cbc:SubTypeCode>`,
			`award-criterion-type">cost<`, "price + W × t CO2e, where W = 80 EUR per tonne CO2e",
			`"environmental-impact">clim-mitig<`, `"gpp-criteria">other<`, `<cbc:EndDate>2026-04-15Z</cbc:EndDate>`,
			`<cbc:ID schemeName="notice-id">` + NoticeID("t-carbon_price", "cn") + `<`, "Kies &amp;"[:0] + "low-carbon asphalt &amp; recycled"}},
		{"can", can, []string{`>29<`, `"winner-selection-status">selec-w<`, `<cbc:PayableAmount currencyID="EUR">1180000.00<`,
			`<cbc:Name languageID="ENG">Asphalt Nord AG</cbc:Name>`, `<efbc:StatisticsNumeric>3<`, `<cbc:LowerTenderAmount currencyID="EUR">1150000.50<`}},
		{"can-none", none, []string{`"winner-selection-status">clos-nw<`, `"non-award-justification">all-rej<`}},
	}
	for _, tc := range tests {
		for _, w := range tc.want {
			if !bytes.Contains(tc.doc, []byte(w)) {
				t.Errorf("%s: no %q", tc.name, w)
			}
		}
	}
	ladder, _ := ContractNoticeXML(testTender(tender.Ladder))
	if !bytes.Contains(ladder, []byte("(level 1: 0.02; level 3: 0.05; level 5: 0.1)")) {
		t.Error("ladder formula lacks the discount table")
	}
	price, _ := ContractNoticeXML(testTender(tender.PriceOnly))
	if !bytes.Contains(price, []byte(`award-criterion-type">price<`)) || bytes.Contains(price, []byte("clim-mitig")) {
		t.Error("price_only: criterion price, no green terms")
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(NoticeID("x", "cn")) {
		t.Errorf("NoticeID %s is not a UUID in the v4 layout", NoticeID("x", "cn"))
	}
}

func TestNoticeRefusals(t *testing.T) {
	noNotice := testTender(tender.CarbonPrice)
	noNotice.Notice = nil
	noNUTS := testTender(tender.CarbonPrice)
	noNUTS.Notice.BuyerNUTS = ""
	nonEU := testTender(tender.CarbonPrice)
	nonEU.Notice.BuyerCountry, nonEU.Notice.BuyerNUTS, nonEU.Notice.ReviewBodyNUTS = "USA", "", ""
	ev := &tender.Evaluation{Ranking: []tender.Ranked{ranked("b-1", "A", "10", rank(1))}}
	tests := []struct {
		name  string
		build func() ([]byte, error)
		want  []string
	}{
		{"cn without notice", func() ([]byte, error) { return ContractNoticeXML(noNotice) }, noticeFields},
		{"cn without buyer NUTS", func() ([]byte, error) { return ContractNoticeXML(noNUTS) }, []string{"buyer_nuts"}},
		{"cn outside NUTS", func() ([]byte, error) { return ContractNoticeXML(nonEU) }, nil},
		{"can without winner", func() ([]byte, error) {
			return AwardNoticeXML(testTender(tender.PriceOnly), ev, nil, opened, nil)
		}, []string{"winner_id", "winner_country", "winner_town", "winner_postcode", "winner_size", "contract_date", "contract_end"}},
		{"can with a German winner without NUTS", func() ([]byte, error) {
			w := *winner
			w.Country, w.NUTS = "DEU", ""
			return AwardNoticeXML(testTender(tender.PriceOnly), ev, nil, opened, &w)
		}, []string{"winner_nuts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.build()
			var me *MissingError
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == nil:
			case !errors.As(err, &me):
				t.Fatalf("err = %v, want a *MissingError", err)
			case !reflect.DeepEqual(me.Fields, tc.want):
				t.Errorf("missing %v, want %v", me.Fields, tc.want)
			}
		})
	}
}

// validator is the eForms SDK validator (XSD and Schematron) the project
// shares: FOOTPRINT_EFORMS_VALIDATE, or ../shared/tools/eforms-validate.
func validator() string {
	if v := os.Getenv("FOOTPRINT_EFORMS_VALIDATE"); v != "" {
		return v
	}
	return filepath.Join("..", "..", "..", "shared", "tools", "eforms-validate")
}

// TestNoticesValidate runs the SDK's XSD and Schematron rules on every
// notice TestNotices produces, when the validator and its tools are
// installed; under CI=true their absence is a failure, not a skip.
func TestNoticesValidate(t *testing.T) {
	v := validator()
	_, errTool := os.Stat(v)
	_, errJava := exec.LookPath("java")
	_, errXML := exec.LookPath("xmllint")
	if errTool != nil || errJava != nil || errXML != nil {
		msg := "eForms validator not installed (the tool, java and xmllint; .ci/run installs them): " + v
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("-short: the validator takes about 20 s a notice")
	}
	rules, err := rulesDigest(v)
	if err != nil {
		t.Fatal(err)
	}
	cache := passedCache(t)
	dir := t.TempDir()
	var files []string
	keys := map[string]string{}
	for _, n := range notices() {
		b, err := n.build()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(append([]byte(rules), b...))
		key := hex.EncodeToString(sum[:])
		if cache != "" {
			if _, err := os.Stat(filepath.Join(cache, key)); err == nil {
				t.Logf("%s: passed before (same bytes, same rules)", n.name)
				continue
			}
		}
		f := filepath.Join(dir, n.name+".xml")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		keys[f] = key
	}
	if len(files) == 0 {
		return
	}
	// Two validators at once: each notice is a Java run of about 20 s, and
	// the machines this runs on have two cores.
	halves := [][]string{files[:len(files)/2], files[len(files)/2:]}
	var wg sync.WaitGroup
	outs, errs := make([][]byte, len(halves)), make([]error, len(halves))
	for i, h := range halves {
		if len(h) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = exec.Command(v, h...).CombinedOutput()
		}()
	}
	wg.Wait()
	for i, h := range halves {
		t.Logf("%s", outs[i])
		if errs[i] != nil {
			t.Errorf("eforms-validate: %v", errs[i])
			continue
		}
		for _, f := range h {
			if cache != "" {
				_ = os.WriteFile(filepath.Join(cache, keys[f]), nil, 0o644)
			}
		}
	}
}

// rulesDigest is the SHA-256 of what decides a notice's validity: the
// validator script and every file of the SDK's schemas and Schematron.
func rulesDigest(validator string) (string, error) {
	h := sha256.New()
	raw, err := os.ReadFile(validator)
	if err != nil {
		return "", err
	}
	h.Write(raw)
	sdk := filepath.Join(filepath.Dir(validator), "..", "eforms-sdk")
	for _, sub := range []string{"schemas", "schematrons"} {
		err := filepath.WalkDir(filepath.Join(sdk, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(p), len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// passedCache is the directory remembering the notices the validator
// passed, by the digest of the rules and the notice (about 20 s of Java
// each: .ci/run validates them once, then go test ./... finds them);
// "" when there is no cache directory.
func passedCache(t *testing.T) string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "footprint", "eforms-passed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("no cache of validated notices: %v", err)
		return ""
	}
	return dir
}
