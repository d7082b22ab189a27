package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseRefFile(t *testing.T) {
	tests := []struct {
		name, in  string
		wantErr   string // "" for success
		wantLines []int
	}{
		{"LF", "a,b\n1,2\n3,4\n", "", []int{1, 2, 3}},
		{"CRLF", "a,b\r\n1,2\r\n3,4\r\n", "", []int{1, 2, 3}},
		{"no final newline", "a,b\n1,2", "", []int{1, 2}},
		{"line break inside a quoted field", "a,b\n\"x\ny\",2\n3,4\n", "", []int{1, 2, 4}},
		{"bare quote", "a,b\n1,2\nx\"y,z\n", "f.csv:3: malformed CSV record #3: bare \"", nil},
		{"unterminated quote", "a,b\n\"1,2\n", "f.csv:2: malformed CSV record #2", nil},
		{"wrong field count", "a,b\n1,2,3\n", "f.csv:2: malformed CSV record #2: wrong number of fields", nil},
		{"empty line", "a,b\n1,2\n\n3,4\n", "f.csv:3: empty line", nil},
		{"empty line, CRLF", "a,b\r\n1,2\r\n\r\n3,4\r\n", "f.csv:3: empty line", nil},
		{"empty line after a multi-line field", "a,b\n\"x\ny\",2\n\n3,4\n", "f.csv:4: empty line", nil},
		{"byte-order mark", "\uFEFFa,b\n1,2\n", "f.csv:1: starts with a UTF-8 byte-order mark", nil},
		{"invalid UTF-8", "a,b\n1,2\n3,\xff\n", "f.csv:3: not valid UTF-8", nil},
		{"empty file", "", "f.csv: empty", nil},
		{"duplicate column", "a,a\n1,2\n", `f.csv:1: column "a" appears twice`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseRefFile("f.csv", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f.lines) != fmt.Sprint(tt.wantLines) {
				t.Errorf("lines = %v, want %v", f.lines, tt.wantLines)
			}
		})
	}
}

func mustParse(t *testing.T, rel, in string) *refFile {
	t.Helper()
	f, err := parseRefFile(rel, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFind(t *testing.T) {
	f := mustParse(t, "us/x.csv", "product,value\nRebar - fabricated,854\nRebar - unfabricated,753\nGlass,1430\n")
	tests := []struct {
		name    string
		crit    []criterion
		wantRec int
		wantErr string
	}{
		{"exact", []criterion{is("product", "Glass")}, 4, ""},
		{"prefix, one", []criterion{prefix("product", "Rebar - f")}, 2, ""},
		{"two criteria", []criterion{prefix("product", "Rebar"), is("value", "753")}, 3, ""},
		{"none", []criterion{is("product", "Steel")}, 0, `us/x.csv: expected exactly 1 row with product="Steel", found 0`},
		{"several", []criterion{prefix("product", "Rebar")}, 0, `found 2 (records #2, #3); add a criterion`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.find(tt.crit...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.n != tt.wantRec || r.cite() != "us/x.csv#"+strconv.Itoa(tt.wantRec) {
				t.Errorf("found record %d (%s), want %d", r.n, r.cite(), tt.wantRec)
			}
		})
	}
}

func TestMissingColumnIsReported(t *testing.T) {
	rf := newRefs(t.TempDir())
	f := mustParse(t, "us/x.csv", "product,value\nGlass,1430\n")
	rf.files[f.rel] = f
	if err := rf.missingColumns(); err != nil {
		t.Fatalf("before any lookup: %v", err)
	}
	r := f.rows()[0]
	if got := r.get("value"); got != "1430" {
		t.Errorf("get(value) = %q", got)
	}
	if got := r.get("gwp"); got != "" {
		t.Errorf("get(gwp) = %q, want empty", got)
	}
	err := rf.missingColumns()
	if err == nil || !strings.Contains(err.Error(), `us/x.csv: no column "gwp" (header: product,value)`) {
		t.Errorf("missingColumns() = %v", err)
	}
}

func TestRecord(t *testing.T) {
	rf := newRefs(t.TempDir())
	rf.files["us/x.csv"] = mustParse(t, "us/x.csv", "product,value\nGlass,1430\n")
	if rec, err := rf.record("us/x.csv#2"); err != nil || strings.Join(rec, ",") != "Glass,1430" {
		t.Errorf("record(us/x.csv#2) = %v, %v", rec, err)
	}
	for _, src := range []string{"us/x.csv", "us/x.csv#", "us/x.csv#two", "us/x.csv#+2", "us/x.csv#02", "us/x.csv#1", "us/x.csv#3", "us/y.csv#2", "../x.csv#2"} {
		if _, err := rf.record(src); err == nil {
			t.Errorf("record(%q): no error", src)
		}
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no arguments", nil},
		{"no -out", []string{"-ref", "x"}},
		{"extra argument", []string{"-ref", "x", "-out", "y", "z"}},
		{"unknown flag", []string{"-reference", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(tt.args, &bytes.Buffer{}, &stderr)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(stderr.String(), "usage: refdata") {
				t.Errorf("stderr %q has no usage line", stderr.String())
			}
		})
	}
}

func TestRunMissingReferenceData(t *testing.T) {
	out := t.TempDir()
	err := run([]string{"-ref", filepath.Join(t.TempDir(), "nope"), "-out", out}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("missing -ref folder: %v", err)
	}
	err = run([]string{"-ref", t.TempDir(), "-out", out}, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "reference file us/egrid_subregions.csv") {
		t.Errorf("empty -ref folder: %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed run wrote %d entries", len(entries))
	}
}

// TestGenerateReportsBadReferenceData edits a copy of the reference tables
// one way at a time: each run must fail with a message naming the file (and
// line or row), and write nothing.
func TestGenerateReportsBadReferenceData(t *testing.T) {
	root := refRoot(t)
	tests := []struct {
		name, file, old, new string
		want                 []string
	}{
		{"malformed row", "us/freight.csv", ",Medium- and Heavy-Duty Truck,", ",Medium- and \"Heavy\"-Duty Truck,",
			[]string{"us/freight.csv:2: malformed CSV record #2", "bare \""}},
		{"row not found", "us/stationary_combustion.csv", ",Lignite,", ",Brown coal,",
			[]string{"us/stationary_combustion.csv: expected exactly 1 row with", `fuel_type="Lignite"`, "found 0"}},
		{"column renamed", "eu/ipcc2006_stationary.csv", "ncv_unit", "ncv_units",
			[]string{"eu/ipcc2006_stationary.csv", "ncv_unit"}},
		{"value not a decimal", "us/egrid_subregions.csv", ",899.0,", ",899.0 lb,",
			[]string{"datasets/egrid-2023/factors.csv row", `value "899.0 lb" is not a decimal`}},
		{"unknown unit", "us/freight.csv", "short ton-mile,kg CO2,", "short ton-mile,t CO2,",
			[]string{"us/freight.csv:5 (record #5): co2_factor_unit_numerator \"t CO2\" is not a unit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := t.TempDir()
			copyTree(t, root, ref)
			p := filepath.Join(ref, filepath.FromSlash(tt.file))
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
			out := t.TempDir()
			err = run([]string{"-ref", ref, "-out", out}, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a failed run wrote %d entries", len(entries))
			}
		})
	}
}
