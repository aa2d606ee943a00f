#include "config.h"

#include "eng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "graph.h"
#include "lsn.h"
#include "sess.h"
#include "state.h"
#include "val.h"

void
buf_compact(struct buf *b)
{
	if (b->start == 0)
		return;
	memmove(b->data, b->data + b->start, b->end - b->start);
	b->end -= b->start;
	b->start = 0;
}

struct buf *
eng_buf_get(struct eng_worker *w)
{
	struct buf *b = w->free_bufs;

	if (b != NULL) {
		w->free_bufs = b->next;
		w->nfree_bufs--;
	} else {
		b = malloc(sizeof(*b) + w->bufsize);
		if (b == NULL)
			return NULL;
		b->size = w->bufsize;
	}
	b->next = NULL;
	b->start = b->end = 0;
	return b;
}

void
eng_buf_put(struct eng_worker *w, struct buf *b)
{
	if (b == NULL)
		return;
	if (w->nfree_bufs >= ENG_MAX_FREE_BUFS || b->size != w->bufsize) {
		free(b);
		return;
	}
	b->next = w->free_bufs;
	w->free_bufs = b;
	w->nfree_bufs++;
}

/* Grow a per-id array of elem bytes to hold index id; zero the new part. */
static void *
eng_grow(void *arr, unsigned *n, unsigned id, size_t elem)
{
	unsigned nn = *n ? *n : 16;
	char *p;

	while (nn <= id)
		nn *= 2;
	p = realloc(arr, nn * elem);
	if (p == NULL)
		return NULL;
	memset(p + *n * elem, 0, (nn - *n) * elem);
	*n = nn;
	return p;
}

unsigned *
eng_rr_pos(struct eng_worker *w, const struct g_backend *be)
{
	static unsigned fallback;
	unsigned id = be->st->id;

	if (id >= w->nrr_pos) {
		unsigned *p = eng_grow(w->rr_pos, &w->nrr_pos, id,
		    sizeof(*p));

		if (p == NULL)
			return &fallback;	/* out of memory: any cursor */
		w->rr_pos = p;
	}
	return &w->rr_pos[id];
}

struct eng_idle *
eng_idle_of(struct eng_worker *w, const struct g_server *s)
{
	unsigned id = s->st->id;

	if (id >= w->nidle) {
		struct eng_idle *p = eng_grow(w->idle, &w->nidle, id,
		    sizeof(*p));

		if (p == NULL)
			return NULL;
		w->idle = p;
	}
	return &w->idle[id];
}

void
eng_pause_accept(struct eng_worker *w)
{
	unsigned i;

	if (w->paused)
		return;
	for (i = 0; i < w->nlsns; i++)
		event_del(&w->lsns[i]->ev);
	w->paused = true;
}

static void
eng_on_retry(evutil_socket_t fd, short what, void *arg)
{
	eng_resume_accept(arg);
}

void
eng_accept_later(struct eng_worker *w)
{
	struct timeval tv = { 0, 100000 };

	/* idle server connections are descriptors weir can do without */
	sess_close_idle_servers(w);
	if (w->paused)
		return;
	if (!evtimer_pending(&w->retry_ev, NULL))
		fprintf(stderr, "weir: out of file descriptors: idle server "
		    "connections closed, accepting again in 100 ms\n");
	eng_pause_accept(w);
	evtimer_add(&w->retry_ev, &tv);
}

void
eng_resume_accept(struct eng_worker *w)
{
	unsigned i;

	if (!w->paused || w->stopping)
		return;
	for (i = 0; i < w->nlsns; i++)
		if (!w->lsns[i]->full)
			event_add(&w->lsns[i]->ev, NULL);
	w->paused = false;
}

/* ---- graphs ------------------------------------------------------------ */

static uint64_t
eng_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Sessions still on a graph older than hard-stop-after (long uploads,
 * tunnels) are closed: an old configuration does not live for ever.
 */
static void
eng_on_old(evutil_socket_t fd, short what, void *arg)
{
	struct eng_worker *w = arg;
	uint64_t limit = w->g->hard_stop_after_ms, now = eng_now_ms();
	struct graph *due[16];
	unsigned i, n = 0;

	for (i = 0; i < w->nold && n < 16; i++)
		if (limit > 0 && now - w->old[i].since_ms >= limit)
			due[n++] = w->old[i].g;
	/* closing drops the graphs: the list changes under a loop */
	for (i = 0; i < n; i++)
		sess_close_on_graph(w, due[i]);
	if (w->nold > 0 && limit > 0) {
		struct timeval tv = { 1, 0 };

		evtimer_add(&w->old_ev, &tv);
	}
}

