package store

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/tender"
)

// An opening decodes every bid's sealed content; encoding/json's
// reflection made that a third of an opening's work. decodeContentFast
// reads the JSON bidPlaintext writes (no whitespace but padPlaintext's
// spaces after the value, no escapes, each field once, the fields
// bidContent has, factors without EPD documents) and gives up on anything
// else, which unsealWith then decodes with
// encoding/json as before: what it accepts it decodes to what
// encoding/json would (TestContentFastMatchesJSON, FuzzContentFast).

// scan is a cursor over JSON text; ok turns false at the first thing it
// does not handle, and every later read fails.
type scan struct {
	b  []byte
	i  int
	ok bool
	// the last line's activity, region and unit (scan.intern)
	activity, region, unit string
}

func (s *scan) fail() { s.ok = false }

// byte1 consumes c.
func (s *scan) byte1(c byte) {
	if !s.ok || s.i >= len(s.b) || s.b[s.i] != c {
		s.fail()
		return
	}
	s.i++
}

// peek is the next byte, or 0 at the end.
func (s *scan) peek() byte {
	if !s.ok || s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// raw reads a string without escapes or control characters, in valid
// UTF-8 (encoding/json would replace invalid bytes), as a slice of b.
func (s *scan) raw() []byte {
	s.byte1('"')
	if !s.ok {
		return nil
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !utf8.Valid(v) {
				s.fail()
			}
			return v
		case c == '\\' || c < 0x20:
			s.fail()
			return nil
		}
		s.i++
	}
	s.fail()
	return nil
}

func (s *scan) str() string { return string(s.raw()) }

// dec reads a decimal written as a string. Up to 18 digits of
// -?d+(.d+)? it builds what decimal.NewFromString builds for them
// (decimal.New of the digits and the exponent, its own shortcut), without
// the string; anything else goes through NewFromString.
func (s *scan) dec() decimal.Decimal {
	v := s.raw()
	if !s.ok || len(v) == 0 {
		s.fail()
		return decimal.Decimal{}
	}
	if d, ok := smallDecimal(v); ok {
		return d
	}
	d, err := decimal.NewFromString(string(v))
	if err != nil {
		s.fail()
	}
	return d
}

// smallDecimal is decimal.New(n, -f) for v = -?d+(.d{f})? with at most 18
// bytes besides the point, or false.
func smallDecimal(v []byte) (decimal.Decimal, bool) {
	i, neg := 0, false
	if v[0] == '-' {
		i, neg = 1, true
	}
	var n int64
	digits, frac, point := 0, 0, false
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point && digits > 0:
			point = true
		default:
			return decimal.Decimal{}, false
		}
	}
	if digits == 0 || (point && frac == 0) || len(v)-btoi(point) > 18 {
		return decimal.Decimal{}, false
	}
	if neg {
		n = -n
	}
	return decimal.New(n, int32(-frac)), true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// intern returns the string of v, reusing *last when it is the same, so
// that lines repeating an activity, region or unit share one string.
func (s *scan) intern(last *string) string {
	v := s.raw()
	if string(v) == *last {
		return *last
	}
	*last = string(v)
	return *last
}

// null consumes a null when one is next and says so.
func (s *scan) null() bool {
	if s.peek() != 'n' {
		return false
	}
	if s.i+4 > len(s.b) || string(s.b[s.i:s.i+4]) != "null" {
		s.fail()
		return false
	}
	s.i += 4
	return true
}

// boolean reads true or false.
func (s *scan) boolean() bool {
	for _, lit := range []string{"true", "false"} {
		if s.ok && s.i+len(lit) <= len(s.b) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return lit == "true"
		}
	}
	s.fail()
	return false
}

// begin consumes the opening byte of an object ('{') or array ('['); it
// reports false for an empty one (its closing byte consumed too).
func (s *scan) begin(open, end byte) bool {
	s.byte1(open)
	if s.peek() == end {
		s.i++
		return false
	}
	return s.ok
}

// next consumes the comma before another member (true) or the closing
// byte (false).
func (s *scan) next(end byte) bool {
	switch s.peek() {
	case ',':
		s.i++
		return true
	case end:
		s.i++
		return false
	}
	s.fail()
	return false
}

// key reads an object key and its colon.
func (s *scan) key() []byte {
	k := s.raw()
	s.byte1(':')
	return k
}

// once marks field bit of a struct's seen set; a key seen twice fails
// (encoding/json would merge or overwrite).
func (s *scan) once(seen *uint16, bit uint16) {
	if *seen&bit != 0 {
		s.fail()
	}
	*seen |= bit
}

