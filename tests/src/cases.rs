//! The case-building pieces shared by the named-case tables (`tests/tests/cases.rs`,
//! `tests/tests/decision.rs`) and the C case generator (`examples/gen_c_cases.rs`): the keys
//! of the cases, exact header and claims text, and token surgery (re-signing exact segments,
//! swapping segments without re-signing, non-canonical base64url, malleated signatures).

use sha2::{Digest, Sha256};

use crate::{Signer, b64u, b64u_decode, good_claims, hex, jkt, sign_raw};

/// P-256 order n (big-endian).
pub const P256_N: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
/// Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493 (big-endian).
pub const ED25519_L: &str = "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

// ---------------------------------------------------------------------------------------------
// Keys.

/// The EC issuer key (kid `ec1` in the token tables, `k1` in the decision fixtures).
pub fn es() -> Signer {
    Signer::es256(1)
}
/// A second EC key.
pub fn es2() -> Signer {
    Signer::es256(2)
}
/// The Ed25519 issuer key (kid `ed1`).
pub fn ed() -> Signer {
    Signer::ed25519(1)
}
/// A second Ed25519 key.
pub fn ed2() -> Signer {
    Signer::ed25519(2)
}
/// An EC key no key set trusts.
pub fn attacker_es() -> Signer {
    Signer::es256(0x66)
}
/// An Ed25519 key no key set trusts.
pub fn attacker_ed() -> Signer {
    Signer::ed25519(0x66)
}
/// The DPoP key of most decision cases (ES256, so proofs can be malleated).
pub fn holder() -> Signer {
    Signer::es256(9)
}
/// An Ed25519 DPoP key.
pub fn holder_ed() -> Signer {
    Signer::ed25519(9)
}
/// Another key: signs proofs for tokens bound to [`holder`], or is bound itself.
pub fn other() -> Signer {
    Signer::es256(10)
}

/// The RFC 7638 thumbprint of a signer's public key, as bytes.
pub fn jkt_bytes(s: &Signer) -> [u8; 32] {
    b64u_decode(&jkt(s)).try_into().expect("32-byte thumbprint")
}

// ---------------------------------------------------------------------------------------------
// Header and claims text.

