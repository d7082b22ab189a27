#!/usr/bin/env bash
# Benchmark of `footprint batch` against its floor and its peer.
#
#   bench/batch.sh [ROWS] [--constant-memory]      (or ROWS=N in the environment;
#                                                  REPEAT=N runs each, default 3;
#                                                  UNCERTAINTY=DRAWS adds intervals)
#
# Generates realistic ROWS-row files (default 1,000,000; bench/gen: US, EU
# and mixed lines, 2% bad rows) and prints, from one run:
#   - one method (us-federal on the US file; eu-gpp on the EU file): rows/s,
#     peak RSS, and the ratio of its time to bench/csvcopy's (a plain
#     encoding/csv read and write of the same file: the floor);
#   - the mixed file through one method and through two (with the delta
#     column): rows/s, peak RSS, and the ratio two/one;
#   - the stdlib-Python peer (bench/peer.py, csv + decimal, the same
#     computation from a table bench/peertable exports once) on the US file:
#     its rows/s, the ratio footprint/peer, and whether its output is
#     byte-identical to footprint's;
#   - with --constant-memory, the US file at 3×ROWS: peak RSS against ROWS';
#   - with UNCERTAINTY=DRAWS in the environment, the interval columns
#     (--uncertainty DRAWS --seed 1): the US file through us-federal and the
#     mixed file through both methods, rows/s and peak RSS, and the ratio of
#     the time to the same run without intervals (docs/batch.md, "Intervals").
# Every time is the best of REPEAT runs, peak RSS the largest; the
# commands compared are measured alternately in the same run, so ratios
# hold on a shared machine better than absolute figures (which vary with
# load; quote the ratios). Not part of `go test`: nothing here is asserted
# by a test. Exit status 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
CHECK_MEM=
for a in "$@"; do
  case $a in
    --constant-memory) CHECK_MEM=1 ;;
    [0-9]*) ROWS=$a ;;
    *) echo "usage: [UNCERTAINTY=DRAWS] bench/batch.sh [ROWS] [--constant-memory]" >&2; exit 2 ;;
  esac
done
REPEAT=${REPEAT:-3}
UNCERTAINTY=${UNCERTAINTY:-}
if [ -n "$UNCERTAINTY" ] && ! [[ $UNCERTAINTY =~ ^[1-9][0-9]{0,6}$ ]]; then
  echo "bench/batch.sh: UNCERTAINTY=$UNCERTAINTY: give a number of draws (1 to 1000000)" >&2
  exit 2
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! command -v python3 > /dev/null; then
  echo "bench/batch.sh: python3 is needed for the peer (bench/peer.py, standard library only)." >&2
  if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
    echo "bench/batch.sh: installing the Debian package python3 (apt-get install -y python3)..." >&2
    apt-get install -y -q python3 > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q python3 > /dev/null; }
  else
    echo "bench/batch.sh: install it (Debian/Ubuntu: sudo apt-get install python3) and run again." >&2
    exit 1
  fi
fi

go build -o "$TMP/footprint" ./cmd/footprint
go build -o "$TMP/gen" ./bench/gen
go build -o "$TMP/csvcopy" ./bench/csvcopy
go build -o "$TMP/peertable" ./bench/peertable

# measure NAME CMD... : runs CMD REPEAT times (stdout to $TMP/out.NAME), sets
# SECS to the best time and RSS_KB to the largest peak RSS. Best-of-N because
# a shared machine's load makes single runs noisy.
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
  [ "$(echo "$SECS > 0" | bc)" = 1 ] || SECS=0.01 # /usr/bin/time's resolution
}

input() { # PROFILE ROWS: the generated file's path
  local in="$TMP/in.$1.$2.csv"
  [ -f "$in" ] || "$TMP/gen" -rows "$2" -profile "$1" -bad 20 > "$in"
  echo "$in"
}

mb() { echo "$1 / 1024" | bc -l; }

# run_one PROFILE ROWS METHOD... : footprint batch and csvcopy on the same
# file, alternately REPEAT times each; sets RATE, SECS_FP, RSS_FP, COPY_RATIO.
run_one() {
  local profile=$1 rows=$2; shift 2
  local in; in=$(input "$profile" "$rows")
  local margs=() m i best="" rss=0 cbest="" crss=0
  for m in "$@"; do margs+=(--method "$m"); done
  for ((i = 0; i < REPEAT; i++)); do
    REPEAT=1 measure copy "$TMP/csvcopy" "$in"
    if [ -z "$cbest" ] || [ "$(echo "$SECS < $cbest" | bc)" = 1 ]; then cbest=$SECS; fi
    [ "$RSS_KB" -gt "$crss" ] && crss=$RSS_KB
    REPEAT=1 measure batch "$TMP/footprint" batch --quiet "${margs[@]}" "$in"
    if [ -z "$best" ] || [ "$(echo "$SECS < $best" | bc)" = 1 ]; then best=$SECS; fi
    [ "$RSS_KB" -gt "$rss" ] && rss=$RSS_KB
  done
  local out_rows=$(( $(wc -l < "$TMP/out.batch") - 1 ))
  if [ "$out_rows" -ne "$rows" ]; then
    echo "bench/batch.sh: $out_rows output rows for $rows input rows" >&2
    exit 1
  fi
  SECS_FP=$best RSS_FP=$rss
  RATE=$(echo "$rows / $best" | bc -l)
  COPY_RATIO=$(echo "$best / $cbest" | bc -l)
  printf '%-6s %-22s rows=%-8s %4sMB  batch %6.2fs %9.0f rows/s RSS %6.1f MB | csvcopy %5.2fs RSS %5.1f MB | %.2fx csvcopy\n' \
    "$profile" "$*" "$rows" "$(du -m "$in" | cut -f1)" "$best" "$RATE" "$(mb "$rss")" "$cbest" "$(mb "$crss")" "$COPY_RATIO"
}

