/*
 * Stick tables: frequency counters, keys, size bound and expiry.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "graph.h"
#include "state.h"
#include "stick.h"
#include "unit.h"

static struct stk_table *
table(enum stk_type type, unsigned size, uint64_t expire)
{
	struct stk_def d;

	memset(&d, 0, sizeof(d));
	d.type = type;
	d.size = size;
	d.expire_ms = expire;
	d.store = STK_HTTP_REQ_RATE | STK_CONN_CUR;
	d.period_ms[STK_D_HTTP_REQ_RATE] = 10000;
	d.period_ms[STK_D_CONN_RATE] = 10000;
	return stk_new("t", &d);
}

/* Within one period the rate is the exact count. */
static void
test_freq_exact(void)
{
	struct stk_freq f;
	unsigned i;

	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL(stk_freq_rate(&f, 10000, 5000), 0);
	for (i = 1; i <= 150; i++) {
		stk_freq_add(&f, 10000, 1, 1000 + i * 10);
		CU_ASSERT_EQUAL(stk_freq_rate(&f, 10000, 1000 + i * 10), i);
	}
}

/* Over a period boundary, the last period weighs what is left of it. */
static void
test_freq_slides(void)
{
	struct stk_freq f;

	memset(&f, 0, sizeof(f));
	stk_freq_add(&f, 10000, 100, 1000);
	/* a quarter into the next period: 3/4 of the 100 still count */
	CU_ASSERT_EQUAL(stk_freq_rate(&f, 10000, 13500), 75);
	stk_freq_add(&f, 10000, 10, 13500);
	CU_ASSERT_EQUAL(stk_freq_rate(&f, 10000, 13500), 85);
	/* two periods later, nothing */
	CU_ASSERT_EQUAL(stk_freq_rate(&f, 10000, 31000), 0);
}

/* Entries are found by key; IPv4 and IPv6 keys as the table's type. */
static void
test_keys(void)
{
	struct stk_table *t = table(STK_IP, 100, 0), *t6;
	struct sockaddr_in a;
	struct sockaddr_in6 b;
	unsigned char k[STK_KEY_MAX];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "10.1.2.3", &a.sin_addr);
	n = stk_key_ip(t, &a, k);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_PTR_NOT_NULL(stk_track(t, k, n, 1u << STK_D_HTTP_REQ_RATE,
	    false, 100));
	stk_track(t, k, n, 1u << STK_D_HTTP_REQ_RATE, false, 200);
	CU_ASSERT_EQUAL(stk_lookup_rate(t, k, n, STK_D_HTTP_REQ_RATE, 300), 2);
	/* an IPv4-mapped IPv6 client is the same key in an ip table */
	memset(&b, 0, sizeof(b));
	b.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &b.sin6_addr);
	CU_ASSERT_EQUAL(stk_key_ip(t, &b, k), 4);
	CU_ASSERT_EQUAL(stk_lookup_rate(t, k, 4, STK_D_HTTP_REQ_RATE, 300), 2);
	inet_pton(AF_INET6, "2001:db8::1", &b.sin6_addr);
	CU_ASSERT_EQUAL(stk_key_ip(t, &b, k), 0);
	t6 = table(STK_IPV6, 100, 0);
	CU_ASSERT_EQUAL(stk_key_ip(t6, &a, k), 16);
	CU_ASSERT_EQUAL(k[10], 0xff);
	CU_ASSERT_EQUAL(memcmp(k + 12, &a.sin_addr, 4), 0);
	CU_ASSERT_EQUAL(stk_key_ip(t6, &b, k), 16);
	stk_free(t6);
	stk_free(t);
}

/* A table holds size entries: the least recently used go first. */
static void
test_size_bound(void)
{
	struct stk_table *t = table(STK_INTEGER, 1000, 0);
	uint64_t k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (k = 0; k < 5000; k++)
		stk_track(t, (unsigned char *)&k, 8,
		    1u << STK_D_HTTP_REQ_RATE, false, 1000 + k);
	/* about size: each shard makes room in what it holds */
	CU_ASSERT(atomic_load(&t->n) <= 1000 + STK_SHARDS);
	CU_ASSERT(atomic_load(&t->evicted) >= 4000 - STK_SHARDS);
	/* the newest are kept, the oldest gone */
	k = 4999;
	CU_ASSERT_EQUAL(stk_lookup_rate(t, (unsigned char *)&k, 8,
	    STK_D_HTTP_REQ_RATE, 7000), 1);
	k = 0;
	CU_ASSERT_EQUAL(stk_lookup_rate(t, (unsigned char *)&k, 8,
	    STK_D_HTTP_REQ_RATE, 7000), 0);
	stk_free(t);
}

