package batch_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

// countRecords counts the data records of a CSV as encoding/csv reads it
// (after a BOM), parse errors included.
func countRecords(in string) (int, bool) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(in, "\ufeff")))
	r.FieldsPerRecord = -1
	n := -1
	for {
		_, err := r.Read()
		if err == io.EOF {
			return max(n, 0), n >= 0
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return 0, false
		}
		n++
	}
}

// FuzzBatch runs arbitrary input through two methods: it must never panic,
// when the header is good the output has exactly one row per input row,
// all of the same width, and every value of every row is what the engine's
// Plan.Line gives for the same line (the differential guard of the fast
// path; the seeds cover every spelling of quantities and factor values).
func FuzzBatch(f *testing.F) {
	const h = "line_id,activity,region,quantity,unit,stage,factor_kg_co2e,factor_per,factor_reference\n"
	for _, s := range []string{
		h + "1,fuel.natural_gas,US,1000,mmBtu,,,,\n",
		h + "1,material.steel.rebar,US,12.5,t,,780,t,EPD\n2,electricity.grid,DE,1,kWh,,,,\n",
		h + "\"1\n2\",fuel.diesel,US,\"12,5\",gal,,,,\n3,x\n",
		"\ufeffLINE_ID , activity,region,quantity,unit\r\n=1,fuel.lpg,US,1e3,gal\r\n\r\n",
		h + "1,fuel\"x,US,1,mmBtu,,,,\n",
		h + "1,material.steel.rebar,US,99999999999999999,t,,99999999999999999,lb,E\n",
		"line_id,activity\n1,2\n",
		h + "1,material.steel.rebar,US,1e3,t,,780,t,E\n2,material.steel.rebar,US,+1000,t,,7.8E+02,t,E\n",
		h + "1,material.steel.rebar,US,1000.000000000000000000000000000,t,,780.5,t,E\n2,material.glass.flat,US,0001.5E+03,kg,,1.2,kg,G\n",
		h + "1,fuel.natural_gas,US,12345678901234567890.123,mmBtu,,,,\n2,electricity.grid,US-CAMX,.5,MWh,,,,\n3,freight.road,DE,5.,tkm,,,,\n",
		"line_id,activity,region,quantity,unit,basis,allow_region_fallback\n1,electricity.grid,PL,1e2,kWh,,true\n2,fuel.diesel,US,3,GJ,HHV,\n",
		"",
		epdCSV,
		// the 128-bit K of host fuels converted between bases, and division
		// terms whose quotient needs more than 64 bits (pathExact128, pathDivision)
		h + "1,fuel.diesel,US,1999999.99,mmBtu,,,,\n2,fuel.natural_gas,US,12345.67,therm,,,,\n3,freight.road,US,123456.78,t.km,,,,\n4,fuel.natural_gas,US,999999999999999.999,mmBtu,,,,\n5,freight.road,US,999999999999999.999,t.km,,,,\n",
		"line_id,activity,region,quantity,unit,factor_epd\n1,material.steel.rebar,US,1.5,t,openepd/rebar-traci.json\n2,material.steel.rebar,US,3,kg,openepd/rebar-traci.json\n3,material.steel.rebar,US,3,kg,../x\n",
	} {
		f.Add(s)
	}
	w := newWorld(f)
	// The 2025.3 methods: the ones with EPD rules.
	ms := []*methods.Method{w.method(f, "us-federal@2025.3"), w.method(f, "eu-gpp@2025.3")}
	oracle := newOracle(f, w, ms)
	date := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	oracle.epd, oracle.date = (&epdFixtures{}).resolve, date
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		fx := &epdFixtures{}
		sum, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &out, batch.Options{Methods: ms, Workers: 2, EPD: fx.resolve, Date: date})
		if err != nil {
			return // a bad header: nothing to check but the absence of panics
		}
		want, ok := countRecords(in)
		if !ok {
			return
		}
		outText := out.String()
		r := csv.NewReader(strings.NewReader(outText))
		recs, rerr := r.ReadAll() // also checks every row has the header's width
		if rerr != nil {
			t.Fatalf("output is not rectangular CSV: %v", rerr)
		}
		if len(recs)-1 != want || sum.Rows != int64(want) {
			t.Fatalf("%d output rows (summary %d) for %d input rows", len(recs)-1, sum.Rows, want)
		}
		if sum.OK+sum.Errors != sum.Rows {
			t.Fatalf("summary %+v", sum)
		}
		if bad := oracle.check(in, outText, sum); len(bad) > 0 {
			t.Fatalf("batch and engine disagree:\n%s", strings.Join(bad, "\n"))
		}
	})
}

