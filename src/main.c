/*
 * weir: a reverse proxy and load balancer. The command line, and the
 * main thread: it loads the configuration, starts the workers and waits
 * for signals.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "admin.h"
#include "conf.h"
#include "diag.h"
#include "eng.h"
#include "graph.h"
#include "log.h"
#include "notify.h"
#include "state.h"
#include "stats.h"
#include "val.h"
#include "version.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: weir [-cq] [-f lb.conf] [-p pidfile]\n"
	    "       weir -v | -h\n"
	    "\n"
	    "  -f FILE   configuration file (default " SYSCONFDIR
	    "/weir/lb.conf)\n"
	    "  -c        check the configuration, report every error, exit\n"
	    "  -p FILE   write the process id to FILE while serving\n"
	    "  -q        quiet: print errors only\n"
	    "  -v        print the versions of weir and its libraries\n"
	    "  -h        print this help\n"
	    "\n"
	    "See weir(8) and lb.conf(5).\n");
}

/* What the main thread serves: the file, the graph, the engine. */
struct weir {
	const char *file;
	struct graph *g;		/* current; one ref held */
	struct conf *conf;		/* what g was built from */
	struct state_store *st;
	struct admin *admin;
	struct eng *e;
	struct log *log;		/* the traffic log's rings and writer */
	struct event_base *base;
	uint64_t generation;
	bool stopping;
	struct event *ev_hard;		/* hard-stop-after */
	const char *pidfile;		/* -p, else the global pidfile */
	unsigned nbthread, maxconn, bufsize;	/* fixed at start */
};

static void
on_hard_stop(evutil_socket_t fd, short what, void *arg)
{
	struct weir *wr = arg;

	fprintf(stderr, "weir: hard-stop-after reached: closing what is "
	    "left\n");
	event_base_loopbreak(wr->base);
}

/*
 * SIGTERM, SIGINT: stop accepting, let what is in flight finish, exit
 * when nothing is left or at hard-stop-after. A second one exits now.
 */
static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct weir *wr = arg;
	const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";

	if (wr->stopping) {
		fprintf(stderr, "weir: %s again: exiting now\n", name);
		event_base_loopbreak(wr->base);
		return;
	}
	wr->stopping = true;
	fprintf(stderr, "weir: %s: stopping, finishing requests in flight\n",
	    name);
	notify("STOPPING=1");
	eng_drain(wr->e);
	if (wr->g->hard_stop_after_ms > 0) {
		struct timeval tv;

		tv.tv_sec = (time_t)(wr->g->hard_stop_after_ms / 1000);
		tv.tv_usec = (suseconds_t)(wr->g->hard_stop_after_ms % 1000 *
		    1000);
		wr->ev_hard = evtimer_new(wr->base, on_hard_stop, wr);
		if (wr->ev_hard != NULL)
			evtimer_add(wr->ev_hard, &tv);
	}
}

/* A worker ended; once all have, so does weir. */
static void
on_worker_done(evutil_socket_t fd, short what, void *arg)
{
	struct weir *wr = arg;
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
	if (eng_done(wr->e))
		event_base_loopbreak(wr->base);
}

/* Append ", +what name" to buf; past 12 changes, only count them. */
static unsigned nchanges;

static void
change(char *buf, size_t size, size_t *off, char sign, const char *what,
    const char *a, const char *b)
{
	int n;

	if (++nchanges > 12 || *off >= size)
		return;
	n = snprintf(buf + *off, size - *off, "%s%c%s %s%s%s",
	    *off ? ", " : "", sign, what, a, b ? "/" : "", b ? b : "");
	if (n > 0)
		*off += (size_t)n;
}

