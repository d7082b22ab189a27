package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tenders"
)

// TestTenderCommitteeCustody drives committee custody over the API, on
// SQLite with a key file: a committee of alice and bob (k = 2) whose
// shares are sealed to their own keys; the supplier reads its bid with
// its token before the opening, an officer cannot; alice approves with
// her personal token; bob, signed in by session, is refused without his
// token (#share-locked, nothing recorded), with alice's (403) and with a
// wrong one (401), and opens the tender with his own in
// Footprint-Personal-Token; the audit trail verifies.
func TestTenderCommitteeCustody(t *testing.T) {
	keys, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "custody.db")
	e := newTenderEnv(t, func() store.Store {
		st, err := store.OpenWith(context.Background(), "sqlite:"+path, store.Options{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
	tokens := map[string]string{}
	for _, id := range []string{"alice", "bob"} {
		var o struct {
			Token    string `json:"token"`
			ShareKey string `json:"share_key"`
		}
		e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"`+id+`","name":"`+id+`","role":"opener"}`), 201, &o, "create "+id)
		if len(o.ShareKey) != 16 {
			t.Fatalf("%s has share key %q", id, o.ShareKey)
		}
		tokens[id] = o.Token
	}
	var tv tenders.TenderView
	body := strings.Replace(tenderBody(carbonAward), `"award":`, `"committee":{"openers":["alice","bob"],"k":2},"award":`, 1)
	e.want(e.do("POST", "/v1/tenders", testOfficerToken, body), 201, &tv, "create")
	if c := tv.Custody; c == nil || c.Kind != "committee" || c.K != 2 || len(c.Holders) != 2 || c.ServerShares() != 0 {
		t.Fatalf("custody %+v", c)
	}
	r := e.submit(tv.ID, gasBid("Alpha", "1000000.00", "100", ""))
	e.submit(tv.ID, gasBid("Beta", "990000.00", "500", ""))
	var own map[string]any
	e.want(e.do("GET", "/v1/tenders/"+tv.ID+"/bids/"+r.BidID, r.BidToken, ""), 200, &own, "the supplier reads its bid")
	if own["supplier"] != "Alpha" {
		t.Errorf("own bid: %v", own)
	}
	e.want(e.do("GET", "/v1/tenders/"+tv.ID+"/bids/"+r.BidID, testOfficerToken, ""), 409, nil, "an officer before the opening")

	e.clock.Set(tenderDeadline.Add(time.Second))
	var a tenders.ApprovalView
	e.want(e.do("POST", "/v1/tenders/"+tv.ID+"/approvals", tokens["alice"], ""), 200, &a, "alice approves with her token")
	if a.Opened || a.Remaining != 1 {
		t.Fatalf("alice's approval: %+v", a)
	}
	var s struct {
		SessionToken string `json:"session_token"`
		ShareKey     string `json:"share_key"`
	}
	e.want(e.do("POST", "/v1/session", "", `{"officer":"bob","token":"`+tokens["bob"]+`"}`), 201, &s, "bob signs in")
	if s.ShareKey == "" || s.ShareKey != tv.Custody.Holders[1].Key {
		t.Errorf("bob's session shows share key %q; the tender lists %q", s.ShareKey, tv.Custody.Holders[1].Key)
	}
	for _, c := range []struct {
		what, header, slug string
		status             int
	}{
		{"a session alone", "", "#share-locked", 403},
		{"alice's token", tokens["alice"], "#forbidden", 403},
		{"a wrong token", "fpo.bob.wrong", "#unauthorized", 401},
	} {
		var hdr []string
		if c.header != "" {
			hdr = []string{PersonalTokenHeader, c.header}
		}
		rec := e.do("POST", "/v1/tenders/"+tv.ID+"/approvals", s.SessionToken, "", hdr...)
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.slug) {
			t.Errorf("bob with %s: %d %s, want %d %s", c.what, rec.Code, rec.Body, c.status, c.slug)
		}
	}
	e.want(e.do("POST", "/v1/tenders/"+tv.ID+"/approvals", s.SessionToken, "", PersonalTokenHeader, tokens["bob"]), 200, &a, "bob approves")
	if !a.Opened || strings.Join(a.Approvers, ",") != "alice,bob" {
		t.Fatalf("bob's approval: %+v", a)
	}
	var audit map[string]any
	e.want(e.do("GET", "/v1/tenders/"+tv.ID+"/audit", testOfficerToken, ""), 200, &audit, "audit")
	if audit["verified"] != true {
		t.Errorf("audit: %v", audit)
	}
	e.want(e.do("GET", "/v1/tenders/"+tv.ID+"/bids/"+r.BidID, testOfficerToken, ""), 200, nil, "an officer after the opening")
}
