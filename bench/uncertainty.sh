#!/usr/bin/env bash
# Benchmark of the uncertainty sampling (docs/uncertainty.md#performance).
#
#   bench/uncertainty.sh            (BENCHTIME=Nx runs each N times, default 3x)
#
# Runs the two Benchmark* functions of calc/uncertainty_bench_test.go and
# prints, per operation, the wall time, the process CPU time (cpu-ms/op:
# user + system, all threads) and the allocations:
#   - 10,000 draws of a 100-line eu-gpp@2026.2 footprint (per-line and total
#     summaries, contributors; target < 100 ms);
#   - 10,000 draws of a 1,000-bid × 20-line tender through uncertainty.Rank,
#     2 workers (target < 2 s), memory O(bids × 256 + variables);
#   - the same tender's evaluation at opening (tender/uncertainty_bench_test.go:
#     each bid streamed, its footprint recomputed and checked, its
#     coefficients kept, then Rank on GOMAXPROCS workers; target < 2 s).
# On a shared machine the wall time depends on the load (printed first);
# the CPU time much less: with 2 workers on 2 idle cores the wall time is
# about the CPU time / 2 for the tender and the CPU time for the footprint.
# Not part of `go test`; exit status 1 when a target is missed on wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-3x}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(go version | cut -d' ' -f3)"
out=$(go test ./calc ./tender -run '^$' -bench 'Uncertainty' -benchtime "$BENCHTIME" -benchmem -count 1)
echo "$out" | grep '^Benchmark'
status=0
while read -r name _ ns _ rest; do
  case $name in
    BenchmarkUncertaintyFootprint100x10000*) limit=100000000 ;;
    BenchmarkUncertaintyTender1000x20x10000*) limit=2000000000 ;;
    BenchmarkOpenUncertainty1000x20x10000*) limit=2000000000 ;;
    *) continue ;;
  esac
  cpu=$(echo "$rest" | grep -o '[0-9.]* cpu-ms/op' | cut -d' ' -f1)
  printf '%-45s %10.1f ms/op wall  %10s ms/op CPU  target %d ms\n' "$name" "$(echo "$ns/1000000" | bc -l)" "$cpu" $((limit / 1000000))
  if [ "$ns" -gt "$limit" ]; then status=1; fi
done < <(echo "$out" | grep '^Benchmark')
exit $status
