package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// secretBid is a bid whose every value is unique to it, so that finding
// one in the database's bytes shows it is stored in clear: its supplier,
// price, line activity and quantity, and an EPD document
// (its raw bytes, and the base64 the clear JSON would hold).
func secretBid(t *testing.T, n int, at time.Time) (tender.Bid, [][]byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "epd", "testdata", "openepd", "rebar-traci.json"))
	if err != nil {
		t.Fatal(err)
	}
	decl, err := epd.Parse("openepd", "rebar-traci.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	supplier := []string{"Qzxv Unbrokenfield Ltd", "Wyrmtongue Ironworks BV"}[n]
	price := []string{"987654.31", "876543.21"}[n]
	activity := []string{"steel.rebar_xqzv", "steel.rebar_wyrm"}[n]
	qty := []string{"31415.9265", "27182.8182"}[n]
	b := newBid(supplier, price, "12.5", at)
	b.Lines = append(b.Lines, calc.Line{ID: "2", Activity: activity, Region: "US", Quantity: dec(qty), Unit: "t",
		Factor: &calc.ProductFactor{EPD: &calc.EPDDocument{Format: "openepd", File: "rebar-traci.json", Raw: raw, Declaration: decl}}})
	mid := len(raw) / 2
	needles := [][]byte{[]byte(supplier), []byte(price), []byte(activity), []byte(qty),
		raw[mid : mid+40], []byte(base64.StdEncoding.EncodeToString(raw)[:60])}
	return b, needles
}

// dumpDatabase is every byte of s's database a reader of its files (or of
// a dump) gets: for SQLite the database file and its WAL, for PostgreSQL
// the text of every row of every table of the test's schema (bytea in
// hex).
func dumpDatabase(t *testing.T, s *sqlStore, url string) []byte {
	t.Helper()
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-journal"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if len(all) == 0 {
			t.Fatal("no database bytes read")
		}
		return all
	}
	rows, err := s.r.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var all bytes.Buffer
	for _, tb := range tables {
		rows, err := s.r.Query("SELECT t::text FROM " + tb + " t")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatal(err)
			}
			all.WriteString(row + "\n")
		}
		rows.Close()
	}
	if !strings.Contains(all.String(), "tender_keys") && len(tables) < 5 {
		t.Fatalf("dumped tables %v", tables)
	}
	return all.Bytes()
}

// findClear names the needles found in dump, in clear or hex-encoded.
func findClear(dump []byte, needles [][]byte) []string {
	var found []string
	for _, n := range needles {
		if bytes.Contains(dump, n) || bytes.Contains(dump, []byte(hex.EncodeToString(n))) {
			found = append(found, string(n[:min(len(n), 24)]))
		}
	}
	return found
}

