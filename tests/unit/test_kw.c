/*
 * Keyword tables: each keyword's typed value lands in the conf, each
 * mistake gets its message, proxies inherit from the defaults before them.
 * These tests run the parser and the keyword pass only, so verify's
 * warnings do not get in the way.
 */
#include "config.h"

#include <stdbool.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "kw.h"
#include "unit.h"
#include "val.h"

#define KW_BUF_SIZE 16384

/* Allocated once, so no size is known to the compiler's format checks. */
static char *kw_buf;
/* Set by the one test that looks at "has no effect yet" warnings. */
static bool kw_keep_inert;

static void
kw_format(struct diag *d)
{
	const struct diag_msg *m;
	size_t off = 0;

	if (kw_buf == NULL && (kw_buf = malloc(KW_BUF_SIZE)) == NULL)
		abort();
	diag_sort(d);
	kw_buf[0] = '\0';
	for (m = d->head; m != NULL && off < KW_BUF_SIZE - 1; m = m->next) {
		int n;

		if (UNIT_INERT(m) && !kw_keep_inert)
			continue;
		n = diag_format(m, kw_buf + off, KW_BUF_SIZE - off);

		if (n < 0 || (size_t)n >= KW_BUF_SIZE - off - 1)
			break;
		off += (size_t)n;
		kw_buf[off++] = '\n';
		kw_buf[off] = '\0';
	}
}

/* Parse text as "name" and apply the keywords; c keeps the result. */
static struct conf *
kw_run(const char *name, const char *text)
{
	struct conf *c = conf_new();
	struct diag d;

	if (c == NULL)
		return NULL;
	diag_init(&d);
	conf_load_string(c, name, text, strlen(text), &d);
	kw_apply(c, &d);
	kw_format(&d);
	diag_reset(&d);
	return c;
}

/* The diagnostics of the parser and the keyword pass, one per line. */
static const char *
kw_diags(const char *text)
{
	conf_free(kw_run("t.conf", text));
	return kw_buf;
}

/* A conf that must load with no message at all. */
#define LOAD(c, text)							\
	do {								\
		(c) = kw_run("t.conf", (text));				\
		EXPECT_STR(kw_buf, "");					\
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);			\
	} while (0)

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct conf_proxy *
px_find(struct conf *c, const char *name)
{
	struct conf_proxy *px;

	for (px = c->proxies; px != NULL; px = px->next)
		if (strcmp(px->name, name) == 0)
			return px;
	return NULL;
}

#define PX(var, c, name)						\
	do {								\
		(var) = px_find((c), (name));				\
		CU_ASSERT_PTR_NOT_NULL_FATAL(var);			\
	} while (0)

static const char *
addr_str(const struct conf_addr *a)
{
	static char buf[80];

	return val_addr_str(a, buf, sizeof(buf));
}

/* ---- files ------------------------------------------------------------- */

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
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

/* ---- tables ------------------------------------------------------------ */

static void
test_tables_sorted(void)
{
	size_t i;

	EXPECT_TRUE(kw_global_count > 10);
	EXPECT_TRUE(kw_proxy_count > 10);
	for (i = 1; i < kw_global_count; i++) {
		if (strcmp(kw_global_table[i - 1].name,
		    kw_global_table[i].name) >= 0)
			EXPECT_STR(kw_global_table[i].name,
			    "a name after the previous one");
	}
	for (i = 1; i < kw_proxy_count; i++) {
		if (strcmp(kw_proxy_table[i - 1].name,
		    kw_proxy_table[i].name) >= 0)
			EXPECT_STR(kw_proxy_table[i].name,
			    "a name after the previous one");
	}
}

static void
test_tables_found(void)
{
	size_t i;
	char text[256];

	/* every row is reachable: an unknown keyword would say so */
	for (i = 0; i < kw_global_count; i++) {
		snprintf(text, sizeof(text), "global\n  %s\n",
		    kw_global_table[i].name);
		CU_ASSERT_PTR_NULL(strstr(kw_diags(text), "unknown keyword"));
	}
	for (i = 0; i < kw_proxy_count; i++) {
		snprintf(text, sizeof(text), "listen l\n  %s\n",
		    kw_proxy_table[i].name);
		CU_ASSERT_PTR_NULL(strstr(kw_diags(text), "unknown keyword"));
	}
}

static void
test_tables_names(void)
{
	EXPECT_STR(kw_timeout_name(TO_HTTP_KEEP_ALIVE), "http-keep-alive");
	EXPECT_STR(kw_timeout_name(TO__COUNT), "?");
	EXPECT_STR(kw_option_name(OPT_FORWARDFOR), "forwardfor");
	EXPECT_STR(kw_option_name(OPT__COUNT), "?");
	EXPECT_STR(kw_mode_name(PX_MODE_HTTP), "http");
	EXPECT_STR(kw_mode_name(PX_MODE_TCP), "tcp");
	EXPECT_STR(kw_balance_name(LB_STATIC_RR), "static-rr");
	EXPECT_STR(kw_balance_name(LB_RANDOM), "random");
}

/* ---- global ------------------------------------------------------------ */

static void
test_global_values(void)
{
	struct conf *c;

	LOAD(c, "global\n"
	    "  nbthread 4\n"
	    "  maxconn 2000\n"
	    "  hard-stop-after 30s\n"
	    "  stats timeout 2m\n"
	    "  pidfile /run/weir.pid\n"
	    "  ca-base /etc/ssl/ca\n"
	    "  crt-base /etc/ssl/crt\n"
	    "  tune.bufsize 32k\n"
	    "  tune.http.maxhdr 200\n");
	EXPECT_INT(c->global.nbthread, 4);
	EXPECT_INT(c->global.maxconn, 2000);
	EXPECT_INT(c->global.hard_stop_after_ms, 30000);
	EXPECT_INT(c->global.stats_timeout_ms, 120000);
	EXPECT_STR(c->global.pidfile, "/run/weir.pid");
	EXPECT_STR(c->global.ca_base, "/etc/ssl/ca");
	EXPECT_STR(c->global.crt_base, "/etc/ssl/crt");
	EXPECT_INT(c->global.tune_bufsize, 32768);
	EXPECT_INT(c->global.tune_maxhdr, 200);
	EXPECT_INT(c->nproxies, 0);
	conf_free(c);
}

static void
test_global_int_errors(void)
{
	EXPECT_STR(kw_diags("global\n  nbthread 65\n"),
	    "t.conf:2:12: error: nbthread must be 1..64, got 65\n");
	EXPECT_STR(kw_diags("global\n  maxconn 0\n"),
	    "t.conf:2:11: error: maxconn must be 1..1000000, got 0\n");
	EXPECT_STR(kw_diags("global\n  nbthread x\n"),
	    "t.conf:2:12: error: invalid number 'x' for 'nbthread'\n");
	EXPECT_STR(kw_diags("global\n  tune.http.maxhdr 32768\n"),
	    "t.conf:2:20: error: tune.http.maxhdr must be 1..256, "
	    "got 32768\n");
}

static void
test_arity(void)
{
	EXPECT_STR(kw_diags("global\n  nbthread\n"),
	    "t.conf:2:3: error: 'nbthread' needs 1 argument, got 0\n");
	EXPECT_STR(kw_diags("global\n  nbthread 1 2\n"),
	    "t.conf:2:14: error: 'nbthread' takes at most 1 argument, "
	    "got '2' too\n");
	EXPECT_STR(kw_diags("backend b\n  server a\n"),
	    "t.conf:2:3: error: 'server' needs 2 arguments, got 1\n");
	EXPECT_STR(kw_diags("frontend f\n  no option httplog x\n"),
	    "t.conf:2:21: error: 'no option httplog' takes no argument, "
	    "got 'x'\n");
}

static void
test_global_size_errors(void)
{
	EXPECT_STR(kw_diags("global\n  tune.bufsize 100\n"),
	    "t.conf:2:16: error: tune.bufsize must be 1024..16777216 bytes, "
	    "got 100\n");
	EXPECT_STR(kw_diags("global\n  tune.bufsize 32m\n"),
	    "t.conf:2:16: error: tune.bufsize must be 1024..16777216 bytes, "
	    "got 32m\n");
	EXPECT_STR(kw_diags("global\n  tune.bufsize 1x\n"),
	    "t.conf:2:16: error: invalid size '1x' for 'tune.bufsize' "
	    "(expected e.g. 16384, 16k, 1m)\n");
}

static void
test_global_duration_errors(void)
{
	EXPECT_STR(kw_diags("global\n  hard-stop-after 0\n"),
	    "t.conf:2:19: error: 'hard-stop-after' must be longer than 0\n");
	EXPECT_STR(kw_diags("global\n  hard-stop-after 5z\n"),
	    "t.conf:2:19: error: invalid duration '5z' for 'hard-stop-after' "
	    "(expected e.g. 500ms, 5s, 2m)\n");
	EXPECT_STR(kw_diags("global\n  stats timeout 0\n"),
	    "t.conf:2:17: error: 'stats timeout' must be longer than 0\n");
}

static void
test_global_empty_string(void)
{
	EXPECT_STR(kw_diags("global\n  pidfile \"\"\n"),
	    "t.conf:2:11: error: 'pidfile' must not be empty\n");
}

static void
test_unknown_keyword(void)
{
	EXPECT_STR(kw_diags("global\n  nbthrad 4\n"),
	    "t.conf:2:3: error: unknown keyword 'nbthrad' in the global "
	    "section (did you mean 'nbthread'?)\n");
	EXPECT_STR(kw_diags("backend app\n    balanse roundrobin\n"),
	    "t.conf:2:5: error: unknown keyword 'balanse' in backend 'app' "
	    "(did you mean 'balance'?)\n");
	EXPECT_STR(kw_diags("defaults\n  frobnicate 1\n"),
	    "t.conf:2:3: error: unknown keyword 'frobnicate' in the "
	    "defaults section\n");
	EXPECT_STR(kw_diags("defaults web\n  frobnicate 1\n"),
	    "t.conf:2:3: error: unknown keyword 'frobnicate' in "
	    "defaults 'web'\n");
}

static void
test_other_section(void)
{
	EXPECT_STR(kw_diags("global\n  server a 1.2.3.4:80\n"),
	    "t.conf:2:3: error: keyword 'server' is not allowed in the "
	    "global section (only in proxy sections)\n");
	EXPECT_STR(kw_diags("backend b\n  nbthread 2\n"),
	    "t.conf:2:3: error: keyword 'nbthread' is not allowed in "
	    "backend 'b' (only in the global section)\n");
	/* quoted, it is no keyword at all */
	EXPECT_STR(kw_diags("global\n  \"server\" a b\n"),
	    "t.conf:2:3: error: unknown keyword 'server' in the global "
	    "section\n");
}

