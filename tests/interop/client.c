/*
 * The interop driver: fapi's C ABI as the OAuth client of a real authorization server
 * (oidc-provider, tests/interop/as/server.mjs), with libcurl for HTTP(S) and OpenSSL only for
 * reading the clients' PEM keys and for the host signing callback (PS256 DPoP proofs).
 * Every message is built or checked by fapi: discovery, PKCE, state/nonce, the request object,
 * client assertions, the PAR body and response, the authorization URL, the authorization
 * response (JARM in four modes, plain), token request bodies and responses (DPoP nonce retry),
 * DPoP proofs, ID tokens, refresh with rotation — and the access token is then judged by
 * fapi's own resource-server decision (fapi_verifier_* / fapi_check_request).
 *
 *   client <dir> <port>     (dir: what tests/interop/setup.sh made)
 *
 * Prints one line per flow and per negative case; the last line is "interop: N passed, M
 * failed"; exits non-zero on any failure.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "fapi.h"

#define REDIRECT "https://client.fapi.test/cb"
#define SCOPE "openid offline_access accounts"
#define RS_AUDIENCE "https://rs.fapi.test/"
#define RS_BASE "https://rs.fapi.test"
#define RS_PATH "/accounts"
#define RS_URL RS_BASE RS_PATH
#define BIG 16384

static char g_dir[1024];
static char g_issuer[256];
static char g_ca[1100];
static unsigned g_pass, g_fail;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers. */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "interop: fatal: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

static void rnd(uint8_t *p, size_t n) {
  if (getrandom(p, n, 0) != (ssize_t)n) {
    die("getrandom");
  }
}

static uint64_t now(void) { return (uint64_t)time(NULL); }

static void path(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", g_dir, name);
}

static char *read_file(const char *p, size_t *len) {
  FILE *f = fopen(p, "rb");
  char *buf;
  long n;
  if (!f) {
    die("cannot open %s", p);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    die("cannot read %s", p);
  }
  buf[n] = 0;
  fclose(f);
  if (len) {
    *len = (size_t)n;
  }
  return buf;
}

static void b64url(const uint8_t *in, size_t n, char *out) {
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t i, o = 0;
  for (i = 0; i + 2 < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = a[(v >> 6) & 63];
    out[o++] = a[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = a[(v >> 6) & 63];
  }
  out[o] = 0;
}

/* Decodes base64url (no padding) into `out`; returns the length, or -1. */
static long b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap) {
  uint32_t acc = 0;
  int bits = 0;
  size_t i, o = 0;
  for (i = 0; i < n; i++) {
    const char c = in[i];
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-'             ? 62
            : c == '_'             ? 63
                                   : -1;
    if (v < 0) {
      return -1;
    }
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= cap) {
        return -1;
      }
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  return (long)o;
}

/* A flow step failed: records it and says which call and code. */
typedef struct flow {
  const char *name;
  int failed;
  char why[600];
} flow;

static int ok_(flow *f, uint32_t rc, const char *what) {
  if (rc == FAPI_OK) {
    return 1;
  }
  if (!f->failed) {
    snprintf(f->why, sizeof f->why, "%s: %u %s", what, rc, fapi_result_str(rc));
  }
  f->failed = 1;
  return 0;
}
#define OK(f, call) ok_((f), (call), #call)

static int expect_(flow *f, int cond, const char *what, const char *detail) {
  if (cond) {
    return 1;
  }
  if (!f->failed) {
    snprintf(f->why, sizeof f->why, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  }
  f->failed = 1;
  return 0;
}

/* A negative case: the call must return exactly `want`. */
static void negative(const char *name, uint32_t want, uint32_t got) {
  if (want == got) {
    g_pass++;
    printf("interop: negative: %s -> %u %s: ok\n", name, got, fapi_result_str(got));
  } else {
    g_fail++;
    printf("interop: negative: %s: FAIL: expected %u %s, got %u %s\n", name, want,
           fapi_result_str(want), got, fapi_result_str(got));
  }
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP with libcurl. */

typedef struct buf {
  char *p;
  size_t n, cap;
} buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *u) {
  buf *b = u;
  size_t n = size * nmemb;
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->n + n + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      return 0;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, data, n);
  b->n += n;
  b->p[b->n] = 0;
  return n;
}

typedef struct resp {
  long status;
  buf body;
  char location[8192];    /* raw Location header (fragments kept) */
  char next[8192];        /* Location resolved by curl */
  char dpop_nonce[600];   /* DPoP-Nonce header */
} resp;

static void resp_free(resp *r) {
  free(r->body.p);
  memset(r, 0, sizeof *r);
}

/* One session: a curl handle with its own cookie jar and, for mTLS clients, a certificate. */
typedef struct session {
  CURL *h;
  const char *cert; /* PEM file, or NULL */
  const char *key;
  int cookies_on; /* the cookie engine is on (it survives curl_easy_reset) */
} session;

static void header_copy(CURL *h, const char *name, char *out, size_t cap) {
  struct curl_header *hd = NULL;
  out[0] = 0;
  if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd && hd->value) {
    snprintf(out, cap, "%s", hd->value);
  }
}

/* GET (body NULL) or POST a form; extra header lines may be NULL. */
static int http(session *s, const char *url, const char *form, const char *h1, const char *h2,
                resp *r) {
  struct curl_slist *hs = NULL;
  CURLcode cc;
  char *next = NULL;
  memset(r, 0, sizeof *r);
  curl_easy_reset(s->h);
  curl_easy_setopt(s->h, CURLOPT_URL, url);
  curl_easy_setopt(s->h, CURLOPT_CAINFO, g_ca);
  if (!s->cookies_on) {
    curl_easy_setopt(s->h, CURLOPT_COOKIEFILE, "");
    s->cookies_on = 1;
  }
  curl_easy_setopt(s->h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &r->body);
  curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 20L);
  if (s->cert) {
    curl_easy_setopt(s->h, CURLOPT_SSLCERT, s->cert);
    curl_easy_setopt(s->h, CURLOPT_SSLKEY, s->key);
  }
  if (form) {
    hs = curl_slist_append(hs, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, form);
  }
  if (h1) {
    hs = curl_slist_append(hs, h1);
  }
  if (h2) {
    hs = curl_slist_append(hs, h2);
  }
  curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hs);
  cc = curl_easy_perform(s->h);
  curl_slist_free_all(hs);
  if (cc != CURLE_OK) {
    fprintf(stderr, "interop: curl %s: %s\n", url, curl_easy_strerror(cc));
    return 0;
  }
  curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &r->status);
  header_copy(s->h, "Location", r->location, sizeof r->location);
  header_copy(s->h, "DPoP-Nonce", r->dpop_nonce, sizeof r->dpop_nonce);
  if (curl_easy_getinfo(s->h, CURLINFO_REDIRECT_URL, &next) == CURLE_OK && next) {
    snprintf(r->next, sizeof r->next, "%s", next);
  }
  if (!r->body.p) {
    r->body.p = calloc(1, 1);
  }
  return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Keys. */

