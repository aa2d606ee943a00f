/*
 * ACLs: acl_parse() reads a criterion, flags and values; acl_compile()
 * and acl_expr_match() match them against a request sample.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "arena.h"
#include "diag.h"
#include "unit.h"

#define OUT_SIZE 4096

static char *out;		/* the messages of the last parse */
static struct arena arena;
static struct conf_word wbuf[32];

static void
format_all(struct diag *d)
{
	const struct diag_msg *m;
	size_t off = 0;

	if (out == NULL && (out = malloc(OUT_SIZE)) == NULL)
		abort();
	out[0] = '\0';
	for (m = d->head; m != NULL && off < OUT_SIZE - 1; m = m->next) {
		int n = diag_format(m, out + off, OUT_SIZE - off);

		if (n < 0 || (size_t)n >= OUT_SIZE - off - 1)
			break;
		off += (size_t)n;
		out[off++] = '\n';
		out[off] = '\0';
	}
}

/*
 * Split line at blanks into words at line 1 of "t.conf" (a word starting
 * with '"' is marked quoted, the quote dropped), then acl_parse() them.
 */
static struct conf_acl *
parse(const char *line)
{
	static char copy[1024];
	struct diag d;
	struct loc loc = { "t.conf", 1, 1 };
	struct conf_acl *a;
	unsigned n = 0;
	char *p;

	snprintf(copy, sizeof(copy), "%s", line);
	for (p = copy; *p != '\0' && n < 32;) {
		struct conf_word *w = &wbuf[n++];

		while (*p == ' ')
			p++;
		memset(w, 0, sizeof(*w));
		w->loc.file = "t.conf";
		w->loc.line = 1;
		w->loc.col = (unsigned)(p - copy) + 1;
		if (*p == '"') {
			w->flags = CONF_W_QUOTED;
			p++;
		}
		w->s = p;
		p += strcspn(p, " ");
		w->len = (size_t)(p - w->s);
		if (*p == ' ')
			*p++ = '\0';
	}
	diag_init(&d);
	a = acl_parse(&arena, &d, "x", wbuf, n, &loc);
	format_all(&d);
	diag_reset(&d);
	return a;
}

static const char *
parse_err(const char *line)
{
	CU_ASSERT_PTR_NULL(parse(line));
	return out;
}

/* ---- samples ----------------------------------------------------------- */

struct hdrs {
	const char *names[4];
	const char *values[4];
};

static const char *
get_hdr(void *arg, const char *name, size_t name_len, size_t *len)
{
	const struct hdrs *h = arg;
	unsigned i;

	for (i = 0; i < 4 && h->names[i] != NULL; i++) {
		if (strlen(h->names[i]) == name_len &&
		    strncasecmp(h->names[i], name, name_len) == 0) {
			*len = strlen(h->values[i]);
			return h->values[i];
		}
	}
	return NULL;
}

static struct sockaddr_storage src_ss;
static struct hdrs sample_hdrs;

static struct acl_sample
sample(const char *method, const char *path, const char *src)
{
	struct acl_sample s;

	memset(&s, 0, sizeof(s));
	s.method = method;
	s.method_len = method ? strlen(method) : 0;
	s.path = path;
	s.path_len = path ? strlen(path) : 0;
	memset(&src_ss, 0, sizeof(src_ss));
	if (src != NULL) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&src_ss;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&src_ss;

		if (inet_pton(AF_INET, src, &sin->sin_addr) == 1)
			sin->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, src, &sin6->sin6_addr) == 1)
			sin6->sin6_family = AF_INET6;
		s.src = (const struct sockaddr *)&src_ss;
	}
	s.hdr = get_hdr;
	s.hdr_arg = &sample_hdrs;
	return s;
}

/* Parse and compile line; e must be released with acl_expr_release. */
static int
compile(const char *line, struct acl_expr *e)
{
	struct conf_acl *a = parse(line);
	struct diag d;
	int r;

	EXPECT_STR(out, "");
	if (a == NULL)
		return -1;
	diag_init(&d);
	r = acl_compile(&arena, &d, a, e);
	EXPECT_INT(d.nerr, 0);
	diag_reset(&d);
	return r;
}

