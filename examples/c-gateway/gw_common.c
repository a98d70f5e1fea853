/*
 * Configuration, verifier set-up and helpers shared by fapi-gateway and fapi-check.
 */
#define _POSIX_C_SOURCE 200809L

#include "gw_common.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

int gw_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                 size_t errcap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return fail(err, errcap, "cannot open %s: %s", path, strerror(errno));
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return fail(err, errcap, "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                fclose(f);
                return fail(err, errcap, "%s is larger than %zu bytes", path, max);
            }
            cap = cap * 2 > max ? max : cap * 2;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(err, errcap, "out of memory");
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return fail(err, errcap, "cannot read %s", path);
    }
    fclose(f);
    buf[n] = 0; /* convenience NUL; not counted */
    *out = buf;
    *len = n;
    return 0;
}

int gw_random(uint8_t *out, size_t len) {
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f) {
        return -1;
    }
    size_t got = fread(out, 1, len, f);
    fclose(f);
    return got == len ? 0 : -1;
}

const char *gw_binding_name(uint32_t binding) {
    switch (binding) {
    case FAPI_BINDING_NONE: return "none";
    case FAPI_BINDING_DPOP: return "dpop";
    case FAPI_BINDING_MTLS: return "mtls";
    case FAPI_BINDING_BOTH: return "dpop+mtls";
    default: return "unknown";
    }
}

