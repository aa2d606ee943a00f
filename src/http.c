#include "config.h"

#include "http.h"

#include "stick.h"

#include "fmt.h"
#include "graph.h"

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
http_hdr_cb(void *arg, const char *name, size_t nlen, size_t *len)
{
	const struct http_view *v = arg;
	int i = h1_hdr_find(v->m, v->buf, name, nlen, 0);

	if (i < 0)
		return NULL;
	*len = v->m->hdrs[i].value_len;
	return v->buf + v->m->hdrs[i].value_off;
}

void
http_sample(struct acl_sample *smp, struct http_view *v,
    const struct sockaddr *src)
{
	const struct h1_msg *m = v->m;
	const char *t = v->buf + m->target_off, *q;
	size_t tl = m->target_len;

	memset(smp, 0, sizeof(*smp));
	/* the path: the target up to '?', without scheme and authority */
	if (tl > 0 && t[0] != '/' && t[0] != '*') {
		const char *p = memchr(t, ':', tl);

		if (p != NULL && (size_t)(t + tl - p) > 3 && p[1] == '/' &&
		    p[2] == '/') {
			const char *slash = memchr(p + 3, '/',
			    (size_t)(t + tl - p - 3));

			tl = slash ? (size_t)(t + tl - slash) : 0;
			t = slash ? slash : "/";
			if (slash == NULL)
				tl = 1;
		}
	}
	q = memchr(t, '?', tl);
	smp->path = t;
	smp->path_len = q ? (size_t)(q - t) : tl;
	smp->method = v->buf + m->method_off;
	smp->method_len = m->method_len;
	smp->src = src;
	smp->hdr = http_hdr_cb;
	smp->hdr_arg = v;
}

static void
http_op_add(struct http_ops *ops, bool del, const struct g_http_rule *r,
    const struct acl_sample *smp)
{
	struct http_op *op;

	if (ops->n >= HTTP_MAX_OPS)
		return;
	if (ops->n == 0)
		ops->vused = 0;
	op = &ops->op[ops->n++];
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
	stk_conn(sc->t[r->sc], sc->e[r->sc], 1);
}

const struct g_http_rule *
http_rules(const struct g_http_rule *rules, unsigned n,
    const struct acl_sample *smp, struct http_ops *ops)
{
	unsigned i;

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
	bool clen_done = false;
	char num[32];

	for (i = 0; i < m->nhdrs; i++) {
		const struct h1_hdr *h = &m->hdrs[i];
		const char *name = buf + h->name_off;

		if (h->flags & H1_HF_HOP) {
			if (!(flags & HTTP_B_UPGRADE) ||
			    h->kind != H1_HDR_UPGRADE)
				continue;
		}
		if ((flags & HTTP_B_DECHUNK) &&
		    h->kind == H1_HDR_TRANSFER_ENCODING)
			continue;
		if (http_deleted(ops, 0, name, h->name_len))
			continue;
		if (h->kind == H1_HDR_CONTENT_LENGTH) {
			/* "5, 5" goes on as the one value it stands for */
			if (clen_done)
				continue;
			clen_done = true;
			if (memchr(buf + h->value_off, ',', h->value_len)) {
				size_t nl = http_u64(num, m->clen);

				out_field(o, name, h->name_len, num, nl);
				continue;
			}
		}
		out_field(o, name, h->name_len, buf + h->value_off,
		    h->value_len);
	}
	for (i = 0; ops != NULL && i < ops->n; i++) {
		const struct http_op *op = &ops->op[i];

		if (op->del || http_deleted(ops, i + 1, op->name, op->nlen))
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

	out_put(&o, buf + m->method_off, m->method_len);
	out_put(&o, " ", 1);
	out_put(&o, buf + m->target_off, m->target_len);
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

size_t
http_redirect(char *out, size_t cap, const struct g_http_rule *r,
    const struct http_view *v, bool close)
{
	struct out o = { out, 0, cap, false };
	const struct h1_msg *m = v->m;
	char sl[64];

	snprintf(sl, sizeof(sl), "HTTP/1.1 %u %s\r\nLocation: ", r->status,
	    http_reason(r->status));
	out_str(&o, sl);
	switch (r->redir) {
	case REDIR_LOCATION:
		out_put(&o, r->value, r->value_len);
		break;
	case REDIR_PREFIX:
		/* a prefix of "/" adds nothing before the path */
		if (!(r->value_len == 1 && r->value[0] == '/'))
			out_put(&o, r->value, r->value_len);
		out_put(&o, v->buf + m->target_off, m->target_len);
		break;
	case REDIR_SCHEME: {
		int h = (m->flags & H1_MF_HAS_HOST) ? m->host : -1;

		out_put(&o, r->value, r->value_len);
		out_str(&o, "://");
		if (h >= 0)
			out_put(&o, v->buf + m->hdrs[h].value_off,
			    m->hdrs[h].value_len);
		out_put(&o, v->buf + m->target_off, m->target_len);
		break;
	}
	}
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
