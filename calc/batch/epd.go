package batch

import (
	"fmt"
	"sync"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
)

// Bounds of a run's EPD files: the distinct names its factor_epd cells may
// give, and the bytes of all the files read together. Each file is read and
// parsed once per run (the cache below); what is kept is its declaration
// (small: epd cuts texts to 500 characters), never its bytes.
const (
	MaxEPDFiles = 1000
	MaxEPDBytes = 256 << 20
)

// ErrNoEPD marks a factor_epd cell in a run that reads no EPD files
// (Options.EPD is nil: POST /v1/batch, which has no EPD directory).
var ErrNoEPD = fmt.Errorf("batch: no EPD files in this run: %w", calc.ErrEPD)

// epdCache is a run's memo of Options.EPD, shared by its workers: each name
// is resolved once, however many rows give it, and at most MaxEPDFiles
// names and MaxEPDBytes bytes are read.
type epdCache struct {
	resolve func(name string) (*calc.EPDDocument, error)
	mu      sync.Mutex
	m       map[string]*epdFile
	bytes   int64
}

// epdFile is one name's resolution; once guards it, so that workers asking
// for the same name at the same time wait for one read.
type epdFile struct {
	once sync.Once
	doc  *calc.EPDDocument
	err  error
}

func newEPDCache(resolve func(string) (*calc.EPDDocument, error)) *epdCache {
	return &epdCache{resolve: resolve, m: map[string]*epdFile{}}
}

// get returns the document a factor_epd cell names, or the error that
// refuses it (a *cellError naming factor_epd).
func (c *epdCache) get(name string) (*calc.EPDDocument, error) {
	if c == nil || c.resolve == nil {
		return nil, &cellError{col: "factor_epd", msg: "this run reads no EPD files (footprint batch --epd-dir DIR reads them; POST /v1/batch does not): give factor_kg_co2e, factor_per and factor_reference instead", kind: ErrNoEPD}
	}
	c.mu.Lock()
	f, ok := c.m[name]
	if !ok {
		if len(c.m) >= MaxEPDFiles {
			c.mu.Unlock()
			return nil, &cellError{col: "factor_epd", msg: fmt.Sprintf("more than %d distinct EPD files in one run; split the input", MaxEPDFiles), kind: calc.ErrEPD}
		}
		f = &epdFile{}
		c.m[name] = f
	}
	c.mu.Unlock()
	f.once.Do(func() {
		doc, err := c.resolve(name)
		if err != nil {
			f.err = &cellError{col: "factor_epd", msg: err.Error(), kind: err}
			return
		}
		if doc == nil || doc.Declaration == nil {
			f.err = &cellError{col: "factor_epd", msg: "EPD " + clip.Text(name) + " was not read", kind: calc.ErrEPD}
			return
		}
		c.mu.Lock()
		c.bytes += int64(len(doc.Raw))
		over := c.bytes > MaxEPDBytes
		c.mu.Unlock()
		if over {
			f.err = &cellError{col: "factor_epd", msg: fmt.Sprintf("EPD %s: the run's EPD files exceed %d bytes together; split the input", clip.Text(name), MaxEPDBytes), kind: calc.ErrEPD}
			return
		}
		d := *doc
		d.Raw = nil // the declaration is what the engine reads
		f.doc = &d
	})
	return f.doc, f.err
}
