package uncertainty

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
)

// Variable is one uncertain quantity. Its key identifies it across lines,
// bids and methods: the same key is the same quantity and gets the same
// draws (common random numbers).
type Variable struct {
	// Key is e.g. "factor/ipcc06-fuel-natural-gas-glo/CO2",
	// "activity/BID-3/1", "gwp/AR5/CH4", "epd/<sha256>".
	Key string `json:"key"`
	// Label is a human description; Source cites the published interval.
	Label  string       `json:"label"`
	Source string       `json:"source"`
	Dist   Distribution `json:"distribution"`
}

// Term is a coefficient times the product of some variables' multipliers.
type Term struct {
	Coef float64 `json:"coef"`
	// Vars index the model's variables (Model.Var); none: an exact term.
	Vars []int `json:"vars"`
}

// Item is a sum of terms: a line's kg CO2e, a bid's total.
type Item struct {
	Terms []Term `json:"terms"`
}

// Exact is the item's value with every multiplier at 1 (a fixed-order
// float64 sum of its coefficients).
func (it Item) Exact() float64 {
	s := 0.0
	for _, t := range it.Terms {
		s += t.Coef
	}
	return s
}

// Model is the set of variables of a run. Build it with Var; it is then
// read-only.
type Model struct {
	vars  []Variable
	index map[string]int
}

// NewModel returns an empty model.
func NewModel() *Model { return &Model{index: map[string]int{}} }

// Var adds a variable, or returns the index of the one with the same key.
// The same key with another distribution is an ErrConflict.
func (m *Model) Var(v Variable) (int, error) {
	if strings.TrimSpace(v.Key) == "" {
		return 0, invalid("key", "a variable needs a key")
	}
	if err := v.Dist.Check(); err != nil {
		return 0, &Error{Field: v.Key, Reason: err.Error(), Kind: ErrInvalid}
	}
	if i, ok := m.index[v.Key]; ok {
		if m.vars[i].Dist != v.Dist {
			return 0, &Error{Field: v.Key, Reason: "declared with two distributions: " + m.vars[i].Dist.String() + " and " + v.Dist.String(), Kind: ErrConflict}
		}
		return i, nil
	}
	m.index[v.Key] = len(m.vars)
	m.vars = append(m.vars, v)
	return len(m.vars) - 1, nil
}

// Lookup returns the index of a key.
func (m *Model) Lookup(key string) (int, bool) { i, ok := m.index[key]; return i, ok }

// Vars returns the variables in index order (a copy).
func (m *Model) Vars() []Variable { return append([]Variable(nil), m.vars...) }

// Key returns the key of variable i.
func (m *Model) Key(i int) string { return m.vars[i].Key }

// Len is the number of variables.
func (m *Model) Len() int { return len(m.vars) }

// Digest is the SHA-256 of the model's variables (key, distribution
// parameters as IEEE-754 bits, source) in index order: what a recorded
// result names as its model.
func (m *Model) Digest() string {
	h := sha256.New()
	var b [8]byte
	for _, v := range m.vars {
		h.Write([]byte(v.Key))
		h.Write([]byte{0})
		h.Write([]byte(v.Dist.Kind))
		h.Write([]byte{0})
		for _, x := range []float64{v.Dist.Mu, v.Dist.Sigma, v.Dist.Mean, v.Dist.SD} {
			binary.BigEndian.PutUint64(b[:], math.Float64bits(x))
			h.Write(b[:])
		}
		h.Write([]byte(v.Source))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Generator names the generator and seed expansion, as results record it.
const Generator = "ChaCha8 (math/rand/v2) per variable; seed = SHA-256(\"footprint/uncertainty/v1\" 0x00 seed(uint64 big-endian) 0x00 key); u = (x>>11 + 0.5)·2^-53; z = Acklam Φ⁻¹(u)"

// stream is one variable's generator.
type stream struct{ r *rand.ChaCha8 }

// newStream expands the run's seed and a variable key into the
// variable's own ChaCha8 stream.
func newStream(seed uint64, key string) stream {
	h := sha256.New()
	h.Write([]byte("footprint/uncertainty/v1"))
	h.Write([]byte{0})
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte{0})
	h.Write([]byte(key))
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return stream{rand.NewChaCha8(s)}
}

// normal is the stream's next standard normal draw.
func (s stream) normal() float64 {
	u := (float64(s.r.Uint64()>>11) + 0.5) * (1.0 / (1 << 53))
	return NormalQuantile(u)
}

// Draws returns the first n standard normal draws of a key under a seed:
// what anyone can recompute by hand (docs/uncertainty.md).
func Draws(seed uint64, key string, n int) []float64 {
	s := newStream(seed, key)
	out := make([]float64, n)
	for i := range out {
		out[i] = s.normal()
	}
	return out
}

// Multipliers writes the multipliers of draws 0 … len(dst)−1 of the
// variable with this key and distribution under seed to dst: exactly what
// Simulate multiplies by (a variable's draws depend only on the seed and
// its key). With EvalItem, a caller can keep a variable's multipliers and
// evaluate many items over them.
func Multipliers(seed uint64, key string, d Distribution, dst []float64) {
	s := newStream(seed, key)
	for j := range dst {
		dst[j] = d.Multiplier(s.normal())
	}
}

// Config is a run's size and seed.
type Config struct {
	// Draws is the number of iterations (1 … MaxDraws).
	Draws int
	// Seed selects the streams; the same seed gives the same bytes.
	Seed uint64
	// Workers is the number of goroutines (≤ 0: 1). Results do not depend on it.
	Workers int
}

// MaxDraws bounds a run's iterations.
const MaxDraws = 1_000_000

// MaxStored bounds the number of draws Simulate keeps (items × draws).
const MaxStored = 20_000_000

func (c Config) check() error {
	if c.Draws < 1 || c.Draws > MaxDraws {
		return invalid("draws", "%d: use 1 to %d", c.Draws, MaxDraws)
	}
	return nil
}

func (m *Model) checkItems(items []Item) error {
	for i, it := range items {
		for _, t := range it.Terms {
			if math.IsNaN(t.Coef) || math.IsInf(t.Coef, 0) {
				return invalid("items", "item %d has a coefficient that is not finite", i)
			}
			for _, v := range t.Vars {
				if v < 0 || v >= len(m.vars) {
					return invalid("items", "item %d names variable %d; the model has %d", i, v, len(m.vars))
				}
			}
		}
	}
	return nil
}
