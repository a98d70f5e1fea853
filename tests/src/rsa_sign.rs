//! Test-only RSA signing (RS256 and PS256) with the RFC 7515 Appendix A.2 key, whose private
//! exponent the RFC publishes — so RSA tokens and DPoP proofs can be minted for the decision
//! tables without another crate. Not constant time; never for real keys.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U2048};
use sha2::{Digest, Sha256};

/// The RFC 7515 A.2 key: base64url `n`, `e`, `d`.
pub const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
/// Public exponent of the A.2 key.
pub const RFC7515_A2_E: &str = "AQAB";
/// Private exponent of the A.2 key (published by the RFC).
pub const RFC7515_A2_D: &str = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";

fn raw(em: &[u8], n: &[u8], d: &[u8]) -> Vec<u8> {
    let n = Odd::new(U2048::from_be_slice(n)).expect("odd modulus");
    let params = FixedMontyParams::new_vartime(n);
    let m = FixedMontyForm::new(&U2048::from_be_slice(em), &params);
    m.pow(&U2048::from_be_slice(d))
        .retrieve()
        .to_be_bytes()
        .to_vec()
}

fn key() -> (Vec<u8>, Vec<u8>) {
    (
        crate::b64u_decode(RFC7515_A2_N),
        crate::b64u_decode(RFC7515_A2_D),
    )
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (RS256) over `msg`.
pub fn rs256(msg: &[u8]) -> Vec<u8> {
    let (n, d) = key();
    let prefix: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let mut em = vec![0xFFu8; n.len()];
    em[0] = 0;
    em[1] = 1;
    let t = n.len() - 19 - 32;
    em[t - 1] = 0;
    em[t..t + 19].copy_from_slice(&prefix);
    em[t + 19..].copy_from_slice(&Sha256::digest(msg));
    raw(&em, &n, &d)
}

fn mgf1(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut c = 0u32;
    while out.len() < len {
        out.extend_from_slice(
            &Sha256::new()
                .chain_update(seed)
                .chain_update(c.to_be_bytes())
                .finalize(),
        );
        c += 1;
    }
    out.truncate(len);
    out
}

/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and the 32-byte `salt` (PS256) over `msg`.
pub fn ps256(msg: &[u8], salt: &[u8; 32]) -> Vec<u8> {
    let (n, d) = key();
    let em_len = n.len(); // 2048-bit modulus: emBits = 2047, emLen = 256
    let m_hash = Sha256::digest(msg);
    let h = Sha256::new()
        .chain_update([0u8; 8])
        .chain_update(m_hash)
        .chain_update(salt)
        .finalize();
    let mut db = vec![0u8; em_len - 32 - 32 - 2];
    db.push(1);
    db.extend_from_slice(salt);
    let mask = mgf1(&h, db.len());
    for (b, m) in db.iter_mut().zip(mask) {
        *b ^= m;
    }
    db[0] &= 0x7F;
    let mut em = db;
    em.extend_from_slice(&h);
    em.push(0xbc);
    raw(&em, &n, &d)
}
