#!/usr/bin/env bash
# Benchmark (not a test): fapi_check_request per-request time for an ES256 token + ES256 DPoP
# proof and for EdDSA + EdDSA, built-in crypto vs the OpenSSL provider
# (examples/openssl-provider) vs the built-in crypto with the ES256 tables of the gateway preset,
# token cache off and on; plus `openssl speed` in the same run for
# the raw verify reference, and the ratios.
#
#   tests/openssl/bench.sh
#
# Environment:
#   FAPI_LIB_DIR  directory holding a release libfapi.a (default: `cargo build -p fapi-ffi
#                 --release`, then <cargo target dir>/release; CARGO_TARGET_DIR is honoured)
#   BENCH_N       requests (distinct proofs) per round (default 1000)
#   BUILD_DIR     where generated files and the binary go (default: tests/openssl/build)
#   CC            C compiler (default: cc)
# Needs OpenSSL 3 headers, libcrypto and the openssl command (Debian: libssl-dev, openssl).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/openssl"
SHIM="$ROOT/examples/openssl-provider"
BUILD_DIR="${BUILD_DIR:-$HERE/build}"
BENCH_N="${BENCH_N:-1000}"
CC="${CC:-cc}"
mkdir -p "$BUILD_DIR"
cd "$ROOT"

target_dir() {
    local d
    d="$(cargo metadata --no-deps --format-version 1 2>/dev/null \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    echo "${d:-${CARGO_TARGET_DIR:-$ROOT/target}}"
}

command -v openssl >/dev/null || { echo "bench: no openssl command (apt-get install -y openssl)" >&2; exit 1; }
read -r -a CRYPTO_LIBS <<< "$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)"

if [[ -z "${FAPI_LIB_DIR:-}" ]]; then
    cargo build -q -p fapi-ffi --release
    FAPI_LIB_DIR="$(target_dir)/release"
fi
[[ -f "$FAPI_LIB_DIR/libfapi.a" ]] || { echo "no libfapi.a in $FAPI_LIB_DIR" >&2; exit 1; }

cargo run -q -p fapi-tests --example gen_bench_requests -- "$BENCH_N" > "$BUILD_DIR/bench_requests.h.tmp"
mv "$BUILD_DIR/bench_requests.h.tmp" "$BUILD_DIR/bench_requests.h"

"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -DNDEBUG \
    -I "$ROOT/include" -I "$SHIM" -I "$BUILD_DIR" \
    -o "$BUILD_DIR/bench" "$HERE/bench.c" "$SHIM/fapi_openssl.c" \
    "$FAPI_LIB_DIR/libfapi.a" "${CRYPTO_LIBS[@]}" -lpthread -ldl -lm

echo "== openssl speed -seconds 2 ecdsap256 ed25519"
openssl speed -seconds 2 ecdsap256 ed25519 2>/dev/null | tee "$BUILD_DIR/speed.txt" | grep -E 'sign/s|nistp256|Ed25519'
# The verify/s column is the last field of the algorithm's result line.
P256_VPS="$(awk '/\(nistp256\)/ {v=$NF} END {print v+0}' "$BUILD_DIR/speed.txt")"
ED_VPS="$(awk '/\(Ed25519\)/ {v=$NF} END {print v+0}' "$BUILD_DIR/speed.txt")"
echo
echo "== fapi"
"$BUILD_DIR/bench" "$P256_VPS" "$ED_VPS"
