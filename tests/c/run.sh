#!/usr/bin/env bash
# The C ABI suite (tests/c): builds libfapi once, generates the case table with the Rust
# generator (examples/gen_c_cases.rs), compiles tests/c/suite.c with
# `gcc -std=c11 -Wall -Wextra -Wpedantic -Werror`, and runs it twice:
#   1. with -fsanitize=address,undefined (leak detection on, UBSan halts on error);
#   2. without sanitizers under valgrind (memcheck, full leak check, every leak kind an error),
#      with smaller concurrency loads (--quick).
# Prints each run's result and a closing line "N passed, M failed" (N = checks over both runs,
# M = failed checks plus one per run that exited abnormally); exits non-zero on any failure.
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: <repo>/target)
#   FAPI_LIB_DIR      directory holding libfapi.a (default: $CARGO_TARGET_DIR/debug)
#   CC                C compiler (default: gcc)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"
cc=${CC:-gcc}
export CARGO_TERM_COLOR=never
cd "$root"
mkdir -p "$build"
t0=$SECONDS

step() { echo "--- $* ($((SECONDS - t0)) s)"; }

step "cargo build -p fapi-ffi"
cargo build -q -p fapi-ffi
lib_dir=${FAPI_LIB_DIR:-${CARGO_TARGET_DIR:-$root/target}/debug}
lib="$lib_dir/libfapi.a"
if [ ! -f "$lib" ]; then
  echo "run.sh: $lib not found (set FAPI_LIB_DIR)" >&2
  exit 2
fi

step "generate build/cases.inc (cargo run -p fapi-tests --example gen_c_cases)"
cargo run -q -p fapi-tests --example gen_c_cases > "$build/cases.inc.tmp"
# The output must be deterministic (deterministic keys, RFC 6979 / Ed25519 signatures).
cargo run -q -p fapi-tests --example gen_c_cases > "$build/cases.inc.again"
if ! cmp -s "$build/cases.inc.tmp" "$build/cases.inc.again"; then
  echo "FAIL [generator] gen_c_cases output differs between two runs"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f "$build/cases.inc.again"
mv "$build/cases.inc.tmp" "$build/cases.inc"
# Every result code the header defines, for the completeness check of the pinned list.
awk '/^#define FAPI_(OK|ERR_[A-Z0-9_]+) [0-9]+$/ { printf "  HDR(%s),\n", $2 }' \
  include/fapi.h > "$build/header_codes.inc"

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -I include -I "$here" -I "$build")
libs=("$lib" -lpthread -ldl -lm)
step "compile (ASan + UBSan)"
"$cc" "${cflags[@]}" -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=undefined "$here/suite.c" "${libs[@]}" -o "$build/suite-asan"
step "compile (plain, for valgrind)"
"$cc" "${cflags[@]}" -O1 "$here/suite.c" "${libs[@]}" -o "$build/suite"

total_pass=0
total_fail=0
# run NAME LOG COMMAND...: runs one suite binary and adds its counts to the totals.
run() {
  local name=$1 log=$2
  shift 2
  local status=0
  step "run: $name"
  "$@" > "$log" 2>&1 || status=$?
  cat "$log"
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
  if [ -z "$line" ]; then
    echo "FAIL [$name] the suite did not finish (exit status $status)"
    total_fail=$((total_fail + 1))
    return
  fi
  local p f
  p=${line%% passed*}
  f=${line#*, }
  f=${f%% failed}
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL [$name] exit status $status with every check passed (sanitizer or valgrind error)"
    total_fail=$((total_fail + 1))
  fi
}

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run "ASan + UBSan" "$build/asan.log" "$build/suite-asan"
run "valgrind" "$build/valgrind.log" \
  valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all \
  --show-leak-kinds=all "$build/suite" --quick

echo "--- done in $((SECONDS - t0)) s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
