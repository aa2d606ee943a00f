#include "config.h"

#include "acl.h"

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
static const struct acl_crit_info acl_crits[] = {
	{ "hdr",	ACL_HDR,	true,	true },
	{ "hdr_beg",	ACL_HDR_BEG,	true,	true },
	{ "method",	ACL_METHOD,	false,	true },
	{ "path",	ACL_PATH,	false,	true },
	{ "path_beg",	ACL_PATH_BEG,	false,	true },
	{ "path_end",	ACL_PATH_END,	false,	true },
	{ "path_reg",	ACL_PATH_REG,	false,	true },
	{ "sc_conn_cur", ACL_SC_CONN_CUR, true, false },
	{ "sc_conn_rate", ACL_SC_CONN_RATE, true, false },
	{ "sc_http_err_rate", ACL_SC_HTTP_ERR_RATE, true, false },
	{ "sc_http_req_rate", ACL_SC_HTTP_REQ_RATE, true, false },
	{ "src",	ACL_SRC,	false,	false },
	{ "src_conn_rate", ACL_SRC_CONN_RATE, true, false },
	{ "src_http_req_rate", ACL_SRC_HTTP_REQ_RATE, true, false },
	{ "ssl_c_i_dn",	ACL_SSL_C_I_DN,	true,	false },
	{ "ssl_c_s_dn",	ACL_SSL_C_S_DN,	true,	false },
	{ "ssl_c_used",	ACL_SSL_C_USED,	false,	false },
	{ "ssl_c_verify", ACL_SSL_C_VERIFY, false, false },
	{ "ssl_fc",	ACL_SSL_FC,	false,	false },
	{ "ssl_fc_cipher", ACL_SSL_FC_CIPHER, false, false },
	{ "ssl_fc_protocol", ACL_SSL_FC_PROTOCOL, false, false },
	{ "ssl_fc_sni",	ACL_SSL_FC_SNI,	false,	false },
};

