#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for the TLS tests and the platform smoke
# test: one with TLS on (a certificate for "localhost" signed by a CA made
# here with openssl), one with TLS off. Each has its own port and folder;
# the shared cluster is never touched.
#
#   eval "$(bash scripts/pg-tls-cluster.sh start)"   # prints the exports below
#   bash scripts/pg-tls-cluster.sh stop               # stops both, deletes the folder
#   bash scripts/pg-tls-cluster.sh status             # exit 0 when both answer
#
# `start` is idempotent: servers that answer are kept; otherwise both are made
# afresh, and what the old servers last logged is printed first and appended
# to $DIR.events (kept across restarts), so a server that died is explained.
#
# Exports:
#   PORTERO_PG_TLS_URL        postgres://postgres@localhost:$TLS_PORT/postgres (TLS on)
#   PORTERO_PG_TLS_CA         the CA that signed the server's certificate
#   PORTERO_PG_TLS_WRONG_CA   another CA, which did not
#   PORTERO_PG_PLAIN_URL      postgres://postgres@localhost:$PLAIN_PORT/postgres (TLS off)
#
# Environment: PG_TLS_DIR (default /tmp/portero-pg-tls), PG_TLS_PORT (55433),
# PG_PLAIN_PORT (55434), PG_BIN (Debian's /usr/lib/postgresql/<newest>/bin).
# Needs openssl and PostgreSQL's server binaries; run as root (the servers
# run as user postgres) or as postgres.
set -euo pipefail

DIR="${PG_TLS_DIR:-/tmp/portero-pg-tls}"
TLS_PORT="${PG_TLS_PORT:-55433}"
PLAIN_PORT="${PG_PLAIN_PORT:-55434}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

fail() { echo "pg-tls-cluster: $*" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

exports() {
  cat <<EXPORTS
export PORTERO_PG_TLS_URL='postgres://postgres@localhost:$TLS_PORT/postgres'
export PORTERO_PG_TLS_CA='$DIR/ca.crt'
export PORTERO_PG_TLS_WRONG_CA='$DIR/wrong-ca.crt'
export PORTERO_PG_PLAIN_URL='postgres://postgres@localhost:$PLAIN_PORT/postgres'
EXPORTS
}

make_certificates() {
  local days=2
  openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=Portero test CA" \
    -keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=Some other CA" \
    -keyout "$DIR/wrong-ca.key" -out "$DIR/wrong-ca.crt" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$DIR/server.key" -out "$DIR/server.csr" 2>/dev/null
  # Only the name "localhost": verify-full to 127.0.0.1 must fail where
  # verify-ca (which skips the name) succeeds.
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$DIR/server.ext"
  openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
    -CAcreateserial -days "$days" -extfile "$DIR/server.ext" -out "$DIR/server.crt" 2>/dev/null
  chmod 600 "$DIR/server.key"
}

start_cluster() { # name port ssl(on|off)
  local data="$DIR/$1" port="$2" ssl="$3"
  as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust >"$DIR/$1-initdb.log" 2>&1 \
    || { cat "$DIR/$1-initdb.log" >&2; fail "initdb failed for $1"; }
  cat >>"$data/postgresql.conf" <<CONF
port = $port
listen_addresses = 'localhost'
unix_socket_directories = '$DIR'
ssl = $ssl
ssl_cert_file = '$DIR/server.crt'
ssl_key_file = '$DIR/server.key'
fsync = off
max_connections = 100
CONF
  # Plain and TLS connections both allowed: the client's sslmode decides.
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' >"$data/pg_hba.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$DIR/$1.log" -w -t 30 start >/dev/null \
    || { cat "$DIR/$1.log" >&2; fail "the $1 cluster did not start"; }
}

start() {
  command -v openssl >/dev/null || fail "openssl is missing (apt-get install openssl)"
  [ -x "$PG_BIN/initdb" ] || fail "no PostgreSQL server binaries in '$PG_BIN'"
  if running; then
    exports
    return
  fi
  if [ -d "$DIR" ]; then
    report_dead_servers | tee -a "$DIR.events" >&2
  fi
  stop >/dev/null 2>&1 || true
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  make_certificates
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"
  start_cluster tls "$TLS_PORT" on
  start_cluster plain "$PLAIN_PORT" off
  exports
}

stop() {
  for name in tls plain; do
    if [ -f "$DIR/$name/postmaster.pid" ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$DIR/$name" -m immediate -w stop >/dev/null || true
    fi
  done
  rm -rf "$DIR"
}

# A pid file alone proves nothing: a server killed without cleanup leaves it.
answers() { "$PG_BIN/pg_isready" -q -h localhost -p "$1" -U postgres -d postgres -t 3; }
running() { [ -d "$DIR" ] && answers "$TLS_PORT" && answers "$PLAIN_PORT"; }

report_dead_servers() {
  echo "pg-tls-cluster: $(date -u +%FT%TZ): the servers in $DIR were not answering; restarting them"
  for name in tls plain; do
    echo "--- end of $DIR/$name.log"
    tail -n 15 "$DIR/$name.log" 2>/dev/null || echo "(no log)"
  done
}

case "${1:-}" in
  start) start ;;
  status) running ;;
  stop) stop ;;
  env) exports ;;
  *) fail "usage: $0 start|stop|status|env" ;;
esac
