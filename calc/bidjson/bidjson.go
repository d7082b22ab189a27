// Package bidjson decodes a bid from JSON for the command line and the
// server: strict (unknown fields, duplicate keys and values of the wrong
// type are errors, each named by its JSON Pointer), bounded in size and
// nesting, decimals taken from their text (strings or JSON numbers, never
// through float64).
package bidjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// MaxBytes bounds a bid document without EPD documents.
const MaxBytes = 4 << 20

// MaxEPDBytes bounds a bid document that carries EPD documents (each also
// bounded by epd.MaxBytes once decoded): EPD files, base64-encoded, are
// far larger than lines.
const MaxEPDBytes = 32 << 20

// ParseFunc reads an EPD document; epd.Parse is the one used by Decode and
// DecodeBytes. Tests and callers may give another (DecodeBytesWith).
type ParseFunc func(format, name string, raw []byte) (*epd.Declaration, error)

// ErrTooLarge marks a document over MaxBytes.
var ErrTooLarge = errors.New("bid document too large")

// Decode reads one bid. Malformed JSON gives a *calc.BidError with one
// problem pointing where decoding stopped; a document over MaxBytes gives
// ErrTooLarge.
//
// A document with EPD documents may be up to MaxEPDBytes; one without, up
// to MaxBytes.
func Decode(r io.Reader) (calc.Bid, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxEPDBytes+1))
	if err != nil {
		return calc.Bid{}, err
	}
	if len(raw) > MaxEPDBytes {
		return calc.Bid{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxEPDBytes)
	}
	return DecodeBytes(raw)
}

// DecodeBytes decodes a bid held in memory. Duplicate keys, unknown
// fields and values of the wrong type are all reported at once, each with
// its JSON Pointer (see Check). EPD documents are read with epd.Parse.
func DecodeBytes(raw []byte) (calc.Bid, error) { return DecodeBytesWith(raw, epd.Parse) }

// DecodeBytesWith is DecodeBytes with the given EPD parser.
func DecodeBytesWith(raw []byte, parse ParseFunc) (calc.Bid, error) {
	if len(raw) > MaxBytes && !bytes.Contains(raw, []byte(`"epd"`)) {
		return calc.Bid{}, fmt.Errorf("%w: over %d bytes (a bid carrying EPD documents may have up to %d)", ErrTooLarge, MaxBytes, MaxEPDBytes)
	}
	var w wireBid
	if probs, err := Check(raw, &w); err == nil && len(probs) > 0 {
		return calc.Bid{}, &calc.BidError{Problems: probs}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return calc.Bid{}, &calc.BidError{Problems: []calc.Problem{problem(raw, err)}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return calc.Bid{}, &calc.BidError{Problems: []calc.Problem{{Pointer: "", Detail: "unexpected data after the bid object", Err: factors.ErrInvalid}}}
	}
	b, err := w.bid(parse)
	if err == nil && len(raw) > MaxBytes && !b.HasEPD() {
		return calc.Bid{}, fmt.Errorf("%w: over %d bytes (a bid carrying EPD documents may have up to %d)", ErrTooLarge, MaxBytes, MaxEPDBytes)
	}
	return b, err
}

// Number is a decimal's JSON text: a string or a JSON number, kept as text.
type Number string

// UnmarshalJSON keeps the literal text of a number or string.
func (n *Number) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Number(s)
		return nil
	}
	if string(b) == "null" {
		*n = ""
		return nil
	}
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeOf(""), Offset: 0}
	}
	*n = Number(b)
	return nil
}

type wireBid struct {
	Method       string     `json:"method"`
	Reference    string     `json:"reference"`
	Supplier     string     `json:"supplier"`
	Date         string     `json:"date"`
	ValidThrough string     `json:"valid_through"`
	Lines        []wireLine `json:"lines"`
}

type wireLine struct {
	ID                  string      `json:"id"`
	Activity            string      `json:"activity"`
	Region              string      `json:"region"`
	Quantity            Number      `json:"quantity"`
	Unit                string      `json:"unit"`
	Basis               string      `json:"basis"`
	Stage               string      `json:"stage"`
	AllowRegionFallback bool        `json:"allow_region_fallback"`
	Factor              *wireFactor `json:"factor"`
}

type wireFactor struct {
	KgCO2e    Number   `json:"kg_co2e"`
	Per       string   `json:"per"`
	Reference string   `json:"reference"`
	EPD       *WireEPD `json:"epd"`
}

// WireEPD is a line's factor given as an EPD document: its format
// ("ilcd+epd" or "openepd"), an optional file name for messages, and the
// document, base64-encoded (any format) or, for openEPD, the JSON object
// itself. The server's DTOs use it too.
type WireEPD struct {
	Format   string          `json:"format"`
	File     string          `json:"file,omitempty"`
	Document json.RawMessage `json:"document"`
}

