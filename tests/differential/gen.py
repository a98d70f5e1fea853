#!/usr/bin/env python3
"""Writes the differential cases: access tokens and DPoP proofs made at random (keys ES256,
EdDSA/Ed25519, PS256, RS256; claims; headers) and mutated, one JSON object per line.

    gen.py --seed 1 --count 3000 --out cases.jsonl

A case is {"id", "kind": "at"|"dpop", "token", "algs", "now", "jwks" (at) or "dpop" (the
request: method, htu, access_token), "tags", "classes", "well_formed", "expect",
"expect_fapi"}:

- "tags" name every mutation applied (for the per-mutation counts);
- "classes" are the stricter-by-design classes those mutations exercise: a case where fapi
  refuses and the reference accepts is explained only by one of them (see compare.py);
- "well_formed" is true when every mutation keeps the input inside the specifications
  (member order, whitespace, escapes, times, claim values, extra keys...): fapi and the
  reference must then give the same verdict, no class excuses a difference;
- "expect" is the verdict the generator predicts for the reference, "expect_fapi" for fapi
  (null when a combination of mutations makes it unsure). A wrong prediction fails the run,
  so a harness that refused everything (a broken key set, a wrong clock) cannot pass.

The generator knows nothing of either verifier: it only writes and signs bytes (Python
`cryptography`; deterministic ECDSA, so the same seed gives the same cases byte for byte, except
the random salt OpenSSL puts in RSASSA-PSS signatures, on which no verdict depends).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISS = "https://as.example.com"
AUD = "https://rs.example.com"
NOW = 1_700_000_000
LEEWAY = 10
MAX_AGE = 300
URL = "https://rs.example.com/accounts"
FAPI2 = ["ES256", "EdDSA", "Ed25519", "PS256"]
WIDE = FAPI2 + ["RS256"]
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Keys.


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def int_b64u(n):
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Key:
    """A private key of one type and the JWS algorithms it signs."""

    def __init__(self, kind, priv, name):
        self.kind, self.priv, self.name = kind, priv, name

    def algs(self):
        return {"EC": ["ES256"], "OKP": ["EdDSA", "Ed25519"], "RSA": ["PS256", "RS256"]}[self.kind]

    def public_jwk(self):
        pub = self.priv.public_key()
        if self.kind == "EC":
            n = pub.public_numbers()
            return {"kty": "EC", "crv": "P-256", "x": b64u(n.x.to_bytes(32, "big")),
                    "y": b64u(n.y.to_bytes(32, "big"))}
        if self.kind == "OKP":
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
            return {"kty": "OKP", "crv": "Ed25519",
                    "x": b64u(pub.public_bytes(Encoding.Raw, PublicFormat.Raw))}
        n = pub.public_numbers()
        return {"kty": "RSA", "n": int_b64u(n.n), "e": int_b64u(n.e)}

    def private_member(self):
        """One private member (for 'jwk with private parts' mutations)."""
        if self.kind == "RSA":
            return "d", int_b64u(self.priv.private_numbers().d)
        if self.kind == "EC":
            return "d", b64u(self.priv.private_numbers().private_value.to_bytes(32, "big"))
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
        return "d", b64u(self.priv.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    def sign(self, alg, data, rng, high_s=False, der=False, salt_len=32):
        if self.kind == "EC":
            sig = self.priv.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
            if der:
                return sig
            r, s = decode_dss_signature(sig)
            if high_s and s < P256_N // 2:
                s = P256_N - s
            elif not high_s and s > P256_N // 2:
                s = P256_N - s
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if self.kind == "OKP":
            return self.priv.sign(data)
        if alg == "RS256":
            return self.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
        # OpenSSL draws the salt: the one part of a case that differs between runs (no verdict
        # depends on it; the salt length is the generator's).
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_len)
        return self.priv.sign(data, pss, hashes.SHA256())


def make_keys(rng):
    keys = []
    for i in range(4):
        d = rng.randrange(1, P256_N)
        keys.append(Key("EC", ec.derive_private_key(d, ec.SECP256R1()), f"ec{i}"))
    for i in range(4):
        keys.append(Key("OKP", ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32)), f"ed{i}"))
    doc = json.load(open(os.path.join(HERE, "rsa_keys.json")))
    for i, j in enumerate(doc["keys"]):
        v = {m: int.from_bytes(base64.urlsafe_b64decode(j[m] + "=" * (-len(j[m]) % 4)), "big")
             for m in ("n", "e", "d", "p", "q", "dp", "dq", "qi")}
        priv = rsa.RSAPrivateNumbers(v["p"], v["q"], v["d"], v["dp"], v["dq"], v["qi"],
                                     rsa.RSAPublicNumbers(v["e"], v["n"])).private_key(
            unsafe_skip_rsa_key_validation=True)
        keys.append(Key("RSA", priv, f"rsa{i}"))
    return keys


# ---------------------------------------------------------------------------------------------
# JSON text with control over order, whitespace, escapes, duplicates and number spelling.


class Raw:
    """JSON text written as is (numbers in unusual forms, broken syntax)."""

    def __init__(self, text):
        self.text = text


class Obj:
    """A JSON object as an ordered list of members (duplicates allowed)."""

    def __init__(self, pairs=()):
        self.pairs = [list(p) for p in pairs]

    def get(self, k, default=None):
        for kk, v in self.pairs:
            if kk == k:
                return v
        return default

    def set(self, k, v):
        for p in self.pairs:
            if p[0] == k:
                p[1] = v
                return self
        self.pairs.append([k, v])
        return self

    def remove(self, k):
        self.pairs = [p for p in self.pairs if p[0] != k]
        return self

    def has(self, k):
        return any(p[0] == k for p in self.pairs)

    def last(self, k):
        """The value a last-one-wins reader (the reference) sees."""
        v = None
        for kk, x in self.pairs:
            if kk == k:
                v = x
        return v


def to_obj(v):
    if isinstance(v, dict):
        return Obj((k, to_obj(x)) for k, x in v.items())
    if isinstance(v, list):
        return [to_obj(x) for x in v]
    return v


class Style:
    """How a document is written: whitespace between tokens, and which strings are escaped."""

    def __init__(self, ws="", esc=0.0, slash=False, rng=None):
        self.ws, self.esc, self.slash, self.rng = ws, esc, slash, rng

    def sp(self):
        if not self.ws:
            return ""
        return self.rng.choice(self.ws)


def write_str(s, st):
    out = json.dumps(s, ensure_ascii=False)[1:-1]
    if st.slash:
        out = out.replace("/", "\\/")
    if st.esc:
        chars = []
        i = 0
        while i < len(out):
            c = out[i]
            if c == "\\":  # keep existing escapes whole
                j = i + 2 if out[i + 1] != "u" else i + 6
                chars.append(out[i:j])
                i = j
                continue
            if st.rng.random() < st.esc:
                cp = ord(c)
                if cp > 0xFFFF:
                    cp -= 0x10000
                    chars.append("\\u%04x\\u%04x" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
                else:
                    chars.append(("\\u%04x" if st.rng.random() < 0.5 else "\\u%04X") % cp)
            else:
                chars.append(c)
            i += 1
        out = "".join(chars)
    return '"' + out + '"'


def write(v, st):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Obj):
        parts = [st.sp() + write_str(k, st) + st.sp() + ":" + st.sp() + write(x, st) + st.sp()
                 for k, x in v.pairs]
        return "{" + ",".join(parts) + (st.sp() if not parts else "") + "}"
    if isinstance(v, list):
        return "[" + ",".join(st.sp() + write(x, st) + st.sp() for x in v) + "]"
    if isinstance(v, str):
        return write_str(v, st)
    return json.dumps(v)


# ---------------------------------------------------------------------------------------------
# Base64url in canonical and non-canonical spellings.


def enc(b, style, rng):
    s = b64u(b)
    if style == "canonical":
        return s
    if style == "padded":
        return base64.urlsafe_b64encode(b).decode() if len(b) % 3 else s + "=="
    if style == "std_alphabet":
        t = base64.b64encode(b).rstrip(b"=").decode()
        return t if t != s else s.replace("A", "+", 1) if "A" in s else s + "=="
    if style == "trailing_bits":
        if len(b) % 3 == 0:
            return s + "A"  # an impossible length instead
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        # The last character's lowest bit is always an unused (zero) bit: set it.
        return s[:-1] + alphabet[alphabet.index(s[-1]) | 1]
    if style == "whitespace":
        i = rng.randrange(1, len(s)) if len(s) > 1 else 0
        return s[:i] + rng.choice([" ", "\n", "\r\n", "\t"]) + s[i:]
    raise ValueError(style)


# ---------------------------------------------------------------------------------------------
# A case under construction.


class Case:
    def __init__(self, kind, rng):
        self.kind, self.rng = kind, rng
        self.tags, self.classes = [], set()
        self.neutral = True  # every mutation so far keeps the input inside the specs
        self.ref, self.fapi = "keep", "keep"  # what the mutations do to each verdict
        self.header_style, self.claims_style = Style(rng=rng), Style(rng=rng)
        self.header_text = self.claims_text = None  # overrides of the written JSON
        self.enc = {"header": "canonical", "payload": "canonical", "signature": "canonical"}
        self.sig_opts = {}
        self.post = []  # token surgery after signing
        self.algs = list(WIDE)
        self.prefix_bytes = {"header": b"", "payload": b""}
        self.claim_times_ok = True

    def tag(self, name, cls=None, neutral=False, ref="keep", fapi=None):
        """Records a mutation: its class (if fapi may be stricter on it), whether it keeps the
        input inside the specs, and its effect on each verdict (keep, reject or unknown)."""
        self.tags.append(name)
        if cls:
            self.classes.add(cls)
        if not neutral:
            self.neutral = False
        fapi = ref if fapi is None else fapi
        self.ref = combine(self.ref, ref)
        self.fapi = combine(self.fapi, fapi)


def pick_mutations(rng, table):
    """0 to 3 different mutations, by weight; duplicates and JSON text surgery last (they work
    on the finished members and text)."""
    n = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
    chosen = []
    while len(chosen) < n:
        m = rng.choices(table, weights=[w for _, w in table])[0][0]
        if m not in chosen:
            chosen.append(m)
    return sorted(chosen, key=lambda m: {d_method: 1, m_duplicate: 2, m_json: 3}.get(m, 0))


def combine(a, b):
    if "unknown" in (a, b):
        return "unknown"
    if "reject" in (a, b):
        return "reject"
    return "keep"


def time_ok(exp, nbf, iat):
    """The RFC 7519 checks at NOW with the leeway, on integer times."""
    if exp is None or NOW >= exp + LEEWAY:
        return False
    if nbf is not None and nbf > NOW + LEEWAY:
        return False
    if iat is not None and iat > NOW + LEEWAY:
        return False
    return True


def pick_time(rng):
    """A time around NOW, often right at a boundary."""
    r = rng.random()
    if r < 0.15:
        return NOW + rng.choice([-LEEWAY - 1, -LEEWAY, -LEEWAY + 1, LEEWAY - 1, LEEWAY, LEEWAY + 1])
    if r < 0.3:
        return NOW + rng.randrange(-5000, 5000)
    return None


# ---------------------------------------------------------------------------------------------
# Access tokens.


def build_at(i, rng, keys):
    c = Case("at", rng)
    key = rng.choice(keys)
    alg = rng.choice(key.algs())
    kid = rng.choice([f"{key.name}", f"key-{i % 7}", "k1", "2024-09 rotation", "ключ", "a/b+c=="])
    header = Obj([("alg", alg), ("typ", "at+jwt"), ("kid", kid)])
    exp = NOW + rng.choice([60, 300, 600, 3600])
    iat = NOW - rng.randrange(0, 600)
    nbf = iat if rng.random() < 0.5 else None
    claims = Obj([("iss", ISS), ("aud", AUD), ("sub", rng.choice(["alice", "bob", "ünïcødé", "x" * 40])),
                  ("client_id", "client-1"), ("scope", "accounts payments"), ("jti", f"tok-{i}"),
                  ("iat", iat), ("exp", exp)])
    if nbf is not None:
        claims.set("nbf", nbf)
    if rng.random() < 0.3:
        claims.set("cnf", Obj([("jkt", b64u(rng.randbytes(32)))]))
    jwks = [(key, Obj(list(to_obj(key.public_jwk()).pairs) + [("kid", kid)]))]
    # Other keys of the issuer, with other kids.
    for k in rng.sample([k for k in keys if k is not key], rng.randrange(0, 4)):
        jwks.append((k, Obj(list(to_obj(k.public_jwk()).pairs) + [("kid", f"other-{k.name}")])))
    rng.shuffle(jwks)
    st = dict(key=key, alg=alg, kid=kid, header=header, claims=claims, jwks=jwks)

    # Time boundaries (well-formed: the generator predicts the verdict exactly).
    if rng.random() < 0.25:
        t_exp, t_nbf, t_iat = pick_time(rng), pick_time(rng), pick_time(rng)
        if t_exp is not None:
            claims.set("exp", t_exp)
        if t_nbf is not None:
            claims.set("nbf", t_nbf)
        if t_iat is not None:
            claims.set("iat", t_iat)
        moved_times = True
    else:
        moved_times = False

    for m in pick_mutations(rng, AT_MUTATIONS):
        m(c, st, rng, keys)
    if moved_times:
        # Judged on the final claims; a time respelled by m_numeric is judged by its own tag.
        # Only integers are judged here: other values come from mutations with their own verdict.
        t = {n: claims.last(n) for n in ("exp", "nbf", "iat")}
        judged = {n: v for n, v in t.items() if isinstance(v, int) and not isinstance(v, bool)}
        ok = all((
            "exp" not in judged or NOW < judged["exp"] + LEEWAY,
            "nbf" not in judged or judged["nbf"] <= NOW + LEEWAY,
            "iat" not in judged or judged["iat"] <= NOW + LEEWAY,
        ))
        c.tag("times", neutral=True, ref="keep" if ok else "reject")
    if st["alg"] == "RS256" and rng.random() < 0.4:
        c.algs = list(FAPI2)
        c.tag("rs256_under_fapi2_profile", cls="rs256_outside_allowlist", ref="keep", fapi="reject")
    elif st["alg"] != "RS256" and rng.random() < 0.1:
        c.algs = list(FAPI2)

    header_text = c.header_text or write(st["header"], c.header_style)
    claims_text = c.claims_text or write(st["claims"], c.claims_style)
    token = sign_token(c, st["key"], st["alg"], header_text, claims_text, rng)
    jwks_text = write(Obj([("keys", [j for _, j in st["jwks"]])]), Style())
    return finish(c, i, token, {"jwks": jwks_text})


def sign_token(c, key, alg, header_text, claims_text, rng):
    hb = c.prefix_bytes["header"] + (header_text.encode() if isinstance(header_text, str) else header_text)
    pb = c.prefix_bytes["payload"] + (claims_text.encode() if isinstance(claims_text, str) else claims_text)
    h = enc(hb, c.enc["header"], rng)
    p = enc(pb, c.enc["payload"], rng)
    signing_input = (h + "." + p).encode()
    opts = dict(c.sig_opts)
    signer = opts.pop("signer", key)
    salg = opts.pop("alg", alg)
    zero = opts.pop("zero", False)
    if opts.pop("hmac", False):
        import hmac
        sig = hmac.new(json.dumps(key.public_jwk()).encode(), signing_input, hashlib.sha256).digest()
    elif opts.pop("none", False):
        sig = b""
    else:
        sig = signer.sign(salg, signing_input, rng, **opts)
    if zero:
        sig = b"\0" * len(sig)
    token = h + "." + p + "." + enc(sig, c.enc["signature"], rng)
    for f in c.post:
        token = f(token)
    # fapi's published limits (README, "Hostile input"): beyond them it refuses by design.
    max_token, max_header, max_claims = (8192, 1024, 6144) if c.kind == "at" else (4096, 1536, 1536)
    if len(token) > max_token or len(hb) > max_header or len(pb) > max_claims:
        c.tag("beyond_size_limits", cls="size_limits", fapi="reject")
    return token


def finish(c, i, token, extra):
    base = "accept"
    expect = {"keep": base, "reject": "reject", "unknown": None}[c.ref]
    expect_fapi = {"keep": base, "reject": "reject", "unknown": None}[c.fapi]
    d = {"id": f"{c.kind}-{i:05d}", "kind": c.kind, "token": token, "algs": c.algs, "now": NOW}
    d.update(extra)
    d.update({"tags": c.tags or ["base"], "classes": sorted(c.classes),
              "well_formed": c.neutral, "expect": expect, "expect_fapi": expect_fapi})
    return d


# Mutations of access tokens. Each takes (case, state, rng, keys).


def m_shuffle(c, st, rng, keys):
    which = rng.choice(["header", "claims"])
    rng.shuffle(st[which].pairs)
    c.tag(f"shuffle_{which}", neutral=True)


def m_whitespace(c, st, rng, keys):
    which = rng.choice(["header", "claims"])
    style = c.header_style if which == "header" else c.claims_style
    style.ws = rng.choice([[" "], ["\n", " "], ["\t", "\r\n", " ", ""]])
    c.tag(f"whitespace_{which}", neutral=True)


def m_escapes(c, st, rng, keys):
    which = rng.choice(["header", "claims"])
    style = c.header_style if which == "header" else c.claims_style
    style.esc = rng.choice([0.2, 0.5, 1.0])
    style.slash = rng.random() < 0.5
    c.tag(f"unicode_escapes_{which}", neutral=True)


def m_duplicate(c, st, rng, keys):
    which = rng.choice(["header", "claims"])
    obj = st[which]
    name, value = rng.choice(obj.pairs)
    variant = rng.choice(["same", "other_first", "other_last"])
    other = {"alg": "none", "typ": "JWT", "kid": "nope", "iss": "https://evil.example",
             "aud": "https://other.example", "exp": NOW - 3600}.get(name, "dup")
    pos = rng.randrange(0, len(obj.pairs) + 1)
    if variant == "same":
        obj.pairs.insert(pos, [name, value])
        ref = "keep"
    elif variant == "other_first":
        # The reference (last one wins) reads the original value.
        first = next(j for j, p in enumerate(obj.pairs) if p[0] == name)
        obj.pairs.insert(first, [name, other])
        ref = "keep"
    else:
        obj.pairs.append([name, other])
        ref = "unknown"
    if variant == "other_last" and name in ("iss", "aud", "exp", "alg", "kid"):
        ref = "reject"
    c.tag(f"duplicate_{which}_{variant}", cls="duplicate_members", ref=ref, fapi="reject")


def m_typ(c, st, rng, keys):
    v = rng.choice(["application/at+jwt", "AT+JWT", "Application/At+JWT", "JWT", "jwt", "at+JWT ",
                    "application/jwt", "dpop+jwt", "", None, 7, ["at+jwt"], "at+jwt\u0000",
                    "application/at+jwt;v=1", "APPLICATION/AT+JWT"])
    if v is None:
        st["header"].remove("typ")
    else:
        st["header"].set("typ", v)
    ok = isinstance(v, str) and v.lower() in ("at+jwt", "application/at+jwt")
    if isinstance(v, str) or v is None:
        c.tag(f"typ_{'ok' if ok else 'other'}", cls="typ", ref="keep", fapi="keep" if ok else "reject")
    else:  # not a string: a header member of the wrong type, refused by both
        c.tag("typ_not_string", ref="reject")


def m_crit(c, st, rng, keys):
    v = rng.choice(["exp_in_header", "kid", "empty", "unknown", "not_list", "b64"])
    h = st["header"]
    if v == "exp_in_header":
        h.set("exp", NOW + 600).set("crit", ["exp"])
        ref = "reject"  # an extension the reference does not understand
    elif v == "kid":
        h.set("crit", ["kid"])
        ref = "unknown"  # RFC 7515 §4.1.11 forbids registered names; libraries differ
    elif v == "empty":
        h.set("crit", [])
        ref = "unknown"
    elif v == "unknown":
        h.set("crit", ["urn:example:x"])
        ref = "reject"
    elif v == "not_list":
        h.set("crit", "exp")
        ref = "reject"
    else:
        h.set("b64", True)
        if rng.random() < 0.5:
            h.set("crit", ["b64"])
        ref = "unknown"
    c.tag(f"crit_{v}", cls="crit", ref=ref, fapi="reject")


def m_b64(c, st, rng, keys):
    seg = rng.choice(["header", "payload", "signature"])
    style = rng.choice(["padded", "std_alphabet", "trailing_bits", "whitespace"])
    c.enc[seg] = style
    c.tag(f"b64_{style}_{seg}", cls="canonical_base64url", ref="unknown", fapi="reject")


def m_kid(c, st, rng, keys):
    v = rng.choice(["missing", "unknown", "escaped", "number", "dup_in_set_same_type",
                    "dup_in_set_other_type", "long", "empty", "trailing_space", "case",
                    "missing_multi", "set_without_kids"])
    h, jwks = st["header"], st["jwks"]
    kid = st["kid"]
    mine = next(j for k, j in jwks if k is st["key"])
    if v == "missing":
        h.remove("kid")
        if len(jwks) == 1:
            c.tag("kid_missing_single_key", neutral=True)
        else:
            c.tag("kid_missing", cls="kid_rules", ref="unknown", fapi="unknown")
    elif v == "missing_multi":
        h.remove("kid")
        other = rng.choice([k for k in keys if k.kind == st["key"].kind and k is not st["key"]])
        jwks.append((other, Obj(list(to_obj(other.public_jwk()).pairs) + [("kid", "twin")])))
        c.tag("kid_missing_two_keys_fit", cls="kid_rules", ref="unknown", fapi="reject")
    elif v == "set_without_kids":
        for _, j in jwks:
            j.remove("kid")
        c.tag("kid_in_token_not_in_set", ref="unknown", fapi="reject", cls="kid_rules")
    elif v == "unknown":
        h.set("kid", kid + "-x")
        c.tag("kid_unknown", ref="reject")
    elif v == "escaped":
        c.header_style.esc = 1.0
        c.tag("kid_escaped", neutral=True)
    elif v == "number":
        h.set("kid", 7)
        c.tag("kid_number", ref="reject")
    elif v == "dup_in_set_same_type":
        other = rng.choice([k for k in keys if k.kind == st["key"].kind and k is not st["key"]])
        jwks.insert(rng.randrange(0, len(jwks) + 1),
                    (other, Obj(list(to_obj(other.public_jwk()).pairs) + [("kid", kid)])))
        c.tag("kid_twice_in_set_same_type", cls="kid_rules", ref="unknown", fapi="reject")
    elif v == "dup_in_set_other_type":
        signer = c.sig_opts.get("signer")
        other = rng.choice([k for k in keys if k.kind != st["key"].kind and k is not signer])
        jwks.insert(rng.randrange(0, len(jwks) + 1),
                    (other, Obj(list(to_obj(other.public_jwk()).pairs) + [("kid", kid)])))
        c.tag("kid_twice_in_set_other_type", cls="kid_rules", ref="unknown", fapi="keep")
    elif v == "long":
        long_kid = "k" * rng.choice([96, 97, 200])
        h.set("kid", long_kid)
        mine.set("kid", long_kid)
        c.tag(f"kid_long_{len(long_kid)}", cls="kid_rules", ref="keep",
              fapi="keep" if len(long_kid) <= 96 else "reject")
    elif v == "empty":
        h.set("kid", "")
        mine.set("kid", "")
        c.tag("kid_empty", ref="unknown", cls="kid_rules")
    elif v == "trailing_space":
        h.set("kid", kid + " ")
        c.tag("kid_trailing_space", ref="reject")
    else:
        h.set("kid", kid.upper() if kid.upper() != kid else kid.lower())
        c.tag("kid_case", ref="reject" if kid.upper() != kid.lower() else "keep")


def m_numeric(c, st, rng, keys):
    present = [n for n in ("exp", "exp", "iat", "nbf") if isinstance(st["claims"].get(n), int)]
    if not present:
        c.tag("numeric_skipped", neutral=True)
        return
    name = rng.choice(present)
    t = st["claims"].get(name)
    form = rng.choice(["dot_zero", "dot_zeros", "fraction", "exponent", "exponent_upper",
                       "exponent_fraction", "too_large", "huge", "negative", "string", "minus_zero"])
    text = {
        "dot_zero": f"{t}.0", "dot_zeros": f"{t}.000", "fraction": f"{t}.5",
        "exponent": f"{t}e0", "exponent_upper": f"{t}0E-1",
        "exponent_fraction": f"{t / 1e9:.9f}e9", "too_large": "100000000001", "huge": "1e400",
        "negative": f"-{t}", "string": f'"{t}"', "minus_zero": "-0",
    }[form]
    st["claims"].set(name, Raw(text))
    ok_int = {"exp": NOW < t + LEEWAY, "iat": t <= NOW + LEEWAY, "nbf": t <= NOW + LEEWAY}[name]
    if form in ("dot_zero", "dot_zeros"):
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms", ref="keep" if ok_int else "reject")
    elif form == "fraction":
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms", ref="unknown", fapi="unknown")
    elif form in ("exponent", "exponent_upper", "exponent_fraction"):
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms", ref="keep" if ok_int else "reject",
              fapi="reject")
    elif form == "too_large":
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms",
              ref="keep" if name == "exp" else "reject", fapi="reject")
    elif form == "huge":
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms", ref="unknown", fapi="reject")
    elif form == "minus_zero":
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms",
              ref="reject" if name == "exp" else "keep", fapi="reject")
    elif form == "negative":
        c.tag(f"numeric_{name}_{form}", cls="numeric_forms",
              ref="reject" if name == "exp" else "keep", fapi="reject")
    else:
        c.tag(f"numeric_{name}_{form}", ref="reject", cls="numeric_forms")


def alg_mutation(c, st, rng, v, others):
    """The `alg` mutations tokens and proofs share; False if `v` is none of them or does not
    apply to the signing key. `others()` lists the keys of another type that may sign."""
    h, key = st["header"], st["key"]
    if v == "none":
        h.set("alg", "none")
        c.sig_opts["none"] = True
        c.tag("alg_none", ref="reject")
    elif v == "hs256":
        h.set("alg", "HS256")
        c.sig_opts["hmac"] = True
        c.tag("alg_hs256_key_confusion", ref="reject")
    elif v == "other_type":
        other = rng.choice(others())
        alg = rng.choice(other.algs())
        h.set("alg", alg)
        c.sig_opts.update(alg=alg, signer=other)
        c.tag("alg_for_another_key_type", cls="key_alg_mismatch", ref="reject")
    elif v == "eddsa_name_swap" and key.kind == "OKP":
        new = "Ed25519" if st["alg"] == "EdDSA" else "EdDSA"
        h.set("alg", new)
        st["alg"] = new
        c.tag("alg_eddsa_ed25519_names", neutral=True)
    elif v == "rs_ps_swap" and key.kind == "RSA":
        h.set("alg", "PS256" if st["alg"] == "RS256" else "RS256")  # signed with the other padding
        c.tag("alg_rs_ps_swapped", ref="reject")
    elif v == "missing":
        h.remove("alg")
        c.tag("alg_missing", ref="reject")
    else:
        return False
    return True


def m_alg(c, st, rng, keys):
    v = rng.choice(["none", "hs256", "lowercase", "other_type", "eddsa_name_swap", "jwk_alg_member",
                    "jwk_alg_member_other", "rs_ps_swap", "missing", "unknown"])
    h, key = st["header"], st["key"]
    mine = next(j for k, j in st["jwks"] if k is key)
    in_set = [k for k, _ in st["jwks"]]
    if alg_mutation(c, st, rng, v,
                    lambda: [k for k in keys if k.kind != key.kind and k not in in_set]):
        return
    if v == "lowercase":
        h.set("alg", st["alg"].lower())
        c.tag("alg_lowercase", ref="reject")
    elif v == "eddsa_name_swap":
        c.tag("alg_eddsa_ed25519_names_skipped", neutral=True)
    elif v == "jwk_alg_member":
        mine.set("alg", "EdDSA" if key.kind == "OKP" else st["alg"])
        c.tag("jwk_alg_member", neutral=True)
    elif v == "jwk_alg_member_other":
        other = {"ES256": "ES384", "EdDSA": "ES256", "Ed25519": "ES256", "PS256": "RS256",
                 "RS256": "PS256"}[st["alg"]]
        mine.set("alg", other)
        c.tag("jwk_alg_member_for_another_alg", cls="key_alg_mismatch", ref="unknown", fapi="reject")
    elif v == "rs_ps_swap":
        c.tag("alg_rs_ps_swapped_skipped", neutral=True)
    else:
        h.set("alg", rng.choice(["ES384", "ES256K", "EdDSA25519", "PS512", "RSA-OAEP"]))
        c.tag("alg_unknown", ref="reject")


def m_claims(c, st, rng, keys):
    cl = st["claims"]
    v = rng.choice(["iss_other", "iss_missing", "iss_trailing_slash", "aud_array", "aud_array_other",
                    "aud_other", "aud_empty_array", "aud_missing", "aud_number", "exp_missing",
                    "sub_number", "scope_array", "client_id_number", "jti_number", "cnf_x5t",
                    "cnf_empty", "cnf_string", "cnf_jwk", "cnf_jkt_number", "extra_claims",
                    "iss_case"])
    if v == "iss_other":
        cl.set("iss", "https://evil.example.com")
        c.tag(v, neutral=True, ref="reject")
    elif v == "iss_missing":
        cl.remove("iss")
        c.tag(v, neutral=True, ref="reject")
    elif v == "iss_trailing_slash":
        cl.set("iss", ISS + "/")
        c.tag(v, neutral=True, ref="reject")
    elif v == "iss_case":
        cl.set("iss", ISS.upper())
        c.tag(v, neutral=True, ref="reject")
    elif v == "aud_array":
        cl.set("aud", ["https://other.example", AUD])
        c.tag(v, neutral=True)
    elif v == "aud_array_other":
        cl.set("aud", ["https://other.example", AUD + "/"])
        c.tag(v, neutral=True, ref="reject")
    elif v == "aud_other":
        cl.set("aud", "https://rs.example.com.evil")
        c.tag(v, neutral=True, ref="reject")
    elif v == "aud_empty_array":
        cl.set("aud", [])
        c.tag(v, neutral=True, ref="reject")
    elif v == "aud_missing":
        cl.remove("aud")
        c.tag(v, neutral=True, ref="reject")
    elif v == "aud_number":
        cl.set("aud", 5)
        c.tag(v, neutral=True, ref="reject")
    elif v == "exp_missing":
        cl.remove("exp")
        c.tag(v, neutral=True, ref="reject")
    elif v in ("sub_number", "client_id_number", "jti_number"):
        cl.set(v.split("_number")[0], 42)
        c.tag(v, neutral=True, ref="reject")
    elif v == "scope_array":
        cl.set("scope", ["accounts", "payments"])
        c.tag(v, neutral=True, ref="reject")
    elif v == "cnf_x5t":
        cl.set("cnf", Obj([("x5t#S256", b64u(rng.randbytes(32)))]))
        c.tag(v, neutral=True)
    elif v == "cnf_empty":
        cl.set("cnf", Obj())
        c.tag(v, neutral=True, ref="reject")
    elif v == "cnf_string":
        cl.set("cnf", "bound")
        c.tag(v, neutral=True, ref="reject")
    elif v == "cnf_jwk":
        cl.set("cnf", Obj([("jwk", to_obj(rng.choice(keys).public_jwk()))]))
        c.tag(v, neutral=True, ref="reject")
    elif v == "cnf_jkt_number":
        cl.set("cnf", Obj([("jkt", 1)]))
        c.tag(v, neutral=True, ref="reject")
    else:
        for _ in range(rng.randrange(1, 6)):
            cl.set(f"ext_{rng.randrange(1000)}", rng.choice(
                [True, False, None, 0, -1.25, 3e-5, "text", [1, [2, [3]]], Obj([("a", Obj([("b", [])]))]),
                 "\u00e9\u4e2d\U0001f600", "quote\" and \\ backslash"]))
        c.tag(v, neutral=True)


def m_json(c, st, rng, keys):
    which = rng.choice(["header", "claims"])
    v = rng.choice(["bom", "lone_surrogate", "utf16", "control_char", "nan", "trailing_comma",
                    "top_level_array", "trailing_garbage", "deep", "many_members", "invalid_utf8",
                    "big", "leading_zero", "single_quotes"])
    obj = st[which]
    style = c.header_style if which == "header" else c.claims_style
    attr = "header_text" if which == "header" else "claims_text"
    text = write(obj, style)
    cls, ref, fapi = "json_strictness", "unknown", "reject"
    if v == "bom":
        c.prefix_bytes["header" if which == "header" else "payload"] = b"\xef\xbb\xbf"
    elif v == "lone_surrogate":
        obj.set("x_s", Raw('"\\ud800"'))
        text = write(obj, style)
    elif v == "utf16":
        text = write(obj, style).encode("utf-16-le")
    elif v == "control_char":
        obj.set("x_c", Raw('"a\tb"'))
        text = write(obj, style)
        ref = "reject"
    elif v == "nan":
        obj.set("x_n", Raw("NaN"))
        text = write(obj, style)
    elif v == "trailing_comma":
        text = text[:-1] + ",}"
        ref = "reject"
    elif v == "top_level_array":
        text = "[" + text + "]"
        ref = "reject"
    elif v == "trailing_garbage":
        text = text + rng.choice(["x", "}", " {}", "\u0000"])
        ref = "reject"
    elif v == "deep":
        depth = rng.choice([14, 15, 20, 40])
        obj.set("x_d", Raw("[" * depth + "]" * depth))
        text = write(obj, style)
        cls = "size_limits"
        fapi = "keep" if depth + 1 <= (16 if c.kind == "at" else 4) else "reject"
        ref = "keep"
    elif v == "many_members":
        extra = rng.choice([40, 80])
        for j in range(extra):
            obj.set(f"m{j}", j)
        text = write(obj, style)
        cls = "size_limits"
        fapi = "keep" if len(obj.pairs) <= 64 else "reject"
        ref = "keep"
    elif v == "invalid_utf8":
        text = write(obj, style).encode()[:-1] + b',"x_u":"\xff\xfe"}'
        ref = "reject"
    elif v == "big":
        obj.set("x_big", "y" * rng.choice([500, 7000]))
        text = write(obj, style)
        cls = "size_limits"
        fapi = "unknown"
        ref = "keep"
    elif v == "leading_zero":
        obj.set("x_z", Raw("012"))
        text = write(obj, style)
        ref = "reject"
    else:
        text = text.replace('"', "'", 2)
        ref = "reject"
    if v != "bom":
        setattr(c, attr, text)
    if which == "header" and ref == "keep":
        ref = "unknown"  # header size limits of the reference
    c.tag(f"json_{v}_{which}", cls=cls, ref=ref, fapi=fapi)


def m_header_members(c, st, rng, keys):
    h = st["header"]
    v = rng.choice(["jku", "x5u", "jwk_attacker", "x5c", "unknown_member", "cty", "jku_not_url",
                    "x5t", "wrong_type", "wrong_type"])
    if v == "jku":
        h.set("jku", "https://evil.example.com/jwks.json")
        c.tag("header_jku", neutral=True)
    elif v == "jku_not_url":
        h.set("jku", "file:///etc/passwd")
        c.tag("header_jku_not_http", neutral=True)
    elif v == "wrong_type":
        name, value = rng.choice([("cty", 5), ("x5c", "MIIB"), ("x5t#S256", 1), ("jku", 1),
                                  ("x5u", ["https://a"]), ("jwk", "key"), ("x5t", True)])
        h.set(name, value)
        c.tag("header_registered_member_wrong_type", neutral=True, ref="reject")
    elif v == "x5u":
        h.set("x5u", "https://evil.example.com/cert.pem")
        c.tag("header_x5u", neutral=True)
    elif v == "jwk_attacker":
        attacker = rng.choice([k for k in keys if st["alg"] in k.algs() and k is not st["key"]] or keys)
        h.set("jwk", to_obj(attacker.public_jwk()))
        if st["alg"] in attacker.algs():
            c.sig_opts["signer"] = attacker
            c.tag("header_jwk_attacker_signed", ref="reject")
        else:
            c.tag("header_jwk_present", neutral=True)
    elif v == "x5c":
        h.set("x5c", [base64.b64encode(rng.randbytes(40)).decode()])
        c.tag("header_x5c", neutral=True)
    elif v == "x5t":
        h.set("x5t#S256", b64u(rng.randbytes(32)))
        c.tag("header_x5t", neutral=True)
    elif v == "cty":
        h.set("cty", "JWT")
        c.tag("header_cty", neutral=True)
    else:
        h.set(rng.choice(["x-trace", "urn:example:p", "zip"]), rng.choice(["v", 1, [1, 2], Obj([("a", 1)])]))
        c.tag("header_unknown_member", neutral=True)


def m_signature(c, st, rng, keys):
    v = rng.choice(["bitflip", "bitflip", "truncate", "extend", "der", "high_s", "empty", "segments_2",
                    "segments_4", "swap_payload", "pss_salt", "zero"])
    if v == "bitflip":
        def flip(t, r=random.Random(rng.random())):
            b = bytearray(t.encode())
            i = r.randrange(len(b))
            b[i] ^= 1 << r.randrange(7)  # stays ASCII
            return b.decode("latin-1")
        c.post.append(flip)
        c.tag("bitflip", ref="reject")
    elif v == "truncate":
        c.post.append(lambda t: t[:-rng.choice([1, 2, 4, 8])])
        c.tag("signature_truncated", ref="reject")
    elif v == "extend":
        c.post.append(lambda t: t + rng.choice(["A", "AA", "AAAA", "_w"]))
        c.tag("signature_extended", ref="reject")
    elif v == "der":
        if st["key"].kind == "EC":
            c.sig_opts["der"] = True
            c.tag("signature_es256_der", ref="reject")
        else:
            c.tag("signature_es256_der_skipped", neutral=True)
    elif v == "high_s":
        if st["key"].kind == "EC":
            c.sig_opts["high_s"] = True
            c.tag("signature_es256_high_s", neutral=True)
        else:
            c.tag("signature_es256_high_s_skipped", neutral=True)
    elif v == "pss_salt":
        if st["key"].kind == "RSA" and st["alg"] == "PS256":
            c.sig_opts["salt_len"] = rng.choice([0, 20, 48, 64])
            c.tag("signature_pss_salt_length", ref="reject")
        else:
            c.tag("signature_pss_salt_length_skipped", neutral=True)
    elif v == "empty":
        c.post.append(lambda t: t[: t.rindex(".") + 1])
        c.tag("signature_empty", ref="reject")
    elif v == "segments_2":
        c.post.append(lambda t: t[: t.rindex(".")])
        c.tag("segments_two", ref="reject")
    elif v == "segments_4":
        c.post.append(lambda t: t + "." + t.split(".")[2])
        c.tag("segments_four", ref="reject")
    elif v == "zero":
        c.sig_opts["zero"] = True
        c.tag("signature_zero", ref="reject")
    else:
        other = b64u(b'{"iss":"' + ISS.encode() + b'","aud":"' + AUD.encode() + b'","exp":9999999999}')
        c.post.append(lambda t: t.split(".")[0] + "." + other + "." + t.split(".")[2])
        c.tag("payload_swapped", ref="reject")


def m_jwks(c, st, rng, keys):
    v = rng.choice(["use_enc", "use_sig", "key_ops_verify", "key_ops_sign_only", "unknown_kty",
                    "extra_members", "other_curve"])
    mine = next(j for k, j in st["jwks"] if k is st["key"])
    if v == "use_enc":
        mine.set("use", "enc")
        c.tag("jwks_use_enc", cls="key_use", ref="unknown", fapi="reject")
    elif v == "use_sig":
        mine.set("use", "sig")
        c.tag("jwks_use_sig", neutral=True)
    elif v == "key_ops_verify":
        mine.set("key_ops", ["verify"])
        c.tag("jwks_key_ops_verify", neutral=True)
    elif v == "key_ops_sign_only":
        mine.set("key_ops", ["sign"])
        c.tag("jwks_key_ops_sign_only", cls="key_use", ref="unknown", fapi="reject")
    elif v == "unknown_kty":
        st["jwks"].append((None, Obj([("kty", "PQ"), ("kid", "pq-1"), ("pub", b64u(rng.randbytes(50)))])))
        c.tag("jwks_unknown_kty_next_to_ours", neutral=True)
    elif v == "extra_members":
        mine.set("x5t#S256", b64u(rng.randbytes(32))).set("ext", True)
        c.tag("jwks_extra_members", neutral=True)
    else:
        st["jwks"].append((None, Obj([("kty", "EC"), ("crv", "P-384"), ("kid", "p384"),
                                      ("x", b64u(rng.randbytes(48))), ("y", b64u(rng.randbytes(48)))])))
        c.tag("jwks_p384_key_next_to_ours", neutral=True)


AT_MUTATIONS = [
    (m_shuffle, 6), (m_whitespace, 5), (m_escapes, 5), (m_duplicate, 6), (m_typ, 6), (m_crit, 4),
    (m_b64, 6), (m_kid, 8), (m_numeric, 8), (m_alg, 8), (m_claims, 10), (m_json, 8),
    (m_header_members, 5), (m_signature, 10), (m_jwks, 4),
]

# ---------------------------------------------------------------------------------------------
# DPoP proofs.


def build_dpop(i, rng, keys):
    c = Case("dpop", rng)
    key = rng.choice(keys)
    alg = rng.choice(key.algs())
    header = Obj([("typ", "dpop+jwt"), ("alg", alg), ("jwk", to_obj(key.public_jwk()))])
    method = rng.choice(["GET", "GET", "POST", "DELETE", "PATCH"])
    path = rng.choice(["/accounts", "/accounts/42", "/a/b%2Fc", "/payments/~x", "/"])
    htu = "https://rs.example.com" + path
    access_token = None
    if rng.random() < 0.6:
        access_token = "eyJ" + b64u(rng.randbytes(rng.randrange(30, 200)))
    claims = Obj([("jti", f"p-{i}-{rng.randrange(10**9)}"), ("htm", method), ("htu", htu),
                  ("iat", NOW - rng.randrange(0, 30))])
    if access_token:
        claims.set("ath", b64u(hashlib.sha256(access_token.encode()).digest()))
    st = dict(key=key, alg=alg, header=header, claims=claims, jwks=[], kid=None,
              request={"method": method, "htu": htu, "access_token": access_token})

    for m in pick_mutations(rng, DPOP_MUTATIONS):
        m(c, st, rng, keys)
    if st["alg"] == "RS256" and rng.random() < 0.4:
        c.algs = list(FAPI2)
        c.tag("rs256_under_fapi2_profile", cls="rs256_outside_allowlist", ref="keep", fapi="reject")

    header_text = c.header_text or write(st["header"], c.header_style)
    claims_text = c.claims_text or write(st["claims"], c.claims_style)
    token = sign_token(c, st["key"], st["alg"], header_text, claims_text, rng)
    return finish(c, i, token, {"dpop": st["request"]})


def d_htu(c, st, rng, keys):
    cl, req = st["claims"], st["request"]
    u = req["htu"]
    path = u[len("https://rs.example.com"):]
    v = rng.choice(["upper_scheme_host", "default_port", "pct_unreserved", "pct_lowercase_hex",
                    "query", "fragment", "dot_segment", "dotdot_segment", "trailing_slash",
                    "other_host", "http_scheme", "other_port", "userinfo", "path_case", "no_path",
                    "pct_slash", "relative", "space"])
    equivalent = {
        "upper_scheme_host": "HTTPS://RS.Example.COM" + path,
        "default_port": "https://rs.example.com:443" + path,
        "pct_unreserved": "https://rs.example.com" + path.replace("a", "%61", 1).replace("~", "%7E"),
        "query": u + "?x=1&y=%20",
        "fragment": u + "#frag",
        "dot_segment": "https://rs.example.com/." + path,
        "dotdot_segment": "https://rs.example.com/zz/.." + path,
    }
    different = {
        "trailing_slash": u + "/" if not u.endswith("/") else u + "x",
        "other_host": "https://rs.example.org" + path,
        "http_scheme": "http://rs.example.com" + path,
        "other_port": "https://rs.example.com:8443" + path,
        "path_case": "https://rs.example.com" + path.upper() if path.upper() != path else u + "z",
        "pct_slash": "https://rs.example.com" + path.replace("/", "%2F", 2) if path.count("/") > 1
        else u + "%2F",
    }
    if v in equivalent:
        cl.set("htu", equivalent[v])
        c.tag(f"htu_equivalent_{v}", neutral=True)
    elif v in different:
        cl.set("htu", different[v])
        c.tag(f"htu_different_{v}", neutral=True, ref="reject")
    elif v == "pct_lowercase_hex":
        if "%2F" in u:
            cl.set("htu", u.replace("%2F", "%2f"))
            c.tag("htu_equivalent_pct_lowercase_hex", neutral=True)
        else:
            cl.set("htu", u + "%7e" if not u.endswith("/") else u + "%7e")
            c.tag("htu_different_pct_lowercase_hex", neutral=True, ref="reject")
    elif v == "no_path":
        req["htu"] = "https://rs.example.com/"
        cl.set("htu", "https://rs.example.com")
        c.tag("htu_equivalent_empty_path", neutral=True)
    elif v == "userinfo":
        cl.set("htu", "https://user@rs.example.com" + path)
        c.tag("htu_userinfo", ref="reject")
    elif v == "relative":
        cl.set("htu", path)
        c.tag("htu_relative", ref="reject")
    else:
        cl.set("htu", u + " x")
        c.tag("htu_space", ref="reject")


def d_htm(c, st, rng, keys):
    cl, req = st["claims"], st["request"]
    v = rng.choice(["lower", "other", "missing", "number", "padded"])
    if v == "lower":
        cl.set("htm", req["method"].lower())
    elif v == "other":
        cl.set("htm", "PUT")
    elif v == "missing":
        cl.remove("htm")
    elif v == "number":
        cl.set("htm", 1)
    else:
        cl.set("htm", " " + req["method"])
    c.tag(f"htm_{v}", neutral=True, ref="reject")


def d_iat(c, st, rng, keys):
    cl = st["claims"]
    v = rng.choice(["boundary", "boundary", "far", "missing", "string", "fraction", "exponent", "dot_zero"])
    if v == "boundary":
        d = rng.choice([-MAX_AGE - 1, -MAX_AGE, -MAX_AGE + 1, LEEWAY - 1, LEEWAY, LEEWAY + 1])
        cl.set("iat", NOW + d)
        ok = -MAX_AGE <= d <= LEEWAY
        c.tag(f"iat_{'inside' if ok else 'outside'}_window", neutral=True, ref="keep" if ok else "reject")
    elif v == "far":
        cl.set("iat", NOW + rng.choice([-86400, 86400, -10**6]))
        c.tag("iat_far", neutral=True, ref="reject")
    elif v == "missing":
        cl.remove("iat")
        c.tag("iat_missing", neutral=True, ref="reject")
    elif v == "string":
        cl.set("iat", str(NOW))
        c.tag("iat_string", neutral=True, ref="reject")
    elif v == "fraction":
        d = rng.choice([-MAX_AGE - 0.5, -MAX_AGE + 0.5, LEEWAY - 0.5, LEEWAY + 0.5, -0.25])
        cl.set("iat", Raw(repr(NOW + d)))
        ok = -MAX_AGE <= d <= LEEWAY
        c.tag(f"iat_fraction_{'inside' if ok else 'outside'}", cls="numeric_forms",
              ref="keep" if ok else "reject")
    elif v == "exponent":
        cl.set("iat", Raw(f"{NOW / 1e9:.9f}e9"))
        c.tag("iat_exponent", cls="numeric_forms", ref="keep", fapi="reject")
    else:
        cl.set("iat", Raw(f"{NOW}.0"))
        c.tag("iat_dot_zero", cls="numeric_forms", ref="keep")


def d_jti(c, st, rng, keys):
    cl = st["claims"]
    v = rng.choice(["missing", "number", "long", "limit", "escaped", "empty"])
    if v == "missing":
        cl.remove("jti")
        c.tag("jti_missing", neutral=True, ref="reject")
    elif v == "number":
        cl.set("jti", 12345)
        c.tag("jti_number", neutral=True, ref="reject")
    elif v == "long":
        cl.set("jti", "j" * 300)
        c.tag("jti_over_256", cls="size_limits", ref="keep", fapi="reject")
    elif v == "limit":
        cl.set("jti", "j" * 256)
        c.tag("jti_256", neutral=True)
    elif v == "escaped":
        c.claims_style.esc = 1.0
        c.tag("claims_all_escaped", neutral=True)
    else:
        cl.set("jti", "")
        c.tag("jti_empty", ref="unknown", fapi="unknown")


def d_ath(c, st, rng, keys):
    cl, req = st["claims"], st["request"]
    v = rng.choice(["missing", "wrong", "padded", "no_token_but_ath", "number", "of_other_token"])
    if req["access_token"] is None and v != "no_token_but_ath":
        v = "no_token_but_ath"
    if v == "missing":
        cl.remove("ath")
        c.tag("ath_missing", neutral=True, ref="reject")
    elif v == "wrong":
        cl.set("ath", b64u(rng.randbytes(32)))
        c.tag("ath_wrong", neutral=True, ref="reject")
    elif v == "padded":
        cl.set("ath", cl.get("ath") + "=")
        c.tag("ath_padded", cls="canonical_base64url", ref="reject")
    elif v == "number":
        cl.set("ath", 0)
        c.tag("ath_number", neutral=True, ref="reject")
    elif v == "of_other_token":
        cl.set("ath", b64u(hashlib.sha256(b"another token").digest()))
        c.tag("ath_other_token", neutral=True, ref="reject")
    else:
        cl.set("ath", b64u(rng.randbytes(32)))
        req["access_token"] = None
        c.tag("ath_without_token", neutral=True)


def d_jwk(c, st, rng, keys):
    h, key = st["header"], st["key"]
    jwk = h.get("jwk")
    v = rng.choice(["private", "missing", "not_object", "other_type", "with_kid", "alg_member",
                    "alg_member_other", "use_enc", "other_key_same_type", "extra_member", "shuffled"])
    if v == "private":
        name, value = key.private_member()
        jwk.set(name, value)
        c.tag("jwk_private_member", ref="reject")
    elif v == "missing":
        h.remove("jwk")
        c.tag("jwk_missing", ref="reject")
    elif v == "not_object":
        h.set("jwk", "key")
        c.tag("jwk_not_object", ref="reject")
    elif v == "other_type":
        signer = c.sig_opts.get("signer")
        other = rng.choice([k for k in keys if k.kind != key.kind and k is not signer])
        h.set("jwk", to_obj(other.public_jwk()))
        c.tag("jwk_other_type", cls="key_alg_mismatch", ref="reject")
    elif v == "with_kid":
        jwk.set("kid", "proof-key")
        c.tag("jwk_with_kid", neutral=True)
    elif v == "alg_member":
        jwk.set("alg", st["alg"])
        c.tag("jwk_alg_member", neutral=True)
    elif v == "alg_member_other":
        jwk.set("alg", "ES384" if st["alg"] != "ES384" else "ES256")
        c.tag("jwk_alg_member_other", cls="key_alg_mismatch", ref="unknown", fapi="reject")
    elif v == "use_enc":
        jwk.set("use", "enc")
        c.tag("jwk_use_enc", cls="key_use", ref="unknown", fapi="reject")
    elif v == "other_key_same_type":
        other = rng.choice([k for k in keys if k.kind == key.kind and k is not key])
        h.set("jwk", to_obj(other.public_jwk()))
        c.tag("jwk_other_key", ref="reject")
    elif v == "extra_member":
        jwk.set("ext", True)
        c.tag("jwk_extra_member", neutral=True)
    else:
        rng.shuffle(jwk.pairs)
        c.tag("jwk_members_shuffled", neutral=True)


def d_typ(c, st, rng, keys):
    v = rng.choice(["application/dpop+jwt", "DPoP+JWT", "dpop+JWT", "JWT", "at+jwt", "", None,
                    "application/dpop+jwt ", 1, "dpop"])
    h = st["header"]
    if v is None:
        h.remove("typ")
    else:
        h.set("typ", v)
    ok = isinstance(v, str) and v.lower() in ("dpop+jwt", "application/dpop+jwt")
    c.tag(f"typ_{'equivalent' if ok else 'other'}", cls="typ", neutral=ok, ref="keep" if ok else "reject")


def d_header_members(c, st, rng, keys):
    """Registered and unknown header members besides the proof's own."""
    h = st["header"]
    v = rng.choice(["wrong_type", "wrong_type", "x5c", "cty", "unknown_member", "kid"])
    if v == "wrong_type":
        name, value = rng.choice([("cty", 5), ("x5c", "MIIB"), ("x5t#S256", 1), ("jku", 1),
                                  ("x5u", ["https://a"]), ("x5t", True), ("kid", 3)])
        h.set(name, value)
        c.tag("header_registered_member_wrong_type", neutral=True, ref="reject")
    elif v == "x5c":
        h.set("x5c", [base64.b64encode(rng.randbytes(40)).decode()])
        c.tag("header_x5c", neutral=True)
    elif v == "cty":
        h.set("cty", "JWT")
        c.tag("header_cty", neutral=True)
    elif v == "kid":
        h.set("kid", "proof-key-1")
        c.tag("header_kid", neutral=True)
    else:
        h.set(rng.choice(["x-trace", "urn:example:p"]), rng.choice(["v", 1, [1, 2], Obj([("a", 1)])]))
        c.tag("header_unknown_member", neutral=True)


