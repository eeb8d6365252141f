#!/usr/bin/env bash
# The 1M-user phase of ../shared/bench/compare.sh (admin-users, Portero against
# the peer, alternating, ROUNDS rounds, same table), but with Portero's SQLite
# database filled by bench/sqlite_users.py instead of `portero seed-demo`,
# which as of this writing needs tens of minutes for 1M users on SQLite (see
# RESULTS.md). The rows are the ones seed-demo makes; the peer seeds itself.
#
# Usage: bench/compare-1m.sh [PORTERO_BINARY]
# Environment: USERS [1000000]  ROUNDS [3]  PEER_PORT [18080]  PORTERO_PORT [18081]
#              SHARED_BENCH [../shared/bench]  and what ../shared/bench/run.sh reads.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
die() { echo "bench/compare-1m.sh: $*" >&2; exit 2; }
log() { echo "[compare-1m $(date +%T)] $*" >&2; }

BIN=${1:-target/release/portero}
[[ -f $BIN && -x $BIN ]] || die "not an executable file: $BIN"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
USERS=${USERS:-1000000}
ROUNDS=${ROUNDS:-3}
PEER_PORT=${PEER_PORT:-18080}
PORTERO_PORT=${PORTERO_PORT:-18081}
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
export ADMIN_LOGIN=admin ADMIN_PASSWORD=admin-password-1
export WAIT_QUIET=${WAIT_QUIET:-30}

VENV=$("$SHARED_BENCH/peer-fastapi/setup.sh")
PY=$VENV/bin/python
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portero-compare-1m.XXXXXX")
SECRET=$(openssl rand -base64 32)
PEER_PID= PORTERO_PID=
cleanup() {
  local pid kids
  for pid in $PEER_PID $PORTERO_PID; do
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HASH_MS=$("$PY" - <<'EOF'
import time
from argon2 import PasswordHasher, Type
ph = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
h = ph.hash("benchmark-password"); ph.verify(h, "benchmark-password")
n, t = 10, time.perf_counter()
for _ in range(n): ph.verify(h, "benchmark-password")
print(f"{(time.perf_counter() - t) / n * 1000:.1f}")
EOF
)
export HASH_MS

log "peer: create-admin, seed-demo --users $USERS --products 100"
t0=$(date +%s.%N)
(cd "$SHARED_BENCH/peer-fastapi" && export DATABASE_URL=sqlite://$WORK/peer.db &&
  "$PY" -m peer create-admin --username admin --email admin@example.com --password "$ADMIN_PASSWORD" &&
  "$PY" -m peer seed-demo --users "$USERS" --products 100) >"$WORK/peer-setup.log" 2>&1
t1=$(date +%s.%N)
printf 'peer\t%s\t%s\n' "$USERS" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')" >"$WORK/seeds.tsv"

log "portero: migrate, create-admin, $USERS users through bench/sqlite_users.py"
PENV=(ROCKET_PROFILE=release ROCKET_SECRET_KEY="$SECRET" ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$PORTERO_PORT"
  DATABASE_URL="sqlite://$WORK/portero.db")
env "${PENV[@]}" "$BIN" migrate >"$WORK/portero-setup.log" 2>&1
env "${PENV[@]}" "$BIN" create-admin --username admin --email admin@example.com --password "$ADMIN_PASSWORD" >>"$WORK/portero-setup.log" 2>&1
DEMO_HASH=$("$PY" -c '
from argon2 import PasswordHasher, Type
print(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID).hash("demo-password"))')
python3 "$HERE/sqlite_users.py" "$WORK/portero.db" "$USERS" "$DEMO_HASH" >&2

(cd "$SHARED_BENCH/peer-fastapi" && DATABASE_URL=sqlite://$WORK/peer.db exec "$PY" -m peer serve --host 127.0.0.1 --port "$PEER_PORT") >"$WORK/peer-server.log" 2>&1 &
PEER_PID=$!
env "${PENV[@]}" "$BIN" serve >"$WORK/portero-server.log" 2>&1 &
PORTERO_PID=$!
for port in "$PEER_PORT" "$PORTERO_PORT"; do
  for _ in $(seq 600); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done

phase=$((USERS / 1000000))M-users
: >"$WORK/results.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(peer portero); else order=(portero peer); fi
  for which in "${order[@]}"; do
    port=$PEER_PORT; [[ $which == portero ]] && port=$PORTERO_PORT
    log "$phase admin-users round $r: $which"
    FORMAT=tsv LABEL=$which "$SHARED_BENCH/run.sh" "http://127.0.0.1:$port" admin-users |
      awk -v p="$phase" -F'\t' 'BEGIN{OFS="\t"} {print p, $0}' | tee -a "$WORK/results.tsv" >&2
  done
done
echo "portero after the load: $(awk '/^VmRSS:/ {rss = $2} /^VmHWM:/ {hwm = $2} END {printf "VmRSS %.1f MiB (peak VmHWM %.1f MiB)", rss/1024, hwm/1024}' "/proc/$PORTERO_PID/status")"
echo "# compare-1m.sh $(date -u +%FT%TZ)  cores=$(nproc)  duration=${DURATION:-10s} rounds=$ROUNDS  (portero's users from bench/sqlite_users.py; seed line: peer only)"
python3 "$SHARED_BENCH/lib/table.py" "$WORK/results.tsv" "$WORK/seeds.tsv"
