#include "config.h"

#include "lb.h"

#include <stdatomic.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state.h"

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

/* The index of the first ring point at or after hash, wrapping around. */
static unsigned
lb_ring_index(const struct g_lb *lb, uint32_t hash)
{
	unsigned lo = 0, hi = lb->nring;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (lb->ring[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == lb->nring ? 0 : lo;
}

unsigned
lb_ring_lookup(const struct g_lb *lb, uint32_t hash)
{
	return lb->ring[lb_ring_index(lb, hash)].srv;
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
		if (be->servers[i].flags & SRV_BACKUP) {
			lb->nbackup++;
		} else {
			lb->nactive++;
			if (be->servers[i].weight > lb->maxw)
				lb->maxw = be->servers[i].weight;
		}
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

/* ---- picking ----------------------------------------------------------- */

/*
 * The circuit breaker of s is not closed: an open one turns half-open
 * once its cool-down is over; a half-open one lets half-open requests
 * through, whose outcome closes or opens it again (check_report()).
 */
static bool
lb_breaker_lets(const struct g_server *s)
{
	struct state_server *st = s->st;
	unsigned brk = atomic_load(&st->breaker);

	if (brk == SRV_BRK_OPEN) {
		struct timespec ts;
		uint64_t now;

		clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
		now = (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000;
		if (now < atomic_load(&st->brk_until))
			return false;
		atomic_store(&st->brk_probes, 0);
		atomic_store(&st->brk_ok, 0);
		if (atomic_compare_exchange_strong(&st->breaker, &brk,
		    SRV_BRK_HALF_OPEN))
			fprintf(stderr, "weir: server %s/%s: circuit breaker "
			    "half-open: %u probe request%s\n", s->be->px.name,
			    s->name, s->half_open,
			    s->half_open == 1 ? "" : "s");
		brk = atomic_load(&st->breaker);
		if (brk != SRV_BRK_HALF_OPEN)
			return brk == SRV_BRK_CLOSED;
	}
	return atomic_load(&st->brk_probes) < s->half_open;
}

bool
lb_usable(const struct g_server *s, const uint8_t *tried)
{
	if (s->weight == 0 || (s->flags & SRV_DISABLED))
		return false;
	if (tried != NULL && s->idx < LB_TRIED_MAX &&
	    (tried[s->idx / 8] & (1u << (s->idx % 8))))
		return false;
	if (s->st == NULL)
		return true;
	if (atomic_load_explicit(&s->st->admin, memory_order_relaxed) != 0 ||
	    atomic_load_explicit(&s->st->health, memory_order_relaxed) !=
	    SRV_H_UP)
		return false;
	if (atomic_load_explicit(&s->st->breaker, memory_order_relaxed) !=
	    SRV_BRK_CLOSED && !lb_breaker_lets(s))
		return false;
	if (s->maxconn > 0 &&
	    atomic_load_explicit(&s->st->cur_conns, memory_order_relaxed) >=
	    (int)s->maxconn)
		return false;
	return true;
}

bool
lb_all_full(const struct g_backend *be, const uint8_t *tried)
{
	unsigned i;

	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		if (s->maxconn == 0 || s->st == NULL ||
		    atomic_load_explicit(&s->st->cur_conns,
		    memory_order_relaxed) < (int)s->maxconn)
			continue;
		/* full: would it be usable with one slot free? */
		if (s->weight == 0 || (s->flags & SRV_DISABLED) ||
		    (tried != NULL && s->idx < LB_TRIED_MAX &&
		    (tried[s->idx / 8] & (1u << (s->idx % 8)))) ||
		    atomic_load_explicit(&s->st->admin, memory_order_relaxed) ||
		    atomic_load_explicit(&s->st->health, memory_order_relaxed) !=
		    SRV_H_UP ||
		    atomic_load_explicit(&s->st->breaker,
		    memory_order_relaxed) == SRV_BRK_OPEN)
			continue;
		return true;
	}
	return false;
}

static int
lb_conns(const struct g_server *s)
{
	return s->st ? atomic_load_explicit(&s->st->cur_conns,
	    memory_order_relaxed) : 0;
}

/* xorshift64*: a thread's own generator, seeded per thread. */
static uint32_t
lb_random(uint64_t *st)
{
	uint64_t x = *st ? *st : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Walk a precomputed order from the thread's cursor. */
static const struct g_server *
lb_pick_order(const struct g_backend *be, const unsigned *order, unsigned n,
    unsigned *pos, const uint8_t *tried)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct g_server *s = &be->servers[order[*pos % n]];

		*pos = (*pos + 1) % n;
		if (lb_usable(s, tried))
			return s;
	}
	return NULL;
}

/*
 * Weighted round robin without a precomputed order, for backends too
 * large to have one: the cursor walks rounds of the server list, and in
 * round r a server takes its turn when its weight exceeds r, so over
 * maxw rounds each server serves as often as its weight says.
 */
static const struct g_server *
lb_pick_cycle(const struct g_backend *be, unsigned *pos, const uint8_t *tried)
{
	uint64_t span = (uint64_t)be->nservers * (be->lb.maxw ? be->lb.maxw : 1);
	uint64_t i;

	for (i = 0; i < span; i++) {
		unsigned p = (unsigned)(*pos % span);
		const struct g_server *s = &be->servers[p % be->nservers];
		unsigned round = p / be->nservers;

		*pos = (unsigned)((p + 1) % span);
		if (!(s->flags & SRV_BACKUP) && s->weight > round &&
		    lb_usable(s, tried))
			return s;
	}
	return NULL;
}

/* Fewest connections per unit of weight; ties go round robin. */
static const struct g_server *
lb_pick_leastconn(const struct g_backend *be, unsigned *pos,
    const uint8_t *tried)
{
	const struct g_server *best = NULL;
	unsigned i, start = *pos % (be->nservers ? be->nservers : 1);
	uint64_t best_load = UINT64_MAX;

	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s =
		    &be->servers[(start + i) % be->nservers];
		uint64_t load;

		if ((s->flags & SRV_BACKUP) || !lb_usable(s, tried))
			continue;
		/* scaled so weights compare without division */
		load = ((uint64_t)lb_conns(s) << 16) / s->weight;
		if (load < best_load) {
			best_load = load;
			best = s;
		}
	}
	if (best != NULL)
		*pos = best->idx + 1;
	return best;
}

static const struct g_server *
lb_pick_first(const struct g_backend *be, const uint8_t *tried)
{
	unsigned i;

	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		if (!(s->flags & SRV_BACKUP) && lb_usable(s, tried))
			return s;
	}
	return NULL;
}