/* The 32-byte private scalar of an EC P-256 PEM key. */
static void ec_secret(const char *pem, uint8_t d[32]) {
  FILE *f = fopen(pem, "r");
  EVP_PKEY *k;
  BIGNUM *bn = NULL;
  if (!f) {
    die("cannot open %s", pem);
  }
  k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  fclose(f);
  if (!k || !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn) ||
      BN_bn2binpad(bn, d, 32) != 32) {
    die("cannot read the EC key %s", pem);
  }
  BN_clear_free(bn);
  EVP_PKEY_free(k);
}

static void *xalign(size_t n) {
  void *p = aligned_alloc(FAPI_REGION_ALIGN, (n + 7) / 8 * 8);
  if (!p) {
    die("out of memory");
  }
  return p;
}

/* A fapi ES256 signer from a PEM key, named by its RFC 7638 thumbprint (the kid keys.mjs
 * registered). */
static fapi_signer *pem_signer(const char *pem) {
  uint8_t d[32];
  fapi_signer *s, *named;
  char jkt[FAPI_JKT_LEN];
  size_t n;
  void *mem = xalign(fapi_signer_size());
  ec_secret(pem, d);
  if (fapi_signer_init_es256(mem, fapi_signer_size(), d, 32, NULL, 0, &s) != FAPI_OK ||
      fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, &n) != FAPI_OK ||
      fapi_signer_wipe(s) != FAPI_OK ||
      fapi_signer_init_es256(mem, fapi_signer_size(), d, 32, (const uint8_t *)jkt, n, &named) !=
          FAPI_OK) {
    die("fapi signer from %s", pem);
  }
  OPENSSL_cleanse(d, sizeof d);
  return named;
}

static void signer_free(fapi_signer *s) {
  if (s) {
    fapi_signer_wipe(s);
    free(s);
  }
}

/* A fresh DPoP key of fapi's own: ES256 from random bytes, or Ed25519 from a random seed. */
static fapi_signer *fresh_signer(uint32_t alg) {
  uint8_t d[32];
  fapi_signer *s;
  void *mem = xalign(fapi_signer_size());
  for (;;) {
    uint32_t rc;
    rnd(d, sizeof d);
    rc = alg == FAPI_ALG_ES256
             ? fapi_signer_init_es256(mem, fapi_signer_size(), d, 32, NULL, 0, &s)
             : fapi_signer_init_ed25519(mem, fapi_signer_size(), d, 32, alg, NULL, 0, &s);
    if (rc == FAPI_OK) {
      break;
    }
    if (rc != FAPI_ERR_SIGN_KEY_INVALID) {
      die("fresh signer: %s", fapi_result_str(rc));
    }
  }
  OPENSSL_cleanse(d, sizeof d);
  return s;
}

/* The host signing callback: an RSA-2048 key in OpenSSL signing PS256 over the digest fapi
 * passes (as an HSM would). */
static int32_t ps256_sign(void *user, uint32_t alg, const uint8_t *data, size_t data_len,
                          uint8_t *sig, size_t sig_cap, size_t *sig_len) {
  EVP_PKEY_CTX *c;
  int ok;
  size_t n = sig_cap;
  if (alg != FAPI_ALG_PS256 || data_len != 32) {
    return -1;
  }
  c = EVP_PKEY_CTX_new((EVP_PKEY *)user, NULL);
  ok = c && EVP_PKEY_sign_init(c) > 0 &&
       EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0 &&
       EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0 &&
       EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32) > 0 &&
       EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) > 0 &&
       EVP_PKEY_sign(c, sig, &n, data, data_len) > 0;
  EVP_PKEY_CTX_free(c);
  if (!ok) {
    return -1;
  }
  *sig_len = n;
  return 0;
}

static EVP_PKEY *g_rsa;

static fapi_signer *ps256_signer(void) {
  BIGNUM *bn_n = NULL, *bn_e = NULL;
  uint8_t n[512], e[8];
  char jwk[1200], n64[700], e64[16];
  int nl, el;
  fapi_signer *s;
  fapi_signing_callback cb;
  uint32_t rc;
  void *mem = xalign(fapi_signer_size());
  if (!g_rsa) {
    g_rsa = EVP_RSA_gen(2048);
  }
  if (!g_rsa || !EVP_PKEY_get_bn_param(g_rsa, OSSL_PKEY_PARAM_RSA_N, &bn_n) ||
      !EVP_PKEY_get_bn_param(g_rsa, OSSL_PKEY_PARAM_RSA_E, &bn_e)) {
    die("RSA key");
  }
  nl = BN_bn2bin(bn_n, n);
  el = BN_bn2bin(bn_e, e);
  BN_free(bn_n);
  BN_free(bn_e);
  b64url(n, (size_t)nl, n64);
  b64url(e, (size_t)el, e64);
  snprintf(jwk, sizeof jwk, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", n64, e64);
  memset(&cb, 0, sizeof cb);
  cb.struct_size = sizeof cb;
  cb.version = FAPI_STRUCT_VERSION;
  cb.user = g_rsa;
  cb.alg = FAPI_ALG_PS256;
  cb.public_jwk.ptr = (const uint8_t *)jwk;
  cb.public_jwk.len = strlen(jwk);
  cb.sign = ps256_sign;
  rc = fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s);
  if (rc != FAPI_OK) {
    die("callback signer: %s", fapi_result_str(rc));
  }
  return s;
}

/* ------------------------------------------------------------------------------------------ */
/* The authorization server as fapi sees it. */

static char *g_md;   /* discovery document */
static size_t g_md_len;
static char *g_jwks; /* the AS's JWKS */
static size_t g_jwks_len;
static uint32_t g_dpop_algs;

