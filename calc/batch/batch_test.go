package batch_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/calc/batch/batchgen"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// runBatch runs in through the methods and returns the output and summary.
func runBatch(t testing.TB, w *world, in string, opt batch.Options, refs ...string) (string, batch.Summary, error) {
	t.Helper()
	for _, r := range refs {
		opt.Methods = append(opt.Methods, w.method(t, r))
	}
	var out bytes.Buffer
	sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &out, opt)
	return out.String(), sum, err
}

func readAll(t testing.TB, s string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, s)
	}
	return recs
}

// col returns the index of a header name.
func col(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}

// edgeRows are appended to generated files: quantities that leave the fast
// path, zero, big values, product factors the template cannot take.
const edgeRows = `E1,S,d,fuel.natural_gas,US,0,mmBtu,,,,,c
E2,S,d,fuel.natural_gas,US,999999999999999.999,mmBtu,,,,,c
E3,S,d,electricity.grid,US-CAMX,1e3,kWh,,,,,c
E4,S,d,electricity.grid,US-CAMX,0.000000000000000000001,kWh,,,,,c
E5,S,d,freight.road,US,123456789012.345678,t.km,,,,,c
E6,S,d,freight.road,US, 12.5 ,t.km,,,,,c
E7,S,d,material.steel.rebar,US,12.5,lb,,780.123456789012345678,t,EPD 1,c
E8,S,d,material.steel.rebar,US,12.5,t,,780,lb,EPD 2,c
E9,S,d,material.steel.rebar,US,12.5,t,,780,t,,c
E10,S,d,material.steel.rebar,US,12.5,t,,-780,t,EPD 3,c
E11,S,d,material.steel.rebar,US,12.5,t,,,t,EPD 4,c
E12,S,d,material.concrete.c30_37,DE,3,m3,,250,m3,EPD 5,c
E13,S,d,fuel.diesel,GLO,3,GJ,,,,,c
E14,S,d,fuel.diesel,US,+3,gal,,,,,c
E15,S,d,fuel.diesel,US,1000000000000000,gal,,,,,c
E16,S,d,fuel.diesel,US,1000000000000001,gal,,,,,c
E17,S,d,freight.road,DE,5,t.km,A4,,,,c
E18,S,d,freight.road,DE,5,t.km,A1-A3,,,,c
,S,d,fuel.diesel,US,3,gal,,,,,c
`

// TestAgreement checks every output row against calc's Plan.Line on the
// same line, the order and completeness of the output, and the totals, on
// generated files with 1% bad rows, several workers and small chunks' worth
// of rows, for one method and for two.
func TestAgreement(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name    string
		profile batchgen.Profile
		rows    int
		refs    []string
		workers int
	}{
		{"us one method", batchgen.US, 20000, []string{"us-federal@2025.1"}, 2},
		{"eu one method", batchgen.EU, 20000, []string{"eu-gpp@2025.1"}, 3},
		{"mixed two methods", batchgen.Mixed, 20000, []string{"us-federal@2025.1", "eu-gpp@2025.1"}, 4},
		{"one worker", batchgen.US, 3000, []string{"us-federal@2025.1"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in bytes.Buffer
			if err := batchgen.Write(&in, batchgen.Config{Rows: tc.rows, Seed: 42, Profile: tc.profile, BadPerMille: 10}); err != nil {
				t.Fatal(err)
			}
			in.WriteString(edgeRows)
			var ms []*methods.Method
			for _, r := range tc.refs {
				ms = append(ms, w.method(t, r))
			}
			sum, paths := runAndCheckPaths(t, w, in.String(), tc.workers, ms...)
			if sum.Errors == 0 {
				t.Error("no bad rows: the test file should have some")
			}
			if len(ms) == 2 && (paths.Exact128 == 0 || paths.Division == 0) {
				t.Errorf("the mixed file should take the 128-bit and division paths: %+v", paths)
			}
		})
	}
}

