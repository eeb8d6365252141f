#!/usr/bin/env bash
# Platform smoke test (issue 12): start the release binary the way a hosting
# platform (or the Dockerfile's image) does, and use it as a customer would.
#
#   bash scripts/platform-smoke.sh [PORTERO_BINARY]     (default target/release/portero)
#
# Only the binary is copied into an empty temporary folder, and it runs there
# as an unprivileged user (nobody, when this script runs as root) with
# exactly three variables: PORT, DATABASE_URL (a PostgreSQL that has TLS on,
# with sslmode=require) and ROCKET_SECRET_KEY. Then, through port $PORT:
# sign up, log in, buy a product an administrator made (create-admin + API),
# read /readyz, and check that the server really listens on 0.0.0.0 and
# that its database sessions are encrypted.
#
# The TLS server comes from PORTERO_PG_TLS_URL (scripts/pg-tls-cluster.sh);
# when it is unset the script starts those clusters itself and stops them
# at the end. Requests go to 127.0.0.2: a loopback address other than
# 127.0.0.1, which a server bound to 127.0.0.1 alone would refuse (this
# workplace allows no traffic to the machine's other addresses).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/release/portero}")
HOST=127.0.0.2

PASSED=0
FAILED=0
die() { echo "platform-smoke: $*" >&2; exit 1; }
check() { # description, then a command that must succeed
  local what="$1"; shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok   $what"
  else FAILED=$((FAILED + 1)); echo "FAIL $what" >&2; fi
}

[ -x "$BIN" ] || die "not an executable: $BIN (cargo build --release first)"
for tool in curl psql openssl python3 ss; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

STARTED_CLUSTER=0
if [ -z "${PORTERO_PG_TLS_URL:-}" ]; then
  # Stop them at the end only if this script started them.
  bash "$ROOT/scripts/pg-tls-cluster.sh" status || STARTED_CLUSTER=1
  eval "$(bash "$ROOT/scripts/pg-tls-cluster.sh" start)"
fi

WORK=$(mktemp -d)
DB="portero_smoke_$(openssl rand -hex 4)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  psql "$PORTERO_PG_TLS_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  if [ "$STARTED_CLUSTER" = 1 ]; then bash "$ROOT/scripts/pg-tls-cluster.sh" stop; fi
}
trap cleanup EXIT

psql "$PORTERO_PG_TLS_URL" -qc "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="${PORTERO_PG_TLS_URL%/*}/$DB?sslmode=require"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KEY=$(openssl rand -base64 32)

mkdir "$WORK/app"
cp "$BIN" "$WORK/app/portero"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$WORK" "$WORK/app"
  chown nobody "$WORK/app"
  RUN_AS=(runuser -u nobody --)
fi
# Exactly what the platform sets, nothing inherited.
platform() { (cd "$WORK/app" && "${RUN_AS[@]}" env -i PORT="$PORT" DATABASE_URL="$DATABASE_URL" ROCKET_SECRET_KEY="$KEY" "$@"); }

# The Procfile's release line, then its web line.
platform ./portero migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "portero migrate failed"; }
pending=$(platform ./portero migrate --status | tail -n 1)
[ "${pending#* applied, }" = "0 pending" ] || die "migrations still pending after portero migrate: $pending"
platform ./portero >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "portero exited"; }
  sleep 0.2
done
echo "portero answers on $HOST:$PORT (folder $WORK/app, database $DB over TLS)"

listens_everywhere() { ss -ltnH "sport = :$PORT" | awk '{print $4}' | grep -qx "0.0.0.0:$PORT"; }
check "listens on 0.0.0.0:$PORT" listens_everywhere
check "the log says 0.0.0.0:$PORT" grep -q "listening on http://0.0.0.0:$PORT" "$WORK/server.log"

api() { # method path [json] -- uses the cookie jar in $JAR; prints "status body"
  local method="$1" path="$2" body="${3:-}"
  local args=(-sS -o "$WORK/body" -w '%{http_code}' -b "$JAR" -c "$JAR" -X "$method")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  local status
  status=$(curl "${args[@]}" "http://$HOST:$PORT$path")
  echo "$status $(cat "$WORK/body")"
}
status_is() { [ "${1%% *}" = "$2" ] || { echo "  got: $1" >&2; return 1; }; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1].split(" ",1)[1])[sys.argv[2]])' "$1" "$2"; }

ADMIN_PASSWORD="smoke $(openssl rand -hex 8)"
platform PORTERO_ADMIN_PASSWORD="$ADMIN_PASSWORD" ./portero create-admin --username admin --email admin@example.com >/dev/null
JAR="$WORK/admin.jar"
check "admin logs in" status_is "$(api POST /api/auth/login "{\"login\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}")" 200
PRODUCT=$(api POST /api/products '{"sku":"SMOKE-1","name":"Smoke test lamp","price_cents":1250,"stock":10}')
check "admin creates a product" status_is "$PRODUCT" 201
PRODUCT_ID=$(field "$PRODUCT" id)

JAR="$WORK/user.jar"
SIGNUP='{"username":"smoker","email":"smoker@example.com","password":"correct horse battery","first_name":"Sam","last_name":"Smoke"}'
check "a customer signs up" status_is "$(api POST /api/auth/signup "$SIGNUP")" 201
check "and logs out" status_is "$(api POST /api/auth/logout)" 204
check "and logs in" status_is "$(api POST /api/auth/login '{"login":"smoker@example.com","password":"correct horse battery"}')" 200
check "who am I" status_is "$(api GET /api/me)" 200
SALE=$(api POST /api/sales "{\"items\":[{\"product_id\":$PRODUCT_ID,\"quantity\":3}]}")
check "buys three lamps" status_is "$SALE" 201
check "the sale totals 3750" [ "$(field "$SALE" total_cents)" = 3750 ]
check "stock is now 7" [ "$(field "$(api GET "/api/products/$PRODUCT_ID")" stock)" = 7 ]
READY=$(api GET /readyz)
check "/readyz" status_is "$READY" 200
check "/readyz says the database is ok" [ "$(field "$READY" database)" = ok ]
check "a page renders (embedded templates)" status_is "$(api GET /products)" 200
check "the stylesheet is served (embedded static files)" status_is "$(api GET /static/css/portero.css)" 200
check "Swagger UI" status_is "$(api GET /docs/index.html)" 200
check "ReDoc" status_is "$(api GET /redoc)" 200

tls_sessions() {
  local counts
  counts=$(psql "$PORTERO_PG_TLS_URL" -Atc "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
      FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = '$DB'")
  echo "  database sessions (encrypted|plain): $counts"
  [ "${counts%|*}" -gt 0 ] && [ "${counts#*|}" = 0 ]
}
check "every database session of portero is encrypted" tls_sessions
check "the server log has no panic" bash -c "! grep -q panicked '$WORK/server.log'"
# Without smtp_url the sign-up's verification message is written under
# data/mail (the documented default sink); nothing else may appear.
only_binary_and_mail() {
  [ "$(ls -A "$WORK/app" | grep -vx data)" = portero ] &&
    { [ ! -d "$WORK/app/data" ] || [ "$(ls -A "$WORK/app/data")" = mail ]; }
}
check "nothing but the binary (and the mail sink) in its folder" only_binary_and_mail

echo "platform-smoke: $PASSED passed, $FAILED failed"
if [ "$FAILED" -gt 0 ]; then
  echo "--- server log" >&2; tail -n 40 "$WORK/server.log" >&2
  exit 1
fi