static fapi_client *client_new(const char *issuer, const char *client_id) {
  fapi_client_config cfg;
  fapi_client *c;
  uint32_t rc;
  void *mem = xalign(fapi_client_size());
  memset(&cfg, 0, sizeof cfg);
  cfg.struct_size = sizeof cfg;
  cfg.version = FAPI_STRUCT_VERSION;
  cfg.issuer.ptr = (const uint8_t *)issuer;
  cfg.issuer.len = strlen(issuer);
  cfg.client_id.ptr = (const uint8_t *)client_id;
  cfg.client_id.len = strlen(client_id);
  cfg.algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256;
  cfg.fapi2_profile = 1;
  rc = fapi_client_init(mem, fapi_client_size(), &cfg, &c);
  if (rc == FAPI_OK && g_jwks) {
    rc = fapi_client_set_jwks(c, (const uint8_t *)g_jwks, g_jwks_len, NULL, NULL);
  }
  if (rc != FAPI_OK) {
    die("client %s: %s", client_id, fapi_result_str(rc));
  }
  return c;
}

/* The resource server: fapi's own verifier for the AS's access tokens. */
static fapi_verifier *g_rs;
static fapi_ctx *g_ctx;

static void rs_init(void) {
  fapi_str base = {(const uint8_t *)RS_BASE, sizeof RS_BASE - 1};
  fapi_config cfg;
  size_t vlen, clen;
  void *vmem, *cmem;
  uint32_t rc;
  memset(&cfg, 0, sizeof cfg);
  cfg.struct_size = sizeof cfg;
  cfg.version = FAPI_STRUCT_VERSION;
  cfg.issuer.ptr = (const uint8_t *)g_issuer;
  cfg.issuer.len = strlen(g_issuer);
  cfg.audience.ptr = (const uint8_t *)RS_AUDIENCE;
  cfg.audience.len = sizeof RS_AUDIENCE - 1;
  cfg.bases = &base;
  cfg.base_count = 1;
  cfg.token_algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256;
  cfg.proof_algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256;
  cfg.dpop_mode = FAPI_MODE_OPTIONAL;
  cfg.mtls_mode = FAPI_MODE_OPTIONAL;
  cfg.unbound = FAPI_UNBOUND_DENY;
  cfg.fapi2_profile = 1;
  cfg.max_keys = 8;
  cfg.replay_slots = 1024;
  rnd(cfg.replay_secret, sizeof cfg.replay_secret);
  vlen = fapi_verifier_size(&cfg);
  clen = fapi_ctx_size(&cfg);
  vmem = xalign(vlen);
  cmem = xalign(clen);
  if ((rc = fapi_verifier_init(vmem, vlen, &cfg, &g_rs)) != FAPI_OK ||
      (rc = fapi_verifier_set_jwks(g_rs, (const uint8_t *)g_jwks, g_jwks_len, NULL, NULL)) !=
          FAPI_OK ||
      (rc = fapi_ctx_init(cmem, clen, &g_ctx)) != FAPI_OK) {
    die("resource server: %s", fapi_result_str(rc));
  }
}

/* One request to the resource server; returns the verdict's result code (FAPI_OK on allow). */
static uint32_t rs_request(const char *authorization, const char *proof, const char *cert_pem,
                           uint32_t *http_status) {
  fapi_str auth = {(const uint8_t *)authorization, strlen(authorization)};
  fapi_str dpop = {(const uint8_t *)proof, proof ? strlen(proof) : 0};
  fapi_request req;
  uint32_t rc;
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  req.version = FAPI_STRUCT_VERSION;
  req.method.ptr = (const uint8_t *)"GET";
  req.method.len = 3;
  req.target.ptr = (const uint8_t *)RS_PATH;
  req.target.len = sizeof RS_PATH - 1;
  req.authorization = &auth;
  req.authorization_count = 1;
  if (proof) {
    req.dpop = &dpop;
    req.dpop_count = 1;
  }
  if (cert_pem) {
    req.cert_encoding = FAPI_CERT_PEM;
    req.cert_source = FAPI_CERT_SOURCE_TLS;
    req.client_cert.ptr = (const uint8_t *)cert_pem;
    req.client_cert.len = strlen(cert_pem);
  }
  req.now = now();
  rc = fapi_check_request(g_rs, g_ctx, &req);
  if (rc != FAPI_OK) {
    return rc;
  }
  if (http_status) {
    *http_status = fapi_ctx_http_status(g_ctx);
  }
  return fapi_ctx_verdict(g_ctx) == FAPI_VERDICT_ALLOW ? FAPI_OK : fapi_ctx_result(g_ctx);
}

/* ------------------------------------------------------------------------------------------ */
/* One client and one run of the flow. */

typedef struct who {
  const char *id;
  const char *method; /* token_endpoint_auth_method */
  const char *key;    /* PEM file of its request-object/assertion key */
  const char *cert;   /* PEM certificate for mTLS, or NULL */
  fapi_signer *signer;
  char cert_path[1100], key_path[1100];
} who;

/* What a run leaves behind for the negative cases. */
typedef struct result {
  char input[BIG];        /* the authorization response part fapi verified */
  char state[64];
  char nonce[64];
  char id_token[BIG];
  char token_body[BIG];   /* the token response body */
  uint32_t token_dpop_sent;
  int have;
} result;

static const char *mode_name(uint32_t m) {
  switch (m) {
  case FAPI_RESPONSE_MODE_JWT: return "jwt";
  case FAPI_RESPONSE_MODE_QUERY_JWT: return "query.jwt";
  case FAPI_RESPONSE_MODE_FRAGMENT_JWT: return "fragment.jwt";
  case FAPI_RESPONSE_MODE_FORM_POST_JWT: return "form_post.jwt";
  case FAPI_RESPONSE_MODE_QUERY: return "query";
  default: return "default";
  }
}

/* A fresh client assertion (private_key_jwt) into `out`, or "" for mTLS clients. */
static int assertion(flow *f, fapi_client *c, who *w, char *out, size_t cap) {
  uint8_t jti[16];
  size_t n = 0;
  out[0] = 0;
  if (w->cert) {
    return 1;
  }
  rnd(jti, sizeof jti);
  if (!OK(f, fapi_client_assertion(c, w->signer, FAPI_ASSERTION_TYP_CLIENT_AUTHENTICATION, now(),
                                   60, jti, sizeof jti, (uint8_t *)out, cap - 1, &n))) {
    return 0;
  }
  out[n] = 0;
  return 1;
}

static const uint8_t *opt(const char *s) { return s[0] ? (const uint8_t *)s : NULL; }

/* POSTs a token request made by `body_fn` with a DPoP proof (if `dpop`), retried once with the
 * server's nonce on use_dpop_nonce (fresh proof and fresh client assertion). */
typedef int (*body_fn)(flow *f, fapi_client *c, who *w, const void *arg, char *out, size_t cap);

