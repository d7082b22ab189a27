package shamir

import "testing"

// The secret of a tender's opening key: 32 bytes, 3 of 5 openers.
const (
	benchSize = 32
	benchN    = 5
	benchK    = 3
)

// BenchmarkSplit includes reading the coefficients from crypto/rand.
func BenchmarkSplit(b *testing.B) {
	secret := randomBytes(seeded(7), benchSize)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Split(secret, benchN, benchK, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCombine(b *testing.B) {
	shares, err := Split(randomBytes(seeded(7), benchSize), benchN, benchK, nil)
	if err != nil {
		b.Fatal(err)
	}
	sub := []Share{shares[4], shares[0], shares[2]}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Combine(sub); err != nil {
			b.Fatal(err)
		}
	}
}
