/*
 * Listening sockets. Each worker has its own socket per listener address
 * (SO_REUSEPORT), so the kernel spreads connections and no lock is taken
 * to accept.
 */
#ifndef WEIR_LSN_H
#define WEIR_LSN_H

#include <stdbool.h>

#include <event2/event_struct.h>

#include "conf-t.h"
#include "graph-t.h"

struct eng_worker;
struct tls_bind;

struct lsn {
	struct eng_worker *w;
	int fd;
	struct event ev;
	struct conf_addr addr;
	char *fe_name;		/* the frontend it belongs to */
	/* the frontend in the graph last seen, found once per graph */
	uint64_t cache_gen;	/* its generation: a freed graph's address
				   may come back for another one */
	const struct g_frontend *cache_fe;
	bool cache_pp;		/* its bind says accept-proxy */
	const struct tls_bind *cache_tls;	/* its bind's ssl, or NULL */
	unsigned nsess;		/* sessions it accepted, open now */
	unsigned maxconn;	/* its frontend's, as last seen; 0: none */
	bool full;		/* at its share of the frontend's maxconn */
};

/*
 * A listening socket on addr (SO_REUSEPORT, so each worker has one), or
 * -1 with errno set. Any thread.
 */
int lsn_socket(const struct conf_addr *addr, bool http);
/* Serve the listening socket fd on worker w; w's thread, or before it runs. */
struct lsn *lsn_adopt(struct eng_worker *w, int fd,
    const struct conf_addr *addr, const char *fe_name);
/*
 * Open a listening socket on l's address for worker w. Returns NULL and
 * prints why on stderr when it cannot (address in use...).
 */
struct lsn *lsn_open(struct eng_worker *w, const struct g_listener *l);
/* Close the socket and free. NULL is a no-op. */
void lsn_close(struct lsn *l);
/*
 * This worker's share of the frontend's maxconn for this listener, as
 * last seen; unlimited (UINT_MAX) when the frontend sets none.
 */
unsigned lsn_maxsess(const struct lsn *l);
/* The frontend this listener serves in g, or NULL if g has none. */
const struct g_frontend *lsn_frontend(struct lsn *l, const struct graph *g);

#endif
