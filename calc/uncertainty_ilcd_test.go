package calc_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// declaredILCD is the ILCD archive of epd/testdata/uncertainty's fixture
// (a real excerpt with the ILCD uncertainty fields added: GWP-total,
// meanAmount its A1-A3 amount, log-normal, SDg² 1.44), with its
// GWP-total declaration replaced by typ and val ("" leaves it as it is).
func declaredILCD(t *testing.T, typ, val string) []byte {
	t.Helper()
	dir := filepath.Join("..", "epd", "testdata", "uncertainty", "ibu-aluminium-profile-declared")
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".xml" {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if typ != "" && strings.Contains(n, "processes") {
			const old = "<uncertaintyDistributionType>log-normal</uncertaintyDistributionType>\n      <relativeStandardDeviation95In>1.44</relativeStandardDeviation95In>"
			if !bytes.Contains(raw, []byte(old)) {
				t.Fatal("the fixture's GWP-total declaration changed")
			}
			raw = bytes.Replace(raw, []byte(old), []byte("<uncertaintyDistributionType>"+typ+"</uncertaintyDistributionType><relativeStandardDeviation95In>"+val+"</relativeStandardDeviation95In>"), 1)
		}
		rel, _ := filepath.Rel(dir, n)
		w, err := zw.Create("ILCD/" + filepath.ToSlash(rel))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ilcdBid is a bid of 12 t of aluminium profile whose factor is the EPD
// archive doc.
func ilcdBid(t *testing.T, doc []byte) calc.Bid {
	return uncBid(t, `{"reference": "U-ILCD", "supplier": "S", "date": "2026-06-01", "lines": [
 {"id": "1", "activity": "material.aluminium.extrusion", "region": "DE", "quantity": "12", "unit": "t",
  "factor": {"epd": {"format": "ilcd+epd", "file": "aluminium-declared.zip", "document": "`+base64.StdEncoding.EncodeToString(doc)+`"}}}]}`)
}

// TestILCDDeclaredUncertaintySampled: under eu-gpp@2026.2 and
// us-federal@2026.2 (epd = "declared") an EPD line whose ILCD+EPD
// document declares an uncertainty for the counted GWP-total A1-A3 is
// sampled from it, and the sample's 2.5 % and 97.5 % points reproduce the
// declared interval (value ÷ and × SDg²; value × (1 ∓ x/100)) within 1 %
// of the exact value at 100,000 draws. (The standard error of a sample
// 2.5 % point is √(p(1−p)/n)/φ(z) ≈ 0.0085 standard deviations of z at
// this n: 0.3 % of the value for SDg² 2, 0.09 % for a normal of 20 %.) A
// declaration that is not kept (undefined, triangular, implausible)
// leaves the line exact, "no published uncertainty".
func TestILCDDeclaredUncertaintySampled(t *testing.T) {
	e, reg := uncEngine(t)
	tests := []struct {
		typ, val string
		lo, hi   float64 // the declared 2.5 % and 97.5 % points over the value; 0: exact
	}{
		{"", "", 1 / 1.44, 1.44}, // the fixture as committed: log-normal, SDg² 1.44
		{"log-normal", "2", 0.5, 2},
		{"normal", "20", 0.8, 1.2},
		{"normal", "0", 1, 1},
		{"undefined", "12.123", 0, 0},
		{"triangular", "", 0, 0},
		{"log-normal", "0.5", 0, 0}, // below 1: refused, warned
		{"normal", "150", 0, 0},     // the 2.5 % point below zero: refused, warned
		{"log-normal", "1e2", 0, 0}, // not an xs:decimal: refused, warned
	}
	for _, ref := range []string{"eu-gpp@2026.2", "us-federal@2026.2"} {
		m, err := reg.Resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			t.Run(ref+"/"+tc.typ+"_"+tc.val, func(t *testing.T) {
				bid := ilcdBid(t, declaredILCD(t, tc.typ, tc.val))
				fp, err := e.Calculate(m, bid)
				if err != nil {
					t.Fatal(err)
				}
				lr := fp.Lines[0]
				if lr.Status != calc.StatusOK || lr.EPD == nil || lr.EPD.Indicator != "GWP-total" || lr.EPD.Modules != "A1-A3" {
					t.Fatalf("line %s %+v (%s)", lr.Status, lr.EPD, lr.Error)
				}
				u, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 100000, Seed: 20})
				if err != nil {
					t.Fatal(err)
				}
				l := u.Lines[0]
				exact := num(t, l.Exact)
				if tc.lo == 0 {
					if len(l.Inputs) != 0 || l.Note != calc.NoPublishedUncertainty {
						t.Errorf("inputs %v, note %q; want exact", l.Inputs, l.Note)
					}
					return
				}
				if len(l.Inputs) != 1 || l.Inputs[0] != "epd/"+lr.EPD.SHA256 {
					t.Fatalf("inputs %v, want [epd/%s]", l.Inputs, lr.EPD.SHA256)
				}
				lo, hi := num(t, l.Interval95[0]), num(t, l.Interval95[1])
				if math.Abs(lo-tc.lo*exact) > 0.01*exact || math.Abs(hi-tc.hi*exact) > 0.01*exact {
					t.Errorf("95 %% interval %v to %v; declared %v to %v", lo, hi, tc.lo*exact, tc.hi*exact)
				}
				if med := num(t, l.Median); math.Abs(med-exact) > 0.01*exact {
					t.Errorf("median %v, value %v", med, exact)
				}
				if tc.hi > 1 {
					if len(u.Contributors) != 1 || !strings.Contains(u.Contributors[0].Source, "LCIAResults/LCIAResult[1]/relativeStandardDeviation95In") {
						t.Errorf("contributors %+v", u.Contributors)
					}
				}
			})
		}
	}
	// A method version without a model samples nothing, declared or not.
	m, _ := reg.Resolve("eu-gpp@2026.1")
	bid := ilcdBid(t, declaredILCD(t, "", ""))
	fp, err := e.Calculate(m, bid)
	if err != nil {
		t.Fatal(err)
	}
	u, err := calc.FootprintUncertaintyOf(m, fp, &bid, uncertainty.Config{Draws: 100, Seed: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Lines[0].Inputs) != 0 || u.Model != calc.ModelNone {
		t.Errorf("eu-gpp@2026.1: inputs %v, model %q", u.Lines[0].Inputs, u.Model)
	}
}

