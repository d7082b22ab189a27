package main

import (
	"context"
	"fmt"
)

func cmdCompare(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stderr, "footprint compare: not implemented yet")
	return exitFailed
}
