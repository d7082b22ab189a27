package officers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

func TestRoles(t *testing.T) {
	cases := []struct {
		role Role
		act  Action
		ok   bool
	}{
		{RoleAdmin, ActManage, true}, {RoleAdmin, ActCreate, true}, {RoleAdmin, ActOpen, true},
		{RoleBuyer, ActCreate, true}, {RoleBuyer, ActRead, true}, {RoleBuyer, ActOpen, true}, {RoleBuyer, ActExport, true}, {RoleBuyer, ActAudit, true}, {RoleBuyer, ActManage, false},
		{RoleOpener, ActOpen, true}, {RoleOpener, ActRead, true}, {RoleOpener, ActCreate, false}, {RoleOpener, ActExport, false}, {RoleOpener, ActManage, false},
		{RoleAuditor, ActAudit, true}, {RoleAuditor, ActEvaluate, true}, {RoleAuditor, ActExport, true}, {RoleAuditor, ActRead, true},
		{RoleAuditor, ActCreate, false}, {RoleAuditor, ActOpen, false}, {RoleAuditor, ActManage, false},
		{Role("root"), ActRead, false},
	}
	for _, c := range cases {
		err := Actor{ID: "x", Role: c.role}.Can(c.act)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrForbidden) {
			t.Errorf("%s may %s: %v, want allowed %v", c.role, c.act, err, c.ok)
		}
	}
	for _, r := range Roles() {
		if got, err := ParseRole(string(r)); got != r || err != nil {
			t.Errorf("ParseRole(%s) = %s, %v", r, got, err)
		}
	}
	if _, err := ParseRole("Admin"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseRole(Admin): %v", err)
	}
}

func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{"alice": true, "a-1": true, "a": false, "Alice": false, "1abc": false, "officer": false, "cli": false, "a b": false, strings.Repeat("a", 33): false, "": false} {
		if err := CheckID(id); (err == nil) != ok {
			t.Errorf("CheckID(%q) = %v, want ok %v", id, err, ok)
		}
	}
}

type fixture struct {
	svc *Service
	now time.Time
	mu  sync.Mutex
}

