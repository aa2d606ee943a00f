#include "config.h"

#include "lsn.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eng.h"
#include "sess.h"
#include "val.h"

#define LSN_BACKLOG	1024

int
lsn_socket(const struct conf_addr *addr, bool http)
{
	int fd, one = 1, secs = 1, err;

	fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (addr->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	/*
	 * Accepted sockets inherit it, at no cost per connection: without
	 * it the tail of a response longer than a buffer waits for the
	 * client's delayed ACK (Nagle), 40 ms a response.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0 ||
	    listen(fd, LSN_BACKLOG) < 0)
		goto fail;
	/* HTTP clients speak first: wake up only once a request is there */
	if (http)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

struct lsn *
lsn_adopt(struct eng_worker *w, int fd, const struct conf_addr *addr,
    const char *fe_name)
{
	struct lsn *l;

	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->fe_name = strdup(fe_name)) == NULL) {
		free(l);
		return NULL;
	}
	l->w = w;
	l->fd = fd;
	l->addr = *addr;
	event_assign(&l->ev, w->base, fd, EV_READ | EV_PERSIST, sess_accept, l);
	if (!w->paused && event_add(&l->ev, NULL) < 0) {
		free(l->fe_name);
		free(l);
		return NULL;
	}
	return l;
}

struct lsn *
lsn_open(struct eng_worker *w, const struct g_listener *gl)
{
	struct lsn *l;
	char addr[INET6_ADDRSTRLEN + 16];
	int fd;

	fd = lsn_socket(&gl->addr, gl->fe->px.mode == PX_MODE_HTTP);
	if (fd < 0) {
		fprintf(stderr, "weir: cannot listen on %s for frontend "
		    "'%s': %s\n", val_addr_str(&gl->addr, addr, sizeof(addr)),
		    gl->fe->px.name, strerror(errno));
		return NULL;
	}
	l = lsn_adopt(w, fd, &gl->addr, gl->fe->px.name);
	if (l == NULL) {
		close(fd);
		fprintf(stderr, "weir: out of memory\n");
	}
	return l;
}

void
lsn_close(struct lsn *l)
{
	if (l == NULL)
		return;
	event_del(&l->ev);
	close(l->fd);
	free(l->fe_name);
	free(l);
}

unsigned
lsn_maxsess(const struct lsn *l)
{
	const struct eng *e = l->w->eng;

	if (l->maxconn == 0)
		return UINT_MAX;
	return (l->maxconn + e->nworkers - 1) / e->nworkers;
}

const struct g_frontend *
lsn_frontend(struct lsn *l, const struct graph *g)
{
	unsigned i;

	if (l->cache_gen == g->generation && l->cache_gen != 0)
		return l->cache_fe;
	l->cache_gen = g->generation;
	l->cache_fe = NULL;
	l->cache_tls = NULL;
	for (i = 0; i < g->nlisteners; i++) {
		const struct g_listener *gl = &g->listeners[i];

		if (val_addr_eq(&gl->addr, &l->addr) &&
		    strcmp(gl->fe->px.name, l->fe_name) == 0) {
			l->cache_fe = gl->fe;
			l->cache_pp = gl->accept_proxy;
			l->cache_tls = gl->tls;
			l->maxconn = gl->fe->maxconn;
			break;
		}
	}
	return l->cache_fe;
}
