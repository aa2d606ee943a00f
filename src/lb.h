/*
 * Balancers: the tables each algorithm needs, built once per graph, and
 * the hashing they share.
 */
#ifndef WEIR_LB_H
#define WEIR_LB_H

#include <stddef.h>
#include <stdint.h>

#include "graph-t.h"

/* Points a server of weight 1 gets on the consistent-hash ring. */
#define LB_RING_POINTS		16
/* Longest round-robin order precomputed (entries x servers). */
#define LB_RR_MAX_WORK		(1u << 22)

/*
 * Build be->lb from be->servers, allocating in a. Returns 0, or -1 when
 * out of memory. Called by graph_build() only.
 */
int lb_build(struct arena *a, struct g_backend *be);

/* A 32-bit hash with good avalanche, stable across runs and hosts. */
uint32_t lb_hash(const void *data, size_t len);
/* The server index owning hash on the ring (lb->nring > 0). */
unsigned lb_ring_lookup(const struct g_lb *lb, uint32_t hash);

#endif
