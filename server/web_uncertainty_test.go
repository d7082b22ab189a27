package server

import (
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/ (review the diff)")

// uncertaintyForm is the README's comparison bid with "Show uncertainty"
// ticked: coal, natural gas and lignite lines, all with published
// intervals under the 2026.2 methods.
func uncertaintyForm(method, method2, seed string) url.Values {
	v := url.Values{"reference": {"T-U"}, "supplier": {"ACME"}, "method": {method}, "method2": {method2}, "line_count": {"3"},
		"uncertainty": {"on"}, "seed": {seed},
		"line-0-activity": {"fuel.coal.bituminous"}, "line-0-region": {"US"}, "line-0-quantity": {"120"}, "line-0-unit": {"t"},
		"line-1-activity": {"fuel.natural_gas"}, "line-1-region": {"DE"}, "line-1-quantity": {"2.5"}, "line-1-unit": {"TJ"},
		"line-2-activity": {"material.steel.rebar"}, "line-2-region": {"US"}, "line-2-quantity": {"12.5"}, "line-2-unit": {"t"},
		"line-2-factor-kg_co2e": {"780"}, "line-2-factor-per": {"t"}, "line-2-factor-reference": {"EPD S-P-01234"}}
	return v
}

// TestFormUncertainty: the form's "Show uncertainty" shows, per line and
// total, the exact value with the mean, median and 95 % interval and an
// interval bar with its text alternative, the inputs driving the spread,
// and for two methods P(B > A); a method without a model says so; a bad
// seed is an error next to its field; the same seed gives the same page.
func TestFormUncertainty(t *testing.T) {
	h := newTestServer(t)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string
		not    []string
	}{
		{"one method", uncertaintyForm("eu-gpp@2026.2", "", "42"), 200, []string{
			`<h2 id="uncertainty-title">Uncertainty</h2>`, "10,000 draws, seed 42",
			`<caption>Lines and total under eu-gpp@2026.2, kg CO2e</caption>`,
			`<title id="unc-bar-0-total">eu-gpp@2026.2, total: exact `, `; 95 % interval `,
			`<th scope="row">Line 3</th>`, "no published uncertainty",
			"Inputs that drive most of the spread", "net calorific value of fuel.coal.bituminous",
			`<input type="hidden" name="uncertainty" value="on">`, `<input type="hidden" name="seed" value="42">`,
		}, []string{"No uncertainty model", "P("}},
		{"comparison", uncertaintyForm("us-federal@2026.2", "eu-gpp@2026.2", "7"), 200, []string{
			"P(eu-gpp@2026.2 &gt; us-federal@2026.2) = ", "of the draws)",
			`<title id="unc-bar-diff-0">eu-gpp@2026.2 minus us-federal@2026.2: exact `,
			`<h3 id="uncertainty-0">us-federal@2026.2</h3>`, `<h3 id="uncertainty-1">eu-gpp@2026.2</h3>`,
			`stroke-dasharray="2 2"`, // the zero line of the difference
		}, nil},
		{"no model", uncertaintyForm("eu-gpp@2026.1", "", ""), 200, []string{
			"<strong>No uncertainty model.</strong> eu-gpp@2026.1 declares no uncertainty model: every factor is treated as exact (no published uncertainty), so every interval has zero width; eu-gpp@2026.2 declares one: compute the bid under eu-gpp@2026.2 for intervals.",
			"10,000 draws, seed 1", "No input drives the spread",
		}, nil},
		{"bad seed", uncertaintyForm("eu-gpp@2026.2", "", "-4"), 422, []string{
			`id="seed-error"`, "Enter the seed as a whole number", `aria-invalid="true"`, `value="-4"`,
		}, []string{"uncertainty-title"}},
		{"not asked", func() url.Values { v := uncertaintyForm("eu-gpp@2026.2", "", "42"); v.Del("uncertainty"); return v }(), 200, nil,
			[]string{"uncertainty-title", "interval-bar"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := postForm(t, h, "/", tt.form)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.2000s", rec.Code, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
			if tt.status == 200 {
				if again := postForm(t, h, "/", tt.form).Body.String(); again != body {
					t.Error("the same form and seed gave another page")
				}
			}
		})
	}
}

