#!/usr/bin/env bash
# End to end: the C gateway (examples/c-gateway/fapi-gateway) and the operator CLI
# (fapi-check), linked against libfapi, driven by curl with access tokens, DPoP proofs, client
# certificates and nonces made by an independent implementation (tests/e2e/mint.py, Python
# `cryptography`). Every expected status, code and challenge is checked exactly.
#
#   tests/e2e/run.sh
#
# E2E_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" builds the C
# programs with sanitizers. E2E_KEEP=1 keeps the work directory (binaries, configs, logs, batch files) for a look.
#
# Needs: cargo, a C compiler, make, json-c (Debian: libjson-c-dev), curl, python3 with venv,
# and PyPI for the first `pip install` into tests/e2e/.venv. Honours CARGO_TARGET_DIR and
# FAPI_LIB_DIR (default: $CARGO_TARGET_DIR/debug, else target/debug). Closes with
# "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
export CARGO_TERM_COLOR=never
T_START=$SECONDS

die() { echo "e2e: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# --- build ------------------------------------------------------------------------------
echo "=== e2e: build libfapi (cargo build -p fapi-ffi)"
cargo build -q -p fapi-ffi || die "cargo build -p fapi-ffi failed"
FAPI_LIB_DIR=${FAPI_LIB_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/debug}
[ -f "$FAPI_LIB_DIR/libfapi.a" ] || die "no libfapi.a in $FAPI_LIB_DIR"
FAPI_LIB_DIR=$(cd "$FAPI_LIB_DIR" && pwd) # make -C needs an absolute path

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-e2e.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  if [ -n "${E2E_KEEP:-}" ]; then echo "e2e: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "=== e2e: build fapi-gateway and fapi-check (-std=c11 -Wall -Wextra -Wpedantic -Werror)"
[ -f /usr/include/json-c/json.h ] || die "json-c headers missing: apt-get install -y libjson-c-dev"
make -s -C examples/c-gateway FAPI_LIB_DIR="$FAPI_LIB_DIR" BUILD_DIR="$WORK/bin" \
  CFLAGS="${E2E_CFLAGS:--O2 -g}" \
  || die "building the C examples failed"
GW=$WORK/bin/fapi-gateway
CHECK=$WORK/bin/fapi-check

echo "=== e2e: python venv (tests/e2e/.venv, $(tr '\n' ' ' < tests/e2e/requirements.txt))"
VENV=$ROOT/tests/e2e/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r tests/e2e/requirements.txt \
  || die "pip install -r tests/e2e/requirements.txt failed"
PY=$VENV/bin/python
mint() { "$PY" "$ROOT/tests/e2e/mint.py" "$@"; }

# --- checks -----------------------------------------------------------------------------
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "       $l"; done; }
eq() { # label expected actual
  if [ "$2" == "$3" ]; then ok "$1"; else bad "$1" "expected: $2" "actual:   $3"; fi
}
contains() { # label needle haystack
  if [[ "$3" == *"$2"* ]]; then ok "$1"; else bad "$1" "expected to contain: $2" "actual: $3"; fi
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A test config from an example config: its bases' first entry on our port, absolute paths.
make_config() { # example out port [key=json ...]
  local example=$1 out=$2 port=$3; shift 3
  "$PY" - "$example" "$out" "$port" "$WORK" "$@" <<'EOF'
import json, os, sys
example, out, port, work, *overrides = sys.argv[1:]
c = json.load(open(example))
c["bases"][0] = f"http://127.0.0.1:{port}"
c["jwks_file"] = os.path.join(os.path.dirname(os.path.abspath(example)), c["jwks_file"])
if "nonce_secret_file" in c:
    c["nonce_secret_file"] = os.path.join(work, "nonce.key")
for o in overrides:
    k, v = o.split("=", 1)
    c[k] = json.loads(v)
json.dump(c, open(out, "w"), indent=2)
EOF
}

start_gateway() { # name config port [args]; sets STARTED_PID
  local name=$1 cfg=$2 port=$3; shift 3
  "$GW" --config "$cfg" --port "$port" "$@" >/dev/null 2>"$WORK/$name.log" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for _ in $(seq 1 200); do
    grep -q "listening on" "$WORK/$name.log" 2>/dev/null && return 0
    kill -0 "$STARTED_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$WORK/$name.log" >&2
  return 1
}

# curl one request; sets STATUS, WWW (WWW-Authenticate), NONCE (DPoP-Nonce), CC
# (Cache-Control), BODY.
SENT1=0 # requests sent to gateway 1 (each must give one log line)
call() { # method url [curl args...]
  local method=$1 url=$2; shift 2
  [[ "$url" == "${B1:-none}"* ]] && SENT1=$((SENT1 + 1))
  STATUS=$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" "$@" "$url") \
    || STATUS="curl-error"
  WWW=$(header WWW-Authenticate)
  NONCE=$(header DPoP-Nonce)
  CC=$(header Cache-Control)
  BODY=$(cat "$WORK/body" 2>/dev/null)
}
header() { grep -i "^$1:" "$WORK/headers" 2>/dev/null | head -1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }

# Raw bytes to the gateway (for the HTTP parser); prints the status code or "closed".
NRAW=0 # raw requests sent to gateway 1
raw_eq() { # label expected-status bytes-with-escapes: sends raw bytes to gateway 1
  NRAW=$((NRAW + 1))
  local out
  out=$(raw "$P1" "$3")
  eq "$1" "$2" "${out%% *}"
}
raw() { # port bytes-with-escapes; prints the status code (or "closed") and the body length
  "$PY" - "$1" "$2" <<'EOF'
import socket, sys
port, data = int(sys.argv[1]), sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port), timeout=15)
try:
    s.sendall(data)
