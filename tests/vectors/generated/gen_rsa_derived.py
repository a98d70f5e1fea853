#!/usr/bin/env python3
"""Generates rsa_derived.json: RS256/PS256 cases Wycheproof does not have.

Run once with pyca/cryptography (keys are random, so a re-run gives other bytes with the
same meaning). Every vector is checked with pyca/cryptography's own verifier before it is
written (field `checked_with`). Private keys are not kept.
"""
import hashlib, json, os, sys
import cryptography
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.exceptions import InvalidSignature

SHA256 = hashes.SHA256()
DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def i2osp(x, n):
    return x.to_bytes(n, "big")


def octets_hex(x):
    """Big-endian octets without leading zero octets, as hex (an even number of digits)."""
    return i2osp(x, (x.bit_length() + 7) // 8).hex()


def mgf1(seed, length):
    out = b""
    c = 0
    while len(out) < length:
        out += hashlib.sha256(seed + c.to_bytes(4, "big")).digest()
        c += 1
    return out[:length]


def pss_encode(m_hash, em_bits, salt):
    """EMSA-PSS-ENCODE (RFC 8017 §9.1.1), SHA-256 / MGF1-SHA-256; returns (em, parts)."""
    em_len = (em_bits + 7) // 8
    h = hashlib.sha256(b"\0" * 8 + m_hash + salt).digest()
    ps = b"\0" * (em_len - len(salt) - 32 - 2)
    db = ps + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(db, mgf1(h, em_len - 33)))
    unused = 8 * em_len - em_bits
    masked = bytes([masked[0] & (0xFF >> unused)]) + masked[1:]
    return masked + h + b"\xbc", db, h


def raw_sign(priv, m):
    nums = priv.private_numbers()
    n = nums.public_numbers.n
    assert 0 <= m < n
    return pow(m, nums.d, n)


def verifies(pub, sig, msg, alg, salt=32):
    try:
        if alg == "PS256":
            pub.verify(sig, msg, padding.PSS(mgf=padding.MGF1(SHA256), salt_length=salt), SHA256)
        else:
            pub.verify(sig, msg, padding.PKCS1v15(), SHA256)
        return True
    except InvalidSignature:
        return False


keys = {}
tests = []


def is_probable_prime(x, rounds=40):
    if x < 4 or x % 2 == 0:
        return x in (2, 3)
    for sp in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if x % sp == 0:
            return x == sp
    d, r = x - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(rounds):
        a = 2 + int.from_bytes(os.urandom(64), "big") % (x - 3)
        y = pow(a, d, x)
        if y in (1, x - 1):
            continue
        for _ in range(r - 1):
            y = y * y % x
            if y == x - 1:
                break
        else:
            return False
    return True


