#include "config.h"

#include "acl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <stdio.h>

#include "diag.h"
#include "graph.h"
#include "stick.h"
#include "tls.h"
#include "val.h"

/* clang-format off */
#define S	ACL_ARG_NONE
#define O	ACL_ARG_OPT
#define N	ACL_ARG_NEED
/* Sorted by name: the first row of a fetch names it in messages. */
static const struct acl_crit_info acl_crits[] = {
	{ "base",		ACL_BASE,	ACL_M_STR,	S, true },
	{ "base_beg",		ACL_BASE,	ACL_M_BEG,	S, true },
	{ "base_dir",		ACL_BASE,	ACL_M_DIR,	S, true },
	{ "base_dom",		ACL_BASE,	ACL_M_DOM,	S, true },
	{ "base_end",		ACL_BASE,	ACL_M_END,	S, true },
	{ "base_len",		ACL_BASE,	ACL_M_LEN,	S, true },
	{ "base_reg",		ACL_BASE,	ACL_M_REG,	S, true },
	{ "base_sub",		ACL_BASE,	ACL_M_SUB,	S, true },
	{ "cook",		ACL_COOK,	ACL_M_STR,	N, true },
	{ "cook_beg",		ACL_COOK,	ACL_M_BEG,	N, true },
	{ "cook_dom",		ACL_COOK,	ACL_M_DOM,	N, true },
	{ "cook_end",		ACL_COOK,	ACL_M_END,	N, true },
	{ "cook_len",		ACL_COOK,	ACL_M_LEN,	N, true },
	{ "cook_reg",		ACL_COOK,	ACL_M_REG,	N, true },
	{ "cook_sub",		ACL_COOK,	ACL_M_SUB,	N, true },
	{ "dst",		ACL_DST,	ACL_M_IP,	S, false },
	{ "dst_port",		ACL_DST_PORT,	ACL_M_INT,	S, false },
	{ "hdr",		ACL_HDR,	ACL_M_STR,	N, true },
	{ "hdr_beg",		ACL_HDR,	ACL_M_BEG,	N, true },
	{ "hdr_cnt",		ACL_HDR_CNT,	ACL_M_INT,	N, true },
	{ "hdr_dir",		ACL_HDR,	ACL_M_DIR,	N, true },
	{ "hdr_dom",		ACL_HDR,	ACL_M_DOM,	N, true },
	{ "hdr_end",		ACL_HDR,	ACL_M_END,	N, true },
	{ "hdr_len",		ACL_HDR,	ACL_M_LEN,	N, true },
	{ "hdr_reg",		ACL_HDR,	ACL_M_REG,	N, true },
	{ "hdr_sub",		ACL_HDR,	ACL_M_SUB,	N, true },
	{ "method",		ACL_METHOD,	ACL_M_STR,	S, true },
	{ "path",		ACL_PATH,	ACL_M_STR,	S, true },
	{ "path_beg",		ACL_PATH,	ACL_M_BEG,	S, true },
	{ "path_dir",		ACL_PATH,	ACL_M_DIR,	S, true },
	{ "path_dom",		ACL_PATH,	ACL_M_DOM,	S, true },
	{ "path_end",		ACL_PATH,	ACL_M_END,	S, true },
	{ "path_len",		ACL_PATH,	ACL_M_LEN,	S, true },
	{ "path_reg",		ACL_PATH,	ACL_M_REG,	S, true },
	{ "path_sub",		ACL_PATH,	ACL_M_SUB,	S, true },
	{ "query",		ACL_QUERY,	ACL_M_STR,	S, true },
	{ "req.cook",		ACL_COOK,	ACL_M_STR,	N, true },
	{ "req.hdr",		ACL_HDR,	ACL_M_STR,	N, true },
	{ "req.hdr_cnt",	ACL_HDR_CNT,	ACL_M_INT,	N, true },
	{ "sc_conn_cur",	ACL_SC_CONN_CUR, ACL_M_INT,	O, false },
	{ "sc_conn_rate",	ACL_SC_CONN_RATE, ACL_M_INT,	O, false },
	{ "sc_http_err_rate",	ACL_SC_HTTP_ERR_RATE, ACL_M_INT, O, false },
	{ "sc_http_req_rate",	ACL_SC_HTTP_REQ_RATE, ACL_M_INT, O, false },
	{ "src",		ACL_SRC,	ACL_M_IP,	S, false },
	{ "src_conn_rate",	ACL_SRC_CONN_RATE, ACL_M_INT,	O, false },
	{ "src_http_req_rate",	ACL_SRC_HTTP_REQ_RATE, ACL_M_INT, O, false },
	{ "src_port",		ACL_SRC_PORT,	ACL_M_INT,	S, false },
	{ "ssl_c_i_dn",		ACL_SSL_C_I_DN,	ACL_M_STR,	O, false },
	{ "ssl_c_s_dn",		ACL_SSL_C_S_DN,	ACL_M_STR,	O, false },
	{ "ssl_c_used",		ACL_SSL_C_USED,	ACL_M_BOOL,	S, false },
	{ "ssl_c_verify",	ACL_SSL_C_VERIFY, ACL_M_STR,	S, false },
	{ "ssl_fc",		ACL_SSL_FC,	ACL_M_BOOL,	S, false },
	{ "ssl_fc_cipher",	ACL_SSL_FC_CIPHER, ACL_M_STR,	S, false },
	{ "ssl_fc_protocol",	ACL_SSL_FC_PROTOCOL, ACL_M_STR,	S, false },
	{ "ssl_fc_sni",		ACL_SSL_FC_SNI,	ACL_M_STR,	S, false },
	{ "url",		ACL_URL,	ACL_M_STR,	S, true },
	{ "url_beg",		ACL_URL,	ACL_M_BEG,	S, true },
	{ "url_dir",		ACL_URL,	ACL_M_DIR,	S, true },
	{ "url_dom",		ACL_URL,	ACL_M_DOM,	S, true },
	{ "url_end",		ACL_URL,	ACL_M_END,	S, true },
	{ "url_len",		ACL_URL,	ACL_M_LEN,	S, true },
	{ "url_param",		ACL_URL_PARAM,	ACL_M_STR,	N, true },
	{ "url_reg",		ACL_URL,	ACL_M_REG,	S, true },
	{ "url_sub",		ACL_URL,	ACL_M_SUB,	S, true },
	{ "urlp",		ACL_URL_PARAM,	ACL_M_STR,	N, true },
};
#undef S
#undef O
#undef N

