package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// commandPaths are every command that takes flags, as typed after
// "footprint". TestCommandPathsComplete keeps the list whole.
var commandPaths = []string{
	"serve", "calc", "batch", "compare",
	"methods list", "methods show", "methods validate", "methods diff",
	"factors search", "conformance",
	"tenders create", "tenders list", "tenders show", "tenders open", "tenders approve",
	"tenders evaluation", "tenders export", "tenders verify",
	"officers add", "officers list", "officers set-role", "officers disable", "officers retag", "officers link",
	"epd inspect", "version",
}

// TestCommandPathsComplete checks that commandPaths names every command
// and tenders subcommand of the dispatchers, so that a new one cannot
// escape the synopsis tests.
func TestCommandPathsComplete(t *testing.T) {
	known := map[string]bool{}
	for _, p := range commandPaths {
		known[strings.Fields(p)[0]] = true
		known[p] = true
	}
	for name := range commands() {
		if !known[name] {
			t.Errorf("command %q is not in commandPaths", name)
		}
	}
	for name := range tendersSubs() {
		if !known["tenders "+name] {
			t.Errorf("command \"tenders %s\" is not in commandPaths", name)
		}
	}
}

// helpOf runs "footprint PATH --help" and returns the synopsis (the first
// line after "usage: footprint ") and the flags the command defines, as
// its flag set prints them.
func helpOf(t *testing.T, path string) (synopsis string, flags []string) {
	t.Helper()
	code, out, errs := runCmd(t, "", append(strings.Fields(path), "--help")...)
	if code != exitOK || out != "" {
		t.Fatalf("footprint %s --help: exit %d, stdout %q", path, code, out)
	}
	first, rest, _ := strings.Cut(errs, "\n")
	synopsis, ok := strings.CutPrefix(first, "usage: footprint ")
	if !ok {
		t.Fatalf("footprint %s --help: no usage line:\n%s", path, errs)
	}
	for _, m := range regexp.MustCompile(`(?m)^  -(\S+)`).FindAllStringSubmatch(rest, -1) {
		flags = append(flags, m[1])
	}
	sort.Strings(flags)
	return synopsis, flags
}

// flagsIn returns the flags (without dashes) a synopsis line names, sorted
// and without repeats; a comment after " #" is left out.
func flagsIn(line string) []string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range regexp.MustCompile(`(?:^|[\s\[|(])--?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(line, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// commandOf returns the longest command path a synopsis line (after
// "footprint ") starts with, or "".
func commandOf(line string) string {
	words := strings.Fields(line)
	best := ""
	for _, p := range commandPaths {
		n := len(strings.Fields(p))
		if len(words) >= n && strings.Join(words[:n], " ") == p && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// TestHelpSynopsis checks that each command's usage line names every flag
// its flag set defines, and no other.
func TestHelpSynopsis(t *testing.T) {
	for _, path := range commandPaths {
		t.Run(path, func(t *testing.T) {
			synopsis, flags := helpOf(t, path)
			if got := flagsIn(synopsis); strings.Join(got, " ") != strings.Join(flags, " ") {
				t.Errorf("usage line %q names flags %v; the command defines %v", synopsis, got, flags)
			}
		})
	}
}

// readmeCommands returns the synopsis lines of the README's "Commands"
// block (the first fenced block after "## Commands"), continuation lines
// joined, each without its leading "footprint ".
func readmeCommands(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(raw), "\n## Commands\n")
	if !ok {
		t.Fatal("README: no \"## Commands\" section")
	}
	_, block, ok := strings.Cut(sec, "```\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("README: no fenced block in \"## Commands\"")
	}
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(l, "footprint "):
			lines = append(lines, strings.TrimPrefix(l, "footprint "))
		case strings.HasPrefix(l, " ") && len(lines) > 0:
			lines[len(lines)-1] += " " + strings.TrimSpace(l)
		case strings.TrimSpace(l) != "":
			t.Errorf("README Commands: line %q is neither a command nor a continuation", l)
		}
	}
	return lines
}