except OSError:
    pass
buf = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
except OSError:
    pass
line = buf.split(b"\r\n", 1)[0].decode("latin-1")
head, _, body = buf.partition(b"\r\n\r\n")
print(line.split(" ")[1] if line.startswith("HTTP/1.1 ") else "closed", len(body))
EOF
}

ALGS='algs="ES256 EdDSA Ed25519"'

# --- independent keys: the demo issuer as Python derives it ---------------------------------
echo "=== e2e: demo issuer keys (Python) equal examples/data/jwks.json"
if mint check-jwks examples/data/jwks.json; then ok "mint.py derives the demo issuer keys of examples/data/jwks.json"; else bad "demo keys differ"; fi

mint keygen --alg ES256 --out "$WORK/holder-es.pem"
mint keygen --alg EdDSA --out "$WORK/holder-ed.pem"
mint cert --out "$WORK/client.pem"
mint cert --out "$WORK/other.pem" --cn someone-else
head -c 32 /dev/urandom >"$WORK/nonce.key"

# --- gateway 1: examples/c-gateway/gateway.json ------------------------------------------
P1=$(free_port)
B1=http://127.0.0.1:$P1
make_config examples/c-gateway/gateway.json "$WORK/gw1.json" "$P1"
start_gateway gw1 "$WORK/gw1.json" "$P1" || die "gateway 1 did not start"
GW1=$STARTED_PID
echo "=== e2e: gateway 1 on $B1 (gateway.json: DPoP and mTLS optional)"

NOW=$(date +%s)
TOK=$(mint token --holder "$WORK/holder-es.pem" --now "$NOW")
PROOF=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
echo "$TOK $PROOF" >>"$WORK/secrets"

call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $PROOF"
eq "gateway: valid DPoP-bound request (ES256 token, ES256 proof) -> 200" 200 "$STATUS"
eq "gateway: 200 body holds the subject and the binding" '{"sub":"alice","binding":"dpop","client_id":"demo-client"}' "$BODY"

call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $PROOF"
eq "gateway: the same proof again -> 401" 401 "$STATUS"
eq "gateway: replay challenge" "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", $ALGS, Bearer" "$WWW"

