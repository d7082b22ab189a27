package main

import (
	"context"
	"fmt"
)

func cmdBatch(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stderr, "footprint batch: not implemented yet")
	return exitFailed
}
