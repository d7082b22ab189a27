package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

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

// TestTenderRestart checks the issue's "restarting the server on the same
// database changes nothing": after a tender is opened, a new server on a
// new connection to the same SQLite file answers the evaluation (JSON and
// CSV) with the same bytes and digest, the audit trail verifies, and the
// bids and the opening cannot be repeated.
func TestTenderRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restart.db")
	open := func() store.Store {
		st, err := store.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	e := newTenderEnv(t, open)
	id := e.createTender(carbonAward)
	e.submit(id, gasBid("Alpha", "1000000.00", "100", ""))
	e.submit(id, gasBid("Beta", "990000.00", "500", ""))
	e.clock.Set(tenderDeadline.Add(time.Second))
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, nil, "open")
	before := e.do("GET", "/v1/tenders/"+id+"/evaluation", testOfficerToken, "")
	beforeCSV := e.do("GET", "/v1/tenders/"+id+"/evaluation?format=csv", testOfficerToken, "")
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := newTenderEnv(t, open)
	e2.clock.Set(tenderDeadline.Add(time.Hour))
	after := e2.do("GET", "/v1/tenders/"+id+"/evaluation", testOfficerToken, "")
	afterCSV := e2.do("GET", "/v1/tenders/"+id+"/evaluation?format=csv", testOfficerToken, "")
	if after.Code != 200 || after.Body.String() != before.Body.String() {
		t.Errorf("evaluation after restart differs:\n%s\n---\n%s", before.Body, after.Body)
	}
	if d1, d2 := before.Header().Get("X-Evaluation-Digest"), after.Header().Get("X-Evaluation-Digest"); d1 == "" || d1 != d2 {
		t.Errorf("digest %q before, %q after", d1, d2)
	}
	if afterCSV.Body.String() != beforeCSV.Body.String() {
		t.Error("CSV evaluation after restart differs")
	}
	var audit struct {
		Verified bool `json:"verified"`
	}
	e2.want(e2.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	if !audit.Verified {
		t.Error("the audit trail does not verify after restart")
	}
	if rec := e2.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""); rec.Code != 409 {
		t.Errorf("second opening after restart: %d", rec.Code)
	}
	if rec := e2.do("POST", "/v1/tenders/"+id+"/bids", "", gasBid("Late", "1.00", "1", "")); rec.Code != 409 {
		t.Errorf("bid after restart and deadline: %d", rec.Code)
	}
}
