/*
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2).
 * Section numbers below are that document's. Each v1 field is checked as
 * its bytes arrive, so a bad prefix is refused at once (section 2.1: "abort
 * the connection as soon as possible"), but addresses are decoded only
 * once they are whole.
 */
#include "config.h"

#include "pp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* clang-format off */
/* Results of the v1 field readers, as pp_parse() returns them. */
#define PP_BAD	(-1)	/* cannot become a valid header */
#define PP_MORE	0	/* a valid prefix: bytes are missing */
#define PP_OK	1	/* the field is whole and valid */

#define PP_V2_CMD_LOCAL	0x0
#define PP_V2_CMD_PROXY	0x1

/* "\r\n\r\n\0\r\nQUIT\n" (2.2) */
static const unsigned char pp_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};
/* clang-format on */

static int pp_lit(const char *, size_t, size_t *, const char *);
static int pp_v1_addr(const char *, size_t, size_t *, int, void *);
static int pp_v1_port(const char *, size_t, size_t *, char, in_port_t *);
static int pp_v1_unknown(const char *, size_t, size_t *);
static int pp_v1_tcp(const char *, size_t, size_t *, int, struct pp_addrs *);
static int pp_v1(const char *, size_t, struct pp_addrs *);
static size_t pp_v2_block(unsigned, unsigned);
static int pp_v2_tlvs(const unsigned char *, size_t);
static int pp_v2(const unsigned char *, size_t, struct pp_addrs *);
static int pp_family(const struct sockaddr *, const struct sockaddr *);
static size_t pp_put(char *, size_t, const void *, size_t);

/* The literal s at buf[*pos]: PP_OK past it, PP_MORE or PP_BAD. */
static int
pp_lit(const char *buf, size_t len, size_t *pos, const char *s)
{
	size_t i = *pos;

	for (; *s != '\0'; s++, i++) {
		if (i == len)
			return PP_MORE;
		if (buf[i] != *s)
			return PP_BAD;
	}
	*pos = i;
	return PP_OK;
}

/*
 * An address of family af up to the next space, decoded into addr. Until
 * the space arrives, only its characters and length are checked.
 */
static int
pp_v1_addr(const char *buf, size_t len, size_t *pos, int af, void *addr)
{
	const char *ok =
	    af == AF_INET ? "0123456789." : "0123456789abcdefABCDEF:.";
	/* "255.255.255.255"; "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" */
	size_t max = af == AF_INET ? 15 : 45;
	char tmp[46];
	size_t i, n;

	for (i = *pos; i < len && buf[i] != ' '; i++)
		if (i - *pos == max || buf[i] == '\0' ||
		    strchr(ok, buf[i]) == NULL)
			return PP_BAD;
	if (i == len)
		return PP_MORE;
	n = i - *pos;
	if (n == 0)
		return PP_BAD;
	memcpy(tmp, buf + *pos, n);
	tmp[n] = '\0';
	if (inet_pton(af, tmp, addr) != 1)
		return PP_BAD;
	*pos = i;
	return PP_OK;
}

/* A decimal port 0..65535 without leading zeros, ended by term. */
static int
pp_v1_port(const char *buf, size_t len, size_t *pos, char term, in_port_t *port)
{
	uint32_t v = 0;
	size_t i;

	for (i = *pos; i < len && buf[i] != term; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return PP_BAD;
		if (i > *pos && buf[*pos] == '0')
			return PP_BAD;
		v = v * 10 + (uint32_t)(buf[i] - '0');
		if (v > 65535)
			return PP_BAD;
	}
	if (i == len)
		return PP_MORE;
	if (i == *pos)
		return PP_BAD;
	*port = htons((uint16_t)v);
	*pos = i;
	return PP_OK;
}

/*
 * What follows "UNKNOWN": CRLF, or a space and anything the receiver
 * "must ignore" (2.1) but a lone CR or LF, then CRLF.
 */
static int
pp_v1_unknown(const char *buf, size_t len, size_t *pos)
{
	size_t i = *pos;

	if (i == len)
		return PP_MORE;
	if (buf[i] == ' ') {
		for (i++; i < len && buf[i] != '\r'; i++)
			if (buf[i] == '\n')
				return PP_BAD;
	} else if (buf[i] != '\r')
		return PP_BAD;
	*pos = i;
	return pp_lit(buf, len, pos, "\r\n");
}

/*
 * What follows "TCP4 " or "TCP6 ": "src dst sport dport\r\n", into *a
 * (zeroed by the caller) as addresses of family af.
 */
