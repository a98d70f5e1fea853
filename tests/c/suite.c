/*
 * The C test suite of fapi's ABI (include/fapi.h), run by tests/c/run.sh.
 *
 * - The named case table: the same named cases as the Rust tables (tests/tests/cases.rs and
 *   decision.rs) with their exact result codes, HTTP statuses, OAuth errors and, for a subset,
 *   WWW-Authenticate values, run in order against one verifier per configuration (replay
 *   state carries over; each configuration has its own contexts). RS256/PS256 tokens and
 *   proofs run on the RSA configurations ("rsa: " cases). The tokens and proofs come from the
 *   generator examples/gen_c_cases.rs (build/cases.inc).
 * - The API conventions: claim accessors, bindings, buffer-too-small, NULL pointers with
 *   lengths, invalid enum values, struct size/version, bad regions, small contexts, the
 *   two-phase replay path, the standalone proof check, the replay table full, JWKS loads,
 *   and every result code pinned name -> number -> string -> HTTP status.
 * - The client side (suite_client.c): the client and signer objects, verdicts on JARM and
 *   plain responses, ID tokens, token and PAR responses, signer-made DPoP proofs accepted by
 *   the proof check, exact form bodies, and the same conventions and misuse checks.
 * - Concurrency: threads sharing a verifier, fork()ed processes sharing one in MAP_SHARED
 *   memory, and a JWKS swap under load.
 *
 * Every check counts; a failing check prints its case name, expected and got. The last line
 * is "N passed, M failed"; the exit status is non-zero on any failure.
 *
 * Usage: suite [--quick]   (--quick: smaller concurrency loads, for valgrind)
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "cases.inc"

/* ------------------------------------------------------------------------------------------ */
/* Checks. Only the main thread (or a parent process) counts checks. */

static unsigned long g_pass, g_fail;

static void fail_line(const char *name, const char *what, const char *fmt, ...) {
  va_list ap;
  g_fail++;
  printf("FAIL [%s] %s: ", name, what);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static int check_true(const char *name, const char *what, int cond) {
  if (cond) {
    g_pass++;
    return 1;
  }
  fail_line(name, what, "expected true, got false");
  return 0;
}

static int check_u64(const char *name, const char *what, uint64_t want, uint64_t got) {
  if (want == got) {
    g_pass++;
    return 1;
  }
  fail_line(name, what, "expected %llu, got %llu", (unsigned long long)want,
            (unsigned long long)got);
  return 0;
}

static int check_code(const char *name, const char *what, uint32_t want, uint32_t got) {
  if (want == got) {
    g_pass++;
    return 1;
  }
  fail_line(name, what, "expected %u (%s), got %u (%s)", want, fapi_result_str(want), got,
            fapi_result_str(got));
  return 0;
}

static int check_str(const char *name, const char *what, const char *want, const char *got) {
  if (got != NULL && strcmp(want, got) == 0) {
    g_pass++;
    return 1;
  }
  fail_line(name, what, "expected \"%s\", got %s%s%s", want, got ? "\"" : "",
            got ? got : "NULL", got ? "\"" : "");
  return 0;
}

/* Prints bytes as a C-escaped string (at most 240 bytes). */
static void print_bytes(const uint8_t *p, size_t n) {
  size_t i;
  if (p == NULL) {
    printf("NULL");
    return;
  }
  printf("\"");
  for (i = 0; i < n && i < 240; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
      putchar(p[i]);
    } else {
      printf("\\x%02x", p[i]);
    }
  }
  printf("\"%s (%zu bytes)", n > 240 ? "..." : "", n);
}

static int check_bytes(const char *name, const char *what, const uint8_t *want, size_t want_len,
                       const uint8_t *got, size_t got_len) {
  if (want_len == got_len && (want_len == 0 || (got != NULL && memcmp(want, got, want_len) == 0))) {
    g_pass++;
    return 1;
  }
  g_fail++;
  printf("FAIL [%s] %s: expected ", name, what);
  print_bytes(want, want_len);
  printf(", got ");
  print_bytes(got, got_len);
  printf("\n");
  return 0;
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (p[i] != v) {
      return 0;
    }
  }
  return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Strings, memory, verifiers and contexts. */

#define LITI(s) {(const uint8_t *)(s), sizeof(s) - 1}
#define LIT(s) ((fapi_str)LITI(s))
#define NAME(s) (const uint8_t *)(s), sizeof(s) - 1

static const fapi_str g_bases[2] = {LITI(GEN_BASE0), LITI(GEN_BASE1)};

static size_t round8(size_t n) { return (n + 7u) / 8u * 8u; }

/* 8-aligned heap memory (aligned_alloc needs a size that is a multiple of the alignment). */
static void *xalloc(size_t n) {
  void *p = aligned_alloc(FAPI_REGION_ALIGN, round8(n == 0 ? 1 : n));
  if (p == NULL) {
    printf("out of memory\n");
    exit(2);
  }
  return p;
}

static fapi_config default_config(void) {
  fapi_config c;
  memset(&c, 0, sizeof c);
  c.struct_size = (uint32_t)sizeof c;
  c.version = FAPI_STRUCT_VERSION;
  c.issuer = LIT(GEN_ISS);
  c.audience = LIT(GEN_AUD);
  c.bases = g_bases;
  c.base_count = 2;
  c.token_algs = GEN_TOKEN_ALGS;
  c.proof_algs = 0;
  c.dpop_mode = FAPI_MODE_OPTIONAL;
  c.mtls_mode = FAPI_MODE_OPTIONAL;
  c.unbound = FAPI_UNBOUND_DEFAULT;
  c.max_keys = 16;
  c.replay_slots = 1024;
  c.cache_slots = 64;
  memset(c.replay_secret, GEN_REPLAY_SECRET_BYTE, sizeof c.replay_secret);
  return c;
}

typedef struct verifier {
  void *mem;
  size_t size;
  fapi_verifier *v;
} verifier;

/* Formats a verifier for `cfg` on the heap and loads `jwks` (if any), which must hold
 * `want_keys` usable keys; counts its checks. */
static int verifier_new_keys(const char *name, verifier *out, const fapi_config *cfg,
                             const fapi_str *jwks, uint32_t want_keys) {
  uint32_t rc;
  memset(out, 0, sizeof *out);
  out->size = fapi_verifier_size(cfg);
  if (!check_true(name, "fapi_verifier_size > 0", out->size > 0)) {
    return 0;
  }
  out->mem = xalloc(out->size);
  rc = fapi_verifier_init(out->mem, out->size, cfg, &out->v);
  if (!check_code(name, "fapi_verifier_init", FAPI_OK, rc)) {
    free(out->mem);
    out->mem = NULL;
    return 0;
  }
  check_true(name, "verifier pointer is the memory", (void *)out->v == out->mem);
  if (jwks != NULL) {
    uint32_t loaded = 99, skipped = 99;
    rc = fapi_verifier_set_jwks(out->v, jwks->ptr, jwks->len, &loaded, &skipped);
    check_code(name, "fapi_verifier_set_jwks", FAPI_OK, rc);
    check_u64(name, "keys loaded", want_keys, loaded);
    check_u64(name, "keys skipped", 0, skipped);
  }
  return 1;
}

/* verifier_new_keys with GEN_JWKS (or none): two keys. */
static int verifier_new(const char *name, verifier *out, const fapi_config *cfg,
                        const fapi_str *jwks) {
  return verifier_new_keys(name, out, cfg, jwks, 2);
}

static void verifier_free(verifier *v) {
  free(v->mem);
  memset(v, 0, sizeof *v);
}

typedef struct context {
  void *mem;
  fapi_ctx *ctx;
} context;

static int context_new(const char *name, context *out) {
  uint32_t rc;
  out->mem = xalloc(fapi_ctx_size(NULL));
  out->ctx = NULL;
  rc = fapi_ctx_init(out->mem, fapi_ctx_size(NULL), &out->ctx);
  if (!check_code(name, "fapi_ctx_init", FAPI_OK, rc)) {
    free(out->mem);
    out->mem = NULL;
    return 0;
  }
  return 1;
}

static void context_free(context *c) {
  free(c->mem);
  c->mem = NULL;
  c->ctx = NULL;
}

static fapi_request empty_request(void) {
  fapi_request r;
  memset(&r, 0, sizeof r);
  r.struct_size = (uint32_t)sizeof r;
  r.version = FAPI_STRUCT_VERSION;
  r.method = LIT("GET");
  r.target = LIT("/accounts");
  r.base = 0;
  r.cert_encoding = FAPI_CERT_NONE;
  r.cert_source = FAPI_CERT_SOURCE_TLS;
  r.now = GEN_NOW;
  return r;
}

static fapi_request case_request(const gen_case *c) {
  fapi_request r = empty_request();
  r.method = c->method;
  r.target = c->target;
  r.base = c->base;
  r.authorization_count = c->auth_count;
  r.authorization = c->auth_count ? c->auth : NULL;
  r.dpop_count = c->dpop_count;
  r.dpop = c->dpop_count ? c->dpop : NULL;
  r.cert_encoding = c->cert_encoding;
  r.cert_source = c->cert_source;
  r.client_cert = c->cert;
  r.required_scope_count = c->scope_count;
  r.required_scopes = c->scope_count ? c->scopes : NULL;
  r.introspection = c->introspection;
  r.now = c->now;
  return r;
}

/* A request with one Authorization field and (optionally) one DPoP field. */
typedef struct simple_request {
  fapi_str auth[1];
  fapi_str dpop[1];
  fapi_request r;
} simple_request;

static void simple(simple_request *s, const fapi_str *auth, const fapi_str *dpop) {
  s->r = empty_request();
  if (auth != NULL) {
    s->auth[0] = *auth;
    s->r.authorization = s->auth;
    s->r.authorization_count = 1;
  }
  if (dpop != NULL) {
    s->dpop[0] = *dpop;
    s->r.dpop = s->dpop;
    s->r.dpop_count = 1;
  }
}

/* Checks a context's verdict, result code and status. */
static void check_outcome(const char *name, const fapi_ctx *ctx, uint32_t verdict, uint32_t result,
                          uint32_t status) {
  check_u64(name, "verdict", verdict, fapi_ctx_verdict(ctx));
  check_code(name, "result", result, fapi_ctx_result(ctx));
  check_u64(name, "HTTP status", status, fapi_ctx_http_status(ctx));
}

static void check_challenge(const char *name, const fapi_ctx *ctx, const fapi_str *want) {
  const uint8_t *p = NULL;
  size_t n = 12345;
  uint32_t rc = fapi_ctx_www_authenticate(ctx, &p, &n);
  check_code(name, "fapi_ctx_www_authenticate", FAPI_OK, rc);
  check_bytes(name, "WWW-Authenticate", want->ptr, want->len, p, n);
}

/* ------------------------------------------------------------------------------------------ */
/* Result codes: every name -> number pair pinned, checked against the header's #defines, the
 * header's complete list (build/header_codes.inc), fapi_result_str and
 * fapi_result_http_status. */

typedef struct pin {
  const char *sym;
  const char *name;
  uint32_t number;
  uint32_t value; /* the header's #define */
} pin;

#define PIN(sym, name, number) {#sym, name, number, sym}
static const pin PINNED[] = {
#include "codes_pinned.h"
};
#undef PIN
#define PIN_COUNT (sizeof PINNED / sizeof PINNED[0])

#define HDR(sym) {#sym, sym}
static const struct {
  const char *sym;
  uint32_t value;
} HEADER_CODES[] = {
#include "header_codes.inc"
};
#undef HDR

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The documented HTTP status of a result code, by class (RFC 6750, RFC 9449, fapi.h). */
static uint32_t expected_status(const char *sym) {
  const char *c;
  if (strcmp(sym, "FAPI_OK") == 0) {
    return 200;
  }
  c = sym + strlen("FAPI_ERR_");
  if (starts(c, "JSON_") || starts(c, "JWS_") || starts(c, "CLAIMS_") || starts(c, "PROOF_") ||
      starts(c, "DPOP_")) {
    return 401;
  }
  if (strcmp(c, "JWK_UNKNOWN_KID") == 0 || strcmp(c, "JWK_NO_MATCHING_KEY") == 0 ||
      strcmp(c, "JWK_AMBIGUOUS_KEY") == 0 || strcmp(c, "JWK_ALG_KEY_MISMATCH") == 0) {
    return 401;
  }
  if (strcmp(c, "MTLS_CERT_MALFORMED") == 0) {
    return 400;
  }
  if (starts(c, "MTLS_")) {
    return 401;
  }
  if (strcmp(c, "REQUEST_NO_CREDENTIALS") == 0) {
    return 401;
  }
  if (strcmp(c, "REQUEST_INSUFFICIENT_SCOPE") == 0) {
    return 403;
  }
  if (starts(c, "REQUEST_")) {
    return 400;
  }
  if (starts(c, "CAPACITY_")) {
    return 503;
  }
  /* Client side: a refused authorization response came from the user agent (400); a refused
   * or failed answer of the authorization server is a bad gateway (502). */
  if (starts(c, "AUTHZ_")) {
    return 400;
  }
  if (starts(c, "METADATA_") || starts(c, "PAR_") || starts(c, "TOKEN_") ||
      starts(c, "ID_TOKEN_")) {
    return 502;
  }
  return 500; /* key-set loading, misuse, signing, buffer too small, API codes */
}

static void test_result_codes(void) {
  const char *n = "result codes";
  size_t i, j;
  uint32_t code;
  unsigned unknown_bad = 0, known = 0;
  for (i = 0; i < PIN_COUNT; i++) {
    const pin *p = &PINNED[i];
    check_u64(p->sym, "#define value equals the pinned number", p->number, p->value);
    check_str(p->sym, "fapi_result_str", p->name, fapi_result_str(p->number));
    check_u64(p->sym, "fapi_result_http_status", expected_status(p->sym),
              fapi_result_http_status(p->number));
    for (j = 0; j < i; j++) {
      if (PINNED[j].number == p->number) {
        fail_line(p->sym, "number pinned twice", "also %s", PINNED[j].sym);
      }
    }
  }
  /* Every result code of the header is pinned (a new code must be added to the pinned list). */
  for (i = 0; i < sizeof HEADER_CODES / sizeof HEADER_CODES[0]; i++) {
    int found = 0;
    for (j = 0; j < PIN_COUNT; j++) {
      if (strcmp(PINNED[j].sym, HEADER_CODES[i].sym) == 0) {
        found = PINNED[j].number == HEADER_CODES[i].value;
      }
    }
    check_true(HEADER_CODES[i].sym, "header code is pinned with its number", found);
  }
  check_u64(n, "header code count equals pinned count",
            sizeof HEADER_CODES / sizeof HEADER_CODES[0], PIN_COUNT);
  /* Every number fapi names maps back to the #define of that name (the bands end below 3000:
   * the client side has 2000-2999). */
  for (code = 0; code <= 3000; code++) {
    const char *s = fapi_result_str(code);
    if (s == NULL) {
      fail_line(n, "fapi_result_str never NULL", "got NULL for %u", code);
      continue;
    }
    if (strcmp(s, "unknown") == 0) {
      if (fapi_result_http_status(code) != 500) {
        unknown_bad++;
        printf("FAIL [%s] unknown code %u: expected status 500, got %u\n", n, code,
               fapi_result_http_status(code));
      }
      for (j = 0; j < PIN_COUNT; j++) {
        if (PINNED[j].number == code) {
          unknown_bad++;
          printf("FAIL [%s] pinned code %u (%s) is unknown to fapi_result_str\n", n, code,
                 PINNED[j].sym);
        }
      }
      continue;
    }
    known++;
    {
      int found = 0;
      for (j = 0; j < PIN_COUNT; j++) {
        if (PINNED[j].number == code) {
          found = strcmp(PINNED[j].name, s) == 0 && PINNED[j].value == code;
        }
      }
      if (!found) {
        fail_line(n, "fapi_result_str names a code", "%u is \"%s\", not pinned to that name",
                  code, s);
      } else {
        g_pass++;
      }
    }
  }
  if (unknown_bad) {
    g_fail += unknown_bad;
  } else {
    g_pass++;
  }
  check_u64(n, "named codes in 0..3000 equal the pinned count", PIN_COUNT, known);
  check_str(n, "fapi_result_str(UINT32_MAX)", "unknown", fapi_result_str(UINT32_MAX));
  check_u64(n, "fapi_result_http_status(UINT32_MAX)", 500, fapi_result_http_status(UINT32_MAX));
}

