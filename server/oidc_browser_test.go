package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOIDCSignIn drives single sign-on in Chromium against the
// OpenID provider started by the test: the sign-in page (checked with
// axe-core and for sideways scrolling at 390 and 1280 px) offers "Sign in
// with single sign-on"; clicking it leads to the provider's login form,
// which is filled and submitted; the browser comes back through the
// callback and lands on the tenders page, signed in, which names the
// officer.
func TestBrowserOIDCSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	pg := newPages(t)
	ctx, run, check := pg.ctx, pg.run, pg.check
	e := newSSOEnv(t, nil)

	for _, size := range [][2]int64{{1280, 800}, {390, 844}} {
		run("sign-in page", chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(e.app.URL+"/officer/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#sso`)))
		check("oidc-signin-"+map[int64]string{1280: "1280", 390: "390"}[size[0]], int(size[0]))
	}
	run("single sign-on", chromedp.Click(chromedp.CSS(`#sso`)), chromedp.WaitVisible(chromedp.CSS(`#username`)))
	at, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(at, e.idp.URL+"/login/username") {
		t.Fatalf("after clicking single sign-on the browser is at %s, want the provider's login", at)
	}
	run("the provider's login",
		chromedp.SendKeys(chromedp.CSS(`#username`), aliceUser),
		chromedp.SendKeys(chromedp.CSS(`#password`), ssoPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#officer-name`)))
	at, err = chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#officer-name`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(at, "/tenders") || !strings.Contains(name, aliceFullName) {
		t.Errorf("landed at %s showing %q, want /tenders naming %s", at, name, aliceFullName)
	}
	check("oidc-tenders-390", 390)
}