/* Whether line matches a request of that method and path. */
static int
match_req(const char *line, const char *method, const char *path)
{
	struct acl_expr e;
	struct acl_sample s = sample(method, path, NULL);
	int r;

	if (compile(line, &e) < 0)
		return -1;
	r = acl_expr_match(&e, &s);
	acl_expr_release(&e);
	return r;
}

static int
match_path(const char *line, const char *path)
{
	return match_req(line, "GET", path);
}

static int
match_src(const char *line, const char *src)
{
	struct acl_expr e;
	struct acl_sample s = sample("GET", "/", src);
	int r;

	if (compile(line, &e) < 0)
		return -1;
	r = acl_expr_match(&e, &s);
	acl_expr_release(&e);
	return r;
}

static void
set_hdrs(const char *n0, const char *v0, const char *n1, const char *v1)
{
	memset(&sample_hdrs, 0, sizeof(sample_hdrs));
	sample_hdrs.names[0] = n0;
	sample_hdrs.values[0] = v0;
	sample_hdrs.names[1] = n1;
	sample_hdrs.values[1] = v1;
}

static int
match_hdr(const char *line)
{
	return match_req(line, "GET", "/");
}

/* ---- parsing ----------------------------------------------------------- */

static void
test_parse(void)
{
	struct conf_acl *a = parse("hdr_beg(X-Host) -i -- -a b");

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT_STR(a->name, "x");
	EXPECT_INT(a->crit, ACL_HDR_BEG);
	EXPECT_STR(a->arg, "X-Host");
	EXPECT_INT(a->flags, ACL_F_ICASE);
	EXPECT_INT(a->nvals, 2);
	EXPECT_STR(a->vals[0].s, "-a");
	EXPECT_STR(a->vals[1].s, "b");
	EXPECT_INT(a->loc.line, 1);
}

static void
test_parse_quoted_flag(void)
{
	struct conf_acl *a = parse("path \"-i");

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT_INT(a->flags, 0);
	EXPECT_INT(a->nvals, 1);
	EXPECT_STR(a->vals[0].s, "-i");
}

static void
test_parse_criteria(void)
{
	static const struct {
		const char *line;
		enum acl_crit crit;
	} t[] = {
		{ "path /", ACL_PATH },
		{ "path_beg /", ACL_PATH_BEG },
		{ "path_end /", ACL_PATH_END },
		{ "path_reg ^/", ACL_PATH_REG },
		{ "hdr(a) b", ACL_HDR },
		{ "hdr_beg(a) b", ACL_HDR_BEG },
		{ "method GET", ACL_METHOD },
		{ "src 10.0.0.0/8", ACL_SRC },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf_acl *a = parse(t[i].line);

		EXPECT_STR(out, "");
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		EXPECT_INT(a->crit, t[i].crit);
	}
}

static void
test_crit_info(void)
{
	const struct acl_crit_info *ci;

	ci = acl_crit_info(ACL_HDR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "hdr");
	EXPECT_TRUE(ci->takes_arg && ci->http_only);
	ci = acl_crit_info(ACL_SRC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "src");
	EXPECT_TRUE(!ci->takes_arg && !ci->http_only);
	ci = acl_crit_info(ACL_PATH_REG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "path_reg");
}

static void
test_parse_criterion_errors(void)
{
	struct diag d;
	struct loc loc = { "t.conf", 3, 4 };

	diag_init(&d);
	CU_ASSERT_PTR_NULL(acl_parse(&arena, &d, "x", wbuf, 0, &loc));
	format_all(&d);
	diag_reset(&d);
	EXPECT_STR(out, "t.conf:3:4: error: an acl needs a criterion and "
	    "values\n");
	EXPECT_STR(parse_err("pth /"), "t.conf:1:1: error: unknown acl "
	    "criterion 'pth' (did you mean 'path'?)\n");
	EXPECT_STR(parse_err("zork /"), "t.conf:1:1: error: unknown acl "
	    "criterion 'zork'\n");
	EXPECT_STR(parse_err("url_beg /"), "t.conf:1:1: error: acl criterion "
	    "'url_beg' is not supported yet\n");
	EXPECT_STR(parse_err("hdr_reg(host) x"), "t.conf:1:1: error: acl "
	    "criterion 'hdr_reg' is not supported yet\n");
}