static void
test_not_in_section(void)
{
	EXPECT_STR(kw_diags("frontend f\n  server a 1.2.3.4:80\n"),
	    "t.conf:2:3: error: keyword 'server' is not allowed in frontend "
	    "'f' (only in backend and listen sections)\n");
	EXPECT_STR(kw_diags("backend b\n  bind :80\n"),
	    "t.conf:2:3: error: keyword 'bind' is not allowed in backend "
	    "'b' (only in frontend and listen sections)\n");
	EXPECT_STR(kw_diags("frontend f\n  retries 2\n"),
	    "t.conf:2:3: error: keyword 'retries' is not allowed in frontend "
	    "'f' (only in defaults, backend and listen sections)\n");
	EXPECT_STR(kw_diags("defaults\n  http-request deny\n"),
	    "t.conf:2:3: error: keyword 'http-request' is not allowed in "
	    "the defaults section (only in frontend, backend and listen "
	    "sections)\n");
	EXPECT_STR(kw_diags("backend b\n  default_backend a\n"),
	    "t.conf:2:3: error: keyword 'default_backend' is not allowed in "
	    "backend 'b' (only in defaults, frontend and listen sections)\n");
}

static void
test_listen_takes_both(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "listen l\n"
	    "  bind :80\n"
	    "  server s 127.0.0.1:81\n"
	    "  timeout client 1s\n"
	    "  timeout server 2s\n"
	    "  retries 5\n"
	    "  default_backend x\n");
	PX(px, c, "l");
	EXPECT_INT(px->cap, PX_CAP_FE | PX_CAP_BE);
	EXPECT_INT(px->timeout_ms[TO_CLIENT], 1000);
	EXPECT_INT(px->timeout_ms[TO_SERVER], 2000);
	EXPECT_INT(px->retries, 5);
	conf_free(c);
}

static void
test_refused(void)
{
	EXPECT_STR(kw_diags("global\n  daemon\n"),
	    "t.conf:2:3: error: 'daemon' is not supported by weir: it runs "
	    "in the foreground; let systemd or another supervisor run it in "
	    "the background\n");
	EXPECT_STR(kw_diags("global\n  nbproc 2\n"),
	    "t.conf:2:3: error: 'nbproc' is not supported by weir: use "
	    "'nbthread'\n");
	EXPECT_STR(kw_diags("global\n  master-worker\n"),
	    "t.conf:2:3: error: 'master-worker' is not supported by weir: it "
	    "runs as one process\n");
	EXPECT_STR(kw_diags("global\n  user haproxy\n"),
	    "t.conf:2:3: error: 'user' is not supported by weir: start it "
	    "as the user and group it should run as (systemd's User= and "
	    "Group=)\n");
	EXPECT_STR(kw_diags("global\n  cpu-map 1 2\n"),
	    "t.conf:2:3: error: 'cpu-map' is not supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  redirect location /\n"),
	    "t.conf:2:3: error: 'redirect' is not supported by weir: use "
	    "'http-request redirect'\n");
	EXPECT_STR(kw_diags("frontend f\n  contimeout 5s\n"),
	    "t.conf:2:3: error: 'contimeout' is not supported by weir: use "
	    "'timeout connect'\n");
}

static void
test_no_condition(void)
{
	EXPECT_STR(kw_diags("global\n  pidfile x if y\n"),
	    "t.conf:2:13: error: 'pidfile' takes no condition\n");
	EXPECT_STR(kw_diags("frontend f\n  default_backend a if b\n"),
	    "t.conf:2:21: error: 'default_backend' takes no condition\n");
}

/* ---- proxies: simple settings ------------------------------------------ */

static void
test_mode(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "frontend a\n  mode http\nbackend b\n  mode tcp\n"
	    "backend d\n");
	PX(px, c, "a");
	EXPECT_INT(px->mode, PX_MODE_HTTP);
	EXPECT_TRUE(px->mode_origin.set);
	EXPECT_INT(px->mode_origin.loc.line, 2);
	PX(px, c, "b");
	EXPECT_INT(px->mode, PX_MODE_TCP);
	PX(px, c, "d");
	EXPECT_INT(px->mode, PX_MODE_TCP);
	EXPECT_TRUE(!px->mode_origin.set);
	conf_free(c);
	EXPECT_STR(kw_diags("frontend f\n  mode x\n"),
	    "t.conf:2:8: error: unknown mode 'x' (expected http or tcp)\n");
	EXPECT_STR(kw_diags("frontend f\n  mode health\n"),
	    "t.conf:2:8: error: 'mode health' is not supported by weir: use "
	    "'monitor-uri' in an http frontend\n");
}

static void
test_retries_maxconn(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "backend b\nbackend r\n  retries 0\n"
	    "frontend f\n  maxconn 100\n");
	PX(px, c, "b");
	EXPECT_INT(px->retries, 3);
	PX(px, c, "r");
	EXPECT_INT(px->retries, 0);
	EXPECT_TRUE(px->retries_origin.set);
	PX(px, c, "f");
	EXPECT_INT(px->maxconn, 100);
	conf_free(c);
	EXPECT_STR(kw_diags("defaults\n  retries 101\n"),
	    "t.conf:2:11: error: retries must be 0..100, got 101\n");
}

static void
test_timeouts(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "defaults\n"
	    "  timeout connect 1s\n"
	    "  timeout client 2s\n"
	    "  timeout server 3s\n"
	    "  timeout http-request 4s\n"
	    "  timeout http-keep-alive 5s\n"
	    "  timeout queue 6s\n"
	    "  timeout tunnel 1h\n"
	    "  timeout check 8s\n"
	    "  timeout client-fin 9s\n"
	    "  timeout server-fin 10s\n"
	    "frontend f\n"
	    "  timeout client 500ms\n");
	PX(px, c, "f");
	EXPECT_INT(px->timeout_ms[TO_CONNECT], 1000);
	EXPECT_INT(px->timeout_ms[TO_CLIENT], 500);
	EXPECT_INT(px->timeout_ms[TO_SERVER], 3000);
	EXPECT_INT(px->timeout_ms[TO_HTTP_REQUEST], 4000);
	EXPECT_INT(px->timeout_ms[TO_HTTP_KEEP_ALIVE], 5000);
	EXPECT_INT(px->timeout_ms[TO_QUEUE], 6000);
	EXPECT_INT(px->timeout_ms[TO_TUNNEL], 3600000);
	EXPECT_INT(px->timeout_ms[TO_CHECK], 8000);
	EXPECT_INT(px->timeout_ms[TO_CLIENT_FIN], 9000);
	EXPECT_INT(px->timeout_ms[TO_SERVER_FIN], 10000);
	/* its own client timeout, the rest from defaults */
	EXPECT_TRUE(!px->timeout_origin[TO_CLIENT].inherited);
	EXPECT_INT(px->timeout_origin[TO_CLIENT].loc.line, 13);
	EXPECT_TRUE(px->timeout_origin[TO_SERVER].inherited);
	EXPECT_INT(px->timeout_origin[TO_SERVER].loc.line, 4);
	conf_free(c);
}

static void
test_timeout_errors(void)
{
	EXPECT_STR(kw_diags("defaults\n  timeout clint 5s\n"),
	    "t.conf:2:11: error: unknown timeout 'clint' in the defaults "
	    "section (did you mean 'client'?)\n");
	EXPECT_STR(kw_diags("defaults\n  timeout\n"),
	    "t.conf:2:3: error: 'timeout' needs 1 argument, got 0\n");
	EXPECT_STR(kw_diags("defaults\n  timeout client\n"),
	    "t.conf:2:3: error: 'timeout client' needs a duration\n");
	EXPECT_STR(kw_diags("defaults\n  timeout client 0\n"),
	    "t.conf:2:18: error: 'timeout client' must be longer than 0\n");
	EXPECT_STR(kw_diags("defaults\n  timeout client 5q\n"),
	    "t.conf:2:18: error: invalid duration '5q' for 'timeout client' "
	    "(expected e.g. 500ms, 5s, 2m)\n");
	EXPECT_STR(kw_diags("defaults\n  timeout tarpit 5s\n"),
	    "t.conf:2:11: error: timeout 'tarpit' is not supported yet\n");
}

static void
test_timeout_sections(void)
{
	EXPECT_STR(kw_diags("backend b\n  timeout client 5s\n"),
	    "t.conf:2:11: error: timeout 'client' is not allowed in backend "
	    "'b' (only in defaults, frontend and listen sections)\n");
	EXPECT_STR(kw_diags("frontend f\n  timeout server 5s\n"),
	    "t.conf:2:11: error: timeout 'server' is not allowed in frontend "
	    "'f' (only in defaults, backend and listen sections)\n");
	EXPECT_STR(kw_diags("frontend f\n  timeout connect 5s\n"),
	    "t.conf:2:11: error: timeout 'connect' is not allowed in "
	    "frontend 'f' (only in defaults, backend and listen sections)\n");
	EXPECT_STR(kw_diags("frontend f\n  timeout http-request 5s\n"
	    "backend b\n  timeout http-request 5s\n"), "");
}

/* ---- options ----------------------------------------------------------- */

#define OPT(o) (1u << (o))

static void
test_options(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "frontend f\n"
	    "  option httplog\n"
	    "  option dontlognull\n"
	    "  option http-server-close\n"
	    "backend b\n"
	    "  option redispatch\n"
	    "  option httpclose\n");
	PX(px, c, "f");
	EXPECT_INT(px->opts, OPT(OPT_HTTPLOG) | OPT(OPT_DONTLOGNULL) |
	    OPT(OPT_HTTP_SERVER_CLOSE));
	EXPECT_TRUE(px->opt_origin[OPT_HTTPLOG].set);
	EXPECT_INT(px->opt_origin[OPT_HTTPLOG].loc.line, 2);
	PX(px, c, "b");
	EXPECT_INT(px->opts, OPT(OPT_REDISPATCH) | OPT(OPT_HTTPCLOSE));
	conf_free(c);
}

static void
test_options_exclusive(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "frontend f\n"
	    "  option httpclose\n"
	    "  option http-keep-alive\n"
	    "  option httplog\n"
	    "  option tcplog\n");
	PX(px, c, "f");
	EXPECT_INT(px->opts, OPT(OPT_HTTP_KEEP_ALIVE) | OPT(OPT_TCPLOG));
	conf_free(c);
}

static void
test_no_option(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "defaults\n"
	    "  option httplog\n"
	    "  option dontlognull\n"
	    "frontend f\n"
	    "  no option httplog\n");
	PX(px, c, "f");
	EXPECT_INT(px->opts, OPT(OPT_DONTLOGNULL));
	EXPECT_TRUE(px->opt_origin[OPT_HTTPLOG].set);
	EXPECT_TRUE(!px->opt_origin[OPT_HTTPLOG].inherited);
	conf_free(c);
}

