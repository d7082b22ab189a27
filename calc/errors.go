package calc

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/factors"
)

// ErrProductFactor marks a product-specific factor the method refuses, or
// one the method requires and the line lacks.
var ErrProductFactor = errors.New("product-specific factor")

// ErrBasis marks an energy quantity on a heating-value basis that the
// method cannot convert to its factor's basis.
var ErrBasis = errors.New("heating-value basis")

// Problem is one thing wrong with a bid, located by JSON Pointer (RFC 6901)
// into the bid, e.g. "/lines/1/quantity".
type Problem struct {
	Pointer string `json:"pointer"`
	LineID  string `json:"line_id,omitempty"`
	Detail  string `json:"detail"`
	// Err is the domain error behind the problem (errors.Is with the
	// factors and calc sentinels); not serialised.
	Err error `json:"-"`
}

func (p Problem) String() string {
	if p.LineID != "" {
		return fmt.Sprintf("%s (line %s): %s", p.Pointer, p.LineID, p.Detail)
	}
	return fmt.Sprintf("%s: %s", p.Pointer, p.Detail)
}

// BidError lists every problem of a bid. Calculate returns it together with
// a footprint when only some lines failed.
type BidError struct {
	Problems []Problem
}

func (e *BidError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in bid: %s", len(e.Problems), strings.Join(s, "; "))
}

// Unwrap exposes the problems' errors to errors.Is.
func (e *BidError) Unwrap() []error {
	out := []error{factors.ErrInvalid}
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}

// fieldError is an error that knows which field of a line it is about.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func fieldErr(field string, err error) error { return &fieldError{field: field, err: err} }

func fieldErrf(field string, kind error, format string, args ...any) error {
	return &fieldError{field: field, err: &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}}
}

// kindError carries a sentinel kind without repeating it in the message.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Field returns the line field an error is about ("quantity", "unit", ...),
// or "" when it concerns the line as a whole.
func Field(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	return ""
}

// MergeProblems combines the problems found while decoding a bid (values
// that did not parse) with those the engine found computing it, dropping
// the engine's problems for lines that already failed to decode.
func MergeProblems(decoded *BidError, computed error) *BidError {
	out := &BidError{Problems: append([]Problem(nil), decoded.Problems...)}
	failed := map[string]bool{}
	for _, p := range decoded.Problems {
		failed[linePrefix(p.Pointer)] = true
	}
	var ce *BidError
	if errors.As(computed, &ce) {
		for _, p := range ce.Problems {
			if lp := linePrefix(p.Pointer); lp == "" || !failed[lp] {
				out.Problems = append(out.Problems, p)
			}
		}
	}
	sort.SliceStable(out.Problems, func(i, j int) bool { return lineIndex(out.Problems[i].Pointer) < lineIndex(out.Problems[j].Pointer) })
	return out
}

// linePrefix returns "/lines/N" of a pointer into a line, else "".
func linePrefix(ptr string) string {
	rest, ok := strings.CutPrefix(ptr, "/lines/")
	if !ok {
		return ""
	}
	n, _, _ := strings.Cut(rest, "/")
	return "/lines/" + n
}

func lineIndex(ptr string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(linePrefix(ptr), "/lines/"))
	if err != nil {
		return -1
	}
	return n
}