static void
test_parse_argument_errors(void)
{
	EXPECT_STR(parse_err("hdr x"), "t.conf:1:1: error: acl criterion "
	    "'hdr' needs a header name: hdr(name)\n");
	EXPECT_STR(parse_err("hdr(x y"), "t.conf:1:1: error: malformed "
	    "argument in 'hdr(x' (expected hdr(name))\n");
	EXPECT_STR(parse_err("hdr() y"), "t.conf:1:1: error: malformed "
	    "argument in 'hdr()' (expected hdr(name))\n");
	EXPECT_STR(parse_err("hdr(a)b) y"), "t.conf:1:1: error: malformed "
	    "argument in 'hdr(a)b)' (expected hdr(name))\n");
	EXPECT_STR(parse_err("path(x) /"), "t.conf:1:1: error: acl criterion "
	    "'path' takes no argument\n");
}

static void
test_parse_flag_errors(void)
{
	EXPECT_STR(parse_err("path -m beg /"), "t.conf:1:6: error: acl flag "
	    "'-m' is not supported yet\n");
	EXPECT_STR(parse_err("path -z /"), "t.conf:1:6: error: unknown acl "
	    "flag '-z' (use '--' before a value that starts with '-')\n");
	EXPECT_STR(parse_err("path"), "t.conf:1:1: error: acl criterion "
	    "'path' needs at least one value to match\n");
	EXPECT_STR(parse_err("path -i"), "t.conf:1:1: error: acl criterion "
	    "'path' needs at least one value to match\n");
	EXPECT_STR(parse_err("path -i --"), "t.conf:1:1: error: acl criterion "
	    "'path' needs at least one value to match\n");
}

static void
test_parse_value_errors(void)
{
	const char *want;

	EXPECT_STR(parse_err("src 10.0.0.0/33 ::1/129 10.0.0.1"),
	    "t.conf:1:5: error: invalid address or network '10.0.0.0/33' for "
	    "'src'\n"
	    "t.conf:1:17: error: invalid address or network '::1/129' for "
	    "'src'\n");
	EXPECT_STR(parse_err("method GET G(T"), "t.conf:1:12: error: invalid "
	    "method 'G(T'\n");
	want = "t.conf:1:10: error: invalid regular expression '(': ";
	EXPECT_TRUE(strncmp(parse_err("path_reg ( ok"), want,
	    strlen(want)) == 0);
}

/* ---- matching ---------------------------------------------------------- */

static void
test_match_path(void)
{
	EXPECT_INT(match_path("path /x", "/x"), 1);
	EXPECT_INT(match_path("path /x", "/x/"), 0);
	EXPECT_INT(match_path("path /x", "/X"), 0);
	EXPECT_INT(match_path("path -i /x", "/X"), 1);
	EXPECT_INT(match_path("path /a /b /c", "/b"), 1);
	EXPECT_INT(match_path("path /a /b /c", "/d"), 0);
}

static void
test_match_path_beg(void)
{
	EXPECT_INT(match_path("path_beg /api", "/api/v1"), 1);
	EXPECT_INT(match_path("path_beg /api", "/api"), 1);
	EXPECT_INT(match_path("path_beg /api", "/ap"), 0);
	EXPECT_INT(match_path("path_beg /api", "/v1/api"), 0);
	EXPECT_INT(match_path("path_beg -i /API", "/api/x"), 1);
}

static void
test_match_path_end(void)
{
	EXPECT_INT(match_path("path_end .png .jpg", "/a/b.jpg"), 1);
	EXPECT_INT(match_path("path_end .png", "/a.png/x"), 0);
	EXPECT_INT(match_path("path_end .png", "png"), 0);
	EXPECT_INT(match_path("path_end -i .PNG", "/a.png"), 1);
}

