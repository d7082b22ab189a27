package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/epd"
)

func postForm(t *testing.T, h http.Handler, target string, v url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func twoLineForm() url.Values {
	return url.Values{"reference": {"T-1"}, "supplier": {"ACME"}, "method": {"us-federal@2025.1"}, "line_count": {"2"},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {"1000"}, "line-0-unit": {"mmBtu"},
		"line-1-activity": {"material.steel.rebar"}, "line-1-region": {"US"}, "line-1-quantity": {"12.5"}, "line-1-unit": {"t"},
		"line-1-factor-kg_co2e": {"780"}, "line-1-factor-per": {"t"}, "line-1-factor-reference": {"EPD S-P-01234"}}
}

func TestFormWithoutJavaScript(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()

	v.Set("add_line", "1")
	rec := postForm(t, h, "/", v)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="line-2-activity"`) || !strings.Contains(rec.Body.String(), `value="12.5"`) {
		t.Fatalf("add_line: %d, line 3 missing or values lost", rec.Code)
	}
	v.Del("add_line")

	v.Set("remove_line_0", "1")
	rec = postForm(t, h, "/", v)
	body := rec.Body.String()
	if rec.Code != 200 || strings.Contains(body, `id="line-1-activity"`) || !strings.Contains(body, `value="12.5"`) {
		t.Fatalf("remove_line_0: %d; want one line left with 12.5", rec.Code)
	}
	v.Del("remove_line_0")

	rec = postForm(t, h, "/", v)
	body = rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "62864.500") || !strings.Contains(body, "<svg") || !strings.Contains(body, "Receipt") {
		t.Fatalf("calculate: %d\n%.2000s", rec.Code, body)
	}

	bad := twoLineForm()
	bad.Set("line-1-quantity", "12,5")
	rec = postForm(t, h, "/", bad)
	body = rec.Body.String()
	if rec.Code != 422 || !strings.Contains(body, `id="line-1-quantity-error"`) || !strings.Contains(body, `href="#line-1-quantity"`) ||
		!strings.Contains(body, `aria-describedby="line-1-quantity-error"`) || !strings.Contains(body, `value="12,5"`) {
		t.Fatalf("validation error: %d\n%.3000s", rec.Code, body)
	}

	engine := twoLineForm()
	engine.Set("line-0-unit", "kg")
	engine.Set("line-0-activity", "electricity.grid")
	rec = postForm(t, h, "/", engine)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="line-0-unit-error"`) {
		t.Errorf("engine error not next to the unit: %d", rec.Code)
	}
}

func TestFormCompareTwoMethods(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("method2", "eu-gpp@2025.1")
	v.Set("line-0-activity", "fuel.coal.bituminous")
	v.Set("line-0-quantity", "120")
	v.Set("line-0-unit", "t")
	rec := postForm(t, h, "/", v)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.2000s", rec.Code, body)
	}
	for _, want := range []string{"eu-gpp@2025.1 minus us-federal@2025.1", "by cause, kg CO2e", "gwp_set", "factor_values", "-15779.304"} {
		if !strings.Contains(body, want) {
			t.Errorf("comparison page lacks %q", want)
		}
	}
}

func TestFormBasisAndFallback(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("line-0-unit", "TJ")
	v.Set("line-0-quantity", "2.5")
	v.Set("line-0-basis", "NCV")
	rec := postForm(t, h, "/", v)
	if body := rec.Body.String(); rec.Code != 422 || !strings.Contains(body, `id="line-0-basis-error"`) || !strings.Contains(body, "no NCV→HHV conversion") {
		t.Fatalf("NCV line under us-federal: %d, error not next to the basis\n%.1500s", rec.Code, body)
	}
	v.Set("method", "eu-gpp@2025.1")
	v.Set("line-0-region", "DE")
	v.Set("line-0-fallback", "on")
	rec = postForm(t, h, "/", v)
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "140392.750") {
		t.Fatalf("NCV line under eu-gpp: %d\n%.1500s", rec.Code, body)
	}
	v.Set("add_line", "1")
	rec = postForm(t, h, "/", v)
	if body := rec.Body.String(); !strings.Contains(body, `<option value="NCV" selected>`) || !strings.Contains(body, `id="line-0-fallback" name="line-0-fallback" value="on" checked`) {
		t.Error("basis or fallback not kept when adding a line")
	}
}

