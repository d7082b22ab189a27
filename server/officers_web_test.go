package server

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/footprint-gpp/footprint/officers"
)

// TestWebOfficerSessions: a named officer signs in to the pages with their
// id and personal token; the events name them; a signed-out session (its
// cookie copied before) and a session whose officer's role changed are
// refused on their next request; the role is enforced on the pages too.
func TestWebOfficerSessions(t *testing.T) {
	s, ms, _ := newTenderServer(t)
	ctx := context.Background()
	_, tok, err := s.tenders.officers.Add(ctx, officers.Bootstrap(), "alice", "Alice Martin", officers.RoleBuyer)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, h: s}
	if rec := b.do("POST", "/officer/sign-in", url.Values{"officer": {"bob"}, "token": {tok}}); rec.Code != http.StatusUnauthorized || b.cookie != nil {
		t.Fatalf("alice's token as bob: %d", rec.Code)
	}
	signIn := func() string {
		t.Helper()
		rec := b.do("POST", "/officer/sign-in", url.Values{"officer": {"alice"}, "token": {tok}})
		if rec.Code != http.StatusSeeOther || b.cookie == nil {
			t.Fatalf("alice's sign-in: %d", rec.Code)
		}
		m := csrfRE.FindStringSubmatch(b.do("GET", "/tenders/new", nil).Body.String())
		if m == nil {
			t.Fatal("no CSRF token")
		}
		return m[1]
	}
	csrf := signIn()
	id := b.createTender(tenderForm(csrf))
	evs, err := ms.Events(ctx, id)
	if err != nil || len(evs) == 0 || evs[0].Actor != "alice" {
		t.Fatalf("created event: %+v, %v", evs, err)
	}

	copied := &browser{t: t, h: s, cookie: b.cookie}
	if rec := b.do("POST", "/officer/sign-out", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", rec.Code)
	}
	if rec := copied.do("GET", "/tenders", nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/officer/sign-in" {
		t.Errorf("a copied cookie after sign-out: %d, want 303 to sign-in", rec.Code)
	}

	signIn()
	auditor := officers.RoleAuditor
	if _, n, err := s.tenders.officers.Update(ctx, officers.Bootstrap(), "alice", officers.Change{Role: &auditor}); err != nil || n != 1 {
		t.Fatalf("role change: %d, %v", n, err)
	}
	if rec := b.do("GET", "/tenders", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("a session after a role change: %d, want 303 to sign-in", rec.Code)
	}
	csrf = signIn()
	if rec := b.do("POST", "/tenders/new", tenderForm(csrf)); rec.Code != http.StatusForbidden {
		t.Errorf("an auditor creating a tender on the pages: %d, want 403", rec.Code)
	}
}
