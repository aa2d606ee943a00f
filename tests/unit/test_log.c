/*
 * Traffic log lines: each record kind in each format, compared whole,
 * escaping, syslog headers, and a full ring dropping and counting.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "unit.h"

/* 23/Nov/2025:09:01:50.123456 UTC */
#define T_ACCEPT	1763888510123456ull

static union {
	struct log_rec r;
	char b[LOG_REC_SIZE];
} t_slot;
static char t_line[512];	/* room for the lines tested */

static void
utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* An http record: fe/be/srv, a request line, some timers. */
static struct log_rec *
rec_http(const char *srv, const char *req)
{
	struct log_rec *r = &t_slot.r;
	size_t off;

	memset(&t_slot, 0, sizeof(t_slot));
	r->kind = LOG_REC_HTTP;
	r->level = LOG_LEVEL_INFO;
	r->http = true;
	r->accept_us = T_ACCEPT;
	r->cli.in.sin_family = AF_INET;
	r->cli.in.sin_port = htons(40000);
	inet_pton(AF_INET, "127.0.0.1", &r->cli.in.sin_addr);
	r->tq = 1;
	r->tw = 0;
	r->tc = 2;
	r->tr = 30;
	r->tt = 33;
	r->status = 200;
	r->bytes = 143;
	r->term[0] = '-';
	r->term[1] = '-';
	r->ac = 3;
	r->fc = 2;
	r->bc = 1;
	r->sc = 1;
	off = log_rec_text(r, 0, "web", 3, &r->fe_len, NULL);
	off += log_rec_text(r, off, "app", 3, &r->be_len, NULL);
	if (srv != NULL)
		off += log_rec_text(r, off, srv, strlen(srv), &r->srv_len,
		    NULL);
	if (req != NULL)
		log_rec_text(r, off, req, strlen(req), NULL, &r->req_len);
	return r;
}

static const char *
fmt(const struct log_rec *r, enum log_format f, int facility)
{
	struct log_host h = { .hostname = "box", .pid = 42,
	    .now_us = T_ACCEPT + 500000 };

	log_format(t_line, sizeof(t_line), r, f, facility, &h, false);
	return t_line;
}

static void
test_httplog(void)
{
	utc();
	EXPECT_STR(fmt(rec_http("s1", "GET /a HTTP/1.1"), LOG_FMT_RAW, -1),
	    "127.0.0.1:40000 [23/Nov/2025:09:01:50.123] web app/s1 "
	    "1/0/2/30/33 200 143 - - ---- 3/2/1/1/0 0/0 \"GET /a HTTP/1.1\"");
}

static void
test_httplog_refused(void)
{
	struct log_rec *r = rec_http(NULL, NULL);

	utc();
	r->be_len = 0;
	r->tw = r->tc = r->tr = -1;
	r->status = 400;
	r->term[0] = 'P';
	r->term[1] = 'R';
	EXPECT_STR(fmt(r, LOG_FMT_RAW, -1),
	    "127.0.0.1:40000 [23/Nov/2025:09:01:50.123] web web/<NOSRV> "
	    "1/-1/-1/-1/33 400 143 - - PR-- 3/2/1/1/0 0/0 \"<BADREQ>\"");
}

static void
test_httplog_escapes(void)
{
	utc();
	EXPECT_STR(fmt(rec_http("s1", "GET /\"#\x01 HTTP/1.1"), LOG_FMT_RAW,
	    -1), "127.0.0.1:40000 [23/Nov/2025:09:01:50.123] web app/s1 "
	    "1/0/2/30/33 200 143 - - ---- 3/2/1/1/0 0/0 "
	    "\"GET /#22#23#01 HTTP/1.1\"");
}

