package batch

import (
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// This file is the exact integer fast path: a row's amount is
// quantity × K, where K is a per-(method, line kind) decimal computed once.
// When the quantity's coefficient and K's fit in 64 bits, the product fits
// in 128 bits and is rounded and printed without allocating. Anything that
// does not fit falls back to shopspring/decimal, with identical results
// (the tests compare both on every row).

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

func (x u128) cmp(y u128) int {
	switch {
	case x.hi < y.hi:
		return -1
	case x.hi > y.hi:
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

// add returns x+y and whether it overflowed.
func (x u128) add(y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns x-y for x ≥ y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

// mulSmall returns x×m and whether it overflowed.
func (x u128) mulSmall(m uint64) (u128, bool) {
	h1, l1 := bits.Mul64(x.lo, m)
	h2, l2 := bits.Mul64(x.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, l1}, h2 != 0 || c != 0
}

// divSmall returns x/d and x%d for d > 0.
func (x u128) divSmall(d uint64) (u128, uint64) {
	qhi, r := x.hi/d, x.hi%d
	qlo, r := bits.Div64(r, x.lo, d)
	return u128{qhi, qlo}, r
}

// p10 returns 10^n for n ≤ 19.
func p10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// pow10 returns 10^n as a u128 for n ≤ 38.
func pow10(n int) u128 {
	if n < 20 {
		return u128{0, p10(n)}
	}
	p, _ := u128{0, p10(19)}.mulSmall(p10(n - 19))
	return p
}

// scaleUp returns x×10^n and whether it overflowed.
func (x u128) scaleUp(n int) (u128, bool) {
	for n > 0 {
		k := min(n, 19)
		var o bool
		if x, o = x.mulSmall(p10(k)); o {
			return x, true
		}
		n -= k
	}
	return x, false
}

// roundDiv returns x / 10^n rounded half to even (halfUp: half up) for n ≥ 1.
func (x u128) roundDiv(n int, halfUp bool) u128 {
	if n > 38 {
		return u128{} // 10^39 > 2^128 > 2×x: rounds to zero
	}
	var q, r u128
	if n <= 19 {
		var rr uint64
		q, rr = x.divSmall(p10(n))
		r = u128{0, rr}
	} else {
		q1, r1 := x.divSmall(p10(19))
		var r2 uint64
		q, r2 = q1.divSmall(p10(n - 19))
		r, _ = u128{0, r2}.mulSmall(p10(19))
		r, _ = r.add(u128{0, r1})
	}
	half, _ := pow10(n - 1).mulSmall(5)
	c := r.cmp(half)
	if c > 0 || (c == 0 && (halfUp || q.lo&1 == 1)) {
		q, _ = q.add(u128{0, 1})
	}
	return q
}

// appendU128 appends the decimal digits of x.
func appendU128(dst []byte, x u128) []byte {
	var buf [40]byte
	i := len(buf)
	for x.hi != 0 {
		var r uint64
		x, r = x.divSmall(1e19)
		for k := 0; k < 19; k++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	v := x.lo
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// appendFixed appends n / 10^places with exactly places decimals, as
// decimal.StringFixed does ("0.000", "12.500"), with a minus sign when neg
// and n is not zero.
func appendFixed(dst []byte, n u128, places int, neg bool) []byte {
	if neg && !n.isZero() {
		dst = append(dst, '-')
	}
	if places == 0 {
		return appendU128(dst, n)
	}
	var buf [48]byte
	digits := appendU128(buf[:0], n)
	if len(digits) <= places {
		dst = append(dst, '0', '.')
		for k := len(digits); k < places; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	ip := len(digits) - places
	dst = append(dst, digits[:ip]...)
	dst = append(dst, '.')
	return append(dst, digits[ip:]...)
}

// fixedVal is an exact non-negative amount P × 10^exp, exp ≤ 0.
type fixedVal struct {
	p   u128
	exp int32
}

// round returns the value rounded to places as an integer count of 10^-places.
func (v fixedVal) round(places int32, halfUp bool) (u128, bool) {
	d := int(v.exp) + int(places)
	if d >= 0 {
		return v.p.scaleUp(d)
	}
	return v.p.roundDiv(-d, halfUp), false
}

// decimal returns the value as a decimal (allocates; slow path only).
func (v fixedVal) decimal() decimal.Decimal {
	b := new(big.Int).SetUint64(v.p.hi)
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(v.p.lo))
	return decimal.NewFromBigInt(b, v.exp)
}

// coef is a decimal K = k × 10^exp with k < 2^64 and exp ≤ 0, or !ok.
type coef struct {
	k   uint64
	exp int32
	ok  bool
}

// newCoef reduces a non-negative decimal to a coef when it fits.
func newCoef(d decimal.Decimal) coef {
	if d.Sign() < 0 {
		return coef{}
	}
	c := d.Coefficient()
	exp := d.Exponent()
	ten := big.NewInt(10)
	m := new(big.Int)
	for exp < 0 && c.Sign() != 0 {
		q, r := new(big.Int).QuoRem(c, ten, m)
		if r.Sign() != 0 {
			break
		}
		c, exp = q, exp+1
	}
	if c.Sign() == 0 {
		return coef{k: 0, exp: 0, ok: true}
	}
	for exp > 0 {
		c.Mul(c, ten)
		exp--
	}
	if !c.IsUint64() || exp < -60 {
		return coef{}
	}
	return coef{k: c.Uint64(), exp: exp, ok: true}
}

// quantity is a parsed non-negative quantity cell: c × 10^-scale.
type quantity struct {
	c     uint64
	scale int32
}

// parseFastQuantity parses the common shape of a quantity cell — digits
// with at most one point, at most 15 integer digits and 18 digits in all,
// optionally surrounded by spaces — without allocating. Every such cell
// also passes calc.CheckQuantity. Anything else reports !ok and goes to
// calc.ParseQuantity, which has the messages.
func parseFastQuantity(s string) (quantity, bool) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	if len(s) == 0 || len(s) > 19 {
		return quantity{}, false
	}
	var c uint64
	digits, intDigits := 0, 0
	scale := int32(-1)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= '0' && ch <= '9':
			c = c*10 + uint64(ch-'0')
			digits++
			if scale >= 0 {
				scale++
			} else {
				intDigits++
			}
		case ch == '.' && scale < 0:
			scale = 0
		default:
			return quantity{}, false
		}
	}
	if digits == 0 || digits > 18 || intDigits > 15 {
		return quantity{}, false
	}
	if scale < 0 {
		scale = 0
	}
	return quantity{c: c, scale: scale}, true
}

// decimal returns the quantity as a decimal (allocates).
func (q quantity) decimal() decimal.Decimal {
	return decimal.New(int64(q.c), -q.scale)
}

// times returns q × K exactly.
func (q quantity) times(k coef) fixedVal {
	return fixedVal{p: mul64(q.c, k.k), exp: k.exp - q.scale}
}

// exactSum sums fixedVals exactly: one 128-bit lane per exponent, spilling
// into a decimal when a lane would overflow.
type exactSum struct {
	lanes [64]u128
	used  uint64 // bit i: lane i non-zero
	spill decimal.Decimal
}

func (s *exactSum) add(v fixedVal) {
	i := -int(v.exp)
	if i < 0 || i >= len(s.lanes) {
		s.spill = s.spill.Add(v.decimal())
		return
	}
	n, o := s.lanes[i].add(v.p)
	if o {
		s.spill = s.spill.Add(fixedVal{s.lanes[i], v.exp}.decimal())
		n = v.p
	}
	s.lanes[i] = n
	s.used |= 1 << uint(i)
}

func (s *exactSum) addDecimal(d decimal.Decimal) { s.spill = s.spill.Add(d) }

// merge adds o into s.
func (s *exactSum) merge(o *exactSum) {
	s.spill = s.spill.Add(o.total())
}

// total returns the exact sum.
func (s *exactSum) total() decimal.Decimal {
	t := s.spill
	for i := range s.lanes {
		if s.used&(1<<uint(i)) != 0 {
			t = t.Add(fixedVal{s.lanes[i], int32(-i)}.decimal())
		}
	}
	return t
}

// iterm is one term of an amount on the integer path. Exact terms add
// quantity × k. Inexact ones add round½even(quantity × n×10^nexp / d, at
// places decimals) × g, as calc's division does.
type iterm struct {
	exact bool
	k     coef
	n     uint64
	nexp  int32
	d     uint64
	g     coef
}

// newITerm reduces a prepared term to integers, or reports !ok.
func newITerm(exact bool, mult, num, den, g decimal.Decimal) (iterm, bool) {
	gc := newCoef(g)
	if !gc.ok {
		return iterm{}, false
	}
	if exact {
		k := newCoef(mult.Mul(g))
		return iterm{exact: true, k: k}, k.ok
	}
	nc, dc := newCoef(num), newCoef(den)
	if !nc.ok || !dc.ok || dc.k == 0 {
		return iterm{}, false
	}
	return iterm{n: nc.k, nexp: nc.exp - dc.exp, d: dc.k, g: gc}, true
}

// eval returns the term's exact contribution for quantity q.
func (t *iterm) eval(q quantity, places int32) (fixedVal, bool) {
	if t.exact {
		return q.times(t.k), true
	}
	// kg × 10^places = c × n × 10^(nexp - scale + places) / d
	x := mul64(q.c, t.n)
	d := t.d
	e := int(t.nexp) - int(q.scale) + int(places)
	if e >= 0 {
		var o bool
		if x, o = x.scaleUp(e); o {
			return fixedVal{}, false
		}
	} else {
		if -e > 19 {
			return fixedVal{}, false
		}
		hi, lo := bits.Mul64(d, p10(-e))
		if hi != 0 {
			return fixedVal{}, false
		}
		d = lo
	}
	kq, r := x.divSmall(d)
	if r > d-r || (r == d-r && kq.lo&1 == 1) {
		kq, _ = kq.add(u128{0, 1})
	}
	// × g
	if kq.hi != 0 {
		return fixedVal{}, false
	}
	return fixedVal{p: mul64(kq.lo, t.g.k), exp: t.g.exp - places}, true
}

// addAligned returns x + y exactly, or !ok on overflow.
func addAligned(x, y fixedVal) (fixedVal, bool) {
	if x.exp > y.exp {
		x, y = y, x
	}
	// x.exp ≤ y.exp: bring y down
	p, o := y.p.scaleUp(int(y.exp - x.exp))
	if o {
		return fixedVal{}, false
	}
	s, o := x.p.add(p)
	return fixedVal{p: s, exp: x.exp}, !o
}
