package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

// guard is how long a test waits for something that should happen at once;
// it fails a hang, it does not measure anything.
const guard = 10 * time.Second

// stallingReader gives its data, then blocks (like a terminal or a pipe
// whose writer stays open) until released; reading reports each Read call
// so that a test can cancel while a read is surely blocked.
type stallingReader struct {
	data    []byte
	calls   chan int // the number of each Read call, as it starts
	release chan struct{}
	n       int
}

func newStallingReader(data string) *stallingReader {
	return &stallingReader{data: []byte(data), calls: make(chan int, 100), release: make(chan struct{})}
}

func (s *stallingReader) Read(p []byte) (int, error) {
	s.n++
	s.calls <- s.n
	if len(s.data) > 0 {
		n := copy(p, s.data)
		s.data = s.data[n:]
		return n, nil
	}
	<-s.release
	return 0, io.EOF
}

// runInterrupted runs args with stdin stalling after the CSV header and one
// row, cancels the run while it waits for more input, and returns the exit
// status and stderr. Before the input was interruptible, such a run never
// returned.
func runInterrupted(t *testing.T, args []string) (int, string) {
	t.Helper()
	return runInterruptedWith(t, args, goodCSV)
}

func runInterruptedWith(t *testing.T, args []string, stdin string) (int, string) {
	t.Helper()
	in := newStallingReader(stdin)
	defer close(in.release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, in, &out, &errb, func(string) string { return "" })
	}()
	timeout := time.After(guard)
	for {
		select {
		case n := <-in.calls:
			if n < 2 {
				continue
			}
			cancel() // the second read blocks: the data is consumed
			select {
			case code := <-done:
				return code, errb.String()
			case <-timeout:
				t.Fatalf("%v: still running %v after the cancellation", args, guard)
			}
		case code := <-done:
			t.Fatalf("%v: ended (exit %d) before waiting for more input: %s", args, code, errb.String())
		case <-timeout:
			t.Fatalf("%v: never read stdin twice", args)
		}
	}
}

func TestInterruptWhileReadingStdin(t *testing.T) {
	bid := `{"method": "us-federal", "lines": [`
	cases := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"batch", []string{"batch", "--method", "us-federal"}, goodCSV},
		{"batch dry run", []string{"batch", "--dry-run", "--method", "us-federal"}, goodCSV},
		{"batch -o", []string{"batch", "--method", "us-federal", "-o", filepath.Join(t.TempDir(), "out.csv")}, goodCSV},
		{"calc", []string{"calc"}, bid},
		{"compare", []string{"compare", "--method", "us-federal", "--method", "eu-gpp"}, bid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, errs := runInterruptedWith(t, tc.args, tc.stdin)
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d", code, exitInterrupted)
			}
			cmd := tc.args[0]
			if errs != "footprint "+cmd+": interrupted\n" {
				t.Errorf("stderr %q, want only %q", errs, "footprint "+cmd+": interrupted")
			}
		})
	}
}

func TestInterruptWhileOpeningFIFO(t *testing.T) {
	// Opening a FIFO that no one writes blocks in open(2).
	fifo := filepath.Join(t.TempDir(), "in.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"batch", "--method", "us-federal", fifo}, strings.NewReader(""), io.Discard, &errb, func(string) string { return "" })
	}()
	cancel()
	select {
	case code := <-done:
		if code != exitInterrupted || !strings.Contains(errb.String(), "interrupted") {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	case <-time.After(guard):
		t.Fatal("still waiting for a writer after the cancellation")
	}
	// Let the abandoned open finish, so that the goroutine holding it ends.
	if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
		f.Close()
	}
}

