/*
 * Listening sockets. Each worker has its own socket per listener address
 * (SO_REUSEPORT), so the kernel spreads connections and no lock is taken
 * to accept.
 */
#ifndef WEIR_LSN_H
#define WEIR_LSN_H

#include <event2/event_struct.h>

#include "conf-t.h"
#include "graph-t.h"

struct eng_worker;

struct lsn {
	struct eng_worker *w;
	int fd;
	struct event ev;
	struct conf_addr addr;
	char *fe_name;		/* the frontend it belongs to */
	/* the frontend in the graph last seen, found once per graph */
	const struct graph *cache_g;
	const struct g_frontend *cache_fe;
};

/*
 * Open a listening socket on l's address for worker w. Returns NULL and
 * prints why on stderr when it cannot (address in use...).
 */
struct lsn *lsn_open(struct eng_worker *w, const struct g_listener *l);
/* Close the socket and free. NULL is a no-op. */
void lsn_close(struct lsn *l);
/* The frontend this listener serves in g, or NULL if g has none. */
const struct g_frontend *lsn_frontend(struct lsn *l, const struct graph *g);

#endif