/* Expired entries count as gone, and start over; tracked ones stay. */
static void
test_expire(void)
{
	struct stk_table *t = table(STK_STRING, 100, 5000);
	struct stk_entry *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	stk_track(t, (const unsigned char *)"alice", 5,
	    1u << STK_D_HTTP_REQ_RATE, false, 1000);
	CU_ASSERT_EQUAL(stk_lookup_rate(t, (const unsigned char *)"alice", 5,
	    STK_D_HTTP_REQ_RATE, 2000), 1);
	CU_ASSERT_EQUAL(stk_lookup_rate(t, (const unsigned char *)"alice", 5,
	    STK_D_HTTP_REQ_RATE, 7000), 0);
	e = stk_track(t, (const unsigned char *)"alice", 5,
	    1u << STK_D_HTTP_REQ_RATE, true, 7000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(stk_rate(t, e, STK_D_HTTP_REQ_RATE, 7000), 1);
	/* the tracking connection counts in conn_cur */
	CU_ASSERT_EQUAL(stk_conn_cur(t, e), 1);
	/* referenced: making room for others does not take it */
	stk_track(t, (const unsigned char *)"bob", 3, 0, false, 20000);
	CU_ASSERT_EQUAL(stk_conn_cur(t, e), 1);
	stk_release(t, e, 20000);
	CU_ASSERT_EQUAL(stk_conn_cur(t, e), 0);
	stk_free(t);
}

/* A string key longer than the table's len is cut to it. */
static void
test_string_len(void)
{
	struct stk_def d;
	struct stk_table *t;

	memset(&d, 0, sizeof(d));
	d.type = STK_STRING;
	d.len = 4;
	d.size = 10;
	d.period_ms[STK_D_HTTP_REQ_RATE] = 1000;
	t = stk_new("s", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	stk_track(t, (const unsigned char *)"abcdef", 6,
	    1u << STK_D_HTTP_REQ_RATE, false, 10);
	CU_ASSERT_EQUAL(stk_lookup_rate(t, (const unsigned char *)"abcdXY", 6,
	    STK_D_HTTP_REQ_RATE, 20), 1);
	CU_ASSERT(stk_compatible(t, &d));
	d.len = 8;
	CU_ASSERT(!stk_compatible(t, &d));
	d.type = STK_IP;
	CU_ASSERT(!stk_compatible(t, &d));
	stk_free(t);
}

/* The configuration of a table, and its errors. */
static void
test_config(void)
{
	const char *d;
	struct graph *g = unit_graph("defaults\n  timeout connect 1s\n"
	    "  timeout client 1s\n  timeout server 1s\n"
	    "backend rates\n"
	    "  stick-table type ipv6 size 1m expire 30s store "
	    "http_req_rate(10s),conn_cur,gpc0,conn_rate(3s)\n", &d);
	const struct g_table *t;

	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	t = graph_find_table(g, "rates");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->def.type, STK_IPV6);
	CU_ASSERT_EQUAL(t->def.size, 1048576);
	CU_ASSERT_EQUAL(t->def.expire_ms, 30000);
	CU_ASSERT_EQUAL(t->def.store, STK_HTTP_REQ_RATE | STK_CONN_CUR |
	    STK_GPC0 | STK_CONN_RATE);
	CU_ASSERT_EQUAL(t->def.period_ms[STK_D_HTTP_REQ_RATE], 10000);
	CU_ASSERT_EQUAL(t->def.period_ms[STK_D_CONN_RATE], 3000);
	CU_ASSERT_PTR_EQUAL(graph_find_backend(g, "rates")->px.table, t);
	graph_unref(g);

	g = unit_graph("backend b\n  stick-table type ip\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:2:3: error: 'stick-table' "
	    "needs 'size N'\n"));
	g = unit_graph("backend b\n  stick-table type mac size 1\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:2:20: error: stick-table type "
	    "must be ip, ipv6, integer or string, not 'mac'\n"));
	g = unit_graph("backend b\n  stick-table type ip size 1 store "
	    "gpc0(1s)\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:2:36: error: stick-table data "
	    "'gpc0' takes no period\n"));
}

