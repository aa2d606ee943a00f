/*
 * HTTP/1.1 message framing (RFC 9112): a strict, resumable scanner for
 * message heads and a streaming validator for chunked bodies. Each byte
 * is classified through one table; the hot states (target, field name,
 * field value) run tight loops over it.
 */
#include "config.h"

#include "h1.h"

#include <assert.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* h1_cls[] bits */
/* clang-format off */
#define C_TCHAR	0x01	/* token (RFC 9110 5.6.2) */
#define C_VCHAR	0x02	/* VCHAR / obs-text (RFC 9110 5.5) */
#define C_WS	0x04	/* SP / HTAB */
#define C_URI	0x08	/* RFC 3986 character of a request target */
#define C_HEX	0x10	/* HEXDIG */
#define C_DIGIT	0x20	/* DIGIT */
#define C_HOST	0x40	/* reg-name: unreserved / sub-delims / '%' */
#define C_IP	0x80	/* in an IP-literal: HEXDIG / ':' / '.' */
/* clang-format on */

/*
 * Byte classes. C_URI is RFC 3986's unreserved, gen-delims but '#' (a
 * request target has no fragment, RFC 9112 3.2), sub-delims and '%'.
 */
/* clang-format off */
static const unsigned char h1_cls[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 00 */
	0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 08 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 18 */
	0x04, 0x4b, 0x02, 0x03, 0x4b, 0x4b, 0x4b, 0x4b,	/* 20 */
	0x4a, 0x4a, 0x4b, 0x4b, 0x4a, 0x4b, 0xcb, 0x0a,	/* 28 */
	0xfb, 0xfb, 0xfb, 0xfb, 0xfb, 0xfb, 0xfb, 0xfb,	/* 30 */
	0xfb, 0xfb, 0x8a, 0x4a, 0x02, 0x4a, 0x02, 0x0a,	/* 38 */
	0x0a, 0xdb, 0xdb, 0xdb, 0xdb, 0xdb, 0xdb, 0x4b,	/* 40 */
	0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b,	/* 48 */
	0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b,	/* 50 */
	0x4b, 0x4b, 0x4b, 0x0a, 0x02, 0x0a, 0x03, 0x4b,	/* 58 */
	0x03, 0xdb, 0xdb, 0xdb, 0xdb, 0xdb, 0xdb, 0x4b,	/* 60 */
	0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b,	/* 68 */
	0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b, 0x4b,	/* 70 */
	0x4b, 0x4b, 0x4b, 0x02, 0x03, 0x02, 0x4b, 0x00,	/* 78 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* 80 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* 88 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* 90 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* 98 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* a0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* a8 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* b0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* b8 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* c0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* c8 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* d0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* d8 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* e0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* e8 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* f0 */
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,	/* f8 */
};
/* clang-format on */

#define H1_IS(c, k) (h1_cls[(unsigned char)(c)] & (k))

/*
 * The offset of the first byte of p[i..n) that is not in class k (k one
 * of C_TCHAR and C_VCHAR | C_WS), or n. The vector loops test sixteen
 * bytes at a time against the same sets as the table; the byte loop ends
 * the scan and is the whole of it where SSE2 is missing.
 */
#ifdef __SSE2__
static inline uint32_t
h1_span_value(const unsigned char *p, uint32_t i, uint32_t n)
{
	const __m128i sp = _mm_set1_epi8(0x20), tab = _mm_set1_epi8(0x09);
	const __m128i del = _mm_set1_epi8(0x7f), zero = _mm_setzero_si128();

	while (n - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		/* CTLs but HTAB, and DEL; bytes from 0x80 are obs-text */
		__m128i ctl = _mm_andnot_si128(
		    _mm_or_si128(_mm_cmplt_epi8(v, zero), _mm_cmpeq_epi8(v, tab)),
		    _mm_cmplt_epi8(v, sp));
		unsigned bad = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(ctl, _mm_cmpeq_epi8(v, del)));

		if (bad != 0)
			return i + (uint32_t)__builtin_ctz(bad);
		i += 16;
	}
	while (i < n && H1_IS(p[i], C_VCHAR | C_WS))
		i++;
	return i;
}

