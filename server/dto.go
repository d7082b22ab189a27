package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/factors"

	"github.com/footprint-gpp/footprint/internal/cell"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// Number is a decimal as JSON text: a string ("12.5") or a JSON number
// (12.5), kept as text and never passed through float64.
type Number = bidjson.Number

// BidRequest is the body of POST /v1/footprints: a bid.
type BidRequest struct {
	// Method is id@version or id; the query parameter ?method= overrides it.
	Method    string `json:"method" validate:"max=100"`
	Reference string `json:"reference" validate:"max=200"`
	Supplier  string `json:"supplier" validate:"max=200"`
	// Date and ValidThrough: see calc.Bid. Without a date, a bid whose
	// lines carry EPD documents is judged on the server's day (UTC).
	Date         string        `json:"date" validate:"omitempty,datetime=2006-01-02"`
	ValidThrough string        `json:"valid_through" validate:"omitempty,datetime=2006-01-02"`
	Lines        []LineRequest `json:"lines" validate:"required,min=1,max=10000,dive"`
}

// LineRequest is one line of a bid.
type LineRequest struct {
	ID                  string         `json:"id" validate:"max=200"`
	Activity            string         `json:"activity" validate:"required,max=200"`
	Region              string         `json:"region" validate:"required,max=200"`
	Quantity            Number         `json:"quantity" validate:"required,decimal,dec_min=0,dec_max=1e15"`
	Unit                string         `json:"unit" validate:"required,max=200"`
	Basis               string         `json:"basis" validate:"omitempty,oneof=HHV NCV GCV LHV hhv ncv gcv lhv"`
	Stage               string         `json:"stage" validate:"max=200"`
	AllowRegionFallback bool           `json:"allow_region_fallback"`
	Factor              *FactorRequest `json:"factor" validate:"omitempty"`
}

// FactorRequest is a line's product-specific factor: either an EPD value
// typed in (kg CO2e per one unit "per", with the EPD's reference) or the
// EPD document itself (epd), whose value the method's [epd] rules take.
type FactorRequest struct {
	KgCO2e    Number `json:"kg_co2e" validate:"required_without=EPD,omitempty,decimal,dec_min=0,dec_max=1e15"`
	Per       string `json:"per" validate:"required_without=EPD,max=200"`
	Reference string `json:"reference" validate:"required_without=EPD,max=200"`
	// EPD is the document: {"format": "ilcd+epd"|"openepd", "file":
	// optional name, "document": base64 or an openEPD JSON object}.
	EPD *bidjson.WireEPD `json:"epd" validate:"omitempty"`
}

// epdCarrier is a request whose lines may carry EPD documents: such a
// body may be up to MaxEPDBodyBytes, any other up to MaxBodyBytes.
type epdCarrier interface{ carriesEPD() bool }

// linesCarryEPD reports whether any line carries an EPD document.
func linesCarryEPD(lines []LineRequest) bool {
	for _, l := range lines {
		if l.Factor != nil && l.Factor.EPD != nil {
			return true
		}
	}
	return false
}

func (r *BidRequest) carriesEPD() bool        { return linesCarryEPD(r.Lines) }
func (r *ComparisonRequest) carriesEPD() bool { return linesCarryEPD(r.Lines) }
func (r *TenderBidRequest) carriesEPD() bool  { return linesCarryEPD(r.Lines) }

// ComparisonRequest is the body of POST /v1/comparisons: a bid and the
// methods to compare it under, the first being the base.
type ComparisonRequest struct {
	Methods      []string      `json:"methods" validate:"required,min=2,max=5,dive,required,max=100"`
	Reference    string        `json:"reference" validate:"max=200"`
	Supplier     string        `json:"supplier" validate:"max=200"`
	Date         string        `json:"date" validate:"omitempty,datetime=2006-01-02"`
	ValidThrough string        `json:"valid_through" validate:"omitempty,datetime=2006-01-02"`
	Lines        []LineRequest `json:"lines" validate:"required,min=1,max=10000,dive"`
}

// newValidator builds the one validator of a Server: required struct
// fields enforced, errors named by JSON field, decimal-aware tags
// (decimal, dec_min, dec_max) that compare with Cmp. It reads unexported
// fields, and leaves them out of error namespaces, for validateRequest's
// holder; the request types have none (TestRequestTypesExported).
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled(), validator.WithPrivateFieldValidation(), validator.WithTagNameFuncBlankOmit())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if !f.IsExported() {
			return "" // the holder's field: no segment in the namespace
		}
		return jsonFieldName(f)
	})
	registerRules(v)
	return v
}

// jsonFieldName is a field's name in validation errors: its JSON key, or
// its Go name when it has none.
func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || name == "" {
		return f.Name
	}
	return name
}

