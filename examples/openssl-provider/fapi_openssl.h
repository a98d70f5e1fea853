/*
 * fapi_openssl — a `fapi_crypto_provider` over OpenSSL 3.
 *
 * fapi checks every key and signature *encoding* itself (lengths, P-256 points on the curve,
 * ECDSA scalars in [1, n-1], Ed25519 S < L, small-order keys) and then asks the provider only
 * for the signature equation. This shim answers with OpenSSL 3 (libcrypto):
 *
 *   import_key  FAPI_KEY_P256: 65-byte SEC1 uncompressed point -> EVP_PKEY_fromdata
 *               ("EC", group "prime256v1", OSSL_PKEY_PARAM_PUB_KEY; OpenSSL refuses points
 *               off the curve). FAPI_KEY_ED25519: 32 bytes -> EVP_PKEY_new_raw_public_key_ex.
 *   verify      ES256: r||s (64 bytes) -> DER ECDSA-Sig-Value, EVP_PKEY_verify over the
 *               32-byte SHA-256 digest fapi passes (signature md SHA-256).
 *               EdDSA / Ed25519: EVP_DigestVerifyInit_ex (no md) + EVP_DigestVerify over the
 *               message. PS256 / RS256 (FAPI_KEY_RSA keys, or fapi_openssl_import_rsa()):
 *               EVP_PKEY_verify over the digest
 *               with PSS (salt length = digest length, MGF1-SHA-256) / PKCS#1 v1.5.
 *               Returns 1 valid, 0 invalid, -1 on any OpenSSL error or misuse (unknown handle,
 *               a key that does not fit `alg`, wrong lengths); the OpenSSL error queue is
 *               cleared whenever a call does not return 1.
 *   release     EVP_PKEY_free, slot freed.
 *
 * Handles: a handle is (slot index + 1) into the fixed table of the caller-owned
 * `fapi_openssl_state` (0 is never a handle). Nothing is global: all state lives in the struct
 * the caller passes; OpenSSL's own library context may be given (NULL = the default one).
 *
 * Threads: fapi calls the callbacks from the thread that uses the context, and the state is
 * not locked. Use one state per fapi context (or at least per thread).
 *
 * Capacity: a context holds at most FAPI_MAX_KEYS issuer-key handles plus one proof-key handle
 * during a call, so FAPI_OPENSSL_MAX_HANDLES (default 32) covers one context; a full table
 * makes import_key fail, which fapi turns into a 503 (fail closed).
 *
 * Lifetime: fapi_openssl_state_init(); fapi_openssl_provider(); fapi_ctx_set_provider(); ...;
 * fapi_ctx_release(ctx) (fapi releases every handle it holds); fapi_openssl_state_cleanup()
 * (frees what is left — returns how many handles were still live, which should be 0).
 *
 * Not allocation-free: OpenSSL allocates on every import and verify. fapi's built-in code is the
 * allocation-free path; this shim is for hosts that must use OpenSSL (FIPS module, engines).
 */

#ifndef FAPI_OPENSSL_H
#define FAPI_OPENSSL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "fapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef FAPI_OPENSSL_MAX_HANDLES
#define FAPI_OPENSSL_MAX_HANDLES 32
#endif

/* Key kinds in the table (the FAPI_KEY_* values, plus RSA for PS256/RS256 later). */
#define FAPI_OPENSSL_KIND_RSA 0x100u

/* Caller-owned provider state. Read the counters freely; change nothing else. */
typedef struct fapi_openssl_state {
    OSSL_LIB_CTX *libctx;  /* NULL = OpenSSL's default library context */
    const char *propq;     /* property query for fetches (e.g. "fips=yes"), or NULL */
    EVP_MD *sha256;        /* fetched once by fapi_openssl_state_init */
    EVP_PKEY *keys[FAPI_OPENSSL_MAX_HANDLES];
    uint32_t kinds[FAPI_OPENSSL_MAX_HANDLES];
    /* Counters. */
    uint64_t imports;           /* successful import_key calls */
    uint64_t import_failures;   /* refused or failed import_key calls */
    uint64_t releases;          /* handles released */
    uint64_t bad_releases;      /* release() of a handle that is not live (double release) */
    uint64_t verifies;          /* verify calls */
    uint64_t verify_errors;     /* verify calls that returned -1 */
    uint32_t live;              /* handles currently imported */
    uint32_t peak_live;         /* most handles live at once */
} fapi_openssl_state;

/* Initialises `state` (zeroes it, fetches SHA-256 from `libctx`/`propq`). `propq` must stay
 * valid while the state is used. Returns 0, or -1 if OpenSSL cannot provide SHA-256. */
int fapi_openssl_state_init(fapi_openssl_state *state, OSSL_LIB_CTX *libctx, const char *propq);

/* Fills `*out` with the callbacks over `state` (struct_size, version, user = state). Returns 0,
 * or -1 for NULL arguments. Pass `out` to fapi_ctx_set_provider(). */
int fapi_openssl_provider(fapi_crypto_provider *out, fapi_openssl_state *state);

/* Frees every handle still in the table and the fetched digest. Returns the number of handles
 * that were still live (0 when fapi_ctx_release() ran first, as it should). */
uint32_t fapi_openssl_state_cleanup(fapi_openssl_state *state);

/* The callbacks themselves (also usable directly, e.g. to wrap them). */
int32_t fapi_openssl_import_key(void *user, uint32_t kind, const uint8_t *raw, size_t raw_len,
                                uint64_t *handle);
int32_t fapi_openssl_verify(void *user, uint64_t handle, uint32_t alg, const uint8_t *data,
                            size_t data_len, const uint8_t *sig, size_t sig_len);
void fapi_openssl_release(void *user, uint64_t handle);

/* Imports an RSA public key from its big-endian modulus and exponent (the JWK `n` and `e`,
 * decoded), 2048 to 8192 bits, for PS256/RS256. Ready for when fapi gains RSA: fapi does not
 * call this today. Returns 0 and sets `*handle`, or -1. */
int32_t fapi_openssl_import_rsa(fapi_openssl_state *state, const uint8_t *n, size_t n_len,
                                const uint8_t *e, size_t e_len, uint64_t *handle);

#ifdef __cplusplus
}
#endif

#endif /* FAPI_OPENSSL_H */
