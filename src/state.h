/*
 * The state store: what must outlive one graph — per-server and
 * per-backend runtime records keyed by stable names ("backend" and
 * "backend/server"). A graph's nodes point at their records, resolved once
 * by state_attach(); the request path never looks a name up. A record
 * lives while some graph points at it.
 */
#ifndef WEIR_STATE_H
#define WEIR_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ctr.h"
#include "graph-t.h"

/* What both kinds of record start with: their place in the store. */
struct state_node {
	struct state_node *next;	/* in a hash bucket */
	uint32_t hash;
	unsigned refs;			/* graphs pointing at it */
	char *key;
	struct ctr_slot *ctr;		/* one per worker thread */
	/* frees what the record holds besides itself, or NULL */
	void (*release)(struct state_node *);
};

struct stk_table;

/* A stick table's entries, kept by section name across reloads. */
struct state_table {
	struct state_node node;
	struct stk_table *t;
};

/* What an operator set at run time (admin socket, stats page): bits. */
#define SRV_ADM_MAINT	0x1	/* out of rotation, checks stopped */
#define SRV_ADM_DRAIN	0x2	/* no new request unless pinned to it */

/* The server's health, as checks and real traffic see it. */
enum srv_health {
	SRV_H_UP = 0,		/* in rotation */
	SRV_H_DOWN,		/* failed its checks (or errors marked it down) */
};

/* The circuit breaker on real traffic (lb.conf(5): error-limit, half-open). */
enum srv_breaker {
	SRV_BRK_CLOSED = 0,	/* traffic flows */
	SRV_BRK_OPEN,		/* ejected until the cool-down ends */
	SRV_BRK_HALF_OPEN,	/* a bounded number of probe requests pass */
};

struct state_server {
	struct state_node node;		/* first: a state_node * is one */
	/* dense and never reused: indexes per-thread arrays */
	unsigned id;
	struct conf_addr addr;
	/* requests on it now, all threads: leastconn, random(N), maxconn */
	atomic_int cur_conns;
	/*
	 * Run-time state that a reload keeps. Written by whoever decides
	 * (checks, the breaker, the admin socket), read by lb_usable() on
	 * any worker with relaxed loads.
	 */
	atomic_uint admin;		/* SRV_ADM_* */
	atomic_uint health;		/* enum srv_health */
	atomic_uint breaker;		/* enum srv_breaker */

	/* health checks: written by the one worker that runs them */
	void *chk;			/* that worker's struct chk */
	atomic_uint chk_ok, chk_fail;	/* consecutive results */
	atomic_uint chk_status;		/* enum chk_status: the last result */
	atomic_uint chk_code;		/* its HTTP status, or 0 */
	atomic_uint chk_ms;		/* how long it took */
	atomic_uint chk_inject;		/* failures real traffic adds */
	atomic_bool chk_fast;		/* on-error fastinter: check faster */
	atomic_uint_fast64_t last_change;	/* wall clock s of the last UP/DOWN */
	atomic_uint_fast64_t up_since;	/* monotonic ms it came up (slowstart) */

	/* real traffic (observe) and the circuit breaker: any worker */
	atomic_uint errors;		/* consecutive failed requests */
	atomic_uint_fast64_t brk_until;	/* open: when it turns half-open */
	atomic_uint brk_probes;		/* half-open: requests let through */
	atomic_uint brk_ok;		/* half-open: those that succeeded */

	/* the admin socket's weight (-1: none), kept over reloads; and the
	 * configuration's. Main thread. */
	int weight_ovr;
	unsigned iweight;
	bool cfg_disabled;		/* the configuration says 'disabled' */
};

/* The last check's result, as HAProxy's stats name them. */
enum chk_status {
	CHK_ST_NONE = 0,	/* no check yet */
	CHK_ST_L4OK,		/* connected */
	CHK_ST_L4TOUT,		/* connect timeout */
	CHK_ST_L4CON,		/* connect refused or failed */
	CHK_ST_L7OK,		/* the expected answer */
	CHK_ST_L7TOUT,		/* no answer in time */
	CHK_ST_L7RSP,		/* an answer that is not the protocol's */
	CHK_ST_L7STS,		/* an unexpected HTTP status */
	CHK_ST_L6OK,		/* tcp-check rules all passed */
	CHK_ST_L6TOUT,		/* no TLS handshake in time */
	CHK_ST_L6RSP,		/* the TLS handshake failed */
};

