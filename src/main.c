/*
 * weir: a reverse proxy and load balancer. The command line, and the
 * main thread: it loads the configuration, starts the workers and waits
 * for signals.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "diag.h"
#include "eng.h"
#include "graph.h"
#include "state.h"
#include "val.h"
#include "version.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: weir [-cq] [-f lb.conf]\n"
	    "       weir -v | -h\n"
	    "\n"
	    "  -f FILE   configuration file (default " SYSCONFDIR
	    "/weir/lb.conf)\n"
	    "  -c        check the configuration, report every error, exit\n"
	    "  -q        quiet: print errors only\n"
	    "  -v        print the versions of weir and its libraries\n"
	    "  -h        print this help\n"
	    "\n"
	    "See weir(8) and lb.conf(5).\n");
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;

	fprintf(stderr, "weir: %s: stopping\n",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopbreak(base);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	fprintf(stderr, "weir: SIGHUP: reloading is not supported by this "
	    "version; the configuration in use stays\n");
}

/* Serve g until SIGINT or SIGTERM. Returns the exit status. */
static int
serve(struct graph *g)
{
	struct state_store *st;
	struct event_base *base;
	struct event *ev_int = NULL, *ev_term = NULL, *ev_hup = NULL;
	struct eng *e;
	unsigned i;
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	st = state_new();
	if (st == NULL || state_attach(st, g) < 0) {
		fprintf(stderr, "weir: out of memory\n");
		state_free(st);
		return 1;
	}
	base = event_base_new();
	if (base == NULL) {
		state_free(st);
		return 1;
	}
	ev_int = evsignal_new(base, SIGINT, on_stop, base);
	ev_term = evsignal_new(base, SIGTERM, on_stop, base);
	ev_hup = evsignal_new(base, SIGHUP, on_hup, base);
	if (ev_int == NULL || ev_term == NULL || ev_hup == NULL ||
	    evsignal_add(ev_int, NULL) < 0 || evsignal_add(ev_term, NULL) < 0 ||
	    evsignal_add(ev_hup, NULL) < 0)
		goto out;
	e = eng_start(g, st, g->nbthread);
	if (e == NULL)
		goto out;
	for (i = 0; i < g->nlisteners; i++) {
		char a[80];

		fprintf(stderr, "weir: frontend '%s' listening on %s\n",
		    g->listeners[i].fe->px.name,
		    val_addr_str(&g->listeners[i].addr, a, sizeof(a)));
	}
	fprintf(stderr, "weir: ready, %u thread%s\n", g->nbthread,
	    g->nbthread == 1 ? "" : "s");
	event_base_dispatch(base);
	eng_stop(e);
	rc = 0;
out:
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_hup != NULL)
		event_free(ev_hup);
	event_base_free(base);
	state_free(st);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *file = SYSCONFDIR "/weir/lb.conf";
	struct diag d;
	struct graph *g;
	int ch, check = 0, quiet = 0, rc = 0;

	while ((ch = getopt(argc, argv, "cf:hqv")) != -1) {
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
	g = graph_load_file(file, &d);
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
		g->generation = 1;
		rc = serve(g);
	}
	graph_unref(g);
	return rc;
}