const char *gw_verdict_name(uint32_t verdict) {
    switch (verdict) {
    case FAPI_VERDICT_ALLOW: return "allow";
    case FAPI_VERDICT_DENY: return "deny";
    case FAPI_VERDICT_NEEDS_REPLAY_CHECK: return "needs_replay_check";
    default: return "none";
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Paths and routes                                                                          */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool unreserved(int c) {
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * Normalises a path for route matching (RFC 3986 §6.2.2.2): percent-encoded unreserved
 * characters are decoded, other escapes get upper-case hex. Dot segments, invalid escapes and
 * paths that do not start with '/' are refused (returns -1); so is a path too long for `out`.
 */
static int normalise_path(const char *p, size_t n, char *out, size_t cap, size_t *out_len) {
    size_t o = 0;
    if (n == 0) { /* absolute-form without a path: "/" */
        p = "/";
        n = 1;
    }
    if (p[0] != '/') return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (o + 3 >= cap) return -1;
        if (c == '%') {
            if (i + 2 >= n) return -1;
            int h = hexval((unsigned char)p[i + 1]), l = hexval((unsigned char)p[i + 2]);
            if (h < 0 || l < 0) return -1;
            int v = h * 16 + l;
            i += 2;
            if (unreserved(v)) {
                out[o++] = (char)v;
            } else {
                out[o++] = '%';
                out[o++] = "0123456789ABCDEF"[h];
                out[o++] = "0123456789ABCDEF"[l];
            }
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = 0;
    /* Refuse "." and ".." segments (also when they were percent-encoded). */
    size_t seg = 1;
    for (size_t i = 1; i <= o; i++) {
        if (i == o || out[i] == '/') {
            size_t sl = i - seg;
            if ((sl == 1 && out[seg] == '.') || (sl == 2 && out[seg] == '.' && out[seg + 1] == '.')) {
                return -1;
            }
            seg = i + 1;
        }
    }
    *out_len = o;
    return 0;
}

int gw_target_path(const char *t, size_t n, const char **path, size_t *path_len) {
    size_t i = 0;
    if (n > 0 && t[0] == '/') {
        i = 0;
    } else {
        size_t skip = 0;
        if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
            skip = 7;
        } else if (n >= 8 && strncasecmp(t, "https://", 8) == 0) {
            skip = 8;
        } else {
            return -1;
        }
        i = skip;
        while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#') i++;
        if (i == skip) return -1; /* no authority */
    }
    size_t start = i;
    while (i < n && t[i] != '?' && t[i] != '#') i++;
    *path = t + start;
    *path_len = i - start;
    return 0;
}

const gw_route *gw_route_for(const gw_config *gc, const char *path, size_t len, bool *bad_path) {
    static const gw_route everything = {"/", 1, {{0}}, 0};
    char norm[8192];
    size_t nl = 0;
    *bad_path = false;
    if (normalise_path(path, len, norm, sizeof norm, &nl) != 0) {
        *bad_path = true;
        return NULL;
    }
    if (!gc->has_routes) return &everything;
    const gw_route *best = NULL;
    for (size_t r = 0; r < gc->route_count; r++) {
        const gw_route *rt = &gc->routes[r];
        size_t pl = rt->prefix_len;
        bool match = false;
        if (pl == 1 && rt->prefix[0] == '/') {
            match = true;
        } else if (nl >= pl && memcmp(norm, rt->prefix, pl) == 0 &&
                   (nl == pl || norm[pl] == '/')) {
            match = true;
        }
        if (match && (!best || pl > best->prefix_len)) best = rt;
    }
    return best;
}

/* ---------------------------------------------------------------------------------------- */
/* Bases and URLs                                                                            */

/* Splits "scheme://authority[path]" (no userinfo) into parts. The path is returned raw. */
static int split_url(const char *u, size_t n, gw_base *b, const char **rest, size_t *rest_len,
                     char *err, size_t errcap) {
    size_t i = 0;
    while (i < n && u[i] != ':') i++;
    if (i == 0 || i >= sizeof b->scheme || i + 3 > n || memcmp(u + i, "://", 3) != 0) {
        return fail(err, errcap, "not an absolute http(s) URL");
    }
    for (size_t k = 0; k < i; k++) b->scheme[k] = (char)tolower((unsigned char)u[k]);
    b->scheme[i] = 0;
    unsigned def;
    if (strcmp(b->scheme, "https") == 0) {
        def = 443;
    } else if (strcmp(b->scheme, "http") == 0) {
        def = 80;
    } else {
        return fail(err, errcap, "scheme is not http or https");
    }
    size_t a = i + 3, e = a;
    while (e < n && u[e] != '/' && u[e] != '?' && u[e] != '#') e++;
    if (e == a) return fail(err, errcap, "no host");
    if (memchr(u + a, '@', e - a)) return fail(err, errcap, "userinfo is not allowed");
    /* host: [v6] or reg-name/IPv4; then optional :port */
    size_t h_end;
    if (u[a] == '[') {
        const char *rb = memchr(u + a, ']', e - a);
        if (!rb) return fail(err, errcap, "unterminated IPv6 literal");
        h_end = (size_t)(rb - u) + 1;
    } else {
        h_end = a;
        while (h_end < e && u[h_end] != ':') h_end++;
    }
    if (h_end - a == 0 || h_end - a >= sizeof b->host) return fail(err, errcap, "bad host");
    for (size_t k = a; k < h_end; k++) b->host[k - a] = (char)tolower((unsigned char)u[k]);
    b->host[h_end - a] = 0;
    b->port = def;
    if (h_end < e) {
        if (u[h_end] != ':') return fail(err, errcap, "bad authority");
        size_t p = h_end + 1;
        if (p < e) { /* an empty port means the default (RFC 3986 §6.2.3) */
            unsigned long port = 0;
            for (size_t k = p; k < e; k++) {
                if (!isdigit((unsigned char)u[k])) return fail(err, errcap, "bad port");
                port = port * 10 + (unsigned long)(u[k] - '0');
                if (port > 65535) return fail(err, errcap, "bad port");
            }
            b->port = (unsigned)port;
        }
    }
    *rest = u + e;
    *rest_len = n - e;
    return 0;
}

static int parse_base(const char *s, size_t n, gw_base *b, char *err, size_t errcap) {
    const char *rest;
    size_t rl;
    memset(b, 0, sizeof *b);
    if (split_url(s, n, b, &rest, &rl, err, errcap) != 0) return -1;
    if (memchr(rest, '?', rl) || memchr(rest, '#', rl)) {
        return fail(err, errcap, "a base has no query or fragment");
    }
    if (rl >= sizeof b->prefix) return fail(err, errcap, "base path prefix too long");
    memcpy(b->prefix, rest, rl);
    b->prefix[rl] = 0;
    return 0;
}

int gw_url_to_request(const gw_config *gc, const char *url, uint32_t *base, char *target,
                      size_t target_cap, char *err, size_t errcap) {
    gw_base u;
    const char *rest;
    size_t rl, n = strlen(url);
    char why[200];
    memset(&u, 0, sizeof u);
    if (split_url(url, n, &u, &rest, &rl, why, sizeof why) != 0) {
        return fail(err, errcap, "--url must be an absolute http(s) URL (%s): %s", why, url);
    }
    /* path = rest up to '?' or '#'; query = from '?' up to '#' */
    size_t pe = 0;
    while (pe < rl && rest[pe] != '?' && rest[pe] != '#') pe++;
    size_t qe = pe;
    while (qe < rl && rest[qe] != '#') qe++;
    int best = -1;
    size_t best_len = 0;
    bool origin_seen = false;
    for (size_t i = 0; i < gc->cfg.base_count; i++) {
        const gw_base *b = &gc->base_parts[i];
        if (strcmp(b->scheme, u.scheme) != 0 || strcmp(b->host, u.host) != 0 || b->port != u.port) {
            continue;
        }
        origin_seen = true;
        size_t pl = strlen(b->prefix);
        if (pl == 0 || (pe > pl && memcmp(rest, b->prefix, pl) == 0 && rest[pl] == '/')) {
            if (best < 0 || pl > best_len) {
                best = (int)i;
                best_len = pl;
            }
        }
    }
    if (best < 0) {
        size_t o = (size_t)snprintf(err, errcap,
                                    "the URL's origin %s://%s:%u%s matches no configured base "
                                    "(fapi checks htu against configured bases only, never a "
                                    "URL rebuilt from Host); configured:",
                                    u.scheme, u.host, u.port,
                                    origin_seen ? " (with that path prefix)" : "");
        for (size_t i = 0; i < gc->cfg.base_count && o < errcap; i++) {
            o += (size_t)snprintf(err + o, errcap - o, " %.*s", (int)gc->bases[i].len,
                                  (const char *)gc->bases[i].ptr);
        }
        return -1;
    }
    /* target = path after the base prefix (or "/") + query */
    const char *p = rest + best_len;
    size_t plen = pe - best_len;
    size_t need = (plen == 0 ? 1 : plen) + (qe - pe) + 1;
    if (need > target_cap) return fail(err, errcap, "URL too long");
    size_t o = 0;
    if (plen == 0) {
        target[o++] = '/';
    } else {
        memcpy(target, p, plen);
        o = plen;
    }
    memcpy(target + o, rest + pe, qe - pe);
    o += qe - pe;
    target[o] = 0;
    *base = (uint32_t)best;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                             */

static int get_bool(json_object *v, const char *key, bool *out, char *err, size_t errcap) {
    if (!json_object_is_type(v, json_type_boolean)) {
        return fail(err, errcap, "config: \"%s\" must be true or false", key);
    }
    *out = json_object_get_boolean(v);
    return 0;
}

static int get_u32(json_object *v, const char *key, uint32_t *out, char *err, size_t errcap) {
    if (!json_object_is_type(v, json_type_int)) {
        return fail(err, errcap, "config: \"%s\" must be a whole number", key);
    }
    int64_t x = json_object_get_int64(v);
    if (x < 0 || x > (int64_t)UINT32_MAX) {
        return fail(err, errcap, "config: \"%s\" is out of range", key);
    }
    *out = (uint32_t)x;
    return 0;
}

static int get_str(json_object *v, const char *key, fapi_str *out, char *err, size_t errcap) {
    if (!json_object_is_type(v, json_type_string)) {
        return fail(err, errcap, "config: \"%s\" must be a string", key);
    }
    out->ptr = (const uint8_t *)json_object_get_string(v);
    out->len = (size_t)json_object_get_string_len(v);
    if (memchr(out->ptr, 0, out->len)) {
        return fail(err, errcap, "config: \"%s\" contains a NUL character", key);
    }
    return 0;
}

/* The ES256 table fields of fapi_config (the gateway preset, all zero, or explicit widths). */
static void set_tables(fapi_config *c, bool on) {
    c->es256_base_bits = on ? FAPI_ES256_GATEWAY_BASE_BITS : 0;
    c->es256_issuer_bits = on ? FAPI_ES256_GATEWAY_ISSUER_BITS : 0;
    c->es256_hot_bits = on ? FAPI_ES256_GATEWAY_HOT_BITS : 0;
    c->es256_hot_keys = on ? FAPI_ES256_GATEWAY_HOT_KEYS : 0;
    c->es256_builds_per_second = on ? FAPI_ES256_GATEWAY_BUILDS_PER_SECOND : 0;
}

/* "es256_tables": "gateway" | "off" | {"base", "issuer", "hot", "hot_keys",
 * "builds_per_second"} (missing members 0; fapi_verifier_init checks the values). */
static int get_tables(json_object *v, fapi_config *c, char *err, size_t errcap) {
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        if (strcmp(s, "gateway") == 0 || strcmp(s, "off") == 0) {
            set_tables(c, strcmp(s, "gateway") == 0);
            return 0;
        }
    } else if (json_object_is_type(v, json_type_object)) {
        set_tables(c, false);
        json_object_object_foreach(v, k, m) {
            uint32_t *f = strcmp(k, "base") == 0                ? &c->es256_base_bits
                          : strcmp(k, "issuer") == 0            ? &c->es256_issuer_bits
                          : strcmp(k, "hot") == 0               ? &c->es256_hot_bits
                          : strcmp(k, "hot_keys") == 0          ? &c->es256_hot_keys
                          : strcmp(k, "builds_per_second") == 0 ? &c->es256_builds_per_second
                                                                : NULL;
            if (f == NULL) return fail(err, errcap, "config: es256_tables: unknown key \"%s\"", k);
            if (get_u32(m, k, f, err, errcap) != 0) return -1;
        }
        return 0;
    }
    return fail(err, errcap,
                "config: \"es256_tables\" must be \"gateway\", \"off\" or {\"base\", \"issuer\", "
                "\"hot\", \"hot_keys\", \"builds_per_second\"}");
}

static int get_mode(json_object *v, const char *key, uint32_t *out, char *err, size_t errcap) {
    fapi_str s;
    if (get_str(v, key, &s, err, errcap) != 0) return -1;
    const char *t = (const char *)s.ptr;
    if (strcmp(t, "off") == 0) {
        *out = FAPI_MODE_OFF;
    } else if (strcmp(t, "optional") == 0) {
        *out = FAPI_MODE_OPTIONAL;
    } else if (strcmp(t, "required") == 0) {
        *out = FAPI_MODE_REQUIRED;
    } else {
        return fail(err, errcap, "config: \"%s\" must be \"off\", \"optional\" or \"required\"",
                    key);
    }
    return 0;
}

static int get_algs(json_object *v, const char *key, uint32_t *out, char *err, size_t errcap) {
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {{"ES256", FAPI_ALG_ES256},
                 {"EdDSA", FAPI_ALG_EDDSA},
                 {"Ed25519", FAPI_ALG_ED25519},
                 {"PS256", FAPI_ALG_PS256},
                 {"RS256", FAPI_ALG_RS256}};
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0) {
        return fail(err, errcap, "config: \"%s\" must be a non-empty list of algorithm names",
                    key);
    }
    uint32_t bits = 0;
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string)) {
            return fail(err, errcap, "config: \"%s\" must list strings", key);
        }
        const char *s = json_object_get_string(e);
        bool found = false;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (strcmp(s, names[k].name) == 0) { /* case-sensitive, as JWS alg values are */
                bits |= names[k].bit;
                found = true;
            }
        }
        if (!found) {
            return fail(err, errcap,
                        "config: \"%s\": unknown algorithm \"%s\" (ES256, EdDSA, Ed25519, "
                        "PS256, RS256)",
                        key, s);
        }
    }
    *out = bits;
    return 0;
}