/* Move to g, handed over with a ref; keep the old one while used. */
static void
eng_graph_switch(struct eng_worker *w, struct graph *g)
{
	struct graph *old = w->g;

	w->g = g;
	/* before the old graph may go: checks point into it */
	check_sync(w);
	if (old == NULL)
		return;
	if (w->g_users == 0) {
		graph_unref(old);
		return;
	}
	if (w->nold == w->old_cap) {
		unsigned ncap = w->old_cap ? w->old_cap * 2 : 4;
		struct eng_gref *n = realloc(w->old, ncap * sizeof(*n));

		if (n == NULL) {
			/* cannot track it: keep its ref for ever */
			w->g_users = 0;
			return;
		}
		w->old = n;
		w->old_cap = ncap;
	}
	w->old[w->nold].g = old;
	w->old[w->nold].users = w->g_users;
	w->old[w->nold].since_ms = eng_now_ms();
	w->nold++;
	w->g_users = 0;
	if (w->g->hard_stop_after_ms > 0 &&
	    !evtimer_pending(&w->old_ev, NULL)) {
		struct timeval tv = { 1, 0 };

		evtimer_add(&w->old_ev, &tv);
	}
}

struct graph *
eng_graph_take(struct eng_worker *w)
{
	if (!w->hold_graph &&
	    atomic_load_explicit(&w->pending, memory_order_relaxed) != NULL) {
		struct graph *g = atomic_exchange_explicit(&w->pending, NULL,
		    memory_order_acquire);

		if (g != NULL)
			eng_graph_switch(w, g);
	}
	w->g_users++;
	return w->g;
}

void
eng_graph_drop(struct eng_worker *w, struct graph *g)
{
	unsigned i;

	if (g == w->g) {
		w->g_users--;
		return;
	}
	for (i = 0; i < w->nold; i++) {
		if (w->old[i].g != g)
			continue;
		if (--w->old[i].users == 0) {
			graph_unref(g);
			w->old[i] = w->old[--w->nold];
		}
		return;
	}
}

void
eng_publish(struct eng *e, struct graph *g)
{
	unsigned i;
	uint64_t one = 1;

	for (i = 0; i < e->nworkers; i++) {
		struct eng_worker *w = &e->workers[i];
		struct graph *prev;

		graph_ref(g);
		prev = atomic_exchange_explicit(&w->pending, g,
		    memory_order_release);
		/* one the worker never took */
		graph_unref(prev);
		(void)!write(w->wake_fd, &one, sizeof(one));
	}
}

/* ---- threads ----------------------------------------------------------- */

static void
eng_addrs_free(struct eng_addr *a, unsigned n)
{
	unsigned i;

	for (i = 0; a != NULL && i < n; i++)
		free(a[i].fe_name);
	free(a);
}

static void eng_run_cmd(struct eng_worker *, struct eng_cmd *);

static void
eng_cmd_free(struct eng_cmd *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->fe_name);
	free(c);
}

/*
 * The listener changes of a reload, on the worker's thread. A listener
 * that goes away first accepts what waits in its queue, served on the
 * graph it belonged to; then the worker moves to the new graph and opens
 * what is new.
 */
static void
eng_run_cmds(struct eng_worker *w)
{
	struct eng_cmd *c, *next, *cmds;
	int pass;

	pthread_mutex_lock(&w->cmd_lock);
	cmds = w->cmds;
	w->cmds = NULL;
	pthread_mutex_unlock(&w->cmd_lock);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			eng_graph_drop(w, eng_graph_take(w));
		}
		for (c = cmds; c != NULL; c = c->next) {
			if ((c->kind == ENG_CMD_DEL) != (pass == 0))
				continue;
			eng_run_cmd(w, c);
		}
	}
	for (c = cmds; c != NULL; c = next) {
		next = c->next;
		eng_cmd_free(c);
	}
}

