/*
 * ngx_http_fapi_module — FAPI / OAuth 2.0 resource-server enforcement for nginx with fapi.
 *
 * Access phase: every request to a location with `fapi_zone` is decided by fapi (DPoP and
 * certificate binding, replay, nonces, scopes); a denial answers with fapi's status, its
 * `WWW-Authenticate` value and, when fapi gives one, `DPoP-Nonce` + `Cache-Control: no-store`.
 * An allow can pass claims upstream through the `$fapi_claim_<name>` variables (e.g.
 * `proxy_set_header X-Fapi-Sub $fapi_claim_sub;`) and sends `DPoP-Nonce` when a nonce secret
 * is configured.
 *
 * Shared state: each `fapi_zone` is one fapi verifier region in an nginx shared memory zone.
 * The master process formats it once (and loads the JWKS and nonce secret) while reading the
 * configuration; every worker attaches it, so all workers share one replay table and one token
 * cache. Each worker has its own fapi context per zone. A reload with an unchanged verifier
 * configuration keeps the zone (and its replay table) and swaps the key set in place: fapi
 * replaces it atomically, so requests in flight see the old set or the new one. The JWKS file is
 * also re-read on an interval (`fapi_jwks_refresh`) by one worker per interval.
 *
 * See README.md beside this file for the directives and a configuration to copy.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <sys/random.h>

#include "fapi.h"
#include "fapi_openssl.h"
#if (FAPI_NGX_REDIS)
#include "fapi_redis.h"
#endif

#define FAPI_NGX_SHM_MAGIC 0x6670616e67696e78ULL /* "fpanginx" */
#define FAPI_NGX_MAX_FILE (1024 * 1024)          /* largest JWKS or secret file read */
#define FAPI_NGX_MAX_CLAIM_VARS 64
#define FAPI_NGX_CLAIM_PREFIX "fapi_claim_"

#define FAPI_NGX_CRYPTO_BUILTIN 0
#define FAPI_NGX_CRYPTO_OPENSSL 1

#define FAPI_NGX_CERT_RFC9440 FAPI_CERT_CLIENT_CERT_HEADER
#define FAPI_NGX_CERT_ESCAPED FAPI_CERT_ESCAPED_PEM

/* The part of a zone that lives in shared memory (in front of the verifier region). */
typedef struct {
    uint64_t magic;
    uint64_t fingerprint;
    ngx_atomic_t jwks_next_check; /* Unix seconds: the next interval check may start then */
    ngx_atomic_t jwks_hash;       /* FNV-1a of the JWKS document in force */
    ngx_atomic_t jwks_loads;      /* key sets installed (start-up, reloads, interval) */
    ngx_atomic_t jwks_failures;   /* refused documents (the old set stayed) */
    ngx_atomic_t nonce_hash;      /* FNV-1a of the nonce secret in force */
    u_char *region;               /* the verifier (same address in every process) */
    size_t region_len;
} ngx_http_fapi_shm_t;

typedef struct ngx_http_fapi_loc_conf_s ngx_http_fapi_loc_conf_t;

typedef struct {
    ngx_str_t name;
    ngx_str_t shm_name;
    ngx_shm_zone_t *shm_zone;
    ngx_http_fapi_loc_conf_t *owner; /* the first location: its verifier settings rule */
    ngx_str_t bases[FAPI_MAX_BASES];
    fapi_str cbases[FAPI_MAX_BASES];
    ngx_uint_t nbases;
    fapi_config cfg;
    size_t region_len;
    uint64_t fingerprint;
    u_char *jwks; /* read while reading the configuration */
    size_t jwks_len;
    u_char *nonce_secret;
    size_t nonce_secret_len;
    /* Per worker. */
    ngx_http_fapi_shm_t *shm;
    fapi_verifier *v;
    fapi_ctx *ctx;
    fapi_openssl_state *ossl;
#if (FAPI_NGX_REDIS)
    fapi_redis_store *redis;
#endif
    ngx_event_t jwks_timer;
} ngx_http_fapi_zone_t;

typedef struct {
    ngx_array_t zones; /* ngx_http_fapi_zone_t * */
} ngx_http_fapi_main_conf_t;

struct ngx_http_fapi_loc_conf_s {
    ngx_str_t zone_name; /* unset: data NULL; "off" disables */
    /* Verifier settings (equal in every location of one zone). */
    ngx_str_t issuer;
    ngx_str_t audience;
    ngx_str_t jwks_file;
    ngx_msec_t jwks_refresh;
    ngx_uint_t token_algs;
    ngx_uint_t proof_algs;
    time_t leeway;
    time_t proof_max_age;
    ngx_uint_t dpop;
    ngx_uint_t mtls;
    ngx_uint_t unbound;
    ngx_flag_t nonce_required;
    ngx_str_t nonce_secret_file;
    time_t nonce_slot;
    ngx_flag_t fapi2;
    ngx_flag_t plain_jwt_typ;
    ngx_uint_t max_keys;
    ngx_uint_t replay_slots;
    ngx_uint_t cache_slots;
    ngx_uint_t crypto;
    /* fapi_es256_tables: base, issuer, hot bits, hot keys, builds/s (all 0 = off); [0] is
     * NGX_CONF_UNSET_UINT while unset. */
    ngx_uint_t es256[5];
    ngx_str_t redis_host; /* "" = the zone's own replay table */
    ngx_int_t redis_port;
    ngx_msec_t redis_timeout;
    /* Per location. */
    ngx_str_t public_base;
    ngx_array_t *scopes; /* ngx_str_t */
    fapi_str *cscopes;
    ngx_uint_t nscopes;
    ngx_str_t cert_header;
    ngx_uint_t cert_header_format;
    ngx_array_t *trusted_proxies; /* ngx_cidr_t */
    /* Resolved while merging. */
    ngx_http_fapi_zone_t *zone;
    uint32_t base_index;
};

typedef struct {
    ngx_http_fapi_loc_conf_t *lcf; /* the location that decided */
    ngx_int_t rc;                  /* NGX_OK (allow) or the denial's status */
    uint32_t result;               /* fapi result code of the denial, FAPI_OK on allow */
    uint32_t binding;
    uint32_t cache_hit;
    unsigned claims_live : 1; /* the worker's fapi context holds this request's allow */
    size_t nonce_len;
    u_char nonce[FAPI_NONCE_LEN];
} ngx_http_fapi_req_ctx_t;

