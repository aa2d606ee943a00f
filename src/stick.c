#include "config.h"

#include "stick.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lb.h"

/* ---- frequency counters ------------------------------------------------ */

/* Bring f to the period that contains now. */
static void
stk_freq_roll(struct stk_freq *f, uint64_t period, uint64_t now)
{
	uint64_t gone;

	if (f->start == 0 || now < f->start) {
		f->start = now;
		return;
	}
	gone = now - f->start;
	if (gone < period)
		return;
	f->prev = gone < 2 * period ? f->curr : 0;
	f->curr = 0;
	f->start += gone / period * period;
}

void
stk_freq_add(struct stk_freq *f, uint64_t period, uint32_t n, uint64_t now)
{
	if (period == 0)
		period = 1;
	stk_freq_roll(f, period, now);
	f->curr = f->curr + n < f->curr ? UINT32_MAX : f->curr + n;
}

unsigned
stk_freq_rate(const struct stk_freq *f, uint64_t period, uint64_t now)
{
	struct stk_freq c = *f;
	uint64_t in;

	if (period == 0)
		period = 1;
	if (c.start == 0)
		return 0;
	stk_freq_roll(&c, period, now);
	in = now >= c.start ? now - c.start : 0;
	/* the part of the period before that is still within reach */
	return c.curr + (unsigned)((uint64_t)c.prev * (period - in) / period);
}

/* ---- tables ------------------------------------------------------------ */

static size_t
stk_klen(const struct stk_def *def)
{
	switch (def->type) {
	case STK_IP:
		return 4;
	case STK_IPV6:
		return 16;
	case STK_INTEGER:
		return 8;
	case STK_STRING:
	default:
		return def->len;
	}
}

struct stk_table *
stk_new(const char *name, const struct stk_def *def)
{
	struct stk_table *t = calloc(1, sizeof(*t));
	unsigned i;

	if (t == NULL || (t->name = strdup(name)) == NULL) {
		free(t);
		return NULL;
	}
	t->def = *def;
	if (t->def.type == STK_STRING &&
	    (t->def.len == 0 || t->def.len > STK_KEY_MAX))
		t->def.len = t->def.len == 0 ? 32 : STK_KEY_MAX;
	atomic_init(&t->n, 0);
	atomic_init(&t->evicted, 0);
	for (i = 0; i < STK_SHARDS; i++)
		pthread_mutex_init(&t->shards[i].lock, NULL);
	return t;
}

void
stk_free(struct stk_table *t)
{
	unsigned i;

	if (t == NULL)
		return;
	for (i = 0; i < STK_SHARDS; i++) {
		struct stk_shard *sh = &t->shards[i];
		struct stk_entry *e, *next;

		for (e = sh->lru_head; e != NULL; e = next) {
			next = e->lru_next;
			free(e);
		}
		free(sh->buckets);
		pthread_mutex_destroy(&sh->lock);
	}
	free(t->name);
	free(t);
}

bool
stk_compatible(const struct stk_table *t, const struct stk_def *def)
{
	return t->def.type == def->type &&
	    (def->type != STK_STRING || stk_klen(&t->def) ==
	    (def->len == 0 ? 32 : def->len > STK_KEY_MAX ? STK_KEY_MAX :
	    def->len));
}

void
stk_redefine(struct stk_table *t, const struct stk_def *def)
{
	/* read by the request path without a lock: word-sized stores */
	t->def.size = def->size;
	t->def.expire_ms = def->expire_ms;
	t->def.store = def->store;
	memcpy(t->def.period_ms, def->period_ms, sizeof(def->period_ms));
}

size_t
stk_key_ip(const struct stk_table *t, const void *sa, unsigned char *out)
{
	const struct sockaddr *s = sa;

	if (s->sa_family == AF_INET) {
		const struct sockaddr_in *in = sa;

		if (t->def.type == STK_IP) {
			memcpy(out, &in->sin_addr, 4);
			return 4;
		}
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &in->sin_addr, 4);
		return 16;
	}
	if (s->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = sa;
		const unsigned char *a = in6->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0xff, 0xff };

		if (t->def.type == STK_IPV6) {
			memcpy(out, a, 16);
			return 16;
		}
		/* an IPv4 table keeps mapped addresses only */
		if (memcmp(a, mapped, 12) == 0) {
			memcpy(out, a + 12, 4);
			return 4;
		}
	}
	return 0;
}

static struct stk_shard *
stk_shard(struct stk_table *t, uint32_t h)
{
	return &t->shards[h >> 26 & (STK_SHARDS - 1)];
}

