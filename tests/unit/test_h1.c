/*
 * The HTTP/1 parser: every valid message is parsed whole, split at every
 * offset and one byte at a time, and must come out the same each way;
 * every rejection names its error and the offending byte.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1.h"
#include "unit.h"

static struct h1_msg t_m; /* the message under test */
static struct h1_msg t_w; /* a witness parsed another way */

/* clang-format off */
/* In msg_diff(): report field f when a and b differ. */
#define SAME(f)								\
	do {								\
		if (a->f == b->f)					\
			break;						\
		snprintf(out, sizeof(out), "%s: %llu vs %llu", #f,	\
		    (unsigned long long)a->f,				\
		    (unsigned long long)b->f);				\
		return out;						\
	} while (0)
/* clang-format on */

/* The first field where two parsed messages differ, or "". */
static const char *
msg_diff(const struct h1_msg *a, const struct h1_msg *b)
{
	static char out[256];
	unsigned i;

	SAME(state);
	SAME(err);
	SAME(err_pos);
	SAME(pos);
	SAME(head_len);
	SAME(flags);
	SAME(nhdrs);
	SAME(method_off);
	SAME(method_len);
	SAME(target_off);
	SAME(target_len);
	SAME(reason_off);
	SAME(reason_len);
	SAME(status);
	SAME(version);
	SAME(clen);
	if (a->flags & H1_MF_HAS_HOST)
		SAME(host);
	if (a->flags & H1_MF_UPGRADE)
		SAME(upgrade);
	for (i = 0; i < a->nhdrs && i < b->nhdrs; i++) {
		SAME(hdrs[i].name_off);
		SAME(hdrs[i].name_len);
		SAME(hdrs[i].value_off);
		SAME(hdrs[i].value_len);
		SAME(hdrs[i].kind);
		SAME(hdrs[i].flags);
	}
#undef SAME
	return "";
}

/* Whether a call given i of the bytes may return r when all give rc. */
static bool
early_ok(int r, int rc, size_t i)
{
	if (rc > 0)
		return i >= (size_t)rc ? r == rc : r == 0;
	return r == 0 || r == -1;
}

/*
 * Parse s[0..n) as kind into m, whole; then into a witness split at every
 * offset (each call given the whole buffer so far), then one byte at a
 * time. Asserts, at line, that every way ends the same and that no call
 * claims a head before its end. Returns what the whole parse returned.
 */
static int
parse_all(struct h1_msg *m, enum h1_kind kind, unsigned max, const char *s,
    size_t n, int line)
{
	char why[512] = "";
	int rc, r = 0;
	size_t i;

	h1_msg_init(m, kind, max);
	rc = h1_parse(m, s, n);
	for (i = 1; i < n && why[0] == '\0'; i++) {
		h1_msg_init(&t_w, kind, max);
		r = h1_parse(&t_w, s, i);
		if (!early_ok(r, rc, i))
			snprintf(why, sizeof(why),
			    "split at %zu: first part gave %d", i, r);
		else if ((r = h1_parse(&t_w, s, n)) != rc)
			snprintf(why, sizeof(why),
			    "split at %zu: gave %d, whole gave %d", i, r, rc);
		else if (*msg_diff(m, &t_w) != '\0')
			snprintf(why, sizeof(why), "split at %zu: %s", i,
			    msg_diff(m, &t_w));
	}
	h1_msg_init(&t_w, kind, max);
	for (i = 1; i <= n && why[0] == '\0'; i++)
		if (!early_ok(r = h1_parse(&t_w, s, i), rc, i))
			snprintf(why, sizeof(why),
			    "byte by byte: %d at %zu bytes", r, i);
	if (why[0] == '\0' && r != rc)
		snprintf(
		    why, sizeof(why), "byte by byte gave %d, whole %d", r, rc);
	if (why[0] == '\0' && *msg_diff(m, &t_w) != '\0')
		snprintf(
		    why, sizeof(why), "byte by byte: %s", msg_diff(m, &t_w));
	CU_assertImplementation(
	    why[0] == '\0', line, why, __FILE__, "", CU_FALSE);
	return rc;
}

#define REQ(s) parse_all(&t_m, H1_REQUEST, 0, (s), sizeof(s) - 1, __LINE__)
#define RSP(s) parse_all(&t_m, H1_RESPONSE, 0, (s), sizeof(s) - 1, __LINE__)
#define LEN(s) ((int)(sizeof(s) - 1))

/* A message of kind in s is refused with error e at offset at. */
/* clang-format off */
#define REJECTS(kind, s, e, at)						\
	do {								\
		EXPECT_INT(parse_all(&t_m, (kind), 0, (s), sizeof(s) - 1, \
		    __LINE__), -1);					\
		EXPECT_STR(h1_err_str(t_m.err), h1_err_str(e));		\
		EXPECT_INT(t_m.err_pos, (at));				\
	} while (0)
/* clang-format on */
#define REQ_REJECTS(s, e, at) REJECTS(H1_REQUEST, s, e, at)
#define RSP_REJECTS(s, e, at) REJECTS(H1_RESPONSE, s, e, at)

/* buf[off..off+len) as a string, in one of a few rotating buffers. */
static const char *
span(const char *buf, uint32_t off, uint32_t len)
{
	static char out[8][512];
	static unsigned k;
	char *o = out[k++ % 8];

	snprintf(o, sizeof(out[0]), "%.*s", (int)len, buf + off);
	return o;
}

#define METHOD(s) span((s), t_m.method_off, t_m.method_len)
#define TARGET(s) span((s), t_m.target_off, t_m.target_len)
#define REASON(s) span((s), t_m.reason_off, t_m.reason_len)
#define VALUE(s, i) span((s), t_m.hdrs[i].value_off, t_m.hdrs[i].value_len)

/* "Name=value|..." for every field of m; '*' marks hop-by-hop names. */
static const char *
hdrs_str(const struct h1_msg *m, const char *buf)
{
	static char out[4096];
	const struct h1_hdr *h;
	size_t o = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < m->nhdrs && o < sizeof(out); i++) {
		h = &m->hdrs[i];
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s%s=%.*s",
		    i ? "|" : "", (int)h->name_len, buf + h->name_off,
		    h->flags & H1_HF_HOP ? "*" : "", (int)h->value_len,
		    buf + h->value_off);
	}
	return out;
}

/* m->flags by name, "A|B|...", or "-" for none. */
static const char *
flags_str(uint32_t f)
{
	static const char *const names[] = {"CLEN", "CHUNKED", "CLOSE",
	    "KEEPALIVE", "CONN_UPGRADE", "UPGRADE", "WEBSOCKET", "EXPECT_100",
	    "HAS_HOST", "VER_11"};
	static char out[256];
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & (1u << i))
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
			    o ? "|" : "", names[i]);
	return o ? out : "-";
}

static const char *
body_str(enum h1_body b)
{
	static const char *const names[] = {
	    "none", "clen", "chunked", "close", "tunnel"};

	return (unsigned)b < 5 ? names[b] : "?";
}

/* RFC 9110 5.6.2's tchar, written out apart from the parser's table. */
static bool
is_tchar(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != 0 && strchr("!#$%&'*+-.^_`|~",
	    (int)c) != NULL);
}

/* Put b where s[0..n) has '#'. */
static void
put_byte(char *s, int n, unsigned b)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i] == '#')
			s[i] = (char)b;
}

/*
 * Names, methods and values are scanned sixteen bytes at a time where
 * the bytes are there: every byte value at offsets around those blocks
 * must be judged as the one-byte-at-a-time scan judges it, and as the
 * RFC says.
 */
static void
test_every_byte_is_judged_alike_anywhere_in_a_long_token(void)
{
	static const unsigned at[] = { 0, 1, 7, 14, 15, 16, 17, 30, 31, 32,
	    38 };
	char s[256];
	unsigned b, k;
	int n, rc;

	for (b = 0; b < 256; b++) {
		for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			char tok[41];

			memset(tok, 'a', 40);
			tok[40] = '\0';
			tok[at[k]] = '#';	/* b, once the message is made */
			/* a field name */
			n = snprintf(s, sizeof(s), "GET / HTTP/1.1\r\nHost: h\r\n"
			    "X%.40s: v\r\n\r\n", tok);
			put_byte(s, n, b);
			rc = parse_all(&t_m, H1_REQUEST, 0, s, (size_t)n,
			    __LINE__);
			if (is_tchar(b) || b == ':')
				EXPECT_INT(rc, n);
			else
				EXPECT_INT(rc, -1);
			/* a method */
			n = snprintf(s, sizeof(s), "%.40s / HTTP/1.1\r\n"
			    "Host: h\r\n\r\n", tok);
			put_byte(s, n, b);
			rc = parse_all(&t_m, H1_REQUEST, 0, s, (size_t)n,
			    __LINE__);
			if (is_tchar(b))
				EXPECT_INT(rc, n);
			else if (b != ' ' || at[k] == 0)
				EXPECT_INT(rc, -1);
			/* a field value, and a reason phrase */
			n = snprintf(s, sizeof(s), "HTTP/1.1 200 %.40s\r\n"
			    "X-V: %.40s\r\n\r\n", tok, tok);
			put_byte(s, n, b);
			rc = parse_all(&t_m, H1_RESPONSE, 0, s, (size_t)n,
			    __LINE__);
			if (b == '\t' || (b >= 0x20 && b != 0x7f))
				EXPECT_INT(rc, n);
			else
				EXPECT_INT(rc, -1);
		}
	}
}

/* ---- requests ---------------------------------------------------------- */

static void
test_get_with_headers_is_parsed_into_its_parts(void)
{
	static const char s[] = "GET /index.html?q=1&r=%20 HTTP/1.1\r\n"
	                        "Host: example.com\r\n"
	                        "User-Agent: t/1.0\r\n"
	                        "Accept: */*\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(METHOD(s), "GET");
	EXPECT_STR(TARGET(s), "/index.html?q=1&r=%20");
	EXPECT_INT(t_m.version, 11);
	EXPECT_INT(t_m.nhdrs, 3);
	EXPECT_STR(
	    hdrs_str(&t_m, s), "Host=example.com|User-Agent=t/1.0|Accept=*/*");
	EXPECT_STR(flags_str(t_m.flags), "HAS_HOST|VER_11");
	EXPECT_INT(t_m.host, 0);
	EXPECT_INT(t_m.hdrs[0].name_off, 36);
	EXPECT_INT(t_m.hdrs[0].value_off, 42);
	EXPECT_INT(t_m.hdrs[0].value_len, 11);
	EXPECT_STR(h1_state_str(t_m.state), "done");
	EXPECT_TRUE(h1_keepalive(&t_m));
	EXPECT_STR(body_str(h1_req_body(&t_m)), "none");
}

