package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersion checks footprint --version and footprint version: the same
// answer, the build lines first, then every embedded method and dataset
// with its full SHA-256 digest, as the registry and library compute them.
func TestVersion(t *testing.T) {
	var df dataFlags
	w, err := df.load()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range w.reg.All() {
		want = append(want, m.Ref()+" "+m.Digest)
	}
	for _, d := range w.lib.Datasets() {
		want = append(want, d.ID+"@"+d.Version+" "+d.Digest)
	}
	if len(want) < 10 {
		t.Fatalf("only %d embedded methods and datasets", len(want))
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"flag", []string{"--version"}, exitOK},
		{"command", []string{"version"}, exitOK},
		{"help", []string{"version", "--help"}, exitOK},
		{"argument", []string{"version", "x"}, exitUsage},
		{"flag with argument", []string{"--version", "x"}, exitUsage},
		{"unknown flag", []string{"version", "--json"}, exitUsage},
	}
	var first string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errs)
			}
			if code != exitOK || len(tt.args) > 1 {
				if out != "" {
					t.Errorf("stdout: %q", out)
				}
				return
			}
			if first == "" {
				first = out
			} else if out != first {
				t.Errorf("%v differs from the first answer:\n%s\n---\n%s", tt.args, out, first)
			}
			if !strings.HasPrefix(out, "footprint ") || !strings.Contains(out, "go        "+runtime.Version()) {
				t.Errorf("no version or Go version:\n%s", out)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(out, "\n") {
				lines[strings.Join(strings.Fields(l), " ")] = true
			}
			for _, wl := range want {
				if !lines[wl] {
					t.Errorf("no line %q in:\n%s", wl, out)
				}
			}
		})
	}
}

// TestWriteBuild checks the build lines for the build information a
// binary may carry.
func TestWriteBuild(t *testing.T) {
	goLine := "go        go1.99.1 " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"checkout without VCS", &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "(devel)"}}, true,
			"footprint (devel)\n" + goLine},
		{"test binary", &debug.BuildInfo{GoVersion: "go1.99.1"}, true,
			"footprint (devel)\n" + goLine},
		{"checkout with VCS, modified", &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs", "git", "vcs.revision", "0123abcd", "vcs.time", "2026-12-04T10:00:00Z", "vcs.modified", "true")}, true,
			"footprint (devel)\nrevision  0123abcd 2026-12-04T10:00:00Z (modified)\n" + goLine},
		{"clean checkout", &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "v0.0.0-20261204100000-0123abcd"},
			Settings: vcs("vcs.revision", "0123abcd", "vcs.modified", "false")}, true,
			"footprint v0.0.0-20261204100000-0123abcd\nrevision  0123abcd\n" + goLine},
		{"go install of a release", &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "v1.2.3"}}, true,
			"footprint v1.2.3\n" + goLine},
		{"no build information", nil, false,
			"footprint (devel)\ngo        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeBuild(&b, tt.bi, tt.ok)
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