/* Whether each byte of v is in [lo, hi]; only for lo > 0 and hi < 0x7f. */
static inline __m128i
h1_in(__m128i v, char lo, char hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
	    _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

static inline __m128i
h1_eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static inline uint32_t
h1_span_token(const unsigned char *p, uint32_t i, uint32_t n)
{
	while (n - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		/* not a tchar: CTLs, SP, DEL, 0x80 and up, and the delimiters
		 * "(),/:;<=>?@[\]{} (RFC 9110 5.6.2) */
		__m128i x = _mm_or_si128(
		    _mm_cmplt_epi8(v, _mm_set1_epi8(0x21)), h1_eq(v, 0x7f));
		x = _mm_or_si128(x, _mm_or_si128(h1_eq(v, '"'), h1_eq(v, ',')));
		x = _mm_or_si128(x, _mm_or_si128(h1_eq(v, '/'), h1_eq(v, '{')));
		x = _mm_or_si128(x, _mm_or_si128(h1_eq(v, '}'),
		    h1_in(v, '(', ')')));
		x = _mm_or_si128(x, _mm_or_si128(h1_in(v, ':', '@'),
		    h1_in(v, '[', ']')));
		unsigned bad = (unsigned)_mm_movemask_epi8(x);

		if (bad != 0)
			return i + (uint32_t)__builtin_ctz(bad);
		i += 16;
	}
	while (i < n && H1_IS(p[i], C_TCHAR))
		i++;
	return i;
}
#else
static inline uint32_t
h1_span_value(const unsigned char *p, uint32_t i, uint32_t n)
{
	while (i < n && H1_IS(p[i], C_VCHAR | C_WS))
		i++;
	return i;
}

static inline uint32_t
h1_span_token(const unsigned char *p, uint32_t i, uint32_t n)
{
	while (i < n && H1_IS(p[i], C_TCHAR))
		i++;
	return i;
}
#endif

/* struct h1_msg seen bits: facts the end of the head acts on */
/* clang-format off */
#define H1_SEEN_UPGRADE	0x02	/* an Upgrade field: upgrade */
#define H1_SEEN_WS	0x04	/* an Upgrade field lists websocket */
#define H1_SEEN_CONN_NAMES 0x01	/* Connection names a field of no hop kind */

/* Header kinds that are hop-by-hop whatever Connection says. */
#define H1_HOP_KINDS							\
	(1u << H1_HDR_CONNECTION | 1u << H1_HDR_KEEP_ALIVE |		\
	    1u << H1_HDR_TE | 1u << H1_HDR_TRAILER |			\
	    1u << H1_HDR_UPGRADE | 1u << H1_HDR_PROXY_CONNECTION |	\
	    1u << H1_HDR_PROXY_AUTHENTICATE |				\
	    1u << H1_HDR_PROXY_AUTHORIZATION)
/* clang-format on */

/* Known field names, lower case, by length for h1_hdr_kind(). */
/* clang-format off */
static const struct h1_name {
	const char	*lc;
	unsigned char	 len;
	unsigned char	 kind;
} h1_names[] = {
	{ "te",			 2, H1_HDR_TE },
	{ "host",		 4, H1_HDR_HOST },
	{ "expect",		 6, H1_HDR_EXPECT },
	{ "trailer",		 7, H1_HDR_TRAILER },
	{ "upgrade",		 7, H1_HDR_UPGRADE },
	{ "connection",		10, H1_HDR_CONNECTION },
	{ "keep-alive",		10, H1_HDR_KEEP_ALIVE },
	{ "content-length",	14, H1_HDR_CONTENT_LENGTH },
	{ "x-forwarded-for",	15, H1_HDR_X_FORWARDED_FOR },
	{ "proxy-connection",	16, H1_HDR_PROXY_CONNECTION },
	{ "transfer-encoding",	17, H1_HDR_TRANSFER_ENCODING },
	{ "x-forwarded-proto",	17, H1_HDR_X_FORWARDED_PROTO },
	{ "proxy-authenticate",	18, H1_HDR_PROXY_AUTHENTICATE },
	{ "proxy-authorization", 19, H1_HDR_PROXY_AUTHORIZATION },
	{ "",			 0, H1_HDR_OTHER },	/* sentinel */
};

static const char *const h1_state_names[] = {
	[H1_S_START]		= "start",
	[H1_S_EMPTY_LF]		= "empty-lf",
	[H1_S_METHOD_START]	= "method-start",
	[H1_S_METHOD]		= "method",
	[H1_S_TARGET_START]	= "target-start",
	[H1_S_TARGET]		= "target",
	[H1_S_VERSION]		= "version",
	[H1_S_RL_LF]		= "request-line-lf",
	[H1_S_STATUS]		= "status",
	[H1_S_REASON]		= "reason",
	[H1_S_SL_LF]		= "status-line-lf",
	[H1_S_HDR_START]	= "header-start",
	[H1_S_HDR_NAME]		= "header-name",
	[H1_S_HDR_OWS]		= "header-ows",
	[H1_S_HDR_VALUE]	= "header-value",
	[H1_S_HDR_LF]		= "header-lf",
	[H1_S_END_LF]		= "end-lf",
	[H1_S_DONE]		= "done",
	[H1_S_ERROR]		= "error",
};

static const char *const h1_chunk_state_names[] = {
	[H1_C_SIZE_START]	= "size-start",
	[H1_C_SIZE]		= "size",
	[H1_C_SIZE_BWS]		= "size-bws",
	[H1_C_EXT_NAME_START]	= "ext-name-start",
	[H1_C_EXT_NAME]		= "ext-name",
	[H1_C_EXT_NAME_BWS]	= "ext-name-bws",
	[H1_C_EXT_VAL_START]	= "ext-value-start",
	[H1_C_EXT_VAL]		= "ext-value",
	[H1_C_EXT_QVAL]		= "ext-quoted-value",
	[H1_C_EXT_QPAIR]	= "ext-quoted-pair",
	[H1_C_EXT_VAL_END]	= "ext-value-end",
	[H1_C_SIZE_LF]		= "size-lf",
	[H1_C_DATA]		= "data",
	[H1_C_DATA_CR]		= "data-cr",
	[H1_C_DATA_LF]		= "data-lf",
	[H1_C_TRL_START]	= "trailer-start",
	[H1_C_TRL_NAME]		= "trailer-name",
	[H1_C_TRL_VALUE]	= "trailer-value",
	[H1_C_TRL_LF]		= "trailer-lf",
	[H1_C_END_LF]		= "end-lf",
	[H1_C_DONE]		= "done",
	[H1_C_ERROR]		= "error",
};

static const struct {
	int status;
	const char *why;
} h1_errs[] = {
	[H1_ERR_NONE] = { 200, "no error" },
	[H1_ERR_METHOD] = { 400, "method is not a token (RFC 9112 3.1)" },
	[H1_ERR_REQUEST_LINE] = { 400, "malformed request line (RFC 9112 3)" },
	[H1_ERR_TARGET] = { 400, "invalid request target (RFC 9112 3.2)" },
	[H1_ERR_VERSION] = { 505, "HTTP version not supported (RFC 9112 2.3)" },
	[H1_ERR_STATUS_LINE] = { 400, "malformed status line (RFC 9112 4)" },
	[H1_ERR_STATUS] = { 400, "status code not in 100..599 (RFC 9110 15)" },
	[H1_ERR_BARE_CR] = { 400, "CR not followed by LF (RFC 9112 2.2)" },
	[H1_ERR_BARE_LF] = { 400, "LF without CR (RFC 9112 2.2)" },
	[H1_ERR_HDR_NAME] = { 400,
	    "field name not a token or followed by whitespace (RFC 9112 5.1)" },
	[H1_ERR_OBS_FOLD] = { 400, "obsolete line folding (RFC 9112 5.2)" },
	[H1_ERR_HDR_VALUE] = { 400,
	    "control character in field value (RFC 9110 5.5)" },
	[H1_ERR_TOO_MANY_HDRS] = { 431, "too many header fields (RFC 6585 5)" },
	[H1_ERR_CLEN] = { 400, "invalid Content-Length (RFC 9112 6.3)" },
	[H1_ERR_CLEN_CONFLICT] = { 400,
	    "differing Content-Length values (RFC 9112 6.3)" },
	[H1_ERR_CLEN_TE] = { 400,
	    "Content-Length with Transfer-Encoding (RFC 9112 6.1)" },
	[H1_ERR_TE] = { 400,
	    "chunked not the final coding, repeated or empty (RFC 9112 6.3)" },
	[H1_ERR_TE_UNSUPPORTED] = { 501,
	    "transfer coding other than chunked (RFC 9112 6.1)" },
	[H1_ERR_TE_HTTP10] = { 400,
	    "Transfer-Encoding in an HTTP/1.0 message (RFC 9112 6.1)" },
	[H1_ERR_HOST_MISSING] = { 400,
	    "HTTP/1.1 request without Host (RFC 9112 3.2)" },
	[H1_ERR_HOST_DUP] = { 400, "more than one Host (RFC 9112 3.2)" },
	[H1_ERR_HOST] = { 400, "invalid Host (RFC 9112 3.2)" },
	[H1_ERR_EXPECT] = { 417,
	    "expectation other than 100-continue (RFC 9110 10.1.1)" },
	[H1_ERR_CONNECTION] = { 400,
	    "Connection names a framing field or is no token list "
	    "(RFC 9110 7.6.1)" },
	[H1_ERR_CHUNK_SIZE] = { 400, "invalid chunk size (RFC 9112 7.1)" },
	[H1_ERR_CHUNK_OVERFLOW] = { 400,
	    "chunk size too large (RFC 9112 7.1)" },
	[H1_ERR_CHUNK_EXT] = { 400,
	    "invalid chunk extension (RFC 9112 7.1.1)" },
	[H1_ERR_CHUNK_LINE_LONG] = { 400,
	    "chunk extensions too long (RFC 9112 7.1.1)" },
	[H1_ERR_CHUNK_CRLF] = { 400,
	    "chunk data not followed by CRLF (RFC 9112 7.1)" },
	[H1_ERR_TRAILERS_LONG] = { 400,
	    "trailer section too long (RFC 9112 7.1.2)" },
};
/* clang-format on */

static int h1_fail(struct h1_msg *, enum h1_err, uint32_t);
static bool h1_caseeq(const char *, const char *, size_t);
static bool h1_list_next(const char *, size_t, size_t *, size_t *, size_t *);
static bool h1_host_ok(const char *, size_t, bool, bool);
static bool h1_is_method(
    const struct h1_msg *, const char *, const char *, size_t);
static int h1_version_byte(struct h1_msg *, unsigned char);
static int h1_target_end(struct h1_msg *, const char *);
static inline enum h1_hdr_kind h1_hdr_kind(const char *, size_t);
static int h1_name_end(struct h1_msg *, const char *, uint32_t);
static int h1_clen(struct h1_msg *, const char *, const struct h1_hdr *);
static int h1_te(struct h1_msg *, const char *, const struct h1_hdr *);
static int h1_connection(struct h1_msg *, const char *, const struct h1_hdr *);
static int h1_hdr_end(struct h1_msg *, const char *);
static void h1_mark_hop(struct h1_msg *, const char *);
static int h1_finish(struct h1_msg *, const char *);
static int h1_fail_byte(struct h1_msg *, const char *, enum h1_err, uint32_t);
static int h1_fail_rl(struct h1_msg *, const char *, enum h1_err, uint32_t);
static enum h1_err h1_sl_err(const struct h1_msg *);
static unsigned h1_max_hdrs(unsigned);
static int h1_version_end(struct h1_msg *, const char *, uint32_t);
static int h1_status_end(struct h1_msg *, const char *, uint32_t);
static int h1_line_end(struct h1_msg *, const char *, uint32_t);
static int h1_scan(struct h1_msg *, const char *, uint32_t);
static enum h1_err h1_chunk_after(
    struct h1_chunk *, unsigned char, enum h1_err);
static enum h1_err h1_chunk_line(struct h1_chunk *, unsigned char);
static enum h1_err h1_chunk_trailer(struct h1_chunk *, unsigned char);

static int
h1_fail(struct h1_msg *m, enum h1_err err, uint32_t at)
{
	m->state = H1_S_ERROR;
	m->err = err;
	m->err_pos = at;
	m->pos = at;
	return -1;
}

static inline unsigned char
h1_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

/* ASCII case-insensitive equality of a[0..n) and b[0..n), locale aside. */
static bool
h1_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h1_lower(a[i]) != h1_lower(b[i]))
			return false;
	return true;
}

