#!/usr/bin/env bash
# Browser end-to-end tests: Playwright (npm `playwright-core`) drives Debian's
# headless Chromium against a release build of Portero on a fresh SQLite
# database with demo data.
#
#   bash e2e/run.sh [path/to/portero]      (default: target/release/portero,
#                                           built with `cargo build --release`
#                                           when missing)
#
# Screenshots of the main pages land in target/e2e-screenshots/. The exit
# status is node's test runner's: non-zero when a scenario fails, including
# when the browser cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

BIN="${1:-target/release/portero}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

say() { printf '[e2e] %s\n' "$*"; }

# --- tools -------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  say "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "installing node and npm (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
say "$("$CHROMIUM" --version 2>/dev/null || echo "chromium: version unknown"); node $(node --version)"

(cd e2e && npm ci --no-audit --no-fund --loglevel=error)

if [ ! -x "$BIN" ]; then
  if [ "$BIN" = "target/release/portero" ]; then
    say "no release build yet: cargo build --release"
    cargo build --release
  else
    echo "e2e: $BIN is not an executable" >&2
    exit 1
  fi
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# --- a fresh server ------------------------------------------------------------
WORK="$(mktemp -d -t portero-e2e.XXXXXX)"
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 40 "$WORK/server.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export ROCKET_PROFILE=release
export ROCKET_ADDRESS=127.0.0.1
export ROCKET_PORT="$PORT"
export ROCKET_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
export DATABASE_URL="sqlite://$WORK/portero.db"
# PORT would override ROCKET_PORT.
unset PORT PORTERO_ADMIN_PASSWORD

"$BIN" migrate
"$BIN" create-admin --username admin --email admin@example.com --password admin-password-1
"$BIN" seed-demo --users 40 --products 8

"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE_URL="http://127.0.0.1:$ROCKET_PORT"
for _ in $(seq 1 100); do
  if curl -fsS "$BASE_URL/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: the server exited during start-up" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$BASE_URL/readyz" >/dev/null
say "Portero is up at $BASE_URL (database $DATABASE_URL)"

# --- the suite -----------------------------------------------------------------
SHOTS="$ROOT/target/e2e-screenshots"
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png

PORTERO_URL="$BASE_URL" E2E_SCREENSHOT_DIR="$SHOTS" CHROMIUM="$CHROMIUM" \
  node --test e2e/*.test.mjs
say "screenshots: $SHOTS"