static void
eng_run_cmd(struct eng_worker *w, struct eng_cmd *c)
{
	unsigned i;

	{
		switch (c->kind) {
		case ENG_CMD_ADD: {
			struct lsn **n = realloc(w->lsns,
			    (w->nlsns + 1) * sizeof(*n));
			struct lsn *l;

			if (n == NULL)
				break;
			w->lsns = n;
			l = lsn_adopt(w, c->fd, &c->addr, c->fe_name);
			if (l == NULL)
				break;
			c->fd = -1;	/* the listener's now */
			w->lsns[w->nlsns++] = l;
			break;
		}
		case ENG_CMD_DEL:
			for (i = 0; i < w->nlsns; i++) {
				if (!val_addr_eq(&w->lsns[i]->addr, &c->addr))
					continue;
				/* those already waiting get served first */
				w->hold_graph = true;
				sess_accept(w->lsns[i]->fd, EV_READ,
				    w->lsns[i]);
				w->hold_graph = false;
				sess_forget_lsn(w, w->lsns[i]);
				lsn_close(w->lsns[i]);
				w->lsns[i] = w->lsns[--w->nlsns];
				break;
			}
			break;
		case ENG_CMD_KILL:
			sess_kill(w, c->srv, c->backup_of);
			break;
		case ENG_CMD_RENAME:
			for (i = 0; i < w->nlsns; i++) {
				struct lsn *l = w->lsns[i];
				char *name;

				if (!val_addr_eq(&l->addr, &c->addr))
					continue;
				if ((name = strdup(c->fe_name)) == NULL)
					break;
				free(l->fe_name);
				l->fe_name = name;
				l->cache_gen = 0;
				break;
			}
			break;
		}
	}
}

static void
eng_on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct eng_worker *w = arg;
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
	/* queued requests first: draining or not, they are in flight */
	sess_run_grants(w);
	if (atomic_load(&w->draining) && !w->drained) {
		unsigned i;

		w->drained = true;
		for (i = 0; i < w->nlsns; i++) {
			sess_forget_lsn(w, w->lsns[i]);
			lsn_close(w->lsns[i]);
		}
		w->nlsns = 0;
		sess_drain(w);
		eng_maybe_end(w);
		return;
	}
	if (!w->stopping) {
		/* listeners first; then the new graph, which an idle worker
		 * takes now rather than keep the old one */
		eng_run_cmds(w);
		eng_graph_drop(w, eng_graph_take(w));
	}
	if (w->stopping) {
		unsigned i;

		for (i = 0; i < w->nlsns; i++)
			event_del(&w->lsns[i]->ev);
		event_base_loopbreak(w->base);
	}
}

static void *
eng_run(void *arg)
{
	struct eng_worker *w = arg;
	uint64_t one = 1;

	check_sync(w);
	event_base_dispatch(w->base);
	check_worker_cleanup(w);
	atomic_fetch_add(&w->eng->ndone, 1);
	(void)!write(w->eng->done_fd, &one, sizeof(one));
	return NULL;
}

void
eng_maybe_end(struct eng_worker *w)
{
	if (w->drained && w->nsess == 0)
		event_base_loopbreak(w->base);
}

void
eng_drain(struct eng *e)
{
	unsigned i;
	uint64_t one = 1;

	for (i = 0; i < e->nworkers; i++) {
		atomic_store(&e->workers[i].draining, true);
		(void)!write(e->workers[i].wake_fd, &one, sizeof(one));
	}
}

bool
eng_done(struct eng *e)
{
	return atomic_load(&e->ndone) == e->nworkers;
}

static void
eng_worker_free(struct eng_worker *w)
{
	unsigned i;
	struct buf *b;

	/* sessions first: they point at their listener */
	sess_worker_cleanup(w);
	check_worker_cleanup(w);
	for (i = 0; i < w->nlsns; i++)
		lsn_close(w->lsns[i]);
	free(w->lsns);
	while ((b = w->free_bufs) != NULL) {
		w->free_bufs = b->next;
		free(b);
	}
	if (w->wake_fd >= 0) {
		event_del(&w->wake_ev);
		close(w->wake_fd);
	}
	if (event_initialized(&w->old_ev))
		event_del(&w->old_ev);
	if (event_initialized(&w->retry_ev))
		event_del(&w->retry_ev);
	while (w->cmds != NULL) {
		struct eng_cmd *c = w->cmds;

		w->cmds = c->next;
		eng_cmd_free(c);
	}
	pthread_mutex_destroy(&w->cmd_lock);
	pthread_mutex_destroy(&w->grant_lock);
	graph_unref(atomic_exchange(&w->pending, NULL));
	graph_unref(w->g);
	for (i = 0; i < w->nold; i++)
		graph_unref(w->old[i].g);
	free(w->old);
	free(w->idle);
	free(w->rr_pos);
	free(w->scratch);
	if (w->base != NULL)
		event_base_free(w->base);
}

static int
eng_worker_init(struct eng *e, struct eng_worker *w, unsigned id,
    struct graph *g)
{
	struct event_config *cfg;
	struct timespec ts;
	unsigned i;

