#include "config.h"

#include "val.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digits then a suffix; the suffix is returned in *rest. */
static int
val_digits(const char *s, uint64_t *v, const char **rest)
{
	uint64_t n = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = n;
	*rest = p;
	return 0;
}

int
val_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t mul;	/* in microseconds */
	} units[] = {
		{ "", 1000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
		{ "m", 60000000 }, { "h", 3600000000ULL },
		{ "d", 86400000000ULL },
	};
	uint64_t n;
	const char *rest;
	size_t i;

	if (val_digits(s, &n, &rest) < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(rest, units[i].unit) != 0)
			continue;
		if (n > UINT64_MAX / units[i].mul)
			return -1;
		n *= units[i].mul;
		*ms = n / 1000 + (n % 1000 != 0);
		return 0;
	}
	return -1;
}

int
val_size(const char *s, uint64_t *bytes)
{
	uint64_t n, mul = 1;
	const char *rest;

	if (val_digits(s, &n, &rest) < 0)
		return -1;
	switch (tolower((unsigned char)rest[0])) {
	case '\0':
		break;
	case 'k':
		mul = 1ULL << 10;
		break;
	case 'm':
		mul = 1ULL << 20;
		break;
	case 'g':
		mul = 1ULL << 30;
		break;
	default:
		return -1;
	}
	if (rest[0] != '\0' && rest[1] != '\0')
		return -1;
	if (n > UINT64_MAX / mul)
		return -1;
	*bytes = n * mul;
	return 0;
}

int
val_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s[0] == '\0' || s[0] == '+' || isspace((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	if (errno == ERANGE || v < min || v > max)
		return -2;
	return 0;
}

static int
val_port(const char *s, in_port_t *port)
{
	long long v;

	if (s[0] == '\0' || s[0] == '+' || s[0] == '-' ||
	    val_int(s, 1, 65535, &v) != 0)
		return -1;
	*port = htons((in_port_t)v);
	return 0;
}

int
val_addr(const char *s, unsigned flags, struct conf_addr *out,
    const char **err)
{
	char host[256];
	const char *colon, *pstr = NULL;
	size_t hl;
	in_port_t port = 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL) {
			*err = "missing ']'";
			return -1;
		}
		hl = (size_t)(rb - s - 1);
		if (hl >= sizeof(host)) {
			*err = "address too long";
			return -1;
		}
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (rb[1] == ':')
			pstr = rb + 2;
		else if (rb[1] != '\0') {
			*err = "unexpected text after ']'";
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (hl >= sizeof(host)) {
			*err = "address too long";
			return -1;
		}
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon != NULL)
			pstr = colon + 1;
	}
	if (pstr != NULL) {
		if (val_port(pstr, &port) < 0) {
			*err = "port must be 1..65535";
			return -1;
		}
	} else if (flags & VAL_ADDR_NEED_PORT) {
		*err = "a port is needed";
		return -1;
	}

	if (host[0] == '\0' || strcmp(host, "*") == 0) {
		if (!(flags & VAL_ADDR_WILDCARD)) {
			*err = "an address is needed";
			return -1;
		}
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		sin->sin_port = port;
		out->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		out->len = sizeof(*sin);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		out->len = sizeof(*sin6);
		return 0;
	}
	if (flags & VAL_ADDR_RESOLVE) {
		struct addrinfo hints, *res = NULL;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL) {
			memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
			out->len = res->ai_addrlen;
			if (res->ai_family == AF_INET)
				sin->sin_port = port;
			else
				sin6->sin6_port = port;
			freeaddrinfo(res);
			return 0;
		}
		if (res != NULL)
			freeaddrinfo(res);
		*err = "cannot resolve the host name";
		return -1;
	}
	*err = "not an IPv4 or IPv6 address";
	return -1;
}

int
val_net(const char *s, struct conf_addr *out, unsigned *bits)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	unsigned max;
	long long v;

	memset(out, 0, sizeof(*out));
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		out->len = sizeof(*sin);
		max = 32;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		out->len = sizeof(*sin6);
		max = 128;
	} else {
		return -1;
	}
	*bits = max;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[1]) ||
		    val_int(slash + 1, 0, max, &v) != 0)
			return -1;
		*bits = (unsigned)v;
	}
	return 0;
}

const char *
val_addr_str(const struct conf_addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, size, "(none)");
	}
	return buf;
}

unsigned
val_addr_port(const struct conf_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void
val_addr_set_port(struct conf_addr *a, unsigned port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port =
		    htons((uint16_t)port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
}

bool
val_addr_eq(const struct conf_addr *a, const struct conf_addr *b)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)&b->ss;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)&b->ss;

	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss.ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return false;
}

bool
val_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("!#$%&'*+-.^_`|~", *s) == NULL)
			return false;
	return true;
}
