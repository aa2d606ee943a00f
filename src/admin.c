#include "config.h"

#include "admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "graph.h"
#include "state.h"
#include "stats.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ADMIN_MAX_WORDS	16

struct admin_lsn {
	struct admin_lsn *next;
	struct admin *a;
	char *path;
	unsigned mode;
	enum stats_level level;
	struct evconnlistener *l;
	bool seen;		/* in the graph being synced */
};

struct admin_cli {
	struct admin_cli *next, *prev;
	struct admin *a;
	struct bufferevent *bev;
	enum stats_level level;
	bool interactive;	/* 'prompt': the connection stays */
	bool closing;		/* close once the answer is out */
};

struct admin {
	struct event_base *base;
	struct admin_ops ops;
	struct admin_lsn *lsns;
	struct admin_cli *clis;
	unsigned nclis;
	uint64_t timeout_ms;
};

static void admin_cli_free(struct admin_cli *c);

/* ---- commands ---------------------------------------------------------- */

static const char ADMIN_HELP[] =
    "The following commands are valid at this level:\n"
    "  help                                    : this list\n"
    "  prompt                                  : keep the connection "
    "open, with a prompt\n"
    "  quit                                    : close the connection\n"
    "  show info                               : report information "
    "about the running process\n"
    "  show stat                               : report counters for "
    "each proxy and server (CSV)\n"
    "  show servers state [<backend>]          : dump the state of the "
    "servers\n"
    "  show backend                            : list the backends\n"
    "  get weight <bk>/<srv>                   : a server's weight, "
    "and the configured one\n"
    "  show errors                             : the last requests "
    "refused as malformed (operator)\n"
    "  disable server <bk>/<srv>               : put a server in "
    "maintenance (admin)\n"
    "  enable server <bk>/<srv>                : take a server out of "
    "maintenance (admin)\n"
    "  set server <bk>/<srv> state <st>        : ready, drain or maint "
    "(admin)\n"
    "  set server <bk>/<srv> weight <w>[%]     : change a server's "
    "weight (admin)\n"
    "  set weight <bk>/<srv> <w>[%]            : the same\n"
    "  reload                                  : read the configuration "
    "again, report the result (admin)\n";

/* The server named "backend/server" in the graph in use, or NULL. */
static const struct g_server *
admin_server(struct admin *a, const char *arg, struct sbuf *out)
{
	const struct graph *g = a->ops.graph(a->ops.arg);
	const struct g_backend *be;
	char name[512];
	const char *slash = strchr(arg, '/');
	unsigned i;

	if (slash == NULL || (size_t)(slash - arg) >= sizeof(name)) {
		SBUF_LIT(out, "Require 'backend/server'.\n");
		return NULL;
	}
	memcpy(name, arg, (size_t)(slash - arg));
	name[slash - arg] = '\0';
	be = graph_find_backend(g, name);
	if (be == NULL) {
		SBUF_LIT(out, "No such backend.\n");
		return NULL;
	}
	for (i = 0; i < be->nservers; i++)
		if (strcmp(be->servers[i].name, slash + 1) == 0 &&
		    be->servers[i].st != NULL)
			return &be->servers[i];
	SBUF_LIT(out, "No such server.\n");
	return NULL;
}

/* Set a server's admin bits: clear those in clr, then set those in set. */
static void
admin_set_state(const struct g_server *s, unsigned clr, unsigned set)
{
	unsigned old = atomic_load(&s->st->admin), nw;

	do
		nw = (old & ~clr) | set;
	while (!atomic_compare_exchange_weak(&s->st->admin, &old, nw));
	if (nw != old)
		atomic_store(&s->st->last_change, state_now_us() / 1000000u);
}

static void
admin_set_weight(struct admin *a, const struct g_server *s, const char *arg,
    struct sbuf *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	struct state_server *r = s->st;
	unsigned iw = r->iweight;

	if (end == arg || (*end != '\0' && strcmp(end, "%") != 0) || v < 0) {
		SBUF_LIT(out, "Require <weight> or <weight%>.\n");
		return;
	}
	if (*end == '%')
		v = (long)((unsigned long)v * iw / 100);
	if (v > 256) {
		SBUF_LIT(out, "Weight must be 0..256.\n");
		return;
	}
	/* the configuration's weight again: no override to keep */
	state_set_weight(r, (unsigned)v == iw ? -1 : (int)v);
	/* s goes with the graph it is in; its record stays */
	if ((unsigned)v != s->weight && a->ops.reweigh(a->ops.arg, out) < 0)
		return;
	atomic_store(&r->last_change, state_now_us() / 1000000u);
}

