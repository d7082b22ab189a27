package tender

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// uncFixture is the eu-gpp@2026.2 method (which has an uncertainty model)
// and its engine, and 2026.1 (which has none).
type uncFixture struct {
	m, noModel *methods.Method
	eng        *calc.Engine
}

func newUncFixture(t *testing.T) uncFixture {
	t.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve("eu-gpp@2026.2")
	if err != nil {
		t.Fatal(err)
	}
	old, err := reg.Resolve("eu-gpp@2026.1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Uncertainty == nil || old.Uncertainty != nil {
		t.Fatal("eu-gpp@2026.2 should have an uncertainty model and 2026.1 none")
	}
	return uncFixture{m: m, noModel: old, eng: calc.NewEngine(lib)}
}

func (f uncFixture) tender(m *methods.Method, a Award, u *UncertaintySetting) Tender {
	td := newTender(a)
	td.Method = Pin(m)
	td.Uncertainty = u
	return td
}

// bid is a bid of natural gas burnt in Germany (TJ), its footprint
// computed as at submission.
func (f uncFixture) bid(t *testing.T, td Tender, m *methods.Method, id, price string, tj []string, at time.Time) Bid {
	t.Helper()
	b := Bid{ID: id, Supplier: "Supplier " + id, Price: Price{Amount: dec(price), Currency: "EUR"}}
	for i, q := range tj {
		b.Lines = append(b.Lines, calc.Line{ID: strconv.Itoa(i + 1), Activity: "fuel.natural_gas", Region: "DE", Quantity: dec(q), Unit: "TJ"})
	}
	b.Lines = append(b.Lines, calc.Line{ID: "el", Activity: "electricity.grid", Region: "DE", Quantity: dec("10"), Unit: "MWh"})
	pb, _, err := PrepareBid(td, m, f.eng, b, at)
	if err != nil {
		t.Fatal(err)
	}
	pb.ID = id
	return pb
}

func setting(draws int, threshold string) *UncertaintySetting {
	return &UncertaintySetting{Draws: draws, Threshold: dec(threshold)}
}

func pf(t *testing.T, s string) float64 {
	t.Helper()
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("probability %q: %v", s, err)
	}
	return p
}

