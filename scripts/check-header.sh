#!/usr/bin/env bash
# Checks the C headers against the compilers, each other, Cargo.toml and the built library:
#  (a) include/fapi.h compiles alone as C99 (gcc) and as C++17 (g++) with
#      -Wall -Wextra -Wpedantic -Werror (plus -Wundef -Wredundant-decls, and -Wstrict-prototypes
#      for C), in a translation unit that includes it twice (include guard);
#  (b) include/fapi_cdef.h (for LuaJIT's ffi.cdef) has no preprocessor line; every FAPI_ #define
#      of fapi.h is a `static const` there with the same value, and it has no other constant;
#      it declares the same functions and types as fapi.h; and it is valid C11 after
#      <stdint.h>, <stddef.h>, <stdbool.h> (gcc -std=c11 -fsyntax-only -Werror, -Wall -Wextra
#      -Wpedantic);
#  (c) FAPI_VERSION_MAJOR/MINOR/PATCH in fapi.h equal fapi-ffi's version (the workspace version
#      in Cargo.toml, read with `cargo metadata`);
#  (d) the `fapi_` functions exported by libfapi.so (nm -D --defined-only) are exactly the ones
#      fapi.h declares (read by the compiler: gcc -aux-info), except the integrator-provided hooks
#      that fapi.h declares `extern` (e.g. fapi_panic_hook), which libfapi.so must NOT define;
#      the host libfapi.a defines the same fapi_ functions as libfapi.so.
# Builds the host library first (`make lib`, honours CARGO_TARGET_DIR). Exit status non-zero on
# any failure; every check prints what it compared.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
inc=${FAPI_INCLUDE_DIR:-$root/include} # another folder only to test this script
H=$inc/fapi.h
CDEF=$inc/fapi_cdef.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "check-header: ok: $*"; }
quiet() { # command...: runs it; on failure shows the start of its output
  "$@" >"$tmp/out.log" 2>&1 && return 0
  head -n 40 "$tmp/out.log" >&2
  return 1
}
fail() { echo "check-header: FAIL: $*" >&2; failed=1; }

# --- (a) fapi.h alone, C99 and C++17 -----------------------------------------------------------
printf '#include "fapi.h"\n#include "fapi.h"\n' >"$tmp/tu.c"
cp "$tmp/tu.c" "$tmp/tu.cpp"
common=(-Wall -Wextra -Wpedantic -Werror -Wundef -Wredundant-decls -fsyntax-only -I"$inc")
if quiet gcc -std=c99 -Wstrict-prototypes "${common[@]}" "$tmp/tu.c"; then
  pass "(a) fapi.h alone: gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Wundef -Wredundant-decls -Wstrict-prototypes ($(gcc -dumpfullversion))"
else
  fail "(a) fapi.h does not compile alone as C99 with -Werror"
fi
if quiet g++ -std=c++17 "${common[@]}" "$tmp/tu.cpp"; then
  pass "(a) fapi.h alone: g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Wundef -Wredundant-decls ($(g++ -dumpfullversion))"
else
  fail "(a) fapi.h does not compile alone as C++17 with -Werror"
fi

# --- (b) fapi_cdef.h ---------------------------------------------------------------------------
# The declarations both headers make, read by the compiler (function name and prototype).
aux() { # header prelude-file out
  gcc -std=c11 -fsyntax-only -aux-info "$3" -include "$2" -x c "$1" 2>/dev/null || return 1
}
printf '#include <stdint.h>\n#include <stddef.h>\n#include <stdbool.h>\n' >"$tmp/prelude.h"
: >"$tmp/empty.h"
if quiet gcc -std=c11 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -include "$tmp/prelude.h" -x c "$CDEF"; then
  pass "(b) fapi_cdef.h is valid C: gcc -std=c11 -fsyntax-only -Wall -Wextra -Wpedantic -Werror after <stdint.h> <stddef.h> <stdbool.h>"
else
  fail "(b) fapi_cdef.h is not valid C11 after <stdint.h> <stddef.h> <stdbool.h>"
fi
aux "$H" "$tmp/empty.h" "$tmp/aux-h.txt" || fail "(b) gcc -aux-info on fapi.h"
aux "$CDEF" "$tmp/prelude.h" "$tmp/aux-cdef.txt" || fail "(b) gcc -aux-info on fapi_cdef.h"
python3 - "$H" "$CDEF" "$tmp/aux-h.txt" "$tmp/aux-cdef.txt" <<'EOF' || failed=1
import re, sys
h_path, cdef_path, aux_h, aux_cdef = sys.argv[1:]
h, cdef = open(h_path).read(), open(cdef_path).read()
bad = 0
def fail(msg):
    global bad
    bad = 1
    print(f"check-header: FAIL: (b) {msg}", file=sys.stderr)

def intval(text):
    """Value of a C integer literal (decimal/hex/octal, U/L suffixes, optional parentheses)."""
    m = re.fullmatch(r"\(?\s*(-?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\s*\)?", text.strip())
    if not m:
        return None
    digits = m.group(2)
    base = 16 if digits[:2] in ("0x", "0X") else (8 if len(digits) > 1 and digits[0] == "0" else 10)
    return (-1 if m.group(1) else 1) * int(digits, base)