static void
test_match_path_reg(void)
{
	EXPECT_INT(match_path("path_reg ^/img/[0-9]+\\.png$", "/img/42.png"),
	    1);
	EXPECT_INT(match_path("path_reg ^/img/[0-9]+\\.png$", "/img/x.png"),
	    0);
	EXPECT_INT(match_path("path_reg admin", "/x/admin/y"), 1);
	EXPECT_INT(match_path("path_reg ^/admin", "/ADMIN"), 0);
	EXPECT_INT(match_path("path_reg -i ^/admin", "/ADMIN"), 1);
	EXPECT_INT(match_path("path_reg ^/a$ ^/b$", "/b"), 1);
}

static void
test_match_path_missing(void)
{
	EXPECT_INT(match_path("path /", NULL), 0);
	EXPECT_INT(match_path("path_reg .*", NULL), 0);
}

static void
test_match_hdr(void)
{
	set_hdrs("Host", "api.example", "X-Env", "Prod");
	EXPECT_INT(match_hdr("hdr(host) api.example"), 1);
	EXPECT_INT(match_hdr("hdr(Host) www.example api.example"), 1);
	EXPECT_INT(match_hdr("hdr(host) api"), 0);
	EXPECT_INT(match_hdr("hdr(x-env) prod"), 0);
	EXPECT_INT(match_hdr("hdr(x-env) -i prod"), 1);
	/* a header that is not there matches nothing */
	EXPECT_INT(match_hdr("hdr(x-none) a"), 0);
}

static void
test_match_hdr_beg(void)
{
	set_hdrs("Host", "api.example", NULL, NULL);
	EXPECT_INT(match_hdr("hdr_beg(host) api."), 1);
	EXPECT_INT(match_hdr("hdr_beg(host) www."), 0);
	EXPECT_INT(match_hdr("hdr_beg(host) api.example.com"), 0);
	EXPECT_INT(match_hdr("hdr_beg(host) -i API"), 1);
}

static void
test_match_hdr_name_passed(void)
{
	struct acl_expr e;
	struct acl_sample s = sample("GET", "/", NULL);

	/* the callback gets the name as written, and its length */
	set_hdrs("X-Forwarded-Proto", "https", NULL, NULL);
	CU_ASSERT_FATAL(compile("hdr(X-Forwarded-Proto) https", &e) == 0);
	EXPECT_INT(e.arg_len, strlen("X-Forwarded-Proto"));
	EXPECT_STR(e.arg, "X-Forwarded-Proto");
	EXPECT_INT(acl_expr_match(&e, &s), 1);
	/* without a callback no header matches */
	s.hdr = NULL;
	EXPECT_INT(acl_expr_match(&e, &s), 0);
	acl_expr_release(&e);
}

static void
test_match_method(void)
{
	EXPECT_INT(match_req("method GET HEAD", "HEAD", "/"), 1);
	EXPECT_INT(match_req("method GET HEAD", "POST", "/"), 0);
	EXPECT_INT(match_req("method GET", "get", "/"), 0);
	EXPECT_INT(match_req("method -i GET", "get", "/"), 1);
	EXPECT_INT(match_req("method GET", "GETX", "/"), 0);
	EXPECT_INT(match_req("method GET", NULL, "/"), 0);
}

static void
test_match_src_v4(void)
{
	EXPECT_INT(match_src("src 10.0.0.0/8", "10.200.3.4"), 1);
	EXPECT_INT(match_src("src 10.0.0.0/8", "11.0.0.1"), 0);
	EXPECT_INT(match_src("src 192.168.1.7", "192.168.1.7"), 1);
	EXPECT_INT(match_src("src 192.168.1.7", "192.168.1.8"), 0);
	/* a prefix that is not a whole number of bytes */
	EXPECT_INT(match_src("src 172.16.0.0/12", "172.31.255.255"), 1);
	EXPECT_INT(match_src("src 172.16.0.0/12", "172.32.0.0"), 0);
	EXPECT_INT(match_src("src 0.0.0.0/0", "8.8.8.8"), 1);
	EXPECT_INT(match_src("src 1.1.1.1 10.0.0.0/8", "10.0.0.1"), 1);
}

