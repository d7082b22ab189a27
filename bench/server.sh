#!/bin/sh
# Load test of footprint serve: builds the binary, starts it on loopback,
# runs wrk POSTing a 20-line bid to /v1/footprints for a bounded time, and
# prints requests/s, p50/p99 latency and the error count.
#
#   bench/server.sh [DURATION] [CONNECTIONS] [THREADS]   (defaults 10s 32 1)
#
# Needs wrk (Debian: apt-get install -y wrk). Loopback only.
set -eu
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNS=${2:-32}
THREADS=${3:-1}
PORT=${PORT:-18181}

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing wrk (apt-get install -y wrk)" >&2
		apt-get install -y wrk >/dev/null
	else
		echo "bench/server.sh needs wrk: sudo apt-get install -y wrk" >&2
		exit 1
	fi
fi

BIN=$(mktemp -d)/footprint
go build -o "$BIN" ./cmd/footprint
"$BIN" serve --addr "127.0.0.1:$PORT" --log-level warn &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$(dirname "$BIN")"' EXIT INT TERM

i=0
until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 50 ]; then echo "server did not start" >&2; exit 1; fi
	sleep 0.1
done

echo "wrk: $DURATION, $CONNS connections, $THREADS thread(s), 20-line bid to POST /v1/footprints"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s bench/bid20.lua "http://127.0.0.1:$PORT/v1/footprints" | tail -3
