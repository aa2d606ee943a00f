/*
 * The PROXY protocol, versions 1 and 2 (HAProxy's proxy-protocol.txt): a
 * header that a load balancer in front of weir puts before the client's
 * bytes to say who the client was, and that weir puts before its own bytes
 * to tell a backend the same. A pure module: it never sees a socket, never
 * allocates and keeps no state between calls, so any thread may call it.
 *
 * pp_parse() is resumable the way h1_parse() is: call it again on the same
 * buffer once more bytes have arrived. A header is read strictly: anything
 * the specification does not allow is -1, never a guess, and a prefix that
 * can no longer become a valid header is -1 as soon as it is seen, so a
 * client that speaks HTTP to a PROXY listener is refused on its first byte.
 */
#ifndef WEIR_PP_H
#define WEIR_PP_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/* clang-format off */
#define PP_V1_MAX	107	/* bytes of a v1 line, CRLF included */
#define PP_V2_HDR	16	/* fixed part of a v2 header */
#define PP_V2_MAX	(PP_V2_HDR + 65535)	/* 16-bit length field */
/* The most bytes pp_parse() may need before it decides. */
#define PP_MAX		PP_V2_MAX
/* Room enough for any header pp_build_v1() or pp_build_v2() writes. */
#define PP_BUILD_MAX	PP_V1_MAX
/* clang-format on */

/*
 * What a PROXY header said. A zeroed struct is "nothing said". family is
 * AF_INET or AF_INET6 when the header carries TCP addresses, which are
 * then in src (the client) and dst (the address it connected to), port
 * included, everything else zero. It is AF_UNSPEC when the connection's
 * own addresses stand: v1 UNKNOWN, and v2 with family UNSPEC, UDP or UNIX
 * (the specification lets a receiver treat families it does not implement
 * as UNSPEC; weir relays TCP only). local is set for the v2 LOCAL command:
 * the peer opened the connection itself, a health check for instance,
 * rather than relaying a client's.
 */
struct pp_addrs {
	int family; /* AF_INET, AF_INET6 or AF_UNSPEC */
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	bool local;  /* v2 LOCAL command */
	int version; /* 1 or 2: which header was read, for logs */
};

/*
 * Read a PROXY header, v1 or v2, at the start of buf[0..len); bytes past
 * len are never read. Returns the header's length (> 0) when it is whole
 * and valid: the caller drops that many bytes and what follows is the
 * client's. Returns 0 when buf holds a proper prefix of a valid header:
 * call again with more bytes. Returns -1 when it is not a valid header:
 * the caller closes the connection. Never returns 0 once len reaches
 * PP_V1_MAX for a v1 header, or PP_V2_HDR plus the length field for a v2
 * one (so never once len reaches PP_MAX). *out is written only when the
 * return is > 0.
 *
 * v1 follows section 2.1 to the letter: "PROXY", single spaces, TCP4 or
 * TCP6 with addresses of that family (dotted quads without leading zeros,
 * IPv6 as inet_pton(3) reads it) and decimal ports 0..65535 without
 * leading zeros, or UNKNOWN followed by CRLF or by a space and anything
 * but CR or LF; then CRLF, within 107 bytes. v2 follows section 2.2:
 * the 12-byte signature, version 2, command LOCAL or PROXY, a defined
 * family and transport, and a length at least the size of the address
 * block. TLVs after the addresses are not interpreted, but each must fit
 * inside the length; a CRC32C TLV is not verified. For LOCAL, and for
 * the UNSPEC family or transport, the whole block is skipped unread, as
 * the specification says.
 */
int pp_parse(const char *buf, size_t len, struct pp_addrs *out);

/*
 * Write the v1 line announcing a TCP connection from src to dst into
 * out[0..cap), without a terminating NUL. src and dst are AF_INET or
 * AF_INET6 of the same family; when either is NULL, or of another family,
 * or they differ, the line is "PROXY UNKNOWN\r\n". Returns its length, or
 * 0 (and writes nothing) when cap is too small; PP_BUILD_MAX is always
 * enough.
 */
size_t pp_build_v1(char *out, size_t cap, const struct sockaddr *src,
    const struct sockaddr *dst);

/*
 * The same as a v2 header: command PROXY, TCP over IPv4 or IPv6, no TLVs;
 * for addresses it cannot describe, command PROXY with family UNSPEC and
 * no address block (the v2 form of UNKNOWN: a relayed connection, from
 * somewhere unknown).
 */
size_t pp_build_v2(char *out, size_t cap, const struct sockaddr *src,
    const struct sockaddr *dst);

/*
 * Write a v2 LOCAL header: the connection is weir's own (a health check),
 * not a client's, and the receiver is to use its real endpoints. Returns
 * its length, PP_V2_HDR, or 0 when cap is too small.
 */
size_t pp_build_v2_local(char *out, size_t cap);

#endif
