package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bid20 is the 20-line bid of bench/server.sh.
func bid20() []byte {
	acts := [][4]string{{"fuel.natural_gas", "US", "1000", "mmBtu"}, {"electricity.grid", "US-CAMX", "250", "MWh"},
		{"freight.road", "US", "5000", "short_ton.mi"}, {"fuel.diesel", "US", "1200", "gal"}}
	var lines []string
	for i := 1; i <= 20; i++ {
		a := acts[(i-1)%len(acts)]
		lines = append(lines, fmt.Sprintf(`{"id":"%d","activity":"%s","region":"%s","quantity":"%s%d","unit":"%s"}`, i, a[0], a[1], a[2], i, a[3]))
	}
	return []byte(`{"method":"us-federal@2025.1","reference":"BENCH-1","supplier":"Bench Ltd","lines":[` + strings.Join(lines, ",") + `]}`)
}

// BenchmarkServerFootprint20 measures POST /v1/footprints with a 20-line
// bid through the whole handler chain (no network).
func BenchmarkServerFootprint20(b *testing.B) {
	h := newTestServer(b)
	body := bid20()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/footprints", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkServerForm measures GET / (the rendered form).
func BenchmarkServerForm(b *testing.B) {
	h := newTestServer(b)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
