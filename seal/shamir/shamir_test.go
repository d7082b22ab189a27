package shamir

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// failingReader returns an error on every read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy pool on fire") }

func TestSplitRefuses(t *testing.T) {
	tests := []struct {
		name     string
		secret   []byte
		n, k     int
		rand     io.Reader
		want     error
		wantText string
	}{
		{"n zero", []byte{1}, 0, 1, nil, ErrParameters, "n must be between 1 and 255"},
		{"n negative", []byte{1}, -3, 1, nil, ErrParameters, "n = -3"},
		{"n above 255", []byte{1}, 256, 2, nil, ErrParameters, "n = 256"},
		{"k zero", []byte{1}, 3, 0, nil, ErrParameters, "k must be between 1 and n"},
		{"k negative", []byte{1}, 3, -1, nil, ErrParameters, "k = -1"},
		{"k above n", []byte{1}, 3, 4, nil, ErrParameters, "k = 4 with n = 3"},
		{"nil secret", nil, 3, 2, nil, ErrSecretLength, "secret of 0 bytes; it must have 1 to 1024 bytes"},
		{"empty secret", []byte{}, 3, 2, nil, ErrSecretLength, "0 bytes"},
		{"secret too long", make([]byte, MaxSecret+1), 3, 2, nil, ErrSecretLength, "1025 bytes"},
		{"random short", []byte{1, 2}, 3, 2, coefficients(9), ErrRandom, "reading 2 random bytes"},
		{"random empty", []byte{1}, 3, 3, coefficients(), ErrRandom, "reading 2 random bytes"},
		{"random fails", []byte{1}, 3, 2, failingReader{}, ErrRandom, "entropy pool on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shares, err := Split(tt.secret, tt.n, tt.k, tt.rand)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Split error = %v, want %v", err, tt.want)
			}
			if shares != nil {
				t.Errorf("Split returned %d shares with an error", len(shares))
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q does not say %q", err, tt.wantText)
			}
		})
	}
}

func TestSplitAcceptsBounds(t *testing.T) {
	tests := []struct {
		name string
		size int
		n, k int
	}{
		{"one of one", 1, 1, 1},
		{"largest secret", MaxSecret, 2, 2},
		{"all 255, threshold 255", 4, MaxShares, MaxShares},
		{"255 shares, threshold 1", 4, MaxShares, 1},
	}
	r := seeded(2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := randomBytes(r, tt.size)
			shares, err := Split(secret, tt.n, tt.k, nil) // nil: crypto/rand
			if err != nil {
				t.Fatal(err)
			}
			if len(shares) != tt.n {
				t.Fatalf("%d shares, want %d", len(shares), tt.n)
			}
			for i, s := range shares {
				if s.X != byte(i+1) || len(s.Y) != tt.size {
					t.Fatalf("share %d: X = %d, %d bytes; want X = %d, %d bytes", i, s.X, len(s.Y), i+1, tt.size)
				}
			}
			got, err := Combine(shares[tt.n-tt.k:])
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("Combine of the last %d shares = %x, %v; want the secret", tt.k, got, err)
			}
		})
	}
}

// TestSplitKnownAnswers fixes the coefficients and checks the share
// values worked out by hand (and, for the longer case, by the slow
// reference): Split evaluates s + a₁x + a₂x² at x = 1…n, byte by byte,
// taking the coefficients of byte i from rand before those of byte i+1.
func TestSplitKnownAnswers(t *testing.T) {
	// f(x) = 0x42 + 3x: f(1) = 0x41, f(2) = 0x42^0x06, f(3) = 0x42^(3·3 = 5).
	shares, err := Split([]byte{0x42}, 3, 2, coefficients(0x03))
	if err != nil {
		t.Fatal(err)
	}
	want := []Share{{1, []byte{0x41}}, {2, []byte{0x44}}, {3, []byte{0x47}}}
	if !slices.EqualFunc(shares, want, func(a, b Share) bool { return a.X == b.X && bytes.Equal(a.Y, b.Y) }) {
		t.Fatalf("shares = %v %x, want %v", shares, shares, want)
	}

	secret := []byte{0x00, 0x01, 0xAB, 0xFF}
	coef := []byte{0x57, 0x83, 0x00, 0x00, 0x01, 0x01, 0xFF, 0x13}
	shares, err = Split(secret, 6, 3, coefficients(coef...))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		for i, b := range secret {
			a1, a2 := coef[2*i], coef[2*i+1]
			want := b ^ slowMul(a1, s.X) ^ slowMul(a2, slowMul(s.X, s.X))
			if s.Y[i] != want {
				t.Errorf("share x = %d byte %d = %#02x, want %#02x", s.X, i, s.Y[i], want)
			}
		}
	}
}

