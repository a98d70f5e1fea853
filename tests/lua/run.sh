#!/usr/bin/env bash
# End to end: the LuaJIT FFI binding (examples/lua/resty/fapi.lua) inside Debian's nginx with
# libnginx-mod-http-lua: `access_by_lua_block` decides with libfapi.so, the verifier region in
# MAP_SHARED memory made by init_by_lua (four workers share it). The same cases as the C module's
# test (tests/nginx/run.sh), with proofs made by tests/e2e/mint.py (Python `cryptography`).
#
#   tests/lua/run.sh              (KEEP=1 keeps the work folder)
#
# Needs: nginx, libnginx-mod-http-lua, openssl, curl, python3-venv, cargo.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
TEST_NAME=lua-e2e
T_START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-lua.XXXXXX")
# shellcheck source=tests/nginx/lib.sh
. "$ROOT/tests/nginx/lib.sh"
trap cleanup_all EXIT

MODDIR=/usr/lib/nginx/modules
[ -f "$MODDIR/ngx_http_lua_module.so" ] || die "apt-get install -y libnginx-mod-http-lua"
echo "=== $TEST_NAME: build libfapi.so (cargo build -p fapi-ffi --release)"
cargo build -q -p fapi-ffi --release || die "cargo build failed"
LIB=${CARGO_TARGET_DIR:-$ROOT/target}/release/libfapi.so
[ -f "$LIB" ] || die "no $LIB"
setup_python

mint keygen --alg ES256 --out "$WORK/holder.pem"
make_cert "$WORK/server" 127.0.0.1
make_cert "$WORK/client" demo-client
make_cert "$WORK/other" someone-else
head -c 32 /dev/urandom >"$WORK/nonce.key"
cp examples/data/jwks.json "$WORK/jwks.json"
gen jwks --out "$WORK/rot.jwks" 210
mkdir -p "$WORK/www/accounts" "$WORK/www/payments"
echo "accounts data" >"$WORK/www/accounts/list"
echo "payments data" >"$WORK/www/payments/list"
echo "rotation data" >"$WORK/www/rot"
chmod -R a+rX "$WORK"

P1=$(free_port)
P2=$(free_port)
PB=$(free_port)
B1=https://127.0.0.1:$P1
B2=https://127.0.0.1:$P2

