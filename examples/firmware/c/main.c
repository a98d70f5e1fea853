/* fapi from a C firmware (QEMU mps2-an386, Cortex-M4F): include/fapi.h as is, the thumbv7em
 * libfapi.a (`make thumbv7em`), no C library. It builds the two verifiers of the Rust firmware
 * (the resource-server policy with and without the token cache) in static regions, loads the
 * JWKS and runs the cases of cases.h (generated with the Rust firmware's, a subset of them)
 * through fapi_check_request: verdict, result code, HTTP status, binding, cache hit and
 * challenge must be exactly as written there. Each decision is measured like the Rust
 * firmware's: peak stack (painted, scanned) and instructions (SysTick under -icount shift=0).
 * Exits through semihosting: status 0 only if every case passed. */
#include <fapi.h>
#include <stddef.h>
#include <stdint.h>

#include "cases.h"
#include "semihosting.h"

/* Static memory for the verifiers and the context: sized here, checked at run time against
 * fapi_verifier_size()/fapi_ctx_size() (FAPI_REGION_ALIGN is 8). */
#define VERIFIER_REGION (64u * 1024u)
#define CTX_REGION (64u * 1024u)
static uint8_t verifier_mem[GEN_VERIFIERS][VERIFIER_REGION] __attribute__((aligned(8)));
static uint8_t ctx_mem[CTX_REGION] __attribute__((aligned(8)));

/* ------------------------------------------------------------------------------------------ */
/* Output without a C library. */

static char line[512];
static size_t line_len;

static void put(const char *s) {
    while (*s && line_len < sizeof line - 1) line[line_len++] = *s++;
}
static void put_u(uint32_t v) {
    char b[11];
    int i = 10;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(&b[i]);
}
static void flush(void) {
    line[line_len++] = '\n';
    line[line_len] = 0;
    semihosting_puts(line);
    line_len = 0;
}

/* fapi calls this on a panic inside the library (the panic-handler feature of libfapi.a). */
void fapi_panic_hook(void) {
    semihosting_puts("fapi panic\n");
    semihosting_exit(0);
}

/* ------------------------------------------------------------------------------------------ */
/* Measurement: SysTick free-running on the core clock (25 MHz; with -icount shift=0 one tick
 * is 40 instructions), stack painted below the stack pointer. */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define WINDOW (64u * 1024u)
/* Peak stack allowed for one decision through the C ABI (the CI gate,
 * examples/firmware/README.md). ES256/EdDSA: the 12 KiB goal (11,452 B measured); a decision
 * verifying an RSA-2048 token: 13,416 B measured, rounded up to the next KiB. */
#define STACK_BUDGET (12u * 1024u)
#define RSA_STACK_BUDGET (14u * 1024u)
#define PAINT 0xC0DEF00Du

extern uint32_t _ebss;

/* Runs `fn(arg)` on painted stack; returns its peak stack (bytes below this frame). The call
 * goes through a pointer the compiler cannot see through, so nothing is inlined here. */
__attribute__((noinline)) static uint32_t measure(void (*fn)(void *), void *arg,
                                                  uint32_t *instructions) {
    uintptr_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    uintptr_t top = sp & ~(uintptr_t)3, bottom = top - WINDOW;
    if (bottom < (uintptr_t)&_ebss) {
        semihosting_puts("stack window reaches .bss\n");
        semihosting_exit(0);
    }
    for (uintptr_t p = bottom; p < top; p += 4) *(volatile uint32_t *)p = PAINT;
    __asm volatile("" : "+r"(fn));
    SYST_CVR = 0;
    uint32_t start = SYST_CVR;
    fn(arg);
    uint32_t end = SYST_CVR;
    uintptr_t p = bottom;
    while (p < top && *(volatile uint32_t *)p == PAINT) p += 4;
    *instructions = ((start - end) & 0x00FFFFFFu) * 40u;
    return (uint32_t)(top - p);
}

