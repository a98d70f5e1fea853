/*
 * The client-side part of the C ABI suite, included by suite.c (it uses suite.c's check
 * helpers, verifiers and contexts). Material (the authorization server's keys, a JARM
 * response, an ID token, metadata, client keys and their thumbprints, a certificate) comes
 * from examples/gen_c_cases.rs (GEN_CL_*); response bodies of the PAR and token endpoints are
 * written here.
 *
 * - Objects: fapi_client and fapi_signer sizes, init refusals (NULL, misaligned, small memory,
 *   struct size/version, every client configuration misuse code), bad regions, wipe.
 * - Verdicts: JARM (good, EdDSA form_post, tampered, another client's, expired, another state,
 *   an error response and its members), plain responses (RFC 9207 iss), ID tokens, token and
 *   PAR responses (Bearer after a DPoP proof, use_dpop_nonce, errors), metadata, PKCE (RFC 7636
 *   Appendix B), DPoP proofs made by the signer and accepted by fapi's own proof check, the
 *   exact bytes of form bodies and the authorization URL, x5t#S256.
 * - Conventions: (out, cap, *out_len) with *out_len = bytes needed on FAPI_ERR_BUFFER_TOO_SMALL
 *   and out untouched, size queries with out NULL and cap 0, NULL with lengths, wrong sizes,
 *   unknown enum values, and the host signing callback's failures.
 */

/* ------------------------------------------------------------------------------------------ */
/* Helpers. */

#define CL_S(s) (const uint8_t *)(s), strlen(s)

static fapi_client *cl_new_cfg(const char *name, const fapi_client_config *cfg, void **mem) {
  fapi_client *c = NULL;
  uint32_t rc;
  *mem = xalloc(fapi_client_size());
  rc = fapi_client_init(*mem, fapi_client_size(), cfg, &c);
  if (!check_code(name, "fapi_client_init", FAPI_OK, rc)) {
    free(*mem);
    *mem = NULL;
    return NULL;
  }
  rc = fapi_client_set_jwks(c, GEN_CL_AS_JWKS.ptr, GEN_CL_AS_JWKS.len, NULL, NULL);
  check_code(name, "fapi_client_set_jwks", FAPI_OK, rc);
  return c;
}

static fapi_client_config cl_config(const char *client_id, int fapi2) {
  fapi_client_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.struct_size = (uint32_t)sizeof cfg;
  cfg.version = FAPI_STRUCT_VERSION;
  cfg.issuer = LIT(GEN_ISS);
  cfg.client_id.ptr = (const uint8_t *)client_id;
  cfg.client_id.len = strlen(client_id);
  cfg.algs = fapi2 ? (FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256)
                   : (FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256 | FAPI_ALG_RS256);
  cfg.fapi2_profile = fapi2 ? 1 : 0;
  return cfg;
}

static fapi_client *cl_new(const char *name, const char *client_id, int fapi2, void **mem) {
  fapi_client_config cfg = cl_config(client_id, fapi2);
  return cl_new_cfg(name, &cfg, mem);
}

static fapi_signer *sg_es(const char *name, void **mem) {
  fapi_signer *s = NULL;
  *mem = xalloc(fapi_signer_size());
  if (!check_code(name, "fapi_signer_init_es256", FAPI_OK,
                  fapi_signer_init_es256(*mem, fapi_signer_size(), GEN_CL_ES_SECRET.ptr, 32,
                                         NAME("client-key-1"), &s))) {
    return NULL;
  }
  return s;
}

static fapi_signer *sg_ed(const char *name, void **mem) {
  fapi_signer *s = NULL;
  *mem = xalloc(fapi_signer_size());
  if (!check_code(name, "fapi_signer_init_ed25519", FAPI_OK,
                  fapi_signer_init_ed25519(*mem, fapi_signer_size(), GEN_CL_ED_SEED.ptr, 32,
                                           FAPI_ALG_EDDSA, NULL, 0, &s))) {
    return NULL;
  }
  return s;
}

/* Checks an output convention: FAPI_OK with exactly `want`. */
static void check_out(const char *name, const char *what, uint32_t rc, const char *want,
                      const uint8_t *out, size_t out_len) {
  if (check_code(name, what, FAPI_OK, rc)) {
    check_bytes(name, what, (const uint8_t *)want, strlen(want), out, out_len);
  }
}

