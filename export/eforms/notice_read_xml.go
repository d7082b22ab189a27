package eforms

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/footprint-gpp/footprint/internal/clip"
)

// The safe XML layer of the notice reader: a whole notice is read into a
// small element tree, within limits, before anything is looked up in it.
// encoding/xml expands no entity but the five predefined ones and fetches
// nothing; a document type declaration (the carrier of "billion laughs"
// and external entities) is refused outright, as eForms never has one.

// Limits of a notice the reader takes.
const (
	// MaxNoticeBytes bounds a notice document (the SDK's largest example,
	// a contract notice with 100 lots, is about 1.3 MB).
	MaxNoticeBytes = 4 << 20
	// MaxNoticeDepth bounds the nesting of elements (eForms nests about 15 deep).
	MaxNoticeDepth = 64
	// MaxNoticeElements bounds the number of elements.
	MaxNoticeElements = 200_000
)

// Namespaces of UBL 2.3 and the eForms extension.
const (
	nsCN    = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
	nsCAC   = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC   = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
	nsEXT   = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
	nsEFAC  = "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
	nsEFEXT = "http://data.europa.eu/p27/eforms-ubl-extensions/1"
	nsEFBC  = "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
)

var prefixes = map[string]string{"cac": nsCAC, "cbc": nsCBC, "ext": nsEXT, "efac": nsEFAC, "efext": nsEFEXT, "efbc": nsEFBC}

// node is one element of a notice: its name, attributes (by local name),
// text (the concatenated character data directly in it) and children.
type node struct {
	name     xml.Name
	attrs    map[string]string
	text     strings.Builder
	children []*node
}

// attr returns the attribute of local name n.
func (e *node) attr(n string) string {
	if e == nil {
		return ""
	}
	return e.attrs[n]
}

// value is the element's text with its white space collapsed.
func (e *node) value() string {
	if e == nil {
		return ""
	}
	return strings.Join(strings.Fields(e.text.String()), " ")
}

// all returns the descendants along path, each step "prefix:Local".
func (e *node) all(path ...string) []*node {
	if e == nil {
		return nil
	}
	cur := []*node{e}
	for _, step := range path {
		p, local, _ := strings.Cut(step, ":")
		ns := prefixes[p]
		var next []*node
		for _, c := range cur {
			for _, k := range c.children {
				if k.name.Local == local && k.name.Space == ns {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// one returns the first descendant along path, or nil.
func (e *node) one(path ...string) *node {
	if all := e.all(path...); len(all) > 0 {
		return all[0]
	}
	return nil
}

// parseNotice reads a whole document into its element tree, refusing a
// document type declaration, non-UTF-8 encodings, more than
// MaxNoticeBytes, deeper nesting than MaxNoticeDepth and more than
// MaxNoticeElements elements.
func parseNotice(r io.Reader) (*node, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxNoticeBytes+1))
	if err != nil {
		return nil, &Error{Err: ErrMalformed, Detail: "the notice could not be read: " + clip.Text(err.Error())}
	}
	if len(raw) > MaxNoticeBytes {
		return nil, &Error{Err: ErrTooLarge, Detail: fmt.Sprintf("the notice is over %d bytes", MaxNoticeBytes)}
	}
	malformed := func(format string, args ...any) error {
		return &Error{Err: ErrMalformed, Detail: "the notice is not well-formed XML that this reader takes: " + fmt.Sprintf(format, args...)}
	}
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	d.Entity = nil // the five predefined entities only
	charset := ""
	d.CharsetReader = func(cs string, _ io.Reader) (io.Reader, error) {
		charset = cs
		return nil, errors.New("only UTF-8 is read")
	}
	var root *node
	var stack []*node
	count := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil && charset != "" {
			return nil, malformed("encoding %q: only UTF-8 is read", clip.Text(charset))
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, malformed("line %d: %s", se.Line, clip.Text(se.Msg))
			}
			return nil, malformed("%s", clip.Text(err.Error()))
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, malformed("a document type declaration or other <!…> directive (%s): eForms notices have none, and entities are not expanded", clip.Prefix(string(t)))
		case xml.ProcInst:
			if t.Target != "xml" && root == nil && len(stack) == 0 {
				continue // e.g. a stylesheet before the root: ignored
			}
		case xml.StartElement:
			count++
			if count > MaxNoticeElements {
				return nil, &Error{Err: ErrTooLarge, Detail: fmt.Sprintf("the notice has more than %d elements", MaxNoticeElements)}
			}
			if len(stack) >= MaxNoticeDepth {
				return nil, malformed("elements nested deeper than %d levels", MaxNoticeDepth)
			}
			n := &node{name: t.Name}
			if len(t.Attr) > 0 {
				n.attrs = make(map[string]string, len(t.Attr))
				for _, a := range t.Attr {
					if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
						n.attrs[a.Name.Local] = a.Value
					}
				}
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, malformed("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, malformed("no root element")
	}
	return root, nil
}
