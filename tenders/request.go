package tenders

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// A tender as a JSON document: the body of POST /v1/tenders and the file
// of footprint tenders create. It lives here, not at one edge, because
// both edges read the same document and must read it the same way: strictly
// (DecodeTenderRequest), with the same limits and the same messages
// (NewTender). Decimals are kept as text until NewTender parses them.

// MaxRequestBytes bounds a tender document.
const MaxRequestBytes = bidjson.MaxBytes

// MaxMethodRef bounds a method reference (id@version) in a request.
const MaxMethodRef = 100

// TenderRequest is a new tender as JSON.
type TenderRequest struct {
	Reference string `json:"reference"`
	Title     string `json:"title"`
	Buyer     string `json:"buyer"`
	// Method is id@version, or id for its latest version; it is resolved
	// and pinned (with its digest) when the tender is made.
	Method   string       `json:"method"`
	Currency string       `json:"currency"`
	Deadline string       `json:"deadline"`
	Award    AwardRequest `json:"award"`
	// MaxBids is the most bids the tender takes (1 to tender.MaxMaxBids);
	// absent, tender.DefaultMaxBids. The (MaxBids+1)th bid is refused
	// (tender.ErrTooManyBids).
	MaxBids *int `json:"max_bids"`
	// Notice is what procurement notices need beyond the tender's rules
	// (the buyer as an organisation, CPV code, nature, description).
	Notice *tender.Notice `json:"notice"`
	// Committee is the opening committee (the openers' officer ids and k,
	// how many must approve the opening); absent, the tender's creator
	// alone, k = 1 (Service.Create).
	Committee *tender.Committee `json:"committee"`
	// Uncertainty declares the evaluation's uncertainty report
	// (docs/tenders.md "Uncertainty of the ranking"); absent, none.
	Uncertainty *UncertaintyRequest `json:"uncertainty"`
}

// UncertaintyRequest is a tender's declared uncertainty report as JSON:
// the draws (absent: tender.DefaultUncertaintyDraws) and the too-close-
// to-call threshold on the winner's probability of ranking first
// (absent: tender.DefaultTooCloseThreshold). The seed is not a field: it
// is derived from the tender's digest (tender.UncertaintySeed).
type UncertaintyRequest struct {
	Draws     *int            `json:"draws"`
	Threshold *bidjson.Number `json:"threshold"`
}

// AwardRequest is a tender's award rule as JSON.
type AwardRequest struct {
	Rule            string                    `json:"rule"`
	CarbonPricePerT *bidjson.Number           `json:"carbon_price_per_t"`
	LadderDiscounts map[string]bidjson.Number `json:"ladder_discounts"`
	Limits          string                    `json:"limits"`
}

// DecodeTenderRequest reads a tender document: one JSON object, strictly
// (duplicate keys, unknown fields and wrong types are errors with their
// JSON Pointers: bidjson.Unmarshal), at most MaxRequestBytes.
func DecodeTenderRequest(body io.Reader) (TenderRequest, error) {
	var req TenderRequest
	raw, err := io.ReadAll(io.LimitReader(body, MaxRequestBytes+1))
	if err != nil {
		return req, err
	}
	if len(raw) > MaxRequestBytes {
		return req, fmt.Errorf("%w: the tender is over %d bytes", bidjson.ErrTooLarge, MaxRequestBytes)
	}
	return req, bidjson.Unmarshal(raw, &req)
}

// fieldLimits are the longest texts of a tender request, in characters,
// in the order of its fields.
var fieldLimits = []struct {
	pointer string
	max     int
	get     func(*TenderRequest) string
}{
	{"/reference", 200, func(r *TenderRequest) string { return r.Reference }},
	{"/title", 200, func(r *TenderRequest) string { return r.Title }},
	{"/buyer", 200, func(r *TenderRequest) string { return r.Buyer }},
	{"/method", MaxMethodRef, func(r *TenderRequest) string { return r.Method }},
	{"/currency", 200, func(r *TenderRequest) string { return r.Currency }},
	{"/deadline", 64, func(r *TenderRequest) string { return r.Deadline }},
	{"/award/rule", 200, func(r *TenderRequest) string { return r.Award.Rule }},
	{"/award/limits", 200, func(r *TenderRequest) string { return r.Award.Limits }},
}

// NewTender turns a decoded tender request into a new tender: the fields
// checked, the method resolved in reg and pinned with its digest, status
// open, created now. Every problem is reported with its JSON Pointer in an
// *Error (ErrInvalidTender, or the method's error).
func NewTender(reg *methods.Registry, req TenderRequest, now time.Time) (tender.Tender, error) {
	var long []tender.Problem
	for _, f := range fieldLimits {
		if utf8.RuneCountInString(f.get(&req)) > f.max {
			long = append(long, tender.Problem{Pointer: f.pointer, Detail: fmt.Sprintf("too long: at most %d characters", f.max)})
		}
	}
	if len(long) > 0 {
		return tender.Tender{}, &Error{Err: ErrInvalidTender, Detail: fmt.Sprintf("%d invalid field(s); see errors", len(long)), Problems: long}
	}
	m, err := resolveMethod(reg, req.Method)
	if err != nil {
		return tender.Tender{}, err
	}
	return toTender(req, m, now)
}

