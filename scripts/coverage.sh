#!/usr/bin/env bash
# Line coverage of src/ over the whole test suite, on SQLite and on PostgreSQL,
# merged into one report (cargo-llvm-cov, LLVM source-based coverage).
#
#   bash scripts/coverage.sh
#
# Prints the per-file table and the total line coverage of src/, and writes
#   target/llvm-cov/html/index.html   the HTML report
#   target/llvm-cov/lcov.info         the same in LCOV, for tools
#   target/llvm-cov/summary.txt       the table printed below
# The instrumented build lives in target/llvm-cov-target (cargo-llvm-cov's
# default), apart from the normal build; the first run rebuilds everything.
#
# Environment:
#   PORTERO_TEST_DATABASE_URL  PostgreSQL admin URL for the second run
#                              (default postgres://postgres@127.0.0.1:5432/postgres)
#   COVERAGE_MIN               fail when the line coverage of src/ is below it
#                              (a percentage, e.g. 95; unset: report only)
#   CI=true                    an unreachable PostgreSQL is an error, not a skip
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
PG_URL="${PORTERO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
OUT=target/llvm-cov
# Only the application's code counts: not the tests, not dependencies (the
# patched Rocket in vendor/ is a dependency, though a path one).
IGNORE='(^|/)(tests|vendor|\.cargo|rustc)/'

step() { printf '\n=== coverage: %s ===\n' "$*"; }

step "tools"
if ! rustup component list --installed 2>/dev/null | grep -q '^llvm-tools'; then
  rustup component add llvm-tools-preview
fi
if ! cargo llvm-cov --version >/dev/null 2>&1; then
  cargo install cargo-llvm-cov --locked
fi
cargo llvm-cov --version

# Stale profiles from an earlier run would be merged in: start clean (the
# instrumented build itself is kept, so a second run only relinks).
cargo llvm-cov clean --workspace

# A failing test must not lose the coverage of all the others: each run goes
# to the end (--no-fail-fast), the report is written, and the script fails
# at the end if a run did.
FAILED_RUNS=()
run_tests() { # name, then the environment changes for `env`
  local name="$1"; shift
  local log="target/coverage-$name.log"
  set +e
  env "$@" cargo llvm-cov --no-report --no-fail-fast 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ] || ! grep -q "test result" "$log"; then
    FAILED_RUNS+=("$name")
    grep -E "^test .* FAILED$|^    [a-z_:]+$" "$log" | sed "s/^/[$name] /" >&2 || true
  fi
}

step "tests on SQLite"
run_tests sqlite -u PORTERO_TEST_DATABASE_URL

step "tests on PostgreSQL ($PG_URL)"
pg_ready() { psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; }
if ! pg_ready && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is not answering; trying to start it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
if pg_ready; then
  run_tests postgres PORTERO_TEST_DATABASE_URL="$PG_URL"
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: PostgreSQL at $PG_URL is unreachable (CI=true)" >&2
  exit 1
else
  echo "WARNING: PostgreSQL unreachable; the report covers SQLite only" >&2
fi

step "report (src/ only, both runs merged)"
mkdir -p "$OUT"
cargo llvm-cov report --ignore-filename-regex "$IGNORE" --html --output-dir "$OUT"
cargo llvm-cov report --ignore-filename-regex "$IGNORE" --lcov --output-path "$OUT/lcov.info"
cargo llvm-cov report --ignore-filename-regex "$IGNORE" | tee "$OUT/summary.txt"

# TOTAL row: regions, missed, cover, functions, missed, executed, lines, missed, cover, ...
TOTAL_LINE="$(awk '$1 == "TOTAL" { print $10 }' "$OUT/summary.txt")"
TOTAL_LINE="${TOTAL_LINE%\%}"
echo
echo "Line coverage of src/: ${TOTAL_LINE}%"
echo "HTML report: $OUT/html/index.html"

if [ "${#FAILED_RUNS[@]}" -gt 0 ]; then
  echo "FAIL: tests failed under coverage on: ${FAILED_RUNS[*]} (see target/coverage-*.log)" >&2
  exit 1
fi
if [ -n "${COVERAGE_MIN:-}" ]; then
  if awk -v got="$TOTAL_LINE" -v min="$COVERAGE_MIN" 'BEGIN { exit !(got + 0 < min + 0) }'; then
    echo "FAIL: line coverage ${TOTAL_LINE}% is below ${COVERAGE_MIN}%" >&2
    exit 1
  fi
fi