/* What differs between two graphs, as "+backend x, -server x/a, ...". */
static void
graph_diff(const struct graph *o, const struct graph *n, char *buf,
    size_t size)
{
	size_t off = 0;
	unsigned i, j;

	buf[0] = '\0';
	nchanges = 0;
	for (i = 0; i < n->nfrontends; i++)
		if (graph_find_frontend(o, n->frontends[i].px.name) == NULL)
			change(buf, size, &off, '+', "frontend",
			    n->frontends[i].px.name, NULL);
	for (i = 0; i < o->nfrontends; i++)
		if (graph_find_frontend(n, o->frontends[i].px.name) == NULL)
			change(buf, size, &off, '-', "frontend",
			    o->frontends[i].px.name, NULL);
	for (i = 0; i < n->nbackends; i++) {
		const struct g_backend *nb = &n->backends[i];
		const struct g_backend *ob = graph_find_backend(o, nb->px.name);

		if (ob == NULL) {
			change(buf, size, &off, '+', "backend", nb->px.name,
			    NULL);
			continue;
		}
		for (j = 0; j < nb->nservers; j++) {
			const struct g_server *ns = &nb->servers[j];
			const struct g_server *os = NULL;
			unsigned k;

			for (k = 0; k < ob->nservers; k++)
				if (strcmp(ob->servers[k].name, ns->name) == 0)
					os = &ob->servers[k];
			if (os == NULL)
				change(buf, size, &off, '+', "server",
				    nb->px.name, ns->name);
			else if (!val_addr_eq(&os->addr, &ns->addr) ||
			    os->weight != ns->weight || os->flags != ns->flags)
				change(buf, size, &off, '~', "server",
				    nb->px.name, ns->name);
		}
		for (j = 0; j < ob->nservers; j++) {
			unsigned k;

			for (k = 0; k < nb->nservers; k++)
				if (strcmp(nb->servers[k].name,
				    ob->servers[j].name) == 0)
					break;
			if (k == nb->nservers)
				change(buf, size, &off, '-', "server",
				    ob->px.name, ob->servers[j].name);
		}
	}
	for (i = 0; i < o->nbackends; i++)
		if (graph_find_backend(n, o->backends[i].px.name) == NULL)
			change(buf, size, &off, '-', "backend",
			    o->backends[i].px.name, NULL);
	for (i = 0; i < n->nlisteners; i++) {
		for (j = 0; j < o->nlisteners; j++)
			if (val_addr_eq(&o->listeners[j].addr,
			    &n->listeners[i].addr))
				break;
		if (j == o->nlisteners)
			change(buf, size, &off, '+', "bind",
			    n->listeners[i].text, NULL);
	}
	for (j = 0; j < o->nlisteners; j++) {
		for (i = 0; i < n->nlisteners; i++)
			if (val_addr_eq(&o->listeners[j].addr,
			    &n->listeners[i].addr))
				break;
		if (i == n->nlisteners)
			change(buf, size, &off, '-', "bind",
			    o->listeners[j].text, NULL);
	}
	if (off == 0)
		snprintf(buf, size, "no proxy, server or bind changed");
	else if (nchanges > 12 && off < size)
		snprintf(buf + off, size - off, " and %u more", nchanges - 12);
	nchanges = 0;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Print every message of d to stderr, and to out when there is one. */
static void
diag_out(const struct diag *d, struct sbuf *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	diag_print(d, stderr);
	if (out == NULL || (f = open_memstream(&text, &len)) == NULL)
		return;
	diag_print(d, f);
	fclose(f);
	sbuf_add(out, text, len);
	free(text);
}

/* What a reload said: to stderr, and to the admin socket's client. */
static void
say(struct sbuf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct sbuf *out, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "weir: %s\n", line);
	if (out != NULL)
		sbuf_printf(out, "%s\n", line);
}

/*
 * Publish g, built from the file, or from the configuration in use for
 * new admin weights (conf NULL then): attached to the state store, the
 * engine moved to it, the admin sockets to what it says. Returns 0, or
 * -1 with nothing changed (g is released).
 */
static int
weir_publish(struct weir *wr, struct graph *g, struct conf *conf,
    const struct timespec *t0, struct sbuf *out, const char *what)
{
	char err[512] = "x", changes[2048], certs[96] = "";

	/* numbered before the workers can see it */
	g->generation = wr->generation + 1;
	log_attach(wr->log, g);
	if (state_attach(wr->st, g) < 0)
		snprintf(err, sizeof(err), "out of memory");
	else if (eng_reload(wr->e, g, err, sizeof(err)) == 0)
		err[0] = '\0';
	if (err[0] != '\0') {
		say(out, "%s failed: %s; generation %llu keeps serving",
		    conf ? "reload" : "new weights", err,
		    (unsigned long long)wr->generation);
		graph_unref(g);
		conf_free(conf);
		return -1;
	}
	wr->generation = g->generation;
	atomic_store(&wr->st->generation, wr->generation);
	if (g->nbthread != wr->nbthread || g->maxconn != wr->maxconn ||
	    g->bufsize != wr->bufsize)
		say(out, "reload: nbthread, maxconn and tune.bufsize take "
		    "effect at the next start; %u, %u and %u stay",
		    wr->nbthread, wr->maxconn, wr->bufsize);
	graph_diff(wr->g, g, changes, sizeof(changes));
	graph_unref(wr->g);
	wr->g = g;
	if (conf != NULL) {
		conf_free(wr->conf);
		wr->conf = conf;
	}
	if (wr->admin != NULL && admin_sync(wr->admin, g, err,
	    sizeof(err)) < 0)
		say(out, "warning: %s", err);
	if (g->tls_certs > 0)
		snprintf(certs, sizeof(certs), "; %u certificate%s read, %u "
		    "kept", g->tls_loaded, g->tls_loaded == 1 ? "" : "s",
		    g->tls_certs - g->tls_loaded);
	say(out, "%s: generation %llu in %.1f ms: %s%s", what,
	    (unsigned long long)g->generation, ms_since(t0), changes, certs);
	return 0;
}