/// `{"alg":…,"typ":"at+jwt","kid":…}` as exact text.
pub fn hdr(alg: &str, kid: &str) -> String {
    format!(r#"{{"alg":"{alg}","typ":"at+jwt","kid":"{kid}"}}"#)
}
/// The standard header plus raw member text.
pub fn hdr_with(alg: &str, kid: &str, member: &str) -> String {
    add_member(&hdr(alg, kid), member)
}
/// `{"alg":…,"typ":"at+jwt"}` as exact text.
pub fn hdr_no_kid(alg: &str) -> String {
    format!(r#"{{"alg":"{alg}","typ":"at+jwt"}}"#)
}

/// Appends raw member text to the JSON object text `obj`.
pub fn add_member(obj: &str, member: &str) -> String {
    let body = obj.strip_suffix('}').expect("object text");
    if body.trim_end().ends_with('{') {
        format!("{body}{member}}}")
    } else {
        format!("{body},{member}}}")
    }
}

/// The good claims as text.
pub fn claims_text() -> String {
    good_claims().to_string()
}
/// The good claims with `name` removed.
pub fn claims_without(name: &str) -> String {
    let mut v = good_claims();
    v.as_object_mut().expect("object").remove(name);
    v.to_string()
}
/// The good claims with `name` set to the raw JSON text `raw`.
pub fn claims_with(name: &str, raw: &str) -> String {
    add_member(&claims_without(name), &format!("\"{name}\":{raw}"))
}
/// The good claims with `cnf` set to `cnf`.
pub fn claims_with_cnf(cnf: serde_json::Value) -> serde_json::Value {
    let mut c = good_claims();
    c["cnf"] = cnf;
    c
}

// ---------------------------------------------------------------------------------------------
// Tokens.

/// `claims` signed by [`es`] under the standard `ES256` header with kid `ec1`.
pub fn es_token(claims: &str) -> String {
    sign_raw(&es(), &hdr("ES256", "ec1"), claims)
}
/// `claims` signed by [`ed`] under the standard `EdDSA` header with kid `ed1`.
pub fn ed_token(claims: &str) -> String {
    sign_raw(&ed(), &hdr("EdDSA", "ed1"), claims)
}
/// The good claims signed by [`es`] under exactly `header`.
pub fn es_hdr_token(header: &str) -> String {
    sign_raw(&es(), header, &claims_text())
}

/// Signs exact header and payload bytes (which may be invalid UTF-8).
pub fn sign_bytes(signer: &Signer, header: &[u8], payload: &[u8]) -> String {
    sign_segments(signer, &b64u(header), &b64u(payload))
}
/// Signs exact segment text (which may be non-canonical base64url).
pub fn sign_segments(signer: &Signer, h: &str, p: &str) -> String {
    let input = format!("{h}.{p}");
    let sig = signer.sign(input.as_bytes());
    format!("{input}.{}", b64u(&sig))
}

/// The three segments of a compact token.
pub fn parts(token: &str) -> [String; 3] {
    let v: Vec<&str> = token.split('.').collect();
    assert_eq!(v.len(), 3, "three segments");
    [v[0].to_string(), v[1].to_string(), v[2].to_string()]
}
/// The decoded signature of a compact token.
pub fn sig_of(token: &str) -> Vec<u8> {
    b64u_decode(&parts(token)[2])
}
/// `token` with its signature replaced by `sig` (encoded).
pub fn with_sig(token: &str, sig: &[u8]) -> String {
    let [h, p, _] = parts(token);
    format!("{h}.{p}.{}", b64u(sig))
}
/// `token` with its signature segment replaced by the exact text `sig`.
pub fn with_sig_text(token: &str, sig: &str) -> String {
    let [h, p, _] = parts(token);
    format!("{h}.{p}.{sig}")
}
/// Replaces the payload with `payload` (re-encoded), keeping the old signature.
pub fn with_payload_unsigned(token: &str, payload: &[u8]) -> String {
    let [h, _, s] = parts(token);
    format!("{h}.{}.{s}", b64u(payload))
}
/// Replaces the header with `header` (re-encoded), keeping the old signature.
pub fn with_header_unsigned(token: &str, header: &[u8]) -> String {
    let [_, p, s] = parts(token);
    format!("{}.{p}.{s}", b64u(header))
}
/// A copy of `token` with bit mask `bit` flipped in signature byte `i`.
pub fn flip(token: &str, i: usize, bit: u8) -> String {
    let mut s = sig_of(token);
    s[i] ^= bit;
    with_sig(token, &s)
}
/// A copy of `jws` with one signature bit flipped.
pub fn bad_signature(jws: &str) -> String {
    flip(jws, 10, 0x01)
}
/// The ES256 JWS with signature `(r, s)` replaced by `(r, n − s)`: also valid (JWS has no
/// low-S rule), different bytes, same key and claims.
pub fn malleate(es256_jws: &str) -> String {
    let sig = sig_of(es256_jws);
    assert_eq!(sig.len(), 64, "ES256 signature");
    let mut out = sig[..32].to_vec();
    out.extend(be_sub(&hex(P256_N), &sig[32..]));
    assert_ne!(out, sig, "malleated signature differs");
    with_sig(es256_jws, &out)
}

// ---------------------------------------------------------------------------------------------
// Non-canonical base64url and JSON text.

/// Pads JSON text with trailing whitespace until its base64url form has a partial last group.
pub fn partial_group(mut json: String) -> String {
    while json.len().is_multiple_of(3) {
        json.push(' ');
    }
    json
}
/// Adds the `=` padding standard base64 would put on `seg`.
pub fn padded(seg: &str) -> String {
    let k = (4 - seg.len() % 4) % 4;
    assert!(k > 0, "segment needs padding");
    format!("{seg}{}", "=".repeat(k))
}
/// The base64url alphabet.
pub const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Sets a (must-be-zero) trailing bit of the last character of `seg`.
pub fn dirty_tail(seg: &str) -> String {
    assert!(!seg.len().is_multiple_of(4), "segment has trailing bits");
    let last = *seg.as_bytes().last().expect("non-empty");
    let v = B64URL.iter().position(|&c| c == last).expect("alphabet");
    assert_eq!(v & 1, 0, "canonical tail");
    format!("{}{}", &seg[..seg.len() - 1], B64URL[v | 1] as char)
}
/// Translates base64url to the standard alphabet.
pub fn to_std_alphabet(seg: &str) -> String {
    assert!(seg.contains(['-', '_']), "segment has url-only characters");
    seg.replace('-', "+").replace('_', "/")
}
/// Nested arrays: `depth` opening then closing brackets.
pub fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

// ---------------------------------------------------------------------------------------------
// HMAC and big-integer arithmetic.

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        let d: [u8; 32] = Sha256::digest(key).into();
        k[..32].copy_from_slice(&d);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let mut inner = Sha256::new();
    inner.update(&ipad);
    inner.update(msg);
    let inner: [u8; 32] = inner.finalize().into();
    let mut outer = Sha256::new();
    outer.update(&opad);
    outer.update(inner);
    let out: [u8; 32] = outer.finalize().into();
    out.to_vec()
}
/// The good claims under exactly `header`, MACed with HMAC-SHA256 under `key`.
pub fn hmac_token(header: &str, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64u(header.as_bytes()),
        b64u(claims_text().as_bytes())
    );
    let mac = hmac_sha256(key, input.as_bytes());
    format!("{input}.{}", b64u(&mac))
}

