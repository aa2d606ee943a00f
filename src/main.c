/*
 * weir: a reverse proxy and load balancer. The command line.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph.h"
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

int
main(int argc, char **argv)
{
	const char *file = SYSCONFDIR "/weir/lb.conf";
	struct diag d;
	struct graph *g;
	int ch, check = 0, quiet = 0, rc;

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
	rc = 0;
	if (check) {
		if (!quiet)
			printf("%s: configuration is valid\n", file);
	} else if (!quiet) {
		printf("%s: ", file);
		graph_summary(g, stdout);
	}
	graph_unref(g);
	return rc;
}
