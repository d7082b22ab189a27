package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// epdDir reads the EPD files a batch's factor_epd cells name, inside one
// directory: a relative slash-separated path, no "..", no absolute path,
// and (os.Root) no symbolic link leading out of the directory. The format
// is the cell's prefix ("ilcd+epd:name.zip", "openepd:name.json") or else
// guessed from the bytes (a zip or XML is ILCD+EPD, JSON is openEPD).
// batch.Run calls it once per distinct name and keeps the result.
type epdDir struct {
	root *os.Root
}

func openEPDDir(dir string) (*epdDir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("--epd-dir %s: %w", dir, err)
	}
	return &epdDir{root: r}, nil
}

func (d *epdDir) Close() error { return d.root.Close() }

// splitEPDCell returns a factor_epd cell's format prefix (or "") and file.
func splitEPDCell(cell string) (format, name string) {
	for _, f := range []string{epd.FormatILCD, epd.FormatOpenEPD} {
		if rest, ok := strings.CutPrefix(cell, f+":"); ok {
			return f, rest
		}
	}
	return "", cell
}

// resolve reads and parses the file a factor_epd cell names.
func (d *epdDir) resolve(cell string) (*calc.EPDDocument, error) {
	format, name := splitEPDCell(cell)
	bad := func(msg string) error { return fmt.Errorf("EPD %s: %s", clip.Text(cell), msg) }
	switch {
	case name == "":
		return nil, bad("no file name after the format")
	case strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || (len(name) > 1 && name[1] == ':'):
		return nil, bad("an absolute path; name a file in --epd-dir by its relative path with / (e.g. steel/rebar.json)")
	case !fs.ValidPath(name) || path.Clean(name) != name:
		return nil, bad(`not a plain relative path (no "..", ".", empty or trailing parts); name a file in --epd-dir, e.g. steel/rebar.json`)
	}
	f, err := d.root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, bad("no such file in --epd-dir")
		}
		return nil, bad("cannot be opened inside --epd-dir (a link leading out of it is refused)")
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, bad("not a regular file")
	}
	raw, err := io.ReadAll(io.LimitReader(f, epd.MaxBytes+1))
	if err != nil {
		return nil, bad("cannot be read: " + err.Error())
	}
	if format == "" {
		if format = guessFormat(raw); format == "" {
			return nil, bad("neither a zip, XML nor JSON; prefix the cell with ilcd+epd: or openepd:")
		}
	}
	decl, err := epd.Parse(format, name, raw)
	if err != nil {
		return nil, err
	}
	return &calc.EPDDocument{Format: format, File: name, Raw: raw, Declaration: decl}, nil
}
