package ocds_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/tender"
)

// TestWriteIsMarshal: Package.Write, Encode and Digest give
// json.Marshal's bytes (and a newline) and their SHA-256, for a tender
// release alone, an opened tender with an award, one without (every bid
// excluded), one with notice details and items, and one of many bids;
// rows given one at a time (Input.Rows) build the same package as the
// evaluation's ranking.
func TestWriteIsMarshal(t *testing.T) {
	base := opened(t)
	notOpened := base
	notOpened.Evaluation, notOpened.Bids = nil, nil
	noAward := opened(t)
	ev := *noAward.Evaluation
	ev.Ranking = append([]tender.Ranked(nil), ev.Ranking...)
	ev.Ranking[0].Rank, ev.Ranking[0].Excluded = nil, true
	noAward.Evaluation = &ev
	withNotice := opened(t)
	withNotice.Tender.Notice = &tender.Notice{Description: `A "lots": trap <&>`, CPV: "45000000", ContractNature: "works", BuyerID: "X1", BuyerTown: "Musterstadt"}
	many := opened(t)
	many.Bids = append([]tender.Bid(nil), many.Bids...)
	mev := *many.Evaluation
	mev.Ranking = append([]tender.Ranked(nil), mev.Ranking...)
	r := mev.Ranking[0].KgCO2e
	for i := range 300 {
		id := fmt.Sprintf("m%03d", i)
		rank := 2 + i
		p := tender.Price{Amount: decimal.RequireFromString(fmt.Sprintf("%d.5", 2000+i)), Currency: "EUR"}
		many.Bids = append(many.Bids, tender.Bid{ID: id, Supplier: "Supplier <" + id + ">", Price: p, ReceivedAt: time.Date(2026, 3, 1, 9, 50, i, 0, time.UTC)})
		mev.Ranking = append(mev.Ranking, tender.Ranked{Rank: &rank, BidID: id, Supplier: "Supplier <" + id + ">", Price: tender.ReportPrice(p), KgCO2e: r, NotionalPrice: r})
	}
	many.Evaluation = &mev
	for name, in := range map[string]ocds.Input{"opened": base, "not opened": notOpened, "no award": noAward, "notice": withNotice, "many": many} {
		p, err := ocds.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := p.Write(&got); err != nil || !bytes.Equal(got.Bytes(), append(want, '\n')) {
			t.Errorf("%s: Write (%v)\n got %s\nwant %s", name, err, got.Bytes(), want)
		}
		sum := sha256.Sum256(want)
		body, digest, err := p.Encode()
		if err != nil || !bytes.Equal(body, append(want, '\n')) || digest != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: Encode gives other bytes or digest (%v)", name, err)
		}
		if d, err := p.Digest(); err != nil || d != digest {
			t.Errorf("%s: Digest %s (%v), want %s", name, d, err, digest)
		}
		if in.Evaluation == nil {
			continue
		}
		rows := in
		rows.Evaluation = &tender.Evaluation{Method: in.Evaluation.Method, Digest: in.Evaluation.Digest, Committee: in.Evaluation.Committee, OpenedBy: in.Evaluation.OpenedBy}
		rows.Rows = func(yield func(*tender.Ranked) error) error {
			for i := range in.Evaluation.Ranking {
				rk := in.Evaluation.Ranking[i]
				if err := yield(&rk); err != nil {
					return err
				}
			}
			return nil
		}
		if got := encode(t, rows); !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("%s: the package built from rows differs:\n got %s\nwant %s", name, got, want)
		}
	}
}
