#!/usr/bin/env bash
# Runs bench/api_client.py (a cookie-less httpx client written from the
# OpenAPI document) against a release build of Portero on a fresh SQLite
# database with demo products.
#
# Usage: bench/api_client.sh [PORTERO_BINARY]   (default target/release/portero)
# Environment: VENV [target/api-client-venv] where httpx (pinned) is installed.
set -euo pipefail
HTTPX_VERSION=0.28.1

cd "$(dirname "$0")/.."
BIN=${1:-target/release/portero}
VENV=${VENV:-target/api-client-venv}
[[ -x $BIN ]] || { echo "api_client.sh: not an executable: $BIN" >&2; exit 2; }

if ! "$VENV/bin/python" -c "import httpx, sys; sys.exit(httpx.__version__ != '$HTTPX_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "httpx==$HTTPX_VERSION"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portero-api-client.XXXXXX")
SERVER_PID=
cleanup() {
  local rc=$?
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ $rc != 0 && -f $WORK/server.log ]] && tail -20 "$WORK/server.log" >&2
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ROCKET_PROFILE=release ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT=$PORT
export ROCKET_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export DATABASE_URL=sqlite://$WORK/portero.db
unset PORT
"$BIN" migrate >"$WORK/setup.log" 2>&1
"$BIN" seed-demo --users 3 --products 5 >>"$WORK/setup.log" 2>&1
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$ROCKET_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "api_client.sh: portero exited" >&2; exit 1; }
  sleep 0.1
done
"$VENV/bin/python" bench/api_client.py "http://127.0.0.1:$ROCKET_PORT"
