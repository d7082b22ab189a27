package batch_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"testing"

	"github.com/gocarina/gocsv"

	"github.com/footprint-gpp/footprint/calc/batch"
	"github.com/footprint-gpp/footprint/calc/batch/batchgen"
	"github.com/footprint-gpp/footprint/methods"
	"github.com/footprint-gpp/footprint/uncertainty"
)

func genFile(b testing.TB, rows int, p batchgen.Profile, bad int) []byte {
	var buf bytes.Buffer
	if err := batchgen.Write(&buf, batchgen.Config{Rows: rows, Seed: 7, Profile: p, BadPerMille: bad}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchRun(b *testing.B, data []byte, rows int, workers int, dry bool, refs ...string) {
	w := newWorld(b)
	var ms []*methods.Method
	for _, r := range refs {
		ms = append(ms, w.method(b, r))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := batch.Run(context.Background(), w.eng, bytes.NewReader(data), io.Discard, batch.Options{Methods: ms, Workers: workers, DryRun: dry}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchUS is the headline: one method, a realistic US mix, 2% bad rows.
func BenchmarkBatchUS(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.US, 20), rows, 0, false, "us-federal")
}

// BenchmarkBatchUSOneWorker is the same with a single worker.
func BenchmarkBatchUSOneWorker(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.US, 20), rows, 1, false, "us-federal")
}

// BenchmarkBatchEU is one method on an EU mix.
func BenchmarkBatchEU(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.EU, 20), rows, 0, false, "eu-gpp")
}

// BenchmarkBatchTwoMethods runs a mixed file through both methods (with delta).
func BenchmarkBatchTwoMethods(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.Mixed, 20), rows, 0, false, "us-federal", "eu-gpp")
}

// BenchmarkBatchDryRun validates with gocsv's typed decoding.
func BenchmarkBatchDryRun(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.US, 20), rows, 0, true, "us-federal")
}

// BenchmarkBatchRawCopy is the baseline: encoding/csv read and write of the same file.
func BenchmarkBatchRawCopy(b *testing.B) {
	const rows = 100000
	data := genFile(b, rows, batchgen.US, 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		w := csv.NewWriter(io.Discard)
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			w.Write(rec)
		}
		w.Flush()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchDecodeGocsv measures gocsv's reflection decoding of the
// typed Row model alone, against BenchmarkBatchDecodeDirect.
func BenchmarkBatchDecodeGocsv(b *testing.B) {
	const rows = 100000
	data := genFile(b, rows, batchgen.US, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		um, err := gocsv.NewUnmarshaller(r, batch.Row{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			v, err := um.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			_ = v.(batch.Row)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchDecodeDirect reads the same file with encoding/csv and
// fills the Row by column index, as the hot path does.
func BenchmarkBatchDecodeDirect(b *testing.B) {
	const rows = 100000
	data := genFile(b, rows, batchgen.US, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		h, _ := r.Read()
		idx := batch.ColumnIndex(h)
		var row batch.Row
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			batch.DecodeInto(rec, idx, &row)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchMixedOneMethod is the mixed file of BenchmarkBatchTwoMethods
// through one method: the pair's ratio is what a second method costs.
func BenchmarkBatchMixedOneMethod(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.Mixed, 20), rows, 0, false, "us-federal")
}

// BenchmarkBatchMixedOtherMethod is the mixed file through eu-gpp alone.
func BenchmarkBatchMixedOtherMethod(b *testing.B) {
	const rows = 100000
	benchRun(b, genFile(b, rows, batchgen.Mixed, 20), rows, 0, false, "eu-gpp")
}

// benchIntervals runs a generated file with interval columns (draws
// draws, seed 1) through the methods.
func benchIntervals(b *testing.B, rows int, p batchgen.Profile, draws int, refs ...string) {
	data := genFile(b, rows, p, 20)
	w := newWorld(b)
	var ms []*methods.Method
	for _, r := range refs {
		ms = append(ms, w.method(b, r))
	}
	cfg := uncertainty.Config{Draws: draws, Seed: 1}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := batch.Run(context.Background(), w.eng, bytes.NewReader(data), io.Discard, batch.Options{Methods: ms, Uncertainty: &cfg}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchIntervalsUS: one method with a model, the US mix, 1,000
// draws (bench/batch.sh UNCERTAINTY=1000 runs the same through the CLI).
func BenchmarkBatchIntervalsUS(b *testing.B) {
	benchIntervals(b, 20000, batchgen.US, 1000, "us-federal@2026.2")
}

// BenchmarkBatchIntervalsTwoMethods: both methods with a model on the
// mixed file, 1,000 draws, with P(second > first).
func BenchmarkBatchIntervalsTwoMethods(b *testing.B) {
	benchIntervals(b, 20000, batchgen.Mixed, 1000, "us-federal@2026.2", "eu-gpp@2026.2")
}
