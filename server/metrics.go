package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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

// latencyBuckets are the upper bounds of the latency histogram, in seconds:
// from a cached GET (a fraction of a millisecond) to a long batch.
var latencyBuckets = []float64{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}

// metrics holds the Server's own Prometheus registry and its collectors.
// Each Server has its own registry, never prometheus.DefaultRegisterer, so
// that there is no package-level mutable state and two servers in one
// process (the tests) count apart.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	lines         *prometheus.CounterVec
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
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "footprint_http_request_duration_seconds",
			Help:    "Latency of HTTP requests by route template and method.",
			Buckets: latencyBuckets,
		}, []string{"route", "method"}),
		lines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footprint_lines_computed_total",
			Help: "Bid lines computed, by outcome (ok or error).",
		}, []string{"outcome"}),
		batchInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "footprint_batch_runs_in_flight",
			Help: "POST /v1/batch runs in progress.",
		}),
		batchRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "footprint_batch_runs_rejected_total",
			Help: "POST /v1/batch requests answered 503 because the maximum of concurrent runs was reached.",
		}),
	}
	// Both outcomes exist from the start, so that a rate over them is
	// defined before the first line is computed.
	m.lines.WithLabelValues("ok")
	m.lines.WithLabelValues("error")
	uptime := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "footprint_uptime_seconds",
		Help: "Seconds since the server was built.",
	}, func() float64 { return time.Since(started).Seconds() })
	m.reg.MustRegister(m.requests, m.duration, m.lines, m.batchInFlight, m.batchRejected, uptime,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // counts failed scrapes as promhttp_metric_handler_errors_total
	})
	return m
}

// observe counts one request. route and method must already be labels
// (see methodLabel); status is the code written.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, statusLabel(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// linesComputed counts computed lines by outcome.
func (m *metrics) linesComputed(ok, failed int) {
	if ok > 0 {
		m.lines.WithLabelValues("ok").Add(float64(ok))
	}
	if failed > 0 {
		m.lines.WithLabelValues("error").Add(float64(failed))
	}
}