/*
 * SIGHUP, or 'reload' on the admin socket: read the file again and move
 * to what it says. Anything wrong changes nothing: the running
 * configuration keeps serving. What happened goes to stderr and out.
 */
static void notify_reloading(const struct timespec *);

static int
weir_reload(struct weir *wr, struct sbuf *out)
{
	struct timespec t0;
	struct conf *conf = NULL;
	struct diag d;
	struct graph *g;
	int r;

	if (wr->stopping) {
		/* a signal during the stop is ignored; a client is told */
		if (out != NULL)
			say(out, "reload refused: weir is stopping");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	notify_reloading(&t0);
	atomic_fetch_add(&wr->st->reloads, 1);
	atomic_store(&wr->st->last_reload_us, state_now_us());
	diag_init(&d);
	g = graph_load_file_conf(wr->file, &d, &conf);
	diag_out(&d, out);
	if (g == NULL) {
		say(out, "reload failed: %u error%s in %s; generation %llu "
		    "keeps serving", d.nerr, d.nerr == 1 ? "" : "s",
		    wr->file, (unsigned long long)wr->generation);
		diag_reset(&d);
		r = -1;
	} else {
		diag_reset(&d);
		r = weir_publish(wr, g, conf, &t0, out, "reloaded");
	}
	atomic_store(&wr->st->last_reload_ok, r == 0);
	if (r < 0)
		atomic_fetch_add(&wr->st->reload_failures, 1);
	notify(r == 0 ? "READY=1" : "READY=1\nSTATUS=reload failed: the "
	    "configuration in use stays");
	return r;
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)weir_reload(arg, NULL);
}

/* The admin socket's callbacks. */
static struct graph *
admin_graph(void *arg)
{
	return ((struct weir *)arg)->g;
}

static int
admin_reload(void *arg, struct sbuf *out)
{
	struct sbuf log = { 0 };
	int r = weir_reload(arg, &log);

	sbuf_printf(out, "Success=%d\n--\n", r == 0);
	sbuf_add(out, log.p ? log.p : "", log.len);
	sbuf_reset(&log);
	return r;
}

/* New admin weights: the configuration in use, built and published. */
static int
admin_reweigh(void *arg, struct sbuf *out)
{
	struct weir *wr = arg;
	struct timespec t0;
	struct diag d;
	struct graph *g;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	diag_init(&d);
	g = wr->conf ? graph_rebuild(wr->conf, wr->file, &d) : NULL;
	diag_reset(&d);
	if (g == NULL) {
		say(out, "weight not applied: cannot build the configuration "
		    "again");
		return -1;
	}
	return weir_publish(wr, g, NULL, &t0, NULL, "new weights");
}

/* RELOADING=1 wants the monotonic clock of when it began (systemd 253). */
static void
notify_reloading(const struct timespec *t0)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)t0->tv_sec * 1000000ULL +
	    (unsigned long long)t0->tv_nsec / 1000);
	notify(msg);
}

/*
 * SIGUSR1: reopen log files, after a rotation renamed them. The log
 * thread does it and says so on stderr.
 */
static void
on_usr1(evutil_socket_t sig, short what, void *arg)
{
	struct weir *wr = arg;

	log_reopen(wr->log);
}

/* Write the pid to path; a failure is reported, not fatal. */
static void
pidfile_write(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
	    fclose(f) != 0)
		fprintf(stderr, "weir: cannot write pidfile %s: %s\n", path,
		    strerror(errno));
}

