/*
 * The admin socket (stats socket PATH): a line protocol on unix sockets,
 * HAProxy's runtime API where the commands overlap. It runs on the main
 * thread's event loop, never on a worker; each client has bounded buffers
 * and a timeout (stats timeout), so a slow or hostile one costs a few
 * kilobytes and is closed.
 */
#ifndef WEIR_ADMIN_H
#define WEIR_ADMIN_H

#include <stdbool.h>

#include <event2/event.h>

#include "graph-t.h"
#include "stats.h"

#define ADMIN_MAX_LINE		4096	/* bytes of one command line */
#define ADMIN_MAX_OUT		(8u << 20)	/* unread answer bytes */
#define ADMIN_MAX_CLIENTS	64
#define ADMIN_TIMEOUT_MS	10000	/* without stats timeout */

/* What the socket asks of the main thread. */
struct admin_ops {
	void *arg;
	/* the graph in use (no reference taken) */
	struct graph *(*graph)(void *arg);
	/* the SIGHUP path: the result and every error into out; 0 or -1 */
	int (*reload)(void *arg, struct sbuf *out);
	/* admin weights changed: build and publish the graph again; 0/-1 */
	int (*reweigh)(void *arg, struct sbuf *out);
};

struct admin;

/* An admin with no socket yet, on base. NULL when out of memory. */
struct admin *admin_new(struct event_base *base, const struct admin_ops *ops);
/*
 * Listen on the sockets g names and no other: new paths are opened, gone
 * ones closed (their files removed), kept ones take g's mode and level.
 * A path that cannot be opened is said in err (the others still are);
 * returns 0, or -1 then. Main thread.
 */
int admin_sync(struct admin *a, const struct graph *g, char *err,
    size_t errlen);
/* Close every socket and client, remove the files, free. NULL: no-op. */
void admin_free(struct admin *a);

/*
 * Run one command line as a client of level level would, the answer into
 * out. Returns false once the client asked to quit. For the tests.
 */
bool admin_exec(struct admin *a, enum stats_level level, const char *line,
    struct sbuf *out);

#endif