static char g_token_nonce[600]; /* the token endpoint's last DPoP-Nonce */

static int token_post(flow *f, session *s, fapi_client *c, who *w, fapi_signer *dpop,
                      const char *url, body_fn make, const void *arg, resp *r, int *retried) {
  int attempt;
  *retried = 0;
  for (attempt = 0; attempt < 2; attempt++) {
    static char body[BIG];
    char proof[4096], hdr[4200];
    size_t n = 0;
    uint32_t rc;
    if (!make(f, c, w, arg, body, sizeof body)) {
      return 0;
    }
    if (dpop) {
      uint8_t jti[16];
      fapi_dpop_proof_request pr;
      memset(&pr, 0, sizeof pr);
      pr.struct_size = sizeof pr;
      pr.version = FAPI_STRUCT_VERSION;
      pr.htm.ptr = (const uint8_t *)"POST";
      pr.htm.len = 4;
      pr.htu.ptr = (const uint8_t *)url;
      pr.htu.len = strlen(url);
      if (g_token_nonce[0]) {
        pr.nonce.ptr = (const uint8_t *)g_token_nonce;
        pr.nonce.len = strlen(g_token_nonce);
      }
      rnd(jti, sizeof jti);
      if (!OK(f, fapi_signer_dpop_proof(dpop, &pr, now(), jti, sizeof jti, g_dpop_algs,
                                        (uint8_t *)proof, sizeof proof - 1, &n))) {
        return 0;
      }
      proof[n] = 0;
      snprintf(hdr, sizeof hdr, "DPoP: %s", proof);
    }
    if (!expect_(f, http(s, url, body, dpop ? hdr : NULL, NULL, r), "token POST", url)) {
      return 0;
    }
    if (r->dpop_nonce[0]) {
      if (!OK(f, fapi_dpop_nonce_check((const uint8_t *)r->dpop_nonce, strlen(r->dpop_nonce)))) {
        return 0;
      }
      snprintf(g_token_nonce, sizeof g_token_nonce, "%s", r->dpop_nonce);
    }
    rc = fapi_token_response((uint32_t)r->status, (const uint8_t *)r->body.p, r->body.n,
                             dpop != NULL, NULL, NULL);
    if (rc == FAPI_ERR_TOKEN_USE_DPOP_NONCE && attempt == 0 && dpop && r->dpop_nonce[0]) {
      *retried = 1;
      resp_free(r);
      continue;
    }
    return 1;
  }
  return 1;
}

typedef struct code_args {
  const char *code;
  const char *verifier;
} code_args;

static int code_body(flow *f, fapi_client *c, who *w, const void *arg, char *out, size_t cap) {
  const code_args *a = arg;
  char as[2048];
  size_t n = 0;
  if (!assertion(f, c, w, as, sizeof as)) {
    return 0;
  }
  if (!OK(f, fapi_client_code_request(c, (const uint8_t *)a->code, strlen(a->code),
                                      (const uint8_t *)REDIRECT, sizeof REDIRECT - 1,
                                      (const uint8_t *)a->verifier, strlen(a->verifier), opt(as),
                                      strlen(as), (uint8_t *)out, cap - 1, &n))) {
    return 0;
  }
  out[n] = 0;
  return 1;
}

static int refresh_body(flow *f, fapi_client *c, who *w, const void *arg, char *out, size_t cap) {
  const char *rt = arg;
  char as[2048];
  size_t n = 0;
  if (!assertion(f, c, w, as, sizeof as)) {
    return 0;
  }
  if (!OK(f, fapi_client_refresh_request(c, (const uint8_t *)rt, strlen(rt), NULL, 0, opt(as),
                                         strlen(as), (uint8_t *)out, cap - 1, &n))) {
    return 0;
  }
  out[n] = 0;
  return 1;
}

static int member(flow *f, const resp *r, uint32_t dpop_sent, uint32_t which, char *out,
                  size_t cap) {
  size_t n = 0;
  if (!OK(f, fapi_token_response_member((uint32_t)r->status, (const uint8_t *)r->body.p,
                                        r->body.n, dpop_sent, which, (uint8_t *)out, cap - 1,
                                        &n))) {
    return 0;
  }
  out[n] = 0;
  return 1;
}

/* The value of the `response` input of an HTML form_post page, as a form body. */
static int form_post_input(const char *html, char *out, size_t cap) {
  const char *p = strstr(html, "name=\"response\"");
  const char *v, *end;
  if (!p) {
    return 0;
  }
  v = strstr(p, "value=\"");
  if (!v) {
    return 0;
  }
  v += 7;
  end = strchr(v, '"');
  if (!end || (size_t)(end - v) + 10 > cap) {
    return 0;
  }
  snprintf(out, cap, "response=%.*s", (int)(end - v), v);
  return 1;
}

/* Follows the authorization redirects (cookies kept) up to the redirect_uri without fetching
 * it, and leaves there the part carrying the response: query, fragment or form body. */
static int authorize(flow *f, session *s, const char *url, uint32_t mode, char *input,
                     size_t cap) {
  char next[8192];
  int hop;
  snprintf(next, sizeof next, "%s", url);
  for (hop = 0; hop < 10; hop++) {
    resp r;
    if (!expect_(f, http(s, next, NULL, NULL, NULL, &r), "authorization GET", next)) {
      return 0;
    }
    if (r.status == 200 && mode == FAPI_RESPONSE_MODE_FORM_POST_JWT) {
      int got = form_post_input(r.body.p, input, cap);
      resp_free(&r);
      return expect_(f, got, "form_post page without a response input", NULL);
    }
    if (r.status < 300 || r.status >= 400) {
      char detail[300];
      snprintf(detail, sizeof detail, "%ld %.200s", r.status, r.body.p);
      resp_free(&r);
      return expect_(f, 0, "authorization", detail);
    }
    if (strncmp(r.location, REDIRECT, sizeof REDIRECT - 1) == 0) {
      const char *q = strchr(r.location, mode == FAPI_RESPONSE_MODE_FRAGMENT_JWT ? '#' : '?');
      int got = q != NULL && strlen(q) < cap;
      if (got) {
        snprintf(input, cap, "%s", q);
      }
      resp_free(&r);
      return expect_(f, got, "redirect without a response", NULL);
    }
    snprintf(next, sizeof next, "%s", r.next);
    resp_free(&r);
  }
  return expect_(f, 0, "too many redirects", NULL);
}

