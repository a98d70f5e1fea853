#!/usr/bin/env bash
# Builds ngx_http_fapi_module.so against Debian's nginx-dev (the headers and configure script of
# the nginx package, built --with-compat), so Debian's own nginx binary can load it.
#
#   examples/nginx/build.sh [OUT_DIR]
#
# Builds libfapi first (cargo build -p fapi-ffi --release) unless FAPI_LIB_DIR names a folder that
# already holds libfapi.a. Writes OUT_DIR/ngx_http_fapi_module.so (default:
# $CARGO_TARGET_DIR/nginx, else target/nginx) and prints its path on the last line.
# FAPI_NGX_REDIS=0 builds without the Redis replay store (then libhiredis-dev is not needed).
#
# Needs: nginx-dev (Debian), a C compiler, make, libssl-dev, libhiredis-dev (unless
# FAPI_NGX_REDIS=0), libpcre3-dev is NOT needed (modules only).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${1:-$TARGET/nginx}
SRC=/usr/share/nginx/src
[ -f "$SRC/conf_flags" ] || { echo "build.sh: $SRC/conf_flags missing: apt-get install nginx-dev" >&2; exit 1; }

if [ -z "${FAPI_LIB_DIR:-}" ]; then
  cargo build -q -p fapi-ffi --release
  FAPI_LIB_DIR=$TARGET/release
fi
[ -f "$FAPI_LIB_DIR/libfapi.a" ] || { echo "build.sh: no libfapi.a in $FAPI_LIB_DIR" >&2; exit 1; }
FAPI_LIB_DIR=$(cd "$FAPI_LIB_DIR" && pwd)
export FAPI_LIB_DIR
export FAPI_NGX_REDIS=${FAPI_NGX_REDIS:-1}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Up to date: nothing it is made from is newer than the module (and the Redis switch agrees).
SO=$OUT/ngx_http_fapi_module.so
if [ -f "$SO" ] && [ "$(cat "$OUT/redis.flag" 2>/dev/null)" = "$FAPI_NGX_REDIS" ] && [ -z "$(find \
  examples/nginx examples/redis-store examples/openssl-provider include/fapi.h "$FAPI_LIB_DIR/libfapi.a" \
  -newer "$SO" -type f 2>/dev/null | head -1)" ]; then
  echo "$SO"
  exit 0
fi
BUILD=$OUT/build
# configure runs in a copy of the nginx source tree (nginx-dev's is read-only and shared).
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp -r "$SRC"/. "$BUILD"/
# shellcheck disable=SC1091
source "$BUILD/conf_flags"
(
  cd "$BUILD"
  ./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$ROOT/examples/nginx" >configure.log 2>&1 \
    || { tail -30 configure.log >&2; exit 1; }
  make -s -f objs/Makefile modules >make.log 2>&1 || { grep -E 'error|warning' -A3 make.log | head -60 >&2; exit 1; }
)
cp "$BUILD/objs/ngx_http_fapi_module.so" "$OUT/"
echo "$FAPI_NGX_REDIS" >"$OUT/redis.flag"
echo "$OUT/ngx_http_fapi_module.so"
