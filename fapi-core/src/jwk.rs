//! Public JWKs and key sets (RFC 7517, RFC 7518 §6, RFC 8037), key selection, and RFC 7638
//! thumbprints.
//!
//! Keys are parsed from the strict [`crate::json`] reader into plain, pointer-free [`Jwk`]
//! values. A JWKS load is all-or-nothing: a malformed key, a key with private members, or more
//! usable keys than the capacity rejects the whole set and the previous set stays in force.
//! Well-formed keys that cannot verify (`use: enc`, unknown `kty`/`crv`, `key_ops` without
//! `verify`, an encryption `alg`) are skipped and counted, as real identity providers publish
//! them next to signing keys.

use crate::b64::{self, B64Error};
use crate::error::{CapacityError, Error, JwkError};
use crate::json::{self, JStr, JsonLimits, Kind, Object, Value};
use crate::jws::Alg;
use crate::sha::Sha256;

/// Longest `kid` fapi stores, in bytes after unescaping.
pub const MAX_KID_LEN: usize = 96;

/// The public key material of a usable verification key.
// Keys live in fixed arrays (no allocation): every slot is sized for the largest (RSA-4096).
#[allow(clippy::large_enum_variant)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// P-256 point, uncompressed coordinates `x ‖ y` (checked on the curve).
    P256([u8; 64]),
    /// Ed25519 public key (checked to decode and not be of small order).
    Ed25519([u8; 32]),
    /// RSA public key (2048–4096-bit odd modulus without a leading zero, odd e ≥ 3).
    Rsa(crate::rsa::PublicKey),
}

/// One public verification key, plain data with no pointers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    kid: [u8; MAX_KID_LEN],
    kid_len: u8,
    has_kid: bool,
    alg: Option<Alg>,
    material: KeyMaterial,
    thumbprint: [u8; 32],
}

impl Jwk {
    /// An empty slot value for fixed-size storage.
    pub const EMPTY: Self = Self {
        kid: [0; MAX_KID_LEN],
        kid_len: 0,
        has_kid: false,
        alg: None,
        // The first variant: with `alg: None`, an empty key is all zero bytes (so are fresh
        // key sets and contexts, which then live in `.bss`).
        material: KeyMaterial::P256([0; 64]),
        thumbprint: [0; 32],
    };

    /// The `kid`, if the key has one.
    pub fn kid(&self) -> Option<&[u8]> {
        if self.has_kid {
            self.kid.get(..usize::from(self.kid_len))
        } else {
            None
        }
    }

    /// The key's `alg` member, if present.
    pub fn alg(&self) -> Option<Alg> {
        self.alg
    }

    /// The public key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// The RFC 7638 SHA-256 thumbprint.
    pub fn thumbprint(&self) -> &[u8; 32] {
        &self.thumbprint
    }

    /// Whether this key can verify signatures made with `alg`: the key type and curve fit the
    /// algorithm, and the key's own `alg`, if any, names it (`EdDSA` and `Ed25519` are the same
    /// algorithm for an Ed25519 key).
    pub fn fits(&self, alg: Alg) -> bool {
        let type_fits = matches!(
            (alg, &self.material),
            (Alg::Es256, KeyMaterial::P256(_))
                | (Alg::EdDsa | Alg::Ed25519, KeyMaterial::Ed25519(_))
                | (Alg::Ps256 | Alg::Rs256, KeyMaterial::Rsa(_))
        );
        let alg_fits = match self.alg {
            None => true,
            Some(a) => a == alg || (a.is_eddsa() && alg.is_eddsa()),
        };
        type_fits && alg_fits
    }
}

/// What a JWKS load did.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Usable keys stored.
    pub loaded: usize,
    /// Well-formed keys skipped as unusable for verification.
    pub skipped: usize,
}

fn key_err(e: B64Error) -> Error {
    match e {
        B64Error::Encoding => JwkError::KeyEncoding.into(),
        B64Error::Length => JwkError::KeyLength.into(),
    }
}

fn as_str(v: Option<Value<'_>>) -> Result<Option<JStr<'_>>, Error> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or(Error::Jwk(JwkError::KeyMalformed)),
    }
}

/// Decodes a base64url key member of variable length (RSA `n`, `e`) through `text` into
/// `out`; too long for the buffers is `too_long`.
fn decode_into<'o>(
    s: &JStr<'_>,
    text: &mut [u8],
    out: &'o mut [u8],
    too_long: JwkError,
) -> Result<&'o [u8], Error> {
    let t = s.unescape_into(text).map_err(|_| too_long)?;
    b64::decode(t.as_bytes(), out).map_err(|e| match e {
        B64Error::Encoding => Error::Jwk(JwkError::KeyEncoding),
        B64Error::Length => Error::Jwk(too_long),
    })
}

