package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeOIDCFlags: serve's single sign-on settings: the client secret
// from $FOOTPRINT_OIDC_CLIENT_SECRET or a file (never a flag value), the
// redirect URL from --public-url unless given, and the flags that need
// one another.
func TestServeOIDCFlags(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", maxSecretFile+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	const cb = "/officer/oidc/callback"
	parse := func(vars map[string]string, public string, args ...string) (*ssoSettings, error) {
		t.Helper()
		e := &env{getenv: func(k string) string { return vars[k] }}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o := ssoFlags(e, fs, cb)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return o.config(e, public)
	}
	if c, err := parse(nil, ""); c != nil || err != nil {
		t.Errorf("no flags: %+v, %v; want no single sign-on", c, err)
	}
	c, err := parse(map[string]string{oidcSecretEnv: "from-env"}, "https://tenders.example.org/", "--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "fp")
	if err != nil || c.ClientSecret != "from-env" || c.RedirectURL != "https://tenders.example.org"+cb || c.Issuer != "https://idp.example.org" || c.ClientID != "fp" {
		t.Errorf("env secret, public URL: %+v, %v", c, err)
	}
	c, err = parse(map[string]string{oidcSecretEnv: "from-env", oidcIssuerEnv: "https://idp.example.org"}, "", "--oidc-client-id", "fp",
		"--oidc-client-secret-file", secretFile, "--oidc-redirect-url", "https://x.example.org"+cb)
	if err != nil || c.ClientSecret != "from-file" || c.RedirectURL != "https://x.example.org"+cb || c.Issuer != "https://idp.example.org" {
		t.Errorf("file secret, issuer from the environment: %+v, %v", c, err)
	}
	for name, args := range map[string][]string{
		"no client id":        {"--oidc-issuer", "https://idp.example.org"},
		"no redirect":         {"--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "fp"},
		"client id alone":     {"--oidc-client-id", "fp"},
		"missing secret file": {"--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "fp", "--oidc-redirect-url", "https://x.example.org" + cb, "--oidc-client-secret-file", secretFile + ".none"},
		"big secret file":     {"--oidc-issuer", "https://idp.example.org", "--oidc-client-id", "fp", "--oidc-redirect-url", "https://x.example.org" + cb, "--oidc-client-secret-file", big},
	} {
		if _, err := parse(nil, "", args...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
