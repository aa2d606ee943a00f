/*
 * The runtime graph: names resolved to pointers, defaults applied, and the
 * balance tables of src/lb.c; conditions matched with graph_cond_match().
 */
#include "config.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "graph.h"
#include "lb.h"
#include "unit.h"
#include "val.h"

#define DEFAULTS							\
	"defaults\n"							\
	"  timeout connect 5s\n"					\
	"  timeout client 30s\n"					\
	"  timeout server 30s\n"

/* A graph of text, which must have no error (warnings are fine). */
static struct graph *
build(const char *text)
{
	const char *d;
	struct graph *g = unit_graph(text, &d);

	if (strstr(d, "error") != NULL)
		EXPECT_STR(d, "(no error)");
	return g;
}

#define BUILD(g, text)							\
	do {								\
		(g) = build(text);					\
		CU_ASSERT_PTR_NOT_NULL_FATAL(g);			\
	} while (0)

#define FIND_BE(be, g, name)						\
	do {								\
		(be) = graph_find_backend((g), (name));			\
		CU_ASSERT_PTR_NOT_NULL_FATAL(be);			\
	} while (0)

#define FIND_FE(fe, g, name)						\
	do {								\
		(fe) = graph_find_frontend((g), (name));		\
		CU_ASSERT_PTR_NOT_NULL_FATAL(fe);			\
	} while (0)

/* The round-robin order of be as server names: "a a b a". */
static const char *
rr_order(const struct g_backend *be, bool backup)
{
	static char buf[1024];
	const unsigned *rr = backup ? be->lb.rr_backup : be->lb.rr;
	unsigned n = backup ? be->lb.nrr_backup : be->lb.nrr, i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i ? " " : "", be->servers[rr[i]].name);
	return buf;
}

/* The order of backend "b" of a graph of its server lines. */
static const char *
rr_of(const char *servers, bool backup)
{
	static char buf[1024];
	char text[2048];
	struct graph *g;
	const struct g_backend *be;

	snprintf(text, sizeof(text), DEFAULTS "backend b\n%s", servers);
	g = build(text);
	if (g == NULL)
		return "(no graph)";
	be = graph_find_backend(g, "b");
	snprintf(buf, sizeof(buf), "%s", be ? rr_order(be, backup) :
	    "(no backend)");
	graph_unref(g);
	return buf;
}

/* ---- shape ------------------------------------------------------------- */

static void
test_counts(void)
{
	struct graph *g;

	BUILD(g, DEFAULTS
	    "frontend web\n"
	    "  bind :80,:81\n"
	    "  bind :82\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  server s1 127.0.0.1:1\n"
	    "  server s2 127.0.0.1:2\n"
	    "listen l\n"
	    "  bind :83\n"
	    "  server s 127.0.0.1:3\n");
	EXPECT_INT(g->nfrontends, 2);
	EXPECT_INT(g->nbackends, 2);
	EXPECT_INT(g->nservers, 3);
	EXPECT_INT(g->nlisteners, 4);
	EXPECT_STR(g->file, "t.conf");
	EXPECT_INT(g->frontends[1].idx, 1);
	EXPECT_INT(g->backends[1].idx, 1);
	graph_unref(g);
}

static void
test_listen(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_backend *be;

	BUILD(g, DEFAULTS
	    "listen l\n"
	    "  bind :80\n"
	    "  server s 127.0.0.1:1\n");
	FIND_FE(fe, g, "l");
	FIND_BE(be, g, "l");
	/* a listen section is its own default backend */
	EXPECT_TRUE(fe->default_be == be);
	EXPECT_INT(fe->nlisteners, 1);
	EXPECT_INT(be->nservers, 1);
	graph_unref(g);
}

static void
test_switches(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_backend *api, *app;

	BUILD(g, DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  use_backend api if { path_beg /api }\n"
	    "  use_backend app\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode http\n"
	    "  server s 127.0.0.1:1\n"
	    "backend api\n"
	    "  mode http\n"
	    "  server s 127.0.0.1:2\n");
	FIND_FE(fe, g, "web");
	FIND_BE(api, g, "api");
	FIND_BE(app, g, "app");
	EXPECT_INT(fe->nswitches, 2);
	EXPECT_TRUE(fe->switches[0].be == api);
	CU_ASSERT_PTR_NOT_NULL(fe->switches[0].cond);
	EXPECT_TRUE(fe->switches[1].be == app);
	CU_ASSERT_PTR_NULL(fe->switches[1].cond);
	EXPECT_TRUE(fe->default_be == app);
	graph_unref(g);
}

