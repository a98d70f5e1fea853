#!/usr/bin/env bash
# Fleet replay on Redis: two gateway instances (two separate nginx servers with
# ngx_http_fapi_module, each with its own shared zone and workers, on different loopback ports,
# one public origin as behind a load balancer) share a real redis-server started here through
# examples/redis-store (hiredis, SET key 1 NX EXAT expiry).
#
#   a proof accepted by one instance is refused by the other;
#   the shared nonce secret lets either instance accept the other's nonces;
#   Redis stopped, or hanging past the timeout -> 503 from both, never an accept;
#   Redis back -> served again.
#
#   tests/fleet/run.sh            (KEEP=1 keeps the work folder)
#
# Needs: nginx + nginx-dev, redis-server (redis-tools), libhiredis-dev, libssl-dev, openssl,
# curl, python3-venv, cargo.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
TEST_NAME=fleet
T_START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-fleet.XXXXXX")
# shellcheck source=tests/nginx/lib.sh
. "$ROOT/tests/nginx/lib.sh"
trap cleanup_all EXIT

command -v redis-server >/dev/null || die "apt-get install -y redis-server"
echo "=== $TEST_NAME: build the module (examples/nginx/build.sh)"
MODULE=$(examples/nginx/build.sh "${CARGO_TARGET_DIR:-$ROOT/target}/nginx" | tail -1) || die "module build failed"
setup_python

mint keygen --alg ES256 --out "$WORK/holder.pem"
make_cert "$WORK/server" 127.0.0.1
head -c 32 /dev/urandom >"$WORK/nonce.key" # one secret for the fleet
cp examples/data/jwks.json "$WORK/jwks.json"
mkdir -p "$WORK/www/accounts" "$WORK/www/strict"
echo "accounts data" >"$WORK/www/accounts/list"
echo "strict data" >"$WORK/www/strict/list"
chmod -R a+rX "$WORK"

RP=$(free_port)
start_redis() {
  redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  REDIS_PIDS+=("$REDIS_PID")
  for _ in $(seq 1 100); do
    redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.05
  done
  return 1
}
start_redis || die "redis-server did not start"

PUBLIC=https://api.example.com # one public origin: the load balancer's
instance() { # name port
  cat <<EOF
load_module $MODULE;
worker_processes 2;
$(nginx_prelude "$1")
events { worker_connections 128; }
http {
$(nginx_http_prelude "$1")
    root $WORK/www;
    add_header X-Instance $1 always;
    server {
        listen 127.0.0.1:$2 ssl;
        ssl_certificate $WORK/server.pem;
        ssl_certificate_key $WORK/server.key;
        fapi_issuer https://as.example.com;
        fapi_audience https://rs.example.com;
        fapi_jwks_file $WORK/jwks.json;
        fapi_public_base $PUBLIC;
        fapi_token_algs ES256 EdDSA;
        fapi_nonce_secret_file $WORK/nonce.key;
        fapi_replay_store redis 127.0.0.1:$RP timeout=200ms;
        location /accounts/ { fapi_zone fleet; fapi_required_scopes accounts; }
        location /strict/ { fapi_zone strict; fapi_dpop required; fapi_dpop_nonce on; fapi_required_scopes accounts; }
    }
}
EOF
}
PA=$(free_port)
PB=$(free_port)
instance a "$PA" >"$WORK/a.conf"
instance b "$PB" >"$WORK/b.conf"
start_nginx a "$WORK/a.conf" || die "instance a did not start"
start_nginx b "$WORK/b.conf" || die "instance b did not start"
A=https://127.0.0.1:$PA
B=https://127.0.0.1:$PB
echo "=== $TEST_NAME: instances a ($A) and b ($B), public origin $PUBLIC, Redis on 127.0.0.1:$RP"

NOW=$(date +%s)
TOK=$(mint token --holder "$WORK/holder.pem" --now "$NOW")
proof() { mint proof --key "$WORK/holder.pem" --token "$TOK" --htm GET --now "$(date +%s)" "$@"; }

