/* fapi_openssl — a fapi_crypto_provider over OpenSSL 3. See fapi_openssl.h. */

#include "fapi_openssl.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

/* ------------------------------------------------------------------------------------------ */
/* The handle table. */

static int slot_of(const fapi_openssl_state *s, uint64_t handle, size_t *slot) {
    if (handle == 0 || handle > FAPI_OPENSSL_MAX_HANDLES)
        return -1;
    size_t i = (size_t)(handle - 1);
    if (s->keys[i] == NULL)
        return -1;
    *slot = i;
    return 0;
}

/* Stores `pkey` in a free slot: 0 and `*handle`, or -1 (table full; `pkey` is freed). */
static int32_t store(fapi_openssl_state *s, EVP_PKEY *pkey, uint32_t kind, uint64_t *handle) {
    for (size_t i = 0; i < FAPI_OPENSSL_MAX_HANDLES; i++) {
        if (s->keys[i] == NULL) {
            s->keys[i] = pkey;
            s->kinds[i] = kind;
            *handle = (uint64_t)i + 1;
            s->imports++;
            s->live++;
            if (s->live > s->peak_live)
                s->peak_live = s->live;
            return 0;
        }
    }
    EVP_PKEY_free(pkey);
    s->import_failures++;
    return -1;
}

static int32_t import_failed(fapi_openssl_state *s) {
    ERR_clear_error();
    s->import_failures++;
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Lifetime. */

int fapi_openssl_state_init(fapi_openssl_state *state, OSSL_LIB_CTX *libctx, const char *propq) {
    if (state == NULL)
        return -1;
    memset(state, 0, sizeof *state);
    state->libctx = libctx;
    state->propq = propq;
    state->sha256 = EVP_MD_fetch(libctx, "SHA256", propq);
    if (state->sha256 == NULL) {
        ERR_clear_error();
        return -1;
    }
    return 0;
}

int fapi_openssl_provider(fapi_crypto_provider *out, fapi_openssl_state *state) {
    if (out == NULL || state == NULL)
        return -1;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->version = FAPI_STRUCT_VERSION;
    out->user = state;
    out->import_key = fapi_openssl_import_key;
    out->verify = fapi_openssl_verify;
    out->release = fapi_openssl_release;
    return 0;
}

uint32_t fapi_openssl_state_cleanup(fapi_openssl_state *state) {
    if (state == NULL)
        return 0;
    uint32_t left = 0;
    for (size_t i = 0; i < FAPI_OPENSSL_MAX_HANDLES; i++) {
        if (state->keys[i] != NULL) {
            EVP_PKEY_free(state->keys[i]);
            state->keys[i] = NULL;
            left++;
        }
    }
    state->live = 0;
    EVP_MD_free(state->sha256);
    state->sha256 = NULL;
    return left;
}

/* ------------------------------------------------------------------------------------------ */
/* import_key. */

static EVP_PKEY *p256_from_point(fapi_openssl_state *s, const uint8_t *raw, size_t raw_len) {
    if (raw_len != 65 || raw[0] != 0x04)
        return NULL;
    char group[] = "prime256v1";
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    /* OpenSSL does not write through this pointer on import. */
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)(uintptr_t)raw,
                                                  raw_len);
    params[2] = OSSL_PARAM_construct_end();
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(s->libctx, "EC", s->propq);
    /* fromdata decodes the point with EC_POINT_oct2point, which refuses points off the curve
     * (P-256 has cofactor 1: on the curve is in the group). */
    if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0
        || EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}

int32_t fapi_openssl_import_key(void *user, uint32_t kind, const uint8_t *raw, size_t raw_len,
                                uint64_t *handle) {
    fapi_openssl_state *s = user;
    if (s == NULL || handle == NULL)
        return -1;
    if (raw == NULL)
        return import_failed(s);
    EVP_PKEY *pkey = NULL;
    switch (kind) {
    case FAPI_KEY_P256:
        pkey = p256_from_point(s, raw, raw_len);
        break;
    case FAPI_KEY_ED25519:
        if (raw_len == 32)
            pkey = EVP_PKEY_new_raw_public_key_ex(s->libctx, "ED25519", s->propq, raw, raw_len);
        break;
    case FAPI_KEY_RSA: {
        /* 2-byte big-endian length of n, n, then e (1 to 4 bytes). */
        size_t n_len = raw_len >= 2 ? ((size_t)raw[0] << 8) | raw[1] : 0;
        if (raw_len < 2 || n_len == 0 || raw_len <= 2 + n_len || raw_len - 2 - n_len > 4)
            return import_failed(s);
        return fapi_openssl_import_rsa(s, raw + 2, n_len, raw + 2 + n_len, raw_len - 2 - n_len,
                                       handle);
    }
    default:
        break;
    }
    if (pkey == NULL)
        return import_failed(s);
    return store(s, pkey, kind, handle);
}

int32_t fapi_openssl_import_rsa(fapi_openssl_state *s, const uint8_t *n, size_t n_len,
                                const uint8_t *e, size_t e_len, uint64_t *handle) {
    if (s == NULL || handle == NULL)
        return -1;
    if (n == NULL || e == NULL || n_len == 0 || e_len == 0 || e_len > 8 || n[0] == 0
        || n_len < 256 || n_len > 1024)
        return import_failed(s);
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL);
    BIGNUM *bn_e = BN_bin2bn(e, (int)e_len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    if (bn_n != NULL && bn_e != NULL && bld != NULL
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)
        && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL
        && (pctx = EVP_PKEY_CTX_new_from_name(s->libctx, "RSA", s->propq)) != NULL
        && EVP_PKEY_fromdata_init(pctx) > 0
        && EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0) {
        /* imported */
    } else {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    if (pkey == NULL || EVP_PKEY_get_bits(pkey) < 2048) {
        EVP_PKEY_free(pkey);
        return import_failed(s);
    }
    return store(s, pkey, FAPI_OPENSSL_KIND_RSA, handle);
}

