/*
 * verify: names, duplicates, modes, binds and timeouts across statements.
 * Each test runs every pass through unit_check() and compares the whole
 * output; DEFAULTS keeps the timeout warnings out of the way.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "diag.h"
#include "graph.h"
#include "kw.h"
#include "unit.h"
#include "verify.h"

/* Four lines: the sections of a test start at line 5. */
#define DEFAULTS							\
	"defaults\n"							\
	"  timeout connect 5s\n"					\
	"  timeout client 30s\n"					\
	"  timeout server 30s\n"

/* A backend app with one server, for frontends to use. */
#define APP								\
	"backend app\n"							\
	"  server s1 127.0.0.1:8080\n"

static void
test_clean(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    APP), "");
}

static void
test_fe_be_same_name(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend app\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    APP), "");
}

static void
test_two_backends(void)
{
	EXPECT_STR(unit_check(DEFAULTS APP APP),
	    "t.conf:7:1: error: backend 'app' has the name of backend 'app' "
	    "at t.conf:5:1\n");
}

static void
test_listen_and_backend(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "listen app\n"
	    "  bind :80\n"
	    "  server s1 127.0.0.1:8080\n"
	    APP),
	    "t.conf:8:1: error: backend 'app' has the name of listen 'app' at "
	    "t.conf:5:1\n");
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend app\n"
	    "  bind :80\n"
	    "listen app\n"
	    "  bind :81\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:5:1: warning: frontend 'app' has no backend: every "
	    "request gets 503\n"
	    "t.conf:7:1: error: listen 'app' has the name of frontend 'app' "
	    "at t.conf:5:1\n");
}

static void
test_two_frontends(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend a\n  bind :80\n  default_backend app\n"
	    "frontend a\n  bind :81\n  default_backend app\n"
	    APP),
	    "t.conf:8:1: error: frontend 'a' has the name of frontend 'a' at "
	    "t.conf:5:1\n");
}

static void
test_duplicate_servers(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "backend app\n"
	    "  server s1 127.0.0.1:8080\n"
	    "  server s1 127.0.0.1:8081\n"
	    "  server s2 127.0.0.1:8082\n"
	    "  server s1 127.0.0.1:8083\n"),
	    "t.conf:7:3: error: server 's1' is defined twice in backend 'app' "
	    "(first at t.conf:6:3)\n"
	    "t.conf:9:3: error: server 's1' is defined twice in backend 'app' "
	    "(first at t.conf:6:3)\n");
}

static void
test_same_server_other_backends(void)
{
	EXPECT_STR(unit_check(DEFAULTS APP
	    "backend other\n"
	    "  server s1 127.0.0.1:8080\n"), "");
}

static void
test_undefined_backend(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  use_backend apx\n"
	    "  use_backend zzzzzz\n"
	    "  default_backend ap\n"
	    APP),
	    "t.conf:7:15: error: backend 'apx' is not defined (did you mean "
	    "'app'?)\n"
	    "t.conf:8:15: error: backend 'zzzzzz' is not defined\n"
	    "t.conf:9:19: error: backend 'ap' is not defined (did you mean "
	    "'app'?)\n");
}

static void
test_frontend_is_no_backend(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  default_backend other\n"
	    "frontend other\n"
	    "  bind :81\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:7:19: error: backend 'other' is not defined\n");
}

static void
test_listen_as_backend(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  default_backend l\n"
	    "listen l\n"
	    "  bind :81\n"
	    "  server s 127.0.0.1:1\n"), "");
}

static void
test_undefined_acl(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  acl api path_beg /api\n"
	    "  use_backend app if api || ap1 !apii\n"
	    "  use_backend app if nothing_like_it\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode http\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:9:29: error: acl 'ap1' is not defined in frontend 'web' "
	    "(did you mean 'api'?)\n"
	    "t.conf:9:34: error: acl 'apii' is not defined in frontend 'web' "
	    "(did you mean 'api'?)\n"
	    "t.conf:10:22: error: acl 'nothing_like_it' is not defined in "
	    "frontend 'web'\n");
}

static void
test_acl_of_other_proxy(void)
{
	/* acls belong to their proxy */
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend a\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  acl x path /x\n"
	    "  default_backend app\n"
	    "frontend b\n"
	    "  mode http\n"
	    "  bind :81\n"
	    "  use_backend app if x\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode http\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:13:22: error: acl 'x' is not defined in frontend 'b'\n");
}