def d_method(c, st, rng, keys):
    """A request method the proof does not name."""
    used = {st["request"]["method"], st["claims"].get("htm")}
    st["request"]["method"] = next(m for m in ("PUT", "GET", "HEAD") if m not in used)
    c.tag("request_method_differs", neutral=True, ref="reject")




def d_alg(c, st, rng, keys):
    h, key = st["header"], st["key"]
    v = rng.choice(["none", "hs256", "other_type", "eddsa_name_swap", "rs_ps_swap", "missing"])
    in_header = h.get("jwk")

    def others():
        return [k for k in keys if k.kind != key.kind and not (
            isinstance(in_header, Obj) and in_header.pairs == to_obj(k.public_jwk()).pairs)]

    if not alg_mutation(c, st, rng, v, others):
        c.tag("alg_unchanged", neutral=True)


DPOP_MUTATIONS = [
    (d_htu, 10), (d_htm, 4), (d_iat, 8), (d_jti, 5), (d_ath, 5), (d_jwk, 8), (d_typ, 5), (d_method, 2),
    (d_alg, 6), (d_header_members, 4), (m_shuffle, 4), (m_whitespace, 4), (m_escapes, 4),
    (m_duplicate, 5), (m_crit, 3), (m_b64, 5), (m_json, 5), (m_signature, 8),
]


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    keys = make_keys(rng)
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    for i in range(a.count):
        case = build_at(i, rng, keys) if rng.random() < 0.65 else build_dpop(i, rng, keys)
        out.write(json.dumps(case, ensure_ascii=True) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