// decodeContentFast decodes pt as bidContent, with the bytes of its lines
// (a slice of pt), or reports false for unsealWith's encoding/json path.
func decodeContentFast(pt []byte) (c bidContent, lines []byte, ok bool) {
	s := &scan{b: pt, ok: true}
	var seen uint16
	for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
		switch string(s.key()) {
		case "v":
			s.once(&seen, 1)
			start := s.i
			for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
				s.i++
			}
			n, err := strconv.Atoi(string(s.b[start:s.i]))
			if err != nil || (s.i-start > 1 && s.b[start] == '0') {
				s.fail()
			}
			c.V = n
		case "tender":
			s.once(&seen, 2)
			c.Tender = s.str()
		case "bid":
			s.once(&seen, 4)
			c.Bid = s.str()
		case "supplier":
			s.once(&seen, 8)
			c.Supplier = s.str()
		case "price":
			s.once(&seen, 16)
			var pseen uint16
			for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
				switch string(s.key()) {
				case "amount":
					s.once(&pseen, 1)
					c.Price.Amount = s.dec()
				case "currency":
					s.once(&pseen, 2)
					c.Price.Currency = s.str()
				default:
					s.fail()
				}
			}
		case "ladder_level":
			s.once(&seen, 32)
			c.LadderLevel = s.str()
		case "lines":
			s.once(&seen, 64)
			start := s.i
			if s.null() {
				lines = pt[start:s.i]
				break
			}
			// Each line's object starts {"id": (its first field, always
			// written): their count, with the limits' (which start so
			// too), sizes the slice once.
			c.Lines = make([]calc.Line, 0, bytes.Count(pt[start:], []byte(`{"id":`)))
			for more := s.begin('[', ']'); more && s.ok; more = s.next(']') {
				c.Lines = append(c.Lines, calc.Line{})
				s.line(&c.Lines[len(c.Lines)-1])
			}
			lines = pt[start:s.i]
		case "footprint":
			s.once(&seen, 128)
			s.summary(&c.Footprint)
		case "nonce":
			s.once(&seen, 256)
			c.Nonce = s.str()
		default:
			s.fail()
		}
	}
	// The padding after the value (padPlaintext): spaces, which
	// encoding/json's Decoder leaves unread too.
	for s.ok && s.i < len(pt) && pt[s.i] == ' ' {
		s.i++
	}
	if !s.ok || s.i != len(pt) {
		return bidContent{}, nil, false
	}
	return c, lines, true
}

// line reads a calc.Line whose factor, if any, has no EPD document.
func (s *scan) line(l *calc.Line) {
	var seen uint16
	for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
		switch string(s.key()) {
		case "id":
			s.once(&seen, 1)
			l.ID = s.str()
		case "activity":
			s.once(&seen, 2)
			l.Activity = s.intern(&s.activity)
		case "region":
			s.once(&seen, 4)
			l.Region = s.intern(&s.region)
		case "quantity":
			s.once(&seen, 8)
			l.Quantity = s.dec()
		case "unit":
			s.once(&seen, 16)
			l.Unit = s.intern(&s.unit)
		case "basis":
			s.once(&seen, 32)
			l.Basis = s.str()
		case "stage":
			s.once(&seen, 64)
			l.Stage = s.str()
		case "allow_region_fallback":
			s.once(&seen, 128)
			l.AllowRegionFallback = s.boolean()
		case "factor":
			s.once(&seen, 256)
			if s.null() {
				s.fail()
			}
			f := &calc.ProductFactor{}
			var fseen uint16
			for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
				switch string(s.key()) {
				case "kg_co2e":
					s.once(&fseen, 1)
					f.KgCO2e = s.dec()
				case "per":
					s.once(&fseen, 2)
					f.Per = s.str()
				case "reference":
					s.once(&fseen, 4)
					f.Reference = s.str()
				default:
					s.fail() // an EPD document: encoding/json's path
				}
			}
			l.Factor = f
		default:
			s.fail()
		}
	}
}

// summary reads a tender.Summary.
func (s *scan) summary(f *tender.Summary) {
	var seen uint16
	for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
		switch string(s.key()) {
		case "kg_co2e":
			s.once(&seen, 1)
			f.KgCO2e = s.dec()
		case "limits":
			s.once(&seen, 2)
			if s.null() {
				break
			}
			f.Limits = []tender.LimitResult{}
			for more := s.begin('[', ']'); more && s.ok; more = s.next(']') {
				f.Limits = append(f.Limits, tender.LimitResult{})
				s.limit(&f.Limits[len(f.Limits)-1])
			}
		case "receipt":
			s.once(&seen, 4)
			s.receipt(&f.Receipt)
		default:
			s.fail()
		}
	}
}

// receipt reads a calc.Receipt.
func (s *scan) receipt(r *calc.Receipt) {
	var seen uint16
	for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
		switch string(s.key()) {
		case "input_digest":
			s.once(&seen, 1)
			r.InputDigest = s.str()
		case "method_digest":
			s.once(&seen, 2)
			r.MethodDigest = s.str()
		case "dataset_digests":
			s.once(&seen, 4)
			if s.null() {
				break
			}
			r.DatasetDigests = map[string]string{}
			for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
				k := s.str()
				s.byte1(':')
				if _, dup := r.DatasetDigests[k]; dup {
					s.fail()
				}
				r.DatasetDigests[k] = s.str()
			}
		case "epd_digests":
			s.once(&seen, 8)
			if s.null() {
				break
			}
			r.EPDDigests = []string{}
			for more := s.begin('[', ']'); more && s.ok; more = s.next(']') {
				r.EPDDigests = append(r.EPDDigests, s.str())
			}
		case "result_digest":
			s.once(&seen, 16)
			r.ResultDigest = s.str()
		default:
			s.fail()
		}
	}
}

// limit reads a tender.LimitResult.
func (s *scan) limit(l *tender.LimitResult) {
	var seen uint16
	for more := s.begin('{', '}'); more && s.ok; more = s.next('}') {
		switch string(s.key()) {
		case "id":
			s.once(&seen, 1)
			l.ID = s.str()
		case "line_id":
			s.once(&seen, 2)
			l.LineID = s.str()
		case "limit":
			s.once(&seen, 4)
			l.Limit = s.dec()
		case "value":
			s.once(&seen, 8)
			l.Value = s.dec()
		case "unit":
			s.once(&seen, 16)
			l.Unit = s.intern(&s.unit)
		case "pass":
			s.once(&seen, 32)
			l.Pass = s.boolean()
		default:
			s.fail()
		}
	}
}
