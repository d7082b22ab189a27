package tenders

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/export/eforms"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/tender"
)

// Creating a tender from an eForms contract notice (docs/tenders.md
// "Creating a tender from an eForms notice"): the notice gives the
// reference, title, buyer, notice details, deadline, currency and award
// rule (export/eforms.ReadContractNotice); the officer gives what no
// notice holds (the method, the limits rule) and may fill or replace the
// deadline, the currency and the carbon price. The result is a
// TenderRequest, checked by NewTender like any other; a problem of a
// field that came from the notice is reported by its business term and
// XPath.

// EFormsOptions is what the officer gives beside a notice, as text (the
// CLI's flags, the query parameters of POST /v1/tenders).
type EFormsOptions struct {
	// Method is id@version or id (required: a notice names no method).
	Method string
	// Limits is the award's limits rule: "report" (the default) or
	// "exclude".
	Limits string
	// Deadline (RFC 3339), Currency (ISO 4217) and CarbonPricePerT (W per
	// t CO2e) replace the notice's, or fill what it lacks.
	Deadline, Currency, CarbonPricePerT string
	// Lot is the identifier (BT-137) of the lot to take from a notice of
	// several lots.
	Lot string
}

// EFormsTender is a tender request read from a notice, with what the
// mapping chose (Notes, e.g. "the sole price criterion is the price_only
// rule") and the notice's identifier and subtype.
type EFormsTender struct {
	Request  TenderRequest
	NoticeID string
	Subtype  string
	Notes    []string
	sources  map[string]eforms.Term
}

// optionPointers names the tender request's fields that options set, by
// their option name (the CLI flag without "--", the query parameter).
var optionPointers = map[string]string{"/method": "method", "/award/limits": "limits", "/deadline": "deadline", "/currency": "currency", "/award/carbon_price_per_t": "carbon_price_per_t", "/lot": "lot"}

// OptionOf returns the option (query parameter, CLI flag) that sets the
// tender request field at pointer, or "".
func OptionOf(pointer string) string { return optionPointers[pointer] }

// ReadEFormsTender reads an eForms contract notice (at most
// eforms.MaxNoticeBytes) into a tender request with opt. Its errors are
// *Error: with the reader's sentinel (eforms.ErrMalformed, ErrTooLarge,
// ErrUnmappable) and Terms for what the notice cannot give, or
// ErrInvalidTender with the option at fault.
func ReadEFormsTender(r io.Reader, opt EFormsOptions) (EFormsTender, error) {
	var ro eforms.Options
	var bad []tender.Problem
	if opt.Deadline != "" {
		dl, err := time.Parse(time.RFC3339, opt.Deadline)
		if err != nil || len(opt.Deadline) > 64 {
			bad = append(bad, tender.Problem{Pointer: "/deadline", Detail: fmt.Sprintf("deadline %q is not an RFC 3339 time; give e.g. 2026-12-01T12:00:00Z", clip.Prefix(opt.Deadline))})
		} else {
			ro.Deadline = dl
		}
	}
	if opt.Currency != "" {
		if len(opt.Currency) != 3 || strings.ToUpper(opt.Currency) != opt.Currency || strings.ContainsFunc(opt.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			bad = append(bad, tender.Problem{Pointer: "/currency", Detail: fmt.Sprintf("currency %q is not an ISO 4217 code; give e.g. EUR", clip.Prefix(opt.Currency))})
		} else {
			ro.Currency = opt.Currency
		}
	}
	if opt.CarbonPricePerT != "" {
		if _, err := tender.ParseAmount(opt.CarbonPricePerT); err != nil {
			bad = append(bad, tender.Problem{Pointer: "/award/carbon_price_per_t", Detail: "carbon price per tonne: " + tender.AmountProblem(err)})
		} else {
			ro.CarbonPricePerT = opt.CarbonPricePerT
		}
	}
	if len(opt.Lot) > 200 {
		bad = append(bad, tender.Problem{Pointer: "/lot", Detail: fmt.Sprintf("lot %q: too long, at most 200 characters", clip.Prefix(opt.Lot))})
	} else {
		ro.Lot = opt.Lot
	}
	if len(bad) > 0 {
		return EFormsTender{}, &Error{Err: ErrInvalidTender, Detail: fmt.Sprintf("%d invalid option(s); see errors", len(bad)), Problems: bad}
	}
	cn, err := eforms.ReadContractNotice(r, ro)
	if err != nil {
		var ee *eforms.Error
		if errors.As(err, &ee) {
			return EFormsTender{}, &Error{Err: ee.Err, Detail: ee.Detail, Terms: ee.Problems}
		}
		return EFormsTender{}, err
	}
	limits := opt.Limits
	if limits == "" {
		limits = string(tender.LimitsReport)
	}
	req := TenderRequest{Reference: cn.Reference, Title: cn.Title, Buyer: cn.Buyer, Method: opt.Method,
		Currency: cn.Currency, Deadline: cn.Deadline.Format(time.RFC3339),
		Award: AwardRequest{Rule: cn.Rule, Limits: limits}}
	if cn.CarbonPricePerT != "" {
		w := bidjson.Number(cn.CarbonPricePerT)
		req.Award.CarbonPricePerT = &w
	}
	if cn.Notice != (tender.Notice{}) {
		n := cn.Notice
		req.Notice = &n
	}
	// Texts longer than a tender takes are shortened (the notice's
	// identifiers are not: a shortened reference would name another).
	for _, f := range []struct {
		ptr string
		v   *string
		max int
	}{{"/title", &req.Title, 200}, {"/buyer", &req.Buyer, 200}, {"/notice/description", noticeText(req.Notice), tender.MaxNoticeDescription}} {
		if f.v != nil && len(*f.v) > f.max {
			*f.v = shorten(*f.v, f.max)
			cn.Notes = append(cn.Notes, fmt.Sprintf("%s (%s) shortened to %d bytes", fieldName(f.ptr), cn.Sources[f.ptr].ID, f.max))
		}
	}
	src := cn.Sources
	for _, p := range []string{"/deadline", "/currency", "/award/carbon_price_per_t"} {
		if (p == "/deadline" && opt.Deadline != "") || (p == "/currency" && opt.Currency != "") || (p == "/award/carbon_price_per_t" && opt.CarbonPricePerT != "") {
			delete(src, p) // the option's, not the notice's
		}
	}
	return EFormsTender{Request: req, NoticeID: cn.NoticeID, Subtype: cn.Subtype, Notes: cn.Notes, sources: src}, nil
}

