/*
 * Benchmark (not a test): per-request decision time of fapi_check_request for a DPoP request
 * (access token + DPoP proof, both ES256, or both EdDSA), with fapi's built-in crypto and with
 * the OpenSSL provider (examples/openssl-provider), with the token cache off (cache_slots = 0:
 * two signature checks per request) and on (the token's signature is checked once; every
 * request still checks its fresh proof). tests/openssl/bench.sh builds and runs it together
 * with `openssl speed`, whose verify rates it passes as arguments for the ratios.
 *
 *   bench [ossl_p256_verify_per_s ossl_ed25519_verify_per_s]
 *
 * Every request must be allowed, or the run aborts (a benchmark of denials measures nothing).
 */

#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "fapi.h"
#include "fapi_openssl.h"
#include "bench_requests.h"

#ifndef BENCH_ROUNDS
#define BENCH_ROUNDS 3
#endif

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *xalloc(size_t n) {
    void *p = aligned_alloc(FAPI_REGION_ALIGN, (n + FAPI_REGION_ALIGN - 1) / FAPI_REGION_ALIGN
                                                   * FAPI_REGION_ALIGN);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct result {
    double mean_us, median_us, p99_us;
    double verifies, imports; /* provider calls per request (OpenSSL runs) */
} result;

static const fapi_str BASE = {(const uint8_t *)BENCH_BASE, sizeof BENCH_BASE - 1};
static uint64_t lat[BENCH_N];

/* Crypto of a round: fapi's built-in code, the OpenSSL provider, or the built-in code with the
 * ES256 tables of the gateway preset (FAPI_ES256_GATEWAY_*; the DPoP key's table is built by
 * the first allowed request of the round, which the figures include). */
enum { BUILTIN, OPENSSL, TABLES, MODES };
static const char *const MODE_NAME[MODES] = {"builtin", "openssl", "tables"};

/* One round on a fresh verifier: BENCH_N requests, each with its own proof. */
static result round_once(const fapi_str *auth, const fapi_str *proofs, int mode,
                         uint32_t cache_slots, const char *label) {
    int provider = mode == OPENSSL;
    fapi_config c;
    memset(&c, 0, sizeof c);
    c.struct_size = sizeof c;
    c.version = FAPI_STRUCT_VERSION;
    c.issuer = (fapi_str){(const uint8_t *)BENCH_ISS, sizeof BENCH_ISS - 1};
    c.audience = (fapi_str){(const uint8_t *)BENCH_AUD, sizeof BENCH_AUD - 1};
    c.bases = &BASE;
    c.base_count = 1;
    c.token_algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA;
    c.dpop_mode = FAPI_MODE_OPTIONAL;
    c.max_keys = 4;
    c.replay_slots = 4 * BENCH_N < 1024 ? 1024 : 4 * BENCH_N;
    c.cache_slots = cache_slots;
    memset(c.replay_secret, 0x5A, sizeof c.replay_secret);
    if (mode == TABLES) {
        c.es256_base_bits = FAPI_ES256_GATEWAY_BASE_BITS;
        c.es256_issuer_bits = FAPI_ES256_GATEWAY_ISSUER_BITS;
        c.es256_hot_bits = FAPI_ES256_GATEWAY_HOT_BITS;
        c.es256_hot_keys = FAPI_ES256_GATEWAY_HOT_KEYS;
        c.es256_builds_per_second = FAPI_ES256_GATEWAY_BUILDS_PER_SECOND;
    }
    size_t vlen = fapi_verifier_size(&c);
    void *vmem = xalloc(vlen), *cmem = xalloc(fapi_ctx_size(&c));
    fapi_verifier *v;
    fapi_ctx *ctx;
    fapi_openssl_state st;
    fapi_crypto_provider p;
    if (vlen == 0 || fapi_verifier_init(vmem, vlen, &c, &v) != FAPI_OK
        || fapi_verifier_set_jwks(v, (const uint8_t *)BENCH_JWKS, sizeof BENCH_JWKS - 1, NULL,
                                  NULL) != FAPI_OK
        || fapi_ctx_init(cmem, fapi_ctx_size(&c), &ctx) != FAPI_OK) {
        fprintf(stderr, "%s: setup failed\n", label);
        exit(1);
    }
    if (provider
        && (fapi_openssl_state_init(&st, NULL, NULL) != 0 || fapi_openssl_provider(&p, &st) != 0
            || fapi_ctx_set_provider(ctx, &p) != FAPI_OK)) {
        fprintf(stderr, "%s: provider setup failed\n", label);
        exit(1);
    }
    fapi_request req;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.version = FAPI_STRUCT_VERSION;
    req.method = (fapi_str){(const uint8_t *)BENCH_METHOD, sizeof BENCH_METHOD - 1};
    req.target = (fapi_str){(const uint8_t *)BENCH_TARGET, sizeof BENCH_TARGET - 1};
    req.authorization = auth;
    req.authorization_count = 1;
    req.dpop_count = 1;
    req.now = BENCH_NOW;
    uint64_t total = 0;
    for (size_t i = 0; i < BENCH_N; i++) {
        req.dpop = &proofs[i];
        uint64_t t0 = now_ns();
        uint32_t rc = fapi_check_request(v, ctx, &req);
        uint64_t t1 = now_ns();
        if (rc != FAPI_OK || fapi_ctx_verdict(ctx) != FAPI_VERDICT_ALLOW) {
            fprintf(stderr, "%s: request %zu not allowed: %s\n", label, i,
                    fapi_result_str(rc != FAPI_OK ? rc : fapi_ctx_result(ctx)));
            exit(1);
        }
        lat[i] = t1 - t0;
        total += t1 - t0;
    }
    double verifies = 0, imports = 0;
    if (provider) {
        verifies = (double)st.verifies / BENCH_N;
        imports = (double)st.imports / BENCH_N;
        fapi_ctx_release(ctx);
        if (fapi_openssl_state_cleanup(&st) != 0 || st.imports != st.releases) {
            fprintf(stderr, "%s: provider handles leaked\n", label);
            exit(1);
        }
    }
    free(cmem);
    free(vmem);
    qsort(lat, BENCH_N, sizeof lat[0], cmp_u64);
    result r = {(double)total / BENCH_N / 1000.0, (double)lat[BENCH_N / 2] / 1000.0,
                (double)lat[(BENCH_N * 99) / 100] / 1000.0, verifies, imports};
    return r;
}

/* Best of BENCH_ROUNDS (by mean). */
static result measure(const fapi_str *auth, const fapi_str *proofs, int mode,
                      uint32_t cache_slots, const char *label) {
    result best = {0, 0, 0, 0, 0};
    for (int i = 0; i < BENCH_ROUNDS; i++) {
        result r = round_once(auth, proofs, mode, cache_slots, label);
        if (i == 0 || r.mean_us < best.mean_us)
            best = r;
    }
    return best;
}

int main(int argc, char **argv) {
    double p256_vps = argc > 2 ? atof(argv[1]) : 0, ed_vps = argc > 2 ? atof(argv[2]) : 0;
    printf("fapi decision benchmark: %d requests per round, best of %d rounds, %s\n", BENCH_N,
           BENCH_ROUNDS, OpenSSL_version(OPENSSL_VERSION));
    printf("each request: a DPoP-bound access token + a fresh DPoP proof (same alg)\n\n");
    printf("%-6s %-9s %-9s %12s %12s %12s %s\n", "alg", "cache", "crypto", "mean us/req",
           "median us", "p99 us", "  provider verify/import calls per req");
    struct {
        const char *alg;
        const fapi_str *auth, *proofs;
        double vps;
    } algs[2] = {{"ES256", &BENCH_ES_AUTH, BENCH_ES_PROOFS, p256_vps},
                 {"EdDSA", &BENCH_ED_AUTH, BENCH_ED_PROOFS, ed_vps}};
    result res[2][2][MODES]; /* [alg][cached][mode] */
    for (int a = 0; a < 2; a++) {
        for (int cached = 0; cached < 2; cached++) {
            for (int prov = 0; prov < MODES; prov++) {
                char label[64];
                snprintf(label, sizeof label, "%s %s %s", algs[a].alg,
                         cached ? "cached" : "uncached", MODE_NAME[prov]);
                result r = measure(algs[a].auth, algs[a].proofs, prov, cached ? 64 : 0, label);
                res[a][cached][prov] = r;
                printf("%-6s %-9s %-9s %12.1f %12.1f %12.1f", algs[a].alg,
                       cached ? "cached" : "uncached", MODE_NAME[prov], r.mean_us,
                       r.median_us, r.p99_us);
                if (prov == OPENSSL)
                    printf("    %.3f / %.3f", r.verifies, r.imports);
                printf("\n");
            }
        }
    }
    printf("\nratios: openssl provider / built-in (mean, median per request)\n");
    for (int a = 0; a < 2; a++) {
        for (int cached = 0; cached < 2; cached++) {
            const result *b = &res[a][cached][BUILTIN], *o = &res[a][cached][OPENSSL],
                         *t = &res[a][cached][TABLES];
            printf("  %-6s %-9s mean %.2f  median %.2f   (tables / built-in: median %.2f)\n",
                   algs[a].alg, cached ? "cached" : "uncached", o->mean_us / b->mean_us,
                   o->median_us / b->median_us, t->median_us / b->median_us);
        }
    }
    printf("\nagainst `openssl speed` (raw verify, same run)\n");
    for (int a = 0; a < 2; a++) {
        if (algs[a].vps <= 0) {
            printf("  %-6s no openssl speed figure given\n", algs[a].alg);
            continue;
        }
        double us = 1e6 / algs[a].vps;
        printf("  %-6s openssl speed: %.0f verify/s = %.1f us/verify\n", algs[a].alg,
               algs[a].vps, us);
        for (int cached = 0; cached < 2; cached++) {
            int sigs = cached ? 1 : 2;
            for (int prov = 0; prov < MODES; prov++) {
                double m = res[a][cached][prov].median_us;
                printf("    %-9s %-8s median %7.1f us/req = %.2f x the %d raw verif%s "
                       "(difference %+.1f us)\n",
                       cached ? "cached" : "uncached", MODE_NAME[prov], m,
                       m / (us * sigs), sigs, sigs > 1 ? "ies" : "y", m - us * sigs);
            }
        }
    }
    return 0;
}