/* Power of N choices: N random usable servers, the least loaded wins. */
static const struct g_server *
lb_pick_random(const struct g_backend *be, struct lb_req *req)
{
	const struct g_server *best = NULL;
	unsigned draw, tries, i;
	uint64_t total = 0;
	int best_conns = 0;

	for (i = 0; i < be->nservers; i++)
		if (!(be->servers[i].flags & SRV_BACKUP))
			total += be->servers[i].weight;
	if (total == 0)
		return NULL;
	for (draw = 0, tries = 0; draw < be->random_draws &&
	    tries < 4 * be->nservers + 16; tries++) {
		const struct g_server *s = NULL;
		uint64_t acc = 0, target = lb_random(req->rng) % total;

		/* a draw weighted by the servers' weights */
		for (i = 0; i < be->nservers; i++) {
			if (be->servers[i].flags & SRV_BACKUP)
				continue;
			acc += be->servers[i].weight;
			if (target < acc) {
				s = &be->servers[i];
				break;
			}
		}
		if (s == NULL || !lb_usable(s, req->tried))
			continue;
		draw++;
		/* load per unit of weight, compared without division */
		if (best == NULL || (int64_t)lb_conns(s) * best->weight <
		    (int64_t)best_conns * s->weight) {
			best = s;
			best_conns = lb_conns(s);
		}
	}
	/* unlucky draws: any usable server will do */
	return best ? best : lb_pick_leastconn(be, req->rr_pos, req->tried);
}

