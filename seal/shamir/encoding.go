package shamir

import (
	"encoding/base64"
	"fmt"
	"strconv"
)

// b64 returns standard padded base64 that rejects non-zero padding bits,
// so each Y has exactly one text form.
func b64() *base64.Encoding { return base64.StdEncoding.Strict() }

// maxTextLen is the length of the longest text form: "255:" and the
// padded base64 of MaxSecret bytes.
const maxTextLen = len("255:") + (MaxSecret+2)/3*4

// check reports whether s can be encoded: X non-zero and Y of 1…MaxSecret
// bytes.
func (s Share) check() error {
	if s.X == 0 {
		return fmt.Errorf("shamir: %w: share has x = 0; shares have x from 1 to %d", ErrZeroX, MaxShares)
	}
	if len(s.Y) == 0 || len(s.Y) > MaxSecret {
		return fmt.Errorf("shamir: %w: share value of %d bytes; it must have 1 to %d bytes", ErrSecretLength, len(s.Y), MaxSecret)
	}
	return nil
}

// MarshalText returns the share's text form: X in decimal, a colon and Y
// in standard padded base64 ("3:q83vASNFZ4k="). It refuses a share that
// UnmarshalText would refuse (X = 0, Y empty or longer than MaxSecret).
func (s Share) MarshalText() ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	enc := b64()
	out := strconv.AppendUint(make([]byte, 0, 4+enc.EncodedLen(len(s.Y))), uint64(s.X), 10)
	out = append(out, ':')
	return enc.AppendEncode(out, s.Y), nil
}

// UnmarshalText parses a share's text form, strictly: X is 1…255 in
// decimal without sign, spaces or leading zeros; then one colon; then Y of
// 1…MaxSecret bytes in canonical standard padded base64, with nothing
// around it. Texts longer than the longest valid one are refused before
// decoding. On error *s is unchanged.
func (s *Share) UnmarshalText(text []byte) error {
	if len(text) > maxTextLen {
		return fmt.Errorf("shamir: %w: share text of %d bytes; at most %d", ErrEncoding, len(text), maxTextLen)
	}
	colon := -1
	for i, c := range text {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return fmt.Errorf("shamir: %w: no colon; the form is x:base64, e.g. \"3:q83vASNFZ4k=\"", ErrEncoding)
	}
	x, err := parseX(text[:colon])
	if err != nil {
		return err
	}
	enc := text[colon+1:]
	if len(enc) == 0 {
		return fmt.Errorf("shamir: %w: share %d has an empty value; it must have 1 to %d bytes", ErrEncoding, x, MaxSecret)
	}
	// The decoder skips '\r' and '\n'; a canonical form has neither.
	for _, c := range enc {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=') {
			return fmt.Errorf("shamir: %w: share %d: the value has a byte %q outside the standard base64 alphabet", ErrEncoding, x, c)
		}
	}
	y := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := b64().Decode(y, enc)
	if err != nil {
		return fmt.Errorf("shamir: %w: share %d: the value is not canonical padded standard base64 (%v)", ErrEncoding, x, err)
	}
	if n == 0 || n > MaxSecret {
		return fmt.Errorf("shamir: %w: share %d has a value of %d bytes; it must have 1 to %d bytes", ErrEncoding, x, n, MaxSecret)
	}
	*s = Share{X: x, Y: y[:n:n]}
	return nil
}

// parseX parses X: 1 to 3 decimal digits, no leading zero, 1…255.
func parseX(d []byte) (byte, error) {
	bad := func() (byte, error) {
		const show = 8
		if len(d) > show {
			d = d[:show]
		}
		return 0, fmt.Errorf("shamir: %w: x %q is not a decimal number from 1 to %d without sign or leading zeros", ErrEncoding, d, MaxShares)
	}
	if len(d) == 0 || len(d) > 3 || d[0] == '0' {
		return bad()
	}
	v := 0
	for _, c := range d {
		if c < '0' || c > '9' {
			return bad()
		}
		v = v*10 + int(c-'0')
	}
	if v > MaxShares {
		return bad()
	}
	return byte(v), nil
}

// MarshalBinary returns the share's binary form: the byte X followed by
// Y. It refuses a share that UnmarshalBinary would refuse.
func (s Share) MarshalBinary() ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return append([]byte{s.X}, s.Y...), nil
}

// UnmarshalBinary parses a share's binary form: X (non-zero), then 1 to
// MaxSecret bytes of Y. Y is a copy: data may be reused. On error *s is
// unchanged.
func (s *Share) UnmarshalBinary(data []byte) error {
	if len(data) < 2 || len(data) > 1+MaxSecret {
		return fmt.Errorf("shamir: %w: binary share of %d bytes; it must have 2 to %d (x, then 1 to %d value bytes)", ErrEncoding, len(data), 1+MaxSecret, MaxSecret)
	}
	if data[0] == 0 {
		return fmt.Errorf("shamir: %w: binary share has x = 0; shares have x from 1 to %d", ErrEncoding, MaxShares)
	}
	*s = Share{X: data[0], Y: append([]byte(nil), data[1:]...)}
	return nil
}

// String describes the share without its value: "shamir.Share{X: 3, Y: 32
// bytes}". Printing or logging a share therefore leaks nothing of it.
func (s Share) String() string {
	return fmt.Sprintf("shamir.Share{X: %d, Y: %d bytes}", s.X, len(s.Y))
}

// GoString is String, so that %#v does not print the value either.
func (s Share) GoString() string { return s.String() }