/// `a - b` for equal-length big-endian integers, `a >= b`.
pub fn be_sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = u8::try_from(d).expect("byte");
    }
    assert_eq!(borrow, 0, "a >= b");
    out
}
/// `a + b` for equal-length little-endian integers, without overflow.
pub fn le_add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in 0..a.len() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = u8::try_from(s & 0xff).expect("byte");
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "no overflow");
    out
}
/// One DER INTEGER from a big-endian unsigned value.
pub fn der_int(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, u8::try_from(v.len()).expect("short integer")];
    out.extend(v);
    out
}
/// The ASN.1 DER form of an ECDSA `r ‖ s` signature.
pub fn der_sig(rs: &[u8]) -> Vec<u8> {
    let mut body = der_int(&rs[..32]);
    body.extend(der_int(&rs[32..]));
    let mut out = vec![0x30, u8::try_from(body.len()).expect("short sequence")];
    out.extend(body);
    out
}

// ---------------------------------------------------------------------------------------------
// Tokens and keys of named cases both the Rust tables and the C generator hold.

/// The token `good` cut into a wrong number of segments: 1, 2, 4 and 5 (the JWE shape), with
/// the case names of the tables.
pub fn segment_count_tokens(good: &str) -> [(&'static str, String); 4] {
    let [h, p, s] = parts(good);
    [
        ("1 segment", h.clone()),
        ("2 segments", format!("{h}.{p}")),
        ("4 segments", format!("{h}.{p}.{s}.{s}")),
        ("5 segments (JWE shape)", format!("{h}.{p}.{s}.{p}.{s}")),
    ]
}

/// A properly signed [`es_token`] of exactly 64 KiB (a `pad` claim fills it).
pub fn big_token() -> String {
    let pad = |n: usize| es_token(&claims_with("pad", &format!("\"{}\"", "x".repeat(n))));
    let mut filler = (64 * 1024 - pad(0).len()) * 3 / 4 - 8;
    let big = loop {
        let t = pad(filler);
        if t.len() >= 64 * 1024 {
            break t;
        }
        filler += 1;
    };
    assert_eq!(big.len(), 64 * 1024, "exactly 64 KiB");
    big
}

/// The standard `ES256`/`ec1` header padded (by a `pad` member) to exactly `len` bytes.
pub fn sized_hdr(len: usize) -> String {
    let h = hdr_with("ES256", "ec1", r#""pad":"""#);
    let h = h.replace(
        r#""pad":"""#,
        &format!("\"pad\":\"{}\"", "x".repeat(len - h.len())),
    );
    assert_eq!(h.len(), len);
    h
}

/// [`holder`]'s public JWK with member `name` set to `v`.
pub fn holder_jwk_with(name: &str, v: impl Into<serde_json::Value>) -> serde_json::Value {
    let mut jwk = holder().public_jwk();
    jwk[name] = v.into();
    jwk
}

/// [`holder`]'s JWK with its real private scalar `d`.
pub fn holder_private_jwk() -> serde_json::Value {
    // The private scalar of `Signer::es256(9)`.
    let mut d = [0x11u8; 32];
    d[0] = 0x42;
    d[31] = 9;
    holder_jwk_with("d", b64u(&d))
}
