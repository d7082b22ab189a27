package ocds

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
)

// Write writes the package as Encode gives it (compact JSON and a
// newline), one party, tenderer and bid at a time: the largest buffer is
// one element's JSON, however many bids the tender had.
func (p Package) Write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	if err := p.write(bw); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// Digest is the SHA-256 (hex) of the package's JSON without the
// newline, as Encode gives it, hashed as it is written.
func (p Package) Digest() (string, error) {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 32<<10)
	if err := p.write(bw); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jsonWriter writes JSON object fields whose values are json.Marshal's.
type jsonWriter struct {
	w   *bufio.Writer
	err error
}

// raw writes s.
func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// value writes json.Marshal(v).
func (j *jsonWriter) value(v any) {
	if j.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// field writes ,"name":value (no comma when first).
func (j *jsonWriter) field(first bool, name string, v any) {
	if !first {
		j.raw(",")
	}
	j.raw(`"` + name + `":`)
	j.value(v)
}

// array writes the elements of s as a JSON array (null when nil), one at
// a time.
func array[T any](j *jsonWriter, s []T) {
	if s == nil {
		j.raw("null")
		return
	}
	j.raw("[")
	for i := range s {
		if i > 0 {
			j.raw(",")
		}
		j.value(&s[i])
	}
	j.raw("]")
}

// write writes the package's JSON: json.Marshal's bytes, field by field
// in the structs' order.
func (p Package) write(w *bufio.Writer) error {
	j := &jsonWriter{w: w}
	j.raw("{")
	j.field(true, "uri", p.URI)
	j.field(false, "version", p.Version)
	j.field(false, "extensions", p.Extensions)
	j.field(false, "publishedDate", p.PublishedDate)
	j.field(false, "publisher", p.Publisher)
	j.raw(`,"releases":`)
	if p.Releases == nil {
		j.raw("null")
	} else {
		j.raw("[")
		for i := range p.Releases {
			if i > 0 {
				j.raw(",")
			}
			p.Releases[i].write(j)
		}
		j.raw("]")
	}
	j.raw("}")
	return j.err
}

// write writes the release's JSON as json.Marshal would.
func (r *Release) write(j *jsonWriter) {
	j.raw("{")
	j.field(true, "ocid", r.OCID)
	j.field(false, "id", r.ID)
	j.field(false, "date", r.Date)
	j.field(false, "tag", r.Tag)
	j.field(false, "initiationType", r.InitiationType)
	j.field(false, "language", r.Language)
	j.raw(`,"parties":`)
	array(j, r.Parties)
	j.field(false, "buyer", r.Buyer)
	j.raw(`,"tender":`)
	r.Tender.write(j)
	if r.Bids != nil {
		j.raw(`,"bids":{"statistics":`)
		array(j, r.Bids.Statistics)
		j.raw(`,"details":`)
		array(j, r.Bids.Details)
		j.raw("}")
	}
	if len(r.Awards) > 0 {
		j.field(false, "awards", r.Awards)
	}
	j.raw("}")
}

// lotsKey is the key that follows tenderers in a Tender's JSON; it has
// no omitempty, so it is always there.
var lotsKey = []byte(`,"lots":`)

// write writes the tender section's JSON as json.Marshal would: the
// section without its tenderers, into which the tenderers are written,
// one at a time, where json.Marshal puts them (just before "lots").
func (t *Tender) write(j *jsonWriter) {
	if len(t.Tenderers) == 0 {
		j.value(t)
		return
	}
	rest := *t
	rest.Tenderers = nil
	b, err := json.Marshal(&rest)
	if err != nil {
		j.err = err
		return
	}
	// The section's text before "lots" holds no object with a lots key,
	// and a string's quotes are escaped: the first match is the key.
	i := bytes.Index(b, lotsKey)
	if i < 0 {
		j.err = errors.New("ocds: the tender section has no lots")
		return
	}
	j.raw(string(b[:i]))
	j.raw(`,"tenderers":`)
	array(j, t.Tenderers)
	j.raw(string(b[i:]))
}
