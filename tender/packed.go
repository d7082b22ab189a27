package tender

import (
	"bytes"
	"cmp"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// An Evaluator keeps one row per bid until the last bid is read: 50,000
// of them at a large opening, while the store decrypts and decodes bids
// on other goroutines and so starts a garbage collection every few
// megabytes. Kept as Ranked values (a dozen strings, big.Ints in the
// decimals, a time's location, a slice of failed limits), every one of
// those collections traced every row kept so far; that was most of an
// opening's collection work. So the rows are kept without pointers while
// the bids stream in: a packedRow of integers (the sort key, the amounts
// as int64 coefficients) whose strings are spans of a few large byte
// chunks, which the collector does not look into. Evaluation sorts the
// packed rows and builds the ranking's Ranked values once, at the end.

// arenaChunk is the size of an Evaluator's byte chunks (a row's strings
// are a few hundred bytes; a larger row gets a chunk of its own).
const arenaChunk = 64 << 10

// span is a string of a packed row: its bytes are
// chunk[base+off : base+off+n] of the row's chunk and base.
type span struct{ off, n uint32 }

// packedFixed is a Fixed without pointers: its int64 coefficient and
// places when small, else big is the index + 1 of the Fixed in the
// Evaluator's bigs (amounts that do not fit an int64: rare).
type packedFixed struct {
	c      int64
	places int32
	big    int32
}

// packedRow is what an Evaluator keeps of a bid: its ranking row (the
// strings in the arena, the amounts packed) and its sort key. It holds
// no pointer.
type packedRow struct {
	// chunk is the arena chunk holding the row's strings, base where
	// they start in it.
	chunk, base uint32

	id, supplier, currency, level, reason, commitment, nonce span
	// limits are the failed limits' spans: Evaluator.limits[off:off+n].
	limits span
	// digits are the notional price's significant digits (of its
	// absolute value, without trailing zeros); with sign and msd (the
	// power of ten of its first digit) they order notional prices
	// exactly (cmpNotional).
	digits   span
	msd      int64
	sign     int8
	excluded bool

	price, kgCO2e, notionalFix packedFixed
	sec                        int64 // ReceivedAt in Unix seconds
	nsec                       int32 // and nanoseconds
	item                       int32 // the sampler's item index
	next                       int32 // next row whose id has the same hash, or -1
}

// rowWriter gathers a row's strings before they are copied into a chunk
// together.
type rowWriter struct{ b []byte }

// add appends s and returns its span (relative to the row's start).
func (w *rowWriter) add(s string) span {
	sp := span{off: uint32(len(w.b)), n: uint32(len(s))}
	w.b = append(w.b, s...)
	return sp
}

// arena holds the rows' strings in chunks that are never moved (so a
// row's span stays valid, and no chunk is copied as more rows come).
type arena struct{ chunks [][]byte }

// put copies b into a chunk and returns the chunk's index and where b
// starts in it.
func (a *arena) put(b []byte) (chunk, base uint32) {
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(b) {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, len(b))))
		n++
	}
	c := &a.chunks[n-1]
	base = uint32(len(*c))
	*c = append(*c, b...)
	return uint32(n - 1), base
}

// bytes is span s of row r.
func (a *arena) bytes(r *packedRow, s span) []byte {
	start := r.base + s.off
	return a.chunks[r.chunk][start : start+s.n]
}

// notionalKey appends to b the significant digits of |d| (none for zero)
// and returns d's sign and the power of ten of its first significant
// digit: the key cmpNotional orders by. The digits are written without
// big.Int formatting when d's coefficient fits an int64.
func notionalKey(b []byte, d decimal.Decimal) (out []byte, sign int8, msd int64) {
	sign = int8(d.Sign())
	if sign == 0 {
		return b, 0, 0
	}
	start := len(b)
	if d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		if c < 0 {
			c = -c
		}
		b = strconv.AppendInt(b, c, 10)
	} else {
		c := d.Coefficient() // a copy: Abs may change it
		b = c.Abs(c).Append(b, 10)
	}
	exp := int64(d.Exponent())
	for b[len(b)-1] == '0' { // a non-zero coefficient has a non-zero digit
		b = b[:len(b)-1]
		exp++
	}
	return b, sign, exp + int64(len(b)-start) - 1
}

// cmpNotional compares the notional prices of a and b exactly, as
// decimal.Decimal.Cmp does.
func (a *arena) cmpNotional(x, y *packedRow) int {
	if x.sign != y.sign {
		return cmp.Compare(x.sign, y.sign)
	}
	if x.sign == 0 {
		return 0
	}
	c := cmp.Compare(x.msd, y.msd)
	if c == 0 {
		// Same first power of ten: the digits compare as text (a proper
		// prefix is the smaller: the longer has a further non-zero digit).
		c = bytes.Compare(a.bytes(x, x.digits), a.bytes(y, y.digits))
	}
	return c * int(x.sign)
}

// cmpRows orders rows as the ranking does: ranked bids first, then by
// exact notional price, receipt time and bid id.
func (a *arena) cmpRows(x, y *packedRow) int {
	if x.excluded != y.excluded {
		if x.excluded {
			return 1
		}
		return -1
	}
	if c := a.cmpNotional(x, y); c != 0 {
		return c
	}
	if c := cmp.Compare(x.sec, y.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(x.nsec, y.nsec); c != 0 {
		return c
	}
	return bytes.Compare(a.bytes(x, x.id), a.bytes(y, y.id))
}

// packFixed packs f, keeping a Fixed that does not fit in bigs.
func packFixed(f Fixed, bigs *[]Fixed) packedFixed {
	if f.small {
		return packedFixed{c: f.c, places: f.places}
	}
	*bigs = append(*bigs, f)
	return packedFixed{big: int32(len(*bigs))}
}

// unpack is the Fixed p packs.
func (p packedFixed) unpack(bigs []Fixed) Fixed {
	if p.big > 0 {
		return bigs[p.big-1]
	}
	return Fixed{places: p.places, c: p.c, small: true}
}

// unpackTime is the UTC time of Unix seconds sec and nanoseconds nsec:
// equal (==) to the UTC time they were taken from.
func unpackTime(sec int64, nsec int32) time.Time { return time.Unix(sec, int64(nsec)).UTC() }
