#!/usr/bin/env bash
# Portero alone at a million users, on SQLite and on PostgreSQL (issue 5):
# seed time, admin search under load (../shared/bench/run.sh admin-users, and
# the HTML page /admin/users with the same query), the query plans of the
# admin list queries as Portero issues them, and the server's memory after the load.
#
# Usage: bench/big.sh [PORTERO_BINARY] [sqlite|postgres|both]
#   PORTERO_BINARY  default target/release/portero (builds nothing)
#
# Environment (defaults in brackets):
#   USERS [1000000]  PRODUCTS [100]  ADMIN_Q [user00001]  PER_PAGE [20]
#   PG_URL [postgres://postgres@127.0.0.1:5432/postgres]  a server where a fresh
#          database bench_pg_<random> is created (and dropped at exit)
#   PORT [18091]     SHARED_BENCH [../shared/bench]   KEEP [0] keeps the SQLite file and logs
#   SQLITE_SEED [portero]  python: fill the SQLite database with bench/sqlite_users.py
#          instead of `portero seed-demo` (same users; seed-demo needs tens of minutes
#          for 1M users on SQLite as of this writing, see RESULTS.md)
#   and what ../shared/bench/run.sh reads (DURATION, CONNECTIONS, WAIT_QUIET [60], ...)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
die() { echo "bench/big.sh: $*" >&2; exit 2; }
log() { echo "[big.sh $(date +%T)] $*" >&2; }

BIN=${1:-target/release/portero}
WHICH=${2:-both}
[[ -f $BIN && -x $BIN ]] || die "not an executable file: $BIN"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
USERS=${USERS:-1000000}
PRODUCTS=${PRODUCTS:-100}
export ADMIN_Q=${ADMIN_Q:-user00001}
export PER_PAGE=${PER_PAGE:-20}
export WAIT_QUIET=${WAIT_QUIET:-60}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18091}
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
KEEP=${KEEP:-0}
SQLITE_SEED=${SQLITE_SEED:-portero}
ADMIN_PASSWORD=admin-password-1
BASE=http://127.0.0.1:$PORT

