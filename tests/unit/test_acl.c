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
get_hdr(void *arg, const char *name, size_t name_len, unsigned occ,
    size_t *len)
{
	const struct hdrs *h = arg;
	unsigned i;

	for (i = 0; i < 4 && h->names[i] != NULL; i++) {
		if (strlen(h->names[i]) == name_len &&
		    strncasecmp(h->names[i], name, name_len) == 0 &&
		    occ-- == 0) {
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
	EXPECT_INT(a->crit, ACL_HDR);
	EXPECT_INT(a->match, ACL_M_BEG);
	EXPECT_STR(a->kw, "hdr_beg");
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
		enum acl_match match;
	} t[] = {
		{ "path /", ACL_PATH, ACL_M_STR },
		{ "path_beg /", ACL_PATH, ACL_M_BEG },
		{ "path_end /", ACL_PATH, ACL_M_END },
		{ "path_reg ^/", ACL_PATH, ACL_M_REG },
		{ "path_sub a", ACL_PATH, ACL_M_SUB },
		{ "path_dir a", ACL_PATH, ACL_M_DIR },
		{ "path_dom a", ACL_PATH, ACL_M_DOM },
		{ "path_len 3", ACL_PATH, ACL_M_LEN },
		{ "hdr(a) b", ACL_HDR, ACL_M_STR },
		{ "req.hdr(a) b", ACL_HDR, ACL_M_STR },
		{ "hdr_beg(a) b", ACL_HDR, ACL_M_BEG },
		{ "hdr_end(a) b", ACL_HDR, ACL_M_END },
		{ "hdr_sub(a) b", ACL_HDR, ACL_M_SUB },
		{ "hdr_dom(a) b", ACL_HDR, ACL_M_DOM },
		{ "hdr_reg(a) b", ACL_HDR, ACL_M_REG },
		{ "hdr_len(a) 1", ACL_HDR, ACL_M_LEN },
		{ "hdr_cnt(a) 1", ACL_HDR_CNT, ACL_M_INT },
		{ "req.hdr_cnt(a) 1", ACL_HDR_CNT, ACL_M_INT },
		{ "url /", ACL_URL, ACL_M_STR },
		{ "url_beg /", ACL_URL, ACL_M_BEG },
		{ "url_sub a", ACL_URL, ACL_M_SUB },
		{ "url_end a", ACL_URL, ACL_M_END },
		{ "url_reg a", ACL_URL, ACL_M_REG },
		{ "url_param(a) b", ACL_URL_PARAM, ACL_M_STR },
		{ "urlp(a) b", ACL_URL_PARAM, ACL_M_STR },
		{ "query a=b", ACL_QUERY, ACL_M_STR },
		{ "cook(a) b", ACL_COOK, ACL_M_STR },
		{ "req.cook(a) b", ACL_COOK, ACL_M_STR },
		{ "cook_beg(a) b", ACL_COOK, ACL_M_BEG },
		{ "base a/", ACL_BASE, ACL_M_STR },
		{ "base_beg a/", ACL_BASE, ACL_M_BEG },
		{ "method GET", ACL_METHOD, ACL_M_STR },
		{ "src 10.0.0.0/8", ACL_SRC, ACL_M_IP },
		{ "dst 10.0.0.0/8", ACL_DST, ACL_M_IP },
		{ "dst_port 80", ACL_DST_PORT, ACL_M_INT },
		{ "src_port 80", ACL_SRC_PORT, ACL_M_INT },
		{ "path -m beg /", ACL_PATH, ACL_M_BEG },
		{ "req.hdr(host) -m end .a", ACL_HDR, ACL_M_END },
		{ "req.cook(a) -m found", ACL_COOK, ACL_M_FOUND },
		{ "url_param(a) -m int 1", ACL_URL_PARAM, ACL_M_INT },
		{ "dst_port -m str 80", ACL_DST_PORT, ACL_M_STR },
		{ "ssl_fc", ACL_SSL_FC, ACL_M_BOOL },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf_acl *a = parse(t[i].line);

		EXPECT_STR(out, "");
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		EXPECT_INT(a->crit, t[i].crit);
		EXPECT_INT(a->match, t[i].match);
	}
}

static void
test_crit_info(void)
{
	const struct acl_crit_info *ci;

	ci = acl_crit_info(ACL_HDR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "hdr");
	EXPECT_TRUE(ci->arg == ACL_ARG_NEED && ci->http_only);
	ci = acl_crit_info(ACL_SRC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "src");
	EXPECT_TRUE(ci->arg == ACL_ARG_NONE && !ci->http_only);
	ci = acl_crit_info(ACL_DST_PORT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "dst_port");
	EXPECT_TRUE(!ci->http_only);
	ci = acl_crit_info(ACL_COOK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_STR(ci->name, "cook");
	ci = acl_crit_find("path_reg", 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	EXPECT_INT(ci->crit, ACL_PATH);
	EXPECT_INT(ci->match, ACL_M_REG);
	CU_ASSERT_PTR_NULL(acl_crit_find("path_re", 7));
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
	EXPECT_STR(parse_err("url_port 80"), "t.conf:1:1: error: acl "
	    "criterion 'url_port' is not supported yet\n");
	EXPECT_STR(parse_err("hdr_ip(x) 10.0.0.1"), "t.conf:1:1: error: acl "
	    "criterion 'hdr_ip' is not supported yet\n");
	EXPECT_STR(parse_err("hdr_dmo(host) x"), "t.conf:1:1: error: unknown "
	    "acl criterion 'hdr_dmo' (did you mean 'hdr_dom'?)\n");
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
	EXPECT_STR(parse_err("dst_port(x) 80"), "t.conf:1:1: error: acl "
	    "criterion 'dst_port' takes no argument\n");
	EXPECT_STR(parse_err("url_param x"), "t.conf:1:1: error: acl "
	    "criterion 'url_param' needs a parameter name: url_param(name)\n");
	EXPECT_STR(parse_err("req.cook x"), "t.conf:1:1: error: acl "
	    "criterion 'req.cook' needs a cookie name: req.cook(name)\n");
	EXPECT_STR(parse_err("hdr_end x"), "t.conf:1:1: error: acl "
	    "criterion 'hdr_end' needs a header name: hdr_end(name)\n");
}

static void
test_parse_flag_errors(void)
{
	EXPECT_STR(parse_err("path -f /x"), "t.conf:1:6: error: acl flag "
	    "'-f' is not supported yet\n");
	EXPECT_STR(parse_err("path -m"), "t.conf:1:6: error: acl flag '-m' "
	    "needs a match method (str, beg, end, sub, dom, dir, reg, found, "
	    "len, int, ip)\n");
	EXPECT_STR(parse_err("path -m begin /"), "t.conf:1:9: error: unknown "
	    "match method 'begin' (str, beg, end, sub, dom, dir, reg, found, "
	    "len, int, ip)\n");
	EXPECT_STR(parse_err("path -m ip 10.0.0.1"), "t.conf:1:9: error: acl "
	    "criterion 'path' cannot be matched with '-m ip'\n");
	EXPECT_STR(parse_err("src -m str 10.0.0.1"), "t.conf:1:8: error: acl "
	    "criterion 'src' cannot be matched with '-m str'\n");
	EXPECT_STR(parse_err("ssl_fc -m found"), "t.conf:1:11: error: acl "
	    "criterion 'ssl_fc' cannot be matched with '-m found'\n");
	EXPECT_STR(parse_err("req.cook(a) -m found x"), "t.conf:1:22: error: "
	    "acl criterion 'req.cook' takes no value with '-m found'\n");
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
	want = "t.conf:1:15: error: invalid regular expression '(': ";
	EXPECT_TRUE(strncmp(parse_err("hdr(a) -m reg ( ok"), want,
	    strlen(want)) == 0);
	EXPECT_STR(parse_err("dst_port 80 x 9:1 a:b 1:2:3 :"),
	    "t.conf:1:13: error: 'x' is not a number, a range (A:B) or one of "
	    "gt, ge, lt, le, eq\n"
	    "t.conf:1:15: error: '9:1' is not a number, a range (A:B) or one "
	    "of gt, ge, lt, le, eq\n"
	    "t.conf:1:19: error: 'a:b' is not a number, a range (A:B) or one "
	    "of gt, ge, lt, le, eq\n"
	    "t.conf:1:23: error: '1:2:3' is not a number, a range (A:B) or one "
	    "of gt, ge, lt, le, eq\n"
	    "t.conf:1:29: error: ':' is not a number, a range (A:B) or one of "
	    "gt, ge, lt, le, eq\n");
	EXPECT_STR(parse_err("dst 10.0.0.0/33"), "t.conf:1:5: error: invalid "
	    "address or network '10.0.0.0/33' for 'dst'\n");
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

/* ---- the fetches and match methods of HAProxy ------------------------ */

/* A GET of target url: its path and query split at the first '?'. */
static struct acl_sample
sample_url(const char *url)
{
	struct acl_sample s = sample("GET", url, "192.0.2.7");
	const char *q = strchr(url, '?');

	s.url = url;
	s.url_len = strlen(url);
	s.path_len = q ? (size_t)(q - url) : strlen(url);
	s.query = q ? q + 1 : NULL;
	s.query_len = q ? strlen(q + 1) : 0;
	return s;
}

static int
match_smp(const char *line, const struct acl_sample *s)
{
	struct acl_expr e;
	int r;

	if (compile(line, &e) < 0)
		return -1;
	r = acl_expr_match(&e, s);
	acl_expr_release(&e);
	return r;
}

static int
match_url(const char *line, const char *url)
{
	struct acl_sample s = sample_url(url);

	return match_smp(line, &s);
}

static void
test_match_hdr_methods(void)
{
	set_hdrs("Host", "www.Example.com:8080", "X-Id", "abc-123");
	EXPECT_INT(match_hdr("hdr_end(host) .Example.com:8080"), 1);
	EXPECT_INT(match_hdr("hdr_end(host) .example.com:8080"), 0);
	EXPECT_INT(match_hdr("hdr_end(host) -i .example.com:8080"), 1);
	EXPECT_INT(match_hdr("hdr_sub(host) Example"), 1);
	EXPECT_INT(match_hdr("hdr_sub(host) example"), 0);
	EXPECT_INT(match_hdr("hdr_sub(host) -i example"), 1);
	/* dom: whole words between '.', ':', '/' and '?' */
	EXPECT_INT(match_hdr("hdr_dom(host) -i example.com"), 1);
	EXPECT_INT(match_hdr("hdr_dom(host) -i .example.com."), 1);
	EXPECT_INT(match_hdr("hdr_dom(host) -i ample.com"), 0);
	EXPECT_INT(match_hdr("hdr_dom(host) -i www"), 1);
	EXPECT_INT(match_hdr("hdr_dom(host) 8080"), 1);
	EXPECT_INT(match_hdr("hdr_dom(host) 808"), 0);
	EXPECT_INT(match_hdr("hdr_reg(x-id) ^[a-z]+-[0-9]+$"), 1);
	EXPECT_INT(match_hdr("hdr_reg(x-id) ^[0-9]"), 0);
	EXPECT_INT(match_hdr("hdr_len(x-id) 7"), 1);
	EXPECT_INT(match_hdr("hdr_len(x-id) gt 7"), 0);
	EXPECT_INT(match_hdr("hdr_len(x-none) 0"), 0);
	/* HAProxy's -m on the plain fetch */
	EXPECT_INT(match_hdr("req.hdr(host) -m end -i .example.com:8080"), 1);
	EXPECT_INT(match_hdr("req.hdr(host) -i -m beg WWW."), 1);
	EXPECT_INT(match_hdr("req.hdr(x-id) -m found"), 1);
	EXPECT_INT(match_hdr("req.hdr(x-none) -m found"), 0);
	EXPECT_INT(match_hdr("req.hdr(x-id) -m sub c-1"), 1);
	EXPECT_INT(match_hdr("req.hdr(x-id) -m len 6:8"), 1);
	EXPECT_INT(match_hdr("req.hdr(x-id) -m int 123"), 0);
}

static void
test_match_hdr_cnt(void)
{
	memset(&sample_hdrs, 0, sizeof(sample_hdrs));
	sample_hdrs.names[0] = "Accept";
	sample_hdrs.values[0] = "a/b, c/d";
	sample_hdrs.names[1] = "X-A";
	sample_hdrs.values[1] = "1";
	sample_hdrs.names[2] = "accept";
	sample_hdrs.values[2] = "e/f";
	/* values, not fields: "a, b" counts two */
	EXPECT_INT(match_hdr("hdr_cnt(accept) 3"), 1);
	EXPECT_INT(match_hdr("hdr_cnt(accept) 2"), 0);
	EXPECT_INT(match_hdr("hdr_cnt(x-a) eq 1"), 1);
	EXPECT_INT(match_hdr("hdr_cnt(x-none) 0"), 1);
	EXPECT_INT(match_hdr("req.hdr_cnt(x-none) gt 0"), 0);
	/* hdr matches the first field of a name */
	EXPECT_INT(match_hdr("hdr(accept) e/f"), 0);
	EXPECT_INT(match_hdr("hdr(accept) -m beg a/b"), 1);
}

static void
test_match_path_methods(void)
{
	EXPECT_INT(match_path("path_sub /v2/", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_sub /v3/", "/api/v2/users"), 0);
	EXPECT_INT(match_path("path_sub -i /V2/", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_dir v2", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_dir api/v2", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_dir v", "/api/v2/users"), 0);
	EXPECT_INT(match_path("path_dir users", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_len 13", "/api/v2/users"), 1);
	EXPECT_INT(match_path("path_len lt 5 20:30", "/api/v2/users"), 0);
	EXPECT_INT(match_path("path -m beg /api", "/api/x"), 1);
	EXPECT_INT(match_path("path -m end /x", "/api/x"), 1);
	EXPECT_INT(match_path("path -m reg ^/a.i/", "/api/x"), 1);
	EXPECT_INT(match_path("path -m found", "/"), 1);
	EXPECT_INT(match_path("path -m found", NULL), 0);
}

static void
test_match_url(void)
{
	EXPECT_INT(match_url("url /a/b?x=1", "/a/b?x=1"), 1);
	EXPECT_INT(match_url("url /a/b", "/a/b?x=1"), 0);
	EXPECT_INT(match_url("url_beg /a/", "/a/b?x=1"), 1);
	EXPECT_INT(match_url("url_sub ?x=", "/a/b?x=1"), 1);
	EXPECT_INT(match_url("url_end x=1", "/a/b?x=1"), 1);
	EXPECT_INT(match_url("url_reg [?&]x=[0-9]", "/a/b?x=1"), 1);
	EXPECT_INT(match_url("url_len 8", "/a/b?x=1"), 1);
	/* path stops at the '?' */
	EXPECT_INT(match_url("path_end /b", "/a/b?x=1"), 1);
}

static void
test_match_query(void)
{
	EXPECT_INT(match_url("query x=1&y=2", "/p?x=1&y=2"), 1);
	EXPECT_INT(match_url("query -m sub y=2", "/p?x=1&y=2"), 1);
	EXPECT_INT(match_url("query -m found", "/p"), 0);
	/* a '?' before nothing: an empty query, there */
	EXPECT_INT(match_url("query -m found", "/p?"), 1);
	EXPECT_INT(match_url("query -m len 0", "/p?"), 1);
}

static void
test_match_url_param(void)
{
	const char *u = "/p?user=ann&id=42;flag&empty=&x=a=b";

	EXPECT_INT(match_url("url_param(user) ann", u), 1);
	EXPECT_INT(match_url("url_param(user) an", u), 0);
	EXPECT_INT(match_url("url_param(us) -m found", u), 0);
	EXPECT_INT(match_url("url_param(id) 42", u), 1);
	EXPECT_INT(match_url("url_param(id) -m int gt 40", u), 1);
	EXPECT_INT(match_url("url_param(id) -m int 40:41", u), 0);
	EXPECT_INT(match_url("url_param(flag) -m found", u), 1);
	EXPECT_INT(match_url("url_param(flag) -m len 0", u), 1);
	EXPECT_INT(match_url("url_param(empty) -m len 0", u), 1);
	EXPECT_INT(match_url("url_param(x) a=b", u), 1);
	EXPECT_INT(match_url("urlp(user) -i ANN", u), 1);
	EXPECT_INT(match_url("url_param(user) -m found", "/p"), 0);
	/* names are case-sensitive; only the query is searched */
	EXPECT_INT(match_url("url_param(User) -m found", u), 0);
	EXPECT_INT(match_url("url_param(p) -m found", "/p=1?a=b"), 0);
}

static void
test_match_cookie(void)
{
	memset(&sample_hdrs, 0, sizeof(sample_hdrs));
	sample_hdrs.names[0] = "Cookie";
	sample_hdrs.values[0] = "a=1; sid=xyz ;theme=dark";
	sample_hdrs.names[1] = "Cookie";
	sample_hdrs.values[1] = "lang=fr; a=2";
	EXPECT_INT(match_hdr("req.cook(sid) xyz"), 1);
	EXPECT_INT(match_hdr("cook(theme) dark"), 1);
	EXPECT_INT(match_hdr("req.cook(lang) fr"), 1);
	/* the first pair of a name wins */
	EXPECT_INT(match_hdr("req.cook(a) 1"), 1);
	EXPECT_INT(match_hdr("req.cook(a) 2"), 0);
	EXPECT_INT(match_hdr("req.cook(si) -m found"), 0);
	EXPECT_INT(match_hdr("req.cook(sid) -m found"), 1);
	EXPECT_INT(match_hdr("cook_beg(sid) xy"), 1);
	EXPECT_INT(match_hdr("cook_sub(theme) ar"), 1);
	EXPECT_INT(match_hdr("cook_len(sid) 3"), 1);
	memset(&sample_hdrs, 0, sizeof(sample_hdrs));
	EXPECT_INT(match_hdr("req.cook(sid) -m found"), 0);
}

static void
test_match_base(void)
{
	set_hdrs("Host", "a.example", NULL, NULL);
	EXPECT_INT(match_url("base a.example/x/y", "/x/y?q=1"), 1);
	EXPECT_INT(match_url("base_beg a.example/x/", "/x/y?q=1"), 1);
	EXPECT_INT(match_url("base_sub example/x", "/x/y?q=1"), 1);
	EXPECT_INT(match_url("base_end /z", "/x/y?q=1"), 0);
	set_hdrs(NULL, NULL, NULL, NULL);
	EXPECT_INT(match_url("base /x/y", "/x/y?q=1"), 1);
}

static struct sockaddr_storage dst_ss;

static const struct sockaddr *
get_dst(void *arg)
{
	(void)arg;
	return (const struct sockaddr *)&dst_ss;
}

static void
test_match_ports(void)
{
	struct acl_sample s = sample_url("/");
	struct sockaddr_in *d = (struct sockaddr_in *)&dst_ss;

	((struct sockaddr_in *)&src_ss)->sin_port = htons(40001);
	memset(&dst_ss, 0, sizeof(dst_ss));
	d->sin_family = AF_INET;
	d->sin_port = htons(8443);
	inet_pton(AF_INET, "10.1.2.3", &d->sin_addr);
	/* no callback: no address, nothing matches */
	EXPECT_INT(match_smp("dst_port 8443", &s), 0);
	EXPECT_INT(match_smp("dst 10.0.0.0/8", &s), 0);
	s.dst = get_dst;
	EXPECT_INT(match_smp("dst_port 8443", &s), 1);
	EXPECT_INT(match_smp("dst_port 80 443", &s), 0);
	EXPECT_INT(match_smp("dst_port 8000:8999", &s), 1);
	EXPECT_INT(match_smp("dst_port 8444:", &s), 0);
	EXPECT_INT(match_smp("dst_port :8443", &s), 1);
	EXPECT_INT(match_smp("dst_port gt 8000", &s), 1);
	EXPECT_INT(match_smp("dst_port lt 1024", &s), 0);
	EXPECT_INT(match_smp("dst_port -m str 8443", &s), 1);
	EXPECT_INT(match_smp("dst_port -m beg 84", &s), 1);
	EXPECT_INT(match_smp("dst 10.0.0.0/8", &s), 1);
	EXPECT_INT(match_smp("dst 10.1.2.4", &s), 0);
	EXPECT_INT(match_smp("dst -m found", &s), 1);
	EXPECT_INT(match_smp("src_port 40001", &s), 1);
	EXPECT_INT(match_smp("src_port ge 40002", &s), 0);
	EXPECT_INT(match_smp("src_port 1024:65535", &s), 1);
}

static void
test_fetch_text(void)
{
	struct acl_sample s = sample_url("/a?b=c&d=e");
	char buf[64];
	const char *v;
	size_t n;

	s.dst = get_dst;
	((struct sockaddr_in *)&dst_ss)->sin_port = htons(81);
	((struct sockaddr_in *)&src_ss)->sin_port = htons(5000);
	v = acl_fetch(ACL_DST_PORT, NULL, 0, &s, buf, sizeof(buf), &n);
	EXPECT_STR(v != NULL ? buf : NULL, "81");
	EXPECT_INT(n, 2);
	v = acl_fetch(ACL_SRC_PORT, NULL, 0, &s, buf, sizeof(buf), &n);
	EXPECT_INT(n, 4);
	EXPECT_TRUE(v != NULL && memcmp(v, "5000", 4) == 0);
	v = acl_fetch(ACL_DST, NULL, 0, &s, buf, sizeof(buf), &n);
	EXPECT_STR(v, "10.1.2.3");
	v = acl_fetch(ACL_QUERY, NULL, 0, &s, buf, sizeof(buf), &n);
	EXPECT_TRUE(v != NULL && n == 7 && memcmp(v, "b=c&d=e", 7) == 0);
	v = acl_fetch(ACL_URL_PARAM, "d", 1, &s, buf, sizeof(buf), &n);
	EXPECT_TRUE(v != NULL && n == 1 && v[0] == 'e');
	v = acl_fetch(ACL_URL, NULL, 0, &s, buf, sizeof(buf), &n);
	EXPECT_INT(n, 10);
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
	{ "hdr_end, hdr_sub, hdr_dom, hdr_reg, hdr_len and -m on req.hdr",
	    test_match_hdr_methods },
	{ "hdr_cnt counts the values of all fields of a name",
	    test_match_hdr_cnt },
	{ "path_sub, path_dir, path_len and -m on path",
	    test_match_path_methods },
	{ "url and its methods see the whole target", test_match_url },
	{ "query is what follows the first '?'", test_match_query },
	{ "url_param finds a parameter of the query", test_match_url_param },
	{ "req.cook finds a cookie in any Cookie field", test_match_cookie },
	{ "base is the Host then the path", test_match_base },
	{ "dst, dst_port and src_port: integers, ranges, networks",
	    test_match_ports },
	{ "the new fetches give their value as text", test_fetch_text },
	{ "the arena of the suite is released", test_arena_reset },
	CU_TEST_INFO_NULL,
};
