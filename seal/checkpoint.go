package seal

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Checkpoint is an append-only file of signed heads, one text form
// (SignedHead.String) per line, kept apart from the database: a head once
// checkpointed cannot be taken back by whoever writes the database, so a
// verifier detects a truncated chain (the checkpoint's latest seq for a
// tender is beyond the database's) and a rewritten one (a checkpointed
// hash the database's chain does not contain at that seq).
//
// A *Checkpoint is safe for concurrent use by the goroutines of one
// process; two processes must not append to one file. Reading verifies
// every line's signature with the keys given to OpenCheckpoint (the key
// file's VerifyKeys), tolerates a torn last line (a crash during an
// append, which was therefore never acknowledged) and refuses any other
// line that does not parse or verify. Latest and All keep an index of the
// heads and read only what was appended since their last call
// (BenchmarkCheckpointLatest).
type Checkpoint struct {
	path string
	keys []ed25519.PublicKey

	mu     sync.Mutex
	f      *os.File // nil once closed
	broken error    // set by a failed append: the file may end in a torn line
	// written counts the lines written (under mu); synced, under syncMu,
	// the count the last fsync covered: one fsync makes every line written
	// before it durable, so concurrent appends share one (group commit).
	written uint64
	syncMu  sync.Mutex
	synced  uint64

	// The index behind Latest and All: every verified head of the first
	// scanned bytes of the file (lines of scannedLines), read once and
	// then only the bytes appended since, by this process or another.
	idx          sync.Mutex
	scanned      int64
	scannedLines int
	heads        headIndex
}

// OpenCheckpoint opens (creating it, mode 0600) the checkpoint file at path,
// verifying lines with keys. A torn last line left by a crash during an
// append is cut off, so that the next append starts a line of its own.
func OpenCheckpoint(path string, keys []ed25519.PublicKey) (*Checkpoint, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("seal: checkpoint %s: %w: no public keys to verify its lines with (use the key file's VerifyKeys)", path, ErrNoKey)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("seal: checkpoint: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%w: %s is not a regular file", ErrCheckpoint, path)
	}
	if err == nil {
		err = cutTornTail(f, fi.Size())
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("seal: checkpoint %s: %w", path, err)
	}
	ks := make([]ed25519.PublicKey, len(keys))
	for i, k := range keys {
		ks[i] = bytes.Clone(k)
	}
	return &Checkpoint{path: path, keys: ks, f: f}, nil
}

// cutTornTail truncates f (of size bytes) after its last newline.
func cutTornTail(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	buf := make([]byte, 4096)
	cut, end := int64(0), size
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			cut = start + int64(i) + 1
			break
		}
		end = start
	}
	if err := f.Truncate(cut); err != nil {
		return fmt.Errorf("cutting a torn last line: %w", err)
	}
	return f.Sync()
}

// Append verifies sh with the checkpoint's keys, writes its line with one
// write and fsyncs the file before returning: once Append returns nil, the
// head survives a crash. Concurrent appends share fsyncs (one covers every
// line written before it began), so the file's sync rate does not cap the
// rate of appends. After a failed write or fsync the checkpoint
// refuses further appends (ErrClosed); reopen it.
func (c *Checkpoint) Append(sh SignedHead) error {
	if err := VerifyHead(sh, c.keys); err != nil {
		return fmt.Errorf("seal: checkpoint %s: not appended: %w", c.path, err)
	}
	line := []byte(sh.String() + "\n")
	c.mu.Lock()
	if c.f == nil {
		c.mu.Unlock()
		return fmt.Errorf("seal: checkpoint %s: %w: closed", c.path, ErrClosed)
	}
	if c.broken != nil {
		err := c.broken
		c.mu.Unlock()
		return fmt.Errorf("seal: checkpoint %s: %w: an earlier append failed (%v); reopen it", c.path, ErrClosed, err)
	}
	if _, err := c.f.Write(line); err != nil {
		c.broken = err
		c.mu.Unlock()
		return fmt.Errorf("seal: checkpoint %s: appending: %w", c.path, err)
	}
	c.written++
	mine, f := c.written, c.f
	c.mu.Unlock()

	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if c.synced >= mine {
		return nil // an fsync that began after this write covered it
	}
	c.mu.Lock()
	upto := c.written
	c.mu.Unlock()
	if err := f.Sync(); err != nil {
		c.mu.Lock()
		c.broken = err
		c.mu.Unlock()
		return fmt.Errorf("seal: checkpoint %s: fsync: %w", c.path, err)
	}
	c.synced = upto
	return nil
}