TAMPERED=$(mint token --holder "$WORK/holder-es.pem" --now "$NOW" --tamper)
TPROOF=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TAMPERED" --now "$NOW")
echo "$TAMPERED $TPROOF" >>"$WORK/secrets"
call GET "$B1/accounts" -H "Authorization: DPoP $TAMPERED" -H "DPoP: $TPROOF"
eq "gateway: tampered token (sub changed, signature kept) -> 401" 401 "$STATUS"
eq "gateway: tampered token challenge" "DPoP error=\"invalid_token\", error_description=\"jws_bad_signature\", $ALGS, Bearer" "$WWW"

call GET "$B1/accounts" -H "Authorization: Bearer $TOK"
eq "gateway: DPoP-bound token sent as Bearer (downgrade) -> 401" 401 "$STATUS"
eq "gateway: downgrade challenge" "Bearer error=\"invalid_token\", error_description=\"dpop_bearer_downgrade\", DPoP $ALGS" "$WWW"

call GET "$B1/accounts"
eq "gateway: no credentials -> 401" 401 "$STATUS"
eq "gateway: no credentials -> bare challenges" "Bearer, DPoP $ALGS" "$WWW"
eq "gateway: no credentials -> no DPoP-Nonce" "" "$NONCE"

P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/payments" --token "$TOK" --now "$NOW")
call GET "$B1/payments" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "gateway: token without the route's scope (payments) -> 403" 403 "$STATUS"
eq "gateway: insufficient_scope challenge names the scope" "DPoP error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", $ALGS, scope=\"payments\", Bearer" "$WWW"

# The route is matched on the normalised path: /%70ayments is /payments (and fapi's htu
# normalisation agrees), so percent-encoding cannot dodge a route's scopes.
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/payments" --token "$TOK" --now "$NOW")
call GET "$B1/%70ayments" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "gateway: /%70ayments is routed as /payments -> 403 insufficient_scope" 403 "$STATUS"
call GET "$B1/payments;v=1" -H "Authorization: DPoP $TOK"
eq "gateway: /payments;v=1 matches no route (no catch-all) -> 404 before fapi" 404 "$STATUS"
call GET "$B1/accounts/../payments" --path-as-is -H "Authorization: DPoP $TOK"
eq "gateway: dot segments in the path -> 400 before fapi" 400 "$STATUS"

EDTOK=$(mint token --alg EdDSA --holder "$WORK/holder-ed.pem" --now "$NOW" --sub bob)
P=$(mint proof --key "$WORK/holder-ed.pem" --htm POST --htu "$B1/accounts" --token "$EDTOK" --now "$NOW")
echo "$EDTOK $P" >>"$WORK/secrets"
call POST "$B1/accounts?limit=5" -H "Authorization: DPoP $EDTOK" -H "DPoP: $P" --data '{"amount":1}'
eq "gateway: EdDSA token + EdDSA proof, POST with a body and a query -> 200" 200 "$STATUS"
eq "gateway: EdDSA allow body" '{"sub":"bob","binding":"dpop","client_id":"demo-client"}' "$BODY"

P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "gateway: two Authorization field lines (passed as two values) -> 400" 400 "$STATUS"
contains "gateway: two Authorization fields -> request_multiple_authorization" 'error_description="request_multiple_authorization"' "$WWW"

P2=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $P" -H "DPoP: $P2"
eq "gateway: two DPoP field lines -> 401" 401 "$STATUS"
contains "gateway: two DPoP fields -> dpop_multiple_proofs" 'error_description="dpop_multiple_proofs"' "$WWW"

call GET "$B1/accounts?access_token=$TOK"
eq "gateway: access_token in the query -> 400" 400 "$STATUS"
contains "gateway: token in query -> request_token_in_query" 'error_description="request_token_in_query"' "$WWW"

P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "http://rs.example.com/accounts" --token "$TOK" --now "$NOW")
call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $P" -H "Host: rs.example.com"
eq "gateway: htu on another origin, Host header agreeing with it -> 401 (URL never rebuilt from Host)" 401 "$STATUS"
contains "gateway: -> dpop_htu_mismatch" 'error_description="dpop_htu_mismatch"' "$WWW"