/* ------------------------------------------------------------------------------------------ */
/* The named case table. */

static void run_case(const gen_case *c, verifier *vs, context *ctxs) {
  const char *n = c->name;
  fapi_ctx *ctx = ctxs[c->ctx].ctx;
  fapi_request r = case_request(c);
  uint32_t rc = fapi_check_request(vs[c->verifier].v, ctx, &r);
  const uint8_t *p;
  size_t len;
  if (!check_code(n, "fapi_check_request", c->ret, rc) || c->ret != FAPI_OK) {
    return;
  }
  check_u64(n, "verdict", c->verdict, fapi_ctx_verdict(ctx));
  if (c->result != fapi_ctx_result(ctx)) {
    fail_line(n, "result", "expected %s = %u, got %u (%s)", c->result_name, c->result,
              fapi_ctx_result(ctx), fapi_result_str(fapi_ctx_result(ctx)));
  } else {
    g_pass++;
  }
  check_u64(n, "HTTP status", c->http_status, fapi_ctx_http_status(ctx));
  check_str(n, "OAuth error", c->oauth_error, fapi_ctx_oauth_error(ctx));
  if (c->has_challenge) {
    check_challenge(n, ctx, &c->challenge);
  }
  if (c->has_nonce >= 0) {
    p = NULL;
    len = 0;
    rc = fapi_ctx_dpop_nonce(ctx, &p, &len);
    if (c->has_nonce == 0) {
      check_code(n, "fapi_ctx_dpop_nonce (none)", FAPI_ERR_NOT_FOUND, rc);
    } else if (check_code(n, "fapi_ctx_dpop_nonce", FAPI_OK, rc)) {
      check_bytes(n, "DPoP-Nonce", c->nonce.ptr, c->nonce.len, p, len);
    }
  }
  if (c->verdict == FAPI_VERDICT_ALLOW) {
    uint32_t binding = 99, hit = 99;
    uint8_t jkt[32], x5t[32];
    memset(jkt, 0xEE, sizeof jkt);
    memset(x5t, 0xEE, sizeof x5t);
    rc = fapi_ctx_binding(ctx, &binding, &hit, jkt, x5t);
    if (check_code(n, "fapi_ctx_binding", FAPI_OK, rc)) {
      if (c->binding >= 0) {
        check_u64(n, "binding", (uint64_t)c->binding, binding);
      }
      if (c->jkt.ptr != NULL) {
        check_bytes(n, "proven jkt", c->jkt.ptr, c->jkt.len, jkt, sizeof jkt);
      } else if (binding == FAPI_BINDING_NONE || binding == FAPI_BINDING_MTLS) {
        check_true(n, "jkt zeros when DPoP is not proven", all_bytes(jkt, sizeof jkt, 0));
      }
      if (c->x5t.ptr != NULL) {
        check_bytes(n, "proven x5t#S256", c->x5t.ptr, c->x5t.len, x5t, sizeof x5t);
      } else if (binding == FAPI_BINDING_NONE || binding == FAPI_BINDING_DPOP) {
        check_true(n, "x5t zeros when no certificate is proven", all_bytes(x5t, sizeof x5t, 0));
      }
      if (c->cache_hit >= 0) {
        check_u64(n, "cache hit", (uint64_t)c->cache_hit, hit);
      } else {
        check_true(n, "cache hit is 0 or 1", hit <= 1);
      }
    }
  } else {
    rc = fapi_ctx_binding(ctx, NULL, NULL, NULL, NULL);
    check_code(n, "fapi_ctx_binding after a denial", FAPI_ERR_WRONG_STATE, rc);
  }
}

/* The gateway preset of the ES256 tables (fapi.h: FAPI_ES256_GATEWAY_*). */
static void tables_gateway(fapi_config *c) {
  c->es256_base_bits = FAPI_ES256_GATEWAY_BASE_BITS;
  c->es256_issuer_bits = FAPI_ES256_GATEWAY_ISSUER_BITS;
  c->es256_hot_bits = FAPI_ES256_GATEWAY_HOT_BITS;
  c->es256_hot_keys = FAPI_ES256_GATEWAY_HOT_KEYS;
  c->es256_builds_per_second = FAPI_ES256_GATEWAY_BUILDS_PER_SECOND;
}

/* Each verifier configuration gets its own two contexts: a context carries its copy of the
 * key set from one decision to the next, and moving one between verifiers is tested on its
 * own (test_ctx_across_verifiers). With `tables`, every verifier keeps ES256 tables (the
 * gateway preset): every case must end exactly as without them. */
static void test_case_table(int tables) {
  const char *label = tables ? "case table (ES256 tables)" : "case table";
  verifier vs[GEN_VERIFIER_COUNT];
  context ctxs[GEN_VERIFIER_COUNT][2];
  size_t i;
  int ok = 1;
  memset(vs, 0, sizeof vs);
  memset(ctxs, 0, sizeof ctxs);
  for (i = 0; i < GEN_VERIFIER_COUNT; i++) {
    const gen_verifier *g = &GEN_VERIFIERS[i];
    fapi_config cfg = default_config();
    cfg.token_algs = g->token_algs;
    cfg.dpop_mode = g->dpop_mode;
    cfg.mtls_mode = g->mtls_mode;
    cfg.nonce_required = g->nonce_required;
    cfg.fapi2_profile = g->fapi2_profile;
    cfg.proof_algs = g->proof_algs;
    if (tables) {
      tables_gateway(&cfg);
    }
    if (!verifier_new_keys(g->name, &vs[i], &cfg, g->jwks, g->jwks_keys)) {
      ok = 0;
      continue;
    }
    if (g->set_nonce_secret) {
      uint8_t secret[32], out[64];
      size_t out_len = 0;
      uint32_t rc;
      memset(secret, GEN_NONCE_SECRET_BYTE, sizeof secret);
      rc = fapi_verifier_current_nonce(vs[i].v, GEN_NOW, out, sizeof out, &out_len);
      check_code(g->name, "current nonce before a secret is set", FAPI_ERR_NOT_FOUND, rc);
      rc = fapi_verifier_set_nonce_secret(vs[i].v, secret, sizeof secret, GEN_NOW);
      check_code(g->name, "fapi_verifier_set_nonce_secret", FAPI_OK, rc);
      rc = fapi_verifier_current_nonce(vs[i].v, GEN_NOW, out, sizeof out, &out_len);
      if (check_code(g->name, "fapi_verifier_current_nonce", FAPI_OK, rc)) {
        check_bytes(g->name, "current nonce", GEN_NONCE_NOW.ptr, GEN_NONCE_NOW.len, out, out_len);
      }
    }
  }
  for (i = 0; i < GEN_VERIFIER_COUNT; i++) {
    if (!context_new(label, &ctxs[i][0]) || !context_new(label, &ctxs[i][1])) {
      ok = 0;
    }
  }
  if (ok) {
    for (i = 0; i < GEN_CASE_COUNT; i++) {
      run_case(&GEN_CASES[i], vs, ctxs[GEN_CASES[i].verifier]);
    }
    {
      uint32_t full = 99, busy = 99, replays = 99;
      uint32_t builds = 99, limited = 99;
      uint32_t rc = fapi_verifier_replay_counters(vs[0].v, &full, &busy, &replays);
      check_code(label, "fapi_verifier_replay_counters", FAPI_OK, rc);
      check_u64(label, "replays detected on the default verifier", GEN_DEFAULT_REPLAYS,
                replays);
      check_u64(label, "inserts refused: table full", 0, full);
      check_u64(label, "inserts refused: busy", 0, busy);
      rc = fapi_verifier_table_stats(vs[0].v, &builds, &limited);
      check_code(label, "fapi_verifier_table_stats", tables ? FAPI_OK : FAPI_ERR_NOT_FOUND, rc);
      rc = fapi_verifier_has_es256_table(vs[0].v, GEN_ISSUER_ES_JKT.ptr);
      check_code(label, "issuer key's table (default verifier)",
                 tables ? FAPI_OK : FAPI_ERR_NOT_FOUND, rc);
      if (tables) {
        check_true(label, "hot DPoP-key tables built on the default verifier", builds > 0);
        rc = fapi_verifier_has_es256_table(vs[0].v, GEN_HOLDER_JKT.ptr);
        check_code(label, "the holder's DPoP key has a table after its allowed requests",
                   FAPI_OK, rc);
        printf("%s: default verifier: %u hot-key tables built, %u refused by the rate limit\n",
               label, builds, limited);
      }
    }
  }
  printf("%s: %d named cases\n", label, GEN_CASE_COUNT);
  for (i = 0; i < GEN_VERIFIER_COUNT; i++) {
    context_free(&ctxs[i][0]);
    context_free(&ctxs[i][1]);
    verifier_free(&vs[i]);
  }
}

/* One context used with verifiers whose key sets differ (each loaded once, so their key-set
 * generations are equal): every decision must use the key set of the verifier it is made
 * for — a token is accepted only by the verifier that trusts its key. */
static void ctx_decide(const char *name, verifier *v, context *c, const fapi_str *auth,
                       uint32_t want_verdict, uint32_t want_result) {
  simple_request s;
  uint32_t rc;
  simple(&s, auth, NULL);
  rc = fapi_check_request(v->v, c->ctx, &s.r);
  check_code(name, "fapi_check_request", FAPI_OK, rc);
  check_u64(name, "verdict", want_verdict, fapi_ctx_verdict(c->ctx));
  check_code(name, "result", want_result, fapi_ctx_result(c->ctx));
}

static void test_ctx_across_verifiers(void) {
  const char *n = "context moved between verifiers";
  fapi_config cfg = default_config();
  fapi_config rsa_cfg = default_config();
  verifier a, b, r;
  context c;
  rsa_cfg.token_algs = GEN_TOKEN_ALGS | FAPI_ALG_PS256 | FAPI_ALG_RS256;
  if (!verifier_new(n, &a, &cfg, &GEN_JWKS)) {
    return;
  }
  if (!verifier_new_keys(n, &b, &cfg, &GEN_JWKS_A, 1)) {
    verifier_free(&a);
    return;
  }
  if (!verifier_new_keys(n, &r, &rsa_cfg, &GEN_JWKS_RSA, 3) || !context_new(n, &c)) {
    verifier_free(&a);
    verifier_free(&b);
    return;
  }
  ctx_decide("context moved between verifiers: A (ec1, ed1), token of ec1", &a, &c,
             &GEN_BEARER_AUTH, FAPI_VERDICT_ALLOW, FAPI_OK);
  ctx_decide("context moved between verifiers: then B (set-a), token of ec1 refused", &b, &c,
             &GEN_BEARER_AUTH, FAPI_VERDICT_DENY, FAPI_ERR_JWK_UNKNOWN_KID);
  ctx_decide("context moved between verifiers: B (set-a), token of set-a", &b, &c,
             &GEN_SWAP_AUTH_A, FAPI_VERDICT_ALLOW, FAPI_OK);
  ctx_decide("context moved between verifiers: back to A, token of set-a refused", &a, &c,
             &GEN_SWAP_AUTH_A, FAPI_VERDICT_DENY, FAPI_ERR_JWK_UNKNOWN_KID);
  ctx_decide("context moved between verifiers: then R (ec1, ed1, rsa1), PS256 token of rsa1",
             &r, &c, &GEN_RSA_PS_BEARER_AUTH, FAPI_VERDICT_ALLOW, FAPI_OK);
  ctx_decide("context moved between verifiers: R, RS256 token of rsa1", &r, &c,
             &GEN_RSA_RS_BEARER_AUTH, FAPI_VERDICT_ALLOW, FAPI_OK);
  context_free(&c);
  verifier_free(&a);
  verifier_free(&b);
  verifier_free(&r);
}

/* ------------------------------------------------------------------------------------------ */
/* Configuration, struct versions, init. */

/* fapi_verifier_init refuses `cfg` with `want` and leaves the memory untouched. */
static void init_refused(const char *name, const fapi_config *cfg, uint32_t want) {
  fapi_config base = default_config();
  size_t size = fapi_verifier_size(&base);
  uint8_t *mem = xalloc(size + 64);
  fapi_verifier *v = NULL;
  uint32_t rc;
  size_t i;
  int untouched = 1;
  memset(mem, 0xA5, size + 64);
  rc = fapi_verifier_init(mem, size + 64, cfg, &v);
  check_code(name, "fapi_verifier_init refuses", want, rc);
  check_true(name, "out not set", v == NULL);
  for (i = 0; i < size + 64; i++) {
    if (mem[i] != 0xA5) {
      untouched = 0;
    }
  }
  check_true(name, "memory untouched by a refused init", untouched);
  free(mem);
}

