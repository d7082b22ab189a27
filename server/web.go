package server

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/calc/bidjson"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/internal/cell"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/methods"
)

//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

func parsePages() (*template.Template, error) {
	return template.New("pages").Funcs(template.FuncMap{
		"inc":         func(i int) int { return i + 1 },
		"notComputed": notComputed,
		"percent":     percent,
	}).ParseFS(templateFS, "web/templates/*.html")
}

// notComputed counts the lines of a report that its method could not
// compute: their kg CO2e is missing from the total, which the summary
// card must say rather than show a bare number.
func notComputed(r *calc.Report) int {
	n := 0
	for _, l := range r.Lines {
		if l.Status == calc.StatusError {
			n++
		}
	}
	return n
}

// formLine is one line of the web form, as typed.
type formLine struct {
	Index    int
	ID       string
	Activity string
	Region   string
	Quantity string
	Unit     string
	// Basis is "", "HHV" or "NCV" (energy quantities only).
	Basis string
	// Fallback is "on" when the line allows a parent region's factor.
	Fallback  string
	FactorKg  string
	FactorPer string
	FactorRef string
	// EPDName is the file name of the line's EPD document and EPDData its
	// bytes, base64-encoded: the form carries them in hidden fields once
	// uploaded, so that the re-rendered form and the result page's
	// downloads post them again (no state is kept on the server).
	EPDName string
	EPDData string
	// epdErr is why the uploaded file could not be taken (too large).
	epdErr string
}

func (l formLine) blank() bool {
	return strings.TrimSpace(l.Activity+l.Region+l.Quantity+l.Unit+l.FactorKg+l.FactorPer+l.FactorRef+l.EPDData) == "" && l.epdErr == ""
}

// HasEPD reports whether the line carries an EPD document.
func (l formLine) HasEPD() bool { return l.EPDData != "" }

// HasFactor reports whether any EPD field is filled.
func (l formLine) HasFactor() bool {
	return strings.TrimSpace(l.FactorKg+l.FactorPer+l.FactorRef) != ""
}

// formData is the web form as typed: every value kept as text.
type formData struct {
	Reference string
	Supplier  string
	Method    string
	Method2   string
	// Date (YYYY-MM-DD) is the bid's date, on which its EPDs are judged
	// valid; the form shows today's, and an empty one means today (UTC).
	Date  string
	Lines []formLine
	// Uncertainty is "on" when the result page should show the sampled
	// uncertainty (WebDraws draws), with Seed (decimal, default "1").
	Uncertainty string
	Seed        string
}

// pageError is an error in the summary, linked to its field.
type pageError struct {
	Field   string // element id; "" for an error without a field
	Message string
}

// pageData is what the form and result templates render.
type pageData struct {
	Form       formData
	Methods    []MethodSummary
	Activities []ActivityView
	Regions    []factors.Region
	Units      []string
	Errors     []pageError
	fieldErrs  map[string]string
	Notice     string
	// Focus is the id of the field that takes the focus when the page
	// loads (autofocus, so without script too): the new line's first
	// field after "Add a line".
	Focus  string
	Result *resultView
	Limits map[string]any
	// EPDUpload shows each line's EPD file input (the calculation form;
	// not the tender bid form, which takes typed factors).
	EPDUpload bool
}

// Err returns the error message of a field id, or "".
func (p *pageData) Err(id string) string { return p.fieldErrs[id] }

// LineID returns the element id of a line's field.
func (p *pageData) LineID(i int, field string) string { return fmt.Sprintf("line-%d-%s", i, field) }

func (s *Server) newPage(fd formData) *pageData {
	return &pageData{Form: fd, Methods: s.catalog.methods, Activities: s.catalog.activities, Regions: s.catalog.regions,
		Units: s.catalog.units, fieldErrs: map[string]string{}, EPDUpload: true,
		Limits: map[string]any{"Lines": MaxFormLines, "String": MaxStringLen, "Quantity": MaxQuantity, "EPDMiB": MaxFormEPDBytes >> 20}}
}

func (p *pageData) addError(id, msg string) {
	if id != "" {
		if old, ok := p.fieldErrs[id]; ok {
			p.fieldErrs[id] = old + "; " + msg
		} else {
			p.fieldErrs[id] = msg
		}
	}
	p.Errors = append(p.Errors, pageError{Field: id, Message: msg})
}