static ngx_int_t ngx_http_fapi_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_fapi_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_fapi_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_fapi_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_fapi_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_fapi_algs(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_fapi_scopes(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_fapi_cert_header(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_fapi_trusted_proxy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_fapi_replay_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_fapi_es256_tables(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_fapi_init_process(ngx_cycle_t *cycle);
static void ngx_http_fapi_exit_process(ngx_cycle_t *cycle);

static ngx_conf_enum_t ngx_http_fapi_modes[] = {
    {ngx_string("off"), FAPI_MODE_OFF},
    {ngx_string("optional"), FAPI_MODE_OPTIONAL},
    {ngx_string("required"), FAPI_MODE_REQUIRED},
    {ngx_null_string, 0}};

static ngx_conf_enum_t ngx_http_fapi_unbound[] = {
    {ngx_string("default"), FAPI_UNBOUND_DEFAULT},
    {ngx_string("deny"), FAPI_UNBOUND_DENY},
    {ngx_string("allow"), FAPI_UNBOUND_ALLOW},
    {ngx_null_string, 0}};

static ngx_conf_enum_t ngx_http_fapi_cryptos[] = {
    {ngx_string("builtin"), FAPI_NGX_CRYPTO_BUILTIN},
    {ngx_string("openssl"), FAPI_NGX_CRYPTO_OPENSSL},
    {ngx_null_string, 0}};

#define LOC NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF
#define OFF(f) offsetof(ngx_http_fapi_loc_conf_t, f)

static ngx_command_t ngx_http_fapi_commands[] = {
    {ngx_string("fapi_zone"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(zone_name), NULL},
    {ngx_string("fapi_issuer"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(issuer), NULL},
    {ngx_string("fapi_audience"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(audience), NULL},
    {ngx_string("fapi_jwks_file"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(jwks_file), NULL},
    {ngx_string("fapi_jwks_refresh"), LOC | NGX_CONF_TAKE1, ngx_conf_set_msec_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(jwks_refresh), NULL},
    {ngx_string("fapi_public_base"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(public_base), NULL},
    {ngx_string("fapi_token_algs"), LOC | NGX_CONF_1MORE, ngx_http_fapi_algs,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(token_algs), NULL},
    {ngx_string("fapi_proof_algs"), LOC | NGX_CONF_1MORE, ngx_http_fapi_algs,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(proof_algs), NULL},
    {ngx_string("fapi_leeway"), LOC | NGX_CONF_TAKE1, ngx_conf_set_sec_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(leeway), NULL},
    {ngx_string("fapi_proof_max_age"), LOC | NGX_CONF_TAKE1, ngx_conf_set_sec_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(proof_max_age), NULL},
    {ngx_string("fapi_dpop"), LOC | NGX_CONF_TAKE1, ngx_conf_set_enum_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(dpop), ngx_http_fapi_modes},
    {ngx_string("fapi_mtls"), LOC | NGX_CONF_TAKE1, ngx_conf_set_enum_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(mtls), ngx_http_fapi_modes},
    {ngx_string("fapi_unbound"), LOC | NGX_CONF_TAKE1, ngx_conf_set_enum_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(unbound), ngx_http_fapi_unbound},
    {ngx_string("fapi_dpop_nonce"), LOC | NGX_CONF_FLAG, ngx_conf_set_flag_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(nonce_required), NULL},
    {ngx_string("fapi_nonce_secret_file"), LOC | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(nonce_secret_file), NULL},
    {ngx_string("fapi_nonce_slot"), LOC | NGX_CONF_TAKE1, ngx_conf_set_sec_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(nonce_slot), NULL},
    {ngx_string("fapi_fapi2_profile"), LOC | NGX_CONF_FLAG, ngx_conf_set_flag_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(fapi2), NULL},
    {ngx_string("fapi_accept_plain_jwt_typ"), LOC | NGX_CONF_FLAG, ngx_conf_set_flag_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(plain_jwt_typ), NULL},
    {ngx_string("fapi_max_keys"), LOC | NGX_CONF_TAKE1, ngx_conf_set_num_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(max_keys), NULL},
    {ngx_string("fapi_replay_slots"), LOC | NGX_CONF_TAKE1, ngx_conf_set_num_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(replay_slots), NULL},
    {ngx_string("fapi_token_cache"), LOC | NGX_CONF_TAKE1, ngx_conf_set_num_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(cache_slots), NULL},
    {ngx_string("fapi_crypto"), LOC | NGX_CONF_TAKE1, ngx_conf_set_enum_slot,
     NGX_HTTP_LOC_CONF_OFFSET, OFF(crypto), ngx_http_fapi_cryptos},
    {ngx_string("fapi_replay_store"), LOC | NGX_CONF_TAKE123, ngx_http_fapi_replay_store,
     NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("fapi_es256_tables"), LOC | NGX_CONF_TAKE1 | NGX_CONF_TAKE5,
     ngx_http_fapi_es256_tables, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("fapi_required_scopes"), LOC | NGX_CONF_1MORE, ngx_http_fapi_scopes,
     NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("fapi_client_cert_header"), LOC | NGX_CONF_TAKE12, ngx_http_fapi_cert_header,
     NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("fapi_trusted_proxy"), LOC | NGX_CONF_TAKE1, ngx_http_fapi_trusted_proxy,
     NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    ngx_null_command};

static ngx_http_module_t ngx_http_fapi_module_ctx = {
    ngx_http_fapi_preconfiguration,  /* preconfiguration */
    ngx_http_fapi_postconfiguration, /* postconfiguration */
    ngx_http_fapi_create_main_conf,  /* create main configuration */
    NULL,                            /* init main configuration */
    NULL,                            /* create server configuration */
    NULL,                            /* merge server configuration */
    ngx_http_fapi_create_loc_conf,   /* create location configuration */
    ngx_http_fapi_merge_loc_conf     /* merge location configuration */
};

ngx_module_t ngx_http_fapi_module = {
    NGX_MODULE_V1,
    &ngx_http_fapi_module_ctx,  /* module context */
    ngx_http_fapi_commands,     /* module directives */
    NGX_HTTP_MODULE,            /* module type */
    NULL,                       /* init master */
    NULL,                       /* init module */
    ngx_http_fapi_init_process, /* init process */
    NULL,                       /* init thread */
    NULL,                       /* exit thread */
    ngx_http_fapi_exit_process, /* exit process */
    NULL,                       /* exit master */
    NGX_MODULE_V1_PADDING};

static ngx_http_output_header_filter_pt ngx_http_next_header_filter;

/* Indexes of the `$fapi_claim_*` variables the configuration uses (found once per worker). */
static ngx_int_t ngx_http_fapi_claim_vars[FAPI_NGX_MAX_CLAIM_VARS];
static ngx_uint_t ngx_http_fapi_nclaim_vars;
static ngx_flag_t ngx_http_fapi_claim_vars_known;

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                             */

static uint64_t ngx_http_fapi_fnv(uint64_t h, const void *data, size_t len) {
    const u_char *p = data;
    if (h == 0) h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t ngx_http_fapi_fnv_u32(uint64_t h, uint32_t v) {
    return ngx_http_fapi_fnv(h, &v, sizeof v);
}

/* Reads a whole file into memory from ngx_alloc (the caller frees); failures are logged at
 * `level` (emerg while reading the configuration, error in a running worker). */
static u_char *ngx_http_fapi_read_file(ngx_str_t *path, size_t *len, ngx_log_t *log,
                                       ngx_uint_t level) {
    ngx_fd_t fd;
    ngx_file_info_t fi;
    u_char *buf, *zpath;
    ssize_t n;
    size_t size, got = 0;

    zpath = ngx_alloc(path->len + 1, log);
    if (zpath == NULL) return NULL;
    ngx_memcpy(zpath, path->data, path->len);
    zpath[path->len] = '\0';
    fd = ngx_open_file(zpath, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(level, log, ngx_errno, "fapi: cannot open \"%s\"", zpath);
        ngx_free(zpath);
        return NULL;
    }
    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR || ngx_file_size(&fi) > FAPI_NGX_MAX_FILE) {
        ngx_log_error(level, log, ngx_errno, "fapi: \"%s\" is not a file of at most %d bytes",
                      zpath, FAPI_NGX_MAX_FILE);
        ngx_close_file(fd);
        ngx_free(zpath);
        return NULL;
    }
    size = (size_t)ngx_file_size(&fi);
    buf = ngx_alloc(size + 1, log);
    if (buf == NULL) {
        ngx_close_file(fd);
        ngx_free(zpath);
        return NULL;
    }
    while (got < size) {
        n = read(fd, buf + got, size - got);
        if (n <= 0) {
            if (n < 0 && ngx_errno == NGX_EINTR) continue;
            ngx_log_error(level, log, ngx_errno, "fapi: cannot read \"%s\"", zpath);
            ngx_free(buf);
            ngx_close_file(fd);
            ngx_free(zpath);
            return NULL;
        }
        got += (size_t)n;
    }
    ngx_close_file(fd);
    ngx_free(zpath);
    *len = size;
    return buf;
}

/* Copies a heap buffer into the configuration pool (and frees it). */
static u_char *ngx_http_fapi_keep(ngx_conf_t *cf, u_char *heap, size_t len) {
    u_char *p = ngx_pnalloc(cf->pool, len ? len : 1);
    if (p != NULL) ngx_memcpy(p, heap, len);
    ngx_free(heap);
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                             */

static void *ngx_http_fapi_create_main_conf(ngx_conf_t *cf) {
    ngx_http_fapi_main_conf_t *mcf = ngx_pcalloc(cf->pool, sizeof(*mcf));
    if (mcf == NULL) return NULL;
    if (ngx_array_init(&mcf->zones, cf->pool, 4, sizeof(ngx_http_fapi_zone_t *)) != NGX_OK) {
        return NULL;
    }
    return mcf;
}

static void *ngx_http_fapi_create_loc_conf(ngx_conf_t *cf) {
    ngx_http_fapi_loc_conf_t *c = ngx_pcalloc(cf->pool, sizeof(*c));
    if (c == NULL) return NULL;
    /* ngx_pcalloc: every ngx_str_t is { 0, NULL } (unset), pointers NULL. */
    c->jwks_refresh = NGX_CONF_UNSET_MSEC;
    c->token_algs = NGX_CONF_UNSET_UINT;
    c->proof_algs = NGX_CONF_UNSET_UINT;
    c->leeway = NGX_CONF_UNSET;
    c->proof_max_age = NGX_CONF_UNSET;
    c->dpop = NGX_CONF_UNSET_UINT;
    c->mtls = NGX_CONF_UNSET_UINT;
    c->unbound = NGX_CONF_UNSET_UINT;
    c->nonce_required = NGX_CONF_UNSET;
    c->nonce_slot = NGX_CONF_UNSET;
    c->fapi2 = NGX_CONF_UNSET;
    c->plain_jwt_typ = NGX_CONF_UNSET;
    c->max_keys = NGX_CONF_UNSET_UINT;
    c->replay_slots = NGX_CONF_UNSET_UINT;
    c->cache_slots = NGX_CONF_UNSET_UINT;
    c->crypto = NGX_CONF_UNSET_UINT;
    c->es256[0] = NGX_CONF_UNSET_UINT;
    c->redis_port = NGX_CONF_UNSET;
    c->redis_timeout = NGX_CONF_UNSET_MSEC;
    c->scopes = NGX_CONF_UNSET_PTR;
    c->cert_header_format = NGX_CONF_UNSET_UINT;
    c->trusted_proxies = NGX_CONF_UNSET_PTR;
    return c;
}

static char *ngx_http_fapi_algs(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_uint_t *field = (ngx_uint_t *)((u_char *)conf + cmd->offset);
    ngx_str_t *value = cf->args->elts;
    ngx_uint_t bits = 0;
    if (*field != NGX_CONF_UNSET_UINT) return "is duplicate";
    for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
        ngx_str_t *a = &value[i];
        if (a->len == 5 && ngx_strncmp(a->data, "ES256", 5) == 0) {
            bits |= FAPI_ALG_ES256;
        } else if (a->len == 5 && ngx_strncmp(a->data, "EdDSA", 5) == 0) {
            bits |= FAPI_ALG_EDDSA;
        } else if (a->len == 7 && ngx_strncmp(a->data, "Ed25519", 7) == 0) {
            bits |= FAPI_ALG_ED25519;
        } else if (a->len == 5 && ngx_strncmp(a->data, "PS256", 5) == 0) {
            bits |= FAPI_ALG_PS256;
        } else if (a->len == 5 && ngx_strncmp(a->data, "RS256", 5) == 0) {
            bits |= FAPI_ALG_RS256;
        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown algorithm \"%V\" (ES256, EdDSA, Ed25519, PS256, RS256)", a);
            return NGX_CONF_ERROR;
        }
    }
    *field = bits;
    return NGX_CONF_OK;
}

static char *ngx_http_fapi_scopes(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_http_fapi_loc_conf_t *c = conf;
    ngx_str_t *value = cf->args->elts;
    (void)cmd;
    if (c->scopes != NGX_CONF_UNSET_PTR) return "is duplicate";
    if (cf->args->nelts - 1 > FAPI_MAX_SCOPES) return "lists too many scopes (at most 16)";
    c->scopes = ngx_array_create(cf->pool, cf->args->nelts - 1, sizeof(ngx_str_t));
    if (c->scopes == NULL) return NGX_CONF_ERROR;
    for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
        ngx_str_t *s = ngx_array_push(c->scopes);
        if (s == NULL) return NGX_CONF_ERROR;
        *s = value[i];
    }
    return NGX_CONF_OK;
}

static char *ngx_http_fapi_cert_header(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_http_fapi_loc_conf_t *c = conf;
    ngx_str_t *value = cf->args->elts;
    (void)cmd;
    if (c->cert_header_format != NGX_CONF_UNSET_UINT) return "is duplicate";
    if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0) {
        c->cert_header_format = 0;
        return NGX_CONF_OK;
    }
    c->cert_header = value[1];
    c->cert_header_format = FAPI_NGX_CERT_RFC9440;
    if (cf->args->nelts == 3) {
        if (ngx_strcmp(value[2].data, "rfc9440") == 0) {
            c->cert_header_format = FAPI_NGX_CERT_RFC9440;
        } else if (ngx_strcmp(value[2].data, "escaped_pem") == 0) {
            c->cert_header_format = FAPI_NGX_CERT_ESCAPED;
        } else {
            return "has an unknown format (rfc9440, escaped_pem)";
        }
    }
    return NGX_CONF_OK;
}

static char *ngx_http_fapi_trusted_proxy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_http_fapi_loc_conf_t *c = conf;
    ngx_str_t *value = cf->args->elts;
    ngx_cidr_t *cidr;
    ngx_int_t rc;
    (void)cmd;
    if (c->trusted_proxies == NGX_CONF_UNSET_PTR) {
        c->trusted_proxies = ngx_array_create(cf->pool, 2, sizeof(ngx_cidr_t));
        if (c->trusted_proxies == NULL) return NGX_CONF_ERROR;
    }
    cidr = ngx_array_push(c->trusted_proxies);
    if (cidr == NULL) return NGX_CONF_ERROR;
    rc = ngx_ptocidr(&value[1], cidr);
    if (rc == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid address or network \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }
    if (rc == NGX_DONE) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0, "low address bits of %V are meaningless",
                           &value[1]);
    }
    return NGX_CONF_OK;
}

/* fapi_replay_store shm;  fapi_replay_store redis HOST:PORT|unix:PATH [timeout=50ms]; */
static char *ngx_http_fapi_replay_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_http_fapi_loc_conf_t *c = conf;
    ngx_str_t *value = cf->args->elts;
    (void)cmd;
    if (c->redis_port != NGX_CONF_UNSET) return "is duplicate";
    if (ngx_strcmp(value[1].data, "shm") == 0 && cf->args->nelts == 2) {
        c->redis_port = -1;
        return NGX_CONF_OK;
    }
    if (ngx_strcmp(value[1].data, "redis") != 0 || cf->args->nelts < 3) {
        return "takes \"shm\" or \"redis HOST:PORT [timeout=TIME]\"";
    }
#if !(FAPI_NGX_REDIS)
    return "needs a module built with the Redis store (FAPI_NGX_REDIS=1, libhiredis-dev)";
#else
    ngx_str_t addr = value[2];
    if (addr.len > 5 && ngx_strncmp(addr.data, "unix:", 5) == 0) {
        c->redis_host.data = addr.data + 5;
        c->redis_host.len = addr.len - 5;
        c->redis_port = 0;
    } else {
        u_char *colon = ngx_strlchr(addr.data, addr.data + addr.len, ':');
        if (colon == NULL) return "needs HOST:PORT";
        c->redis_host.data = addr.data;
        c->redis_host.len = (size_t)(colon - addr.data);
        c->redis_port = ngx_atoi(colon + 1, (size_t)(addr.data + addr.len - colon - 1));
        if (c->redis_port < 1 || c->redis_port > 65535 || c->redis_host.len == 0) {
            return "has an invalid HOST:PORT";
        }
    }
    if (c->redis_host.len >= FAPI_REDIS_MAX_HOST) return "has a host name that is too long";
    if (cf->args->nelts == 4) {
        if (value[3].len < 9 || ngx_strncmp(value[3].data, "timeout=", 8) != 0) {
            return "takes only timeout=TIME after the address";
        }
        ngx_str_t t = {value[3].len - 8, value[3].data + 8};
        c->redis_timeout = ngx_parse_time(&t, 0);
        if (c->redis_timeout == (ngx_msec_t)NGX_ERROR || c->redis_timeout == 0) {
            return "has an invalid timeout";
        }
    }
    return NGX_CONF_OK;
#endif
}

/* fapi_es256_tables off | gateway | BASE ISSUER HOT HOT_KEYS BUILDS_PER_SECOND;
 * (fapi_config.es256_*: widths in bits, 0 = none; fapi_verifier_init checks the values). */
static char *ngx_http_fapi_es256_tables(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
    ngx_http_fapi_loc_conf_t *c = conf;
    ngx_str_t *value = cf->args->elts;
    (void)cmd;
    if (c->es256[0] != NGX_CONF_UNSET_UINT) return "is duplicate";
    if (cf->args->nelts == 2) {
        if (ngx_strcmp(value[1].data, "off") == 0) {
            ngx_memzero(c->es256, sizeof c->es256);
        } else if (ngx_strcmp(value[1].data, "gateway") == 0) {
            c->es256[0] = FAPI_ES256_GATEWAY_BASE_BITS;
            c->es256[1] = FAPI_ES256_GATEWAY_ISSUER_BITS;
            c->es256[2] = FAPI_ES256_GATEWAY_HOT_BITS;
            c->es256[3] = FAPI_ES256_GATEWAY_HOT_KEYS;
            c->es256[4] = FAPI_ES256_GATEWAY_BUILDS_PER_SECOND;
        } else {
            return "takes \"off\", \"gateway\" or BASE ISSUER HOT HOT_KEYS BUILDS_PER_SECOND";
        }
        return NGX_CONF_OK;
    }
    for (ngx_uint_t i = 0; i < 5; i++) {
        ngx_int_t n = ngx_atoi(value[i + 1].data, value[i + 1].len);
        if (n == NGX_ERROR || n > 0xFFFF) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid number \"%V\"", &value[i + 1]);
            return NGX_CONF_ERROR;
        }
        c->es256[i] = (ngx_uint_t)n;
    }
    return NGX_CONF_OK;
}

static ngx_int_t ngx_http_fapi_str_eq(ngx_str_t *a, ngx_str_t *b) {
    return a->len == b->len && (a->len == 0 || ngx_memcmp(a->data, b->data, a->len) == 0);
}

/* Whether two locations agree on every setting that lives in the verifier. */
static const char *ngx_http_fapi_differs(ngx_http_fapi_loc_conf_t *a, ngx_http_fapi_loc_conf_t *b) {
    if (!ngx_http_fapi_str_eq(&a->issuer, &b->issuer)) return "fapi_issuer";
    if (!ngx_http_fapi_str_eq(&a->audience, &b->audience)) return "fapi_audience";
    if (!ngx_http_fapi_str_eq(&a->jwks_file, &b->jwks_file)) return "fapi_jwks_file";
    if (a->jwks_refresh != b->jwks_refresh) return "fapi_jwks_refresh";
    if (a->token_algs != b->token_algs) return "fapi_token_algs";
    if (a->proof_algs != b->proof_algs) return "fapi_proof_algs";
    if (a->leeway != b->leeway) return "fapi_leeway";
    if (a->proof_max_age != b->proof_max_age) return "fapi_proof_max_age";
    if (a->dpop != b->dpop) return "fapi_dpop";
    if (a->mtls != b->mtls) return "fapi_mtls";
    if (a->unbound != b->unbound) return "fapi_unbound";
    if (a->nonce_required != b->nonce_required) return "fapi_dpop_nonce";
    if (!ngx_http_fapi_str_eq(&a->nonce_secret_file, &b->nonce_secret_file)) {
        return "fapi_nonce_secret_file";
    }
    if (a->nonce_slot != b->nonce_slot) return "fapi_nonce_slot";
    if (a->fapi2 != b->fapi2) return "fapi_fapi2_profile";
    if (a->plain_jwt_typ != b->plain_jwt_typ) return "fapi_accept_plain_jwt_typ";
    if (a->max_keys != b->max_keys) return "fapi_max_keys";
    if (a->replay_slots != b->replay_slots) return "fapi_replay_slots";
    if (a->cache_slots != b->cache_slots) return "fapi_token_cache";
    if (a->crypto != b->crypto) return "fapi_crypto";
    if (ngx_memcmp(a->es256, b->es256, sizeof a->es256) != 0) return "fapi_es256_tables";
    if (!ngx_http_fapi_str_eq(&a->redis_host, &b->redis_host) || a->redis_port != b->redis_port ||
        a->redis_timeout != b->redis_timeout) {
        return "fapi_replay_store";
    }
    return NULL;
}

static char *ngx_http_fapi_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child) {
    ngx_http_fapi_loc_conf_t *prev = parent, *c = child;
    ngx_http_fapi_main_conf_t *mcf;
    ngx_http_fapi_zone_t **zp, *z = NULL;
    const char *what;

    ngx_conf_merge_str_value(c->zone_name, prev->zone_name, "");
    ngx_conf_merge_str_value(c->issuer, prev->issuer, "");
    ngx_conf_merge_str_value(c->audience, prev->audience, "");
    ngx_conf_merge_str_value(c->jwks_file, prev->jwks_file, "");
    ngx_conf_merge_msec_value(c->jwks_refresh, prev->jwks_refresh, 0);
    ngx_conf_merge_uint_value(c->token_algs, prev->token_algs, 0);
    ngx_conf_merge_uint_value(c->proof_algs, prev->proof_algs, 0);
    ngx_conf_merge_sec_value(c->leeway, prev->leeway, 10);
    ngx_conf_merge_sec_value(c->proof_max_age, prev->proof_max_age, 300);
    ngx_conf_merge_uint_value(c->dpop, prev->dpop, FAPI_MODE_OPTIONAL);
    ngx_conf_merge_uint_value(c->mtls, prev->mtls, FAPI_MODE_OPTIONAL);
    ngx_conf_merge_uint_value(c->unbound, prev->unbound, FAPI_UNBOUND_DEFAULT);
    ngx_conf_merge_value(c->nonce_required, prev->nonce_required, 0);
    ngx_conf_merge_str_value(c->nonce_secret_file, prev->nonce_secret_file, "");
    ngx_conf_merge_sec_value(c->nonce_slot, prev->nonce_slot, 60);
    ngx_conf_merge_value(c->fapi2, prev->fapi2, 0);
    ngx_conf_merge_value(c->plain_jwt_typ, prev->plain_jwt_typ, 0);
    ngx_conf_merge_uint_value(c->max_keys, prev->max_keys, 8);
    ngx_conf_merge_uint_value(c->replay_slots, prev->replay_slots, 65536);
    ngx_conf_merge_uint_value(c->cache_slots, prev->cache_slots, 1024);
    ngx_conf_merge_uint_value(c->crypto, prev->crypto, FAPI_NGX_CRYPTO_BUILTIN);
    if (c->es256[0] == NGX_CONF_UNSET_UINT) {
        if (prev->es256[0] == NGX_CONF_UNSET_UINT) {
            ngx_memzero(c->es256, sizeof c->es256); /* default: off */
        } else {
            ngx_memcpy(c->es256, prev->es256, sizeof c->es256);
        }
    }
    if (c->redis_port == NGX_CONF_UNSET) {
        c->redis_port = prev->redis_port == NGX_CONF_UNSET ? -1 : prev->redis_port;
        c->redis_host = prev->redis_host;
    }
    ngx_conf_merge_msec_value(c->redis_timeout, prev->redis_timeout, 50);
    ngx_conf_merge_str_value(c->public_base, prev->public_base, "");
    ngx_conf_merge_ptr_value(c->scopes, prev->scopes, NULL);
    if (c->cert_header_format == NGX_CONF_UNSET_UINT) {
        c->cert_header_format = prev->cert_header_format == NGX_CONF_UNSET_UINT
                                    ? 0 : prev->cert_header_format;
        c->cert_header = prev->cert_header;
    }
    ngx_conf_merge_ptr_value(c->trusted_proxies, prev->trusted_proxies, NULL);

    if (c->zone_name.len == 0 || (c->zone_name.len == 3 && ngx_strncmp(c->zone_name.data, "off", 3) == 0)) {
        c->zone = NULL;
        return NGX_CONF_OK;
    }

    /* Required settings: an empty expectation never means "skip the check". */
    if (c->issuer.len == 0) return "fapi: fapi_issuer is required where fapi_zone is set";
    if (c->audience.len == 0) return "fapi: fapi_audience is required where fapi_zone is set";
    if (c->jwks_file.len == 0) return "fapi: fapi_jwks_file is required where fapi_zone is set";
    if (c->public_base.len == 0) {
        return "fapi: fapi_public_base is required where fapi_zone is set";
    }
    if (c->token_algs == 0) return "fapi: fapi_token_algs is required where fapi_zone is set";
    if (c->nonce_required && c->nonce_secret_file.len == 0) {
        return "fapi: fapi_dpop_nonce on needs fapi_nonce_secret_file";
    }
    if (c->cert_header_format != 0 && c->trusted_proxies == NULL) {
        return "fapi: fapi_client_cert_header needs at least one fapi_trusted_proxy";
    }
    if (c->redis_port >= 0) {
        c->replay_slots = 0; /* the two-phase decision: the store is Redis */
    } else if (c->replay_slots == 0) {
        return "fapi: fapi_replay_slots 0 needs fapi_replay_store redis";
    }

    if (c->scopes != NULL) {
        ngx_str_t *s = c->scopes->elts;
        c->nscopes = c->scopes->nelts;
        c->cscopes = ngx_pcalloc(cf->pool, c->nscopes * sizeof(fapi_str));
        if (c->cscopes == NULL) return NGX_CONF_ERROR;
        for (ngx_uint_t i = 0; i < c->nscopes; i++) {
            c->cscopes[i].ptr = s[i].data;
            c->cscopes[i].len = s[i].len;
        }
    }

    /* Find or create the zone; check the verifier settings agree; add the base. */
    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_fapi_module);
    zp = mcf->zones.elts;
    for (ngx_uint_t i = 0; i < mcf->zones.nelts; i++) {
        if (ngx_http_fapi_str_eq(&zp[i]->name, &c->zone_name)) {
            z = zp[i];
            break;
        }
    }
    if (z == NULL) {
        zp = ngx_array_push(&mcf->zones);
        if (zp == NULL) return NGX_CONF_ERROR;
        z = ngx_pcalloc(cf->pool, sizeof(*z));
        if (z == NULL) return NGX_CONF_ERROR;
        *zp = z;
        z->name = c->zone_name;
        z->owner = c;
    } else if ((what = ngx_http_fapi_differs(z->owner, c)) != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "fapi: every location of fapi_zone \"%V\" must have the same %s "
                           "(a verifier has one configuration; use another zone)",
                           &z->name, what);
        return NGX_CONF_ERROR;
    }
    c->zone = z;
    for (ngx_uint_t i = 0; i < z->nbases; i++) {
        if (ngx_http_fapi_str_eq(&z->bases[i], &c->public_base)) {
            c->base_index = (uint32_t)i;
            return NGX_CONF_OK;
        }
    }
    if (z->nbases == FAPI_MAX_BASES) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "fapi: fapi_zone \"%V\" has more than %d public bases",
                           &z->name, FAPI_MAX_BASES);
        return NGX_CONF_ERROR;
    }
    z->bases[z->nbases] = c->public_base;
    c->base_index = (uint32_t)z->nbases++;
    return NGX_CONF_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Shared zones                                                                              */

