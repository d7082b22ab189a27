package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sdkNotices is the eForms SDK's example notices beside the repository.
var sdkNotices = filepath.Join("..", "..", "..", "shared", "eforms-sdk", "examples", "notices")

// TestTendersCreateFromEForms: tenders create --from-eforms makes a tender
// from an SDK example contract notice, stored like one from JSON, and
// refuses what it cannot map with the business term and its XPath.
func TestTendersCreateFromEForms(t *testing.T) {
	if _, err := os.Stat(sdkNotices); err != nil {
		t.Skip("no eForms SDK examples beside the repository")
	}
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "footprint.db")
	before := map[string]string{nowKey: wfCreated}
	notice := func(name string) string { return filepath.Join(sdkNotices, name) }

	code, out, errs := runEnv(t, before, "", "tenders", "create", "--db", db, "--from-eforms", notice("cn_81.xml"),
		"--method", "eu-gpp", "--deadline", "2027-03-01T12:00:00+01:00", "--carbon-price-per-t", "95")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var created struct {
		ID, Reference, Title, Buyer, Currency, Deadline string
		Award                                           struct {
			Rule, Limits    string
			CarbonPricePerT string `json:"carbon_price_per_t"`
		}
		Notice struct {
			CPV          string
			BuyerCountry string `json:"buyer_country"`
		}
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if created.ID == "" || created.Reference != "700029324" || created.Buyer != "Ministry of Defence" || created.Currency != "EUR" ||
		created.Deadline != "2027-03-01T11:00:00Z" || created.Award.Rule != "carbon_price" || created.Award.CarbonPricePerT != "95" ||
		created.Award.Limits != "report" || created.Notice.CPV != "80512000" || created.Notice.BuyerCountry != "GBR" {
		t.Errorf("created %+v", created)
	}
	if !strings.Contains(errs, "note: the cost criterion (BT-539 cost) is the carbon_price rule, W = 95 per t CO2e (given beside the notice)") {
		t.Errorf("stderr: %s", errs)
	}
	// Stored as any tender: show finds it.
	if code, out, errs := runEnv(t, before, "", "tenders", "show", "--db", db, created.ID); code != 0 || !strings.Contains(out, "Procurement of Military Working Dogs") {
		t.Errorf("show: exit %d: %s %s", code, out, errs)
	}
	// From stdin.
	raw, err := os.ReadFile(notice("cn_25.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runEnv(t, before, string(raw), "tenders", "create", "--db", db, "--from-eforms", "-", "--method", "eu-gpp", "--deadline", "2027-03-01T12:00:00Z", "--limits", "exclude"); code != 0 {
		t.Errorf("from stdin: exit %d: %s", code, errs)
	}

	for _, c := range []struct {
		name string
		args []string
		code int
		has  []string
	}{
		{"several lots", []string{"--from-eforms", notice("cn_24_maximal.xml"), "--method", "eu-gpp"}, 1,
			[]string{"the notice has 2 lots", "BT-137-Lot (/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/cbc:ID)"}},
		{"quality criteria", []string{"--from-eforms", notice("cn_24_cumbria.xml"), "--method", "eu-gpp"}, 1,
			[]string{"BT-539-Lot (", `a quality criterion "Quality" weighted 65`}},
		{"no deadline", []string{"--from-eforms", notice("cn_81.xml"), "--method", "eu-gpp"}, 1,
			[]string{"BT-131(d)-Lot (", "no deadline for the receipt of tenders"}},
		{"award notice", []string{"--from-eforms", notice("can_24_minimal.xml"), "--method", "eu-gpp"}, 1,
			[]string{"root element (/*): the root element is ContractAwardNotice"}},
		{"no method", []string{"--from-eforms", notice("cn_81.xml"), "--deadline", "2027-03-01T12:00:00Z"}, 1,
			[]string{"a method is required: a notice names none"}},
		{"bad options", []string{"--from-eforms", notice("cn_81.xml"), "--method", "eu-gpp", "--deadline", "soon", "--limits", "never"}, 1,
			[]string{"--deadline: deadline \"soon\" is not an RFC 3339 time"}},
		{"bad limits", []string{"--from-eforms", notice("cn_81.xml"), "--method", "eu-gpp", "--deadline", "2027-03-01T12:00:00Z", "--limits", "never"}, 1,
			[]string{"--limits: "}},
		{"DTD", []string{"--from-eforms", filepath.Join(dir, "dtd.xml"), "--method", "eu-gpp"}, 1, []string{"document type declaration"}},
		{"with a JSON file", []string{"--from-eforms", notice("cn_81.xml"), "t.json"}, 2, []string{"no other file"}},
		{"eForms flags without a notice", []string{"--deadline", "2027-03-01T12:00:00Z"}, 2, []string{"go with --from-eforms"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(dir, "dtd.xml"), []byte(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`), 0o600)
			code, out, errs := runEnv(t, before, "", append([]string{"tenders", "create", "--db", db}, c.args...)...)
			if code != c.code || out != "" {
				t.Fatalf("exit %d (want %d); stdout %s; stderr %s", code, c.code, out, errs)
			}
			for _, h := range c.has {
				if !strings.Contains(errs, h) {
					t.Errorf("stderr lacks %q:\n%s", h, errs)
				}
			}
		})
	}
}
