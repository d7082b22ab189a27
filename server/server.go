// Package server is footprint's REST service and web form (DESIGN "REST").
//
// New builds an http.Handler from a Config holding the factor library, the
// method registry and the engine; every route is in routes.go. Handlers
// return errors, and one adapter renders them as RFC 9457
// application/problem+json through the table in errors.go. Request bodies
// are decoded into the request types of this package (decimals kept as
// text), validated by one validator instance, and converted to calc.Bid.
// The server is HTTP only: the tender routes and pages decode, check
// credentials (auth.go) and render, and call the use cases of package
// tenders (the one place the command line calls too).
//
// Serve runs a handler on a listener with timeouts and a graceful shutdown
// that lets in-flight requests finish when its context is cancelled.
package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tenders"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Limits of the service, documented in the OpenAPI document and docs/api.md.
const (
	// MaxBodyBytes bounds a JSON request body (a bid or a comparison).
	MaxBodyBytes = bidjson.MaxBytes
	// MaxEPDBodyBytes bounds a JSON body whose lines carry EPD documents
	// (base64 files); each document is also bounded by epd.MaxBytes.
	MaxEPDBodyBytes = bidjson.MaxEPDBytes
	// MaxFormBytes bounds a web-form submission, CSV upload included.
	MaxFormBytes = 8 << 20
	// MaxBatchBytes bounds a CSV body of POST /v1/batch.
	MaxBatchBytes = 256 << 20
	// MaxLines bounds the lines of one bid.
	MaxLines = calc.MaxLines
	// MaxFormLines bounds the lines of a bid entered in the web form.
	MaxFormLines = 500
	// MaxStringLen bounds every string field, in bytes.
	MaxStringLen = calc.MaxStringLen
	// MaxQuantity bounds the magnitude of a quantity or a factor value.
	MaxQuantity = calc.MaxQuantityAbs
	// MaxMethods bounds the methods of one comparison or batch.
	MaxMethods = 5
	// BatchTimeout bounds the time a batch request may take to stream.
	BatchTimeout = 30 * time.Minute
	// DefaultBatchWriteIdleTimeout is how long a batch response may wait
	// for the client to take BatchWriteChunk bytes before the run is
	// stopped and its slot freed, when Config.BatchWriteIdleTimeout is 0.
	DefaultBatchWriteIdleTimeout = 30 * time.Second
	// BatchWriteChunk is the most bytes of a batch response written under
	// one write deadline: a client reading slower than BatchWriteChunk per
	// write idle timeout (32 KiB in 30 s, about 1 KiB/s) is cut off.
	BatchWriteChunk = 32 << 10
	// DefaultMaxConcurrentBatches is the number of POST /v1/batch runs served
	// at once when Config.MaxConcurrentBatches is 0. A run already uses
	// every core; more runs at once only share them and add memory (the
	// audit drove RSS to 1.09 GB with 50 concurrent runs).
	DefaultMaxConcurrentBatches = 2
	// DefaultBatchIdleTimeout is how long a batch upload may send no body
	// bytes before its run is stopped, when Config.BatchIdleTimeout is 0.
	DefaultBatchIdleTimeout = 30 * time.Second
	// BatchRetryAfter is the Retry-After of a 503 answered when every batch
	// slot is taken.
	BatchRetryAfter = 10 * time.Second
)