cat >"$WORK/nginx.conf" <<EOF
load_module $MODDIR/ndk_http_module.so;
load_module $MODDIR/ngx_http_lua_module.so;
worker_processes 4;
$(nginx_prelude n)
events { worker_connections 256; }
http {
$(nginx_http_prelude n | sed 's/ \$fapi_result//')
    ssl_certificate $WORK/server.pem;
    ssl_certificate_key $WORK/server.key;
    root $WORK/www;
    add_header X-Worker \$pid always;
    lua_package_path "$ROOT/examples/lua/?.lua;;";

    init_by_lua_block {
        local fapi = require "resty.fapi"
        fapi.load{ lib = "$LIB", cdef = "$ROOT/include/fapi_cdef.h" }
        local common = {
            issuer = "https://as.example.com", audience = "https://rs.example.com",
            token_algs = { "ES256", "EdDSA" }, jwks_file = "$WORK/jwks.json",
        }
        local function with(t)
            local c = {}
            for k, v in pairs(common) do c[k] = v end
            for k, v in pairs(t) do c[k] = v end
            return c
        end
        -- ES256 tables on in api (gateway preset) and rot (explicit widths).
        api = assert(fapi.new(with{ bases = { "$B1" }, replay_slots = 4096, cache_slots = 256,
                                    es256_tables = "gateway" }))
        rot = assert(fapi.new(with{ bases = { "$B1" }, jwks_file = "$WORK/rot.jwks", jwks_refresh = 1,
                                    es256_tables = { base = 6, issuer = 5, hot = 5, hot_keys = 4 } }))
        local bad, err = fapi.new(with{ bases = { "$B1" }, es256_tables = { base = 8, hot = 6 } })
        assert(bad == nil and err:find("misuse_table_config", 1, true), "es256_tables error: " .. tostring(err))
        strict = assert(fapi.new(with{
            bases = { "$B2" }, proof_algs = { "ES256", "EdDSA" }, fapi2 = true, dpop = "required",
            nonce = true, nonce_secret_file = "$WORK/nonce.key", proof_max_age = 120,
            trusted_proxies = { "127.0.0.1/32" },
        }))
    }
    init_worker_by_lua_block {
        assert(api:init_worker())
        assert(rot:init_worker())
        assert(strict:init_worker())
    }

    server {
        listen 127.0.0.1:$P1 ssl reuseport;
        ssl_verify_client optional_no_ca;
        location /accounts/ { access_by_lua_block { api:access{ scopes = { "accounts" } } } }
        location /payments/ { access_by_lua_block { api:access{ scopes = { "payments" } } } }
        location /upstream/ {
            access_by_lua_block {
                api:access{ scopes = { "accounts" },
                            claim_headers = { sub = "X-Fapi-Sub", client_id = "X-Fapi-Client", aud = "X-Fapi-Aud" } }
            }
            proxy_pass http://127.0.0.1:$PB/;
        }
        location = /rot { access_by_lua_block { rot:access() } }
        location = /tables {
            content_by_lua_block {
                local b, l = api:table_stats()
                ngx.say("builds=", b, " rate_limited=", l)
            }
        }
    }
    server {
        listen 127.0.0.1:$P2 ssl reuseport;
        location /accounts/ {
            access_by_lua_block {
                strict:access{ scopes = { "accounts" }, cert_header = "Client-Cert", cert_header_format = "rfc9440" }
            }
        }
    }
    server {
        listen 127.0.0.1:$PB;
        location / { return 200 "sub=\$http_x_fapi_sub client=\$http_x_fapi_client aud=\$http_x_fapi_aud\n"; }
    }
}
EOF
echo "=== $TEST_NAME: nginx + lua on $B1 and $B2; 4 workers"
start_nginx n "$WORK/nginx.conf" || die "nginx did not start"
sleep 0.3
eq "nginx: 4 workers running" 4 "$(pgrep -P "$(cat "$WORK/n/nginx.pid")" | wc -l)"

ALGS='algs="ES256 EdDSA Ed25519"'
NOW=$(date +%s)
TOK=$(mint token --holder "$WORK/holder.pem" --now "$NOW")
proof() { mint proof --key "$WORK/holder.pem" --token "$TOK" --now "$(date +%s)" "$@"; }

P=$(proof --htm GET --htu "$B1/accounts/list")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "valid DPoP-bound request -> 200 static content" "200 accounts data" "$STATUS $BODY"
FIRST_WORKER=$WORKER
OTHER=""
REPLAYS=""
for _ in $(seq 1 40); do
  call GET "$B1/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
  REPLAYS="$REPLAYS $STATUS/$(desc)"
  if [ -n "$WORKER" ] && [ "$WORKER" != "$FIRST_WORKER" ]; then OTHER=$WORKER; break; fi
done
eq "replay: every replay refused 401 dpop_replayed" "" "$(tr ' ' '\n' <<<"$REPLAYS" | grep -v '^$' | grep -v '^401/dpop_replayed$' | head -3)"
if [ -n "$OTHER" ]; then
  ok "replay: refused by worker $OTHER, accepted by worker $FIRST_WORKER (one MAP_SHARED region)"
else
  bad "replay: no replay reached a worker other than $FIRST_WORKER in 40 connections"
fi
eq "replay challenge" "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", $ALGS, Bearer" "$WWW"

