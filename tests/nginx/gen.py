#!/usr/bin/env python3
"""Extra material for the nginx, Lua, fleet and race scripts, made with tests/e2e/mint.py (Python
`cryptography`, independent of fapi): issuer key sets for JWKS rotation, tokens signed by those
issuers, and many DPoP proofs at once.

  jwks --out FILE SEED...                 ES256 issuer keys 0x42 0x11.. SEED (kid "rot-SEED")
  token --seed SEED [--holder KEYFILE] [--now N] [--ttl S] [--sub S] [--scope S]
                                          an access token signed by issuer key SEED
  proofs --key FILE --htm M --htu URL --token T --count N --out FILE [--now N] [--nonce X]
         [--jobs J]                       N fresh proofs (one per line; J processes)
"""

import argparse
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import mint  # noqa: E402


def kid(seed: int) -> str:
    return f"rot-{seed}"


def _proof_chunk(args):
    keyfile, htm, htu, token, now, nonce, count = args
    key = mint.load_key(keyfile)
    return [mint.make_proof(key, htm, htu, now, token, nonce) for _ in range(count)]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("jwks")
    p.add_argument("--out", required=True)
    p.add_argument("seeds", type=int, nargs="+")
    p = sub.add_parser("token")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--holder")
    p.add_argument("--now", type=int)
    p.add_argument("--ttl", type=int, default=300)
    p.add_argument("--sub", default="alice")
    p.add_argument("--scope", default="accounts")
    p = sub.add_parser("proofs")
    p.add_argument("--key", required=True)
    p.add_argument("--htm", required=True)
    p.add_argument("--htu", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--now", type=int)
    p.add_argument("--nonce")
    p.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args(argv)

    if a.cmd == "jwks":
        keys = []
        for s in a.seeds:
            jwk = mint.public_jwk(mint.demo_es256(s))
            jwk.update({"kid": kid(s), "use": "sig", "alg": "ES256"})
            keys.append(jwk)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(mint.compact({"keys": keys}))
        os.replace(tmp, a.out)  # atomic: a reader sees the old file or the new one
    elif a.cmd == "token":
        mint.DEMO_ISSUERS["ES256"] = (lambda: mint.demo_es256(a.seed), kid(a.seed))
        holder = mint.load_key(a.holder) if a.holder else None
        print(mint.make_token("ES256", a.now, a.ttl, a.sub, a.scope, holder))
    elif a.cmd == "proofs":
        jobs = max(1, a.jobs)
        sizes = [a.count // jobs + (1 if i < a.count % jobs else 0) for i in range(jobs)]
        work = [(a.key, a.htm, a.htu, a.token, a.now, a.nonce, n) for n in sizes]
        if jobs == 1:
            chunks = [_proof_chunk(work[0])]
        else:
            with multiprocessing.Pool(jobs) as pool:
                chunks = pool.map(_proof_chunk, work)
        with open(a.out, "w") as f:
            for chunk in chunks:
                for proof in chunk:
                    f.write(proof + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