/* HAProxy criteria weir knows of but does not offer (yet). */
static const char *const acl_later[] = {
	"base", "base_beg", "base_dom", "base_end", "base_reg", "base_sub",
	"cook", "dst", "dst_port", "hdr_cnt", "hdr_dom", "hdr_end",
	"hdr_ip", "hdr_len", "hdr_reg", "hdr_sub", "hdr_val", "path_dir",
	"path_dom", "path_len", "path_sub", "query", "req.cook", "req.hdr",
	"req.ssl_sni", "src_port", "url", "url_beg", "url_dom", "url_end",
	"url_param", "url_reg", "url_sub",
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

static int
acl_check_value(struct diag *d, const struct conf_acl *ca,
    const struct conf_word *w)
{
	struct conf_addr net;
	unsigned bits;
	regex_t re;
	int r;

	if (ACL_IS_INT(ca->crit)) {
		long long v;

		if (strcmp(w->s, "gt") == 0 || strcmp(w->s, "ge") == 0 ||
		    strcmp(w->s, "lt") == 0 || strcmp(w->s, "le") == 0 ||
		    strcmp(w->s, "eq") == 0)
			return 0;
		if (val_int(w->s, 0, 1000000000000LL, &v) != 0) {
			diag_error(d, &w->loc, "'%s' is not a number or one of "
			    "gt, ge, lt, le, eq", w->s);
			return -1;
		}
		return 0;
	}
	switch (ca->crit) {
	case ACL_SRC:
		if (val_net(w->s, &net, &bits) < 0) {
			diag_error(d, &w->loc,
			    "invalid address or network '%s' for 'src'", w->s);
			return -1;
		}
		break;
	case ACL_SSL_C_VERIFY:
		if (strspn(w->s, "0123456789") != w->len || w->len == 0 ||
		    w->len > 9) {
			diag_error(d, &w->loc, "'ssl_c_verify' matches a "
			    "number (0: verified), got '%s'", w->s);
			return -1;
		}
		break;
	case ACL_METHOD:
		if (!val_is_token(w->s)) {
			diag_error(d, &w->loc, "invalid method '%s'", w->s);
			return -1;
		}
		break;
	case ACL_PATH_REG:
		r = regcomp(&re, w->s, REG_EXTENDED | REG_NOSUB |
		    ((ca->flags & ACL_F_ICASE) ? REG_ICASE : 0));
		if (r != 0) {
			char msg[128];

			regerror(r, &re, msg, sizeof(msg));
			diag_error(d, &w->loc,
			    "invalid regular expression '%s': %s", w->s, msg);
			return -1;
		}
		regfree(&re);
		break;
	default:
		break;
	}
	return 0;
}

struct conf_acl *
acl_parse(struct arena *a, struct diag *d, const char *name,
    const struct conf_word *words, unsigned n, const struct loc *loc)
{
	struct conf_acl *ca;
	const struct acl_crit_info *ci = NULL;
	const struct conf_word *cw;
	char crit[64];
	const char *paren, *arg = NULL;
	size_t cl, i;
	unsigned k;
	int bad = 0;

	if (n == 0) {
		diag_error(d, loc, "an acl needs a criterion and values");
		return NULL;
	}
	cw = &words[0];
	paren = strchr(cw->s, '(');
	cl = paren ? (size_t)(paren - cw->s) : cw->len;
	if (cl >= sizeof(crit)) {
		diag_error(d, &cw->loc, "unknown acl criterion '%s'", cw->s);
		return NULL;
	}
	memcpy(crit, cw->s, cl);
	crit[cl] = '\0';
	for (i = 0; i < NELEM(acl_crits); i++)
		if (strcmp(crit, acl_crits[i].name) == 0)
			ci = &acl_crits[i];
	if (ci == NULL) {
		const char *best;

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
			diag_error(d, &cw->loc,
			    "unknown acl criterion '%s'", crit);
		return NULL;
	}
	if (paren != NULL) {
		size_t al = cw->len - cl;

		if (al < 3 || cw->s[cw->len - 1] != ')' ||
		    memchr(paren + 1, ')', al - 2) != NULL) {
			diag_error(d, &cw->loc, "malformed argument in '%s' "
			    "(expected %s(name))", cw->s, crit);
			return NULL;
		}
		if (!ci->takes_arg) {
			diag_error(d, &cw->loc,
			    "acl criterion '%s' takes no argument", crit);
			return NULL;
		}
		arg = arena_strndup(a, paren + 1, al - 2);
	} else if (ci->takes_arg && ci->crit != ACL_SSL_C_S_DN &&
	    ci->crit != ACL_SSL_C_I_DN && !ACL_IS_INT(ci->crit)) {
		diag_error(d, &cw->loc,
		    "acl criterion '%s' needs a header name: %s(name)", crit,
		    crit);
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
	ca->arg = arg;

	for (k = 1; k < n && words[k].s[0] == '-' &&
	    !(words[k].flags & CONF_W_QUOTED); k++) {
		const char *f = words[k].s;

		if (strcmp(f, "--") == 0) {
			k++;
			break;
		}
		if (strcmp(f, "-i") == 0) {
			ca->flags |= ACL_F_ICASE;
		} else if (strcmp(f, "-m") == 0 || strcmp(f, "-f") == 0 ||
		    strcmp(f, "-M") == 0 || strcmp(f, "-n") == 0 ||
		    strcmp(f, "-u") == 0) {
			diag_error(d, &words[k].loc,
			    "acl flag '%s' is not supported yet", f);
			return NULL;
		} else {
			diag_error(d, &words[k].loc, "unknown acl flag '%s' "
			    "(use '--' before a value that starts with '-')",
			    f);
			return NULL;
		}
	}
	if (ci->crit == ACL_SSL_FC || ci->crit == ACL_SSL_C_USED) {
		/* a boolean: true on a TLS connection, with a certificate */
		if (k < n) {
			diag_error(d, &words[k].loc, "acl criterion '%s' "
			    "takes no value", crit);
			return NULL;
		}
		return ca;
	}
	if (k >= n) {
		diag_error(d, &cw->loc, "acl criterion '%s' needs at least "
		    "one value to match", crit);
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
		struct acl_pat *p = &e->pats[i];

		p->s = arena_strndup(a, w->s, w->len);
		p->len = w->len;
		if (p->s == NULL) {
			diag_error(d, &w->loc, "out of memory");
			return -1;
		}
		if (ACL_IS_INT(ca->crit)) {
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
			p = &e->pats[e->npats++];
			p->op = op;
			(void)val_int(w->s, 0, 1000000000000LL, &p->num);
			continue;
		}
		if (ca->crit == ACL_SRC &&
		    val_net(w->s, &p->net, &p->bits) < 0) {
			diag_error(d, &w->loc, "invalid network '%s'", w->s);
			return -1;
		}
		if (ca->crit == ACL_PATH_REG) {
			p->re = malloc(sizeof(*p->re));
			if (p->re == NULL || regcomp(p->re, w->s, REG_EXTENDED |
			    REG_NOSUB | ((ca->flags & ACL_F_ICASE) ?
			    REG_ICASE : 0)) != 0) {
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

static bool acl_int(const struct acl_expr *, const struct acl_sample *,
    long long *);

static bool
acl_pat_match(const struct acl_expr *e, const struct acl_pat *p,
    const char *v, size_t vl)
{
	bool ic = e->flags & ACL_F_ICASE;

	switch (e->crit) {
	case ACL_PATH:
	case ACL_HDR:
	case ACL_METHOD:
	case ACL_SSL_FC_SNI:
	case ACL_SSL_C_VERIFY:
	case ACL_SSL_C_S_DN:
	case ACL_SSL_C_I_DN:
	case ACL_SSL_FC_PROTOCOL:
	case ACL_SSL_FC_CIPHER:
		return acl_eq(v, vl, p->s, p->len, ic);
	case ACL_PATH_BEG:
	case ACL_HDR_BEG:
		return vl >= p->len && acl_eq(v, p->len, p->s, p->len, ic);
	case ACL_PATH_END:
		return vl >= p->len &&
		    acl_eq(v + vl - p->len, p->len, p->s, p->len, ic);
	case ACL_PATH_REG: {
		/* REG_STARTEND: the path as it lies, no copy, any length */
		regmatch_t pm = { 0, (regoff_t)vl };

		return regexec(p->re, v, 1, &pm, REG_STARTEND) == 0;
	}
	case ACL_SC_HTTP_REQ_RATE:
	case ACL_SC_HTTP_ERR_RATE:
	case ACL_SC_CONN_RATE:
	case ACL_SC_CONN_CUR:
	case ACL_SRC_HTTP_REQ_RATE:
	case ACL_SRC_CONN_RATE:
	case ACL_SRC:
	case ACL_SSL_FC:
	case ACL_SSL_C_USED:
		break;
	}
	return false;
}

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
	case ACL_SRC_CONN_RATE: {
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
	case ACL_PATH_BEG:
	case ACL_PATH_END:
	case ACL_PATH_REG:
		v = s->path;
		*len = s->path_len;
		break;
	case ACL_METHOD:
		v = s->method;
		*len = s->method_len;
		break;
	case ACL_HDR:
	case ACL_HDR_BEG:
		if (s->hdr != NULL)
			v = s->hdr(s->hdr_arg, arg, arg_len, len);
		break;
	case ACL_SRC:
		if (s->src == NULL)
			break;
		if (s->src->sa_family == AF_INET)
			v = inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    s->src)->sin_addr, buf, (socklen_t)size);
		else if (s->src->sa_family == AF_INET6)
			v = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    s->src)->sin6_addr, buf, (socklen_t)size);
		*len = v ? strlen(v) : 0;
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

bool
acl_expr_match(const struct acl_expr *e, const struct acl_sample *s)
{
	char buf[256];
	const char *v = NULL;
	size_t vl = 0;
	unsigned i;

	if (ACL_IS_INT(e->crit)) {
		long long x;

		if (!acl_int(e, s, &x))
			return false;
		for (i = 0; i < e->npats; i++) {
			const struct acl_pat *p = &e->pats[i];

			if ((p->op == ACL_OP_EQ && x == p->num) ||
			    (p->op == ACL_OP_GT && x > p->num) ||
			    (p->op == ACL_OP_GE && x >= p->num) ||
			    (p->op == ACL_OP_LT && x < p->num) ||
			    (p->op == ACL_OP_LE && x <= p->num))
				return true;
		}
		return false;
	}
	switch (e->crit) {
	case ACL_SC_HTTP_REQ_RATE:
	case ACL_SC_HTTP_ERR_RATE:
	case ACL_SC_CONN_RATE:
	case ACL_SC_CONN_CUR:
	case ACL_SRC_HTTP_REQ_RATE:
	case ACL_SRC_CONN_RATE:
		return false;	/* answered above */
	case ACL_SRC:
		for (i = 0; i < e->npats; i++)
			if (acl_net_match(&e->pats[i], s->src))
				return true;
		return false;
	case ACL_PATH:
	case ACL_PATH_BEG:
	case ACL_PATH_END:
	case ACL_PATH_REG:
		v = s->path;
		vl = s->path_len;
		break;
	case ACL_METHOD:
		v = s->method;
		vl = s->method_len;
		break;
	case ACL_HDR:
	case ACL_HDR_BEG:
		if (s->hdr != NULL)
			v = s->hdr(s->hdr_arg, e->arg, e->arg_len, &vl);
		break;
	case ACL_SSL_FC:
		return s->ssl != NULL;
	case ACL_SSL_C_USED:
		return s->ssl != NULL && tls_c_used(s->ssl);
	case ACL_SSL_FC_SNI:
	case ACL_SSL_C_VERIFY:
	case ACL_SSL_C_S_DN:
	case ACL_SSL_C_I_DN:
	case ACL_SSL_FC_PROTOCOL:
	case ACL_SSL_FC_CIPHER:
		v = acl_fetch(e->crit, e->arg, e->arg_len, s, buf,
		    sizeof(buf), &vl);
		break;
	}
	if (v == NULL)
		return false;
	for (i = 0; i < e->npats; i++)
		if (acl_pat_match(e, &e->pats[i], v, vl))
			return true;
	return false;
}