func (f *fixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

const bootToken = "bootstrap-token-0123456789abcdefghijklmnopqrstuvw"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acc, ok := store.AccountsOf(st)
	if !ok {
		t.Fatal("no accounts")
	}
	f := &fixture{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.svc = New(Config{Accounts: acc, BootstrapHash: tender.HashToken(bootToken), Now: f.clock,
		Params: Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32}}) // cheap in tests; DefaultParams measured below
	return f
}

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := Bootstrap()
	if a, err := f.svc.Authenticate(ctx, bootToken); err != nil || a != admin {
		t.Fatalf("bootstrap: %+v, %v", a, err)
	}
	acc, tok, err := f.svc.Add(ctx, admin, "alice", "Alice Martin", RoleBuyer)
	if err != nil || acc.ID != "alice" || acc.Role != RoleBuyer || !strings.HasPrefix(tok, "fpo.alice.") || len(tok) < len("fpo.alice.")+43 {
		t.Fatalf("Add: %+v, %q, %v", acc, tok, err)
	}
	if _, _, err := f.svc.Add(ctx, admin, "alice", "Alice again", RoleBuyer); !errors.Is(err, ErrExists) {
		t.Errorf("second alice: %v", err)
	}
	if _, _, err := f.svc.Add(ctx, Actor{ID: "alice", Role: RoleBuyer}, "bob", "Bob", RoleOpener); !errors.Is(err, ErrForbidden) {
		t.Errorf("a buyer adding an officer: %v", err)
	}
	for _, bad := range []struct{ id, name, role string }{{"Bob", "Bob", "opener"}, {"bob", "", "opener"}, {"bob", "Bob", "king"}, {"officer", "O", "admin"}} {
		if _, _, err := f.svc.Add(ctx, admin, bad.id, bad.name, Role(bad.role)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Add(%v): %v, want ErrInvalid", bad, err)
		}
	}
	a, err := f.svc.Authenticate(ctx, tok)
	if err != nil || a.ID != "alice" || a.Role != RoleBuyer || a.Name != "Alice Martin" {
		t.Fatalf("Authenticate(alice's token) = %+v, %v", a, err)
	}
	// The token with its last character changed (never to itself).
	last := "A"
	if strings.HasSuffix(tok, "A") {
		last = "B"
	}
	for _, wrong := range []string{tok[:len(tok)-1] + last, "fpo.nobody." + tok[len("fpo.alice."):], "fpo.alice", "fps.nothing", "other", ""} {
		if _, err := f.svc.Authenticate(ctx, wrong); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("Authenticate(%q): %v", wrong, err)
		}
	}

	// Sessions: sign-in, sign-out, expiry, role change, disabling.
	si, err := f.svc.SignIn(ctx, "alice", tok)
	if err != nil || si.Actor.ID != "alice" || !strings.HasPrefix(si.Token, "fps.") {
		t.Fatalf("SignIn: %+v, %v", si, err)
	}
	if _, err := f.svc.SignIn(ctx, "bob", tok); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("signing in as bob with alice's token: %v", err)
	}
	if a, err := f.svc.Authenticate(ctx, si.Token); err != nil || a.ID != "alice" {
		t.Fatalf("session: %+v, %v", a, err)
	}
	if err := f.svc.SignOut(ctx, si.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, si.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("signed-out session: %v", err)
	}
	s2, _ := f.svc.SignIn(ctx, "", tok)
	f.advance(SessionTTL)
	if _, err := f.svc.Session(ctx, s2.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("expired session: %v", err)
	}
	s3, _ := f.svc.SignIn(ctx, "alice", tok)
	auditor := RoleAuditor
	if acc, n, err := f.svc.Update(ctx, admin, "alice", Change{Role: &auditor}); err != nil || n != 2 || acc.Role != RoleAuditor {
		// s2 expired but not revoked: it is revoked too.
		t.Fatalf("role change: %+v, %d, %v", acc, n, err)
	}
	if _, err := f.svc.Session(ctx, s3.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("session after a role change: %v", err)
	}
	if a, err := f.svc.Authenticate(ctx, tok); err != nil || a.Role != RoleAuditor {
		t.Errorf("token after the role change: %+v, %v", a, err)
	}
	s4, _ := f.svc.SignIn(ctx, "alice", tok)
	yes := true
	if _, n, err := f.svc.Update(ctx, admin, "alice", Change{Disabled: &yes}); err != nil || n != 1 {
		t.Fatalf("disabling: %d, %v", n, err)
	}
	for _, c := range []string{s4.Token, tok} {
		if _, err := f.svc.Authenticate(ctx, c); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("credential of a disabled account: %v", err)
		}
	}
	if _, err := f.svc.SignIn(ctx, "alice", tok); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("sign-in of a disabled account: %v", err)
	}
	// The bootstrap administrator signs in too.
	sb, err := f.svc.SignIn(ctx, "", bootToken)
	if err != nil || sb.Actor != admin {
		t.Fatalf("bootstrap sign-in: %+v, %v", sb, err)
	}
	if a, err := f.svc.Session(ctx, sb.Token); err != nil || a != admin {
		t.Fatalf("bootstrap session: %+v, %v", a, err)
	}
	// Another bootstrap token ends the bootstrap sessions.
	other := New(Config{Accounts: f.svc.acc, BootstrapHash: tender.HashToken(bootToken + "2"), Now: f.clock})
	if _, err := other.Session(ctx, sb.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a bootstrap session under another bootstrap token: %v", err)
	}
	if list, err := f.svc.List(ctx, admin); err != nil || len(list) != 1 || !list[0].Disabled {
		t.Errorf("List = %+v, %v", list, err)
	}
	if _, err := f.svc.List(ctx, Actor{ID: "x", Role: RoleAuditor}); !errors.Is(err, ErrForbidden) {
		t.Errorf("an auditor listing: %v", err)
	}
}

// TestHashCost measures one sign-in's argon2id with DefaultParams, and
// checks that at most ConcurrentHashes run at once.
func TestHashCost(t *testing.T) {
	if testing.Short() {
		t.Skip("measures argon2id")
	}
	h := newHasher(DefaultParams(), 2)
	ctx := context.Background()
	hash, params, err := h.hash(ctx, "fpo.alice.secret")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ok, err := h.verify(ctx, "fpo.alice.secret", hash, params)
	took := time.Since(start)
	if !ok || err != nil {
		t.Fatalf("verify: %v, %v", ok, err)
	}
	if bad, _ := h.verify(ctx, "fpo.alice.secreT", hash, params); bad {
		t.Fatal("a wrong token verified")
	}
	t.Logf("argon2id %s, one verification: %v", params[:strings.LastIndexByte(params, '$')], took)
	if !strings.HasPrefix(params, "argon2id$v=19$m=65536,t=1,p=2$") {
		t.Errorf("params = %s", params)
	}
	// Hold both slots: a third verification waits until its context ends.
	h.slots <- struct{}{}
	h.slots <- struct{}{}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := h.verify(cctx, "x", hash, params); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a third concurrent hash: %v, want to wait", err)
	}
}
