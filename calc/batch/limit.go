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

// scan follows a buffer byte by byte.
func (l *recordLimiter) scan(buf []byte) {
	for _, c := range buf {
		l.recBytes++
		if l.inQuotes {
			if c == '"' {
				l.inQuotes, l.justClosed = false, true
			} else if c == '\n' {
				l.line++
			}
			continue
		}
		if c == '"' && (l.fieldStart || l.justClosed) {
			l.inQuotes, l.justClosed, l.fieldStart = true, false, false
			continue
		}
		l.justClosed = false
		switch c {
		case ',':
			l.fieldStart = true
		case '\n':
			l.line++
			l.endRecord()
			l.recBytes = 0
			l.fieldStart = true
		default:
			l.fieldStart = false
		}
		if l.recBytes > l.limit {
			return
		}
	}
}

// endRecord notes that a record ended before the current line.
func (l *recordLimiter) endRecord() {
	if l.header {
		l.header, l.limit = false, l.next
	}
	l.startLine = l.line
}