/*
 * The next element of the comma-separated list v[0..vlen), from *i: its
 * offset and length trimmed of OWS (length 0 for an empty element). Moves
 * *i past the comma; false once the list is over. An empty list has one
 * empty element.
 */
static bool
h1_list_next(const char *v, size_t vlen, size_t *i, size_t *off, size_t *len)
{
	size_t s = *i, e;

	const char *comma;

	if (s > vlen)
		return false;
	comma = s < vlen ? memchr(v + s, ',', vlen - s) : NULL;
	e = comma != NULL ? (size_t)(comma - v) : vlen;
	*i = e + 1;
	while (s < e && H1_IS(v[s], C_WS))
		s++;
	while (e > s && H1_IS(v[e - 1], C_WS))
		e--;
	*off = s;
	*len = e - s;
	return true;
}

/*
 * Whether s[0..n) is uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2):
 * an IP-literal in brackets (hex digits, ':' and '.'), or a reg-name or
 * IPv4 address; a port is 1 to 5 digits, at most 65535. need_port asks
 * for the port (authority-form), need_host for a non-empty host.
 */
static bool
h1_host_ok(const char *s, size_t n, bool need_port, bool need_host)
{
	size_t i = 0, digits;
	unsigned long port = 0;

	if (n > 0 && s[0] == '[') {
		i = 1;
		while (i < n && H1_IS(s[i], C_IP))
			i++;
		if (i == 1 || i == n || s[i] != ']')
			return false;
		i++;
	} else {
		while (i < n && H1_IS(s[i], C_HOST))
			i++;
		if (i == 0 && need_host)
			return false;
	}
	if (i == n)
		return !need_port;
	if (s[i++] != ':')
		return false;
	for (digits = 0; i < n && digits < 6; i++, digits++) {
		if (!H1_IS(s[i], C_DIGIT))
			return false;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return i == n && digits >= 1 && digits <= 5 && port <= 65535;
}

/* Whether the request's method is name[0..n); methods match exactly. */
static bool
h1_is_method(
    const struct h1_msg *m, const char *buf, const char *name, size_t n)
{
	return m->method_len == n && memcmp(buf + m->method_off, name, n) == 0;
}

/*
 * One byte of "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3), the name being case
 * sensitive; m->sub counts the bytes matched. 0, or -1 when c cannot come
 * next.
 */
static int
h1_version_byte(struct h1_msg *m, unsigned char c)
{
	static const char name[] = "HTTP/";

	switch (m->sub) {
	case 5:
		if (!H1_IS(c, C_DIGIT))
			return -1;
		m->version = (uint8_t)((c - '0') * 10);
		break;
	case 6:
		if (c != '.')
			return -1;
		break;
	case 7:
		if (!H1_IS(c, C_DIGIT))
			return -1;
		m->version += (uint8_t)(c - '0');
		break;
	default:
		if (c != (unsigned char)name[m->sub])
			return -1;
		break;
	}
	m->sub++;
	return 0;
}

/*
 * Check the form of the request target against the method (RFC 9112
 * 3.2): origin-form "/..."; absolute-form "http://" or "https://" and a
 * non-empty host without userinfo (RFC 9110 4.2.1, 4.2.4); authority-form
 * host:port for CONNECT only, which takes nothing else; "*" for OPTIONS
 * only. Its bytes are RFC 3986 characters already.
 */
static int
h1_target_end(struct h1_msg *m, const char *buf)
{
	const char *t = buf + m->target_off;
	size_t n = m->target_len, skip, a;

	if (h1_is_method(m, buf, "CONNECT", 7)) {
		if (!h1_host_ok(t, n, true, true))
			return h1_fail(m, H1_ERR_TARGET, m->target_off);
		return 0;
	}
	if (t[0] == '/')
		return 0;
	if (n == 1 && t[0] == '*') {
		if (!h1_is_method(m, buf, "OPTIONS", 7))
			return h1_fail(m, H1_ERR_TARGET, m->target_off);
		return 0;
	}
	if (n > 7 && h1_caseeq(t, "http://", 7))
		skip = 7;
	else if (n > 8 && h1_caseeq(t, "https://", 8))
		skip = 8;
	else
		return h1_fail(m, H1_ERR_TARGET, m->target_off);
	for (a = skip; a < n && t[a] != '/' && t[a] != '?'; a++)
		;
	if (!h1_host_ok(t + skip, a - skip, false, true))
		return h1_fail(
		    m, H1_ERR_TARGET, m->target_off + (uint32_t)skip);
	return 0;
}

/*
 * Where the names of each length start in h1_names; lengths with none
 * point at the sentinel, whose length matches no name.
 */
static const unsigned char h1_names_at[20] = {
	14, 14, 0, 14, 1, 14, 2, 3, 14, 14, 5, 14, 14, 14, 7, 8, 9, 10, 12, 13,
};

/*
 * Whether the field name name[0..len), made of tchars, is lc (lower case
 * letters and '-') in any case. Setting bit 0x20 lowers a letter; of the
 * other tchars, none becomes a letter or '-' by it, so eight bytes are
 * compared at a time.
 */
static inline bool
h1_name_is(const char *name, const char *lc, size_t len)
{
	const uint64_t low8 = 0x2020202020202020ULL;
	uint64_t a, b;
	uint32_t c, d;
	uint16_t e, f;
	size_t i;

	/* whole words, the last one overlapping the one before */
	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8) {
			memcpy(&a, name + i, 8);
			memcpy(&b, lc + i, 8);
			if ((a | low8) != b)
				return false;
		}
		memcpy(&a, name + len - 8, 8);
		memcpy(&b, lc + len - 8, 8);
		return (a | low8) == b;
	}
	if (len >= 4) {
		memcpy(&c, name, 4);
		memcpy(&d, lc, 4);
		if ((c | 0x20202020u) != d)
			return false;
		memcpy(&c, name + len - 4, 4);
		memcpy(&d, lc + len - 4, 4);
		return (c | 0x20202020u) == d;
	}
	if (len >= 2) {
		memcpy(&e, name, 2);
		memcpy(&f, lc, 2);
		if ((uint16_t)(e | 0x2020u) != f)
			return false;
		memcpy(&e, name + len - 2, 2);
		memcpy(&f, lc + len - 2, 2);
		return (uint16_t)(e | 0x2020u) == f;
	}
	return len == 0 || (name[0] | 0x20) == lc[0];
}

