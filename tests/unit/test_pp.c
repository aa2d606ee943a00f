/*
 * The PROXY protocol: headers of both versions parsed whole and at every
 * prefix (each prefix copied to a buffer of its exact size, so that the
 * sanitizers catch a read past len), every rejection the specification
 * asks for, and headers built by pp_build_*() read back.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pp.h"
#include "unit.h"

/* The v2 signature; string literals holding it use sizeof, not strlen. */
#define SIG "\r\n\r\n\0\r\nQUIT\n"

/* A struct sockaddr_storage as pp_build_*() take it. */
#define SA(ss) ((const struct sockaddr *)&(ss))

/* pp_parse() on a string literal, NUL bytes included. */
#define PARSE(lit, a) pp_parse((lit), sizeof(lit) - 1, (a))

static struct pp_addrs t_a; /* what the last parse said */

/* pp_parse() on a copy of buf[0..len) in a buffer of exactly len bytes. */
static int
parse_exact(const void *buf, size_t len, struct pp_addrs *a)
{
	char *p = malloc(len > 0 ? len : 1);
	int r;

	if (p == NULL)
		return -2;
	memcpy(p, buf, len);
	r = pp_parse(p, len, a);
	free(p);
	return r;
}

/* Parse a NUL-free string into t_a. */
static int
parse_str(const char *s)
{
	memset(&t_a, 0, sizeof(t_a));
	return parse_exact(s, strlen(s), &t_a);
}

/*
 * The first proper prefix of buf[0..len) that pp_parse() does not answer
 * 0, or -1 when none: a valid header needs more bytes until it is whole.
 */
static long
prefix_not_more(const void *buf, size_t len)
{
	struct pp_addrs a;
	size_t k;

	for (k = 0; k < len; k++)
		if (parse_exact(buf, k, &a) != 0)
			return (long)k;
	return -1;
}

/* "addr port", "[addr6] port" or "unspec" for an address read. */
static const char *
sa_str(const struct sockaddr_storage *ss)
{
	static char out[INET6_ADDRSTRLEN + 16];
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, sizeof(out), "%s %u", a, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, sizeof(out), "[%s] %u", a, ntohs(s6->sin6_port));
	} else
		snprintf(out, sizeof(out), "unspec");
	return out;
}

/* A v2 header: signature, ver_cmd, fam, then body[0..blen) as length. */
static size_t
v2(unsigned char *out, unsigned ver_cmd, unsigned fam, const void *body,
    size_t blen)
{
	memcpy(out, SIG, 12);
	out[12] = (unsigned char)ver_cmd;
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(blen >> 8);
	out[15] = (unsigned char)blen;
	memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* 192.0.2.1:54321 -> 198.51.100.2:443 */
/* clang-format off */
static const unsigned char addr4[12] = {
	192, 0, 2, 1, 198, 51, 100, 2, 0xd4, 0x31, 0x01, 0xbb,
};
/* clang-format on */
/* [2001:db8::1]:12345 -> [2001:db8::2]:80 */
/* clang-format off */
static const unsigned char addr6[36] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x30, 0x39, 0x00, 0x50,
};
/* clang-format on */

/* A sockaddr for address s and port. */
static struct sockaddr_storage
sa(const char *s, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
	}
	return ss;
}

/* ---- v1 ---------------------------------------------------------------- */

static void
test_v1_tcp4(void)
{
	const char *h = "PROXY TCP4 192.0.2.1 198.51.100.2 54321 443\r\n";

	EXPECT_INT(parse_str(h), strlen(h));
	EXPECT_INT(t_a.version, 1);
	EXPECT_INT(t_a.family, AF_INET);
	EXPECT_TRUE(!t_a.local);
	EXPECT_STR(sa_str(&t_a.src), "192.0.2.1 54321");
	EXPECT_STR(sa_str(&t_a.dst), "198.51.100.2 443");
}

static void
test_v1_tcp6(void)
{
	const char *h =
	    "PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:2 0 65535\r\n";

	EXPECT_INT(parse_str(h), strlen(h));
	EXPECT_INT(t_a.family, AF_INET6);
	EXPECT_STR(sa_str(&t_a.src), "[2001:db8::1] 0");
	EXPECT_STR(sa_str(&t_a.dst), "[2001:db8::2] 65535");
	h = "PROXY TCP6 ::ffff:192.0.2.1 :: 1 2\r\n";
	EXPECT_INT(parse_str(h), strlen(h));
	EXPECT_STR(sa_str(&t_a.src), "[::ffff:192.0.2.1] 1");
	EXPECT_STR(sa_str(&t_a.dst), "[::] 2");
}

