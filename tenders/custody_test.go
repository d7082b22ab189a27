package tenders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// custodyRig is a store with the key file, an officer service and three
// openers with their personal tokens.
type custodyRig struct {
	path   string
	keys   *seal.Keys
	st     store.Store
	svc    *Service
	off    *officers.Service
	clock  *time.Time
	actors map[string]officers.Actor // authenticated by personal token
	tokens map[string]string
}

func newCustodyRig(t *testing.T) *custodyRig {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "custody.db")
	st, err := store.OpenWith(ctx, "sqlite:"+path, store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r := &custodyRig{path: path, keys: keys, st: st, clock: &clock, actors: map[string]officers.Actor{}, tokens: map[string]string{}}
	now := func() time.Time { return *r.clock }
	r.svc = New(Config{Store: st, Registry: reg, Engine: calc.NewEngine(lib), Now: now})
	acc, _ := store.AccountsOf(st)
	r.off = officers.New(officers.Config{Accounts: acc, Now: now, Params: officers.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32}})
	for _, id := range []string{"alice", "bob", "carol"} {
		_, tok, err := r.off.Add(ctx, officers.CLI(), id, strings.ToUpper(id[:1])+id[1:], officers.RoleOpener)
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.off.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		r.actors[id], r.tokens[id] = a, tok
	}
	return r
}

// create makes a tender with committee c (nil: none named) as by.
func (r *custodyRig) create(t *testing.T, c *tender.Committee, by officers.Actor) tender.Tender {
	t.Helper()
	_, reg, _ := methods.Defaults()
	tn, err := NewTender(reg, TenderRequest{Reference: "R-1", Title: "Market square", Buyer: "Musterstadt", Method: "us-federal@2025.1",
		Currency: "EUR", Deadline: r.clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "price_only", Limits: "report"}, Committee: c}, *r.clock)
	if err != nil {
		t.Fatal(err)
	}
	if tn, err = r.svc.Create(context.Background(), tn, by); err != nil {
		t.Fatal(err)
	}
	return tn
}

