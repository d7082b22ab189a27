package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/internal/clip"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// uncertaintyFlags are --uncertainty DRAWS --seed S (calc, compare).
type uncertaintyFlags struct {
	draws *int
	seed  *string
	fs    *flag.FlagSet
}

func (u *uncertaintyFlags) register(fs *flag.FlagSet) {
	u.fs = fs
	u.draws = fs.Int("uncertainty", 0, "sample the published uncertainty with DRAWS draws (0: off; docs/uncertainty.md)")
	u.seed = fs.String("seed", "1", "seed of the uncertainty draws (an unsigned 64-bit integer); the same seed gives the same bytes")
}

// config returns the run's configuration, whether one was asked for, and
// a usage error.
func (u *uncertaintyFlags) config() (uncertainty.Config, bool, error) {
	if *u.draws == 0 {
		seedGiven := false
		u.fs.Visit(func(f *flag.Flag) { seedGiven = seedGiven || f.Name == "seed" })
		if seedGiven {
			// A seed alone samples nothing: say so rather than print exact values only.
			return uncertainty.Config{}, false, fmt.Errorf("--seed %s without --uncertainty DRAWS samples nothing; add --uncertainty DRAWS (e.g. --uncertainty 10000)", clip.Prefix(*u.seed))
		}
		return uncertainty.Config{}, false, nil
	}
	if *u.draws < 0 || *u.draws > uncertainty.MaxDraws {
		return uncertainty.Config{}, false, fmt.Errorf("--uncertainty %d: use 1 to %d draws", *u.draws, uncertainty.MaxDraws)
	}
	seed, err := strconv.ParseUint(strings.TrimSpace(*u.seed), 10, 64)
	if err != nil {
		return uncertainty.Config{}, false, fmt.Errorf("--seed %q: use an unsigned 64-bit integer", *u.seed)
	}
	return uncertainty.Config{Draws: *u.draws, Seed: seed, Workers: 1}, true, nil
}

// writeJSONWithUncertainty writes doc's JSON with "uncertainty" as its
// last member, indented as writeJSON does.
func writeJSONWithUncertainty(e *env, cmd string, doc json.Marshaler, u any) int {
	raw, err := doc.MarshalJSON()
	if err == nil {
		raw, err = calc.WithUncertainty(raw, u)
	}
	var b bytes.Buffer
	if err == nil {
		err = json.Indent(&b, raw, "", "  ")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "footprint %s: writing output: %v\n", cmd, err)
		return exitFailed
	}
	b.WriteByte('\n')
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "footprint %s: writing output: %v\n", cmd, err)
		return exitFailed
	}
	return exitOK
}

// sentence capitalises nothing (messages start with a method id) and ends
// s with a period.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func interval(a [2]string) string { return a[0] + " – " + a[1] }

// writeFootprintUncertaintyText prints a footprint's sampled intervals.
func writeFootprintUncertaintyText(out io.Writer, fp *calc.Footprint, u *calc.FootprintUncertainty) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Uncertainty: %s (%s), %d draws, seed %s\n", orDash(fp.Reference), u.Method, u.Run.Draws, u.Run.Seed)
	fmt.Fprintf(&b, "Generator: %s\nModel digest: %s\n", u.Run.Generator, u.Run.ModelDigest)
	if u.Model == calc.ModelNone {
		fmt.Fprintf(&b, "Model: none. %s\n", sentence(u.Message))
	}
	b.WriteByte('\n')
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "LINE\tEXACT kg CO2e\tMEAN\tMEDIAN\t90 % INTERVAL\t95 % INTERVAL\tINPUTS\n")
	for _, l := range u.Lines {
		if l.Status != calc.StatusOK {
			fmt.Fprintf(tw, "%s\t(%s)\t\t\t\t\t\n", l.ID, l.Status)
			continue
		}
		in := strings.Join(l.Inputs, ", ")
		if l.Note != "" {
			in = l.Note
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Exact, l.Mean, l.Median, interval(l.Interval90), interval(l.Interval95), in)
	}
	t := u.Total
	fmt.Fprintf(tw, "TOTAL\t%s\t%s\t%s\t%s\t%s\t\n", t.Exact, t.Mean, t.Median, interval(t.Interval90), interval(t.Interval95))
	if err := tw.Flush(); err != nil {
		return err
	}
	writeContributors(&b, u.Contributors)
	for _, n := range u.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	_, err := out.Write(b.Bytes())
	return err
}

func writeContributors(b *bytes.Buffer, cs []calc.Contributor) {
	if len(cs) == 0 {
		fmt.Fprintf(b, "\nTop contributors: none (%s)\n", calc.NoPublishedUncertainty)
		return
	}
	fmt.Fprint(b, "\nTop contributors (share of variance):\n")
	for _, c := range cs {
		fmt.Fprintf(b, "  %s  %s — %s\n", c.VarianceShare, c.Label, c.Source)
	}
}

// writeComparisonUncertaintyText prints a comparison's sampled totals
// and differences.
func writeComparisonUncertaintyText(out io.Writer, u *calc.ComparisonUncertainty) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\nUncertainty: %d draws, seed %s\nGenerator: %s\nModel digest: %s\n\n", u.Run.Draws, u.Run.Seed, u.Run.Generator, u.Run.ModelDigest)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "METHOD\tEXACT kg CO2e\tMEAN\tMEDIAN\t90 % INTERVAL\t95 % INTERVAL\n")
	for _, t := range u.Totals {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Method, t.Exact, t.Mean, t.Median, interval(t.Interval90), interval(t.Interval95))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range u.Totals {
		if t.Model == calc.ModelNone {
			fmt.Fprintf(&b, "Model of %s: none. %s\n", t.Method, sentence(t.Message))
		}
	}
	for _, d := range u.Differences {
		fmt.Fprintf(&b, "\n%s minus %s: exact %s, mean %s, 90 %% interval %s, 95 %% interval %s\nP(%s > %s) = %s\n",
			d.Other, d.Base, d.Difference.Exact, d.Difference.Mean, interval(d.Difference.Interval90), interval(d.Difference.Interval95), d.Other, d.Base, d.POtherGreater)
		writeContributors(&b, d.Contributors)
	}
	for _, n := range u.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	_, err := out.Write(b.Bytes())
	return err
}