/* One whole flow. `dpop_alg`: 0 for an mTLS (certificate-bound) client, else the DPoP key's
 * FAPI_ALG_* (PS256 through the host callback). */
static void run_flow(who *w, uint32_t mode, uint32_t dpop_alg, result *res) {
  flow fl = {0};
  flow *f = &fl;
  session s = {curl_easy_init(), w->cert ? w->cert_path : NULL, w->cert ? w->key_path : NULL, 0};
  fapi_client *c = client_new(g_issuer, w->id);
  fapi_signer *dpop = NULL;
  int mtls = w->cert != NULL, retried = 0, refresh_retried = 0;
  char par_url[512], authz_ep[512], token_url[512], jkt[FAPI_JKT_LEN + 1] = "";
  char verifier[FAPI_PKCE_MAX_VERIFIER_LEN + 1], challenge[FAPI_PKCE_CHALLENGE_LEN + 1];
  char state[64], nonce[64], request_uri[2100], url[4096], code[1024], sub[256];
  static char jar[BIG], body[BIG], input[BIG], at[BIG], idt[BIG], rt[4096], rt2[4096];
  char as[2048], proof[4096], authz[BIG + 16], cnf_want[FAPI_X5T_S256_LEN + 1];
  uint8_t r32[32], r16[16];
  size_t n = 0;
  uint64_t expires = 0;
  uint32_t rc, tt = 99, status = 0;
  resp r = {0};
  char *cert_pem = NULL, *stranger_pem = NULL;
  fapi_authorization_request req;
  char label[200];

  snprintf(label, sizeof label, "%s %s (%s%s%s)", w->id, mode_name(mode), w->method,
           dpop_alg ? ", DPoP " : ", certificate-bound",
           dpop_alg == FAPI_ALG_ES256    ? "ES256"
           : dpop_alg == FAPI_ALG_EDDSA  ? "EdDSA"
           : dpop_alg == FAPI_ALG_PS256 ? "PS256 via host callback"
                                         : "");
  fl.name = label;
  g_token_nonce[0] = 0;
  if (dpop_alg) {
    dpop = dpop_alg == FAPI_ALG_PS256 ? ps256_signer() : fresh_signer(dpop_alg);
  }

  /* Discovery: endpoints (mTLS aliases for certificate clients). */
  if (!OK(f, fapi_client_metadata_endpoint(c, (const uint8_t *)g_md, g_md_len, 0,
                                           FAPI_ENDPOINT_PAR, mtls, (uint8_t *)par_url,
                                           sizeof par_url - 1, &n))) {
    goto done;
  }
  par_url[n] = 0;
  if (!OK(f, fapi_client_metadata_endpoint(c, (const uint8_t *)g_md, g_md_len, 0,
                                           FAPI_ENDPOINT_AUTHORIZATION, 0, (uint8_t *)authz_ep,
                                           sizeof authz_ep - 1, &n))) {
    goto done;
  }
  authz_ep[n] = 0;
  if (!OK(f, fapi_client_metadata_endpoint(c, (const uint8_t *)g_md, g_md_len, 0,
                                           FAPI_ENDPOINT_TOKEN, mtls, (uint8_t *)token_url,
                                           sizeof token_url - 1, &n))) {
    goto done;
  }
  token_url[n] = 0;

  /* PKCE, state, nonce from host random bytes; the DPoP key's thumbprint. */
  rnd(r32, sizeof r32);
  if (!OK(f, fapi_pkce_verifier(r32, sizeof r32, (uint8_t *)verifier, sizeof verifier - 1, &n))) {
    goto done;
  }
  verifier[n] = 0;
  if (!OK(f, fapi_pkce_challenge((const uint8_t *)verifier, n, (uint8_t *)challenge,
                                 sizeof challenge - 1, &n))) {
    goto done;
  }
  challenge[n] = 0;
  rnd(r16, sizeof r16);
  if (!OK(f, fapi_random_token(r16, sizeof r16, (uint8_t *)state, sizeof state - 1, &n))) {
    goto done;
  }
  state[n] = 0;
  rnd(r16, sizeof r16);
  if (!OK(f, fapi_random_token(r16, sizeof r16, (uint8_t *)nonce, sizeof nonce - 1, &n))) {
    goto done;
  }
  nonce[n] = 0;
  if (dpop) {
    if (!OK(f, fapi_signer_jkt(dpop, (uint8_t *)jkt, sizeof jkt - 1, &n))) {
      goto done;
    }
    jkt[n] = 0;
  }

  /* JAR + PAR. */
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  req.version = FAPI_STRUCT_VERSION;
  req.redirect_uri = (fapi_str){(const uint8_t *)REDIRECT, sizeof REDIRECT - 1};
  req.scope = (fapi_str){(const uint8_t *)SCOPE, sizeof SCOPE - 1};
  req.state = (fapi_str){(const uint8_t *)state, strlen(state)};
  req.nonce = (fapi_str){(const uint8_t *)nonce, strlen(nonce)};
  req.code_challenge = (fapi_str){(const uint8_t *)challenge, strlen(challenge)};
  if (jkt[0]) {
    req.dpop_jkt = (fapi_str){(const uint8_t *)jkt, strlen(jkt)};
  }
  req.response_mode = mode;
  rnd(r16, sizeof r16);
  if (!OK(f, fapi_client_request_object(c, w->signer, &req, now(), 300, r16, sizeof r16,
                                        (uint8_t *)jar, sizeof jar - 1, &n))) {
    goto done;
  }
  jar[n] = 0;
  if (!assertion(f, c, w, as, sizeof as)) {
    goto done;
  }
  if (!OK(f, fapi_client_par_body(c, (const uint8_t *)jar, strlen(jar), opt(as), strlen(as),
                                  opt(jkt), strlen(jkt), (uint8_t *)body, sizeof body - 1, &n))) {
    goto done;
  }
  body[n] = 0;
  if (!expect_(f, http(&s, par_url, body, NULL, NULL, &r), "PAR POST", par_url)) {
    goto done;
  }
  rc = fapi_par_response((uint32_t)r.status, (const uint8_t *)r.body.p, r.body.n,
                         (uint8_t *)request_uri, sizeof request_uri - 1, &n, &expires);
  if (rc != FAPI_OK) {
    char e[200] = "";
    size_t en = 0;
    if (fapi_oauth_error((const uint8_t *)r.body.p, r.body.n, FAPI_OAUTH_ERROR_DESCRIPTION,
                         (uint8_t *)e, sizeof e - 1, &en) == FAPI_OK) {
      e[en] = 0;
    }
    fprintf(stderr, "interop: PAR answer %ld: %s (%s)\n", r.status, r.body.p, e);
    OK(f, rc);
    goto done;
  }
  request_uri[n] = 0;
  resp_free(&r);
  expect_(f, expires > 0, "PAR expires_in", NULL);

  /* Authorization: follow the redirects up to the redirect_uri; verify the response. */
  if (!OK(f, fapi_client_authorization_url(c, (const uint8_t *)authz_ep, strlen(authz_ep),
                                           (const uint8_t *)request_uri, strlen(request_uri),
                                           (uint8_t *)url, sizeof url - 1, &n))) {
    goto done;
  }
  url[n] = 0;
  if (!authorize(f, &s, url, mode, input, sizeof input)) {
    goto done;
  }
  if (!OK(f, fapi_client_verify_response(
                 c, (const uint8_t *)input, strlen(input), (const uint8_t *)state, strlen(state),
                 mode >= FAPI_RESPONSE_MODE_JWT, 1, now(), (uint8_t *)code, sizeof code - 1,
                 &n))) {
    goto done;
  }
  code[n] = 0;

  /* Token request (DPoP with the nonce retry, or the client certificate). */
  {
    code_args a = {code, verifier};
    if (!token_post(f, &s, c, w, dpop, token_url, code_body, &a, &r, &retried)) {
      goto done;
    }
  }
  if (!OK(f, fapi_token_response((uint32_t)r.status, (const uint8_t *)r.body.p, r.body.n,
                                 dpop != NULL, &tt, &expires))) {
    fprintf(stderr, "interop: token answer %ld: %s\n", r.status, r.body.p);
    goto done;
  }
  expect_(f, tt == (dpop ? FAPI_TOKEN_TYPE_DPOP : FAPI_TOKEN_TYPE_BEARER), "token_type", NULL);
  if (!member(f, &r, dpop != NULL, FAPI_TOKEN_ACCESS_TOKEN, at, sizeof at) ||
      !member(f, &r, dpop != NULL, FAPI_TOKEN_ID_TOKEN, idt, sizeof idt) ||
      !member(f, &r, dpop != NULL, FAPI_TOKEN_REFRESH_TOKEN, rt, sizeof rt)) {
    goto done;
  }
  snprintf(res->token_body, sizeof res->token_body, "%s", r.body.p);
  res->token_dpop_sent = dpop != NULL;
  resp_free(&r);

  /* ID token. */
  if (!OK(f, fapi_client_verify_id_token(c, (const uint8_t *)idt, strlen(idt),
                                         (const uint8_t *)nonce, strlen(nonce), now(),
                                         (uint8_t *)sub, sizeof sub - 1, &n))) {
    goto done;
  }
  sub[n] = 0;
  expect_(f, strcmp(sub, "alice") == 0, "ID token sub", sub);

  /* The resource server: fapi's own decision on the access token. */
  if (dpop) {
    fapi_dpop_proof_request pr;
    uint8_t jti[16];
    memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    pr.version = FAPI_STRUCT_VERSION;
    pr.htm = (fapi_str){(const uint8_t *)"GET", 3};
    pr.htu = (fapi_str){(const uint8_t *)RS_URL, sizeof RS_URL - 1};
    pr.access_token = (fapi_str){(const uint8_t *)at, strlen(at)};
    rnd(jti, sizeof jti);
    if (!OK(f, fapi_signer_dpop_proof(dpop, &pr, now(), jti, sizeof jti, FAPI_ALG_ES256 |
                                      FAPI_ALG_EDDSA | FAPI_ALG_PS256, (uint8_t *)proof,
                                      sizeof proof - 1, &n))) {
      goto done;
    }
    proof[n] = 0;
    snprintf(authz, sizeof authz, "DPoP %s", at);
    if (!OK(f, rs_request(authz, proof, NULL, &status))) {
      goto done;
    }
    {
      uint32_t binding = 0;
      uint8_t got_jkt[32];
      char got64[44];
      OK(f, fapi_ctx_binding(g_ctx, &binding, NULL, got_jkt, NULL));
      b64url(got_jkt, 32, got64);
      expect_(f, binding == FAPI_BINDING_DPOP && strcmp(got64, jkt) == 0,
              "resource server binding is the DPoP key", got64);
    }
    /* The same proof again: a replay. */
    rc = rs_request(authz, proof, NULL, &status);
    expect_(f, rc == FAPI_ERR_DPOP_REPLAYED, "replayed proof refused with dpop_replayed",
            fapi_result_str(rc));
  } else {
    const uint8_t *cnf = NULL;
    size_t cnf_len = 0;
    char want[80];
    cert_pem = read_file(w->cert_path, NULL);
    {
      char sp[1100];
      path(sp, sizeof sp, "stranger.pem");
      stranger_pem = read_file(sp, NULL);
    }
    if (!OK(f, fapi_cert_x5t_s256((const uint8_t *)cert_pem, strlen(cert_pem), FAPI_CERT_PEM,
                                  (uint8_t *)cnf_want, sizeof cnf_want - 1, &n))) {
      goto done;
    }
    cnf_want[n] = 0;
    snprintf(authz, sizeof authz, "Bearer %s", at);
    if (!OK(f, rs_request(authz, NULL, cert_pem, &status))) {
      goto done;
    }
    OK(f, fapi_ctx_claim_json(g_ctx, (const uint8_t *)"cnf", 3, &cnf, &cnf_len));
    snprintf(want, sizeof want, "{\"x5t#S256\":\"%s\"}", cnf_want);
    expect_(f, cnf && cnf_len == strlen(want) && memcmp(cnf, want, cnf_len) == 0,
            "token cnf is the certificate's x5t#S256", want);
    rc = rs_request(authz, NULL, stranger_pem, &status);
    expect_(f, rc == FAPI_ERR_MTLS_CERT_MISMATCH, "stranger certificate refused",
            fapi_result_str(rc));
  }

  /* Refresh with rotation; the old refresh token is then refused. */
  if (!token_post(f, &s, c, w, dpop, token_url, refresh_body, rt, &r, &refresh_retried)) {
    goto done;
  }
  if (!OK(f, fapi_token_response((uint32_t)r.status, (const uint8_t *)r.body.p, r.body.n,
                                 dpop != NULL, &tt, NULL))) {
    fprintf(stderr, "interop: refresh answer %ld: %s\n", r.status, r.body.p);
    goto done;
  }
  rc = fapi_token_response_member((uint32_t)r.status, (const uint8_t *)r.body.p, r.body.n,
                                  dpop != NULL, FAPI_TOKEN_REFRESH_TOKEN, (uint8_t *)rt2,
                                  sizeof rt2 - 1, &n);
  if (!OK(f, rc)) {
    goto done;
  }
  rt2[n] = 0;
  expect_(f, strcmp(rt, rt2) != 0, "refresh token rotated", NULL);
  resp_free(&r);
  if (!token_post(f, &s, c, w, dpop, token_url, refresh_body, rt, &r, &refresh_retried)) {
    goto done;
  }
  rc = fapi_token_response((uint32_t)r.status, (const uint8_t *)r.body.p, r.body.n, dpop != NULL,
                           NULL, NULL);
  {
    char e[100] = "";
    size_t en = 0;
    if (fapi_oauth_error((const uint8_t *)r.body.p, r.body.n, FAPI_OAUTH_ERROR, (uint8_t *)e,
                         sizeof e - 1, &en) == FAPI_OK) {
      e[en] = 0;
    }
    expect_(f, rc == FAPI_ERR_TOKEN_ERROR_RESPONSE && strcmp(e, "invalid_grant") == 0,
            "the old refresh token is refused (invalid_grant)", e);
  }

  snprintf(res->input, sizeof res->input, "%s", input);
  snprintf(res->state, sizeof res->state, "%s", state);
  snprintf(res->nonce, sizeof res->nonce, "%s", nonce);
  snprintf(res->id_token, sizeof res->id_token, "%s", idt);
  res->have = !f->failed;

done:
  resp_free(&r);
  free(cert_pem);
  free(stranger_pem);
  signer_free(dpop);
  free(c);
  curl_easy_cleanup(s.h);
  if (f->failed) {
    g_fail++;
    printf("interop: %s: FAIL: %s\n", label, f->why);
  } else {
    g_pass++;
    printf("interop: %s: discovery, PAR+JAR%s, %s ok, token%s%s, ID token ok, resource "
           "server %s, refresh rotated (old refused): ok\n",
           label, dpop ? " (dpop_jkt)" : "",
           mode >= FAPI_RESPONSE_MODE_JWT ? "JARM" : "plain response (RFC 9207 iss)", retried ? " (DPoP nonce retry)" : "",
           dpop ? " DPoP" : " certificate-bound",
           dpop ? "allowed a fresh proof, refused the replay"
                : "allowed the right certificate, refused the stranger's");
  }
}