/// Decodes a base64url key member that must be exactly `N` bytes. Members are decoded from
/// their unescaped form (a JSON escape in base64url text is legal, if odd).
fn decode_member<const N: usize>(s: JStr<'_>) -> Result<[u8; N], Error> {
    let mut buf = [0u8; 128];
    let text = s.unescape_into(&mut buf).map_err(|_| JwkError::KeyLength)?;
    b64::decode_exact::<N>(text.as_bytes()).map_err(key_err)
}

/// Parses one JWK object.
///
/// Returns `Ok(None)` for a well-formed key that cannot verify signatures (skipped).
///
/// # Errors
/// A [`JwkError`] for a malformed key or one with private members.
pub fn parse_jwk(obj: &Object<'_>) -> Result<Option<Jwk>, Error> {
    parse_jwk_with(obj, true)
}

/// As [`parse_jwk`], but leaves the curve-point check and the thumbprint to the caller, who
/// may have both cached for these exact key bytes ([`crate::dpop`]); the returned key's
/// thumbprint is zero.
pub(crate) fn parse_jwk_deferred(obj: &Object<'_>) -> Result<Option<Jwk>, Error> {
    parse_jwk_with(obj, false)
}

/// `full`: check the curve point and compute the thumbprint (JWKS loads); `false` leaves both
/// to the caller ([`parse_jwk_deferred`]).
fn parse_jwk_with(obj: &Object<'_>, full: bool) -> Result<Option<Jwk>, Error> {
    // One pass over the key's members.
    let [
        kty,
        use_,
        key_ops,
        alg,
        kid_v,
        crv,
        x,
        y,
        n_v,
        e_v,
        d,
        p,
        q,
        dp,
        dq,
        qi,
        oth,
        k,
    ] = obj.get_many([
        "kty", "use", "key_ops", "alg", "kid", "crv", "x", "y", "n", "e", "d", "p", "q", "dp",
        "dq", "qi", "oth", "k",
    ]);
    // Members only private or symmetric keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
    if [d, p, q, dp, dq, qi, oth, k].iter().any(Option::is_some) {
        return Err(JwkError::KeyPrivate.into());
    }
    let kty = as_str(kty)?.ok_or(JwkError::KeyMalformed)?;
    if let Some(u) = as_str(use_)?
        && !u.eq_str("sig")
    {
        return Ok(None);
    }
    if let Some(ops) = key_ops {
        let mut elements = ops.as_array().ok_or(JwkError::KeyMalformed)?;
        let mut verify = false;
        for op in &mut elements {
            let s = op.as_str().ok_or(JwkError::KeyMalformed)?;
            verify |= s.eq_str("verify");
        }
        if !verify {
            return Ok(None);
        }
    }
    let alg = match as_str(alg)? {
        None => None,
        Some(s) => match Alg::from_jstr(&s) {
            Some(a) => Some(a),
            None => return Ok(None),
        },
    };
    let mut kid = [0u8; MAX_KID_LEN];
    let (has_kid, kid_len) = match as_str(kid_v)? {
        None => (false, 0u8),
        Some(s) => {
            let n = s
                .unescape_into(&mut kid)
                .map_err(|_| JwkError::KidTooLong)?
                .len();
            (true, u8::try_from(n).map_err(|_| JwkError::KidTooLong)?)
        }
    };
    let material = if kty.eq_str("EC") {
        if !as_str(crv)?.ok_or(JwkError::KeyMalformed)?.eq_str("P-256") {
            return Ok(None);
        }
        let x = decode_member::<32>(as_str(x)?.ok_or(JwkError::KeyMalformed)?)?;
        let y = decode_member::<32>(as_str(y)?.ok_or(JwkError::KeyMalformed)?)?;
        let mut xy = [0u8; 64];
        let (xs, ys) = xy.split_at_mut(32);
        xs.copy_from_slice(&x);
        ys.copy_from_slice(&y);
        if full {
            crate::jws::p256_key(&xy).map_err(|_| JwkError::EcPointInvalid)?;
        }
        KeyMaterial::P256(xy)
    } else if kty.eq_str("OKP") {
        if !as_str(crv)?
            .ok_or(JwkError::KeyMalformed)?
            .eq_str("Ed25519")
        {
            return Ok(None);
        }
        let x = decode_member::<32>(as_str(x)?.ok_or(JwkError::KeyMalformed)?)?;
        if full {
            crate::jws::ed25519_key(&x).map_err(|_| JwkError::OkpKeyInvalid)?;
        }
        KeyMaterial::Ed25519(x)
    } else if kty.eq_str("RSA") {
        let n_str = as_str(n_v)?.ok_or(JwkError::KeyMalformed)?;
        let e_str = as_str(e_v)?.ok_or(JwkError::KeyMalformed)?;
        let (mut text, mut n) = ([0u8; 700], [0u8; crate::rsa::MAX_MODULUS_LEN + 1]);
        let n = decode_into(&n_str, &mut text, &mut n, JwkError::RsaModulusSize)?;
        let (mut e_text, mut e) = ([0u8; 16], [0u8; 8]);
        let e = decode_into(&e_str, &mut e_text, &mut e, JwkError::RsaExponent)?;
        KeyMaterial::Rsa(crate::rsa::PublicKey::from_be(n, e)?)
    } else {
        // oct without `k`, and unknown types.
        return Ok(None);
    };
    let mut jwk = Jwk {
        kid,
        kid_len,
        has_kid,
        alg,
        material,
        thumbprint: [0; 32],
    };
    if let Some(a) = alg
        && !jwk.fits(a)
    {
        // An `alg` for another key type (e.g. EdDSA on an EC key): not usable with this key.
        return Ok(None);
    }
    if full {
        jwk.thumbprint = thumbprint(&jwk.material);
    }
    Ok(Some(jwk))
}

