package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// writeJSON writes v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}

// writeRaw writes JSON bytes with a status.
func writeRaw(w http.ResponseWriter, status int, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// resolveIn resolves a method reference found in a request at pointer (or
// in query parameter param): an unknown method there is a 422.
func (s *Server) resolveIn(ref, pointer, param string) (*methods.Method, error) {
	return resolveRef(s.reg, ref, pointer, param)
}

// resolveRef is resolveIn in a given registry.
func resolveRef(reg *methods.Registry, ref, pointer, param string) (*methods.Method, error) {
	if strings.TrimSpace(ref) == "" {
		d := "a method is required: give \"method\" in the bid or ?method= (see GET /v1/methods)"
		return nil, &httpError{err: factors.ErrInvalid, detail: d, fields: []FieldError{{Pointer: pointer, Parameter: param, Detail: d}}}
	}
	if len(ref) > MaxMethodRef {
		d := fmt.Sprintf("method reference %q: too long, at most %d characters (see GET /v1/methods)", clip.Prefix(ref), MaxMethodRef)
		return nil, &httpError{err: methods.ErrUnknownMethod, detail: d, fields: []FieldError{{Pointer: pointer, Parameter: param, Detail: d}}}
	}
	m, err := reg.Resolve(ref)
	if err != nil {
		return nil, &httpError{err: err, detail: err.Error(), fields: []FieldError{{Pointer: pointer, Parameter: param, Detail: err.Error()}}}
	}
	return m, nil
}

// MaxMethodRef bounds a method reference (id@version) in a request.
const MaxMethodRef = 100

// footprint computes a bid. Its lines are not counted in the metrics:
// /metrics is public, and a count read before and after a bid would tell
// its size (metrics.go).
func (s *Server) footprint(m *methods.Method, bid calc.Bid) (*calc.Footprint, error) {
	return s.engine.Calculate(m, bid)
}

// postFootprint answers POST /v1/footprints: a bid in, its footprint out.
func (s *Server) postFootprint(w http.ResponseWriter, r *http.Request) error {
	var req BidRequest
	if err := s.decodePooled(w, r, &req); err != nil {
		return err
	}
	if err := s.validateStruct(&req); err != nil {
		return err
	}
	ref, ptr, param := req.Method, "/method", ""
	if q := r.URL.Query().Get("method"); q != "" {
		ref, ptr, param = q, "", "method"
	}
	m, err := s.resolveIn(ref, ptr, param)
	if err != nil {
		return err
	}
	bid, err := toBid(s.parseEPD, m.Ref(), req.Reference, req.Supplier, req.Lines)
	if err != nil {
		return err
	}
	bid.Date, bid.ValidThrough = req.Date, req.ValidThrough
	bid.DefaultDate(s.tenders.now())
	_, sampled, qerr := uncertaintyQuery(r)
	if qerr == nil && !sampled {
		return s.writeFootprint(w, m, bid)
	}
	// A sampled answer, or a refused query (answered after the bid's own
	// errors).
	fp, err := s.footprint(m, bid)
	if err != nil {
		return err
	}
	if qerr != nil {
		return qerr
	}
	// The sampled answer adds its "uncertainty" member to the exact one.
	body, err := fp.JSON()
	if err == nil {
		body, err = withFootprintUncertainty(r, s.reg, m, fp, &bid, body)
	}
	if err != nil {
		return err
	}
	return writeRaw(w, http.StatusOK, body)
}

// writeFootprint computes a bid's footprint and answers its JSON (the
// bytes of fp.JSON for the footprint s.footprint computes), encoded and
// sealed in a buffer of the server's pool: the footprint is only written,
// so the engine keeps its amounts in fixed point (AppendFootprintJSON).
// A bid the engine refuses is answered as s.footprint's error.
func (s *Server) writeFootprint(w http.ResponseWriter, m *methods.Method, bid calc.Bid) error {
	buf := s.bufs.get()
	defer s.bufs.put(buf)
	body, err := s.engine.AppendFootprintJSON(*buf, m, bid)
	if err != nil {
		return err
	}
	*buf = body[:0]
	// With its length known, the answer goes out in one piece rather than
	// in chunks.
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	return writeRaw(w, http.StatusOK, body)
}

// postComparison answers POST /v1/comparisons: a bid and 2 to 5 methods
// in, the comparison with its attribution out.
func (s *Server) postComparison(w http.ResponseWriter, r *http.Request) error {
	var req ComparisonRequest
	if err := s.decodePooled(w, r, &req); err != nil {
		return err
	}
	if err := s.validateStruct(&req); err != nil {
		return err
	}
	ms := make([]*methods.Method, len(req.Methods))
	var fields []FieldError
	for i, ref := range req.Methods {
		m, err := s.reg.Resolve(ref)
		if err != nil {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/methods/%d", i), Detail: err.Error()})
		}
		ms[i] = m
	}
	if len(fields) > 0 {
		return &httpError{err: methods.ErrUnknownMethod, detail: fields[0].Detail, fields: fields}
	}
	bid, err := toBid(s.parseEPD, "", req.Reference, req.Supplier, req.Lines)
	if err != nil {
		return err
	}
	bid.Date, bid.ValidThrough = req.Date, req.ValidThrough
	bid.DefaultDate(s.tenders.now())
	cmp, err := s.engine.Compare(ms, bid)
	if err != nil {
		return err
	}
	// A line no method can compute because its input is wrong (unknown
	// activity, unit or region...) makes the bid invalid, as for
	// /v1/footprints; a line only some methods cannot compute is a finding
	// of the comparison and stays in the 200 answer (docs/api.md).
	if err := cmp.InputError(); err != nil {
		return err
	}
	return writeComparison(w, r, s.reg, ms, cmp, &bid)
}

// postBatch answers POST /v1/batch: CSV in, CSV out, streamed.
func (s *Server) postBatch(w http.ResponseWriter, r *http.Request) error {
	if err := checkMedia(r, "text/csv", func(mt string) bool { return mt == "text/csv" }); err != nil {
		return err
	}
	refs := r.URL.Query()["method"]
	if len(refs) == 0 || len(refs) > MaxMethods {
		d := fmt.Sprintf("give 1 to %d methods as ?method=A&method=B (got %d)", MaxMethods, len(refs))
		return &httpError{err: errBadParameter, detail: d, fields: []FieldError{{Parameter: "method", Detail: d}}}
	}
	ms := make([]*methods.Method, len(refs))
	for i, ref := range refs {
		m, err := s.resolveIn(ref, "", "method")
		if err != nil {
			return err
		}
		ms[i] = m
	}
	release, err := s.acquireBatch(w)
	if err != nil {
		return err
	}
	defer release()
	rc := http.NewResponseController(w)
	// The run writes rows while it still reads the body. Without full
	// duplex an HTTP/1 server treats the first write as the end of the
	// request (it would discard or abandon the unread body).
	_ = rc.EnableFullDuplex()
	deadline := time.Now().Add(BatchTimeout)
	// Best effort: not every writer supports deadlines. The body's idle
	// deadline is renewed per read by limitBody (routes.go); the
	// response's is renewed per chunk written (progressWriter), so that a
	// client that stops reading frees its slot within batchWriteIdle.
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	body := http.MaxBytesReader(w, r.Body, MaxBatchBytes)
	w.Header().Set("Trailer", "X-Batch-Rows, X-Batch-Errors, X-Batch-Status")
	out := &lazyCSV{w: w, body: &progressWriter{w: w, rc: rc, idle: s.batchWriteIdle, end: deadline}}
	sum, err := batch.Run(r.Context(), s.engine, body, out, batch.Options{Methods: ms})
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = fmt.Errorf("%w: the CSV body is over %d bytes", errTooLargeBatch, mbe.Limit)
	}
	if !out.started {
		if err != nil {
			return err
		}
		out.start()
	}
	w.Header().Set("X-Batch-Rows", fmt.Sprint(sum.Rows))
	w.Header().Set("X-Batch-Errors", fmt.Sprint(sum.Errors))
	if err != nil {
		w.Header().Set("X-Batch-Status", "failed: "+strings.ReplaceAll(err.Error(), "\n", " "))
		return err // logged by the adapter: the response has started
	}
	w.Header().Set("X-Batch-Status", "ok")
	return nil
}