# run_intervals PROFILE ROWS METHOD... : footprint batch with and without
# --uncertainty $UNCERTAINTY on the same file; prints rows/s with intervals,
# peak RSS, and the ratio of the two times.
run_intervals() {
  local profile=$1 rows=$2; shift 2
  local in; in=$(input "$profile" "$rows")
  local margs=() m
  for m in "$@"; do margs+=(--method "$m"); done
  measure plain "$TMP/footprint" batch --quiet "${margs[@]}" "$in"
  local plain=$SECS
  measure intervals "$TMP/footprint" batch --quiet "${margs[@]}" --uncertainty "$UNCERTAINTY" --seed 1 "$in"
  local out_rows=$(( $(wc -l < "$TMP/out.intervals") - 1 ))
  if [ "$out_rows" -ne "$rows" ]; then
    echo "bench/batch.sh: $out_rows output rows with intervals for $rows input rows" >&2
    exit 1
  fi
  printf 'intervals %-6s %-22s rows=%-8s draws=%-7s batch %6.2fs %9.0f rows/s RSS %6.1f MB | without %5.2fs | %.1fx\n' \
    "$profile" "$*" "$rows" "$UNCERTAINTY" "$SECS" "$(echo "$rows / $SECS" | bc -l)" "$(mb "$RSS_KB")" "$plain" "$(echo "$SECS / $plain" | bc -l)"
}

verdict() { [ "$(echo "$1" | bc)" = 1 ] && echo PASS || { STATUS=1; echo MISS; }; }
STATUS=0

echo "footprint batch benchmark: $(nproc) CPUs, $(go version | cut -d' ' -f3), $(python3 --version), REPEAT=$REPEAT (best of), $(date -u +%Y-%m-%d)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

run_one us "$ROWS" us-federal
US_RATE=$RATE US_SECS=$SECS_FP US_RSS=$RSS_FP US_COPY=$COPY_RATIO
cp "$TMP/out.batch" "$TMP/us.footprint.csv"
run_one eu "$ROWS" eu-gpp

# What a second method costs: the mixed file through one method, then both.
run_one mixed "$ROWS" us-federal
ONE_SECS=$SECS_FP
run_one mixed "$ROWS" us-federal eu-gpp
TWO_SECS=$SECS_FP TWO_RATE=$RATE
TWO_RATIO=$(echo "$TWO_SECS / $ONE_SECS" | bc -l)

# The peer, on the US file, through us-federal; its table is exported once,
# outside the timing, and its output must be footprint's, byte for byte.
US_IN=$(input us "$ROWS")
"$TMP/peertable" -method us-federal "$US_IN" > "$TMP/table.json"
PEER_REPEAT=${PEER_REPEAT:-$REPEAT}
REPEAT=$PEER_REPEAT measure peer python3 bench/peer.py "$TMP/table.json" "$US_IN"
PEER_SECS=$SECS PEER_RSS=$RSS_KB
PEER_RATE=$(echo "$ROWS / $PEER_SECS" | bc -l)
# footprint again right after the peer, so that both see the same load
measure batch "$TMP/footprint" batch --quiet --method us-federal "$US_IN"
[ "$(echo "$SECS < $US_SECS" | bc)" = 1 ] && US_SECS=$SECS
PEER_RATIO=$(echo "$PEER_SECS / $US_SECS" | bc -l)
if cmp -s "$TMP/out.peer" "$TMP/us.footprint.csv"; then SAME="byte-identical output"; else SAME="OUTPUT DIFFERS"; STATUS=1; fi
printf 'peer   %-22s rows=%-8s        python %6.2fs %9.0f rows/s RSS %6.1f MB | %s\n' \
  us-federal "$ROWS" "$PEER_SECS" "$PEER_RATE" "$(mb "$PEER_RSS")" "$SAME"

echo
printf 'one method (us):  %9.0f rows/s, peak RSS %.1f MB\n' "$US_RATE" "$(mb "$US_RSS")"
printf 'two methods (mixed): %6.0f rows/s, peak RSS %.1f MB\n' "$TWO_RATE" "$(mb "$RSS_FP")"
printf 'target ≥ 10x the Python peer (one method):     %6.1fx  %s\n' "$PEER_RATIO" "$(verdict "$PEER_RATIO >= 10")"
printf 'target ≤ 2x the encoding/csv copy (one method): %5.2fx  %s\n' "$US_COPY" "$(verdict "$US_COPY <= 2")"
printf 'target ≤ 2.1x one method for two (same file):   %5.2fx  %s\n' "$TWO_RATIO" "$(verdict "$TWO_RATIO <= 2.1")"
if [ -n "$CHECK_MEM" ]; then
  run_one us $((ROWS * 3)) us-federal
  ratio=$(echo "$RSS_FP / $US_RSS" | bc -l)
  printf 'constant memory: peak RSS %s rows %.1f MB, %s rows %.1f MB, ratio %.2f (≤ 1.5)  %s\n' \
    "$ROWS" "$(mb "$US_RSS")" "$((ROWS * 3))" "$(mb "$RSS_FP")" "$ratio" "$(verdict "$ratio <= 1.5")"
fi
if [ -n "$UNCERTAINTY" ]; then
  run_intervals us "$ROWS" us-federal
  run_intervals mixed "$ROWS" us-federal eu-gpp
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
exit $STATUS
