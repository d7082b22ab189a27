package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/footprint-gpp/footprint/store"
)

// TestTenderSuiteSQLite runs the tender handler tests against the SQLite
// store (the embedded default), so that the REST semantics the in-memory
// test store models are those of a real database.
func TestTenderSuiteSQLite(t *testing.T) {
	dir := t.TempDir()
	n := 0
	runTenderSuite(t, func() store.Store {
		n++
		st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, fmt.Sprintf("t%d.db", n)))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
