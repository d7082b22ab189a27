package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary run the program instead of the tests:
// signal tests send real signals to a child process, never to themselves.
const childEnv = "FOOTPRINT_TEST_CHILD_ARGS"

// childReady is what a child prints on stderr once its signals are caught.
const childReady = "footprint-test: signals caught"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Exit(mainCode(strings.Split(args, "\x1f"), func() { fmt.Fprintln(os.Stderr, childReady) }))
	}
	os.Exit(m.Run())
}

// child is the program running in a subprocess.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	lines []string
	seen  chan string // every stderr line
	exit  chan error
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, seen: make(chan string, 1000), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
			select {
			case c.seen <- sc.Text():
			default:
			}
		}
		c.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		stdin.Close()
	})
	c.waitFor(t, regexp.MustCompile(regexp.QuoteMeta(childReady)))
	return c
}

// waitFor returns the first stderr line matching re.
func (c *child) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(guard)
	for {
		select {
		case l := <-c.seen:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no stderr line matching %s within %v:\n%s", re, guard, c.stderr())
		}
	}
}

func (c *child) stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

func (c *child) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait returns the child's exit status.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-c.exit:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(guard):
		t.Fatalf("the program did not exit within %v:\n%s", guard, c.stderr())
		return -1
	}
}

func TestSignalWhileBatchReadsStdin(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			c := startChild(t, "batch", "--method", "us-federal")
			io.WriteString(c.stdin, goodCSV) // and keep stdin open
			c.signal(t, sig)
			if code := c.wait(t); code != exitInterrupted {
				t.Errorf("exit %d, want %d:\n%s", code, exitInterrupted, c.stderr())
			}
			if got := c.stderr(); !strings.HasSuffix(got, "footprint batch: interrupted") || strings.Contains(got, "context canceled") {
				t.Errorf("stderr:\n%s", got)
			}
		})
	}
}

func TestServeSignals(t *testing.T) {
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)

	t.Run("first signal: graceful, exit 0", func(t *testing.T) {
		c := startChild(t, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "footprint.db"))
		c.waitFor(t, listening)
		c.signal(t, os.Interrupt)
		if code := c.wait(t); code != exitOK {
			t.Errorf("exit %d:\n%s", code, c.stderr())
		}
	})

	t.Run("second signal during graceful shutdown: at once", func(t *testing.T) {
		c := startChild(t, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "footprint.db"))
		addr := c.waitFor(t, listening)[1]
		// A request in flight that never ends: its body stays open. The
		// server asks for the body (100 Continue) only once the handler
		// reads it, so the request is surely in flight after that.
		body, bodyW := io.Pipe()
		defer bodyW.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		reading := make(chan struct{})
		var once sync.Once
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{Got100Continue: func() { once.Do(func() { close(reading) }) }})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/footprints", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Expect", "100-continue")
		client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: guard}}
		go func() {
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		go io.WriteString(bodyW, `{"method": "us-federal", "lines": [`)
		select {
		case <-reading:
		case <-time.After(guard):
			t.Fatalf("the server never read the request body:\n%s", c.stderr())
		}
		c.signal(t, os.Interrupt)
		c.waitFor(t, regexp.MustCompile(`shutting down`))
		c.signal(t, os.Interrupt)
		if code := c.wait(t); code != exitInterrupted {
			t.Errorf("exit %d, want %d:\n%s", code, exitInterrupted, c.stderr())
		}
		if !strings.Contains(c.stderr(), "footprint: interrupted again: stopping at once") {
			t.Errorf("stderr:\n%s", c.stderr())
		}
	})
}

func TestWatchSignals(t *testing.T) {
	cases := []struct {
		name string
		sigs []os.Signal
		exit bool
	}{
		{"one signal cancels", []os.Signal{syscall.SIGTERM}, false},
		{"a second one exits", []os.Signal{os.Interrupt, os.Interrupt}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sigs := make(chan os.Signal, len(tc.sigs))
			for _, s := range tc.sigs {
				sigs <- s
			}
			close(sigs) // watchSignals returns when no more signals come
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			var out strings.Builder
			code := -1
			watchSignals(sigs, cancel, &out, func(c int) { code = c })
			if cause := context.Cause(ctx); !errors.Is(cause, errInterrupted) {
				t.Errorf("cause %v, want errInterrupted", cause)
			}
			if tc.exit != (code == exitInterrupted) {
				t.Errorf("exit %d, want an exit: %v", code, tc.exit)
			}
			if tc.exit != strings.Contains(out.String(), "interrupted again: stopping at once") {
				t.Errorf("message %q", out.String())
			}
		})
	}
}
