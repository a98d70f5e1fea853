#!/usr/bin/env python3
"""Access tokens, DPoP proofs, client certificates and DPoP nonces for the end-to-end tests,
made with an implementation independent of fapi: Python's `cryptography` package.

The demo issuer keys are recomputed here from their seeds, exactly as tests/src/lib.rs derives
them (Signer::es256(seed): scalar 0x42 ‖ 0x11 × 30 ‖ seed; Signer::ed25519(seed): secret
0x22 × 31 ‖ seed), so tokens signed here verify against examples/data/jwks.json (`check-jwks`
proves the public halves match). DPoP holder keys are fresh random keys.

Subcommands (each prints one value on stdout):
  keygen --alg ES256|EdDSA --out FILE         new holder key (PKCS#8 PEM)
  thumbprint --key FILE                       RFC 7638 thumbprint of the key's public JWK
  token [--alg ES256|EdDSA] [--now N] [--ttl S] [--sub S] [--scope S] [--holder KEYFILE]
        [--cert PEMFILE] [--iss I] [--aud A] [--typ T] [--tamper]
                                              access token signed by the demo issuer
  proof --key FILE --htm M --htu URL [--now N] [--token T] [--nonce N] [--jti J]
                                              DPoP proof (ES256 as P1363 r‖s, or EdDSA)
  cert --out PEMFILE [--cn NAME]              self-signed client certificate (P-256)
  cert-header --cert PEMFILE                  the RFC 9440 Client-Cert value :base64(DER):
  nonce --secret-file FILE --now N [--slot S] the server nonce fapi issues for that time
  check-jwks FILE                             exit 0 if FILE's demo keys equal ours
  batch --out FILE --base URL --now N --workdir DIR
  nonce-batch --out FILE --base URL --now N --secret-file F
                                              fapi-check batch lines (run.sh expects)
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

ISS = "https://as.example.com"
AUD = "https://rs.example.com"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --- keys -------------------------------------------------------------------------------

def demo_es256(seed: int) -> ec.EllipticCurvePrivateKey:
    d = bytearray([0x11] * 32)
    d[31] = seed
    d[0] = 0x42
    return ec.derive_private_key(int.from_bytes(bytes(d), "big"), ec.SECP256R1())


def demo_ed25519(seed: int) -> ed25519.Ed25519PrivateKey:
    d = bytearray([0x22] * 32)
    d[31] = seed
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes(d))


DEMO_ISSUERS = {
    "ES256": (lambda: demo_es256(200), "demo-es256"),
    "EdDSA": (lambda: demo_ed25519(201), "demo-ed25519"),
}


def alg_of(key) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ES256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    raise SystemExit("mint.py: unsupported key type")


def public_jwk(key) -> dict:
    pub = key.public_key()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        n = pub.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": b64u(n.x.to_bytes(32, "big")),
                "y": b64u(n.y.to_bytes(32, "big"))}
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}


def thumbprint(key) -> str:
    """RFC 7638: the required members only, lexicographic order, no whitespace."""
    jwk = public_jwk(key)
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("crv", "kty", "x")
    canonical = compact({m: jwk[m] for m in members})
    return b64u(hashlib.sha256(canonical.encode("ascii")).digest())


def sign(key, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS: P1363 r ‖ s, not DER
    return key.sign(data)


def jws(key, header: dict, payload: dict) -> str:
    signing_input = b64u(compact(header).encode()) + "." + b64u(compact(payload).encode())
    return signing_input + "." + b64u(sign(key, signing_input.encode("ascii")))


def load_key(path: str):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def keygen(alg: str):
    return ec.generate_private_key(ec.SECP256R1()) if alg == "ES256" \
        else ed25519.Ed25519PrivateKey.generate()


def save_key(key, path: str):
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    with open(path, "wb") as f:
        f.write(pem)


# --- tokens, proofs, certificates, nonces -----------------------------------------------

def cert_x5t(pem_path: str) -> str:
    with open(pem_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return b64u(cert.fingerprint(hashes.SHA256()))


def make_token(alg="ES256", now=None, ttl=300, sub="alice", scope="accounts", holder=None,
               cert=None, iss=ISS, aud=AUD, typ="at+jwt", tamper=False) -> str:
    now = int(now if now is not None else __import__("time").time())
    key_fn, kid = DEMO_ISSUERS[alg]
    claims = {"iss": iss, "aud": aud, "sub": sub, "client_id": "demo-client", "scope": scope,
              "jti": str(uuid.uuid4()), "iat": now, "nbf": now, "exp": now + ttl}
    cnf = {}
    if holder is not None:
        cnf["jkt"] = thumbprint(holder)
    if cert is not None:
        cnf["x5t#S256"] = cert_x5t(cert)
    if cnf:
        claims["cnf"] = cnf
    token = jws(key_fn(), {"alg": alg, "typ": typ, "kid": kid}, claims)
    if tamper:
        # Change the subject, keep the issuer's signature: only the signature can catch it.
        h, p, s = token.split(".")
        forged = json.loads(b64u_decode(p))
        forged["sub"] = "mallory"
        token = ".".join([h, b64u(compact(forged).encode()), s])
    return token


def make_proof(key, htm: str, htu: str, now=None, token=None, nonce=None, jti=None) -> str:
    now = int(now if now is not None else __import__("time").time())
    claims = {"htm": htm, "htu": htu, "iat": now, "jti": jti or str(uuid.uuid4())}
    if token is not None:
        claims["ath"] = b64u(hashlib.sha256(token.encode("ascii")).digest())
    if nonce is not None:
        claims["nonce"] = nonce
    header = {"typ": "dpop+jwt", "alg": alg_of(key), "jwk": public_jwk(key)}
    return jws(key, header, claims)


def make_cert(out: str, cn="demo-client"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    with open(out, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def cert_header(pem_path: str) -> str:
    with open(pem_path, "rb") as f:
        der = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)
    return ":" + base64.b64encode(der).decode("ascii") + ":"  # RFC 9440 §2.1: sf-binary


def nonce(secret: bytes, now: int, slot_seconds=60) -> str:
    """fapi's stateless nonce: base64url(HMAC-SHA256(key, "fapi-dpop-nonce-v1" ‖ slot))."""
    key = secret if len(secret) == 32 else hashlib.sha256(secret).digest()
    slot = now // max(slot_seconds, 1)
    mac = hmac.new(key, b"fapi-dpop-nonce-v1" + slot.to_bytes(8, "big"), hashlib.sha256)
    return b64u(mac.digest())


