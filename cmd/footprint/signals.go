package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// watchSignals turns the first signal into the cancellation of the run (a
// batch stops and removes its partial output, serve finishes the requests
// in flight) and a second one into an immediate exit: someone who presses
// Ctrl-C twice does not want to wait for a graceful shutdown.
func watchSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	sig, ok := <-sigs
	if !ok {
		return
	}
	cancel(fmt.Errorf("%w by signal %v", errInterrupted, sig))
	if _, ok := <-sigs; !ok {
		return
	}
	fmt.Fprintln(stderr, "footprint: interrupted again: stopping at once")
	exit(exitInterrupted)
}

// errInterrupted is the cause of a run's cancellation by a signal.
var errInterrupted = errors.New("interrupted")

// interrupted reports whether a command failed because its run was
// cancelled: then the message is "interrupted", not the error that the
// cancellation caused somewhere inside (a read returning "context canceled").
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}

// fail reports err for command cmd and returns its exit status:
// exitInterrupted with "interrupted" when the run was cancelled, else code.
func fail(ctx context.Context, e *env, cmd string, err error, code int) int {
	if interrupted(ctx, err) {
		fmt.Fprintf(e.stderr, "footprint %s: interrupted\n", cmd)
		return exitInterrupted
	}
	fmt.Fprintf(e.stderr, "footprint %s: %v\n", cmd, err)
	return code
}