/* "L4OK", "L7STS"...: the name of a chk_status. */
const char *state_chk_status_name(unsigned st);

/*
 * A request waiting for a server of its backend (maxconn reached). It
 * moves from the backend's queue to its worker's grants, under the
 * backend's qlock and then the worker's grant_lock, when a server frees a
 * slot; its worker then sends it on.
 */
enum qent_where {
	QE_NONE = 0,
	QE_QUEUED,		/* in the backend's queue */
	QE_GRANTED,		/* in its worker's grants */
};

struct qent {
	struct qent *next, *prev;
	void *txn;			/* the waiting request */
	struct eng_worker *w;		/* its worker */
	uint8_t where;			/* enum qent_where */
};

struct state_backend {
	struct state_node node;
	unsigned id;
	/* the queue of requests waiting for a server, FIFO, any worker */
	pthread_mutex_t qlock;
	struct qent *qhead, *qtail;
	atomic_uint qlen;		/* read without the lock */
	atomic_uint qmax;		/* the longest it has been */
};

/* Frontends' records live as long as the store: an idle client
 * connection holds no graph, yet counts in its frontend's record. */
struct state_frontend {
	struct state_node node;
	unsigned id;
};

/*
 * The last requests a worker refused as malformed, for 'show errors'.
 * The worker only tries the lock: when the admin socket is reading, the
 * capture is skipped rather than waited for.
 */
#define STATE_ERR_KEEP	8		/* per thread */
#define STATE_ERR_BYTES	1024		/* of each request */

struct state_err {
	uint64_t when_us;		/* Unix time */
	unsigned thread;
	unsigned status;
	uint32_t err_pos;		/* the offending byte, in data */
	uint32_t len;			/* bytes kept in data */
	uint32_t total_len;		/* bytes the request had */
	char fe[64];
	char src[64];
	char reason[96];
	char data[STATE_ERR_BYTES];
};

struct state_errring {
	pthread_mutex_t lock;
	unsigned next, n;
	uint64_t total;
	struct state_err e[STATE_ERR_KEEP];
};

struct state_map {
	struct state_node **buckets;
	unsigned nbuckets;		/* a power of two */
	unsigned n;
};

struct state_store {
	pthread_mutex_t lock;	/* attach, and a graph's last release */
	struct state_map servers;
	struct state_map backends;
	struct state_map frontends;
	struct state_map tables;
	unsigned nservers;	/* ids handed out */
	unsigned nbackends;
	unsigned nfrontends;
	unsigned nthreads;	/* counter slots per record */
	struct state_errring *errs;	/* one per thread */

	/* the process, as the main thread tells it; any thread reads */
	uint64_t start_us;		/* Unix time */
	_Atomic uint64_t generation;	/* of the graph in use */
	_Atomic uint64_t reloads;	/* reloads tried */
	_Atomic uint64_t reload_failures;
	_Atomic int last_reload_ok;	/* 1, 0; -1: none yet */
	_Atomic uint64_t last_reload_us;	/* Unix time */
};

/*
 * An empty store whose records have nthreads counter slots (at least
 * one), or NULL when out of memory.
 */
struct state_store *state_new(unsigned nthreads);
/* Free the store and every record. No graph may point into it. */
void state_free(struct state_store *st);
/*
 * Point every backend and server of g at its record, creating what is
 * missing. A server whose address changed gets a fresh record. The graph
 * releases its records when it is freed. Returns 0, or -1 when out of
 * memory (g is then unusable, but may be freed). Main thread only.
 */
int state_attach(struct state_store *st, struct graph *g);

/*
 * Set or clear (-1) the admin weight of a server: kept by the store,
 * applied to every graph state_attach() sees from then on. Main thread.
 */
void state_set_weight(struct state_server *s, int weight);

/* Keep the request in data[0..len) that a worker refused, in its ring. */
void state_err_capture(struct state_store *st, unsigned thread,
    const struct state_err *e, const char *data, uint32_t len);
/* Now, in microseconds of Unix time. */
uint64_t state_now_us(void);

#endif