// testAtRest: with the key file, nothing a bid supplies is in the
// database's bytes until the opening, yet the supplier reads its own bid,
// the opening ranks the bids and Verify verifies.
func testAtRest(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	sealStore(t, s)
	td := mustCreate(t, s, "T-1")
	var needles [][]byte
	var bids []tender.Bid
	for i := range 2 {
		b, ns := secretBid(t, i, t0.Add(time.Duration(i+1)*time.Hour))
		stored, _, err := s.SubmitBid(ctx, td.ID, b, tender.HashToken(b.Supplier), HashIdempotencyKey(b.Supplier), b.ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		bids = append(bids, stored)
		needles = append(needles, ns...)
		// The commitment's nonce is sealed too: with it, the commitment
		// could be checked against guesses.
		needles = append(needles, []byte(stored.Nonce))
	}
	// A retry with the same key compares with the sealed bid.
	retry, _ := secretBid(t, 0, t0.Add(3*time.Hour))
	again, replayed, err := s.SubmitBid(ctx, td.ID, retry, "other", HashIdempotencyKey(retry.Supplier), t0.Add(3*time.Hour))
	if err != nil || !replayed || again.ID != bids[0].ID {
		t.Fatalf("retry: %v, replayed %v", err, replayed)
	}
	if found := findClear(dumpDatabase(t, s, url), needles); len(found) > 0 {
		t.Errorf("the database holds in clear: %q", found)
	}
	var sealedCols, clearCols int
	if err := s.r.QueryRow(s.d.q("SELECT COUNT(sealed), SUM(CASE WHEN supplier = '' AND lines = '' AND footprint = '' AND line_count IS NULL AND commit_nonce IS NULL THEN 0 ELSE 1 END) FROM bids WHERE tender_id = ?"), td.ID).Scan(&sealedCols, &clearCols); err != nil {
		t.Fatal(err)
	}
	if sealedCols != 2 || clearCols != 0 {
		t.Errorf("%d sealed rows, %d with clear content; want 2 and 0", sealedCols, clearCols)
	}
	// The supplier reads its own bid as submitted.
	for _, want := range bids {
		got, th, err := s.Bid(ctx, td.ID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if th != tender.HashToken(want.Supplier) || bidDigest(t, got) != bidDigest(t, want) || got.Lines[1].Factor.EPD == nil {
			t.Errorf("bid %s read back differs from the one submitted", want.ID)
		}
	}
	// The opening decrypts and ranks: the lower price first.
	ev, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Ranking) != 2 || ev.Ranking[0].Supplier != bids[1].Supplier || ev.Ranking[1].Supplier != bids[0].Supplier {
		t.Errorf("ranking %+v; want %s then %s", ev.Ranking, bids[1].Supplier, bids[0].Supplier)
	}
	if r, err := s.Verify(ctx, td.ID); err != nil || !r.Verified {
		t.Errorf("Verify: %+v, %v", r.Problem, err)
	}
}

// testSealedTamper: what a database writer without the key file can do
// to sealed bids is reported, never a panic nor another bid's content.
func testSealedTamper(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	k, _ := sealStore(t, s)
	setup := func(t *testing.T) (tender.Tender, []tender.Bid) {
		td := mustCreate(t, s, "T-1")
		return td, []tender.Bid{mustSubmit(t, s, td.ID, 1, t0.Add(time.Hour)), mustSubmit(t, s, td.ID, 2, t0.Add(2*time.Hour))}
	}
	sealedOf := func(t *testing.T, td tender.Tender, id string) []byte {
		var ct []byte
		if err := s.r.QueryRow(s.d.q("SELECT sealed FROM bids WHERE tender_id = ? AND id = ?"), td.ID, id).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		return ct
	}
	cases := []struct {
		name    string
		tamper  func(t *testing.T, td tender.Tender, bids []tender.Bid)
		wantSeq int64
		want    string
	}{
		{"a byte of the payload flipped", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			ct := sealedOf(t, td, bids[0].ID)
			ct[len(ct)-20] ^= 1
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", ct, td.ID, bids[0].ID)
		}, 2, "bid " + bids0 + " cannot be read: seal: corrupt ciphertext"},
		{"truncated", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			ct := sealedOf(t, td, bids[1].ID)
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", ct[:len(ct)-1], td.ID, bids[1].ID)
		}, 3, "cannot be read: seal: corrupt ciphertext"},
		{"moved to another bid", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", sealedOf(t, td, bids[0].ID), td.ID, bids[1].ID)
		}, 3, "cannot be read: seal: corrupt ciphertext: the record does not open with its batch key (altered, or sealed for another bid)"},
		{"sealed to another key", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			other, err := seal.NewTenderKey()
			if err != nil {
				t.Fatal(err)
			}
			bk, _, err := seal.NewBatchKey(other.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			ct, err := sealBid(bk, td.ID, bids[0], BidSecrets{})
			if err != nil {
				t.Fatal(err)
			}
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", ct.content, td.ID, bids[0].ID)
		}, 2, "cannot be read: no key opens it: its batch key"},
		{"an age file sealed to another key", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			other, err := seal.NewTenderKey()
			if err != nil {
				t.Fatal(err)
			}
			ct, err := seal.SealFor(other.Recipient(), []byte("{}"))
			if err != nil {
				t.Fatal(err)
			}
			tamperSQL(t, s, "UPDATE bids SET sealed = ? WHERE tender_id = ? AND id = ?", ct, td.ID, bids[0].ID)
		}, 2, "cannot be read: seal: no key opens it"},
		{"batch key removed", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			id, ok := seal.BatchIDOf(sealedOf(t, td, bids[0].ID))
			if !ok {
				t.Fatal("bid 0 is not sealed with a batch key")
			}
			tamperSQL(t, s, "DELETE FROM tender_keys WHERE tender_id = ? AND holder = ?", td.ID, holderBatchPrefix+id)
		}, 2, "cannot be read: no key opens it: its batch key"},
		{"batch key oversized", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			id, _ := seal.BatchIDOf(sealedOf(t, td, bids[0].ID))
			tamperSQL(t, s, "UPDATE tender_keys SET wrapped = ? WHERE tender_id = ? AND holder = ?", make([]byte, seal.MaxWrappedBatchKey+1), td.ID, holderBatchPrefix+id)
		}, 2, "cannot be read: its batch key "},
		{"wrapped key removed", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			tamperSQL(t, s, "DELETE FROM tender_keys WHERE tender_id = ? AND holder = 'server'", td.ID)
		}, 1, "the tender's key cannot be used"},
		{"recipient substituted", func(t *testing.T, td tender.Tender, bids []tender.Bid) {
			// The attack of docs/sealing.md: a key of the writer's own,
			// wrapped to the key file's public recipient.
			mine, err := seal.NewTenderKey()
			if err != nil {
				t.Fatal(err)
			}
			pub, err := seal.Parse(k.Encode())
			if err != nil {
				t.Fatal(err)
			}
			wrapped, err := pub.Wrap(mine)
			if err != nil {
				t.Fatal(err)
			}
			tamperSQL(t, s, "UPDATE tenders SET recipient = ? WHERE id = ?", mine.Recipient(), td.ID)
			tamperSQL(t, s, "UPDATE tender_keys SET wrapped = ? WHERE tender_id = ? AND holder = 'server'", wrapped, td.ID)
		}, 1, "the tender's recipient is not the one its chain recorded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			td, bids := setup(t)
			c.tamper(t, td, bids)
			s.recips = recipients{} // a server started after the tampering
			r, err := s.Verify(ctx, td.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(c.want, bids0, bids[0].ID)
			if r.Verified || r.FirstBadSeq != c.wantSeq || !strings.Contains(r.Problem, want) {
				t.Errorf("Verify: verified %v, first bad %d, problem %q; want event %d, %q", r.Verified, r.FirstBadSeq, r.Problem, c.wantSeq, want)
			}
			// Reading the bid, or opening, is an error that names the
			// bid, never a panic nor someone else's content.
			if c.wantSeq > 1 {
				bid := bids[c.wantSeq-2]
				if _, _, err := s.Bid(ctx, td.ID, bid.ID); err == nil || !strings.Contains(err.Error(), "bid "+bid.ID+" cannot be read") {
					t.Errorf("Bid: %v; want bid %s cannot be read", err, bid.ID)
				}
				if _, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate); err == nil || !strings.Contains(err.Error(), "cannot be read") {
					t.Errorf("Open: %v; want cannot be read", err)
				}
			}
			if c.name == "recipient substituted" {
				at := t0.Add(3 * time.Hour)
				_, _, err := s.SubmitBid(ctx, td.ID, newBid("Victim", "1.00", "1", at), "h", "", at)
				if !errors.Is(err, ErrTenderKey) {
					t.Errorf("a bid to the substituted recipient: %v; want ErrTenderKey", err)
				}
			}
		})
	}
}