// Read decodes the document and parses it; ptr is the JSON Pointer of the
// epd object, for problems, and name the file name used when none is
// given. It returns the document or one problem.
func (w *WireEPD) Read(ptr, lineID, name string, parse ParseFunc) (*calc.EPDDocument, *calc.Problem) {
	bad := func(field string, err error) *calc.Problem {
		return &calc.Problem{Pointer: ptr + field, LineID: lineID, Detail: err.Error(), Err: err}
	}
	if w.File != "" {
		name = w.File
	}
	if msg := checkName(w.File); msg != "" {
		return nil, bad("/file", &epd.DocError{File: clip.Prefix(w.File), Field: "file", Msg: msg, Err: epd.ErrMalformed})
	}
	if w.Format != epd.FormatILCD && w.Format != epd.FormatOpenEPD {
		return nil, bad("/format", &epd.DocError{File: name, Field: "format", Msg: fmt.Sprintf("%q: use %q or %q", clip.Prefix(w.Format), epd.FormatILCD, epd.FormatOpenEPD), Err: epd.ErrFormat})
	}
	doc := bytes.TrimSpace(w.Document)
	var raw []byte
	switch {
	case len(doc) == 0 || string(doc) == "null":
		return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: "missing: give the file base64-encoded (or an openEPD JSON object)", Err: epd.ErrMalformed})
	case doc[0] == '"':
		var s string
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: "not a JSON string", Err: epd.ErrMalformed})
		}
		if base64.StdEncoding.DecodedLen(len(s)) > epd.MaxBytes+2 {
			return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: fmt.Sprintf("over %d bytes once decoded", epd.MaxBytes), Err: epd.ErrTooLarge})
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: "not base64 (standard alphabet, padded): give the file's bytes base64-encoded", Err: epd.ErrMalformed})
		}
		raw = b
	case doc[0] == '{' && w.Format == epd.FormatOpenEPD:
		raw = []byte(doc)
	default:
		return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: "give the file base64-encoded (an openEPD document may also be given as its JSON object)", Err: epd.ErrMalformed})
	}
	if len(raw) > epd.MaxBytes {
		return nil, bad("/document", &epd.DocError{File: name, Field: "document", Msg: fmt.Sprintf("%d bytes; at most %d", len(raw), epd.MaxBytes), Err: epd.ErrTooLarge})
	}
	d, err := parse(w.Format, name, raw)
	if err != nil {
		return nil, bad("/document", err)
	}
	if d.SHA256 == "" {
		sum := sha256.Sum256(raw)
		d.SHA256 = hex.EncodeToString(sum[:])
	}
	return &calc.EPDDocument{Format: w.Format, File: name, Raw: raw, Declaration: d}, nil
}

// checkName bounds a file name given for messages.
func checkName(s string) string {
	if len(s) > calc.MaxStringLen {
		return fmt.Sprintf("%d bytes: at most %d", len(s), calc.MaxStringLen)
	}
	if strings.ContainsAny(s, "\x00\n\r") {
		return "must not contain NUL or line breaks"
	}
	return ""
}

func (w wireBid) bid(parse ParseFunc) (calc.Bid, error) {
	b := calc.Bid{Method: w.Method, Reference: w.Reference, Supplier: w.Supplier, Date: w.Date, ValidThrough: w.ValidThrough, Lines: make([]calc.Line, len(w.Lines))}
	var probs []calc.Problem
	bad := func(ptr, id string, err error) {
		probs = append(probs, calc.Problem{Pointer: ptr, LineID: id, Detail: err.Error(), Err: err})
	}
	for i, wl := range w.Lines {
		l := calc.Line{ID: wl.ID, Activity: wl.Activity, Region: wl.Region, Unit: wl.Unit, Basis: wl.Basis, Stage: wl.Stage, AllowRegionFallback: wl.AllowRegionFallback}
		if l.ID == "" {
			l.ID = strconv.Itoa(i + 1)
		}
		q, err := calc.ParseQuantity(string(wl.Quantity))
		if err != nil {
			bad(fmt.Sprintf("/lines/%d/quantity", i), l.ID, err)
		}
		l.Quantity = q
		if f := wl.Factor; f != nil && f.EPD != nil {
			if f.KgCO2e != "" || f.Per != "" || f.Reference != "" {
				probs = append(probs, calc.Problem{Pointer: fmt.Sprintf("/lines/%d/factor", i), LineID: l.ID,
					Detail: "give either kg_co2e, per and reference, or epd (the document), not both", Err: factors.ErrInvalid})
			} else if doc, p := f.EPD.Read(fmt.Sprintf("/lines/%d/factor/epd", i), l.ID, "line "+clip.Prefix(l.ID)+" EPD", parse); p != nil {
				probs = append(probs, *p)
			} else {
				l.Factor = &calc.ProductFactor{EPD: doc}
			}
		} else if f != nil {
			v, err := calc.ParseQuantity(string(wl.Factor.KgCO2e))
			if err != nil {
				bad(fmt.Sprintf("/lines/%d/factor/kg_co2e", i), l.ID, err)
			}
			l.Factor = &calc.ProductFactor{KgCO2e: v, Per: wl.Factor.Per, Reference: wl.Factor.Reference}
		}
		b.Lines[i] = l
	}
	if len(probs) > 0 {
		return b, &calc.BidError{Problems: probs}
	}
	return b, nil
}

func problem(raw []byte, err error) calc.Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(raw, se.Offset)
		return calc.Problem{Pointer: "", Detail: fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, se), Err: factors.ErrInvalid}
	case errors.As(err, &te):
		ptr := "/" + strings.ReplaceAll(te.Field, ".", "/")
		return calc.Problem{Pointer: ptr, Detail: fmt.Sprintf("expected %s, got JSON %s", te.Type, te.Value), Err: factors.ErrInvalid}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return calc.Problem{Pointer: "", Detail: "the document is empty or ends early; expected a bid object {\"lines\": [...]}", Err: factors.ErrInvalid}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return calc.Problem{Pointer: "", Detail: fmt.Sprintf("unknown field %s; bid fields are method, reference, supplier, date, valid_through, lines; line fields are id, activity, region, quantity, unit, basis, stage, allow_region_fallback, factor", f), Err: factors.ErrInvalid}
	}
	// decimal.Decimal reports bad numbers through UnmarshalJSON.
	return calc.Problem{Pointer: "", Detail: strings.TrimPrefix(msg, "json: "), Err: factors.ErrInvalid}
}

func position(raw []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(raw)); i++ {
		if raw[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return
}