func TestFormDownloads(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("format", "csv")
	rec := postForm(t, h, "/download", v)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Body.String(), "62864.500") {
		t.Errorf("csv: %d %s", rec.Code, rec.Body)
	}
	v.Set("format", "json")
	rec = postForm(t, h, "/download", v)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"result_digest"`) || !strings.Contains(rec.Header().Get("Content-Disposition"), "footprint-T-1.json") {
		t.Errorf("json: %d %v", rec.Code, rec.Header())
	}
}

func TestFormCSVUpload(t *testing.T) {
	h := newTestServer(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("method", "us-federal")
	mw.WriteField("line_count", "1")
	mw.WriteField("upload_csv", "1")
	fw, _ := mw.CreateFormFile("csv_file", "lines.csv")
	fw.Write([]byte("line_id,activity,region,quantity,unit\nA,fuel.natural_gas,US,10,mmBtu\nB,electricity.grid,US-CAMX,5,MWh\n"))
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="line-1-quantity" name="line-1-quantity" value="5"`) {
		t.Errorf("upload: %d\n%.1500s", rec.Code, rec.Body)
	}
}

func TestPageSecurityHeaders(t *testing.T) {
	h := newTestServer(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Get("Content-Security-Policy"); !strings.Contains(got, "script-src 'self'") || strings.Contains(got, "unsafe-inline") {
		t.Errorf("CSP %q", got)
	}
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Error("Referrer-Policy")
	}
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), " style=") {
		t.Error("inline script or style in the page")
	}
}

// FuzzDecodeBid feeds arbitrary bodies through decoding, validation and
// conversion: never a panic, and every failure is a known 4xx.
func FuzzDecodeBid(f *testing.F) {
	f.Add([]byte(exampleBid))
	f.Add([]byte(`{"lines":[{"quantity":1e999999}]}`))
	f.Add([]byte(`{"lines":[{"quantity":"-0.0000000000000000000000000000000000000000001"}]}`))
	f.Add([]byte(`{"lines":null}`))
	f.Add([]byte(`[]`))
	v := newValidator()
	f.Fuzz(func(t *testing.T, body []byte) {
		var req BidRequest
		if err := decodeReader(bytes.NewReader(body), &req); err != nil {
			if st := StatusOf(err); st != 400 && st != 413 && st != 422 {
				t.Fatalf("decode error %v maps to %d", err, st)
			}
			return
		}
		if err := v.Struct(&req); err != nil {
			for _, fe := range fieldErrors(err) {
				if !strings.HasPrefix(fe.Pointer, "/") {
					t.Fatalf("pointer %q", fe.Pointer)
				}
			}
			return
		}
		if _, err := toBid(epd.Parse, "m", req.Reference, req.Supplier, req.Lines); err != nil && StatusOf(err) != 422 {
			t.Fatalf("toBid error %v", err)
		}
	})
}

