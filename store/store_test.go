package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// suite is the one store test suite: every case runs against every
// backend, each on a fresh database.
var suite = []struct {
	name string
	run  func(t *testing.T, s *sqlStore, url string)
}{
	{"CreateListGet", testCreateListGet},
	{"SubmitDeadline", testSubmitDeadline},
	{"Idempotency", testIdempotency},
	{"Withdraw", testWithdraw},
	{"Open", testOpen},
	{"OpenTwiceAcrossServers", testConcurrentOpeners},
	{"SubmittersRaceOpening", testSubmittersRaceOpening},
	{"Settings", testSettings},
	{"Accounts", testAccounts},
	{"AppendEvent", testAppendEvent},
	{"Tamper", testTamper},
	{"ReadDuringWrite", testReadDuringWrite},
	{"LegacyChain", testLegacyChain},
	{"SealedChain", testSealedChain},
	{"ReplacedBeforeOpening", testReplacedBeforeOpening},
	{"BidHeads", testBidHeads},
	{"BidCap", testBidCap},
	{"Summaries", testSummaries},
	{"Backfill", testBackfill},
	{"OpenStreams", testOpenStreams},
	{"AtRest", testAtRest},
	{"SealedTamper", testSealedTamper},
	{"SealAtOpen", testSealAtOpen},
	{"Committee", testCommittee},
	{"CommitteeOfOne", testCommitteeOfOne},
	{"CommitteeTamper", testCommitteeTamper},
	{"BatchKeys", testBatchKeys},
}

func TestStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			if strings.HasPrefix(b.name, "postgres") {
				postgresURL(t) // skip (or fail under CI) once, not per case
			}
			for _, c := range suite {
				t.Run(c.name, func(t *testing.T) {
					s, url := b.open(t)
					c.run(t, s, url)
				})
			}
		})
	}
}

func TestOpenURLs(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"mysql://x/y", "footprint.db", "", "sqlite:", "sqlite::memory:", "sqlite:a.db?mode=memory", "http://x"} {
		if _, err := Open(ctx, u); !errors.Is(err, ErrUnsupportedURL) {
			t.Errorf("Open(%q) = %v, want ErrUnsupportedURL", u, err)
		}
	}
	if _, err := Open(ctx, "mysql://root:s3cret@db/x"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("an unsupported URL's error repeats its password: %v", err)
	}
	// Reopening runs no migration twice and keeps the data.
	s, url := openSQLiteTest(t)
	td := mustCreate(t, s, "T-1")
	s.Close()
	s2 := reopen(t, s, url)
	if got, err := s2.Tender(ctx, td.ID); err != nil || got.Reference != "T-1" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func testCreateListGet(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	a := mustCreate(t, s, "T-A")
	nb := newTender("T-B")
	nb.Created = t0.Add(time.Second)
	b, err := s.CreateTender(ctx, nb, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.ID == b.ID {
		t.Fatalf("ids %q and %q: want two distinct ids", a.ID, b.ID)
	}
	got, err := s.Tender(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := asJSON(t, got), asJSON(t, a); g != w {
		t.Errorf("Tender round trip:\n got %s\nwant %s", g, w)
	}
	list, err := s.Tenders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Errorf("Tenders: got %d, want B then A (newest first)", len(list))
	}
	if _, err := s.Tender(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown tender: %v, want ErrNotFound", err)
	}
	evs, err := s.Events(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := tender.TenderDigest(a)
	if len(evs) != 1 || evs[0].Kind != tender.EventCreated || evs[0].Actor != "officer" || evs[0].Digests[tender.DigestTender] != d {
		t.Errorf("events after create: %+v", evs)
	}
	if _, err := s.Events(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("events of unknown tender: %v, want ErrNotFound", err)
	}
	if _, err := s.Verify(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("verify unknown tender: %v, want ErrNotFound", err)
	}
	if _, err := s.Evaluation(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Evaluation before opening: %v, want ErrNotFound", err)
	}
}

func testSubmitDeadline(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	cases := []struct {
		name string
		now  time.Time
		want error
	}{
		{"well before", t0.Add(time.Hour), nil},
		{"a microsecond before", deadline.Add(-time.Microsecond), nil},
		{"at the deadline", deadline, tender.ErrDeadlinePassed},
		{"after", deadline.Add(time.Minute), tender.ErrDeadlinePassed},
	}
	var ok []tender.Bid
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := newBid(fmt.Sprint("S", i), "1000.10", "12.5", c.now)
			got, replayed, err := s.SubmitBid(ctx, td.ID, in, tender.HashToken(fmt.Sprint(i)), "", c.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("SubmitBid at %s: %v, want %v", c.now, err, c.want)
			}
			if err != nil {
				return
			}
			if replayed || got.ID == "" {
				t.Fatalf("replayed %v, id %q", replayed, got.ID)
			}
			ok = append(ok, got)
			back, hash, err := s.Bid(ctx, td.ID, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if hash != tender.HashToken(fmt.Sprint(i)) {
				t.Errorf("token hash %q", hash)
			}
			if g, w := asJSON(t, back), asJSON(t, got); g != w {
				t.Errorf("Bid round trip:\n got %s\nwant %s", g, w)
			}
			d1, _ := tender.BidDigest(back)
			d2, _ := tender.BidDigest(in)
			if d1 != d2 {
				t.Errorf("digest changed through the store")
			}
		})
	}
	bids, err := s.Bids(ctx, td.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bids) != len(ok) || bids[0].ID != ok[0].ID {
		t.Errorf("Bids: %d in order, want %d", len(bids), len(ok))
	}
	if _, _, err := s.Bid(ctx, td.ID, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown bid: %v", err)
	}
	if _, _, err := s.SubmitBid(ctx, "nope", newBid("S", "1", "1", t0), "h", "", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("bid on unknown tender: %v", err)
	}
	if _, err := s.Bids(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bids of unknown tender: %v", err)
	}
}

