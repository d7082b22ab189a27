package server

import (
	"encoding/json"
	"unicode/utf8"
)

// The one-pass decoder of the bids of POST /v1/footprints and POST
// /v1/comparisons.
//
// A well-formed bid is read once: its bytes are scanned left to right, each
// key matched against the fields known at its place (case-sensitively),
// each field marked as seen so that a repeated key is caught, each value
// checked for its JSON type and JSON grammar and stored in the request
// value. No reflection, no second pass: strings are substrings of the body
// (converted to a string once), decimals keep their text.
//
// Anything else — a syntax error, an unknown or repeated key, a value of
// the wrong type, an EPD document, a null inside an array, data after the
// object — makes the decoder decline, and the body goes through the strict
// decoder (bidjson.Unmarshal) that names every problem by its JSON Pointer.
// So the fast path never has to word an error: an invalid body is answered
// exactly as before, and a valid one decodes to the same value
// (TestFastDecodeMatchesStrict, FuzzFastDecode).

// fastDecode decodes raw into dst when dst is a request the one-pass
// decoder knows and raw is a well-formed instance of it; it reports
// whether it did. When it did not, dst may hold part of the document and
// must be reset before another decoder fills it.
func fastDecode(raw []byte, dst any) bool {
	switch v := dst.(type) {
	case *BidRequest:
		var r BidRequest
		d := fastDec{s: string(raw)}
		if d.bid(&r) && d.end() {
			*v = r
			return true
		}
	case *ComparisonRequest:
		var r ComparisonRequest
		d := fastDec{s: string(raw)}
		if d.comparison(&r) && d.end() {
			*v = r
			return true
		}
	}
	return false
}

// fastDec is the state of one scan: the body and the position in it.
type fastDec struct {
	s string
	i int
}

// ws skips JSON white space.
func (d *fastDec) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// end reports whether only white space follows.
func (d *fastDec) end() bool {
	d.ws()
	return d.i == len(d.s)
}

// peek is the next byte after white space, 0 at the end.
func (d *fastDec) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