def prime(bits, e):
    # Top two bits set, so that a product of two such primes has exactly the sum of the sizes.
    while True:
        x = int.from_bytes(os.urandom((bits + 7) // 8), "big") >> (8 * ((bits + 7) // 8) - bits)
        x |= (3 << (bits - 2)) | 1
        if (x - 1) % e != 0 and is_probable_prime(x):
            return x


def key(kid, bits, e=65537):
    # pyca/OpenSSL key generation does not give every odd size (2049 comes out as 2048), so
    # the primes are made here: |p| = ceil(bits / 2), |q| = floor(bits / 2). The second-highest
    # bit of n is also required, so that the crafted "m + 2^(8 emLen)" and "unused bit set"
    # values below n are easy to find.
    p = prime((bits + 1) // 2, e)
    while True:
        q = prime(bits // 2, e)
        n = p * q
        if p != q and n.bit_length() == bits and n >> (bits - 2) == 3:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    priv = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, n)
    ).private_key()
    assert priv.public_key().key_size == bits
    keys[kid] = priv
    return priv


def add(kid, alg, msg, sig, result, comment, pyca_salt=None):
    priv = keys[kid]
    pub = priv.public_key()
    k = (pub.key_size + 7) // 8
    if isinstance(sig, int):
        sig = i2osp(sig, k)
    # Cross-check with pyca: under PS256 (salt 32) or RS256 the verdict must be `result`;
    # a case made with another salt length must verify under that length.
    got = verifies(pub, sig, msg, alg) if len(sig) == k else False
    assert got == (result == "valid"), (kid, alg, comment)
    checked = f"pyca/cryptography {cryptography.__version__}: {alg} {'accepts' if got else 'refuses'}"
    if pyca_salt is not None:
        assert verifies(pub, sig, msg, "PS256", pyca_salt)
        checked += f"; PSS with salt {pyca_salt} accepts"
    tests.append({
        "tcId": len(tests) + 1, "key": kid, "alg": alg, "comment": comment,
        "msg": msg.hex(), "sig": sig.hex(), "result": result, "checked_with": checked,
    })


def sign(kid, alg, msg, salt=32):
    priv = keys[kid]
    if alg == "PS256":
        return priv.sign(msg, padding.PSS(mgf=padding.MGF1(SHA256), salt_length=salt), SHA256)
    return priv.sign(msg, padding.PKCS1v15(), SHA256)


# Moduli whose bit length is not a multiple of 8 (emLen = k - 1 when modBits = 1 mod 8).
for bits in (2049, 2050, 2055, 3071, 3073, 4095):
    kid = f"k{bits}"
    key(kid, bits)
    msg = f"fapi rsa {bits}".encode()
    add(kid, "PS256", msg, sign(kid, "PS256", msg), "valid", f"PS256, {bits}-bit modulus")
    add(kid, "RS256", msg, sign(kid, "RS256", msg), "valid", f"RS256, {bits}-bit modulus")

key("k2049e3", 2049, e=3)
msg = b"fapi rsa e=3"
add("k2049e3", "PS256", msg, sign("k2049e3", "PS256", msg), "valid", "PS256, 2049-bit, e = 3")
add("k2049e3", "RS256", msg, sign("k2049e3", "RS256", msg), "valid", "RS256, 2049-bit, e = 3")

key("k2048", 2048)
msg = b"fapi rsa salt"
for salt in (0, 20, 31, 33, 64):
    add("k2048", "PS256", msg, sign("k2048", "PS256", msg, salt), "invalid",
        f"PSS salt length {salt} (PS256 fixes 32)", pyca_salt=salt)
add("k2048", "PS256", msg, sign("k2048", "PS256", msg), "valid", "PS256 control, salt 32")

# Valid signatures whose first octet is zero (to strip it).
for alg in ("RS256", "PS256"):
    i = 0
    while True:
        m = f"fapi rsa leading zero {i}".encode()
        s = sign("k2048", alg, m)
        if s[0] == 0:
            add("k2048", alg, m, s, "valid", f"{alg}, signature with a leading zero octet")
            break
        i += 1

# Hand-built encoded messages signed with the raw private operation.
def crafted(kid, comment, mutate, result="invalid", msg=b"fapi rsa crafted"):
    priv = keys[kid]
    n = priv.public_key().public_numbers().n
    mod_bits = n.bit_length()
    em_bits = mod_bits - 1
    m_hash = hashlib.sha256(msg).digest()
    em, db, h = pss_encode(m_hash, em_bits, os.urandom(32))
    m = mutate(int.from_bytes(em, "big"), em, db, h, em_bits, n, m_hash)
    if m is None:
        return False
    add(kid, "PS256", msg, raw_sign(priv, m), result, comment)
    return True

def unchanged(m, em, db, h, em_bits, n, m_hash):
    return m

def top_octet(m, em, db, h, em_bits, n, m_hash):
    # modBits = 1 mod 8: emLen = k - 1, and m + 2^(8 emLen) is refused by I2OSP(m, emLen).
    m2 = m + (1 << (8 * len(em)))
    return m2 if m2 < n else None

def unused_bit(m, em, db, h, em_bits, n, m_hash):
    # Set the lowest unused bit of EM, bit emBits (step 6); everything else stays consistent.
    m2 = m | (1 << em_bits)
    return m2 if m2 < n else None

def trailer(m, em, db, h, em_bits, n, m_hash):
    return m ^ 0xbc ^ 0xbd

def no_one(m, em, db, h, em_bits, n, m_hash):
    # DB's 0x01 separator replaced by 0x02 (masked form recomputed).
    db2 = bytearray(db)
    db2[len(db) - 33] = 0x02
    masked = bytes(a ^ b for a, b in zip(db2, mgf1(h, len(db))))
    unused = 8 * len(em) - em_bits
    masked = bytes([masked[0] & (0xFF >> unused)]) + masked[1:]
    return int.from_bytes(masked + h + b"\xbc", "big")

def nonzero_pad(m, em, db, h, em_bits, n, m_hash):
    db2 = bytearray(db)
    db2[1] ^= 0x01
    masked = bytes(a ^ b for a, b in zip(db2, mgf1(h, len(db))))
    unused = 8 * len(em) - em_bits
    masked = bytes([masked[0] & (0xFF >> unused)]) + masked[1:]
    return int.from_bytes(masked + h + b"\xbc", "big")

crafted("k2049", "PS256 control built by hand, 2049-bit (emLen = k - 1)", unchanged, "valid")
while not crafted("k2049", "PS256, 2049-bit: recovered top octet not zero (I2OSP(m, emLen) fails)", top_octet):
    pass
crafted("k2050", "PS256 control built by hand, 2050-bit", unchanged, "valid")
while not crafted("k2050", "PS256, 2050-bit: an unused leftmost bit of maskedDB set (step 6)", unused_bit):
    pass
crafted("k2048", "PS256 control built by hand, 2048-bit", unchanged, "valid")
while not crafted("k2048", "PS256, 2048-bit: the unused leftmost bit of maskedDB set (step 6)", unused_bit):
    pass
crafted("k2048", "PS256, trailer 0xbd instead of 0xbc", trailer)
crafted("k2048", "PS256, DB separator 0x02 instead of 0x01", no_one)
crafted("k2048", "PS256, a non-zero octet in DB's zero padding", nonzero_pad)

out = {
    "source": "fapi project, tests/vectors/generated/gen_rsa_derived.py",
    "generator": f"pyca/cryptography {cryptography.__version__}, Python {sys.version.split()[0]}",
    "license": "project licence (Apache-2.0 OR MIT)",
    "notes": "n and e are big-endian octets without leading zero octets; msg and sig are hex; the digest is SHA-256(msg). Keys were random; private keys not kept.",
    "keys": {kid: {"bits": p.key_size,
                   "n": octets_hex(p.public_key().public_numbers().n),
                   "e": octets_hex(p.public_key().public_numbers().e)}
             for kid, p in keys.items()},
    "numberOfTests": len(tests),
    "tests": tests,
}
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rsa_derived.json"), "w"), indent=1)
print(len(tests), "tests")
