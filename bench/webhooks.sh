#!/usr/bin/env bash
# Webhook delivery benchmark: bench/webhooks.sh [--endpoints 100] [--latency-changes 20]
# [--burst-changes 50]. Builds the release binaries, starts Exodus on a fresh PostgreSQL
# database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432) with the shipped
# dataset, registers the endpoints on a receiver in the bench process, and prints the
# commit-to-delivery latency (p50/p99) and deliveries per second as JSON, also written to
# bench/out/webhooks.json. EXODUS_BENCH_SQLITE=1 runs it on SQLite instead.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p exodus-api -p exodus-webhook-bench
target="${CARGO_TARGET_DIR:-target}/release"

admin_url="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432}"
work=$(mktemp -d)
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -n "${EXODUS_BENCH_SQLITE:-}" ]]; then
  export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
else
  psql "$admin_url/postgres" -q -c 'DROP DATABASE IF EXISTS exodus_bench_webhooks' -c 'CREATE DATABASE exodus_bench_webhooks'
  export DATABASE_URL="$admin_url/exodus_bench_webhooks"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export EXODUS_LISTEN="127.0.0.1:$port" EXODUS_LOG=warn
export EXODUS_JWT_SECRET="webhook-bench-$(date +%s%N)-secret-long-enough"
export EXODUS_RATE_LIMIT_ANONYMOUS=1000000 EXODUS_RATE_LIMIT_EDITOR=1000000
export EXODUS_WEBHOOK_ALLOW_HTTP=true EXODUS_WEBHOOK_ALLOW_NETWORKS=127.0.0.0/8
export EXODUS_EDITOR_PASSWORD="webhook-bench-password"

"$target/exodus" migrate >/dev/null
"$target/exodus" editor add --email bench@example.org --name Bench --role admin >/dev/null
token=$("$target/exodus" token --email bench@example.org)
"$target/exodus" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -fs "http://$EXODUS_LISTEN/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

mkdir -p bench/out
"$target/exodus-webhook-bench" --url "http://$EXODUS_LISTEN/graphql" --token "$token" "$@" \
  | tee bench/out/webhooks.json
