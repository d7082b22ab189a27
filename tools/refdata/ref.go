package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxRefFileSize bounds the memory one reference CSV may take. The largest
// reference file is under 100 KB; a file beyond this limit is a mistake.
const maxRefFileSize = 16 << 20

// refFile is one reference CSV, its records indexed by 1-based record number
// (the header is record 1), the numbering every output row cites.
type refFile struct {
	rel     string     // path below the reference root, slash-separated
	records [][]string // records[0] is the header
	lines   []int      // lines[i] is the line on which records[i] starts
	col     map[string]int
	// missing collects the columns asked for that the header lacks, so that
	// mapping code can read cells without an error check per cell and the
	// build fails once, naming every missing column, before anything is
	// written.
	missing map[string]bool
}

// refRow is one data record of a reference file.
type refRow struct {
	f *refFile
	n int // record number, 2 for the first data row
}

// get returns the cell of column name, or "" (noting the missing column)
// when the header has no such column.
func (r refRow) get(name string) string {
	i, ok := r.f.col[name]
	if !ok {
		r.f.missing[name] = true
		return ""
	}
	return r.f.records[r.n-1][i]
}

// cite is the row's citation, <file>#<record>.
func (r refRow) cite() string { return fmt.Sprintf("%s#%d", r.f.rel, r.n) }

// where names the row for an error message: file:line (record #n).
func (r refRow) where() string {
	return fmt.Sprintf("%s:%d (record #%d)", r.f.rel, r.f.lines[r.n-1], r.n)
}

// rows returns the data records in file order.
func (f *refFile) rows() []refRow {
	out := make([]refRow, 0, len(f.records)-1)
	for n := 2; n <= len(f.records); n++ {
		out = append(out, refRow{f, n})
	}
	return out
}

// criterion is one condition of find: a column and a test of its cell.
type criterion struct {
	column string
	desc   string // for messages: `="x"` or ` starts with "x"`
	match  func(string) bool
}

// is matches a cell equal to s.
func is(column, s string) criterion {
	return criterion{column, fmt.Sprintf("=%q", s), func(c string) bool { return c == s }}
}

// prefix matches a cell starting with s.
func prefix(column, s string) criterion {
	return criterion{column, fmt.Sprintf(" starting with %q", s), func(c string) bool { return strings.HasPrefix(c, s) }}
}

// find returns the single row matching every criterion. Rows are located by
// content, never by record number, and zero or several matches are an error,
// so a reshuffled or extended reference file cannot silently shift a
// citation.
func (f *refFile) find(crit ...criterion) (refRow, error) {
	var hits []refRow
	for _, r := range f.rows() {
		ok := true
		for _, c := range crit {
			if !c.match(r.get(c.column)) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, r)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	descs := make([]string, len(crit))
	for i, c := range crit {
		descs[i] = c.column + c.desc
	}
	msg := fmt.Sprintf("%s: expected exactly 1 row with %s, found %d", f.rel, strings.Join(descs, ", "), len(hits))
	if len(hits) > 1 {
		recs := make([]string, len(hits))
		for i, h := range hits {
			recs[i] = fmt.Sprintf("#%d", h.n)
		}
		msg += " (records " + strings.Join(recs, ", ") + "); add a criterion that tells them apart"
	}
	return refRow{}, errors.New(msg)
}

// refs opens reference files on first use and keeps them.
type refs struct {
	root  string
	files map[string]*refFile
}

func newRefs(root string) *refs { return &refs{root: root, files: map[string]*refFile{}} }

// file returns the reference file rel (slash-separated, below the root).
func (r *refs) file(rel string) (*refFile, error) {
	if f, ok := r.files[rel]; ok {
		return f, nil
	}
	f, err := readRefFile(r.root, rel)
	if err != nil {
		return nil, err
	}
	r.files[rel] = f
	return f, nil
}

// record returns the record a citation <file>#<n> names.
func (r *refs) record(source string) ([]string, error) {
	rel, num, ok := strings.Cut(source, "#")
	n, err := strconv.Atoi(num)
	ok = ok && err == nil && strconv.Itoa(n) == num
	if !ok {
		return nil, fmt.Errorf("source %q is not <file>#<record>", short(source))
	}
	f, err := r.file(rel)
	if err != nil {
		return nil, err
	}
	if n < 2 || n > len(f.records) {
		return nil, fmt.Errorf("source %s: %s has data records #2..#%d", source, rel, len(f.records))
	}
	return f.records[n-1], nil
}

// missingColumns reports every column asked for that a reference file lacks.
func (r *refs) missingColumns() error {
	var msgs []string
	for _, f := range r.files {
		for c := range f.missing {
			msgs = append(msgs, fmt.Sprintf("%s: no column %q (header: %s)", f.rel, c, short(strings.Join(f.records[0], ","))))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "\n"))
}

// readRefFile reads and parses one reference CSV (RFC 4180, UTF-8, no BOM,
// every record as wide as the header).
func readRefFile(root, rel string) (*refFile, error) {
	if path.IsAbs(rel) || strings.HasPrefix(path.Clean(rel), "..") {
		return nil, fmt.Errorf("reference file %q: must be a path below the reference root", short(rel))
	}
	fh, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("reference file %s: %w (is -ref the shared/reference-data folder?)", rel, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxRefFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reference file %s: %w", rel, err)
	}
	return parseRefFile(rel, b)
}

// parseRefFile parses the bytes of reference file rel.
func parseRefFile(rel string, b []byte) (*refFile, error) {
	if len(b) > maxRefFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", rel, maxRefFileSize)
	}
	if bytes.HasPrefix(b, []byte("\uFEFF")) {
		return nil, fmt.Errorf("%s:1: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", rel)
	}
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:firstInvalidUTF8(b)], []byte("\n"))
		return nil, fmt.Errorf("%s:%d: not valid UTF-8", rel, line)
	}
	cr := csv.NewReader(bytes.NewReader(b))
	f := &refFile{rel: rel, col: map[string]int{}, missing: map[string]bool{}}
	nextLine := 1 // the line the next record must start on
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: malformed CSV record #%d: %v", rel, pe.StartLine, len(f.records)+1, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		line, _ := cr.FieldPos(0)
		// encoding/csv skips empty lines; a record count that skipped them
		// would no longer be the record number other CSV readers give, and
		// every citation below the blank line would be ambiguous.
		if line != nextLine {
			return nil, fmt.Errorf("%s:%d: empty line; remove it so that record numbers (citations) stay unambiguous", rel, nextLine)
		}
		last := len(rec) - 1
		lastLine, _ := cr.FieldPos(last)
		nextLine = lastLine + strings.Count(rec[last], "\n") + 1
		f.records = append(f.records, rec)
		f.lines = append(f.lines, line)
	}
	if len(f.records) == 0 {
		return nil, fmt.Errorf("%s: empty; expected a header row and data rows", rel)
	}
	for i, name := range f.records[0] {
		if _, dup := f.col[name]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", rel, short(name))
		}
		f.col[name] = i
	}
	return f, nil
}

// firstInvalidUTF8 returns the offset of the first invalid UTF-8 sequence.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// short returns at most a short prefix of s, for error messages that must
// not echo their input at length.
func short(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
