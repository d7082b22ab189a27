package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// The REST routes of tenders (DESIGN "Tenders"; docs/api.md and
// docs/tenders.md): HTTP only. The use cases are package tenders'
// (Server.svc, built from Config.Store, Registry, Engine and Now);
// authentication is in auth.go. Sealing: before a tender is opened, no
// answer carries a bid's price, lines, supplier or footprint, except GET
// of a bid to the holder of its token.

// MaxIDLen bounds a tender or bid id in a path or token.
const MaxIDLen = tenders.MaxIDLen

// MaxIdempotencyKey bounds the Idempotency-Key header
// (tenders.CheckIdempotencyKey says what else a key must be).
const MaxIdempotencyKey = tenders.MaxIdempotencyKey

// tenderDeps is what authentication (auth.go) and the clock of the other
// routes need beyond the service.
type tenderDeps struct {
	store       store.Store
	officerHash string
	now         func() time.Time
	// officers authenticates officers (the bootstrap token, personal
	// tokens, sessions) and manages their accounts.
	officers *officers.Service
}

func newTenderDeps(cfg Config) tenderDeps {
	d := tenderDeps{store: cfg.Store, officerHash: cfg.OfficerTokenHash, now: cfg.Now}
	if d.now == nil {
		d.now = time.Now
	}
	oc := officers.Config{BootstrapHash: cfg.OfficerTokenHash, Now: d.now, Params: cfg.OfficerHashParams}
	if cfg.Store != nil {
		if acc, ok := store.AccountsOf(cfg.Store); ok {
			oc.Accounts = acc
		}
	}
	d.officers = officers.New(oc)
	return d
}

