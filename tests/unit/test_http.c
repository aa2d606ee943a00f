/*
 * HTTP rules end to end, short of sockets: a configuration built as a
 * graph, a request head parsed by h1, its frontend's http-request rules
 * run by http_rules(), and the head http_build_req() would send (or the
 * redirect http_redirect() would answer) compared whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "h1.h"
#include "http.h"
#include "unit.h"

static char fwd[8192];
static struct http_ops ops;

/*
 * What weir makes of req (a request head, "\r\n" line ends) through the
 * frontend whose http-request rules are rules: the head it sends on, the
 * answer of a redirect or return, or "rewrite failed".
 */
static const char *
forward(const char *rules, const char *req)
{
	char text[4096];
	const char *d;
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_http_rule *r;
	struct h1_msg m;
	struct http_view v = { req, &m };
	struct acl_sample smp;
	size_t n = 0;

	snprintf(text, sizeof(text), "defaults\n  mode http\n"
	    "  timeout connect 5s\n  timeout client 30s\n"
	    "  timeout server 30s\n"
	    "frontend f\n  bind 127.0.0.1:8080\n%s  default_backend b\n"
	    "backend b\n  server s 127.0.0.1:8081\n", rules);
	g = unit_graph(text, &d);
	if (g == NULL) {
		snprintf(fwd, sizeof(fwd), "%s", d);
		return fwd;
	}
	fe = graph_find_frontend(g, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	h1_msg_init(&m, H1_REQUEST, 0);
	CU_ASSERT_FATAL(h1_parse(&m, req, strlen(req)) > 0);
	http_sample(&smp, &v, NULL);
	ops.n = 0;
	r = http_rules(fe->px.http_req, fe->px.nhttp_req, &v, &smp, &ops);
	if (r == &http_rewrite_failed)
		n = (size_t)snprintf(fwd, sizeof(fwd), "rewrite failed");
	else if (r != NULL && r->act == HTTP_ACT_REDIRECT)
		n = http_redirect(fwd, sizeof(fwd) - 1, r, &smp, false);
	else if (r != NULL && r->act == HTTP_ACT_RETURN)
		n = http_return(fwd, sizeof(fwd) - 1, r, false);
	else if (r == NULL)
		n = http_build_req(fwd, sizeof(fwd) - 1, req, &m, &ops, 0,
		    NULL, NULL);
	fwd[n] = '\0';
	graph_unref(g);
	return fwd;
}

#define GET(target, fields)						\
	"GET " target " HTTP/1.1\r\nHost: h.test\r\n" fields "\r\n"

static void
test_set_path(void)
{
	EXPECT_STR(forward("  http-request set-path /v2%[path]\n",
	    GET("/a/b?x=1", "")), GET("/v2/a/b?x=1", ""));
	/* an empty path is "/" */
	EXPECT_STR(forward("  http-request set-path %[req.hdr(x-none)]\n",
	    GET("/a?q", "")), GET("/?q", ""));
	/* the scheme and host of an absolute target stay */
	EXPECT_STR(forward("  http-request set-path /p\n",
	    GET("http://h.test", "")), GET("http://h.test/p", ""));
	EXPECT_STR(forward("  http-request set-path /p\n",
	    GET("http://h.test/a?b", "")), GET("http://h.test/p?b", ""));
	/* a blank would break the request line */
	EXPECT_STR(forward("  http-request set-path /%[req.hdr(x-a)]\n",
	    GET("/", "X-A: a b\r\n")), "rewrite failed");
}

static void
test_set_query(void)
{
	EXPECT_STR(forward("  http-request set-query a=1\n", GET("/p", "")),
	    GET("/p?a=1", ""));
	EXPECT_STR(forward("  http-request set-query a=%[url_param(b)]\n",
	    GET("/p?b=2&c=3", "")), GET("/p?a=2", ""));
	/* nothing to set and no '?': the target stays as it is */
	EXPECT_STR(forward("  http-request set-query %[query]\n", GET("/p", "")),
	    GET("/p", ""));
	/* a '?' that was there stays before an empty query */
	EXPECT_STR(forward("  http-request set-query %[req.hdr(x-none)]\n",
	    GET("/p?x", "")), GET("/p?", ""));
}

static void
test_replace_path(void)
{
	const char *r = "  http-request replace-path ^/old/([^/]*)/(.*) "
	    "/new/\\2/\\1\n";

	EXPECT_STR(forward(r, GET("/old/a/b/c?q=/old/x/y", "")),
	    GET("/new/b/c/a?q=/old/x/y", ""));
	/* no match: the path is left alone */
	EXPECT_STR(forward(r, GET("/older/a/b", "")), GET("/older/a/b", ""));
	/* \0 is the match, an unused group nothing, \\ a backslash */
	EXPECT_STR(forward("  http-request replace-path ^/(x)?(a.*) "
	    "/\\1[\\0]\\\\\n", GET("/abc", "")), GET("/[/abc]\\", ""));
}

static void
test_later_rules_see_target(void)
{
	EXPECT_STR(forward("  http-request set-path /x%[path]\n"
	    "  http-request set-query y=1\n"
	    "  http-request set-header X-U %[url]\n"
	    "  http-request set-header X-P %[path] if { path_beg /x/ }\n"
	    "  http-request set-header X-Q %[query]\n",
	    GET("/a?b", "")),
	    GET("/x/a?y=1", "X-U: /x/a?y=1\r\nX-P: /x/a\r\nX-Q: y=1\r\n"));
}

static void
test_replace_header(void)
{
	const char *r = "  http-request replace-header X-H ^(.*)\\.test$ "
	    "\\1.example\n";

	/* every field of the name, in its place; others left alone */
	EXPECT_STR(forward(r, GET("/", "X-H: a.test\r\nX-O: 1\r\n"
	    "x-h: b.org\r\nX-H: c.test\r\n")), GET("/", "X-H: a.example\r\n"
	    "X-O: 1\r\nx-h: b.org\r\nX-H: c.example\r\n"));
	/* as the first edit, its value kept as others are made after it */
	EXPECT_STR(forward("  http-request replace-header X-H ^(.*)$ <\\1>\n"
	    "  http-request add-header X-B %[path]\n"
	    "  http-request replace-header X-H ^<(.*)>$ [\\1]\n",
	    GET("/p", "X-H: v\r\n")), GET("/p", "X-H: [v]\r\nX-B: /p\r\n"));
	/* a field added by an earlier rule is rewritten too */
	EXPECT_STR(forward("  http-request add-header X-A foo\n"
	    "  http-request replace-header X-A ^f(.*) F\\1\n", GET("/", "")),
	    GET("/", "X-A: Foo\r\n"));
	/* a deleted field stays deleted */
	EXPECT_STR(forward("  http-request del-header X-H\n"
	    "  http-request replace-header X-H ^(.*)$ x\n",
	    GET("/", "X-H: a\r\n")), GET("/", ""));
	/* the framing fields are never rewritten */
	EXPECT_STR(forward("  http-request replace-header Content-Length "
	    ".* 99\n", "POST / HTTP/1.1\r\nHost: h.test\r\n"
	    "Content-Length: 2\r\n\r\n"), "POST / HTTP/1.1\r\nHost: h.test\r\n"
	    "Content-Length: 2\r\n\r\n");
}

static void
test_replace_value(void)
{
	EXPECT_STR(forward("  http-request replace-value X-L ^a(.*) A\\1\n",
	    GET("/", "X-L: a1, b2 ,a3\r\nX-L: a4\r\n")),
	    GET("/", "X-L: A1, b2 ,A3\r\nX-L: A4\r\n"));
	EXPECT_STR(forward("  http-request replace-value X-L ^z z\n",
	    GET("/", "X-L: a, b\r\n")), GET("/", "X-L: a, b\r\n"));
}

static void
test_redirect(void)
{
	EXPECT_STR(forward("  http-request redirect prefix https://n.test\n",
	    GET("/a?b=1", "")), "HTTP/1.1 302 Found\r\n"
	    "Location: https://n.test/a?b=1\r\nContent-Length: 0\r\n"
	    "Cache-Control: no-cache\r\n\r\n");
	EXPECT_STR(forward("  http-request redirect prefix / code 301 "
	    "drop-query append-slash\n", GET("/a?b=1", "")),
	    "HTTP/1.1 301 Moved Permanently\r\nLocation: /a/\r\n"
	    "Content-Length: 0\r\nCache-Control: no-cache\r\n\r\n");
	EXPECT_STR(forward("  http-request redirect scheme https code 308\n",
	    GET("/a?b=1", "")), "HTTP/1.1 308 Permanent Redirect\r\n"
	    "Location: https://h.test/a?b=1\r\nContent-Length: 0\r\n"
	    "Cache-Control: no-cache\r\n\r\n");
	/* after a rewrite, a redirect sends to the new target */
	EXPECT_STR(forward("  http-request set-path /n\n"
	    "  http-request redirect location "
	    "//%[req.hdr(host)]%[url]?via=%[src] code 307\n",
	    GET("/o?q", "")), "HTTP/1.1 307 Temporary Redirect\r\n"
	    "Location: //h.test/n?q?via=\r\nContent-Length: 0\r\n"
	    "Cache-Control: no-cache\r\n\r\n");
}

CU_TestInfo http_tests[] = {
	{ "set-path keeps the query, scheme and host", test_set_path },
	{ "set-query adds, replaces or keeps the '?'", test_set_query },
	{ "replace-path rewrites with groups, or not at all",
	    test_replace_path },
	{ "rules after a rewrite see the new target",
	    test_later_rules_see_target },
	{ "replace-header rewrites fields in place, framing excepted",
	    test_replace_header },
	{ "replace-value rewrites each value, separators kept",
	    test_replace_value },
	{ "redirects build their Location from the current target",
	    test_redirect },
	CU_TEST_INFO_NULL,
};
