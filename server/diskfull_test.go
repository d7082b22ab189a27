package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// fullStore is the in-memory store once its disk is full: every write
// fails as the SQL store reports a full disk (store.ErrDiskFull wrapping
// the driver's text), reads still work.
type fullStore struct {
	*memStore
	full bool
}

var errDriverFull = fmt.Errorf("%w; nothing was stored: database or disk is full (13)", store.ErrDiskFull)

func (f *fullStore) CreateTender(ctx context.Context, t tender.Tender, actor string) (tender.Tender, error) {
	if f.full {
		return tender.Tender{}, fmt.Errorf("store tender: %w", errDriverFull)
	}
	return f.memStore.CreateTender(ctx, t, actor)
}

func (f *fullStore) SubmitBid(ctx context.Context, id string, b tender.Bid, hash, key string, now time.Time, sec ...store.BidSecrets) (tender.Bid, bool, error) {
	if f.full {
		return tender.Bid{}, false, errDriverFull
	}
	return f.memStore.SubmitBid(ctx, id, b, hash, key, now, sec...)
}

// TestDiskFull: a write refused for a full disk is 507 with the
// insufficient-storage problem on the API and a page saying the same on
// the web; the driver's text reaches the log, not the answer.
func TestDiskFull(t *testing.T) {
	fs := &fullStore{memStore: newMemStore()}
	e := newTenderEnv(t, func() store.Store { return fs })
	logs := &syncBuffer{}
	e.s.log = slog.New(slog.NewTextHandler(logs, nil))
	id := e.createTender(`{"rule":"price_only","limits":"report"}`)
	fs.full = true

	for _, tc := range []struct{ name, target, token, body string }{
		{"bid", "/v1/tenders/" + id + "/bids", "", gasBid("ACME", "10", "1", "")},
		{"tender", "/v1/tenders", testOfficerToken, tenderBody(`{"rule":"price_only","limits":"report"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do("POST", tc.target, tc.token, tc.body)
			var p Problem
			if rec.Code != 507 || rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
				t.Fatalf("status %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if p.Type != ProblemBase+"insufficient-storage" || p.Status != 507 || p.Detail != diskFullDetail {
				t.Errorf("problem %+v", p)
			}
			for _, w := range []string{"disk is full", "nothing", "retry later"} {
				if !strings.Contains(p.Detail, w) {
					t.Errorf("detail %q lacks %q", p.Detail, w)
				}
			}
			if strings.Contains(rec.Body.String(), "(13)") {
				t.Errorf("the driver's text reached the answer: %s", rec.Body)
			}
		})
	}
	if !strings.Contains(logs.String(), "database or disk is full (13)") {
		t.Errorf("the driver's error is not logged:\n%s", logs)
	}

	// The bid form on the web: a page with the same status and message.
	v := url.Values{"supplier": {"ACME"}, "price": {"10"}, "line_count": {"1"}, "key": {""},
		"line-0-activity": {"fuel.natural_gas"}, "line-0-region": {"US"}, "line-0-quantity": {"1"}, "line-0-unit": {"mmBtu"}}
	req := httptest.NewRequest("POST", "/tenders/"+id+"/bid", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.s.ServeHTTP(rec, req)
	if rec.Code != 507 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("web bid: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, w := range []string{"The server&#39;s disk is full", "nothing was stored", "Try again later"} {
		if !strings.Contains(rec.Body.String(), w) {
			t.Errorf("web page lacks %q:\n%s", w, rec.Body)
		}
	}
	if StatusOf(fmt.Errorf("x: %w", errDriverFull)) != 507 {
		t.Error("StatusOf a wrapped ErrDiskFull is not 507")
	}
}
