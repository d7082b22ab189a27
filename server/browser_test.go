package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium; outside CI a missing browser
// skips the test with how to install it, in CI it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: .ci/run installs it with apt-get install -y chromium")
	}
	t.Skip("chromium not found: install it with `sudo apt-get install -y chromium` (Debian) or set CHROMIUM=/path/to/chromium")
	return ""
}

// axeScript reads axe-core's axe.min.js from $FOOTPRINT_AXE_JS, or from
// the npm cache that .ci/run fills (.cache/npm at the repository root).
// Outside CI a missing file skips the test with the npm command; in CI it
// fails.
func axeScript(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FOOTPRINT_AXE_JS")
	if p == "" {
		p = filepath.Join("..", ".cache", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err == nil {
		return string(b)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("axe-core is missing (%v): .ci/run installs it with npm install --no-save --prefix .cache/npm axe-core@4", err)
	}
	t.Skipf("axe-core not found (%v): run `npm install --no-save --prefix .cache/npm axe-core@4` at the repository root, or set FOOTPRINT_AXE_JS=/path/to/axe.min.js", err)
	return ""
}

// newBrowser starts a headless Chromium for one test; it ends with the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", false),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first run starts the browser, which lives as long as the context
	// of that run: start it without a timeout, then bound the test's steps.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// discard runs an action for its effect only.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// screenshotDir is where the layout test saves its screenshots: a temp dir,
// or $FOOTPRINT_SCREENSHOTS to look at them after the run.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("FOOTPRINT_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

// TestBrowserForm drives the web form in headless Chromium against the
// real server: fills a two-line bid, adds a line (the focus moves to the
// new line), submits, reads the total, and triggers a validation error
// shown next to its field.
func TestBrowserForm(t *testing.T) {
	ctx := newBrowser(t)
	srv := newHTTPTestServer(t)

	steps := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#reference`)),
		chromedp.SendKeys(chromedp.CSS(`#reference`), "TENDER-2026-014/BID-3"),
		chromedp.SendKeys(chromedp.CSS(`#supplier`), "ACME Construction"),
		chromedp.SetValue(chromedp.CSS(`#method`), "us-federal@2025.1"),
		chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "fuel.natural_gas"),
		chromedp.SetValue(chromedp.CSS(`#line-0-region`), "US"),
		chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), "1000"),
		chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "mmBtu"),
		chromedp.SetValue(chromedp.CSS(`#line-1-activity`), "electricity.grid"),
		chromedp.SetValue(chromedp.CSS(`#line-1-region`), "US-CAMX"),
		chromedp.SendKeys(chromedp.CSS(`#line-1-quantity`), "250"),
		chromedp.SendKeys(chromedp.CSS(`#line-1-unit`), "MWh"),
		// Add a line (server-side, values kept) and fill it.
		chromedp.Click(chromedp.CSS(`#add-line`)),
		chromedp.WaitVisible(chromedp.CSS(`#line-2-activity`)),
	)
	if steps != nil {
		t.Fatal(steps)
	}
	lineCount, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name=line_count]`)))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#line-1-quantity`)))
	if err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	if lineCount != "3" {
		t.Errorf("after add line: %s lines, want 3", lineCount)
	}
	if kept != "250" {
		t.Errorf("after add line, line 2 quantity %q, want 250", kept)
	}
	if focused != "line-2-activity" {
		t.Errorf("after add line the focus is on %q, want the new line's first field line-2-activity", focused)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#line-2-activity`), "material.steel.rebar"),
		chromedp.SetValue(chromedp.CSS(`#line-2-region`), "US"),
		chromedp.SendKeys(chromedp.CSS(`#line-2-quantity`), "12.5"),
		chromedp.SendKeys(chromedp.CSS(`#line-2-unit`), "t"),
		chromedp.Click(chromedp.CSS(`#line-2 details.epd summary`)),
		chromedp.SendKeys(chromedp.CSS(`#line-2-factor-kg_co2e`), "780"),
		chromedp.SendKeys(chromedp.CSS(`#line-2-factor-per`), "t"),
		chromedp.SendKeys(chromedp.CSS(`#line-2-factor-reference`), "EPD S-P-01234"),
		chromedp.Click(chromedp.CSS(`#calculate`)),
		chromedp.WaitVisible(chromedp.CSS(`.total-value`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.total-value`)))
	if err != nil {
		t.Fatal(err)
	}
	// 53114.500 (gas) + 49690.477 (CAMX grid) + 9750.000 (rebar, EPD), as `footprint calc` gives.
	if strings.TrimSpace(total) != "112554.977" {
		t.Errorf("total %q", total)
	}

	// A validation error: a comma in a quantity.
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#line-0-quantity`)),
		chromedp.SetValue(chromedp.CSS(`#method`), "us-federal@2025.1"),
		chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "fuel.natural_gas"),
		chromedp.SetValue(chromedp.CSS(`#line-0-region`), "US"),
		chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), "1,5"),
		chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "mmBtu"),
		chromedp.Click(chromedp.CSS(`#calculate`)),
		chromedp.WaitVisible(chromedp.CSS(`#line-0-quantity-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	errText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#line-0-quantity-error`)))
	if err != nil {
		t.Fatal(err)
	}
	described, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#line-0-quantity`), "aria-describedby"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`.error-summary a`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "not a decimal number") {
		t.Errorf("error next to the field: %q", errText)
	}
	if described.Value != "line-0-quantity-error" || link.Value != "#line-0-quantity" {
		t.Errorf("error not linked: aria-describedby %q, summary link %q", described.Value, link.Value)
	}
}

