#!/usr/bin/env bash
# End to end: Debian's nginx with ngx_http_fapi_module (examples/nginx), TLS on loopback, four
# workers sharing one verifier in a shared memory zone, driven by curl with tokens, DPoP proofs,
# certificates and nonces made by an independent implementation (tests/e2e/mint.py, Python
# `cryptography`). Every expected status and refusal code is checked exactly.
#
#   tests/nginx/run.sh            (KEEP=1 keeps the work folder)
#
# Needs: nginx + nginx-dev, libssl-dev, libhiredis-dev, openssl, curl, python3-venv, cargo.
# Closes with "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
TEST_NAME=nginx-e2e
T_START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-nginx.XXXXXX")
# shellcheck source=tests/nginx/lib.sh
. "$ROOT/tests/nginx/lib.sh"
trap cleanup_all EXIT

command -v nginx >/dev/null || die "nginx missing: apt-get install -y nginx nginx-dev"
echo "=== $TEST_NAME: build the module (examples/nginx/build.sh)"
MODULE=$(examples/nginx/build.sh "${CARGO_TARGET_DIR:-$ROOT/target}/nginx" | tail -1) || die "module build failed"
[ -f "$MODULE" ] || die "no module at $MODULE"
setup_python

# --- material ---------------------------------------------------------------------------
mint check-jwks examples/data/jwks.json || die "demo keys differ"
mint keygen --alg ES256 --out "$WORK/holder.pem"
mint keygen --alg EdDSA --out "$WORK/holder-ed.pem"
make_cert "$WORK/server" 127.0.0.1
make_cert "$WORK/client" demo-client
make_cert "$WORK/other" someone-else
head -c 32 /dev/urandom >"$WORK/nonce.key"
cp examples/data/jwks.json "$WORK/jwks.json"
gen jwks --out "$WORK/rot.jwks" 210
mkdir -p "$WORK/www/accounts" "$WORK/www/payments" "$WORK/www/docs" "$WORK/www/public"
echo "accounts data" >"$WORK/www/accounts/index.html"
cp "$WORK/www/accounts/index.html" "$WORK/www/accounts/list"
echo "payments data" >"$WORK/www/payments/list"
echo "docs index" >"$WORK/www/docs/index.html"
echo "public data" >"$WORK/www/public/list"
echo "rotation data" >"$WORK/www/rot"
chmod -R a+rX "$WORK"
chmod 600 "$WORK/nonce.key"

P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
PB=$(free_port)
B1=https://127.0.0.1:$P1
B2=https://127.0.0.1:$P2
B3=https://127.0.0.1:$P3

