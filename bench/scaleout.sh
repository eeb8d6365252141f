#!/usr/bin/env bash
# Several Portero processes as one service (issue 12): three processes on one
# PostgreSQL database behind a real nginx, with a bounded load through the
# proxy and one process killed with SIGKILL in the middle.
#
#   bash bench/scaleout.sh [PORTERO_BINARY]        (default target/release/portero)
#
# Checks (bench/scaleout.py), each through the processes themselves:
#   - a session made through one process works on the others;
#   - a logout, and a deactivation, through one is seen by the others on the
#     next request;
#   - the per-account login limit counts failures made on different processes;
# then, through nginx, LOAD_SECONDS of logins, GET /api/me and purchases by WORKERS
# clients, with the second process killed at KILL_AT seconds:
#   - no acknowledged purchase is lost, and each product's stock equals its
#     initial stock minus every unit sold;
#   - the figures: throughput, latency, requests that failed because their
#     process died, and how long until nginx routed around it.
# The processes share the database's stored secret key: none is configured,
# and all three start at once (the key is made by whichever wins the insert).
#
# Environment: PORTERO_TEST_DATABASE_URL or PG_URL (an admin URL of the
# PostgreSQL server to use; default postgres://postgres@127.0.0.1:5432/postgres),
# WORKERS (12), LOAD_SECONDS (30), KILL_AT (10), KEEP=1 keeps the work folder.
# A fresh database portero_scaleout_<random> is made there and dropped at
# the end. nginx runs from its own prefix and port (not the system service).
# Needs nginx (apt-get install nginx), psql, python3, curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/release/portero}")
PG_URL="${PG_URL:-${PORTERO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
WORKERS="${WORKERS:-12}"
SECONDS_OF_LOAD="${LOAD_SECONDS:-30}"
KILL_AT="${KILL_AT:-10}"

die() { echo "scaleout: $*" >&2; exit 1; }
log() { echo "[scaleout $(date +%T)] $*"; }

[ -x "$BIN" ] || die "not an executable: $BIN (cargo build --release first)"
if ! command -v nginx >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing nginx"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx >/dev/null; }
  fi
  command -v nginx >/dev/null || die "nginx is missing (apt-get install nginx)"
fi
for tool in psql python3 curl openssl; do command -v "$tool" >/dev/null || die "$tool is missing"; done
psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null || die "PostgreSQL at $PG_URL is unreachable"

WORK=$(mktemp -d)
DB="portero_scaleout_$(openssl rand -hex 4)"
PIDS=()
NGINX_STARTED=0
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$NGINX_STARTED" = 1 ] && nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