/* `rel` relative to the directory of `cfg_path` unless absolute. Caller frees. */
static char *resolve(const char *cfg_path, const char *rel) {
    if (rel[0] == '/') return strdup(rel);
    const char *slash = strrchr(cfg_path, '/');
    size_t dl = slash ? (size_t)(slash - cfg_path) + 1 : 0;
    char *p = malloc(dl + strlen(rel) + 1);
    if (!p) return NULL;
    memcpy(p, cfg_path, dl);
    strcpy(p + dl, rel);
    return p;
}

static int load_routes(gw_config *gc, json_object *v, char *err, size_t errcap) {
    if (!json_object_is_type(v, json_type_array)) {
        return fail(err, errcap, "config: \"routes\" must be a list of {\"prefix\", \"scopes\"}");
    }
    size_t n = json_object_array_length(v);
    if (n > GW_MAX_ROUTES) return fail(err, errcap, "config: more than %d routes", GW_MAX_ROUTES);
    gc->has_routes = true;
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(v, i);
        gw_route *rt = &gc->routes[i];
        memset(rt, 0, sizeof *rt);
        if (!json_object_is_type(r, json_type_object)) {
            return fail(err, errcap, "config: routes[%zu] must be an object", i);
        }
        bool have_prefix = false;
        json_object_object_foreach(r, key, val) {
            if (strcmp(key, "prefix") == 0) {
                fapi_str s;
                if (get_str(val, "routes[].prefix", &s, err, errcap) != 0) return -1;
                size_t nl = 0;
                char norm[GW_MAX_PREFIX];
                if (s.len == 0 || s.len >= GW_MAX_PREFIX ||
                    normalise_path((const char *)s.ptr, s.len, norm, sizeof norm, &nl) != 0 ||
                    nl != s.len || memcmp(norm, s.ptr, nl) != 0 || strchr(norm, '?') ||
                    (nl > 1 && norm[nl - 1] == '/')) {
                    return fail(err, errcap,
                                "config: routes[%zu].prefix must be a normalised path starting "
                                "with '/' without a trailing '/' (or \"/\")",
                                i);
                }
                memcpy(rt->prefix, norm, nl + 1);
                rt->prefix_len = nl;
                have_prefix = true;
            } else if (strcmp(key, "scopes") == 0) {
                if (!json_object_is_type(val, json_type_array) ||
                    json_object_array_length(val) > FAPI_MAX_SCOPES) {
                    return fail(err, errcap,
                                "config: routes[%zu].scopes must be a list of at most %d strings",
                                i, FAPI_MAX_SCOPES);
                }
                for (size_t k = 0; k < json_object_array_length(val); k++) {
                    if (get_str(json_object_array_get_idx(val, k), "routes[].scopes[]",
                                &rt->scopes[k], err, errcap) != 0) {
                        return -1;
                    }
                }
                rt->scope_count = (uint32_t)json_object_array_length(val);
            } else {
                return fail(err, errcap, "config: routes[%zu]: unknown key \"%s\"", i, key);
            }
        }
        if (!have_prefix) return fail(err, errcap, "config: routes[%zu] has no prefix", i);
    }
    gc->route_count = n;
    return 0;
}