func testIdempotency(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	at := t0.Add(time.Hour)
	key1, key2 := HashIdempotencyKey("key-1"), HashIdempotencyKey("key-2")
	first, replayed, err := s.SubmitBid(ctx, td.ID, newBid("S", "1000.10", "12.5", at), "h1", key1, at)
	if err != nil || replayed {
		t.Fatalf("first: %v, replayed %v", err, replayed)
	}
	// The retry is prepared again, later: same content, new receipt time.
	later := at.Add(time.Minute)
	again, replayed, err := s.SubmitBid(ctx, td.ID, newBid("S", "1000.10", "12.5", later), "h2", key1, later)
	if err != nil || !replayed || again.ID != first.ID || !again.ReceivedAt.Equal(first.ReceivedAt) {
		t.Fatalf("retry: %v, replayed %v, id %q (want %q)", err, replayed, again.ID, first.ID)
	}
	// Even after the deadline, the acknowledged bid is what a retry gets.
	if again, replayed, err = s.SubmitBid(ctx, td.ID, newBid("S", "1000.1", "12.5", deadline), "h2", key1, deadline); err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry after deadline: %v, replayed %v", err, replayed)
	}
	_, _, err = s.SubmitBid(ctx, td.ID, newBid("S", "999.00", "12.5", later), "h3", key1, later)
	if !errors.Is(err, ErrIdempotencyConflict) || err.Error() != "this Idempotency-Key cannot be used for this request" {
		t.Fatalf("same key, other price: %v, want ErrIdempotencyConflict naming nothing of the stored bid", err)
	}
	if _, _, err := s.SubmitBid(ctx, td.ID, newBid("S", "1000.10", "12.5", later), "h4", key2, later); err != nil {
		t.Fatalf("other key: %v", err)
	}
	if _, _, err := s.SubmitBid(ctx, td.ID, newBid("S", "1", "1", later), "h", "key-3", later); !errors.Is(err, tender.ErrInvalid) {
		t.Fatalf("a key, not its hash: %v", err)
	}
	// Only the hashes are stored.
	var n int
	if err := s.r.QueryRowContext(ctx, s.d.q("SELECT COUNT(*) FROM bids WHERE idempotency_key IN (?, ?)"), key1, key2).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d bids keep the key hashes (%v), want 2", n, err)
	}
	bids, _ := s.Bids(ctx, td.ID)
	evs, _ := s.Events(ctx, td.ID)
	if len(bids) != 2 || len(evs) != 3 {
		t.Errorf("%d bids and %d events, want 2 and 3 (a retry stores nothing)", len(bids), len(evs))
	}
}

