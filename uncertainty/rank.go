package uncertainty

import (
	"math"
	"sync"
)

// KeyFunc maps bid b's sampled kg CO2e to its ranking key; the lowest key
// ranks first (e.g. a notional price: price + W × t CO2e). It must be a
// pure function, safe for concurrent use, and should round every product
// explicitly (float64(x*y)) so that no fused multiply-add changes a result
// between machines.
type KeyFunc func(bid int, kgCO2e float64) float64

// RankOdds are one bid's odds under uncertainty.
type RankOdds struct {
	// Bid is the bid's index in the bids given to Rank.
	Bid int `json:"bid"`
	// Position is its place in the exact (legal) order, 1 for the first.
	Position int `json:"position"`
	// PFirst is the fraction of draws in which it ranks first.
	PFirst float64 `json:"p_first"`
	// PKeepPlace is the fraction of draws in which it stays ahead of the
	// bid that follows it in the exact order (nil for the last bid).
	PKeepPlace *float64 `json:"p_keep_place,omitempty"`
}

// Rank samples the bids' footprints and their ranking keys cfg.Draws
// times and returns, per bid in the exact order, the probability of
// ranking first and of keeping its place against the next bid.
//
// bids are the bids' coefficient sets over the one model m (so that a
// variable used by several bids, an IPCC factor or a GWP, gets one draw
// per iteration shared by all of them, and cancels between them; a
// supplier's own EPD or a line's activity data is a variable of its own).
// order is the exact (legal) ranking, a permutation of the bid indices;
// ties between sampled keys go to the bid earlier in it, as the legal
// tie-break does. Memory is O(bids × 256 + variables), whatever the
// number of draws; results do not depend on cfg.Workers.
func Rank(m *Model, bids []Item, order []int, key KeyFunc, cfg Config) ([]RankOdds, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := m.checkItems(bids); err != nil {
		return nil, err
	}
	if key == nil {
		return nil, invalid("key", "a ranking key function is required")
	}
	nb := len(bids)
	if len(order) != nb {
		return nil, invalid("order", "%d positions for %d bids", len(order), nb)
	}
	seen := make([]bool, nb)
	pos := make([]int, nb)
	for p, b := range order {
		if b < 0 || b >= nb || seen[b] {
			return nil, invalid("order", "not a permutation of the %d bids (position %d: %d)", nb, p, b)
		}
		seen[b] = true
		pos[b] = p
	}
	if nb == 0 {
		return []RankOdds{}, nil
	}
	// Which variables does each bid use, and which are shared?
	users := make([]int, len(m.vars))
	last := make([]int, len(m.vars))
	for i := range last {
		last[i] = -1
	}
	for b, it := range bids {
		for _, t := range it.Terms {
			for _, v := range t.Vars {
				if last[v] != b {
					last[v] = b
					users[v]++
				}
			}
		}
	}
	var shared []int
	private := make([][]int, nb)
	for i := range last {
		last[i] = -1
	}
	for b, it := range bids {
		for _, t := range it.Terms {
			for _, v := range t.Vars {
				if users[v] == 1 && last[v] != b {
					last[v] = b
					private[b] = append(private[b], v)
				}
			}
		}
	}
	for v, u := range users {
		if u > 1 {
			shared = append(shared, v)
		}
	}
	streams := make([]stream, len(m.vars))
	for v, u := range users {
		if u > 0 {
			streams[v] = newStream(cfg.Seed, m.vars[v].Key)
		}
	}
	sharedBuf := make([][]float64, len(m.vars))
	for _, v := range shared {
		sharedBuf[v] = make([]float64, blockSize)
	}
	workers := max(1, min(cfg.Workers, nb))
	type worker struct {
		mult    [][]float64
		scratch [][]float64
		prod    []float64
		val     []float64
	}
	ws := make([]*worker, workers)
	maxPriv := 0
	for _, p := range private {
		maxPriv = max(maxPriv, len(p))
	}
	for w := range ws {
		wk := &worker{mult: make([][]float64, len(m.vars)), prod: make([]float64, blockSize), val: make([]float64, blockSize)}
		copy(wk.mult, sharedBuf)
		wk.scratch = make([][]float64, maxPriv)
		for i := range wk.scratch {
			wk.scratch[i] = make([]float64, blockSize)
		}
		ws[w] = wk
	}
	keys := make([]float64, blockSize*nb) // keys[j*nb + position]
	first := make([]int, nb)
	keep := make([]int, nb)
	n := cfg.Draws
	for start := 0; start < n; start += blockSize {
		bsz := min(blockSize, n-start)
		for _, v := range shared {
			d := m.vars[v].Dist
			for j := 0; j < bsz; j++ {
				sharedBuf[v][j] = d.Multiplier(streams[v].normal())
			}
		}
		var wg sync.WaitGroup
		for w, wk := range ws {
			lo, hi := w*nb/workers, (w+1)*nb/workers
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := lo; b < hi; b++ {
					for i, v := range private[b] {
						buf := wk.scratch[i][:bsz]
						d := m.vars[v].Dist
						for j := range buf {
							buf[j] = d.Multiplier(streams[v].normal())
						}
						wk.mult[v] = buf
					}
					val := wk.val[:bsz]
					evalItem(bids[b], wk.mult, wk.prod[:bsz], val)
					p := pos[b]
					for j, x := range val {
						keys[j*nb+p] = key(b, x)
					}
				}
			}()
		}
		wg.Wait()
		for j := 0; j < bsz; j++ {
			row := keys[j*nb : (j+1)*nb]
			best := 0
			for p := 1; p < nb; p++ {
				if row[p] < row[best] || (math.IsNaN(row[best]) && !math.IsNaN(row[p])) {
					best = p
				}
			}
			first[best]++
			for p := 0; p+1 < nb; p++ {
				if !(row[p] > row[p+1]) {
					keep[p]++
				}
			}
		}
	}
	out := make([]RankOdds, nb)
	for p, b := range order {
		out[p] = RankOdds{Bid: b, Position: p + 1, PFirst: float64(first[p]) / float64(n)}
		if p+1 < nb {
			k := float64(keep[p]) / float64(n)
			out[p].PKeepPlace = &k
		}
	}
	return out, nil
}
