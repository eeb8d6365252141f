#!/usr/bin/env bash
# Portero's fault suite (issue 13), run by .ci/run against a release build:
#
#   bash bench/faults/run.sh [PORTERO_BINARY]     (default target/release/portero)
#
# On SQLite, then on PostgreSQL when it answers (PG_URL or
# PORTERO_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
# a fresh database per round, dropped after): SIGTERM under purchase load and
# kill -9 under purchase load with Idempotency-Key retries; once, 1,100 slow
# clients (faults.py says what each checks). Loopback only; every round stops by itself (about a
# minute per database on a release build). ROUNDS (5) and WORKERS (40) tune it.
# The full-disk (tmpfs), outage and start-while-down cases run in
# `cargo test` (tests/it/faults_*.rs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/release/portero}")
PG_URL="${PG_URL:-${PORTERO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
ROUNDS="${ROUNDS:-5}"
WORKERS="${WORKERS:-40}"
[ -x "$BIN" ] || { echo "faults: not an executable: $BIN" >&2; exit 1; }

python3 "$ROOT/bench/faults/faults.py" "$BIN" --db sqlite --rounds "$ROUNDS" --workers "$WORKERS"
# 1,100 slow clients at an open-file soft limit of 1,024 (about 25 s; the
# database does not matter).
python3 "$ROOT/bench/faults/faults.py" "$BIN" --db sqlite --scenario slow
if command -v psql >/dev/null && psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  python3 "$ROOT/bench/faults/faults.py" "$BIN" --db postgres --pg-url "$PG_URL" \
    --rounds "$ROUNDS" --workers "$WORKERS"
  # A throw-away cluster of its own, stopped for 20 s under light load.
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    python3 "$ROOT/bench/faults/faults.py" "$BIN" --scenario outage
  else
    echo "faults: no PostgreSQL server binaries; outage scenario skipped" >&2
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "faults: PostgreSQL at $PG_URL is unreachable (CI=true)" >&2
  exit 1
else
  echo "faults: PostgreSQL unreachable; SQLite only (outside CI)" >&2
fi