P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
call GET "$B1/" --request-target "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "gateway: absolute-form request target on the configured base -> 200" 200 "$STATUS"
call GET "$B1/" --request-target "http://other.example/accounts" -H "Authorization: DPoP $TOK"
eq "gateway: absolute-form target on another origin -> 400 request_invalid_target" "400 request_invalid_target" "$STATUS $(sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW")"
NRAW=$((NRAW + 1))
eq "gateway: HEAD without credentials -> 401 and no body" "401 0" "$(raw "$P1" 'HEAD /accounts HTTP/1.1\r\nHost: a\r\n\r\n')"

MTOK=$(mint token --cert "$WORK/client.pem" --now "$NOW" --sub carol)
CERTHDR=$(mint cert-header --cert "$WORK/client.pem")
echo "$MTOK" >>"$WORK/secrets"
call GET "$B1/accounts" -H "Authorization: Bearer $MTOK" -H "X-Client-Cert: $CERTHDR"
eq "gateway: X-Client-Cert is ignored unless trusted_proxy_cert_header -> 401" 401 "$STATUS"
contains "gateway: untrusted X-Client-Cert -> mtls_cert_missing" 'error_description="mtls_cert_missing"' "$WWW"

# The HTTP/1.1 parser, before fapi is asked.
raw_eq "http: missing Host in HTTP/1.1 -> 400" 400 'GET /accounts HTTP/1.1\r\n\r\n'
raw_eq "http: two Host fields -> 400" 400 'GET /accounts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'
raw_eq "http: obs-fold continuation line -> 400" 400 'GET /accounts HTTP/1.1\r\nHost: a\r\nAuthorization: DPoP\r\n x\r\n\r\n'
raw_eq "http: bare LF line ending -> 400" 400 'GET /accounts HTTP/1.1\nHost: a\r\n\r\n'
raw_eq "http: NUL in a field value -> 400" 400 'GET /accounts HTTP/1.1\r\nHost: a\r\nDPoP: a\x00b\r\n\r\n'
raw_eq "http: space before the colon -> 400" 400 'GET /accounts HTTP/1.1\r\nHost : a\r\n\r\n'
raw_eq "http: HTTP/2.0 request line -> 505" 505 'GET /accounts HTTP/2.0\r\nHost: a\r\n\r\n'
raw_eq "http: Transfer-Encoding (not implemented) -> 501" 501 'POST /accounts HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
raw_eq "http: Content-Length and Transfer-Encoding -> 400" 400 'POST /accounts HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
raw_eq "http: conflicting Content-Length fields -> 400" 400 'POST /accounts HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'
raw_eq "http: body over 1 MiB -> 413" 413 'POST /accounts HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n'
BIG=$(printf 'X-Pad: %07000d\\r\\n' 0 1 2)
raw_eq "http: header section over 16 KiB -> 431" 431 "GET /accounts HTTP/1.1\\r\\nHost: a\\r\\n${BIG}\\r\\n"
LONG=$(printf '%09000d' 0)
raw_eq "http: request line over 8 KiB -> 414" 414 "GET /$LONG HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
raw_eq "http: HTTP/1.0 without Host is served (fapi answers: no credentials) -> 401" 401 'GET /accounts HTTP/1.0\r\n\r\n'
call GET "$B1/accounts" -H "Authorization: DPoP $TOK" -H "DPoP: $PROOF"
eq "gateway: still serving after the malformed requests (replay remembered) -> 401" 401 "$STATUS"

# Logs: one line per request, never a token, a proof or a query string.
NLOG=$(grep -cE '^fapi-gateway: [^ ]+ [^ ]+ (allow|deny|reject|error) [a-z0-9_]+ [0-9]+ [0-9]+us$' "$WORK/gw1.log")
eq "gateway: one log line per request" "$((SENT1 + NRAW))" "$NLOG"
contains "gateway: log line format (method path verdict name status)" "fapi-gateway: GET /accounts deny dpop_replayed 401 " "$(cat "$WORK/gw1.log")"
LEAK=no
# shellcheck disable=SC2013 # one token or proof per word
for s in $(cat "$WORK/secrets"); do
  IFS=. read -r _ payload sig <<<"$s" # the header segment is common to many tokens
  for part in "$payload" "$sig"; do grep -qF -- "$part" "$WORK/gw1.log" && LEAK=yes; done