// Config holds what a Server is built from.
type Config struct {
	Library  *factors.Library
	Registry *methods.Registry
	Engine   *calc.Engine
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// AccessLog logs every request at Info level.
	AccessLog bool
	// MaxConcurrentBatches bounds the POST /v1/batch runs served at once;
	// a request beyond it is answered 503 with Retry-After at once, before
	// its body is read. 0 means DefaultMaxConcurrentBatches.
	MaxConcurrentBatches int
	// BatchIdleTimeout stops a batch run whose upload sends no body bytes
	// for this long, so that a stalled client does not hold a slot for
	// BatchTimeout. 0 means DefaultBatchIdleTimeout.
	BatchIdleTimeout time.Duration
	// BatchWriteIdleTimeout stops a batch run whose client takes none of
	// the response for this long (it never reads, or stopped), so that
	// it does not hold a slot for BatchTimeout. 0 means
	// DefaultBatchWriteIdleTimeout.
	BatchWriteIdleTimeout time.Duration
	// Store persists tenders (DESIGN "Tenders"); nil leaves the tender
	// routes answering 503 (the calculator routes do not need it).
	Store store.Store
	// OfficerTokenHash is tender.HashToken of the officers' bearer token
	// (FOOTPRINT_OFFICER_TOKEN, or one generated at first start and kept
	// in the store as a hash only).
	OfficerTokenHash string
	// OfficerHashParams are the argon2id parameters of new officers'
	// personal tokens; zero means officers.DefaultParams (tests lower
	// them).
	OfficerHashParams officers.Params
	// Now is the clock of the tender rules (deadlines, receipt times) and
	// the day a bid with EPD documents and no date is judged on; nil means
	// time.Now. Tests inject one.
	Now func() time.Time
	// ParseEPD reads an EPD document of a bid line; nil means epd.Parse.
	// Tests inject one.
	ParseEPD bidjson.ParseFunc
	// Guesses limits failed credential guesses per client address and per
	// credential (guard.go); the zero value takes the defaults.
	Guesses GuessLimits
	// Vault holds the secrets kept outside the database (the key file,
	// *seal.Keys): with it, web sessions are signed with a key derived
	// from it, never one stored in the database, so that a database reader
	// cannot forge an officer's session. Nil keeps a random key in the
	// store (embedders and tests).
	Vault Vault
	// PublicURL is the publisher's base URL (serve --public-url), e.g.
	// https://tenders.example.org: the OCDS packages' uri and extension
	// URLs are absolute under it. Empty, GET /v1/tenders/{id}/ocds
	// answers 409 #no-public-url; New refuses one that is not an
	// absolute http(s) URL without query or fragment.
	PublicURL string
	// OIDC, when set, lets officers sign in through an OpenID Connect
	// provider (single sign-on, oidc.go); New refuses an incomplete one.
	OIDC *OIDCConfig
}

// Vault is what the server takes from the key file (*seal.Keys): secrets
// derived from it, and tags that show whether a stored value was
// replaced.
type Vault interface {
	Derive(label string) []byte
	Tag(label, value string) string
	CheckTag(label, value, tag string) bool
}

// Server is the REST service and the web form. Build it with New.
type Server struct {
	lib       *factors.Library
	reg       *methods.Registry
	engine    *calc.Engine
	log       *slog.Logger
	accessLog bool
	validate  *validator.Validate
	metrics   *metrics
	pages     *template.Template
	router    *mux.Router
	catalog   catalog
	chain     http.Handler
	// batchSlots holds one token per batch run in progress; its capacity
	// is Config.MaxConcurrentBatches.
	batchSlots chan struct{}
	batchIdle  time.Duration
	// batchWriteIdle is Config.BatchWriteIdleTimeout (or its default).
	batchWriteIdle time.Duration
	// tw serves the tender web pages (tenders_web.go).
	tw *tenderWeb
	// tenders is what authentication needs (auth.go, tenders_api.go).
	tenders tenderDeps
	// svc runs the tender use cases for the REST routes and the pages.
	svc *tenders.Service
	// parseEPD reads EPD documents (Config.ParseEPD or epd.Parse).
	parseEPD bidjson.ParseFunc
	// guesses counts failed credentials (guard.go).
	guesses *guessLimiter
	// oidc is the single sign-on relying party (oidc.go); nil without.
	oidc *oidcRP
	// bufs are the reused body and answer buffers of the bid routes
	// (bufpool.go).
	bufs bufPool
}