/* Base64url of 32 bytes (for thumbprints). */
static void b64u32(const uint8_t in[32], char out[44]) {
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t i, o = 0;
  for (i = 0; i + 2 < 32; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = a[(v >> 6) & 63];
    out[o++] = a[v & 63];
  }
  {
    uint32_t v = (uint32_t)in[30] << 16 | (uint32_t)in[31] << 8;
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = a[(v >> 6) & 63];
  }
  out[o] = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Objects: the client and the signer. */

static void client_init_refused(const char *name, const fapi_client_config *cfg, uint32_t want) {
  void *mem = xalloc(fapi_client_size());
  fapi_client *c = (fapi_client *)(uintptr_t)0x1;
  memset(mem, 0xAB, fapi_client_size());
  check_code(name, "fapi_client_init", want, fapi_client_init(mem, fapi_client_size(), cfg, &c));
  check_true(name, "out untouched", c == (fapi_client *)(uintptr_t)0x1);
  check_true(name, "memory untouched", all_bytes(mem, 64, 0xAB));
  free(mem);
}

static void test_client_objects(void) {
  const char *n = "client objects";
  fapi_client_config cfg = cl_config(GEN_CL_CLIENT_ID, 1);
  fapi_client_config bad;
  void *mem, *smem;
  fapi_client *c = NULL;
  fapi_signer *s = NULL;
  uint32_t loaded = 0, skipped = 9, rc;
  uint8_t long_name[300];
  check_true(n, "fapi_client_size > 0", fapi_client_size() > 0);
  check_true(n, "fapi_signer_size > 0", fapi_signer_size() > 0);

  mem = xalloc(fapi_client_size());
  check_code(n, "init NULL mem", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_init(NULL, fapi_client_size(), &cfg, &c));
  check_code(n, "init small mem", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_init(mem, fapi_client_size() - 1, &cfg, &c));
  check_code(n, "init misaligned mem", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_init((char *)mem + 4, fapi_client_size() - 8, &cfg, &c));
  check_code(n, "init NULL cfg", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_init(mem, fapi_client_size(), NULL, &c));
  check_code(n, "init NULL out", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_init(mem, fapi_client_size(), &cfg, NULL));
  bad = cfg;
  bad.struct_size = 8;
  client_init_refused("client init: struct_size too small", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.version = 99;
  client_init_refused("client init: unknown version", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.fapi2_profile = 2;
  client_init_refused("client init: fapi2_profile 2", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.reserved = 1;
  client_init_refused("client init: reserved not 0", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.issuer.len = 0;
  client_init_refused("client init: empty issuer", &bad, FAPI_ERR_MISUSE_EMPTY_ISSUER);
  bad = cfg;
  bad.client_id.len = 0;
  client_init_refused("client init: empty client_id", &bad, FAPI_ERR_MISUSE_EMPTY_CLIENT_ID);
  bad = cfg;
  bad.algs = 0;
  client_init_refused("client init: no algorithms", &bad, FAPI_ERR_MISUSE_EMPTY_ALLOWLIST);
  bad = cfg;
  bad.algs = 64;
  client_init_refused("client init: unknown algorithm bit", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.algs |= FAPI_ALG_RS256;
  client_init_refused("client init: RS256 under FAPI 2.0", &bad,
                      FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  bad = cfg;
  bad.leeway = 61;
  client_init_refused("client init: leeway 61", &bad, FAPI_ERR_MISUSE_LEEWAY_TOO_LARGE);
  memset(long_name, 'a', sizeof long_name);
  bad = cfg;
  bad.issuer.ptr = long_name;
  bad.issuer.len = 256;
  client_init_refused("client init: issuer of 256 bytes", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.client_id.ptr = (const uint8_t *)"\xff\xfe";
  bad.client_id.len = 2;
  client_init_refused("client init: client_id not UTF-8", &bad, FAPI_ERR_INVALID_ARGUMENT);
  bad = cfg;
  bad.client_id.ptr = NULL;
  bad.client_id.len = 4;
  client_init_refused("client init: NULL client_id with a length", &bad,
                      FAPI_ERR_INVALID_ARGUMENT);

  rc = fapi_client_init(mem, fapi_client_size(), &cfg, &c);
  check_code(n, "init", FAPI_OK, rc);
  rc = fapi_client_set_jwks(c, GEN_CL_AS_JWKS.ptr, GEN_CL_AS_JWKS.len, &loaded, &skipped);
  check_code(n, "set_jwks", FAPI_OK, rc);
  check_u64(n, "set_jwks loaded", 3, loaded);
  check_u64(n, "set_jwks skipped", 0, skipped);
  check_code(n, "set_jwks NULL json with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_set_jwks(c, NULL, 5, NULL, NULL));
  check_code(n, "set_jwks not JSON", FAPI_ERR_JSON_SYNTAX,
             fapi_client_set_jwks(c, NAME("{keys"), NULL, NULL));
  check_code(n, "set_jwks NULL client", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_set_jwks(NULL, GEN_CL_AS_JWKS.ptr, GEN_CL_AS_JWKS.len, NULL, NULL));
  memset(mem, 0, fapi_client_size());
  check_code(n, "set_jwks on zeroed memory", FAPI_ERR_BAD_REGION,
             fapi_client_set_jwks(c, GEN_CL_AS_JWKS.ptr, GEN_CL_AS_JWKS.len, NULL, NULL));
  free(mem);

  /* Signers. */
  smem = xalloc(fapi_signer_size());
  {
    uint8_t zero[32], high[32];
    uint8_t kid[97];
    memset(zero, 0, sizeof zero);
    memset(high, 0xFF, sizeof high);
    memset(kid, 'k', sizeof kid);
    check_code(n, "es256: 31-byte secret", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_es256(smem, fapi_signer_size(), GEN_CL_ES_SECRET.ptr, 31, NULL, 0,
                                      &s));
    check_code(n, "es256: zero secret", FAPI_ERR_SIGN_KEY_INVALID,
               fapi_signer_init_es256(smem, fapi_signer_size(), zero, 32, NULL, 0, &s));
    check_code(n, "es256: secret above the group order", FAPI_ERR_SIGN_KEY_INVALID,
               fapi_signer_init_es256(smem, fapi_signer_size(), high, 32, NULL, 0, &s));
    check_code(n, "es256: kid of 97 bytes", FAPI_ERR_JWK_KID_TOO_LONG,
               fapi_signer_init_es256(smem, fapi_signer_size(), GEN_CL_ES_SECRET.ptr, 32, kid,
                                      sizeof kid, &s));
    check_code(n, "es256: small memory", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_es256(smem, fapi_signer_size() - 1, GEN_CL_ES_SECRET.ptr, 32,
                                      NULL, 0, &s));
    check_code(n, "es256: NULL secret", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_es256(smem, fapi_signer_size(), NULL, 32, NULL, 0, &s));
    check_code(n, "es256: NULL out", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_es256(smem, fapi_signer_size(), GEN_CL_ES_SECRET.ptr, 32, NULL,
                                      0, NULL));
    check_code(n, "ed25519: alg ES256", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_ed25519(smem, fapi_signer_size(), GEN_CL_ED_SEED.ptr, 32,
                                        FAPI_ALG_ES256, NULL, 0, &s));
    check_code(n, "ed25519: 33-byte seed", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_init_ed25519(smem, fapi_signer_size(), GEN_CL_ED_SEED.ptr, 33,
                                        FAPI_ALG_EDDSA, NULL, 0, &s));
  }
  {
    char jkt[64];
    size_t jl = 0;
    uint32_t alg = 0;
    rc = fapi_signer_init_es256(smem, fapi_signer_size(), GEN_CL_ES_SECRET.ptr, 32, NULL, 0, &s);
    check_code(n, "es256 init", FAPI_OK, rc);
    check_code(n, "es256 alg", FAPI_OK, fapi_signer_alg(s, &alg));
    check_u64(n, "es256 alg bit", FAPI_ALG_ES256, alg);
    rc = fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, &jl);
    check_out(n, "es256 jkt", rc, GEN_CL_ES_JKT, (const uint8_t *)jkt, jl);
    jl = 0;
    check_code(n, "jkt size query", FAPI_ERR_BUFFER_TOO_SMALL, fapi_signer_jkt(s, NULL, 0, &jl));
    check_u64(n, "jkt size query: needed", FAPI_JKT_LEN, jl);
    memset(jkt, 0x5A, sizeof jkt);
    check_code(n, "jkt 42-byte buffer", FAPI_ERR_BUFFER_TOO_SMALL,
               fapi_signer_jkt(s, (uint8_t *)jkt, 42, &jl));
    check_u64(n, "jkt 42-byte buffer: needed", 43, jl);
    check_true(n, "jkt 42-byte buffer: untouched", all_bytes((const uint8_t *)jkt, 42, 0x5A));
    check_code(n, "jkt NULL out_len", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, NULL));
    check_code(n, "jkt NULL out with a capacity", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_jkt(s, NULL, 43, &jl));
    check_code(n, "alg NULL out", FAPI_ERR_INVALID_ARGUMENT, fapi_signer_alg(s, NULL));
    check_code(n, "wipe", FAPI_OK, fapi_signer_wipe(s));
    check_true(n, "wiped memory is zero", all_bytes(smem, fapi_signer_size(), 0));
    check_code(n, "jkt after wipe", FAPI_ERR_BAD_REGION,
               fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, &jl));
    check_code(n, "wipe twice", FAPI_ERR_BAD_REGION, fapi_signer_wipe(s));
    check_code(n, "wipe NULL", FAPI_ERR_INVALID_ARGUMENT, fapi_signer_wipe(NULL));
    rc = fapi_signer_init_ed25519(smem, fapi_signer_size(), GEN_CL_ED_SEED.ptr, 32,
                                  FAPI_ALG_ED25519, NAME("ed-1"), &s);
    check_code(n, "ed25519 (fully specified) init", FAPI_OK, rc);
    check_code(n, "ed25519 alg", FAPI_OK, fapi_signer_alg(s, &alg));
    check_u64(n, "ed25519 alg bit", FAPI_ALG_ED25519, alg);
    rc = fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, &jl);
    check_out(n, "ed25519 jkt", rc, GEN_CL_ED_JKT, (const uint8_t *)jkt, jl);
    fapi_signer_wipe(s);
  }
  free(smem);
}

/* ------------------------------------------------------------------------------------------ */
/* The host signing callback. */

typedef struct cb_state {
  int calls;
  uint32_t alg;
  size_t data_len;
  int data_is_message; /* the data starts like a JWS signing input ("eyJ") */
  int mode;            /* 0: fail; 1: one byte short */
} cb_state;

static int32_t cb_sign(void *user, uint32_t alg, const uint8_t *data, size_t data_len,
                       uint8_t *sig, size_t sig_cap, size_t *sig_len) {
  cb_state *st = user;
  st->calls++;
  st->alg = alg;
  st->data_len = data_len;
  st->data_is_message = data_len > 3 && memcmp(data, "eyJ", 3) == 0;
  if (st->mode == 0 || sig_cap < 64) {
    return -1;
  }
  memset(sig, 0x11, 63);
  *sig_len = 63;
  return 0;
}

static fapi_signing_callback cb_of(cb_state *st, uint32_t alg, const fapi_str *jwk) {
  fapi_signing_callback cb;
  memset(&cb, 0, sizeof cb);
  cb.struct_size = (uint32_t)sizeof cb;
  cb.version = FAPI_STRUCT_VERSION;
  cb.user = st;
  cb.alg = alg;
  cb.public_jwk = *jwk;
  cb.sign = cb_sign;
  return cb;
}

static fapi_dpop_proof_request proof_req(const char *htm, const char *htu) {
  fapi_dpop_proof_request r;
  memset(&r, 0, sizeof r);
  r.struct_size = (uint32_t)sizeof r;
  r.version = FAPI_STRUCT_VERSION;
  r.htm.ptr = (const uint8_t *)htm;
  r.htm.len = strlen(htm);
  r.htu.ptr = (const uint8_t *)htu;
  r.htu.len = strlen(htu);
  return r;
}

static const uint8_t JTI16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
#define ALL_PROOF_ALGS (FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_ED25519 | FAPI_ALG_PS256)

static void test_signing_callback(void) {
  const char *n = "signing callback";
  cb_state st;
  fapi_signing_callback cb;
  fapi_signer *s = NULL;
  void *mem = xalloc(fapi_signer_size());
  static const char priv[] =
      "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"qJbkzRMrahHP_iphv2LNXVEb3GNPl6PLZd2pMftWpkQ\","
      "\"y\":\"LmuWNQfxe3fNd7RSrXnFJ9Yxqb56Jx-oWNXJnVrPVvg\","
      "\"d\":\"QhEREREREREREREREREREREREREREREREREREREREQE\"}";
  fapi_str priv_jwk = {(const uint8_t *)priv, sizeof priv - 1};
  fapi_dpop_proof_request pr = proof_req("POST", "https://as.example.com/token");
  uint8_t out[1024];
  size_t len = 0;
  char jkt[64];
  uint32_t rc;

  memset(&st, 0, sizeof st);
  cb = cb_of(&st, FAPI_ALG_ES256, &GEN_CL_ES_PUBLIC_JWK);
  cb.struct_size = 8;
  check_code(n, "struct_size too small", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  cb = cb_of(&st, FAPI_ALG_ES256, &GEN_CL_ES_PUBLIC_JWK);
  cb.version = 2;
  check_code(n, "unknown version", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  cb = cb_of(&st, FAPI_ALG_ES256, &GEN_CL_ES_PUBLIC_JWK);
  cb.sign = NULL;
  check_code(n, "no sign callback", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  cb = cb_of(&st, FAPI_ALG_ES256 | FAPI_ALG_EDDSA, &GEN_CL_ES_PUBLIC_JWK);
  check_code(n, "two algorithm bits", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  cb = cb_of(&st, FAPI_ALG_PS256, &GEN_CL_ES_PUBLIC_JWK);
  check_code(n, "PS256 with an EC key", FAPI_ERR_SIGN_ALG_KEY_MISMATCH,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  cb = cb_of(&st, FAPI_ALG_ES256, &priv_jwk);
  check_code(n, "a private JWK", FAPI_ERR_JWK_KEY_PRIVATE,
             fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s));
  check_code(n, "NULL callback struct", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_init_callback(mem, fapi_signer_size(), NULL, &s));
  check_u64(n, "no call during init", 0, (uint64_t)st.calls);

  cb = cb_of(&st, FAPI_ALG_ES256, &GEN_CL_ES_PUBLIC_JWK);
  rc = fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s);
  check_code(n, "ES256 host signer", FAPI_OK, rc);
  rc = fapi_signer_jkt(s, (uint8_t *)jkt, sizeof jkt, &len);
  check_out(n, "host signer jkt", rc, GEN_CL_ES_JKT, (const uint8_t *)jkt, len);
  memset(out, 0x77, sizeof out);
  rc = fapi_signer_dpop_proof(s, &pr, GEN_NOW, JTI16, 16, ALL_PROOF_ALGS, out, sizeof out, &len);
  check_code(n, "the callback fails", FAPI_ERR_CAPACITY_CRYPTO_PROVIDER_FAILURE, rc);
  check_true(n, "the callback fails: out zeroed, no partial proof", all_bytes(out, 200, 0));
  check_u64(n, "one call", 1, (uint64_t)st.calls);
  check_u64(n, "ES256: alg passed", FAPI_ALG_ES256, st.alg);
  check_u64(n, "ES256: the callback gets the 32-byte digest", 32, st.data_len);
  st.mode = 1;
  rc = fapi_signer_dpop_proof(s, &pr, GEN_NOW, JTI16, 16, ALL_PROOF_ALGS, out, sizeof out, &len);
  check_code(n, "a 63-byte ES256 signature", FAPI_ERR_SIGN_SIGNATURE_LENGTH, rc);
  len = 0;
  rc = fapi_signer_dpop_proof(s, &pr, GEN_NOW, JTI16, 16, ALL_PROOF_ALGS, NULL, 0, &len);
  check_code(n, "size query does not sign", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64(n, "size query: no call", 2, (uint64_t)st.calls);
  check_true(n, "size query: needed", len > 200);
  fapi_signer_wipe(s);

  memset(&st, 0, sizeof st);
  cb = cb_of(&st, FAPI_ALG_EDDSA, &GEN_CL_ED_PUBLIC_JWK);
  rc = fapi_signer_init_callback(mem, fapi_signer_size(), &cb, &s);
  check_code(n, "EdDSA host signer", FAPI_OK, rc);
  rc = fapi_signer_dpop_proof(s, &pr, GEN_NOW, JTI16, 16, ALL_PROOF_ALGS, out, sizeof out, &len);
  check_code(n, "EdDSA: the callback fails", FAPI_ERR_CAPACITY_CRYPTO_PROVIDER_FAILURE, rc);
  check_true(n, "EdDSA: the callback gets the signing input", st.data_is_message);
  check_u64(n, "EdDSA: alg passed", FAPI_ALG_EDDSA, st.alg);
  fapi_signer_wipe(s);
  free(mem);
}

/* ------------------------------------------------------------------------------------------ */
/* DPoP proofs: made by fapi_signer_dpop_proof, accepted by fapi's own proof check. */

static void test_signer_dpop(void) {
  const char *n = "signer DPoP proofs";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  void *es_mem, *ed_mem;
  fapi_signer *es = sg_es(n, &es_mem), *ed = sg_ed(n, &ed_mem);
  char htu[256];
  uint8_t proof[2048], proof2[2048], jkt[32];
  char jkt64[44];
  size_t len = 0, len2 = 0, needed = 0;
  fapi_dpop_proof_request pr;
  fapi_proof_check k;
  uint32_t rc;
  static const char at[] = "an-access-token";
  if (!es || !ed || !verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  snprintf(htu, sizeof htu, "%s/token", GEN_BASE0);
  pr = proof_req("POST", htu);

  rc = fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof, sizeof proof,
                              &len);
  check_code(n, "ES256 proof", FAPI_OK, rc);
  {
    fapi_str p = {proof, len};
    k = proof_check(&p, "POST");
    rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
    check_code(n, "ES256 proof accepted by fapi_check_proof", FAPI_OK, rc);
    b64u32(jkt, jkt64);
    check_str(n, "ES256 proof key thumbprint", GEN_CL_ES_JKT, jkt64);
    rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
    check_code(n, "ES256 proof replayed", FAPI_ERR_DPOP_REPLAYED, rc);
  }
  /* RFC 6979: the same inputs give the same proof. */
  rc = fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof2, sizeof proof2,
                              &len2);
  check_code(n, "ES256 proof again", FAPI_OK, rc);
  check_bytes(n, "ES256 proofs are deterministic", proof, len, proof2, len2);

  /* Ed25519, with ath. */
  pr.access_token.ptr = (const uint8_t *)at;
  pr.access_token.len = sizeof at - 1;
  rc = fapi_signer_dpop_proof(ed, &pr, GEN_NOW, JTI16 + 0, 16, ALL_PROOF_ALGS, proof,
                              sizeof proof, &len);
  check_code(n, "EdDSA proof with ath", FAPI_OK, rc);
  {
    fapi_str p = {proof, len};
    k = proof_check(&p, "POST");
    k.access_token.ptr = (const uint8_t *)at;
    k.access_token.len = sizeof at - 1;
    rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
    check_code(n, "EdDSA proof with ath accepted", FAPI_OK, rc);
    b64u32(jkt, jkt64);
    check_str(n, "EdDSA proof key thumbprint", GEN_CL_ED_JKT, jkt64);
  }
  pr.access_token.ptr = NULL;
  pr.access_token.len = 0;

  /* Conventions. */
  rc = fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, NULL, 0, &needed);
  check_code(n, "size query", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  memset(proof, 0x5A, sizeof proof);
  rc = fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof, needed - 1,
                              &len);
  check_code(n, "one byte short", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64(n, "one byte short: needed", needed, len);
  check_true(n, "one byte short: untouched", all_bytes(proof, needed - 1, 0x5A));
  rc = fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof, needed, &len);
  check_code(n, "exact size", FAPI_OK, rc);
  check_u64(n, "exact size: written", needed, len);
  check_code(n, "EdDSA only allowed for an ES256 key", FAPI_ERR_SIGN_ALG_NOT_ALLOWED,
             fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_EDDSA, proof,
                                    sizeof proof, &len));
  check_code(n, "unknown algorithm bits", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, 0x40, proof, sizeof proof, &len));
  check_code(n, "15 random bytes for jti", FAPI_ERR_MISUSE_RANDOM_LENGTH,
             fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 15, FAPI_ALG_ES256, proof,
                                    sizeof proof, &len));
  check_code(n, "NULL jti with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_dpop_proof(es, &pr, GEN_NOW, NULL, 16, FAPI_ALG_ES256, proof,
                                    sizeof proof, &len));
  check_code(n, "NULL request", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_dpop_proof(es, NULL, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                    sizeof proof, &len));
  check_code(n, "NULL out_len", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_dpop_proof(es, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                    sizeof proof, NULL));
  check_code(n, "NULL signer", FAPI_ERR_INVALID_ARGUMENT,
             fapi_signer_dpop_proof(NULL, &pr, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                    sizeof proof, &len));
  {
    fapi_dpop_proof_request bad = pr;
    bad.version = 7;
    check_code(n, "request version", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_dpop_proof(es, &bad, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                      sizeof proof, &len));
    bad = proof_req("", htu);
    check_code(n, "empty htm", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
               fapi_signer_dpop_proof(es, &bad, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                      sizeof proof, &len));
    bad = proof_req("POST", "https://as.example.com/token?x=1");
    check_code(n, "htu with a query", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
               fapi_signer_dpop_proof(es, &bad, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                      sizeof proof, &len));
    bad = pr;
    bad.nonce.ptr = (const uint8_t *)"a b";
    bad.nonce.len = 3;
    check_code(n, "nonce with a space", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
               fapi_signer_dpop_proof(es, &bad, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                      sizeof proof, &len));
    bad = pr;
    bad.nonce.ptr = NULL;
    bad.nonce.len = 3;
    check_code(n, "NULL nonce with a length", FAPI_ERR_INVALID_ARGUMENT,
               fapi_signer_dpop_proof(es, &bad, GEN_NOW, JTI16, 16, FAPI_ALG_ES256, proof,
                                      sizeof proof, &len));
  }
  fapi_signer_wipe(es);
  fapi_signer_wipe(ed);
  free(es_mem);
  free(ed_mem);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* Discovery metadata. */

static void test_client_metadata(void) {
  const char *n = "client metadata";
  void *mem;
  fapi_client *c = cl_new(n, GEN_CL_CLIENT_ID, 1, &mem);
  const uint8_t *md = GEN_CL_METADATA.ptr;
  size_t ml = GEN_CL_METADATA.len, len = 0;
  char out[256], want[256];
  uint32_t v = 0, rc;
  static const char other[] = "{\"issuer\":\"https://evil.example.com\"}";
  static const char http_ep[] =
      "{\"issuer\":\"" GEN_ISS "\",\"token_endpoint\":\"http://as.example.com/token\"}";
  if (!c) {
    return;
  }
  check_code(n, "check", FAPI_OK, fapi_client_metadata_check(c, md, ml, 0));
  check_code(n, "another issuer", FAPI_ERR_METADATA_ISSUER_MISMATCH,
             fapi_client_metadata_check(c, NAME(other), 0));
  check_code(n, "http endpoint", FAPI_ERR_METADATA_ENDPOINT_INVALID,
             fapi_client_metadata_check(c, NAME(http_ep), 0));
  check_code(n, "http endpoint with FAPI_METADATA_ALLOW_HTTP", FAPI_OK,
             fapi_client_metadata_check(c, NAME(http_ep), FAPI_METADATA_ALLOW_HTTP));
  check_code(n, "unknown flag", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_check(c, md, ml, 2));
  check_code(n, "not JSON", FAPI_ERR_JSON_SYNTAX, fapi_client_metadata_check(c, NAME("{"), 0));
  check_code(n, "NULL document with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_check(c, NULL, 3, 0));

  snprintf(want, sizeof want, "%s/par", GEN_ISS);
  rc = fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_PAR, 0, (uint8_t *)out,
                                     sizeof out, &len);
  check_out(n, "PAR endpoint", rc, want, (const uint8_t *)out, len);
  rc = fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_PAR, 1, (uint8_t *)out,
                                     sizeof out, &len);
  check_out(n, "PAR endpoint, mTLS alias", rc, "https://mtls.as.example.com/par",
            (const uint8_t *)out, len);
  snprintf(want, sizeof want, "%s/authorize", GEN_ISS);
  rc = fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_AUTHORIZATION, 1,
                                     (uint8_t *)out, sizeof out, &len);
  check_out(n, "authorization endpoint (no alias: the plain one)", rc, want,
            (const uint8_t *)out, len);
  snprintf(want, sizeof want, "%s/jwks", GEN_ISS);
  rc = fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_JWKS, 0, (uint8_t *)out,
                                     sizeof out, &len);
  check_out(n, "jwks_uri", rc, want, (const uint8_t *)out, len);
  check_code(n, "userinfo endpoint missing", FAPI_ERR_METADATA_ENDPOINT_MISSING,
             fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_USERINFO, 0,
                                           (uint8_t *)out, sizeof out, &len));
  check_code(n, "unknown endpoint", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_endpoint(c, md, ml, 0, 8, 0, (uint8_t *)out, sizeof out, &len));
  check_code(n, "mtls 2", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_TOKEN, 2, (uint8_t *)out,
                                           sizeof out, &len));
  len = 0;
  check_code(n, "endpoint size query", FAPI_ERR_BUFFER_TOO_SMALL,
             fapi_client_metadata_endpoint(c, md, ml, 0, FAPI_ENDPOINT_TOKEN, 1, NULL, 0, &len));
  check_u64(n, "endpoint size query: needed", strlen("https://mtls.as.example.com/token"), len);

  rc = fapi_client_metadata_algs(c, md, ml, 0, FAPI_ALG_LIST_DPOP, &v);
  check_code(n, "DPoP algs", FAPI_OK, rc);
  check_u64(n, "DPoP algs (ES512 unknown, ignored)",
            FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_PS256, v);
  rc = fapi_client_metadata_algs(c, md, ml, 0, FAPI_ALG_LIST_ID_TOKEN, &v);
  check_code(n, "ID token algs (absent)", FAPI_OK, rc);
  check_u64(n, "ID token algs (absent): none", 0, v);
  check_code(n, "unknown alg list", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_algs(c, md, ml, 0, 5, &v));
  check_code(n, "algs NULL out", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_algs(c, md, ml, 0, FAPI_ALG_LIST_DPOP, NULL));
  rc = fapi_client_metadata_flags(c, md, ml, 0, &v);
  check_code(n, "flags", FAPI_OK, rc);
  check_u64(n, "flags: iss parameter, PAR required",
            FAPI_METADATA_ISS_PARAMETER_SUPPORTED | FAPI_METADATA_REQUIRES_PAR, v);
  rc = fapi_client_metadata_supports(c, md, ml, 0, FAPI_SUPPORTS_RESPONSE_MODE, NAME("query.jwt"),
                                     &v);
  check_code(n, "supports query.jwt", FAPI_OK, rc);
  check_u64(n, "supports query.jwt: yes", 1, v);
  fapi_client_metadata_supports(c, md, ml, 0, FAPI_SUPPORTS_RESPONSE_MODE, NAME("fragment.jwt"),
                                &v);
  check_u64(n, "supports fragment.jwt: no", 0, v);
  fapi_client_metadata_supports(c, md, ml, 0, FAPI_SUPPORTS_AUTH_METHOD, NAME("private_key_jwt"),
                                &v);
  check_u64(n, "supports private_key_jwt: yes", 1, v);
  check_code(n, "supports: unknown list", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_supports(c, md, ml, 0, 2, NAME("x"), &v));
  check_code(n, "NULL client", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_metadata_check(NULL, md, ml, 0));
  free(mem);
}

