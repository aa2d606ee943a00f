/*
 * Typed values of lb.conf: durations, sizes, integers, addresses and
 * networks. Pure functions of their text; no diagnostics, no allocation.
 */
#ifndef WEIR_VAL_H
#define WEIR_VAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"

/*
 * A duration: digits and an optional unit us, ms, s, m, h or d; no unit
 * means milliseconds, as in HAProxy. Microseconds round up to a whole
 * millisecond. Returns 0, or -1 when s is not a duration.
 */
int val_duration(const char *s, uint64_t *ms);
/* A size in bytes: digits and an optional k, m or g (powers of 1024). */
int val_size(const char *s, uint64_t *bytes);
/*
 * A decimal integer, optionally signed. Returns 0; -1 when s is not an
 * integer; -2 when it is one but outside min..max (*out holds it, clamped
 * to the long long range).
 */
int val_int(const char *s, long long min, long long max, long long *out);

#define VAL_ADDR_NEED_PORT	0x1	/* "host" alone is an error */
#define VAL_ADDR_WILDCARD	0x2	/* ":80" and "*:80" mean any address */
#define VAL_ADDR_RESOLVE	0x4	/* names go through getaddrinfo(3) */

/*
 * An address and port: "1.2.3.4:80", "[::1]:80", "::1:80" (the last colon
 * separates the port), ":80", "*:80", "host:80". Returns 0, or -1 with
 * *err saying why (a static string).
 */
int val_addr(const char *s, unsigned flags, struct conf_addr *out,
    const char **err);
/* A network "1.2.3.0/24", "::1/128" or a single address. 0 or -1. */
int val_net(const char *s, struct conf_addr *out, unsigned *bits);
/* "1.2.3.4:80" or "[::1]:80" into buf; returns buf. */
const char *val_addr_str(const struct conf_addr *a, char *buf, size_t size);
/* The port of a, host order. */
unsigned val_addr_port(const struct conf_addr *a);
/* Set the port of a. */
void val_addr_set_port(struct conf_addr *a, unsigned port);
/* Whether the two addresses are equal, port included. */
bool val_addr_eq(const struct conf_addr *a, const struct conf_addr *b);

/* An RFC 9110 token (5.6.2), as methods and header names are. */
bool val_is_token(const char *s);

#endif
