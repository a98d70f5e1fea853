/*
 * fapi_redis — a fleet-wide DPoP replay store on Redis for fapi's two-phase decision.
 *
 * With `replay_slots = 0` a fapi verifier has no table of its own: a decision that passed every
 * other check ends in FAPI_VERDICT_NEEDS_REPLAY_CHECK, and the host asks a store shared by every
 * instance whether the proof's (key, jti) pair is new:
 *
 *     SET <prefix><key> 1 NX EXAT <expiry>
 *
 * `key` is fapi's 43-byte store key (base64url(SHA-256(jkt || jti)), the same on every
 * instance) and `expiry` the Unix time until which the pair must be remembered. "OK" means the
 * pair is new and now stored (FAPI_REPLAY_FRESH); a nil reply means another request already
 * stored it (FAPI_REPLAY_SEEN). Anything else — no connection, a timeout, an error reply, an
 * unexpected reply type — is FAPI_REPLAY_STORE_ERROR, which fapi turns into a 503: the store
 * fails closed, never open.
 *
 * Blocking I/O with a timeout (hiredis' synchronous API): each call costs one round trip to
 * Redis (about 0.1 ms on loopback or a LAN) and at most `timeout_ms`. After a failure the
 * connection is dropped and a new one is tried at most once per `retry_ms`; until then calls
 * answer FAPI_REPLAY_STORE_ERROR at once, so a dead Redis does not stall every request for a
 * connect timeout.
 *
 * Threads: one store per thread (or nginx worker); nothing is global.
 */
#ifndef FAPI_REDIS_H
#define FAPI_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "fapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FAPI_REDIS_MAX_HOST 256
#define FAPI_REDIS_MAX_PREFIX 64

typedef struct fapi_redis_store {
    char host[FAPI_REDIS_MAX_HOST]; /* host name or address, or a Unix socket path (port 0) */
    int port;
    unsigned timeout_ms;  /* connect and command timeout */
    unsigned retry_ms;    /* least time between reconnection attempts */
    char prefix[FAPI_REDIS_MAX_PREFIX];
    void *conn;           /* redisContext *, NULL when disconnected */
    uint64_t next_retry_ms; /* monotonic ms before which no reconnection is tried */
    /* Counters. */
    uint64_t fresh, seen, errors, connects;
} fapi_redis_store;

/* Sets up `s` (no connection yet: the first check connects). `prefix` NULL = "fapi:replay:".
 * Returns 0, or -1 for a host or prefix that is too long, or a zero timeout. */
int fapi_redis_store_init(fapi_redis_store *s, const char *host, int port, unsigned timeout_ms,
                          const char *prefix);

/* One SET NX EXAT round trip: FAPI_REPLAY_FRESH, FAPI_REPLAY_SEEN or FAPI_REPLAY_STORE_ERROR. */
uint32_t fapi_redis_store_check(fapi_redis_store *s, const uint8_t *key, size_t key_len,
                                uint64_t expiry);

/* If the context's verdict is FAPI_VERDICT_NEEDS_REPLAY_CHECK: asks the store and completes the
 * decision with fapi_complete_replay(). Otherwise does nothing. Returns what fapi returned
 * (FAPI_OK when the context now holds a final verdict). */
uint32_t fapi_redis_complete(fapi_verifier *v, fapi_ctx *ctx, fapi_redis_store *s);

/* Closes the connection (the store stays usable: the next check reconnects). */
void fapi_redis_store_close(fapi_redis_store *s);

#ifdef __cplusplus
}
#endif

#endif /* FAPI_REDIS_H */
