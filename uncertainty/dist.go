package uncertainty

import (
	"fmt"
	"math"
)

// Z95 and Z90 are the standard normal quantiles of 0.975 and 0.95: the
// half-widths, in standard deviations, of the central 95 % and 90 %
// intervals (checked against math.Erfinv in TestZConstants).
const (
	Z95 = 1.959963984540054
	Z90 = 1.6448536269514722
)

// Kind is a distribution family.
type Kind string

// Distribution families of a multiplier.
const (
	// Lognormal: M = exp(Mu + Sigma·z).
	Lognormal Kind = "lognormal"
	// Normal: M = max(0, Mean + SD·z); a draw below zero is set to zero
	// (an emission factor, a quantity or a GWP is never negative).
	Normal Kind = "normal"
)

// Distribution is the distribution of a multiplier: the ratio of the
// uncertain quantity's true value to the value the exact engine used.
type Distribution struct {
	Kind Kind `json:"kind"`
	// Mu and Sigma parametrise a lognormal (of ln M).
	Mu    float64 `json:"mu,omitempty"`
	Sigma float64 `json:"sigma,omitempty"`
	// Mean and SD parametrise a normal.
	Mean float64 `json:"mean,omitempty"`
	SD   float64 `json:"sd,omitempty"`
}

// Check reports a distribution that cannot be sampled.
func (d Distribution) Check() error {
	finite := func(xs ...float64) bool {
		for _, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	switch d.Kind {
	case Lognormal:
		if !finite(d.Mu, d.Sigma) || d.Sigma < 0 {
			return invalid("distribution", "lognormal needs a finite mu and a finite sigma ≥ 0 (mu %v, sigma %v)", d.Mu, d.Sigma)
		}
	case Normal:
		if !finite(d.Mean, d.SD) || d.SD < 0 || d.Mean <= 0 {
			return invalid("distribution", "normal needs a mean > 0 and a finite sd ≥ 0 (mean %v, sd %v)", d.Mean, d.SD)
		}
	default:
		return invalid("distribution", "unknown kind %q (lognormal or normal)", d.Kind)
	}
	return nil
}

// Multiplier maps a standard normal draw z to the multiplier.
func (d Distribution) Multiplier(z float64) float64 {
	if d.Kind == Lognormal {
		return detExp(d.Mu + float64(d.Sigma*z))
	}
	m := d.Mean + float64(d.SD*z)
	if m < 0 {
		return 0
	}
	return m
}

// Quantile is the multiplier's p-quantile (0 < p < 1).
func (d Distribution) Quantile(p float64) float64 { return d.Multiplier(NormalQuantile(p)) }

// MeanValue is the multiplier's expected value (for a normal, that of the
// untruncated distribution).
func (d Distribution) MeanValue() float64 {
	if d.Kind == Lognormal {
		return detExp(d.Mu + float64(float64(d.Sigma*d.Sigma)/2))
	}
	return d.Mean
}

// Variance is the multiplier's variance (for a normal, that of the
// untruncated distribution).
func (d Distribution) Variance() float64 {
	if d.Kind == Lognormal {
		s2 := float64(d.Sigma * d.Sigma)
		return float64((detExp(s2) - 1) * detExp(float64(2*d.Mu)+s2))
	}
	return float64(d.SD * d.SD)
}

// String is a short human form ("lognormal(mu=0.002, sigma=0.018)").
func (d Distribution) String() string {
	if d.Kind == Lognormal {
		return fmt.Sprintf("lognormal(mu=%.6g, sigma=%.6g)", d.Mu, d.Sigma)
	}
	return fmt.Sprintf("normal(mean=%.6g, sd=%.6g)", d.Mean, d.SD)
}

// FitLognormal fits a lognormal to a published interval, as the IPCC
// does for its default factors (2006 Guidelines Vol. 2 Ch. 1 §1.5.3:
// "lognormal distributions, fitted to the provided lower and upper limits
// of the 95 percent confidence intervals"): lower and upper are the
// 2.5 % and 97.5 % points (§1.5.1), so with z = Z95
//
//	mu    = (ln(lower/value) + ln(upper/value)) / 2
//	sigma = (ln(upper/value) − ln(lower/value)) / (2z)
//
// for the multiplier M = X/value of the value the exact engine used. The
// median of X is √(lower·upper), which is not the published default in
// general: the sampled mean differs from the exact result by design
// (docs/uncertainty.md). z is the half-width of the interval in standard
// deviations (Z95 for a 95 % interval, Z90 for 90 %).
func FitLognormal(value, lower, upper, z float64) (Distribution, error) {
	switch {
	case !(value > 0) || !(lower > 0) || !(upper > 0) || math.IsInf(value+lower+upper, 0):
		return Distribution{}, invalid("limits", "value %v, lower %v and upper %v must be positive and finite", value, lower, upper)
	case !(lower < upper):
		return Distribution{}, invalid("limits", "lower %v is not below upper %v: no spread to fit", lower, upper)
	case !(z > 0) || math.IsInf(z, 0):
		return Distribution{}, invalid("z", "z %v must be positive", z)
	}
	ll, lu := detLog(lower/value), detLog(upper/value)
	return Distribution{Kind: Lognormal, Mu: (ll + lu) / 2, Sigma: (lu - ll) / float64(2*z)}, nil
}

// NormalHalfWidth is a normal multiplier of mean 1 whose central interval
// of half-width z standard deviations is ±rel (0.05 for "plus or minus
// 5 percent" at 95 %: sd = 0.05/Z95).
func NormalHalfWidth(rel, z float64) (Distribution, error) {
	if !(rel >= 0) || math.IsInf(rel, 0) || !(z > 0) || math.IsInf(z, 0) {
		return Distribution{}, invalid("half_width", "half-width %v and z %v must be finite, the half-width ≥ 0 and z > 0", rel, z)
	}
	return Distribution{Kind: Normal, Mean: 1, SD: rel / z}, nil
}

// FromRSD is the distribution of a measurement declared with a relative
// standard deviation (openEPD Measurement: mean, rsd, dist). The declared
// mean is the expected value, so the multiplier has mean 1 and standard
// deviation rsd: for "log-normal", sigma² = ln(1 + rsd²) and
// mu = −sigma²/2; for "normal", mean 1 and sd rsd.
func FromRSD(dist string, rsd float64) (Distribution, error) {
	if !(rsd >= 0) || math.IsInf(rsd, 0) {
		return Distribution{}, invalid("rsd", "rsd %v must be finite and ≥ 0", rsd)
	}
	switch dist {
	case "log-normal", "lognormal":
		s2 := detLog(1 + float64(rsd*rsd))
		return Distribution{Kind: Lognormal, Mu: -s2 / 2, Sigma: math.Sqrt(s2)}, nil
	case "normal":
		return Distribution{Kind: Normal, Mean: 1, SD: rsd}, nil
	}
	return Distribution{}, invalid("dist", "distribution %q is not supported (log-normal or normal)", dist)
}

// FromILCD is the distribution of a value declared in ILCD with an
// uncertaintyDistributionType and its relativeStandardDeviation95In x.
// The ILCD process data set schema defines x by the 2.5 % and 97.5 %
// points it implies (element 1-8-1-103): for "log-normal" x is SDg², and
// value ÷ x and value × x are the 2.5 % and 97.5 % points; for "normal" x
// is 2·SD in percent of the value, and value × (1 ∓ x/100) are those
// points. ILCD takes the 95 % half-width as 2 standard deviations; the
// points it states are what is reproduced here, with the exact normal
// quantile Z95, as FitLognormal does for the IPCC's limits:
//
//	log-normal: mu = 0, sigma = ln(x) / Z95 (median = the value)
//	normal:     mean 1, sd = (x/100) / Z95
//
// for the multiplier M = X/value. x must be ≥ 1 for log-normal and in
// [0, 100) for normal (at 100 the 2.5 % point reaches zero).
func FromILCD(dist string, x float64) (Distribution, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Distribution{}, invalid("relativeStandardDeviation95In", "%v must be finite", x)
	}
	switch dist {
	case "log-normal":
		if !(x >= 1) {
			return Distribution{}, invalid("relativeStandardDeviation95In", "SDg² %v must be ≥ 1 for log-normal", x)
		}
		return Distribution{Kind: Lognormal, Mu: 0, Sigma: detLog(x) / Z95}, nil
	case "normal":
		if !(x >= 0) || !(x < 100) {
			return Distribution{}, invalid("relativeStandardDeviation95In", "2·SD %v %% must be in [0, 100) for normal", x)
		}
		return NormalHalfWidth(x/100, Z95)
	}
	return Distribution{}, invalid("uncertaintyDistributionType", "distribution %q is not sampled (log-normal or normal)", dist)
}