static void
test_field_values_exclude_surrounding_whitespace(void)
{
	static const char s[] = "GET / HTTP/1.1\r\n"
	                        "Host:h\r\n"
	                        "X-A:   spaced  value \t \r\n"
	                        "X-B:\tv\r\n"
	                        "X-C: a\tb\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(
	    hdrs_str(&t_m, s), "Host=h|X-A=spaced  value|X-B=v|X-C=a\tb");
	EXPECT_INT(t_m.hdrs[1].value_off, 31);
	EXPECT_INT(t_m.hdrs[1].value_len, 13);
}

static void
test_empty_field_values_are_accepted(void)
{
	static const char s[] = "GET / HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "X-Empty:\r\n"
	                        "X-Blank:   \t\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(t_m.nhdrs, 3);
	EXPECT_INT(t_m.hdrs[1].value_len, 0);
	EXPECT_INT(t_m.hdrs[1].value_off, 33);
	EXPECT_INT(t_m.hdrs[2].value_len, 0);
	EXPECT_STR(hdrs_str(&t_m, s), "Host=h|X-Empty=|X-Blank=");
}

static void
test_known_field_names_are_recognised_in_any_case(void)
{
	static const char s[] = "GET / HTTP/1.1\r\n"
	                        "HOST: h\r\n"
	                        "content-length: 0\r\n"
	                        "Connection: x-none\r\n"
	                        "KEEP-ALIVE: 5\r\n"
	                        "te: trailers\r\n"
	                        "Trailer: X\r\n"
	                        "upgrade: foo\r\n"
	                        "Proxy-Connection: x\r\n"
	                        "Proxy-Authenticate: Basic\r\n"
	                        "proxy-authorization: Basic x\r\n"
	                        "Expect: 100-continue\r\n"
	                        "X-Forwarded-For: 1.2.3.4\r\n"
	                        "x-forwarded-PROTO: https\r\n"
	                        "X-Forwarded-Host: h\r\n"
	                        "Hos: h\r\n"
	                        "Hostt: h\r\n"
	                        "\r\n";
	static const int want[] = {H1_HDR_HOST, H1_HDR_CONTENT_LENGTH,
	    H1_HDR_CONNECTION, H1_HDR_KEEP_ALIVE, H1_HDR_TE, H1_HDR_TRAILER,
	    H1_HDR_UPGRADE, H1_HDR_PROXY_CONNECTION, H1_HDR_PROXY_AUTHENTICATE,
	    H1_HDR_PROXY_AUTHORIZATION, H1_HDR_EXPECT, H1_HDR_X_FORWARDED_FOR,
	    H1_HDR_X_FORWARDED_PROTO, H1_HDR_OTHER, H1_HDR_OTHER, H1_HDR_OTHER};
	unsigned i;

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(t_m.nhdrs, 16);
	for (i = 0; i < 16; i++)
		EXPECT_INT(t_m.hdrs[i].kind, want[i]);
}

static void
test_hop_by_hop_fields_are_flagged(void)
{
	static const char s[] = "GET / HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "Connection: keep-alive\r\n"
	                        "Keep-Alive: timeout=5\r\n"
	                        "TE: trailers\r\n"
	                        "Trailer: X-Sum\r\n"
	                        "Upgrade: h2c\r\n"
	                        "Proxy-Connection: close\r\n"
	                        "X-Forwarded-For: 10.0.0.1\r\n"
	                        "Proxy-Authorization: Basic eA==\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(hdrs_str(&t_m, s),
	    "Host=h|Connection*=keep-alive|Keep-Alive*=timeout=5|"
	    "TE*=trailers|Trailer*=X-Sum|Upgrade*=h2c|"
	    "Proxy-Connection*=close|X-Forwarded-For=10.0.0.1|"
	    "Proxy-Authorization*=Basic eA==");
}

static void
test_fields_named_by_connection_become_hop_by_hop(void)
{
	static const char s[] = "GET / HTTP/1.1\r\n"
	                        "X-Secret: 1\r\n"
	                        "Connection: close, x-secret\r\n"
	                        "Host: h\r\n"
	                        "X-SECRET: 2\r\n"
	                        "X-Other: 3\r\n"
	                        "Connection: ,X-Late\r\n"
	                        "X-Late: 4\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(hdrs_str(&t_m, s),
	    "X-Secret*=1|Connection*=close, x-secret|Host=h|X-SECRET*=2|"
	    "X-Other=3|Connection*=,X-Late|X-Late*=4");
	EXPECT_STR(flags_str(t_m.flags), "CLOSE|HAS_HOST|VER_11");
	EXPECT_TRUE(!h1_keepalive(&t_m));
}

static void
test_connection_naming_a_framing_field_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\n"
	            "Connection: close, Content-Length\r\n\r\n",
	    H1_ERR_CONNECTION, 44);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nConnection: host\r\n\r\n",
	    H1_ERR_CONNECTION, 37);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\n"
	            "Connection: Transfer-Encoding\r\n\r\n",
	    H1_ERR_CONNECTION, 37);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nConnection: a b\r\n\r\n",
	    H1_ERR_CONNECTION, 38);
}

static void
test_post_with_content_length_sets_its_length(void)
{
	static const char s[] = "POST /submit HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "Content-Length: 11\r\n"
	                        "\r\n"
	                        "hello world";

	EXPECT_INT(REQ(s), LEN(s) - 11);
	EXPECT_STR(METHOD(s), "POST");
	EXPECT_STR(flags_str(t_m.flags), "CLEN|HAS_HOST|VER_11");
	EXPECT_INT(t_m.clen, 11);
	EXPECT_STR(body_str(h1_req_body(&t_m)), "clen");
	EXPECT_INT(t_m.pos, LEN(s) - 11);
}

static void
test_content_length_zero_means_no_body(void)
{
	static const char s[] = "POST / HTTP/1.1\r\nHost: h\r\n"
	                        "Content-Length: 0\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "CLEN|HAS_HOST|VER_11");
	EXPECT_INT(t_m.clen, 0);
	EXPECT_STR(body_str(h1_req_body(&t_m)), "none");
}

static void
test_equal_content_lengths_collapse_into_one(void)
{
	static const char s[] = "PUT /x HTTP/1.1\r\nHost: h\r\n"
	                        "Content-Length: 7 ,7\r\n"
	                        "Content-Length: 7\r\n"
	                        "Content-Length: 007\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(t_m.clen, 7);
	EXPECT_INT(t_m.nhdrs, 4);
	EXPECT_STR(body_str(h1_req_body(&t_m)), "clen");
}

static void
test_the_largest_content_length_is_accepted(void)
{
	static const char s[] = "POST / HTTP/1.1\r\nHost: h\r\n"
	                        "Content-Length: 9223372036854775807\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_TRUE(t_m.clen == 9223372036854775807ull);
}

static void
test_chunked_request_is_flagged_chunked(void)
{
	static const char s[] = "POST /up HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "Transfer-Encoding: CHUNKED\r\n"
	                        "\r\n"
	                        "5\r\nhello\r\n0\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s) - 15);
	EXPECT_STR(flags_str(t_m.flags), "CHUNKED|HAS_HOST|VER_11");
	EXPECT_STR(body_str(h1_req_body(&t_m)), "chunked");
	EXPECT_INT(t_m.hdrs[1].kind, H1_HDR_TRANSFER_ENCODING);
}

static void
test_http10_request_needs_no_host(void)
{
	static const char s[] = "GET /old HTTP/1.0\r\nAccept: */*\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(t_m.version, 10);
	EXPECT_STR(flags_str(t_m.flags), "-");
	EXPECT_TRUE(!h1_keepalive(&t_m));
}

static void
test_request_without_fields_is_a_whole_head(void)
{
	static const char s[] = "GET / HTTP/1.0\r\n\r\n";

	EXPECT_INT(REQ(s), 18);
	EXPECT_INT(t_m.nhdrs, 0);
	EXPECT_STR(TARGET(s), "/");
}

