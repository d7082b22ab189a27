package tender

import (
	"encoding/base64"
	"testing"
)

func TestTokens(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != TokenBytes || len(a) != 43 {
		t.Fatalf("token %q: %d bytes, %v; want 32 bytes base64url", a, len(raw), err)
	}
	if a == b {
		t.Fatal("two tokens are equal")
	}
	ha, hb := HashToken(a), HashToken(b)
	if len(ha) != 64 || ha == a {
		t.Fatalf("hash %q is not a SHA-256 hex", ha)
	}
	if HashToken("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal("HashToken is not SHA-256 hex")
	}
	tests := []struct {
		x, y string
		want bool
	}{{ha, ha, true}, {ha, hb, false}, {ha, ha[:63], false}, {"", ha, false}}
	for _, tt := range tests {
		if got := EqualTokenHash(tt.x, tt.y); got != tt.want {
			t.Errorf("EqualTokenHash(%.8s, %.8s) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}