static void
test_no_default_backend(void)
{
	struct graph *g;
	const struct g_frontend *fe;

	BUILD(g, DEFAULTS "frontend web\n  bind :80\n");
	FIND_FE(fe, g, "web");
	CU_ASSERT_PTR_NULL(fe->default_be);
	CU_ASSERT_PTR_NULL(graph_find_frontend(g, "nope"));
	CU_ASSERT_PTR_NULL(graph_find_backend(g, "web"));
	graph_unref(g);
}

static void
test_fe_be_same_name(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_backend *be;

	BUILD(g, DEFAULTS
	    "frontend app\n  bind :80\n  default_backend app\n"
	    "backend app\n  server s 127.0.0.1:1\n");
	FIND_FE(fe, g, "app");
	FIND_BE(be, g, "app");
	EXPECT_TRUE(fe->default_be == be);
	graph_unref(g);
}

static void
test_listeners(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	char buf[64];

	BUILD(g, DEFAULTS
	    "frontend web\n"
	    "  bind 127.0.0.1:8080,[::1]:8081 name local\n"
	    "  bind :80\n");
	FIND_FE(fe, g, "web");
	EXPECT_INT(fe->nlisteners, 3);
	EXPECT_STR(fe->listeners[0]->text, "127.0.0.1:8080");
	EXPECT_STR(fe->listeners[0]->name, "local");
	EXPECT_STR(val_addr_str(&fe->listeners[1]->addr, buf, sizeof(buf)),
	    "[::1]:8081");
	EXPECT_STR(fe->listeners[1]->name, "local");
	CU_ASSERT_PTR_NULL(fe->listeners[2]->name);
	EXPECT_TRUE(fe->listeners[2]->fe == fe);
	EXPECT_TRUE(fe->listeners[0] == &g->listeners[0]);
	graph_unref(g);
}

static void
test_servers(void)
{
	struct graph *g;
	const struct g_backend *be;
	const struct g_server *s;
	char buf[64];

	BUILD(g, DEFAULTS
	    "backend app\n"
	    "  server s1 127.0.0.1:8080 weight 3 maxconn 10 check inter 1s "
	    "fall 2 rise 4\n"
	    "  server s2 [::1]:8081 backup\n");
	FIND_BE(be, g, "app");
	EXPECT_INT(be->nservers, 2);
	s = &be->servers[0];
	EXPECT_STR(s->name, "s1");
	EXPECT_STR(s->addr_text, "127.0.0.1:8080");
	EXPECT_STR(val_addr_str(&s->addr, buf, sizeof(buf)),
	    "127.0.0.1:8080");
	EXPECT_INT(s->weight, 3);
	EXPECT_INT(s->maxconn, 10);
	EXPECT_INT(s->flags, SRV_CHECK);
	EXPECT_INT(s->inter_ms, 1000);
	EXPECT_INT(s->fall, 2);
	EXPECT_INT(s->rise, 4);
	EXPECT_TRUE(s->be == be);
	EXPECT_INT(s->idx, 0);
	s = &be->servers[1];
	EXPECT_INT(s->idx, 1);
	EXPECT_INT(s->flags, SRV_BACKUP);
	graph_unref(g);
}

static void
test_default_timeouts(void)
{
	struct graph *g;
	const struct g_backend *be;
	const struct g_frontend *fe;

	BUILD(g, "frontend web\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  server s 127.0.0.1:1\n");
	FIND_BE(be, g, "app");
	EXPECT_INT(be->px.timeout_ms[TO_CONNECT], 5000);
	EXPECT_INT(be->px.timeout_ms[TO_SERVER], 30000);
	EXPECT_INT(be->px.timeout_ms[TO_QUEUE], 5000);
	EXPECT_INT(be->px.timeout_ms[TO_CHECK], 5000);
	EXPECT_INT(be->px.timeout_ms[TO_TUNNEL], 30000);
	EXPECT_INT(be->px.timeout_ms[TO_SERVER_FIN], 30000);
	FIND_FE(fe, g, "web");
	EXPECT_INT(fe->px.timeout_ms[TO_CLIENT], 30000);
	EXPECT_INT(fe->px.timeout_ms[TO_HTTP_REQUEST], 30000);
	EXPECT_INT(fe->px.timeout_ms[TO_HTTP_KEEP_ALIVE], 30000);
	EXPECT_INT(fe->px.timeout_ms[TO_CLIENT_FIN], 30000);
	graph_unref(g);
}

