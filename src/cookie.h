/*
 * Sticky sessions by cookie (HAProxy's "cookie" keyword): reading the
 * server's mark in a request's Cookie fields, and writing it in a
 * response's Set-Cookie. Pure functions over strings.
 */
#ifndef WEIR_COOKIE_H
#define WEIR_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Find the cookie name[0..nlen) in the Cookie field value v[0..len):
 * its value's offset and length. false when absent.
 */
bool cookie_find(const char *v, size_t len, const char *name, size_t nlen,
    size_t *voff, size_t *vlen);

/*
 * Append to out[*off..cap) the cookies of v[0..len) in "a=b; c=d" form:
 * without name when drop, else with the prefix "SRV~" of name's value
 * taken off. Returns false when out is too small.
 */
bool cookie_strip(char *out, size_t cap, size_t *off, const char *v,
    size_t len, const char *name, size_t nlen, bool drop);

/*
 * Split an inserted value "SRV" or "SRV|last|first" (times in seconds,
 * base 36): the server part's length, and the times (0 when absent).
 */
size_t cookie_parse(const char *v, size_t len, uint64_t *last,
    uint64_t *first);

/*
 * The value weir inserts: "SRV", or "SRV|now|first" when dated. Returns
 * its length, 0 when it does not fit.
 */
size_t cookie_value(char *out, size_t cap, const char *srv, bool dated,
    uint64_t now, uint64_t first);

#endif
