package server

import (
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/tender"
)

// TestCheckOfficerToken: a chosen officer token needs 128 bits by
// TokenBits; a weaker one is refused with how to make one, never
// repeating it; a generated token passes.
func TestCheckOfficerToken(t *testing.T) {
	gen, err := tender.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, tok string
		ok        bool
		detail    string
	}{
		{"one letter", "a", false, "about 4 bits"},
		{"a word", "chosen", false, "too weak"},
		{"31 hex digits", strings.Repeat("0123456789abcdef", 2)[:31], false, "about 124 bits"},
		{"32 hex digits", strings.Repeat("0123456789abcdef", 2), true, ""},
		{"32 upper-case hex digits", strings.Repeat("0123456789ABCDEF", 2), true, ""},
		{"38 digits", strings.Repeat("1234567890", 4)[:38], false, "about 126 bits"},
		{"39 digits", strings.Repeat("1234567890", 4)[:39], true, ""},
		{"21 letters and digits", "aB3dE5gH7jK9mN1pQ3sT5", false, "about 125 bits"},
		{"22 letters and digits", "aB3dE5gH7jK9mN1pQ3sT5v", true, ""},
		{"openssl rand -base64 32", "q3Jr8mB2b1cW0n2Y6p+K3lH9sT0uV8xZ1aB4cD6eF8g=", true, ""},
		{"generated", gen, true, ""},
		{"lower-case letters, 27", "abcdefghijklmnopqrstuvwxyza", false, "too weak"},
		{"lower-case letters, 28", "abcdefghijklmnopqrstuvwxyzab", true, ""},
		{"a space", "aB3dE5gH7jK9mN1 pQ3sT5vwxyz", false, "byte 16 is not a visible ASCII"},
		{"non-ASCII", "Ünïcödé-tökén-wïth-ënöügh-léngth-1234567890", false, "byte 1 is not a visible ASCII"},
		{"too long", strings.Repeat("aB3", 200), false, "at most 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOfficerToken(tc.tok)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckOfficerToken(%q) = %v, want ok %v (%.1f bits)", tc.tok, err, tc.ok, TokenBits(tc.tok))
			}
			if err == nil {
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.detail) || !strings.Contains(msg, "openssl rand -base64 32") || !strings.Contains(msg, OfficerTokenEnv) {
				t.Errorf("message %q: want %q, the variable and how to make a token", msg, tc.detail)
			}
			if len(tc.tok) > 2 && strings.Contains(msg, tc.tok) {
				t.Errorf("message repeats the token: %q", msg)
			}
		})
	}
}
