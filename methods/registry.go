package methods

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/footprint-gpp/footprint/factors"

	"github.com/footprint-gpp/footprint/internal/clip"
)

//go:embed defs
var embeddedDefs embed.FS

// ErrUnknownMethod marks a method reference that does not resolve.
var ErrUnknownMethod = errors.New("unknown method")

// Registry holds method versions by id@version. It is built once and then
// only read, so it is safe for concurrent use.
type Registry struct {
	lib      *factors.Library
	byRef    map[string]*Method
	versions map[string][]*Method // per id, ascending version
}

// NewRegistry returns an empty registry bound to a library.
func NewRegistry(lib *factors.Library) *Registry {
	return &Registry{lib: lib, byRef: map[string]*Method{}, versions: map[string][]*Method{}}
}

// Embedded returns a registry with the built-in methods (defs/**.toml).
func Embedded(lib *factors.Library) (*Registry, error) {
	r := NewRegistry(lib)
	if err := r.AddFS(embeddedDefs, "defs", "embedded:"); err != nil {
		return nil, err
	}
	return r, nil
}

// Library returns the library the registry validates against.
func (r *Registry) Library() *factors.Library { return r.lib }

// AddDir adds every *.toml below dir. A file that fails validation stops
// the whole load with all its problems.
func (r *Registry) AddDir(dir string) error {
	return r.AddFS(os.DirFS(dir), ".", filepath.Clean(dir)+string(filepath.Separator))
}

// AddFS adds every *.toml below root in fsys; prefix is prepended to file
// names in messages.
func (r *Registry) AddFS(fsys fs.FS, root, prefix string) error {
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".toml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	var all Problems
	for _, p := range files {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := prefix + path.Clean(p)
		if err := r.AddSource(name, src); err != nil {
			var ps Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
				continue
			}
			return err
		}
	}
	if len(all) > 0 {
		return all
	}
	return nil
}

// AddSource parses, validates and registers one method file.
func (r *Registry) AddSource(file string, src []byte) error {
	m, err := Parse(file, src)
	if err != nil {
		return err
	}
	if ps := Validate(m, r.lib, src); len(ps) > 0 {
		return ps
	}
	return r.Add(m, src)
}

// Add registers a validated method. A version that already exists for its
// id is refused: versions are immutable, publish a new one.
func (r *Registry) Add(m *Method, src []byte) error {
	if old, ok := r.byRef[m.Ref()]; ok {
		return Problems{{File: m.File, Line: locate(src, "version"), Field: "version", Rule: "new-version",
			Message: fmt.Sprintf("%s already exists (from %s); give the new file a new version", m.Ref(), old.File)}}
	}
	r.byRef[m.Ref()] = m
	vs := append(r.versions[m.ID], m)
	sort.Slice(vs, func(i, j int) bool { return compareVersions(vs[i].Version, vs[j].Version) < 0 })
	r.versions[m.ID] = vs
	return nil
}

// Check parses and validates one method file against the registry's
// library and checks that its id@version is new: every problem found, or
// the method when there is none. Unlike AddSource it does not register the
// method. A file already registered under the same name (e.g. because its
// directory was loaded with --methods) is not counted against itself.
func (r *Registry) Check(file string, src []byte) (*Method, Problems) {
	m, err := Parse(file, src)
	if err != nil {
		var ps Problems
		if errors.As(err, &ps) {
			return nil, ps
		}
		return nil, Problems{{File: file, Line: 1, Rule: "syntax", Message: err.Error()}}
	}
	ps := Validate(m, r.lib, src)
	if old, ok := r.byRef[m.Ref()]; ok && !sameFile(old.File, file) {
		msg := fmt.Sprintf("%s already exists (from %s); versions are immutable: give the new file a new version", m.Ref(), old.File)
		if old.Digest == m.Digest {
			msg = fmt.Sprintf("%s already exists with the same content (from %s); a new version needs a new version number", m.Ref(), old.File)
		}
		if vs := r.versions[m.ID]; len(vs) > 0 {
			msg += "; latest is " + vs[len(vs)-1].Version
		}
		ps = append(ps, Problem{File: file, Line: locate(src, "version"), Field: "version", Rule: "new-version", Message: msg})
	}
	if len(ps) > 0 {
		return m, ps
	}
	return m, nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

// Resolve finds "id@version", or "id" alone as its latest active version.
func (r *Registry) Resolve(ref string) (*Method, error) {
	ref = strings.TrimSpace(ref)
	id, _, hasVersion := strings.Cut(ref, "@")
	vs, ok := r.versions[id]
	if !ok {
		return nil, fmt.Errorf("%w %q: known methods are %s", ErrUnknownMethod, clip.Text(ref), strings.Join(r.IDs(), ", "))
	}
	if hasVersion {
		if m, ok := r.byRef[ref]; ok {
			return m, nil
		}
		return nil, fmt.Errorf("%w %q: %s has versions %s", ErrUnknownMethod, clip.Text(ref), id, strings.Join(versionList(vs), ", "))
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Status == Active {
			return vs[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q: no active version; name one of %s", ErrUnknownMethod, clip.Text(ref), strings.Join(versionList(vs), ", "))
}

// IDs lists method ids, sorted.
func (r *Registry) IDs() []string {
	out := make([]string, 0, len(r.versions))
	for id := range r.versions {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// All lists every method version, by id then version.
func (r *Registry) All() []*Method {
	var out []*Method
	for _, id := range r.IDs() {
		out = append(out, r.versions[id]...)
	}
	return out
}

// Versions lists the versions of one id, ascending.
func (r *Registry) Versions(id string) []*Method { return append([]*Method(nil), r.versions[id]...) }

func versionList(vs []*Method) []string {
	out := make([]string, len(vs))
	for i, m := range vs {
		out[i] = m.Version + " (" + string(m.Status) + ")"
	}
	return out
}

// Defaults returns the embedded library and a registry of the built-in
// methods: where every command and most tests start.
func Defaults() (*factors.Library, *Registry, error) {
	lib, err := factors.Embedded()
	if err != nil {
		return nil, nil, fmt.Errorf("loading embedded data: %w", err)
	}
	reg, err := Embedded(lib)
	if err != nil {
		return nil, nil, fmt.Errorf("loading embedded methods: %w", err)
	}
	return lib, reg, nil
}
