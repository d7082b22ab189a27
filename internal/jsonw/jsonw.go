// Package jsonw appends JSON strings exactly as encoding/json writes
// them, without reflection: the hand-written encoders of the footprint
// report (calc) and the tender ranking (tender) share it, and each is
// held to json.Marshal by its own tests.
package jsonw

import (
	"encoding/json"
	"unicode/utf8"
)

// AppendString appends s as encoding/json writes it: plain ASCII as it is,
// anything needing an escape (HTML characters, control characters,
// U+2028/9, invalid UTF-8) through encoding/json itself.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AppendStrings appends ss as encoding/json writes a []string: null for
// nil.
func AppendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}

// plainJSON marks the bytes encoding/json writes as they are in a string:
// printable ASCII but the quote, the backslash and the HTML characters
// < > & (it escapes those, control characters, U+2028/9 and invalid UTF-8).
// A table, read only: one load per byte instead of seven comparisons.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()