// NewTenderFromEForms reads notice r with opt and makes the tender, as
// NewTender does, at now. A problem of a field the notice gave is
// reported by its business term and XPath (Error.Terms); a problem of an
// option by its JSON Pointer (OptionOf names the option).
func NewTenderFromEForms(reg *methods.Registry, r io.Reader, opt EFormsOptions, now time.Time) (tender.Tender, EFormsTender, error) {
	if strings.TrimSpace(opt.Method) == "" {
		d := "a method is required: a notice names none; give it beside the notice (--method, ?method=; see GET /v1/methods)"
		return tender.Tender{}, EFormsTender{}, &Error{Err: ErrInvalidTender, Detail: d, Problems: []tender.Problem{{Pointer: "/method", Detail: d}}}
	}
	et, err := ReadEFormsTender(r, opt)
	if err != nil {
		return tender.Tender{}, et, err
	}
	t, err := NewTender(reg, et.Request, now)
	if err != nil {
		return t, et, et.located(err)
	}
	return t, et, nil
}

// located moves the problems of err whose field came from the notice to
// Terms, naming the business term and its XPath.
func (et EFormsTender) located(err error) error {
	var te *Error
	if !errors.As(err, &te) {
		return err
	}
	out := &Error{Err: te.Err, Detail: te.Detail}
	for _, p := range te.Problems {
		ptr := p.Pointer
		term, ok := et.sources[ptr]
		if !ok && strings.HasPrefix(ptr, "/notice/") {
			term, ok = eforms.Term{ID: "notice", XPath: "/*"}, true
		}
		if !ok {
			out.Problems = append(out.Problems, p)
			continue
		}
		out.Terms = append(out.Terms, eforms.Problem{Term: term.ID, XPath: term.XPath, Detail: fieldName(ptr) + ": " + p.Detail})
	}
	return out
}

// noticeText is the description of n, or nil.
func noticeText(n *tender.Notice) *string {
	if n == nil {
		return nil
	}
	return &n.Description
}

// shorten cuts s to at most max bytes (the domain counts bytes), at a
// space when one is near the end, and marks the cut with "…".
func shorten(s string, max int) string {
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	r := s[:cut]
	if i := strings.LastIndexByte(r, ' '); i > 0 && i > len(r)-40 {
		r = r[:i]
	}
	return strings.TrimSpace(r) + "…"
}

// fieldName is the tender field a pointer names, for a message.
func fieldName(ptr string) string {
	return strings.TrimPrefix(strings.ReplaceAll(ptr, "/", "."), ".")
}