static void
test_option_errors(void)
{
	EXPECT_STR(kw_diags("frontend f\n  option\n"),
	    "t.conf:2:3: error: 'option' needs an option name\n");
	EXPECT_STR(kw_diags("frontend f\n  option httplg\n"),
	    "t.conf:2:10: error: unknown option 'httplg' in frontend 'f' "
	    "(did you mean 'httplog'?)\n");
	EXPECT_STR(kw_diags("backend b\n  option httplog\n"),
	    "t.conf:2:10: error: option 'httplog' is not allowed in backend "
	    "'b' (only in defaults, frontend and listen sections)\n");
	EXPECT_STR(kw_diags("frontend f\n  option abortonclose\n"),
	    "t.conf:2:10: error: option 'abortonclose' is not supported "
	    "yet\n");
	EXPECT_STR(kw_diags("frontend f\n  option "
	    "accept-invalid-http-request\n"),
	    "t.conf:2:10: error: option 'accept-invalid-http-request' is not "
	    "supported by weir: its HTTP parser is strict by design\n");
	EXPECT_STR(kw_diags("frontend f\n  option httplog clf\n"),
	    "t.conf:2:18: error: 'option httplog' takes no argument, got "
	    "'clf'\n");
	EXPECT_STR(kw_diags("frontend f\n  no\n"),
	    "t.conf:2:3: error: 'no' is only used as 'no option NAME' or "
	    "'no log'\n");
	EXPECT_STR(kw_diags("frontend f\n  no timeout client\n"),
	    "t.conf:2:3: error: 'no' is only used as 'no option NAME' or "
	    "'no log'\n");
}

static void
test_forwardfor(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "frontend a\n  option forwardfor\n"
	    "frontend b\n  option forwardfor except 10.0.0.0/8 header X-Real\n"
	    "frontend z\n  option forwardfor except 0.0.0.0/0\n");
	PX(px, c, "a");
	EXPECT_TRUE(px->opts & OPT(OPT_FORWARDFOR));
	EXPECT_INT(px->fwdfor_except_bits, 0);
	CU_ASSERT_PTR_NULL(px->fwdfor_header);
	PX(px, c, "b");
	EXPECT_INT(px->fwdfor_except_bits, 8);
	EXPECT_STR(addr_str(&px->fwdfor_except), "10.0.0.0:0");
	EXPECT_STR(px->fwdfor_header, "X-Real");
	/* /0 is every address, and still set */
	PX(px, c, "z");
	EXPECT_TRUE(px->fwdfor_except_bits != 0);
	conf_free(c);
	EXPECT_STR(kw_diags("frontend f\n  option forwardfor except "
	    "10.0.0.0/33\n"),
	    "t.conf:2:28: error: invalid network '10.0.0.0/33'\n");
	EXPECT_STR(kw_diags("frontend f\n  option forwardfor bogus\n"),
	    "t.conf:2:21: error: unknown argument 'bogus' to 'option "
	    "forwardfor' (expected except or header)\n");
	EXPECT_STR(kw_diags("frontend f\n  option forwardfor header\n"),
	    "t.conf:2:21: error: 'header' needs a value\n");
	EXPECT_STR(kw_diags("frontend f\n  option forwardfor if-none\n"),
	    "t.conf:2:21: error: 'option forwardfor if-none' is not "
	    "supported yet\n");
}

static void
test_httpchk(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "backend a\n  option httpchk\n"
	    "backend b\n  option httpchk /health\n"
	    "backend d\n  option httpchk GET /ping HTTP/1.1\n");
	PX(px, c, "a");
	EXPECT_STR(px->httpchk_method, "OPTIONS");
	EXPECT_STR(px->httpchk_uri, "/");
	EXPECT_STR(px->httpchk_version, "HTTP/1.0");
	PX(px, c, "b");
	EXPECT_STR(px->httpchk_method, "OPTIONS");
	EXPECT_STR(px->httpchk_uri, "/health");
	PX(px, c, "d");
	EXPECT_STR(px->httpchk_method, "GET");
	EXPECT_STR(px->httpchk_uri, "/ping");
	EXPECT_STR(px->httpchk_version, "HTTP/1.1");
	conf_free(c);
	EXPECT_STR(kw_diags("backend b\n  option httpchk x\n"),
	    "t.conf:2:18: error: health check URI 'x' must start with '/' (or "
	    "be '*')\n");
	EXPECT_STR(kw_diags("backend b\n  option httpchk GET x HTTP/1.1\n"),
	    "t.conf:2:22: error: health check URI 'x' must start with '/' (or "
	    "be '*')\n");
	EXPECT_STR(kw_diags("backend b\n  option httpchk GET / HTTP/1.1 x\n"),
	    "t.conf:2:33: error: 'option httpchk' takes at most 3 arguments, "
	    "got 'x' too\n");
}

static void
test_monitor_uri(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "frontend f\n  monitor-uri /alive\n");
	PX(px, c, "f");
	EXPECT_STR(px->monitor_uri, "/alive");
	conf_free(c);
	EXPECT_STR(kw_diags("frontend f\n  monitor-uri alive\n"),
	    "t.conf:2:15: error: monitor-uri 'alive' must start with '/'\n");
}

/* ---- bind -------------------------------------------------------------- */

static void
test_bind(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_bind *b;

	LOAD(c, "frontend f\n"
	    "  bind :80\n"
	    "  bind 127.0.0.1:8080,[::1]:8081 name local\n");
	PX(px, c, "f");
	b = px->binds;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	EXPECT_STR(b->text, ":80");
	EXPECT_STR(addr_str(&b->addr), "0.0.0.0:80");
	CU_ASSERT_PTR_NULL(b->name);
	b = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	EXPECT_STR(b->text, "127.0.0.1:8080");
	EXPECT_STR(b->name, "local");
	EXPECT_INT(b->loc.col, 8);
	b = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	EXPECT_STR(addr_str(&b->addr), "[::1]:8081");
	EXPECT_STR(b->name, "local");
	/* the column of the second address in the list */
	EXPECT_INT(b->loc.line, 3);
	EXPECT_INT(b->loc.col, 23);
	CU_ASSERT_PTR_NULL(b->next);
	conf_free(c);
}

static void
test_bind_errors(void)
{
	EXPECT_STR(kw_diags("frontend f\n  bind 1.2.3.4\n"),
	    "t.conf:2:8: error: invalid bind address '1.2.3.4': a port is "
	    "needed\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :8000-8010\n"),
	    "t.conf:2:8: error: invalid bind address ':8000-8010': port "
	    "ranges are not supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80,:99999\n"),
	    "t.conf:2:12: error: invalid bind address ':99999': port must be "
	    "1..65535\n");
	EXPECT_STR(kw_diags("frontend f\n  bind unix@/run/x\n"),
	    "t.conf:2:8: error: bind address 'unix@/run/x': only IPv4 and "
	    "IPv6 addresses are supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 ssl\n"),
	    "t.conf:2:12: error: bind ':80': 'ssl' needs a certificate: "
	    "'crt FILE|DIR' or 'crt-list FILE'\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 crt x.pem\n"),
	    "t.conf:2:8: error: bind ':80' has TLS options but no 'ssl'\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 ssl crt x.pem verify "
	    "required\n"), "t.conf:2:12: error: bind ':80': 'verify "
	    "required' needs a 'ca-file' to check client certificates "
	    "against\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 ssl crt x.pem verify "
	    "maybe\n"), "t.conf:2:33: error: unknown verify mode 'maybe' "
	    "(expected none, optional or required)\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 ssl crt x.pem alpn "
	    "h2,http/1.1\n"), "t.conf:2:31: error: alpn 'h2' is not "
	    "supported: weir speaks http/1.1 only\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 ssl crt x.pem "
	    "ssl-min-ver TLSv1.4\n"), "t.conf:2:38: error: unknown TLS "
	    "version 'TLSv1.4' (expected SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or "
	    "TLSv1.3)\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 nmae x\n"),
	    "t.conf:2:12: error: unknown bind option 'nmae' (did you mean "
	    "'name'?)\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 zzzzz\n"),
	    "t.conf:2:12: error: unknown bind option 'zzzzz'\n");
	EXPECT_STR(kw_diags("frontend f\n  bind :80 name\n"),
	    "t.conf:2:12: error: bind option 'name' needs a value\n");
}

/* ---- servers ----------------------------------------------------------- */

static void
test_server(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_server *s;

	LOAD(c, "backend b\n"
	    "  server s1 10.0.0.1:80\n"
	    "  server s2 [::1]:81 weight 5 maxconn 100 check inter 3s "
	    "fall 4 rise 5\n"
	    "  server s3 10.0.0.3:80 backup disabled weight 0\n");
	PX(px, c, "b");
	s = px->servers;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_STR(s->name, "s1");
	EXPECT_STR(s->addr_text, "10.0.0.1:80");
	EXPECT_STR(addr_str(&s->addr), "10.0.0.1:80");
	EXPECT_INT(s->weight, 1);
	EXPECT_INT(s->maxconn, 0);
	EXPECT_INT(s->flags, 0);
	EXPECT_INT(s->inter_ms, 2000);
	EXPECT_INT(s->fall, 3);
	EXPECT_INT(s->rise, 2);
	EXPECT_INT(s->loc.line, 2);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_STR(addr_str(&s->addr), "[::1]:81");
	EXPECT_INT(s->weight, 5);
	EXPECT_INT(s->maxconn, 100);
	EXPECT_INT(s->flags, SRV_CHECK);
	EXPECT_INT(s->inter_ms, 3000);
	EXPECT_INT(s->fall, 4);
	EXPECT_INT(s->rise, 5);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->flags, SRV_BACKUP | SRV_DISABLED);
	EXPECT_INT(s->weight, 0);
	CU_ASSERT_PTR_NULL(s->next);
	conf_free(c);
}

static void
test_default_server(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_server *s;

	LOAD(c, "defaults\n"
	    "  default-server inter 1s check\n"
	    "backend b\n"
	    "  default-server weight 7\n"
	    "  server s1 10.0.0.1:80\n"
	    "  server s2 10.0.0.2:80 no-check weight 2\n");
	PX(px, c, "b");
	s = px->servers;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->weight, 7);
	EXPECT_INT(s->inter_ms, 1000);
	EXPECT_INT(s->flags, SRV_CHECK);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->weight, 2);
	EXPECT_INT(s->flags, 0);
	conf_free(c);
}

