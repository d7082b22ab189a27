package epd

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/uncertainty"
)

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process">&lol9;</processDataSet>`

const externalEntity = `<?xml version="1.0"?>
<!doctype processDataSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process"><processInformation><dataSetInformation><common:UUID xmlns:common="http://lca.jrc.it/ILCD/Common">&xxe;</common:UUID></dataSetInformation></processInformation></processDataSet>`

// zipOf is an archive of the named entries.
func zipOf(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostile(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), MaxBytes+1)
	deepXML := strings.Repeat("<a>", 100_000) + strings.Repeat("</a>", 100_000)
	deepJSON := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	manyElements := "<processDataSet>" + strings.Repeat("<b/>", maxElements+1) + "</processDataSet>"
	proc, _ := os.ReadFile(filepath.Join("testdata", "ilcd", "rebar-a2", "processes", "c0ffee01-0000-4000-8000-000000000001.xml"))
	bomb := zipOf(t, map[string][]byte{"processes/bomb.xml": bytes.Repeat([]byte(" "), MaxBytes+1)})
	many := map[string][]byte{}
	for i := 0; i <= MaxArchiveEntries; i++ {
		many[fmt.Sprintf("sources/%d.xml", i)] = nil
	}
	tests := []struct {
		name, format string
		raw          []byte
		sentinel     error
		msg          string
	}{
		{"billion laughs", FormatILCD, []byte(billionLaughs), ErrUnsafe, "EPD h: the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); EPD data sets have none and they are refused"},
		{"external entity", FormatILCD, []byte(externalEntity), ErrUnsafe, "EPD h: the document declares a DTD or entities"},
		{"entity without DTD", FormatILCD, []byte(`<processDataSet>&xxe;</processDataSet>`), ErrMalformed, "EPD h: line 1: not well-formed XML: invalid character entity &xxe;"},
		{"deep XML", FormatILCD, []byte(deepXML), ErrTooLarge, fmt.Sprintf("EPD h: line 1: elements nested deeper than %d", MaxDepth)},
		{"many elements", FormatILCD, []byte(manyElements), ErrTooLarge, fmt.Sprintf("EPD h: more than %d elements", maxElements)},
		{"huge XML", FormatILCD, huge, ErrTooLarge, fmt.Sprintf("EPD h: %d bytes, over the limit of %d", MaxBytes+1, MaxBytes)},
		{"huge JSON", FormatOpenEPD, huge, ErrTooLarge, fmt.Sprintf("EPD h: %d bytes, over the limit of %d", MaxBytes+1, MaxBytes)},
		{"huge zip", FormatILCD, append([]byte("PK\x03\x04"), huge...), ErrTooLarge, "over the limit of"},
		{"deep JSON", FormatOpenEPD, []byte(deepJSON), ErrTooLarge, fmt.Sprintf("EPD h: byte %d: nested deeper than %d", MaxDepth+1, MaxDepth)},
		{"zip bomb", FormatILCD, bomb, ErrTooLarge, fmt.Sprintf("EPD h!processes/bomb.xml: the archive decompresses to more than %d bytes", MaxBytes)},
		{"too many entries", FormatILCD, zipOf(t, many), ErrTooLarge, fmt.Sprintf("EPD h: %d entries, over the limit of %d", MaxArchiveEntries+1, MaxArchiveEntries)},
		{"broken zip", FormatILCD, []byte("PK\x03\x04 not really a zip"), ErrMalformed, "EPD h: not a readable zip archive"},
		{"zip without process", FormatILCD, zipOf(t, map[string][]byte{"flows/x.xml": []byte(okFlow)}), ErrMalformed, "EPD h: processes/: no process data set in the archive"},
		{"zip with two processes", FormatILCD, zipOf(t, map[string][]byte{"processes/a.xml": proc, "processes/b.xml": proc}), ErrMalformed, "EPD h: processes/: 2 process data sets in the archive; give one EPD per archive"},
		{"zip with hostile entry", FormatILCD, zipOf(t, map[string][]byte{"processes/a.xml": []byte(billionLaughs)}), ErrUnsafe, "EPD h!processes/a.xml: the document declares a DTD"},
		{"non-UTF-8 encoding", FormatILCD, []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><processDataSet/>`), ErrMalformed, "not well-formed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, "h", tt.raw)
			wantErr(t, err, tt.sentinel, tt.msg)
		})
	}
}

// checkParsed is what a fuzz target holds of any input: no panic (the
// fuzzer reports those), an error that is a *DocError with a sentinel
// and a bounded message, or a declaration with its digest.
func checkParsed(t *testing.T, d *Declaration, err error) {
	if err != nil {
		var de *DocError
		if !errors.As(err, &de) {
			t.Fatalf("error %T %v, want a *DocError", err, err)
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsafe) {
			t.Fatalf("error %v wraps no reading sentinel", err)
		}
		if len(err.Error()) > 1000 {
			t.Fatalf("error message %d bytes long", len(err.Error()))
		}
		return
	}
	if d == nil || len(d.SHA256) != 64 || d.ID == "" {
		t.Fatalf("no error and declaration %+v", d)
	}
	for _, r := range d.Results {
		if r.Module == "" || r.Indicator == "" {
			t.Fatalf("result without indicator or module: %+v", r)
		}
		// A declared uncertainty kept is one the sampling can take.
		if u := r.Uncertainty; u != nil {
			if _, _, err := u.Interval95(r.Value); err != nil {
				t.Fatalf("%s %s: kept %+v: %v", r.Indicator, r.Module, *u, err)
			}
			x, _ := decimal.RequireFromString(u.RelativeSD95In).Float64()
			if _, err := uncertainty.FromILCD(u.Distribution, x); err != nil {
				t.Fatalf("%s %s: kept %+v: %v", r.Indicator, r.Module, *u, err)
			}
		}
	}
	for _, n := range d.Notes {
		if len(n) > 2000 {
			t.Fatalf("note %d bytes long", len(n))
		}
	}
}

func FuzzParseILCD(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "ilcd", "*"))
	real, _ := filepath.Glob(filepath.Join("testdata", "real", "*", "processes"))
	for _, p := range real {
		dirs = append(dirs, filepath.Dir(p)) // excerpts of published EPDs
	}
	// The seeds are whole documents (kilobytes): run with a bounded
	// minimisation, or the fuzzer spends its time shrinking the first new
	// input: go test -fuzz=FuzzParseILCD -fuzzminimizetime=2s ./epd
	for _, dir := range dirs {
		f.Add(zipDir(f, dir))
		f.Add(one(f, filepath.Join(dir, "processes")))
	}
	f.Add([]byte(process(okRef, okExch, okLCIA, "")))
	// Validity: a year and the EPD's expiration date (ILCD+EPD 1.3).
	f.Add([]byte(process(okRef, okExch, okLCIA, `<time xmlns:epd24="http://www.indata.network/EPD/2024"><common:dataSetValidUntil>2025</common:dataSetValidUntil><common:other><epd24:expirationDateOfEPD>2025-05-07</epd24:expirationDateOfEPD></common:other></time>`)))
	// Registration number among the synonyms, program operator as a data source.
	f.Add([]byte(strings.Replace(process(okRef, okExch, okLCIA, ""), "</baseName></name>", "</baseName></name><common:synonyms>x; S-P-01234, EPD-IES-0012345:002</common:synonyms>", 1)))
	// Declared uncertainty (uncertainty_test.go): the real excerpt with the
	// ILCD fields added, every distribution type, values the reader keeps,
	// notes or refuses, and which module a declaration describes.
	f.Add(zipDir(f, declaredDir))
	f.Add(one(f, filepath.Join(declaredDir, "processes")))
	for _, u := range []string{
		unc("", "log-normal", "1.44"), unc("", "normal", "20"), unc("0.0", "undefined", "12.123"), unc("", "triangular", ""),
		unc("", "uniform", "10"), unc("5", "log-normal", "0.5"), unc("", "normal", "100"), unc("", "normal", "-5"),
		unc("", "log-normal", "1e3"), unc("", "log-normal", "123456"), unc("x", "normal", "NaN"), unc("", "lognormal", ""),
	} {
		f.Add([]byte(process(okRef, okExch, lciaWith("Global warming potential (GWP)", u, "A1-A3", "5", "D", "-1"), "")))
		f.Add([]byte(process(okRef, strings.Replace(okExch, "</exchange>", u+"</exchange>", 1), lciaWith("GWP-total", u, "A1-A3", "5"), "")))
	}
	f.Add([]byte(billionLaughs))
	f.Add([]byte(externalEntity))
	f.Add([]byte(strings.Repeat("<a>", 70)))
	f.Add([]byte("PK\x03\x04"))
	flow := File{Name: flowFor, Data: []byte(okFlow)}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Parse(FormatILCD, "f", raw)
		checkParsed(t, d, err)
		d, err = ParseILCD("f", raw, flow)
		checkParsed(t, d, err)
	})
}

// FuzzParseOpenEPD: go test -fuzz=FuzzParseOpenEPD -fuzzminimizetime=2s ./epd
func FuzzParseOpenEPD(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "openepd", "*.json"))
	real, _ := filepath.Glob(filepath.Join("testdata", "real", "*.json"))
	files = append(files, real...) // EC3 records of published EPDs
	files = append(files, filepath.Join("testdata", "malformed", "truncated.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"id": "x", "declared_unit": "1 t", "impacts": {"s": {"gwp": {"A1": {"mean": 1}, "A2": {"mean": "2"}, "A3": {"mean": 3e2}}}}}`))
	f.Add([]byte(`{"id": "x", "declared_unit": "1 t", "valid_until": "2025", "date_validity_ends": "2025-05-07T00:00:00Z"}`))
	f.Add([]byte(`{"id": "x", "declared_unit": "1 m^3", "density": "2400 kg / m^3", "gwp": "301.5 kgCO2e", "kg_per_declared_unit": {"qty": 5, "unit": "t * km / hour^-1"}}`))
	f.Add([]byte(`{"id": "x", "declared_unit": "1kg//m3", "density": "heavy", "gwp": 7}`))
	f.Add([]byte(`{"id": "x", "declared_unit": "1 t", "standard": "EN 15804", "impacts": {"EF 3.0": {"gwp-fossil": {"A1A2A3": {"mean": 5}}}, "CML": {"gwp": {"A1A2A3": {"mean": 5}}}}}`))
	f.Add([]byte(strings.Repeat("[", 70)))
	f.Add([]byte(`{"id": "x", "declared_unit": "1e99999 m3", "kg_per_declared_unit": "1 kg"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Parse(FormatOpenEPD, "f", raw)
		checkParsed(t, d, err)
	})
}