/* The kind of the field called name[0..len). */
static inline enum h1_hdr_kind
h1_hdr_kind(const char *name, size_t len)
{
	const struct h1_name *e;

	if (len == 0 || len >= sizeof(h1_names_at))
		return H1_HDR_OTHER;
	for (e = &h1_names[h1_names_at[len]]; e->len == len; e++)
		if ((name[0] | 0x20) == e->lc[0] && h1_name_is(name, e->lc, len))
			return e->kind;
	return H1_HDR_OTHER;
}

/* The name of the field being read ends at the colon at offset at. */
static int
h1_name_end(struct h1_msg *m, const char *buf, uint32_t at)
{
	struct h1_hdr *h = &m->hdrs[m->nhdrs];
	size_t len = at - h->name_off;

	if (len > UINT16_MAX)
		return h1_fail(m, H1_ERR_HDR_NAME, h->name_off);
	h->name_len = (uint16_t)len;
	h->kind = (uint16_t)h1_hdr_kind(buf + h->name_off, len);
	h->flags = (H1_HOP_KINDS >> h->kind) & 1 ? H1_HF_HOP : 0;
	return 0;
}

/*
 * Content-Length (RFC 9110 8.6, RFC 9112 6.3): 1*DIGIT up to 2^63-1, or a
 * list of equal values; another Content-Length field must agree.
 */
static int
h1_clen(struct h1_msg *m, const char *buf, const struct h1_hdr *h)
{
	const char *v = buf + h->value_off;
	size_t i = 0, off, len, k;
	uint64_t n, val = 0;
	bool first = true, whole = false;

	if (m->flags & H1_MF_CHUNKED)
		return h1_fail(m, H1_ERR_CLEN_TE, h->name_off);
	/* the usual value, a few digits and no list: no overflow possible */
	if (h->value_len > 0 && h->value_len <= 18) {
		for (n = 0, k = 0; k < h->value_len && H1_IS(v[k], C_DIGIT); k++)
			n = n * 10 + (uint64_t)(v[k] - '0');
		whole = k == h->value_len;
		val = n;
	}
	while (!whole && h1_list_next(v, h->value_len, &i, &off, &len)) {
		if (len == 0)
			return h1_fail(
			    m, H1_ERR_CLEN, h->value_off + (uint32_t)off);
		for (n = 0, k = off; k < off + len; k++) {
			if (!H1_IS(v[k], C_DIGIT) ||
			    n > (INT64_MAX - (uint64_t)(v[k] - '0')) / 10)
				return h1_fail(
				    m, H1_ERR_CLEN, h->value_off + (uint32_t)k);
			n = n * 10 + (uint64_t)(v[k] - '0');
		}
		if (!first && n != val)
			return h1_fail(m, H1_ERR_CLEN_CONFLICT,
			    h->value_off + (uint32_t)off);
		val = n;
		first = false;
	}
	if ((m->flags & H1_MF_CLEN) && m->clen != val)
		return h1_fail(m, H1_ERR_CLEN_CONFLICT, h->name_off);
	m->clen = val;
	m->flags |= H1_MF_CLEN;
	return 0;
}

/*
 * Transfer-Encoding (RFC 9112 6.1): weir decodes chunked alone, so the
 * list, over all such fields, must be exactly one "chunked". Anything
 * after chunked, or empty, is a framing error; another coding is one weir
 * does not implement. Never with Content-Length, never in HTTP/1.0.
 */
static int
h1_te(struct h1_msg *m, const char *buf, const struct h1_hdr *h)
{
	const char *v = buf + h->value_off;
	size_t i = 0, off, len;

	if (!(m->flags & H1_MF_VER_11))
		return h1_fail(m, H1_ERR_TE_HTTP10, h->name_off);
	if (m->flags & H1_MF_CLEN)
		return h1_fail(m, H1_ERR_CLEN_TE, h->name_off);
	while (h1_list_next(v, h->value_len, &i, &off, &len)) {
		if (len == 0 || (m->flags & H1_MF_CHUNKED))
			return h1_fail(
			    m, H1_ERR_TE, h->value_off + (uint32_t)off);
		if (len != 7 || !h1_caseeq(v + off, "chunked", 7))
			return h1_fail(m, H1_ERR_TE_UNSUPPORTED,
			    h->value_off + (uint32_t)off);
		m->flags |= H1_MF_CHUNKED;
	}
	return 0;
}

/*
 * Connection (RFC 9110 7.6.1): a list of tokens; close, keep-alive and
 * upgrade become flags, and every token names a field to drop, marked
 * once the head is whole. Naming Host, Content-Length or
 * Transfer-Encoding would have the next hop frame or route the message
 * differently, so it is refused.
 */