/* verify_response with a client for `client_id` of `issuer`. */
static uint32_t verify_as(const char *issuer, const char *client_id, const char *input,
                          const char *state, uint32_t jarm, uint64_t at) {
  fapi_client *c = client_new(issuer, client_id);
  char code[1024];
  size_t n = 0;
  uint32_t rc = fapi_client_verify_response(c, (const uint8_t *)input, strlen(input),
                                            (const uint8_t *)state, strlen(state), jarm, 1, at,
                                            (uint8_t *)code, sizeof code, &n);
  free(c);
  return rc;
}

/* The `exp` of the JWT in a JARM `?response=<jwt>` input (0 if it cannot be read). */
static uint64_t jarm_exp(const char *input) {
  const char *jwt = strstr(input, "response=");
  const char *p1, *p2, *e;
  uint8_t payload[4096];
  long n;
  if (!jwt || !(p1 = strchr(jwt, '.')) || !(p2 = strchr(p1 + 1, '.'))) {
    return 0;
  }
  n = b64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), payload, sizeof payload - 1);
  if (n < 0) {
    return 0;
  }
  payload[n] = 0;
  e = strstr((const char *)payload, "\"exp\":");
  return e ? strtoull(e + 6, NULL, 10) : 0;
}

/* Negative interop: real messages of the flows above, each refused with one exact code. */
static void negatives(const result *res) {
  const result *jwt = &res[0], *plain = &res[6], *mtls = &res[5], *dpop = &res[0];
  static char in[BIG];
  char *p;
  if (!jwt->have || !plain->have || !mtls->have) {
    g_fail++;
    printf("interop: negative: FAIL: a flow they need failed\n");
    return;
  }
  /* A JARM response with one payload character changed. */
  snprintf(in, sizeof in, "%s", jwt->input);
  p = strchr(strstr(in, "response="), '.');
  p += 10;
  *p = *p == 'A' ? 'B' : 'A';
  negative("tampered JARM response (one payload character changed)", FAPI_ERR_JWS_BAD_SIGNATURE,
           verify_as(g_issuer, "fapi-pkjwt", in, jwt->state, 1, now()));
  /* A response for fapi-pkjwt read by fapi-selfsigned. */
  negative("JARM response for another client (fapi-pkjwt's, verified as fapi-selfsigned)",
           FAPI_ERR_CLAIMS_AUD_MISMATCH,
           verify_as(g_issuer, "fapi-selfsigned", jwt->input, jwt->state, 1, now()));
  /* The same response after its exp (+ the 10 s leeway). */
  {
    uint64_t exp = jarm_exp(jwt->input);
    char name[120];
    snprintf(name, sizeof name, "expired JARM response (now = exp %llu + leeway 10 + 1)",
             (unsigned long long)exp);
    negative(name, FAPI_ERR_CLAIMS_EXPIRED,
             exp ? verify_as(g_issuer, "fapi-pkjwt", jwt->input, jwt->state, 1, exp + 11)
                 : FAPI_ERR_NOT_FOUND);
  }
  /* A JARM response with another state than the one sent. */
  negative("JARM response with another state", FAPI_ERR_AUTHZ_STATE_MISMATCH,
           verify_as(g_issuer, "fapi-pkjwt", jwt->input, "c3RhdGUtb2YtYW5vdGhlci1yZXF1ZXN0", 1,
                     now()));
  /* A plain (response_mode=query) response read by a client of another issuer: mix-up. */
  negative("plain response with an iss of another server (client configured for "
           "https://as.other.test)",
           FAPI_ERR_AUTHZ_ISS_MISMATCH,
           verify_as("https://as.other.test", "fapi-pkjwt", plain->input, plain->state, 0, now()));
  /* The same plain response without its iss (FAPI 2.0 and the metadata require it). */
  snprintf(in, sizeof in, "%s", plain->input);
  if ((p = strstr(in, "&iss=")) != NULL || (p = strstr(in, "iss=")) != NULL) {
    char *end = strchr(p + 1, '&');
    if (end && *p == '&') {
      memmove(p, end, strlen(end) + 1);
    } else if (end) {
      memmove(p, end + 1, strlen(end + 1) + 1);
    } else {
      *p = 0;
    }
  }
  negative("plain response with its iss removed", FAPI_ERR_AUTHZ_ISS_MISSING,
           verify_as(g_issuer, "fapi-pkjwt", in, plain->state, 0, now()));
  /* The ID token checked against another nonce than the one sent. */
  {
    fapi_client *c = client_new(g_issuer, "fapi-pkjwt");
    char sub[256];
    size_t n = 0;
    negative("ID token with a wrong nonce", FAPI_ERR_ID_TOKEN_NONCE_MISMATCH,
             fapi_client_verify_id_token(c, (const uint8_t *)jwt->id_token, strlen(jwt->id_token),
                                         (const uint8_t *)"bm9uY2Utb2YtYW5vdGhlci1yZXF1ZXN0", 32,
                                         now(), (uint8_t *)sub, sizeof sub, &n));
    free(c);
  }
  /* The AS answers a DPoP proof with token_type DPoP only; its Bearer answer to the mTLS
   * client, read as the answer to a request that carried a proof, is the downgrade. */
  negative("token_type Bearer after a DPoP proof (fapi-tlsauth's real Bearer response)",
           FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
           fapi_token_response(200, (const uint8_t *)mtls->token_body, strlen(mtls->token_body),
                               1, NULL, NULL));
  negative("token_type DPoP without a DPoP proof (fapi-pkjwt's real DPoP response)",
           FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
           fapi_token_response(200, (const uint8_t *)dpop->token_body, strlen(dpop->token_body),
                               0, NULL, NULL));
}