static void
test_server_errors(void)
{
	EXPECT_STR(kw_diags("backend b\n  server a/b 1.2.3.4:80\n"),
	    "t.conf:2:10: error: invalid server name 'a/b' (it must not be "
	    "empty nor hold '/')\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4\n"),
	    "t.conf:2:12: error: invalid address '1.2.3.4' for server 'a': "
	    "a port is needed\n");
	EXPECT_STR(kw_diags("backend b\n  server a /run/x.sock\n"),
	    "t.conf:2:12: error: server address '/run/x.sock': only IPv4 and "
	    "IPv6 addresses and host names are supported yet\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 wieght 3\n"),
	    "t.conf:2:23: error: unknown server option 'wieght' in server "
	    "'a' (did you mean 'weight'?)\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 weight\n"),
	    "t.conf:2:23: error: server option 'weight' needs a value\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 weight 257\n"),
	    "t.conf:2:30: error: weight must be 0..256, got 257\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 ssl\n"),
	    "t.conf:2:3: error: server 'a' has 'ssl' and verifies its "
	    "certificate (verify required is the default) but names no "
	    "'ca-file': give 'ca-file FILE', 'ca-file @system-ca' or 'verify "
	    "none'\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 ssl verify "
	    "none sni name\n"), "t.conf:2:43: error: sni 'name': expected "
	    "str(NAME) or req.hdr(NAME)\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 check-ssl "
	    "check-sni x\n"), "t.conf:2:3: error: server 'a' has 'check-ssl' "
	    "but no 'ssl': weir checks over TLS the servers it speaks TLS "
	    "to\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 ssl verify "
	    "optional\n"), "t.conf:2:34: error: unknown verify mode "
	    "'optional' (expected none or required)\n");
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4:80 inter 0\n"),
	    "t.conf:2:29: error: 'inter' must be longer than 0\n");
	EXPECT_STR(kw_diags("backend b\n  default-server wieght 3\n"),
	    "t.conf:2:18: error: unknown server option 'wieght' in "
	    "default-server (did you mean 'weight'?)\n");
}

static void
test_server_every_error(void)
{
	/* a bad address and a bad option: both are reported */
	EXPECT_STR(kw_diags("backend b\n  server a 1.2.3.4 fall 0 rise x\n"),
	    "t.conf:2:12: error: invalid address '1.2.3.4' for server 'a': "
	    "a port is needed\n"
	    "t.conf:2:25: error: fall must be 1..1000, got 0\n"
	    "t.conf:2:32: error: invalid number 'x' for 'rise'\n");
}

/* ---- balance ----------------------------------------------------------- */

static void
test_balance(void)
{
	static const struct {
		const char *word;
		enum lb_algo algo;
	} t[] = {
		{ "roundrobin", LB_ROUNDROBIN },
		{ "static-rr", LB_STATIC_RR },
		{ "leastconn", LB_LEASTCONN },
		{ "first", LB_FIRST },
		{ "source", LB_SOURCE },
		{ "uri", LB_URI },
		{ "random", LB_RANDOM },
	};
	struct conf *c;
	struct conf_proxy *px;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "backend b\n  balance first\n"
		    "  balance %s\n", t[i].word);
		LOAD(c, text);
		PX(px, c, "b");
		EXPECT_INT(px->balance, t[i].algo);
		EXPECT_INT(px->balance_origin.loc.line, 3);
		conf_free(c);
	}
}

static void
test_balance_args(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "backend r\n  balance random\n"
	    "backend r3\n  balance random(3)\n"
	    "backend h\n  balance hdr(host)\n  hash-type consistent\n");
	PX(px, c, "r");
	EXPECT_INT(px->random_draws, 2);
	PX(px, c, "r3");
	EXPECT_INT(px->balance, LB_RANDOM);
	EXPECT_INT(px->random_draws, 3);
	PX(px, c, "h");
	EXPECT_INT(px->balance, LB_HDR);
	EXPECT_STR(px->balance_arg, "host");
	EXPECT_INT(px->hash_type, HASH_CONSISTENT);
	conf_free(c);
}

static void
test_balance_errors(void)
{
	EXPECT_STR(kw_diags("backend b\n  balance roundrobn\n"),
	    "t.conf:2:11: error: unknown balance algorithm 'roundrobn' in "
	    "backend 'b' (did you mean 'roundrobin'?)\n");
	EXPECT_STR(kw_diags("backend b\n  balance rr\n"),
	    "t.conf:2:11: error: unknown balance algorithm 'rr' in backend "
	    "'b'\n");
	EXPECT_STR(kw_diags("backend b\n  balance url_param id\n"),
	    "t.conf:2:11: error: balance algorithm 'url_param' is not "
	    "supported yet\n");
	EXPECT_STR(kw_diags("backend b\n  balance hdr\n"),
	    "t.conf:2:11: error: 'balance hdr' needs a header name: "
	    "hdr(name)\n");
	EXPECT_STR(kw_diags("backend b\n  balance hdr(host\n"),
	    "t.conf:2:11: error: malformed balance algorithm 'hdr(host'\n");
	EXPECT_STR(kw_diags("backend b\n  balance roundrobin(3)\n"),
	    "t.conf:2:11: error: balance algorithm 'roundrobin' takes no "
	    "argument\n");
	EXPECT_STR(kw_diags("backend b\n  balance random(0)\n"),
	    "t.conf:2:11: error: random draws must be 1..100, got 0\n");
	EXPECT_STR(kw_diags("backend b\n  balance random(x)\n"),
	    "t.conf:2:11: error: invalid number 'x' for 'random draws'\n");
	EXPECT_STR(kw_diags("backend b\n  balance uri whole\n"),
	    "t.conf:2:15: error: balance option 'whole' is not supported "
	    "yet\n");
}

static void
test_hash_type(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "backend b\n  hash-type map-based\n");
	PX(px, c, "b");
	EXPECT_INT(px->hash_type, HASH_MAP_BASED);
	conf_free(c);
	EXPECT_STR(kw_diags("backend b\n  hash-type x\n"),
	    "t.conf:2:13: error: unknown hash-type 'x' (expected map-based "
	    "or consistent)\n");
	EXPECT_STR(kw_diags("backend b\n  hash-type consistent sdbm\n"),
	    "t.conf:2:24: error: hash function 'sdbm' is not supported "
	    "yet\n");
}

/* ---- log --------------------------------------------------------------- */

static void
test_log_targets(void)
{
	struct conf *c;
	struct conf_log *l;

	LOAD(c, "global\n"
	    "  log stdout\n"
	    "  log stderr format json local0\n"
	    "  log 127.0.0.1 local1 notice\n"
	    "  log udp@10.0.0.1:1514 len 1024 local2 info err\n"
	    "  log /dev/log daemon\n"
	    "  log unix@/run/log.sock user format rfc5424\n");
	l = c->global.logs;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_STDOUT);
	EXPECT_INT(l->format, LOG_FMT_RAW);
	EXPECT_INT(l->facility, -1);
	EXPECT_INT(l->level, 7);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_STDERR);
	EXPECT_INT(l->format, LOG_FMT_JSON);
	EXPECT_INT(l->facility, 16);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_UDP);
	EXPECT_STR(addr_str(&l->addr), "127.0.0.1:514");
	EXPECT_INT(l->facility, 17);
	EXPECT_INT(l->level, 5);
	EXPECT_INT(l->format, LOG_FMT_RFC3164);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_STR(addr_str(&l->addr), "10.0.0.1:1514");
	EXPECT_INT(l->facility, 18);
	EXPECT_INT(l->max_len, 1024);
	/* the first level is the maximum, the second the minimum */
	EXPECT_INT(l->level, 6);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_UNIX);
	EXPECT_STR(l->path, "/dev/log");
	EXPECT_INT(l->facility, 3);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_UNIX);
	EXPECT_STR(l->path, "/run/log.sock");
	EXPECT_INT(l->facility, 1);
	EXPECT_INT(l->format, LOG_FMT_RFC5424);
	CU_ASSERT_PTR_NULL(l->next);
	conf_free(c);
}

/* A path without a facility is a file; with one, a syslog socket. */
static void
test_log_files(void)
{
	struct conf *c;
	struct conf_log *l;

	LOAD(c, "global\n"
	    "  log /var/log/weir.log\n"
	    "  log file@/var/log/w.json len 4096 format json\n"
	    "  log /dev/log local0\n"
	    "  log /var/log/weir.log format rfc5424\n");
	l = c->global.logs;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_FILE);
	EXPECT_STR(l->path, "/var/log/weir.log");
	EXPECT_INT(l->format, LOG_FMT_RAW);
	EXPECT_INT(l->max_len, 1024);	/* HAProxy's default */
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_FILE);
	EXPECT_STR(l->path, "/var/log/w.json");
	EXPECT_INT(l->format, LOG_FMT_JSON);
	EXPECT_INT(l->max_len, 4096);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_UNIX);
	EXPECT_INT(l->format, LOG_FMT_RFC3164);
	l = l->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->kind, LOG_FILE);
	EXPECT_INT(l->format, LOG_FMT_RFC5424);
	conf_free(c);
	EXPECT_STR(kw_diags("global\n  log file@weir.log\n"),
	    "t.conf:2:7: error: log file 'weir.log' needs an absolute "
	    "path\n");
}

/* A syslog socket without a facility is an error, not a file. */
static void
test_log_socket_needs_facility(void)
{
	char dir[] = "/tmp/weir-kw.XXXXXX", conf[256], want[256];
	struct sockaddr_un un;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/log", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&un, sizeof(un)) == 0);
	snprintf(conf, sizeof(conf), "global\n  log %s\n", un.sun_path);
	snprintf(want, sizeof(want), "t.conf:2:7: error: a syslog target "
	    "needs a facility, e.g. 'log %s local0'\n", un.sun_path);
	EXPECT_STR(kw_diags(conf), want);
	close(fd);
	unlink(un.sun_path);
	rmdir(dir);
}

static void
test_log_errors(void)
{
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1\n"),
	    "t.conf:2:7: error: a syslog target needs a facility, e.g. 'log "
	    "127.0.0.1 local0'\n");
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1 locl0\n"),
	    "t.conf:2:17: error: unknown log facility 'locl0' (did you mean "
	    "'local0'?)\n");
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1 nowhere\n"),
	    "t.conf:2:17: error: unknown log facility 'nowhere'\n");
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1 local0 inf\n"),
	    "t.conf:2:24: error: unknown log level 'inf' (expected emerg, "
	    "alert, crit, err, warning, notice, info or debug)\n");
	EXPECT_STR(kw_diags("global\n  log tcp@10.0.0.1:514 local0\n"),
	    "t.conf:2:7: error: log target 'tcp@10.0.0.1:514' is not "
	    "supported yet\n");
	EXPECT_STR(kw_diags("global\n  log stdout format xml\n"),
	    "t.conf:2:21: error: unknown log format 'xml' (expected raw, "
	    "rfc3164, rfc5424 or json)\n");
	EXPECT_STR(kw_diags("global\n  log stdout format\n"),
	    "t.conf:2:14: error: 'format' needs a value\n");
	EXPECT_STR(kw_diags("global\n  log stdout sample 1:2\n"),
	    "t.conf:2:14: error: log sampling is not supported yet\n");
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1:99999 local0\n"),
	    "t.conf:2:7: error: invalid log target '127.0.0.1:99999': port "
	    "must be 1..65535\n");
	EXPECT_STR(kw_diags("global\n  log global\n"),
	    "t.conf:2:7: error: 'log global' belongs in a proxy section\n");
}