static void
test_tcplog(void)
{
	struct log_rec *r = rec_http("db1", NULL);

	utc();
	r->kind = LOG_REC_TCP;
	r->http = false;
	r->term[0] = 'c';
	r->term[1] = 'D';
	EXPECT_STR(fmt(r, LOG_FMT_RAW, -1),
	    "127.0.0.1:40000 [23/Nov/2025:09:01:50.123] web app/db1 0/2/33 "
	    "143 cD 3/2/1/1/0 0/0");
}

static void
test_connect(void)
{
	struct log_rec *r = rec_http(NULL, NULL);

	r->kind = LOG_REC_CONNECT;
	r->be_len = 0;
	r->fe_addr.in.sin_family = AF_INET;
	r->fe_addr.in.sin_port = htons(80);
	inet_pton(AF_INET, "10.0.0.1", &r->fe_addr.in.sin_addr);
	EXPECT_STR(fmt(r, LOG_FMT_RAW, -1),
	    "Connect from 127.0.0.1:40000 to 10.0.0.1:80 (web/HTTP)");
	EXPECT_STR(fmt(r, LOG_FMT_JSON, -1),
	    "{\"client_ip\":\"127.0.0.1\",\"client_port\":40000,"
	    "\"frontend_ip\":\"10.0.0.1\",\"frontend_port\":80,"
	    "\"frontend\":\"web\",\"mode\":\"http\"}");
}

static void
test_json_http(void)
{
	utc();
	EXPECT_STR(fmt(rec_http("s1", "GET /\"\\\x7f HTTP/1.1"), LOG_FMT_JSON,
	    -1),
	    "{\"client_ip\":\"127.0.0.1\",\"client_port\":40000,"
	    "\"accept_date\":\"2025-11-23T09:01:50.123+00:00\","
	    "\"frontend\":\"web\",\"backend\":\"app\",\"server\":\"s1\","
	    "\"Tq\":1,\"Tw\":0,\"Tc\":2,\"Tr\":30,\"Tt\":33,\"status\":200,"
	    "\"bytes_read\":143,\"termination_state\":\"--\",\"actconn\":3,"
	    "\"feconn\":2,\"beconn\":1,\"srv_conn\":1,\"retries\":0,"
	    "\"srv_queue\":0,\"backend_queue\":0,"
	    "\"http_request\":\"GET /\\\"\\\\\\u007f HTTP/1.1\"}");
}

static void
test_json_tcp(void)
{
	struct log_rec *r = rec_http("db1", NULL);

	utc();
	r->kind = LOG_REC_TCP;
	r->http = false;
	r->cli.in6.sin6_family = AF_INET6;
	r->cli.in6.sin6_port = htons(5000);
	inet_pton(AF_INET6, "::1", &r->cli.in6.sin6_addr);
	EXPECT_STR(fmt(r, LOG_FMT_JSON, -1),
	    "{\"client_ip\":\"::1\",\"client_port\":5000,"
	    "\"accept_date\":\"2025-11-23T09:01:50.123+00:00\","
	    "\"frontend\":\"web\",\"backend\":\"app\",\"server\":\"db1\","
	    "\"Tw\":0,\"Tc\":2,\"Tt\":33,\"bytes_read\":143,"
	    "\"termination_state\":\"--\",\"actconn\":3,\"feconn\":2,"
	    "\"beconn\":1,\"srv_conn\":1,\"retries\":0,\"srv_queue\":0,"
	    "\"backend_queue\":0}");
}

static void
test_syslog_headers(void)
{
	struct log_rec *r = rec_http("s1", "GET / HTTP/1.1");
	const char *line;

	utc();
	/* local0 (16) at info (6): 134 */
	line = fmt(r, LOG_FMT_RFC3164, 16);
	EXPECT_INT(strncmp(line, "<134>Nov 23 09:01:50 weir[42]: 127.0.0.1:"
	    "40000 [", 40), 0);
	line = fmt(r, LOG_FMT_RFC5424, 16);
	EXPECT_INT(strncmp(line, "<134>1 2025-11-23T09:01:50.623456+00:00 "
	    "box weir 42 - - 127.0.0.1:40000 [", 70), 0);
	/* no facility: user */
	line = fmt(r, LOG_FMT_RFC3164, -1);
	EXPECT_INT(strncmp(line, "<14>", 4), 0);
	/* option log-separate-errors: local0.err */
	r->level = LOG_LEVEL_ERR;
	line = fmt(r, LOG_FMT_RFC3164, 16);
	EXPECT_INT(strncmp(line, "<131>", 5), 0);
}

