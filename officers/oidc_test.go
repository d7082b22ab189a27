package officers

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestSignInOIDC: an administrator links accounts to single sign-on
// identities (never made from a provider's say-so); a linked, enabled
// account signs in through its identity and gets the same server-side
// session as a personal-token sign-in; an unknown identity, the same
// subject at another issuer, a disabled account are refused; a role
// change, disabling and a changed link end the session at once.
func TestSignInOIDC(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := Bootstrap()
	const iss = "https://idp.example.org/realms/agency"
	alice, _, err := f.svc.AddLinked(ctx, admin, "alice", "Alice Martin", RoleBuyer, Link{Issuer: iss, Subject: "alice-sub"})
	if err != nil || alice.OIDCIssuer != iss || alice.OIDCSubject != "alice-sub" {
		t.Fatalf("AddLinked: %+v, %v", alice, err)
	}
	if _, _, err := f.svc.AddLinked(ctx, admin, "bob", "Bob", RoleOpener, Link{Issuer: iss, Subject: "alice-sub"}); !errors.Is(err, ErrLinkTaken) || !strings.Contains(err.Error(), "alice") {
		t.Errorf("a second account with alice's identity: %v, want ErrLinkTaken naming alice", err)
	}
	if _, err := f.svc.Session(ctx, "fps.x"); err == nil {
		t.Fatal("a made-up session")
	}
	if _, _, err := f.svc.Add(ctx, admin, "bob", "Bob Stone", RoleOpener); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Link(ctx, Actor{ID: "alice", Role: RoleBuyer}, "bob", Link{Issuer: iss, Subject: "bob-sub"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a buyer linking an account: %v, want ErrForbidden", err)
	}
	for _, bad := range []Link{{Issuer: iss}, {Subject: "s"}, {Issuer: "idp.example.org", Subject: "s"}, {Issuer: iss + "?x=1", Subject: "s"},
		{Issuer: iss, Subject: "with space"}, {Issuer: iss, Subject: strings.Repeat("s", 256)}, {Issuer: "ftp://idp.example.org", Subject: "s"}} {
		if _, _, err := f.svc.Link(ctx, admin, "bob", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Link(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	if _, _, err := f.svc.Link(ctx, admin, "bob", Link{Issuer: iss, Subject: "bob-sub"}); err != nil {
		t.Fatal(err)
	}

	si, err := f.svc.SignInOIDC(ctx, iss, "alice-sub")
	if err != nil || si.Actor.ID != "alice" || si.Actor.Name != "Alice Martin" || !IsSessionToken(si.Token) {
		t.Fatalf("SignInOIDC(alice) = %+v, %v", si, err)
	}
	if a, err := f.svc.Session(ctx, si.Token); err != nil || a.ID != "alice" || a.Role != RoleBuyer {
		t.Fatalf("alice's single sign-on session: %+v, %v", a, err)
	}
	for _, c := range []struct{ iss, sub string }{{iss, "carol-sub"}, {"https://other.example.org", "alice-sub"}, {iss, ""}, {"", "alice-sub"}} {
		_, err := f.svc.SignInOIDC(ctx, c.iss, c.sub)
		if !errors.Is(err, ErrNotLinked) || !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("SignInOIDC(%q, %q): %v, want ErrNotLinked", c.iss, c.sub, err)
		}
	}

	// A role change ends the session; so does a changed link, and
	// disabling refuses the next single sign-on.
	auditor := RoleAuditor
	if _, n, err := f.svc.Update(ctx, admin, "alice", Change{Role: &auditor}); err != nil || n != 1 {
		t.Fatalf("role change: %d sessions ended, %v", n, err)
	}
	if _, err := f.svc.Session(ctx, si.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after a role change the session lives: %v", err)
	}
	si, err = f.svc.SignInOIDC(ctx, iss, "alice-sub")
	if err != nil || si.Actor.Role != RoleAuditor {
		t.Fatalf("signing in again: %+v, %v", si, err)
	}
	acc, n, err := f.svc.Link(ctx, admin, "alice", Link{Issuer: iss, Subject: "alice-new"})
	if err != nil || n != 1 || acc.OIDCSubject != "alice-new" || acc.Role != RoleAuditor {
		t.Fatalf("relinking alice: %+v, %d ended, %v", acc, n, err)
	}
	if _, err := f.svc.Session(ctx, si.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after relinking the session lives: %v", err)
	}
	if _, err := f.svc.SignInOIDC(ctx, iss, "alice-sub"); !errors.Is(err, ErrNotLinked) {
		t.Errorf("the old identity after relinking: %v", err)
	}
	yes := true
	if _, _, err := f.svc.Update(ctx, admin, "alice", Change{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SignInOIDC(ctx, iss, "alice-new"); !errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrNotLinked) {
		t.Errorf("a disabled account's single sign-on: %v, want ErrUnauthenticated (not ErrNotLinked)", err)
	}

	list, err := f.svc.List(ctx, admin)
	if err != nil || len(list) != 2 || list[0].OIDCSubject != "alice-new" || list[1].OIDCSubject != "bob-sub" || list[1].OIDCIssuer != iss {
		t.Fatalf("List = %+v, %v", list, err)
	}
	// Unlinking.
	if acc, _, err := f.svc.Link(ctx, admin, "bob", Link{}); err != nil || acc.OIDCSubject != "" {
		t.Fatalf("unlinking bob: %+v, %v", acc, err)
	}
	if _, err := f.svc.SignInOIDC(ctx, iss, "bob-sub"); !errors.Is(err, ErrNotLinked) {
		t.Errorf("bob's identity after unlinking: %v", err)
	}
	if _, _, err := f.svc.Link(ctx, admin, "carol", Link{Issuer: iss, Subject: "c"}); err == nil {
		t.Error("linking an unknown officer")
	}
}

// TestOIDCWithoutStore: a service without accounts refuses single
// sign-on as it refuses every account use case.
func TestOIDCWithoutStore(t *testing.T) {
	s := New(Config{})
	if _, err := s.SignInOIDC(context.Background(), "https://idp.example.org", "x"); !errors.Is(err, ErrNoAccounts) {
		t.Errorf("SignInOIDC without a store: %v", err)
	}
	if _, _, err := s.Link(context.Background(), Bootstrap(), "alice", Link{Issuer: "https://idp.example.org", Subject: "x"}); !errors.Is(err, ErrNoAccounts) {
		t.Errorf("Link without a store: %v", err)
	}
}