/* Loads the JWKS (and nonce secret) read at configuration time into a verifier. */
static ngx_int_t ngx_http_fapi_load_keys(ngx_http_fapi_zone_t *z, fapi_verifier *v,
                                         ngx_http_fapi_shm_t *shm, ngx_log_t *log) {
    uint32_t rc, loaded = 0, skipped = 0;
    uint64_t h = ngx_http_fapi_fnv(0, z->jwks, z->jwks_len);
    if (shm == NULL || shm->jwks_hash != h) {
        rc = fapi_verifier_set_jwks(v, z->jwks, z->jwks_len, &loaded, &skipped);
        if (rc != FAPI_OK) {
            ngx_log_error(NGX_LOG_EMERG, log, 0, "fapi: zone \"%V\": JWKS \"%V\" refused: %s", &z->name,
                          &z->owner->jwks_file, fapi_result_str(rc));
            return NGX_ERROR;
        }
        if (shm != NULL) {
            shm->jwks_hash = h;
            (void)ngx_atomic_fetch_add(&shm->jwks_loads, 1);
            ngx_log_error(NGX_LOG_NOTICE, log, 0, "fapi: zone \"%V\": %uD key(s) loaded, %uD skipped",
                          &z->name, loaded, skipped);
        }
    }
    if (z->nonce_secret != NULL) {
        h = ngx_http_fapi_fnv(0, z->nonce_secret, z->nonce_secret_len);
        if (shm == NULL || shm->nonce_hash != h) {
            rc = fapi_verifier_set_nonce_secret(v, z->nonce_secret, z->nonce_secret_len,
                                                (uint64_t)ngx_time());
            if (rc != FAPI_OK) {
                ngx_log_error(NGX_LOG_EMERG, log, 0, "fapi: zone \"%V\": nonce secret refused: %s",
                              &z->name, fapi_result_str(rc));
                return NGX_ERROR;
            }
            if (shm != NULL) shm->nonce_hash = h;
        }
    }
    return NGX_OK;
}

