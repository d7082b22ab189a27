package shamir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestTextRoundTrip(t *testing.T) {
	tests := []struct {
		share Share
		text  string
	}{
		{Share{1, []byte{0}}, "1:AA=="},
		{Share{3, []byte{0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x89}}, "3:q83vASNFZ4k="},
		{Share{255, []byte("abc")}, "255:YWJj"},
		{Share{10, []byte{0xFB, 0xFF}}, "10:+/8="},
		{Share{99, bytes.Repeat([]byte{0xFF}, MaxSecret)}, "99:" + strings.Repeat("////", MaxSecret/3) + "/w=="},
	}
	for _, tt := range tests {
		got, err := tt.share.MarshalText()
		if err != nil || string(got) != tt.text {
			t.Errorf("MarshalText(%v) = %.40q, %v; want %.40q", tt.share, got, err, tt.text)
		}
		var back Share
		if err := back.UnmarshalText([]byte(tt.text)); err != nil {
			t.Fatalf("UnmarshalText(%.40q): %v", tt.text, err)
		}
		if back.X != tt.share.X || !bytes.Equal(back.Y, tt.share.Y) {
			t.Errorf("UnmarshalText(%.40q) = %v, want %v", tt.text, back, tt.share)
		}
		bin, err := tt.share.MarshalBinary()
		if err != nil || bin[0] != tt.share.X || !bytes.Equal(bin[1:], tt.share.Y) {
			t.Errorf("MarshalBinary(%v) = %x, %v", tt.share, bin, err)
		}
		var back2 Share
		if err := back2.UnmarshalBinary(bin); err != nil || back2.X != tt.share.X || !bytes.Equal(back2.Y, tt.share.Y) {
			t.Errorf("UnmarshalBinary(%x) = %v, %v", bin, back2, err)
		}
	}
}

func TestUnmarshalTextRefuses(t *testing.T) {
	tests := []struct{ name, text, wantText string }{
		{"empty", "", "no colon"},
		{"no colon", "3AAAA", "no colon"},
		{"no x", ":AA==", "is not a decimal number from 1 to 255"},
		{"x zero", "0:AA==", `x "0"`},
		{"leading zero", "03:AA==", `x "03"`},
		{"x 256", "256:AA==", `x "256"`},
		{"x huge", "99999999999:AA==", `x "99999999"`},
		{"sign", "+3:AA==", `x "+3"`},
		{"negative", "-3:AA==", `x "-3"`},
		{"space", " 3:AA==", `x " 3"`},
		{"hex x", "0x3:AA==", `x "0x3"`},
		{"empty value", "3:", "empty value"},
		{"unpadded", "3:AA", "not canonical"},
		{"non-canonical padding bits", "3:AB==", "not canonical"},
		{"url alphabet", "3:-_8=", "outside the standard base64 alphabet"},
		{"misplaced padding", "3:A=A=", "not canonical"},
		{"trailing space", "3:AA== ", "outside the standard base64 alphabet"},
		{"trailing newline", "3:AA==\n", "outside the standard base64 alphabet"},
		{"inner newline", "3:AAAA\nAAAA", "outside the standard base64 alphabet"},
		{"inner carriage return", "3:AAAA\rAAAA", "outside the standard base64 alphabet"},
		{"second colon", "3:AA==:AA==", "outside the standard base64 alphabet"},
		{"padding only", "3:====", "not canonical"},
		{"too long", "3:" + strings.Repeat("A", maxTextLen), "at most 1372"},
		{"value too long", "3:" + strings.Repeat("AAAA", MaxSecret/3+1), "value of 1026 bytes; it must have 1 to 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Share{X: 42, Y: []byte("keep")}
			err := s.UnmarshalText([]byte(tt.text))
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("UnmarshalText(%.40q) error = %v, want ErrEncoding", tt.text, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q does not say %q", err, tt.wantText)
			}
			if s.X != 42 || string(s.Y) != "keep" {
				t.Errorf("a refused parse changed the share to %v", s)
			}
		})
	}
}

