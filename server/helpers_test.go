package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

// newTestServer builds a Server over the embedded data.
func newTestServer(tb testing.TB) http.Handler {
	tb.Helper()
	lib, reg, err := methods.Defaults()
	if err != nil {
		tb.Fatal(err)
	}
	h, err := New(Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), ParseEPD: fakeEPDParse})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// newHTTPTestServer runs the service on a real loopback listener.
func newHTTPTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newTestServer(t))
	t.Cleanup(srv.Close)
	return srv
}
