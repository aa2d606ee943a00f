#include "config.h"

#include "http.h"

#include "stick.h"

#include "fmt.h"
#include "graph.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Appending to a bounded output; once it overflows, it stays so. */
struct out {
	char *p;
	size_t len, cap;
	bool full;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->cap - o->len < n) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* v in decimal into buf (21 bytes at least); returns its length. */
static size_t
http_u64(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void
out_field(struct out *o, const char *n, size_t nl, const char *v, size_t vl)
{
	out_put(o, n, nl);
	out_put(o, ": ", 2);
	out_put(o, v, vl);
	out_put(o, "\r\n", 2);
}

static const char *
http_hdr_cb(void *arg, const char *name, size_t nlen, unsigned occ,
    size_t *len)
{
	const struct http_view *v = arg;
	int i = h1_hdr_find(v->m, v->buf, name, nlen, 0);

	while (i >= 0 && occ-- > 0)
		i = h1_hdr_find(v->m, v->buf, name, nlen, i + 1);
	if (i < 0)
		return NULL;
	*len = v->m->hdrs[i].value_len;
	return v->buf + v->m->hdrs[i].value_off;
}

/*
 * Split target t[0..tl): *pfx bytes of scheme and authority (absolute
 * form, RFC 9112 3.2.2), then *plen bytes of path, up to a '?' or the end.
 */
static void
http_split(const char *t, size_t tl, size_t *pfx, size_t *plen)
{
	const char *q;
	size_t i;

	*pfx = 0;
	if (tl > 0 && t[0] != '/' && t[0] != '*') {
		const char *p = memchr(t, ':', tl);

		if (p != NULL && (size_t)(t + tl - p) >= 3 && p[1] == '/' &&
		    p[2] == '/') {
			for (i = (size_t)(p + 3 - t); i < tl; i++)
				if (t[i] == '/' || t[i] == '?')
					break;
			*pfx = i;
		}
	}
	q = memchr(t + *pfx, '?', tl - *pfx);
	*plen = q ? (size_t)(q - t) - *pfx : tl - *pfx;
}

/* Point smp's url, path and query into target t[0..tl). */
static void
http_sample_target(struct acl_sample *smp, const char *t, size_t tl)
{
	size_t pfx, plen;

	http_split(t, tl, &pfx, &plen);
	smp->url = t;
	smp->url_len = tl;
	smp->path = t + pfx;
	smp->path_len = plen;
	/* "http://host" has no path: "/" stands for it */
	if (plen == 0 && pfx > 0) {
		smp->path = "/";
		smp->path_len = 1;
	}
	smp->query = pfx + plen < tl ? t + pfx + plen + 1 : NULL;
	smp->query_len = smp->query ? tl - pfx - plen - 1 : 0;
}

void
http_sample(struct acl_sample *smp, struct http_view *v,
    const struct sockaddr *src)
{
	const struct h1_msg *m = v->m;

	memset(smp, 0, sizeof(*smp));
	http_sample_target(smp, v->buf + m->target_off, m->target_len);
	smp->method = v->buf + m->method_off;
	smp->method_len = m->method_len;
	smp->src = src;
	smp->hdr = http_hdr_cb;
	smp->hdr_arg = v;
}

/* A new op at the end of ops, or NULL when they are full. */
static struct http_op *
http_op_new(struct http_ops *ops)
{
	struct http_op *op;

	if (ops->n >= HTTP_MAX_OPS)
		return NULL;
	op = &ops->op[ops->n++];
	memset(op, 0, sizeof(*op));
	op->field = HTTP_OP_ADD;
	return op;
}

static void
http_op_add(struct http_ops *ops, bool del, const struct g_http_rule *r,
    const struct acl_sample *smp)
{
	struct http_op *op = http_op_new(ops);

	if (op == NULL)
		return;
	op->del = del;
	op->name = r->name;
	op->nlen = r->name_len;
	op->val = r->value;
	op->vlen = r->value_len;
	if (r->vfmt != NULL && !del) {
		/* made in the transaction's own room: no allocation */
		op->val = ops->vals + ops->vused;
		op->vlen = fmt_eval(r->vfmt, smp, ops->vals + ops->vused,
		    sizeof(ops->vals) - ops->vused);
		ops->vused += op->vlen;
	}
}

/* Room for n more bytes of values, or NULL. */
static char *
http_room(struct http_ops *ops, size_t n)
{
	if (n > sizeof(ops->vals) - ops->vused)
		return NULL;
	return ops->vals + ops->vused;
}

/* The value of a rule for smp (its format evaluated) into buf. */
static size_t
http_rule_value(const struct g_http_rule *r, const struct acl_sample *smp,
    char *buf, size_t cap)
{
	if (r->vfmt != NULL)
		return fmt_eval(r->vfmt, smp, buf, cap);
	if (r->value_len > cap)
		return cap;
	memcpy(buf, r->value, r->value_len);
	return r->value_len;
}

/*
 * The template t[0..tl) into out[0..cap), "\N" replaced by the N-th
 * group of the match pm of src ("\\" is a '\'). Returns the length, or
 * -1 when it does not fit.
 */
static long
http_subst(char *out, size_t cap, const char *t, size_t tl,
    const char *src, const regmatch_t *pm, size_t npm)
{
	size_t n = 0, i;

	for (i = 0; i < tl; i++) {
		const char *p = &t[i];
		size_t pl = 1;

		if (t[i] == '\\' && i + 1 < tl) {
			i++;
			p = &t[i];
			if (t[i] >= '0' && t[i] <= '9') {
				size_t g = (size_t)(t[i] - '0');

				if (g >= npm || pm[g].rm_so < 0)
					continue;
				p = src + pm[g].rm_so;
				pl = (size_t)(pm[g].rm_eo - pm[g].rm_so);
			}
		}
		if (pl > cap - n)
			return -1;
		memcpy(out + n, p, pl);
		n += pl;
	}
	return (long)n;
}

#define HTTP_NSUB	10	/* \0 to \9 */

/*
 * r's regex on v[0..vl): when it matches, the template t[0..tl) with its
 * groups goes to out. Returns the length, -1 when it does not fit, -2
 * when it does not match.
 */
static long
http_replace_one(const struct g_http_rule *r, const char *t, size_t tl,
    const char *v, size_t vl, char *out, size_t cap)
{
	regmatch_t pm[HTTP_NSUB];

	pm[0].rm_so = 0;
	pm[0].rm_eo = (regoff_t)vl;
	if (regexec(r->re, v, HTTP_NSUB, pm, REG_STARTEND) != 0)
		return -2;
	return http_subst(out, cap, t, tl, v, pm, HTTP_NSUB);
}

/*
 * replace-value: each comma-separated value of v[0..vl) that matches
 * is replaced, the separators kept. Returns as http_replace_one().
 */
static long
http_replace_each(const struct g_http_rule *r, const char *t, size_t tl,
    const char *v, size_t vl, char *out, size_t cap)
{
	size_t i = 0, n = 0;
	bool any = false;

	while (i <= vl) {
		size_t s = i, e, j;
		long k;

		while (s < vl && (v[s] == ' ' || v[s] == '\t'))
			s++;
		for (j = s; j < vl && v[j] != ','; j++)
			;
		for (e = j; e > s && (v[e - 1] == ' ' || v[e - 1] == '\t');)
			e--;
		/* the blanks before the value, as they were */
		if (s - i > cap - n)
			return -1;
		memcpy(out + n, v + i, s - i);
		n += s - i;
		k = http_replace_one(r, t, tl, v + s, e - s, out + n, cap - n);
		if (k == -1)
			return -1;
		if (k == -2) {
			k = (long)(e - s);
			if ((size_t)k > cap - n)
				return -1;
			memcpy(out + n, v + s, e - s);
		} else {
			any = true;
		}
		n += (size_t)k;
		/* what follows it: blanks and the comma */
		if (j + (j < vl) - e > cap - n)
			return -1;
		memcpy(out + n, v + e, j + (j < vl) - e);
		n += j + (j < vl) - e;
		i = j + 1;
	}
	return any ? (long)n : -2;
}

/* The target the request has now: rewritten, or the head's. */
static const char *
http_target(const struct http_view *v, const struct http_ops *ops,
    size_t *len)
{
	unsigned i;

	for (i = ops->n; i-- > 0;) {
		if (ops->op[i].field == HTTP_OP_TARGET) {
			*len = ops->op[i].vlen;
			return ops->op[i].val;
		}
	}
	*len = v->m->target_len;
	return v->buf + v->m->target_off;
}

void
http_sample_ops(struct acl_sample *smp, const struct http_view *v,
    const struct http_ops *ops)
{
	const char *t;
	size_t tl;

	t = http_target(v, ops, &tl);
	http_sample_target(smp, t, tl);
}

/*
 * The target a, b, c (concatenated) for the request: kept in ops, seen
 * by smp. Returns 0, or -1 when it does not fit or would break the
 * request line (a blank or a control byte, RFC 9112 3.2).
 */
static int
http_set_target(struct http_ops *ops, struct acl_sample *smp,
    const char *a, size_t al, const char *b, size_t bl, const char *c,
    size_t cl)
{
	struct http_op *op;
	char *t = http_room(ops, al + bl + cl);
	size_t i;

	if (t == NULL || al + bl + cl == 0)
		return -1;
	memcpy(t, a, al);
	memcpy(t + al, b, bl);
	memcpy(t + al + bl, c, cl);
	for (i = 0; i < al + bl + cl; i++)
		if ((unsigned char)t[i] <= 0x20 || t[i] == 0x7f)
			return -1;
	if ((op = http_op_new(ops)) == NULL)
		return -1;
	op->field = HTTP_OP_TARGET;
	op->val = t;
	op->vlen = al + bl + cl;
	ops->vused += op->vlen;
	http_sample_target(smp, op->val, op->vlen);
	return 0;
}

/* set-path, replace-path and set-query. Returns 0, or -1: no room. */
static int
http_rewrite_target(const struct g_http_rule *r, const struct http_view *v,
    struct acl_sample *smp, struct http_ops *ops)
{
	char val[1024], sub[1024];
	const char *t, *nv = val;
	size_t tl, pfx, plen, vl;
	long k;

	t = http_target(v, ops, &tl);
	http_split(t, tl, &pfx, &plen);
	vl = http_rule_value(r, smp, val, sizeof(val));
	if (vl == sizeof(val))
		return -1;	/* cut to fit: no target to send */
	switch (r->act) {
	case HTTP_ACT_REPLACE_PATH:
		k = http_replace_one(r, val, vl, smp->path, smp->path_len,
		    sub, sizeof(sub));
		if (k == -2)
			return 0;
		if (k < 0)
			return -1;
		nv = sub;
		vl = (size_t)k;
		/* fall through */
	case HTTP_ACT_SET_PATH:
		/* an origin-form target needs a path: "/" for an empty one */
		if (vl == 0 && pfx == 0) {
			nv = "/";
			vl = 1;
		}
		return http_set_target(ops, smp, t, pfx, nv, vl, t + pfx + plen,
		    tl - pfx - plen);
	case HTTP_ACT_SET_QUERY:
		/* a '?' that was there stays, even before nothing */
		if (vl == 0 && pfx + plen == tl)
			return 0;
		return http_set_target(ops, smp, t, pfx + plen, "?", 1, val,
		    vl);
	default:
		return 0;
	}
}

/* The value field i of the head has now: replaced, or its own. */
static const char *
http_field_val(const struct http_view *v, const struct http_ops *ops,
    unsigned i, size_t *len)
{
	unsigned k;

	for (k = ops->n; k-- > 0;) {
		if (ops->op[k].field == (int)i) {
			*len = ops->op[k].vlen;
			return ops->op[k].val;
		}
	}
	*len = v->m->hdrs[i].value_len;
	return v->buf + v->m->hdrs[i].value_off;
}

static bool http_deleted(const struct http_ops *, unsigned, const char *,
    size_t);
static bool http_name_eq(const char *, size_t, const char *, size_t);

/* A replacement of v[0..vl) into ops' room; NULL when none is made. */
static const char *
http_replace_val(const struct g_http_rule *r, const char *t, size_t tl,
    const char *v, size_t vl, struct http_ops *ops, size_t *len, int *err)
{
	char *out = http_room(ops, 0);
	size_t cap = sizeof(ops->vals) - ops->vused;
	long k;

	k = r->act == HTTP_ACT_REPLACE_VALUE ?
	    http_replace_each(r, t, tl, v, vl, out, cap) :
	    http_replace_one(r, t, tl, v, vl, out, cap);
	if (k == -1)
		*err = -1;
	if (k < 0)
		return NULL;
	*len = (size_t)k;
	ops->vused += *len;
	return out;
}

/*
 * replace-header and replace-value: the head's fields of the name, and
 * the ones rules added before. Returns 0, or -1 when it does not fit.
 * The framing fields are left alone: rewriting them would desync.
 */
static int
http_replace_hdr(const struct g_http_rule *r, const struct http_view *v,
    const struct acl_sample *smp, struct http_ops *ops)
{
	char t[1024];
	const char *nv;
	size_t tl = http_rule_value(r, smp, t, sizeof(t)), vl, nl;
	unsigned n = ops->n, k;
	int i = -1, err = 0;

	if (tl == sizeof(t))
		return -1;	/* the template was cut to fit */
	while ((i = h1_hdr_find(v->m, v->buf, r->name, r->name_len,
	    i + 1)) >= 0) {
		const struct h1_hdr *h = &v->m->hdrs[i];
		const char *cur;
		struct http_op *op;

		if (h->kind == H1_HDR_CONTENT_LENGTH ||
		    h->kind == H1_HDR_TRANSFER_ENCODING ||
		    http_deleted(ops, 0, r->name, r->name_len))
			break;
		cur = http_field_val(v, ops, (unsigned)i, &vl);
		nv = http_replace_val(r, t, tl, cur, vl, ops, &nl, &err);
		if (nv == NULL) {
			if (err < 0)
				return -1;
			continue;
		}
		if ((op = http_op_new(ops)) == NULL)
			return -1;
		op->field = i;
		op->name = r->name;
		op->nlen = r->name_len;
		op->val = nv;
		op->vlen = nl;
	}
	for (k = 0; k < n; k++) {
		struct http_op *op = &ops->op[k];

		if (op->del || op->field != HTTP_OP_ADD ||
		    !http_name_eq(op->name, op->nlen, r->name, r->name_len))
			continue;
		nv = http_replace_val(r, t, tl, op->val, op->vlen, ops, &nl,
		    &err);
		if (err < 0)
			return -1;
		if (nv != NULL) {
			op->val = nv;
			op->vlen = nl;
		}
	}
	return 0;
}

/*
 * track-scN src: the client's entry in the table counts this request,
 * and stays the request's counter N (the first track of N wins).
 */
static void
http_track(const struct g_http_rule *r, const struct acl_sample *smp)
{
	struct acl_sc *sc = smp->sc;
	unsigned char key[STK_KEY_MAX];
	size_t kl;

	if (sc == NULL || r->sc > 2 || sc->e[r->sc] != NULL ||
	    r->table == NULL || r->table->t == NULL || smp->src == NULL)
		return;
	kl = stk_key_ip(r->table->t, smp->src, key);
	sc->e[r->sc] = stk_track(r->table->t, key, kl,
	    1u << STK_D_HTTP_REQ_RATE | 1u << STK_D_CONN_RATE, true,
	    smp->now_ms);
	if (sc->e[r->sc] == NULL)
		return;
	sc->t[r->sc] = r->table->t;
}

const struct g_http_rule http_rewrite_failed = {
	.act = HTTP_ACT_DENY,
	.status = 500,
};

const struct g_http_rule *
http_rules(const struct g_http_rule *rules, unsigned n,
    const struct http_view *v, struct acl_sample *smp, struct http_ops *ops)
{
	unsigned i;

	/* no op yet: what the values held belongs to an earlier request */
	if (ops->n == 0)
		ops->vused = 0;
	for (i = 0; i < n; i++) {
		const struct g_http_rule *r = &rules[i];

		if (!graph_cond_match(r->cond, smp))
			continue;
		switch (r->act) {
		case HTTP_ACT_SET_HEADER:
			http_op_add(ops, true, r, smp);
			http_op_add(ops, false, r, smp);
			break;
		case HTTP_ACT_ADD_HEADER:
			http_op_add(ops, false, r, smp);
			break;
		case HTTP_ACT_DEL_HEADER:
			http_op_add(ops, true, r, smp);
			break;
		case HTTP_ACT_TRACK_SC:
			http_track(r, smp);
			break;
		case HTTP_ACT_SET_PATH:
		case HTTP_ACT_REPLACE_PATH:
		case HTTP_ACT_SET_QUERY:
			if (http_rewrite_target(r, v, smp, ops) < 0)
				return &http_rewrite_failed;
			break;
		case HTTP_ACT_REPLACE_HEADER:
		case HTTP_ACT_REPLACE_VALUE:
			if (http_replace_hdr(r, v, smp, ops) < 0)
				return &http_rewrite_failed;
			break;
		case HTTP_ACT_DENY:
		case HTTP_ACT_REDIRECT:
		case HTTP_ACT_RETURN:
		case HTTP_ACT_PROMETHEUS:
			return r;
		}
	}
	return NULL;
}

static bool
http_name_eq(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && strncasecmp(a, b, al) == 0;
}

/* Whether a delete op at or after index from removes the field name. */
static bool
http_deleted(const struct http_ops *ops, unsigned from, const char *name,
    size_t nlen)
{
	unsigned i;

	for (i = from; ops != NULL && i < ops->n; i++)
		if (ops->op[i].del && http_name_eq(ops->op[i].name,
		    ops->op[i].nlen, name, nlen))
			return true;
	return false;
}

/* The fields of m, then the ops' additions, into o. */
static void
http_fields(struct out *o, const char *buf, const struct h1_msg *m,
    const struct http_ops *ops, unsigned flags)
{
	unsigned i;
	bool clen_done = false, edits = ops != NULL && ops->n > 0;
	char num[32];
	/* lines going out as they came, copied in one piece */
	const char *run = NULL;
	size_t run_len = 0;

	for (i = 0; i < m->nhdrs; i++) {
		const struct h1_hdr *h = &m->hdrs[i];
		const char *name = buf + h->name_off;
		const char *val = buf + h->value_off;
		size_t vl = h->value_len;

		if (h->flags & H1_HF_HOP) {
			if (!(flags & HTTP_B_UPGRADE) ||
			    h->kind != H1_HDR_UPGRADE)
				continue;
		}
		if ((flags & HTTP_B_DECHUNK) &&
		    h->kind == H1_HDR_TRANSFER_ENCODING)
			continue;
		if (edits && http_deleted(ops, 0, name, h->name_len))
			continue;
		if (edits) {
			struct http_view v = { buf, m };

			val = http_field_val(&v, ops, i, &vl);
		}
		if (h->kind == H1_HDR_CONTENT_LENGTH) {
			/* "5, 5" goes on as the one value it stands for */
			if (clen_done)
				continue;
			clen_done = true;
			if (memchr(buf + h->value_off, ',', h->value_len)) {
				vl = http_u64(num, m->clen);
				val = num;
			}
		}
		/*
		 * A line written as weir would write it ("Name: value" and
		 * CRLF) and kept whole joins the run; a skipped line ends it.
		 */
		if (val == buf + h->value_off &&
		    h->value_off == h->name_off + h->name_len + 2u &&
		    name[h->name_len + 1] == ' ' && val[vl] == '\r') {
			if (run == NULL || run + run_len != name) {
				if (run != NULL)
					out_put(o, run, run_len);
				run = name;
				run_len = 0;
			}
			run_len += h->name_len + 2u + vl + 2u;
			continue;
		}
		if (run != NULL)
			out_put(o, run, run_len);
		run = NULL;
		out_field(o, name, h->name_len, val, vl);
	}
	if (run != NULL)
		out_put(o, run, run_len);
	for (i = 0; edits && i < ops->n; i++) {
		const struct http_op *op = &ops->op[i];

		if (op->del || op->field != HTTP_OP_ADD ||
		    http_deleted(ops, i + 1, op->name, op->nlen))
			continue;
		out_field(o, op->name, op->nlen, op->val, op->vlen);
	}
}

size_t
http_build_req(char *out, size_t cap, const char *buf,
    const struct h1_msg *m, const struct http_ops *ops, unsigned flags,
    const char *xff_name, const char *xff)
{
	struct out o = { out, 0, cap, false };
	struct http_view v = { buf, m };
	const char *t = buf + m->target_off;
	size_t tl = m->target_len;

	if (ops != NULL)
		t = http_target(&v, ops, &tl);
	out_put(&o, buf + m->method_off, m->method_len);
	out_put(&o, " ", 1);
	out_put(&o, t, tl);
	out_str(&o, " HTTP/1.1\r\n");
	/* HTTP/1.0 has no Host: a 1.1 server needs one, even empty */
	if (!(m->flags & H1_MF_HAS_HOST))
		out_str(&o, "Host: \r\n");
	http_fields(&o, buf, m, ops, flags);
	if (flags & HTTP_B_XFF) {
		out_field(&o, xff_name, strlen(xff_name), xff, strlen(xff));
		out_str(&o, "X-Forwarded-Proto: http\r\n");
	}
	if (flags & HTTP_B_UPGRADE)
		out_str(&o, "Connection: upgrade\r\n");
	else if (flags & HTTP_B_CLOSE)
		out_str(&o, "Connection: close\r\n");
	out_put(&o, "\r\n", 2);
	return o.full ? 0 : o.len;
}

size_t
http_build_rsp(char *out, size_t cap, const char *buf,
    const struct h1_msg *m, const struct http_ops *ops, unsigned flags)
{
	struct out o = { out, 0, cap, false };
	char sl[13] = "HTTP/1.1 000 ";

	sl[9] = (char)('0' + m->status / 100 % 10);
	sl[10] = (char)('0' + m->status / 10 % 10);
	sl[11] = (char)('0' + m->status % 10);
	out_put(&o, sl, sizeof(sl));
	out_put(&o, buf + m->reason_off, m->reason_len);
	out_put(&o, "\r\n", 2);
	http_fields(&o, buf, m, ops, flags);
	if (flags & HTTP_B_UPGRADE)
		out_str(&o, "Connection: upgrade\r\n");
	else if (flags & HTTP_B_CLOSE)
		out_str(&o, "Connection: close\r\n");
	else if (flags & HTTP_B_KEEPALIVE)
		out_str(&o, "Connection: keep-alive\r\n");
	out_put(&o, "\r\n", 2);
	return o.full ? 0 : o.len;
}

const char *
http_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 425: return "Too Early";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return status < 400 ? "OK" : "Error";
	}
}