static int
h1_connection(struct h1_msg *m, const char *buf, const struct h1_hdr *h)
{
	const char *v = buf + h->value_off;
	size_t i = 0, off, len, k;
	enum h1_hdr_kind kind;

	/*
	 * The usual values whole: a value has no CR, so comparing as
	 * h1_name_is() does cannot take another byte for '-'.
	 */
	if (h->value_len == 10 && h1_name_is(v, "keep-alive", 10)) {
		m->flags |= H1_MF_CONN_KEEPALIVE;
		return 0;
	}
	while (h1_list_next(v, h->value_len, &i, &off, &len)) {
		for (k = off; k < off + len; k++)
			if (!H1_IS(v[k], C_TCHAR))
				return h1_fail(m, H1_ERR_CONNECTION,
				    h->value_off + (uint32_t)k);
		/* a token: h1_name_is() compares it as it does names */
		kind = h1_hdr_kind(v + off, len);
		if (kind == H1_HDR_HOST || kind == H1_HDR_CONTENT_LENGTH ||
		    kind == H1_HDR_TRANSFER_ENCODING)
			return h1_fail(
			    m, H1_ERR_CONNECTION, h->value_off + (uint32_t)off);
		if (kind == H1_HDR_KEEP_ALIVE)
			m->flags |= H1_MF_CONN_KEEPALIVE;
		else if (kind == H1_HDR_UPGRADE)
			m->flags |= H1_MF_CONN_UPGRADE;
		else if (len == 5 && h1_name_is(v + off, "close", 5))
			m->flags |= H1_MF_CONN_CLOSE;
		/*
		 * Fields of the hop-by-hop kinds are marked already; any
		 * other name (even "close") is left to h1_mark_hop().
		 */
		if (!((H1_HOP_KINDS >> kind) & 1))
			m->seen |= H1_SEEN_CONN_NAMES;
	}
	return 0;
}

/*
 * The field line m->hdrs[m->nhdrs - 1] is complete: act on the fields
 * whose meaning matters.
 */
static int
h1_hdr_end(struct h1_msg *m, const char *buf)
{
	uint16_t idx = (uint16_t)(m->nhdrs - 1);
	const struct h1_hdr *h = &m->hdrs[idx];
	const char *v = buf + h->value_off;
	bool req = m->kind == H1_REQUEST;

	switch (h->kind) {
	case H1_HDR_HOST:
		if (!req)
			break;
		if (m->flags & H1_MF_HAS_HOST)
			return h1_fail(m, H1_ERR_HOST_DUP, h->name_off);
		if (!h1_host_ok(v, h->value_len, false, false))
			return h1_fail(m, H1_ERR_HOST, h->value_off);
		m->flags |= H1_MF_HAS_HOST;
		m->host = idx;
		break;
	case H1_HDR_CONTENT_LENGTH:
		return h1_clen(m, buf, h);
	case H1_HDR_TRANSFER_ENCODING:
		return h1_te(m, buf, h);
	case H1_HDR_CONNECTION:
		return h1_connection(m, buf, h);
	case H1_HDR_UPGRADE:
		if (!(m->seen & H1_SEEN_UPGRADE))
			m->upgrade = idx;
		m->seen |= H1_SEEN_UPGRADE;
		if (h1_token_in_list(v, h->value_len, "websocket"))
			m->seen |= H1_SEEN_WS;
		break;
	case H1_HDR_EXPECT:
		if (!req)
			break;
		if (h->value_len != 12 || !h1_caseeq(v, "100-continue", 12))
			return h1_fail(m, H1_ERR_EXPECT, h->value_off);
		/* An HTTP/1.0 client cannot mean it (RFC 9110 10.1.1). */
		if (m->flags & H1_MF_VER_11)
			m->flags |= H1_MF_EXPECT_100;
		break;
	default:
		break;
	}
	return 0;
}

/* Mark hop-by-hop every field a Connection field names. */
static void
h1_mark_hop(struct h1_msg *m, const char *buf)
{
	const struct h1_hdr *c;
	struct h1_hdr *h;
	const char *v;
	size_t i, off, len;
	unsigned ci, hi;

	for (ci = 0; ci < m->nhdrs; ci++) {
		c = &m->hdrs[ci];
		if (c->kind != H1_HDR_CONNECTION)
			continue;
		v = buf + c->value_off;
		i = 0;
		while (h1_list_next(v, c->value_len, &i, &off, &len)) {
			for (hi = 0; hi < m->nhdrs; hi++) {
				h = &m->hdrs[hi];
				if (h->name_len == len &&
				    h1_caseeq(buf + h->name_off, v + off, len))
					h->flags |= H1_HF_HOP;
			}
		}
	}
}

/* The final CRLF has been read: the checks that need the whole head. */
static int
h1_finish(struct h1_msg *m, const char *buf)
{
	/* An HTTP/1.0 Upgrade is ignored (RFC 9110 7.8). */
	uint32_t upgrade = H1_MF_CONN_UPGRADE | H1_MF_VER_11;

	if (m->seen & H1_SEEN_CONN_NAMES)
		h1_mark_hop(m, buf);
	if ((m->flags & upgrade) == upgrade && (m->seen & H1_SEEN_UPGRADE)) {
		m->flags |= H1_MF_UPGRADE;
		if (m->seen & H1_SEEN_WS)
			m->flags |= H1_MF_WEBSOCKET;
	}
	if (m->kind == H1_REQUEST && (m->flags & H1_MF_VER_11) &&
	    !(m->flags & H1_MF_HAS_HOST))
		return h1_fail(m, H1_ERR_HOST_MISSING, m->mark);
	m->state = H1_S_DONE;
	return 0;
}

/* Fail at the byte buf[i], which is not what may come: err, or bare LF. */
static int
h1_fail_byte(struct h1_msg *m, const char *buf, enum h1_err err, uint32_t i)
{
	return h1_fail(m, buf[i] == '\n' ? H1_ERR_BARE_LF : err, i);
}

/*
 * The same in the request line, where a misplaced SP or CR means missing
 * or extra parts rather than a bad byte in one.
 */
static int
h1_fail_rl(struct h1_msg *m, const char *buf, enum h1_err err, uint32_t i)
{
	if (buf[i] == ' ' || buf[i] == '\r')
		err = H1_ERR_REQUEST_LINE;
	return h1_fail_byte(m, buf, err, i);
}

/* The error for a malformed start line of m's kind. */
static enum h1_err
h1_sl_err(const struct h1_msg *m)
{
	return m->kind == H1_REQUEST ? H1_ERR_REQUEST_LINE : H1_ERR_STATUS_LINE;
}

/* max_hdrs as h1_msg_init() takes it: 0 or too many mean H1_MAX_HDRS. */
static unsigned
h1_max_hdrs(unsigned max_hdrs)
{
	if (max_hdrs == 0 || max_hdrs > H1_MAX_HDRS)
		return H1_MAX_HDRS;
	return max_hdrs;
}