// resolveMethod resolves the method of a request, its problems reported
// at /method.
func resolveMethod(reg *methods.Registry, ref string) (*methods.Method, error) {
	fail := func(kind error, d string) error {
		return &Error{Err: kind, Detail: d, Problems: []tender.Problem{{Pointer: "/method", Detail: d}}}
	}
	if strings.TrimSpace(ref) == "" {
		return nil, fail(factors.ErrInvalid, "a method is required: give \"method\" in the bid or ?method= (see GET /v1/methods)")
	}
	if len(ref) > MaxMethodRef {
		return nil, fail(methods.ErrUnknownMethod, fmt.Sprintf("method reference %q: too long, at most %d characters (see GET /v1/methods)", clip.Prefix(ref), MaxMethodRef))
	}
	m, err := reg.Resolve(ref)
	if err != nil {
		return nil, fail(err, err.Error())
	}
	return m, nil
}

// toTender converts a checked request to a tender pinned to m, and runs
// the domain's validation; every problem is reported by pointer.
func toTender(req TenderRequest, m *methods.Method, now time.Time) (tender.Tender, error) {
	var fields []tender.Problem
	t := tender.Tender{Reference: req.Reference, Title: req.Title, Buyer: req.Buyer, Currency: req.Currency,
		Method: tender.Pin(m), Status: tender.StatusOpen, Created: now,
		Award: tender.Award{Rule: tender.Rule(req.Award.Rule), Limits: tender.LimitsRule(req.Award.Limits)}, MaxBids: tender.DefaultMaxBids}
	if req.Notice != nil && *req.Notice != (tender.Notice{}) {
		n := *req.Notice
		t.Notice = &n
	}
	if req.Committee != nil {
		c := *req.Committee
		t.Committee = &c
	}
	if req.MaxBids != nil {
		if *req.MaxBids < 1 {
			fields = append(fields, tender.Problem{Pointer: "/max_bids", Detail: fmt.Sprintf("%d: a tender takes at least 1 bid; give 1 to %d, or leave it out for %d", *req.MaxBids, tender.MaxMaxBids, tender.DefaultMaxBids)})
		} else {
			t.MaxBids = *req.MaxBids
		}
	}
	if req.Uncertainty != nil {
		u, problems := uncertaintySetting(*req.Uncertainty)
		t.Uncertainty = u
		fields = append(fields, problems...)
	}
	if dl, err := time.Parse(time.RFC3339, req.Deadline); err != nil {
		fields = append(fields, tender.Problem{Pointer: "/deadline", Detail: fmt.Sprintf("%q is not an RFC 3339 time; give e.g. 2026-12-01T12:00:00Z", clip.Prefix(req.Deadline))})
	} else {
		t.Deadline = tender.Stamp(dl)
	}
	if req.Award.CarbonPricePerT != nil {
		d, err := tender.ParseAmount(string(*req.Award.CarbonPricePerT))
		if err != nil {
			fields = append(fields, tender.Problem{Pointer: "/award/carbon_price_per_t", Detail: "carbon price per tonne: " + tender.AmountProblem(err)})
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
				fields = append(fields, tender.Problem{Pointer: "/award/ladder_discounts/" + escapePointer(clip.Prefix(l)), Detail: "discount (a fraction, e.g. 0.04): " + tender.AmountProblem(err)})
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
			fields = append(fields, tender.Problem{Pointer: p.Pointer, Detail: p.Detail})
		}
	}
	var ve *tender.ValidationError
	if err := tender.CheckUncertaintyMethod(t, m); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fields = append(fields, tender.Problem{Pointer: p.Pointer, Detail: p.Detail})
		}
	}
	if len(fields) > 0 {
		return t, &Error{Err: ErrInvalidTender, Detail: fmt.Sprintf("the tender has %d problem(s); see errors", len(fields)), Problems: fields}
	}
	return t, nil
}

// uncertaintySetting turns a declared uncertainty report into the
// tender's setting, its defaults filled in (so that the tender's digest,
// and the seed derived from it, cover the values used).
func uncertaintySetting(r UncertaintyRequest) (*tender.UncertaintySetting, []tender.Problem) {
	u := &tender.UncertaintySetting{Draws: tender.DefaultUncertaintyDraws, Threshold: decimal.RequireFromString(tender.DefaultTooCloseThreshold)}
	if r.Draws != nil {
		u.Draws = *r.Draws
	}
	if r.Threshold != nil {
		d, err := tender.ParseAmount(string(*r.Threshold))
		if err != nil {
			return u, []tender.Problem{{Pointer: "/uncertainty/threshold", Detail: "threshold (a probability, e.g. " + tender.DefaultTooCloseThreshold + "): " + tender.AmountProblem(err)}}
		}
		u.Threshold = d
	}
	return u, nil
}

// escapePointer escapes a key for a JSON Pointer (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