static void
test_derived_timeouts(void)
{
	struct graph *g;
	const struct g_backend *be;
	const struct g_frontend *fe;

	BUILD(g, "defaults\n"
	    "  timeout connect 2s\n"
	    "  timeout client 7s\n"
	    "  timeout server 1m\n"
	    "frontend web\n"
	    "  bind :80\n"
	    "  timeout http-request 3s\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  timeout check 9s\n"
	    "  server s 127.0.0.1:1\n");
	FIND_FE(fe, g, "web");
	EXPECT_INT(fe->px.timeout_ms[TO_CLIENT], 7000);
	EXPECT_INT(fe->px.timeout_ms[TO_HTTP_REQUEST], 3000);
	/* keep-alive follows http-request, fins follow their side */
	EXPECT_INT(fe->px.timeout_ms[TO_HTTP_KEEP_ALIVE], 3000);
	EXPECT_INT(fe->px.timeout_ms[TO_CLIENT_FIN], 7000);
	FIND_BE(be, g, "app");
	EXPECT_INT(be->px.timeout_ms[TO_CONNECT], 2000);
	EXPECT_INT(be->px.timeout_ms[TO_QUEUE], 2000);
	EXPECT_INT(be->px.timeout_ms[TO_CHECK], 9000);
	/* tunnel: the longer of client and server */
	EXPECT_INT(be->px.timeout_ms[TO_TUNNEL], 60000);
	EXPECT_INT(be->px.timeout_ms[TO_SERVER_FIN], 60000);
	graph_unref(g);
}

static void
test_global_defaults(void)
{
	struct graph *g;

	BUILD(g, "global\n");
	EXPECT_TRUE(g->nbthread >= 1 && g->nbthread <= 64);
	EXPECT_INT(g->maxconn, GRAPH_DEFAULT_MAXCONN);
	EXPECT_INT(g->bufsize, GRAPH_DEFAULT_BUFSIZE);
	EXPECT_INT(g->maxhdr, GRAPH_DEFAULT_MAXHDR);
	EXPECT_INT(g->stats_timeout_ms, 10000);
	EXPECT_INT(g->hard_stop_after_ms, 0);
	CU_ASSERT_PTR_NULL(g->pidfile);
	EXPECT_INT(g->nlogs, 0);
	EXPECT_INT(g->nsockets, 0);
	graph_unref(g);
}

static void
test_global_values(void)
{
	struct graph *g;

	BUILD(g, "global\n"
	    "  nbthread 3\n"
	    "  maxconn 500\n"
	    "  tune.bufsize 64k\n"
	    "  tune.http.maxhdr 50\n"
	    "  hard-stop-after 1m\n"
	    "  stats timeout 5s\n"
	    "  pidfile /run/w.pid\n"
	    "  log stdout\n"
	    "  log 127.0.0.1 local3 warning\n"
	    "  stats socket /run/w.sock mode 640 level user\n");
	EXPECT_INT(g->nbthread, 3);
	EXPECT_INT(g->maxconn, 500);
	EXPECT_INT(g->bufsize, 65536);
	EXPECT_INT(g->maxhdr, 50);
	EXPECT_INT(g->hard_stop_after_ms, 60000);
	EXPECT_INT(g->stats_timeout_ms, 5000);
	EXPECT_STR(g->pidfile, "/run/w.pid");
	EXPECT_INT(g->nlogs, 2);
	EXPECT_INT(g->logs[0].kind, LOG_STDOUT);
	EXPECT_INT(g->logs[1].kind, LOG_UDP);
	EXPECT_INT(g->logs[1].facility, 19);
	EXPECT_INT(g->logs[1].level, 4);
	EXPECT_INT(g->nsockets, 1);
	EXPECT_STR(g->sockets[0].path, "/run/w.sock");
	EXPECT_INT(g->sockets[0].mode, 0640);
	EXPECT_INT(g->sockets[0].level, STATS_LEVEL_USER);
	graph_unref(g);
}

static void
test_proxy_settings(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_backend *be;

	BUILD(g, DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  maxconn 77\n"
	    "  monitor-uri /alive\n"
	    "  option forwardfor except 10.0.0.0/8\n"
	    "  option httplog\n"
	    "  default_backend app\n"
	    "frontend raw\n"
	    "  mode http\n"
	    "  bind :81\n"
	    "  option forwardfor header X-Client\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode http\n"
	    "  balance hdr(host)\n"
	    "  retries 5\n"
	    "  option httpchk GET /ping\n"
	    "  server s 127.0.0.1:1\n");
	FIND_FE(fe, g, "web");
	EXPECT_INT(fe->px.mode, PX_MODE_HTTP);
	EXPECT_INT(fe->maxconn, 77);
	EXPECT_STR(fe->monitor_uri, "/alive");
	EXPECT_INT(fe->px.fwdfor_except_bits, 8);
	EXPECT_STR(fe->px.fwdfor_header, "X-Forwarded-For");
	EXPECT_TRUE(fe->px.opts & (1u << OPT_HTTPLOG));
	FIND_FE(fe, g, "raw");
	EXPECT_STR(fe->px.fwdfor_header, "X-Client");
	FIND_BE(be, g, "app");
	EXPECT_INT(be->algo, LB_HDR);
	EXPECT_STR(be->lb_arg, "host");
	EXPECT_INT(be->lb_arg_len, 4);
	EXPECT_INT(be->retries, 5);
	EXPECT_STR(be->httpchk_method, "GET");
	EXPECT_STR(be->httpchk_uri, "/ping");
	EXPECT_STR(be->httpchk_version, "HTTP/1.0");
	EXPECT_INT(be->random_draws, 2);
	graph_unref(g);
}

