package tenders

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/footprint-gpp/footprint/export/eforms"
	"github.com/footprint-gpp/footprint/methods"
)

var sdkNotices = filepath.Join("..", "..", "shared", "eforms-sdk", "examples", "notices")

// TestEFormsSDKExamplesCreateTenders: the SDK's example contract notices
// with a cost criterion (and the one with a sole price criterion) make
// valid tenders, given a method and, where the notice lacks BT-131 or any
// amount, a deadline and a currency.
func TestEFormsSDKExamplesCreateTenders(t *testing.T) {
	if _, err := os.Stat(sdkNotices); err != nil {
		t.Skip("no eForms SDK examples beside the repository")
	}
	_, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC) // before the examples' deadlines
	given := EFormsOptions{Method: "eu-gpp", Deadline: "2027-03-01T12:00:00Z", Currency: "EUR"}
	for _, c := range []struct {
		file         string
		opt          EFormsOptions
		ref, buyer   string
		deadline, cu string
	}{
		{"cn_24_open_accel.xml", EFormsOptions{Method: "eu-gpp"}, "not available", "Comando generale dell'Arma dei carabinieri", "2020-05-18T17:00:00Z", "EUR"},
		{"cn_24_nego_accel.xml", given, "CO591", "", "2027-03-01T12:00:00Z", "EUR"},
		{"cn_25.xml", given, "SW19/ENY/1192", "", "2027-03-01T12:00:00Z", "EUR"},
		{"cn_81.xml", given, "700029324", "", "2027-03-01T12:00:00Z", "EUR"},
		{"cn_81_FRA.xml", given, "700029324", "", "2027-03-01T12:00:00Z", "EUR"},
		{"subco_81.xml", given, "Internal identifier (BT-22-Procedure)", "", "2027-03-01T12:00:00Z", "EUR"},
	} {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(sdkNotices, c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tn, et, err := NewTenderFromEForms(reg, f, c.opt, now)
			if err != nil {
				var te *Error
				errors.As(err, &te)
				t.Fatalf("refused: %v %+v %+v", err, te.Problems, te.Terms)
			}
			if tn.Reference != c.ref || (c.buyer != "" && tn.Buyer != c.buyer) || tn.Buyer == "" || tn.Title == "" ||
				tn.Deadline.UTC().Format(time.RFC3339) != c.deadline || tn.Currency != c.cu || tn.Award.Rule != "price_only" || tn.Award.Limits != "report" ||
				tn.Method.ID != "eu-gpp" || tn.Notice == nil || tn.Notice.BuyerLegalName != tn.Buyer {
				t.Errorf("tender %+v (notes %q)", tn, et.Notes)
			}
			if len(tn.Title) > 200 || !utf8.ValidString(tn.Title) {
				t.Errorf("title of %d bytes", len(tn.Title))
			}
			if len(et.Notes) == 0 {
				t.Error("no note says how the award rule was chosen")
			}
		})
	}
}

// TestEFormsProblemsNameTermsAndOptions: a field the notice gave is
// reported by its business term; an option by its pointer.
func TestEFormsProblemsNameTermsAndOptions(t *testing.T) {
	if _, err := os.Stat(sdkNotices); err != nil {
		t.Skip("no eForms SDK examples beside the repository")
	}
	_, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	read := func(opt EFormsOptions, now time.Time) *Error {
		f, err := os.Open(filepath.Join(sdkNotices, "cn_24_open_accel.xml"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, _, err = NewTenderFromEForms(reg, f, opt, now)
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("error %v is not an *Error", err)
		}
		return te
	}
	// The notice's deadline (2020) has passed: named as BT-131.
	te := read(EFormsOptions{Method: "eu-gpp"}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(te, ErrInvalidTender) || len(te.Terms) != 1 || te.Terms[0].Term != "BT-131(d)-Lot" || !strings.HasPrefix(te.Terms[0].Detail, "deadline: ") {
		t.Errorf("past deadline: %+v", te)
	}
	// No method; a bad limits rule; bad options.
	te = read(EFormsOptions{}, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(te.Problems) != 1 || te.Problems[0].Pointer != "/method" || OptionOf("/method") != "method" {
		t.Errorf("no method: %+v", te)
	}
	te = read(EFormsOptions{Method: "eu-gpp", Limits: "sometimes"}, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(te.Problems) != 1 || te.Problems[0].Pointer != "/award/limits" {
		t.Errorf("bad limits: %+v", te)
	}
	te = read(EFormsOptions{Method: "eu-gpp", Deadline: "tomorrow", Currency: "euro", CarbonPricePerT: "-1"}, time.Now())
	if len(te.Problems) != 3 {
		t.Errorf("bad options: %+v", te)
	}
	// A reader refusal keeps its sentinel and terms.
	_, _, err = NewTenderFromEForms(reg, strings.NewReader(`<!DOCTYPE x><x/>`), EFormsOptions{Method: "eu-gpp"}, time.Now())
	if !errors.Is(err, eforms.ErrMalformed) {
		t.Errorf("DTD: %v", err)
	}
}
