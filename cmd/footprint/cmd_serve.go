package main

import (
	"context"
	"fmt"
)

func cmdServe(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stderr, "footprint serve: not implemented yet")
	return exitFailed
}
