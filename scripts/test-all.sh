#!/usr/bin/env bash
# Runs every check and test of the project, stage by stage, with timings.
# Needs: a Rust toolchain with clippy and rustfmt, the thumbv7em-none-eabihf target,
# cbindgen 0.29.4, defmt-print 1.2.0, qemu-system-arm, arm-none-eabi-gcc, nightly-2026-05-19 +
# cargo-fuzz, cc/c++/pkg-config/nm/make/python3, and for the gateway stages nginx, nginx-dev,
# libnginx-mod-http-lua, redis-server, libhiredis-dev, libcurl (.ci/run installs them all), and
# node + npm for the interop authorization server (the end-to-end and differential stages
# pip-install their pinned Python packages into their own venvs).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

stage() { # name command...
  local name=$1; shift
  local t0=$SECONDS
  echo "=== stage: $name"
  "$@"
  echo "=== stage: $name: ok in $((SECONDS - t0)) s"
}

stage "format" cargo fmt --all --check
stage "format (fuzz crate)" cargo fmt --manifest-path fuzz/Cargo.toml --check
stage "clippy" cargo clippy --workspace --all-targets -- -D warnings
stage "clippy (defmt feature)" cargo clippy -p fapi-core --features defmt -- -D warnings
stage "build fapi-core for thumbv7em-none-eabihf" \
  cargo build -p fapi-core --release --target thumbv7em-none-eabihf
stage "build fapi-core for thumbv7em-none-eabihf (defmt)" \
  cargo build -p fapi-core --release --target thumbv7em-none-eabihf --features defmt
stage "build fapi-tls (TLS 1.3 client) for thumbv7em-none-eabihf" \
  cargo build -p fapi-tls --release --target thumbv7em-none-eabihf
stage "C header is current (cbindgen 0.29.4)" scripts/gen-header.sh --check
stage "build libfapi.a + libfapi.so (host release)" make lib
stage "C headers: C99/C++17 alone, cdef, version, exported symbols" scripts/check-header.sh
stage "build libfapi.a for thumbv7em-none-eabihf (panic handler)" make thumbv7em
stage "install, pkg-config, link the C example (shared, static)" tests/pkgconfig/run.sh
stage "RSA verify on an emulated Cortex-M4 (QEMU mps2-an386): verdicts and peak stack budgets" \
  scripts/firmware-rsa-stack.sh
stage "firmware (QEMU mps2-an386): Rust and C decisions, defmt logs, flash/RAM/stack/instruction budgets" \
  scripts/firmware-report.sh
stage "tests" cargo test --workspace
stage "ES256 fast path against p256: Wycheproof, named cases, 100,000 random verdicts (release)" \
  cargo test --release -p fapi-tests --test es256_fast
stage "ES256 fast path on fiat's 32-bit field (the thumbv7em code) against p256 (release, 10,000 random)" \
  env FAPI_ES256_RANDOM=10000 cargo test --release -p fapi-tests --features fapi-core/es256-fiat32 --test es256_fast
stage "differential: fapi against joserfc (${DIFF_COUNT:-3000} random and mutated tokens and proofs)" \
  tests/differential/run.sh
stage "C suite through the ABI (ASan+UBSan, valgrind, threads, fork, JWKS swap)" tests/c/run.sh
stage "OpenSSL crypto provider: shim units and parity with the built-in code (ASan/UBSan)" tests/openssl/run.sh
stage "C gateway end to end (curl, Python-made proofs, fapi-check)" tests/e2e/run.sh
stage "nginx module end to end (TLS, 4 workers, shared zone, JWKS rotation under load)" tests/nginx/run.sh
stage "Lua FFI binding end to end (libnginx-mod-http-lua, MAP_SHARED verifier)" tests/lua/run.sh
stage "fleet replay on Redis (two nginx instances, redis-server stopped -> 503)" tests/fleet/run.sh
stage "fuzz every target (pinned nightly, FUZZ_SECONDS=${FUZZ_SECONDS:-35} s each)" scripts/fuzz.sh
stage "client-side interop through the C ABI (oidc-provider 9.13.3, libcurl)" tests/interop/run.sh
stage "demo: token verifier" scripts/demo.sh
stage "demo: C gateway (README's first command)" scripts/demo-gateway.sh
echo "=== all stages passed in $SECONDS s"
