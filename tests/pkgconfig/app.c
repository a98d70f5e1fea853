/* fapi from C: a verifier, the issuer's keys, one request without credentials -> 401. */
#include <fapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#define STR(s) ((fapi_str){(const uint8_t *)(s), sizeof(s) - 1})

static const uint8_t jwks[] = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\","
    "\"x\":\"Igh38VN2ui7_1vL8cM70g62DRnTxMCxOl1I-QI9Nn1c\","
    "\"y\":\"IsE9jCc66TM9S9aJDREj2uVbOVLtpVTxdYS3BH2PtpI\"}]}";

int main(void) {
    fapi_str base = STR("https://api.example.com");
    fapi_config cfg = {.struct_size = sizeof cfg, .version = FAPI_STRUCT_VERSION,
        .issuer = STR("https://as.example.com"), .audience = STR("https://api.example.com"),
        .bases = &base, .base_count = 1, .token_algs = FAPI_ALG_ES256,
        .dpop_mode = FAPI_MODE_OPTIONAL, .max_keys = 4, .replay_slots = 4096};
    if (getrandom(cfg.replay_secret, sizeof cfg.replay_secret, 0) != sizeof cfg.replay_secret)
        return 1;

    /* All memory is the caller's: one verifier (shareable), one context per thread. */
    size_t vlen = fapi_verifier_size(&cfg), clen = fapi_ctx_size(&cfg);
    void *vmem = malloc(vlen), *cmem = malloc(clen);
    fapi_verifier *v;
    fapi_ctx *ctx;
    fapi_request req = {.struct_size = sizeof req, .version = FAPI_STRUCT_VERSION,
        .method = STR("GET"), .target = STR("/accounts"), .now = (uint64_t)time(NULL)};
    const uint8_t *challenge;
    size_t challenge_len;
    uint32_t rc = FAPI_ERR_INVALID_ARGUMENT;
    if (vlen == 0 || !vmem || !cmem
        || (rc = fapi_verifier_init(vmem, vlen, &cfg, &v)) != FAPI_OK
        || (rc = fapi_verifier_set_jwks(v, jwks, sizeof jwks - 1, NULL, NULL)) != FAPI_OK
        || (rc = fapi_ctx_init(cmem, clen, &ctx)) != FAPI_OK
        || (rc = fapi_check_request(v, ctx, &req)) != FAPI_OK /* FAPI_OK: a verdict */
        || (rc = fapi_ctx_www_authenticate(ctx, &challenge, &challenge_len)) != FAPI_OK) {
        fprintf(stderr, "fapi: %s\n", fapi_result_str(rc));
        return 1;
    }
    uint32_t status = fapi_ctx_http_status(ctx);
    printf("%u %s\nWWW-Authenticate: %.*s\n", (unsigned)status,
           fapi_result_str(fapi_ctx_result(ctx)), (int)challenge_len, (const char *)challenge);
    free(cmem);
    free(vmem);
    return status == 401 ? 0 : 1;
}