int main(int argc, char **argv) {
  session s;
  resp r;
  char p[1100];
  int port;
  who clients[3] = {
      {"fapi-pkjwt", "private_key_jwt", "pkjwt.key", NULL, NULL, "", ""},
      {"fapi-selfsigned", "self_signed_tls_client_auth", "selfsigned.key", "selfsigned.pem",
       NULL, "", ""},
      {"fapi-tlsauth", "tls_client_auth", "tlsauth.key", "tlsauth.pem", NULL, "", ""},
  };
  static result res[8];
  size_t i;
  time_t t0 = time(NULL);
  if (argc != 3) {
    fprintf(stderr, "usage: client <dir> <port>\n");
    return 2;
  }
  snprintf(g_dir, sizeof g_dir, "%s", argv[1]);
  port = atoi(argv[2]);
  snprintf(g_issuer, sizeof g_issuer, "https://localhost:%d", port);
  path(g_ca, sizeof g_ca, "ca.pem");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* Discovery and the AS's keys, checked by fapi. */
  s.h = curl_easy_init();
  s.cert = s.key = NULL;
  s.cookies_on = 0;
  {
    char url[300];
    fapi_client *c;
    char jwks_url[512];
    size_t n;
    uint32_t flags = 0, rc;
    snprintf(url, sizeof url, "%s/.well-known/openid-configuration", g_issuer);
    if (!http(&s, url, NULL, NULL, NULL, &r) || r.status != 200) {
      die("discovery %s", url);
    }
    g_md = r.body.p;
    g_md_len = r.body.n;
    c = client_new(g_issuer, "fapi-pkjwt");
    if ((rc = fapi_client_metadata_check(c, (const uint8_t *)g_md, g_md_len, 0)) != FAPI_OK ||
        (rc = fapi_client_metadata_endpoint(c, (const uint8_t *)g_md, g_md_len, 0,
                                            FAPI_ENDPOINT_JWKS, 0, (uint8_t *)jwks_url,
                                            sizeof jwks_url - 1, &n)) != FAPI_OK ||
        (rc = fapi_client_metadata_flags(c, (const uint8_t *)g_md, g_md_len, 0, &flags)) !=
            FAPI_OK ||
        (rc = fapi_client_metadata_algs(c, (const uint8_t *)g_md, g_md_len, 0,
                                        FAPI_ALG_LIST_DPOP, &g_dpop_algs)) != FAPI_OK) {
      die("metadata: %s", fapi_result_str(rc));
    }
    jwks_url[n] = 0;
    printf("interop: discovery: issuer %s, jwks_uri %s, iss parameter %s, PAR %s, "
           "DPoP algs 0x%x\n",
           g_issuer, jwks_url, flags & FAPI_METADATA_ISS_PARAMETER_SUPPORTED ? "yes" : "no",
           flags & FAPI_METADATA_REQUIRES_PAR ? "required" : "optional", g_dpop_algs);
    free(c);
    if (!http(&s, jwks_url, NULL, NULL, NULL, &r) || r.status != 200) {
      die("jwks %s", jwks_url);
    }
    g_jwks = r.body.p;
    g_jwks_len = r.body.n;
  }
  curl_easy_cleanup(s.h);
  rs_init();
  for (i = 0; i < 3; i++) {
    path(p, sizeof p, clients[i].key);
    clients[i].signer = pem_signer(p);
    if (clients[i].cert) {
      path(clients[i].cert_path, sizeof clients[i].cert_path, clients[i].cert);
      path(clients[i].key_path, sizeof clients[i].key_path, clients[i].key);
    }
  }

  /* The flows: the DPoP client in each JARM mode (ES256, EdDSA and a PS256 host callback as
   * DPoP keys), then the two mTLS clients. */
  run_flow(&clients[0], FAPI_RESPONSE_MODE_JWT, FAPI_ALG_ES256, &res[0]);
  run_flow(&clients[0], FAPI_RESPONSE_MODE_QUERY_JWT, FAPI_ALG_EDDSA, &res[1]);
  run_flow(&clients[0], FAPI_RESPONSE_MODE_FRAGMENT_JWT, FAPI_ALG_ES256, &res[2]);
  run_flow(&clients[0], FAPI_RESPONSE_MODE_FORM_POST_JWT, FAPI_ALG_PS256, &res[3]);
  run_flow(&clients[1], FAPI_RESPONSE_MODE_QUERY_JWT, 0, &res[4]);
  run_flow(&clients[2], FAPI_RESPONSE_MODE_FORM_POST_JWT, 0, &res[5]);
  run_flow(&clients[0], FAPI_RESPONSE_MODE_QUERY, FAPI_ALG_ES256, &res[6]);

  negatives(res);

  for (i = 0; i < 3; i++) {
    signer_free(clients[i].signer);
  }
  EVP_PKEY_free(g_rsa);
  curl_global_cleanup();
  printf("interop: %u passed, %u failed (%ld s)\n", g_pass, g_fail, (long)(time(NULL) - t0));
  return g_fail == 0 ? 0 : 1;
}
