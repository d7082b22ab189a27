package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/export/eforms"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// ProblemBase is the prefix of every problem type URI; the fragment names
// the problem, described in docs/api.md.
const ProblemBase = "https://github.com/footprint-gpp/footprint/blob/main/docs/api.md#"

// Problem is an RFC 9457 problem details object (application/problem+json).
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

// FieldError is one invalid field: a JSON Pointer (RFC 6901) into the
// request body, or the name of a query parameter, and what is wrong.
type FieldError struct {
	Pointer   string `json:"pointer"`
	Parameter string `json:"parameter,omitempty"`
	// BusinessTerm and XPath name the place of an eForms notice at fault
	// (POST /v1/tenders with an XML notice), e.g. BT-131(d)-Lot.
	BusinessTerm string `json:"business_term,omitempty"`
	XPath        string `json:"xpath,omitempty"`
	Detail       string `json:"detail"`
}

// Transport errors of the server itself; domain errors come from factors,
// methods, calc and bidjson.
var (
	errMalformed        = bidjson.ErrMalformed
	errMediaType        = errors.New("unsupported media type")
	errRouteNotFound    = errors.New("not found")
	errMethodNotAllowed = errors.New("method not allowed")
	errBadParameter     = errors.New("invalid parameter")
	errInternal         = errors.New("internal error")
	// errTooLarge is a body over its route's limit, known from its
	// Content-Length before it is read.
	errTooLarge = fmt.Errorf("request body: %w", bidjson.ErrTooLarge)
	// errTimeout is a request body that stopped arriving.
	errTimeout = errors.New("request body timeout")
	// errBusy is a request refused because its kind of work is at its
	// concurrency limit (POST /v1/batch); the answer carries Retry-After.
	errBusy = errors.New("busy")
)

// kind is one row of the error table: a sentinel, its HTTP status and its
// problem type.
type kind struct {
	err    error
	status int
	slug   string
	title  string
}

