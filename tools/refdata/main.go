// Command refdata generates footprint's embedded reference data, every file
// under factors/data/ except FORMAT.md, from the curated reference tables in
// shared/reference-data/ (outside the repository). It is run by
// `go generate ./factors`:
//
//	go run ../tools/refdata -ref ../../shared/reference-data -out data
//
// No number is typed here. Every emission factor, GWP, heat content and
// limit is copied, as text, from a cell of a reference CSV record; this
// program only holds mappings (which reference row feeds which activity,
// region, stage and gas), unit-symbol translations, region codes and names,
// and descriptive text. Each output row cites its record as <file>#<record>
// (1-based, the header is record 1).
//
// Every output is built and checked in memory before anything is written
// (each value an exact field of the cited record and a decimal; units,
// gases, stages, bases, regions and activities from FORMAT.md; one factor
// per activity, region and stage in a dataset), so a failed run leaves
// factors/data as it was. The output is deterministic: unchanged reference
// tables give byte-identical files, so `git diff factors/data` shows exactly
// what a change to the tables or the mappings did.
//
// Exit status: 0 success, 1 a reference file or mapping problem (on stderr,
// naming the file and line), 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "refdata:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "refdata:", strings.ReplaceAll(err.Error(), "\n", "\nrefdata: "))
		os.Exit(1)
	}
}

// usageError is a bad command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run parses the command line, generates and writes the data.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("refdata", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ref := fs.String("ref", "", "the reference tables folder (shared/reference-data)")
	out := fs.String("out", "", "the folder to write (factors/data)")
	verbose := fs.Bool("v", false, "list the files written with their row counts, and what was left out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: refdata -ref DIR -out DIR [-v]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if *ref == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"-ref and -out are required, and nothing else"}
	}
	if st, err := os.Stat(*ref); err != nil || !st.IsDir() {
		return fmt.Errorf("-ref %s: not a folder (want the shared/reference-data folder beside the repository)", *ref)
	}
	notef := func(string, ...any) {}
	if *verbose {
		notef = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	files, err := generate(*ref, notef)
	if err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(*out, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		if *verbose {
			fmt.Fprintf(stdout, "%-45s %d\n", f.rel, f.rows)
		}
	}
	return nil
}

// outFile is one generated file, its path relative to the output folder.
type outFile struct {
	rel  string
	data []byte
	rows int // data rows; 1 for meta.toml
}

// rowser is an output row.
type rowser interface{ fields() []string }

func rowsOf[R rowser](rows []R) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.fields()
	}
	return out
}

func csvFile[R rowser](rel string, header []string, rows []R) outFile {
	return outFile{rel, csvBytes(header, rowsOf(rows)), len(rows)}
}

// dataset is one datasets/<folder>/ with the files it has.
type dataset struct {
	folder  string
	meta    meta
	factors []factorRow // nil: no factors.csv
	heat    []heatRow   // nil: no heat_content.csv
	limits  []limitRow  // nil: no limits.csv
	hv      []hvRow     // nil: no hv_ratios.csv
}

// generate builds and checks every output file, in the order written.
// notef receives what was left out and why.
func generate(root string, notef func(string, ...any)) ([]outFile, error) {
	rf := newRefs(root)
	c := &checker{rf: rf}

	regions, err := buildRegions(rf)
	if err != nil {
		return nil, err
	}
	codes := c.checkRegions(regions)
	acts := activities()
	c.checkActivities(acts)
	keys := activityKeys()
	gwp, err := buildGWP(rf, notef)
	if err != nil {
		return nil, err
	}
	c.checkGWP(gwp)

	var sets []dataset
	{
		m, f, h, err := dsEPAHub(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"epa-ghg-hub-2025", m, f, h, nil, nil})
	}
	{
		m, f, err := dsEGRID(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"egrid-2023", m, f, nil, nil, nil})
	}
	{
		m, f, h, err := dsIPCC2006(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"ipcc-2006", m, f, h, nil, nil})
	}
	{
		m, f, err := dsEEA(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"eea-electricity-v12", m, f, nil, nil, nil})
	}
	{
		m, f, err := dsOekobaudat(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"oekobaudat-2020-II", m, f, nil, nil, nil})
	}
	{
		m, l, skipped, err := dsGSA(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"gsa-lec-2023", m, nil, nil, l, nil})
		notef("GSA rows not shipped: %s", strings.Join(uniqueSorted(skipped), "; "))
	}
	{
		m, l, err := dsBCCA(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"buy-clean-ca-2022", m, nil, nil, l, nil})
	}
	{
		m, f, err := dsCLF(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"clf-baselines-2023", m, f, nil, nil, nil})
	}
	{
		m, h, err := dsDESNZ2023(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"desnz-ghg-2023", m, nil, nil, nil, h})
	}
	{
		m, f, err := dsDESNZ2025(rf)
		if err != nil {
			return nil, err
		}
		sets = append(sets, dataset{"desnz-ghg-2025", m, f, nil, nil, nil})
	}
	// Cells read from a column a reference file lacks came back empty: fail
	// before the checks, which would only report the consequences.
	if err := rf.missingColumns(); err != nil {
		return nil, err
	}

	files := []outFile{
		csvFile("regions.csv", []string{"code", "name", "parent"}, regions),
		csvFile("activities.csv", []string{"key", "dimensions", "default_stage", "title"}, acts),
		csvFile("gwp.csv", gwpHeader, gwp),
		csvFile("gwp_sets.csv", gwpSetHeader, gwpSets),
	}
	for _, d := range sets {
		dir := "datasets/" + d.folder + "/"
		if d.factors == nil && d.heat == nil && d.limits == nil && d.hv == nil {
			c.errorf("%s: no factors, heat contents, limits or heating-value ratios; the mapping matched no reference row", dir)
		}
		c.checkMeta(dir+"meta.toml", d.meta)
		files = append(files, outFile{dir + "meta.toml", metaBytes(d.meta), 1})
		if d.factors != nil {
			c.checkFactors(dir+"factors.csv", d.factors, codes, keys)
			files = append(files, csvFile(dir+"factors.csv", factorHeader, d.factors))
		}
		if d.heat != nil {
			c.checkHeat(dir+"heat_content.csv", d.heat, keys)
			files = append(files, csvFile(dir+"heat_content.csv", heatHeader, d.heat))
		}
		if d.limits != nil {
			c.checkLimits(dir+"limits.csv", d.limits, keys)
			files = append(files, csvFile(dir+"limits.csv", limitHeader, d.limits))
		}
		if d.hv != nil {
			c.checkHV(dir+"hv_ratios.csv", d.hv)
			files = append(files, csvFile(dir+"hv_ratios.csv", hvHeader, d.hv))
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return files, nil
}

func (r region) fields() []string   { return []string{r.code, r.name, r.parent} }
func (a activity) fields() []string { return []string{a.key, a.dimensions, a.stage, a.title} }

func uniqueSorted(xs []string) []string {
	m := set(xs...)
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}
