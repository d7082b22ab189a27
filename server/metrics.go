package server

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds of the latency histogram, in
// nanoseconds (written as seconds, the Prometheus base unit).
var latencyBuckets = [...]int64{
	250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000,
	50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 10_000_000_000,
}

// metrics is the server's own small Prometheus registry: request counts by
// route, method and status, latency histograms by route, and the lines
// computed. Counters are atomics; the map of series grows only with new
// (route, method, status) triples, which are bounded by the routes.
type metrics struct {
	mu       sync.RWMutex
	requests map[reqKey]*atomic.Int64
	latency  map[string]*histogram
	lines    atomic.Int64
	lineErrs atomic.Int64
	started  time.Time
}

type reqKey struct {
	route, method string
	status        int
}

type histogram struct {
	buckets [len(latencyBuckets)]atomic.Int64
	count   atomic.Int64
	sumNs   atomic.Int64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]*atomic.Int64{}, latency: map[string]*histogram{}, started: time.Now()}
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	k := reqKey{route, method, status}
	m.mu.RLock()
	c, ok1 := m.requests[k]
	h, ok2 := m.latency[route]
	m.mu.RUnlock()
	if !ok1 || !ok2 {
		m.mu.Lock()
		if c, ok1 = m.requests[k]; !ok1 {
			c = new(atomic.Int64)
			m.requests[k] = c
		}
		if h, ok2 = m.latency[route]; !ok2 {
			h = new(histogram)
			m.latency[route] = h
		}
		m.mu.Unlock()
	}
	c.Add(1)
	ns := d.Nanoseconds()
	for i, b := range latencyBuckets {
		if ns <= b {
			h.buckets[i].Add(1)
			break
		}
	}
	h.count.Add(1)
	h.sumNs.Add(ns)
}

// linesComputed counts computed lines by outcome.
func (m *metrics) linesComputed(ok, failed int) {
	m.lines.Add(int64(ok))
	m.lineErrs.Add(int64(failed))
}

// seconds writes nanoseconds as decimal seconds, exactly.
func seconds(ns int64) string {
	return strconv.FormatInt(ns/1e9, 10) + "." + fmt.Sprintf("%09d", ns%1e9)
}

// write renders the Prometheus text exposition format (version 0.0.4).
func (m *metrics) write(w io.Writer) error {
	m.mu.RLock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	m.mu.RUnlock()
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	sort.Strings(routes)
	bw := &errWriter{w: w}
	bw.printf("# HELP footprint_http_requests_total HTTP requests by route template, method and status.\n")
	bw.printf("# TYPE footprint_http_requests_total counter\n")
	for _, k := range keys {
		m.mu.RLock()
		c := m.requests[k]
		m.mu.RUnlock()
		bw.printf("footprint_http_requests_total{route=%q,method=%q,status=\"%d\"} %d\n", k.route, k.method, k.status, c.Load())
	}
	bw.printf("# HELP footprint_http_request_duration_seconds Latency of HTTP requests by route template.\n")
	bw.printf("# TYPE footprint_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		m.mu.RLock()
		h := m.latency[r]
		m.mu.RUnlock()
		var cum int64
		for i, b := range latencyBuckets {
			cum += h.buckets[i].Load()
			bw.printf("footprint_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, trimZeros(seconds(b)), cum)
		}
		n := h.count.Load()
		bw.printf("footprint_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, n)
		bw.printf("footprint_http_request_duration_seconds_sum{route=%q} %s\n", r, seconds(h.sumNs.Load()))
		bw.printf("footprint_http_request_duration_seconds_count{route=%q} %d\n", r, n)
	}
	bw.printf("# HELP footprint_lines_computed_total Bid lines computed, by outcome.\n")
	bw.printf("# TYPE footprint_lines_computed_total counter\n")
	bw.printf("footprint_lines_computed_total{outcome=\"ok\"} %d\n", m.lines.Load())
	bw.printf("footprint_lines_computed_total{outcome=\"error\"} %d\n", m.lineErrs.Load())
	bw.printf("# HELP footprint_uptime_seconds Seconds since the server started.\n")
	bw.printf("# TYPE footprint_uptime_seconds gauge\n")
	bw.printf("footprint_uptime_seconds %s\n", seconds(time.Since(m.started).Nanoseconds()))
	return bw.err
}

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
