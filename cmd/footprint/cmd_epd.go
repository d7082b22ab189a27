package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/epd"
)

const epdSynopsis = "epd inspect [--format ilcd+epd|openepd] [--json] FILE [FLOW.xml FLOWPROPERTY.xml UNITGROUP.xml]"

// cmdEPD is `footprint epd`: reading EPD documents as a bid would.
func cmdEPD(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: footprint %s\n\nFILE is an ILCD archive (zip), an ILCD process XML (with its flow XML after it:\nthe declared unit is there) or an openEPD JSON document; - reads stdin.\n", epdSynopsis)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] != "inspect" {
		fmt.Fprintf(e.stderr, "footprint epd: unknown subcommand %q\nusage: footprint %s\n", args[0], epdSynopsis)
		return exitUsage
	}
	return epdInspect(ctx, e, args[1:])
}

// inspection is what --json prints.
type inspection struct {
	Declaration *epd.Declaration `json:"declaration"`
	Problems    []string         `json:"problems"`
}

// epdInspect prints what was read of one EPD and every problem; exit 1
// when it cannot be used (unreadable, no declared unit, no GWP A1-A3).
func epdInspect(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "epd inspect", epdSynopsis)
	format := fs.String("format", "", "ilcd+epd or openepd (default: guessed from the file: zip or XML is ilcd+epd, JSON is openepd)")
	asJSON := fs.Bool("json", false, "write the declaration and its problems as JSON")
	if done, code := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(e.stderr, "footprint epd inspect: no file\nusage: footprint %s\n", epdSynopsis)
		return exitUsage
	}
	if *format != "" && *format != epd.FormatILCD && *format != epd.FormatOpenEPD {
		fmt.Fprintf(e.stderr, "footprint epd inspect: --format %q: want ilcd+epd or openepd\n", *format)
		return exitUsage
	}
	files := fs.Args()
	raws := make([][]byte, len(files))
	for i, name := range files {
		raw, err := readEPDFile(ctx, e, name)
		if err != nil {
			fmt.Fprintf(e.stderr, "footprint epd inspect: %s: %v\n", name, err)
			return exitFailed
		}
		raws[i] = raw
	}
	name := files[0]
	if name == "-" {
		name = "stdin"
	}
	f := *format
	if f == "" {
		f = guessFormat(raws[0])
		if f == "" {
			fmt.Fprintf(e.stderr, "footprint epd inspect: %s: neither a zip, XML nor JSON; give --format ilcd+epd or --format openepd\n", name)
			return exitFailed
		}
	}
	if len(files) > 1 && (f != epd.FormatILCD || bytes.HasPrefix(raws[0], []byte("PK\x03\x04"))) {
		fmt.Fprintf(e.stderr, "footprint epd inspect: files after the first are the data sets an ILCD process XML refers to; %s needs none\n", name)
		return exitUsage
	}
	var d *epd.Declaration
	var err error
	if len(files) > 1 {
		deps := make([]epd.File, 0, len(files)-1)
		for i, n := range files[1:] {
			deps = append(deps, epd.File{Name: filepath.Base(n), Data: raws[i+1]})
		}
		d, err = epd.ParseILCD(filepath.Base(name), raws[0], deps...)
	} else {
		d, err = epd.Parse(f, filepath.Base(name), raws[0])
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "footprint epd inspect: %v\n", err)
		var de *epd.DocError
		if errors.As(err, &de) && errors.Is(err, epd.ErrMalformed) && strings.Contains(de.Msg, "not given") {
			fmt.Fprintf(e.stderr, "hint: footprint epd inspect PROCESS.xml FLOW.xml, or give the ILCD archive\n")
		}
		return exitFailed
	}
	problems := d.Problems()
	if *asJSON {
		if problems == nil {
			problems = []string{}
		}
		if code := writeJSON(e, "epd inspect", inspection{d, problems}); code != exitOK {
			return code
		}
	} else {
		printDeclaration(e.stdout, name, d, problems)
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stderr, "footprint epd inspect: %s cannot be used: %s\n", name, strings.Join(problems, "; "))
		return exitFailed
	}
	return exitOK
}