func testWithdraw(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	a := mustSubmit(t, s, td.ID, 1, t0.Add(time.Hour))
	b := mustSubmit(t, s, td.ID, 2, t0.Add(2*time.Hour))
	when := t0.Add(3 * time.Hour)
	if err := s.WithdrawBid(ctx, td.ID, a.ID, when); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.Bid(ctx, td.ID, a.ID)
	if got.WithdrawnAt == nil || !got.WithdrawnAt.Equal(tender.Stamp(when)) {
		t.Errorf("WithdrawnAt %v, want %v", got.WithdrawnAt, when)
	}
	for _, c := range []struct {
		name string
		id   string
		now  time.Time
		want error
	}{
		{"twice", a.ID, when, tender.ErrWithdrawn},
		{"at the deadline", b.ID, deadline, tender.ErrDeadlinePassed},
		{"unknown bid", "nope", when, ErrNotFound},
	} {
		if err := s.WithdrawBid(ctx, td.ID, c.id, c.now); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	evs, _ := s.Events(ctx, td.ID)
	if n := len(evs); n != 4 || evs[3].Kind != tender.EventWithdrawn {
		t.Errorf("%d events, last %v; want 4, withdrawn", n, evs[n-1].Kind)
	}
	if r, err := s.Verify(ctx, td.ID); err != nil || !r.Verified {
		t.Errorf("Verify after withdrawal: %+v, %v", r, err)
	}
}

func testOpen(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	for i := 1; i <= 3; i++ {
		mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour))
	}
	if _, err := s.Open(ctx, td.ID, "officer", "", deadline.Add(-time.Microsecond), evaluate); !errors.Is(err, tender.ErrTooEarly) {
		t.Fatalf("open before the deadline: %v, want ErrTooEarly", err)
	}
	ev, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Ranking) != 3 || ev.Digest == "" {
		t.Fatalf("evaluation: %d ranked, digest %q", len(ev.Ranking), ev.Digest)
	}
	if _, err := s.Open(ctx, td.ID, "officer", "", deadline.Add(time.Hour), evaluate); !errors.Is(err, ErrAlreadyOpened) || !errors.Is(err, tender.ErrAlreadyOpened) {
		t.Fatalf("open twice: %v, want ErrAlreadyOpened", err)
	}
	if _, _, err := s.SubmitBid(ctx, td.ID, newBid("Late", "1", "1", t0), "h", "", t0.Add(time.Hour)); !errors.Is(err, tender.ErrNotOpen) {
		t.Fatalf("bid on an opened tender: %v, want ErrNotOpen", err)
	}
	got, _ := s.Tender(ctx, td.ID)
	if got.Status != tender.StatusOpened {
		t.Errorf("status %q, want opened", got.Status)
	}
	// A restarted server reads the same evaluation, whose digest verifies.
	s.Close()
	s2 := reopen(t, s, url)
	back, err := s2.Evaluation(ctx, td.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := back.VerifyDigest(); !ok || err != nil || back.Digest != ev.Digest {
		t.Errorf("reloaded evaluation: digest %s verifies %v (%v), want %s", back.Digest, ok, err, ev.Digest)
	}
	if g, w := asJSON(t, back), asJSON(t, ev); g != w {
		t.Errorf("evaluation round trip:\n got %s\nwant %s", g, w)
	}
	r, err := s2.Verify(ctx, td.ID)
	if err != nil || !r.Verified {
		t.Fatalf("Verify: %+v, %v", r, err)
	}
	var kinds []string
	for _, e := range r.Events {
		kinds = append(kinds, string(e.Kind))
	}
	if g, w := strings.Join(kinds, " "), "created bid_received bid_received bid_received opened evaluated"; g != w {
		t.Errorf("events %q, want %q", g, w)
	}
	if _, err := s2.Open(ctx, "nope", "officer", "", deadline, evaluate); !errors.Is(err, ErrNotFound) {
		t.Errorf("open unknown: %v", err)
	}
}

