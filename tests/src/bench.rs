//! What the benchmarks share.

/// This thread's CPU time in seconds. `openssl speed` divides by CPU time too (unless given
/// `-elapsed`), so both sides of a comparison leave out time spent descheduled on a shared VM.
pub fn cpu_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call, and
    // CLOCK_THREAD_CPUTIME_ID is supported by Linux for the calling thread.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// The benchmarks' shared verifier: the test policy on [`crate::BASE`], an empty 4-key store
/// (load keys with `load_jwks`, after `with_tables` if any, so issuer tables are built), a
/// 16,384-slot replay table, and a 64-entry token cache if `cache`.
pub fn verifier(cache: bool) -> fapi_core::request::Verifier<'static> {
    use crate::leak;
    use fapi_core::cache::{CacheView, TokenCache};
    use fapi_core::htu::PublicBase;
    use fapi_core::keystore::KeyStore;
    use fapi_core::nonce::NonceKeys;
    use fapi_core::policy::Policy;
    use fapi_core::replay::ReplayTable;
    use fapi_core::request::{ReplayStore, Verifier};
    let bases: &'static [PublicBase] = leak([PublicBase::parse(crate::BASE).expect("base")]);
    let policy = leak(
        Policy::builder(crate::config(), bases)
            .build()
            .expect("policy"),
    );
    let keys: &'static KeyStore<4> = leak(KeyStore::new());
    let replay: &'static ReplayTable<16384> = leak(ReplayTable::new([3; 32]));
    let tc: &'static TokenCache<64> = leak(TokenCache::new());
    Verifier::new(
        policy,
        keys.view(),
        ReplayStore::Table(replay.view()),
        if cache {
            tc.view()
        } else {
            CacheView::disabled()
        },
        leak(NonceKeys::new()),
    )
}