// layoutPage is one page of the layout test: how to reach it from the
// empty form, and an element that only that page shows once loaded.
type layoutPage struct {
	name  string
	form  url.Values // posted to /; nil for the empty form itself
	ready string
}

// TestBrowserLayout renders the form, an error page and result pages (one
// method; two methods with an attribution of long negative values; two
// methods, one of which computes no line) at a phone's 390×844 and a
// desktop's 1280×800, and checks on each: no horizontal scrolling of the
// page, the header as wide as the page, checkboxes beside their labels,
// every chart text rendered at
// 12 px or more, no two texts of a chart overlapping, charts fitting their
// column, and zero axe-core violations.
func TestBrowserLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	axe := axeScript(t)
	ctx := newBrowser(t)
	srv := newHTTPTestServer(t)
	shots := screenshotDir(t)

	bad := twoLineForm()
	bad.Set("line-1-quantity", "12,5")
	bad.Set("reference", strings.Repeat("T", 200))
	single := twoLineForm()
	single.Set("line_count", "3")
	for k, v := range map[string]string{"activity": "electricity.grid", "region": "US-CAMX", "quantity": "250", "unit": "MWh"} {
		single.Set("line-2-"+k, v)
	}
	// eu-gpp cannot take line 1 (mmBtu, HHV) and us-federal cannot take
	// line 3 (a German grid): the difference is a long negative number
	// whose bar fills its whole side, next to small causes of both signs.
	compare := twoLineForm()
	compare.Set("method2", "eu-gpp@2025.1")
	compare.Set("line_count", "4")
	compare.Set("line-0-quantity", "99999999")
	for k, v := range map[string]string{"activity": "electricity.grid", "region": "DE", "quantity": "250", "unit": "MWh"} {
		compare.Set("line-2-"+k, v)
	}
	for k, v := range map[string]string{"activity": "fuel.coal.bituminous", "region": "US", "quantity": "120", "unit": "t"} {
		compare.Set("line-3-"+k, v)
	}
	// eu-gpp computes none of these lines.
	none := url.Values{"method": {"us-federal@2025.1"}, "method2": {"eu-gpp@2025.1"}, "line_count": {"1"},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {"1000"}, "line-0-unit": {"mmBtu"}}

	pages := []layoutPage{
		{name: "form", ready: `#calculate`},
		{name: "error", form: bad, ready: `#error-summary`},
		{name: "result", form: single, ready: `.total-value`},
		{name: "compare", form: compare, ready: `.total-value`},
		{name: "compare-none", form: none, ready: `#not-computed-1`},
	}
	for _, size := range [][2]int64{{390, 844}, {1280, 800}} {
		for _, pg := range pages {
			name := fmt.Sprintf("%s-%d", pg.name, size[0])
			actions := []chromedp.Action[chromedp.Void]{
				chromedp.EmulateViewport(size[0], size[1]),
				chromedp.Navigate(srv.URL + "/"),
				chromedp.WaitVisible(chromedp.CSS(`#calculate`)),
			}
			if pg.form != nil {
				actions = append(actions, postFrom(pg.form), chromedp.WaitVisible(chromedp.CSS(pg.ready)))
			}
			// A page that never shows its element fails in 30 s, not at the test's deadline.
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := chromedp.Do(pctx, actions...)
			cancel()
			if err != nil {
				t.Fatalf("%s: %v (waiting for %s)", name, err, pg.ready)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: screenshot: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(shots, name+".png"), shot, 0o644); err != nil {
				t.Log(err)
			}
			checkLayout(t, ctx, name, int(size[0]))
			checkAxe(t, ctx, name, axe)
		}
	}
	t.Logf("screenshots in %s", shots)
}

