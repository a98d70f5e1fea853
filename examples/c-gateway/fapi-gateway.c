/*
 * fapi-gateway: a small HTTP/1.1 resource server that guards every request with fapi.
 *
 *   fapi-gateway --config FILE [--port N] [--bind ADDR] [--base N] [--max-requests N | --once]
 *
 * One process, one connection at a time, `Connection: close` after each response (no
 * keep-alive). Request heads are parsed strictly (RFC 9112) with fixed limits; anything the
 * parser refuses is answered 400/413/414/431/501/505 before fapi is asked. Every
 * `Authorization` and `DPoP` field line is passed to fapi as a separate value (fapi refuses
 * more than one, and a value with a comma counts as several). The request URL is never
 * rebuilt from `Host`: fapi checks `htu` against the configured public base (`--base`, an
 * index into the config's `bases`) plus the received target.
 *
 * A client certificate can only come from the `X-Client-Cert` header (RFC 9440 form,
 * `:base64(DER):`), and only when the config says `"trusted_proxy_cert_header": true`: that
 * is for a TLS-terminating proxy in front of this gateway that verifies client certificates,
 * removes any `X-Client-Cert` a client sent, and sets its own. Without that option the header
 * is ignored. This example has no TLS of its own.
 *
 * Responses: 200 with {"sub", "binding", "client_id"} on allow; otherwise fapi's status with
 * its `WWW-Authenticate`, and `DPoP-Nonce` + `Cache-Control: no-store` when fapi gives a
 * nonce. One log line per request on stderr — never a token, a proof or a query string.
 */
#define _POSIX_C_SOURCE 200809L

#include "gw_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD (16 * 1024)     /* request line + header fields + empty line */
#define MAX_REQUEST_LINE 8192    /* longer: 414 */
#define MAX_FIELDS 100           /* header field lines */
#define MAX_BODY (1024 * 1024)   /* request bodies are read and discarded; larger: 413 */
#define HEAD_TIMEOUT_MS 10000    /* the whole head must arrive within this */
#define IO_TIMEOUT_MS 5000       /* each read or write of a body or response */

static volatile sig_atomic_t stop_flag = 0;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Request parsing                                                                           */

typedef struct http_request {
    char buf[MAX_HEAD + 1];
    size_t len;      /* bytes received into buf */
    size_t head_len; /* bytes of the head, including the final CRLF CRLF */
    const char *method;
    size_t method_len;
    const char *target;
    size_t target_len;
    int minor; /* HTTP/1.<minor> */
    fapi_str auth[FAPI_MAX_FIELDS];
    uint32_t auth_count; /* values kept (at most FAPI_MAX_FIELDS; two already mean "refuse") */
    fapi_str dpop[FAPI_MAX_FIELDS];
    uint32_t dpop_count;
    fapi_str client_cert;
    unsigned cert_fields;
    unsigned host_fields;
    bool has_content_length;
    unsigned long long content_length;
    bool has_transfer_encoding;
} http_request;

typedef struct parse_error {
    int status;
    const char *reason; /* a fixed string: logged, and sent in the body */
} parse_error;

static bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_field_vchar(unsigned char c) {
    return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || c >= 0x80;
}

static int name_is(const char *n, size_t nl, const char *want) {
    return strlen(want) == nl && strncasecmp(n, want, nl) == 0;
}

static void add_value(fapi_str *arr, uint32_t *count, const char *v, size_t vl) {
    if (*count < FAPI_MAX_FIELDS) {
        arr[*count].ptr = (const uint8_t *)v;
        arr[*count].len = vl;
        (*count)++;
    }
    /* beyond FAPI_MAX_FIELDS: more values change nothing — fapi refuses two already */
}

