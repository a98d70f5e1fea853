/*
 * fapi-check: "why is this request refused?" — evaluates requests with the same configuration
 * as fapi-gateway and prints fapi's verdict as one JSON line per request.
 *
 *   fapi-check --config FILE --url URL [--method M] [--authorization V]... [--dpop V]...
 *              [--cert FILE] [--scope S]... [--now UNIX]
 *   fapi-check --config FILE --batch FILE      (JSON lines, one request each; "-" = stdin)
 *
 * The URL is the public, absolute URL the client used (the one its DPoP proof names in
 * `htu`). fapi never rebuilds URLs from Host: fapi-check picks the configured base whose
 * origin (scheme, host, port) the URL has — the longest path prefix the URL extends when
 * several do — and passes the rest of the path plus the query as the request target, as the
 * gateway behind that base would receive it. A URL on no configured base is an error.
 *
 * Batch lines: {"method": "GET", "url": "https://…", "authorization": "DPoP …" (a string, or
 * a list for several fields), "dpop": string or list, "client_cert_pem": "-----BEGIN…",
 * "scopes": [...], "now": 1700000000, "id": "…"}. Only "url" is required. They are evaluated
 * in order against ONE verifier: replay state (and the token cache) carries over.
 *
 * Output per request: {"verdict":"allow"|"deny"|"needs_replay_check","code":N,"name":"…",
 * "oauth_error":"…","status":N,"www_authenticate":"…"} plus "dpop_nonce" when fapi gives one,
 * "sub" and "binding" on allow, "replay_key"/"replay_expiry" when the decision waits for an
 * external replay store (replay_slots 0), and "id" when the input line had one.
 *
 * Required scopes come from the config's routes (as in the gateway) unless --scope/"scopes"
 * is given. Exit status: single request 0 allow, 1 deny or pending; batch 0 when every line
 * was evaluated; 2 on any usage, configuration or input error.
 */
#define _POSIX_C_SOURCE 200809L

#include "gw_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINE (1024 * 1024)

typedef struct check_input {
    const char *method;
    const char *url;
    fapi_str auth[FAPI_MAX_FIELDS];
    uint32_t auth_count; /* values beyond FAPI_MAX_FIELDS are not kept: two already refuse */
    fapi_str dpop[FAPI_MAX_FIELDS];
    uint32_t dpop_count;
    const uint8_t *cert_pem;
    size_t cert_len;
    fapi_str scopes[FAPI_MAX_SCOPES];
    uint32_t scope_count;
    bool scopes_given;
    uint64_t now;
    json_object *id; /* echoed */
} check_input;

static void add(fapi_str *arr, uint32_t *n, const char *s, size_t len) {
    if (*n < FAPI_MAX_FIELDS) {
        arr[*n].ptr = (const uint8_t *)s;
        arr[*n].len = len;
        (*n)++;
    }
}