static void
test_v1_unknown(void)
{
	EXPECT_INT(parse_str("PROXY UNKNOWN\r\n"), 15);
	EXPECT_INT(t_a.version, 1);
	EXPECT_INT(t_a.family, AF_UNSPEC);
	EXPECT_TRUE(!t_a.local);
	EXPECT_STR(sa_str(&t_a.src), "unspec");
	EXPECT_STR(sa_str(&t_a.dst), "unspec");
}

static void
test_v1_unknown_ignores_the_rest(void)
{
	const char *h = "PROXY UNKNOWN ffff::1 ffff::2 65535 65535\r\n";

	EXPECT_INT(parse_str(h), strlen(h));
	EXPECT_INT(t_a.family, AF_UNSPEC);
	EXPECT_INT(parse_str("PROXY UNKNOWN \r\n"), 16);
	EXPECT_INT(parse_str("PROXY UNKNOWN  anything, even 999999\r\n"), 38);
	/* ... but not a lone CR or LF, nor glued to the keyword */
	EXPECT_INT(parse_str("PROXY UNKNOWN a\nb\r\n"), -1);
	EXPECT_INT(parse_str("PROXY UNKNOWN a\rb\r\n"), -1);
	EXPECT_INT(parse_str("PROXY UNKNOWNX\r\n"), -1);
}

/* The longest lines of section 2.1 are read; one byte more is not. */
static void
test_v1_longest_lines(void)
{
	const char *six =
	    "PROXY TCP6 "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	const char *unk =
	    "PROXY UNKNOWN "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	char buf[256];

	EXPECT_INT(strlen(six), 104);
	EXPECT_INT(parse_str(six), 104);
	EXPECT_INT(strlen(unk), PP_V1_MAX);
	EXPECT_INT(parse_str(unk), PP_V1_MAX);
	snprintf(buf, sizeof(buf), "PROXY UNKNOWN x%s", unk + 14);
	EXPECT_INT(strlen(buf), PP_V1_MAX + 1);
	EXPECT_INT(parse_str(buf), -1);
}

static void
test_v1_prefixes(void)
{
	/* clang-format off */
	static const char *hs[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 54321 443\r\n",
		"PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n",
		"PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 1 65535\r\n",
		"PROXY UNKNOWN\r\n",
		"PROXY UNKNOWN 1 2 3 4\r\n",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		EXPECT_INT(prefix_not_more(hs[i], strlen(hs[i])), -1);
		EXPECT_INT(parse_str(hs[i]), strlen(hs[i]));
	}
}

/* 107 bytes that are no line yet are a line too long, not "more". */
static void
test_v1_decided_at_107_bytes(void)
{
	char buf[PP_V1_MAX + 1];
	struct pp_addrs a;

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "PROXY UNKNOWN ", 14);
	EXPECT_INT(parse_exact(buf, PP_V1_MAX - 1, &a), 0);
	EXPECT_INT(parse_exact(buf, PP_V1_MAX, &a), -1);
	EXPECT_INT(parse_exact(buf, sizeof(buf), &a), -1);
	/* a CR as byte 107 would need its LF as byte 108 */
	buf[PP_V1_MAX - 1] = '\r';
	EXPECT_INT(parse_exact(buf, PP_V1_MAX, &a), -1);
}

static void
test_v1_bad_protocol(void)
{
	EXPECT_INT(parse_str("PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4\r\n"), -1);
	EXPECT_INT(parse_str("PROXY \r\n"), -1);
	EXPECT_INT(parse_str("PROXY U"), 0);
	EXPECT_INT(parse_str("PROXY X"), -1);
}

static void
test_v1_bad_address(void)
{
	EXPECT_INT(parse_str("PROXY TCP4 ::1 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 256.1.1.1 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 host 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP6 1::2::3 ::1 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), -1);
	/* refused on the first byte that cannot belong to an address */
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4x"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4.5.6.7.8.9"), -1);
	EXPECT_INT(parse_str("PROXY TCP6 2001:db8::g"), -1);
}

