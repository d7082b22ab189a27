package tender

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/methods"
)

// TestNegativeNotRanked: a bid whose footprint total or notional price is
// negative is excluded with its reason, whatever its notional price; the
// −9E14 bid of issue 16 (999,999,999.00 with a forged EPD) loses to the
// honest bid at 100.00.
func TestNegativeNotRanked(t *testing.T) {
	tests := []struct {
		name      string
		w         string
		forgedKg  string
		wantOrder string // bid ids in ranking order
		wantRank  map[string]bool
		reason    string
	}{
		{name: "forged footprint of issue 16", w: "100", forgedKg: "-900000000000000", wantOrder: "honest forged",
			reason: "footprint total -900000000000000 kg CO2e is negative"},
		{name: "slightly negative footprint", w: "100", forgedKg: "-0.001", wantOrder: "honest forged",
			reason: "footprint total -0.001 kg CO2e is negative"},
		{name: "negative footprint under a zero carbon price", w: "0", forgedKg: "-1", wantOrder: "honest forged",
			reason: "footprint total -1 kg CO2e is negative"},
		// A carbon price below zero is refused when a tender is created;
		// a stored one still cannot rank a negative notional price.
		{name: "negative notional price", w: "-1000000000000", forgedKg: "1", wantOrder: "honest forged",
			reason: "notional price -1 is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			td := newTender(Award{Rule: CarbonPrice, CarbonPricePerT: decp(tc.w), Limits: LimitsReport})
			forged := newBid("forged", "999999999.00", tc.forgedKg, t0.Add(1))
			honest := newBid("honest", "100.00", "780", t0.Add(2))
			if tc.w == "-1000000000000" {
				honest.Footprint.KgCO2e = dec("0")
			}
			ev, err := Evaluate(td, testMethod(), []Bid{forged, honest})
			if err != nil {
				t.Fatal(err)
			}
			var order []string
			for _, r := range ev.Ranking {
				order = append(order, r.BidID)
			}
			if got := strings.Join(order, " "); got != tc.wantOrder {
				t.Fatalf("order %q, want %q", got, tc.wantOrder)
			}
			win, lost := ev.Ranking[0], ev.Ranking[1]
			if win.Rank == nil || *win.Rank != 1 || win.Excluded {
				t.Errorf("honest bid not ranked first: %+v", win)
			}
			if lost.Rank != nil || !lost.Excluded || !strings.Contains(lost.Reason, tc.reason) {
				t.Errorf("forged bid: rank %v excluded %v reason %q, want %q", lost.Rank, lost.Excluded, lost.Reason, tc.reason)
			}
		})
	}
}

// zipDir zips a fixture directory as an ILCD archive (entries sorted).
func zipDir(t *testing.T, dir string) []byte {
	t.Helper()
	var names []string
	if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		r, _ := filepath.Rel(dir, n)
		w, err := zw.Create("ILCD/" + filepath.ToSlash(r))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPrepareBidForgedEPD: at submission, the bid whose EPD was forged
// to −9E14 kg CO2e is refused (an invalid bid: 422 at the edge) with the
// line and the rule; the honest archive it was made from is accepted.
func TestPrepareBidForgedEPD(t *testing.T) {
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve("eu-gpp@2025.3")
	if err != nil {
		t.Fatal(err)
	}
	eng := calc.NewEngine(lib)
	td := newTender(Award{Rule: CarbonPrice, CarbonPricePerT: decp("100"), Limits: LimitsReport})
	td.Method = Pin(m)
	tests := []struct {
		name, dir, price string
		err              string
	}{
		{name: "forged", dir: filepath.Join("..", "calc", "testdata", "epd", "forged-rebar-a2"), price: "999999999.00",
			err: "declares A1-A3 GWP-total -900000000000000 kg CO2e per 1000 kg: a negative A1-A3 value counts biogenic uptake without its end-of-life release"},
		{name: "honest", dir: filepath.Join("..", "epd", "testdata", "ilcd", "rebar-a2"), price: "100.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := zipDir(t, tc.dir)
			decl, err := epd.Parse(epd.FormatILCD, tc.name+".zip", raw)
			if err != nil {
				t.Fatal(err)
			}
			b := newBid("", tc.price, "0", t0)
			b.Lines = []calc.Line{{ID: "steel", Activity: "material.steel.rebar", Region: "DE", Quantity: dec("1"), Unit: "t",
				Factor: &calc.ProductFactor{EPD: &calc.EPDDocument{Format: epd.FormatILCD, File: tc.name + ".zip", Raw: raw, Declaration: decl}}}}
			got, _, err := PrepareBid(td, m, eng, b, t0.Add(1500))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.Footprint.KgCO2e.IsNegative() {
					t.Errorf("honest footprint %s", got.Footprint.KgCO2e)
				}
				return
			}
			var be *calc.BidError
			if !errors.As(err, &be) || !errors.Is(err, calc.ErrEPDValue) {
				t.Fatalf("err = %v, want a *calc.BidError with ErrEPDValue", err)
			}
			if !strings.Contains(err.Error(), tc.err) || be.Problems[0].LineID != "steel" || be.Problems[0].Pointer != "/lines/0/factor/epd" {
				t.Errorf("problems %+v\nwant %q on line steel", be.Problems, tc.err)
			}
		})
	}
}
