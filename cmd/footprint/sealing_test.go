package main

import (
	"context"
	"io"
	"testing"

	"github.com/footprint-gpp/footprint/store"
)

// openSealed opens the database at url as serve does, with the key file
// and checkpoint beside it (created when missing), so that what a test
// writes is signed like what the commands write.
func openSealed(t testing.TB, url string) store.Store {
	t.Helper()
	empty := ""
	o := &dbOptions{url: &url, keys: &empty, checkpoint: &empty, creates: true}
	st, err := o.open(context.Background(), &env{stderr: io.Discard, getenv: func(string) string { return "" }}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return st
}
