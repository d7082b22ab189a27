package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodCSV = "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US,1000,mmBtu\n"
const badCSV = goodCSV + "2,fuel.natural_gas,US,\"12,5\",mmBtu\n"

// ligniteCSV has a row eu-gpp cannot compute: no published HHV→NCV ratio
// for lignite.
const ligniteCSV = "line_id,activity,region,quantity,unit\n1,fuel.lignite,US,1000,mmBtu\n"

func TestBatchExitStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte(goodCSV), 0o644)
	cases := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"all ok, stdin to stdout", goodCSV, []string{"batch", "--method", "us-federal"}, exitOK, "53114.500", "1 rows computed: 1 ok, 0 with errors"},
		{"file argument", "", []string{"batch", "--method", "us-federal@2025.1", good}, exitOK, "53114.500", "rows/s"},
		{"some rows failed", badCSV, []string{"batch", "--method", "us-federal"}, exitRowErrs, "quantity: not a decimal number: 12,5", "errors by kind: quantity 1"},
		{"two methods", ligniteCSV, []string{"batch", "--method", "us-federal", "--method", "eu-gpp", "--workers", "1"}, exitRowErrs, "delta_kg_co2e", "total eu-gpp@2026.2"},
		{"quiet", badCSV, []string{"batch", "--quiet", "--method", "us-federal"}, exitRowErrs, "error", ""},
		{"dry run", badCSV, []string{"batch", "--dry-run", "--method", "us-federal"}, exitRowErrs, "", "dry run"},
		{"missing column named", "line_id,activity,region,unit\n", []string{"batch", "--method", "us-federal"}, exitFailed, "", "missing required column(s) quantity"},
		{"empty input", "", []string{"batch", "--method", "us-federal"}, exitFailed, "", "a header row is required"},
		{"unknown method", goodCSV, []string{"batch", "--method", "nope"}, exitFailed, "", "nope"},
		{"unreadable file", "", []string{"batch", "--method", "us-federal", filepath.Join(dir, "missing.csv")}, exitFailed, "", "missing.csv"},
		{"no method", goodCSV, []string{"batch"}, exitUsage, "", "give at least one --method"},
		{"two inputs", goodCSV, []string{"batch", "--method", "us-federal", "a.csv", "b.csv"}, exitUsage, "", "at most one input"},
		{"bad flag", goodCSV, []string{"batch", "--nope"}, exitUsage, "", "flag provided but not defined"},
		{"negative workers", goodCSV, []string{"batch", "--method", "us-federal", "--workers", "-1"}, exitUsage, "", "--workers -1: use 0 (one per CPU) up to at most 256"},
		{"too many workers", goodCSV, []string{"batch", "--method", "us-federal", "--workers", "257"}, exitUsage, "", "--workers 257: use 0 (one per CPU) up to at most 256"},
		{"absurd workers", goodCSV, []string{"batch", "--method", "us-federal", "--workers", "1000000000000"}, exitUsage, "", "at most 256"},
		{"most workers", goodCSV, []string{"batch", "--method", "us-federal", "--workers", "256"}, exitOK, "53114.500", "1 ok"},
		{"workers 0 is one per CPU", goodCSV, []string{"batch", "--method", "us-federal", "--workers", "0"}, exitOK, "53114.500", "1 ok"},
		{"help", "", []string{"batch", "--help"}, exitOK, "", "Exit status"},
		{"intervals", goodCSV, []string{"batch", "--method", "us-federal@2026.2", "--uncertainty", "1000", "--seed", "42"}, exitOK,
			",53089.338,53128.870,50938.963,55140.945,50501.640,55578.049,sampled\n", "intervals: 1000 draws, seed 42 (generator ChaCha8"},
		{"intervals without a model", goodCSV, []string{"batch", "--method", "us-federal@2025.1", "--uncertainty", "10"}, exitOK,
			"kg_co2e_mean", "model of us-federal@2025.1: none. us-federal@2025.1 declares no uncertainty model"},
		{"intervals of two methods", ligniteCSV, []string{"batch", "--method", "us-federal", "--method", "eu-gpp", "--uncertainty", "100"}, exitRowErrs,
			",p_delta_positive\n", "intervals: 100 draws, seed 1"},
		{"dry run ignores intervals", goodCSV, []string{"batch", "--dry-run", "--method", "us-federal", "--uncertainty", "100"}, exitOK, "", "dry run"},
		{"no draws", goodCSV, []string{"batch", "--method", "us-federal", "--uncertainty", "-1"}, exitUsage, "", "--uncertainty -1: use 1 to 1000000 draws"},
		{"too many draws", goodCSV, []string{"batch", "--method", "us-federal", "--uncertainty", "1000001"}, exitUsage, "", "--uncertainty 1000001: use 1 to 1000000 draws"},
		{"bad seed", goodCSV, []string{"batch", "--method", "us-federal", "--uncertainty", "10", "--seed", "-3"}, exitUsage, "", `--seed "-3": use an unsigned 64-bit integer`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tc.code, errs)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errs)
			}
			if strings.Contains(strings.Join(tc.args, " "), "quiet") && errs != "" {
				t.Errorf("--quiet wrote to stderr: %s", errs)
			}
			if strings.Contains(strings.Join(tc.args, " "), "dry-run") && out != "" {
				t.Errorf("--dry-run wrote to stdout: %s", out)
			}
		})
	}
}

func TestBatchOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	code, stdout, errs := runCmd(t, badCSV, "batch", "--method", "us-federal", "-o", out)
	if code != exitRowErrs || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "\n") != 3 {
		t.Fatalf("output %q, %v", b, err)
	}
	// A run that cannot proceed leaves no file, and no temporary file.
	out2 := filepath.Join(dir, "out2.csv")
	if code, _, _ := runCmd(t, "line_id,activity\n", "batch", "--method", "us-federal", "-o", out2); code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("partial output file left: %v", err)
	}
	// A failed run over an existing file keeps the old file.
	if code, _, _ := runCmd(t, "", "batch", "--method", "us-federal", "-o", out); code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	if b2, _ := os.ReadFile(out); !bytes.Equal(b, b2) {
		t.Error("a failed run changed the existing output file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	// Dry run with -o writes no file.
	out3 := filepath.Join(dir, "out3.csv")
	runCmd(t, goodCSV, "batch", "--dry-run", "--method", "us-federal", "-o", out3)
	if _, err := os.Stat(out3); !os.IsNotExist(err) {
		t.Errorf("dry run wrote %s", out3)
	}
}

func TestBatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	var errb bytes.Buffer
	code := run(ctx, []string{"batch", "--method", "us-federal", "-o", out}, strings.NewReader(goodCSV), &bytes.Buffer{}, &errb, func(string) string { return "" })
	if code != exitInterrupted || errb.String() != "footprint batch: interrupted\n" {
		t.Errorf("exit %d, want %d; stderr %q, want only \"interrupted\"", code, exitInterrupted, errb.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("cancelled run left an output file")
	}
}

// TestBatchEPDDir: factor_epd names files in --epd-dir (format guessed or
// prefixed), judged on --date; paths out of the directory are refused per
// row, and a bad --date is a usage error.
func TestBatchEPDDir(t *testing.T) {
	dir := t.TempDir()
	fixture, err := os.ReadFile(filepath.Join("..", "..", "epd", "testdata", "openepd", "rebar-traci.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "steel"), 0o755)
	os.WriteFile(filepath.Join(dir, "steel", "rebar.json"), fixture, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	outside := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(outside, fixture, 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "escape.json")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	in := "line_id,activity,region,quantity,unit,factor_epd\n" +
		"1,material.steel.rebar,US,12.5,t,steel/rebar.json\n" +
		"2,material.steel.rebar,US,12.5,t,openepd:steel/rebar.json\n" +
		"3,material.steel.rebar,US,1,t,../secret.json\n" +
		"4,material.steel.rebar,US,1,t," + outside + "\n" +
		"5,material.steel.rebar,US,1,t,escape.json\n" +
		"6,material.steel.rebar,US,1,t,notes.txt\n" +
		"7,material.steel.rebar,US,1,t,steel/none.json\n"
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"in validity", []string{"--date", "2026-01-10"}, exitRowErrs, []string{
			"1,material.steel.rebar,US,12.5,t,steel/rebar.json,us-federal@2025.3,9756.250,,,,epd:EXA-EPD-1001,ok,",
			"2,material.steel.rebar,US,12.5,t,openepd:steel/rebar.json,us-federal@2025.3,9756.250,",
			`factor_epd: EPD ../secret.json: not a plain relative path`,
			`): an absolute path; name a file in --epd-dir`,
			`5,material.steel.rebar,US,1,t,escape.json,us-federal@2025.3,,,,,,error,factor_epd: EPD escape.json: cannot be opened inside --epd-dir`,
			`factor_epd: EPD notes.txt: neither a zip, XML nor JSON; prefix the cell with ilcd+epd: or openepd:`,
			`factor_epd: EPD steel/none.json: no such file in --epd-dir`,
		}},
		{"expired on the date", []string{"--date", "2028-04-01"}, exitRowErrs, []string{"expired on 2028-03-31; the bid is dated 2028-04-01"}},
		{"bad date", []string{"--date", "1/10/2026"}, exitUsage, []string{"--date \"1/10/2026\": write YYYY-MM-DD"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"batch", "--quiet", "--workers", "2", "--method", "us-federal@2025.3", "--epd-dir", dir}, tc.args...)
			code, out, errs := runCmd(t, in, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errs, w) {
					t.Errorf("no %q in\n%s%s", w, out, errs)
				}
			}
		})
	}
	// Without --epd-dir, EPD rows are errors naming the column.
	code, out, _ := runCmd(t, in, "batch", "--quiet", "--method", "us-federal@2025.3")
	if code != exitRowErrs || !strings.Contains(out, "factor_epd: this run reads no EPD files") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestBatchRealBioBasedEPD: the batch computes the real bio-based flooring
// EPD (epd/testdata/real/environdec-wood-flooring, zipped) with the same
// values as the API and a tender (server TestRealBioBasedEPDSameEverywhere),
// by each 2026.1 method's biogenic rule.
func TestBatchRealBioBasedEPD(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "epd", "testdata", "real", "environdec-wood-flooring")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, sub := range []string{"processes", "flows"} {
		es, err := os.ReadDir(filepath.Join(src, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			raw, err := os.ReadFile(filepath.Join(src, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			w, _ := zw.Create("ILCD/" + sub + "/" + e.Name())
			w.Write(raw)
		}
	}
	zw.Close()
	os.WriteFile(filepath.Join(dir, "flooring.zip"), buf.Bytes(), 0o644)
	in := "line_id,activity,region,quantity,unit,factor_epd\n1,material.flooring,DE,1200,m2,flooring.zip\n"
	code, out, errs := runCmd(t, in, "batch", "--quiet", "--method", "us-federal@2026.1", "--method", "eu-gpp@2026.1", "--epd-dir", dir, "--date", "2026-11-02")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, w := range []string{",us-federal@2026.1,36611.802,", ",eu-gpp@2026.1,37869.995,"} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q in\n%s", w, out)
		}
	}
}
