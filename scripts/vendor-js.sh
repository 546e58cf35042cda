#!/usr/bin/env bash
# Browser libraries the app serves itself (never from a CDN, so the desk works offline):
# install them from package-lock.json with npm, then copy the files the browser loads
# into app/static/vendor/ (built here, not committed).
#
# zxing-wasm: the QR decoder for the desk's camera. Its reader ES module imports
# ../share.js, so the two keep their relative layout; the .wasm must come from the same
# package version as the JS (desk.js points locateFile at /static/vendor/zxing-wasm/).
set -euo pipefail
cd "$(dirname "$0")/.."

# `vendor-js.sh dev` (make test) also installs the test tools (axe-core, vnu-jar); plain
# `vendor-js.sh` (make run) only what the browser loads, and keeps the test tools already there.
mode=${1:-run}
stamp=node_modules/.package-lock.sha256
lock=$(sha256sum package-lock.json | cut -d' ' -f1)
wanted="$lock $mode"
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -d node_modules/zxing-wasm ] || { [ "$have" != "$wanted" ] && [ "$have" != "$lock dev" ]; }; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "npm is missing: please install Node.js and npm (sudo apt-get install -y nodejs npm)" >&2
      exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  npm ci --no-audit --no-fund --loglevel=error $([ "$mode" = dev ] || echo --omit=dev)
  echo "$wanted" >"$stamp"
fi

source=node_modules/zxing-wasm
target=app/static/vendor/zxing-wasm
mkdir -p "$target/reader"
cp "$source/dist/es/reader/index.js" "$target/reader/index.js"
cp "$source/dist/es/share.js" "$target/share.js"
cp "$source/dist/reader/zxing_reader.wasm" "$target/zxing_reader.wasm"
cp "$source/LICENSE" "$target/LICENSE"