// TestFormUncertaintyGolden pins the uncertainty section of the result
// page of a comparison at seed 7 (testdata/web_uncertainty.html; -update
// rewrites it: review the diff).
func TestFormUncertaintyGolden(t *testing.T) {
	h := newTestServer(t)
	body := postForm(t, h, "/", uncertaintyForm("us-federal@2026.2", "eu-gpp@2026.2", "7")).Body.String()
	m := regexp.MustCompile(`(?s)<section aria-labelledby="uncertainty-title".*?</section>`).FindString(body)
	if m == "" {
		t.Fatal("no uncertainty section")
	}
	path := filepath.Join("testdata", "web_uncertainty.html")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(m+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m+"\n" != string(want) {
		t.Errorf("the uncertainty section differs from %s (go test ./server -run TestFormUncertaintyGolden -update)", path)
	}
}

// TestBrowserUncertainty ticks "Show uncertainty" in the form (no script:
// the form's own post) and checks the result page of one method and of a
// comparison at 390 and 1280 px: layout (no sideways scrolling) and
// axe-core, the interval bars with their text alternative, and P(B > A).
func TestBrowserUncertainty(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	p := newPages(t)
	srv := newHTTPTestServer(t)
	for _, width := range []int64{390, 1280} {
		for _, tc := range []struct{ name, method, method2 string }{
			{"uncertainty", "eu-gpp@2026.2", ""},
			{"uncertainty-compare", "us-federal@2026.2", "eu-gpp@2026.2"},
		} {
			name := fmt.Sprintf("%s-%d", tc.name, width)
			p.run(name, chromedp.EmulateViewport(width, 844),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(`#calculate`)),
				chromedp.SetValue(chromedp.CSS(`#method`), tc.method),
				chromedp.SetValue(chromedp.CSS(`#method2`), tc.method2),
				chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "fuel.coal.bituminous"),
				chromedp.SetValue(chromedp.CSS(`#line-0-region`), "US"),
				chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), "120"),
				chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "t"),
				chromedp.Click(chromedp.CSS(`#uncertainty`)),
				chromedp.SetValue(chromedp.CSS(`#seed`), "42"),
				chromedp.Click(chromedp.CSS(`#calculate`)),
				chromedp.WaitVisible(chromedp.CSS(`#uncertainty-title`)))
			p.check(name, int(width))
			sec := p.text(`section.uncertainty`)
			for _, w := range []string{"10,000 draws, seed 42", "95 % interval", "Inputs that drive most of the spread", "net calorific value of fuel.coal.bituminous"} {
				if !strings.Contains(sec, w) {
					t.Errorf("%s: the uncertainty section lacks %q", name, w)
				}
			}
			if tc.method2 != "" && !strings.Contains(sec, "P(eu-gpp@2026.2 > us-federal@2026.2) = ") {
				t.Errorf("%s: no P(B > A): %q", name, sec)
			}
			title, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("svg.interval-bar title").textContent`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(title, "exact") || !strings.Contains(title, "95 % interval") {
				t.Errorf("%s: interval bar title %q", name, title)
			}
		}
	}
}

// exampleBidForm is the web form filled in with examples/bid.json (its
// method, reference, supplier and lines, with their ids) and "Show
// uncertainty" ticked with seed.
func exampleBidForm(t *testing.T, seed string) url.Values {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "bid.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bid struct {
		Method, Reference, Supplier string
		Lines                       []struct {
			ID, Activity, Region, Quantity, Unit string
			Factor                               *struct {
				KgCO2e         string `json:"kg_co2e"`
				Per, Reference string
			}
		}
	}
	if err := json.Unmarshal(raw, &bid); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"reference": {bid.Reference}, "supplier": {bid.Supplier}, "method": {bid.Method},
		"line_count": {strconv.Itoa(len(bid.Lines))}, "uncertainty": {"on"}, "seed": {seed}}
	for i, l := range bid.Lines {
		f := func(name, value string) { v.Set(fmt.Sprintf("line-%d-%s", i, name), value) }
		f("id", l.ID)
		f("activity", l.Activity)
		f("region", l.Region)
		f("quantity", l.Quantity)
		f("unit", l.Unit)
		if l.Factor != nil {
			f("factor-kg_co2e", l.Factor.KgCO2e)
			f("factor-per", l.Factor.Per)
			f("factor-reference", l.Factor.Reference)
		}
	}
	return v
}

// TestFormUncertaintyExampleBid: the result page of the example bid with
// "Show uncertainty" at seed 42 (the form's 10,000 draws) shows an
// interval bar for each line and the total, with the numbers the CLI
// prints for footprint calc --uncertainty 10000 --seed 42
// examples/bid.json, and the inputs that drive the spread.
func TestFormUncertaintyExampleBid(t *testing.T) {
	h := newTestServer(t)
	rec := postForm(t, h, "/", exampleBidForm(t, "42"))
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d: %.2000s", rec.Code, body)
	}
	if again := postForm(t, h, "/", exampleBidForm(t, "42")).Body.String(); again != body {
		t.Error("the same form and seed gave another page")
	}
	var cli struct {
		Uncertainty struct {
			Method string
			Total  uncSummary
			Lines  []uncSummary
			Run    struct {
				Draws       int
				ModelDigest string `json:"model_digest"`
			}
			Contributors []struct {
				Label         string
				VarianceShare string `json:"variance_share"`
			}
		}
	}
	raw, err := json.Marshal(readCLIExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cli); err != nil {
		t.Fatal(err)
	}
	u := cli.Uncertainty
	if u.Run.Draws != WebDraws {
		t.Fatalf("%s has %d draws, the form %d: not comparable", cliExampleGolden, u.Run.Draws, WebDraws)
	}
	want := []string{`<h3 id="uncertainty-0">` + u.Method + `</h3>`, "10,000 draws, seed 42", u.Run.ModelDigest}
	rows := append(u.Lines, u.Total)
	for i, s := range rows {
		label, title := "Line "+s.ID, u.Method+", line "+s.ID
		if i == len(rows)-1 {
			label, title = "Total", u.Method+", total"
		}
		want = append(want,
			fmt.Sprintf(`<tr><th scope="row">%s</th><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num unc-interval">%s to %s</td>`,
				label, s.Exact, s.Mean, s.Median, s.Interval95[0], s.Interval95[1]),
			fmt.Sprintf(`>%s: exact %s kg CO2e; mean %s, median %s; 90 %% interval %s to %s; 95 %% interval %s to %s</title>`,
				title, s.Exact, s.Mean, s.Median, s.Interval90[0], s.Interval90[1], s.Interval95[0], s.Interval95[1]))
	}
	for _, c := range u.Contributors {
		want = append(want, fmt.Sprintf(`<td class="num">%s</td><th scope="row">%s</th>`, c.VarianceShare, template.HTMLEscapeString(c.Label)))
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if n := strings.Count(body, `<svg class="interval-bar"`); n != len(rows) {
		t.Errorf("%d interval bars, want %d (each line and the total)", n, len(rows))
	}
	if strings.Contains(body, "No uncertainty model") {
		t.Error(`the example bid's page says "No uncertainty model"`)
	}
}

// uncSummary is a sampled amount as the JSON of calc --uncertainty has it.
type uncSummary struct {
	ID         string
	Exact      string
	Mean       string
	Median     string
	Interval90 [2]string `json:"interval_90"`
	Interval95 [2]string `json:"interval_95"`
}
