package bidjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
)

// ErrMalformed marks a document that is not one well-formed JSON object:
// a syntax error, an empty or cut document, or data after the object.
var ErrMalformed = errors.New("malformed request body")

// ErrTrailingData marks a document with data after its JSON object; it
// wraps ErrMalformed.
var ErrTrailingData = fmt.Errorf("%w: data after the JSON object", ErrMalformed)

// DocError is a request document that Unmarshal refused: Err is the kind
// (ErrMalformed, ErrTrailingData, or factors.ErrInvalid for well-formed
// JSON of the wrong shape), Detail says what is wrong, and Problems names
// every bad field by its JSON Pointer where one is known.
type DocError struct {
	Err      error
	Detail   string
	Problems []calc.Problem
}

func (e *DocError) Error() string { return e.Detail }

// Unwrap returns the kind, for errors.Is.
func (e *DocError) Unwrap() error { return e.Err }

// Unmarshal decodes raw, one JSON object, into v (a pointer to a struct
// whose json tags name its fields) strictly: duplicate keys, unknown
// fields and wrong types anywhere in the document are errors with their
// JSON Pointers (Check), as are syntax errors and data after the object.
// Every error is a *DocError. The REST API reads every JSON body with it,
// and the command line the documents it shares with the API.
func Unmarshal(raw []byte, v any) error {
	if probs, err := Check(raw, v); err == nil && len(probs) > 0 {
		return &DocError{Err: factors.ErrInvalid, Detail: fmt.Sprintf("%d invalid field(s); see errors", len(probs)), Problems: probs}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &DocError{Err: ErrTrailingData, Detail: "unexpected data after the JSON object"}
	}
	return nil
}

// decodeError says what encoding/json found wrong, in the terms of the
// document: where, and what was expected.
func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &DocError{Err: ErrMalformed, Detail: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &DocError{Err: ErrMalformed, Detail: "the body is empty or ends early; expected a JSON object"}
	case errors.As(err, &te):
		ptr := ""
		if te.Field != "" {
			ptr = "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		d := fmt.Sprintf("expected %s, got JSON %s", KindOf(te.Type), te.Value)
		return &DocError{Err: factors.ErrInvalid, Detail: d, Problems: []calc.Problem{{Pointer: ptr, Detail: d}}}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		d := "unknown field " + f
		return &DocError{Err: factors.ErrInvalid, Detail: d, Problems: []calc.Problem{{Pointer: "", Detail: d}}}
	}
	return &DocError{Err: ErrMalformed, Detail: msg}
}