// registerRules registers the decimal-aware tags.
func registerRules(v *validator.Validate) {
	must := func(err error) {
		if err != nil {
			panic(err) // a programming error in this file, caught by every test
		}
	}
	bounds := newDecBounds("0", "1e15") // the bounds the request types' tags use
	must(v.RegisterValidation("decimal", func(fl validator.FieldLevel) bool {
		if _, ok := plainDecimal(fl.Field().String()); ok {
			return true
		}
		_, err := parseDecimal(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("dec_min", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if ok, known := bounds.atLeast(s, fl.Param()); known {
			return ok
		}
		d, err := parseDecimal(s)
		return err != nil || d.Cmp(decimal.RequireFromString(fl.Param())) >= 0 // unparsable: the decimal tag reports it
	}))
	must(v.RegisterValidation("dec_max", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if ok, known := bounds.atMostAbs(s, fl.Param()); known {
			return ok
		}
		d, err := parseDecimal(s)
		return err != nil || d.Abs().Cmp(decimal.RequireFromString(fl.Param())) <= 0
	}))
}

// decBounds are the dec_min and dec_max parameters known when the
// validator is built, parsed once: a plain decimal text (plainDecimal) is
// compared with them without parsing it into a decimal. The map is only
// read after newDecBounds returns.
type decBounds map[string]decBound

// decBound is one parameter: its value, and whether it is zero or a
// positive power of ten (10^pow10), the two forms compared on text.
type decBound struct {
	d       decimal.Decimal
	zero    bool
	pow10   int
	isPow10 bool
}

func newDecBounds(params ...string) decBounds {
	m := make(decBounds, len(params))
	for _, p := range params {
		d := decimal.RequireFromString(p)
		b := decBound{d: d, zero: d.IsZero()}
		for k := 0; k <= 18; k++ {
			if d.Equal(decimal.New(1, int32(k))) {
				b.pow10, b.isPow10 = k, true
			}
		}
		m[p] = b
	}
	return m
}

// plainText is a decimal text of digits with an optional fraction and
// sign: "-12.50". intDigits counts its integer digits without leading
// zeros.
type plainText struct {
	neg       bool
	intDigits int
}

// plainDecimal reports whether s is a plain decimal text, which
// cell.ParseDecimal always accepts: an optional minus, 1 to 40 digits, an
// optional point followed by 1 to 40 digits, 64 bytes at most. Anything else (white space,
// exponents, plus signs, separators) goes through the parser.
func plainDecimal(s string) (plainText, bool) {
	var p plainText
	if len(s) > 64 { // cell.ParseDecimal's bound
		return p, false
	}
	i := 0
	if i < len(s) && s[i] == '-' {
		p.neg = true
		i++
	}
	start, lead := i, true
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if s[i] != '0' || !lead {
			lead = false
			p.intDigits++
		}
		i++
	}
	if i == start || i-start > 40 {
		return p, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f || i-f > 40 {
			return p, false
		}
	}
	return p, i == len(s)
}

// atLeast decides s ≥ param on the text when param is a known zero bound
// and s is plain and not negative; known is false when it cannot.
func (b decBounds) atLeast(s, param string) (ok, known bool) {
	bd, found := b[param]
	if !found || !bd.zero {
		return false, false
	}
	p, plain := plainDecimal(s)
	if !plain || p.neg {
		return false, false // a negative text may still be zero ("-0.0"): parse it
	}
	return true, true
}

// atMostAbs decides |s| ≤ param on the text when param is a known power
// of ten 10^k and s is plain: fewer than k+1 integer digits is below it,
// more is above; exactly k+1 is parsed.
func (b decBounds) atMostAbs(s, param string) (ok, known bool) {
	bd, found := b[param]
	if !found || !bd.isPow10 {
		return false, false
	}
	p, plain := plainDecimal(s)
	switch {
	case !plain || p.intDigits == bd.pow10+1:
		return false, false
	case p.intDigits <= bd.pow10:
		return true, true
	}
	return false, true
}

// parseDecimal parses decimal text as typed by people and programs
// (cell.ParseDecimal).
func parseDecimal(s string) (decimal.Decimal, error) { return cell.ParseDecimal(s) }

// fieldErrors turns validator errors into field errors with JSON Pointers.
func fieldErrors(err error) []FieldError {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return []FieldError{{Pointer: "", Detail: err.Error()}}
	}
	out := make([]FieldError, 0, len(ves))
	for _, fe := range ves {
		out = append(out, FieldError{Pointer: pointerOf(fe.Namespace()), Detail: message(fe)})
	}
	return out
}