static void
stk_lru_unlink(struct stk_shard *sh, struct stk_entry *e)
{
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		sh->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		sh->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
stk_lru_front(struct stk_shard *sh, struct stk_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = sh->lru_head;
	if (sh->lru_head != NULL)
		sh->lru_head->lru_prev = e;
	else
		sh->lru_tail = e;
	sh->lru_head = e;
}

/* Out of the shard and freed; shard lock held, e unreferenced. */
static void
stk_drop(struct stk_table *t, struct stk_shard *sh, struct stk_entry *e)
{
	struct stk_entry **pp = &sh->buckets[e->hash & (sh->nbuckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	stk_lru_unlink(sh, e);
	sh->n--;
	atomic_fetch_sub(&t->n, 1);
	free(e);
}

/*
 * Make room and drop what expired, from the shard's least recently used
 * end: a few entries per call, so no call takes long.
 */
static void
stk_trim(struct stk_table *t, struct stk_shard *sh, uint64_t now)
{
	struct stk_entry *e, *prev;
	unsigned looked = 0;

	for (e = sh->lru_tail; e != NULL && looked < 8; e = prev, looked++) {
		bool expired = t->def.expire_ms > 0 &&
		    now - e->touched >= t->def.expire_ms;
		bool full = atomic_load(&t->n) >= t->def.size;

		prev = e->lru_prev;
		if (e->refs > 0)
			continue;
		if (!expired && !full)
			break;
		if (!expired)
			atomic_fetch_add(&t->evicted, 1);
		stk_drop(t, sh, e);
	}
}

static int
stk_grow(struct stk_shard *sh)
{
	unsigned nb = sh->nbuckets ? sh->nbuckets * 2 : 16, i;
	struct stk_entry **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -1;
	for (i = 0; i < sh->nbuckets; i++) {
		struct stk_entry *e, *next;

		for (e = sh->buckets[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(sh->buckets);
	sh->buckets = b;
	sh->nbuckets = nb;
	return 0;
}

static struct stk_entry *
stk_find(struct stk_shard *sh, uint32_t h, const unsigned char *key,
    size_t klen)
{
	struct stk_entry *e;

	if (sh->nbuckets == 0)
		return NULL;
	for (e = sh->buckets[h & (sh->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

static void
stk_add(struct stk_table *t, struct stk_entry *e, unsigned add, uint64_t now)
{
	unsigned d;

	for (d = 0; d < STK_D__RATES; d++)
		if (add & (1u << d))
			stk_freq_add(&e->rate[d], t->def.period_ms[d], 1, now);
	if (add & (1u << STK_D_GPC0_RATE))
		e->gpc0++;
}

/*
 * The entry of key (h its hash) in sh, made when missing, with sh locked
 * by the caller; an entry past its time starts over. NULL when out of
 * memory.
 */
static struct stk_entry *
stk_get(struct stk_table *t, struct stk_shard *sh, uint32_t h,
    const unsigned char *key, size_t klen, uint64_t now)
{
	struct stk_entry *e = stk_find(sh, h, key, klen);

	if (e == NULL) {
		stk_trim(t, sh, now);
		if ((sh->n >= sh->nbuckets && stk_grow(sh) < 0) ||
		    (e = calloc(1, sizeof(*e) + klen)) == NULL)
			return NULL;
		e->hash = h;
		e->klen = (uint16_t)klen;
		memcpy(e->key, key, klen);
		e->hnext = sh->buckets[h & (sh->nbuckets - 1)];
		sh->buckets[h & (sh->nbuckets - 1)] = e;
		sh->n++;
		atomic_fetch_add(&t->n, 1);
	} else {
		stk_lru_unlink(sh, e);
		if (e->refs == 0 && t->def.expire_ms > 0 &&
		    now - e->touched >= t->def.expire_ms) {
			memset(e->rate, 0, sizeof(e->rate));
			e->gpc0 = 0;
			e->server_id = 0;
		}
	}
	stk_lru_front(sh, e);
	e->touched = now;
	return e;
}

/* The key's length as the table keeps it; 0 for a key it cannot hold. */
static size_t
stk_klen_of(const struct stk_table *t, size_t klen)
{
	if (klen == 0 || klen > STK_KEY_MAX)
		return 0;
	if (t->def.type == STK_STRING && klen > stk_klen(&t->def))
		klen = stk_klen(&t->def);
	return klen;
}

struct stk_entry *
stk_track(struct stk_table *t, const unsigned char *key, size_t klen,
    unsigned add, bool ref, uint64_t now)
{
	uint32_t h;
	struct stk_shard *sh;
	struct stk_entry *e;

	if ((klen = stk_klen_of(t, klen)) == 0)
		return NULL;
	h = lb_hash(key, klen);
	sh = stk_shard(t, h);
	pthread_mutex_lock(&sh->lock);
	e = stk_get(t, sh, h, key, klen, now);
	if (e != NULL) {
		stk_add(t, e, add, now);
		if (ref) {
			e->refs++;
			e->conn_cur++;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return e;
}

int
stk_server(struct stk_table *t, const unsigned char *key, size_t klen,
    uint64_t now)
{
	uint32_t h;
	struct stk_shard *sh;
	struct stk_entry *e;
	int id = 0;

	if ((klen = stk_klen_of(t, klen)) == 0)
		return 0;
	h = lb_hash(key, klen);
	sh = stk_shard(t, h);
	pthread_mutex_lock(&sh->lock);
	e = stk_find(sh, h, key, klen);
	if (e != NULL && !(e->refs == 0 && t->def.expire_ms > 0 &&
	    now - e->touched >= t->def.expire_ms))
		id = e->server_id;
	pthread_mutex_unlock(&sh->lock);
	return id;
}

int
stk_set_server(struct stk_table *t, const unsigned char *key, size_t klen,
    int server_id, uint64_t now)
{
	uint32_t h;
	struct stk_shard *sh;
	struct stk_entry *e;

	if ((klen = stk_klen_of(t, klen)) == 0)
		return -1;
	h = lb_hash(key, klen);
	sh = stk_shard(t, h);
	pthread_mutex_lock(&sh->lock);
	e = stk_get(t, sh, h, key, klen, now);
	if (e != NULL)
		e->server_id = server_id;
	pthread_mutex_unlock(&sh->lock);
	return e != NULL ? 0 : -1;
}

void
stk_count(struct stk_table *t, struct stk_entry *e, unsigned add,
    uint64_t now)
{
	struct stk_shard *sh = stk_shard(t, e->hash);

	pthread_mutex_lock(&sh->lock);
	e->touched = now;
	stk_add(t, e, add, now);
	pthread_mutex_unlock(&sh->lock);
}

void
stk_release(struct stk_table *t, struct stk_entry *e, uint64_t now)
{
	struct stk_shard *sh = stk_shard(t, e->hash);

	pthread_mutex_lock(&sh->lock);
	if (e->refs > 0)
		e->refs--;
	if (e->conn_cur > 0)
		e->conn_cur--;
	e->touched = now;
	pthread_mutex_unlock(&sh->lock);
}

unsigned
stk_rate(const struct stk_table *t, const struct stk_entry *e,
    enum stk_data d, uint64_t now)
{
	struct stk_shard *sh = stk_shard((struct stk_table *)t, e->hash);
	unsigned r;

	pthread_mutex_lock(&sh->lock);
	r = stk_freq_rate(&e->rate[d], t->def.period_ms[d], now);
	pthread_mutex_unlock(&sh->lock);
	return r;
}

unsigned
stk_lookup_rate(struct stk_table *t, const unsigned char *key, size_t klen,
    enum stk_data d, uint64_t now)
{
	uint32_t h;
	struct stk_shard *sh;
	struct stk_entry *e;
	unsigned r = 0;

	if (klen == 0 || klen > STK_KEY_MAX)
		return 0;
	if (t->def.type == STK_STRING && klen > stk_klen(&t->def))
		klen = stk_klen(&t->def);
	h = lb_hash(key, klen);
	sh = stk_shard(t, h);
	pthread_mutex_lock(&sh->lock);
	e = stk_find(sh, h, key, klen);
	if (e != NULL && !(t->def.expire_ms > 0 &&
	    now - e->touched >= t->def.expire_ms))
		r = stk_freq_rate(&e->rate[d], t->def.period_ms[d], now);
	pthread_mutex_unlock(&sh->lock);
	return r;
}

int
stk_conn_cur(struct stk_table *t, const struct stk_entry *e)
{
	struct stk_shard *sh = stk_shard(t, e->hash);
	int n;

	pthread_mutex_lock(&sh->lock);
	n = e->conn_cur;
	pthread_mutex_unlock(&sh->lock);
	return n;
}

size_t
stk_entry_size(const struct stk_table *t)
{
	/* the entry, its key, and its share of the buckets (one pointer) */
	return sizeof(struct stk_entry) + stk_klen(&t->def) +
	    sizeof(struct stk_entry *);
}
