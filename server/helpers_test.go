package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// newTestServer builds a Server over the embedded data.
func newTestServer(tb testing.TB) http.Handler {
	tb.Helper()
	lib, err := factors.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := methods.Embedded(lib)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := New(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib)})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// statusOfBatch is 501 while calc/batch is not built, else 200.
func statusOfBatch() int {
	if _, err := batch.Run(context.Background(), nil, strings.NewReader(""), io.Discard, batch.Options{}); errors.Is(err, batch.ErrNotImplemented) {
		return 501
	}
	return 200
}

// newHTTPTestServer runs the service on a real loopback listener.
func newHTTPTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newTestServer(t))
	t.Cleanup(srv.Close)
	return srv
}
