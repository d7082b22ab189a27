package tenders

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/seal"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// TestCheckReceipt: a receipt holds only while its signed head verifies
// with the key file's keys and the chain still has, at its seq, the event
// it signed, with the bid's commitment.
func TestCheckReceipt(t *testing.T) {
	k, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := seal.Generate()
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	created, _ := tender.NewEvent(nil, tender.EventCreated, "officer", at, tender.Digests{tender.DigestTender: strings.Repeat("a", 64)})
	received, _ := tender.NewEvent(&created, tender.EventBidReceived, "supplier", at.Add(time.Hour), tender.Digests{tender.DigestCommitment: strings.Repeat("c", 64)})
	res := store.VerifyResult{Verified: true, Events: []tender.Event{created, received}}
	sign := func(k *seal.Keys, e tender.Event) string {
		sh, err := k.SignHead(seal.Head{TenderID: "T1", Seq: e.Seq, Hash: e.Hash, At: e.At})
		if err != nil {
			t.Fatal(err)
		}
		return sh.String()
	}
	good := Receipt{TenderID: "T1", BidID: "B1", Commitment: strings.Repeat("c", 64), SignedHead: sign(k, received)}
	receipt := func(edit func(*Receipt)) []byte {
		r := good
		edit(&r)
		raw, _ := json.Marshal(r)
		return raw
	}
	tests := []struct {
		name string
		raw  []byte
		res  store.VerifyResult
		want string
	}{
		{"holds", receipt(func(*Receipt) {}), res, ""},
		{"another tender", receipt(func(r *Receipt) { r.TenderID = "T2" }), res, "is for tender"},
		{"no signed head", receipt(func(r *Receipt) { r.SignedHead = "" }), res, "no signed_head"},
		{"signed by another key", receipt(func(r *Receipt) { r.SignedHead = sign(other, received) }), res, "signed head"},
		{"another commitment", receipt(func(r *Receipt) { r.Commitment = strings.Repeat("d", 64) }), res, "is not bid B1's receipt"},
		{"event removed", receipt(func(*Receipt) {}), store.VerifyResult{Events: []tender.Event{created}}, "events were removed"},
		{"not JSON", []byte("{"), res, "not a receipt"},
		{"too large", make([]byte, MaxReceiptBytes+1), res, "over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq, err := CheckReceipt("T1", tt.res, tt.raw, k.VerifyKeys())
			switch {
			case tt.want == "" && (err != nil || seq != 2):
				t.Errorf("got seq %d, %v; want event 2", seq, err)
			case tt.want != "" && (!errors.Is(err, ErrReceipt) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v; want ErrReceipt saying %q", err, tt.want)
			}
		})
	}
}
