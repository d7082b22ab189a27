package tenders

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// uncRig is a SQLite store and service with the embedded methods.
type uncRig struct {
	st    store.Store
	hs    *heapStore
	svc   *Service
	reg   *methods.Registry
	eng   *calc.Engine
	clock *time.Time
}

func newUncRig(t *testing.T) *uncRig {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "unc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r := &uncRig{st: st, hs: &heapStore{Store: st}, reg: reg, eng: calc.NewEngine(lib), clock: &clock}
	r.svc = New(Config{Store: r.hs, Registry: reg, Engine: r.eng, Now: func() time.Time { return *r.clock }})
	return r
}

// create makes a carbon_price tender (W = 100) under method with the
// declared report u (nil: none).
func (r *uncRig) create(t *testing.T, method string, u *UncertaintyRequest, maxBids int) tender.Tender {
	t.Helper()
	w := bidjson.Number("100")
	tn, err := NewTender(r.reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: method, Currency: "EUR",
		Deadline: r.clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "carbon_price", CarbonPricePerT: &w, Limits: "report"},
		MaxBids: &maxBids, Uncertainty: u}, *r.clock)
	if err != nil {
		t.Fatal(err)
	}
	if tn, err = r.svc.Create(context.Background(), tn, officers.Bootstrap()); err != nil {
		t.Fatal(err)
	}
	return tn
}

func (r *uncRig) submit(t *testing.T, tn tender.Tender, supplier, price string, lines []calc.Line) {
	t.Helper()
	b := tender.Bid{Supplier: supplier, Price: tender.Price{Amount: decimal.RequireFromString(price), Currency: "EUR"}, Lines: lines}
	if _, err := r.svc.Submit(context.Background(), tn, b, tender.HashToken(supplier), ""); err != nil {
		t.Fatal(err)
	}
	*r.clock = r.clock.Add(time.Second)
}

func gasLines(tj ...string) []calc.Line {
	var out []calc.Line
	for i, q := range tj {
		out = append(out, calc.Line{ID: fmt.Sprint(i + 1), Activity: "fuel.natural_gas", Region: "DE", Quantity: decimal.RequireFromString(q), Unit: "TJ"})
	}
	return out
}

