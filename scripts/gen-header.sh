#!/usr/bin/env bash
# Regenerates include/fapi.h (cbindgen 0.29.4) and include/fapi_cdef.h from fapi-ffi.
# With --check, regenerates into a temporary folder and fails if the committed files differ.
set -euo pipefail
cd "$(dirname "$0")/.."
want=0.29.4
have=$(cbindgen --version 2>/dev/null | awk '{print $2}')
if [ "$have" != "$want" ]; then
  echo "gen-header: need cbindgen $want (have: ${have:-none}); cargo install cbindgen --version $want --locked" >&2
  exit 2
fi
out=include
if [ "${1:-}" = "--check" ]; then out=$(mktemp -d); fi
cbindgen --quiet --config fapi-ffi/cbindgen.toml --crate fapi-ffi --output "$out/fapi.h" fapi-ffi
python3 scripts/gen-cdef.py "$out/fapi.h" "$out/fapi_cdef.h"
if [ "${1:-}" = "--check" ]; then
  for f in fapi.h fapi_cdef.h; do
    if ! diff -u "include/$f" "$out/$f"; then
      echo "gen-header: include/$f is stale; run scripts/gen-header.sh and commit" >&2
      exit 1
    fi
  done
  echo "gen-header: include/fapi.h and include/fapi_cdef.h are current"
fi
