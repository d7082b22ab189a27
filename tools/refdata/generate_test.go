package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// factorsData is the committed, embedded data the generator must reproduce.
var factorsData = filepath.Join("..", "..", "factors", "data")

// refRoot returns the reference tables beside the repository. Outside CI a
// checkout without them skips; under CI=true they must be there (CI clones
// the repository with ../shared beside it), so the guard cannot silently
// switch itself off.
func refRoot(t *testing.T) string {
	t.Helper()
	root := filepath.Join("..", "..", "..", "shared", "reference-data")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference tables not found at %s (CI=true: ../shared must be beside the repository): %v", root, err)
		}
		t.Skipf("reference tables not found at %s; check out shared/ beside the repository to run this test", root)
	}
	return root
}

// listFiles returns the regular files below dir, slash-separated and sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// firstDiff describes the first line where a and b differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  generated: %q\n  committed: %q", i+1, x, y)
		}
	}
	return "same lines, different bytes"
}

// TestGenerateMatchesFactorsData is the guard of "byte-identical": the
// generator, run on the reference tables, must reproduce every committed
// file under factors/data (FORMAT.md aside, which is written by hand), and
// factors/data must hold no file the generator does not write.
func TestGenerateMatchesFactorsData(t *testing.T) {
	root := refRoot(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-ref", root, "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("a run without -v should be silent; stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	got := listFiles(t, out)
	var want []string
	for _, f := range listFiles(t, factorsData) {
		if f != "FORMAT.md" {
			want = append(want, f)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("generated files:\n  %s\nfactors/data files:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, f := range want {
		g, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(factorsData, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from factors/data (run `go generate ./factors` and review the diff): %s", f, firstDiff(g, w))
		}
	}
}

// TestGenerateIsDeterministic runs the generator twice: map iteration or any
// other source of randomness must not reach the output.
func TestGenerateIsDeterministic(t *testing.T) {
	root := refRoot(t)
	a, err := generate(root, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate(root, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].rel != b[i].rel || !bytes.Equal(a[i].data, b[i].data) {
			t.Errorf("file %d: %s then %s, or different bytes", i, a[i].rel, b[i].rel)
		}
	}
}

// TestVerifyFactorsData runs the independent check on the committed data.
func TestVerifyFactorsData(t *testing.T) {
	root := refRoot(t)
	for _, e := range verifyData(root, factorsData) {
		t.Error(e)
	}
}

// TestVerifyCatches corrupts a copy of factors/data one way at a time and
// expects the independent check to say so: a check that cannot fail
// guards nothing.
func TestVerifyCatches(t *testing.T) {
	root := refRoot(t)
	tests := []struct {
		name, file, old, new, want string
	}{
		{"value not in cited record", "datasets/epa-ghg-hub-2025/factors.csv",
			",53.06,kg/mmBtu,", ",53.07,kg/mmBtu,", `value "53.07" not a field of us/stationary_combustion.csv#`},
		{"value not a decimal", "gwp.csv", "AR5,CO2,1,", "AR5,CO2,one,", `"one" is not a decimal`},
		{"source beyond the file", "gwp.csv", "us/gwp.csv#2\n", "us/gwp.csv#99999\n", `source "us/gwp.csv#99999" does not exist`},
		{"unknown unit", "datasets/egrid-2023/factors.csv", ",lb/MWh,", ",lb/MWhr,", `unit "lb/MWhr"`},
		{"energy factor without basis", "datasets/ipcc-2006/factors.csv", ",kg/TJ,NCV,", ",kg/TJ,,", "energy factor without basis"},
		{"unknown region", "datasets/eea-electricity-v12/factors.csv", ",electricity.grid,AT,", ",electricity.grid,XX,", `region "XX"`},
		{"unknown activity", "datasets/clf-baselines-2023/factors.csv", ",material.steel.rebar,", ",material.steel.rebars,", `activity "material.steel.rebars"`},
		{"duplicate limit id", "datasets/buy-clean-ca-2022/limits.csv", "bcca22-hss,", "bcca22-section,", "duplicate id bcca22-section"},
		{"meta key missing", "datasets/egrid-2023/meta.toml", "\nedition = ", "\nedition_ = ", "edition missing"},
		{"meta not TOML", "datasets/egrid-2023/meta.toml", `id = "egrid"`, `id = "egrid`, "meta.toml:"},
		{"header changed", "regions.csv", "code,name,parent", "code,name,parents", "regions.csv: header"},
		{"short row", "activities.csv", "\nheat.steam,energy,heat,", "\nheat.steam,energy,", "3 fields, want 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			copyTree(t, factorsData, data)
			p := filepath.Join(data, filepath.FromSlash(tt.file))
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(tt.old)) {
				t.Fatalf("%s does not contain %q; update the test", tt.file, tt.old)
			}
			if err := os.WriteFile(p, bytes.Replace(b, []byte(tt.old), []byte(tt.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			errs := verifyData(root, data)
			for _, e := range errs {
				if strings.Contains(e, tt.want) {
					return
				}
			}
			t.Errorf("want a problem containing %q, got %q", tt.want, errs)
		})
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		w, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, src); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}