static ngx_int_t ngx_http_fapi_init_zone(ngx_shm_zone_t *shm_zone, void *data) {
    ngx_http_fapi_zone_t *z = shm_zone->data;
    ngx_slab_pool_t *shpool = (ngx_slab_pool_t *)shm_zone->shm.addr;
    ngx_http_fapi_shm_t *shm;
    fapi_verifier *v;
    uint32_t rc;
    ngx_log_t *log = shm_zone->shm.log;

    if (data != NULL || shpool->data != NULL) {
        /* Kept across a reload: the name carries the configuration's fingerprint. */
        shm = shpool->data;
        if (shm == NULL || shm->magic != FAPI_NGX_SHM_MAGIC || shm->fingerprint != z->fingerprint ||
            fapi_verifier_attach(shm->region, shm->region_len, &v) != FAPI_OK) {
            ngx_log_error(NGX_LOG_EMERG, log, 0, "fapi: zone \"%V\": shared memory does not hold this verifier",
                          &z->name);
            return NGX_ERROR;
        }
        z->shm = shm;
        return ngx_http_fapi_load_keys(z, v, shm, log);
    }

    shm = ngx_slab_alloc(shpool, sizeof(ngx_http_fapi_shm_t) + 64 + z->region_len);
    if (shm == NULL) {
        ngx_log_error(NGX_LOG_EMERG, log, 0, "fapi: zone \"%V\": no room for the verifier", &z->name);
        return NGX_ERROR;
    }
    ngx_memzero(shm, sizeof(*shm));
    shm->region = ngx_align_ptr((u_char *)(shm + 1), 64);
    shm->region_len = z->region_len;
    if (getrandom(z->cfg.replay_secret, sizeof z->cfg.replay_secret, 0) !=
        (ssize_t)sizeof z->cfg.replay_secret) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno, "fapi: getrandom failed");
        return NGX_ERROR;
    }
    rc = fapi_verifier_init(shm->region, shm->region_len, &z->cfg, &v);
    ngx_explicit_memzero(z->cfg.replay_secret, sizeof z->cfg.replay_secret);
    if (rc != FAPI_OK) {
        ngx_log_error(NGX_LOG_EMERG, log, 0, "fapi: zone \"%V\": fapi_verifier_init: %s", &z->name,
                      fapi_result_str(rc));
        return NGX_ERROR;
    }
    if (ngx_http_fapi_load_keys(z, v, shm, log) != NGX_OK) return NGX_ERROR;
    shm->fingerprint = z->fingerprint;
    shm->magic = FAPI_NGX_SHM_MAGIC;
    shpool->data = shm;
    z->shm = shm;
    return NGX_OK;
}

