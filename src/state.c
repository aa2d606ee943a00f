#include "config.h"

#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "lb.h"
#include "stick.h"
#include "val.h"

uint64_t
state_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

const char *
state_chk_status_name(unsigned st)
{
	static const char *const names[] = {
		[CHK_ST_NONE] = "",
		[CHK_ST_L4OK] = "L4OK",
		[CHK_ST_L4TOUT] = "L4TOUT",
		[CHK_ST_L4CON] = "L4CON",
		[CHK_ST_L7OK] = "L7OK",
		[CHK_ST_L7TOUT] = "L7TOUT",
		[CHK_ST_L7RSP] = "L7RSP",
		[CHK_ST_L7STS] = "L7STS",
		[CHK_ST_L6TOUT] = "L6TOUT",
		[CHK_ST_L6RSP] = "L6RSP",
		[CHK_ST_L6OK] = "L6OK",
	};

	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

struct state_store *
state_new(unsigned nthreads)
{
	struct state_store *st = calloc(1, sizeof(*st));
	unsigned i;

	if (st == NULL)
		return NULL;
	st->nthreads = nthreads ? nthreads : 1;
	st->errs = calloc(st->nthreads, sizeof(*st->errs));
	if (st->errs == NULL) {
		free(st);
		return NULL;
	}
	for (i = 0; i < st->nthreads; i++)
		pthread_mutex_init(&st->errs[i].lock, NULL);
	pthread_mutex_init(&st->lock, NULL);
	st->start_us = state_now_us();
	atomic_init(&st->generation, 0);
	atomic_init(&st->reloads, 0);
	atomic_init(&st->reload_failures, 0);
	atomic_init(&st->last_reload_ok, -1);
	atomic_init(&st->last_reload_us, 0);
	return st;
}

static void
state_map_free(struct state_map *m)
{
	unsigned i;

	for (i = 0; i < m->nbuckets; i++) {
		struct state_node *n, *next;

		for (n = m->buckets[i]; n != NULL; n = next) {
			next = n->next;
			free(n->ctr);
			if (n->release != NULL)
				n->release(n);
			free(n->key);
			free(n);
		}
	}
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

void
state_free(struct state_store *st)
{
	unsigned i;

	if (st == NULL)
		return;
	state_map_free(&st->servers);
	state_map_free(&st->backends);
	state_map_free(&st->frontends);
	for (i = 0; i < st->nthreads; i++)
		pthread_mutex_destroy(&st->errs[i].lock);
	free(st->errs);
	state_map_free(&st->tables);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct state_node *
state_map_find(const struct state_map *m, const char *key, uint32_t h)
{
	struct state_node *n;

	if (m->nbuckets == 0)
		return NULL;
	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->next)
		if (n->hash == h && strcmp(n->key, key) == 0)
			return n;
	return NULL;
}

/* Insert n; the table doubles once it holds as many as it has buckets. */
static int
state_map_add(struct state_map *m, struct state_node *n)
{
	unsigned i;

	if (m->n >= m->nbuckets) {
		unsigned nb = m->nbuckets ? m->nbuckets * 2 : 64;
		struct state_node **b = calloc(nb, sizeof(*b));

		if (b == NULL)
			return -1;
		for (i = 0; i < m->nbuckets; i++) {
			struct state_node *x, *next;

			for (x = m->buckets[i]; x != NULL; x = next) {
				next = x->next;
				x->next = b[x->hash & (nb - 1)];
				b[x->hash & (nb - 1)] = x;
			}
		}
		free(m->buckets);
		m->buckets = b;
		m->nbuckets = nb;
	}
	i = n->hash & (m->nbuckets - 1);
	n->next = m->buckets[i];
	m->buckets[i] = n;
	m->n++;
	return 0;
}

static void
state_map_del(struct state_map *m, struct state_node *n)
{
	struct state_node **pp = &m->buckets[n->hash & (m->nbuckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			m->n--;
			return;
		}
	}
}

/*
 * A new record of size bytes under key, with its counter slots, added to
 * m; NULL when out of memory.
 */
static struct state_node *
state_node_new(struct state_store *st, struct state_map *m, size_t size,
    const char *key, uint32_t h)
{
	struct state_node *n = calloc(1, size);
	size_t csize = sizeof(struct ctr_slot) * st->nthreads;

	if (n == NULL || (n->key = strdup(key)) == NULL ||
	    (n->ctr = aligned_alloc(alignof(struct ctr_slot), csize)) ==
	    NULL)
		goto fail;
	memset(n->ctr, 0, csize);
	n->hash = h;
	if (state_map_add(m, n) < 0)
		goto fail;
	return n;
fail:
	if (n != NULL) {
		free(n->ctr);
		free(n->key);
	}
	free(n);
	return NULL;
}

static struct state_backend *
state_backend_get(struct state_store *st, const char *name)
{
	uint32_t h = lb_hash(name, strlen(name));
	struct state_node *n = state_map_find(&st->backends, name, h);
	struct state_backend *b;

	if (n != NULL) {
		n->refs++;
		return (struct state_backend *)n;
	}
	b = (struct state_backend *)state_node_new(st, &st->backends,
	    sizeof(*b), name, h);
	if (b == NULL)
		return NULL;
	b->node.refs = 1;
	b->id = st->nbackends++;
	pthread_mutex_init(&b->qlock, NULL);
	atomic_init(&b->qlen, 0);
	atomic_init(&b->qmax, 0);
	return b;
}

static struct state_server *
state_server_get(struct state_store *st, const char *key,
    const struct conf_addr *addr)
{
	uint32_t h = lb_hash(key, strlen(key));
	struct state_node *n = state_map_find(&st->servers, key, h);
	struct state_server *s;

	if (n != NULL && val_addr_eq(&((struct state_server *)n)->addr, addr)) {
		n->refs++;
		return (struct state_server *)n;
	}
	if (n != NULL) {
		/*
		 * The address changed: another server now. The old record
		 * leaves the table (graphs still on it keep it alive) so the
		 * name finds the new one.
		 */
		state_map_del(&st->servers, n);
		n->next = NULL;
		n->hash = 0;	/* marks it out of the table */
		n->key[0] = '\0';
	}
	s = (struct state_server *)state_node_new(st, &st->servers,
	    sizeof(*s), key, h);
	if (s == NULL)
		return NULL;
	s->node.refs = 1;
	s->id = st->nservers++;
	s->addr = *addr;
	atomic_init(&s->cur_conns, 0);
	atomic_init(&s->admin, 0);
	atomic_init(&s->health, SRV_H_UP);
	atomic_init(&s->breaker, SRV_BRK_CLOSED);
	atomic_init(&s->chk_ok, 0);
	atomic_init(&s->chk_fail, 0);
	atomic_init(&s->chk_status, CHK_ST_NONE);
	atomic_init(&s->chk_code, 0);
	atomic_init(&s->chk_ms, 0);
	atomic_init(&s->chk_inject, 0);
	atomic_init(&s->chk_fast, false);
	atomic_init(&s->last_change, (uint64_t)time(NULL));
	atomic_init(&s->up_since, 0);
	atomic_init(&s->errors, 0);
	atomic_init(&s->brk_until, 0);
	atomic_init(&s->brk_probes, 0);
	atomic_init(&s->brk_ok, 0);
	s->weight_ovr = -1;
	return s;
}

/* A frontend's record; they are never freed before the store. */
static struct state_frontend *
state_frontend_get(struct state_store *st, const char *name)
{
	uint32_t h = lb_hash(name, strlen(name));
	struct state_node *n = state_map_find(&st->frontends, name, h);
	struct state_frontend *f;

	if (n != NULL)
		return (struct state_frontend *)n;
	f = (struct state_frontend *)state_node_new(st, &st->frontends,
	    sizeof(*f), name, h);
	if (f == NULL)
		return NULL;
	f->node.refs = 1;
	f->id = st->nfrontends++;
	return f;
}

/*
 * What the configuration says of a server meets what the admin said: a
 * server the file newly marks 'disabled' goes to maintenance, one it no
 * longer marks leaves it; otherwise the admin's state stays. The admin's
 * weight replaces the file's.
 */
static bool
state_server_apply(struct state_server *r, struct g_server *s, bool fresh)
{
	bool dis = (s->flags & SRV_DISABLED) != 0;

	if (fresh || dis != r->cfg_disabled) {
		if (dis)
			atomic_fetch_or(&r->admin, SRV_ADM_MAINT);
		else if (!fresh)
			atomic_fetch_and(&r->admin, ~(unsigned)SRV_ADM_MAINT);
		r->cfg_disabled = dis;
	}
	r->iweight = s->weight;
	if (r->weight_ovr >= 0 && (unsigned)r->weight_ovr != s->weight) {
		s->weight = (unsigned)r->weight_ovr;
		return true;
	}
	return false;
}

void
state_set_weight(struct state_server *s, int weight)
{
	s->weight_ovr = weight;
}

void
state_err_capture(struct state_store *st, unsigned thread,
    const struct state_err *e, const char *data, uint32_t len)
{
	struct state_errring *r;
	struct state_err *d;

	if (thread >= st->nthreads)
		return;
	r = &st->errs[thread];
	/* the admin socket is reading: this one is not kept */
	if (pthread_mutex_trylock(&r->lock) != 0)
		return;
	d = &r->e[r->next];
	*d = *e;
	d->thread = thread;
	d->total_len = len;
	d->len = len < STATE_ERR_BYTES ? len : STATE_ERR_BYTES;
	memcpy(d->data, data, d->len);
	r->next = (r->next + 1) % STATE_ERR_KEEP;
	if (r->n < STATE_ERR_KEEP)
		r->n++;
	r->total++;
	pthread_mutex_unlock(&r->lock);
}

/* Drop one ref of n; at the last, out of m (if still in it) and freed. */
static void
state_node_put(struct state_map *m, struct state_node *n)
{
	if (n == NULL || --n->refs > 0)
		return;
	if (n->key[0] != '\0')
		state_map_del(m, n);
	free(n->ctr);
	if (n->release != NULL)
		n->release(n);
	free(n->key);
	free(n);
}

static void
state_table_release(struct state_node *n)
{
	stk_free(((struct state_table *)n)->t);
}

/*
 * The entries of the table called name: kept when the type and key
 * length stay (size, expiry and periods then change in place), else a
 * new table.
 */
static struct state_table *
state_table_get(struct state_store *st, const char *name,
    const struct stk_def *def)
{
	uint32_t h = lb_hash(name, strlen(name));
	struct state_node *n = state_map_find(&st->tables, name, h);
	struct state_table *t;

	if (n != NULL && stk_compatible(((struct state_table *)n)->t, def)) {
		n->refs++;
		stk_redefine(((struct state_table *)n)->t, def);
		return (struct state_table *)n;
	}
	if (n != NULL) {
		/* another kind of key: old graphs keep the old entries */
		state_map_del(&st->tables, n);
		n->next = NULL;
		n->hash = 0;
		n->key[0] = '\0';
	}
	t = (struct state_table *)state_node_new(st, &st->tables, sizeof(*t),
	    name, h);
	if (t == NULL)
		return NULL;
	if ((t->t = stk_new(name, def)) == NULL) {
		state_map_del(&st->tables, &t->node);
		free(t->node.key);
		free(t);
		return NULL;
	}
	t->node.refs = 1;
	t->node.release = state_table_release;
	return t;
}

/* A graph being freed lets go of its records; any thread. */
static void
state_detach(struct graph *g)
{
	struct state_store *st = g->state;
	unsigned i, j;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < g->ntables; i++)
		state_node_put(&st->tables, g->tables[i].st);
	for (i = 0; i < g->nbackends; i++) {
		struct g_backend *be = &g->backends[i];

		for (j = 0; j < be->nservers; j++)
			state_node_put(&st->servers,
			    (struct state_node *)be->servers[j].st);
		state_node_put(&st->backends, (struct state_node *)be->st);
	}
	pthread_mutex_unlock(&st->lock);
}

int
state_attach(struct state_store *st, struct graph *g)
{
	unsigned i, j;
	int r = 0;

	pthread_mutex_lock(&st->lock);
	g->state = st;
	g->on_free = state_detach;
	for (i = 0; i < g->nfrontends && r == 0; i++) {
		g->frontends[i].st = state_frontend_get(st,
		    g->frontends[i].px.name);
		if (g->frontends[i].st == NULL)
			r = -1;
	}
	for (i = 0; i < g->ntables && r == 0; i++) {
		struct state_table *t = state_table_get(st, g->tables[i].name,
		    &g->tables[i].def);

		g->tables[i].st = t != NULL ? &t->node : NULL;
		g->tables[i].t = t != NULL ? t->t : NULL;
		if (t == NULL)
			r = -1;
	}
	for (i = 0; i < g->nbackends && r == 0; i++) {
		struct g_backend *be = &g->backends[i];
		bool reweigh = false;

		be->st = state_backend_get(st, be->px.name);
		if (be->st == NULL)
			r = -1;
		for (j = 0; j < be->nservers && r == 0; j++) {
			struct g_server *s = &be->servers[j];
			unsigned before = st->nservers;
			char key[512];

			snprintf(key, sizeof(key), "%s/%s", be->px.name,
			    s->name);
			s->st = state_server_get(st, key, &s->addr);
			if (s->st == NULL)
				r = -1;
			else if (state_server_apply(s->st, s,
			    st->nservers != before))
				reweigh = true;
		}
		/* the graph is not published yet: its tables are ours */
		if (r == 0 && reweigh && lb_build(&g->arena, be) < 0)
			r = -1;
	}
	pthread_mutex_unlock(&st->lock);
	return r;
}