// pointerOf converts a validator namespace ("BidRequest.lines[1].quantity")
// to a JSON Pointer ("/lines/1/quantity").
func pointerOf(ns string) string {
	_, rest, ok := strings.Cut(ns, ".")
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, part := range strings.Split(rest, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		b.WriteString("/")
		b.WriteString(escapePointer(name))
		if hasIdx {
			b.WriteString("/")
			b.WriteString(strings.TrimSuffix(idx, "]"))
		}
	}
	return b.String()
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// message builds a field message from the failed tag and its parameter;
// it repeats at most a short prefix of the value.
func message(fe validator.FieldError) string {
	kind := fe.Kind()
	switch fe.Tag() {
	case "required":
		if kind == reflect.Slice {
			return fmt.Sprintf("%s is required (at least one)", fe.Field())
		}
		return fmt.Sprintf("%s is required", fe.Field())
	case "min":
		if kind == reflect.Slice {
			return fmt.Sprintf("at least %s item(s) needed", fe.Param())
		}
		return fmt.Sprintf("at least %s characters", fe.Param())
	case "max":
		if kind == reflect.Slice {
			return fmt.Sprintf("%d items: at most %s", reflect.ValueOf(fe.Value()).Len(), fe.Param())
		}
		return fmt.Sprintf("too long: at most %s characters", fe.Param())
	case "decimal":
		hint := ""
		if strings.Contains(fmt.Sprint(fe.Value()), ",") {
			hint = "; use a point as the decimal separator and no thousands separator"
		}
		return fmt.Sprintf("%q is not a decimal number%s", short(fe.Value()), hint)
	case "dec_min":
		return fmt.Sprintf("%s is below the minimum %s", short(fe.Value()), fe.Param())
	case "dec_max":
		return fmt.Sprintf("%s is larger than %s in magnitude", short(fe.Value()), fe.Param())
	case "oneof":
		return fmt.Sprintf("%q is not one of %s", short(fe.Value()), strings.ReplaceAll(fe.Param(), " ", ", "))
	}
	return fmt.Sprintf("fails the %s rule", fe.Tag())
}

// short is an input value as a message may repeat it: at most a short
// prefix (clip.Prefix).
func short(v any) string { return clip.Prefix(fmt.Sprint(v)) }

// checkJSON refuses a request whose Content-Type is not JSON.
func checkJSON(r *http.Request) error {
	return checkMedia(r, "application/json", func(mt string) bool {
		return mt == "application/json" || strings.HasSuffix(mt, "+json")
	})
}

func checkMedia(r *http.Request, want string, ok func(string) bool) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !ok(mt) {
		got := ct
		if got == "" {
			got = "none"
		}
		return &httpError{err: errMediaType, detail: fmt.Sprintf("Content-Type %s: send %s", got, want)}
	}
	return nil
}

// decodeJSON reads one JSON object into dst: strictly (duplicate keys,
// unknown fields and wrong types are errors with their JSON Pointers),
// bounded by MaxBodyBytes, numbers kept as text.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkJSON(r); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, MaxEPDBodyBytes)
	return decodeReader(body, dst)
}

// decodeReader is the decoding of decodeJSON, without HTTP (fuzzed). The
// body is read whole (it is bounded) and decoded by decodeBody.
func decodeReader(body io.Reader, dst any) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return readError(err)
	}
	return decodeBody(raw, dst)
}

// decodeBody decodes a whole body strictly: duplicate keys (the last
// would silently win), unknown fields and wrong types anywhere in the
// document are errors with their JSON Pointers. A bid that is well formed
// is read once by the one-pass decoder (fastdecode.go); anything it
// declines goes through bidjson.Unmarshal, which names every problem. The
// decoded value does not refer to raw's bytes: raw may be reused.
func decodeBody(raw []byte, dst any) error {
	// Only a body that carries EPD documents may pass MaxBodyBytes (up to
	// MaxEPDBodyBytes, which the reader bounds); toBid checks that one does.
	if len(raw) > MaxBodyBytes && !bytes.Contains(raw, []byte(`"epd"`)) {
		return fmt.Errorf("%w: the body is over %d bytes (%d when lines carry EPD documents)", bidjson.ErrTooLarge, MaxBodyBytes, MaxEPDBodyBytes)
	}
	if len(raw) <= MaxBodyBytes && fastDecode(raw, dst) {
		return nil // the one-pass decoder declines every line with an EPD document
	}
	err := bidjson.Unmarshal(raw, dst)
	if err != nil && !errors.Is(err, bidjson.ErrTrailingData) {
		return err
	}
	// The byte scan above is cheap but lets through a body that only
	// mentions "epd" (e.g. "epd": null): past MaxBodyBytes, a line must
	// carry an EPD document.
	if c, ok := dst.(epdCarrier); len(raw) > MaxBodyBytes && (!ok || !c.carriesEPD()) {
		return fmt.Errorf("%w: the body is over %d bytes and no line carries an EPD document (%d bytes are for bids with EPD documents)", bidjson.ErrTooLarge, MaxBodyBytes, MaxEPDBodyBytes)
	}
	return err
}