// render executes a page template into a buffer first, so that a template
// error becomes a 500 and never half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// getForm answers GET /: an empty bid with two lines.
func (s *Server) getForm(w http.ResponseWriter, r *http.Request) error {
	fd := formData{Lines: []formLine{{Index: 0}, {Index: 1}}, Date: s.tenders.now().UTC().Format(calc.DateLayout)}
	if ms := s.catalog.methods; len(ms) > 0 {
		if m, err := s.reg.Resolve(ms[len(ms)-1].ID); err == nil {
			fd.Method = m.Ref()
		}
	}
	return s.render(w, http.StatusOK, "form.html", s.newPage(fd))
}

// parseFormBody reads a form post (multipart or urlencoded), bounded.
func parseFormBody(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	err := r.ParseMultipartForm(1 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: the form is over %d bytes; use POST /v1/batch for long bids", errTooLargeForm, mbe.Limit)
	case err != nil:
		return &httpError{err: errMalformed, detail: "the form could not be read: " + err.Error()}
	}
	return nil
}

// readForm reads the form fields into formData.
func readForm(r *http.Request) formData {
	get := func(k string) string { return r.PostFormValue(k) }
	fd := formData{Reference: get("reference"), Supplier: get("supplier"), Method: get("method"), Method2: get("method2"), Date: strings.TrimSpace(get("date")),
		Uncertainty: get("uncertainty"), Seed: strings.TrimSpace(get("seed"))}
	n, _ := strconv.Atoi(get("line_count"))
	n = max(0, min(n, MaxFormLines))
	for i := 0; i < n; i++ {
		f := func(name string) string { return get(fmt.Sprintf("line-%d-%s", i, name)) }
		fd.Lines = append(fd.Lines, formLine{ID: f("id"), Activity: f("activity"), Region: f("region"), Quantity: f("quantity"), Unit: f("unit"),
			Basis: f("basis"), Fallback: f("fallback"),
			FactorKg: f("factor-kg_co2e"), FactorPer: f("factor-per"), FactorRef: f("factor-reference"),
			EPDName: f("epd-name"), EPDData: f("epd-data")})
		l := &fd.Lines[len(fd.Lines)-1]
		if f("epd-remove") == "on" {
			l.EPDName, l.EPDData = "", ""
		}
		readEPDUpload(r, fmt.Sprintf("line-%d-epd", i), l)
	}
	fd.renumber()
	return fd
}

// MaxFormEPDBytes bounds an EPD file uploaded with the web form: the
// result page posts it back base64-encoded (4/3 of its size) within
// MaxFormBytes, so it is well under epd.MaxBytes. Larger EPDs go through
// POST /v1/footprints.
const MaxFormEPDBytes = 4 << 20

// readEPDUpload takes a line's uploaded EPD file, when one was chosen: it
// replaces the document the line carried.
func readEPDUpload(r *http.Request, field string, l *formLine) {
	if r.MultipartForm == nil {
		return
	}
	file, hdr, err := r.FormFile(field)
	if err != nil {
		return // no file chosen
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, MaxFormEPDBytes+1))
	name := clip.Prefix(path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")))
	switch {
	case err != nil:
		l.epdErr = fmt.Sprintf("EPD file %s could not be read", name)
	case len(raw) == 0 && hdr.Filename == "":
		return
	case len(raw) > MaxFormEPDBytes:
		l.epdErr = fmt.Sprintf("EPD file %s is over %d MiB, the form's limit; send larger EPDs to POST /v1/footprints", name, MaxFormEPDBytes>>20)
	default:
		l.EPDName, l.EPDData = name, base64.StdEncoding.EncodeToString(raw)
	}
}

// guessEPDFormat tells an uploaded EPD's format from its bytes: a zip or
// XML is ILCD+EPD, JSON is openEPD; "" when neither.
func guessEPDFormat(raw []byte) string {
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		return epd.FormatILCD
	}
	s := bytes.TrimLeft(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(s, []byte("<")):
		return epd.FormatILCD
	case bytes.HasPrefix(s, []byte("{")):
		return epd.FormatOpenEPD
	}
	return ""
}