static void
test_v1_bad_port(void)
{
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 65536 1\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 65536\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 99999\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 -1\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 +1 1\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 http\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 1 \r\n"), -1);
	/* refused as soon as it is too big */
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 65536"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 65535"), 0);
}

static void
test_v1_port_leading_zero(void)
{
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 080 1\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 00\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 0 0\r\n"), 32);
	EXPECT_STR(sa_str(&t_a.src), "1.2.3.4 0");
}

static void
test_v1_bad_spaces(void)
{
	EXPECT_INT(parse_str("PROXY  TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4  1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1  2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY\tTCP4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str(" PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
}

static void
test_v1_missing_field(void)
{
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 \r\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n"), -1);
}

static void
test_v1_bad_line_end(void)
{
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX"), -1);
	EXPECT_INT(parse_str("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r\r\n"), -1);
	EXPECT_INT(parse_str("PROXY UNKNOWN\n"), -1);
	EXPECT_INT(parse_str("PROXY UNKNOWN\r"), 0);
	EXPECT_INT(parse_str("PROXY UNKNOWN\rX"), -1);
}

static void
test_v1_lowercase(void)
{
	EXPECT_INT(parse_str("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), -1);
	EXPECT_INT(parse_str("Proxy UNKNOWN\r\n"), -1);
	EXPECT_INT(parse_str("PROXy UNKNOWN\r\n"), -1);
	EXPECT_INT(parse_str("PROXY unknown\r\n"), -1);
}

static void
test_not_a_header(void)
{
	struct pp_addrs a;

	EXPECT_INT(parse_str("GET / HTTP/1.1\r\n"), -1);
	EXPECT_INT(parse_str("G"), -1);
	EXPECT_INT(parse_str("\x16\x03\x01"), -1);
	EXPECT_INT(parse_str("PRI * HTTP/2.0\r\n"), -1);
	EXPECT_INT(parse_str("\r\n"), 0);
	EXPECT_INT(parse_str("\r\nGET"), -1);
	EXPECT_INT(parse_exact("", 0, &a), 0);
}

/* ---- v2 ---------------------------------------------------------------- */

static void
test_v2_tcp4(void)
{
	unsigned char h[64];
	size_t n = v2(h, 0x21, 0x11, addr4, sizeof(addr4));

	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(h, n, &t_a), 28);
	EXPECT_INT(t_a.version, 2);
	EXPECT_INT(t_a.family, AF_INET);
	EXPECT_TRUE(!t_a.local);
	EXPECT_STR(sa_str(&t_a.src), "192.0.2.1 54321");
	EXPECT_STR(sa_str(&t_a.dst), "198.51.100.2 443");
}

static void
test_v2_tcp6(void)
{
	unsigned char h[64];
	size_t n = v2(h, 0x21, 0x21, addr6, sizeof(addr6));

	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(h, n, &t_a), 52);
	EXPECT_INT(t_a.family, AF_INET6);
	EXPECT_STR(sa_str(&t_a.src), "[2001:db8::1] 12345");
	EXPECT_STR(sa_str(&t_a.dst), "[2001:db8::2] 80");
}

static void
test_v2_tlvs_skipped(void)
{
	unsigned char body[128], h[160];
	size_t n;

	/* ALPN "h2", an empty NOOP, a custom one of 4 bytes */
	memcpy(body, addr6, 36);
	memcpy(body + 36, "\x01\x00\x02h2\x04\x00\x00\xe0\x00\x04wxyz", 15);
	n = v2(h, 0x21, 0x21, body, 36 + 15);
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(h, n, &t_a), 16 + 36 + 15);
	EXPECT_INT(t_a.family, AF_INET6);
	EXPECT_STR(sa_str(&t_a.src), "[2001:db8::1] 12345");
	EXPECT_INT(prefix_not_more(h, n), -1);
}

static void
test_v2_tlv_overruns(void)
{
	unsigned char body[64], h[96];
	struct pp_addrs a;
	size_t n;

	memcpy(body, addr4, 12);
	/* a value one byte longer than what is left */
	memcpy(body + 12, "\x01\x00\x03h2", 5);
	n = v2(h, 0x21, 0x11, body, 12 + 5);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	/* one or two bytes that cannot hold a TLV header */
	n = v2(h, 0x21, 0x11, body, 12 + 1);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	n = v2(h, 0x21, 0x11, body, 12 + 2);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	/* the first TLV fits, the second does not */
	memcpy(body + 12, "\x04\x00\x00\x04\x00\x01", 6);
	n = v2(h, 0x21, 0x11, body, 12 + 6);
	EXPECT_INT(parse_exact(h, n, &a), -1);
}

static void
test_v2_local(void)
{
	unsigned char h[64];
	size_t n = v2(h, 0x20, 0x00, "", 0);

	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(h, n, &t_a), 16);
	EXPECT_TRUE(t_a.local);
	EXPECT_INT(t_a.family, AF_UNSPEC);
	EXPECT_STR(sa_str(&t_a.src), "unspec");
	/* the family "is ignored", and so is what the length covers */
	n = v2(h, 0x20, 0x11, "", 0);
	EXPECT_INT(parse_exact(h, n, &t_a), 16);
	EXPECT_TRUE(t_a.local);
	n = v2(h, 0x20, 0x21, addr4, sizeof(addr4));
	EXPECT_INT(parse_exact(h, n, &t_a), 28);
	EXPECT_TRUE(t_a.local);
	EXPECT_INT(t_a.family, AF_UNSPEC);
}

