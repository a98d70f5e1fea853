#!/usr/bin/env bash
# Installs fapi into temporary prefixes with `make install` and builds tests/pkgconfig/app.c (the
# README's "Use from C" example) the way an integrator would, with nothing but pkg-config:
#   1. shared:        cc app.c $(pkg-config --cflags --libs fapi)            (LD_LIBRARY_PATH to run)
#   2. fully static:  cc -static app.c $(pkg-config --cflags --libs --static fapi)
#   3. static libfapi, dynamic libc: the same --static command against a prefix holding only
#      libfapi.a (proves Libs.private is enough)
# and checks the installed layout (SONAME chain, headers, fapi.pc, DESTDIR, uninstall).
# Each program must answer a request without credentials with 401 and a challenge.
# Needs: cc, pkg-config, make, readelf, python3, cargo. Honours CARGO_TARGET_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "pkgconfig: FAIL: $*" >&2; exit 1; }
ok() { echo "pkgconfig: ok: $*"; }

make_() { make -C "$root" --no-print-directory "$@"; }

version=$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="fapi-ffi"))')
IFS=. read -r major minor _ <<<"$version"
if [ "$major" = 0 ]; then soname=libfapi.so.0.$minor; else soname=libfapi.so.$major; fi

# --- install -----------------------------------------------------------------------------------
prefix=$tmp/prefix
make_ install PREFIX="$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install"; }
lib=$prefix/lib
for f in lib/libfapi.a "lib/libfapi.so.$version" "lib/$soname" lib/libfapi.so \
         include/fapi.h include/fapi_cdef.h lib/pkgconfig/fapi.pc; do
  [ -e "$prefix/$f" ] || fail "make install did not install $f"
done
[ "$(readlink "$lib/libfapi.so")" = "$soname" ] || fail "libfapi.so does not link to $soname"
[ "$(readlink "$lib/$soname")" = "libfapi.so.$version" ] || fail "$soname does not link to libfapi.so.$version"
got_soname=$(readelf -d "$lib/libfapi.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$got_soname" = "$soname" ] || fail "SONAME is '${got_soname}', want $soname"
cmp -s "$prefix/include/fapi.h" "$root/include/fapi.h" || fail "installed fapi.h differs from include/fapi.h"
ok "make install PREFIX=…: libfapi.a, libfapi.so -> $soname -> libfapi.so.$version (SONAME $soname), fapi.h, fapi_cdef.h, fapi.pc"

export PKG_CONFIG_PATH=$lib/pkgconfig
pkg-config --validate fapi || fail "pkg-config --validate fapi"
[ "$(pkg-config --modversion fapi)" = "$version" ] || fail "fapi.pc Version $(pkg-config --modversion fapi) != $version"
[ "$(pkg-config --variable=prefix fapi)" = "$prefix" ] || fail "fapi.pc prefix is not $prefix"
ok "fapi.pc validates; Version $version (= fapi-ffi in Cargo.toml); prefix $prefix"
echo "    cflags/libs:          $(pkg-config --cflags --libs fapi)"
echo "    cflags/libs --static: $(pkg-config --cflags --libs --static fapi)"

# --- the example compiles cleanly --------------------------------------------------------------
cd "$tmp" && cp "$here/app.c" .
# shellcheck disable=SC2046  # word splitting of pkg-config output is intended
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only app.c $(pkg-config --cflags fapi) ||
  fail "app.c does not compile cleanly with -std=c99 -Wall -Wextra -Wpedantic -Werror"
ok "app.c compiles with -std=c99 -Wall -Wextra -Wpedantic -Werror"

expect_401() { # name output-file
  local first second
  first=$(sed -n 1p "$2"); second=$(sed -n 2p "$2")
  sed 's/^/    | /' "$2"
  [ "$first" = "401 request_no_credentials" ] || fail "$1: first line '$first'"
  case $second in
    "WWW-Authenticate: "*Bearer*DPoP* | "WWW-Authenticate: "*DPoP*Bearer*) ;;
    *) fail "$1: challenge line '$second' lacks the Bearer and DPoP challenges" ;;
  esac
}