// TestQuirks checks the input quirks the contract names.
func TestQuirks(t *testing.T) {
	w := newWorld(t)
	const ok = "1,fuel.natural_gas,US,1000,mmBtu"
	cases := []struct {
		name string
		in   string
		// want are the output rows' first cells and statuses, "id:status".
		want []string
		// contains must appear in the output.
		contains []string
	}{
		{"plain", "line_id,activity,region,quantity,unit\n" + ok + "\n", []string{"1:ok"}, []string{"53114.500"}},
		{"BOM", "\ufeffline_id,activity,region,quantity,unit\n" + ok + "\n", []string{"1:ok"}, []string{"line_id,activity"}},
		{"CRLF", "line_id,activity,region,quantity,unit\r\n" + ok + "\r\n2,fuel.natural_gas,US,1,mmBtu\r\n", []string{"1:ok", "2:ok"}, nil},
		{"no final newline", "line_id,activity,region,quantity,unit\n" + ok, []string{"1:ok"}, nil},
		{"header case and spaces, any order", " Unit ,QUANTITY,Region, activity ,Line_ID\nmmBtu,1000,US,fuel.natural_gas,1\n", []string{"mmBtu:ok"}, []string{"53114.500"}},
		{"quoted fields", "line_id,activity,region,quantity,unit,note\n\"1\",\"fuel.natural_gas\",US,\"1000\",mmBtu,\"a, \"\"b\"\"\nc\"\n",
			[]string{"1:ok"}, []string{"\"a, \"\"b\"\"\nc\""}},
		{"blank lines skipped", "line_id,activity,region,quantity,unit\n\n" + ok + "\n\n\r\n2,fuel.natural_gas,US,1,mmBtu\n\n", []string{"1:ok", "2:ok"}, nil},
		{"spaces in cells", "line_id,activity,region,quantity,unit\n1, fuel.natural_gas , US , 1000 , mmBtu \n", []string{"1:ok"}, []string{"53114.500"}},
		{"extra columns pass through in place", "a,line_id,b,activity,region,quantity,unit,z\nx,1,y,fuel.natural_gas,US,1000,mmBtu,w\n", []string{"x:ok"}, []string{"x,1,y,fuel.natural_gas,US,1000,mmBtu,w,us-federal@2025.1"}},
		{"short row", "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US\n" + ok + "\n", []string{"1:error", "1:ok"}, []string{"row: wrong number of fields (the header has 5)"}},
		{"long row", "line_id,activity,region,quantity,unit\n" + ok + ",extra\n", []string{"1:error"}, []string{"wrong number of fields"}},
		{"line of spaces", "line_id,activity,region,quantity,unit\n   \n" + ok + "\n", []string{"   :error", "1:ok"}, nil},
		{"bare quote", "line_id,activity,region,quantity,unit\n1,fuel\"x,US,1,mmBtu\n" + ok + "\n", []string{"1:error", "1:ok"}, []string{`bare "" in non-quoted-field (line 2, column 7)`}},
		{"decimal comma", "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US,\"12,5\",mmBtu\n", []string{"1:error"}, []string{"quantity: not a decimal number: 12,5"}},
		{"wrong dimension", "line_id,activity,region,quantity,unit\n1,electricity.grid,US,12,kg\n", []string{"1:error"}, []string{"unit: kg is a mass, electricity.grid needs an energy unit"}},
		{"bad boolean", "line_id,activity,region,quantity,unit,allow_region_fallback\n1,fuel.natural_gas,US,1,mmBtu,maybe\n", []string{"1:error"}, []string{"allow_region_fallback: not a boolean"}},
		{"header only", "line_id,activity,region,quantity,unit\n", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, sum, err := runBatch(t, w, tc.in, batch.Options{}, "us-federal@2025.1")
			if err != nil {
				t.Fatal(err)
			}
			recs := readAll(t, out)
			st := col(t, recs[0], "status")
			var got []string
			for _, r := range recs[1:] {
				got = append(got, r[0]+":"+r[st])
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("rows %v, want %v\n%s", got, tc.want, out)
			}
			if sum.Rows != int64(len(tc.want)) {
				t.Errorf("summary rows %d, want %d", sum.Rows, len(tc.want))
			}
			for _, c := range tc.contains {
				if !strings.Contains(out, c) {
					t.Errorf("output lacks %q:\n%s", c, out)
				}
			}
		})
	}
}

// TestHeaderErrors checks that a run with a bad header does not proceed.
func TestHeaderErrors(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name, in string
		missing  []string
		empty    bool
	}{
		{"empty input", "", nil, true},
		{"missing quantity and unit", "line_id,activity,region\n1,a,b\n", []string{"quantity", "unit"}, false},
		{"duplicate", "line_id,activity,region,quantity,unit,Unit\n", nil, false},
	}
	for _, tc := range cases {
		for _, dry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s dry=%v", tc.name, dry), func(t *testing.T) {
				out, _, err := runBatch(t, w, tc.in, batch.Options{DryRun: dry}, "us-federal@2025.1")
				var he *batch.HeaderError
				if !errors.As(err, &he) {
					t.Fatalf("got %v, want a HeaderError", err)
				}
				if out != "" {
					t.Errorf("wrote %q", out)
				}
				if fmt.Sprint(he.Missing) != fmt.Sprint(tc.missing) || he.Empty != tc.empty {
					t.Errorf("got %+v", he)
				}
				for _, m := range tc.missing {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("message %q does not name %s", err, m)
					}
				}
			})
		}
	}
}