// TestILCDDeclaredUncertaintyWarned: a declaration refused by the reader
// is said on the line (the reader's warning, naming the field), and the
// exact value is the one without the fields.
func TestILCDDeclaredUncertaintyWarned(t *testing.T) {
	e, reg := uncEngine(t)
	m, _ := reg.Resolve("eu-gpp@2026.2")
	ok, err := e.Calculate(m, ilcdBid(t, declaredILCD(t, "", "")))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := e.Calculate(m, ilcdBid(t, declaredILCD(t, "normal", "-5")))
	if err != nil {
		t.Fatal(err)
	}
	if !ok.Total.KgCO2e.Equal(bad.Total.KgCO2e) {
		t.Errorf("total %s with a refused declaration, %s without", bad.Total.KgCO2e, ok.Total.KgCO2e)
	}
	want := `LCIAResults/LCIAResult[1]/relativeStandardDeviation95In: "-5" is negative; a standard deviation never is; GWP-total's declared uncertainty is not used`
	if w := strings.Join(bad.Lines[0].Warnings, "\n"); !strings.Contains(w, want) {
		t.Errorf("warnings %q lack %q", bad.Lines[0].Warnings, want)
	}
	if w := strings.Join(ok.Lines[0].Warnings, "\n"); strings.Contains(w, "uncertainty") {
		t.Errorf("warnings %q mention an uncertainty", ok.Lines[0].Warnings)
	}
}