// Latest returns the checkpointed head of tenderID with the highest seq,
// and false when the checkpoint has none. The first call reads and
// verifies the whole file; later calls read only what was appended since
// (by any process), so it is cheap enough for every write. An error names
// the first line that fails; a line signing a tender's latest seq with
// another hash is ErrConflict.
func (c *Checkpoint) Latest(tenderID string) (SignedHead, bool, error) {
	c.idx.Lock()
	defer c.idx.Unlock()
	if err := c.refresh(); err != nil {
		return SignedHead{}, false, err
	}
	ti := c.heads.tenders[tenderID]
	switch {
	case ti == nil:
		return SignedHead{}, false, nil
	case ti.conflict != nil:
		return SignedHead{}, false, ti.conflict
	}
	return ti.latest, true, nil
}

// refresh reads and verifies what was appended to the file since the last
// refresh into the index. The caller holds idx.
func (c *Checkpoint) refresh() error {
	f, size, err := c.snapshot()
	if err != nil || size <= c.scanned {
		return err
	}
	// Appends only add bytes past size: read without holding mu.
	src := "checkpoint " + c.path
	base := c.scanned
	n, lines, err := scanLines(io.NewSectionReader(f, c.scanned, size-c.scanned), src, c.keys, c.scannedLines, func(sh SignedHead, line int, off int64, raw []byte) error {
		c.heads.add(src, sh, line, lineRef{off: base + off, sum: lineSum(raw), n: uint16(len(raw))})
		return nil
	})
	c.scanned += n
	c.scannedLines += lines
	return err
}

// All returns tenderID's checkpointed heads in file order. It reads and
// verifies the whole file: every line parses and its signature verifies
// (else a *LineError wrapping ErrCheckpoint and the cause), and no two of
// the tender's lines sign the same seq with different hashes (else one
// wrapping ErrConflict). A torn last line is skipped.
func (c *Checkpoint) All(tenderID string) ([]SignedHead, error) {
	c.idx.Lock()
	defer c.idx.Unlock()
	if err := c.refresh(); err != nil {
		return nil, err
	}
	ti := c.heads.tenders[tenderID]
	switch {
	case ti == nil:
		return nil, nil
	case ti.conflict != nil:
		return nil, ti.conflict
	}
	f, _, err := c.snapshot()
	if err != nil {
		return nil, err
	}
	// The index keeps where each line is, not the line: read them again,
	// each checked against the digest taken when it was verified.
	src := "checkpoint " + c.path
	out := make([]SignedHead, 0, len(ti.refs))
	buf := make([]byte, maxHeadText+2)
	for _, r := range ti.refs {
		raw := buf[:r.n]
		if _, err := f.ReadAt(raw, r.off); err != nil {
			return nil, fmt.Errorf("seal: %s: %w", src, err)
		}
		if lineSum(raw) != r.sum {
			return nil, &LineError{Source: src, Line: r.line, Err: ErrCheckpoint, Msg: "the line changed after it was read and verified"}
		}
		sh, err := ParseSignedHead(string(raw[:len(raw)-1]))
		if err != nil {
			return nil, &LineError{Source: src, Line: r.line, Err: ErrCheckpoint, Cause: err, Msg: strings.TrimPrefix(err.Error(), "seal: ")}
		}
		out = append(out, sh)
	}
	return out, nil
}

// snapshot returns the open file and its size now: appends only add bytes
// past it, so it can be read without holding the lock.
func (c *Checkpoint) snapshot() (*os.File, int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil, 0, fmt.Errorf("seal: checkpoint %s: %w: closed", c.path, ErrClosed)
	}
	fi, err := c.f.Stat()
	if err != nil {
		return nil, 0, err
	}
	return c.f, fi.Size(), nil
}

// Close closes the file. Appends and reads after it return ErrClosed.
func (c *Checkpoint) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f = nil
	return err
}