cat >"$WORK/nginx.conf" <<EOF
load_module $MODULE;
worker_processes 4;
$(nginx_prelude n)
events { worker_connections 256; }
http {
$(nginx_http_prelude n)
    ssl_certificate $WORK/server.pem;
    ssl_certificate_key $WORK/server.key;
    root $WORK/www;
    add_header X-Worker \$pid always;
    keepalive_timeout 30s;

    # Zone "api": DPoP and certificate binding optional (tokens are checked for what they bind).
    # ES256 tables on (the gateway preset) for both zones of this server ("api" and "rot").
    server {
        listen 127.0.0.1:$P1 ssl reuseport;
        ssl_verify_client optional_no_ca;
        fapi_zone api;
        fapi_issuer https://as.example.com;
        fapi_audience https://rs.example.com;
        fapi_jwks_file $WORK/jwks.json;
        fapi_public_base $B1;
        fapi_token_algs ES256 EdDSA;
        fapi_proof_algs ES256 EdDSA Ed25519;
        fapi_replay_slots 4096;
        fapi_token_cache 256;
        fapi_es256_tables gateway;

        location /accounts/ { fapi_required_scopes accounts; }
        location /payments/ { fapi_required_scopes payments; }
        location /docs/ { fapi_required_scopes accounts; index index.html; }
        location /public/ { fapi_zone off; }
        location /upstream/ {
            fapi_required_scopes accounts;
            proxy_pass http://127.0.0.1:$PB/;
            proxy_set_header X-Fapi-Sub \$fapi_claim_sub;
            proxy_set_header X-Fapi-Client \$fapi_claim_client_id;
            proxy_set_header X-Fapi-Aud \$fapi_claim_aud;
            proxy_set_header X-Fapi-Binding \$fapi_binding;
        }
        # JWKS rotation: its own zone and key set, re-read every second; Bearer tokens allowed.
        location = /rot {
            fapi_zone rot;
            fapi_jwks_file $WORK/rot.jwks;
            fapi_jwks_refresh 1s;
        }
    }

    # Zone "strict": the FAPI 2.0 profile, DPoP required with server nonces; certificates from
    # the Client-Cert header of a trusted proxy (127.0.0.1 here); OpenSSL does the signatures.
    server {
        listen 127.0.0.1:$P2 ssl reuseport;
        fapi_zone strict;
        fapi_issuer https://as.example.com;
        fapi_audience https://rs.example.com;
        fapi_jwks_file $WORK/jwks.json;
        fapi_public_base $B2;
        fapi_token_algs ES256 EdDSA;
        fapi_proof_algs ES256 EdDSA;
        fapi_fapi2_profile on;
        fapi_dpop required;
        fapi_dpop_nonce on;
        fapi_nonce_secret_file $WORK/nonce.key;
        fapi_proof_max_age 120s;
        fapi_crypto openssl;          # signature equations by OpenSSL (examples/openssl-provider)
        fapi_client_cert_header Client-Cert rfc9440;
        fapi_trusted_proxy 127.0.0.1;
        location /accounts/ { fapi_required_scopes accounts; }
        # A proxy that forwards nginx's \$ssl_client_escaped_cert instead.
        location /escaped/ {
            fapi_required_scopes accounts;
            fapi_client_cert_header X-SSL-Client-Cert escaped_pem;
            alias $WORK/www/accounts/;
        }
    }

    # The same header, but the proxy it trusts is elsewhere: the header must be ignored. HTTP/2.
    server {
        listen 127.0.0.1:$P3 ssl http2;
        fapi_zone elsewhere;
        fapi_issuer https://as.example.com;
        fapi_audience https://rs.example.com;
        fapi_jwks_file $WORK/jwks.json;
        fapi_public_base $B3;
        fapi_token_algs ES256;
        fapi_es256_tables 4 4 0 0 0;  # small tables, no hot-key cache (explicit widths)
        fapi_client_cert_header Client-Cert;
        fapi_trusted_proxy 192.0.2.10;
        location /accounts/ { fapi_required_scopes accounts; }
    }

    # The upstream: echoes what the gateway passed.
    server {
        listen 127.0.0.1:$PB;
        location / { return 200 "sub=\$http_x_fapi_sub client=\$http_x_fapi_client aud=\$http_x_fapi_aud binding=\$http_x_fapi_binding\n"; }
    }
}
EOF
echo "=== $TEST_NAME: nginx on $B1 (zones api, rot), $B2 (strict), $B3 (elsewhere); 4 workers"
start_nginx n "$WORK/nginx.conf" || die "nginx did not start"
sleep 0.3
NWORKERS=$(pgrep -P "$(cat "$WORK/n/nginx.pid")" | wc -l)
eq "nginx: master + 4 workers running" 4 "$NWORKERS"
contains "nginx: the master loaded the key sets at start-up" 'zone "api": 2 key(s) loaded, 1 skipped' "$(cat "$WORK/n/error.log")"

ALGS='algs="ES256 EdDSA Ed25519"'
NOW=$(date +%s)
TOK=$(mint token --holder "$WORK/holder.pem" --now "$NOW")
proof() { mint proof --key "$WORK/holder.pem" --token "$TOK" --now "$(date +%s)" "$@"; }

