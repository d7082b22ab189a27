package uncertainty

import (
	"math"
	"slices"
)

// blockSize is the number of iterations drawn at once.
const blockSize = 256

// Samples are the draws of a Simulate run: per item and of the weighted
// total, in iteration order.
type Samples struct {
	Draws  int
	Seed   uint64
	values [][]float64
	total  []float64
	// per variable: Σ m, Σ m², Σ m·total over the iterations.
	sm, smm, smt []float64
	model        *Model
}

// Simulate draws every variable of the model cfg.Draws times and evaluates
// each item and the total Σ weights[i]·item[i] (weights nil: every weight
// 1) per iteration. Terms are summed in item order, items in index order;
// the items of positive weight and those of negative weight are summed
// apart and subtracted last, so that two identical sets of items weighted
// +1 and −1 give exactly zero in every draw.
func Simulate(m *Model, items []Item, weights []float64, cfg Config) (*Samples, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := m.checkItems(items); err != nil {
		return nil, err
	}
	if weights != nil && len(weights) != len(items) {
		return nil, invalid("weights", "%d weights for %d items", len(weights), len(items))
	}
	if (len(items)+1)*cfg.Draws > MaxStored {
		return nil, &Error{Field: "draws", Reason: "items × draws is over the limit of stored draws; use fewer draws", Kind: ErrTooLarge}
	}
	n := cfg.Draws
	s := &Samples{Draws: n, Seed: cfg.Seed, values: make([][]float64, len(items)), total: make([]float64, n), model: m,
		sm: make([]float64, len(m.vars)), smm: make([]float64, len(m.vars)), smt: make([]float64, len(m.vars))}
	for i := range s.values {
		s.values[i] = make([]float64, n)
	}
	streams := make([]stream, len(m.vars))
	for i, v := range m.vars {
		streams[i] = newStream(cfg.Seed, v.Key)
	}
	mult := make([][]float64, len(m.vars))
	for i := range mult {
		mult[i] = make([]float64, blockSize)
	}
	prod := make([]float64, blockSize)
	neg := make([]float64, blockSize)
	for start := 0; start < n; start += blockSize {
		b := min(blockSize, n-start)
		for v := range m.vars {
			d := m.vars[v].Dist
			for j := 0; j < b; j++ {
				mult[v][j] = d.Multiplier(streams[v].normal())
			}
		}
		tot, ng := s.total[start:start+b], neg[:b]
		clear(ng)
		for i, it := range items {
			out := s.values[i][start : start+b]
			evalItem(it, mult, prod[:b], out)
			w, acc := 1.0, tot
			if weights != nil {
				w = weights[i]
			}
			if w < 0 {
				w, acc = -w, ng
			}
			for j := range out {
				acc[j] += float64(w * out[j])
			}
		}
		for j := range tot {
			tot[j] -= ng[j]
		}
		for v := range m.vars {
			for j := 0; j < b; j++ {
				x := mult[v][j]
				s.sm[v] += x
				s.smm[v] += float64(x * x)
				s.smt[v] += float64(x * tot[j])
			}
		}
	}
	return s, nil
}

// evalItem writes the item's value per iteration of a block to out.
func evalItem(it Item, mult [][]float64, prod, out []float64) {
	clear(out)
	for _, t := range it.Terms {
		switch len(t.Vars) {
		case 0:
			for j := range out {
				out[j] += t.Coef
			}
		case 1:
			m0 := mult[t.Vars[0]][:len(out)]
			for j := range out {
				out[j] += float64(t.Coef * m0[j])
			}
		case 2:
			m0, m1 := mult[t.Vars[0]][:len(out)], mult[t.Vars[1]][:len(out)]
			for j := range out {
				out[j] += float64(float64(t.Coef*m0[j]) * m1[j])
			}
		default:
			for j := range prod {
				prod[j] = t.Coef
			}
			for _, v := range t.Vars {
				mv := mult[v][:len(out)]
				for j := range prod {
					prod[j] = float64(prod[j] * mv[j])
				}
			}
			for j := range out {
				out[j] += prod[j]
			}
		}
	}
}

// EvalItem writes item it's value in each draw to out, from mult[v], the
// multipliers of variable v in the same draws (Multipliers; only the
// variables the item names are read): exactly what Simulate computes for
// the item. scratch, of len(out) at least, is used by terms of three or
// more variables. It lets a caller that keeps some variables' multipliers
// (the batch runner, per run) evaluate many items without drawing again.
func EvalItem(it Item, mult [][]float64, scratch, out []float64) {
	evalItem(it, mult, scratch[:len(out)], out)
}

// Values returns item i's draws in iteration order (shared; do not modify).
func (s *Samples) Values(i int) []float64 { return s.values[i] }

// Total returns the weighted total's draws in iteration order (shared).
func (s *Samples) Total() []float64 { return s.total }

