package server

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOfficers(t *testing.T) { officersFlow(t, newTenderEnv(t, memFactory)) }

// officersFlow: the bootstrap administrator creates named officers; each
// acts under their own credential (a personal token, or a session from
// POST /v1/session), their roles are enforced, the audit trail names
// each of them, and signing out, a role change and disabling end their
// sessions at once.
func officersFlow(t *testing.T, e *tenderEnv) {
	add := func(id, role string) string {
		t.Helper()
		var got struct {
			ID, Name, Role, Token string
			Disabled              bool
		}
		e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"`+id+`","name":"Officer `+id+`","role":"`+role+`"}`), 201, &got, "add "+id)
		if got.ID != id || got.Role != role || !strings.HasPrefix(got.Token, "fpo."+id+".") {
			t.Fatalf("add %s: %+v", id, got)
		}
		return got.Token
	}
	alice, bob, carol := add("alice", "buyer"), add("bob", "opener"), add("carol", "auditor")
	e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"alice","name":"Again","role":"buyer"}`), 409, nil, "alice twice")
	e.want(e.do("POST", "/v1/officers", testOfficerToken, `{"id":"dave","name":"Dave","role":"king"}`), 422, nil, "unknown role")
	e.want(e.do("POST", "/v1/officers", alice, `{"id":"dave","name":"Dave","role":"buyer"}`), 403, nil, "a buyer adding an officer")
	e.want(e.do("GET", "/v1/officers", carol, ""), 403, nil, "an auditor listing officers")
	var list struct{ Officers []map[string]any }
	e.want(e.do("GET", "/v1/officers", testOfficerToken, ""), 200, &list, "list")
	if len(list.Officers) != 3 || list.Officers[0]["id"] != "alice" || list.Officers[0]["token"] != nil {
		t.Fatalf("list: %+v", list)
	}

	session := func(id, tok string) string {
		t.Helper()
		var s struct {
			Officer, Role string
			SessionToken  string `json:"session_token"`
		}
		e.want(e.do("POST", "/v1/session", "", `{"officer":"`+id+`","token":"`+tok+`"}`), 201, &s, "sign-in "+id)
		if s.Officer != id || !strings.HasPrefix(s.SessionToken, "fps.") {
			t.Fatalf("sign-in %s: %+v", id, s)
		}
		return s.SessionToken
	}
	aliceS := session("alice", alice)
	carolS := session("carol", carol)

	// Roles: a buyer creates, an auditor cannot create or open.
	var tv map[string]any
	// Alice names Bob the opening committee (a committee of one, k = 1).
	e.want(e.do("POST", "/v1/tenders", aliceS, strings.Replace(tenderBody(`{"rule":"price_only","limits":"report"}`), `"award":`, `"committee":{"openers":["bob"],"k":1},"award":`, 1)), 201, &tv, "alice creates")
	id := tv["id"].(string)
	e.want(e.do("POST", "/v1/tenders", carolS, tenderBody(`{"rule":"price_only","limits":"report"}`)), 403, nil, "an auditor creating")
	e.want(e.do("POST", "/v1/tenders", bob, tenderBody(`{"rule":"price_only","limits":"report"}`)), 403, nil, "an opener creating")
	e.submit(id, gasBid("ACME", "1000", "10", ""))
	e.clock.Set(tenderDeadline)
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", carolS, ""), 403, nil, "an auditor opening")
	e.want(e.do("POST", "/v1/tenders/"+id+"/open", bob, ""), 200, nil, "bob opens")
	e.want(e.do("GET", "/v1/tenders/"+id+"/evaluation", carolS, ""), 200, nil, "the auditor reads the evaluation")

	// The audit trail names each person.
	var audit struct {
		Verified bool
		Events   []struct{ Kind, Actor string }
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/audit", carolS, ""), 200, &audit, "audit")
	actors := map[string]string{}
	for _, ev := range audit.Events {
		actors[ev.Kind] = ev.Actor
	}
	if !audit.Verified || actors["created"] != "alice" || actors["opened"] != "bob" || actors["exported"] != "carol" {
		t.Fatalf("audit actors: %+v", audit)
	}
	e.want(e.do("GET", "/v1/tenders/"+id+"/audit", bob, ""), 403, nil, "an opener reading the audit trail")

	// Sign-out ends the session at once; the personal token still works.
	e.want(e.do("DELETE", "/v1/session", aliceS, ""), 204, nil, "sign-out")
	e.want(e.do("GET", "/v1/tenders", aliceS, ""), 401, nil, "a signed-out session")
	e.want(e.do("DELETE", "/v1/session", aliceS, ""), 401, nil, "signing out twice")
	e.want(e.do("GET", "/v1/tenders", alice, ""), 200, nil, "alice's personal token")
	// A role change ends the officer's sessions at once.
	var patched map[string]any
	e.want(e.do("PATCH", "/v1/officers/carol", testOfficerToken, `{"role":"buyer"}`), 200, &patched, "carol becomes a buyer")
	if patched["role"] != "buyer" || patched["sessions_ended"] != json.Number("1") && patched["sessions_ended"] != float64(1) {
		t.Errorf("patch: %+v", patched)
	}
	e.want(e.do("GET", "/v1/tenders", carolS, ""), 401, nil, "a session after a role change")
	// Disabling ends the personal token and the sessions.
	bobS := session("bob", bob)
	e.want(e.do("PATCH", "/v1/officers/bob", testOfficerToken, `{"disabled":true}`), 200, nil, "disable bob")
	e.want(e.do("GET", "/v1/tenders", bobS, ""), 401, nil, "a disabled officer's session")
	e.want(e.do("GET", "/v1/tenders", bob, ""), 401, nil, "a disabled officer's token")
	e.want(e.do("PATCH", "/v1/officers/nobody", testOfficerToken, `{"disabled":true}`), 404, nil, "disable nobody")
	e.want(e.do("PATCH", "/v1/officers/alice", alice, `{"disabled":true}`), 403, nil, "a buyer disabling")

	// Failed sign-ins are limited (429 with Retry-After).
	limited := false
	for i := 0; i < 2*DefaultGuessesPerAddress && !limited; i++ {
		rec := e.do("POST", "/v1/session", "", `{"officer":"alice","token":"fpo.alice.wrong"}`)
		switch rec.Code {
		case 401:
		case 429:
			limited = rec.Header().Get("Retry-After") != ""
		default:
			t.Fatalf("wrong sign-in %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if !limited {
		t.Error("failed sign-ins were never limited")
	}
}
