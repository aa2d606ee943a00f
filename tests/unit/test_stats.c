/*
 * Counters, the state store's admin settings across graphs, what the
 * stats module writes (CSV, Prometheus) and the admin socket's commands,
 * run without a socket.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ctr.h"
#include "graph.h"
#include "lb.h"
#include "state.h"
#include "stats.h"
#include "unit.h"

#define CONF(servers)							\
	"defaults\n"							\
	"  mode http\n"							\
	"  timeout connect 5s\n"					\
	"  timeout client 30s\n"					\
	"  timeout server 30s\n"					\
	"frontend web\n"						\
	"  bind 127.0.0.1:8080\n"					\
	"  default_backend app\n"					\
	"backend app\n" servers

static struct graph *
load(const char *text, struct state_store *st)
{
	const char *d;
	struct graph *g = unit_graph(text, &d);

	if (g == NULL) {
		EXPECT_STR(d, "(a graph)");
		return NULL;
	}
	if (state_attach(st, g) < 0) {
		CU_FAIL("state_attach");
		graph_unref(g);
		return NULL;
	}
	return g;
}

static struct g_server *
server(struct graph *g, const char *name)
{
	struct g_backend *be = &g->backends[0];
	unsigned i;

	for (i = 0; i < be->nservers; i++)
		if (strcmp(be->servers[i].name, name) == 0)
			return &be->servers[i];
	CU_FAIL("no such server");
	return &be->servers[0];
}

static void
test_ctr_sum(void)
{
	struct ctr_slot c[3];

	memset(c, 0, sizeof(c));
	ctr_add(&c[0], CTR_REQ_TOT, 5);
	ctr_add(&c[2], CTR_REQ_TOT, 7);
	ctr_add(&c[1], CTR_BYTES_IN, 100);
	EXPECT_INT(ctr_sum(c, 3, CTR_REQ_TOT), 12);
	EXPECT_INT(ctr_sum(c, 3, CTR_BYTES_IN), 100);
	/* a gauge counted +1 on one thread and -1 on another sums right */
	ctr_add(&c[0], CTR_CONN_CUR, 1);
	ctr_add(&c[0], CTR_CONN_CUR, 1);
	ctr_add(&c[0], CTR_CONN_CUR, (uint64_t)-1);
	EXPECT_INT(ctr_sum(c, 3, CTR_CONN_CUR), 1);
	EXPECT_INT(sizeof(struct ctr_slot) % 64, 0);
}

static void
test_ctr_rate(void)
{
	struct ctr_slot c[2];

	memset(c, 0, sizeof(c));
	ctr_rate(&c[0], 100);
	ctr_rate(&c[0], 100);
	ctr_rate(&c[1], 100);
	/* during second 100 the last whole second (99) had none */
	EXPECT_INT(ctr_rate_get(c, 2, 100), 0);
	EXPECT_INT(ctr_rate_get(c, 2, 101), 3);
	ctr_rate(&c[0], 101);
	EXPECT_INT(ctr_rate_get(c, 2, 101), 3);
	EXPECT_INT(ctr_rate_get(c, 2, 102), 1);
	/* a second with nothing: the count is gone */
	ctr_rate(&c[0], 105);
	EXPECT_INT(ctr_rate_get(c, 2, 105), 0);
}

static void
test_disabled_starts_in_maint(void)
{
	struct state_store *st = state_new(2);
	struct graph *g1, *g2, *g3;

	g1 = load(CONF("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2 disabled\n"), st);
	if (g1 == NULL)
		goto out;
	EXPECT_INT(atomic_load(&server(g1, "b")->st->admin), SRV_ADM_MAINT);
	EXPECT_TRUE(!lb_usable(server(g1, "b"), NULL));
	EXPECT_TRUE(lb_usable(server(g1, "a"), NULL));
	/* the admin enables it; the same file again keeps that */
	atomic_store(&server(g1, "b")->st->admin, 0);
	g2 = load(CONF("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2 disabled\n"), st);
	if (g2 == NULL)
		goto out1;
	EXPECT_TRUE(lb_usable(server(g2, "b"), NULL));
	/* the admin disables a; a file that newly disables b does so, and
	 * one that no longer marks b lets it in */
	atomic_store(&server(g2, "a")->st->admin, SRV_ADM_MAINT);
	g3 = load(CONF("  server a 127.0.0.1:1 disabled\n"
	    "  server b 127.0.0.1:2\n"), st);
	if (g3 != NULL) {
		EXPECT_INT(atomic_load(&server(g3, "a")->st->admin),
		    SRV_ADM_MAINT);
		EXPECT_INT(atomic_load(&server(g3, "b")->st->admin), 0);
	}
	graph_unref(g3);
	graph_unref(g2);
out1:
	graph_unref(g1);
out:
	state_free(st);
}