/* Builds each zone's fapi_config, checks it (and the JWKS) with a scratch verifier, and asks
 * nginx for the shared memory. */
static ngx_int_t ngx_http_fapi_setup_zone(ngx_conf_t *cf, ngx_http_fapi_zone_t *z) {
    ngx_http_fapi_loc_conf_t *o = z->owner;
    fapi_config *cfg = &z->cfg;
    uint64_t h;
    size_t size, scratch_len;
    void *scratch;
    fapi_verifier *v;
    uint32_t rc;
    u_char *buf;

    ngx_memzero(cfg, sizeof(*cfg));
    cfg->struct_size = sizeof(*cfg);
    cfg->version = FAPI_STRUCT_VERSION;
    cfg->issuer = (fapi_str){o->issuer.data, o->issuer.len};
    cfg->audience = (fapi_str){o->audience.data, o->audience.len};
    for (ngx_uint_t i = 0; i < z->nbases; i++) {
        z->cbases[i] = (fapi_str){z->bases[i].data, z->bases[i].len};
    }
    cfg->bases = z->cbases;
    cfg->base_count = z->nbases;
    cfg->token_algs = (uint32_t)o->token_algs;
    cfg->proof_algs = (uint32_t)o->proof_algs;
    cfg->leeway = (uint32_t)o->leeway;
    cfg->proof_max_age = (uint32_t)o->proof_max_age;
    cfg->dpop_mode = (uint32_t)o->dpop;
    cfg->mtls_mode = (uint32_t)o->mtls;
    cfg->unbound = (uint32_t)o->unbound;
    cfg->nonce_required = o->nonce_required ? 1 : 0;
    cfg->nonce_slot = (uint32_t)o->nonce_slot;
    cfg->fapi2_profile = o->fapi2 ? 1 : 0;
    cfg->accept_plain_jwt_typ = o->plain_jwt_typ ? 1 : 0;
    cfg->max_keys = (uint32_t)o->max_keys;
    cfg->replay_slots = (uint32_t)o->replay_slots;
    cfg->cache_slots = (uint32_t)o->cache_slots;
    cfg->es256_base_bits = (uint32_t)o->es256[0];
    cfg->es256_issuer_bits = (uint32_t)o->es256[1];
    cfg->es256_hot_bits = (uint32_t)o->es256[2];
    cfg->es256_hot_keys = (uint32_t)o->es256[3];
    cfg->es256_builds_per_second = (uint32_t)o->es256[4];

    /* Read the files now: a bad file fails `nginx -t` and a reload, never a running server. */
    if (ngx_conf_full_name(cf->cycle, &o->jwks_file, 1) != NGX_OK) return NGX_ERROR;
    buf = ngx_http_fapi_read_file(&o->jwks_file, &z->jwks_len, cf->log, NGX_LOG_EMERG);
    if (buf == NULL) return NGX_ERROR;
    z->jwks = ngx_http_fapi_keep(cf, buf, z->jwks_len);
    if (o->nonce_secret_file.len > 0) {
        if (ngx_conf_full_name(cf->cycle, &o->nonce_secret_file, 1) != NGX_OK) return NGX_ERROR;
        buf = ngx_http_fapi_read_file(&o->nonce_secret_file, &z->nonce_secret_len, cf->log,
                                      NGX_LOG_EMERG);
        if (buf == NULL) return NGX_ERROR;
        z->nonce_secret = ngx_http_fapi_keep(cf, buf, z->nonce_secret_len);
        if (z->nonce_secret == NULL) return NGX_ERROR;
    }
    if (z->jwks == NULL) return NGX_ERROR;

    size = fapi_verifier_size(cfg);
    if (size == 0) {
        /* fapi_verifier_init checks the configuration before the length: its code says which
         * rule failed (e.g. misuse_table_config for fapi_es256_tables). */
        uint64_t probe[1];
        rc = fapi_verifier_init(probe, sizeof probe, cfg, &v);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "fapi: zone \"%V\": the configuration is refused: %s (fapi_max_keys, "
                           "fapi_es256_tables, or a zone above 4 GiB)",
                           &z->name, fapi_result_str(rc));
        return NGX_ERROR;
    }
    z->region_len = size;

    /* A scratch verifier (replay table of one slot) checks the configuration and the files. */
    {
        fapi_config small = *cfg;
        if (small.replay_slots > 0) small.replay_slots = 1;
        small.cache_slots = 0;
        /* ES256 tables stay as configured: the scratch verifier checks their values and
         * builds the G table and the issuer keys' tables once (milliseconds). */
        scratch_len = fapi_verifier_size(&small);
        scratch = ngx_memalign(64, scratch_len, cf->log);
        if (scratch == NULL) return NGX_ERROR;
        rc = fapi_verifier_init(scratch, scratch_len, &small, &v);
        if (rc == FAPI_OK) {
            uint32_t r2 = fapi_verifier_set_jwks(v, z->jwks, z->jwks_len, NULL, NULL);
            if (r2 != FAPI_OK) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "fapi: zone \"%V\": JWKS \"%V\" refused: %s",
                                   &z->name, &o->jwks_file, fapi_result_str(r2));
                ngx_free(scratch);
                return NGX_ERROR;
            }
            if (z->nonce_secret != NULL) {
                r2 = fapi_verifier_set_nonce_secret(v, z->nonce_secret, z->nonce_secret_len, 0);
                if (r2 != FAPI_OK) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "fapi: zone \"%V\": nonce secret \"%V\" refused: %s", &z->name,
                                       &o->nonce_secret_file, fapi_result_str(r2));
                    ngx_free(scratch);
                    return NGX_ERROR;
                }
            }
        }
        ngx_free(scratch);
        if (rc != FAPI_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "fapi: zone \"%V\": the configuration is refused: %s",
                               &z->name, fapi_result_str(rc));
            return NGX_ERROR;
        }
    }

    /* The fingerprint of everything the region holds: a reload with the same one keeps the zone
     * (and its replay table); any change gives a new zone. */
    h = ngx_http_fapi_fnv(0, o->issuer.data, o->issuer.len);
    h = ngx_http_fapi_fnv_u32(h, (uint32_t)o->issuer.len);
    h = ngx_http_fapi_fnv(h, o->audience.data, o->audience.len);
    h = ngx_http_fapi_fnv_u32(h, (uint32_t)o->audience.len);
    for (ngx_uint_t i = 0; i < z->nbases; i++) {
        h = ngx_http_fapi_fnv(h, z->bases[i].data, z->bases[i].len);
        h = ngx_http_fapi_fnv_u32(h, (uint32_t)z->bases[i].len);
    }
    {
        uint32_t words[] = {cfg->token_algs, cfg->proof_algs, cfg->leeway, cfg->proof_max_age,
                            cfg->dpop_mode, cfg->mtls_mode, cfg->unbound, cfg->nonce_required,
                            cfg->nonce_slot, cfg->fapi2_profile, cfg->accept_plain_jwt_typ,
                            cfg->max_keys, cfg->replay_slots, cfg->cache_slots,
                            cfg->es256_base_bits, cfg->es256_issuer_bits, cfg->es256_hot_bits,
                            cfg->es256_hot_keys, cfg->es256_builds_per_second,
                            (uint32_t)size, FAPI_VERIFIER_LAYOUT};
        h = ngx_http_fapi_fnv(h, words, sizeof words);
    }
    z->fingerprint = h;

    z->shm_name.len = sizeof("fapi::") - 1 + z->name.len + 16;
    z->shm_name.data = ngx_pnalloc(cf->pool, z->shm_name.len);
    if (z->shm_name.data == NULL) return NGX_ERROR;
    ngx_sprintf(z->shm_name.data, "fapi:%V:%016uxL", &z->name, h);

    /* The slab allocator's own bookkeeping needs a little room beside the region. */
    size = ngx_align(size + sizeof(ngx_http_fapi_shm_t) + 64, ngx_pagesize);
    size += size / 32 + 16 * ngx_pagesize;
    z->shm_zone = ngx_shared_memory_add(cf, &z->shm_name, size, &ngx_http_fapi_module);
    if (z->shm_zone == NULL) return NGX_ERROR;
    if (z->shm_zone->data != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "fapi: duplicate zone \"%V\"", &z->name);
        return NGX_ERROR;
    }
    z->shm_zone->init = ngx_http_fapi_init_zone;
    z->shm_zone->data = z;
    return NGX_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Variables                                                                                 */