/* HAProxy criteria weir knows of but does not offer (yet). */
static const char *const acl_later[] = {
	"cook_cnt", "cook_val", "hdr_ip", "hdr_val", "req.ssl_sni",
	"url_ip", "url_port",
};

/* The names of -m, in the order of enum acl_match. */
static const char *const acl_match_names[] = {
	"str", "beg", "end", "sub", "dom", "dir", "reg", "found", "len",
	"int", "ip", "bool",
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct acl_crit_info *
acl_crit_info(enum acl_crit c)
{
	size_t i;

	for (i = 0; i < NELEM(acl_crits); i++)
		if (acl_crits[i].crit == c)
			return &acl_crits[i];
	return NULL;
}

const struct acl_crit_info *
acl_crit_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NELEM(acl_crits); i++)
		if (strlen(acl_crits[i].name) == len &&
		    memcmp(acl_crits[i].name, name, len) == 0)
			return &acl_crits[i];
	return NULL;
}

/* What a fetch gives: text, an integer, an address or a truth. */
enum acl_type { ACL_T_STR = 0, ACL_T_INT, ACL_T_ADDR, ACL_T_BOOL };

static enum acl_type
acl_type(enum acl_crit c)
{
	switch (c) {
	case ACL_SRC:
	case ACL_DST:
		return ACL_T_ADDR;
	case ACL_SSL_FC:
	case ACL_SSL_C_USED:
		return ACL_T_BOOL;
	case ACL_HDR_CNT:
	case ACL_DST_PORT:
	case ACL_SRC_PORT:
		return ACL_T_INT;
	default:
		return ACL_IS_INT(c) ? ACL_T_INT : ACL_T_STR;
	}
}

/* Whether patterns of match m are integers. */
static bool
acl_int_match(enum acl_match m)
{
	return m == ACL_M_INT || m == ACL_M_LEN;
}

static bool
acl_is_op(const char *s)
{
	return strcmp(s, "gt") == 0 || strcmp(s, "ge") == 0 ||
	    strcmp(s, "lt") == 0 || strcmp(s, "le") == 0 ||
	    strcmp(s, "eq") == 0;
}

/*
 * An integer pattern: "N", or a range "A:B", ":B", "A:" (bounds
 * included). Returns 0, or -1 when s is neither.
 */
static int
acl_int_pat(const char *s, struct acl_pat *p)
{
	const char *colon = strchr(s, ':');
	char lo[32];
	size_t ll;

	if (colon == NULL)
		return val_int(s, 0, 1000000000000LL, &p->num);
	ll = (size_t)(colon - s);
	if (ll >= sizeof(lo) || (ll == 0 && colon[1] == '\0'))
		return -1;
	memcpy(lo, s, ll);
	lo[ll] = '\0';
	p->num = 0;
	p->max = LLONG_MAX;
	if (ll > 0 && val_int(lo, 0, 1000000000000LL, &p->num) != 0)
		return -1;
	if (colon[1] != '\0' &&
	    val_int(colon + 1, 0, 1000000000000LL, &p->max) != 0)
		return -1;
	if (p->max < p->num)
		return -1;
	p->op = ACL_OP_RANGE;
	return 0;
}

