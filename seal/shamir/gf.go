package shamir

// Arithmetic in GF(2⁸) modulo x⁸ + x⁴ + x³ + x + 1 (0x11B), written
// without tables and without branches on the operands; see the package
// documentation for why.

// mul returns a·b in GF(2⁸): a carry-less product reduced modulo 0x11B,
// in eight fixed rounds. The conditionals are masks: -(b&1) is 0xFF when
// the low bit of b is set and 0x00 otherwise, -(a>>7) likewise for the
// high bit of a (the reduction step: x⁸ ≡ x⁴ + x³ + x + 1 = 0x1B).
func mul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= -(b & 1) & a
		b >>= 1
		a = a<<1 ^ -(a>>7)&0x1B
	}
	return p
}

// inv returns the multiplicative inverse of a (a^254, since a^255 = 1 for
// a ≠ 0), and 0 for a = 0. The exponent 254 = 2+4+…+128 is reached by a
// fixed chain of seven squarings and six multiplications.
func inv(a byte) byte {
	sq := mul(a, a) // a^2
	r := sq
	for range 6 {
		sq = mul(sq, sq) // a^4, a^8, …, a^128
		r = mul(r, sq)
	}
	return r
}

// eval returns the polynomial with coefficients c (c[0] the constant
// term) at x, by Horner's rule.
func eval(c []byte, x byte) byte {
	var y byte
	for i := len(c) - 1; i >= 0; i-- {
		y = mul(y, x) ^ c[i]
	}
	return y
}