/* UDP, UNIX and UNSPEC fall back to UNSPEC, as section 2.2 allows. */
static void
test_v2_other_families(void)
{
	/* clang-format off */
	static const struct {
		unsigned fam;
		size_t blen;
	} cases[] = {
		{ 0x00, 0 }, { 0x00, 216 }, { 0x12, 12 }, { 0x22, 36 },
		{ 0x31, 216 }, { 0x32, 216 }, { 0x10, 5 }, { 0x01, 7 },
	};
	/* clang-format on */
	unsigned char body[256], h[300];
	size_t i, n;

	memset(body, 'u', sizeof(body));
	memcpy(body, addr6, sizeof(addr6));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = v2(h, 0x21, cases[i].fam, body, cases[i].blen);
		memset(&t_a, 0x5a, sizeof(t_a));
		EXPECT_INT(parse_exact(h, n, &t_a), 16 + cases[i].blen);
		EXPECT_INT(t_a.family, AF_UNSPEC);
		EXPECT_TRUE(!t_a.local);
		EXPECT_STR(sa_str(&t_a.src), "unspec");
	}
}

static void
test_v2_prefixes(void)
{
	unsigned char body[64], h[96];
	size_t n;

	n = v2(h, 0x21, 0x11, addr4, sizeof(addr4));
	EXPECT_INT(prefix_not_more(h, n), -1);
	n = v2(h, 0x21, 0x21, addr6, sizeof(addr6));
	EXPECT_INT(prefix_not_more(h, n), -1);
	n = v2(h, 0x20, 0x00, "", 0);
	EXPECT_INT(prefix_not_more(h, n), -1);
	memcpy(body, addr4, 12);
	memcpy(body + 12, "\x03\x00\x04\x00\x00\x00\x00", 7);
	n = v2(h, 0x21, 0x11, body, 19);
	EXPECT_INT(prefix_not_more(h, n), -1);
}

/* The largest header there is: 65535 bytes after the fixed part. */
static void
test_v2_longest(void)
{
	size_t blen = 65535, n;
	unsigned char *body = calloc(1, blen), *h = malloc(16 + blen);
	struct pp_addrs a;

	if (body == NULL || h == NULL) {
		CU_FAIL("out of memory");
		goto out;
	}
	memcpy(body, addr4, 12);
	body[12] = 0x04; /* NOOP */
	body[13] = (unsigned char)((blen - 15) >> 8);
	body[14] = (unsigned char)(blen - 15);
	n = v2(h, 0x21, 0x11, body, blen);
	EXPECT_INT(n, PP_MAX);
	EXPECT_INT(parse_exact(h, n, &a), PP_MAX);
	EXPECT_INT(parse_exact(h, n - 1, &a), 0);
out:
	free(body);
	free(h);
}