static void
test_http11_keeps_alive_unless_told_to_close(void)
{
	static const char ka[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char cl[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                         "Connection: Keep-Alive, Close\r\n\r\n";

	EXPECT_INT(REQ(ka), LEN(ka));
	EXPECT_TRUE(h1_keepalive(&t_m));
	EXPECT_INT(REQ(cl), LEN(cl));
	EXPECT_STR(flags_str(t_m.flags), "CLOSE|KEEPALIVE|HAS_HOST|VER_11");
	EXPECT_TRUE(!h1_keepalive(&t_m));
}

static void
test_http10_keeps_alive_only_when_asked(void)
{
	static const char ka[] =
	    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	static const char no[] = "GET / HTTP/1.0\r\nConnection: x\r\n\r\n";

	EXPECT_INT(REQ(ka), LEN(ka));
	EXPECT_STR(flags_str(t_m.flags), "KEEPALIVE");
	EXPECT_TRUE(h1_keepalive(&t_m));
	EXPECT_INT(REQ(no), LEN(no));
	EXPECT_TRUE(!h1_keepalive(&t_m));
}

static void
test_pipelined_requests_are_parsed_one_head_at_a_time(void)
{
	static const char s[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	                        "POST /b HTTP/1.1\r\nHost: h\r\n"
	                        "Content-Length: 2\r\n\r\nok"
	                        "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
	int first, second;

	first = REQ(s);
	EXPECT_INT(first, 28);
	EXPECT_STR(TARGET(s), "/a");
	h1_msg_init(&t_m, H1_REQUEST, 0);
	second = h1_parse(&t_m, s + first, sizeof(s) - 1 - (size_t)first);
	EXPECT_INT(second, 48);
	EXPECT_STR(METHOD(s + first), "POST");
	EXPECT_STR(TARGET(s + first), "/b");
	EXPECT_INT(t_m.clen, 2);
	h1_msg_init(&t_m, H1_REQUEST, 0);
	EXPECT_INT(h1_parse(&t_m, s + first + second + 2,
	               sizeof(s) - 1 - (size_t)(first + second + 2)),
	    28);
	EXPECT_STR(TARGET(s + first + second + 2), "/c");
}

static void
test_websocket_upgrade_is_recognised(void)
{
	static const char s[] = "GET /chat HTTP/1.1\r\n"
	                        "Host: h\r\n"
	                        "Upgrade: WebSocket\r\n"
	                        "Connection: keep-alive, Upgrade\r\n"
	                        "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n"
	                        "Sec-WebSocket-Version: 13\r\n"
	                        "\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "KEEPALIVE|CONN_UPGRADE|UPGRADE|"
	                                 "WEBSOCKET|HAS_HOST|VER_11");
	EXPECT_INT(t_m.upgrade, 1);
	EXPECT_STR(VALUE(s, t_m.upgrade), "WebSocket");
	EXPECT_TRUE(t_m.hdrs[1].flags & H1_HF_HOP);
}

static void
test_upgrade_without_connection_upgrade_is_no_upgrade(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                        "Upgrade: websocket\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "HAS_HOST|VER_11");
	EXPECT_STR(hdrs_str(&t_m, s), "Host=h|Upgrade*=websocket");
}

static void
test_upgrade_in_http10_is_ignored(void)
{
	static const char s[] = "GET / HTTP/1.0\r\nConnection: upgrade\r\n"
	                        "Upgrade: websocket\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "CONN_UPGRADE");
}

static void
test_upgrade_to_another_protocol_is_not_websocket(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                        "Connection: Upgrade, HTTP2-Settings\r\n"
	                        "Upgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(
	    flags_str(t_m.flags), "CONN_UPGRADE|UPGRADE|HAS_HOST|VER_11");
	EXPECT_INT(t_m.upgrade, 2);
	EXPECT_STR(hdrs_str(&t_m, s),
	    "Host=h|Connection*=Upgrade, "
	    "HTTP2-Settings|Upgrade*=h2c|HTTP2-Settings*=AAA");
}

static void
test_expect_100_continue_is_flagged_in_any_case(void)
{
	static const char s[] = "PUT /f HTTP/1.1\r\nHost: h\r\n"
	                        "Content-Length: 3\r\n"
	                        "Expect: 100-Continue\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "CLEN|EXPECT_100|HAS_HOST|VER_11");
}

static void
test_other_expectations_are_refused_with_417(void)
{
	REQ_REJECTS("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n",
	    H1_ERR_EXPECT, 33);
	REQ_REJECTS("PUT / HTTP/1.1\r\nHost: h\r\n"
	            "Expect: 100-continue, x\r\n\r\n",
	    H1_ERR_EXPECT, 33);
	EXPECT_INT(h1_err_status(H1_ERR_EXPECT), 417);
}

static void
test_expect_in_http10_is_ignored(void)
{
	static const char s[] =
	    "PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "-");
}

static void
test_connect_takes_an_authority_form_target(void)
{
	static const char s[] = "CONNECT example.com:443 HTTP/1.1\r\n"
	                        "Host: example.com:443\r\n\r\n";
	static const char v6[] = "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n"
	                         "Host: [2001:db8::1]:8443\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(METHOD(s), "CONNECT");
	EXPECT_STR(TARGET(s), "example.com:443");
	EXPECT_INT(REQ(v6), LEN(v6));
	EXPECT_STR(TARGET(v6), "[2001:db8::1]:8443");
}

static void
test_connect_refuses_other_target_forms(void)
{
	REQ_REJECTS("CONNECT / HTTP/1.1\r\n", H1_ERR_TARGET, 8);
	REQ_REJECTS("CONNECT example.com HTTP/1.1\r\n", H1_ERR_TARGET, 8);
	REQ_REJECTS("CONNECT http://a:1/ HTTP/1.1\r\n", H1_ERR_TARGET, 8);
	REQ_REJECTS("CONNECT a:99999 HTTP/1.1\r\n", H1_ERR_TARGET, 8);
	REQ_REJECTS("CONNECT :80 HTTP/1.1\r\n", H1_ERR_TARGET, 8);
}

static void
test_authority_form_is_only_for_connect(void)
{
	REQ_REJECTS("GET example.com:80 HTTP/1.1\r\n", H1_ERR_TARGET, 4);
	REQ_REJECTS("connect example.com:80 HTTP/1.1\r\n", H1_ERR_TARGET, 8);
}

static void
test_asterisk_form_is_only_for_options(void)
{
	static const char s[] = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(TARGET(s), "*");
	REQ_REJECTS("GET * HTTP/1.1\r\n", H1_ERR_TARGET, 4);
	REQ_REJECTS("OPTIONS *x HTTP/1.1\r\n", H1_ERR_TARGET, 8);
}

static void
test_absolute_form_targets_are_accepted(void)
{
	static const char s[] = "GET http://example.com/a?b=c HTTP/1.1\r\n"
	                        "Host: other\r\n\r\n";
	static const char up[] = "GET HTTPS://Example.COM:8443 HTTP/1.1\r\n"
	                         "Host: h\r\n\r\n";
	static const char v6[] = "OPTIONS http://[::1]:80/ HTTP/1.1\r\n"
	                         "Host: h\r\n\r\n";
	static const char q[] = "GET http://h?x HTTP/1.1\r\nHost: h\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(TARGET(s), "http://example.com/a?b=c");
	EXPECT_INT(REQ(up), LEN(up));
	EXPECT_STR(TARGET(up), "HTTPS://Example.COM:8443");
	EXPECT_INT(REQ(v6), LEN(v6));
	EXPECT_INT(REQ(q), LEN(q));
}

static void
test_absolute_form_needs_a_host_and_no_userinfo(void)
{
	REQ_REJECTS("GET http:///x HTTP/1.1\r\n", H1_ERR_TARGET, 11);
	REQ_REJECTS("GET http://user@h/ HTTP/1.1\r\n", H1_ERR_TARGET, 11);
	REQ_REJECTS("GET https://h:x/ HTTP/1.1\r\n", H1_ERR_TARGET, 12);
	REQ_REJECTS("GET http:// HTTP/1.1\r\n", H1_ERR_TARGET, 4);
	REQ_REJECTS("GET ftp://h/ HTTP/1.1\r\n", H1_ERR_TARGET, 4);
	REQ_REJECTS("GET index.html HTTP/1.1\r\n", H1_ERR_TARGET, 4);
}

static void
test_one_empty_line_before_a_request_is_skipped(void)
{
	static const char s[] = "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(t_m.method_off, 2);
	EXPECT_STR(METHOD(s), "GET");
	REQ_REJECTS("\r\n\r\nGET / HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 2);
	REQ_REJECTS("\nGET / HTTP/1.1\r\n", H1_ERR_BARE_LF, 0);
	REQ_REJECTS("\rGET / HTTP/1.1\r\n", H1_ERR_BARE_CR, 0);
}

static void
test_field_count_is_bounded_by_max_hdrs(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                        "A: 1\r\nB: 2\r\n\r\n";
	static const char over[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                           "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";

	EXPECT_INT(
	    parse_all(&t_m, H1_REQUEST, 3, s, sizeof(s) - 1, __LINE__), LEN(s));
	EXPECT_INT(t_m.nhdrs, 3);
	EXPECT_INT(
	    parse_all(&t_m, H1_REQUEST, 3, over, sizeof(over) - 1, __LINE__),
	    -1);
	EXPECT_STR(h1_err_str(t_m.err), h1_err_str(H1_ERR_TOO_MANY_HDRS));
	EXPECT_INT(t_m.err_pos, 37);
	EXPECT_INT(h1_err_status(t_m.err), 431);
}

/* A request with Host and n more fields "X-nnn: v", in a static buffer. */
static size_t
many_fields(char *buf, size_t size, unsigned n)
{
	size_t o;
	unsigned i;

	o = (size_t)snprintf(buf, size, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, size - o, "X-%03u: v\r\n", i);
	o += (size_t)snprintf(buf + o, size - o, "\r\n");
	return o;
}

static void
test_at_most_256_fields_are_stored(void)
{
	static char buf[8192];
	size_t n;

	n = many_fields(buf, sizeof(buf), 255);
	EXPECT_INT(parse_all(&t_m, H1_REQUEST, 0, buf, n, __LINE__), (int)n);
	EXPECT_INT(t_m.nhdrs, 256);
	EXPECT_STR(VALUE(buf, 255), "v");
	EXPECT_INT(t_m.hdrs[255].name_off, n - 2 - 10);
	n = many_fields(buf, sizeof(buf), 256);
	EXPECT_INT(parse_all(&t_m, H1_REQUEST, 1000, buf, n, __LINE__), -1);
	EXPECT_INT(t_m.err, H1_ERR_TOO_MANY_HDRS);
	EXPECT_INT(t_m.err_pos, n - 2 - 10);
}

static void
test_a_zeroed_message_parses_a_request(void)
{
	static const char s[] = "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n";

	memset(&t_m, 0, sizeof(t_m));
	EXPECT_INT(h1_parse(&t_m, s, 10), 0);
	EXPECT_STR(h1_state_str(t_m.state), "version");
	EXPECT_INT(h1_parse(&t_m, s, sizeof(s) - 1), LEN(s));
	EXPECT_STR(METHOD(s), "DELETE");
	EXPECT_INT(t_m.nhdrs, 1);
}

static void
test_obs_text_is_accepted_in_field_values(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	                        "X-Name: caf\xc3\xa9 \xff\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(VALUE(s, 1), "caf\xc3\xa9 \xff");
}

static void
test_a_finished_parse_answers_the_same_again(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\nGARBAGE\x01";
	static const char bad[] = "GET / HTTP/1.1\r\nHost h\r\n\r\n";

	h1_msg_init(&t_m, H1_REQUEST, 0);
	EXPECT_INT(h1_parse(&t_m, s, 20), 0);
	EXPECT_INT(t_m.pos, 20);
	EXPECT_INT(h1_parse(&t_m, s, sizeof(s) - 1), 27);
	EXPECT_INT(t_m.pos, 27);
	EXPECT_INT(h1_parse(&t_m, s, sizeof(s) - 1), 27);
	h1_msg_init(&t_m, H1_REQUEST, 0);
	EXPECT_INT(h1_parse(&t_m, bad, sizeof(bad) - 1), -1);
	EXPECT_INT(h1_parse(&t_m, bad, sizeof(bad) - 1), -1);
	EXPECT_INT(t_m.err, H1_ERR_HDR_NAME);
	EXPECT_INT(t_m.err_pos, 20);
	EXPECT_STR(h1_state_str(t_m.state), "error");
}

static void
test_a_head_is_not_done_before_its_final_lf(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

	h1_msg_init(&t_m, H1_REQUEST, 0);
	EXPECT_INT(h1_parse(&t_m, s, 25), 0);
	EXPECT_STR(h1_state_str(t_m.state), "header-start");
	EXPECT_INT(h1_parse(&t_m, s, 26), 0);
	EXPECT_STR(h1_state_str(t_m.state), "end-lf");
	EXPECT_INT(h1_parse(&t_m, s, 27), 27);
}

/* ---- request rejections ------------------------------------------------ */

static void
test_method_must_be_a_token(void)
{
	REQ_REJECTS("GE(T / HTTP/1.1\r\n", H1_ERR_METHOD, 2);
	REQ_REJECTS("G\xc9T / HTTP/1.1\r\n", H1_ERR_METHOD, 1);
	REQ_REJECTS("GET\t/ HTTP/1.1\r\n", H1_ERR_METHOD, 3);
	REQ_REJECTS("\x01GET / HTTP/1.1\r\n", H1_ERR_METHOD, 0);
}

static void
test_request_line_needs_single_spaces(void)
{
	REQ_REJECTS(" GET / HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 0);
	REQ_REJECTS("GET  / HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 4);
	REQ_REJECTS("GET /  HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 6);
	REQ_REJECTS("GET /a b HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 7);
	REQ_REJECTS("GET / HTTP/1.1 \r\n", H1_ERR_REQUEST_LINE, 14);
}

static void
test_request_line_needs_all_three_parts(void)
{
	REQ_REJECTS("GET\r\n", H1_ERR_REQUEST_LINE, 3);
	REQ_REJECTS("GET /\r\n", H1_ERR_REQUEST_LINE, 5);
	REQ_REJECTS("GET / \r\n", H1_ERR_REQUEST_LINE, 6);
	REQ_REJECTS("GET \r\n", H1_ERR_REQUEST_LINE, 4);
}

static void
test_target_bytes_outside_rfc3986_are_rejected(void)
{
	REQ_REJECTS("GET /a\x01 HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /caf\xc3\xa9 HTTP/1.1\r\n", H1_ERR_TARGET, 8);
	REQ_REJECTS("GET /a\"b HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /<script> HTTP/1.1\r\n", H1_ERR_TARGET, 5);
	REQ_REJECTS("GET /a#frag HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /a\\b HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /{x} HTTP/1.1\r\n", H1_ERR_TARGET, 5);
	REQ_REJECTS("GET /a\x7f HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /a\tb HTTP/1.1\r\n", H1_ERR_TARGET, 6);
	REQ_REJECTS("GET /\0 HTTP/1.1\r\n", H1_ERR_TARGET, 5);
}

static void
test_every_rfc3986_character_is_accepted_in_a_target(void)
{
	static const char s[] = "GET /azAZ09-._~:/?[]@!$&'()*+,;=%2F "
	                        "HTTP/1.1\r\nHost: h\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_STR(TARGET(s), "/azAZ09-._~:/?[]@!$&'()*+,;=%2F");
}

/* Whether a request whose target is "/" then c parses; byte class oracle. */
static bool
target_takes(unsigned c)
{
	char s[64];
	int n;

	n = snprintf(s, sizeof(s), "GET /%c HTTP/1.1\r\nHost: h\r\n\r\n", 'x');
	s[5] = (char)c;
	h1_msg_init(&t_m, H1_REQUEST, 0);
	return h1_parse(&t_m, s, (size_t)n) == n;
}

static void
test_target_byte_classes_match_rfc3986(void)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	                         "-._~:/?[]@!$&'()*+,;=%";
	unsigned c, bad = 0;

	for (c = 0; c < 256; c++)
		if (target_takes(c) != (c != 0 && strchr(ok, (int)c) != NULL))
			bad++;
	EXPECT_INT(bad, 0);
}

static void
test_lower_case_http_name_is_malformed(void)
{
	REQ_REJECTS("GET / http/1.1\r\n", H1_ERR_REQUEST_LINE, 6);
	REQ_REJECTS("GET / HTTP-1.1\r\n", H1_ERR_REQUEST_LINE, 10);
	REQ_REJECTS("GET / HTTP/1.10\r\n", H1_ERR_REQUEST_LINE, 14);
	REQ_REJECTS("GET / HTTP/11\r\n", H1_ERR_REQUEST_LINE, 12);
}

static void
test_versions_other_than_1_0_and_1_1_get_505(void)
{
	REQ_REJECTS("GET / HTTP/2.0\r\n", H1_ERR_VERSION, 6);
	REQ_REJECTS("GET / HTTP/1.2\r\nHost: h\r\n\r\n", H1_ERR_VERSION, 6);
	REQ_REJECTS("GET /x HTTP/0.9\r\n", H1_ERR_VERSION, 7);
	EXPECT_INT(h1_err_status(H1_ERR_VERSION), 505);
}

static void
test_bare_lf_line_endings_are_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\nHost: h\r\n\r\n", H1_ERR_BARE_LF, 14);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\n\r\n", H1_ERR_BARE_LF, 23);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\n\n", H1_ERR_BARE_LF, 25);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost:\n\r\n", H1_ERR_BARE_LF, 21);
	REQ_REJECTS("GET /\n", H1_ERR_BARE_LF, 5);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost\n", H1_ERR_BARE_LF, 20);
}

static void
test_bare_cr_anywhere_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\rHost: h\r\n\r\n", H1_ERR_BARE_CR, 14);
	REQ_REJECTS(
	    "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", H1_ERR_BARE_CR, 23);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", H1_ERR_BARE_CR, 25);
	REQ_REJECTS(
	    "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", H1_ERR_BARE_CR, 29);
	REQ_REJECTS("GET /\r HTTP/1.1\r\n", H1_ERR_REQUEST_LINE, 5);
}

static void
test_whitespace_before_the_colon_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\nHost : h\r\n\r\n", H1_ERR_HDR_NAME, 20);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", H1_ERR_HDR_NAME, 20);
	REQ_REJECTS("GET / HTTP/1.1\r\nHo st: h\r\n\r\n", H1_ERR_HDR_NAME, 18);
}

