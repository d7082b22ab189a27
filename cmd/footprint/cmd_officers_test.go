package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOfficersCommands: accounts made with the CLI; --as names the person
// in the events (tenders verify shows two officers apart) and their role
// is enforced; set-role and disable change the account.
func TestOfficersCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "footprint.db")
	file := filepath.Join(dir, "tender.json")
	if err := os.WriteFile(file, []byte(wfTender), 0o600); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{nowKey: wfCreated}
	after := map[string]string{nowKey: wfAfter}
	run := func(vars map[string]string, want int, args ...string) string {
		t.Helper()
		code, out, errs := runEnv(t, vars, "", args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d; stdout %.300s; stderr %s", args, code, want, out, errs)
		}
		return out + errs
	}
	// The database and its key file are made by the first tenders create.
	out := run(before, 0, "tenders", "create", "--db", db, file)
	var first struct{ ID string }
	if err := json.Unmarshal([]byte(out[:strings.LastIndexByte(out, '}')+1]), &first); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	out = run(before, 0, "officers", "add", "--db", db, "--name", "Alice Martin", "--role", "buyer", "alice")
	if !regexp.MustCompile(`personal token \(shown once\): fpo\.alice\.[A-Za-z0-9_-]{43}\n`).MatchString(out) {
		t.Fatalf("add printed %q", out)
	}
	bobOut := run(before, 0, "officers", "add", "--db", db, "--name", "Bob", "--role", "opener", "bob")
	bobToken := regexp.MustCompile(`personal token \(shown once\): (\S+)`).FindStringSubmatch(bobOut)[1]
	run(before, 1, "officers", "add", "--db", db, "--name", "Bob", "--role", "opener", "bob")
	run(before, 1, "officers", "add", "--db", db, "--as", "alice", "--name", "Carol", "--role", "auditor", "carol")
	// Alice creates a tender whose opening committee is Bob (k = 1).
	committeeFile := filepath.Join(filepath.Dir(file), "committee.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(committeeFile, []byte(strings.Replace(string(raw), `"award"`, `"committee": {"openers": ["bob"], "k": 1}, "award"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out = run(before, 0, "tenders", "create", "--db", db, "--as", "alice", committeeFile)
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(out[:strings.LastIndexByte(out, '}')+1]), &created); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	run(before, 1, "tenders", "create", "--db", db, "--as", "bob", file) // an opener cannot create
	run(before, 1, "tenders", "create", "--db", db, "--as", "nobody", file)
	tokenFile := filepath.Join(filepath.Dir(file), "bob.token")
	if err := os.WriteFile(tokenFile, []byte(bobToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(after, 1, "tenders", "open", "--db", db, "--as", "bob", created.ID) // the share needs bob's token
	run(after, 0, "tenders", "open", "--db", db, "--as", "bob", "--token-file", tokenFile, created.ID)
	out = run(after, 0, "tenders", "verify", "--db", db, created.ID)
	if !regexp.MustCompile(`(?m)^1 .* created +alice `).MatchString(out) || !regexp.MustCompile(`(?m)^\d+ .* opened +bob `).MatchString(out) {
		t.Errorf("verify does not name alice and bob:\n%s", out)
	}
	out = run(after, 0, "officers", "list", "--db", db)
	if !strings.Contains(out, "alice  buyer") || !strings.Contains(out, "bob    opener") {
		t.Errorf("list:\n%s", out)
	}
	out = run(after, 0, "officers", "set-role", "--db", db, "alice", "auditor")
	if !strings.Contains(out, "officer alice: role auditor, active") {
		t.Errorf("set-role: %s", out)
	}
	run(after, 1, "officers", "set-role", "--db", db, "alice", "king")
	run(after, 0, "officers", "disable", "--db", db, "bob")
	run(after, 1, "tenders", "verify", "--db", db, "--as", "bob", created.ID) // disabled
	run(after, 0, "tenders", "verify", "--db", db, "--as", "alice", created.ID)
}
