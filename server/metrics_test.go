package server

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// scrapeMetrics is every series of a scrape but those that move on their
// own, whatever the requests (uptime, goroutines, threads, open files).
func scrapeMetrics(t *testing.T, h http.Handler) map[string]string {
	t.Helper()
	rec := do(t, h, apiCase{method: "GET", target: "/metrics"})
	out := map[string]string{}
	for _, l := range strings.Split(rec.Body.String(), "\n") {
		name, v, _ := strings.Cut(l, " ")
		switch {
		case l == "" || strings.HasPrefix(l, "#"),
			name == "footprint_uptime_seconds", name == "go_goroutines", name == "go_threads", name == "process_open_fds":
			continue
		}
		out[name] = v
	}
	return out
}

// nLineBid is a bid of n natural-gas lines.
func nLineBid(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"id":"%d","activity":"fuel.natural_gas","region":"US","quantity":"%d","unit":"mmBtu"}`, i+1, i+1)
	}
	return `{"method":"us-federal@2025.1","reference":"R","supplier":"S","lines":[` + strings.Join(lines, ",") + `]}`
}

// TestMetricsTellNoBidSize: what a scrape before and after a bid shows of
// the server's own metrics is the same for a 1-line bid and a 400-line
// bid: the request counters of its route and of /metrics move by one, and
// nothing else moves, the Go runtime's and the process's series included
// (the allocation counters once moved by about 6 KB a line). So the public
// /metrics tells nothing of a bid's size (issue 15).
func TestMetricsTellNoBidSize(t *testing.T) {
	h := newTestServer(t)
	want := []string{
		`footprint_http_requests_total{method="GET",route="/metrics",status="200"}`,
		`footprint_http_requests_total{method="POST",route="/v1/footprints",status="200"}`,
	}
	for _, n := range []int{1, 400} {
		before := scrapeMetrics(t, h)
		rec := do(t, h, apiCase{method: "POST", target: "/v1/footprints", contentType: "application/json", body: nLineBid(n)})
		if rec.Code != 200 {
			t.Fatalf("%d lines: %d %s", n, rec.Code, rec.Body)
		}
		after := scrapeMetrics(t, h)
		var moved []string
		for k, v := range after {
			if before[k] == v {
				continue
			}
			moved = append(moved, k)
			old, _ := strconv.ParseFloat(before[k], 64) // absent: 0
			now, _ := strconv.ParseFloat(v, 64)
			if now-old != 1 {
				t.Errorf("%d lines: %s moved from %q to %q, want by one", n, k, before[k], v)
			}
		}
		sort.Strings(moved)
		if strings.Join(moved, " ") != strings.Join(want, " ") {
			t.Errorf("%d lines: the scrape moved\n %s\nwant\n %s", n, strings.Join(moved, "\n "), strings.Join(want, "\n "))
		}
	}
}