static void
test_field_names_must_be_tokens(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\n: h\r\n\r\n", H1_ERR_HDR_NAME, 16);
	REQ_REJECTS("GET / HTTP/1.1\r\nX@Y: z\r\n\r\n", H1_ERR_HDR_NAME, 17);
	REQ_REJECTS("GET / HTTP/1.1\r\nNoColon\r\n\r\n", H1_ERR_HDR_NAME, 23);
	REQ_REJECTS("GET / HTTP/1.1\r\nX\xe9: z\r\n\r\n", H1_ERR_HDR_NAME, 17);
	REQ_REJECTS("GET / HTTP/1.1\r\n\x01X: z\r\n\r\n", H1_ERR_HDR_NAME, 16);
}

/* Whether a field named "X" then byte c parses; byte class oracle. */
static bool
name_takes(unsigned c)
{
	char s[64];
	int n;

	n = snprintf(
	    s, sizeof(s), "GET / HTTP/1.1\r\nHost: h\r\nX%c: v\r\n\r\n", 'x');
	s[26] = (char)c;
	h1_msg_init(&t_m, H1_REQUEST, 0);
	return h1_parse(&t_m, s, (size_t)n) == n;
}

static void
test_field_name_byte_classes_match_tchar(void)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
	                            "abcdefghijklmnopqrstuvwxyz"
	                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned c, bad = 0;
	bool want;

	for (c = 0; c < 256; c++)
		/* "X:: v" is a field X whose value is ": v" */
		want = c == ':' || (c != 0 && strchr(tchar, (int)c) != NULL);
	if (name_takes(c) != want)
		bad++;
	EXPECT_INT(bad, 0);
}

/* Whether a field value "a" c "b" parses; byte class oracle. */
static bool
value_takes(unsigned c)
{
	char s[64];
	int n;

	n = snprintf(
	    s, sizeof(s), "GET / HTTP/1.1\r\nHost: h\r\nX: a%cb\r\n\r\n", 'x');
	s[29] = (char)c;
	h1_msg_init(&t_m, H1_REQUEST, 0);
	return h1_parse(&t_m, s, (size_t)n) == n;
}

static void
test_field_value_byte_classes_match_rfc9110(void)
{
	unsigned c, bad = 0;

	for (c = 0; c < 256; c++)
		if (value_takes(c) != (c == '\t' || (c >= 0x20 && c != 0x7f)))
			bad++;
	EXPECT_INT(bad, 0);
}

static void
test_obs_fold_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n",
	    H1_ERR_OBS_FOLD, 33);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\t2\r\n\r\n",
	    H1_ERR_OBS_FOLD, 33);
}

static void
test_whitespace_before_the_first_field_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\n Host: h\r\n\r\n", H1_ERR_OBS_FOLD, 16);
	RSP_REJECTS("HTTP/1.1 200 OK\r\n\tX: y\r\n\r\n", H1_ERR_OBS_FOLD, 17);
}

static void
test_control_characters_in_values_are_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n",
	    H1_ERR_HDR_VALUE, 29);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n",
	    H1_ERR_HDR_VALUE, 28);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n",
	    H1_ERR_HDR_VALUE, 29);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: h\r\nX:\x1b[0m\r\n\r\n",
	    H1_ERR_HDR_VALUE, 27);
}

static void
test_malformed_content_length_is_rejected(void)
{
	/* values start at offset 42 */
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
	    H1_ERR_CLEN, 42);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
	    H1_ERR_CLEN, 42);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n",
	    H1_ERR_CLEN, 41);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n",
	    H1_ERR_CLEN, 43);
	REQ_REJECTS(
	    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
	    H1_ERR_CLEN, 43);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\n",
	    H1_ERR_CLEN, 44);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5.0\r\n\r\n",
	    H1_ERR_CLEN, 43);
}

static void
test_content_length_past_2_63_is_rejected(void)
{
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Content-Length: 9223372036854775808\r\n\r\n",
	    H1_ERR_CLEN, 60);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Content-Length: 18446744073709551616\r\n\r\n",
	    H1_ERR_CLEN, 61);
}

static void
test_differing_content_lengths_are_rejected(void)
{
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Content-Length: 5, 6\r\n\r\n",
	    H1_ERR_CLEN_CONFLICT, 45);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
	    H1_ERR_CLEN_CONFLICT, 45);
	RSP_REJECTS("HTTP/1.1 200 OK\r\n"
	            "Content-Length: 5\r\ncontent-length: 50\r\n\r\n",
	    H1_ERR_CLEN_CONFLICT, 36);
}

static void
test_content_length_with_transfer_encoding_is_rejected(void)
{
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	            "Transfer-Encoding: chunked\r\n\r\n",
	    H1_ERR_CLEN_TE, 45);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	    H1_ERR_CLEN_TE, 54);
	RSP_REJECTS("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	            "Content-Length: 0\r\n\r\n",
	    H1_ERR_CLEN_TE, 45);
}

