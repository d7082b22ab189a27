package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/tender"
)

// tenderBid20 is the 20-line bid of bid20 as a bid on a tender.
func tenderBid20(supplier, price string) []byte {
	raw := string(bid20())
	_, lines, _ := strings.Cut(raw, `"lines":`)
	return []byte(`{"supplier":"` + supplier + `","price":{"amount":"` + price + `","currency":"EUR"},"lines":` + lines)
}

// BenchmarkSubmitBid measures POST /v1/tenders/{id}/bids with a 20-line
// bid through the whole handler chain, against the in-memory store and a
// SQLite file: strict decoding, the footprint under the pinned method,
// digests, the audit event, the transaction. Every request has its own
// Idempotency-Key, as a careful client's would. bench/tender.sh runs it
// over HTTP against both databases.
func BenchmarkSubmitBid(b *testing.B) {
	for _, be := range []struct {
		name string
		f    func(testing.TB) storeFactory
	}{
		{"mem", func(testing.TB) storeFactory { return memFactory }},
		{"sqlite", sqliteFactory},
	} {
		b.Run(be.name, func(b *testing.B) {
			e := newTenderEnv(b, be.f(b))
			e.clock.Set(tenderT0)
			id := e.createTender(carbonAward)
			body := tenderBid20("Bench Ltd", "1250000.00")
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/v1/tenders/"+id+"/bids", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Idempotency-Key", fmt.Sprintf("f00dcafe%024x", n.Add(1)))
					rec := httptest.NewRecorder()
					e.s.ServeHTTP(rec, req)
					if rec.Code != http.StatusCreated {
						b.Errorf("status %d: %s", rec.Code, rec.Body)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
		})
	}
}

// BenchmarkOpen measures POST /v1/tenders/{id}/open of a tender with
// 1,000 20-line bids (carbon_price rule) against the in-memory store: the
// evaluation, its digest and the events. The bids' footprints are computed
// once, outside the timer; each iteration opens a fresh copy.
func BenchmarkOpen(b *testing.B) {
	const n = 1000
	e := newTenderEnv(b, memFactory)
	id := e.createTender(carbonAward)
	t, err := e.st.Tender(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	m, err := e.s.reg.Resolve(t.Method.Ref())
	if err != nil {
		b.Fatal(err)
	}
	var req TenderBidRequest
	if err := decodeReader(bytes.NewReader(tenderBid20("x", "1")), &req); err != nil {
		b.Fatal(err)
	}
	cb, err := toBid(epd.Parse, t.Method.Ref(), t.Reference, "x", req.Lines)
	if err != nil {
		b.Fatal(err)
	}
	bids := make([]tender.Bid, n)
	for i := range bids {
		price := decimal.New(int64(1_000_000+i*37%5000), 0)
		at := tenderT0.Add(time.Duration(i) * time.Millisecond)
		bids[i], _, err = tender.PrepareBid(t, m, calc.NewEngine(e.s.lib), tender.Bid{Supplier: fmt.Sprintf("Supplier %d", i),
			Price: tender.Price{Amount: price, Currency: "EUR"}, Lines: cb.Lines}, at)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newTenderEnv(b, memFactory)
		id := e.createTender(carbonAward)
		for _, bid := range bids {
			if _, _, err := e.st.SubmitBid(context.Background(), id, bid, "h", "", bid.ReceivedAt); err != nil {
				b.Fatal(err)
			}
		}
		e.clock.Set(tenderDeadline)
		b.StartTimer()
		rec := e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, "")
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
