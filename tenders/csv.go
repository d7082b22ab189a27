package tenders

import (
	"encoding/csv"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-gpp/footprint/tender"

	"github.com/footprint-gpp/footprint/internal/cell"
)

// EvaluationCSVHeader returns the header row of an evaluation as CSV.
func EvaluationCSVHeader() []string {
	return []string{"rank", "bid_id", "supplier", "received_at", "price", "currency", "ladder_level", "kg_co2e", "notional_price", "excluded", "reason", "failed_limits"}
}

// EvaluationUncertaintyCSVColumns are the columns appended to
// EvaluationCSVHeader when the evaluation records an uncertainty report
// (tender.RankingUncertainty): each bid's probability of ranking first
// and of keeping its place against the next bid (empty for an excluded
// bid, and p_keep_place for the last ranked one). The run's record
// (seed, draws, generator, model digest, the too-close-to-call flag) is
// in the JSON.
func EvaluationUncertaintyCSVColumns() []string { return []string{"p_first", "p_keep_place"} }

// WriteEvaluationCSV writes the ranking of evaluation ev, one bid a row
// (GET /v1/tenders/{id}/evaluation?format=csv, the officer's page export
// and footprint tenders evaluation --format csv); texts that a spreadsheet
// would run as formulas are neutralised.
func WriteEvaluationCSV(w io.Writer, ev *tender.Evaluation) error {
	return writeEvaluationCSV(w, ev.Uncertainty != nil, func(yield func(*tender.Ranked, error) bool) {
		for i := range ev.Ranking {
			if !yield(&ev.Ranking[i], nil) {
				return
			}
		}
	})
}

// writeEvaluationCSV writes the header and one row per ranking row, as
// rows gives them, with the uncertainty columns when withUnc.
func writeEvaluationCSV(w io.Writer, withUnc bool, rows iter.Seq2[*tender.Ranked, error]) error {
	cw := csv.NewWriter(w)
	header := EvaluationCSVHeader()
	if withUnc {
		header = append(header, EvaluationUncertaintyCSVColumns()...)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	n := cell.Neutralise
	for rk, err := range rows {
		if err != nil {
			return err
		}
		rank := ""
		if rk.Rank != nil {
			rank = strconv.Itoa(*rk.Rank)
		}
		row := []string{rank, n(rk.BidID), n(rk.Supplier), rk.ReceivedAt.UTC().Format(time.RFC3339Nano),
			rk.Price.Amount.Decimal().StringFixed(tender.MoneyRounding.Places), rk.Price.Currency, n(rk.LadderLevel), rk.KgCO2e.String(), rk.NotionalPrice.String(),
			strconv.FormatBool(rk.Excluded), n(rk.Reason), n(strings.Join(rk.FailedLimits, "; "))}
		if withUnc {
			row = append(row, rk.PFirst, rk.PKeepPlace)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
