package server

import (
	"context"
	"os"
	"os/exec"
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

// TestBrowserForm drives the web form in headless Chromium against the
// real server: fills a two-line bid, adds a line, submits, reads the
// total, and triggers a validation error shown next to its field.
func TestBrowserForm(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromiumPath(t)
	srv := newHTTPTestServer(t)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var shot []byte
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
	if err != nil || kept != "250" {
		t.Errorf("after add line, line 2 quantity %q (%v), want 250", kept, err)
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
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	if lineCount != "3" {
		t.Errorf("after add line: %s lines, want 3", lineCount)
	}
	// 53114.500 (gas) + 49690.477 (CAMX grid) + 9750.000 (rebar, EPD), as `footprint calc` gives.
	if strings.TrimSpace(total) != "112554.977" {
		t.Errorf("total %q", total)
	}
	t.Logf("total shown: %s kg CO2e", total)
	if err := os.WriteFile("/tmp/footprint-result.png", shot, 0o644); err == nil {
		t.Log("screenshot of the result page: /tmp/footprint-result.png")
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
	errDescribed, summaryLink := described.Value, link.Value
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile("/tmp/footprint-error.png", shot, 0o644)
	}
	if !strings.Contains(errText, "not a decimal number") {
		t.Errorf("error next to the field: %q", errText)
	}
	if errDescribed != "line-0-quantity-error" || summaryLink != "#line-0-quantity" {
		t.Errorf("error not linked: aria-describedby %q, summary link %q", errDescribed, summaryLink)
	}
}
