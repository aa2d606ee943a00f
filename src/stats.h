/*
 * What weir tells of itself: the Prometheus exposition, HAProxy's CSV
 * ('show stat', the page's ;csv), 'show info', 'show servers state',
 * 'show errors' and the HTML stats page. Each reads a graph and the state
 * store it is attached to, from any thread, and writes into a growing
 * buffer.
 */
#ifndef WEIR_STATS_H
#define WEIR_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "graph-t.h"

struct state_store;

/* Text being built; oom once an allocation failed (the text is cut). */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Add a string literal, its length counted by the compiler. */
#define SBUF_LIT(b, s) sbuf_add((b), "" s, sizeof(s) - 1)

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/* Free the text; the buffer is empty again. */
void sbuf_reset(struct sbuf *b);

/* What the process says of itself in 'show info' and the page. */
struct stats_proc {
	unsigned pid;
	unsigned nbthread;
	const char *node;	/* the host name */
};

/* This process: pid, threads, host name (kept in host[0..hostlen)). */
void stats_proc_fill(struct stats_proc *p, const struct graph *g,
    char *host, size_t hostlen);

/* Prometheus text format 0.0.4 of g and its state. */
void stats_prometheus(struct sbuf *b, const struct graph *g,
    const struct stats_proc *p);
/* HAProxy's 'show stat' CSV: a header line, then a line per proxy/server. */
void stats_csv(struct sbuf *b, const struct graph *g);

/* What 'show stat <iid> <type> <sid> [up] [no-maint]' asks for. */
#define STATS_T_FE	0x1
#define STATS_T_BE	0x2
#define STATS_T_SRV	0x4
#define STATS_T_ALL	0x7

struct stats_filter {
	int iid;		/* a proxy's id, -1: all */
	unsigned types;		/* STATS_T_* */
	int sid;		/* a server's id, -1: all */
	bool up;		/* only servers UP */
	bool no_maint;		/* no server in maintenance */
};

/* The same CSV, only the lines f asks for. */
void stats_csv_filter(struct sbuf *b, const struct graph *g,
    const struct stats_filter *f);
/* HAProxy's 'show info': "Name: value" lines. */
void stats_info(struct sbuf *b, const struct graph *g,
    const struct stats_proc *p);
/* HAProxy's 'show servers state' (version 1). */
void stats_servers_state(struct sbuf *b, const struct graph *g,
    const char *backend);
/* The requests workers refused lately, with a hex dump of each. */
void stats_errors(struct sbuf *b, struct state_store *st);
/* The state a server shows: UP, DOWN, MAINT, DRAIN. */
const char *stats_srv_status(const struct g_server *s);

/* What a request to a stats page carries. */
struct stats_req {
	const char *method;
	size_t method_len;
	const char *path;	/* the whole target, query included */
	size_t path_len;
	const char *auth;	/* the Authorization value, or NULL */
	size_t auth_len;
	const struct acl_sample *smp;	/* for stats admin's condition */
};

/* Whether the request's target is under the page's uri. */
bool stats_match(const struct g_stats *cfg, const char *path, size_t len);
/*
 * The whole HTTP answer to a request for the stats page of cfg: 401
 * without valid credentials, the HTML page, its CSV (uri;csv), or the
 * result of an admin action (POST uri?b=B&s=S&action=A, with stats admin
 * and its condition true), which sets the server's admin state.
 */
void stats_http(struct sbuf *b, const struct graph *g,
    const struct g_stats *cfg, const struct stats_req *rq,
    const struct stats_proc *p, bool close);

#endif