// TestFormLinesNotComputed: a method that computes none of the lines says
// so in its summary card instead of a bare 0.000, and its empty gas and
// stage tables are left out; the other method's are kept.
func TestFormLinesNotComputed(t *testing.T) {
	h := newTestServer(t)
	v := url.Values{"method": {"us-federal@2025.1"}, "method2": {"eu-gpp@2025.1"}, "line_count": {"2"},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {"1000"}, "line-0-unit": {"mmBtu"},
		"line-1-activity": {"fuel.natural_gas"}, "line-1-region": {"US"}, "line-1-quantity": {"5"}, "line-1-unit": {"mmBtu"}}
	rec := postForm(t, h, "/", v)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.2000s", rec.Code, body)
	}
	card := func(i int) string {
		parts := strings.Split(body, `<div class="total-card`)
		if len(parts) <= i+1 {
			t.Fatalf("no summary card %d", i)
		}
		return strings.SplitN(parts[i+1], "</div>", 2)[0]
	}
	if c := card(0); strings.Contains(c, "not computed") {
		t.Errorf("us-federal computed every line, but its card says %q", c)
	}
	if c := card(1); !strings.Contains(c, "2 of 2 lines not computed") || !strings.Contains(c, `href="#lines-1"`) {
		t.Errorf("eu-gpp computed no line; its card: %s", c)
	}
	if !strings.Contains(body, `id="lines-1"`) {
		t.Error("the card's link has no target")
	}
	for _, caption := range []string{"<caption>By gas</caption>", "<caption>By life-cycle stage</caption>"} {
		if n := strings.Count(body, caption); n != 1 {
			t.Errorf("%s %d times, want once (us-federal's; eu-gpp's is empty)", caption, n)
		}
	}
}

var (
	idAttr    = regexp.MustCompile(`\sid="([^"]*)"`)
	landmarks = regexp.MustCompile(`<(section|div|form|nav|aside)\b[^>]*\b(aria-labelledby|aria-label)="([^"]*)"`)
)

// TestPagesUniqueIDsAndLandmarks: no id twice on a page (two methods of the
// same id, in two versions, included), and every named region has a name
// of its own (axe's landmark-unique: a screen reader lists them by name).
func TestPagesUniqueIDsAndLandmarks(t *testing.T) {
	h := newTestServer(t)
	compare := twoLineForm()
	compare.Set("method2", "eu-gpp@2025.1")
	add := twoLineForm()
	add.Set("add_line", "1")
	bad := twoLineForm()
	bad.Set("line-1-quantity", "12,5")
	pages := map[string]url.Values{"single": twoLineForm(), "compare": compare, "add line": add, "error": bad}
	for name, v := range pages {
		body := postForm(t, h, "/", v).Body.String()
		ids := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(body, -1) {
			if ids[m[1]] {
				t.Errorf("%s: id %q twice", name, m[1])
			}
			ids[m[1]] = true
		}
		names := map[string]bool{}
		for _, m := range landmarks.FindAllStringSubmatch(body, -1) {
			label := m[3]
			if m[2] == "aria-labelledby" {
				re := regexp.MustCompile(`id="` + regexp.QuoteMeta(label) + `"[^>]*>(.*?)</`)
				if hm := re.FindStringSubmatch(body); hm != nil {
					label = hm[1]
				} else if !strings.Contains(label, " ") {
					t.Errorf("%s: aria-labelledby=%q names no element", name, label)
				}
			}
			if names[label] {
				t.Errorf("%s: two regions named %q", name, label)
			}
			names[label] = true
		}
		if name == "compare" && (!names["Receipt of us-federal@2025.1"] || !names["Receipt of eu-gpp@2025.1"]) {
			t.Errorf("compare: receipts not named by their method: %v", names)
		}
	}
}

