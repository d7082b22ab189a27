package batch_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/methods"
)

// endless is an input that never ends and never has a line end, like
// /dev/zero; it counts what was read from it.
type endless struct {
	prefix string
	fill   byte
	read   int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	e.read += int64(len(p))
	return len(p), nil
}

// TestRecordLimits checks that a record or header without end stops the
// run with an error naming its line, after reading little more than the
// limit, in a real run and a dry run.
func TestRecordLimits(t *testing.T) {
	w := newWorld(t)
	ms := []*methods.Method{w.method(t, "us-federal")}
	const h = "line_id,activity,region,quantity,unit\n"
	cases := []struct {
		name   string
		in     io.Reader
		line   int64
		header bool
	}{
		{"zeros from the start", &endless{fill: 0}, 1, true},
		{"a header without end", &endless{prefix: "line_id,activity,", fill: 'a'}, 1, true},
		{"a row without end", &endless{prefix: h + "1,fuel.natural_gas,US,1,mmBtu\n\n2,", fill: '7'}, 4, false},
		{"an unclosed quote", &endless{prefix: h + "1,fuel.natural_gas,US,1,mmBtu\n2,\"", fill: '\n'}, 3, false},
		{"an unclosed quote after doubled quotes", &endless{prefix: h + "1,\"a\"\"b,c\n", fill: 'x'}, 2, false},
	}
	for _, tc := range cases {
		for _, dry := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				if e, ok := in.(*endless); ok {
					c := *e
					in = &c
					defer func() {
						if c.read > 4*batch.MaxRecordBytes {
							t.Errorf("read %d bytes before stopping", c.read)
						}
					}()
				}
				var out bytes.Buffer
				_, err := batch.Run(context.Background(), w.eng, in, &out, batch.Options{Methods: ms, DryRun: dry})
				var tl *batch.RecordTooLargeError
				if !errors.As(err, &tl) || !errors.Is(err, batch.ErrRecordTooLarge) {
					t.Fatalf("got %v, want a RecordTooLargeError", err)
				}
				if tl.Line != tc.line || tl.Header != tc.header {
					t.Errorf("got line %d header %v, want line %d header %v (%v)", tl.Line, tl.Header, tc.line, tc.header, err)
				}
				if len(err.Error()) > 200 {
					t.Errorf("message of %d bytes", len(err.Error()))
				}
			})
		}
	}
}

// TestRecordLimitKeepsQuotedRows checks that quoted fields with commas,
// doubled quotes and line breaks near the limit still read as they should.
func TestRecordLimitKeepsQuotedRows(t *testing.T) {
	w := newWorld(t)
	big := strings.Repeat("x", batch.MaxRecordBytes/2-100)
	in := "line_id,activity,region,quantity,unit,note\n" +
		"1,fuel.natural_gas,US,1,mmBtu,\"" + big + "\n,\"\"" + big + "\"\n" + // just under the limit, over two lines
		"2,fuel.natural_gas,US,1,mmBtu,\"a\"\"b\"\n" +
		"3,fuel\"x,US,1,mmBtu,\n" + // a bare quote: an error row, the run goes on
		"4,fuel.natural_gas,US,1,mmBtu," + big + "\n"
	out, sum, err := runBatch(t, w, in, batch.Options{}, "us-federal")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 4 || sum.Errors != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if !strings.Contains(out, big+"\n,\"\""+big) {
		t.Error("the quoted cell did not pass through whole")
	}
}

// TestTooManyColumns checks the column limit and that the message echoes
// only a prefix of the header.
func TestTooManyColumns(t *testing.T) {
	w := newWorld(t)
	h := "line_id,activity,region,quantity,unit" + strings.Repeat(",c", batch.MaxColumns)
	_, _, err := runBatch(t, w, h+"\n", batch.Options{}, "us-federal")
	var he *batch.HeaderError
	if !errors.As(err, &he) || he.Columns != batch.MaxColumns+5 {
		t.Fatalf("got %v", err)
	}
	if len(err.Error()) > 400 {
		t.Errorf("message of %d bytes", len(err.Error()))
	}
}

// TestTooManyWorkers checks that a worker count beyond the bound is refused
// before anything is allocated for it.
func TestTooManyWorkers(t *testing.T) {
	w := newWorld(t)
	_, _, err := runBatch(t, w, "line_id,activity,region,quantity,unit\n", batch.Options{Workers: batch.MaxWorkers + 1}, "us-federal")
	if !errors.Is(err, batch.ErrWorkers) {
		t.Fatalf("got %v, want ErrWorkers", err)
	}
	if _, _, err := runBatch(t, w, "line_id,activity,region,quantity,unit\n", batch.Options{Workers: batch.MaxWorkers}, "us-federal"); err != nil {
		t.Fatalf("MaxWorkers workers: %v", err)
	}
}
