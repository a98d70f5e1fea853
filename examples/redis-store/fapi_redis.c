/*
 * fapi_redis — see fapi_redis.h. hiredis (Debian: libhiredis-dev), synchronous API.
 */
#define _POSIX_C_SOURCE 200809L

#include "fapi_redis.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int fapi_redis_store_init(fapi_redis_store *s, const char *host, int port, unsigned timeout_ms,
                          const char *prefix) {
    if (!s || !host || timeout_ms == 0 || port < 0 || port > 65535) return -1;
    if (!prefix) prefix = "fapi:replay:";
    size_t hl = strlen(host), pl = strlen(prefix);
    if (hl == 0 || hl >= sizeof s->host || pl >= sizeof s->prefix) return -1;
    memset(s, 0, sizeof *s);
    memcpy(s->host, host, hl + 1);
    memcpy(s->prefix, prefix, pl + 1);
    s->port = port;
    s->timeout_ms = timeout_ms;
    s->retry_ms = 1000;
    return 0;
}

void fapi_redis_store_close(fapi_redis_store *s) {
    if (s && s->conn) {
        redisFree((redisContext *)s->conn);
        s->conn = NULL;
    }
}

static void drop(fapi_redis_store *s) {
    fapi_redis_store_close(s);
    s->next_retry_ms = mono_ms() + s->retry_ms;
}

static int ensure_connected(fapi_redis_store *s) {
    if (s->conn) return 0;
    if (mono_ms() < s->next_retry_ms) return -1; /* backing off: fail at once */
    struct timeval tv = {(time_t)(s->timeout_ms / 1000), (suseconds_t)(s->timeout_ms % 1000) * 1000};
    redisContext *c = s->port == 0 ? redisConnectUnixWithTimeout(s->host, tv)
                                   : redisConnectWithTimeout(s->host, s->port, tv);
    if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
        if (c) redisFree(c);
        s->next_retry_ms = mono_ms() + s->retry_ms;
        return -1;
    }
    s->conn = c;
    s->connects++;
    return 0;
}

uint32_t fapi_redis_store_check(fapi_redis_store *s, const uint8_t *key, size_t key_len,
                                uint64_t expiry) {
    if (!s || !key || key_len == 0 || key_len > 256 || expiry == 0) return FAPI_REPLAY_STORE_ERROR;
    if (ensure_connected(s) != 0) {
        s->errors++;
        return FAPI_REPLAY_STORE_ERROR;
    }
    char k[FAPI_REDIS_MAX_PREFIX + 257];
    size_t pl = strlen(s->prefix);
    memcpy(k, s->prefix, pl);
    memcpy(k + pl, key, key_len);
    char exp[24];
    int el = snprintf(exp, sizeof exp, "%llu", (unsigned long long)expiry);
    const char *argv[6] = {"SET", k, "1", "NX", "EXAT", exp};
    size_t lens[6] = {3, pl + key_len, 1, 2, 4, (size_t)el};
    redisReply *rep = redisCommandArgv((redisContext *)s->conn, 6, argv, lens);
    uint32_t out = FAPI_REPLAY_STORE_ERROR;
    if (rep) {
        if (rep->type == REDIS_REPLY_STATUS && rep->len == 2 && memcmp(rep->str, "OK", 2) == 0) {
            out = FAPI_REPLAY_FRESH;
        } else if (rep->type == REDIS_REPLY_NIL) {
            out = FAPI_REPLAY_SEEN;
        }
        freeReplyObject(rep);
    }
    if (!rep || ((redisContext *)s->conn)->err) {
        /* Timeout or I/O error: the connection's state is unknown; never reuse it. */
        drop(s);
    }
    if (out == FAPI_REPLAY_FRESH) {
        s->fresh++;
    } else if (out == FAPI_REPLAY_SEEN) {
        s->seen++;
    } else {
        s->errors++;
    }
    return out;
}

uint32_t fapi_redis_complete(fapi_verifier *v, fapi_ctx *ctx, fapi_redis_store *s) {
    if (fapi_ctx_verdict(ctx) != FAPI_VERDICT_NEEDS_REPLAY_CHECK) return FAPI_OK;
    const uint8_t *key = NULL;
    size_t key_len = 0;
    uint64_t expiry = 0;
    uint32_t outcome = FAPI_REPLAY_STORE_ERROR;
    if (fapi_ctx_replay_check(ctx, &key, &key_len, &expiry) == FAPI_OK) {
        outcome = fapi_redis_store_check(s, key, key_len, expiry);
    }
    return fapi_complete_replay(v, ctx, outcome);
}
