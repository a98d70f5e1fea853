#!/usr/bin/env bash
# Makes everything an interop run needs in DIR: a test CA, the authorization server's TLS
# certificate (localhost), and three clients, one per client authentication method:
#   fapi-pkjwt       private_key_jwt (ES256 key)
#   fapi-selfsigned  self_signed_tls_client_auth (self-signed P-256 certificate, key in jwks x5c)
#   fapi-tlsauth     tls_client_auth (certificate from the test CA, SAN dNSName client.fapi.test)
# plus a stranger certificate (from the same CA) that belongs to no client.
# Writes DIR/config.json (read by as/server.mjs) and DIR/files.json (which files are whose).
#   tests/interop/setup.sh DIR PORT
set -euo pipefail
dir=$1 port=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"; cd "$dir"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
days=2
ec ca.key
openssl req -x509 -new -key ca.key -out ca.pem -subj /CN=fapi-interop-ca -days $days \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
issue() { # name subject san
  ec "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days $days \
    -extfile "$1.ext" 2>/dev/null
}
issue server /CN=localhost DNS:localhost,IP:127.0.0.1 serverAuth
issue tlsauth /CN=client.fapi.test DNS:client.fapi.test clientAuth
issue stranger /CN=stranger.fapi.test DNS:stranger.fapi.test clientAuth
ec selfsigned.key
openssl req -x509 -new -key selfsigned.key -out selfsigned.pem -subj /CN=fapi-selfsigned -days $days 2>/dev/null
ec pkjwt.key
for c in pkjwt selfsigned tlsauth; do
  openssl pkcs8 -topk8 -nocrypt -in $c.key -out $c.p8 2>/dev/null
done
pub_pkjwt=$(node "$here/as/keys.mjs" pkjwt.p8 ES256 pkjwt.jwk.json)
pub_self=$(node "$here/as/keys.mjs" selfsigned.p8 ES256 selfsigned.jwk.json selfsigned.pem)
pub_tls=$(node "$here/as/keys.mjs" tlsauth.p8 ES256 tlsauth.jwk.json)
common='"redirect_uris":["https://client.fapi.test/cb"],"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"authorization_signed_response_alg":"ES256","id_token_signed_response_alg":"ES256","request_object_signing_alg":"ES256"'
cat > config.json <<JSON
{"port": $port, "cert": "$dir/server.pem", "key": "$dir/server.key", "ca": "$dir/ca.pem",
 "clients": [
  {"client_id": "fapi-pkjwt", "token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "ES256", "dpop_bound_access_tokens": true, "jwks": {"keys": [$pub_pkjwt]}, $common},
  {"client_id": "fapi-selfsigned", "token_endpoint_auth_method": "self_signed_tls_client_auth", "tls_client_certificate_bound_access_tokens": true, "jwks": {"keys": [$pub_self]}, $common},
  {"client_id": "fapi-tlsauth", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "client.fapi.test", "tls_client_certificate_bound_access_tokens": true, "jwks": {"keys": [$pub_tls]}, $common}
 ]}
JSON
cat > files.json <<JSON
{"fapi-pkjwt": {"key": "$dir/pkjwt.jwk.json"},
 "fapi-selfsigned": {"key": "$dir/selfsigned.jwk.json", "cert": "$dir/selfsigned.pem", "certKey": "$dir/selfsigned.key"},
 "fapi-tlsauth": {"key": "$dir/tlsauth.jwk.json", "cert": "$dir/tlsauth.pem", "certKey": "$dir/tlsauth.key"}}
JSON