static void
test_log_levels(void)
{
	struct conf *c;
	struct conf_log *l;

	/* "alert" is a facility and a level: its place says which */
	LOAD(c, "global\n  log 127.0.0.1 alert alert\n"
	    "  log 127.0.0.1 local0 alert\n");
	l = c->global.logs;
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	EXPECT_INT(l->facility, 14);
	EXPECT_INT(l->level, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->next);
	EXPECT_INT(l->next->facility, 16);
	EXPECT_INT(l->next->level, 1);
	conf_free(c);
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1 local0 info info info\n"),
	    "t.conf:2:34: error: 'log' takes at most a facility, a level and "
	    "a minimum level, got 'info' too\n");
	EXPECT_STR(kw_diags("global\n  log 127.0.0.1 len 10 local0\n"),
	    "t.conf:2:21: error: log len must be 80..65535, got 10\n");
}

static void
test_broken_word(void)
{
	/* an unset variable is one error, not one more per keyword */
	EXPECT_STR(kw_diags("global\n  nbthread ${WEIR_TEST_NOT_SET}\n"
	    "  pidfile x${WEIR_TEST_NOT_SET}\n"),
	    "t.conf:2:12: error: environment variable 'WEIR_TEST_NOT_SET' is "
	    "not set\n"
	    "t.conf:3:12: error: environment variable 'WEIR_TEST_NOT_SET' is "
	    "not set\n");
}

static void
test_log_proxy(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "defaults\n  log global\n  log stdout\n"
	    "frontend a\n"
	    "frontend b\n  no log\n"
	    "frontend d\n  log stderr\n");
	PX(px, c, "a");
	EXPECT_TRUE(px->log_global);
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->logs);
	EXPECT_INT(px->logs->kind, LOG_STDOUT);
	PX(px, c, "b");
	EXPECT_TRUE(!px->log_global);
	CU_ASSERT_PTR_NULL(px->logs);
	/* d adds to its copy of the list, not to the defaults' */
	PX(px, c, "d");
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->logs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->logs->next);
	EXPECT_INT(px->logs->next->kind, LOG_STDERR);
	PX(px, c, "a");
	CU_ASSERT_PTR_NULL(px->logs->next);
	conf_free(c);
}

/* ---- stats socket ------------------------------------------------------ */

static void
test_stats_socket(void)
{
	struct conf *c;
	struct conf_stats_socket *s;

	LOAD(c, "global\n"
	    "  stats socket /run/weir.sock\n"
	    "  stats socket unix@/run/b.sock mode 660 level operator "
	    "expose-fd listeners\n");
	s = c->global.sockets;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_STR(s->path, "/run/weir.sock");
	EXPECT_INT(s->mode, 0600);
	EXPECT_INT(s->level, STATS_LEVEL_ADMIN);
	EXPECT_TRUE(!s->expose_fd);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_STR(s->path, "/run/b.sock");
	EXPECT_INT(s->mode, 0660);
	EXPECT_INT(s->level, STATS_LEVEL_OPERATOR);
	EXPECT_TRUE(s->expose_fd);
	conf_free(c);
}

static void
test_stats_socket_errors(void)
{
	EXPECT_STR(kw_diags("global\n  stats socket\n"),
	    "t.conf:2:3: error: 'stats socket' needs 1 argument, got 0\n");
	EXPECT_STR(kw_diags("global\n  stats socket ipv4@1.2.3.4:9\n"),
	    "t.conf:2:16: error: stats socket 'ipv4@1.2.3.4:9': only unix "
	    "socket paths are supported\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x mode 999\n"),
	    "t.conf:2:24: error: invalid socket mode '999' (expected octal, "
	    "e.g. 600)\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x mode 1777\n"),
	    "t.conf:2:24: error: invalid socket mode '1777' (expected octal, "
	    "e.g. 600)\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x mode\n"),
	    "t.conf:2:19: error: stats socket option 'mode' needs a value\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x level god\n"),
	    "t.conf:2:25: error: unknown level 'god' (expected user, "
	    "operator or admin)\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x expose-fd all\n"),
	    "t.conf:2:29: error: expected 'expose-fd listeners', got "
	    "'all'\n");
	EXPECT_STR(kw_diags("global\n  stats socket /x user root\n"),
	    "t.conf:2:19: error: stats socket option 'user' is not supported "
	    "yet (weir knows mode, level and expose-fd)\n");
	EXPECT_STR(kw_diags("global\n  stats sockt /x\n"),
	    "t.conf:2:9: error: unknown stats keyword 'sockt' in the global "
	    "section (did you mean 'socket'?)\n");
	EXPECT_STR(kw_diags("global\n  stats maxconn 1\n"),
	    "t.conf:2:9: error: stats keyword 'maxconn' is not supported "
	    "yet\n");
}

/* ---- errorfile --------------------------------------------------------- */

static void
test_errorfile(void)
{
	char dir[] = "/tmp/weir-kw-XXXXXX", text[512], name[512];
	struct conf *c;
	struct conf_proxy *px;
	struct conf_errorfile *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "503.http", "HTTP/1.0 503 Busy\r\n"
	    "Content-Type: text/plain\r\n\r\nbusy\n");
	put_file(dir, "404.http", "HTTP/1.1 404 Nope\n\nnope\n");
	snprintf(text, sizeof(text), "frontend f\n"
	    "  errorfile 503 %s/503.http\n"
	    "  errorfile 404 404.http\n", dir);
	/* a relative name is relative to the file that holds it */
	snprintf(name, sizeof(name), "%s/t.conf", dir);
	c = kw_run(name, text);
	EXPECT_STR(kw_buf, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	PX(px, c, "f");
	e = px->errorfiles;
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	EXPECT_INT(e->status, 503);
	EXPECT_INT(e->len, strlen("HTTP/1.0 503 Busy\r\n"
	    "Content-Type: text/plain\r\n\r\nbusy\n"));
	EXPECT_TRUE(strncmp(e->data, "HTTP/1.0 503 Busy\r\n", 19) == 0);
	e = e->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	EXPECT_INT(e->status, 404);
	EXPECT_STR(e->data, "HTTP/1.1 404 Nope\n\nnope\n");
	conf_free(c);
	rm_tree(dir);
}

static void
test_errorfile_replaced(void)
{
	char dir[] = "/tmp/weir-kw-XXXXXX", text[512];
	struct conf *c;
	struct conf_proxy *px;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "a", "HTTP/1.0 503 A\r\n\r\n");
	put_file(dir, "b", "HTTP/1.0 503 B\r\n\r\n");
	snprintf(text, sizeof(text), "defaults\n  errorfile 503 %s/a\n"
	    "frontend f\n  errorfile 503 %s/b\nfrontend g\n", dir, dir);
	LOAD(c, text);
	PX(px, c, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->errorfiles);
	EXPECT_STR(px->errorfiles->data, "HTTP/1.0 503 B\r\n\r\n");
	CU_ASSERT_PTR_NULL(px->errorfiles->next);
	/* g still has the defaults' one */
	PX(px, c, "g");
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->errorfiles);
	EXPECT_STR(px->errorfiles->data, "HTTP/1.0 503 A\r\n\r\n");
	conf_free(c);
	rm_tree(dir);
}

static void
test_errorfile_errors(void)
{
	char dir[] = "/tmp/weir-kw-XXXXXX", text[512], want[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "plain.txt", "Sorry, we are closed.\n\nCome back.\n");
	snprintf(text, sizeof(text), "frontend f\n"
	    "  errorfile 503 %s/plain.txt\n", dir);
	snprintf(want, sizeof(want), "t.conf:2:17: error: errorfile "
	    "'%s/plain.txt' does not hold an HTTP response (a status line, "
	    "headers, a blank line)\n", dir);
	EXPECT_STR(kw_diags(text), want);

	snprintf(text, sizeof(text), "frontend f\n  errorfile 503 %s/none\n",
	    dir);
	snprintf(want, sizeof(want), "t.conf:2:17: error: cannot open "
	    "'%s/none': No such file or directory\n", dir);
	EXPECT_STR(kw_diags(text), want);

	snprintf(text, sizeof(text), "frontend f\n  errorfile 503 %s\n", dir);
	snprintf(want, sizeof(want), "t.conf:2:17: error: '%s' is not a "
	    "regular file\n", dir);
	EXPECT_STR(kw_diags(text), want);
	rm_tree(dir);

	EXPECT_STR(kw_diags("frontend f\n  errorfile 302 /x\n"),
	    "t.conf:2:13: error: weir never answers with status 302 by "
	    "itself: no errorfile for it\n");
	EXPECT_STR(kw_diags("frontend f\n  errorfile 999 /x\n"),
	    "t.conf:2:13: error: errorfile status must be 100..599, got "
	    "999\n");
	EXPECT_STR(kw_diags("frontend f\n  errorfile 503\n"),
	    "t.conf:2:3: error: 'errorfile' needs 2 arguments, got 1\n");
}

/* ---- http-request ------------------------------------------------------ */

static void
test_http_headers(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	LOAD(c, "frontend f\n"
	    "  http-request set-header X-A \"a b\"\n"
	    "  http-request add-header X-B 100%%\n"
	    "  http-request del-header X-C if { path /x }\n"
	    "  http-response set-header X-D d\n");
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_SET_HEADER);
	EXPECT_STR(r->name, "X-A");
	EXPECT_STR(r->value, "a b");
	CU_ASSERT_PTR_NULL(r->cond);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_ADD_HEADER);
	/* "%%" is a literal '%' */
	EXPECT_STR(r->value, "100%");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_DEL_HEADER);
	EXPECT_STR(r->name, "X-C");
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	CU_ASSERT_PTR_NULL(r->next);
	r = px->http_rsp;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_SET_HEADER);
	EXPECT_STR(r->name, "X-D");
	conf_free(c);
}

static void
test_http_deny_redirect(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	LOAD(c, "frontend f\n"
	    "  http-request deny\n"
	    "  http-request deny deny_status 429\n"
	    "  http-request redirect location /new\n"
	    "  http-request redirect prefix https://x code 308\n"
	    "  http-request redirect scheme https code 301\n");
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_DENY);
	EXPECT_INT(r->status, 403);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->status, 429);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_REDIRECT);
	EXPECT_INT(r->redir, REDIR_LOCATION);
	EXPECT_STR(r->value, "/new");
	EXPECT_INT(r->status, 302);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->redir, REDIR_PREFIX);
	EXPECT_STR(r->value, "https://x");
	EXPECT_INT(r->status, 308);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->redir, REDIR_SCHEME);
	EXPECT_INT(r->status, 301);
	conf_free(c);
}

static void
test_http_return(void)
{
	char dir[] = "/tmp/weir-kw-XXXXXX", text[512], name[512];
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "body.html", "<p>down</p>\n");
	snprintf(text, sizeof(text), "frontend f\n"
	    "  http-request return\n"
	    "  http-request return status 503 content-type text/plain "
	    "string \"no way\"\n"
	    "  http-request return content-type text/html file body.html\n");
	snprintf(name, sizeof(name), "%s/t.conf", dir);
	c = kw_run(name, text);
	EXPECT_STR(kw_buf, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_RETURN);
	EXPECT_INT(r->status, 200);
	CU_ASSERT_PTR_NULL(r->body);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->status, 503);
	EXPECT_STR(r->ctype, "text/plain");
	EXPECT_STR(r->body, "no way");
	EXPECT_INT(r->body_len, 6);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_STR(r->ctype, "text/html");
	EXPECT_STR(r->body, "<p>down</p>\n");
	EXPECT_INT(r->body_len, 12);
	conf_free(c);
	rm_tree(dir);
}

