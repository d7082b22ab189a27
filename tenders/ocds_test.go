package tenders

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/export/ocds/ocdsschema"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// ocdsBid is a bid of an OCDS scenario: rebar at kgPerT kg CO2e per
// tonne (900 fails us-federal's GSA limit, 700 passes), withdrawn or not.
type ocdsBid struct {
	supplier, price, kgPerT, level string
	withdraw                       bool
}

// TestOCDSExportsValidate runs tenders through the service on SQLite and
// validates every OCDS package exported on the way (before and after the
// opening) against the official OCDS 1.1.5 schemas with the declared
// extensions merged in: zero errors, the same bytes when exported again,
// and the conventions the schemas cannot check (ids from the events,
// parties for every tenderer, tags and statuses).
func TestOCDSExportsValidate(t *testing.T) {
	dir, err := ocdsschema.Dir()
	if err != nil {
		t.Fatal(err)
	}
	val, err := ocdsschema.New(dir)
	if err != nil {
		t.Fatalf("no OCDS schemas at %s (the shared reference copies): %v", dir, err)
	}
	ctx := context.Background()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	notice := &tender.Notice{BuyerLegalName: "Stadt Musterstadt", BuyerID: "DE123456789", BuyerCountry: "DEU", BuyerTown: "Musterstadt",
		BuyerPostcode: "12345", BuyerEmail: "vergabe@musterstadt.example", BuyerURL: "https://musterstadt.example", CPV: "45233142",
		ContractNature: "works", Description: "Resurfacing of the market square."}
	for _, c := range []struct {
		name   string
		award  AwardRequest
		notice *tender.Notice
		bids   []ocdsBid
		open   bool
		// committee is the tender's opening committee (nil: its creator
		// alone, k = 1) and approvers, when set, approve its opening in
		// turn instead of Open.
		committee *tender.Committee
		approvers []officers.Actor
		// tag and status of the last release; winner is the awarded bid's
		// supplier ("" for none).
		tag, status, winner string
	}{
		{name: "carbon price", award: AwardRequest{Rule: "carbon_price", CarbonPricePerT: numPtr("100"), Limits: "report"}, notice: notice,
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "900"}, {supplier: "B", price: "1100.00", kgPerT: "700"}}, open: true,
			tag: "tenderUpdate,award", status: "complete", winner: "B"},
		{name: "ladder", award: AwardRequest{Rule: "ladder", LadderDiscounts: map[string]bidjson.Number{"3": "0.04", "5": "0.1"}, Limits: "exclude"},
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "700", level: "3"}, {supplier: "B", price: "1050.00", kgPerT: "700", level: "5"}}, open: true,
			tag: "tenderUpdate,award", status: "complete", winner: "B"},
		{name: "price only", award: AwardRequest{Rule: "price_only", Limits: "report"},
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "900"}, {supplier: "B", price: "1100.00", kgPerT: "700"}}, open: true,
			tag: "tenderUpdate,award", status: "complete", winner: "A"},
		{name: "withdrawn bid", award: AwardRequest{Rule: "price_only", Limits: "exclude"}, notice: notice,
			bids: []ocdsBid{{supplier: "A", price: "900.00", kgPerT: "700", withdraw: true}, {supplier: "B", price: "1000.00", kgPerT: "700"},
				{supplier: "C", price: "800.00", kgPerT: "900"}}, open: true,
			tag: "tenderUpdate,award", status: "complete", winner: "B"},
		{name: "all excluded", award: AwardRequest{Rule: "price_only", Limits: "exclude"},
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "900"}, {supplier: "B", price: "1100.00", kgPerT: "950"}}, open: true,
			tag: "tenderUpdate", status: "unsuccessful"},
		{name: "committee of two", award: AwardRequest{Rule: "carbon_price", CarbonPricePerT: numPtr("100"), Limits: "report"}, notice: notice,
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "900"}, {supplier: "B", price: "1100.00", kgPerT: "700"}}, open: true,
			committee: &tender.Committee{Openers: []string{"officer", "bob", "carol"}, K: 2},
			approvers: []officers.Actor{{ID: "carol", Role: officers.RoleOpener}, officers.Bootstrap()},
			tag:       "tenderUpdate,award", status: "complete", winner: "B"},
		{name: "not opened", award: AwardRequest{Rule: "carbon_price", CarbonPricePerT: numPtr("0"), Limits: "report"}, notice: notice,
			bids: []ocdsBid{{supplier: "A", price: "1000.00", kgPerT: "700"}},
			tag:  "tender", status: "active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "ocds.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			now := func() time.Time { return clock }
			svc := New(Config{Store: st, Registry: reg, Engine: calc.NewEngine(lib), Now: now, PublicURL: "https://tenders.example.org/"})
			if c.committee != nil { // the openers are accounts (Create checks)
				acc, _ := store.AccountsOf(st)
				for _, id := range c.committee.Openers {
					if id != officers.BootstrapID {
						if err := acc.CreateOfficer(ctx, store.Officer{ID: id, Name: id, Role: string(officers.RoleOpener), TokenHash: "h", Params: "p", Created: clock}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			tn, err := NewTender(reg, TenderRequest{Reference: "R-1", Title: "Market square", Buyer: "Musterstadt", Method: "us-federal@2025.1",
				Currency: "EUR", Deadline: clock.Add(time.Hour).Format(time.RFC3339), Award: c.award, Notice: c.notice, Committee: c.committee}, clock)
			if err != nil {
				t.Fatal(err)
			}
			if tn, err = svc.Create(ctx, tn, officers.Bootstrap()); err != nil {
				t.Fatal(err)
			}
			var exports [][]byte
			export := func() {
				t.Helper()
				cur, err := svc.Tender(ctx, tn.ID)
				if err != nil {
					t.Fatal(err)
				}
				body, _, err := svc.ExportOCDS(ctx, cur, officers.Bootstrap(), true)
				if err != nil {
					t.Fatal(err)
				}
				exports = append(exports, body)
			}
			export()
			for i, b := range c.bids {
				clock = clock.Add(time.Minute)
				bid := tender.Bid{Supplier: b.supplier, Price: tender.Price{Amount: decimal.RequireFromString(b.price), Currency: "EUR"}, LadderLevel: b.level,
					Lines: []calc.Line{{ID: "1", Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString("10"), Unit: "t",
						Factor: &calc.ProductFactor{KgCO2e: decimal.RequireFromString(b.kgPerT), Per: "t", Reference: "EPD-1"}}}}
				sub, err := svc.Submit(ctx, tn, bid, tender.HashToken(fmt.Sprint(i)), "")
				if err != nil {
					t.Fatal(err)
				}
				if b.withdraw {
					if err := svc.Withdraw(ctx, tn.ID, sub.Bid.ID, Caller{Bid: sub.Bid.ID}); err != nil {
						t.Fatal(err)
					}
				}
				export()
			}
			clock = clock.Add(2 * time.Hour)
			export()
			opening := ""
			if c.open && c.approvers != nil {
				for i, a := range c.approvers {
					cur, err := svc.Tender(ctx, tn.ID)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := svc.Approve(ctx, cur, a); err != nil {
						t.Fatal(err)
					}
					if i < len(c.approvers)-1 {
						export() // an approval changes nothing published
					}
				}
				export()
				opening = `{"openers":["officer","bob","carol"],"k":2,"openedBy":["carol","officer"]}`
			} else if c.open {
				if _, err := svc.Open(ctx, tn, officers.Bootstrap()); err != nil {
					t.Fatal(err)
				}
				export()
				// Opened by one person: the creator, today's API clients'
				// committee.
				opening = `{"openers":["officer"],"k":1,"openedBy":["officer"]}`
			}
			if c.open {
				clock = clock.Add(24 * time.Hour)
				export()
			}
			last := exports[len(exports)-1]
			for i, body := range exports {
				if err := val.Validate(body); err != nil {
					t.Errorf("export %d: %d schema error(s): %v\n%s", i, ocdsschema.Errors(err), err, body)
				}
			}
			// Exports after the last change are the same bytes.
			if prev := exports[len(exports)-2]; !bytes.Equal(prev, last) {
				t.Errorf("the same export twice differs:\n%s\n%s", prev, last)
			}
			checkConventions(t, last, tn.ID, c.tag, c.status, c.winner, len(c.bids))
			checkOpening(t, last, opening)
		})
	}
}

// checkOpening checks who opened the tender, as the last release says:
// want is the award release's tender.openingCommittee ("" before the
// opening, when no release has one).
func checkOpening(t *testing.T, body []byte, want string) {
	t.Helper()
	var pkg struct {
		Releases []struct {
			Tender struct {
				OpeningCommittee json.RawMessage `json:"openingCommittee"`
			} `json:"tender"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(body, &pkg); err != nil {
		t.Fatal(err)
	}
	for i, r := range pkg.Releases {
		got := string(r.Tender.OpeningCommittee)
		if i < len(pkg.Releases)-1 || want == "" {
			if got != "" {
				t.Errorf("release %d: openingCommittee %s, want none (the award release alone says who opened)", i, got)
			}
			continue
		}
		if got != want {
			t.Errorf("openingCommittee %s, want %s", got, want)
		}
	}
}

// checkConventions checks what the schemas cannot: absolute URLs, ids
// and dates from the events, every tenderer a party, the tags and the
// tender's status, the statistics.
func checkConventions(t *testing.T, body []byte, id, tag, status, winner string, nbids int) {
	t.Helper()
	var pkg struct {
		URI           string   `json:"uri"`
		Extensions    []string `json:"extensions"`
		PublishedDate string   `json:"publishedDate"`
		Releases      []struct {
			ID      string   `json:"id"`
			Date    string   `json:"date"`
			Tag     []string `json:"tag"`
			Parties []struct {
				ID string `json:"id"`
			} `json:"parties"`
			Tender struct {
				Status          string `json:"status"`
				ProcuringEntity struct {
					ID string `json:"id"`
				} `json:"procuringEntity"`
			} `json:"tender"`
			Bids *struct {
				Statistics []struct {
					Measure string `json:"measure"`
					Value   int    `json:"value"`
				} `json:"statistics"`
				Details []struct {
					Tenderers []struct {
						ID string `json:"id"`
					} `json:"tenderers"`
				} `json:"details"`
			} `json:"bids"`
			Awards []struct {
				RelatedBid string `json:"relatedBid"`
				Suppliers  []struct {
					Name string `json:"name"`
				} `json:"suppliers"`
			} `json:"awards"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(body, &pkg); err != nil {
		t.Fatal(err)
	}
	ocid := ocds.OCIDPrefix + id
	if pkg.URI != "https://tenders.example.org/v1/tenders/"+id+"/ocds" || len(pkg.Extensions) != 2 || pkg.Extensions[0] != ocds.BidsExtension ||
		pkg.Extensions[1] != "https://tenders.example.org/v1/ocds/extension/extension.json" {
		t.Errorf("uri %s, extensions %v", pkg.URI, pkg.Extensions)
	}
	r := pkg.Releases[len(pkg.Releases)-1]
	if !strings.HasPrefix(pkg.Releases[0].ID, ocid+"-tender-") || pkg.PublishedDate != r.Date || strings.Join(r.Tag, ",") != tag || r.Tender.Status != status {
		t.Errorf("releases: first id %s; last: date %s (published %s), tag %v, status %s", pkg.Releases[0].ID, r.Date, pkg.PublishedDate, r.Tag, r.Tender.Status)
	}
	if r.Tender.ProcuringEntity.ID != "buyer" {
		t.Errorf("procuringEntity %+v", r.Tender.ProcuringEntity)
	}
	if r.Bids == nil {
		if len(pkg.Releases) != 1 {
			t.Errorf("%d releases before the opening", len(pkg.Releases))
		}
		return
	}
	if len(pkg.Releases) != 2 || !strings.HasPrefix(r.ID, ocid+"-award-") {
		t.Errorf("%d releases, last id %s", len(pkg.Releases), r.ID)
	}
	parties := map[string]bool{}
	for _, p := range r.Parties {
		parties[p.ID] = true
	}
	for _, d := range r.Bids.Details {
		for _, tt := range d.Tenderers {
			if !parties[tt.ID] {
				t.Errorf("tenderer %s is not a party", tt.ID)
			}
		}
	}
	if len(r.Bids.Details) != nbids || r.Bids.Statistics[0].Measure != "bids" || r.Bids.Statistics[0].Value != nbids {
		t.Errorf("bids: %d details, statistics %+v", len(r.Bids.Details), r.Bids.Statistics)
	}
	sum := 0
	for _, s := range r.Bids.Statistics[1:] {
		sum += s.Value
	}
	if sum != nbids {
		t.Errorf("valid + disqualified + withdrawn = %d, want %d: %+v", sum, nbids, r.Bids.Statistics)
	}
	switch {
	case winner == "" && len(r.Awards) != 0:
		t.Errorf("awards without a ranked bid: %+v", r.Awards)
	case winner != "" && (len(r.Awards) != 1 || r.Awards[0].Suppliers[0].Name != winner || r.Awards[0].RelatedBid == ""):
		t.Errorf("awards: %+v, want %s", r.Awards, winner)
	}
}

// TestOCDSNeedsPublicURL: without a public URL the export says to
// configure one, and records nothing.
func TestOCDSNeedsPublicURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want error
	}{
		{"", ErrNoPublicURL},
		{"/v1", ErrPublicURL},
		{"https://x.example/?a=1", ErrPublicURL},
	} {
		svc := New(Config{Store: failStore{}, PublicURL: c.url})
		_, _, err := svc.ExportOCDS(context.Background(), tender.Tender{ID: "t1"}, officers.Bootstrap(), true)
		if !errors.Is(err, c.want) || (c.url == "" && !strings.Contains(err.Error(), "--public-url")) {
			t.Errorf("%q: %v, want %v", c.url, err, c.want)
		}
	}
}

func numPtr(s string) *bidjson.Number { n := bidjson.Number(s); return &n }

// failStore fails every call it is asked: the export must not reach it.
type failStore struct{ store.Store }
