package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// TestTenderCreateCommitteeForm: the create form has the opening
// committee's fields, proposes k = 2 and says what losing openers'
// credentials does; its errors come back by their fields; empty openers
// give the creator alone (k = 1); named openers give the committee.
func TestTenderCreateCommitteeForm(t *testing.T) {
	s, ms, _ := newTenderServer(t)
	b := &browser{t: t, h: s}
	csrf := b.signIn()

	page := b.do("GET", "/tenders/new", nil).Body.String()
	for _, want := range []string{
		`<legend>Opening committee</legend>`,
		`<label for="openers">`, `id="openers" name="openers" value=""`, `aria-describedby="openers-hint"`,
		`<label for="k">`, `id="k" name="k" value="2"`, `aria-describedby="k-hint"`,
		"Losing the credentials of more than n − k openers makes the tender impossible to open: name more openers than you need.",
		"Leave the openers empty and the committee is you alone (k = 1)",
		fmt.Sprintf("at most %d", tender.MaxOpeners),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the create form lacks %q", want)
		}
	}

	many := make([]string, tender.MaxOpeners+1)
	for i := range many {
		many[i] = fmt.Sprintf("o%d", i)
	}
	cases := []struct {
		name, openers, k string
		field, says      string
	}{
		{"upper case id", "alice, Bob", "2", "openers", `"Bob" is not an officer id`},
		{"an opener twice", "alice, bob, alice", "2", "openers", `"alice" is named twice`},
		{"too many openers", strings.Join(many, ","), "2", "openers", "21 openers; at most 20"},
		{"too long", strings.Repeat("a", maxOpenersText+1), "2", "openers", "at most 20 openers"},
		{"k not a number", "alice, bob", "two", "k", `"two" is not a whole number`},
		{"k missing", "alice, bob", "", "k", "how many of the 2 openers"},
		{"k above n", "alice", "2", "k", "2 is out of range"},
		{"k zero", "alice, bob", "0", "k", "0 is out of range"},
		{"k without openers", "", "3", "k", "k = 3 needs at least 3 openers"},
	}
	for _, c := range cases {
		v := tenderForm(csrf)
		v.Set("openers", c.openers)
		v.Set("k", c.k)
		rec := b.do("POST", "/tenders/new", v)
		body := rec.Body.String()
		m := regexp.MustCompile(`id="` + c.field + `-error"><span class="visually-hidden">Error:</span> ([^<]*)<`).FindStringSubmatch(body)
		if rec.Code != http.StatusUnprocessableEntity || m == nil || !strings.Contains(htmlUnescape(m[1]), c.says) {
			t.Errorf("%s: %d, error by %s: %v; want 422 with %q", c.name, rec.Code, c.field, m, c.says)
			continue
		}
		if !strings.Contains(body, `aria-describedby="`+c.field+`-hint `+c.field+`-error" aria-invalid="true"`) {
			t.Errorf("%s: the %s field is not described by its error", c.name, c.field)
		}
		if !strings.Contains(body, `href="#`+c.field+`"`) {
			t.Errorf("%s: the summary does not link to #%s", c.name, c.field)
		}
		if c.openers != "" && len(c.openers) <= maxOpenersText && !strings.Contains(body, `name="openers" value="`+c.openers+`"`) {
			t.Errorf("%s: the openers typed are not kept", c.name)
		}
	}
	if ts, _ := ms.Tenders(t.Context()); len(ts) != 0 {
		t.Fatalf("%d tenders created from invalid committees", len(ts))
	}

	committee := func(id string) *tender.Committee {
		t.Helper()
		tv, err := ms.Tender(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return tv.Committee
	}
	// Empty openers, k left at the proposed 2: the creator alone, k = 1.
	v := tenderForm(csrf)
	v.Set("openers", "")
	v.Set("k", "2")
	sole := b.createTender(v)
	if c := committee(sole); c == nil || c.K != 1 || strings.Join(c.Openers, ",") != "officer" {
		t.Errorf("empty openers: committee %+v, want the creator alone, k = 1", c)
	}
	if p := b.do("GET", "/tenders/"+sole, nil).Body.String(); !strings.Contains(p, `<p id="committee">Opened by one person: officer.</p>`) {
		t.Error("the page of a committee of one does not say one person opens it")
	}
	// Named openers (accounts, as the service checks), separated by
	// commas and spaces.
	for _, id := range []string{"alice", "bob", "carol"} {
		req := httptest.NewRequest(http.MethodPost, "/v1/officers", strings.NewReader(`{"id":"`+id+`","name":"`+id+`","role":"opener"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+officerToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create officer %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	v.Set("openers", " alice, bob  carol,")
	v.Set("k", " 2 ")
	three := b.createTender(v)
	if c := committee(three); c == nil || c.K != 2 || strings.Join(c.Openers, ",") != "alice,bob,carol" {
		t.Errorf("named openers: committee %+v, want alice, bob, carol, k = 2", c)
	}
	if p := b.do("GET", "/tenders/"+three, nil).Body.String(); !strings.Contains(p, "2 of these openers must approve the opening: alice, bob, carol.") {
		t.Error("the page does not show the committee")
	}
}

// htmlUnescape undoes html/template's escaping of quotes in a message.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestTenderApproveOpeningPages: the "Approve opening" ceremony on the
// pages, without a browser. A k = 2 tender made on the form names the
// bootstrap administrator and bob; bob is made with POST /v1/officers and
// signs in with his id and token. Before the deadline nothing is taken;
// after it the page offers Approve (not Open), each approval is a
// CSRF-checked post that goes back to the page, the page counts "1 of 2",
// a non-member is refused, and bob's approval opens the tender.
func TestTenderApproveOpeningPages(t *testing.T) {
	s, ms, clock := newTenderServer(t)
	officer := &browser{t: t, h: s}
	csrf := officer.signIn()

	addOfficer := func(id, role string) string {
		t.Helper()
		req := httptest.NewRequest("POST", "/v1/officers", strings.NewReader(`{"id":"`+id+`","name":"Officer `+id+`","role":"`+role+`"}`))
		req.Header.Set("Authorization", "Bearer "+officerToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var got struct {
			Token string `json:"token"`
		}
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.Token == "" {
			t.Fatalf("POST /v1/officers %s: %d %s", id, rec.Code, rec.Body)
		}
		return got.Token
	}
	signInAs := func(id, token string) (*browser, string) {
		t.Helper()
		b := &browser{t: t, h: s}
		if rec := b.do("POST", "/officer/sign-in", url.Values{"officer": {id}, "token": {token}}); rec.Code != http.StatusSeeOther || b.cookie == nil {
			t.Fatalf("%s's sign-in: %d", id, rec.Code)
		}
		m := csrfRE.FindStringSubmatch(b.do("GET", "/tenders", nil).Body.String())
		if m == nil {
			t.Fatalf("%s: no CSRF token on the list", id)
		}
		return b, m[1]
	}
	bob, bobCSRF := signInAs("bob", addOfficer("bob", "opener"))
	carol, carolCSRF := signInAs("carol", addOfficer("carol", "opener"))

	v := tenderForm(csrf)
	v.Set("openers", "officer, bob")
	v.Set("k", "2")
	id := officer.createTender(v)
	supplier := &browser{t: t, h: s}
	if rec := supplier.do("POST", "/tenders/"+id+"/bid", supplierBid("Acme Heating", "125000.00", "1000")); rec.Code != http.StatusCreated {
		t.Fatalf("bid: %d", rec.Code)
	}
	page := func(b *browser) string {
		t.Helper()
		rec := b.do("GET", "/tenders/"+id, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("tender page: %d", rec.Code)
		}
		return rec.Body.String()
	}
	approvals := regexp.MustCompile(`<p id="approvals">([^<]*)</p>`)
	approve := func(b *browser, csrf string) *httptest.ResponseRecorder {
		t.Helper()
		return b.do("POST", "/tenders/"+id+"/approvals", url.Values{"csrf": {csrf}})
	}

	p := page(officer)
	if !strings.Contains(p, "2 of these openers must approve the opening: officer, bob.") {
		t.Error("the page does not show the committee")
	}
	if m := approvals.FindStringSubmatch(p); m == nil || m[1] != "Approvals so far: 0 of 2." {
		t.Errorf("before any approval: %v", m)
	}
	if strings.Contains(p, `id="approve"`) || strings.Contains(p, `id="open"`) {
		t.Error("an approve or open button before the deadline")
	}
	if rec := approve(officer, csrf); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Too early to approve") {
		t.Errorf("approval before the deadline: %d, want 409", rec.Code)
	}

	clock.Set(tenderStart.Add(2*time.Hour + time.Second)) // the deadline is 12:00
	p = page(officer)
	form := `<form method="post" action="/tenders/` + id + `/approvals" class="open-form">`
	if !strings.Contains(p, form) || !strings.Contains(p, `id="approve">Approve opening</button>`) || !strings.Contains(p, `name="csrf" value="`+csrf+`"`) {
		t.Fatalf("after the deadline the page offers no Approve opening form with the CSRF token:\n%s", p)
	}
	if strings.Contains(p, `action="/tenders/`+id+`/open"`) {
		t.Error("a k = 2 tender offers Open")
	}
	if rec := approve(officer, ""); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF") {
		t.Errorf("approval without CSRF: %d, want 403", rec.Code)
	}
	if rec := approve(officer, bobCSRF); rec.Code != http.StatusForbidden {
		t.Errorf("approval with another session's CSRF: %d, want 403", rec.Code)
	}
	if rec := approve(carol, carolCSRF); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Not on the opening committee") {
		t.Errorf("approval by carol, not an opener of it: %d, want 403", rec.Code)
	}

	rec := approve(officer, csrf)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tenders/"+id {
		t.Fatalf("first approval: %d to %q, want 303 to the page", rec.Code, rec.Header().Get("Location"))
	}
	p = page(officer)
	if m := approvals.FindStringSubmatch(p); m == nil || m[1] != "Approvals so far: 1 of 2 (officer)." {
		t.Errorf("after one approval: %v", m)
	}
	if !strings.Contains(p, `id="approve"`) || strings.Contains(p, `id="ranking"`) {
		t.Error("after one approval of two the tender looks opened")
	}
	if rec := officer.do("POST", "/tenders/"+id+"/open", url.Values{"csrf": {csrf}}); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Approvals needed") {
		t.Errorf("open after 1 of 2 approvals: %d, want 409", rec.Code)
	}
	if rec := approve(officer, csrf); rec.Code != http.StatusSeeOther { // a repeat records nothing
		t.Errorf("repeated approval: %d, want 303", rec.Code)
	}
	if m := approvals.FindStringSubmatch(page(bob)); m == nil || m[1] != "Approvals so far: 1 of 2 (officer)." {
		t.Errorf("bob sees, after a repeated approval: %v", m)
	}

	// Bob's approval, the second, opens the tender.
	if rec := approve(bob, bobCSRF); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tenders/"+id {
		t.Fatalf("bob's approval: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	p = page(bob)
	if !strings.Contains(p, `id="ranking"`) || !strings.Contains(p, "Acme Heating") || strings.Contains(p, `id="approve"`) {
		t.Errorf("after the second approval the page shows no ranking")
	}
	if m := approvals.FindStringSubmatch(p); m == nil || m[1] != "Approvals so far: 2 of 2 (officer, bob)." {
		t.Errorf("after two approvals: %v", m)
	}
	if rec := approve(officer, csrf); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Already opened") {
		t.Errorf("approval after opening: %d, want 409", rec.Code)
	}
	tv, err := ms.Tender(t.Context(), id)
	if err != nil || tv.Status != tender.StatusOpened {
		t.Fatalf("stored tender: %v, %v", tv.Status, err)
	}
	var ev tender.Evaluation
	if rec := officer.do("GET", "/tenders/"+id+"/evaluation?format=json", nil); rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &ev) != nil {
		t.Fatalf("evaluation: %d", rec.Code)
	}
	if strings.Join(ev.OpenedBy, ",") != "officer,bob" || ev.Committee == nil || ev.Committee.K != 2 {
		t.Errorf("evaluation: opened_by %v, committee %+v", ev.OpenedBy, ev.Committee)
	}
	evs, err := ms.Events(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var approved []string
	for _, e := range evs {
		if e.Kind == tender.EventApproved {
			approved = append(approved, e.Actor)
		}
	}
	if strings.Join(approved, ",") != "officer,bob" {
		t.Errorf("approved events: %v, want officer, bob", approved)
	}
}