# --- valid, replayed to another worker ------------------------------------------------------
P=$(proof --htm GET --htu "$B1/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "valid DPoP-bound request (ES256 token, ES256 proof) -> 200 static content" "200 accounts data" "$STATUS $BODY"
FIRST_WORKER=$WORKER
eq "the 200 carries no DPoP-Nonce (zone without a nonce secret)" "" "$NONCE"
OTHER=""
REPLAYS=""
for _ in $(seq 1 40); do # a new connection each time: reuseport spreads them over the workers
  call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
  REPLAYS="$REPLAYS $STATUS/$(desc)"
  if [ -n "$WORKER" ] && [ "$WORKER" != "$FIRST_WORKER" ]; then OTHER=$WORKER; break; fi
done
eq "replay: every replay refused 401 dpop_replayed" "" "$(tr ' ' '\n' <<<"$REPLAYS" | grep -v '^$' | grep -v '^401/dpop_replayed$' | head -3)"
if [ -n "$OTHER" ]; then
  ok "replay: refused by worker $OTHER, the proof was accepted by worker $FIRST_WORKER (one shared replay table)"
else
  bad "replay: no replay reached a worker other than $FIRST_WORKER in 40 connections"
fi
eq "replay challenge" "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", $ALGS, Bearer" "$WWW"

# --- refusals -------------------------------------------------------------------------------
TAMPERED=$(mint token --holder "$WORK/holder.pem" --now "$NOW" --tamper)
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B1/accounts/list" --token "$TAMPERED")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TAMPERED" -H "DPoP: $P"
eq "tampered token (sub changed, signature kept) -> 401 jws_bad_signature" "401 jws_bad_signature" "$STATUS $(desc)"

call GET "$B1/accounts/list" -H "Authorization: Bearer $TOK"
eq "downgrade: DPoP-bound token sent as Bearer -> 401" 401 "$STATUS"
eq "downgrade challenge" "Bearer error=\"invalid_token\", error_description=\"dpop_bearer_downgrade\", DPoP $ALGS" "$WWW"

call GET "$B1/accounts/list"
eq "no credentials -> 401 with bare challenges" "401 Bearer, DPoP $ALGS" "$STATUS $WWW"

P=$(proof --htm GET --htu "$B1/payments/list")
call GET "$B1/payments/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "a route's required scope missing -> 403 insufficient_scope naming the scope" \
  "403 DPoP error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", $ALGS, scope=\"payments\", Bearer" "$STATUS $WWW"

P=$(proof --htm POST --htu "$B1/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "proof for another method -> 401 dpop_htm_mismatch" "401 dpop_htm_mismatch" "$STATUS $(desc)"

P=$(proof --htm GET --htu "https://evil.example/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P" -H "Host: evil.example"
eq "htu on another origin with a Host header agreeing -> 401 dpop_htu_mismatch (URL never from Host)" "401 dpop_htu_mismatch" "$STATUS $(desc)"

P=$(proof --htm GET --htu "$B1/accounts/list")
P2=$(proof --htm GET --htu "$B1/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P" -H "DPoP: $P2"
eq "two DPoP header fields -> 401 dpop_multiple_proofs" "401 dpop_multiple_proofs" "$STATUS $(desc)"

call GET "$B1/accounts/list?access_token=$TOK"
eq "access_token in the query -> 400 request_token_in_query" "400 request_token_in_query" "$STATUS $(desc)"

call GET "$B1/public/list"
eq "fapi_zone off location -> 200 without credentials" "200 public data" "$STATUS $BODY"

# An internal redirect (index) reruns the access phase: the decision stands, the proof is not
# counted twice.
P=$(proof --htm GET --htu "$B1/docs/")
call GET "$B1/docs/" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "internal redirect (/docs/ -> index.html) keeps the allow -> 200" "200 docs index" "$STATUS $BODY"

EDTOK=$(mint token --alg EdDSA --holder "$WORK/holder-ed.pem" --now "$NOW" --sub bob)
P=$(mint proof --key "$WORK/holder-ed.pem" --htm GET --htu "$B1/upstream/x" --token "$EDTOK")
call GET "$B1/upstream/x?y=1" -H "Authorization: DPoP $EDTOK" -H "DPoP: $P" -H "X-Fapi-Sub: admin"
eq "claims upstream: EdDSA token, proxy_pass, spoofed X-Fapi-Sub replaced" \
  "200 sub=bob client=demo-client aud=https://rs.example.com binding=dpop" "$STATUS $BODY"

# --- certificates ---------------------------------------------------------------------------
MTOK=$(mint token --cert "$WORK/client.pem" --now "$NOW" --sub carol)
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" --cert "$WORK/client.pem" --key "$WORK/client.key"
eq "mTLS: certificate-bound token with its certificate on nginx's TLS connection -> 200" "200 accounts data" "$STATUS $BODY"
call GET "$B1/upstream/m" -H "Authorization: Bearer $MTOK" --cert "$WORK/client.pem" --key "$WORK/client.key"
eq "mTLS: binding passed upstream" "200 sub=carol client=demo-client aud=https://rs.example.com binding=mtls" "$STATUS $BODY"
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" --cert "$WORK/other.pem" --key "$WORK/other.key"
eq "mTLS: wrong certificate -> 401 mtls_cert_mismatch" "401 mtls_cert_mismatch" "$STATUS $(desc)"
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK"
eq "mTLS: no certificate -> 401 mtls_cert_missing" "401 mtls_cert_missing" "$STATUS $(desc)"
CERTHDR=$(mint cert-header --cert "$WORK/client.pem")
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" -H "Client-Cert: $CERTHDR"
eq "mTLS: Client-Cert header where no header is configured -> ignored, 401 mtls_cert_missing" "401 mtls_cert_missing" "$STATUS $(desc)"
call GET "$B3/accounts/list" -H "Authorization: Bearer $MTOK" -H "Client-Cert: $CERTHDR"
eq "mTLS: Client-Cert header from an address that is not a trusted proxy -> ignored, 401 mtls_cert_missing" "401 mtls_cert_missing" "$STATUS $(desc)"

P=$(proof --htm GET --htu "$B3/accounts/list")
call GET "$B3/accounts/list" --http2 -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "HTTP/2: a valid DPoP-bound request -> 200" "HTTP/2 200" "$(head -1 "$WORK/headers" | tr -d '\r' | sed 's/ *$//')"
call GET "$B3/accounts/list" --http2 -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "HTTP/2: its replay -> 401 dpop_replayed" "401 dpop_replayed" "$STATUS $(desc)"

# --- the strict zone: FAPI 2.0, nonces, trusted proxy header, OpenSSL provider ---------------
TOK2=$(mint token --holder "$WORK/holder.pem" --now "$NOW" --cert "$WORK/client.pem" --sub dave)
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2")
T_BEFORE=$(date +%s)
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $CERTHDR"
T_AFTER=$(date +%s)
eq "nonce: proof without a nonce -> 401 use_dpop_nonce" "401 DPoP error=\"use_dpop_nonce\", error_description=\"dpop_nonce_missing\", algs=\"ES256 EdDSA\"" "$STATUS $WWW"
eq "nonce: the 401 carries Cache-Control: no-store" "no-store" "$CC"
EXPECT_A=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_BEFORE")
EXPECT_B=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_AFTER")
if [ -n "$NONCE" ] && { [ "$NONCE" == "$EXPECT_A" ] || [ "$NONCE" == "$EXPECT_B" ]; }; then
  ok "nonce: DPoP-Nonce equals HMAC-SHA256(secret, tag || slot) computed in Python"
else
  bad "nonce: DPoP-Nonce" "expected: $EXPECT_A (or $EXPECT_B)" "actual:   $NONCE"
fi
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2" --nonce "$NONCE")
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $CERTHDR"
eq "nonce: retry with the server's nonce (cert from the trusted proxy's Client-Cert) -> 200" "200 accounts data" "$STATUS $BODY"
eq "nonce: the 200 carries a DPoP-Nonce and Cache-Control: no-store" "43 no-store" "${#NONCE} $CC"
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2" --nonce "$NONCE")
OTHERHDR=$(mint cert-header --cert "$WORK/other.pem")
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $OTHERHDR"
eq "trusted proxy header with another certificate -> 401 mtls_cert_mismatch" "401 mtls_cert_mismatch" "$STATUS $(desc)"
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $CERTHDR" -H "Client-Cert: $CERTHDR"
eq "two Client-Cert fields -> 400" 400 "$STATUS"
ESCAPED=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$WORK/client.pem")
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/escaped/list" --token "$TOK2" \
  --nonce "$(mint nonce --secret-file "$WORK/nonce.key" --now "$(date +%s)")")
call GET "$B2/escaped/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "X-SSL-Client-Cert: $ESCAPED"
eq "trusted proxy header with nginx's escaped PEM (another location, same zone) -> 200" "200 accounts data" "$STATUS $BODY"
call GET "$B2/accounts/list" -H "Authorization: Bearer $MTOK" -H "Client-Cert: $CERTHDR"
eq "fapi2 + DPoP required: a certificate-bound token without DPoP -> 401 dpop_binding_required" "401 dpop_binding_required" "$STATUS $(desc)"

# --- JWKS rotation under load ---------------------------------------------------------------
echo "=== $TEST_NAME: JWKS rotation under load (zone rot: file swapped + reload, then swapped + interval)"
T210=$(gen token --seed 210 --now "$NOW" --ttl 600)
T211=$(gen token --seed 211 --now "$NOW" --ttl 600)
call GET "$B1/rot" -H "Authorization: Bearer $T211"
eq "rotation: before: a token of the next key -> 401 jwk_unknown_kid" "401 jwk_unknown_kid" "$STATUS $(desc)"
loop() { # token out-file stop-file: one request after another (new connection each) until stop
  while [ ! -e "$3" ]; do
    curl -sk -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $1" "$B1/rot" >>"$2" 2>/dev/null || echo "curl-error" >>"$2"
  done
}
loop2() { # keep-alive: 20 requests per connection
  local urls=()
  for _ in $(seq 1 20); do urls+=("$B1/rot"); done
  while [ ! -e "$3" ]; do
    curl -sk -w '%{http_code}\n' -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      -o /dev/null -H "Authorization: Bearer $1" "${urls[@]}" >>"$2" 2>/dev/null || echo "curl-error" >>"$2"
  done
}
rm -f "$WORK/stop1" "$WORK/stop2"
loop "$T210" "$WORK/l1a" "$WORK/stop1" &
L1A=$!
loop2 "$T210" "$WORK/l1b" "$WORK/stop1" &
L1B=$!
sleep 1
gen jwks --out "$WORK/rot.jwks" 210 211 # next key published beside the current one
nginx -p "$WORK/n" -c "$WORK/nginx.conf" -s reload
for _ in $(seq 1 100); do
  call GET "$B1/rot" -H "Authorization: Bearer $T211"
  [ "$STATUS" = 200 ] && break
  sleep 0.1
done
eq "rotation: after the file swap + nginx -s reload, the next key's token -> 200" 200 "$STATUS"
loop "$T211" "$WORK/l2a" "$WORK/stop2" &
L2A=$!
loop2 "$T211" "$WORK/l2b" "$WORK/stop2" &
L2B=$!
sleep 1
touch "$WORK/stop1"
wait "$L1A" "$L1B"
gen jwks --out "$WORK/rot.jwks" 211 # the old key retired: no reload, the interval picks it up
for _ in $(seq 1 50); do
  call GET "$B1/rot" -H "Authorization: Bearer $T210"
  [ "$STATUS" = 401 ] && break
  sleep 0.1
done
eq "rotation: old key removed from the file, picked up by the 1 s interval -> old token 401 jwk_unknown_kid" "401 jwk_unknown_kid" "$STATUS $(desc)"
sleep 1
touch "$WORK/stop2"
wait "$L2A" "$L2B"
N1=$(cat "$WORK/l1a" "$WORK/l1b" | wc -l)
N2=$(cat "$WORK/l2a" "$WORK/l2b" | wc -l)
eq "rotation: $N1 requests with the old key during publish + reload: all 200" "" "$(cat "$WORK/l1a" "$WORK/l1b" | grep -v '^200$' | sort | uniq -c)"
eq "rotation: $N2 requests with the new key during reload-out + retirement: all 200" "" "$(cat "$WORK/l2a" "$WORK/l2b" | grep -v '^200$' | sort | uniq -c)"
if [ "$N1" -ge 20 ] && [ "$N2" -ge 20 ]; then ok "rotation: under load ($N1 + $N2 requests)"; else bad "rotation: too few requests ($N1, $N2)"; fi
contains "rotation: the interval reload is logged" 'JWKS "'"$WORK"'/rot.jwks" changed: 1 key(s) loaded' "$(cat "$WORK/n/error.log")"

# A broken JWKS file at the next interval: refused, logged, the key set in force stays.
printf '{"keys":[{"kty":"EC"' >"$WORK/rot.jwks.tmp" && mv "$WORK/rot.jwks.tmp" "$WORK/rot.jwks"
for _ in $(seq 1 50); do
  grep -q 'rot.jwks" refused' "$WORK/n/error.log" && break
  sleep 0.1
done
contains "rotation: a broken JWKS file is refused at the interval and logged" "refused (json_syntax): the old key set stays" "$(cat "$WORK/n/error.log")"
call GET "$B1/rot" -H "Authorization: Bearer $T211"
eq "rotation: ... and the key set in force still serves -> 200" 200 "$STATUS"

# Configuration errors fail `nginx -t` (and so a reload), never a running server.
bad_conf() { # label expected-message server-directives
  cat >"$WORK/bad.conf" <<CONF
load_module $MODULE;
pid $WORK/n/bad.pid;
error_log $WORK/n/bad.log;
events {}
http { server { listen 127.0.0.1:1; $3 } }
CONF
  local out rc
  out=$(nginx -p "$WORK/n" -c "$WORK/bad.conf" -t 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && [[ "$out" == *"$2"* ]]; then ok "$1"; else bad "$1" "expected nginx -t to fail with: $2" "actual: $out"; fi
}
COMMON="fapi_issuer https://as.example.com; fapi_audience https://rs.example.com; fapi_public_base https://x.example; fapi_token_algs ES256;"
bad_conf "config: two locations of one zone with different DPoP modes -> nginx -t fails" \
  'every location of fapi_zone "z" must have the same fapi_dpop' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; location /a { fapi_zone z; } location /b { fapi_zone z; fapi_dpop required; }"
"$PY" -c 'import json,sys; k=json.load(open(sys.argv[1])); k["keys"][0]["d"]="AAAA"; json.dump(k,open(sys.argv[2],"w"))' "$WORK/jwks.json" "$WORK/private.jwks"
bad_conf "config: a JWKS with private key material -> nginx -t fails" 'refused: jwk_key_private' \
  "$COMMON fapi_jwks_file $WORK/private.jwks; location /a { fapi_zone z; }"
bad_conf "config: no token algorithms -> nginx -t fails" 'fapi_token_algs is required' \
  "fapi_issuer https://as.example.com; fapi_audience https://rs.example.com; fapi_public_base https://x.example; fapi_jwks_file $WORK/jwks.json; location /a { fapi_zone z; }"
bad_conf "config: a client-certificate header without a trusted proxy -> nginx -t fails" 'needs at least one fapi_trusted_proxy' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; fapi_client_cert_header Client-Cert; location /a { fapi_zone z; }"
bad_conf "config: leeway above 60 s -> refused by fapi" 'misuse_leeway_too_large' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; fapi_leeway 120s; location /a { fapi_zone z; }"
bad_conf "config: ES256 hot-key width without hot keys -> refused by fapi" 'misuse_table_config' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; fapi_es256_tables 8 6 6 0 50; location /a { fapi_zone z; }"
bad_conf "config: ES256 table width 13 -> refused by fapi" 'invalid_argument' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; fapi_es256_tables 13 6 6 16 50; location /a { fapi_zone z; }"
bad_conf "config: fapi_es256_tables with an unknown preset -> nginx -t fails" 'takes "off", "gateway"' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; fapi_es256_tables fast; location /a { fapi_zone z; }"
bad_conf "config: two locations of one zone with different ES256 tables -> nginx -t fails" \
  'every location of fapi_zone "z" must have the same fapi_es256_tables' \
  "$COMMON fapi_jwks_file $WORK/jwks.json; location /a { fapi_zone z; } location /b { fapi_zone z; fapi_es256_tables gateway; }"

# The reload kept zone "api" (same configuration): its replay table remembers the first proof.
P=$(proof --htm GET --htu "$B1/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "after reload: zone kept, a fresh proof -> 200" 200 "$STATUS"
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "after reload: its replay -> 401 dpop_replayed" "401 dpop_replayed" "$STATUS $(desc)"

# --- logs and shutdown ----------------------------------------------------------------------
DISTINCT=$(awk '{print $1}' "$WORK/n/access.log" | sort -u | wc -l)
if [ "$DISTINCT" -ge 2 ]; then ok "access log: requests served by $DISTINCT worker processes"; else bad "access log: one worker only"; fi
LEAK=no
for s in "$TOK" "$MTOK" "$TOK2"; do
  IFS=. read -r _ _ sig <<<"$s"
  grep -qF -- "$sig" "$WORK/n/error.log" "$WORK/n/access.log" && LEAK=yes
done
eq "no token in the logs" no "$LEAK"
contains "access log: \$fapi_result names the refusal" "401 GET /accounts/list dpop_replayed" "$(cat "$WORK/n/access.log")"
contains "deny lines name the refusal, the client and the path" "fapi: deny dpop_replayed 401, client: 127.0.0.1, path: /accounts/list" "$(cat "$WORK/n/error.log")"
stop_nginx n
check_error_log "nginx" n
# ES256 tables in the shared zone: the holder's key got a hot-key table after its allowed
# requests (built once for all four workers), logged by each worker as it exits.
HOT=$(sed -n 's/.*zone "api": ES256 tables: \([0-9]*\) hot-key table(s) built.*/\1/p' "$WORK/n/error.log" | sort -n | tail -1)
if [ -n "$HOT" ] && [ "$HOT" -ge 1 ]; then
  ok "ES256 tables: zone api (gateway preset) built $HOT hot-key table(s) in shared memory"
else
  bad "ES256 tables: zone api logged no hot-key table build" "got: ${HOT:-no line}"
fi
contains "ES256 tables: zone elsewhere (no hot-key cache) reports none" \
  'zone "elsewhere": ES256 tables: 0 hot-key table(s) built' "$(cat "$WORK/n/error.log")"

echo "$TEST_NAME: $((SECONDS - T_START)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
