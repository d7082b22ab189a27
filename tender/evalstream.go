package tender

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
)

// An evaluation's JSON is written and read one ranking row at a time, so
// that neither encoding it (at opening, for its digest, for the stored
// row and for an answer) nor answering it from the stored row (GET
// …/evaluation as JSON or CSV, the OCDS export) makes a copy of every
// row: the bytes are those json.Marshal gives for the whole value.

// WriteJSON writes the evaluation's JSON to w: the bytes json.Marshal(e)
// gives, encoded one ranking row at a time (the largest buffer is one
// row's). It does not add a newline.
func (e *Evaluation) WriteJSON(w io.Writer) error {
	return writeEvaluation(w, e, e.Digest, func(yield func(*Ranked) error) error {
		for i := range e.Ranking {
			if err := yield(&e.Ranking[i]); err != nil {
				return err
			}
		}
		return nil
	}, e.Ranking == nil)
}

// writeEvaluation writes the JSON of e with the given digest and the
// ranking rows rows gives (null when nilRanking), field by field in the
// struct's order: each field's bytes are json.Marshal's for its value,
// so the whole is json.Marshal's for the evaluation.
func writeEvaluation(w io.Writer, e *Evaluation, digest string, rows func(yield func(*Ranked) error) error, nilRanking bool) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	field := func(first bool, name string, v any) error {
		if !first {
			bw.WriteByte(',')
		}
		bw.WriteString(`"` + name + `":`)
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	}
	bw.WriteByte('{')
	if err := field(true, "tender", e.Tender); err != nil {
		return err
	}
	if err := field(false, "method", e.Method); err != nil {
		return err
	}
	if err := field(false, "award", e.Award); err != nil {
		return err
	}
	bw.WriteString(`,"ranking":`)
	if nilRanking {
		bw.WriteString("null")
	} else {
		bw.WriteByte('[')
		n := 0
		var row []byte
		err := rows(func(r *Ranked) error {
			if n > 0 {
				bw.WriteByte(',')
			}
			n++
			var err error
			if row, err = appendRanked(row[:0], r); err != nil {
				return err
			}
			_, err = bw.Write(row)
			return err
		})
		if err != nil {
			return err
		}
		bw.WriteByte(']')
	}
	if err := field(false, "rounding", e.Rounding); err != nil {
		return err
	}
	if e.Committee != nil {
		if err := field(false, "committee", e.Committee); err != nil {
			return err
		}
	}
	if len(e.OpenedBy) > 0 {
		if err := field(false, "opened_by", e.OpenedBy); err != nil {
			return err
		}
	}
	if e.Uncertainty != nil {
		if err := field(false, "uncertainty", e.Uncertainty); err != nil {
			return err
		}
	}
	if err := field(false, "digest", digest); err != nil {
		return err
	}
	bw.WriteByte('}')
	return bw.Flush()
}

// StoredEvaluation is a stored evaluation's JSON read without decoding
// its ranking up front: Head holds every field but the ranking (Ranking
// nil), and Rows decodes the ranking's rows one at a time from the
// stored bytes. It holds the stored bytes and one row at a time.
type StoredEvaluation struct {
	Head    Evaluation
	raw     []byte // the ranking's JSON array, a slice of the stored bytes
	nilRank bool
}

// rawRanking keeps the ranking's bytes (a slice of the input: Unmarshal
// gives its own) without decoding them.
type rawRanking struct{ b []byte }

// UnmarshalJSON keeps the ranking's bytes.
func (r *rawRanking) UnmarshalJSON(b []byte) error {
	r.b = b
	return nil
}

// ReadStoredEvaluation reads a stored evaluation's JSON (the bytes
// WriteJSON wrote) for streaming: every field but the ranking is
// decoded, the ranking's rows are decoded as Rows asks for them. body
// must not change while the result is used.
func ReadStoredEvaluation(body []byte) (*StoredEvaluation, error) {
	var head struct {
		Evaluation
		Ranking rawRanking `json:"ranking"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, err
	}
	s := &StoredEvaluation{Head: head.Evaluation, raw: bytes.TrimSpace(head.Ranking.b)}
	s.Head.Ranking = nil
	s.nilRank = len(s.raw) == 0 || string(s.raw) == "null"
	if !s.nilRank && s.raw[0] != '[' {
		return nil, fmt.Errorf("%w: the evaluation's ranking is not an array", ErrInvalid)
	}
	return s, nil
}

// Rows decodes the ranking's rows one at a time, in order.
func (s *StoredEvaluation) Rows() iter.Seq2[*Ranked, error] {
	return func(yield func(*Ranked, error) bool) {
		if s.nilRank {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(s.raw))
		if _, err := dec.Token(); err != nil { // [
			yield(nil, err)
			return
		}
		for dec.More() {
			var r Ranked
			if err := dec.Decode(&r); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&r, nil) {
				return
			}
		}
	}
}

// each calls fn with every row, stopping at the first error.
func (s *StoredEvaluation) each(fn func(*Ranked) error) error {
	for r, err := range s.Rows() {
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the stored evaluation as Evaluation.WriteJSON writes
// it decoded (the bytes json.Marshal gives for the decoded evaluation),
// one row at a time.
func (s *StoredEvaluation) WriteJSON(w io.Writer) error {
	return writeEvaluation(w, &s.Head, s.Head.Digest, s.each, s.nilRank)
}

// VerifyDigest recomputes the digest over the stored evaluation's
// canonical JSON, one row at a time, and reports whether it matches.
func (s *StoredEvaluation) VerifyDigest() (bool, error) {
	d, err := canonicalDigest(&s.Head, s.each, s.nilRank)
	return err == nil && d == s.Head.Digest, err
}

// canonicalDigest is the hex SHA-256 of the canonical JSON of e with
// the rows rows gives (CanonicalJSON), hashed as it is written.
func canonicalDigest(e *Evaluation, rows func(yield func(*Ranked) error) error, nilRanking bool) (string, error) {
	c := canonicalHead(e)
	h := sha256.New()
	if err := writeEvaluation(h, &c, "", rows, nilRanking); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