typedef struct load_state {
    bool have_iss, have_aud, have_bases, have_jwks, nonce_required;
    const char *nonce_file;
} load_state;

/* One top-level configuration member. */
static int config_key(gw_config *gc, load_state *st, const char *path, const char *key,
                      json_object *val, char *err, size_t errcap) {
    fapi_config *c = &gc->cfg;
    char msg[GW_ERR];
    int rc = 0;
    bool b = false;
    if (strcmp(key, "issuer") == 0) {
        rc = get_str(val, key, &c->issuer, err, errcap);
        st->have_iss = true;
    } else if (strcmp(key, "audience") == 0) {
        rc = get_str(val, key, &c->audience, err, errcap);
        st->have_aud = true;
    } else if (strcmp(key, "bases") == 0) {
        size_t n;
        if (!json_object_is_type(val, json_type_array) ||
            (n = json_object_array_length(val)) == 0 || n > FAPI_MAX_BASES) {
            rc = fail(err, errcap, "config: \"bases\" must be a list of 1 to %d URLs",
                      FAPI_MAX_BASES);
            return rc;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = get_str(json_object_array_get_idx(val, i), "bases[]", &gc->bases[i], err,
                         errcap);
            if (rc == 0 &&
                parse_base((const char *)gc->bases[i].ptr, gc->bases[i].len,
                           &gc->base_parts[i], msg, sizeof msg) != 0) {
                rc = fail(err, errcap, "config: bases[%zu] \"%s\": %s", i,
                          (const char *)gc->bases[i].ptr, msg);
            }
        }
        c->bases = gc->bases;
        c->base_count = n;
        st->have_bases = true;
    } else if (strcmp(key, "jwks") == 0) {
        if (st->have_jwks) {
            rc = fail(err, errcap, "config: give \"jwks\" or \"jwks_file\", not both");
            return rc;
        }
        if (!json_object_is_type(val, json_type_object)) {
            rc = fail(err, errcap, "config: \"jwks\" must be a JWKS object");
            return rc;
        }
        /* Re-serialised by json-c: fapi checks it again (strictly) when it is loaded. */
        size_t jl = 0;
        const char *js = json_object_to_json_string_length(
            val, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &jl);
        gc->jwks = malloc(jl + 1);
        if (!gc->jwks) {
            rc = fail(err, errcap, "out of memory");
            return rc;
        }
        memcpy(gc->jwks, js, jl + 1);
        gc->jwks_len = jl;
        st->have_jwks = true;
    } else if (strcmp(key, "jwks_file") == 0) {
        fapi_str s;
        if (st->have_jwks) {
            rc = fail(err, errcap, "config: give \"jwks\" or \"jwks_file\", not both");
            return rc;
        }
        if ((rc = get_str(val, key, &s, err, errcap)) != 0) return rc;
        char *p = resolve(path, (const char *)s.ptr);
        if (!p) {
            rc = fail(err, errcap, "out of memory");
            return rc;
        }
        /* The file's exact bytes reach fapi's own strict JSON reader. */
        if (gw_read_file(p, 64 * 1024, &gc->jwks, &gc->jwks_len, msg, sizeof msg) != 0) {
            rc = fail(err, errcap, "config: jwks_file: %s", msg);
        }
        free(p);
        st->have_jwks = true;
    } else if (strcmp(key, "leeway") == 0) {
        rc = get_u32(val, key, &c->leeway, err, errcap);
    } else if (strcmp(key, "proof_max_age") == 0) {
        rc = get_u32(val, key, &c->proof_max_age, err, errcap);
    } else if (strcmp(key, "dpop") == 0) {
        rc = get_mode(val, key, &c->dpop_mode, err, errcap);
    } else if (strcmp(key, "mtls") == 0) {
        rc = get_mode(val, key, &c->mtls_mode, err, errcap);
    } else if (strcmp(key, "unbound") == 0) {
        fapi_str s;
        if ((rc = get_str(val, key, &s, err, errcap)) != 0) return rc;
        if (strcmp((const char *)s.ptr, "default") == 0) {
            c->unbound = FAPI_UNBOUND_DEFAULT;
        } else if (strcmp((const char *)s.ptr, "deny") == 0) {
            c->unbound = FAPI_UNBOUND_DENY;
        } else if (strcmp((const char *)s.ptr, "allow") == 0) {
            c->unbound = FAPI_UNBOUND_ALLOW;
        } else {
            rc = fail(err, errcap, "config: \"unbound\" must be \"default\", \"deny\" or "
                                   "\"allow\"");
        }
    } else if (strcmp(key, "token_algs") == 0) {
        rc = get_algs(val, key, &c->token_algs, err, errcap);
    } else if (strcmp(key, "proof_algs") == 0) {
        rc = get_algs(val, key, &c->proof_algs, err, errcap);
    } else if (strcmp(key, "accept_plain_jwt_typ") == 0) {
        rc = get_bool(val, key, &b, err, errcap);
        c->accept_plain_jwt_typ = b;
    } else if (strcmp(key, "fapi2_profile") == 0) {
        rc = get_bool(val, key, &b, err, errcap);
        c->fapi2_profile = b;
    } else if (strcmp(key, "nonce_required") == 0) {
        rc = get_bool(val, key, &st->nonce_required, err, errcap);
        c->nonce_required = st->nonce_required;
    } else if (strcmp(key, "nonce_secret_file") == 0) {
        fapi_str s;
        rc = get_str(val, key, &s, err, errcap);
        st->nonce_file = (const char *)s.ptr;
    } else if (strcmp(key, "nonce_slot") == 0) {
        rc = get_u32(val, key, &c->nonce_slot, err, errcap);
    } else if (strcmp(key, "max_token_len") == 0) {
        rc = get_u32(val, key, &c->max_token_len, err, errcap);
    } else if (strcmp(key, "max_keys") == 0) {
        rc = get_u32(val, key, &c->max_keys, err, errcap);
    } else if (strcmp(key, "replay_slots") == 0) {
        rc = get_u32(val, key, &c->replay_slots, err, errcap);
    } else if (strcmp(key, "cache_slots") == 0) {
        rc = get_u32(val, key, &c->cache_slots, err, errcap);
    } else if (strcmp(key, "es256_tables") == 0) {
        rc = get_tables(val, c, err, errcap);
    } else if (strcmp(key, "trusted_proxy_cert_header") == 0) {
        rc = get_bool(val, key, &gc->trusted_proxy_cert_header, err, errcap);
    } else if (strcmp(key, "routes") == 0) {
        rc = load_routes(gc, val, err, errcap);
    } else if (key[0] == '_') {
        /* "_comment" and other keys starting with '_' are ignored */
    } else {
        /* A typo in a security setting must not silently fall back to a default. */
        rc = fail(err, errcap, "config: unknown key \"%s\"", key);
    }
    return rc;
}