static void
test_http_errors(void)
{
	EXPECT_STR(kw_diags("frontend f\n  http-request\n"),
	    "t.conf:2:3: error: 'http-request' needs an action\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request dny\n"),
	    "t.conf:2:16: error: unknown http-request action 'dny' in "
	    "frontend 'f' (did you mean 'deny'?)\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request allow\n"),
	    "t.conf:2:16: error: http-request action 'allow' is not "
	    "supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header X\n"),
	    "t.conf:2:3: error: 'http-request set-header' needs 2 arguments, "
	    "got 1\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header \"X Y\" "
	    "v\n"), "t.conf:2:27: error: invalid header name 'X Y'\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request deny x\n"),
	    "t.conf:2:21: error: 'http-request deny' takes only 'deny_status "
	    "N', got 'x'\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request deny deny_status "
	    "99\n"), "t.conf:2:33: error: deny status must be 200..599, got "
	    "99\n");
	EXPECT_STR(kw_diags("frontend f\n  http-response redirect location "
	    "/\n"), "t.conf:2:17: error: unknown http-response action "
	    "'redirect' in frontend 'f'\n");
}

static void
test_http_format(void)
{
	const char *got;

	/* %[fetch] is read; an unknown fetch is named where it stands */
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header X "
	    "a%[src]\n"), "");
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header X "
	    "%[ssl_c_s_dn(CN)]-%[ssl_fc_sni]\n"), "");
	got = kw_diags("frontend f\n  http-request set-header X a%[nope]\n");
	EXPECT_TRUE(starts_with(got, "t.conf:2:30: error: 'a%[nope]': "
	    "unknown sample fetch 'nope' "));
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header X "
	    "%[req.hdr]\n"), "t.conf:2:29: error: '%[req.hdr]': 'req.hdr' "
	    "needs an argument: req.hdr(name)\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request set-header X "
	    "%[src]%ci\n"), "t.conf:2:35: error: '%[src]%ci': log-format "
	    "variables ('%c') are not supported in values: use %[fetch], or "
	    "write a literal '%' as '%%'\n");
	got = kw_diags("frontend f\n  http-request set-header X 50%\n");
	EXPECT_TRUE(starts_with(got, "t.conf:2:29: error: '50%': log-format "
	    "expressions in values "));
}

static void
test_redirect_errors(void)
{
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect\n"),
	    "t.conf:2:3: error: 'redirect' needs location, prefix or scheme "
	    "and a value\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect to /x\n"),
	    "t.conf:2:25: error: unknown redirect type 'to' (expected "
	    "location, prefix or scheme)\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect location /x "
	    "code 305\n"), "t.conf:2:42: error: redirect code must be 301, "
	    "302, 303, 307 or 308, got 305\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect location /x "
	    "code\n"), "t.conf:2:37: error: redirect option 'code' needs a "
	    "value\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect location /x "
	    "set-cookie A=1\n"), "t.conf:2:37: error: redirect option "
	    "'set-cookie' is not supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request redirect prefix "
	    "/%[src]\n"), "t.conf:2:32: error: '/%[src]': sample expressions "
	    "in values are not supported yet (write a literal '%' as '%%')\n");
}

static void
test_redirect_options(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	LOAD(c, "frontend f\n"
	    "  http-request redirect prefix /new code 307 drop-query "
	    "append-slash\n"
	    "  http-request redirect location https://%[req.hdr(host)]/x "
	    "code 303\n");
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->redir, REDIR_PREFIX);
	EXPECT_INT(r->status, 307);
	EXPECT_INT(r->redir_flags, REDIR_F_DROP_QUERY | REDIR_F_APPEND_SLASH);
	EXPECT_TRUE(!r->value_fmt);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->redir, REDIR_LOCATION);
	EXPECT_INT(r->status, 303);
	EXPECT_INT(r->redir_flags, 0);
	/* a location may hold fetches, kept as written for the graph */
	EXPECT_TRUE(r->value_fmt);
	EXPECT_STR(r->value, "https://%[req.hdr(host)]/x");
	conf_free(c);
}

static void
test_http_rewrite(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	LOAD(c, "frontend f\n"
	    "  http-request set-path /v2%[path]\n"
	    "  http-request set-query a=1&%[query]\n"
	    "  http-request replace-path ^/old/(.*) /new/\\1\n"
	    "  http-request replace-header X-Host ^(.*)\\.test$ \\1.example\n"
	    "  http-request replace-value Accept ^text/(.*) app/\\1 "
	    "if { path_beg /x }\n"
	    "  http-response replace-header Server .* weir\n");
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_SET_PATH);
	EXPECT_STR(r->value, "/v2%[path]");
	EXPECT_TRUE(r->value_fmt);
	CU_ASSERT_PTR_NULL(r->regex);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_SET_QUERY);
	EXPECT_STR(r->value, "a=1&%[query]");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_REPLACE_PATH);
	EXPECT_STR(r->regex, "^/old/(.*)");
	EXPECT_STR(r->value, "/new/\\1");
	EXPECT_TRUE(!r->value_fmt);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_REPLACE_HEADER);
	EXPECT_STR(r->name, "X-Host");
	EXPECT_STR(r->regex, "^(.*)\\.test$");
	EXPECT_STR(r->value, "\\1.example");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_REPLACE_VALUE);
	EXPECT_STR(r->name, "Accept");
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	r = px->http_rsp;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_REPLACE_HEADER);
	EXPECT_STR(r->name, "Server");
	EXPECT_STR(r->regex, ".*");
	EXPECT_STR(r->value, "weir");
	conf_free(c);
}

static void
test_rewrite_errors(void)
{
	const char *got;

	EXPECT_STR(kw_diags("frontend f\n  http-request set-path\n"),
	    "t.conf:2:3: error: 'http-request set-path' needs 1 argument, "
	    "got 0\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request set-query a b\n"),
	    "t.conf:2:28: error: 'http-request set-query' takes at most 1 "
	    "argument, got 'b' too\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request replace-path /x\n"),
	    "t.conf:2:3: error: 'http-request replace-path' needs 2 "
	    "arguments, got 1\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request replace-header "
	    "\"A B\" x y\n"), "t.conf:2:31: error: invalid header name "
	    "'A B'\n");
	got = kw_diags("frontend f\n  http-request replace-path (x /y\n");
	EXPECT_TRUE(starts_with(got, "t.conf:2:29: error: invalid regular "
	    "expression '(x': "));
	got = kw_diags("frontend f\n  http-request replace-value A x( y\n");
	EXPECT_TRUE(starts_with(got, "t.conf:2:32: error: invalid regular "
	    "expression 'x(': "));
	got = kw_diags("frontend f\n  http-request set-path %[nope]\n");
	EXPECT_STR(got, "t.conf:2:25: error: '%[nope]': unknown sample fetch "
	    "'nope' (see 'Sample fetches' in lb.conf(5))\n");
	EXPECT_STR(kw_diags("frontend f\n  http-response set-path /x\n"),
	    "t.conf:2:17: error: unknown http-response action 'set-path' in "
	    "frontend 'f' (did you mean 'set-var'?)\n");
}

static void
test_return_errors(void)
{
	EXPECT_STR(kw_diags("frontend f\n  http-request return string hi\n"),
	    "t.conf:2:3: error: 'return' with a body needs a "
	    "content-type\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request return status 100\n"),
	    "t.conf:2:30: error: return status must be 200..599, got 100\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request return status\n"),
	    "t.conf:2:23: error: 'status' needs a value\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request return content-type "
	    "a/b string x string y\n"), "t.conf:2:49: error: 'return' takes "
	    "one body: string, file or errorfile\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request return hdr x y\n"),
	    "t.conf:2:23: error: return option 'hdr' is not supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  http-request return content-type "
	    "a/b file /nonexistent/x\n"), "t.conf:2:45: error: cannot open "
	    "'/nonexistent/x': No such file or directory\n");
}

static void
test_return_errorfile(void)
{
	char dir[] = "/tmp/weir-kw-XXXXXX", text[512], name[512];
	struct conf *c;
	struct conf_proxy *px;
	struct conf_http_rule *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "gone.http", "HTTP/1.1 410 Gone\r\nContent-Length: "
	    "0\r\n\r\n");
	put_file(dir, "bad.http", "<p>not a response</p>\n");
	snprintf(text, sizeof(text), "frontend f\n"
	    "  http-request return status 410 errorfile gone.http\n");
	snprintf(name, sizeof(name), "%s/t.conf", dir);
	c = kw_run(name, text);
	EXPECT_STR(kw_buf, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	PX(px, c, "f");
	r = px->http_req;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, HTTP_ACT_RETURN);
	EXPECT_TRUE(r->raw);
	EXPECT_INT(r->body_len, 40);
	conf_free(c);
	snprintf(text, sizeof(text), "frontend f\n"
	    "  http-request return errorfile bad.http\n"
	    "  http-request return content-type a/b errorfile gone.http\n");
	c = kw_run(name, text);
	snprintf(text, sizeof(text), "%s/t.conf:2:33: error: errorfile "
	    "'%s/bad.http' does not hold an HTTP response (a status line, "
	    "headers, a blank line)\n"
	    "%s/t.conf:3:3: error: 'return' with an errorfile takes its "
	    "content-type from the file, not 'content-type'\n", dir, dir,
	    dir);
	EXPECT_STR(kw_buf, text);
	conf_free(c);
	rm_tree(dir);
}

/* ---- acl and switching ------------------------------------------------- */

static void
test_acl_lines(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_acl *a;

	LOAD(c, "frontend f\n"
	    "  acl api path_beg -i /api /v2\n"
	    "  acl api hdr(host) api.example\n");
	PX(px, c, "f");
	a = px->acls;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT_STR(a->name, "api");
	EXPECT_INT(a->crit, ACL_PATH);
	EXPECT_INT(a->match, ACL_M_BEG);
	EXPECT_STR(a->kw, "path_beg");
	EXPECT_INT(a->flags, ACL_F_ICASE);
	EXPECT_INT(a->nvals, 2);
	EXPECT_STR(a->vals[1].s, "/v2");
	a = a->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT_INT(a->crit, ACL_HDR);
	EXPECT_STR(a->arg, "host");
	conf_free(c);
	EXPECT_STR(kw_diags("frontend f\n  acl a! path /\n"),
	    "t.conf:2:7: error: invalid acl name 'a!' (letters, digits, '_', "
	    "'-', '.' and ':' only)\n");
	EXPECT_STR(kw_diags("frontend f\n  acl a\n"),
	    "t.conf:2:3: error: 'acl' needs 2 arguments, got 1\n");
}

