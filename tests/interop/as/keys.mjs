// Turns a PEM private key (PKCS#8) into the JWK files the interop tests use:
//   node keys.mjs <key.pem> <alg> <private.jwk.json> [<cert.pem>]
// prints the public JWK (with x5c when a certificate is given) on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as jose from 'jose';

const [pem, alg, out, certPath] = process.argv.slice(2);
const key = await jose.importPKCS8(readFileSync(pem, 'utf8'), alg, { extractable: true });
const jwk = { ...(await jose.exportJWK(key)), alg, use: 'sig' };
jwk.kid = await jose.calculateJwkThumbprint(jwk);
writeFileSync(out, JSON.stringify(jwk));
const { d, p, q, dp, dq, qi, ...pub } = jwk;
if (certPath) pub.x5c = [new X509Certificate(readFileSync(certPath)).raw.toString('base64')];
process.stdout.write(JSON.stringify(pub));