done
grep -q 'access_token' "$WORK/gw1.log" && LEAK=yes
eq "gateway: no token, proof or query string in the log" no "$LEAK"

# --- gateway 2: examples/c-gateway/gateway-fapi2.json -------------------------------------
P2PORT=$(free_port)
B2=http://127.0.0.1:$P2PORT
make_config examples/c-gateway/gateway-fapi2.json "$WORK/gw2.json" "$P2PORT"
start_gateway gw2 "$WORK/gw2.json" "$P2PORT" || die "gateway 2 did not start"
GW2=$STARTED_PID
echo "=== e2e: gateway 2 on $B2 (gateway-fapi2.json: FAPI 2.0, DPoP + nonces required, X-Client-Cert trusted)"

NOW=$(date +%s)
TOK2=$(mint token --holder "$WORK/holder-es.pem" --now "$NOW")
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B2/accounts" --token "$TOK2" --now "$NOW")
T_BEFORE=$(date +%s)
call GET "$B2/accounts" -H "Authorization: DPoP $TOK2" -H "DPoP: $P"
T_AFTER=$(date +%s)
eq "nonce: proof without a nonce -> 401" 401 "$STATUS"
eq "nonce: use_dpop_nonce challenge (DPoP only: Bearer is not offered)" "DPoP error=\"use_dpop_nonce\", error_description=\"dpop_nonce_missing\", algs=\"ES256 EdDSA\"" "$WWW"
eq "nonce: the 401 carries Cache-Control: no-store" "no-store" "$CC"
EXPECT_A=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_BEFORE")
EXPECT_B=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_AFTER")
if [ -n "$NONCE" ] && { [ "$NONCE" == "$EXPECT_A" ] || [ "$NONCE" == "$EXPECT_B" ]; }; then
  ok "nonce: DPoP-Nonce equals HMAC-SHA256(secret, tag || slot) computed in Python"
else
  bad "nonce: DPoP-Nonce" "expected: $EXPECT_A (or $EXPECT_B)" "actual:   $NONCE"
fi
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B2/accounts" --token "$TOK2" --now "$(date +%s)" --nonce "$NONCE")
call GET "$B2/accounts" -H "Authorization: DPoP $TOK2" -H "DPoP: $P"
eq "nonce: retry with the server's nonce -> 200" 200 "$STATUS"
eq "nonce: the 200 carries a DPoP-Nonce and Cache-Control: no-store" "43 no-store" "${#NONCE} $CC"
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B2/accounts" --token "$TOK2" --now "$NOW" --nonce "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
call GET "$B2/accounts" -H "Authorization: DPoP $TOK2" -H "DPoP: $P"
eq "nonce: a nonce the server never issued -> 401 dpop_nonce_invalid + a fresh nonce" "401 dpop_nonce_invalid 43" "$STATUS $(sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW") ${#NONCE}"

NONCE_NOW=$(mint nonce --secret-file "$WORK/nonce.key" --now "$(date +%s)")
BOTH=$(mint token --holder "$WORK/holder-es.pem" --cert "$WORK/client.pem" --now "$NOW" --sub dave)
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B2/accounts" --token "$BOTH" --now "$NOW" --nonce "$NONCE_NOW")
call GET "$B2/accounts" -H "Authorization: DPoP $BOTH" -H "DPoP: $P" -H "X-Client-Cert: $CERTHDR"
eq "mtls: DPoP + certificate-bound token, cert from the trusted proxy header -> 200" 200 "$STATUS"
eq "mtls: both bindings proven" '{"sub":"dave","binding":"dpop+mtls","client_id":"demo-client"}' "$BODY"
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B2/accounts" --token "$BOTH" --now "$NOW" --nonce "$NONCE_NOW")
OTHERHDR=$(mint cert-header --cert "$WORK/other.pem")
call GET "$B2/accounts" -H "Authorization: DPoP $BOTH" -H "DPoP: $P" -H "X-Client-Cert: $OTHERHDR"
eq "mtls: another certificate -> 401 mtls_cert_mismatch" "401 mtls_cert_mismatch" "$STATUS $(sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW")"
call GET "$B2/accounts" -H "Authorization: DPoP $BOTH" -H "DPoP: $P" -H "X-Client-Cert: :bm90IGEgY2VydA==:"
eq "mtls: a header value that is no certificate -> 400 mtls_cert_malformed" "400 mtls_cert_malformed" "$STATUS $(sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW")"
call GET "$B2/accounts" -H "Authorization: Bearer $MTOK" -H "X-Client-Cert: $CERTHDR"
eq "fapi2: a certificate-bound token without DPoP while DPoP is required -> 401 dpop_binding_required" "401 dpop_binding_required" "$STATUS $(sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW")"