func (fd *formData) renumber() {
	for i := range fd.Lines {
		fd.Lines[i].Index = i
	}
}

// postForm answers POST /: the buttons of the form. add_line and
// remove_line_N re-render the form with the values kept; upload_csv fills
// the lines from a CSV file; edit shows the form again from a result; any
// other submission calculates.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseFormBody(w, r); err != nil {
		return err
	}
	fd := readForm(r)
	form := r.PostForm
	switch {
	case form.Has("add_line"):
		if len(fd.Lines) >= MaxFormLines {
			p := s.newPage(fd)
			p.addError("", fmt.Sprintf("a bid entered here has at most %d lines; use POST /v1/batch for long lists", MaxFormLines))
			return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
		}
		fd.Lines = append(fd.Lines, formLine{})
		fd.renumber()
		p := s.newPage(fd)
		p.Notice = fmt.Sprintf("Line %d added.", len(fd.Lines))
		p.Focus = p.LineID(len(fd.Lines)-1, "activity")
		return s.render(w, http.StatusOK, "form.html", p)
	case form.Has("upload_csv"):
		return s.uploadCSV(w, r, fd)
	case form.Has("edit"):
		return s.render(w, http.StatusOK, "form.html", s.newPage(fd))
	}
	for k := range form {
		if n, ok := strings.CutPrefix(k, "remove_line_"); ok {
			i, err := strconv.Atoi(n)
			if err == nil && i >= 0 && i < len(fd.Lines) {
				fd.Lines = append(fd.Lines[:i], fd.Lines[i+1:]...)
				fd.renumber()
			}
			p := s.newPage(fd)
			p.Notice = fmt.Sprintf("Line %d removed.", i+1)
			return s.render(w, http.StatusOK, "form.html", p)
		}
	}
	return s.calculateForm(w, fd)
}

// uploadCSV fills the lines from an uploaded CSV (the batch columns).
func (s *Server) uploadCSV(w http.ResponseWriter, r *http.Request, fd formData) error {
	p := s.newPage(fd)
	file, _, err := r.FormFile("csv_file")
	if err != nil {
		p.addError("csv_file", "choose a CSV file to upload")
		return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
	}
	defer file.Close()
	lines, err := readLinesCSV(file)
	if err != nil {
		p.addError("csv_file", err.Error())
		return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
	}
	var kept []formLine
	for _, l := range fd.Lines {
		if !l.blank() {
			kept = append(kept, l)
		}
	}
	if len(kept)+len(lines) > MaxFormLines {
		p.addError("csv_file", fmt.Sprintf("%d lines: a bid entered here has at most %d; use POST /v1/batch for long lists", len(kept)+len(lines), MaxFormLines))
		return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
	}
	fd.Lines = append(kept, lines...)
	fd.renumber()
	p = s.newPage(fd)
	p.Notice = fmt.Sprintf("%d line(s) read from the CSV file.", len(lines))
	return s.render(w, http.StatusOK, "form.html", p)
}

// readLinesCSV reads lines in the batch CSV columns (DESIGN "Batch CSV")
// as text, so that a bad cell is shown in its field for correction.
func readLinesCSV(f multipart.File) ([]formLine, error) {
	recs, err := bidcsv.ReadRecords(f, MaxFormBytes, MaxFormLines)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errors.New("the CSV file has a header but no lines")
	}
	out := make([]formLine, len(recs))
	for i, r := range recs {
		fallback := ""
		if b, ok := bidcsv.ParseFlag(r.Get("allow_region_fallback")); ok && b {
			fallback = "on"
		}
		out[i] = formLine{ID: r.Get("line_id"), Activity: r.Get("activity"), Region: r.Get("region"), Quantity: r.Get("quantity"), Unit: r.Get("unit"),
			Basis: strings.ToUpper(r.Get("basis")), Fallback: fallback,
			FactorKg: r.Get("factor_kg_co2e"), FactorPer: r.Get("factor_per"), FactorRef: r.Get("factor_reference")}
	}
	return out, nil
}

// formBid is a bid built from the form: the request lines, and for each
// the index of its form line (blank lines are skipped).
type formBid struct {
	req   BidRequest
	index []int
	ms    []*methods.Method
}

