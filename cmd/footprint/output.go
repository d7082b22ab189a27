package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// partialInfix and partialSuffix name the temporary file batch -o writes
// beside its output: <out>.footprint-partial-<pid>.tmp (docs/batch.md). It
// is visible and recognisable, so that one left by a killed run (kill -9,
// power loss) can be told apart and removed, and the next run of the same
// output removes it.
const (
	partialInfix  = ".footprint-partial-"
	partialSuffix = ".tmp"
	// maxPartialBase bounds the part of the output's name kept in the
	// temporary name, so that the name stays under NAME_MAX (255 bytes).
	maxPartialBase = 200
	// maxSymlinks is how many symbolic links resolving -o follows, as
	// Linux does (ELOOP after 40).
	maxSymlinks = 40
)

// outputFile is the destination of batch -o. A regular file (or a new one)
// is written to a temporary file beside it and renamed over it on commit,
// so that it appears only complete; anything else (a device such as
// /dev/null, a FIFO) is written through, since renaming over it would
// replace the device node instead of writing to it. A symbolic link is
// followed: its target is written, the link itself never replaced.
type outputFile struct {
	f      *os.File
	target string // the resolved path written to
	tmp    string // the temporary file; "" when writing through
	old    fs.FileInfo
	done   bool
}

// createOutput prepares writing to path. removed lists stale partial files
// of earlier runs of the same output that it deleted.
func createOutput(ctx context.Context, path string) (o *outputFile, removed []string, err error) {
	target, st, err := resolveOutput(path)
	if err != nil {
		return nil, nil, err
	}
	if st != nil && st.IsDir() {
		return nil, nil, fmt.Errorf("-o %s: is a directory; name a file in it", path)
	}
	if st != nil && !st.Mode().IsRegular() {
		// A device, FIFO or socket: write to it. Opening a FIFO waits
		// for a reader, interruptibly.
		f, err := openFile(ctx, target, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("-o %s: %w", path, err)
		}
		return &outputFile{f: f, target: target}, nil, nil
	}
	dir, base := splitPath(target)
	removed = removeStalePartials(dir, base)
	tmp := dir + partialName(base, os.Getpid())
	// 0666 masked by the process umask, like any new file; an existing
	// file's mode is restored on commit.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, removed, fmt.Errorf("-o %s: creating its temporary file: %w", path, err)
	}
	return &outputFile{f: f, target: target, tmp: tmp, old: st}, removed, nil
}

// Write writes to the temporary file or through to the target.
func (o *outputFile) Write(p []byte) (int, error) { return o.f.Write(p) }

// commit makes the output visible: the temporary file, flushed to disk and
// given the replaced file's mode (and owner, where allowed), is renamed over
// the target.
func (o *outputFile) commit() error {
	o.done = true
	if o.tmp == "" {
		if err := o.f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", o.target, err)
		}
		return nil
	}
	err := o.f.Sync()
	if err == nil && o.old != nil {
		if sys, ok := o.old.Sys().(*syscall.Stat_t); ok {
			// Best effort: only root may give a file away, and keeping
			// root's ownership is no worse than before.
			_ = o.f.Chown(int(sys.Uid), int(sys.Gid))
		}
		err = o.f.Chmod(o.old.Mode().Perm())
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp, o.target)
	}
	if err != nil {
		os.Remove(o.tmp)
		return fmt.Errorf("writing %s: %w", o.target, err)
	}
	if d, err := os.Open(filepath.Dir(o.target)); err == nil {
		_ = d.Sync() // the rename itself survives a crash where supported
		d.Close()
	}
	return nil
}

// abort discards an uncommitted output: the temporary file is removed. A
// written-through target keeps what was written.
func (o *outputFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.f.Close()
	if o.tmp != "" {
		os.Remove(o.tmp)
	}
}

// resolveOutput follows symbolic links from path to the file that is
// written (which may not exist yet, for a dangling link); st is its Lstat
// information, nil when it does not exist.
func resolveOutput(path string) (target string, st fs.FileInfo, err error) {
	cur := path
	for range maxSymlinks {
		st, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return cur, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("-o %s: %w", path, err)
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return cur, st, nil
		}
		link, err := os.Readlink(cur)
		if err != nil {
			return "", nil, fmt.Errorf("-o %s: %w", path, err)
		}
		if !filepath.IsAbs(link) {
			// Relative to the link's directory as the kernel sees it: no
			// lexical cleaning, which would get "dirlink/../x" wrong.
			dir, _ := splitPath(cur)
			link = dir + link
		}
		cur = link
	}
	return "", nil, fmt.Errorf("-o %s: more than %d symbolic links", path, maxSymlinks)
}

// splitPath splits path after its last separator, without cleaning it:
// dir is "" or ends in "/", so dir+name is the original path.
func splitPath(path string) (dir, name string) {
	i := strings.LastIndexByte(path, os.PathSeparator)
	return path[:i+1], path[i+1:]
}

// partialPrefix is the start of every partial file name of output base.
func partialPrefix(base string) string {
	if len(base) > maxPartialBase {
		cut := maxPartialBase
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return base + partialInfix
}

// partialName is the temporary file name of output base written by pid.
func partialName(base string, pid int) string {
	return partialPrefix(base) + strconv.Itoa(pid) + partialSuffix
}

// removeStalePartials deletes the partial files of output base in dir whose
// writer is gone: its pid is not a running process, or is this process's
// own (a pid reused, as in containers, by a run that cannot still be
// writing). A live writer's file is kept: it may be a concurrent run. The
// directory is read in batches, so a large one costs no memory.
func removeStalePartials(dir, base string) (removed []string) {
	d, err := os.Open(dir + ".")
	if err != nil {
		return nil
	}
	defer d.Close()
	prefix := partialPrefix(base)
	for {
		names, err := d.Readdirnames(1024)
		for _, n := range names {
			digits, ok := strings.CutPrefix(n, prefix)
			if !ok {
				continue
			}
			if digits, ok = strings.CutSuffix(digits, partialSuffix); !ok {
				continue
			}
			pid, perr := strconv.Atoi(digits)
			if perr != nil || pid <= 0 || strconv.Itoa(pid) != digits {
				continue // not a name this program writes
			}
			if pid != os.Getpid() && processAlive(pid) {
				continue
			}
			if os.Remove(dir+n) == nil {
				removed = append(removed, dir+n)
			}
		}
		if err != nil || len(names) == 0 {
			return removed // io.EOF, or a directory that cannot be read: nothing more to clean
		}
	}
}

// processAlive reports whether a process with that pid exists (on this
// machine; signal 0 checks without sending anything).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
