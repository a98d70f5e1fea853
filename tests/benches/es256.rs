//! Speed of ES256 verification: `p256`'s verify, the fast path of `fapi_core::es256` per
//! table configuration, table build time and size, and OpenSSL in the same run. Printed only
//! (never asserted: timing is no test).
//!
//! `cargo bench -p fapi-tests --bench es256`
//!
//! Times are CPU time of the measuring thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), as
//! `openssl speed` measures (it divides by CPU time unless given `-elapsed`), so time spent
//! descheduled counts on neither side (a busy machine still slows both: shared caches and
//! cores). The configurations are timed round-robin (3 rounds) so that load changes spread
//! over all of them. Inputs: 64 signatures by one key over distinct digests, verified in turn.
//! OpenSSL's figure comes from `openssl speed -seconds 1 ecdsap256` run by this binary before
//! and after the measurements (verifications per second, which keeps more digits than its
//! seconds column); ratios use the mean of the two.
//!
//! Then the whole decision (`Verifier::decide`: a DPoP-bound ES256 token and a fresh ES256
//! proof per request, proofs signed before timing, each used once) for the generic path, the
//! gateway preset with a hot DPoP key (its table built by a first allowed decision) and with a
//! cold one (hot builds refused: G8 table + wNAF), the firmware preset, and EdDSA, each with
//! the token cache off and on, with ratios to the same OpenSSL verify. Goals (issue 9): fast
//! verify ≤ 0.5× OpenSSL; cached decision with a hot DPoP key < 1× OpenSSL.
//! `FAPI_BENCH_ONLY=decision-hot` (or `decision-generic`) runs only those decisions, for a
//! profiler.

use fapi_core::es256::{
    self, AffinePoint, Fe, PublicKey, Table, Window, verify_with_base_table, verify_with_tables,
    verify_without_tables,
};
use fapi_core::keytables::{TableConfig, Warm};
use fapi_core::request::{Context, Decision, Verifier};
use fapi_tests::bench::cpu_now;
use fapi_tests::{NOW, Signer, b64u_decode, dpop_token, jkt, jwks, proof, request, table_words};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::process::Command;

/// Microseconds per call of `f` for each of `batches` batches of about `secs` of CPU time.
fn batches(f: &mut dyn FnMut(), batches: usize, secs: f64) -> Vec<f64> {
    let t = cpu_now();
    let mut n = 0u32;
    while cpu_now() - t < secs / 4.0 {
        f();
        n += 1;
    }
    let per_batch = (n * 4).max(3);
    (0..batches)
        .map(|_| {
            let t = cpu_now();
            for _ in 0..per_batch {
                f();
            }
            (cpu_now() - t) * 1e6 / f64::from(per_batch)
        })
        .collect()
}

/// Median and best of a set of batch times.
fn median_best(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[0])
}

struct Sigs {
    digests: Vec<[u8; 32]>,
    sigs: Vec<[u8; 64]>,
}

impl Sigs {
    /// The next (digest, signature) after `*i`, in turn.
    fn at(&self, i: &mut usize) -> ([u8; 32], [u8; 64]) {
        *i = (*i + 1) % self.sigs.len();
        (self.digests[*i], self.sigs[*i])
    }
}

fn table(p: Option<&PublicKey>, bits: u32) -> Vec<AffinePoint> {
    let w = Window::new(bits).unwrap();
    let mut mem = vec![AffinePoint::ZERO; w.points()];
    let mut scratch = vec![Fe::ZERO; w.points()];
    match p {
        Some(k) => es256::build(k, w, &mut mem, &mut scratch).unwrap(),
        None => es256::build_base(w, &mut mem, &mut scratch).unwrap(),
    };
    mem
}

