package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/conformance"
)

// Program output shown in the README and docs/*.md sits between
//
//	<!-- output: footprint ARGS... -->
//	```text
//	...what footprint ARGS prints on stdout...
//	```
//	<!-- output:end -->
//
// TestDocOutputs runs each such command, from the repository's root, and
// requires the block to be its output, byte for byte; go test
// ./cmd/footprint -update rewrites the blocks. (The REST examples in docs/api.md have their own markers,
// checked by package server.)

var (
	outputBegin = regexp.MustCompile(`(?m)^<!-- output: footprint ([^>]*?) -->\n`)
	outputEnd   = "<!-- output:end -->"
)

// docFiles are the documents whose examples are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../../README.md"}, files...)
}

func TestDocOutputs(t *testing.T) {
	blocks := 0
	files := docFiles(t)
	for i, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = abs
	}
	// The commands run from the repository's root, as the docs show them
	// (examples/… paths).
	t.Chdir("../..")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(raw)
		var b strings.Builder
		rest := doc
		for {
			loc := outputBegin.FindStringSubmatchIndex(rest)
			if loc == nil {
				b.WriteString(rest)
				break
			}
			blocks++
			args := strings.Fields(rest[loc[2]:loc[3]])
			body := rest[loc[1]:]
			end := strings.Index(body, outputEnd)
			if end < 0 {
				t.Fatalf("%s: %q has no %s", f, rest[loc[0]:loc[1]], outputEnd)
			}
			code, out, errs := runCmd(t, "", args...)
			if code != exitOK {
				t.Errorf("%s: footprint %s: exit %d: %s", f, strings.Join(args, " "), code, errs)
			}
			want := "```text\n" + out + "```\n"
			if got := body[:end]; got != want {
				t.Errorf("%s: the output of footprint %s is not what the program prints (go test ./cmd/footprint -update)\n--- doc:\n%s--- program:\n%s",
					filepath.Base(f), strings.Join(args, " "), got, want)
			}
			b.WriteString(rest[:loc[1]])
			b.WriteString(want)
			rest = body[end:]
		}
		if *update && b.String() != doc {
			if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if blocks == 0 {
		t.Error("no <!-- output: footprint … --> block in the docs")
	}
}

// TestDocConformanceExample checks the failure line docs/conformance.md
// shows: a copy of the vector with one expected value changed, run by
// footprint conformance DIR, reports exactly that line.
func TestDocConformanceExample(t *testing.T) {
	const name = "v1/us-federal-2025.1/rebar-epd-limits"
	raw, err := fs.ReadFile(conformance.Embedded(), name+".json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/conformance.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: .*expected "([0-9.]+)", got "([0-9.]+)"$`).FindStringSubmatch(string(doc))
	if m == nil {
		t.Fatalf("docs/conformance.md: no failure line of %s", name)
	}
	line, expected, got := m[0], m[1], m[2]
	edited := strings.Replace(string(raw), `"value": "`+got+`"`, `"value": "`+expected+`"`, 1)
	if edited == string(raw) {
		t.Fatalf("%s has no value %q", name, got)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, filepath.FromSlash(name)+".json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "", "conformance", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	if !strings.Contains(out+errs, line+"\n") {
		t.Errorf("footprint conformance does not print the documented line\n%s\nit prints:\n%s%s", line, out, errs)
	}
}

// TestDocConformanceCounts checks the number of embedded vectors the
// README and docs/conformance.md give, per folder and in all.
func TestDocConformanceCounts(t *testing.T) {
	per := map[string]int{}
	total := 0
	err := fs.WalkDir(conformance.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			per[filepath.Base(filepath.Dir(p))]++
			total++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/conformance.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, m := range regexp.MustCompile(`(?m)^\s+([a-z-]+-[0-9.]+)/<name>\.json .*\((\d+)\)$`).FindAllStringSubmatch(string(doc), -1) {
		listed++
		if got := strconv.Itoa(per[m[1]]); got != m[2] {
			t.Errorf("docs/conformance.md: %s has %s vectors, the embedded set %s", m[1], m[2], got)
		}
	}
	if listed != len(per) {
		t.Errorf("docs/conformance.md lists %d folders of vectors; there are %d", listed, len(per))
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`the (\d+) vectors embedded in the binary`).FindStringSubmatch(string(readme))
	if m == nil || m[1] != strconv.Itoa(total) {
		t.Errorf("README: %q; the binary embeds %d vectors", m, total)
	}
}

// TestDocLatestVersions checks every sentence of the README and docs/*.md
// that says "latest" and names a built-in method version (`id@version`):
// the version must be the one the bare id resolves to. So does every
// "resolve(s) to `id@version`".
func TestDocLatestVersions(t *testing.T) {
	var df dataFlags
	w, err := df.load()
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile("`((us-federal|eu-gpp)@[0-9.]+)`")
	sentenceEnd := regexp.MustCompile(`[.:;]\s+`)
	checked := 0
	for _, f := range docFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, par := range strings.Split(string(raw), "\n\n") {
			for _, s := range sentenceEnd.Split(par, -1) {
				if !strings.Contains(strings.ToLower(s), "latest") && !strings.Contains(s, "resolve") {
					continue
				}
				for _, m := range ref.FindAllStringSubmatch(s, -1) {
					checked++
					m2, err := w.reg.Resolve(m[2])
					if err != nil {
						t.Fatal(err)
					}
					if m2.Ref() != m[1] {
						t.Errorf("%s: %q names %s as the latest; %s resolves to %s", filepath.Base(f), strings.TrimSpace(s), m[1], m[2], m2.Ref())
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no sentence names the latest version of a method")
	}
}
