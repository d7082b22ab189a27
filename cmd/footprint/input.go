package main

import (
	"context"
	"io"
	"os"
	"sync"
)

// openInput opens a named file, or stdin for "" and "-". Anything that is
// not a regular file (a pipe, a terminal, a FIFO, a test's reader) comes
// back wrapped so that a read returns as soon as ctx is cancelled: read(2)
// on a pipe or terminal ignores the context, and Ctrl-C while a command
// waits for input would otherwise do nothing until the input ends.
func openInput(ctx context.Context, e *env, name string) (io.ReadCloser, error) {
	var r io.Reader = e.stdin
	var closer io.Closer = io.NopCloser(nil)
	if name != "" && name != "-" {
		// Opening a FIFO blocks until a writer opens it: wait for that
		// interruptibly too.
		f, err := openFile(ctx, name, os.O_RDONLY, 0)
		if err != nil {
			return nil, err
		}
		r, closer = f, f
	}
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			// A regular file never blocks; keep the *os.File so that the
			// progress bar can show its size.
			return fileInput{f, closer}, nil
		}
	}
	return &interruptibleReader{ctx: ctx, r: r, closer: closer}, nil
}

// fileInput is a regular file; closing it closes the file only when
// openInput opened it (never stdin).
type fileInput struct {
	*os.File
	closer io.Closer
}

func (f fileInput) Close() error { return f.closer.Close() }

// openFile opens name and gives up when ctx is cancelled first (opening a
// FIFO waits for its other end). A file opened after the cancellation is
// closed by the goroutine that opened it.
func openFile(ctx context.Context, name string, flag int, perm os.FileMode) (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := os.OpenFile(name, flag, perm)
		ch <- result{f, err}
	}()
	select {
	case r := <-ch:
		return r.f, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.f != nil {
				r.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// readChunkSize is the size of each of the two buffers an
// interruptibleReader fills ahead of its consumer (a pipe's capacity).
const readChunkSize = 64 << 10

// interruptibleReader reads r in a goroutine of its own, one buffer ahead
// of the consumer, and returns ctx.Err() from Read as soon as ctx is
// cancelled. The goroutine may stay blocked in r.Read after that; the
// process is about to exit, and it never touches the consumer's buffers
// (it reads into its own and Read copies out), so the io.Reader contract
// holds.
type interruptibleReader struct {
	ctx    context.Context
	r      io.Reader
	closer io.Closer

	start     sync.Once
	closeOnce sync.Once
	stop      chan struct{}  // closed by Close: the goroutine ends
	chunks    chan readChunk // filled chunks, in order; nil once closed unstarted
	free      chan []byte    // buffers handed back to the goroutine
	cur       readChunk      // the chunk being consumed
	off       int
	err       error // sticky: the source's error once its data is consumed
}

type readChunk struct {
	b   []byte
	err error
}

func (r *interruptibleReader) Read(p []byte) (int, error) {
	r.start.Do(func() {
		r.stop = make(chan struct{})
		r.chunks = make(chan readChunk, 1)
		r.free = make(chan []byte, 2)
		r.free <- make([]byte, readChunkSize)
		r.free <- make([]byte, readChunkSize)
		go r.fill()
	})
	if r.chunks == nil {
		return 0, os.ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	for r.off >= len(r.cur.b) {
		if r.err != nil {
			return 0, r.err
		}
		if r.cur.b != nil {
			r.free <- r.cur.b[:cap(r.cur.b)]
			r.cur = readChunk{}
		}
		// Cancellation wins over data already read: an interrupted run
		// stops at once.
		if err := r.ctx.Err(); err != nil {
			return 0, err
		}
		select {
		case c := <-r.chunks:
			r.cur, r.off, r.err = c, 0, c.err
		case <-r.stop:
			return 0, os.ErrClosed
		case <-r.ctx.Done():
			return 0, r.ctx.Err()
		}
	}
	n := copy(p, r.cur.b[r.off:])
	r.off += n
	return n, nil
}

// fill reads r into free buffers until an error (io.EOF included), Close
// or the cancellation of ctx.
func (r *interruptibleReader) fill() {
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.stop:
			return
		case <-r.ctx.Done():
			return
		}
		n, err := r.r.Read(buf)
		if n == 0 && err == nil {
			r.free <- buf // a legal but empty read: try again
			continue
		}
		select {
		case r.chunks <- readChunk{b: buf[:n], err: err}:
		case <-r.stop:
			return
		case <-r.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// Close ends the reading goroutine (unless it is blocked in a read of a
// source that Close does not close, such as stdin: the process is then
// about to exit) and closes the source when openInput opened it.
func (r *interruptibleReader) Close() error {
	r.start.Do(func() {}) // never start after Close
	r.closeOnce.Do(func() {
		if r.stop != nil {
			close(r.stop)
		}
	})
	return r.closer.Close()
}