/// OpenSSL's ECDSA P-256 verify time in µs, from `openssl speed`; `None` if openssl is
/// missing or prints no such line.
fn get(ts: &[(u32, Vec<AffinePoint>)], b: u32) -> Table<'_> {
    let (_, mem) = ts.iter().find(|(x, _)| *x == b).unwrap();
    Table::from_built(Window::new(b).unwrap(), mem).unwrap()
}

fn openssl_verify_us() -> Option<f64> {
    let out = match Command::new("openssl")
        .args(["speed", "-seconds", "1", "ecdsap256"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            println!("  openssl not run: {e}");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  38542.2  11844.0"
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 8
            && f[1] == "bits"
            && f[3] == "(nistp256)"
            && let Ok(per_s) = f[7].parse::<f64>()
        {
            return Some(1e6 / per_s);
        }
    }
    println!("  (no nistp256 line in the output)\n{text}");
    None
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if let Ok(only) = std::env::var("FAPI_BENCH_ONLY") {
        profile_decision(&only);
        return;
    }
    let sk = SigningKey::from_slice(&Sha256::digest(b"es256 bench key")).unwrap();
    let vk = *sk.verifying_key();
    let key = PublicKey::from_verifying_key(&vk).unwrap();
    let mut digests = Vec::new();
    let mut sigs = Vec::new();
    let mut p256_sigs = Vec::new();
    for i in 0..64u32 {
        let d: [u8; 32] = Sha256::digest(i.to_be_bytes()).into();
        let s: Signature = sk.sign_prehash(&d).unwrap();
        digests.push(d);
        sigs.push(<[u8; 64]>::from(s.to_bytes()));
        p256_sigs.push(s);
    }
    let set = Sigs { digests, sigs };

    println!("OpenSSL first (`openssl speed -seconds 1 ecdsap256`, again at the end):");
    let openssl_before = openssl_verify_us();
    if let Some(o) = openssl_before {
        println!("  {:<44} {o:>7.1} µs", "OpenSSL ECDSA P-256 verify");
    }

    // Tables: G for each width used, the key for each.
    let g_bits = [12u32, 10, 8, 4];
    let q_bits = [8u32, 6, 4];
    let g_tables: Vec<(u32, Vec<AffinePoint>)> =
        g_bits.iter().map(|&b| (b, table(None, b))).collect();
    let q_tables: Vec<(u32, Vec<AffinePoint>)> =
        q_bits.iter().map(|&b| (b, table(Some(&key), b))).collect();

    // (label, G bits, Q bits): None = no table. The first entry is p256 itself.
    // The same verifications through the verifier's shared tables (atomic words, sequence
    // lock, thumbprint lookup): the gateway preset, the key's table built as a hot key.
    let words = table_words(&TableConfig::gateway(4));
    let hot_jkt: [u8; 32] = Sha256::digest(b"hot key thumbprint").into();
    let cold_jkt: [u8; 32] = Sha256::digest(b"cold key thumbprint").into();
    assert_eq!(words.warm(&hot_jkt, &key, 0), Warm::Built);
    assert!(words.has_table(&hot_jkt) && !words.has_table(&cold_jkt));
    let configs: [(&str, Option<u32>, Option<u32>); 11] = [
        ("p256 0.14 VerifyingKey::verify_prehash", None, Some(0)),
        ("fast G12/Q8", Some(12), Some(8)),
        ("fast G10/Q6", Some(10), Some(6)),
        ("fast G8/Q8", Some(8), Some(8)),
        ("fast G8/Q6", Some(8), Some(6)),
        ("fast G8/Q4", Some(8), Some(4)),
        ("fast G4/Q4", Some(4), Some(4)),
        ("G8 table, key by wNAF (key without table)", Some(8), None),
        ("no tables (interleaved wNAF)", None, None),
        (
            "KeyTables::verify gateway G8/Q6 (hot key)",
            Some(8),
            Some(6),
        ),
        ("KeyTables::verify gateway G8, key without", Some(8), None),
    ];
    let mut j = 0;
    let mut runners: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    for (label, gb, qb) in configs {
        let g = gb.map(|b| get(&g_tables, b));
        let q = qb.filter(|&b| b > 0).map(|b| get(&q_tables, b));
        let set = &set;
        let (vk, p256_sigs, key, words) = (&vk, &p256_sigs, &key, &words);
        if label.starts_with("KeyTables") {
            let jkt = if q.is_some() { hot_jkt } else { cold_jkt };
            runners.push(Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert_eq!(
                    words.verify(&jkt, key, black_box(&d), black_box(&s)),
                    Some(true)
                );
            }));
            continue;
        }
        runners.push(match (g, q, qb) {
            (None, None, Some(0)) => Box::new(move || {
                j = (j + 1) % 64;
                vk.verify_prehash(black_box(&set.digests[j]), &p256_sigs[j])
                    .unwrap();
            }),
            (Some(g), Some(q), _) => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert_eq!(
                    verify_with_tables(&g, &q, key, black_box(&d), black_box(&s)),
                    Ok(true)
                );
            }),
            (Some(g), None, _) => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert_eq!(
                    verify_with_base_table(&g, key, black_box(&d), black_box(&s)),
                    Ok(true)
                );
            }),
            _ => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert!(verify_without_tables(key, black_box(&d), black_box(&s)));
            }),
        });
    }
    // Round-robin: 3 rounds of 5 batches of ~0.1 s per configuration, so that load changes on
    // this shared machine spread over all of them alike.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    for _ in 0..3 {
        for (t, run) in times.iter_mut().zip(runners.iter_mut()) {
            t.extend(batches(run.as_mut(), 5, 0.1));
        }
    }
    drop(runners);
    println!(
        "ES256 verify, CPU time of this thread, median (best) of 15 batches in 3 rounds, 64 signatures by one key:"
    );
    let mut results = Vec::new();
    let mut p256_us = 0.0;
    for ((label, gb, qb), t) in configs.iter().zip(times) {
        let (med, best) = median_best(t);
        let bytes = gb.map_or(0, |b| Window::new(b).unwrap().bytes())
            + qb.and_then(Window::new).map_or(0, |w| w.bytes());
        if *qb == Some(0) {
            p256_us = med;
            println!("  {label:<44} {med:>7.1} µs ({best:.1})");
        } else {
            println!(
                "  {label:<44} {med:>7.1} µs ({best:.1})  = {:.2}× p256   tables {:>9} B (key table {} B)",
                med / p256_us,
                bytes,
                qb.and_then(Window::new).map_or(0, |w| w.bytes())
            );
        }
        results.push((*label, med, best));
    }

    println!("Table build (into caller memory, one inversion), CPU time, median (best):");
    for (label, p, bits) in [
        ("G12", None, 12u32),
        ("G10", None, 10),
        ("G8", None, 8),
        ("G4", None, 4),
        ("Q8", Some(&key), 8),
        ("Q6", Some(&key), 6),
        ("Q4", Some(&key), 4),
    ] {
        let w = Window::new(bits).unwrap();
        let mut mem = vec![AffinePoint::ZERO; w.points()];
        let mut scratch = vec![Fe::ZERO; w.points()];
        let (med, best) = median_best(batches(
            &mut || {
                let r = match p {
                    Some(k) => es256::build(k, w, &mut mem, &mut scratch).is_ok(),
                    None => es256::build_base(w, &mut mem, &mut scratch).is_ok(),
                };
                assert!(r);
            },
            5,
            0.2,
        ));
        println!(
            "  {label:<3}  {:>5} points {:>9} B  {:>8.1} µs ({best:.1})  = {:.1} p256 verifies",
            w.points(),
            w.bytes(),
            med,
            med / p256_us
        );
    }

    // Into the verifier's shared words: `KeyTables::init` (G8, gateway preset) and a hot key's
    // Q6 table (`KeyTables::warm`, as after a new key's first allowed decision).
    let cfg = TableConfig {
        builds_per_second: u32::MAX,
        ..TableConfig::gateway(4)
    };
    let kt = table_words(&cfg);
    let init: Vec<f64> = (0..5)
        .map(|_| {
            let t = cpu_now();
            kt.init().unwrap();
            (cpu_now() - t) * 1e6
        })
        .collect();
    let (med, best) = median_best(init);
    println!(
        "  G8 into KeyTables words (init, gateway preset)  {med:>8.1} µs ({best:.1})  = {:.1} p256 verifies",
        med / p256_us
    );
    let mut warm = Vec::new();
    for i in 0..48u32 {
        let sk = SigningKey::from_slice(&Sha256::digest(i.to_be_bytes())).unwrap();
        let pk = PublicKey::from_verifying_key(sk.verifying_key()).unwrap();
        let jkt: [u8; 32] = Sha256::digest(sk.verifying_key().to_sec1_point(false)).into();
        let t = cpu_now();
        let r = kt.warm(&jkt, &pk, u64::from(i));
        let us = (cpu_now() - t) * 1e6;
        if r == Warm::Built {
            warm.push(us);
        }
    }
    let n = warm.len();
    let (med, best) = median_best(warm);
    println!(
        "  Q6 hot key into KeyTables words (warm, {n} keys)  {med:>8.1} µs ({best:.1})  = {:.1} p256 verifies",
        med / p256_us
    );

    let decisions = decision_section(p256_us);

    let openssl_after = openssl_verify_us();
    let openssl: Vec<f64> = [openssl_before, openssl_after]
        .into_iter()
        .flatten()
        .collect();
    if !openssl.is_empty() {
        let o = openssl.iter().sum::<f64>() / openssl.len() as f64;
        println!(
            "OpenSSL, same run (`openssl speed -seconds 1 ecdsap256`, before and after): {} µs, mean {o:.1} µs",
            openssl
                .iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(" and ")
        );
        println!("Ratios to OpenSSL's verify (median, best; goal for the fast path: ≤ 0.5×):");
        for (label, med, best) in &results {
            println!("  {label:<44} {:.2}× ({:.2}×)", med / o, best / o);
        }
        println!(
            "Decisions (token + DPoP proof) against one OpenSSL ES256 verify (median, best; goal for the cached ES256 decision with a hot key: < 1×):"
        );
        for (label, med, best) in &decisions {
            println!("  {label:<60} {:.2}× ({:.2}×)", med / o, best / o);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The whole decision: `Verifier::decide` on a DPoP-bound token and a fresh proof per request.

/// Proofs each decision figure consumes: 3 rounds × 5 batches × `PER_BATCH`, plus warm-ups.
const PER_BATCH: usize = 300;
const ROUNDS: usize = 3;
const PROOFS: usize = ROUNDS * 5 * PER_BATCH + 2;

/// The ES256 tables a decision verifier keeps.
#[derive(Clone, Copy)]
enum Tables {
    /// None: `p256` for every ES256 signature (the generic path).
    None,
    /// [`TableConfig::gateway`]: G8, issuer keys and hot DPoP keys Q6.
    Gateway,
    /// The gateway preset with hot-key builds refused (`builds_per_second: 0`): the DPoP key
    /// never gets a table, as a key on its first request (G8 table + wNAF for the key).
    GatewayCold,
    /// [`TableConfig::firmware`]: G4, issuer keys Q4, no hot-key cache (DPoP keys: G4 + wNAF).
    Firmware,
}

/// One verifier (own replay table and token cache), its request and its proofs.
struct DecisionRun<'p> {
    verifier: Verifier<'static>,
    ctx: Box<Context>,
    auth: String,
    proofs: &'p [String],
    next: usize,
    cache: bool,
}

impl DecisionRun<'_> {
    fn decide(&mut self) {
        let d = [self.proofs[self.next].as_bytes()];
        self.next += 1;
        let a = [self.auth.as_bytes()];
        match self.verifier.decide(&mut self.ctx, &request(&a, &d)) {
            Decision::Allow(x) => assert_eq!(x.cache_hit(), self.cache),
            other => panic!("{:?}", other.error()),
        }
    }
}

