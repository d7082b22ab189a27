package shamir

import "testing"

// TestMulKnownAnswers checks the product, and the slow reference, against
// published values (FIPS-197 §4.2 and the AES inverse pair 0x53·0xCA = 1),
// so that the exhaustive comparison below is not a reference checked
// against itself.
func TestMulKnownAnswers(t *testing.T) {
	tests := []struct{ a, b, want byte }{
		{0x57, 0x83, 0xC1}, // FIPS-197 §4.2
		{0x57, 0x13, 0xFE}, // FIPS-197 §4.2.1
		{0x57, 0x02, 0xAE}, // xtime
		{0x57, 0x04, 0x47},
		{0x57, 0x08, 0x8E},
		{0x57, 0x10, 0x07},
		{0x53, 0xCA, 0x01}, // inverses
		{0x80, 0x02, 0x1B}, // x⁸ ≡ x⁴+x³+x+1
		{0x00, 0xFF, 0x00},
		{0x01, 0xA7, 0xA7},
		{0x03, 0x03, 0x05},
		{0xFF, 0xFF, 0x13},
	}
	for _, tt := range tests {
		if got := mul(tt.a, tt.b); got != tt.want {
			t.Errorf("mul(%#02x, %#02x) = %#02x, want %#02x", tt.a, tt.b, got, tt.want)
		}
		if got := slowMul(tt.a, tt.b); got != tt.want {
			t.Errorf("slowMul(%#02x, %#02x) = %#02x, want %#02x", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestMulExhaustive compares mul with the slow reference on all 65536
// pairs.
func TestMulExhaustive(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			if got, want := mul(byte(a), byte(b)), slowMul(byte(a), byte(b)); got != want {
				t.Fatalf("mul(%#02x, %#02x) = %#02x, reference %#02x", a, b, got, want)
			}
		}
	}
}

// TestInvExhaustive compares inv with the inverse found by search, for
// all 256 values, and checks a·inv(a) = 1 for every a ≠ 0.
func TestInvExhaustive(t *testing.T) {
	if inv(0) != 0 {
		t.Errorf("inv(0) = %#02x, want 0", inv(0))
	}
	for a := 1; a < 256; a++ {
		got := inv(byte(a))
		if want := slowInv(byte(a)); got != want {
			t.Fatalf("inv(%#02x) = %#02x, reference %#02x", a, got, want)
		}
		if p := slowMul(byte(a), got); p != 1 {
			t.Fatalf("%#02x · inv(%#02x) = %#02x, want 1", a, a, p)
		}
	}
}

// TestFieldLaws checks commutativity on all pairs, and associativity and
// distributivity over XOR on all 2²⁴ triples.
func TestFieldLaws(t *testing.T) {
	if testing.Short() {
		t.Skip("2²⁴ triples; run without -short")
	}
	for a := range 256 {
		for b := range 256 {
			x, y := byte(a), byte(b)
			xy := mul(x, y)
			if xy != mul(y, x) {
				t.Fatalf("mul not commutative at %#02x, %#02x", a, b)
			}
			for c := range 256 {
				z := byte(c)
				if mul(xy, z) != mul(x, mul(y, z)) {
					t.Fatalf("mul not associative at %#02x, %#02x, %#02x", a, b, c)
				}
				if mul(x, y^z) != xy^mul(x, z) {
					t.Fatalf("mul not distributive at %#02x, %#02x, %#02x", a, b, c)
				}
			}
		}
	}
}

// TestEval compares Horner's rule with the sum of powers, in the slow
// arithmetic, for polynomials of degree 0 to 4 at every x.
func TestEval(t *testing.T) {
	r := seeded(1)
	for deg := range 5 {
		c := randomBytes(r, deg+1)
		for x := range 256 {
			var want byte
			for j, cj := range c {
				want ^= slowMul(cj, slowPow(byte(x), j))
			}
			if got := eval(c, byte(x)); got != want {
				t.Fatalf("eval(%x, %#02x) = %#02x, want %#02x", c, x, got, want)
			}
		}
	}
}
