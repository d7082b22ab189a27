package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gorilla/mux"
	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// The REST routes of tenders (DESIGN "Tenders"; docs/api.md and
// docs/tenders.md). Storage is Config.Store; the rules are package
// tender's, applied with the clock Config.Now; authentication is in
// auth.go. Sealing: before a tender is opened, no answer carries a bid's
// price, lines, supplier or footprint, except GET of a bid to the holder
// of its token.

// MaxIDLen bounds a tender or bid id in a path or token.
const MaxIDLen = 100

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 255

// Errors of the tender routes, mapped in errors.go.
var (
	// errNoStore: the server runs without a database (503).
	errNoStore = errors.New("tenders need a database")
	// errSealed: an officer asked for sealed content before opening (409).
	errSealed = errors.New("sealed until the tender is opened")
	// errInvalidTender: the tender's fields are invalid (422).
	errInvalidTender = errors.New("invalid tender")
)

// tenderDeps is what the tender routes are built from.
type tenderDeps struct {
	store       store.Store
	officerHash string
	now         func() time.Time
}

func newTenderDeps(cfg Config) tenderDeps {
	d := tenderDeps{store: cfg.Store, officerHash: cfg.OfficerTokenHash, now: cfg.Now}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

// clock is now at tender.Stamp resolution.
func (d *tenderDeps) clock() time.Time { return tender.Stamp(d.now()) }

// ready refuses every tender route when the server has no database.
func (s *Server) ready() error {
	if s.tenders.store == nil {
		return &httpError{err: errNoStore, detail: "tenders need a database: serve --db URL (sqlite:PATH or postgres://…)"}
	}
	return nil
}

// pathIDs reads {id} and {bid_id}; an overlong one names nothing stored.
func pathIDs(r *http.Request) (id, bidID string, err error) {
	v := mux.Vars(r)
	id, bidID = v["id"], v["bid_id"]
	if len(id) > MaxIDLen || len(bidID) > MaxIDLen {
		return "", "", &pathNotFound{err: fmt.Errorf("%w: id %q is longer than %d characters", store.ErrNotFound, clip.Prefix(id+bidID), MaxIDLen)}
	}
	return id, bidID, nil
}

// loadTender returns the tender of the URL (404 when there is none).
func (s *Server) loadTender(ctx context.Context, id string) (tender.Tender, error) {
	t, err := s.tenders.store.Tender(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, &pathNotFound{err: fmt.Errorf("%w: no tender %q (see GET /v1/tenders)", store.ErrNotFound, clip.Prefix(id))}
	}
	return t, err
}

// TenderRequest is the body of POST /v1/tenders.
type TenderRequest struct {
	Reference string `json:"reference" validate:"max=200"`
	Title     string `json:"title" validate:"max=200"`
	Buyer     string `json:"buyer" validate:"max=200"`
	// Method is id@version, or id for its latest version; it is resolved
	// and pinned (with its digest) now.
	Method   string       `json:"method" validate:"max=100"`
	Currency string       `json:"currency" validate:"max=200"`
	Deadline string       `json:"deadline" validate:"max=64"`
	Award    AwardRequest `json:"award"`
}

// AwardRequest is a tender's award rule.
type AwardRequest struct {
	Rule            string            `json:"rule" validate:"max=200"`
	CarbonPricePerT *Number           `json:"carbon_price_per_t"`
	LadderDiscounts map[string]Number `json:"ladder_discounts"`
	Limits          string            `json:"limits" validate:"max=200"`
}

// TenderBidRequest is the body of POST /v1/tenders/{id}/bids.
type TenderBidRequest struct {
	Supplier    string        `json:"supplier" validate:"max=200"`
	Price       PriceRequest  `json:"price"`
	LadderLevel string        `json:"ladder_level" validate:"max=200"`
	Lines       []LineRequest `json:"lines" validate:"required,min=1,max=10000,dive"`
}

// PriceRequest is a bid's price: an exact amount (string or JSON number,
// at most 2 decimal places) and its currency.
type PriceRequest struct {
	Amount   Number `json:"amount" validate:"max=64"`
	Currency string `json:"currency" validate:"max=200"`
}

// TenderView is a tender as answered: its stored fields, with status the
// state at the time of the answer (closed once the deadline has passed).
type TenderView struct {
	tender.Tender
}

func viewTender(t tender.Tender, now time.Time) TenderView {
	t.Status = tender.State(t, now)
	return TenderView{t}
}

// TenderList is the answer of GET /v1/tenders.
type TenderList struct {
	Tenders []TenderView `json:"tenders"`
}

// BidDigests are the digests of a bid: its canonical JSON (tender.BidDigest,
// the one the audit trail carries) and its footprint report's result digest.
type BidDigests struct {
	Bid    string `json:"bid"`
	Result string `json:"result"`
}

func digestsOf(b tender.Bid) (BidDigests, error) {
	d, err := tender.BidDigest(b)
	return BidDigests{Bid: d, Result: b.Footprint.Receipt.ResultDigest}, err
}

// BidReceipt is the answer of a submission. BidToken is present only on
// the first answer (201); a replay of the same Idempotency-Key (200)
// carries the same bid id, time and digests but never the token again.
type BidReceipt struct {
	TenderID   string     `json:"tender_id"`
	BidID      string     `json:"bid_id"`
	BidToken   string     `json:"bid_token,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
	Digests    BidDigests `json:"digests"`
	Replayed   bool       `json:"replayed"`
	Note       string     `json:"note"`
}

// BidView is a bid as its token's holder (or an officer after opening)
// reads it: the stored bid with its amounts reported as the evaluation
// reports them, the price with MoneyRounding's places and the footprint's
// kg CO2e (total and limit values) rounded by the pinned method's rule,
// with its places ("26557.250"); Rounding states both rules.
type BidView struct {
	TenderID    string                `json:"tender_id"`
	ID          string                `json:"id"`
	Supplier    string                `json:"supplier"`
	Price       tender.ReportedPrice  `json:"price"`
	LadderLevel string                `json:"ladder_level,omitempty"`
	Lines       []calc.Line           `json:"lines"`
	ReceivedAt  time.Time             `json:"received_at"`
	WithdrawnAt *time.Time            `json:"withdrawn_at,omitempty"`
	Footprint   BidFootprint          `json:"footprint"`
	Rounding    tender.ReportRounding `json:"rounding"`
	Digests     BidDigests            `json:"digests"`
}

// BidFootprint is a bid's footprint as reported: the total and each
// limit's value rounded by the method's rule, the declared limit as
// declared, and the receipt with its digests.
type BidFootprint struct {
	KgCO2e  tender.Fixed `json:"kg_co2e"`
	Limits  []BidLimit   `json:"limits"`
	Receipt calc.Receipt `json:"receipt"`
}

// BidLimit is one procurement limit checked on one line of a bid.
type BidLimit struct {
	ID     string          `json:"id"`
	LineID string          `json:"line_id"`
	Limit  decimal.Decimal `json:"limit"`
	Value  tender.Fixed    `json:"value"`
	Unit   string          `json:"unit"`
	Pass   bool            `json:"pass"`
}

// ViewBid is bid b of tender tenderID as GET
// /v1/tenders/{id}/bids/{bid_id} answers it, kg CO2e rounded by kg (the
// pinned method's rule).
func ViewBid(tenderID string, b tender.Bid, kg methods.Rounding) (BidView, error) {
	dg, err := digestsOf(b)
	if err != nil {
		return BidView{}, err
	}
	v := BidView{TenderID: tenderID, ID: b.ID, Supplier: b.Supplier, Price: tender.ReportPrice(b.Price), LadderLevel: b.LadderLevel,
		Lines: b.Lines, ReceivedAt: b.ReceivedAt.UTC(), WithdrawnAt: b.WithdrawnAt,
		Footprint: BidFootprint{KgCO2e: tender.NewFixed(b.Footprint.KgCO2e, kg), Limits: make([]BidLimit, len(b.Footprint.Limits)), Receipt: b.Footprint.Receipt},
		Rounding:  tender.ReportRounding{Money: tender.MoneyRounding, KgCO2e: kg}, Digests: dg}
	for i, l := range b.Footprint.Limits {
		v.Footprint.Limits[i] = BidLimit{ID: l.ID, LineID: l.LineID, Limit: l.Limit, Value: tender.NewFixed(l.Value, kg), Unit: l.Unit, Pass: l.Pass}
	}
	return v, nil
}

// pinnedMethod resolves tender t's pinned method, which must still have
// the pinned digest (its rounding rule reports the bids' kg CO2e).
func (s *Server) pinnedMethod(t tender.Tender) (*methods.Method, error) {
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return nil, fmt.Errorf("%w: %s is no longer served: %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	if m.Digest != t.Method.Digest {
		return nil, fmt.Errorf("%w: %s has digest %s, the tender pins %s", tender.ErrMethodChanged, t.Method.Ref(), clip.Prefix(m.Digest), clip.Prefix(t.Method.Digest))
	}
	return m, nil
}

// SealedBid is what an officer sees of a bid before opening (and in the
// list after it): no price, lines, supplier or footprint.
type SealedBid struct {
	BidID      string     `json:"bid_id"`
	ReceivedAt time.Time  `json:"received_at"`
	Withdrawn  bool       `json:"withdrawn"`
	Digests    BidDigests `json:"digests"`
}

// SealedBids is the answer of GET /v1/tenders/{id}/bids.
type SealedBids struct {
	TenderID string      `json:"tender_id"`
	Status   string      `json:"status"`
	Count    int         `json:"count"`
	Active   int         `json:"active"`
	Bids     []SealedBid `json:"bids"`
}

// postTender answers POST /v1/tenders (officer).
func (s *Server) postTender(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := s.requireOfficer(w, r, ""); err != nil {
		return err
	}
	var req TenderRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	now := s.tenders.clock()
	t, err := newTender(s.validate, s.reg, req, now)
	if err != nil {
		return err
	}
	stored, err := s.tenders.store.CreateTender(r.Context(), t, officerActor)
	if err != nil {
		return invalidAs(err, errInvalidTender)
	}
	w.Header().Set("Location", "/v1/tenders/"+stored.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, viewTender(stored, now))
}

// DecodeTenderRequest reads a tender (the body of POST /v1/tenders) as the
// API does: one JSON object, strictly (duplicate keys, unknown fields and
// wrong types are errors with their JSON Pointers), at most MaxBodyBytes.
// The CLI (footprint tenders create) reads its file with it.
func DecodeTenderRequest(body io.Reader) (TenderRequest, error) {
	var req TenderRequest
	raw, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return req, err
	}
	if len(raw) > MaxBodyBytes {
		return req, fmt.Errorf("%w: the tender is over %d bytes", bidjson.ErrTooLarge, MaxBodyBytes)
	}
	return req, decodeReader(bytes.NewReader(raw), &req)
}

// NewTender turns a decoded tender request into a new tender, as POST
// /v1/tenders does: the fields validated, the method resolved in reg and
// pinned with its digest, status open, created now; every problem is
// reported with its JSON Pointer (ProblemOf lists them).
func NewTender(reg *methods.Registry, req TenderRequest, now time.Time) (tender.Tender, error) {
	return newTender(newValidator(), reg, req, now)
}

// newTender is NewTender with the server's validator (built once).
func newTender(v *validator.Validate, reg *methods.Registry, req TenderRequest, now time.Time) (tender.Tender, error) {
	if err := validateWith(v, &req); err != nil {
		var he *httpError
		if errors.As(err, &he) {
			he.err = errInvalidTender
		}
		return tender.Tender{}, err
	}
	m, err := resolveRef(reg, req.Method, "/method", "")
	if err != nil {
		return tender.Tender{}, err
	}
	return toTender(req, m, now)
}

// toTender converts a validated request to a tender pinned to m, and runs
// the domain's validation; every problem is reported by pointer.
func toTender(req TenderRequest, m *methods.Method, now time.Time) (tender.Tender, error) {
	var fields []FieldError
	t := tender.Tender{Reference: req.Reference, Title: req.Title, Buyer: req.Buyer, Currency: req.Currency,
		Method: tender.Pin(m), Status: tender.StatusOpen, Created: now,
		Award: tender.Award{Rule: tender.Rule(req.Award.Rule), Limits: tender.LimitsRule(req.Award.Limits)}}
	if dl, err := time.Parse(time.RFC3339, req.Deadline); err != nil {
		fields = append(fields, FieldError{Pointer: "/deadline", Detail: fmt.Sprintf("%q is not an RFC 3339 time; give e.g. 2026-12-01T12:00:00Z", clip.Prefix(req.Deadline))})
	} else {
		t.Deadline = tender.Stamp(dl)
	}
	if req.Award.CarbonPricePerT != nil {
		d, err := tender.ParseAmount(string(*req.Award.CarbonPricePerT))
		if err != nil {
			fields = append(fields, FieldError{Pointer: "/award/carbon_price_per_t", Detail: "carbon price per tonne: " + amountDetail(err)})
		} else {
			t.Award.CarbonPricePerT = &d
		}
	}
	if req.Award.LadderDiscounts != nil {
		t.Award.LadderDiscounts = make(map[string]decimal.Decimal, len(req.Award.LadderDiscounts))
		levels := make([]string, 0, len(req.Award.LadderDiscounts))
		for l := range req.Award.LadderDiscounts {
			levels = append(levels, l)
		}
		sort.Strings(levels)
		for _, l := range levels {
			v := req.Award.LadderDiscounts[l]
			d, err := tender.ParseAmount(string(v))
			if err != nil {
				fields = append(fields, FieldError{Pointer: "/award/ladder_discounts/" + escapePointer(clip.Prefix(l)), Detail: "discount (a fraction, e.g. 0.04): " + amountDetail(err)})
				continue
			}
			t.Award.LadderDiscounts[l] = d
		}
	}
	if err := tender.ValidateTender(t, now); err != nil {
		var ve *tender.ValidationError
		if !errors.As(err, &ve) {
			return t, err
		}
		for _, p := range ve.Problems {
			if p.Pointer == "/deadline" && t.Deadline.IsZero() && len(fields) > 0 && fields[0].Pointer == "/deadline" {
				continue // already said: unparsable
			}
			fields = append(fields, FieldError{Pointer: p.Pointer, Detail: p.Detail})
		}
	}
	if len(fields) > 0 {
		return t, &httpError{err: errInvalidTender, detail: fmt.Sprintf("the tender has %d problem(s); see errors", len(fields)), fields: fields}
	}
	return t, nil
}

// invalidAs turns a domain *tender.ValidationError into a 422 with its
// pointers under sentinel kind; other errors pass unchanged.
func invalidAs(err error, kind error) error {
	var ve *tender.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := make([]FieldError, len(ve.Problems))
	for i, p := range ve.Problems {
		fields[i] = FieldError{Pointer: p.Pointer, Detail: p.Detail}
	}
	return &httpError{err: kind, detail: fmt.Sprintf("the %s has %d problem(s); see errors", ve.What, len(fields)), fields: fields}
}

// getTenders answers GET /v1/tenders (officer).
func (s *Server) getTenders(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := s.requireOfficer(w, r, ""); err != nil {
		return err
	}
	ts, err := s.tenders.store.Tenders(r.Context())
	if err != nil {
		return err
	}
	now := s.tenders.clock()
	out := TenderList{Tenders: make([]TenderView, len(ts))}
	for i, t := range ts {
		out.Tenders[i] = viewTender(t, now)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// getTender answers GET /v1/tenders/{id}: the public notice (anyone).
func (s *Server) getTender(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	id, _, err := pathIDs(r)
	if err != nil {
		return err
	}
	t, err := s.loadTender(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	return writeJSON(w, http.StatusOK, viewTender(t, s.tenders.clock()))
}

// postTenderBid answers POST /v1/tenders/{id}/bids (a supplier; no
// credential): the bid is checked, its footprint computed under the
// pinned method, and stored with its token's hash.
func (s *Server) postTenderBid(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	id, _, err := pathIDs(r)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > MaxIdempotencyKey || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		d := fmt.Sprintf("Idempotency-Key: at most %d visible ASCII characters, e.g. a UUID", MaxIdempotencyKey)
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "Idempotency-Key", Detail: d}}}
	}
	t, err := s.loadTender(r.Context(), id)
	if err != nil {
		return err
	}
	now := s.tenders.clock()
	if key == "" {
		// Fail early, before the footprint is computed; the store checks
		// again in the transaction that writes. With a key, a retry of a
		// bid received before the deadline must still be answered.
		if err := tender.CanSubmit(t, now); err != nil {
			return err
		}
	}
	var req TenderBidRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.validateStruct(&req); err != nil {
		return err
	}
	cb, err := toBid(s.parseEPD, t.Method.Ref(), t.Reference, req.Supplier, req.Lines)
	if err != nil {
		return err
	}
	amount, err := tender.ParseAmount(string(req.Price.Amount))
	if err != nil {
		d := "price amount: " + amountDetail(err)
		return &httpError{err: factors.ErrInvalid, detail: d, fields: []FieldError{{Pointer: "/price/amount", Detail: d}}}
	}
	m, err := s.reg.Resolve(t.Method.Ref())
	if err != nil {
		return fmt.Errorf("%w: %s is no longer served: %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	b := tender.Bid{Supplier: req.Supplier, Price: tender.Price{Amount: amount, Currency: req.Price.Currency}, LadderLevel: req.LadderLevel, Lines: cb.Lines}
	prepared, _, err := tender.PrepareBid(t, m, s.engine, b, now)
	if err != nil {
		return invalidAs(err, factors.ErrInvalid)
	}
	secret, hash, err := newBidToken()
	if err != nil {
		return err
	}
	stored, replayed, err := s.tenders.store.SubmitBid(r.Context(), id, prepared, hash, key, now)
	if err != nil {
		return err
	}
	dg, err := digestsOf(stored)
	if err != nil {
		return err
	}
	out := BidReceipt{TenderID: id, BidID: stored.ID, ReceivedAt: stored.ReceivedAt.UTC(), Digests: dg, Replayed: replayed}
	status := http.StatusOK
	if replayed {
		w.Header().Set("Idempotency-Replayed", "true")
		out.Note = "a replay of an earlier submission with the same Idempotency-Key: the bid token was shown once, in the first answer, and is not shown again"
	} else {
		status = http.StatusCreated
		out.BidToken = bidToken(stored.ID, secret)
		out.Note = "keep the bid token: it is shown only this once and is needed to read or withdraw the bid"
		w.Header().Set("Location", "/v1/tenders/"+id+"/bids/"+stored.ID)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, out)
}

// getTenderBid answers GET /v1/tenders/{id}/bids/{bid_id}: the bid's own
// token at any time; an officer only after opening (409 before).
func (s *Server) getTenderBid(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	id, bidID, err := pathIDs(r)
	if err != nil {
		return err
	}
	t, err := s.loadTender(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.identify(w, r, id, bidID)
	if err != nil {
		return err
	}
	switch {
	case c.officer && t.Status != tender.StatusOpened:
		return &httpError{err: errSealed, detail: "bids are sealed until the tender is opened (POST /v1/tenders/{id}/open after the deadline); before, GET /v1/tenders/{id}/bids lists their ids, times and digests"}
	case !c.officer && c.bid != bidID:
		return &httpError{err: errForbidden, detail: "this bid token is for another bid; it reads and withdraws its own bid only"}
	}
	b, _, err := s.tenders.store.Bid(r.Context(), id, bidID)
	if errors.Is(err, store.ErrNotFound) {
		return &pathNotFound{err: fmt.Errorf("%w: no bid %q in this tender", store.ErrNotFound, clip.Prefix(bidID))}
	}
	if err != nil {
		return err
	}
	m, err := s.pinnedMethod(t)
	if err != nil {
		return err
	}
	v, err := ViewBid(id, b, m.Rounding)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, v)
}

// deleteTenderBid answers DELETE /v1/tenders/{id}/bids/{bid_id}: its
// token withdraws the bid before the deadline (204); the bid is kept and
// the withdrawal audited.
func (s *Server) deleteTenderBid(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	id, bidID, err := pathIDs(r)
	if err != nil {
		return err
	}
	if _, err := s.loadTender(r.Context(), id); err != nil {
		return err
	}
	c, err := s.identify(w, r, id, bidID)
	if err != nil {
		return err
	}
	switch {
	case c.officer:
		return &httpError{err: errForbidden, detail: "only the supplier withdraws a bid, with its bid token"}
	case c.bid != bidID:
		return &httpError{err: errForbidden, detail: "this bid token is for another bid; it withdraws its own bid only"}
	}
	if err := s.tenders.store.WithdrawBid(r.Context(), id, bidID, s.tenders.clock()); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getTenderBids answers GET /v1/tenders/{id}/bids (officer): ids, receipt
// times, withdrawals and digests only, before and after opening.
func (s *Server) getTenderBids(w http.ResponseWriter, r *http.Request) error {
	id, t, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	bids, err := s.tenders.store.Bids(r.Context(), id)
	if err != nil {
		return err
	}
	out, err := Seal(t, bids, s.tenders.clock())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// Seal is what an officer may see of tender t's bids at now, before and
// after opening: ids, receipt times, withdrawals and digests, never a
// price, line, supplier or footprint. GET /v1/tenders/{id}/bids answers
// it; footprint tenders show prints it.
func Seal(t tender.Tender, bids []tender.Bid, now time.Time) (SealedBids, error) {
	out := SealedBids{TenderID: t.ID, Status: string(tender.State(t, now)), Count: len(bids), Bids: make([]SealedBid, len(bids))}
	for i, b := range bids {
		dg, err := digestsOf(b)
		if err != nil {
			return out, err
		}
		out.Bids[i] = SealedBid{BidID: b.ID, ReceivedAt: b.ReceivedAt.UTC(), Withdrawn: b.WithdrawnAt != nil, Digests: dg}
		if b.WithdrawnAt == nil {
			out.Active++
		}
	}
	return out, nil
}

// officerTender is the common start of the officer routes of one tender:
// a database, an officer, and the tender.
func (s *Server) officerTender(w http.ResponseWriter, r *http.Request) (string, tender.Tender, error) {
	if err := s.ready(); err != nil {
		return "", tender.Tender{}, err
	}
	id, _, err := pathIDs(r)
	if err != nil {
		return "", tender.Tender{}, err
	}
	if err := s.requireOfficer(w, r, id); err != nil {
		return "", tender.Tender{}, err
	}
	t, err := s.loadTender(r.Context(), id)
	return id, t, err
}

// postTenderOpen answers POST /v1/tenders/{id}/open (officer, after the
// deadline): the evaluation is computed under the pinned method and stored
// with the opening, in one transaction.
func (s *Server) postTenderOpen(w http.ResponseWriter, r *http.Request) error {
	id, t, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	ev, err := OpenTender(r.Context(), s.tenders.store, s.reg, t, officerActor, s.tenders.clock())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/tenders/"+id+"/evaluation")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, ev)
}

// openedEvaluation returns an opened tender's evaluation (409 before).
func (s *Server) openedEvaluation(ctx context.Context, id string, t tender.Tender) (*tender.Evaluation, error) {
	if t.Status != tender.StatusOpened {
		return nil, &httpError{err: errSealed, detail: "the tender is not opened yet: POST /v1/tenders/{id}/open after the deadline computes the evaluation"}
	}
	return s.tenders.store.Evaluation(ctx, id)
}

// exported appends an exported event (not for HEAD, which sends nothing).
func (s *Server) exported(r *http.Request, id string, digests tender.Digests) error {
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := s.tenders.store.AppendEvent(r.Context(), id, tender.EventExported, officerActor, digests, s.tenders.clock())
	return err
}

// evaluationCSVHeader is the header of GET …/evaluation?format=csv.
var evaluationCSVHeader = []string{"rank", "bid_id", "supplier", "received_at", "price", "currency", "ladder_level", "kg_co2e", "notional_price", "excluded", "reason", "failed_limits"}

// getTenderEvaluation answers GET /v1/tenders/{id}/evaluation (officer,
// after opening): JSON, or CSV with ?format=csv.
func (s *Server) getTenderEvaluation(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		d := fmt.Sprintf("format %q: use json (the default) or csv", clip.Prefix(format))
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "format", Detail: d}}}
	}
	id, t, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	ev, err := s.openedEvaluation(r.Context(), id, t)
	if err != nil {
		return err
	}
	if err := s.exported(r, id, tender.Digests{tender.DigestEvaluation: ev.Digest}); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Evaluation-Digest", ev.Digest)
	if format != "csv" {
		return writeJSON(w, http.StatusOK, ev)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="evaluation-`+safeName(id)+`.csv"`)
	w.WriteHeader(http.StatusOK)
	return WriteEvaluationCSV(w, ev)
}