static void
test_acl_lines_ored(void)
{
	/* two lines of one name are one acl, not a duplicate */
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  acl api path_beg /api\n"
	    "  acl api hdr(host) api.example\n"
	    "  use_backend app if api\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode http\n"
	    "  server s1 127.0.0.1:8080\n"), "");
}

static void
test_http_rule_in_tcp(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  http-request deny\n"
	    "  http-response del-header X\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  http-request set-header X y\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:7:3: error: 'http-request' needs mode http; frontend 'web' "
	    "is mode tcp\n"
	    "t.conf:8:3: error: 'http-response' needs mode http; frontend "
	    "'web' is mode tcp\n"
	    "t.conf:11:3: error: 'http-request' needs mode http; backend 'app' "
	    "is mode tcp\n");
}

static void
test_http_acl_in_tcp(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  acl local src 10.0.0.0/8\n"
	    "  acl api path_beg /api\n"
	    "  use_backend app if local { hdr(host) x }\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:8:3: error: acl criterion 'path_beg' needs mode http; "
	    "frontend 'web' is mode tcp\n"
	    "t.conf:9:28: error: acl criterion 'hdr' needs mode http; "
	    "frontend 'web' is mode tcp\n");
}

static void
test_option_inherited_warning(void)
{
	EXPECT_STR(unit_check("defaults\n"
	    "  mode http\n"
	    "  option forwardfor\n"
	    "  timeout connect 5s\n"
	    "  timeout client 30s\n"
	    "  timeout server 30s\n"
	    "frontend web\n"
	    "  mode tcp\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  mode tcp\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:7:1: warning: 'option forwardfor' (inherited from "
	    "defaults at t.conf:3:3) needs mode http; it is ignored in "
	    "frontend 'web'\n"
	    "t.conf:11:1: warning: 'option forwardfor' (inherited from "
	    "defaults at t.conf:3:3) needs mode http; it is ignored in "
	    "backend 'app'\n");
}

static void
test_option_own_warning(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  option httplog\n"
	    "  monitor-uri /alive\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:5:1: warning: 'monitor-uri' needs mode http; it is "
	    "ignored in frontend 'web'\n"
	    "t.conf:7:3: warning: 'option httplog' needs mode http; it is "
	    "ignored in frontend 'web'\n");
}

static void
test_balance_needs_http(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "backend app\n"
	    "  balance uri\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:6:3: error: 'balance uri' needs mode http; backend 'app' "
	    "is mode tcp\n");
	/* inherited, it is reported at the backend */
	EXPECT_STR(unit_check("defaults\n"
	    "  balance hdr(host)\n"
	    "  timeout connect 5s\n"
	    "  timeout server 30s\n"
	    "backend app\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:5:1: error: 'balance hdr' needs mode http; backend 'app' "
	    "is mode tcp\n");
}

static void
test_mode_mismatch(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:8:19: error: frontend 'web' is mode http and cannot use "
	    "backend 'app', which is mode tcp\n");
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  mode http\n"
	    "  bind :80\n"
	    "  use_backend app if { path /x }\n"
	    "  default_backend app2\n"
	    APP
	    "backend app2\n"
	    "  mode http\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:8:15: error: frontend 'web' is mode http and cannot use "
	    "backend 'app', which is mode tcp\n");
}

static void
test_same_bind_twice(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind 127.0.0.1:81\n"
	    "  default_backend app\n"
	    "frontend other\n"
	    "  bind 127.0.0.1:81\n"
	    "  bind 127.0.0.1:82,127.0.0.1:82\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:9:8: error: address '127.0.0.1:81' clashes with "
	    "'127.0.0.1:81' of frontend 'web' at t.conf:6:8\n"
	    "t.conf:10:21: error: address '127.0.0.1:82' clashes with "
	    "'127.0.0.1:82' of frontend 'other' at t.conf:10:8\n");
}

static void
test_wildcard_bind_clash(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  bind 127.0.0.1:80\n"
	    "  bind [::]:80\n"
	    "  bind [::1]:80\n"
	    "  bind 127.0.0.1:81\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:7:8: error: address '127.0.0.1:80' clashes with ':80' of "
	    "frontend 'web' at t.conf:6:8\n"
	    "t.conf:9:8: error: address '[::1]:80' clashes with '[::]:80' of "
	    "frontend 'web' at t.conf:8:8\n");
}