static int
pp_v1_tcp(const char *buf, size_t len, size_t *pos, int af, struct pp_addrs *a)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->src;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&a->dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->src;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&a->dst;
	void *saddr, *daddr;
	in_port_t *sport, *dport;
	int r;

	if (af == AF_INET) {
		s4->sin_family = d4->sin_family = AF_INET;
		saddr = &s4->sin_addr;
		daddr = &d4->sin_addr;
		sport = &s4->sin_port;
		dport = &d4->sin_port;
	} else {
		s6->sin6_family = d6->sin6_family = AF_INET6;
		saddr = &s6->sin6_addr;
		daddr = &d6->sin6_addr;
		sport = &s6->sin6_port;
		dport = &d6->sin6_port;
	}
	if ((r = pp_v1_addr(buf, len, pos, af, saddr)) != PP_OK ||
	    (r = pp_lit(buf, len, pos, " ")) != PP_OK ||
	    (r = pp_v1_addr(buf, len, pos, af, daddr)) != PP_OK ||
	    (r = pp_lit(buf, len, pos, " ")) != PP_OK ||
	    (r = pp_v1_port(buf, len, pos, ' ', sport)) != PP_OK ||
	    (r = pp_lit(buf, len, pos, " ")) != PP_OK ||
	    (r = pp_v1_port(buf, len, pos, '\r', dport)) != PP_OK)
		return r;
	return pp_lit(buf, len, pos, "\r\n");
}

/*
 * Section 2.1. len is at most PP_V1_MAX here: a field that runs out of
 * bytes there makes the line too long.
 */
static int
pp_v1(const char *buf, size_t len, struct pp_addrs *out)
{
	/* clang-format off */
	static const struct {
		const char *name;
		int af;
	} protos[] = {
		{ "TCP4 ", AF_INET },
		{ "TCP6 ", AF_INET6 },
		{ "UNKNOWN", AF_UNSPEC },
	};
	/* clang-format on */
	const size_t nprotos = sizeof(protos) / sizeof(protos[0]);
	struct pp_addrs a;
	size_t pos = 0, i;
	int r;

	if ((r = pp_lit(buf, len, &pos, "PROXY ")) != PP_OK)
		return r;
	/* Another name is PP_BAD; a prefix of one is PP_MORE. */
	r = PP_BAD;
	for (i = 0; i < nprotos; i++) {
		size_t p = pos;
		int ri = pp_lit(buf, len, &p, protos[i].name);

		if (ri == PP_OK) {
			pos = p;
			break;
		}
		if (ri == PP_MORE)
			r = PP_MORE;
	}
	if (i == nprotos)
		return r;

	memset(&a, 0, sizeof(a));
	a.version = 1;
	a.family = protos[i].af;
	if (a.family == AF_UNSPEC)
		r = pp_v1_unknown(buf, len, &pos);
	else
		r = pp_v1_tcp(buf, len, &pos, a.family, &a);
	if (r != PP_OK)
		return r;
	*out = a;
	return (int)pos;
}

/*
 * Bytes of the address block that fam announces for the command cmd, or 0
 * when the block is to be skipped unread: LOCAL ignores the family, and
 * with UNSPEC "the receiver should ignore address information" (2.2).
 */
static size_t
pp_v2_block(unsigned cmd, unsigned fam)
{
	if (cmd == PP_V2_CMD_LOCAL || (fam & 0x0f) == 0)
		return 0;
	switch (fam >> 4) {
	case 0x1:
		return 2 * 4 + 2 * 2;
	case 0x2:
		return 2 * 16 + 2 * 2;
	case 0x3:
		return 2 * 108;
	default:
		return 0;
	}
}

/* TLVs (2.2): each a type, a 16-bit length and that many bytes. */
static int
pp_v2_tlvs(const unsigned char *p, size_t len)
{
	size_t pos = 0, vlen;

	while (pos < len) {
		if (len - pos < 3)
			return PP_BAD;
		vlen = (size_t)p[pos + 1] << 8 | p[pos + 2];
		if (len - pos - 3 < vlen)
			return PP_BAD;
		pos += 3 + vlen;
	}
	return PP_OK;
}

/* Section 2.2. */
static int
pp_v2(const unsigned char *b, size_t len, struct pp_addrs *out)
{
	struct pp_addrs a;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.src;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&a.dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.src;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&a.dst;
	const unsigned char *ab = b + PP_V2_HDR;
	unsigned cmd, fam;
	size_t plen, block;

	if (memcmp(b, pp_v2_sig, len < 12 ? len : 12) != 0)
		return PP_BAD;
	if (len < 13)
		return PP_MORE;
	/* "the receiver must only accept" version 2, LOCAL or PROXY */
	cmd = b[12] & 0x0f;
	if (b[12] >> 4 != 2 ||
	    (cmd != PP_V2_CMD_LOCAL && cmd != PP_V2_CMD_PROXY))
		return PP_BAD;
	if (len < 14)
		return PP_MORE;
	/* Other families and transports "must be rejected". */
	fam = b[13];
	if (fam >> 4 > 0x3 || (fam & 0x0f) > 0x2)
		return PP_BAD;
	if (len < PP_V2_HDR)
		return PP_MORE;
	plen = (size_t)b[14] << 8 | b[15];
	block = pp_v2_block(cmd, fam);
	if (plen < block)
		return PP_BAD;
	if (len < PP_V2_HDR + plen)
		return PP_MORE;
	if (block > 0 && pp_v2_tlvs(ab + block, plen - block) != PP_OK)
		return PP_BAD;

	memset(&a, 0, sizeof(a));
	a.version = 2;
	a.family = AF_UNSPEC;
	a.local = cmd == PP_V2_CMD_LOCAL;
	if (!a.local && fam == 0x11) {
		a.family = s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ab, 4);
		memcpy(&d4->sin_addr, ab + 4, 4);
		memcpy(&s4->sin_port, ab + 8, 2);
		memcpy(&d4->sin_port, ab + 10, 2);
	} else if (!a.local && fam == 0x21) {
		a.family = s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ab, 16);
		memcpy(&d6->sin6_addr, ab + 16, 16);
		memcpy(&s6->sin6_port, ab + 32, 2);
		memcpy(&d6->sin6_port, ab + 34, 2);
	}
	*out = a;
	return (int)(PP_V2_HDR + plen);
}

