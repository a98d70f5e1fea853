// Checks the interop authorization server with a client that is not fapi: jose (the library
// oidc-provider itself uses) signs and verifies, Node's https does the HTTP. One full flow per
// client authentication method: PAR + JAR (dpop_jkt) → authorization → JARM (query.jwt) →
// token (DPoP with the nonce retry, or certificate-bound for mTLS clients) → refresh. If this fails, the server's configuration is at
// fault, not fapi.
//
//   node selfcheck.mjs <config.json> <client-files.json>     (SELFCHECK_DEBUG=1 prints redirects)
//
// client-files.json: { "<client_id>": { "key": "client.key.jwk.json", "cert": "...pem",
//                                       "certKey": "...key" } }  (cert only for mTLS clients)
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as jose from 'jose';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const files = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const issuer = `https://localhost:${cfg.port}`;
const ca = readFileSync(cfg.ca);
const b64u = (b) => Buffer.from(b).toString('base64url');

function http(method, url, { body, headers = {}, tls = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, ...tls }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function fail(msg) {
  console.error(`selfcheck: FAIL: ${msg}`);
  process.exit(1);
}

const meta = JSON.parse((await http('GET', `${issuer}/.well-known/openid-configuration`)).body);
if (meta.issuer !== issuer) fail(`issuer ${meta.issuer}`);
const asKeys = jose.createLocalJWKSet(JSON.parse((await http('GET', meta.jwks_uri)).body));

for (const client of cfg.clients) {
  const id = client.client_id;
  const f = files[id];
  const tls = f.cert ? { cert: readFileSync(f.cert), key: readFileSync(f.certKey) } : {};
  const endpoint = (name) => (f.cert && meta.mtls_endpoint_aliases?.[name]) || meta[name];
  const clientKey = await jose.importJWK(JSON.parse(readFileSync(f.key, 'utf8')), 'ES256');
  const dpopKey = await jose.generateKeyPair('ES256', { extractable: true });
  const dpopJwk = await jose.exportJWK(dpopKey.publicKey);
  const jkt = await jose.calculateJwkThumbprint(dpopJwk);
  const now = () => Math.floor(Date.now() / 1000);

  const assertion = () => new jose.SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(id).setSubject(id).setAudience(issuer)
    .setJti(b64u(randomBytes(16))).setIssuedAt().setExpirationTime('60s')
    .sign(clientKey);
  const auth = async () => (client.token_endpoint_auth_method === 'private_key_jwt'
    ? { client_id: id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion() }
    : { client_id: id });
  const proof = (htm, htu, nonce) => new jose.SignJWT({ htm, htu, jti: b64u(randomBytes(16)), iat: now(), ...(nonce ? { nonce } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopJwk })
    .sign(dpopKey.privateKey);
  // POST with a DPoP proof, retried once with the server's nonce (RFC 9449 §8); mTLS clients
  // bind their tokens to the certificate instead.
  async function dpopPost(url, form) {
    if (f.cert) {
      return http('POST', url, { body: new URLSearchParams(await form()).toString(), tls, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }
    let res = await http('POST', url, { body: new URLSearchParams(await form()).toString(), tls, headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof('POST', url) } });
    if (res.status === 400 && JSON.parse(res.body).error === 'use_dpop_nonce') {
      res = await http('POST', url, { body: new URLSearchParams(await form()).toString(), tls, headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof('POST', url, res.headers['dpop-nonce']) } });
    }
    return res;
  }

  const verifier = b64u(randomBytes(32));
  const state = b64u(randomBytes(16));
  const nonce = b64u(randomBytes(16));
  const redirect = client.redirect_uris[0];
  const jar = await new jose.SignJWT({
    response_type: 'code', client_id: id, redirect_uri: redirect, scope: 'openid offline_access accounts',
    state, nonce, code_challenge: b64u(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256', response_mode: 'jwt', prompt: 'consent',
  }).setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    .setIssuer(id).setAudience(issuer).setIssuedAt().setNotBefore('0s').setExpirationTime('300s')
    .setJti(b64u(randomBytes(16))).sign(clientKey);
  const par = await http('POST', endpoint('pushed_authorization_request_endpoint'), {
    tls, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...(await auth()), request: jar, ...(f.cert ? {} : { dpop_jkt: jkt }) }).toString(),
  });
  if (par.status !== 201) fail(`${id}: PAR ${par.status} ${par.body}`);
  const { request_uri: requestUri } = JSON.parse(par.body);

  // Follow the authorization redirects with a cookie jar until the redirect_uri.
  let url = `${meta.authorization_endpoint}?${new URLSearchParams({ client_id: id, request_uri: requestUri })}`;
  const jar2 = new Map();
  let location;
  for (let hop = 0; hop < 10 && !location; hop += 1) {
    const cookie = [...jar2].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await http('GET', url, { headers: cookie ? { cookie } : {} });
    for (const c of [res.headers['set-cookie'] || []].flat()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar2.set(kv.slice(0, i), kv.slice(i + 1));
    }
    if (res.status < 300 || res.status >= 400) fail(`${id}: authorization ${res.status} ${res.body.slice(0, 300)}`);
    const next = new URL(res.headers.location, url).toString();
    if (process.env.SELFCHECK_DEBUG) console.error(`hop ${res.status} ${next}`);
    if (next.startsWith(redirect)) location = next; else url = next;
  }
  const response = new URL(location).searchParams.get('response');
  if (!response) fail(`${id}: no JARM response in ${location}`);
  const { payload: jarm } = await jose.jwtVerify(response, asKeys, { issuer, audience: id });
  if (jarm.state !== state || !jarm.code) fail(`${id}: JARM ${JSON.stringify(jarm)}`);

  const tokenUrl = endpoint('token_endpoint');
  const tok = await dpopPost(tokenUrl, async () => ({ ...(await auth()), grant_type: 'authorization_code', code: jarm.code, redirect_uri: redirect, code_verifier: verifier }));
  if (tok.status !== 200) fail(`${id}: token ${tok.status} ${tok.body}`);
  const t = JSON.parse(tok.body);
  if (t.token_type !== (f.cert ? 'Bearer' : 'DPoP')) fail(`${id}: token_type ${t.token_type}`);
  const { payload: idt } = await jose.jwtVerify(t.id_token, asKeys, { issuer, audience: id });
  if (idt.nonce !== nonce) fail(`${id}: id_token nonce`);
  const at = jose.decodeJwt(t.access_token);
  const want = f.cert ? { 'x5t#S256': b64u(createHash('sha256').update(new X509Certificate(tls.cert).raw).digest()) } : { jkt };
  if (JSON.stringify(at.cnf) !== JSON.stringify(want)) fail(`${id}: access token cnf ${JSON.stringify(at.cnf)}`);
  if (!t.refresh_token) fail(`${id}: no refresh_token`);
  const ref = await dpopPost(tokenUrl, async () => ({ ...(await auth()), grant_type: 'refresh_token', refresh_token: t.refresh_token }));
  if (ref.status !== 200) fail(`${id}: refresh ${ref.status} ${ref.body}`);
  const r = JSON.parse(ref.body);
  if (!r.refresh_token || r.refresh_token === t.refresh_token) fail(`${id}: refresh token not rotated`);
  console.log(`selfcheck: ${id} (${client.token_endpoint_auth_method}): PAR, JARM, ${f.cert ? 'certificate-bound' : 'DPoP'} token, ID token, refresh ok`);
}