static void report_setup(const char *what, uint32_t stack, uint32_t instr) {
    put("set-up ");
    put(what);
    put(": stack=");
    put_u(stack);
    put(" instructions=");
    put_u(instr);
    flush();
}

/* The measured calls. */
struct decide_call {
    fapi_verifier *v;
    fapi_ctx *ctx;
    const fapi_request *req;
    uint32_t rc;
};
static void decide(void *arg) {
    struct decide_call *c = arg;
    c->rc = fapi_check_request(c->v, c->ctx, c->req);
}
struct init_call {
    uint8_t *mem;
    const fapi_config *cfg;
    fapi_verifier *v;
    uint32_t rc;
};
static void verifier_init(void *arg) {
    struct init_call *c = arg;
    c->rc = fapi_verifier_init(c->mem, VERIFIER_REGION, c->cfg, &c->v);
}
static void set_jwks(void *arg) {
    struct init_call *c = arg;
    c->rc = fapi_verifier_set_jwks(c->v, GEN_JWKS, sizeof GEN_JWKS - 1, NULL, NULL);
}
struct ctx_call {
    fapi_ctx *ctx;
    uint32_t rc;
};
static void ctx_init(void *arg) {
    struct ctx_call *c = arg;
    c->rc = fapi_ctx_init(ctx_mem, CTX_REGION, &c->ctx);
}

/* ------------------------------------------------------------------------------------------ */

static int bytes_eq(const uint8_t *a, size_t an, const char *b) {
    size_t i = 0;
    for (; b[i]; i++)
        if (i >= an || a[i] != (uint8_t)b[i]) return 0;
    return i == an;
}

static fapi_verifier *verifier(uint32_t index, const fapi_str *base) {
    fapi_config cfg = {
        .struct_size = sizeof cfg,
        .version = FAPI_STRUCT_VERSION,
        .issuer = {(const uint8_t *)GEN_ISS, sizeof GEN_ISS - 1},
        .audience = {(const uint8_t *)GEN_AUD, sizeof GEN_AUD - 1},
        .bases = base,
        .base_count = 1,
        .token_algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_ED25519 | FAPI_ALG_PS256 |
                      FAPI_ALG_RS256,
        .dpop_mode = FAPI_MODE_OPTIONAL,
        .mtls_mode = FAPI_MODE_OPTIONAL,
        .max_keys = 4,
        .replay_slots = 1024,
        .cache_slots = index == GEN_V_RS ? 64 : 0,
    };
    /* 32 random bytes from the TRNG in a real firmware (mps2-an386 has none). */
    for (size_t i = 0; i < sizeof cfg.replay_secret; i++) cfg.replay_secret[i] = 0x5A;
    size_t need = fapi_verifier_size(&cfg);
    put("verifier ");
    put(index == GEN_V_RS ? "rs" : "no-cache");
    put(": ");
    put_u((uint32_t)need);
    put(" B (1024 replay slots, ");
    put_u(cfg.cache_slots);
    put(" cache entries, 4 keys)");
    flush();
    if (need == 0 || need > VERIFIER_REGION) return NULL;
    struct init_call c = {verifier_mem[index], &cfg, NULL, 0};
    uint32_t instr, stack = measure(verifier_init, &c, &instr);
    if (index == 0) report_setup("fapi_verifier_init", stack, instr);
    if (c.rc == FAPI_OK) {
        stack = measure(set_jwks, &c, &instr);
        if (index == 0) report_setup("fapi_verifier_set_jwks (3 keys)", stack, instr);
    }
    if (c.rc != FAPI_OK) {
        put("verifier set-up failed: ");
        put(fapi_result_str(c.rc));
        flush();
        return NULL;
    }
    return c.v;
}

