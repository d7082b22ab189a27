package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gorilla/mux"
)

// statusWriter records the status and whether the response has started.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routeKey is the context key of the *routeLabel a request is counted under.
type routeKey struct{}

// routeLabel is filled by labelRoute with the matched route's template.
type routeLabel struct{ route string }

// observe counts and times every request by route and status, and logs it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		label := &routeLabel{route: "unmatched"}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, label)))
		if !sw.wrote {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.observe(label.route, r.Method, sw.status, d)
		if s.accessLog {
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", label.route),
				slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr))
		}
	})
}

// labelRoute records the matched route's template for observe; it runs as
// router middleware, so only on matched routes.
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(routeKey{}).(*routeLabel); ok {
			if t, err := mux.CurrentRoute(r).GetPathTemplate(); err == nil {
				l.route = t
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Security headers set on every response. The pages load scripts and styles
// only from the service itself, and no inline script.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// secure sets the security headers.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// recover answers a panic with a generic 500 problem and logs it once with
// its stack. http.ErrAbortHandler is re-raised, as net/http expects.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			if sw, ok := w.(*statusWriter); ok && sw.wrote {
				panic(http.ErrAbortHandler) // cannot answer any more; drop the connection
			}
			p, _ := problemFor(errInternal)
			writeProblemRaw(w, p)
		}()
		next.ServeHTTP(w, r)
	})
}
