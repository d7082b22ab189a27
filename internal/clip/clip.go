// Package clip shortens input text before it is echoed in a message, so
// that no error message, log line or problem detail grows with what a
// client sends (a 200 MB CSV header, a 10,001-digit number).
package clip

import "unicode/utf8"

// Max is the most bytes of an input value a message repeats.
const Max = 40

// Text returns s when it is at most Max bytes, else its first Max bytes (cut
// at a UTF-8 boundary) followed by "…" and the full length, e.g.
// "1000000000000000000000000000000000000000… (10001 bytes)".
func Text(s string) string {
	if len(s) <= Max {
		return s
	}
	cut := Max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + itoa(len(s)) + " bytes)"
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