// Summary describes a sample.
type Summary struct {
	Mean   float64 `json:"mean"`
	SD     float64 `json:"sd"`
	Median float64 `json:"median"`
	// P2_5 … P97_5 are the 2.5, 5, 95 and 97.5 % quantiles: [P5, P95] is
	// the central 90 % interval, [P2_5, P97_5] the central 95 %.
	P2_5  float64 `json:"p2_5"`
	P5    float64 `json:"p5"`
	P95   float64 `json:"p95"`
	P97_5 float64 `json:"p97_5"`
}

// Summarize computes the mean and standard deviation (sums in the order
// given, two passes) and the quantiles (Hyndman–Fan type 7: linear
// interpolation between order statistics x[⌊h⌋] and x[⌊h⌋+1], h = (n−1)p)
// of xs. xs is not modified.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	return summarize(xs, slices.Clone(xs))
}

// SummarizeInPlace is Summarize without the copy: the same values, but xs
// is reordered (the quantiles are found by selection in it). For callers
// that summarize many samples in one buffer.
func SummarizeInPlace(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	return summarize(xs, xs)
}

// Mean is the mean Summarize reports: the float64 sum of xs in order,
// divided by their number (0 for none).
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// summarize computes the mean and sd of xs, in xs's order, then the
// quantiles in work (xs or a copy of it), which it reorders.
func summarize(xs, work []float64) Summary {
	n := len(xs)
	mean := Mean(xs)
	ss := 0.0
	for _, x := range xs {
		d := x - mean
		ss += float64(d * d)
	}
	sd := 0.0
	if n > 1 {
		sd = math.Sqrt(ss / float64(n-1))
	}
	qs := quantiles(work, []float64{0.025, 0.05, 0.5, 0.95, 0.975})
	return Summary{Mean: mean, SD: sd, Median: qs[2], P2_5: qs[0], P5: qs[1], P95: qs[3], P97_5: qs[4]}
}

// quantiles returns the type-7 quantiles of xs for increasing ps,
// reordering xs: each is an order statistic (or an interpolation between
// two neighbours), found by selection rather than a full sort; the values
// do not depend on the algorithm.
func quantiles(xs []float64, ps []float64) []float64 {
	n := len(xs)
	out := make([]float64, len(ps))
	lo := 0
	for i, p := range ps {
		h := float64(float64(n-1) * p)
		k := int(h)
		if k >= n-1 {
			k = n - 1
		}
		selectKth(xs[lo:], k-lo)
		lo = k
		x := xs[k]
		if k+1 < n && h > float64(k) {
			next := xs[k+1]
			for _, y := range xs[k+2:] {
				if y < next {
					next = y
				}
			}
			x += float64(float64(h-float64(k)) * (next - x))
		}
		out[i] = x
	}
	return out
}

// selectKth reorders a so that a[k] is its k-th smallest element, with
// nothing larger before it and nothing smaller after it (Hoare's
// quickselect with a median-of-three pivot; NaN-free input).
func selectKth(a []float64, k int) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// Contribution is one variable's share of the total's variance.
type Contribution struct {
	Index int    `json:"-"`
	Key   string `json:"key"`
	Label string `json:"label"`
	// Share is the squared correlation between the variable's multiplier
	// and the total over the draws: for a sum of independent terms, the
	// share of the total's variance that variable explains (the shares
	// then add up to about 1).
	Share float64 `json:"variance_share"`
}

// Contributors returns the variables by decreasing share of the total's
// variance (ties by key), at most n of them (n ≤ 0: all).
func (s *Samples) Contributors(n int) []Contribution {
	N := float64(s.Draws)
	tsum, tss := 0.0, 0.0
	for _, x := range s.total {
		tsum += x
	}
	tmean := tsum / N
	for _, x := range s.total {
		d := x - tmean
		tss += float64(d * d)
	}
	var out []Contribution
	for v, vr := range s.model.vars {
		mm := s.sm[v] / N
		varM := s.smm[v]/N - float64(mm*mm)
		cov := s.smt[v]/N - float64(mm*tmean)
		varT := tss / N
		share := 0.0
		if varM > 0 && varT > 0 {
			share = float64(cov*cov) / float64(varM*varT)
		}
		if share > 1 {
			share = 1
		}
		if !(share >= 0) {
			share = 0
		}
		out = append(out, Contribution{Index: v, Key: vr.Key, Label: vr.Label, Share: share})
	}
	slices.SortStableFunc(out, func(a, b Contribution) int {
		switch {
		case a.Share > b.Share:
			return -1
		case a.Share < b.Share:
			return 1
		}
		return cmpString(a.Key, b.Key)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Probability is the fraction of xs that are above zero.
func Probability(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	c := 0
	for _, x := range xs {
		if x > 0 {
			c++
		}
	}
	return float64(c) / float64(len(xs))
}
