#!/usr/bin/env bash
# The demo: builds fapi, mints fresh access tokens with the demo issuer, and verifies them
# against examples/data/jwks.json — a valid ES256 token, a valid EdDSA token, a tampered
# token, an expired token and an `alg: none` forgery — printing each verdict and its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "demo: needs a Rust toolchain (rustup)"; exit 2; }
cargo build -q -p fapi-tests --examples
bin=${CARGO_TARGET_DIR:-target}/debug/examples
ISS=https://as.example.com AUD=https://rs.example.com JWKS=examples/data/jwks.json
NOW=$(date +%s)
check() { # label token [now]
  printf '%-28s ' "$1"
  "$bin/verify_token" --jwks "$JWKS" --iss "$ISS" --aud "$AUD" --now "${3:-$NOW}" "$2" 2>/dev/null || true
}
es=$("$bin/mint_token" --now "$NOW")
ed=$("$bin/mint_token" --now "$NOW" --alg EdDSA --sub bob)
# Tamper: change the subject in the payload and keep the original signature.
IFS=. read -r h p s <<<"$es"
forged_payload=$(printf '%s' "$p" | tr 'A-Za-z' 'B-ZAb-za')
none_header=$(printf '{"alg":"none","typ":"at+jwt"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
check "valid ES256 token:" "$es"
check "valid EdDSA token:" "$ed"
check "tampered payload:" "$h.$forged_payload.$s"
check "expired (now + 1 hour):" "$es" $((NOW + 3600))
check "alg none forgery:" "$none_header.$p."