static ngx_int_t ngx_http_fapi_cleanup_marker;

static void ngx_http_fapi_cleanup(void *data) {
    (void)data;
    (void)ngx_http_fapi_cleanup_marker;
}

/* The request's decision; found through the pool's cleanups after an internal redirect (which
 * clears module contexts), as the realip module does. */
static ngx_http_fapi_req_ctx_t *ngx_http_fapi_get_ctx(ngx_http_request_t *r) {
    ngx_http_fapi_req_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_fapi_module);
    ngx_pool_cleanup_t *cln;
    if (ctx != NULL || !r->internal) return ctx;
    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_fapi_cleanup) {
            ctx = cln->data;
            ngx_http_set_ctx(r, ctx, ngx_http_fapi_module);
            return ctx;
        }
    }
    return NULL;
}

static ngx_int_t ngx_http_fapi_var_result(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                          uintptr_t data) {
    ngx_http_fapi_req_ctx_t *ctx = ngx_http_fapi_get_ctx(r);
    const char *s;
    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }
    switch (data) {
    case 0:
        s = fapi_result_str(ctx->result);
        break;
    case 1:
        s = ctx->rc != NGX_OK ? "-"
            : ctx->binding == FAPI_BINDING_DPOP ? "dpop"
            : ctx->binding == FAPI_BINDING_MTLS ? "mtls"
            : ctx->binding == FAPI_BINDING_BOTH ? "dpop+mtls"
                                                : "none";
        break;
    default:
        s = ctx->rc != NGX_OK ? "-" : ctx->cache_hit ? "hit" : "miss";
        break;
    }
    v->data = (u_char *)s;
    v->len = ngx_strlen(s);
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    return NGX_OK;
}

/* $fapi_claim_<name>: evaluated right after an allow (the worker's context holds the claims
 * then) and cached for the rest of the request. Values with control characters are refused
 * (they would split a header upstream). */
static ngx_int_t ngx_http_fapi_var_claim(ngx_http_request_t *r, ngx_http_variable_value_t *v,
                                         uintptr_t data) {
    ngx_str_t *name = (ngx_str_t *)data;
    ngx_http_fapi_req_ctx_t *ctx = ngx_http_fapi_get_ctx(r);
    ngx_http_fapi_zone_t *z;
    const uint8_t *cn, *json;
    size_t cnl, len = 0;
    u_char *out;
    uint32_t rc;

    v->not_found = 1;
    if (ctx == NULL || !ctx->claims_live || ctx->rc != NGX_OK) return NGX_OK;
    z = ctx->lcf->zone;
    cn = name->data + sizeof(FAPI_NGX_CLAIM_PREFIX) - 1;
    cnl = name->len - (sizeof(FAPI_NGX_CLAIM_PREFIX) - 1);
    rc = fapi_ctx_claim_str(z->ctx, cn, cnl, NULL, 0, &len);
    if (rc == FAPI_ERR_BUFFER_TOO_SMALL || rc == FAPI_OK) {
        out = ngx_pnalloc(r->pool, len ? len : 1);
        if (out == NULL) return NGX_ERROR;
        if (len > 0 && fapi_ctx_claim_str(z->ctx, cn, cnl, out, len, &len) != FAPI_OK) return NGX_OK;
    } else if (rc == FAPI_ERR_CLAIMS_CLAIM_TYPE &&
               fapi_ctx_claim_json(z->ctx, cn, cnl, &json, &len) == FAPI_OK) {
        out = ngx_pnalloc(r->pool, len ? len : 1);
        if (out == NULL) return NGX_ERROR;
        ngx_memcpy(out, json, len);
    } else {
        return NGX_OK;
    }
    for (size_t i = 0; i < len; i++) {
        if (out[i] < 0x20 || out[i] == 0x7f) {
            ngx_log_t log = *r->connection->log;
            log.handler = NULL; /* no request line: its query may hold secrets */
            ngx_log_error(NGX_LOG_INFO, &log, 0,
                          "fapi: claim \"%*s\" has a control character: not passed", cnl, cn);
            return NGX_OK;
        }
    }
    v->data = out;
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    return NGX_OK;
}

static ngx_http_variable_t ngx_http_fapi_vars[] = {
    {ngx_string("fapi_result"), NULL, ngx_http_fapi_var_result, 0, NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("fapi_binding"), NULL, ngx_http_fapi_var_result, 1, NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string("fapi_cache"), NULL, ngx_http_fapi_var_result, 2, NGX_HTTP_VAR_NOCACHEABLE, 0},
    {ngx_string(FAPI_NGX_CLAIM_PREFIX), NULL, ngx_http_fapi_var_claim, 0, NGX_HTTP_VAR_PREFIX, 0},
    ngx_http_null_variable};

static ngx_int_t ngx_http_fapi_preconfiguration(ngx_conf_t *cf) {
    for (ngx_http_variable_t *v = ngx_http_fapi_vars; v->name.len; v++) {
        ngx_http_variable_t *var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) return NGX_ERROR;
        var->get_handler = v->get_handler;
        var->data = v->data;
    }
    return NGX_OK;
}