// TestSplitReadsExactly checks that Split takes exactly (k−1)·len(secret)
// bytes from rand, and none for k = 1.
func TestSplitReadsExactly(t *testing.T) {
	tests := []struct{ size, n, k int }{{1, 1, 1}, {32, 5, 1}, {32, 5, 3}, {7, 9, 9}}
	for _, tt := range tests {
		src := bytes.NewReader(make([]byte, 10000))
		if _, err := Split(make([]byte, tt.size), tt.n, tt.k, src); err != nil {
			t.Fatal(err)
		}
		if used, want := 10000-src.Len(), (tt.k-1)*tt.size; used != want {
			t.Errorf("size %d, k %d: read %d random bytes, want %d", tt.size, tt.k, used, want)
		}
	}
}

// TestThresholdOneCopiesTheSecret documents k = 1: every share is the
// secret.
func TestThresholdOneCopiesTheSecret(t *testing.T) {
	secret := []byte("committee of one")
	shares, err := Split(secret, 4, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shares {
		if !bytes.Equal(s.Y, secret) {
			t.Errorf("share %d = %q, want the secret", s.X, s.Y)
		}
	}
}

// TestEverySubset splits a secret for every n ≤ 6 and every k ≤ n and
// combines every non-empty subset of the shares, forwards and backwards:
// a subset of k or more gives the secret; a smaller one gives, without an
// error, the value the reference interpolation gives, which is not the
// secret (the secret is 16 random bytes, so a coincidence has probability
// 2⁻¹²⁸; the generator is seeded, so the test is deterministic).
func TestEverySubset(t *testing.T) {
	r := seeded(3)
	for n := 1; n <= 6; n++ {
		for k := 1; k <= n; k++ {
			secret := randomBytes(r, 16)
			shares, err := Split(secret, n, k, r)
			if err != nil {
				t.Fatal(err)
			}
			subsets(n, func(idx []int) {
				sub := pick(shares, idx)
				rev := slices.Clone(sub)
				slices.Reverse(rev)
				for _, order := range [][]Share{sub, rev} {
					got, err := Combine(order)
					if err != nil {
						t.Fatalf("n %d k %d, shares x = %s: %v", n, k, xs(order), err)
					}
					if ref := refCombine(order); !bytes.Equal(got, ref) {
						t.Fatalf("n %d k %d, shares x = %s: Combine %x, reference %x", n, k, xs(order), got, ref)
					}
					if ok := bytes.Equal(got, secret); ok != (len(order) >= k) {
						t.Fatalf("n %d k %d, %d shares x = %s: reconstructs the secret = %v, want %v",
							n, k, len(order), xs(order), ok, len(order) >= k)
					}
				}
			})
		}
	}
}

// TestLargeCommittees combines random k-subsets, in random order, of
// splits with many shares, and compares with the reference.
func TestLargeCommittees(t *testing.T) {
	r := seeded(4)
	tests := []struct{ n, k int }{{255, 255}, {255, 128}, {255, 2}, {40, 17}, {10, 9}}
	for _, tt := range tests {
		secret := randomBytes(r, 8)
		shares, err := Split(secret, tt.n, tt.k, r)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			idx := r.Perm(tt.n)[:tt.k]
			sub := pick(shares, idx)
			got, err := Combine(sub)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("n %d k %d x = %s: %x, %v; want %x", tt.n, tt.k, xs(sub), got, err, secret)
			}
			if tt.k <= 20 {
				if ref := refCombine(sub); !bytes.Equal(ref, secret) {
					t.Fatalf("reference disagrees: %x", ref)
				}
			}
			got, _ = Combine(sub[1:])
			if bytes.Equal(got, secret) {
				t.Fatalf("n %d k %d: %d shares reconstruct the secret", tt.n, tt.k, tt.k-1)
			}
		}
	}
}

// TestCombineMatchesReference interpolates arbitrary points (not from
// Split) and compares with the Gauss–Jordan reference.
func TestCombineMatchesReference(t *testing.T) {
	r := seeded(5)
	for range 300 {
		m := 1 + r.IntN(8)
		perm := r.Perm(255)
		shares := make([]Share, m)
		for i := range shares {
			shares[i] = Share{X: byte(perm[i] + 1), Y: randomBytes(r, 3)}
		}
		got, err := Combine(shares)
		if err != nil {
			t.Fatal(err)
		}
		if ref := refCombine(shares); !bytes.Equal(got, ref) {
			t.Fatalf("x = %s: Combine %x, reference %x", xs(shares), got, ref)
		}
	}
}