// FuzzRow checks the hot path's row decoder against gocsv's decoding of
// the typed Row model, on any header and record.
func FuzzRow(f *testing.F) {
	f.Add("line_id,activity,region,quantity,unit,note", "1,fuel.natural_gas,US,1000,mmBtu,x")
	f.Add(" Unit ,QUANTITY,x,Region, activity ,Line_ID,factor_per", "mmBtu,1,y,US,fuel.diesel,7,t")
	f.Add("line_id,activity,region,quantity,unit,stage,basis,allow_region_fallback,factor_kg_co2e,factor_per,factor_reference", "a,b,c,d,e,f,g,h,i,j,k")
	f.Fuzz(func(t *testing.T, header, record string) {
		in := header + "\n" + record + "\n"
		r := csv.NewReader(strings.NewReader(in))
		h, err := r.Read()
		if err != nil {
			return
		}
		h = append([]string(nil), h...)
		rec, err := r.Read()
		if err != nil || len(rec) != len(h) {
			return
		}
		idx, ok := tryColumns(h)
		if !ok {
			return
		}
		var direct batch.Row
		batch.DecodeInto(rec, idx, &direct)

		cr := csv.NewReader(strings.NewReader(in))
		um, err := gocsv.NewUnmarshaller(cr, batch.Row{})
		if err != nil {
			return
		}
		if err := um.RenormalizeHeaders(func(hs []string) []string {
			out := make([]string, len(hs))
			for i, s := range hs {
				out[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
			}
			return out
		}); err != nil {
			return
		}
		v, err := um.Read()
		if err != nil {
			return
		}
		if got := v.(batch.Row); got != direct {
			t.Fatalf("gocsv %+v\ndirect %+v", got, direct)
		}
	})
}

func tryColumns(h []string) (idx any, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return batch.ColumnIndex(h), true
}

// FuzzRecordLimiter checks that the record limit follows encoding/csv's
// record boundaries: it never trips while every record is within the
// limit, and when it trips some record is over it.
func FuzzRecordLimiter(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,\"b\nc\"\n1,\"2\"\"3\"\n", "a\n\"x\n", "a,b\n1,x\"y\n\"q\"z,2\n", "\n\n\na\r\n\"\"\"\"\n"} {
		f.Add(s, uint16(3))
	}
	f.Fuzz(func(t *testing.T, in string, limit uint16) {
		// the largest record as encoding/csv reads it, in input bytes
		r := csv.NewReader(strings.NewReader(in))
		r.FieldsPerRecord = -1
		var prev, largest int64
		for {
			_, err := r.Read()
			off := r.InputOffset()
			largest = max(largest, off-prev)
			prev = off
			if err == io.EOF {
				break
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatal(err)
			}
		}
		trips := func(l int) bool {
			_, err := io.ReadAll(batch.NewRecordLimiter(strings.NewReader(in), l, l))
			return errors.Is(err, batch.ErrRecordTooLarge)
		}
		if trips(int(largest)) {
			t.Fatalf("tripped with every record within %d bytes", largest)
		}
		if l := int(limit); trips(l) && largest <= int64(l) {
			t.Fatalf("tripped at %d with the largest record %d bytes", l, largest)
		}
	})
}

// FuzzBatchIntervals runs arbitrary input through the two methods with a
// model, with interval columns: it must never panic; every row must be the
// row without intervals followed by the interval columns; no interval is
// NaN or infinite, every probability is in [0, 1]; and every interval cell
// and probability is what calc reports for a one-line bid of the row.
func FuzzBatchIntervals(f *testing.F) {
	const h = "line_id,activity,region,quantity,unit,stage,factor_kg_co2e,factor_per,factor_reference\n"
	for _, s := range []string{
		h + "1,fuel.natural_gas,US,1000,mmBtu,,,,\n2,fuel.natural_gas,US,1000,mmBtu,,,,\n",
		h + "1,electricity.grid,US-CAMX,98765,kWh,,,,\n2,electricity.grid,US-CAMX,0.5,kWh,,,,\n3,electricity.grid,DE,1,kWh,,,,\n",
		h + "1,freight.road,US,0.000000000000000001,t.km,,,,\n2,freight.road,US,12.5,t.km,,,,\n3,freight.road,US,0,t.km,,,,\n",
		h + "1,fuel.wood,DE,30,t,,,,\n2,fuel.diesel,DE,40,t,,,,\n3,fuel.coal.bituminous,US,120,t,,,,\n",
		h + "1,material.steel.rebar,US,12.5,t,,780,t,EPD\n2,material.steel.rebar,US,1e3,t,,7.8E+02,t,E\n",
		h + " 7 ,fuel.lpg,US,1e3,gal,,,,\n,fuel.diesel,US,3,gal,,,,\n\"1\n2\",fuel.diesel,US,\"12,5\",gal,,,,\n",
		h + "1,fuel.natural_gas,US,999999999999999.999,mmBtu,,,,\n2,freight.road,US,999999999999999.999,t.km,,,,\n",
		"line_id,activity,region,quantity,unit,factor_epd\n1,material.steel.rebar,US,1.5,t,openepd/rebar-declared.json\n2,material.steel.rebar,US,3,kg,openepd/rebar-traci.json\n",
		tinyRows,
	} {
		f.Add(s)
	}
	w := newWorld(f)
	ms := []*methods.Method{w.method(f, "us-federal@2026.2"), w.method(f, "eu-gpp@2026.2")}
	date := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	resolve := declaredEPDs(f)
	cfg := uncertainty.Config{Draws: 33, Seed: 5}
	o := &intervalOracle{w: w, ms: ms, cfg: cfg, epd: resolve, date: date}
	f.Fuzz(func(t *testing.T, in string) {
		opt := batch.Options{Methods: ms, Workers: 2, EPD: resolve, Date: date}
		var plain, with bytes.Buffer
		if _, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &plain, opt); err != nil {
			return // a bad header: nothing to check but the absence of panics
		}
		opt.Uncertainty = &cfg
		if _, err := batch.Run(context.Background(), w.eng, strings.NewReader(in), &with, opt); err != nil {
			t.Fatalf("the run without intervals went through, with them: %v", err)
		}
		if _, ok := countRecords(in); !ok {
			return
		}
		checkAppended(t, plain.String(), with.String(), len(ms))
		if bad := o.check(t, in, with.String()); len(bad) > 0 {
			t.Fatalf("batch and calc disagree:\n%s", strings.Join(bad, "\n"))
		}
	})
}