static void
test_v2_bad_signature(void)
{
	unsigned char h[64];
	struct pp_addrs a;
	size_t n, i;

	for (i = 0; i < 12; i++) {
		n = v2(h, 0x21, 0x11, addr4, sizeof(addr4));
		h[i] ^= 0x20;
		EXPECT_INT(parse_exact(h, n, &a), -1);
		/* refused with the bad byte, not later */
		EXPECT_INT(parse_exact(h, i + 1, &a), -1);
	}
}

static void
test_v2_bad_version(void)
{
	static const unsigned vc[] = {0x11, 0x01, 0x31, 0xf1, 0x10};
	unsigned char h[64];
	struct pp_addrs a;
	size_t i, n;

	for (i = 0; i < sizeof(vc) / sizeof(vc[0]); i++) {
		n = v2(h, vc[i], 0x11, addr4, sizeof(addr4));
		EXPECT_INT(parse_exact(h, n, &a), -1);
		EXPECT_INT(parse_exact(h, 13, &a), -1);
	}
}

static void
test_v2_bad_command(void)
{
	static const unsigned vc[] = {0x22, 0x23, 0x2f};
	unsigned char h[64];
	struct pp_addrs a;
	size_t i, n;

	for (i = 0; i < sizeof(vc) / sizeof(vc[0]); i++) {
		n = v2(h, vc[i], 0x11, addr4, sizeof(addr4));
		EXPECT_INT(parse_exact(h, n, &a), -1);
		EXPECT_INT(parse_exact(h, 13, &a), -1);
	}
}

static void
test_v2_bad_family(void)
{
	static const unsigned fam[] = {0x41, 0xf1, 0x13, 0x1f, 0x03};
	unsigned char h[64];
	struct pp_addrs a;
	size_t i, n;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		n = v2(h, 0x21, fam[i], addr4, sizeof(addr4));
		EXPECT_INT(parse_exact(h, n, &a), -1);
		EXPECT_INT(parse_exact(h, 14, &a), -1);
	}
}

static void
test_v2_length_too_short(void)
{
	unsigned char body[256], h[300];
	struct pp_addrs a;
	size_t n;

	memset(body, 0, sizeof(body));
	n = v2(h, 0x21, 0x11, addr4, 11);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	/* known from the fixed part alone */
	EXPECT_INT(parse_exact(h, 16, &a), -1);
	n = v2(h, 0x21, 0x11, "", 0);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	n = v2(h, 0x21, 0x21, addr6, 35);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	n = v2(h, 0x21, 0x21, addr4, 12);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	n = v2(h, 0x21, 0x31, body, 215);
	EXPECT_INT(parse_exact(h, n, &a), -1);
	n = v2(h, 0x21, 0x12, body, 11);
	EXPECT_INT(parse_exact(h, n, &a), -1);
}

/* ---- both -------------------------------------------------------------- */

static void
test_data_after_header_is_left(void)
{
	const char *h = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n";
	unsigned char b[64];
	size_t n;

	EXPECT_INT(parse_str(h), 32);
	EXPECT_INT(parse_str("PROXY UNKNOWN\r\nPROXY UNKNOWN\r\n"), 15);
	n = v2(b, 0x21, 0x11, addr4, sizeof(addr4));
	memcpy(b + n, "\r\n\r\n\0\r\nQUIT\n", 12);
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(b, n + 12, &t_a), 28);
	EXPECT_INT(parse_exact(b, n + 1, &t_a), 28);
}

