#!/usr/bin/env bash
# Contract test of the JSON API with schemathesis (issue 4): start a release
# build of Portero on a fresh database, log in as an administrator, and let
# schemathesis exercise every operation in /api/openapi.json with every check
# it has (issue 15): no 5xx, every status code, content type, header and body
# the one the spec documents, schema-valid requests accepted and invalid ones
# refused, undeclared methods 405, and the rest of schemathesis's list.
#
# Usage: bench/schemathesis.sh [PORTERO_BINARY] [EXTRA SCHEMATHESIS ARGS...]
#   PORTERO_BINARY  default target/release/portero (this script builds nothing:
#                   `cargo build --release` first)
#   extra args go to `schemathesis run`, e.g. --seed 1 or --include-path-regex '^/api/users'
#
# Environment (defaults in brackets):
#   DATABASE_URL [unset]   unset: a fresh SQLite file in a temporary folder.
#                          postgres://user@host:port/db: a fresh database
#                          portero_st_<random> is created on that server (through
#                          psql, connecting to the URL given) and dropped at exit.
#   MAX_EXAMPLES [50]      test cases per operation and phase (-n)
#   WORKERS [1]            concurrent schemathesis workers
#   CHECKS [all]           every check schemathesis has (see "Checks" below); a
#                          comma-separated list runs only those, e.g. the four of
#                          issue 4: not_a_server_error,status_code_conformance,
#                          content_type_conformance,response_schema_conformance
#   PHASES [examples,coverage,fuzzing,stateful]
#   MODE [all]             positive | negative | all (negative: invalid input must be refused as documented)
#   AUTH_MODE [relogin]    relogin: the cookie comes from POST /api/auth/login and is
#                          fetched again whenever a secured request gets a 401 (see below);
#                          header: one login with curl, then a fixed `Cookie:` header on
#                          every request (a run that ends its own session then sees 401s)
#   VENV [target/schemathesis-venv]   where schemathesis is installed (pinned below)
#   KEEP [0]               1 keeps the temporary folder (database, server log, report)
#
# Exit status: schemathesis's (non-zero on any failure), or 2 when the setup fails.
#
# Which operations run, and how the run keeps its own session (AUTH_MODE=relogin):
#   Every /api operation is tested, including the ones that end sessions
#   (POST /api/auth/logout, DELETE /api/me/sessions, DELETE /api/me/sessions/{id},
#   DELETE /api/users/{id}/sessions, PUT /api/me/password). The admin cookie is
#   obtained through schemathesis's dynamic auth (auth.dynamic.openapi.session_cookie:
#   POST /api/auth/login as admin, cookie portero_session), and a secured request
#   answered 401 makes schemathesis log in again and replay it once, so a fuzzer
#   that logs its own session out only costs one extra login. The one change that a
#   login cannot undo is losing the administrator account itself (demoted,
#   deactivated or deleted once the fuzzer has created a second admin):
#   bench/schemathesis_hooks.py redirects PATCH/DELETE /api/users/{id} aimed at the
#   run's admin to an id that does not exist (404). PUT /api/me/password needs the
#   current password, which the fuzzer does not know, so it only sees refusals.
#   Login throttling is raised for the run (ROCKET_LOGIN_*_MAX_FAILURES) so that
#   fuzzed wrong-password logins for `admin` never lock the run's own logins out.
#
# Checks: all of them, with one setting per operation. positive_data_acceptance
#   expects a schema-valid request to succeed; for the operations below the
#   contract (SPEC) answers some schema-valid requests with 422 by design,
#   because the deciding fact is stored data or a secret the schema cannot
#   state, and the 422 names the field: a product that does not exist or is
#   inactive (POST /sales), a wrong current password (PUT /me/password,
#   DELETE /me), an unknown, used or expired token (password-reset/confirm,
#   verify-email), a new password on the common-password list or equal to
#   the username or address (sign-up, POST /users), an Idempotency-Key
#   already used with another body (POST /products, POST /sales), a
#   two-factor code that is not the one the pending secret makes now
#   (POST /me/mfa/confirm: SPEC's "wrong code → 422 on code"). For those
#   operations 422 is added to the accepted statuses; everything else about
#   them is checked as for any operation.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

