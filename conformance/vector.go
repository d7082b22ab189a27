package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// Format is the vector format this package reads and writes. A vector
// states its format; one in another format is refused, never guessed at.
const Format = 1

// Limits on what Load reads: vectors are small documents, and a directory
// given on the command line must not make the runner read without bound.
const (
	MaxVectorBytes = 1 << 20
	MaxVectors     = 10000
)

// ErrVector marks a vector file that is not a valid vector (malformed JSON,
// unknown fields, a missing field, an unsupported format).
var ErrVector = errors.New("invalid conformance vector")

// Vector is one conformance case: a bid, the method version (pinned by its
// digest) it is computed under, and the result every conforming
// implementation must give. docs/conformance.md describes every field.
type Vector struct {
	// Name is the file's path below the vector directory without ".json"
	// (e.g. "v1/us-fuel-natural-gas-mmbtu"); it is not stored in the file.
	Name string `json:"-"`
	// Format is the vector format (Format).
	Format int `json:"format"`
	// Description says, in one sentence, what the vector exercises.
	Description string `json:"description"`
	// Method pins the method version by id@version and digest.
	Method MethodPin `json:"method"`
	// Bid is the bid, the same JSON that `footprint calc` takes.
	Bid json.RawMessage `json:"bid"`
	// Expected is the result; nil in a new vector not yet computed by the
	// oracle (go test ./conformance -update fills it in).
	Expected *Expected `json:"expected"`
}

// MethodPin names a method version and the SHA-256 digest of the method
// file the expected values were computed for.
type MethodPin struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// Expected is the result of a vector, every amount an exact decimal string
// rounded by the method's reporting rule (Places, Rounding).
type Expected struct {
	Places      int32   `json:"places"`
	Rounding    string  `json:"rounding"`
	TotalKgCO2e string  `json:"total_kg_co2e"`
	ByGas       []Gas   `json:"by_gas"`
	ByStage     []Stage `json:"by_stage"`
	Lines       []Line  `json:"lines"`
	Limits      []Limit `json:"limits"`
}

// Gas is one gas in kg of the gas and in kg CO2e.
type Gas struct {
	Gas    string `json:"gas"`
	Kg     string `json:"kg"`
	KgCO2e string `json:"kg_co2e"`
}

// Stage is one life-cycle stage's kg CO2e.
type Stage struct {
	Stage  string `json:"stage"`
	KgCO2e string `json:"kg_co2e"`
}

// Line is one line's expected result. A line in status "error" or
// "excluded" has no amounts: only its status is checked.
type Line struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// KgCO2e, Factor (the factor id used) and Region (the region whose
	// factor was used) are set for status "ok" only.
	KgCO2e string  `json:"kg_co2e,omitempty"`
	Factor string  `json:"factor,omitempty"`
	Region string  `json:"region,omitempty"`
	Gases  []Gas   `json:"gases,omitempty"`
	Stages []Stage `json:"stages,omitempty"`
}

// Limit is one procurement limit checked on a line.
type Limit struct {
	LineID string `json:"line_id"`
	ID     string `json:"id"`
	// Limit is the limit value as published (compared as a decimal).
	Limit string `json:"limit"`
	// Value is the line's intensity in the limit's unit, rounded.
	Value string `json:"value"`
	Pass  bool   `json:"pass"`
}

// Parse decodes one vector strictly: unknown fields, trailing data, a
// missing field or another format are errors (wrapping ErrVector) that say
// what is wrong and where.
func Parse(name string, raw []byte) (*Vector, error) {
	if len(raw) > MaxVectorBytes {
		return nil, fmt.Errorf("%w %s: %d bytes; at most %d", ErrVector, name, len(raw), MaxVectorBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var v Vector
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w %s: malformed JSON: %s", ErrVector, name, jsonErr(raw, dec, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w %s: unexpected data after the vector object", ErrVector, name)
	}
	v.Name = name
	var missing []string
	for _, f := range []struct{ field, v string }{{"description", v.Description}, {"method.ref", v.Method.Ref}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.field)
		}
	}
	if len(bytes.TrimSpace(v.Bid)) == 0 || string(bytes.TrimSpace(v.Bid)) == "null" {
		missing = append(missing, "bid")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w %s: missing %s", ErrVector, name, strings.Join(missing, ", "))
	}
	if v.Format != Format {
		return nil, fmt.Errorf("%w %s: format %d; this footprint reads format %d", ErrVector, name, v.Format, Format)
	}
	return &v, nil
}

// jsonErr describes a decoding error with its line in the file.
func jsonErr(raw []byte, dec *json.Decoder, err error) string {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off > int64(len(raw)) {
		off = int64(len(raw))
	}
	line := 1 + bytes.Count(raw[:off], []byte("\n"))
	return fmt.Sprintf("line %d: %s", line, clip.Text(err.Error()))
}

// File is a vector file that did not parse, kept so that a run can report
// it as a failure next to the vectors that did.
type File struct {
	Name string
	Err  error
}

// Load reads every *.json file below dir in fsys, in lexical order of
// path. Files that do not parse come back in bad; an error is returned only
// when the directory cannot be read or holds too many files.
func Load(fsys fs.FS, dir string) (vs []*Vector, bad []File, err error) {
	var paths []string
	err = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		if len(paths) >= MaxVectors {
			return fmt.Errorf("more than %d vector files", MaxVectors)
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		name := strings.TrimSuffix(relPath(dir, p), ".json")
		raw, err := readLimited(fsys, p)
		if err != nil {
			bad = append(bad, File{Name: name, Err: fmt.Errorf("%w %s: %v", ErrVector, name, err)})
			continue
		}
		v, err := Parse(name, raw)
		if err != nil {
			bad = append(bad, File{Name: name, Err: err})
			continue
		}
		vs = append(vs, v)
	}
	return vs, bad, nil
}

func relPath(dir, p string) string {
	if dir == "." || dir == "" {
		return p
	}
	if r, ok := strings.CutPrefix(p, path.Clean(dir)+"/"); ok {
		return r
	}
	return p
}

func readLimited(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxVectorBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxVectorBytes {
		return nil, fmt.Errorf("over %d bytes", MaxVectorBytes)
	}
	return raw, nil
}

// Marshal writes a vector as the files in conformance/ hold it: indented
// with two spaces, fields in a fixed order, a final newline.
func Marshal(v *Vector) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