func TestInterruptibleReaderData(t *testing.T) {
	big := make([]byte, 3*readChunkSize+123)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	boom := errors.New("boom")
	cases := []struct {
		name    string
		src     io.Reader
		want    []byte
		wantErr error
	}{
		{"empty", strings.NewReader(""), nil, nil},
		{"small", strings.NewReader("abc"), []byte("abc"), nil},
		{"larger than the buffers", bytes.NewReader(big), big, nil},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(big[:5000])), big[:5000], nil},
		{"data with EOF", iotest.DataErrReader(strings.NewReader("abcdef")), []byte("abcdef"), nil},
		{"error after data", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), []byte("abc"), boom},
		{"error at once", iotest.ErrReader(boom), nil, boom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &interruptibleReader{ctx: context.Background(), r: tc.src, closer: io.NopCloser(nil)}
			got, err := io.ReadAll(iotest.HalfReader(r)) // small reads: a chunk is consumed in parts
			if !bytes.Equal(got, tc.want) {
				t.Errorf("read %d bytes, want %d (or different bytes)", len(got), len(tc.want))
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if n, err := r.Read(make([]byte, 1)); n != 0 || err == nil {
				t.Errorf("read after the end: %d, %v", n, err)
			}
		})
	}
	if err := iotest.TestReader(&interruptibleReader{ctx: context.Background(), r: bytes.NewReader(big), closer: io.NopCloser(nil)}, big); err != nil {
		t.Error(err)
	}
}

func TestInterruptibleReaderClose(t *testing.T) {
	// Closed before any read: no goroutine starts, reads fail.
	r := &interruptibleReader{ctx: context.Background(), r: strings.NewReader("abc"), closer: io.NopCloser(nil)}
	r.Close()
	if n, err := r.Read(make([]byte, 8)); n != 0 || !errors.Is(err, os.ErrClosed) {
		t.Errorf("read after close: %d, %v", n, err)
	}
	// Closed after a read, with the source still open: the next read fails
	// instead of blocking, and a second Close is harmless.
	s := newStallingReader("abc")
	defer close(s.release)
	r = &interruptibleReader{ctx: context.Background(), r: s, closer: io.NopCloser(nil)}
	if b := make([]byte, 8); func() bool { n, err := r.Read(b); return n != 3 || err != nil }() {
		t.Fatal("first read")
	}
	r.Close()
	r.Close()
	done := make(chan error, 1)
	go func() { _, err := r.Read(make([]byte, 8)); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("read after close: %v", err)
		}
	case <-time.After(guard):
		t.Fatal("read after close blocks")
	}
}

func TestOpenInputRegularFile(t *testing.T) {
	// A regular file is not wrapped (it never blocks, and the progress bar
	// reads its size), and stdin is never closed by a command.
	f, err := os.Open(filepath.Join("..", "..", "examples", "bid.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := &env{stdin: f}
	in, err := openInput(context.Background(), e, "-")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := in.(fileInput); !ok {
		t.Errorf("regular stdin wrapped as %T", in)
	}
	in.Close()
	if _, err := f.Stat(); err != nil {
		t.Errorf("closing the input closed stdin: %v", err)
	}
	e.stdin = strings.NewReader("x")
	if in, _ := openInput(context.Background(), e, ""); func() bool { _, ok := in.(*interruptibleReader); return !ok }() {
		t.Errorf("a stream is not interruptible: %T", in)
	}
}

func TestInputSize(t *testing.T) {
	// The progress bar shows bytes of a regular file's size: openInput's
	// wrapper must still expose it.
	name := filepath.Join("..", "..", "examples", "compare-us-eu.csv")
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name string
		e    *env
		arg  string
		want int64
	}{
		{"named file", &env{}, name, st.Size()},
		{"stdin from a file", &env{stdin: f}, "-", st.Size()},
		{"a stream", &env{stdin: strings.NewReader("abc")}, "", -1},
	} {
		in, err := openInput(context.Background(), tc.e, tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := inputSize(in); got != tc.want {
			t.Errorf("%s: size %d, want %d", tc.name, got, tc.want)
		}
		in.Close()
	}
}
