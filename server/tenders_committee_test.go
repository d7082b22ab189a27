package server

import (
	"github.com/footprint-gpp/footprint/officers"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/tender"
	"github.com/footprint-gpp/footprint/tenders"
)

func TestTenderCommittee(t *testing.T) { tenderCommittee(t, newTenderEnv(t, memFactory)) }

// tenderCommittee drives the opening ceremony over the API with the one
// officer credential (officer id "officer"): a committee of two that
// names it and bob (whose approval, under his own credential, the
// service records directly), one that does not name it, and a tender
// made without a committee (its creator alone, k = 1).
func tenderCommittee(t *testing.T, e *tenderEnv) {
	create := func(committee string) string {
		t.Helper()
		body := strings.Replace(tenderBody(carbonAward), `"award":`, `"committee":`+committee+`,"award":`, 1)
		var tv tenders.TenderView
		e.want(e.do("POST", "/v1/tenders", testOfficerToken, body), 201, &tv, "create "+committee)
		return tv.ID
	}
	// The openers are accounts: bob and alice, openers.
	var bob struct {
		Token string `json:"token"`
	}
	e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"bob","name":"Bob","role":"opener"}`), 201, &bob, "create bob")
	e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"alice","name":"Alice","role":"opener"}`), 201, nil, "create alice")
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, strings.Replace(tenderBody(carbonAward), `"award":`, `"committee":{"openers":["nobody"],"k":1},"award":`, 1)), 422, nil, "an opener without an account")
	two := create(`{"openers":["bob","officer"],"k":2}`)
	others := create(`{"openers":["alice","bob"],"k":1}`)
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, strings.Replace(tenderBody(carbonAward), `"award":`, `"committee":{"openers":["bob","bob"],"k":3},"award":`, 1)), 422, nil, "invalid committee")
	sole := e.createTender(carbonAward)
	var notice tenders.TenderView
	e.want(e.do("GET", "/v1/tenders/"+sole, "", ""), 200, &notice, "notice")
	if c := notice.Committee; c == nil || c.K != 1 || strings.Join(c.Openers, ",") != officers.BootstrapID {
		t.Errorf("a tender without a committee: %+v, want its creator alone", c)
	}
	for _, id := range []string{two, others, sole} {
		e.submit(id, gasBid("A", "1000.00", "1", ""))
	}

	e.want(e.do("POST", "/v1/tenders/"+two+"/approvals", testOfficerToken, ""), 409, nil, "approval before the deadline")
	e.clock.Set(tenderDeadline.Add(time.Second))
	for _, c := range []struct {
		what, target, slug string
		status             int
	}{
		{"open with k = 2", "/v1/tenders/" + two + "/open", "approvals-needed", 409},
		{"approval by a non-member", "/v1/tenders/" + others + "/approvals", "not-opener", 403},
		{"open by a non-member", "/v1/tenders/" + others + "/open", "not-opener", 403},
		{"approval with a bid token", "/v1/tenders/" + two + "/approvals", "unauthorized", 401},
	} {
		token := testOfficerToken
		if c.status == 401 {
			token = "B1.nope"
		}
		rec := e.do("POST", c.target, token, "")
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), "#"+c.slug) {
			t.Errorf("%s: %d %s, want %d #%s", c.what, rec.Code, rec.Body, c.status, c.slug)
		}
	}
	var a tenders.ApprovalView
	e.want(e.do("POST", "/v1/tenders/"+two+"/approvals", testOfficerToken, ""), 200, &a, "first approval")
	if a.Opened || a.Remaining != 1 || a.Repeated || strings.Join(a.Approvers, ",") != "officer" {
		t.Errorf("first approval: %+v", a)
	}
	e.want(e.do("POST", "/v1/tenders/"+two+"/approvals", testOfficerToken, ""), 200, &a, "repeat")
	if !a.Repeated || a.Opened || a.Remaining != 1 {
		t.Errorf("repeat: %+v", a)
	}
	rec := e.do("POST", "/v1/tenders/"+two+"/open", testOfficerToken, "")
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), "has 1; 1 more") {
		t.Errorf("open after 1 of 2 approvals: %d %s", rec.Code, rec.Body)
	}
	// Bob, a named opener, approves under his own personal token: the
	// k-th approval opens.
	e.want(e.do("POST", "/v1/tenders/"+two+"/approvals", bob.Token, ""), 200, &a, "bob's approval")
	if !a.Opened || a.Remaining != 0 {
		t.Fatalf("bob's approval: %+v", a)
	}
	var ev tender.Evaluation
	e.want(e.do("GET", "/v1/tenders/"+two+"/evaluation", testOfficerToken, ""), 200, &ev, "evaluation")
	if strings.Join(ev.OpenedBy, ",") != "officer,bob" || ev.Committee == nil || ev.Committee.K != 2 {
		t.Errorf("evaluation: opened_by %v, committee %+v", ev.OpenedBy, ev.Committee)
	}
	var audit struct {
		Verified bool           `json:"verified"`
		Events   []tender.Event `json:"events"`
	}
	e.want(e.do("GET", "/v1/tenders/"+two+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	var approvals []string
	for _, x := range audit.Events {
		if x.Kind == tender.EventApproved {
			approvals = append(approvals, x.Actor)
		}
	}
	if !audit.Verified || strings.Join(approvals, ",") != "officer,bob" {
		t.Errorf("audit: verified %v, approvals %v", audit.Verified, approvals)
	}

	// Today's clients: a tender made without a committee opens with
	// POST …/open, which is its creator's one approval.
	e.want(e.do("POST", "/v1/tenders/"+sole+"/open", testOfficerToken, ""), 200, &ev, "open a committee of one")
	if strings.Join(ev.OpenedBy, ",") != "officer" || ev.Committee.K != 1 {
		t.Errorf("committee of one: opened_by %v", ev.OpenedBy)
	}
	e.want(e.do("POST", "/v1/tenders/"+sole+"/approvals", testOfficerToken, ""), 409, nil, "approval after opening")
}
