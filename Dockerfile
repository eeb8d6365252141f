# syntax=docker/dockerfile:1
# Portero in a container: a multi-stage build, a slim runtime, a non-root
# user. Templates, static files and migrations are inside the binary.
#
#   docker build -t portero .
#   docker run -p 8000:8000 -e DATABASE_URL='postgres://…?sslmode=require' portero
#
# The image sets PORT=8000, so Portero listens on 0.0.0.0:8000 (override
# PORT as platforms do). Without DATABASE_URL it keeps SQLite in the volume
# /app/data, and its secret key with it. Run with --read-only? Add
# --tmpfs /tmp: the templates are unpacked there once at start.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && cp target/release/portero /usr/local/bin/portero

FROM debian:bookworm-slim
# curl for the health check; ca-certificates for sslrootcert bundles in /etc/ssl.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin portero \
    && mkdir -p /app/data \
    && chown portero:portero /app/data
COPY --from=build /usr/local/bin/portero /usr/local/bin/portero
WORKDIR /app
USER portero
ENV PORT=8000
EXPOSE 8000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null || exit 1
CMD ["portero"]
