package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTendersApprove: the opening ceremony of a committee of three of
// whom two must approve, on the command line: no approval before the
// deadline or by an officer not on the committee, tenders open refused
// (approvals needed), a repeat records nothing, the second opener's
// approval opens the tender, and verify shows both approvers.
func TestTendersApprove(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "footprint.db")
	file := filepath.Join(dir, "tender.json")
	doc := strings.Replace(wfTender, `"award"`, `"committee": {"openers": ["alice", "bob", "carol"], "k": 2}, "award"`, 1)
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{nowKey: wfCreated}
	after := map[string]string{nowKey: wfAfter}
	run := func(vars map[string]string, want int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := runEnv(t, vars, "", args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d; stdout %.300s; stderr %s", args, code, want, out, errs)
		}
		return out, errs
	}
	// A first tender makes the database; the openers are then named
	// officers (and mallory, an opener not on the committee), as a
	// committee must name accounts.
	plain := filepath.Join(dir, "plain.json")
	if err := os.WriteFile(plain, []byte(wfTender), 0o600); err != nil {
		t.Fatal(err)
	}
	run(before, 0, "tenders", "create", "--db", db, plain)
	tokens := map[string]string{}
	tokenRe := regexp.MustCompile(`personal token \(shown once\): (\S+)`)
	for _, who := range []string{"alice", "bob", "carol", "mallory"} {
		out, _ := run(before, 0, "officers", "add", "--db", db, "--name", who, "--role", "opener", who)
		tokens[who] = tokenRe.FindStringSubmatch(out)[1]
	}
	out, _ := run(before, 0, "tenders", "create", "--db", db, file)
	var created struct {
		ID        string `json:"id"`
		Committee struct {
			Openers []string `json:"openers"`
			K       int      `json:"k"`
		} `json:"committee"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Committee.K != 2 || len(created.Committee.Openers) != 3 {
		t.Fatalf("created: %+v, %v\n%s", created, err, out)
	}
	id := created.ID
	submitBids(t, db, id)

	type approval struct {
		Approvers []string        `json:"approvers"`
		Remaining int             `json:"remaining"`
		Repeated  bool            `json:"repeated"`
		Opened    bool            `json:"opened"`
		Eval      json.RawMessage `json:"evaluation"`
	}
	withToken := func(who string) map[string]string {
		return map[string]string{nowKey: wfAfter, "FOOTPRINT_PERSONAL_TOKEN": tokens[who]}
	}
	approve := func(who string) approval {
		t.Helper()
		out, _ := run(withToken(who), 0, "tenders", "approve", "--db", db, "--as", who, id)
		var a approval
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("approve --as %s: %v\n%s", who, err, out)
		}
		return a
	}
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"before the deadline", before, []string{"approve", "--as", "alice"}, "deadline has not passed yet"},
		{"not on the committee", after, []string{"approve", "--as", "mallory"}, "not a member of the tender's opening committee"},
		{"no --as", after, []string{"approve"}, "give --as ID"},
		{"open with k = 2", after, []string{"open", "--as", "alice"}, "opening needs the committee's approvals"},
		{"without the token", after, []string{"approve", "--as", "alice"}, "only your personal token unlocks"},
		{"with another's token", withToken("bob"), []string{"approve", "--as", "alice"}, "not officer alice's"},
	} {
		code := 1
		if c.name == "no --as" {
			code = 2
		}
		_, errs := run(c.vars, code, append(append([]string{"tenders"}, c.args...), "--db", db, id)...)
		if !strings.Contains(errs, c.want) {
			t.Errorf("%s: %s", c.name, errs)
		}
	}
	if a := approve("alice"); a.Opened || a.Remaining != 1 || a.Repeated || strings.Join(a.Approvers, ",") != "alice" {
		t.Errorf("first approval: %+v", a)
	}
	if a := approve("alice"); !a.Repeated || a.Opened || a.Remaining != 1 {
		t.Errorf("repeat: %+v", a)
	}
	a := approve("bob")
	if !a.Opened || a.Remaining != 0 || strings.Join(a.Approvers, ",") != "alice,bob" || !strings.Contains(string(a.Eval), `"opened_by":["alice","bob"]`) {
		t.Errorf("k-th approval: %+v %s", a, a.Eval)
	}
	out, _ = run(after, 0, "tenders", "verify", "--db", db, id)
	for _, want := range []string{"approved      alice", "approved      bob", "verified: 7 events"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
}
