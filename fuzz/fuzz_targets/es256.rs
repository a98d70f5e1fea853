//! The fast ES256 path (`fapi_core::es256`) against `p256`'s verify, differentially: every
//! verdict of the three paths (both tables, G table only, no tables) must equal p256's, for
//! any digest and signature under four fixed keys (tables built once, 4-bit windows), and for
//! any key the input brings (no tables). No panic, no allocation in the fast path.
#![no_main]
use fapi_core::es256::{self, AffinePoint, Fe, PublicKey, Window};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use std::sync::OnceLock;

struct Key {
    vk: VerifyingKey,
    fast: PublicKey,
    table: Vec<AffinePoint>,
}

struct Fixed {
    g: Vec<AffinePoint>,
    keys: Vec<Key>,
}

/// The four keys: private scalars 1, 2, n−1 (Q = −G) and a random-looking one.
pub fn secrets() -> [[u8; 32]; 4] {
    let mut n_minus_1 = [0xFF; 32];
    n_minus_1[4..].copy_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
        0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x50,
    ]);
    let one = {
        let mut k = [0u8; 32];
        k[31] = 1;
        k
    };
    let two = {
        let mut k = [0u8; 32];
        k[31] = 2;
        k
    };
    [one, two, n_minus_1, [0x5A; 32]]
}

fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| {
        let w = Window::W4;
        let mut scratch = vec![Fe::ZERO; w.points()];
        let mut g = vec![AffinePoint::ZERO; w.points()];
        es256::build_base(w, &mut g, &mut scratch).expect("G table");
        let keys = secrets()
            .iter()
            .map(|s| {
                let vk = *SigningKey::from_slice(s).expect("scalar").verifying_key();
                let fast = PublicKey::from_verifying_key(&vk).expect("key");
                let mut table = vec![AffinePoint::ZERO; w.points()];
                es256::build(&fast, w, &mut table, &mut scratch).expect("key table");
                Key { vk, fast, table }
            })
            .collect();
        Fixed { g, keys }
    })
}

fn reference(vk: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
    Signature::from_slice(sig).is_ok_and(|s| vk.verify_prehash(digest, &s).is_ok())
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let (Some(digest), Some(sig)) = (rest.get(..32), rest.get(32..96)) else {
        return;
    };
    let digest: &[u8; 32] = digest.try_into().expect("32");
    let sig: &[u8; 64] = sig.try_into().expect("64");
    let f = fixed();
    let w = Window::W4;
    if sel & 0x80 == 0 {
        let k = &f.keys[usize::from(sel) % f.keys.len()];
        let want = reference(&k.vk, digest, sig);
        let g = es256::Table::from_built(w, &f.g).expect("G");
        let q = es256::Table::from_built(w, &k.table).expect("Q");
        let (both, base, none) = no_alloc(|| {
            (
                es256::verify_with_tables(&g, &q, &k.fast, digest, sig),
                es256::verify_with_base_table(&g, &k.fast, digest, sig),
                es256::verify_without_tables(&k.fast, digest, sig),
            )
        });
        assert_eq!(both, Ok(want), "both tables vs p256");
        assert_eq!(base, Ok(want), "G table vs p256");
        assert_eq!(none, want, "no tables vs p256");
    } else if let Some(xy) = rest.get(96..160) {
        // A key from the input: the fast decoder and p256 agree on whether it is a point, and
        // then on the verdict.
        let (x, y) = xy.split_at(32);
        let fast = PublicKey::from_xy(x.try_into().expect("32"), y.try_into().expect("32"));
        let mut sec1 = vec![4u8];
        sec1.extend_from_slice(xy);
        let vk = VerifyingKey::from_sec1_bytes(&sec1).ok();
        assert_eq!(fast.is_some(), vk.is_some(), "point decoding vs p256");
        if let (Some(fast), Some(vk)) = (fast, vk) {
            let got = no_alloc(|| es256::verify_without_tables(&fast, digest, sig));
            assert_eq!(got, reference(&vk, digest, sig), "input key vs p256");
        }
    }
});