static void
test_weight_override(void)
{
	struct state_store *st = state_new(1);
	struct graph *g1, *g2;

	g1 = load(CONF("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n"), st);
	if (g1 == NULL)
		goto out;
	EXPECT_INT(g1->backends[0].lb.nrr, 2);
	state_set_weight(server(g1, "a")->st, 3);
	/* the graph in use does not change; the next one has the weight */
	EXPECT_INT(server(g1, "a")->weight, 1);
	g2 = load(CONF("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n"), st);
	if (g2 != NULL) {
		EXPECT_INT(server(g2, "a")->weight, 3);
		EXPECT_INT(server(g2, "a")->st->iweight, 1);
		EXPECT_INT(g2->backends[0].lb.nrr, 4);
		EXPECT_INT(g2->backends[0].lb.maxw, 3);
	}
	graph_unref(g2);
	graph_unref(g1);
out:
	state_free(st);
}

/* The number of fields of a CSV line: commas, each field ends in one. */
static unsigned
fields(const char *line)
{
	unsigned n = 0;

	for (; *line != '\0' && *line != '\n'; line++)
		n += *line == ',';
	return n;
}

static void
test_csv(void)
{
	struct state_store *st = state_new(2);
	struct sbuf b = { 0 };
	struct graph *g;
	const char *p;

	g = load(CONF("  server a 127.0.0.1:1 weight 4\n"
	    "  server b 127.0.0.1:2 disabled\n"), st);
	if (g == NULL)
		goto out;
	ctr_add(&server(g, "a")->st->node.ctr[0], CTR_HRSP_2XX, 2);
	ctr_add(&server(g, "a")->st->node.ctr[1], CTR_HRSP_2XX, 3);
	stats_csv(&b, g);
	EXPECT_TRUE(strncmp(b.p, "# pxname,svname,qcur,qmax,scur,smax,slim,"
	    "stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,"
	    "weight,act,bck,", 98) == 0);
	EXPECT_INT(fields(b.p), 62);
	p = strstr(b.p, "\napp,a,");
	EXPECT_TRUE(p != NULL);
	if (p != NULL) {
		EXPECT_INT(fields(p + 1), 62);
		/* status and weight, then hrsp_2xx (column 40) */
		EXPECT_TRUE(strstr(p, ",UP,4,1,0,") != NULL);
		EXPECT_TRUE(strstr(p, ",0,5,0,0,0,0,") != NULL);
	}
	EXPECT_TRUE(strstr(b.p, "\napp,b,") != NULL &&
	    strstr(strstr(b.p, "\napp,b,"), ",MAINT,1,") != NULL);
	EXPECT_TRUE(strstr(b.p, "\nweb,FRONTEND,") != NULL);
	EXPECT_TRUE(strstr(b.p, "\napp,BACKEND,") != NULL);
	sbuf_reset(&b);
	graph_unref(g);
out:
	state_free(st);
}

