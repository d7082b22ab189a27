package shamir

import (
	"fmt"
	"testing"
)

// jointUniform is the secrecy check, by enumeration, for 1-byte secrets
// and threshold k ∈ {2, 3}. For every secret s it runs through all
// 256^(k−1) coefficient vectors a; sharesAt(s, a) returns the share values
// at some points; for each tuple (k−1 indices into those values) it counts
// how often each joint value occurs. It returns nil only if every joint
// value occurs exactly once for every secret: then the k−1 shares are
// uniformly distributed and their distribution is the same whatever the
// secret, i.e. they reveal nothing about it.
func jointUniform(k int, sharesAt func(s byte, a []byte) []byte, tuples [][]int) error {
	size := 1 << (8 * (k - 1))
	counts := make([][]uint16, len(tuples))
	for i := range counts {
		counts[i] = make([]uint16, size)
	}
	a := make([]byte, k-1)
	for s := range 256 {
		for i := range counts {
			clear(counts[i])
		}
		for c := range size {
			for j := range a {
				a[j] = byte(c >> (8 * j))
			}
			v := sharesAt(byte(s), a)
			for i, tup := range tuples {
				joint := 0
				for _, p := range tup {
					joint = joint<<8 | int(v[p])
				}
				counts[i][joint]++
			}
		}
		for i, tup := range tuples {
			for joint, n := range counts[i] {
				if n != 1 {
					return fmt.Errorf("secret %#02x: shares %v take the joint value %#x %d times in %d polynomials, want once",
						s, tup, joint, n, size)
				}
			}
		}
	}
	return nil
}

// TestOneShareRevealsNothing (k = 2): for every 1-byte secret and all 256
// polynomials s + a₁x, each of the 255 shares Split issues takes every
// value exactly once.
func TestOneShareRevealsNothing(t *testing.T) {
	tuples := make([][]int, MaxShares)
	for i := range tuples {
		tuples[i] = []int{i}
	}
	err := jointUniform(2, func(s byte, a []byte) []byte {
		shares, err := Split([]byte{s}, MaxShares, 2, coefficients(a...))
		if err != nil {
			t.Fatal(err)
		}
		v := make([]byte, len(shares))
		for i, sh := range shares {
			v[i] = sh.Y[0]
		}
		return v
	}, tuples)
	if err != nil {
		t.Fatal(err)
	}
}

// TestTwoSharesRevealNothing (k = 3): for every 1-byte secret and all
// 65536 polynomials s + a₁x + a₂x², every pair of share values occurs
// exactly once, for every pair of the points 1, 2, 3, 0x53, 0xCA, 0xFE,
// 0xFF, and for every pair of the four shares Split itself issues, for
// three secrets.
//
// Not every one of the 32385 pairs of points is enumerated (that would be
// 2⁴⁰ evaluations); for those the argument is algebraic: the map
// (a₁, a₂) ↦ (y₁ − s, y₂ − s) is linear with determinant
// x₁x₂(x₁ + x₂), non-zero for distinct non-zero x₁, x₂ since the field
// has no zero divisors (TestMulExhaustive), so it is a bijection.
func TestTwoSharesRevealNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("2²⁴ polynomials; run without -short")
	}
	points := []byte{1, 2, 3, 0x53, 0xCA, 0xFE, 0xFF}
	var pairs [][]int
	for i := range points {
		for j := i + 1; j < len(points); j++ {
			pairs = append(pairs, []int{i, j})
		}
	}
	// term[i][d][a] = a·x_i^d, so that f(x_i) = s + term[i][1][a₁] +
	// term[i][2][a₂]: the polynomial by its definition, 16M times over,
	// without redoing the multiplications.
	term := make([][3][256]byte, len(points))
	for i, x := range points {
		for a := range 256 {
			term[i][1][a] = mul(byte(a), x)
			term[i][2][a] = mul(byte(a), mul(x, x))
		}
	}
	v := make([]byte, len(points))
	err := jointUniform(3, func(s byte, a []byte) []byte {
		for i := range points {
			v[i] = s ^ term[i][1][a[0]] ^ term[i][2][a[1]]
		}
		return v
	}, pairs)
	if err != nil {
		t.Fatal(err)
	}

	// Through Split, for three secrets (all 256 would be 16M Splits).
	for _, s := range []byte{0x00, 0x5A, 0xFF} {
		counts := make(map[[2]int]*[1 << 16]uint8)
		for a := range 1 << 16 {
			shares, err := Split([]byte{s}, 4, 3, coefficients(byte(a), byte(a>>8)))
			if err != nil {
				t.Fatal(err)
			}
			for i := range shares {
				for j := i + 1; j < len(shares); j++ {
					key := [2]int{i, j}
					if counts[key] == nil {
						counts[key] = new([1 << 16]uint8)
					}
					counts[key][int(shares[i].Y[0])<<8|int(shares[j].Y[0])]++
				}
			}
		}
		for key, cs := range counts {
			for joint, n := range cs {
				if n != 1 {
					t.Fatalf("secret %#02x: Split's shares %d and %d take the joint value %#04x %d times, want once", s, key[0]+1, key[1]+1, joint, n)
				}
			}
		}
	}
}

// TestSecrecyCheckCanFail runs jointUniform on broken schemes, each of
// which leaks, and requires it to say so: the secrecy tests above would
// catch such a defect in Split.
func TestSecrecyCheckCanFail(t *testing.T) {
	single := [][]int{{0}, {1}}
	tests := []struct {
		name     string
		k        int
		sharesAt func(s byte, a []byte) []byte
		tuples   [][]int
	}{
		{"secret in the clear", 2, func(s byte, a []byte) []byte { return []byte{s ^ a[0], s} }, single},
		{"half the coefficients", 2, func(s byte, a []byte) []byte {
			return []byte{eval([]byte{s, a[0] & 0x7F}, 1), eval([]byte{s, a[0] & 0x7F}, 2)}
		}, single},
		{"integer product, not the field's", 2, func(s byte, a []byte) []byte {
			return []byte{s ^ a[0], s ^ a[0]*2}
		}, single},
		{"a share at x = 0", 2, func(s byte, a []byte) []byte {
			return []byte{eval([]byte{s, a[0]}, 1), eval([]byte{s, a[0]}, 0)}
		}, single},
		{"k = 3 with a₂ = a₁", 3, func(s byte, a []byte) []byte {
			c := []byte{s, a[0], a[0]}
			return []byte{eval(c, 1), eval(c, 2), eval(c, 3)}
		}, [][]int{{0, 1}, {0, 2}, {1, 2}}},
		{"k = 3, two shares at one point", 3, func(s byte, a []byte) []byte {
			c := []byte{s, a[0], a[1]}
			return []byte{eval(c, 7), eval(c, 7)}
		}, [][]int{{0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := jointUniform(tt.k, tt.sharesAt, tt.tuples); err == nil {
				t.Fatal("a leaking scheme passed the secrecy check")
			} else {
				t.Log(err)
			}
		})
	}
}