static void
test_codings_other_than_chunked_get_501(void)
{
	/* values start at offset 45 */
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: gzip\r\n\r\n",
	    H1_ERR_TE_UNSUPPORTED, 45);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: gzip, chunked\r\n\r\n",
	    H1_ERR_TE_UNSUPPORTED, 45);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: identity\r\n\r\n",
	    H1_ERR_TE_UNSUPPORTED, 45);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked;x=1\r\n\r\n",
	    H1_ERR_TE_UNSUPPORTED, 45);
	EXPECT_INT(h1_err_status(H1_ERR_TE_UNSUPPORTED), 501);
}

static void
test_chunked_must_come_once_and_last(void)
{
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked, gzip\r\n\r\n",
	    H1_ERR_TE, 54);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked, chunked\r\n\r\n",
	    H1_ERR_TE, 54);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked\r\n"
	            "Transfer-Encoding: chunked\r\n\r\n",
	    H1_ERR_TE, 73);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding:\r\n\r\n",
	    H1_ERR_TE, 44);
	REQ_REJECTS("POST / HTTP/1.1\r\nHost: h\r\n"
	            "Transfer-Encoding: chunked,\r\n\r\n",
	    H1_ERR_TE, 53);
}

static void
test_transfer_encoding_in_http10_is_rejected(void)
{
	REQ_REJECTS("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	    H1_ERR_TE_HTTP10, 17);
	RSP_REJECTS("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    H1_ERR_TE_HTTP10, 17);
}

static void
test_http11_request_without_host_is_rejected(void)
{
	REQ_REJECTS(
	    "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", H1_ERR_HOST_MISSING, 29);
	REQ_REJECTS("GET http://h/ HTTP/1.1\r\n\r\n", H1_ERR_HOST_MISSING, 24);
}

static void
test_more_than_one_host_is_rejected(void)
{
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
	    H1_ERR_HOST_DUP, 25);
	REQ_REJECTS("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n",
	    H1_ERR_HOST_DUP, 25);
}

/* The error parsing a request whose Host is v, or H1_ERR_NONE. */
static int
host_err(const char *v)
{
	char s[256];
	int n;

	n = snprintf(s, sizeof(s), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", v);
	h1_msg_init(&t_m, H1_REQUEST, 0);
	if (h1_parse(&t_m, s, (size_t)n) == n)
		return H1_ERR_NONE;
	return t_m.err;
}

static void
test_host_must_be_a_uri_host_and_port(void)
{
	EXPECT_INT(host_err("example.com"), H1_ERR_NONE);
	EXPECT_INT(host_err("Example.COM:8080"), H1_ERR_NONE);
	EXPECT_INT(host_err("10.0.0.1:65535"), H1_ERR_NONE);
	EXPECT_INT(host_err("[::1]:80"), H1_ERR_NONE);
	EXPECT_INT(host_err("[::ffff:10.0.0.1]"), H1_ERR_NONE);
	EXPECT_INT(host_err("xn--bcher-kva.example"), H1_ERR_NONE);
	EXPECT_INT(host_err(""), H1_ERR_NONE);
	EXPECT_INT(host_err("a b"), H1_ERR_HOST);
	EXPECT_INT(host_err("user@h"), H1_ERR_HOST);
	EXPECT_INT(host_err("h:65536"), H1_ERR_HOST);
	EXPECT_INT(host_err("h:123456"), H1_ERR_HOST);
	EXPECT_INT(host_err("h:"), H1_ERR_HOST);
	EXPECT_INT(host_err("h:x"), H1_ERR_HOST);
	EXPECT_INT(host_err("h:80:80"), H1_ERR_HOST);
	EXPECT_INT(host_err("[::1"), H1_ERR_HOST);
	EXPECT_INT(host_err("[]"), H1_ERR_HOST);
	EXPECT_INT(host_err("[::1]x"), H1_ERR_HOST);
	EXPECT_INT(host_err("h/path"), H1_ERR_HOST);
	REQ_REJECTS("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", H1_ERR_HOST, 22);
}

static void
test_a_field_name_longer_than_64k_is_rejected(void)
{
	size_t n = 16 + 70000 + 6;
	char *s = malloc(n);

	if (s == NULL) {
		CU_FAIL("out of memory");
		return;
	}
	memcpy(s, "GET / HTTP/1.1\r\n", 16);
	memset(s + 16, 'x', 70000);
	memcpy(s + 16 + 70000, ": v\r\n\r", 6);
	h1_msg_init(&t_m, H1_REQUEST, 0);
	EXPECT_INT(h1_parse(&t_m, s, n), -1);
	EXPECT_INT(t_m.err, H1_ERR_HDR_NAME);
	EXPECT_INT(t_m.err_pos, 16);
	free(s);
}

/* ---- responses --------------------------------------------------------- */

static void
test_200_with_content_length_has_that_body(void)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	                        "Content-Type: text/plain\r\n"
	                        "Content-Length: 5\r\n"
	                        "\r\n"
	                        "hello";

	EXPECT_INT(RSP(s), LEN(s) - 5);
	EXPECT_INT(t_m.status, 200);
	EXPECT_STR(REASON(s), "OK");
	EXPECT_INT(t_m.version, 11);
	EXPECT_INT(t_m.clen, 5);
	EXPECT_STR(flags_str(t_m.flags), "CLEN|VER_11");
	EXPECT_STR(hdrs_str(&t_m, s), "Content-Type=text/plain|"
	                              "Content-Length=5");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "clen");
	EXPECT_TRUE(h1_keepalive(&t_m));
}

static void
test_responses_to_head_have_no_body(void)
{
	static const char s[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 512\r\n\r\n";
	static const char c[] = "HTTP/1.1 200 OK\r\n"
	                        "Transfer-Encoding: chunked\r\n\r\n";

	EXPECT_INT(RSP(s), LEN(s));
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "HEAD", 4)), "none");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "HEADER", 6)), "clen");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "head", 4)), "clen");
	EXPECT_INT(RSP(c), LEN(c));
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "HEAD", 4)), "none");
}

static void
test_204_and_304_have_no_body(void)
{
	static const char nc[] = "HTTP/1.1 204 No Content\r\n\r\n";
	static const char nm[] = "HTTP/1.1 304 Not Modified\r\n"
	                         "ETag: \"x\"\r\nContent-Length: 100\r\n\r\n";

	EXPECT_INT(RSP(nc), LEN(nc));
	EXPECT_INT(t_m.status, 204);
	EXPECT_STR(REASON(nc), "No Content");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "none");
	EXPECT_INT(RSP(nm), LEN(nm));
	EXPECT_INT(t_m.clen, 100);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "none");
}

static void
test_101_switching_protocols_starts_a_tunnel(void)
{
	static const char s[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "\r\n";

	EXPECT_INT(RSP(s), LEN(s));
	EXPECT_INT(t_m.status, 101);
	EXPECT_STR(REASON(s), "Switching Protocols");
	EXPECT_STR(
	    flags_str(t_m.flags), "CONN_UPGRADE|UPGRADE|WEBSOCKET|VER_11");
	EXPECT_INT(t_m.upgrade, 0);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "tunnel");
}

static void
test_interim_responses_have_no_body(void)
{
	static const char s[] =
	    "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
	int n;

	n = RSP(s);
	EXPECT_INT(n, 25);
	EXPECT_INT(t_m.status, 100);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "PUT", 3)), "none");
	h1_msg_init(&t_m, H1_RESPONSE, 0);
	EXPECT_INT(h1_parse(&t_m, s + n, sizeof(s) - 1 - (size_t)n), 43);
	EXPECT_INT(t_m.status, 201);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "PUT", 3)), "none");
}

static void
test_chunked_response_is_read_as_chunks(void)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	                        "Transfer-Encoding: chunked\r\n"
	                        "Trailer: X-Sum\r\n\r\n";

	EXPECT_INT(RSP(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "CHUNKED|VER_11");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "chunked");
}

static void
test_response_without_length_runs_until_close(void)
{
	static const char s[] = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\n";
	static const char ka[] = "HTTP/1.0 200 OK\r\n"
	                         "Connection: keep-alive\r\n"
	                         "Content-Length: 2\r\n\r\n";

	EXPECT_INT(RSP(s), LEN(s));
	EXPECT_INT(t_m.version, 10);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "close");
	EXPECT_TRUE(!h1_keepalive(&t_m));
	EXPECT_INT(RSP(ka), LEN(ka));
	EXPECT_TRUE(h1_keepalive(&t_m));
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "clen");
}

static void
test_2xx_to_connect_is_a_tunnel(void)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	static const char no[] = "HTTP/1.1 407 Proxy Auth\r\n"
	                         "Proxy-Authenticate: Basic\r\n"
	                         "Content-Length: 3\r\n\r\n";

	EXPECT_INT(RSP(ok), LEN(ok));
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "CONNECT", 7)), "tunnel");
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "close");
	EXPECT_INT(RSP(no), LEN(no));
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "CONNECT", 7)), "clen");
}

static void
test_status_line_may_lack_a_reason(void)
{
	static const char sp[] = "HTTP/1.1 404 \r\n\r\n";
	static const char nosp[] = "HTTP/1.1 503\r\nRetry-After: 5\r\n\r\n";
	static const char odd[] = "HTTP/1.1 200 \tOK \xe7"
	                          "a va\t\r\n\r\n";

	EXPECT_INT(RSP(sp), LEN(sp));
	EXPECT_INT(t_m.status, 404);
	EXPECT_INT(t_m.reason_off, 13);
	EXPECT_INT(t_m.reason_len, 0);
	EXPECT_INT(RSP(nosp), LEN(nosp));
	EXPECT_INT(t_m.status, 503);
	EXPECT_INT(t_m.reason_len, 0);
	EXPECT_STR(VALUE(nosp, 0), "5");
	EXPECT_INT(RSP(odd), LEN(odd));
	EXPECT_STR(REASON(odd), "\tOK \xe7"
	                        "a va\t");
}