static void
test_match_src_v6(void)
{
	EXPECT_INT(match_src("src 2001:db8::/32", "2001:db8:1::5"), 1);
	EXPECT_INT(match_src("src 2001:db8::/32", "2001:db9::5"), 0);
	EXPECT_INT(match_src("src ::1", "::1"), 1);
	EXPECT_INT(match_src("src fe80::/10", "febf::1"), 1);
	EXPECT_INT(match_src("src fe80::/10", "fec0::1"), 0);
}

static void
test_match_src_family(void)
{
	EXPECT_INT(match_src("src 0.0.0.0/0", "::1"), 0);
	EXPECT_INT(match_src("src ::/0", "10.0.0.1"), 0);
	EXPECT_INT(match_src("src 0.0.0.0/0", NULL), 0);
}

static void
test_release_twice(void)
{
	struct acl_expr e;

	CU_ASSERT_FATAL(compile("path_reg ^/a ^/b", &e) == 0);
	EXPECT_INT(e.npats, 2);
	CU_ASSERT_PTR_NOT_NULL(e.pats[0].re);
	acl_expr_release(&e);
	CU_ASSERT_PTR_NULL(e.pats[0].re);
	CU_ASSERT_PTR_NULL(e.pats[1].re);
	/* nothing left to free: harmless */
	acl_expr_release(&e);
}

static void
test_compile_fields(void)
{
	struct acl_expr e;
	char buf[64];

	CU_ASSERT_FATAL(compile("src -- 10.0.0.0/8 ::1", &e) == 0);
	EXPECT_INT(e.crit, ACL_SRC);
	EXPECT_INT(e.npats, 2);
	EXPECT_INT(e.pats[0].bits, 8);
	EXPECT_INT(e.pats[1].bits, 128);
	snprintf(buf, sizeof(buf), "%.*s", (int)e.pats[0].len, e.pats[0].s);
	EXPECT_STR(buf, "10.0.0.0/8");
	acl_expr_release(&e);
}

static int
suite_cleanup(void)
{
	arena_reset(&arena);
	return 0;
}

static void
test_arena_reset(void)
{
	/* the suite allocates in one arena; release it once at the end */
	EXPECT_INT(suite_cleanup(), 0);
	EXPECT_TRUE(arena.head == NULL);
}

CU_TestInfo acl_tests[] = {
	{ "an acl line reads criterion, argument, flags and values",
	    test_parse },
	{ "a quoted '-i' is a value, not a flag", test_parse_quoted_flag },
	{ "each criterion is known", test_parse_criteria },
	{ "criteria say whether they take an argument and need http",
	    test_crit_info },
	{ "unknown and unsupported criteria are errors",
	    test_parse_criterion_errors },
	{ "a missing, extra or malformed argument is an error",
	    test_parse_argument_errors },
	{ "unknown flags and missing values are errors",
	    test_parse_flag_errors },
	{ "bad networks, methods and regexes are errors at the value",
	    test_parse_value_errors },
	{ "path matches the whole path, -i ignores case", test_match_path },
	{ "path_beg matches a prefix", test_match_path_beg },
	{ "path_end matches a suffix", test_match_path_end },
	{ "path_reg matches an extended regex", test_match_path_reg },
	{ "no path matches no path criterion", test_match_path_missing },
	{ "hdr matches a header value through the callback",
	    test_match_hdr },
	{ "hdr_beg matches the start of a header value", test_match_hdr_beg },
	{ "the header callback gets the name and its length",
	    test_match_hdr_name_passed },
	{ "method matches exactly, -i ignores case", test_match_method },
	{ "src matches IPv4 networks of any prefix length",
	    test_match_src_v4 },
	{ "src matches IPv6 networks", test_match_src_v6 },
	{ "src never matches another family or no address",
	    test_match_src_family },
	{ "releasing an expression frees its regexes, once",
	    test_release_twice },
	{ "compiled src patterns keep their prefix length",
	    test_compile_fields },
	{ "the arena of the suite is released", test_arena_reset },
	CU_TEST_INFO_NULL,
};