// TestReadmeCommands checks the README's Commands block against the
// program: one line per command, each naming exactly the flags the
// command defines.
func TestReadmeCommands(t *testing.T) {
	lines := readmeCommands(t)
	byPath := map[string]string{}
	for _, l := range lines {
		p := commandOf(l)
		if p == "" {
			t.Errorf("README Commands: %q is no command of the program", l)
			continue
		}
		if _, dup := byPath[p]; dup {
			t.Errorf("README Commands: %q has two lines", p)
		}
		byPath[p] = l
	}
	for _, path := range commandPaths {
		l, ok := byPath[path]
		if !ok {
			t.Errorf("README Commands: no line for footprint %s", path)
			continue
		}
		_, flags := helpOf(t, path)
		if got := flagsIn(l); strings.Join(got, " ") != strings.Join(flags, " ") {
			t.Errorf("README Commands: footprint %s names flags %v; the command defines %v", path, got, flags)
		}
	}
}

// TestDocCommandLines checks every command line in a fenced block of the
// README and docs/*.md ("footprint …" or "go run ./cmd/footprint …"): it
// names a command of the program and only flags that command defines.
func TestDocCommandLines(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../README.md")
	defined := map[string]map[string]bool{}
	for _, path := range commandPaths {
		_, flags := helpOf(t, path)
		defined[path] = map[string]bool{}
		for _, f := range flags {
			defined[path][f] = true
		}
	}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inFence := false
		for i, l := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(l, "```") {
				inFence = !inFence
				continue
			}
			if !inFence {
				continue
			}
			rest, ok := strings.CutPrefix(l, "footprint ")
			if !ok {
				rest, ok = strings.CutPrefix(l, "go run ./cmd/footprint ")
			}
			if !ok || strings.HasPrefix(rest, "serve:") { // a log line, not a command
				continue
			}
			where := filepath.Base(f) + ":" + strconv.Itoa(i+1)
			if v, ok := strings.CutPrefix(rest, "--version"); ok {
				rest = "version" + v // the flag is the version command
			}
			p := commandOf(rest)
			if p == "" {
				t.Errorf("%s: %q names no command of the program", where, l)
				continue
			}
			checked++
			for _, fl := range flagsIn(rest) {
				if !defined[p][fl] {
					t.Errorf("%s: footprint %s has no flag -%s (%q)", where, p, fl, l)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d command lines found in the docs", checked)
	}
}

// TestDBFlagHelp checks that each command's --db help says what the
// command does with a missing SQLite file: serve and tenders create
// create it; the other tenders commands refuse it, and leave no file.
func TestDBFlagHelp(t *testing.T) {
	tests := []struct {
		path    string
		creates bool
	}{
		{"serve", true},
		{"tenders create", true},
		{"tenders list", false},
		{"tenders show", false},
		{"tenders open", false},
		{"tenders approve", false},
		{"tenders evaluation", false},
		{"tenders export", false},
		{"tenders verify", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, _, errs := runCmd(t, "", append(strings.Fields(tt.path), "--help")...)
			_, dbHelp, ok := strings.Cut(errs, "\n  -db string\n")
			if !ok {
				t.Fatalf("no -db flag in:\n%s", errs)
			}
			dbHelp, _, _ = strings.Cut(dbHelp, "\n")
			if got := strings.Contains(dbHelp, "created when missing"); got != tt.creates {
				t.Errorf("-db help %q: says created when missing: %t, want %t", dbHelp, got, tt.creates)
			}
			if !tt.creates && !strings.Contains(dbHelp, "a missing one is an error") {
				t.Errorf("-db help %q does not say a missing file is an error", dbHelp)
			}
			if tt.creates {
				return
			}
			missing := filepath.Join(t.TempDir(), "none.db")
			args := append(strings.Fields(tt.path), "--db", "sqlite:"+missing)
			if tt.path == "tenders export" {
				args = append(args, "--public-url", "https://tenders.example.org")
			}
			if tt.path == "tenders approve" {
				args = append(args, "--as", "alice")
			}
			if tt.path != "tenders list" {
				args = append(args, "T1")
			}
			code, _, errs := runCmd(t, "", args...)
			if code != exitFailed || !strings.Contains(errs, "no database there") {
				t.Errorf("exit %d, stderr %q; want 1 and no database there", code, errs)
			}
			if _, err := os.Stat(missing); err == nil {
				t.Errorf("%s created %s", tt.path, missing)
			}
		})
	}
}