/* ------------------------------------------------------------------------------------------ */
/* verify. */

/* r||s (64 bytes) -> DER ECDSA-Sig-Value in `der` (at least 72 bytes): length, or -1. */
static int es256_der(const uint8_t *sig, uint8_t *der, size_t cap) {
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL);
    BIGNUM *sv = BN_bin2bn(sig + 32, 32, NULL);
    int len = -1;
    if (es == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(es, r, sv)) {
        BN_free(r);
        BN_free(sv);
    } else {
        int need = i2d_ECDSA_SIG(es, NULL);
        if (need > 0 && (size_t)need <= cap) {
            uint8_t *p = der;
            len = i2d_ECDSA_SIG(es, &p);
        }
    }
    ECDSA_SIG_free(es); /* frees r and s once set0 took them */
    return len;
}

/* EVP_PKEY_verify over a 32-byte SHA-256 digest; `padding` 0 for ECDSA, else an RSA padding. */
static int verify_digest(fapi_openssl_state *s, EVP_PKEY *pkey, int padding, const uint8_t *digest,
                         const uint8_t *sig, size_t sig_len) {
    int rc = -1;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(s->libctx, pkey, s->propq);
    if (pctx == NULL || EVP_PKEY_verify_init(pctx) <= 0
        || EVP_PKEY_CTX_set_signature_md(pctx, s->sha256) <= 0)
        goto out;
    switch (padding) {
    case 0:
        break;
    case RSA_PKCS1_PSS_PADDING:
        /* PS256 (RFC 7518 §3.5): MGF1 with SHA-256, salt length = digest length, exactly. */
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0
            || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, s->sha256) <= 0)
            goto out;
        break;
    case RSA_PKCS1_PADDING:
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
            goto out;
        break;
    default:
        goto out;
    }
    rc = EVP_PKEY_verify(pctx, sig, sig_len, digest, 32);
out:
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

static int verify_ed25519(fapi_openssl_state *s, EVP_PKEY *pkey, const uint8_t *msg,
                          size_t msg_len, const uint8_t *sig, size_t sig_len) {
    int rc = -1;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx != NULL
        && EVP_DigestVerifyInit_ex(mctx, NULL, NULL, s->libctx, s->propq, pkey, NULL) > 0)
        rc = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(mctx);
    return rc;
}

int32_t fapi_openssl_verify(void *user, uint64_t handle, uint32_t alg, const uint8_t *data,
                            size_t data_len, const uint8_t *sig, size_t sig_len) {
    fapi_openssl_state *s = user;
    if (s == NULL)
        return -1;
    s->verifies++;
    size_t i;
    int rc = -1;
    if (slot_of(s, handle, &i) != 0 || sig == NULL || (data == NULL && data_len != 0))
        goto done;
    EVP_PKEY *pkey = s->keys[i];
    uint32_t kind = s->kinds[i];
    switch (alg) {
    case FAPI_ALG_ES256: {
        if (kind != FAPI_KEY_P256 || data_len != 32 || sig_len != 64)
            break;
        uint8_t der[80];
        int der_len = es256_der(sig, der, sizeof der);
        if (der_len > 0)
            rc = verify_digest(s, pkey, 0, data, der, (size_t)der_len);
        break;
    }
    case FAPI_ALG_EDDSA:
    case FAPI_ALG_ED25519:
        if (kind != FAPI_KEY_ED25519 || sig_len != 64)
            break;
        rc = verify_ed25519(s, pkey, data == NULL ? (const uint8_t *)"" : data, data_len, sig,
                            sig_len);
        break;
    case FAPI_ALG_PS256:
        if (kind != FAPI_OPENSSL_KIND_RSA || data_len != 32
            || sig_len != (size_t)EVP_PKEY_get_size(pkey))
            break;
        rc = verify_digest(s, pkey, RSA_PKCS1_PSS_PADDING, data, sig, sig_len);
        break;
    case FAPI_ALG_RS256:
        if (kind != FAPI_OPENSSL_KIND_RSA || data_len != 32
            || sig_len != (size_t)EVP_PKEY_get_size(pkey))
            break;
        rc = verify_digest(s, pkey, RSA_PKCS1_PADDING, data, sig, sig_len);
        break;
    default:
        break;
    }
done:
    if (rc == 1)
        return 1;
    /* 0: the equation failed; anything else an error. OpenSSL may leave errors queued in both
     * cases (a failed ECDSA check pushes one): never leak them into the host's next call. */
    ERR_clear_error();
    if (rc == 0)
        return 0;
    s->verify_errors++;
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* release. */

void fapi_openssl_release(void *user, uint64_t handle) {
    fapi_openssl_state *s = user;
    if (s == NULL)
        return;
    size_t i;
    if (slot_of(s, handle, &i) != 0) {
        s->bad_releases++;
        return;
    }
    EVP_PKEY_free(s->keys[i]);
    s->keys[i] = NULL;
    s->kinds[i] = 0;
    s->releases++;
    s->live--;
}