TAMPERED=$(mint token --holder "$WORK/holder.pem" --now "$NOW" --tamper)
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B1/accounts/list" --token "$TAMPERED")
call GET "$B1/accounts/list" -H "Authorization: DPoP $TAMPERED" -H "DPoP: $P"
eq "tampered token -> 401 jws_bad_signature" "401 jws_bad_signature" "$STATUS $(desc)"
call GET "$B1/accounts/list" -H "Authorization: Bearer $TOK"
eq "downgrade: DPoP-bound token as Bearer -> 401 with a Bearer challenge" \
  "401 Bearer error=\"invalid_token\", error_description=\"dpop_bearer_downgrade\", DPoP $ALGS" "$STATUS $WWW"
call GET "$B1/accounts/list"
eq "no credentials -> 401 bare challenges" "401 Bearer, DPoP $ALGS" "$STATUS $WWW"
P=$(proof --htm GET --htu "$B1/payments/list")
call GET "$B1/payments/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "required scope missing -> 403 insufficient_scope" "403 request_insufficient_scope" "$STATUS $(desc)"
call GET "$B1/accounts/list?access_token=$TOK"
eq "access_token in the query -> 400 request_token_in_query" "400 request_token_in_query" "$STATUS $(desc)"
P=$(proof --htm GET --htu "$B1/upstream/x")
call GET "$B1/upstream/x" -H "Authorization: DPoP $TOK" -H "DPoP: $P" -H "X-Fapi-Sub: admin"
eq "claims upstream (proxy_pass), spoofed X-Fapi-Sub replaced" "200 sub=alice client=demo-client aud=https://rs.example.com" "$STATUS $BODY"

MTOK=$(mint token --cert "$WORK/client.pem" --now "$NOW" --sub carol)
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" --cert "$WORK/client.pem" --key "$WORK/client.key"
eq "mTLS: certificate-bound token + its certificate (\$ssl_client_raw_cert) -> 200" 200 "$STATUS"
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" --cert "$WORK/other.pem" --key "$WORK/other.key"
eq "mTLS: wrong certificate -> 401 mtls_cert_mismatch" "401 mtls_cert_mismatch" "$STATUS $(desc)"
CERTHDR=$(mint cert-header --cert "$WORK/client.pem")
call GET "$B1/accounts/list" -H "Authorization: Bearer $MTOK" -H "Client-Cert: $CERTHDR"
eq "mTLS: Client-Cert where no header is trusted -> ignored, 401 mtls_cert_missing" "401 mtls_cert_missing" "$STATUS $(desc)"

TOK2=$(mint token --holder "$WORK/holder.pem" --now "$NOW" --cert "$WORK/client.pem" --sub dave)
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2")
T_BEFORE=$(date +%s)
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $CERTHDR"
T_AFTER=$(date +%s)
eq "nonce: proof without a nonce -> 401 use_dpop_nonce, no-store" \
  "401 DPoP error=\"use_dpop_nonce\", error_description=\"dpop_nonce_missing\", algs=\"ES256 EdDSA\" no-store" "$STATUS $WWW $CC"
EXPECT_A=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_BEFORE")
EXPECT_B=$(mint nonce --secret-file "$WORK/nonce.key" --now "$T_AFTER")
if [ -n "$NONCE" ] && { [ "$NONCE" == "$EXPECT_A" ] || [ "$NONCE" == "$EXPECT_B" ]; }; then
  ok "nonce: DPoP-Nonce equals the value computed in Python"
else
  bad "nonce: DPoP-Nonce" "expected: $EXPECT_A (or $EXPECT_B)" "actual:   $NONCE"
fi
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2" --nonce "$NONCE")
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $CERTHDR"
eq "nonce: retry with the nonce (cert from the trusted proxy's Client-Cert) -> 200 + DPoP-Nonce" "200 43 no-store" "$STATUS ${#NONCE} $CC"
P=$(mint proof --key "$WORK/holder.pem" --htm GET --htu "$B2/accounts/list" --token "$TOK2" --nonce "$NONCE")
OTHERHDR=$(mint cert-header --cert "$WORK/other.pem")
call GET "$B2/accounts/list" -H "Authorization: DPoP $TOK2" -H "DPoP: $P" -H "Client-Cert: $OTHERHDR"
eq "trusted proxy header with another certificate -> 401 mtls_cert_mismatch" "401 mtls_cert_mismatch" "$STATUS $(desc)"