// TestNeutralise checks formula neutralisation in pass-through and error
// cells, and that amounts stay plain numbers.
func TestNeutralise(t *testing.T) {
	w := newWorld(t)
	in := "line_id,activity,region,quantity,unit,note\n" +
		"=1+1,fuel.natural_gas,US,1000,mmBtu,+SUM(A1)\n" +
		"@x,fuel.natural_gas,US,1000,mmBtu,-2\n" +
		"\tt,fuel.natural_gas,US,1000,mmBtu,\"\rr\"\n" +
		"4,\"=HYPERLINK(\"\"x\"\")\",US,1000,mmBtu,safe\n"
	out, _, err := runBatch(t, w, in, batch.Options{}, "us-federal@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, out)
	want := [][]string{
		{"'=1+1", "fuel.natural_gas", "US", "1000", "mmBtu", "'+SUM(A1)"},
		{"'@x", "fuel.natural_gas", "US", "1000", "mmBtu", "'-2"},
		{"'\tt", "fuel.natural_gas", "US", "1000", "mmBtu", "'\rr"},
		{"4", "'=HYPERLINK(\"x\")", "US", "1000", "mmBtu", "safe"},
	}
	kg := col(t, recs[0], "kg_co2e")
	errCol := col(t, recs[0], "error")
	for i, w := range want {
		got := recs[i+1][:len(w)]
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("row %d: got %q, want %q", i+1, got, w)
		}
	}
	if recs[1][kg] != "53114.500" {
		t.Errorf("amount %q: want a plain number", recs[1][kg])
	}
	if e := recs[4][errCol]; !strings.HasPrefix(e, "activity: ") || strings.Contains(e, "'=") && !strings.Contains(e, "\"=HYPERLINK") {
		t.Errorf("error cell %q", e)
	}
	for _, c := range []struct{ in, want string }{{"=a", "'=a"}, {"+a", "'+a"}, {"-a", "'-a"}, {"@a", "'@a"}, {"\ta", "'\ta"}, {"\ra", "'\ra"}, {"a=", "a="}, {"", ""}, {" =a", " =a"}} {
		if got := batch.Neutralise(c.in); got != c.want {
			t.Errorf("Neutralise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestErrorCellNeutralised: an error message quoting a formula-like cell
// starts with the column name, so it is safe; a message that would start
// with a formula character gets the quote.
func TestErrorCellNeutralised(t *testing.T) {
	w := newWorld(t)
	out, _, err := runBatch(t, w, "line_id,activity,region,quantity,unit\n1,fuel.natural_gas,US,=1+2,mmBtu\n", batch.Options{}, "us-federal@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, out)
	e := recs[1][col(t, recs[0], "error")]
	if !strings.HasPrefix(e, "quantity: not a decimal number: =1+2") {
		t.Errorf("error cell %q", e)
	}
}

// TestDryRun checks that a dry run reports what a run reports and writes nothing.
func TestDryRun(t *testing.T) {
	w := newWorld(t)
	var in bytes.Buffer
	batchgen.Write(&in, batchgen.Config{Rows: 5000, Seed: 3, Profile: batchgen.Mixed, BadPerMille: 30})
	in.WriteString(edgeRows)
	in.WriteString("x,y\n") // a short row
	_, real, err := runBatch(t, w, in.String(), batch.Options{}, "us-federal@2025.1", "eu-gpp@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	out, dry, err := runBatch(t, w, in.String(), batch.Options{DryRun: true}, "us-federal@2025.1", "eu-gpp@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("dry run wrote %d bytes", len(out))
	}
	if dry.Rows != real.Rows || dry.OK != real.OK || dry.Errors != real.Errors || dry.Excluded != real.Excluded ||
		fmt.Sprint(dry.ErrorsByKind) != fmt.Sprint(real.ErrorsByKind) {
		t.Errorf("dry run %+v\nreal run %+v", dry, real)
	}
	if fmt.Sprint(dry.Examples) != fmt.Sprint(real.Examples) {
		t.Errorf("examples differ:\n%v\n%v", dry.Examples, real.Examples)
	}
}

// TestCancel checks that a cancelled run stops with the context's error.
func TestCancel(t *testing.T) {
	w := newWorld(t)
	var in bytes.Buffer
	batchgen.Write(&in, batchgen.Config{Rows: 50000, Seed: 3, Profile: batchgen.US})
	for _, dry := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		opt := batch.Options{Methods: []*methods.Method{w.method(t, "us-federal@2025.1")}, DryRun: dry, Progress: func(int64) {
			if n++; n == 2 {
				cancel()
			}
		}}
		_, err := batch.Run(ctx, w.eng, bytes.NewReader(in.Bytes()), io.Discard, opt)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("dry=%v: got %v, want context.Canceled", dry, err)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n += len(p); f.n > 100000 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

type failReader struct{ r io.Reader }

func (f *failReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

// TestIOErrors checks that read and write failures stop the run with an error.
func TestIOErrors(t *testing.T) {
	w := newWorld(t)
	var in bytes.Buffer
	batchgen.Write(&in, batchgen.Config{Rows: 20000, Seed: 3, Profile: batchgen.US})
	ms := []*methods.Method{w.method(t, "us-federal@2025.1")}
	if _, err := batch.Run(context.Background(), w.eng, bytes.NewReader(in.Bytes()), &failWriter{}, batch.Options{Methods: ms}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write failure: got %v", err)
	}
	if _, err := batch.Run(context.Background(), w.eng, &failReader{bytes.NewReader(in.Bytes())}, io.Discard, batch.Options{Methods: ms}); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("read failure: got %v", err)
	}
	if _, err := batch.Run(context.Background(), w.eng, strings.NewReader("a\n"), io.Discard, batch.Options{}); !errors.Is(err, batch.ErrNoMethod) {
		t.Errorf("no method: got %v", err)
	}
}

// TestGolden compares a small file's output, under two methods, with
// testdata/golden.out.csv (go test -run Golden -update to rewrite).
func TestGolden(t *testing.T) {
	w := newWorld(t)
	in, err := os.ReadFile(filepath.Join("testdata", "golden.in.csv"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runBatch(t, w, string(in), batch.Options{Workers: 2}, "us-federal@2025.1", "eu-gpp@2025.1")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden.out.csv")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s (go test -run Golden -update to accept):\n%s", path, out)
	}
}

// TestGoldenIntervals pins the interval columns of the golden input under
// the two methods with a model, 1,000 draws, seed 42:
// testdata/golden_intervals.out.csv (go test -run Golden -update).
func TestGoldenIntervals(t *testing.T) {
	w := newWorld(t)
	in, err := os.ReadFile(filepath.Join("testdata", "golden.in.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := uncertainty.Config{Draws: 1000, Seed: 42}
	out, _, err := runBatch(t, w, string(in), batch.Options{Workers: 2, Uncertainty: &cfg}, "us-federal@2026.2", "eu-gpp@2026.2")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden_intervals.out.csv")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s (go test -run Golden -update to accept):\n%s", path, out)
	}
}

// TestDeltaIsTheCellsDifference: delta_kg_co2e is the second method's cell
// minus the first's as written (the row on which a delta rounded from the
// exact difference showed 7.824 beside 49690.477 and 49698.302), and the
// summary's cell sums are the sums of the cells.
func TestDeltaIsTheCellsDifference(t *testing.T) {
	w := newWorld(t)
	in := "line_id,activity,region,quantity,unit\n1,electricity.grid,US-CAMX,250,MWh\n2,fuel.natural_gas,US,1000,mmBtu\n3,freight.road,US,5000,short_ton.mi\n"
	for _, refs := range [][2]string{{"us-federal@2025.2", "eu-gpp@2025.2"}, {"eu-gpp@2025.3", "us-federal@2025.3"}} {
		ms := []*methods.Method{w.method(t, refs[0]), w.method(t, refs[1])}
		var out bytes.Buffer
		sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &out, batch.Options{Methods: ms, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		a, b, d := col(t, recs[0], ms[0].ID+".kg_co2e"), col(t, recs[0], ms[1].ID+".kg_co2e"), col(t, recs[0], "delta_kg_co2e")
		var sa, sb, sd decimal.Decimal
		for _, rec := range recs[1:] {
			x, y, z := decimal.RequireFromString(rec[a]), decimal.RequireFromString(rec[b]), decimal.RequireFromString(rec[d])
			if !y.Sub(x).Equal(z) {
				t.Errorf("%v line %s: delta %s, cells %s − %s = %s", refs, rec[0], rec[d], rec[b], rec[a], y.Sub(x))
			}
			sa, sb, sd = sa.Add(x), sb.Add(y), sd.Add(z)
		}
		if !sum.CellTotals[ms[0].Ref()].Equal(sa) || !sum.CellTotals[ms[1].Ref()].Equal(sb) || !sum.DeltaCells.Equal(sd) {
			t.Errorf("%v: summary cell sums %s, %s, delta %s; the cells add up to %s, %s, %s", refs,
				sum.CellTotals[ms[0].Ref()], sum.CellTotals[ms[1].Ref()], sum.DeltaCells, sa, sb, sd)
		}
		if refs[0] == "us-federal@2025.2" && (recs[1][a] != "49690.477" || recs[1][b] != "49698.302" || recs[1][d] != "7.825") {
			t.Errorf("row 1: %s, %s, delta %s; want 49690.477, 49698.302, delta 7.825", recs[1][a], recs[1][b], recs[1][d])
		}
	}
}
