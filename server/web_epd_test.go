package server

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// postEPDForm posts the form with line 0's EPD file (multipart, as the
// browser sends it) and returns the response.
func postEPDForm(t *testing.T, h http.Handler, fields map[string]string, file string, raw []byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, err := mw.CreateFormFile("line-0-epd", file)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(raw)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func epdFormFields(method, date string) map[string]string {
	return map[string]string{"method": method, "date": date, "line_count": "1", "calculate": "1",
		"line-0-activity": "material.steel.rebar", "line-0-region": "US", "line-0-quantity": "12.5", "line-0-unit": "t"}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// TestFormEPDUpload: a line's EPD file is read with the real parsers,
// computed by the method's rules on the bid date, and shown as a card
// next to the line; its bytes ride in hidden fields so that the downloads
// recompute the same result; refusals are shown next to the file input.
func TestFormEPDUpload(t *testing.T) {
	h := newRealEPDServer(t)
	rebar := epdFixture(t, "openepd/rebar-traci.json")
	rec := postEPDForm(t, h, epdFormFields("us-federal@2025.3", "2026-01-10"), `C:\EPDs\rebar-traci.json`, rebar)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.3000s", rec.Code, body)
	}
	for _, want := range []string{`<div class="epd-card">`, `EPD: Reinforcing bar, ASTM A615, illustrative`, `rebar-traci.json (openepd)`,
		`<dt>Program operator</dt><dd>Example Program Operator</dd>`, `<dd>EXA-EPD-1001</dd>`, `<dd>2028-03-31</dd>`, `GWP (TRACI 2.1)`,
		`<dd>A1-A3</dd>`, `780.5 kg CO2e per 1 t`, `<dt>SHA-256</dt><dd><code class="digest">`, `9756.250`} {
		if !strings.Contains(body, want) {
			t.Errorf("result lacks %q\n%.6000s", want, body)
		}
	}
	// The result page's download form carries the document: JSON download.
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], strings.ReplaceAll(m[2], "&#43;", "+"))
	}
	if got, _ := base64.StdEncoding.DecodeString(v.Get("line-0-epd-data")); !bytes.Equal(got, rebar) {
		t.Fatalf("hidden EPD data does not carry the file (%d bytes)", len(got))
	}
	v.Set("format", "json")
	dl := postForm(t, h, "/download", v)
	if dl.Code != 200 || !strings.Contains(dl.Body.String(), `"epd_digests"`) || !strings.Contains(dl.Body.String(), `"registration_number": "EXA-EPD-1001"`) && !strings.Contains(dl.Body.String(), `"registration_number":"EXA-EPD-1001"`) {
		t.Errorf("download: %d\n%.2000s", dl.Code, dl.Body)
	}

	cases := []struct {
		name, method, date, file string
		raw                      []byte
		want                     string
	}{
		{"expired on the bid date", "us-federal@2025.3", "2028-04-01", "rebar.json", rebar,
			`Line 1: EPD EXA-EPD-1001 (rebar.json) expired on 2028-03-31; the bid is dated 2028-04-01`},
		{"method without rules", "us-federal@2025.2", "2026-01-10", "rebar.json", rebar, `declares no EPD rules`},
		{"truncated", "us-federal@2025.3", "2026-01-10", "t.json", epdFixture(t, "malformed/truncated.json"), `Line 1: EPD t.json: byte `},
		{"not an EPD", "us-federal@2025.3", "2026-01-10", "notes.txt", []byte("hello"), `Line 1: EPD file notes.txt is neither a zip (ILCD archive), XML nor JSON (openEPD)`},
		{"too large", "us-federal@2025.3", "2026-01-10", "big.json", bytes.Repeat([]byte(" "), MaxFormEPDBytes+1), `Line 1: EPD file big.json is over 4 MiB`},
		{"bad date", "us-federal@2025.3", "1/10/2026", "rebar.json", rebar, `&#34;1/10/2026&#34; is not a date`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := postEPDForm(t, h, epdFormFields(tc.method, tc.date), tc.file, tc.raw)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d\n%.3000s", rec.Code, body)
			}
			id := "line-0-epd"
			if tc.name == "bad date" {
				id = "date"
			}
			i := strings.Index(body, `id="`+id+`-error"`)
			if i < 0 || !strings.Contains(body[i:min(len(body), i+600)], tc.want) {
				t.Errorf("no %q next to %s\n%.5000s", tc.want, id, body)
			}
		})
	}
}

// TestFormEPDKeptAcrossAddLine: "Add a line" keeps the attached file (in
// hidden fields) and its name is shown; "Remove the attached EPD file"
// drops it.
func TestFormEPDKeptAcrossAddLine(t *testing.T) {
	h := newRealEPDServer(t)
	f := epdFormFields("us-federal@2025.3", "2026-01-10")
	delete(f, "calculate")
	f["add_line"] = "1"
	rec := postEPDForm(t, h, f, "rebar.json", epdFixture(t, "openepd/rebar-traci.json"))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `Attached: <strong>rebar.json</strong>`) || !strings.Contains(body, `name="line-0-epd-data"`) {
		t.Fatalf("%d\n%.4000s", rec.Code, body)
	}
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], m[2])
	}
	for k, val := range epdFormFields("us-federal@2025.3", "2026-01-10") {
		v.Set(k, val)
	}
	v.Set("line-0-epd-remove", "on")
	v.Set("line-0-factor-kg_co2e", "780")
	v.Set("line-0-factor-per", "t")
	v.Set("line-0-factor-reference", "EPD X")
	rec = postForm(t, h, "/", v)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), `epd-card`) || !strings.Contains(rec.Body.String(), "9750.000") {
		t.Fatalf("remove: %d\n%.3000s", rec.Code, rec.Body)
	}
}

// TestFormEPDProductFromClassification: the form offers material.epd, "the
// product the attached EPD declares"; with a real IBU aluminium profile EPD
// (classified "Metalle / Aluminium / Aluminiumprofil") the line is computed
// as material.aluminium.extrusion and says which classification decided.
func TestFormEPDProductFromClassification(t *testing.T) {
	h := newRealEPDServer(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !strings.Contains(rec.Body.String(), `<option value="material.epd">The product the attached EPD declares`) {
		t.Fatal("the form offers no material.epd")
	}
	fields := epdFormFields("eu-gpp@2026.1", "2026-06-01")
	fields["line-0-activity"], fields["line-0-region"], fields["line-0-quantity"], fields["line-0-unit"] = "material.epd", "DE", "12", "t"
	rec = postEPDForm(t, h, fields, "aluminium.zip", zipEPDDir(t, "real/ibu-aluminium-profile"))
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.3000s", rec.Code, body)
	}
	// 12 t × 1.93153238620983 kg CO2e per kg = 23178.38863451796 kg.
	for _, want := range []string{`23178.389`, `taken as material.aluminium.extrusion`, `EPD-HFE-20220036-IBA1-DE`} {
		if !strings.Contains(body, want) {
			t.Errorf("result lacks %q\n%.6000s", want, body)
		}
	}
}
