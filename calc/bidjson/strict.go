package bidjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/factors"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// MaxDepth bounds the nesting of objects and arrays in a request document.
// A bid nests four levels (bid, lines, line, factor); anything deeper is
// not a bid, and the bound keeps the scan's recursion small.
const MaxDepth = 32

// MaxProblems bounds the problems reported for one document, so that a
// document of a million unknown keys gets a short answer.
const MaxProblems = 100

// rawType marks a field that holds an embedded document of any shape.
var rawType = reflect.TypeOf(json.RawMessage(nil))

// errStop ends a scan that has reported all it will report.
var errStop = errors.New("scan stopped")

// errMalformed marks a document that is not well-formed JSON; the decoder
// that follows reports where.
var errMalformed = errors.New("malformed JSON")

// Check scans a JSON document against the shape of v, a pointer to the
// struct it will be decoded into (json tags name the fields), before it is
// decoded. It reports, each with its JSON Pointer (RFC 6901):
//
//   - a key repeated in one object, at any depth ("/lines/0/quantity:
//     duplicate key"): encoding/json would silently keep the last one, so
//     what was signed or reviewed might not be what is computed;
//   - an unknown field, with the fields known at that place; names are
//     case-sensitive (encoding/json would fold case);
//   - a value of the wrong JSON type ("/lines/2/id: expected a string").
//
// null is accepted for any field, as encoding/json does (it means absent).
// A document that is not well-formed JSON gives a nil slice and an error:
// the decoder that follows reports it with its position. Keys longer than
// ShortLen bytes appear cut in pointers and messages.
//
// The scan is one pass over the bytes, after json.Valid, allocating only
// for problems, escaped keys and large objects: it runs on every request.
func Check(raw []byte, v any) ([]calc.Problem, error) {
	if !json.Valid(raw) {
		return nil, errMalformed
	}
	c := &checker{b: raw, types: map[reflect.Type]map[string]reflect.Type{}}
	c.ws()
	err := c.value(reflect.TypeOf(v), 0)
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return c.probs, nil
}

// checker scans a well-formed document; path holds the keys (raw, as in
// the document) and indexes down to the current value, turned into a
// pointer only when a problem is reported.
type checker struct {
	b     []byte
	i     int
	path  []segment
	probs []calc.Problem
	types map[reflect.Type]map[string]reflect.Type
}

type segment struct {
	key   []byte // raw key between its quotes; nil for an array index
	index int
}

// pointer is the JSON Pointer of the current value, keys cut by Short.
func (c *checker) pointer() string {
	var sb strings.Builder
	for _, s := range c.path {
		sb.WriteByte('/')
		if s.key == nil {
			sb.WriteString(strconv.Itoa(s.index))
		} else {
			sb.WriteString(escapePointer(clip.Prefix(unquote(s.key))))
		}
	}
	return sb.String()
}

// add records a problem at the current value; past MaxProblems it ends
// the scan.
func (c *checker) add(format string, args ...any) error {
	if len(c.probs) == MaxProblems {
		c.probs = append(c.probs, calc.Problem{Pointer: "", Detail: fmt.Sprintf("more than %d problems; the first %d are listed", MaxProblems, MaxProblems), Err: factors.ErrInvalid})
		return errStop
	}
	c.probs = append(c.probs, calc.Problem{Pointer: c.pointer(), Detail: fmt.Sprintf(format, args...), Err: factors.ErrInvalid})
	return nil
}

var numberType = reflect.TypeOf(Number(""))

// ws skips white space.
func (c *checker) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value scans one value, at c.i, expected to fit t (nil: anything), and
// the white space after it.
func (c *checker) value(t reflect.Type, depth int) error {
	if depth > MaxDepth {
		c.add("nested deeper than %d levels; a bid nests at most 4", MaxDepth)
		return errStop
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawType {
		// An embedded document (an openEPD object): any shape, checked
		// only for repeated keys, and nested as deep as epd.MaxDepth.
		t, depth = nil, depth-epd.MaxDepth
	}
	if c.i >= len(c.b) {
		return errMalformed
	}
	var err error
	switch ch := c.b[c.i]; ch {
	case '{':
		err = c.object(t, depth)
	case '[':
		err = c.array(t, depth)
	case '"':
		c.skipString()
		if t != nil && t != numberType && t.Kind() != reflect.String {
			err = c.wrongType(t, "a string")
		}
	case 'n':
		c.i += len("null")
	case 't', 'f':
		if ch == 't' {
			c.i += len("true")
		} else {
			c.i += len("false")
		}
		if t != nil && t.Kind() != reflect.Bool {
			err = c.wrongType(t, strconv.FormatBool(ch == 't'))
		}
	default:
		c.skipNumber()
		if t != nil && t != numberType && !numeric(t.Kind()) {
			err = c.wrongType(t, "a number")
		}
	}
	c.ws()
	return err
}

func (c *checker) array(t reflect.Type, depth int) error {
	var elem reflect.Type
	if t != nil {
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			elem = t.Elem()
		} else if err := c.wrongType(t, "an array"); err != nil {
			return err
		}
	}
	c.i++ // [
	c.ws()
	c.path = append(c.path, segment{})
	for n := 0; c.i < len(c.b) && c.b[c.i] != ']'; n++ {
		c.path[len(c.path)-1] = segment{index: n}
		if err := c.value(elem, depth+1); err != nil {
			return err
		}
		if c.i < len(c.b) && c.b[c.i] == ',' {
			c.i++
			c.ws()
		}
	}
	c.path = c.path[:len(c.path)-1]
	c.i++ // ]
	return nil
}

