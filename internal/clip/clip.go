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
	return cut(s) + "… (" + itoa(len(s)) + " bytes)"
}

// MaxID is the most bytes of an identifier a message repeats in full: a
// registration number such as "IBU-CEI-HOL-2205120-DE2023000499-1SUG001-DE"
// (43 bytes) names its document only whole.
const MaxID = 64

// ID returns s when it is at most MaxID bytes, else Text(s).
func ID(s string) string {
	if len(s) <= MaxID {
		return s
	}
	return Text(s)
}

// Prefix returns s when it is at most Max bytes, else its first Max bytes
// and "…", without the length: for places where a count would read as part
// of a name, such as a JSON Pointer.
func Prefix(s string) string {
	if len(s) <= Max {
		return s
	}
	return cut(s) + "…"
}

// cut returns the first Max bytes of s, fewer when a rune crosses Max.
func cut(s string) string {
	n := Max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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
