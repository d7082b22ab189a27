#!/bin/sh
# Load test of footprint serve against its floor, in one run: builds
# `footprint` and the floor server (bench/floor: a bare net/http server that
# decodes the same bid with encoding/json and encodes it back), starts both
# on loopback, and drives each with the same load generator (wrk with
# bench/bid20.lua, POSTing the 20-line bid of bench/bid20.json to
# /v1/footprints) at each connection count, REPEATS times, floor and
# footprint alternating (which goes first alternates too). It prints
# requests/s, p50 and p99 of every run, then per connection count the
# medians and footprint's ratio to the floor (req/s footprint ÷ req/s
# floor).
#
# It checks that footprint's answers are byte-identical: every answer under
# load against the first (bid20.lua), and the answer fetched before the
# runs, between them and after them against each other. It fails (exit 1)
# on any error, non-200 answer or differing answer.
#
#   bench/server.sh [DURATION] [CONNECTIONS...]   (defaults 10s, 4 32)
#   REPEATS=3 THREADS=1 PORT=18181 FLOOR_PORT=18180 bench/server.sh
#
# Needs wrk (Debian: apt-get install -y wrk). Loopback only. The load
# generator shares the machine's cores with both servers: compare the
# ratio within one run, not req/s across machines or runs.
set -eu
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
[ $# -gt 0 ] && shift
CONNS=${*:-4 32}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-1}
PORT=${PORT:-18181}
FLOOR_PORT=${FLOOR_PORT:-18180}

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing wrk (apt-get install -y wrk)" >&2
		apt-get install -y wrk >/dev/null
	else
		echo "bench/server.sh needs wrk: sudo apt-get install -y wrk" >&2
		exit 1
	fi
fi

TMP=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$TMP/footprint" ./cmd/footprint
go build -o "$TMP/floor" ./bench/floor
# Its database, key file and officer token are the run's own, in $TMP.
FOOTPRINT_OFFICER_TOKEN=${FOOTPRINT_OFFICER_TOKEN:-bench-server-sh-officer-token-0000000000} \
	"$TMP/footprint" serve --addr "127.0.0.1:$PORT" --log-level warn \
	--db "sqlite:$TMP/footprint.db" --keys "$TMP/footprint.keys" 2>"$TMP/serve.log" &
PIDS="$PIDS $!"
"$TMP/floor" -addr "127.0.0.1:$FLOOR_PORT" &
PIDS="$PIDS $!"

for p in "$PORT" "$FLOOR_PORT"; do
	i=0
	until curl -fsS "http://127.0.0.1:$p/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "server on port $p did not start" >&2
			cat "$TMP/serve.log" >&2
			exit 1
		fi
		sleep 0.1
	done
done

FP_URL="http://127.0.0.1:$PORT/v1/footprints"
FLOOR_URL="http://127.0.0.1:$FLOOR_PORT/v1/footprints"
BID_BODY="$TMP/bid.json"
# The body wrk sends: bench/bid20.json without its final newline.
printf '%s' "$(cat bench/bid20.json)" >"$BID_BODY"

# answer N: fetch footprint's answer to the bid into $TMP/answer.N and
# check it against the first one.
answer() {
	curl -fsS -H 'Content-Type: application/json' --data-binary "@$BID_BODY" "$FP_URL" >"$TMP/answer.$1"
	if [ "$1" != 0 ] && ! cmp -s "$TMP/answer.0" "$TMP/answer.$1"; then
		echo "FAIL: footprint's answer $1 to the same bid differs from answer 0" >&2
		exit 1
	fi
}

# load NAME URL CONNS: one wrk run; prints "NAME CONNS req/s p50 p99" to
# $TMP/results and the run's line to stdout.
load() {
	out=$(wrk -t"$THREADS" -c"$3" -d"$DURATION" --timeout 10s --latency -s bench/bid20.lua "$2" 2>"$TMP/wrk.err")
	if [ -s "$TMP/wrk.err" ]; then
		cat "$TMP/wrk.err" >&2
		echo "FAIL: $1 at $3 connections: $(head -1 "$TMP/wrk.err")" >&2
		exit 1
	fi
	rps=$(printf '%s\n' "$out" | awk '/^requests\/s:/ {print $2}')
	p50=$(printf '%s\n' "$out" | awk '/^latency p50:/ {print $3}')
	p99=$(printf '%s\n' "$out" | awk '/^latency p50:/ {print $6}')
	errs=$(printf '%s\n' "$out" | awk '/^errors:/ {print $2}')
	if [ -z "$rps" ] || [ "$errs" != 0 ]; then
		printf '%s\n' "$out" >&2
		echo "FAIL: $1 at $3 connections: ${errs:-no} errors" >&2
		exit 1
	fi
	echo "$1 $3 $rps $p50 $p99" >>"$TMP/results"
	printf '  %-9s %3s conns  %8s req/s  p50 %7s ms  p99 %7s ms\n' "$1" "$3" "$rps" "$p50" "$p99"
}

echo "bench/server.sh: $(date -u +%Y-%m-%d), $(nproc) cores, wrk $THREADS thread(s), $DURATION per run, $REPEATS run(s) per connection count"
echo "20-line bid (bench/bid20.json) to POST /v1/footprints: footprint serve vs floor (bench/floor, bare net/http + encoding/json)"
answer 0
: >"$TMP/results"
n=0
for c in $CONNS; do
	r=1
	while [ "$r" -le "$REPEATS" ]; do
		if [ $((r % 2)) = 1 ]; then
			load floor "$FLOOR_URL" "$c"
			load footprint "$FP_URL" "$c"
		else
			load footprint "$FP_URL" "$c"
			load floor "$FLOOR_URL" "$c"
		fi
		n=$((n + 1))
		answer "$n"
		r=$((r + 1))
	done
done

echo
echo "medians of $REPEATS run(s):"
printf '%-6s %-10s %10s %10s %10s   %-10s %10s %10s %10s   %s\n' conns "" "req/s" "p50 ms" "p99 ms" "" "req/s" "p50 ms" "p99 ms" "ratio"
# median NAME CONNS FIELD: the median of a column of the results.
median() {
	awk -v n="$1" -v c="$2" -v f="$3" '$1 == n && $2 == c {print $f}' "$TMP/results" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
for c in $CONNS; do
	fr=$(median footprint "$c" 3)
	lr=$(median floor "$c" 3)
	ratio=$(awk -v a="$fr" -v b="$lr" 'BEGIN {printf "%.2f", a / b}')
	printf '%-6s %-10s %10s %10s %10s   %-10s %10s %10s %10s   %s×\n' "$c" footprint "$fr" "$(median footprint "$c" 4)" "$(median footprint "$c" 5)" \
		floor "$lr" "$(median floor "$c" 4)" "$(median floor "$c" 5)" "$ratio"
done
echo "footprint answers: $((n + 1)) fetched around the runs, byte-identical (sha256 $(sha256sum "$TMP/answer.0" | cut -c1-16)…); under load, every answer identical to the first"