// checkForm validates the form through the same request type and rules as
// the API, and maps every problem to its field.
func (s *Server) checkForm(fd formData, p *pageData) (formBid, calc.Bid, bool) {
	var fb formBid
	fb.req = BidRequest{Method: fd.Method, Reference: fd.Reference, Supplier: fd.Supplier, Lines: []LineRequest{}}
	for _, l := range fd.Lines {
		if l.blank() {
			continue
		}
		lr := LineRequest{ID: l.ID, Activity: l.Activity, Region: l.Region, Quantity: Number(strings.TrimSpace(l.Quantity)), Unit: l.Unit,
			Basis: l.Basis, AllowRegionFallback: l.Fallback == "on"}
		if l.HasFactor() {
			lr.Factor = &FactorRequest{KgCO2e: Number(strings.TrimSpace(l.FactorKg)), Per: l.FactorPer, Reference: l.FactorRef}
		}
		epdID := fmt.Sprintf("line-%d-epd", l.Index)
		if l.epdErr != "" {
			p.addError(epdID, fmt.Sprintf("Line %d: %s", l.Index+1, l.epdErr))
		}
		if l.HasEPD() {
			raw, err := base64.StdEncoding.DecodeString(l.EPDData)
			format := guessEPDFormat(raw)
			switch {
			case err != nil || len(raw) > MaxFormEPDBytes:
				p.addError(epdID, fmt.Sprintf("Line %d: the EPD file %s was not carried intact; choose it again", l.Index+1, clip.Prefix(l.EPDName)))
			case format == "":
				p.addError(epdID, fmt.Sprintf("Line %d: EPD file %s is neither a zip (ILCD archive), XML nor JSON (openEPD)", l.Index+1, clip.Prefix(l.EPDName)))
			case l.HasFactor():
				p.addError(epdID, fmt.Sprintf("Line %d: give either the EPD file or kg CO2e, per and EPD reference, not both", l.Index+1))
			default:
				doc, _ := json.Marshal(l.EPDData)
				lr.Factor = &FactorRequest{EPD: &bidjson.WireEPD{Format: format, File: l.EPDName, Document: doc}}
			}
		}
		fb.req.Lines = append(fb.req.Lines, lr)
		fb.index = append(fb.index, l.Index)
	}
	for i, ref := range []string{fd.Method, fd.Method2} {
		id := []string{"method", "method2"}[i]
		if ref == "" {
			if i == 0 {
				p.addError(id, "Choose a method")
			}
			continue
		}
		m, err := s.reg.Resolve(ref)
		if err != nil {
			p.addError(id, err.Error())
			continue
		}
		if i == 1 && fd.Method2 == fd.Method {
			p.addError(id, "Choose a different method to compare with, or none")
			continue
		}
		fb.ms = append(fb.ms, m)
	}
	if len(fb.req.Lines) == 0 {
		p.addError("line-0-activity", "Enter at least one line")
	}
	if fd.Date != "" {
		if _, err := time.Parse(calc.DateLayout, fd.Date); err != nil {
			p.addError("date", fmt.Sprintf("%q is not a date: write YYYY-MM-DD, e.g. 2026-03-31", clip.Prefix(fd.Date)))
		}
	}
	if err := validateRequest(s.validate, &fb.req); err != nil {
		for _, fe := range fieldErrors(err) {
			p.addError(fb.fieldID(fe.Pointer), fe.Detail)
		}
	}
	if len(p.Errors) > 0 {
		return fb, calc.Bid{}, false
	}
	bid, err := toBid(s.parseEPD, "", fd.Reference, fd.Supplier, fb.req.Lines)
	bid.Date = fd.Date
	bid.DefaultDate(s.tenders.now())
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			for _, fe := range he.fields {
				id := fb.fieldID(fe.Pointer)
				msg := fe.Detail
				if n, ok := epdLine(id); ok {
					msg = fmt.Sprintf("Line %d: %s", n, msg)
				}
				p.addError(id, msg)
			}
		}
		return fb, bid, false
	}
	return fb, bid, true
}