// TestUncertaintyReport checks the tender wiring against what theory says
// of constructed cases: identical bids share their factors' and heat
// contents' draws (common random numbers) and differ only by their own
// activity data, so each is first about half of the time; bids far apart
// are decided in every draw; rules that do not depend on the footprint
// are not sampled.
func TestUncertaintyReport(t *testing.T) {
	f := newUncFixture(t)
	carbon := Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}
	tests := []struct {
		name        string
		award       Award
		prices      [3]string
		sampled     bool
		tooClose    bool
		first       [2]float64 // bounds of the winner's p_first
		keep        string     // the winner's p_keep_place, when exact
		noteContain string
	}{
		{"identical bids", carbon, [3]string{"1000000", "1000000", "9000000000"}, true, true, [2]float64{0.47, 0.53}, "", "Sampled"},
		{"far apart", carbon, [3]string{"1000000", "900000000", "9000000000"}, true, false, [2]float64{1, 1}, "1", "Sampled"},
		{"price_only", Award{Rule: PriceOnly, Limits: LimitsReport}, [3]string{"1000000", "1000000.01", "2000000"}, false, false, [2]float64{1, 1}, "1", "price_only"},
		{"ladder", Award{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{"1": dec("0.01")}, Limits: LimitsReport}, [3]string{"1000000", "1000000.01", "2000000"}, false, false, [2]float64{1, 1}, "1", "ladder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := f.tender(f.m, tt.award, setting(20000, "0.95"))
			bids := []Bid{
				f.bid(t, td, f.m, "a", tt.prices[0], []string{"1000", "500"}, t0),
				f.bid(t, td, f.m, "b", tt.prices[1], []string{"1000", "500"}, t0.Add(time.Minute)),
				f.bid(t, td, f.m, "c", tt.prices[2], []string{"10"}, t0.Add(time.Hour)),
			}
			ev, err := EvaluateSeqWith(td, f.m, seqOf(bids), EvalOptions{Engine: f.eng, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			u := ev.Uncertainty
			if u == nil {
				t.Fatal("no uncertainty record")
			}
			seed, tdg, _ := UncertaintySeed(td)
			if u.Seed != strconv.FormatUint(seed, 10) || u.SeedFrom != tdg || u.Draws != 20000 || u.Threshold != "0.95" {
				t.Errorf("record %+v; want seed %d from %s", u, seed, tdg)
			}
			if u.Sampled != tt.sampled || u.TooCloseToCall != tt.tooClose || !strings.Contains(u.Note, tt.noteContain) {
				t.Errorf("sampled %v too close %v note %q; want %v %v %q", u.Sampled, u.TooCloseToCall, u.Note, tt.sampled, tt.tooClose, tt.noteContain)
			}
			if tt.sampled != (u.Generator != "" && len(u.ModelDigest) == 64 && u.Variables > 0) {
				t.Errorf("generator %q model %q variables %d (sampled %v)", u.Generator, u.ModelDigest, u.Variables, tt.sampled)
			}
			sum := 0.0
			for _, r := range ev.Ranking {
				sum += pf(t, r.PFirst)
			}
			if sum < 0.999999 || sum > 1.000001 {
				t.Errorf("p_first adds up to %v", sum)
			}
			w := ev.Ranking[0]
			if p := pf(t, w.PFirst); p < tt.first[0] || p > tt.first[1] {
				t.Errorf("winner %s p_first %v, want in %v", w.BidID, p, tt.first)
			}
			if tt.keep != "" && w.PKeepPlace != tt.keep {
				t.Errorf("winner p_keep_place %q, want %q", w.PKeepPlace, tt.keep)
			}
			if last := ev.Ranking[len(ev.Ranking)-1]; last.PKeepPlace != "" || last.PFirst != "0" {
				t.Errorf("last bid p_first %q p_keep_place %q; want 0 and none", last.PFirst, last.PKeepPlace)
			}
			// The legal ranking is the exact one, as without a report.
			plain := td
			plain.Uncertainty = nil
			pev, err := EvaluateSeqWith(plain, f.m, seqOf(bids), EvalOptions{Engine: f.eng})
			if err != nil {
				t.Fatal(err)
			}
			if ranks(pev) != ranks(ev) {
				t.Errorf("ranking %s; without the report %s", ranks(ev), ranks(pev))
			}
		})
	}
}

func seqOf(bids []Bid) func(yield func(Bid, error) bool) {
	return func(yield func(Bid, error) bool) {
		for _, b := range bids {
			if !yield(b, nil) {
				return
			}
		}
	}
}

// TestUncertaintyExcluded: a bid excluded under the exact limits rule has
// no probabilities and is not sampled.
func TestUncertaintyExcluded(t *testing.T) {
	f := newUncFixture(t)
	td := f.tender(f.m, Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsExclude}, setting(2000, "0.95"))
	a := f.bid(t, td, f.m, "a", "1000000", []string{"1000"}, t0)
	b := f.bid(t, td, f.m, "b", "1000", []string{"1000"}, t0.Add(time.Minute))
	b.Footprint.Limits = []LimitResult{{ID: "l", LineID: "1", Limit: dec("1"), Value: dec("2"), Unit: "kg", Pass: false}}
	ev, err := EvaluateSeqWith(td, f.m, seqOf([]Bid{a, b}), EvalOptions{Engine: f.eng})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Ranking[1].BidID != "b" || !ev.Ranking[1].Excluded || ev.Ranking[1].PFirst != "" || ev.Ranking[1].PKeepPlace != "" {
		t.Errorf("excluded row %+v", ev.Ranking[1])
	}
	if ev.Ranking[0].PFirst != "1" || ev.Ranking[0].PKeepPlace != "" || ev.Uncertainty.TooCloseToCall {
		t.Errorf("sole ranked row %+v, record %+v", ev.Ranking[0], ev.Uncertainty)
	}
}

