//! Library-only flash probe: one full resource-server decision — ES256, EdDSA/Ed25519, PS256
//! and RS256 tokens, ES256/EdDSA/PS256 proofs, JSON, DPoP with the replay table and server
//! nonces, certificate binding (DER, PEM, escaped PEM, RFC 9440), the token cache and the
//! challenges — reachable from one `decide` call whose inputs are read from RAM at run time, so
//! the optimiser can drop nothing. `footprint-baseline` is the same image without fapi; the
//! difference of their `.text` + `.rodata` is what fapi adds to a firmware
//! (`scripts/firmware-report.sh`). Never run: only linked and measured.
//!
//! With the feature `tables`, the same decision checks ES256 with the verifier's tables
//! (`fapi_core::keytables`, [`TableConfig::firmware`] for 4 keys): the report prints the flash
//! the fast path adds; the budgeted build stays the generic path.
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::ptr::{read_volatile, write_volatile};

use cortex_m_rt::entry;
use fapi_core::cache::TokenCache;
use fapi_core::config::Config;
use fapi_core::htu::PublicBase;
use fapi_core::jws::{Alg, AlgSet};
use fapi_core::keystore::KeyStore;
use fapi_core::mtls::CertEncoding;
use fapi_core::nonce::NonceKeys;
use fapi_core::policy::{Mode, Policy};
use fapi_core::replay::{ReplayCounters, ReplaySlot, ReplayView};
use fapi_core::request::{
    CertSource, ClientCert, Context, Decision, ReplayStore, Request, Verifier,
};

const INPUT_LEN: usize = 16 * 1024;
/// Fields of [`INPUT`]: JWKS, `Authorization`, `DPoP`, certificate, method, target, nonce
/// secret, issuer, audience, base.
const FIELDS: usize = 10;

/// Where a host or debugger would put the request (exported, so the linker and LTO must assume
/// someone writes it): a table of `FIELDS` (offset, length) pairs of `u32`, then the bytes.
#[unsafe(no_mangle)]
static mut INPUT: [u8; INPUT_LEN] = [0; INPUT_LEN];
/// The result (exported for the same reason).
#[unsafe(no_mangle)]
static mut OUTPUT: [u32; 4] = [0; 4];

static KEYS: KeyStore<4> = KeyStore::new();
static REPLAY: [ReplaySlot; 1024] = [const { ReplaySlot::new() }; 1024];
static COUNTERS: ReplayCounters = ReplayCounters::new();
static CACHE: TokenCache<64> = TokenCache::new();
static NONCES: NonceKeys = NonceKeys::new();
static mut CTX: Context<4> = Context::new();

#[cfg(feature = "tables")]
const TABLE_CONFIG: fapi_core::keytables::TableConfig =
    fapi_core::keytables::TableConfig::firmware(4);
#[cfg(feature = "tables")]
static TABLES: [core::sync::atomic::AtomicU32; match TABLE_CONFIG.words() {
    Some(n) => n,
    None => 0,
}] = [const { core::sync::atomic::AtomicU32::new(0) }; match TABLE_CONFIG.words() {
    Some(n) => n,
    None => 0,
}];

fn word(i: usize) -> u32 {
    // SAFETY: `i` < FIELDS * 2 (callers), so the read stays inside INPUT; volatile, so it is
    // never folded to the zero initialiser.
    unsafe { read_volatile((&raw const INPUT).cast::<u32>().add(i)) }
}

/// Field `i` of INPUT, or empty if its (offset, length) is out of range.
fn field(i: usize) -> &'static [u8] {
    let (off, len) = (word(2 * i) as usize, word(2 * i + 1) as usize);
    if !(FIELDS * 8..=INPUT_LEN).contains(&off) || len > INPUT_LEN - off {
        return &[];
    }
    // SAFETY: [off, off + len) lies inside INPUT (checked), which nothing in this program
    // writes; the pointer goes through black_box so the bytes are read at run time.
    unsafe {
        core::slice::from_raw_parts(
            core::hint::black_box((&raw const INPUT).cast::<u8>()).add(off),
            len,
        )
    }
}

