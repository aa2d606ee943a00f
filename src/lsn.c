#include "config.h"

#include "lsn.h"

#include <errno.h>
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

struct lsn *
lsn_open(struct eng_worker *w, const struct g_listener *gl)
{
	struct lsn *l;
	char addr[INET6_ADDRSTRLEN + 16];
	int fd, one = 1;

	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->fe_name = strdup(gl->fe->px.name)) == NULL) {
		free(l);
		fprintf(stderr, "weir: out of memory\n");
		return NULL;
	}
	l->w = w;
	l->addr = gl->addr;
	fd = socket(gl->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (gl->addr.ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)&gl->addr.ss, gl->addr.len) < 0 ||
	    listen(fd, LSN_BACKLOG) < 0)
		goto fail;
	/* HTTP clients speak first: wake up only once a request is there */
	if (gl->fe->px.mode == PX_MODE_HTTP) {
		int secs = 1;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
	}
	l->fd = fd;
	event_assign(&l->ev, w->base, fd, EV_READ | EV_PERSIST, sess_accept, l);
	if (event_add(&l->ev, NULL) < 0) {
		errno = ENOMEM;
		goto fail;
	}
	return l;
fail:
	fprintf(stderr, "weir: cannot listen on %s for frontend '%s': %s\n",
	    val_addr_str(&gl->addr, addr, sizeof(addr)), gl->fe->px.name,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	free(l->fe_name);
	free(l);
	return NULL;
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

const struct g_frontend *
lsn_frontend(struct lsn *l, const struct graph *g)
{
	unsigned i;

	if (l->cache_g == g)
		return l->cache_fe;
	l->cache_g = g;
	l->cache_fe = NULL;
	for (i = 0; i < g->nlisteners; i++) {
		const struct g_listener *gl = &g->listeners[i];

		if (val_addr_eq(&gl->addr, &l->addr) &&
		    strcmp(gl->fe->px.name, l->fe_name) == 0) {
			l->cache_fe = gl->fe;
			break;
		}
	}
	return l->cache_fe;
}