/* A refusal or a "need more" leaves *out as it was. */
static void
test_out_untouched(void)
{
	struct pp_addrs a, before;

	memset(&a, 0x5a, sizeof(a));
	before = a;
	EXPECT_INT(pp_parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2", 30, &a), 0);
	EXPECT_INT(pp_parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r", 32, &a), -1);
	EXPECT_INT(PARSE(SIG "\x21\x11\x00\x0c\xc0", &a), 0);
	EXPECT_INT(PARSE(SIG "\x21\x11\x00\x0b\xc0", &a), -1);
	EXPECT_TRUE(memcmp(&a, &before, sizeof(a)) == 0);
}

/*
 * Every byte of valid headers changed to values a parser may trip on:
 * once the bytes that decide are in (107 for v1, 16 plus the length for
 * v2) the answer is never 0, and from one prefix to the next it only goes
 * from 0 to final, staying there.
 */
static void
test_mutants_are_decided(void)
{
	/* clang-format off */
	static const char *v1s[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 54321 443\r\n",
		"PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 1 65535\r\n",
		"PROXY UNKNOWN 1 2\r\n",
	};
	/* clang-format on */
	/* clang-format off */
	static const unsigned char vals[] = {
		0x00, 0xff, ' ', '\r', '\n', '0', '9', ':', '.', 'P', 0x20,
		0x21, 0x11, 0x80,
	};
	/* clang-format on */
	unsigned char seeds[6][96], buf[512];
	size_t lens[6], s, i, v, k, need;
	struct pp_addrs a;
	int r, prev, bad = 0;

	for (s = 0; s < 3; s++) {
		lens[s] = strlen(v1s[s]);
		memcpy(seeds[s], v1s[s], lens[s]);
	}
	lens[3] = v2(seeds[3], 0x21, 0x11, addr4, sizeof(addr4));
	lens[4] = v2(seeds[4], 0x21, 0x21, addr6, sizeof(addr6));
	memcpy(buf, addr4, 12);
	memcpy(buf + 12, "\x01\x00\x02h2", 5);
	lens[5] = v2(seeds[5], 0x21, 0x11, buf, 17);

	for (s = 0; s < 6; s++)
		for (i = 0; i < lens[s]; i++)
			for (v = 0; v < sizeof(vals); v++) {
				memset(buf, 'x', sizeof(buf));
				memcpy(buf, seeds[s], lens[s]);
				buf[i] = vals[v];
				if (buf[0] == '\r' && buf[14] != 0)
					continue; /* length beyond buf */
				need = 1;
				if (buf[0] == 'P')
					need = PP_V1_MAX;
				else if (buf[0] == '\r')
					need = 16 + (size_t)buf[15];
				prev = 0;
				for (k = 0; k <= need; k++) {
					r = parse_exact(buf, k, &a);
					if ((prev != 0 && r != prev) ||
					    (k == need && r == 0) ||
					    r > (int)k) {
						bad++;
						break;
					}
					prev = r;
				}
			}
	EXPECT_INT(bad, 0);
}

/* ---- building ---------------------------------------------------------- */

static void
test_build_v1_ipv4(void)
{
	struct sockaddr_storage s = sa("192.0.2.1", 54321);
	struct sockaddr_storage d = sa("198.51.100.2", 443);
	char out[PP_BUILD_MAX + 1];
	size_t n;

	n = pp_build_v1(out, PP_BUILD_MAX, SA(s), SA(d));
	out[n] = '\0';
	EXPECT_STR(out, "PROXY TCP4 192.0.2.1 198.51.100.2 54321 443\r\n");
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(out, n, &t_a), n);
	EXPECT_INT(t_a.family, AF_INET);
	EXPECT_TRUE(memcmp(&t_a.src, &s, sizeof(s)) == 0);
	EXPECT_TRUE(memcmp(&t_a.dst, &d, sizeof(d)) == 0);
}

static void
test_build_v1_ipv6(void)
{
	struct sockaddr_storage s = sa("2001:db8::1", 0);
	struct sockaddr_storage d = sa("::ffff:198.51.100.2", 65535);
	struct sockaddr_storage l =
	    sa("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
	char out[PP_BUILD_MAX + 1];
	size_t n;

	n = pp_build_v1(out, PP_BUILD_MAX, SA(s), SA(d));
	out[n] = '\0';
	EXPECT_STR(
	    out, "PROXY TCP6 2001:db8::1 ::ffff:198.51.100.2 0 65535\r\n");
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(out, n, &t_a), n);
	EXPECT_INT(t_a.family, AF_INET6);
	EXPECT_TRUE(memcmp(&t_a.src, &s, sizeof(s)) == 0);
	EXPECT_TRUE(memcmp(&t_a.dst, &d, sizeof(d)) == 0);
	/* the longest line it can write */
	n = pp_build_v1(out, PP_BUILD_MAX, SA(l), SA(l));
	EXPECT_INT(n, 104);
	EXPECT_INT(parse_exact(out, n, &t_a), 104);
	EXPECT_TRUE(memcmp(&t_a.src, &l, sizeof(l)) == 0);
}

static void
test_build_v2_ipv4(void)
{
	struct sockaddr_storage s = sa("192.0.2.1", 54321);
	struct sockaddr_storage d = sa("198.51.100.2", 443);
	unsigned char want[28];
	char out[PP_BUILD_MAX];
	size_t n;

	n = pp_build_v2(out, sizeof(out), SA(s), SA(d));
	EXPECT_INT(n, 28);
	v2(want, 0x21, 0x11, addr4, sizeof(addr4));
	EXPECT_TRUE(memcmp(out, want, sizeof(want)) == 0);
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(out, n, &t_a), 28);
	EXPECT_TRUE(memcmp(&t_a.src, &s, sizeof(s)) == 0);
	EXPECT_TRUE(memcmp(&t_a.dst, &d, sizeof(d)) == 0);
}

