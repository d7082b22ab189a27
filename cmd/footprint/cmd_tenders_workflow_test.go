package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"github.com/footprint-gpp/footprint/export/ocds/ocdsschema"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/server"
	"github.com/footprint-gpp/footprint/tender"
)

// runEnv is runCmd with environment variables.
// The clock of a run is vars[nowKey] (RFC 3339) when set, else the
// system's; the other vars are the environment.
func runEnv(t *testing.T, vars map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	now := time.Now
	if v, ok := vars[nowKey]; ok {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		now = func() time.Time { return at }
	}
	var out, errb bytes.Buffer
	code = runClock(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return vars[k] }, now)
	return code, out.String(), errb.String()
}

// nowKey is the key of runEnv's vars that sets the clock (not an
// environment variable: the CLI has none for its clock).
const nowKey = "\x00now"

// The clock of the workflow: created at t0, the deadline a day later.
const (
	wfCreated  = "2026-11-01T09:00:00Z"
	wfDeadline = "2026-11-02T12:00:00Z"
	wfAfter    = "2026-11-02T12:00:01Z"
)

const wfTender = `{"reference": "T-CLI-1", "title": "Depot heating", "buyer": "City of X", "method": "eu-gpp",
	"currency": "EUR", "deadline": "` + wfDeadline + `",
	"award": {"rule": "carbon_price", "carbon_price_per_t": "120", "limits": "report"}}`

