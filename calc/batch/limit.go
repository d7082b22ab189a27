package batch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits on the shape of the input. encoding/csv keeps a whole record in
// memory, so without them a file with no line end (/dev/zero) or an
// unclosed quote grows memory until it runs out.
const (
	// MaxRecordBytes bounds one record (row), quoted line breaks included.
	MaxRecordBytes = 1 << 20
	// MaxHeaderBytes bounds the header row.
	MaxHeaderBytes = 64 << 10
	// MaxColumns bounds the columns of the header (and so of every row).
	MaxColumns = 1000
)

// ErrRecordTooLarge marks a record longer than the limit; the run stops.
var ErrRecordTooLarge = errors.New("CSV record too large")

// RecordTooLargeError reports a record over the limit and where it starts.
type RecordTooLargeError struct {
	// Line is the input line where the record starts (1 is the header's).
	Line  int64
	Limit int
	// Header is true when the record is the header row.
	Header bool
}

func (e *RecordTooLargeError) Error() string {
	what := "a row"
	if e.Header {
		what = "the header row"
	}
	return fmt.Sprintf("line %d: %s longer than %d bytes (a missing line end, or an unclosed quote?); stopped reading", e.Line, what, e.Limit)
}

// Unwrap makes errors.Is(err, ErrRecordTooLarge) true.
func (e *RecordTooLargeError) Unwrap() error { return ErrRecordTooLarge }

// recordLimiter passes input through to the CSV reader while following
// record boundaries as encoding/csv does (a line end outside quotes ends a
// record; a quote opens a quoted field only at the start of a field; a
// doubled quote inside one stays inside). It fails the read once a record
// exceeds its limit, so the CSV reader never buffers more than that.
type recordLimiter struct {
	r          io.Reader
	limit      int // of the current record
	next       int // limit of the records after the header
	recBytes   int
	line       int64 // lines seen before the current position
	startLine  int64 // line where the current record starts
	inQuotes   bool
	justClosed bool // the previous byte closed a quoted field
	fieldStart bool
	header     bool
	err        error
}

func newRecordLimiter(r io.Reader, headerLimit, recordLimit int) *recordLimiter {
	return &recordLimiter{r: r, limit: headerLimit, next: recordLimit, line: 1, startLine: 1, fieldStart: true, header: true}
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	buf := p[:n]
	if !l.inQuotes && !l.justClosed && bytes.IndexByte(buf, '"') < 0 {
		l.scanPlain(buf)
	} else {
		l.scan(buf)
	}
	if l.recBytes > l.limit {
		l.err = &RecordTooLargeError{Line: l.startLine, Limit: l.limit, Header: l.header}
		return 0, l.err
	}
	return n, err
}

// scanPlain follows a buffer without quotes: only line ends matter.
func (l *recordLimiter) scanPlain(buf []byte) {
	i := bytes.LastIndexByte(buf, '\n')
	if i < 0 {
		l.recBytes += len(buf)
	} else {
		l.line += int64(bytes.Count(buf, []byte{'\n'}))
		l.endRecord()
		l.recBytes = len(buf) - i - 1
	}
	if len(buf) > 0 {
		c := buf[len(buf)-1]
		l.fieldStart = c == ',' || c == '\n'
	}
}

// scan follows a buffer with quotes, a run of plain bytes at a time.
func (l *recordLimiter) scan(buf []byte) {
	for len(buf) > 0 && l.recBytes <= l.limit {
		if l.inQuotes { // up to the closing quote; line breaks stay in the record
			j := bytes.IndexByte(buf, '"')
			if j < 0 {
				j = len(buf)
			} else {
				l.inQuotes, l.justClosed = false, true
			}
			l.line += int64(bytes.Count(buf[:j], []byte{'\n'}))
			l.recBytes += min(j+1, len(buf))
			buf = buf[min(j+1, len(buf)):]
			continue
		}
		if buf[0] == '"' && (l.fieldStart || l.justClosed) { // opens a quoted field, or a doubled quote inside one
			l.inQuotes, l.justClosed, l.fieldStart = true, false, false
			l.recBytes++
			buf = buf[1:]
			continue
		}
		l.justClosed = false
		// plain bytes up to the next quote that could open a field
		j := bytes.IndexByte(buf[1:], '"') + 1
		if j == 0 {
			j = len(buf)
		}
		seg := buf[:j]
		if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
			l.line += int64(bytes.Count(seg, []byte{'\n'}))
			l.endRecord()
			l.recBytes = len(seg) - i - 1
		} else {
			l.recBytes += len(seg)
		}
		c := seg[len(seg)-1]
		l.fieldStart = c == ',' || c == '\n'
		buf = buf[j:]
	}
}

// endRecord notes that a record ended before the current line.
func (l *recordLimiter) endRecord() {
	if l.header {
		l.header, l.limit = false, l.next
	}
	l.startLine = l.line
}