/* What weir says in the body of its own answers. */
static const char *
http_explain(unsigned status)
{
	switch (status) {
	case 400: return "Your browser sent a request weir could not read.";
	case 403: return "Request forbidden by an administrative rule.";
	case 408: return "The request was not received in time.";
	case 413: return "The request body is too large.";
	case 414: return "The request target is too long.";
	case 417: return "Only 'Expect: 100-continue' is understood.";
	case 431: return "The request header fields are too large.";
	case 501: return "The request uses a transfer coding weir does "
	    "not support.";
	case 502: return "The server returned an invalid or incomplete "
	    "response.";
	case 503: return "No server is available to handle this request.";
	case 504: return "The server did not respond in time.";
	case 505: return "Only HTTP/1.0 and HTTP/1.1 are supported.";
	default: return "";
	}
}

size_t
http_answer_file(char *out, size_t cap, unsigned status,
    const struct g_proxy *px)
{
	unsigned i;

	for (i = 0; px != NULL && i < px->nerrorfiles; i++) {
		if (px->errorfiles[i].status != status)
			continue;
		if (px->errorfiles[i].len > cap)
			return 0;
		memcpy(out, px->errorfiles[i].data, px->errorfiles[i].len);
		return px->errorfiles[i].len;
	}
	return 0;
}

