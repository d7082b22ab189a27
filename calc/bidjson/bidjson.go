// Package bidjson decodes a bid from JSON for the command line and the
// server: strict (unknown fields, duplicate keys and values of the wrong
// type are errors, each named by its JSON Pointer), bounded in size and
// nesting, decimals taken from their text (strings or JSON numbers, never
// through float64).
package bidjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
)

// MaxBytes bounds a bid document.
const MaxBytes = 4 << 20

// ErrTooLarge marks a document over MaxBytes.
var ErrTooLarge = errors.New("bid document too large")

// Decode reads one bid. Malformed JSON gives a *calc.BidError with one
// problem pointing where decoding stopped; a document over MaxBytes gives
// ErrTooLarge.
func Decode(r io.Reader) (calc.Bid, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return calc.Bid{}, err
	}
	if len(raw) > MaxBytes {
		return calc.Bid{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxBytes)
	}
	return DecodeBytes(raw)
}

// DecodeBytes decodes a bid held in memory. Duplicate keys, unknown
// fields and values of the wrong type are all reported at once, each with
// its JSON Pointer (see Check).
func DecodeBytes(raw []byte) (calc.Bid, error) {
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
	return w.bid()
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
	Method    string     `json:"method"`
	Reference string     `json:"reference"`
	Supplier  string     `json:"supplier"`
	Lines     []wireLine `json:"lines"`
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
	KgCO2e    Number `json:"kg_co2e"`
	Per       string `json:"per"`
	Reference string `json:"reference"`
}

func (w wireBid) bid() (calc.Bid, error) {
	b := calc.Bid{Method: w.Method, Reference: w.Reference, Supplier: w.Supplier, Lines: make([]calc.Line, len(w.Lines))}
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
		if wl.Factor != nil {
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
		return calc.Problem{Pointer: "", Detail: fmt.Sprintf("unknown field %s; bid fields are method, reference, supplier, lines; line fields are id, activity, region, quantity, unit, basis, stage, allow_region_fallback, factor", f), Err: factors.ErrInvalid}
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
