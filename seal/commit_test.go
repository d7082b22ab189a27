package seal

import (
	"strings"
	"testing"
)

// The vector is computed independently (Python's hmac module):
// hmac.new(bytes(range(32)), b'footprint-commit-v1\x00' + content, sha256).
func TestCommitVector(t *testing.T) {
	var n [32]byte
	for i := range n {
		n[i] = byte(i)
	}
	content := []byte(`{"price":"1000.00"}`)
	const want = "5668440b97196f0c32b864741cfbd3851e139c1fece329fcee24c3465aebe482"
	if got := Commit(n, content); got != want {
		t.Errorf("Commit = %s, want %s", got, want)
	}
	if !CheckCommitment(want, n, content) {
		t.Error("CheckCommitment(vector) = false")
	}
}

func TestCheckCommitment(t *testing.T) {
	n, err := NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	content := []byte(`{"supplier":"ACME","price":"1000.00"}`)
	c := Commit(n, content)
	other := n
	other[31] ^= 1
	tests := []struct {
		name       string
		commitment string
		nonce      [32]byte
		content    []byte
		want       bool
	}{
		{"right", c, n, content, true},
		{"other content", c, n, []byte(`{"supplier":"ACME","price":"1000.01"}`), false},
		{"empty content", c, n, nil, false},
		{"other nonce", c, other, content, false},
		{"zero nonce", c, [32]byte{}, content, false},
		{"upper case", strings.ToUpper(c), n, content, false},
		{"truncated", c[:63], n, content, false},
		{"extended", c + "0", n, content, false},
		{"empty", "", n, content, false},
		{"bit flipped", c[:10] + string(c[10]^1) + c[11:], n, content, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckCommitment(tc.commitment, tc.nonce, tc.content); got != tc.want {
				t.Errorf("CheckCommitment = %v, want %v", got, tc.want)
			}
		})
	}
	// Unsalted and salted-with-nothing inputs do not collide: the domain
	// tag and key separate them.
	if Commit([32]byte{}, nil) == Commit([32]byte{}, []byte{0}) {
		t.Error("Commit of empty and of a zero byte collide")
	}
}

func TestNewNonceUnique(t *testing.T) {
	seen := map[[32]byte]bool{}
	for range 1000 {
		n, err := NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		if seen[n] {
			t.Fatal("a nonce repeated")
		}
		seen[n] = true
	}
}

func TestParseNonce(t *testing.T) {
	good := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	n, err := ParseNonce(good)
	if err != nil || n[31] != 0x1f || n[10] != 0x0a {
		t.Fatalf("ParseNonce(good) = %x, %v", n, err)
	}
	for _, s := range []string{"", good[:62], good + "00", strings.ToUpper(good), good[:63] + "g", " " + good[1:], good[:63] + "\n"} {
		if _, err := ParseNonce(s); err == nil {
			t.Errorf("ParseNonce(%q): no error", s)
		}
	}
}