// acquireBatch takes one of the batch slots, or answers errBusy with
// Retry-After when all are taken: a client is told at once to come back
// rather than queued while holding a connection and a body. The returned
// func gives the slot back.
func (s *Server) acquireBatch(w http.ResponseWriter) (release func(), err error) {
	select {
	case s.batchSlots <- struct{}{}:
	default:
		s.metrics.batchRejected.Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(BatchRetryAfter/time.Second)))
		return nil, &httpError{err: errBusy, detail: fmt.Sprintf("%d batch runs are in progress, the most this server runs at once; retry after %d seconds",
			cap(s.batchSlots), int(BatchRetryAfter/time.Second))}
	}
	s.metrics.batchInFlight.Inc()
	return func() {
		s.metrics.batchInFlight.Dec()
		<-s.batchSlots
	}, nil
}

// lazyCSV starts the CSV response on the first write, so that a run that
// fails before any output still gets a problem response. The bytes go
// through body.
type lazyCSV struct {
	w       http.ResponseWriter
	body    io.Writer
	started bool
}

func (l *lazyCSV) start() {
	l.started = true
	l.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	l.w.Header().Set("Content-Disposition", `attachment; filename="footprint-batch.csv"`)
	l.w.WriteHeader(http.StatusOK)
}

func (l *lazyCSV) Write(p []byte) (int, error) {
	if !l.started {
		l.start()
	}
	return l.body.Write(p)
}

