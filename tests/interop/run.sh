#!/usr/bin/env bash
# Client-side interop suite: starts the authorization server (panva's oidc-provider, pinned in
# tests/interop/as/package-lock.json) on loopback and runs the flows against it.
#   1. selfcheck: a client that is not fapi (jose) runs every flow, so a failure below is
#      fapi's and not the server configuration's;
#   2. client.c: the same flows driven by fapi through its C ABI (libcurl does the HTTP), then
#      the negative cases, each with its exact fapi code (see tests/interop/README.md).
# Needs: node + npm (the machine's Node.js 20 works, with a warning from oidc-provider),
# openssl, a C compiler, libcurl (libcurl4-openssl-dev) and libcrypto (libssl-dev), cargo.
# Honours CARGO_TARGET_DIR and CC. PORT (default 39443) is the server's fixed port.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${PORT:-39443}
work=$(mktemp -d)
as_pid=""
cleanup() { [[ -n "$as_pid" ]] && kill "$as_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

command -v node >/dev/null || { echo "node not found" >&2; exit 2; }
echo "=== interop: npm ci (oidc-provider from the committed lockfile)"
(cd "$here/as" && npm ci --no-audit --no-fund --loglevel=error)

echo "=== interop: keys and certificates"
"$here/setup.sh" "$work" "$port"

echo "=== interop: build the C driver (tests/interop/client.c + libfapi.a, libcurl)"
(cd "$root" && cargo build -q -p fapi-ffi)
lib="${CARGO_TARGET_DIR:-$root/target}/debug/libfapi.a"
curl_flags=$(pkg-config --cflags --libs libcurl 2>/dev/null || echo -lcurl)
# shellcheck disable=SC2086
"${CC:-gcc}" -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -I "$root/include" \
  "$here/client.c" "$lib" $curl_flags -lcrypto -lpthread -ldl -lm -o "$work/client"

echo "=== interop: authorization server on https://localhost:$port"
(cd "$here/as" && exec node server.mjs "$work/config.json") > "$work/as.log" 2>&1 &
as_pid=$!
for _ in $(seq 100); do
  grep -q '^ready ' "$work/as.log" 2>/dev/null && break
  kill -0 "$as_pid" 2>/dev/null || { cat "$work/as.log"; echo "authorization server died" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready ' "$work/as.log" || { cat "$work/as.log"; echo "authorization server not ready" >&2; exit 1; }

echo "=== interop: selfcheck (jose client)"
if ! (cd "$here/as" && node selfcheck.mjs "$work/config.json" "$work/files.json"); then
  grep -v WARNING "$work/as.log" >&2 || true
  exit 1
fi
echo "=== interop: flows driven by fapi through the C ABI"
if ! "$work/client" "$work" "$port"; then
  grep -v WARNING "$work/as.log" >&2 || true
  exit 1
fi
echo "=== interop: all passed"
