/*
 * The state store: what must outlive one graph — per-server and
 * per-backend runtime records keyed by stable names ("backend" and
 * "backend/server"). A graph's nodes point at their records, resolved once
 * by state_attach(); the request path never looks a name up.
 */
#ifndef WEIR_STATE_H
#define WEIR_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "graph-t.h"

struct state_server {
	struct state_server *next;	/* in the store's chain */
	char *key;			/* "backend/server" */
	unsigned id;			/* dense: indexes per-thread arrays */
	struct conf_addr addr;
	/* connections to it now, all threads: leastconn and random(N) */
	atomic_int cur_conns;
};

struct state_backend {
	struct state_backend *next;
	char *key;
	unsigned id;
};

struct state_store {
	pthread_mutex_t lock;	/* taken by state_attach() only */
	struct state_server *servers;
	struct state_backend *backends;
	unsigned nservers;	/* ids handed out */
	unsigned nbackends;
};

/* An empty store, or NULL when out of memory. */
struct state_store *state_new(void);
/* Free the store and every record. No graph may point into it. */
void state_free(struct state_store *st);
/*
 * Point every backend and server of g at its record, creating what is
 * missing. A server whose address changed gets a fresh record. Returns 0,
 * or -1 when out of memory (g is then unusable). Main thread only.
 */
int state_attach(struct state_store *st, struct graph *g);

#endif