// submitBids stores two bids through the store, prepared as the API does.
func submitBids(t *testing.T, db, id string) {
	t.Helper()
	ctx := context.Background()
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := methods.Embedded(lib)
	if err != nil {
		t.Fatal(err)
	}
	st := openSealed(t, db)
	defer st.Close()
	td, err := st.Tender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m, err := reg.Resolve(td.Method.Ref())
	if err != nil {
		t.Fatal(err)
	}
	at, _ := time.Parse(time.RFC3339, wfCreated)
	for i, b := range []struct{ supplier, price, gas string }{
		{"Supplier-Alpha", "1234567.89", "2"},
		{"Supplier-Beta", "1200000.00", "40"},
	} {
		bid := tender.Bid{Supplier: b.supplier, Price: tender.Price{Amount: decimal.RequireFromString(b.price), Currency: "EUR"},
			Lines: []calc.Line{{ID: "1", Activity: "fuel.natural_gas", Region: "DE", Quantity: decimal.RequireFromString(b.gas), Unit: "TJ"}}}
		now := tender.Stamp(at.Add(time.Duration(i+1) * time.Hour))
		prepared, _, err := tender.PrepareBid(td, m, calc.NewEngine(lib), bid, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SubmitBid(ctx, id, prepared, tender.HashToken("secret"), "", now); err != nil {
			t.Fatal(err)
		}
	}
}

// apiGet answers GET path from the REST API on database db at the clock
// now, as an officer.
// wfPublicURL is the public URL of the workflow's exports.
const wfPublicURL = "https://tenders.example.org"

func apiGet(t *testing.T, db, path string, now time.Time) []byte {
	t.Helper()
	lib, err := factors.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := methods.Embedded(lib)
	if err != nil {
		t.Fatal(err)
	}
	st := openSealed(t, db)
	defer st.Close()
	h, err := server.New(server.Config{Library: lib, Registry: reg, Engine: calc.NewEngine(lib), Store: st,
		OfficerTokenHash: tender.HashToken("officer-token"), Now: func() time.Time { return now }, PublicURL: wfPublicURL})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer officer-token")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestTendersWorkflow runs a tender from creation to verification through
// the CLI, the bids submitted through the store, and checks that the
// exports are the API's bytes.
func TestTendersWorkflow(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "footprint.db")
	file := filepath.Join(dir, "tender.json")
	if err := os.WriteFile(file, []byte(wfTender), 0o600); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{nowKey: wfCreated}
	after := map[string]string{nowKey: wfAfter}
	mustRun := func(vars map[string]string, want int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := runEnv(t, vars, "", args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d; stdout %.300s; stderr %s", args, code, want, out, errs)
		}
		return out, errs
	}

	// Create: the method pinned with its digest, status open.
	out, _ := mustRun(before, 0, "tenders", "create", "--db", db, file)
	var created struct {
		ID     string           `json:"id"`
		Status string           `json:"status"`
		Method tender.MethodPin `json:"method"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create printed no tender JSON: %v\n%s", err, out)
	}
	if created.ID == "" || created.Status != "open" || created.Method.ID != "eu-gpp" || created.Method.Version == "" || len(created.Method.Digest) != 64 {
		t.Fatalf("created tender: %+v", created)
	}
	id := created.ID

	// List: a table, and JSON.
	out, _ = mustRun(before, 0, "tenders", "list", "--db", db)
	for _, s := range []string{"ID", "REFERENCE", "STATE", "BIDS", id, "T-CLI-1", "Depot heating", wfDeadline, "open"} {
		if !strings.Contains(out, s) {
			t.Errorf("list lacks %q:\n%s", s, out)
		}
	}
	submitBids(t, db, id)
	out, _ = mustRun(after, 0, "tenders", "list", "--db", db, "--json")
	var list struct {
		Tenders []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Bids   int    `json:"bids"`
		} `json:"tenders"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Tenders) != 1 || list.Tenders[0].ID != id || list.Tenders[0].Bids != 2 || list.Tenders[0].Status != "closed" {
		t.Fatalf("list --json after the deadline: %v %+v\n%s", err, list, out)
	}

	// Show: sealed. Receipt times and digests, never a price, supplier or line.
	for _, args := range [][]string{{"tenders", "show", "--db", db, id}, {"tenders", "show", "--json", "--db", db, id}} {
		out, _ = mustRun(before, 0, args...)
		for _, s := range []string{"Depot heating", "2026-11-01T10:00:00Z", "2026-11-01T11:00:00Z", created.Method.Digest} {
			if !strings.Contains(out, s) {
				t.Errorf("%v lacks %q:\n%s", args, s, out)
			}
		}
		for _, s := range []string{"Supplier-", "1234567", "1200000", "natural_gas", "lines", "kg_co2e"} {
			if strings.Contains(out, s) {
				t.Errorf("%v shows sealed content %q:\n%s", args, s, out)
			}
		}
	}
	out, _ = mustRun(before, 0, "tenders", "show", "--db", db, id)
	if !strings.Contains(out, "2 received, 2 standing") {
		t.Errorf("show lacks the bid count:\n%s", out)
	}

	// Before the deadline: no opening, no evaluation.
	// Before the opening the bids are sealed: the database file holds no
	// supplier's name.
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(strings.TrimPrefix(db, "sqlite:") + suffix)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("Supplier-Beta")) {
			t.Errorf("the database file%s holds a supplier's name in clear", suffix)
		}
	}

	_, errs := mustRun(before, 1, "tenders", "open", "--db", db, id)
	if !strings.Contains(errs, "deadline has not passed yet: it can be opened from "+wfDeadline) {
		t.Errorf("open before the deadline: %s", errs)
	}
	_, errs = mustRun(after, 1, "tenders", "evaluation", "--db", db, id)
	if !strings.Contains(errs, "sealed until the tender is opened") || !strings.Contains(errs, "is closed") {
		t.Errorf("evaluation before the opening: %s", errs)
	}

	// After: opened once; the evaluation ranks both bids.
	opened, _ := mustRun(after, 0, "tenders", "open", "--db", db, id)
	var ev tender.Evaluation
	if err := json.Unmarshal([]byte(opened), &ev); err != nil || len(ev.Ranking) != 2 || ev.Digest == "" {
		t.Fatalf("open printed: %v\n%s", err, opened)
	}
	if ev.Ranking[0].Supplier != "Supplier-Alpha" { // 2 TJ of gas against 40: the carbon price decides
		t.Errorf("first ranked: %s, want Supplier-Alpha", ev.Ranking[0].Supplier)
	}
	_, errs = mustRun(after, 1, "tenders", "open", "--db", db, id)
	if !strings.Contains(errs, "already opened") {
		t.Errorf("second opening: %s", errs)
	}

	// Exports: the API's bytes, at the same clock.
	now, _ := time.Parse(time.RFC3339, wfAfter)
	evJSON, _ := mustRun(after, 0, "tenders", "evaluation", "--db", db, id)
	if evJSON != opened {
		t.Errorf("evaluation differs from what open printed:\n%s\n%s", evJSON, opened)
	}
	if api := apiGet(t, db, "/v1/tenders/"+id+"/evaluation", now); string(api) != evJSON {
		t.Errorf("evaluation: CLI and API differ:\n%s\n%s", evJSON, api)
	}
	evCSV, _ := mustRun(after, 0, "tenders", "evaluation", "--format", "csv", "--db", db, id)
	rows, err := csv.NewReader(strings.NewReader(evCSV)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "rank" || rows[1][2] != "Supplier-Alpha" {
		t.Errorf("evaluation csv: %v\n%s", err, evCSV)
	}
	if api := apiGet(t, db, "/v1/tenders/"+id+"/evaluation?format=csv", now); string(api) != evCSV {
		t.Errorf("evaluation csv: CLI and API differ:\n%s\n%s", evCSV, api)
	}
	ocds, _ := mustRun(after, 0, "tenders", "export", "--db", db, "--public-url", wfPublicURL, id)
	var pkg struct {
		Releases []struct {
			Bids   *struct{ Details []json.RawMessage } `json:"bids"`
			Awards []json.RawMessage                    `json:"awards"`
		} `json:"releases"`
	}
	if err := json.Unmarshal([]byte(ocds), &pkg); err != nil || len(pkg.Releases) != 2 || pkg.Releases[1].Bids == nil ||
		len(pkg.Releases[1].Bids.Details) != 2 || len(pkg.Releases[1].Awards) != 1 {
		t.Errorf("export: %v\n%.500s", err, ocds)
	}
	validateOCDS(t, []byte(ocds))
	if api := apiGet(t, db, "/v1/tenders/"+id+"/ocds", now); string(api) != ocds {
		t.Errorf("ocds: CLI and API differ:\n%s\n%s", ocds, api)
	}

	// The audit trail: every step, the CLI's as actor cli; 3 exports by
	// the CLI and 3 by the API.
	out, _ = mustRun(after, 0, "tenders", "verify", "--db", db, id)
	if n := strings.Count(out, "exported"); n != 6 {
		t.Errorf("verify shows %d exported events, want 6:\n%s", n, out)
	}
	if !strings.Contains(out, "verified: 12 events") || !strings.Contains(out, "approved      cli") {
		t.Errorf("verify: not 12 events verified, the CLI's approval among them:\n%s", out)
	}
	// Each digest after its name.
	for _, re := range []string{`bid_received +supplier +commitment=[0-9a-f]{16},token=[0-9a-f]{16} `, `withdrawn|opened +cli +tender=[0-9a-f]{16} `,
		`evaluated +cli +evaluation=[0-9a-f]{16} `, `exported +cli +evaluation=[0-9a-f]{16},ocds=[0-9a-f]{16} `} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("verify lacks %s:\n%s", re, out)
		}
	}
	for _, kind := range []string{"created", "opened", "evaluated"} {
		if !regexp.MustCompile(`(?m)^\d+ +\S+ +` + kind + ` +cli `).MatchString(out) {
			t.Errorf("verify lacks the %s event by cli:\n%s", kind, out)
		}
	}

	// A bid's ciphertext altered in the database: verification fails,
	// naming its event.
	raw, err := sql.Open("sqlite", strings.TrimPrefix(db, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE bids SET sealed = substr(sealed, 1, length(sealed) - 1) WHERE event_seq = 3"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, _ = mustRun(after, 1, "tenders", "verify", "--db", db, id)
	if !strings.Contains(out, "NOT VERIFIED: event 3 (bid_received)") || !strings.Contains(out, "cannot be read") {
		t.Errorf("verify after editing a bid:\n%s", out)
	}
}

// TestTendersCLIErrors checks the refusals: usage errors exit 2, every
// other failure 1, with a message naming the problem.
func TestTendersCLIErrors(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "footprint.db")
	before := map[string]string{nowKey: wfCreated}
	code, out, errs := runEnv(t, before, wfTender, "tenders", "create", "--db", db)
	if code != 0 {
		t.Fatalf("create from stdin: exit %d: %s", code, errs)
	}
	var created struct{ ID string }
	json.Unmarshal([]byte(out), &created)
	missing := "sqlite:" + filepath.Join(dir, "none.db")
	replace := func(old, new string) string { return strings.Replace(wfTender, old, new, 1) }
	tests := []struct {
		name   string
		vars   map[string]string
		stdin  string
		args   []string
		code   int
		errHas []string
	}{
		{"duplicate key", before, replace(`"title"`, `"title": "x", "title"`), []string{"tenders", "create", "--db", db}, 1, []string{"/title: duplicate key"}},
		{"unknown field", before, replace(`"buyer"`, `"budget": 1, "buyer"`), []string{"tenders", "create", "--db", db}, 1, []string{`unknown field "budget"`}},
		{"wrong type", before, replace(`"T-CLI-1"`, `7`), []string{"tenders", "create", "--db", db}, 1, []string{"/reference"}},
		{"malformed", before, `{"title":`, []string{"tenders", "create", "--db", db}, 1, []string{"ends early"}},
		{"deadline passed", map[string]string{nowKey: wfAfter}, wfTender, []string{"tenders", "create", "--db", db}, 1, []string{"the tender has 1 problem(s)", "/deadline: "}},
		{"unknown version", before, wfTender, []string{"tenders", "create", "--db", db, "--method", "eu-gpp@1999"}, 1, []string{"eu-gpp has versions"}},
		{"unknown method", before, wfTender, []string{"tenders", "create", "--db", db, "--method", "nope"}, 1, []string{`unknown method "nope"`}},
		{"two files", before, "", []string{"tenders", "create", "--db", db, "a.json", "b.json"}, 2, []string{"at most one tender file"}},
		{"missing file", before, "", []string{"tenders", "create", "--db", db, filepath.Join(dir, "nope.json")}, 1, []string{"nope.json"}},
		{"list: no database", before, "", []string{"tenders", "list", "--db", missing}, 1, []string{"no database there"}},
		{"list: argument", before, "", []string{"tenders", "list", "--db", db, "x"}, 2, []string{"unexpected argument"}},
		{"show: unknown tender", before, "", []string{"tenders", "show", "--db", db, "nope"}, 1, []string{`no tender "nope" in this database`}},
		{"show: overlong id", before, "", []string{"tenders", "show", "--db", db, strings.Repeat("x", 500)}, 1, []string{"longer than 100 characters"}},
		{"show: no id", before, "", []string{"tenders", "show", "--db", db}, 2, []string{"exactly one tender id"}},
		{"open: no database", before, "", []string{"tenders", "open", "--db", missing, created.ID}, 1, []string{"no database there"}},
		{"open: unknown tender", before, "", []string{"tenders", "open", "--db", db, "nope"}, 1, []string{"no tender"}},
		{"evaluation: bad format", before, "", []string{"tenders", "evaluation", "--format", "xml", "--db", db, created.ID}, 2, []string{"use json or csv"}},
		{"export: bad format", before, "", []string{"tenders", "export", "--format", "csv", "--db", db, "--public-url", wfPublicURL, created.ID}, 2, []string{"use ocds"}},
		{"export: eforms without notice details", before, "", []string{"tenders", "export", "--format", "eforms-cn", "--db", db, created.ID}, 2, []string{"buyer_legal_name", "cpv"}},
		{"export: public URL with eforms", before, "", []string{"tenders", "export", "--format", "eforms-cn", "--public-url", wfPublicURL, "--db", db, created.ID}, 2, []string{"--public-url goes with --format ocds"}},
		{"export: winner flags with ocds", before, "", []string{"tenders", "export", "--winner-size", "large", "--public-url", wfPublicURL, "--db", db, created.ID}, 2, []string{"go with --format eforms-can"}},
		{"export: bad count", before, "", []string{"tenders", "export", "--format", "eforms-can", "--received-small", "-1", "--db", db, created.ID}, 2, []string{"--received-small: give a whole number"}},
		{"export: no public URL", before, "", []string{"tenders", "export", "--db", db, created.ID}, 2, []string{"configure --public-url"}},
		{"export: relative public URL", before, "", []string{"tenders", "export", "--db", db, "--public-url", "/v1", created.ID}, 2, []string{"not an absolute http(s) URL"}},
		{"export: two ids", before, "", []string{"tenders", "export", "--db", db, "--public-url", wfPublicURL, "a", "b"}, 2, []string{"exactly one tender id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runEnv(t, tt.vars, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %.300s; stderr %s", code, tt.code, out, errs)
			}
			if out != "" {
				t.Errorf("a failure printed to stdout: %.300s", out)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errs)
				}
			}
		})
	}

	// Only the first creation stored a tender; the failures left nothing.
	_, out, _ = runEnv(t, before, "", "tenders", "list", "--db", db, "--json")
	if n := strings.Count(out, `"reference"`); n != 1 {
		t.Errorf("%d tenders stored, want 1:\n%s", n, out)
	}
	// A read command never creates a database.
	if _, err := os.Stat(strings.TrimPrefix(missing, "sqlite:")); err == nil {
		t.Errorf("a read command created %s", missing)
	}
}

// TestTendersHelp checks --help on every subcommand.
func TestTendersHelp(t *testing.T) {
	for name := range tendersSubs() {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCmd(t, "", "tenders", name, "--help")
			if code != 0 || !strings.Contains(errs, "usage: footprint tenders "+name) || !strings.Contains(errs, "-db") {
				t.Errorf("exit %d:\n%s", code, errs)
			}
		})
	}
	code, out, _ := runCmd(t, "", "tenders", "--help")
	if code != 0 {
		t.Errorf("tenders --help: exit %d", code)
	}
	for name := range tendersSubs() {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("tenders --help lacks %s:\n%s", name, out)
		}
	}
}

// validateOCDS validates an OCDS package against the official OCDS 1.1.5
// schemas with its extensions (ocdsschema).
func validateOCDS(t *testing.T, body []byte) {
	t.Helper()
	dir, err := ocdsschema.Dir()
	if err != nil {
		t.Fatal(err)
	}
	val, err := ocdsschema.New(dir)
	if err != nil {
		t.Fatalf("no OCDS schemas (the shared reference copies): %v", err)
	}
	if err := val.Validate(body); err != nil {
		t.Errorf("OCDS package: %d schema error(s): %v", ocdsschema.Errors(err), err)
	}
}
