/*
 * The shapes of the generated case table (build/cases.inc, printed by
 * `cargo run -p fapi-tests --example gen_c_cases`).
 */
#ifndef FAPI_C_SUITE_CASES_H
#define FAPI_C_SUITE_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "fapi.h"

/* Most Authorization/DPoP fields and required scopes a generated case carries. */
#define GEN_MAX_FIELDS 3

/* One verifier configuration of the table (the other fields are the suite's defaults). */
typedef struct gen_verifier {
  const char *name;
  uint32_t token_algs; /* FAPI_ALG_* bits */
  uint32_t dpop_mode;
  uint32_t mtls_mode;
  uint32_t nonce_required;
  uint32_t fapi2_profile;
  uint32_t proof_algs;
  int set_nonce_secret;
  const fapi_str *jwks; /* the key set the verifier loads */
  uint32_t jwks_keys;   /* keys it holds (all usable, none skipped) */
} gen_verifier;

/* One named JWKS load and its exact outcome (fapi_verifier_set_jwks). */
typedef struct gen_jwks_case {
  const char *name;
  fapi_str jwks;
  uint32_t result; /* FAPI_OK or FAPI_ERR_* */
  const char *result_name;
  uint32_t loaded;  /* on FAPI_OK */
  uint32_t skipped; /* on FAPI_OK */
} gen_jwks_case;

/* One named request and its exact expected outcome. */
typedef struct gen_case {
  const char *name;
  uint32_t verifier; /* index into GEN_VERIFIERS */
  uint32_t ctx;      /* which of the runner's contexts (0 or 1) */
  fapi_str method;
  fapi_str target;
  uint32_t base;
  uint32_t auth_count;
  fapi_str auth[GEN_MAX_FIELDS];
  uint32_t dpop_count;
  fapi_str dpop[GEN_MAX_FIELDS];
  uint32_t cert_encoding;
  uint32_t cert_source;
  fapi_str cert;
  uint32_t scope_count;
  fapi_str scopes[GEN_MAX_FIELDS];
  fapi_str introspection; /* ptr NULL: a JWT */
  uint64_t now;
  /* Expected. */
  uint32_t ret;     /* return value of fapi_check_request */
  uint32_t verdict; /* FAPI_VERDICT_* */
  uint32_t result;  /* FAPI_OK or FAPI_ERR_* */
  const char *result_name;
  uint32_t http_status;
  const char *oauth_error;
  int32_t binding;  /* FAPI_BINDING_*, -1: not checked */
  fapi_str jkt;     /* 32 bytes, ptr NULL: not checked */
  fapi_str x5t;     /* 32 bytes, ptr NULL: not checked */
  int cache_hit;    /* 0/1, -1: not checked */
  int has_challenge;
  fapi_str challenge;
  int has_nonce;    /* -1: not checked, 0: no DPoP-Nonce, 1: exactly `nonce` */
  fapi_str nonce;
} gen_case;

#endif
