package server

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/store"
)

// handlePage adapts the handler of a web page (routes.go): as handle, but
// the errors a person at a browser must be told about in words, not in
// problem+json, are rendered as the message page with the same status
// (and headers, such as Retry-After): a full disk (507) and too many
// failed sign-ins (429). Every other error is answered as by handle.
func (s *Server) handlePage(h handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err == nil {
			return nil
		}
		if sw, ok := w.(*statusWriter); ok && sw.wrote {
			return err
		}
		var he *httpError
		switch {
		case errors.Is(err, store.ErrDiskFull):
			s.log.ErrorContext(r.Context(), "request failed", slog.String("method", clip.Text(r.Method)), slog.String("path", clip.Text(r.URL.Path)), slog.Any("err", err))
			return s.message(w, s.tw.session(r), http.StatusInsufficientStorage, "The server's disk is full",
				"The server's disk is full, so nothing was stored: your submission was not received. Try again later; the server's log tells its operators.")
		case errors.Is(err, errTooManyGuesses) && errors.As(err, &he):
			return s.message(w, nil, http.StatusTooManyRequests, "Too many failed attempts", he.detail)
		}
		return err
	})
}
