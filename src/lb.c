#include "config.h"

#include "lb.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t
lb_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t h = 2166136261u;
	size_t i;

	/* FNV-1a, then murmur3's finaliser for avalanche */
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static unsigned
lb_gcd(unsigned a, unsigned b)
{
	while (b != 0) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The smooth weighted round-robin order (nginx's): each step every server
 * gains its weight, the richest is picked and pays the total. Weights 3:1
 * give a a b a; 5:1:1 give a a b a c a a. Weights are divided by their
 * greatest common divisor first, so the order is as short as it can be.
 */
static int
lb_build_rr(struct arena *a, const struct g_backend *be, bool backup,
    unsigned **out, unsigned *nout)
{
	unsigned *idx, *w;
	long long *cur;
	unsigned n = 0, g = 0, i, k;
	unsigned long long total = 0;
	unsigned *seq;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (be->nservers == 0)
		return 0;
	cur = calloc(be->nservers, sizeof(*cur) + 2 * sizeof(unsigned));
	if (cur == NULL)
		return -1;
	idx = (unsigned *)(cur + be->nservers);
	w = idx + be->nservers;
	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		if (s->weight == 0 || !(s->flags & SRV_BACKUP) != !backup)
			continue;
		idx[n] = i;
		w[n] = s->weight;
		cur[n] = 0;
		g = lb_gcd(g, s->weight);
		n++;
	}
	for (i = 0; i < n; i++) {
		w[i] /= g;
		total += w[i];
	}
	/* too long an order: the engine picks live instead */
	if (n == 0 || total * n > LB_RR_MAX_WORK)
		goto out;
	seq = arena_alloc(a, sizeof(*seq) * total);
	if (seq == NULL) {
		r = -1;
		goto out;
	}
	for (k = 0; k < total; k++) {
		unsigned best = 0;

		for (i = 0; i < n; i++) {
			cur[i] += w[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= (long long)total;
		seq[k] = idx[best];
	}
	*out = seq;
	*nout = (unsigned)total;
out:
	free(cur);
	return r;
}

static int
lb_point_cmp(const void *pa, const void *pb)
{
	const struct g_ring_point *a = pa, *b = pb;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->srv < b->srv ? -1 : a->srv > b->srv;
}

/*
 * Consistent hashing: each server owns weight x LB_RING_POINTS points,
 * placed by hashing its name, so adding or removing a server moves only
 * the keys it owns (about 1/N) and the ring does not depend on the order
 * of the servers in the file.
 */
static int
lb_build_ring(struct arena *a, struct g_backend *be)
{
	struct g_lb *lb = &be->lb;
	unsigned i, k, n = 0;
	char key[300];

	for (i = 0; i < be->nservers; i++)
		if (be->servers[i].weight > 0 &&
		    !(be->servers[i].flags & SRV_BACKUP))
			n += be->servers[i].weight * LB_RING_POINTS;
	if (n == 0)
		return 0;
	lb->ring = arena_alloc(a, sizeof(*lb->ring) * n);
	if (lb->ring == NULL)
		return -1;
	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		if (s->weight == 0 || (s->flags & SRV_BACKUP))
			continue;
		for (k = 0; k < s->weight * LB_RING_POINTS; k++) {
			int len = snprintf(key, sizeof(key), "%s#%u", s->name,
			    k);

			if (len < 0 || (size_t)len >= sizeof(key))
				len = (int)sizeof(key) - 1;
			lb->ring[lb->nring].hash = lb_hash(key, (size_t)len);
			lb->ring[lb->nring].srv = i;
			lb->nring++;
		}
	}
	qsort(lb->ring, lb->nring, sizeof(*lb->ring), lb_point_cmp);
	return 0;
}

/* Map-based hashing: each server fills weight/gcd slots of a table. */
static int
lb_build_map(struct arena *a, struct g_backend *be)
{
	struct g_lb *lb = &be->lb;
	unsigned i, k, g = 0, n = 0;

	for (i = 0; i < be->nservers; i++)
		if (be->servers[i].weight > 0 &&
		    !(be->servers[i].flags & SRV_BACKUP))
			g = lb_gcd(g, be->servers[i].weight);
	if (g == 0)
		return 0;
	for (i = 0; i < be->nservers; i++)
		if (!(be->servers[i].flags & SRV_BACKUP))
			n += be->servers[i].weight / g;
	lb->map = arena_alloc(a, sizeof(*lb->map) * n);
	if (lb->map == NULL)
		return -1;
	for (i = 0; i < be->nservers; i++) {
		if (be->servers[i].flags & SRV_BACKUP)
			continue;
		for (k = 0; k < be->servers[i].weight / g; k++)
			lb->map[lb->nmap++] = i;
	}
	return 0;
}

unsigned
lb_ring_lookup(const struct g_lb *lb, uint32_t hash)
{
	unsigned lo = 0, hi = lb->nring;

	/* the first point at or after hash, wrapping around */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (lb->ring[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lb->ring[lo == lb->nring ? 0 : lo].srv;
}

int
lb_build(struct arena *a, struct g_backend *be)
{
	struct g_lb *lb = &be->lb;
	unsigned i;

	memset(lb, 0, sizeof(*lb));
	for (i = 0; i < be->nservers; i++) {
		if (be->servers[i].weight == 0)
			continue;
		if (be->servers[i].flags & SRV_BACKUP)
			lb->nbackup++;
		else
			lb->nactive++;
	}
	if (lb_build_rr(a, be, true, &lb->rr_backup, &lb->nrr_backup) < 0)
		return -1;
	switch (be->algo) {
	case LB_ROUNDROBIN:
	case LB_STATIC_RR:
		return lb_build_rr(a, be, false, &lb->rr, &lb->nrr);
	case LB_SOURCE:
	case LB_URI:
	case LB_HDR:
		if (be->hash_type == HASH_CONSISTENT)
			return lb_build_ring(a, be);
		return lb_build_map(a, be);
	case LB_LEASTCONN:
	case LB_FIRST:
	case LB_RANDOM:
		break;
	}
	return 0;
}