static void
test_http_rules(void)
{
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_http_rule *r;

	BUILD(g, DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  http-request set-header X-A \"v 100%%\" if { path /a }\n"
	    "  http-request return status 503 content-type text/plain "
	    "string down\n"
	    "  http-response del-header Server\n");
	FIND_FE(fe, g, "web");
	EXPECT_INT(fe->px.nhttp_req, 2);
	r = &fe->px.http_req[0];
	EXPECT_INT(r->act, HTTP_ACT_SET_HEADER);
	EXPECT_STR(r->name, "X-A");
	EXPECT_INT(r->name_len, 3);
	EXPECT_STR(r->value, "v 100%");
	EXPECT_INT(r->value_len, 6);
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	r = &fe->px.http_req[1];
	EXPECT_INT(r->act, HTTP_ACT_RETURN);
	EXPECT_INT(r->status, 503);
	EXPECT_STR(r->ctype, "text/plain");
	EXPECT_STR(r->body, "down");
	EXPECT_INT(r->body_len, 4);
	CU_ASSERT_PTR_NULL(r->cond);
	EXPECT_INT(fe->px.nhttp_rsp, 1);
	EXPECT_STR(fe->px.http_rsp[0].name, "Server");
	graph_unref(g);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void
test_load_file(void)
{
	char dir[] = "/tmp/weir-graph-XXXXXX", path[512];
	struct diag d;
	struct graph *g;
	const struct g_frontend *fe;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "main.conf", DEFAULTS "include be.conf\n"
	    "frontend web\n  mode http\n  bind :80\n"
	    "  errorfile 503 503.http\n  default_backend app\n");
	put_file(dir, "be.conf", "backend app\n  mode http\n"
	    "  server s 127.0.0.1:1\n");
	put_file(dir, "503.http", "HTTP/1.0 503 Busy\r\n\r\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	diag_init(&d);
	g = graph_load_file(path, &d);
	EXPECT_INT(d.nerr, 0);
	EXPECT_INT(d.nwarn, 0);
	diag_reset(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	EXPECT_STR(g->file, path);
	FIND_FE(fe, g, "web");
	CU_ASSERT_PTR_NOT_NULL(fe->default_be);
	EXPECT_INT(fe->px.nerrorfiles, 1);
	EXPECT_INT(fe->px.errorfiles[0].status, 503);
	EXPECT_STR(fe->px.errorfiles[0].data, "HTTP/1.0 503 Busy\r\n\r\n");
	graph_unref(g);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
test_refcount(void)
{
	const char *want;
	struct graph *g;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	BUILD(g, DEFAULTS "frontend web\n  bind :80\n  default_backend app\n"
	    "backend app\n  server s 127.0.0.1:1\n");
	graph_ref(g);
	EXPECT_INT(atomic_load(&g->refs), 2);
	graph_unref(g);
	EXPECT_INT(atomic_load(&g->refs), 1);
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	graph_summary(g, f);
	fclose(f);
	graph_unref(g);
	graph_unref(NULL);
	want = "1 frontend, 1 backend, 1 server, 1 listener, ";
	EXPECT_TRUE(strncmp(buf, want, strlen(want)) == 0);
	free(buf);
}

static void
test_summary(void)
{
	struct graph g;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	memset(&g, 0, sizeof(g));
	g.nfrontends = 2;
	g.nbackends = 3;
	g.nservers = 7;
	g.nlisteners = 1;
	g.nbthread = 4;
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	graph_summary(&g, f);
	fclose(f);
	EXPECT_STR(buf, "2 frontends, 3 backends, 7 servers, 1 listener, "
	    "4 threads\n");
	free(buf);
}

/* ---- round-robin ------------------------------------------------------- */

static void
test_rr_weights(void)
{
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2\n", false), "a a b a");
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 5\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3\n", false), "a a b a c a a");
}

static void
test_rr_equal(void)
{
	EXPECT_STR(rr_of("  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3\n", false), "a b c");
	/* weights are divided by their gcd: the order stays short */
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 40\n"
	    "  server b 127.0.0.1:2 weight 40\n", false), "a b");
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 6\n"
	    "  server b 127.0.0.1:2 weight 2\n", false), "a a b a");
}

static void
test_rr_weight_zero(void)
{
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 0\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3 weight 0\n", false), "b");
	EXPECT_STR(rr_of("  server a 127.0.0.1:1 weight 0\n", false), "");
}