int
pp_parse(const char *buf, size_t len, struct pp_addrs *out)
{
	if (len == 0)
		return PP_MORE;
	if (buf[0] == 'P') {
		int r = pp_v1(buf, len < PP_V1_MAX ? len : PP_V1_MAX, out);

		return r == PP_MORE && len >= PP_V1_MAX ? PP_BAD : r;
	}
	if (buf[0] == '\r')
		return pp_v2((const unsigned char *)buf, len, out);
	return PP_BAD;
}

/* The family both src and dst have, AF_INET or AF_INET6, or AF_UNSPEC. */
static int
pp_family(const struct sockaddr *src, const struct sockaddr *dst)
{
	if (src == NULL || dst == NULL || src->sa_family != dst->sa_family)
		return AF_UNSPEC;
	if (src->sa_family != AF_INET && src->sa_family != AF_INET6)
		return AF_UNSPEC;
	return src->sa_family;
}

/* Copy the n bytes of hdr to out if they fit in cap: n, else 0. */
static size_t
pp_put(char *out, size_t cap, const void *hdr, size_t n)
{
	if (n > cap)
		return 0;
	memcpy(out, hdr, n);
	return n;
}

size_t
pp_build_v1(char *out, size_t cap, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d4 = (const struct sockaddr_in *)dst;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
	const struct sockaddr_in6 *d6 = (const struct sockaddr_in6 *)dst;
	char line[PP_V1_MAX + 1], sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	int af = pp_family(src, dst), n;

	if (af == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, sa, sizeof(sa));
		inet_ntop(AF_INET, &d4->sin_addr, da, sizeof(da));
		n = snprintf(line, sizeof(line), "PROXY TCP4 %s %s %u %u\r\n",
		    sa, da, ntohs(s4->sin_port), ntohs(d4->sin_port));
	} else if (af == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, sa, sizeof(sa));
		inet_ntop(AF_INET6, &d6->sin6_addr, da, sizeof(da));
		n = snprintf(line, sizeof(line), "PROXY TCP6 %s %s %u %u\r\n",
		    sa, da, ntohs(s6->sin6_port), ntohs(d6->sin6_port));
	} else
		n = snprintf(line, sizeof(line), "PROXY UNKNOWN\r\n");
	/* inet_ntop() writes at most 39 bytes here: the line fits. */
	if (n < 0 || (size_t)n >= sizeof(line))
		return 0;
	return pp_put(out, cap, line, (size_t)n);
}

size_t
pp_build_v2(char *out, size_t cap, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d4 = (const struct sockaddr_in *)dst;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
	const struct sockaddr_in6 *d6 = (const struct sockaddr_in6 *)dst;
	unsigned char h[PP_V2_HDR + 36], *ab = h + PP_V2_HDR;
	size_t plen = 0;
	int af = pp_family(src, dst);

	memcpy(h, pp_v2_sig, sizeof(pp_v2_sig));
	h[12] = 0x20 | PP_V2_CMD_PROXY;
	h[13] = 0x00;
	if (af == AF_INET) {
		h[13] = 0x11;
		memcpy(ab, &s4->sin_addr, 4);
		memcpy(ab + 4, &d4->sin_addr, 4);
		memcpy(ab + 8, &s4->sin_port, 2);
		memcpy(ab + 10, &d4->sin_port, 2);
		plen = 12;
	} else if (af == AF_INET6) {
		h[13] = 0x21;
		memcpy(ab, &s6->sin6_addr, 16);
		memcpy(ab + 16, &d6->sin6_addr, 16);
		memcpy(ab + 32, &s6->sin6_port, 2);
		memcpy(ab + 34, &d6->sin6_port, 2);
		plen = 36;
	}
	h[14] = 0;
	h[15] = (unsigned char)plen;
	return pp_put(out, cap, h, PP_V2_HDR + plen);
}

size_t
pp_build_v2_local(char *out, size_t cap)
{
	unsigned char h[PP_V2_HDR];

	memcpy(h, pp_v2_sig, sizeof(pp_v2_sig));
	h[12] = 0x20 | PP_V2_CMD_LOCAL;
	h[13] = 0x00;
	h[14] = 0;
	h[15] = 0;
	return pp_put(out, cap, h, sizeof(h));
}