static void
test_malformed_status_lines_are_rejected(void)
{
	RSP_REJECTS("HTTP/1.1 20\r\n", H1_ERR_STATUS_LINE, 11);
	RSP_REJECTS("HTTP/1.1 2000 OK\r\n", H1_ERR_STATUS_LINE, 12);
	RSP_REJECTS("HTTP/1.1  200 OK\r\n", H1_ERR_STATUS_LINE, 9);
	RSP_REJECTS("HTTP/1.1 2x0 OK\r\n", H1_ERR_STATUS_LINE, 10);
	RSP_REJECTS("HTTP/1.1 200 OK\n\r\n", H1_ERR_BARE_LF, 15);
	RSP_REJECTS("HTTP/1.1 200 O\x01K\r\n", H1_ERR_STATUS_LINE, 14);
	RSP_REJECTS("HTTP/1.1 200 OK\rX", H1_ERR_BARE_CR, 15);
	RSP_REJECTS("http/1.1 200 OK\r\n", H1_ERR_STATUS_LINE, 0);
	RSP_REJECTS("HTTP/1.1\r\n", H1_ERR_STATUS_LINE, 8);
	RSP_REJECTS("\r\nHTTP/1.1 200 OK\r\n", H1_ERR_STATUS_LINE, 0);
}

static void
test_status_codes_outside_100_to_599_are_rejected(void)
{
	RSP_REJECTS("HTTP/1.1 099 Low\r\n", H1_ERR_STATUS, 9);
	RSP_REJECTS("HTTP/1.1 600 High\r\n", H1_ERR_STATUS, 9);
	RSP_REJECTS("HTTP/1.1 000\r\n", H1_ERR_STATUS, 9);
}

static void
test_response_versions_other_than_1_x_are_rejected(void)
{
	RSP_REJECTS("HTTP/2.0 200 OK\r\n", H1_ERR_VERSION, 0);
	RSP_REJECTS("HTTP/2 200 OK\r\n", H1_ERR_STATUS_LINE, 6);
	RSP_REJECTS("HTTP/1.1\t200 OK\r\n", H1_ERR_STATUS_LINE, 8);
}

static void
test_responses_need_no_host_and_ignore_expect(void)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nHost: a\r\nHost: b c\r\n"
	                        "Expect: nonsense\r\nContent-Length: 0\r\n\r\n";

	EXPECT_INT(RSP(s), LEN(s));
	EXPECT_STR(flags_str(t_m.flags), "CLEN|VER_11");
	EXPECT_INT(t_m.hdrs[0].kind, H1_HDR_HOST);
	EXPECT_STR(body_str(h1_rsp_body(&t_m, "GET", 3)), "none");
}