// readCheckpoint reads checkpoint lines from r, verifying each with keys,
// and returns those of tenderID in order.
func readCheckpoint(r io.Reader, src string, keys []ed25519.PublicKey, tenderID string) ([]SignedHead, error) {
	var x headIndex
	var out []SignedHead
	if _, _, err := scanLines(r, src, keys, 0, func(sh SignedHead, n int, _ int64, _ []byte) error {
		if sh.TenderID == tenderID {
			x.add(src, sh, n, lineRef{})
			out = append(out, sh)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if ti := x.tenders[tenderID]; ti != nil && ti.conflict != nil {
		return nil, ti.conflict
	}
	return out, nil
}

// headIndex holds, by tender, where its verified heads are in the file,
// its latest head, the hash each seq was first signed with (its first 8
// bytes) and its first conflict: a seq signed with two hashes. About 60
// bytes a head: a server's checkpoint has one head per bid and event it
// ever received, so the heads themselves (a few hundred bytes each) are
// read again from the file when All asks for them.
type headIndex struct {
	tenders map[string]*tenderHeads
}

// tenderHeads is one tender's part of a headIndex.
type tenderHeads struct {
	latest   SignedHead         // the highest seq, the last in file order among equals
	refs     []lineRef          // its lines, in file order
	seqs     map[int64]seqFirst // the first hash each seq was signed with
	conflict error
}

// lineRef is where a verified line is in the file (off, n bytes with its
// newline) and a digest of its bytes (lineSum), so that a line changed
// after it was verified is not taken for it.
type lineRef struct {
	off  int64
	sum  uint64
	line int
	n    uint16
}

// seqFirst is the first hash a tender's seq was signed with (the first 16
// hex digits, as a number) and its line.
type seqFirst struct {
	hash uint64
	line int
}

// lineSum is the first 8 bytes of the SHA-256 of a line.
func lineSum(raw []byte) uint64 {
	d := sha256.Sum256(raw)
	return binary.BigEndian.Uint64(d[:8])
}

func (x *headIndex) add(src string, sh SignedHead, line int, ref lineRef) {
	if x.tenders == nil {
		x.tenders = map[string]*tenderHeads{}
	}
	id := sh.TenderID
	ti := x.tenders[id]
	if ti == nil {
		ti = &tenderHeads{seqs: map[int64]seqFirst{}}
		x.tenders[id] = ti
	}
	if ti.conflict != nil {
		return
	}
	h, _ := strconv.ParseUint(sh.Hash[:16], 16, 64) // a verified head's hash is 64 hex digits
	if s, ok := ti.seqs[sh.Seq]; ok && s.hash != h {
		ti.conflict = &LineError{Source: src, Line: line, Err: ErrConflict, Msg: fmt.Sprintf("tender %s seq %d is signed with hash %s… here and %016x… on line %d: its chain was rewritten", id, sh.Seq, sh.Hash[:16], s.hash, s.line)}
		return
	} else if !ok {
		ti.seqs[sh.Seq] = seqFirst{h, line}
	}
	if len(ti.refs) == 0 || sh.Seq >= ti.latest.Seq {
		ti.latest = sh
	}
	ref.line = line
	ti.refs = append(ti.refs, ref)
}

// scanLines reads complete checkpoint lines from r (the first numbered
// after skip lines), verifies each with keys and hands it to fn. It
// returns the bytes and lines consumed: a torn last line (no newline yet)
// is not consumed, so that a later scan reads it whole.
func scanLines(r io.Reader, src string, keys []ed25519.PublicKey, skip int, fn func(sh SignedHead, line int, off int64, raw []byte) error) (int64, int, error) {
	br := bufio.NewReaderSize(r, maxHeadText+2)
	var consumed int64
	lines := 0
	for n := skip + 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			switch {
			case err == io.EOF:
				return consumed, lines, nil // a torn last line
			case err != nil:
				return consumed, lines, fmt.Errorf("seal: %s: %w", src, err)
			}
			return consumed, lines, &LineError{Source: src, Line: n, Err: ErrCheckpoint, Msg: fmt.Sprintf("longer than %d bytes; a signed head's line is shorter", maxHeadText)}
		}
		if err == io.EOF {
			return consumed, lines, nil // end of file, or a torn last line
		}
		if err != nil {
			return consumed, lines, fmt.Errorf("seal: %s: %w", src, err)
		}
		sh, err := ParseSignedHead(string(line[:len(line)-1]))
		if err == nil {
			err = VerifyHead(sh, keys)
		}
		if err != nil {
			return consumed, lines, &LineError{Source: src, Line: n, Err: ErrCheckpoint, Cause: err, Msg: strings.TrimPrefix(err.Error(), "seal: ")}
		}
		if err := fn(sh, n, consumed, line); err != nil {
			return consumed, lines, err
		}
		consumed += int64(len(line))
		lines++
	}
}