/* ------------------------------------------------------------------------------------------ */
/* PKCE and random values. */

static void test_pkce_random(void) {
  const char *n = "PKCE and random values";
  /* RFC 7636 Appendix B. */
  static const uint8_t rfc[32] = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                  125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                  191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  uint8_t rnd[97];
  char v[200], ch[64], out[200];
  size_t vl = 0, cl = 0, len = 0;
  uint32_t rc = fapi_pkce_verifier(rfc, 32, (uint8_t *)v, sizeof v, &vl);
  check_out(n, "RFC 7636 B verifier", rc, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            (const uint8_t *)v, vl);
  rc = fapi_pkce_challenge((const uint8_t *)v, vl, (uint8_t *)ch, sizeof ch, &cl);
  check_out(n, "RFC 7636 B challenge", rc, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            (const uint8_t *)ch, cl);
  memset(rnd, 7, sizeof rnd);
  check_code(n, "verifier from 31 bytes", FAPI_ERR_MISUSE_RANDOM_LENGTH,
             fapi_pkce_verifier(rnd, 31, (uint8_t *)v, sizeof v, &vl));
  check_code(n, "verifier from 97 bytes", FAPI_ERR_MISUSE_RANDOM_LENGTH,
             fapi_pkce_verifier(rnd, 97, (uint8_t *)v, sizeof v, &vl));
  rc = fapi_pkce_verifier(rnd, 96, (uint8_t *)v, sizeof v, &vl);
  check_code(n, "verifier from 96 bytes", FAPI_OK, rc);
  check_u64(n, "verifier from 96 bytes: 128 characters", FAPI_PKCE_MAX_VERIFIER_LEN, vl);
  check_code(n, "challenge of a 42-character verifier", FAPI_ERR_MISUSE_PKCE_VERIFIER_INVALID,
             fapi_pkce_challenge((const uint8_t *)v, 42, (uint8_t *)ch, sizeof ch, &cl));
  check_code(n, "challenge of a verifier with '+'", FAPI_ERR_MISUSE_PKCE_VERIFIER_INVALID,
             fapi_pkce_challenge(NAME("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                                 (uint8_t *)ch, sizeof ch, &cl));
  memset(ch, 0x5A, sizeof ch);
  check_code(n, "challenge into 42 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
             fapi_pkce_challenge(NAME("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                                 (uint8_t *)ch, 42, &cl));
  check_u64(n, "challenge into 42 bytes: needed", FAPI_PKCE_CHALLENGE_LEN, cl);
  check_true(n, "challenge into 42 bytes: untouched", all_bytes((const uint8_t *)ch, 42, 0x5A));
  rc = fapi_random_token(rfc, 16, (uint8_t *)out, sizeof out, &len);
  check_out(n, "random token of 16 bytes", rc, "dBjftJeZ4CVP-mB92K27ug", (const uint8_t *)out,
            len);
  check_code(n, "random token of 15 bytes", FAPI_ERR_MISUSE_RANDOM_LENGTH,
             fapi_random_token(rfc, 15, (uint8_t *)out, sizeof out, &len));
  check_code(n, "random token NULL bytes with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_random_token(NULL, 16, (uint8_t *)out, sizeof out, &len));
  check_code(n, "random token NULL out_len", FAPI_ERR_INVALID_ARGUMENT,
             fapi_random_token(rfc, 16, (uint8_t *)out, sizeof out, NULL));
}

/* ------------------------------------------------------------------------------------------ */
/* Requests: request objects, assertions, form bodies, the authorization URL. */

static fapi_authorization_request authz_req(const char *challenge) {
  fapi_authorization_request r;
  memset(&r, 0, sizeof r);
  r.struct_size = (uint32_t)sizeof r;
  r.version = FAPI_STRUCT_VERSION;
  r.redirect_uri = LIT("https://client.example.com/cb");
  r.scope = LIT("openid accounts");
  r.state = LIT(GEN_CL_STATE);
  r.nonce = LIT(GEN_CL_NONCE);
  r.code_challenge.ptr = (const uint8_t *)challenge;
  r.code_challenge.len = strlen(challenge);
  r.response_mode = FAPI_RESPONSE_MODE_QUERY_JWT;
  return r;
}

static void test_client_requests(void) {
  const char *n = "client requests";
  void *cmem, *smem;
  fapi_client *c = cl_new(n, GEN_CL_CLIENT_ID, 1, &cmem);
  fapi_signer *s = sg_es(n, &smem);
  static const char challenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  static const char verifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  fapi_authorization_request r = authz_req(challenge), bad;
  static uint8_t out[8192];
  char want[1024];
  size_t len = 0, needed = 0;
  uint32_t rc;
  if (!c || !s) {
    return;
  }
  rc = fapi_client_request_object(c, s, &r, GEN_NOW, 300, JTI16, 16, out, sizeof out, &len);
  check_code(n, "request object", FAPI_OK, rc);
  check_true(n, "request object is a compact JWS", len > 100 && memcmp(out, "eyJ", 3) == 0);
  rc = fapi_client_request_object(c, s, &r, GEN_NOW, 300, JTI16, 16, NULL, 0, &needed);
  check_code(n, "request object size query", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64(n, "request object size query: needed", len, needed);
  memset(out, 0x5A, sizeof out);
  rc = fapi_client_request_object(c, s, &r, GEN_NOW, 300, JTI16, 16, out, needed - 1, &len);
  check_code(n, "request object one byte short", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_true(n, "request object one byte short: untouched", all_bytes(out, needed - 1, 0x5A));
  check_code(n, "request object lifetime 0", FAPI_ERR_MISUSE_LIFETIME_OUT_OF_RANGE,
             fapi_client_request_object(c, s, &r, GEN_NOW, 0, JTI16, 16, out, sizeof out, &len));
  check_code(n, "request object lifetime 3601", FAPI_ERR_MISUSE_LIFETIME_OUT_OF_RANGE,
             fapi_client_request_object(c, s, &r, GEN_NOW, 3601, JTI16, 16, out, sizeof out,
                                        &len));
  check_code(n, "request object jti of 15 bytes", FAPI_ERR_MISUSE_RANDOM_LENGTH,
             fapi_client_request_object(c, s, &r, GEN_NOW, 300, JTI16, 15, out, sizeof out,
                                        &len));
  bad = r;
  bad.state.len = 0;
  check_code(n, "request object empty state", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.redirect_uri = LIT("http://client.example.com/cb");
  check_code(n, "request object http redirect_uri under FAPI 2.0",
             FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.code_challenge.len = 42;
  check_code(n, "request object 42-character challenge", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.authorization_details = LIT("{\"type\":\"x\"}");
  check_code(n, "request object authorization_details not an array",
             FAPI_ERR_MISUSE_AUTHORIZATION_DETAILS_INVALID,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.authorization_details = LIT("[{\"type\":\"payment\",\"amount\":\"10\"}]");
  check_code(n, "request object with authorization_details", FAPI_OK,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.response_mode = 8;
  check_code(n, "request object unknown response_mode", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.reserved = 1;
  check_code(n, "request object reserved not 0", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  bad = r;
  bad.struct_size = 16;
  check_code(n, "request object struct_size", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_request_object(c, s, &bad, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));
  check_code(n, "request object NULL signer", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_request_object(c, NULL, &r, GEN_NOW, 300, JTI16, 16, out, sizeof out,
                                        &len));

  rc = fapi_client_assertion(c, s, FAPI_ASSERTION_TYP_CLIENT_AUTHENTICATION, GEN_NOW, 60, JTI16,
                             16, out, sizeof out, &len);
  check_code(n, "assertion", FAPI_OK, rc);
  check_code(n, "assertion typ 2", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_assertion(c, s, 2, GEN_NOW, 60, JTI16, 16, out, sizeof out, &len));
  check_code(n, "assertion lifetime 301", FAPI_ERR_MISUSE_LIFETIME_OUT_OF_RANGE,
             fapi_client_assertion(c, s, FAPI_ASSERTION_TYP_JWT, GEN_NOW, 301, JTI16, 16, out,
                                   sizeof out, &len));

  /* Form bodies, byte for byte. */
  rc = fapi_client_par_body(c, NAME("a.b.c"), NULL, 0, NULL, 0, out, sizeof out, &len);
  check_out(n, "PAR body, mTLS", rc, "request=a.b.c&client_id=" GEN_CL_CLIENT_ID, out, len);
  rc = fapi_client_par_body(c, NAME("a.b.c"), NAME("x.y.z"), NAME(GEN_CL_ES_JKT), out,
                            sizeof out, &len);
  check_out(n, "PAR body, private_key_jwt and dpop_jkt", rc,
            "request=a.b.c&dpop_jkt=" GEN_CL_ES_JKT "&client_id=" GEN_CL_CLIENT_ID
            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-"
            "bearer&client_assertion=x.y.z",
            out, len);
  check_code(n, "PAR body, bad dpop_jkt", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_par_body(c, NAME("a.b.c"), NULL, 0, NAME("abc"), out, sizeof out, &len));
  check_code(n, "PAR body, empty request object", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_par_body(c, (const uint8_t *)"", 0, NULL, 0, NULL, 0, out, sizeof out,
                                  &len));
  check_code(n, "PAR body, NULL assertion with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_par_body(c, NAME("a.b.c"), NULL, 5, NULL, 0, out, sizeof out, &len));
  rc = fapi_client_authorization_url(c, NAME(GEN_ISS "/authorize"),
                                     NAME("urn:ietf:params:oauth:request_uri:abc"), out,
                                     sizeof out, &len);
  check_out(n, "authorization URL", rc,
            GEN_ISS "/authorize?client_id=" GEN_CL_CLIENT_ID
                    "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc",
            out, len);
  check_code(n, "authorization URL, not a URL", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_authorization_url(c, NAME("as.example.com/authorize"), NAME("urn:x"),
                                           out, sizeof out, &len));
  rc = fapi_client_code_request(c, NAME(GEN_CL_CODE), NAME("https://client.example.com/cb"),
                                NAME(verifier), NULL, 0, out, sizeof out, &len);
  snprintf(want, sizeof want,
           "grant_type=authorization_code&code=%s&redirect_uri=https%%3A%%2F%%2Fclient.example."
           "com%%2Fcb&code_verifier=%s&client_id=%s",
           GEN_CL_CODE, verifier, GEN_CL_CLIENT_ID);
  check_out(n, "code request, mTLS", rc, want, out, len);
  check_code(n, "code request, bad verifier", FAPI_ERR_MISUSE_PKCE_VERIFIER_INVALID,
             fapi_client_code_request(c, NAME(GEN_CL_CODE), NAME("https://client.example.com/cb"),
                                      NAME("short"), NULL, 0, out, sizeof out, &len));
  check_code(n, "code request, empty code", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             fapi_client_code_request(c, (const uint8_t *)"", 0,
                                      NAME("https://client.example.com/cb"), NAME(verifier), NULL,
                                      0, out, sizeof out, &len));
  rc = fapi_client_refresh_request(c, NAME("rt-1"), NULL, 0, NULL, 0, out, sizeof out, &len);
  check_out(n, "refresh request, mTLS", rc,
            "grant_type=refresh_token&refresh_token=rt-1&client_id=" GEN_CL_CLIENT_ID, out, len);
  rc = fapi_client_refresh_request(c, NAME("rt-1"), NAME("openid"), NAME("x.y.z"), out,
                                   sizeof out, &len);
  check_out(n, "refresh request, narrowed scope, private_key_jwt", rc,
            "grant_type=refresh_token&refresh_token=rt-1&scope=openid&client_id=" GEN_CL_CLIENT_ID
            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-"
            "bearer&client_assertion=x.y.z",
            out, len);
  len = 0;
  check_code(n, "refresh request size query", FAPI_ERR_BUFFER_TOO_SMALL,
             fapi_client_refresh_request(c, NAME("rt-1"), NULL, 0, NULL, 0, NULL, 0, &len));
  check_u64(n, "refresh request size query: needed",
            strlen("grant_type=refresh_token&refresh_token=rt-1&client_id=" GEN_CL_CLIENT_ID),
            len);
  fapi_signer_wipe(s);
  free(smem);
  free(cmem);
}

/* ------------------------------------------------------------------------------------------ */
/* Authorization responses and ID tokens. */

static uint32_t verify_resp(fapi_client *c, const fapi_str *in, const char *state, uint32_t jarm,
                            uint32_t iss_supported, uint64_t now, char *code, size_t *len) {
  return fapi_client_verify_response(c, in->ptr, in->len, (const uint8_t *)state, strlen(state),
                                     jarm, iss_supported, now, (uint8_t *)code, 64, len);
}

static void test_client_responses(void) {
  const char *n = "client responses";
  void *mem, *mem2, *mem3, *mem4;
  fapi_client *c = cl_new(n, GEN_CL_CLIENT_ID, 1, &mem);
  fapi_client *other = cl_new(n, "client-2", 1, &mem2);
  fapi_client *loose = cl_new(n, GEN_CL_CLIENT_ID, 0, &mem3);
  fapi_client *nokeys = NULL;
  fapi_client_config cfg = cl_config(GEN_CL_CLIENT_ID, 1);
  char code[64], err[128];
  static char tampered[1024];
  fapi_str t;
  size_t len = 0;
  uint32_t rc;
  char *p;
  if (!c || !other || !loose) {
    return;
  }
  rc = verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len);
  check_out(n, "JARM (query, ES256)", rc, GEN_CL_CODE, (const uint8_t *)code, len);
  check_code(n, "no error after a success", FAPI_ERR_WRONG_STATE,
             fapi_client_response_error(c, FAPI_OAUTH_ERROR, (uint8_t *)err, sizeof err, &len));
  rc = verify_resp(c, &GEN_CL_JARM_FORM, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len);
  check_out(n, "JARM (form_post body, EdDSA)", rc, GEN_CL_CODE, (const uint8_t *)code, len);
  check_code(n, "JARM another state", FAPI_ERR_AUTHZ_STATE_MISMATCH,
             verify_resp(c, &GEN_CL_JARM_QUERY, "s-another-state-xyz", 1, 1, GEN_NOW, code, &len));
  check_code(n, "JARM for another client", FAPI_ERR_CLAIMS_AUD_MISMATCH,
             verify_resp(other, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len));
  check_code(n, "JARM at exp + leeway - 1", FAPI_OK,
             verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 1, GEN_CL_JARM_EXP + 9, code,
                         &len));
  check_code(n, "JARM expired (exp + leeway)", FAPI_ERR_CLAIMS_EXPIRED,
             verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 1, GEN_CL_JARM_EXP + 10, code,
                         &len));
  memcpy(tampered, GEN_CL_JARM_QUERY.ptr, GEN_CL_JARM_QUERY.len);
  tampered[GEN_CL_JARM_QUERY.len] = 0;
  p = strchr(tampered, '.') + 12;
  *p = *p == 'A' ? 'B' : 'A';
  t.ptr = (const uint8_t *)tampered;
  t.len = GEN_CL_JARM_QUERY.len;
  check_code(n, "JARM tampered", FAPI_ERR_JWS_BAD_SIGNATURE,
             verify_resp(c, &t, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len));
  check_code(n, "JARM read as a plain response", FAPI_ERR_AUTHZ_ISS_MISSING,
             verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 0, 1, GEN_NOW, code, &len));
  check_code(n, "a plain response read as JARM", FAPI_ERR_AUTHZ_RESPONSE_MISSING,
             verify_resp(c, &GEN_CL_PLAIN, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len));

  rc = verify_resp(c, &GEN_CL_JARM_ERROR, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len);
  check_code(n, "JARM error response (fragment)", FAPI_ERR_AUTHZ_ERROR_RESPONSE, rc);
  rc = fapi_client_response_error(c, FAPI_OAUTH_ERROR, (uint8_t *)err, sizeof err, &len);
  check_out(n, "JARM error", rc, "access_denied", (const uint8_t *)err, len);
  rc = fapi_client_response_error(c, FAPI_OAUTH_ERROR_DESCRIPTION, (uint8_t *)err, sizeof err,
                                  &len);
  check_out(n, "JARM error_description", rc, "the user said no", (const uint8_t *)err, len);
  check_code(n, "JARM error_uri absent", FAPI_ERR_NOT_FOUND,
             fapi_client_response_error(c, FAPI_OAUTH_ERROR_URI, (uint8_t *)err, sizeof err,
                                        &len));
  check_code(n, "error member 3", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_response_error(c, 3, (uint8_t *)err, sizeof err, &len));
  check_code(n, "error into 4 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
             fapi_client_response_error(c, FAPI_OAUTH_ERROR, (uint8_t *)err, 4, &len));
  check_u64(n, "error into 4 bytes: needed", 13, len);

  rc = verify_resp(c, &GEN_CL_PLAIN, GEN_CL_STATE, 0, 1, GEN_NOW, code, &len);
  check_out(n, "plain response with iss", rc, GEN_CL_CODE, (const uint8_t *)code, len);
  check_code(n, "plain response, iss of another server", FAPI_ERR_AUTHZ_ISS_MISMATCH,
             verify_resp(c, &GEN_CL_PLAIN_OTHER_ISS, GEN_CL_STATE, 0, 1, GEN_NOW, code, &len));
  check_code(n, "plain response without iss under FAPI 2.0", FAPI_ERR_AUTHZ_ISS_MISSING,
             verify_resp(c, &GEN_CL_PLAIN_NO_ISS, GEN_CL_STATE, 0, 0, GEN_NOW, code, &len));
  check_code(n, "plain response without iss, advertised", FAPI_ERR_AUTHZ_ISS_MISSING,
             verify_resp(loose, &GEN_CL_PLAIN_NO_ISS, GEN_CL_STATE, 0, 1, GEN_NOW, code, &len));
  check_code(n, "plain response without iss, not advertised, no profile", FAPI_OK,
             verify_resp(loose, &GEN_CL_PLAIN_NO_ISS, GEN_CL_STATE, 0, 0, GEN_NOW, code, &len));
  check_code(n, "plain response, another state", FAPI_ERR_AUTHZ_STATE_MISMATCH,
             verify_resp(c, &GEN_CL_PLAIN, "s-0123456789abcdeX", 0, 1, GEN_NOW, code, &len));

  /* Conventions. */
  check_code(n, "empty expected state", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
             verify_resp(c, &GEN_CL_JARM_QUERY, "", 1, 1, GEN_NOW, code, &len));
  check_code(n, "jarm 2", FAPI_ERR_INVALID_ARGUMENT,
             verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 2, 1, GEN_NOW, code, &len));
  check_code(n, "iss_parameter_supported 2", FAPI_ERR_INVALID_ARGUMENT,
             verify_resp(c, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 2, GEN_NOW, code, &len));
  memset(code, 0x5A, sizeof code);
  rc = fapi_client_verify_response(c, GEN_CL_JARM_QUERY.ptr, GEN_CL_JARM_QUERY.len,
                                   NAME(GEN_CL_STATE), 1, 1, GEN_NOW, (uint8_t *)code, 5, &len);
  check_code(n, "code into 5 bytes", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64(n, "code into 5 bytes: needed", strlen(GEN_CL_CODE), len);
  check_true(n, "code into 5 bytes: untouched", all_bytes((const uint8_t *)code, 5, 0x5A));
  check_code(n, "NULL out_len", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_verify_response(c, GEN_CL_JARM_QUERY.ptr, GEN_CL_JARM_QUERY.len,
                                         NAME(GEN_CL_STATE), 1, 1, GEN_NOW, (uint8_t *)code,
                                         sizeof code, NULL));
  check_code(n, "NULL input with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_client_verify_response(c, NULL, 10, NAME(GEN_CL_STATE), 1, 1, GEN_NOW,
                                         (uint8_t *)code, sizeof code, &len));
  mem4 = xalloc(fapi_client_size());
  check_code(n, "client without keys", FAPI_OK,
             fapi_client_init(mem4, fapi_client_size(), &cfg, &nokeys));
  check_code(n, "JARM with no key set loaded", FAPI_ERR_JWK_UNKNOWN_KID,
             verify_resp(nokeys, &GEN_CL_JARM_QUERY, GEN_CL_STATE, 1, 1, GEN_NOW, code, &len));

  /* ID tokens. */
  {
    char sub[64];
    rc = fapi_client_verify_id_token(c, GEN_CL_ID_TOKEN.ptr, GEN_CL_ID_TOKEN.len,
                                     NAME(GEN_CL_NONCE), GEN_NOW, (uint8_t *)sub, sizeof sub,
                                     &len);
    check_out(n, "ID token", rc, "alice", (const uint8_t *)sub, len);
    check_code(n, "ID token, wrong nonce", FAPI_ERR_ID_TOKEN_NONCE_MISMATCH,
               fapi_client_verify_id_token(c, GEN_CL_ID_TOKEN.ptr, GEN_CL_ID_TOKEN.len,
                                           NAME("n-0123456789abcdeX"), GEN_NOW, (uint8_t *)sub,
                                           sizeof sub, &len));
    check_code(n, "ID token, another client", FAPI_ERR_CLAIMS_AUD_MISMATCH,
               fapi_client_verify_id_token(other, GEN_CL_ID_TOKEN.ptr, GEN_CL_ID_TOKEN.len,
                                           NAME(GEN_CL_NONCE), GEN_NOW, (uint8_t *)sub,
                                           sizeof sub, &len));
    check_code(n, "ID token, empty nonce", FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE,
               fapi_client_verify_id_token(c, GEN_CL_ID_TOKEN.ptr, GEN_CL_ID_TOKEN.len,
                                           (const uint8_t *)"", 0, GEN_NOW, (uint8_t *)sub,
                                           sizeof sub, &len));
    check_code(n, "ID token, sub into 4 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
               fapi_client_verify_id_token(c, GEN_CL_ID_TOKEN.ptr, GEN_CL_ID_TOKEN.len,
                                           NAME(GEN_CL_NONCE), GEN_NOW, (uint8_t *)sub, 4, &len));
    check_u64(n, "ID token, sub into 4 bytes: needed", 5, len);
    check_code(n, "ID token of two segments", FAPI_ERR_JWS_SEGMENTS,
               fapi_client_verify_id_token(c, NAME("a.b"), NAME(GEN_CL_NONCE), GEN_NOW,
                                           (uint8_t *)sub, sizeof sub, &len));
  }
  free(mem);
  free(mem2);
  free(mem3);
  free(mem4);
}

/* ------------------------------------------------------------------------------------------ */
/* The endpoints' answers: token and PAR responses, OAuth errors, DPoP-Nonce values. */

static uint32_t tok(uint32_t status, const char *body, uint32_t dpop, uint32_t *tt,
                    uint64_t *exp) {
  return fapi_token_response(status, (const uint8_t *)body, strlen(body), dpop, tt, exp);
}

static uint32_t tok_member(const char *body, uint32_t dpop, uint32_t which, char *out,
                           size_t cap, size_t *len) {
  return fapi_token_response_member(200, (const uint8_t *)body, strlen(body), dpop, which,
                                    (uint8_t *)out, cap, len);
}

/* A token response member must be exactly `want`. */
static void check_member(const char *name, const char *body, uint32_t dpop, uint32_t which,
                         const char *want) {
  char out[256];
  size_t len = 0;
  uint32_t rc = tok_member(body, dpop, which, out, sizeof out, &len);
  check_out(name, "member", rc, want, (const uint8_t *)out, len);
}

static void test_endpoint_answers(void) {
  const char *n = "endpoint answers";
  static const char dpop_body[] =
      "{\"access_token\":\"at-1\",\"token_type\":\"DPoP\",\"expires_in\":600,"
      "\"refresh_token\":\"rt-2\",\"id_token\":\"x.y.z\",\"scope\":\"openid accounts\"}";
  static const char bearer_body[] = "{\"access_token\":\"a\\/b\",\"token_type\":\"bearer\"}";
  static const char nonce_body[] =
      "{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires "
      "nonce in DPoP proof\"}";
  static const char grant_body[] = "{\"error\":\"invalid_grant\"}";
  char out[256];
  size_t len = 0;
  uint32_t tt = 99;
  uint64_t exp = 1;

  check_code(n, "DPoP response", FAPI_OK, tok(200, dpop_body, 1, &tt, &exp));
  check_u64(n, "DPoP response: token_type", FAPI_TOKEN_TYPE_DPOP, tt);
  check_u64(n, "DPoP response: expires_in", 600, exp);
  check_member("token response: access_token", dpop_body, 1, FAPI_TOKEN_ACCESS_TOKEN, "at-1");
  check_member("token response: refresh_token (rotation: the new one)", dpop_body, 1,
               FAPI_TOKEN_REFRESH_TOKEN, "rt-2");
  check_member("token response: id_token", dpop_body, 1, FAPI_TOKEN_ID_TOKEN, "x.y.z");
  check_member("token response: scope", dpop_body, 1, FAPI_TOKEN_SCOPE, "openid accounts");
  check_code(n, "DPoP token_type without a proof", FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
             tok(200, dpop_body, 0, NULL, NULL));
  check_code(n, "member of a DPoP response read without a proof",
             FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
             tok_member(dpop_body, 0, FAPI_TOKEN_ACCESS_TOKEN, out, sizeof out, &len));
  check_code(n, "Bearer after a DPoP proof (downgrade)", FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
             tok(200, bearer_body, 1, NULL, NULL));
  tt = 99;
  exp = 1;
  check_code(n, "Bearer response (case-insensitive)", FAPI_OK, tok(200, bearer_body, 0, &tt, &exp));
  check_u64(n, "Bearer response: token_type", FAPI_TOKEN_TYPE_BEARER, tt);
  check_u64(n, "Bearer response: no expires_in", 0, exp);
  check_member("token response: access_token unescaped", bearer_body, 0,
               FAPI_TOKEN_ACCESS_TOKEN, "a/b");
  check_code(n, "no refresh_token: keep the old one", FAPI_ERR_NOT_FOUND,
             tok_member(bearer_body, 0, FAPI_TOKEN_REFRESH_TOKEN, out, sizeof out, &len));
  check_code(n, "use_dpop_nonce", FAPI_ERR_TOKEN_USE_DPOP_NONCE,
             tok(400, nonce_body, 1, NULL, NULL));
  check_code(n, "use_dpop_nonce: no member", FAPI_ERR_TOKEN_USE_DPOP_NONCE,
             fapi_token_response_member(400, NAME(nonce_body), 1, FAPI_TOKEN_ACCESS_TOKEN,
                                        (uint8_t *)out, sizeof out, &len));
  {
    uint32_t rc =
        fapi_oauth_error(NAME(nonce_body), FAPI_OAUTH_ERROR, (uint8_t *)out, sizeof out, &len);
    check_out(n, "use_dpop_nonce: error", rc, "use_dpop_nonce", (const uint8_t *)out, len);
  }
  check_code(n, "invalid_grant", FAPI_ERR_TOKEN_ERROR_RESPONSE,
             tok(400, grant_body, 0, NULL, NULL));
  check_code(n, "invalid_grant: no description", FAPI_ERR_NOT_FOUND,
             fapi_oauth_error(NAME(grant_body), FAPI_OAUTH_ERROR_DESCRIPTION, (uint8_t *)out,
                              sizeof out, &len));
  check_code(n, "500 with HTML", FAPI_ERR_TOKEN_UNEXPECTED_STATUS,
             tok(500, "<html>oops</html>", 0, NULL, NULL));
  check_code(n, "no access_token", FAPI_ERR_TOKEN_ACCESS_TOKEN_MISSING,
             tok(200, "{\"token_type\":\"DPoP\"}", 1, NULL, NULL));
  check_code(n, "no token_type", FAPI_ERR_TOKEN_TOKEN_TYPE_MISSING,
             tok(200, "{\"access_token\":\"x\"}", 1, NULL, NULL));
  check_code(n, "token_type mac", FAPI_ERR_TOKEN_TOKEN_TYPE_MISMATCH,
             tok(200, "{\"access_token\":\"x\",\"token_type\":\"mac\"}", 0, NULL, NULL));
  check_code(n, "expires_in a string", FAPI_ERR_TOKEN_EXPIRES_IN_INVALID,
             tok(200, "{\"access_token\":\"x\",\"token_type\":\"DPoP\",\"expires_in\":\"600\"}", 1,
                 NULL, NULL));
  check_code(n, "refresh_token a number", FAPI_ERR_TOKEN_MEMBER_TYPE,
             tok(200, "{\"access_token\":\"x\",\"token_type\":\"DPoP\",\"refresh_token\":5}", 1,
                 NULL, NULL));
  check_code(n, "duplicate member", FAPI_ERR_JSON_DUPLICATE_MEMBER,
             tok(200, "{\"access_token\":\"x\",\"access_token\":\"y\",\"token_type\":\"DPoP\"}", 1,
                 NULL, NULL));
  check_code(n, "status above 65535", FAPI_ERR_INVALID_ARGUMENT,
             tok(70000, dpop_body, 1, NULL, NULL));
  check_code(n, "dpop_sent 2", FAPI_ERR_INVALID_ARGUMENT, tok(200, dpop_body, 2, NULL, NULL));
  check_code(n, "member 4", FAPI_ERR_INVALID_ARGUMENT,
             tok_member(dpop_body, 1, 4, out, sizeof out, &len));
  check_code(n, "member into 3 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
             tok_member(dpop_body, 1, FAPI_TOKEN_ACCESS_TOKEN, out, 3, &len));
  check_u64(n, "member into 3 bytes: needed", 4, len);
  check_code(n, "NULL body with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_token_response(200, NULL, 4, 1, NULL, NULL));

  check_code(n, "DPoP-Nonce value", FAPI_OK, fapi_dpop_nonce_check(NAME("eyJ7S_zG.n-1!")));
  check_code(n, "empty DPoP-Nonce", FAPI_ERR_TOKEN_DPOP_NONCE_INVALID,
             fapi_dpop_nonce_check((const uint8_t *)"", 0));
  check_code(n, "DPoP-Nonce with a space", FAPI_ERR_TOKEN_DPOP_NONCE_INVALID,
             fapi_dpop_nonce_check(NAME("a b")));
  check_code(n, "DPoP-Nonce with a quote", FAPI_ERR_TOKEN_DPOP_NONCE_INVALID,
             fapi_dpop_nonce_check(NAME("a\"b")));
  check_code(n, "NULL DPoP-Nonce with a length", FAPI_ERR_INVALID_ARGUMENT,
             fapi_dpop_nonce_check(NULL, 3));

  {
    static const char par_ok[] =
        "{\"request_uri\":\"urn:ietf:params:oauth:request_uri:abc\",\"expires_in\":60}";
    uint64_t ex = 0;
    uint32_t rc = fapi_par_response(201, NAME(par_ok), (uint8_t *)out, sizeof out, &len, &ex);
    check_out(n, "PAR response", rc, "urn:ietf:params:oauth:request_uri:abc",
              (const uint8_t *)out, len);
    check_u64(n, "PAR response: expires_in", 60, ex);
    check_code(n, "PAR response, NULL expires_in", FAPI_OK,
               fapi_par_response(201, NAME(par_ok), (uint8_t *)out, sizeof out, &len, NULL));
    ex = 7;
    check_code(n, "PAR response into 10 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
               fapi_par_response(201, NAME(par_ok), (uint8_t *)out, 10, &len, &ex));
    check_u64(n, "PAR response into 10 bytes: needed", 37, len);
    check_u64(n, "PAR response into 10 bytes: expires_in untouched", 7, ex);
    check_code(n, "PAR error", FAPI_ERR_PAR_ERROR_RESPONSE,
               fapi_par_response(400,
                                 NAME("{\"error\":\"invalid_request_object\","
                                      "\"error_description\":\"bad signature\"}"),
                                 (uint8_t *)out, sizeof out, &len, NULL));
    check_code(n, "PAR 302", FAPI_ERR_PAR_UNEXPECTED_STATUS,
               fapi_par_response(302, NAME(""), (uint8_t *)out, sizeof out, &len, NULL));
    check_code(n, "PAR without request_uri", FAPI_ERR_PAR_REQUEST_URI_MISSING,
               fapi_par_response(201, NAME("{\"expires_in\":60}"), (uint8_t *)out, sizeof out,
                                 &len, NULL));
    check_code(n, "PAR request_uri a number", FAPI_ERR_PAR_REQUEST_URI_INVALID,
               fapi_par_response(201, NAME("{\"request_uri\":5,\"expires_in\":60}"),
                                 (uint8_t *)out, sizeof out, &len, NULL));
    check_code(n, "PAR without expires_in", FAPI_ERR_PAR_EXPIRES_IN_MISSING,
               fapi_par_response(201, NAME("{\"request_uri\":\"urn:x\"}"), (uint8_t *)out,
                                 sizeof out, &len, NULL));
    check_code(n, "PAR expires_in 0", FAPI_ERR_PAR_EXPIRES_IN_INVALID,
               fapi_par_response(201, NAME("{\"request_uri\":\"urn:x\",\"expires_in\":0}"),
                                 (uint8_t *)out, sizeof out, &len, NULL));
    check_code(n, "PAR NULL out_len", FAPI_ERR_INVALID_ARGUMENT,
               fapi_par_response(201, NAME(par_ok), (uint8_t *)out, sizeof out, NULL, NULL));
  }
  check_code(n, "OAuth error of a non-error body", FAPI_ERR_NOT_FOUND,
             fapi_oauth_error(NAME("{\"access_token\":\"x\"}"), FAPI_OAUTH_ERROR, (uint8_t *)out,
                              sizeof out, &len));
  check_code(n, "OAuth error member 3", FAPI_ERR_INVALID_ARGUMENT,
             fapi_oauth_error(NAME(grant_body), 3, (uint8_t *)out, sizeof out, &len));
}

/* ------------------------------------------------------------------------------------------ */
/* Certificate thumbprints. */

static void test_cert_x5t(void) {
  const char *n = "cert x5t#S256";
  char out[64];
  size_t len = 0;
  uint32_t rc = fapi_cert_x5t_s256(GEN_CL_CERT_PEM.ptr, GEN_CL_CERT_PEM.len, FAPI_CERT_PEM,
                                   (uint8_t *)out, sizeof out, &len);
  check_out(n, "PEM", rc, GEN_CL_CERT_X5T, (const uint8_t *)out, len);
  rc = fapi_cert_x5t_s256(GEN_CL_CERT_DER.ptr, GEN_CL_CERT_DER.len, FAPI_CERT_DER,
                          (uint8_t *)out, sizeof out, &len);
  check_out(n, "DER", rc, GEN_CL_CERT_X5T, (const uint8_t *)out, len);
  check_code(n, "PEM given as DER", FAPI_ERR_MTLS_CERT_MALFORMED,
             fapi_cert_x5t_s256(GEN_CL_CERT_PEM.ptr, GEN_CL_CERT_PEM.len, FAPI_CERT_DER,
                                (uint8_t *)out, sizeof out, &len));
  check_code(n, "FAPI_CERT_NONE", FAPI_ERR_INVALID_ARGUMENT,
             fapi_cert_x5t_s256(GEN_CL_CERT_DER.ptr, GEN_CL_CERT_DER.len, FAPI_CERT_NONE,
                                (uint8_t *)out, sizeof out, &len));
  check_code(n, "unknown encoding", FAPI_ERR_INVALID_ARGUMENT,
             fapi_cert_x5t_s256(GEN_CL_CERT_DER.ptr, GEN_CL_CERT_DER.len, 9, (uint8_t *)out,
                                sizeof out, &len));
  check_code(n, "input above FAPI_MAX_CERT_INPUT_LEN", FAPI_ERR_INVALID_ARGUMENT,
             fapi_cert_x5t_s256(GEN_CL_CERT_DER.ptr, FAPI_MAX_CERT_INPUT_LEN + 1, FAPI_CERT_DER,
                                (uint8_t *)out, sizeof out, &len));
  memset(out, 0x5A, sizeof out);
  check_code(n, "into 42 bytes", FAPI_ERR_BUFFER_TOO_SMALL,
             fapi_cert_x5t_s256(GEN_CL_CERT_DER.ptr, GEN_CL_CERT_DER.len, FAPI_CERT_DER,
                                (uint8_t *)out, 42, &len));
  check_u64(n, "into 42 bytes: needed", FAPI_X5T_S256_LEN, len);
  check_true(n, "into 42 bytes: untouched", all_bytes((const uint8_t *)out, 42, 0x5A));
}

static void test_client_side(void) {
  test_client_objects();
  test_signing_callback();
  test_signer_dpop();
  test_client_metadata();
  test_pkce_random();
  test_client_requests();
  test_client_responses();
  test_endpoint_answers();
  test_cert_x5t();
}
