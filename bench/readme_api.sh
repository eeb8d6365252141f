#!/usr/bin/env bash
# Runs the README's "Using the API from the command line" examples as
# printed, against a release build on a fresh SQLite database, and checks
# that each answered what its comment says.
#
# Usage: bench/readme_api.sh [PORTERO_BINARY]   (default target/release/portero)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/portero}
[[ -x $BIN ]] || { echo "readme_api.sh: not an executable: $BIN" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portero-readme.XXXXXX")
SERVER_PID=
cleanup() {
  local rc=$?
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [[ $rc != 0 ]]; then
    [[ -f $WORK/out.txt ]] && { echo "--- transcript ---" >&2; cat "$WORK/out.txt" >&2; }
    [[ -f $WORK/server.log ]] && { echo "--- server log ---" >&2; tail -20 "$WORK/server.log" >&2; }
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

# The sh blocks of the section, in order.
python3 - README.md >"$WORK/examples.sh" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text.split("## Using the API from the command line", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
assert blocks, "no sh block in the section"
print("\n".join(blocks))
PY

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ROCKET_PROFILE=release ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT=$PORT
export ROCKET_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export DATABASE_URL=sqlite://$WORK/portero.db
unset PORT
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$ROCKET_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "readme_api.sh: portero exited" >&2; exit 1; }
  sleep 0.1
done

# As printed, but for the port.
sed "s#http://127.0.0.1:8000#http://127.0.0.1:$ROCKET_PORT#g" "$WORK/examples.sh" >"$WORK/run.sh"
(cd "$WORK" && bash -eo pipefail run.sh >"$WORK/out.txt" 2>&1)

expect() {
  grep -qi -- "$1" "$WORK/out.txt" || { echo "readme_api.sh: no \`$1\` in the output ($2)" >&2; exit 1; }
}
expect '"username":"ada"' "sign-up, GET /api/me"
expect '"items":\[\],"page":1,"per_page":5,"total":0' "own sales"
expect '"field":"from"' "a bad date is a 422 naming from"
expect '"status":403' "a read token may not DELETE"
expect '`write` scope' "the 403 names the scope"
expect 'HTTP/1.1 401 Unauthorized' "the logged-out token"
expect 'www-authenticate: Bearer' "the 401 challenge"
expect '"role":"user"' "cookie login"
echo "readme_api.sh: $(grep -c '^curl\|^TOKEN\|^PAT' "$WORK/examples.sh") README commands ran as printed and answered as documented"