/* Finds the indexed `$fapi_claim_*` variables once per worker. */
static void ngx_http_fapi_find_claim_vars(ngx_http_request_t *r) {
    ngx_http_core_main_conf_t *cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);
    ngx_http_variable_t *v = cmcf->variables.elts;
    size_t pl = sizeof(FAPI_NGX_CLAIM_PREFIX) - 1;
    ngx_http_fapi_nclaim_vars = 0;
    for (ngx_uint_t i = 0; i < cmcf->variables.nelts; i++) {
        if (v[i].name.len > pl && ngx_strncmp(v[i].name.data, FAPI_NGX_CLAIM_PREFIX, pl) == 0 &&
            ngx_http_fapi_nclaim_vars < FAPI_NGX_MAX_CLAIM_VARS) {
            ngx_http_fapi_claim_vars[ngx_http_fapi_nclaim_vars++] = (ngx_int_t)i;
        }
    }
    ngx_http_fapi_claim_vars_known = 1;
}

/* ---------------------------------------------------------------------------------------- */
/* The access handler                                                                        */

static ngx_table_elt_t *ngx_http_fapi_add_header(ngx_http_request_t *r, const char *name,
                                                 const u_char *value, size_t len) {
    ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);
    u_char *p;
    if (h == NULL) return NULL;
    p = ngx_pnalloc(r->pool, len ? len : 1);
    if (p == NULL) {
        h->hash = 0;
        return NULL;
    }
    ngx_memcpy(p, value, len);
    h->hash = 1;
    h->key.data = (u_char *)name;
    h->key.len = ngx_strlen(name);
    h->value.data = p;
    h->value.len = len;
    h->lowcase_key = NULL;
    return h;
}

static ngx_int_t ngx_http_fapi_header_is(ngx_table_elt_t *h, const char *name, size_t len) {
    return h->key.len == len && ngx_strncasecmp(h->key.data, (u_char *)name, len) == 0;
}

/* One line per denial: the refusal's name, the status, the client and the path — never the
 * query (it may carry a token: request_token_in_query) nor a header value. nginx's usual
 * error-log context would add the whole request line, so it is left out. */
static void ngx_http_fapi_log_deny(ngx_http_request_t *r, ngx_http_fapi_req_ctx_t *ctx) {
    ngx_log_t log = *r->connection->log;
    if (log.log_level < NGX_LOG_INFO) return;
    log.handler = NULL;
    ngx_log_error(NGX_LOG_INFO, &log, 0, "fapi: deny %s %i, client: %V, path: %V",
                  fapi_result_str(ctx->result), ctx->rc, &r->connection->addr_text, &r->uri);
}

static ngx_int_t ngx_http_fapi_handler(ngx_http_request_t *r) {
    ngx_http_fapi_loc_conf_t *lcf = ngx_http_get_module_loc_conf(r, ngx_http_fapi_module);
    ngx_http_fapi_zone_t *z;
    ngx_http_fapi_req_ctx_t *ctx;
    ngx_pool_cleanup_t *cln;
    ngx_list_part_t *part;
    ngx_table_elt_t *h;
    fapi_request q;
    fapi_str auth[FAPI_MAX_FIELDS], dpop[FAPI_MAX_FIELDS];
    ngx_uint_t ncert = 0, i;
    uint32_t rc, verdict;
    const uint8_t *p;
    size_t plen;

    if (lcf->zone == NULL) return NGX_DECLINED;
    z = lcf->zone;

    ctx = ngx_http_fapi_get_ctx(r);
    if (ctx != NULL) {
        /* Decided before an internal redirect: the credentials are spent, so the decision
         * stands only for the same policy. */
        if (ctx->lcf == lcf ||
            (ctx->lcf->zone == z && ctx->lcf->scopes == lcf->scopes)) {
            return ctx->rc;
        }
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "fapi: internal redirect into another fapi policy: refused");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (z->ctx == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR; /* the worker could not attach */

    ctx = ngx_pcalloc(r->pool, sizeof(*ctx));
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (ctx == NULL || cln == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    cln->handler = ngx_http_fapi_cleanup;
    cln->data = ctx;
    ngx_http_set_ctx(r, ctx, ngx_http_fapi_module);
    ctx->lcf = lcf;

    ngx_memzero(&q, sizeof(q));
    q.struct_size = sizeof(q);
    q.version = FAPI_STRUCT_VERSION;
    q.method = (fapi_str){r->method_name.data, r->method_name.len};
    q.target = (fapi_str){r->unparsed_uri.data, r->unparsed_uri.len};
    q.base = lcf->base_index;
    q.authorization = auth;
    q.dpop = dpop;
    q.required_scopes = lcf->cscopes;
    q.required_scope_count = (uint32_t)lcf->nscopes;
    q.now = (uint64_t)ngx_time();

    /* Every Authorization and DPoP field line, and the trusted certificate header. */
    ngx_int_t from_proxy = lcf->cert_header_format != 0 &&
                           ngx_cidr_match(r->connection->sockaddr, lcf->trusted_proxies) == NGX_OK;
    part = &r->headers_in.headers.part;
    h = part->elts;
    for (i = 0; /* void */; i++) {
        if (i >= part->nelts) {
            if (part->next == NULL) break;
            part = part->next;
            h = part->elts;
            i = 0;
        }
        if (ngx_http_fapi_header_is(&h[i], "authorization", 13)) {
            if (q.authorization_count < FAPI_MAX_FIELDS) {
                auth[q.authorization_count++] = (fapi_str){h[i].value.data, h[i].value.len};
            }
        } else if (ngx_http_fapi_header_is(&h[i], "dpop", 4)) {
            if (q.dpop_count < FAPI_MAX_FIELDS) {
                dpop[q.dpop_count++] = (fapi_str){h[i].value.data, h[i].value.len};
            }
        } else if (from_proxy && h[i].key.len == lcf->cert_header.len &&
                   ngx_strncasecmp(h[i].key.data, lcf->cert_header.data, h[i].key.len) == 0) {
            ncert++;
            if (h[i].value.len > 0) { /* empty: the proxy had no client certificate */
                q.client_cert = (fapi_str){h[i].value.data, h[i].value.len};
                q.cert_encoding = (uint32_t)lcf->cert_header_format;
                q.cert_source = FAPI_CERT_SOURCE_TRUSTED_PROXY;
            }
        }
    }
    if (ncert > 1) {
        ctx->rc = NGX_HTTP_BAD_REQUEST;
        ctx->result = FAPI_ERR_MTLS_CERT_MALFORMED;
        ngx_http_fapi_log_deny(r, ctx);
        return ctx->rc;
    }

#if (NGX_HTTP_SSL)
    /* Not from a trusted proxy: the certificate of nginx's own TLS connection, if any. */
    if (!from_proxy && r->connection->ssl) {
        X509 *cert = SSL_get_peer_certificate(r->connection->ssl->connection);
        if (cert != NULL) {
            int n = i2d_X509(cert, NULL);
            u_char *der = n > 0 ? ngx_pnalloc(r->pool, (size_t)n) : NULL;
            u_char *w = der;
            if (der != NULL && i2d_X509(cert, &w) == n) {
                q.client_cert = (fapi_str){der, (size_t)n};
                q.cert_encoding = FAPI_CERT_DER;
                q.cert_source = FAPI_CERT_SOURCE_TLS;
            }
            X509_free(cert);
        }
    }
#endif

    rc = fapi_check_request(z->v, z->ctx, &q);
    if (rc == FAPI_OK && fapi_ctx_verdict(z->ctx) == FAPI_VERDICT_NEEDS_REPLAY_CHECK) {
#if (FAPI_NGX_REDIS)
        if (z->redis != NULL) {
            rc = fapi_redis_complete(z->v, z->ctx, z->redis);
        } else
#endif
        {
            rc = fapi_complete_replay(z->v, z->ctx, FAPI_REPLAY_STORE_ERROR);
        }
    }
    if (rc != FAPI_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "fapi: fapi_check_request: %s",
                      fapi_result_str(rc));
        ctx->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        ctx->result = rc;
        return ctx->rc;
    }
    verdict = fapi_ctx_verdict(z->ctx);
    ctx->result = fapi_ctx_result(z->ctx);
    if (fapi_ctx_dpop_nonce(z->ctx, &p, &plen) == FAPI_OK && plen <= sizeof ctx->nonce) {
        ngx_memcpy(ctx->nonce, p, plen);
        ctx->nonce_len = plen;
    }

    if (verdict == FAPI_VERDICT_ALLOW) {
        ctx->rc = NGX_OK;
        (void)fapi_ctx_binding(z->ctx, &ctx->binding, &ctx->cache_hit, NULL, NULL);
        /* Copy every claim the configuration names while the context holds them. */
        if (!ngx_http_fapi_claim_vars_known) ngx_http_fapi_find_claim_vars(r);
        ctx->claims_live = 1;
        for (i = 0; i < ngx_http_fapi_nclaim_vars; i++) {
            ngx_http_variable_value_t *vv = &r->variables[ngx_http_fapi_claim_vars[i]];
            vv->valid = 0;
            vv->not_found = 0;
            (void)ngx_http_get_indexed_variable(r, (ngx_uint_t)ngx_http_fapi_claim_vars[i]);
        }
        ctx->claims_live = 0;
        return NGX_OK;
    }

    ctx->rc = verdict == FAPI_VERDICT_DENY ? (ngx_int_t)fapi_ctx_http_status(z->ctx) : 0;
    if (ctx->rc < 400 || ctx->rc > 599) ctx->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
    if (fapi_ctx_www_authenticate(z->ctx, &p, &plen) == FAPI_OK && plen > 0) {
        h = ngx_http_fapi_add_header(r, "WWW-Authenticate", p, plen);
        if (h != NULL) r->headers_out.www_authenticate = h;
    }
    if (ctx->nonce_len > 0) {
        (void)ngx_http_fapi_add_header(r, "DPoP-Nonce", ctx->nonce, ctx->nonce_len);
        (void)ngx_http_fapi_add_header(r, "Cache-Control", (u_char *)"no-store", 8);
    }
    ngx_http_fapi_log_deny(r, ctx);
    return ctx->rc;
}

/* Allowed responses carry the current DPoP-Nonce (and must then not be cached). */
static ngx_int_t ngx_http_fapi_header_filter(ngx_http_request_t *r) {
    ngx_http_fapi_req_ctx_t *ctx;
    if (r == r->main) {
        ctx = ngx_http_fapi_get_ctx(r);
        if (ctx != NULL && ctx->rc == NGX_OK && ctx->nonce_len > 0) {
            (void)ngx_http_fapi_add_header(r, "DPoP-Nonce", ctx->nonce, ctx->nonce_len);
            (void)ngx_http_fapi_add_header(r, "Cache-Control", (u_char *)"no-store", 8);
        }
    }
    return ngx_http_next_header_filter(r);
}

static ngx_int_t ngx_http_fapi_postconfiguration(ngx_conf_t *cf) {
    ngx_http_fapi_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_fapi_module);
    ngx_http_core_main_conf_t *cmcf;
    ngx_http_handler_pt *hp;
    ngx_http_fapi_zone_t **zp = mcf->zones.elts;

    if (mcf->zones.nelts == 0) return NGX_OK;
    for (ngx_uint_t i = 0; i < mcf->zones.nelts; i++) {
        if (ngx_http_fapi_setup_zone(cf, zp[i]) != NGX_OK) return NGX_ERROR;
    }
    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    hp = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (hp == NULL) return NGX_ERROR;
    *hp = ngx_http_fapi_handler;
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_fapi_header_filter;
    return NGX_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Workers                                                                                   */

/* One worker per interval re-reads the JWKS file and installs it when its content changed. */
static void ngx_http_fapi_jwks_tick(ngx_event_t *ev) {
    ngx_http_fapi_zone_t *z = ev->data;
    ngx_http_fapi_loc_conf_t *o = z->owner;
    ngx_http_fapi_shm_t *shm = z->shm;
    ngx_atomic_uint_t next = shm->jwks_next_check;
    ngx_atomic_uint_t now = (ngx_atomic_uint_t)ngx_time();
    ngx_atomic_uint_t period = o->jwks_refresh / 1000 ? o->jwks_refresh / 1000 : 1;

    if (now >= next && ngx_atomic_cmp_set(&shm->jwks_next_check, next, now + period)) {
        size_t len = 0;
        u_char *buf = ngx_http_fapi_read_file(&o->jwks_file, &len, ev->log, NGX_LOG_ERR);
        if (buf == NULL) {
            (void)ngx_atomic_fetch_add(&shm->jwks_failures, 1);
        } else {
            uint64_t h = ngx_http_fapi_fnv(0, buf, len);
            if (h != shm->jwks_hash) {
                uint32_t loaded = 0, skipped = 0;
                uint32_t rc = fapi_verifier_set_jwks(z->v, buf, len, &loaded, &skipped);
                if (rc == FAPI_OK) {
                    shm->jwks_hash = h;
                    (void)ngx_atomic_fetch_add(&shm->jwks_loads, 1);
                    ngx_log_error(NGX_LOG_NOTICE, ev->log, 0,
                                  "fapi: zone \"%V\": JWKS \"%V\" changed: %uD key(s) loaded, %uD skipped",
                                  &z->name, &o->jwks_file, loaded, skipped);
                } else {
                    (void)ngx_atomic_fetch_add(&shm->jwks_failures, 1);
                    ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                                  "fapi: zone \"%V\": JWKS \"%V\" refused (%s): the old key set stays",
                                  &z->name, &o->jwks_file, fapi_result_str(rc));
                }
            }
            ngx_free(buf);
        }
    }
    if (!ngx_exiting && !ngx_terminate && !ngx_quit) ngx_add_timer(ev, o->jwks_refresh);
}