static void
test_timeout_warnings(void)
{
	EXPECT_STR(unit_check("frontend web\n"
	    "  bind :80\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  server s1 127.0.0.1:8080\n"
	    "listen l\n"
	    "  bind :81\n"
	    "  timeout server 1s\n"
	    "  server s 127.0.0.1:1\n"),
	    "t.conf:1:1: warning: frontend 'web' has no 'timeout client' "
	    "(weir uses 30s)\n"
	    "t.conf:4:1: warning: backend 'app' has no 'timeout connect' "
	    "(weir uses 5s)\n"
	    "t.conf:4:1: warning: backend 'app' has no 'timeout server' "
	    "(weir uses 30s)\n"
	    "t.conf:6:1: warning: listen 'l' has no 'timeout client' "
	    "(weir uses 30s)\n"
	    "t.conf:6:1: warning: listen 'l' has no 'timeout connect' "
	    "(weir uses 5s)\n");
}

static void
test_timeout_error_no_warning(void)
{
	/* a wrong timeout is an error, not also a missing one */
	EXPECT_STR(unit_check("frontend web\n"
	    "  bind :80\n"
	    "  timeout client 5x\n"
	    "  default_backend app\n"
	    "backend app\n"
	    "  timeout connect 1s\n"
	    "  timeout server 1s\n"
	    "  server s1 127.0.0.1:8080\n"),
	    "t.conf:3:18: error: invalid duration '5x' for 'timeout client' "
	    "(expected e.g. 500ms, 5s, 2m)\n");
}

static void
test_no_server(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "backend app\n"
	    "backend b\n"
	    "  server a 127.0.0.1:1 weight 0\n"
	    "  server b 127.0.0.1:2 disabled\n"
	    "listen l\n"
	    "  bind :81\n"),
	    "t.conf:5:1: warning: backend 'app' has no server: its requests "
	    "get 503\n"
	    "t.conf:6:1: warning: backend 'b' has no server with a weight "
	    "above 0 that is enabled: its requests get 503\n"
	    "t.conf:9:1: warning: listen 'l' has no server: its requests get "
	    "503\n");
}

static void
test_bad_server_no_warning(void)
{
	/* a server in error still counts: no "has no server" after it */
	EXPECT_STR(unit_check(DEFAULTS
	    "backend app\n"
	    "  server s1 127.0.0.1\n"),
	    "t.conf:6:13: error: invalid address '127.0.0.1' for server "
	    "'s1': a port is needed\n");
}

static void
test_frontend_warnings(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend f\n"
	    "  bind :82\n"
	    "frontend g\n"
	    "  bind :83\n"
	    "  use_backend app\n"
	    "frontend h\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:5:1: warning: frontend 'f' has no backend: every request "
	    "gets 503\n"
	    "t.conf:7:1: warning: frontend 'g' has no 'default_backend': "
	    "requests no rule routes get 503\n"
	    "t.conf:10:1: warning: frontend 'h' has no 'bind': it accepts no "
	    "connection\n");
}

static void
test_stats_socket_twice(void)
{
	EXPECT_STR(unit_check("global\n"
	    "  stats socket /run/a.sock\n"
	    "  stats socket /run/b.sock\n"
	    "  stats socket unix@/run/a.sock\n"),
	    "t.conf:4:3: error: stats socket '/run/a.sock' is declared "
	    "twice\n");
}

static void
test_every_error(void)
{
	/* four errors of four passes, all reported, in line order */
	EXPECT_STR(unit_check(DEFAULTS
	    "frontend web\n"
	    "  bind :80\n"
	    "  use_backend nope\n"
	    "  nbthread 4\n"
	    "  bind :80\n"
	    "  timeout client \"1 s\"\n"
	    "  default_backend app\n"
	    APP),
	    "t.conf:7:15: error: backend 'nope' is not defined\n"
	    "t.conf:8:3: error: keyword 'nbthread' is not allowed in frontend "
	    "'web' (only in the global section)\n"
	    "t.conf:9:8: error: address ':80' clashes with ':80' of frontend "
	    "'web' at t.conf:6:8\n"
	    "t.conf:10:18: error: invalid duration '1 s' for 'timeout "
	    "client' (expected e.g. 500ms, 5s, 2m)\n");
}