// TestUncertaintyDeterministic: the same tender and bids give the same
// bytes, whatever the number of workers; another tender digest gives
// another seed.
func TestUncertaintyDeterministic(t *testing.T) {
	f := newUncFixture(t)
	td := f.tender(f.m, Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}, setting(3000, "0.9"))
	bids := []Bid{
		f.bid(t, td, f.m, "a", "1000000", []string{"1000", "500"}, t0),
		f.bid(t, td, f.m, "b", "1000000", []string{"1000", "500"}, t0.Add(time.Minute)),
		f.bid(t, td, f.m, "c", "1010000", []string{"990", "500"}, t0.Add(2*time.Minute)),
	}
	var out []string
	for _, w := range []int{1, 2, 3} {
		ev, err := EvaluateSeqWith(td, f.m, seqOf(bids), EvalOptions{Engine: f.eng, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ev.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf.String())
	}
	if out[0] != out[1] || out[1] != out[2] {
		t.Errorf("evaluations differ by workers:\n%s\n%s", out[0], out[1])
	}
	other := td
	other.Title = "Another title"
	s1, _, _ := UncertaintySeed(td)
	s2, _, _ := UncertaintySeed(other)
	if s1 == s2 {
		t.Error("two tenders with different digests share a seed")
	}
	if d, _ := TenderDigest(td); SeedFromDigest(d) != s1 {
		t.Error("UncertaintySeed is not SeedFromDigest(TenderDigest)")
	}
}

// TestUncertaintyAbsentUnchanged: without a declared report, or with a
// method without a model, the evaluation has no uncertainty field and no
// probabilities: the bytes of an evaluation before reports.
func TestUncertaintyAbsentUnchanged(t *testing.T) {
	f := newUncFixture(t)
	carbon := Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}
	tests := []struct {
		name string
		m    *methods.Method
		u    *UncertaintySetting
	}{
		{"no setting", f.m, nil},
		{"method without a model", f.noModel, setting(1000, "0.95")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := f.tender(tt.m, carbon, tt.u)
			bids := []Bid{f.bid(t, td, tt.m, "a", "1000000", []string{"1000"}, t0), f.bid(t, td, tt.m, "b", "1000000", []string{"1000"}, t0.Add(time.Minute))}
			ev, err := Evaluate(td, tt.m, bids) // no engine needed
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(ev)
			for _, k := range []string{"uncertainty", "p_first", "p_keep_place"} {
				if bytes.Contains(raw, []byte(k)) {
					t.Errorf("%s in %s", k, raw)
				}
			}
		})
	}
	if d, _ := TenderDigest(f.tender(f.m, carbon, nil)); d == "" {
		t.Fatal("no digest")
	}
	raw, _ := json.Marshal(f.tender(f.m, carbon, nil))
	if bytes.Contains(raw, []byte("uncertainty")) {
		t.Errorf("a tender without the setting names it: %s", raw)
	}
}

// TestUncertaintyNeedsEngine: a tender that must sample is not evaluated
// silently without its report.
func TestUncertaintyNeedsEngine(t *testing.T) {
	f := newUncFixture(t)
	td := f.tender(f.m, Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}, setting(1000, "0.95"))
	if _, err := Evaluate(td, f.m, nil); !errors.Is(err, ErrNoEngine) {
		t.Errorf("err %v, want ErrNoEngine", err)
	}
}