/* Evaluates one request and prints its verdict line. Returns the verdict, or -1 on error. */
static int evaluate(const gw_config *gc, gw_runtime *rt, const check_input *in, char *err,
                    size_t errcap) {
    char target[8192];
    uint32_t base = 0;
    if (gw_url_to_request(gc, in->url, &base, target, sizeof target, err, errcap) != 0) return -1;
    fapi_request q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.version = FAPI_STRUCT_VERSION;
    q.method = (fapi_str){(const uint8_t *)in->method, strlen(in->method)};
    q.target = (fapi_str){(const uint8_t *)target, strlen(target)};
    q.base = base;
    q.authorization_count = in->auth_count;
    q.authorization = in->auth_count ? in->auth : NULL;
    q.dpop_count = in->dpop_count;
    q.dpop = in->dpop_count ? in->dpop : NULL;
    if (in->cert_pem) {
        /* As if the gateway's own TLS stack had verified this certificate. */
        q.cert_encoding = FAPI_CERT_PEM;
        q.cert_source = FAPI_CERT_SOURCE_TLS;
        q.client_cert = (fapi_str){in->cert_pem, in->cert_len};
    }
    if (in->scopes_given) {
        q.required_scope_count = in->scope_count;
        q.required_scopes = in->scope_count ? in->scopes : NULL;
    } else {
        const char *path;
        size_t pl;
        bool bad = false;
        const gw_route *route = NULL;
        if (gw_target_path(target, strlen(target), &path, &pl) == 0) {
            route = gw_route_for(gc, path, pl, &bad);
        }
        if (!route) {
            snprintf(err, errcap,
                     "%s: the gateway would answer %s without asking fapi (give --scope or "
                     "\"scopes\" to evaluate it anyway)",
                     in->url, bad ? "400 (unsupported path)" : "404 (no route)");
            return -1;
        }
        q.required_scope_count = route->scope_count;
        q.required_scopes = route->scope_count ? route->scopes : NULL;
    }
    q.now = in->now;

    uint32_t rc = fapi_check_request(rt->v, rt->ctx, &q);
    if (rc != FAPI_OK) {
        snprintf(err, errcap, "fapi_check_request: %s (%u)", fapi_result_str(rc), rc);
        return -1;
    }
    uint32_t verdict = fapi_ctx_verdict(rt->ctx);
    uint32_t code = fapi_ctx_result(rt->ctx);
    json_object *o = json_object_new_object();
    if (in->id) json_object_object_add(o, "id", json_object_get(in->id));
    json_object_object_add(o, "verdict", json_object_new_string(gw_verdict_name(verdict)));
    json_object_object_add(o, "code", json_object_new_int64(code));
    json_object_object_add(o, "name", json_object_new_string(fapi_result_str(code)));
    json_object_object_add(o, "oauth_error", json_object_new_string(fapi_ctx_oauth_error(rt->ctx)));
    json_object_object_add(o, "status", json_object_new_int64(fapi_ctx_http_status(rt->ctx)));
    const uint8_t *p = NULL;
    size_t l = 0;
    if (fapi_ctx_www_authenticate(rt->ctx, &p, &l) != FAPI_OK) l = 0;
    json_object_object_add(o, "www_authenticate",
                           json_object_new_string_len(l ? (const char *)p : "", (int)l));
    if (fapi_ctx_dpop_nonce(rt->ctx, &p, &l) == FAPI_OK) {
        json_object_object_add(o, "dpop_nonce", json_object_new_string_len((const char *)p, (int)l));
    }
    if (verdict == FAPI_VERDICT_ALLOW) {
        static uint8_t claim[FAPI_MAX_CLAIM_LEN];
        size_t cl = 0;
        uint32_t binding = 0;
        if (fapi_ctx_claim_str(rt->ctx, (const uint8_t *)"sub", 3, claim, sizeof claim, &cl) ==
            FAPI_OK) {
            json_object_object_add(o, "sub", json_object_new_string_len((const char *)claim, (int)cl));
        }
        if (fapi_ctx_binding(rt->ctx, &binding, NULL, NULL, NULL) == FAPI_OK) {
            json_object_object_add(o, "binding", json_object_new_string(gw_binding_name(binding)));
        }
    } else if (verdict == FAPI_VERDICT_NEEDS_REPLAY_CHECK) {
        uint64_t expiry = 0;
        if (fapi_ctx_replay_check(rt->ctx, &p, &l, &expiry) == FAPI_OK) {
            json_object_object_add(o, "replay_key", json_object_new_string_len((const char *)p, (int)l));
            json_object_object_add(o, "replay_expiry", json_object_new_int64((int64_t)expiry));
        }
    }
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    fflush(stdout);
    json_object_put(o);
    return (int)verdict;
}