// fieldID maps a JSON Pointer into the request to the id of its form field.
func (fb formBid) fieldID(ptr string) string {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	switch parts[0] {
	case "reference", "supplier", "method", "date":
		return parts[0]
	case "valid_through":
		return "date"
	case "lines":
		if len(parts) < 2 {
			return "line-0-activity"
		}
		i, err := strconv.Atoi(parts[1])
		if err != nil || i < 0 || i >= len(fb.index) {
			return ""
		}
		idx := fb.index[i]
		field := "activity"
		if len(parts) > 2 {
			switch f := strings.Join(parts[2:], "-"); f {
			case "activity", "region", "quantity", "unit", "basis", "factor-kg_co2e", "factor-per", "factor-reference":
				field = f
			case "factor":
				field = "factor-kg_co2e"
				if fb.epd(i) {
					field = "epd"
				}
			case "stage", "id":
				field = "activity"
			default:
				if strings.HasPrefix(f, "factor-epd") {
					field = "epd"
				}
			}
		}
		return fmt.Sprintf("line-%d-%s", idx, field)
	}
	return ""
}

// epdLine returns the line number (from 1) of an EPD file field id.
func epdLine(id string) (int, bool) {
	n, ok := strings.CutSuffix(strings.TrimPrefix(id, "line-"), "-epd")
	if !ok || !strings.HasPrefix(id, "line-") {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i + 1, err == nil
}

// epd reports whether request line i carries an EPD document.
func (fb formBid) epd(i int) bool {
	f := fb.req.Lines[i].Factor
	return f != nil && f.EPD != nil
}

// calculateForm computes the bid of the form and shows the result, or the
// form again with every error next to its field.
func (s *Server) calculateForm(w http.ResponseWriter, fd formData) error {
	p := s.newPage(fd)
	fb, bid, ok := s.checkForm(fd, p)
	ucfg, sample, seedErr := formUncertainty(fd)
	if seedErr != "" {
		p.addError("seed", seedErr)
		ok = false
	}
	if !ok {
		return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
	}
	res, err := s.compute(fb.ms, bid)
	var be *calc.BidError
	if errors.As(err, &be) {
		for _, pr := range be.Problems {
			id := fb.fieldID(pr.Pointer)
			detail := pr.Detail
			if n, ok := epdLine(id); ok { // shown next to the file input: "Line 2: EPD … expired on …"
				detail = fmt.Sprintf("Line %d: %s", n, strings.TrimPrefix(detail, "factor.epd: "))
			} else {
				detail = lineLabel(pr) + detail
			}
			p.addError(id, detail)
		}
		return s.render(w, http.StatusUnprocessableEntity, "form.html", p)
	}
	if err != nil {
		if st := StatusOf(err); st == http.StatusUnprocessableEntity {
			p.addError("", err.Error())
			return s.render(w, st, "form.html", p)
		}
		return err
	}
	if sample {
		if res.Uncertainty, err = s.uncertaintyView(fb.ms, res, &bid, ucfg); err != nil {
			return err
		}
	}
	p.Result = res
	return s.render(w, http.StatusOK, "result.html", p)
}

func lineLabel(pr calc.Problem) string {
	if pr.LineID != "" {
		return "Line " + pr.LineID + ": "
	}
	return ""
}

// resultView is a computed bid under one or two methods.
type resultView struct {
	Reports    []*calc.Report
	Comparison *calc.ComparisonReport
	// CauseCharts draw each pair's attribution.
	CauseCharts []causeChart
	// Boundary explains, per pair and line, why a line is outside one
	// method's boundary (one sentence each).
	Boundary [][]calc.BoundaryReason
	// CompareNote explains why a two-method result has no attribution.
	CompareNote string
	Chart       chartView
	// Uncertainty is the sampled uncertainty, when the form asked for it.
	Uncertainty *uncertaintyView
	// footprints (one per method) and cmp (two methods) are what the
	// reports were made from, for the sampling.
	footprints []*calc.Footprint
	cmp        *calc.Comparison
}

// compute calculates under one method, or compares two. When the engine
// cannot compare yet (501), each method is computed on its own and the
// result says that the attribution is missing.
func (s *Server) compute(ms []*methods.Method, bid calc.Bid) (*resultView, error) {
	res := &resultView{}
	if len(ms) > 1 {
		cmp, err := s.engine.Compare(ms, bid)
		if err == nil {
			err = cmp.InputError() // wrong for every method: the form shows it by its field
		}
		switch {
		case err == nil:
			res.Comparison, res.cmp, res.footprints = cmp.Report(), cmp, cmp.Methods
			for _, fp := range cmp.Methods {
				rep, err := fp.SealedReport()
				if err != nil {
					return nil, err
				}
				res.Reports = append(res.Reports, rep)
			}
			for i, p := range res.Comparison.Pairs {
				res.CauseCharts = append(res.CauseCharts, attributionChart(p))
				res.Boundary = append(res.Boundary, cmp.BoundaryReasons(i))
			}
			res.Chart = stageChart(res.Reports)
			return res, nil
		default:
			return nil, err
		}
	}
	for _, m := range ms {
		b := bid
		b.Method = m.Ref()
		fp, err := s.footprint(m, b)
		if err != nil {
			return nil, err
		}
		rep, err := fp.SealedReport()
		if err != nil {
			return nil, err
		}
		res.Reports = append(res.Reports, rep)
		res.footprints = append(res.footprints, fp)
	}
	res.Chart = stageChart(res.Reports)
	return res, nil
}

// postDownload answers POST /download: the result of the posted form as
// JSON (the footprint, or the comparison) or CSV (one row per line and
// method), recomputed from the form so that no state is kept.
func (s *Server) postDownload(w http.ResponseWriter, r *http.Request) error {
	if err := parseFormBody(w, r); err != nil {
		return err
	}
	fd := readForm(r)
	p := s.newPage(fd)
	fb, bid, ok := s.checkForm(fd, p)
	if !ok {
		return &httpError{err: factors.ErrInvalid, detail: "the bid is invalid: " + p.Errors[0].Message}
	}
	res, err := s.compute(fb.ms, bid)
	if err != nil {
		return err
	}
	name := "footprint"
	if ref := strings.TrimSpace(fd.Reference); ref != "" {
		name += "-" + safeName(ref)
	}
	switch r.PostFormValue("format") {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
		return writeResultCSV(w, res.Reports)
	default:
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.json"`, name))
		var v any = res.Reports[0]
		switch {
		case res.Comparison != nil:
			v = res.Comparison
		case len(res.Reports) > 1:
			v = res.Reports
		}
		return writeJSON(w, http.StatusOK, v)
	}
}

func safeName(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 60 {
			break
		}
	}
	return b.String()
}

