#!/usr/bin/env bash
# Portero against the FastAPI peer, side by side (issue 8), with the shared
# harness ../shared/bench/compare.sh. Prints compare.sh's table and Portero's
# resident memory (VmRSS, VmHWM) at the end of each phase.
#
# Usage: bench/run.sh [PORTERO_BINARY] [SCENARIO...]
#   PORTERO_BINARY  default target/release/portero; this script builds nothing
#                   unless BUILD=1 (then: cargo build --release first)
#   SCENARIO        healthz me products admin-users login (default: all)
#
# Environment (defaults in brackets), besides everything compare.sh and run.sh read
# (USERS, PRODUCTS, BIG_USERS, BIG_SCENARIOS, ROUNDS, DURATION, CONNECTIONS, ...):
#   SHARED_BENCH [../shared/bench]  the harness
#   WAIT_QUIET [60]     seconds each measurement may wait for the CPUs to go quiet
#   OUT [target/bench/compare-<UTC time>.txt]   the table and the memory lines are also written here
#   BUILD [0]           1: cargo build --release before running
# The login throttle is raised for Portero (ROCKET_LOGIN_*_MAX_FAILURES): the
# login scenario only sends right passwords, so this changes nothing unless
# throttling counted successes too.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

die() { echo "bench/run.sh: $*" >&2; exit 2; }

BIN=target/release/portero
if [[ $# -gt 0 && ( $1 == */* || -f $1 ) ]]; then BIN=$1; shift; fi
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
[[ -x $SHARED_BENCH/compare.sh ]] || die "compare.sh not found in $SHARED_BENCH (set SHARED_BENCH)"
if [[ ${BUILD:-0} == 1 ]]; then cargo build --release; fi
[[ -f $BIN && -x $BIN ]] || die "not an executable file: $BIN (cargo build --release, or BUILD=1)"
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install -y wrk)"

export WAIT_QUIET=${WAIT_QUIET:-60}
export ROCKET_LOGIN_ACCOUNT_MAX_FAILURES=${ROCKET_LOGIN_ACCOUNT_MAX_FAILURES:-1000000000}
export ROCKET_LOGIN_IP_MAX_FAILURES=${ROCKET_LOGIN_IP_MAX_FAILURES:-1000000000}
export PORTERO_PORT=${PORTERO_PORT:-18081}
mkdir -p target/bench
OUT=${OUT:-target/bench/compare-$(date -u +%Y%m%dT%H%M%SZ).txt}
MEM=$(mktemp)

# Sample the Portero server's memory once a second: compare.sh starts one per
# phase on PORTERO_PORT and stops it when the phase ends; the last sample of
# each PID is its memory after that phase's load.
sampler() {
  local pid rss hwm
  set +e +o pipefail   # nothing listening is normal between phases
  while sleep 1; do
    pid=$(ss -Hltnp "sport = :$PORTERO_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [[ -n $pid && -r /proc/$pid/status ]] || continue
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    [[ -n $rss ]] && printf '%s\t%s\t%s\n' "$pid" "$rss" "$hwm" >>"$MEM"
  done
}
sampler &
SAMPLER=$!
trap 'kill "$SAMPLER" 2>/dev/null || true; rm -f "$MEM"' EXIT

{
  echo "# machine: $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, $(uname -sr), $(date -u +%FT%TZ)"
  echo "# portero: $BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified'))"
} | tee "$OUT"

"$SHARED_BENCH/compare.sh" "$BIN" "$@" | tee -a "$OUT"

kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
{
  echo "portero memory at the end of each phase (last sample; VmHWM = peak):"
  awk -F'\t' '{ last[$1] = $2; hwm[$1] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
    END { for (i = 1; i <= n; i++) printf "  pid %s: VmRSS %.1f MiB, VmHWM %.1f MiB\n", order[i], last[order[i]] / 1024, hwm[order[i]] / 1024 }' "$MEM"
} | tee -a "$OUT"
echo "(written to $OUT)" >&2
