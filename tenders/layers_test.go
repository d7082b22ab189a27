package tenders_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// module is this module's path.
const module = "github.com/footprint-gpp/footprint"

// TestLayers checks that dependencies point one way (DESIGN "Layout"):
// no package of this module that the use cases stand on (tenders,
// export/..., tender, store, calc/..., and everything of this module they
// import) imports net/http, gorilla/mux or server; and that the command
// uses server for serve only (cmd_serve.go), calling tenders for the
// tender use cases.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	forbidden := []string{"net/http", "github.com/gorilla/mux", module + "/server"}
	out, err := exec.Command("go", "list", "-deps",
		"-f", `{{if .Module}}{{if eq .Module.Path "`+module+`"}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{end}}{{end}}`,
		module+"/tenders", module+"/officers", module+"/export/...", module+"/tender", module+"/store", module+"/calc/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		seen++
		for _, imp := range f[1:] {
			for _, bad := range forbidden {
				if imp == bad || strings.HasPrefix(imp, bad+"/") {
					t.Errorf("%s imports %s: it must not know HTTP or the server", f[0], imp)
				}
			}
		}
	}
	if seen < 5 {
		t.Fatalf("go list named %d packages of this module; expected the layers below server:\n%s", seen, out)
	}

	files, err := filepath.Glob(filepath.Join("..", "cmd", "footprint", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files of cmd/footprint: %v", err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue // tests may compare the CLI with the API
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == module+"/server" && filepath.Base(name) != "cmd_serve.go" {
				t.Errorf("%s imports server: the command uses server for serve only (cmd_serve.go); call package tenders for a use case", name)
			}
		}
	}
}