// TestAddLineFocusesNewLine: after "Add a line" the new line's first
// field, and only it, has autofocus (which works without script).
func TestAddLineFocusesNewLine(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("add_line", "1")
	body := postForm(t, h, "/", v).Body.String()
	if n := strings.Count(body, " autofocus"); n != 1 {
		t.Errorf("%d autofocus attributes, want 1", n)
	}
	if !strings.Contains(body, `id="line-2-activity" name="line-2-activity" autofocus>`) {
		t.Error("the new line's activity has no autofocus")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if strings.Contains(rec.Body.String(), "autofocus") {
		t.Error("the empty form takes the focus away from the page's start")
	}
}

// TestFormCompareInputError checks that a comparison whose line is wrong
// for every method (a unit of the wrong dimension) shows the form again
// with the error next to the field, as a single method does.
func TestFormCompareInputError(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("method2", "eu-gpp@2025.1")
	v.Set("line-0-activity", "electricity.grid")
	v.Set("line-0-unit", "kg")
	rec := postForm(t, h, "/", v)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="line-0-unit-error"`) {
		t.Fatalf("status %d; want 422 with the error next to the unit\n%.2000s", rec.Code, rec.Body.String())
	}
}

// TestFormCompareBoundarySentences checks that the result page says, one
// sentence per line, why a line is outside one method's boundary.
func TestFormCompareBoundarySentences(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("method", "us-federal@2025.2")
	v.Set("method2", "eu-gpp@2025.2")
	v.Set("line-0-activity", "fuel.lignite")
	v.Set("line-0-quantity", "10")
	rec := postForm(t, h, "/", v)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.2000s", rec.Code, body)
	}
	want := "line 1 is outside eu-gpp@2025.2&#39;s boundary by rule: no published HHV/NCV ratio converts fuel.lignite to its factor&#39;s basis."
	if !strings.Contains(body, "Boundary, line by line") || !strings.Contains(body, want) {
		t.Errorf("the page lacks the boundary sentence %q", want)
	}
}

// TestFormCompareAddsUp: on the result page, the causes shown add up to
// the difference shown, which is the other total minus the base total as
// the caption shows them (the three-line bid on which the causes once
// missed the difference by 0.001).
func TestFormCompareAddsUp(t *testing.T) {
	h := newTestServer(t)
	v := url.Values{"reference": {"T-14"}, "supplier": {"ACME"}, "method": {"us-federal@2025.3"}, "method2": {"eu-gpp@2025.3"}, "line_count": {"3"},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {"1000"}, "line-0-unit": {"mmBtu"},
		"line-1-activity": {"electricity.grid"}, "line-1-region": {"US-CAMX"}, "line-1-quantity": {"250"}, "line-1-unit": {"MWh"},
		"line-2-activity": {"freight.road"}, "line-2-region": {"US"}, "line-2-quantity": {"5000"}, "line-2-unit": {"short_ton.mi"}}
	rec := postForm(t, h, "/", v)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.2000s", rec.Code, body)
	}
	caption := regexp.MustCompile(`<caption>eu-gpp@2025.3 minus us-federal@2025.3: (-?[0-9.]+) − (-?[0-9.]+) = (-?[0-9.]+) kg CO2e</caption>`).FindStringSubmatch(body)
	if caption == nil {
		t.Fatalf("no caption with the totals and the difference\n%.3000s", body)
	}
	other, base, diff := decimal.RequireFromString(caption[1]), decimal.RequireFromString(caption[2]), decimal.RequireFromString(caption[3])
	if !other.Sub(base).Equal(diff) {
		t.Errorf("caption: %s − %s shown as %s", other, base, diff)
	}
	table := body[strings.Index(body, caption[0]):]
	table = table[:strings.Index(table, "</table>")]
	var sum decimal.Decimal
	rows := regexp.MustCompile(`<td class="num">(-?[0-9.]+)</td></tr>`).FindAllStringSubmatch(table, -1)
	if len(rows) != 5 {
		t.Fatalf("%d cause rows, want 5", len(rows))
	}
	for _, m := range rows {
		sum = sum.Add(decimal.RequireFromString(m[1]))
	}
	if !sum.Equal(diff) {
		t.Errorf("the causes shown add up to %s, the difference shown is %s", sum, diff)
	}
	for _, total := range []string{caption[1], caption[2]} {
		if !strings.Contains(body, "<strong>"+total+"</strong>") {
			t.Errorf("total %s of the caption is not a method's total on the page", total)
		}
	}
}
