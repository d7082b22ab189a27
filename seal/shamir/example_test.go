package shamir_test

import (
	"bytes"
	"fmt"

	"github.com/footprint-gpp/footprint/seal/shamir"
)

// Split a key among five openers so that any three can open.
func Example() {
	key := []byte("an opening key of 32 bytes......")
	shares, err := shamir.Split(key, 5, 3, nil) // nil: crypto/rand
	if err != nil {
		panic(err)
	}
	// Each opener keeps one share, e.g. as text.
	texts := make([]string, len(shares))
	for i, s := range shares {
		t, err := s.MarshalText()
		if err != nil {
			panic(err)
		}
		texts[i] = string(t)
	}
	// Openers 2, 5 and 4 come to the ceremony.
	var present []shamir.Share
	for _, i := range []int{1, 4, 3} {
		var s shamir.Share
		if err := s.UnmarshalText([]byte(texts[i])); err != nil {
			panic(err)
		}
		present = append(present, s)
	}
	got, err := shamir.Combine(present)
	fmt.Println(bytes.Equal(got, key), err)
	fmt.Println(present[0]) // printing a share shows no secret
	// Output:
	// true <nil>
	// shamir.Share{X: 2, Y: 32 bytes}
}

// With fixed coefficients (tests only: use crypto/rand) the shares are
// fixed: f(x) = 0x42 + 3x.
func ExampleShare_MarshalText() {
	shares, _ := shamir.Split([]byte{0x42}, 3, 2, bytes.NewReader([]byte{3}))
	for _, s := range shares {
		t, _ := s.MarshalText()
		fmt.Println(string(t))
	}
	// Output:
	// 1:QQ==
	// 2:RA==
	// 3:Rw==
}