	w->eng = e;
	w->id = id;
	w->wake_fd = -1;
	pthread_mutex_init(&w->cmd_lock, NULL);
	pthread_mutex_init(&w->grant_lock, NULL);
	w->bufsize = e->bufsize;
	w->maxsess = (g->maxconn + e->nworkers - 1) / e->nworkers;
	atomic_init(&w->pending, NULL);
	atomic_init(&w->draining, false);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)(id + 1) * 0x9e3779b97f4a7c15ULL);
	/* one thread per base: no locking inside libevent */
	cfg = event_config_new();
	if (cfg == NULL)
		return -1;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	w->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (w->base == NULL)
		return -1;
	/* heads of two buffers, or an errorfile or return body (64 KiB) */
	w->scratch_size = 2 * (size_t)e->bufsize + 4096;
	if (w->scratch_size < 65536 + 4096)
		w->scratch_size = 65536 + 4096;
	w->scratch = malloc(w->scratch_size);
	if (w->scratch == NULL)
		return -1;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0)
		return -1;
	event_assign(&w->wake_ev, w->base, w->wake_fd, EV_READ | EV_PERSIST,
	    eng_on_wake, w);
	evtimer_assign(&w->old_ev, w->base, eng_on_old, w);
	evtimer_assign(&w->retry_ev, w->base, eng_on_retry, w);
	if (event_add(&w->wake_ev, NULL) < 0)
		return -1;
	graph_ref(g);
	w->g = g;
	w->lsns = calloc(g->nlisteners ? g->nlisteners : 1,
	    sizeof(*w->lsns));
	if (w->lsns == NULL)
		return -1;
	for (i = 0; i < g->nlisteners; i++) {
		w->lsns[i] = lsn_open(w, &g->listeners[i]);
		if (w->lsns[i] == NULL)
			return -1;
		w->nlsns++;
	}
	return 0;
}

struct eng *
eng_start(struct graph *g, struct state_store *st, unsigned nthreads)
{
	struct eng *e;
	unsigned i, started = 0;

	if (nthreads == 0 || nthreads > ENG_MAX_THREADS)
		nthreads = 1;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->state = st;
	e->bufsize = g->bufsize;
	atomic_init(&e->ndone, 0);
	e->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->done_fd < 0) {
		free(e);
		return NULL;
	}
	e->nworkers = nthreads;
	e->workers = calloc(nthreads, sizeof(*e->workers));
	if (e->workers == NULL) {
		free(e);
		return NULL;
	}
	for (i = 0; i < nthreads; i++) {
		if (eng_worker_init(e, &e->workers[i], i, g) < 0)
			goto fail;
	}
	e->addrs = calloc(g->nlisteners ? g->nlisteners : 1,
	    sizeof(*e->addrs));
	if (e->addrs == NULL)
		goto fail;
	for (i = 0; i < g->nlisteners; i++) {
		e->addrs[i].addr = g->listeners[i].addr;
		e->addrs[i].fe_name = strdup(g->listeners[i].fe->px.name);
		e->addrs[i].http = g->listeners[i].fe->px.mode == PX_MODE_HTTP;
		if (e->addrs[i].fe_name == NULL)
			goto fail;
		e->naddrs++;
	}
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&e->workers[i].thread, NULL, eng_run,
		    &e->workers[i]) != 0) {
			fprintf(stderr, "weir: cannot start a thread: %s\n",
			    strerror(errno));
			goto fail;
		}
		started++;
	}
	return e;
fail:
	for (i = 0; i < started; i++) {
		uint64_t one = 1;

		e->workers[i].stopping = true;
		(void)!write(e->workers[i].wake_fd, &one, sizeof(one));
		pthread_join(e->workers[i].thread, NULL);
	}
	for (i = 0; i < nthreads; i++)
		eng_worker_free(&e->workers[i]);
	eng_addrs_free(e->addrs, e->naddrs);
	close(e->done_fd);
	free(e->workers);
	free(e);
	return NULL;
}

void
eng_stop(struct eng *e)
{
	unsigned i;
	uint64_t one = 1;

	if (e == NULL)
		return;
	for (i = 0; i < e->nworkers; i++) {
		e->workers[i].stopping = true;
		(void)!write(e->workers[i].wake_fd, &one, sizeof(one));
	}
	for (i = 0; i < e->nworkers; i++)
		pthread_join(e->workers[i].thread, NULL);
	for (i = 0; i < e->nworkers; i++)
		eng_worker_free(&e->workers[i]);
	eng_addrs_free(e->addrs, e->naddrs);
	close(e->done_fd);
	free(e->workers);
	free(e);
}