/// Parses a single public JWK given as JSON text (e.g. a DPoP proof's `jwk`, or a pinned key).
///
/// # Errors
/// JSON errors, [`JwkError`]s, and [`JwkError::NoUsableKeys`] for a well-formed key that cannot
/// verify.
pub fn parse_jwk_json(json: &[u8], limits: &JsonLimits) -> Result<Jwk, Error> {
    let obj = json::parse_object(json, limits)?;
    parse_jwk(&obj)?.ok_or(Error::Jwk(JwkError::NoUsableKeys))
}

/// Walks a JWKS and hands every usable key to `sink`.
///
/// # Errors
/// JSON errors, [`JwkError::SetMalformed`], any key's error, [`JwkError::NoUsableKeys`], or
/// whatever `sink` returns.
pub fn for_each_key(
    json: &[u8],
    limits: &JsonLimits,
    mut sink: impl FnMut(usize, Jwk) -> Result<(), Error>,
) -> Result<LoadReport, Error> {
    let set = json::parse_object(json, limits)?;
    let keys = set
        .get("keys")
        .and_then(|v| v.as_array())
        .ok_or(JwkError::SetMalformed)?;
    let mut report = LoadReport::default();
    for v in keys {
        if v.kind() != Kind::Object {
            return Err(JwkError::SetMalformed.into());
        }
        let obj = v.as_object().ok_or(JwkError::SetMalformed)?;
        match parse_jwk(&obj)? {
            Some(k) => {
                sink(report.loaded, k)?;
                report.loaded += 1;
            }
            None => report.skipped += 1,
        }
    }
    if report.loaded == 0 {
        return Err(JwkError::NoUsableKeys.into());
    }
    Ok(report)
}

/// Limits for JWKS documents: depth 8 (`x5c` arrays inside keys), 64 members, 64 KiB.
pub const JWKS_LIMITS: JsonLimits = JsonLimits {
    max_depth: 8,
    max_members: json::MAX_MEMBERS_CAP,
    max_len: 65536,
};

/// A fixed-capacity key set for Rust `static`s and stack use.
#[derive(Clone, Debug)]
pub struct KeySet<const N: usize> {
    keys: [Jwk; N],
    len: usize,
}

impl<const N: usize> Default for KeySet<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> KeySet<N> {
    /// An empty set (usable in `static` initialisers).
    pub const fn new() -> Self {
        Self {
            keys: [Jwk::EMPTY; N],
            len: 0,
        }
    }

    /// Replaces the set with the keys of `json`. On any error the current set is unchanged.
    ///
    /// # Errors
    /// See [`for_each_key`]; [`CapacityError::KeySetFull`] when more than `N` keys are usable.
    pub fn load(&mut self, json: &[u8], limits: &JsonLimits) -> Result<LoadReport, Error> {
        // Pass 1 validates everything and counts; nothing is stored unless it all passes.
        for_each_key(json, limits, |i, _| {
            if i >= N {
                Err(CapacityError::KeySetFull.into())
            } else {
                Ok(())
            }
        })?;
        let keys = &mut self.keys;
        let report = for_each_key(json, limits, |i, k| {
            *keys.get_mut(i).ok_or(CapacityError::KeySetFull)? = k;
            Ok(())
        })?;
        self.len = report.loaded;
        Ok(report)
    }