/* A string or a list of strings into `arr`. */
static int str_or_list(json_object *v, const char *key, fapi_str *arr, uint32_t *n, char *err,
                       size_t errcap) {
    if (json_object_is_type(v, json_type_string)) {
        add(arr, n, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return 0;
    }
    if (json_object_is_type(v, json_type_array)) {
        bool ok = true;
        for (size_t i = 0; i < json_object_array_length(v) && ok; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            ok = json_object_is_type(e, json_type_string);
            if (ok) add(arr, n, json_object_get_string(e), (size_t)json_object_get_string_len(e));
        }
        if (ok) return 0;
    }
    snprintf(err, errcap, "\"%s\" must be a string or a list of strings", key);
    return -1;
}

static int batch_line(const char *line, size_t len, check_input *in, json_object **owner,
                      char *err, size_t errcap) {
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *o = json_tokener_parse_ex(tok, line, (int)len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || je != json_tokener_success) {
        json_object_put(o);
        snprintf(err, errcap, "not valid JSON (%s)", json_tokener_error_desc(je));
        return -1;
    }
    *owner = o;
    for (size_t i = used; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            snprintf(err, errcap, "trailing data after the JSON object");
            return -1;
        }
    }
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(err, errcap, "not a JSON object");
        return -1;
    }
    memset(in, 0, sizeof *in);
    in->method = "GET";
    in->now = (uint64_t)time(NULL);
    json_object_object_foreach(o, key, v) {
        if (strcmp(key, "method") == 0 || strcmp(key, "url") == 0) {
            if (!json_object_is_type(v, json_type_string)) {
                snprintf(err, errcap, "\"%s\" must be a string", key);
                return -1;
            }
            if (key[0] == 'm') {
                in->method = json_object_get_string(v);
            } else {
                in->url = json_object_get_string(v);
            }
        } else if (strcmp(key, "authorization") == 0) {
            if (str_or_list(v, key, in->auth, &in->auth_count, err, errcap) != 0) return -1;
        } else if (strcmp(key, "dpop") == 0) {
            if (str_or_list(v, key, in->dpop, &in->dpop_count, err, errcap) != 0) return -1;
        } else if (strcmp(key, "client_cert_pem") == 0) {
            if (!json_object_is_type(v, json_type_string)) {
                snprintf(err, errcap, "\"client_cert_pem\" must be a string");
                return -1;
            }
            in->cert_pem = (const uint8_t *)json_object_get_string(v);
            in->cert_len = (size_t)json_object_get_string_len(v);
        } else if (strcmp(key, "scopes") == 0) {
            if (!json_object_is_type(v, json_type_array) ||
                json_object_array_length(v) > FAPI_MAX_SCOPES) {
                snprintf(err, errcap, "\"scopes\" must be a list of at most %d strings",
                         FAPI_MAX_SCOPES);
                return -1;
            }
            for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                    snprintf(err, errcap, "\"scopes\" must be a list of strings");
                    return -1;
                }
                in->scopes[i].ptr = (const uint8_t *)json_object_get_string(e);
                in->scopes[i].len = (size_t)json_object_get_string_len(e);
            }
            in->scope_count = (uint32_t)json_object_array_length(v);
            in->scopes_given = true;
        } else if (strcmp(key, "now") == 0) {
            if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
                snprintf(err, errcap, "\"now\" must be a non-negative whole number");
                return -1;
            }
            in->now = (uint64_t)json_object_get_int64(v);
        } else if (strcmp(key, "id") == 0) {
            in->id = v;
        } else {
            snprintf(err, errcap, "unknown key \"%s\"", key);
            return -1;
        }
    }
    if (!in->url) {
        snprintf(err, errcap, "\"url\" is required");
        return -1;
    }
    return 0;
}

