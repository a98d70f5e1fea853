#!/usr/bin/env bash
# Peak stack of RS256/PS256 verification (2048- and 4096-bit keys) on a Cortex-M4 under QEMU
# mps2-an386: builds examples/firmware and runs it. Fails if a verdict is wrong or a peak is over
# the budget set in examples/firmware/src/bin/rsa-stack.rs (see examples/firmware/README.md).
# Needs: rustup target thumbv7em-none-eabihf, qemu-system-arm (Debian package of that name).
# Honours CARGO_TARGET_DIR; TIMEOUT (seconds, default 120) bounds the QEMU run.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
fw="$here/examples/firmware"
target=thumbv7em-none-eabihf

command -v qemu-system-arm >/dev/null || { echo "qemu-system-arm not found (apt-get install qemu-system-arm)" >&2; exit 2; }

# A relative CARGO_TARGET_DIR means relative to the caller's directory, not the firmware's.
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then
    mkdir -p "$CARGO_TARGET_DIR"
    CARGO_TARGET_DIR=$(cd "$CARGO_TARGET_DIR" && pwd)
    export CARGO_TARGET_DIR
fi
cd "$fw"
cargo build --release --locked --target "$target" --bin rsa-stack
elf="${CARGO_TARGET_DIR:-$fw/target}/$target/release/rsa-stack"

if command -v llvm-size >/dev/null; then llvm-size "$elf"
elif command -v arm-none-eabi-size >/dev/null; then arm-none-eabi-size "$elf"; fi

# Same command as the runner in examples/firmware/.cargo/config.toml. Semihosting exit status
# is QEMU's exit status: 0 only if the firmware reported PASS.
timeout "${TIMEOUT:-120}" qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native -icount shift=0 -kernel "$elf"