static void
test_switching(void)
{
	struct conf *c;
	struct conf_proxy *px;
	struct conf_switch *sw;

	LOAD(c, "frontend f\n"
	    "  use_backend api if { path_beg /api }\n"
	    "  use_backend other\n"
	    "  default_backend app\n");
	PX(px, c, "f");
	sw = px->switches;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	EXPECT_STR(sw->backend->s, "api");
	CU_ASSERT_PTR_NOT_NULL(sw->cond);
	sw = sw->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
	EXPECT_STR(sw->backend->s, "other");
	CU_ASSERT_PTR_NULL(sw->cond);
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->default_backend);
	EXPECT_STR(px->default_backend->s, "app");
	conf_free(c);
	EXPECT_STR(kw_diags("frontend f\n  use_backend a b\n"),
	    "t.conf:2:17: error: 'use_backend' takes at most 1 argument, got "
	    "'b' too\n");
	EXPECT_TRUE(starts_with(kw_diags("frontend f\n  use_backend "
	    "%[req.hdr(host)]\n"), "t.conf:2:15: error: dynamic backend "
	    "names "));
}

/* ---- defaults ---------------------------------------------------------- */

static void
test_defaults_copied(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "defaults\n"
	    "  mode http\n"
	    "  timeout connect 4s\n"
	    "  balance leastconn\n"
	    "  retries 7\n"
	    "  option forwardfor\n"
	    "  default_backend app\n"
	    "frontend f\n"
	    "backend app\n"
	    "  mode tcp\n");
	EXPECT_INT(c->nproxies, 2);
	PX(px, c, "f");
	EXPECT_INT(px->cap, PX_CAP_FE);
	EXPECT_INT(px->mode, PX_MODE_HTTP);
	EXPECT_TRUE(px->mode_origin.inherited);
	EXPECT_INT(px->mode_origin.loc.line, 2);
	EXPECT_TRUE(px->opts & OPT(OPT_FORWARDFOR));
	EXPECT_TRUE(px->opt_origin[OPT_FORWARDFOR].inherited);
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->default_backend);
	EXPECT_STR(px->default_backend->s, "app");
	PX(px, c, "app");
	EXPECT_INT(px->cap, PX_CAP_BE);
	EXPECT_INT(px->mode, PX_MODE_TCP);
	EXPECT_TRUE(!px->mode_origin.inherited);
	EXPECT_INT(px->timeout_ms[TO_CONNECT], 4000);
	EXPECT_INT(px->balance, LB_LEASTCONN);
	EXPECT_TRUE(px->balance_origin.inherited);
	EXPECT_INT(px->retries, 7);
	conf_free(c);
}

static void
test_defaults_later(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "defaults\n"
	    "  mode http\n"
	    "  timeout client 1s\n"
	    "frontend early\n"
	    "defaults\n"
	    "  timeout client 9s\n"
	    "frontend late\n");
	PX(px, c, "early");
	EXPECT_INT(px->mode, PX_MODE_HTTP);
	EXPECT_INT(px->timeout_ms[TO_CLIENT], 1000);
	/* a new defaults section starts over from the built-in values */
	PX(px, c, "late");
	EXPECT_INT(px->mode, PX_MODE_TCP);
	EXPECT_INT(px->timeout_ms[TO_CLIENT], 9000);
	conf_free(c);
}

static void
test_builtin_defaults(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "backend b\n");
	PX(px, c, "b");
	EXPECT_INT(px->mode, PX_MODE_TCP);
	EXPECT_INT(px->retries, 3);
	EXPECT_INT(px->balance, LB_ROUNDROBIN);
	EXPECT_INT(px->hash_type, HASH_MAP_BASED);
	EXPECT_INT(px->timeout_ms[TO_CONNECT], 0);
	EXPECT_TRUE(!px->timeout_origin[TO_CONNECT].set);
	EXPECT_INT(px->defsrv.weight, 1);
	EXPECT_INT(px->opts, 0);
	EXPECT_INT(px->loc.line, 1);
	conf_free(c);
}

static void
test_proxy_order(void)
{
	struct conf *c;
	struct conf_proxy *px;

	LOAD(c, "global\nbackend b\ndefaults\nfrontend f\nlisten l\n");
	EXPECT_INT(c->nproxies, 3);
	px = c->proxies;
	CU_ASSERT_PTR_NOT_NULL_FATAL(px);
	EXPECT_STR(px->name, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->next);
	EXPECT_STR(px->next->name, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(px->next->next);
	EXPECT_STR(px->next->next->name, "l");
	conf_free(c);
}

/* What weir reads but does not act on yet is said, never silent. */
static void
test_inert_settings_warn(void)
{
	kw_keep_inert = true;
	EXPECT_STR(kw_diags("global\n"
	    "  log 127.0.0.1 local0\n"
	    "  stats socket /run/w.sock\n"
	    "defaults\n"
	    "  option httplog\n"
	    "  timeout check 2s\n"
	    "  timeout queue 5s\n"
	    "backend b\n"
	    "  option httpchk /health\n"
	    "  server a 127.0.0.1:80 check\n"),
	    "");
	kw_keep_inert = false;
}

/* Health-check and error-detection settings, and their errors. */
static void
test_check_settings(void)
{
	struct conf *c = kw_run("t.conf", "defaults\n"
	    "  retry-on conn-failure 503 response-timeout\n"
	    "backend b\n"
	    "  option httpchk\n"
	    "  http-check send meth GET uri /health ver HTTP/1.1 hdr Host x\n"
	    "  http-check expect ! rstatus ^5\n"
	    "  server a 127.0.0.1:80 check inter 3s fastinter 1s port 8080 "
	    "addr 127.0.0.2 observe layer7 error-limit 5 on-error "
	    "circuit-break cooldown 30s half-open 3 slowstart 1m "
	    "on-marked-down shutdown-sessions\n"
	    "backend t\n"
	    "  option tcp-check\n"
	    "  tcp-check connect port 6379\n"
	    "  tcp-check send PING\\r\\n\n"
	    "  tcp-check expect string +PONG\n"
	    "backend m\n"
	    "  option mysql-check user haproxy post-41\n");
	const struct conf_proxy *b, *t, *m;
	const struct conf_server *a;

	EXPECT_STR(kw_buf, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	b = c->proxies;
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	t = b->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	m = t->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	EXPECT_STR(m->name, "m");
	CU_ASSERT_EQUAL(b->retry_on, RETRY_CONN_FAILURE | RETRY_503 |
	    RETRY_RESPONSE_TIMEOUT);
	CU_ASSERT_EQUAL(b->chk, CHK_HTTP);
	EXPECT_STR(b->httpchk_method, "GET");
	EXPECT_STR(b->httpchk_uri, "/health");
	EXPECT_STR(b->httpchk_version, "HTTP/1.1");
	EXPECT_STR(b->httpchk_hdrs, "Host: x\r\n");
	CU_ASSERT_EQUAL(b->chk_expect, CHK_EXPECT_RSTATUS);
	CU_ASSERT(b->chk_expect_neg);
	a = b->servers;
	CU_ASSERT_EQUAL(a->inter_ms, 3000);
	CU_ASSERT_EQUAL(a->fastinter_ms, 1000);
	CU_ASSERT_EQUAL(a->downinter_ms, 0);
	CU_ASSERT_EQUAL(a->check_port, 8080);
	EXPECT_STR(a->check_addr_text, "127.0.0.2");
	CU_ASSERT_EQUAL(a->observe, OBSERVE_LAYER7);
	CU_ASSERT_EQUAL(a->error_limit, 5);
	CU_ASSERT_EQUAL(a->on_error, ON_ERROR_CIRCUIT_BREAK);
	CU_ASSERT_EQUAL(a->cooldown_ms, 30000);
	CU_ASSERT_EQUAL(a->half_open, 3);
	CU_ASSERT_EQUAL(a->slowstart_ms, 60000);
	CU_ASSERT(a->flags & SRV_DOWN_KILL);
	CU_ASSERT_EQUAL(t->chk, CHK_TCPCHK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->tcpchk);
	CU_ASSERT_EQUAL(t->tcpchk->act, TCPCHK_CONNECT);
	CU_ASSERT_EQUAL(t->tcpchk->port, 6379);
	EXPECT_STR(t->tcpchk->next->data, "PING\r\n");
	CU_ASSERT_EQUAL(t->tcpchk->next->next->act, TCPCHK_EXPECT_STRING);
	CU_ASSERT_EQUAL(m->chk, CHK_MYSQL);
	EXPECT_STR(m->chk_user, "haproxy");
	conf_free(c);

	EXPECT_STR(kw_diags("backend b\n  server a 127.0.0.1:80 on-error "
	    "explode\n"),
	    "t.conf:2:34: error: 'on-error' takes fastinter, fail-check, "
	    "sudden-death, mark-down or circuit-break, not 'explode'\n");
	EXPECT_STR(kw_diags("backend b\n  server a 127.0.0.1:80 observe "
	    "layer9\n"),
	    "t.conf:2:33: error: 'observe' takes none, layer4 or layer7, not "
	    "'layer9'\n");
	EXPECT_STR(kw_diags("backend b\n  http-check expect status 2xx\n"),
	    "t.conf:2:28: error: invalid status list '2xx' (expected e.g. "
	    "200, 200,204 or 200-399)\n");
	EXPECT_STR(kw_diags("backend b\n  http-check expect rstring (\n"),
	    "t.conf:2:29: error: invalid regex '(': Unmatched ( or \\(\n");
	EXPECT_STR(kw_diags("backend b\n  retry-on 502 teapot\n"),
	    "t.conf:2:16: error: unknown retry-on condition 'teapot' (weir "
	    "knows none, conn-failure, empty-response, junk-response, "
	    "response-timeout, 0rtt-rejected, 404, 408, 425, 500, 501, 502, "
	    "503, 504, all-retryable-errors)\n");
	EXPECT_STR(kw_diags("backend b\n  tcp-check recv\n"),
	    "t.conf:2:13: error: 'tcp-check recv' is not supported (weir "
	    "knows connect, send, expect and comment)\n");
	EXPECT_STR(kw_diags("backend b\n  option pgsql-check\n"),
	    "t.conf:2:3: error: 'option pgsql-check' needs 'user NAME'\n");
}

/* ---- tcp-request and stick rules --------------------------------------- */

/* tcp-request connection|content and stick rules, in the file's order. */
static void
test_tcp_request_and_stick(void)
{
	struct conf *c;
	struct conf_proxy *px;
	const struct conf_tcp_rule *r;
	const struct conf_stick_rule *s;

	LOAD(c, "listen l\n"
	    "  tcp-request connection track-sc0 src\n"
	    "  tcp-request connection track-sc2 src table other\n"
	    "  tcp-request connection reject if { sc_conn_cur(0) gt 3 }\n"
	    "  tcp-request connection accept unless { src 10.0.0.0/8 }\n"
	    "  tcp-request content track-sc1 src\n"
	    "  tcp-request content reject if { src 10.1.2.3 }\n"
	    "  stick on src\n"
	    "  stick match src table other if { src 10.0.0.0/8 }\n"
	    "  stick store-request src table other\n"
	    "  stick on hdr(X-User) table users\n"
	    "  stick match req.hdr(X-Id)\n");
	PX(px, c, "l");
	r = px->tcp_conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_TRACK_SC);
	EXPECT_INT(r->sc, 0);
	CU_ASSERT_PTR_NULL(r->table);
	CU_ASSERT_PTR_NULL(r->cond);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->sc, 2);
	EXPECT_STR(r->table, "other");
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_REJECT);
	CU_ASSERT_PTR_NOT_NULL(r->cond);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_ACCEPT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->cond);
	CU_ASSERT(r->cond->unless);
	CU_ASSERT_PTR_NULL(r->next);
	r = px->tcp_content;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_TRACK_SC);
	EXPECT_INT(r->sc, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->next);
	EXPECT_INT(r->next->act, TCP_ACT_REJECT);
	CU_ASSERT_PTR_NULL(r->next->next);
	s = px->stick;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->what, STICK_MATCH | STICK_STORE);
	EXPECT_INT(s->key, STICK_KEY_SRC);
	CU_ASSERT_PTR_NULL(s->table);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->what, STICK_MATCH);
	EXPECT_STR(s->table, "other");
	CU_ASSERT_PTR_NOT_NULL(s->cond);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->what, STICK_STORE);
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->key, STICK_KEY_HDR);
	EXPECT_STR(s->key_arg, "X-User");
	EXPECT_STR(s->table, "users");
	s = s->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->what, STICK_MATCH);
	EXPECT_INT(s->key, STICK_KEY_HDR);
	EXPECT_STR(s->key_arg, "X-Id");
	CU_ASSERT_PTR_NULL(s->next);
	conf_free(c);

	/* a named defaults section's rules come first, copied */
	LOAD(c, "defaults base\n"
	    "  tcp-request connection reject if { src 10.0.0.0/8 }\n"
	    "frontend f1\n"
	    "  tcp-request connection accept\n"
	    "frontend f2\n");
	PX(px, c, "f1");
	r = px->tcp_conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_REJECT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->next);
	EXPECT_INT(r->next->act, TCP_ACT_ACCEPT);
	PX(px, c, "f2");
	r = px->tcp_conn;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	EXPECT_INT(r->act, TCP_ACT_REJECT);
	CU_ASSERT_PTR_NULL(r->next);
	conf_free(c);

	EXPECT_STR(kw_diags("frontend f\n  tcp-request\n"),
	    "t.conf:2:3: error: 'tcp-request' needs 'connection' or "
	    "'content' and an action\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection\n"),
	    "t.conf:2:3: error: 'tcp-request connection' needs an action "
	    "(accept, reject or track-sc0..2)\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request sesion reject\n"),
	    "t.conf:2:15: error: unknown tcp-request 'sesion' in frontend "
	    "'f' (did you mean 'session'?)\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request inspect-delay 5s\n"),
	    "t.conf:2:15: error: tcp-request 'inspect-delay' is not "
	    "supported yet\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection rejet\n"),
	    "t.conf:2:26: error: unknown tcp-request connection action "
	    "'rejet' in frontend 'f' (did you mean 'reject'?)\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection "
	    "expect-proxy layer4\n"),
	    "t.conf:2:26: error: tcp-request connection action "
	    "'expect-proxy' is not supported by weir: use 'accept-proxy' on "
	    "the bind line\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection reject "
	    "now\n"),
	    "t.conf:2:33: error: 'tcp-request connection reject' takes no "
	    "argument, got 'now'\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request content track-sc1\n"),
	    "t.conf:2:3: error: 'tcp-request content track-sc1' needs 1 "
	    "argument, got 0\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection track-sc0 "
	    "hdr(x)\n"),
	    "t.conf:2:36: error: 'tcp-request connection track-sc0': key "
	    "'hdr(x)' is not supported yet (weir keys on 'src', the client's "
	    "address)\n");
	EXPECT_STR(kw_diags("frontend f\n  tcp-request connection track-sc0 "
	    "src tabel t\n"),
	    "t.conf:2:40: error: 'tcp-request connection track-sc0 src' "
	    "takes only 'table NAME' after it\n");
	EXPECT_STR(kw_diags("backend b\n  tcp-request connection reject\n"),
	    "t.conf:2:3: error: keyword 'tcp-request' is not allowed in "
	    "backend 'b' (only in defaults, frontend and listen sections)\n");
	EXPECT_STR(kw_diags("defaults\n  tcp-request content accept\n"),
	    "t.conf:2:3: error: 'tcp-request' rules need a named defaults "
	    "section ('defaults NAME')\n");
	EXPECT_STR(kw_diags("backend b\n  stick\n"),
	    "t.conf:2:3: error: 'stick' needs 'on', 'match' or "
	    "'store-request' and a key\n");
	EXPECT_STR(kw_diags("backend b\n  stick store-response src\n"),
	    "t.conf:2:9: error: stick 'store-response' is not supported "
	    "yet\n");
	EXPECT_STR(kw_diags("backend b\n  stick on req.cook(sid)\n"),
	    "t.conf:2:12: error: 'stick on': key 'req.cook(sid)' is not "
	    "supported yet (weir keys on 'src', the client's address, or "
	    "'hdr(name)')\n");
	EXPECT_STR(kw_diags("backend b\n  stick on hdr()\n"),
	    "t.conf:2:12: error: 'stick on': key 'hdr()' is not supported "
	    "yet (weir keys on 'src', the client's address, or "
	    "'hdr(name)')\n");
	EXPECT_STR(kw_diags("backend b\n  stick on src table\n"),
	    "t.conf:2:16: error: 'stick on src' takes only 'table NAME' "
	    "after it\n");
	EXPECT_STR(kw_diags("frontend f\n  stick on src\n"),
	    "t.conf:2:3: error: keyword 'stick' is not allowed in frontend "
	    "'f' (only in backend and listen sections)\n");
}