// ready refuses every tender route when the server has no database.
func (s *Server) ready() error {
	if err := s.svc.Ready(); err != nil {
		return &httpError{err: err, detail: "tenders need a database: serve --db URL (sqlite:PATH or postgres://…)"}
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
	t, err := s.svc.Tender(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, &pathNotFound{err: fmt.Errorf("%w: no tender %q (see GET /v1/tenders)", store.ErrNotFound, clip.Prefix(id))}
	}
	return t, err
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

// TenderList is the answer of GET /v1/tenders.
type TenderList struct {
	Tenders []tenders.TenderView `json:"tenders"`
}

// BidReceipt is the answer of a submission. BidToken is present only on
// the first answer (201); a replay of the same Idempotency-Key (200)
// carries the same bid id, time and digests but never the token again.
type BidReceipt struct {
	TenderID   string             `json:"tender_id"`
	BidID      string             `json:"bid_id"`
	BidToken   string             `json:"bid_token,omitempty"`
	ReceivedAt time.Time          `json:"received_at"`
	Digests    tenders.BidDigests `json:"digests"`
	// Commitment is the bid's salted commitment, as the sealed list and
	// the audit trail show it until opening.
	Commitment string `json:"commitment,omitempty"`
	// SignedHead is the audit chain's head just after the bid's receipt,
	// signed with the server's key (kept outside the database): keep it
	// with the token; footprint tenders verify --receipt checks that the
	// bid is still in the chain at its place. Absent on a replay.
	SignedHead string `json:"signed_head,omitempty"`
	Replayed   bool   `json:"replayed"`
	Note       string `json:"note"`
}

// postTender answers POST /v1/tenders (officer).
func (s *Server) postTender(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(); err != nil {
		return err
	}
	who, err := s.requireOfficer(w, r, "")
	if err != nil {
		return err
	}
	now := s.svc.Now()
	var t tender.Tender
	if isXML(r) || r.URL.Query().Get("from") == "eforms" {
		var err error
		if t, err = s.tenderFromEForms(r, now); err != nil {
			return err
		}
	} else {
		var req tenders.TenderRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		var err error
		if t, err = tenders.NewTender(s.reg, req, now); err != nil {
			return err
		}
	}
	stored, err := s.svc.Create(r.Context(), t, who)
	if err != nil {
		return invalidAs(err, tenders.ErrInvalidTender)
	}
	w.Header().Set("Location", "/v1/tenders/"+stored.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, tenders.ViewTender(stored, now))
}

// isXML reports whether the request body is XML (application/xml,
// text/xml or any +xml type).
func isXML(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// eformsParams are the query parameters of POST /v1/tenders with an
// eForms notice (tenders.EFormsOptions).
var eformsParams = []string{"method", "limits", "deadline", "currency", "carbon_price_per_t", "lot"}

// tenderFromEForms reads the tender of POST /v1/tenders from an eForms
// contract notice in the body (docs/tenders.md "Creating a tender from an
// eForms notice"), with the query parameters of eformsParams. Problems of
// the notice name their business term and XPath; problems of a parameter
// name it.
func (s *Server) tenderFromEForms(r *http.Request, now time.Time) (tender.Tender, error) {
	if err := checkMedia(r, "application/xml", func(mt string) bool {
		return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
	}); err != nil {
		return tender.Tender{}, err
	}
	q := r.URL.Query()
	var long []FieldError
	for _, p := range eformsParams {
		if len(q.Get(p)) > MaxStringLen {
			long = append(long, FieldError{Parameter: p, Detail: fmt.Sprintf("too long: at most %d bytes", MaxStringLen)})
		}
	}
	if len(long) > 0 {
		return tender.Tender{}, &httpError{err: errBadParameter, detail: fmt.Sprintf("%d invalid query parameter(s); see errors", len(long)), fields: long}
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return tender.Tender{}, readError(err)
	}
	opt := tenders.EFormsOptions{Method: q.Get("method"), Limits: q.Get("limits"), Deadline: q.Get("deadline"),
		Currency: q.Get("currency"), CarbonPricePerT: q.Get("carbon_price_per_t"), Lot: q.Get("lot")}
	t, _, err := tenders.NewTenderFromEForms(s.reg, bytes.NewReader(raw), opt, now)
	var te *tenders.Error
	if errors.As(err, &te) {
		fields := make([]FieldError, 0, len(te.Problems)+len(te.Terms))
		for _, p := range te.Problems {
			f := FieldError{Pointer: p.Pointer, Detail: p.Detail}
			if o := tenders.OptionOf(p.Pointer); o != "" {
				f = FieldError{Parameter: o, Detail: p.Detail}
			}
			fields = append(fields, f)
		}
		for _, p := range te.Terms {
			fields = append(fields, FieldError{BusinessTerm: p.Term, XPath: p.XPath, Detail: p.Detail})
		}
		return t, &httpError{err: te.Err, detail: te.Detail, fields: fields}
	}
	return t, err
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
	if _, err := s.requireOfficer(w, r, ""); err != nil {
		return err
	}
	ts, err := s.svc.Tenders(r.Context())
	if err != nil {
		return err
	}
	now := s.svc.Now()
	out := TenderList{Tenders: make([]tenders.TenderView, len(ts))}
	for i, t := range ts {
		out.Tenders[i] = tenders.ViewTender(t, now)
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
	return writeJSON(w, http.StatusOK, tenders.ViewTender(t, s.svc.Now()))
}

// postTenderBid answers POST /v1/tenders/{id}/bids (a supplier; no
// credential): the bid is read here, then computed, checked and stored by
// the service with its token's hash.
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
		d := fmt.Sprintf("Idempotency-Key: at most %d visible ASCII characters; %s", MaxIdempotencyKey, tenders.KeyAdvice)
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "Idempotency-Key", Detail: d}}}
	}
	if key != "" {
		if err := tenders.CheckIdempotencyKey(key); err != nil {
			return &httpError{err: err, detail: err.Error(), fields: []FieldError{{Parameter: "Idempotency-Key", Detail: err.Error()}}}
		}
	}
	t, err := s.loadTender(r.Context(), id)
	if err != nil {
		return err
	}
	// Fail early, before the footprint is computed.
	if err := s.svc.CanSubmit(t, key); err != nil {
		return err
	}
	// At most tenders.MaxConcurrentSubmissions units of body of one tender
	// are read and computed at once.
	release, err := s.svc.Admit(t.ID, r.ContentLength)
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(tenders.SubmitRetryAfterSeconds))
		return err
	}
	defer release()
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
		d := "price amount: " + tender.AmountProblem(err)
		return &httpError{err: factors.ErrInvalid, detail: d, fields: []FieldError{{Pointer: "/price/amount", Detail: d}}}
	}
	secret, err := tender.NewToken()
	if err != nil {
		return err
	}
	b := tender.Bid{Supplier: req.Supplier, Price: tender.Price{Amount: amount, Currency: req.Price.Currency}, LadderLevel: req.LadderLevel, Lines: cb.Lines}
	sub, err := s.svc.Submit(r.Context(), t, b, secret, key)
	if err != nil {
		return invalidAs(err, factors.ErrInvalid)
	}
	out := BidReceipt{TenderID: id, BidID: sub.Bid.ID, ReceivedAt: sub.Bid.ReceivedAt.UTC(), Digests: sub.Digests, Commitment: sub.Bid.Commitment, SignedHead: sub.Bid.SignedHead, Replayed: sub.Replayed}
	status := http.StatusOK
	if sub.Replayed {
		w.Header().Set("Idempotency-Replayed", "true")
		out.Note = "a replay of an earlier submission with the same Idempotency-Key: the bid token was shown once, in the first answer, and is not shown again"
	} else {
		status = http.StatusCreated
		out.BidToken = bidToken(sub.Bid.ID, secret)
		out.Note = "keep the bid token: it is shown only this once and is needed to read or withdraw the bid"
		w.Header().Set("Location", "/v1/tenders/"+id+"/bids/"+sub.Bid.ID)
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
	v, err := s.svc.ReadBid(r.Context(), t, bidID, tenders.Caller{Officer: c.officer, Bid: c.bid, Token: c.secret})
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
	if err := s.svc.Withdraw(r.Context(), id, bidID, tenders.Caller{Officer: c.officer, Bid: c.bid}); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getTenderBids answers GET /v1/tenders/{id}/bids (officer): ids, receipt
// times, withdrawals and salted commitments only, before and after opening.
func (s *Server) getTenderBids(w http.ResponseWriter, r *http.Request) error {
	_, t, _, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	startFromHeld()
	out, err := s.svc.Sealed(r.Context(), t)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeStream(w, http.StatusOK, out.WriteJSON)
}

// officerTender is the common start of the officer routes of one tender:
// a database, an officer (who, whose role the use cases check), and the
// tender.
func (s *Server) officerTender(w http.ResponseWriter, r *http.Request) (string, tender.Tender, officers.Actor, error) {
	if err := s.ready(); err != nil {
		return "", tender.Tender{}, officers.Actor{}, err
	}
	id, _, err := pathIDs(r)
	if err != nil {
		return "", tender.Tender{}, officers.Actor{}, err
	}
	who, err := s.requireOfficer(w, r, id)
	if err != nil {
		return "", tender.Tender{}, officers.Actor{}, err
	}
	t, err := s.loadTender(r.Context(), id)
	return id, t, who, err
}

// postTenderOpen answers POST /v1/tenders/{id}/open (officer, after the
// deadline): the evaluation is computed under the pinned method and stored
// with the opening, in one transaction. A tender whose committee needs
// k > 1 approvals is 409 approvals-needed (POST …/approvals); for one of
// k = 1, the opening is its opener's approval.
func (s *Server) postTenderOpen(w http.ResponseWriter, r *http.Request) error {
	id, t, who, err := s.officerTender(w, r)
	if err == nil {
		who, err = s.withPersonalToken(w, r, who, r.Header.Get(PersonalTokenHeader))
	}
	if err != nil {
		return err
	}
	startFromHeld()
	ev, err := s.svc.Open(r.Context(), t, who)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/tenders/"+id+"/evaluation")
	w.Header().Set("Cache-Control", "no-store")
	return writeStream(w, http.StatusOK, func(w io.Writer) error {
		if err := ev.WriteJSON(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	})
}

// postTenderApproval answers POST /v1/tenders/{id}/approvals (officer,
// after the deadline): the officer's approval of the opening, as the
// approving person (an opener of the tender's committee: 403 otherwise).
// A repeat records nothing; the committee's k-th distinct approval opens
// the tender, and the answer then carries the evaluation.
func (s *Server) postTenderApproval(w http.ResponseWriter, r *http.Request) error {
	id, t, who, err := s.officerTender(w, r)
	if err == nil {
		who, err = s.withPersonalToken(w, r, who, r.Header.Get(PersonalTokenHeader))
	}
	if err != nil {
		return err
	}
	startFromHeld()
	a, err := s.svc.Approve(r.Context(), t, who)
	if err != nil {
		return err
	}
	v := tenders.ViewApproval(id, who.ID, a)
	if v.Opened {
		w.Header().Set("Location", "/v1/tenders/"+id+"/evaluation")
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeStream(w, http.StatusOK, v.WriteJSON)
}

// getTenderEvaluation answers GET /v1/tenders/{id}/evaluation (officer,
// after opening): JSON, or CSV with ?format=csv; recorded as an exported
// event (not for HEAD, which sends nothing).
func (s *Server) getTenderEvaluation(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		d := fmt.Sprintf("format %q: use json (the default) or csv", clip.Prefix(format))
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "format", Detail: d}}}
	}
	id, t, who, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	// Written one ranking row at a time from the stored bytes.
	startFromHeld()
	ev, head, err := s.svc.StreamEvaluation(r.Context(), t, who, r.Method != http.MethodHead)
	if errors.Is(err, tenders.ErrNotOpened) {
		return &httpError{err: err, detail: "the tender is not opened yet: POST /v1/tenders/{id}/open after the deadline computes the evaluation"}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Evaluation-Digest", ev.Digest())
	setSignedHead(w, head)
	if format != "csv" {
		return writeStream(w, http.StatusOK, ev.WriteJSON)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="evaluation-`+safeName(id)+`.csv"`)
	w.WriteHeader(http.StatusOK)
	if err := ev.WriteCSV(w); err != nil {
		return err
	}
	releaseMemory(w)
	return nil
}

// getTenderAudit answers GET /v1/tenders/{id}/audit (officer): the chain
// and whether it verifies against the stored tender and bids.
func (s *Server) getTenderAudit(w http.ResponseWriter, r *http.Request) error {
	id, _, who, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	res, err := s.svc.Audit(r.Context(), id, who)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, res)
}

// getTenderOCDS answers GET /v1/tenders/{id}/ocds (officer): an OCDS
// 1.1.5 release package of the tender, and after opening its bids and
// award (409 #no-public-url without Config.PublicURL); recorded as an
// exported event (not for HEAD).
func (s *Server) getTenderOCDS(w http.ResponseWriter, r *http.Request) error {
	_, t, who, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	// Encoded one element at a time: once into its digest (recorded
	// before the answer starts), once into the answer.
	startFromHeld()
	x, head, err := s.svc.StreamOCDS(r.Context(), t, who, r.Method != http.MethodHead)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	setSignedHead(w, head)
	return writeStream(w, http.StatusOK, x.Write)
}

// getOCDSExtension answers GET /v1/ocds/extension/{name} (anyone): a
// file of footprint's OCDS extension, which every OCDS package declares
// by its URL under the public URL.
func (s *Server) getOCDSExtension(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, ok := tenders.OCDSExtensionFile(name)
		if !ok {
			return &httpError{err: errRouteNotFound, detail: "no OCDS extension file " + name}
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		return writeRaw(w, http.StatusOK, body)
	}
}

// getTenderContractNotice answers GET
// /v1/tenders/{id}/eforms/contract-notice (officer): the tender's eForms
// contract notice (subtype 16, XML), from creation on; 422
// notice-incomplete names the notice fields it lacks. Recorded as an
// exported event (not for HEAD).
func (s *Server) getTenderContractNotice(w http.ResponseWriter, r *http.Request) error {
	id, t, who, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	body, head, err := s.svc.ExportContractNotice(r.Context(), t, who, r.Method != http.MethodHead)
	if err != nil {
		return err
	}
	return writeNotice(w, head, "contract-notice-"+safeName(id)+".xml", body)
}

// getTenderAwardNotice answers GET /v1/tenders/{id}/eforms/award-notice
// (officer): the eForms contract award notice (subtype 29, XML) after the
// opening (409 before); the winner's organisation details come as query
// parameters (eforms.WinnerParams). Recorded as an exported event (not
// for HEAD).
func (s *Server) getTenderAwardNotice(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	win, problems := tenders.ParseWinner(q.Get)
	if len(problems) > 0 {
		var fields []FieldError
		for _, p := range tenders.WinnerParams {
			if d, ok := problems[p]; ok {
				fields = append(fields, FieldError{Parameter: p, Detail: d})
			}
		}
		return &httpError{err: errBadParameter, detail: fmt.Sprintf("%d invalid winner parameter(s); see errors", len(fields)), fields: fields}
	}
	id, t, who, err := s.officerTender(w, r)
	if err != nil {
		return err
	}
	body, head, err := s.svc.ExportAwardNotice(r.Context(), t, win, who, r.Method != http.MethodHead)
	if errors.Is(err, tenders.ErrNotOpened) {
		return &httpError{err: err, detail: "the tender is not opened yet: the award notice is built from the evaluation (POST /v1/tenders/{id}/open after the deadline)"}
	}
	if err != nil {
		return err
	}
	return writeNotice(w, head, "award-notice-"+safeName(id)+".xml", body)
}

// writeNotice writes an eForms notice: XML, not cached, as a download.
func writeNotice(w http.ResponseWriter, head, filename string, body []byte) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	setSignedHead(w, head)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// SignedHeadHeader carries, on an export, the audit chain's head just
// after the exported event that records it, signed with the server's key
// (seal.SignedHead text): it vouches for the export outside the database.
const SignedHeadHeader = "Footprint-Signed-Head"

func setSignedHead(w http.ResponseWriter, head string) {
	if head != "" {
		w.Header().Set(SignedHeadHeader, head)
	}
}

// writeStream answers status with the JSON write writes, part by part,
// as it is encoded (the large answers of a tender: its evaluation, its
// sealed list, its OCDS package, the opening's answer), instead of one
// buffer of the whole; then releaseMemory.
func writeStream(w http.ResponseWriter, status int, write func(io.Writer) error) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := write(w); err != nil {
		return err
	}
	releaseMemory(w)
	return nil
}

// startFromHeld collects the garbage and returns the freed memory to the
// operating system before a request that holds much (an opening, an
// export of a tender of many bids): the collector's next goal is then
// set from what the server holds, not from what earlier work left (a
// personal token's argon2id, 64 MiB; an earlier answer's memory, whose
// release may still be under way when the next request starts, or the
// garbage of many submissions), and the request's peak resident set is
// what it holds on top of the server's own.
func startFromHeld() { debug.FreeOSMemory() }

// releaseMemory flushes a complete answer, then returns the memory the
// request freed to the operating system at once (a garbage collection
// and debug.FreeOSMemory) instead of when the runtime's scavenger gets
// to it: after an opening or an export of a tender of many bids, the
// server's resident set falls back to what it holds between requests
// (docs/tenders.md "Performance"). It runs after the answer is sent, at
// the cost of one collection of a heap that holds no bids.
func releaseMemory(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
	debug.FreeOSMemory()
}
