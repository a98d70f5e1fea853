/*
 * Shared by fapi-gateway and fapi-check: the JSON configuration (read with json-c), the
 * verifier and context set-up, route scopes, and small helpers.
 *
 * Nothing here decides anything about a request: every verdict comes from fapi.
 */
#ifndef GW_COMMON_H
#define GW_COMMON_H

#include "fapi.h"
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_MAX_ROUTES 32
#define GW_MAX_PREFIX 256
#define GW_MAX_FILE (1024 * 1024) /* largest JWKS, secret or certificate file read */
#define GW_ERR 512                /* size of error message buffers */

/* A route: requests whose (normalised) path is `prefix` or lies below it need `scopes`. */
typedef struct gw_route {
    char prefix[GW_MAX_PREFIX];
    size_t prefix_len;
    fapi_str scopes[FAPI_MAX_SCOPES];
    uint32_t scope_count;
} gw_route;

/* A configured public base split into its parts (for fapi-check's URL matching). */
typedef struct gw_base {
    char scheme[8];   /* "http" or "https", lower case */
    char host[256];   /* lower case; an IPv6 literal keeps its brackets */
    unsigned port;    /* effective port (default for the scheme when absent) */
    char prefix[GW_MAX_PREFIX]; /* path prefix without trailing '/', may be empty */
} gw_base;

typedef struct gw_config {
    json_object *root; /* owns every string `cfg` and `routes` point into */
    fapi_config cfg;
    fapi_str bases[FAPI_MAX_BASES];
    gw_base base_parts[FAPI_MAX_BASES];
    uint8_t *jwks;
    size_t jwks_len;
    uint8_t *nonce_secret;
    size_t nonce_secret_len;
    bool trusted_proxy_cert_header;
    bool has_routes;
    gw_route routes[GW_MAX_ROUTES];
    size_t route_count;
} gw_config;

typedef struct gw_runtime {
    void *verifier_mem;
    size_t verifier_len;
    fapi_verifier *v;
    void *ctx_mem;
    fapi_ctx *ctx;
    uint32_t keys_loaded, keys_skipped;
} gw_runtime;

/* Reads and checks the configuration file. Returns 0, or -1 with a message in `err`. */
int gw_config_load(gw_config *gc, const char *path, char *err, size_t errcap);
void gw_config_free(gw_config *gc);

/* Formats the verifier and one context, loads the JWKS and the nonce secret. */
int gw_runtime_init(gw_runtime *rt, const gw_config *gc, uint64_t now, char *err, size_t errcap);
void gw_runtime_free(gw_runtime *rt);

/*
 * The route for a request path (the path part of the target, no query). The path is
 * normalised first (percent-encoded unreserved characters decoded, dot segments refused) so
 * that `/%70ayments` cannot dodge the `/payments` route. Returns the route, or NULL with
 * `*bad_path` set (a path the gateway refuses: 400) or clear (no route matches: 404).
 */
const gw_route *gw_route_for(const gw_config *gc, const char *path, size_t len, bool *bad_path);

/* Splits a request target (origin-form or absolute-form) and returns its path part. */
int gw_target_path(const char *target, size_t len, const char **path, size_t *path_len);

/* Reads a whole file (at most `max` bytes). Returns 0, or -1 with a message in `err`. */
int gw_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                 size_t errcap);

/* "none", "dpop", "mtls", "dpop+mtls". */
const char *gw_binding_name(uint32_t binding);

/* "allow", "deny", "needs_replay_check", "none". */
const char *gw_verdict_name(uint32_t verdict);

/* Fills 32 bytes from /dev/urandom. Returns 0 or -1. */
int gw_random(uint8_t *out, size_t len);

/*
 * fapi-check: picks the configured base for an absolute URL (scheme, host and port equal, the
 * longest path prefix that the URL's path extends) and the target to pass to fapi (the rest of
 * the path plus the query, never the fragment). Returns 0, or -1 with a message in `err`.
 */
int gw_url_to_request(const gw_config *gc, const char *url, uint32_t *base, char *target,
                      size_t target_cap, char *err, size_t errcap);

#endif