static void
test_prometheus(void)
{
	struct state_store *st = state_new(2);
	struct stats_proc p = { 1, 2, "host" };
	struct sbuf b = { 0 };
	struct graph *g;
	char *line, *save = NULL;
	unsigned helps = 0, types = 0;

	g = load(CONF("  server \"q\\\"x\" 127.0.0.1:1\n"), st);
	if (g == NULL)
		goto out;
	ctr_add(&g->frontends[0].st->node.ctr[1], CTR_REQ_TOT, 9);
	stats_prometheus(&b, g, &p);
	EXPECT_TRUE(strstr(b.p, "\nweir_frontend_http_requests_total"
	    "{proxy=\"web\"} 9\n") != NULL);
	/* a quote in a name is escaped in the label */
	EXPECT_TRUE(strstr(b.p, "server=\"q\\\"x\"") != NULL);
	for (line = strtok_r(b.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			helps++;
		else if (strncmp(line, "# TYPE ", 7) == 0) {
			types++;
			/* counters are named _total */
			if (strstr(line, " counter") != NULL)
				EXPECT_TRUE(strstr(line, "_total counter") !=
				    NULL);
		} else {
			EXPECT_TRUE(strncmp(line, "weir_", 5) == 0);
		}
	}
	EXPECT_TRUE(helps > 40);
	EXPECT_INT(helps, types);
	sbuf_reset(&b);
	graph_unref(g);
out:
	state_free(st);
}

/* An admin without a socket, on one graph; reweigh counts its calls. */
static struct graph *admin_g;
static unsigned nreweigh;

static struct graph *
fake_graph(void *arg)
{
	return admin_g;
}

static int
fake_reload(void *arg, struct sbuf *out)
{
	SBUF_LIT(out, "Success=1\n");
	return 0;
}

static int
fake_reweigh(void *arg, struct sbuf *out)
{
	nreweigh++;
	return 0;
}

static const char *
run_cmd(struct admin *a, enum stats_level lv, const char *line)
{
	static char text[1024];
	struct sbuf out = { 0 };

	admin_exec(a, lv, line, &out);
	snprintf(text, sizeof(text), "%s", out.p ? out.p : "");
	sbuf_reset(&out);
	return text;
}

static unsigned
count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_admin_commands(void)
{
	struct admin_ops ops = { NULL, fake_graph, fake_reload,
		fake_reweigh };
	struct state_store *st = state_new(1);
	struct admin *a = admin_new(NULL, &ops);
	struct g_server *s;

	admin_g = load(CONF("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n"), st);
	if (admin_g == NULL || a == NULL)
		goto out;
	s = server(admin_g, "a");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "disable server app/a"),
	    "Permission denied\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_OPERATOR, "disable server app/a"),
	    "Permission denied\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "show errors"),
	    "Permission denied\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "reload"),
	    "Permission denied\n\n");
	EXPECT_INT(atomic_load(&s->st->admin), 0);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "disable server app/a"),
	    "\n");
	EXPECT_INT(atomic_load(&s->st->admin), SRV_ADM_MAINT);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN,
	    "set server app/a state drain"), "\n");
	EXPECT_INT(atomic_load(&s->st->admin), SRV_ADM_DRAIN);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "enable server app/a; "
	    "set server app/a state ready"), "\n\n");
	EXPECT_INT(atomic_load(&s->st->admin), 0);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "set server app/a state up"),
	    "'set server <srv> state' expects 'ready', 'drain' and "
	    "'maint'.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "disable server app/zz"),
	    "No such server.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "disable server nope/a"),
	    "No such backend.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "disable server a"),
	    "Require 'backend/server'.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "set server app/a weight 300"),
	    "Weight must be 0..256.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "set server app/a weight x"),
	    "Require <weight> or <weight%>.\n\n");
	nreweigh = 0;
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "set server app/a weight 7"),
	    "\n");
	EXPECT_INT(s->st->weight_ovr, 7);
	EXPECT_INT(nreweigh, 1);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "set weight app/a 100%"),
	    "\n");
	EXPECT_INT(s->st->weight_ovr, -1);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_ADMIN, "reload"), "Success=1\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "show foo bar"),
	    "Unknown command: 'show'; 'help' lists the commands.\n\n");
	EXPECT_TRUE(strncmp(run_cmd(a, STATS_LEVEL_USER, "show info"),
	    "Name: weir\n", 11) == 0);
	EXPECT_TRUE(strncmp(run_cmd(a, STATS_LEVEL_USER,
	    "show servers state"), "1\n# be_id be_name srv_id", 24) == 0);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "show servers state x"),
	    "Can't find backend.\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "show backend"),
	    "# name\napp\n\n");
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "get weight app/b"),
	    "1 (initial 1)\n\n");
	/* show stat's filters: proxy id, types (4: servers), server id */
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat -1 4 -1")), 4);	/* header, a, b, empty line */
	EXPECT_TRUE(strstr(run_cmd(a, STATS_LEVEL_USER, "show stat 2 2 -1"),
	    "\napp,BACKEND,") != NULL);
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat 2 2 -1")), 3);
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat 1 1 -1")), 3);	/* web's FRONTEND line */
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat -1 4 2")), 3);	/* server b */
	atomic_store(&s->st->admin, SRV_ADM_MAINT);
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat -1 4 -1 no-maint")), 3);
	EXPECT_INT(count_lines(run_cmd(a, STATS_LEVEL_USER,
	    "show stat up")), 5);	/* web, b, app, header, empty */
	atomic_store(&s->st->admin, 0);
	EXPECT_STR(run_cmd(a, STATS_LEVEL_USER, "show stat json"),
	    "Require 'show stat [<iid> <type> <sid>] [up] [no-maint]'; weir "
	    "writes CSV only.\n\n");
out:
	admin_free(a);
	graph_unref(admin_g);
	admin_g = NULL;
	state_free(st);
}