def check_jwks(path: str) -> bool:
    with open(path) as f:
        keys = {k.get("kid"): k for k in json.load(f)["keys"]}
    ok = True
    for alg, (key_fn, kid) in DEMO_ISSUERS.items():
        ours = public_jwk(key_fn())
        theirs = {m: keys.get(kid, {}).get(m) for m in ours}
        if ours != theirs:
            print(f"mint.py: {kid}: derived {ours} but {path} has {theirs}", file=sys.stderr)
            ok = False
    return ok


# --- the fapi-check batch ---------------------------------------------------------------

def batch(out: str, base: str, now: int, workdir: str):
    """One request per line, in order, against one verifier (replay state carries over).
    run.sh holds the expected verdict of every id."""
    es = keygen("ES256")
    ed = keygen("EdDSA")
    cert_pem = os.path.join(workdir, "batch-cert.pem")
    other_pem = os.path.join(workdir, "batch-other-cert.pem")
    make_cert(cert_pem)
    make_cert(other_pem, cn="someone-else")
    url = base + "/accounts"
    tok = make_token("ES256", now, holder=es)
    good = make_proof(es, "GET", url, now, tok)
    tampered = make_token("ES256", now, holder=es, tamper=True)
    ed_tok = make_token("EdDSA", now, holder=ed, sub="bob")
    mtls_tok = make_token("ES256", now, cert=cert_pem, sub="carol")
    with open(cert_pem) as f:
        cert_text = f.read()
    with open(other_pem) as f:
        other_text = f.read()
    lines = [
        {"id": "dpop-valid", "method": "GET", "url": url, "authorization": "DPoP " + tok,
         "dpop": good, "now": now},
        {"id": "dpop-replayed", "method": "GET", "url": url, "authorization": "DPoP " + tok,
         "dpop": good, "now": now},
        {"id": "tampered-token", "method": "GET", "url": url, "authorization": "DPoP " + tampered,
         "dpop": make_proof(es, "GET", url, now, tampered), "now": now},
        {"id": "bearer-downgrade", "method": "GET", "url": url, "authorization": "Bearer " + tok,
         "now": now},
        {"id": "no-credentials", "method": "GET", "url": url, "now": now},
        {"id": "insufficient-scope", "method": "GET", "url": base + "/payments",
         "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", base + "/payments", now, tok), "now": now},
        {"id": "eddsa-valid", "method": "POST", "url": url + "?limit=5",
         "authorization": "DPoP " + ed_tok,
         "dpop": [make_proof(ed, "POST", url, now, ed_tok)], "now": now},
        {"id": "htm-mismatch", "method": "DELETE", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now, tok), "now": now},
        {"id": "two-proofs", "method": "GET", "url": url, "authorization": "DPoP " + tok,
         "dpop": [make_proof(es, "GET", url, now, tok), make_proof(es, "GET", url, now, tok)],
         "now": now},
        {"id": "two-authorization", "method": "GET", "url": url,
         "authorization": ["DPoP " + tok, "DPoP " + tok],
         "dpop": make_proof(es, "GET", url, now, tok), "now": now},
        {"id": "proof-too-old", "method": "GET", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now - 400, tok), "now": now},
        {"id": "token-expired", "method": "GET", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now + 400, tok), "now": now + 400},
        {"id": "mtls-valid", "method": "GET", "url": url, "authorization": "Bearer " + mtls_tok,
         "client_cert_pem": cert_text, "now": now},
        {"id": "mtls-other-cert", "method": "GET", "url": url,
         "authorization": "Bearer " + mtls_tok, "client_cert_pem": other_text, "now": now},
        {"id": "mtls-no-cert", "method": "GET", "url": url, "authorization": "Bearer " + mtls_tok,
         "now": now},
    ]
    with open(out, "w") as f:
        for line in lines:
            f.write(compact(line) + "\n")