// object scans an object whose keys field handles: field is called with
// each key, the position at its value, and returns false to decline.
// Keys with escapes are declined (a bid's keys are plain ASCII).
func (d *fastDec) object(field func(key string) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		start := d.i + 1
		j := start
		for j < len(d.s) && d.s[j] != '"' {
			if c := d.s[j]; c == '\\' || c < 0x20 || c >= 0x80 {
				return false
			}
			j++
		}
		if j >= len(d.s) {
			return false
		}
		key := d.s[start:j]
		d.i = j + 1
		if d.peek() != ':' {
			return false
		}
		d.i++
		d.ws()
		if !field(key) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// seen marks field bit in *mask and reports whether it was already set.
func seen(mask *uint32, bit uint32) bool {
	if *mask&bit != 0 {
		return true
	}
	*mask |= bit
	return false
}

// null consumes a null literal if one is next.
func (d *fastDec) null() bool {
	if len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// str decodes a JSON string at d.i into *dst; null leaves *dst as it is
// (as encoding/json does). A string with escapes or non-ASCII bytes is
// decoded by encoding/json itself (escapes, surrogates, and invalid UTF-8
// replaced by U+FFFD all as the strict decoder has them).
func (d *fastDec) str(dst *string) bool {
	if d.null() {
		return true
	}
	s, ok := d.stringValue()
	if ok {
		*dst = s
	}
	return ok
}

// stringValue decodes the JSON string at d.i.
func (d *fastDec) stringValue() (string, bool) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", false
	}
	start := d.i + 1
	escaped, ascii := false, true
	j := start
	for ; j < len(d.s); j++ {
		c := d.s[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		if c == '\\' {
			escaped = true
			j++ // the escaped byte; a quote there does not end the string
			continue
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if j >= len(d.s) {
		return "", false
	}
	d.i = j + 1
	if !escaped && (ascii || utf8.ValidString(d.s[start:j])) {
		return d.s[start:j], true
	}
	var s string
	if err := json.Unmarshal([]byte(d.s[start-1:j+1]), &s); err != nil {
		return "", false
	}
	return s, true
}

// boolean decodes true, false or null (leaving *dst).
func (d *fastDec) boolean(dst *bool) bool {
	rest := d.s[d.i:]
	switch {
	case len(rest) >= 4 && rest[:4] == "true":
		*dst = true
		d.i += 4
	case len(rest) >= 5 && rest[:5] == "false":
		*dst = false
		d.i += 5
	default:
		return d.null()
	}
	return d.literalEnd()
}

// literalEnd reports whether a literal or number just read is not run on
// into more letters or digits ("truex", "nullnull"), which JSON forbids.
func (d *fastDec) literalEnd() bool {
	if d.i >= len(d.s) {
		return true
	}
	switch c := d.s[d.i]; {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '+':
		return false
	}
	return true
}

// number decodes a Number: a JSON string (its text), a JSON number (its
// literal text, checked against the JSON grammar) or null ("").
func (d *fastDec) number(dst *Number) bool {
	if d.i >= len(d.s) {
		return false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		s, ok := d.stringValue()
		*dst = Number(s)
		return ok
	case c == 'n':
		if d.null() && d.literalEnd() {
			*dst = ""
			return true
		}
		return false
	case c == '-' || (c >= '0' && c <= '9'):
		start := d.i
		if !d.scanNumber() {
			return false
		}
		*dst = Number(d.s[start:d.i])
		return d.literalEnd()
	}
	return false
}

// scanNumber moves past a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDec) scanNumber() bool {
	s := d.s
	i := d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	d.i = i
	return true
}

// Field bits of a bid and a comparison request (shared where the names
// are), of a line and of a factor.
const (
	fMethod uint32 = 1 << iota
	fMethods
	fReference
	fSupplier
	fDate
	fValidThrough
	fLines
)

const (
	lID uint32 = 1 << iota
	lActivity
	lRegion
	lQuantity
	lUnit
	lBasis
	lStage
	lFallback
	lFactor
)

const (
	pKgCO2e uint32 = 1 << iota
	pPer
	pReference
)

// bidFields are the fields a BidRequest and a ComparisonRequest share.
type bidFields struct {
	reference, supplier, date, validThrough *string
	lines                                   *[]LineRequest
}

// shared decodes one of the shared fields, key, into f: false for
// another key, a repeat (mask) or a value it cannot take.
func (d *fastDec) shared(key string, mask *uint32, f bidFields) bool {
	switch key {
	case "reference":
		return !seen(mask, fReference) && d.str(f.reference)
	case "supplier":
		return !seen(mask, fSupplier) && d.str(f.supplier)
	case "date":
		return !seen(mask, fDate) && d.str(f.date)
	case "valid_through":
		return !seen(mask, fValidThrough) && d.str(f.validThrough)
	case "lines":
		return !seen(mask, fLines) && d.lines(f.lines)
	}
	return false
}

// bid decodes a BidRequest.
func (d *fastDec) bid(r *BidRequest) bool {
	var mask uint32
	f := bidFields{&r.Reference, &r.Supplier, &r.Date, &r.ValidThrough, &r.Lines}
	return d.object(func(key string) bool {
		if key == "method" {
			return !seen(&mask, fMethod) && d.str(&r.Method)
		}
		return d.shared(key, &mask, f)
	})
}

// comparison decodes a ComparisonRequest.
func (d *fastDec) comparison(r *ComparisonRequest) bool {
	var mask uint32
	f := bidFields{&r.Reference, &r.Supplier, &r.Date, &r.ValidThrough, &r.Lines}
	return d.object(func(key string) bool {
		if key == "methods" {
			return !seen(&mask, fMethods) && d.strings(&r.Methods)
		}
		return d.shared(key, &mask, f)
	})
}

// strings decodes an array of strings (null: nil; a null element is
// declined).
func (d *fastDec) strings(dst *[]string) bool {
	if d.null() {
		*dst = nil
		return d.literalEnd()
	}
	if d.i >= len(d.s) || d.s[d.i] != '[' {
		return false
	}
	d.i++
	out := []string{}
	if d.peek() == ']' {
		d.i++
		*dst = out
		return true
	}
	for {
		d.ws()
		s, ok := d.stringValue()
		if !ok {
			return false
		}
		out = append(out, s)
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			*dst = out
			return true
		default:
			return false
		}
	}
}

// lines decodes the lines array (null: nil; [] an empty slice, as
// encoding/json has them; a null element is declined).
func (d *fastDec) lines(dst *[]LineRequest) bool {
	if d.null() {
		*dst = nil
		return d.literalEnd()
	}
	if d.i >= len(d.s) || d.s[d.i] != '[' {
		return false
	}
	d.i++
	// A capacity from the body's size, so that the slice seldom grows (a
	// growth copies every line decoded so far): a line with its four
	// required fields takes some 60 bytes or more.
	out := make([]LineRequest, 0, min(len(d.s)/60+1, 1024))
	if d.peek() == ']' {
		d.i++
		*dst = out
		return true
	}
	for {
		out = append(out, LineRequest{})
		if !d.line(&out[len(out)-1]) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			*dst = out
			return true
		default:
			return false
		}
	}
}

// line decodes one LineRequest.
func (d *fastDec) line(l *LineRequest) bool {
	var mask uint32
	return d.object(func(key string) bool {
		switch key {
		case "id":
			return !seen(&mask, lID) && d.str(&l.ID)
		case "activity":
			return !seen(&mask, lActivity) && d.str(&l.Activity)
		case "region":
			return !seen(&mask, lRegion) && d.str(&l.Region)
		case "quantity":
			return !seen(&mask, lQuantity) && d.number(&l.Quantity)
		case "unit":
			return !seen(&mask, lUnit) && d.str(&l.Unit)
		case "basis":
			return !seen(&mask, lBasis) && d.str(&l.Basis)
		case "stage":
			return !seen(&mask, lStage) && d.str(&l.Stage)
		case "allow_region_fallback":
			return !seen(&mask, lFallback) && d.boolean(&l.AllowRegionFallback)
		case "factor":
			return !seen(&mask, lFactor) && d.factor(&l.Factor)
		}
		return false
	})
}

// factor decodes a line's typed-in factor (null: nil). A factor with an
// "epd" key is declined: EPD documents take the strict decoder.
func (d *fastDec) factor(dst **FactorRequest) bool {
	if d.null() {
		*dst = nil
		return d.literalEnd()
	}
	f := &FactorRequest{}
	var mask uint32
	ok := d.object(func(key string) bool {
		switch key {
		case "kg_co2e":
			return !seen(&mask, pKgCO2e) && d.number(&f.KgCO2e)
		case "per":
			return !seen(&mask, pPer) && d.str(&f.Per)
		case "reference":
			return !seen(&mask, pReference) && d.str(&f.Reference)
		}
		return false
	})
	*dst = f
	return ok
}
