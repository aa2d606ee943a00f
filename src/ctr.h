/*
 * Counters on the request path. Each record of the state store (frontend,
 * backend, server) has one slot per worker thread, on cache lines of its
 * own. A slot is written by its thread only, with a relaxed load and
 * store (no locked instruction); readers sum the slots of all threads.
 */
#ifndef WEIR_CTR_H
#define WEIR_CTR_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

/* Upper bounds of the response-time histogram, in milliseconds. */
#define CTR_RT_BOUNDS_MS \
	{ 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 }
#define CTR_RT_NBUCKETS	11	/* and +Inf: the count */

enum ctr_idx {
	CTR_CONN_TOT = 0,	/* fe: connections accepted; srv/be: sent */
	CTR_CONN_CUR,		/* fe: connections open (threads' +1/-1) */
	CTR_REQ_TOT,		/* HTTP requests */
	CTR_HRSP_1XX,
	CTR_HRSP_2XX,
	CTR_HRSP_3XX,
	CTR_HRSP_4XX,
	CTR_HRSP_5XX,
	CTR_HRSP_OTHER,
	CTR_BYTES_IN,		/* from clients */
	CTR_BYTES_OUT,		/* to clients */
	CTR_DENIED,		/* http-request deny */
	CTR_RATELIM,		/* of those, denied with 429: rate limits */
	CTR_DENIED_CONN,	/* fe: connections tcp-request rejected */
	CTR_ERR_REQ,		/* requests refused as malformed */
	CTR_ERR_CONN,		/* connections to servers that failed */
	CTR_ERR_RESP,		/* responses that failed or timed out */
	CTR_RETRIES,
	CTR_REDISPATCH,
	CTR_RATE_SEC,		/* the second CTR_RATE_CUR counts in */
	CTR_RATE_CUR,		/* requests or connections in that second */
	CTR_RATE_PREV,		/* in the second before it */
	CTR_RT_SUM_US,		/* response time: sum, microseconds */
	CTR_RT_COUNT,
	CTR_RT_BUCKET,		/* CTR_RT_NBUCKETS of them, not cumulative */
	CTR__COUNT = CTR_RT_BUCKET + CTR_RT_NBUCKETS
};

/* One thread's counters of one record: whole cache lines. */
struct ctr_slot {
	alignas(64) _Atomic uint64_t v[CTR__COUNT];
};

/* Add n to counter i of the calling thread's slot c. */
static inline void
ctr_add(struct ctr_slot *c, enum ctr_idx i, uint64_t n)
{
	atomic_store_explicit(&c->v[i], atomic_load_explicit(&c->v[i],
	    memory_order_relaxed) + n, memory_order_relaxed);
}

/* The sum of counter i over nslots slots. Any thread. */
static inline uint64_t
ctr_sum(const struct ctr_slot *c, unsigned nslots, enum ctr_idx i)
{
	uint64_t s = 0;
	unsigned k;

	for (k = 0; k < nslots; k++)
		s += atomic_load_explicit(&c[k].v[i], memory_order_relaxed);
	return s;
}

/* Count one event in the per-second rate of slot c; now in seconds. */
static inline void
ctr_rate(struct ctr_slot *c, uint64_t now_s)
{
	uint64_t sec = atomic_load_explicit(&c->v[CTR_RATE_SEC],
	    memory_order_relaxed);

	if (sec != now_s) {
		uint64_t cur = atomic_load_explicit(&c->v[CTR_RATE_CUR],
		    memory_order_relaxed);

		atomic_store_explicit(&c->v[CTR_RATE_PREV], sec + 1 == now_s ?
		    cur : 0, memory_order_relaxed);
		atomic_store_explicit(&c->v[CTR_RATE_CUR], 0,
		    memory_order_relaxed);
		atomic_store_explicit(&c->v[CTR_RATE_SEC], now_s,
		    memory_order_relaxed);
	}
	ctr_add(c, CTR_RATE_CUR, 1);
}

/* Events in the last whole second, all slots; now in seconds. */
static inline uint64_t
ctr_rate_get(const struct ctr_slot *c, unsigned nslots, uint64_t now_s)
{
	uint64_t r = 0;
	unsigned k;

	for (k = 0; k < nslots; k++) {
		uint64_t sec = atomic_load_explicit(&c[k].v[CTR_RATE_SEC],
		    memory_order_relaxed);

		if (sec == now_s)
			r += atomic_load_explicit(&c[k].v[CTR_RATE_PREV],
			    memory_order_relaxed);
		else if (sec + 1 == now_s)
			r += atomic_load_explicit(&c[k].v[CTR_RATE_CUR],
			    memory_order_relaxed);
	}
	return r;
}

#endif