static void
test_newline_and_truncation(void)
{
	struct log_host h = { .hostname = "box", .pid = 42,
	    .now_us = T_ACCEPT };
	struct log_rec *r = rec_http("s1", "GET / HTTP/1.1");
	char small[24];
	size_t n;

	utc();
	n = log_format(t_line, sizeof(t_line), r, LOG_FMT_RAW, -1, &h, true);
	EXPECT_INT(t_line[n - 1], '\n');
	EXPECT_INT(strlen(t_line), n);
	/* a short buffer keeps its newline and its NUL */
	n = log_format(small, sizeof(small), r, LOG_FMT_RAW, -1, &h, true);
	EXPECT_INT(n, sizeof(small) - 1);
	EXPECT_STR(small, "127.0.0.1:40000 [23/No\n");
}

static void
test_long_names(void)
{
	char big[LOG_REC_SIZE * 2];
	struct log_rec *r = rec_http(NULL, NULL);
	size_t off;

	memset(big, 'x', sizeof(big));
	memset(&t_slot, 0, sizeof(t_slot));
	/* a name stops at 255 bytes, the text at the slot's end */
	off = log_rec_text(r, 0, big, 300, &r->fe_len, NULL);
	EXPECT_INT(off, 255);
	off += log_rec_text(r, off, big, sizeof(big), NULL, &r->req_len);
	EXPECT_INT(off, LOG_TEXT_MAX);
	EXPECT_INT(r->req_len, LOG_TEXT_MAX - 255);
}

static void
test_full_ring_drops(void)
{
	struct log_ring r;
	struct log_rec *rec;

	memset(&r, 0, sizeof(r));
	r.slots = calloc(LOG_RING_SLOTS, LOG_REC_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.slots);
	atomic_store(&r.head, 5 + LOG_RING_SLOTS);
	atomic_store(&r.tail, 5);
	EXPECT_TRUE(log_rec_get(&r) == NULL);
	EXPECT_TRUE(log_rec_get(&r) == NULL);
	EXPECT_INT(atomic_load(&r.drops), 2);
	/* one slot freed by the writer: one record, in slot 5's place */
	atomic_store(&r.tail, 6);
	rec = log_rec_get(&r);
	EXPECT_TRUE((char *)rec == r.slots + (size_t)5 * LOG_REC_SIZE);
	EXPECT_INT(atomic_load(&r.drops), 2);
	free(r.slots);
}

CU_TestInfo log_tests[] = {
	{ "an httplog line has HAProxy's fields in HAProxy's order",
	    test_httplog },
	{ "a refused request logs <NOSRV>, <BADREQ> and -1 timers",
	    test_httplog_refused },
	{ "a request line's quotes and control bytes are escaped",
	    test_httplog_escapes },
	{ "a tcplog line has HAProxy's fields", test_tcplog },
	{ "without httplog or tcplog a connection is logged at accept",
	    test_connect },
	{ "json carries the httplog fields, escaped", test_json_http },
	{ "json of a tcp connection has no http fields", test_json_tcp },
	{ "rfc3164 and rfc5424 headers carry facility, level, time and pid",
	    test_syslog_headers },
	{ "a line ends in a newline even when truncated",
	    test_newline_and_truncation },
	{ "names and request lines are cut to fit a record",
	    test_long_names },
	{ "a full ring drops records and counts them", test_full_ring_drops },
	CU_TEST_INFO_NULL,
};
