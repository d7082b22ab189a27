package jsonw

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestAppendStringMatchesMarshal holds AppendString to json.Marshal on
// every byte alone, around plain text, and on random byte strings.
func TestAppendStringMatchesMarshal(t *testing.T) {
	check := func(s string) {
		want, _ := json.Marshal(s)
		if got := AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", s, got[1:], want)
		}
	}
	for c := 0; c < 256; c++ {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "z")
	}
	for _, s := range []string{"", "\u2028", "\u2029", "ü", "😀", "\xff\xfe"} {
		check(s)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 20000 {
		b := make([]byte, rng.IntN(12))
		for j := range b {
			if rng.IntN(3) == 0 {
				b[j] = byte(rng.IntN(256))
			} else {
				b[j] = byte(0x20 + rng.IntN(0x5f))
			}
		}
		check(string(b))
	}
}

func TestAppendStringsMatchesMarshal(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"a<b", "", "\x00"}} {
		want, _ := json.Marshal(ss)
		if got := AppendStrings(nil, ss); string(got) != string(want) {
			t.Errorf("AppendStrings(%q) = %s, json.Marshal %s", ss, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("plain")
	f.Add("<\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	})
}
