package eforms

import (
	"bytes"
	"encoding/xml"
)

// xel is one XML element of a notice being written: a name with its
// namespace prefix, attributes in order, and either text or children.
type xel struct {
	name  string
	attrs []string // name, value, name, value…
	text  string
	kids  []*xel
}

// el is an element with children; nil children are left out, so that
// optional parts can be written inline.
func el(name string, kids ...*xel) *xel {
	n := &xel{name: name}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// tx is an element with text and attributes (name, value pairs).
func tx(name, text string, attrs ...string) *xel {
	return &xel{name: name, text: text, attrs: attrs}
}

// ext wraps content in the UBL extension envelope eForms uses.
func ext(kids ...*xel) *xel {
	return el("ext:UBLExtensions", el("ext:UBLExtension", el("ext:ExtensionContent", el("efext:EformsExtension", kids...))))
}

// write writes n and its children, indented by tabs from depth.
func (n *xel) write(b *bytes.Buffer, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteByte('\t')
	}
	b.WriteString("<" + n.name)
	for i := 0; i+1 < len(n.attrs); i += 2 {
		b.WriteString(" " + n.attrs[i] + `="`)
		_ = xml.EscapeText(b, []byte(n.attrs[i+1]))
		b.WriteString(`"`)
	}
	switch {
	case len(n.kids) > 0:
		b.WriteString(">\n")
		for _, k := range n.kids {
			k.write(b, depth+1)
		}
		for i := 0; i < depth; i++ {
			b.WriteByte('\t')
		}
		b.WriteString("</" + n.name + ">\n")
	default:
		b.WriteString(">")
		_ = xml.EscapeText(b, []byte(n.text))
		b.WriteString("</" + n.name + ">\n")
	}
}

// document is the bytes of a notice whose root is root.
func document(root *xel) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header[:len(xml.Header)-1] + "\n")
	root.write(&b, 0)
	return b.Bytes()
}