/* Parses buf[0..head_len). Returns 0, or -1 with `pe` set. */
static int parse_head(http_request *r, bool trust_cert_header, parse_error *pe) {
    char *p = r->buf, *end = r->buf + r->head_len;
    /* Line endings: CRLF only. A bare CR or LF is refused (no lenient line splitting). */
    for (char *q = p; q < end; q++) {
        if (*q == '\r' && (q + 1 >= end || q[1] != '\n')) goto bad;
        if (*q == '\n' && (q == p || q[-1] != '\r')) goto bad;
    }
    /* request-line = method SP request-target SP HTTP-version */
    char *eol = strstr(p, "\r\n");
    if (!eol) goto bad;
    if ((size_t)(eol - p) > MAX_REQUEST_LINE) {
        pe->status = 414;
        pe->reason = "request_line_too_long";
        return -1;
    }
    char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    if (!sp1 || sp1 == p) goto bad;
    char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1) goto bad;
    if (memchr(sp2 + 1, ' ', (size_t)(eol - sp2 - 1))) goto bad;
    r->method = p;
    r->method_len = (size_t)(sp1 - p);
    for (size_t i = 0; i < r->method_len; i++) {
        if (!is_tchar((unsigned char)p[i])) goto bad;
    }
    r->target = sp1 + 1;
    r->target_len = (size_t)(sp2 - sp1 - 1);
    for (size_t i = 0; i < r->target_len; i++) {
        unsigned char c = (unsigned char)r->target[i];
        if (c < 0x21 || c > 0x7e) goto bad;
    }
    size_t vl = (size_t)(eol - sp2 - 1);
    const char *ver = sp2 + 1;
    if (vl == 8 && memcmp(ver, "HTTP/1.1", 8) == 0) {
        r->minor = 1;
    } else if (vl == 8 && memcmp(ver, "HTTP/1.0", 8) == 0) {
        r->minor = 0;
    } else if (vl == 8 && memcmp(ver, "HTTP/", 5) == 0 && ver[6] == '.') {
        pe->status = 505;
        pe->reason = "http_version_not_supported";
        return -1;
    } else {
        goto bad;
    }
    /* field-line = field-name ":" OWS field-value OWS */
    unsigned fields = 0;
    p = eol + 2;
    while (p < end) {
        eol = strstr(p, "\r\n");
        if (!eol) goto bad;
        if (eol == p) break; /* the empty line */
        if (*p == ' ' || *p == '\t') goto bad; /* obs-fold: refused (RFC 9112 §5.2) */
        if (++fields > MAX_FIELDS) {
            pe->status = 431;
            pe->reason = "too_many_header_fields";
            return -1;
        }
        char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p) goto bad;
        for (char *q = p; q < colon; q++) {
            if (!is_tchar((unsigned char)*q)) goto bad; /* includes whitespace before ':' */
        }
        char *v = colon + 1, *ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        for (char *q = v; q < ve; q++) {
            if (!is_field_vchar((unsigned char)*q)) goto bad; /* NUL, DEL and other CTLs */
        }
        size_t nl = (size_t)(colon - p), len = (size_t)(ve - v);
        if (name_is(p, nl, "authorization")) {
            add_value(r->auth, &r->auth_count, v, len);
        } else if (name_is(p, nl, "dpop")) {
            add_value(r->dpop, &r->dpop_count, v, len);
        } else if (name_is(p, nl, "host")) {
            r->host_fields++;
        } else if (name_is(p, nl, "content-length")) {
            unsigned long long n = 0;
            if (len == 0) goto bad;
            for (size_t i = 0; i < len; i++) {
                if (v[i] < '0' || v[i] > '9') goto bad;
                if (n > (MAX_BODY * 10ULL)) break; /* already far too large */
                n = n * 10 + (unsigned long long)(v[i] - '0');
            }
            if (r->has_content_length && n != r->content_length) goto bad;
            r->has_content_length = true;
            r->content_length = n;
        } else if (name_is(p, nl, "transfer-encoding")) {
            r->has_transfer_encoding = true;
        } else if (name_is(p, nl, "x-client-cert") && trust_cert_header) {
            r->cert_fields++;
            r->client_cert.ptr = (const uint8_t *)v;
            r->client_cert.len = len;
        }
        p = eol + 2;
    }
    if (r->minor == 1 && r->host_fields != 1) goto bad; /* RFC 9112 §3.2 */
    if (r->host_fields > 1) goto bad;
    if (r->has_transfer_encoding) {
        if (r->has_content_length) goto bad; /* request smuggling shape: refuse */
        pe->status = 501;
        pe->reason = "transfer_encoding_not_supported";
        return -1;
    }
    if (r->content_length > MAX_BODY) {
        pe->status = 413;
        pe->reason = "body_too_large";
        return -1;
    }
    if (r->cert_fields > 1) goto bad;
    return 0;