static void
test_no_graph_after_error(void)
{
	const char *d;
	struct graph *g;

	g = unit_graph(DEFAULTS APP APP, &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(d[0] != '\0');
	/* warnings alone do not stop the graph */
	g = unit_graph("backend app\n", &d);
	CU_ASSERT_PTR_NOT_NULL(g);
	graph_unref(g);
}

static void
test_find(void)
{
	struct conf *c = conf_new();
	struct diag d;
	static const char text[] = "frontend web\n"
	    "  mode http\n"
	    "  acl a path /a\n"
	    "  acl b path /b\n"
	    "  acl a path /c\n"
	    "backend app\n"
	    "listen l\n";
	const struct conf_acl *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	diag_init(&d);
	conf_load_string(c, "t.conf", text, sizeof(text) - 1, &d);
	kw_apply(c, &d);
	verify_conf(c, &d);
	EXPECT_INT(d.nerr, 0);
	CU_ASSERT_PTR_NOT_NULL(verify_find_backend(c, "app"));
	CU_ASSERT_PTR_NOT_NULL(verify_find_backend(c, "l"));
	CU_ASSERT_PTR_NULL(verify_find_backend(c, "web"));
	CU_ASSERT_PTR_NULL(verify_find_backend(c, "nope"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->proxies);
	a = verify_find_acl(c->proxies, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	/* the first line of the name */
	EXPECT_INT(a->loc.line, 3);
	CU_ASSERT_PTR_NULL(verify_find_acl(c->proxies, "c"));
	diag_reset(&d);
	conf_free(c);
}

/* Health settings that cannot work are warned about. */
static void
test_check_warnings(void)
{
	EXPECT_STR(unit_check(DEFAULTS
	    "backend b\n"
	    "  tcp-check send x\n"
	    "  server a 127.0.0.1:1 observe layer4 on-error mark-down\n"
	    "  server c 127.0.0.1:2 check observe layer4 on-error mark-down\n"
	    "  server d 127.0.0.1:3 observe layer7 on-error circuit-break\n"
	    "backend t\n"
	    "  option tcp-check\n"
	    "  server a 127.0.0.1:1 check\n"),
	    "t.conf:6:3: warning: tcp-check rules have no effect without "
	    "'option tcp-check' in backend 'b'\n"
	    "t.conf:7:3: warning: server 'a' has 'on-error' acting on checks "
	    "but no 'check': once marked down, nothing brings it back\n"
	    "t.conf:10:1: warning: backend 't' has 'option tcp-check' and no "
	    "tcp-check rule: its checks only connect\n");
}

CU_TestInfo verify_tests[] = {
	{ "health settings that cannot work are warned about",
	    test_check_warnings },
	{ "a complete configuration has nothing to say", test_clean },
	{ "a frontend and a backend may share a name", test_fe_be_same_name },
	{ "two backends of one name are an error", test_two_backends },
	{ "listen shares its name with no other proxy",
	    test_listen_and_backend },
	{ "two frontends of one name are an error", test_two_frontends },
	{ "a server name used twice in a backend is an error",
	    test_duplicate_servers },
	{ "server names are per backend", test_same_server_other_backends },
	{ "an undefined backend suggests a close name",
	    test_undefined_backend },
	{ "a frontend cannot serve as a backend",
	    test_frontend_is_no_backend },
	{ "a listen section serves as a backend", test_listen_as_backend },
	{ "an undefined acl suggests a close name", test_undefined_acl },
	{ "an acl of another proxy is undefined", test_acl_of_other_proxy },
	{ "acl lines sharing a name are one acl", test_acl_lines_ored },
	{ "http rules in a tcp proxy are errors", test_http_rule_in_tcp },
	{ "http acl criteria in a tcp proxy are errors, src is not",
	    test_http_acl_in_tcp },
	{ "an http option inherited by a tcp proxy is a warning",
	    test_option_inherited_warning },
	{ "an http option of a tcp proxy itself is a warning at it",
	    test_option_own_warning },
	{ "balance uri and hdr need mode http", test_balance_needs_http },
	{ "a frontend and its backend must share a mode",
	    test_mode_mismatch },
	{ "the same address bound twice is an error", test_same_bind_twice },
	{ "an address under a wildcard of its port is an error",
	    test_wildcard_bind_clash },
	{ "missing timeouts are warnings with the value used",
	    test_timeout_warnings },
	{ "a wrong timeout is not also reported missing",
	    test_timeout_error_no_warning },
	{ "a backend with no usable server is a warning", test_no_server },
	{ "a wrong server line brings no 'has no server' warning",
	    test_bad_server_no_warning },
	{ "frontends without bind or backend are warnings",
	    test_frontend_warnings },
	{ "a stats socket declared twice is an error",
	    test_stats_socket_twice },
	{ "every error is collected, in line order", test_every_error },
	{ "no graph is built after an error, one is after warnings",
	    test_no_graph_after_error },
	{ "backends and acls are found by name", test_find },
	CU_TEST_INFO_NULL,
};
