# syntax=docker/dockerfile:1
# The `exodus` binary of the exodus-api package in a slim, non-root image.
#   docker build -t exodus .
#   docker run -p 8080:8080 -v exodus-data:/var/lib/exodus exodus   # embedded SQLite
#   docker compose up                                               # with PostgreSQL 15
# .ci/docker-check lints this file and checks, without a Docker daemon, that what it copies is in
# the repository and not left out by .dockerignore.

# The dependencies are compiled in their own layer, cached until a manifest or Cargo.lock
# changes. cargo-chef makes that layer: `prepare` reduces the workspace to its manifests and
# Cargo.lock (recipe.json), `cook` builds the dependencies of that skeleton. It finds every
# member and target itself (the root package's lib is tests/support/lib.rs), so there is no
# hand-kept list of stubs to miss one, as it once missed bench/fanout. Pinned: the image must
# build the same way tomorrow.
FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

# Any change to the sources reruns this stage, but its output only changes with the manifests.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /src/recipe.json recipe.json
# The same package and binary as the build below: the whole workspace would also cook the root
# package (the test harness), whose extra features on tokio and actix make different builds of
# those crates, and the real build would compile them again.
RUN cargo chef cook --release --locked -p exodus-api --bin exodus --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p exodus-api --bin exodus

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
