# syntax=docker/dockerfile:1
# The `exodus` binary of the exodus-api package in a slim, non-root image.
#   docker build -t exodus .
#   docker run -p 8080:8080 -v exodus-data:/var/lib/exodus exodus   # embedded SQLite
#   docker compose up                                               # with PostgreSQL 15
# .ci/docker-check lints this file and checks its paths and names without a Docker daemon.

# Build stage: the dependencies are compiled in their own layer, cached until a manifest or
# Cargo.lock changes.
FROM rust:1.95-bookworm AS build
WORKDIR /src
# Every manifest of the workspace: cargo loads all of its members even to build one package.
COPY Cargo.toml Cargo.lock ./
COPY api/Cargo.toml api/Cargo.toml
COPY entity/Cargo.toml entity/Cargo.toml
COPY migration/Cargo.toml migration/Cargo.toml
COPY bench/fanout/Cargo.toml bench/fanout/Cargo.toml
# A stub for every lib and bin target of every member, the root package exodus-tests (its
# lib is tests/support/lib.rs) included, so that only the dependencies are really compiled.
# No `|| true`: a manifest or lock file that does not build fails the image here.
RUN mkdir -p api/src entity/src migration/src tests/support bench/fanout/src \
 && echo 'fn main() {}' > api/src/main.rs \
 && echo 'fn main() {}' > migration/src/main.rs \
 && echo 'fn main() {}' > bench/fanout/src/main.rs \
 && touch api/src/lib.rs entity/src/lib.rs migration/src/lib.rs tests/support/lib.rs \
 && cargo build --release --locked -p exodus-api --bin exodus
COPY . .
# The real sources replace the stubs; touch them so that cargo rebuilds the workspace crates
# even where a copied file is older than the stub build.
RUN touch api/src/main.rs api/src/lib.rs entity/src/lib.rs migration/src/lib.rs \
      migration/src/main.rs tests/support/lib.rs bench/fanout/src/main.rs \
 && cargo build --release --locked -p exodus-api --bin exodus

# Runtime stage: a slim image, a non-root user with a fixed id, the binary and its data dir.
FROM debian:bookworm-slim
# ca-certificates for TLS to a managed database; curl for the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 exodus \
 && useradd --system --no-log-init --uid 10001 --gid exodus \
      --home-dir /var/lib/exodus --shell /usr/sbin/nologin exodus \
 && install -d -o exodus -g exodus -m 0750 /var/lib/exodus
COPY --from=build /src/target/release/exodus /usr/local/bin/exodus
# The data dir, writable by the exodus user: the default DATABASE_URL (sqlite://exodus.db)
# is relative to it, so the embedded SQLite file lives here. Mount a volume on it to keep it.
WORKDIR /var/lib/exodus
USER 10001:10001
ENV EXODUS_LISTEN=0.0.0.0:8080 EXODUS_LOG_FORMAT=json
EXPOSE 8080
# Liveness: /healthz answers as soon as the server listens, which is after the migrations and
# the first seed (hence the start period), and does not touch the database. Whether the
# database answers is /readyz's business (docker-compose.yml checks that one): restarting
# this container would not bring a database back.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["exodus"]
CMD ["serve"]