// bids0 stands for the first bid's id in a case's message.
const bids0 = "<bid 0>"

// testSealAtOpen: bids an older version stored in clear are sealed when
// the store first opens with the key file (migration 00006's Go part),
// once; the database then refuses to open without the key file.
func testSealAtOpen(t *testing.T, s *sqlStore, url string) {
	ctx := context.Background()
	s.o = Options{} // an older version, without the key file
	open, closed := mustCreate(t, s, "T-open"), mustCreate(t, s, "T-opened")
	var want []tender.Bid
	var needles [][]byte
	for i := range 2 {
		b, ns := secretBid(t, i, t0.Add(time.Duration(i+1)*time.Hour))
		for _, td := range []tender.Tender{open, closed} {
			stored, _, err := s.SubmitBid(ctx, td.ID, b, tender.HashToken(b.Supplier), "", b.ReceivedAt)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, stored)
		}
		needles = append(needles, ns...)
	}
	if _, err := s.Open(ctx, closed.ID, "officer", "", deadline, evaluate); err != nil {
		t.Fatal(err)
	}
	if found := findClear(dumpDatabase(t, s, url), needles); len(found) == 0 {
		t.Fatal("the bids of the older version are not in clear: the test shows nothing")
	}
	s.Close()

	s2 := openTestWith(t, url, sealedOptions(t))
	var clearRows int
	if err := s2.r.QueryRow("SELECT COUNT(*) FROM bids WHERE sealed IS NULL OR supplier <> '' OR lines <> ''").Scan(&clearRows); err != nil {
		t.Fatal(err)
	}
	if clearRows != 0 {
		t.Errorf("%d bids still in clear after opening with the key file", clearRows)
	}
	for i, w := range want {
		td := []tender.Tender{open, closed}[i%2]
		if got, _, err := s2.Bid(ctx, td.ID, w.ID); err != nil || bidDigest(t, got) != bidDigest(t, w) {
			t.Errorf("bid %s after sealing: %v", w.ID, err)
		}
	}
	for _, td := range []tender.Tender{open, closed} {
		r, err := s2.Verify(ctx, td.ID)
		if err != nil || !r.Verified {
			t.Fatalf("Verify %s after sealing: %+v, %v", td.Reference, r.Problem, err)
		}
		last := r.Events[len(r.Events)-1]
		if last.Kind != tender.EventSealed || last.Digests[tender.DigestRecipient] == "" || last.Actor != systemActor {
			t.Errorf("%s: last event %+v; want the sealed event", td.Reference, last)
		}
	}
	ev, err := s2.Open(ctx, open.ID, "officer", "", deadline, evaluate)
	if err != nil || len(ev.Ranking) != 2 || ev.Ranking[0].Supplier != want[2].Supplier {
		t.Errorf("opening after sealing: %+v, %v", ev, err)
	}
	n, _ := s2.Events(ctx, open.ID)
	s2.Close()

	// Idempotent: opening again seals nothing more and adds no event.
	s3 := openTestWith(t, url, sealedOptions(t))
	if again, _ := s3.Events(ctx, open.ID); len(again) != len(n) {
		t.Errorf("reopening added %d events", len(again)-len(n))
	}
	s3.Close()
	// Without the key file, the database no longer opens.
	if _, err := Open(ctx, url); !errors.Is(err, ErrNeedKeys) {
		t.Errorf("Open without the key file: %v; want ErrNeedKeys", err)
	}
}
