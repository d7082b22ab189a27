package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/internal/clip"
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
		label := &routeLabel{route: labelUnmatched}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, label)))
		if !sw.wrote {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		method := methodLabel(r.Method)
		s.metrics.observe(label.route, method, sw.status)
		if s.accessLog {
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", method), slog.String("path", clip.Text(r.URL.Path)), slog.String("route", label.route),
				slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr))
		}
	})
}

// labelRoute records the matched route's template for observe; it runs as
// router middleware, so only on matched routes.
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		labelFromMatch(r, mux.CurrentRoute(r))
		next.ServeHTTP(w, r)
	})
}

// labelFromMatch records the template of route as the request's route
// label. Templates come from routes.go only, so the label set is bounded.
func labelFromMatch(r *http.Request, route *mux.Route) {
	l, ok := r.Context().Value(routeKey{}).(*routeLabel)
	if !ok || route == nil {
		return
	}
	if t, err := route.GetPathTemplate(); err == nil {
		l.route = t
	}
}

// bodyLimit is what limitBody enforces on a route's request body.
type bodyLimit struct {
	// max is the most bytes the body may have.
	max int64
	// idle, when positive, stops the body when no byte arrives for this
	// long (batch uploads); total bounds the whole read then. Without
	// idle, the server's ReadTimeout bounds the read.
	idle, total time.Duration
	// form reads an application/x-www-form-urlencoded body before the
	// handler, to report its errors.
	form bool
}

func isURLEncoded(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// formError maps an error of Request.ParseForm to its problem.
func formError(err error) error {
	var mbe *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: the form is over %d bytes; use POST /v1/batch for long bids", errTooLargeForm, mbe.Limit)
	case errors.As(err, &he):
		return he
	}
	return &httpError{err: errMalformed, detail: "the form could not be read: " + clip.Text(err.Error())}
}

// limitBody bounds the request body of a route. A Content-Length over the
// limit is answered 413 at once, before any of the body is read (a client
// announcing 10 GB waits for nothing); a body without Content-Length
// (chunked) is cut at the limit by http.MaxBytesReader, which the handlers
// report as 413. Read errors of the connection become errors that say what
// happened (truncated, stalled) in the client's terms: the net layer's own
// text names socket addresses and must not reach a response.
func (s *Server) limitBody(lim bodyLimit, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > lim.max {
			w.Header().Set("Connection", "close") // the body stays unread
			s.writeProblem(w, r, &httpError{err: errTooLarge, detail: fmt.Sprintf("Content-Length %d is over the limit of %d bytes for %s; see the limits in docs/api.md",
				r.ContentLength, lim.max, clip.Text(r.URL.Path))})
			return
		}
		br := &bodyReader{r: http.MaxBytesReader(w, r.Body, lim.max), declared: r.ContentLength, idle: lim.idle}
		if lim.idle > 0 {
			br.rc = http.NewResponseController(w)
			br.end = time.Now().Add(lim.total)
		}
		r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, br))
		r.Body = br
		if lim.form && isURLEncoded(r) {
			// Read the form here so that its read errors are answered:
			// Request.ParseMultipartForm, which the form handlers call,
			// drops the error of the ParseForm it runs first when the body
			// is not multipart (a truncated form was a 422 "choose a
			// method"). The handlers' own ParseForm is then a no-op.
			if err := r.ParseForm(); err != nil {
				s.writeProblem(w, r, formError(err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bodyReader reads a request body for limitBody: it counts the bytes,
// renews the idle deadline before each read, and translates the
// connection's read errors.
type bodyReader struct {
	r        io.ReadCloser
	n        int64 // bytes read so far
	declared int64 // Content-Length, or -1
	idle     time.Duration
	end      time.Time // the deadline of the whole body when idle > 0
	rc       *http.ResponseController
	idleSet  bool // the last deadline set was the idle one
	// broken is set when a read failed (truncated, stalled, cut): what is
	// left on the wire is no request, so the answer closes the connection
	// (writeProblem) rather than let net/http wait to drain it. Atomic:
	// the batch reads the body on a goroutine of its own.
	broken atomic.Bool
}

// bodyKey is the context key of the *bodyReader of a request.
type bodyKey struct{}

// bodyBroken reports whether the request body of r failed to read.
func bodyBroken(r *http.Request) bool {
	b, ok := r.Context().Value(bodyKey{}).(*bodyReader)
	return ok && b.broken.Load()
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.rc != nil {
		d, idle := time.Now().Add(b.idle), true
		if d.After(b.end) {
			d, idle = b.end, false
		}
		if err := b.rc.SetReadDeadline(d); err != nil {
			b.rc = nil // the writer has no deadlines (httptest.ResponseRecorder): nothing to renew
		}
		b.idleSet = idle
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF && b.rc != nil {
		// The body is complete: give the rest of the request the whole
		// deadline back, so that net/http's background read while the
		// response streams is not cut by an idle deadline meant for the
		// upload.
		_ = b.rc.SetReadDeadline(b.end)
		b.rc = nil
	}
	err = b.translate(err)
	var he *httpError
	if errors.As(err, &he) {
		b.broken.Store(true)
		b.rc = nil
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.r.Close() }

// translate keeps io.EOF and *http.MaxBytesError (the handlers report it as
// 413) and replaces every other read error with an httpError that says
// what happened, without the net layer's text.
func (b *bodyReader) translate(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case err == nil, err == io.EOF, errors.As(err, &mbe):
		return err
	case errors.Is(err, os.ErrDeadlineExceeded) && b.idleSet:
		return &httpError{err: errTimeout, detail: fmt.Sprintf("the request body stopped: no bytes arrived for %s (after %d bytes); the upload is stopped", b.idle, b.n)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &httpError{err: errTimeout, detail: fmt.Sprintf("the request body did not arrive in time (%d bytes read); send it faster or in smaller requests", b.n)}
	case errors.Is(err, io.ErrUnexpectedEOF) && b.declared >= 0:
		return &httpError{err: errMalformed, detail: fmt.Sprintf("the request body ended after %d of the %d bytes its Content-Length announced", b.n, b.declared)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &httpError{err: errMalformed, detail: fmt.Sprintf("the request body ended early (after %d bytes)", b.n)}
	}
	return &httpError{err: errMalformed, detail: fmt.Sprintf("the request body could not be read after %d bytes (the connection failed or the chunked encoding is invalid)", b.n)}
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
			s.log.ErrorContext(r.Context(), "panic serving request", slog.String("method", clip.Text(r.Method)), slog.String("path", clip.Text(r.URL.Path)),
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
