package tender

import (
	"fmt"
	"strconv"
	"time"

	"github.com/footprint-gpp/footprint/internal/jsonw"
)

// An opening writes every ranking row three times (the evaluation's
// digest, the digest again with the openers, the stored JSON) and every
// export once more; encoding/json's reflection made that a second's work
// at 50,000 bids. appendRanked writes the same bytes directly. It is held
// to json.Marshal by TestAppendRankedMatchesJSON and FuzzAppendRanked.

// appendRanked appends json.Marshal(r)'s bytes to b.
func appendRanked(b []byte, r *Ranked) ([]byte, error) {
	b = append(b, `{"rank":`...)
	if r.Rank == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*r.Rank), 10)
	}
	b = append(b, `,"bid_id":`...)
	b = jsonw.AppendString(b, r.BidID)
	b = append(b, `,"supplier":`...)
	b = jsonw.AppendString(b, r.Supplier)
	b = append(b, `,"price":{"amount":`...)
	b = appendFixed(b, r.Price.Amount)
	b = append(b, `,"currency":`...)
	b = jsonw.AppendString(b, r.Price.Currency)
	b = append(b, `},"received_at":`...)
	b, err := appendTime(b, r.ReceivedAt)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"kg_co2e":`...)
	b = appendFixed(b, r.KgCO2e)
	b = append(b, `,"notional_price":`...)
	b = appendFixed(b, r.NotionalPrice)
	b = appendOmitEmpty(b, "ladder_level", r.LadderLevel)
	b = append(b, `,"failed_limits":`...)
	b = jsonw.AppendStrings(b, r.FailedLimits)
	b = append(b, `,"excluded":`...)
	b = strconv.AppendBool(b, r.Excluded)
	b = appendOmitEmpty(b, "reason", r.Reason)
	b = appendOmitEmpty(b, "commitment", r.Commitment)
	b = appendOmitEmpty(b, "nonce", r.Nonce)
	b = appendOmitEmpty(b, "p_first", r.PFirst)
	b = appendOmitEmpty(b, "p_keep_place", r.PKeepPlace)
	return append(b, '}'), nil
}

// appendOmitEmpty appends ,"name":"v" unless v is empty (omitempty).
func appendOmitEmpty(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return jsonw.AppendString(b, v)
}

// appendFixed appends f's text as a JSON string (its MarshalText: digits,
// a sign and a point, nothing to escape).
func appendFixed(b []byte, f Fixed) []byte {
	b = append(b, '"')
	b = f.appendText(b)
	return append(b, '"')
}

// appendTime appends t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds, quoted. A time outside UTC or the years 0 to 9999 goes
// through MarshalJSON itself, for its checks and error.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); t.Location() != time.UTC || y < 0 || y > 9999 {
		q, err := t.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("received_at: %w", err)
		}
		return append(b, q...), nil
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}
