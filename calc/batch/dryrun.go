package batch

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gocarina/gocsv"

	"github.com/footprint-gpp/footprint/calc"
)

// dryRun validates every row without computing amounts or writing output.
// It decodes rows into the typed Row model with gocsv (one goroutine: no
// amounts are computed, and line kinds are cached), and checks each row
// exactly as a real run does: same header rules, same messages, same kinds.
func dryRun(ctx context.Context, mrs []*methodRun, in io.Reader, opt Options, sum *Summary) error {
	r := newCSVReader(in)
	um, err := gocsv.NewUnmarshaller(r, Row{})
	if errors.Is(err, io.EOF) {
		return &HeaderError{Empty: true}
	}
	if err != nil {
		return fmt.Errorf("reading the header: %w", err)
	}
	header := append([]string(nil), um.Headers...)
	if _, err := newColumns(header); err != nil {
		return err
	}
	if err := um.RenormalizeHeaders(normalizeHeaders); err != nil {
		return fmt.Errorf("reading the header: %w", err)
	}
	width := len(header)
	ev := newEvaluator(mrs, nil, opt.MaxExamples, newEPDCache(opt.EPD), opt.Date, nil)
	st := chunkStats{kinds: map[string]int64{}}
	var rowNo int64
	for {
		if rowNo%chunkRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if opt.Progress != nil && rowNo > 0 {
				opt.Progress(rowNo)
			}
		}
		v, err := um.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		if pe := parseError(err); pe != nil {
			b := badRowOf(pe, width, 0)
			st.errs++
			st.kinds[b.kind] += int64(len(mrs))
			if len(st.examples) < ev.maxEx {
				st.examples = append(st.examples, RowError{Row: rowNo, Line: pe.StartLine, Message: b.msg})
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("reading input at row %d: %w", rowNo, err)
		}
		row := v.(Row)
		line, _ := r.FieldPos(0)
		ev.validate(&row, rowNo, line, &st)
	}
	sum.Rows = rowNo
	st.merge(sum, opt.MaxExamples)
	if opt.Progress != nil {
		opt.Progress(rowNo)
	}
	return nil
}

// validate checks one row under every method, counting its errors.
func (ev *evaluator) validate(r *Row, rowNo int64, line int, st *chunkStats) {
	var qErr error
	_, qFast := parseFastQuantity(r.Quantity)
	if !qFast {
		_, qErr = calc.ParseQuantity(r.Quantity)
	}
	e, _ := ev.lookup(r)
	bad := false
	for i, mr := range ev.mrs {
		me := &e.m[i]
		if err := me.check(r.LineID, qErr); err != nil {
			bad = true
			ev.note(st, rowNo, line, mr.m.Ref(), errorKind(err), errorText(err))
			continue
		}
		if me.pr.Status == calc.StatusExcluded {
			st.excluded++
		}
	}
	if bad {
		st.errs++
	} else {
		st.ok++
	}
}
