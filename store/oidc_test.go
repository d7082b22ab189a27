package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestOIDCLinks: an officer is linked to one single sign-on identity,
// found by it, and the identity cannot be linked to a second officer
// (unique per issuer and subject); changing or removing the link ends the
// officer's sessions, keeping it does not. On SQLite and, when
// FOOTPRINT_TEST_POSTGRES names one, PostgreSQL (migration 00011).
func TestOIDCLinks(t *testing.T) {
	for _, b := range backends()[:2] {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			testOIDCLinks(t, s)
		})
	}
}

func testOIDCLinks(t *testing.T, s *sqlStore) {
	ctx := context.Background()
	l, ok := OIDCLinksOf(s)
	if !ok {
		t.Fatal("the SQL store keeps no single sign-on links")
	}
	for _, id := range []string{"alice", "bob"} {
		if err := s.CreateOfficer(ctx, Officer{ID: id, Name: id, Role: "buyer", TokenHash: "h", Params: "p", Created: t0}); err != nil {
			t.Fatal(err)
		}
	}
	sid := func(n int) string { return strings.Repeat(string(rune('a'+n)), 64) }
	if err := s.CreateSession(ctx, Session{IDHash: sid(0), OfficerID: "alice", Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	idp := OIDCLink{Issuer: "https://idp.example.org", Subject: "248289761001"}
	if n, err := l.LinkOfficerOIDC(ctx, "alice", idp, t0); err != nil || n != 1 {
		t.Fatalf("linking alice: %d sessions ended, %v; want 1, nil", n, err)
	}
	if se, _ := s.Session(ctx, sid(0)); se.Revoked == nil {
		t.Error("linking alice left her session live")
	}
	if err := s.CreateSession(ctx, Session{IDHash: sid(1), OfficerID: "alice", Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := l.LinkOfficerOIDC(ctx, "alice", idp, t0); err != nil || n != 0 {
		t.Errorf("linking alice again to the same identity: %d sessions ended, %v; want 0, nil", n, err)
	}
	o, err := l.OfficerByOIDC(ctx, idp)
	if err != nil || o.ID != "alice" || o.Role != "buyer" {
		t.Fatalf("OfficerByOIDC = %+v, %v", o, err)
	}
	if _, err := l.OfficerByOIDC(ctx, OIDCLink{Issuer: "https://other.example.org", Subject: idp.Subject}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the same subject at another issuer: %v, want ErrNotFound", err)
	}
	if _, err := l.OfficerByOIDC(ctx, OIDCLink{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the zero link: %v, want ErrNotFound", err)
	}
	if _, err := l.LinkOfficerOIDC(ctx, "bob", idp, t0); !errors.Is(err, ErrOIDCLinked) || !strings.Contains(err.Error(), "alice") {
		t.Errorf("linking bob to alice's identity: %v, want ErrOIDCLinked naming alice", err)
	}
	// The same subject at another issuer is another person.
	other := OIDCLink{Issuer: "https://other.example.org", Subject: idp.Subject}
	if _, err := l.LinkOfficerOIDC(ctx, "bob", other, t0); err != nil {
		t.Fatalf("linking bob at another issuer: %v", err)
	}
	if _, err := l.LinkOfficerOIDC(ctx, "carol", idp, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("linking an unknown officer: %v, want ErrNotFound", err)
	}
	if _, err := l.LinkOfficerOIDC(ctx, "bob", OIDCLink{Subject: "x"}, t0); err == nil {
		t.Error("a subject without an issuer was stored")
	}
	all, err := l.OfficersOIDC(ctx)
	if err != nil || len(all) != 2 || all["alice"] != idp || all["bob"] != other {
		t.Fatalf("OfficersOIDC = %v, %v", all, err)
	}
	// Unlinking ends the sessions and frees the identity.
	if n, err := l.LinkOfficerOIDC(ctx, "alice", OIDCLink{}, t0); err != nil || n != 1 {
		t.Fatalf("unlinking alice: %d sessions ended, %v; want 1, nil", n, err)
	}
	if got, err := l.OfficerOIDC(ctx, "alice"); err != nil || !got.IsZero() {
		t.Errorf("alice's link after unlinking: %+v, %v", got, err)
	}
	if _, err := l.OfficerOIDC(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown officer's link: %v, want ErrNotFound", err)
	}
	if _, err := l.OfficerByOIDC(ctx, idp); !errors.Is(err, ErrNotFound) {
		t.Errorf("after unlinking, OfficerByOIDC: %v, want ErrNotFound", err)
	}
	if _, err := l.LinkOfficerOIDC(ctx, "bob", idp, t0); err != nil {
		t.Errorf("linking bob to the freed identity: %v", err)
	}
	// The officer's other columns are untouched.
	if o, err := s.Officer(ctx, "bob"); err != nil || o.Name != "bob" || o.TokenHash != "h" {
		t.Errorf("bob after linking: %+v, %v", o, err)
	}
}
