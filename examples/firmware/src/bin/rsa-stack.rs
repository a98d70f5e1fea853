//! Minimal Cortex-M4 harness for QEMU `mps2-an386`: peak stack (and instruction count) of one
//! RS256 / PS256 verification with 2048- and 4096-bit keys, through `fapi_core::rsa`.
//!
//! For each case the stack below the current stack pointer is painted with a pattern, the
//! verification runs, and the deepest overwritten word gives its peak stack use. Every case is
//! run with its valid Wycheproof signature (must verify) and with that signature tampered (must
//! not). Exits through semihosting with status 0 only if every verdict is right and every peak
//! is within its budget ([`STACK_BUDGET_2048`], [`STACK_BUDGET_4096`]). See README.md.
#![no_std]
#![no_main]

#[path = "../rsa_vectors.rs"]
mod rsa_vectors;

use core::panic::PanicInfo;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use fapi_core::rsa::{self, PublicKey, RsaScratch};
use fapi_firmware::{exit, measure, start_systick};
use rsa_vectors::*;

/// Peak stack allowed for one verification with a 2048-bit key (the CI gate): the measured
/// 9,224 B (PS256, a key new to the scratch, whose Montgomery parameters are built) rounded up
/// to the next KiB.
const STACK_BUDGET_2048: usize = 10 * 1024;
/// Same for a 4096-bit key: the measured 17,552 B rounded up to the next KiB. The goal
/// was 16 KiB; README.md explains where the 17.1 KiB goes.
const STACK_BUDGET_4096: usize = 18 * 1024;
#[derive(Clone, Copy)]
enum Alg {
    Rs256,
    Ps256,
}

struct Case {
    name: &'static str,
    alg: Alg,
    n: &'static [u8],
    e: &'static [u8],
    digest: &'static [u8; 32],
    sig: &'static [u8],
    budget: usize,
}

const CASES: [Case; 4] = [
    Case {
        name: "RS256-2048",
        alg: Alg::Rs256,
        n: &RS256_2048_N,
        e: &RS256_2048_E,
        digest: &RS256_2048_DIGEST,
        sig: &RS256_2048_SIG,
        budget: STACK_BUDGET_2048,
    },
    Case {
        name: "PS256-2048",
        alg: Alg::Ps256,
        n: &PS256_2048_N,
        e: &PS256_2048_E,
        digest: &PS256_2048_DIGEST,
        sig: &PS256_2048_SIG,
        budget: STACK_BUDGET_2048,
    },
    Case {
        name: "RS256-4096",
        alg: Alg::Rs256,
        n: &RS256_4096_N,
        e: &RS256_4096_E,
        digest: &RS256_4096_DIGEST,
        sig: &RS256_4096_SIG,
        budget: STACK_BUDGET_4096,
    },
    Case {
        name: "PS256-4096",
        alg: Alg::Ps256,
        n: &PS256_4096_N,
        e: &PS256_4096_E,
        digest: &PS256_4096_DIGEST,
        sig: &PS256_4096_SIG,
        budget: STACK_BUDGET_4096,
    },
];

fn verify(
    alg: Alg,
    key: &PublicKey,
    digest: &[u8; 32],
    sig: &[u8],
    scratch: &mut RsaScratch,
) -> bool {
    match alg {
        Alg::Rs256 => rsa::verify_pkcs1v15_sha256(key, digest, sig, scratch),
        Alg::Ps256 => rsa::verify_pss_sha256(key, digest, sig, scratch),
    }
}

#[entry]
fn main() -> ! {
    let mut cp = cortex_m::Peripherals::take().unwrap_or_else(|| fail("peripherals"));
    start_systick(&mut cp.SYST);

    // The caller-owned scratch (2.5 KiB with its Montgomery-parameter cache) and the key live
    // in main's frame, outside the measurement.
    let mut scratch;
    let mut all_ok = true;
    let mut worst = 0;
    hprintln!("fapi-core RSA verify on Cortex-M4 (QEMU mps2-an386), opt-level \"s\"");
    for case in &CASES {
        let Ok(key) = PublicKey::from_be(case.n, case.e) else {
            fail(case.name);
        };
        let mut tampered = [0u8; rsa::MAX_MODULUS_LEN];
        let tampered = &mut tampered[..case.sig.len()];
        tampered.copy_from_slice(case.sig);
        if let Some(last) = tampered.last_mut() {
            *last ^= 0x01;
        }
        // A fresh scratch: the valid signature is checked with a key new to it (parameters
        // built: the deepest path), the tampered one with the parameters kept.
        scratch = RsaScratch::new();
        for (label, sig, want) in [("valid", case.sig, true), ("tampered", &*tampered, false)] {
            let (got, used) = measure(&mut cp.SYST, &mut || {
                verify(case.alg, &key, case.digest, sig, &mut scratch)
            });
            let (stack, instr) = (used.stack, used.instructions);
            let right = got == want && stack <= case.budget;
            all_ok &= right;
            worst = worst.max(stack);
            hprintln!(
                "{:<10} {:<8} verdict={:<5} stack={:>5} B (budget {}) instructions={:>8} {}",
                case.name,
                label,
                got,
                stack,
                case.budget,
                instr,
                if right { "ok" } else { "FAIL" }
            );
        }
    }
    hprintln!(
        "peak stack {} B: {}",
        worst,
        if all_ok { "PASS" } else { "FAIL" }
    );
    exit(all_ok)
}

fn fail(what: &str) -> ! {
    fapi_firmware::setup_failed(what)
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    fapi_firmware::report_panic(info)
}
