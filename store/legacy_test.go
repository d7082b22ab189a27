package store

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
)

// legacyFixture is a tender written by footprint before audit digests
// were named (testdata/legacy-v1.json, dumped from a SQLite database that
// version made): a tender, three bids (one withdrawn), its opening and
// evaluation, and two exports (the evaluation; an OCDS package after
// opening), each event's digests a JSON array of values.
const legacyFixture = "testdata/legacy-v1.json"

// timeColumns are the fixture's columns that hold times (text on SQLite,
// timestamptz on PostgreSQL).
var timeColumns = map[string]bool{"deadline": true, "created": true, "received_at": true, "withdrawn_at": true, "at": true}

// loadLegacy writes the fixture's rows into s's database, as that version
// stored them, and returns the tender's id.
func loadLegacy(t *testing.T, s *sqlStore) string {
	t.Helper()
	raw, err := os.ReadFile(legacyFixture)
	if err != nil {
		t.Fatal(err)
	}
	var fx map[string]struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"tenders", "bids", "evaluations", "events"} {
		tb := fx[table]
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(tb.Columns)), ", ")
		for _, row := range tb.Rows {
			for i, v := range row {
				if str, ok := v.(string); ok && timeColumns[tb.Columns[i]] {
					at, err := time.Parse(time.RFC3339Nano, str)
					if err != nil {
						t.Fatal(err)
					}
					row[i] = s.d.ts(at)
				}
				if f, ok := v.(float64); ok {
					row[i] = int64(f)
				}
			}
			tamperSQL(t, s, "INSERT INTO "+table+" ("+strings.Join(tb.Columns, ", ")+") VALUES ("+marks+")", row...)
		}
	}
	return fx["tenders"].Rows[0][0].(string)
}

// testLegacyChain: a database written before digests were named still
// verifies; its events read as Legacy with their digests named by what
// they are the digests of; new (named) events chain on to them and the
// whole chain verifies; and editing a bid or a legacy event still shows.
func testLegacyChain(t *testing.T, s *sqlStore, _ string) {
	ctx := context.Background()
	id := loadLegacy(t, s)
	res, err := s.Verify(ctx, id)
	if err != nil || !res.Verified {
		t.Fatalf("the legacy tender does not verify: %+v, %v", res, err)
	}
	bids, err := s.Bids(ctx, id)
	if err != nil || len(bids) != 3 {
		t.Fatalf("bids: %d, %v", len(bids), err)
	}
	ev, err := s.Evaluation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := s.Tender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	td, _ := tender.TenderDigest(tn)
	b0, _ := tender.BidDigest(bids[0])
	b1, _ := tender.BidDigest(bids[1])
	result := bids[0].Footprint.Receipt.ResultDigest
	want := []struct {
		kind    tender.EventKind
		digests tender.Digests
	}{
		{tender.EventCreated, tender.Digests{"tender": td}},
		{tender.EventBidReceived, tender.Digests{"bid": b0, "result": result}},
		{tender.EventBidReceived, tender.Digests{"bid": b1, "result": result}},
		{tender.EventWithdrawn, tender.Digests{"bid": b0}},
		{tender.EventBidReceived, nil}, // the third bid
		{tender.EventOpened, tender.Digests{"tender": td}},
		{tender.EventEvaluated, tender.Digests{"evaluation": ev.Digest}},
		{tender.EventExported, tender.Digests{"evaluation": ev.Digest}},
		{tender.EventExported, tender.Digests{"ocds": strings.Repeat("0c", 32), "evaluation": ev.Digest}},
	}
	if len(res.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(res.Events), len(want))
	}
	for i, w := range want {
		e := res.Events[i]
		if e.Kind != w.kind || !e.Legacy || (w.digests != nil && asJSON(t, e.Digests) != asJSON(t, w.digests)) {
			t.Errorf("event %d: %s legacy %v digests %v; want %s, legacy, %v", e.Seq, e.Kind, e.Legacy, e.Digests, w.kind, w.digests)
		}
	}

	// A new event, named, chains on to the legacy ones.
	if _, err := s.AppendEvent(ctx, id, tender.EventExported, "officer", tender.Digests{tender.DigestEvaluation: ev.Digest}, deadline.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	res, err = s.Verify(ctx, id)
	if err != nil || !res.Verified || len(res.Events) != len(want)+1 || res.Events[len(want)].Legacy {
		t.Fatalf("after a new event: %+v, %v", res, err)
	}
	if raw := asJSON(t, res.Events[len(want)]); !strings.Contains(raw, `"digests":{"evaluation":"`+ev.Digest+`"}`) || strings.Contains(raw, "legacy") {
		t.Errorf("the new event reads %s", raw)
	}

	// Tampering still shows: a legacy bid edited, then a legacy event.
	tamperSQL(t, s, "UPDATE bids SET price_amount = '1.00' WHERE tender_id = ? AND id = ?", id, bids[1].ID)
	res, err = s.Verify(ctx, id)
	if err != nil || res.Verified || res.FirstBadSeq != 3 || !strings.Contains(res.Problem, "the bid was edited") {
		t.Errorf("a legacy bid edited: %+v, %v", res, err)
	}
	tamperSQL(t, s, "UPDATE events SET actor = 'mallory' WHERE tender_id = ? AND seq = 2", id)
	res, err = s.Verify(ctx, id)
	if err != nil || res.Verified || res.FirstBadSeq != 2 || !strings.Contains(res.Problem, "hash does not recompute") {
		t.Errorf("a legacy event edited: %+v, %v", res, err)
	}
}