die() { echo "schemathesis.sh: $*" >&2; exit 2; }
log() { echo "[schemathesis.sh $(date +%T)] $*" >&2; }

BIN=${1:-target/release/portero}
[[ $# -gt 0 ]] && shift
[[ -f $BIN && -x $BIN ]] || die "not an executable file: $BIN (build it: cargo build --release)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

MAX_EXAMPLES=${MAX_EXAMPLES:-50}
WORKERS=${WORKERS:-1}
CHECKS=${CHECKS:-all}
PHASES=${PHASES:-examples,coverage,fuzzing,stateful}
MODE=${MODE:-all}
AUTH_MODE=${AUTH_MODE:-relogin}
VENV=${VENV:-target/schemathesis-venv}
KEEP=${KEEP:-0}
ADMIN_USER=admin
ADMIN_EMAIL=admin@example.com
ADMIN_PASSWORD=admin-password-1
case $AUTH_MODE in relogin|header) ;; *) die "AUTH_MODE must be relogin or header" ;; esac
for tool in curl python3 openssl; do command -v "$tool" >/dev/null || die "$tool not found"; done

# --- schemathesis, pinned, in its own venv --------------------------------
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  log "installing schemathesis==$SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
ST=$VENV/bin/schemathesis

# --- a fresh database ------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portero-schemathesis.XXXXXX")
SERVER_PID=
PG_ADMIN_URL= PG_DB=
cleanup() {
  local rc=$?
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $PG_DB ]]; then
    psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
      echo "schemathesis.sh: could not drop database $PG_DB" >&2
  fi
  if [[ $KEEP == 1 || $rc != 0 ]]; then
    echo "schemathesis.sh: kept $WORK (server log: $WORK/server.log)" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${DATABASE_URL:-} ]]; then
  case $DATABASE_URL in
    postgres://*|postgresql://*) ;;
    *) die "DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)" ;;
  esac
  command -v psql >/dev/null || die "psql not found (needed to create the PostgreSQL database)"
  PG_ADMIN_URL=$DATABASE_URL
  PG_DB=portero_st_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE \"$PG_DB\"" >/dev/null || { PG_DB=; die "cannot create a database through $PG_ADMIN_URL"; }
  DB_URL=${DATABASE_URL%/*}/$PG_DB
  log "database: PostgreSQL $DB_URL"
else
  DB_URL=sqlite://$WORK/portero.db
  log "database: SQLite $WORK/portero.db"
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
SECRET=$(openssl rand -base64 32)

PORTERO_ENV=(ROCKET_PROFILE=release ROCKET_SECRET_KEY="$SECRET" ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$PORT"
  ROCKET_LOGIN_ACCOUNT_MAX_FAILURES=1000000000 ROCKET_LOGIN_IP_MAX_FAILURES=1000000000
  DATABASE_URL="$DB_URL")
portero() { env "${PORTERO_ENV[@]}" "$BIN" "$@"; }

log "migrate, create-admin, seed-demo --users 50 --products 10"
{
  portero migrate &&
    portero create-admin --username "$ADMIN_USER" --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" &&
    portero seed-demo --users 50 --products 10
} >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log" >&2; die "database setup failed"; }

# Started directly (not through the function), so that $! is the server itself.
env "${PORTERO_ENV[@]}" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 600); do
  curl -s -o /dev/null --max-time 1 "$BASE/healthz" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/server.log" >&2; die "portero exited at start-up"; }
  ((i < 600)) || die "portero did not answer /healthz within 60 s"
  sleep 0.1
done
log "portero up on $BASE (pid $SERVER_PID)"

# --- log in once: proves the admin works, gives its id and a cookie ---------
# Status and headers from curl itself, read from files: a pipeline such as
# `printf "$HEADERS" | head -1` can end the writer with SIGPIPE, which
# pipefail and set -e turn into a silent exit of this script (seen once).
STATUS=$(curl -s -D "$WORK/login.headers" -o "$WORK/login.json" -w '%{http_code}' --max-time 30 \
  -X POST -H 'Content-Type: application/json' \
  --data "{\"login\":\"$ADMIN_USER\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/login") || STATUS=
[[ $STATUS == 200 ]] || { cat "$WORK/login.json" >&2 || true; die "POST /api/auth/login as $ADMIN_USER returned HTTP ${STATUS:-none}"; }
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: *portero_session=\([^;]*\).*/\1/p' "$WORK/login.headers") || COOKIE=
COOKIE=${COOKIE%%$'\n'*}
COOKIE=${COOKIE%$'\r'}
[[ -n $COOKIE ]] || die "login set no portero_session cookie"
ADMIN_ID=$(curl -s --max-time 30 -H "Cookie: portero_session=$COOKIE" "$BASE/api/me" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') || die "GET /api/me with the admin cookie failed"
log "logged in as $ADMIN_USER (id $ADMIN_ID)"

# --- schemathesis ------------------------------------------------------------
# schemathesis resolves the login path against the spec's server URL (e.g. /api).
SERVER_PATH=$(curl -s --max-time 30 "$BASE/api/openapi.json" | python3 -c '
import json, sys, urllib.parse
servers = json.load(sys.stdin).get("servers") or [{"url": "/"}]
print(urllib.parse.urlparse(servers[0]["url"]).path.rstrip("/"))') || die "GET /api/openapi.json failed"
LOGIN_PATH=/api/auth/login
[[ -n $SERVER_PATH && $LOGIN_PATH == "$SERVER_PATH"/* ]] && LOGIN_PATH=${LOGIN_PATH#"$SERVER_PATH"}
CONFIG=$WORK/schemathesis.toml
{
  echo "[auth]"
  echo "auto-signup = false"
  for operation in create_sale create_product change_password delete_me confirm_reset verify_email signup create_user confirm; do
    echo
    echo "[[operations]]"
    echo "include-operation-id = \"$operation\""
    echo 'checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]'
  done
  if [[ $AUTH_MODE == relogin ]]; then
    echo
    echo "[auth.dynamic.openapi.session_cookie]"
    echo "path = \"$LOGIN_PATH\""
    echo 'method = "post"'
    echo "payload = { login = \"$ADMIN_USER\", password = \"$ADMIN_PASSWORD\" }"
    echo 'extract_from = "cookie"'
    echo 'extract_selector = "portero_session"'
  fi
} >"$CONFIG"
AUTH_ARGS=()
[[ $AUTH_MODE == header ]] && AUTH_ARGS=(-H "Cookie: portero_session=$COOKIE")

log "schemathesis $SCHEMATHESIS_VERSION against $BASE/api/openapi.json (checks: $CHECKS; -n $MAX_EXAMPLES; auth: $AUTH_MODE)"
set +e
# From the temporary folder: schemathesis and hypothesis keep caches (.schemathesis/,
# .hypothesis/) in the working directory.
ST=$(cd "$(dirname "$ST")" && pwd)/$(basename "$ST")
(cd "$WORK" && PORTERO_ADMIN_ID=$ADMIN_ID SCHEMATHESIS_HOOKS=$HERE/schemathesis_hooks.py \
  "$ST" --config-file "$CONFIG" run "$BASE/api/openapi.json" \
  --checks "$CHECKS" \
  --phases "$PHASES" \
  --mode "$MODE" \
  --max-examples "$MAX_EXAMPLES" \
  --workers "$WORKERS" \
  --request-timeout 30 \
  --generation-database none \
  --report junit --report-dir "$WORK/report" \
  --no-color \
  "${AUTH_ARGS[@]}" "$@")
RC=$?
set -e

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "schemathesis.sh: portero died during the run; last lines of its log:" >&2
  tail -30 "$WORK/server.log" >&2
  RC=${RC/#0/1}
fi
if grep -q 'panicked' "$WORK/server.log"; then
  echo "schemathesis.sh: portero logged a panic:" >&2
  grep -m5 -A3 'panicked' "$WORK/server.log" >&2
fi
exit "$RC"
