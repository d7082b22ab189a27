package shamir

import (
	cryptorand "crypto/rand"
	"fmt"
	"io"
)

const (
	// MaxShares is the largest number of shares of one secret: the
	// non-zero elements of GF(2⁸).
	MaxShares = 255
	// MaxSecret is the largest secret, in bytes, that Split accepts and the
	// largest share value Combine and the parsers accept. It bounds the
	// memory and time an untrusted share can cost; the secrets this package
	// is for are keys of a few dozen bytes.
	MaxSecret = 1024
)

// Share is one point of the sharing polynomials: the same X for every
// byte of the secret, and Y[i] the value at X of the polynomial hiding
// byte i. X is in 1…255 and distinct among the shares of one Split; len(Y)
// is the length of the secret. Y is secret material: a Share prints
// without it (String, GoString).
type Share struct {
	X byte
	Y []byte
}

// Split divides secret into n shares, any k of which reconstruct it with
// Combine and any k−1 of which reveal nothing about it. It requires
// 1 ≤ k ≤ n ≤ MaxShares and a secret of 1…MaxSecret bytes. The shares
// have X = 1, 2, …, n in that order. rand supplies the polynomial
// coefficients, (k−1)·len(secret) bytes; it must be a cryptographically
// secure source, and nil means crypto/rand.Reader. The secret is not
// retained; the coefficients are zeroed before Split returns.
func Split(secret []byte, n, k int, rand io.Reader) ([]Share, error) {
	if n < 1 || n > MaxShares {
		return nil, fmt.Errorf("shamir: %w: n = %d shares; n must be between 1 and %d", ErrParameters, n, MaxShares)
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("shamir: %w: threshold k = %d with n = %d shares; k must be between 1 and n", ErrParameters, k, n)
	}
	if len(secret) == 0 || len(secret) > MaxSecret {
		return nil, fmt.Errorf("shamir: %w: secret of %d bytes; it must have 1 to %d bytes", ErrSecretLength, len(secret), MaxSecret)
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	// random[i*(k-1) : (i+1)*(k-1)] are a₁…a_{k−1} for secret byte i.
	random := make([]byte, (k-1)*len(secret))
	defer clear(random)
	if _, err := io.ReadFull(rand, random); err != nil {
		return nil, fmt.Errorf("shamir: %w: reading %d random bytes: %v", ErrRandom, len(random), err)
	}
	coeffs := make([]byte, k)
	defer clear(coeffs)
	ys := make([]byte, n*len(secret)) // one allocation for all the Ys
	shares := make([]Share, n)
	for j := range shares {
		shares[j] = Share{X: byte(j + 1), Y: ys[j*len(secret) : (j+1)*len(secret) : (j+1)*len(secret)]}
	}
	for i, s := range secret {
		coeffs[0] = s
		copy(coeffs[1:], random[i*(k-1):])
		for j := range shares {
			shares[j].Y[i] = eval(coeffs, shares[j].X)
		}
	}
	return shares, nil
}

// Combine reconstructs a secret from shares by Lagrange interpolation at
// 0. Given at least k shares of one Split (in any order; more than k is
// fine) it returns the secret. Given fewer than k, shares of different
// Splits or an altered share it returns a wrong value of the right
// length, not an error: the shares carry nothing that would let it tell
// (see the package documentation). It returns an error only when shares
// is empty or longer than MaxShares, a share has X = 0, two shares have
// the same X, or the Ys are empty, longer than MaxSecret or of different
// lengths. The result is a new slice; shares is not modified.
func Combine(shares []Share) ([]byte, error) {
	if len(shares) == 0 {
		return nil, fmt.Errorf("shamir: %w: Combine needs at least one share (as many as the threshold the secret was split with)", ErrNoShares)
	}
	size := len(shares[0].Y)
	if size == 0 || size > MaxSecret {
		return nil, fmt.Errorf("shamir: %w: share 0 (x = %d) has a value of %d bytes; it must have 1 to %d bytes", ErrSecretLength, shares[0].X, size, MaxSecret)
	}
	var seen [256]int // seen[x] = 1 + index of the share with that x
	for i, s := range shares {
		if s.X == 0 {
			return nil, fmt.Errorf("shamir: %w: share %d has x = 0; shares have x from 1 to %d", ErrZeroX, i, MaxShares)
		}
		if j := seen[s.X]; j != 0 {
			return nil, fmt.Errorf("shamir: %w: shares %d and %d both have x = %d; each share must be given once", ErrDuplicateX, j-1, i, s.X)
		}
		seen[s.X] = i + 1
		if len(s.Y) != size {
			return nil, fmt.Errorf("shamir: %w: share %d (x = %d) has %d bytes but share 0 (x = %d) has %d; shares of one secret have equal lengths",
				ErrLengthMismatch, i, s.X, len(s.Y), shares[0].X, size)
		}
	}
	// At most 255 shares remain: their Xs are distinct and non-zero.
	//
	// The Lagrange basis at 0: l_i = Π_{j≠i} x_j / (x_j − x_i), where
	// subtraction is XOR. The denominators are non-zero (distinct x).
	secret := make([]byte, size)
	for i, si := range shares {
		num, den := byte(1), byte(1)
		for j, sj := range shares {
			if j != i {
				num = mul(num, sj.X)
				den = mul(den, sj.X^si.X)
			}
		}
		l := mul(num, inv(den))
		for b, y := range si.Y {
			secret[b] ^= mul(l, y)
		}
	}
	return secret, nil
}