// readEPDFile reads a file (or stdin for "-") up to epd.MaxBytes, and
// refuses a longer one without reading it all.
func readEPDFile(ctx context.Context, e *env, name string) ([]byte, error) {
	in, err := openInput(ctx, e, name)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	raw, err := io.ReadAll(io.LimitReader(in, epd.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > epd.MaxBytes {
		return nil, fmt.Errorf("over the limit of %d bytes for an EPD document", epd.MaxBytes)
	}
	return raw, nil
}

// guessFormat: a zip or XML is ILCD+EPD, JSON is openEPD; "" when
// neither.
func guessFormat(raw []byte) string {
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		return epd.FormatILCD
	}
	s := bytes.TrimLeft(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(s, []byte("<")):
		return epd.FormatILCD
	case bytes.HasPrefix(s, []byte("{")):
		return epd.FormatOpenEPD
	}
	return ""
}

// printDeclaration writes what was read, the notes and the problems.
func printDeclaration(w io.Writer, name string, d *epd.Declaration, problems []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("file", name)
	row("format", d.Format)
	row("sha256", d.SHA256)
	row("id", d.ID)
	row("name", d.Name)
	row("registration", d.RegistrationNumber)
	row("program operator", d.ProgramOperator)
	row("manufacturer", d.Manufacturer)
	row("plant", d.Plant)
	std := d.Standard
	if d.StandardEvidence != "" {
		std += " (" + d.StandardEvidence + ")"
	}
	row("standard", std)
	row("conforms to", strings.Join(d.ConformsTo, ", "))
	row("pcr", d.PCR)
	for _, c := range d.Classification {
		shown := c.Path
		if c.System != "" {
			shown = c.System + ": " + c.Path
		}
		row("classification", shown)
	}
	if len(d.Classification) > 0 {
		// What a material.epd line would take the product for.
		if key, _, err := calc.EPDCategory(d, name); err == nil {
			row("category", key+" (for activity "+calc.EPDActivity+")")
		} else {
			row("category", "none: "+err.Error())
		}
	}
	valid := "not stated"
	if !d.ValidUntil.IsZero() {
		valid = d.ValidUntil.Format(time.DateOnly)
		if d.ValidUntilYearOnly {
			valid = fmt.Sprintf("%d (year only; valid at the latest through %s)", d.ValidUntil.Year(), valid)
		}
	}
	if d.ValidUntilField != "" {
		valid += " from " + d.ValidUntilField
	}
	row("valid until", valid)
	row("declared unit", strings.TrimSpace(d.DeclaredUnit.Amount.String()+" "+d.DeclaredUnit.Unit))
	if d.Density != nil {
		row("density", d.Density.String()+" kg/m3")
	} else {
		row("density", "not stated")
	}
	tw.Flush()
	fmt.Fprintln(w, "\nresults per declared unit:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  INDICATOR\tSET\tMODULE\tVALUE\tUNIT")
	for _, r := range d.Results {
		unit := r.Unit
		if r.Summed {
			unit += "  (summed from " + strings.Join(r.SummedFrom, ", ") + ")"
		}
		if r.From != "" {
			unit += "  (from the top-level " + r.From + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Indicator, r.Set, r.Module, r.Value.String(), unit)
	}
	tw.Flush()
	if len(d.Results) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	printDeclaredUncertainty(w, d)
	if len(d.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings (optional fields skipped; repeated on every line using this EPD):")
		for _, n := range d.Warnings {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	if len(d.Notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range d.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	fmt.Fprintln(w)
	if len(problems) == 0 {
		fmt.Fprintln(w, "usable: yes (a method's rules still judge validity on the bid's date, the indicator and the unit)")
		return
	}
	fmt.Fprintln(w, "usable: no")
	for _, p := range problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

// printDeclaredUncertainty lists the uncertainty the document declares
// per result, when it declares any: an ILCD+EPD LCIA result's
// distribution and relativeStandardDeviation95In with the 95 % interval
// it states, or an openEPD measurement's rsd and dist, and whether the
// sampling takes it (docs/uncertainty.md).
func printDeclaredUncertainty(w io.Writer, d *epd.Declaration) {
	var rows []string
	for _, r := range d.Results {
		name := strings.Join(strings.Fields(r.Indicator+" "+r.Set+" "+r.Module), " ")
		switch {
		case r.Uncertainty != nil:
			u := r.Uncertainty
			what := "SDg²"
			if u.Distribution == epd.DistNormal {
				what = "2·SD in % of the value"
			}
			row := fmt.Sprintf("%s: %s, relativeStandardDeviation95In %s (%s)", name, u.Distribution, u.RelativeSD95In, what)
			if lo, hi, err := u.Interval95(r.Value); err == nil {
				row += fmt.Sprintf(": 2.5 %% and 97.5 %% points %s and %s %s", significant(lo), significant(hi), r.Unit)
			}
			why := "the LCIA result's meanAmount is this amount"
			if u.Applies == epd.AppliesOnly {
				why = "the LCIA result's only module amount"
			}
			rows = append(rows, row+"; from "+u.Field+" ("+why+")")
		case r.RSD != "" || r.Dist != "":
			rsd, dist := r.RSD, r.Dist
			if rsd == "" {
				rsd = "none"
			}
			if dist == "" {
				dist = "none"
			}
			row := fmt.Sprintf("%s: openEPD rsd %s, dist %s", name, rsd, dist)
			switch {
			case r.RSD == "" || r.Dist == "":
				row += "; not sampled: it needs both"
			case r.Dist != "log-normal" && r.Dist != "lognormal" && r.Dist != "normal":
				row += "; not sampled: only log-normal and normal are"
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\ndeclared uncertainty (the document's own; sampled for a line that counts the value, under a method whose [uncertainty] has epd = \"declared\"):")
	for _, r := range rows {
		fmt.Fprintf(w, "  - %s\n", r)
	}
}

// significant rounds x to 6 significant digits for display.
func significant(x decimal.Decimal) string {
	if x.IsZero() {
		return "0"
	}
	digits := len(x.Coefficient().String())
	if x.IsNegative() {
		digits-- // the sign
	}
	msd := digits + int(x.Exponent()) - 1 // power of ten of the first digit
	return x.Round(int32(5 - msd)).String()
}
