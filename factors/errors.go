package factors

import (
	"errors"
	"fmt"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Sentinel errors of the domain. Callers test with errors.Is; the server and
// the batch writer map them to HTTP statuses and row messages in one place.
var (
	// ErrInvalid marks input that is malformed or out of range.
	ErrInvalid = errors.New("invalid input")
	// ErrUnknownUnit marks a unit symbol that is not known or is ambiguous.
	ErrUnknownUnit = errors.New("unknown unit")
	// ErrDimension marks a unit of the wrong dimension for its use.
	ErrDimension = errors.New("unit dimension mismatch")
	// ErrUnknownActivity marks an activity key outside the taxonomy.
	ErrUnknownActivity = errors.New("unknown activity")
	// ErrUnknownRegion marks a region code outside the region table.
	ErrUnknownRegion = errors.New("unknown region")
	// ErrNoFactor marks a calculation for which no factor exists in the
	// datasets consulted: the feature is data-less, not broken.
	ErrNoFactor = errors.New("no factor")
	// ErrUnknownDataset marks a dataset reference that does not resolve.
	ErrUnknownDataset = errors.New("unknown dataset")
	// ErrUnknownGWPSet marks a GWP set name that does not exist.
	ErrUnknownGWPSet = errors.New("unknown GWP set")
	// ErrNotFound marks a lookup by id that found nothing.
	ErrNotFound = errors.New("not found")
)

// UnitError reports a unit that cannot be parsed.
type UnitError struct {
	Unit   string
	Reason string
}

func (e *UnitError) Error() string { return fmt.Sprintf("unit %q: %s", clip.Text(e.Unit), e.Reason) }

// Unwrap makes errors.Is(err, ErrUnknownUnit) true.
func (e *UnitError) Unwrap() error { return ErrUnknownUnit }

// DimensionError reports a unit whose dimension is not one of those wanted.
type DimensionError struct {
	Unit     string
	Got      Dimension
	Want     []Dimension
	Activity string // the activity that needs Want, if any
}

func (e *DimensionError) Error() string {
	want := make([]string, len(e.Want))
	for i, w := range e.Want {
		want[i] = article(string(w)) + " " + string(w)
	}
	if e.Activity != "" {
		return fmt.Sprintf("%s is %s %s, %s needs %s unit", clip.Text(e.Unit), article(string(e.Got)), e.Got, e.Activity, strings.Join(want, " or "))
	}
	return fmt.Sprintf("%s is %s %s, expected %s unit", clip.Text(e.Unit), article(string(e.Got)), e.Got, strings.Join(want, " or "))
}

// Unwrap makes errors.Is(err, ErrDimension) true.
func (e *DimensionError) Unwrap() error { return ErrDimension }

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