/* Split line into at most max words, in place. */
static unsigned
admin_words(char *line, char **w, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		w[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static bool
is(const char *w, const char *s)
{
	return strcmp(w, s) == 0;
}

/* Whether the client may: said once, as HAProxy says it, when not. */
static bool
admin_may(enum stats_level have, enum stats_level need, struct sbuf *out)
{
	if (have >= need)
		return true;
	SBUF_LIT(out, "Permission denied\n");
	return false;
}

/* An integer word, -1 and up; false when it is not one. */
static bool
admin_int(const char *w, int *v)
{
	char *end;
	long x = strtol(w, &end, 10);

	if (end == w || *end != '\0' || x < -1 || x > 1000000)
		return false;
	*v = (int)x;
	return true;
}

/* show stat [<iid> <type> <sid>] [up] [no-maint], as HAProxy reads it. */
static void
admin_show_stat(const struct graph *g, char **w, unsigned n,
    struct sbuf *out)
{
	struct stats_filter f = { -1, STATS_T_ALL, -1, false, false };
	unsigned i = 0;
	int type;

	if (n >= 3 && admin_int(w[0], &f.iid) && admin_int(w[1], &type) &&
	    admin_int(w[2], &f.sid)) {
		f.types = type < 0 ? STATS_T_ALL : (unsigned)type & STATS_T_ALL;
		i = 3;
	}
	for (; i < n; i++) {
		if (is(w[i], "up"))
			f.up = true;
		else if (is(w[i], "no-maint"))
			f.no_maint = true;
		else {
			SBUF_LIT(out, "Require 'show stat [<iid> <type> <sid>] "
			    "[up] [no-maint]'; weir writes CSV only.\n");
			return;
		}
	}
	stats_csv_filter(out, g, &f);
}

/* One command; false once the client asked to quit. */
static bool
admin_cmd(struct admin *a, enum stats_level lv, char *cmd, struct sbuf *out,
    bool *prompt)
{
	char *w[ADMIN_MAX_WORDS];
	unsigned n = admin_words(cmd, w, NELEM(w));
	const struct graph *g = a->ops.graph(a->ops.arg);
	const struct g_server *s;
	struct stats_proc p;
	char host[256];

	if (n == 0)
		return true;
	stats_proc_fill(&p, g, host, sizeof(host));
	if (is(w[0], "help") && n == 1) {
		sbuf_add(out, ADMIN_HELP, sizeof(ADMIN_HELP) - 1);
	} else if (is(w[0], "quit") && n == 1) {
		return false;
	} else if (is(w[0], "prompt") && n == 1) {
		*prompt = true;
	} else if (n == 2 && is(w[0], "show") && is(w[1], "info")) {
		stats_info(out, g, &p);
	} else if (n >= 2 && is(w[0], "show") && is(w[1], "stat")) {
		admin_show_stat(g, w + 2, n - 2, out);
	} else if (n >= 3 && n <= 4 && is(w[0], "show") &&
	    is(w[1], "servers") && is(w[2], "state")) {
		if (n == 4 && graph_find_backend(g, w[3]) == NULL)
			SBUF_LIT(out, "Can't find backend.\n");
		else
			stats_servers_state(out, g, n == 4 ? w[3] : NULL);
	} else if (n == 2 && is(w[0], "show") && is(w[1], "backend")) {
		unsigned i;

		SBUF_LIT(out, "# name\n");
		for (i = 0; i < g->nbackends; i++)
			sbuf_printf(out, "%s\n", g->backends[i].px.name);
	} else if (n == 3 && is(w[0], "get") && is(w[1], "weight")) {
		if ((s = admin_server(a, w[2], out)) != NULL)
			sbuf_printf(out, "%u (initial %u)\n", s->weight,
			    s->st->iweight);
	} else if (n == 2 && is(w[0], "show") && is(w[1], "errors")) {
		if (admin_may(lv, STATS_LEVEL_OPERATOR, out) &&
		    g->state != NULL)
			stats_errors(out, g->state);
	} else if (n == 3 && (is(w[0], "disable") || is(w[0], "enable")) &&
	    is(w[1], "server")) {
		if (admin_may(lv, STATS_LEVEL_ADMIN, out) &&
		    (s = admin_server(a, w[2], out)) != NULL)
			admin_set_state(s, is(w[0], "enable") ? SRV_ADM_MAINT :
			    0, is(w[0], "disable") ? SRV_ADM_MAINT : 0);
	} else if (n == 5 && is(w[0], "set") && is(w[1], "server") &&
	    is(w[3], "state")) {
		if (!admin_may(lv, STATS_LEVEL_ADMIN, out) ||
		    (s = admin_server(a, w[2], out)) == NULL)
			return true;
		if (is(w[4], "ready"))
			admin_set_state(s, SRV_ADM_MAINT | SRV_ADM_DRAIN, 0);
		else if (is(w[4], "drain"))
			admin_set_state(s, SRV_ADM_MAINT, SRV_ADM_DRAIN);
		else if (is(w[4], "maint"))
			admin_set_state(s, SRV_ADM_DRAIN, SRV_ADM_MAINT);
		else
			SBUF_LIT(out, "'set server <srv> state' expects "
			    "'ready', 'drain' and 'maint'.\n");
	} else if ((n == 5 && is(w[0], "set") && is(w[1], "server") &&
	    is(w[3], "weight")) || (n == 4 && is(w[0], "set") &&
	    is(w[1], "weight"))) {
		if (admin_may(lv, STATS_LEVEL_ADMIN, out) &&
		    (s = admin_server(a, w[2], out)) != NULL)
			admin_set_weight(a, s, w[n - 1], out);
	} else if (n == 1 && is(w[0], "reload")) {
		if (admin_may(lv, STATS_LEVEL_ADMIN, out))
			a->ops.reload(a->ops.arg, out);
	} else {
		/* one line, whatever was sent */
		SBUF_LIT(out, "Unknown command: '");
		sbuf_add(out, w[0], strnlen(w[0], 64));
		SBUF_LIT(out, "'; 'help' lists the commands.\n");
	}
	return true;
}

bool
admin_exec(struct admin *a, enum stats_level level, const char *line,
    struct sbuf *out)
{
	char buf[ADMIN_MAX_LINE + 1], *cmd, *next;
	bool prompt = false;

	snprintf(buf, sizeof(buf), "%s", line);
	/* commands may be chained with ';', as in HAProxy */
	for (cmd = buf; cmd != NULL; cmd = next) {
		next = strchr(cmd, ';');
		if (next != NULL)
			*next++ = '\0';
		if (!admin_cmd(a, level, cmd, out, &prompt))
			return false;
		/* each answer ends with an empty line */
		SBUF_LIT(out, "\n");
	}
	return true;
}

/* ---- clients ----------------------------------------------------------- */

static void
admin_cli_free(struct admin_cli *c)
{
	struct admin *a = c->a;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		a->clis = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	a->nclis--;
	bufferevent_free(c->bev);
	free(c);
}

static void
admin_on_read(struct bufferevent *bev, void *arg)
{
	struct admin_cli *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *outb = bufferevent_get_output(bev);
	size_t len;
	char *line;

	while (!c->closing && (line = evbuffer_readln(in, &len,
	    EVBUFFER_EOL_LF)) != NULL) {
		struct sbuf out = { 0 };
		bool prompt = c->interactive, more;

		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		more = len <= ADMIN_MAX_LINE && admin_exec(c->a, c->level,
		    line, &out);
		if (len > ADMIN_MAX_LINE)
			SBUF_LIT(&out, "Command line too long.\n\n");
		/* 'prompt' turns interactive mode on or off */
		if (strcmp(line, "prompt") == 0)
			c->interactive = !prompt;
		free(line);
		if (out.oom)
			SBUF_LIT(&out, "Out of memory.\n\n");
		if (out.len > 0)
			evbuffer_add(outb, out.p, out.len);
		sbuf_reset(&out);
		if (!more || !c->interactive)
			c->closing = true;
		else
			evbuffer_add(outb, "> ", 2);
		if (evbuffer_get_length(outb) > ADMIN_MAX_OUT) {
			admin_cli_free(c);
			return;
		}
	}
	/* a line longer than any command: not waited for */
	if (!c->closing && evbuffer_get_length(in) > ADMIN_MAX_LINE) {
		evbuffer_add(outb, "Command line too long.\n\n", 24);
		c->closing = true;
	}
	if (c->closing) {
		bufferevent_disable(bev, EV_READ);
		if (evbuffer_get_length(outb) == 0)
			admin_cli_free(c);
	}
}

static void
admin_on_write(struct bufferevent *bev, void *arg)
{
	struct admin_cli *c = arg;

	if (c->closing)
		admin_cli_free(c);
}

static void
admin_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct admin_cli *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	/* the client's last command may come without its newline */
	if ((what & BEV_EVENT_EOF) && !c->closing &&
	    evbuffer_get_length(in) > 0 &&
	    evbuffer_get_length(in) <= ADMIN_MAX_LINE) {
		evbuffer_add(in, "\n", 1);
		c->interactive = false;
		admin_on_read(bev, c);
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;		/* half-closed: the answer still goes out */
	admin_cli_free(c);
}

static void
admin_on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct admin_lsn *al = arg;
	struct admin *a = al->a;
	struct admin_cli *c;
	struct timeval tv;

	if (a->nclis >= ADMIN_MAX_CLIENTS ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->bev = bufferevent_socket_new(a->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	c->a = a;
	c->level = al->level;
	c->next = a->clis;
	if (a->clis != NULL)
		a->clis->prev = c;
	a->clis = c;
	a->nclis++;
	tv.tv_sec = (time_t)(a->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(a->timeout_ms % 1000 * 1000);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	/* reading stops once a line is longer than any command */
	bufferevent_setwatermark(c->bev, EV_READ, 0, ADMIN_MAX_LINE + 2);
	bufferevent_setcb(c->bev, admin_on_read, admin_on_write,
	    admin_on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- sockets ----------------------------------------------------------- */

/*
 * A listening unix socket at path with mode: bound under a temporary
 * name, then renamed over path, so a socket left by an earlier run is
 * replaced and clients never see a missing file.
 */
static int
admin_open(const char *path, unsigned mode, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	char tmp[sizeof(sun.sun_path)];
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "stats socket %s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, tmp, strlen(tmp) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	if (chmod(tmp, mode) < 0 || listen(fd, 16) < 0 ||
	    rename(tmp, path) < 0) {
		unlink(tmp);
		goto fail;
	}
	return fd;
fail:
	snprintf(err, errlen, "stats socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
admin_lsn_free(struct admin_lsn *al, bool unlink_file)
{
	if (al->l != NULL)
		evconnlistener_free(al->l);
	if (unlink_file)
		unlink(al->path);
	free(al->path);
	free(al);
}

struct admin *
admin_new(struct event_base *base, const struct admin_ops *ops)
{
	struct admin *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->base = base;
	a->ops = *ops;
	a->timeout_ms = ADMIN_TIMEOUT_MS;
	return a;
}

int
admin_sync(struct admin *a, const struct graph *g, char *err, size_t errlen)
{
	struct admin_lsn *al, **pp;
	unsigned i;
	int r = 0;

	a->timeout_ms = g->stats_timeout_ms ? g->stats_timeout_ms :
	    ADMIN_TIMEOUT_MS;
	for (al = a->lsns; al != NULL; al = al->next)
		al->seen = false;
	for (i = 0; i < g->nsockets; i++) {
		const struct g_stats_socket *gs = &g->sockets[i];
		int fd;

		for (al = a->lsns; al != NULL; al = al->next)
			if (strcmp(al->path, gs->path) == 0)
				break;
		if (al != NULL) {
			al->seen = true;
			al->level = gs->level;
			if (al->mode != gs->mode && chmod(al->path,
			    gs->mode) == 0)
				al->mode = gs->mode;
			continue;
		}
		fd = admin_open(gs->path, gs->mode, err, errlen);
		if (fd < 0) {
			r = -1;
			continue;
		}
		al = calloc(1, sizeof(*al));
		if (al == NULL || (al->path = strdup(gs->path)) == NULL) {
			free(al);
			close(fd);
			snprintf(err, errlen, "out of memory");
			r = -1;
			continue;
		}
		al->a = a;
		al->mode = gs->mode;
		al->level = gs->level;
		al->seen = true;
		al->l = evconnlistener_new(a->base, admin_on_accept, al,
		    LEV_OPT_CLOSE_ON_FREE, -1, fd);
		if (al->l == NULL) {
			close(fd);
			admin_lsn_free(al, true);
			snprintf(err, errlen, "stats socket %s: cannot listen",
			    gs->path);
			r = -1;
			continue;
		}
		al->next = a->lsns;
		a->lsns = al;
	}
	for (pp = &a->lsns; *pp != NULL;) {
		al = *pp;
		if (al->seen) {
			pp = &al->next;
			continue;
		}
		*pp = al->next;
		admin_lsn_free(al, true);
	}
	return r;
}

void
admin_free(struct admin *a)
{
	struct admin_lsn *al;

	if (a == NULL)
		return;
	while (a->clis != NULL)
		admin_cli_free(a->clis);
	while ((al = a->lsns) != NULL) {
		a->lsns = al->next;
		admin_lsn_free(al, true);
	}
	free(a);
}
