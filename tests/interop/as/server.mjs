// The authorization server of fapi's client-side interop tests: panva's certified oidc-provider
// (pinned in package-lock.json), configured as a FAPI 2.0 authorization server.
//
//   node server.mjs <config.json>        (AS_DEBUG=1 prints each interaction)
//
// config.json (written by the test runner):
//   { "port": 39443, "cert": "server.pem", "key": "server.key", "ca": "ca.pem",
//     "clients": [ ...client metadata... ] }
//
// HTTPS on 127.0.0.1:<port>, issuer https://localhost:<port>. The TLS server asks for a client
// certificate without requiring one (mTLS client authentication and certificate-bound tokens).
// The interaction is approved automatically: /interaction/<uid> logs in "alice" and grants what
// the request asked for. Prints "ready <issuer>" on stdout when listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `https://localhost:${cfg.port}`;
const RESOURCE = 'https://rs.fapi.test/';

// Signing keys of the authorization server, new at each start (tests fetch jwks_uri).
async function key(alg, kid) {
  const opts = alg === 'PS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { privateKey } = await jose.generateKeyPair(alg, opts);
  return { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
}
const jwks = { keys: [await key('ES256', 'as-es256'), await key('EdDSA', 'as-eddsa'), await key('PS256', 'as-ps256')] };

// The client certificate of this TLS connection, as PEM, or undefined.
function peerPem(ctx) {
  const peer = ctx.socket.getPeerX509Certificate?.();
  return peer ? peer.toString() : undefined;
}

const provider = new Provider(issuer, {
  clients: cfg.clients,
  jwks,
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  claims: { openid: ['sub'] },
  scopes: ['openid', 'offline_access', 'accounts'],
  pkce: { required: () => true },
  // FAPI 2.0 client authentication: private_key_jwt or mTLS.
  clientAuthMethods: ['private_key_jwt', 'self_signed_tls_client_auth', 'tls_client_auth'],
  enabledJWA: {
    clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'PS256'],
    requestObjectSigningAlgValues: ['ES256', 'EdDSA', 'PS256'],
    authorizationSigningAlgValues: ['ES256', 'EdDSA', 'PS256'],
    idTokenSigningAlgValues: ['ES256', 'EdDSA', 'PS256'],
    dPoPSigningAlgValues: ['ES256', 'EdDSA', 'PS256'],
  },
  features: {
    devInteractions: { enabled: false },
    fapi: { enabled: true, profile: '2.0' },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
    requestObjects: { enabled: true, requireSignedRequestObject: true },
    jwtResponseModes: { enabled: true },
    dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
    mTLS: {
      enabled: true,
      certificateBoundAccessTokens: true,
      selfSignedTlsClientAuth: true,
      tlsClientAuth: true,
      getCertificate: peerPem,
      // tls_client_auth: the certificate must chain to the test CA (Node checked it).
      certificateAuthorized: (ctx) => ctx.socket.authorized === true,
      certificateSubjectMatches(ctx, property, expected) {
        const pem = peerPem(ctx);
        if (!pem) return false;
        const cert = new X509Certificate(pem);
        if (property === 'tls_client_auth_san_dns') {
          return (cert.subjectAltName || '').split(', ').includes(`DNS:${expected}`);
        }
        return false;
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'accounts',
        audience: RESOURCE,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A refresh token for every client allowed the grant; rotated on each use.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, RefreshToken: 3600, Interaction: 600, Session: 600, Grant: 3600 },
  cookies: { keys: [randomBytes(32).toString('hex')] },
});
provider.proxy = false;

// The automatic interaction: log "alice" in and grant the requested scopes and resource.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!m || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { params } = details;
  if (process.env.AS_DEBUG) console.error('interaction', JSON.stringify(details.prompt), details.session?.accountId);
  const grant = new provider.Grant({ accountId: 'alice', clientId: params.client_id });
  // Everything asked for: the OpenID scopes, and the resource server's scope.
  grant.addOIDCScope(String(params.scope || 'openid'));
  grant.addResourceScope(RESOURCE, 'accounts');
  for (const [indicator, scopes] of Object.entries(details.prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const result = { login: { accountId: 'alice' }, consent: { grantId } };
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.respond = false;
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
for (const ev of ['authorization.error', 'pushed_authorization_request.error', 'grant.error', 'introspection.error']) {
  provider.on(ev, (ctx, err) => console.error(ev, err.error, err.error_description));
}

const server = createServer({
  cert: readFileSync(cfg.cert),
  key: readFileSync(cfg.key),
  ca: readFileSync(cfg.ca),
  requestCert: true,
  rejectUnauthorized: false,
}, provider.callback());
server.listen(cfg.port, '127.0.0.1', () => console.log(`ready ${issuer}`));
