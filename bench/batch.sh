#!/usr/bin/env bash
# Benchmark of `footprint batch` against a plain encoding/csv copy.
#
#   bench/batch.sh [ROWS] [--constant-memory]      (REPEAT=N runs, default 3)
#
# Generates a realistic ROWS-row file (default 1,000,000; US mix of fuels,
# eGRID electricity, freight and EPD materials, 2% bad rows; bench/gen),
# runs the built binary with one method, and prints rows/s, peak RSS and the
# ratio of its time to bench/csvcopy's on the same file, measured in the same
# run. Also runs the EU mix (eu-gpp), and the mixed file through one method
# and through both, printing what the second method costs (same file).
# With --constant-memory it also runs 3×ROWS and checks RSS(3×) ≤ 1.5 RSS(1×).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
CHECK_MEM=${2:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/footprint" ./cmd/footprint
go build -o "$TMP/gen" ./bench/gen
go build -o "$TMP/csvcopy" ./bench/csvcopy

REPEAT=${REPEAT:-3}

# measure NAME CMD... : runs CMD REPEAT times (stdout to a file), sets SECS
# to the best time and RSS_KB to the largest peak RSS. Best-of-N because a
# shared machine's load makes single runs noisy; both the batch and the
# copy are measured the same way, alternating, in the same run.
measure() {
  local best="" rss=0 i
  for ((i = 0; i < REPEAT; i++)); do
    measure1 "$@"
    if [ -z "$best" ] || [ "$(echo "$SECS < $best" | bc)" = 1 ]; then best=$SECS; fi
    [ "$RSS_KB" -gt "$rss" ] && rss=$RSS_KB
  done
  SECS=$best RSS_KB=$rss
}

measure1() {
  local name=$1; shift
  local tf="$TMP/time.$name"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$tf" "$@" > "$TMP/out.$name" 2> "$TMP/err.$name" || [ $? -eq 3 ]
    read -r SECS RSS_KB < <(tail -n 1 "$tf")
  else
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$TMP/out.$name" 2> "$TMP/err.$name" || [ $? -eq 3 ]
    t1=$(date +%s.%N)
    SECS=$(echo "$t1 - $t0" | bc); RSS_KB=0
  fi
}

run_one() { # PROFILE ROWS METHOD...
  local profile=$1 rows=$2; shift 2
  local in="$TMP/in.$profile.$rows.csv"
  [ -f "$in" ] || "$TMP/gen" -rows "$rows" -profile "$profile" -bad 20 > "$in"
  local margs=()
  for m in "$@"; do margs+=(--method "$m"); done
  measure copy "$TMP/csvcopy" "$in"
  local copy_s=$SECS copy_rss=$RSS_KB
  measure batch "$TMP/footprint" batch --quiet "${margs[@]}" "$in"
  local rows_out
  rows_out=$(( $(wc -l < "$TMP/out.batch") ))
  printf '%-7s %-22s rows=%-8s size=%-6s batch %6.2fs %9.0f rows/s RSS %6.1f MB | csvcopy %5.2fs RSS %5.1f MB | ratio %.2fx\n' \
    "$profile" "$*" "$rows" "$(du -m "$in" | cut -f1)MB" "$SECS" "$(echo "$rows / $SECS" | bc -l)" "$(echo "$RSS_KB / 1024" | bc -l)" \
    "$copy_s" "$(echo "$copy_rss / 1024" | bc -l)" "$(echo "$SECS / $copy_s" | bc -l)"
  LAST_RSS=$RSS_KB
  LAST_RATE=$(echo "$rows / $SECS" | bc -l)
  LAST_RATIO=$(echo "$SECS / $copy_s" | bc -l)
}

echo "footprint batch benchmark: $(nproc) CPUs, $(go version | cut -d' ' -f3)"
run_one us "$ROWS" us-federal
US_RSS=$LAST_RSS US_RATE=$LAST_RATE US_RATIO=$LAST_RATIO
run_one eu "$ROWS" eu-gpp
# What a second method costs: the mixed file through one method, then
# through both (with the delta column), in the same run.
run_one mixed "$ROWS" us-federal
ONE_SECS=$(echo "$ROWS / $LAST_RATE" | bc -l)
run_one mixed "$ROWS" us-federal eu-gpp
TWO_SECS=$(echo "$ROWS / $LAST_RATE" | bc -l)
TWO_RATIO=$(echo "$TWO_SECS / $ONE_SECS" | bc -l)

status=0
echo
printf 'target ≥ 1,000,000 rows/s (one method):  %.0f rows/s  %s\n' "$US_RATE" "$( [ "$(echo "$US_RATE >= 1000000" | bc)" = 1 ] && echo PASS || echo MISS)"
printf 'target ≤ 5x encoding/csv copy:           %.2fx        %s\n' "$US_RATIO" "$( [ "$(echo "$US_RATIO <= 5" | bc)" = 1 ] && echo PASS || echo MISS)"
printf 'target ≤ 2.1x one method for two (same file): %.2fx   %s\n' "$TWO_RATIO" "$( [ "$(echo "$TWO_RATIO <= 2.1" | bc)" = 1 ] && echo PASS || echo MISS)"
if [ "$CHECK_MEM" = "--constant-memory" ]; then
  run_one us $((ROWS * 3)) us-federal
  ratio=$(echo "$LAST_RSS / $US_RSS" | bc -l)
  ok=$( [ "$(echo "$ratio <= 1.5" | bc)" = 1 ] && echo PASS || echo FAIL)
  printf 'constant memory: RSS %s rows %.1f MB, %s rows %.1f MB, ratio %.2f (≤ 1.5)  %s\n' \
    "$ROWS" "$(echo "$US_RSS / 1024" | bc -l)" "$((ROWS * 3))" "$(echo "$LAST_RSS / 1024" | bc -l)" "$ratio" "$ok"
  [ "$ok" = PASS ] || status=1
fi
exit $status