func TestCombineRefuses(t *testing.T) {
	y := func(n int) []byte { return make([]byte, n) }
	tests := []struct {
		name     string
		shares   []Share
		want     error
		wantText string
	}{
		{"nil", nil, ErrNoShares, "at least one share"},
		{"empty", []Share{}, ErrNoShares, "at least one share"},
		{"x zero", []Share{{1, y(2)}, {0, y(2)}}, ErrZeroX, "share 1 has x = 0; shares have x from 1 to 255"},
		{"x zero alone", []Share{{0, y(2)}}, ErrZeroX, "share 0 has x = 0"},
		{"duplicate", []Share{{7, y(2)}, {3, y(2)}, {7, y(2)}}, ErrDuplicateX, "shares 0 and 2 both have x = 7"},
		{"duplicate same y", []Share{{9, []byte{1}}, {9, []byte{1}}}, ErrDuplicateX, "x = 9"},
		{"longer", []Share{{1, y(2)}, {2, y(3)}}, ErrLengthMismatch, "share 1 (x = 2) has 3 bytes but share 0 (x = 1) has 2"},
		{"shorter", []Share{{1, y(2)}, {2, y(2)}, {3, y(1)}}, ErrLengthMismatch, "share 2 (x = 3) has 1 bytes"},
		{"empty y", []Share{{1, nil}, {2, nil}}, ErrSecretLength, "value of 0 bytes"},
		{"y too long", []Share{{1, y(MaxSecret + 1)}}, ErrSecretLength, "1025 bytes; it must have 1 to 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := pick(tt.shares, func() []int {
				var idx []int
				for i := range tt.shares {
					idx = append(idx, i)
				}
				return idx
			}())
			got, err := Combine(tt.shares)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Combine error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Combine returned %x with an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q does not say %q", err, tt.wantText)
			}
			for i := range before {
				if before[i].X != tt.shares[i].X || !bytes.Equal(before[i].Y, tt.shares[i].Y) {
					t.Errorf("Combine modified share %d", i)
				}
			}
		})
	}
}

// TestAlteredShareChangesSecret is the check that fails when the
// arithmetic is broken in a way that still round-trips (e.g. a Combine
// that ignores a share): flipping any bit of any byte of any one of k
// shares changes exactly that byte of the result, since the Lagrange
// weights at 0 are non-zero. Changing a share's X, or swapping two
// shares' values, changes the result too.
func TestAlteredShareChangesSecret(t *testing.T) {
	r := seeded(6)
	secret := randomBytes(r, 32)
	shares, err := Split(secret, 5, 3, r)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 2, 4}
	for i := range idx {
		for b := range secret {
			for bit := range 8 {
				sub := pick(shares, idx)
				sub[i].Y[b] ^= 1 << bit
				got, err := Combine(sub)
				if err != nil {
					t.Fatal(err)
				}
				for j := range got {
					if changed := got[j] != secret[j]; changed != (j == b) {
						t.Fatalf("flip bit %d of byte %d of share x = %d: byte %d changed = %v", bit, b, sub[i].X, j, changed)
					}
				}
			}
		}
	}
	sub := pick(shares, idx)
	sub[1].X = 2 // 3 → 2, an X no other share in sub has
	if got, _ := Combine(sub); bytes.Equal(got, secret) {
		t.Error("a share relabelled with another x still gives the secret")
	}
	sub = pick(shares, idx)
	sub[0].Y, sub[1].Y = sub[1].Y, sub[0].Y
	if got, _ := Combine(sub); bytes.Equal(got, secret) {
		t.Error("two shares with their values swapped still give the secret")
	}
	other, _ := Split(secret, 5, 3, r)
	mixed := []Share{shares[0], shares[1], other[2]}
	if got, _ := Combine(mixed); bytes.Equal(got, secret) {
		t.Error("shares of two different splits of the secret still give it")
	}
}

// TestFewerThanKIsGarbage: Combine of k−1 shares returns a value, not an
// error (it cannot know the threshold), and that value is unrelated to the
// secret: for a 1-byte secret and k = 3, over all 65536 coefficient
// choices, Combine of the shares x = 1, 2 takes each of the 256 values
// exactly 256 times, whatever the secret. With k = 2, one share
// "reconstructs" as its own value.
func TestFewerThanKIsGarbage(t *testing.T) {
	for _, s := range []byte{0x00, 0x42, 0xFF} {
		var count [256]int
		for a := range 1 << 16 {
			shares, err := Split([]byte{s}, 3, 3, coefficients(byte(a), byte(a>>8)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Combine(shares[:2])
			if err != nil {
				t.Fatalf("Combine of k−1 shares: %v; want a value", err)
			}
			count[got[0]]++
		}
		for v, c := range count {
			if c != 256 {
				t.Fatalf("secret %#02x: k−1 shares combine to %#02x %d times out of 65536, want 256 (uniform)", s, v, c)
			}
		}
	}
	shares, _ := Split([]byte("secret"), 3, 2, nil)
	got, err := Combine(shares[1:2])
	if err != nil || !bytes.Equal(got, shares[1].Y) {
		t.Errorf("one share of a k = 2 split combines to %q, %v; want its own value", got, err)
	}
}
