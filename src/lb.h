/*
 * Balancers: the tables each algorithm needs, built once per graph, and
 * the hashing they share.
 */
#ifndef WEIR_LB_H
#define WEIR_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph-t.h"

/* Servers a retry can tell apart (bits of struct lb_req's tried). */
#define LB_TRIED_MAX		512

/* Points a server of weight 1 gets on the consistent-hash ring. */
#define LB_RING_POINTS		16
/* Longest round-robin order precomputed (entries x servers). */
#define LB_RR_MAX_WORK		(1u << 22)

/*
 * Build be->lb from be->servers, allocating in a. Returns 0, or -1 when
 * out of memory. Called by graph_build() only.
 */
int lb_build(struct arena *a, struct g_backend *be);

/*
 * What a pick needs to know beyond the backend: the calling thread's
 * cursors, the request's key for hashing balancers, and the servers a
 * retry must avoid.
 */
struct lb_req {
	unsigned *rr_pos;		/* this thread's cursor for be */
	uint64_t *rng;			/* this thread's random state */
	const void *key;		/* source address, path, header value */
	size_t key_len;			/* 0: no key, balance round-robin */
	const uint8_t *tried;		/* LB_TRIED_MAX bits by server index,
					   or NULL */
};

/*
 * The server for a new request to be, or NULL when none is usable. A
 * server is usable when it is enabled, has a weight above 0, is not in
 * req->tried and is below its maxconn. Backup servers serve only when no
 * other is usable. Any worker thread; touches only req's cursors and
 * reads servers' shared connection counts.
 */
const struct g_server *lb_pick(const struct g_backend *be,
    struct lb_req *req);
/*
 * Whether s may take one more request now: enabled with a weight, not in
 * maintenance or drain, up, its breaker not open, below its maxconn.
 */
bool lb_usable(const struct g_server *s, const uint8_t *tried);

/*
 * Whether be has no usable server only because those that would be are
 * at their maxconn: a request should wait in the queue rather than fail.
 */
bool lb_all_full(const struct g_backend *be, const uint8_t *tried);

/* A 32-bit hash with good avalanche, stable across runs and hosts. */
uint32_t lb_hash(const void *data, size_t len);
/* The server index owning hash on the ring (lb->nring > 0). */
unsigned lb_ring_lookup(const struct g_lb *lb, uint32_t hash);

#endif
