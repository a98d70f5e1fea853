//! What the fuzz targets share: an allocator that aborts when fapi-core allocates inside a
//! guarded call, and the fixtures the targets decide requests against.
//!
//! libFuzzer, `arbitrary` and the fixture builders (`fapi-tests`, `serde_json`) allocate; only
//! the call under test runs inside [`no_alloc`], so an allocation there is fapi's and a crash.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use fapi_tests::{Fixture, Signer};

/// True while the call under test runs.
static ARMED: AtomicBool = AtomicBool::new(false);

/// The system allocator, aborting the process when asked for memory while [`ARMED`].
pub struct Guard;

fn refuse() -> ! {
    // Static bytes to unbuffered stderr: no allocation on the way to the abort.
    let _ = std::io::stderr().write_all(b"fapi-fuzz: fapi-core allocated inside a guarded call\n");
    std::process::abort()
}

// SAFETY: every method forwards to `System` with the caller's own arguments, which satisfy
// `GlobalAlloc`'s contract because the caller's do; refusing (abort) never returns memory.
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.load(Ordering::Relaxed) {
            refuse();
        }
        // SAFETY: forwarded unchanged (see the impl's comment).
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if ARMED.load(Ordering::Relaxed) {
            refuse();
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ARMED.load(Ordering::Relaxed) {
            refuse();
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Guard = Guard;

/// Runs `f` with allocation forbidden (the call under test).
pub fn no_alloc<R>(f: impl FnOnce() -> R) -> R {
    ARMED.store(true, Ordering::Relaxed);
    let r = f();
    ARMED.store(false, Ordering::Relaxed);
    r
}

/// The key id of the issuer keys in [`fixture`].
pub const KID_ES: &str = "es";
/// The key id of the Ed25519 issuer key in [`fixture`].
pub const KID_ED: &str = "ed";

/// The issuer's ES256 key.
pub fn issuer_es() -> Signer {
    Signer::es256(1)
}

/// The issuer's Ed25519 key.
pub fn issuer_ed() -> Signer {
    Signer::ed25519(2)
}

/// A fixture with both issuer keys, DPoP and mTLS allowed, nonces not required, cache on.
pub fn fixture() -> Fixture {
    Fixture::new(&[(&issuer_es(), KID_ES), (&issuer_ed(), KID_ED)], |b| b)
}

/// The DPoP proofs' holder key in the seeds.
pub fn holder() -> Signer {
    Signer::es256(9)
}

/// The access tokens of the seed corpus, by name: the fixture's issuer keys signed them.
pub fn seed_tokens() -> Vec<(&'static str, String)> {
    let es = issuer_es();
    vec![
        ("es256", fapi_tests::good_token(&es, KID_ES)),
        ("eddsa", fapi_tests::good_token(&issuer_ed(), KID_ED)),
        (
            "ps256",
            fapi_tests::good_token(&Signer::Rsa { pss: true }, "rsa"),
        ),
        ("dpop-bound", fapi_tests::dpop_token(&es, KID_ES, &holder())),
    ]
}

/// The DPoP proofs of the seed corpus, by name, for the `dpop-bound` seed token.
pub fn seed_proofs(bound: &str) -> Vec<(&'static str, String)> {
    use fapi_tests::dpop::pf;
    let h = holder();
    let htu = format!("{}/accounts", fapi_tests::BASE);
    vec![
        ("good", pf(&h, &htu, Some(bound), "seed-1").sign()),
        ("no-ath", pf(&h, &htu, None, "seed-2").sign()),
        (
            "post",
            pf(&h, &htu, Some(bound), "seed-3")
                .claim("htm", "POST")
                .sign(),
        ),
        (
            "nonce",
            pf(&h, &htu, Some(bound), "seed-4")
                .claim("nonce", "abc")
                .sign(),
        ),
        (
            "eddsa",
            pf(&Signer::ed25519(7), &htu, Some(bound), "seed-5").sign(),
        ),
        ("unsigned", pf(&h, &htu, Some(bound), "seed-6").unsigned()),
    ]
}

/// The signing inputs of compact JWSs (named, as the `seed_*` functions give them): what a
/// target may see verify, since only the fixtures' keys signed them.
pub fn signing_inputs(signed: &[(&str, String)]) -> Vec<Vec<u8>> {
    signed
        .iter()
        .filter_map(|(_, t)| signing_input(t.as_bytes()).map(<[u8]>::to_vec))
        .collect()
}

/// The signing input (`header.payload`) of a compact JWS, or `None`.
pub fn signing_input(jws: &[u8]) -> Option<&[u8]> {
    jws.iter().rposition(|&b| b == b'.').map(|i| &jws[..i])
}

/// JARM responses of the seed corpus, by name: JWTs the test authorization server's keys
/// signed (`fapi_tests::client`), for each of its algorithms.
pub fn seed_jarm() -> Vec<(&'static str, String)> {
    use fapi_tests::client as tc;
    ["ES256", "EdDSA", "PS256"]
        .iter()
        .map(|&alg| (alg, tc::jarm(alg, &tc::jarm_claims())))
        .collect()
}

/// ID tokens of the seed corpus, by name, signed by the test authorization server.
pub fn seed_id_tokens() -> Vec<(&'static str, String)> {
    use fapi_tests::client as tc;
    ["ES256", "EdDSA", "PS256"]
        .iter()
        .map(|&alg| {
            let (s, kid) = tc::as_signer(alg);
            (alg, tc::signed(&s, kid, None, &tc::id_claims()))
        })
        .collect()
}
