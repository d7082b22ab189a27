package server

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes registers every route of the service. It is the one place to
// read what the server answers; the OpenAPI test walks it.
func (s *Server) routes(r *mux.Router) {
	r.Use(labelRoute)

	// REST API (DESIGN "REST").
	r.Handle("/v1/footprints", s.handle(s.postFootprint)).Methods(http.MethodPost)
	r.Handle("/v1/comparisons", s.handle(s.postComparison)).Methods(http.MethodPost)
	r.Handle("/v1/batch", s.handle(s.postBatch)).Methods(http.MethodPost)
	r.Handle("/v1/methods", s.handle(s.getMethods)).Methods(http.MethodGet)
	r.Handle("/v1/methods/{id}", s.handle(s.getMethod)).Methods(http.MethodGet)
	r.Handle("/v1/methods/{id}/{version}", s.handle(s.getMethodVersion)).Methods(http.MethodGet)
	r.Handle("/v1/factors", s.handle(s.getFactors)).Methods(http.MethodGet)
	r.Handle("/v1/factors/{id}", s.handle(s.getFactor)).Methods(http.MethodGet)
	r.Handle("/v1/activities", s.handle(s.getActivities)).Methods(http.MethodGet)
	r.Handle("/v1/regions", s.handle(s.getRegions)).Methods(http.MethodGet)
	r.Handle("/v1/openapi.json", s.handle(s.getOpenAPI)).Methods(http.MethodGet)
	r.Handle("/healthz", s.handle(s.getHealth)).Methods(http.MethodGet)
	r.Handle("/metrics", s.handle(s.getMetrics)).Methods(http.MethodGet)

	// Web form: GET shows it, POST acts on it (add or remove a line, upload
	// a CSV, calculate); downloads recompute from the posted bid.
	r.Handle("/", s.handle(s.getForm)).Methods(http.MethodGet)
	r.Handle("/", s.handle(s.postForm)).Methods(http.MethodPost)
	r.Handle("/download", s.handle(s.postDownload)).Methods(http.MethodPost)
	r.Handle("/static/{file}", s.handle(s.getStatic)).Methods(http.MethodGet)
}