fn decision_verifier(issuer: &Signer, kid: &str, cache: bool, tables: Tables) -> Verifier<'static> {
    let v = fapi_tests::bench::verifier(cache);
    let cfg = match tables {
        Tables::None => None,
        Tables::Gateway => Some(TableConfig::gateway(4)),
        Tables::GatewayCold => Some(TableConfig {
            builds_per_second: 0,
            ..TableConfig::gateway(4)
        }),
        Tables::Firmware => Some(TableConfig::firmware(4)),
    };
    let v = match cfg {
        Some(cfg) => v.with_tables(table_words(&cfg)),
        None => v,
    };
    // The issuer's keys through the verifier: with tables, this builds the issuer key's table.
    let other = Signer::ed25519(40);
    v.load_jwks(jwks(&[issuer.jwk_with_kid(kid), other.jwk_with_kid("other")]).as_bytes())
        .unwrap();
    v
}

/// A verifier ready for the steady state: the first request filled the token cache (if on)
/// and, with the gateway preset, built the DPoP key's hot table (an allowed decision); the
/// second ran in the steady state.
fn decision_run<'p>(
    issuer: &Signer,
    kid: &str,
    holder: &Signer,
    token: &str,
    proofs: &'p [String],
    cache: bool,
    tables: Tables,
) -> DecisionRun<'p> {
    let mut run = DecisionRun {
        verifier: decision_verifier(issuer, kid, cache, tables),
        ctx: Box::default(),
        auth: format!("DPoP {token}"),
        proofs,
        next: 0,
        cache: false,
    };
    run.decide();
    run.cache = cache;
    run.decide();
    if let (Some(t), Signer::Es256(_)) = (run.verifier.tables(), issuer) {
        let thumb = |s: &Signer| -> [u8; 32] { b64u_decode(&jkt(s)).try_into().unwrap() };
        assert!(t.has_table(&thumb(issuer)), "issuer key table");
        let hot = matches!(tables, Tables::Gateway);
        assert_eq!(t.has_table(&thumb(holder)), hot, "DPoP key table");
        assert_eq!(t.stats().builds, u32::from(hot), "hot builds");
    }
    run
}