CU_TestInfo kw_tests[] = {
	{ "health-check settings land in the conf, errors name the word",
	    test_check_settings },
	{ "settings weir does not act on yet are warned about",
	    test_inert_settings_warn },
	{ "the keyword tables are sorted by name for bsearch",
	    test_tables_sorted },
	{ "every keyword of the tables is found", test_tables_found },
	{ "timeouts, options, modes and balances have names",
	    test_tables_names },
	{ "global settings land in c->global", test_global_values },
	{ "global integers out of range or not numbers are errors",
	    test_global_int_errors },
	{ "too few or too many arguments are errors", test_arity },
	{ "a bad size says what a size looks like", test_global_size_errors },
	{ "a zero or bad duration is an error", test_global_duration_errors },
	{ "an empty string setting is an error", test_global_empty_string },
	{ "an unknown keyword suggests a close one", test_unknown_keyword },
	{ "a keyword of the other kind of section says where it belongs",
	    test_other_section },
	{ "a proxy keyword in the wrong proxy section says where it belongs",
	    test_not_in_section },
	{ "listen takes frontend and backend keywords",
	    test_listen_takes_both },
	{ "refused keywords say why or what to use", test_refused },
	{ "a condition on a keyword that takes none is an error",
	    test_no_condition },
	{ "mode is http or tcp, tcp by default", test_mode },
	{ "retries and maxconn are set with their ranges",
	    test_retries_maxconn },
	{ "each timeout lands in its slot with where it came from",
	    test_timeouts },
	{ "timeout mistakes are reported", test_timeout_errors },
	{ "each timeout is allowed only in its sections",
	    test_timeout_sections },
	{ "options set their bit and remember where", test_options },
	{ "connection modes and log formats exclude each other",
	    test_options_exclusive },
	{ "'no option' clears an inherited option", test_no_option },
	{ "option mistakes are reported", test_option_errors },
	{ "option forwardfor takes except and header", test_forwardfor },
	{ "option httpchk takes a URI or a method, URI and version",
	    test_httpchk },
	{ "monitor-uri must be a path", test_monitor_uri },
	{ "bind takes a list of addresses and a name", test_bind },
	{ "bind mistakes are reported at the address or option",
	    test_bind_errors },
	{ "server options land in the server", test_server },
	{ "default-server settings are inherited by servers",
	    test_default_server },
	{ "server mistakes are reported", test_server_errors },
	{ "every mistake of one server line is reported",
	    test_server_every_error },
	{ "each balance algorithm is set", test_balance },
	{ "random(N) and hdr(name) take their argument", test_balance_args },
	{ "balance mistakes are reported", test_balance_errors },
	{ "hash-type is map-based or consistent", test_hash_type },
	{ "log targets, facilities, levels and formats are read",
	    test_log_targets },
	{ "log mistakes are reported", test_log_errors },
	{ "a log path without a facility is a file", test_log_files },
	{ "a syslog socket without a facility is an error",
	    test_log_socket_needs_facility },
	{ "a log line takes a facility, a level and a minimum level",
	    test_log_levels },
	{ "a word with an unset variable brings no keyword error",
	    test_broken_word },
	{ "proxies take log global, their own logs and 'no log'",
	    test_log_proxy },
	{ "stats socket takes a path, a mode, a level and expose-fd",
	    test_stats_socket },
	{ "stats socket mistakes are reported", test_stats_socket_errors },
	{ "errorfile reads an HTTP response relative to its file",
	    test_errorfile },
	{ "a later errorfile for a status replaces the inherited one",
	    test_errorfile_replaced },
	{ "an errorfile that is missing or not HTTP is refused",
	    test_errorfile_errors },
	{ "http-request and http-response set, add and delete headers",
	    test_http_headers },
	{ "http-request deny and redirect take their status",
	    test_http_deny_redirect },
	{ "http-request return takes a status, a type and a body",
	    test_http_return },
	{ "http-request mistakes are reported", test_http_errors },
	{ "%[fetch] in values is read; log-format variables are refused",
	    test_http_format },
	{ "redirect mistakes are reported", test_redirect_errors },
	{ "redirect takes drop-query, append-slash and a %[] location",
	    test_redirect_options },
	{ "set-path, set-query, replace-path, replace-header, replace-value",
	    test_http_rewrite },
	{ "rewrite mistakes are reported at the word", test_rewrite_errors },
	{ "return errorfile sends a whole response from a file",
	    test_return_errorfile },
	{ "return mistakes are reported", test_return_errors },
	{ "acl lines are read in order", test_acl_lines },
	{ "use_backend and default_backend are kept with their condition",
	    test_switching },
	{ "a proxy starts from the defaults section before it",
	    test_defaults_copied },
	{ "a later defaults section does not change earlier proxies",
	    test_defaults_later },
	{ "a proxy with no defaults has the built-in values",
	    test_builtin_defaults },
	{ "proxies are kept in file order, defaults left out",
	    test_proxy_order },
	{ "tcp-request and stick rules land in order, errors name the word",
	    test_tcp_request_and_stick },
	CU_TEST_INFO_NULL,
};
