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
	"unicode/utf8"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
)

// MaxDepth bounds the nesting of objects and arrays in a request document.
// A bid nests four levels (bid, lines, line, factor); anything deeper is
// not a bid, and the bound keeps the scan's recursion small.
const MaxDepth = 32

// MaxProblems bounds the problems reported for one document, so that a
// document of a million unknown keys gets a short answer.
const MaxProblems = 100

// ShortLen is how many bytes of an input key or value a message repeats;
// longer ones are cut there and marked with "…".
const ShortLen = 40

// Short returns s, or its first ShortLen bytes (on a rune boundary) and
// "…": messages never echo more than a short prefix of the input.
func Short(s string) string {
	if len(s) <= ShortLen {
		return s
	}
	n := ShortLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// errStop ends a scan that has reported all it will report.
var errStop = errors.New("scan stopped")

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
// A document that is not well-formed JSON gives a nil slice and the
// decoding error: the decoder that follows reports it with its position.
// Keys longer than ShortLen bytes appear cut in pointers and messages.
func Check(raw []byte, v any) ([]calc.Problem, error) {
	c := &checker{dec: json.NewDecoder(bytes.NewReader(raw))}
	c.dec.UseNumber()
	t := reflect.TypeOf(v)
	err := c.value("", t, 0)
	if errors.Is(err, errStop) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return c.probs, nil
}

type checker struct {
	dec   *json.Decoder
	probs []calc.Problem
}

// add records a problem; past MaxProblems it ends the scan.
func (c *checker) add(ptr, format string, args ...any) error {
	if len(c.probs) == MaxProblems {
		c.probs = append(c.probs, calc.Problem{Pointer: "", Detail: fmt.Sprintf("more than %d problems; the first %d are listed", MaxProblems, MaxProblems), Err: factors.ErrInvalid})
		return errStop
	}
	c.probs = append(c.probs, calc.Problem{Pointer: ptr, Detail: fmt.Sprintf(format, args...), Err: factors.ErrInvalid})
	return nil
}

var numberType = reflect.TypeOf(Number(""))

// value reads one JSON value expected to fit t (nil: anything).
func (c *checker) value(ptr string, t reflect.Type, depth int) error {
	if depth > MaxDepth {
		c.add(ptr, "nested deeper than %d levels; a bid nests at most 4", MaxDepth)
		return errStop
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := c.dec.Token()
	if err != nil {
		return err
	}
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			var fields map[string]reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Map:
				t = nil // any keys
			case t.Kind() == reflect.Struct:
				fields = structFields(t)
			default:
				if err := c.wrongType(ptr, t, "an object"); err != nil {
					return err
				}
				t = nil
			}
			return c.object(ptr, t, fields, depth)
		}
		var elem reflect.Type
		if t != nil {
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				elem = t.Elem()
			} else if err := c.wrongType(ptr, t, "an array"); err != nil {
				return err
			}
		}
		for i := 0; c.dec.More(); i++ {
			if err := c.value(ptr+"/"+strconv.Itoa(i), elem, depth+1); err != nil {
				return err
			}
		}
		_, err := c.dec.Token() // ']'
		return err
	case nil:
		return nil
	case string:
		if t != nil && t != numberType && t.Kind() != reflect.String {
			return c.wrongType(ptr, t, "a string")
		}
	case json.Number:
		if t != nil && t != numberType && !numeric(t.Kind()) {
			return c.wrongType(ptr, t, "a number")
		}
	case bool:
		if t != nil && t.Kind() != reflect.Bool {
			return c.wrongType(ptr, t, strconv.FormatBool(tok))
		}
	}
	return nil
}

// object reads the members of an object whose '{' has been read.
func (c *checker) object(ptr string, t reflect.Type, fields map[string]reflect.Type, depth int) error {
	seen := map[string]bool{}
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		kp := ptr + "/" + escapePointer(Short(key))
		if seen[key] {
			if err := c.add(kp, "duplicate key: %q appears more than once in this object; give each field once", Short(key)); err != nil {
				return err
			}
		}
		seen[key] = true
		var ft reflect.Type
		if fields != nil {
			f, ok := fields[key]
			if !ok {
				if err := c.add(kp, "%s", unknownField(key, t, fields)); err != nil {
					return err
				}
			}
			ft = f
		}
		if err := c.value(kp, ft, depth+1); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // '}'
	return err
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
	return fmt.Sprintf("unknown field %q%s; known fields: %s", Short(key), hint, strings.Join(names, ", "))
}

// wrongType records a value of the wrong JSON type.
func (c *checker) wrongType(ptr string, t reflect.Type, got string) error {
	return c.add(ptr, "expected %s, got %s", jsonKind(t), got)
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

// jsonKind says in words what JSON a Go type takes.
func jsonKind(t reflect.Type) string {
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
