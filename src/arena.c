#include "config.h"

#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_BYTES 16384
#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t off;
	_Alignas(max_align_t) unsigned char data[];
};

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need, csize;
	void *p;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2) {
		a->oom = true;
		return NULL;
	}
	need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (c == NULL || c->size - c->off < need) {
		/* Large requests get a chunk of their own, kept behind the
		 * current one so the current one's free tail stays usable. */
		csize = need > ARENA_CHUNK_BYTES / 4 ? need : ARENA_CHUNK_BYTES;
		c = malloc(sizeof(*c) + csize);
		if (c == NULL) {
			a->oom = true;
			return NULL;
		}
		c->size = csize;
		c->off = 0;
		if (csize != ARENA_CHUNK_BYTES && a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->off;
	c->off += need;
	a->used += need;
	memset(p, 0, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
