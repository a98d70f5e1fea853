# shellcheck shell=bash disable=SC2034  # sets variables the sourcing scripts read
# Shared by tests/nginx/run.sh, tests/lua/run.sh and tests/fleet/run.sh (sourced, not run).
# Expects ROOT (the repository) and WORK (a fresh folder) to be set.

export CARGO_TERM_COLOR=never
PASSED=0
FAILED=0
NGINX_PIDFILES=()
REDIS_PIDS=()

die() { echo "$TEST_NAME: $*" >&2; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "       $l"; done; }
eq() { # label expected actual
  if [ "$2" == "$3" ]; then ok "$1"; else bad "$1" "expected: $2" "actual:   $3"; fi
}
contains() { # label needle haystack
  if [[ "$3" == *"$2"* ]]; then ok "$1"; else bad "$1" "expected to contain: $2" "actual: $3"; fi
}

# The Python venv of tests/e2e (cryptography), shared with the C gateway's end-to-end test.
setup_python() {
  local venv=$ROOT/tests/e2e/.venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/tests/e2e/requirements.txt" \
    || die "pip install -r tests/e2e/requirements.txt failed"
  PY=$venv/bin/python
}
mint() { "$PY" "$ROOT/tests/e2e/mint.py" "$@"; }
gen() { "$PY" "$ROOT/tests/nginx/gen.py" "$@"; }

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A self-signed P-256 certificate and its key (for the server, and for TLS client certificates).
make_cert() { # out-prefix cn
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" -addext "subjectAltName=IP:127.0.0.1" \
    >/dev/null 2>&1 || die "openssl req failed"
}

# Temp paths and a pid file inside WORK: nginx runs as the invoking user's worker "nobody"
# (when root) and needs nothing outside WORK. `nginx_prelude NAME` prints the main-level lines.
nginx_prelude() { # name
  local d=$WORK/$1
  mkdir -p "$d/tmp"
  chmod 755 "$WORK" "$d" "$d/tmp"
  cat <<EOF
pid $d/nginx.pid;
error_log $d/error.log info;
EOF
}
nginx_http_prelude() { # name
  local d=$WORK/$1
  cat <<EOF
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    log_format fapi '\$pid \$status \$request_method \$uri \$fapi_result';
    access_log $d/access.log fapi;
EOF
}

start_nginx() { # name conf
  local d=$WORK/$1
  nginx -p "$d" -c "$2" -t >"$d/nginx-t.log" 2>&1 || { cat "$d/nginx-t.log" >&2; return 1; }
  nginx -p "$d" -c "$2" 2>>"$d/start.log" || { cat "$d/start.log" >&2; return 1; }
  NGINX_PIDFILES+=("$d/nginx.pid")
  for _ in $(seq 1 100); do
    [ -s "$d/nginx.pid" ] && return 0
    sleep 0.05
  done
  return 1
}

stop_nginx() { # name
  local d=$WORK/$1 pid
  pid=$(cat "$d/nginx.pid" 2>/dev/null) || return 0
  kill -QUIT "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -TERM "$pid" 2>/dev/null
}

cleanup_all() {
  local f pid
  for f in "${NGINX_PIDFILES[@]}"; do
    pid=$(cat "$f" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${REDIS_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  if [ -n "${KEEP:-}" ]; then echo "$TEST_NAME: kept $WORK"; else rm -rf "$WORK"; fi
}

# curl one request; sets STATUS, WWW (WWW-Authenticate), NONCE (DPoP-Nonce), CC
# (Cache-Control), WORKER (X-Worker), BODY.
call() { # method url [curl args...]
  local method=$1 url=$2; shift 2
  STATUS=$(curl -sS -k -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" "$@" "$url" \
    2>"$WORK/curl.err") || STATUS="curl-error($(head -c 200 "$WORK/curl.err"))"
  WWW=$(header WWW-Authenticate)
  NONCE=$(header DPoP-Nonce)
  CC=$(header Cache-Control)
  WORKER=$(header X-Worker)
  BODY=$(cat "$WORK/body" 2>/dev/null)
}
header() { grep -i "^$1:" "$WORK/headers" 2>/dev/null | head -1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }
desc() { sed -n 's/.*error_description="\([a-z_]*\)".*/\1/p' <<<"$WWW"; }

# No worker crashed and nothing was logged at alert/emerg level.
check_error_log() { # label name
  local log=$WORK/$2/error.log
  local n
  n=$(grep -cE '\[(alert|emerg|crit)\]|exited on signal' "$log" 2>/dev/null)
  eq "$1: no crash, alert or emerg in error.log" 0 "${n:-0}"
  [ "${n:-0}" = 0 ] || grep -E '\[(alert|emerg|crit)\]|exited on signal' "$log" | head -5
}