# No preprocessor line at all (LuaJIT's ffi.cdef has no preprocessor).
pp = [f"{i}: {l.strip()}" for i, l in enumerate(cdef.splitlines(), 1) if l.lstrip().startswith("#")]
if pp:
    fail("fapi_cdef.h has preprocessor lines: " + "; ".join(pp[:5]))
else:
    print("check-header: ok: (b) fapi_cdef.h has no preprocessor line")

# The include guard is the one valueless #define allowed in fapi.h.
g = re.search(r"^\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+(\w+)\s*$", h, re.M)
guard = g.group(1) if g and g.group(1) == g.group(2) else None
defines = {}
for m in re.finditer(r"^\s*#\s*define\s+(FAPI_\w+)(.*)$", h, re.M):
    name, rest = m.group(1), re.sub(r"//.*|/\*.*?\*/", "", m.group(2)).strip()
    if name == guard and not rest:
        continue
    v = intval(rest) if rest else None
    if v is None:
        fail(f"#define {name} {rest!r} in fapi.h is not an integer constant (cannot be a static const)")
        continue
    if name in defines and defines[name] != v:
        fail(f"#define {name} twice in fapi.h with different values")
    defines[name] = v

consts = {}
for m in re.finditer(r"^\s*static\s+const\s+(\w+)\s+(FAPI_\w+)\s*=\s*([^;]+);", cdef, re.M):
    ctype, name, value = m.groups()
    v = intval(value)
    if v is None:
        fail(f"static const {name} = {value!r} is not an integer literal")
        continue
    limits = {"uint32_t": (0, 2**32 - 1), "uint64_t": (0, 2**64 - 1),
              "int32_t": (-2**31, 2**31 - 1), "int64_t": (-2**63, 2**63 - 1)}
    if ctype not in limits:
        fail(f"static const {name} has type {ctype} (want a fixed-width integer type)")
    elif not limits[ctype][0] <= v <= limits[ctype][1]:
        fail(f"static const {ctype} {name} = {v} does not fit its type")
    if name in consts:
        fail(f"static const {name} twice in fapi_cdef.h")
    consts[name] = v

missing = sorted(set(defines) - set(consts))
extra = sorted(set(consts) - set(defines))
differ = sorted(n for n in set(defines) & set(consts) if defines[n] != consts[n])
for n in missing:
    fail(f"{n} (= {defines[n]}) is #defined in fapi.h but missing from fapi_cdef.h")
for n in extra:
    fail(f"{n} is a static const in fapi_cdef.h but not #defined in fapi.h")
for n in differ:
    fail(f"{n}: fapi.h says {defines[n]}, fapi_cdef.h says {consts[n]}")
if not (missing or extra or differ):
    print(f"check-header: ok: (b) all {len(defines)} FAPI_ #defines of fapi.h are static consts "
          f"in fapi_cdef.h with equal values{f' (include guard {guard} excluded)' if guard else ''}, and no others")

# Same function prototypes and same struct tags, as the compiler read them.
def protos(path):
    out = {}
    try:
        lines = open(path).readlines()
    except OSError:
        return out
    for line in lines:
        m = re.match(r"/\*\s*(.*?):\d+:\w+\s*\*/\s*(.*?)\s*;\s*$", line)
        if not m or m.group(1).split("/")[-1] not in ("fapi.h", "fapi_cdef.h", "stdin"):
            continue
        f = re.search(r"\b(fapi_\w+)\s*\(", m.group(2))
        if f:
            out[f.group(1)] = re.sub(r"\s+", " ", m.group(2))
    return out
ph, pc = protos(aux_h), protos(aux_cdef)
if not ph or not pc:
    fail("gcc -aux-info found no fapi_ function in " + ("fapi.h" if not ph else "fapi_cdef.h"))
    ph = pc = {}
for n in sorted(set(ph) ^ set(pc)):
    fail(f"function {n} is declared in {'fapi.h' if n in ph else 'fapi_cdef.h'} only")
for n in sorted(set(ph) & set(pc)):
    if ph[n] != pc[n]:
        fail(f"{n}: fapi.h declares `{ph[n]}`, fapi_cdef.h `{pc[n]}`")
tags = lambda s: set(re.findall(r"\b(?:struct|enum|union)\s+(fapi_\w+)", re.sub(r"//[^\n]*|/\*.*?\*/", "", s, flags=re.S)))
for n in sorted(tags(h) ^ tags(cdef)):
    fail(f"type {n} appears in {'fapi.h' if n in tags(h) else 'fapi_cdef.h'} only")
if ph and set(ph) == set(pc) and all(ph[n] == pc[n] for n in ph) and tags(h) == tags(cdef):
    print(f"check-header: ok: (b) fapi_cdef.h declares the same {len(ph)} function prototypes "
          f"and {len(tags(h))} fapi_ types as fapi.h")