echo "=== $TEST_NAME: JWKS rotation under load (worker 0 re-reads the file every second)"
T210=$(gen token --seed 210 --now "$NOW" --ttl 600)
T211=$(gen token --seed 211 --now "$NOW" --ttl 600)
loop() { # token out-file stop-file
  local urls=()
  for _ in $(seq 1 10); do urls+=("$B1/rot"); done
  while [ ! -e "$3" ]; do
    curl -sk -w '%{http_code}\n' -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      -H "Authorization: Bearer $1" "${urls[@]}" >>"$2" 2>/dev/null || echo "curl-error" >>"$2"
  done
}
call GET "$B1/rot" -H "Authorization: Bearer $T211"
eq "rotation: before: the next key's token -> 401 jwk_unknown_kid" "401 jwk_unknown_kid" "$STATUS $(desc)"
loop "$T210" "$WORK/l1" "$WORK/stop1" &
L1=$!
sleep 0.5
gen jwks --out "$WORK/rot.jwks" 210 211
for _ in $(seq 1 50); do
  call GET "$B1/rot" -H "Authorization: Bearer $T211"
  [ "$STATUS" = 200 ] && break
  sleep 0.1
done
eq "rotation: next key published, picked up by the interval -> 200" 200 "$STATUS"
loop "$T211" "$WORK/l2" "$WORK/stop2" &
L2=$!
sleep 0.5
touch "$WORK/stop1"
wait "$L1"
gen jwks --out "$WORK/rot.jwks" 211
for _ in $(seq 1 50); do
  call GET "$B1/rot" -H "Authorization: Bearer $T210"
  [ "$STATUS" = 401 ] && break
  sleep 0.1
done
eq "rotation: old key retired -> its token 401 jwk_unknown_kid" "401 jwk_unknown_kid" "$STATUS $(desc)"
sleep 0.5
touch "$WORK/stop2"
wait "$L2"
N1=$(wc -l <"$WORK/l1")
N2=$(wc -l <"$WORK/l2")
eq "rotation: $N1 requests with the old key while the next was published: all 200" "" "$(grep -v '^200$' "$WORK/l1" | sort | uniq -c)"
eq "rotation: $N2 requests with the new key while the old was retired: all 200" "" "$(grep -v '^200$' "$WORK/l2" | sort | uniq -c)"
if [ "$N1" -ge 20 ] && [ "$N2" -ge 20 ]; then ok "rotation: under load ($N1 + $N2 requests)"; else bad "rotation: too few requests ($N1, $N2)"; fi

# ES256 tables in the MAP_SHARED region: the holder's DPoP key got one hot-key table after
# its allowed requests, whichever worker served them.
call GET "$B1/tables"
eq "ES256 tables: one hot-key table built (the holder's key), none refused" "200 builds=1 rate_limited=0" "$STATUS $BODY"

DISTINCT=$(awk '{print $1}' "$WORK/n/access.log" | sort -u | wc -l)
if [ "$DISTINCT" -ge 2 ]; then ok "access log: requests served by $DISTINCT worker processes"; else bad "access log: one worker only"; fi
LEAK=no
for s in "$TOK" "$MTOK" "$TOK2"; do
  IFS=. read -r _ _ sig <<<"$s"
  grep -qF -- "$sig" "$WORK/n/error.log" && LEAK=yes
done
eq "no token in the error log" no "$LEAK"
stop_nginx n
check_error_log "nginx + lua" n
eq "no Lua errors in error.log" 0 "$(grep -c 'lua.*error\|runtime error' "$WORK/n/error.log")"

echo "$TEST_NAME: $((SECONDS - T_START)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
