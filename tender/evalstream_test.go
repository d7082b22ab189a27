package tender

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// TestEvaluationStreamsSameBytes: an evaluation written one row at a
// time (WriteJSON), and a stored one read back one row at a time
// (ReadStoredEvaluation), give json.Marshal's bytes, and the digest
// hashed as it is written is the SHA-256 of CanonicalJSON — for every
// award rule, a committee, an empty and a null ranking.
func TestEvaluationStreamsSameBytes(t *testing.T) {
	w := newBid("w", "1", "1", t0)
	at := t0.Add(time.Minute)
	w.WithdrawnAt = &at
	bids := []Bid{newBid("a", "10.5", "1.23456", t0), w, failing(newBid("b", "9", "2", t0.Add(time.Second)), "x"), newBid("c", "11", "0.5", t0.Add(2*time.Second))}
	bids[0].LadderLevel = "3"
	awards := []Award{
		{Rule: PriceOnly, Limits: LimitsReport},
		{Rule: CarbonPrice, CarbonPricePerT: decp("100.50"), Limits: LimitsExclude},
		{Rule: Ladder, LadderDiscounts: map[string]decimal.Decimal{"3": dec("0.040")}, Limits: LimitsExclude},
	}
	var evs []*Evaluation
	for _, a := range awards {
		for _, n := range []int{0, len(bids)} {
			bs := append([]Bid(nil), bids[:n]...)
			if a.Rule != Ladder && n > 0 {
				bs[0].LadderLevel = ""
			}
			ev, err := Evaluate(newTender(a), testMethod(), bs)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
	}
	withCommittee := *evs[1]
	if err := withCommittee.SetOpening(&Committee{Openers: []string{"ann", "bob"}, K: 2}, []string{"bob", "ann"}); err != nil {
		t.Fatal(err)
	}
	nilRanking := *evs[1]
	nilRanking.Ranking = nil
	evs = append(evs, &withCommittee, &nilRanking)
	for i, ev := range evs {
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := ev.WriteJSON(&got); err != nil || !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%d: WriteJSON (%v)\n got %s\nwant %s", i, err, got.Bytes(), want)
		}
		canon, err := ev.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(canon)
		if d, err := ev.digest(); err != nil || d != hex.EncodeToString(sum[:]) {
			t.Errorf("%d: streamed digest %s (%v), want the SHA-256 of CanonicalJSON %x", i, d, err, sum)
		}
		st, err := ReadStoredEvaluation(want)
		if err != nil {
			t.Fatal(err)
		}
		got.Reset()
		if err := st.WriteJSON(&got); err != nil || !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%d: stored WriteJSON (%v)\n got %s\nwant %s", i, err, got.Bytes(), want)
		}
		var back Evaluation
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		okBack, _ := back.VerifyDigest()
		okStream, err := st.VerifyDigest()
		if err != nil || okStream != okBack {
			t.Errorf("%d: stored VerifyDigest %v (%v), decoded %v", i, okStream, err, okBack)
		}
		n := 0
		for r, err := range st.Rows() {
			if err != nil || r.BidID != back.Ranking[n].BidID {
				t.Fatalf("%d: row %d: %v", i, n, err)
			}
			n++
		}
		if n != len(back.Ranking) {
			t.Errorf("%d: %d rows streamed, want %d", i, n, len(back.Ranking))
		}
	}
	// An edited row no longer verifies, streamed as decoded.
	raw, _ := json.Marshal(evs[1])
	st, err := ReadStoredEvaluation(bytes.Replace(raw, []byte(`"supplier":"Supplier a"`), []byte(`"supplier":"Supplier z"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.VerifyDigest(); ok {
		t.Error("an edited stored evaluation verifies")
	}
	if _, err := ReadStoredEvaluation([]byte(`{"ranking":{}}`)); err == nil {
		t.Error("a ranking that is not an array was read")
	}
}

// TestSetOpeningAndWriteJSON: recording the opening and writing the JSON
// in one pass gives the digest SetOpening gives and the bytes WriteJSON
// then writes — for every award rule, committees with and without
// openers, an uncertainty report, an empty and a null ranking.
func TestSetOpeningAndWriteJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 19))
	committees := []struct {
		c        *Committee
		openedBy []string
	}{
		{&Committee{Openers: []string{"ann", "bob"}, K: 2}, []string{"bob", "ann"}},
		{&Committee{Openers: []string{"<ann>"}, K: 1}, nil},
		{nil, nil},
	}
	checked := 0
	for i := range 60 {
		td, bids := randomBids(r, r.IntN(20), false)
		if i%5 == 0 {
			td.Uncertainty = &UncertaintySetting{Draws: 1000, Threshold: dec("0.95")}
		}
		m := testMethod()
		if i%5 == 0 {
			m.Uncertainty = &methods.Uncertainty{}
		}
		ev, err := Evaluate(td, m, bids)
		if err != nil {
			continue // a repeated id
		}
		if i%7 == 0 {
			ev.Ranking = nil
		}
		c := committees[i%len(committees)]
		want := *ev
		if err := want.SetOpening(c.c, c.openedBy); err != nil {
			t.Fatal(err)
		}
		var wantJSON, got bytes.Buffer
		if err := want.WriteJSON(&wantJSON); err != nil {
			t.Fatal(err)
		}
		if err := ev.SetOpeningAndWriteJSON(&got, c.c, c.openedBy); err != nil {
			t.Fatal(err)
		}
		if ev.Digest != want.Digest || !bytes.Equal(got.Bytes(), wantJSON.Bytes()) {
			t.Fatalf("%d: digest %s, SetOpening's %s; wrote\n%s\nwant\n%s", i, ev.Digest, want.Digest, got.Bytes(), wantJSON.Bytes())
		}
		if ok, err := ev.VerifyDigest(); !ok || err != nil {
			t.Fatalf("%d: the digest does not verify (%v)", i, err)
		}
		checked++
	}
	if checked < 40 {
		t.Errorf("only %d of 60 evaluations checked", checked)
	}
}