P=$(proof --htu "$PUBLIC/accounts/list")
call GET "$A/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "fleet: a fresh proof at instance a -> 200" "200 a" "$STATUS $(header X-Instance)"
call GET "$B/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "fleet: the same proof at instance b -> 401 dpop_replayed_external" "401 b dpop_replayed_external" "$STATUS $(header X-Instance) $(desc)"
P=$(proof --htu "$PUBLIC/accounts/list")
call GET "$B/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "fleet: another fresh proof at instance b -> 200" 200 "$STATUS"
call GET "$A/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "fleet: ... replayed at instance a -> 401 dpop_replayed_external" "401 dpop_replayed_external" "$STATUS $(desc)"
KEYS=$(redis-cli -p "$RP" --scan --pattern 'fapi:replay:*' | wc -l)
eq "redis: one key per accepted proof (fapi:replay:<43-byte key>)" 2 "$KEYS"
K=$(redis-cli -p "$RP" --scan --pattern 'fapi:replay:*' | head -1)
TTL=$(redis-cli -p "$RP" ttl "$K")
if [ "$TTL" -gt 0 ] && [ "$TTL" -le 320 ]; then ok "redis: the key expires (EXAT; TTL $TTL s within proof max age + leeway)"; else bad "redis: TTL $TTL"; fi
eq "redis: key length" "$((12 + 43))" "${#K}"

# Nonces: issued by a, accepted by b (one secret, no shared state).
P=$(proof --htu "$PUBLIC/strict/list")
call GET "$A/strict/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "nonce: instance a asks for a nonce -> 401 use_dpop_nonce + DPoP-Nonce" "401 use_dpop_nonce 43" "$STATUS $(sed -n 's/.*error="\([a-z_]*\)".*/\1/p' <<<"$WWW") ${#NONCE}"
P=$(proof --htu "$PUBLIC/strict/list" --nonce "$NONCE")
call GET "$B/strict/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "nonce: a's nonce accepted by instance b -> 200" "200 strict data" "$STATUS $BODY"
call GET "$A/strict/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "nonce: that proof replayed at a -> 401 dpop_replayed_external" "401 dpop_replayed_external" "$STATUS $(desc)"

# Redis down: fail closed.
kill "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
GOT=""
for inst in "$A" "$B" "$A" "$B" "$A" "$B"; do
  P=$(proof --htu "$PUBLIC/accounts/list")
  call GET "$inst/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
  GOT="$GOT $STATUS"
done
eq "redis stopped: fresh proofs at both instances -> 503 every time, never 200" " 503 503 503 503 503 503" "$GOT"
eq "redis stopped: the 503 names the store failure" "" "$WWW" # no challenge on 503
contains "redis stopped: logged as capacity_replay_store_error" "deny capacity_replay_store_error 503" "$(cat "$WORK/a/error.log" "$WORK/b/error.log")"

# Redis hanging (accepts, never answers): the timeout fails closed too.
"$PY" - "$RP" >"$WORK/hang.log" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
print("listening", flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)  # read nothing, answer nothing
EOF
HANG=$!
REDIS_PIDS+=("$HANG")
for _ in $(seq 1 50); do grep -q listening "$WORK/hang.log" && break; sleep 0.05; done
sleep 1.1 # past the store's reconnection back-off
GOT=""
for inst in "$A" "$B"; do
  P=$(proof --htu "$PUBLIC/accounts/list")
  call GET "$inst/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
  GOT="$GOT $STATUS"
done
eq "redis hanging: -> 503 at both instances (timeout=200ms), never 200" " 503 503" "$GOT"
kill "$HANG"
wait "$HANG" 2>/dev/null

# Redis back: served again.
start_redis || die "redis-server did not restart"
sleep 1.1
P=$(proof --htu "$PUBLIC/accounts/list")
call GET "$B/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "redis back: a fresh proof -> 200" 200 "$STATUS"
call GET "$A/accounts/list" -H "Authorization: DPoP $TOK" -H "DPoP: $P"
eq "redis back: its replay at the other instance -> 401 dpop_replayed_external" "401 dpop_replayed_external" "$STATUS $(desc)"

stop_nginx a
stop_nginx b
check_error_log "instance a" a
check_error_log "instance b" b
echo "$TEST_NAME: $((SECONDS - T_START)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