# --- 1. shared ---------------------------------------------------------------------------------
# shellcheck disable=SC2046
cc app.c $(pkg-config --cflags --libs fapi) || fail "shared link"
readelf -d a.out | grep -q "(NEEDED).*\[$soname\]" || fail "a.out does not need $soname"
LD_LIBRARY_PATH=$lib ./a.out >out-shared.txt || fail "shared: exit $? (want 0: status 401)"
expect_401 shared out-shared.txt
ok "shared: cc app.c \$(pkg-config --cflags --libs fapi); NEEDED $soname; 401 with a challenge"

# --- 2. fully static ---------------------------------------------------------------------------
# glibc warns that getaddrinfo/getpwuid_r (in Rust std, never called by fapi) need its shared
# libraries at run time when linked statically; those warnings are expected.
# shellcheck disable=SC2046
cc -static app.c $(pkg-config --cflags --libs --static fapi) -o app-static 2>static.log ||
  { cat static.log; fail "static link"; }
if grep -v -e "requires at runtime the shared libraries" -e "in function" static.log | grep -q .; then
  cat static.log; fail "unexpected output from the static link"
fi
readelf -d app-static 2>/dev/null | grep -q NEEDED && fail "app-static has dynamic dependencies"
env -u LD_LIBRARY_PATH ./app-static >out-static.txt || fail "static: exit $? (want 0: status 401)"
expect_401 static out-static.txt
ok "static: cc -static app.c \$(pkg-config --cflags --libs --static fapi); no dynamic section; 401"

# --- 3. static libfapi, dynamic libc -----------------------------------------------------------
sprefix=$tmp/static-only
make_ install PREFIX="$sprefix" >"$tmp/install2.log" 2>&1 || { cat "$tmp/install2.log"; fail "make install (2)"; }
rm -f "$sprefix"/lib/libfapi.so*
# shellcheck disable=SC2046
cc app.c $(PKG_CONFIG_PATH=$sprefix/lib/pkgconfig pkg-config --cflags --libs --static fapi) -o app-sl ||
  fail "link against libfapi.a with Libs.private"
readelf -d app-sl | grep -q "(NEEDED).*libfapi" && fail "app-sl needs a libfapi shared object"
env -u LD_LIBRARY_PATH ./app-sl >out-sl.txt || fail "static libfapi: exit $? (want 0: status 401)"
expect_401 static-lib out-sl.txt
ok "libfapi.a + dynamic libc: Libs.private suffices; 401"

# --- DESTDIR and uninstall ---------------------------------------------------------------------
stage=$tmp/stage
make_ install DESTDIR="$stage" PREFIX=/opt/fapi >"$tmp/install3.log" 2>&1 ||
  { cat "$tmp/install3.log"; fail "make install DESTDIR=…"; }
for f in lib/libfapi.a "lib/$soname" include/fapi.h lib/pkgconfig/fapi.pc; do
  [ -e "$stage/opt/fapi/$f" ] || fail "DESTDIR install: no \$DESTDIR/opt/fapi/$f"
done
grep -qx 'prefix=/opt/fapi' "$stage/opt/fapi/lib/pkgconfig/fapi.pc" ||
  fail "DESTDIR install: fapi.pc prefix is not /opt/fapi"
make_ uninstall DESTDIR="$stage" PREFIX=/opt/fapi >/dev/null
left=$(find "$stage" \( -type f -o -type l \) | sed "s|^$stage||")
[ -z "$left" ] || fail "make uninstall left: $left"
ok "make install DESTDIR=… PREFIX=/opt/fapi (fapi.pc says /opt/fapi); make uninstall removes every file"

echo "pkgconfig: all checks passed"