int gw_config_load(gw_config *gc, const char *path, char *err, size_t errcap) {
    uint8_t *text = NULL;
    size_t len = 0;
    char msg[GW_ERR];
    memset(gc, 0, sizeof *gc);
    if (gw_read_file(path, GW_MAX_FILE, &text, &len, msg, sizeof msg) != 0) {
        return fail(err, errcap, "config: %s", msg);
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        free(text);
        return fail(err, errcap, "out of memory");
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, (const char *)text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        free(text);
        json_object_put(root);
        return fail(err, errcap, "config %s: not valid JSON (%s, near byte %zu)", path,
                    json_tokener_error_desc(jerr), used);
    }
    for (size_t i = used; i < len; i++) {
        if (!isspace(text[i])) {
            free(text);
            json_object_put(root);
            return fail(err, errcap, "config %s: trailing data after the JSON object", path);
        }
    }
    free(text);
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return fail(err, errcap, "config %s: not a JSON object", path);
    }
    gc->root = root;

    fapi_config *c = &gc->cfg;
    c->struct_size = sizeof *c;
    c->version = FAPI_STRUCT_VERSION;
    c->token_algs = FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_ED25519;
    c->dpop_mode = FAPI_MODE_OPTIONAL;
    c->mtls_mode = FAPI_MODE_OPTIONAL;
    c->unbound = FAPI_UNBOUND_DEFAULT;
    c->max_keys = 8;
    c->replay_slots = 65536;
    c->cache_slots = 1024;
    /* A gateway sees the same keys again and again: ES256 tables on by default (the gateway
     * preset, about 3 MB with 8 keys; "es256_tables": "off" for the generic path). */
    set_tables(c, true);
    load_state st;
    memset(&st, 0, sizeof st);

    json_object_object_foreach(root, key, val) {
        if (config_key(gc, &st, path, key, val, err, errcap) != 0) {
            gw_config_free(gc);
            return -1;
        }
    }
    const char *missing = !st.have_iss     ? "issuer"
                          : !st.have_aud   ? "audience"
                          : !st.have_bases ? "bases"
                          : !st.have_jwks  ? "jwks or jwks_file"
                                           : NULL;
    if (missing) {
        gw_config_free(gc);
        return fail(err, errcap, "config %s: \"%s\" is required", path, missing);
    }
    if (st.nonce_required && !st.nonce_file) {
        gw_config_free(gc);
        return fail(err, errcap, "config: nonce_required needs \"nonce_secret_file\"");
    }
    if (st.nonce_file) {
        char *p = resolve(path, st.nonce_file);
        int rc = p ? gw_read_file(p, 4096, &gc->nonce_secret, &gc->nonce_secret_len, msg,
                                  sizeof msg)
                   : -1;
        free(p);
        if (rc != 0) {
            gw_config_free(gc);
            return fail(err, errcap, "config: nonce_secret_file: %s", msg);
        }
        if (gc->nonce_secret_len < 32) {
            gw_config_free(gc);
            return fail(err, errcap,
                        "config: nonce_secret_file holds %zu bytes; at least 32 random bytes "
                        "are needed (e.g. head -c 32 /dev/urandom > FILE)",
                        gc->nonce_secret_len);
        }
    }
    if (gw_random(c->replay_secret, sizeof c->replay_secret) != 0) {
        gw_config_free(gc);
        return fail(err, errcap, "cannot read /dev/urandom");
    }
    return 0;
}

