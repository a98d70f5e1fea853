#!/usr/bin/env python3
"""The reference verdicts of the differential check: joserfc (an independent JOSE
implementation on Python `cryptography`) plus the RFC checks a resource server adds around it.

    reference.py cases.jsonl > reference.jsonl

One line per case: {"id", "verdict": "accept"|"reject", "reason"}. The reference reads only the
case's inputs (token, key set or request, time), never the generator's tags or predictions.

Access tokens (RFC 7519, RFC 9068 claims, RFC 7800 `cnf`): joserfc parses the compact JWS and
checks the signature; the key comes from the key set as a generic JOSE consumer picks it: the
header's `kid` if there is one, a key type fitting `alg`, `use` absent or `sig`, `key_ops`
absent or holding `verify`, the key's `alg` absent or naming the header's (EdDSA and Ed25519
being one algorithm for an Ed25519 key, RFC 9864); every candidate is tried. Then joserfc's
claims registry: `iss` and `aud` equal to the expected values (`aud` may be an array holding
it), `exp` required, `exp`/`nbf`/`iat` with a 10 s leeway, types of `sub` and `jti`; and the
resource server's own: `client_id` and `scope` strings, a `cnf` an object holding `jkt` or
`x5t#S256` as strings. `typ` is not checked (a generic JWT consumer does not). Registered header
members must have their RFC 7515 types (joserfc's check; `jku`/`x5u` need only be strings,
see HEADERS).

DPoP proofs (RFC 9449 §4.3): `typ` is `dpop+jwt` (compared as RFC 7515 §4.1.9 says: ASCII case
insensitive, `application/` optional), `alg` asymmetric, `jwk` a public key (no private members)
fitting `alg` and verifying the signature (joserfc), `jti` a string, `htm` the method, `htu` the
request URI after RFC 3986 §6.2.2/§6.2.3 normalisation (written here, independently of fapi's),
query and fragment ignored, `iat` within [now − 300 s, now + 10 s], `ath` the base64url SHA-256
of the access token when one is presented.
"""

import base64
import hashlib
import json
import math
import re
import sys
import warnings

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, KeySet
from joserfc.jwt import JWTClaimsRegistry
from joserfc.registry import JWS_HEADER_REGISTRY, HeaderParameter

ISS = "https://as.example.com"
AUD = "https://rs.example.com"
LEEWAY = 10
MAX_AGE = 300
ALGS = ["ES256", "EdDSA", "Ed25519", "PS256", "RS256"]
PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

warnings.simplefilter("ignore")


# RFC 7515 §4.1.2/§4.1.5: `jku` and `x5u` are URIs. joserfc also requires http(s), a policy for
# fetching them; neither side fetches anything, so the reference takes the RFC's definition (a
# string) and keeps joserfc's type checks of every other registered member.
HEADERS = dict(JWS_HEADER_REGISTRY)
HEADERS["jku"] = HeaderParameter("JWK Set URL", "str")
HEADERS["x5u"] = HeaderParameter("X.509 URL", "str")


def registry(algs):
    r = jws.JWSRegistry(header_registry=HEADERS, algorithms=algs, strict_check_header=False)
    # joserfc's own size limits (512-byte headers) are a policy, not JOSE: raise them so that
    # they never decide a case (fapi's limits are a stricter-by-design class of their own).
    r.max_header_length = r.max_payload_length = r.max_signature_length = 1 << 20
    return r


class Reject(Exception):
    pass


def key_fits(alg, jwk):
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if alg == "ES256":
        return kty == "EC" and crv == "P-256"
    if alg in ("EdDSA", "Ed25519"):
        return kty == "OKP" and crv == "Ed25519"
    return kty == "RSA"


def same_alg(a, b):
    return a == b or {a, b} <= {"EdDSA", "Ed25519"}


def import_key(jwk):
    # The key's `alg` was matched above (joserfc would not take EdDSA for Ed25519).
    return JWKRegistry.import_key({k: v for k, v in jwk.items() if k != "alg"})


def verify_with_candidates(obj, alg, candidates):
    reg = registry([alg])
    for k in candidates:
        try:
            if jws.validate_compact(obj, k, registry=reg):
                return True
        except (JoseError, ValueError, TypeError):
            continue
    return False


def parse(token, algs):
    try:
        obj = jws.extract_compact(token.encode("latin-1"), registry=registry(algs))
    except (JoseError, ValueError, TypeError) as e:
        raise Reject(f"compact: {type(e).__name__}")
    header = obj.headers()
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algs:
        raise Reject("alg")
    return obj, header, alg


