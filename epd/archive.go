package epd

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// isZip reports a zip archive by its local file header signature.
func isZip(raw []byte) bool { return bytes.HasPrefix(raw, []byte("PK\x03\x04")) }

// ilcdDirs are the archive folders read; the others (lciamethods/,
// contacts/, sources/, external_docs/ …) are not needed for what is
// read and are skipped unopened.
var ilcdDirs = map[string]bool{"processes": true, "flows": true, "flowproperties": true, "unitgroups": true}

// parseArchive reads an ILCD archive: the one process data set under
// processes/ and the flows, flow properties and unit groups beside it.
// Entries are counted (MaxArchiveEntries) and their decompressed bytes
// are counted as read, whatever the headers claim (MaxBytes in all): a
// zip bomb stops at the limit.
func parseArchive(name string, raw []byte) (*Declaration, error) {
	if len(raw) > MaxBytes {
		return nil, &DocError{File: name, Msg: fmt.Sprintf("%d bytes, over the limit of %d", len(raw), MaxBytes), Err: ErrTooLarge}
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, &DocError{File: name, Msg: "not a readable zip archive: " + clip(err.Error()), Err: ErrMalformed}
	}
	if len(zr.File) > MaxArchiveEntries {
		return nil, &DocError{File: name, Msg: fmt.Sprintf("%d entries, over the limit of %d", len(zr.File), MaxArchiveEntries), Err: ErrTooLarge}
	}
	fs := newILCDFiles()
	budget := int64(MaxBytes)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(f.Name), ".xml") {
			continue
		}
		dir := strings.ToLower(path.Base(path.Dir(f.Name)))
		if !ilcdDirs[dir] {
			continue
		}
		entry := name + "!" + clipID(f.Name)
		rc, err := f.Open()
		if err != nil {
			return nil, &DocError{File: entry, Msg: "cannot open the entry: " + clip(err.Error()), Err: ErrMalformed}
		}
		data, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err != nil {
			return nil, &DocError{File: entry, Msg: "cannot decompress the entry: " + clip(err.Error()), Err: ErrMalformed}
		}
		budget -= int64(len(data))
		if budget < 0 {
			return nil, &DocError{File: entry, Msg: fmt.Sprintf("the archive decompresses to more than %d bytes", MaxBytes), Err: ErrTooLarge}
		}
		if err := fs.add(entry, data); err != nil {
			return nil, err
		}
	}
	switch len(fs.processes) {
	case 0:
		return nil, &DocError{File: name, Field: "processes/", Msg: "no process data set in the archive; an ILCD+EPD archive holds the EPD under processes/UUID.xml", Err: ErrMalformed}
	case 1:
	default:
		return nil, &DocError{File: name, Field: "processes/", Msg: fmt.Sprintf("%d process data sets in the archive; give one EPD per archive", len(fs.processes)), Err: ErrMalformed}
	}
	return fs.declaration(digest(raw))
}