# --- fapi-check --------------------------------------------------------------------------
echo "=== e2e: fapi-check --batch (one verifier: replay state carries over)"
NOW=$(date +%s)
mint batch --out "$WORK/batch.jsonl" --base "$B1" --now "$NOW" --workdir "$WORK"
"$CHECK" --config "$WORK/gw1.json" --batch "$WORK/batch.jsonl" >"$WORK/batch.out" 2>"$WORK/batch.err"
eq "fapi-check --batch exits 0" 0 "$?"
# id verdict code name status oauth_error sub/binding
EXPECT=(
  "dpop-valid allow 0 ok 200 - alice dpop"
  "dpop-replayed deny 518 dpop_replayed 401 invalid_dpop_proof - -"
  "tampered-token deny 220 jws_bad_signature 401 invalid_token - -"
  "bearer-downgrade deny 532 dpop_bearer_downgrade 401 invalid_token - -"
  "no-credentials deny 700 request_no_credentials 401 - - -"
  "insufficient-scope deny 705 request_insufficient_scope 403 insufficient_scope - -"
  "eddsa-valid allow 0 ok 200 - bob dpop"
  "htm-mismatch deny 505 dpop_htm_mismatch 401 invalid_dpop_proof - -"
  "two-proofs deny 501 dpop_multiple_proofs 401 invalid_dpop_proof - -"
  "two-authorization deny 701 request_multiple_authorization 400 invalid_request - -"
  "proof-too-old deny 510 dpop_iat_too_old 401 invalid_dpop_proof - -"
  "token-expired deny 406 claims_expired 401 invalid_token - -"
  "mtls-valid allow 0 ok 200 - carol mtls"
  "mtls-other-cert deny 601 mtls_cert_mismatch 401 invalid_token - -"
  "mtls-no-cert deny 600 mtls_cert_missing 401 invalid_token - -"
)
summarise() { # file -> one line per verdict: id verdict code name status oauth_error sub binding
  "$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o.get("id"), o["verdict"], o["code"], o["name"], o["status"], o["oauth_error"] or "-",
          o.get("sub", "-"), o.get("binding", "-"))' "$1"
}
mapfile -t GOT < <(summarise "$WORK/batch.out")
eq "fapi-check --batch: one verdict per line" "${#EXPECT[@]}" "${#GOT[@]}"
for i in "${!EXPECT[@]}"; do
  eq "fapi-check --batch: ${EXPECT[$i]%% *}" "${EXPECT[$i]}" "${GOT[$i]:-<missing>}"
done
eq "fapi-check --batch: the replay's challenge" "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", $ALGS, Bearer" \
  "$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])["www_authenticate"])' "$WORK/batch.out")"

echo "=== e2e: fapi-check --batch against the FAPI 2.0 config (nonces computed in Python)"
mint nonce-batch --out "$WORK/nonce.jsonl" --base "$B2" --now "$NOW" --secret-file "$WORK/nonce.key"
"$CHECK" --config "$WORK/gw2.json" --batch "$WORK/nonce.jsonl" >"$WORK/nonce.out" 2>"$WORK/nonce.err"
eq "fapi-check --batch (nonces) exits 0" 0 "$?"
EXPECT=(
  "nonce-missing deny 516 dpop_nonce_missing 401 use_dpop_nonce - -"
  "nonce-wrong deny 517 dpop_nonce_invalid 401 use_dpop_nonce - -"
  "nonce-stale deny 517 dpop_nonce_invalid 401 use_dpop_nonce - -"
  "nonce-valid allow 0 ok 200 - alice dpop"
  "nonce-replayed deny 518 dpop_replayed 401 invalid_dpop_proof - -"
)
mapfile -t GOT < <(summarise "$WORK/nonce.out")
for i in "${!EXPECT[@]}"; do
  eq "fapi-check --batch: ${EXPECT[$i]%% *}" "${EXPECT[$i]}" "${GOT[$i]:-<missing>}"