    /// The keys currently in force.
    pub fn keys(&self) -> &[Jwk] {
        self.keys.get(..self.len).unwrap_or(&[])
    }
}

/// Selects the key that verifies a token with header `kid` and `alg`.
///
/// With a `kid`: the keys carrying it that fit `alg` (duplicate `kid`s are told apart by type
/// and `alg`, FAPI 2.0 §5.6); none carrying it → [`JwkError::UnknownKid`] (the host may refresh
/// its JWKS), none fitting → [`JwkError::AlgKeyMismatch`]. Without a `kid`: the one key that
/// fits, else [`JwkError::NoMatchingKey`]. Several candidates → [`JwkError::AmbiguousKey`].
///
/// # Errors
/// The [`JwkError`]s above.
pub fn select<'k>(keys: &'k [Jwk], kid: Option<&JStr<'_>>, alg: Alg) -> Result<&'k Jwk, Error> {
    let mut found: Option<&Jwk> = None;
    let mut kid_seen = false;
    for k in keys {
        if let Some(want) = kid {
            match k.kid() {
                Some(have) if want.eq_bytes(have) => kid_seen = true,
                _ => continue,
            }
        }
        if k.fits(alg) {
            if found.is_some() {
                return Err(JwkError::AmbiguousKey.into());
            }
            found = Some(k);
        }
    }
    match (found, kid, kid_seen) {
        (Some(k), _, _) => Ok(k),
        (None, Some(_), false) => Err(JwkError::UnknownKid.into()),
        (None, Some(_), true) => Err(JwkError::AlgKeyMismatch.into()),
        (None, None, _) => Err(JwkError::NoMatchingKey.into()),
    }
}

/// Feeds `"name":"base64url(bytes)"` into the hasher.
fn hash_member(h: &mut Sha256, name: &str, bytes: &[u8]) {
    let mut buf = [0u8; 2048];
    h.update(b"\"");
    h.update(name.as_bytes());
    h.update(b"\":\"");
    if let Ok(s) = b64::encode(bytes, &mut buf) {
        h.update(s.as_bytes());
    }
    h.update(b"\"");
}

/// The RFC 7638 SHA-256 thumbprint of public key material.
pub fn thumbprint(m: &KeyMaterial) -> [u8; 32] {
    let mut h = Sha256::new();
    match m {
        KeyMaterial::P256(xy) => {
            let (x, y) = xy.split_at(32);
            h.update(b"{\"crv\":\"P-256\",\"kty\":\"EC\",");
            hash_member(&mut h, "x", x);
            h.update(b",");
            hash_member(&mut h, "y", y);
            h.update(b"}");
        }
        KeyMaterial::Ed25519(x) => {
            h.update(b"{\"crv\":\"Ed25519\",\"kty\":\"OKP\",");
            hash_member(&mut h, "x", x);
            h.update(b"}");
        }
        KeyMaterial::Rsa(k) => return k.thumbprint(),
    }
    h.finalize().into()
}

/// The RFC 7638 thumbprint of an RSA key, members in the fixed order `e`, `kty`, `n`.
/// `n` and `e` are big-endian without leading zero octets (up to 4096-bit moduli).
pub fn thumbprint_rsa(n: &[u8], e: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"{");
    hash_member(&mut h, "e", e);
    h.update(b",\"kty\":\"RSA\",");
    hash_member(&mut h, "n", n);
    h.update(b"}");
    h.finalize().into()
}

/// Words of a [`Jwk`] in shared storage (see [`crate::keystore`]).
pub const JWK_WORDS: usize = 1 + MAX_KID_LEN / 4 + MATERIAL_WORDS + 8;
/// Words of key material: an RSA modulus (128), its length and its exponent.
const MATERIAL_WORDS: usize = crate::rsa::MAX_MODULUS_LEN / 4 + 2;

fn put_bytes(words: &mut [u32], bytes: &[u8]) {
    for (w, c) in words.iter_mut().zip(bytes.chunks(4)) {
        let mut b = [0u8; 4];
        for (d, s) in b.iter_mut().zip(c) {
            *d = *s;
        }
        *w = u32::from_le_bytes(b);
    }
}

fn get_bytes(words: &[u32], bytes: &mut [u8]) {
    for (c, w) in bytes.chunks_mut(4).zip(words) {
        for (d, s) in c.iter_mut().zip(w.to_le_bytes()) {
            *d = s;
        }
    }
}

const fn alg_code(a: Option<Alg>) -> u32 {
    match a {
        None => 0,
        Some(Alg::Es256) => 1,
        Some(Alg::EdDsa) => 2,
        Some(Alg::Ed25519) => 3,
        Some(Alg::Ps256) => 4,
        Some(Alg::Rs256) => 5,
    }
}

