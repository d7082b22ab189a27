package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
)

// testAccounts: officers are created once per id, listed, changed; a role
// change or disabling revokes their sessions at once, a sign-out one.
func testAccounts(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	a, ok := AccountsOf(s)
	if !ok {
		t.Fatal("the SQL store keeps no accounts")
	}
	alice := Officer{ID: "alice", Name: "Alice A.", Role: "buyer", TokenHash: "h1", Params: "p1", Created: t0}
	if err := a.CreateOfficer(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateOfficer(ctx, alice); !errors.Is(err, ErrOfficerExists) {
		t.Errorf("second alice: %v, want ErrOfficerExists", err)
	}
	if err := a.CreateOfficer(ctx, Officer{ID: "bob", Name: "Bob", Role: "opener", TokenHash: "h2", Params: "p2", Created: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Officer(ctx, "alice")
	if err != nil || got.Name != alice.Name || got.Role != "buyer" || got.Disabled || !got.Created.Equal(t0) || got.TokenHash != "h1" {
		t.Fatalf("Officer(alice) = %+v, %v", got, err)
	}
	if _, err := a.Officer(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Officer(carol): %v, want ErrNotFound", err)
	}
	list, err := a.Officers(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "alice" || list[1].ID != "bob" {
		t.Fatalf("Officers = %+v, %v", list, err)
	}

	sid := func(n int) string { return strings.Repeat(string(rune('a'+n)), 64) }
	for i := range 3 {
		if err := a.CreateSession(ctx, Session{IDHash: sid(i), OfficerID: "alice", Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.CreateSession(ctx, Session{IDHash: sid(5), OfficerID: "bob", Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeSession(ctx, sid(0), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeSession(ctx, sid(9), t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking an unknown session: %v", err)
	}
	if se, err := a.Session(ctx, sid(0)); err != nil || se.Revoked == nil || !se.Revoked.Equal(t0.Add(time.Minute)) || !se.Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("signed-out session = %+v, %v", se, err)
	}
	// Same role: nothing revoked.
	buyer := "buyer"
	if _, n, err := a.UpdateOfficer(ctx, "alice", OfficerChange{Role: &buyer}, t0.Add(2*time.Minute)); err != nil || n != 0 {
		t.Fatalf("unchanged role: %d revoked, %v", n, err)
	}
	auditor := "auditor"
	o, n, err := a.UpdateOfficer(ctx, "alice", OfficerChange{Role: &auditor}, t0.Add(2*time.Minute))
	if err != nil || n != 2 || o.Role != "auditor" {
		t.Fatalf("role change: %+v, %d revoked, %v", o, n, err)
	}
	if se, _ := a.Session(ctx, sid(0)); !se.Revoked.Equal(t0.Add(time.Minute)) {
		t.Errorf("a second revocation moved the first's time: %v", se.Revoked)
	}
	if se, _ := a.Session(ctx, sid(5)); se.Revoked != nil {
		t.Errorf("bob's session was revoked by alice's change")
	}
	yes := true
	if o, n, err := a.UpdateOfficer(ctx, "bob", OfficerChange{Disabled: &yes}, t0.Add(3*time.Minute)); err != nil || n != 1 || !o.Disabled {
		t.Fatalf("disabling: %+v, %d, %v", o, n, err)
	}
	if o, _ := a.Officer(ctx, "bob"); !o.Disabled {
		t.Errorf("bob not stored disabled")
	}
	if _, _, err := a.UpdateOfficer(ctx, "carol", OfficerChange{Disabled: &yes}, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("updating carol: %v", err)
	}
	if _, err := a.Session(ctx, sid(9)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Session(unknown): %v", err)
	}
}

// TestRetagAccounts: after a rotation of the key file, the rows tagged
// with the old one no longer check, RetagAccounts re-tags them (and only
// them) and ends every session.
func TestRetagAccounts(t *testing.T) {
	ctx := context.Background()
	old, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "retag.db")
	st, err := OpenWith(ctx, "sqlite:"+path, Options{Keys: old})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	acc := st.(*sqlStore)
	for _, id := range []string{"alice", "bob"} {
		if err := acc.CreateOfficer(ctx, Officer{ID: id, Name: id, Role: "opener", TokenHash: "h-" + id, Params: "p", Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	sess := Session{IDHash: strings.Repeat("a", 64), OfficerID: "alice", Created: now, Expires: now.Add(time.Hour)}
	if err := acc.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	// A writer changes bob's role in the database.
	if _, err := acc.w.ExecContext(ctx, "UPDATE officers SET role = 'admin' WHERE id = 'bob'"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	rotated, err := old.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	st, err = OpenWith(ctx, "sqlite:"+path, Options{Keys: rotated})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.(Accounts).Officer(ctx, "alice"); !errors.Is(err, ErrAccountTag) {
		t.Fatalf("after the rotation, before retag: %v", err)
	}
	rt, ok := RetaggerOf(st)
	if !ok {
		t.Fatal("no retagger")
	}
	n, left, err := rt.RetagAccounts(ctx, old, now)
	if err != nil || n != 1 || left != 1 {
		t.Fatalf("retag: %d %d %v", n, left, err)
	}
	if o, err := st.(Accounts).Officer(ctx, "alice"); err != nil || o.Role != "opener" {
		t.Fatalf("alice after retag: %+v %v", o, err)
	}
	if _, err := st.(Accounts).Officer(ctx, "bob"); !errors.Is(err, ErrAccountTag) {
		t.Fatalf("bob's changed row was laundered: %v", err)
	}
	if se, err := st.(Accounts).Session(ctx, sess.IDHash); err == nil && se.Revoked == nil {
		t.Fatal("a session outlived the retag")
	}
}
