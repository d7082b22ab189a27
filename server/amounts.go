package server

import (
	"strings"

	"github.com/footprint-gpp/footprint/tender"
)

// amountDetail is the message of a tender.ParseAmount error without the
// sentinel's prefix: what is wrong with the amount's spelling and the rule
// (tender.AmountPattern), for a field error.
func amountDetail(err error) string {
	msg := err.Error()
	if p := tender.ErrInvalid.Error() + ": "; strings.HasPrefix(msg, p) {
		return msg[len(p):]
	}
	return msg
}
