package main

import (
	"context"
	"fmt"
)

// methodsValidate and methodsDiff are the authoring commands (issue 5).
func methodsValidate(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stderr, "footprint methods validate: not implemented yet")
	return exitFailed
}

func methodsDiff(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stderr, "footprint methods diff: not implemented yet")
	return exitFailed
}
