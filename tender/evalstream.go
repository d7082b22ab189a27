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
	return writeEvaluation(w, e, e.Digest, e.rows, e.Ranking == nil)
}

// SetOpeningAndWriteJSON is SetOpening then WriteJSON in one pass over
// the ranking: each row is rendered once, for the new digest and for w.
// (An opening by a committee stores the evaluation right after recording
// its openers; done apart, the two rendered every row twice.)
func (e *Evaluation) SetOpeningAndWriteJSON(w io.Writer, c *Committee, openedBy []string) error {
	e.Committee, e.OpenedBy = c, openedBy
	canon := canonicalHead(e)
	h := sha256.New()
	hw, bw := bufio.NewWriterSize(h, 32<<10), bufio.NewWriterSize(w, 32<<10)
	if err := writeBody([]evalSink{{bw, e}, {hw, &canon}}, e.rows, e.Ranking == nil); err != nil {
		return err
	}
	if err := writeDigest(hw, ""); err != nil {
		return err
	}
	if err := hw.Flush(); err != nil {
		return err
	}
	e.Digest = hex.EncodeToString(h.Sum(nil))
	if err := writeDigest(bw, e.Digest); err != nil {
		return err
	}
	return bw.Flush()
}

// rows gives the ranking's rows in order (for writeBody).
func (e *Evaluation) rows(yield func(*Ranked) error) error {
	for i := range e.Ranking {
		if err := yield(&e.Ranking[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeEvaluation writes the JSON of e with the given digest and the
// ranking rows rows gives (null when nilRanking), field by field in the
// struct's order: each field's bytes are json.Marshal's for its value,
// so the whole is json.Marshal's for the evaluation.
func writeEvaluation(w io.Writer, e *Evaluation, digest string, rows func(yield func(*Ranked) error) error, nilRanking bool) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	if err := writeBody([]evalSink{{bw, e}}, rows, nilRanking); err != nil {
		return err
	}
	if err := writeDigest(bw, digest); err != nil {
		return err
	}
	return bw.Flush()
}

// evalSink is a writer of an evaluation's JSON and the evaluation whose
// fields it gets (besides the ranking's rows, which writeBody gives every
// sink alike).
type evalSink struct {
	w *bufio.Writer
	e *Evaluation
}

// writeBody writes to each sink its evaluation's JSON up to its digest
// field: its head (tender, method, award), the ranking rows rows gives
// (null when nilRanking), each rendered once for all the sinks, and its
// tail (rounding, committee, opened_by, uncertainty).
func writeBody(sinks []evalSink, rows func(yield func(*Ranked) error) error, nilRanking bool) error {
	for _, s := range sinks {
		s.w.WriteByte('{')
		if err := writeField(s.w, true, "tender", s.e.Tender); err != nil {
			return err
		}
		if err := writeField(s.w, false, "method", s.e.Method); err != nil {
			return err
		}
		if err := writeField(s.w, false, "award", s.e.Award); err != nil {
			return err
		}
		s.w.WriteString(`,"ranking":`)
		if nilRanking {
			s.w.WriteString("null")
		} else {
			s.w.WriteByte('[')
		}
	}
	if !nilRanking {
		n := 0
		var row []byte
		err := rows(func(r *Ranked) error {
			row = row[:0]
			if n > 0 {
				row = append(row, ',')
			}
			n++
			var err error
			if row, err = appendRanked(row, r); err != nil {
				return err
			}
			for _, s := range sinks {
				if _, err := s.w.Write(row); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, s := range sinks {
			s.w.WriteByte(']')
		}
	}
	for _, s := range sinks {
		if err := writeField(s.w, false, "rounding", s.e.Rounding); err != nil {
			return err
		}
		if s.e.Committee != nil {
			if err := writeField(s.w, false, "committee", s.e.Committee); err != nil {
				return err
			}
		}
		if len(s.e.OpenedBy) > 0 {
			if err := writeField(s.w, false, "opened_by", s.e.OpenedBy); err != nil {
				return err
			}
		}
		if s.e.Uncertainty != nil {
			if err := writeField(s.w, false, "uncertainty", s.e.Uncertainty); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeDigest writes the digest field and closes the object.
func writeDigest(w *bufio.Writer, digest string) error {
	if err := writeField(w, false, "digest", digest); err != nil {
		return err
	}
	return w.WriteByte('}')
}

// writeField writes "name":json.Marshal(v), after a comma unless first.
func writeField(w *bufio.Writer, first bool, name string, v any) error {
	if !first {
		w.WriteByte(',')
	}
	w.WriteString(`"` + name + `":`)
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
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
