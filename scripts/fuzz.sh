#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target of fuzz/ for a bounded time each and fails on any finding
# (crash, panic, timeout, out-of-memory, or an allocation by fapi-core inside the call under
# test: the targets' allocator aborts then). Prints the executions per target.
#   scripts/fuzz.sh [TARGET...]          (default: every target)
# Environment: FUZZ_SECONDS per target (default 35), FUZZ_TOOLCHAIN (default the pinned
# nightly below), CARGO_TARGET_DIR (default target/ of the repository, subdirectory fuzz).
# New inputs go to a scratch corpus; the committed seeds (fuzz/seeds/<target>) are only read.
# A finding is kept in fuzz/artifacts/<target>/ and reproduced with
#   cargo +$FUZZ_TOOLCHAIN fuzz run --fuzz-dir fuzz <target> <artifact>
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain=${FUZZ_TOOLCHAIN:-nightly-2026-05-19}
secs=${FUZZ_SECONDS:-35}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}/fuzz
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz not found (cargo install cargo-fuzz --locked)" >&2; exit 2; }

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(cargo +"$toolchain" fuzz list --fuzz-dir fuzz | grep -v '^make_seeds$')
fi

t0=$SECONDS

cargo +"$toolchain" fuzz build --fuzz-dir fuzz
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - t0)) s; ${secs} s each"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
summary=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  if cargo +"$toolchain" fuzz run --fuzz-dir fuzz "$t" "$scratch/$t" "fuzz/seeds/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    summary+=("$(printf '  %-14s %10s executions  %s' "$t" "${runs:-?}" "$cov")")
  else
    failed=1
    summary+=("$(printf '  %-14s FINDING (see fuzz/artifacts/%s)' "$t" "$t")")
    grep -E 'panicked|ERROR|SUMMARY|allocated|Test unit written' "$log" | head -8 >&2
  fi
done
echo "fuzz: executions per target (${secs} s each, one process, this run):"
printf '%s\n' "${summary[@]}"
exit $failed