// smallObject is the size up to which repeated keys are found by a linear
// scan rather than a map.
const smallObject = 16

func (c *checker) object(t reflect.Type, depth int) error {
	var fields map[string]reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Map:
		t = nil // any keys
	case t.Kind() == reflect.Struct:
		fields = c.fieldsOf(t)
	default:
		if err := c.wrongType(t, "an object"); err != nil {
			return err
		}
		t = nil
	}
	c.i++ // {
	c.ws()
	var few [smallObject][]byte
	seen := few[:0]
	var many map[string]bool
	c.path = append(c.path, segment{})
	for c.i < len(c.b) && c.b[c.i] != '}' {
		start := c.i + 1
		c.skipString()
		raw := c.b[start : c.i-1]
		key := raw
		if bytes.IndexByte(raw, '\\') >= 0 {
			key = []byte(unquote(raw))
		}
		c.path[len(c.path)-1] = segment{key: raw}
		dup := false
		if many != nil {
			dup = many[string(key)]
			many[string(key)] = true
		} else {
			for _, k := range seen {
				if bytes.Equal(k, key) {
					dup = true
					break
				}
			}
			if !dup {
				seen = append(seen, key)
			}
			if len(seen) > smallObject {
				many = make(map[string]bool, 2*len(seen))
				for _, k := range seen {
					many[string(k)] = true
				}
			}
		}
		if dup {
			if err := c.add("duplicate key: %q appears more than once in this object; give each field once", clip.Prefix(string(key))); err != nil {
				return err
			}
		}
		var ft reflect.Type
		if fields != nil {
			f, ok := fields[string(key)]
			if !ok {
				if err := c.add("%s", unknownField(string(key), t, fields)); err != nil {
					return err
				}
			}
			ft = f
		}
		c.ws()
		c.i++ // :
		c.ws()
		if err := c.value(ft, depth+1); err != nil {
			return err
		}
		if c.i < len(c.b) && c.b[c.i] == ',' {
			c.i++
			c.ws()
		}
	}
	c.path = c.path[:len(c.path)-1]
	c.i++ // }
	return nil
}

// skipString moves past the string starting at c.i (its opening quote).
func (c *checker) skipString() {
	c.i++
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case '\\':
			c.i += 2
		case '"':
			c.i++
			return
		default:
			c.i++
		}
	}
}

// skipNumber moves past the number starting at c.i.
func (c *checker) skipNumber() {
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch >= '0' && ch <= '9', ch == '-', ch == '+', ch == '.', ch == 'e', ch == 'E':
			c.i++
		default:
			return
		}
	}
}

// unquote decodes the text of a JSON string found between its quotes.
func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return string(raw) // not reached: the document is valid JSON
	}
	return s
}

// fieldsOf returns the JSON fields of a struct type, computed once per scan.
func (c *checker) fieldsOf(t reflect.Type) map[string]reflect.Type {
	f, ok := c.types[t]
	if !ok {
		f = structFields(t)
		c.types[t] = f
	}
	return f
}

// unknownField words an unknown key with the known ones, and a hint when
// only the case differs.
func unknownField(key string, t reflect.Type, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	hint := ""
	for n := range fields {
		names = append(names, n)
		if strings.EqualFold(n, key) {
			hint = fmt.Sprintf(" (field names are case-sensitive: %q)", n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return fieldOrder(t, names[i]) < fieldOrder(t, names[j]) })
	return fmt.Sprintf("unknown field %q%s; known fields: %s", clip.Prefix(key), hint, strings.Join(names, ", "))
}

// wrongType records a value of the wrong JSON type.
func (c *checker) wrongType(t reflect.Type, got string) error {
	return c.add("expected %s, got %s", KindOf(t), got)
}

// structFields maps the JSON names of t's exported fields to their types.
func structFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

// fieldOrder is the position of a JSON field in its struct, so that the
// known fields are listed in declaration order.
func fieldOrder(t reflect.Type, name string) int {
	for i := 0; i < t.NumField(); i++ {
		n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if n == name || (n == "" && t.Field(i).Name == name) {
			return i
		}
	}
	return t.NumField()
}

func numeric(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// KindOf says in words what JSON a Go type takes ("a string", "an
// array"), for messages about a value of the wrong JSON type.
func KindOf(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	if t == numberType {
		return "a decimal (a string such as \"12.5\" or a JSON number)"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	if numeric(t.Kind()) {
		return "an integer"
	}
	return "a " + t.Kind().String()
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
