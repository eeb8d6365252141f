#!/usr/bin/env bash
# The admin CSV export of every user (issue 16): time and the server's peak
# memory, at USERS users (default 1,000,000) on SQLite, and on PostgreSQL
# when PG_URL is set (e.g. postgres://postgres@127.0.0.1:5432/postgres).
#
#   bench/export.sh [path/to/portero]      (default target/release/portero)
#
# The users are the ones `seed-demo --users N --products 0` makes, inserted
# by bench/sqlite_users.py on SQLite (seconds instead of minutes) and by
# generate_series on PostgreSQL. The export is read by curl as fast as it
# comes, then once more at 20 MB/s to show that a slow reader does not make
# the server buffer the file.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "${1:-target/release/portero}")
USERS=${USERS:-1000000}
PORT=${PORT:-18931}
PG_URL=${PG_URL:-}
WORK=$(mktemp -d)
ADMIN_PASSWORD=export-bench-password
BASE=http://127.0.0.1:$PORT
SERVER_PID=
trap '[[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; [[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK"' EXIT

SECRET=$(head -c 32 /dev/urandom | base64)
ENV=(ROCKET_SECRET_KEY="$SECRET" ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$PORT" ROCKET_LOG_LEVEL=off)
run() { # url args…
  local url=$1
  shift
  env "${ENV[@]}" DATABASE_URL="$url" "$BIN" "$@"
}

peak() { awk '/^VmHWM:/ {printf "%.1f MiB", $2/1024}' "/proc/$SERVER_PID/status"; }
rss() { awk '/^VmRSS:/ {printf "%.1f MiB", $2/1024}' "/proc/$SERVER_PID/status"; }

measure() { # backend url
  local backend=$1 url=$2 cookie out
  # Started directly (not through run), so that $! is the server itself.
  env "${ENV[@]}" DATABASE_URL="$url" "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 "$BASE/healthz" && break; sleep 0.1; done
  cookie=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data "{\"login\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(portero_session=[^;]*\).*/\1/p' | head -1)
  curl -s -o /dev/null -H "Cookie: $cookie" "$BASE/admin/users" # a page first: templates, pool
  echo "$backend: before the export: RSS $(rss), peak $(peak)"
  out=$(curl -s -o "$WORK/users.csv" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}' \
    -H "Cookie: $cookie" "$BASE/admin/users.csv?sort=username")
  read -r code first total size <<<"$out"
  echo "$backend: GET /admin/users.csv -> HTTP $code, first byte after ${first} s, all $(wc -l <"$WORK/users.csv") lines" \
    "($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}') MiB) in ${total} s; server RSS $(rss), peak $(peak)"
  out=$(curl -s -o /dev/null --limit-rate 20M -w '%{time_total} %{size_download}' \
    -H "Cookie: $cookie" "$BASE/admin/users.csv?sort=created_desc")
  read -r total size <<<"$out"
  echo "$backend: the same read at 20 MB/s: $(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}') MiB in ${total} s; server peak $(peak)"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

echo "# bench/export.sh $(date -u +%FT%TZ) $(nproc) cores, $USERS users, $BIN"
# The shared demo hash, as seed-demo computes it.
run "sqlite://$WORK/scratch.db" seed-demo --users 1 --products 0 >/dev/null
hash=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
  \"SELECT password_hash FROM users WHERE username = 'user0000001'\").fetchone()[0])" "$WORK/scratch.db")

url=sqlite://$WORK/portero.db
run "$url" create-admin --username admin --email admin@example.com --password "$ADMIN_PASSWORD" >/dev/null
echo "sqlite: $(python3 "$HERE/sqlite_users.py" "$WORK/portero.db" "$USERS" "$hash")"
measure sqlite "$url"

if [[ -n $PG_URL ]]; then
  db=export_bench_$$
  psql "$PG_URL" -qAtc "CREATE DATABASE $db" >/dev/null
  url=${PG_URL%/*}/$db
  run "$url" create-admin --username admin --email admin@example.com --password "$ADMIN_PASSWORD" >/dev/null
  psql "$url" -qAt -v hash="$hash" -v users="$USERS" <<'SQL'
INSERT INTO users (username, email, password_hash, first_name, last_name, role, is_active,
                   created_at, updated_at, first_name_key, last_name_key)
SELECT 'user' || lpad(n::text, 7, '0'), 'user' || lpad(n::text, 7, '0') || '@example.com', :'hash',
       'Ana', 'García', 'user', true, now() - (n || ' seconds')::interval, now(), 'ana', 'garcia'
FROM generate_series(1, :users) AS n;
SQL
  echo "postgres: inserted $USERS users"
  measure postgres "$url"
  psql "$PG_URL" -qAtc "DROP DATABASE $db" >/dev/null
fi
