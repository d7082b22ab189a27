package tenders

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/footprint-gpp/footprint/export/ocds"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/officers"
	"github.com/footprint-gpp/footprint/store"
	"github.com/footprint-gpp/footprint/tender"
)

// The exports of an opened tender are written to their reader one row at
// a time (docs/tenders.md "Performance"): the stored evaluation is read
// as its bytes and its ranking decoded one row at a time
// (tender.StoredEvaluation); the OCDS package keeps of each bid only
// what it publishes and is encoded one element at a time, once into its
// digest (which the exported event records before anything is sent)
// and once to the reader.

// EvaluationExport is a stored evaluation ready to be written one
// ranking row at a time (StreamEvaluation). Its bytes are those of the
// decoded evaluation's JSON.
type EvaluationExport struct {
	st *tender.StoredEvaluation
}

// Digest is the evaluation's digest.
func (x *EvaluationExport) Digest() string { return x.st.Head.Digest }

// WriteJSON writes the evaluation's JSON and a newline (the bytes of
// json.Marshal of the decoded evaluation, and "\n").
func (x *EvaluationExport) WriteJSON(w io.Writer) error {
	if err := x.st.WriteJSON(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteCSV writes the ranking as WriteEvaluationCSV does, one row at a
// time.
func (x *EvaluationExport) WriteCSV(w io.Writer) error {
	return writeEvaluationCSV(w, x.st.Head.Uncertainty != nil, x.st.Rows())
}

// StreamEvaluation is ExportEvaluation for a writer: the stored
// evaluation is read as its bytes and checked (every ranking row
// decodes) before the exported event is recorded, then written one row
// at a time by the returned export. Its memory is the stored bytes and
// one row, never the decoded ranking.
func (s *Service) StreamEvaluation(ctx context.Context, t tender.Tender, actor officers.Actor, record bool) (x *EvaluationExport, signedHead string, err error) {
	if err := actor.Can(officers.ActEvaluate); err != nil {
		return nil, "", err
	}
	if err := canExport(actor, record); err != nil {
		return nil, "", err
	}
	if err := s.Ready(); err != nil {
		return nil, "", err
	}
	if t.Status != tender.StatusOpened {
		return nil, "", ErrNotOpened
	}
	st, err := s.storedEvaluation(ctx, t.ID)
	if err != nil {
		return nil, "", err
	}
	if record {
		if signedHead, err = s.exported(ctx, t.ID, actor, tender.Digests{tender.DigestEvaluation: st.Head.Digest}); err != nil {
			return nil, "", err
		}
	}
	return &EvaluationExport{st: st}, signedHead, nil
}

// storedEvaluation reads tender id's stored evaluation for streaming and
// checks that every ranking row decodes, so that an answer never stops
// halfway on a damaged row.
func (s *Service) storedEvaluation(ctx context.Context, id string) (*tender.StoredEvaluation, error) {
	body, err := store.StreamsOf(s.store).EvaluationJSON(ctx, id)
	if err != nil {
		return nil, err
	}
	st, err := tender.ReadStoredEvaluation(body)
	if err != nil {
		return nil, fmt.Errorf("tender %s: the stored evaluation does not read: %w", clip.Prefix(id), err)
	}
	for _, err := range st.Rows() {
		if err != nil {
			return nil, fmt.Errorf("tender %s: the stored evaluation's ranking does not read: %w", clip.Prefix(id), err)
		}
	}
	return st, nil
}

// OCDSExport is an OCDS release package ready to be written one element
// at a time (StreamOCDS).
type OCDSExport struct {
	pkg ocds.Package
	// Digest is the SHA-256 (hex) of the package's JSON without the
	// final newline, which the exported event records.
	Digest string
}

// Write writes the package (its JSON and a newline), one element at a
// time.
func (x *OCDSExport) Write(w io.Writer) error { return x.pkg.Write(w) }

// StreamOCDS is ExportOCDS for a writer: the package is built from the
// stored evaluation's rows, the bids' heads (read and decrypted one at a
// time, of which it keeps the id, supplier, price and times) and the
// created and opened events only; its digest is computed as it is
// encoded, before the exported event is recorded, and the returned
// export writes the same bytes. Memory: the package's per-bid elements
// (a party, a tenderer and a bid of bids.details each, a few hundred
// bytes), never a bid's content nor the encoded package.
func (s *Service) StreamOCDS(ctx context.Context, t tender.Tender, actor officers.Actor, record bool) (x *OCDSExport, signedHead string, err error) {
	if err := canExport(actor, record); err != nil {
		return nil, "", err
	}
	if err := s.Ready(); err != nil {
		return nil, "", err
	}
	if _, err := CheckPublicURL(s.public); err != nil {
		return nil, "", err
	}
	streams := store.StreamsOf(s.store)
	in := ocds.Input{Tender: t, PublicURL: s.public}
	if t.Status == tender.StatusOpened {
		// Bidders and prices only: the lines stay unread, and of each
		// head only what the package publishes is kept. The heads are
		// read (and decrypted) before the stored evaluation is, so that
		// the collector, which runs often while bids are decrypted, has
		// only them to mark.
		in.Heads = []ocds.BidHead{}
		err = streams.EachBidHead(ctx, t.ID, func(b tender.Bid) error {
			in.Heads = append(in.Heads, ocds.BidHeadOf(&b))
			return nil
		})
		if err != nil {
			return nil, "", err
		}
		st, err := s.storedEvaluation(ctx, t.ID)
		if err != nil {
			return nil, "", err
		}
		in.Evaluation = &st.Head
		in.Rows = func(yield func(*tender.Ranked) error) error {
			for r, err := range st.Rows() {
				if err != nil {
					return err
				}
				if err := yield(r); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if in.Events, err = streams.EventsOf(ctx, t.ID, tender.EventCreated, tender.EventOpened); err != nil {
		return nil, "", err
	}
	pkg, err := ocds.Build(in)
	if err != nil {
		return nil, "", err
	}
	// The package holds what it publishes of each bid: the heads are
	// free while it is digested and written.
	in.Heads = nil
	x = &OCDSExport{pkg: pkg}
	if x.Digest, err = pkg.Digest(); err != nil {
		return nil, "", err
	}
	digests := tender.Digests{tender.DigestOCDS: x.Digest}
	if in.Evaluation != nil {
		digests[tender.DigestEvaluation] = in.Evaluation.Digest
	}
	if record {
		if signedHead, err = s.exported(ctx, t.ID, actor, digests); err != nil {
			return nil, "", err
		}
	}
	return x, signedHead, nil
}

// WriteJSON writes the sealed list's JSON and a newline (json.Marshal's
// bytes and "\n"), one bid at a time.
func (v SealedBids) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	head := v
	head.Bids = nil
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	// "bids" is the last field: the head ends with "bids":null}.
	const tail = `"bids":null}`
	if len(b) < len(tail) || string(b[len(b)-len(tail):]) != tail {
		return fmt.Errorf("sealed list: unexpected JSON head %.60s", b)
	}
	bw.Write(b[:len(b)-len(tail)])
	bw.WriteString(`"bids":`)
	if v.Bids == nil {
		bw.WriteString("null")
	} else {
		bw.WriteByte('[')
		for i := range v.Bids {
			if i > 0 {
				bw.WriteByte(',')
			}
			if b, err = json.Marshal(&v.Bids[i]); err != nil {
				return err
			}
			bw.Write(b)
		}
		bw.WriteByte(']')
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// WriteJSON writes the approval's JSON and a newline (json.Marshal's
// bytes and "\n"), the evaluation it opened, if any, one ranking row at
// a time.
func (v ApprovalView) WriteJSON(w io.Writer) error {
	head := v
	head.Evaluation = nil
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if v.Evaluation == nil {
		_, err = w.Write(append(b, '\n'))
		return err
	}
	// "evaluation" is the last field (omitted in head).
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.Write(b[:len(b)-1])
	bw.WriteString(`,"evaluation":`)
	if err := v.Evaluation.WriteJSON(bw); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