def nonce_batch(out: str, base: str, now: int, secret_file: str):
    """For a config with nonce_required: no nonce, a wrong nonce, the right one, its replay."""
    with open(secret_file, "rb") as f:
        secret = f.read()
    es = keygen("ES256")
    url = base + "/accounts"
    tok = make_token("ES256", now, holder=es)
    right = make_proof(es, "GET", url, now, tok, nonce=nonce(secret, now))
    lines = [
        {"id": "nonce-missing", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now, tok), "now": now},
        {"id": "nonce-wrong", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now, tok, nonce=nonce(os.urandom(32), now)),
         "now": now},
        {"id": "nonce-stale", "url": url, "authorization": "DPoP " + tok,
         "dpop": make_proof(es, "GET", url, now, tok, nonce=nonce(secret, now - 600)),
         "now": now},
        {"id": "nonce-valid", "url": url, "authorization": "DPoP " + tok, "dpop": right,
         "now": now},
        {"id": "nonce-replayed", "url": url, "authorization": "DPoP " + tok, "dpop": right,
         "now": now},
    ]
    with open(out, "w") as f:
        for line in lines:
            f.write(compact(line) + "\n")


# --- command line -----------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("keygen")
    p.add_argument("--alg", choices=["ES256", "EdDSA"], default="ES256")
    p.add_argument("--out", required=True)
    p = sub.add_parser("thumbprint")
    p.add_argument("--key", required=True)
    p = sub.add_parser("token")
    p.add_argument("--alg", choices=["ES256", "EdDSA"], default="ES256")
    p.add_argument("--now", type=int)
    p.add_argument("--ttl", type=int, default=300)
    p.add_argument("--sub", default="alice")
    p.add_argument("--scope", default="accounts")
    p.add_argument("--holder")
    p.add_argument("--cert")
    p.add_argument("--iss", default=ISS)
    p.add_argument("--aud", default=AUD)
    p.add_argument("--typ", default="at+jwt")
    p.add_argument("--tamper", action="store_true")
    p = sub.add_parser("proof")
    p.add_argument("--key", required=True)
    p.add_argument("--htm", required=True)
    p.add_argument("--htu", required=True)
    p.add_argument("--now", type=int)
    p.add_argument("--token")
    p.add_argument("--nonce")
    p.add_argument("--jti")
    p = sub.add_parser("cert")
    p.add_argument("--out", required=True)
    p.add_argument("--cn", default="demo-client")
    p = sub.add_parser("cert-header")
    p.add_argument("--cert", required=True)
    p = sub.add_parser("nonce")
    p.add_argument("--secret-file", required=True)
    p.add_argument("--now", type=int, required=True)
    p.add_argument("--slot", type=int, default=60)
    p = sub.add_parser("check-jwks")
    p.add_argument("file")
    p = sub.add_parser("batch")
    p.add_argument("--out", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--now", type=int, required=True)
    p.add_argument("--workdir", required=True)
    p = sub.add_parser("nonce-batch")
    p.add_argument("--out", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--now", type=int, required=True)
    p.add_argument("--secret-file", required=True)
    a = ap.parse_args(argv)

    if a.cmd == "keygen":
        save_key(keygen(a.alg), a.out)
    elif a.cmd == "thumbprint":
        print(thumbprint(load_key(a.key)))
    elif a.cmd == "token":
        holder = load_key(a.holder) if a.holder else None
        print(make_token(a.alg, a.now, a.ttl, a.sub, a.scope, holder, a.cert, a.iss, a.aud,
                         a.typ, a.tamper))
    elif a.cmd == "proof":
        print(make_proof(load_key(a.key), a.htm, a.htu, a.now, a.token, a.nonce, a.jti))
    elif a.cmd == "cert":
        make_cert(a.out, a.cn)
    elif a.cmd == "cert-header":
        print(cert_header(a.cert))
    elif a.cmd == "nonce":
        with open(a.secret_file, "rb") as f:
            print(nonce(f.read(), a.now, a.slot))
    elif a.cmd == "check-jwks":
        return 0 if check_jwks(a.file) else 1
    elif a.cmd == "batch":
        batch(a.out, a.base, a.now, a.workdir)
    elif a.cmd == "nonce-batch":
        nonce_batch(a.out, a.base, a.now, a.secret_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