done
eq "fapi-check --batch: use_dpop_nonce verdict carries the nonce fapi would send" \
  "$(mint nonce --secret-file "$WORK/nonce.key" --now "$NOW")" \
  "$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline()).get("dpop_nonce"))' "$WORK/nonce.out")"

echo "=== e2e: fapi-check with single-request flags"
NOW=$(date +%s)
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
OUT=$("$CHECK" --config "$WORK/gw1.json" --method GET --url "$B1/accounts" --authorization "DPoP $TOK" --dpop "$P" --now "$NOW")
eq "fapi-check: valid request -> exit 0" 0 "$?"
eq "fapi-check: valid request -> allow" '{"verdict":"allow","code":0,"name":"ok","oauth_error":"","status":200,"www_authenticate":"","sub":"alice","binding":"dpop"}' "$OUT"

OUT=$("$CHECK" --config "$WORK/gw1.json" --url "$B1/accounts" --authorization "Bearer $TOK" --now "$NOW")
eq "fapi-check: refused request -> exit 1" 1 "$?"
eq "fapi-check: downgrade verdict, exactly" "{\"verdict\":\"deny\",\"code\":532,\"name\":\"dpop_bearer_downgrade\",\"oauth_error\":\"invalid_token\",\"status\":401,\"www_authenticate\":\"Bearer error=\\\"invalid_token\\\", error_description=\\\"dpop_bearer_downgrade\\\", DPoP algs=\\\"ES256 EdDSA Ed25519\\\"\"}" "$OUT"

OUT=$("$CHECK" --config "$WORK/gw1.json" --url "$B1/accounts" --authorization "Bearer $MTOK" --cert "$WORK/client.pem" --now "$NOW")
eq "fapi-check: --cert PEM with a certificate-bound token -> allow mtls" "0 allow mtls" "$? $("$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(o["verdict"], o["binding"])' "$OUT")"

OUT=$("$CHECK" --config "$WORK/gw1.json" --url "$B1/accounts" --authorization "DPoP $TOK" --authorization "DPoP $TOK" --dpop "$P" --now "$NOW")
eq "fapi-check: repeated --authorization -> 701 request_multiple_authorization 400" "1 701 request_multiple_authorization 400" \
  "$? $("$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(o["code"], o["name"], o["status"])' "$OUT")"

OUT=$("$CHECK" --config "$WORK/gw1.json" --url "$B1/accounts" --now "$((NOW + 0))" --dpop "$P" --authorization "DPoP $TOK" --method POST)
eq "fapi-check: --method POST against a GET proof -> dpop_htm_mismatch" "1 505" "$? $("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["code"])' "$OUT")"

# A base with a path prefix (https://api.example.com:8443/v1 in gateway.json): the target
# fapi gets is the path after the prefix, and htu is the full public URL.
PUB=https://api.example.com:8443/v1/accounts
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$PUB" --token "$TOK" --now "$NOW")
OUT=$("$CHECK" --config "$WORK/gw1.json" --url "$PUB?x=1" --authorization "DPoP $TOK" --dpop "$P" --now "$NOW")
eq "fapi-check: URL on a prefixed base -> allow" 0 "$?"

ERR=$("$CHECK" --config "$WORK/gw1.json" --url "https://evil.example.com/accounts" --authorization "DPoP $TOK" 2>&1 >/dev/null)
eq "fapi-check: a URL on no configured base -> exit 2" 2 "$?"
contains "fapi-check: ... with a clear error" "matches no configured base" "$ERR"

