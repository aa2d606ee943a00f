#include "config.h"

#include "cookie.h"

#include <string.h>

/*
 * The next cookie of v[*i..len): name and value bounds; false at the end.
 * Cookies are separated by ';' (and ',' from old clients), with spaces.
 */
static bool
cookie_next(const char *v, size_t len, size_t *i, size_t *no, size_t *nl,
    size_t *vo, size_t *vl)
{
	size_t p = *i, e, eq;

	while (p < len && (v[p] == ' ' || v[p] == '\t' || v[p] == ';' ||
	    v[p] == ','))
		p++;
	if (p >= len)
		return false;
	for (e = p; e < len && v[e] != ';' && v[e] != ','; e++)
		;
	*i = e;
	for (eq = p; eq < e && v[eq] != '='; eq++)
		;
	*no = p;
	*nl = eq - p;
	while (*nl > 0 && (v[p + *nl - 1] == ' ' || v[p + *nl - 1] == '\t'))
		(*nl)--;
	if (eq == e) {
		*vo = e;
		*vl = 0;
		return true;
	}
	*vo = eq + 1;
	while (*vo < e && (v[*vo] == ' ' || v[*vo] == '\t'))
		(*vo)++;
	*vl = e - *vo;
	while (*vl > 0 && (v[*vo + *vl - 1] == ' ' ||
	    v[*vo + *vl - 1] == '\t'))
		(*vl)--;
	return true;
}

bool
cookie_find(const char *v, size_t len, const char *name, size_t nlen,
    size_t *voff, size_t *vlen)
{
	size_t i = 0, no, nl, vo, vl;

	while (cookie_next(v, len, &i, &no, &nl, &vo, &vl)) {
		if (nl == nlen && memcmp(v + no, name, nlen) == 0) {
			*voff = vo;
			*vlen = vl;
			return true;
		}
	}
	return false;
}

static bool
cookie_put(char *out, size_t cap, size_t *off, const char *s, size_t n)
{
	if (*off + n > cap)
		return false;
	memcpy(out + *off, s, n);
	*off += n;
	return true;
}

bool
cookie_strip(char *out, size_t cap, size_t *off, const char *v, size_t len,
    const char *name, size_t nlen, bool drop)
{
	size_t i = 0, no, nl, vo, vl;

	while (cookie_next(v, len, &i, &no, &nl, &vo, &vl)) {
		bool ours = nl == nlen && memcmp(v + no, name, nlen) == 0;

		if (ours && drop)
			continue;
		if (*off > 0 && !cookie_put(out, cap, off, "; ", 2))
			return false;
		if (!cookie_put(out, cap, off, v + no, nl))
			return false;
		if (vo == i && vl == 0 && (no + nl >= len || v[no + nl] != '='))
			continue;	/* a name alone */
		if (!cookie_put(out, cap, off, "=", 1))
			return false;
		if (ours) {
			const char *t = memchr(v + vo, '~', vl);

			if (t != NULL) {
				vl -= (size_t)(t + 1 - (v + vo));
				vo = (size_t)(t + 1 - v);
			}
		}
		if (!cookie_put(out, cap, off, v + vo, vl))
			return false;
	}
	return true;
}

static uint64_t
cookie_b36(const char *s, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && i < 13; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
		    s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 10 : -1;

		if (d < 0)
			return 0;
		x = x * 36 + (uint64_t)d;
	}
	return x;
}

size_t
cookie_parse(const char *v, size_t len, uint64_t *last, uint64_t *first)
{
	const char *b1 = memchr(v, '|', len), *b2;

	*last = *first = 0;
	if (b1 == NULL)
		return len;
	b2 = memchr(b1 + 1, '|', len - (size_t)(b1 + 1 - v));
	if (b2 != NULL) {
		*last = cookie_b36(b1 + 1, (size_t)(b2 - b1 - 1));
		*first = cookie_b36(b2 + 1, len - (size_t)(b2 + 1 - v));
	} else {
		*last = cookie_b36(b1 + 1, len - (size_t)(b1 + 1 - v));
	}
	return (size_t)(b1 - v);
}

static size_t
cookie_put_b36(char *out, uint64_t x)
{
	char tmp[16];
	size_t n = 0, i;

	do {
		unsigned d = (unsigned)(x % 36);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		x /= 36;
	} while (x > 0 && n < sizeof(tmp));
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t
cookie_value(char *out, size_t cap, const char *srv, bool dated,
    uint64_t now, uint64_t first)
{
	size_t n = strlen(srv);

	if (n + (dated ? 30 : 0) + 1 > cap)
		return 0;
	memcpy(out, srv, n);
	if (dated) {
		out[n++] = '|';
		n += cookie_put_b36(out + n, now);
		out[n++] = '|';
		n += cookie_put_b36(out + n, first ? first : now);
	}
	out[n] = '\0';
	return n;
}