/* ---- reload ------------------------------------------------------------ */

static void
eng_queue(struct eng_worker *w, struct eng_cmd *c)
{
	struct eng_cmd **pp;

	pthread_mutex_lock(&w->cmd_lock);
	for (pp = &w->cmds; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	pthread_mutex_unlock(&w->cmd_lock);
}

static struct eng_cmd *
eng_cmd_new(enum eng_cmd_kind kind, int fd, const struct conf_addr *addr,
    const char *fe_name)
{
	struct eng_cmd *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = kind;
	c->fd = fd;
	c->addr = *addr;
	if (fe_name != NULL && (c->fe_name = strdup(fe_name)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
eng_kill_sessions(struct eng *e, const struct state_server *srv,
    const struct state_backend *backup_of)
{
	unsigned i;
	uint64_t one = 1;

	for (i = 0; i < e->nworkers; i++) {
		struct eng_cmd *c = calloc(1, sizeof(*c));

		if (c == NULL)
			continue;
		c->kind = ENG_CMD_KILL;
		c->fd = -1;
		c->srv = srv;
		c->backup_of = backup_of;
		eng_queue(&e->workers[i], c);
		(void)!write(e->workers[i].wake_fd, &one, sizeof(one));
	}
}

int
eng_reload(struct eng *e, struct graph *g, char *err, size_t errlen)
{
	struct eng_addr *na;
	int *fds = NULL;
	unsigned i, j, k, nnew = 0;
	char a[80];

	na = calloc(g->nlisteners ? g->nlisteners : 1, sizeof(*na));
	fds = calloc((size_t)(g->nlisteners ? g->nlisteners : 1) *
	    e->nworkers, sizeof(*fds));
	if (na == NULL || fds == NULL)
		goto oom;
	for (i = 0; i < g->nlisteners * e->nworkers; i++)
		fds[i] = -1;
	/* first every new socket: a failure leaves all as it was */
	for (i = 0; i < g->nlisteners; i++) {
		const struct g_listener *gl = &g->listeners[i];

		na[i].addr = gl->addr;
		na[i].http = gl->fe->px.mode == PX_MODE_HTTP;
		if ((na[i].fe_name = strdup(gl->fe->px.name)) == NULL)
			goto oom;
		for (j = 0; j < e->naddrs; j++)
			if (val_addr_eq(&e->addrs[j].addr, &gl->addr))
				break;
		if (j < e->naddrs)
			continue;	/* kept: the same socket goes on */
		nnew++;
		for (k = 0; k < e->nworkers; k++) {
			fds[i * e->nworkers + k] = lsn_socket(&gl->addr,
			    na[i].http);
			if (fds[i * e->nworkers + k] < 0) {
				snprintf(err, errlen, "cannot listen on %s "
				    "for frontend '%s': %s",
				    val_addr_str(&gl->addr, a, sizeof(a)),
				    gl->fe->px.name, strerror(errno));
				goto fail;
			}
		}
	}
	/* then the changes, queued before the graph is handed over */
	for (k = 0; k < e->nworkers; k++) {
		struct eng_worker *w = &e->workers[k];

		for (i = 0; i < g->nlisteners; i++) {
			struct eng_cmd *c;
			int fd = fds[i * e->nworkers + k];

			if (fd >= 0) {
				c = eng_cmd_new(ENG_CMD_ADD, fd, &na[i].addr,
				    na[i].fe_name);
				if (c == NULL)
					continue;
				fds[i * e->nworkers + k] = -1;
			} else {
				c = eng_cmd_new(ENG_CMD_RENAME, -1,
				    &na[i].addr, na[i].fe_name);
				if (c == NULL)
					continue;
			}
			eng_queue(w, c);
		}
		for (j = 0; j < e->naddrs; j++) {
			struct eng_cmd *c;

			for (i = 0; i < g->nlisteners; i++)
				if (val_addr_eq(&e->addrs[j].addr,
				    &na[i].addr))
					break;
			if (i < g->nlisteners)
				continue;
			c = eng_cmd_new(ENG_CMD_DEL, -1, &e->addrs[j].addr,
			    NULL);
			if (c != NULL)
				eng_queue(w, c);
		}
	}
	eng_publish(e, g);
	eng_addrs_free(e->addrs, e->naddrs);
	e->addrs = na;
	e->naddrs = g->nlisteners;
	free(fds);
	(void)nnew;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	for (i = 0; fds != NULL && i < g->nlisteners * e->nworkers; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	if (na != NULL)
		eng_addrs_free(na, g->nlisteners);
	return -1;
}