/// Profiling aid: `FAPI_BENCH_ONLY=decision-hot` (or `decision-generic`) runs only 2,000
/// cached ES256 decisions of that kind (e.g. under callgrind).
fn profile_decision(only: &str) {
    let tables = match only {
        "decision-hot" => Tables::Gateway,
        "decision-generic" => Tables::None,
        other => panic!("FAPI_BENCH_ONLY: unknown {other}"),
    };
    let (es, holder) = (Signer::es256(1), Signer::es256(5));
    let token = dpop_token(&es, "es", &holder);
    let proofs: Vec<String> = (0..2002)
        .map(|i| {
            let j = format!("j{i}");
            proof(
                &holder,
                "GET",
                "https://rs.example.com/accounts",
                NOW,
                &j,
                Some(&token),
                None,
            )
        })
        .collect();
    let mut run = decision_run(&es, "es", &holder, &token, &proofs, true, tables);
    let t = cpu_now();
    for _ in 0..2000 {
        run.decide();
    }
    println!(
        "{only}: {:.1} µs per decision",
        (cpu_now() - t) * 1e6 / 2000.0
    );
}

/// Decision figures: (label, median µs, best µs).
fn decision_section(p256_us: f64) -> Vec<(String, f64, f64)> {
    let es = Signer::es256(1);
    let ed = Signer::ed25519(2);
    let es_holder = Signer::es256(5);
    let ed_holder = Signer::ed25519(6);
    let es_token = dpop_token(&es, "es", &es_holder);
    let ed_token = dpop_token(&ed, "ed", &ed_holder);
    let t = cpu_now();
    let gen_proofs = |holder: &Signer, token: &str| -> Vec<String> {
        (0..PROOFS)
            .map(|i| {
                proof(
                    holder,
                    "GET",
                    "https://rs.example.com/accounts",
                    NOW,
                    &format!("j{i}"),
                    Some(token),
                    None,
                )
            })
            .collect()
    };
    for (name, cfg) in [
        ("gateway(4)", TableConfig::gateway(4)),
        ("firmware(4)", TableConfig::firmware(4)),
    ] {
        println!(
            "Tables of TableConfig::{name}: {} B (TableConfig::bytes)",
            cfg.bytes().unwrap()
        );
    }
    let es_proofs = gen_proofs(&es_holder, &es_token);
    let ed_proofs = gen_proofs(&ed_holder, &ed_token);
    println!(
        "Decisions: {PROOFS} ES256 and {PROOFS} EdDSA proofs signed in advance ({:.1} s), each used once per figure",
        cpu_now() - t
    );

    let configs: [(&str, bool, Tables); 10] = [
        (
            "ES256, generic (p256), token cache off",
            false,
            Tables::None,
        ),
        ("ES256, generic (p256), token cache on", true, Tables::None),
        (
            "ES256, gateway G8/Q6, hot DPoP key, cache off",
            false,
            Tables::Gateway,
        ),
        (
            "ES256, gateway G8/Q6, hot DPoP key, cache on",
            true,
            Tables::Gateway,
        ),
        (
            "ES256, gateway G8/Q6, cold DPoP key (G8+wNAF), cache off",
            false,
            Tables::GatewayCold,
        ),
        (
            "ES256, gateway G8/Q6, cold DPoP key (G8+wNAF), cache on",
            true,
            Tables::GatewayCold,
        ),
        (
            "ES256, firmware G4/Q4 (DPoP key G4+wNAF), cache off",
            false,
            Tables::Firmware,
        ),
        (
            "ES256, firmware G4/Q4 (DPoP key G4+wNAF), cache on",
            true,
            Tables::Firmware,
        ),
        ("EdDSA (reference), cache off", false, Tables::None),
        ("EdDSA (reference), cache on", true, Tables::None),
    ];
    let mut runs: Vec<DecisionRun<'_>> = configs
        .iter()
        .map(|&(label, cache, tables)| {
            if label.starts_with("EdDSA") {
                decision_run(&ed, "ed", &ed_holder, &ed_token, &ed_proofs, cache, tables)
            } else {
                decision_run(&es, "es", &es_holder, &es_token, &es_proofs, cache, tables)
            }
        })
        .collect();

    // Round-robin, as the verifications above.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
    for _ in 0..ROUNDS {
        for (t, run) in times.iter_mut().zip(runs.iter_mut()) {
            for _ in 0..5 {
                let start = cpu_now();
                for _ in 0..PER_BATCH {
                    run.decide();
                }
                t.push((cpu_now() - start) * 1e6 / PER_BATCH as f64);
            }
        }
    }
    println!(
        "Decision (Verifier::decide, DPoP-bound token + fresh proof), CPU time, median (best) of 15 batches of {PER_BATCH} in 3 rounds:"
    );
    let mut out = Vec::new();
    for ((label, _, _), t) in configs.iter().zip(times) {
        let (med, best) = median_best(t);
        println!(
            "  {label:<60} {med:>7.1} µs ({best:.1})  = {:.2}× p256 verify",
            med / p256_us
        );
        out.push((label.to_string(), med, best));
    }
    let cold = |m: usize| out[m].1;
    println!(
        "  (a new DPoP key's first allowed decision also builds its Q6 table, see the build times; later ones are hot: cached cold − hot = {:.1} µs)",
        cold(5) - cold(3)
    );
    out
}