void gw_config_free(gw_config *gc) {
    free(gc->jwks);
    if (gc->nonce_secret) {
        memset(gc->nonce_secret, 0, gc->nonce_secret_len);
        free(gc->nonce_secret);
    }
    json_object_put(gc->root);
    memset(gc, 0, sizeof *gc);
}

/* ---------------------------------------------------------------------------------------- */
/* Verifier and context                                                                      */

static void *alloc_region(size_t len) {
    size_t rounded = (len + FAPI_REGION_ALIGN - 1) / FAPI_REGION_ALIGN * FAPI_REGION_ALIGN;
    void *p = aligned_alloc(FAPI_REGION_ALIGN, rounded);
    if (p) memset(p, 0, rounded);
    return p;
}

int gw_runtime_init(gw_runtime *rt, const gw_config *gc, uint64_t now, char *err, size_t errcap) {
    memset(rt, 0, sizeof *rt);
    const fapi_config *c = &gc->cfg;
    rt->verifier_len = fapi_verifier_size(c);
    if (rt->verifier_len == 0) {
        /* fapi_verifier_init checks the configuration before the length: its code names the
         * rule that failed. */
        uint64_t probe[1];
        fapi_verifier *pv;
        uint32_t r0 = fapi_verifier_init(probe, sizeof probe, c, &pv);
        return fail(err, errcap,
                    "fapi_verifier_size: the configuration is refused: %s (%u). Check: max_keys "
                    "1..%d, replay_slots, cache_slots, max_token_len; es256_tables widths 2..12 "
                    "bits, \"hot\" and \"hot_keys\" both set or both 0, nothing without "
                    "\"base\"",
                    fapi_result_str(r0), r0, FAPI_MAX_KEYS);
    }
    rt->verifier_mem = alloc_region(rt->verifier_len);
    rt->ctx_mem = alloc_region(fapi_ctx_size(c));
    if (!rt->verifier_mem || !rt->ctx_mem) {
        gw_runtime_free(rt);
        return fail(err, errcap, "out of memory");
    }
    uint32_t r = fapi_verifier_init(rt->verifier_mem, rt->verifier_len, c, &rt->v);
    if (r != FAPI_OK) {
        gw_runtime_free(rt);
        return fail(err, errcap,
                    "fapi_verifier_init refused the configuration: %s (%u). Check: issuer and "
                    "audience non-empty (at most %d bytes); bases scheme://host[:port][/prefix] "
                    "without a trailing '/'; leeway <= 60; token_algs available in this build "
                    "(RS256 never with fapi2_profile); no contradictions (dpop \"off\" with "
                    "nonce_required, unbound \"allow\" with a required mode or fapi2_profile, "
                    "fapi2_profile without a sender constraint)",
                    fapi_result_str(r), r, FAPI_MAX_ISSUER_LEN);
    }
    r = fapi_ctx_init(rt->ctx_mem, fapi_ctx_size(c), &rt->ctx);
    if (r != FAPI_OK) {
        gw_runtime_free(rt);
        return fail(err, errcap, "fapi_ctx_init: %s", fapi_result_str(r));
    }
    r = fapi_verifier_set_jwks(rt->v, gc->jwks, gc->jwks_len, &rt->keys_loaded,
                               &rt->keys_skipped);
    if (r != FAPI_OK) {
        gw_runtime_free(rt);
        return fail(err, errcap, "the JWKS was refused: %s (%u)", fapi_result_str(r), r);
    }
    if (gc->nonce_secret) {
        r = fapi_verifier_set_nonce_secret(rt->v, gc->nonce_secret, gc->nonce_secret_len, now);
        if (r != FAPI_OK) {
            gw_runtime_free(rt);
            return fail(err, errcap, "the nonce secret was refused: %s (%u)", fapi_result_str(r),
                        r);
        }
    }
    return 0;
}

void gw_runtime_free(gw_runtime *rt) {
    free(rt->verifier_mem);
    free(rt->ctx_mem);
    memset(rt, 0, sizeof *rt);
}
