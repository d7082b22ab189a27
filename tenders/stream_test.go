package tenders

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// liveHeap is the live heap after a GC.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heapWriter counts what is written to it and samples the live heap at
// every write.
type heapWriter struct {
	n    int64
	peak uint64
}

func (w *heapWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.peak = max(w.peak, liveHeap())
	return len(p), nil
}

// openedTender makes an opened tender of n one-line bids (sealed, as
// serve keeps them), some withdrawn, on SQLite with a key file, and
// returns the service, the tender and the store.
func openedTender(t *testing.T, n int) (*Service, tender.Tender, *heapStore) {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenWith(ctx, "sqlite:"+filepath.Join(t.TempDir(), "stream.db"), store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, reg, err := methods.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	hs := &heapStore{Store: st}
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	svc := New(Config{Store: hs, Registry: reg, Engine: calc.NewEngine(lib), Now: func() time.Time { return clock }, PublicURL: "https://tenders.example.org"})
	maxBids := n
	w := bidjson.Number("100")
	tn, err := NewTender(reg, TenderRequest{Reference: "R", Title: "T", Buyer: "B", Method: "us-federal@2025.1", Currency: "EUR",
		Deadline: clock.Add(time.Hour).Format(time.RFC3339), Award: AwardRequest{Rule: "carbon_price", CarbonPricePerT: &w, Limits: "report"}, MaxBids: &maxBids}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if tn, err = svc.Create(ctx, tn, officers.Bootstrap()); err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve("us-federal@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	// One bid computed once, stored n times (each a distinct bid).
	bid := tender.Bid{Supplier: "S", Price: tender.Price{Amount: decimal.RequireFromString("1000.00"), Currency: "EUR"},
		Lines: []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "US", Quantity: decimal.RequireFromString("10.5"), Unit: "mmBtu"}}}
	prepared, _, err := tender.PrepareBid(tn, m, calc.NewEngine(lib), bid, clock)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := prepared
		p.Supplier, p.Price.Amount = fmt.Sprintf("Supplier %d", i), decimal.RequireFromString(fmt.Sprintf("%d.%02d", 1000+i*7%500, i%100))
		b, _, err := st.SubmitBid(ctx, tn.ID, p, tender.HashToken(fmt.Sprint(i)), "", clock)
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 3 {
			if err := st.WithdrawBid(ctx, tn.ID, b.ID, clock); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock = clock.Add(time.Hour)
	if _, err := svc.Open(ctx, tn, officers.Bootstrap()); err != nil {
		t.Fatal(err)
	}
	if tn, err = svc.Tender(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
	return svc, tn, hs
}

// TestOpenAndExportsInBoundedMemory: on a tender of n sealed bids,
//
//   - the opening's live heap grows with the number of bids by the
//     evaluation's packed row per bid (its sort key, amounts, strings
//     and the hash that checks ids are distinct: under 512 bytes a bid;
//     about 285, where one tender.Ranked a bid took about 600), never by
//     a bid's content;
//   - every export of the opened tender (the evaluation as JSON and CSV,
//     the OCDS package, the sealed list) is written one row at a time:
//     the live heap while the answer is written stays within a small
//     constant (128 KiB, and under half the answer) of what it was
//     before, however large the answer, and the bytes are those of the
//     export made whole (json.Marshal of the decoded evaluation,
//     WriteEvaluationCSV, ExportOCDS, json.Marshal of the sealed list).
func TestOpenAndExportsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a tender of 1,500 bids")
	}
	const n = 1500
	ctx := context.Background()
	svc, tn, hs := openedTender(t, n)
	if len(hs.live) != n {
		t.Fatalf("%d bids read, want %d", len(hs.live), n)
	}
	perBid := (int64(hs.live[n-1]) - int64(hs.live[n/10])) / int64(n-1-n/10)
	t.Logf("live heap per bid at opening: %d bytes", perBid)
	if perBid > 512 {
		t.Errorf("the opening keeps %d bytes a bid (over 512): more than one packed ranking row", perBid)
	}

	ev, err := svc.Evaluation(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(ev)
	wantJSON = append(wantJSON, '\n')
	var wantCSV bytes.Buffer
	if err := WriteEvaluationCSV(&wantCSV, ev); err != nil {
		t.Fatal(err)
	}
	wantOCDS, _, err := svc.ExportOCDS(ctx, tn, officers.Bootstrap(), false)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := svc.Sealed(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	wantSealed, _ := json.Marshal(sealed)
	wantSealed = append(wantSealed, '\n')
	ev = nil

	x, _, err := svc.StreamEvaluation(ctx, tn, officers.Bootstrap(), true)
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := svc.StreamOCDS(ctx, tn, officers.Bootstrap(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		write func(io.Writer) error
		want  []byte
	}{
		{"evaluation JSON", x.WriteJSON, wantJSON},
		{"evaluation CSV", x.WriteCSV, wantCSV.Bytes()},
		{"OCDS", o.Write, wantOCDS},
		{"sealed list", sealed.WriteJSON, wantSealed},
	} {
		var got bytes.Buffer
		if err := c.write(&got); err != nil || !bytes.Equal(got.Bytes(), c.want) {
			t.Errorf("%s: the streamed bytes differ from the export made whole (%v): %d vs %d bytes", c.name, err, got.Len(), len(c.want))
		}
		got = bytes.Buffer{}
		before := liveHeap()
		hw := &heapWriter{}
		if err := c.write(hw); err != nil {
			t.Fatal(err)
		}
		growth := int64(hw.peak) - int64(before)
		t.Logf("%s: %d KB written; live heap while writing: %+d KB", c.name, hw.n>>10, growth>>10)
		if hw.n < 96<<10 {
			t.Fatalf("%s: only %d bytes written: too small to tell", c.name, hw.n)
		}
		if growth > 128<<10 || growth > hw.n/2 {
			t.Errorf("%s: the live heap grew by %d KB while %d KB were written: the answer is built whole", c.name, growth>>10, hw.n>>10)
		}
	}
}