static void
test_rr_backup(void)
{
	struct graph *g;
	const struct g_backend *be;

	BUILD(g, DEFAULTS "backend b\n"
	    "  server a 127.0.0.1:1\n"
	    "  server k 127.0.0.1:2 backup weight 2\n"
	    "  server b 127.0.0.1:3\n"
	    "  server k2 127.0.0.1:4 backup\n"
	    "  server z 127.0.0.1:5 backup weight 0\n");
	FIND_BE(be, g, "b");
	EXPECT_STR(rr_order(be, false), "a b");
	EXPECT_STR(rr_order(be, true), "k k2 k");
	EXPECT_INT(be->lb.nactive, 2);
	EXPECT_INT(be->lb.nbackup, 2);
	graph_unref(g);
}

static void
test_rr_every_weight_counted(void)
{
	char servers[1024];
	const char *order;
	unsigned na = 0, nb = 0, nc = 0;
	const char *p;

	snprintf(servers, sizeof(servers), "  server a 127.0.0.1:1 weight 7\n"
	    "  server b 127.0.0.1:2 weight 3\n"
	    "  server c 127.0.0.1:3 weight 2\n");
	order = rr_of(servers, false);
	for (p = order; *p != '\0'; p++) {
		na += *p == 'a';
		nb += *p == 'b';
		nc += *p == 'c';
	}
	/* each server appears as often as its weight */
	EXPECT_INT(na, 7);
	EXPECT_INT(nb, 3);
	EXPECT_INT(nc, 2);
	/* smooth: the heaviest never runs more than three in a row */
	EXPECT_TRUE(strstr(order, "a a a a") == NULL);
}

static void
test_rr_static_and_others(void)
{
	struct graph *g;
	const struct g_backend *be;

	BUILD(g, DEFAULTS
	    "backend s\n  balance static-rr\n"
	    "  server a 127.0.0.1:1 weight 3\n  server b 127.0.0.1:2\n"
	    "backend l\n  balance leastconn\n"
	    "  server a 127.0.0.1:1\n  server k 127.0.0.1:2 backup\n"
	    "backend r\n  balance random(3)\n  server a 127.0.0.1:1\n");
	FIND_BE(be, g, "s");
	EXPECT_STR(rr_order(be, false), "a a b a");
	FIND_BE(be, g, "l");
	EXPECT_INT(be->algo, LB_LEASTCONN);
	EXPECT_INT(be->lb.nrr, 0);
	EXPECT_STR(rr_order(be, true), "k");
	EXPECT_INT(be->lb.nactive, 1);
	FIND_BE(be, g, "r");
	EXPECT_INT(be->algo, LB_RANDOM);
	EXPECT_INT(be->random_draws, 3);
	graph_unref(g);
}

static void
test_rr_too_long(void)
{
	size_t cap = 256 * 64, off = 0;
	char *text = malloc(cap);
	struct graph *g;
	const struct g_backend *be;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off += (size_t)snprintf(text, cap, DEFAULTS "backend b\n");
	/* 200 servers of weights 255 and 256: too long to precompute */
	for (i = 0; i < 200; i++)
		off += (size_t)snprintf(text + off, cap - off,
		    "  server s%u 127.0.0.1:%u weight %u\n", i, 1000 + i,
		    255 + i % 2);
	BUILD(g, text);
	free(text);
	FIND_BE(be, g, "b");
	EXPECT_INT(be->nservers, 200);
	EXPECT_INT(be->lb.nrr, 0);
	CU_ASSERT_PTR_NULL(be->lb.rr);
	EXPECT_INT(be->lb.nactive, 200);
	graph_unref(g);
}

/* ---- hashing ----------------------------------------------------------- */

static void
test_hash_stable(void)
{
	/* FNV-1a and murmur3's finaliser: the same on every host */
	EXPECT_INT(lb_hash("", 0), 2872998923u);
	EXPECT_INT(lb_hash("a", 1), 444641715u);
	EXPECT_INT(lb_hash("abc", 3), lb_hash("abcd", 3));
	EXPECT_TRUE(lb_hash("key-1", 5) != lb_hash("key-2", 5));
}

static struct graph *
ring_graph(unsigned nservers, const char *extra)
{
	char text[2048];
	size_t off = 0;
	unsigned i;

	off += (size_t)snprintf(text, sizeof(text), DEFAULTS "backend b\n"
	    "  balance source\n  hash-type consistent\n%s", extra);
	for (i = 1; i <= nservers; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "  server s%u 127.0.0.1:%u\n", i, i);
	return build(text);
}

