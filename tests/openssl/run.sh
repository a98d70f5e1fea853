#!/usr/bin/env bash
# OpenSSL crypto-provider test: the shim's unit cases, handle accounting through fapi, and
# parity of the C suite's case table (gen_c_cases) between fapi's built-in crypto and the
# OpenSSL provider (examples/openssl-provider). Built and run under ASan (leak checking on)
# and UBSan; prints `N passed, 0 failed`, exits non-zero on any failure.
#
#   tests/openssl/run.sh
#
# Environment:
#   FAPI_LIB_DIR    directory holding libfapi.a (default: build fapi-ffi in the debug profile and
#                   use <cargo target dir>/debug; CARGO_TARGET_DIR is honoured)
#   GEN_CASES_INC   an already generated case table (default: run gen_c_cases)
# The table's row types come from the C suite's tests/c/cases.h (read, never changed here).
#   BUILD_DIR       where generated files and binaries go (default: tests/openssl/build)
#   CC              C compiler (default: cc)
# Needs OpenSSL 3 headers and libcrypto (Debian: libssl-dev).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/openssl"
SHIM="$ROOT/examples/openssl-provider"
BUILD_DIR="${BUILD_DIR:-$HERE/build}"
CC="${CC:-cc}"
mkdir -p "$BUILD_DIR"
cd "$ROOT"

target_dir() {
    local d
    d="$(cargo metadata --no-deps --format-version 1 2>/dev/null \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    echo "${d:-${CARGO_TARGET_DIR:-$ROOT/target}}"
}

if ! printf '#include <openssl/evp.h>\n#if OPENSSL_VERSION_MAJOR < 3\n#error old\n#endif\n' \
        | "$CC" -E -x c - >/dev/null 2>&1; then
    echo "tests/openssl: OpenSSL 3 headers not found (Debian: apt-get install -y libssl-dev)" >&2
    exit 1
fi
read -r -a CRYPTO_LIBS <<< "$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)"

if [[ -z "${FAPI_LIB_DIR:-}" ]]; then
    cargo build -q -p fapi-ffi
    FAPI_LIB_DIR="$(target_dir)/debug"
fi
[[ -f "$FAPI_LIB_DIR/libfapi.a" ]] || { echo "no libfapi.a in $FAPI_LIB_DIR" >&2; exit 1; }

if [[ -n "${GEN_CASES_INC:-}" ]]; then
    cp "$GEN_CASES_INC" "$BUILD_DIR/cases.inc"
else
    cargo run -q -p fapi-tests --example gen_c_cases > "$BUILD_DIR/cases.inc.tmp"
    mv "$BUILD_DIR/cases.inc.tmp" "$BUILD_DIR/cases.inc"
fi

SAN=("-fsanitize=address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer)
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 "${SAN[@]}" \
    -I "$ROOT/include" -I "$SHIM" -I "$BUILD_DIR" -I "$ROOT/tests/c" \
    -o "$BUILD_DIR/parity" "$HERE/parity.c" "$SHIM/fapi_openssl.c" \
    "$FAPI_LIB_DIR/libfapi.a" "${CRYPTO_LIBS[@]}" -lpthread -ldl -lm

# Leak checking is on (LeakSanitizer runs at exit); any sanitizer report aborts the run.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    "$BUILD_DIR/parity"