static void test_config(void) {
  fapi_config c = default_config();
  size_t size = fapi_verifier_size(&c);
  uint8_t *mem;
  fapi_verifier *v = NULL;
  uint32_t rc;
  static const fapi_str trailing_slash[1] = {LITI("https://rs.example.com/")};
  static const fapi_str null_base[1] = {{NULL, 5}};
  uint8_t long_iss[300];
  check_true("fapi_verifier_size", "default config", size > 0);
  check_u64("fapi_verifier_size", "NULL config", 0, fapi_verifier_size(NULL));
  c.version = 2;
  check_u64("fapi_verifier_size", "config version 2", 0, fapi_verifier_size(&c));
  c = default_config();
  c.max_keys = 0;
  check_u64("fapi_verifier_size", "max_keys 0", 0, fapi_verifier_size(&c));
  c.max_keys = FAPI_MAX_KEYS + 1;
  check_u64("fapi_verifier_size", "max_keys above FAPI_MAX_KEYS", 0, fapi_verifier_size(&c));
  c = default_config();
  c.replay_slots = 2048;
  check_true("fapi_verifier_size", "grows with replay slots (32 bytes each)",
             fapi_verifier_size(&c) == size + 1024 * 32);

  /* Pointers and lengths. */
  c = default_config();
  mem = xalloc(size + 16);
  rc = fapi_verifier_init(mem, size - 1, &c, &v);
  check_code("init: len one byte short", "fapi_verifier_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_init(mem + 1, size, &c, &v);
  check_code("init: misaligned memory", "fapi_verifier_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_init(NULL, size, &c, &v);
  check_code("init: NULL memory", "fapi_verifier_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_init(mem, size, &c, NULL);
  check_code("init: NULL out", "fapi_verifier_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_init(mem, size, NULL, &v);
  check_code("init: NULL config", "fapi_verifier_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_init(mem, size, &c, &v);
  check_code("init: exact size", "fapi_verifier_init", FAPI_OK, rc);
  free(mem);

  /* A caller compiled against a larger (future) fapi_config. */
  {
    struct {
      fapi_config cfg;
      uint8_t future[16];
    } big;
    memset(&big, 0, sizeof big);
    big.cfg = default_config();
    big.cfg.struct_size = (uint32_t)sizeof big;
    mem = xalloc(size);
    rc = fapi_verifier_init(mem, size, &big.cfg, &v);
    check_code("init: struct_size larger than fapi_config", "fapi_verifier_init", FAPI_OK, rc);
    free(mem);
  }

  /* Struct size and version mismatches. */
  c = default_config();
  c.struct_size = (uint32_t)sizeof c - 1;
  init_refused("config struct_size one byte short", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.struct_size = 0;
  init_refused("config struct_size 0", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.version = FAPI_STRUCT_VERSION + 1;
  init_refused("config version + 1", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.version = 0;
  init_refused("config version 0", &c, FAPI_ERR_INVALID_ARGUMENT);

  /* Invalid enum values and flags: FAPI_ERR_INVALID_ARGUMENT; configuration rules: the
   * FAPI_ERR_MISUSE_* code of the rule (fapi.h, fapi_verifier_init). */
  c = default_config();
  c.dpop_mode = 7;
  init_refused("config dpop_mode 7", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.mtls_mode = 3;
  init_refused("config mtls_mode 3", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.unbound = 3;
  init_refused("config unbound 3", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.nonce_required = 2;
  init_refused("config nonce_required 2", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.fapi2_profile = 2;
  init_refused("config fapi2_profile 2", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.accept_plain_jwt_typ = 2;
  init_refused("config accept_plain_jwt_typ 2", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.token_algs = 0;
  init_refused("config empty token allowlist", &c, FAPI_ERR_MISUSE_EMPTY_ALLOWLIST);
  c = default_config();
  c.token_algs = 1u << 20;
  init_refused("config unknown token algorithm bit", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.token_algs = FAPI_ALG_RS256;
  c.fapi2_profile = 1;
  c.dpop_mode = FAPI_MODE_REQUIRED;
  init_refused("config RS256 under the FAPI 2.0 profile", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  c = default_config();
  c.token_algs = FAPI_ALG_ES256 | FAPI_ALG_PS256 | FAPI_ALG_RS256;
  c.fapi2_profile = 1;
  init_refused("rsa: config RS256 next to ES256 and PS256 under the FAPI 2.0 profile", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  c = default_config();
  c.proof_algs = FAPI_ALG_ES256 | FAPI_ALG_RS256;
  c.fapi2_profile = 1;
  init_refused("rsa: config RS256 proofs under the FAPI 2.0 profile", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  {
    size_t rsa_size;
    c = default_config();
    c.token_algs = FAPI_ALG_PS256;
    c.proof_algs = FAPI_ALG_PS256;
    c.fapi2_profile = 1;
    rsa_size = fapi_verifier_size(&c);
    check_true("rsa: config PS256 tokens and proofs under the FAPI 2.0 profile",
               "fapi_verifier_size > 0", rsa_size > 0);
    mem = xalloc(rsa_size);
    v = NULL;
    rc = fapi_verifier_init(mem, rsa_size, &c, &v);
    check_code("rsa: config PS256 tokens and proofs under the FAPI 2.0 profile",
               "fapi_verifier_init", FAPI_OK, rc);
    c.token_algs = FAPI_ALG_RS256;
    c.proof_algs = 0;
    c.fapi2_profile = 0;
    rc = fapi_verifier_init(mem, rsa_size, &c, &v);
    check_code("rsa: config RS256 tokens without the FAPI 2.0 profile", "fapi_verifier_init",
               FAPI_OK, rc);
    free(mem);
  }
  c = default_config();
  c.proof_algs = 1u << 20;
  init_refused("config unknown proof algorithm bit", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.leeway = 61;
  init_refused("config leeway 61", &c, FAPI_ERR_MISUSE_LEEWAY_TOO_LARGE);
  c = default_config();
  c.max_keys = 0;
  init_refused("config max_keys 0", &c, FAPI_ERR_INVALID_ARGUMENT);

  /* Strings and bases. */
  c = default_config();
  c.issuer = LIT("");
  init_refused("config empty issuer", &c, FAPI_ERR_MISUSE_EMPTY_ISSUER);
  c = default_config();
  c.audience = LIT("");
  init_refused("config empty audience", &c, FAPI_ERR_MISUSE_EMPTY_AUDIENCE);
  c = default_config();
  c.issuer.ptr = NULL; /* length stays non-zero */
  init_refused("config issuer NULL with length 22", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  memset(long_iss, 'a', sizeof long_iss);
  c.issuer.ptr = long_iss;
  c.issuer.len = FAPI_MAX_ISSUER_LEN + 1;
  init_refused("config issuer of FAPI_MAX_ISSUER_LEN + 1 bytes", &c,
               FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.issuer = LIT("https://as.example.com/\xff");
  init_refused("config issuer not UTF-8", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.bases = NULL;
  init_refused("config bases NULL with base_count 2", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.base_count = 0;
  init_refused("config base_count 0", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.base_count = FAPI_MAX_BASES + 1;
  init_refused("config base_count FAPI_MAX_BASES + 1", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.bases = trailing_slash;
  c.base_count = 1;
  init_refused("config base with a trailing slash", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  c.bases = null_base;
  c.base_count = 1;
  init_refused("config base NULL with length 5", &c, FAPI_ERR_INVALID_ARGUMENT);

  /* Contradictory policies (decision.rs policy_build_cases). */
  c = default_config();
  c.dpop_mode = FAPI_MODE_OFF;
  c.nonce_required = 1;
  init_refused("config DPoP off with nonces required", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  c = default_config();
  c.unbound = FAPI_UNBOUND_ALLOW;
  c.dpop_mode = FAPI_MODE_REQUIRED;
  init_refused("config allow_unbound(true) with DPoP required", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
  c = default_config();
  c.fapi2_profile = 1;
  c.dpop_mode = FAPI_MODE_OFF;
  c.mtls_mode = FAPI_MODE_OFF;
  init_refused("config FAPI 2.0 with DPoP off and mTLS off", &c,
               FAPI_ERR_MISUSE_CONTRADICTORY_POLICY);
}

/* ------------------------------------------------------------------------------------------ */
/* Attaching regions. */

static void test_attach(void) {
  const char *n = "attach";
  fapi_config cfg = default_config();
  verifier good;
  uint8_t *garbage, *copy;
  fapi_verifier *v = NULL;
  context ctx;
  simple_request s;
  uint32_t rc;
  if (!verifier_new(n, &good, &cfg, &GEN_JWKS) || !context_new(n, &ctx)) {
    return;
  }
  rc = fapi_verifier_attach(good.mem, good.size, &v);
  check_code("attach: initialised region", "fapi_verifier_attach", FAPI_OK, rc);
  check_true("attach: initialised region", "out is the memory", (void *)v == good.mem);
  v = NULL;
  rc = fapi_verifier_attach(good.mem, good.size - 1, &v);
  check_code("attach: len one byte short of the stored size", "fapi_verifier_attach",
             FAPI_ERR_BAD_REGION, rc);
  rc = fapi_verifier_attach(good.mem, 8, &v);
  check_code("attach: len smaller than a header", "fapi_verifier_attach",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_attach(NULL, good.size, &v);
  check_code("attach: NULL memory", "fapi_verifier_attach", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_attach(good.mem, good.size, NULL);
  check_code("attach: NULL out", "fapi_verifier_attach", FAPI_ERR_INVALID_ARGUMENT, rc);
  check_true("attach: refused attaches", "out not set", v == NULL);

  garbage = xalloc(good.size);
  memset(garbage, 0xA5, good.size);
  rc = fapi_verifier_attach(garbage, good.size, &v);
  check_code("attach: garbage memory (0xA5)", "fapi_verifier_attach", FAPI_ERR_BAD_REGION, rc);
  memset(garbage, 0, good.size);
  rc = fapi_verifier_attach(garbage, good.size, &v);
  check_code("attach: zeroed memory", "fapi_verifier_attach", FAPI_ERR_BAD_REGION, rc);
  memcpy(garbage, good.mem, good.size);
  garbage[0] ^= 0x01;
  rc = fapi_verifier_attach(garbage, good.size, &v);
  check_code("attach: magic changed", "fapi_verifier_attach", FAPI_ERR_BAD_REGION, rc);
  memcpy(garbage, good.mem, good.size);
  garbage[4] ^= 0x01;
  rc = fapi_verifier_attach(garbage, good.size, &v);
  check_code("attach: layout version changed", "fapi_verifier_attach", FAPI_ERR_BAD_REGION, rc);
  memcpy(garbage, good.mem, good.size);
  garbage[8] ^= 0x08;
  rc = fapi_verifier_attach(garbage, good.size, &v);
  check_code("attach: stored size changed", "fapi_verifier_attach", FAPI_ERR_BAD_REGION, rc);
  check_true("attach: refused attaches", "out not set", v == NULL);

  /* Garbage passed as a verifier to the other calls. */
  memset(garbage, 0xA5, good.size);
  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request((fapi_verifier *)(void *)garbage, ctx.ctx, &s.r);
  check_code("garbage verifier", "fapi_check_request", FAPI_ERR_BAD_REGION, rc);
  rc = fapi_verifier_set_jwks((fapi_verifier *)(void *)garbage, GEN_JWKS.ptr, GEN_JWKS.len, NULL,
                              NULL);
  check_code("garbage verifier", "fapi_verifier_set_jwks", FAPI_ERR_BAD_REGION, rc);
  rc = fapi_verifier_replay_counters((fapi_verifier *)(void *)garbage, NULL, NULL, NULL);
  check_code("garbage verifier", "fapi_verifier_replay_counters", FAPI_ERR_BAD_REGION, rc);
  free(garbage);

  /* The region holds no pointers: a byte copy elsewhere is the same verifier. */
  copy = xalloc(good.size);
  memcpy(copy, good.mem, good.size);
  verifier_free(&good);
  rc = fapi_verifier_attach(copy, fapi_verifier_size(&cfg), &v);
  check_code("attach: byte copy of a region", "fapi_verifier_attach", FAPI_OK, rc);
  if (rc == FAPI_OK) {
    rc = fapi_check_request(v, ctx.ctx, &s.r);
    check_code("attach: byte copy of a region", "fapi_check_request", FAPI_OK, rc);
    check_outcome("attach: byte copy of a region", ctx.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  }
  free(copy);
  context_free(&ctx);
}

/* ------------------------------------------------------------------------------------------ */
/* Contexts. */

static void test_context(void) {
  size_t size = fapi_ctx_size(NULL);
  uint8_t *mem = xalloc(size + 16);
  fapi_ctx *ctx = NULL;
  uint32_t rc;
  const uint8_t *p = NULL;
  size_t len = 99;
  uint8_t out[16];
  uint64_t t = 0;
  check_true("fapi_ctx_size", "about 43 KiB", size > 1024 && size < 1024 * 1024);
  {
    fapi_config bad;
    memset(&bad, 0, sizeof bad);
    check_u64("fapi_ctx_size: config of the wrong version", "size", 0, fapi_ctx_size(&bad));
    bad.struct_size = sizeof bad;
    bad.version = FAPI_STRUCT_VERSION;
    check_u64("fapi_ctx_size: any valid config", "size", size, fapi_ctx_size(&bad));
  }
  rc = fapi_ctx_init(mem, size - 1, &ctx);
  check_code("context smaller than fapi_ctx_size(NULL)", "fapi_ctx_init", FAPI_ERR_INVALID_ARGUMENT,
             rc);
  rc = fapi_ctx_init(mem, 0, &ctx);
  check_code("context of 0 bytes", "fapi_ctx_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_init(mem + 4, size, &ctx);
  check_code("context misaligned", "fapi_ctx_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_init(NULL, size, &ctx);
  check_code("context NULL memory", "fapi_ctx_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_init(mem, size, NULL);
  check_code("context NULL out", "fapi_ctx_init", FAPI_ERR_INVALID_ARGUMENT, rc);
  check_true("context refused", "out not set", ctx == NULL);
  rc = fapi_ctx_init(mem, size, &ctx);
  check_code("context exact size", "fapi_ctx_init", FAPI_OK, rc);
  check_true("context exact size", "out is the memory", (void *)ctx == (void *)mem);

  /* A fresh context holds no verdict. */
  check_outcome("fresh context", ctx, FAPI_VERDICT_NONE, FAPI_OK, 0);
  check_str("fresh context", "OAuth error", "", fapi_ctx_oauth_error(ctx));
  rc = fapi_ctx_www_authenticate(ctx, &p, &len);
  check_code("fresh context", "fapi_ctx_www_authenticate", FAPI_OK, rc);
  check_u64("fresh context", "WWW-Authenticate length", 0, len);
  rc = fapi_ctx_dpop_nonce(ctx, &p, &len);
  check_code("fresh context", "fapi_ctx_dpop_nonce", FAPI_ERR_NOT_FOUND, rc);
  rc = fapi_ctx_claim_str(ctx, NAME("sub"), out, sizeof out, &len);
  check_code("fresh context", "fapi_ctx_claim_str", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_claim_json(ctx, NAME("aud"), &p, &len);
  check_code("fresh context", "fapi_ctx_claim_json", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_claim_time(ctx, NAME("exp"), &t);
  check_code("fresh context", "fapi_ctx_claim_time", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_binding(ctx, NULL, NULL, NULL, NULL);
  check_code("fresh context", "fapi_ctx_binding", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_replay_check(ctx, &p, &len, &t);
  check_code("fresh context", "fapi_ctx_replay_check", FAPI_ERR_WRONG_STATE, rc);

  /* Invalid contexts. */
  check_u64("NULL context", "fapi_ctx_verdict", FAPI_VERDICT_NONE, fapi_ctx_verdict(NULL));
  check_u64("NULL context", "fapi_ctx_http_status", 0, fapi_ctx_http_status(NULL));
  check_str("NULL context", "fapi_ctx_oauth_error", "", fapi_ctx_oauth_error(NULL));
  rc = fapi_ctx_www_authenticate(NULL, &p, &len);
  check_code("NULL context", "fapi_ctx_www_authenticate", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_www_authenticate(ctx, NULL, &len);
  check_code("NULL ptr output", "fapi_ctx_www_authenticate", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_www_authenticate(ctx, &p, NULL);
  check_code("NULL len output", "fapi_ctx_www_authenticate", FAPI_ERR_INVALID_ARGUMENT, rc);
  memset(mem, 0xA5, size);
  check_u64("garbage context", "fapi_ctx_verdict", FAPI_VERDICT_NONE,
            fapi_ctx_verdict((const fapi_ctx *)(const void *)mem));
  rc = fapi_ctx_claim_str((const fapi_ctx *)(const void *)mem, NAME("sub"), out, sizeof out, &len);
  check_code("garbage context", "fapi_ctx_claim_str", FAPI_ERR_BAD_REGION, rc);
  {
    fapi_config cfg = default_config();
    verifier v;
    simple_request s;
    if (verifier_new("garbage context", &v, &cfg, &GEN_JWKS)) {
      simple(&s, &GEN_BEARER_AUTH, NULL);
      rc = fapi_check_request(v.v, (fapi_ctx *)(void *)mem, &s.r);
      check_code("garbage context", "fapi_check_request", FAPI_ERR_BAD_REGION, rc);
      verifier_free(&v);
    }
  }
  free(mem);
}

/* ------------------------------------------------------------------------------------------ */
/* Request arguments. */

static void test_request_args(void) {
  const char *n = "request arguments";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  simple_request s;
  fapi_request r;
  uint32_t rc;
  fapi_str nul[1] = {{NULL, 10}};
  fapi_str bad_scope[1] = {LITI("pay\xff")};
  fapi_str scopes[FAPI_MAX_SCOPES + 1];
  fapi_str many_auth[FAPI_MAX_FIELDS + 1];
  size_t i;
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("request: valid bearer", "fapi_check_request", FAPI_OK, rc);
  check_outcome("request: valid bearer", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);

  rc = fapi_check_request(NULL, c.ctx, &s.r);
  check_code("request: NULL verifier", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_check_request(v.v, NULL, &s.r);
  check_code("request: NULL context", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_check_request(v.v, c.ctx, NULL);
  check_code("request: NULL request", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);

  r = s.r;
  r.version = FAPI_STRUCT_VERSION + 1;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: version + 1", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.struct_size = (uint32_t)sizeof r - 1;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: struct_size one byte short", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);

  {
    struct {
      fapi_request r;
      uint8_t future[16];
    } big;
    memset(&big, 0, sizeof big);
    big.r = s.r;
    big.r.struct_size = (uint32_t)sizeof big;
    rc = fapi_check_request(v.v, c.ctx, &big.r);
    check_code("request: struct_size larger than fapi_request", "fapi_check_request", FAPI_OK, rc);
    check_outcome("request: struct_size larger than fapi_request", c.ctx, FAPI_VERDICT_ALLOW,
                  FAPI_OK, 200);
  }

  r = s.r;
  r.method.ptr = NULL;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: method NULL with length 3", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.target.ptr = NULL;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: target NULL with length 9", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.authorization = NULL;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: authorization NULL with count 1", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.authorization = nul;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: authorization value NULL with length 10", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.dpop_count = 1;
  r.dpop = NULL;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: dpop NULL with count 1", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT,
             rc);
  r = s.r;
  r.dpop_count = 1;
  r.dpop = nul;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: dpop value NULL with length 10", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.required_scope_count = 1;
  r.required_scopes = NULL;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: required_scopes NULL with count 1", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.required_scope_count = 1;
  r.required_scopes = nul;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: scope NULL with length 10", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.required_scope_count = 1;
  r.required_scopes = bad_scope;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: scope not UTF-8", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  for (i = 0; i < FAPI_MAX_SCOPES + 1; i++) {
    scopes[i] = LIT("accounts");
  }
  r = s.r;
  r.required_scope_count = FAPI_MAX_SCOPES + 1;
  r.required_scopes = scopes;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: FAPI_MAX_SCOPES + 1 scopes", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r.required_scope_count = FAPI_MAX_SCOPES;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: FAPI_MAX_SCOPES scopes", "fapi_check_request", FAPI_OK, rc);
  check_outcome("request: FAPI_MAX_SCOPES scopes", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);

  r = s.r;
  r.cert_encoding = 99;
  r.client_cert = LIT("garbage");
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: cert_encoding 99", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.cert_encoding = FAPI_CERT_DER;
  r.cert_source = 7;
  r.client_cert = LIT("garbage");
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: cert_source 7", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.cert_encoding = FAPI_CERT_DER;
  r.client_cert.ptr = NULL;
  r.client_cert.len = 10;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: client_cert NULL with length 10", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  r = s.r;
  r.base = FAPI_MAX_BASES;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: base index FAPI_MAX_BASES", "fapi_check_request",
             FAPI_ERR_INVALID_ARGUMENT, rc);

  /* A call that fails before a verdict leaves none behind: never a stale allow. */
  r = s.r;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: allowed before a misuse call", "fapi_check_request", FAPI_OK, rc);
  check_code("request: allowed before a misuse call", "verdict", FAPI_VERDICT_ALLOW,
             fapi_ctx_verdict(c.ctx));
  r.base = FAPI_MAX_BASES;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: misuse after an allow", "fapi_check_request", FAPI_ERR_INVALID_ARGUMENT,
             rc);
  check_code("request: misuse after an allow", "verdict", FAPI_VERDICT_NONE,
             fapi_ctx_verdict(c.ctx));
  check_code("request: misuse after an allow", "http status", 0, fapi_ctx_http_status(c.ctx));

  /* More Authorization values than FAPI_MAX_FIELDS: refused as multiple, not misuse. */
  for (i = 0; i < FAPI_MAX_FIELDS + 1; i++) {
    many_auth[i] = GEN_BEARER_AUTH;
  }
  r = s.r;
  r.authorization_count = FAPI_MAX_FIELDS + 1;
  r.authorization = many_auth;
  rc = fapi_check_request(v.v, c.ctx, &r);
  check_code("request: FAPI_MAX_FIELDS + 1 Authorization values", "fapi_check_request", FAPI_OK,
             rc);
  check_outcome("request: FAPI_MAX_FIELDS + 1 Authorization values", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_REQUEST_MULTIPLE_AUTHORIZATION, 400);

  /* The other object calls with NULL pointers and lengths. */
  rc = fapi_verifier_set_jwks(v.v, NULL, 10, NULL, NULL);
  check_code("set_jwks: json NULL with length 10", "fapi_verifier_set_jwks",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_set_jwks(NULL, GEN_JWKS.ptr, GEN_JWKS.len, NULL, NULL);
  check_code("set_jwks: NULL verifier", "fapi_verifier_set_jwks", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_set_nonce_secret(v.v, NULL, 32, GEN_NOW);
  check_code("set_nonce_secret: NULL with length 32", "fapi_verifier_set_nonce_secret",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  {
    uint8_t secret[31];
    memset(secret, 1, sizeof secret);
    rc = fapi_verifier_set_nonce_secret(v.v, secret, sizeof secret, GEN_NOW);
    check_code("set_nonce_secret: 31 bytes", "fapi_verifier_set_nonce_secret",
               FAPI_ERR_MISUSE_NONCE_SECRET_TOO_SHORT, rc);
  }
  rc = fapi_complete_replay(v.v, c.ctx, 3);
  check_code("complete_replay: outcome 3", "fapi_complete_replay", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_replay_counters(NULL, NULL, NULL, NULL);
  check_code("replay_counters: NULL verifier", "fapi_verifier_replay_counters",
             FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_replay_counters(v.v, NULL, NULL, NULL);
  check_code("replay_counters: NULL outputs", "fapi_verifier_replay_counters", FAPI_OK, rc);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* Claim accessors, buffers, bindings. */

static void test_claims(void) {
  const char *n = "claims";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  simple_request s;
  uint32_t rc;
  uint8_t out[FAPI_MAX_CLAIM_LEN];
  size_t len;
  const uint8_t *p;
  uint64_t t;
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("claims: bearer allow", "fapi_check_request", FAPI_OK, rc);
  check_outcome("claims: bearer allow", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);

  len = 0;
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, sizeof out, &len);
  if (check_code("claim_str sub", "rc", FAPI_OK, rc)) {
    check_bytes("claim_str sub", "value", GEN_CLAIM_SUB.ptr, GEN_CLAIM_SUB.len, out, len);
  }
  rc = fapi_ctx_claim_str(c.ctx, NAME("client_id"), out, sizeof out, &len);
  if (check_code("claim_str client_id", "rc", FAPI_OK, rc)) {
    check_bytes("claim_str client_id", "value", GEN_CLAIM_CLIENT_ID.ptr, GEN_CLAIM_CLIENT_ID.len,
                out, len);
  }
  rc = fapi_ctx_claim_str(c.ctx, NAME("scope"), out, sizeof out, &len);
  if (check_code("claim_str scope", "rc", FAPI_OK, rc)) {
    check_bytes("claim_str scope", "value", GEN_CLAIM_SCOPE.ptr, GEN_CLAIM_SCOPE.len, out, len);
  }
  p = NULL;
  rc = fapi_ctx_claim_json(c.ctx, NAME("aud"), &p, &len);
  if (check_code("claim_json aud", "rc", FAPI_OK, rc)) {
    check_bytes("claim_json aud", "exact JSON", GEN_CLAIM_AUD_JSON.ptr, GEN_CLAIM_AUD_JSON.len, p,
                len);
  }
  t = 0;
  rc = fapi_ctx_claim_time(c.ctx, NAME("exp"), &t);
  if (check_code("claim_time exp", "rc", FAPI_OK, rc)) {
    check_u64("claim_time exp", "value", GEN_CLAIM_EXP, t);
  }
  rc = fapi_ctx_claim_json(c.ctx, NAME("exp"), &p, &len);
  if (check_code("claim_json exp", "rc", FAPI_OK, rc)) {
    char want[32];
    int w = snprintf(want, sizeof want, "%llu", (unsigned long long)GEN_CLAIM_EXP);
    check_bytes("claim_json exp", "exact JSON", (const uint8_t *)want, (size_t)w, p, len);
  }
  rc = fapi_ctx_claim_str(c.ctx, NAME("exp"), out, sizeof out, &len);
  check_code("claim_str of a number (exp)", "rc", FAPI_ERR_CLAIMS_CLAIM_TYPE, rc);
  t = 777;
  rc = fapi_ctx_claim_time(c.ctx, NAME("sub"), &t);
  check_code("claim_time of a string (sub)", "rc", FAPI_ERR_CLAIMS_CLAIM_TYPE, rc);
  check_u64("claim_time of a string (sub)", "out not written", 777, t);
  rc = fapi_ctx_claim_str(c.ctx, NAME("nope"), out, sizeof out, &len);
  check_code("claim_str absent claim", "rc", FAPI_ERR_NOT_FOUND, rc);
  rc = fapi_ctx_claim_json(c.ctx, NAME("nope"), &p, &len);
  check_code("claim_json absent claim", "rc", FAPI_ERR_NOT_FOUND, rc);
  rc = fapi_ctx_claim_time(c.ctx, NAME("nope"), &t);
  check_code("claim_time absent claim", "rc", FAPI_ERR_NOT_FOUND, rc);

  /* Buffer too small: out not written, *out_len = bytes needed. */
  memset(out, 0xEE, 16);
  len = 777;
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, GEN_CLAIM_SUB.len - 1, &len);
  check_code("claim_str sub, buffer one byte short", "rc", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64("claim_str sub, buffer one byte short", "*out_len = needed", GEN_CLAIM_SUB.len, len);
  check_true("claim_str sub, buffer one byte short", "out not written", all_bytes(out, 16, 0xEE));
  len = 777;
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), NULL, 0, &len);
  check_code("claim_str sub, NULL buffer of 0 bytes", "rc", FAPI_ERR_BUFFER_TOO_SMALL, rc);
  check_u64("claim_str sub, NULL buffer of 0 bytes", "*out_len = needed", GEN_CLAIM_SUB.len, len);
  len = 777;
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, GEN_CLAIM_SUB.len, &len);
  check_code("claim_str sub, exact buffer", "rc", FAPI_OK, rc);
  check_bytes("claim_str sub, exact buffer", "value", GEN_CLAIM_SUB.ptr, GEN_CLAIM_SUB.len, out,
              len);
  check_true("claim_str sub, exact buffer", "no byte after the value written",
             out[GEN_CLAIM_SUB.len] == 0xEE);

  /* NULL pointers with non-zero lengths. */
  rc = fapi_ctx_claim_str(c.ctx, NULL, 3, out, sizeof out, &len);
  check_code("claim_str name NULL with length 3", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), NULL, 16, &len);
  check_code("claim_str out NULL with capacity 16", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, sizeof out, NULL);
  check_code("claim_str out_len NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_str(c.ctx, (const uint8_t *)"s\xffub", 4, out, sizeof out, &len);
  check_code("claim_str name not UTF-8", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_json(c.ctx, NULL, 3, &p, &len);
  check_code("claim_json name NULL with length 3", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_json(c.ctx, NAME("aud"), NULL, &len);
  check_code("claim_json ptr output NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_time(c.ctx, NULL, 3, &t);
  check_code("claim_time name NULL with length 3", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_ctx_claim_time(c.ctx, NAME("exp"), NULL);
  check_code("claim_time out NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);

  /* A bearer allow proves no binding. */
  {
    uint32_t binding = 99, hit = 99;
    uint8_t jkt[32], x5t[32];
    memset(jkt, 0xEE, sizeof jkt);
    memset(x5t, 0xEE, sizeof x5t);
    rc = fapi_ctx_binding(c.ctx, &binding, &hit, jkt, x5t);
    check_code("binding after a bearer allow", "rc", FAPI_OK, rc);
    check_u64("binding after a bearer allow", "binding", FAPI_BINDING_NONE, binding);
    check_true("binding after a bearer allow", "jkt zeros", all_bytes(jkt, 32, 0));
    check_true("binding after a bearer allow", "x5t zeros", all_bytes(x5t, 32, 0));
  }

  /* Escapes: claim_str unescapes, claim_json is the exact text. */
  simple(&s, &GEN_ESCAPED_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("claims: escaped sub, aud array", "fapi_check_request", FAPI_OK, rc);
  check_outcome("claims: escaped sub, aud array", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, sizeof out, &len);
  if (check_code("claim_str sub al\\u0069ce", "rc", FAPI_OK, rc)) {
    check_bytes("claim_str sub al\\u0069ce", "unescaped", GEN_CLAIM_SUB.ptr, GEN_CLAIM_SUB.len, out,
                len);
  }
  rc = fapi_ctx_claim_json(c.ctx, NAME("aud"), &p, &len);
  if (check_code("claim_json aud array", "rc", FAPI_OK, rc)) {
    check_bytes("claim_json aud array", "exact JSON", GEN_ESCAPED_AUD_JSON.ptr,
                GEN_ESCAPED_AUD_JSON.len, p, len);
  }
  rc = fapi_ctx_claim_str(c.ctx, NAME("aud"), out, sizeof out, &len);
  check_code("claim_str of an array (aud)", "rc", FAPI_ERR_CLAIMS_CLAIM_TYPE, rc);

  /* A DPoP allow: binding and proven jkt. */
  simple(&s, &GEN_DPOP_AUTH, &GEN_DPOP_PROOF);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("binding: DPoP allow", "fapi_check_request", FAPI_OK, rc);
  check_outcome("binding: DPoP allow", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  {
    uint32_t binding = 99;
    uint8_t jkt[32], x5t[32];
    rc = fapi_ctx_binding(c.ctx, &binding, NULL, jkt, x5t);
    if (check_code("binding: DPoP allow", "fapi_ctx_binding", FAPI_OK, rc)) {
      check_u64("binding: DPoP allow", "binding", FAPI_BINDING_DPOP, binding);
      check_bytes("binding: DPoP allow", "jkt", GEN_HOLDER_JKT.ptr, GEN_HOLDER_JKT.len, jkt, 32);
      check_true("binding: DPoP allow", "x5t zeros", all_bytes(x5t, 32, 0));
    }
    rc = fapi_ctx_binding(c.ctx, NULL, NULL, NULL, NULL);
    check_code("binding: all outputs NULL", "fapi_ctx_binding", FAPI_OK, rc);
  }
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, sizeof out, &len);
  check_code("claim_str after a DPoP allow", "rc", FAPI_OK, rc);

  /* After a denial the claim accessors refuse. */
  rc = fapi_check_request(v.v, c.ctx, &s.r); /* the same proof again: a replay */
  check_code("claims: replayed proof", "fapi_check_request", FAPI_OK, rc);
  check_outcome("claims: replayed proof", c.ctx, FAPI_VERDICT_DENY, FAPI_ERR_DPOP_REPLAYED, 401);
  rc = fapi_ctx_claim_str(c.ctx, NAME("sub"), out, sizeof out, &len);
  check_code("claim_str after a denial", "rc", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_claim_json(c.ctx, NAME("aud"), &p, &len);
  check_code("claim_json after a denial", "rc", FAPI_ERR_WRONG_STATE, rc);
  rc = fapi_ctx_claim_time(c.ctx, NAME("exp"), &t);
  check_code("claim_time after a denial", "rc", FAPI_ERR_WRONG_STATE, rc);
  {
    uint32_t binding = 99, hit = 99;
    uint8_t jkt[32];
    memset(jkt, 0xEE, sizeof jkt);
    rc = fapi_ctx_binding(c.ctx, &binding, &hit, jkt, NULL);
    check_code("binding after a denial", "rc", FAPI_ERR_WRONG_STATE, rc);
    check_true("binding after a denial", "outputs not written",
               binding == 99 && hit == 99 && all_bytes(jkt, 32, 0xEE));
  }

  /* The current nonce: buffer too small, exact. */
  {
    uint8_t secret[32], nonce[64];
    memset(secret, GEN_NONCE_SECRET_BYTE, sizeof secret);
    rc = fapi_verifier_current_nonce(v.v, GEN_NOW, nonce, sizeof nonce, &len);
    check_code("current_nonce without a secret", "rc", FAPI_ERR_NOT_FOUND, rc);
    rc = fapi_verifier_set_nonce_secret(v.v, secret, sizeof secret, GEN_NOW);
    check_code("current_nonce", "fapi_verifier_set_nonce_secret", FAPI_OK, rc);
    memset(nonce, 0xEE, sizeof nonce);
    len = 777;
    rc = fapi_verifier_current_nonce(v.v, GEN_NOW, nonce, 10, &len);
    check_code("current_nonce, 10-byte buffer", "rc", FAPI_ERR_BUFFER_TOO_SMALL, rc);
    check_u64("current_nonce, 10-byte buffer", "*out_len = needed", FAPI_NONCE_LEN, len);
    check_true("current_nonce, 10-byte buffer", "out not written",
               all_bytes(nonce, sizeof nonce, 0xEE));
    rc = fapi_verifier_current_nonce(v.v, GEN_NOW, NULL, FAPI_NONCE_LEN, &len);
    check_code("current_nonce, out NULL with capacity 43", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
    rc = fapi_verifier_current_nonce(v.v, GEN_NOW, nonce, FAPI_NONCE_LEN, NULL);
    check_code("current_nonce, out_len NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
    len = 777;
    rc = fapi_verifier_current_nonce(v.v, GEN_NOW, nonce, FAPI_NONCE_LEN, &len);
    if (check_code("current_nonce, exact buffer", "rc", FAPI_OK, rc)) {
      check_bytes("current_nonce, exact buffer", "value", GEN_NONCE_NOW.ptr, GEN_NONCE_NOW.len,
                  nonce, len);
    }
    /* Allows now carry the nonce. */
    simple(&s, &GEN_BEARER_AUTH, NULL);
    rc = fapi_check_request(v.v, c.ctx, &s.r);
    check_code("nonce secret set: bearer allow", "fapi_check_request", FAPI_OK, rc);
    rc = fapi_ctx_dpop_nonce(c.ctx, &p, &len);
    if (check_code("nonce secret set: bearer allow", "fapi_ctx_dpop_nonce", FAPI_OK, rc)) {
      check_bytes("nonce secret set: bearer allow", "DPoP-Nonce", GEN_NONCE_NOW.ptr,
                  GEN_NONCE_NOW.len, p, len);
    }
  }
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* The two-phase replay path (replay_slots = 0: the host's store). */

static void ext_phase1(const char *name, verifier *v, context *c) {
  simple_request s;
  uint32_t rc;
  const uint8_t *key = NULL;
  size_t key_len = 0;
  uint64_t expiry = 0;
  simple(&s, &GEN_DPOP_AUTH, &GEN_EXT_PROOF);
  rc = fapi_check_request(v->v, c->ctx, &s.r);
  check_code(name, "phase 1: fapi_check_request", FAPI_OK, rc);
  check_u64(name, "phase 1: verdict", FAPI_VERDICT_NEEDS_REPLAY_CHECK, fapi_ctx_verdict(c->ctx));
  check_u64(name, "phase 1: HTTP status", 0, fapi_ctx_http_status(c->ctx));
  check_code(name, "phase 1: result", FAPI_OK, fapi_ctx_result(c->ctx));
  rc = fapi_ctx_replay_check(c->ctx, &key, &key_len, &expiry);
  if (check_code(name, "fapi_ctx_replay_check", FAPI_OK, rc)) {
    check_u64(name, "store key length", FAPI_REPLAY_KEY_LEN, key_len);
    check_bytes(name, "store key", GEN_EXT_KEY.ptr, GEN_EXT_KEY.len, key, key_len);
    check_u64(name, "store expiry", GEN_EXT_EXPIRY, expiry);
  }
}

static void test_two_phase(void) {
  const char *n = "two-phase replay";
  fapi_config cfg = default_config();
  verifier v;
  context c, c2;
  uint32_t rc;
  simple_request s;
  static const fapi_str empty = {(const uint8_t *)"", 0};
  cfg.replay_slots = 0;
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c) || !context_new(n, &c2)) {
    return;
  }
  ext_phase1("two-phase: fresh", &v, &c);
  {
    const uint8_t *p;
    size_t len;
    uint64_t t;
    rc = fapi_ctx_replay_check(c.ctx, NULL, &len, &t);
    check_code("two-phase: replay_check key output NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
    rc = fapi_ctx_replay_check(c.ctx, &p, &len, NULL);
    check_code("two-phase: replay_check expiry output NULL", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  }
  /* An invalid outcome changes nothing: the decision stays pending. */
  rc = fapi_complete_replay(v.v, c.ctx, 3);
  check_code("two-phase: outcome 3", "fapi_complete_replay", FAPI_ERR_INVALID_ARGUMENT, rc);
  check_u64("two-phase: outcome 3", "still pending", FAPI_VERDICT_NEEDS_REPLAY_CHECK,
            fapi_ctx_verdict(c.ctx));
  rc = fapi_complete_replay(v.v, c.ctx, FAPI_REPLAY_FRESH);
  check_code("two-phase: fresh", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: fresh", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  {
    uint32_t binding = 99, hit = 99;
    uint8_t jkt[32];
    rc = fapi_ctx_binding(c.ctx, &binding, &hit, jkt, NULL);
    if (check_code("two-phase: fresh", "fapi_ctx_binding", FAPI_OK, rc)) {
      check_u64("two-phase: fresh", "binding", FAPI_BINDING_DPOP, binding);
      check_u64("two-phase: fresh", "cache hit", 0, hit);
      check_bytes("two-phase: fresh", "jkt", GEN_HOLDER_JKT.ptr, GEN_HOLDER_JKT.len, jkt, 32);
    }
  }
  rc = fapi_complete_replay(v.v, c.ctx, FAPI_REPLAY_FRESH);
  check_code("two-phase: fresh, completed twice", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: fresh, completed twice", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_MISUSE_REPLAY_NOT_PENDING, 500);
  check_challenge("two-phase: fresh, completed twice", c.ctx, &empty);

  ext_phase1("two-phase: seen", &v, &c);
  rc = fapi_complete_replay(v.v, c.ctx, FAPI_REPLAY_SEEN);
  check_code("two-phase: seen", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: seen", c.ctx, FAPI_VERDICT_DENY, FAPI_ERR_DPOP_REPLAYED_EXTERNAL, 401);
  check_str("two-phase: seen", "OAuth error", "invalid_dpop_proof", fapi_ctx_oauth_error(c.ctx));
  check_challenge("two-phase: seen", c.ctx, &GEN_EXT_SEEN_CHALLENGE);

  ext_phase1("two-phase: store error", &v, &c);
  rc = fapi_complete_replay(v.v, c.ctx, FAPI_REPLAY_STORE_ERROR);
  check_code("two-phase: store error", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: store error", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_CAPACITY_REPLAY_STORE_ERROR, 503);
  check_str("two-phase: store error", "OAuth error", "", fapi_ctx_oauth_error(c.ctx));
  check_challenge("two-phase: store error", c.ctx, &empty);

  /* A later decision clears the pending one. */
  ext_phase1("two-phase: superseded", &v, &c);
  simple(&s, NULL, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("two-phase: superseded by another request", "fapi_check_request", FAPI_OK, rc);
  check_outcome("two-phase: superseded by another request", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_REQUEST_NO_CREDENTIALS, 401);
  rc = fapi_complete_replay(v.v, c.ctx, FAPI_REPLAY_FRESH);
  check_code("two-phase: superseded", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: superseded", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_MISUSE_REPLAY_NOT_PENDING, 500);
  {
    const uint8_t *p;
    size_t len;
    uint64_t t;
    t = 777;
    rc = fapi_ctx_replay_check(c.ctx, &p, &len, &t);
    check_code("two-phase: replay_check without a pending decision", "rc", FAPI_ERR_WRONG_STATE,
               rc);
    check_u64("two-phase: replay_check without a pending decision", "expiry not written", 777, t);
  }
  rc = fapi_complete_replay(v.v, NULL, FAPI_REPLAY_FRESH);
  check_code("two-phase: NULL context", "fapi_complete_replay", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_complete_replay(NULL, c2.ctx, FAPI_REPLAY_FRESH);
  check_code("two-phase: NULL verifier", "fapi_complete_replay", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_complete_replay(v.v, c2.ctx, FAPI_REPLAY_FRESH);
  check_code("two-phase: no pending decision (fresh context)", "fapi_complete_replay", FAPI_OK, rc);
  check_outcome("two-phase: no pending decision (fresh context)", c2.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_MISUSE_REPLAY_NOT_PENDING, 500);

  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("two-phase: bearer with the external store", "fapi_check_request", FAPI_OK, rc);
  check_outcome("two-phase: bearer with the external store", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK,
                200);
  context_free(&c);
  context_free(&c2);
  verifier_free(&v);
}

/* Nonces required and no secret set: DPoP requests fail closed until one is. */
static void test_nonce_secret_missing(void) {
  const char *n = "nonces required, no secret set";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  simple_request s;
  uint32_t rc;
  static const fapi_str empty = {(const uint8_t *)"", 0};
  cfg.nonce_required = 1;
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  simple(&s, &GEN_DPOP_AUTH, &GEN_DPOP_PROOF);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code(n, "fapi_check_request", FAPI_OK, rc);
  check_outcome(n, c.ctx, FAPI_VERDICT_DENY, FAPI_ERR_MISUSE_NONCE_SECRET_MISSING, 500);
  check_str(n, "OAuth error", "", fapi_ctx_oauth_error(c.ctx));
  check_challenge(n, c.ctx, &empty);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* The standalone proof check (decision.rs check_proof_standalone). */

static fapi_proof_check proof_check(const fapi_str *proof, const char *method) {
  fapi_proof_check k;
  memset(&k, 0, sizeof k);
  k.struct_size = (uint32_t)sizeof k;
  k.version = FAPI_STRUCT_VERSION;
  k.proof = *proof;
  k.method.ptr = (const uint8_t *)method;
  k.method.len = strlen(method);
  k.target = LIT("/token");
  k.base = 0;
  k.now = GEN_NOW;
  return k;
}

static void test_check_proof(void) {
  const char *n = "check_proof";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  fapi_proof_check k;
  uint32_t rc;
  uint8_t jkt[32];
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  k = proof_check(&GEN_CP_P1, "POST");
  memset(jkt, 0xEE, sizeof jkt);
  rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
  check_code("check_proof: token-endpoint proof", "rc", FAPI_OK, rc);
  check_bytes("check_proof: token-endpoint proof", "jkt", GEN_HOLDER_JKT.ptr, GEN_HOLDER_JKT.len,
              jkt, 32);
  memset(jkt, 0xEE, sizeof jkt);
  rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
  check_code("check_proof: replay", "rc", FAPI_ERR_DPOP_REPLAYED, rc);
  check_true("check_proof: replay", "jkt_out not written", all_bytes(jkt, 32, 0xEE));

  k = proof_check(&GEN_CP_P2, "POST");
  k.has_expected_jkt = 1;
  memcpy(k.expected_jkt, GEN_OTHER_JKT.ptr, 32);
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: expected jkt of another key", "rc", FAPI_ERR_DPOP_EXPECTED_JKT_MISMATCH,
             rc);
  memcpy(k.expected_jkt, GEN_HOLDER_JKT.ptr, 32);
  rc = fapi_check_proof(v.v, c.ctx, &k, jkt);
  check_code("check_proof: expected jkt of the key", "rc", FAPI_OK, rc);
  check_bytes("check_proof: expected jkt of the key", "jkt", GEN_HOLDER_JKT.ptr,
              GEN_HOLDER_JKT.len, jkt, 32);
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: replay with expected jkt", "rc", FAPI_ERR_DPOP_REPLAYED, rc);

  k = proof_check(&GEN_CP_P3, "POST");
  k.access_token = GEN_CP_AT;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: access token without ath", "rc", FAPI_ERR_DPOP_ATH_MISSING, rc);
  k = proof_check(&GEN_CP_P4, "POST");
  k.access_token = GEN_CP_AT;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: access token with ath", "rc", FAPI_OK, rc);

  k = proof_check(&GEN_CP_P5, "POST");
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: htm GET for POST", "rc", FAPI_ERR_DPOP_HTM_MISMATCH, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.target = LIT("*");
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: asterisk-form target", "rc", FAPI_ERR_REQUEST_INVALID_TARGET, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.base = 9;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: base index 9", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);

  /* Arguments. */
  {
    struct {
      fapi_proof_check k;
      uint8_t future[16];
    } big;
    memset(&big, 0, sizeof big);
    big.k = proof_check(&GEN_CP_P5, "GET");
    big.k.struct_size = (uint32_t)sizeof big;
    big.k.target = LIT("*");
    rc = fapi_check_proof(v.v, c.ctx, &big.k, NULL);
    check_code("check_proof: struct_size larger than fapi_proof_check", "rc",
               FAPI_ERR_REQUEST_INVALID_TARGET, rc);
  }
  k = proof_check(&GEN_CP_P5, "GET");
  k.has_expected_jkt = 2;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: has_expected_jkt 2", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.version = FAPI_STRUCT_VERSION + 1;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: version + 1", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.struct_size = (uint32_t)sizeof k - 1;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: struct_size one byte short", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.proof.ptr = NULL;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: proof NULL with a length", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.method.ptr = NULL;
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: method NULL with length 3", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  k = proof_check(&GEN_CP_P5, "GET");
  k.access_token.ptr = NULL;
  k.access_token.len = 5; /* ptr NULL means "no access token" whatever the length */
  rc = fapi_check_proof(v.v, c.ctx, &k, NULL);
  check_code("check_proof: proof for GET without an access token", "rc", FAPI_OK, rc);
  rc = fapi_check_proof(v.v, c.ctx, NULL, NULL);
  check_code("check_proof: NULL check", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_check_proof(NULL, c.ctx, &k, NULL);
  check_code("check_proof: NULL verifier", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_check_proof(v.v, NULL, &k, NULL);
  check_code("check_proof: NULL context", "rc", FAPI_ERR_INVALID_ARGUMENT, rc);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* The replay table full fails closed (decision.rs replay_table_full_fails_closed). */

static void test_replay_full(void) {
  const char *n = "replay table full";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  simple_request s;
  uint32_t rc, full = 99, busy = 99, replays = 99;
  static const fapi_str empty = {(const uint8_t *)"", 0};
  cfg.replay_slots = 2;
  memset(cfg.replay_secret, 0x33, sizeof cfg.replay_secret);
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_A);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: first entry", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: first entry", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_B);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: second entry", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: second entry", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_C);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: third entry", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: third entry", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_CAPACITY_REPLAY_TABLE_FULL, 503);
  check_challenge("replay full: third entry", c.ctx, &empty);
  rc = fapi_verifier_replay_counters(v.v, &full, &busy, &replays);
  check_code("replay full: counters", "rc", FAPI_OK, rc);
  check_u64("replay full: counters", "full", 1, full);
  check_u64("replay full: counters", "busy", 0, busy);
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_A);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: replay while full", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: replay while full", c.ctx, FAPI_VERDICT_DENY, FAPI_ERR_DPOP_REPLAYED,
                401);
  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: bearer while full", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: bearer while full", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_D);
  s.r.now = GEN_FULL_D_NOW;
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("replay full: after expiry", "fapi_check_request", FAPI_OK, rc);
  check_outcome("replay full: after expiry", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* JWKS loads through the ABI (cases.rs jwks_cases). */

static void test_jwks(void) {
  const char *n = "jwks";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  simple_request s;
  uint32_t rc, loaded = 99, skipped = 99;
  if (!verifier_new(n, &v, &cfg, &GEN_JWKS) || !context_new(n, &c)) {
    return;
  }
  rc = fapi_verifier_set_jwks(v.v, GEN_JWKS_PRIVATE.ptr, GEN_JWKS_PRIVATE.len, &loaded, &skipped);
  check_code("cases: jwks: EC key with d", "fapi_verifier_set_jwks", FAPI_ERR_JWK_KEY_PRIVATE, rc);
  check_true("cases: jwks: EC key with d", "loaded/skipped not written on a refusal",
             loaded == 99 && skipped == 99);
  simple(&s, &GEN_ED_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("jwks: old set stays in force after a refused load", "fapi_check_request", FAPI_OK,
             rc);
  check_outcome("jwks: old set stays in force after a refused load", c.ctx, FAPI_VERDICT_ALLOW,
                FAPI_OK, 200);
  rc = fapi_verifier_set_jwks(v.v, (const uint8_t *)"{", 1, NULL, NULL);
  check_code("jwks: not JSON", "fapi_verifier_set_jwks", FAPI_ERR_JSON_SYNTAX, rc);
  loaded = skipped = 99;
  rc = fapi_verifier_set_jwks(v.v, GEN_JWKS_MIXED.ptr, GEN_JWKS_MIXED.len, &loaded, &skipped);
  check_code("cases: jwks: enc key + RSA key with an x5c chain + one signing key",
             "fapi_verifier_set_jwks", FAPI_OK, rc);
  check_u64("cases: jwks: enc key + RSA key with an x5c chain + one signing key", "loaded", 2,
            loaded);
  check_u64("cases: jwks: enc key + RSA key with an x5c chain + one signing key", "skipped", 1,
            skipped);
  simple(&s, &GEN_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("jwks: mixed set, ES256 token", "fapi_check_request", FAPI_OK, rc);
  check_outcome("jwks: mixed set, ES256 token", c.ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  simple(&s, &GEN_ED_BEARER_AUTH, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code("jwks: mixed set, EdDSA token of a removed key", "fapi_check_request", FAPI_OK, rc);
  check_outcome("jwks: mixed set, EdDSA token of a removed key", c.ctx, FAPI_VERDICT_DENY,
                FAPI_ERR_JWK_UNKNOWN_KID, 401);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* Concurrency (a): threads sharing one verifier. */

#define THREADS 8

typedef struct thread_shared {
  fapi_verifier *v;
  size_t n;
  pthread_barrier_t start;
  _Atomic uint32_t accepted[GEN_BATCH_N];
  _Atomic uint32_t replayed;
  _Atomic uint32_t busy; /* FAPI_ERR_CAPACITY_REPLAY_BUSY: documented fail-closed contention */
  _Atomic uint32_t unexpected;
  _Atomic uint32_t first_unexpected; /* result or return code + 1 */
} thread_shared;

typedef struct thread_arg {
  thread_shared *sh;
  fapi_ctx *ctx;
  size_t index;
} thread_arg;

/* Submits every batch proof once, starting at a thread-specific offset. Shared by the thread
 * and the fork test. Outcomes: accepted (counted per proof), refused as a replay, refused with
 * the documented fail-closed FAPI_ERR_CAPACITY_REPLAY_BUSY (a slot another writer left
 * half-written past the bounded spin), or anything else (a failure). */
static void submit_batch(fapi_verifier *v, fapi_ctx *ctx, size_t n, size_t index,
                         _Atomic uint32_t *accepted, _Atomic uint32_t *replayed,
                         _Atomic uint32_t *busy, _Atomic uint32_t *unexpected,
                         _Atomic uint32_t *first_unexpected) {
  size_t k;
  for (k = 0; k < n; k++) {
    size_t i = (k + index * 17) % n;
    simple_request s;
    uint32_t rc, verdict, result;
    simple(&s, &GEN_BATCH_AUTH, &GEN_BATCH_PROOFS[i]);
    rc = fapi_check_request(v, ctx, &s.r);
    verdict = fapi_ctx_verdict(ctx);
    result = fapi_ctx_result(ctx);
    if (rc == FAPI_OK && verdict == FAPI_VERDICT_ALLOW) {
      atomic_fetch_add(&accepted[i], 1);
    } else if (rc == FAPI_OK && verdict == FAPI_VERDICT_DENY && result == FAPI_ERR_DPOP_REPLAYED) {
      atomic_fetch_add(replayed, 1);
    } else if (rc == FAPI_OK && verdict == FAPI_VERDICT_DENY &&
               result == FAPI_ERR_CAPACITY_REPLAY_BUSY) {
      atomic_fetch_add(busy, 1);
    } else {
      uint32_t zero = 0;
      atomic_fetch_add(unexpected, 1);
      atomic_compare_exchange_strong(first_unexpected, &zero, (rc != FAPI_OK ? rc : result) + 1);
    }
  }
}

static void *thread_main(void *p) {
  thread_arg *a = p;
  pthread_barrier_wait(&a->sh->start);
  submit_batch(a->sh->v, a->ctx, a->sh->n, a->index, a->sh->accepted, &a->sh->replayed,
               &a->sh->busy, &a->sh->unexpected, &a->sh->first_unexpected);
  return NULL;
}

/* Every proof accepted exactly once; every other submission refused as a replay (or, counted
 * and reported, as busy); the verifier's replay counter agrees. */
static void check_batch(const char *name, fapi_verifier *v, size_t n, size_t workers,
                        _Atomic uint32_t *accepted, uint32_t replayed, uint32_t busy,
                        uint32_t unexpected, uint32_t first_unexpected) {
  size_t i;
  char what[64];
  uint32_t counted = 0;
  for (i = 0; i < n; i++) {
    snprintf(what, sizeof what, "proof %zu accepted exactly once", i);
    check_u64(name, what, 1, atomic_load(&accepted[i]));
  }
  printf("%s: %zu proofs x %zu workers: %u replays refused, %u busy\n", name, n, workers,
         replayed, busy);
  check_u64(name, "replays refused", (uint64_t)n * (workers - 1) - busy, replayed);
  if (check_code(name, "fapi_verifier_replay_counters", FAPI_OK,
                 fapi_verifier_replay_counters(v, NULL, NULL, &counted))) {
    check_u64(name, "replays counted by the verifier", replayed, counted);
  }
  if (!check_u64(name, "unexpected outcomes", 0, unexpected)) {
    printf("  first unexpected code: %u (%s)\n", first_unexpected - 1,
           fapi_result_str(first_unexpected - 1));
  }
}

static void test_threads(size_t n) {
  const char *name = "threads: 8 threads, one verifier, each proof once per thread";
  fapi_config cfg = default_config();
  verifier v;
  context ctxs[THREADS];
  thread_arg args[THREADS];
  pthread_t tids[THREADS];
  thread_shared *sh;
  size_t i, started = 0;
  if (!verifier_new(name, &v, &cfg, &GEN_JWKS)) {
    return;
  }
  sh = xalloc(sizeof *sh);
  memset(sh, 0, sizeof *sh);
  sh->v = v.v;
  sh->n = n;
  for (i = 0; i < n; i++) {
    atomic_init(&sh->accepted[i], 0);
  }
  atomic_init(&sh->replayed, 0);
  atomic_init(&sh->busy, 0);
  atomic_init(&sh->unexpected, 0);
  atomic_init(&sh->first_unexpected, 0);
  pthread_barrier_init(&sh->start, NULL, THREADS);
  for (i = 0; i < THREADS; i++) {
    if (!context_new(name, &ctxs[i])) {
      exit(2);
    }
    args[i].sh = sh;
    args[i].ctx = ctxs[i].ctx;
    args[i].index = i;
  }
  for (i = 0; i < THREADS; i++) {
    if (pthread_create(&tids[i], NULL, thread_main, &args[i]) != 0) {
      printf("pthread_create failed\n");
      exit(2);
    }
    started++;
  }
  for (i = 0; i < started; i++) {
    pthread_join(tids[i], NULL);
  }
  check_batch(name, v.v, n, THREADS, sh->accepted, atomic_load(&sh->replayed),
              atomic_load(&sh->busy), atomic_load(&sh->unexpected),
              atomic_load(&sh->first_unexpected));
  pthread_barrier_destroy(&sh->start);
  for (i = 0; i < THREADS; i++) {
    context_free(&ctxs[i]);
  }
  free(sh);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* Concurrency (b): fork()ed processes sharing a verifier in MAP_SHARED memory. */

#define FORKS 4

typedef struct fork_shared {
  _Atomic uint32_t accepted[GEN_BATCH_N];
  _Atomic uint32_t replayed;
  _Atomic uint32_t busy;
  _Atomic uint32_t unexpected;
  _Atomic uint32_t first_unexpected;
  _Atomic uint32_t attach_rc[FORKS];
  _Atomic uint32_t attach_same[FORKS];
  _Atomic uint32_t ctx_rc[FORKS];
} fork_shared;

static void test_fork(size_t n) {
  const char *name = "fork: 4 processes, one verifier in MAP_SHARED memory";
  fapi_config cfg = default_config();
  size_t size = fapi_verifier_size(&cfg);
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t map_len = (size + page - 1) / page * page;
  void *region, *shared_mem;
  fork_shared *sh;
  fapi_verifier *v = NULL;
  pid_t pids[FORKS];
  size_t i, forked = 0;
  uint32_t rc;
  char what[64];
  check_true(name, "C11 atomics are lock-free (usable across processes)",
             ATOMIC_INT_LOCK_FREE == 2);
  region = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared_mem = mmap(NULL, sizeof(fork_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
  if (region == MAP_FAILED || shared_mem == MAP_FAILED) {
    printf("mmap failed\n");
    exit(2);
  }
  sh = shared_mem; /* zero-filled by mmap */
  rc = fapi_verifier_init(region, size, &cfg, &v);
  check_code(name, "fapi_verifier_init in MAP_SHARED memory", FAPI_OK, rc);
  rc = fapi_verifier_set_jwks(v, GEN_JWKS.ptr, GEN_JWKS.len, NULL, NULL);
  check_code(name, "fapi_verifier_set_jwks", FAPI_OK, rc);
  fflush(stdout);
  for (i = 0; i < FORKS; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      printf("fork failed\n");
      break;
    }
    if (pid == 0) {
      /* Child: attach the region as another process would, with its own context. */
      fapi_verifier *mine = NULL;
      void *cm;
      fapi_ctx *ctx = NULL;
      uint32_t r = fapi_verifier_attach(region, size, &mine);
      atomic_store(&sh->attach_rc[i], r);
      atomic_store(&sh->attach_same[i], (void *)mine == region);
      if (r == FAPI_OK) {
        cm = xalloc(fapi_ctx_size(NULL));
        r = fapi_ctx_init(cm, fapi_ctx_size(NULL), &ctx);
        atomic_store(&sh->ctx_rc[i], r);
        if (r == FAPI_OK) {
          submit_batch(mine, ctx, n, i, sh->accepted, &sh->replayed, &sh->busy,
                       &sh->unexpected, &sh->first_unexpected);
        }
        free(cm);
      }
      _exit(0);
    }
    pids[forked++] = pid;
  }
  check_u64(name, "processes forked", FORKS, forked);
  for (i = 0; i < forked; i++) {
    int status = 0;
    pid_t w = waitpid(pids[i], &status, 0);
    snprintf(what, sizeof what, "child %zu exited with status 0", i);
    check_true(name, what, w == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(what, sizeof what, "child %zu: fapi_verifier_attach", i);
    check_code(name, what, FAPI_OK, atomic_load(&sh->attach_rc[i]));
    snprintf(what, sizeof what, "child %zu: attached pointer is the region", i);
    check_true(name, what, atomic_load(&sh->attach_same[i]) == 1);
    snprintf(what, sizeof what, "child %zu: fapi_ctx_init", i);
    check_code(name, what, FAPI_OK, atomic_load(&sh->ctx_rc[i]));
  }
  /* The parent reads the counters in the shared region the children wrote. */
  check_batch(name, v, n, FORKS, sh->accepted, atomic_load(&sh->replayed), atomic_load(&sh->busy),
              atomic_load(&sh->unexpected), atomic_load(&sh->first_unexpected));
  munmap(shared_mem, sizeof(fork_shared));
  munmap(region, map_len);
}

/* ------------------------------------------------------------------------------------------ */
/* Concurrency (c): a JWKS swap under load. The writer alternates key sets A and B; `epoch` is
 * odd while a fapi_verifier_set_jwks call is in progress and even otherwise; epoch 4k holds A
 * in force, 4k + 2 holds B. A reader that sees the same even epoch before and after its
 * decision knows which set was in force during the whole call: the token of that set must be
 * accepted and the other refused with FAPI_ERR_JWK_UNKNOWN_KID. Across a swap only those two
 * outcomes (or the documented retry-later FAPI_ERR_CAPACITY_SHARED_STATE_BUSY) may occur. */

#define READERS 3

typedef struct swap_shared {
  fapi_verifier *v;
  _Atomic uint32_t epoch;
  _Atomic int done;
  _Atomic uint32_t decisions;
  _Atomic uint32_t stable_ok;      /* stable decisions that matched the set in force */
  _Atomic uint32_t stable_bad;     /* stable decisions that did not */
  _Atomic uint32_t transition;     /* decisions that overlapped a swap */
  _Atomic uint32_t busy;           /* FAPI_ERR_CAPACITY_SHARED_STATE_BUSY (across swaps) */
  _Atomic uint32_t other;          /* any other outcome */
  _Atomic uint32_t first_bad;      /* description: code + 1 */
  _Atomic uint32_t accepted_a, accepted_b;
  _Atomic uint32_t writer_errors;
} swap_shared;

typedef struct swap_reader {
  swap_shared *sh;
  fapi_ctx *ctx;
  size_t index;
} swap_reader;

static void *swap_reader_main(void *p) {
  swap_reader *r = p;
  swap_shared *sh = r->sh;
  size_t k = r->index;
  while (!atomic_load(&sh->done)) {
    int use_b = (int)(k++ % 2);
    simple_request s;
    uint32_t e1, e2, rc, verdict, result;
    int allowed, unknown_kid;
    simple(&s, use_b ? &GEN_SWAP_AUTH_B : &GEN_SWAP_AUTH_A, NULL);
    e1 = atomic_load(&sh->epoch);
    rc = fapi_check_request(sh->v, r->ctx, &s.r);
    e2 = atomic_load(&sh->epoch);
    verdict = fapi_ctx_verdict(r->ctx);
    result = fapi_ctx_result(r->ctx);
    allowed = rc == FAPI_OK && verdict == FAPI_VERDICT_ALLOW;
    unknown_kid =
        rc == FAPI_OK && verdict == FAPI_VERDICT_DENY && result == FAPI_ERR_JWK_UNKNOWN_KID;
    if (allowed) {
      atomic_fetch_add(use_b ? &sh->accepted_b : &sh->accepted_a, 1);
    }
    if (e1 == e2 && e1 % 2 == 0) {
      int b_in_force = (e1 / 2) % 2 == 1;
      int want_allow = b_in_force == use_b;
      if ((want_allow && allowed) || (!want_allow && unknown_kid)) {
        atomic_fetch_add(&sh->stable_ok, 1);
      } else {
        uint32_t zero = 0;
        atomic_fetch_add(&sh->stable_bad, 1);
        atomic_compare_exchange_strong(&sh->first_bad, &zero,
                                       (rc != FAPI_OK ? rc : allowed ? 0 : result) + 1);
      }
    } else {
      atomic_fetch_add(&sh->transition, 1);
      if (rc == FAPI_OK && verdict == FAPI_VERDICT_DENY &&
          result == FAPI_ERR_CAPACITY_SHARED_STATE_BUSY) {
        atomic_fetch_add(&sh->busy, 1);
      } else if (!allowed && !unknown_kid) {
        uint32_t zero = 0;
        atomic_fetch_add(&sh->other, 1);
        atomic_compare_exchange_strong(&sh->first_bad, &zero, (rc != FAPI_OK ? rc : result) + 1);
      }
    }
    atomic_fetch_add(&sh->decisions, 1);
  }
  return NULL;
}

static void test_jwks_swap(size_t swaps) {
  const char *name = "JWKS swap under load";
  fapi_config cfg = default_config();
  verifier v;
  context ctxs[READERS];
  swap_reader readers[READERS];
  pthread_t tids[READERS];
  swap_shared *sh;
  size_t i, k;
  if (!verifier_new(name, &v, &cfg, NULL)) {
    return;
  }
  check_code(name, "load set A", FAPI_OK,
             fapi_verifier_set_jwks(v.v, GEN_JWKS_A.ptr, GEN_JWKS_A.len, NULL, NULL));
  sh = xalloc(sizeof *sh);
  memset(sh, 0, sizeof *sh);
  sh->v = v.v;
  atomic_init(&sh->epoch, 0);
  atomic_init(&sh->done, 0);
  atomic_init(&sh->decisions, 0);
  atomic_init(&sh->stable_ok, 0);
  atomic_init(&sh->stable_bad, 0);
  atomic_init(&sh->transition, 0);
  atomic_init(&sh->busy, 0);
  atomic_init(&sh->other, 0);
  atomic_init(&sh->first_bad, 0);
  atomic_init(&sh->accepted_a, 0);
  atomic_init(&sh->accepted_b, 0);
  atomic_init(&sh->writer_errors, 0);
  for (i = 0; i < READERS; i++) {
    if (!context_new(name, &ctxs[i])) {
      exit(2);
    }
    readers[i].sh = sh;
    readers[i].ctx = ctxs[i].ctx;
    readers[i].index = i;
    if (pthread_create(&tids[i], NULL, swap_reader_main, &readers[i]) != 0) {
      printf("pthread_create failed\n");
      exit(2);
    }
  }
  /* The writer (this thread). After each swap it waits for the readers to make progress, so
   * that every key set is in force for some decisions. */
  for (k = 0; k < swaps; k++) {
    const fapi_str *set = k % 2 == 0 ? &GEN_JWKS_B : &GEN_JWKS_A;
    uint32_t rc, before;
    atomic_store(&sh->epoch, (uint32_t)(2 * k + 1));
    rc = fapi_verifier_set_jwks(v.v, set->ptr, set->len, NULL, NULL);
    atomic_store(&sh->epoch, (uint32_t)(2 * k + 2));
    if (rc != FAPI_OK) {
      atomic_fetch_add(&sh->writer_errors, 1);
    }
    before = atomic_load(&sh->decisions);
    while (atomic_load(&sh->decisions) - before < 2 * READERS) {
      sched_yield();
    }
  }
  atomic_store(&sh->done, 1);
  for (i = 0; i < READERS; i++) {
    pthread_join(tids[i], NULL);
  }
  printf("JWKS swap: %zu swaps, %u decisions (%u stable, %u across a swap, %u busy)\n", swaps,
         atomic_load(&sh->decisions), atomic_load(&sh->stable_ok) + atomic_load(&sh->stable_bad),
         atomic_load(&sh->transition), atomic_load(&sh->busy));
  check_u64(name, "writer: every fapi_verifier_set_jwks returned FAPI_OK", 0,
            atomic_load(&sh->writer_errors));
  if (!check_u64(name, "decisions with a known set in force: token of that set accepted, the "
                       "other FAPI_ERR_JWK_UNKNOWN_KID",
                 0, atomic_load(&sh->stable_bad)) ||
      !check_u64(name, "decisions across a swap: accept or FAPI_ERR_JWK_UNKNOWN_KID only", 0,
                 atomic_load(&sh->other))) {
    uint32_t f = atomic_load(&sh->first_bad) - 1;
    printf("  first bad outcome: %u (%s)\n", f, fapi_result_str(f));
  }
  check_true(name, "decisions with a known set in force happened", atomic_load(&sh->stable_ok) > 0);
  check_true(name, "set A tokens were accepted", atomic_load(&sh->accepted_a) > 0);
  check_true(name, "set B tokens were accepted", atomic_load(&sh->accepted_b) > 0);
  for (i = 0; i < READERS; i++) {
    context_free(&ctxs[i]);
  }
  free(sh);
  verifier_free(&v);
}

/* Two JWKS writers at once: each load succeeds or gets the documented
 * FAPI_ERR_CAPACITY_SHARED_STATE_BUSY; afterwards exactly one whole set is in force. */

typedef struct writer_arg {
  fapi_verifier *v;
  const fapi_str *set;
  size_t loads;
  uint32_t ok, busy, other, first_other;
} writer_arg;

static void *writer_main(void *p) {
  writer_arg *a = p;
  size_t k;
  for (k = 0; k < a->loads; k++) {
    uint32_t rc = fapi_verifier_set_jwks(a->v, a->set->ptr, a->set->len, NULL, NULL);
    if (rc == FAPI_OK) {
      a->ok++;
    } else if (rc == FAPI_ERR_CAPACITY_SHARED_STATE_BUSY) {
      a->busy++;
    } else {
      if (a->other++ == 0) {
        a->first_other = rc;
      }
    }
  }
  return NULL;
}

static void test_jwks_writers(size_t loads) {
  const char *name = "JWKS: two concurrent writers";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  writer_arg args[2];
  pthread_t tids[2];
  simple_request s;
  uint32_t rc, ra, rb;
  size_t i;
  if (!verifier_new(name, &v, &cfg, &GEN_JWKS) || !context_new(name, &c)) {
    return;
  }
  memset(args, 0, sizeof args);
  args[0].set = &GEN_JWKS_A;
  args[1].set = &GEN_JWKS_B;
  for (i = 0; i < 2; i++) {
    args[i].v = v.v;
    args[i].loads = loads;
    if (pthread_create(&tids[i], NULL, writer_main, &args[i]) != 0) {
      printf("pthread_create failed\n");
      exit(2);
    }
  }
  for (i = 0; i < 2; i++) {
    pthread_join(tids[i], NULL);
  }
  printf("JWKS writers: A %u ok %u busy, B %u ok %u busy\n", args[0].ok, args[0].busy, args[1].ok,
         args[1].busy);
  for (i = 0; i < 2; i++) {
    if (!check_u64(name, i == 0 ? "writer A: only FAPI_OK or SHARED_STATE_BUSY"
                                : "writer B: only FAPI_OK or SHARED_STATE_BUSY",
                   0, args[i].other)) {
      printf("  first other code: %u (%s)\n", args[i].first_other,
             fapi_result_str(args[i].first_other));
    }
  }
  /* Whoever holds the writer lock succeeds, so contention never loses every load; which writer
   * wins is up to the scheduler. Without contention each set loads. */
  check_true(name, "some load succeeded under contention", args[0].ok + args[1].ok > 0);
  simple(&s, &GEN_SWAP_AUTH_A, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code(name, "token of set A: fapi_check_request", FAPI_OK, rc);
  ra = fapi_ctx_verdict(c.ctx) == FAPI_VERDICT_ALLOW ? 1u : fapi_ctx_result(c.ctx);
  simple(&s, &GEN_SWAP_AUTH_B, NULL);
  rc = fapi_check_request(v.v, c.ctx, &s.r);
  check_code(name, "token of set B: fapi_check_request", FAPI_OK, rc);
  rb = fapi_ctx_verdict(c.ctx) == FAPI_VERDICT_ALLOW ? 1u : fapi_ctx_result(c.ctx);
  if (!check_true(name, "exactly one whole set in force afterwards",
                  (ra == 1 && rb == FAPI_ERR_JWK_UNKNOWN_KID) ||
                      (rb == 1 && ra == FAPI_ERR_JWK_UNKNOWN_KID))) {
    printf("  token A: %u, token B: %u (1 = accepted)\n", ra, rb);
  }
  check_code(name, "set A alone loads", FAPI_OK,
             fapi_verifier_set_jwks(v.v, GEN_JWKS_A.ptr, GEN_JWKS_A.len, NULL, NULL));
  check_code(name, "set B alone loads", FAPI_OK,
             fapi_verifier_set_jwks(v.v, GEN_JWKS_B.ptr, GEN_JWKS_B.len, NULL, NULL));
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* RSA key loads (GEN_JWKS_CASES): each bad RSA key refuses the whole set with its own code, and
 * the set in force (GEN_JWKS_RSA) keeps verifying its PS256 and RS256 tokens. */

static void rsa_set_in_force(const char *name, verifier *v, context *c) {
  simple_request s;
  uint32_t rc;
  simple(&s, &GEN_RSA_PS_BEARER_AUTH, NULL);
  rc = fapi_check_request(v->v, c->ctx, &s.r);
  check_code(name, "PS256 token: fapi_check_request", FAPI_OK, rc);
  check_outcome(name, c->ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
  simple(&s, &GEN_RSA_RS_BEARER_AUTH, NULL);
  rc = fapi_check_request(v->v, c->ctx, &s.r);
  check_code(name, "RS256 token: fapi_check_request", FAPI_OK, rc);
  check_outcome(name, c->ctx, FAPI_VERDICT_ALLOW, FAPI_OK, 200);
}

static void test_jwks_rsa(void) {
  const char *n = "rsa: jwks";
  fapi_config cfg = default_config();
  verifier v;
  context c;
  size_t i;
  cfg.token_algs = GEN_TOKEN_ALGS | FAPI_ALG_PS256 | FAPI_ALG_RS256;
  if (!verifier_new_keys(n, &v, &cfg, &GEN_JWKS_RSA, 3) || !context_new(n, &c)) {
    return;
  }
  rsa_set_in_force("rsa: jwks: RSA tokens before the loads", &v, &c);
  for (i = 0; i < GEN_JWKS_CASE_COUNT; i++) {
    const gen_jwks_case *k = &GEN_JWKS_CASES[i];
    uint32_t loaded = 99, skipped = 99;
    uint32_t rc = fapi_verifier_set_jwks(v.v, k->jwks.ptr, k->jwks.len, &loaded, &skipped);
    if (rc != k->result) {
      fail_line(k->name, "fapi_verifier_set_jwks", "expected %s = %u, got %u (%s)",
                k->result_name, k->result, rc, fapi_result_str(rc));
    } else {
      g_pass++;
    }
    if (k->result == FAPI_OK) {
      check_u64(k->name, "loaded", k->loaded, loaded);
      check_u64(k->name, "skipped", k->skipped, skipped);
      /* Back to the RSA set for the next row. */
      rc = fapi_verifier_set_jwks(v.v, GEN_JWKS_RSA.ptr, GEN_JWKS_RSA.len, NULL, NULL);
      check_code(k->name, "reload GEN_JWKS_RSA", FAPI_OK, rc);
    } else {
      check_true(k->name, "loaded/skipped not written on a refusal",
                 loaded == 99 && skipped == 99);
      check_u64(k->name, "HTTP status of the code", 500, fapi_result_http_status(rc));
      rsa_set_in_force(k->name, &v, &c);
    }
  }
  printf("rsa: %d JWKS loads\n", GEN_JWKS_CASE_COUNT);
  context_free(&c);
  verifier_free(&v);
}

/* ------------------------------------------------------------------------------------------ */
/* The client side (fapi_client, fapi_signer and the stateless readers and writers). */

#include "suite_client.c"

/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* ES256 tables (fapi_config.es256_*). */

/* Stats of a verifier's tables: both counters, checked. */
static void check_table_stats(const char *name, fapi_verifier *v, uint32_t builds,
                              uint32_t limited) {
  uint32_t b = 99, l = 99;
  uint32_t rc = fapi_verifier_table_stats(v, &b, &l);
  if (check_code(name, "fapi_verifier_table_stats", FAPI_OK, rc)) {
    check_u64(name, "hot-key tables built", builds, b);
    check_u64(name, "builds refused by the rate limit", limited, l);
  }
}

/* Decides `s` and checks the outcome (status from fapi_result_http_status). */
static void tables_decide(const char *name, fapi_verifier *v, context *c, simple_request *s,
                          uint32_t verdict, uint32_t result) {
  uint32_t rc = fapi_check_request(v, c->ctx, &s->r);
  if (check_code(name, "fapi_check_request", FAPI_OK, rc)) {
    check_outcome(name, c->ctx, verdict, result,
                  result == FAPI_OK ? 200 : fapi_result_http_status(result));
  }
}

/* A configuration with ES256 tables refused with `want`; fapi_verifier_size gives 0. */
static void tables_refused(const char *name, const fapi_config *c, uint32_t want) {
  check_u64(name, "fapi_verifier_size", 0, fapi_verifier_size(c));
  init_refused(name, c, want);
}

static void test_tables(void) {
  const char *n;
  fapi_config c = default_config();
  size_t plain = fapi_verifier_size(&c);
  size_t v1_size = (offsetof(fapi_config, es256_base_bits) + _Alignof(fapi_config) - 1) /
                   _Alignof(fapi_config) * _Alignof(fapi_config);
  verifier v, copy_v;
  context ctx;
  simple_request s;
  uint8_t batch_jkt[32];
  uint32_t rc, binding = 0, hit = 0;

  /* Sizes: the tables part is exactly TableConfig::bytes() (from the core, via the case
   * generator), rounded up to FAPI_REGION_ALIGN. */
  n = "tables: fapi_verifier_size";
  tables_gateway(&c);
  check_u64(n, "gateway preset, max_keys 16: + TableConfig::gateway(16).bytes()",
            round8(GEN_TABLE_BYTES_GATEWAY_16), fapi_verifier_size(&c) - plain);
  c = default_config();
  c.max_keys = 4;
  {
    size_t plain4 = fapi_verifier_size(&c);
    tables_gateway(&c);
    check_u64(n, "gateway preset, max_keys 4: + TableConfig::gateway(4).bytes()",
              round8(GEN_TABLE_BYTES_GATEWAY_4), fapi_verifier_size(&c) - plain4);
    check_u64(n, "gateway preset, 4 keys: 2,352,256 bytes (README)", 2352256u,
              GEN_TABLE_BYTES_GATEWAY_4);
  }
  c = default_config();
  c.es256_base_bits = 4;
  c.es256_issuer_bits = 4;
  check_u64(n, "G 4 bits, issuer keys 4 bits, no hot keys: + TableConfig::firmware(16).bytes()",
            round8(GEN_TABLE_BYTES_FIRMWARE_16), fapi_verifier_size(&c) - plain);
  c = default_config();
  c.es256_base_bits = 2;
  check_u64(n, "G 2 bits alone: + 16,448 table bytes and the 32-byte header", round8(16448 + 32),
            fapi_verifier_size(&c) - plain);

  /* Configuration errors. */
  c = default_config();
  c.es256_base_bits = 1;
  tables_refused("tables: config es256_base_bits 1", &c, FAPI_ERR_INVALID_ARGUMENT);
  c.es256_base_bits = 13;
  tables_refused("tables: config es256_base_bits 13", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  tables_gateway(&c);
  c.es256_issuer_bits = 13;
  tables_refused("tables: config es256_issuer_bits 13", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  tables_gateway(&c);
  c.es256_hot_bits = 1;
  tables_refused("tables: config es256_hot_bits 1", &c, FAPI_ERR_INVALID_ARGUMENT);
  c = default_config();
  tables_gateway(&c);
  c.es256_hot_keys = 0;
  tables_refused("tables: config hot-key width without hot keys", &c,
                 FAPI_ERR_MISUSE_TABLE_CONFIG);
  c = default_config();
  tables_gateway(&c);
  c.es256_hot_bits = 0;
  tables_refused("tables: config hot keys without a width", &c, FAPI_ERR_MISUSE_TABLE_CONFIG);
  c = default_config();
  c.es256_issuer_bits = 6;
  tables_refused("tables: config issuer width with es256_base_bits 0", &c,
                 FAPI_ERR_MISUSE_TABLE_CONFIG);
  c = default_config();
  c.es256_builds_per_second = 50;
  tables_refused("tables: config builds per second with es256_base_bits 0", &c,
                 FAPI_ERR_MISUSE_TABLE_CONFIG);
  c = default_config();
  tables_gateway(&c);
  c.es256_hot_bits = 12;
  c.es256_hot_keys = UINT32_MAX;
  tables_refused("tables: config region larger than 4 GiB", &c, FAPI_ERR_INVALID_ARGUMENT);

  /* A caller compiled against the header before the es256_* fields: its struct_size is
   * accepted, and whatever follows its struct is not read (no tables). */
  n = "tables: config struct_size from before the es256_* fields";
  check_true(n, "152 bytes on LP64", sizeof(void *) != 8 || v1_size == 152);
  c = default_config();
  tables_gateway(&c);
  c.es256_base_bits = 99; /* bytes past the old struct: ignored */
  c.struct_size = (uint32_t)v1_size;
  check_u64(n, "fapi_verifier_size: no tables", plain, fapi_verifier_size(&c));
  check_u64(n, "fapi_ctx_size", fapi_ctx_size(NULL), fapi_ctx_size(&c));
  if (verifier_new(n, &v, &c, &GEN_JWKS)) {
    rc = fapi_verifier_table_stats(v.v, NULL, NULL);
    check_code(n, "fapi_verifier_table_stats", FAPI_ERR_NOT_FOUND, rc);
    verifier_free(&v);
  }
  c.struct_size = (uint32_t)v1_size + 4;
  init_refused("tables: config struct_size between the two versions", &c,
               FAPI_ERR_INVALID_ARGUMENT);

  /* Hot DPoP keys: a table only after an allowed request, within the rate limit. */
  n = "tables: hot keys";
  c = default_config();
  tables_gateway(&c);
  c.es256_builds_per_second = 1;
  if (!verifier_new(n, &v, &c, &GEN_JWKS) || !context_new(n, &ctx)) {
    return;
  }
  check_table_stats("tables: fresh verifier", v.v, 0, 0);
  rc = fapi_verifier_has_es256_table(v.v, GEN_ISSUER_ES_JKT.ptr);
  check_code("tables: issuer's P-256 key, built at JWKS load", "fapi_verifier_has_es256_table",
             FAPI_OK, rc);
  rc = fapi_verifier_has_es256_table(v.v, GEN_HOLDER_JKT.ptr);
  check_code("tables: holder's key before any request", "fapi_verifier_has_es256_table",
             FAPI_ERR_NOT_FOUND, rc);

  simple(&s, &GEN_DPOP_AUTH, &GEN_DPOP_PROOF);
  s.r.method = LIT("POST");
  tables_decide("tables: holder's proof for another method (refused)", v.v, &ctx, &s,
                FAPI_VERDICT_DENY, FAPI_ERR_DPOP_HTM_MISMATCH);
  simple(&s, &GEN_BATCH_AUTH, &GEN_DPOP_PROOF);
  tables_decide("tables: holder's signed proof sent with another token (refused)", v.v, &ctx, &s,
                FAPI_VERDICT_DENY, FAPI_ERR_DPOP_ATH_MISMATCH);
  check_table_stats("tables: after refused requests", v.v, 0, 0);
  rc = fapi_verifier_has_es256_table(v.v, GEN_HOLDER_JKT.ptr);
  check_code("tables: holder's key after refused requests", "fapi_verifier_has_es256_table",
             FAPI_ERR_NOT_FOUND, rc);

  simple(&s, &GEN_DPOP_AUTH, &GEN_DPOP_PROOF);
  tables_decide("tables: holder's allowed request", v.v, &ctx, &s, FAPI_VERDICT_ALLOW, FAPI_OK);
  check_table_stats("tables: after the holder's allowed request", v.v, 1, 0);
  rc = fapi_verifier_has_es256_table(v.v, GEN_HOLDER_JKT.ptr);
  check_code("tables: holder's key after its allowed request", "fapi_verifier_has_es256_table",
             FAPI_OK, rc);
  simple(&s, &GEN_DPOP_AUTH, &GEN_DPOP_PROOF);
  tables_decide("tables: the same proof again (replay, refused)", v.v, &ctx, &s,
                FAPI_VERDICT_DENY, FAPI_ERR_DPOP_REPLAYED);
  simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_A);
  tables_decide("tables: holder's next proof, with its table", v.v, &ctx, &s, FAPI_VERDICT_ALLOW,
                FAPI_OK);
  check_table_stats("tables: a key with a table is not built again", v.v, 1, 0);

  /* A second key in the same second: allowed, its build refused by the rate limit (1/s). */
  simple(&s, &GEN_BATCH_AUTH, &GEN_BATCH_PROOFS[0]);
  tables_decide("tables: second key, same second", v.v, &ctx, &s, FAPI_VERDICT_ALLOW, FAPI_OK);
  memset(batch_jkt, 0, sizeof batch_jkt);
  rc = fapi_ctx_binding(ctx.ctx, &binding, &hit, batch_jkt, NULL);
  check_code("tables: second key, same second", "fapi_ctx_binding", FAPI_OK, rc);
  check_table_stats("tables: second key, same second", v.v, 1, 1);
  rc = fapi_verifier_has_es256_table(v.v, batch_jkt);
  check_code("tables: second key, build refused by the rate limit",
             "fapi_verifier_has_es256_table", FAPI_ERR_NOT_FOUND, rc);
  simple(&s, &GEN_BATCH_AUTH, &GEN_BATCH_PROOFS[1]);
  s.r.now = GEN_NOW + 1;
  tables_decide("tables: second key, next second", v.v, &ctx, &s, FAPI_VERDICT_ALLOW, FAPI_OK);
  check_table_stats("tables: second key, next second", v.v, 2, 1);
  rc = fapi_verifier_has_es256_table(v.v, batch_jkt);
  check_code("tables: second key, built in the next second", "fapi_verifier_has_es256_table",
             FAPI_OK, rc);

  /* Arguments. */
  rc = fapi_verifier_has_es256_table(v.v, NULL);
  check_code("tables: NULL jkt", "fapi_verifier_has_es256_table", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_has_es256_table(NULL, GEN_HOLDER_JKT.ptr);
  check_code("tables: NULL verifier", "fapi_verifier_has_es256_table", FAPI_ERR_INVALID_ARGUMENT,
             rc);
  rc = fapi_verifier_table_stats(NULL, NULL, NULL);
  check_code("tables: NULL verifier", "fapi_verifier_table_stats", FAPI_ERR_INVALID_ARGUMENT, rc);
  rc = fapi_verifier_table_stats(v.v, NULL, NULL);
  check_code("tables: NULL outputs", "fapi_verifier_table_stats", FAPI_OK, rc);

  /* The tables hold no pointers: a byte copy of the region keeps them. */
  copy_v.size = v.size;
  copy_v.mem = xalloc(v.size);
  memcpy(copy_v.mem, v.mem, v.size);
  rc = fapi_verifier_attach(copy_v.mem, copy_v.size, &copy_v.v);
  if (check_code("tables: byte copy of a region", "fapi_verifier_attach", FAPI_OK, rc)) {
    check_table_stats("tables: byte copy of a region", copy_v.v, 2, 1);
    rc = fapi_verifier_has_es256_table(copy_v.v, GEN_HOLDER_JKT.ptr);
    check_code("tables: byte copy of a region", "holder's table", FAPI_OK, rc);
    simple(&s, &GEN_DPOP_AUTH, &GEN_FULL_B);
    tables_decide("tables: byte copy of a region decides", copy_v.v, &ctx, &s,
                  FAPI_VERDICT_ALLOW, FAPI_OK);
  }
  free(copy_v.mem);
  context_free(&ctx);
  verifier_free(&v);

  /* Without tables. */
  n = "tables: verifier without tables";
  c = default_config();
  if (verifier_new(n, &v, &c, &GEN_JWKS)) {
    rc = fapi_verifier_table_stats(v.v, NULL, NULL);
    check_code(n, "fapi_verifier_table_stats", FAPI_ERR_NOT_FOUND, rc);
    rc = fapi_verifier_has_es256_table(v.v, GEN_ISSUER_ES_JKT.ptr);
    check_code(n, "fapi_verifier_has_es256_table", FAPI_ERR_NOT_FOUND, rc);
    verifier_free(&v);
  }
  printf("ES256 tables: gateway preset %zu bytes with 16 keys, %u with 4 keys\n",
         (size_t)GEN_TABLE_BYTES_GATEWAY_16, (unsigned)GEN_TABLE_BYTES_GATEWAY_4);
}

static char g_stdout_buf[1 << 16];

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  size_t batch = quick ? 40 : GEN_BATCH_N;
  size_t swaps = quick ? 30 : 400;
  /* A static stdout buffer: no heap block is live when the fork test forks. */
  setvbuf(stdout, g_stdout_buf, _IOLBF, sizeof g_stdout_buf);
  printf("fapi C ABI suite (%s): %d named cases, batch of %zu proofs\n",
         quick ? "quick" : "full", GEN_CASE_COUNT, batch);
  test_fork(batch);
  test_result_codes();
  test_config();
  test_attach();
  test_context();
  test_case_table(0);
  test_case_table(1);
  test_tables();
  test_ctx_across_verifiers();
  test_request_args();
  test_claims();
  test_two_phase();
  test_nonce_secret_missing();
  test_check_proof();
  test_replay_full();
  test_jwks();
  test_jwks_rsa();
  test_client_side();
  test_threads(batch);
  test_jwks_swap(swaps);
  test_jwks_writers(quick ? 50 : 500);
  printf("%lu passed, %lu failed\n", g_pass, g_fail);
  fflush(stdout);
  return g_fail == 0 ? 0 : 1;
}
