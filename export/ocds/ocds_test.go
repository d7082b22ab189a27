package ocds_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/export/ocds/ocdsschema"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"
)

func TestCheckPublicURL(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"https://tenders.example.org", "https://tenders.example.org", nil},
		{"https://tenders.example.org/", "https://tenders.example.org", nil},
		{"http://localhost:8080/footprint/", "http://localhost:8080/footprint", nil},
		{"", "", ocds.ErrNoPublicURL},
		{"/v1/tenders", "", ocds.ErrPublicURL},
		{"tenders.example.org", "", ocds.ErrPublicURL},
		{"ftp://tenders.example.org", "", ocds.ErrPublicURL},
		{"https://", "", ocds.ErrPublicURL},
		{"https://u:p@tenders.example.org", "", ocds.ErrPublicURL},
		{"https://tenders.example.org/?x=1", "", ocds.ErrPublicURL},
		{"https://tenders.example.org/#top", "", ocds.ErrPublicURL},
		{"https://tenders.example.org/a b", "", ocds.ErrPublicURL},
		{"https://tenders.example.org/" + strings.Repeat("a", ocds.MaxPublicURLLen), "", ocds.ErrPublicURL},
	} {
		got, err := ocds.CheckPublicURL(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%q: %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// opened is an opened tender with three bids (one withdrawn, one
// excluded) and its audit events.
func opened(t *testing.T) ocds.Input {
	t.Helper()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	w := decimal.RequireFromString("100")
	tn := tender.Tender{ID: "t1", Reference: "R-1", Title: "Market square", Buyer: "Musterstadt", Currency: "EUR",
		Deadline: at.Add(time.Hour), Created: at, Status: tender.StatusOpened,
		Method: tender.MethodPin{ID: "us-federal", Version: "2025.1", Digest: strings.Repeat("a", 64)},
		Award:  tender.Award{Rule: tender.CarbonPrice, CarbonPricePerT: &w, Limits: tender.LimitsExclude}}
	r := methods.Rounding{Places: 2, Mode: "half_even"}
	one := 1
	withdrawn := at.Add(20 * time.Minute)
	price := func(s string) tender.Price {
		return tender.Price{Amount: decimal.RequireFromString(s), Currency: "EUR"}
	}
	bids := []tender.Bid{
		{ID: "b1", Supplier: "A", Price: price("1000"), ReceivedAt: at.Add(10 * time.Minute), WithdrawnAt: &withdrawn},
		{ID: "b2", Supplier: "B", Price: price("1100"), ReceivedAt: at.Add(30 * time.Minute)},
		{ID: "b3", Supplier: "C", Price: price("900"), ReceivedAt: at.Add(40 * time.Minute)},
	}
	fixed := func(s string) tender.Fixed { return tender.NewFixed(decimal.RequireFromString(s), r) }
	ev := &tender.Evaluation{Method: tn.Method, Award: tn.Award, Digest: strings.Repeat("e", 64), Ranking: []tender.Ranked{
		{Rank: &one, BidID: "b2", Supplier: "B", Price: tender.ReportPrice(bids[1].Price), KgCO2e: fixed("7000"), NotionalPrice: fixed("1800")},
		{BidID: "b3", Supplier: "C", Price: tender.ReportPrice(bids[2].Price), KgCO2e: fixed("9000"), NotionalPrice: fixed("1800"),
			Excluded: true, Reason: "fails procurement limit(s)", FailedLimits: []string{"gsa (line 1)"}},
	}, Committee: &tender.Committee{Openers: []string{"officer", "bob", "carol"}, K: 2}, OpenedBy: []string{"bob", "officer"}}
	tn.Committee = ev.Committee
	events := []tender.Event{{Seq: 1, At: at, Kind: tender.EventCreated}, {Seq: 2, At: at.Add(10 * time.Minute), Kind: tender.EventBidReceived},
		{Seq: 5, At: at.Add(2 * time.Hour), Kind: tender.EventOpened}, {Seq: 6, At: at.Add(2 * time.Hour), Kind: tender.EventEvaluated}}
	return ocds.Input{Tender: tn, Evaluation: ev, Bids: bids, Events: events, PublicURL: "https://tenders.example.org"}
}

func encode(t *testing.T, in ocds.Input) []byte {
	t.Helper()
	p, err := ocds.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	body, _, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestBuildFromEvents: ids and dates come from the events, not from the
// time of the export, so building twice gives the same bytes; without
// its events or a public URL, Build refuses.
func TestBuildFromEvents(t *testing.T) {
	in := opened(t)
	a, b := encode(t, in), encode(t, in)
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds differ:\n%s\n%s", a, b)
	}
	for _, want := range []string{`"id":"ocds-fprint-t1-tender-1","date":"2026-03-01T09:00:00Z"`, `"id":"ocds-fprint-t1-award-5","date":"2026-03-01T11:00:00Z"`,
		`"publishedDate":"2026-03-01T11:00:00Z"`, `"relatedBid":"b2"`, `{"id":"tenderer-b1","name":"A","roles":["tenderer"]}`,
		`"measure":"withdrawnBids","date":"2026-03-01T11:00:00Z","value":1`, `W = 100 EUR per tonne CO2e`} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("no %s in\n%s", want, a)
		}
	}
	// Who opened the tender is in the award release only.
	var p struct {
		Releases []struct {
			Tender map[string]json.RawMessage `json:"tender"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(a, &p); err != nil || len(p.Releases) != 2 {
		t.Fatalf("%v: %s", err, a)
	}
	if oc, ok := p.Releases[0].Tender["openingCommittee"]; ok {
		t.Errorf("the tender release has an openingCommittee: %s", oc)
	}
	if oc := string(p.Releases[1].Tender["openingCommittee"]); oc != `{"openers":["officer","bob","carol"],"k":2,"openedBy":["bob","officer"]}` {
		t.Errorf("the award release's openingCommittee: %s", oc)
	}
	// An evaluation made before committees has none: no openingCommittee.
	before := in
	evBefore := *in.Evaluation
	evBefore.Committee, evBefore.OpenedBy = nil, nil
	before.Evaluation = &evBefore
	if c := encode(t, before); bytes.Contains(c, []byte("openingCommittee")) {
		t.Errorf("an evaluation without a committee: %s", c)
	}
	noEvents := in
	noEvents.Events = in.Events[:2]
	if _, err := ocds.Build(noEvents); !errors.Is(err, ocds.ErrNoEvent) {
		t.Errorf("without the opened event: %v", err)
	}
	noURL := in
	noURL.PublicURL = ""
	if _, err := ocds.Build(noURL); !errors.Is(err, ocds.ErrNoPublicURL) {
		t.Errorf("without a public URL: %v", err)
	}
}

// TestValidatorCatches proves the schema validation can fail: the built
// package validates, and each defect the export once had (or a schema
// violation) is caught.
func TestValidatorCatches(t *testing.T) {
	dir, err := ocdsschema.Dir()
	if err != nil {
		t.Fatal(err)
	}
	val, err := ocdsschema.New(dir)
	if err != nil {
		t.Fatalf("no OCDS schemas at %s (the shared reference copies): %v", dir, err)
	}
	good := encode(t, opened(t))
	if err := val.Validate(good); err != nil {
		t.Fatalf("the built package: %d error(s): %v", ocdsschema.Errors(err), err)
	}
	for _, c := range []struct {
		name   string
		mutate func(p map[string]any)
	}{
		{"relative uri", func(p map[string]any) { p["uri"] = "/v1/tenders/t1/ocds" }},
		{"relatedBids of the bids extension's master", func(p map[string]any) {
			rel(p, 1)["awards"].([]any)[0].(map[string]any)["relatedBids"] = []any{"b2"}
		}},
		{"unknown tag", func(p map[string]any) { rel(p, 0)["tag"] = []any{"bogus"} }},
		{"statistic without a value", func(p map[string]any) {
			delete(rel(p, 1)["bids"].(map[string]any)["statistics"].([]any)[0].(map[string]any), "value")
		}},
		{"footprint score without kg_co2e", func(p map[string]any) {
			d := rel(p, 1)["bids"].(map[string]any)["details"].([]any)[1].(map[string]any)
			delete(d["footprint"].(map[string]any), "kg_co2e")
		}},
		{"not a date", func(p map[string]any) { rel(p, 0)["date"] = "yesterday" }},
		{"opening committee without openedBy", func(p map[string]any) {
			delete(rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any), "openedBy")
		}},
		{"opening committee with k = 0", func(p map[string]any) {
			rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any)["k"] = 0
		}},
		{"opening committee without openers", func(p map[string]any) {
			rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any)["openers"] = []any{}
		}},
		{"an opener named twice", func(p map[string]any) {
			rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any)["openers"] = []any{"bob", "bob"}
		}},
		{"an opener's name, not id", func(p map[string]any) {
			rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any)["openedBy"] = []any{"Bob Martin"}
		}},
		{"a field the extension does not define", func(p map[string]any) {
			rel(p, 1)["tender"].(map[string]any)["openingCommittee"].(map[string]any)["openedAt"] = "2026-03-01T11:00:00Z"
		}},
		{"no publisher", func(p map[string]any) { delete(p, "publisher") }},
	} {
		var p map[string]any
		if err := json.Unmarshal(good, &p); err != nil {
			t.Fatal(err)
		}
		c.mutate(p)
		bad, _ := json.Marshal(p)
		if err := val.Validate(bad); err == nil {
			t.Errorf("%s: the invalid package validates", c.name)
		}
	}
}

func rel(p map[string]any, i int) map[string]any {
	return p["releases"].([]any)[i].(map[string]any)
}

// TestExtensionFiles: the embedded extension files are JSON and name
// only the release schema.
func TestExtensionFiles(t *testing.T) {
	ext, ok := ocds.ExtensionFile("extension.json")
	var meta struct {
		Schemas       []string `json:"schemas"`
		Compatibility []string `json:"compatibility"`
	}
	if !ok || json.Unmarshal(ext, &meta) != nil || strings.Join(meta.Schemas, ",") != "release-schema.json" || len(meta.Compatibility) != 1 {
		t.Errorf("extension.json: %s", ext)
	}
	if rs, ok := ocds.ExtensionFile("release-schema.json"); !ok || !json.Valid(rs) {
		t.Error("release-schema.json")
	}
	if _, ok := ocds.ExtensionFile("../ocds.go"); ok {
		t.Error("a file outside the extension")
	}
}