static int run_batch(const gw_config *gc, gw_runtime *rt, const char *path) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fapi-check: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int status = 0;
    char err[2048];
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        size_t i = 0;
        while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t')) i++;
        if (i == (size_t)n) continue; /* blank line */
        if (n > MAX_LINE) {
            fprintf(stderr, "fapi-check: %s:%lu: line longer than %d bytes\n", path, lineno,
                    MAX_LINE);
            status = 2;
            break;
        }
        check_input in;
        json_object *owner = NULL;
        if (batch_line(line, (size_t)n, &in, &owner, err, sizeof err) != 0 ||
            evaluate(gc, rt, &in, err, sizeof err) < 0) {
            fprintf(stderr, "fapi-check: %s:%lu: %s\n", path, lineno, err);
            json_object_put(owner);
            status = 2;
            break;
        }
        json_object_put(owner);
    }
    free(line);
    if (f != stdin) fclose(f);
    return status;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: fapi-check --config FILE --url URL [--method M] [--authorization V]...\n"
            "                  [--dpop V]... [--cert PEM_FILE] [--scope S]... [--now UNIX]\n"
            "       fapi-check --config FILE --batch FILE|-\n"
            "Prints fapi's verdict as JSON: verdict, code, name, oauth_error, status,\n"
            "www_authenticate, dpop_nonce (if any), sub and binding (on allow).\n");
}

int main(int argc, char **argv) {
    const char *config = NULL, *batch = NULL, *cert_file = NULL;
    check_input in;
    memset(&in, 0, sizeof in);
    in.method = "GET";
    in.now = (uint64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "fapi-check: unknown or incomplete argument %s\n", a);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--config") == 0) {
            config = v;
        } else if (strcmp(a, "--batch") == 0) {
            batch = v;
        } else if (strcmp(a, "--method") == 0) {
            in.method = v;
        } else if (strcmp(a, "--url") == 0) {
            in.url = v;
        } else if (strcmp(a, "--authorization") == 0) {
            add(in.auth, &in.auth_count, v, strlen(v));
        } else if (strcmp(a, "--dpop") == 0) {
            add(in.dpop, &in.dpop_count, v, strlen(v));
        } else if (strcmp(a, "--cert") == 0) {
            cert_file = v;
        } else if (strcmp(a, "--scope") == 0) {
            if (in.scope_count == FAPI_MAX_SCOPES) {
                fprintf(stderr, "fapi-check: more than %d --scope\n", FAPI_MAX_SCOPES);
                return 2;
            }
            in.scopes[in.scope_count++] = (fapi_str){(const uint8_t *)v, strlen(v)};
            in.scopes_given = true;
        } else if (strcmp(a, "--now") == 0) {
            char *e;
            errno = 0;
            unsigned long long t = strtoull(v, &e, 10);
            if (errno || *e || !*v || *v == '-') {
                fprintf(stderr, "fapi-check: bad --now %s\n", v);
                return 2;
            }
            in.now = t;
        } else {
            fprintf(stderr, "fapi-check: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!config || (!batch && !in.url) || (batch && in.url)) {
        fprintf(stderr, "fapi-check: give --config and either --url (one request) or --batch\n");
        usage(stderr);
        return 2;
    }
    static gw_config gc;
    static gw_runtime rt;
    char err[2048];
    if (gw_config_load(&gc, config, err, sizeof err) != 0) {
        fprintf(stderr, "fapi-check: %s\n", err);
        return 2;
    }
    if (gw_runtime_init(&rt, &gc, (uint64_t)time(NULL), err, sizeof err) != 0) {
        fprintf(stderr, "fapi-check: %s\n", err);
        gw_config_free(&gc);
        return 2;
    }
    int status;
    if (batch) {
        status = run_batch(&gc, &rt, batch);
    } else {
        uint8_t *pem = NULL;
        if (cert_file) {
            if (gw_read_file(cert_file, GW_MAX_FILE, &pem, &in.cert_len, err, sizeof err) != 0) {
                fprintf(stderr, "fapi-check: --cert: %s\n", err);
                gw_runtime_free(&rt);
                gw_config_free(&gc);
                return 2;
            }
            in.cert_pem = pem;
        }
        int verdict = evaluate(&gc, &rt, &in, err, sizeof err);
        if (verdict < 0) {
            fprintf(stderr, "fapi-check: %s\n", err);
            status = 2;
        } else {
            status = verdict == FAPI_VERDICT_ALLOW ? 0 : 1;
        }
        free(pem);
    }
    gw_runtime_free(&rt);
    gw_config_free(&gc);
    return status;
}