source "$SHARED_BENCH/lib/workdir.sh"   # BENCH_WORK: where the peer's venv (with argon2-cffi) lives
BENCH_PY=$BENCH_WORK/venv/bin/python
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portero-big.XXXXXX")
SECRET=$(openssl rand -base64 32)
SERVER_PID= PG_DB=
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
drop_pg() {
  [[ -n $PG_DB ]] || return 0
  psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null || true
  PG_DB=
}
cleanup() {
  local rc=$?
  stop_server; drop_pg
  if [[ $KEEP == 1 || $rc != 0 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORTERO_ENV=(ROCKET_PROFILE=release ROCKET_SECRET_KEY="$SECRET" ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$PORT"
  ROCKET_LOGIN_ACCOUNT_MAX_FAILURES=1000000000 ROCKET_LOGIN_IP_MAX_FAILURES=1000000000)
portero() { # DATABASE_URL ARGS...
  local url=$1; shift
  env "${PORTERO_ENV[@]}" DATABASE_URL="$url" "$BIN" "$@"
}

# The two admin-list statements exactly as src/db/users.rs `list` builds them
# for q only, sort=username (the default), per backend.
COLUMNS="id, username, email, first_name, last_name, address, phone, role, is_active, email_verified_at, last_login_at, created_at, updated_at"
where_sqlite="(username LIKE \$1 ESCAPE '\\' OR email LIKE \$1 ESCAPE '\\' OR first_name LIKE \$1 ESCAPE '\\' OR last_name LIKE \$1 ESCAPE '\\')"
where_pg="(username LIKE \$1 ESCAPE '\\' OR email LIKE \$1 ESCAPE '\\' OR lower(first_name) LIKE \$1 ESCAPE '\\' OR lower(last_name) LIKE \$1 ESCAPE '\\')"

plans_sqlite() { # db file
  python3 - "$1" "$ADMIN_Q" "$PER_PAGE" "$COLUMNS" "$where_sqlite" <<'EOF'
import sqlite3, sys, time
db, q, per_page, columns, where = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
pattern = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
con = sqlite3.connect(db)
print(f"SQLite {sqlite3.sqlite_version}; users: {con.execute('SELECT COUNT(*) FROM users').fetchone()[0]}")
for label, sql, params in [
    ("page", f"SELECT {columns} FROM users WHERE {where} ORDER BY username ASC LIMIT $2 OFFSET $3",
     {"1": pattern, "2": per_page, "3": 0}),
    ("count", f"SELECT COUNT(*) FROM users WHERE {where}", {"1": pattern}),
]:
    print(f"\n-- {label}: {sql}\n--   $1 = {pattern!r}" + ("" if label == "count" else f", $2 = {per_page}, $3 = 0"))
    for row in con.execute("EXPLAIN QUERY PLAN " + sql, params):
        print(f"   {row[0]:>3} {row[1]:>3}  {row[3]}")
    con.execute(sql, params).fetchall()  # warm the cache
    n, t = 20, time.perf_counter()
    for _ in range(n):
        rows = con.execute(sql, params).fetchall()
    print(f"   -> {len(rows)} row(s); {1000 * (time.perf_counter() - t) / n:.3f} ms per execution (python sqlite3, warm)")
EOF
}

plans_pg() { # database url
  psql "$1" -X -q <<EOF
\\pset pager off
SELECT 'PostgreSQL ' || current_setting('server_version') || '; users: ' || (SELECT COUNT(*) FROM users) AS info;
PREPARE page_q(text, bigint, bigint) AS SELECT $COLUMNS FROM users WHERE $where_pg ORDER BY username ASC LIMIT \$2 OFFSET \$3;
PREPARE count_q(text) AS SELECT COUNT(*) FROM users WHERE $where_pg;
\\echo '-- page (custom plan, as the first executions of a prepared statement get):'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_q('$ADMIN_Q%', $PER_PAGE, 0);
\\echo '-- count (custom plan):'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE count_q('$ADMIN_Q%');
SET plan_cache_mode = force_generic_plan;
\\echo '-- page (generic plan, what a cached prepared statement may switch to after 5 executions):'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_q('$ADMIN_Q%', $PER_PAGE, 0);
\\echo '-- count (generic plan):'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE count_q('$ADMIN_Q%');
EOF
}

# wrk on a page the shared run.sh has no scenario for (same Lua script, same output line).
load_page() { # path cookie
  local out line
  BENCH_METHOD=GET BENCH_BODY= BENCH_CONTENT_TYPE= wrk -t 1 -c "${CONNECTIONS:-32}" -d "${WARMUP:-2s}" --timeout 10s \
    -s "$SHARED_BENCH/lib/wrk-bench.lua" -H "Cookie: $2" "$BASE$1" >/dev/null 2>&1 || true
  out=$(BENCH_METHOD=GET BENCH_BODY= BENCH_CONTENT_TYPE= wrk -t 1 -c "${CONNECTIONS:-32}" -d "${DURATION:-10s}" --timeout 10s \
    -s "$SHARED_BENCH/lib/wrk-bench.lua" -H "Cookie: $2" "$BASE$1" 2>&1) || true
  line=$(printf '%s\n' "$out" | grep '^BENCH ' | tail -1)
  echo "GET $1: ${line:-$(printf '%s' "$out" | tail -1)}"
}

one_backend() { # sqlite|postgres
  local backend=$1 url t0 t1 status cookie pid
  if [[ $backend == sqlite ]]; then
    url=sqlite://$WORK/portero.db
  else
    PG_DB=bench_pg_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
    psql "$PG_URL" -qAtc "CREATE DATABASE \"$PG_DB\"" >/dev/null
    url=${PG_URL%/*}/$PG_DB
  fi
  echo "## $backend ($url)"
  portero "$url" migrate >"$WORK/$backend-setup.log" 2>&1
  portero "$url" create-admin --username admin --email admin@example.com --password "$ADMIN_PASSWORD" >>"$WORK/$backend-setup.log" 2>&1
  if [[ $backend == sqlite && $SQLITE_SEED == python ]]; then
    # seed-demo's users, row for row, inserted by bench/sqlite_users.py (see there).
    local hash
    hash=$("$SHARED_BENCH/peer-fastapi/setup.sh" >/dev/null && "$BENCH_PY" -c '
from argon2 import PasswordHasher, Type
print(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID).hash("demo-password"))')
    log "$backend: $USERS demo users through bench/sqlite_users.py (SQLITE_SEED=python)"
    echo "users: $(python3 "$HERE/sqlite_users.py" "$WORK/portero.db" "$USERS" "$hash") by bench/sqlite_users.py, not seed-demo; no products"
  else
    log "$backend: seed-demo --users $USERS --products $PRODUCTS"
    t0=$(date +%s.%N)
    portero "$url" seed-demo --users "$USERS" --products "$PRODUCTS" </dev/null >>"$WORK/$backend-setup.log" 2>&1
    t1=$(date +%s.%N)
    echo "seed-demo --users $USERS --products $PRODUCTS: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s wall ($(grep -o 'Made .* in [0-9.]* s' "$WORK/$backend-setup.log" || echo 'no timing printed'))"
  fi
  if [[ $backend == sqlite ]]; then
    echo "database file: $(du -sh "$WORK/portero.db" | cut -f1)"
  else
    echo "database size: $(psql "$url" -XAtc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    psql "$url" -XqAtc "VACUUM ANALYZE" >/dev/null   # as autovacuum would do soon after a bulk load
  fi

  # Started directly (not through the function), so that $! is the server itself.
  env "${PORTERO_ENV[@]}" DATABASE_URL="$url" "$BIN" serve >"$WORK/$backend-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do curl -s -o /dev/null --max-time 1 "$BASE/healthz" && break; sleep 0.1; done
  curl -s -o /dev/null --max-time 1 "$BASE/healthz" || die "$backend: portero did not start"
  pid=$SERVER_PID
  echo "RSS after start: $(awk '/^VmRSS:/ {printf "VmRSS %.1f MiB", $2/1024}' /proc/$pid/status)"

  echo
  echo "### load (../shared/bench/run.sh)"
  "$SHARED_BENCH/run.sh" "$BASE" admin-users me
  cookie=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data "{\"login\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(portero_session=[^;]*\).*/\1/p' | head -1)
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE/admin/users?q=$ADMIN_Q&page=1")
  if [[ $status == 200 ]]; then
    load_page "/admin/users?q=$ADMIN_Q&page=1" "$cookie"
  else
    echo "GET /admin/users?q=$ADMIN_Q&page=1 returned HTTP $status: not measured"
  fi
  echo
  echo "### one connection at a time (service time without queueing: CONNECTIONS=1)"
  CONNECTIONS=1 "$SHARED_BENCH/run.sh" "$BASE" admin-users | grep -v '^#'
  echo "RSS after the load: $(awk '/^VmRSS:/ {rss = $2} /^VmHWM:/ {hwm = $2} END {printf "VmRSS %.1f MiB (peak VmHWM %.1f MiB)", rss/1024, hwm/1024}' /proc/$pid/status)"

  echo
  echo "### query plans"
  if [[ $backend == sqlite ]]; then plans_sqlite "$WORK/portero.db"; else plans_pg "$url"; fi
  stop_server
  [[ $backend == postgres ]] && drop_pg
  [[ $backend == sqlite && $KEEP != 1 ]] && rm -f "$WORK"/portero.db*
  echo
}

echo "# big.sh $(date -u +%FT%TZ)  $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB RAM; portero: $BIN"
case $WHICH in
  sqlite|postgres) one_backend "$WHICH" ;;
  both) one_backend sqlite; one_backend postgres ;;
  *) die "backend must be sqlite, postgres or both" ;;
esac
