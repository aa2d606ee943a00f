#include "config.h"

#include "fmt.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */
static const struct {
	const char *name;
	enum acl_crit crit;
	int arg;		/* 0: none, 1: optional, 2: needed */
} fmt_fetches[] = {
	{ "base",		ACL_BASE,		0 },
	{ "cook",		ACL_COOK,		2 },
	{ "dst",		ACL_DST,		0 },
	{ "dst_port",		ACL_DST_PORT,		0 },
	{ "hdr",		ACL_HDR,		2 },
	{ "hdr_cnt",		ACL_HDR_CNT,		2 },
	{ "method",		ACL_METHOD,		0 },
	{ "path",		ACL_PATH,		0 },
	{ "query",		ACL_QUERY,		0 },
	{ "req.cook",		ACL_COOK,		2 },
	{ "req.hdr",		ACL_HDR,		2 },
	{ "req.hdr_cnt",	ACL_HDR_CNT,		2 },
	{ "src",		ACL_SRC,		0 },
	{ "src_port",		ACL_SRC_PORT,		0 },
	{ "ssl_c_i_dn",		ACL_SSL_C_I_DN,		1 },
	{ "ssl_c_s_dn",		ACL_SSL_C_S_DN,		1 },
	{ "ssl_c_used",		ACL_SSL_C_USED,		0 },
	{ "ssl_c_verify",	ACL_SSL_C_VERIFY,	0 },
	{ "ssl_fc",		ACL_SSL_FC,		0 },
	{ "ssl_fc_cipher",	ACL_SSL_FC_CIPHER,	0 },
	{ "ssl_fc_protocol",	ACL_SSL_FC_PROTOCOL,	0 },
	{ "ssl_fc_sni",		ACL_SSL_FC_SNI,		0 },
	{ "url",		ACL_URL,		0 },
	{ "url_param",		ACL_URL_PARAM,		2 },
	{ "urlp",		ACL_URL_PARAM,		2 },
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FMT_MAX_SEGS	32

bool
fmt_has_fetch(const char *s)
{
	for (; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] == '%')
			s++;
		else if (s[0] == '%' && s[1] == '[')
			return true;
	}
	return false;
}

/* The fetch in e[0..len) ("name" or "name(arg)") into seg. */
static int
fmt_fetch(struct arena *a, const char *e, size_t len, struct fmt_seg *seg,
    char *err, size_t errlen)
{
	const char *paren = memchr(e, '(', len);
	size_t nl = paren ? (size_t)(paren - e) : len;
	unsigned i;

	for (i = 0; i < NELEM(fmt_fetches); i++)
		if (strlen(fmt_fetches[i].name) == nl &&
		    memcmp(fmt_fetches[i].name, e, nl) == 0)
			break;
	if (i == NELEM(fmt_fetches)) {
		snprintf(err, errlen, "unknown sample fetch '%.*s' (see "
		    "'Sample fetches' in lb.conf(5))", (int)nl, e);
		return -1;
	}
	seg->fetch = true;
	seg->crit = fmt_fetches[i].crit;
	if (paren != NULL) {
		if (e[len - 1] != ')' || len - nl < 3 ||
		    fmt_fetches[i].arg == 0) {
			snprintf(err, errlen, "'%.*s': %s", (int)len, e,
			    fmt_fetches[i].arg ? "malformed argument" :
			    "takes no argument");
			return -1;
		}
		seg->s = arena_strndup(a, paren + 1, len - nl - 2);
		seg->len = len - nl - 2;
		if (seg->s == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else if (fmt_fetches[i].arg == 2) {
		snprintf(err, errlen, "'%.*s' needs an argument: %.*s(name)",
		    (int)nl, e, (int)nl, e);
		return -1;
	}
	return 0;
}

struct fmt *
fmt_parse(struct arena *a, const char *s, char *err, size_t errlen,
    size_t *at)
{
	struct fmt_seg segs[FMT_MAX_SEGS];
	struct fmt *f;
	char *lit = arena_alloc(a, strlen(s) + 1), *o;
	const char *p = s, *end;
	unsigned n = 0;

	if (lit == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = lit;
	while (*p != '\0') {
		const char *start = o;

		while (*p != '\0' && !(p[0] == '%' && p[1] != '%')) {
			*o++ = *p;
			p += p[0] == '%' ? 2 : 1;
		}
		if (o > start) {
			if (n == FMT_MAX_SEGS)
				goto toolong;
			memset(&segs[n], 0, sizeof(segs[n]));
			segs[n].s = start;
			segs[n++].len = (size_t)(o - start);
		}
		if (*p == '\0')
			break;
		*at = (size_t)(p - s);
		if (p[1] != '[') {
			snprintf(err, errlen, "log-format variables ('%%%c') "
			    "are not supported in values: use %%[fetch], or "
			    "write a literal '%%' as '%%%%'", p[1] ? p[1] :
			    ' ');
			return NULL;
		}
		end = strchr(p + 2, ']');
		if (end == NULL || end == p + 2) {
			snprintf(err, errlen, "'%%[' without a fetch and "
			    "its closing ']'");
			return NULL;
		}
		if (n == FMT_MAX_SEGS)
			goto toolong;
		memset(&segs[n], 0, sizeof(segs[n]));
		if (fmt_fetch(a, p + 2, (size_t)(end - p - 2), &segs[n],
		    err, errlen) < 0)
			return NULL;
		n++;
		p = end + 1;
	}
	f = arena_alloc(a, sizeof(*f));
	if (f != NULL)
		f->segs = arena_alloc(a, sizeof(*f->segs) * (n ? n : 1));
	if (f == NULL || f->segs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(f->segs, segs, sizeof(*segs) * n);
	f->n = n;
	return f;
toolong:
	*at = 0;
	snprintf(err, errlen, "more than %d parts", FMT_MAX_SEGS);
	return NULL;
}

size_t
fmt_eval(const struct fmt *f, const struct acl_sample *smp, char *out,
    size_t cap)
{
	char tmp[256];
	size_t len = 0, vl;
	unsigned i;

	for (i = 0; i < f->n; i++) {
		const struct fmt_seg *sg = &f->segs[i];
		const char *v = sg->s;

		vl = sg->len;
		if (sg->fetch)
			v = acl_fetch(sg->crit, sg->s, sg->len, smp, tmp,
			    sizeof(tmp), &vl);
		if (v == NULL)
			continue;
		if (vl > cap - len)
			vl = cap - len;
		memcpy(out + len, v, vl);
		/* what a fetch returns must not break the head's framing */
		for (; sg->fetch && vl > 0; vl--, len++)
			if ((unsigned char)out[len] < 0x20 ||
			    out[len] == 0x7f)
				out[len] = '?';
		len += vl;
	}
	return len;
}