/* The byte buf[i] follows "HTTP/x.y": CR in a request, else SP. */
static int
h1_version_end(struct h1_msg *m, const char *buf, uint32_t i)
{
	bool req = m->kind == H1_REQUEST;

	if (buf[i] != (req ? '\r' : ' '))
		return h1_fail_byte(m, buf, h1_sl_err(m), i);
	if (m->version != 10 && m->version != 11)
		return h1_fail(m, H1_ERR_VERSION, m->mark);
	if (m->version == 11)
		m->flags |= H1_MF_VER_11;
	m->state = req ? H1_S_RL_LF : H1_S_STATUS;
	m->mark = i + 1;
	m->sub = 0;
	return 0;
}

/*
 * The byte buf[i] follows the status code: SP and a reason, or, as many
 * servers send though RFC 9112 4 wants the SP, CR at once.
 */
static int
h1_status_end(struct h1_msg *m, const char *buf, uint32_t i)
{
	if (buf[i] != ' ' && buf[i] != '\r')
		return h1_fail_byte(m, buf, H1_ERR_STATUS_LINE, i);
	if (m->status < 100 || m->status > 599)
		return h1_fail(m, H1_ERR_STATUS, m->mark);
	m->reason_off = buf[i] == ' ' ? i + 1 : i;
	m->state = H1_S_REASON;
	return 0;
}

/*
 * The LF at offset i ends the line that m->state awaits the end of.
 * Returns as h1_parse().
 */
static int
h1_line_end(struct h1_msg *m, const char *buf, uint32_t i)
{
	if (m->state == H1_S_END_LF) {
		m->head_len = i + 1;
		m->pos = i + 1;
		return h1_finish(m, buf) < 0 ? -1 : (int)m->head_len;
	}
	if (m->state == H1_S_HDR_LF) {
		m->state = H1_S_HDR_START;
		m->nhdrs++;
		return h1_hdr_end(m, buf);
	}
	m->state = H1_S_HDR_START;
	return 0;
}

/*
 * The scanner proper: examine buf[m->pos..n). Returns as h1_parse().
 * Every case consumes bytes or fails, but for the response's start.
 */
static int
h1_scan(struct h1_msg *m, const char *buf, uint32_t n)
{
	const unsigned char *p = (const unsigned char *)buf;
	unsigned max = h1_max_hdrs(m->max_hdrs);
	uint32_t i = m->pos, vend;
	struct h1_hdr *h;
	unsigned char c;
	int rc;

	while (i < n) {
		c = p[i];
		h = m->hdrs + m->nhdrs; /* the field being read */
		switch (m->state) {
		case H1_S_START:
			if (m->kind == H1_RESPONSE) {
				m->state = H1_S_VERSION;
				m->mark = i;
				break;
			}
			if (c == '\r') {
				m->state = H1_S_EMPTY_LF;
				i++;
				break;
			}
			/* FALLTHROUGH */
		case H1_S_METHOD_START:
			if (!H1_IS(c, C_TCHAR))
				return h1_fail_rl(m, buf, H1_ERR_METHOD, i);
			m->method_off = i++;
			m->state = H1_S_METHOD;
			break;
		case H1_S_EMPTY_LF:
			if (c != '\n')
				return h1_fail(m, H1_ERR_BARE_CR, i - 1);
			m->state = H1_S_METHOD_START;
			i++;
			break;
		case H1_S_METHOD:
			i = h1_span_token(p, i, n);
			if (i == n)
				break;
			if (p[i] != ' ')
				return h1_fail_rl(m, buf, H1_ERR_METHOD, i);
			m->method_len = i++ - m->method_off;
			m->state = H1_S_TARGET_START;
			break;
		case H1_S_TARGET_START:
			if (!H1_IS(c, C_URI))
				return h1_fail_rl(m, buf, H1_ERR_TARGET, i);
			m->target_off = i++;
			m->state = H1_S_TARGET;
			break;
		case H1_S_TARGET:
			while (i < n && H1_IS(p[i], C_URI))
				i++;
			if (i == n)
				break;
			if (p[i] != ' ')
				return h1_fail_rl(m, buf, H1_ERR_TARGET, i);
			m->target_len = i - m->target_off;
			if (h1_target_end(m, buf) < 0)
				return -1;
			m->state = H1_S_VERSION;
			m->mark = ++i;
			m->sub = 0;
			break;
		case H1_S_VERSION:
			if (m->sub == 0 && n - i > 8 &&
			    memcmp(p + i, "HTTP/1.", 7) == 0 &&
			    (p[i + 7] == '0' || p[i + 7] == '1')) {
				/* the usual versions in one step */
				m->version = (uint8_t)(10 + (p[i + 7] - '0'));
				m->sub = 8;
				i += 8;
				break;
			}
			if (m->sub == 8) {
				if (h1_version_end(m, buf, i) < 0)
					return -1;
			} else if (h1_version_byte(m, c) < 0) {
				return h1_fail_byte(m, buf, h1_sl_err(m), i);
			}
			i++;
			break;
		case H1_S_STATUS:
			if (m->sub == 0 && n - i >= 4 && H1_IS(c, C_DIGIT) &&
			    H1_IS(p[i + 1], C_DIGIT) &&
			    H1_IS(p[i + 2], C_DIGIT)) {
				/* the three digits in one step */
				m->status = (uint16_t)((c - '0') * 100 +
				    (p[i + 1] - '0') * 10 + (p[i + 2] - '0'));
				m->sub = 3;
				i += 3;
			}
			if (m->sub == 3) {
				if (h1_status_end(m, buf, i) < 0)
					return -1;
				i = m->reason_off;
				break;
			}
			if (!H1_IS(c, C_DIGIT))
				return h1_fail_byte(
				    m, buf, H1_ERR_STATUS_LINE, i);
			m->status = (uint16_t)(m->status * 10 + (c - '0'));
			m->sub++;
			i++;
			break;
		case H1_S_REASON:
			i = h1_span_value(p, i, n);
			if (i == n)
				break;
			if (p[i] != '\r')
				return h1_fail_byte(
				    m, buf, H1_ERR_STATUS_LINE, i);
			m->reason_len = i++ - m->reason_off;
			m->state = H1_S_SL_LF;
			break;
		case H1_S_HDR_START:
		field_line:
			if (c == '\r') {
				m->mark = i++;
				m->state = H1_S_END_LF;
				break;
			}
			if (H1_IS(c, C_WS))
				return h1_fail(m, H1_ERR_OBS_FOLD, i);
			if (!H1_IS(c, C_TCHAR))
				return h1_fail_byte(m, buf, H1_ERR_HDR_NAME, i);
			if (m->nhdrs >= max)
				return h1_fail(m, H1_ERR_TOO_MANY_HDRS, i);
			h->name_off = i++;
			m->state = H1_S_HDR_NAME;
			/*
			 * A whole field line usually sits in the buffer: run
			 * through its states without going round the switch.
			 */
			/* FALLTHROUGH */
		case H1_S_HDR_NAME:
			i = h1_span_token(p, i, n);
			if (i == n)
				break;
			if (p[i] != ':')
				return h1_fail_byte(m, buf, H1_ERR_HDR_NAME, i);
			if (h1_name_end(m, buf, i++) < 0)
				return -1;
			m->state = H1_S_HDR_OWS;
			/* FALLTHROUGH */
		case H1_S_HDR_OWS:
			while (i < n && H1_IS(p[i], C_WS))
				i++;
			if (i == n)
				break;
			h->value_off = i;
			m->state = H1_S_HDR_VALUE;
			/* FALLTHROUGH */
		case H1_S_HDR_VALUE:
			/* The hot loop: most bytes of a head are values. */
			i = h1_span_value(p, i, n);
			if (i == n)
				break;
			if (p[i] != '\r')
				return h1_fail_byte(
				    m, buf, H1_ERR_HDR_VALUE, i);
			/* trailing whitespace is not part of the value */
			for (vend = i; vend > h->value_off &&
			    H1_IS(p[vend - 1], C_WS); vend--)
				;
			h->value_len = vend - h->value_off;
			i++;
			m->state = H1_S_HDR_LF;
			if (i == n)
				break;
			/* FALLTHROUGH */
		case H1_S_RL_LF:
		case H1_S_SL_LF:
		case H1_S_HDR_LF:
		case H1_S_END_LF:
			if (p[i] != '\n')
				return h1_fail(m, H1_ERR_BARE_CR, i - 1);
			if ((rc = h1_line_end(m, buf, i++)) != 0)
				return rc;
			if (i < n) {
				/* a field line or the end: on at once */
				c = p[i];
				h = m->hdrs + m->nhdrs;
				goto field_line;
			}
			break;
		case H1_S_DONE:
		case H1_S_ERROR:
			/* h1_parse() answers these before scanning */
			assert(0);
			return -1;
		}
	}
	m->pos = n;
	return 0;
}

