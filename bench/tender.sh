#!/usr/bin/env bash
# Load test of the tender store behind footprint serve: builds the binary
# and bench/tenderload, starts `footprint serve --db …` on loopback, and
#
#   1. POSTs 20-line bids (distinct bodies, each its own Idempotency-Key)
#      to one tender for SECONDS from CONNECTIONS connections, and prints
#      submissions/s, p50/p99 latency and errors;
#   2. for each size of BIDS_SIZES (default "1000 10000 50000"; e.g.
#      BIDS_SIZES=1000 for a quick run): creates a tender in committee
#      custody (two opener accounts made with POST /v1/officers, committee
#      {openers:[a,b], k:2}, max_bids ≥ the size), fills it over HTTP
#      (FILL_CONNECTIONS connections, default 16; the tenders' common
#      deadline assumes the fill runs at FILL_MARGIN, default 0.6, of the
#      rate phase 1 measured: lower it on a busy machine), and after the deadline
#      opens it with the two approvals, each with its opener's personal
#      token — the second approval's time is the opening's, decryption
#      included — then times GET …/evaluation (JSON and CSV), GET …/ocds
#      and GET …/bids; beside each step, the server's peak RSS during it
#      (VmHWM of its process, reset before the step with
#      echo 5 > /proc/PID/clear_refs);
#
# first on SQLite (a file in a temporary directory), then on PostgreSQL
# (phase 2 with PG_BIDS_SIZES, default "1000"): FOOTPRINT_TEST_POSTGRES
# when set (its database gets a few benchmark tenders and officers), else
# a throwaway cluster as .ci/run starts one, else skipped with a message.
#
#   bench/tender.sh [SECONDS] [CONNECTIONS]     (defaults 10 8)
#
# FOOTPRINT_BIN=path benchmarks that binary instead of building
# ./cmd/footprint (a before/after comparison). The load averages are
# printed: the machine's other work skews both time and RSS.
#
# Everything it starts is stopped at exit. Loopback only. The load
# generator shares the machine's cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
CONNS=${2:-8}
SIZES=${BIDS_SIZES:-1000 10000 50000}
PG_SIZES=${PG_BIDS_SIZES:-1000}
FILL=${FILL_CONNECTIONS:-16}
MARGIN=${FILL_MARGIN:-0.6}
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

if [ -n "${FOOTPRINT_BIN:-}" ]; then cp "$FOOTPRINT_BIN" "$TMP/footprint"; else go build -o "$TMP/footprint" ./cmd/footprint; fi
go build -o "$TMP/tenderload" ./bench/tenderload
FOOTPRINT_OFFICER_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export FOOTPRINT_OFFICER_TOKEN

# bench NAME DBURL SIZES: starts serve on DBURL, runs both phases, stops it.
bench() {
  local name=$1 db=$2 sizes=$3 i=0
  "$TMP/footprint" serve --addr "127.0.0.1:$PORT" --db "$db" --keys "$TMP/$name.keys" --checkpoint "$TMP/$name.checkpoint" \
    --public-url "http://127.0.0.1:$PORT" --log-level warn &
  SRV=$!
  until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$SRV" 2>/dev/null; then echo "server on $name did not start" >&2; exit 1; fi
    sleep 0.1
  done
  echo "== $name: 20-line bids to POST /v1/tenders/{id}/bids, ${DUR}s, $CONNS connections (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$TMP/tenderload" -url "http://127.0.0.1:$PORT" -duration "${DUR}s" -conns "$CONNS" -sizes "$sizes" -fill-conns "$FILL" -margin "$MARGIN" -pid "$SRV"
  kill "$SRV"; wait "$SRV" 2>/dev/null || true
  SRV=""
}

echo "footprint bench/tender.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench SQLite "sqlite:$TMP/bench.db" "$SIZES"

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
  bench PostgreSQL "$PGURL" "$PG_SIZES"
else
  echo "== PostgreSQL: skipped (set FOOTPRINT_TEST_POSTGRES, or install postgresql for a throwaway cluster)"
fi
