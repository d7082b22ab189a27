// Package conformance runs the open conformance vectors: JSON files, each a
// bid, the method version it is computed under (pinned by id@version and the
// method file's digest), and the result every conforming implementation must
// give, as exact decimal strings at the method's reported places.
//
// The vectors live in conformance/v1/ (format 1) and are embedded, so that
// the binary can check itself (`footprint conformance`); a directory of
// vectors can be run instead. docs/conformance.md describes the format for
// other tools.
//
// The expected values are not the engine's output: the package's tests
// recompute every vector with an independent math/big.Rat oracle that reads
// the datasets (factors/data) and the method files as text, and a line's EPD
// document itself, and that holds each dataset value it uses to the
// published record it cites (../shared/reference-data); `go test
// ./conformance -update` writes them from that oracle. The runner here then
// holds the engine to them.
//
// Dependencies: cmd → conformance → calc → methods → factors.
package conformance

import (
	"embed"
	"io/fs"
)

//go:embed v1
var embedded embed.FS

// Embedded returns the built-in vectors; its root holds the format
// directories (v1/...), so names read "v1/<name>".
func Embedded() fs.FS { return embedded }
