package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/server"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// settingsStore is a store with settings only (the rest panics if used).
type settingsStore struct {
	store.Store
	m map[string]string
}

func (s *settingsStore) Setting(_ context.Context, k string) (string, bool, error) {
	v, ok := s.m[k]
	return v, ok, nil
}

func (s *settingsStore) SetSetting(_ context.Context, k, v string) error {
	s.m[k] = v
	return nil
}

// TestServeOfficerToken: serve prints a generated officer token once, at
// the first start, and never again; FOOTPRINT_OFFICER_TOKEN wins.
func TestServeOfficerToken(t *testing.T) {
	st := &settingsStore{m: map[string]string{}}
	vars := map[string]string{}
	var stderr bytes.Buffer
	e := &env{stderr: &stderr, getenv: func(k string) string { return vars[k] }}

	cfg := server.Config{Store: st}
	if err := officerToken(context.Background(), e, &cfg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	tok := strings.TrimSpace(lines[len(lines)-1])
	if len(tok) != 43 || cfg.OfficerTokenHash != tender.HashToken(tok) || st.m[server.OfficerTokenSetting] != cfg.OfficerTokenHash {
		t.Fatalf("first start: printed %q, hash %q, stored %v", stderr.String(), cfg.OfficerTokenHash, st.m)
	}
	stderr.Reset()
	cfg = server.Config{Store: st}
	if err := officerToken(context.Background(), e, &cfg); err != nil || stderr.Len() != 0 || cfg.OfficerTokenHash != tender.HashToken(tok) {
		t.Errorf("second start: printed %q, hash %q, err %v", stderr.String(), cfg.OfficerTokenHash, err)
	}
	const chosen = "c0c9b1f6e6b24e0c9a4d5f2e8b7a6c3d" // openssl rand -hex 16
	vars[server.OfficerTokenEnv] = chosen
	cfg = server.Config{Store: st}
	if err := officerToken(context.Background(), e, &cfg); err != nil || cfg.OfficerTokenHash != tender.HashToken(chosen) {
		t.Errorf("env: hash %q, err %v", cfg.OfficerTokenHash, err)
	}
	// A weak token stops serve at start, saying how to make one.
	vars[server.OfficerTokenEnv] = "a"
	cfg = server.Config{Store: st}
	if err := officerToken(context.Background(), e, &cfg); err == nil || cfg.OfficerTokenHash != "" ||
		!strings.Contains(err.Error(), "too weak") || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Errorf("weak token: hash %q, err %v", cfg.OfficerTokenHash, err)
	}
	vars[server.OfficerTokenEnv] = chosen
	cfg = server.Config{}
	if err := officerToken(context.Background(), e, &cfg); err != nil || cfg.OfficerTokenHash != "" {
		t.Errorf("no database: hash %q, err %v", cfg.OfficerTokenHash, err)
	}
}

// TestServeRefusesWeakOfficerToken: serve with a weak
// FOOTPRINT_OFFICER_TOKEN exits 1 at start, before it listens, with a
// message that says how to make a token and does not repeat it.
func TestServeRefusesWeakOfficerToken(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/t.db"
	code, _, stderr := runEnv(t, map[string]string{server.OfficerTokenEnv: "hunter2"}, "", "serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != exitFailed || !strings.Contains(stderr, "too weak") || !strings.Contains(stderr, "openssl rand -base64 32") || strings.Contains(stderr, "hunter2") || strings.Contains(stderr, "listening") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