void
h1_msg_init(struct h1_msg *m, enum h1_kind kind, unsigned max_hdrs)
{
	memset(m, 0, offsetof(struct h1_msg, hdrs));
	m->kind = kind;
	m->max_hdrs = h1_max_hdrs(max_hdrs);
}

int
h1_parse(struct h1_msg *m, const char *buf, size_t len)
{
	uint32_t n = len > INT32_MAX ? INT32_MAX : (uint32_t)len;

	if (m->state == H1_S_DONE)
		return (int)m->head_len;
	if (m->state == H1_S_ERROR)
		return -1;
	assert(n >= m->pos);
	return h1_scan(m, buf, n);
}

enum h1_body
h1_req_body(const struct h1_msg *req)
{
	if (req->flags & H1_MF_CHUNKED)
		return H1_BODY_CHUNKED;
	if ((req->flags & H1_MF_CLEN) && req->clen > 0)
		return H1_BODY_CLEN;
	return H1_BODY_NONE;
}

enum h1_body
h1_rsp_body(const struct h1_msg *rsp, const char *req_method, size_t mlen)
{
	unsigned s = rsp->status;

	if (s == 101)
		return H1_BODY_TUNNEL;
	if (s < 200 || s == 204 || s == 304 ||
	    (mlen == 4 && memcmp(req_method, "HEAD", 4) == 0))
		return H1_BODY_NONE;
	if (s < 300 && mlen == 7 && memcmp(req_method, "CONNECT", 7) == 0)
		return H1_BODY_TUNNEL;
	if (rsp->flags & H1_MF_CHUNKED)
		return H1_BODY_CHUNKED;
	if (rsp->flags & H1_MF_CLEN)
		return rsp->clen > 0 ? H1_BODY_CLEN : H1_BODY_NONE;
	return H1_BODY_CLOSE;
}

bool
h1_keepalive(const struct h1_msg *m)
{
	if (m->flags & H1_MF_CONN_CLOSE)
		return false;
	if (m->flags & H1_MF_VER_11)
		return true;
	return (m->flags & H1_MF_CONN_KEEPALIVE) != 0;
}

int
h1_hdr_find(const struct h1_msg *m, const char *buf, const char *name,
    size_t nlen, int from)
{
	unsigned i;

	for (i = from < 0 ? 0 : (unsigned)from; i < m->nhdrs; i++)
		if (m->hdrs[i].name_len == nlen &&
		    h1_caseeq(buf + m->hdrs[i].name_off, name, nlen))
			return (int)i;
	return -1;
}

bool
h1_token_in_list(const char *v, size_t vlen, const char *tok)
{
	size_t i = 0, off, len, tlen = strlen(tok);

	while (h1_list_next(v, vlen, &i, &off, &len))
		if (len == tlen && h1_caseeq(v + off, tok, tlen))
			return true;
	return false;
}

const char *
h1_err_str(enum h1_err err)
{
	if ((unsigned)err >= H1_ERR_COUNT)
		return "unknown error";
	return h1_errs[err].why;
}

int
h1_err_status(enum h1_err err)
{
	if ((unsigned)err >= H1_ERR_COUNT)
		return 400;
	return h1_errs[err].status;
}

const char *
h1_state_str(enum h1_state state)
{
	if ((unsigned)state > H1_S_ERROR)
		return "unknown";
	return h1_state_names[state];
}

void
h1_chunk_init(struct h1_chunk *c)
{
	memset(c, 0, sizeof(*c));
}

const char *
h1_chunk_state_str(enum h1_chunk_state state)
{
	if ((unsigned)state > H1_C_ERROR)
		return "unknown";
	return h1_chunk_state_names[state];
}

/*
 * The byte c after a chunk size or an extension: another extension, BWS
 * before one, or the end of the line. Otherwise the error err.
 */
static enum h1_err
h1_chunk_after(struct h1_chunk *ck, unsigned char c, enum h1_err err)
{
	if (c == ';')
		ck->state = H1_C_EXT_NAME_START;
	else if (H1_IS(c, C_WS))
		ck->state = H1_C_SIZE_BWS;
	else if (c == '\r')
		ck->state = H1_C_SIZE_LF;
	else
		return c == '\n' ? H1_ERR_BARE_LF : err;
	return H1_ERR_NONE;
}

/*
 * One byte of a chunk-size line (RFC 9112 7.1, 7.1.1):
 *	chunk-size [ chunk-ext ] CRLF
 *	chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )
 * with a value a token or a quoted-string.
 */