// WriteEvaluationCSV writes the ranking, one bid a row, as GET
// …/evaluation?format=csv answers it; texts that a spreadsheet would run
// as formulas are neutralised. (CSV is an encoding of the edge, so it
// lives here, not in package tender.)
func WriteEvaluationCSV(w io.Writer, ev *tender.Evaluation) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(evaluationCSVHeader); err != nil {
		return err
	}
	for _, rk := range ev.Ranking {
		rank := ""
		if rk.Rank != nil {
			rank = strconv.Itoa(*rk.Rank)
		}
		row := []string{rank, neutralise(rk.BidID), neutralise(rk.Supplier), rk.ReceivedAt.UTC().Format(time.RFC3339Nano),
			rk.Price.Amount.Decimal().StringFixed(tender.MoneyRounding.Places), rk.Price.Currency, neutralise(rk.LadderLevel), rk.KgCO2e.String(), rk.NotionalPrice.String(),
			strconv.FormatBool(rk.Excluded), neutralise(rk.Reason), neutralise(strings.Join(rk.FailedLimits, "; "))}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// getTenderAudit answers GET /v1/tenders/{id}/audit (officer): the chain
// and whether it verifies against the stored tender and bids.
func (s *Server) getTenderAudit(w http.ResponseWriter, r *http.Request) error {
	id, _, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	res, err := s.tenders.store.Verify(r.Context(), id)
	if err != nil {
		return err
	}
	if res.Events == nil {
		res.Events = []tender.Event{}
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, res)
}

// getTenderOCDS answers GET /v1/tenders/{id}/ocds (officer): an OCDS 1.1
// release package of the tender, and after opening its bids and award.
func (s *Server) getTenderOCDS(w http.ResponseWriter, r *http.Request) error {
	id, t, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	body, digests, err := OCDS(r.Context(), s.tenders.store, t, s.tenders.clock())
	if err != nil {
		return err
	}
	if err := s.exported(r, id, digests); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeRaw(w, http.StatusOK, body)
}

// OCDS returns tender t's OCDS 1.1 release package as GET
// /v1/tenders/{id}/ocds answers it at now (JSON and a newline; after the
// opening with its bids and award, read from st), and the digests its
// exported event records: the package's SHA-256 (named ocds) and, once
// opened, the evaluation's digest (evaluation). The caller appends that
// event.
func OCDS(ctx context.Context, st store.Store, t tender.Tender, now time.Time) (body []byte, digests tender.Digests, err error) {
	var ev *tender.Evaluation
	var bids []tender.Bid
	if t.Status == tender.StatusOpened {
		if ev, err = st.Evaluation(ctx, t.ID); err != nil {
			return nil, nil, err
		}
		if bids, err = st.Bids(ctx, t.ID); err != nil {
			return nil, nil, err
		}
	}
	pkg := buildOCDS(t, ev, bids, now, "/v1/tenders/"+t.ID+"/ocds")
	if body, err = json.Marshal(pkg); err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(body)
	digests = tender.Digests{tender.DigestOCDS: hex.EncodeToString(sum[:])}
	if ev != nil {
		digests[tender.DigestEvaluation] = ev.Digest
	}
	return append(body, '\n'), digests, nil
}

// OpenTender opens tender t at now in st, as actor: it resolves the pinned
// method in reg (which must still have the pinned digest: tender.Evaluate
// checks it) and has the store evaluate the bids in the transaction that
// opens. The REST route, the web page and the CLI all open through it.
func OpenTender(ctx context.Context, st store.Store, reg *methods.Registry, t tender.Tender, actor string, now time.Time) (*tender.Evaluation, error) {
	if err := tender.CanOpen(t, now); err != nil {
		return nil, err
	}
	m, err := reg.Resolve(t.Method.Ref())
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not among the methods served (load its file with --methods DIR if it came from one): %v", tender.ErrMethodChanged, t.Method.Ref(), err)
	}
	return st.Open(ctx, t.ID, actor, now, func(t tender.Tender, bids []tender.Bid) (*tender.Evaluation, error) {
		return tender.Evaluate(t, m, bids)
	})
}
