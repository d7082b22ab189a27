package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// Label values for requests that name no known method or match no route.
// Every label value comes from a fixed set (the routes of routes.go, the
// methods of knownMethods, the status codes the server writes), so a
// client cannot grow the number of series: the audit's 60 KB invented
// method names once added a series each.
const (
	labelOther     = "other"
	labelUnmatched = "unmatched"
)

// knownMethods are the HTTP methods counted under their own name; any
// other method is counted as "other".
var knownMethods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodDelete, http.MethodPatch, http.MethodOptions,
}

// methodLabel returns m when it is a known method, else "other".
func methodLabel(m string) string {
	for _, k := range knownMethods {
		if m == k {
			return k
		}
	}
	return labelOther
}

// statusLabel returns the status code as a label. net/http refuses codes
// outside 100–999, so the set is bounded; anything else is "other".
func statusLabel(code int) string {
	if code < 100 || code > 999 {
		return labelOther
	}
	return strconv.Itoa(code)
}

// metrics holds the Server's own Prometheus registry and its collectors.
// Each Server has its own registry, never prometheus.DefaultRegisterer, so
// that there is no package-level mutable state and two servers in one
// process (the tests) count apart.
//
// GET /metrics is open to anyone, so it holds nothing from which the size
// or the content of one bid could be read by scraping before and after it
// (issue 15): no count of computed lines, no body sizes, and no latency
// histogram (a bid's time to compute grows with its lines, and a bucket
// that moved between two scrapes would tell it). What is left: requests
// by route, method and status, the batch slots, uptime, and those series
// of the Go runtime and process collectors that do not grow with the work
// done (publicRuntime). Latency per request is in the access log, which
// only the operators read.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	batchInFlight prometheus.Gauge
	batchRejected prometheus.Counter
	handler       http.Handler
}

func newMetrics(log *slog.Logger) *metrics {
	started := time.Now()
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footprint_http_requests_total",
			Help: "HTTP requests by route template, method and status; unknown methods count as \"other\", requests no route matches as route \"unmatched\".",
		}, []string{"route", "method", "status"}),
		batchInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "footprint_batch_runs_in_flight",
			Help: "POST /v1/batch runs in progress.",
		}),
		batchRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "footprint_batch_runs_rejected_total",
			Help: "POST /v1/batch requests answered 503 because the maximum of concurrent runs was reached.",
		}),
	}
	uptime := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "footprint_uptime_seconds",
		Help: "Seconds since the server was built.",
	}, func() float64 { return time.Since(started).Seconds() })
	m.reg.MustRegister(m.requests, m.batchInFlight, m.batchRejected, uptime,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(publicOnly(m.reg), promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // counts failed scrapes as promhttp_metric_handler_errors_total
	})
	return m
}

// observe counts one request. route and method must already be labels
// (see methodLabel); status is the code written.
func (m *metrics) observe(route, method string, status int) {
	m.requests.WithLabelValues(route, method, statusLabel(status)).Inc()
}

// publicRuntime tells the series of the Go runtime and process collectors
// that /metrics shows. The others grow with the work the server does, so
// that a scrape just before and just after a sealed bid would tell its
// size: the allocation counters (go_memstats_alloc_bytes_total grew by
// about 6 KB a line), the heap gauges, garbage collections
// (go_gc_duration_seconds), CPU time and resident memory, and the bytes
// received (process_network_receive_bytes_total: the request bodies).
func publicRuntime(name string) bool {
	switch name {
	case "go_goroutines",
		"go_threads",
		"go_info",
		"go_sched_gomaxprocs_threads",
		"go_gc_gogc_percent",
		"go_gc_gomemlimit_bytes",
		"process_start_time_seconds",
		"process_open_fds",
		"process_max_fds",
		"process_virtual_memory_max_bytes":
		return true
	}
	return false
}

// publicOnly gathers from g the server's own series (footprint_, and the
// handler's promhttp_) and the runtime series of publicRuntime.
func publicOnly(g prometheus.Gatherer) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := g.Gather()
		kept := mfs[:0]
		for _, mf := range mfs {
			n := mf.GetName()
			if strings.HasPrefix(n, "footprint_") || strings.HasPrefix(n, "promhttp_") || publicRuntime(n) {
				kept = append(kept, mf)
			}
		}
		return kept, err
	})
}
