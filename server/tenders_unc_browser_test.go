package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTenderUncertainty creates, in Chromium, a carbon_price
// tender under eu-gpp@2026.2 that declares an uncertainty report (2,000
// draws, threshold 0.95), takes two bids of the same natural gas at the
// same price through the notice's form, opens it and checks the page:
// the probability columns, the too-close-to-call verdict and the
// probability chart, at 390 px and 1280 px (no sideways scrolling, chart
// text ≥ 12 px without overlaps) and with axe-core.
func TestBrowserTenderUncertainty(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	pg := newPages(t)
	ctx, run, check, text := pg.ctx, pg.run, pg.check, pg.text
	s, _, clock := newTenderServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	run("sign in", chromedp.EmulateViewport(390, 844), chromedp.Navigate(srv.URL+"/officer/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), officerToken), chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`#create-tender`)))
	run("create",
		chromedp.Navigate(srv.URL+"/tenders/new"), chromedp.WaitVisible(chromedp.CSS(`#create`)),
		chromedp.SendKeys(chromedp.CSS(`#reference`), "TENDER-2026-020"),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Boiler fuel"),
		chromedp.SendKeys(chromedp.CSS(`#buyer`), "City of Delft"),
		chromedp.SetValue(chromedp.CSS(`#deadline`), "2026-06-01T12:00"),
		chromedp.SetValue(chromedp.CSS(`#method`), "eu-gpp@2026.2"),
		chromedp.SetValue(chromedp.CSS(`#rule`), "carbon_price"),
		chromedp.SendKeys(chromedp.CSS(`#carbon_price`), "100"),
		chromedp.SendKeys(chromedp.CSS(`#unc_draws`), "2000"),
		chromedp.Click(chromedp.CSS(`#create`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice-link`)),
	)
	tenderURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	for i, supplier := range []string{"Acme Heating", "Bolt Energy With A Rather Long Registered Company Name"} {
		run("bid "+supplier,
			chromedp.Navigate(tenderURL+"/notice"), chromedp.WaitVisible(chromedp.CSS(`#submit-bid`)),
			chromedp.SendKeys(chromedp.CSS(`#supplier`), supplier),
			chromedp.SendKeys(chromedp.CSS(`#price`), "125000.00"),
			chromedp.SetValue(chromedp.CSS(`#line-0-activity`), "fuel.natural_gas"),
			chromedp.SetValue(chromedp.CSS(`#line-0-region`), "DE"),
			chromedp.SendKeys(chromedp.CSS(`#line-0-quantity`), "1000"),
			chromedp.SendKeys(chromedp.CSS(`#line-0-unit`), "TJ"),
			chromedp.Click(chromedp.CSS(`#submit-bid`)),
			chromedp.WaitVisible(chromedp.CSS(`#bid-token`)),
		)
		clock.Set(tenderStart.Add(time.Duration(i+1) * time.Minute))
	}
	clock.Set(tenderStart.Add(3 * time.Hour))
	run("open", chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#open`)),
		chromedp.Click(chromedp.CSS(`#open`)), chromedp.WaitVisible(chromedp.CSS(`#probability-chart`)))
	if head := text(`#ranking thead`); !strings.Contains(head, "P(first)") || !strings.Contains(head, "P(keeps place)") {
		t.Errorf("ranking header %q: want the probability columns", head)
	}
	if v := text(`#too-close`); !strings.Contains(v, "Too close to call") {
		t.Errorf("verdict %q: two identical bids are too close to call", v)
	}
	if run := text(`#uncertainty-run`); !strings.Contains(run, "2000 draws") || !strings.Contains(run, "seed ") {
		t.Errorf("run record %q", run)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#probability-chart svg rect title").length`))
	if err != nil || bars != 2 {
		t.Errorf("the probability chart has %d bars (%v), want 2", bars, err)
	}
	check("tender-uncertainty-390", 390)
	run("opened at 1280", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#probability-chart`)))
	check("tender-uncertainty-1280", 1280)
	run("create form at 1280", chromedp.Navigate(srv.URL+"/tenders/new"), chromedp.WaitVisible(chromedp.CSS(`#unc_draws`)))
	check("tender-new-uncertainty-1280", 1280)
}
