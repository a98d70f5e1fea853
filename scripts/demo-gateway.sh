#!/usr/bin/env bash
# The C gateway demo: builds libfapi and the example gateway (examples/c-gateway), makes a
# Python venv for the independent token/proof minter (tests/e2e/mint.py), starts the gateway
# on loopback with the sample key set (examples/data/jwks.json), and sends three requests with
# curl — a valid DPoP-bound request, the same proof again, and a tampered token — printing each
# verdict: status, WWW-Authenticate and DPoP-Nonce. Then it stops the gateway.
#
# Needs: cargo, a C compiler, make, curl, python3 (with venv), json-c headers (Debian:
# libjson-c-dev — installed here with apt-get when missing and running as root), and PyPI
# for the first run (pip install cryptography into tests/e2e/.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TERM_COLOR=never

say() { printf '%s\n' "$*"; }
need() { command -v "$1" >/dev/null || { say "demo-gateway: needs $1 ($2)" >&2; exit 2; }; }
need cargo "a Rust toolchain: rustup"
need cc "a C compiler: apt-get install -y gcc"
need make "apt-get install -y make"
need curl "apt-get install -y curl"
need python3 "apt-get install -y python3 python3-venv"
if [ ! -f /usr/include/json-c/json.h ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "• installing json-c headers (apt-get install -y libjson-c-dev)"
    { apt-get update -qq && apt-get install -y -qq libjson-c-dev; } >/dev/null
  else
    say "demo-gateway: needs json-c headers: sudo apt-get install -y libjson-c-dev" >&2
    exit 2
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-demo.XXXXXX")
GW_PID=
cleanup() {
  if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

say "• building libfapi (cargo build -p fapi-ffi; the first build takes a few minutes)"
cargo build -q -p fapi-ffi
LIB_DIR=$(cd "${FAPI_LIB_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/debug}" && pwd)
say "• building the C gateway (examples/c-gateway, -std=c11 -Wall -Wextra -Wpedantic -Werror)"
make -s -C examples/c-gateway FAPI_LIB_DIR="$LIB_DIR" BUILD_DIR="$WORK/bin"

VENV=$ROOT/tests/e2e/.venv
say "• Python venv for the token and proof minter (tests/e2e/.venv, Python cryptography)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r tests/e2e/requirements.txt
mint() { "$VENV/bin/python" "$ROOT/tests/e2e/mint.py" "$@"; }

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# examples/c-gateway/gateway.json, with its first public base on the port we got.
sed -e "s|http://127.0.0.1:8080|$BASE|" -e "s|\"../data/jwks.json\"|\"$ROOT/examples/data/jwks.json\"|" \
  examples/c-gateway/gateway.json >"$WORK/gateway.json"
"$WORK/bin/fapi-gateway" --config "$WORK/gateway.json" --port "$PORT" >/dev/null 2>"$WORK/gateway.log" &
GW_PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$WORK/gateway.log" && break
  kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gateway.log" >&2; exit 1; }
  sleep 0.05
done

NOW=$(date +%s)
mint keygen --alg ES256 --out "$WORK/client-key.pem"
TOKEN=$(mint token --holder "$WORK/client-key.pem" --now "$NOW" --sub alice --scope accounts)
PROOF=$(mint proof --key "$WORK/client-key.pem" --htm GET --htu "$BASE/accounts" --token "$TOKEN" --now "$NOW")
TAMPERED=$(mint token --holder "$WORK/client-key.pem" --now "$NOW" --sub alice --scope accounts --tamper)
TPROOF=$(mint proof --key "$WORK/client-key.pem" --htm GET --htu "$BASE/accounts" --token "$TAMPERED" --now "$NOW")

short() { printf '%s…(%d bytes)' "${1:0:24}" "${#1}"; }
header() { { grep -i "^$1:" "$WORK/headers" || true; } | head -1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }
request() { # title token proof
  local n=$1 title=$2 token=$3 proof=$4
  say ""
  say "$n. $title"
  say "   GET $BASE/accounts"
  say "       Authorization: DPoP $(short "$token")"
  say "       DPoP: $(short "$proof")"
  local status
  status=$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' \
    -H "Authorization: DPoP $token" -H "DPoP: $proof" "$BASE/accounts")
  say "   → $status $(head -1 "$WORK/headers" | cut -d' ' -f3- | tr -d '\r')"
  local www nonce
  www=$(header WWW-Authenticate)
  nonce=$(header DPoP-Nonce)
  say "     WWW-Authenticate: ${www:-(none)}"
  say "     DPoP-Nonce:       ${nonce:-(none)}"
  say "     body:             $(cat "$WORK/body")"
}

say ""
say "fapi C gateway on $BASE — config examples/c-gateway/gateway.json, keys examples/data/jwks.json"
say "The demo issuer (key demo-es256) minted an access token for alice bound to a fresh P-256"
say "client key (cnf.jkt); the client signs one DPoP proof for GET $BASE/accounts."
request 1 "a valid DPoP-bound request" "$TOKEN" "$PROOF"
request 2 "the same proof again (a replay)" "$TOKEN" "$PROOF"
request 3 "a tampered token (sub changed to mallory, the issuer's signature kept)" "$TAMPERED" "$TPROOF"

kill "$GW_PID" 2>/dev/null || true
wait "$GW_PID" 2>/dev/null || true
GW_PID=
say ""
say "gateway log (one line per request: method path verdict code status time — never a token):"
sed 's/^/   /' "$WORK/gateway.log"
say ""
say "Why is a request refused? examples/c-gateway/fapi-check answers offline with the same config;"
say "tests/e2e/run.sh runs the whole end-to-end suite."
