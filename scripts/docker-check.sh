#!/usr/bin/env bash
# Checks the Dockerfile's runtime stage in a real container engine where no
# image registry can be reached (as on this project's machines): Debian's
# docker.io, a private dockerd (vfs storage, no bridge network), and a
# debian:bookworm-slim base made locally with debootstrap. The host-built
# release binary stands in for the build stage (the rust image cannot be
# pulled either). Then: the container runs as the non-root user, listens on
# $PORT, turns "healthy" through the image's own HEALTHCHECK, keeps its
# SQLite file in /app/data, and starts with --read-only --tmpfs /tmp.
#
#   bash scripts/docker-check.sh [PORTERO_BINARY]     (as root; takes minutes:
#                                                     debootstrap downloads a base system)
# Not part of .ci/run: the base system alone costs minutes on every run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/target/release/portero}")
WORK="${DOCKER_CHECK_DIR:-/tmp/portero-docker-check}"
die() { echo "docker-check: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$BIN" ] || die "not an executable: $BIN"

export DEBIAN_FRONTEND=noninteractive
command -v dockerd >/dev/null || apt-get install -y --no-install-recommends docker.io >/dev/null
command -v debootstrap >/dev/null || apt-get install -y debootstrap >/dev/null
command -v docker >/dev/null || die "no docker client"

mkdir -p "$WORK"
export DOCKER_HOST="unix://$WORK/docker.sock"
DOCKERD_PID=""
CONTAINER=""
cleanup() {
  [ -n "$CONTAINER" ] && docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  if [ -n "$DOCKERD_PID" ]; then kill "$DOCKERD_PID" 2>/dev/null || true; wait "$DOCKERD_PID" 2>/dev/null || true; fi
  umount "$WORK/exec/netns/default" 2>/dev/null || true
}
trap cleanup EXIT
dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
  -H "$DOCKER_HOST" --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
  >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
docker info >/dev/null 2>&1 || { tail "$WORK/dockerd.log" >&2; die "dockerd did not start"; }

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase --include=ca-certificates,curl bookworm "$WORK/rootfs" \
    http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 || die "debootstrap failed (see $WORK/debootstrap.log)"
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$WORK/rootfs" -c . | docker import - debian:bookworm-slim >/dev/null
fi

CONTEXT="$WORK/context"
rm -rf "$CONTEXT" && mkdir -p "$CONTEXT"
cp "$BIN" "$CONTEXT/portero"
python3 - "$ROOT/Dockerfile" "$CONTEXT/Dockerfile" <<'PY'
import sys
text = open(sys.argv[1]).read()
start = text.index("FROM rust:")
end = text.index("FROM debian:bookworm-slim\n")
stand_in = "FROM debian:bookworm-slim AS build\nCOPY portero /usr/local/bin/portero\n\n"
open(sys.argv[2], "w").write(text[:start] + stand_in + text[end:])
PY
docker build --network host -t portero-check "$CONTEXT" >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; die "docker build failed"; }

PASSED=0; FAILED=0
check() { local what="$1"; shift; if "$@"; then PASSED=$((PASSED + 1)); echo "ok   $what"; else FAILED=$((FAILED + 1)); echo "FAIL $what"; fi; }
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CONTAINER=$(docker run -d --network host --health-interval=1s -e PORT="$PORT" portero-check)
for _ in $(seq 1 30); do [ "$(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER")" = healthy ] && break; sleep 1; done
check "the image's HEALTHCHECK reports healthy" [ "$(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER")" = healthy ]
check "it runs as the non-root user portero" [ "$(docker exec "$CONTAINER" id -un)" = portero ]
check "it listens on 0.0.0.0:\$PORT" bash -c "docker logs '$CONTAINER' 2>&1 | grep -q 'listening on http://0.0.0.0:$PORT'"
check "a page is served" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/products"
check "SQLite lives in the volume /app/data" docker exec "$CONTAINER" test -f /app/data/portero.db
docker rm -f "$CONTAINER" >/dev/null
CONTAINER=$(docker run -d --network host --read-only --tmpfs /tmp -e PORT="$PORT" portero-check)
for _ in $(seq 1 30); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
check "it starts with --read-only --tmpfs /tmp" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz"
echo "docker-check: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
