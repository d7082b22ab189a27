package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/tender"
)

// bid20 is a prepared bid of 20 lines, the size bench/tender.sh uses.
func bid20(n int, at time.Time) tender.Bid {
	b := newBid(fmt.Sprint("Supplier ", n), "1000.00", "12.5", at)
	b.Lines = make([]calc.Line, 20)
	for i := range b.Lines {
		b.Lines[i] = calc.Line{ID: fmt.Sprint(i + 1), Activity: "fuel.natural_gas", Region: "US", Quantity: dec("1.50"), Unit: "mmBtu"}
	}
	return b
}

// BenchmarkSubmitBid stores 20-line bids on one tender from parallel
// submitters (every write goes through the tender's row lock and the
// chain's head) and reports submissions/s.
func BenchmarkSubmitBid(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			td := mustCreate(b, s, "T-1")
			at := t0.Add(time.Hour)
			ctx := context.Background()
			b.SetParallelism(4)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				n := 0
				for pb.Next() {
					n++
					if _, _, err := s.SubmitBid(ctx, td.ID, bid20(n, at), "h", "", at); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
		})
	}
}

// sqliteBackends are the SQLite backends, in clear and sealed.
func sqliteBackends() []backend {
	var out []backend
	for _, be := range backends() {
		if be.name == "sqlite" || be.name == "sqlite-sealed" {
			out = append(out, be)
		}
	}
	return out
}

// BenchmarkVerify verifies a tender of 1,000 bids (a chain of 1,001
// events) on SQLite, in clear and sealed (every bid decrypted).
func BenchmarkVerify(b *testing.B) {
	for _, be := range sqliteBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			td := mustCreate(b, s, "T-1")
			for i := range 1000 {
				mustSubmit(b, s, td.ID, i, t0.Add(time.Duration(i)*time.Second))
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				r, err := s.Verify(ctx, td.ID)
				if err != nil || !r.Verified {
					b.Fatalf("%+v, %v", r.Problem, err)
				}
			}
		})
	}
}

// BenchmarkOpen1000 opens and evaluates a tender of 1,000 20-line bids on
// SQLite (one transaction: read the bids, decrypted when sealed,
// evaluate, store, two events), in clear and sealed.
func BenchmarkOpen1000(b *testing.B) {
	for _, be := range sqliteBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				td := mustCreate(b, s, "T-1")
				for i := range 1000 {
					at := t0.Add(time.Duration(i) * time.Second)
					if _, _, err := s.SubmitBid(ctx, td.ID, bid20(i, at), "h", "", at); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := s.Open(ctx, td.ID, "officer", "", deadline, evaluate); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
