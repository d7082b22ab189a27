// Command peertable exports, once, what bench/peer.py needs to compute a
// batch file the way `footprint batch` does, without footprint: for each
// line kind found in the file (activity, region, unit, stage, basis,
// allow_region_fallback, and for rows with a product factor its per unit),
// the method's status, factor id or error message, and the prepared terms
// (gas, counted, GWP, and either an exact multiplier or a numerator and
// denominator divided at the method's division places), as JSON.
//
//	peertable -method REF in.csv > table.json
//
// Product-factor rows share a template kind prepared with a factor of 1
// per unit ("product:template"): the peer multiplies by the row's value, as
// the batch's templates do. It is a benchmark tool, not part of footprint.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/calc/bidcsv"
	"github.com/footprint-gpp/footprint/methods"
)

// Table is the exported file.
type Table struct {
	Method         string          `json:"method"`
	Places         int32           `json:"places"`
	HalfUp         bool            `json:"half_up"`
	DivisionPlaces int32           `json:"division_places"`
	Kinds          map[string]Kind `json:"kinds"`
}

// Kind is one line kind under the method. Its key is the trimmed cells
// activity, region, unit, stage, basis, allow_region_fallback and
// factor_per (empty without a product factor), joined by "|", then "|pf"
// for rows with a product factor.
type Kind struct {
	Status   string `json:"status"`
	FactorID string `json:"factor_id,omitempty"`
	Error    string `json:"error,omitempty"`
	Terms    []Term `json:"terms,omitempty"`
}

// Term is a prepared term: kg = quantity × mult when exact, else
// quantity × num / den at the division places, half to even.
type Term struct {
	Gas     string `json:"gas"`
	Counted bool   `json:"counted"`
	GWP     string `json:"gwp"`
	Exact   bool   `json:"exact"`
	Mult    string `json:"mult,omitempty"`
	Num     string `json:"num,omitempty"`
	Den     string `json:"den,omitempty"`
}

func main() {
	ref := flag.String("method", "us-federal", "method ref")
	flag.Parse()
	if err := run(*ref, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "peertable:", err)
		os.Exit(1)
	}
}

func run(ref string, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: peertable -method REF in.csv")
	}
	lib, reg, err := methods.Defaults()
	if err != nil {
		return err
	}
	m, err := reg.Resolve(ref)
	if err != nil {
		return err
	}
	plan, err := calc.NewEngine(lib).Plan(m)
	if err != nil {
		return err
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	h, err := r.Read()
	if err != nil {
		return err
	}
	idx := map[string]int{}
	for i, c := range h {
		idx[bidcsv.NormalizeHeader(c)] = i
	}
	get := func(rec []string, name string) string {
		if i, ok := idx[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	t := Table{Method: m.Ref(), Places: m.Rounding.Places, HalfUp: m.Rounding.Mode == methods.HalfUp,
		DivisionPlaces: m.Rounding.DivisionPlaces, Kinds: map[string]Kind{}}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue // the peer reports such rows itself
		}
		l := calc.Line{Activity: get(rec, "activity"), Region: get(rec, "region"), Unit: get(rec, "unit"),
			Stage: get(rec, "stage"), Basis: get(rec, "basis")}
		fb := get(rec, "allow_region_fallback")
		per := ""
		pf := get(rec, "factor_kg_co2e") != "" || get(rec, "factor_per") != "" || get(rec, "factor_reference") != ""
		if pf {
			per = get(rec, "factor_per")
		}
		key := strings.Join([]string{l.Activity, l.Region, l.Unit, l.Stage, l.Basis, fb, per}, "|")
		if pf {
			key += "|pf"
		}
		if _, ok := t.Kinds[key]; ok {
			continue
		}
		if len(t.Kinds) >= 100000 {
			return errors.New("more than 100,000 line kinds")
		}
		t.Kinds[key] = kind(plan, l, fb, pf, per)
	}
	bw := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", " ")
	if err := enc.Encode(t); err != nil {
		return err
	}
	return bw.Flush()
}

func kind(plan *calc.Plan, l calc.Line, fb string, pf bool, per string) Kind {
	v, ok := bidcsv.ParseFlag(fb)
	if !ok {
		return Kind{Status: "error", Error: "allow_region_fallback: not a boolean: " + fb + " (use true or false)"}
	}
	l.AllowRegionFallback = v
	if pf {
		l.Factor = &calc.ProductFactor{KgCO2e: decimal.NewFromInt(1), Per: per, Reference: "template"}
	}
	pr := plan.Prepare(&l)
	if err := pr.Check("", nil); err != nil {
		return Kind{Status: "error", Error: errorText(err)}
	}
	k := Kind{Status: string(pr.Status)}
	if pr.Factor != nil {
		k.FactorID = pr.Factor.ID
	}
	for _, pt := range pr.Terms {
		tm := Term{Gas: string(pt.Gas), Counted: pt.Counted, GWP: pt.GWP.String(), Exact: pt.Exact}
		if pt.Exact {
			tm.Mult = pt.Mult.String()
		} else {
			tm.Num, tm.Den = pt.Num.String(), pt.Den.String()
		}
		k.Terms = append(k.Terms, tm)
	}
	return k
}

// errorText names the field by its CSV column, as the batch does.
func errorText(err error) string {
	text := calc.ErrorText(err)
	for from, to := range map[string]string{"factor.kg_co2e": "factor_kg_co2e", "factor.per": "factor_per", "factor.reference": "factor_reference"} {
		if calc.Field(err) == from && strings.HasPrefix(text, from) {
			return to + text[len(from):]
		}
	}
	return text
}