make_config examples/c-gateway/gateway.json "$WORK/external.json" "$P1" replay_slots=0
P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
OUT=$("$CHECK" --config "$WORK/external.json" --url "$B1/accounts" --authorization "DPoP $TOK" --dpop "$P" --now "$NOW")
eq "fapi-check: replay_slots 0 (external store) -> needs_replay_check with a 43-byte key" "1 needs_replay_check 43" \
  "$? $("$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); print(o["verdict"], len(o["replay_key"]))' "$OUT")"
"$GW" --config "$WORK/external.json" --port 0 --once 2>/dev/null
eq "gateway: refuses replay_slots 0 at start-up (it has no external store) -> exit 2" 2 "$?"

make_config examples/c-gateway/gateway.json "$WORK/typo.json" "$P1" dpop_mode='"off"'
ERR=$("$CHECK" --config "$WORK/typo.json" --url "$B1/accounts" 2>&1)
eq "config: an unknown key is an error, never a silent default" "2 fapi-check: config: unknown key \"dpop_mode\"" "$? $ERR"
make_config examples/c-gateway/gateway.json "$WORK/leeway.json" "$P1" leeway=600
ERR=$("$CHECK" --config "$WORK/leeway.json" --url "$B1/accounts" 2>&1)
contains "config: leeway 600 is refused by fapi_verifier_init" "fapi_verifier_init refused the configuration" "$ERR"
# ES256 tables: on by default (gateway preset); "off" and explicit widths are accepted, a
# contradictory combination is refused with fapi's code.
make_config examples/c-gateway/gateway.json "$WORK/tables-bad.json" "$P1" es256_tables='{"base": 8, "hot": 6}'
ERR=$("$CHECK" --config "$WORK/tables-bad.json" --url "$B1/accounts" 2>&1)
contains "config: es256_tables with a hot-key width but no hot keys -> misuse_table_config" "misuse_table_config (920)" "$ERR"
for t in '"off"' '"gateway"' '{"base": 4, "issuer": 4}'; do
  make_config examples/c-gateway/gateway.json "$WORK/tables.json" "$P1" es256_tables="$t"
  P=$(mint proof --key "$WORK/holder-es.pem" --htm GET --htu "$B1/accounts" --token "$TOK" --now "$NOW")
  OUT=$("$CHECK" --config "$WORK/tables.json" --url "$B1/accounts" --authorization "DPoP $TOK" --dpop "$P" --now "$NOW")
  eq "fapi-check: es256_tables $t: a valid ES256 request -> allow" "0 allow" \
    "$? $("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["verdict"])' "$OUT")"
done

P3=$(free_port)
"$GW" --config "$WORK/gw1.json" --port "$P3" --once >/dev/null 2>"$WORK/once.log" &
ONCE=$!
PIDS+=("$ONCE")
for _ in $(seq 1 200); do grep -q "listening on" "$WORK/once.log" && break; sleep 0.05; done
curl -s -o /dev/null "http://127.0.0.1:$P3/accounts"
for _ in $(seq 1 100); do kill -0 "$ONCE" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$ONCE" 2>/dev/null; then bad "gateway --once: still running after one request"; else
  wait "$ONCE"
  eq "gateway --once: exits 0 by itself after one request" 0 "$?"
fi

# --- stop --------------------------------------------------------------------------------
kill "$GW1" "$GW2" 2>/dev/null
wait "$GW1" 2>/dev/null
wait "$GW2" 2>/dev/null
contains "gateway: stops cleanly on SIGTERM and reports the replay table" "replay table: 2 replay(s) refused" "$(cat "$WORK/gw1.log")"
HOT=$(sed -n 's/.*ES256 tables: \([0-9]*\) hot-key table(s) built.*/\1/p' "$WORK/gw1.log" | tail -1)
if [ -n "$HOT" ] && [ "$HOT" -ge 1 ]; then
  ok "gateway: ES256 tables on by default: $HOT hot DPoP-key table(s) built after allowed requests"
else
  bad "gateway: ES256 tables: no hot-key table reported" "got: ${HOT:-no line}"
fi
PIDS=()

echo "e2e: $((SECONDS - T_START)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
