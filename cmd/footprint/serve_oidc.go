package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// serve's single sign-on flags (docs/tenders.md "Single sign-on"), read
// here and handed to package server by cmd_serve.go (the one file of the
// command that imports it). The
// client secret is never a flag value, which any user of the machine
// could read in the process list: it comes from $FOOTPRINT_OIDC_CLIENT_SECRET
// or from a file.

// oidcSecretEnv holds the client secret of serve's OIDC registration.
const oidcSecretEnv = "FOOTPRINT_OIDC_CLIENT_SECRET"

// maxSecretFile bounds the client secret file (bytes).
const maxSecretFile = 4096

type ssoOptions struct {
	issuer, clientID, secretFile, redirect *string
	callback                               string
}

// ssoSettings are what the flags give: the fields of server.OIDCConfig.
type ssoSettings struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
}

// ssoFlags registers the flags; callback is the server's callback path
// (server.OIDCCallbackPath).
func ssoFlags(e *env, fs *flag.FlagSet, callback string) ssoOptions {
	return ssoOptions{callback: callback,
		issuer:     fs.String("oidc-issuer", e.getenv(oidcIssuerEnv), "the OpenID Connect provider's issuer URL: officers may sign in through it (default $"+oidcIssuerEnv+")"),
		clientID:   fs.String("oidc-client-id", "", "this server's client id at the OpenID Connect provider"),
		secretFile: fs.String("oidc-client-secret-file", "", "a file holding the client secret (else $"+oidcSecretEnv+"; none for a public client)"),
		redirect:   fs.String("oidc-redirect-url", "", "the callback URL registered at the provider (default --public-url + "+callback+")"),
	}
}

// config returns the server's single sign-on settings, nil without
// --oidc-issuer (server.New checks them further).
func (o ssoOptions) config(e *env, public string) (*ssoSettings, error) {
	if *o.issuer == "" {
		if *o.clientID != "" || *o.secretFile != "" || *o.redirect != "" {
			return nil, errors.New("--oidc-client-id, --oidc-client-secret-file and --oidc-redirect-url need --oidc-issuer")
		}
		return nil, nil
	}
	if *o.clientID == "" {
		return nil, errors.New("--oidc-issuer needs --oidc-client-id (this server's client id at the provider)")
	}
	c := &ssoSettings{Issuer: *o.issuer, ClientID: *o.clientID, RedirectURL: *o.redirect, ClientSecret: e.getenv(oidcSecretEnv)}
	if *o.secretFile != "" {
		b, err := readSmallFile(*o.secretFile, maxSecretFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
		c.ClientSecret = strings.TrimSpace(string(b))
	}
	if c.RedirectURL == "" {
		if public == "" {
			return nil, errors.New("--oidc-issuer needs --oidc-redirect-url, or --public-url to make it from")
		}
		c.RedirectURL = strings.TrimSuffix(public, "/") + o.callback
	}
	return c, nil
}

// readSmallFile reads a file of at most max bytes.
func readSmallFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return b, nil
}
