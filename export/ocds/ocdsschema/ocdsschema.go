// Package ocdsschema validates OCDS release packages against the
// official OCDS 1.1.5 release-package and release schemas with the
// package's declared extensions merged into the release schema by JSON
// Merge Patch (RFC 7386), as OCDS tools do. It is for tests: it reads the
// schemas from the shared reference copies (../shared/ocds beside the
// repository) and knows the extensions footprint declares (the bids
// extension v1.1.5 and footprint's own, embedded in package ocds).
package ocdsschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/footprint-gpp/footprint/export/ocds"
)

// Schema URLs of OCDS 1.1.5.
const (
	PackageSchemaURL = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
	ReleaseSchemaURL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
)

// Validator validates release packages. Build it with New.
type Validator struct {
	dir string
	// patches are the release-schema merge patches of the extensions it
	// knows, by the extension.json URL a package declares (footprint's
	// own: by its path under any public URL).
	bids, own any
}

// Dir finds the shared OCDS reference directory from the working
// directory up: the first ancestor holding go.mod, then ../shared/ocds.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "ocds"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("ocdsschema: no go.mod above the working directory")
		}
	}
}

// New reads the schemas under dir (Dir).
func New(dir string) (*Validator, error) {
	v := &Validator{dir: dir}
	var err error
	if v.bids, err = readJSON(filepath.Join(dir, "ocds_bid_extension_v1.1.5", "release-schema.json")); err != nil {
		return nil, err
	}
	own, _ := ocds.ExtensionFile("release-schema.json")
	if v.own, err = decode(own); err != nil {
		return nil, fmt.Errorf("ocdsschema: footprint's extension: %w", err)
	}
	return v, nil
}

func readJSON(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func decode(b []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// MergePatch applies the JSON Merge Patch patch to target (RFC 7386) and
// returns the result; target is not changed.
func MergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	out := map[string]any{}
	if ok {
		for k, v := range t {
			out[k] = v
		}
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = MergePatch(out[k], v)
	}
	return out
}

// Validate validates a release package: its declared extensions must be
// ones the validator knows (else an error names them), and the package
// must be valid against the package schema with the release schema
// patched by those extensions, in the order declared, and carry no field
// that neither defines (closeObjects). The error lists every violation.
func (v *Validator) Validate(body []byte) error {
	doc, err := decode(body)
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	release, err := readJSON(filepath.Join(v.dir, "standard_1__1__5", "release-schema.json"))
	if err != nil {
		return err
	}
	pkg, err := readJSON(filepath.Join(v.dir, "standard_1__1__5", "release-package-schema.json"))
	if err != nil {
		return err
	}
	if m, ok := doc.(map[string]any); ok {
		exts, _ := m["extensions"].([]any)
		for _, e := range exts {
			s, _ := e.(string)
			switch {
			case s == ocds.BidsExtension:
				release = MergePatch(release, v.bids)
			case strings.HasSuffix(s, ocds.ExtensionPath+"extension.json"):
				release = MergePatch(release, v.own)
			default:
				return fmt.Errorf("extension %q: not known to the validator", s)
			}
		}
	}
	closeObjects(release)
	closeObjects(pkg)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	if err := c.AddResource(ReleaseSchemaURL, release); err != nil {
		return err
	}
	if err := c.AddResource(PackageSchemaURL, pkg); err != nil {
		return err
	}
	sch, err := c.Compile(PackageSchemaURL)
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	return sch.Validate(doc)
}

// closeObjects sets additionalProperties false on every object schema
// with properties that does not say otherwise: a field that no schema or
// declared extension defines is an error, as the OCDS Data Review Tool
// reports "additional fields" (e.g. relatedBids under the bids extension
// v1.1.5). Language variants stay allowed by the schemas' own
// patternProperties.
func closeObjects(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"].(map[string]any); ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		for _, c := range x {
			closeObjects(c)
		}
	case []any:
		for _, c := range x {
			closeObjects(c)
		}
	}
}

// Errors counts the leaf errors of a validation error (0 for nil).
func Errors(err error) int {
	if err == nil {
		return 0
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return 1
	}
	return leaves(ve)
}

func leaves(ve *jsonschema.ValidationError) int {
	if len(ve.Causes) == 0 {
		return 1
	}
	n := 0
	for _, c := range ve.Causes {
		n += leaves(c)
	}
	return n
}

// Canonical re-encodes JSON for comparisons in messages.
func Canonical(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.MarshalIndent(v, "", " ")
	return string(out)
}
