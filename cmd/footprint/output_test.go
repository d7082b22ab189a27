package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// withUmask sets the process umask for one test. The umask is process-wide:
// tests using it must not run in parallel (none in this package do).
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode()
}

// wantOutput checks that path holds a complete batch output of goodCSV.
func wantOutput(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "53114.500") || strings.Count(string(b), "\n") != 2 {
		t.Errorf("%s holds %q, want the batch output", path, b)
	}
}

// noPartials fails when a partial file is left in dir.
func noPartials(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), partialInfix) || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("partial file left: %s", e.Name())
		}
	}
}

func TestBatchOutputMode(t *testing.T) {
	cases := []struct {
		name     string
		umask    int
		existing fs.FileMode // 0: no existing file
		want     fs.FileMode
	}{
		{"new file, umask 022", 0o022, 0, 0o644},
		{"new file, umask 027", 0o027, 0, 0o640},
		{"new file, umask 077", 0o077, 0, 0o600},
		{"new file, umask 0", 0, 0, 0o666},
		{"existing 0600 kept", 0o022, 0o600, 0o600},
		{"existing 0664 kept under umask 077", 0o077, 0o664, 0o664},
		{"existing read-only 0444 kept", 0o022, 0o444, 0o444},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			withUmask(t, tc.umask)
			dir := t.TempDir()
			out := filepath.Join(dir, "out.csv")
			if tc.existing != 0 {
				if err := os.WriteFile(out, []byte("old\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(out, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			if code, _, errs := runCmd(t, goodCSV, "batch", "--quiet", "--method", "us-federal", "-o", out); code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got := mode(t, out); got != tc.want {
				t.Errorf("mode %v, want %v", got, tc.want)
			}
			wantOutput(t, out)
			noPartials(t, dir)
		})
	}
}

func TestBatchOutputSymlink(t *testing.T) {
	withUmask(t, 0o022)
	cases := []struct {
		name     string
		link     string // link path, relative to the temp dir
		dest     string // what the link says
		target   string // the file written, relative to the temp dir
		existing bool
	}{
		{"to an existing file", "link.csv", "real.csv", "real.csv", true},
		{"to a new file (dangling)", "link.csv", "new.csv", "new.csv", false},
		{"relative, across directories", "a/link.csv", "../b/real.csv", "b/real.csv", true},
		{"to a link to a file", "link.csv", "link2.csv", "real.csv", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"a", "b"} {
				os.Mkdir(filepath.Join(dir, d), 0o755)
			}
			os.Symlink("real.csv", filepath.Join(dir, "link2.csv"))
			target := filepath.Join(dir, tc.target)
			if tc.existing {
				os.WriteFile(target, []byte("old\n"), 0o600)
			}
			link := filepath.Join(dir, tc.link)
			if err := os.Symlink(tc.dest, link); err != nil {
				t.Fatal(err)
			}
			if code, _, errs := runCmd(t, goodCSV, "batch", "--quiet", "--method", "us-federal", "-o", link); code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got, err := os.Readlink(link); err != nil || got != tc.dest {
				t.Errorf("the link was replaced: readlink %q, %v; want %q", got, err, tc.dest)
			}
			wantOutput(t, target)
			want := fs.FileMode(0o644)
			if tc.existing {
				want = 0o600
			}
			if got := mode(t, target); got != want {
				t.Errorf("target mode %v, want %v", got, want)
			}
			noPartials(t, filepath.Dir(target))
			noPartials(t, filepath.Dir(link))
		})
	}
}

func TestBatchOutputSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.Symlink("b.csv", a)
	os.Symlink("a.csv", b)
	code, _, errs := runCmd(t, goodCSV, "batch", "--method", "us-federal", "-o", a)
	if code != exitFailed || !strings.Contains(errs, "symbolic links") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestBatchOutputDevice(t *testing.T) {
	dir := t.TempDir()
	// A link to /dev/null needs no privilege; writing to /dev/null itself
	// is the case the audit found as root, where renaming over it works.
	link := filepath.Join(dir, "null.csv")
	os.Symlink(os.DevNull, link)
	paths := []string{link}
	if os.Geteuid() == 0 {
		paths = append(paths, os.DevNull)
	}
	for _, p := range paths {
		if code, _, errs := runCmd(t, goodCSV, "batch", "--quiet", "--method", "us-federal", "-o", p); code != exitOK {
			t.Fatalf("-o %s: exit %d: %s", p, code, errs)
		}
		if m := mode(t, os.DevNull); m&fs.ModeCharDevice == 0 {
			t.Fatalf("-o %s replaced %s: mode now %v", p, os.DevNull, m)
		}
		if m := mode(t, link); m&fs.ModeSymlink == 0 {
			t.Errorf("-o %s replaced the link: mode now %v", p, m)
		}
	}
	noPartials(t, dir)
	noPartials(t, filepath.Dir(os.DevNull))
}

func TestBatchOutputFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // opens the read end; EOF when the batch closes
		got <- b
	}()
	if code, _, errs := runCmd(t, goodCSV, "batch", "--quiet", "--method", "us-federal", "-o", fifo); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b := <-got; !strings.Contains(string(b), "53114.500") {
		t.Errorf("read from the FIFO: %q", b)
	}
	if m := mode(t, fifo); m&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: mode %v", m)
	}
	noPartials(t, dir)
}

func TestBatchOutputDirectory(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCmd(t, goodCSV, "batch", "--method", "us-federal", "-o", dir)
	if code != exitFailed || !strings.Contains(errs, "is a directory") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	noPartials(t, dir)
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestBatchRemovesStalePartials(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	name := func(base, pid string) string { return filepath.Join(dir, base+partialInfix+pid+partialSuffix) }
	stale := []string{
		name("out.csv", strconv.Itoa(os.Getpid())), // an earlier run with this pid (containers reuse pids)
		name("out.csv", strconv.Itoa(deadPID(t))),
	}
	kept := []string{
		name("out.csv", strconv.Itoa(os.Getppid())), // a live process: maybe a concurrent run
		name("other.csv", strconv.Itoa(os.Getpid())),
		name("out.csv", "x1"),
		name("out.csv", "007"),
		filepath.Join(dir, "out.csv.tmp"),
	}
	for _, p := range append(append([]string{}, stale...), kept...) {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := runCmd(t, goodCSV, "batch", "--method", "us-federal", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantOutput(t, out)
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("stale %s kept", filepath.Base(p))
		}
		if !strings.Contains(errs, "removed "+p+", left by an earlier run") {
			t.Errorf("stderr does not report removing %s:\n%s", filepath.Base(p), errs)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
}

func TestPartialNameLength(t *testing.T) {
	for _, base := range []string{"out.csv", strings.Repeat("x", 250), strings.Repeat("é", 125)} {
		n := partialName(base, 4194304)
		if len(n) > 255 {
			t.Errorf("partial name of a %d-byte base is %d bytes, over NAME_MAX", len(base), len(n))
		}
		if !strings.HasPrefix(n, partialPrefix(base)) || !strings.HasSuffix(n, partialInfix+"4194304"+partialSuffix) {
			t.Errorf("partial name %q does not match its prefix %q", n, partialPrefix(base))
		}
		if !strings.HasPrefix(base, strings.TrimSuffix(partialPrefix(base), partialInfix)) {
			t.Errorf("prefix %q is not a prefix of the base", partialPrefix(base))
		}
	}
	// A long name works end to end, and its stale partial is found.
	dir := t.TempDir()
	base := strings.Repeat("é", 120) + ".csv"
	stale := filepath.Join(dir, partialName(base, os.Getpid()))
	os.WriteFile(stale, nil, 0o644)
	if code, _, errs := runCmd(t, goodCSV, "batch", "--quiet", "--method", "us-federal", "-o", filepath.Join(dir, base)); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantOutput(t, filepath.Join(dir, base))
	noPartials(t, dir)
}

func TestBatchOutputInterruptedKeepsOld(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	os.WriteFile(out, []byte("old\n"), 0o640)
	code, errs := runInterrupted(t, []string{"batch", "--method", "us-federal", "-o", out})
	if code != exitInterrupted || !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("interrupted run changed the output: %q", b)
	}
	noPartials(t, dir)
}
