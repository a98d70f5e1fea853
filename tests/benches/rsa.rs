//! Speed of the RSA primitives (`fapi_core::rsa`) against OpenSSL in the same run, printed
//! only (never asserted: timing is no test), and the smallest thread stack each verification
//! runs in on this host.
//!
//! `cargo bench -p fapi-tests --bench rsa`
//!
//! Times are CPU time of the measuring thread (as `openssl speed` measures), so load from other
//! processes inflates neither side. Inputs are the first valid case of each Wycheproof SHA-256 file (e = 65537). The OpenSSL
//! figures come from `openssl speed -seconds 1 rsa2048 rsa3072 rsa4096` run by this binary.
//! The stack probe runs one verification on a thread of a given stack size in a child process
//! (a stack overflow aborts the child) and bisects; thread stacks here are page-granular, at
//! least 16 KiB, and include glibc's thread descriptor and TLS, so small results read "≤".

use fapi_core::rsa::{self, PublicKey, RsaScratch};
use fapi_tests::bench::cpu_now;
use fapi_tests::hex;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::process::Command;

struct Case {
    name: &'static str,
    pss: bool,
    key: PublicKey,
    digest: [u8; 32],
    sig: Vec<u8>,
}

fn case(name: &'static str, file: &str, pss: bool) -> Case {
    let path = format!("{}/vectors/wycheproof/{file}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let g = &v["testGroups"][0];
    let strip = |h: &str| {
        let b = hex(h);
        let skip = b.iter().take_while(|&&x| x == 0).count();
        b[skip..].to_vec()
    };
    let n = strip(g["publicKey"]["modulus"].as_str().unwrap());
    let e = strip(g["publicKey"]["publicExponent"].as_str().unwrap());
    let t = g["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["result"] == "valid")
        .unwrap();
    Case {
        name,
        pss,
        key: PublicKey::from_be(&n, &e).unwrap(),
        digest: Sha256::digest(hex(t["msg"].as_str().unwrap())).into(),
        sig: hex(t["sig"].as_str().unwrap()),
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("RS256-2048", "rsa_signature_2048_sha256_test.json", false),
        case("RS256-3072", "rsa_signature_3072_sha256_test.json", false),
        case("RS256-4096", "rsa_signature_4096_sha256_test.json", false),
        case("PS256-2048", "rsa_pss_2048_sha256_mgf1_32_test.json", true),
        case("PS256-3072", "rsa_pss_3072_sha256_mgf1_32_test.json", true),
        case("PS256-4096", "rsa_pss_4096_sha256_mgf1_32_test.json", true),
    ]
}

fn run(c: &Case, sc: &mut RsaScratch) -> bool {
    if c.pss {
        rsa::verify_pss_sha256(&c.key, &c.digest, &c.sig, sc)
    } else {
        rsa::verify_pkcs1v15_sha256(&c.key, &c.digest, &c.sig, sc)
    }
}

/// Median and best of 7 batches of about 0.2 s of CPU time, in microseconds per verification.
/// Warm: one scratch throughout, so the modulus's Montgomery parameters are reused as for an
/// issuer key that signs every token. Cold: a fresh scratch per verification, as for a key
/// seen for the first time.
fn time(c: &Case, warm: bool) -> (f64, f64) {
    let mut sc = RsaScratch::new();
    assert!(run(c, &mut sc), "{}", c.name);
    let once = |sc: &mut RsaScratch| {
        if !warm {
            *sc = RsaScratch::new();
        }
        black_box(run(black_box(c), sc));
    };
    let t = cpu_now();
    let mut n = 0u32;
    while cpu_now() - t < 0.05 {
        once(&mut sc);
        n += 1;
    }
    let per_batch = (n * 4).max(10);
    let mut batches: Vec<f64> = (0..7)
        .map(|_| {
            let t = cpu_now();
            for _ in 0..per_batch {
                once(&mut sc);
            }
            (cpu_now() - t) * 1e6 / f64::from(per_batch)
        })
        .collect();
    batches.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (batches[3], batches[0])
}

/// Child mode: one verification of case `idx` on a thread with `stack` bytes.
fn probe_child(idx: usize, stack: usize) {
    let c = cases().swap_remove(idx);
    let mut sc = Box::new(RsaScratch::new());
    let ok = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || run(&c, &mut sc))
        .unwrap()
        .join()
        .unwrap();
    std::process::exit(if ok { 0 } else { 3 });
}

fn fits(idx: usize, stack: usize) -> bool {
    Command::new(std::env::current_exe().unwrap())
        .env("FAPI_RSA_STACK_PROBE", format!("{idx} {stack}"))
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Smallest page multiple of stack (bytes) the case runs in, between 16 KiB and 1 MiB.
fn min_stack(idx: usize) -> usize {
    const PAGE: usize = 4096;
    let (mut lo, mut hi) = (16 * 1024, 1024 * 1024);
    if fits(idx, lo) {
        return lo;
    }
    assert!(fits(idx, hi), "case {idx} does not run in 1 MiB");
    while hi - lo > PAGE {
        let mid = (lo + hi) / 2 / PAGE * PAGE;
        if fits(idx, mid) { hi = mid } else { lo = mid }
    }
    hi
}

/// OpenSSL's verify time per modulus size, from `openssl speed` (verifications per second,
/// which keeps more digits than its rounded seconds column). Empty if openssl is missing.
fn openssl_verify_us() -> Vec<(usize, f64)> {
    let out = match Command::new("openssl")
        .args(["speed", "-seconds", "1", "rsa2048", "rsa3072", "rsa4096"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            println!("  openssl not run: {e}");
            return Vec::new();
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = Vec::new();
    for line in text.lines() {
        // "rsa 2048 bits 0.000605s 0.000017s  1653.0  57862.3"
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 7
            && f[0] == "rsa"
            && f[2] == "bits"
            && let (Ok(bits), Ok(per_s)) = (f[1].parse::<usize>(), f[6].parse::<f64>())
        {
            found.push((bits, 1e6 / per_s));
        }
    }
    if found.is_empty() {
        println!("  (no rsa lines in the output)\n{text}");
    }
    found
}

fn main() {
    if let Ok(p) = std::env::var("FAPI_RSA_STACK_PROBE") {
        let mut it = p.split(' ').map(|x| x.parse::<usize>().unwrap());
        probe_child(it.next().unwrap(), it.next().unwrap());
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // Baselines in the same run: one raw ES256 (p256) and one Ed25519 (verify_strict) verify.
    let (es, ed) = {
        use p256::ecdsa::signature::{Signer as _, Verifier as _};
        let msg = b"baseline";
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let sig: p256::ecdsa::Signature = sk.sign(msg);
        let vk = *sk.verifying_key();
        let t = cpu_now();
        for _ in 0..200 {
            vk.verify(std::hint::black_box(msg), &sig).unwrap();
        }
        let es = (cpu_now() - t) * 1e6 / 200.0;
        let esk = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let esig = ed25519_dalek::Signer::sign(&esk, msg);
        let evk = esk.verifying_key();
        let t = cpu_now();
        for _ in 0..200 {
            evk.verify_strict(std::hint::black_box(msg), &esig).unwrap();
        }
        (es, (cpu_now() - t) * 1e6 / 200.0)
    };
    println!("baselines, same run: ES256 verify {es:.1} µs, Ed25519 verify_strict {ed:.1} µs");
    println!(
        "fapi-core RSA verify (crypto-bigint 0.7, e = 65537), CPU time, median (best) of 7 batches;"
    );
    println!("warm = the key's Montgomery parameters kept in the scratch, cold = a new key:");
    let cs = cases();
    let mut ours = Vec::new();
    for c in &cs {
        let (median, best) = time(c, true);
        let (cold, _) = time(c, false);
        ours.push((median, best));
        println!(
            "  {:<11} warm {median:>6.1} µs ({best:.1})  cold {cold:>6.1} µs  = {:.2}× ES256, {:.2}× Ed25519",
            c.name,
            median / es,
            median / ed
        );
    }
    println!("OpenSSL, same run (`openssl speed -seconds 1 rsa2048 rsa3072 rsa4096`):");
    let openssl = openssl_verify_us();
    for (bits, us) in &openssl {
        println!("  RSA-{bits:<7} {us:>8.1} µs verify");
    }
    if !openssl.is_empty() {
        println!("fapi-core (warm) / OpenSSL, same modulus size (median, best):");
        for (c, (median, best)) in cs.iter().zip(&ours) {
            let bits = c.key.bits();
            if let Some((_, o)) = openssl.iter().find(|(b, _)| *b == bits) {
                println!("  {:<11} {:.2}× ({:.2}×)", c.name, median / o, best / o);
            }
        }
    }
    println!("Smallest thread stack that runs one verification (x86-64 host, page-granular):");
    for (i, c) in cs.iter().enumerate() {
        let s = min_stack(i);
        let le = if s == 16 * 1024 { "≤" } else { "" };
        println!("  {:<11} {le}{} KiB", c.name, s / 1024);
    }
}