static int
acl_regcomp(regex_t *re, const char *s, unsigned flags)
{
	return regcomp(re, s, REG_EXTENDED | REG_NOSUB |
	    ((flags & ACL_F_ICASE) ? REG_ICASE : 0));
}

static int
acl_check_value(struct diag *d, const struct conf_acl *ca,
    const struct conf_word *w)
{
	struct conf_addr net;
	struct acl_pat p;
	unsigned bits;
	regex_t re;
	int r;

	if (acl_int_match(ca->match)) {
		if (acl_is_op(w->s) || acl_int_pat(w->s, &p) == 0)
			return 0;
		diag_error(d, &w->loc, "'%s' is not a number, a range "
		    "(A:B) or one of gt, ge, lt, le, eq", w->s);
		return -1;
	}
	switch (ca->match) {
	case ACL_M_IP:
		if (val_net(w->s, &net, &bits) < 0) {
			diag_error(d, &w->loc,
			    "invalid address or network '%s' for '%s'", w->s,
			    ca->kw);
			return -1;
		}
		return 0;
	case ACL_M_REG:
		r = acl_regcomp(&re, w->s, ca->flags);
		if (r != 0) {
			char msg[128];

			regerror(r, &re, msg, sizeof(msg));
			diag_error(d, &w->loc,
			    "invalid regular expression '%s': %s", w->s, msg);
			return -1;
		}
		regfree(&re);
		return 0;
	default:
		break;
	}
	switch (ca->crit) {
	case ACL_SSL_C_VERIFY:
		if (strspn(w->s, "0123456789") != w->len || w->len == 0 ||
		    w->len > 9) {
			diag_error(d, &w->loc, "'ssl_c_verify' matches a "
			    "number (0: verified), got '%s'", w->s);
			return -1;
		}
		break;
	case ACL_METHOD:
		if (ca->match == ACL_M_STR && !val_is_token(w->s)) {
			diag_error(d, &w->loc, "invalid method '%s'", w->s);
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * The -m METHOD of ca at words[k], which must name one. Returns 0, or
 * -1 with an error: a truth takes none, an address only ip.
 */
static int
acl_parse_match(struct diag *d, struct conf_acl *ca,
    const struct conf_word *words, unsigned k, unsigned n)
{
	enum acl_type ty = acl_type(ca->crit);
	unsigned m;

	if (k + 1 >= n) {
		diag_error(d, &words[k].loc, "acl flag '-m' needs a match "
		    "method (str, beg, end, sub, dom, dir, reg, found, len, "
		    "int, ip)");
		return -1;
	}
	for (m = 0; m < ACL_M_BOOL; m++)
		if (strcmp(words[k + 1].s, acl_match_names[m]) == 0)
			break;
	if (m == ACL_M_BOOL) {
		diag_error(d, &words[k + 1].loc, "unknown match method '%s' "
		    "(str, beg, end, sub, dom, dir, reg, found, len, int, ip)",
		    words[k + 1].s);
		return -1;
	}
	if (ty == ACL_T_BOOL || (m == ACL_M_IP) != (ty == ACL_T_ADDR)) {
		if (!(ty == ACL_T_ADDR && m == ACL_M_FOUND)) {
			diag_error(d, &words[k + 1].loc, "acl criterion '%s' "
			    "cannot be matched with '-m %s'", ca->kw,
			    acl_match_names[m]);
			return -1;
		}
	}
	ca->match = (enum acl_match)m;
	return 0;
}

/* The criterion in word cw, with an error when it is not one. */
static const struct acl_crit_info *
acl_parse_crit(struct diag *d, const struct conf_word *cw, size_t cl)
{
	const struct acl_crit_info *ci;
	const char *best;
	char crit[64];
	size_t i;

	ci = acl_crit_find(cw->s, cl);
	if (ci != NULL)
		return ci;
	if (cl >= sizeof(crit)) {
		diag_error(d, &cw->loc, "unknown acl criterion '%s'", cw->s);
		return NULL;
	}
	memcpy(crit, cw->s, cl);
	crit[cl] = '\0';
	for (i = 0; i < NELEM(acl_later); i++) {
		if (strcmp(crit, acl_later[i]) == 0) {
			diag_error(d, &cw->loc, "acl criterion '%s' "
			    "is not supported yet", crit);
			return NULL;
		}
	}
	best = diag_best_match(crit, acl_crits, NELEM(acl_crits),
	    sizeof(acl_crits[0]));
	if (best != NULL)
		diag_error(d, &cw->loc, "unknown acl criterion '%s' "
		    "(did you mean '%s'?)", crit, best);
	else
		diag_error(d, &cw->loc, "unknown acl criterion '%s'", crit);
	return NULL;
}

/* The flags before the values, from words[*k]; returns 0 or -1. */
static int
acl_parse_flags(struct diag *d, struct conf_acl *ca,
    const struct conf_word *words, unsigned *k, unsigned n)
{
	for (; *k < n && words[*k].s[0] == '-' &&
	    !(words[*k].flags & CONF_W_QUOTED); (*k)++) {
		const char *f = words[*k].s;

		if (strcmp(f, "--") == 0) {
			(*k)++;
			break;
		}
		if (strcmp(f, "-i") == 0) {
			ca->flags |= ACL_F_ICASE;
		} else if (strcmp(f, "-m") == 0) {
			if (acl_parse_match(d, ca, words, *k, n) < 0)
				return -1;
			(*k)++;
		} else if (strcmp(f, "-f") == 0 || strcmp(f, "-M") == 0 ||
		    strcmp(f, "-n") == 0 || strcmp(f, "-u") == 0) {
			diag_error(d, &words[*k].loc,
			    "acl flag '%s' is not supported yet", f);
			return -1;
		} else {
			diag_error(d, &words[*k].loc, "unknown acl flag '%s' "
			    "(use '--' before a value that starts with '-')",
			    f);
			return -1;
		}
	}
	return 0;
}

struct conf_acl *
acl_parse(struct arena *a, struct diag *d, const char *name,
    const struct conf_word *words, unsigned n, const struct loc *loc)
{
	struct conf_acl *ca;
	const struct acl_crit_info *ci;
	const struct conf_word *cw;
	const char *paren, *arg = NULL;
	size_t cl;
	unsigned k = 1;
	int bad = 0;

	if (n == 0) {
		diag_error(d, loc, "an acl needs a criterion and values");
		return NULL;
	}
	cw = &words[0];
	paren = strchr(cw->s, '(');
	cl = paren ? (size_t)(paren - cw->s) : cw->len;
	if ((ci = acl_parse_crit(d, cw, cl)) == NULL)
		return NULL;
	if (paren != NULL) {
		size_t al = cw->len - cl;

		if (al < 3 || cw->s[cw->len - 1] != ')' ||
		    memchr(paren + 1, ')', al - 2) != NULL) {
			diag_error(d, &cw->loc, "malformed argument in '%s' "
			    "(expected %s(name))", cw->s, ci->name);
			return NULL;
		}
		if (ci->arg == ACL_ARG_NONE) {
			diag_error(d, &cw->loc,
			    "acl criterion '%s' takes no argument", ci->name);
			return NULL;
		}
		arg = arena_strndup(a, paren + 1, al - 2);
	} else if (ci->arg == ACL_ARG_NEED) {
		diag_error(d, &cw->loc, "acl criterion '%s' needs %s: "
		    "%s(name)", ci->name, ci->crit == ACL_HDR ||
		    ci->crit == ACL_HDR_CNT ? "a header name" :
		    ci->crit == ACL_COOK ? "a cookie name" : "a parameter name",
		    ci->name);
		return NULL;
	}

	ca = arena_alloc(a, sizeof(*ca));
	if (ca == NULL || (paren != NULL && arg == NULL)) {
		diag_error(d, loc, "out of memory");
		return NULL;
	}
	ca->loc = *loc;
	ca->name = name;
	ca->crit = ci->crit;
	ca->kw = ci->name;
	ca->match = ci->match;
	ca->arg = arg;
	if (acl_parse_flags(d, ca, words, &k, n) < 0)
		return NULL;
	if (ca->match == ACL_M_BOOL || ca->match == ACL_M_FOUND) {
		/* a truth: a TLS connection, a value that is there */
		if (k < n) {
			diag_error(d, &words[k].loc, "acl criterion '%s' "
			    "takes no value%s", ci->name,
			    ca->match == ACL_M_FOUND ? " with '-m found'" : "");
			return NULL;
		}
		return ca;
	}
	if (k >= n) {
		diag_error(d, &cw->loc, "acl criterion '%s' needs at least "
		    "one value to match", ci->name);
		return NULL;
	}
	ca->vals = &words[k];
	ca->nvals = n - k;
	for (; k < n; k++)
		bad |= acl_check_value(d, ca, &words[k]);
	return bad ? NULL : ca;
}

int
acl_compile(struct arena *a, struct diag *d, const struct conf_acl *ca,
    struct acl_expr *e)
{
	int op;
	unsigned i;

	memset(e, 0, sizeof(*e));
	e->crit = ca->crit;
	e->match = ca->match;
	e->flags = ca->flags;
	e->arg_len = ca->arg ? strlen(ca->arg) : 0;
	/* the conf goes away once the graph is built: copy what is kept */
	e->arg = ca->arg ? arena_strndup(a, ca->arg, e->arg_len) : NULL;
	if (ca->arg != NULL && e->arg == NULL) {
		diag_error(d, &ca->loc, "out of memory");
		return -1;
	}
	e->pats = arena_alloc(a, sizeof(*e->pats) * (ca->nvals ? ca->nvals :
	    1));
	op = ACL_OP_EQ;
	if (e->pats == NULL) {
		diag_error(d, &ca->loc, "out of memory");
		return -1;
	}
	for (i = 0; i < ca->nvals; i++) {
		const struct conf_word *w = &ca->vals[i];
		struct acl_pat *p = &e->pats[e->npats];

		memset(p, 0, sizeof(*p));
		if (acl_int_match(ca->match)) {
			static const char *const ops[] = { "eq", "gt", "ge",
				"lt", "le" };
			unsigned o;

			for (o = 0; o < 5; o++)
				if (strcmp(w->s, ops[o]) == 0)
					break;
			if (o < 5) {
				op = (int)o;
				continue;
			}
			p->op = op;
			(void)acl_int_pat(w->s, p);
			e->npats++;
			continue;
		}
		p->s = arena_strndup(a, w->s, w->len);
		p->len = w->len;
		if (p->s == NULL) {
			diag_error(d, &w->loc, "out of memory");
			return -1;
		}
		if (ca->match == ACL_M_IP &&
		    val_net(w->s, &p->net, &p->bits) < 0) {
			diag_error(d, &w->loc, "invalid network '%s'", w->s);
			return -1;
		}
		if (ca->match == ACL_M_REG) {
			p->re = malloc(sizeof(*p->re));
			if (p->re == NULL ||
			    acl_regcomp(p->re, w->s, ca->flags) != 0) {
				free(p->re);
				p->re = NULL;
				diag_error(d, &w->loc,
				    "cannot compile '%s'", w->s);
				return -1;
			}
		}
		e->npats++;
	}
	return 0;
}

void
acl_expr_release(struct acl_expr *e)
{
	unsigned i;

	for (i = 0; i < e->npats; i++) {
		if (e->pats[i].re != NULL) {
			regfree(e->pats[i].re);
			free(e->pats[i].re);
			e->pats[i].re = NULL;
		}
	}
}

static bool
acl_eq(const char *a, size_t al, const char *b, size_t bl, bool icase)
{
	if (al != bl)
		return false;
	return icase ? strncasecmp(a, b, al) == 0 : memcmp(a, b, al) == 0;
}

/* Whether v[0..vl) holds p[0..pl), no copy, no allocation. */
static bool
acl_sub(const char *v, size_t vl, const char *p, size_t pl, bool icase)
{
	size_t i;

	if (pl > vl)
		return false;
	for (i = 0; i + pl <= vl; i++)
		if (acl_eq(v + i, pl, p, pl, icase))
			return true;
	return false;
}

/*
 * Whether v[0..vl) holds p[0..pl) as a whole word: after the start or a
 * delimiter, before the end or a delimiter. Delimiters around p do not
 * count, as in HAProxy: "-m dom .example.com" is "example.com".
 */
static bool
acl_word(const char *v, size_t vl, const char *p, size_t pl,
    const char *delims, bool icase)
{
	size_t dl = strlen(delims), i;
	bool may = true;

	while (pl > 0 && memchr(delims, p[0], dl) != NULL) {
		p++;
		pl--;
	}
	while (pl > 0 && memchr(delims, p[pl - 1], dl) != NULL)
		pl--;
	if (pl == 0 || pl > vl)
		return false;
	for (i = 0; i + pl <= vl; i++) {
		if (memchr(delims, v[i], dl) != NULL) {
			may = true;
			continue;
		}
		if (may && acl_eq(v + i, pl, p, pl, icase) &&
		    (i + pl == vl || memchr(delims, v[i + pl], dl) != NULL))
			return true;
		may = false;
	}
	return false;
}

static bool
acl_net_match(const struct acl_pat *p, const struct sockaddr *sa)
{
	const unsigned char *x, *y;
	unsigned bits = p->bits, i;

	if (sa == NULL || sa->sa_family != p->net.ss.ss_family)
		return false;
	if (sa->sa_family == AF_INET) {
		x = (const unsigned char *)&((const struct sockaddr_in *)sa)
		    ->sin_addr;
		y = (const unsigned char *)&((const struct sockaddr_in *)
		    &p->net.ss)->sin_addr;
	} else {
		x = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		y = ((const struct sockaddr_in6 *)&p->net.ss)
		    ->sin6_addr.s6_addr;
	}
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (x[i] != y[i])
			return false;
	if (bits > 0) {
		unsigned char m = (unsigned char)(0xff << (8 - bits));

		if ((x[i] & m) != (y[i] & m))
			return false;
	}
	return true;
}

static bool
acl_int_pat_match(const struct acl_pat *p, long long x)
{
	switch (p->op) {
	case ACL_OP_EQ:
		return x == p->num;
	case ACL_OP_GT:
		return x > p->num;
	case ACL_OP_GE:
		return x >= p->num;
	case ACL_OP_LT:
		return x < p->num;
	case ACL_OP_LE:
		return x <= p->num;
	case ACL_OP_RANGE:
		return x >= p->num && x <= p->max;
	}
	return false;
}

/* Whether text v[0..vl) matches string pattern p of e. */
static bool
acl_str_match(const struct acl_expr *e, const struct acl_pat *p,
    const char *v, size_t vl)
{
	bool ic = e->flags & ACL_F_ICASE;

	switch (e->match) {
	case ACL_M_STR:
		return acl_eq(v, vl, p->s, p->len, ic);
	case ACL_M_BEG:
		return vl >= p->len && acl_eq(v, p->len, p->s, p->len, ic);
	case ACL_M_END:
		return vl >= p->len &&
		    acl_eq(v + vl - p->len, p->len, p->s, p->len, ic);
	case ACL_M_SUB:
		return acl_sub(v, vl, p->s, p->len, ic);
	case ACL_M_DOM:
		return acl_word(v, vl, p->s, p->len, "/?.:", ic);
	case ACL_M_DIR:
		return acl_word(v, vl, p->s, p->len, "/?", ic);
	case ACL_M_REG: {
		/* REG_STARTEND: the value as it lies, no copy, any length */
		regmatch_t pm = { 0, (regoff_t)vl };

		return regexec(p->re, v, 1, &pm, REG_STARTEND) == 0;
	}
	case ACL_M_FOUND:
	case ACL_M_LEN:
	case ACL_M_INT:
	case ACL_M_IP:
	case ACL_M_BOOL:
		break;
	}
	return false;
}

/* The value of name=value in the list v[0..vl) split at any of seps. */
static const char *
acl_pair(const char *v, size_t vl, const char *name, size_t nl,
    const char *seps, size_t *len)
{
	size_t i = 0, sl = strlen(seps);

	while (i < vl) {
		size_t j = i, e;

		while (j < vl && memchr(seps, v[j], sl) == NULL)
			j++;
		e = j;
		/* cookies have blanks around their pairs; parameters none */
		while (i < e && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (e - i >= nl && memcmp(v + i, name, nl) == 0 &&
		    (e - i == nl || v[i + nl] == '=')) {
			const char *val = v + i + nl + (e - i > nl);

			*len = (size_t)(v + e - val);
			while (*len > 0 && (val[*len - 1] == ' ' ||
			    val[*len - 1] == '\t'))
				(*len)--;
			return val;
		}
		i = j + 1;
	}
	return NULL;
}

/* A cookie of the request: the first pair named name in its Cookie. */
static const char *
acl_cookie(const struct acl_sample *s, const char *name, size_t nl,
    size_t *len)
{
	const char *v, *c;
	size_t vl;
	unsigned occ;

	if (s->hdr == NULL)
		return NULL;
	for (occ = 0; (v = s->hdr(s->hdr_arg, "Cookie", 6, occ, &vl)) != NULL;
	    occ++)
		if ((c = acl_pair(v, vl, name, nl, ";", len)) != NULL)
			return c;
	return NULL;
}

/* How many comma-separated values the fields named name hold. */
static long long
acl_hdr_cnt(const struct acl_sample *s, const char *name, size_t nl)
{
	const char *v;
	long long n = 0;
	size_t vl, i;
	unsigned occ;

	if (s->hdr == NULL)
		return 0;
	for (occ = 0; (v = s->hdr(s->hdr_arg, name, nl, occ, &vl)) != NULL;
	    occ++)
		for (n++, i = 0; i < vl; i++)
			n += v[i] == ',';
	return n;
}

static const struct sockaddr *
acl_dst(const struct acl_sample *s)
{
	return s->dst != NULL ? s->dst(s->dst_arg) : NULL;
}

static long long
acl_port(const struct sockaddr *sa)
{
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

static const char *
acl_addr_str(const struct sockaddr *sa, char *buf, size_t size, size_t *len)
{
	const char *v = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		v = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)
		    ->sin_addr, buf, (socklen_t)size);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		v = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)
		    ->sin6_addr, buf, (socklen_t)size);
	*len = v ? strlen(v) : 0;
	return v;
}

/* The first Host field then the path, made in buf. */
static const char *
acl_base(const struct acl_sample *s, char *buf, size_t size, size_t *len)
{
	const char *h = NULL;
	size_t hl = 0;

	if (s->path == NULL)
		return NULL;
	if (s->hdr != NULL)
		h = s->hdr(s->hdr_arg, "Host", 4, 0, &hl);
	if (h == NULL)
		hl = 0;
	if (hl + s->path_len > size)
		return NULL;
	if (hl > 0)
		memcpy(buf, h, hl);
	memcpy(buf + hl, s->path, s->path_len);
	*len = hl + s->path_len;
	return buf;
}

static bool acl_int(const struct acl_expr *, const struct acl_sample *,
    long long *);

const char *
acl_fetch(enum acl_crit c, const char *arg, size_t arg_len,
    const struct acl_sample *s, char *buf, size_t size, size_t *len)
{
	const char *v = NULL;
	int n;

	*len = 0;
	switch (c) {
	case ACL_SC_HTTP_REQ_RATE:
	case ACL_SC_HTTP_ERR_RATE:
	case ACL_SC_CONN_RATE:
	case ACL_SC_CONN_CUR:
	case ACL_SRC_HTTP_REQ_RATE:
	case ACL_SRC_CONN_RATE:
	case ACL_HDR_CNT:
	case ACL_DST_PORT:
	case ACL_SRC_PORT: {
		struct acl_expr x;
		long long num;

		memset(&x, 0, sizeof(x));
		x.crit = c;
		x.arg = arg;
		x.arg_len = arg_len;
		if (!acl_int(&x, s, &num))
			break;
		n = snprintf(buf, size, "%lld", num);
		if (n > 0 && (size_t)n < size) {
			v = buf;
			*len = (size_t)n;
		}
		break;
	}
	case ACL_PATH:
		v = s->path;
		*len = s->path_len;
		break;
	case ACL_URL:
		v = s->url;
		*len = s->url_len;
		break;
	case ACL_QUERY:
		v = s->query;
		*len = s->query_len;
		break;
	case ACL_URL_PARAM:
		if (s->query != NULL)
			v = acl_pair(s->query, s->query_len, arg, arg_len,
			    "&;", len);
		break;
	case ACL_COOK:
		v = acl_cookie(s, arg, arg_len, len);
		break;
	case ACL_BASE:
		v = acl_base(s, buf, size, len);
		break;
	case ACL_METHOD:
		v = s->method;
		*len = s->method_len;
		break;
	case ACL_HDR:
		if (s->hdr != NULL)
			v = s->hdr(s->hdr_arg, arg, arg_len, 0, len);
		break;
	case ACL_SRC:
		v = acl_addr_str(s->src, buf, size, len);
		break;
	case ACL_DST:
		v = acl_addr_str(acl_dst(s), buf, size, len);
		break;
	case ACL_SSL_FC:
		n = snprintf(buf, size, "%d", s->ssl != NULL);
		v = buf;
		*len = (size_t)n;
		break;
	case ACL_SSL_C_USED:
		n = snprintf(buf, size, "%d", s->ssl != NULL &&
		    tls_c_used(s->ssl));
		v = buf;
		*len = (size_t)n;
		break;
	case ACL_SSL_FC_PROTOCOL:
	case ACL_SSL_FC_CIPHER:
		if (s->ssl == NULL)
			break;
		v = c == ACL_SSL_FC_PROTOCOL ? tls_fc_protocol(s->ssl) :
		    tls_fc_cipher(s->ssl);
		*len = v ? strlen(v) : 0;
		break;
	case ACL_SSL_FC_SNI:
		if (s->ssl != NULL)
			v = tls_fc_sni(s->ssl, len);
		break;
	case ACL_SSL_C_VERIFY:
		if (s->ssl == NULL)
			break;
		n = snprintf(buf, size, "%ld", tls_c_verify(s->ssl));
		v = buf;
		*len = (size_t)n;
		break;
	case ACL_SSL_C_S_DN:
	case ACL_SSL_C_I_DN:
		if (s->ssl == NULL)
			break;
		n = tls_c_dn(s->ssl, c == ACL_SSL_C_I_DN, arg, buf, size);
		if (n >= 0) {
			v = buf;
			*len = (size_t)n;
		}
		break;
	}
	return v;
}

/* The value of an integer criterion; false when the sample has none. */
static bool
acl_int(const struct acl_expr *e, const struct acl_sample *s, long long *x)
{
	static const enum stk_data rate_of[] = {
		[ACL_SC_HTTP_REQ_RATE] = STK_D_HTTP_REQ_RATE,
		[ACL_SC_HTTP_ERR_RATE] = STK_D_HTTP_ERR_RATE,
		[ACL_SC_CONN_RATE] = STK_D_CONN_RATE,
		[ACL_SRC_HTTP_REQ_RATE] = STK_D_HTTP_REQ_RATE,
		[ACL_SRC_CONN_RATE] = STK_D_CONN_RATE,
	};

	switch (e->crit) {
	case ACL_HDR_CNT:
		*x = acl_hdr_cnt(s, e->arg, e->arg_len);
		return true;
	case ACL_DST_PORT:
		*x = acl_port(acl_dst(s));
		return *x >= 0;
	case ACL_SRC_PORT:
		*x = acl_port(s->src);
		return *x >= 0;
	case ACL_SC_HTTP_REQ_RATE:
	case ACL_SC_HTTP_ERR_RATE:
	case ACL_SC_CONN_RATE:
	case ACL_SC_CONN_CUR: {
		unsigned k = e->arg != NULL ? (unsigned)(e->arg[0] - '0') : 0;

		if (s->sc == NULL || k > 2 || s->sc->e[k] == NULL) {
			*x = 0;
			return true;	/* not tracked: nothing counted */
		}
		*x = e->crit == ACL_SC_CONN_CUR ?
		    stk_conn_cur(s->sc->t[k], s->sc->e[k]) :
		    stk_rate(s->sc->t[k], s->sc->e[k], rate_of[e->crit],
		    s->now_ms);
		return true;
	}
	case ACL_SRC_HTTP_REQ_RATE:
	case ACL_SRC_CONN_RATE: {
		const struct g_table *t = e->arg != NULL && s->g != NULL ?
		    graph_find_table(s->g, e->arg) : s->table;
		unsigned char key[STK_KEY_MAX];
		size_t kl;

		*x = 0;
		if (t == NULL || t->t == NULL || s->src == NULL)
			return true;
		kl = stk_key_ip(t->t, s->src, key);
		*x = stk_lookup_rate(t->t, key, kl, rate_of[e->crit],
		    s->now_ms);
		return true;
	}
	default:
		return false;
	}
}

/* Text as an integer (-m int): digits, with an optional sign. */
static bool
acl_str_int(const char *v, size_t vl, long long *x)
{
	bool neg = vl > 0 && v[0] == '-';
	size_t i = neg || (vl > 0 && v[0] == '+');
	long long n = 0;

	if (i == vl || vl - i > 18)
		return false;
	for (; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (v[i] - '0');
	}
	*x = neg ? -n : n;
	return true;
}

/* The integer an integer match (-m int, -m len) compares. */
static bool
acl_expr_int(const struct acl_expr *e, const struct acl_sample *s,
    long long *x)
{
	char buf[256];
	const char *v;
	size_t vl;

	if (e->match == ACL_M_INT && acl_type(e->crit) == ACL_T_INT)
		return acl_int(e, s, x);
	v = acl_fetch(e->crit, e->arg, e->arg_len, s, buf, sizeof(buf), &vl);
	if (v == NULL)
		return false;
	if (e->match == ACL_M_LEN) {
		*x = (long long)vl;
		return true;
	}
	return acl_str_int(v, vl, x);
}

bool
acl_expr_match(const struct acl_expr *e, const struct acl_sample *s)
{
	char buf[512];
	const char *v;
	size_t vl = 0;
	unsigned i;

	switch (e->match) {
	case ACL_M_BOOL:
		if (e->crit == ACL_SSL_FC)
			return s->ssl != NULL;
		return s->ssl != NULL && tls_c_used(s->ssl);
	case ACL_M_IP: {
		const struct sockaddr *sa = e->crit == ACL_DST ? acl_dst(s) :
		    s->src;

		for (i = 0; i < e->npats; i++)
			if (acl_net_match(&e->pats[i], sa))
				return true;
		return false;
	}
	case ACL_M_INT:
	case ACL_M_LEN: {
		long long x;

		if (!acl_expr_int(e, s, &x))
			return false;
		for (i = 0; i < e->npats; i++)
			if (acl_int_pat_match(&e->pats[i], x))
				return true;
		return false;
	}
	default:
		break;
	}
	v = acl_fetch(e->crit, e->arg, e->arg_len, s, buf, sizeof(buf), &vl);
	if (v == NULL)
		return false;
	if (e->match == ACL_M_FOUND)
		return true;
	for (i = 0; i < e->npats; i++)
		if (acl_str_match(e, &e->pats[i], v, vl))
			return true;
	return false;
}