# Not a failure (the header is generated): #defines that cbindgen's `trailer` puts after the
# include guard's #endif.
endif = [m.start() for m in re.finditer(r"^\s*#\s*endif\b", h, re.M)]
if endif:
    late = re.findall(r"^\s*#\s*define\s+(\w+)", h[endif[-1]:], re.M)
    if late:
        print(f"check-header: note: {', '.join(late)} are #defined after the include guard's "
              "#endif (cbindgen `trailer`; `after_includes` would put them inside)")
sys.exit(bad)
EOF

# --- (c) version -------------------------------------------------------------------------------
version=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="fapi-ffi"))')
hv=$(for p in MAJOR MINOR PATCH; do
  n=$(grep -cE "^[[:space:]]*#[[:space:]]*define[[:space:]]+FAPI_VERSION_${p}[[:space:]]" "$H" || true)
  if [ "$n" != 1 ]; then echo "?"; continue; fi
  sed -nE "s/^[[:space:]]*#[[:space:]]*define[[:space:]]+FAPI_VERSION_${p}[[:space:]]+([0-9]+)[uU]?[[:space:]]*$/\1/p" "$H"
done | paste -sd.)
# Cargo's version may carry pre-release/build metadata (1.2.3-rc.1): the header has only numbers.
if [ "$hv" = "${version%%[-+]*}" ]; then
  pass "(c) FAPI_VERSION_MAJOR/MINOR/PATCH = $hv = fapi-ffi $version (workspace version, Cargo.toml)"
else
  fail "(c) fapi.h says version ${hv:-none} (FAPI_VERSION_MAJOR/MINOR/PATCH), Cargo.toml says $version"
fi

# --- (d) exported symbols ----------------------------------------------------------------------
if [ ! -s "$tmp/aux-h.txt" ]; then
  fail "(d) skipped: gcc could not read fapi.h's declarations (see (a)/(b))"
elif make --no-print-directory -s lib >"$tmp/build.log" 2>&1; then
  dir=$(make --no-print-directory -s print-target-dir)/release
  so=$dir/libfapi.so a=$dir/libfapi.a
  nm -D --defined-only "$so" | awk '$2 ~ /^[TtWwiI]$/ && $3 ~ /^fapi_/ {print $3}' | sort -u >"$tmp/so.txt"
  nm -D --defined-only "$so" | awk '$2 !~ /^[TtWwiI]$/ && $3 ~ /^fapi_/ {print $2, $3}' >"$tmp/so-data.txt"
  nm --defined-only "$a" 2>/dev/null | awk '$2 == "T" && $3 ~ /^fapi_/ {print $3}' | sort -u >"$tmp/a.txt"
  sed -nE 's@^/\* ([^:]*/)?fapi\.h:[0-9]+:[A-Z]+ \*/ .*\b(fapi_[A-Za-z0-9_]+) \(.*@\2@p' "$tmp/aux-h.txt" |
    sort -u >"$tmp/declared.txt"
  # Hooks: functions fapi.h declares with an explicit `extern` — the integrator defines them.
  sed -nE 's/^[[:space:]]*extern[[:space:]].*\b(fapi_[A-Za-z0-9_]+)[[:space:]]*\(.*/\1/p' "$H" |
    sort -u >"$tmp/hooks.txt"
  comm -23 "$tmp/declared.txt" "$tmp/hooks.txt" >"$tmp/provided.txt"
  ok_d=1
  if [ ! -s "$tmp/so.txt" ]; then fail "(d) libfapi.so exports no fapi_ function"; ok_d=0; fi
  while read -r s; do fail "(d) libfapi.so exports $s, which fapi.h does not declare"; ok_d=0
  done < <(comm -13 "$tmp/declared.txt" "$tmp/so.txt")
  while read -r s; do fail "(d) fapi.h declares $s, which libfapi.so does not export"; ok_d=0
  done < <(comm -23 "$tmp/provided.txt" "$tmp/so.txt")
  while read -r s; do fail "(d) libfapi.so defines the integrator's hook $s"; ok_d=0
  done < <(comm -12 "$tmp/hooks.txt" "$tmp/so.txt")
  while read -r t s; do fail "(d) libfapi.so exports $s as a non-function (nm type $t)"; ok_d=0
  done <"$tmp/so-data.txt"
  if ! cmp -s "$tmp/so.txt" "$tmp/a.txt"; then
    fail "(d) libfapi.a and libfapi.so define different fapi_ functions: $(diff "$tmp/a.txt" "$tmp/so.txt" | grep '^[<>]' | paste -sd' ')"
    ok_d=0
  fi
  if [ "$ok_d" = 1 ]; then
    hooks=$(paste -sd, "$tmp/hooks.txt"); hooks=${hooks:-none}
    pass "(d) libfapi.so exports exactly the $(wc -l <"$tmp/so.txt") fapi_ functions fapi.h declares (nm -D --defined-only $so); libfapi.a defines the same; integrator hooks declared extern and not defined: $hooks"
  fi
else
  cat "$tmp/build.log" >&2
  fail "(d) make lib failed"
fi

if [ "$failed" = 0 ]; then
  echo "check-header: all checks passed"
else
  echo "check-header: FAILED" >&2
  exit 1
fi