// postFrom submits v to / from the current page, as the form would.
func postFrom(v url.Values) chromedp.Action[chromedp.Void] {
	fields, _ := json.Marshal(v)
	return discard(chromedp.Evaluate[any](fmt.Sprintf(`(function (fields) {
  var f = document.createElement("form");
  f.method = "post"; f.action = "/";
  Object.keys(fields).forEach(function (k) {
    fields[k].forEach(function (v) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
    });
  });
  document.body.appendChild(f);
  f.submit();
})(%s)`, fields)))
}

// layoutJS measures the page in the browser and lists every problem.
const layoutJS = `(function (width) {
  var problems = [];
  var doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth || doc.scrollWidth > width) {
    problems.push("the page scrolls sideways: " + doc.scrollWidth + " px wide in a " + window.innerWidth + " px window");
  }
  var header = document.querySelector(".site-header").getBoundingClientRect();
  if (header.left > 0.5 || header.right < doc.scrollWidth - 0.5) {
    problems.push("the header spans " + header.left + "–" + header.right + " px of the page's " + doc.scrollWidth + " px");
  }
  document.querySelectorAll(".checkbox").forEach(function (c) {
    var box = c.querySelector("input[type=checkbox]").getBoundingClientRect();
    var label = c.querySelector("label").getBoundingClientRect();
    if (label.left < box.right || label.top > box.bottom) {
      problems.push("the label of checkbox " + c.querySelector("input").id + " is not beside it");
    }
  });
  var texts = 0;
  document.querySelectorAll(".chart").forEach(function (fig, ci) {
    var scroller = fig.querySelector(".chart-scroll");
    if (scroller && scroller.scrollWidth > scroller.clientWidth + 0.5) {
      problems.push("chart " + ci + " does not fit its column: " + scroller.scrollWidth + " px in " + scroller.clientWidth + " px");
    }
    var boxes = [];
    fig.querySelectorAll("svg text").forEach(function (t) {
      texts++;
      var m = t.getScreenCTM();
      var px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (px < 12 - 0.01) {
        problems.push("chart " + ci + ": text " + JSON.stringify(t.textContent) + " rendered at " + px.toFixed(2) + " px, under 12 px");
      }
      boxes.push({ s: t.textContent, r: t.getBoundingClientRect() });
    });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length; j++) {
        var a = boxes[i].r, b = boxes[j].r;
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
          problems.push("chart " + ci + ": " + JSON.stringify(boxes[i].s) + " overlaps " + JSON.stringify(boxes[j].s));
        }
      }
    }
  });
  return { problems: problems, texts: texts, charts: document.querySelectorAll(".chart").length };
})(%d)`

