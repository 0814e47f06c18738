#!/usr/bin/env bash
# Installs what the benchmark needs beyond Rust: wrk (the HTTP load generator, from Debian),
# PostGraphile v4 and v5 with the Node.js 22 v5 needs (from npm, into bench/.cache so nothing
# global changes) and pgbench/psql.
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

# PostGraphile 5 and Node.js 22 (the npm package `node`), pinned in bench/postgraphile5.
if [ ! -x "$cache/postgraphile5/node_modules/.bin/node" ] || \
   ! cmp -s "$here/postgraphile5/package-lock.json" "$cache/postgraphile5/package-lock.json"; then
  rm -rf "$cache/postgraphile5"
  cp -r "$here/postgraphile5" "$cache/postgraphile5"
  (cd "$cache/postgraphile5" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here"/postgraphile5/*.mjs "$cache/postgraphile5/"
