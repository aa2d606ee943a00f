/*
 * The engine: worker threads, each with its own libevent event_base, its
 * own listening sockets (SO_REUSEPORT) and its own pools. Nothing is shared
 * on the request path but the graph a worker was handed and the servers'
 * connection counts.
 */
#ifndef WEIR_ENG_H
#define WEIR_ENG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "buf.h"
#include "graph-t.h"

#define ENG_MAX_THREADS	64
#define ENG_MAX_FREE_BUFS	256	/* kept per worker beyond that: freed */
#define ENG_MAX_IDLE_PER_SRV	64	/* idle server connections per worker */

struct eng;
struct log;
struct log_ring;
struct lsn;
struct sess;
struct txn;
struct srvconn;
struct state_store;
struct state_server;
struct state_backend;
struct chk;
struct qent;

/* A graph this worker still has sessions on, besides its current one. */
struct eng_gref {
	struct graph *g;
	unsigned users;
	uint64_t since_ms;	/* when the worker moved past it */
};

/* A change of listeners the main thread asks a worker to make. */
enum eng_cmd_kind {
	ENG_CMD_ADD = 0,	/* serve fd, a new listening socket */
	ENG_CMD_DEL,		/* close the listener on addr */
	ENG_CMD_RENAME,		/* the listener on addr now serves fe_name */
	ENG_CMD_KILL,		/* close sessions on a server (or backups) */
};

struct eng_cmd {
	struct eng_cmd *next;
	enum eng_cmd_kind kind;
	int fd;
	struct conf_addr addr;
	char *fe_name;
	const struct state_server *srv;		/* KILL: sessions on it */
	const struct state_backend *backup_of;	/* KILL: on its backups */
};

/* An address the engine listens on, as the main thread knows it. */
struct eng_addr {
	struct conf_addr addr;
	char *fe_name;
	bool http;
};

struct ssl_session_st;

struct eng_idle {
	struct srvconn *head;	/* idle connections to one server */
	unsigned n;
	struct ssl_session_st *tls_sess;	/* ssl servers: to resume */
};

struct eng_worker {
	struct eng *eng;
	unsigned id;
	pthread_t thread;
	struct event_base *base;
	int wake_fd;			/* eventfd: the main thread calls */
	struct event wake_ev;
	pthread_mutex_t cmd_lock;
	struct eng_cmd *cmds;		/* listener changes to make */

	/* graphs: handed over by eng_publish(), taken at a request start */
	_Atomic(struct graph *) pending;
	struct graph *g;		/* newest taken, one ref held */
	unsigned g_users;		/* sessions on g */
	struct eng_gref *old;
	unsigned nold, old_cap;
	struct event old_ev;		/* hard-stop-after for old graphs */
	struct event retry_ev;		/* accepting again after EMFILE */

	struct lsn **lsns;		/* this worker's listening sockets */
	unsigned nlsns;

	/* pools */
	struct buf *free_bufs;
	unsigned nfree_bufs;
	uint32_t bufsize;
	struct sess *free_sess;
	struct txn *free_txn;
	struct srvconn *free_sc;
	char *scratch;			/* building heads: 2 x bufsize */
	size_t scratch_size;

	/* per server id and per backend id, grown on demand */
	struct eng_idle *idle;
	unsigned nidle;
	unsigned *rr_pos;
	unsigned nrr_pos;
	uint64_t rng;

	struct log_ring *log;		/* traffic log records; NULL: none */
	/*
	 * The connections' timeouts: a binary heap by deadline, under one
	 * libevent timer set for the earliest (sess.c).
	 */
	struct io_tnode *tq;
	uint32_t tq_n, tq_cap;
	struct event tq_ev;
	uint64_t tq_armed;		/* ms the timer is set for; 0: unset */

	unsigned nsess;			/* client connections open */
	unsigned maxsess;		/* this worker's share of maxconn */
	bool paused;			/* listeners off: at maxsess */
	bool hold_graph;		/* a closing listener's last accepts */
	atomic_bool draining;		/* finish what is in flight, then end */
	bool drained;			/* listeners and idle ones closed */
	struct sess *live;		/* and the list of them */
	bool stopping;
	struct chk *checks;		/* the health checks it runs */
	/* queued requests of this worker a server now has room for */
	pthread_mutex_t grant_lock;
	struct qent *grants;
};

struct eng {
	struct state_store *state;
	struct log *log;		/* NULL: no traffic log */
	struct eng_worker *workers;
	unsigned nworkers;
	uint32_t bufsize;
	struct eng_addr *addrs;		/* what is listened on now */
	unsigned naddrs;
	int done_fd;			/* eventfd: a worker has ended */
	atomic_uint ndone;
};

/*
 * Start nthreads workers serving listeners of g (one ref of g is taken
 * per worker), logging traffic to lg's rings (lg may be NULL; it must
 * have nthreads rings and outlive the engine). Returns NULL with a
 * message on stderr when a listener cannot be opened or a thread cannot
 * start. Main thread only.
 */
struct eng *eng_start(struct graph *g, struct state_store *st,
    struct log *lg, unsigned nthreads);
/* Ask every worker to stop and wait for them; frees the engine. */
void eng_stop(struct eng *e);
/*
 * Graceful stop: workers close their listeners (new connections are
 * refused) and idle connections, finish what is in flight, and end when
 * nothing is left; each end is signalled on e->done_fd. Main thread.
 */
void eng_drain(struct eng *e);
/* Whether every worker has ended after eng_drain(). */
bool eng_done(struct eng *e);
/* Called by sessions as they close: a draining worker may end. */
void eng_maybe_end(struct eng_worker *w);

/* Hand g to every worker (a ref each); they move to it at their next
 * request. Main thread only. */
void eng_publish(struct eng *e, struct graph *g);
/*
 * Move the engine to g: listening sockets for its new addresses are
 * opened first (a failure changes nothing: -1, and why in err), then g is
 * published, and the workers close the listeners g no longer has and
 * keep every other socket open. Main thread only.
 */
int eng_reload(struct eng *e, struct graph *g, char *err, size_t errlen);

/*
 * Ask every worker to close its sessions on server srv, or on the backup
 * servers of backend backup_of (on-marked-down, on-marked-up). Any thread.
 */
void eng_kill_sessions(struct eng *e, const struct state_server *srv,
    const struct state_backend *backup_of);

/* The graph a new request runs on; counted until eng_graph_drop(). */
struct graph *eng_graph_take(struct eng_worker *w);
void eng_graph_drop(struct eng_worker *w, struct graph *g);

struct buf *eng_buf_get(struct eng_worker *w);
/* Return b to w's pool. NULL is a no-op. */
void eng_buf_put(struct eng_worker *w, struct buf *b);

/* Out of file descriptors: stop accepting for a moment, then retry. */
void eng_accept_later(struct eng_worker *w);
/* Stop accepting at this worker's share of maxconn; start again below. */
void eng_pause_accept(struct eng_worker *w);
void eng_resume_accept(struct eng_worker *w);

/* This worker's cursor for backend be, and its idle list for server s. */
unsigned *eng_rr_pos(struct eng_worker *w, const struct g_backend *be);
struct eng_idle *eng_idle_of(struct eng_worker *w, const struct g_server *s);

#endif