func checkLayout(t *testing.T, ctx context.Context, name string, width int) {
	t.Helper()
	type measured struct {
		Problems []string `json:"problems"`
		Texts    int      `json:"texts"`
		Charts   int      `json:"charts"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[measured](fmt.Sprintf(layoutJS, width)))
	if err != nil {
		t.Fatalf("%s: measuring the layout: %v", name, err)
	}
	for _, p := range got.Problems {
		t.Errorf("%s: %s", name, p)
	}
	if strings.HasPrefix(name, "compare-") || strings.HasPrefix(name, "result-") {
		if got.Charts == 0 || got.Texts == 0 {
			t.Errorf("%s: %d charts, %d chart texts: the chart checks measured nothing", name, got.Charts, got.Texts)
		}
	}
	t.Logf("%s: %d charts, %d chart texts checked", name, got.Charts, got.Texts)
}

// axeViolation is one failed axe-core rule with the nodes that fail it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe injects axe-core into the page and runs every rule it runs by
// default (WCAG 2 A/AA and best practices); any violation fails the test.
func checkAxe(t *testing.T, ctx context.Context, name, axe string) {
	t.Helper()
	if err := chromedp.Do(ctx, discard(chromedp.Evaluate[any](axe))); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", name, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, { resultTypes: ["violations"] }).then(function (r) {
  return r.violations.map(function (v) {
    return { id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); }) };
  });
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", name, err)
	}
	for _, v := range got {
		t.Errorf("%s: axe %s (%s): %s: %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
}

// TestBrowserTenderFlow drives the tender pages in Chromium against the
// real server over an in-memory store and a test clock: an officer signs
// in and creates a tender; two suppliers submit bids through the notice's
// form and get their receipts; the clock passes the deadline; the officer
// opens the tender and the ranking is shown. Every page is checked at
// 390 px (no sideways scrolling, chart text ≥ 12 px without overlaps)
// and with axe-core; the opened tender page and the notice again at
// 1280 px.
func TestBrowserTenderFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	pg := newPages(t)
	ctx, run, check, text := pg.ctx, pg.run, pg.check, pg.text
	s, _, clock := newTenderServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	shots := pg.shots

	run("sign-in page", chromedp.EmulateViewport(390, 844), chromedp.Navigate(srv.URL+"/officer/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#token`)))
	check("tender-signin-390", 390)
	run("sign in", chromedp.SendKeys(chromedp.CSS(`#token`), officerToken), chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`#create-tender`)))
	run("create form", chromedp.Click(chromedp.CSS(`#create-tender`)), chromedp.WaitVisible(chromedp.CSS(`#create`)))
	check("tender-new-390", 390)
	run("create",
		chromedp.SendKeys(chromedp.CSS(`#reference`), "TENDER-2026-014"),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Depot heating"),
		chromedp.SendKeys(chromedp.CSS(`#buyer`), "City of Delft"),
		chromedp.SetValue(chromedp.CSS(`#deadline`), "2026-06-01T12:00"),
		chromedp.SetValue(chromedp.CSS(`#method`), "us-federal@2025.1"),
		chromedp.SetValue(chromedp.CSS(`#rule`), "carbon_price"),
		chromedp.SendKeys(chromedp.CSS(`#carbon_price`), "100"),
		chromedp.Click(chromedp.CSS(`#create`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice-link`)),
	)
	tenderURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(`#bids`); !strings.Contains(got, "No bids yet") {
		t.Errorf("new tender: bids %q", got)
	}
	check("tender-page-new-390", 390)

	tokens := map[string]bool{}
	for i, bid := range []struct{ supplier, price, gas string }{{"Acme Heating", "125000.00", "1000"}, {"Bolt Energy", "118000.50", "1500"}} {
		run("notice", chromedp.Navigate(tenderURL+"/notice"), chromedp.WaitVisible(chromedp.CSS(`#submit-bid`)))
		if i == 0 {
			check("tender-notice-390", 390)
		}
		run("bid "+bid.supplier,
			chromedp.SendKeys(chromedp.CSS(`#supplier`), bid.supplier),
			chromedp.SendKeys(chromedp.CSS(`#price`), bid.price),
			chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "fuel.natural_gas"),
			chromedp.SetValue(chromedp.CSS(`#line-0-region`), "US"),
			chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), bid.gas),
			chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "mmBtu"),
			chromedp.Click(chromedp.CSS(`#submit-bid`)),
			chromedp.WaitVisible(chromedp.CSS(`#bid-token`)),
		)
		tok, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#bid-token`)))
		// The whole token, <bid_id>.<secret>, as the API takes it.
		bidID, secret, ok := strings.Cut(tok, ".")
		if err != nil || !ok || bidID != strings.TrimSpace(text(`#bid-id`)) || len(secret) != 43 || tokens[tok] {
			t.Fatalf("receipt of %s: token %q (want <bid id>.<43-character secret>), %v", bid.supplier, tok, err)
		}
		tokens[tok] = true
		if i == 0 {
			check("tender-receipt-390", 390)
		}
		clock.Set(tenderStart.Add(time.Duration(i+1) * time.Minute))
	}

	run("tender page, sealed", chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#bids`)))
	sealed := text(`main`)
	if strings.Contains(sealed, "Acme") || strings.Contains(sealed, "Bolt") || !strings.Contains(sealed, "2 bid(s)") || !strings.Contains(sealed, "closes in") {
		t.Errorf("the sealed tender page shows a supplier, or not the two bids and the countdown:\n%s", sealed)
	}
	check("tender-page-sealed-390", 390)

	clock.Set(tenderStart.Add(3 * time.Hour)) // the deadline passes
	run("open", chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#open`)),
		chromedp.Click(chromedp.CSS(`#open`)), chromedp.WaitVisible(chromedp.CSS(`#ranking`)))
	first := text(`#ranking tbody tr:first-child`)
	if !strings.Contains(first, "Bolt Energy") || !strings.HasPrefix(strings.TrimSpace(first), "1") {
		t.Errorf("first in the ranking: %q, want Bolt Energy ranked 1", first)
	}
	texts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#ranking-chart svg text").length`))
	if err != nil || texts < 4 {
		t.Errorf("the ranking chart has %d texts (%v): want axis labels and the points' ranks", texts, err)
	}
	check("tender-page-opened-390", 390)
	run("opened at 1280", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#ranking`)))
	check("tender-page-opened-1280", 1280)
	run("notice at 1280", chromedp.Navigate(tenderURL+"/notice"), chromedp.WaitVisible(chromedp.CSS(`#closed`)))
	check("tender-notice-closed-1280", 1280)
	run("create form at 1280", chromedp.Navigate(srv.URL+"/tenders/new"), chromedp.WaitVisible(chromedp.CSS(`#create`)))
	check("tender-new-1280", 1280)
	run("sign-in at 1280", chromedp.Navigate(srv.URL+"/officer/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#token`)))
	check("tender-signin-1280", 1280)
	t.Logf("screenshots in %s", shots)
}

// pages drives one browser through a test's pages: run does steps within
// 30 s, check screenshots a page and checks its layout at width and axe,
// text reads an element's text.
type pages struct {
	t          *testing.T
	ctx        context.Context
	axe, shots string
}

func newPages(t *testing.T) pages {
	axe := axeScript(t)
	return pages{t: t, ctx: newBrowser(t), axe: axe, shots: screenshotDir(t)}
}

func (p pages) run(name string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	pctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(pctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", name, err)
	}
}

func (p pages) check(name string, width int) {
	p.t.Helper()
	if shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(p.shots, name+".png"), shot, 0o644)
	}
	checkLayout(p.t, p.ctx, name, width)
	checkAxe(p.t, p.ctx, name, p.axe)
}

func (p pages) text(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// TestBrowserEPDUpload uploads an openEPD file with a line of the form at a
// phone's 390 px (chromedp.SetUploadFiles, the form's multipart post,
// without script), on a bid date within the EPD's validity, and checks the
// result's EPD card, the layout (no sideways scrolling) and axe-core; then
// an expired date shows the refusal next to the file input.
func TestBrowserEPDUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	axe := axeScript(t)
	ctx := newBrowser(t)
	srv := httptest.NewServer(newRealEPDServer(t))
	t.Cleanup(srv.Close)
	file, err := filepath.Abs(filepath.Join("..", "epd", "testdata", "openepd", "rebar-traci.json"))
	if err != nil {
		t.Fatal(err)
	}
	fill := func(date string) chromedp.Action[chromedp.Void] {
		return func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, chromedp.Do(c,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(`#calculate`)),
				chromedp.SetValue(chromedp.CSS(`#method`), "us-federal@2025.3"),
				chromedp.SetValue(chromedp.CSS(`#date`), date),
				chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "material.steel.rebar"),
				chromedp.SetValue(chromedp.CSS(`#line-0-region`), "US"),
				chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), "12.5"),
				chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "t"),
				chromedp.Click(chromedp.CSS(`#line-0 details.epd summary`)),
				chromedp.SetUploadFiles(chromedp.CSS(`#line-0-epd`), []string{file}),
				chromedp.Click(chromedp.CSS(`#calculate`)),
			)
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(pctx, fill("2026-01-10"), chromedp.WaitVisible(chromedp.CSS(`.epd-card`))); err != nil {
		t.Fatal(err)
	}
	card, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.epd-card`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Reinforcing bar, ASTM A615, illustrative", "Example Program Operator", "EXA-EPD-1001", "2028-03-31",
		"GWP (TRACI 2.1)", "A1-A3", "780.5 kg CO2e per 1 t", "rebar-traci.json (openepd)"} {
		if !strings.Contains(card, want) {
			t.Errorf("EPD card lacks %q: %q", want, card)
		}
	}
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.total-value`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(total) != "9756.250" { // 12.5 t × 780.5 kg CO2e/t
		t.Errorf("total %q, want 9756.250", total)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(screenshotDir(t), "epd-result-390.png"), shot, 0o644)
	}
	checkLayout(t, ctx, "epd-result-390", 390)
	checkAxe(t, ctx, "epd-result-390", axe)

	// Expired on the bid date: the message is next to the file input.
	if err := chromedp.Do(pctx, fill("2028-04-01"), chromedp.WaitVisible(chromedp.CSS(`#line-0-epd-error`))); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#line-0-epd-error`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Line 1: EPD EXA-EPD-1001 (rebar-traci.json) expired on 2028-03-31; the bid is dated 2028-04-01") {
		t.Errorf("error next to the file input: %q", msg)
	}
	checkLayout(t, ctx, "epd-error-390", 390)
	checkAxe(t, ctx, "epd-error-390", axe)
}