/* A reload keeps a table's entries while its key stays the same. */
static void
test_kept_by_state(void)
{
	const char *d;
	struct state_store *st = state_new(1);
	struct graph *g1 = unit_graph("backend t\n  stick-table type ip "
	    "size 10 store http_req_rate(10s)\n", &d);
	struct graph *g2 = unit_graph("backend t\n  stick-table type ip "
	    "size 20 store http_req_rate(10s)\n", &d);
	struct graph *g3 = unit_graph("backend t\n  stick-table type string "
	    "size 20 store http_req_rate(10s)\n", &d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	CU_ASSERT_EQUAL(state_attach(st, g1), 0);
	CU_ASSERT_EQUAL(state_attach(st, g2), 0);
	CU_ASSERT_PTR_NOT_NULL(g1->tables[0].t);
	CU_ASSERT_PTR_EQUAL(g1->tables[0].t, g2->tables[0].t);
	CU_ASSERT_EQUAL(g2->tables[0].t->def.size, 20);
	CU_ASSERT_EQUAL(state_attach(st, g3), 0);
	CU_ASSERT_PTR_NOT_EQUAL(g3->tables[0].t, g2->tables[0].t);
	graph_unref(g1);
	graph_unref(g2);
	graph_unref(g3);
	state_free(st);
}

/* stick store names a server; stick match reads it until it expires. */
static void
test_server_id(void)
{
	struct stk_table *t = table(STK_IP, 100, 5000);
	const unsigned char a[4] = { 127, 0, 0, 1 }, b[4] = { 127, 0, 0, 2 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(stk_server(t, a, 4, 1000), 0);
	CU_ASSERT_EQUAL(stk_set_server(t, a, 4, 3, 1000), 0);
	CU_ASSERT_EQUAL(stk_server(t, a, 4, 2000), 3);
	CU_ASSERT_EQUAL(stk_server(t, b, 4, 2000), 0);
	/* a store again moves the client: the redispatch after a failure */
	CU_ASSERT_EQUAL(stk_set_server(t, a, 4, 5, 3000), 0);
	CU_ASSERT_EQUAL(stk_server(t, a, 4, 7000), 5);
	/* past expire (5 s since the last store) the entry names no one */
	CU_ASSERT_EQUAL(stk_server(t, a, 4, 8000), 0);
	/* and a store there starts it over */
	CU_ASSERT_EQUAL(stk_set_server(t, a, 4, 2, 9000), 0);
	CU_ASSERT_EQUAL(stk_server(t, a, 4, 9000), 2);
	/* a key the table cannot hold stores nothing */
	CU_ASSERT_EQUAL(stk_set_server(t, a, 0, 2, 9000), -1);
	stk_free(t);
}

/* tcp-request and stick rules find their tables; mistakes are errors. */
static void
test_rules_config(void)
{
	const char *d;
	struct graph *g = unit_graph("defaults\n  timeout connect 1s\n"
	    "  timeout client 1s\n  timeout server 1s\n"
	    "frontend f\n  bind 127.0.0.1:8080\n"
	    "  stick-table type ip size 10 store conn_cur\n"
	    "  tcp-request connection track-sc0 src\n"
	    "  tcp-request connection track-sc1 src table app\n"
	    "  tcp-request connection reject if { sc_conn_cur(0) gt 3 }\n"
	    "  tcp-request content reject if { src 10.0.0.1 }\n"
	    "  default_backend app\n"
	    "backend app\n  stick-table type ipv6 size 10\n"
	    "  stick on src\n  stick match src table f\n"
	    "  server a 127.0.0.1:80\n", &d);
	const struct g_frontend *fe;
	const struct g_backend *be;

	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	fe = graph_find_frontend(g, "f");
	be = graph_find_backend(g, "app");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(fe->ntcp_conn, 3);
	CU_ASSERT_EQUAL(fe->ntcp_content, 1);
	CU_ASSERT_PTR_EQUAL(fe->tcp_conn[0].table, graph_find_table(g, "f"));
	CU_ASSERT_PTR_EQUAL(fe->tcp_conn[1].table, graph_find_table(g, "app"));
	CU_ASSERT_EQUAL(fe->tcp_conn[1].sc, 1);
	CU_ASSERT_EQUAL(fe->tcp_conn[2].act, TCP_ACT_REJECT);
	CU_ASSERT_PTR_NOT_NULL(fe->tcp_conn[2].cond);
	CU_ASSERT_EQUAL(be->nstick, 2);
	CU_ASSERT_EQUAL(be->stick[0].what, STICK_MATCH | STICK_STORE);
	CU_ASSERT_PTR_EQUAL(be->stick[0].table, graph_find_table(g, "app"));
	CU_ASSERT_PTR_EQUAL(be->stick[1].table, graph_find_table(g, "f"));
	graph_unref(g);

	g = unit_graph("backend b\n  stick on src\n"
	    "  server a 127.0.0.1:80\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:2:3: error: 'stick on' "
	    "needs a stick-table: backend 'b' has none (add one, or name "
	    "another with 'table NAME')\n"));
	g = unit_graph("frontend f\n  bind 127.0.0.1:8080\n"
	    "  tcp-request connection track-sc2 src table nope\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:3:3: error: 'tcp-request "
	    "connection track-sc2': no stick-table 'nope' (a section named so "
	    "must have one)\n"));
	g = unit_graph("backend b\n  stick-table type string len 8 size 10\n"
	    "  stick store-request src\n  server a 127.0.0.1:80\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:3:3: error: 'stick "
	    "store-request src' needs a stick-table of type ip or ipv6; 'b' "
	    "is type string\n"));
	g = unit_graph("frontend f\n  bind 127.0.0.1:8080\n"
	    "  stick-table type integer size 10\n"
	    "  http-request track-sc0 src\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:4:3: error: 'http-request "
	    "track-sc0 src' needs a stick-table of type ip or ipv6; 'f' is "
	    "type integer\n"));
	g = unit_graph("backend b\n  stick-table type ip size 10\n"
	    "  stick on hdr(X-User)\n  server a 127.0.0.1:80\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:3:3: error: 'stick on "
	    "hdr(X-User)' needs mode http; backend 'b' is mode tcp\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:3:3: error: 'stick on "
	    "hdr(X-User)' needs a stick-table of type string; 'b' is type "
	    "ip\n"));
	g = unit_graph("backend b\n  mode http\n"
	    "  stick-table type string len 16 size 10\n"
	    "  stick on hdr(X-User)\n  server a 127.0.0.1:80\n", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(graph_find_backend(g, "b")->stick[0].key,
	    STICK_KEY_HDR);
	EXPECT_STR(graph_find_backend(g, "b")->stick[0].key_arg, "X-User");
	CU_ASSERT_EQUAL(graph_find_backend(g, "b")->stick[0].key_arg_len, 6);
	graph_unref(g);
	g = unit_graph("frontend f\n  mode http\n  bind 127.0.0.1:8080\n"
	    "  acl api path_beg /api\n"
	    "  tcp-request connection reject if api\n", &d);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "t.conf:5:36: error: acl criterion "
	    "'path_beg' needs an HTTP request; 'tcp-request connection' runs "
	    "before any is read\n"));
}