// writeResultCSV writes one row per method and line, cells that a
// spreadsheet would take as a formula neutralised.
func writeResultCSV(w io.Writer, reports []*calc.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"method", "reference", "supplier", "line_id", "activity", "region", "quantity", "unit", "status", "kg_co2e",
		"factor_id", "factor_dataset", "factor_source", "factor_quality", "error"})
	for _, rep := range reports {
		ref := rep.Method.ID + "@" + rep.Method.Version
		for _, l := range rep.Lines {
			row := []string{ref, rep.Reference, rep.Supplier, l.ID, l.Activity, l.Region, l.Quantity.String(), l.Unit, l.Status, l.KgCO2e.String(), "", "", "", "", l.Error}
			if f := l.Factor; f != nil {
				row[10], row[11], row[12], row[13] = f.ID, f.Dataset, f.Source, f.Quality
			}
			for i := range row {
				row[i] = neutralise(row[i])
			}
			cw.Write(row)
		}
		cw.Write([]string{ref, neutralise(rep.Reference), neutralise(rep.Supplier), "total", "", "", "", "", "", rep.Total.KgCO2e.String(), "", "", "", rep.Quality, ""})
	}
	cw.Flush()
	return cw.Error()
}

// neutralise prefixes a cell that a spreadsheet would evaluate
// (cell.Neutralise).
func neutralise(s string) string { return cell.Neutralise(s) }

// getStatic answers GET /static/{file}: the embedded stylesheets and script.
func (s *Server) getStatic(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["file"]
	b, err := fs.ReadFile(staticFS, path.Join("web/static", path.Base(name)))
	if err != nil {
		return &pathNotFound{err: fmt.Errorf("%w: no static file %q", factors.ErrNotFound, name)}
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}
