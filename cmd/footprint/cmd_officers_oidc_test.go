package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfficersLinkCommand: officers add --oidc-subject links the new
// account; officers link changes and removes a link; an identity links
// one account; the issuer comes from --oidc-issuer or
// $FOOTPRINT_OIDC_ISSUER; list shows the subject.
func TestOfficersLinkCommand(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "footprint.db")
	const iss = "https://idp.example.org/realms/agency"
	vars := map[string]string{nowKey: wfCreated}
	withIss := map[string]string{nowKey: wfCreated, oidcIssuerEnv: iss}
	run := func(vars map[string]string, want int, args ...string) string {
		t.Helper()
		code, out, errs := runEnv(t, vars, "", args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d; stdout %.300s; stderr %s", args, code, want, out, errs)
		}
		return out + errs
	}
	// The database and its key file are made by the first tenders create.
	file := filepath.Join(t.TempDir(), "tender.json")
	if err := os.WriteFile(file, []byte(wfTender), 0o600); err != nil {
		t.Fatal(err)
	}
	run(vars, 0, "tenders", "create", "--db", db, file)
	out := run(vars, 0, "officers", "add", "--db", db, "--name", "Alice Martin", "--role", "buyer", "--oidc-issuer", iss, "--oidc-subject", "alice-sub", "alice")
	if !strings.Contains(out, "personal token (shown once): fpo.alice.") || !strings.Contains(out, "single sign-on: subject alice-sub at "+iss) {
		t.Fatalf("add --oidc-subject printed %q", out)
	}
	out = run(withIss, 1, "officers", "add", "--db", db, "--name", "Bob", "--role", "opener", "--oidc-subject", "alice-sub", "bob")
	if !strings.Contains(out, "linked to alice") || strings.Contains(out, "fpo.") {
		t.Errorf("a second account with alice's identity: %q", out)
	}
	out = run(vars, 1, "officers", "add", "--db", db, "--name", "Bob", "--role", "opener", "--oidc-subject", "bob-sub", "bob")
	if !strings.Contains(out, "--oidc-issuer") {
		t.Errorf("--oidc-subject without an issuer: %q", out)
	}
	run(vars, 0, "officers", "add", "--db", db, "--name", "Bob", "--role", "opener", "bob")
	out = run(withIss, 0, "officers", "link", "--db", db, "--oidc-subject", "bob-sub", "bob")
	if !strings.Contains(out, "officer bob: single sign-on subject bob-sub at "+iss) {
		t.Errorf("link printed %q", out)
	}
	out = run(vars, 0, "officers", "list", "--db", db)
	if !strings.Contains(out, "SSO") || !strings.Contains(out, "alice-sub") || !strings.Contains(out, "bob-sub") {
		t.Errorf("list: %q", out)
	}
	run(withIss, 1, "officers", "link", "--db", db, "--oidc-subject", "alice-sub", "bob")
	run(withIss, 1, "officers", "link", "--db", db, "--oidc-subject", "has space", "bob")
	run(withIss, 1, "officers", "link", "--db", db, "--as", "bob", "--oidc-subject", "x", "alice") // an opener manages no accounts
	run(withIss, 2, "officers", "link", "--db", db, "bob")
	run(withIss, 2, "officers", "link", "--db", db, "--unlink", "--oidc-subject", "x", "bob")
	out = run(vars, 0, "officers", "link", "--db", db, "--unlink", "bob")
	if !strings.Contains(out, "officer bob: no single sign-on link") {
		t.Errorf("unlink printed %q", out)
	}
	out = run(vars, 0, "officers", "list", "--db", db)
	if strings.Contains(out, "bob-sub") {
		t.Errorf("list after unlinking bob: %q", out)
	}
}
