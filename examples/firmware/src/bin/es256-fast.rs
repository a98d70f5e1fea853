//! Instructions and peak stack of one ES256 verification on a Cortex-M4 (QEMU `mps2-an386`):
//! the generic path every firmware build uses (`p256`'s `verify_prehash`), and the fast path
//! (`fapi_core::es256` on fiat-crypto's 32-bit P-256 field) through the verifier's shared
//! tables (`fapi_core::keytables`) in several window configurations, with the RAM each
//! takes and the instructions its table builds cost.
//!
//! Every configuration checks a valid signature (must verify) and the same signature with one
//! bit flipped (must not); a key with a table and a key without one (G table alone) are both
//! measured. Exits through semihosting with status 0 only if every verdict is right
//! (`scripts/firmware-report.sh` runs it; figures in README.md).
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::sync::atomic::AtomicU32;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use fapi_core::es256::{PublicKey, Window, verify_without_tables};
use fapi_core::keytables::{KeyTables, TableConfig, Warm};
use fapi_firmware::{exit, measure, start_systick};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};

/// A configuration: G window, key window (`None`: G table only).
struct Conf {
    name: &'static str,
    g: Window,
    q: Option<Window>,
}

/// One hot-key slot per configuration, no issuer slots (the key's table is built by `warm`,
/// as a DPoP key's would be; an issuer key's table is the same table in another slot).
const fn config(g: Window, q: Option<Window>) -> TableConfig {
    TableConfig {
        base: g,
        issuer: None,
        issuer_keys: 0,
        hot: match q {
            Some(w) => Some(w),
            None => None,
        },
        hot_keys: if q.is_some() { 1 } else { 0 },
        builds_per_second: 1,
    }
}

const CONFS: [Conf; 5] = [
    Conf {
        name: "G4 only",
        g: Window::W4,
        q: None,
    },
    Conf {
        name: "G4/Q4",
        g: Window::W4,
        q: Some(Window::W4),
    },
    Conf {
        name: "G5/Q5",
        g: Window::W5,
        q: Some(Window::W5),
    },
    Conf {
        name: "G6/Q6",
        g: Window::W6,
        q: Some(Window::W6),
    },
    Conf {
        name: "G8/Q6",
        g: Window::W8,
        q: Some(Window::W6),
    },
];

/// Words for the largest configuration (G8/Q6: 349,304 bytes of the emulator's 4 MiB RAM).
const WORDS: usize = match config(Window::W8, Some(Window::W6)).words() {
    Some(n) => n,
    None => 0,
};
static TABLES: [AtomicU32; WORDS] = [const { AtomicU32::new(0) }; WORDS];

#[entry]
fn main() -> ! {
    let mut cp = cortex_m::Peripherals::take().unwrap_or_else(|| fail("peripherals"));
    start_systick(&mut cp.SYST);

    let sk = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap_or_else(|_| fail("key"));
    let vk = *sk.verifying_key();
    let digest = [0x5a; 32];
    let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap_or_else(|_| fail("signing"));
    let sig: [u8; 64] = sig.to_bytes().into();
    let mut bad = sig;
    bad[40] ^= 0x01;
    let pk = PublicKey::from_verifying_key(&vk).unwrap_or_else(|| fail("public key"));
    let jkt = [0x11; 32];
    let cases = [(&sig, true), (&bad, false)];
    let mut all_ok = true;
    let mut report = |what: &str, ram: usize, got: bool, want: bool, stack: usize, instr: u32| {
        let right = got == want;
        all_ok &= right;
        hprintln!(
            "{:<22} RAM {:>7} B  verdict={:<5} stack={:>5} B  instructions={:>9} {}",
            what,
            ram,
            got,
            stack,
            instr,
            if right { "ok" } else { "FAIL" }
        );
    };

    hprintln!("ES256 verify on Cortex-M4 (QEMU mps2-an386), opt-level \"s\"");
    for (s, want) in cases {
        let (got, u) = measure(&mut cp.SYST, &mut || {
            p256::ecdsa::Signature::from_slice(s)
                .is_ok_and(|s| vk.verify_prehash(&digest, &s).is_ok())
        });
        report("p256 (generic)", 0, got, want, u.stack, u.instructions);
        let (got, u) = measure(&mut cp.SYST, &mut || verify_without_tables(&pk, &digest, s));
        report("fiat, no tables", 0, got, want, u.stack, u.instructions);
    }
    for c in &CONFS {
        let cfg = config(c.g, c.q);
        let ram = cfg.bytes().unwrap_or(0);
        let Ok(t) = KeyTables::new(&TABLES, cfg) else {
            fail(c.name);
        };
        let (built, u) = measure(&mut cp.SYST, &mut || t.init().is_ok());
        if !built {
            fail(c.name);
        }
        hprintln!(
            "{:<22} build G table: stack={:>5} B  instructions={:>9}",
            c.name,
            u.stack,
            u.instructions
        );
        if c.q.is_some() {
            let (w, u) = measure(&mut cp.SYST, &mut || t.warm(&jkt, &pk, 1));
            if w != Warm::Built {
                fail(c.name);
            }
            hprintln!(
                "{:<22} build key table: stack={:>5} B  instructions={:>9}",
                c.name,
                u.stack,
                u.instructions
            );
        }
        for (s, want) in cases {
            let (got, u) = measure(&mut cp.SYST, &mut || {
                t.verify(&jkt, &pk, &digest, s) == Some(true)
            });
            report(c.name, ram, got, want, u.stack, u.instructions);
        }
    }
    hprintln!("{}", if all_ok { "PASS" } else { "FAIL" });
    exit(all_ok)
}

fn fail(what: &str) -> ! {
    fapi_firmware::setup_failed(what)
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    fapi_firmware::report_panic(info)
}