static void
test_response_fields_follow_request_rules(void)
{
	RSP_REJECTS("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", H1_ERR_HDR_NAME, 18);
	RSP_REJECTS("HTTP/1.1 200 OK\r\nX: y\n\r\n", H1_ERR_BARE_LF, 21);
	RSP_REJECTS("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	    H1_ERR_TE_UNSUPPORTED, 36);
	RSP_REJECTS(
	    "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n", H1_ERR_CLEN, 34);
}

/* ---- helpers ----------------------------------------------------------- */

static void
test_token_lists_match_whole_tokens_in_any_case(void)
{
	EXPECT_TRUE(h1_token_in_list("close", 5, "close"));
	EXPECT_TRUE(h1_token_in_list("Keep-Alive, CLOSE", 17, "close"));
	EXPECT_TRUE(h1_token_in_list(" ,\tclose\t, ", 11, "close"));
	EXPECT_TRUE(h1_token_in_list("a,,close", 8, "close"));
	EXPECT_TRUE(!h1_token_in_list("closed", 6, "close"));
	EXPECT_TRUE(!h1_token_in_list("xclose", 6, "close"));
	EXPECT_TRUE(!h1_token_in_list("clo se", 6, "close"));
	EXPECT_TRUE(!h1_token_in_list("close", 4, "close"));
	EXPECT_TRUE(!h1_token_in_list("", 0, "close"));
}

static void
test_fields_are_found_by_name_in_any_case(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n"
	                        "x-b: 2\r\nX-a: 3\r\n\r\n";

	EXPECT_INT(REQ(s), LEN(s));
	EXPECT_INT(h1_hdr_find(&t_m, s, "x-a", 3, 0), 1);
	EXPECT_INT(h1_hdr_find(&t_m, s, "X-A", 3, 2), 3);
	EXPECT_INT(h1_hdr_find(&t_m, s, "X-A", 3, 4), -1);
	EXPECT_INT(h1_hdr_find(&t_m, s, "X-B", 3, -5), 2);
	EXPECT_INT(h1_hdr_find(&t_m, s, "X", 1, 0), -1);
	EXPECT_INT(h1_hdr_find(&t_m, s, "host", 4, 0), 0);
}

static void
test_every_error_has_a_reason_citing_an_rfc(void)
{
	int e, bad = 0;

	for (e = H1_ERR_NONE + 1; e < H1_ERR_COUNT; e++)
		if (h1_err_str((enum h1_err)e) == NULL ||
		    strstr(h1_err_str((enum h1_err)e), "(RFC ") == NULL)
			bad++;
	EXPECT_INT(bad, 0);
	EXPECT_STR(h1_err_str(H1_ERR_CLEN_TE),
	    "Content-Length with Transfer-Encoding (RFC 9112 6.1)");
	EXPECT_STR(h1_err_str(H1_ERR_COUNT), "unknown error");
	EXPECT_INT(h1_err_status(H1_ERR_OBS_FOLD), 400);
	EXPECT_INT(h1_err_status(H1_ERR_HOST_MISSING), 400);
}

static void
test_every_state_has_a_name(void)
{
	int s, bad = 0;

	for (s = H1_S_START; s <= H1_S_ERROR; s++)
		if (h1_state_str((enum h1_state)s) == NULL)
			bad++;
	for (s = H1_C_SIZE_START; s <= H1_C_ERROR; s++)
		if (h1_chunk_state_str((enum h1_chunk_state)s) == NULL)
			bad++;
	EXPECT_INT(bad, 0);
	EXPECT_STR(h1_state_str(H1_S_HDR_VALUE), "header-value");
	EXPECT_STR(h1_chunk_state_str(H1_C_EXT_QVAL), "ext-quoted-value");
	EXPECT_STR(h1_state_str((enum h1_state)99), "unknown");
}

/* ---- chunked bodies ---------------------------------------------------- */

struct crun {
	int rc;
	size_t used; /* bytes consumed in all */
	enum h1_err err;
	uint64_t err_pos;
	char data[1024]; /* the chunk data, when asked for */
	size_t dlen;
};

/*
 * Feed the body s[0..n) to a fresh decoder as an engine would: cut bytes
 * arrive first, then step more at a time, and each call gets what the
 * previous ones left. spans asks for the data runs, gathered in r->data.
 */
static void
chunk_run(const char *s, size_t n, size_t cut, size_t step, bool spans,
    struct crun *r)
{
	struct h1_chunk c;
	size_t avail = cut < n ? cut : n, start = 0, used, doff, dlen;

	h1_chunk_init(&c);
	memset(r, 0, sizeof(*r));
	for (;;) {
		while (start < avail) {
			r->rc = h1_chunk_parse(&c, s + start, avail - start,
			    &used, spans ? &doff : NULL, &dlen);
			if (spans && dlen > 0 &&
			    r->dlen + dlen < sizeof(r->data)) {
				memcpy(
				    r->data + r->dlen, s + start + doff, dlen);
				r->dlen += dlen;
			}
			start += used;
			if (r->rc != 0)
				goto out;
		}
		if (avail == n)
			break;
		avail = n - avail < step ? n : avail + step;
	}
out:
	r->used = start;
	r->err = c.err;
	r->err_pos = c.err_pos;
	r->data[r->dlen] = '\0';
}

/* Where two runs differ, or "". */
static const char *
crun_diff(const struct crun *a, const struct crun *b, bool data)
{
	static char out[128];

	if (a->rc != b->rc || a->used != b->used || a->err != b->err ||
	    a->err_pos != b->err_pos)
		snprintf(out, sizeof(out),
		    "rc %d/%d used %zu/%zu err %d/%d "
		    "at %llu/%llu",
		    a->rc, b->rc, a->used, b->used, a->err, b->err,
		    (unsigned long long)a->err_pos,
		    (unsigned long long)b->err_pos);
	else if (data && strcmp(a->data, b->data) != 0)
		snprintf(out, sizeof(out), "data \"%.40s\" vs \"%.40s\"",
		    a->data, b->data);
	else
		out[0] = '\0';
	return out;
}

/*
 * Decode s[0..n) whole into r; then, asserting at line that each gives
 * the same, without asking for data, one byte at a time with and
 * without, and, with splits, split at every offset.
 */
static void
chunk_all(const char *s, size_t n, bool splits, struct crun *r, int line)
{
	struct crun w;
	char why[256] = "";
	size_t i;

	chunk_run(s, n, n, n, true, r);
	chunk_run(s, n, n, n, false, &w);
	if (*crun_diff(r, &w, false))
		snprintf(why, sizeof(why), "whole, no data: %s",
		    crun_diff(r, &w, false));
	chunk_run(s, n, 1, 1, true, &w);
	if (!why[0] && *crun_diff(r, &w, true))
		snprintf(why, sizeof(why), "byte by byte: %s",
		    crun_diff(r, &w, true));
	chunk_run(s, n, 1, 1, false, &w);
	if (!why[0] && *crun_diff(r, &w, false))
		snprintf(why, sizeof(why), "byte by byte, no data: %s",
		    crun_diff(r, &w, false));
	for (i = 1; splits && i < n && !why[0]; i++) {
		chunk_run(s, n, i, n, true, &w);
		if (*crun_diff(r, &w, true))
			snprintf(why, sizeof(why), "split at %zu: %s", i,
			    crun_diff(r, &w, true));
	}
	CU_assertImplementation(
	    why[0] == '\0', line, why, __FILE__, "", CU_FALSE);
}

#define CHUNK(s, r) chunk_all((s), sizeof(s) - 1, true, (r), __LINE__)

/* Body s is refused with error e at stream offset at. */
/* clang-format off */
#define CHUNK_REJECTS(s, e, at)						\
	do {								\
		struct crun r_;						\
		CHUNK(s, &r_);						\
		EXPECT_INT(r_.rc, -1);					\
		EXPECT_STR(h1_err_str(r_.err), h1_err_str(e));		\
		EXPECT_INT(r_.err_pos, (at));				\
	} while (0)
/* clang-format on */

static void
test_chunked_body_is_validated_and_its_data_found(void)
{
	static const char s[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
	struct crun r;

	CHUNK(s, &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, LEN(s));
	EXPECT_STR(r.data, "hello world");
}

static void
test_chunk_sizes_are_hex_in_any_case_with_leading_zeros(void)
{
	static const char s[] = "00A\r\n0123456789\r\n"
	                        "1f\r\nabcdefghijklmnopqrstuvwxyz01234\r\n"
	                        "000\r\n\r\n";
	struct crun r;

	CHUNK(s, &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, LEN(s));
	EXPECT_STR(r.data, "0123456789abcdefghijklmnopqrstuvwxyz01234");
}

static void
test_chunk_extensions_are_accepted(void)
{
	static const char s[] = "5;name=value;q=\"a \\\" b\" ;flag\r\nhello\r\n"
	                        "3 ; a = b ;c= \"\"\r\nabc\r\n"
	                        "0;last\r\n\r\n";
	struct crun r;

	CHUNK(s, &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, LEN(s));
	EXPECT_STR(r.data, "helloabc");
}

static void
test_trailers_end_the_body(void)
{
	static const char s[] = "4\r\nwiki\r\n0\r\n"
	                        "X-Checksum: abc\r\n"
	                        "X-Empty:\r\n"
	                        "X-Obs: \xe9t\xe9\r\n"
	                        "\r\n";
	struct crun r;

	CHUNK(s, &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, LEN(s));
	EXPECT_STR(r.data, "wiki");
}

static void
test_bytes_after_the_last_chunk_are_left_alone(void)
{
	static const char s[] = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
	struct crun r;

	CHUNK(s, &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, 13);
	EXPECT_STR(r.data, "abc");
}

static void
test_asking_for_data_stops_after_each_run(void)
{
	static const char s[] = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
	struct h1_chunk c;
	size_t used, off, len;

	h1_chunk_init(&c);
	EXPECT_INT(h1_chunk_parse(&c, s, sizeof(s) - 1, &used, &off, &len), 0);
	EXPECT_INT(used, 6);
	EXPECT_INT(off, 3);
	EXPECT_INT(len, 3);
	EXPECT_INT(
	    h1_chunk_parse(&c, s + 6, sizeof(s) - 7, &used, &off, &len), 0);
	EXPECT_INT(used, 7);
	EXPECT_INT(off, 5);
	EXPECT_INT(len, 2);
	EXPECT_INT(
	    h1_chunk_parse(&c, s + 13, sizeof(s) - 14, &used, &off, &len), 1);
	EXPECT_INT(used, 7);
	EXPECT_INT(len, 0);
	EXPECT_INT(c.off, 20);
	EXPECT_STR(h1_chunk_state_str(c.state), "done");
	EXPECT_INT(h1_chunk_parse(&c, "x", 1, &used, &off, &len), 1);
	EXPECT_INT(used, 0);
}

static void
test_large_chunks_are_skipped_not_scanned(void)
{
	static const char head[] = "10000\r\n";
	struct h1_chunk c;
	size_t used, off, len;
	char *s = malloc(0x10000);

	if (s == NULL) {
		CU_FAIL("out of memory");
		return;
	}
	memset(s, '\r', 0x10000);
	memset(&c, 0, sizeof(c));
	EXPECT_INT(h1_chunk_parse(&c, head, 7, &used, NULL, NULL), 0);
	EXPECT_TRUE(c.size == 0x10000 && c.left == 0x10000);
	EXPECT_INT(h1_chunk_parse(&c, s, 0x8000, &used, &off, &len), 0);
	EXPECT_INT(used, 0x8000);
	EXPECT_INT(off, 0);
	EXPECT_INT(len, 0x8000);
	EXPECT_INT(
	    h1_chunk_parse(&c, s + 0x8000, 0x8000, &used, &off, &len), 0);
	EXPECT_INT(len, 0x8000);
	EXPECT_STR(h1_chunk_state_str(c.state), "data-cr");
	EXPECT_INT(
	    h1_chunk_parse(&c, "\r\n0\r\n\r\n", 7, &used, NULL, NULL), 1);
	EXPECT_TRUE(c.off == 7 + 0x10000 + 7);
	free(s);
}

static void
test_chunk_size_must_be_hex_digits(void)
{
	CHUNK_REJECTS("5g\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 1);
	CHUNK_REJECTS("g\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("0x5\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 1);
	CHUNK_REJECTS("\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS(";a\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("3\r\nabc\r\nz\r\n", H1_ERR_CHUNK_SIZE, 8);
}

static void
test_chunk_size_with_a_sign_is_rejected(void)
{
	CHUNK_REJECTS("+5\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("-5\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("5-\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 1);
}

static void
test_whitespace_around_a_chunk_size_is_rejected(void)
{
	CHUNK_REJECTS(" 5\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("\t5\r\nhello\r\n", H1_ERR_CHUNK_SIZE, 0);
	CHUNK_REJECTS("5 \r\nhello\r\n", H1_ERR_CHUNK_EXT, 2);
	CHUNK_REJECTS("5\t\r\nhello\r\n", H1_ERR_CHUNK_EXT, 2);
}

static void
test_chunk_size_past_2_63_is_rejected(void)
{
	static const char max[] = "7fffffffffffffff\r\nabc";
	struct crun r;

	CHUNK_REJECTS("10000000000000000\r\n", H1_ERR_CHUNK_OVERFLOW, 16);
	CHUNK_REJECTS("8000000000000000\r\n", H1_ERR_CHUNK_OVERFLOW, 15);
	CHUNK_REJECTS("ffffffffffffffffff\r\n", H1_ERR_CHUNK_OVERFLOW, 15);
	CHUNK(max, &r);
	EXPECT_INT(r.rc, 0);
	EXPECT_INT(r.used, LEN(max));
	EXPECT_STR(r.data, "abc");
	CHUNK("000000000000000000001\r\nx\r\n0\r\n\r\n", &r);
	EXPECT_INT(r.rc, 1);
	EXPECT_STR(r.data, "x");
}

static void
test_chunk_data_must_end_in_crlf(void)
{
	CHUNK_REJECTS("3\r\nabcd\r\n", H1_ERR_CHUNK_CRLF, 6);
	CHUNK_REJECTS("3\r\nabc\rX", H1_ERR_BARE_CR, 6);
	CHUNK_REJECTS("3\r\nabc\n0\r\n\r\n", H1_ERR_BARE_LF, 6);
	CHUNK_REJECTS("3\r\nabc\r\n0\r\n\rX", H1_ERR_BARE_CR, 11);
}

static void
test_chunk_lines_need_crlf(void)
{
	CHUNK_REJECTS("3\nabc\r\n", H1_ERR_BARE_LF, 1);
	CHUNK_REJECTS("3\rabc\r\n", H1_ERR_BARE_CR, 1);
	CHUNK_REJECTS("3;a\nabc\r\n", H1_ERR_BARE_LF, 3);
	CHUNK_REJECTS("0\r\n\n", H1_ERR_BARE_LF, 3);
	CHUNK_REJECTS("0\r\nX: y\n\r\n", H1_ERR_BARE_LF, 7);
}

static void
test_malformed_chunk_extensions_are_rejected(void)
{
	CHUNK_REJECTS("1;\r\nx\r\n", H1_ERR_CHUNK_EXT, 2);
	CHUNK_REJECTS("1;=x\r\nx\r\n", H1_ERR_CHUNK_EXT, 2);
	CHUNK_REJECTS("1;a b\r\nx\r\n", H1_ERR_CHUNK_EXT, 4);
	CHUNK_REJECTS("1;a=\r\nx\r\n", H1_ERR_CHUNK_EXT, 4);
	CHUNK_REJECTS("1;a=\"x\r\nx\r\n", H1_ERR_CHUNK_EXT, 6);
	CHUNK_REJECTS("1;a=\"x\"y\r\nx\r\n", H1_ERR_CHUNK_EXT, 7);
	CHUNK_REJECTS("1;a=b c\r\nx\r\n", H1_ERR_CHUNK_EXT, 6);
	CHUNK_REJECTS("1;a=@\r\nx\r\n", H1_ERR_CHUNK_EXT, 4);
	CHUNK_REJECTS("1;a=\"\x01\"\r\nx\r\n", H1_ERR_CHUNK_EXT, 5);
}

static void
test_chunk_extensions_are_bounded(void)
{
	static char s[H1_CHUNK_LINE_MAX + 64];
	struct crun r;
	size_t n;

	memset(s, 'a', sizeof(s));
	memcpy(s, "1;", 2);
	memcpy(s + H1_CHUNK_LINE_MAX - 2, "\r\nx\r\n0\r\n\r\n", 10);
	n = H1_CHUNK_LINE_MAX + 8;
	chunk_all(s, n, false, &r, __LINE__);
	EXPECT_INT(r.rc, 1);
	EXPECT_STR(r.data, "x");
	memcpy(s + H1_CHUNK_LINE_MAX - 2, "a\r\nx\r\n0\r\n\r\n", 11);
	chunk_all(s, n + 1, false, &r, __LINE__);
	EXPECT_INT(r.rc, -1);
	EXPECT_INT(r.err, H1_ERR_CHUNK_LINE_LONG);
	EXPECT_INT(r.err_pos, H1_CHUNK_LINE_MAX);
}

static void
test_trailers_are_as_strict_as_headers(void)
{
	CHUNK_REJECTS("0\r\nA: 1\r\n 2\r\n\r\n", H1_ERR_OBS_FOLD, 9);
	CHUNK_REJECTS("0\r\nA B: 1\r\n\r\n", H1_ERR_HDR_NAME, 4);
	CHUNK_REJECTS("0\r\nA : 1\r\n\r\n", H1_ERR_HDR_NAME, 4);
	CHUNK_REJECTS("0\r\n: 1\r\n\r\n", H1_ERR_HDR_NAME, 3);
	CHUNK_REJECTS("0\r\nA: \x01\r\n\r\n", H1_ERR_HDR_VALUE, 6);
	CHUNK_REJECTS("0\r\nA: 1\rB\r\n", H1_ERR_BARE_CR, 7);
}

static void
test_trailer_section_is_bounded(void)
{
	static char s[H1_TRAILERS_MAX + 64];
	struct crun r;
	size_t n;

	/* "0\r\n" "X: aaa...\r\n" "\r\n": the trailers fill the bound */
	memset(s, 'a', sizeof(s));
	memcpy(s, "0\r\nX: ", 6);
	n = 3 + H1_TRAILERS_MAX;
	memcpy(s + n - 4, "\r\n\r\n", 4);
	chunk_all(s, n, false, &r, __LINE__);
	EXPECT_INT(r.rc, 1);
	EXPECT_INT(r.used, n);
	memcpy(s + n - 4, "a\r\n\r\n", 5);
	chunk_all(s, n + 1, false, &r, __LINE__);
	EXPECT_INT(r.rc, -1);
	EXPECT_INT(r.err, H1_ERR_TRAILERS_LONG);
	EXPECT_INT(r.err_pos, n);
}

static void
test_a_failed_chunk_decoder_stays_failed(void)
{
	struct h1_chunk c;
	size_t used;

	h1_chunk_init(&c);
	EXPECT_INT(h1_chunk_parse(&c, "2\r\nab", 5, &used, NULL, NULL), 0);
	EXPECT_INT(used, 5);
	EXPECT_INT(h1_chunk_parse(&c, "\r\nq", 3, &used, NULL, NULL), -1);
	EXPECT_INT(used, 2);
	EXPECT_INT(c.err, H1_ERR_CHUNK_SIZE);
	EXPECT_INT(c.err_pos, 7);
	EXPECT_INT(h1_chunk_parse(&c, "0\r\n\r\n", 5, &used, NULL, NULL), -1);
	EXPECT_INT(used, 0);
	EXPECT_STR(h1_chunk_state_str(c.state), "error");
}

CU_TestInfo h1_tests[] = {
    {"GET with headers is parsed into its parts",
        test_get_with_headers_is_parsed_into_its_parts},
    {"field values exclude surrounding whitespace",
        test_field_values_exclude_surrounding_whitespace},
    {"empty field values are accepted", test_empty_field_values_are_accepted},
    {"known field names are recognised in any case",
        test_known_field_names_are_recognised_in_any_case},
    {"hop-by-hop fields are flagged", test_hop_by_hop_fields_are_flagged},
    {"fields named by Connection become hop-by-hop",
        test_fields_named_by_connection_become_hop_by_hop},
    {"Connection naming a framing field is rejected",
        test_connection_naming_a_framing_field_is_rejected},
    {"POST with Content-Length sets its length",
        test_post_with_content_length_sets_its_length},
    {"Content-Length zero means no body",
        test_content_length_zero_means_no_body},
    {"equal Content-Lengths collapse into one",
        test_equal_content_lengths_collapse_into_one},
    {"the largest Content-Length is accepted",
        test_the_largest_content_length_is_accepted},
    {"chunked request is flagged chunked",
        test_chunked_request_is_flagged_chunked},
    {"HTTP/1.0 request needs no Host", test_http10_request_needs_no_host},
    {"request without fields is a whole head",
        test_request_without_fields_is_a_whole_head},
    {"HTTP/1.1 keeps alive unless told to close",
        test_http11_keeps_alive_unless_told_to_close},
    {"HTTP/1.0 keeps alive only when asked",
        test_http10_keeps_alive_only_when_asked},
    {"pipelined requests are parsed one head at a time",
        test_pipelined_requests_are_parsed_one_head_at_a_time},
    {"websocket upgrade is recognised", test_websocket_upgrade_is_recognised},
    {"Upgrade without Connection: upgrade is no upgrade",
        test_upgrade_without_connection_upgrade_is_no_upgrade},
    {"Upgrade in HTTP/1.0 is ignored", test_upgrade_in_http10_is_ignored},
    {"upgrade to another protocol is not websocket",
        test_upgrade_to_another_protocol_is_not_websocket},
    {"Expect: 100-continue is flagged in any case",
        test_expect_100_continue_is_flagged_in_any_case},
    {"other expectations are refused with 417",
        test_other_expectations_are_refused_with_417},
    {"Expect in HTTP/1.0 is ignored", test_expect_in_http10_is_ignored},
    {"CONNECT takes an authority-form target",
        test_connect_takes_an_authority_form_target},
    {"CONNECT refuses other target forms",
        test_connect_refuses_other_target_forms},
    {"authority-form is only for CONNECT",
        test_authority_form_is_only_for_connect},
    {"asterisk-form is only for OPTIONS",
        test_asterisk_form_is_only_for_options},
    {"absolute-form targets are accepted",
        test_absolute_form_targets_are_accepted},
    {"absolute-form needs a host and no userinfo",
        test_absolute_form_needs_a_host_and_no_userinfo},
    {"one empty line before a request is skipped",
        test_one_empty_line_before_a_request_is_skipped},
    {"field count is bounded by max_hdrs",
        test_field_count_is_bounded_by_max_hdrs},
    {"at most 256 fields are stored", test_at_most_256_fields_are_stored},
    {"a zeroed message parses a request",
        test_a_zeroed_message_parses_a_request},
    {"obs-text is accepted in field values",
        test_obs_text_is_accepted_in_field_values},
    {"a finished parse answers the same again",
        test_a_finished_parse_answers_the_same_again},
    {"a head is not done before its final LF",
        test_a_head_is_not_done_before_its_final_lf},
    {"method must be a token", test_method_must_be_a_token},
    {"request line needs single spaces", test_request_line_needs_single_spaces},
    {"request line needs all three parts",
        test_request_line_needs_all_three_parts},
    {"target bytes outside RFC 3986 are rejected",
        test_target_bytes_outside_rfc3986_are_rejected},
    {"every RFC 3986 character is accepted in a target",
        test_every_rfc3986_character_is_accepted_in_a_target},
    {"target byte classes match RFC 3986",
        test_target_byte_classes_match_rfc3986},
    {"lower-case http name is malformed",
        test_lower_case_http_name_is_malformed},
    {"versions other than 1.0 and 1.1 get 505",
        test_versions_other_than_1_0_and_1_1_get_505},
    {"bare LF line endings are rejected",
        test_bare_lf_line_endings_are_rejected},
    {"bare CR anywhere is rejected", test_bare_cr_anywhere_is_rejected},
    {"whitespace before the colon is rejected",
        test_whitespace_before_the_colon_is_rejected},
    {"field names must be tokens", test_field_names_must_be_tokens},
    {"field name byte classes match tchar",
        test_field_name_byte_classes_match_tchar},
    {"field value byte classes match RFC 9110",
        test_field_value_byte_classes_match_rfc9110},
    {"obs-fold is rejected", test_obs_fold_is_rejected},
    {"whitespace before the first field is rejected",
        test_whitespace_before_the_first_field_is_rejected},
    {"control characters in values are rejected",
        test_control_characters_in_values_are_rejected},
    {"malformed Content-Length is rejected",
        test_malformed_content_length_is_rejected},
    {"Content-Length past 2^63 is rejected",
        test_content_length_past_2_63_is_rejected},
    {"differing Content-Lengths are rejected",
        test_differing_content_lengths_are_rejected},
    {"Content-Length with Transfer-Encoding is rejected",
        test_content_length_with_transfer_encoding_is_rejected},
    {"codings other than chunked get 501",
        test_codings_other_than_chunked_get_501},
    {"chunked must come once and last", test_chunked_must_come_once_and_last},
    {"Transfer-Encoding in HTTP/1.0 is rejected",
        test_transfer_encoding_in_http10_is_rejected},
    {"HTTP/1.1 request without Host is rejected",
        test_http11_request_without_host_is_rejected},
    {"more than one Host is rejected", test_more_than_one_host_is_rejected},
    {"Host must be a uri-host and port", test_host_must_be_a_uri_host_and_port},
    {"a field name longer than 64 KiB is rejected",
        test_a_field_name_longer_than_64k_is_rejected},
    {"200 with Content-Length has that body",
        test_200_with_content_length_has_that_body},
    {"responses to HEAD have no body", test_responses_to_head_have_no_body},
    {"204 and 304 have no body", test_204_and_304_have_no_body},
    {"101 switching protocols starts a tunnel",
        test_101_switching_protocols_starts_a_tunnel},
    {"interim responses have no body", test_interim_responses_have_no_body},
    {"chunked response is read as chunks",
        test_chunked_response_is_read_as_chunks},
    {"response without length runs until close",
        test_response_without_length_runs_until_close},
    {"2xx to CONNECT is a tunnel", test_2xx_to_connect_is_a_tunnel},
    {"status line may lack a reason", test_status_line_may_lack_a_reason},
    {"malformed status lines are rejected",
        test_malformed_status_lines_are_rejected},
    {"status codes outside 100 to 599 are rejected",
        test_status_codes_outside_100_to_599_are_rejected},
    {"response versions other than 1.x are rejected",
        test_response_versions_other_than_1_x_are_rejected},
    {"responses need no Host and ignore Expect",
        test_responses_need_no_host_and_ignore_expect},
    {"response fields follow request rules",
        test_response_fields_follow_request_rules},
    {"token lists match whole tokens in any case",
        test_token_lists_match_whole_tokens_in_any_case},
    {"fields are found by name in any case",
        test_fields_are_found_by_name_in_any_case},
    {"every error has a reason citing an RFC",
        test_every_error_has_a_reason_citing_an_rfc},
    {"every state has a name", test_every_state_has_a_name},
    {"chunked body is validated and its data found",
        test_chunked_body_is_validated_and_its_data_found},
    {"chunk sizes are hex in any case with leading zeros",
        test_chunk_sizes_are_hex_in_any_case_with_leading_zeros},
    {"chunk extensions are accepted", test_chunk_extensions_are_accepted},
    {"trailers end the body", test_trailers_end_the_body},
    {"bytes after the last chunk are left alone",
        test_bytes_after_the_last_chunk_are_left_alone},
    {"asking for data stops after each run",
        test_asking_for_data_stops_after_each_run},
    {"large chunks are skipped not scanned",
        test_large_chunks_are_skipped_not_scanned},
    {"chunk size must be hex digits", test_chunk_size_must_be_hex_digits},
    {"chunk size with a sign is rejected",
        test_chunk_size_with_a_sign_is_rejected},
    {"whitespace around a chunk size is rejected",
        test_whitespace_around_a_chunk_size_is_rejected},
    {"chunk size past 2^63 is rejected", test_chunk_size_past_2_63_is_rejected},
    {"chunk data must end in CRLF", test_chunk_data_must_end_in_crlf},
    {"chunk lines need CRLF", test_chunk_lines_need_crlf},
    {"malformed chunk extensions are rejected",
        test_malformed_chunk_extensions_are_rejected},
    {"chunk extensions are bounded", test_chunk_extensions_are_bounded},
    {"trailers are as strict as headers",
        test_trailers_are_as_strict_as_headers},
    {"trailer section is bounded", test_trailer_section_is_bounded},
    {"a failed chunk decoder stays failed",
        test_a_failed_chunk_decoder_stays_failed},
    {"every byte is judged alike anywhere in a long token",
        test_every_byte_is_judged_alike_anywhere_in_a_long_token},
    CU_TEST_INFO_NULL,
};
