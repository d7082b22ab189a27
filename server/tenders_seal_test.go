package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/tender"
)

// TestSealedListBruteForce runs the attack of issue 15, point 1: with the
// public notice in hand, a brute force over plausible bids computes their
// digests and looks for them in what an officer sees before opening (the
// sealed list and the audit trail). The receipts give the true digests a
// perfect guess would produce; neither they nor anything else derived
// from a bid's content alone may appear. Two bids of identical content get
// different commitments (salted: a guess cannot even tell them equal).
// After opening, every commitment opens with the nonce the evaluation
// reveals, and no other content does.
func TestSealedListBruteForce(t *testing.T) {
	for _, f := range []struct {
		name string
		f    storeFactory
	}{{"memory", memFactory}, {"sqlite", sqliteFactory(t)}} {
		t.Run(f.name, func(t *testing.T) {
			e := newTenderEnv(t, f.f)
			id := e.createTender(`{"rule":"price_only","limits":"report"}`)
			a := e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""))
			b := e.submit(id, gasBid("Alpha BV", "1000000.00", "1000", ""))
			c := e.submit(id, gasBid("Bravo BV", "1004000.00", "1200", ""))
			seen := e.do("GET", "/v1/tenders/"+id+"/bids", testOfficerToken, "").Body.String() +
				e.do("GET", "/v1/tenders/"+id+"/audit", testOfficerToken, "").Body.String()
			for _, r := range []BidReceipt{a, b, c} {
				for _, d := range []string{r.Digests.Bid, r.Digests.Result} {
					if d == "" || strings.Contains(seen, d) {
						t.Errorf("bid %s: its digest %.16s… is shown before opening: a brute force of the notice's plausible bids matches it", r.BidID, d)
					}
				}
				if r.Commitment == "" || !strings.Contains(seen, r.Commitment) {
					t.Errorf("bid %s: its commitment is not what the sealed list shows", r.BidID)
				}
			}
			if a.Digests.Bid != b.Digests.Bid && a.Digests.Result != b.Digests.Result {
				t.Fatalf("the two identical bids differ in content: the test proves nothing")
			}
			if a.Commitment == b.Commitment {
				t.Error("two bids of identical content have one commitment: not salted")
			}

			e.clock.Set(tenderDeadline)
			e.want(e.do("POST", "/v1/tenders/"+id+"/open", testOfficerToken, ""), 200, nil, "open")
			var ev tender.Evaluation
			e.want(e.do("GET", "/v1/tenders/"+id+"/evaluation", testOfficerToken, ""), 200, &ev, "evaluation")
			byID := map[string]tender.Ranked{}
			for _, r := range ev.Ranking {
				byID[r.BidID] = r
			}
			for _, r := range []BidReceipt{a, b, c} {
				rk := byID[r.BidID]
				nonce, err := seal.ParseNonce(rk.Nonce)
				if err != nil || rk.Commitment != r.Commitment {
					t.Fatalf("bid %s: the evaluation reveals nonce %q and commitment %.16s…, want the receipt's commitment: %v", r.BidID, rk.Nonce, rk.Commitment, err)
				}
				if !seal.CheckCommitment(rk.Commitment, nonce, tender.CommitmentContent(r.Digests.Bid, r.Digests.Result)) {
					t.Errorf("bid %s: the commitment does not open with the revealed nonce", r.BidID)
				}
				if seal.CheckCommitment(rk.Commitment, nonce, tender.CommitmentContent(c.Digests.Bid, r.Digests.Result)) && r.BidID != c.BidID {
					t.Errorf("bid %s: the commitment opens to another bid's content", r.BidID)
				}
			}
			raw, _ := json.Marshal(ev)
			if !strings.Contains(string(raw), `"nonce"`) {
				t.Error("the evaluation JSON has no nonces")
			}
		})
	}
}