// TestUncertaintyDigestCovers: changing any recorded field or probability
// breaks the evaluation's digest (and so its evaluated event).
func TestUncertaintyDigestCovers(t *testing.T) {
	f := newUncFixture(t)
	td := f.tender(f.m, Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport}, setting(1000, "0.95"))
	bids := []Bid{f.bid(t, td, f.m, "a", "1000000", []string{"1000"}, t0), f.bid(t, td, f.m, "b", "1000000", []string{"1000"}, t0.Add(time.Minute))}
	ev, err := EvaluateSeqWith(td, f.m, seqOf(bids), EvalOptions{Engine: f.eng})
	if err != nil {
		t.Fatal(err)
	}
	tampers := []struct {
		name string
		edit func(e *Evaluation)
	}{
		{"seed", func(e *Evaluation) { e.Uncertainty.Seed = "42" }},
		{"draws", func(e *Evaluation) { e.Uncertainty.Draws = 100000 }},
		{"model digest", func(e *Evaluation) { e.Uncertainty.ModelDigest = strings.Repeat("0", 64) }},
		{"flag", func(e *Evaluation) { e.Uncertainty.TooCloseToCall = !e.Uncertainty.TooCloseToCall }},
		{"p_first", func(e *Evaluation) { e.Ranking[0].PFirst = "0.99" }},
		{"p_keep_place", func(e *Evaluation) { e.Ranking[0].PKeepPlace = "0.99" }},
		{"record removed", func(e *Evaluation) { e.Uncertainty = nil }},
	}
	var stored bytes.Buffer
	if err := ev.WriteJSON(&stored); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			var e Evaluation
			if err := json.Unmarshal(stored.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if ok, err := e.VerifyDigest(); !ok || err != nil {
				t.Fatalf("untouched: %v %v", ok, err)
			}
			tt.edit(&e)
			if ok, _ := e.VerifyDigest(); ok {
				t.Error("the digest still verifies")
			}
		})
	}
	s, err := ReadStoredEvaluation(stored.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := s.WriteJSON(&again); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.VerifyDigest(); !ok || err != nil || again.String() != stored.String() {
		t.Errorf("stored evaluation: verify %v %v; re-encoded equal %v", ok, err, again.String() == stored.String())
	}
}

// TestUncertaintyValidation: the declared setting's bounds.
func TestUncertaintyValidation(t *testing.T) {
	tests := []struct {
		name    string
		u       *UncertaintySetting
		maxBids int
		ptr     string
	}{
		{"ok", setting(10000, "0.95"), 0, ""},
		{"too few draws", setting(10, "0.95"), 0, "/uncertainty/draws"},
		{"too many draws", setting(MaxUncertaintyDraws+1, "0.95"), 0, "/uncertainty/draws"},
		{"over the work bound", setting(MaxUncertaintyDraws, "0.95"), MaxMaxBids, "/uncertainty/draws"},
		{"threshold 0", setting(10000, "0"), 0, "/uncertainty/threshold"},
		{"threshold above 1", setting(10000, "1.01"), 0, "/uncertainty/threshold"},
		{"threshold places", setting(10000, "0.95001"), 0, "/uncertainty/threshold"},
		{"threshold 1", setting(10000, "1"), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := newTender(Award{Rule: PriceOnly, Limits: LimitsReport})
			td.Uncertainty, td.MaxBids = tt.u, tt.maxBids
			err := ValidateTender(td, t0)
			var ve *ValidationError
			switch {
			case tt.ptr == "" && err != nil:
				t.Errorf("unexpected %v", err)
			case tt.ptr != "" && (!errors.As(err, &ve) || ve.Problems[0].Pointer != tt.ptr):
				t.Errorf("err %v, want a problem at %s", err, tt.ptr)
			}
		})
	}
	f := newUncFixture(t)
	td := f.tender(f.noModel, Award{Rule: PriceOnly, Limits: LimitsReport}, setting(10000, "0.95"))
	if err := CheckUncertaintyMethod(td, f.noModel); !errors.Is(err, ErrNoUncertaintyModel) {
		t.Errorf("method without a model: %v", err)
	}
}