fn text(i: usize) -> &'static str {
    core::str::from_utf8(field(i)).unwrap_or("")
}

#[entry]
fn main() -> ! {
    let out = decide();
    // SAFETY: the only writer of OUTPUT.
    unsafe { write_volatile(&raw mut OUTPUT, out) };
    loop {
        cortex_m::asm::wfi();
    }
}

fn decide() -> [u32; 4] {
    let Ok(base) = PublicBase::parse(text(9)) else {
        return [1, 0, 0, 0];
    };
    let bases = [base];
    let algs = AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519, Alg::Ps256, Alg::Rs256]);
    let Ok(cfg) = Config::builder(text(7), text(8), algs).build() else {
        return [2, 0, 0, 0];
    };
    let Ok(policy) = Policy::builder(cfg, &bases)
        .dpop(Mode::Optional)
        .mtls(Mode::Optional)
        .proof_algs(AlgSet::of(&[
            Alg::Es256,
            Alg::EdDsa,
            Alg::Ed25519,
            Alg::Ps256,
        ]))
        .nonce_required(true)
        .build()
    else {
        return [3, 0, 0, 0];
    };
    let now = u64::from(word(FIELDS * 2)) | (u64::from(word(FIELDS * 2 + 1)) << 32);
    let secret: &[u8; 32] = match field(6).try_into() {
        Ok(s) => s,
        Err(_) => return [4, 0, 0, 0],
    };
    let Ok(replay) = ReplayView::new(secret, &COUNTERS, &REPLAY) else {
        return [5, 0, 0, 0];
    };
    if NONCES.set_secret(secret, now).is_err() {
        return [6, 0, 0, 0];
    }
    let v = Verifier::new(
        &policy,
        KEYS.view(),
        ReplayStore::Table(replay),
        CACHE.view(),
        &NONCES,
    );
    #[cfg(feature = "tables")]
    let v = match fapi_core::keytables::KeyTables::new(&TABLES, TABLE_CONFIG) {
        Ok(t) if t.init().is_ok() => v.with_tables(t),
        _ => return [8, 0, 0, 0],
    };
    if v.load_jwks(field(0)).is_err() {
        return [7, 0, 0, 0];
    }
    let encoding = match word(FIELDS * 2 + 2) & 3 {
        0 => CertEncoding::Der,
        1 => CertEncoding::Pem,
        2 => CertEncoding::EscapedPem,
        _ => CertEncoding::ClientCertHeader,
    };
    let cert = field(3);
    let auth = [field(1)];
    let dpop = [field(2)];
    let req = Request {
        method: field(4),
        target: field(5),
        base: 0,
        authorization: &auth,
        dpop: &dpop,
        client_cert: (!cert.is_empty()).then_some(ClientCert {
            bytes: cert,
            encoding,
            source: if encoding == CertEncoding::Der {
                CertSource::TlsStack
            } else {
                CertSource::TrustedProxy
            },
        }),
        required_scopes: &["accounts"],
        now,
        introspection: None,
    };
    // SAFETY: the only reference to CTX.
    let ctx: *mut Context<4> = &raw mut CTX;
    let ctx = unsafe { &mut *ctx };
    match v.decide(ctx, &req) {
        Decision::Allow(a) => [
            200,
            a.claims().sub().map_or(0, |s| s.raw().len() as u32),
            a.dpop_nonce().map_or(0, |n| n.len() as u32),
            u32::from(a.cache_hit()),
        ],
        Decision::Deny(d) => [
            u32::from(d.status()),
            u32::from(d.error().code()),
            d.www_authenticate().len() as u32,
            d.dpop_nonce().map_or(0, |n| n.len() as u32),
        ],
        Decision::NeedsReplayCheck(c) => [0, c.key().len() as u32, 0, 0],
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}