// TestOpenWithUncertainty: a tender that declared a report gets it at
// the opening, with the seed derived from its digest; the audit trail
// verifies; anyone re-evaluating the stored tender and bids gets the
// stored bytes; the CSV has the two columns appended; a tender without a
// setting gets neither the record nor the columns; a method without a
// model is refused at creation.
func TestOpenWithUncertainty(t *testing.T) {
	ctx := context.Background()
	r := newUncRig(t)
	draws := 4000
	th := bidjson.Number("0.9")
	tn := r.create(t, "eu-gpp@2026.2", &UncertaintyRequest{Draws: &draws, Threshold: &th}, 10)
	if tn.Uncertainty == nil || tn.Uncertainty.Draws != 4000 || tn.Uncertainty.Threshold.String() != "0.9" {
		t.Fatalf("stored setting %+v", tn.Uncertainty)
	}
	plain := r.create(t, "eu-gpp@2026.2", nil, 10)
	for _, x := range []tender.Tender{tn, plain} {
		r.submit(t, x, "Acme", "1000000.00", gasLines("1000", "500"))
		r.submit(t, x, "Bolt", "1000000.00", gasLines("1000", "500"))
		r.submit(t, x, "Cole", "90000000.00", gasLines("10"))
	}
	*r.clock = r.clock.Add(2 * time.Hour)
	ev, err := r.svc.Open(ctx, tn, officers.Bootstrap())
	if err != nil {
		t.Fatal(err)
	}
	u := ev.Uncertainty
	seed, td, _ := tender.UncertaintySeed(tn)
	if u == nil || u.Seed != fmt.Sprint(seed) || u.SeedFrom != td || !u.Sampled || !u.TooCloseToCall || u.Draws != 4000 {
		t.Fatalf("record %+v; want seed %d from %s, too close to call", u, seed, td)
	}
	if res, err := r.svc.Audit(ctx, tn.ID, officers.Bootstrap()); err != nil || !res.Verified {
		t.Errorf("audit: %+v %v", res, err)
	}
	// Re-evaluated from the stored tender and bids: the stored bytes.
	stored, err := r.svc.Tender(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	bids, err := r.st.Bids(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.reg.Resolve("eu-gpp@2026.2")
	again, err := tender.EvaluateSeqWith(stored, m, func(yield func(tender.Bid, error) bool) {
		for _, b := range bids {
			if !yield(b, nil) {
				return
			}
		}
	}, tender.EvalOptions{Engine: r.eng, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.SetOpening(ev.Committee, ev.OpenedBy); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := ev.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := again.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("re-evaluation differs:\n%s\n%s", a.String(), b.String())
	}
	// The exported CSV: the probability columns appended.
	x, _, err := r.svc.StreamEvaluation(ctx, stored, officers.Bootstrap(), false)
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := x.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(append(EvaluationCSVHeader(), EvaluationUncertaintyCSVColumns()...), ",")
	if strings.Join(rows[0], ",") != want || len(rows) != 4 || rows[3][len(rows[3])-2] != "0" || rows[3][len(rows[3])-1] != "" {
		t.Errorf("csv %q", rows)
	}

	pev, err := r.svc.Open(ctx, plain, officers.Bootstrap())
	if err != nil {
		t.Fatal(err)
	}
	var p bytes.Buffer
	if err := pev.WriteJSON(&p); err != nil {
		t.Fatal(err)
	}
	if pev.Uncertainty != nil || strings.Contains(p.String(), "p_first") {
		t.Errorf("a tender without the setting: %s", p.String())
	}

	_, err = NewTender(r.reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "eu-gpp@2026.1", Currency: "EUR",
		Deadline: r.clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "price_only", Limits: "report"},
		Uncertainty: &UncertaintyRequest{}}, *r.clock)
	if te, ok := err.(*Error); !ok || te.Problems[0].Pointer != "/uncertainty" {
		t.Errorf("a method without a model: %v", err)
	}
}

// TestOpenUncertaintyHoldsCoefficientsOnly: opening a tender of N bids
// of L lines that declares an uncertainty report keeps the live heap flat
// while the bids are read, as without one: of each bid only its
// coefficients are kept (its exact lines summed into one term, one term
// per uncertain input), never its lines. (Keep the line items or the
// footprints, and it fails.)
func TestOpenUncertaintyHoldsCoefficientsOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 bids of 2,000 lines")
	}
	const n, lines = 24, 2000
	ctx := context.Background()
	r := newUncRig(t)
	tn := r.create(t, "eu-gpp@2026.2", &UncertaintyRequest{}, 100)
	for i := range n {
		ls := gasLines("100", "50") // two uncertain lines
		for j := range lines - len(ls) {
			ls = append(ls, calc.Line{ID: fmt.Sprint("e", j), Activity: "electricity.grid", Region: "DE", Quantity: decimal.RequireFromString(fmt.Sprintf("%d.5", j%97+1)), Unit: "MWh"})
		}
		r.submit(t, tn, fmt.Sprint("S", i), fmt.Sprintf("%d.00", 1000000+i), ls)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	one, err := r.st.Bids(ctx, tn.ID)
	if err != nil || len(one) != n {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perBid := (after.HeapAlloc - before.HeapAlloc) / n
	runtime.KeepAlive(one)
	one = nil

	*r.clock = r.clock.Add(2 * time.Hour)
	ev, err := r.svc.Open(ctx, tn, officers.Bootstrap())
	if err != nil || len(ev.Ranking) != n || ev.Uncertainty == nil || !ev.Uncertainty.Sampled {
		t.Fatalf("open: %v", err)
	}
	if len(r.hs.live) != n {
		t.Fatalf("%d bids read, want %d", len(r.hs.live), n)
	}
	growth := int64(r.hs.live[n-1]) - int64(r.hs.live[1])
	t.Logf("one bid of %d lines: %d KB live; heap growth over the opening's %d bids: %d KB", lines, perBid>>10, n, growth>>10)
	if growth > 2*int64(perBid) {
		t.Errorf("the live heap grew by %d KB while %d bids were read (one bid is %d KB): bids' lines are held", growth>>10, n, perBid>>10)
	}
}