static void
test_ring_shape(void)
{
	struct graph *g;
	const struct g_backend *be;
	unsigned i;

	g = ring_graph(4, "  server heavy 127.0.0.1:99 weight 3\n"
	    "  server off 127.0.0.1:98 weight 0\n"
	    "  server bk 127.0.0.1:97 backup\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	FIND_BE(be, g, "b");
	/* weight x 16 points each; none for weight 0 or backups */
	EXPECT_INT(be->lb.nring, (4 + 3) * LB_RING_POINTS);
	for (i = 1; i < be->lb.nring; i++)
		if (be->lb.ring[i - 1].hash > be->lb.ring[i].hash)
			EXPECT_INT(be->lb.ring[i].hash,
			    be->lb.ring[i - 1].hash);
	for (i = 0; i < be->lb.nring; i++)
		if (strcmp(be->servers[be->lb.ring[i].srv].name, "off") == 0 ||
		    strcmp(be->servers[be->lb.ring[i].srv].name, "bk") == 0)
			EXPECT_STR(be->servers[be->lb.ring[i].srv].name,
			    "a server with points");
	CU_ASSERT_PTR_NULL(be->lb.map);
	graph_unref(g);
}

static void
test_ring_lookup_wraps(void)
{
	struct graph *g = ring_graph(3, "");
	const struct g_backend *be;
	const struct g_lb *lb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	FIND_BE(be, g, "b");
	lb = &be->lb;
	CU_ASSERT_FATAL(lb->nring == 3 * LB_RING_POINTS);
	/* a hash owns the first point at or after it, wrapping around */
	EXPECT_INT(lb_ring_lookup(lb, lb->ring[5].hash), lb->ring[5].srv);
	EXPECT_INT(lb_ring_lookup(lb, lb->ring[5].hash + 1), lb->ring[6].srv);
	EXPECT_INT(lb_ring_lookup(lb, 0), lb->ring[0].srv);
	EXPECT_INT(lb_ring_lookup(lb, lb->ring[lb->nring - 1].hash + 1),
	    lb->ring[0].srv);
	graph_unref(g);
}

static void
test_ring_moves_few(void)
{
	struct graph *g4 = ring_graph(4, ""), *g5 = ring_graph(5, "");
	const struct g_backend *b4, *b5;
	unsigned k, moved = 0, elsewhere = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g5);
	FIND_BE(b4, g4, "b");
	FIND_BE(b5, g5, "b");
	for (k = 0; k < 1000; k++) {
		char key[32];
		int n = snprintf(key, sizeof(key), "10.0.%u.%u", k / 256,
		    k % 256);
		uint32_t h = lb_hash(key, (size_t)n);
		unsigned a = lb_ring_lookup(&b4->lb, h);
		unsigned b = lb_ring_lookup(&b5->lb, h);

		if (a != b) {
			moved++;
			/* a key that moves, moves to the new server */
			if (strcmp(b5->servers[b].name, "s5") != 0)
				elsewhere++;
		}
	}
	/* about 1/5 of the keys move */
	EXPECT_TRUE(moved >= 100 && moved <= 350);
	EXPECT_INT(elsewhere, 0);
	graph_unref(g4);
	graph_unref(g5);
}

static void
test_ring_order_free(void)
{
	struct graph *g1, *g2;
	const struct g_backend *b1, *b2;
	unsigned k;

	g1 = build(DEFAULTS "backend b\n  balance uri\n  mode http\n"
	    "  hash-type consistent\n"
	    "  server x 127.0.0.1:1\n  server y 127.0.0.1:2\n");
	g2 = build(DEFAULTS "backend b\n  balance uri\n  mode http\n"
	    "  hash-type consistent\n"
	    "  server y 127.0.0.1:2\n  server x 127.0.0.1:1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	FIND_BE(b1, g1, "b");
	FIND_BE(b2, g2, "b");
	/* the ring hangs on names, not on the order of the lines */
	for (k = 0; k < 200; k++) {
		uint32_t h = lb_hash(&k, sizeof(k));

		EXPECT_STR(b1->servers[lb_ring_lookup(&b1->lb, h)].name,
		    b2->servers[lb_ring_lookup(&b2->lb, h)].name);
	}
	graph_unref(g1);
	graph_unref(g2);
}

static void
test_map(void)
{
	struct graph *g;
	const struct g_backend *be;
	char got[128];
	size_t off = 0;
	unsigned i;

	BUILD(g, DEFAULTS "backend b\n  balance source\n"
	    "  server a 127.0.0.1:1 weight 4\n"
	    "  server z 127.0.0.1:2 weight 0\n"
	    "  server b 127.0.0.1:3 weight 2\n"
	    "  server k 127.0.0.1:4 backup weight 2\n");
	FIND_BE(be, g, "b");
	EXPECT_INT(be->hash_type, HASH_MAP_BASED);
	/* weight / gcd slots each, in server order */
	EXPECT_INT(be->lb.nmap, 3);
	got[0] = '\0';
	for (i = 0; i < be->lb.nmap; i++)
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s ",
		    be->servers[be->lb.map[i]].name);
	EXPECT_STR(got, "a a b ");
	EXPECT_INT(be->lb.nring, 0);
	EXPECT_INT(be->lb.nrr, 0);
	graph_unref(g);
}

