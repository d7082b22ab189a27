package server

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

// TestBrowserCommitteeCustody is the two-person opening of a tender in
// committee custody in Chromium, without script: the tender page says who
// can open the bids and lists each share's key; alice signs in with her
// personal token, approves without entering it (refused, nothing
// recorded), then with it; bob, signed in, approves with his, and the
// ranking shows. The page with the token field is axe-clean at 390 and
// 1280 px.
func TestBrowserCommitteeCustody(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	pg := newPages(t)
	run, check, text := pg.run, pg.check, pg.text
	keys, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenWith(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "custody.db"), store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: tenderStart}
	s, err := newServer(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: st, Now: clock.Now,
		OfficerTokenHash: tender.HashToken(officerToken), OfficerHashParams: officers.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	tokens := map[string]string{}
	for _, id := range []string{"alice", "bob"} {
		_, tok, err := s.tenders.officers.Add(context.Background(), officers.Bootstrap(), id, strings.ToUpper(id[:1])+id[1:], officers.RoleOpener)
		if err != nil {
			t.Fatal(err)
		}
		tokens[id] = tok
	}
	e := &tenderEnv{t: t, s: s, st: st, clock: clock}
	var tv tenders.TenderView
	body := strings.Replace(tenderBody(carbonAward), `"award":`, `"committee":{"openers":["alice","bob"],"k":2},"award":`, 1)
	e.want(e.do("POST", "/v1/tenders", officerToken, body), 201, &tv, "create")
	e.submit(tv.ID, gasBid("Alpha", "1000000.00", "100", ""))
	e.submit(tv.ID, gasBid("Beta", "990000.00", "500", ""))
	clock.Set(tenderDeadline.Add(time.Second))
	tenderURL := srv.URL + "/tenders/" + tv.ID
	signIn := func(id string) {
		t.Helper()
		run("sign in "+id, chromedp.Navigate(srv.URL+"/officer/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#token`)),
			chromedp.SendKeys(chromedp.CSS(`#officer`), id), chromedp.SendKeys(chromedp.CSS(`#token`), tokens[id]),
			chromedp.Click(chromedp.CSS(`#sign-in`)), chromedp.WaitVisible(chromedp.CSS(`#create-tender`)))
	}
	signIn("alice")
	for _, w := range []int64{390, 1280} {
		run("tender page", chromedp.EmulateViewport(w, 844), chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#personal-token`)))
		check("custody-approve-"+map[int64]string{390: "390", 1280: "1280"}[w], int(w))
	}
	if got := text(`#custody`); !strings.Contains(got, "Only 2 of the 2 openers together can open the bids") {
		t.Errorf("custody: %q", got)
	}
	if got := text(`#custody-holders`); !strings.Contains(got, "alice: share sealed to key") || !strings.Contains(got, "bob: share sealed to key") {
		t.Errorf("holders: %q", got)
	}
	run("approve without the token", chromedp.Click(chromedp.CSS(`#approve`)), chromedp.WaitVisible(chromedp.CSS(`#message`)))
	if got := text(`main`); !strings.Contains(got, "Your personal token is needed") {
		t.Errorf("approval without the token: %q", got)
	}
	run("approve with the token", chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#personal-token`)),
		chromedp.SendKeys(chromedp.CSS(`#personal-token`), tokens["alice"]), chromedp.Click(chromedp.CSS(`#approve`)))
	// The page comes back through a redirect, the same page with the
	// count changed: read it until it has changed (or 10 s have passed).
	got := ""
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v, err := chromedp.Run(pg.ctx, chromedp.Text(chromedp.CSS(`#approvals`))); err == nil {
			if got = v; strings.Contains(got, "1 of 2") {
				break
			}
		}
	}
	if !strings.Contains(got, "1 of 2 (alice)") {
		t.Errorf("after alice: %q", got)
	}
	run("sign out", chromedp.Click(chromedp.CSS(`form[action="/officer/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS(`#token`)))
	signIn("bob")
	run("bob approves", chromedp.Navigate(tenderURL), chromedp.WaitVisible(chromedp.CSS(`#personal-token`)),
		chromedp.SendKeys(chromedp.CSS(`#personal-token`), tokens["bob"]), chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#ranking`)))
	if first := text(`#ranking tbody tr:first-child`); !strings.HasPrefix(strings.TrimSpace(first), "1") {
		t.Errorf("ranking: %q", first)
	}
}
