#!/usr/bin/env bash
# Installs what the benchmark needs beyond Rust: wrk (the HTTP load generator, from Debian),
# PostGraphile v4 (from npm, into bench/.cache so nothing global changes) and pgbench/psql.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/.cache"
mkdir -p "$cache"

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

command -v wrk >/dev/null || apt_install wrk
command -v pgbench >/dev/null || apt_install postgresql-client
command -v psql >/dev/null || apt_install postgresql-client
command -v node >/dev/null || apt_install nodejs npm

# PostGraphile 4 pinned in bench/postgraphile/package.json (with its lockfile).
if [ ! -x "$cache/postgraphile/node_modules/.bin/postgraphile" ]; then
  rm -rf "$cache/postgraphile"
  cp -r "$here/postgraphile" "$cache/postgraphile"
  (cd "$cache/postgraphile" && npm ci --no-audit --no-fund --loglevel=error)
fi