psql "$PG_URL" -qc "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="${PG_URL%/*}/$DB"
export DATABASE_URL

log "database $DB: demo users and an administrator"
"$BIN" seed-demo --users 40 --products 0 >/dev/null
ADMIN_PASSWORD="scale $(openssl rand -hex 8)"
PORTERO_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BIN" create-admin --username admin --email admin@example.com >/dev/null

PORTS=("$(free_port)" "$(free_port)" "$(free_port)")
log "starting three processes at once on ports ${PORTS[*]}"
for i in 0 1 2; do
  # As the README starts them; pools of 8 keep three processes well under
  # the shared server's connection limit.
  ROCKET_PROFILE=release ROCKET_IP_HEADER=X-Real-IP ROCKET_PORT="${PORTS[$i]}" \
    ROCKET_DATABASES='{portero={max_connections=8}}' "$BIN" >"$WORK/portero-$i.log" 2>&1 &
  PIDS+=("$!")
done
for i in 0 1 2; do
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:${PORTS[$i]}/readyz" >/dev/null 2>&1 && break
    kill -0 "${PIDS[$i]}" 2>/dev/null || { cat "$WORK/portero-$i.log" >&2; die "process $i exited"; }
    sleep 0.1
  done
done
grep -h "secret key" "$WORK"/portero-*.log | sed 's/^.*secret key/  secret key/' | sort | uniq -c

PROXY_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod -R 777 "$WORK/nginx/tmp"
# The README's nginx configuration, as printed there, with this run's ports;
# around it only what a private nginx needs (its own pid, logs and temp
# folders) and an access log that names the process behind each answer.
README_NGINX=$(awk '/^```nginx$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$ROOT/README.md")
[ -n "$README_NGINX" ] || die "no nginx block in README.md"
README_NGINX=$(printf '%s\n' "$README_NGINX" | sed \
  -e "s/127\.0\.0\.1:8001/127.0.0.1:${PORTS[0]}/" \
  -e "s/127\.0\.0\.1:8002/127.0.0.1:${PORTS[1]}/" \
  -e "s/127\.0\.0\.1:8003/127.0.0.1:${PORTS[2]}/" \
  -e "s/listen 80;/listen 127.0.0.1:$PROXY_PORT;/")
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    log_format upstreams '\$msec \$request_method \$uri \$status \$upstream_addr \$upstream_status';
    access_log $WORK/nginx/logs/access.log upstreams;

$README_NGINX
}
NGINX
grep -q "127.0.0.1:${PORTS[2]}" "$WORK/nginx/nginx.conf" && grep -q "listen 127.0.0.1:$PROXY_PORT;" "$WORK/nginx/nginx.conf" \
  || die "the README's nginx block no longer has the upstreams 127.0.0.1:8001-8003 and 'listen 80;'"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t >/dev/null 2>&1 || nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
NGINX_STARTED=1
curl -fsS "http://127.0.0.1:$PROXY_PORT/readyz" >/dev/null || die "nginx does not pass requests on"
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$PROXY_PORT"

# Products: one with plenty of stock, one that sells out during the run.
products=()
admin_jar="$WORK/admin.jar"
curl -fsS -c "$admin_jar" -H 'Content-Type: application/json' \
  -d "{\"login\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "http://127.0.0.1:$PROXY_PORT/api/auth/login" >/dev/null
for spec in "SCALE-PLENTY 100000" "SCALE-SCARCE 60"; do
  set -- $spec
  id=$(curl -fsS -b "$admin_jar" -H 'Content-Type: application/json' \
    -d "{\"sku\":\"$1\",\"name\":\"$1\",\"price_cents\":100,\"stock\":$2}" \
    "http://127.0.0.1:$PROXY_PORT/api/products" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  products+=("$id")
done
psql "$DATABASE_URL" -Atc "SELECT id || ' ' || stock FROM products ORDER BY id" >"$WORK/initial-stock"

log "load: $WORKERS clients for ${SECONDS_OF_LOAD}s through nginx; kill -9 of the process on ${PORTS[1]} at ${KILL_AT}s"
set +e
python3 "$ROOT/bench/scaleout.py" --proxy-port "$PROXY_PORT" --ports "${PORTS[@]}" \
  --victim-pid "${PIDS[1]}" --products "${products[@]}" --admin-password "$ADMIN_PASSWORD" \
  --workers "$WORKERS" --seconds "$SECONDS_OF_LOAD" --kill-at "$KILL_AT" --out "$WORK/result.json" \
  | tee "$WORK/driver.out"
DRIVER=${PIPESTATUS[0]}
set -e

PASSED=$(grep -c '^ok ' "$WORK/driver.out" || true)
FAILED=$(grep -c '^FAIL ' "$WORK/driver.out" || true)
[ "$DRIVER" = 0 ] || [ "$FAILED" -gt 0 ] || FAILED=1
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }

# Ground truth from the database.
if [ -f "$WORK/result.json" ]; then
  python3 - "$WORK/result.json" >"$WORK/acked-ids" <<'PY'
import json, sys
print("\n".join(str(i) for i in json.load(open(sys.argv[1]))["sale_ids"]))
PY
  ACKED=$(grep -c . "$WORK/acked-ids" || true)
  if [ "$ACKED" -gt 0 ]; then
    IDS=$(paste -sd, "$WORK/acked-ids")
    FOUND=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM sales WHERE id IN ($IDS)")
  else
    FOUND=0
  fi
  [ "$ACKED" -gt 0 ] && [ "$FOUND" = "$ACKED" ] \
    && pass "all $ACKED acknowledged purchases are in the database" \
    || fail "acknowledged purchases: $ACKED, found in the database: $FOUND"
  while read -r id initial; do
    row=$(psql "$DATABASE_URL" -Atc "SELECT p.stock, COALESCE(SUM(i.quantity), 0)
        FROM products p LEFT JOIN sale_items i ON i.product_id = p.id WHERE p.id = $id GROUP BY p.stock")
    stock=${row%|*}; sold=${row#*|}
    [ "$stock" = $((initial - sold)) ] \
      && pass "product $id: stock $stock = $initial initial - $sold sold" \
      || fail "product $id: stock $stock, but $initial initial - $sold sold = $((initial - sold))"
  done <"$WORK/initial-stock"
  EXTRA=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM sales")
  echo "     sales in the database: $EXTRA (acknowledged: $ACKED; the difference committed but lost its answer when its process died)"
else
  fail "the driver wrote no result"
fi

# How nginx saw it: requests it passed on to another process after a failure.
KILLED="127.0.0.1:${PORTS[1]}"
RETRIED=$(grep -c "$KILLED, " "$WORK/nginx/logs/access.log" || true)
TO_KILLED=$(awk -v k="$KILLED" '$5 == k' "$WORK/nginx/logs/access.log" | wc -l)
BAD_KILLED=$(awk -v k="$KILLED" '$4 >= 500 && $5 == k' "$WORK/nginx/logs/access.log" | wc -l)
BAD_OTHERS=$(awk -v k="$KILLED" '$4 >= 500 && $5 != k' "$WORK/nginx/logs/access.log" | wc -l)
echo "     nginx: $(wc -l <"$WORK/nginx/logs/access.log") requests; $TO_KILLED answered by the killed process (before the kill);"
echo "     failed answers: $BAD_KILLED from the killed process (in flight when it died), $BAD_OTHERS from the others;"
echo "     $RETRIED requests found it dead and were passed on to another process (nginx retries it every fail_timeout)"
[ "$BAD_OTHERS" = 0 ] && pass "no failure came from a surviving process" || fail "$BAD_OTHERS failures from surviving processes"
kill -0 "${PIDS[0]}" && kill -0 "${PIDS[2]}" && pass "the two other processes are still up" || fail "a surviving process died"
if grep -q panicked "$WORK"/portero-*.log; then fail "a process panicked"; fi

echo "scaleout: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