// progressWriter writes a streamed response in chunks of at most
// BatchWriteChunk bytes, each under a write deadline of idle from its
// start (never beyond end): a client that takes nothing for idle makes
// the write fail, which stops the run and frees its slot, while a client
// that keeps reading may stream until end.
type progressWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration
	end  time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		c := b
		if len(c) > BatchWriteChunk {
			c = c[:BatchWriteChunk]
		}
		d := time.Now().Add(p.idle)
		if d.After(p.end) {
			d = p.end
		}
		_ = p.rc.SetWriteDeadline(d) // best effort, as in postBatch
		m, err := p.w.Write(c)
		n += m
		if err != nil {
			return n, err
		}
		b = b[len(c):]
	}
	return n, nil
}

// getMethods answers GET /v1/methods.
func (s *Server) getMethods(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, List[MethodSummary]{Count: len(s.catalog.methods), Items: s.catalog.methods})
}

// getMethod answers GET /v1/methods/{id}.
func (s *Server) getMethod(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	vs := s.reg.Versions(id)
	if len(vs) == 0 {
		_, err := s.reg.Resolve(id)
		return &pathNotFound{err: err}
	}
	out := MethodVersions{ID: id, Versions: make([]MethodSummary, len(vs))}
	for i, m := range vs {
		out.Versions[i] = summary(m)
	}
	if m, err := s.reg.Resolve(id); err == nil {
		out.Latest = m.Version
	}
	return writeJSON(w, http.StatusOK, out)
}

// getMethodVersion answers GET /v1/methods/{id}/{version}.
func (s *Server) getMethodVersion(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	m, err := s.reg.Resolve(v["id"] + "@" + v["version"])
	if err != nil {
		return &pathNotFound{err: err}
	}
	return writeJSON(w, http.StatusOK, MethodDetail{Spec: m.Spec, Ref: m.Ref(), Digest: m.Digest})
}

// getFactors answers GET /v1/factors?activity=&region=&dataset=.
func (s *Server) getFactors(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fq := factors.Query{Activity: q.Get("activity"), Region: q.Get("region"), Dataset: q.Get("dataset")}
	var fields []FieldError
	for _, p := range []struct{ name, v string }{{"activity", fq.Activity}, {"region", fq.Region}, {"dataset", fq.Dataset}} {
		if len(p.v) > MaxStringLen {
			fields = append(fields, FieldError{Parameter: p.name, Detail: fmt.Sprintf("too long: at most %d characters", MaxStringLen)})
		}
	}
	if fq.Dataset != "" && len(fields) == 0 {
		if _, err := s.lib.Dataset(fq.Dataset); err != nil {
			fields = append(fields, FieldError{Parameter: "dataset", Detail: err.Error()})
		}
	}
	if fq.Region != "" && len(fields) == 0 {
		if _, err := s.lib.Region(fq.Region); err != nil {
			fields = append(fields, FieldError{Parameter: "region", Detail: err.Error()})
		}
	}
	if len(fields) > 0 {
		return &httpError{err: errBadParameter, detail: fields[0].Detail, fields: fields}
	}
	found := s.lib.Search(fq)
	if found == nil {
		found = []*factors.Factor{}
	}
	return writeJSON(w, http.StatusOK, List[*factors.Factor]{Count: len(found), Items: found})
}

// getFactor answers GET /v1/factors/{id}.
func (s *Server) getFactor(w http.ResponseWriter, r *http.Request) error {
	f, err := s.lib.Factor(mux.Vars(r)["id"])
	if err != nil {
		return &pathNotFound{err: err}
	}
	return writeJSON(w, http.StatusOK, f)
}

// getActivities answers GET /v1/activities.
func (s *Server) getActivities(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, List[ActivityView]{Count: len(s.catalog.activities), Items: s.catalog.activities})
}

// getRegions answers GET /v1/regions.
func (s *Server) getRegions(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, List[factors.Region]{Count: len(s.catalog.regions), Items: s.catalog.regions})
}

// getOpenAPI answers GET /v1/openapi.json.
func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDoc)
	return err
}

// Health is the body of GET /healthz.
type Health struct {
	Status   string `json:"status"`
	Methods  int    `json:"methods"`
	Datasets int    `json:"datasets"`
}

// getHealth answers GET /healthz.
func (s *Server) getHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, Health{Status: "ok", Methods: len(s.catalog.methods), Datasets: len(s.lib.DatasetRefs())})
}

// getMetrics answers GET /metrics in the Prometheus exposition format
// (prometheus/client_golang; the text format unless the scraper asks for
// another).
func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.handler.ServeHTTP(w, r)
}