// TestTextBound checks that maxTextLen is the length of the longest text
// form: one more value byte is refused by the length bound or decoding.
func TestTextBound(t *testing.T) {
	longest, err := Share{255, make([]byte, MaxSecret)}.MarshalText()
	if err != nil || len(longest) != maxTextLen {
		t.Fatalf("longest text is %d bytes, %v; maxTextLen = %d", len(longest), err, maxTextLen)
	}
	var s Share
	if err := s.UnmarshalText(longest); err != nil {
		t.Fatal(err)
	}
	// 1368 base64 digits without padding decode to 1026 bytes.
	over := append([]byte("1:"), []byte(strings.Repeat("AAAA", MaxSecret/3+1))...)
	if err := s.UnmarshalText(over); err == nil {
		t.Fatalf("a %d-byte value was accepted", MaxSecret+1)
	}
}

func TestMarshalRefuses(t *testing.T) {
	tests := []struct {
		name  string
		share Share
		want  error
	}{
		{"x zero", Share{0, []byte{1}}, ErrZeroX},
		{"empty", Share{1, nil}, ErrSecretLength},
		{"too long", Share{1, make([]byte, MaxSecret+1)}, ErrSecretLength},
	}
	for _, tt := range tests {
		if _, err := tt.share.MarshalText(); !errors.Is(err, tt.want) {
			t.Errorf("%s: MarshalText error = %v, want %v", tt.name, err, tt.want)
		}
		if _, err := tt.share.MarshalBinary(); !errors.Is(err, tt.want) {
			t.Errorf("%s: MarshalBinary error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestUnmarshalBinaryRefuses(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wantText string
	}{
		{"empty", nil, "0 bytes"},
		{"x only", []byte{3}, "1 bytes; it must have 2 to 1025"},
		{"x zero", []byte{0, 1, 2}, "x = 0"},
		{"too long", make([]byte, MaxSecret+2), "1026 bytes"},
	}
	for _, tt := range tests {
		var s Share
		err := s.UnmarshalBinary(tt.data)
		if !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), tt.wantText) {
			t.Errorf("%s: UnmarshalBinary error = %v, want ErrEncoding saying %q", tt.name, err, tt.wantText)
		}
	}
}

// TestUnmarshalBinaryCopies checks that the parsed Y does not alias the
// input buffer.
func TestUnmarshalBinaryCopies(t *testing.T) {
	data := []byte{7, 1, 2, 3}
	var s Share
	if err := s.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	data[1] = 99
	if s.Y[0] != 1 {
		t.Error("UnmarshalBinary's Y aliases its input")
	}
}

// TestJSON: a share in JSON is its text form, through encoding.TextMarshaler.
func TestJSON(t *testing.T) {
	in := []Share{{1, []byte{1, 2}}, {2, []byte{3, 4}}}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `["1:AQI=","2:AwQ="]` {
		t.Fatalf("json = %s, %v", b, err)
	}
	var out []Share
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 2 || out[1].X != 2 || !bytes.Equal(out[1].Y, []byte{3, 4}) {
		t.Fatalf("json back = %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`["0:AQI="]`), &out); !errors.Is(err, ErrEncoding) {
		t.Errorf("json with x = 0: %v, want ErrEncoding", err)
	}
}

// TestPrintingRedacts: no fmt verb prints a share's value.
func TestPrintingRedacts(t *testing.T) {
	s := Share{X: 4, Y: []byte("TOPSECRETVALUE")}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s) + fmt.Sprintf(verb, &s) + fmt.Sprintf(verb, []Share{s})
		if strings.Contains(out, "TOPSECRET") || strings.Contains(out, "84 79 80") || strings.Contains(out, "544f50") {
			t.Errorf("%s prints the value: %s", verb, out)
		}
		if !strings.Contains(out, "X: 4, Y: 14 bytes") {
			t.Errorf("%s prints %s, want the redacted form", verb, out)
		}
	}
}