// testConcurrentOpeners opens one tender from many goroutines on two
// stores (two servers): exactly one opening.
func testConcurrentOpeners(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	s2 := reopen(t, s, url)
	td := mustCreate(t, s, "T-1")
	mustSubmit(t, s, td.ID, 1, t0.Add(time.Hour))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = s2
			}
			_, errs[i] = st.Open(ctx, td.ID, "officer", "", deadline.Add(time.Second), evaluate)
		})
	}
	wg.Wait()
	opened := 0
	for i, err := range errs {
		switch {
		case err == nil:
			opened++
		case !errors.Is(err, ErrAlreadyOpened):
			t.Errorf("opener %d: %v, want nil or ErrAlreadyOpened", i, err)
		}
	}
	if opened != 1 {
		t.Fatalf("%d openings, want exactly 1", opened)
	}
	evs, _ := s.Events(ctx, td.ID)
	if len(evs) != 4 {
		t.Errorf("%d events, want 4 (created, bid, opened, evaluated)", len(evs))
	}
	if r, err := s.Verify(ctx, td.ID); err != nil || !r.Verified {
		t.Errorf("Verify: %+v, %v", r, err)
	}
}

// testSubmittersRaceOpening runs submitters on two servers around the
// deadline while an officer opens the tender: every bid stamped before the
// deadline and accepted is in the evaluation, and no bid is accepted at or
// after the deadline or after the opening.
func testSubmittersRaceOpening(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	s2 := reopen(t, s, url)
	td := mustCreate(t, s, "T-1")
	const n = 24
	type result struct {
		id  string
		now time.Time
		err error
	}
	res := make([]result, n)
	var wg sync.WaitGroup
	var ev *tender.Evaluation
	var openErr error
	start := make(chan struct{})
	wg.Go(func() {
		<-start
		ev, openErr = s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
	})
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = s2
			}
			// Half stamp before the deadline, half at or after it.
			now := deadline.Add(time.Duration(i-n/2) * time.Microsecond)
			<-start
			b, _, err := st.SubmitBid(ctx, td.ID, newBid(fmt.Sprint("S", i), "1000.00", "1", now), "h", "", now)
			res[i] = result{b.ID, now, err}
		})
	}
	close(start)
	wg.Wait()
	if openErr != nil {
		t.Fatalf("Open: %v", openErr)
	}
	ranked := map[string]bool{}
	for _, r := range ev.Ranking {
		ranked[r.BidID] = true
	}
	accepted := 0
	for i, r := range res {
		switch {
		case r.err == nil && !r.now.Before(deadline):
			t.Errorf("submitter %d: accepted at %s, not before the deadline", i, r.now)
		case r.err == nil && !ranked[r.id]:
			t.Errorf("submitter %d: accepted bid %s missing from the evaluation", i, r.id)
		case r.err == nil:
			accepted++
		case !errors.Is(r.err, tender.ErrDeadlinePassed) && !errors.Is(r.err, tender.ErrNotOpen):
			t.Errorf("submitter %d: %v", i, r.err)
		}
	}
	if accepted != len(ev.Ranking) {
		t.Errorf("%d bids accepted, %d evaluated", accepted, len(ev.Ranking))
	}
	bids, _ := s.Bids(ctx, td.ID)
	if len(bids) != accepted {
		t.Errorf("%d bids stored, %d accepted", len(bids), accepted)
	}
	if r, err := s.Verify(ctx, td.ID); err != nil || !r.Verified {
		t.Errorf("Verify: %+v, %v", r, err)
	}
}