static void
test_build_v2_ipv6(void)
{
	struct sockaddr_storage s = sa("2001:db8::1", 12345);
	struct sockaddr_storage d = sa("2001:db8::2", 80);
	unsigned char want[52];
	char out[PP_BUILD_MAX];
	size_t n;

	n = pp_build_v2(out, sizeof(out), SA(s), SA(d));
	EXPECT_INT(n, 52);
	v2(want, 0x21, 0x21, addr6, sizeof(addr6));
	EXPECT_TRUE(memcmp(out, want, sizeof(want)) == 0);
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(out, n, &t_a), 52);
	EXPECT_INT(t_a.family, AF_INET6);
	EXPECT_TRUE(memcmp(&t_a.src, &s, sizeof(s)) == 0);
	EXPECT_TRUE(memcmp(&t_a.dst, &d, sizeof(d)) == 0);
}

/* Missing, mixed or non-IP addresses are announced as unknown. */
static void
test_build_unknown(void)
{
	struct sockaddr_storage s4 = sa("192.0.2.1", 1), s6 = sa("::1", 2);
	struct sockaddr_storage un;
	/* clang-format off */
	const struct sockaddr *pairs[][2] = {
		{ NULL, NULL },
		{ SA(s4), NULL },
		{ NULL, SA(s6) },
		{ SA(s4), SA(s6) },
		{ SA(un), SA(un) },
	};
	/* clang-format on */
	char out[PP_BUILD_MAX + 1];
	size_t i, n;

	memset(&un, 0, sizeof(un));
	un.ss_family = AF_UNIX;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		n = pp_build_v1(out, sizeof(out), pairs[i][0], pairs[i][1]);
		out[n] = '\0';
		EXPECT_STR(out, "PROXY UNKNOWN\r\n");
		n = pp_build_v2(out, sizeof(out), pairs[i][0], pairs[i][1]);
		EXPECT_INT(n, 16);
		EXPECT_TRUE(memcmp(out, SIG "\x21\x00\x00\x00", 16) == 0);
		memset(&t_a, 0x5a, sizeof(t_a));
		EXPECT_INT(parse_exact(out, n, &t_a), 16);
		EXPECT_INT(t_a.family, AF_UNSPEC);
		EXPECT_TRUE(!t_a.local);
	}
}

static void
test_build_v2_local(void)
{
	char out[PP_V2_HDR];
	size_t n;

	n = pp_build_v2_local(out, sizeof(out));
	EXPECT_INT(n, 16);
	EXPECT_TRUE(memcmp(out, SIG "\x20\x00\x00\x00", 16) == 0);
	memset(&t_a, 0, sizeof(t_a));
	EXPECT_INT(parse_exact(out, n, &t_a), 16);
	EXPECT_TRUE(t_a.local);
	EXPECT_INT(t_a.family, AF_UNSPEC);
	EXPECT_INT(pp_build_v2_local(out, sizeof(out) - 1), 0);
}

/* Too small a buffer gets 0 and no byte; one exactly big enough, all. */
static void
test_build_too_small(void)
{
	struct sockaddr_storage s = sa("192.0.2.1", 54321);
	struct sockaddr_storage d = sa("198.51.100.2", 443);
	const struct sockaddr *sp = SA(s), *dp = SA(d);
	char out[PP_BUILD_MAX], untouched[PP_BUILD_MAX];

	memset(out, '#', sizeof(out));
	memset(untouched, '#', sizeof(untouched));
	EXPECT_INT(pp_build_v1(out, 44, sp, dp), 0);
	EXPECT_INT(pp_build_v2(out, 27, sp, dp), 0);
	EXPECT_INT(pp_build_v1(out, 14, NULL, NULL), 0);
	EXPECT_INT(pp_build_v2(out, 15, NULL, NULL), 0);
	EXPECT_TRUE(memcmp(out, untouched, sizeof(out)) == 0);
	EXPECT_INT(pp_build_v1(out, 45, sp, dp), 45);
	EXPECT_INT(pp_build_v2(out, 28, sp, dp), 28);
}

