#!/usr/bin/env bash
# Refreshes the GraphiQL files embedded in the binary (served at /graphiql/…) from the npm
# registry, at the versions pinned below. npm checks each tarball against the registry's
# integrity hash; SHA256SUMS then records what was embedded, and `sha256sum -c SHA256SUMS`
# checks the files in this folder against it.
#
# GraphiQL 4 is the last major release with a browser (UMD) build; 5 needs a bundler for its
# Monaco editor and web workers. Pinning 4.1.2 keeps the page a handful of static files.
set -euo pipefail
cd "$(dirname "$0")"

GRAPHIQL=4.1.2
EXPLORER=4.0.6
GRAPHQL_WS=5.16.2
REACT=18.3.1 # React 19 ships no browser build.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm pack --silent "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$EXPLORER" \
    "graphql-ws@$GRAPHQL_WS" "react@$REACT" "react-dom@$REACT" >/dev/null
  for tarball in *.tgz; do
    mkdir "${tarball%.tgz}" && tar xzf "$tarball" -C "${tarball%.tgz}"
  done
)
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" graphiql.min.js
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" graphiql.min.css
cp "$work/graphiql-plugin-explorer-$EXPLORER/package/dist/index.umd.js" plugin-explorer.umd.js
cp "$work/graphiql-plugin-explorer-$EXPLORER/package/dist/style.css" plugin-explorer.css
cp "$work/graphql-ws-$GRAPHQL_WS/package/umd/graphql-ws.min.js" graphql-ws.min.js
cp "$work/react-$REACT/package/umd/react.production.min.js" react.production.min.js
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" react-dom.production.min.js
# Every one of these packages is MIT-licensed; their notices travel with the files.
{
  for p in "graphiql-$GRAPHIQL" "graphiql-plugin-explorer-$EXPLORER" "graphql-ws-$GRAPHQL_WS" \
    "react-$REACT" "react-dom-$REACT"; do
    echo "== $p"
    cat "$work/$p/package/LICENSE"* 2>/dev/null || echo "MIT (package.json)"
    echo
  done
} > LICENSES.txt
sha256sum graphiql.min.js graphiql.min.css plugin-explorer.umd.js plugin-explorer.css \
  graphql-ws.min.js react.production.min.js react-dom.production.min.js > SHA256SUMS
echo "GRAPHIQL=$GRAPHIQL EXPLORER=$EXPLORER GRAPHQL_WS=$GRAPHQL_WS REACT=$REACT" > VERSIONS