static void
test_map_all_zero(void)
{
	struct graph *g;
	const struct g_backend *be;

	BUILD(g, DEFAULTS "backend b\n  balance source\n"
	    "  server a 127.0.0.1:1 weight 0\n");
	FIND_BE(be, g, "b");
	EXPECT_INT(be->lb.nmap, 0);
	EXPECT_INT(be->lb.nactive, 0);
	graph_unref(g);
}

/* ---- conditions -------------------------------------------------------- */

/*
 * The acls are src ones: a src pattern is a copy of its network, while
 * path, method and header patterns still point into the conf the graph
 * was built from (see acl_compile), which graph_load_string() frees.
 */
static struct graph *cond_g;

/* The condition of use_backend rule n of frontend "web". */
static const struct g_cond *
cond_of(const char *rules, unsigned n)
{
	char text[2048];
	const struct g_frontend *fe;

	graph_unref(cond_g);
	snprintf(text, sizeof(text), DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  acl a src 10.0.0.0/8\n"
	    "  acl b src 10.1.0.0/16 192.168.1.0/24\n"
	    "  acl c src 1.1.1.1\n"
	    "  acl c src 2.2.2.2\n"
	    "%s"
	    "backend x\n"
	    "  mode http\n"
	    "  server s 127.0.0.1:1\n", rules);
	cond_g = build(text);
	if (cond_g == NULL)
		return NULL;
	fe = graph_find_frontend(cond_g, "web");
	if (fe == NULL || n >= fe->nswitches)
		return NULL;
	return fe->switches[n].cond;
}

/*
 * Whether a request from src meets the condition. In 10.1.0.5 both a and
 * b hold, in 10.2.0.5 only a, in 192.168.1.5 only b, in 8.8.8.8 neither.
 */
static int
m(const struct g_cond *c, const char *src)
{
	struct acl_sample s;
	struct sockaddr_in sin;

	memset(&s, 0, sizeof(s));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sin.sin_addr) != 1)
		return -1;
	s.src = (const struct sockaddr *)&sin;
	return graph_cond_match(c, &s);
}

static void
test_cond_none(void)
{
	struct acl_sample s;

	memset(&s, 0, sizeof(s));
	EXPECT_TRUE(graph_cond_match(NULL, &s));
	CU_ASSERT_PTR_NULL(cond_of("  use_backend x\n", 0));
	EXPECT_INT(cond_g != NULL, 1);
}

static void
test_cond_if_and(void)
{
	const struct g_cond *c = cond_of("  use_backend x if a b\n", 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(c->nalts, 1);
	EXPECT_INT(c->alts[0].nterms, 2);
	EXPECT_INT(m(c, "10.1.0.5"), 1);
	EXPECT_INT(m(c, "10.2.0.5"), 0);
	EXPECT_INT(m(c, "192.168.1.5"), 0);
}

static void
test_cond_or(void)
{
	const struct g_cond *c = cond_of("  use_backend x if a || b\n", 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(c->nalts, 2);
	EXPECT_INT(m(c, "10.2.0.5"), 1);
	EXPECT_INT(m(c, "192.168.1.5"), 1);
	EXPECT_INT(m(c, "8.8.8.8"), 0);
}

static void
test_cond_not(void)
{
	const struct g_cond *c = cond_of("  use_backend x if !a b\n", 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "192.168.1.5"), 1);
	EXPECT_INT(m(c, "10.1.0.5"), 0);
	EXPECT_INT(m(c, "8.8.8.8"), 0);
}

static void
test_cond_unless(void)
{
	const struct g_cond *c = cond_of("  use_backend x unless a || b\n",
	    0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_TRUE(c->unless);
	EXPECT_INT(m(c, "8.8.8.8"), 1);
	EXPECT_INT(m(c, "10.2.0.5"), 0);
	EXPECT_INT(m(c, "192.168.1.5"), 0);
	c = cond_of("  use_backend x unless !a\n", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "10.2.0.5"), 1);
	EXPECT_INT(m(c, "8.8.8.8"), 0);
}

static void
test_cond_precedence(void)
{
	/* AND binds tighter than OR: (a and b) or c */
	const struct g_cond *c = cond_of("  use_backend x if a b || c\n", 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "1.1.1.1"), 1);
	EXPECT_INT(m(c, "10.1.0.5"), 1);
	EXPECT_INT(m(c, "10.2.0.5"), 0);
	EXPECT_INT(m(c, "192.168.1.5"), 0);
}