int main(void) {
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5; /* enable, core clock, no interrupt */
    semihosting_puts("fapi from C on Cortex-M4F (QEMU mps2-an386): include/fapi.h, libfapi.a\n");

    const fapi_str base = {(const uint8_t *)GEN_BASE, sizeof GEN_BASE - 1};
    fapi_verifier *vs[GEN_VERIFIERS];
    for (uint32_t i = 0; i < GEN_VERIFIERS; i++)
        if (!(vs[i] = verifier(i, &base))) return 1;
    size_t ctx_need = fapi_ctx_size(NULL);
    put("context: ");
    put_u((uint32_t)ctx_need);
    put(" B");
    flush();
    if (ctx_need == 0 || ctx_need > CTX_REGION) return 1;
    struct ctx_call cc = {NULL, 0};
    uint32_t instr, stack = measure(ctx_init, &cc, &instr);
    report_setup("fapi_ctx_init", stack, instr);
    if (cc.rc != FAPI_OK) return 1;
    fapi_ctx *ctx = cc.ctx;

    uint32_t failed = 0, n = sizeof GEN_CASES / sizeof GEN_CASES[0];
    for (uint32_t i = 0; i < n; i++) {
        const struct gen_case *k = &GEN_CASES[i];
        fapi_str auth = {(const uint8_t *)k->authorization, k->authorization_len};
        fapi_str dpop = {(const uint8_t *)k->dpop, k->dpop_len};
        fapi_request req = {
            .struct_size = sizeof req,
            .version = FAPI_STRUCT_VERSION,
            .method = {(const uint8_t *)k->method, 3},
            .target = {(const uint8_t *)k->target, k->target_len},
            .authorization_count = k->authorization ? 1 : 0,
            .authorization = k->authorization ? &auth : NULL,
            .dpop_count = k->dpop ? 1 : 0,
            .dpop = k->dpop ? &dpop : NULL,
            .cert_encoding = k->cert_encoding,
            .cert_source = k->cert_encoding == FAPI_CERT_DER ? FAPI_CERT_SOURCE_TLS
                                                             : FAPI_CERT_SOURCE_TRUSTED_PROXY,
            .client_cert = {(const uint8_t *)k->cert, k->cert_len},
            .now = k->now,
        };
        for (const char *m = k->method; m[req.method.len]; req.method.len++) {
        }
        struct decide_call c = {vs[k->verifier], ctx, &req, 0};
        stack = measure(decide, &c, &instr);
        uint32_t verdict = fapi_ctx_verdict(ctx), result = fapi_ctx_result(ctx);
        uint32_t status = fapi_ctx_http_status(ctx), binding = 0, hit = 0;
        int ok = c.rc == FAPI_OK && verdict == k->verdict && result == k->result &&
                 status == k->status;
        if (ok && verdict == FAPI_VERDICT_ALLOW) {
            ok = fapi_ctx_binding(ctx, &binding, &hit, NULL, NULL) == FAPI_OK &&
                 binding == k->binding && (k->cache_hit < 0 || hit == (uint32_t)k->cache_hit);
        }
        if (ok && k->challenge) {
            const uint8_t *ch = NULL;
            size_t ch_len = 0;
            ok = fapi_ctx_www_authenticate(ctx, &ch, &ch_len) == FAPI_OK &&
                 bytes_eq(ch, ch_len, k->challenge);
        }
        uint32_t budget = k->rsa ? RSA_STACK_BUDGET : STACK_BUDGET;
        if (stack > budget) ok = 0;
        failed += !ok;
        put(ok ? "ok   " : "FAIL ");
        put("stack=");
        put_u(stack);
        put(" instructions=");
        put_u(instr);
        put(" tag=");
        put(k->tag ? k->tag : "-");
        put(" | ");
        put(verdict == FAPI_VERDICT_ALLOW ? "allow " : "deny ");
        put(fapi_result_str(result));
        put(" (");
        put_u(status);
        put(") | ");
        put(k->name);
        flush();
        if (!ok) {
            put("     wanted: ");
            put(fapi_result_str(k->result));
            put(" (");
            put_u(k->status);
            put("), call returned ");
            put(fapi_result_str(c.rc));
            put("; stack budget ");
            put_u(budget);
            flush();
        }
    }
    put_u(n);
    put(" cases through the C ABI: ");
    put(failed ? "FAIL" : "PASS");
    flush();
    return failed ? 1 : 0;
}