bad:
    pe->status = 400;
    pe->reason = "malformed_request";
    return -1;
}

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long now_ms(void) {
    return now_us() / 1000;
}

/* Waits for readable data until `deadline` (ms, monotonic). 1 ready, 0 timeout, -1 error. */
static int wait_readable(int fd, long long deadline) {
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd pfd = {fd, POLLIN, 0};
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR) {
            if (stop_flag) return -1;
            continue;
        }
        return n < 0 ? -1 : n > 0 ? 1 : 0;
    }
}

/* The offset just past the first CR LF CR LF at or after `from`, or 0. */
static size_t find_head_end(const char *b, size_t from, size_t len) {
    for (size_t i = from; i + 4 <= len; i++) {
        if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
            return i + 4;
        }
    }
    return 0;
}

/*
 * Reads a request head. Returns 0 with `head_len` set, 1 when the peer closed before sending
 * anything, or -1 with `pe` set (status 0 = give up without answering).
 */
static int read_head(int fd, http_request *r, parse_error *pe) {
    long long deadline = now_ms() + HEAD_TIMEOUT_MS;
    r->len = 0;
    for (;;) {
        int w = wait_readable(fd, deadline);
        if (w <= 0) {
            pe->status = w == 0 && r->len > 0 ? 408 : 0;
            pe->reason = "request_timeout";
            return -1;
        }
        ssize_t n = recv(fd, r->buf + r->len, MAX_HEAD - r->len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            pe->status = 0;
            pe->reason = "connection_closed";
            return r->len == 0 ? 1 : -1;
        }
        size_t from = r->len >= 3 ? r->len - 3 : 0;
        r->len += (size_t)n;
        r->buf[r->len] = 0;
        size_t end = find_head_end(r->buf, from, r->len);
        /* A NUL byte anywhere in the head is refused (body bytes may follow the head). */
        if (memchr(r->buf + from, 0, (end ? end : r->len) - from)) {
            pe->status = 400;
            pe->reason = "malformed_request";
            return -1;
        }
        if (end) {
            r->head_len = end;
            return 0;
        }
        if (r->len >= MAX_HEAD) {
            /* Which limit: a request line that alone is longer than its own limit is 414. */
            char *eol = strstr(r->buf, "\r\n");
            bool long_line = !eol ? r->len > MAX_REQUEST_LINE
                                  : (size_t)(eol - r->buf) > MAX_REQUEST_LINE;
            pe->status = long_line ? 414 : 431;
            pe->reason = long_line ? "request_line_too_long" : "header_fields_too_large";
            return -1;
        }
    }
}