/* Serve wr->g until SIGINT or SIGTERM. Returns the exit status. */
static int
serve(struct weir *wr)
{
	struct event *ev_int = NULL, *ev_term = NULL, *ev_hup = NULL;
	struct event *ev_done = NULL, *ev_usr1 = NULL;
	struct graph *g = wr->g;
	unsigned i;
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	wr->st = state_new(g->nbthread);
	if (wr->st == NULL || state_attach(wr->st, g) < 0 ||
	    (wr->base = event_base_new()) == NULL) {
		fprintf(stderr, "weir: out of memory\n");
		graph_unref(wr->g);
		wr->g = NULL;
		state_free(wr->st);
		return 1;
	}
	ev_int = evsignal_new(wr->base, SIGINT, on_stop, wr);
	ev_term = evsignal_new(wr->base, SIGTERM, on_stop, wr);
	ev_hup = evsignal_new(wr->base, SIGHUP, on_hup, wr);
	ev_usr1 = evsignal_new(wr->base, SIGUSR1, on_usr1, wr);
	if (ev_int == NULL || ev_term == NULL || ev_hup == NULL ||
	    ev_usr1 == NULL || evsignal_add(ev_int, NULL) < 0 ||
	    evsignal_add(ev_term, NULL) < 0 || evsignal_add(ev_hup, NULL) < 0 ||
	    evsignal_add(ev_usr1, NULL) < 0)
		goto out;
	{
		struct admin_ops ops = { wr, admin_graph, admin_reload,
			admin_reweigh };
		char err[512];

		wr->admin = admin_new(wr->base, &ops);
		if (wr->admin == NULL) {
			fprintf(stderr, "weir: out of memory\n");
			goto out;
		}
		if (admin_sync(wr->admin, g, err, sizeof(err)) < 0) {
			fprintf(stderr, "weir: %s\n", err);
			goto out;
		}
	}
	atomic_store(&wr->st->generation, wr->generation);
	/* rings for every worker, whether or not this graph logs */
	wr->log = log_new(g->nbthread);
	if (wr->log == NULL)
		goto out;
	log_attach(wr->log, g);
	wr->e = eng_start(g, wr->st, wr->log, g->nbthread);
	if (wr->e == NULL)
		goto out;
	ev_done = event_new(wr->base, wr->e->done_fd, EV_READ | EV_PERSIST,
	    on_worker_done, wr);
	if (ev_done == NULL || event_add(ev_done, NULL) < 0) {
		eng_stop(wr->e);
		goto out;
	}
	for (i = 0; i < g->nlisteners; i++) {
		char a[80];

		fprintf(stderr, "weir: frontend '%s' listening on %s\n",
		    g->listeners[i].fe->px.name,
		    val_addr_str(&g->listeners[i].addr, a, sizeof(a)));
	}
	if (wr->pidfile != NULL)
		pidfile_write(wr->pidfile);
	fprintf(stderr, "weir: ready, %u thread%s\n", g->nbthread,
	    g->nbthread == 1 ? "" : "s");
	notify("READY=1");
	event_base_dispatch(wr->base);
	if (wr->stopping && !eng_done(wr->e))
		fprintf(stderr, "weir: closing the connections left\n");
	eng_stop(wr->e);
	/* the workers are gone: what they logged is written now */
	log_free(wr->log);
	wr->log = NULL;
	if (wr->pidfile != NULL)
		unlink(wr->pidfile);
	fprintf(stderr, "weir: stopped\n");
	rc = 0;
out:
	admin_free(wr->admin);
	wr->admin = NULL;
	log_free(wr->log);
	if (ev_usr1 != NULL)
		event_free(ev_usr1);
	if (ev_done != NULL)
		event_free(ev_done);
	if (wr->ev_hard != NULL)
		event_free(wr->ev_hard);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_hup != NULL)
		event_free(ev_hup);
	event_base_free(wr->base);
	/* the graph lets go of its records before the store goes */
	graph_unref(wr->g);
	wr->g = NULL;
	conf_free(wr->conf);
	wr->conf = NULL;
	state_free(wr->st);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *file = SYSCONFDIR "/weir/lb.conf";
	const char *pidfile = NULL;
	struct conf *conf = NULL;
	struct diag d;
	struct graph *g;
	int ch, check = 0, quiet = 0, rc = 0;

	while ((ch = getopt(argc, argv, "cf:hp:qv")) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'p':
			pidfile = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			version_print(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "weir: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}

	diag_init(&d);
	g = graph_load_file_conf(file, &d, &conf);
	diag_print_level(&d, stderr, quiet ? DIAG_ERROR : DIAG_WARNING);
	if (g == NULL) {
		fprintf(stderr, "%s: %u error%s, %u warning%s\n", file,
		    d.nerr, d.nerr == 1 ? "" : "s", d.nwarn,
		    d.nwarn == 1 ? "" : "s");
		diag_reset(&d);
		return 1;
	}
	diag_reset(&d);
	if (check) {
		if (!quiet)
			printf("%s: configuration is valid\n", file);
	} else {
		struct weir wr;

		memset(&wr, 0, sizeof(wr));
		wr.file = file;
		wr.g = g;
		wr.conf = conf;
		conf = NULL;
		wr.nbthread = g->nbthread;
		wr.maxconn = g->maxconn;
		wr.bufsize = g->bufsize;
		/* a copy: the graph it comes from may go with a reload */
		if (pidfile != NULL || g->pidfile != NULL)
			wr.pidfile = strdup(pidfile ? pidfile : g->pidfile);
		wr.generation = g->generation = 1;
		rc = serve(&wr);
		g = wr.g;
		free((char *)wr.pidfile);
	}
	graph_unref(g);
	conf_free(conf);
	return rc;
}