impl Jwk {
    /// Encodes the key as plain words for shared storage.
    pub fn to_words(&self) -> [u32; JWK_WORDS] {
        let mut w = [0u32; JWK_WORDS];
        let mut rsa_words = [0u8; MATERIAL_WORDS * 4];
        let (kind, material): (u32, &[u8]) = match &self.material {
            KeyMaterial::P256(xy) => (1, xy),
            KeyMaterial::Ed25519(x) => (2, x),
            KeyMaterial::Rsa(k) => {
                // [n_len: u32][e: u32][n: 512 bytes]
                let n = k.modulus();
                let (len, rest) = rsa_words.split_at_mut(4);
                len.copy_from_slice(&u32::try_from(n.len()).unwrap_or(0).to_le_bytes());
                let (e, nb) = rest.split_at_mut(4);
                e.copy_from_slice(&k.exponent().to_le_bytes());
                if let Some(dst) = nb.get_mut(..n.len()) {
                    dst.copy_from_slice(n);
                }
                (3, &rsa_words)
            }
        };
        let head = kind
            | alg_code(self.alg) << 8
            | u32::from(self.kid_len) << 16
            | u32::from(self.has_kid) << 24;
        let (h, rest) = w.split_at_mut(1);
        if let Some(x) = h.first_mut() {
            *x = head;
        }
        let (kid, rest) = rest.split_at_mut(MAX_KID_LEN / 4);
        put_bytes(kid, &self.kid);
        let (mat, tp) = rest.split_at_mut(MATERIAL_WORDS);
        put_bytes(mat, material);
        put_bytes(tp, &self.thumbprint);
        w
    }

    /// Decodes words written by [`Jwk::to_words`]; `None` for anything else (an empty or
    /// corrupted slot never becomes a key).
    pub fn from_words(w: &[u32; JWK_WORDS]) -> Option<Self> {
        let (h, rest) = w.split_at(1);
        let head = *h.first()?;
        let kid_len = u8::try_from((head >> 16) & 0xFF).ok()?;
        if usize::from(kid_len) > MAX_KID_LEN || head >> 25 != 0 {
            return None;
        }
        let alg = match (head >> 8) & 0xFF {
            0 => None,
            1 => Some(Alg::Es256),
            2 => Some(Alg::EdDsa),
            3 => Some(Alg::Ed25519),
            4 => Some(Alg::Ps256),
            5 => Some(Alg::Rs256),
            _ => return None,
        };
        let (kidw, rest) = rest.split_at(MAX_KID_LEN / 4);
        let (mat, tp) = rest.split_at(MATERIAL_WORDS);
        let mut kid = [0u8; MAX_KID_LEN];
        get_bytes(kidw, &mut kid);
        let material = match head & 0xFF {
            1 => {
                let mut xy = [0u8; 64];
                get_bytes(mat, &mut xy);
                KeyMaterial::P256(xy)
            }
            2 => {
                let mut x = [0u8; 32];
                get_bytes(mat, &mut x);
                KeyMaterial::Ed25519(x)
            }
            3 => {
                let mut b = [0u8; MATERIAL_WORDS * 4];
                get_bytes(mat, &mut b);
                let (len, rest) = b.split_at(4);
                let (e, n) = rest.split_at(4);
                let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
                let e = u32::from_le_bytes(e.try_into().ok()?).to_be_bytes();
                let skip = e.iter().take_while(|&&x| x == 0).count();
                let k = crate::rsa::PublicKey::from_be(n.get(..len)?, e.get(skip..)?).ok()?;
                KeyMaterial::Rsa(k)
            }
            _ => return None,
        };
        let mut thumbprint = [0u8; 32];
        get_bytes(tp, &mut thumbprint);
        Some(Self {
            kid,
            kid_len,
            has_kid: head & (1 << 24) != 0,
            alg,
            material,
            thumbprint,
        })
    }
}

impl<const N: usize> KeySet<N> {
    /// Replaces the contents with `keys` (at most `N`; extra keys are ignored by contract —
    /// callers pass at most `N`).
    pub fn set_from(&mut self, keys: impl Iterator<Item = Jwk>) {
        let mut n = 0;
        for (slot, k) in self.keys.iter_mut().zip(keys) {
            *slot = k;
            n += 1;
        }
        self.len = n;
    }

    /// Whether a key with this RFC 7638 thumbprint is in the set.
    pub fn contains_thumbprint(&self, tp: &[u8; 32]) -> bool {
        self.keys().iter().any(|k| &k.thumbprint == tp)
    }
}