size_t
http_answer(char *out, size_t cap, unsigned status,
    const struct g_proxy *px, bool close)
{
	char body[512];
	size_t len;
	int bl, n;

	if ((len = http_answer_file(out, cap, status, px)) > 0)
		return len;
	bl = snprintf(body, sizeof(body), "<html><body><h1>%u %s</h1>\n%s\n"
	    "</body></html>\n", status, http_reason(status),
	    http_explain(status));
	n = snprintf(out, cap, "HTTP/1.1 %u %s\r\n"
	    "Content-Type: text/html\r\n"
	    "Content-Length: %d\r\n"
	    "Cache-Control: no-cache\r\n"
	    "%s\r\n%s", status, http_reason(status), bl,
	    close ? "Connection: close\r\n" : "", body);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* The Location of redirect r for the request in smp, into o. */
static void
http_location(struct out *o, const struct g_http_rule *r,
    const struct acl_sample *smp)
{
	bool slash = (r->redir_flags & REDIR_F_APPEND_SLASH) &&
	    (smp->path_len == 0 || smp->path[smp->path_len - 1] != '/');
	const char *h = NULL;
	size_t hl = 0;

	switch (r->redir) {
	case REDIR_LOCATION:
		if (r->vfmt != NULL && !o->full) {
			size_t room = o->cap - o->len;
			size_t n = fmt_eval(r->vfmt, smp, o->p + o->len, room);

			/* a value cut to fit is no location */
			o->full = n == room;
			o->len += n;
		} else {
			out_put(o, r->value, r->value_len);
		}
		return;
	case REDIR_PREFIX:
		/* a prefix of "/" adds nothing before the path */
		if (!(r->value_len == 1 && r->value[0] == '/'))
			out_put(o, r->value, r->value_len);
		break;
	case REDIR_SCHEME:
		out_put(o, r->value, r->value_len);
		out_str(o, "://");
		if (smp->hdr != NULL)
			h = smp->hdr(smp->hdr_arg, "Host", 4, 0, &hl);
		if (h != NULL)
			out_put(o, h, hl);
		break;
	}
	out_put(o, smp->path, smp->path_len);
	if (slash)
		out_put(o, "/", 1);
	if (smp->query != NULL && !(r->redir_flags & REDIR_F_DROP_QUERY)) {
		out_put(o, "?", 1);
		out_put(o, smp->query, smp->query_len);
	}
}

size_t
http_redirect(char *out, size_t cap, const struct g_http_rule *r,
    const struct acl_sample *smp, bool close)
{
	struct out o = { out, 0, cap, false };
	char sl[64];

	snprintf(sl, sizeof(sl), "HTTP/1.1 %u %s\r\nLocation: ", r->status,
	    http_reason(r->status));
	out_str(&o, sl);
	http_location(&o, r, smp);
	out_str(&o, "\r\nContent-Length: 0\r\nCache-Control: no-cache\r\n");
	if (close)
		out_str(&o, "Connection: close\r\n");
	out_put(&o, "\r\n", 2);
	return o.full ? 0 : o.len;
}

size_t
http_return(char *out, size_t cap, const struct g_http_rule *r, bool close)
{
	struct out o = { out, 0, cap, false };
	char sl[96];

	if (r->raw) {
		/* an errorfile: the whole answer, as the file has it */
		out_put(&o, r->body, r->body_len);
		return o.full ? 0 : o.len;
	}
	snprintf(sl, sizeof(sl), "HTTP/1.1 %u %s\r\nContent-Length: %zu\r\n",
	    r->status, http_reason(r->status), r->body_len);
	out_str(&o, sl);
	if (r->ctype != NULL)
		out_field(&o, "Content-Type", 12, r->ctype, strlen(r->ctype));
	if (close)
		out_str(&o, "Connection: close\r\n");
	out_put(&o, "\r\n", 2);
	if (r->body_len > 0)
		out_put(&o, r->body, r->body_len);
	return o.full ? 0 : o.len;
}