// decodePooled is decodeJSON reading the body into a buffer of the
// server's pool, for the bid routes that every client calls.
func (s *Server) decodePooled(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkJSON(r); err != nil {
		return err
	}
	buf := s.bufs.get()
	defer s.bufs.put(buf)
	raw, err := readAllInto(*buf, http.MaxBytesReader(w, r.Body, MaxEPDBodyBytes))
	*buf = raw[:0]
	if err != nil {
		return readError(err)
	}
	return decodeBody(raw, dst)
}

// readError says why a request body could not be read.
func readError(err error) error {
	var mbe *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he // a read error of the body, already said in the client's terms (limitBody)
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: the body is over %d bytes", bidjson.ErrTooLarge, mbe.Limit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &httpError{err: errMalformed, detail: "the body is empty or ends early; expected a JSON object"}
	}
	return &httpError{err: errMalformed, detail: strings.TrimPrefix(err.Error(), "json: ")}
}

// validateStruct runs the validator and returns a 422 error naming every
// invalid field.
func (s *Server) validateStruct(v any) error {
	return validateWith(s.validate, v)
}

// validateWith is validateStruct with a given validator.
func validateWith(val *validator.Validate, v any) error {
	if err := validateRequest(val, v); err != nil {
		fields := fieldErrors(err)
		return &httpError{err: factors.ErrInvalid, detail: fmt.Sprintf("%d invalid field(s); see errors", len(fields)), fields: fields}
	}
	return nil
}

// heldRequest holds a request (a pointer to it) for the validator in an
// unexported field. The validator reads a value reached through an
// unexported field without copying it into an interface first (it does
// so to look for a validator.Valuer, which no request type is), which
// saves an allocation per field of every line; the field adds no segment
// to error namespaces (newValidator's tag names), so the errors are those
// of validating the request itself (TestValidateRequestMatchesStruct,
// FuzzValidateRequest).
type heldRequest struct {
	req any
}

// validateRequest runs the validator once on a request (a pointer to a
// struct): the error of val.Struct(v), read without a copy per field.
func validateRequest(val *validator.Validate, v any) error {
	return val.Struct(&heldRequest{req: v})
}

// toBid converts validated request lines to a calc.Bid, reading EPD
// documents with parse.
func toBid(parse bidjson.ParseFunc, method, reference, supplier string, lines []LineRequest) (calc.Bid, error) {
	b := calc.Bid{Method: method, Reference: reference, Supplier: supplier, Lines: make([]calc.Line, len(lines))}
	var fields []FieldError
	for i, lr := range lines {
		l := calc.Line{ID: lr.ID, Activity: strings.TrimSpace(lr.Activity), Region: strings.TrimSpace(lr.Region), Unit: strings.TrimSpace(lr.Unit),
			Basis: lr.Basis, Stage: lr.Stage, AllowRegionFallback: lr.AllowRegionFallback}
		if l.ID == "" {
			l.ID = strconv.Itoa(i + 1)
		}
		q, err := calc.ParseQuantity(string(lr.Quantity))
		if err != nil {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/lines/%d/quantity", i), Detail: err.Error()})
		}
		l.Quantity = q
		if f := lr.Factor; f != nil && f.EPD != nil {
			ptr := fmt.Sprintf("/lines/%d/factor", i)
			if f.KgCO2e != "" || f.Per != "" || f.Reference != "" {
				fields = append(fields, FieldError{Pointer: ptr, Detail: "give either kg_co2e, per and reference, or epd (the document), not both"})
			} else if doc, p := f.EPD.Read(ptr+"/epd", l.ID, "line "+clip.Prefix(l.ID)+" EPD", parse); p != nil {
				fields = append(fields, FieldError{Pointer: p.Pointer, Detail: p.Detail})
			} else {
				l.Factor = &calc.ProductFactor{EPD: doc}
			}
		} else if lr.Factor != nil {
			v, err := calc.ParseQuantity(string(lr.Factor.KgCO2e))
			if err != nil {
				fields = append(fields, FieldError{Pointer: fmt.Sprintf("/lines/%d/factor/kg_co2e", i), Detail: err.Error()})
			}
			l.Factor = &calc.ProductFactor{KgCO2e: v, Per: strings.TrimSpace(lr.Factor.Per), Reference: lr.Factor.Reference}
		}
		b.Lines[i] = l
	}
	if len(fields) > 0 {
		return b, &httpError{err: factors.ErrInvalid, detail: fmt.Sprintf("%d invalid field(s); see errors", len(fields)), fields: fields}
	}
	return b, nil
}