/*
 * A stored server is named by its state record id, which a reload keeps
 * while the backend, the server's name and address stay: the entry still
 * finds it in the new graph.
 */
static void
test_server_id_kept(void)
{
	static const char conf1[] = "backend app\n"
	    "  stick-table type ip size 10\n  stick on src\n"
	    "  server a 127.0.0.1:81\n  server b 127.0.0.1:82\n";
	static const char conf2[] = "backend app\n"
	    "  stick-table type ip size 10\n  stick on src\n"
	    "  server c 127.0.0.1:83\n  server b 127.0.0.1:82\n"
	    "  server a 127.0.0.1:81\n";
	const char *d;
	struct state_store *st = state_new(1);
	struct graph *g1 = unit_graph(conf1, &d);
	struct graph *g2 = unit_graph(conf2, &d);
	const struct g_backend *b1, *b2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	CU_ASSERT_EQUAL(state_attach(st, g1), 0);
	CU_ASSERT_EQUAL(state_attach(st, g2), 0);
	b1 = graph_find_backend(g1, "app");
	b2 = graph_find_backend(g2, "app");
	/* reordered, and a new server before them: the ids stay */
	CU_ASSERT_EQUAL(b1->servers[1].st->id, b2->servers[1].st->id);
	CU_ASSERT_EQUAL(b1->servers[0].st->id, b2->servers[2].st->id);
	CU_ASSERT_NOT_EQUAL(b2->servers[0].st->id, b1->servers[0].st->id);
	CU_ASSERT_NOT_EQUAL(b2->servers[0].st->id, b1->servers[1].st->id);
	/* and the table is the same one */
	CU_ASSERT_PTR_EQUAL(b1->stick[0].table->t, b2->stick[0].table->t);
	graph_unref(g1);
	graph_unref(g2);
	state_free(st);
}

CU_TestInfo stick_tests[] = {
	{ "stick-table settings and their errors", test_config },
	{ "a reload keeps a table with the same key", test_kept_by_state },
	{ "a rate within one period is the exact count", test_freq_exact },
	{ "a rate slides over the period before", test_freq_slides },
	{ "keys of ip and ipv6 tables", test_keys },
	{ "a table keeps about size entries, newest first", test_size_bound },
	{ "entries expire and start over; tracked ones stay",
	    test_expire },
	{ "string keys are cut to the table's len", test_string_len },
	{ "an entry names a stored server until it expires",
	    test_server_id },
	{ "tcp-request and stick rules find their tables, or are errors",
	    test_rules_config },
	{ "a reload keeps the server ids entries name", test_server_id_kept },
	CU_TEST_INFO_NULL,
};
