package uncertainty

import "math"

// Deterministic float64 arithmetic.
//
// Sampling must give the same bytes on every machine. Two things can break
// that in Go: the compiler may fuse x*y+z into one fused multiply-add
// (arm64, ppc64le, s390x, riscv64, and amd64 at GOAMD64=v3), and math.Exp
// and math.Log have assembly versions whose results depend on the CPU
// (amd64's Exp uses FMA when the processor has it). So this file carries
// its own exp and log, ported from Go's portable versions (FreeBSD msun
// e_exp.c and e_log.c), and every product that feeds an addition is wrapped
// in an explicit float64 conversion, which the Go specification defines to
// round and so forbids fusion. math.Sqrt, math.Ldexp and math.Frexp are
// exact (correctly rounded) on every platform and are used as they are.

// detExp is e**x, Go's portable exp with every product rounded explicitly.
func detExp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	r := hi - lo
	t := float64(r * r)
	c := r - float64(t*(p1+float64(t*(p2+float64(t*(p3+float64(t*(p4+float64(t*p5)))))))))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// detLog is the natural logarithm, Go's portable log with every product
// rounded explicitly.
func detLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Acklam's rational approximation of the standard normal quantile
// (P. J. Acklam, "An algorithm for computing the inverse normal cumulative
// distribution function", 2003): relative error of z below 1.15e-9 over (0, 1),
// checked against math.Erfcinv in TestNormalQuantileAccuracy.

// Coefficients of Acklam's approximation.
const (
	ackA0, ackA1, ackA2, ackA3, ackA4, ackA5 = -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
	ackB0, ackB1, ackB2, ackB3, ackB4        = -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01
	ackC0, ackC1, ackC2, ackC3, ackC4, ackC5 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
	ackD0, ackD1, ackD2, ackD3               = 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
	ackPLow                                  = 0.02425
)

// NormalQuantile returns z with Φ(z) = p for 0 < p < 1 (Acklam's
// approximation, deterministic float64); ±Inf at 0 and 1, NaN outside.
func NormalQuantile(p float64) float64 {
	switch {
	case ackPLow <= p && p <= 1-ackPLow:
		q := p - 0.5
		r := float64(q * q)
		num := fm(fm(fm(fm(fm(ackA0, r, ackA1), r, ackA2), r, ackA3), r, ackA4), r, ackA5)
		den := fm(fm(fm(fm(fm(ackB0, r, ackB1), r, ackB2), r, ackB3), r, ackB4), r, 1)
		return float64(num*q) / den
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p < ackPLow:
		return acklamTail(math.Sqrt(-2 * detLog(p)))
	default:
		return -acklamTail(math.Sqrt(-2 * detLog(1-p)))
	}
}

func acklamTail(q float64) float64 {
	num := fm(fm(fm(fm(fm(ackC0, q, ackC1), q, ackC2), q, ackC3), q, ackC4), q, ackC5)
	den := fm(fm(fm(fm(ackD0, q, ackD1), q, ackD2), q, ackD3), q, 1)
	return num / den
}

// fm is a·x + c with the product rounded first (never fused).
func fm(a, x, c float64) float64 { return float64(a*x) + c }