/* Reads and discards the rest of a body of `len` bytes (part may already be in the buffer). */
static int discard_body(int fd, http_request *r) {
    unsigned long long have = r->len - r->head_len;
    unsigned long long left = r->content_length > have ? r->content_length - have : 0;
    char sink[4096];
    long long deadline = now_ms() + IO_TIMEOUT_MS;
    while (left > 0) {
        if (wait_readable(fd, deadline) <= 0) return -1;
        ssize_t n = recv(fd, sink, left < sizeof sink ? (size_t)left : sizeof sink, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        left -= (unsigned long long)n;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Responses                                                                                 */

static const char *reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static int send_all(int fd, const char *p, size_t n) {
    long long deadline = now_ms() + IO_TIMEOUT_MS;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (now_ms() > deadline) return -1;
            struct pollfd pfd = {fd, POLLOUT, 0};
            (void)poll(&pfd, 1, 100);
            continue;
        }
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef struct response {
    int status;
    const uint8_t *www_auth;
    size_t www_auth_len;
    const uint8_t *nonce;
    size_t nonce_len;
    const char *body; /* JSON */
    bool head_only;
} response;

static void send_response(int fd, const response *rs) {
    char head[4096];
    size_t body_len = rs->body ? strlen(rs->body) : 0;
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n",
                     rs->status, reason_phrase(rs->status), body_len);
    size_t o = (size_t)n;
    if (rs->www_auth_len > 0) {
        n = snprintf(head + o, sizeof head - o, "WWW-Authenticate: %.*s\r\n",
                     (int)rs->www_auth_len, (const char *)rs->www_auth);
        o += (size_t)n < sizeof head - o ? (size_t)n : 0;
    }
    if (rs->nonce_len > 0) {
        /* RFC 9449 §8.2: responses carrying a nonce must not be cached. */
        n = snprintf(head + o, sizeof head - o, "DPoP-Nonce: %.*s\r\nCache-Control: no-store\r\n",
                     (int)rs->nonce_len, (const char *)rs->nonce);
        o += (size_t)n < sizeof head - o ? (size_t)n : 0;
    }
    n = snprintf(head + o, sizeof head - o, "\r\n");
    o += (size_t)n < sizeof head - o ? (size_t)n : 0;
    if (send_all(fd, head, o) == 0 && body_len > 0 && !rs->head_only) {
        (void)send_all(fd, rs->body, body_len);
    }
}

/* Close after the response without losing it to a reset: stop writing, drain briefly. */
static void lingering_close(int fd) {
    char sink[4096];
    shutdown(fd, SHUT_WR);
    long long deadline = now_ms() + 1000;
    size_t total = 0;
    while (total < 256 * 1024 && wait_readable(fd, deadline) > 0) {
        ssize_t n = recv(fd, sink, sizeof sink, 0);
        if (n <= 0) break;
        total += (size_t)n;
    }
    close(fd);
}

/* ---------------------------------------------------------------------------------------- */
/* Logging: method and path only (never the query, a header value or a body), sanitised.     */

static void log_line(const char *method, size_t ml, const char *target, size_t tl,
                     const char *verdict, const char *name, int status, long long us) {
    char m[24], path[160];
    size_t o = 0;
    for (size_t i = 0; i < ml && o < sizeof m - 4; i++) {
        unsigned char c = (unsigned char)method[i];
        m[o++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (ml > o) m[o++] = '~';
    m[o] = 0;
    if (o == 0) strcpy(m, "-");
    const char *pp = target;
    size_t pl = tl;
    if (!target || gw_target_path(target, tl, &pp, &pl) != 0) {
        pp = "-";
        pl = 1;
    } else if (pl == 0) {
        pp = "/";
        pl = 1;
    }
    o = 0;
    for (size_t i = 0; i < pl && o < sizeof path - 4; i++) {
        unsigned char c = (unsigned char)pp[i];
        path[o++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (pl > o) path[o++] = '~'; /* truncated */
    path[o] = 0;
    fprintf(stderr, "fapi-gateway: %s %s %s %s %d %lldus\n", m, path, verdict, name, status, us);
    fflush(stderr);
}

/* ---------------------------------------------------------------------------------------- */
/* One request                                                                               */

typedef struct gateway {
    gw_config cfg;
    gw_runtime rt;
    uint32_t base;
} gateway;

static char *json_body_allow(gateway *g) {
    uint8_t claim[FAPI_MAX_CLAIM_LEN];
    size_t cl = 0;
    uint32_t binding = 0;
    json_object *o = json_object_new_object();
    if (!o) return NULL;
    if (fapi_ctx_claim_str(g->rt.ctx, (const uint8_t *)"sub", 3, claim, sizeof claim, &cl) ==
        FAPI_OK) {
        json_object_object_add(o, "sub", json_object_new_string_len((const char *)claim, (int)cl));
    } else {
        json_object_object_add(o, "sub", NULL);
    }
    (void)fapi_ctx_binding(g->rt.ctx, &binding, NULL, NULL, NULL);
    json_object_object_add(o, "binding", json_object_new_string(gw_binding_name(binding)));
    if (fapi_ctx_claim_str(g->rt.ctx, (const uint8_t *)"client_id", 9, claim, sizeof claim,
                           &cl) == FAPI_OK) {
        json_object_object_add(o, "client_id",
                               json_object_new_string_len((const char *)claim, (int)cl));
    }
    char *s = strdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static char *json_body_error(const char *error, const char *name) {
    json_object *o = json_object_new_object();
    if (!o) return NULL;
    if (error && *error) json_object_object_add(o, "error", json_object_new_string(error));
    json_object_object_add(o, "code", json_object_new_string(name));
    char *s = strdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static http_request req_storage; /* 16 KiB: not on the stack */

/* Serves one connection (one request). Returns 1 if a request was read and logged. */
static int serve_connection(gateway *g, int fd) {
    http_request *r = &req_storage;
    parse_error pe = {0, NULL};
    long long t0 = now_us();
    memset(r, 0, sizeof *r);
    int rc = read_head(fd, r, &pe);
    if (rc == 1) { /* opened and closed without a byte: not a request */
        close(fd);
        return 0;
    }
    if (rc == 0) rc = parse_head(r, g->cfg.trusted_proxy_cert_header, &pe);
    if (rc != 0) {
        if (pe.status != 0) {
            char *body = json_body_error("", pe.reason);
            response rs = {pe.status, NULL, 0, NULL, 0, body, false};
            send_response(fd, &rs);
            free(body);
        }
        log_line(r->method, r->method ? r->method_len : 0, r->target,
                 r->target ? r->target_len : 0, "reject", pe.reason, pe.status,
                 now_us() - t0);
        lingering_close(fd);
        return 1;
    }
    if (discard_body(fd, r) != 0) {
        log_line(r->method, r->method_len, r->target, r->target_len, "reject", "body_incomplete",
                 0, now_us() - t0);
        close(fd);
        return 1;
    }
    bool head_only = r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0;

    /* Route: which scopes this path needs. */
    const char *path;
    size_t path_len;
    bool bad_path = false;
    const gw_route *route = NULL;
    if (gw_target_path(r->target, r->target_len, &path, &path_len) != 0) {
        bad_path = true;
    } else {
        route = gw_route_for(&g->cfg, path, path_len, &bad_path);
    }
    if (!route) {
        int status = bad_path ? 400 : 404;
        const char *why = bad_path ? "unsupported_path" : "no_route";
        char *body = json_body_error("", why);
        response rs = {status, NULL, 0, NULL, 0, body, head_only};
        send_response(fd, &rs);
        free(body);
        log_line(r->method, r->method_len, r->target, r->target_len, "reject", why, status,
                 now_us() - t0);
        lingering_close(fd);
        return 1;
    }

    fapi_request q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.version = FAPI_STRUCT_VERSION;
    q.method = (fapi_str){(const uint8_t *)r->method, r->method_len};
    q.target = (fapi_str){(const uint8_t *)r->target, r->target_len};
    q.base = g->base;
    q.authorization_count = r->auth_count;
    q.authorization = r->auth_count ? r->auth : NULL;
    q.dpop_count = r->dpop_count;
    q.dpop = r->dpop_count ? r->dpop : NULL;
    if (r->cert_fields == 1 && r->client_cert.len > 0) {
        /* An empty value means the proxy had no client certificate. */
        q.cert_encoding = FAPI_CERT_CLIENT_CERT_HEADER;
        q.cert_source = FAPI_CERT_SOURCE_TRUSTED_PROXY;
        q.client_cert = r->client_cert;
    }
    q.required_scope_count = route->scope_count;
    q.required_scopes = route->scope_count ? route->scopes : NULL;
    q.now = (uint64_t)time(NULL);

    response rs;
    memset(&rs, 0, sizeof rs);
    rs.head_only = head_only;
    char *body = NULL;
    const char *verdict_name;
    const char *code_name;
    uint32_t rcode = fapi_check_request(g->rt.v, g->rt.ctx, &q);
    if (rcode != FAPI_OK) {
        /* Caller misuse or a caught panic: fail closed. */
        rs.status = 500;
        verdict_name = "error";
        code_name = fapi_result_str(rcode);
        body = json_body_error("", code_name);
    } else {
        uint32_t verdict = fapi_ctx_verdict(g->rt.ctx);
        if (verdict == FAPI_VERDICT_NEEDS_REPLAY_CHECK) {
            /* Not reached with a replay table (replay_slots > 0, checked at start-up); if it
             * were, this gateway has no external store: fail closed (503). */
            (void)fapi_complete_replay(g->rt.v, g->rt.ctx, FAPI_REPLAY_STORE_ERROR);
            verdict = fapi_ctx_verdict(g->rt.ctx);
        }
        verdict_name = gw_verdict_name(verdict);
        code_name = fapi_result_str(fapi_ctx_result(g->rt.ctx));
        rs.status = (int)fapi_ctx_http_status(g->rt.ctx);
        if (fapi_ctx_dpop_nonce(g->rt.ctx, &rs.nonce, &rs.nonce_len) != FAPI_OK) {
            rs.nonce = NULL;
            rs.nonce_len = 0;
        }
        if (verdict == FAPI_VERDICT_ALLOW) {
            body = json_body_allow(g);
        } else if (verdict == FAPI_VERDICT_DENY) {
            if (fapi_ctx_www_authenticate(g->rt.ctx, &rs.www_auth, &rs.www_auth_len) != FAPI_OK) {
                rs.www_auth_len = 0;
            }
            body = json_body_error(fapi_ctx_oauth_error(g->rt.ctx), code_name);
        } else {
            rs.status = 500;
            body = json_body_error("", "no_verdict");
        }
        if (rs.status == 0) rs.status = 500;
    }
    rs.body = body;
    send_response(fd, &rs);
    free(body);
    log_line(r->method, r->method_len, r->target, r->target_len, verdict_name, code_name,
             rs.status, now_us() - t0);
    lingering_close(fd);
    return 1;
}

/* ---------------------------------------------------------------------------------------- */

static void usage(FILE *f) {
    fprintf(f,
            "usage: fapi-gateway --config FILE [--port N] [--bind ADDR] [--base N]\n"
            "                    [--max-requests N | --once]\n"
            "  --config FILE      the JSON configuration (see examples/c-gateway/README.md)\n"
            "  --port N           TCP port (default 8080)\n"
            "  --bind ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
            "  --base N           index of the configured public base this listener serves "
            "(default 0)\n"
            "  --max-requests N   exit after N requests (tests); --once = 1\n");
}

static int parse_num(const char *s, unsigned long max, unsigned long *out) {
    char *e;
    errno = 0;
    if (!s || !*s || *s == '-') return -1;
    unsigned long v = strtoul(s, &e, 10);
    if (errno || *e || v > max) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    const char *config = NULL, *bind_addr = "127.0.0.1";
    unsigned long port = 8080, base = 0, max_requests = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--config") == 0 && v) {
            config = v;
            i++;
        } else if (strcmp(a, "--port") == 0 && v) {
            if (parse_num(v, 65535, &port) != 0) {
                fprintf(stderr, "fapi-gateway: bad --port %s\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--bind") == 0 && v) {
            bind_addr = v;
            i++;
        } else if (strcmp(a, "--base") == 0 && v) {
            if (parse_num(v, FAPI_MAX_BASES - 1, &base) != 0) {
                fprintf(stderr, "fapi-gateway: bad --base %s\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--max-requests") == 0 && v) {
            if (parse_num(v, 1000000000UL, &max_requests) != 0 || max_requests == 0) {
                fprintf(stderr, "fapi-gateway: bad --max-requests %s\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--once") == 0) {
            max_requests = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "fapi-gateway: unknown or incomplete argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!config) {
        usage(stderr);
        return 2;
    }

    static gateway g;
    char err[2048];
    if (gw_config_load(&g.cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "fapi-gateway: %s\n", err);
        return 2;
    }
    if (g.cfg.cfg.replay_slots == 0) {
        fprintf(stderr, "fapi-gateway: replay_slots must be > 0: this gateway has no external "
                        "replay store (fapi-check can show the two-phase verdict)\n");
        return 2;
    }
    if (base >= g.cfg.cfg.base_count) {
        fprintf(stderr, "fapi-gateway: --base %lu: the config has %zu base(s)\n", base,
                g.cfg.cfg.base_count);
        return 2;
    }
    g.base = (uint32_t)base;
    if (gw_runtime_init(&g.rt, &g.cfg, (uint64_t)time(NULL), err, sizeof err) != 0) {
        fprintf(stderr, "fapi-gateway: %s\n", err);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0) {
        perror("fapi-gateway: socket");
        return 1;
    }
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) {
        fprintf(stderr, "fapi-gateway: bad --bind address %s\n", bind_addr);
        return 2;
    }
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 64) != 0) {
        fprintf(stderr, "fapi-gateway: cannot listen on %s:%lu: %s\n", bind_addr, port,
                strerror(errno));
        return 1;
    }
    socklen_t al = sizeof addr;
    getsockname(ls, (struct sockaddr *)&addr, &al);
    fprintf(stderr,
            "fapi-gateway: listening on http://%s:%u (public base %.*s; %u key(s) loaded, %u "
            "skipped; dpop %s, mtls %s%s%s)\n",
            bind_addr, ntohs(addr.sin_port), (int)g.cfg.bases[g.base].len,
            (const char *)g.cfg.bases[g.base].ptr, g.rt.keys_loaded, g.rt.keys_skipped,
            g.cfg.cfg.dpop_mode == FAPI_MODE_OFF        ? "off"
            : g.cfg.cfg.dpop_mode == FAPI_MODE_REQUIRED ? "required"
                                                        : "optional",
            g.cfg.cfg.mtls_mode == FAPI_MODE_OFF        ? "off"
            : g.cfg.cfg.mtls_mode == FAPI_MODE_REQUIRED ? "required"
                                                        : "optional",
            g.cfg.cfg.nonce_required ? ", nonces required" : "",
            g.cfg.trusted_proxy_cert_header ? ", X-Client-Cert trusted" : "");
    fflush(stderr);

    unsigned long served = 0;
    while (!stop_flag && (max_requests == 0 || served < max_requests)) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("fapi-gateway: accept");
            break;
        }
        served += (unsigned long)serve_connection(&g, fd);
    }
    close(ls);
    uint32_t full = 0, busy = 0, replays = 0;
    fapi_verifier_replay_counters(g.rt.v, &full, &busy, &replays);
    fprintf(stderr,
            "fapi-gateway: stopped after %lu request(s); replay table: %u replay(s) refused, "
            "%u full, %u busy\n",
            served, replays, full, busy);
    uint32_t builds = 0, limited = 0;
    if (fapi_verifier_table_stats(g.rt.v, &builds, &limited) == FAPI_OK) {
        fprintf(stderr,
                "fapi-gateway: ES256 tables: %u hot-key table(s) built, %u refused by the rate "
                "limit\n",
                builds, limited);
    }
    gw_runtime_free(&g.rt);
    gw_config_free(&g.cfg);
    return 0;
}
