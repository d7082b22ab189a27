package seal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// headAt is a head of tender id at seq, with a hash derived from both.
func headAt(id string, seq int64, salt string) Head {
	return Head{TenderID: id, Seq: seq, Hash: Commit([32]byte{}, []byte(fmt.Sprint(id, seq, salt))), At: time.Date(2026, 11, 1, 9, 0, int(seq), 0, time.UTC)}
}

func mustSign(t testing.TB, k *Keys, h Head) SignedHead {
	t.Helper()
	sh, err := k.SignHead(h)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func openCP(t testing.TB, path string, k *Keys) *Checkpoint {
	t.Helper()
	c, err := OpenCheckpoint(path, k.VerifyKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCheckpoint(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("created with %v, %v; want 0600", fi.Mode(), err)
		}
	}
	if _, ok, err := c.Latest("t1"); ok || err != nil {
		t.Fatalf("Latest of an empty checkpoint: %v %v", ok, err)
	}
	var want []SignedHead
	for seq := int64(1); seq <= 5; seq++ {
		sh := mustSign(t, k, headAt("t1", seq, ""))
		want = append(want, sh)
		if err := c.Append(sh); err != nil {
			t.Fatal(err)
		}
		if err := c.Append(mustSign(t, k, headAt("t2", seq, ""))); err != nil {
			t.Fatal(err)
		}
	}
	// The same head again (a retry) is not a conflict.
	if err := c.Append(want[2]); err != nil {
		t.Fatal(err)
	}
	all, err := c.All("t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 || all[5].String() != want[2].String() || all[0].String() != want[0].String() {
		t.Errorf("All = %d heads", len(all))
	}
	got, ok, err := c.Latest("t1")
	if err != nil || !ok || got.String() != want[4].String() {
		t.Errorf("Latest = %v %v %v, want seq 5", got.Seq, ok, err)
	}
	if _, ok, _ := c.Latest("t3"); ok {
		t.Error("Latest of an unknown tender found one")
	}
	// Reopened, the file reads the same; every line is the text form.
	c.Close()
	c2 := openCP(t, path, k)
	if got, _, err := c2.Latest("t2"); err != nil || got.Seq != 5 {
		t.Errorf("after reopening: %v %v", got.Seq, err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 11 || lines[0] != want[0].String() {
		t.Errorf("file has %d lines, first %q", len(lines), lines[0])
	}
}

func TestCheckpointAppendRefuses(t *testing.T) {
	k := testKeys(t)
	c := openCP(t, filepath.Join(t.TempDir(), "heads"), k)
	other, _ := Generate()
	sh := mustSign(t, k, headAt("t1", 1, ""))
	bad := sh
	bad.Seq = 2
	for name, tc := range map[string]struct {
		sh   SignedHead
		want error
	}{
		"another key":    {mustSign(t, other, headAt("t1", 1, "")), ErrUnknownKey},
		"altered":        {bad, ErrSignature},
		"unsigned":       {SignedHead{Head: headAt("t1", 1, "")}, ErrHead},
		"malformed head": {SignedHead{}, ErrHead},
	} {
		if err := c.Append(tc.sh); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if all, err := c.All("t1"); err != nil || len(all) != 0 {
		t.Errorf("a refused head was written: %d, %v", len(all), err)
	}
	c.Close()
	if err := c.Append(sh); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := c.All("t1"); !errors.Is(err, ErrClosed) {
		t.Errorf("All after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := OpenCheckpoint(filepath.Join(t.TempDir(), "x"), nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("no keys: %v", err)
	}
	if _, err := OpenCheckpoint(t.TempDir(), k.VerifyKeys()); err == nil {
		t.Error("a directory opened as a checkpoint")
	}
}

// TestCheckpointTornLine: a crash during an append leaves part of a line.
// Reading tolerates it; reopening cuts it off so the next line is whole.
func TestCheckpointTornLine(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	for seq := int64(1); seq <= 3; seq++ {
		if err := c.Append(mustSign(t, k, headAt("t1", seq, ""))); err != nil {
			t.Fatal(err)
		}
	}
	good, _ := os.ReadFile(path)
	torn := mustSign(t, k, headAt("t1", 4, "")).String()
	for _, tail := range []string{torn[:1], torn[:100], torn, strings.Repeat("\x00", 300), strings.Repeat("x", 2000)} {
		t.Run(fmt.Sprintf("%d bytes", len(tail)), func(t *testing.T) {
			if err := os.WriteFile(path, append(bytes.Clone(good), tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			// Read through a checkpoint opened before the tear.
			if got, _, err := c.Latest("t1"); err != nil || got.Seq != 3 {
				t.Fatalf("Latest with a torn line: seq %d, %v", got.Seq, err)
			}
			c2, err := OpenCheckpoint(path, k.VerifyKeys())
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if data, _ := os.ReadFile(path); !bytes.Equal(data, good) {
				t.Fatalf("reopening left %d bytes, want %d", len(data), len(good))
			}
			if err := c2.Append(mustSign(t, k, headAt("t1", 4, ""))); err != nil {
				t.Fatal(err)
			}
			if got, _, err := c2.Latest("t1"); err != nil || got.Seq != 4 {
				t.Fatalf("after the repair: seq %d, %v", got.Seq, err)
			}
		})
	}
	// A file that is only a torn line is cut to nothing.
	os.WriteFile(path, []byte(torn[:50]), 0o600)
	c3 := openCP(t, path, k)
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("a lone torn line left %d bytes", fi.Size())
	}
	c3.Close()
}

func TestCheckpointCorrupt(t *testing.T) {
	k := testKeys(t)
	other, _ := Generate()
	dir := t.TempDir()
	var lines []string
	for seq := int64(1); seq <= 4; seq++ {
		lines = append(lines, mustSign(t, k, headAt("t1", seq, "")).String())
	}
	flip := func(s string, i int) string { b := []byte(s); b[i] ^= 1; return string(b) }
	sig := lines[1][len(lines[1])-86:]
	tests := []struct {
		name  string
		line2 string // replaces line 2 of 4
		want  error
		msg   string
	}{
		{"signature flipped", lines[1][:len(lines[1])-86] + flip(sig, 10), ErrSignature, "does not verify"},
		{"seq changed", strings.Replace(lines[1], " 2 ", " 7 ", 1), ErrSignature, "does not verify"},
		{"hash changed", flip(lines[1], 40), ErrSignature, ""},
		{"other key", mustSign(t, other, headAt("t1", 2, "")).String(), ErrUnknownKey, "not among the 2 verify keys"},
		{"garbage", "hello", ErrHead, "fields"},
		{"empty line", "", ErrHead, "fields"},
		{"CRLF", lines[1] + "\r", ErrHead, "signature"},
		{"long line", strings.Repeat("a", 3000), ErrCheckpoint, "longer than 512"},
		{"tab-separated", strings.ReplaceAll(lines[1], " ", "\t"), ErrHead, "fields"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprint(i))
			l := append([]string{}, lines...)
			l[1] = tc.line2
			os.WriteFile(path, []byte(strings.Join(l, "\n")+"\n"), 0o600)
			c := openCP(t, path, k)
			_, _, err := c.Latest("t1")
			var le *LineError
			if !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, ErrCheckpoint) || !errors.Is(err, tc.want) {
				t.Fatalf("%v, want line 2, ErrCheckpoint and %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("%q does not say %q and the path", err, tc.msg)
			}
			if len(err.Error()) > 300 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
			// Another tender's read fails too: every line is verified.
			if _, err := c.All("t9"); !errors.Is(err, ErrCheckpoint) {
				t.Errorf("All(t9): %v", err)
			}
		})
	}
}

func TestCheckpointConflict(t *testing.T) {
	k := testKeys(t)
	c := openCP(t, filepath.Join(t.TempDir(), "heads"), k)
	for _, h := range []Head{headAt("t1", 1, ""), headAt("t1", 2, ""), headAt("t2", 2, "x"), headAt("t1", 2, "rewritten"), headAt("t1", 3, "")} {
		if err := c.Append(mustSign(t, k, h)); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := c.Latest("t1")
	var le *LineError
	if !errors.As(err, &le) || le.Line != 4 || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("%v, want ErrConflict on line 4 naming line 2", err)
	}
	if got, _, err := c.Latest("t2"); err != nil || got.Seq != 2 {
		t.Errorf("another tender: %v %v", got.Seq, err)
	}
}

func TestCheckpointLatestOutOfOrder(t *testing.T) {
	k := testKeys(t)
	c := openCP(t, filepath.Join(t.TempDir(), "heads"), k)
	for _, seq := range []int64{1, 4, 2, 3} {
		if err := c.Append(mustSign(t, k, headAt("t1", seq, ""))); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, err := c.Latest("t1"); err != nil || got.Seq != 4 {
		t.Errorf("Latest = %d %v, want the highest seq 4", got.Seq, err)
	}
}

func TestCheckpointAfterRotation(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	c.Append(mustSign(t, k, headAt("t1", 1, "")))
	c.Close()
	r, _ := k.Rotate()
	c2 := openCP(t, path, r)
	if err := c2.Append(mustSign(t, r, headAt("t1", 2, ""))); err != nil {
		t.Fatal(err)
	}
	all, err := c2.All("t1")
	if err != nil || len(all) != 2 || all[0].KeyID == all[1].KeyID {
		t.Errorf("after rotation: %d heads, %v", len(all), err)
	}
	// Without the older key, the older line does not verify.
	c3, _ := OpenCheckpoint(path, r.VerifyKeys()[:1])
	defer c3.Close()
	if _, err := c3.All("t1"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("without the older key: %v", err)
	}
}

func TestCheckpointConcurrent(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			id := fmt.Sprint("t", w)
			for seq := int64(1); seq <= each; seq++ {
				sh, err := k.SignHead(headAt(id, seq, ""))
				if err == nil {
					err = c.Append(sh)
				}
				if err != nil {
					errs <- err
				}
				if seq%5 == 0 {
					if _, _, err := c.Latest(id); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range workers {
		all, err := c.All(fmt.Sprint("t", w))
		if err != nil || len(all) != each {
			t.Errorf("t%d: %d heads, %v", w, len(all), err)
		}
	}
}

// TestCheckpointAllRereadsVerifiedLines changes a line after the index
// verified it: All reads the heads again from the file and refuses it.
func TestCheckpointAllRereadsVerifiedLines(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	for seq := int64(1); seq <= 3; seq++ {
		if err := c.Append(mustSign(t, k, headAt("t1", seq, ""))); err != nil {
			t.Fatal(err)
		}
	}
	if all, err := c.All("t1"); err != nil || len(all) != 3 || all[2].Seq != 3 {
		t.Fatalf("All = %v, %v", all, err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Same length, another seq on line 2: its signature no longer verifies.
	i := bytes.Index(raw, []byte(" t1 2 "))
	raw[i+4] = '7'
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var le *LineError
	if _, err := c.All("t1"); !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, ErrCheckpoint) {
		t.Errorf("All after line 2 changed: %v, want ErrCheckpoint on line 2", err)
	}
}

// TestCheckpointIndexMemory bounds what the index keeps a head: a server's
// checkpoint has a line for every bid and event it ever received.
func TestCheckpointIndexMemory(t *testing.T) {
	k := testKeys(t)
	path := filepath.Join(t.TempDir(), "heads")
	c := openCP(t, path, k)
	const n = 4000
	for seq := int64(1); seq <= n; seq++ {
		if err := c.Append(mustSign(t, k, headAt(fmt.Sprint("t", seq%4), seq, ""))); err != nil {
			t.Fatal(err)
		}
	}
	c2 := openCP(t, path, k)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, _, err := c2.Latest("t1"); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c2)
	if per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n; per > 120 {
		t.Errorf("the index keeps %d bytes a head; want at most 120 (the heads themselves took about 480)", per)
	}
	if all, err := c2.All("t1"); err != nil || len(all) != n/4 {
		t.Fatalf("All = %d heads, %v", len(all), err)
	}
}
