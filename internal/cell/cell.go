// Package cell reads and writes the text of one value as people type it
// and spreadsheets read it: an exact decimal typed in a form, a JSON
// string or a CSV cell (ParseDecimal), and a CSV cell that a spreadsheet
// must not run as a formula (Neutralise). The server's pages and the
// tender use cases share them, so that both read and write the same way.
package cell

import (
	"errors"
	"strings"

	"github.com/shopspring/decimal"
)

// errNotDecimal is the error of a text that is not a decimal number.
var errNotDecimal = errors.New("not a decimal number")

// ParseDecimal parses decimal text as typed by people and programs:
// digits, one point, an optional sign and exponent; no thousands
// separator; surrounding spaces are ignored; at most 64 characters.
func ParseDecimal(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" || len(t) > 64 {
		return decimal.Decimal{}, errNotDecimal
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return decimal.Decimal{}, errNotDecimal
		}
	}
	return decimal.NewFromString(t)
}

// Neutralise prefixes with a single quote a cell that a spreadsheet would
// evaluate (one starting with =, +, -, @, a tab or a carriage return); a
// negative number is data, not a formula, and is kept as it is.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := ParseDecimal(s); err == nil && s[0] == '-' {
			return s
		}
		return "'" + s
	}
	return s
}
