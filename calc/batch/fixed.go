package batch

import (
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// This file is the exact integer fast path: a row's amount is
// quantity × K, where K is a per-(method, line kind) decimal computed once.
// When the quantity's coefficient fits in 64 bits and K's in 64 (coef) or
// 128 bits (wcoef: the long K of host data converted between heating-value
// bases), the product fits in 192 bits and is rounded and printed without
// allocating; so do the terms with a division (iterm). Anything that does
// not fit falls back to shopspring/decimal, with identical results (the
// differential tests and fuzz targets compare both on every row).

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

// sub returns x-y for x ≥ y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

// divSmall returns x/d and x%d for d > 0.
func (x u128) divSmall(d uint64) (u128, uint64) {
	qhi, r := x.hi/d, x.hi%d
	qlo, r := bits.Div64(r, x.lo, d)
	return u128{qhi, qlo}, r
}

// u192 is an unsigned 192-bit integer: an exact amount's coefficient
// (a 64-bit quantity times a 128-bit K, or a division term times its GWP).
type u192 struct{ hi, mid, lo uint64 }

// wide returns x as a u192.
func wide(x u128) u192 { return u192{0, x.hi, x.lo} }

// narrow returns x as a u128, or !ok when it does not fit.
func (x u192) narrow() (u128, bool) { return u128{x.mid, x.lo}, x.hi == 0 }

// add returns x+y and whether it overflowed.
func (x u192) add(y u192) (u192, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	mid, c := bits.Add64(x.mid, y.mid, c)
	hi, c := bits.Add64(x.hi, y.hi, c)
	return u192{hi, mid, lo}, c != 0
}

// mulSmall returns x×m and whether it overflowed.
func (x u192) mulSmall(m uint64) (u192, bool) {
	h0, l0 := bits.Mul64(x.lo, m)
	h1, l1 := bits.Mul64(x.mid, m)
	h2, l2 := bits.Mul64(x.hi, m)
	mid, c := bits.Add64(l1, h0, 0)
	hi, c2 := bits.Add64(l2, h1, c)
	return u192{hi, mid, l0}, h2 != 0 || c2 != 0
}

// mul64x128 returns a×b exactly.
func mul64x128(a uint64, b u128) u192 {
	h0, l0 := bits.Mul64(a, b.lo)
	h1, l1 := bits.Mul64(a, b.hi)
	mid, c := bits.Add64(l1, h0, 0)
	return u192{h1 + c, mid, l0}
}

// divSmall returns x/d and x%d for d > 0.
func (x u192) divSmall(d uint64) (u192, uint64) {
	if x.hi == 0 && x.mid == 0 {
		return u192{0, 0, x.lo / d}, x.lo % d
	}
	var q u192
	var r uint64
	q.hi, r = x.hi/d, x.hi%d
	q.mid, r = bits.Div64(r, x.mid, d)
	q.lo, r = bits.Div64(r, x.lo, d)
	return q, r
}

// scaleUp returns x×10^n and whether it overflowed.
func (x u192) scaleUp(n int) (u192, bool) {
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
func (x u192) roundDiv(n int, halfUp bool) u192 {
	if n >= 59 {
		return u192{} // x < 2^192 < 10^58: the quotient and its first dropped digit are 0
	}
	if x.hi == 0 && x.mid == 0 && n <= 19 { // the common case: one division
		p := p10(n)
		q, r := x.lo/p, x.lo%p
		if half := p / 2; r > half || (r == half && (halfUp || q&1 == 1)) {
			q++ // q < 2^64/10: no overflow
		}
		return u192{0, 0, q}
	}
	// Divide by 10^(n-1), remembering whether anything non-zero was
	// dropped, then by 10: the last remainder is the first dropped digit.
	sticky := false
	for n > 1 {
		k := min(n-1, 19)
		var r uint64
		x, r = x.divSmall(p10(k))
		sticky = sticky || r != 0
		n -= k
	}
	q, r := x.divSmall(10)
	if r > 5 || (r == 5 && (sticky || halfUp || q.lo&1 == 1)) {
		q, _ = q.add(u192{0, 0, 1})
	}
	return q
}

// bigInt returns x as a big.Int (allocates; slow path only).
func (x u192) bigInt() *big.Int {
	b := new(big.Int).SetUint64(x.hi)
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(x.mid))
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(x.lo))
}

// p10 returns 10^n for n ≤ 19.
func p10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
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

// fixedVal is an exact non-negative amount P × 10^exp.
type fixedVal struct {
	p   u192
	exp int32
}

// round returns the value rounded to places as an integer count of
// 10^-places, and true when that count does not fit in 128 bits.
func (v fixedVal) round(places int32, halfUp bool) (u128, bool) {
	d := int(v.exp) + int(places)
	x := v.p
	if d >= 0 {
		var o bool
		if x, o = x.scaleUp(d); o {
			return u128{}, true
		}
	} else {
		x = x.roundDiv(-d, halfUp)
	}
	n, ok := x.narrow()
	return n, !ok
}

// decimal returns the value as a decimal (allocates; slow path only).
func (v fixedVal) decimal() decimal.Decimal {
	return decimal.NewFromBigInt(v.p.bigInt(), v.exp)
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

// wcoef is a decimal K = k × 10^exp with k < 2^128 and exp ≤ 0, or !ok:
// the K that do not fit a coef (host fuels converted between heating-value
// bases carry 30-digit ratios).
type wcoef struct {
	k   u128
	exp int32
	ok  bool
}

// newWCoef reduces a non-negative decimal to a wcoef when it fits.
func newWCoef(d decimal.Decimal) wcoef {
	if c := newCoef(d); c.ok {
		return wcoef{k: u128{0, c.k}, exp: c.exp, ok: true}
	}
	if d.Sign() < 0 {
		return wcoef{}
	}
	c := new(big.Int).Set(d.Coefficient())
	exp := d.Exponent()
	ten := big.NewInt(10)
	q, m := new(big.Int), new(big.Int)
	for exp < 0 && c.Sign() != 0 {
		q.QuoRem(c, ten, m)
		if m.Sign() != 0 {
			break
		}
		c.Set(q)
		exp++
	}
	for exp > 0 {
		c.Mul(c, ten)
		exp--
	}
	if c.BitLen() > 128 || exp < -60 {
		return wcoef{}
	}
	lo := new(big.Int).And(c, new(big.Int).SetUint64(^uint64(0)))
	return wcoef{k: u128{new(big.Int).Rsh(c, 64).Uint64(), lo.Uint64()}, exp: exp, ok: true}
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
	hi, lo := bits.Mul64(q.c, k.k)
	return fixedVal{p: u192{0, hi, lo}, exp: k.exp - q.scale}
}

// timesWide returns q × K exactly for a 128-bit K.
func (q quantity) timesWide(k wcoef) fixedVal {
	return fixedVal{p: mul64x128(q.c, k.k), exp: k.exp - q.scale}
}

// exactSum sums fixedVals exactly: one 192-bit lane per exponent, spilling
// into a decimal when a lane would overflow.
type exactSum struct {
	lanes [64]u192
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
	k     wcoef
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
		k := newWCoef(mult.Mul(g))
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
		return q.timesWide(t.k), true
	}
	// kg × 10^places = c × n × 10^(nexp - scale + places) / d
	x := wide(mul64(q.c, t.n))
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
		kq, _ = kq.add(u192{0, 0, 1})
	}
	// × g
	p, o := kq.mulSmall(t.g.k)
	if o {
		return fixedVal{}, false
	}
	return fixedVal{p: p, exp: t.g.exp - places}, true
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
