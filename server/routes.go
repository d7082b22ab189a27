package server

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes registers every route of the service. It is the one place to
// read what the server answers; the OpenAPI test walks it.
//
// Every GET route also answers HEAD (net/http sends the headers and drops
// the body). OPTIONS is answered for every path by methodNotAllowed, with
// the Allow header built from these registrations. Every route with a
// body goes through limitBody, which refuses a Content-Length over the
// route's limit before reading.
func (s *Server) routes(r *mux.Router) {
	r.Use(labelRoute)
	jsonBody := bodyLimit{max: MaxBodyBytes}
	// Bids may carry EPD documents: their routes read up to
	// MaxEPDBodyBytes, and decodeJSON holds a body without "epd" to
	// MaxBodyBytes.
	bidBody := bodyLimit{max: MaxEPDBodyBytes}
	formBody := bodyLimit{max: MaxFormBytes, form: true}
	batchBody := bodyLimit{max: MaxBatchBytes, idle: s.batchIdle, total: BatchTimeout}
	get := func(path string, h handlerFunc) {
		r.Handle(path, s.handle(h)).Methods(http.MethodGet, http.MethodHead)
	}
	post := func(path string, lim bodyLimit, h handlerFunc) {
		r.Handle(path, s.limitBody(lim, s.handle(h))).Methods(http.MethodPost)
	}
	// Web pages answer a full disk and too many failed sign-ins with a
	// page (handlePage), not problem+json.
	getPage := func(path string, h handlerFunc) {
		r.Handle(path, s.handlePage(h)).Methods(http.MethodGet, http.MethodHead)
	}
	postPage := func(path string, lim bodyLimit, h handlerFunc) {
		r.Handle(path, s.limitBody(lim, s.handlePage(h))).Methods(http.MethodPost)
	}

	// REST API (DESIGN "REST").
	post("/v1/footprints", bidBody, s.postFootprint)
	post("/v1/comparisons", bidBody, s.postComparison)
	post("/v1/batch", batchBody, s.postBatch)
	get("/v1/methods", s.getMethods)
	get("/v1/methods/{id}", s.getMethod)
	get("/v1/methods/{id}/{version}", s.getMethodVersion)
	get("/v1/factors", s.getFactors)
	get("/v1/factors/{id}", s.getFactor)
	get("/v1/activities", s.getActivities)
	get("/v1/regions", s.getRegions)
	get("/v1/openapi.json", s.getOpenAPI)
	get("/healthz", s.getHealth)
	r.HandleFunc("/metrics", s.getMetrics).Methods(http.MethodGet, http.MethodHead)

	// Tenders (DESIGN "Tenders"; tenders_api.go, auth in auth.go).
	post("/v1/tenders", jsonBody, s.postTender)
	get("/v1/tenders", s.getTenders)
	get("/v1/tenders/{id}", s.getTender)
	post("/v1/tenders/{id}/bids", bidBody, s.postTenderBid)
	get("/v1/tenders/{id}/bids", s.getTenderBids)
	get("/v1/tenders/{id}/bids/{bid_id}", s.getTenderBid)
	r.Handle("/v1/tenders/{id}/bids/{bid_id}", s.handle(s.deleteTenderBid)).Methods(http.MethodDelete)
	post("/v1/tenders/{id}/open", jsonBody, s.postTenderOpen)
	post("/v1/tenders/{id}/approvals", jsonBody, s.postTenderApproval)
	get("/v1/tenders/{id}/evaluation", s.getTenderEvaluation)
	get("/v1/tenders/{id}/ocds", s.getTenderOCDS)
	get("/v1/tenders/{id}/eforms/contract-notice", s.getTenderContractNotice)
	get("/v1/tenders/{id}/eforms/award-notice", s.getTenderAwardNotice)
	get("/v1/tenders/{id}/audit", s.getTenderAudit)
	// Officers and sessions (officers_api.go).
	post("/v1/session", jsonBody, s.postSession)
	r.Handle("/v1/session", s.handle(s.deleteSession)).Methods(http.MethodDelete)
	post("/v1/officers", jsonBody, s.postOfficer)
	get("/v1/officers", s.getOfficers)
	r.Handle("/v1/officers/{id}", s.limitBody(jsonBody, s.handle(s.patchOfficer))).Methods(http.MethodPatch)
	// footprint's OCDS extension, which the packages declare.
	get("/v1/ocds/extension/extension.json", s.getOCDSExtension("extension.json"))
	get("/v1/ocds/extension/release-schema.json", s.getOCDSExtension("release-schema.json"))

	// Web form: GET shows it, POST acts on it (add or remove a line, upload
	// a CSV, calculate); downloads recompute from the posted bid.
	getPage("/", s.getForm)
	postPage("/", formBody, s.postForm)
	postPage("/download", formBody, s.postDownload)
	getPage("/static/{file}", s.getStatic)

	// Tender pages (tenders_web.go): officers behind a session cookie with
	// CSRF tokens on every form; the notice and bid form are public.
	getPage("/officer/sign-in", s.getSignIn)
	postPage("/officer/sign-in", formBody, s.postSignIn)
	postPage("/officer/sign-out", formBody, s.postSignOut)
	getPage("/officer/oidc/start", s.getOIDCStart)
	getPage(OIDCCallbackPath, s.getOIDCCallback)
	getPage("/tenders", s.pageTenders)
	getPage("/tenders/new", s.getNewTender)
	postPage("/tenders/new", formBody, s.postNewTender)
	getPage("/tenders/{id}", s.pageTender)
	postPage("/tenders/{id}/open", formBody, s.postOpen)
	postPage("/tenders/{id}/approvals", formBody, s.postApprove)
	getPage("/tenders/{id}/evaluation", s.getEvaluation)
	getPage("/tenders/{id}/notice", s.getNotice)
	postPage("/tenders/{id}/bid", formBody, s.postBid)
}
