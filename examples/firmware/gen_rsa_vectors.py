#!/usr/bin/env python3
"""Writes src/rsa_vectors.rs from the Wycheproof JSON (run from examples/firmware:
python3 gen_rsa_vectors.py > src/rsa_vectors.rs && cargo fmt)."""
import hashlib, json, os

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/vectors/wycheproof")
FILES = [("RS256_2048", "rsa_signature_2048_sha256_test.json"),
         ("PS256_2048", "rsa_pss_2048_sha256_mgf1_32_test.json"),
         ("RS256_4096", "rsa_signature_4096_sha256_test.json"),
         ("PS256_4096", "rsa_pss_4096_sha256_mgf1_32_test.json")]
TC_ID = 2  # "valid", a 20-octet all-zero message, in all four files


def arr(b):
    rows = ("    " + " ".join("0x%02x," % x for x in b[i:i + 16]) for i in range(0, len(b), 16))
    return "[\n" + "\n".join(rows) + "\n]"


print("//! Generated from tests/vectors/wycheproof/*.json (one valid vector per case, tcId 2: a 20-byte")
print("//! all-zero message). The modulus has its ASN.1 leading 0x00 removed; DIGEST is SHA-256(msg),")
print("//! computed on the host so that the firmware measures only the verification.")
print("//! Regenerate with gen_rsa_vectors.py (then `cargo fmt`).\n")
for name, f in FILES:
    g = json.load(open(os.path.join(SRC, f)))["testGroups"][0]
    pk = g["publicKey"]
    n = bytes.fromhex(pk["modulus"]).lstrip(b"\0")
    e = bytes.fromhex(pk["publicExponent"]).lstrip(b"\0")
    t = next(t for t in g["tests"] if t["tcId"] == TC_ID)
    assert t["result"] == "valid"
    msg, sig = bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"])
    print(f'// {f}, testGroups[0], tcId {t["tcId"]} ({t["comment"] or "valid"}).')
    print(f"pub const {name}_N: [u8; {len(n)}] = {arr(n)};")
    print(f"pub const {name}_E: [u8; {len(e)}] = {arr(e)};")
    print(f"pub const {name}_DIGEST: [u8; 32] = {arr(hashlib.sha256(msg).digest())};")
    print(f"pub const {name}_SIG: [u8; {len(sig)}] = {arr(sig)};\n")
