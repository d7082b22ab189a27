package shamir

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// The reference arithmetic below is written the slow, obvious way and
// shares no code with gf.go: a carry-less product into 16 bits, then long
// division by 0x11B with branches; the inverse by search.

// slowMul returns a·b modulo x⁸+x⁴+x³+x+1.
func slowMul(a, b byte) byte {
	var p uint16
	for i := 0; i < 8; i++ {
		if b&(1<<i) != 0 {
			p ^= uint16(a) << i
		}
	}
	for bit := 15; bit >= 8; bit-- {
		if p&(1<<bit) != 0 {
			p ^= 0x11B << (bit - 8)
		}
	}
	return byte(p)
}

// slowInv returns the b with slowMul(a, b) = 1, and 0 for a = 0.
func slowInv(a byte) byte {
	for b := 1; b < 256; b++ {
		if slowMul(a, byte(b)) == 1 {
			return byte(b)
		}
	}
	return 0
}

// slowPow returns x^e.
func slowPow(x byte, e int) byte {
	r := byte(1)
	for range e {
		r = slowMul(r, x)
	}
	return r
}

// refCombine reconstructs the value at 0 of the polynomial of degree
// < len(shares) through the shares by solving the Vandermonde system
// Σ_j c_j x_i^j = y_i with Gauss–Jordan elimination in the slow
// arithmetic: a method independent of Combine's Lagrange formula.
func refCombine(shares []Share) []byte {
	m := len(shares)
	out := make([]byte, len(shares[0].Y))
	for b := range out {
		// rows: m coefficients and the right-hand side.
		rows := make([][]byte, m)
		for i, s := range shares {
			rows[i] = make([]byte, m+1)
			for j := range m {
				rows[i][j] = slowPow(s.X, j)
			}
			rows[i][m] = s.Y[b]
		}
		for col := range m {
			piv := col
			for rows[piv][col] == 0 {
				piv++ // the matrix is invertible for distinct non-zero x
			}
			rows[col], rows[piv] = rows[piv], rows[col]
			f := slowInv(rows[col][col])
			for j := range rows[col] {
				rows[col][j] = slowMul(rows[col][j], f)
			}
			for r := range m {
				if r != col && rows[r][col] != 0 {
					g := rows[r][col]
					for j := range rows[r] {
						rows[r][j] ^= slowMul(g, rows[col][j])
					}
				}
			}
		}
		out[b] = rows[0][m]
	}
	return out
}

// testRand is a deterministic generator, so that tests never flake; it
// is also an io.Reader for Split.
type testRand struct {
	*rand.Rand
	src *rand.ChaCha8
}

// Read fills p from the generator's ChaCha8 stream.
func (r testRand) Read(p []byte) (int, error) { return r.src.Read(p) }

// seeded returns a testRand seeded with seed.
func seeded(seed byte) testRand {
	var s [32]byte
	s[0] = seed
	src := rand.NewChaCha8(s)
	return testRand{rand.New(src), src}
}

// randomBytes returns n bytes from r.
func randomBytes(r testRand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// coefficients returns a reader that supplies exactly the given bytes as
// Split's random coefficients.
func coefficients(b ...byte) *bytes.Reader { return bytes.NewReader(b) }

// subsets calls f with every non-empty subset of {0…n−1}, as indices.
func subsets(n int, f func([]int)) {
	for mask := 1; mask < 1<<n; mask++ {
		var idx []int
		for i := range n {
			if mask&(1<<i) != 0 {
				idx = append(idx, i)
			}
		}
		f(idx)
	}
}

// pick returns the shares at the given indices, deep-copied so that the
// caller may alter them.
func pick(shares []Share, idx []int) []Share {
	out := make([]Share, len(idx))
	for i, j := range idx {
		out[i] = Share{X: shares[j].X, Y: bytes.Clone(shares[j].Y)}
	}
	return out
}

// xs lists the Xs of shares, for messages.
func xs(shares []Share) string {
	var b bytes.Buffer
	for i, s := range shares {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, s.X)
	}
	return b.String()
}
