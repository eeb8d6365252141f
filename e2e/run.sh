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
SINK_PID=""
cleanup() {
  local status=$?
  for pid in "$SERVER_PID" "$SINK_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 40 "$WORK/server.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
PORT="$(free_port)"
SMTP_PORT="$(free_port)"
MAIL_DIR="$WORK/mail"

# A real SMTP server that keeps every message for the mail scenarios.
node e2e/smtp-sink.mjs "$SMTP_PORT" "$MAIL_DIR" >"$WORK/smtp.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 50); do
  grep -q listening "$WORK/smtp.log" 2>/dev/null && break
  sleep 0.1
done
grep -q listening "$WORK/smtp.log" || { echo "e2e: the SMTP sink did not start" >&2; cat "$WORK/smtp.log" >&2; exit 1; }
export ROCKET_PROFILE=release
export ROCKET_ADDRESS=127.0.0.1
export ROCKET_PORT="$PORT"
export ROCKET_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
export DATABASE_URL="sqlite://$WORK/portero.db"
export ROCKET_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
export ROCKET_PUBLIC_URL="http://127.0.0.1:$ROCKET_PORT"
export ROCKET_MAIL_POLL_INTERVAL_MS=200
# PORT would override ROCKET_PORT.
unset PORT PORTERO_ADMIN_PASSWORD

"$BIN" migrate
"$BIN" create-admin --username admin --email admin@example.com --password admin-password-1
# More products than one catalog page (20) holds: the basket spans two.
"$BIN" seed-demo --users 40 --products 25

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

# One file at a time: the files share this server and its counts.
PORTERO_URL="$BASE_URL" E2E_SCREENSHOT_DIR="$SHOTS" CHROMIUM="$CHROMIUM" E2E_MAIL_DIR="$MAIL_DIR" \
  node --test --test-concurrency=1 e2e/*.test.mjs
say "screenshots: $SHOTS"
