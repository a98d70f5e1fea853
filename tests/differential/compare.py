#!/usr/bin/env python3
"""Compares fapi's verdicts with the reference's and classifies every disagreement.

    compare.py cases.jsonl fapi.jsonl reference.jsonl

The rule:
- both accept, or both reject: agreement;
- fapi accepts what the reference rejects: FAIL, whatever the case;
- fapi rejects what the reference accepts: allowed only as fapi being stricter by design, in a
  listed class (below), and only when (a) fapi's error code belongs to that class and (b) the
  generator marked the case as exercising that class. A well-formed case (every mutation kept
  the input inside the specifications) is never excused: FAIL;
- a verdict that contradicts the generator's prediction for that implementation: FAIL (so a
  harness that refuses everything, or a generator that lost track, cannot pass).

Prints the counts per class and per mutation tag, and every failure with its case id; exits 1
on any failure.
"""

import collections
import json
import sys

# The stricter-by-design classes: what fapi refuses on purpose, and the codes it answers with
# (proof-band codes, 1000 + the token-side code, are read as the token-side code).
CLASSES = {
    "typ": ("typ must be at+jwt / dpop+jwt (RFC 9068 §4, RFC 9449 §4.2), compared as RFC 7515 "
            "§4.1.9 says; a generic JWT consumer ignores it", {217, 218}),
    "crit": ("any crit (and b64) is refused: fapi understands no extension", {215, 216}),
    "duplicate_members": ("duplicate member names are refused (RFC 7515 §4, RFC 8259 §4); "
                          "Python keeps the last", {106}),
    "canonical_base64url": ("only canonical unpadded base64url (RFC 7515 §2)", {201, 202, 203, 204, 317}),
    "kid_rules": ("a kid names one key; without one, exactly one key may fit; duplicates of a kid "
                  "that fit alike and kids over 96 bytes are refused", {300, 301, 302, 303, 316, 318}),
    "key_use": ("keys marked for another use (use, key_ops) are never used", {300, 301, 303, 318, 503}),
    "numeric_forms": ("NumericDate: plain non-negative decimal, no exponent, at most 10^11; a "
                      "fraction is read in the stricter direction", {406, 407, 408, 409, 410, 510, 511, 519}),
    "key_alg_mismatch": ("a key whose type or own alg does not fit the header's alg",
                         {300, 301, 303, 318, 503}),
    "rs256_outside_allowlist": ("RS256 is outside the FAPI 2.0 allowlist", {213}),
    "size_limits": ("published limits: token and JSON sizes, depth 16 (4 in proofs), 64 members, "
                    "jti ≤ 256 bytes", {104, 105, 107, 205, 206, 207, 513}),
    "json_strictness": ("strict RFC 8259 JSON in UTF-8 (no BOM, no lone surrogates, no NaN, no "
                        "UTF-16)", {100, 101, 102, 103, 108}),
}


def token_side(code):
    return code - 1000 if 1100 <= code < 1400 else code


def load(path):
    return [json.loads(line) for line in open(path)]


def main():
    cases, fapi, ref = (load(p) for p in sys.argv[1:4])
    fapi = {v["id"]: v for v in fapi}
    ref = {v["id"]: v for v in ref}
    counts = collections.Counter()
    per_class = collections.Counter()
    per_tag = collections.Counter()
    per_kind = collections.Counter()
    exercised = collections.Counter()
    failures = []
    for c in cases:
        f, r = fapi.get(c["id"]), ref.get(c["id"])
        if f is None or r is None:
            failures.append((c, "missing verdict", f, r))
            continue
        per_kind[c["kind"]] += 1
        for t in c["tags"]:
            per_tag[t] += 1
        for k in c["classes"]:
            exercised[k] += 1
        fv, rv = f["verdict"], r["verdict"]
        for who, got, want in (("reference", rv, c["expect"]), ("fapi", fv, c["expect_fapi"])):
            if want is not None and got != want:
                failures.append((c, f"{who} answered {got}, the generator predicted {want}", f, r))
        if fv == rv:
            counts[f"agree_{fv}"] += 1
            continue
        if fv == "accept":
            failures.append((c, "fapi accepts what the reference rejects", f, r))
            continue
        code = token_side(f["code"])
        cls = [k for k in sorted(c["classes"]) if code in CLASSES[k][1]]
        if c["well_formed"]:
            failures.append((c, "well-formed input: fapi rejects, the reference accepts", f, r))
        elif not cls:
            failures.append((c, "fapi stricter outside any listed class", f, r))
        else:
            counts["fapi_stricter"] += 1
            per_class[cls[0]] += 1

    n = len(cases)
    print(f"differential: {n} cases ({per_kind['at']} access tokens, {per_kind['dpop']} DPoP proofs), "
          f"{sum(c['well_formed'] for c in cases)} well-formed")
    print(f"  agree, both accept:          {counts['agree_accept']:5}")
    print(f"  agree, both reject:          {counts['agree_reject']:5}")
    print(f"  fapi stricter by design:     {counts['fapi_stricter']:5}   "
          "(per class: fapi stricter / cases exercising the class)")
    for k in CLASSES:
        print(f"    {k:25} {per_class[k]:5} / {exercised[k]:<5} {CLASSES[k][0]}")
    print(f"  failures:                    {len(failures):5}")
    if "-v" in sys.argv:
        print("  cases per mutation tag:")
        for t, k in sorted(per_tag.items()):
            print(f"    {t:45} {k:5}")
    for c, why, f, r in failures[:40]:
        print(f"FAIL {c['id']}: {why}; tags {c['tags']}; fapi {f and (f['verdict'], f['code'], f['name'])}; "
              f"reference {r and (r['verdict'], r['reason'])}")
    if len(failures) > 40:
        print(f"... and {len(failures) - 40} more")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