def check_access_token(case):
    obj, header, alg = parse(case["token"], ALGS)
    try:
        doc = json.loads(case["jwks"])
        keys = []
        for j in doc["keys"]:
            if not key_fits(alg, j):
                continue
            if "kid" in header and j.get("kid") != header["kid"]:
                continue
            if j.get("use", "sig") != "sig":
                continue
            if "key_ops" in j and "verify" not in j["key_ops"]:
                continue
            if "alg" in j and not same_alg(j["alg"], alg):
                continue
            try:
                keys.append(import_key(j))
            except (JoseError, ValueError, TypeError):
                continue
    except (ValueError, KeyError, TypeError) as e:
        raise Reject(f"jwks: {type(e).__name__}")
    if not keys:
        raise Reject("no key")
    if not verify_with_candidates(obj, alg, keys):
        raise Reject("signature")
    claims = json_object(obj.payload)
    try:
        JWTClaimsRegistry(
            now=case["now"], leeway=LEEWAY,
            iss={"essential": True, "value": ISS}, aud={"essential": True, "value": AUD},
            exp={"essential": True},
        ).validate(claims)
    except JoseError as e:
        raise Reject(f"claims: {type(e).__name__} {e}")
    for name in ("client_id", "scope"):
        if name in claims and not isinstance(claims[name], str):
            raise Reject(f"{name} type")
    if "cnf" in claims:
        cnf = claims["cnf"]
        if not isinstance(cnf, dict):
            raise Reject("cnf not an object")
        methods = [m for m in ("jkt", "x5t#S256") if m in cnf]
        if not methods or not all(isinstance(cnf[m], str) for m in methods):
            raise Reject("cnf method")


def json_object(payload):
    try:
        claims = json.loads(payload)
    except (ValueError, TypeError):
        raise Reject("payload json")
    if not isinstance(claims, dict):
        raise Reject("payload not an object")
    return claims


def is_number(v):
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def typ_is(value, media):
    if not isinstance(value, str):
        return False
    v = value.lower()
    if v.startswith("application/"):
        v = v[len("application/"):]
    return v == media


def check_proof(case):
    req = case["dpop"]
    obj, header, alg = parse(case["token"], ALGS)
    if not typ_is(header.get("typ"), "dpop+jwt"):
        raise Reject("typ")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or any(m in jwk for m in PRIVATE):
        raise Reject("jwk")
    if not key_fits(alg, jwk) or ("alg" in jwk and not same_alg(jwk["alg"], alg)):
        raise Reject("jwk does not fit alg")
    try:
        key = import_key(jwk)
    except (JoseError, ValueError, TypeError):
        raise Reject("jwk import")
    if not verify_with_candidates(obj, alg, [key]):
        raise Reject("signature")
    claims = json_object(obj.payload)
    if not isinstance(claims.get("jti"), str):
        raise Reject("jti")
    if claims.get("htm") != req["method"]:
        raise Reject("htm")
    htu = claims.get("htu")
    if not isinstance(htu, str):
        raise Reject("htu type")
    want, got = normalise_uri(req["htu"]), normalise_uri(htu)
    if want is None:
        raise Exception(f"case {case['id']}: the request URI does not normalise")
    if got != want:
        raise Reject("htu")
    iat = claims.get("iat")
    if not is_number(iat):
        raise Reject("iat type")
    if not (case["now"] - MAX_AGE <= iat <= case["now"] + LEEWAY):
        raise Reject("iat window")
    if req.get("access_token") is not None:
        want_ath = base64.urlsafe_b64encode(
            hashlib.sha256(req["access_token"].encode()).digest()).rstrip(b"=").decode()
        if claims.get("ath") != want_ath:
            raise Reject("ath")


# RFC 3986 normalisation, for http and https URIs.

UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
SUB_DELIMS = set("!$&'()*+,;=")
PCHAR = UNRESERVED | SUB_DELIMS | set(":@")
URI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


def valid_chars(s, allowed):
    i = 0
    while i < len(s):
        c = s[i]
        if c == "%":
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", s[i + 1:i + 3]):
                return False
            i += 3
            continue
        if c not in allowed:
            return False
        i += 1
    return True


def normalise_path(path):
    out = []
    i = 0
    while i < len(path):
        if path[i] == "%":
            c = chr(int(path[i + 1:i + 3], 16))
            out.append(c if c in UNRESERVED else "%" + path[i + 1:i + 3].upper())
            i += 3
        else:
            out.append(path[i])
            i += 1
    return remove_dot_segments("".join(out)) or "/"


def remove_dot_segments(path):
    """RFC 3986 §5.2.4."""
    inp, out = path, ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = "/" + inp[3:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = "/" + inp[4:]
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp == "/..":
            inp = "/"
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp in (".", ".."):
            inp = ""
        else:
            j = inp.find("/", 1)
            j = len(inp) if j < 0 else j
            out += inp[:j]
            inp = inp[j:]
    return out


def normalise_uri(u):
    m = URI.fullmatch(u)
    if not m:
        return None
    scheme, authority, path, query, fragment = m.groups()
    scheme = scheme.lower()
    if scheme not in ("http", "https") or "@" in authority:
        return None  # RFC 9110 §4.2.4: no userinfo in http(s) URIs
    host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if not host or not valid_chars(host, UNRESERVED | SUB_DELIMS):
        return None
    if port and not port.isdigit():
        return None
    if port and not 0 < int(port) < 65536:
        return None
    if port and int(port) == {"http": 80, "https": 443}[scheme]:
        port = ""
    if not valid_chars(path, PCHAR | {"/"}):
        return None
    for part in (query, fragment):
        if part is not None and not valid_chars(part, PCHAR | set("/?")):
            return None
    return f"{scheme}://{host.lower()}{':' + str(int(port)) if port else ''}{normalise_path(path)}"


def main():
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    for line in src:
        case = json.loads(line)
        check = check_access_token if case["kind"] == "at" else check_proof
        try:
            check(case)
            out = {"id": case["id"], "verdict": "accept", "reason": ""}
        except Reject as r:
            out = {"id": case["id"], "verdict": "reject", "reason": str(r)}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