/* clang-format off */
CU_TestInfo pp_tests[] = {
	{ "v1 TCP4 is read with its addresses and ports", test_v1_tcp4 },
	{ "v1 TCP6 is read with its addresses and ports", test_v1_tcp6 },
	{ "v1 UNKNOWN leaves the connection's addresses", test_v1_unknown },
	{ "v1 UNKNOWN ignores the rest of its line but a lone CR or LF",
	    test_v1_unknown_ignores_the_rest },
	{ "the longest v1 lines are read, one byte more is refused",
	    test_v1_longest_lines },
	{ "every prefix of a valid v1 line needs more bytes",
	    test_v1_prefixes },
	{ "107 bytes without a line end are refused, not waited on",
	    test_v1_decided_at_107_bytes },
	{ "v1 with a protocol other than TCP4, TCP6 or UNKNOWN is refused",
	    test_v1_bad_protocol },
	{ "v1 with an address not of its family is refused",
	    test_v1_bad_address },
	{ "v1 ports above 65535 or not decimal are refused",
	    test_v1_bad_port },
	{ "v1 ports with a leading zero are refused, 0 is read",
	    test_v1_port_leading_zero },
	{ "v1 with a double space or another blank is refused",
	    test_v1_bad_spaces },
	{ "v1 with a field missing or extra is refused",
	    test_v1_missing_field },
	{ "v1 ending in a bare CR or LF is refused", test_v1_bad_line_end },
	{ "lowercase proxy is refused", test_v1_lowercase },
	{ "bytes that are no PROXY header are refused at once",
	    test_not_a_header },
	{ "v2 PROXY TCP4 is read with its addresses and ports",
	    test_v2_tcp4 },
	{ "v2 PROXY TCP6 is read with its addresses and ports",
	    test_v2_tcp6 },
	{ "v2 TLVs after the addresses are skipped", test_v2_tlvs_skipped },
	{ "v2 TLVs that overrun the header are refused",
	    test_v2_tlv_overruns },
	{ "v2 LOCAL asks for the connection's own addresses",
	    test_v2_local },
	{ "v2 UDP, UNIX and UNSPEC leave the connection's addresses",
	    test_v2_other_families },
	{ "every prefix of a valid v2 header needs more bytes",
	    test_v2_prefixes },
	{ "the longest v2 header is read", test_v2_longest },
	{ "v2 with a bad signature byte is refused at that byte",
	    test_v2_bad_signature },
	{ "v2 with a version other than 2 is refused",
	    test_v2_bad_version },
	{ "v2 with a command other than LOCAL or PROXY is refused",
	    test_v2_bad_command },
	{ "v2 with an undefined family or transport is refused",
	    test_v2_bad_family },
	{ "v2 with a length too short for its family is refused",
	    test_v2_length_too_short },
	{ "bytes after the header are not consumed",
	    test_data_after_header_is_left },
	{ "a refused or unfinished header leaves the output alone",
	    test_out_untouched },
	{ "changed bytes are decided once the deciding bytes are in",
	    test_mutants_are_decided },
	{ "a v1 line built for IPv4 reads back the same", test_build_v1_ipv4 },
	{ "a v1 line built for IPv6 reads back the same", test_build_v1_ipv6 },
	{ "a v2 header built for IPv4 reads back the same",
	    test_build_v2_ipv4 },
	{ "a v2 header built for IPv6 reads back the same",
	    test_build_v2_ipv6 },
	{ "missing, mixed or non-IP addresses are built as unknown",
	    test_build_unknown },
	{ "a v2 LOCAL header reads back as local", test_build_v2_local },
	{ "a buffer too small gets nothing, an exact one gets all",
	    test_build_too_small },
	CU_TEST_INFO_NULL,
};
/* clang-format on */