static void
test_cond_acl_lines_ored(void)
{
	const struct g_cond *c = cond_of("  use_backend x if c\n", 0);
	const struct g_frontend *fe;
	unsigned i, found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "1.1.1.1"), 1);
	EXPECT_INT(m(c, "2.2.2.2"), 1);
	EXPECT_INT(m(c, "3.3.3.3"), 0);
	fe = graph_find_frontend(cond_g, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	/* a, b and c: c holds two lines */
	EXPECT_INT(fe->px.nacls, 3);
	for (i = 0; i < fe->px.nacls; i++) {
		if (strcmp(fe->px.acls[i].name, "c") == 0) {
			EXPECT_INT(fe->px.acls[i].nexprs, 2);
			found++;
		}
	}
	EXPECT_INT(found, 1);
}

static void
test_cond_anonymous(void)
{
	static const char rules[] =
	    "  use_backend x if { src 172.16.0.0/12 192.168.0.0/16 } !b\n"
	    "  use_backend x if ! { src 1.1.1.1 }\n";
	const struct g_cond *c = cond_of(rules, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "172.16.0.1"), 1);
	EXPECT_INT(m(c, "192.168.1.5"), 0);
	EXPECT_INT(m(c, "8.8.8.8"), 0);
	c = cond_of(rules, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_INT(m(c, "1.1.1.1"), 0);
	EXPECT_INT(m(c, "8.8.8.8"), 1);
}

static void
test_cond_http_rule(void)
{
	const struct g_frontend *fe;

	cond_of("  http-request deny if a !b\n", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cond_g);
	fe = graph_find_frontend(cond_g, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	EXPECT_INT(fe->px.nhttp_req, 1);
	EXPECT_INT(m(fe->px.http_req[0].cond, "10.2.0.5"), 1);
	EXPECT_INT(m(fe->px.http_req[0].cond, "10.1.0.5"), 0);
	graph_unref(cond_g);
	cond_g = NULL;
}

CU_TestInfo graph_tests[] = {
	{ "the graph counts frontends, backends, servers and listeners",
	    test_counts },
	{ "listen becomes a frontend whose default backend is itself",
	    test_listen },
	{ "use_backend and default_backend resolve to backends",
	    test_switches },
	{ "a frontend without default_backend has none",
	    test_no_default_backend },
	{ "a frontend and a backend of one name are both found",
	    test_fe_be_same_name },
	{ "listeners point at their frontend and keep their name",
	    test_listeners },
	{ "servers keep their settings and their backend", test_servers },
	{ "missing timeouts get weir's defaults", test_default_timeouts },
	{ "timeouts not set follow the ones they derive from",
	    test_derived_timeouts },
	{ "global settings have defaults", test_global_defaults },
	{ "global settings, logs and sockets are copied",
	    test_global_values },
	{ "proxy settings are copied to frontends and backends",
	    test_proxy_settings },
	{ "http rules are copied with their conditions", test_http_rules },
	{ "a file with includes and errorfiles loads as a graph",
	    test_load_file },
	{ "references count and the last one frees", test_refcount },
	{ "the summary counts with plurals", test_summary },
	{ "smooth round-robin: weights 3:1 give a a b a", test_rr_weights },
	{ "round-robin divides weights by their gcd", test_rr_equal },
	{ "a server of weight 0 is never in the order", test_rr_weight_zero },
	{ "backup servers are in the backup order only", test_rr_backup },
	{ "each server appears as often as its weight",
	    test_rr_every_weight_counted },
	{ "static-rr has an order, leastconn and random do not",
	    test_rr_static_and_others },
	{ "an order too long to precompute is left out", test_rr_too_long },
	{ "the hash is stable", test_hash_stable },
	{ "the ring holds 16 sorted points per weight of active servers",
	    test_ring_shape },
	{ "a ring lookup takes the next point and wraps",
	    test_ring_lookup_wraps },
	{ "adding a fifth server moves about a fifth of the keys, to it",
	    test_ring_moves_few },
	{ "the ring does not depend on the order of servers",
	    test_ring_order_free },
	{ "map-based hashing fills weight slots per server", test_map },
	{ "a map of no usable server is empty", test_map_all_zero },
	{ "no condition is true", test_cond_none },
	{ "'if a b' needs both", test_cond_if_and },
	{ "'if a || b' needs either", test_cond_or },
	{ "'!' negates one term", test_cond_not },
	{ "'unless' negates the whole condition", test_cond_unless },
	{ "and binds tighter than or", test_cond_precedence },
	{ "acl lines of one name are ORed", test_cond_acl_lines_ored },
	{ "anonymous acls match, negated or not", test_cond_anonymous },
	{ "http-request conditions are compiled too", test_cond_http_rule },
	CU_TEST_INFO_NULL,
};
