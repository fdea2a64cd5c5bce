#!/usr/bin/env bash
# Prints the directory of a Node 24 binary, installing it from the npm registry (the `node`
# package) into .cache/node24 when needed. Used by .ci/run for the second test pass.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node24
if [ ! -x "$dir/node_modules/node/bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund node@24 >&2
fi
real=$(readlink -f "$dir/node_modules/node/bin/node")
"$real" --version >/dev/null
dirname "$real"
