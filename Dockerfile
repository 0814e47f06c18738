# syntax=docker/dockerfile:1
# Build stage: dependencies are compiled in their own layer, cached until Cargo.lock changes.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY api/Cargo.toml api/Cargo.toml
COPY entity/Cargo.toml entity/Cargo.toml
COPY migration/Cargo.toml migration/Cargo.toml
RUN mkdir -p api/src entity/src migration/src tests/support data \
 && echo 'fn main() {}' > api/src/main.rs && touch api/src/lib.rs entity/src/lib.rs \
 && touch migration/src/lib.rs && echo 'fn main() {}' > migration/src/main.rs \
 && touch tests/support/lib.rs \
 && cargo build --release -p exodus-api --locked || true
COPY . .
RUN touch api/src/main.rs api/src/lib.rs entity/src/lib.rs migration/src/lib.rs \
 && cargo build --release -p exodus-api --locked

# Runtime stage: a slim image, a non-root user, the binary and nothing else.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/exodus exodus
COPY --from=build /src/target/release/exodus /usr/local/bin/exodus
USER exodus
WORKDIR /var/lib/exodus
ENV EXODUS_LISTEN=0.0.0.0:8080 EXODUS_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["exodus"]
CMD ["serve"]
