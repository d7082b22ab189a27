#!/usr/bin/env bash
# Load test of the tender store behind footprint serve: builds the binary
# and bench/tenderload, starts `footprint serve --db …` on loopback, and
#
#   1. POSTs 20-line bids (distinct bodies, each its own Idempotency-Key)
#      to one tender for SECONDS from CONNECTIONS connections, and prints
#      submissions/s, p50/p99 latency and errors;
#   2. creates a tender whose deadline is a few seconds away, submits
#      1,000 bids, waits for the deadline, and prints the time of
#      POST …/open and GET …/evaluation;
#
# first on SQLite (a file in a temporary directory), then on PostgreSQL:
# FOOTPRINT_TEST_POSTGRES when set (its database gets a few benchmark
# tenders), else a throwaway cluster as .ci/run starts one, else skipped
# with a message.
#
#   bench/tender.sh [SECONDS] [CONNECTIONS]     (defaults 10 8; OPEN_BIDS=1000)
#
# Everything it starts is stopped at exit. Loopback only. The load
# generator shares the machine's cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
CONNS=${2:-8}
OPEN_BIDS=${OPEN_BIDS:-1000}
PORT=${PORT:-18182}
case $DUR in '' | *[!0-9]*) echo "SECONDS must be a whole number of seconds, e.g. 10" >&2; exit 2 ;; esac
case $CONNS in '' | *[!0-9]*) echo "CONNECTIONS must be a whole number, e.g. 8" >&2; exit 2 ;; esac

TMP=$(mktemp -d)
SRV=""
PGBIN="" PGDIR="" AS_PG=()
cleanup() {
  if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; fi
  if [ -n "$PGDIR" ]; then "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$TMP/footprint" ./cmd/footprint
go build -o "$TMP/tenderload" ./bench/tenderload
FOOTPRINT_OFFICER_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export FOOTPRINT_OFFICER_TOKEN

# bench NAME DBURL: starts serve on DBURL, runs both phases, stops it.
bench() {
  local name=$1 db=$2 i=0
  "$TMP/footprint" serve --addr "127.0.0.1:$PORT" --db "$db" --log-level warn &
  SRV=$!
  until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$SRV" 2>/dev/null; then echo "server on $name did not start" >&2; exit 1; fi
    sleep 0.1
  done
  echo "== $name: 20-line bids to POST /v1/tenders/{id}/bids, ${DUR}s, $CONNS connections"
  "$TMP/tenderload" -url "http://127.0.0.1:$PORT" -duration "${DUR}s" -conns "$CONNS" -open "$OPEN_BIDS"
  kill "$SRV"; wait "$SRV" 2>/dev/null || true
  SRV=""
}

bench SQLite "sqlite:$TMP/bench.db"

PGURL=${FOOTPRINT_TEST_POSTGRES:-}
if [ -z "$PGURL" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]; then
    # As .ci/run: a throwaway cluster in a temporary directory, unix
    # socket only, run as the postgres user when we are root.
    PGDIR=$(mktemp -d)
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDIR"; AS_PG=(runuser -u postgres --); fi
    "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -o "-k $PGDIR -p 55433 -c listen_addresses=''" -w start >/dev/null
    "${AS_PG[@]}" "$PGBIN/createdb" -h "$PGDIR" -p 55433 -U postgres footprint_bench
    PGURL="postgres://postgres@/footprint_bench?host=$PGDIR&port=55433&sslmode=disable"
  fi
fi
if [ -n "$PGURL" ]; then
  bench PostgreSQL "$PGURL"
else
  echo "== PostgreSQL: skipped (set FOOTPRINT_TEST_POSTGRES, or install postgresql for a throwaway cluster)"
fi