// New builds the service. It returns an error when the configuration is
// incomplete or an embedded asset does not parse.
func New(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(cfg Config) (*Server, error) {
	if cfg.Library == nil || cfg.Registry == nil {
		return nil, errors.New("server: Config needs a Library and a Registry")
	}
	if cfg.Engine == nil {
		cfg.Engine = calc.NewEngine(cfg.Library)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("server: templates: %w", err)
	}
	if cfg.MaxConcurrentBatches < 0 || cfg.BatchIdleTimeout < 0 || cfg.BatchWriteIdleTimeout < 0 {
		return nil, errors.New("server: MaxConcurrentBatches, BatchIdleTimeout and BatchWriteIdleTimeout must not be negative")
	}
	if cfg.BatchWriteIdleTimeout == 0 {
		cfg.BatchWriteIdleTimeout = DefaultBatchWriteIdleTimeout
	}
	if cfg.MaxConcurrentBatches == 0 {
		cfg.MaxConcurrentBatches = DefaultMaxConcurrentBatches
	}
	if cfg.BatchIdleTimeout == 0 {
		cfg.BatchIdleTimeout = DefaultBatchIdleTimeout
	}
	s := &Server{lib: cfg.Library, reg: cfg.Registry, engine: cfg.Engine, log: cfg.Logger, accessLog: cfg.AccessLog,
		validate: newValidator(), metrics: newMetrics(cfg.Logger), pages: pages,
		batchSlots: make(chan struct{}, cfg.MaxConcurrentBatches), batchIdle: cfg.BatchIdleTimeout, batchWriteIdle: cfg.BatchWriteIdleTimeout}
	if s.guesses, err = newGuessLimiter(cfg.Guesses, cfg.Logger); err != nil {
		return nil, err
	}
	if s.catalog, err = newCatalog(s.lib, s.reg); err != nil {
		return nil, fmt.Errorf("server: activities: %w", err)
	}
	if cfg.PublicURL != "" {
		if _, err := tenders.CheckPublicURL(cfg.PublicURL); err != nil {
			return nil, fmt.Errorf("server: PublicURL: %w", err)
		}
	}
	if s.oidc, err = newOIDC(cfg.OIDC); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.tw = newTenderWeb(cfg)
	s.tenders = newTenderDeps(cfg)
	s.tw.officers = s.tenders.officers
	s.svc = tenders.New(tenders.Config{Store: cfg.Store, Registry: cfg.Registry, Engine: cfg.Engine, Now: cfg.Now, PublicURL: cfg.PublicURL})
	s.parseEPD = cfg.ParseEPD
	if s.parseEPD == nil {
		s.parseEPD = epd.Parse
	}
	s.router = mux.NewRouter()
	s.router.NotFoundHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &httpError{err: errRouteNotFound, detail: fmt.Sprintf("no resource at %s; see GET /v1/openapi.json", clip.Text(r.URL.Path))}
	})
	s.router.MethodNotAllowedHandler = s.handle(s.methodNotAllowed)
	s.routes(s.router)
	s.chain = s.observe(s.secure(s.recover(s.router)))
	return s, nil
}

// ServeHTTP runs the middleware chain around the router: recovery
// innermost so that a panic is answered, metrics and logging outermost.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.chain.ServeHTTP(w, r)
}

// methodNotAllowed answers a request whose path has routes but none for
// its method (gorilla/mux calls it on a method mismatch): OPTIONS gets 204,
// anything else 405; both carry the Allow header of the path. OPTIONS is
// answered here rather than registered per route, so that every route has
// it and routes.go names only the methods that do something.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range knownMethods {
		if m == http.MethodOptions {
			continue
		}
		rr := r.Clone(r.Context())
		rr.Method = m
		var match mux.RouteMatch
		if s.router.Match(rr, &match) && match.MatchErr == nil {
			allow = append(allow, m)
			labelFromMatch(r, match.Route)
		}
	}
	allow = append(allow, http.MethodOptions)
	allowed := strings.Join(allow, ", ")
	w.Header().Set("Allow", allowed)
	if r.Method == http.MethodOptions {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return &httpError{err: errMethodNotAllowed, detail: fmt.Sprintf("%s does not allow %q; allowed: %s", clip.Text(r.URL.Path), clip.Text(r.Method), allowed)}
}

// Timeouts of the http.Server built by Serve.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10
	ShutdownTimeout   = 30 * time.Second
)

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting connections and waits up to ShutdownTimeout for
// in-flight requests to finish. It returns nil after a clean shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; waiting for in-flight requests", slog.Duration("timeout", ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
