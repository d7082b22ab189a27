package methods

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/footprint-gpp/footprint/factors"
)

// FuzzParseMethod: the method-file parser never panics; a file it accepts
// validates without panicking, and its canonical form parses back to the
// same digest.
func FuzzParseMethod(f *testing.F) {
	for _, pattern := range []string{"defs/*/*.toml", "testdata/*.toml", "testdata/bad/*.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte("id = \"x\"\n[[heating_value]]\nratio = 1e400\n"))
	lib, err := factors.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.toml", src)
		if err != nil {
			if m != nil {
				t.Fatal("a method and an error")
			}
			return
		}
		_ = Validate(m, lib, src)
		c, err := Canonical(&m.Spec)
		if err != nil {
			t.Fatalf("canonical: %v", err)
		}
		m2, err := Parse("canonical.toml", c)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, c)
		}
		if m2.Digest != m.Digest {
			t.Fatalf("digest changed through the canonical form:\n%s", c)
		}
	})
}