static enum h1_err
h1_chunk_line(struct h1_chunk *ck, unsigned char c)
{
	unsigned d;

	if (++ck->line > H1_CHUNK_LINE_MAX)
		return H1_ERR_CHUNK_LINE_LONG;
	switch (ck->state) {
	case H1_C_SIZE_START:
	case H1_C_SIZE:
		if (!H1_IS(c, C_HEX)) {
			if (ck->state == H1_C_SIZE_START)
				return H1_ERR_CHUNK_SIZE;
			return h1_chunk_after(ck, c, H1_ERR_CHUNK_SIZE);
		}
		d = H1_IS(c, C_DIGIT) ? c - '0' : (c | 0x20) - 'a' + 10;
		if (ck->size > (uint64_t)INT64_MAX >> 4)
			return H1_ERR_CHUNK_OVERFLOW;
		ck->size = ck->size << 4 | d;
		ck->state = H1_C_SIZE;
		return H1_ERR_NONE;
	case H1_C_SIZE_BWS:
	case H1_C_EXT_NAME_BWS:
		if (c == ';')
			ck->state = H1_C_EXT_NAME_START;
		else if (c == '=' && ck->state == H1_C_EXT_NAME_BWS)
			ck->state = H1_C_EXT_VAL_START;
		else if (!H1_IS(c, C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_CHUNK_EXT;
		return H1_ERR_NONE;
	case H1_C_EXT_NAME_START:
		if (H1_IS(c, C_TCHAR))
			ck->state = H1_C_EXT_NAME;
		else if (!H1_IS(c, C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_CHUNK_EXT;
		return H1_ERR_NONE;
	case H1_C_EXT_VAL_START:
		if (H1_IS(c, C_TCHAR))
			ck->state = H1_C_EXT_VAL;
		else if (c == '"')
			ck->state = H1_C_EXT_QVAL;
		else if (!H1_IS(c, C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_CHUNK_EXT;
		return H1_ERR_NONE;
	case H1_C_EXT_NAME:
		if (H1_IS(c, C_TCHAR))
			return H1_ERR_NONE;
		if (c == '=') {
			ck->state = H1_C_EXT_VAL_START;
			return H1_ERR_NONE;
		}
		if (H1_IS(c, C_WS)) {
			ck->state = H1_C_EXT_NAME_BWS;
			return H1_ERR_NONE;
		}
		return h1_chunk_after(ck, c, H1_ERR_CHUNK_EXT);
	case H1_C_EXT_VAL:
		if (H1_IS(c, C_TCHAR))
			return H1_ERR_NONE;
		return h1_chunk_after(ck, c, H1_ERR_CHUNK_EXT);
	case H1_C_EXT_QVAL:
		if (c == '"')
			ck->state = H1_C_EXT_VAL_END;
		else if (c == '\\')
			ck->state = H1_C_EXT_QPAIR;
		else if (!H1_IS(c, C_VCHAR | C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_CHUNK_EXT;
		return H1_ERR_NONE;
	case H1_C_EXT_QPAIR:
		if (!H1_IS(c, C_VCHAR | C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_CHUNK_EXT;
		ck->state = H1_C_EXT_QVAL;
		return H1_ERR_NONE;
	case H1_C_EXT_VAL_END:
		return h1_chunk_after(ck, c, H1_ERR_CHUNK_EXT);
	case H1_C_SIZE_LF:
		if (c != '\n')
			return H1_ERR_BARE_CR;
		ck->line = 0;
		if (ck->size == 0) {
			ck->state = H1_C_TRL_START;
		} else {
			ck->left = ck->size;
			ck->state = H1_C_DATA;
		}
		return H1_ERR_NONE;
	default:
		assert(0);
		return H1_ERR_CHUNK_SIZE;
	}
}

/*
 * One byte of the trailer section (RFC 9112 7.1.2): field lines as strict
 * as a head's, then CRLF.
 */
static enum h1_err
h1_chunk_trailer(struct h1_chunk *ck, unsigned char c)
{
	if (++ck->line > H1_TRAILERS_MAX)
		return H1_ERR_TRAILERS_LONG;
	switch (ck->state) {
	case H1_C_TRL_START:
		if (c == '\r')
			ck->state = H1_C_END_LF;
		else if (H1_IS(c, C_TCHAR))
			ck->state = H1_C_TRL_NAME;
		else if (H1_IS(c, C_WS))
			return H1_ERR_OBS_FOLD;
		else
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_HDR_NAME;
		return H1_ERR_NONE;
	case H1_C_TRL_NAME:
		if (c == ':')
			ck->state = H1_C_TRL_VALUE;
		else if (!H1_IS(c, C_TCHAR))
			return H1_ERR_HDR_NAME;
		return H1_ERR_NONE;
	case H1_C_TRL_VALUE:
		if (c == '\r')
			ck->state = H1_C_TRL_LF;
		else if (!H1_IS(c, C_VCHAR | C_WS))
			return c == '\n' ? H1_ERR_BARE_LF : H1_ERR_HDR_VALUE;
		return H1_ERR_NONE;
	case H1_C_TRL_LF:
		if (c != '\n')
			return H1_ERR_BARE_CR;
		ck->state = H1_C_TRL_START;
		return H1_ERR_NONE;
	case H1_C_END_LF:
		if (c != '\n')
			return H1_ERR_BARE_CR;
		ck->state = H1_C_DONE;
		return H1_ERR_NONE;
	default:
		assert(0);
		return H1_ERR_HDR_NAME;
	}
}

int
h1_chunk_parse(struct h1_chunk *c, const char *buf, size_t len,
    size_t *consumed, size_t *data_off, size_t *data_len)
{
	const unsigned char *p = (const unsigned char *)buf;
	enum h1_err err = H1_ERR_NONE;
	size_t i = 0;
	uint64_t n;

	if (data_off != NULL) {
		*data_off = 0;
		*data_len = 0;
	}
	*consumed = 0;
	if (c->state == H1_C_DONE)
		return 1;
	if (c->state == H1_C_ERROR)
		return -1;
	while (i < len && c->state != H1_C_DONE) {
		switch (c->state) {
		case H1_C_DATA:
			/* The data itself is opaque: skip it whole. */
			n = len - i < c->left ? len - i : c->left;
			if (data_off != NULL) {
				*data_off = i;
				*data_len = (size_t)n;
			}
			i += (size_t)n;
			c->left -= n;
			if (c->left == 0)
				c->state = H1_C_DATA_CR;
			if (data_off != NULL)
				goto out;
			continue;
		case H1_C_DATA_CR:
			if (p[i] == '\r')
				c->state = H1_C_DATA_LF;
			else if (p[i] == '\n')
				err = H1_ERR_BARE_LF;
			else
				err = H1_ERR_CHUNK_CRLF;
			break;
		case H1_C_DATA_LF:
			if (p[i] != '\n') {
				err = H1_ERR_BARE_CR;
				break;
			}
			c->state = H1_C_SIZE_START;
			c->size = 0;
			break;
		case H1_C_TRL_START:
		case H1_C_TRL_NAME:
		case H1_C_TRL_VALUE:
		case H1_C_TRL_LF:
		case H1_C_END_LF:
			err = h1_chunk_trailer(c, p[i]);
			break;
		default:
			err = h1_chunk_line(c, p[i]);
			break;
		}
		if (err != H1_ERR_NONE) {
			c->err = err;
			c->err_pos = c->off + i - (err == H1_ERR_BARE_CR);
			c->state = H1_C_ERROR;
			c->off += i;
			*consumed = i;
			return -1;
		}
		i++;
	}
out:
	c->off += i;
	*consumed = i;
	return c->state == H1_C_DONE ? 1 : 0;
}