static void
test_show_errors(void)
{
	struct state_store *st = state_new(2);
	struct state_err e;
	struct sbuf b = { 0 };
	unsigned i;

	memset(&e, 0, sizeof(e));
	snprintf(e.fe, sizeof(e.fe), "web");
	snprintf(e.reason, sizeof(e.reason), "bad");
	e.status = 400;
	for (i = 0; i < 10; i++) {
		e.when_us = 1000000u * (i + 1);
		e.err_pos = i;
		state_err_capture(st, i % 2, &e, "GET /\x01 HTTP/1.1\r\n", 18);
	}
	stats_errors(&b, st);
	EXPECT_TRUE(strstr(b.p, "Total events captured on [") == b.p);
	EXPECT_TRUE(strstr(b.p, "] : 10\n") != NULL);
	/* newest first; a ring of 8 per thread keeps them all here */
	EXPECT_TRUE(strstr(b.p, "error at position 9") <
	    strstr(b.p, "error at position 0"));
	EXPECT_TRUE(strstr(b.p, "  00000  47 45 54 20 2f 01 20 48  54<54 50 "
	    "2f 31 2e 31 0d  |GET /. HTTP/1.1.|\n") != NULL);
	sbuf_reset(&b);
	state_free(st);
}

static void
test_stats_keywords(void)
{
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats uri stats\n")),
	    "t.conf:11:13: error: stats uri must start with '/', got "
	    "'stats'\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats admin\n")),
	    "t.conf:11:3: error: 'stats admin' needs a condition (e.g. 'stats "
	    "admin if { src 127.0.0.1 }')\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats auth admin\n")),
	    "t.conf:11:14: error: stats auth expects user:password, got "
	    "'admin'\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats socket /x\n")),
	    "t.conf:11:9: error: 'stats socket' is allowed in the global "
	    "section only\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats enable if { path /x }\n")),
	    "t.conf:11:16: error: 'stats enable' takes no condition\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats show-node a b\n")),
	    "t.conf:11:21: error: 'stats show-node' takes at most 1 argument, "
	    "got 'b' too\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  stats enable\n  stats uri /s\n  stats refresh 10s\n"
	    "  stats auth a:b\n  stats realm R\n  stats hide-version\n"
	    "  stats show-legends\n  stats show-node\n"
	    "  stats admin if { src 127.0.0.1 }\n")), "");
	EXPECT_STR(unit_check("listen s\n  mode tcp\n  bind :1\n"
	    "  timeout client 1s\n  timeout server 1s\n"
	    "  timeout connect 1s\n  stats enable\n"),
	    "t.conf:7:3: warning: the stats page needs mode http; listen 's' "
	    "is mode tcp and serves none\n");
	EXPECT_STR(unit_check(CONF("  server a 127.0.0.1:1\n"
	    "  http-request use-service lua.x\n")),
	    "t.conf:11:28: error: unknown service 'lua.x' (weir has "
	    "'prometheus-exporter')\n");
}

static void
test_stats_inherited(void)
{
	const char *d;
	struct graph *g = unit_graph("defaults\n  mode http\n"
	    "  timeout connect 1s\n  timeout client 1s\n"
	    "  timeout server 1s\n  stats auth a:b\n"
	    "listen x\n  bind 127.0.0.1:1\n  stats auth c:d\n"
	    "  stats uri /x\n"
	    "listen y\n  bind 127.0.0.1:2\n", &d);
	const struct g_frontend *x, *y;

	EXPECT_STR(d, "");
	if (g == NULL)
		return;
	x = graph_find_frontend(g, "x");
	y = graph_find_frontend(g, "y");
	EXPECT_TRUE(x != NULL && x->px.stats != NULL &&
	    x->px.stats->nauths == 2);
	EXPECT_STR(x && x->px.stats ? x->px.stats->uri : NULL, "/x");
	/* y has the defaults' page: x's additions are not in it */
	EXPECT_TRUE(y != NULL && y->px.stats != NULL &&
	    y->px.stats->nauths == 1);
	EXPECT_STR(y && y->px.stats ? y->px.stats->uri : NULL, "/weir?stats");
	graph_unref(g);
}

CU_TestInfo stats_tests[] = {
	{ "counters of all threads add up, gauges too", test_ctr_sum },
	{ "the rate is the last whole second's count", test_ctr_rate },
	{ "a 'disabled' server starts in maintenance, which reloads keep",
	    test_disabled_starts_in_maint },
	{ "an admin weight rebuilds the balance tables of the next graph",
	    test_weight_override },
	{ "show stat writes HAProxy's CSV columns", test_csv },
	{ "the Prometheus exposition has HELP and TYPE for every family",
	    test_prometheus },
	{ "admin commands change servers at level admin only",
	    test_admin_commands },
	{ "show errors lists captures newest first, hex-dumped",
	    test_show_errors },
	{ "the stats keywords are checked", test_stats_keywords },
	{ "a proxy's stats settings start from the defaults' and stay its own",
	    test_stats_inherited },
	CU_TEST_INFO_NULL,
};