// submit submits a bid at price with token secret tok and key key.
func (r *custodyRig) submit(t *testing.T, tn tender.Tender, supplier, price, tok, key string) Submission {
	t.Helper()
	bid := tender.Bid{Supplier: supplier, Price: tender.Price{Amount: decimal.RequireFromString(price), Currency: "EUR"},
		Lines: []calc.Line{{ID: "1", Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString("10"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: decimal.RequireFromString("700"), Per: "t", Reference: "EPD-1"}}}}
	sub, err := r.svc.Submit(context.Background(), tn, bid, tok, key)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (r *custodyRig) tender(t *testing.T, id string) tender.Tender {
	t.Helper()
	tn, err := r.svc.Tender(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// insider is what someone holding the whole database and the key file,
// but no opener's token, tries: every tender_keys row unwrapped as a
// tender key, every share the key file opens combined, and every bid's
// sealed content opened with each key so gained. It reports how many
// bids it read.
func insider(t *testing.T, path string, keys *seal.Keys, tn tender.Tender) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recipient string
	if err := db.QueryRow("SELECT recipient FROM tenders WHERE id = ?", tn.ID).Scan(&recipient); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT holder, wrapped FROM tender_keys WHERE tender_id = ?", tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var tks []*seal.TenderKey
	var shares []seal.Share
	batches := map[string][]byte{} // batch id → its wrapped key
	for rows.Next() {
		var holder string
		var rec []byte
		if err := rows.Scan(&holder, &rec); err != nil {
			t.Fatal(err)
		}
		if id, ok := strings.CutPrefix(holder, "batch:"); ok {
			batches[id] = rec
		}
		if tk, err := keys.Unwrap(rec); err == nil {
			tks = append(tks, tk)
		}
		if sh, err := keys.OpenShare(rec, recipient); err == nil {
			shares = append(shares, sh)
		}
	}
	rows.Close()
	if tk, err := seal.CombineShares(shares); err == nil {
		tks = append(tks, tk)
	}
	read := 0
	brows, err := db.Query("SELECT id, sealed FROM bids WHERE tender_id = ?", tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer brows.Close()
	for brows.Next() {
		var id string
		var ct []byte
		if err := brows.Scan(&id, &ct); err != nil {
			t.Fatal(err)
		}
		for _, tk := range tks {
			// A batch record opens with its batch key, which the tender
			// key unwraps (docs/sealing.md, "Sealed bid"); an age file
			// with the tender key.
			if batch, ok := seal.BatchIDOf(ct); ok {
				if bk, err := tk.OpenBatchKey(batch, batches[batch]); err == nil {
					if _, err := bk.Open("footprint sealed bid\x00"+tn.ID+"\x00"+id, ct); err == nil {
						read++
						break
					}
				}
				continue
			}
			if _, err := tk.Open(ct); err == nil {
				read++
				break
			}
		}
	}
	return read
}

// TestCommitteeCustody is the two-person opening with the key split: the
// server's key file and the whole database read no bid before k openers
// approve (nor after k−1 approvals); an approval without the opener's
// personal token, or with another's, is refused and records nothing; the
// k-th opens; the supplier reads and withdraws its own bid with its
// token alone before; an idempotent retry is still recognised; the chain
// verifies at every step.
func TestCommitteeCustody(t *testing.T) {
	ctx := context.Background()
	r := newCustodyRig(t)
	tn := r.create(t, &tender.Committee{Openers: []string{"alice", "bob", "carol"}, K: 2}, officers.Bootstrap())
	c := tn.Custody
	if c == nil || c.Kind != tender.CustodyCommittee || c.K != 2 || len(c.Holders) != 3 || c.ServerShares() != 0 {
		t.Fatalf("custody %+v", c)
	}
	accs, err := r.off.List(ctx, officers.CLI())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range accs { // alice, bob, carol: each share sealed to the account's key
		if a.ShareKey == "" || c.Holders[i].Officer != a.ID || c.Holders[i].Key != a.ShareKey {
			t.Fatalf("holder %d %+v, account %+v", i, c.Holders[i], a)
		}
	}
	key := "cmV0cnkta2V5LW9mLXN1cHBsaWVyLWE"
	subA := r.submit(t, tn, "Supplier A", "1000000.00", "token-a-0123456789abcdef0123456789", key)
	subB := r.submit(t, tn, "Supplier B", "1004000.00", "token-b-0123456789abcdef0123456789", "")
	subC := r.submit(t, tn, "Supplier C", "990000.00", "token-c-0123456789abcdef0123456789", "")
	verify := func(when string) {
		t.Helper()
		res, err := r.st.Verify(ctx, tn.ID)
		if err != nil || !res.Verified {
			t.Fatalf("%s: verify: %v %+v", when, err, res.Problem)
		}
	}
	verify("after the bids")
	if n := insider(t, r.path, r.keys, tn); n != 0 {
		t.Fatalf("before the deadline the key file and the database read %d bids", n)
	}
	// The supplier reads its own bid with its token; the wrong token, or
	// none, reads nothing, and an officer nothing before the opening.
	v, err := r.svc.ReadBid(ctx, tn, subA.Bid.ID, Caller{Bid: subA.Bid.ID, Token: "token-a-0123456789abcdef0123456789"})
	if err != nil || v.Supplier != "Supplier A" {
		t.Fatalf("supplier reads its bid: %+v %v", v, err)
	}
	if _, err := r.svc.ReadBid(ctx, tn, subA.Bid.ID, Caller{Bid: subA.Bid.ID, Token: "token-b-0123456789abcdef0123456789"}); !errors.Is(err, store.ErrCommitteeSealed) {
		t.Fatalf("another token read the bid: %v", err)
	}
	if _, err := r.svc.ReadBid(ctx, tn, subA.Bid.ID, Caller{Bid: subA.Bid.ID}); !errors.Is(err, store.ErrCommitteeSealed) {
		t.Fatalf("no token read the bid: %v", err)
	}
	if _, err := r.svc.ReadBid(ctx, tn, subA.Bid.ID, Caller{Officer: true}); !errors.Is(err, ErrSealed) {
		t.Fatalf("an officer read the bid: %v", err)
	}
	// A retry with the same key and content is a replay; other content
	// with the key is a conflict.
	again := r.submit(t, tn, "Supplier A", "1000000.00", "token-a2-0123456789abcdef012345678", key)
	if !again.Replayed || again.Bid.ID != subA.Bid.ID {
		t.Fatalf("retry: replayed=%v id %s", again.Replayed, again.Bid.ID)
	}
	bid := tender.Bid{Supplier: "Supplier A", Price: tender.Price{Amount: decimal.RequireFromString("999.00"), Currency: "EUR"},
		Lines: []calc.Line{{ID: "1", Activity: "material.steel.rebar", Region: "US", Quantity: decimal.RequireFromString("10"), Unit: "t",
			Factor: &calc.ProductFactor{KgCO2e: decimal.RequireFromString("700"), Per: "t", Reference: "EPD-1"}}}}
	if _, err := r.svc.Submit(ctx, tn, bid, "token-a3-0123456789abcdef012345678", key); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("other content, same key: %v", err)
	}
	// The supplier withdraws with its token alone.
	if err := r.svc.Withdraw(ctx, tn.ID, subC.Bid.ID, Caller{Bid: subC.Bid.ID}); err != nil {
		t.Fatal(err)
	}
	verify("after a withdrawal")

	*r.clock = r.clock.Add(2 * time.Hour)
	tn = r.tender(t, tn.ID)
	// alice signed in by session (no token), or bob presenting alice's
	// token: refused, nothing recorded.
	session := officers.Actor{ID: "alice", Name: "Alice", Role: officers.RoleOpener}
	if _, err := r.svc.Approve(ctx, tn, session); !errors.Is(err, store.ErrShareLocked) {
		t.Fatalf("approval without the token: %v", err)
	}
	if _, err := r.svc.Approve(ctx, tn, r.actors["bob"].WithCredential(r.tokens["alice"])); !errors.Is(err, store.ErrShareLocked) {
		t.Fatalf("approval with another's token: %v", err)
	}
	if ap, _ := r.svc.Approvers(ctx, tn); len(ap) != 0 {
		t.Fatalf("refused approvals were recorded: %v", ap)
	}
	a, err := r.svc.Approve(ctx, tn, r.actors["alice"])
	if err != nil || a.Evaluation != nil || len(a.Approvers) != 1 {
		t.Fatalf("first approval: %+v %v", a, err)
	}
	verify("after one approval")
	if n := insider(t, r.path, r.keys, tn); n != 0 {
		t.Fatalf("after k−1 approvals the key file and the database read %d bids", n)
	}
	if _, err := r.svc.Open(ctx, tn, r.actors["alice"]); !errors.Is(err, tender.ErrApprovalsNeeded) {
		t.Fatalf("open with k−1 approvals: %v", err)
	}
	a, err = r.svc.Approve(ctx, tn, r.actors["bob"])
	if err != nil || a.Evaluation == nil {
		t.Fatalf("k-th approval: %+v %v", a, err)
	}
	if got := len(a.Evaluation.Ranking); got != 2 {
		t.Fatalf("ranking of %d bids, want 2 (one withdrawn)", got)
	}
	tn = r.tender(t, tn.ID)
	v, err = r.svc.ReadBid(ctx, tn, subB.Bid.ID, Caller{Officer: true})
	if err != nil || v.Supplier != "Supplier B" {
		t.Fatalf("officer reads after the opening: %+v %v", v, err)
	}
	verify("after the opening")
	if n := insider(t, r.path, r.keys, tn); n != 3 {
		t.Fatalf("after the opening the server reads %d bids, want 3", n)
	}
}

// TestCustodyKinds: who holds what for each kind of committee. A tender
// whose committee names no opener with a share key (the bootstrap
// administrator's, today's API clients) stays in server custody and says
// so; one mixing the bootstrap administrator with a named opener splits
// the key, the server holding fewer than k shares; a committee of one
// named opener seals the whole key to them.
func TestCustodyKinds(t *testing.T) {
	ctx := context.Background()
	r := newCustodyRig(t)
	for _, tc := range []struct {
		name      string
		committee *tender.Committee
		by        officers.Actor
		kind      string
		server    int
		openers   []string // approvals, in order; the last opens
	}{
		{"no committee named", nil, officers.Bootstrap(), tender.CustodyServer, 0, []string{"officer"}},
		{"bootstrap and alice, k=2", &tender.Committee{Openers: []string{"officer", "alice"}, K: 2}, officers.Bootstrap(), tender.CustodyCommittee, 1, []string{"officer", "alice"}},
		{"bootstrap and alice, k=1", &tender.Committee{Openers: []string{"officer", "alice"}, K: 1}, officers.Bootstrap(), tender.CustodyServer, 0, []string{"officer"}},
		{"carol alone", &tender.Committee{Openers: []string{"carol"}, K: 1}, officers.Bootstrap(), tender.CustodyCommittee, 0, []string{"carol"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*r.clock = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			tn := r.create(t, tc.committee, tc.by)
			if tn.Custody == nil || tn.Custody.Kind != tc.kind || tn.Custody.ServerShares() != tc.server {
				t.Fatalf("custody %+v", tn.Custody)
			}
			if d := tn.Custody.Describe(); tc.kind == tender.CustodyServer && !strings.Contains(d, "alone") {
				t.Errorf("describe: %q", d)
			}
			r.submit(t, tn, "Supplier A", "1000.00", "tok-0123456789abcdef0123456789abcd", "")
			want := 0
			if tc.kind == tender.CustodyServer {
				want = 1
			}
			if n := insider(t, r.path, r.keys, tn); n != want {
				t.Fatalf("the key file and the database read %d bids before the opening, want %d", n, want)
			}
			*r.clock = r.clock.Add(2 * time.Hour)
			for i, id := range tc.openers {
				tn = r.tender(t, tn.ID)
				actor, ok := r.actors[id]
				if !ok {
					actor = officers.Bootstrap()
				}
				var ev *tender.Evaluation
				var err error
				if tn.Committee.K == 1 {
					ev, err = r.svc.Open(ctx, tn, actor)
				} else {
					var a Approval
					a, err = r.svc.Approve(ctx, tn, actor)
					ev = a.Evaluation
				}
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				if (ev != nil) != (i == len(tc.openers)-1) {
					t.Fatalf("%s: opened=%v", id, ev != nil)
				}
			}
			res, err := r.st.Verify(ctx, tn.ID)
			if err != nil || !res.Verified {
				t.Fatalf("verify: %v %+v", err, res.Problem)
			}
		})
	}
}

// TestAccountRowsTagged: what a database writer changes in an account or
// session row, or inserts, authenticates no one and keeps a committee
// from being sealed to it.
func TestAccountRowsTagged(t *testing.T) {
	ctx := context.Background()
	r := newCustodyRig(t)
	s, err := r.off.SignIn(ctx, "alice", r.tokens["alice"])
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+r.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// The writer gives carol bob's token hash and share key: carol's row
	// no longer checks, and bob's token does not sign in as carol.
	exec(`UPDATE officers SET token_hash = (SELECT token_hash FROM officers WHERE id = 'bob'), params = (SELECT params FROM officers WHERE id = 'bob'),
		share_recipient = (SELECT share_recipient FROM officers WHERE id = 'bob'), share_key = (SELECT share_key FROM officers WHERE id = 'bob') WHERE id = 'carol'`)
	if _, err := r.off.Authenticate(ctx, "fpo.carol."+strings.SplitN(r.tokens["bob"], ".", 3)[2]); !errors.Is(err, officers.ErrUnauthenticated) {
		t.Fatalf("a swapped row authenticated: %v", err)
	}
	_, reg, _ := methods.Defaults()
	tn, err := NewTender(reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "us-federal@2025.1", Currency: "EUR",
		Deadline: r.clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "price_only", Limits: "report"},
		Committee: &tender.Committee{Openers: []string{"alice", "carol"}, K: 2}}, *r.clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Create(ctx, tn, officers.Bootstrap()); !errors.Is(err, store.ErrAccountTag) {
		t.Fatalf("a tender was sealed to a tampered account: %v", err)
	}
	// Promote alice to admin in the database: refused.
	exec(`UPDATE officers SET role = 'admin' WHERE id = 'alice'`)
	if _, err := r.off.Authenticate(ctx, r.tokens["alice"]); !errors.Is(err, officers.ErrUnauthenticated) {
		t.Fatalf("a promoted row authenticated: %v", err)
	}
	if _, err := r.off.Authenticate(ctx, s.Token); !errors.Is(err, officers.ErrUnauthenticated) {
		t.Fatalf("a session of a promoted row authenticated: %v", err)
	}
	// A session row inserted by the writer, for bob.
	forged := "fps.forged-session-0123456789abcdefghijklmnopq"
	exec(`INSERT INTO sessions (id_hash, officer_id, created, expires, tag) VALUES (?, 'bob', ?, ?, '')`,
		tender.HashToken(forged), r.clock.Format(time.RFC3339Nano), r.clock.Add(time.Hour).Format(time.RFC3339Nano))
	if _, err := r.off.Authenticate(ctx, forged); !errors.Is(err, officers.ErrUnauthenticated) {
		t.Fatalf("a forged session authenticated: %v", err)
	}
	// bob's own token still works.
	if _, err := r.off.Authenticate(ctx, r.tokens["bob"]); err != nil {
		t.Fatal(err)
	}
	accs, err := r.off.List(ctx, officers.CLI())
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, a := range accs {
		got += fmt.Sprintf("%s:%v ", a.ID, a.Tampered)
	}
	if got != "alice:true bob:false carol:true " {
		t.Fatalf("tampered flags: %s", got)
	}
}

// TestOIDCLinkTagged: a single sign-on link written into an account's row
// by a database writer signs no one in; one made by footprint does.
func TestOIDCLinkTagged(t *testing.T) {
	ctx := context.Background()
	r := newCustodyRig(t)
	if _, _, err := r.off.Link(ctx, officers.CLI(), "alice", officers.Link{Issuer: "https://idp.example", Subject: "alice-sub"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.off.SignInOIDC(ctx, "https://idp.example", "alice-sub"); err != nil {
		t.Fatalf("a link made by footprint: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+r.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE officers SET oidc_issuer = 'https://idp.example', oidc_subject = 'mallory' WHERE id = 'bob'`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.off.SignInOIDC(ctx, "https://idp.example", "mallory"); !errors.Is(err, officers.ErrUnauthenticated) {
		t.Fatalf("a link written into the database signed in: %v", err)
	}
}