/* Hashing balancers: the key's owner, or the next usable one. */
static const struct g_server *
lb_pick_hash(const struct g_backend *be, struct lb_req *req)
{
	const struct g_lb *lb = &be->lb;
	uint32_t h = lb_hash(req->key, req->key_len);
	unsigned i, n;

	if (be->hash_type == HASH_CONSISTENT && lb->nring > 0) {
		unsigned lo = lb_ring_index(lb, h);

		for (i = 0; i < lb->nring; i++) {
			const struct g_server *s =
			    &be->servers[lb->ring[(lo + i) % lb->nring].srv];

			if (lb_usable(s, req->tried))
				return s;
		}
		return NULL;
	}
	n = lb->nmap;
	for (i = 0; i < n; i++) {
		const struct g_server *s =
		    &be->servers[lb->map[(h % n + i) % n]];

		if (lb_usable(s, req->tried))
			return s;
	}
	return NULL;
}

static const struct g_server *lb_pick_one(const struct g_backend *,
    struct lb_req *);

/*
 * Whether s, back up since less than its slowstart, lets this request
 * pass: its share grows from nothing to its weight's over slowstart.
 */
static bool
lb_slow_refuses(const struct g_server *s, uint64_t *rng)
{
	uint64_t since, now;
	struct timespec ts;

	if (s->slowstart_ms == 0 || s->st == NULL ||
	    (since = atomic_load_explicit(&s->st->up_since,
	    memory_order_relaxed)) == 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (now >= since + s->slowstart_ms)
		return false;
	return (uint64_t)lb_random(rng) % s->slowstart_ms >= now - since;
}

const struct g_server *
lb_pick(const struct g_backend *be, struct lb_req *req)
{
	const struct g_server *s = lb_pick_one(be, req), *o;
	uint8_t tried[LB_TRIED_MAX / 8];
	struct lb_req r2;

	if (s == NULL || s->slowstart_ms == 0 || req->rng == NULL ||
	    !lb_slow_refuses(s, req->rng) || s->idx >= LB_TRIED_MAX)
		return s;
	/* another server, if there is one; else this one after all */
	r2 = *req;
	if (req->tried != NULL)
		memcpy(tried, req->tried, sizeof(tried));
	else
		memset(tried, 0, sizeof(tried));
	tried[s->idx / 8] |= (uint8_t)(1u << (s->idx % 8));
	r2.tried = tried;
	o = lb_pick_one(be, &r2);
	return o != NULL ? o : s;
}

static const struct g_server *
lb_pick_one(const struct g_backend *be, struct lb_req *req)
{
	const struct g_server *s = NULL;
	const struct g_lb *lb = &be->lb;

	if (be->nservers == 0)
		return NULL;
	switch (be->algo) {
	case LB_ROUNDROBIN:
	case LB_STATIC_RR:
		s = lb->nrr ? lb_pick_order(be, lb->rr, lb->nrr, req->rr_pos,
		    req->tried) : lb_pick_cycle(be, req->rr_pos, req->tried);
		break;
	case LB_LEASTCONN:
		s = lb_pick_leastconn(be, req->rr_pos, req->tried);
		break;
	case LB_FIRST:
		s = lb_pick_first(be, req->tried);
		break;
	case LB_RANDOM:
		s = lb_pick_random(be, req);
		break;
	case LB_SOURCE:
	case LB_URI:
	case LB_HDR:
		/* no key (no such header): round robin, as HAProxy does */
		if (req->key_len > 0 || be->algo == LB_SOURCE)
			s = lb_pick_hash(be, req);
		else
			s = lb_pick_cycle(be, req->rr_pos, req->tried);
		break;
	}
	if (s != NULL)
		return s;
	/* no active server: the first usable backup, as HAProxy does */
	if (lb->nbackup > 0) {
		unsigned i;

		for (i = 0; i < be->nservers; i++)
			if ((be->servers[i].flags & SRV_BACKUP) &&
			    lb_usable(&be->servers[i], req->tried))
				return &be->servers[i];
	}
	return NULL;
}
