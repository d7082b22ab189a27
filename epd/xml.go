package epd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxElements bounds the elements of one XML document: a registry's EPD
// process data set has a few thousand; a flood of empty elements within
// MaxBytes would otherwise cost far more memory than the file.
const maxElements = 200_000

// node is an element of a read XML document: only what the readers need
// (local name, namespace, attributes, own text, children).
type node struct {
	space, name string
	attrs       []xml.Attr
	text        strings.Builder
	kids        []*node
}

// child follows a path of local names, first match at each step; nil when
// any step is missing.
func (n *node) child(path ...string) *node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		var next *node
		for _, k := range n.kids {
			if k.name == p {
				next = k
				break
			}
		}
		n = next
	}
	return n
}

// all is every direct child with the local name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// attr is the attribute with the local name, whatever its namespace
// (registries disagree on epd:module vs module).
func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// str is the element's own text, trimmed; "" for a missing element.
func (n *node) str() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.text.String())
}

// lang picks among repeated multilingual elements (baseName,
// shortDescription) the English one, else the first; "" when none.
func lang(ns []*node) string {
	for _, n := range ns {
		if n.attr("lang") == "en" && n.str() != "" {
			return clip(n.str())
		}
	}
	for _, n := range ns {
		if n.str() != "" {
			return clip(n.str())
		}
	}
	return ""
}

// shortDescription is a reference's (English) short description.
func (n *node) shortDescription() string { return lang(n.all("shortDescription")) }

// hasDirective reports a markup declaration ("<!DOCTYPE", "<!ENTITY",
// "<!ELEMENT" …) anywhere in the document. encoding/xml expands no
// entities, but a DTD has no place in an EPD and refusing it outright
// leaves no doubt about billion-laughs or external-entity documents.
func hasDirective(raw []byte) bool {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("<!"))
		if j < 0 {
			return false
		}
		i += j + 2
		if i < len(raw) {
			c := raw[i] | 0x20
			if c >= 'a' && c <= 'z' {
				return true
			}
		}
	}
}

// readXML reads a document into nodes, refusing DTDs and entities, depth
// over MaxDepth, more than maxElements elements, and anything but
// well-formed UTF-8 XML. file names the document in errors.
func readXML(file string, raw []byte) (*node, error) {
	if len(raw) > MaxBytes {
		return nil, &DocError{File: file, Msg: fmt.Sprintf("%d bytes, over the limit of %d", len(raw), MaxBytes), Err: ErrTooLarge}
	}
	if hasDirective(raw) {
		return nil, &DocError{File: file, Msg: "the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); EPD data sets have none and they are refused", Err: ErrUnsafe}
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	var root *node
	var stack []*node
	elements := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
				line = se.Line
			}
			return nil, &DocError{File: file, Field: fmt.Sprintf("line %d", line), Msg: "not well-formed XML: " + clip(msg), Err: ErrMalformed}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			elements++
			if elements > maxElements {
				return nil, &DocError{File: file, Msg: fmt.Sprintf("more than %d elements", maxElements), Err: ErrTooLarge}
			}
			if len(stack) >= MaxDepth {
				line, _ := dec.InputPos()
				return nil, &DocError{File: file, Field: fmt.Sprintf("line %d", line), Msg: fmt.Sprintf("elements nested deeper than %d", MaxDepth), Err: ErrTooLarge}
			}
			n := &node{space: t.Name.Space, name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, &DocError{File: file, Msg: "more than one root element", Err: ErrMalformed}
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.Directive:
			return nil, &DocError{File: file, Msg: "the document declares a DTD or entities; refused", Err: ErrUnsafe}
		}
	}
	if root == nil {
		return nil, &DocError{File: file, Msg: "no XML element (empty or not XML)", Err: ErrMalformed}
	}
	return root, nil
}
