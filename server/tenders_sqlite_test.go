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
	runTenderSuite(t, sqliteFactory(t))
}

// sqliteFactory opens a fresh SQLite file under tb's temporary directory
// for each store the suite asks for.
func sqliteFactory(tb testing.TB) storeFactory {
	dir := tb.TempDir()
	n := 0
	return func() store.Store {
		n++
		st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, fmt.Sprintf("t%d.db", n)))
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
}