func testSettings(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	if _, ok, err := s.Setting(ctx, "officer_token_hash"); ok || err != nil {
		t.Fatalf("unset setting: ok %v, %v", ok, err)
	}
	for _, v := range []string{"first", "second"} {
		if err := s.SetSetting(ctx, "officer_token_hash", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Setting(ctx, "officer_token_hash"); got != v || !ok || err != nil {
			t.Fatalf("Setting = %q, %v, %v; want %q", got, ok, err, v)
		}
	}
	for _, c := range [][2]string{{"", "v"}, {strings.Repeat("n", MaxSettingName+1), "v"}, {"n", strings.Repeat("v", MaxSettingValue+1)}} {
		if err := s.SetSetting(ctx, c[0], c[1]); !errors.Is(err, tender.ErrInvalid) {
			t.Errorf("SetSetting(%d bytes, %d bytes): %v, want ErrInvalid", len(c[0]), len(c[1]), err)
		}
	}
}

func testAppendEvent(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	td := mustCreate(t, s, "T-1")
	e, err := s.AppendEvent(ctx, td.ID, tender.EventExported, "officer", tender.Digests{tender.DigestOCDS: digest}, t0.Add(time.Hour))
	if err != nil || e.Seq != 2 {
		t.Fatalf("AppendEvent: %+v, %v", e, err)
	}
	if _, err := s.AppendEvent(ctx, td.ID, tender.EventOpened, "officer", nil, t0); !errors.Is(err, tender.ErrInvalid) {
		t.Errorf("appending an opened event: %v, want ErrInvalid", err)
	}
	if _, err := s.AppendEvent(ctx, "nope", tender.EventExported, "officer", nil, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown tender: %v", err)
	}
	evs, _ := s.Events(ctx, td.ID)
	if len(evs) != 2 || evs[1].Hash != e.Hash {
		t.Errorf("events: %+v", evs)
	}
}

// testTamper edits the database behind the store's back and checks that
// Verify fails and names the event concerned.
func testTamper(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	// Chain: 1 created, 2-4 bids A B C, 5 C withdrawn, 6 opened,
	// 7 evaluated, 8 exported.
	setup := func(t *testing.T) (*sqlStore, tender.Tender, []tender.Bid) {
		td := mustCreate(t, s, "T-1")
		var bids []tender.Bid
		for i := 1; i <= 3; i++ {
			bids = append(bids, mustSubmit(t, s, td.ID, i, t0.Add(time.Duration(i)*time.Hour)))
		}
		if err := s.WithdrawBid(ctx, td.ID, bids[2].ID, t0.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendEvent(ctx, td.ID, tender.EventExported, "officer", tender.Digests{tender.DigestOCDS: digest}, deadline.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Verify(ctx, td.ID); err != nil || !r.Verified {
			t.Fatalf("Verify before tampering: %+v, %v", r, err)
		}
		return s, td, bids
	}
	cases := []struct {
		name    string
		tamper  func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid)
		wantSeq int64
		want    string
	}{
		{"bid price", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			if s.o.Keys == nil {
				tamperSQL(t, s, "UPDATE bids SET price_amount = '1.00' WHERE tender_id = ? AND id = ?", td.ID, bids[1].ID)
				return
			}
			// Sealing needs no secret: a database writer can seal other
			// content to the tender's recipient; its digest shows it.
			b := bids[1]
			b.Price.Amount = dec("1.00")
			reseal(t, s, td.ID, b)
		}, 3, "event 3 (bid_received): bid " + "%s has digest"},
		{"bid lines", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			if s.o.Keys == nil {
				tamperSQL(t, s, "UPDATE bids SET lines = replace(lines, '1.5', '0.5') WHERE tender_id = ? AND id = ?", td.ID, bids[0].ID)
				return
			}
			b := bids[0]
			b.Lines = slices.Clone(b.Lines)
			b.Lines[0].Quantity = dec("0.50")
			reseal(t, s, td.ID, b)
		}, 2, "event 2 (bid_received): bid %s has digest"},
		{"bid lines unreadable", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			if s.o.Keys == nil {
				tamperSQL(t, s, "UPDATE bids SET lines = 'garbage' WHERE tender_id = ? AND id = ?", td.ID, bids[0].ID)
				return
			}
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", []byte("garbage"), td.ID, bids[0].ID)
		}, 2, "event 2 (bid_received): bid %s cannot be read"},
		{"bid removed", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "DELETE FROM bids WHERE tender_id = ? AND id = ?", td.ID, bids[1].ID)
		}, 3, "event 3 (bid_received): no stored bid matches"},
		{"withdrawal undone", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE bids SET withdrawn_at = NULL WHERE tender_id = ? AND id = ?", td.ID, bids[2].ID)
		}, 5, "event 5 (withdrawn): bid %s is recorded as withdrawn"},
		{"tender title", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE tenders SET title = 'Other' WHERE id = ?", td.ID)
		}, 1, "event 1 (created): the stored tender's digest"},
		{"event actor", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE events SET actor = 'mallory' WHERE tender_id = ? AND seq = 6", td.ID)
		}, 6, "event 6 (opened): hash does not recompute"},
		{"event digest and hash", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			// Rewriting the event's hash too breaks the next link.
			tamperSQL(t, s, "UPDATE events SET digests = '[]', hash = ? WHERE tender_id = ? AND seq = 2", strings.Repeat("0", 64), td.ID)
		}, 2, "event 2 (bid_received): hash does not recompute"},
		{"last event removed", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "DELETE FROM events WHERE tender_id = ? AND seq = 8", td.ID)
		}, 8, "event 8 (missing): the chain ends at event 7"},
		{"middle event removed", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "DELETE FROM events WHERE tender_id = ? AND seq = 4", td.ID)
		}, 5, "event 5 (withdrawn): seq out of order"},
		{"evaluation edited", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE evaluations SET body = replace(body, 'Supplier 1', 'Supplier X') WHERE tender_id = ?", td.ID)
		}, 7, "event 7 (evaluated): the stored evaluation's digest does not recompute"},
		{"status reset", func(t *testing.T, s *sqlStore, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE tenders SET status = 'open' WHERE id = ?", td.ID)
		}, 6, "event 6 (opened): the tender is recorded as opened"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, td, bids := setup(t)
			c.tamper(t, s, td, bids)
			r, err := s.Verify(ctx, td.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			if strings.Contains(want, "%s") {
				want = strings.Split(want, "%s")[0]
			}
			if r.Verified || r.FirstBadSeq != c.wantSeq || !strings.Contains(r.Problem, want) {
				t.Errorf("Verify: verified %v, first bad %d, problem %q; want event %d and %q", r.Verified, r.FirstBadSeq, r.Problem, c.wantSeq, want)
			}
		})
	}
}

// testReadDuringWrite submits a bid while a read transaction is open: a
// read must not take the write lock (it would hold every submission up).
func testReadDuringWrite(t *testing.T, s *sqlStore, _ string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	td := mustCreate(t, s, "T-1")
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, err := s.listEvents(ctx, tx, td.ID, false); err != nil {
			return err
		}
		at := t0.Add(time.Hour)
		_, _, err := s.SubmitBid(ctx, td.ID, newBid("S", "1.00", "1", at), "h", "", at)
		return err
	})
	if err != nil {
		t.Fatalf("a submission during a read: %v", err)
	}
}