static ngx_int_t ngx_http_fapi_init_process(ngx_cycle_t *cycle) {
    ngx_http_fapi_main_conf_t *mcf;
    ngx_http_fapi_zone_t **zp;
    void *mem;
    size_t len;

    if (ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE) return NGX_OK;
    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_fapi_module);
    if (mcf == NULL) return NGX_OK;
    zp = mcf->zones.elts;
    for (ngx_uint_t i = 0; i < mcf->zones.nelts; i++) {
        ngx_http_fapi_zone_t *z = zp[i];
        ngx_slab_pool_t *shpool = (ngx_slab_pool_t *)z->shm_zone->shm.addr;
        z->shm = shpool->data;
        if (z->shm == NULL ||
            fapi_verifier_attach(z->shm->region, z->shm->region_len, &z->v) != FAPI_OK) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "fapi: zone \"%V\": cannot attach", &z->name);
            continue; /* requests to this zone fail closed (500) */
        }
        len = fapi_ctx_size(&z->cfg);
        mem = ngx_memalign(64, len, cycle->log);
        if (mem == NULL || fapi_ctx_init(mem, len, &z->ctx) != FAPI_OK) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "fapi: zone \"%V\": no context", &z->name);
            z->ctx = NULL;
            continue;
        }
        if (z->owner->crypto == FAPI_NGX_CRYPTO_OPENSSL) {
            fapi_crypto_provider prov;
            z->ossl = ngx_alloc(sizeof(fapi_openssl_state), cycle->log);
            if (z->ossl == NULL || fapi_openssl_state_init(z->ossl, NULL, NULL) != 0 ||
                fapi_openssl_provider(&prov, z->ossl) != 0 ||
                fapi_ctx_set_provider(z->ctx, &prov) != FAPI_OK) {
                ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "fapi: zone \"%V\": OpenSSL provider failed",
                              &z->name);
                z->ctx = NULL;
                continue;
            }
        }
#if (FAPI_NGX_REDIS)
        if (z->owner->redis_port >= 0) {
            char host[FAPI_REDIS_MAX_HOST];
            ngx_memcpy(host, z->owner->redis_host.data, z->owner->redis_host.len);
            host[z->owner->redis_host.len] = '\0';
            z->redis = ngx_alloc(sizeof(fapi_redis_store), cycle->log);
            if (z->redis == NULL ||
                fapi_redis_store_init(z->redis, host, (int)z->owner->redis_port,
                                      (unsigned)z->owner->redis_timeout, NULL) != 0) {
                ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "fapi: zone \"%V\": Redis store failed",
                              &z->name);
                z->redis = NULL; /* decisions then fail closed (503) */
            }
        }
#endif
        if (z->owner->jwks_refresh > 0) {
            z->jwks_timer.handler = ngx_http_fapi_jwks_tick;
            z->jwks_timer.data = z;
            z->jwks_timer.log = cycle->log;
            z->jwks_timer.cancelable = 1;
            ngx_add_timer(&z->jwks_timer, z->owner->jwks_refresh);
        }
    }
    return NGX_OK;
}

static void ngx_http_fapi_exit_process(ngx_cycle_t *cycle) {
    ngx_http_fapi_main_conf_t *mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_fapi_module);
    ngx_http_fapi_zone_t **zp;
    if (mcf == NULL) return;
    zp = mcf->zones.elts;
    for (ngx_uint_t i = 0; i < mcf->zones.nelts; i++) {
        ngx_http_fapi_zone_t *z = zp[i];
        uint32_t builds = 0, limited = 0;
        /* The zone's ES256 hot-key counters (shared by the workers), for operators. */
        if (z->v != NULL && fapi_verifier_table_stats(z->v, &builds, &limited) == FAPI_OK) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "fapi: zone \"%V\": ES256 tables: %uD hot-key table(s) built, %uD "
                          "refused by the rate limit",
                          &z->name, builds, limited);
        }
        if (z->ctx != NULL) (void)fapi_ctx_release(z->ctx);
        if (z->ossl != NULL) (void)fapi_openssl_state_cleanup(z->ossl);
#if (FAPI_NGX_REDIS)
        if (z->redis != NULL) fapi_redis_store_close(z->redis);
#endif
    }
}