// errorTable maps every known error to a status and a problem type. It is
// walked in order with errors.Is; the first match wins, so more specific
// errors come first. An error that matches nothing is a 500.
var errorTable = []kind{
	{bidjson.ErrTooLarge, http.StatusRequestEntityTooLarge, "too-large", "Request body too large"},
	{errMalformed, http.StatusBadRequest, "malformed", "Malformed request"},
	{eforms.ErrTooLarge, http.StatusRequestEntityTooLarge, "too-large", "Request body too large"},
	{eforms.ErrMalformed, http.StatusBadRequest, "malformed", "Malformed request"},
	{eforms.ErrUnmappable, http.StatusUnprocessableEntity, "invalid-tender", "Invalid tender"},
	{errTimeout, http.StatusRequestTimeout, "timeout", "Request timeout"},
	{errBusy, http.StatusServiceUnavailable, "busy", "Service busy"},
	{errMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"},
	{errRouteNotFound, http.StatusNotFound, "not-found", "Not found"},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed"},
	{factors.ErrNotFound, http.StatusNotFound, "not-found", "Not found"},
	{batch.ErrHeader, http.StatusUnprocessableEntity, "invalid-csv", "Invalid CSV header"},
	{batch.ErrRecordTooLarge, http.StatusUnprocessableEntity, "invalid-csv", "CSV record too large"},
	{errBadParameter, http.StatusBadRequest, "invalid-parameter", "Invalid query parameter"},
	{methods.ErrUnknownMethod, http.StatusUnprocessableEntity, "unknown-method", "Unknown method"},
	{factors.ErrUnknownActivity, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{factors.ErrUnknownRegion, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{factors.ErrUnknownUnit, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{factors.ErrDimension, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{factors.ErrNoFactor, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{factors.ErrUnknownDataset, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{calc.ErrProductFactor, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	{calc.ErrBasis, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
	// Tenders (package tenders, tenders_api.go, auth.go): 401 for no or a wrong credential,
	// 403 for a right one on the wrong thing, 409 for a right one at the
	// wrong time.
	{errUnauthorized, http.StatusUnauthorized, "unauthorized", "Unauthorized"},
	{errTooManyGuesses, http.StatusTooManyRequests, "too-many-requests", "Too many failed credentials"},
	{errForbidden, http.StatusForbidden, "forbidden", "Forbidden"},
	{tenders.ErrForbidden, http.StatusForbidden, "forbidden", "Forbidden"},
	// Officer accounts (package officers, officers_api.go): a role that
	// may not do the action is 403 #forbidden.
	{officers.ErrUnauthenticated, http.StatusUnauthorized, "unauthorized", "Unauthorized"},
	{officers.ErrForbidden, http.StatusForbidden, "forbidden", "Forbidden"},
	{officers.ErrInvalid, http.StatusUnprocessableEntity, "invalid-officer", "Invalid officer"},
	{officers.ErrExists, http.StatusConflict, "officer-exists", "Officer id taken"},
	{officers.ErrNoAccounts, http.StatusServiceUnavailable, "no-database", "Tenders need a database"},
	// Single sign-on links (oidc.go, officers/oidc.go).
	{officers.ErrLinkTaken, http.StatusConflict, "oidc-subject-taken", "Single sign-on identity linked to another officer"},
	{officers.ErrNoLinks, http.StatusServiceUnavailable, "no-database", "Tenders need a database"},
	// An officer approving the opening of a tender whose committee does
	// not name them.
	{tender.ErrNotOpener, http.StatusForbidden, "not-opener", "Not on the opening committee"},
	{tenders.ErrNoStore, http.StatusServiceUnavailable, "no-database", "Tenders need a database"},
	// A write refused for want of disk space (the store's typed error;
	// its text, the driver's, is logged and replaced by diskFullDetail).
	{store.ErrDiskFull, http.StatusInsufficientStorage, "insufficient-storage", "Insufficient storage"},
	{tenders.ErrSealed, http.StatusConflict, "sealed", "Sealed until opened"},
	// Committee custody (issue 18): a bid of a tender whose key is split
	// among its openers opens only at the k-th approval (or with its own
	// bid token); an approval that does not unlock the opener's key share
	// (no personal token given) records nothing; an account row changed
	// outside footprint is not sealed to.
	{store.ErrCommitteeSealed, http.StatusConflict, "sealed", "Sealed until opened"},
	{store.ErrShareLocked, http.StatusForbidden, "share-locked", "Personal token needed"},
	{store.ErrAccountTag, http.StatusConflict, "account-tampered", "Account changed outside footprint"},
	{store.ErrAlreadyOpened, http.StatusConflict, "already-opened", "Tender already opened"},
	// The database's chain of the tender is behind the checkpoint kept
	// outside it (restored, truncated or rewritten): nothing is written
	// until an operator looks (footprint tenders verify).
	{store.ErrChainRolledBack, http.StatusConflict, "chain-rolled-back", "Audit chain behind its checkpoint"},
	// A bid whose content does not open its recorded commitment (sealed
	// in its place in the database): the opening stops, nothing opened.
	{store.ErrBidReplaced, http.StatusConflict, "bid-replaced", "A bid was replaced in the database"},
	{tender.ErrAlreadyOpened, http.StatusConflict, "already-opened", "Tender already opened"},
	// POST …/open of a tender whose committee needs k > 1 approvals, and
	// POST …/approvals of a tender made before committees.
	{tender.ErrApprovalsNeeded, http.StatusConflict, "approvals-needed", "Opening needs the committee's approvals"},
	{tender.ErrNoCommittee, http.StatusConflict, "no-committee", "Tender has no opening committee"},
	{tender.ErrDeadlinePassed, http.StatusConflict, "deadline-passed", "Deadline passed"},
	{tender.ErrTooEarly, http.StatusConflict, "too-early", "Deadline not passed yet"},
	{tender.ErrWithdrawn, http.StatusConflict, "withdrawn", "Bid withdrawn"},
	{tender.ErrCancelled, http.StatusConflict, "cancelled", "Tender cancelled"},
	{tender.ErrTenderFrozen, http.StatusConflict, "frozen", "Tender has bids"},
	{tender.ErrNotOpen, http.StatusConflict, "not-open", "Tender not open"},
	{tender.ErrMethodChanged, http.StatusConflict, "method-changed", "Pinned method changed"},
	{store.ErrIdempotencyConflict, http.StatusConflict, "idempotency-conflict", "Idempotency-Key cannot be used"},
	{tenders.ErrWeakIdempotencyKey, http.StatusUnprocessableEntity, "idempotency-key", "Idempotency-Key too weak"},
	{tender.ErrTooManyBids, http.StatusConflict, "too-many-bids", "Tender holds its maximum of bids"},
	{tenders.ErrBusy, http.StatusServiceUnavailable, "busy", "Service busy"},
	// The OCDS export without the publisher's public URL (serve
	// --public-url): the request is right, the server is not set up for it.
	{tenders.ErrNoPublicURL, http.StatusConflict, "no-public-url", "OCDS export needs a public URL"},
	{tenders.ErrInvalidTender, http.StatusUnprocessableEntity, "invalid-tender", "Invalid tender"},
	{tenders.ErrNoticeIncomplete, http.StatusUnprocessableEntity, "notice-incomplete", "Notice details incomplete"},
	{store.ErrNotFound, http.StatusNotFound, "not-found", "Not found"},
	{factors.ErrInvalid, http.StatusUnprocessableEntity, "invalid-bid", "Invalid bid"},
}

// diskFullDetail is the detail of a 507: what happened, what it means for
// the request, and what to do. The driver's message stays in the log.
const diskFullDetail = "the server's disk is full, so nothing of this request was stored; retry later (the server's log tells its operators)"

// pathNotFound marks a resource named in the URL path that does not exist
// (a method version, a factor id): always 404, whatever the cause.
type pathNotFound struct{ err error }

func (e *pathNotFound) Error() string { return e.err.Error() }
func (e *pathNotFound) Unwrap() error { return e.err }

// httpError is an error with its field errors, for problems the server
// finds itself (validation, parameters).
type httpError struct {
	err    error // a sentinel of the table
	detail string
	fields []FieldError
}

func (e *httpError) Error() string { return e.detail }
func (e *httpError) Unwrap() error { return e.err }

// problemFor builds the problem details of an error. It reports whether
// the error is unknown (and must be logged).
func problemFor(err error) (p Problem, unknown bool) {
	var pnf *pathNotFound
	k, ok := lookup(err)
	switch {
	case errors.As(err, &pnf):
		k = kind{status: http.StatusNotFound, slug: "not-found", title: "Not found"}
		if errors.Is(err, methods.ErrUnknownMethod) {
			k.slug, k.title = "unknown-method", "Unknown method"
		}
	case !ok:
		return Problem{Type: ProblemBase + "internal", Title: "Internal server error", Status: http.StatusInternalServerError,
			Detail: "the server could not complete the request; it has been logged", Errors: []FieldError{}}, true
	}
	p = Problem{Type: ProblemBase + k.slug, Title: k.title, Status: k.status, Detail: err.Error(), Errors: []FieldError{}}
	var he *httpError
	var de *bidjson.DocError
	var te *tenders.Error
	var be *calc.BidError
	switch {
	case k.err == store.ErrDiskFull:
		p.Detail = diskFullDetail
	case errors.As(err, &he):
		p.Errors = append(p.Errors, he.fields...)
	case errors.As(err, &de):
		for _, pr := range de.Problems {
			p.Errors = append(p.Errors, FieldError{Pointer: pr.Pointer, Detail: pr.Detail})
		}
	case errors.As(err, &te):
		for _, pr := range te.Problems {
			p.Errors = append(p.Errors, FieldError{Pointer: pr.Pointer, Detail: pr.Detail})
		}
		for _, pr := range te.Terms {
			p.Errors = append(p.Errors, FieldError{BusinessTerm: pr.Term, XPath: pr.XPath, Detail: pr.Detail})
		}
	case errors.As(err, &be):
		p.Detail = fmt.Sprintf("the bid has %d problem(s); see errors", len(be.Problems))
		for _, pr := range be.Problems {
			p.Errors = append(p.Errors, FieldError{Pointer: pr.Pointer, Detail: pr.Detail})
		}
	}
	return p, false
}

func lookup(err error) (kind, bool) {
	for _, k := range errorTable {
		if errors.Is(err, k.err) {
			return k, true
		}
	}
	return kind{}, false
}

// ProblemOf returns the problem details an error is answered with: its
// title, status, detail and invalid fields (the CLI prints them). An
// unknown error gives the generic 500 problem.
func ProblemOf(err error) Problem {
	p, _ := problemFor(err)
	return p
}

// StatusOf returns the HTTP status an error maps to.
func StatusOf(err error) int {
	p, _ := problemFor(err)
	return p.Status
}

// writeProblem renders an error as application/problem+json. Unknown
// errors are logged once here, with the request, and answered generically.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p, unknown := problemFor(err)
	if bodyBroken(r) {
		w.Header().Set("Connection", "close")
	}
	if unknown || p.Status == http.StatusInsufficientStorage {
		// A full disk is the operators' to fix: logged like an unknown
		// error, with the driver's message the answer leaves out.
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", clip.Text(r.Method)), slog.String("path", clip.Text(r.URL.Path)), slog.Any("err", err))
	}
	writeProblemRaw(w, p)
}

// writeProblemRaw writes a problem without logging.
func writeProblemRaw(w http.ResponseWriter, p Problem) {
	body, mErr := json.Marshal(p)
	if mErr != nil {
		body = []byte(`{"type":"` + ProblemBase + `internal","title":"Internal server error","status":500,"detail":"","errors":[]}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Disposition")
	w.WriteHeader(p.Status)
	w.Write(append(body, '\n'))
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: a returned error becomes a problem response.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			if sw, ok := w.(*statusWriter); ok && sw.wrote {
				s.log.DebugContext(r.Context(), "error after the response started", slog.String("path", clip.Text(r.URL.Path)), slog.Any("err", err))
				return
			}
			s.writeProblem(w, r, err)
		}
	})
}

// errTooLargeBatch marks a batch CSV body over MaxBatchBytes.
var errTooLargeBatch = fmt.Errorf("batch body: %w", bidjson.ErrTooLarge)

// errTooLargeForm marks a web-form submission over MaxFormBytes.
var errTooLargeForm = fmt.Errorf("form: %w", bidjson.ErrTooLarge)
